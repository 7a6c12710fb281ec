//! The blocking client for the Qencode Content Delivery management API.
//!
//! One [`Client`] per API key, cheap to clone and safe to share between
//! threads: one connection pool and one cached access token behind an `Arc`.
//! Every method of the reference is one method here (domains, TLS
//! subscriptions, signing keys, bucket policy and CORS, cache purges), with
//! typed results and errors that carry a stable [`ErrorCode`].
//!
//! ```
//! use std::time::Duration;
//! use qencode_cdn::{Client, DomainType, ErrorCode, SignOptions, Signer, SigningKeyTarget};
//! # let emu = qencode_cdn_emulator::Emulator::start(qencode_cdn_emulator::EmulatorConfig {
//! #     signing_key_bits: 2048, ..Default::default() })?;
//! # let api_key = emu.api_key().to_string();
//!
//! let client = Client::builder(api_key) // or Client::from_env() (QENCODE_API_KEY)
//!     .deadline(Duration::from_secs(20)) // the whole call: attempts, retries, waits
//! #   .api_url(emu.url()).auth_url(emu.url())
//!     .build()?;
//!
//! let domain = client.create_domain("live.example.com", DomainType::Live)?;
//! let key = client.create_signing_key(&SigningKeyTarget::Domain(domain.id.clone()))?;
//! // The private key is returned once: keep it in a secret store.
//! let signer = Signer::from_pem(key.id(), key.private_key_pem())?;
//! let url = signer.signed_live_custom_domain_url("live.example.com", "abc123", &SignOptions::new())?;
//! assert!(url.starts_with("https://live.example.com/abc123.m3u8?auth="));
//!
//! // Errors carry a stable code (and, for HTTP answers, the status).
//! match client.get_domain("aeac03d6-beb0-4638-a094-fbc35653f931") {
//!     Err(e) if e.code() == ErrorCode::NotFound => assert_eq!(e.status(), Some(404)),
//!     other => panic!("{other:?}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Behaviour
//! - **Access token**: `POST {auth_url}/v1/access_token/{api_key}`, fetched on
//!   the first call and cached; it lives 24 h, or what the JWT's own `exp`
//!   says (never believed beyond 24 h). It is renewed when 5 minutes (or half
//!   its lifetime) are left, and once more after a 401/403. One fetch runs at
//!   a time: concurrent callers wait for it and share its token or its error.
//!   If a renewal fails while the cached token is still valid, calls keep
//!   using it and a later call tries again (after 30 s, or sooner when the
//!   token expires sooner).
//! - **Retries**: exponential backoff with jitter (200 ms doubling, at most
//!   10 s) on connection failures, 429 (honouring `Retry-After` up to 30 s)
//!   and 502/503/504, for requests that are safe to repeat (GET, PUT, DELETE,
//!   CORS set, cache purges). Timeouts are not retried.
//! - **Creates** (domains, TLS subscriptions, signing keys) are sent again
//!   only when the server cannot have seen them (DNS failure, connection
//!   refused) or refused them with a 401 before the token renewal. When a
//!   create fails after the server may have carried it out (the answer was
//!   lost, a 500/502/504, a garbled success), the error's message says what
//!   may exist and how to find it — for a signing key, that its private key
//!   is lost and the key should be deleted.
//! - **Deletes**: a retried DELETE that gets 404 after an attempt whose
//!   answer was lost (or a 5xx other than 503) succeeded: that attempt deleted
//!   it. The first attempt's 404 stays NOT_FOUND.
//! - **Deadline**: one per call ([`ClientBuilder::deadline`], default 60 s).
//!   Every attempt's timeout, every wait between retries and the wait for an
//!   access token end there; then the call is TIMEOUT. A retry whose wait
//!   would reach the deadline is not made (TIMEOUT at once, naming the last
//!   answer); a 429 whose `Retry-After` does not fit is RATE_LIMITED at once.
//! - **Timeouts**: `connect_timeout` for connecting, `timeout` for each whole
//!   attempt (connect, send, answer and body), at most the time left.
//!   Timeouts and deadlines above 24 h ([`MAX_TIMEOUT`]) are INVALID_ARGUMENT.
//! - **TLS**: always verified, against the system's trust store (so corporate
//!   CAs work), by rustls on aws-lc-rs. Plain `http://` is accepted only for
//!   loopback hosts (the emulator). Redirects are not followed.
//! - **Proxies** from `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`, minus `NO_PROXY`.
//! - **Secrets**: the API key, access tokens and private keys never appear in
//!   an error or `Debug` output. (ureq logs request paths, which hold the API
//!   key for the token call, only at `trace` level of its `log` target.)
//! - **Errors** follow DESIGN §5: UNAUTHORIZED, NOT_FOUND, RATE_LIMITED,
//!   API_ERROR (with [`HttpFailure`](crate::HttpFailure)), TRANSPORT, TIMEOUT,
//!   DECODE, and INVALID_ARGUMENT before any I/O.
//!
//! [`ErrorCode`]: crate::ErrorCode

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::de::{DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use ureq::http::Method;
use zeroize::Zeroizing;

mod auth;
mod buckets;
mod builder;
mod domains;
mod http;
mod retry;
mod secret;
mod signing_keys;
mod tls_subscriptions;
mod types;
mod validate;

pub use builder::{
    API_KEY_ENV, ClientBuilder, DEFAULT_API_URL, DEFAULT_AUTH_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_DEADLINE,
    DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, MAX_RETRIES_LIMIT, MAX_TIMEOUT, OK_DOCUMENT,
};
pub use secret::SecretString;
pub use types::{
    BUCKET_FIELD, BucketPolicy, Domain, DomainType, NewSigningKey, SigningKey, SigningKeyTarget, TlsStatus,
    TlsSubscription,
};

use crate::error::{Error, Result};
use auth::TokenCache;
use http::{Deadline, Failure, Request, Transport, decode_error};
use retry::Idempotency;

/// The management API client. `Send + Sync`, cheap to clone (an `Arc`);
/// `Debug` redacts the API key.
///
/// ```no_run
/// let client = qencode_cdn::Client::new("my-api-key")?;
/// for domain in client.list_domains(None)? {
///     println!("{} {} {}", domain.id, domain.kind, domain.domain_name);
/// }
/// # Ok::<(), qencode_cdn::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    tokens: TokenCache,
    api_key: SecretString,
    api_url: String,
    auth_url: String,
    user_agent: String,
    deadline: Duration,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_key", &self.inner.api_key)
            .field("api_url", &self.inner.api_url)
            .field("auth_url", &self.inner.auth_url)
            .field("user_agent", &self.inner.user_agent)
            .field("deadline", &self.inner.deadline)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client with every default.
    pub fn new(api_key: impl Into<String>) -> Result<Client> {
        ClientBuilder::new(api_key).build()
    }

    /// A builder, to change URLs, timeouts, retries or the user agent.
    pub fn builder(api_key: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(api_key)
    }

    /// A client for the key in `QENCODE_API_KEY` (INVALID_ARGUMENT if unset or empty).
    ///
    /// ```no_run
    /// let client = qencode_cdn::Client::from_env()?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env()?.build()
    }

    /// The management API's base URL.
    pub fn api_url(&self) -> &str {
        &self.inner.api_url
    }

    /// The access-token API's base URL.
    pub fn auth_url(&self) -> &str {
        &self.inner.auth_url
    }

    /// The `User-Agent` header this client sends.
    pub fn user_agent(&self) -> &str {
        &self.inner.user_agent
    }

    /// The time every call is given, retries and waits included
    /// ([`ClientBuilder::deadline`]).
    pub fn deadline(&self) -> Duration {
        self.inner.deadline
    }

    /// Sends one authenticated API request; `path` is already encoded. The
    /// call's deadline starts here.
    fn send(
        &self,
        method: Method,
        path: String,
        body: Option<&serde_json::Value>,
        idempotency: Idempotency,
    ) -> Result<(String, Zeroizing<Vec<u8>>), Failure> {
        let deadline = Deadline::after(self.inner.deadline);
        let body = match body {
            Some(v) => Some(serde_json::to_vec(v).map_err(|e| Failure {
                error: Error::Internal(format!("JSON encoding: {e}")),
                maybe_applied: false,
            })?),
            None => None,
        };
        let req = Request {
            shown: format!("{method} {path}"),
            url: Zeroizing::new(format!("{}{path}", self.inner.api_url)),
            method,
            body,
            idempotency,
        };
        let transport = &self.inner.transport;
        let bytes = transport.run(
            &req,
            Some(&self.inner.tokens),
            &[self.inner.api_key.expose_secret()],
            &deadline,
            transport.max_retries(),
        )?;
        Ok((req.shown, bytes))
    }

    /// Sends a request whose answer is `{"<field>": T}`.
    fn send_for<T: DeserializeOwned>(
        &self,
        method: Method,
        path: String,
        body: Option<&serde_json::Value>,
        idempotency: Idempotency,
        field: &'static str,
    ) -> Result<T> {
        Ok(self.call_for(method, path, body, idempotency, field)?)
    }

    /// Sends a create (`POST`, answer `{"<field>": T}`). When it fails after
    /// the server may have carried it out (the answer was lost, a gateway
    /// error, an unreadable success), the error says so: `may_exist` tells
    /// the caller what may exist and how to find it.
    fn send_create<T: DeserializeOwned>(
        &self,
        path: &'static str,
        body: &serde_json::Value,
        field: &'static str,
        may_exist: impl FnOnce() -> String,
    ) -> Result<T> {
        self.call_for(Method::POST, path.into(), Some(body), Idempotency::Create, field)
            .map_err(|f| match f.maybe_applied {
                true => with_note(f.error, &may_exist()),
                false => f.error,
            })
    }

    fn call_for<T: DeserializeOwned>(
        &self,
        method: Method,
        path: String,
        body: Option<&serde_json::Value>,
        idempotency: Idempotency,
        field: &'static str,
    ) -> Result<T, Failure> {
        let (shown, bytes) = self.send(method, path, body, idempotency)?;
        // The server answered 2xx: whatever the body, the request was carried out.
        let failed = |error: Error| Failure {
            error,
            maybe_applied: true,
        };
        let what = format!("{{\"{field}\": ...}}");
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value = Envelope::<T> {
            field,
            _marker: std::marker::PhantomData,
        }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| failed(decode_error(&shown, &what, &e)))?;
        value.ok_or_else(|| failed(Error::Decode(format!("{shown}: expected {what}, the field is missing"))))
    }

    /// Sends a request whose answer is `{"status": "ok"}` (or empty).
    fn send_ok(
        &self,
        method: Method,
        path: String,
        body: Option<&serde_json::Value>,
        idempotency: Idempotency,
    ) -> Result<()> {
        let (shown, bytes) = self.send(method, path, body, idempotency)?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let doc: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&bytes).map_err(|e| decode_error(&shown, "{\"status\": \"ok\"}", &e))?;
        match doc.get("status") {
            None => Ok(()),
            Some(serde_json::Value::String(s)) if s.eq_ignore_ascii_case("ok") => Ok(()),
            Some(other) => Err(Error::Decode(format!(
                "{shown}: expected {{\"status\": \"ok\"}}, got status {}",
                http::cap(&other.to_string(), 100)
            ))),
        }
    }
}

/// `error` with `note` added to its message (for a create that may have
/// happened although the call failed).
fn with_note(error: Error, note: &str) -> Error {
    match error {
        Error::Transport(m) => Error::Transport(format!("{m}; {note}")),
        Error::Timeout(m) => Error::Timeout(format!("{m}; {note}")),
        Error::Decode(m) => Error::Decode(format!("{m}; {note}")),
        Error::Internal(m) => Error::Internal(format!("{m}; {note}")),
        Error::Http { code, mut http } => {
            http.message = format!("{}; {note}", http.message);
            Error::Http { code, http }
        }
        other => other,
    }
}

/// Picks one field out of a JSON object without copying the rest (so a
/// private key is never held outside its zeroizing [`SecretString`]).
struct Envelope<T> {
    field: &'static str,
    _marker: std::marker::PhantomData<T>,
}

impl<'de, T: serde::Deserialize<'de>> DeserializeSeed<'de> for Envelope<T> {
    type Value = Option<T>;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> std::result::Result<Option<T>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for Envelope<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object with a `{}` field", self.field)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Option<T>, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == self.field && found.is_none() {
                found = Some(map.next_value::<T>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_send_sync_and_clone() {
        fn assert_traits<T: Send + Sync + Clone + 'static>() {}
        assert_traits::<Client>();
    }

    #[test]
    fn envelope_picks_one_field() {
        let mut de = serde_json::Deserializer::from_str(
            r#"{"other": [1, {"x": 2}], "domain": {"id": "1", "domain_name": "a.b", "type": "live"}}"#,
        );
        let d: Option<Domain> = Envelope {
            field: "domain",
            _marker: std::marker::PhantomData,
        }
        .deserialize(&mut de)
        .unwrap();
        assert_eq!(d.unwrap().id, "1");
        let mut de = serde_json::Deserializer::from_str(r#"{"domains": []}"#);
        let d: Option<Domain> = Envelope {
            field: "domain",
            _marker: std::marker::PhantomData,
        }
        .deserialize(&mut de)
        .unwrap();
        assert!(d.is_none());
    }
}
