//! Error mapping: a core [`qencode_cdn::Error`] becomes a JS `Error` whose
//! `code` is the DESIGN §5 string (`ErrorCode::as_str`), with `status`,
//! `body`, `requestId` and `retryAfter` on HTTP errors. The package's JS
//! wrapper (`lib/errors.js`) turns these into `QencodeError` subclasses.
//!
//! Every export runs its body through [`guard`] (sync) or [`guard_task`]
//! (libuv pool), so a panic becomes an `INTERNAL` error instead of aborting
//! the process.

use std::panic::{AssertUnwindSafe, catch_unwind};

use napi::bindgen_prelude::{JsError, JsObjectValue, Null};
use napi::{Env, JsValue, Unknown};
use qencode_cdn::{Error, ErrorCode};

/// The JS error `code` of a native error: always a DESIGN §5 string.
#[derive(Debug, Clone, Copy)]
pub struct Code(pub ErrorCode);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

/// The message of a caught panic. Fixed: a panic payload could hold anything.
pub const PANIC_MESSAGE: &str = "a panic was caught inside qencode-cdn (this is a bug, please report it)";

/// A core error as a napi error (code + message; the message never holds secrets).
pub fn to_napi(e: &Error) -> napi::Error<Code> {
    napi::Error::new(Code(e.code()), e.message())
}

/// Runs `f`, turning a core error into a JS error and a panic into INTERNAL.
pub fn guard<T>(f: impl FnOnce() -> Result<T, Error>) -> napi::Result<T, Code> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_napi(&e)),
        Err(_) => Err(napi::Error::new(Code(ErrorCode::Internal), PANIC_MESSAGE)),
    }
}

/// Like [`guard`] but keeps the core error, for work on the libuv pool whose
/// error becomes a JS value later, in [`reject`].
pub fn guard_task<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => Err(Error::with_code(ErrorCode::Internal, PANIC_MESSAGE)),
    }
}

/// Builds the JS error object of a core error on the JS thread and returns
/// it as a napi error that rejects the promise with exactly that object.
pub fn reject<T>(env: &Env, e: &Error) -> napi::Result<T> {
    match build_js_error(env, e) {
        Ok(unknown) => Err(napi::Error::from(unknown)),
        Err(_) => Err(napi::Error::new(napi::Status::GenericFailure, e.to_string())),
    }
}

fn build_js_error<'env>(env: &'env Env, e: &Error) -> napi::Result<Unknown<'env>> {
    let unknown = JsError::from(to_napi(e)).into_unknown(*env);
    if let Some(http) = e.http() {
        let mut obj = unknown.coerce_to_object()?;
        match http.status {
            Some(status) => obj.set_named_property("status", u32::from(status))?,
            None => obj.set_named_property("status", Null)?,
        }
        obj.set_named_property("body", http.body.as_str())?;
        if let Some(id) = &http.request_id {
            obj.set_named_property("requestId", id.as_str())?;
        }
        if let Some(after) = http.retry_after {
            obj.set_named_property("retryAfter", after.as_secs_f64())?;
        }
    }
    Ok(unknown)
}
