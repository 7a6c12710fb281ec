//! External signers: a Python callable as the core's `ExternalSign`, and the
//! two-phase `PreparedToken` for signers that are awaited.
//!
//! The core calls the callable on its deadline helper thread
//! (`Signer::external_with_timeout`), which takes the GIL for the call only;
//! the thread that asked for the token has released it. The core checks the
//! length and the signature; this module only converts: `bytes` in,
//! `bytes` out, and an exception into the message of the SIGNER_FAILED
//! error. The exception object itself is kept for a moment so that the
//! binding can make it the `__cause__` of the `SignerFailedError` it raises.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};
use qencode_cdn::ExternalSignError;

use crate::convert::{py_str, type_error, type_name};
use crate::errors::map;

/// The deadline of each call of a `sign` callable when `timeout=` is not
/// given (seconds). A deadline is always on: a hanging KMS call must end in
/// TIMEOUT, not hold a request forever.
pub(crate) const DEFAULT_SIGNER_TIMEOUT: Duration = Duration::from_secs(30);

/// Exceptions kept for their `SignerFailedError` (a bounded number: a
/// callable that raises after its deadline leaves one nobody claims).
const KEPT_FAILURES: usize = 64;

/// The longest exception text carried in an error message (characters).
const MAX_CAUSE_CHARS: usize = 500;

/// A Python callable `sign(signing_input: bytes) -> bytes`.
pub(crate) struct PyExternal {
    sign: Py<PyAny>,
    name: String,
    /// Recent exceptions of the callable with the text the core put in its
    /// message, oldest first.
    failures: Mutex<VecDeque<(String, Py<PyAny>)>>,
}

impl PyExternal {
    /// Checks that `sign` can be called (a coroutine function cannot: its
    /// result is awaited, and the core waits on a thread).
    pub(crate) fn new(sign: &Bound<'_, PyAny>, name: Option<String>) -> PyResult<Self> {
        let py = sign.py();
        if !sign.is_callable() {
            return Err(type_error(
                py,
                format!(
                    "sign must be a callable taking the signing input (bytes) and returning the signature (bytes), got `{}`",
                    type_name(sign)
                ),
            ));
        }
        let inspect = py.import("inspect")?;
        if inspect.call_method1("iscoroutinefunction", (sign,))?.is_truthy()? {
            return Err(type_error(py, ASYNC_HINT));
        }
        let name = match name {
            Some(n) => n,
            None => {
                let label = sign
                    .getattr("__qualname__")
                    .ok()
                    .and_then(|q| q.extract::<String>().ok())
                    .unwrap_or_else(|| type_name(sign));
                format!("Python callable {label}")
            }
        };
        Ok(PyExternal {
            sign: sign.clone().unbind(),
            name,
            failures: Mutex::new(VecDeque::new()),
        })
    }

    fn call(&self, py: Python<'_>, signing_input: &[u8]) -> Result<Vec<u8>, ExternalSignError> {
        let arg = PyBytes::new(py, signing_input);
        match call_parking_at_shutdown(self.sign.bind(py), arg.as_any()) {
            Ok(v) => signature(&v).map_err(Into::into),
            Err(e) => {
                let text = describe(py, &e);
                let mut kept = self.failures.lock().unwrap_or_else(|p| p.into_inner());
                if kept.len() == KEPT_FAILURES {
                    kept.pop_front();
                }
                kept.push_back((text.clone(), e.into_value(py).into_any()));
                Err(text.into())
            }
        }
    }

    /// The exception behind a SIGNER_FAILED message of this signer, if it
    /// was one the callable raised (taken out: each is claimed once).
    /// Matched by the text the core put at the end of its message: two
    /// exceptions with the same type and text are interchangeable causes.
    pub(crate) fn claim(&self, py: Python<'_>, message: &str) -> Option<PyErr> {
        let mut kept = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let at = kept
            .iter()
            .rposition(|(text, _)| message.ends_with(&format!(" failed: {text}")))?;
        let (_, exc) = kept.remove(at)?;
        Some(PyErr::from_value(exc.into_bound(py)))
    }
}

impl PyExternal {
    /// The signature of `signing_input`, from the callable (the GIL is taken
    /// for the call).
    pub(crate) fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, ExternalSignError> {
        Python::try_attach(|py| self.call(py, signing_input))
            .unwrap_or_else(|| Err("the Python interpreter is shutting down".into()))
    }

    /// The name in errors.
    pub(crate) fn name(&self) -> String {
        self.name.clone()
    }
}

/// `callable(arg)`, on the core's helper thread. When the interpreter shuts
/// down while the callable runs (a hung KMS call that already timed out),
/// CPython before 3.14 ends this thread with `pthread_exit` the next time it
/// wants the GIL; that forced unwind must not run through Rust frames (it
/// aborts the process). As PyO3 does around taking the GIL, the call is made
/// through a `C-unwind` declaration with a guard whose drop parks the thread
/// for good instead: the process exits normally.
#[cfg(unix)]
fn call_parking_at_shutdown<'py>(callable: &Bound<'py, PyAny>, arg: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    use pyo3::types::PyTuple;

    unsafe extern "C-unwind" {
        #[link_name = "PyObject_Call"]
        fn object_call(
            callable: *mut pyo3::ffi::PyObject,
            args: *mut pyo3::ffi::PyObject,
            kwargs: *mut pyo3::ffi::PyObject,
        ) -> *mut pyo3::ffi::PyObject;
    }

    /// Dropped only by a forced unwind out of the call: never returns.
    struct ParkForever;
    impl Drop for ParkForever {
        fn drop(&mut self) {
            loop {
                std::thread::park();
            }
        }
    }

    let py = callable.py();
    let args = PyTuple::new(py, [arg])?;
    let guard = ParkForever;
    // SAFETY: both pointers are live objects of this GIL-holding thread; the
    // result is a new reference or NULL with an exception set.
    let result = unsafe { object_call(callable.as_ptr(), args.as_ptr(), std::ptr::null_mut()) };
    std::mem::forget(guard);
    // SAFETY: as above.
    unsafe { Bound::from_owned_ptr_or_err(py, result) }
}

/// `callable(arg)` (elsewhere a thread is not ended with a forced unwind).
#[cfg(not(unix))]
fn call_parking_at_shutdown<'py>(callable: &Bound<'py, PyAny>, arg: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    callable.call1((arg,))
}

const ASYNC_HINT: &str = "sign is an async function; the core waits for a signature on a thread and cannot await it. \
     Use Signer.prepare(uri, ...) and await your signer on .signing_input, then PreparedToken.finish(signature)";

/// The callable's result as raw signature bytes: `bytes`, `bytearray` or
/// `memoryview`. What the bytes must be (length, validity) the core checks.
fn signature(v: &Bound<'_, PyAny>) -> Result<Vec<u8>, String> {
    if let Ok(b) = v.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = v.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    let py = v.py();
    if type_name(v) == "memoryview" {
        if let Ok(b) = py
            .import("builtins")
            .and_then(|m| m.getattr("bytes"))
            .and_then(|f| f.call1((v,)))
        {
            if let Ok(b) = b.cast::<PyBytes>() {
                return Ok(b.as_bytes().to_vec());
            }
        }
    }
    if v.hasattr("__await__").unwrap_or(false) {
        // Never awaited: close it so Python does not warn about it later.
        let _ = v.call_method0("close");
        return Err(format!("it returned a coroutine. {ASYNC_HINT}"));
    }
    Err(format!(
        "it returned `{}`; a sign callable returns the signature as bytes",
        type_name(v)
    ))
}

/// `ValueError: the message` (the type's qualified name, then `str(e)`),
/// at most [`MAX_CAUSE_CHARS`] characters.
fn describe(py: Python<'_>, e: &PyErr) -> String {
    let kind = e
        .get_type(py)
        .qualname()
        .and_then(|n| n.to_cow().map(|c| c.into_owned()))
        .unwrap_or_else(|_| "exception".to_string());
    let text = e
        .value(py)
        .str()
        .and_then(|s| s.to_cow().map(|c| c.into_owned()))
        .unwrap_or_default();
    let full = if text.is_empty() {
        kind
    } else {
        format!("{kind}: {text}")
    };
    if full.chars().count() <= MAX_CAUSE_CHARS {
        full
    } else {
        let mut cut: String = full.chars().take(MAX_CAUSE_CHARS).collect();
        cut.push('…');
        cut
    }
}

/// A token waiting for its signature (`Signer.prepare`): sign
/// `signing_input` with RS256 anywhere — an awaited KMS call, another
/// service — then `finish(signature)` checks it with the signer's public key
/// and returns the token.
#[pyclass(module = "qencode_cdn", frozen)]
pub(crate) struct PreparedToken {
    pub(crate) inner: qencode_cdn::PreparedToken,
    pub(crate) key_id: String,
}

#[pymethods]
impl PreparedToken {
    /// The bytes to sign: `base64url(header) "." base64url(payload)`.
    #[getter]
    fn signing_input<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.signing_input().as_bytes())
    }

    /// The token, once `signature` (the raw RS256 signature, `bytes`)
    /// verifies with the signer's public key; `SignerFailedError` otherwise.
    /// May be called again (say, after a retry of the signer).
    fn finish(&self, py: Python<'_>, signature: &Bound<'_, PyAny>) -> PyResult<String> {
        let sig = self::signature_arg(signature)?;
        map(py, self.inner.clone().finish(&sig))
    }

    fn __repr__(&self) -> String {
        format!("PreparedToken(key_id={})", py_str(&self.key_id))
    }
}

/// `finish(signature)`: `bytes`, `bytearray` or `memoryview`.
fn signature_arg(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if obj.is_instance_of::<PyString>() {
        return Err(type_error(
            obj.py(),
            "signature must be the raw signature bytes, not str (decode base64 first)",
        ));
    }
    signature(obj).map_err(|_| type_error(obj.py(), format!("signature must be bytes, got `{}`", type_name(obj))))
}
