//! External signers written in JavaScript: `Signer.external(keyId,
//! publicKey, sign)`, where `sign(signingInput: Buffer)` returns the RS256
//! signature (a KMS, an HSM service, Vault …). The core does the rest as for
//! any external signer (`Signer::external_arc`): it assembles the token and
//! verifies every signature with the public key before returning it.
//!
//! A JavaScript function can only run on the JavaScript thread, inside a call
//! of this addon. So a JS signer is an [`ExternalSign`] that looks up the
//! function in a thread-local stack of frames: a native method of a signer
//! pushes its frame ([`Frame`]: the env and the function's value, valid for
//! that call) around the core call, and the core's call of
//! [`ExternalSign::sign`] — inline, on the same thread — finds it and calls
//! the function. Called from any other thread (the libuv pool, a batch
//! worker), there is no frame and the signer fails with SIGNER_FAILED
//! instead of touching JavaScript from the wrong thread.
//!
//! This module only converts: a `Buffer` of the signing input in, the
//! signature's bytes out (a `Buffer`, `Uint8Array` or `ArrayBuffer`), and a
//! thrown value into the text of the SIGNER_FAILED error (its message, never
//! the value itself). Awaiting a `Promise` is the JS wrapper's part
//! (`lib/index.js`): it finishes with [`crate::token::NativeSigner`]'s
//! `finishExternal`, the core's two-phase `Signer::finish`.

use std::cell::RefCell;
use std::ffi::c_void;
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use napi::bindgen_prelude::{FromNapiValue, Unknown};
use napi::{Env, JsValue, sys};
use qencode_cdn::{Error, ErrorCode, ExternalSign, ExternalSignError};

/// How long `signAsync` waits for a signer's Promise when no `timeout` is
/// given (seconds): a KMS call that hangs ends in TIMEOUT, not in a request
/// that waits forever.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest `timeout` accepted (a day).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(86_400);

/// The longest text of a thrown value carried into an error message (characters).
const MAX_THROWN_CHARS: usize = 500;

/// Why a JS signer was not called: it was asked from another thread.
pub const OFF_THREAD: &str = "a JavaScript signer runs only on the JavaScript thread, inside a call on its Signer; \
     it was called from another thread (no signature was requested)";

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// One call of a signer's native method in progress on this thread.
#[derive(Clone, Copy)]
struct Frame {
    id: u64,
    env: sys::napi_env,
    func: sys::napi_value,
}

thread_local! {
    static FRAMES: RefCell<Vec<Frame>> = const { RefCell::new(Vec::new()) };
}

/// The core's side of a JS signer: an id (which function) and a name. Holds
/// no JavaScript handle, so the core may keep it anywhere and drop it on any thread.
pub struct JsSigner {
    id: u64,
    name: String,
}

impl ExternalSign for JsSigner {
    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, ExternalSignError> {
        let frame = FRAMES
            .try_with(|f| f.borrow().iter().rev().find(|fr| fr.id == self.id).copied())
            .ok()
            .flatten();
        match frame {
            // SAFETY: the frame was pushed on this thread by a native method
            // that is still running (its `Entered` guard pops it), so its env
            // and function value are live, and we are on the JS thread.
            Some(frame) => unsafe { call(frame, signing_input) }.map_err(Into::into),
            None => Err(OFF_THREAD.into()),
        }
    }

    fn name(&self) -> String {
        self.name.clone()
    }
}

/// The JavaScript side of a JS signer: a strong reference to the function,
/// owned by the native `Signer` object(s) on the JS thread.
pub struct JsFunction {
    id: u64,
    env: sys::napi_env,
    reference: sys::napi_ref,
    name: String,
    timeout: Duration,
}

impl Drop for JsFunction {
    fn drop(&mut self) {
        // SAFETY: dropped with the native Signer object, on the JS thread
        // (its finalizer), with the env the reference was made in.
        unsafe { sys::napi_delete_reference(self.env, self.reference) };
    }
}

impl JsFunction {
    /// Keeps `func` (which must be a function) and gives the core's half.
    pub fn new(env: &Env, func: Unknown<'_>, timeout: Duration) -> Result<(JsFunction, JsSigner), Error> {
        let (raw_env, raw) = (env.raw(), func.raw());
        let mut ty = 0;
        // SAFETY: a value of this call, on the JS thread.
        let status = unsafe { sys::napi_typeof(raw_env, raw, &mut ty) };
        if status != sys::Status::napi_ok || ty != sys::ValueType::napi_function {
            return Err(Error::with_code(
                ErrorCode::InvalidArgument,
                "the external signer must be a function (signingInput: Buffer) => Buffer | Uint8Array | ArrayBuffer, \
                 or a Promise of one for signAsync",
            ));
        }
        let mut reference = ptr::null_mut();
        // SAFETY: as above.
        let status = unsafe { sys::napi_create_reference(raw_env, raw, 1, &mut reference) };
        if status != sys::Status::napi_ok {
            return Err(Error::with_code(
                ErrorCode::Internal,
                format!("cannot keep the signer function (napi status {status})"),
            ));
        }
        // SAFETY: as above.
        let label = unsafe { function_name(raw_env, raw) };
        let name = format!("JavaScript function {label}");
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let js = JsFunction {
            id,
            env: raw_env,
            reference,
            name: name.clone(),
            timeout,
        };
        Ok((js, JsSigner { id, name }))
    }

    /// What errors call this signer.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How long `signAsync` waits for the function's Promise.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Makes the function callable by the core on this thread until the
    /// returned guard drops (at the end of the native method).
    pub fn enter(&self, env: &Env) -> Result<Entered, Error> {
        let mut func = ptr::null_mut();
        // SAFETY: the reference is alive (owned by self), on the JS thread.
        let status = unsafe { sys::napi_get_reference_value(env.raw(), self.reference, &mut func) };
        if status != sys::Status::napi_ok || func.is_null() {
            return Err(Error::with_code(
                ErrorCode::Internal,
                format!("the signer function is gone (napi status {status})"),
            ));
        }
        let frame = Frame {
            id: self.id,
            env: env.raw(),
            func,
        };
        FRAMES.with(|f| f.borrow_mut().push(frame));
        Ok(Entered { id: self.id })
    }
}

/// Pops its frame when dropped (also when the core call panicked).
pub struct Entered {
    id: u64,
}

impl Drop for Entered {
    fn drop(&mut self) {
        let _ = FRAMES.try_with(|f| {
            let mut frames = f.borrow_mut();
            if let Some(at) = frames.iter().rposition(|fr| fr.id == self.id) {
                frames.remove(at);
            }
        });
    }
}

/// The function's `name`, or `(anonymous)`.
///
/// # Safety
/// `env` and `func` belong to the current call, on the JS thread.
unsafe fn function_name(env: sys::napi_env, func: sys::napi_value) -> String {
    let mut name = ptr::null_mut();
    // SAFETY: as the caller promises.
    let status = unsafe { sys::napi_get_named_property(env, func, c"name".as_ptr(), &mut name) };
    if status != sys::Status::napi_ok {
        // SAFETY: as the caller promises; a throwing getter leaves an exception.
        unsafe { clear_exception(env) };
        return "(anonymous)".into();
    }
    // SAFETY: as the caller promises.
    match unsafe { string(env, name) } {
        Some(s) if !s.is_empty() => truncate(&s, 100),
        _ => "(anonymous)".into(),
    }
}

/// Calls the frame's function with a copy of the signing input and turns
/// what it returns (or throws) into the signature or the reason it is none.
///
/// # Safety
/// The frame's env and function are live values of a call on this thread.
unsafe fn call(frame: Frame, signing_input: &[u8]) -> Result<Vec<u8>, String> {
    let env = frame.env;
    let mut buffer = ptr::null_mut();
    let mut data = ptr::null_mut();
    // SAFETY: copies `signing_input` into a new Buffer of this env.
    let status = unsafe {
        sys::napi_create_buffer_copy(
            env,
            signing_input.len(),
            signing_input.as_ptr().cast::<c_void>(),
            &mut data,
            &mut buffer,
        )
    };
    if status != sys::Status::napi_ok {
        return Err(format!("could not be given the signing input (napi status {status})"));
    }
    let mut this = ptr::null_mut();
    // SAFETY: as above.
    unsafe { sys::napi_get_undefined(env, &mut this) };
    let mut result = ptr::null_mut();
    // SAFETY: `func` is a function of this env (checked when it was kept);
    // one argument, the Buffer just made.
    let status = unsafe { sys::napi_call_function(env, this, frame.func, 1, &buffer, &mut result) };
    if status == sys::Status::napi_pending_exception {
        let mut thrown = ptr::null_mut();
        // SAFETY: an exception is pending; taking it clears it.
        unsafe { sys::napi_get_and_clear_last_exception(env, &mut thrown) };
        // SAFETY: `thrown` is a value of this env.
        return Err(unsafe { describe_thrown(env, thrown) });
    }
    if status != sys::Status::napi_ok {
        return Err(format!("could not be called (napi status {status})"));
    }
    // SAFETY: `result` is a value of this env.
    unsafe { signature_bytes(env, result) }
}

/// The bytes of what a signer returned (or a Promise resolved to): a
/// `Buffer` or `Uint8Array`, or an `ArrayBuffer` (WebCrypto's
/// `crypto.subtle.sign`). Anything else is the reason it is not a signature.
///
/// # Safety
/// `env` and `value` belong to the current call, on the JS thread.
pub unsafe fn signature_bytes(env: sys::napi_env, value: sys::napi_value) -> Result<Vec<u8>, String> {
    let mut is = false;
    // SAFETY: as the caller promises (for every napi call below).
    unsafe { sys::napi_is_typedarray(env, value, &mut is) };
    if is {
        let (mut ty, mut len, mut data) = (0, 0usize, ptr::null_mut());
        let (mut buffer, mut offset) = (ptr::null_mut(), 0usize);
        let status = unsafe {
            sys::napi_get_typedarray_info(env, value, &mut ty, &mut len, &mut data, &mut buffer, &mut offset)
        };
        if status != sys::Status::napi_ok {
            return Err(format!(
                "returned a typed array that cannot be read (napi status {status})"
            ));
        }
        if ty != sys::TypedarrayType::uint8_array {
            return Err(format!(
                "returned {}; return the signature's bytes as a Buffer, Uint8Array or ArrayBuffer",
                typed_array_name(ty)
            ));
        }
        // `data` already points at the first element (the offset applied).
        return Ok(if len == 0 || data.is_null() {
            Vec::new()
        } else {
            // SAFETY: napi says `data` holds `len` bytes of the live array.
            unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) }.to_vec()
        });
    }
    unsafe { sys::napi_is_arraybuffer(env, value, &mut is) };
    if is {
        let (mut data, mut len) = (ptr::null_mut(), 0usize);
        let status = unsafe { sys::napi_get_arraybuffer_info(env, value, &mut data, &mut len) };
        if status != sys::Status::napi_ok {
            return Err(format!(
                "returned an ArrayBuffer that cannot be read (napi status {status})"
            ));
        }
        return Ok(if len == 0 || data.is_null() {
            Vec::new()
        } else {
            // SAFETY: napi says `data` holds `len` bytes of the live buffer.
            unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) }.to_vec()
        });
    }
    unsafe { sys::napi_is_promise(env, value, &mut is) };
    if is {
        return Err(
            "returned a Promise: sign(), the signed URLs, signedCookie() and signMany() are synchronous \
                    and need the signature itself; await an async signer with signAsync() or signManyAsync()"
                .into(),
        );
    }
    let mut ty = 0;
    unsafe { sys::napi_typeof(env, value, &mut ty) };
    Err(match ty {
        sys::ValueType::napi_string => {
            "returned a string; return the signature's raw bytes (for base64 text: Buffer.from(text, 'base64'))".into()
        }
        _ => format!(
            "returned {}, not the signature's bytes (a Buffer, Uint8Array or ArrayBuffer)",
            type_name(ty)
        ),
    })
}

/// What was thrown, in words: `threw TypeError: message` (the message only,
/// cut to [`MAX_THROWN_CHARS`]; never the value's other properties).
///
/// # Safety
/// `env` and `thrown` belong to the current call, on the JS thread.
pub unsafe fn describe_thrown(env: sys::napi_env, thrown: sys::napi_value) -> String {
    let mut ty = 0;
    // SAFETY: as the caller promises (for every napi call below).
    unsafe { sys::napi_typeof(env, thrown, &mut ty) };
    match ty {
        sys::ValueType::napi_string => {
            let text = unsafe { string(env, thrown) }.unwrap_or_default();
            format!("threw the string {:?}", truncate(&text, MAX_THROWN_CHARS))
        }
        sys::ValueType::napi_object => {
            let message = unsafe { property_string(env, thrown, c"message") };
            let name = unsafe { property_string(env, thrown, c"name") };
            match (name, message) {
                (Some(n), Some(m)) => format!("threw {}: {}", truncate(&n, 100), truncate(&m, MAX_THROWN_CHARS)),
                (None, Some(m)) => format!("threw {}", truncate(&m, MAX_THROWN_CHARS)),
                _ => "threw an object without a message".into(),
            }
        }
        other => format!("threw {}", type_name(other)),
    }
}

/// A string property, or `None` (absent, not a string, or a throwing getter).
///
/// # Safety
/// As [`describe_thrown`]; `object` is an object.
unsafe fn property_string(env: sys::napi_env, object: sys::napi_value, name: &std::ffi::CStr) -> Option<String> {
    let mut value = ptr::null_mut();
    // SAFETY: as the caller promises.
    let status = unsafe { sys::napi_get_named_property(env, object, name.as_ptr(), &mut value) };
    if status != sys::Status::napi_ok {
        // SAFETY: as the caller promises.
        unsafe { clear_exception(env) };
        return None;
    }
    // SAFETY: `value` is a value of this env.
    unsafe { string(env, value) }
}

/// The text of a JS string value, or `None` for any other value.
///
/// # Safety
/// As [`describe_thrown`].
unsafe fn string(env: sys::napi_env, value: sys::napi_value) -> Option<String> {
    let mut ty = 0;
    // SAFETY: as the caller promises.
    unsafe { sys::napi_typeof(env, value, &mut ty) };
    if ty != sys::ValueType::napi_string {
        return None;
    }
    // SAFETY: `value` is a string.
    unsafe { String::from_napi_value(env, value) }.ok()
}

/// Clears an exception a getter may have left pending.
///
/// # Safety
/// As [`describe_thrown`].
unsafe fn clear_exception(env: sys::napi_env) {
    let mut pending = false;
    // SAFETY: as the caller promises.
    unsafe { sys::napi_is_exception_pending(env, &mut pending) };
    if pending {
        let mut ignored = ptr::null_mut();
        // SAFETY: an exception is pending.
        unsafe { sys::napi_get_and_clear_last_exception(env, &mut ignored) };
    }
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

fn type_name(ty: sys::napi_valuetype) -> &'static str {
    match ty {
        sys::ValueType::napi_undefined => "undefined",
        sys::ValueType::napi_null => "null",
        sys::ValueType::napi_boolean => "a boolean",
        sys::ValueType::napi_number => "a number",
        sys::ValueType::napi_string => "a string",
        sys::ValueType::napi_symbol => "a symbol",
        sys::ValueType::napi_object => "an object",
        sys::ValueType::napi_function => "a function",
        sys::ValueType::napi_bigint => "a BigInt",
        _ => "a value of another kind",
    }
}

fn typed_array_name(ty: sys::napi_typedarray_type) -> &'static str {
    match ty {
        sys::TypedarrayType::int8_array => "an Int8Array",
        sys::TypedarrayType::uint8_clamped_array => "a Uint8ClampedArray",
        sys::TypedarrayType::int16_array => "an Int16Array",
        sys::TypedarrayType::uint16_array => "a Uint16Array",
        sys::TypedarrayType::int32_array => "an Int32Array",
        sys::TypedarrayType::uint32_array => "a Uint32Array",
        sys::TypedarrayType::float32_array => "a Float32Array",
        sys::TypedarrayType::float64_array => "a Float64Array",
        sys::TypedarrayType::bigint64_array => "a BigInt64Array",
        sys::TypedarrayType::biguint64_array => "a BigUint64Array",
        _ => "a typed array",
    }
}

/// The error of a signer whose Promise rejected (`signAsync`): the same
/// words as the core's for a signer that fails.
///
/// # Safety
/// `env` and `reason` belong to the current call, on the JS thread.
pub unsafe fn rejected(name: &str, env: sys::napi_env, reason: sys::napi_value) -> Error {
    // SAFETY: as the caller promises.
    let why = unsafe { describe_thrown(env, reason) }.replacen("threw", "rejected with", 1);
    Error::with_code(
        ErrorCode::SignerFailed,
        format!("the external signer `{name}` failed: {why}"),
    )
}

/// The error of a signer whose Promise did not settle within its timeout.
pub fn timed_out(name: &str, timeout: Duration) -> Error {
    Error::with_code(
        ErrorCode::Timeout,
        format!(
            "the external signer `{name}` did not answer within {} s; no token was made",
            timeout.as_secs_f64()
        ),
    )
}

/// A signer's answer that is not a signature (`finishExternal`).
pub fn not_a_signature(name: &str, why: &str) -> Error {
    Error::with_code(
        ErrorCode::SignerFailed,
        format!("the external signer `{name}` failed: {why}"),
    )
}

/// `timeout` (seconds) of `Signer.external`'s options: more than zero, at most a day.
pub fn timeout_from_seconds(secs: Option<f64>) -> Result<Duration, Error> {
    let Some(secs) = secs else {
        return Ok(DEFAULT_TIMEOUT);
    };
    match Duration::try_from_secs_f64(secs) {
        Ok(d) if !d.is_zero() && d <= MAX_TIMEOUT => Ok(d),
        _ => Err(Error::with_code(
            ErrorCode::InvalidArgument,
            format!(
                "the external signer's timeout must be more than 0 and at most {} seconds, got {secs}",
                MAX_TIMEOUT.as_secs()
            ),
        )),
    }
}
