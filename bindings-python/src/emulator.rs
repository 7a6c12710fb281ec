//! `qencode_cdn.testing.Emulator`'s native half: the emulator crate, in-process.

use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use qencode_cdn::{ErrorCode, KeyStyle};
use qencode_cdn_emulator::{EmulatorConfig, Fault, io_error};

use crate::convert::{duration_arg, json_to_py, key_bytes, py_str, py_to_json, value_error};
use crate::errors::{map, run};

/// The native emulator (use `qencode_cdn.testing.Emulator`).
#[pyclass(module = "qencode_cdn._native", frozen)]
pub(crate) struct NativeEmulator {
    inner: Mutex<Option<qencode_cdn_emulator::Emulator>>,
    url: String,
    api_key: String,
    port: u16,
}

impl NativeEmulator {
    /// Runs `f` on the running emulator with the GIL released (a panic
    /// becomes INTERNAL); INVALID_ARGUMENT once stopped.
    fn with<T>(&self, py: Python<'_>, f: impl FnOnce(&qencode_cdn_emulator::Emulator) -> T + Send) -> PyResult<T>
    where
        T: Send,
    {
        run(py, || {
            let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            guard
                .as_ref()
                .map(f)
                .ok_or_else(|| qencode_cdn::Error::with_code(ErrorCode::InvalidArgument, "the emulator is stopped"))
        })
    }
}

#[pymethods]
impl NativeEmulator {
    #[new]
    #[pyo3(signature = (*, api_keys = None, signing_key_bits = 2048, token_lifetime = None, max_domains = 20))]
    fn new(
        py: Python<'_>,
        api_keys: Option<Vec<String>>,
        signing_key_bits: usize,
        token_lifetime: Option<Bound<'_, PyAny>>,
        max_domains: usize,
    ) -> PyResult<Self> {
        let mut config = EmulatorConfig {
            signing_key_bits,
            max_domains,
            ..EmulatorConfig::default()
        };
        if let Some(keys) = api_keys {
            if keys.is_empty() {
                return Err(value_error(py, "api_keys must not be empty"));
            }
            config.api_keys = keys;
        }
        if let Some(t) = token_lifetime {
            config.token_lifetime = duration_arg(&t, "token_lifetime")?;
        }
        let emu = run(py, || {
            qencode_cdn_emulator::Emulator::start(config).map_err(|e| io_error("start", &e))
        })?;
        Ok(NativeEmulator {
            url: emu.url(),
            api_key: emu.api_key().to_string(),
            port: emu.port(),
            inner: Mutex::new(Some(emu)),
        })
    }

    #[getter]
    fn url(&self) -> &str {
        &self.url
    }

    #[getter]
    fn api_key(&self) -> &str {
        &self.api_key
    }

    #[getter]
    fn port(&self) -> u16 {
        self.port
    }

    #[getter]
    fn running(&self) -> bool {
        self.inner.lock().map(|g| g.is_some()).unwrap_or(false)
    }

    fn add_stream(&self, py: Python<'_>, stream_id: String, playback_id: String) -> PyResult<()> {
        self.with(py, |e| e.add_stream(&stream_id, &playback_id))
    }

    fn add_object(&self, py: Python<'_>, bucket: String, key: String, body: &Bound<'_, PyAny>) -> PyResult<()> {
        let body = key_bytes(body, "body")?.to_vec();
        self.with(py, move |e| e.add_object(&bucket, &key, body))
    }

    fn map_storage_domain(&self, py: Python<'_>, domain: String, bucket: String) -> PyResult<()> {
        self.with(py, |e| e.map_storage_domain(&domain, &bucket))
    }

    /// Loads the demo fixtures (the emulator's `load_fixtures`): the live
    /// stream `demo-playback-id` with media, bucket `demo-bucket` with the
    /// HLS and DASH folder `videos/intro/`, custom domain `media.example.com`.
    /// Returns the signing keys made for them and the fixture URLs.
    fn load_fixtures<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let loaded = self.with(py, |e| e.load_fixtures())?;
        let f = map(py, loaded.map_err(|e| io_error("loading the fixtures", &e)))?;
        let urls: serde_json::Map<String, serde_json::Value> = f
            .urls()
            .into_iter()
            .map(|(name, url)| (name.to_string(), url.into()))
            .collect();
        let doc = serde_json::json!({
            "stream_key_id": f.stream_key_id,
            "stream_private_key": f.stream_private_key,
            "bucket_key_id": f.bucket_key_id,
            "bucket_private_key": f.bucket_private_key,
            "domain_id": f.domain_id,
            "keys": f.keys,
            "urls": urls,
        });
        json_to_py(py, &doc)
    }

    /// Injects the fault `{"route", "kind", "times"?, "status"?,
    /// "retry_after"?, "delay_ms"?}`, read by the emulator's one parser
    /// (`Fault::from_json`).
    fn inject_fault(&self, py: Python<'_>, fault: &Bound<'_, PyAny>) -> PyResult<()> {
        let value = py_to_json(fault, "fault")?;
        let fault = map(py, Fault::from_json(&value, KeyStyle::Snake))?;
        self.with(py, move |e| e.inject_fault(fault))
    }

    fn counters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.with(py, |e| e.counters().to_json())?;
        json_to_py(py, &v)
    }

    fn reset(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, |e| e.reset())
    }

    fn clear_faults(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, |e| e.clear_faults())
    }

    #[pyo3(signature = (url, cookie = None))]
    fn fetch<'py>(
        &self,
        py: Python<'py>,
        url: String,
        cookie: Option<String>,
    ) -> PyResult<(u16, Option<String>, Bound<'py, PyBytes>)> {
        let r = self.with(py, |e| e.fetch(&url, cookie.as_deref()))?;
        let r = map(py, r.map_err(|e| io_error("fetch", &e)))?;
        Ok((r.status, r.reason, PyBytes::new(py, &r.body)))
    }

    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        let emu = self.inner.lock().map(|mut g| g.take()).unwrap_or(None);
        run(py, move || {
            drop(emu);
            Ok(())
        })
    }

    fn __repr__(&self) -> String {
        format!("NativeEmulator(url={})", py_str(&self.url))
    }
}
