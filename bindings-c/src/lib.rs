//! The C ABI of qencode-cdn: `libqencode_cdn.so`, `libqencode_cdn.a` and the
//! header `include/qencode_cdn.h` (generated from this crate by
//! `scripts/gen-header`, never by `build.rs`).
//!
//! Habits (from rustls-ffi): one `qcdn_` prefix; opaque handles created by
//! `qcdn_<type>_new` and released by `qcdn_<type>_free` (which accepts NULL);
//! every fallible function returns a [`qcdn_status`]; out-parameters come
//! last and are written only on success; enum values coming from C arrive as
//! `uint32_t` and are range-checked; every body runs inside
//! [`ffi_boundary!`], so no panic ever crosses into C.
#![deny(missing_docs)]
#![allow(non_camel_case_types)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

#[macro_use]
mod boundary;
mod client;
mod convert;
mod error;
mod layout;
mod signer;
// After `signer` (the header lists items in module order): signers whose key
// is elsewhere, then batches and the cache.
mod external;
mod scale;

mod urls;
mod verifier;
// Last: streams use the signer's and client's conventions.
mod stream;

pub use client::*;
pub use error::*;
pub use external::*;
pub use scale::*;
pub use signer::*;
pub use stream::*;
pub use urls::*;
pub use verifier::*;

use std::ffi::c_char;

/// Major version of the library this header belongs to.
pub const QCDN_VERSION_MAJOR: u32 = 0;
/// Minor version of the library this header belongs to.
pub const QCDN_VERSION_MINOR: u32 = 1;
/// Patch version of the library this header belongs to.
pub const QCDN_VERSION_PATCH: u32 = 0;

static VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The library's version, e.g. `"0.1.0"`: a static string, never freed.
/// Compare with the `QCDN_VERSION_*` macros to detect a header/library mismatch.
#[unsafe(no_mangle)]
pub extern "C" fn qcdn_version() -> *const c_char {
    VERSION.as_ptr().cast()
}

/// Frees a string returned by this library (tokens, URLs, JSON documents,
/// PEM), overwriting its bytes with zeros first: tokens and new private keys
/// are secrets. NULL is accepted and does nothing. Never pass a string that
/// did not come from this library, and never free one twice.
///
/// # Safety
/// `s` is NULL or a string returned by a `qcdn_` function, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_string_free(s: *mut c_char) {
    ffi_boundary!(void {
        if !s.is_null() {
            // SAFETY: the caller passes back a pointer from `convert::to_c_string`.
            unsafe { convert::free_c_string(s) };
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_macros_match_cargo_toml() {
        assert_eq!(QCDN_VERSION_MAJOR.to_string(), env!("CARGO_PKG_VERSION_MAJOR"));
        assert_eq!(QCDN_VERSION_MINOR.to_string(), env!("CARGO_PKG_VERSION_MINOR"));
        assert_eq!(QCDN_VERSION_PATCH.to_string(), env!("CARGO_PKG_VERSION_PATCH"));
        // SAFETY: a static NUL-terminated string.
        let v = unsafe { std::ffi::CStr::from_ptr(qcdn_version()) };
        assert_eq!(v.to_str().unwrap(), qcdn::VERSION);
    }

    #[test]
    fn string_free_accepts_null() {
        // SAFETY: NULL is documented as accepted.
        unsafe { qcdn_string_free(std::ptr::null_mut()) };
    }
}
