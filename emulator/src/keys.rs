//! Key material the emulator makes: the access tokens of the management API
//! (HS256 JWTs, like the one the reference shows) and the RSA key pairs of
//! signing keys.

use std::time::Duration;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::hmac;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use pkcs8::der::pem::LineEnding;
use qencode_cdn::Verifier;
use serde_json::{Value, json};

use crate::state::{new_id, now_unix};

/// Issues and checks access tokens with a per-instance random HMAC key.
pub(crate) struct AccessTokens {
    key: hmac::Key,
}

impl std::fmt::Debug for AccessTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessTokens { .. }")
    }
}

/// Why a bearer token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BearerError {
    Missing,
    Invalid,
    Expired,
}

impl BearerError {
    /// The message of the 401 body.
    pub fn message(self) -> &'static str {
        match self {
            BearerError::Missing => "missing bearer token: send Authorization: Bearer <access_token>",
            BearerError::Invalid => "invalid access token",
            BearerError::Expired => "access token expired",
        }
    }
}

impl AccessTokens {
    /// A fresh random key.
    pub fn new() -> std::io::Result<Self> {
        let key = hmac::Key::generate(hmac::HMAC_SHA256, &SystemRandom::new())
            .map_err(|_| std::io::Error::other("could not generate the access-token key"))?;
        Ok(AccessTokens { key })
    }

    /// A token for the API key at `key_index`, valid for `lifetime`
    /// (rounded up to whole seconds; zero gives an already expired token).
    pub fn issue(&self, key_index: usize, lifetime: Duration) -> String {
        let now = now_unix();
        let secs = lifetime.as_secs() + u64::from(lifetime.subsec_nanos() > 0);
        let exp = now.saturating_add(i64::try_from(secs).unwrap_or(i64::MAX));
        let header = json!({"alg": "HS256", "typ": "JWT"});
        let payload = json!({"sub": format!("api-key-{key_index}"), "iat": now, "exp": exp, "jti": new_id()});
        let mut token = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(payload.to_string())
        );
        let tag = hmac::sign(&self.key, token.as_bytes());
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(tag.as_ref()));
        token
    }

    /// Checks an `Authorization` header value.
    pub fn check_header(&self, authorization: Option<&str>) -> Result<(), BearerError> {
        let value = authorization.map(str::trim).unwrap_or("");
        let token = match value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ if value.is_empty() => return Err(BearerError::Missing),
            _ => return Err(BearerError::Invalid),
        };
        if token.is_empty() {
            return Err(BearerError::Missing);
        }
        let (signed, signature) = token.rsplit_once('.').ok_or(BearerError::Invalid)?;
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| BearerError::Invalid)?;
        hmac::verify(&self.key, signed.as_bytes(), &signature).map_err(|_| BearerError::Invalid)?;
        let payload = signed.split('.').nth(1).ok_or(BearerError::Invalid)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| BearerError::Invalid)?;
        let payload: Value = serde_json::from_slice(&payload).map_err(|_| BearerError::Invalid)?;
        let exp = payload.get("exp").and_then(Value::as_i64).ok_or(BearerError::Invalid)?;
        if now_unix() >= exp {
            return Err(BearerError::Expired);
        }
        Ok(())
    }
}

/// Whether RSA keys of this size can be generated.
pub(crate) fn key_size(bits: usize) -> Option<KeySize> {
    match bits {
        2048 => Some(KeySize::Rsa2048),
        3072 => Some(KeySize::Rsa3072),
        4096 => Some(KeySize::Rsa4096),
        8192 => Some(KeySize::Rsa8192),
        _ => None,
    }
}

/// A new signing key: the private key as PKCS#1 PEM (handed out once) and
/// a verifier holding only the public half.
pub(crate) struct NewKey {
    pub private_pem: String,
    pub verifier: Verifier,
}

/// Generates an RSA key pair of `bits` bits for signing key `kid`.
pub(crate) fn generate_signing_key(bits: usize, kid: &str) -> Result<NewKey, String> {
    let size = key_size(bits).ok_or_else(|| format!("unsupported RSA key size {bits}"))?;
    let pair = KeyPair::generate(size).map_err(|_| "RSA key generation failed".to_string())?;
    let pkcs8 = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&pair)
        .map_err(|_| "could not serialise the new private key".to_string())?;
    let info = pkcs8::PrivateKeyInfo::try_from(pkcs8.as_ref())
        .map_err(|_| "could not read back the new private key".to_string())?;
    let private_pem = pkcs8::der::pem::encode_string("RSA PRIVATE KEY", LineEnding::LF, info.private_key)
        .map_err(|_| "could not PEM-encode the new private key".to_string())?;
    let public = pair
        .public_key()
        .as_der()
        .map_err(|_| "could not serialise the new public key".to_string())?;
    let verifier = Verifier::from_public_key(public.as_ref())
        .map_err(|e| format!("could not load the new public key: {}", e.message()))?
        .with_key_id(kid);
    Ok(NewKey { private_pem, verifier })
}

#[cfg(test)]
mod tests {
    use super::*;
    use qencode_cdn::{SignOptions, Signer, VerifyOptions};

    #[test]
    fn generated_private_key_signs_tokens_the_kept_public_key_accepts() {
        let k = generate_signing_key(2048, "kid-1").unwrap();
        assert!(k.private_pem.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
        let signer = Signer::from_pem("kid-1", &k.private_pem).unwrap();
        let token = signer.sign("abc", &SignOptions::new()).unwrap();
        k.verifier.verify(&token, &VerifyOptions::new()).unwrap();
    }

    #[test]
    fn access_tokens_expire_and_reject_tampering() {
        let t = AccessTokens::new().unwrap();
        let good = t.issue(0, Duration::from_secs(60));
        assert_eq!(t.check_header(Some(&format!("Bearer {good}"))), Ok(()));
        assert_eq!(t.check_header(None), Err(BearerError::Missing));
        assert_eq!(t.check_header(Some("Bearer garbage")), Err(BearerError::Invalid));
        let other = AccessTokens::new().unwrap().issue(0, Duration::from_secs(60));
        assert_eq!(
            t.check_header(Some(&format!("Bearer {other}"))),
            Err(BearerError::Invalid)
        );
        let old = t.issue(0, Duration::ZERO);
        assert_eq!(
            t.check_header(Some(&format!("Bearer {old}"))),
            Err(BearerError::Expired)
        );
    }
}
