//! `qcdn_verifier`: checks tokens and explains signed URLs.

use std::ffi::c_char;

use qcdn::{Error, KeyStyle, Resource, Verifier, VerifyOptions};

use crate::convert::{
    enum_value, json_options, opt_str, req_bytes, req_out, req_ref, req_str, to_json, write_opt_string, write_string,
};
use crate::error::qcdn_status;
use crate::signer::qcdn_signer;

/// A public key that checks tokens (opaque). Create with `qcdn_verifier_new`,
/// `qcdn_verifier_new_jwk` or `qcdn_verifier_from_signer`, free with
/// `qcdn_verifier_free`. Immutable
/// after creation: one verifier may be used from many threads at once.
pub struct qcdn_verifier {
    inner: Verifier,
}

/// What kind of resource a token is checked against
/// (`qcdn_verifier_verify_resource`).
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
    /// Verify as if the time were this Unix second (any value, negative
    /// included); 0 = the system clock.
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
    // 0 is "the system clock" (a zero-initialised struct); any other value is
    // the time to verify at, as the core reads it.
    if o.now != 0 {
        opts = opts.now(o.now);
    }
    Ok(opts)
}

/// Verify options given as JSON text, read by the core's
/// `VerifyOptions::from_json` (snake_case keys). NULL = `{}`.
///
/// # Safety
/// `p` is NULL or NUL-terminated.
unsafe fn verify_options_json(p: *const c_char) -> Result<VerifyOptions, Error> {
    // SAFETY: forwarded contract.
    let value = unsafe { json_options(p, "options_json") }?;
    VerifyOptions::from_json(&value, KeyStyle::Snake)
}

/// A resource from its C kind (range-checked) and name.
///
/// # Safety
/// `resource` is NULL or NUL-terminated.
unsafe fn resource(kind: u32, resource: *const c_char) -> Result<Resource, Error> {
    let kind = enum_value(
        kind,
        &[
            (
                qcdn_resource_kind::QCDN_RESOURCE_LIVE as u32,
                qcdn_resource_kind::QCDN_RESOURCE_LIVE,
            ),
            (
                qcdn_resource_kind::QCDN_RESOURCE_STORAGE as u32,
                qcdn_resource_kind::QCDN_RESOURCE_STORAGE,
            ),
        ],
        "resource_kind",
    )?;
    // SAFETY: forwarded contract.
    let name = unsafe { req_str(resource, "resource") }?;
    Ok(match kind {
        qcdn_resource_kind::QCDN_RESOURCE_LIVE => Resource::live(name),
        qcdn_resource_kind::QCDN_RESOURCE_STORAGE => Resource::storage(name),
    })
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

/// A verifier from a JWK JSON text (`{"kty":"RSA","n":…,"e":…}`, or a JWK
/// Set holding one key): the core's `Verifier::from_jwk`. The JWK's `kid`,
/// when present, becomes the expected key id (a token naming another key id
/// is `QCDN_ERR_UNKNOWN_KEY_ID`) — the same rule `qcdn_verifier_new` applies
/// to a JWK given as key bytes. A JWK that is not RSA or not a key is
/// `QCDN_ERR_INVALID_KEY`. On success `*out_verifier` receives a verifier to
/// free with `qcdn_verifier_free`. Thread safety: any thread.
///
/// # Safety
/// `jwk` is NULL or NUL-terminated; `out_verifier` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_verifier_new_jwk(
    jwk: *const c_char,
    out_verifier: *mut *mut qcdn_verifier,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_verifier, "out_verifier")?;
        // SAFETY: forwarded contract.
        let jwk = unsafe { req_str(jwk, "jwk") }?;
        boxed(out_verifier, Verifier::from_jwk(jwk)?);
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
        // SAFETY: NULL or writable.
        unsafe { write_opt_string(out_claims_json, to_json(&verified)?) }
    })
}

/// `qcdn_verifier_verify` with the options as JSON text, read by the core's
/// `VerifyOptions::from_json`: `options_json` (optional, NULL = `{}`) is an
/// object with the snake_case keys `key_id` (string), `leeway` (seconds),
/// `now` (Unix seconds) and `resource` (`{"kind":"live","playback_id":…}` or
/// `{"kind":"storage","key":…}`). With a `resource`, a valid token that does
/// not cover it is `QCDN_ERR_URI_MISMATCH`. Unknown keys, wrong types and
/// text that is not JSON are `QCDN_ERR_INVALID_ARGUMENT`.
///
/// On success `*out_json` (required) receives `{"kid":"…"|null,"claims":{"uri":…,"exp":…,…}}`,
/// to free with `qcdn_string_free`. Thread safety: any thread.
///
/// # Safety
/// `verifier` NULL or live; `token`, `options_json` NULL or NUL-terminated;
/// `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_verifier_verify_json(
    verifier: *const qcdn_verifier,
    token: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_json, "out_json")?;
        // SAFETY: forwarded contracts.
        let (verifier, token, opts) =
            unsafe { (req_ref(verifier, "verifier")?, req_str(token, "token")?, verify_options_json(options_json)?) };
        let verified = verifier.inner.verify(token, &opts)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_json, to_json(&verified)?) }
    })
}

/// Verifies a token as `qcdn_verifier_verify` does and requires that it
/// grants `resource`: for `QCDN_RESOURCE_LIVE` a playback id (the token's
/// `uri` must equal it), for `QCDN_RESOURCE_STORAGE` an object key, decoded
/// (the token's `uri` must be a prefix of it; `""` covers the whole bucket; a
/// leading `/` is ignored). This is the call for an authorisation decision:
/// it returns `QCDN_OK` only for a valid token that covers the resource, and
/// `QCDN_ERR_URI_MISMATCH` for a valid token that does not, so a caller that
/// checks `== QCDN_OK` cannot let the wrong resource through.
///
/// ```c
/// if (qcdn_verifier_verify_resource(verifier, token, QCDN_RESOURCE_STORAGE, key, NULL, NULL) == QCDN_OK) {
///     // serve `key`
/// }
/// ```
///
/// Other failures: the statuses of `qcdn_verifier_verify`, and
/// `QCDN_ERR_INVALID_ARGUMENT` for an out-of-range `resource_kind`.
/// `options` may be NULL. On success `*out_claims_json` (optional: NULL
/// discards it) receives `{"kid":…,"claims":{…}}`, to free with
/// `qcdn_string_free`. Thread safety: any thread, concurrently on one verifier.
///
/// # Safety
/// `verifier` NULL or live; `token`, `resource` NULL or NUL-terminated;
/// `options` NULL or valid; `out_claims_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_verifier_verify_resource(
    verifier: *const qcdn_verifier,
    token: *const c_char,
    resource_kind: u32,
    resource: *const c_char,
    options: *const qcdn_verify_options,
    out_claims_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contracts.
        let verifier = unsafe { req_ref(verifier, "verifier") }?;
        // SAFETY: forwarded contracts.
        let token = unsafe { req_str(token, "token") }?;
        // SAFETY: forwarded contracts.
        let resource = unsafe { self::resource(resource_kind, resource) }?;
        // SAFETY: forwarded contracts.
        let opts = unsafe { verify_options(options) }?.resource(resource);
        let verified = verifier.inner.verify(token, &opts)?;
        // SAFETY: NULL or writable.
        unsafe { write_opt_string(out_claims_json, to_json(&verified)?) }
    })
}

/// **Deprecated: use `qcdn_verifier_verify_resource`.** This call returns
/// `QCDN_OK` for a valid token that does *not* cover the resource (the answer
/// is only in `*out_covers`), so a caller that checks the status alone grants
/// access to the wrong resource. It keeps working unchanged.
///
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
        // SAFETY: forwarded contracts.
        let resource = unsafe { self::resource(resource_kind, resource) }?;
        // SAFETY: forwarded contracts.
        let opts = unsafe { verify_options(options) }?;
        let verified = verifier.inner.verify(token, &opts)?;
        // SAFETY: checked non-NULL.
        unsafe { *out_covers = verified.claims.covers(&resource) };
        Ok(())
    })
}

/// Explains whether the edge would accept a signed URL (any of the four
/// forms): every check, passed or failed, in words, as a JSON document
/// `{"url","form","resource","key_id","claims","checks":[{"name","passed","detail"}],"warnings":[{"code","message"}],"ok"}`
/// (`warnings`: what the token grants that may be more than meant, as
/// `qcdn_audit` says; they never make `ok` false).
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

/// `qcdn_verifier_explain` with the options as JSON text (the keys of
/// `qcdn_verifier_verify_json`; the resource is always the one the URL asks
/// for). Returns `QCDN_OK` with the verdict document for a refused URL too;
/// bad options are `QCDN_ERR_INVALID_ARGUMENT`. Free the document with
/// `qcdn_string_free`. Thread safety: any thread.
///
/// # Safety
/// `verifier` NULL or live; `url`, `options_json` NULL or NUL-terminated;
/// `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_verifier_explain_json(
    verifier: *const qcdn_verifier,
    url: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_json, "out_json")?;
        // SAFETY: forwarded contracts.
        let (verifier, url, opts) =
            unsafe { (req_ref(verifier, "verifier")?, req_str(url, "url")?, verify_options_json(options_json)?) };
        let explanation = verifier.inner.explain_with(url, &opts);
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_json, explanation.to_json()) }
    })
}

/// Every check of a verification of a bare token, passed or failed, in
/// words: the core's `Verifier::explain_token`. `options_json` (optional,
/// NULL = `{}`) has the keys of `qcdn_verifier_verify_json`; the `resource`
/// check runs only when it names a resource. The document has the shape of
/// `qcdn_verifier_explain`'s (`"url"` is `""`, `"form"` null):
/// `{"url","form","resource","key_id","claims","checks":[{"name","passed","detail"}],"warnings":[…],"ok"}`.
/// Returns `QCDN_OK` for a refused token too (`"ok": false`); bad options are
/// `QCDN_ERR_INVALID_ARGUMENT`. Free the document with `qcdn_string_free`.
/// Thread safety: any thread.
///
/// # Safety
/// `verifier` NULL or live; `token`, `options_json` NULL or NUL-terminated;
/// `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_verifier_explain_token(
    verifier: *const qcdn_verifier,
    token: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_json, "out_json")?;
        // SAFETY: forwarded contracts.
        let (verifier, token, opts) =
            unsafe { (req_ref(verifier, "verifier")?, req_str(token, "token")?, verify_options_json(options_json)?) };
        let explanation = verifier.inner.explain_token(token, &opts);
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_json, explanation.to_json()) }
    })
}

/// Decodes a token's header and claims **without verifying anything** (no
/// signature, key id or time check): for display and debugging, never for
/// an access decision. `*out_json` receives
/// `{"header":{"alg":…,"typ":…,"kid":…},"claims":{"uri":…,"exp":…,…}}`, to
/// free with `qcdn_string_free`. A token that is not three base64url parts
/// of JSON objects, or has no string `uri` claim, is
/// `QCDN_ERR_MALFORMED_TOKEN`. Thread safety: any thread.
///
/// # Safety
/// `token` is NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_decode_unverified(token: *const c_char, out_json: *mut *mut c_char) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_json, "out_json")?;
        // SAFETY: forwarded contract.
        let token = unsafe { req_str(token, "token") }?;
        let (header, claims) = qcdn::decode_unverified(token)?;
        let doc = serde_json::json!({ "header": header, "claims": claims.to_json() });
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_json, to_json(&doc)?) }
    })
}

/// Audits a token: what it grants that may be more than meant, in words
/// (the core's `audit_at`; no key is needed and nothing is verified). On
/// success `*out_json` receives `{"warnings":[{"code":…,"message":…},…]}`,
/// the codes being `PREFIX_COVERS_SIBLINGS` (a storage `uri` without a
/// trailing `/` also covers its siblings: `videos/a` covers `videos/ab/…`),
/// `WHOLE_BUCKET` (`uri` is `""`), `NEVER_EXPIRES`, `LONG_LIFETIME` (valid for
/// more than a day) and `LEADING_SLASH` (a `uri` that can never match), in
/// that order; an empty list when there is nothing to say. The same
/// warnings are in the `"warnings"` member of the explain documents.
///
/// `now` is the audit's clock in Unix seconds; 0 = the system clock. A token that cannot be read is
/// `QCDN_ERR_MALFORMED_TOKEN`. Free the document with `qcdn_string_free`.
/// Thread safety: any thread.
///
/// # Safety
/// `token` is NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_audit(token: *const c_char, now: i64, out_json: *mut *mut c_char) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_json, "out_json")?;
        // SAFETY: forwarded contract.
        let token = unsafe { req_str(token, "token") }?;
        let warnings = if now == 0 { qcdn::audit(token)? } else { qcdn::audit_at(token, now)? };
        let doc = serde_json::json!({ "warnings": warnings });
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_json, to_json(&doc)?) }
    })
}

/// Frees a verifier. NULL is accepted.
///
/// # Safety
/// `verifier` is NULL or from `qcdn_verifier_new`, `_new_jwk` or
/// `_from_signer`, not yet freed and no longer in use by any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_verifier_free(verifier: *mut qcdn_verifier) {
    ffi_boundary!(void {
        if !verifier.is_null() {
            // SAFETY: a pointer from Box::into_raw.
            drop(unsafe { Box::from_raw(verifier) });
        }
    })
}
