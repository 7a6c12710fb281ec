//! `Verifier`, `Resource`, `Explanation`, `Check`.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use qencode_cdn::{KeyStyle, VerifyOptions};
use serde_json::Value;

use crate::audit::{AuditWarning, warnings};
use crate::convert::{Arg, json_to_py, key_bytes, map_to_py, options, py_opt_str, py_str, serde_name, to_py};
use crate::errors::{internal, map, run};
use crate::signer::{Signer, py_bool};

/// The verify options of a call, from the keyword arguments that were given:
/// one JSON object read by `VerifyOptions::from_json`.
fn verify_options(py: Python<'_>, args: &[(&'static str, &Arg<'_>)]) -> PyResult<VerifyOptions> {
    let value = options(args)?;
    map(py, VerifyOptions::from_json(&value, KeyStyle::Snake))
}

/// What a request asks for, compared with a token's `uri`: a live stream
/// (`uri` must equal the playback id) or a storage object (`uri` must be a
/// prefix of the key; `""` covers the whole bucket).
#[pyclass(module = "qencode_cdn", frozen, eq)]
#[derive(PartialEq, Eq, Clone)]
pub(crate) struct Resource {
    pub(crate) inner: qencode_cdn::Resource,
}

impl Resource {
    /// The core's JSON form: `{"kind": "live", "playback_id": …}` or
    /// `{"kind": "storage", "key": …}`.
    fn json(&self) -> Value {
        serde_json::to_value(&self.inner).unwrap_or(Value::Null)
    }

    fn field(&self, name: &str) -> Option<String> {
        self.json().get(name).and_then(Value::as_str).map(str::to_string)
    }
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
    fn kind(&self) -> String {
        self.field("kind").unwrap_or_default()
    }

    /// The playback id, for a live stream.
    #[getter]
    fn playback_id(&self) -> Option<String> {
        self.field("playback_id")
    }

    /// The object key, for a storage object.
    #[getter]
    fn key(&self) -> Option<String> {
        self.field("key")
    }

    /// Whether a token whose `uri` is `uri` grants this resource.
    fn is_covered_by(&self, uri: &str) -> bool {
        self.inner.is_covered_by(uri)
    }

    /// The resource as a dict, `{"kind": "live", "playback_id": …}` or
    /// `{"kind": "storage", "key": …}`; `resource=` accepts this form too.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.json().to_string().hash(&mut h);
        h.finish()
    }

    fn __repr__(&self) -> String {
        // `Resource.live('abc')`, `Resource.storage('a/b.mp4')`: the kind and
        // the one other member of the core's JSON form.
        let json = self.json();
        let value = json
            .as_object()
            .and_then(|m| m.iter().find(|(k, _)| k.as_str() != "kind"))
            .and_then(|(_, v)| v.as_str())
            .unwrap_or("");
        format!("Resource.{}({})", self.kind(), py_str(value))
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

/// The verdict on a signed URL or a token: every check, passed or failed.
/// `str()` gives a readable report; `.ok` the verdict.
#[pyclass(module = "qencode_cdn", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct Explanation {
    inner: qencode_cdn::Explanation,
}

#[pymethods]
impl Explanation {
    /// True when every check passed: the edge would serve this URL.
    #[getter]
    fn ok(&self) -> bool {
        self.inner.ok
    }
    /// The URL examined (`""` for `explain_token`).
    #[getter]
    fn url(&self) -> &str {
        &self.inner.url
    }
    /// `"live_playback"`, `"live_custom_domain"`, `"storage"`,
    /// `"storage_custom_domain"`, or `None` when the URL is none of them
    /// (and for `explain_token`).
    #[getter]
    fn form(&self) -> Option<String> {
        self.inner.form.as_ref().map(serde_name)
    }
    /// What the URL asks for (for `explain_token`, the `resource=` given).
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
    /// What the token grants that may be more than meant (see `audit`),
    /// when its claims could be read. Warnings never make `ok` false.
    #[getter]
    fn warnings(&self) -> Vec<AuditWarning> {
        warnings(&self.inner.warnings)
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
        to_py(py, &self.inner)
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
            py_opt_str(self.form().as_deref()),
        )
    }
}

/// Checks RS256 tokens against one public key: signature, `kid`,
/// `exp`/`nbf` with leeway, and the resource.
#[pyclass(module = "qencode_cdn", frozen)]
pub(crate) struct Verifier {
    inner: qencode_cdn::Verifier,
}

#[pymethods]
impl Verifier {
    /// From a public key: SPKI or PKCS#1, PEM or DER (str or bytes), base64
    /// of either, a JWK JSON string (its `kid` becomes the expected key id),
    /// or a private key (its public half). `key_id`, when given, is required
    /// in every token's `kid` header (and wins over a JWK's `kid`).
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

    /// From a JWK JSON string (`kty` RSA, `n`, `e`, or a JWK Set of one key);
    /// its `kid`, when present, becomes the expected key id.
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

    /// Verifies signature, `kid` (`key_id=`, or the verifier's own),
    /// `exp`/`nbf` (with `leeway` seconds or a timedelta) and, when given,
    /// that the token covers `resource` (a `Resource` or its dict form).
    /// Returns the claims as a dict; raises a `TokenError` subclass.
    #[pyo3(text_signature = "(self, token, *, key_id=..., leeway=..., resource=..., now=...)")]
    #[pyo3(signature = (token, *, key_id = Arg::Missing, leeway = Arg::Missing, resource = Arg::Missing,
                        now = Arg::Missing))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        token: String,
        key_id: Arg<'py>,
        leeway: Arg<'py>,
        resource: Arg<'py>,
        now: Arg<'py>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let opts = verify_options(
            py,
            &[
                ("key_id", &key_id),
                ("leeway", &leeway),
                ("resource", &resource),
                ("now", &now),
            ],
        )?;
        let verifier = &self.inner;
        let verified = run(py, || verifier.verify(&token, &opts))?;
        match verified.claims.to_json() {
            Value::Object(m) => map_to_py(py, &m),
            _ => Err(internal(py, "claims are not a JSON object")),
        }
    }

    /// Explains whether the edge would accept this signed URL (any of the
    /// four forms): every check in words. Never raises for a bad URL or
    /// token; the verdict says what is wrong.
    #[pyo3(text_signature = "(self, url, *, key_id=..., leeway=..., now=...)")]
    #[pyo3(signature = (url, *, key_id = Arg::Missing, leeway = Arg::Missing, now = Arg::Missing))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        url: String,
        key_id: Arg<'py>,
        leeway: Arg<'py>,
        now: Arg<'py>,
    ) -> PyResult<Explanation> {
        let opts = verify_options(py, &[("key_id", &key_id), ("leeway", &leeway), ("now", &now)])?;
        let verifier = &self.inner;
        let inner = run(py, || Ok(verifier.explain_with(&url, &opts)))?;
        Ok(Explanation { inner })
    }

    /// Every check of `verify` on a bare token (no URL), passed or failed, in
    /// words; the resource check only when `resource=` is given. Never raises
    /// for a bad token; the verdict says what is wrong.
    #[pyo3(text_signature = "(self, token, *, key_id=..., leeway=..., resource=..., now=...)")]
    #[pyo3(signature = (token, *, key_id = Arg::Missing, leeway = Arg::Missing, resource = Arg::Missing,
                        now = Arg::Missing))]
    fn explain_token<'py>(
        &self,
        py: Python<'py>,
        token: String,
        key_id: Arg<'py>,
        leeway: Arg<'py>,
        resource: Arg<'py>,
        now: Arg<'py>,
    ) -> PyResult<Explanation> {
        let opts = verify_options(
            py,
            &[
                ("key_id", &key_id),
                ("leeway", &leeway),
                ("resource", &resource),
                ("now", &now),
            ],
        )?;
        let verifier = &self.inner;
        let inner = run(py, || Ok(verifier.explain_token(&token, &opts)))?;
        Ok(Explanation { inner })
    }

    /// `audit(token)` at the system clock: what the token grants that may be
    /// more than meant (the signature is not checked).
    fn audit(&self, py: Python<'_>, token: &str) -> PyResult<Vec<AuditWarning>> {
        Ok(warnings(&map(py, self.inner.audit(token))?))
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
        Value::Object(m) => map_to_py(py, &m)?,
        _ => return Err(internal(py, "claims are not a JSON object")),
    };
    PyTuple::new(py, [map_to_py(py, &header)?, claims])
}
