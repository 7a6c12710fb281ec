//! JavaScript values as JSON, for the core's readers of options given as
//! data (`SignOptions::from_json`, `VerifyOptions::from_json`,
//! `split_cookie_options`, `ClientBuilder::options_json`, the emulator's
//! `Fault::from_json`). Conversion only: what an object means — unknown keys,
//! wrong types, a `null` lifetime — is decided by the core.
//!
//! The rules are `JSON.stringify`'s, except where it would turn a mistake
//! into a different value instead of an error:
//!
//! - an option whose value is `undefined` (`{ expiresIn: config.ttl }` with
//!   `ttl` never set) is `null`, so the core refuses a lifetime given as
//!   nothing and reads any other `null` as "not given". Inside a value
//!   (claims) an `undefined` member is left out and an `undefined` array
//!   element is `null`, as `JSON.stringify` does;
//! - a `Date` is whole Unix seconds (rounded down), the JWT NumericDate; an
//!   invalid `Date` is an error;
//! - `NaN`, `Infinity`, a BigInt, a function or a symbol is an error, and so
//!   is nesting deeper than [`MAX_DEPTH`] (a cycle);
//! - whole numbers are JSON integers (`5000000000`, not `5000000000.0`).
//!
//! Only own enumerable string keys are read, in the object's own order.

use std::ptr;

use napi::bindgen_prelude::{FromNapiValue, Unknown};
use napi::{JsValue, sys};
use qencode_cdn::{Error, ErrorCode};
use serde_json::{Map, Number, Value};

/// How deep a value may nest (claims of real tokens are flat; a cycle is not).
pub const MAX_DEPTH: usize = 32;

/// Largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Why a value could not be written as JSON, and where (innermost key last).
struct Bad {
    path: Vec<String>,
    reason: String,
}

impl Bad {
    fn new(reason: impl Into<String>) -> Self {
        Bad {
            path: Vec::new(),
            reason: reason.into(),
        }
    }

    fn at(mut self, key: String) -> Self {
        self.path.push(key);
        self
    }

    fn into_error(self, what: &str) -> Error {
        let mut path = String::new();
        for key in self.path.iter().rev() {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
        }
        let message = if path.is_empty() {
            format!("{what} {}", self.reason)
        } else {
            format!("{what}: `{}` {}", path.escape_debug(), self.reason)
        };
        Error::with_code(ErrorCode::InvalidArgument, message)
    }
}

/// A napi call failed (a throwing getter, a revoked proxy …).
fn napi_failed(status: sys::napi_status) -> Bad {
    Bad::new(format!("cannot be read (napi status {status})"))
}

fn check(status: sys::napi_status) -> Result<(), Bad> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi_failed(status))
    }
}

/// An options argument as JSON: an absent argument, `undefined` and `null`
/// are `null` (the core's "no options"); an option whose value is
/// `undefined` is `null`. `what` names the argument in errors.
pub fn options(value: Option<Unknown<'_>>, what: &str) -> Result<Value, Error> {
    let Some(value) = value else {
        return Ok(Value::Null);
    };
    let (env, raw) = (value.value().env, value.raw());
    // SAFETY: `env` and `raw` come from a live `Unknown` handed to this call
    // on the JS thread; they stay valid until the call returns.
    unsafe { convert(env, raw, 0, true) }
        .map(|v| v.unwrap_or(Value::Null))
        .map_err(|b| b.into_error(what))
}

/// Any JS value as JSON (a JWK object, a fault): [`options`] with the same rules.
pub fn value(value: Unknown<'_>, what: &str) -> Result<Value, Error> {
    options(Some(value), what)
}

/// `Ok(None)` for `undefined`. `top` is true for the members of the
/// outermost object, where `undefined` is `null`.
///
/// # Safety
/// `env` is the current call's env and `v` a value of it, on the JS thread.
unsafe fn convert(env: sys::napi_env, v: sys::napi_value, depth: usize, top: bool) -> Result<Option<Value>, Bad> {
    let mut ty = 0;
    // SAFETY: as the caller promises.
    check(unsafe { sys::napi_typeof(env, v, &mut ty) })?;
    match ty {
        sys::ValueType::napi_undefined => Ok(None),
        sys::ValueType::napi_null => Ok(Some(Value::Null)),
        sys::ValueType::napi_boolean => {
            let mut b = false;
            // SAFETY: `v` is a boolean.
            check(unsafe { sys::napi_get_value_bool(env, v, &mut b) })?;
            Ok(Some(Value::Bool(b)))
        }
        sys::ValueType::napi_number => {
            let mut f = 0.0;
            // SAFETY: `v` is a number.
            check(unsafe { sys::napi_get_value_double(env, v, &mut f) })?;
            number(f).map(Some)
        }
        sys::ValueType::napi_string => {
            // SAFETY: `v` is a string.
            let s = unsafe { String::from_napi_value(env, v) }.map_err(|_| Bad::new("is not valid text"))?;
            Ok(Some(Value::String(s)))
        }
        sys::ValueType::napi_object => {
            if depth >= MAX_DEPTH {
                return Err(Bad::new(format!(
                    "nests more than {MAX_DEPTH} levels deep (is it a cycle?)"
                )));
            }
            // SAFETY: `v` is an object.
            unsafe { object(env, v, depth, top) }.map(Some)
        }
        sys::ValueType::napi_bigint => Err(Bad::new("is a BigInt, which JSON cannot hold; give a number")),
        sys::ValueType::napi_function => Err(Bad::new("is a function, which JSON cannot hold")),
        sys::ValueType::napi_symbol => Err(Bad::new("is a symbol, which JSON cannot hold")),
        _ => Err(Bad::new("is not a JSON value")),
    }
}

/// A JS number as a JSON number: whole numbers within ±2^53 as integers.
fn number(f: f64) -> Result<Value, Bad> {
    if f.is_finite() && f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER {
        // Exact: a whole number within ±2^53 converts to i64 without loss.
        return Ok(Value::Number(Number::from(f as i64)));
    }
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| Bad::new(format!("is {f}, which JSON cannot hold")))
}

/// An array, a `Date` or a plain object.
///
/// # Safety
/// As [`convert`], and `v` is an object.
unsafe fn object(env: sys::napi_env, v: sys::napi_value, depth: usize, top: bool) -> Result<Value, Bad> {
    let mut is_array = false;
    // SAFETY: as the caller promises.
    check(unsafe { sys::napi_is_array(env, v, &mut is_array) })?;
    if is_array {
        let mut len = 0u32;
        // SAFETY: `v` is an array.
        check(unsafe { sys::napi_get_array_length(env, v, &mut len) })?;
        let mut out = Vec::with_capacity(len as usize);
        for i in 0..len {
            let mut item = ptr::null_mut();
            // SAFETY: `v` is an array and `i` within its length.
            check(unsafe { sys::napi_get_element(env, v, i, &mut item) }).map_err(|b| b.at(format!("[{i}]")))?;
            // SAFETY: `item` is a value of this env.
            let item = unsafe { convert(env, item, depth + 1, false) }.map_err(|b| b.at(format!("[{i}]")))?;
            out.push(item.unwrap_or(Value::Null));
        }
        return Ok(Value::Array(out));
    }
    let mut is_date = false;
    // SAFETY: `v` is an object.
    check(unsafe { sys::napi_is_date(env, v, &mut is_date) })?;
    if is_date {
        let mut ms = 0.0;
        // SAFETY: `v` is a Date.
        check(unsafe { sys::napi_get_date_value(env, v, &mut ms) })?;
        if !ms.is_finite() {
            return Err(Bad::new("is an invalid Date"));
        }
        return number((ms / 1000.0).floor());
    }
    let mut keys = ptr::null_mut();
    // SAFETY: `v` is an object; the flags ask for its own enumerable string keys.
    check(unsafe {
        sys::napi_get_all_property_names(
            env,
            v,
            sys::KeyCollectionMode::own_only,
            sys::KeyFilter::enumerable | sys::KeyFilter::skip_symbols,
            sys::KeyConversion::numbers_to_strings,
            &mut keys,
        )
    })?;
    let mut len = 0u32;
    // SAFETY: `keys` is the array napi just returned.
    check(unsafe { sys::napi_get_array_length(env, keys, &mut len) })?;
    let mut out = Map::new();
    for i in 0..len {
        let mut key = ptr::null_mut();
        // SAFETY: `keys` is an array of strings and `i` within its length.
        check(unsafe { sys::napi_get_element(env, keys, i, &mut key) })?;
        // SAFETY: `key` is a string (numbers were converted to strings).
        let name = unsafe { String::from_napi_value(env, key) }.map_err(|_| Bad::new("has a key that is not text"))?;
        let mut member = ptr::null_mut();
        // SAFETY: `key` is a property name of `v`.
        check(unsafe { sys::napi_get_property(env, v, key, &mut member) }).map_err(|b| b.at(name.clone()))?;
        // SAFETY: `member` is a value of this env.
        match unsafe { convert(env, member, depth + 1, false) } {
            Ok(Some(value)) => {
                out.insert(name, value);
            }
            Ok(None) if top => {
                out.insert(name, Value::Null);
            }
            Ok(None) => {}
            Err(b) => return Err(b.at(name)),
        }
    }
    Ok(Value::Object(out))
}

/// The one keyword argument of one of this package's own signatures given
/// as an object (`{ token }` of the URL builders, `{ keyId }` of `new
/// Verifier`, `{ now }` of `audit`, `{ cookie }` of the emulator's `fetch`):
/// no other key is allowed; `null`/`undefined` is not given.
pub fn single_option(value: Option<Unknown<'_>>, what: &str, key: &str) -> Result<Option<Value>, Error> {
    let mut map = match options(value, what)? {
        Value::Null => return Ok(None),
        Value::Object(m) => m,
        _ => return Err(invalid(format!("{what} must be an object {{ {key} }}"))),
    };
    if let Some(k) = map.keys().find(|k| k.as_str() != key) {
        return Err(invalid(format!(
            "unknown {what} `{}`; the only one is {key}",
            k.escape_debug()
        )));
    }
    Ok(map.remove(key).filter(|v| !v.is_null()))
}

/// [`single_option`] whose value is a string.
pub fn string_option(value: Option<Unknown<'_>>, what: &str, key: &str) -> Result<Option<String>, Error> {
    match single_option(value, what, key)? {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(format!("{what} `{key}` must be a string"))),
    }
}

/// [`single_option`] whose value is whole Unix seconds (a number or a `Date`).
pub fn seconds_option(value: Option<Unknown<'_>>, what: &str, key: &str) -> Result<Option<i64>, Error> {
    match single_option(value, what, key)? {
        None => Ok(None),
        Some(Value::Number(n)) if n.is_i64() => Ok(n.as_i64()),
        Some(_) => Err(invalid(format!("{what} `{key}` must be whole Unix seconds or a Date"))),
    }
}

fn invalid(message: String) -> Error {
    Error::with_code(ErrorCode::InvalidArgument, message)
}
