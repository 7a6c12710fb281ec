//! The one panic boundary every `extern "C"` body runs inside.
//!
//! Since Rust 1.81 a panic unwinding out of an `extern "C"` function aborts
//! the host process; here it becomes `QCDN_ERR_INTERNAL` (with a message for
//! `qcdn_last_error_message`) or, for functions without a status, a neutral
//! value (NULL, an empty default).

/// Runs an `extern "C"` body under `catch_unwind`.
///
/// - `ffi_boundary!(status { ... })`: the body is a closure body returning
///   `Result<(), qcdn::Error>`; an error is recorded for
///   `qcdn_last_error_message` and its status returned; a panic becomes
///   `QCDN_ERR_INTERNAL`.
/// - `ffi_boundary!(value FALLBACK, { ... })`: the body returns a value; a panic
///   gives `FALLBACK`.
/// - `ffi_boundary!(void { ... })`: the body returns nothing; a panic is swallowed.
macro_rules! ffi_boundary {
    (status $body:block) => {{
        let result = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(
            || -> ::std::result::Result<(), ::qcdn::Error> { $body },
        ));
        $crate::error::finish(result)
    }};
    (value $fallback:expr, $body:block) => {{
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            Ok(v) => v,
            Err(_) => $fallback,
        }
    }};
    (void $body:block) => {{
        let _ = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body));
    }};
}

#[cfg(test)]
mod tests {
    use crate::error::{qcdn_status, take_last_error_for_test};

    fn panicking_status() -> qcdn_status {
        ffi_boundary!(status {
            let v: Vec<u8> = Vec::new();
            if v.is_empty() {
                panic!("deliberate test panic");
            }
            Ok(())
        })
    }

    #[test]
    fn a_panic_becomes_internal_with_a_message() {
        assert_eq!(panicking_status(), qcdn_status::QCDN_ERR_INTERNAL);
        let msg = take_last_error_for_test();
        assert!(msg.contains("INTERNAL"), "{msg}");
        assert!(msg.contains("panic"), "{msg}");
    }

    #[test]
    fn a_panic_in_a_value_function_gives_the_fallback() {
        let v: u32 = ffi_boundary!(value 7, {
            let v: Vec<u32> = Vec::new();
            if v.is_empty() {
                panic!("deliberate test panic");
            }
            1
        });
        assert_eq!(v, 7);
    }

    #[test]
    fn an_error_is_recorded_and_returned() {
        let s = ffi_boundary!(status {
            Err(qcdn::Error::with_code(qcdn::ErrorCode::InvalidKey, "bad key"))
        });
        assert_eq!(s, qcdn_status::QCDN_ERR_INVALID_KEY);
        assert_eq!(take_last_error_for_test(), "INVALID_KEY: bad key");
    }
}
