//! The access token: fetched lazily, shared by every thread of a client,
//! renewed before it expires and once after a 401/403.
//!
//! One fetch at a time: callers that need a token while a fetch is in flight
//! wait for that fetch and share its result — its token, or its error (one
//! fetch per failure, never one per waiting thread). A renewal inside the
//! renewal window is tried by one caller while the others keep using the
//! still-valid token; if it fails, that caller uses the still-valid token too,
//! and a later call tries again ([`renewal_retry_at`]).

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use serde::Deserialize;
use ureq::http::Method;

use super::http::{Deadline, Request, Transport, decode_error};
use super::retry::Idempotency;
use super::secret::SecretString;
use crate::error::{Error, Result};

/// How long an access token lives when it does not say (the reference: 24
/// hours), and the longest we believe a token's own `exp`: a renewal a day
/// costs nothing, and a far-future `exp` must not overflow the clock.
pub(crate) const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// How long before expiry a token is renewed (at most half its lifetime).
pub(crate) const RENEW_BEFORE: Duration = Duration::from_secs(5 * 60);
/// After a failed renewal inside the window, the next try waits this long
/// (or half the time the token has left, if that is less).
pub(crate) const RENEW_RETRY_INTERVAL: Duration = Duration::from_secs(30);

/// A cached access token.
pub(crate) struct AccessToken {
    pub secret: SecretString,
    /// Increases with every fetch; names the token a 401 rejected.
    pub generation: u64,
    renew_at: Instant,
    expires_at: Instant,
}

/// The token cache of one client.
pub(crate) struct TokenCache {
    state: Mutex<State>,
    /// Signalled whenever a fetch ends.
    fetched: Condvar,
    /// `POST {auth_url}/v1/access_token/{api_key}` (holds the key).
    request: Request,
    api_key: SecretString,
}

#[derive(Default)]
struct State {
    current: Option<Arc<AccessToken>>,
    /// A fetch is in flight.
    fetching: bool,
    /// Fetches ended so far (a waiter knows its fetch is over when this moves).
    ended: u64,
    /// The error of the last fetch, when it failed.
    last_error: Option<Error>,
    /// After a failed renewal in the window: no new try before this.
    retry_renewal_at: Option<Instant>,
    generations: u64,
}

#[derive(Deserialize)]
struct TokenDocument {
    access_token: SecretString,
}

#[derive(Deserialize)]
struct JwtTimes {
    exp: Option<f64>,
    iat: Option<f64>,
}

/// Marks the fetch over when dropped, even if the fetch panicked, so no
/// waiter waits for a fetch that will never end.
struct Flight<'a> {
    cache: &'a TokenCache,
    done: bool,
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        if !self.done {
            let mut st = self.cache.lock();
            st.fetching = false;
            st.ended += 1;
            st.last_error = Some(Error::Internal("the access token fetch did not finish".into()));
            self.cache.fetched.notify_all();
        }
    }
}

impl TokenCache {
    /// A cache that fetches from `token_url` (which holds the API key).
    pub(crate) fn new(token_url: String, api_key: SecretString) -> Self {
        TokenCache {
            state: Mutex::new(State::default()),
            fetched: Condvar::new(),
            request: Request {
                method: Method::POST,
                url: zeroize::Zeroizing::new(token_url),
                shown: "POST /v1/access_token/<redacted>".to_string(),
                body: None,
                idempotency: Idempotency::Safe,
            },
            api_key,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A usable token. `rejected` is the generation the server just refused:
    /// that one is replaced (once, by whichever caller gets here first).
    /// Waiting for another caller's fetch ends at `deadline` (TIMEOUT).
    pub(crate) fn get(
        &self,
        transport: &Transport,
        rejected: Option<u64>,
        deadline: &Deadline,
    ) -> Result<Arc<AccessToken>> {
        let mut st = self.lock();
        loop {
            let now = Instant::now();
            let valid = st
                .current
                .clone()
                .filter(|t| Some(t.generation) != rejected && now < t.expires_at);
            if let Some(token) = valid {
                let quiet = st.retry_renewal_at.is_some_and(|at| now < at);
                if now < token.renew_at || st.fetching || quiet {
                    return Ok(token);
                }
                // Renewal window: this caller renews, in one attempt and at most half
                // its time left; on failure it keeps the still-valid token and a
                // later call tries again.
                return Ok(match self.fetch(st, transport, &deadline.halfway(), 0) {
                    Ok(new) => new,
                    Err(_) => {
                        let mut st = self.lock();
                        let now = Instant::now();
                        st.retry_renewal_at = Some(renewal_retry_at(now, token.expires_at));
                        token
                    }
                });
            }
            if st.fetching {
                let seen = st.ended;
                while st.fetching && st.ended == seen {
                    let left = deadline.remaining();
                    if left.is_zero() {
                        return Err(deadline.passed(&self.request.shown, "while waiting for the access token"));
                    }
                    st = self.fetched.wait_timeout(st, left).unwrap_or_else(|e| e.into_inner()).0;
                }
                // The fetch we waited for is over: its token, or its error.
                let now = Instant::now();
                if let Some(token) = st
                    .current
                    .clone()
                    .filter(|t| Some(t.generation) != rejected && now < t.expires_at)
                {
                    return Ok(token);
                }
                if let Some(e) = &st.last_error {
                    return Err(e.clone());
                }
                continue;
            }
            return self.fetch(st, transport, deadline, transport.max_retries());
        }
    }

    /// Fetches a token as the one fetch in flight (the caller holds the lock
    /// and saw none in flight), stores it, and wakes every waiter with the
    /// result.
    fn fetch(
        &self,
        mut st: MutexGuard<'_, State>,
        transport: &Transport,
        deadline: &Deadline,
        max_retries: u32,
    ) -> Result<Arc<AccessToken>> {
        st.fetching = true;
        drop(st);
        let mut flight = Flight {
            cache: self,
            done: false,
        };
        let result = self.request_token(transport, deadline, max_retries);
        let mut st = self.lock();
        st.fetching = false;
        st.ended += 1;
        flight.done = true;
        let result = result.map(|(secret, fetched_at)| {
            st.generations += 1;
            let lifetime = token_lifetime(secret.expose_secret(), unix_now());
            let token = Arc::new(AccessToken {
                generation: st.generations,
                renew_at: fetched_at + lifetime.saturating_sub(RENEW_BEFORE.min(lifetime / 2)),
                expires_at: fetched_at + lifetime,
                secret,
            });
            st.current = Some(token.clone());
            st.retry_renewal_at = None;
            token
        });
        st.last_error = result.as_ref().err().cloned();
        drop(st);
        self.fetched.notify_all();
        result
    }

    fn request_token(
        &self,
        transport: &Transport,
        deadline: &Deadline,
        max_retries: u32,
    ) -> Result<(SecretString, Instant)> {
        let fetched_at = Instant::now();
        let body = transport.run(
            &self.request,
            None,
            &[self.api_key.expose_secret()],
            deadline,
            max_retries,
        )?;
        let doc: TokenDocument = serde_json::from_slice(&body)
            .map_err(|e| decode_error(&self.request.shown, "{\"access_token\": ...}", &e))?;
        let secret = doc.access_token;
        if secret.is_empty() || !secret.expose_secret().bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::Decode(format!(
                "{}: the access token is empty or not printable ASCII",
                self.request.shown
            )));
        }
        Ok((secret, fetched_at))
    }
}

/// When to try again after a renewal failed at `now`: after
/// [`RENEW_RETRY_INTERVAL`], or half the time left before `expires_at` if
/// that is sooner (so a second try still happens while the token is valid).
pub(crate) fn renewal_retry_at(now: Instant, expires_at: Instant) -> Instant {
    let left = expires_at.saturating_duration_since(now);
    now + RENEW_RETRY_INTERVAL.min(left / 2)
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// How long a token lives: `exp - iat` of a JWT when both are present (immune
/// to clock skew), else `exp - now`, else [`MAX_TOKEN_LIFETIME`]; never more
/// than [`MAX_TOKEN_LIFETIME`].
pub(crate) fn token_lifetime(token: &str, now_unix: f64) -> Duration {
    let times = token.split('.').nth(1).and_then(|payload| {
        let bytes = URL_SAFE_NO_PAD
            .decode(payload)
            .or_else(|_| URL_SAFE.decode(payload))
            .ok()?;
        serde_json::from_slice::<JwtTimes>(&bytes).ok()
    });
    let secs = match times {
        Some(JwtTimes {
            exp: Some(exp),
            iat: Some(iat),
        }) if exp > iat => exp - iat,
        Some(JwtTimes { exp: Some(exp), .. }) => exp - now_unix,
        _ => return MAX_TOKEN_LIFETIME,
    };
    Duration::try_from_secs_f64(secs.max(0.0))
        .unwrap_or(MAX_TOKEN_LIFETIME)
        .min(MAX_TOKEN_LIFETIME)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        format!("eyJhbGciOiJIUzI1NiJ9.{}.sig", URL_SAFE_NO_PAD.encode(payload))
    }

    #[test]
    fn lifetime_comes_from_the_jwt_when_it_can() {
        let now = 1_700_000_000.0;
        assert_eq!(
            token_lifetime(&jwt(r#"{"iat":1628158243,"exp":1628244643}"#), now),
            Duration::from_secs(86400)
        );
        assert_eq!(
            token_lifetime(&jwt(r#"{"exp":1700000600}"#), now),
            Duration::from_secs(600)
        );
        assert_eq!(token_lifetime(&jwt(r#"{"exp":1600000000}"#), now), Duration::ZERO);
        assert_eq!(token_lifetime(&jwt(r#"{"sub":1}"#), now), MAX_TOKEN_LIFETIME);
        assert_eq!(token_lifetime("opaque-token", now), MAX_TOKEN_LIFETIME);
        // The reference's example token: its payload is not valid JSON.
        let reference = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyjpYXQiOjE2MjgxNTgyNJMsInN1YiI6MTMwLCJleHAiOjE2MjgyNDQ2NjN9.SxS3zLx2CZbZ9ylTpd25kj9el6_4TqqTWUA9RT2iJ9I";
        assert_eq!(token_lifetime(reference, now), MAX_TOKEN_LIFETIME);
    }

    #[test]
    fn a_far_future_exp_is_capped_at_a_day() {
        let now = 1_700_000_000.0;
        for payload in [
            r#"{"iat":0,"exp":1e19}"#,
            r#"{"exp":1e300}"#,
            r#"{"exp":18446744073709551615}"#,
            r#"{"iat":1700000000,"exp":1700172800}"#,
        ] {
            let lifetime = token_lifetime(&jwt(payload), now);
            assert_eq!(lifetime, MAX_TOKEN_LIFETIME, "{payload}");
            // The arithmetic the cache does with it cannot overflow.
            let fetched = Instant::now();
            let _ = fetched + lifetime.saturating_sub(RENEW_BEFORE.min(lifetime / 2));
        }
    }

    #[test]
    fn a_failed_renewal_is_tried_again_while_the_token_is_valid() {
        let now = Instant::now();
        assert_eq!(
            renewal_retry_at(now, now + Duration::from_secs(300)),
            now + RENEW_RETRY_INTERVAL
        );
        assert_eq!(
            renewal_retry_at(now, now + Duration::from_secs(10)),
            now + Duration::from_secs(5)
        );
        assert_eq!(renewal_retry_at(now, now), now);
    }
}
