//! Errors: the one table of DESIGN.md §5, mapped to the exception classes of
//! `qencode_cdn._errors` (pure Python), and the wrapper that releases the GIL
//! and turns a panic into `INTERNAL`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};
use qencode_cdn::{Error, ErrorCode};

/// Which keyword arguments an exception class takes besides `code`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `(message, *, code)`.
    Plain,
    /// `ApiError(message, *, code, status, body, request_id)`.
    Api,
    /// `RateLimitedError(..., retry_after)`.
    RateLimited,
}

/// The Python class (in `qencode_cdn._errors`) of each code.
///
/// Exhaustive on purpose: a code added to the core does not compile here
/// until it has a class.
fn class_of(code: ErrorCode) -> (&'static str, Shape) {
    match code {
        ErrorCode::InvalidArgument => ("InvalidArgumentError", Shape::Plain),
        ErrorCode::InvalidKey => ("InvalidKeyError", Shape::Plain),
        ErrorCode::MalformedToken => ("MalformedTokenError", Shape::Plain),
        ErrorCode::InvalidSignature => ("InvalidSignatureError", Shape::Plain),
        ErrorCode::TokenExpired => ("TokenExpiredError", Shape::Plain),
        ErrorCode::TokenNotYetValid => ("TokenNotYetValidError", Shape::Plain),
        ErrorCode::UriMismatch => ("UriMismatchError", Shape::Plain),
        ErrorCode::UnknownKeyId => ("UnknownKeyIdError", Shape::Plain),
        ErrorCode::Unauthorized => ("UnauthorizedError", Shape::Api),
        ErrorCode::NotFound => ("NotFoundError", Shape::Api),
        ErrorCode::RateLimited => ("RateLimitedError", Shape::RateLimited),
        ErrorCode::ApiError => ("ApiError", Shape::Api),
        ErrorCode::Transport => ("TransportError", Shape::Plain),
        ErrorCode::Timeout => ("QencodeTimeoutError", Shape::Plain),
        ErrorCode::Decode => ("DecodeError", Shape::Plain),
        ErrorCode::Internal => ("InternalError", Shape::Plain),
    }
}

static ERRORS_MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    ERRORS_MODULE
        .get_or_try_init(py, || py.import("qencode_cdn._errors").map(Bound::unbind))
        .map(|m| m.bind(py))
}

/// Converts a core error into the matching Python exception.
pub(crate) fn to_pyerr(py: Python<'_>, err: Error) -> PyErr {
    match build(py, &err) {
        Ok(e) => e,
        Err(import_failure) => import_failure,
    }
}

fn build(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let code = err.code();
    let (name, shape) = class_of(code);
    // The one refinement of the table: an INVALID_ARGUMENT about the type of
    // an argument is also a `TypeError` (the core says which ones are).
    let name = if err.is_type_error() {
        "InvalidArgumentTypeError"
    } else {
        name
    };
    let cls = errors_module(py)?.getattr(name)?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", code.as_str())?;
    if shape != Shape::Plain {
        let http = err.http();
        kwargs.set_item("status", err.status())?;
        kwargs.set_item("body", http.map(|h| h.body.as_str()))?;
        kwargs.set_item("request_id", http.and_then(|h| h.request_id.as_deref()))?;
        if shape == Shape::RateLimited {
            kwargs.set_item("retry_after", err.retry_after().map(|d| d.as_secs_f64()))?;
        }
    }
    let exc = cls.call((err.to_string(),), Some(&kwargs))?;
    Ok(PyErr::from_value(exc))
}

/// An `INTERNAL` error: a result the binding could not convert (a bug).
pub(crate) fn internal(py: Python<'_>, msg: impl Into<String>) -> PyErr {
    to_pyerr(py, Error::with_code(ErrorCode::Internal, msg))
}

fn caught_panic(payload: Box<dyn std::any::Any + Send>) -> Error {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    Error::with_code(
        ErrorCode::Internal,
        format!("a bug in qencode-cdn (caught panic: {what}); please report it"),
    )
}

/// Runs core work with the GIL released; a panic becomes `INTERNAL`.
pub(crate) fn run<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> qencode_cdn::Result<T> + Send,
{
    let out = py.detach(|| catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(caught_panic(p))));
    out.map_err(|e| to_pyerr(py, e))
}

/// Runs core work *holding* the GIL (a panic becomes `INTERNAL`): for the
/// calls that read the process environment, so that no Python thread changes
/// `os.environ` meanwhile.
pub(crate) fn run_holding_gil<T>(py: Python<'_>, f: impl FnOnce() -> qencode_cdn::Result<T>) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|p| Err(caught_panic(p)))
        .map_err(|e| to_pyerr(py, e))
}

/// Maps a core result without releasing the GIL (for cheap calls).
pub(crate) fn map<T>(py: Python<'_>, r: qencode_cdn::Result<T>) -> PyResult<T> {
    r.map_err(|e| to_pyerr(py, e))
}

/// A panic inside the core, caught: only for the test that proves a panic
/// becomes `InternalError` rather than a `BaseException`.
#[pyfunction]
pub(crate) fn _raise_panic_for_tests(py: Python<'_>) -> PyResult<()> {
    run(py, || -> qencode_cdn::Result<()> {
        panic!("deliberate panic for the test suite")
    })
}

/// Every error code, in the order of DESIGN.md §5, with its class name.
#[pyfunction]
pub(crate) fn _error_table() -> Vec<(&'static str, &'static str)> {
    ErrorCode::ALL.iter().map(|c| (c.as_str(), class_of(*c).0)).collect()
}

/// Raises the exception of `code` with `message` (as the core would), for
/// the test that walks every code through the mapping. `status` and
/// `retry_after` are set only on HTTP errors (others have no status);
/// `type_error` makes an INVALID_ARGUMENT of the type kind.
#[pyfunction]
#[pyo3(signature = (code, message, status = None, retry_after = None, type_error = false))]
pub(crate) fn _raise_error_for_tests(
    py: Python<'_>,
    code: &str,
    message: String,
    status: Option<u16>,
    retry_after: Option<u64>,
    type_error: bool,
) -> PyResult<()> {
    let Some(code) = ErrorCode::from_str_code(code) else {
        return Err(crate::convert::value_error(py, format!("unknown error code `{code}`")));
    };
    let mut err = match code {
        ErrorCode::InvalidArgument if type_error => Error::InvalidArgumentType(message),
        _ => Error::with_code(code, message),
    };
    if let Error::Http { http, .. } = &mut err {
        http.status = status;
        http.body = "{\"error\":\"test\"}".to_string();
        http.retry_after = retry_after.map(std::time::Duration::from_secs);
    }
    Err(to_pyerr(py, err))
}
