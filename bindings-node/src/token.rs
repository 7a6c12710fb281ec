//! `Signer` and `Verifier`: thin wrappers over the core's.

use napi::bindgen_prelude::{AsyncTask, Buffer, Either};
use napi::{Env, Task};
use napi_derive::napi;
use qencode_cdn::{Error, ErrorCode, SignOptions, Signer, Verifier};
use serde_json::Value;

use crate::error::{Code, guard, guard_task, reject};
use crate::options::{NativeCookieOptions, NativeSignOptions, NativeVerifyOptions, sign_options, verify_options};

fn key_bytes(key: &Either<String, Buffer>) -> &[u8] {
    match key {
        Either::A(s) => s.as_bytes(),
        Either::B(b) => b.as_ref(),
    }
}

/// A serde value as JSON for JS. Serialising the core's own types cannot fail;
/// if it ever did, that is a bug (INTERNAL), not a silent `null`.
pub fn to_value<T: serde::Serialize>(v: &T) -> Result<Value, Error> {
    serde_json::to_value(v).map_err(|e| Error::with_code(ErrorCode::Internal, format!("serialising a result: {e}")))
}

/// A signing key loaded once (`qencode_cdn::Signer`).
#[napi]
pub struct NativeSigner {
    inner: Signer,
}

impl NativeSigner {
    pub fn core(&self) -> &Signer {
        &self.inner
    }
}

#[napi]
impl NativeSigner {
    /// Loads a private key (PEM, DER, env-mangled PEM, base64 of a PEM).
    #[napi(constructor, catch_unwind)]
    pub fn new(key_id: String, private_key: Either<String, Buffer>) -> napi::Result<Self, Code> {
        guard(|| {
            Ok(NativeSigner {
                inner: Signer::from_pem(&key_id, key_bytes(&private_key))?,
            })
        })
    }

    #[napi(getter, catch_unwind)]
    pub fn key_id(&self) -> String {
        self.inner.key_id().to_string()
    }

    #[napi(getter, catch_unwind)]
    pub fn key_bits(&self) -> u32 {
        u32::try_from(self.inner.key_bits()).unwrap_or(u32::MAX)
    }

    #[napi(catch_unwind)]
    pub fn public_key_pem(&self) -> napi::Result<String, Code> {
        guard(|| self.inner.public_key_pem())
    }

    /// The public JWK as JSON text.
    #[napi(catch_unwind)]
    pub fn public_key_jwk(&self) -> napi::Result<String, Code> {
        guard(|| Ok(self.inner.public_key_jwk()))
    }

    #[napi(catch_unwind)]
    pub fn sign(&self, uri: String, options: Option<NativeSignOptions>) -> napi::Result<String, Code> {
        guard(|| self.inner.sign(&uri, &sign_options(&options)?))
    }

    /// Signs on the libuv pool.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn sign_async(&self, uri: String, options: Option<NativeSignOptions>) -> AsyncTask<SignTask> {
        AsyncTask::new(SignTask {
            signer: self.inner.clone(),
            uri,
            opts: sign_options(&options),
        })
    }

    #[napi(catch_unwind)]
    pub fn signed_live_url(
        &self,
        playback_id: String,
        options: Option<NativeSignOptions>,
    ) -> napi::Result<String, Code> {
        guard(|| self.inner.signed_live_url(&playback_id, &sign_options(&options)?))
    }

    #[napi(catch_unwind)]
    pub fn signed_live_custom_domain_url(
        &self,
        domain: String,
        playback_id: String,
        options: Option<NativeSignOptions>,
    ) -> napi::Result<String, Code> {
        guard(|| {
            self.inner
                .signed_live_custom_domain_url(&domain, &playback_id, &sign_options(&options)?)
        })
    }

    #[napi(catch_unwind)]
    pub fn signed_storage_url(
        &self,
        bucket: String,
        region: String,
        key: String,
        options: Option<NativeSignOptions>,
    ) -> napi::Result<String, Code> {
        guard(|| {
            self.inner
                .signed_storage_url(&bucket, &region, &key, &sign_options(&options)?)
        })
    }

    #[napi(catch_unwind)]
    pub fn signed_storage_custom_domain_url(
        &self,
        domain: String,
        key: String,
        options: Option<NativeSignOptions>,
    ) -> napi::Result<String, Code> {
        guard(|| {
            self.inner
                .signed_storage_custom_domain_url(&domain, &key, &sign_options(&options)?)
        })
    }

    #[napi(catch_unwind)]
    pub fn sign_url(&self, url: String, uri: String, options: Option<NativeSignOptions>) -> napi::Result<String, Code> {
        guard(|| self.inner.sign_url(&url, &uri, &sign_options(&options)?))
    }

    /// The cookie as the core's JSON document plus its `Set-Cookie` value under `header`.
    #[napi(catch_unwind, ts_return_type = "Record<string, unknown>")]
    pub fn signed_cookie(
        &self,
        uri: String,
        options: Option<NativeSignOptions>,
        cookie: Option<NativeCookieOptions>,
    ) -> napi::Result<Value, Code> {
        guard(|| {
            let cookie_opts = cookie.map(|c| c.to_core()).transpose()?.unwrap_or_default();
            let c = self.inner.signed_cookie(&uri, &sign_options(&options)?, &cookie_opts)?;
            let mut v = to_value(&c)?;
            if let Value::Object(map) = &mut v {
                map.insert("header".into(), Value::String(c.header_value()));
            }
            Ok(v)
        })
    }
}

/// `signAsync`: one signature on the libuv pool.
pub struct SignTask {
    signer: Signer,
    uri: String,
    opts: Result<SignOptions, Error>,
}

impl Task for SignTask {
    type Output = Result<String, Error>;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let (signer, uri, opts) = (&self.signer, &self.uri, &self.opts);
        Ok(guard_task(|| signer.sign(uri, opts.as_ref().map_err(Clone::clone)?)))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<String> {
        match output {
            Ok(token) => Ok(token),
            Err(e) => reject(&env, &e),
        }
    }
}

/// Checks tokens against one public key (`qencode_cdn::Verifier`).
#[napi]
pub struct NativeVerifier {
    inner: Verifier,
}

#[napi]
impl NativeVerifier {
    /// From a public key (SPKI/PKCS#1 PEM or DER, base64, JWK, or a private key).
    #[napi(constructor, catch_unwind)]
    pub fn new(public_key: Either<String, Buffer>, key_id: Option<String>) -> napi::Result<Self, Code> {
        guard(|| {
            let mut v = Verifier::from_public_key(key_bytes(&public_key))?;
            if let Some(kid) = key_id {
                v = v.with_key_id(kid);
            }
            Ok(NativeVerifier { inner: v })
        })
    }

    #[napi(factory, catch_unwind)]
    pub fn from_jwk(jwk: String) -> napi::Result<Self, Code> {
        guard(|| {
            Ok(NativeVerifier {
                inner: Verifier::from_jwk(&jwk)?,
            })
        })
    }

    #[napi(factory, catch_unwind)]
    pub fn from_signer(signer: &NativeSigner) -> napi::Result<Self, Code> {
        guard(|| {
            Ok(NativeVerifier {
                inner: Verifier::from_signer(signer.core())?,
            })
        })
    }

    #[napi(getter, catch_unwind)]
    pub fn key_id(&self) -> Option<String> {
        self.inner.key_id().map(str::to_string)
    }

    #[napi(catch_unwind)]
    pub fn public_key_pem(&self) -> napi::Result<String, Code> {
        guard(|| self.inner.public_key_pem())
    }

    /// `{ kid, claims }` of a valid token.
    #[napi(catch_unwind, ts_return_type = "Record<string, unknown>")]
    pub fn verify(&self, token: String, options: Option<NativeVerifyOptions>) -> napi::Result<Value, Code> {
        guard(|| to_value(&self.inner.verify(&token, &verify_options(&options)?)?))
    }

    /// The core's `Explanation` as a JSON document.
    #[napi(catch_unwind, ts_return_type = "Record<string, unknown>")]
    pub fn explain(&self, url: String, options: Option<NativeVerifyOptions>) -> napi::Result<Value, Code> {
        guard(|| to_value(&self.inner.explain_with(&url, &verify_options(&options)?)))
    }
}
