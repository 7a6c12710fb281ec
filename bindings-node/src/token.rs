//! `Signer` and `Verifier`: thin wrappers over the core's. Options objects
//! reach the core's own readers as JSON (camelCase keys): nothing here
//! decides what an option means.

use napi::bindgen_prelude::{AsyncTask, Either, Uint8ArraySlice, Unknown};
use napi::{Env, Task};
use napi_derive::napi;
use qencode_cdn::options::split_cookie_options;
use qencode_cdn::{Error, ErrorCode, KeyStyle, SignOptions, Signer, Verifier, VerifyOptions};
use serde_json::Value;

use crate::client::Json;
use crate::error::{Code, guard, guard_task, reject};
use crate::js;

/// A key given as text or bytes (a Buffer or any Uint8Array).
pub type KeyInput<'a> = Either<String, Uint8ArraySlice<'a>>;

fn key_bytes<'k>(key: &'k KeyInput<'_>) -> &'k [u8] {
    match key {
        Either::A(s) => s.as_bytes(),
        Either::B(b) => b,
    }
}

/// A serde value as JSON for JS. Serialising the core's own types cannot fail;
/// if it ever did, that is a bug (INTERNAL), not a silent `null`.
pub fn to_value<T: serde::Serialize>(v: &T) -> Result<Value, Error> {
    serde_json::to_value(v).map_err(|e| Error::with_code(ErrorCode::Internal, format!("serialising a result: {e}")))
}

/// Sign options through `SignOptions::from_json`; no object at all is the
/// defaults without building any JSON (the hot path of `sign(uri)`).
fn sign_options(options: Option<Unknown<'_>>) -> Result<SignOptions, Error> {
    match options {
        None => Ok(SignOptions::new()),
        Some(o) => SignOptions::from_json(&js::options(Some(o), "sign options")?, KeyStyle::Camel),
    }
}

/// Verify options through `VerifyOptions::from_json`.
fn verify_options(options: Option<Unknown<'_>>) -> Result<VerifyOptions, Error> {
    match options {
        None => Ok(VerifyOptions::new()),
        Some(o) => VerifyOptions::from_json(&js::options(Some(o), "verify options")?, KeyStyle::Camel),
    }
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
    /// Loads a private key (PEM, DER, env-mangled PEM, base64 of a PEM): `Signer::from_pem`.
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "keyId: string, privateKey: string | Uint8Array"
    )]
    pub fn new(key_id: String, private_key: KeyInput<'_>) -> napi::Result<Self, Code> {
        guard(|| {
            Ok(NativeSigner {
                inner: Signer::from_pem(&key_id, key_bytes(&private_key))?,
            })
        })
    }

    /// `Signer::from_file`.
    #[napi(factory, catch_unwind)]
    pub fn from_file(key_id: String, path: String) -> napi::Result<Self, Code> {
        guard(|| {
            Ok(NativeSigner {
                inner: Signer::from_file(&key_id, &path)?,
            })
        })
    }

    /// `Signer::from_env`: `QENCODE_SIGNING_KEY`, and `QENCODE_SIGNING_KEY_ID`
    /// when no key id is given.
    #[napi(factory, catch_unwind)]
    pub fn from_env(key_id: Option<String>) -> napi::Result<Self, Code> {
        guard(|| {
            Ok(NativeSigner {
                inner: Signer::from_env(key_id.as_deref())?,
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

    /// `Signer::audit`: what a token grants that may be more than meant, at this signer's clock.
    #[napi(catch_unwind, ts_return_type = "import('./lib/index').AuditWarning[]")]
    pub fn audit(&self, token: String) -> napi::Result<Json, Code> {
        guard(|| Ok(Json(to_value(&self.inner.audit(&token)?)?)))
    }

    /// The public JWK (with `kid`, `alg`, `use`).
    #[napi(catch_unwind, ts_return_type = "import('./lib/index').Jwk")]
    pub fn public_key_jwk(&self) -> napi::Result<Json, Code> {
        guard(|| {
            serde_json::from_str(&self.inner.public_key_jwk())
                .map(Json)
                .map_err(|e| Error::with_code(ErrorCode::Internal, format!("the public JWK: {e}")))
        })
    }

    #[napi(
        catch_unwind,
        ts_args_type = "uri: string, options?: import('./lib/index').SignOptions | null"
    )]
    pub fn sign(&self, uri: String, options: Option<Unknown<'_>>) -> napi::Result<String, Code> {
        guard(|| self.inner.sign(&uri, &sign_options(options)?))
    }

    /// Signs on the libuv pool (the options are read here, on the JS thread).
    #[napi(
        catch_unwind,
        ts_args_type = "uri: string, options?: import('./lib/index').SignOptions | null",
        ts_return_type = "Promise<string>"
    )]
    pub fn sign_async(&self, uri: String, options: Option<Unknown<'_>>) -> AsyncTask<SignTask> {
        AsyncTask::new(SignTask {
            signer: self.inner.clone(),
            uri,
            opts: sign_options(options),
        })
    }

    #[napi(
        catch_unwind,
        ts_args_type = "playbackId: string, options?: import('./lib/index').SignOptions | null"
    )]
    pub fn signed_live_url(&self, playback_id: String, options: Option<Unknown<'_>>) -> napi::Result<String, Code> {
        guard(|| self.inner.signed_live_url(&playback_id, &sign_options(options)?))
    }

    #[napi(
        catch_unwind,
        ts_args_type = "domain: string, playbackId: string, options?: import('./lib/index').SignOptions | null"
    )]
    pub fn signed_live_custom_domain_url(
        &self,
        domain: String,
        playback_id: String,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<String, Code> {
        guard(|| {
            self.inner
                .signed_live_custom_domain_url(&domain, &playback_id, &sign_options(options)?)
        })
    }

    #[napi(
        catch_unwind,
        ts_args_type = "bucket: string, region: string, key: string, options?: import('./lib/index').SignOptions | null"
    )]
    pub fn signed_storage_url(
        &self,
        bucket: String,
        region: String,
        key: String,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<String, Code> {
        guard(|| {
            self.inner
                .signed_storage_url(&bucket, &region, &key, &sign_options(options)?)
        })
    }

    #[napi(
        catch_unwind,
        ts_args_type = "domain: string, key: string, options?: import('./lib/index').SignOptions | null"
    )]
    pub fn signed_storage_custom_domain_url(
        &self,
        domain: String,
        key: String,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<String, Code> {
        guard(|| {
            self.inner
                .signed_storage_custom_domain_url(&domain, &key, &sign_options(options)?)
        })
    }

    #[napi(
        catch_unwind,
        ts_args_type = "url: string, uri: string, options?: import('./lib/index').SignOptions | null"
    )]
    pub fn sign_url(&self, url: String, uri: String, options: Option<Unknown<'_>>) -> napi::Result<String, Code> {
        guard(|| self.inner.sign_url(&url, &uri, &sign_options(options)?))
    }

    /// The cookie as the core's JSON document plus its `Set-Cookie` value
    /// under `header`; one options object split by `split_cookie_options`.
    #[napi(
        catch_unwind,
        ts_args_type = "uri: string, options?: import('./lib/index').SignedCookieOptions | null",
        ts_return_type = "import('./lib/index').SignedCookie"
    )]
    pub fn signed_cookie(&self, uri: String, options: Option<Unknown<'_>>) -> napi::Result<Json, Code> {
        guard(|| {
            let v = js::options(options, "cookie options")?;
            let (sign, cookie) = split_cookie_options(&v, KeyStyle::Camel)?;
            let c = self.inner.signed_cookie(&uri, &sign, &cookie)?;
            let mut v = to_value(&c)?;
            if let Value::Object(map) = &mut v {
                map.insert("header".into(), Value::String(c.header_value()));
            }
            Ok(Json(v))
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
    /// `Verifier::from_public_key`: SPKI/PKCS#1 PEM or DER, base64, a JWK
    /// (whose `kid` is then expected) or a private key; `{ keyId }` names the
    /// expected key id (`Verifier::with_key_id`).
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "publicKey: string | Uint8Array, options?: { keyId?: string | null } | null"
    )]
    pub fn new(public_key: KeyInput<'_>, options: Option<Unknown<'_>>) -> napi::Result<Self, Code> {
        guard(|| {
            let key_id = js::string_option(options, "verifier option", "keyId")?;
            let mut v = Verifier::from_public_key(key_bytes(&public_key))?;
            if let Some(kid) = key_id {
                v = v.with_key_id(kid);
            }
            Ok(NativeVerifier { inner: v })
        })
    }

    /// `Verifier::from_jwk`: the JWK as JSON text, or an object written as JSON.
    #[napi(factory, catch_unwind, ts_args_type = "jwk: string | import('./lib/index').Jwk")]
    pub fn from_jwk(jwk: Unknown<'_>) -> napi::Result<Self, Code> {
        guard(|| {
            let text = match js::value(jwk, "jwk")? {
                Value::String(s) => s,
                v @ Value::Object(_) => v.to_string(),
                _ => {
                    return Err(Error::with_code(
                        ErrorCode::InvalidArgument,
                        "a JWK is JSON text or an object",
                    ));
                }
            };
            Ok(NativeVerifier {
                inner: Verifier::from_jwk(&text)?,
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

    /// `Verifier::audit`: what a token grants that may be more than meant, at this verifier's clock.
    #[napi(catch_unwind, ts_return_type = "import('./lib/index').AuditWarning[]")]
    pub fn audit(&self, token: String) -> napi::Result<Json, Code> {
        guard(|| Ok(Json(to_value(&self.inner.audit(&token)?)?)))
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
    #[napi(
        catch_unwind,
        ts_args_type = "token: string, options?: import('./lib/index').VerifyOptions | null",
        ts_return_type = "import('./lib/index').VerifiedToken"
    )]
    pub fn verify(&self, token: String, options: Option<Unknown<'_>>) -> napi::Result<Json, Code> {
        guard(|| Ok(Json(to_value(&self.inner.verify(&token, &verify_options(options)?)?)?)))
    }

    /// Why the edge would accept or refuse a signed URL: `Verifier::explain_with`.
    #[napi(
        catch_unwind,
        ts_args_type = "url: string, options?: import('./lib/index').ExplainOptions | null",
        ts_return_type = "import('./lib/index').Explanation"
    )]
    pub fn explain(&self, url: String, options: Option<Unknown<'_>>) -> napi::Result<Json, Code> {
        guard(|| {
            Ok(Json(to_value(
                &self.inner.explain_with(&url, &verify_options(options)?),
            )?))
        })
    }

    /// Every check of `verify` on a bare token: `Verifier::explain_token`.
    #[napi(
        catch_unwind,
        ts_args_type = "token: string, options?: import('./lib/index').VerifyOptions | null",
        ts_return_type = "import('./lib/index').Explanation"
    )]
    pub fn explain_token(&self, token: String, options: Option<Unknown<'_>>) -> napi::Result<Json, Code> {
        guard(|| {
            Ok(Json(to_value(
                &self.inner.explain_token(&token, &verify_options(options)?),
            )?))
        })
    }
}
