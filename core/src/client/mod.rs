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
use std::sync::Arc;

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
    API_KEY_ENV, ClientBuilder, DEFAULT_API_URL, DEFAULT_AUTH_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT, MAX_RETRIES_LIMIT, OK_DOCUMENT,
};
pub use secret::SecretString;
pub use types::{
    BUCKET_FIELD, BucketPolicy, Domain, DomainType, NewSigningKey, SigningKey, SigningKeyTarget, TlsStatus,
    TlsSubscription,
};

use crate::error::{Error, Result};
use auth::TokenCache;
use http::{Request, Transport, decode_error};
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
