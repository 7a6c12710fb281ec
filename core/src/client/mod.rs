//! The blocking client for the Qencode Content Delivery management API.
//!
//! One [`Client`] per API key, cheap to clone and safe to share between
//! threads: one connection pool and one cached access token behind an `Arc`.
//!
//! ```no_run
//! use qencode_cdn::{Client, DomainType, SigningKeyTarget, Signer, SignOptions};
//!
//! let client = Client::from_env()?; // QENCODE_API_KEY
//! let domain = client.create_domain("live.example.com", DomainType::Live)?;
//! let key = client.create_signing_key(&SigningKeyTarget::Domain(domain.id.clone()))?;
//! // The private key is returned once: keep it in a secret store.
//! let signer = Signer::from_pem(key.id(), key.private_key_pem())?;
//! let url = signer.signed_live_custom_domain_url("live.example.com", "abc123", &SignOptions::new())?;
//! # let _ = url;
//! # Ok::<(), qencode_cdn::Error>(())
//! ```
//!
//! ## Behaviour
//! - **Access token**: `POST {auth_url}/v1/access_token/{api_key}`, fetched on
//!   the first call, cached, renewed a few minutes before it expires (24 h, or
//!   the JWT's own `exp`), and once more after a 401/403. Concurrent callers
//!   share one renewal.
//! - **Retries**: exponential backoff with jitter on connection failures, 429
//!   (honouring `Retry-After` up to 30 s) and 502/503/504, for requests that
//!   are safe to repeat (GET, PUT, DELETE, CORS set, cache purges). Creates
//!   (domains, TLS subscriptions, signing keys) are repeated only when the
//!   server cannot have seen them (DNS failure, connection refused). Timeouts
//!   are not retried.
//! - **Timeouts**: `connect_timeout` for connecting, `timeout` for each whole
//!   attempt (connect, send, answer and body).
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

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use serde::de::{DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use ureq::http::{Method, Uri};
use zeroize::Zeroizing;

mod auth;
mod buckets;
mod domains;
mod http;
mod retry;
mod secret;
mod signing_keys;
mod tls;
mod types;
mod validate;

pub use secret::SecretString;
pub use types::{
    BUCKET_FIELD, BucketPolicy, Domain, DomainType, NewSigningKey, SigningKey, SigningKeyTarget, TlsStatus,
    TlsSubscription,
};

use crate::error::{Error, Result};
use auth::TokenCache;
use http::{Request, Transport, decode_error};
use retry::Idempotency;

/// The management API's default base URL.
pub const DEFAULT_API_URL: &str = "https://api-cdn.qencode.com";
/// The access-token API's default base URL.
pub const DEFAULT_AUTH_URL: &str = "https://api-live.qencode.com";
/// Default time allowed to connect.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for one whole attempt of a request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// The most retries [`ClientBuilder::max_retries`] accepts.
pub const MAX_RETRIES_LIMIT: u32 = 10;
/// The JSON document of calls that return nothing (deletes, purges, policy
/// and CORS changes), as the API sends it and as the CLI and the C ABI give it.
pub const OK_DOCUMENT: &str = r#"{"status":"ok"}"#;

/// The environment variable [`Client::from_env`] reads.
pub const API_KEY_ENV: &str = "QENCODE_API_KEY";

/// Configures a [`Client`]. `Debug` redacts the API key.
///
/// ```
/// use std::time::Duration;
/// let client = qencode_cdn::Client::builder("my-api-key")
///     .timeout(Duration::from_secs(10))
///     .max_retries(2)
///     .user_agent_suffix("cli")
///     .build()?;
/// assert!(!format!("{client:?} {:?}", qencode_cdn::Client::builder("my-api-key")).contains("my-api-key"));
/// # Ok::<(), qencode_cdn::Error>(())
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    api_key: SecretString,
    api_url: String,
    auth_url: String,
    connect_timeout: Duration,
    timeout: Duration,
    max_retries: u32,
    user_agent_suffix: String,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key)
            .field("api_url", &self.api_url)
            .field("auth_url", &self.auth_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .finish()
    }
}

impl ClientBuilder {
    /// A builder for the given API key, with every default.
    pub fn new(api_key: impl Into<String>) -> Self {
        ClientBuilder {
            api_key: SecretString::new(api_key.into()),
            api_url: DEFAULT_API_URL.to_string(),
            auth_url: DEFAULT_AUTH_URL.to_string(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            user_agent_suffix: "rust".to_string(),
        }
    }

    /// A builder for the API key in [`API_KEY_ENV`] (trimmed; unset or blank
    /// is INVALID_ARGUMENT naming the variable, never showing a value). Every
    /// binding's `from_env` starts here and layers its options on top.
    ///
    /// ```no_run
    /// let client = qencode_cdn::ClientBuilder::from_env()?.max_retries(1).build()?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        let key = crate::token::env_value(API_KEY_ENV)
            .ok_or_else(|| Error::InvalidArgument(format!("{API_KEY_ENV} (the API key) is not set")))?;
        Ok(ClientBuilder::new(key.trim()))
    }

    /// Applies options given as data (bindings): `api_url`, `auth_url`
    /// (strings), `timeout`, `connect_timeout` (seconds, fractions allowed)
    /// and `max_retries` (a whole number), spelled in `style`. Unknown keys
    /// and wrong types are INVALID_ARGUMENT; `null` leaves a default.
    ///
    /// ```
    /// use qencode_cdn::{ClientBuilder, KeyStyle};
    /// let b = ClientBuilder::new("k").options_json(&serde_json::json!({"timeout": 2.5, "maxRetries": 0}), KeyStyle::Camel)?;
    /// # let _ = b;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn options_json(mut self, value: &serde_json::Value, style: crate::KeyStyle) -> Result<Self> {
        let o = crate::options::client_options(value, style)?;
        if let Some(u) = o.api_url {
            self = self.api_url(u);
        }
        if let Some(u) = o.auth_url {
            self = self.auth_url(u);
        }
        if let Some(t) = o.timeout {
            self = self.timeout(t);
        }
        if let Some(t) = o.connect_timeout {
            self = self.connect_timeout(t);
        }
        if let Some(n) = o.max_retries {
            self = self.max_retries(n);
        }
        Ok(self)
    }

    /// The management API's base URL (default [`DEFAULT_API_URL`]).
    pub fn api_url(mut self, url: impl Into<String>) -> Self {
        self.api_url = url.into();
        self
    }

    /// The access-token API's base URL (default [`DEFAULT_AUTH_URL`]).
    pub fn auth_url(mut self, url: impl Into<String>) -> Self {
        self.auth_url = url.into();
        self
    }

    /// Time allowed to connect (default 10 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Time allowed for one whole attempt, body included (default 30 s).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// Retries after the first attempt (default 3, at most [`MAX_RETRIES_LIMIT`]).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Names the caller in `User-Agent: qencode-cdn/<version> (<suffix>)`:
    /// `python`, `node`, `c`, `cli` (default `rust`).
    pub fn user_agent_suffix(mut self, s: impl Into<String>) -> Self {
        self.user_agent_suffix = s.into();
        self
    }

    /// Checks the settings and builds the client (no I/O happens here).
    /// INVALID_ARGUMENT on an empty key, a bad URL, a zero timeout, too many
    /// retries or a bad user-agent suffix.
    pub fn build(self) -> Result<Client> {
        let key = self.api_key.expose_secret();
        if key.is_empty() {
            return Err(Error::InvalidArgument("the API key is empty".into()));
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) || key.len() > 1024 {
            return Err(Error::InvalidArgument(
                "the API key must be at most 1024 visible ASCII characters (no spaces or newlines)".into(),
            ));
        }
        let api_url = base_url("api_url", &self.api_url)?;
        let auth_url = base_url("auth_url", &self.auth_url)?;
        if self.connect_timeout.is_zero() || self.timeout.is_zero() {
            return Err(Error::InvalidArgument("timeouts must be greater than zero".into()));
        }
        if self.max_retries > MAX_RETRIES_LIMIT {
            return Err(Error::InvalidArgument(format!(
                "max_retries is {}, at most {MAX_RETRIES_LIMIT} is allowed",
                self.max_retries
            )));
        }
        let suffix = &self.user_agent_suffix;
        let suffix_ok = !suffix.is_empty()
            && suffix.len() <= 64
            && suffix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b" ._/+-;:".contains(&b));
        if !suffix_ok {
            return Err(Error::InvalidArgument(format!(
                "user-agent suffix `{}` must be 1 to 64 letters, digits or ` ._/+-;:`",
                validate::shown(suffix)
            )));
        }
        let user_agent = format!("qencode-cdn/{} ({suffix})", crate::VERSION);
        let token_url = format!("{auth_url}/v1/access_token/{}", validate::segment(key));
        let transport = Transport::new(self.connect_timeout, self.timeout, self.max_retries, &user_agent);
        Ok(Client {
            inner: Arc::new(Inner {
                tokens: TokenCache::new(token_url, self.api_key.clone()),
                transport,
                api_key: self.api_key,
                api_url,
                auth_url,
                user_agent,
            }),
        })
    }
}

/// Checks a base URL: `https://host[:port][/prefix]`, or `http://` for a
/// loopback host; no user info, query or fragment. Returns it without a
/// trailing `/`.
fn base_url(what: &str, url: &str) -> Result<String> {
    let bad = |why: &str| Error::InvalidArgument(format!("{what} `{}` {why}", validate::shown(url)));
    let trimmed = url.trim_end_matches('/');
    let uri: Uri = trimmed.parse().map_err(|_| bad("is not a URL"))?;
    let authority = uri.authority().ok_or_else(|| bad("has no host"))?;
    if authority.as_str().contains('@') {
        // Not quoted: user info may hold a password.
        return Err(Error::InvalidArgument(format!(
            "{what} must not hold user info (`user:password@`)"
        )));
    }
    if trimmed.contains('?') || trimmed.contains('#') {
        return Err(bad("must not have a query or fragment"));
    }
    let host = authority.host().trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if loopback => {}
        Some("http") => return Err(bad("must use https (plain http only for loopback hosts)")),
        _ => return Err(bad("must start with https://")),
    }
    Ok(trimmed.to_string())
}

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
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_key", &self.inner.api_key)
            .field("api_url", &self.inner.api_url)
            .field("auth_url", &self.inner.auth_url)
            .field("user_agent", &self.inner.user_agent)
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

    /// Sends one authenticated API request; `path` is already encoded.
    fn send(
        &self,
        method: Method,
        path: String,
        body: Option<&serde_json::Value>,
        idempotency: Idempotency,
    ) -> Result<(String, Zeroizing<Vec<u8>>)> {
        let body = match body {
            Some(v) => Some(serde_json::to_vec(v).map_err(|e| Error::Internal(format!("JSON encoding: {e}")))?),
            None => None,
        };
        let req = Request {
            shown: format!("{method} {path}"),
            url: Zeroizing::new(format!("{}{path}", self.inner.api_url)),
            method,
            body,
            idempotency,
        };
        let bytes = self
            .inner
            .transport
            .run(&req, Some(&self.inner.tokens), &[self.inner.api_key.expose_secret()])?;
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
        let (shown, bytes) = self.send(method, path, body, idempotency)?;
        let what = format!("{{\"{field}\": ...}}");
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value = Envelope::<T> {
            field,
            _marker: std::marker::PhantomData,
        }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| decode_error(&shown, &what, &e))?;
        value.ok_or_else(|| Error::Decode(format!("{shown}: expected {what}, the field is missing")))
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
    fn base_urls_are_checked() {
        assert_eq!(
            base_url("api_url", "https://api-cdn.qencode.com/").unwrap(),
            "https://api-cdn.qencode.com"
        );
        assert_eq!(
            base_url("api_url", "https://h.example/prefix").unwrap(),
            "https://h.example/prefix"
        );
        assert!(base_url("api_url", "http://127.0.0.1:8080").is_ok());
        assert!(base_url("api_url", "http://localhost:8080").is_ok());
        assert!(base_url("api_url", "http://[::1]:8080").is_ok());
        for bad in [
            "",
            "api-cdn.qencode.com",
            "http://api-cdn.qencode.com",
            "ftp://x.example",
            "https://user:pw@x.example",
            "https://x.example/?a=1",
            "https://x.example/#f",
            "https://",
        ] {
            let e = base_url("api_url", bad).unwrap_err();
            assert_eq!(e.code(), crate::ErrorCode::InvalidArgument, "{bad}");
            assert!(!e.to_string().contains("pw@"), "{e}");
        }
    }

    #[test]
    fn builder_checks_inputs_and_never_shows_the_key() {
        let secret = "sk-0123456789abcdef";
        let check = |b: ClientBuilder| {
            let e = b.build().unwrap_err();
            assert_eq!(e.code(), crate::ErrorCode::InvalidArgument);
            assert!(!format!("{e} {e:?}").contains(secret));
        };
        check(Client::builder(""));
        check(Client::builder("has space"));
        check(Client::builder(secret).api_url("http://example.com"));
        check(Client::builder(secret).timeout(Duration::ZERO));
        check(Client::builder(secret).connect_timeout(Duration::ZERO));
        check(Client::builder(secret).max_retries(11));
        check(Client::builder(secret).user_agent_suffix("a(b)"));
        check(Client::builder(secret).user_agent_suffix(""));

        let b = Client::builder(secret).user_agent_suffix("python");
        assert!(!format!("{b:?}").contains(secret));
        let c = b.build().unwrap();
        assert_eq!(c.user_agent(), format!("qencode-cdn/{} (python)", crate::VERSION));
        assert_eq!(c.api_url(), DEFAULT_API_URL);
        assert_eq!(c.auth_url(), DEFAULT_AUTH_URL);
        assert!(!format!("{c:?}").contains(secret));
        assert_eq!(
            Client::new(secret).unwrap().user_agent(),
            format!("qencode-cdn/{} (rust)", crate::VERSION)
        );
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
