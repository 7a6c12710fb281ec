//! `Signer` and `SignedCookie`.

use std::path::PathBuf;

use pyo3::prelude::*;
use qencode_cdn::{KeyStyle, SignOptions, options::split_cookie_options};

use crate::audit::{AuditWarning, warnings};
use crate::convert::{Arg, key_bytes, options, py_opt_str, py_str, to_py};
use crate::errors::{map, run, run_holding_gil};

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
#[pyclass(module = "qencode_cdn", frozen)]
pub(crate) struct Signer {
    pub(crate) inner: qencode_cdn::Signer,
}

#[pymethods]
impl Signer {
    #[new]
    fn new(py: Python<'_>, key_id: String, private_key: &Bound<'_, PyAny>) -> PyResult<Self> {
        let key = key_bytes(private_key, "private_key")?;
        let inner = run(py, move || qencode_cdn::Signer::from_pem(&key_id, &*key))?;
        Ok(Signer { inner })
    }

    /// Loads the private key from a file (any form the constructor accepts).
    /// A file that cannot be read is an `InvalidArgumentError` naming the path.
    #[staticmethod]
    fn from_file(py: Python<'_>, key_id: String, path: PathBuf) -> PyResult<Self> {
        let inner = run(py, move || qencode_cdn::Signer::from_file(&key_id, &path))?;
        Ok(Signer { inner })
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
        Ok(Signer { inner })
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
        run(py, || signer.sign(&uri, &opts))
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
        run(py, || signer.signed_live_url(&playback_id, &opts))
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
        run(py, || {
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
        run(py, || signer.signed_storage_url(&bucket, &region, &key, &opts))
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
        run(py, || signer.signed_storage_custom_domain_url(&domain, &key, &opts))
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
        run(py, || signer.sign_url(&url, &uri, &opts))
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
        let inner = run(py, || signer.signed_cookie(&uri, &opts, &cookie_opts))?;
        Ok(SignedCookie { inner })
    }

    /// `audit(token)` at the system clock: what the token grants that may be
    /// more than meant (the signature is not checked).
    fn audit(&self, py: Python<'_>, token: &str) -> PyResult<Vec<AuditWarning>> {
        Ok(warnings(&map(py, self.inner.audit(token))?))
    }

    fn __repr__(&self) -> String {
        format!(
            "Signer(key_id={}, key_bits={}, private_key='<redacted>')",
            py_str(self.inner.key_id()),
            self.inner.key_bits()
        )
    }
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
