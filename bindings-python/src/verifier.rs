//! `Verifier`, `Resource`, `Explanation`, `Check`.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use qencode_cdn::{UrlForm, VerifyOptions};

use crate::convert::{Arg, json_to_py, key_bytes, map_to_py, opt_unix_time, py_opt_str, py_str, seconds};
use crate::errors::{internal, invalid_argument, map, run};
use crate::signer::{Signer, py_bool};

/// What a request asks for, compared with a token's `uri`: a live stream
/// (`uri` must equal the playback id) or a storage object (`uri` must be a
/// prefix of the key; `""` covers the whole bucket).
#[pyclass(module = "qencode_cdn", frozen, eq)]
#[derive(PartialEq, Eq, Clone)]
pub(crate) struct Resource {
    pub(crate) inner: qencode_cdn::Resource,
}

#[pymethods]
impl Resource {
    /// A live stream with this playback id.
    #[staticmethod]
    fn live(playback_id: String) -> Self {
        Resource {
            inner: qencode_cdn::Resource::live(playback_id),
        }
    }

    /// An object of a media storage bucket (a leading `/` is dropped).
    #[staticmethod]
    fn storage(key: String) -> Self {
        Resource {
            inner: qencode_cdn::Resource::storage(key),
        }
    }

    /// `"live"` or `"storage"`.
    #[getter]
    fn kind(&self) -> &'static str {
        match &self.inner {
            qencode_cdn::Resource::Live { .. } => "live",
            qencode_cdn::Resource::Storage { .. } => "storage",
        }
    }

    /// The playback id, for a live stream.
    #[getter]
    fn playback_id(&self) -> Option<&str> {
        match &self.inner {
            qencode_cdn::Resource::Live { playback_id } => Some(playback_id),
            qencode_cdn::Resource::Storage { .. } => None,
        }
    }

    /// The object key, for a storage object.
    #[getter]
    fn key(&self) -> Option<&str> {
        match &self.inner {
            qencode_cdn::Resource::Live { .. } => None,
            qencode_cdn::Resource::Storage { key } => Some(key),
        }
    }

    /// Whether a token whose `uri` is `uri` grants this resource.
    fn is_covered_by(&self, uri: &str) -> bool {
        self.inner.is_covered_by(uri)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.kind().hash(&mut h);
        self.playback_id().or(self.key()).hash(&mut h);
        h.finish()
    }

    fn __repr__(&self) -> String {
        match &self.inner {
            qencode_cdn::Resource::Live { playback_id } => format!("Resource.live({})", py_str(playback_id)),
            qencode_cdn::Resource::Storage { key } => format!("Resource.storage({})", py_str(key)),
        }
    }
}

/// One check of a verification, passed or failed, in words.
#[pyclass(module = "qencode_cdn", frozen, eq)]
#[derive(PartialEq, Clone)]
pub(crate) struct Check {
    inner: qencode_cdn::Check,
}

#[pymethods]
impl Check {
    /// Stable name: `url`, `token_present`, `format`, `algorithm`, `key_id`,
    /// `signature`, `claims`, `expiry`, `not_before`, `resource`.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    /// Whether it passed.
    #[getter]
    fn passed(&self) -> bool {
        self.inner.passed
    }
    /// What was found, for a person.
    #[getter]
    fn detail(&self) -> &str {
        &self.inner.detail
    }
    fn __repr__(&self) -> String {
        format!(
            "Check(name={}, passed={}, detail={})",
            py_str(&self.inner.name),
            py_bool(self.inner.passed),
            py_str(&self.inner.detail)
        )
    }
}

/// The verdict on a signed URL: every check, passed or failed. `str()` gives
/// a readable report; `.ok` the verdict.
#[pyclass(module = "qencode_cdn", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct Explanation {
    inner: qencode_cdn::Explanation,
}

fn form_str(form: UrlForm) -> &'static str {
    match form {
        UrlForm::LivePlayback => "live_playback",
        UrlForm::LiveCustomDomain => "live_custom_domain",
        UrlForm::Storage => "storage",
        UrlForm::StorageCustomDomain => "storage_custom_domain",
    }
}

#[pymethods]
impl Explanation {
    /// True when every check passed: the edge would serve this URL.
    #[getter]
    fn ok(&self) -> bool {
        self.inner.ok
    }
    /// The URL examined.
    #[getter]
    fn url(&self) -> &str {
        &self.inner.url
    }
    /// `"live_playback"`, `"live_custom_domain"`, `"storage"`,
    /// `"storage_custom_domain"`, or `None` when the URL is none of them.
    #[getter]
    fn form(&self) -> Option<&'static str> {
        self.inner.form.map(form_str)
    }
    /// What the URL asks for.
    #[getter]
    fn resource(&self) -> Option<Resource> {
        self.inner.resource.clone().map(|inner| Resource { inner })
    }
    /// The token's `kid`, when the token could be read.
    #[getter]
    fn key_id(&self) -> Option<&str> {
        self.inner.key_id.as_deref()
    }
    /// The token's claims, when they could be read (even if checks failed).
    #[getter]
    fn claims<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner
            .claims
            .as_ref()
            .map(|c| json_to_py(py, &c.to_json()))
            .transpose()
    }
    /// Every check, in order.
    #[getter]
    fn checks(&self) -> Vec<Check> {
        self.inner.checks.iter().cloned().map(|inner| Check { inner }).collect()
    }
    /// The first failed check, if any.
    #[getter]
    fn first_failure(&self) -> Option<Check> {
        self.inner.first_failure().cloned().map(|inner| Check { inner })
    }
    /// The verdict as a JSON document.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }
    /// The verdict as a dict (the JSON document, parsed).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v: serde_json::Value = serde_json::from_str(&self.inner.to_json())
            .map_err(|e| internal(py, format!("explanation is not JSON: {e}")))?;
        json_to_py(py, &v)
    }
    fn __str__(&self) -> String {
        self.inner.to_string()
    }
    fn __repr__(&self) -> String {
        // The URL carries a bearer token: not shown.
        let failure = self
            .inner
            .first_failure()
            .map_or("None".to_string(), |c| py_str(&c.name));
        format!(
            "Explanation(ok={}, form={}, first_failure={failure})",
            py_bool(self.inner.ok),
            py_opt_str(self.inner.form.map(form_str)),
        )
    }
}

/// Checks RS256 tokens against one public key: signature, `kid`,
/// `exp`/`nbf` with leeway, and the resource.
#[pyclass(module = "qencode_cdn", frozen)]
pub(crate) struct Verifier {
    inner: qencode_cdn::Verifier,
}

fn verify_options(kid: Option<String>, leeway: &Bound<'_, PyAny>, now: &Arg<'_>) -> PyResult<VerifyOptions> {
    let py = leeway.py();
    let leeway = seconds(leeway, "leeway")?;
    let leeway = u64::try_from(leeway).map_err(|_| invalid_argument(py, "leeway must not be negative"))?;
    let mut opts = VerifyOptions::new().leeway(leeway);
    if let Some(kid) = kid {
        opts = opts.kid(kid);
    }
    if let Some(now) = opt_unix_time(now, "now")? {
        opts = opts.now(now);
    }
    Ok(opts)
}

#[pymethods]
impl Verifier {
    /// From a public key: SPKI or PKCS#1, PEM or DER (str or bytes), base64
    /// of either, a JWK JSON string, or a private key (its public half).
    /// `key_id`, when given, is required in every token's `kid` header.
    #[new]
    #[pyo3(signature = (public_key, *, key_id = None))]
    fn new(py: Python<'_>, public_key: &Bound<'_, PyAny>, key_id: Option<String>) -> PyResult<Self> {
        let key = key_bytes(public_key, "public_key")?;
        let mut inner = run(py, move || qencode_cdn::Verifier::from_public_key(&*key))?;
        if let Some(kid) = key_id {
            inner = inner.with_key_id(kid);
        }
        Ok(Verifier { inner })
    }

    /// The verifier of a signer's own tokens (expects its `kid`).
    #[staticmethod]
    fn from_signer(py: Python<'_>, signer: PyRef<'_, Signer>) -> PyResult<Self> {
        let s = &signer.inner;
        let inner = run(py, || qencode_cdn::Verifier::from_signer(s))?;
        Ok(Verifier { inner })
    }

    /// From a JWK JSON string (`kty` RSA, `n`, `e`); its `kid`, when
    /// present, becomes the expected key id.
    #[staticmethod]
    fn from_jwk(py: Python<'_>, jwk: String) -> PyResult<Self> {
        let inner = run(py, move || qencode_cdn::Verifier::from_jwk(&jwk))?;
        Ok(Verifier { inner })
    }

    /// The expected key id, if any.
    #[getter]
    fn key_id(&self) -> Option<&str> {
        self.inner.key_id()
    }

    /// The public key as SubjectPublicKeyInfo PEM.
    fn public_key_pem(&self, py: Python<'_>) -> PyResult<String> {
        map(py, self.inner.public_key_pem())
    }

    /// Verifies signature, `kid`, `exp`/`nbf` (with `leeway` seconds or a
    /// timedelta) and, when given, that the token covers `resource`.
    /// Returns the claims as a dict; raises a `TokenError` subclass.
    #[pyo3(text_signature = "(self, token, *, kid=None, leeway=0, resource=None, now=None)")]
    #[pyo3(signature = (token, *, kid = None, leeway = None, resource = None, now = Arg::Missing))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        token: String,
        kid: Option<String>,
        leeway: Option<Bound<'py, PyAny>>,
        resource: Option<PyRef<'py, Resource>>,
        now: Arg<'py>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let zero = 0i64.into_pyobject(py)?.into_any();
        let mut opts = verify_options(kid, leeway.as_ref().unwrap_or(&zero), &now)?;
        if let Some(r) = resource {
            opts = opts.resource(r.inner.clone());
        }
        let verifier = &self.inner;
        let verified = run(py, || verifier.verify(&token, &opts))?;
        match verified.claims.to_json() {
            serde_json::Value::Object(m) => map_to_py(py, &m),
            _ => Err(internal(py, "claims are not a JSON object")),
        }
    }

    /// Explains whether the edge would accept this signed URL (any of the
    /// four forms): every check in words. Never raises for a bad URL or
    /// token; the verdict says what is wrong.
    #[pyo3(text_signature = "(self, url, *, kid=None, leeway=0, now=None)")]
    #[pyo3(signature = (url, *, kid = None, leeway = None, now = Arg::Missing))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        url: String,
        kid: Option<String>,
        leeway: Option<Bound<'py, PyAny>>,
        now: Arg<'py>,
    ) -> PyResult<Explanation> {
        let zero = 0i64.into_pyobject(py)?.into_any();
        let opts = verify_options(kid, leeway.as_ref().unwrap_or(&zero), &now)?;
        let verifier = &self.inner;
        let inner = run(py, || Ok(verifier.explain_with(&url, &opts)))?;
        Ok(Explanation { inner })
    }

    fn __repr__(&self) -> String {
        format!("Verifier(key_id={})", py_opt_str(self.inner.key_id()))
    }
}

/// Decodes a token's header and claims **without verifying** anything: for
/// display and debugging, never for access decisions.
#[pyfunction]
pub(crate) fn decode_unverified<'py>(py: Python<'py>, token: &str) -> PyResult<Bound<'py, PyTuple>> {
    let (header, claims) = map(py, qencode_cdn::decode_unverified(token))?;
    let claims = match claims.to_json() {
        serde_json::Value::Object(m) => map_to_py(py, &m)?,
        _ => return Err(internal(py, "claims are not a JSON object")),
    };
    PyTuple::new(py, [map_to_py(py, &header)?, claims])
}
