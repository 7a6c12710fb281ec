//! Backoff with jitter, and `Retry-After`.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};

/// The first backoff step; it doubles with every retry.
pub(crate) const BACKOFF_BASE: Duration = Duration::from_millis(200);
/// The longest backoff step.
pub(crate) const BACKOFF_MAX: Duration = Duration::from_secs(10);
/// The longest `Retry-After` we wait for; a longer one ends the call with
/// RATE_LIMITED at once (carrying the server's value).
pub(crate) const RETRY_AFTER_MAX: Duration = Duration::from_secs(30);

/// Whether a request may be sent again after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    /// GET, PUT, DELETE, purge, CORS set, the access token: repeat freely.
    Safe,
    /// A create: repeat only when the server cannot have seen the request.
    Create,
}

/// The wait before retry number `retry` (0-based): "equal jitter", a random
/// point in the upper half of `BACKOFF_BASE * 2^retry`, capped.
pub(crate) fn backoff(retry: u32) -> Duration {
    let step = BACKOFF_BASE.saturating_mul(1u32 << retry.min(16)).min(BACKOFF_MAX);
    let half = step / 2;
    half + half.mul_f64(unit_random())
}

/// A number in `[0, 1)`, from the standard library's per-process random keys
/// (enough for jitter; not for anything secret).
fn unit_random() -> f64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Parses `Retry-After`: delta-seconds or an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        for retry in 0..40 {
            let d = backoff(retry);
            let step = BACKOFF_BASE.saturating_mul(1u32 << retry.min(16)).min(BACKOFF_MAX);
            assert!(d >= step / 2 && d <= step, "{retry}: {d:?}");
        }
        let samples: std::collections::HashSet<Duration> = (0..20).map(|_| backoff(3)).collect();
        assert!(samples.len() > 1, "jitter varies");
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after(" 1 "), Some(Duration::from_secs(1)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
        let d = parse_retry_after(&later).unwrap();
        assert!(d > Duration::from_secs(100) && d <= Duration::from_secs(120));
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }
}
