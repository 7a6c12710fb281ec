//! The access token: fetched lazily, shared, renewed before it expires and
//! once after a 401, with one renewal in flight at a time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, TryLockError};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use serde::Deserialize;
use ureq::http::Method;

use super::http::{Request, Transport, decode_error};
use super::retry::Idempotency;
use super::secret::SecretString;
use crate::error::{Error, Result};

/// How long an access token lives when it does not say (the reference: 24 hours).
pub(crate) const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// How long before expiry a token is renewed (at most a tenth of its lifetime).
pub(crate) const RENEW_BEFORE: Duration = Duration::from_secs(5 * 60);

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
    current: RwLock<Option<Arc<AccessToken>>>,
    renewing: Mutex<()>,
    generations: AtomicU64,
    /// `POST {auth_url}/v1/access_token/{api_key}` (holds the key).
    request: Request,
    api_key: SecretString,
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

impl TokenCache {
    /// A cache that fetches from `token_url` (which holds the API key).
    pub(crate) fn new(token_url: String, api_key: SecretString) -> Self {
        TokenCache {
            current: RwLock::new(None),
            renewing: Mutex::new(()),
            generations: AtomicU64::new(0),
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

    fn cached(&self) -> Option<Arc<AccessToken>> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A usable token. `rejected` is the generation the server just refused:
    /// that one is replaced (once, by whichever caller gets here first).
    pub(crate) fn get(&self, transport: &Transport, rejected: Option<u64>) -> Result<Arc<AccessToken>> {
        if let Some(token) = self.cached() {
            if Some(token.generation) != rejected {
                let now = Instant::now();
                if now < token.renew_at {
                    return Ok(token);
                }
                if now < token.expires_at {
                    // Renewal window: one caller renews, the others keep the old token.
                    return match self.renewing.try_lock() {
                        Ok(guard) => self.renew(transport, guard, rejected),
                        Err(TryLockError::Poisoned(p)) => self.renew(transport, p.into_inner(), rejected),
                        Err(TryLockError::WouldBlock) => Ok(token),
                    };
                }
            }
        }
        let guard = self.renewing.lock().unwrap_or_else(|e| e.into_inner());
        self.renew(transport, guard, rejected)
    }

    fn renew(
        &self,
        transport: &Transport,
        _guard: MutexGuard<'_, ()>,
        rejected: Option<u64>,
    ) -> Result<Arc<AccessToken>> {
        // Another caller may have renewed while we waited for the lock.
        if let Some(token) = self.cached() {
            if Some(token.generation) != rejected && Instant::now() < token.renew_at {
                return Ok(token);
            }
        }
        let fetched_at = Instant::now();
        let body = transport.run(&self.request, None, &[self.api_key.expose_secret()])?;
        let doc: TokenDocument = serde_json::from_slice(&body)
            .map_err(|e| decode_error(&self.request.shown, "{\"access_token\": ...}", &e))?;
        let secret = doc.access_token;
        if secret.is_empty() || !secret.expose_secret().bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::Decode(format!(
                "{}: the access token is empty or not printable ASCII",
                self.request.shown
            )));
        }
        let lifetime = token_lifetime(secret.expose_secret(), unix_now());
        let margin = RENEW_BEFORE.min(lifetime / 10);
        let token = Arc::new(AccessToken {
            generation: self.generations.fetch_add(1, Ordering::Relaxed) + 1,
            renew_at: fetched_at + lifetime.saturating_sub(margin),
            expires_at: fetched_at + lifetime,
            secret,
        });
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(token.clone());
        Ok(token)
    }
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// How long a token lives: `exp - iat` of a JWT when both are present (immune
/// to clock skew), else `exp - now`, else [`DEFAULT_TOKEN_LIFETIME`].
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
        _ => return DEFAULT_TOKEN_LIFETIME,
    };
    Duration::try_from_secs_f64(secs.max(0.0)).unwrap_or(DEFAULT_TOKEN_LIFETIME)
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
        assert_eq!(token_lifetime(&jwt(r#"{"sub":1}"#), now), DEFAULT_TOKEN_LIFETIME);
        assert_eq!(token_lifetime("opaque-token", now), DEFAULT_TOKEN_LIFETIME);
        // The reference's example token: its payload is not valid JSON.
        let reference = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyjpYXQiOjE2MjgxNTgyNJMsInN1YiI6MTMwLCJleHAiOjE2MjgyNDQ2NjN9.SxS3zLx2CZbZ9ylTpd25kj9el6_4TqqTWUA9RT2iJ9I";
        assert_eq!(token_lifetime(reference, now), DEFAULT_TOKEN_LIFETIME);
    }
}
