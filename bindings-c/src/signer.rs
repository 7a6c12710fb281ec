//! `qcdn_signer`: a private key loaded once, tokens signed many times.

use std::ffi::c_char;

use qcdn::{Error, Expiry, KeyStyle, SignOptions, Signer};

use crate::convert::{json_options, opt_str, req_bytes, req_out, req_path, req_ref, req_str, write_string};
use crate::error::qcdn_status;

/// A signing key (opaque). Create with `qcdn_signer_new`,
/// `qcdn_signer_from_env` or `qcdn_signer_from_file`; free with
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
    /// tokens); 0 = the system clock; a negative time or one beyond the year
    /// 5138 (milliseconds) is `QCDN_ERR_INVALID_ARGUMENT`.
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
    // 0 is "the system clock" (a zero-initialised struct); any other value,
    // negative included, is the signer's to judge.
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
/// Errors: `QCDN_ERR_INVALID_ARGUMENT` (NULL `key`, NULL, empty or bad UTF-8
/// key id), `QCDN_ERR_INVALID_KEY` (unparseable — an empty buffer too — not
/// RSA, too small; the message says which format was seen, never the key
/// bytes). On success `*out_signer` receives a signer to free with
/// `qcdn_signer_free`. Thread safety: any thread.
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
        boxed(out_signer, signer);
        Ok(())
    })
}

fn boxed(out: *mut *mut qcdn_signer, signer: Signer) {
    // SAFETY: callers check `out` non-NULL first; writable per contract.
    unsafe { *out = Box::into_raw(Box::new(qcdn_signer { inner: signer })) };
}

/// Loads the signing key from the environment: the key from
/// `QENCODE_SIGNING_KEY` (any form `qcdn_signer_new` accepts, env-mangled
/// newlines included) and, when `key_id` is NULL, the key id from
/// `QENCODE_SIGNING_KEY_ID`. Values are trimmed; an unset or blank variable
/// is `QCDN_ERR_INVALID_ARGUMENT` naming the variable (never its value); a
/// bad key is `QCDN_ERR_INVALID_KEY`. The same rules as `from_env` in every
/// language (the core's `Signer::from_env`).
///
/// `key_id` (optional): the key id to use; NULL = `QENCODE_SIGNING_KEY_ID`.
/// On success `*out_signer` receives a signer to free with `qcdn_signer_free`.
///
/// Thread safety: reads the process environment. Do not call it while
/// another thread may call `setenv`/`putenv`/`unsetenv` (those are not
/// thread-safe in C).
///
/// # Safety
/// `key_id` is NULL or NUL-terminated; `out_signer` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_from_env(key_id: *const c_char, out_signer: *mut *mut qcdn_signer) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_signer, "out_signer")?;
        // SAFETY: forwarded contract.
        let key_id = unsafe { opt_str(key_id, "key_id") }?;
        boxed(out_signer, Signer::from_env(key_id)?);
        Ok(())
    })
}

/// Loads the private key from a file (any form `qcdn_signer_new` accepts);
/// the file's bytes are wiped from memory after loading. A file that cannot
/// be read is `QCDN_ERR_INVALID_ARGUMENT` naming the path and the reason; a
/// bad key is `QCDN_ERR_INVALID_KEY`.
///
/// `path` is a NUL-terminated file name (any bytes on POSIX systems, UTF-8
/// elsewhere). On success `*out_signer` receives a signer to free with
/// `qcdn_signer_free`. Thread safety: any thread.
///
/// # Safety
/// `key_id`, `path` NULL or NUL-terminated; `out_signer` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_from_file(
    key_id: *const c_char,
    path: *const c_char,
    out_signer: *mut *mut qcdn_signer,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_signer, "out_signer")?;
        // SAFETY: forwarded contracts.
        let (key_id, path) = unsafe { (req_str(key_id, "key_id")?, req_path(path, "path")?) };
        boxed(out_signer, Signer::from_file(key_id, path)?);
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

/// Sign options given as JSON text, read by the core's `SignOptions::from_json`
/// (snake_case keys): `expires_in` (seconds), `expires_at`, `not_before`,
/// `now` (Unix seconds), `claims` (object), `never_expires` (boolean).
/// NULL = `{}`.
///
/// # Safety
/// `p` is NULL or NUL-terminated.
pub(crate) unsafe fn sign_options_json(p: *const c_char) -> Result<SignOptions, Error> {
    // SAFETY: forwarded contract.
    let value = unsafe { json_options(p, "options_json") }?;
    SignOptions::from_json(&value, KeyStyle::Snake)
}

/// `qcdn_signer_sign` with the options as JSON text, for bindings of
/// languages with dynamic or keyword options (PHP arrays, Ruby keywords, Java
/// and C# builders): the core reads them, so every language refuses the same
/// mistakes with the same words.
///
/// `options_json` (optional; NULL = `{}`) is an object with the snake_case
/// keys `expires_in` (seconds from now), `expires_at`, `not_before`, `now`
/// (Unix seconds), `claims` (object) and `never_expires` (boolean). Leave a
/// key out for its default (3600 s of lifetime). Refused with
/// `QCDN_ERR_INVALID_ARGUMENT`: text that is not JSON, an unknown key, a
/// value of the wrong type, fractional seconds, and a lifetime given as
/// `null` (`"expires_in": null` never means "forever" nor the default; a
/// token without expiry needs `"never_expires": true`). Wrong types and
/// `null` lifetimes have `"type_error": true` in `qcdn_last_error_json`.
///
/// On success `*out_token` receives the JWT, to free with `qcdn_string_free`.
/// Thread safety: any thread, concurrently on one signer.
///
/// # Safety
/// `signer` NULL or live; `uri`, `options_json` NULL or NUL-terminated;
/// `out_token` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_sign_json(
    signer: *const qcdn_signer,
    uri: *const c_char,
    options_json: *const c_char,
    out_token: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_token, "out_token")?;
        // SAFETY: forwarded contracts.
        let (signer, uri, opts) =
            unsafe { (req_ref(signer, "signer")?, req_str(uri, "uri")?, sign_options_json(options_json)?) };
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

/// The size of the signer's RSA modulus in bits (2048, 3072, 4096 …).
/// Thread safety: any thread.
///
/// # Safety
/// `signer` is NULL or live; `out_bits` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_key_bits(signer: *const qcdn_signer, out_bits: *mut u32) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_bits, "out_bits")?;
        // SAFETY: forwarded contracts.
        let signer = unsafe { req_ref(signer, "signer") }?;
        let bits = u32::try_from(signer.inner.key_bits())
            .map_err(|_| Error::with_code(qcdn::ErrorCode::Internal, "the key size does not fit in 32 bits"))?;
        // SAFETY: checked non-NULL.
        unsafe { *out_bits = bits };
        Ok(())
    })
}

/// The signer's public key as a JWK JSON object text with `kty` (`RSA`),
/// `kid`, `alg` (`RS256`), `use` (`sig`), `n` and `e`, for a JWKS endpoint
/// or `qcdn_verifier_new_jwk`. Free with `qcdn_string_free`.
/// Thread safety: any thread.
///
/// # Safety
/// `signer` is NULL or live; `out_jwk` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_public_key_jwk(
    signer: *const qcdn_signer,
    out_jwk: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_jwk, "out_jwk")?;
        // SAFETY: forwarded contracts.
        let signer = unsafe { req_ref(signer, "signer") }?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_jwk, signer.inner.public_key_jwk()) }
    })
}

/// Frees a signer. NULL is accepted.
///
/// # Safety
/// `signer` is NULL or a signer from `qcdn_signer_new`, `qcdn_signer_from_env`
/// or `qcdn_signer_from_file`, not yet freed and no longer in use by any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_free(signer: *mut qcdn_signer) {
    ffi_boundary!(void {
        if !signer.is_null() {
            // SAFETY: a pointer from Box::into_raw in `boxed`.
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
