//! `qcdn_client`: the blocking management-API client. Every method returns
//! the API's JSON document (the typed result serialised; `{"status":"ok"}`
//! for calls that return nothing).

use std::collections::BTreeMap;
use std::ffi::c_char;
use std::time::Duration;

use qcdn::client::OK_DOCUMENT;
use qcdn::{BucketPolicy, Client, ClientBuilder, DomainType, Error, ErrorCode, KeyStyle, SigningKeyTarget};
use serde::Serialize;

use crate::convert::{enum_value, invalid, json_options, opt_str, req_out, req_ref, req_str, write_opt_string};
use crate::error::qcdn_status;

/// A management-API client for one API key (opaque). Create with
/// `qcdn_client_new` or `qcdn_client_new_json`, free with `qcdn_client_free`. One client may be used
/// from many threads at once; it caches and renews its access token itself.
/// Every call blocks until the API answers (bounded by the timeouts).
pub struct qcdn_client {
    inner: Client,
}

/// Settings of a client. NULL or a zero-initialised struct: every default
/// (the production API, 10 s to connect, 30 s per attempt, 60 s per call,
/// 3 retries).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct qcdn_client_options {
    /// Base URL of the management API; NULL = `https://api-cdn.qencode.com`.
    pub api_url: *const c_char,
    /// Base URL of the access-token API; NULL = `https://api-live.qencode.com`.
    pub auth_url: *const c_char,
    /// Milliseconds allowed to connect; 0 = the default (10 000).
    pub connect_timeout_ms: u32,
    /// Milliseconds allowed for one whole attempt; 0 = the default (30 000).
    pub timeout_ms: u32,
    /// Retries after the first attempt (at most 10); 0 = the default (3).
    pub max_retries: u32,
    /// Never retry (overrides `max_retries`).
    pub no_retries: bool,
    /// Milliseconds one whole call may take — every attempt, every wait
    /// between retries (`Retry-After` included) and the wait for an access
    /// token; then the call fails with `QCDN_ERR_TIMEOUT`. 0 = the default
    /// (60 000, or `timeout_ms` when that is longer).
    pub deadline_ms: u32,
}

/// The type of a playback domain. Passed as `uint32_t`; other values are
/// `QCDN_ERR_INVALID_ARGUMENT`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum qcdn_domain_type {
    /// Any type: only as the filter of `qcdn_client_list_domains`.
    QCDN_DOMAIN_TYPE_ANY = 0,
    /// `"live"`: live-streaming playback.
    QCDN_DOMAIN_TYPE_LIVE = 1,
    /// `"storage"`: media-storage playback.
    QCDN_DOMAIN_TYPE_STORAGE = 2,
}

/// What a new signing key is for. Passed as `uint32_t`; other values are
/// `QCDN_ERR_INVALID_ARGUMENT`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum qcdn_signing_key_target {
    /// A live stream, by stream id.
    QCDN_SIGNING_KEY_TARGET_STREAM = 0,
    /// A playback domain, by domain id.
    QCDN_SIGNING_KEY_TARGET_DOMAIN = 1,
    /// A media-storage bucket, by name.
    QCDN_SIGNING_KEY_TARGET_BUCKET = 2,
}

/// A bucket's access policy. Passed as `uint32_t`; other values are
/// `QCDN_ERR_INVALID_ARGUMENT`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum qcdn_bucket_policy {
    /// `"public"`: anyone may read.
    QCDN_BUCKET_POLICY_PUBLIC = 0,
    /// `"authenticated"`: every request needs a signed token.
    QCDN_BUCKET_POLICY_AUTHENTICATED = 1,
}

fn ms(v: u32) -> Option<Duration> {
    (v != 0).then(|| Duration::from_millis(u64::from(v)))
}

/// Creates a client for `api_key`. No I/O happens here; the first call
/// fetches an access token. `options` may be NULL.
///
/// Errors: `QCDN_ERR_INVALID_ARGUMENT` (NULL or empty key, bad URL, too many
/// retries). The API key never appears in a message.
///
/// # Safety
/// `api_key` NULL or NUL-terminated; `options` NULL or valid;
/// `out_client` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_new(
    api_key: *const c_char,
    options: *const qcdn_client_options,
    out_client: *mut *mut qcdn_client,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_client, "out_client")?;
        // SAFETY: forwarded contract.
        let api_key = unsafe { req_str(api_key, "api_key") }?;
        let mut builder = Client::builder(api_key).user_agent_suffix("c");
        if !options.is_null() {
            // SAFETY: non-NULL and valid per contract.
            let o = unsafe { &*options };
            // SAFETY: forwarded contract.
            if let Some(url) = unsafe { opt_str(o.api_url, "options->api_url") }? {
                builder = builder.api_url(url);
            }
            // SAFETY: forwarded contract.
            if let Some(url) = unsafe { opt_str(o.auth_url, "options->auth_url") }? {
                builder = builder.auth_url(url);
            }
            if let Some(d) = ms(o.connect_timeout_ms) {
                builder = builder.connect_timeout(d);
            }
            if let Some(d) = ms(o.timeout_ms) {
                builder = builder.timeout(d);
            }
            if let Some(d) = ms(o.deadline_ms) {
                builder = builder.deadline(d);
            }
            if o.no_retries {
                builder = builder.max_retries(0);
            } else if o.max_retries != 0 {
                builder = builder.max_retries(o.max_retries);
            }
        }
        let client = builder.build()?;
        // SAFETY: checked non-NULL; writable per contract.
        unsafe { *out_client = Box::into_raw(Box::new(qcdn_client { inner: client })) };
        Ok(())
    })
}

/// Creates a client with its settings as JSON text, for bindings of other
/// languages (the core's `ClientBuilder::options_json` reads them). No I/O
/// happens here.
///
/// - `api_key` (optional): the API key; NULL = the `QENCODE_API_KEY`
///   environment variable (trimmed; unset or blank is
///   `QCDN_ERR_INVALID_ARGUMENT` naming the variable — the core's
///   `ClientBuilder::from_env`).
/// - `options_json` (optional, NULL = `{}`): an object with the snake_case
///   keys `api_url`, `auth_url` (strings), `timeout`, `connect_timeout`,
///   `deadline` (seconds, fractions allowed, more than 0; `deadline` bounds
///   the whole call, retries included) and `max_retries` (a whole
///   number, at most 10); `null` leaves a default. Unknown keys and wrong
///   types are `QCDN_ERR_INVALID_ARGUMENT`.
/// - `binding` (optional): names the caller in the `User-Agent` header
///   (`qencode-cdn/<version> (<binding>)`), e.g. `"java"`; NULL = `"c"`.
///
/// The API key never appears in a message. On success `*out_client`
/// receives a client to free with `qcdn_client_free`. Thread safety: reads
/// the process environment when `api_key` is NULL (do not call it while
/// another thread may change the environment); otherwise any thread.
///
/// # Safety
/// `api_key`, `options_json`, `binding` NULL or NUL-terminated; `out_client`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_new_json(
    api_key: *const c_char,
    options_json: *const c_char,
    binding: *const c_char,
    out_client: *mut *mut qcdn_client,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_client, "out_client")?;
        // SAFETY: forwarded contracts.
        let (api_key, options, binding) = unsafe {
            (
                opt_str(api_key, "api_key")?,
                json_options(options_json, "options_json")?,
                opt_str(binding, "binding")?,
            )
        };
        let builder = match api_key {
            Some(key) => ClientBuilder::new(key),
            None => ClientBuilder::from_env()?,
        };
        let client = builder
            .options_json(&options, KeyStyle::Snake)?
            .user_agent_suffix(binding.unwrap_or("c"))
            .build()?;
        // SAFETY: checked non-NULL; writable per contract.
        unsafe { *out_client = Box::into_raw(Box::new(qcdn_client { inner: client })) };
        Ok(())
    })
}

/// Frees a client. NULL is accepted.
///
/// # Safety
/// `client` is NULL or from `qcdn_client_new` or `qcdn_client_new_json`, not
/// yet freed and no longer in use by any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_free(client: *mut qcdn_client) {
    ffi_boundary!(void {
        if !client.is_null() {
            // SAFETY: a pointer from Box::into_raw in qcdn_client_new(_json).
            drop(unsafe { Box::from_raw(client) });
        }
    })
}

/// Serialises a result. The buffer starts large enough for any document of
/// the API (a new 8192-bit private key included) so that it never grows: a
/// growing `Vec` would free unwiped partial copies of a private key.
fn json<T: Serialize>(value: &T) -> Result<String, Error> {
    let mut buf = Vec::with_capacity(32 * 1024);
    serde_json::to_writer(&mut buf, value)
        .map_err(|e| Error::with_code(ErrorCode::Internal, format!("the result cannot be serialised: {e}")))?;
    String::from_utf8(buf).map_err(|_| Error::with_code(ErrorCode::Internal, "the result is not UTF-8"))
}

/// Runs a client call: checks the handle, converts the result to JSON and
/// writes it to the optional `out_json`.
///
/// # Safety
/// `client` NULL or live; `out_json` NULL or writable.
unsafe fn run<T: Serialize>(
    client: *const qcdn_client,
    out_json: *mut *mut c_char,
    call: impl FnOnce(&Client) -> Result<T, Error>,
) -> Result<(), Error> {
    // SAFETY: forwarded contract.
    let client = unsafe { req_ref(client, "client") }?;
    let value = call(&client.inner)?;
    let text = json(&value)?;
    // SAFETY: NULL or writable.
    unsafe { write_opt_string(out_json, text) }
}

/// Runs a client call without a result; `out_json` (optional) receives the
/// API's document of such calls, `qencode_cdn::client::OK_DOCUMENT`
/// (`{"status":"ok"}`).
///
/// # Safety
/// `client` NULL or live; `out_json` NULL or writable.
unsafe fn run_ok(
    client: *const qcdn_client,
    out_json: *mut *mut c_char,
    call: impl FnOnce(&Client) -> Result<(), Error>,
) -> Result<(), Error> {
    // SAFETY: forwarded contract.
    let client = unsafe { req_ref(client, "client") }?;
    call(&client.inner)?;
    // SAFETY: NULL or writable.
    unsafe { write_opt_string(out_json, OK_DOCUMENT.to_string()) }
}

fn domain_type(value: u32, allow_any: bool) -> Result<Option<DomainType>, Error> {
    let t = enum_value(
        value,
        &[
            (qcdn_domain_type::QCDN_DOMAIN_TYPE_ANY as u32, None),
            (qcdn_domain_type::QCDN_DOMAIN_TYPE_LIVE as u32, Some(DomainType::Live)),
            (
                qcdn_domain_type::QCDN_DOMAIN_TYPE_STORAGE as u32,
                Some(DomainType::Storage),
            ),
        ],
        "domain_type",
    )?;
    if t.is_none() && !allow_any {
        return Err(invalid(
            "`domain_type` must be QCDN_DOMAIN_TYPE_LIVE or QCDN_DOMAIN_TYPE_STORAGE to create a domain",
        ));
    }
    Ok(t)
}

/// The `qcdn_domain_type` of a name as users write it (`live` or `storage`,
/// any case) — the core's own reading, so bindings that take the type as a
/// string need no table of their own. Anything else is
/// `QCDN_ERR_INVALID_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `name` NULL or NUL-terminated; `out_domain_type` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_domain_type_parse(name: *const c_char, out_domain_type: *mut u32) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_domain_type, "out_domain_type")?;
        // SAFETY: forwarded contract.
        let name = unsafe { req_str(name, "name") }?;
        let t = match name.parse::<DomainType>()? {
            DomainType::Live => qcdn_domain_type::QCDN_DOMAIN_TYPE_LIVE,
            DomainType::Storage => qcdn_domain_type::QCDN_DOMAIN_TYPE_STORAGE,
            DomainType::Other(_) => return Err(invalid("a domain type is `live` or `storage`")),
        };
        // SAFETY: checked non-NULL; writable per contract.
        unsafe { *out_domain_type = t as u32 };
        Ok(())
    })
}

/// The `qcdn_bucket_policy` of a name as users write it (`public` or
/// `authenticated`, any case), as the core reads it. Anything else is
/// `QCDN_ERR_INVALID_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `name` NULL or NUL-terminated; `out_policy` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_bucket_policy_parse(name: *const c_char, out_policy: *mut u32) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_policy, "out_policy")?;
        // SAFETY: forwarded contract.
        let name = unsafe { req_str(name, "name") }?;
        let p = match name.parse::<BucketPolicy>()? {
            BucketPolicy::Public => qcdn_bucket_policy::QCDN_BUCKET_POLICY_PUBLIC,
            BucketPolicy::Authenticated => qcdn_bucket_policy::QCDN_BUCKET_POLICY_AUTHENTICATED,
        };
        // SAFETY: checked non-NULL; writable per contract.
        unsafe { *out_policy = p as u32 };
        Ok(())
    })
}

/// Creates a custom playback domain (`domain_type`: `QCDN_DOMAIN_TYPE_LIVE`
/// or `QCDN_DOMAIN_TYPE_STORAGE`). `*out_json` (optional) receives the
/// domain document `{"id","domain_name","type","created",…}`; free it with
/// `qcdn_string_free`.
///
/// # Safety
/// `client` NULL or live; `name` NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_create_domain(
    client: *const qcdn_client,
    name: *const c_char,
    domain_type: u32,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contract.
        let name = unsafe { req_str(name, "name") }?;
        let kind = self::domain_type(domain_type, false)?.ok_or_else(|| invalid("`domain_type` is required"))?;
        // SAFETY: forwarded contracts.
        unsafe { run(client, out_json, |c| c.create_domain(name, kind)) }
    })
}

/// Gets one domain by id. `*out_json` (optional) receives its document.
///
/// # Safety
/// `client` NULL or live; `id` NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_get_domain(
    client: *const qcdn_client,
    id: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contract.
        let id = unsafe { req_str(id, "id") }?;
        // SAFETY: forwarded contracts.
        unsafe { run(client, out_json, |c| c.get_domain(id)) }
    })
}

/// Lists domains, all of them (`QCDN_DOMAIN_TYPE_ANY`) or of one type.
/// `*out_json` (optional) receives a JSON array of domain documents.
///
/// # Safety
/// `client` NULL or live; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_list_domains(
    client: *const qcdn_client,
    domain_type: u32,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        let filter = self::domain_type(domain_type, true)?;
        // SAFETY: forwarded contracts.
        unsafe { run(client, out_json, |c| c.list_domains(filter)) }
    })
}

/// Deletes a domain. `*out_json` (optional) receives `{"status":"ok"}`.
///
/// # Safety
/// `client` NULL or live; `id` NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_delete_domain(
    client: *const qcdn_client,
    id: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contract.
        let id = unsafe { req_str(id, "id") }?;
        // SAFETY: forwarded contracts.
        unsafe { run_ok(client, out_json, |c| c.delete_domain(id)) }
    })
}

/// Orders a TLS certificate for a domain. `*out_json` (optional) receives
/// the subscription `{"id","domain_id","status",…}`.
///
/// # Safety
/// `client` NULL or live; `domain_id` NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_create_tls_subscription(
    client: *const qcdn_client,
    domain_id: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contract.
        let domain_id = unsafe { req_str(domain_id, "domain_id") }?;
        // SAFETY: forwarded contracts.
        unsafe { run(client, out_json, |c| c.create_tls_subscription(domain_id)) }
    })
}

/// Gets one TLS subscription. `*out_json` (optional) receives its document.
///
/// # Safety
/// `client` NULL or live; `id` NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_get_tls_subscription(
    client: *const qcdn_client,
    id: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contract.
        let id = unsafe { req_str(id, "id") }?;
        // SAFETY: forwarded contracts.
        unsafe { run(client, out_json, |c| c.get_tls_subscription(id)) }
    })
}

/// Lists TLS subscriptions. `*out_json` (optional) receives a JSON array.
///
/// # Safety
/// `client` NULL or live; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_list_tls_subscriptions(
    client: *const qcdn_client,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contracts.
        unsafe { run(client, out_json, |c| c.list_tls_subscriptions()) }
    })
}

/// Deletes a TLS subscription. `*out_json` (optional) receives `{"status":"ok"}`.
///
/// # Safety
/// `client` NULL or live; `id` NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_delete_tls_subscription(
    client: *const qcdn_client,
    id: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contract.
        let id = unsafe { req_str(id, "id") }?;
        // SAFETY: forwarded contracts.
        unsafe { run_ok(client, out_json, |c| c.delete_tls_subscription(id)) }
    })
}

/// Creates a signing key for a stream (by stream id), a domain (by domain
/// id) or a bucket (by name). `*out_json` (**required**) receives the key's
/// document including `"private_key"` (PEM): it is returned this once and
/// cannot be fetched again, so a NULL `out_json` is refused with
/// `QCDN_ERR_INVALID_ARGUMENT` before any request is sent (no key is
/// created). `qcdn_string_free` wipes the string's bytes before freeing it.
///
/// # Safety
/// `client` NULL or live; `target` NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_create_signing_key(
    client: *const qcdn_client,
    target_kind: u32,
    target: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_json, "out_json").map_err(|_| {
            invalid(
                "`out_json` is NULL: the new key's private key is returned only once, so its document must be received (no key was created)",
            )
        })?;
        let kind = enum_value(
            target_kind,
            &[
                (qcdn_signing_key_target::QCDN_SIGNING_KEY_TARGET_STREAM as u32, 0u8),
                (qcdn_signing_key_target::QCDN_SIGNING_KEY_TARGET_DOMAIN as u32, 1u8),
                (qcdn_signing_key_target::QCDN_SIGNING_KEY_TARGET_BUCKET as u32, 2u8),
            ],
            "target_kind",
        )?;
        // SAFETY: forwarded contract.
        let target = unsafe { req_str(target, "target") }?.to_string();
        let target = match kind {
            0 => SigningKeyTarget::Stream(target),
            1 => SigningKeyTarget::Domain(target),
            _ => SigningKeyTarget::Bucket(target),
        };
        // SAFETY: forwarded contracts.
        unsafe { run(client, out_json, |c| c.create_signing_key(&target)) }
    })
}

/// Gets one signing key (without its private key). `*out_json` (optional)
/// receives its document.
///
/// # Safety
/// `client` NULL or live; `id` NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_get_signing_key(
    client: *const qcdn_client,
    id: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contract.
        let id = unsafe { req_str(id, "id") }?;
        // SAFETY: forwarded contracts.
        unsafe { run(client, out_json, |c| c.get_signing_key(id)) }
    })
}

/// Lists signing keys. `*out_json` (optional) receives a JSON array.
///
/// # Safety
/// `client` NULL or live; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_list_signing_keys(
    client: *const qcdn_client,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contracts.
        unsafe { run(client, out_json, |c| c.list_signing_keys()) }
    })
}

/// Renames a signing key. `*out_json` (optional) receives its document.
///
/// # Safety
/// `client` NULL or live; `id`, `name` NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_rename_signing_key(
    client: *const qcdn_client,
    id: *const c_char,
    name: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contracts.
        let (id, name) = unsafe { (req_str(id, "id")?, req_str(name, "name")?) };
        // SAFETY: forwarded contracts.
        unsafe { run(client, out_json, |c| c.rename_signing_key(id, name)) }
    })
}

/// Deletes a signing key. `*out_json` (optional) receives `{"status":"ok"}`.
///
/// # Safety
/// `client` NULL or live; `id` NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_delete_signing_key(
    client: *const qcdn_client,
    id: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contract.
        let id = unsafe { req_str(id, "id") }?;
        // SAFETY: forwarded contracts.
        unsafe { run_ok(client, out_json, |c| c.delete_signing_key(id)) }
    })
}

/// Sets a bucket's access policy (`QCDN_BUCKET_POLICY_PUBLIC` or
/// `QCDN_BUCKET_POLICY_AUTHENTICATED`). `*out_json` (optional) receives
/// `{"status":"ok"}`.
///
/// # Safety
/// `client` NULL or live; `bucket` NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_set_bucket_policy(
    client: *const qcdn_client,
    bucket: *const c_char,
    policy: u32,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contract.
        let bucket = unsafe { req_str(bucket, "bucket") }?;
        let policy = enum_value(
            policy,
            &[
                (qcdn_bucket_policy::QCDN_BUCKET_POLICY_PUBLIC as u32, BucketPolicy::Public),
                (qcdn_bucket_policy::QCDN_BUCKET_POLICY_AUTHENTICATED as u32, BucketPolicy::Authenticated),
            ],
            "policy",
        )?;
        // SAFETY: forwarded contracts.
        unsafe { run_ok(client, out_json, |c| c.set_bucket_policy(bucket, policy)) }
    })
}

/// Sets a bucket's CORS headers from a JSON object of strings, e.g.
/// `{"Access-Control-Allow-Origin":"*"}`. `*out_json` (optional) receives
/// `{"status":"ok"}`.
///
/// # Safety
/// `client` NULL or live; `bucket`, `cors_json` NULL or NUL-terminated;
/// `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_set_bucket_cors(
    client: *const qcdn_client,
    bucket: *const c_char,
    cors_json: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contracts.
        let (bucket, cors_json) = unsafe { (req_str(bucket, "bucket")?, req_str(cors_json, "cors_json")?) };
        let cors: BTreeMap<String, String> = serde_json::from_str(cors_json).map_err(|e| {
            invalid(format!(
                "`cors_json` must be a JSON object whose values are strings, like {{\"Access-Control-Allow-Origin\":\"*\"}}: {e}"
            ))
        })?;
        // SAFETY: forwarded contracts.
        unsafe { run_ok(client, out_json, |c| c.set_bucket_cors(bucket, &cors)) }
    })
}

/// Gets a bucket's CORS headers. `*out_json` (optional) receives a JSON
/// object of header name to value.
///
/// # Safety
/// `client` NULL or live; `bucket` NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_get_bucket_cors(
    client: *const qcdn_client,
    bucket: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contract.
        let bucket = unsafe { req_str(bucket, "bucket") }?;
        // SAFETY: forwarded contracts.
        unsafe { run(client, out_json, |c| c.get_bucket_cors(bucket)) }
    })
}

/// Deletes all of a bucket's CORS headers. `*out_json` (optional) receives
/// `{"status":"ok"}`.
///
/// # Safety
/// `client` NULL or live; `bucket` NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_delete_bucket_cors(
    client: *const qcdn_client,
    bucket: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contract.
        let bucket = unsafe { req_str(bucket, "bucket") }?;
        // SAFETY: forwarded contracts.
        unsafe { run_ok(client, out_json, |c| c.delete_bucket_cors(bucket)) }
    })
}

/// Deletes one of a bucket's CORS headers. `*out_json` (optional) receives
/// `{"status":"ok"}`.
///
/// # Safety
/// `client` NULL or live; `bucket`, `header` NULL or NUL-terminated;
/// `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_delete_bucket_cors_header(
    client: *const qcdn_client,
    bucket: *const c_char,
    header: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contracts.
        let (bucket, header) = unsafe { (req_str(bucket, "bucket")?, req_str(header, "header")?) };
        // SAFETY: forwarded contracts.
        unsafe { run_ok(client, out_json, |c| c.delete_bucket_cors_header(bucket, header)) }
    })
}

/// Purges a whole bucket from the CDN cache. `*out_json` (optional)
/// receives `{"status":"ok"}`.
///
/// # Safety
/// `client` NULL or live; `bucket` NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_purge_bucket_cache(
    client: *const qcdn_client,
    bucket: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contract.
        let bucket = unsafe { req_str(bucket, "bucket") }?;
        // SAFETY: forwarded contracts.
        unsafe { run_ok(client, out_json, |c| c.purge_bucket_cache(bucket)) }
    })
}

/// Purges one object path of a bucket from the CDN cache. `*out_json`
/// (optional) receives `{"status":"ok"}`.
///
/// # Safety
/// `client` NULL or live; `bucket`, `path` NULL or NUL-terminated;
/// `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_client_purge_object_cache(
    client: *const qcdn_client,
    bucket: *const c_char,
    path: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contracts.
        let (bucket, path) = unsafe { (req_str(bucket, "bucket")?, req_str(path, "path")?) };
        // SAFETY: forwarded contracts.
        unsafe { run_ok(client, out_json, |c| c.purge_object_cache(bucket, path)) }
    })
}
