//! One HTTP exchange with ureq, the retry loop around it, and the mapping of
//! every failure to the error table.

use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ureq::http::{self, Method};
use ureq::tls::{RootCerts, TlsConfig, TlsProvider};
use zeroize::Zeroizing;

use super::auth::TokenCache;
use super::retry::{self, Idempotency, Outcome, Progress, Step, parse_retry_after};
use crate::error::{Error, HttpFailure, Result};

/// The largest success body we read (lists of keys and domains are far smaller).
pub(crate) const MAX_BODY_BYTES: u64 = 8 * 1024 * 1024;
/// How much of an error body we read.
const MAX_ERROR_READ: u64 = 64 * 1024;
/// How much of an error body we keep in [`HttpFailure::body`].
pub(crate) const MAX_ERROR_BODY_CHARS: usize = 4096;
/// How much of the server's message we keep in [`HttpFailure::message`].
pub(crate) const MAX_MESSAGE_CHARS: usize = 500;
/// Response headers that carry a request id, first match wins.
pub(crate) const REQUEST_ID_HEADERS: [&str; 5] = [
    "x-request-id",
    "x-amzn-requestid",
    "x-amz-request-id",
    "request-id",
    "x-correlation-id",
];
/// Idle connections kept for reuse (ureq's default is 3 per host).
pub(crate) const IDLE_CONNECTIONS: usize = 32;
/// What replaces a secret in any text we keep.
pub(crate) const REDACTED: &str = "<redacted>";

/// The connection pool, TLS and timeouts: one per [`Client`](super::Client).
pub(crate) struct Transport {
    agent: ureq::Agent,
    timeout: Duration,
    max_retries: u32,
}

/// One API request, described once and sent as many times as retries allow.
pub(crate) struct Request {
    pub method: Method,
    /// The full URL (may hold the API key: never shown, zeroed when dropped).
    pub url: Zeroizing<String>,
    /// `METHOD /path` for messages, secrets already replaced.
    pub shown: String,
    /// A JSON body.
    pub body: Option<Vec<u8>>,
    pub idempotency: Idempotency,
}

/// When a call must be over: every attempt's timeout, every wait and every
/// wait for the access token end there.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    at: Option<Instant>,
    total: Duration,
}

impl Deadline {
    /// `total` from now.
    pub(crate) fn after(total: Duration) -> Deadline {
        Deadline {
            at: Instant::now().checked_add(total),
            total,
        }
    }

    /// Time left (zero once it has passed).
    pub(crate) fn remaining(&self) -> Duration {
        match self.at {
            Some(at) => at.saturating_duration_since(Instant::now()),
            None => Duration::MAX,
        }
    }

    /// A deadline at half the time left (same total, for messages): what a
    /// call lends to work it can do without, such as renewing a token that is
    /// still valid, so it keeps the other half for its own request.
    pub(crate) fn halfway(&self) -> Deadline {
        Deadline {
            at: self.at.map(|_| Instant::now() + self.remaining() / 2),
            total: self.total,
        }
    }

    /// The whole time the call was given.
    pub(crate) fn total(&self) -> Duration {
        self.total
    }

    /// The TIMEOUT of a call whose deadline passed while it was doing `what`.
    pub(crate) fn passed(&self, shown: &str, what: &str) -> Error {
        Error::Timeout(format!(
            "{shown}: the call's deadline of {:?} passed {what}",
            self.total
        ))
    }
}

/// A call that failed, and whether the server may have carried it out
/// anyway (what a create's error must then say).
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: Error,
    pub maybe_applied: bool,
}

impl From<Failure> for Error {
    fn from(f: Failure) -> Error {
        f.error
    }
}

/// How one attempt ended.
enum Attempt {
    Success(Zeroizing<Vec<u8>>),
    Status(HttpFailure),
    Failed {
        error: Error,
        /// The request cannot have reached the server (DNS, connection refused).
        before_send: bool,
        /// A transient failure worth another try.
        transient: bool,
    },
}

impl Attempt {
    fn outcome(&self) -> Outcome {
        match self {
            Attempt::Success(_) => Outcome::Success,
            Attempt::Status(f) => Outcome::Status {
                status: f.status.unwrap_or(0),
                retry_after: f.retry_after,
            },
            Attempt::Failed {
                before_send, transient, ..
            } => Outcome::NoAnswer {
                sent: !before_send,
                transient: *transient,
            },
        }
    }

    /// The error this attempt ends the call with.
    fn into_error(self) -> Error {
        match self {
            Attempt::Success(_) => Error::Internal("a success taken for a failure".into()),
            Attempt::Status(failure) => {
                let code = retry::status_code(failure.status.unwrap_or(0));
                Error::Http {
                    code,
                    http: Box::new(failure),
                }
            }
            Attempt::Failed { error, .. } => error,
        }
    }
}

/// The time one attempt may take: the timeout, or what is left of the
/// call's deadline when that is shorter.
#[derive(Clone, Copy)]
struct Limit {
    timeout: Duration,
    /// The deadline's whole time, when it is what cut this attempt short.
    cut_by_deadline: Option<Duration>,
}

impl Transport {
    /// Builds the agent: rustls on aws-lc-rs, the platform's verifier (the
    /// system trust store), proxies from the environment, no redirects.
    pub(crate) fn new(connect_timeout: Duration, timeout: Duration, max_retries: u32, user_agent: &str) -> Self {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .root_certs(RootCerts::PlatformVerifier)
            .unversioned_rustls_crypto_provider(provider)
            .build();
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_global(Some(timeout))
            .timeout_connect(Some(connect_timeout))
            .user_agent(user_agent)
            .tls_config(tls)
            // A client shared by a pool of worker threads keeps one connection per thread.
            .max_idle_connections(IDLE_CONNECTIONS)
            .max_idle_connections_per_host(IDLE_CONNECTIONS)
            .build();
        Transport {
            agent: config.new_agent(),
            timeout,
            max_retries,
        }
    }

    /// Retries after the first attempt, as configured.
    pub(crate) fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// Sends `req` until [`retry::decide`] says stop, at most `max_retries`
    /// times more than once, and never past `deadline`. With `tokens`, adds
    /// the bearer token and renews it once after a 401/403. `secrets` are
    /// scrubbed from every message and body we keep.
    pub(crate) fn run(
        &self,
        req: &Request,
        tokens: Option<&TokenCache>,
        secrets: &[&str],
        deadline: &Deadline,
        max_retries: u32,
    ) -> Result<Zeroizing<Vec<u8>>, Failure> {
        let mut progress = Progress {
            retries: 0,
            max_retries,
            authenticated: tokens.is_some(),
            renewed: false,
            maybe_applied: false,
            time_left: deadline.remaining(),
            jitter: 0.0,
        };
        let mut rejected: Option<u64> = None;
        loop {
            let fail = |error: Error, maybe_applied: bool| Failure { error, maybe_applied };
            let bearer = match tokens {
                Some(cache) => Some(
                    cache
                        .get(self, rejected, deadline)
                        .map_err(|e| fail(e, progress.maybe_applied))?,
                ),
                None => None,
            };
            let time_left = deadline.remaining();
            if time_left.is_zero() {
                return Err(fail(
                    deadline.passed(&req.shown, "before the request was sent"),
                    progress.maybe_applied,
                ));
            }
            let limit = if time_left < self.timeout {
                Limit {
                    timeout: time_left,
                    cut_by_deadline: Some(deadline.total()),
                }
            } else {
                Limit {
                    timeout: self.timeout,
                    cut_by_deadline: None,
                }
            };
            let token_text = bearer.as_ref().map(|t| t.secret.expose_secret());
            let mut all_secrets: Vec<&str> = secrets.to_vec();
            all_secrets.extend(token_text);

            let attempt = self.attempt(req, token_text, &all_secrets, limit);
            let outcome = attempt.outcome();
            progress.time_left = deadline.remaining();
            progress.jitter = retry::unit_random();
            let step = retry::decide(&outcome, &progress, req.idempotency);
            progress.maybe_applied |= outcome.may_have_applied();
            match step {
                Step::Done => {
                    if let Attempt::Success(body) = attempt {
                        return Ok(body);
                    }
                    return Err(fail(attempt.into_error(), progress.maybe_applied));
                }
                Step::AlreadyDone => return Ok(Zeroizing::new(Vec::new())),
                Step::RenewToken => {
                    progress.renewed = true;
                    rejected = bearer.as_ref().map(|t| t.generation);
                }
                Step::Retry(wait) => {
                    std::thread::sleep(wait);
                    progress.retries += 1;
                }
                Step::Fail => return Err(fail(attempt.into_error(), progress.maybe_applied)),
                Step::OutOfTime { wait } => {
                    let last = attempt.into_error();
                    let error = Error::Timeout(format!(
                        "{}: not retried: the call's deadline of {:?} would pass during the {:?} wait \
                         before retry {}; the last attempt ended with {}: {}",
                        req.shown,
                        deadline.total(),
                        Duration::from_millis(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX)),
                        progress.retries + 1,
                        last.code(),
                        last.message()
                    ));
                    return Err(fail(error, progress.maybe_applied));
                }
            }
        }
    }

    fn attempt(&self, req: &Request, bearer: Option<&str>, secrets: &[&str], limit: Limit) -> Attempt {
        let mut builder = http::Request::builder()
            .method(req.method.clone())
            .uri(req.url.as_str())
            .header("Accept", "application/json");
        if let Some(token) = bearer {
            builder = builder.header("Authorization", format!("Bearer {token}"));
        }
        // Only an attempt the deadline cuts short needs its own configuration.
        let cut = limit.cut_by_deadline.is_some();
        let sent = match &req.body {
            Some(body) => builder
                .header("Content-Type", "application/json")
                .body(body.as_slice())
                .map(|r| self.send(r, cut.then_some(limit.timeout))),
            // POST and PUT without a body send `Content-Length: 0`, not an empty chunked body.
            None if matches!(req.method, Method::POST | Method::PUT) => builder
                .body(&[][..])
                .map(|r| self.send(r, cut.then_some(limit.timeout))),
            None => builder.body(()).map(|r| self.send(r, cut.then_some(limit.timeout))),
        };
        let response = match sent {
            Err(_) => {
                return Attempt::Failed {
                    error: Error::Internal(format!("{}: the request could not be built", req.shown)),
                    before_send: true,
                    transient: false,
                };
            }
            Ok(Err(e)) => return self.failed(req, e, secrets, limit),
            Ok(Ok(response)) => response,
        };
        let status = response.status().as_u16();
        let request_id = REQUEST_ID_HEADERS.iter().find_map(|name| {
            response
                .headers()
                .get(*name)
                .and_then(|v| v.to_str().ok())
                .map(|v| scrub(&cap(v, 200), secrets))
        });
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let mut body = response.into_body();
        if (200..300).contains(&status) {
            match body.with_config().limit(MAX_BODY_BYTES).read_to_vec() {
                Ok(bytes) => Attempt::Success(Zeroizing::new(bytes)),
                Err(ureq::Error::BodyExceedsLimit(_)) => Attempt::Failed {
                    error: Error::Decode(format!(
                        "{}: the response body is larger than {MAX_BODY_BYTES} bytes",
                        req.shown
                    )),
                    before_send: false,
                    transient: false,
                },
                Err(e) => self.failed(req, e, secrets, limit),
            }
        } else {
            let mut bytes = Zeroizing::new(Vec::new());
            // A failure to read the rest of an error body does not change the answer.
            let _ = body.as_reader().take(MAX_ERROR_READ).read_to_end(&mut bytes);
            let text = String::from_utf8_lossy(&bytes);
            let message = server_message(&text).unwrap_or_else(|| {
                http::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("no message")
                    .to_string()
            });
            Attempt::Status(HttpFailure {
                status: Some(status),
                message: format!("{} ({})", scrub(&cap(&message, MAX_MESSAGE_CHARS), secrets), req.shown),
                body: scrub(&cap(&text, MAX_ERROR_BODY_CHARS), secrets),
                request_id,
                retry_after,
            })
        }
    }

    /// Runs one request, with its own overall timeout when given.
    fn send<S: ureq::AsSendBody>(
        &self,
        request: http::Request<S>,
        timeout: Option<Duration>,
    ) -> Result<http::Response<ureq::Body>, ureq::Error> {
        match timeout {
            None => self.agent.run(request),
            Some(t) => {
                let request = self.agent.configure_request(request).timeout_global(Some(t)).build();
                self.agent.run(request)
            }
        }
    }

    fn failed(&self, req: &Request, e: ureq::Error, secrets: &[&str], limit: Limit) -> Attempt {
        use std::io::ErrorKind as K;
        let what = &req.shown;
        let timed_out = |detail: String| match limit.cut_by_deadline {
            Some(total) => Error::Timeout(format!(
                "{what}: the call's deadline of {total:?} passed (no complete answer in the {:?} that were left{detail})",
                limit.timeout
            )),
            None => Error::Timeout(format!("{what}: no complete answer within {:?}{detail}", limit.timeout)),
        };
        let (error, before_send, transient) = match e {
            ureq::Error::Timeout(t) => {
                let before = matches!(t, ureq::Timeout::Resolve | ureq::Timeout::Connect);
                (timed_out(format!(" ({t})")), before, false)
            }
            ureq::Error::HostNotFound => (Error::Transport(format!("{what}: host not found")), true, true),
            ureq::Error::ConnectionFailed => (Error::Transport(format!("{what}: connection failed")), true, true),
            ureq::Error::ConnectProxyFailed(m) => (
                Error::Transport(format!(
                    "{what}: the proxy refused the connection: {}",
                    scrub(&m, secrets)
                )),
                true,
                false,
            ),
            ureq::Error::Io(io) => match io.kind() {
                K::TimedOut | K::WouldBlock => (timed_out(String::new()), false, false),
                K::ConnectionRefused | K::AddrNotAvailable | K::NetworkUnreachable | K::HostUnreachable => (
                    Error::Transport(format!(
                        "{what}: could not connect: {}",
                        scrub(&io.to_string(), secrets)
                    )),
                    true,
                    true,
                ),
                K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof | K::NotConnected => (
                    Error::Transport(format!(
                        "{what}: the connection was closed before a complete answer ({})",
                        scrub(&io.to_string(), secrets)
                    )),
                    false,
                    true,
                ),
                _ if io.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) => (
                    Error::Transport(format!("{what}: TLS: {}", scrub(&io.to_string(), secrets))),
                    true,
                    false,
                ),
                _ => (
                    Error::Transport(format!("{what}: {}", scrub(&io.to_string(), secrets))),
                    false,
                    false,
                ),
            },
            ureq::Error::Protocol(p) => (
                Error::Transport(format!(
                    "{what}: the server's answer is not valid HTTP ({})",
                    scrub(&p.to_string(), secrets)
                )),
                false,
                false,
            ),
            ureq::Error::Tls(m) => (Error::Transport(format!("{what}: TLS: {m}")), true, false),
            ureq::Error::Rustls(r) => (
                Error::Transport(format!("{what}: TLS: {}", scrub(&r.to_string(), secrets))),
                true,
                false,
            ),
            ureq::Error::LargeResponseHeader(..) | ureq::Error::BodyExceedsLimit(_) => (
                Error::Decode(format!("{what}: the response is larger than this client accepts")),
                false,
                false,
            ),
            other => (
                Error::Transport(format!("{what}: {}", scrub(&other.to_string(), secrets))),
                false,
                false,
            ),
        };
        Attempt::Failed {
            error,
            before_send,
            transient,
        }
    }
}

/// The server's own message: a JSON `error`/`message`/`detail` string (or
/// such an object's `message`), else the start of a non-empty body.
fn server_message(body: &str) -> Option<String> {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(body) {
        for field in ["error", "message", "detail", "error_description"] {
            match map.get(field) {
                Some(serde_json::Value::String(s)) if !s.is_empty() => return Some(s.clone()),
                Some(serde_json::Value::Object(inner)) => {
                    if let Some(serde_json::Value::String(s)) = inner.get("message") {
                        return Some(s.clone());
                    }
                }
                _ => {}
            }
        }
    }
    let trimmed = body.trim();
    (!trimmed.is_empty()).then(|| trimmed.chars().map(|c| if c.is_control() { ' ' } else { c }).collect())
}

/// The first `max` characters of `s`, with `…` when cut.
pub(crate) fn cap(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Replaces every secret (and its percent-encoded form) by `<redacted>`.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(secret, REDACTED);
        let encoded = super::validate::segment(secret);
        if encoded != *secret {
            out = out.replace(&encoded, REDACTED);
        }
    }
    out
}

/// A decode failure, described without quoting the body (it may hold a key).
pub(crate) fn decode_error(req_shown: &str, what: &str, e: &serde_json::Error) -> Error {
    let kind = match e.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "not JSON",
        serde_json::error::Category::Data => "JSON of the wrong shape",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    Error::Decode(format!(
        "{req_shown}: expected {what}, got {kind} (line {}, column {})",
        e.line(),
        e.column()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_messages_are_found() {
        assert_eq!(
            server_message(r#"{"error":"domain limit reached"}"#).unwrap(),
            "domain limit reached"
        );
        assert_eq!(server_message(r#"{"detail":"Not found."}"#).unwrap(), "Not found.");
        assert_eq!(server_message(r#"{"error":{"message":"nested"}}"#).unwrap(), "nested");
        assert_eq!(
            server_message("<html>\nBad gateway</html>").unwrap(),
            "<html> Bad gateway</html>"
        );
        assert_eq!(server_message("   "), None);
    }

    #[test]
    fn caps_and_scrubs() {
        assert_eq!(cap("héllo", 2), "hé…");
        assert_eq!(cap("hi", 2), "hi");
        assert_eq!(
            scrub("key my/key+1 or my%2Fkey%2B1 and tok", &["my/key+1", "", "tok"]),
            "key <redacted> or <redacted> and tok"
        );
    }
}
