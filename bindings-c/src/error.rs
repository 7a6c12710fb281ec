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
    /// The last failure on this thread: the error itself, so that both its
    /// message and its details (HTTP status, `Retry-After`, body, …) can be
    /// read back.
    static LAST_ERROR: RefCell<Option<Error>> = const { RefCell::new(None) };
}

/// Records `err` as this thread's last error (the core guarantees its
/// messages and details hold no key material, API key or access token).
pub(crate) fn record(err: Error) {
    // If the thread is being torn down there is nowhere to record; the status
    // still tells the caller what happened.
    let _ = LAST_ERROR.try_with(|cell| {
        if let Ok(mut slot) = cell.try_borrow_mut() {
            *slot = Some(err);
        }
    });
}

/// A copy of this thread's last error, if any.
fn last_error() -> Option<Error> {
    LAST_ERROR
        .try_with(|cell| cell.try_borrow().ok().and_then(|e| e.clone()))
        .ok()
        .flatten()
}

/// The last error's message as `qcdn_last_error_message` gives it:
/// `"CODE: message"`, or `""` when nothing has failed on this thread.
fn last_error_text() -> String {
    last_error()
        .map(|e| e.to_string().replace('\0', "\\0"))
        .unwrap_or_default()
}

/// Turns the outcome of a status body into the returned status.
pub(crate) fn finish(result: std::thread::Result<Result<(), Error>>) -> qcdn_status {
    match result {
        Ok(Ok(())) => qcdn_status::QCDN_OK,
        Ok(Err(err)) => {
            let status = qcdn_status::from_code(err.code());
            record(err);
            status
        }
        Err(_) => {
            record(Error::with_code(
                ErrorCode::Internal,
                "a panic was caught at the C boundary (a bug in qencode-cdn; please report it)",
            ));
            qcdn_status::QCDN_ERR_INTERNAL
        }
    }
}

/// The details of an error as the JSON document of `qcdn_last_error_json`.
fn error_json(err: Option<&Error>) -> serde_json::Value {
    use serde_json::json;
    let Some(err) = err else {
        return json!({
            "code": "OK", "status_code": 0, "message": "", "http_status": null,
            "retry_after": null, "body": null, "request_id": null, "type_error": false,
        });
    };
    let code = err.code();
    let http = err.http();
    json!({
        "code": code.as_str(),
        "status_code": qcdn_status::from_code(code) as u32,
        "message": err.message().replace('\0', "\\0"),
        "http_status": err.status(),
        "retry_after": err.retry_after().map(|d| d.as_secs_f64()),
        "body": http.map(|h| h.body.as_str()),
        "request_id": http.and_then(|h| h.request_id.as_deref()),
        "type_error": err.is_type_error(),
    })
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
        let msg = last_error_text();
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

/// The details of the last failed call on this thread as a JSON document,
/// for bindings that raise typed exceptions:
///
/// ```text
/// {"code": "RATE_LIMITED",       the code string shared by every language
///                                ("OK" when nothing has failed on this thread)
///  "status_code": 11,            the qcdn_status number
///  "message": "HTTP 429: …",     the message without the "CODE: " prefix
///                                (qcdn_last_error_message gives "CODE: message")
///  "http_status": 429,           HTTP status of an API answer, else null
///  "retry_after": 1.5,           Retry-After in seconds, else null
///  "body": "…",                  the API's response body (capped), else null
///  "request_id": "…",            the API's request id, else null
///  "type_error": false}          true when the mistake is the *type* of an
///                                option (a string, or null, where seconds go):
///                                raise the language's type-error class
/// ```
///
/// Nothing in it is secret: the library never puts key material, API keys
/// or access tokens into errors. Before any failure on this thread the
/// document is `{"code":"OK","status_code":0,"message":"",…null…,"type_error":false}`.
///
/// On success `*out_json` receives the document, to free with
/// `qcdn_string_free`. Returns `QCDN_ERR_INVALID_ARGUMENT` when `out_json` is
/// NULL. This call never replaces the last error itself (not even when it
/// fails), so it may be called any number of times. Thread safety: reads
/// only the calling thread's record.
///
/// # Safety
/// `out_json` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_last_error_json(out_json: *mut *mut c_char) -> qcdn_status {
    ffi_boundary!(value qcdn_status::QCDN_ERR_INTERNAL, {
        if out_json.is_null() {
            return qcdn_status::QCDN_ERR_INVALID_ARGUMENT;
        }
        let doc = error_json(last_error().as_ref()).to_string();
        match crate::convert::to_c_string(doc) {
            Ok(c) => {
                // SAFETY: checked non-NULL; writable per contract.
                unsafe { *out_json = c };
                qcdn_status::QCDN_OK
            }
            Err(_) => qcdn_status::QCDN_ERR_INTERNAL,
        }
    })
}

#[cfg(test)]
pub(crate) fn take_last_error_for_test() -> String {
    LAST_ERROR
        .with(|cell| cell.borrow_mut().take())
        .map(|e| e.to_string())
        .unwrap_or_default()
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
        record(Error::with_code(ErrorCode::InvalidArgument, "x"));
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

    #[test]
    fn error_json_carries_the_http_details_and_the_type_kind() {
        let http = qcdn::HttpFailure {
            status: Some(429),
            message: "slow down".into(),
            body: "{\"error\":\"slow down\"}".into(),
            request_id: Some("req-1".into()),
            retry_after: Some(std::time::Duration::from_millis(1500)),
        };
        let err = Error::Http {
            code: ErrorCode::RateLimited,
            http: Box::new(http),
        };
        let doc = error_json(Some(&err));
        assert_eq!(
            doc,
            serde_json::json!({
                "code": "RATE_LIMITED", "status_code": 11, "message": "HTTP 429: slow down",
                "http_status": 429, "retry_after": 1.5, "body": "{\"error\":\"slow down\"}",
                "request_id": "req-1", "type_error": false,
            })
        );
        let typed =
            qcdn::SignOptions::from_json(&serde_json::json!({"expires_in": null}), qcdn::KeyStyle::Snake).unwrap_err();
        let doc = error_json(Some(&typed));
        assert_eq!(doc["code"], "INVALID_ARGUMENT");
        assert_eq!(doc["type_error"], true);
        assert_eq!(doc["http_status"], serde_json::Value::Null);
        assert_eq!(doc["body"], serde_json::Value::Null);
        assert_eq!(error_json(None)["code"], "OK");
    }
}
