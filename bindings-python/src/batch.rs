//! `Signer.sign_many`: the items converted with the GIL held, the whole
//! batch signed by the core (`Signer::sign_many_json`) with the GIL
//! released, one `SignResult` per item.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use serde_json::{Map, Value};

use crate::convert::{option_to_json, type_error, type_name};

/// One item of a batch: `uri`, `(uri,)` or `(uri, options)` (a list of one
/// or two works too); `options` is a dict of the keyword options of `sign`
/// (or `None`). Its values are converted as keyword arguments are.
pub(crate) fn item(obj: &Bound<'_, PyAny>, index: usize) -> PyResult<(String, Value)> {
    let py = obj.py();
    let what = format!("item {index}");
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok((s.to_cow()?.into_owned(), Value::Object(Map::new())));
    }
    let parts: Vec<Bound<'_, PyAny>> = if let Ok(t) = obj.cast::<PyTuple>() {
        t.iter().collect()
    } else if let Ok(l) = obj.cast::<PyList>() {
        l.iter().collect()
    } else {
        return Err(type_error(
            py,
            format!(
                "{what} must be a uri (str) or a (uri, options) tuple, got `{}`",
                type_name(obj)
            ),
        ));
    };
    let (uri, options) = match parts.as_slice() {
        [uri] => (uri, None),
        [uri, options] => (uri, Some(options)),
        _ => {
            return Err(type_error(
                py,
                format!("{what} must be (uri,) or (uri, options), got {} members", parts.len()),
            ));
        }
    };
    let uri = uri
        .cast::<PyString>()
        .map_err(|_| type_error(py, format!("{what}: the uri must be a str, got `{}`", type_name(uri))))?
        .to_cow()?
        .into_owned();
    let mut map = Map::new();
    if let Some(options) = options.filter(|o| !o.is_none()) {
        let d = options.cast::<PyDict>().map_err(|_| {
            type_error(
                py,
                format!(
                    "{what}: the options must be a dict of sign options, got `{}`",
                    type_name(options)
                ),
            )
        })?;
        for (k, v) in d.iter() {
            let key = k
                .cast::<PyString>()
                .map_err(|_| type_error(py, format!("{what}: option names must be str")))?
                .to_cow()?
                .into_owned();
            let value = option_to_json(&v, &key)?;
            map.insert(key, value);
        }
    }
    Ok((uri, Value::Object(map)))
}

/// The outcome of one item of `Signer.sign_many`: a token, or the error
/// that item got. `.token` raises that error for a failed item, so a
/// failure never turns into a URL by accident.
#[pyclass(module = "qencode_cdn", frozen)]
pub(crate) struct SignResult {
    token: Option<Py<PyString>>,
    error: Option<Py<PyAny>>,
}

impl SignResult {
    pub(crate) fn signed(py: Python<'_>, token: &str) -> Self {
        SignResult {
            token: Some(PyString::new(py, token).unbind()),
            error: None,
        }
    }

    pub(crate) fn failed(py: Python<'_>, err: PyErr) -> Self {
        SignResult {
            token: None,
            error: Some(err.into_value(py).into_any()),
        }
    }
}

#[pymethods]
impl SignResult {
    /// True when the item was signed.
    #[getter]
    fn ok(&self) -> bool {
        self.token.is_some()
    }

    /// The token; raises the item's error (a `QencodeError`) when it failed.
    #[getter]
    fn token(&self, py: Python<'_>) -> PyResult<Py<PyString>> {
        match (&self.token, &self.error) {
            (Some(t), _) => Ok(t.clone_ref(py)),
            (None, Some(e)) => Err(PyErr::from_value(e.bind(py).clone())),
            (None, None) => Err(crate::errors::internal(
                py,
                "a batch result has neither token nor error",
            )),
        }
    }

    /// The item's error (a `QencodeError`), or `None` when it was signed.
    #[getter]
    fn error(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.error.as_ref().map(|e| e.clone_ref(py))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        match &self.error {
            // The token is a bearer credential: not shown.
            None => "SignResult(ok=True, token='<redacted>')".to_string(),
            Some(e) => {
                let shown = e
                    .bind(py)
                    .repr()
                    .and_then(|r| r.to_cow().map(|c| c.into_owned()))
                    .unwrap_or_else(|_| "?".to_string());
                format!("SignResult(ok=False, error={shown})")
            }
        }
    }
}
