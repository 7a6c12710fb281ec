//! [`ClientBuilder`]: the settings of a [`Client`], from code, from the
//! environment ([`ClientBuilder::from_env`]) or from data
//! ([`ClientBuilder::options_json`], for bindings).

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use ureq::http::Uri;

use super::auth::TokenCache;
use super::http::Transport;
use super::secret::SecretString;
use super::{Client, Inner, validate};
use crate::error::{Error, Result};

/// The management API's default base URL.
pub const DEFAULT_API_URL: &str = "https://api-cdn.qencode.com";
/// The access-token API's default base URL.
pub const DEFAULT_AUTH_URL: &str = "https://api-live.qencode.com";
/// Default time allowed to connect.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for one whole attempt of a request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time a whole call may take, retries and waits included (see
/// [`ClientBuilder::deadline`]).
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);
/// The longest timeout or deadline a builder accepts (24 hours; the same
/// bound as `options_json`'s seconds). A longer one is INVALID_ARGUMENT.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);
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
///     .deadline(Duration::from_secs(20))
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
    deadline: Option<Duration>,
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
            .field("deadline", &self.deadline)
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
            deadline: None,
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
    /// (strings), `timeout`, `connect_timeout`, `deadline` (seconds,
    /// fractions allowed, more than 0 and at most 86400) and `max_retries`
    /// (a whole number), spelled in `style`. Unknown keys and wrong types are
    /// INVALID_ARGUMENT; `null` leaves a default.
    ///
    /// ```
    /// use qencode_cdn::{ClientBuilder, KeyStyle};
    /// let b = ClientBuilder::new("k").options_json(&serde_json::json!({"timeout": 2.5, "deadline": 10, "maxRetries": 0}), KeyStyle::Camel)?;
    /// assert_eq!(b.build()?.deadline(), std::time::Duration::from_secs(10));
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
        if let Some(t) = o.deadline {
            self = self.deadline(t);
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

    /// Time allowed to connect (default 10 s; at most [`MAX_TIMEOUT`]).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Time allowed for one whole attempt, body included (default 30 s; at
    /// most [`MAX_TIMEOUT`]). An attempt never runs past the call's
    /// [`deadline`](Self::deadline): the last one gets what is left.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// Time one whole call may take — every attempt, every wait between
    /// retries (`Retry-After` included) and the wait for an access token.
    /// When it passes, the call ends with TIMEOUT; a retry whose wait would
    /// reach it is not made (TIMEOUT at once), and a 429 whose `Retry-After`
    /// does not fit ends as RATE_LIMITED at once, with the server's value.
    ///
    /// Default [`DEFAULT_DEADLINE`] (60 s), or [`timeout`](Self::timeout)
    /// when that is set longer; at most [`MAX_TIMEOUT`]. Bindings that run
    /// calls on a worker pool (Node's libuv threads) hold a worker at most
    /// this long.
    ///
    /// ```
    /// use std::time::Duration;
    /// let c = qencode_cdn::Client::builder("k").deadline(Duration::from_secs(5)).build()?;
    /// assert_eq!(c.deadline(), Duration::from_secs(5));
    /// let c = qencode_cdn::Client::builder("k").timeout(Duration::from_secs(90)).build()?;
    /// assert_eq!(c.deadline(), Duration::from_secs(90));
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn deadline(mut self, d: Duration) -> Self {
        self.deadline = Some(d);
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
    /// INVALID_ARGUMENT on an empty key, a bad URL, a zero timeout or
    /// deadline, one above [`MAX_TIMEOUT`] (`Duration::MAX` is refused, not
    /// taken as "forever"), too many retries or a bad user-agent suffix.
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
        let deadline = self.deadline.unwrap_or(DEFAULT_DEADLINE.max(self.timeout));
        for (what, d) in [
            ("connect_timeout", self.connect_timeout),
            ("timeout", self.timeout),
            ("deadline", deadline),
        ] {
            if d.is_zero() || d > MAX_TIMEOUT {
                return Err(Error::InvalidArgument(format!(
                    "{what} must be more than 0 and at most {} seconds, got {d:?}",
                    MAX_TIMEOUT.as_secs()
                )));
            }
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
                deadline,
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

#[cfg(test)]
mod tests {
    use super::*;

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
        check(Client::builder(secret).deadline(Duration::ZERO));
        for too_long in [Duration::MAX, MAX_TIMEOUT + Duration::from_nanos(1)] {
            check(Client::builder(secret).timeout(too_long));
            check(Client::builder(secret).connect_timeout(too_long));
            check(Client::builder(secret).deadline(too_long));
        }
        assert!(Client::builder(secret).timeout(MAX_TIMEOUT).build().is_ok());
        check(Client::builder(secret).max_retries(11));
        check(Client::builder(secret).user_agent_suffix("a(b)"));
        check(Client::builder(secret).user_agent_suffix(""));

        let b = Client::builder(secret).user_agent_suffix("python");
        assert!(!format!("{b:?}").contains(secret));
        let c = b.build().unwrap();
        assert_eq!(c.user_agent(), format!("qencode-cdn/{} (python)", crate::VERSION));
        assert_eq!(c.api_url(), DEFAULT_API_URL);
        assert_eq!(c.auth_url(), DEFAULT_AUTH_URL);
        assert_eq!(c.deadline(), DEFAULT_DEADLINE);
        assert!(!format!("{c:?}").contains(secret));
        assert_eq!(
            Client::new(secret).unwrap().user_agent(),
            format!("qencode-cdn/{} (rust)", crate::VERSION)
        );
    }
}
