//! `qcdn_signer`: a private key loaded once, tokens signed many times.

use std::ffi::c_char;

use qcdn::{Error, Expiry, SignOptions, Signer};

use crate::convert::{invalid, req_bytes, req_out, req_ref, req_str, write_string};
use crate::error::qcdn_status;

/// A signing key (opaque). Create with `qcdn_signer_new`, free with
/// `qcdn_signer_free`. Immutable after creation: one signer may be used from
/// many threads at once.
pub struct qcdn_signer {
    pub(crate) inner: Signer,
}

/// Options of one signature. A zero-initialised struct (`= {0}`) and a NULL
/// pointer both mean the defaults: expires 3600 s after signing, no `nbf`,
/// no custom claims, the system clock. Zero never means "never expires": a
/// token without `exp` needs `never_expires = true`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct qcdn_sign_options {
    /// Seconds from the signing time to `exp`. 0 = unset (the default 3600
    /// unless `expires_at` is set); negative = `QCDN_ERR_INVALID_ARGUMENT`.
    pub expires_in: i64,
    /// Absolute `exp` in Unix seconds; wins over `expires_in`. 0 = unset;
    /// negative = `QCDN_ERR_INVALID_ARGUMENT`.
    pub expires_at: i64,
    /// Absolute `nbf` in Unix seconds, used only when `has_not_before`.
    pub not_before: i64,
    /// Whether the token gets an `nbf` claim (`not_before`).
    pub has_not_before: bool,
    /// A token with no `exp` at all. Must be asked for explicitly; combined
    /// with `expires_in` or `expires_at` it is `QCDN_ERR_INVALID_ARGUMENT`.
    pub never_expires: bool,
    /// Custom claims as a JSON object string (UTF-8), e.g.
    /// `{"viewer":"u-42"}`; NULL = none. `uri`, `exp` and `nbf` may not be
    /// custom claims.
    pub claims_json: *const c_char,
    /// Sign as if the time were this Unix second (tests, reproducible
    /// tokens); 0 = the system clock; negative = `QCDN_ERR_INVALID_ARGUMENT`.
    pub now: i64,
}

impl qcdn_sign_options {
    const ZERO: qcdn_sign_options = qcdn_sign_options {
        expires_in: 0,
        expires_at: 0,
        not_before: 0,
        has_not_before: false,
        never_expires: false,
        claims_json: std::ptr::null(),
        now: 0,
    };
}

/// The default sign options (expires in 3600 s; everything else unset), for
/// the caller to adjust. Equivalent to a zero-initialised struct.
#[unsafe(no_mangle)]
pub extern "C" fn qcdn_sign_options_default() -> qcdn_sign_options {
    ffi_boundary!(value qcdn_sign_options::ZERO, {
        qcdn_sign_options {
            expires_in: qcdn::DEFAULT_EXPIRES_IN as i64,
            ..qcdn_sign_options::ZERO
        }
    })
}

/// Converts optional C sign options to the core's, through `Expiry::resolve`
/// (the one place where loose expiry options are interpreted).
///
/// # Safety
/// `p` is NULL or points to a valid `qcdn_sign_options` whose `claims_json`
/// is NULL or a NUL-terminated string.
pub(crate) unsafe fn sign_options(p: *const qcdn_sign_options) -> Result<SignOptions, Error> {
    if p.is_null() {
        return Ok(SignOptions::new());
    }
    // SAFETY: non-NULL and valid per the caller's contract.
    let o = unsafe { &*p };
    let expires_in = (o.expires_in != 0).then_some(o.expires_in);
    let expires_at = (o.expires_at != 0).then_some(o.expires_at);
    let expiry = Expiry::resolve(expires_in, expires_at, o.never_expires)?;
    let mut opts = SignOptions::new().expiry(expiry);
    if o.has_not_before {
        opts = opts.not_before(o.not_before);
    }
    if !o.claims_json.is_null() {
        // SAFETY: non-NULL, NUL-terminated per the caller's contract.
        let text = unsafe { req_str(o.claims_json, "options->claims_json") }?;
        opts = opts.claims_json(text)?;
    }
    if o.now < 0 {
        return Err(invalid(
            "`options->now` must not be negative (0 means the system clock)",
        ));
    }
    if o.now != 0 {
        opts = opts.now(o.now);
    }
    Ok(opts)
}

/// Loads a private RSA key and returns a signer for it.
///
/// `key_id` is the signing key id (the JWT `kid`). `key`/`key_len` is the key
/// in any accepted form: PKCS#1 or PKCS#8 PEM, DER, PEM whose newlines became
/// literal `\n`, CRLF or spaces, or base64 of a PEM. The bytes are copied; the
/// caller may wipe its buffer afterwards.
///
/// Errors: `QCDN_ERR_INVALID_ARGUMENT` (NULL, empty, bad UTF-8 key id),
/// `QCDN_ERR_INVALID_KEY` (unparseable, not RSA, too small; the message says
/// which format was seen, never the key bytes). On success `*out_signer`
/// receives a signer to free with `qcdn_signer_free`.
///
/// # Safety
/// `key_id` is NULL or NUL-terminated; `key` is NULL or points to `key_len`
/// bytes; `out_signer` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_new(
    key_id: *const c_char,
    key: *const u8,
    key_len: usize,
    out_signer: *mut *mut qcdn_signer,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_signer, "out_signer")?;
        // SAFETY: forwarded contracts.
        let key_id = unsafe { req_str(key_id, "key_id") }?;
        // SAFETY: forwarded contracts.
        let key = unsafe { req_bytes(key, key_len, "key") }?;
        let signer = Signer::from_pem(key_id, key)?;
        // SAFETY: checked non-NULL; writable per contract.
        unsafe { *out_signer = Box::into_raw(Box::new(qcdn_signer { inner: signer })) };
        Ok(())
    })
}

/// Signs a token for `uri` (a playback id, an object key or key prefix, or
/// `""` for a whole bucket). `options` may be NULL (the defaults). On success
/// `*out_token` receives the JWT, to free with `qcdn_string_free`.
///
/// # Safety
/// `signer` is NULL or live; `uri` NULL or NUL-terminated; `options` NULL or
/// valid; `out_token` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_sign(
    signer: *const qcdn_signer,
    uri: *const c_char,
    options: *const qcdn_sign_options,
    out_token: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_token, "out_token")?;
        // SAFETY: forwarded contracts.
        let signer = unsafe { req_ref(signer, "signer") }?;
        // SAFETY: forwarded contracts.
        let uri = unsafe { req_str(uri, "uri") }?;
        // SAFETY: forwarded contracts.
        let opts = unsafe { sign_options(options) }?;
        let token = signer.inner.sign(uri, &opts)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_token, token) }
    })
}

/// The signer's public key as SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC
/// KEY-----`), for a verifier or for the API. Free with `qcdn_string_free`.
///
/// # Safety
/// `signer` is NULL or live; `out_pem` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_public_key_pem(
    signer: *const qcdn_signer,
    out_pem: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_pem, "out_pem")?;
        // SAFETY: forwarded contracts.
        let signer = unsafe { req_ref(signer, "signer") }?;
        let pem = signer.inner.public_key_pem()?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_pem, pem) }
    })
}

/// The signer's key id (`kid`), copied. Free with `qcdn_string_free`.
///
/// # Safety
/// `signer` is NULL or live; `out_key_id` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_key_id(signer: *const qcdn_signer, out_key_id: *mut *mut c_char) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_key_id, "out_key_id")?;
        // SAFETY: forwarded contracts.
        let signer = unsafe { req_ref(signer, "signer") }?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_key_id, signer.inner.key_id().to_string()) }
    })
}

/// Frees a signer. NULL is accepted.
///
/// # Safety
/// `signer` is NULL or a signer from `qcdn_signer_new`, not yet freed and no
/// longer in use by any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_free(signer: *mut qcdn_signer) {
    ffi_boundary!(void {
        if !signer.is_null() {
            // SAFETY: a pointer from Box::into_raw in qcdn_signer_new.
            drop(unsafe { Box::from_raw(signer) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeroed_options_are_the_defaults_and_expire() {
        // SAFETY: a valid struct.
        let opts = unsafe { sign_options(&qcdn_sign_options::ZERO) }.unwrap();
        assert_eq!(opts.get_expiry(), Expiry::In(3600));
        let d = qcdn_sign_options_default();
        // SAFETY: a valid struct.
        let opts = unsafe { sign_options(&d) }.unwrap();
        assert_eq!(opts.get_expiry(), Expiry::In(3600));
    }

    #[test]
    fn never_expires_needs_the_flag_and_no_other_expiry() {
        let mut o = qcdn_sign_options::ZERO;
        o.never_expires = true;
        // SAFETY: a valid struct.
        assert_eq!(unsafe { sign_options(&o) }.unwrap().get_expiry(), Expiry::Never);
        o.expires_in = 60;
        // SAFETY: a valid struct.
        assert!(unsafe { sign_options(&o) }.is_err());
    }
}
