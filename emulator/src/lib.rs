//! # qencode-cdn-emulator
//!
//! A local fake of the Qencode Content Delivery API **and** of its playback
//! edge, for tests and demos: a real HTTP/1.1 server on loopback with the
//! access-token endpoint, every management endpoint of the reference with
//! in-memory state, signing keys with real RSA keys, edge hosts (chosen by the
//! `Host` header) that check signed tokens, an admin API under `/_emulator/`
//! for fixtures and faults, and counters.
//!
//! It is a second, independent reading of the reference: it shares no
//! request or response types with the client (it uses the core only to
//! verify tokens).
//!
//! ```
//! use qencode_cdn_emulator::{Emulator, EmulatorConfig};
//! let emu = Emulator::start(EmulatorConfig { signing_key_bits: 2048, ..Default::default() })?;
//! assert!(emu.url().starts_with("http://127.0.0.1:"));
//! emu.add_stream("stream-1", "abc123");
//! let page = emu.fetch("https://play-abc123.qencode.com/qhls/qlive/playlist.m3u8", None)?;
//! assert_eq!(page.status, 200); // no signing key on the stream yet: open
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! ## Management API (bearer token required except on the token route)
//!
//! | route | answer |
//! |---|---|
//! | `POST /v1/access_token/{api_key}` | `{"access_token": <HS256 JWT with exp>}`; unknown key 401 |
//! | `POST /v1/domains` `{"name","type"}` | `{"domain": {...}}`; duplicate 409, over the limit 400 |
//! | `GET /v1/domains`, `/v1/domains/live`, `/v1/domains/storage` | `{"domains": [...]}` |
//! | `GET`/`DELETE /v1/domains/{id}` | `{"domain": {...}}` / `{"status":"ok"}` |
//! | `POST /v1/tls/subscriptions` `{"domain_id"}`, `GET` (list), `GET`/`DELETE …/{id}` | `{"tls_subscription": {...}}` (status `pending`) |
//! | `POST /v1/signing-keys` `{"stream_id"}` \| `{"domain_id"}` \| `{`[`BUCKET_FIELD`]`}` | `{"signing_key": {..., "private_key"}}` (only here) |
//! | `GET /v1/signing-keys[/{id}]`, `PUT …/{id}` `{"name"}`, `DELETE …/{id}` | `{"signing_keys": [...]}` / `{"signing_key": {...}}` |
//! | `PUT /v1/buckets/{b}/policy/{public\|authenticated}` | `{"status":"ok"}` |
//! | `POST`/`GET`/`DELETE /v1/buckets/{b}/cors`, `DELETE …/cors/{header}` | the header map for `GET`; [`SUPPORTED_CORS_HEADERS`] only |
//! | `POST /v1/buckets/{b}/cache/purge_all`, `POST …/cache/purge` `{"path"}` | `{"status":"ok"}` |
//!
//! Errors are `{"error": "<message>"}`: 400 bad input, malformed JSON or a
//! [`StateLimits`] limit, 401 bad bearer, 404 unknown id, 405 wrong method,
//! 409 duplicate domain.
//!
//! ## Edge (chosen by the `Host` header)
//!
//! `play-{playback_id}.qencode.com/qhls/qlive/playlist.m3u8`, a registered
//! live domain `/{playback_id}.m3u8`, `{bucket}.media-storage.{region}.qencode.com/{key}`
//! and a registered storage domain `/{key}` (mapped to a bucket with
//! [`Emulator::map_storage_domain`]). The token comes from `?auth=` or the
//! `Qencode-Auth-Token` cookie. A stream (or live domain) with signing keys
//! needs a token by one of its keys whose `uri` is the playback id; a bucket
//! with the `authenticated` policy needs a token by one of its keys whose
//! `uri` is a prefix of the key. Refusals are 403 with [`REASON_HEADER`]
//! starting with an error code (`MISSING_TOKEN`, `MALFORMED_TOKEN`,
//! `UNKNOWN_KEY_ID`, `INVALID_SIGNATURE`, `TOKEN_EXPIRED`,
//! `TOKEN_NOT_YET_VALID`, `URI_MISMATCH`).
//!
//! ## Where the reference is silent
//!
//! Setting CORS merges headers (names case-insensitive); deleting a header
//! that is not set is 404. A stream signing key does not require the stream
//! to exist, a domain signing key requires the domain. Domain names are
//! lowercased; IP addresses are refused. A live custom domain is checked
//! against that domain's keys only. How a storage custom domain maps to a
//! bucket is not in the reference: the emulator is told
//! ([`Emulator::map_storage_domain`]); an unmapped one answers 404.
//!
//! ## Admin API (`/_emulator/`, no auth, never faulted or counted)
//!
//! `POST /_emulator/streams` `{"stream_id","playback_id"}`,
//! `POST /_emulator/objects` `{"bucket","key","body"}` (UTF-8 text),
//! `POST /_emulator/domain-buckets` `{"domain","bucket"}`,
//! `POST /_emulator/faults` `{"route","times","kind","status"?,"retry_after"?,"delay_ms"?}`
//! (kind `status` \| `delay` \| `drop` \| `truncate` \| `not_json`; see [`Fault`]),
//! `GET /_emulator/counters` (see [`Counters`]), `POST /_emulator/reset`.
//!
//! The admin API answers tools, never web pages, so that a page the
//! developer visits cannot reset or fault their emulator (CSRF): a request
//! with any `Origin` header (even `null`), or with a `Sec-Fetch-Site` other
//! than `none`, is refused with 403; a POST body must be
//! `Content-Type: application/json` (415 otherwise), since `text/plain` and
//! form bodies are exactly what a page may send without a CORS preflight
//! (and the emulator approves none).
//!
//! ## Hostile input
//!
//! The emulator is a test tool, but it must not hang, crash or grow without
//! bound whatever a client sends:
//!
//! - Requests: a head of at most 64 KiB and 64 headers (431), a body of at
//!   most 16 MiB however it is framed — chunk sizes are summed with checked
//!   arithmetic (413) — `Content-Length` digits only, no `Content-Length`
//!   together with `Transfer-Encoding` (400), only `chunked` (501).
//! - Time: a request must arrive whole within
//!   [`EmulatorConfig::request_timeout`] of its first byte (else 408 and
//!   close: a client trickling bytes holds a connection for at most that
//!   long); a connection idle for [`EmulatorConfig::idle_timeout`] is closed.
//! - Connections: at most [`EmulatorConfig::max_connections`] (then 503).
//!   A panic anywhere in a connection's thread ends that connection only and
//!   frees its slot; a panic in a handler is answered 500.
//! - State: every count and length the HTTP APIs can grow has a limit,
//!   [`StateLimits`] (400 for counts and lengths, 413 for stored bytes).
//! - Listening on an address other than loopback prints one warning on
//!   stderr ([`exposure_warning`]).
//!
//! The request parser is a pure function from bytes to a request or an error
//! (module `http`, hidden from these docs: it exists for the fuzz targets in
//! `fuzz/` and is not a stable API).
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod admin;
mod api;
mod edge;
mod fetch;
mod fixtures;
#[doc(hidden)]
pub mod http;
mod keys;
mod media;
mod server;
mod state;
mod tls;

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};

pub use edge::REASON_HEADER;
pub use fixtures::{
    FIXTURE_BUCKET, FIXTURE_DOMAIN, FIXTURE_FOLDER, FIXTURE_PLAYBACK_ID, FIXTURE_REGION, FIXTURE_STREAM_ID, Fixtures,
};
pub use media::{LIVE_SEGMENT_SECONDS, LIVE_WINDOW, VOD_FILES};
pub use state::StateLimits;

use crate::keys::AccessTokens;
use crate::server::{Handler, Limits, Reply, Request, Response, Server};
use crate::state::{PendingFault, State};

/// The API key the emulator accepts when none is configured.
pub const DEFAULT_API_KEY: &str = "emulator-api-key";

/// Body field that names the bucket when creating a signing key for a media
/// storage bucket. **A guess**: the reference shows `stream_id` and
/// `domain_id` but is silent about buckets. Change it here (and in the
/// client's constant of the same name) when the real name is known.
pub const BUCKET_FIELD: &str = "bucket_name";

/// The CORS headers a bucket policy may set (the reference's list); any
/// other header name is refused with 400.
pub const SUPPORTED_CORS_HEADERS: [&str; 6] = [
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Expose-Headers",
    "Access-Control-Max-Age",
    "Access-Control-Allow-Credentials",
];

/// How to start an emulator.
///
/// ```
/// use qencode_cdn_emulator::EmulatorConfig;
/// use std::time::Duration;
/// let cfg = EmulatorConfig { signing_key_bits: 2048, token_lifetime: Duration::from_secs(2), ..Default::default() };
/// assert_eq!(cfg.max_domains, 20);
/// ```
#[derive(Clone)]
pub struct EmulatorConfig {
    /// Address to listen on; default `127.0.0.1:0` (any free port).
    pub listen: SocketAddr,
    /// Also serve HTTPS here (the API and the edge, chosen by `Host` as on
    /// plain HTTP), with certificates from a CA made at start
    /// ([`Emulator::ca_pem`]); default none.
    pub tls_listen: Option<SocketAddr>,
    /// API keys accepted by `POST /v1/access_token/{api_key}`; default [`DEFAULT_API_KEY`].
    pub api_keys: Vec<String>,
    /// Lifetime of an access token; default 24 h (the reference's). Short values force renewal in tests.
    pub token_lifetime: Duration,
    /// Size of generated signing keys: 2048, 3072, 4096 (default) or 8192 bits.
    pub signing_key_bits: usize,
    /// Most custom domains at once; default 20 (the reference's limit).
    pub max_domains: usize,
    /// Most TCP connections served at once (one thread each); default 1024.
    /// Another connection is answered `503` with `Retry-After: 1` and closed.
    pub max_connections: usize,
    /// Time for a whole request (head and body) to arrive, counted from its
    /// first byte; default 30 s. A slower request is answered `408` and its
    /// connection closed, so a client that trickles bytes (slowloris) holds a
    /// connection slot at most this long.
    pub request_timeout: Duration,
    /// Time a connection may sit idle waiting for the first byte of its next
    /// request (then it is closed without an answer), and for each write of
    /// a response to make progress; default 120 s.
    pub idle_timeout: Duration,
    /// How much state the HTTP APIs may create (signing keys, buckets,
    /// objects, streams, faults, text lengths); see [`StateLimits`].
    pub limits: StateLimits,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            tls_listen: None,
            api_keys: vec![DEFAULT_API_KEY.to_string()],
            token_lifetime: Duration::from_secs(24 * 3600),
            signing_key_bits: 4096,
            max_domains: 20,
            max_connections: 1024,
            request_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(120),
            limits: StateLimits::default(),
        }
    }
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("listen", &self.listen)
            .field("tls_listen", &self.tls_listen)
            .field("api_keys", &format_args!("<{} redacted>", self.api_keys.len()))
            .field("token_lifetime", &self.token_lifetime)
            .field("signing_key_bits", &self.signing_key_bits)
            .field("max_domains", &self.max_domains)
            .field("max_connections", &self.max_connections)
            .field("request_timeout", &self.request_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("limits", &self.limits)
            .finish()
    }
}

/// What to do to the next matching requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// Answer with this status and a JSON error body (and `Retry-After` when given, in seconds).
    Status {
        /// HTTP status, 100 to 599.
        status: u16,
        /// `Retry-After` seconds.
        retry_after: Option<u64>,
    },
    /// Wait this long, then answer normally (other connections are not held up).
    Delay(Duration),
    /// Close the TCP connection without answering (the request is not processed).
    Drop,
    /// Process the request, announce the whole body in `Content-Length`, send half of it and close.
    Truncate,
    /// Answer 200 with the non-JSON body `<html>oops</html>` (the request is not processed).
    NotJson,
}

/// A fault injected on a route for its next `times` requests.
///
/// `route` is `"*"` (every API and edge request), or `"METHOD /path"` where
/// METHOD may be `*` and a `*` path segment matches any one segment
/// (`"GET /v1/domains/*"`), or an edge pattern such as `"GET edge:storage"`.
/// The admin API is never faulted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Which requests.
    pub route: String,
    /// How many of them.
    pub times: u32,
    /// What happens.
    pub kind: FaultKind,
}

impl Fault {
    /// The one reader of a fault given as data — the admin API's JSON body,
    /// and the `inject_fault` of every binding's testing emulator:
    /// `{"route", "kind", "times"?, "status"?, "retry_after"?, "delay_ms"?}`
    /// (keys spelled in `style`; `times` defaults to 1). Bad input is
    /// INVALID_ARGUMENT saying what is wrong.
    ///
    /// ```
    /// use qencode_cdn::KeyStyle;
    /// use qencode_cdn_emulator::{Fault, FaultKind};
    /// let f = Fault::from_json(&serde_json::json!({"route": "GET /v1/domains", "kind": "status", "status": 503}), KeyStyle::Snake)?;
    /// assert_eq!(f.kind, FaultKind::Status { status: 503, retry_after: None });
    /// assert!(Fault::from_json(&serde_json::json!({"route": "*", "kind": "boom"}), KeyStyle::Snake).is_err());
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn from_json(value: &Value, style: qencode_cdn::KeyStyle) -> Result<Fault, qencode_cdn::Error> {
        let bad = |m: String| qencode_cdn::Error::with_code(qencode_cdn::ErrorCode::InvalidArgument, m);
        let Value::Object(m) = value else {
            return Err(bad(
                "a fault is an object: {route, kind, times?, status?, retry_after?, delay_ms?}".into(),
            ));
        };
        let name = |k: &'static str| style.name(k);
        const KEYS: [&str; 6] = ["route", "kind", "times", "status", "retry_after", "delay_ms"];
        if let Some(k) = m.keys().find(|k| !KEYS.iter().any(|known| name(known) == k.as_str())) {
            return Err(bad(format!("unknown fault field `{k}`")));
        }
        let get = |k: &'static str| m.get(name(k).as_ref()).filter(|v| !v.is_null());
        let number = |k: &'static str| -> Result<Option<u64>, qencode_cdn::Error> {
            match get(k) {
                None => Ok(None),
                Some(v) => v
                    .as_u64()
                    .or_else(|| {
                        v.as_f64()
                            .filter(|f| *f >= 0.0 && f.fract() == 0.0 && *f < 1e15)
                            .map(|f| f as u64)
                    })
                    .map(Some)
                    .ok_or_else(|| bad(format!("fault `{}` must be a non-negative whole number", name(k)))),
            }
        };
        let text = |k: &'static str| -> Result<&str, qencode_cdn::Error> {
            match get(k) {
                Some(Value::String(s)) => Ok(s),
                Some(_) => Err(bad(format!("fault `{}` must be a string", name(k)))),
                None => Err(bad(format!("a fault needs `{}`", name(k)))),
            }
        };
        let route = text("route")?.to_string();
        let times =
            u32::try_from(number("times")?.unwrap_or(1)).map_err(|_| bad("fault `times` is too large".into()))?;
        let kind = match text("kind")? {
            "status" => {
                let status = number("status")?
                    .and_then(|s| u16::try_from(s).ok())
                    .filter(|s| (100..=599).contains(s))
                    .ok_or_else(|| bad("a `status` fault needs `status`, an HTTP status from 100 to 599".into()))?;
                FaultKind::Status {
                    status,
                    retry_after: number("retry_after")?,
                }
            }
            "delay" => {
                let ms =
                    number("delay_ms")?.ok_or_else(|| bad(format!("a `delay` fault needs `{}`", name("delay_ms"))))?;
                if ms > MAX_FAULT_DELAY_MS {
                    return Err(bad(format!("fault delay is at most {MAX_FAULT_DELAY_MS} ms")));
                }
                FaultKind::Delay(Duration::from_millis(ms))
            }
            "drop" => FaultKind::Drop,
            "truncate" => FaultKind::Truncate,
            "not_json" => FaultKind::NotJson,
            other => {
                return Err(bad(format!(
                    "unknown fault kind `{other}`; one of status, delay, drop, truncate, not_json"
                )));
            }
        };
        Ok(Fault { route, times, kind })
    }
}

/// The longest delay a fault may ask for (10 minutes), so a typo cannot hang a test run.
pub const MAX_FAULT_DELAY_MS: u64 = 600_000;

/// The one mapping of the emulator's I/O errors (starting it, [`Emulator::fetch`])
/// to the error codes every binding raises: a bad address or setting is
/// INVALID_ARGUMENT, a deadline TIMEOUT, anything else TRANSPORT.
///
/// ```
/// use qencode_cdn::ErrorCode;
/// let e = std::io::Error::new(std::io::ErrorKind::TimedOut, "slow");
/// assert_eq!(qencode_cdn_emulator::io_error("fetch", &e).code(), ErrorCode::Timeout);
/// ```
pub fn io_error(what: &str, e: &io::Error) -> qencode_cdn::Error {
    use qencode_cdn::ErrorCode;
    let code = match e.kind() {
        io::ErrorKind::InvalidInput | io::ErrorKind::AddrInUse | io::ErrorKind::AddrNotAvailable => {
            ErrorCode::InvalidArgument
        }
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => ErrorCode::Timeout,
        _ => ErrorCode::Transport,
    };
    qencode_cdn::Error::with_code(code, format!("emulator {what}: {e}"))
}

/// `{"status": "ok"}`, the answer of every API and admin route that has nothing else to say.
pub(crate) fn status_ok() -> Value {
    json!({"status": "ok"})
}

/// The [`Counters::requests`] key under which requests are counted once
/// [`StateLimits::counted_routes`] distinct routes have been counted.
pub const OTHER_ROUTES: &str = "(other routes)";

/// Request counters since start or the last reset.
///
/// `requests` keys are `"METHOD /path-pattern"` with `*` for path
/// parameters (`"GET /v1/domains/*"`, `"POST /v1/access_token/*"`); edge
/// requests are counted as `"GET edge:live"`, `edge:live_custom_domain`,
/// `edge:storage`, `edge:storage_custom_domain`; admin requests are not
/// counted. Faulted requests are counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    /// Requests per route pattern.
    pub requests: BTreeMap<String, u64>,
    /// Requests to the access-token endpoint (any outcome).
    pub token_requests: u64,
    /// TCP connections accepted.
    pub connections: u64,
}

impl Counters {
    /// The JSON form served by `GET /_emulator/counters`.
    pub fn to_json(&self) -> Value {
        json!({"requests": self.requests, "token_requests": self.token_requests, "connections": self.connections})
    }
}

/// The answer of the edge to [`Emulator::fetch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeResponse {
    /// HTTP status.
    pub status: u16,
    /// The `X-Qencode-Emulator-Reason` header (why the edge refused).
    pub reason: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

/// State shared by the server threads and the [`Emulator`] handle.
pub(crate) struct Shared {
    pub(crate) config: EmulatorConfig,
    pub(crate) tokens: AccessTokens,
    state: Mutex<State>,
}

impl Shared {
    /// The state, recovered if a thread panicked while holding it.
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn add_stream(&self, stream_id: &str, playback_id: &str) {
        self.state()
            .streams
            .insert(stream_id.to_string(), playback_id.to_string());
    }

    pub(crate) fn add_media_stream(&self, stream_id: &str, playback_id: &str) {
        let mut state = self.state();
        state.streams.insert(stream_id.to_string(), playback_id.to_string());
        state.media_streams.insert(stream_id.to_string());
    }

    pub(crate) fn add_object(&self, bucket: &str, key: &str, body: Vec<u8>) {
        let key = key.strip_prefix('/').unwrap_or(key);
        self.state().bucket(bucket).objects.insert(key.to_string(), body);
    }

    pub(crate) fn map_storage_domain(&self, domain: &str, bucket: &str) {
        self.state()
            .domain_buckets
            .insert(domain.trim().to_ascii_lowercase(), bucket.to_string());
    }

    pub(crate) fn inject_fault(&self, fault: Fault) {
        if fault.times > 0 {
            let remaining = fault.times;
            self.state().faults.push(PendingFault { fault, remaining });
        }
    }

    pub(crate) fn counters(&self) -> Counters {
        self.state().counters.clone()
    }

    pub(crate) fn reset(&self) {
        *self.state() = State::default();
    }

    /// Counts the request, takes a matching fault, and answers with `normal` unless the fault says otherwise.
    fn answer(&self, req: &Request, route: &str, is_token: bool, normal: impl FnOnce() -> Response) -> Reply {
        let fault = {
            let mut state = self.state();
            state.count(route, self.config.limits.counted_routes);
            if is_token {
                state.counters.token_requests += 1;
            }
            state.take_fault(&req.method, &req.path, route)
        };
        match fault.map(|f| f.kind) {
            None => Reply::Send(normal()),
            Some(FaultKind::Status { status, retry_after }) => {
                let mut r = Response::error(status, &format!("injected fault: HTTP {status}"));
                if let Some(secs) = retry_after {
                    r = r.with_header("Retry-After", &secs.to_string());
                }
                Reply::Send(r)
            }
            Some(FaultKind::Delay(d)) => {
                std::thread::sleep(d);
                Reply::Send(normal())
            }
            Some(FaultKind::Drop) => Reply::Drop,
            Some(FaultKind::Truncate) => Reply::Truncate(normal()),
            Some(FaultKind::NotJson) => Reply::Send(Response::bytes(200, "text/html", b"<html>oops</html>".to_vec())),
        }
    }
}

impl Handler for Shared {
    fn on_connection(&self) {
        self.state().counters.connections += 1;
    }

    fn handle(&self, req: &Request) -> Reply {
        let target = edge::classify(req.header("host"), &self.state());
        if let Some(target) = target {
            let route = format!("{} {}", req.method, target.pattern());
            return self.answer(req, &route, false, || edge::handle(&self.state(), req, &target));
        }
        if req.path == "/_emulator" || req.path.starts_with("/_emulator/") {
            return Reply::Send(admin::handle(self, req));
        }
        let route = api::Route::parse(&req.path);
        let key = format!("{} {}", req.method, route.pattern().unwrap_or(&req.path));
        let is_token = matches!(route, api::Route::Token(_));
        self.answer(req, &key, is_token, || api::handle(self, req, &route))
    }
}

/// A running emulator. Dropping it (or [`Emulator::stop`]) stops the server
/// and frees the port.
///
/// ```
/// use qencode_cdn_emulator::{Emulator, EmulatorConfig};
/// let emu = Emulator::start(EmulatorConfig::default())?;
/// let port = emu.port();
/// assert_eq!(emu.url(), format!("http://127.0.0.1:{port}"));
/// emu.stop();
/// // The port is free again.
/// std::net::TcpListener::bind(("127.0.0.1", port))?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Emulator {
    shared: Arc<Shared>,
    server: Server,
    url: String,
    tls: Option<(Server, Arc<tls::TlsAuthority>)>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Starts the server on `config.listen` (port 0: any free port).
    ///
    /// Errors: the address cannot be bound; no API key; a signing key size
    /// other than 2048, 3072, 4096 or 8192 (`InvalidInput`).
    pub fn start(config: EmulatorConfig) -> io::Result<Emulator> {
        if keys::key_size(config.signing_key_bits).is_none() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "signing_key_bits must be 2048, 3072, 4096 or 8192, got {}",
                    config.signing_key_bits
                ),
            ));
        }
        if config.api_keys.is_empty() || config.api_keys.iter().any(|k| k.is_empty()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "at least one non-empty API key is required",
            ));
        }
        if config.max_connections == 0 || config.request_timeout.is_zero() || config.idle_timeout.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "max_connections, request_timeout and idle_timeout must not be zero",
            ));
        }
        let limits = Limits {
            max_connections: config.max_connections,
            request_timeout: config.request_timeout,
            idle_timeout: config.idle_timeout,
        };
        let shared = Arc::new(Shared {
            tokens: AccessTokens::new()?,
            config,
            state: Mutex::new(State::default()),
        });
        let server = Server::start(shared.config.listen, shared.clone(), limits, None)?;
        if let Some(warning) = exposure_warning(server.local_addr()) {
            eprintln!("{warning}");
        }
        let tls = match shared.config.tls_listen {
            None => None,
            Some(addr) => {
                let authority = Arc::new(tls::TlsAuthority::new()?);
                let tls_server = Server::start(addr, shared.clone(), limits, Some(authority.server_config()?))?;
                if let Some(warning) = exposure_warning(tls_server.local_addr()) {
                    eprintln!("{warning}");
                }
                Some((tls_server, authority))
            }
        };
        let mut addr = server.local_addr();
        if addr.ip().is_unspecified() {
            addr.set_ip(Ipv4Addr::LOCALHOST.into());
        }
        Ok(Emulator {
            shared,
            server,
            url: format!("http://{addr}"),
            tls,
        })
    }

    /// `http://127.0.0.1:PORT`: both the client's `api_url` and `auth_url`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.server.local_addr().port()
    }

    /// The first configured API key.
    pub fn api_key(&self) -> &str {
        self.shared.config.api_keys.first().map(String::as_str).unwrap_or("")
    }

    /// Adds (or replaces) a live stream: `stream_id` is what signing keys
    /// name, `playback_id` what playback URLs name.
    pub fn add_stream(&self, stream_id: &str, playback_id: &str) {
        self.shared.add_stream(stream_id, playback_id);
    }

    /// Stores an object in a bucket (a leading `/` of the key is dropped).
    pub fn add_object(&self, bucket: &str, key: &str, body: Vec<u8>) {
        self.shared.add_object(bucket, key, body);
    }

    /// Adds (or replaces) a live stream whose edge serves real media: the
    /// fixture test pattern as a live HLS stream (master playlist, two
    /// variants, MPEG-TS segments looped in a sliding window), every request
    /// of it checked like the playlist.
    ///
    /// ```
    /// # let emu = qencode_cdn_emulator::Emulator::start(Default::default())?;
    /// emu.add_media_stream("stream-1", "abc123");
    /// let master = emu.fetch("https://play-abc123.qencode.com/qhls/qlive/playlist.m3u8", None)?;
    /// assert!(String::from_utf8_lossy(&master.body).contains("v0/index.m3u8"));
    /// let variant = emu.fetch("https://play-abc123.qencode.com/qhls/qlive/v0/index.m3u8", None)?;
    /// assert!(String::from_utf8_lossy(&variant.body).contains("#EXT-X-MEDIA-SEQUENCE"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn add_media_stream(&self, stream_id: &str, playback_id: &str) {
        self.shared.add_media_stream(stream_id, playback_id);
    }

    /// Stores the storage media fixture in `bucket` under the folder
    /// `folder` (`"videos/intro/"`): `master.m3u8` (HLS) and `manifest.mpd`
    /// (DASH) over the same CMAF init and media segments. Returns the keys.
    pub fn add_media_folder(&self, bucket: &str, folder: &str) -> Vec<String> {
        let folder = folder.trim_start_matches('/');
        let sep = if folder.is_empty() || folder.ends_with('/') {
            ""
        } else {
            "/"
        };
        media::VOD_FILES
            .iter()
            .map(|(name, body)| {
                let key = format!("{folder}{sep}{name}");
                self.shared.add_object(bucket, &key, body.to_vec());
                key
            })
            .collect()
    }

    /// The HTTPS URL (`https://127.0.0.1:PORT`) when started with
    /// [`EmulatorConfig::tls_listen`].
    pub fn tls_url(&self) -> Option<String> {
        self.tls.as_ref().map(|(server, _)| {
            let mut addr = server.local_addr();
            if addr.ip().is_unspecified() {
                addr.set_ip(Ipv4Addr::LOCALHOST.into());
            }
            format!("https://{addr}")
        })
    }

    /// The HTTPS port, when serving HTTPS.
    pub fn tls_port(&self) -> Option<u16> {
        self.tls.as_ref().map(|(server, _)| server.local_addr().port())
    }

    /// The PEM certificate of this run's CA, which issued every HTTPS
    /// certificate (trust it to verify them: `curl --cacert`, `qcdn stream
    /// check --cacert`). Its key exists only in this process.
    pub fn ca_pem(&self) -> Option<String> {
        self.tls.as_ref().map(|(_, authority)| authority.ca_pem())
    }

    /// base64 of the SHA-256 of the HTTPS certificates' public key (all share
    /// one key), for Chromium's `--ignore-certificate-errors-spki-list`.
    pub fn tls_spki_sha256(&self) -> Option<String> {
        self.tls.as_ref().map(|(_, authority)| authority.spki_sha256())
    }

    /// Loads the demo fixtures of `qcdn emulator --with-fixtures` (see [`Fixtures`]).
    pub fn load_fixtures(&self) -> io::Result<Fixtures> {
        fixtures::load(self)
    }

    /// Says which bucket a storage custom domain serves (the reference does
    /// not say how the real service maps them). Also `POST /_emulator/domain-buckets`.
    pub fn map_storage_domain(&self, domain: &str, bucket: &str) {
        self.shared.map_storage_domain(domain, bucket);
    }

    /// Injects a fault for the next `fault.times` matching requests.
    pub fn inject_fault(&self, fault: Fault) {
        self.shared.inject_fault(fault);
    }

    /// Forgets every pending fault; state and counters stay (for tests
    /// that inspect the state after a run with random faults).
    pub fn clear_faults(&self) {
        self.shared.state().faults.clear();
    }

    /// The counters now.
    pub fn counters(&self) -> Counters {
        self.shared.counters()
    }

    /// Forgets everything: domains, TLS subscriptions, signing keys, buckets,
    /// streams, faults and counters. Issued access tokens stay valid.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// GETs a playback/storage URL (`https://…` of any of the four forms)
    /// against the emulated edge: sends it to this server with the URL's host
    /// in `Host`. `cookie` is either a token (sent as the
    /// `Qencode-Auth-Token` cookie) or a cookie header such as
    /// `Qencode-Auth-Token=…` (a `Set-Cookie` value works too).
    pub fn fetch(&self, url: &str, cookie: Option<&str>) -> io::Result<EdgeResponse> {
        let mut addr = self.server.local_addr();
        if addr.ip().is_unspecified() {
            addr.set_ip(Ipv4Addr::LOCALHOST.into());
        }
        fetch::fetch(addr, url, cookie)
    }

    /// Stops the server and frees the port (the same as dropping it).
    pub fn stop(self) {
        drop(self);
    }
}

/// The warning printed (once, on stderr) by [`Emulator::start`] when the
/// emulator listens on an address other than loopback, or `None` for a
/// loopback address.
///
/// ```
/// use qencode_cdn_emulator::exposure_warning;
/// assert!(exposure_warning(([127, 0, 0, 1], 8080).into()).is_none());
/// assert!(exposure_warning(([0, 0, 0, 0], 8080).into()).unwrap().contains("0.0.0.0:8080"));
/// ```
pub fn exposure_warning(addr: SocketAddr) -> Option<String> {
    (!addr.ip().is_loopback()).then(|| {
        format!(
            "{WARNING_PREFIX}listening on {addr}, which is not a loopback address: anyone who can reach it \
             can mint access tokens with its API keys, read and change its state and use its admin API. \
             The emulator is a test tool; listen on 127.0.0.1 unless you mean this."
        )
    })
}

/// The start of the [`exposure_warning`] line.
pub const WARNING_PREFIX: &str = "qencode-cdn emulator: WARNING: ";

/// The first line [`run_foreground`] prints, before the URL.
pub const LISTENING_PREFIX: &str = "qencode-cdn emulator listening on ";

/// The line `qcdn emulator --tls-listen` prints before the HTTPS URL.
pub const TLS_LISTENING_PREFIX: &str = "qencode-cdn emulator HTTPS on ";

/// Runs an emulator in the foreground (for `qcdn emulator` and the
/// `qencode-cdn-emulator` binary): prints
/// `qencode-cdn emulator listening on http://127.0.0.1:PORT`, then the API
/// keys one per line, flushes, and serves until the process is killed.
pub fn run_foreground(config: EmulatorConfig) -> io::Result<()> {
    use std::io::Write as _;
    let emulator = Emulator::start(config)?;
    {
        let mut out = io::stdout().lock();
        writeln!(out, "{LISTENING_PREFIX}{}", emulator.url())?;
        for key in &emulator.shared.config.api_keys {
            writeln!(out, "{key}")?;
        }
        out.flush()?;
    }
    loop {
        std::thread::park();
    }
}
