//! Status codes (DESIGN.md §5) and the thread-local last-error message.

use std::cell::RefCell;
use std::ffi::{CStr, c_char};

use qcdn::{Error, ErrorCode};

/// The result of every fallible function: `QCDN_OK` (0) or one of the error
/// codes of the error table shared by every language. The numbers are fixed forever (they equal
/// `qencode_cdn::ErrorCode::as_u32`); new codes get new numbers.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum qcdn_status {
    /// Success; out-parameters were written.
    QCDN_OK = 0,
    /// A bad input caught before any I/O: NULL where a value is required,
    /// invalid UTF-8, an out-of-range enum value, a malformed host name, a
    /// buffer too small, contradictory options…
    QCDN_ERR_INVALID_ARGUMENT = 1,
    /// A key that cannot be parsed, is not RSA, or is too small.
    QCDN_ERR_INVALID_KEY = 2,
    /// A token that is not three base64url parts of JSON.
    QCDN_ERR_MALFORMED_TOKEN = 3,
    /// The signature does not verify, or the algorithm is not RS256.
    QCDN_ERR_INVALID_SIGNATURE = 4,
    /// The token's `exp` has passed (beyond the leeway).
    QCDN_ERR_TOKEN_EXPIRED = 5,
    /// The token's `nbf` is still in the future (beyond the leeway).
    QCDN_ERR_TOKEN_NOT_YET_VALID = 6,
    /// The token's `uri` does not cover the requested resource.
    QCDN_ERR_URI_MISMATCH = 7,
    /// The token's `kid` is not the expected key id.
    QCDN_ERR_UNKNOWN_KEY_ID = 8,
    /// HTTP 401/403 from the API after one access-token renewal.
    QCDN_ERR_UNAUTHORIZED = 9,
    /// HTTP 404 from the API.
    QCDN_ERR_NOT_FOUND = 10,
    /// HTTP 429 from the API after the retries.
    QCDN_ERR_RATE_LIMITED = 11,
    /// Any other non-success answer of the API.
    QCDN_ERR_API_ERROR = 12,
    /// DNS, connect, TLS or a reset connection.
    QCDN_ERR_TRANSPORT = 13,
    /// A deadline passed.
    QCDN_ERR_TIMEOUT = 14,
    /// The server's answer is not what the API documents.
    QCDN_ERR_DECODE = 15,
    /// A bug in this library, or a caught panic.
    QCDN_ERR_INTERNAL = 16,
}

impl qcdn_status {
    /// Every status, in numeric order.
    pub(crate) const ALL: [qcdn_status; 17] = [
        qcdn_status::QCDN_OK,
        qcdn_status::QCDN_ERR_INVALID_ARGUMENT,
        qcdn_status::QCDN_ERR_INVALID_KEY,
        qcdn_status::QCDN_ERR_MALFORMED_TOKEN,
        qcdn_status::QCDN_ERR_INVALID_SIGNATURE,
        qcdn_status::QCDN_ERR_TOKEN_EXPIRED,
        qcdn_status::QCDN_ERR_TOKEN_NOT_YET_VALID,
        qcdn_status::QCDN_ERR_URI_MISMATCH,
        qcdn_status::QCDN_ERR_UNKNOWN_KEY_ID,
        qcdn_status::QCDN_ERR_UNAUTHORIZED,
        qcdn_status::QCDN_ERR_NOT_FOUND,
        qcdn_status::QCDN_ERR_RATE_LIMITED,
        qcdn_status::QCDN_ERR_API_ERROR,
        qcdn_status::QCDN_ERR_TRANSPORT,
        qcdn_status::QCDN_ERR_TIMEOUT,
        qcdn_status::QCDN_ERR_DECODE,
        qcdn_status::QCDN_ERR_INTERNAL,
    ];

    /// The status of an error code: the same number (checked by a unit test
    /// against `ErrorCode::as_u32`). An exhaustive match: a new code in the
    /// core fails to compile here until it gets a status.
    pub(crate) fn from_code(code: ErrorCode) -> qcdn_status {
        match code {
            ErrorCode::InvalidArgument => qcdn_status::QCDN_ERR_INVALID_ARGUMENT,
            ErrorCode::InvalidKey => qcdn_status::QCDN_ERR_INVALID_KEY,
            ErrorCode::MalformedToken => qcdn_status::QCDN_ERR_MALFORMED_TOKEN,
            ErrorCode::InvalidSignature => qcdn_status::QCDN_ERR_INVALID_SIGNATURE,
            ErrorCode::TokenExpired => qcdn_status::QCDN_ERR_TOKEN_EXPIRED,
            ErrorCode::TokenNotYetValid => qcdn_status::QCDN_ERR_TOKEN_NOT_YET_VALID,
            ErrorCode::UriMismatch => qcdn_status::QCDN_ERR_URI_MISMATCH,
            ErrorCode::UnknownKeyId => qcdn_status::QCDN_ERR_UNKNOWN_KEY_ID,
            ErrorCode::Unauthorized => qcdn_status::QCDN_ERR_UNAUTHORIZED,
            ErrorCode::NotFound => qcdn_status::QCDN_ERR_NOT_FOUND,
            ErrorCode::RateLimited => qcdn_status::QCDN_ERR_RATE_LIMITED,
            ErrorCode::ApiError => qcdn_status::QCDN_ERR_API_ERROR,
            ErrorCode::Transport => qcdn_status::QCDN_ERR_TRANSPORT,
            ErrorCode::Timeout => qcdn_status::QCDN_ERR_TIMEOUT,
            ErrorCode::Decode => qcdn_status::QCDN_ERR_DECODE,
            ErrorCode::Internal => qcdn_status::QCDN_ERR_INTERNAL,
        }
    }

    /// The stable name: `"OK"` or the code string shared by every language.
    fn name(self) -> &'static CStr {
        match self {
            qcdn_status::QCDN_OK => c"OK",
            qcdn_status::QCDN_ERR_INVALID_ARGUMENT => c"INVALID_ARGUMENT",
            qcdn_status::QCDN_ERR_INVALID_KEY => c"INVALID_KEY",
            qcdn_status::QCDN_ERR_MALFORMED_TOKEN => c"MALFORMED_TOKEN",
            qcdn_status::QCDN_ERR_INVALID_SIGNATURE => c"INVALID_SIGNATURE",
            qcdn_status::QCDN_ERR_TOKEN_EXPIRED => c"TOKEN_EXPIRED",
            qcdn_status::QCDN_ERR_TOKEN_NOT_YET_VALID => c"TOKEN_NOT_YET_VALID",
            qcdn_status::QCDN_ERR_URI_MISMATCH => c"URI_MISMATCH",
            qcdn_status::QCDN_ERR_UNKNOWN_KEY_ID => c"UNKNOWN_KEY_ID",
            qcdn_status::QCDN_ERR_UNAUTHORIZED => c"UNAUTHORIZED",
            qcdn_status::QCDN_ERR_NOT_FOUND => c"NOT_FOUND",
            qcdn_status::QCDN_ERR_RATE_LIMITED => c"RATE_LIMITED",
            qcdn_status::QCDN_ERR_API_ERROR => c"API_ERROR",
            qcdn_status::QCDN_ERR_TRANSPORT => c"TRANSPORT",
            qcdn_status::QCDN_ERR_TIMEOUT => c"TIMEOUT",
            qcdn_status::QCDN_ERR_DECODE => c"DECODE",
            qcdn_status::QCDN_ERR_INTERNAL => c"INTERNAL",
        }
    }
}

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Records `err` as this thread's last error (its code and message; the core
/// guarantees messages hold no key material, API key or access token).
pub(crate) fn record(err: &Error) {
    let msg = err.to_string().replace('\0', "\\0");
    // If the thread is being torn down there is nowhere to record; the status
    // still tells the caller what happened.
    let _ = LAST_ERROR.try_with(|cell| {
        if let Ok(mut slot) = cell.try_borrow_mut() {
            *slot = msg;
        }
    });
}

/// Turns the outcome of a status body into the returned status.
pub(crate) fn finish(result: std::thread::Result<Result<(), Error>>) -> qcdn_status {
    match result {
        Ok(Ok(())) => qcdn_status::QCDN_OK,
        Ok(Err(err)) => {
            record(&err);
            qcdn_status::from_code(err.code())
        }
        Err(_) => {
            record(&Error::with_code(
                ErrorCode::Internal,
                "a panic was caught at the C boundary (a bug in qencode-cdn; please report it)",
            ));
            qcdn_status::QCDN_ERR_INTERNAL
        }
    }
}

/// The name of a status: `"OK"`, `"INVALID_ARGUMENT"`, … the code strings
/// shared by every language. An unknown number gives
/// `"UNKNOWN"`. A static string, never freed.
#[unsafe(no_mangle)]
pub extern "C" fn qcdn_status_str(status: u32) -> *const c_char {
    ffi_boundary!(value c"INTERNAL".as_ptr(), {
        qcdn_status::ALL
            .into_iter()
            .find(|s| *s as u32 == status)
            .map(|s| s.name())
            .unwrap_or(c"UNKNOWN")
            .as_ptr()
    })
}

/// Copies the message of the last failed call on this thread (for example
/// `"INVALID_KEY: PEM label `EC PRIVATE KEY` is not an RSA key"`), NUL
/// terminated, into `buf`. The message is `""` when no call has failed on
/// this thread yet. Messages never contain key material, API keys or tokens.
///
/// `out_needed` (optional) receives the buffer size the message needs,
/// terminator included; unlike other out-parameters it is written on
/// `QCDN_ERR_INVALID_ARGUMENT` too, so that the caller can retry with a
/// larger buffer. Pass `buf` NULL and `len` 0 to ask only for the size.
///
/// Returns `QCDN_OK`, or `QCDN_ERR_INVALID_ARGUMENT` (nothing written to
/// `buf`) when `buf` is NULL with a non-zero `len` or `len` is too small.
/// This call does not replace the last error message itself.
///
/// # Safety
/// `buf` is NULL or points to `len` writable bytes; `out_needed` is NULL or
/// points to a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_last_error_message(buf: *mut c_char, len: usize, out_needed: *mut usize) -> qcdn_status {
    ffi_boundary!(value qcdn_status::QCDN_ERR_INTERNAL, {
        let msg = LAST_ERROR.try_with(|cell| cell.borrow().clone()).unwrap_or_default();
        let needed = msg.len() + 1;
        if !out_needed.is_null() {
            // SAFETY: the caller passes a writable size_t or NULL.
            unsafe { *out_needed = needed };
        }
        if buf.is_null() {
            return if len == 0 {
                qcdn_status::QCDN_OK
            } else {
                qcdn_status::QCDN_ERR_INVALID_ARGUMENT
            };
        }
        if len < needed {
            return qcdn_status::QCDN_ERR_INVALID_ARGUMENT;
        }
        // SAFETY: `buf` has `len >= needed` writable bytes; the source is a
        // distinct Rust allocation.
        unsafe {
            std::ptr::copy_nonoverlapping(msg.as_ptr(), buf.cast::<u8>(), msg.len());
            *buf.add(msg.len()) = 0;
        }
        qcdn_status::QCDN_OK
    })
}

#[cfg(test)]
pub(crate) fn take_last_error_for_test() -> String {
    LAST_ERROR.with(|cell| std::mem::take(&mut *cell.borrow_mut()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_has_the_status_with_its_number_and_name() {
        for code in ErrorCode::ALL {
            let status = qcdn_status::from_code(code);
            assert_eq!(status as u32, code.as_u32(), "{code}");
            assert_eq!(status.name().to_str().unwrap(), code.as_str());
            // SAFETY: static NUL-terminated strings.
            let s = unsafe { CStr::from_ptr(qcdn_status_str(code.as_u32())) };
            assert_eq!(s.to_str().unwrap(), code.as_str());
        }
        assert_eq!(qcdn_status::ALL.len(), ErrorCode::ALL.len() + 1);
    }

    #[test]
    fn status_str_of_ok_and_unknown() {
        // SAFETY: static NUL-terminated strings.
        unsafe {
            assert_eq!(CStr::from_ptr(qcdn_status_str(0)).to_str().unwrap(), "OK");
            assert_eq!(CStr::from_ptr(qcdn_status_str(17)).to_str().unwrap(), "UNKNOWN");
            assert_eq!(CStr::from_ptr(qcdn_status_str(u32::MAX)).to_str().unwrap(), "UNKNOWN");
        }
    }

    #[test]
    fn last_error_message_copies_and_reports_size() {
        record(&Error::with_code(ErrorCode::InvalidArgument, "x"));
        let mut needed = 0usize;
        // SAFETY: valid pointers.
        unsafe {
            assert_eq!(
                qcdn_last_error_message(std::ptr::null_mut(), 0, &mut needed),
                qcdn_status::QCDN_OK
            );
            assert_eq!(needed, "INVALID_ARGUMENT: x".len() + 1);
            let mut small = [0x55 as c_char; 4];
            assert_eq!(
                qcdn_last_error_message(small.as_mut_ptr(), small.len(), std::ptr::null_mut()),
                qcdn_status::QCDN_ERR_INVALID_ARGUMENT
            );
            assert!(small.iter().all(|&c| c == 0x55), "a too-small buffer is left untouched");
            let mut buf = [0 as c_char; 64];
            assert_eq!(
                qcdn_last_error_message(buf.as_mut_ptr(), buf.len(), &mut needed),
                qcdn_status::QCDN_OK
            );
            assert_eq!(CStr::from_ptr(buf.as_ptr()).to_str().unwrap(), "INVALID_ARGUMENT: x");
        }
    }
}
