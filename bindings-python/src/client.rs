//! The management-API client. Results cross as plain dicts/lists (the API's
//! JSON document, by serde); `qencode_cdn._client` wraps them in typed
//! immutable objects.

use std::collections::BTreeMap;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use qencode_cdn::{BucketPolicy, ClientBuilder, DomainType, KeyStyle, SigningKeyTarget};

use crate::convert::{options_dict, py_str, to_py, value_error};
use crate::errors::{map, run, run_holding_gil};

/// The native client (use `qencode_cdn.Client`).
#[pyclass(module = "qencode_cdn._native", frozen)]
pub(crate) struct NativeClient {
    inner: qencode_cdn::Client,
}

/// Applies the client options (`api_url`, `auth_url`, `timeout`,
/// `connect_timeout`, `max_retries`; `None` keeps a default) with
/// `ClientBuilder::options_json`, and builds the client.
fn build(py: Python<'_>, builder: ClientBuilder, options: &Bound<'_, PyAny>) -> PyResult<NativeClient> {
    let value = options_dict(options, "client options")?;
    let builder = builder.user_agent_suffix("python");
    let inner = map(
        py,
        builder
            .options_json(&value, KeyStyle::Snake)
            .and_then(ClientBuilder::build),
    )?;
    Ok(NativeClient { inner })
}

#[pymethods]
impl NativeClient {
    #[new]
    fn new(py: Python<'_>, api_key: String, options: &Bound<'_, PyAny>) -> PyResult<Self> {
        build(py, ClientBuilder::new(api_key), options)
    }

    /// A client for the API key in `QENCODE_API_KEY` (`ClientBuilder::from_env`).
    #[staticmethod]
    fn from_env(py: Python<'_>, options: &Bound<'_, PyAny>) -> PyResult<Self> {
        // The GIL is held: no Python thread changes os.environ while the core reads it.
        let builder = run_holding_gil(py, ClientBuilder::from_env)?;
        build(py, builder, options)
    }

    /// The management API's base URL.
    #[getter]
    fn api_url(&self) -> &str {
        self.inner.api_url()
    }

    /// The access-token endpoint's base URL.
    #[getter]
    fn auth_url(&self) -> &str {
        self.inner.auth_url()
    }

    /// The `User-Agent` sent.
    #[getter]
    fn user_agent(&self) -> &str {
        self.inner.user_agent()
    }

    fn create_domain<'py>(&self, py: Python<'py>, domain_name: String, r#type: &str) -> PyResult<Bound<'py, PyAny>> {
        let kind: DomainType = map(py, r#type.parse())?;
        let c = &self.inner;
        let d = run(py, || c.create_domain(&domain_name, kind))?;
        to_py(py, &d)
    }

    fn get_domain<'py>(&self, py: Python<'py>, domain_id: String) -> PyResult<Bound<'py, PyAny>> {
        let c = &self.inner;
        let d = run(py, || c.get_domain(&domain_id))?;
        to_py(py, &d)
    }

    #[pyo3(signature = (r#type = None))]
    fn list_domains<'py>(&self, py: Python<'py>, r#type: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
        let kind: Option<DomainType> = r#type.map(|t| map(py, t.parse())).transpose()?;
        let c = &self.inner;
        let d = run(py, || c.list_domains(kind))?;
        to_py(py, &d)
    }

    fn delete_domain(&self, py: Python<'_>, domain_id: String) -> PyResult<()> {
        let c = &self.inner;
        run(py, || c.delete_domain(&domain_id))
    }

    fn create_tls_subscription<'py>(&self, py: Python<'py>, domain_id: String) -> PyResult<Bound<'py, PyAny>> {
        let c = &self.inner;
        let t = run(py, || c.create_tls_subscription(&domain_id))?;
        to_py(py, &t)
    }

    fn get_tls_subscription<'py>(&self, py: Python<'py>, subscription_id: String) -> PyResult<Bound<'py, PyAny>> {
        let c = &self.inner;
        let t = run(py, || c.get_tls_subscription(&subscription_id))?;
        to_py(py, &t)
    }

    fn list_tls_subscriptions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = &self.inner;
        let t = run(py, || c.list_tls_subscriptions())?;
        to_py(py, &t)
    }

    fn delete_tls_subscription(&self, py: Python<'_>, subscription_id: String) -> PyResult<()> {
        let c = &self.inner;
        run(py, || c.delete_tls_subscription(&subscription_id))
    }

    /// Exactly one of `stream` (a stream id), `domain` (a domain id),
    /// `bucket` (a bucket name).
    #[pyo3(signature = (*, stream = None, domain = None, bucket = None))]
    fn create_signing_key<'py>(
        &self,
        py: Python<'py>,
        stream: Option<String>,
        domain: Option<String>,
        bucket: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let target = match (stream, domain, bucket) {
            (Some(s), None, None) => SigningKeyTarget::Stream(s),
            (None, Some(d), None) => SigningKeyTarget::Domain(d),
            (None, None, Some(b)) => SigningKeyTarget::Bucket(b),
            _ => {
                return Err(value_error(
                    py,
                    "create_signing_key needs exactly one of stream=, domain= or bucket=",
                ));
            }
        };
        let c = &self.inner;
        let k = run(py, || c.create_signing_key(&target))?;
        // The API's document, private key included: returned once, to its owner.
        let out = to_py(py, &k.signing_key)?;
        let d = out.cast::<PyDict>()?;
        d.set_item("private_key", k.private_key_pem())?;
        Ok(out)
    }

    fn get_signing_key<'py>(&self, py: Python<'py>, key_id: String) -> PyResult<Bound<'py, PyAny>> {
        let c = &self.inner;
        let k = run(py, || c.get_signing_key(&key_id))?;
        to_py(py, &k)
    }

    fn list_signing_keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = &self.inner;
        let k = run(py, || c.list_signing_keys())?;
        to_py(py, &k)
    }

    fn rename_signing_key<'py>(&self, py: Python<'py>, key_id: String, name: String) -> PyResult<Bound<'py, PyAny>> {
        let c = &self.inner;
        let k = run(py, || c.rename_signing_key(&key_id, &name))?;
        to_py(py, &k)
    }

    fn delete_signing_key(&self, py: Python<'_>, key_id: String) -> PyResult<()> {
        let c = &self.inner;
        run(py, || c.delete_signing_key(&key_id))
    }

    fn set_bucket_policy(&self, py: Python<'_>, bucket: String, policy: &str) -> PyResult<()> {
        let policy: BucketPolicy = map(py, policy.parse())?;
        let c = &self.inner;
        run(py, || c.set_bucket_policy(&bucket, policy))
    }

    fn set_bucket_cors(&self, py: Python<'_>, bucket: String, cors: BTreeMap<String, String>) -> PyResult<()> {
        let c = &self.inner;
        run(py, || c.set_bucket_cors(&bucket, &cors))
    }

    fn get_bucket_cors(&self, py: Python<'_>, bucket: String) -> PyResult<BTreeMap<String, String>> {
        let c = &self.inner;
        run(py, || c.get_bucket_cors(&bucket))
    }

    fn delete_bucket_cors(&self, py: Python<'_>, bucket: String) -> PyResult<()> {
        let c = &self.inner;
        run(py, || c.delete_bucket_cors(&bucket))
    }

    fn delete_bucket_cors_header(&self, py: Python<'_>, bucket: String, header: String) -> PyResult<()> {
        let c = &self.inner;
        run(py, || c.delete_bucket_cors_header(&bucket, &header))
    }

    fn purge_bucket_cache(&self, py: Python<'_>, bucket: String) -> PyResult<()> {
        let c = &self.inner;
        run(py, || c.purge_bucket_cache(&bucket))
    }

    fn purge_object_cache(&self, py: Python<'_>, bucket: String, path: String) -> PyResult<()> {
        let c = &self.inner;
        run(py, || c.purge_object_cache(&bucket, &path))
    }

    fn __repr__(&self) -> String {
        format!(
            "NativeClient(api_url={}, auth_url={})",
            py_str(self.inner.api_url()),
            py_str(self.inner.auth_url())
        )
    }
}
