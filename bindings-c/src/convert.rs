//! Argument conversion at the boundary: C strings, byte buffers, out-pointers.
//! Every failure here is `INVALID_ARGUMENT` with a message that names the
//! parameter and never repeats its content (it may be a secret).

use std::ffi::{CStr, CString, c_char};

use qcdn::{Error, ErrorCode};
use serde_json::Value;
use zeroize::Zeroizing;

pub(crate) fn invalid(msg: impl Into<String>) -> Error {
    Error::with_code(ErrorCode::InvalidArgument, msg)
}

/// A required C string as `&str`.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string valid for the lifetime used.
pub(crate) unsafe fn req_str<'a>(p: *const c_char, name: &str) -> Result<&'a str, Error> {
    if p.is_null() {
        return Err(invalid(format!("`{name}` is NULL but a string is required")));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str().map_err(|_| invalid(format!("`{name}` is not valid UTF-8")))
}

/// An optional C string: NULL gives `None`.
///
/// # Safety
/// As [`req_str`].
pub(crate) unsafe fn opt_str<'a>(p: *const c_char, name: &str) -> Result<Option<&'a str>, Error> {
    if p.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { req_str(p, name) }.map(Some)
    }
}

/// A required byte buffer of `len` bytes. NULL is `INVALID_ARGUMENT`; a
/// non-NULL pointer with `len` 0 is an empty buffer, handed to the core (which
/// decides what an empty key means: `INVALID_KEY`, like every language).
///
/// # Safety
/// `p` is NULL or points to `len` readable bytes.
pub(crate) unsafe fn req_bytes<'a>(p: *const u8, len: usize, name: &str) -> Result<&'a [u8], Error> {
    if p.is_null() {
        return Err(invalid(format!("`{name}` is NULL but bytes are required")));
    }
    if len > isize::MAX as usize {
        return Err(invalid(format!("`{name}` length is too large")));
    }
    if len == 0 {
        return Ok(&[]);
    }
    // SAFETY: non-NULL, `len` readable bytes per the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// Options given as JSON text (the `_json` functions): NULL is `{}`; the
/// text must be UTF-8 and JSON. What the value means — unknown keys, wrong
/// types, `null` lifetimes — is decided by the core's `from_json` readers,
/// never here.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string.
pub(crate) unsafe fn json_options(p: *const c_char, name: &str) -> Result<Value, Error> {
    // SAFETY: forwarded contract.
    match unsafe { opt_str(p, name) }? {
        None => Ok(Value::Object(serde_json::Map::new())),
        Some(text) => serde_json::from_str(text).map_err(|e| {
            invalid(format!(
                "`{name}` is not valid JSON ({e}); pass a JSON object, or NULL for none"
            ))
        }),
    }
}

/// A file path: any bytes on Unix (paths need not be UTF-8 there), UTF-8
/// elsewhere.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string.
pub(crate) unsafe fn req_path<'a>(p: *const c_char, name: &str) -> Result<&'a std::path::Path, Error> {
    if p.is_null() {
        return Err(invalid(format!("`{name}` is NULL but a path is required")));
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        // SAFETY: non-NULL and NUL-terminated per the caller's contract.
        let bytes = unsafe { CStr::from_ptr(p) }.to_bytes();
        Ok(std::path::Path::new(std::ffi::OsStr::from_bytes(bytes)))
    }
    #[cfg(not(unix))]
    {
        // SAFETY: forwarded contract.
        let s = unsafe { req_str(p, name) }?;
        Ok(std::path::Path::new(s))
    }
}

/// Serialises a result document (claims, explanations, cookies).
pub(crate) fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    serde_json::to_string(value)
        .map_err(|e| Error::with_code(ErrorCode::Internal, format!("the result cannot be serialised: {e}")))
}

/// Checks that a required out-pointer is not NULL.
pub(crate) fn req_out<T>(p: *mut T, name: &str) -> Result<(), Error> {
    if p.is_null() {
        Err(invalid(format!("`{name}` is NULL but an output pointer is required")))
    } else {
        Ok(())
    }
}

/// A required `const` handle as a reference.
///
/// # Safety
/// `p` is NULL or a live handle of this type.
pub(crate) unsafe fn req_ref<'a, T>(p: *const T, name: &str) -> Result<&'a T, Error> {
    if p.is_null() {
        return Err(invalid(format!("`{name}` is NULL")));
    }
    // SAFETY: a live handle per the caller's contract.
    Ok(unsafe { &*p })
}

/// A Rust string as a C string for the caller to free with `qcdn_string_free`.
///
/// Results can be secrets (tokens are bearer credentials, a new signing key's
/// document holds its private key), so no copy is left behind in freed
/// memory. `CString` keeps its bytes in a boxed slice, and turning a `Vec`
/// whose capacity is not exactly its length into one reallocates (a `realloc`
/// frees the old block unwiped, even when shrinking). So the bytes, with
/// their terminator, are placed in a buffer of exactly that size — in place
/// when the string's own buffer has exactly one spare byte, else in a new
/// buffer (`Vec::with_capacity` allocates exactly what it is asked for) —
/// and the original is wiped.
pub(crate) fn to_c_string(s: String) -> Result<*mut c_char, Error> {
    let mut bytes = Zeroizing::new(s.into_bytes());
    if bytes.contains(&0) {
        return Err(Error::with_code(
            ErrorCode::Internal,
            "a result string holds a NUL byte",
        ));
    }
    let mut owned = if bytes.capacity() == bytes.len() + 1 {
        std::mem::take(&mut *bytes)
    } else {
        let mut exact = Vec::with_capacity(bytes.len() + 1);
        exact.extend_from_slice(&bytes);
        exact
    };
    owned.push(0);
    if owned.capacity() != owned.len() {
        // Not reached with the global allocator; refuse rather than leave a copy.
        drop(Zeroizing::new(owned));
        return Err(Error::with_code(
            ErrorCode::Internal,
            "a result buffer has an unexpected capacity",
        ));
    }
    // SAFETY: no NUL byte before the one just pushed as the last byte.
    Ok(unsafe { CString::from_vec_with_nul_unchecked(owned) }.into_raw())
}

/// Frees a string made by [`to_c_string`], wiping its bytes first.
///
/// # Safety
/// `s` is non-NULL and came from [`to_c_string`], not yet freed.
pub(crate) unsafe fn free_c_string(s: *mut c_char) {
    // SAFETY: per the caller's contract, from CString::into_raw.
    let c = unsafe { CString::from_raw(s) };
    drop(Zeroizing::new(c.into_bytes_with_nul()));
}

/// Writes a string result to an out-pointer checked by [`req_out`].
///
/// # Safety
/// `out` is non-NULL and writable.
pub(crate) unsafe fn write_string(out: *mut *mut c_char, s: String) -> Result<(), Error> {
    let c = to_c_string(s)?;
    // SAFETY: checked non-NULL and writable by the caller.
    unsafe { *out = c };
    Ok(())
}

/// Writes a string result to an optional out-pointer (NULL: discarded).
///
/// # Safety
/// `out` is NULL or writable.
pub(crate) unsafe fn write_opt_string(out: *mut *mut c_char, s: String) -> Result<(), Error> {
    if out.is_null() {
        return Ok(());
    }
    // SAFETY: non-NULL and writable per the caller's contract.
    unsafe { write_string(out, s) }
}

/// A range-checked enum value arriving from C as `uint32_t`.
pub(crate) fn enum_value<T: Clone>(value: u32, table: &[(u32, T)], name: &str) -> Result<T, Error> {
    table
        .iter()
        .find(|(n, _)| *n == value)
        .map(|(_, v)| v.clone())
        .ok_or_else(|| {
            let allowed: Vec<String> = table.iter().map(|(n, _)| n.to_string()).collect();
            invalid(format!(
                "`{name}` has the value {value}, which is not one of {}",
                allowed.join(", ")
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_strings_round_trip_with_and_without_spare_capacity() {
        let mut spare = String::with_capacity(64);
        spare.push_str("spare");
        let exact = String::from("exact"); // capacity == len
        let mut one = String::with_capacity(4);
        one.push_str("one"); // exactly one spare byte: used in place
        for (s, want) in [(spare, "spare"), (exact, "exact"), (one, "one")] {
            let p = to_c_string(s).unwrap();
            // SAFETY: a string just made by to_c_string.
            unsafe {
                assert_eq!(std::ffi::CStr::from_ptr(p).to_str().unwrap(), want);
                free_c_string(p);
            }
        }
        assert_eq!(to_c_string("a\0b".into()).unwrap_err().code(), ErrorCode::Internal);
    }
}
