//! `audit(token)` and `AuditWarning`: what a token grants that may be more
//! than meant, decided by the core's `audit`.

use pyo3::prelude::*;
use qencode_cdn::AuditWarning as CoreWarning;

use crate::convert::{option_to_json, py_str, serde_name, to_py, type_error, type_name};
use crate::errors::map;

/// One thing a token grants that may be more than meant: `code` is stable
/// (`PREFIX_COVERS_SIBLINGS`, `WHOLE_BUCKET`, `NEVER_EXPIRES`,
/// `LONG_LIFETIME`, `LEADING_SLASH`), `message` says it in words.
#[pyclass(module = "qencode_cdn", frozen, eq)]
#[derive(PartialEq, Clone)]
pub(crate) struct AuditWarning {
    inner: CoreWarning,
}

pub(crate) fn warnings(list: &[CoreWarning]) -> Vec<AuditWarning> {
    list.iter().cloned().map(|inner| AuditWarning { inner }).collect()
}

#[pymethods]
impl AuditWarning {
    /// The stable code, e.g. `"WHOLE_BUCKET"`.
    #[getter]
    fn code(&self) -> String {
        serde_name(&self.inner.code)
    }
    /// What the token grants, in words, with its own values.
    #[getter]
    fn message(&self) -> &str {
        &self.inner.message
    }
    /// `{"code": …, "message": …}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner)
    }
    fn __str__(&self) -> String {
        format!("{}: {}", self.code(), self.inner.message)
    }
    fn __repr__(&self) -> String {
        format!(
            "AuditWarning(code={}, message={})",
            py_str(&self.code()),
            py_str(&self.inner.message)
        )
    }
}

/// Audits a token **without verifying it** (no key needed): the grants that
/// are wider or longer than they look, in order. `now` (Unix seconds or an
/// aware `datetime`) is the audit's clock, the system clock by default. A
/// token that cannot be read is a `MalformedTokenError`.
#[pyfunction]
#[pyo3(signature = (token, *, now = None))]
pub(crate) fn audit(py: Python<'_>, token: &str, now: Option<Bound<'_, PyAny>>) -> PyResult<Vec<AuditWarning>> {
    let found = match now {
        None => qencode_cdn::audit(token),
        Some(now) => {
            let Some(at) = option_to_json(&now, "now")?.as_i64() else {
                return Err(type_error(
                    py,
                    format!(
                        "now must be an int (Unix seconds) or an aware datetime, got `{}`",
                        type_name(&now)
                    ),
                ));
            };
            qencode_cdn::audit_at(token, at)
        }
    };
    Ok(warnings(&map(py, found)?))
}
