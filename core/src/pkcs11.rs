//! Signing with a key held by an HSM or a token, over PKCS#11 (feature
//! `pkcs11`, the `cryptoki` crate; the module is loaded at run time, so no
//! HSM library is needed to build). The private key never leaves the token:
//! the token computes `CKM_SHA256_RSA_PKCS` signatures, and, as for every
//! external signer, the core verifies each one with the key's public half
//! before it returns a token. Tested against SoftHSM2.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;

use crate::error::{Error, Result};
use crate::external::{ExternalSign, ExternalSignError};
use crate::keys::PublicKeyParts;
use crate::token::Signer;

/// A private key on a PKCS#11 token, with one logged-in session.
struct Pkcs11Signer {
    // Drop order: the session before the context that owns the module.
    session: Mutex<Session>,
    key: ObjectHandle,
    name: String,
    _context: Pkcs11,
}

impl ExternalSign for Pkcs11Signer {
    fn sign(&self, signing_input: &[u8]) -> std::result::Result<Vec<u8>, ExternalSignError> {
        let session = self.session.lock().unwrap_or_else(|p| p.into_inner());
        Ok(session.sign(&Mechanism::Sha256RsaPkcs, self.key, signing_input)?)
    }

    fn name(&self) -> String {
        self.name.clone()
    }
}

/// One initialised context per module for the whole process: PKCS#11 allows
/// `C_Initialize` once per process, and finalising a context (when the last
/// handle drops) would end every other session on the module. Contexts are
/// therefore kept for the life of the process.
fn context(module: &Path) -> Result<Pkcs11> {
    static CONTEXTS: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    let mut contexts = CONTEXTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(c) = contexts.get(module) {
        return Ok(c.clone());
    }
    let context =
        Pkcs11::new(module).map_err(|e| key_error(&format!("cannot load the module `{}`", module.display()), e))?;
    match context.initialize(CInitializeArgs::OsThreads) {
        Ok(()) | Err(cryptoki::error::Error::Pkcs11(cryptoki::error::RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(key_error("the module does not initialise", e)),
    }
    contexts.insert(module.to_path_buf(), context.clone());
    Ok(context)
}

fn key_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::InvalidKey(format!("PKCS#11: {what}: {e}"))
}

impl Signer {
    /// A signer whose RSA private key stays on a PKCS#11 token: loads
    /// `module` (e.g. `/usr/lib/softhsm/libsofthsm2.so`), finds the token
    /// labelled `token_label`, logs in with `pin` and uses the private key
    /// labelled `key_label`; `key_id` is the `kid` of its tokens. The public
    /// key is read from the token. A module that cannot be loaded, a missing
    /// token or key, a wrong PIN or a key that is not RSA is INVALID_KEY
    /// naming which; a token that fails later (removed, logged out) makes
    /// signing fail with SIGNER_FAILED, never a token. The PIN never appears
    /// in an error.
    pub fn from_pkcs11(
        module: impl AsRef<Path>,
        token_label: &str,
        key_label: &str,
        pin: &str,
        key_id: &str,
    ) -> Result<Signer> {
        let module = module.as_ref();
        let context = context(module)?;
        let slots = context
            .get_slots_with_token()
            .map_err(|e| key_error("cannot list the slots", e))?;
        let slot = slots
            .into_iter()
            .find(|s| {
                context
                    .get_token_info(*s)
                    .map(|t| t.label().trim_end() == token_label)
                    .unwrap_or(false)
            })
            .ok_or_else(|| {
                Error::InvalidKey(format!(
                    "PKCS#11: no token labelled `{}` in `{}`",
                    token_label.escape_debug(),
                    module.display()
                ))
            })?;
        let session = context
            .open_ro_session(slot)
            .map_err(|e| key_error("cannot open a session", e))?;
        let secret = AuthPin::new(pin.to_string());
        // Login is per token and application: with another session of this
        // process already logged in, C_Login says so, and the session is usable.
        match session.login(UserType::User, Some(&secret)) {
            Ok(()) | Err(cryptoki::error::Error::Pkcs11(cryptoki::error::RvError::UserAlreadyLoggedIn, _)) => {}
            Err(e) => {
                return Err(key_error(
                    &format!(
                        "the token `{}` refused the login (wrong PIN?)",
                        token_label.escape_debug()
                    ),
                    e,
                ));
            }
        }
        let label = || Attribute::Label(key_label.as_bytes().to_vec());
        let private = session
            .find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY), label()])
            .map_err(|e| key_error("cannot search the token", e))?;
        let key = match private.as_slice() {
            [one] => *one,
            [] => {
                return Err(Error::InvalidKey(format!(
                    "PKCS#11: the token `{}` holds no private key labelled `{}`",
                    token_label.escape_debug(),
                    key_label.escape_debug()
                )));
            }
            _ => {
                return Err(Error::InvalidKey(format!(
                    "PKCS#11: the token `{}` holds several private keys labelled `{}`",
                    token_label.escape_debug(),
                    key_label.escape_debug()
                )));
            }
        };
        let public = public_parts(&session, key, key_label)?;
        let spki = public.to_spki_der()?;
        let name = format!("PKCS#11 key `{key_label}` on token `{token_label}`");
        let signer = Pkcs11Signer {
            session: Mutex::new(session),
            key,
            name,
            _context: context,
        };
        Signer::external(key_id, spki, signer)
    }
}

/// Key type, modulus and exponent, each when the token shows it.
type KeyAttributes = (Option<KeyType>, Option<Vec<u8>>, Option<Vec<u8>>);

/// The RSA modulus and exponent: from the private key object when the token
/// shows them, else from the public key object of the same label.
fn public_parts(session: &Session, key: ObjectHandle, key_label: &str) -> Result<PublicKeyParts> {
    let wanted = [
        AttributeType::KeyType,
        AttributeType::Modulus,
        AttributeType::PublicExponent,
    ];
    let read = |object: ObjectHandle| -> Result<KeyAttributes> {
        let attrs = session
            .get_attributes(object, &wanted)
            .map_err(|e| key_error("cannot read the key's attributes", e))?;
        let (mut kind, mut n, mut e) = (None, None, None);
        for a in attrs {
            match a {
                Attribute::KeyType(k) => kind = Some(k),
                Attribute::Modulus(m) => n = Some(m),
                Attribute::PublicExponent(x) => e = Some(x),
                _ => {}
            }
        }
        Ok((kind, n, e))
    };
    let (kind, mut n, mut e) = read(key)?;
    if kind.is_some_and(|k| k != KeyType::RSA) {
        return Err(Error::InvalidKey(format!(
            "PKCS#11: the key `{}` is not an RSA key; Qencode tokens are RS256",
            key_label.escape_debug()
        )));
    }
    if n.is_none() || e.is_none() {
        let public = session
            .find_objects(&[
                Attribute::Class(ObjectClass::PUBLIC_KEY),
                Attribute::Label(key_label.as_bytes().to_vec()),
            ])
            .map_err(|e| key_error("cannot search the token", e))?;
        if let Some(p) = public.first() {
            let (_, pn, pe) = read(*p)?;
            n = n.or(pn);
            e = e.or(pe);
        }
    }
    match (n, e) {
        (Some(n), Some(e)) => {
            let parts = PublicKeyParts::from_components(n, e);
            crate::keys::check_public(&parts)?;
            Ok(parts)
        }
        _ => Err(Error::InvalidKey(format!(
            "PKCS#11: the token does not show the public key of `{}` (no modulus and exponent)",
            key_label.escape_debug()
        ))),
    }
}
