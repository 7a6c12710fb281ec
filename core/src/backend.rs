//! The two RSA PKCS#1 v1.5 SHA-256 backends. RS256 is deterministic, so both
//! produce byte-identical signatures (proved on the golden vectors).
//!
//! `aws-lc` (default) keeps the parsed `RsaKeyPair` and reuses it: signing is
//! one constant-time RSA private operation, nothing else. aws-lc frees key
//! material with `OPENSSL_free`, which cleanses memory before releasing it.
//!
//! `rust-crypto` uses the pure-Rust `rsa` crate (what jsonwebtoken's
//! `rust_crypto` feature uses) for targets where aws-lc cannot build. It is
//! several times slower, and RUSTSEC-2023-0071 (the Marvin timing attack) is
//! still listed against `rsa` with no patched version, which is why it is
//! not the default.

#[cfg(not(any(feature = "aws-lc", feature = "rust-crypto")))]
compile_error!("qencode-cdn needs a crypto backend: enable the `aws-lc` (default) or `rust-crypto` feature");

use crate::error::{Error, Result};
use crate::keys::{PrivateKeyDer, PublicKeyParts};

/// Which RSA implementation signs and verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backend {
    /// aws-lc-rs (constant-time, the default).
    #[cfg(feature = "aws-lc")]
    AwsLc,
    /// The pure-Rust `rsa` crate.
    #[cfg(feature = "rust-crypto")]
    RustCrypto,
}

#[allow(clippy::derivable_impls)] // the default depends on which features are on
impl Default for Backend {
    fn default() -> Self {
        #[cfg(feature = "aws-lc")]
        {
            Backend::AwsLc
        }
        #[cfg(not(feature = "aws-lc"))]
        {
            Backend::RustCrypto
        }
    }
}

pub(crate) enum SigningKey {
    #[cfg(feature = "aws-lc")]
    AwsLc(Box<aws_lc_rs::signature::RsaKeyPair>),
    #[cfg(feature = "rust-crypto")]
    RustCrypto(Box<rsa::pkcs1v15::SigningKey<sha2::Sha256>>),
}

impl SigningKey {
    pub(crate) fn new(backend: Backend, key: &PrivateKeyDer) -> Result<Self> {
        match backend {
            #[cfg(feature = "aws-lc")]
            Backend::AwsLc => {
                let pair = aws_lc_rs::signature::RsaKeyPair::from_der(&key.pkcs1)
                    .map_err(|_| Error::invalid_key("the RSA private key is inconsistent (aws-lc refused it)"))?;
                Ok(SigningKey::AwsLc(Box::new(pair)))
            }
            #[cfg(feature = "rust-crypto")]
            Backend::RustCrypto => {
                use rsa::pkcs1::DecodeRsaPrivateKey as _;
                let pk = rsa::RsaPrivateKey::from_pkcs1_der(&key.pkcs1)
                    .map_err(|_| Error::invalid_key("the RSA private key is inconsistent (rsa crate refused it)"))?;
                pk.validate()
                    .map_err(|_| Error::invalid_key("the RSA private key is inconsistent (rsa crate refused it)"))?;
                Ok(SigningKey::RustCrypto(Box::new(rsa::pkcs1v15::SigningKey::new(pk))))
            }
        }
    }

    /// Signature length in bytes (the modulus length).
    pub(crate) fn signature_len(&self, public: &PublicKeyParts) -> usize {
        match self {
            #[cfg(feature = "aws-lc")]
            SigningKey::AwsLc(pair) => pair.public_modulus_len(),
            #[cfg(feature = "rust-crypto")]
            SigningKey::RustCrypto(_) => public.bits().div_ceil(8),
        }
        .max(public.bits().div_ceil(8))
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `msg`, written into `out`
    /// (exactly [`SigningKey::signature_len`] bytes).
    pub(crate) fn sign(&self, msg: &[u8], out: &mut [u8]) -> Result<()> {
        match self {
            #[cfg(feature = "aws-lc")]
            SigningKey::AwsLc(pair) => {
                // PKCS#1 v1.5 is deterministic: aws-lc does not draw from the RNG.
                let rng = aws_lc_rs::rand::SystemRandom::new();
                pair.sign(&aws_lc_rs::signature::RSA_PKCS1_SHA256, &rng, msg, out)
                    .map_err(|_| Error::Internal("aws-lc failed to sign".into()))
            }
            #[cfg(feature = "rust-crypto")]
            SigningKey::RustCrypto(key) => {
                use rsa::signature::{SignatureEncoding as _, Signer as _};
                let sig = key
                    .try_sign(msg)
                    .map_err(|_| Error::Internal("rsa crate failed to sign".into()))?;
                let bytes = sig.to_bytes();
                if bytes.len() != out.len() {
                    return Err(Error::Internal("unexpected signature length".into()));
                }
                out.copy_from_slice(&bytes);
                Ok(())
            }
        }
    }
}

pub(crate) enum VerifyingKey {
    #[cfg(feature = "aws-lc")]
    AwsLc(PublicKeyParts),
    #[cfg(feature = "rust-crypto")]
    RustCrypto(Box<rsa::pkcs1v15::VerifyingKey<sha2::Sha256>>),
}

impl VerifyingKey {
    pub(crate) fn new(backend: Backend, public: &PublicKeyParts) -> Result<Self> {
        match backend {
            #[cfg(feature = "aws-lc")]
            Backend::AwsLc => Ok(VerifyingKey::AwsLc(public.clone())),
            #[cfg(feature = "rust-crypto")]
            Backend::RustCrypto => {
                let pk = rsa::RsaPublicKey::new(
                    rsa::BigUint::from_bytes_be(&public.n),
                    rsa::BigUint::from_bytes_be(&public.e),
                )
                .map_err(|_| Error::invalid_key("the RSA public key is invalid"))?;
                Ok(VerifyingKey::RustCrypto(Box::new(rsa::pkcs1v15::VerifyingKey::new(pk))))
            }
        }
    }

    /// True when `sig` is a valid RS256 signature of `msg`.
    pub(crate) fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        match self {
            #[cfg(feature = "aws-lc")]
            VerifyingKey::AwsLc(parts) => {
                let key = aws_lc_rs::signature::RsaPublicKeyComponents {
                    n: parts.n.as_slice(),
                    e: parts.e.as_slice(),
                };
                key.verify(&aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256, msg, sig)
                    .is_ok()
            }
            #[cfg(feature = "rust-crypto")]
            VerifyingKey::RustCrypto(key) => {
                use rsa::signature::Verifier as _;
                match rsa::pkcs1v15::Signature::try_from(sig) {
                    Ok(s) => key.verify(msg, &s).is_ok(),
                    Err(_) => false,
                }
            }
        }
    }
}

/// Project Wycheproof's RSA PKCS#1 v1.5 vectors against every compiled
/// backend: exact signatures from the sig-gen files, and valid/invalid
/// verdicts (malformed paddings and encodings) from the signature files.
/// Vendored in `tests/vectors/wycheproof/` (see its README).
#[cfg(test)]
mod wycheproof {
    use super::*;
    use crate::keys;
    use serde_json::Value;

    fn dir() -> std::path::PathBuf {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/wycheproof");
        assert!(
            dir.join("LICENSE").exists(),
            "the vendored Wycheproof vectors are missing from {}",
            dir.display()
        );
        dir
    }

    fn load(name: &str) -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir().join(name)).unwrap()).unwrap()
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn backends() -> Vec<Backend> {
        vec![
            #[cfg(feature = "aws-lc")]
            Backend::AwsLc,
            #[cfg(feature = "rust-crypto")]
            Backend::RustCrypto,
        ]
    }

    #[test]
    fn signatures_equal_wycheproof_sig_gen_vectors() {
        for file in ["rsa_pkcs1_2048_sig_gen_test.json", "rsa_pkcs1_4096_sig_gen_test.json"] {
            let doc = load(file);
            let mut checked = 0;
            for group in doc["testGroups"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|g| g["sha"] == "SHA-256")
            {
                let der = keys::load_private_key(group["privateKeyPem"].as_str().unwrap().as_bytes()).unwrap();
                for backend in backends() {
                    let key = SigningKey::new(backend, &der).unwrap();
                    for t in group["tests"].as_array().unwrap() {
                        let want = hex(t["sig"].as_str().unwrap());
                        let mut sig = vec![0u8; key.signature_len(&der.public)];
                        key.sign(&hex(t["msg"].as_str().unwrap()), &mut sig).unwrap();
                        // "acceptable" cases (small public exponent) still have one exact signature
                        assert_eq!(sig, want, "{file} #{} with {backend:?}", t["tcId"]);
                        checked += 1;
                    }
                }
            }
            assert!(checked > 0, "{file}: no SHA-256 groups");
        }
    }

    #[test]
    fn verification_matches_wycheproof_verdicts() {
        for file in [
            "rsa_signature_2048_sha256_test.json",
            "rsa_signature_4096_sha256_test.json",
        ] {
            let doc = load(file);
            let (mut valid, mut invalid) = (0, 0);
            for group in doc["testGroups"].as_array().unwrap() {
                let public = keys::load_public_key(&hex(group["publicKeyDer"].as_str().unwrap())).unwrap();
                for backend in backends() {
                    let key = VerifyingKey::new(backend, &public).unwrap();
                    for t in group["tests"].as_array().unwrap() {
                        let ok = key.verify(&hex(t["msg"].as_str().unwrap()), &hex(t["sig"].as_str().unwrap()));
                        match t["result"].as_str().unwrap() {
                            "valid" => {
                                assert!(ok, "{file} #{} {} with {backend:?}", t["tcId"], t["comment"]);
                                valid += 1;
                            }
                            "invalid" => {
                                assert!(!ok, "{file} #{} {} with {backend:?}", t["tcId"], t["comment"]);
                                invalid += 1;
                            }
                            _ => {} // "acceptable": either verdict is allowed
                        }
                    }
                }
            }
            assert!(valid > 0 && invalid > 0, "{file}: {valid} valid, {invalid} invalid");
        }
    }
}
