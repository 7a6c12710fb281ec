//! External signers: the private key never enters this process (an HSM over
//! PKCS#11, a cloud KMS, Vault, a signing service). The core assembles the
//! token exactly as for a local key — so a signer holding the same key
//! produces byte-identical tokens (RS256 is deterministic) — and **verifies
//! every external signature with the public key before returning the
//! token**: a wrong key or a broken signer is an error, never a URL the
//! edge refuses.
//!
//! ```
//! use qencode_cdn::{ExternalSign, ExternalSignError, Signer, SignOptions, Verifier, VerifyOptions};
//! # let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/rsa2048.pkcs1.pem")).unwrap();
//! # let local = Signer::from_pem("kms-key-1", &pem)?;
//! // Stands in for a KMS client: anything that returns an RS256 signature.
//! struct Kms(Signer);
//! impl ExternalSign for Kms {
//!     fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, ExternalSignError> {
//!         Ok(self.0.sign_raw(signing_input)?)
//!     }
//!     fn name(&self) -> String { "test KMS".into() }
//! }
//! let external = Signer::external("kms-key-1", local.public_key_pem()?, Kms(local.clone()))?;
//! let opts = SignOptions::new().now(1_700_000_000);
//! assert_eq!(external.sign("abc", &opts)?, local.sign("abc", &opts)?);
//! # Ok::<(), qencode_cdn::Error>(())
//! ```

use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::backend::VerifyingKey;
use crate::error::{Error, ErrorCode, Result};

/// What an external signer's failure carries: any error, kept (without
/// secrets, which a signer must not put in its errors) as the message of the
/// SIGNER_FAILED error.
pub type ExternalSignError = Box<dyn std::error::Error + Send + Sync>;

/// Signs with RS256 (RSASSA-PKCS1-v1_5 with SHA-256) outside this process.
/// `Send + Sync`: one signer serves every thread.
pub trait ExternalSign: Send + Sync + 'static {
    /// The RS256 signature of `signing_input` (the ASCII bytes
    /// `base64url(header) "." base64url(payload)`), as raw bytes — exactly
    /// the modulus length (256 bytes for RSA-2048, 512 for RSA-4096).
    fn sign(&self, signing_input: &[u8]) -> std::result::Result<Vec<u8>, ExternalSignError>;

    /// A name for errors, e.g. `"AWS KMS key alias/video-signing"`.
    fn name(&self) -> String {
        "external signer".into()
    }
}

/// An external signer with the public key its signatures are checked against.
pub(crate) struct External {
    signer: Arc<dyn ExternalSign>,
    verify: VerifyingKey,
    timeout: Option<Duration>,
}

impl External {
    pub(crate) fn new(signer: Arc<dyn ExternalSign>, verify: VerifyingKey, timeout: Option<Duration>) -> Self {
        External {
            signer,
            verify,
            timeout,
        }
    }

    pub(crate) fn name(&self) -> String {
        self.signer.name()
    }

    /// Calls the signer (inline, or on a helper thread with a deadline), then
    /// checks the length and the signature itself.
    pub(crate) fn sign(&self, msg: &[u8], out: &mut [u8]) -> Result<()> {
        let name = self.signer.name();
        let got = match self.timeout {
            None => call(&*self.signer, msg),
            Some(timeout) => call_with_deadline(&self.signer, msg, timeout, &name)?,
        };
        let sig = got.map_err(|e| signer_failed(format!("the external signer `{name}` failed: {e}")))?;
        if sig.len() != out.len() {
            return Err(signer_failed(format!(
                "the external signer `{name}` returned {} bytes; an RS256 signature by this {}-bit key has {}",
                sig.len(),
                out.len() * 8,
                out.len()
            )));
        }
        if !self.verify.verify(msg, &sig) {
            return Err(signer_failed(format!(
                "the external signer `{name}` returned a signature that does not verify with its public key \
                 (a different key, another algorithm than RS256, or a broken signer); no token was made"
            )));
        }
        out.copy_from_slice(&sig);
        Ok(())
    }

    /// Checks a signature made elsewhere (the two-phase [`crate::PreparedToken`]).
    pub(crate) fn verifies(&self, msg: &[u8], sig: &[u8]) -> bool {
        self.verify.verify(msg, sig)
    }
}

fn signer_failed(msg: String) -> Error {
    Error::with_code(ErrorCode::SignerFailed, msg)
}

/// Calls the signer, turning a panic inside it into an error.
fn call(signer: &dyn ExternalSign, msg: &[u8]) -> std::result::Result<Vec<u8>, ExternalSignError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| signer.sign(msg))) {
        Ok(r) => r,
        Err(_) => Err("it panicked".into()),
    }
}

/// Runs the signer on a helper thread and waits at most `timeout`. A signer
/// that does not answer in time gives TIMEOUT (its late answer is dropped).
fn call_with_deadline(
    signer: &Arc<dyn ExternalSign>,
    msg: &[u8],
    timeout: Duration,
    name: &str,
) -> Result<std::result::Result<Vec<u8>, ExternalSignError>> {
    let (tx, rx) = mpsc::sync_channel(1);
    let signer = Arc::clone(signer);
    let msg = msg.to_vec();
    let started = Instant::now();
    std::thread::Builder::new()
        .name("qencode-cdn-external-signer".into())
        .spawn(move || {
            let _ = tx.send(call(&*signer, &msg));
        })
        .map_err(|e| Error::Internal(format!("cannot start the external signer's thread: {e}")))?;
    match rx.recv_timeout(timeout) {
        Ok(r) => Ok(r),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(Error::with_code(
            ErrorCode::Timeout,
            format!(
                "the external signer `{name}` did not answer within {:?}; no token was made",
                started.elapsed().min(timeout)
            ),
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(signer_failed(format!(
            "the external signer `{name}` ended without an answer"
        ))),
    }
}
