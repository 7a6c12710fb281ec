//! `Signer` and `Verifier`: thin wrappers over the core's. Options objects
//! reach the core's own readers as JSON (camelCase keys): nothing here
//! decides what an option means.

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::{AsyncTask, Either, Null, Uint8Array, Uint8ArraySlice, Unknown};
use napi::{Env, JsValue, Task};
use napi_derive::napi;
use qencode_cdn::options::split_cookie_options;
use qencode_cdn::{CacheSettings, Error, ErrorCode, KeyStyle, SignOptions, Signer, Verifier, VerifyOptions};
use serde_json::Value;

use crate::batch::{self, NativeSignResult};
use crate::client::Json;
use crate::error::{Code, guard, guard_task, reject};
use crate::external::{self, JsFunction};
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

/// A signing key loaded once (`qencode_cdn::Signer`), or a signer whose key
/// is elsewhere: a JavaScript function (`external`) or a PKCS#11 token
/// (`fromPkcs11`).
#[napi]
pub struct NativeSigner {
    inner: Signer,
    /// The function of a JavaScript signer (shared with its cached copies).
    js: Option<Rc<JsFunction>>,
}

impl NativeSigner {
    fn local(inner: Signer) -> Self {
        NativeSigner { inner, js: None }
    }

    pub fn core(&self) -> &Signer {
        &self.inner
    }

    /// Runs a core call that may sign: for a JavaScript signer, with its
    /// function callable on this thread for the call ([`crate::external`]).
    pub fn run<T>(&self, env: &Env, f: impl FnOnce(&Signer) -> Result<T, Error>) -> napi::Result<T, Code> {
        guard(|| {
            let _entered = match &self.js {
                Some(js) => Some(js.enter(env)?),
                None => None,
            };
            f(&self.inner)
        })
    }

    /// The JavaScript signer's function, or INVALID_ARGUMENT for other signers.
    fn js_function(&self) -> Result<&JsFunction, Error> {
        self.js.as_deref().ok_or_else(|| {
            Error::with_code(
                ErrorCode::InvalidArgument,
                "this signer has no JavaScript signer function",
            )
        })
    }
}

/// `cached`'s settings as the JS object gives them (`{ window, capacity,
/// cachePinnedClock }`); the core checks the values (`CacheSettings`).
fn cache_settings(options: Option<Unknown<'_>>) -> Result<CacheSettings, Error> {
    let invalid = |m: String| Error::with_code(ErrorCode::InvalidArgument, m);
    let mut map = match js::options(options, "cache options")? {
        Value::Object(m) => m,
        _ => {
            return Err(invalid(
                "cached() takes an object { window, capacity?, cachePinnedClock? } (window in seconds)".into(),
            ));
        }
    };
    if let Some(k) = map
        .keys()
        .find(|k| !matches!(k.as_str(), "window" | "capacity" | "cachePinnedClock"))
    {
        return Err(invalid(format!(
            "unknown cache option `{}`; the options are window, capacity and cachePinnedClock",
            k.escape_debug()
        )));
    }
    let window = match map.remove("window") {
        Some(Value::Number(n)) => n
            .as_f64()
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .ok_or_else(|| {
                invalid(format!(
                    "the cache window must be whole seconds from 1 to 86400, got {n}"
                ))
            })?,
        None | Some(Value::Null) => {
            return Err(invalid(
                "cached() needs a window (whole seconds, e.g. { window: 300 })".into(),
            ));
        }
        Some(_) => return Err(invalid("the cache window must be a number of seconds".into())),
    };
    let mut settings = CacheSettings::new(window);
    match map.remove("capacity") {
        None | Some(Value::Null) => {}
        Some(Value::Number(n)) => {
            settings.capacity = n
                .as_u64()
                .and_then(|c| usize::try_from(c).ok())
                .ok_or_else(|| invalid(format!("the cache capacity must be a whole number of tokens, got {n}")))?;
        }
        Some(_) => return Err(invalid("the cache capacity must be a whole number of tokens".into())),
    }
    match map.remove("cachePinnedClock") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => settings.cache_pinned_clock = b,
        Some(_) => return Err(invalid("cachePinnedClock must be a boolean".into())),
    }
    Ok(settings)
}

/// A cached signer's settings, for JS.
#[napi(object)]
pub struct NativeCacheSettings {
    /// Seconds.
    pub window: f64,
    pub capacity: f64,
    pub cache_pinned_clock: bool,
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
        guard(|| Ok(NativeSigner::local(Signer::from_pem(&key_id, key_bytes(&private_key))?)))
    }

    /// `Signer::from_file`.
    #[napi(factory, catch_unwind)]
    pub fn from_file(key_id: String, path: String) -> napi::Result<Self, Code> {
        guard(|| Ok(NativeSigner::local(Signer::from_file(&key_id, &path)?)))
    }

    /// `Signer::from_env`: `QENCODE_SIGNING_KEY`, and `QENCODE_SIGNING_KEY_ID`
    /// when no key id is given.
    #[napi(factory, catch_unwind)]
    pub fn from_env(key_id: Option<String>) -> napi::Result<Self, Code> {
        guard(|| Ok(NativeSigner::local(Signer::from_env(key_id.as_deref())?)))
    }

    /// A signer whose private key stays outside this process: `sign` makes
    /// the RS256 signature of the signing input (`Signer::external_arc`; the
    /// core verifies it with `publicKey` before any token is returned).
    /// `{ timeout }` (seconds) bounds how long `signAsync` waits for a Promise.
    #[napi(
        factory,
        catch_unwind,
        ts_args_type = "keyId: string, publicKey: string | Uint8Array, sign: import('./lib/index').ExternalSignFunction, options?: import('./lib/index').ExternalSignerOptions | null"
    )]
    pub fn external(
        env: Env,
        key_id: String,
        public_key: KeyInput<'_>,
        sign: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Self, Code> {
        guard(|| {
            let timeout = match js::single_option(options, "external signer option", "timeout")? {
                None => None,
                Some(Value::Number(n)) => n.as_f64(),
                Some(_) => {
                    return Err(Error::with_code(
                        ErrorCode::InvalidArgument,
                        "the external signer's timeout must be a number of seconds",
                    ));
                }
            };
            let (js, core) = JsFunction::new(&env, sign, external::timeout_from_seconds(timeout)?)?;
            let inner = Signer::external_arc(&key_id, key_bytes(&public_key), Arc::new(core), None)?;
            Ok(NativeSigner {
                inner,
                js: Some(Rc::new(js)),
            })
        })
    }

    /// A signer whose key stays on a PKCS#11 token (an HSM; SoftHSM2 in
    /// tests): `Signer::from_pkcs11`. The PIN never appears in an error.
    #[napi(factory, catch_unwind)]
    pub fn from_pkcs11(
        module: String,
        token_label: String,
        key_label: String,
        pin: String,
        key_id: String,
    ) -> napi::Result<Self, Code> {
        let pin = zeroize::Zeroizing::new(pin);
        guard(|| {
            Ok(NativeSigner::local(Signer::from_pkcs11(
                &module,
                &token_label,
                &key_label,
                &pin,
                &key_id,
            )?))
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

    /// True when the private key is outside this process (a JavaScript
    /// signer function, a PKCS#11 token).
    #[napi(getter, catch_unwind)]
    pub fn is_external(&self) -> bool {
        self.inner.is_external()
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
    pub fn sign(&self, env: Env, uri: String, options: Option<Unknown<'_>>) -> napi::Result<String, Code> {
        self.run(&env, |s| s.sign(&uri, &sign_options(options)?))
    }

    /// Signs on the libuv pool (the options are read here, on the JS thread).
    /// A JavaScript signer cannot sign there (its function runs on the JS
    /// thread): the JS wrapper signs with it through `sign`/`finishExternal`.
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

    /// The second half of a JavaScript signer's `signAsync` whose function
    /// returned a Promise: the signature it resolved to, checked and
    /// assembled by the core (`Signer::finish`; SIGNER_FAILED when it is
    /// not this key's signature of `signingInput`).
    #[napi(catch_unwind, ts_args_type = "signingInput: string, signature: unknown")]
    pub fn finish_external(
        &self,
        env: Env,
        signing_input: String,
        signature: Unknown<'_>,
    ) -> napi::Result<String, Code> {
        guard(|| {
            let js = self.js_function()?;
            // SAFETY: a value of this call, on the JS thread.
            let bytes = unsafe { external::signature_bytes(env.raw(), signature.raw()) }
                .map_err(|why| external::not_a_signature(js.name(), &why))?;
            self.inner.finish(&signing_input, &bytes)
        })
    }

    /// The error of a JavaScript signer's `signAsync` that got no signature:
    /// its Promise rejected with `reason`, or (`timedOut`) did not settle in time.
    #[napi(catch_unwind, ts_args_type = "reason: unknown, timedOut: boolean")]
    pub fn external_failure(&self, env: Env, reason: Unknown<'_>, timed_out: bool) -> napi::Result<(), Code> {
        guard(|| {
            let js = self.js_function()?;
            Err(if timed_out {
                external::timed_out(js.name(), js.timeout())
            } else {
                // SAFETY: a value of this call, on the JS thread.
                unsafe { external::rejected(js.name(), env.raw(), reason.raw()) }
            })
        })
    }

    /// Seconds a JavaScript signer's `signAsync` waits for its Promise; `null` for other signers.
    #[napi(getter, catch_unwind)]
    pub fn external_timeout(&self) -> Option<f64> {
        self.js.as_deref().map(|js| js.timeout().as_secs_f64())
    }

    #[napi(
        catch_unwind,
        ts_args_type = "playbackId: string, options?: import('./lib/index').SignOptions | null"
    )]
    pub fn signed_live_url(
        &self,
        env: Env,
        playback_id: String,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<String, Code> {
        self.run(&env, |s| s.signed_live_url(&playback_id, &sign_options(options)?))
    }

    #[napi(
        catch_unwind,
        ts_args_type = "domain: string, playbackId: string, options?: import('./lib/index').SignOptions | null"
    )]
    pub fn signed_live_custom_domain_url(
        &self,
        env: Env,
        domain: String,
        playback_id: String,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<String, Code> {
        self.run(&env, |s| {
            s.signed_live_custom_domain_url(&domain, &playback_id, &sign_options(options)?)
        })
    }

    #[napi(
        catch_unwind,
        ts_args_type = "bucket: string, region: string, key: string, options?: import('./lib/index').SignOptions | null"
    )]
    pub fn signed_storage_url(
        &self,
        env: Env,
        bucket: String,
        region: String,
        key: String,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<String, Code> {
        self.run(&env, |s| {
            s.signed_storage_url(&bucket, &region, &key, &sign_options(options)?)
        })
    }

    #[napi(
        catch_unwind,
        ts_args_type = "domain: string, key: string, options?: import('./lib/index').SignOptions | null"
    )]
    pub fn signed_storage_custom_domain_url(
        &self,
        env: Env,
        domain: String,
        key: String,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<String, Code> {
        self.run(&env, |s| {
            s.signed_storage_custom_domain_url(&domain, &key, &sign_options(options)?)
        })
    }

    #[napi(
        catch_unwind,
        ts_args_type = "url: string, uri: string, options?: import('./lib/index').SignOptions | null"
    )]
    pub fn sign_url(
        &self,
        env: Env,
        url: String,
        uri: String,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<String, Code> {
        self.run(&env, |s| s.sign_url(&url, &uri, &sign_options(options)?))
    }

    /// The cookie as the core's JSON document plus its `Set-Cookie` value
    /// under `header`; one options object split by `split_cookie_options`.
    #[napi(
        catch_unwind,
        ts_args_type = "uri: string, options?: import('./lib/index').SignedCookieOptions | null",
        ts_return_type = "import('./lib/index').SignedCookie"
    )]
    pub fn signed_cookie(&self, env: Env, uri: String, options: Option<Unknown<'_>>) -> napi::Result<Json, Code> {
        self.run(&env, |s| {
            let v = js::options(options, "cookie options")?;
            let (sign, cookie) = split_cookie_options(&v, KeyStyle::Camel)?;
            let c = s.signed_cookie(&uri, &sign, &cookie)?;
            let mut v = to_value(&c)?;
            if let Value::Object(map) = &mut v {
                map.insert("header".into(), Value::String(c.header_value()));
            }
            Ok(Json(v))
        })
    }

    /// Signs every item on all cores (`Signer::sign_many_json`; `{ threads }`
    /// caps the threads), one result per item in order. A JavaScript signer
    /// signs on this thread, one item after another.
    #[napi(
        catch_unwind,
        ts_args_type = "items: import('./lib/index').SignManyItem[], options?: import('./lib/index').SignManyOptions | null"
    )]
    pub fn sign_many(
        &self,
        env: Env,
        items: napi::bindgen_prelude::Array<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Vec<NativeSignResult>, Code> {
        let batch = batch::Batch::read(&items, options);
        let js = self.js.is_some();
        self.run(&env, move |s| {
            let batch = batch?;
            Ok(batch.sign(s, if js { Some(1) } else { batch.threads }))
        })
    }

    /// One item of a JavaScript signer's `signMany` (`index` is its place in
    /// the batch): the wrapper signs item by item so that each error keeps
    /// what the function threw as its cause. Exactly the core's batch of one.
    #[napi(
        catch_unwind,
        ts_args_type = "item: import('./lib/index').SignManyItem, index: number, options?: import('./lib/index').SignManyOptions | null"
    )]
    pub fn sign_many_item(
        &self,
        env: Env,
        item: Unknown<'_>,
        index: u32,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<NativeSignResult, Code> {
        let read = batch::threads(options).and_then(|_| batch::item(index, Some(item)));
        self.run(&env, move |s| {
            Ok(NativeSignResult::of(read.and_then(|(uri, options)| {
                s.sign_many_json(&[(uri, options)], KeyStyle::Camel, Some(1))
                    .pop()
                    .unwrap_or_else(|| Err(Error::with_code(ErrorCode::Internal, "a batch result is missing")))
            })))
        })
    }

    /// `signMany` on the libuv pool (the items are read here, on the JS thread).
    #[napi(
        catch_unwind,
        ts_args_type = "items: import('./lib/index').SignManyItem[], options?: import('./lib/index').SignManyOptions | null",
        ts_return_type = "Promise<NativeSignResult[]>"
    )]
    pub fn sign_many_async(
        &self,
        items: napi::bindgen_prelude::Array<'_>,
        options: Option<Unknown<'_>>,
    ) -> AsyncTask<batch::SignManyTask> {
        AsyncTask::new(batch::SignManyTask::new(
            self.inner.clone(),
            batch::Batch::read(&items, options),
        ))
    }

    /// This signer with a token cache (`Signer::cached_with`): the same
    /// `uri`, claims and lifetime inside one window share one token.
    #[napi(catch_unwind, ts_args_type = "options: import('./lib/index').CacheOptions")]
    pub fn cached(&self, options: Option<Unknown<'_>>) -> napi::Result<NativeSigner, Code> {
        guard(|| {
            Ok(NativeSigner {
                inner: self.inner.cached_with(cache_settings(options)?)?,
                js: self.js.clone(),
            })
        })
    }

    /// How many tokens the cache holds (0 for a signer without one).
    #[napi(getter, catch_unwind)]
    pub fn cached_tokens(&self) -> u32 {
        u32::try_from(self.inner.cached_tokens()).unwrap_or(u32::MAX)
    }

    /// The cache's settings, or `null` for a signer without a cache.
    #[napi(getter, catch_unwind)]
    pub fn cache_settings(&self) -> Either<NativeCacheSettings, Null> {
        match self.inner.cache_settings() {
            Some(s) => Either::A(NativeCacheSettings {
                window: s.window.as_secs_f64(),
                capacity: s.capacity as f64,
                cache_pinned_clock: s.cache_pinned_clock,
            }),
            None => Either::B(Null),
        }
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

/// One key of `Verifier.fromKeys`.
#[napi(object)]
pub struct NativeKeyEntry {
    pub kid: String,
    /// Any public key form (PEM, DER, base64, a JWK).
    #[napi(ts_type = "string | Uint8Array")]
    pub key: Either<String, Uint8Array>,
}

/// Checks tokens against one public key or a key set (`qencode_cdn::Verifier`).
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

    /// `Verifier::from_jwks`: a key set from a JWK Set (`{"keys": [...]}`),
    /// as JSON text or an object written as JSON; each key chosen by `kid`.
    #[napi(factory, catch_unwind, ts_args_type = "jwks: string | import('./lib/index').JwkSet")]
    pub fn from_jwks(jwks: Unknown<'_>) -> napi::Result<Self, Code> {
        guard(|| {
            let text = match js::value(jwks, "jwks")? {
                Value::String(s) => s,
                v @ Value::Object(_) => v.to_string(),
                _ => {
                    return Err(Error::with_code(
                        ErrorCode::InvalidArgument,
                        "a JWK Set is JSON text or an object { keys: [...] }",
                    ));
                }
            };
            Ok(NativeVerifier {
                inner: Verifier::from_jwks(&text)?,
            })
        })
    }

    /// `Verifier::from_keys`: a key set from `{ kid, key }` entries (any
    /// public key form `new Verifier` reads).
    #[napi(factory, catch_unwind, ts_args_type = "keys: import('./lib/index').KeyEntry[]")]
    pub fn from_keys(keys: Vec<NativeKeyEntry>) -> napi::Result<Self, Code> {
        guard(|| {
            let pairs = keys.iter().map(|k| {
                let bytes: &[u8] = match &k.key {
                    Either::A(s) => s.as_bytes(),
                    Either::B(b) => b,
                };
                (k.kid.as_str(), bytes)
            });
            Ok(NativeVerifier {
                inner: Verifier::from_keys(pairs)?,
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

    /// The key ids this verifier knows: a key set's, or the one expected id.
    #[napi(getter, catch_unwind)]
    pub fn key_ids(&self) -> Vec<String> {
        self.inner.key_ids().into_iter().map(str::to_string).collect()
    }

    /// SPKI PEM of the one key; INVALID_ARGUMENT for a key set (see `jwks`).
    #[napi(catch_unwind)]
    pub fn public_key_pem(&self) -> napi::Result<String, Code> {
        guard(|| self.inner.public_key_pem())
    }

    /// The public keys as a JWK Set object (`Verifier::jwks`), for publishing.
    #[napi(catch_unwind, ts_return_type = "import('./lib/index').JwkSet")]
    pub fn jwks(&self) -> napi::Result<Json, Code> {
        guard(|| {
            serde_json::from_str(&self.inner.jwks())
                .map(Json)
                .map_err(|e| Error::with_code(ErrorCode::Internal, format!("the JWK Set: {e}")))
        })
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
