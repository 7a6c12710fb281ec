//! The management-API client. Results cross as plain dicts/lists (the API's
//! JSON document); `qencode_cdn._client` wraps them in typed immutable objects.

use std::collections::BTreeMap;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use qencode_cdn::{BucketPolicy, DomainType, SigningKeyTarget};
use serde::Serialize;

use crate::convert::{json_to_py, py_str, type_name};
use crate::errors::{internal, invalid_argument, map, run};

/// Seconds (`int`/`float`) or a `timedelta` → `Duration`.
pub(crate) fn duration_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Duration> {
    let py = obj.py();
    let secs: f64 = if obj.is_instance_of::<pyo3::types::PyBool>() {
        return Err(invalid_argument(
            py,
            format!("{name} must be a number of seconds, not a bool"),
        ));
    } else if let Ok(f) = obj.extract::<f64>() {
        f
    } else if obj.hasattr("total_seconds")? {
        obj.call_method0("total_seconds")?.extract()?
    } else {
        return Err(invalid_argument(
            py,
            format!(
                "{name} must be seconds (int or float) or a timedelta, got `{}`",
                type_name(obj)
            ),
        ));
    };
    Duration::try_from_secs_f64(secs)
        .map_err(|_| invalid_argument(py, format!("{name} must be a finite, non-negative number of seconds")))
}

fn to_py<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    let v = serde_json::to_value(value).map_err(|e| internal(py, format!("result is not JSON: {e}")))?;
    json_to_py(py, &v)
}

/// The native client (use `qencode_cdn.Client`).
#[pyclass(module = "qencode_cdn._native", frozen)]
pub(crate) struct NativeClient {
    inner: qencode_cdn::Client,
}

#[pymethods]
impl NativeClient {
    #[new]
    #[pyo3(signature = (api_key, *, api_url = None, auth_url = None, timeout = None, connect_timeout = None, max_retries = None))]
    fn new(
        py: Python<'_>,
        api_key: String,
        api_url: Option<String>,
        auth_url: Option<String>,
        timeout: Option<Bound<'_, PyAny>>,
        connect_timeout: Option<Bound<'_, PyAny>>,
        max_retries: Option<u32>,
    ) -> PyResult<Self> {
        let mut b = qencode_cdn::Client::builder(api_key).user_agent_suffix("python");
        if let Some(u) = api_url {
            b = b.api_url(u);
        }
        if let Some(u) = auth_url {
            b = b.auth_url(u);
        }
        if let Some(t) = timeout {
            b = b.timeout(duration_arg(&t, "timeout")?);
        }
        if let Some(t) = connect_timeout {
            b = b.connect_timeout(duration_arg(&t, "connect_timeout")?);
        }
        if let Some(n) = max_retries {
            b = b.max_retries(n);
        }
        let inner = map(py, b.build())?;
        Ok(NativeClient { inner })
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

    /// Exactly one of `stream_id`, `domain_id`, `bucket_name`.
    #[pyo3(signature = (*, stream_id = None, domain_id = None, bucket_name = None))]
    fn create_signing_key<'py>(
        &self,
        py: Python<'py>,
        stream_id: Option<String>,
        domain_id: Option<String>,
        bucket_name: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let target = match (stream_id, domain_id, bucket_name) {
            (Some(s), None, None) => SigningKeyTarget::Stream(s),
            (None, Some(d), None) => SigningKeyTarget::Domain(d),
            (None, None, Some(b)) => SigningKeyTarget::Bucket(b),
            _ => {
                return Err(invalid_argument(
                    py,
                    "create_signing_key needs exactly one of stream_id, domain_id or bucket_name",
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

    fn set_bucket_policy(&self, py: Python<'_>, bucket_name: String, policy: &str) -> PyResult<()> {
        let policy: BucketPolicy = map(py, policy.parse())?;
        let c = &self.inner;
        run(py, || c.set_bucket_policy(&bucket_name, policy))
    }

    fn set_bucket_cors(&self, py: Python<'_>, bucket_name: String, cors: BTreeMap<String, String>) -> PyResult<()> {
        let c = &self.inner;
        run(py, || c.set_bucket_cors(&bucket_name, &cors))
    }

    fn get_bucket_cors(&self, py: Python<'_>, bucket_name: String) -> PyResult<BTreeMap<String, String>> {
        let c = &self.inner;
        run(py, || c.get_bucket_cors(&bucket_name))
    }

    fn delete_bucket_cors(&self, py: Python<'_>, bucket_name: String) -> PyResult<()> {
        let c = &self.inner;
        run(py, || c.delete_bucket_cors(&bucket_name))
    }

    fn delete_bucket_cors_header(&self, py: Python<'_>, bucket_name: String, header: String) -> PyResult<()> {
        let c = &self.inner;
        run(py, || c.delete_bucket_cors_header(&bucket_name, &header))
    }

    fn purge_bucket_cache(&self, py: Python<'_>, bucket_name: String) -> PyResult<()> {
        let c = &self.inner;
        run(py, || c.purge_bucket_cache(&bucket_name))
    }

    fn purge_object_cache(&self, py: Python<'_>, bucket_name: String, path: String) -> PyResult<()> {
        let c = &self.inner;
        run(py, || c.purge_object_cache(&bucket_name, &path))
    }

    fn __repr__(&self) -> String {
        format!(
            "NativeClient(api_url={}, auth_url={})",
            py_str(self.inner.api_url()),
            py_str(self.inner.auth_url())
        )
    }
}
