//! `Signer` and `SignedCookie`.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use qencode_cdn::{CookieOptions, Expiry, SameSite, SignOptions};

use crate::convert::{Arg, dict_to_map, key_bytes, opt_unix_time, py_opt_str, py_str, seconds};
use crate::errors::{invalid_argument, map, run};

/// The loose keyword options of every signing method, as Python passed them.
pub(crate) struct SignArgs<'py> {
    pub expires_in: Arg<'py>,
    pub expires_at: Arg<'py>,
    pub not_before: Arg<'py>,
    pub claims: Option<Bound<'py, PyAny>>,
    pub never_expires: bool,
    pub now: Arg<'py>,
}

impl SignArgs<'_> {
    /// Converts the arguments; the meaning of the combination (defaults,
    /// contradictions, "never" only by name) is decided by `Expiry::resolve`.
    pub(crate) fn to_options(&self, py: Python<'_>) -> PyResult<SignOptions> {
        let expires_in = match &self.expires_in {
            Arg::Missing => None,
            Arg::Given(v) => Some(seconds(v, "expires_in")?),
        };
        let expires_at = opt_unix_time(&self.expires_at, "expires_at")?;
        let expiry = map(py, Expiry::resolve(expires_in, expires_at, self.never_expires))?;
        let mut opts = SignOptions::new().expiry(expiry);
        if let Some(nbf) = opt_unix_time(&self.not_before, "not_before")? {
            opts = opts.not_before(nbf);
        }
        if let Some(now) = opt_unix_time(&self.now, "now")? {
            opts = opts.now(now);
        }
        if let Some(c) = &self.claims {
            if !c.is_none() {
                opts = opts.claims(dict_to_map(c, "claims")?);
            }
        }
        Ok(opts)
    }
}

/// Expands to a `SignArgs` from the keyword arguments every signing method shares.
macro_rules! sign_args {
    ($expires_in:ident, $expires_at:ident, $not_before:ident, $claims:ident, $never_expires:ident, $now:ident) => {
        SignArgs {
            expires_in: $expires_in,
            expires_at: $expires_at,
            not_before: $not_before,
            claims: $claims,
            never_expires: $never_expires,
            now: $now,
        }
    };
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

    /// Loads the private key from a file (PEM or DER).
    #[staticmethod]
    fn from_file(py: Python<'_>, key_id: String, path: &Bound<'_, PyAny>) -> PyResult<Self> {
        let os = py.import("os")?;
        let path: String = os.call_method1("fspath", (path,))?.extract()?;
        let inner = run(py, move || {
            let key = zeroize::Zeroizing::new(std::fs::read(&path).map_err(|e| {
                qencode_cdn::Error::with_code(
                    qencode_cdn::ErrorCode::InvalidArgument,
                    format!("cannot read the key file `{path}`: {e}"),
                )
            })?);
            qencode_cdn::Signer::from_pem(&key_id, &*key)
        })?;
        Ok(Signer { inner })
    }

    /// Loads the private key from an environment variable (newlines folded
    /// to spaces or written as `\n` are fine, so is base64 of the PEM).
    #[staticmethod]
    #[pyo3(text_signature = "(key_id, var='QENCODE_SIGNING_KEY')")]
    #[pyo3(signature = (key_id, var = "QENCODE_SIGNING_KEY".to_string()))]
    fn from_env(py: Python<'_>, key_id: String, var: String) -> PyResult<Self> {
        let environ = py.import("os")?.getattr("environ")?;
        let value = environ.call_method1("get", (&var,))?;
        if value.is_none() || value.extract::<String>().map(|s| s.trim().is_empty()).unwrap_or(false) {
            return Err(invalid_argument(
                py,
                format!("the environment variable `{var}` is not set or empty"),
            ));
        }
        let key = key_bytes(&value, &var)?;
        let inner = run(py, move || qencode_cdn::Signer::from_pem(&key_id, &*key))?;
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

    /// Signs a token for `uri`: a playback id, an object key or key prefix,
    /// or `""` for a whole bucket.
    #[pyo3(
        text_signature = "(self, uri, *, expires_in=3600, expires_at=None, not_before=None, claims=None, never_expires=False, now=None)"
    )]
    #[pyo3(signature = (uri, *, expires_in = Arg::Missing, expires_at = Arg::Missing, not_before = Arg::Missing,
                        claims = None, never_expires = false, now = Arg::Missing))]
    #[allow(clippy::too_many_arguments)]
    fn sign(
        &self,
        py: Python<'_>,
        uri: String,
        expires_in: Arg<'_>,
        expires_at: Arg<'_>,
        not_before: Arg<'_>,
        claims: Option<Bound<'_, PyAny>>,
        never_expires: bool,
        now: Arg<'_>,
    ) -> PyResult<String> {
        let opts = sign_args!(expires_in, expires_at, not_before, claims, never_expires, now).to_options(py)?;
        let signer = &self.inner;
        run(py, || signer.sign(&uri, &opts))
    }

    /// A signed live playback URL on the default host (`uri` = playback id).
    #[pyo3(
        text_signature = "(self, playback_id, *, expires_in=3600, expires_at=None, not_before=None, claims=None, never_expires=False, now=None)"
    )]
    #[pyo3(signature = (playback_id, *, expires_in = Arg::Missing, expires_at = Arg::Missing,
                        not_before = Arg::Missing, claims = None, never_expires = false, now = Arg::Missing))]
    #[allow(clippy::too_many_arguments)]
    fn signed_live_url(
        &self,
        py: Python<'_>,
        playback_id: String,
        expires_in: Arg<'_>,
        expires_at: Arg<'_>,
        not_before: Arg<'_>,
        claims: Option<Bound<'_, PyAny>>,
        never_expires: bool,
        now: Arg<'_>,
    ) -> PyResult<String> {
        let opts = sign_args!(expires_in, expires_at, not_before, claims, never_expires, now).to_options(py)?;
        let signer = &self.inner;
        run(py, || signer.signed_live_url(&playback_id, &opts))
    }

    /// A signed live playback URL on a custom domain (`uri` = playback id).
    #[pyo3(
        text_signature = "(self, domain, playback_id, *, expires_in=3600, expires_at=None, not_before=None, claims=None, never_expires=False, now=None)"
    )]
    #[pyo3(signature = (domain, playback_id, *, expires_in = Arg::Missing, expires_at = Arg::Missing,
                        not_before = Arg::Missing, claims = None, never_expires = false, now = Arg::Missing))]
    #[allow(clippy::too_many_arguments)]
    fn signed_live_custom_domain_url(
        &self,
        py: Python<'_>,
        domain: String,
        playback_id: String,
        expires_in: Arg<'_>,
        expires_at: Arg<'_>,
        not_before: Arg<'_>,
        claims: Option<Bound<'_, PyAny>>,
        never_expires: bool,
        now: Arg<'_>,
    ) -> PyResult<String> {
        let opts = sign_args!(expires_in, expires_at, not_before, claims, never_expires, now).to_options(py)?;
        let signer = &self.inner;
        run(py, || {
            signer.signed_live_custom_domain_url(&domain, &playback_id, &opts)
        })
    }

    /// A signed media storage URL on the default host (`uri` = the key).
    #[pyo3(
        text_signature = "(self, bucket, region, key, *, expires_in=3600, expires_at=None, not_before=None, claims=None, never_expires=False, now=None)"
    )]
    #[pyo3(signature = (bucket, region, key, *, expires_in = Arg::Missing, expires_at = Arg::Missing,
                        not_before = Arg::Missing, claims = None, never_expires = false, now = Arg::Missing))]
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
        claims: Option<Bound<'_, PyAny>>,
        never_expires: bool,
        now: Arg<'_>,
    ) -> PyResult<String> {
        let opts = sign_args!(expires_in, expires_at, not_before, claims, never_expires, now).to_options(py)?;
        let signer = &self.inner;
        run(py, || signer.signed_storage_url(&bucket, &region, &key, &opts))
    }

    /// A signed media storage URL on a custom domain (`uri` = the key).
    #[pyo3(
        text_signature = "(self, domain, key, *, expires_in=3600, expires_at=None, not_before=None, claims=None, never_expires=False, now=None)"
    )]
    #[pyo3(signature = (domain, key, *, expires_in = Arg::Missing, expires_at = Arg::Missing,
                        not_before = Arg::Missing, claims = None, never_expires = false, now = Arg::Missing))]
    #[allow(clippy::too_many_arguments)]
    fn signed_storage_custom_domain_url(
        &self,
        py: Python<'_>,
        domain: String,
        key: String,
        expires_in: Arg<'_>,
        expires_at: Arg<'_>,
        not_before: Arg<'_>,
        claims: Option<Bound<'_, PyAny>>,
        never_expires: bool,
        now: Arg<'_>,
    ) -> PyResult<String> {
        let opts = sign_args!(expires_in, expires_at, not_before, claims, never_expires, now).to_options(py)?;
        let signer = &self.inner;
        run(py, || signer.signed_storage_custom_domain_url(&domain, &key, &opts))
    }

    /// Signs `uri` and adds the token to any URL as the `auth` query parameter.
    #[pyo3(
        text_signature = "(self, url, uri, *, expires_in=3600, expires_at=None, not_before=None, claims=None, never_expires=False, now=None)"
    )]
    #[pyo3(signature = (url, uri, *, expires_in = Arg::Missing, expires_at = Arg::Missing,
                        not_before = Arg::Missing, claims = None, never_expires = false, now = Arg::Missing))]
    #[allow(clippy::too_many_arguments)]
    fn sign_url(
        &self,
        py: Python<'_>,
        url: String,
        uri: String,
        expires_in: Arg<'_>,
        expires_at: Arg<'_>,
        not_before: Arg<'_>,
        claims: Option<Bound<'_, PyAny>>,
        never_expires: bool,
        now: Arg<'_>,
    ) -> PyResult<String> {
        let opts = sign_args!(expires_in, expires_at, not_before, claims, never_expires, now).to_options(py)?;
        let signer = &self.inner;
        run(py, || signer.sign_url(&url, &uri, &opts))
    }

    /// A `Qencode-Auth-Token` cookie for `uri` (for HLS/DASH: the folder
    /// holding the master playlist, e.g. `"videos/a/"`). `Max-Age` follows
    /// the token's expiry; `Path` is the folder the token covers.
    #[pyo3(
        text_signature = "(self, uri, *, domain=None, path=None, same_site='Lax', secure=True, http_only=True, expires_in=3600, expires_at=None, not_before=None, claims=None, never_expires=False, now=None)"
    )]
    #[pyo3(signature = (uri, *, domain = None, path = None, same_site = "Lax".to_string(), secure = true,
                        http_only = true, expires_in = Arg::Missing, expires_at = Arg::Missing,
                        not_before = Arg::Missing, claims = None, never_expires = false, now = Arg::Missing))]
    #[allow(clippy::too_many_arguments)]
    fn signed_cookie(
        &self,
        py: Python<'_>,
        uri: String,
        domain: Option<String>,
        path: Option<String>,
        same_site: String,
        secure: bool,
        http_only: bool,
        expires_in: Arg<'_>,
        expires_at: Arg<'_>,
        not_before: Arg<'_>,
        claims: Option<Bound<'_, PyAny>>,
        never_expires: bool,
        now: Arg<'_>,
    ) -> PyResult<SignedCookie> {
        let opts = sign_args!(expires_in, expires_at, not_before, claims, never_expires, now).to_options(py)?;
        let mut cookie_opts = CookieOptions::new()
            .same_site(map(py, SameSite::parse(&same_site))?)
            .secure(secure)
            .http_only(http_only);
        if let Some(d) = domain {
            cookie_opts = cookie_opts.domain(d);
        }
        if let Some(p) = path {
            cookie_opts = cookie_opts.path(p);
        }
        let signer = &self.inner;
        let inner = run(py, || signer.signed_cookie(&uri, &opts, &cookie_opts))?;
        Ok(SignedCookie { inner })
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
    /// Every attribute as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("name", &self.inner.name)?;
        d.set_item("value", &self.inner.value)?;
        d.set_item("domain", self.inner.domain.as_deref())?;
        d.set_item("path", &self.inner.path)?;
        d.set_item("max_age", self.inner.max_age)?;
        d.set_item("secure", self.inner.secure)?;
        d.set_item("http_only", self.inner.http_only)?;
        d.set_item("same_site", self.inner.same_site.as_str())?;
        Ok(d)
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
