//! `qcdn_verifier`: checks tokens and explains signed URLs.

use std::ffi::c_char;

use qcdn::{Error, Resource, Verifier, VerifyOptions};

use crate::convert::{
    enum_value, invalid, opt_str, req_bytes, req_out, req_ref, req_str, write_opt_string, write_string,
};
use crate::error::qcdn_status;
use crate::signer::qcdn_signer;

/// A public key that checks tokens (opaque). Create with `qcdn_verifier_new`
/// or `qcdn_verifier_from_signer`, free with `qcdn_verifier_free`. Immutable
/// after creation: one verifier may be used from many threads at once.
pub struct qcdn_verifier {
    inner: Verifier,
}

/// What kind of resource a token is checked against (`qcdn_verifier_covers`).
/// Passed as `uint32_t`; other values are `QCDN_ERR_INVALID_ARGUMENT`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum qcdn_resource_kind {
    /// A live stream: the token's `uri` must equal the playback id.
    QCDN_RESOURCE_LIVE = 0,
    /// A storage object: the token's `uri` must be a prefix of the key (`""`
    /// covers the whole bucket).
    QCDN_RESOURCE_STORAGE = 1,
}

/// Options of one verification. NULL or a zero-initialised struct: the
/// verifier's own expected key id, no leeway, the system clock.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct qcdn_verify_options {
    /// Require this `kid` (overrides the verifier's); NULL = the verifier's own
    /// (a verifier made from a signer expects the signer's key id).
    pub key_id: *const c_char,
    /// Seconds of clock skew tolerated on `exp` and `nbf`.
    pub leeway_secs: u32,
    /// Verify as if the time were this Unix second; 0 = the system clock;
    /// negative = `QCDN_ERR_INVALID_ARGUMENT`.
    pub now: i64,
}

/// # Safety
/// `p` is NULL or a valid struct whose `key_id` is NULL or NUL-terminated.
unsafe fn verify_options(p: *const qcdn_verify_options) -> Result<VerifyOptions, Error> {
    let mut opts = VerifyOptions::new();
    if p.is_null() {
        return Ok(opts);
    }
    // SAFETY: non-NULL and valid per the caller's contract.
    let o = unsafe { &*p };
    // SAFETY: forwarded contract.
    if let Some(kid) = unsafe { opt_str(o.key_id, "options->key_id") }? {
        opts = opts.kid(kid);
    }
    opts = opts.leeway(u64::from(o.leeway_secs));
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

fn boxed(out: *mut *mut qcdn_verifier, v: Verifier) {
    // SAFETY: callers check `out` non-NULL first; writable per contract.
    unsafe { *out = Box::into_raw(Box::new(qcdn_verifier { inner: v })) };
}

/// A verifier from a public key: SPKI or PKCS#1, PEM or DER, base64 of either,
/// a JWK with `n`/`e` (its `kid`, when present, becomes the expected key id),
/// or a private key (its public half is used). No key id is expected unless
/// the JWK names one or `qcdn_verify_options.key_id` is given.
///
/// # Safety
/// `key` is NULL or points to `key_len` bytes; `out_verifier` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_verifier_new(
    key: *const u8,
    key_len: usize,
    out_verifier: *mut *mut qcdn_verifier,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_verifier, "out_verifier")?;
        // SAFETY: forwarded contract.
        let key = unsafe { req_bytes(key, key_len, "key") }?;
        boxed(out_verifier, Verifier::from_public_key(key)?);
        Ok(())
    })
}

/// The verifier for a signer's own tokens: its public key, expecting its key id.
///
/// # Safety
/// `signer` is NULL or live; `out_verifier` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_verifier_from_signer(
    signer: *const qcdn_signer,
    out_verifier: *mut *mut qcdn_verifier,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_verifier, "out_verifier")?;
        // SAFETY: forwarded contract.
        let signer = unsafe { req_ref(signer, "signer") }?;
        boxed(out_verifier, Verifier::from_signer(&signer.inner)?);
        Ok(())
    })
}

/// Verifies a token: RS256 signature, key id, `exp` and `nbf` (with leeway).
/// `options` may be NULL. On success `*out_claims_json` (optional: NULL
/// discards it) receives `{"kid":…,"claims":{"uri":…,"exp":…,…}}`, to free
/// with `qcdn_string_free`. Failures return the verification status
/// (`QCDN_ERR_MALFORMED_TOKEN`, `QCDN_ERR_INVALID_SIGNATURE`,
/// `QCDN_ERR_TOKEN_EXPIRED`, `QCDN_ERR_TOKEN_NOT_YET_VALID`,
/// `QCDN_ERR_UNKNOWN_KEY_ID`) and say why in `qcdn_last_error_message`.
///
/// # Safety
/// `verifier` NULL or live; `token` NULL or NUL-terminated; `options` NULL or
/// valid; `out_claims_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_verifier_verify(
    verifier: *const qcdn_verifier,
    token: *const c_char,
    options: *const qcdn_verify_options,
    out_claims_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contracts.
        let verifier = unsafe { req_ref(verifier, "verifier") }?;
        // SAFETY: forwarded contracts.
        let token = unsafe { req_str(token, "token") }?;
        // SAFETY: forwarded contracts.
        let opts = unsafe { verify_options(options) }?;
        let verified = verifier.inner.verify(token, &opts)?;
        let json = serde_json::to_string(&verified)
            .map_err(|e| Error::with_code(qcdn::ErrorCode::Internal, format!("claims are not serialisable: {e}")))?;
        // SAFETY: NULL or writable.
        unsafe { write_opt_string(out_claims_json, json) }
    })
}

/// Verifies a token as `qcdn_verifier_verify` does and then tells whether it
/// grants `resource`: for `QCDN_RESOURCE_LIVE` a playback id, for
/// `QCDN_RESOURCE_STORAGE` an object key (decoded; a leading `/` is
/// ignored). `*out_covers` is written on `QCDN_OK` only: true or false. A
/// token that fails verification returns its status instead.
///
/// # Safety
/// `verifier` NULL or live; `token`, `resource` NULL or NUL-terminated;
/// `options` NULL or valid; `out_covers` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_verifier_covers(
    verifier: *const qcdn_verifier,
    token: *const c_char,
    resource_kind: u32,
    resource: *const c_char,
    options: *const qcdn_verify_options,
    out_covers: *mut bool,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_covers, "out_covers")?;
        // SAFETY: forwarded contracts.
        let verifier = unsafe { req_ref(verifier, "verifier") }?;
        // SAFETY: forwarded contracts.
        let token = unsafe { req_str(token, "token") }?;
        let kind = enum_value(
            resource_kind,
            &[
                (qcdn_resource_kind::QCDN_RESOURCE_LIVE as u32, qcdn_resource_kind::QCDN_RESOURCE_LIVE),
                (qcdn_resource_kind::QCDN_RESOURCE_STORAGE as u32, qcdn_resource_kind::QCDN_RESOURCE_STORAGE),
            ],
            "resource_kind",
        )?;
        // SAFETY: forwarded contracts.
        let resource = unsafe { req_str(resource, "resource") }?;
        // SAFETY: forwarded contracts.
        let opts = unsafe { verify_options(options) }?;
        let resource = match kind {
            qcdn_resource_kind::QCDN_RESOURCE_LIVE => Resource::live(resource),
            qcdn_resource_kind::QCDN_RESOURCE_STORAGE => Resource::storage(resource),
        };
        let verified = verifier.inner.verify(token, &opts)?;
        // SAFETY: checked non-NULL.
        unsafe { *out_covers = verified.claims.covers(&resource) };
        Ok(())
    })
}

/// Explains whether the edge would accept a signed URL (any of the four
/// forms): every check, passed or failed, in words, as a JSON document
/// `{"url","form","resource","key_id","claims","checks":[{"name","passed","detail"}],"ok"}`.
/// Returns `QCDN_OK` for a refused URL too (`"ok": false`); free the
/// document with `qcdn_string_free`. `options` may be NULL.
///
/// # Safety
/// `verifier` NULL or live; `url` NULL or NUL-terminated; `options` NULL or
/// valid; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_verifier_explain(
    verifier: *const qcdn_verifier,
    url: *const c_char,
    options: *const qcdn_verify_options,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_json, "out_json")?;
        // SAFETY: forwarded contracts.
        let verifier = unsafe { req_ref(verifier, "verifier") }?;
        // SAFETY: forwarded contracts.
        let url = unsafe { req_str(url, "url") }?;
        // SAFETY: forwarded contracts.
        let opts = unsafe { verify_options(options) }?;
        let explanation = verifier.inner.explain_with(url, &opts);
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_json, explanation.to_json()) }
    })
}

/// Frees a verifier. NULL is accepted.
///
/// # Safety
/// `verifier` is NULL or from `qcdn_verifier_new`/`_from_signer`, not yet
/// freed and no longer in use by any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_verifier_free(verifier: *mut qcdn_verifier) {
    ffi_boundary!(void {
        if !verifier.is_null() {
            // SAFETY: a pointer from Box::into_raw.
            drop(unsafe { Box::from_raw(verifier) });
        }
    })
}
