//! Playback and storage URLs (the four forms of DESIGN.md §3), their signed
//! variants and the `Qencode-Auth-Token` signed cookie.

use std::ffi::c_char;

use qcdn::{CookieOptions, KeyStyle, SameSite, SignedCookie, options::split_cookie_options};

use crate::convert::{enum_value, json_options, opt_str, req_out, req_ref, req_str, to_json, write_string};
use crate::error::qcdn_status;
use crate::signer::{qcdn_sign_options, qcdn_signer, sign_options, sign_options_json};

/// `https://play-{playback_id}.qencode.com/qhls/qlive/playlist.m3u8`, with
/// `?auth={token}` when `token` (optional) is not NULL. A bad playback id or
/// token is `QCDN_ERR_INVALID_ARGUMENT`. Free the URL with `qcdn_string_free`.
///
/// # Safety
/// String arguments NULL or NUL-terminated; `out_url` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_live_playback_url(
    playback_id: *const c_char,
    token: *const c_char,
    out_url: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_url, "out_url")?;
        // SAFETY: forwarded contracts.
        let (playback_id, token) = unsafe { (req_str(playback_id, "playback_id")?, opt_str(token, "token")?) };
        let url = qcdn::live_playback_url(playback_id, token)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_url, url) }
    })
}

/// `https://{domain}/{playback_id}.m3u8`, with `?auth={token}` when `token`
/// (optional) is not NULL. Free the URL with `qcdn_string_free`.
///
/// # Safety
/// String arguments NULL or NUL-terminated; `out_url` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_live_custom_domain_url(
    domain: *const c_char,
    playback_id: *const c_char,
    token: *const c_char,
    out_url: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_url, "out_url")?;
        // SAFETY: forwarded contracts.
        let (domain, playback_id, token) =
            unsafe { (req_str(domain, "domain")?, req_str(playback_id, "playback_id")?, opt_str(token, "token")?) };
        let url = qcdn::live_custom_domain_url(domain, playback_id, token)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_url, url) }
    })
}

/// `https://{bucket}.media-storage.{region}.qencode.com/{key}` (regions
/// `us-west`, `eu-central`; the key percent-encoded per segment), with
/// `?auth={token}` when `token` (optional) is not NULL. Free the URL with
/// `qcdn_string_free`.
///
/// # Safety
/// String arguments NULL or NUL-terminated; `out_url` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_storage_url(
    bucket: *const c_char,
    region: *const c_char,
    key: *const c_char,
    token: *const c_char,
    out_url: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_url, "out_url")?;
        // SAFETY: forwarded contracts.
        let (bucket, region, key, token) = unsafe {
            (
                req_str(bucket, "bucket")?,
                req_str(region, "region")?,
                req_str(key, "key")?,
                opt_str(token, "token")?,
            )
        };
        let url = qcdn::storage_url(bucket, region, key, token)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_url, url) }
    })
}

/// `https://{domain}/{key}` (the key percent-encoded per segment), with
/// `?auth={token}` when `token` (optional) is not NULL. Free the URL with
/// `qcdn_string_free`.
///
/// # Safety
/// String arguments NULL or NUL-terminated; `out_url` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_storage_custom_domain_url(
    domain: *const c_char,
    key: *const c_char,
    token: *const c_char,
    out_url: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_url, "out_url")?;
        // SAFETY: forwarded contracts.
        let (domain, key, token) = unsafe { (req_str(domain, "domain")?, req_str(key, "key")?, opt_str(token, "token")?) };
        let url = qcdn::storage_custom_domain_url(domain, key, token)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_url, url) }
    })
}

/// A signed live playback URL on the default host (the token's `uri` is the
/// playback id). `options` may be NULL. Free the URL with `qcdn_string_free`.
///
/// # Safety
/// `signer` NULL or live; strings NULL or NUL-terminated; `options` NULL or
/// valid; `out_url` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_signed_live_url(
    signer: *const qcdn_signer,
    playback_id: *const c_char,
    options: *const qcdn_sign_options,
    out_url: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_url, "out_url")?;
        // SAFETY: forwarded contracts.
        let (signer, playback_id, opts) =
            unsafe { (req_ref(signer, "signer")?, req_str(playback_id, "playback_id")?, sign_options(options)?) };
        let url = signer.inner.signed_live_url(playback_id, &opts)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_url, url) }
    })
}

/// A signed live playback URL on a custom domain (the token's `uri` is the
/// playback id). `options` may be NULL. Free the URL with `qcdn_string_free`.
///
/// # Safety
/// As `qcdn_signer_signed_live_url`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_signed_live_custom_domain_url(
    signer: *const qcdn_signer,
    domain: *const c_char,
    playback_id: *const c_char,
    options: *const qcdn_sign_options,
    out_url: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_url, "out_url")?;
        // SAFETY: forwarded contracts.
        let (signer, domain, playback_id, opts) = unsafe {
            (
                req_ref(signer, "signer")?,
                req_str(domain, "domain")?,
                req_str(playback_id, "playback_id")?,
                sign_options(options)?,
            )
        };
        let url = signer.inner.signed_live_custom_domain_url(domain, playback_id, &opts)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_url, url) }
    })
}

/// A signed storage URL on the default host (the token's `uri` is the key
/// without a leading `/`). `options` may be NULL. Free the URL with
/// `qcdn_string_free`.
///
/// # Safety
/// As `qcdn_signer_signed_live_url`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_signed_storage_url(
    signer: *const qcdn_signer,
    bucket: *const c_char,
    region: *const c_char,
    key: *const c_char,
    options: *const qcdn_sign_options,
    out_url: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_url, "out_url")?;
        // SAFETY: forwarded contracts.
        let (signer, bucket, region, key, opts) = unsafe {
            (
                req_ref(signer, "signer")?,
                req_str(bucket, "bucket")?,
                req_str(region, "region")?,
                req_str(key, "key")?,
                sign_options(options)?,
            )
        };
        let url = signer.inner.signed_storage_url(bucket, region, key, &opts)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_url, url) }
    })
}

/// A signed storage URL on a custom domain (the token's `uri` is the key
/// without a leading `/`). `options` may be NULL. Free the URL with
/// `qcdn_string_free`.
///
/// # Safety
/// As `qcdn_signer_signed_live_url`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_signed_storage_custom_domain_url(
    signer: *const qcdn_signer,
    domain: *const c_char,
    key: *const c_char,
    options: *const qcdn_sign_options,
    out_url: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_url, "out_url")?;
        // SAFETY: forwarded contracts.
        let (signer, domain, key, opts) = unsafe {
            (
                req_ref(signer, "signer")?,
                req_str(domain, "domain")?,
                req_str(key, "key")?,
                sign_options(options)?,
            )
        };
        let url = signer.inner.signed_storage_custom_domain_url(domain, key, &opts)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_url, url) }
    })
}

/// Signs `uri` and adds the token to any URL as its `auth` query parameter
/// (replacing one already there, keeping the rest of the query and the
/// fragment). `options` may be NULL. Free the URL with `qcdn_string_free`.
///
/// # Safety
/// As `qcdn_signer_signed_live_url`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_sign_url(
    signer: *const qcdn_signer,
    url: *const c_char,
    uri: *const c_char,
    options: *const qcdn_sign_options,
    out_url: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_url, "out_url")?;
        // SAFETY: forwarded contracts.
        let (signer, url, uri, opts) = unsafe {
            (req_ref(signer, "signer")?, req_str(url, "url")?, req_str(uri, "uri")?, sign_options(options)?)
        };
        let signed = signer.inner.sign_url(url, uri, &opts)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_url, signed) }
    })
}

/// `qcdn_signer_signed_live_url` with the sign options as JSON text
/// (`options_json` optional, NULL = `{}`; the keys and rules of
/// `qcdn_signer_sign_json`). Free the URL with `qcdn_string_free`.
/// Thread safety: any thread.
///
/// # Safety
/// `signer` NULL or live; strings NULL or NUL-terminated; `out_url` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_signed_live_url_json(
    signer: *const qcdn_signer,
    playback_id: *const c_char,
    options_json: *const c_char,
    out_url: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_url, "out_url")?;
        // SAFETY: forwarded contracts.
        let (signer, playback_id, opts) = unsafe {
            (req_ref(signer, "signer")?, req_str(playback_id, "playback_id")?, sign_options_json(options_json)?)
        };
        let url = signer.inner.signed_live_url(playback_id, &opts)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_url, url) }
    })
}

/// `qcdn_signer_signed_live_custom_domain_url` with the sign options as JSON
/// text (as `qcdn_signer_sign_json`). Free the URL with `qcdn_string_free`.
/// Thread safety: any thread.
///
/// # Safety
/// As `qcdn_signer_signed_live_url_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_signed_live_custom_domain_url_json(
    signer: *const qcdn_signer,
    domain: *const c_char,
    playback_id: *const c_char,
    options_json: *const c_char,
    out_url: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_url, "out_url")?;
        // SAFETY: forwarded contracts.
        let (signer, domain, playback_id, opts) = unsafe {
            (
                req_ref(signer, "signer")?,
                req_str(domain, "domain")?,
                req_str(playback_id, "playback_id")?,
                sign_options_json(options_json)?,
            )
        };
        let url = signer.inner.signed_live_custom_domain_url(domain, playback_id, &opts)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_url, url) }
    })
}

/// `qcdn_signer_signed_storage_url` with the sign options as JSON text (as
/// `qcdn_signer_sign_json`). Free the URL with `qcdn_string_free`.
/// Thread safety: any thread.
///
/// # Safety
/// As `qcdn_signer_signed_live_url_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_signed_storage_url_json(
    signer: *const qcdn_signer,
    bucket: *const c_char,
    region: *const c_char,
    key: *const c_char,
    options_json: *const c_char,
    out_url: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_url, "out_url")?;
        // SAFETY: forwarded contracts.
        let (signer, bucket, region, key, opts) = unsafe {
            (
                req_ref(signer, "signer")?,
                req_str(bucket, "bucket")?,
                req_str(region, "region")?,
                req_str(key, "key")?,
                sign_options_json(options_json)?,
            )
        };
        let url = signer.inner.signed_storage_url(bucket, region, key, &opts)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_url, url) }
    })
}

/// `qcdn_signer_signed_storage_custom_domain_url` with the sign options as
/// JSON text (as `qcdn_signer_sign_json`). Free the URL with
/// `qcdn_string_free`. Thread safety: any thread.
///
/// # Safety
/// As `qcdn_signer_signed_live_url_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_signed_storage_custom_domain_url_json(
    signer: *const qcdn_signer,
    domain: *const c_char,
    key: *const c_char,
    options_json: *const c_char,
    out_url: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_url, "out_url")?;
        // SAFETY: forwarded contracts.
        let (signer, domain, key, opts) = unsafe {
            (
                req_ref(signer, "signer")?,
                req_str(domain, "domain")?,
                req_str(key, "key")?,
                sign_options_json(options_json)?,
            )
        };
        let url = signer.inner.signed_storage_custom_domain_url(domain, key, &opts)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_url, url) }
    })
}

/// `qcdn_signer_sign_url` with the sign options as JSON text (as
/// `qcdn_signer_sign_json`). Free the URL with `qcdn_string_free`.
/// Thread safety: any thread.
///
/// # Safety
/// As `qcdn_signer_signed_live_url_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_sign_url_json(
    signer: *const qcdn_signer,
    url: *const c_char,
    uri: *const c_char,
    options_json: *const c_char,
    out_url: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_url, "out_url")?;
        // SAFETY: forwarded contracts.
        let (signer, url, uri, opts) = unsafe {
            (
                req_ref(signer, "signer")?,
                req_str(url, "url")?,
                req_str(uri, "uri")?,
                sign_options_json(options_json)?,
            )
        };
        let signed = signer.inner.sign_url(url, uri, &opts)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_url, signed) }
    })
}

/// The cookie's `SameSite` attribute. Passed as `uint32_t`; other values are
/// `QCDN_ERR_INVALID_ARGUMENT`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum qcdn_same_site {
    /// `SameSite=Lax` (the default).
    QCDN_SAME_SITE_LAX = 0,
    /// `SameSite=Strict`.
    QCDN_SAME_SITE_STRICT = 1,
    /// `SameSite=None` (requires `Secure`).
    QCDN_SAME_SITE_NONE = 2,
}

/// Attributes of the signed cookie. NULL or a zero-initialised struct: no
/// `Domain` (host-only), `Path` = the folder the token's `uri` covers,
/// `Secure`, `HttpOnly`, `SameSite=Lax`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct qcdn_cookie_options {
    /// `Domain=`: the application's primary domain, so that every subdomain
    /// (the playback custom domain) receives the cookie. NULL = host-only.
    pub domain: *const c_char,
    /// Overrides the `Path=` derived from the token's `uri`; NULL = derived.
    pub path: *const c_char,
    /// A `qcdn_same_site` value.
    pub same_site: u32,
    /// Leave out `Secure` (plain-HTTP local tests only).
    pub insecure: bool,
    /// Leave out `HttpOnly` (lets page scripts read the token).
    pub script_readable: bool,
}

/// # Safety
/// `p` is NULL or a valid struct whose strings are NULL or NUL-terminated.
unsafe fn cookie_options(p: *const qcdn_cookie_options) -> Result<CookieOptions, qcdn::Error> {
    let mut opts = CookieOptions::new();
    if p.is_null() {
        return Ok(opts);
    }
    // SAFETY: non-NULL and valid per contract.
    let o = unsafe { &*p };
    // SAFETY: forwarded contract.
    if let Some(d) = unsafe { opt_str(o.domain, "cookie_options->domain") }? {
        opts = opts.domain(d);
    }
    // SAFETY: forwarded contract.
    if let Some(path) = unsafe { opt_str(o.path, "cookie_options->path") }? {
        opts = opts.path(path);
    }
    let same_site = enum_value(
        o.same_site,
        &[
            (qcdn_same_site::QCDN_SAME_SITE_LAX as u32, SameSite::Lax),
            (qcdn_same_site::QCDN_SAME_SITE_STRICT as u32, SameSite::Strict),
            (qcdn_same_site::QCDN_SAME_SITE_NONE as u32, SameSite::None),
        ],
        "cookie_options->same_site",
    )?;
    Ok(opts
        .same_site(same_site)
        .secure(!o.insecure)
        .http_only(!o.script_readable))
}

/// A `Qencode-Auth-Token` cookie for `uri` (for HLS/DASH the folder holding
/// the master playlist, e.g. `videos/a/`), as the value of a `Set-Cookie`
/// header: `Qencode-Auth-Token=<token>; Domain=…; Path=…; Max-Age=…; Secure;
/// HttpOnly; SameSite=Lax`. `Max-Age` follows the token's `exp` (absent for a
/// token that never expires). `options` and `cookie_options` may be NULL.
/// Free the header value with `qcdn_string_free`.
///
/// # Safety
/// `signer` NULL or live; `uri` NULL or NUL-terminated; the option structs
/// NULL or valid; `out_set_cookie` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_signed_cookie(
    signer: *const qcdn_signer,
    uri: *const c_char,
    options: *const qcdn_sign_options,
    cookie_options: *const qcdn_cookie_options,
    out_set_cookie: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_set_cookie, "out_set_cookie")?;
        // SAFETY: forwarded contracts.
        let (signer, uri, opts, cookie_opts) = unsafe {
            (
                req_ref(signer, "signer")?,
                req_str(uri, "uri")?,
                sign_options(options)?,
                self::cookie_options(cookie_options)?,
            )
        };
        let cookie = signer.inner.signed_cookie(uri, &opts, &cookie_opts)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_set_cookie, cookie.header_value()) }
    })
}

/// Signs a cookie from one JSON options object holding both the sign
/// options and the cookie attributes (split by the core's
/// `split_cookie_options`).
///
/// # Safety
/// `signer` live; `uri`, `options_json` NULL or NUL-terminated.
unsafe fn cookie_from_json(
    signer: *const qcdn_signer,
    uri: *const c_char,
    options_json: *const c_char,
) -> Result<SignedCookie, qcdn::Error> {
    // SAFETY: forwarded contracts.
    let (signer, uri, value) = unsafe {
        (
            req_ref(signer, "signer")?,
            req_str(uri, "uri")?,
            json_options(options_json, "options_json")?,
        )
    };
    let (opts, cookie_opts) = split_cookie_options(&value, KeyStyle::Snake)?;
    signer.inner.signed_cookie(uri, &opts, &cookie_opts)
}

/// `qcdn_signer_signed_cookie` with every option in one JSON object
/// (`options_json` optional, NULL = `{}`): the sign options of
/// `qcdn_signer_sign_json` (`expires_in`, `expires_at`, `not_before`, `now`,
/// `claims`, `never_expires`) and the cookie attributes `domain`, `path`
/// (strings), `same_site` (`"Lax"`, `"Strict"`, `"None"`, any case),
/// `secure` and `http_only` (booleans, default true). Unknown keys and wrong
/// types are `QCDN_ERR_INVALID_ARGUMENT`. `*out_set_cookie` receives the
/// value of a `Set-Cookie` header, to free with `qcdn_string_free`.
/// Thread safety: any thread.
///
/// # Safety
/// `signer` NULL or live; `uri`, `options_json` NULL or NUL-terminated;
/// `out_set_cookie` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_signed_cookie_json(
    signer: *const qcdn_signer,
    uri: *const c_char,
    options_json: *const c_char,
    out_set_cookie: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_set_cookie, "out_set_cookie")?;
        // SAFETY: forwarded contracts.
        let cookie = unsafe { cookie_from_json(signer, uri, options_json) }?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_set_cookie, cookie.header_value()) }
    })
}

/// The cookie of `qcdn_signer_signed_cookie_json` as its fields, for web
/// frameworks that set cookies from parts (a servlet `Cookie`, PHP
/// `setcookie`, Rails `cookies[]`) rather than from a header line:
/// `{"name":"Qencode-Auth-Token","value":"<token>","domain":"example.com"|null,
/// "path":"/videos/a/","max_age":3600|null,"secure":true,"http_only":true,
/// "same_site":"Lax"|"Strict"|"None"}` (`max_age` is null for a token that
/// never expires: a session cookie). Same options as
/// `qcdn_signer_signed_cookie_json`. Free the document with
/// `qcdn_string_free`. Thread safety: any thread.
///
/// # Safety
/// `signer` NULL or live; `uri`, `options_json` NULL or NUL-terminated;
/// `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_signed_cookie_fields_json(
    signer: *const qcdn_signer,
    uri: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_json, "out_json")?;
        // SAFETY: forwarded contracts.
        let cookie = unsafe { cookie_from_json(signer, uri, options_json) }?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_json, to_json(&cookie)?) }
    })
}
