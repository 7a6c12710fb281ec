//! `Signer` and `SignedCookie`.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;
use qencode_cdn::{CacheSettings, Error, ErrorCode, KeyStyle, SignOptions, options::split_cookie_options};
use zeroize::Zeroizing;

use crate::audit::{AuditWarning, warnings};
use crate::batch::{SignResult, item};
use crate::convert::{
    Arg, count_arg, duration_arg, key_bytes, options, py_opt_str, py_str, to_py, type_error, value_error,
};
use crate::errors::{detached, map, run, run_holding_gil, to_pyerr};
use crate::external::{DEFAULT_SIGNER_TIMEOUT, PreparedToken, PyExternal};

/// The sign options of a call, from the keyword arguments that were given:
/// one JSON object read by `SignOptions::from_json`, which decides every rule
/// (defaults, `None`, wrong types, contradictions).
macro_rules! sign_options {
    ($py:expr, $expires_in:ident, $expires_at:ident, $not_before:ident, $claims:ident, $never_expires:ident, $now:ident) => {{
        let value = options(&[
            ("expires_in", &$expires_in),
            ("expires_at", &$expires_at),
            ("not_before", &$not_before),
            ("claims", &$claims),
            ("never_expires", &$never_expires),
            ("now", &$now),
        ])?;
        map($py, SignOptions::from_json(&value, KeyStyle::Snake))?
    }};
}

/// A signing key loaded once, used for many RS256 tokens.
///
/// `Signer(key_id, private_key)` accepts PKCS#1 or PKCS#8 PEM (str or bytes),
/// DER bytes, a PEM whose newlines were mangled by an environment variable,
/// or base64 of a PEM. The key is never shown by `repr` or in errors.
/// `Signer.external` and `Signer.from_pkcs11` sign with a key held outside
/// this process; `signer.cached(window)` is a signer with a token cache.
#[pyclass(module = "qencode_cdn", frozen)]
pub(crate) struct Signer {
    pub(crate) inner: qencode_cdn::Signer,
    /// The Python `sign` callable of `Signer.external`, for the causes of its errors.
    external: Option<Arc<PyExternal>>,
}

impl Signer {
    fn local(inner: qencode_cdn::Signer) -> Self {
        Signer { inner, external: None }
    }

    /// Runs signing work with the GIL released; errors are mapped, and a
    /// SIGNER_FAILED raised by the `sign` callable gets its exception as
    /// `__cause__`.
    fn run_sign<T: Send>(&self, py: Python<'_>, f: impl FnOnce() -> qencode_cdn::Result<T> + Send) -> PyResult<T> {
        detached(py, f).map_err(|e| self.error(py, e))
    }

    fn error(&self, py: Python<'_>, e: Error) -> PyErr {
        let cause = match (&self.external, e.code()) {
            (Some(x), ErrorCode::SignerFailed) => x.claim(py, &e.message()),
            _ => None,
        };
        let err = to_pyerr(py, e);
        if let Some(cause) = cause {
            err.set_cause(py, Some(cause));
        }
        err
    }
}

#[pymethods]
impl Signer {
    #[new]
    fn new(py: Python<'_>, key_id: String, private_key: &Bound<'_, PyAny>) -> PyResult<Self> {
        let key = key_bytes(private_key, "private_key")?;
        let inner = run(py, move || qencode_cdn::Signer::from_pem(&key_id, &*key))?;
        Ok(Signer::local(inner))
    }

    /// Loads the private key from a file (any form the constructor accepts).
    /// A file that cannot be read is an `InvalidArgumentError` naming the path.
    #[staticmethod]
    fn from_file(py: Python<'_>, key_id: String, path: PathBuf) -> PyResult<Self> {
        let inner = run(py, move || qencode_cdn::Signer::from_file(&key_id, &path))?;
        Ok(Signer::local(inner))
    }

    /// Loads the private key from `QENCODE_SIGNING_KEY` and, when `key_id` is
    /// not given, the key id from `QENCODE_SIGNING_KEY_ID`. Values are
    /// trimmed; a variable that is unset or blank is an `InvalidArgumentError`
    /// naming it (never showing a value). Newlines folded to spaces or written
    /// as `\n` are fine, so is base64 of the PEM.
    #[staticmethod]
    #[pyo3(signature = (key_id = None))]
    fn from_env(py: Python<'_>, key_id: Option<String>) -> PyResult<Self> {
        // The GIL is held: no Python thread changes os.environ while the core reads it.
        let inner = run_holding_gil(py, || qencode_cdn::Signer::from_env(key_id.as_deref()))?;
        Ok(Signer::local(inner))
    }

    /// A signer whose private key never enters this process (a KMS, an HSM,
    /// Vault, a signing service): `public_key` is its public half (any form
    /// `Verifier` reads: PEM, DER such as KMS `GetPublicKey` returns, a JWK)
    /// and `sign(signing_input: bytes) -> bytes` returns the raw RS256
    /// (RSASSA-PKCS1-v1_5 SHA-256) signature of the bytes it is given.
    ///
    /// Every signature is checked with `public_key` before a token is
    /// returned. `sign` runs on a helper thread of the core, holding the GIL
    /// only while it runs, and is waited for at most `timeout` (seconds or a
    /// `timedelta`, default 30; a deadline is always on, `None` is an
    /// error): a late answer is `QencodeTimeoutError`. An exception in
    /// `sign`, a result that is not bytes, of the wrong length or that does
    /// not verify is `SignerFailedError` (the exception is its `__cause__`);
    /// no token is made. It may be called from many threads at once.
    /// `name` names the signer in errors (default: the callable's name).
    #[staticmethod]
    #[pyo3(signature = (key_id, public_key, sign, *, timeout = Arg::Missing, name = None))]
    fn external(
        py: Python<'_>,
        key_id: String,
        public_key: &Bound<'_, PyAny>,
        sign: &Bound<'_, PyAny>,
        timeout: Arg<'_>,
        name: Option<String>,
    ) -> PyResult<Self> {
        let key = key_bytes(public_key, "public_key")?;
        let timeout = match timeout {
            Arg::Missing => DEFAULT_SIGNER_TIMEOUT,
            Arg::Given(t) if t.is_none() => {
                return Err(type_error(
                    py,
                    "timeout=None: an external signer always has a deadline; give seconds or a timedelta",
                ));
            }
            Arg::Given(t) => duration_arg(&t, "timeout")?,
        };
        let external = Arc::new(PyExternal::new(sign, name)?);
        let callable = SharedExternal(external.clone());
        let inner = run(py, move || {
            qencode_cdn::Signer::external_with_timeout(&key_id, &*key, callable, timeout)
        })?;
        Ok(Signer {
            inner,
            external: Some(external),
        })
    }

    /// A signer whose RSA key stays on a PKCS#11 token (an HSM; SoftHSM2 in
    /// tests): loads `module` (e.g. `/usr/lib/softhsm/libsofthsm2.so`), logs
    /// in to the token labelled `token_label` with `pin` and signs with the
    /// private key labelled `key_label`; `key_id` is the tokens' `kid`. A
    /// module, token or key that cannot be found, a wrong PIN or a key that
    /// is not RSA is `InvalidKeyError`; a token that fails later makes
    /// signing raise `SignerFailedError`. The PIN never appears in an error.
    #[staticmethod]
    fn from_pkcs11(
        py: Python<'_>,
        module: PathBuf,
        token_label: String,
        key_label: String,
        pin: &Bound<'_, PyAny>,
        key_id: String,
    ) -> PyResult<Self> {
        let pin = pin_text(pin)?;
        let inner = run(py, move || {
            qencode_cdn::Signer::from_pkcs11(&module, &token_label, &key_label, &pin, &key_id)
        })?;
        Ok(Signer::local(inner))
    }

    /// This signer with a token cache: requests for the same `uri`, claims
    /// and lifetime inside one `window` (whole seconds or a `timedelta`, 1 s
    /// to 1 day) share one token whose `exp` is rounded up to the window —
    /// valid at least the asked lifetime and at most one window longer.
    /// `capacity` bounds the tokens kept (default 100,000; least recently
    /// used go first). Tokens that never expire are never cached, nor calls
    /// with `now=` unless `cache_pinned_clock=True` (for tests). Every
    /// signing method of the returned signer goes through the cache; this
    /// signer is unchanged.
    #[pyo3(signature = (window, *, capacity = None, cache_pinned_clock = false))]
    fn cached(
        &self,
        py: Python<'_>,
        window: &Bound<'_, PyAny>,
        capacity: Option<&Bound<'_, PyAny>>,
        cache_pinned_clock: bool,
    ) -> PyResult<Self> {
        let mut settings = CacheSettings::new(duration_arg(window, "window")?);
        if let Some(c) = capacity {
            settings.capacity = count_arg(c, "capacity")?;
        }
        settings.cache_pinned_clock = cache_pinned_clock;
        let inner = map(py, self.inner.cached_with(settings))?;
        Ok(Signer {
            inner,
            external: self.external.clone(),
        })
    }

    /// How many tokens the cache holds now (0 for a signer without one).
    #[getter]
    fn cached_tokens(&self) -> usize {
        self.inner.cached_tokens()
    }

    /// The cache window in seconds, or `None` for a signer without a cache.
    #[getter]
    fn cache_window(&self) -> Option<u64> {
        self.inner.cache_settings().map(|s| s.window.as_secs())
    }

    /// True when the private key is outside this process (`Signer.external`,
    /// `Signer.from_pkcs11`).
    #[getter]
    fn is_external(&self) -> bool {
        self.inner.is_external()
    }

    /// Signs every item on all cores (or `threads` threads) with the GIL
    /// released for the whole batch. An item is a `uri`, or `(uri, options)`
    /// with `options` a dict of the keyword options of `sign`. Returns one
    /// `SignResult` per item, in order: `.ok`, `.token` (raises the item's
    /// error if it failed) and `.error`. One bad item does not fail the
    /// batch. Each token is exactly what `sign` gives (a cached signer
    /// answers from its cache).
    #[pyo3(signature = (items, *, threads = None))]
    fn sign_many(
        &self,
        py: Python<'_>,
        items: &Bound<'_, PyAny>,
        threads: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<SignResult>> {
        let threads = match threads {
            None => None,
            Some(t) => match count_arg(t, "threads")? {
                0 => return Err(value_error(py, "threads must be at least 1 (None: every core)")),
                n => Some(n),
            },
        };
        let qencode_error = py.import("qencode_cdn._errors")?.getattr("QencodeError")?;
        // Items that could not be converted keep their error; the others are signed.
        let mut slots: Vec<Result<usize, PyErr>> = Vec::new();
        let mut good: Vec<(String, serde_json::Value)> = Vec::new();
        for (i, obj) in items.try_iter()?.enumerate() {
            match item(&obj?, i) {
                Ok(it) => {
                    slots.push(Ok(good.len()));
                    good.push(it);
                }
                Err(e) if e.is_instance(py, &qencode_error) => slots.push(Err(e)),
                Err(e) => return Err(e),
            }
        }
        let signer = &self.inner;
        let signed = detached(py, || Ok(signer.sign_many_json(&good, KeyStyle::Snake, threads)))
            .unwrap_or_else(|e| good.iter().map(|_| Err(e.clone())).collect());
        let mut signed: Vec<Option<qencode_cdn::Result<String>>> = signed.into_iter().map(Some).collect();
        let results = slots
            .into_iter()
            .map(|slot| match slot {
                Err(e) => SignResult::failed(py, e),
                Ok(k) => match signed.get_mut(k).and_then(Option::take) {
                    Some(Ok(token)) => SignResult::signed(py, &token),
                    Some(Err(e)) => SignResult::failed(py, self.error(py, e)),
                    None => SignResult::failed(py, crate::errors::internal(py, "a batch result is missing")),
                },
            })
            .collect();
        Ok(results)
    }

    /// The first half of a signature made elsewhere and awaited (an async
    /// KMS client): the token's `signing_input` for the options of `sign`.
    /// Sign it with RS256, then `PreparedToken.finish(signature)` checks the
    /// signature with this signer's public key and returns the token.
    #[pyo3(
        text_signature = "(self, uri, *, expires_in=..., expires_at=..., not_before=..., claims=..., never_expires=..., now=...)"
    )]
    #[pyo3(signature = (uri, *, expires_in = Arg::Missing, expires_at = Arg::Missing, not_before = Arg::Missing,
                        claims = Arg::Missing, never_expires = Arg::Missing, now = Arg::Missing))]
    #[allow(clippy::too_many_arguments)]
    fn prepare(
        &self,
        py: Python<'_>,
        uri: String,
        expires_in: Arg<'_>,
        expires_at: Arg<'_>,
        not_before: Arg<'_>,
        claims: Arg<'_>,
        never_expires: Arg<'_>,
        now: Arg<'_>,
    ) -> PyResult<PreparedToken> {
        let opts = sign_options!(py, expires_in, expires_at, not_before, claims, never_expires, now);
        let inner = map(py, self.inner.prepare(&uri, &opts))?;
        Ok(PreparedToken {
            inner,
            key_id: self.inner.key_id().to_string(),
        })
    }

    /// The signing key id (the token's `kid` header).
    #[getter]
    fn key_id(&self) -> &str {
        self.inner.key_id()
    }

    /// The RSA modulus size in bits.
    #[getter]
    fn key_bits(&self) -> usize {
        self.inner.key_bits()
    }

    /// The public key as SubjectPublicKeyInfo PEM.
    fn public_key_pem(&self, py: Python<'_>) -> PyResult<String> {
        map(py, self.inner.public_key_pem())
    }

    /// The public key as a JWK JSON string (with `kid`, `alg`, `use`).
    fn public_key_jwk(&self) -> String {
        self.inner.public_key_jwk()
    }

    /// Signs a token for `uri`: a playback id, an object key or key prefix
    /// (no leading `/`), or `""` for a whole bucket.
    ///
    /// Options, all keyword-only and all optional: `expires_in` (seconds or
    /// a `timedelta`, default one hour), `expires_at` (Unix seconds or an
    /// aware `datetime`; wins over `expires_in`), `not_before` (absolute),
    /// `claims` (a dict of custom claims), `never_expires=True` (by name
    /// only), `now` (the signing time, for tests). `expires_in=None` or
    /// `expires_at=None` is an `InvalidArgumentTypeError`, never "forever";
    /// `not_before=None` and `claims=None` mean not given.
    #[pyo3(
        text_signature = "(self, uri, *, expires_in=..., expires_at=..., not_before=..., claims=..., never_expires=..., now=...)"
    )]
    #[pyo3(signature = (uri, *, expires_in = Arg::Missing, expires_at = Arg::Missing, not_before = Arg::Missing,
                        claims = Arg::Missing, never_expires = Arg::Missing, now = Arg::Missing))]
    #[allow(clippy::too_many_arguments)]
    fn sign(
        &self,
        py: Python<'_>,
        uri: String,
        expires_in: Arg<'_>,
        expires_at: Arg<'_>,
        not_before: Arg<'_>,
        claims: Arg<'_>,
        never_expires: Arg<'_>,
        now: Arg<'_>,
    ) -> PyResult<String> {
        let opts = sign_options!(py, expires_in, expires_at, not_before, claims, never_expires, now);
        let signer = &self.inner;
        self.run_sign(py, || signer.sign(&uri, &opts))
    }

    /// A signed live playback URL on the default host (`uri` = playback id);
    /// the options of `sign`.
    #[pyo3(
        text_signature = "(self, playback_id, *, expires_in=..., expires_at=..., not_before=..., claims=..., never_expires=..., now=...)"
    )]
    #[pyo3(signature = (playback_id, *, expires_in = Arg::Missing, expires_at = Arg::Missing, not_before = Arg::Missing,
                        claims = Arg::Missing, never_expires = Arg::Missing, now = Arg::Missing))]
    #[allow(clippy::too_many_arguments)]
    fn signed_live_url(
        &self,
        py: Python<'_>,
        playback_id: String,
        expires_in: Arg<'_>,
        expires_at: Arg<'_>,
        not_before: Arg<'_>,
        claims: Arg<'_>,
        never_expires: Arg<'_>,
        now: Arg<'_>,
    ) -> PyResult<String> {
        let opts = sign_options!(py, expires_in, expires_at, not_before, claims, never_expires, now);
        let signer = &self.inner;
        self.run_sign(py, || signer.signed_live_url(&playback_id, &opts))
    }

    /// A signed live playback URL on a custom domain (`uri` = playback id);
    /// the options of `sign`.
    #[pyo3(
        text_signature = "(self, domain, playback_id, *, expires_in=..., expires_at=..., not_before=..., claims=..., never_expires=..., now=...)"
    )]
    #[pyo3(signature = (domain, playback_id, *, expires_in = Arg::Missing, expires_at = Arg::Missing, not_before = Arg::Missing,
                        claims = Arg::Missing, never_expires = Arg::Missing, now = Arg::Missing))]
    #[allow(clippy::too_many_arguments)]
    fn signed_live_custom_domain_url(
        &self,
        py: Python<'_>,
        domain: String,
        playback_id: String,
        expires_in: Arg<'_>,
        expires_at: Arg<'_>,
        not_before: Arg<'_>,
        claims: Arg<'_>,
        never_expires: Arg<'_>,
        now: Arg<'_>,
    ) -> PyResult<String> {
        let opts = sign_options!(py, expires_in, expires_at, not_before, claims, never_expires, now);
        let signer = &self.inner;
        self.run_sign(py, || {
            signer.signed_live_custom_domain_url(&domain, &playback_id, &opts)
        })
    }

    /// A signed media storage URL on the default host (`uri` = the key);
    /// the options of `sign`.
    #[pyo3(
        text_signature = "(self, bucket, region, key, *, expires_in=..., expires_at=..., not_before=..., claims=..., never_expires=..., now=...)"
    )]
    #[pyo3(signature = (bucket, region, key, *, expires_in = Arg::Missing, expires_at = Arg::Missing, not_before = Arg::Missing,
                        claims = Arg::Missing, never_expires = Arg::Missing, now = Arg::Missing))]
    #[allow(clippy::too_many_arguments)]
    fn signed_storage_url(
        &self,
        py: Python<'_>,
        bucket: String,
        region: String,
        key: String,
        expires_in: Arg<'_>,
        expires_at: Arg<'_>,
        not_before: Arg<'_>,
        claims: Arg<'_>,
        never_expires: Arg<'_>,
        now: Arg<'_>,
    ) -> PyResult<String> {
        let opts = sign_options!(py, expires_in, expires_at, not_before, claims, never_expires, now);
        let signer = &self.inner;
        self.run_sign(py, || signer.signed_storage_url(&bucket, &region, &key, &opts))
    }

    /// A signed media storage URL on a custom domain (`uri` = the key); the
    /// options of `sign`.
    #[pyo3(
        text_signature = "(self, domain, key, *, expires_in=..., expires_at=..., not_before=..., claims=..., never_expires=..., now=...)"
    )]
    #[pyo3(signature = (domain, key, *, expires_in = Arg::Missing, expires_at = Arg::Missing, not_before = Arg::Missing,
                        claims = Arg::Missing, never_expires = Arg::Missing, now = Arg::Missing))]
    #[allow(clippy::too_many_arguments)]
    fn signed_storage_custom_domain_url(
        &self,
        py: Python<'_>,
        domain: String,
        key: String,
        expires_in: Arg<'_>,
        expires_at: Arg<'_>,
        not_before: Arg<'_>,
        claims: Arg<'_>,
        never_expires: Arg<'_>,
        now: Arg<'_>,
    ) -> PyResult<String> {
        let opts = sign_options!(py, expires_in, expires_at, not_before, claims, never_expires, now);
        let signer = &self.inner;
        self.run_sign(py, || signer.signed_storage_custom_domain_url(&domain, &key, &opts))
    }

    /// Signs `uri` and adds the token to any URL as the `auth` query
    /// parameter; the options of `sign`.
    #[pyo3(
        text_signature = "(self, url, uri, *, expires_in=..., expires_at=..., not_before=..., claims=..., never_expires=..., now=...)"
    )]
    #[pyo3(signature = (url, uri, *, expires_in = Arg::Missing, expires_at = Arg::Missing, not_before = Arg::Missing,
                        claims = Arg::Missing, never_expires = Arg::Missing, now = Arg::Missing))]
    #[allow(clippy::too_many_arguments)]
    fn sign_url(
        &self,
        py: Python<'_>,
        url: String,
        uri: String,
        expires_in: Arg<'_>,
        expires_at: Arg<'_>,
        not_before: Arg<'_>,
        claims: Arg<'_>,
        never_expires: Arg<'_>,
        now: Arg<'_>,
    ) -> PyResult<String> {
        let opts = sign_options!(py, expires_in, expires_at, not_before, claims, never_expires, now);
        let signer = &self.inner;
        self.run_sign(py, || signer.sign_url(&url, &uri, &opts))
    }

    /// A `Qencode-Auth-Token` cookie for `uri`: for HLS/DASH the folder
    /// holding the master playlist, ending in `/` (e.g. `"videos/a/"`); a
    /// single file is refused unless `path=` names it. `Max-Age` follows the
    /// token's expiry; `Path` is the folder the token covers. Cookie options
    /// `domain`, `path`, `same_site` (`"Lax"` by default, `"Strict"`,
    /// `"None"`), `secure` and `http_only` (both `True` by default), and the
    /// options of `sign`.
    #[pyo3(
        text_signature = "(self, uri, *, domain=..., path=..., same_site=..., secure=..., http_only=..., expires_in=..., expires_at=..., not_before=..., claims=..., never_expires=..., now=...)"
    )]
    #[pyo3(signature = (uri, *, domain = Arg::Missing, path = Arg::Missing, same_site = Arg::Missing,
                        secure = Arg::Missing, http_only = Arg::Missing, expires_in = Arg::Missing,
                        expires_at = Arg::Missing, not_before = Arg::Missing, claims = Arg::Missing,
                        never_expires = Arg::Missing, now = Arg::Missing))]
    #[allow(clippy::too_many_arguments)]
    fn signed_cookie(
        &self,
        py: Python<'_>,
        uri: String,
        domain: Arg<'_>,
        path: Arg<'_>,
        same_site: Arg<'_>,
        secure: Arg<'_>,
        http_only: Arg<'_>,
        expires_in: Arg<'_>,
        expires_at: Arg<'_>,
        not_before: Arg<'_>,
        claims: Arg<'_>,
        never_expires: Arg<'_>,
        now: Arg<'_>,
    ) -> PyResult<SignedCookie> {
        let value = options(&[
            ("domain", &domain),
            ("path", &path),
            ("same_site", &same_site),
            ("secure", &secure),
            ("http_only", &http_only),
            ("expires_in", &expires_in),
            ("expires_at", &expires_at),
            ("not_before", &not_before),
            ("claims", &claims),
            ("never_expires", &never_expires),
            ("now", &now),
        ])?;
        let (opts, cookie_opts) = map(py, split_cookie_options(&value, KeyStyle::Snake))?;
        let signer = &self.inner;
        let inner = self.run_sign(py, || signer.signed_cookie(&uri, &opts, &cookie_opts))?;
        Ok(SignedCookie { inner })
    }

    /// `audit(token)` at the system clock: what the token grants that may be
    /// more than meant (the signature is not checked).
    fn audit(&self, py: Python<'_>, token: &str) -> PyResult<Vec<AuditWarning>> {
        Ok(warnings(&map(py, self.inner.audit(token))?))
    }

    fn __repr__(&self) -> String {
        let key = if self.inner.is_external() {
            "external=True"
        } else {
            "private_key='<redacted>'"
        };
        let cache = self
            .inner
            .cache_settings()
            .map_or(String::new(), |c| format!(", cache_window={}", c.window.as_secs()));
        format!(
            "Signer(key_id={}, key_bits={}, {key}{cache})",
            py_str(self.inner.key_id()),
            self.inner.key_bits()
        )
    }
}

/// The `sign` callable as the core holds it; the binding keeps another
/// handle for the causes of its errors.
struct SharedExternal(Arc<PyExternal>);

impl qencode_cdn::ExternalSign for SharedExternal {
    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, qencode_cdn::ExternalSignError> {
        self.0.sign(signing_input)
    }

    fn name(&self) -> String {
        self.0.name()
    }
}

/// A PKCS#11 PIN: `str`, copied into memory that is wiped when dropped.
fn pin_text(obj: &Bound<'_, PyAny>) -> PyResult<Zeroizing<String>> {
    let py = obj.py();
    let s = obj.cast::<pyo3::types::PyString>().map_err(|_| {
        type_error(
            py,
            format!("pin must be a str, got `{}`", crate::convert::type_name(obj)),
        )
    })?;
    Ok(Zeroizing::new(s.to_cow()?.into_owned()))
}

/// A signed `Qencode-Auth-Token` cookie; `str(cookie)` is the value of a
/// `Set-Cookie` header.
#[pyclass(module = "qencode_cdn", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct SignedCookie {
    inner: qencode_cdn::SignedCookie,
}

#[pymethods]
impl SignedCookie {
    /// Always `"Qencode-Auth-Token"`.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    /// The token.
    #[getter]
    fn value(&self) -> &str {
        &self.inner.value
    }
    /// `Domain`, when set.
    #[getter]
    fn domain(&self) -> Option<&str> {
        self.inner.domain.as_deref()
    }
    /// `Path`: the folder the token covers.
    #[getter]
    fn path(&self) -> &str {
        &self.inner.path
    }
    /// `Max-Age` in seconds (`None` for a token that never expires).
    #[getter]
    fn max_age(&self) -> Option<i64> {
        self.inner.max_age
    }
    /// `Secure`.
    #[getter]
    fn secure(&self) -> bool {
        self.inner.secure
    }
    /// `HttpOnly`.
    #[getter]
    fn http_only(&self) -> bool {
        self.inner.http_only
    }
    /// `SameSite`: `"Lax"`, `"Strict"` or `"None"`.
    #[getter]
    fn same_site(&self) -> &'static str {
        self.inner.same_site.as_str()
    }
    /// The value of a `Set-Cookie` header.
    fn header_value(&self) -> String {
        self.inner.header_value()
    }
    /// Every attribute as a dict (the core's field names).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner)
    }
    fn __str__(&self) -> String {
        self.inner.header_value()
    }
    fn __repr__(&self) -> String {
        // The token is a bearer credential: not shown.
        format!(
            "SignedCookie(name={}, value='<redacted>', domain={}, path={}, max_age={}, secure={}, http_only={}, same_site={})",
            py_str(&self.inner.name),
            py_opt_str(self.inner.domain.as_deref()),
            py_str(&self.inner.path),
            self.inner.max_age.map_or("None".to_string(), |m| m.to_string()),
            py_bool(self.inner.secure),
            py_bool(self.inner.http_only),
            py_str(self.inner.same_site.as_str()),
        )
    }
}

pub(crate) fn py_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// Signs `iterations` tokens in a Rust loop (GIL released) and returns the
/// seconds taken: the core's own rate, measured in the same process and
/// build as the binding, for `bench/python`.
#[pyfunction]
pub(crate) fn _bench_core_sign(
    py: Python<'_>,
    signer: PyRef<'_, Signer>,
    uri: String,
    iterations: u64,
) -> PyResult<f64> {
    let s = signer.inner.clone();
    run(py, move || {
        let opts = SignOptions::new();
        let start = std::time::Instant::now();
        for _ in 0..iterations {
            std::hint::black_box(s.sign(std::hint::black_box(&uri), &opts)?);
        }
        Ok(start.elapsed().as_secs_f64())
    })
}
