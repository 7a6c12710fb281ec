//! The ABI's sizes and field offsets on 64-bit targets, asserted here for the
//! Rust definitions and in `tests/c/test_errors.c` for the generated header,
//! so a layout change on either side fails a test.

#[cfg(all(test, target_pointer_width = "64"))]
mod tests {
    use std::mem::{offset_of, size_of};

    use crate::{qcdn_client_options, qcdn_cookie_options, qcdn_sign_options, qcdn_status, qcdn_verify_options};

    #[test]
    fn option_structs_have_the_c_layout() {
        assert_eq!(size_of::<qcdn_status>(), 4);
        assert_eq!(size_of::<qcdn_sign_options>(), 48);
        assert_eq!(offset_of!(qcdn_sign_options, expires_at), 8);
        assert_eq!(offset_of!(qcdn_sign_options, not_before), 16);
        assert_eq!(offset_of!(qcdn_sign_options, has_not_before), 24);
        assert_eq!(offset_of!(qcdn_sign_options, never_expires), 25);
        assert_eq!(offset_of!(qcdn_sign_options, claims_json), 32);
        assert_eq!(offset_of!(qcdn_sign_options, now), 40);
        assert_eq!(size_of::<qcdn_verify_options>(), 24);
        assert_eq!(offset_of!(qcdn_verify_options, leeway_secs), 8);
        assert_eq!(offset_of!(qcdn_verify_options, now), 16);
        assert_eq!(size_of::<qcdn_cookie_options>(), 24);
        assert_eq!(offset_of!(qcdn_cookie_options, same_site), 16);
        assert_eq!(offset_of!(qcdn_cookie_options, insecure), 20);
        assert_eq!(offset_of!(qcdn_cookie_options, script_readable), 21);
        assert_eq!(size_of::<qcdn_client_options>(), 40);
        assert_eq!(offset_of!(qcdn_client_options, connect_timeout_ms), 16);
        assert_eq!(offset_of!(qcdn_client_options, max_retries), 24);
        assert_eq!(offset_of!(qcdn_client_options, no_retries), 28);
        assert_eq!(offset_of!(qcdn_client_options, deadline_ms), 32);
    }
}
