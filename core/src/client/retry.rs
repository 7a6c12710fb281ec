//! The retry rule, as one pure function: [`decide`] looks at how an attempt
//! ended and what the call has done so far, and says what to do next. The
//! transport loop (`http.rs`) only carries out the [`Step`]s, so the rule —
//! above all "a create is never sent twice unless the server cannot have
//! seen it" — is tested here as a table, without sockets.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};

use crate::error::ErrorCode;

/// The first backoff step; it doubles with every retry.
pub(crate) const BACKOFF_BASE: Duration = Duration::from_millis(200);
/// The longest backoff step.
pub(crate) const BACKOFF_MAX: Duration = Duration::from_secs(10);
/// The longest `Retry-After` we wait for; a longer one ends the call with
/// RATE_LIMITED at once (carrying the server's value).
pub(crate) const RETRY_AFTER_MAX: Duration = Duration::from_secs(30);

/// What a request is, for the retry rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    /// GET, PUT, purge, CORS set, the access token: repeat freely.
    Safe,
    /// A DELETE: repeat freely; a 404 after an attempt whose answer was
    /// lost means that attempt deleted it.
    Delete,
    /// A create: repeat only when the server cannot have seen the request.
    Create,
}

/// How one attempt ended, as the rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A 2xx answer, read completely.
    Success,
    /// Any other HTTP answer.
    Status {
        /// The HTTP status.
        status: u16,
        /// The answer's `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// No (complete) answer.
    NoAnswer {
        /// The request may have reached the server (false only for DNS
        /// failures, refused connections, connect timeouts, TLS handshakes).
        sent: bool,
        /// A fresh attempt may well succeed (a refused or reset connection);
        /// false for timeouts, TLS and protocol errors.
        transient: bool,
    },
}

impl Outcome {
    /// Whether the server may have carried the request out: it was sent and
    /// its answer was lost, or a server error other than 503 (a gateway's
    /// 502/504, a 500) says the work may have happened behind it. 4xx answers
    /// and 503 are refusals: nothing was done.
    pub(crate) fn may_have_applied(&self) -> bool {
        match *self {
            Outcome::Success => true,
            Outcome::Status { status, .. } => status >= 500 && status != 503,
            Outcome::NoAnswer { sent, .. } => sent,
        }
    }
}

/// What the call has done so far.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Progress {
    /// Retries made so far (the resend after a token renewal is not one).
    pub retries: u32,
    /// Retries allowed after the first attempt.
    pub max_retries: u32,
    /// The attempt carried an access token (every API call; not the token request itself).
    pub authenticated: bool,
    /// The access token was already renewed once in this call after a 401/403.
    pub renewed: bool,
    /// An earlier attempt of this call may have been carried out ([`Outcome::may_have_applied`]).
    pub maybe_applied: bool,
    /// Time left before the call's deadline.
    pub time_left: Duration,
    /// A number in `[0, 1)` for the backoff's jitter.
    pub jitter: f64,
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Step {
    /// The answer is the call's result.
    Done,
    /// A retried DELETE found nothing: an earlier attempt, whose answer was
    /// lost, deleted it. The call succeeded (with an empty result).
    AlreadyDone,
    /// Fetch a new access token, then send again at once.
    RenewToken,
    /// Wait this long, then send again.
    Retry(Duration),
    /// End the call with this attempt's error (for an HTTP answer, the code
    /// of [`status_code`]).
    Fail,
    /// End the call with TIMEOUT: waiting `wait` for the next attempt would
    /// reach the deadline.
    OutOfTime {
        /// The wait that did not fit.
        wait: Duration,
    },
}

/// The rule. Summary:
///
/// - 2xx: done. 401/403 on an authenticated attempt: renew the token once
///   and resend (the server refused, so this holds for creates too).
/// - A 404 to a DELETE after an attempt that may have been carried out: done.
/// - 429 (honouring `Retry-After`), 502, 503, 504 and transient failures
///   without an answer (refused, reset) are retried while retries are left,
///   but a create only when the server cannot have seen it (it was never
///   sent). 429 never waits longer than [`RETRY_AFTER_MAX`] or past the
///   deadline: it ends as RATE_LIMITED at once, with the server's value.
/// - A wait that would reach the deadline ends the call with TIMEOUT now,
///   instead of sleeping for nothing.
/// - Everything else ends the call with its error.
pub(crate) fn decide(outcome: &Outcome, p: &Progress, idempotency: Idempotency) -> Step {
    let retries_left = p.retries < p.max_retries;
    let repeatable = idempotency != Idempotency::Create;
    let wait_then_retry = |wait: Duration| {
        if wait >= p.time_left {
            Step::OutOfTime { wait }
        } else {
            Step::Retry(wait)
        }
    };
    match *outcome {
        Outcome::Success => Step::Done,
        Outcome::Status { status, retry_after } => match status {
            401 | 403 if p.authenticated && !p.renewed => Step::RenewToken,
            404 if idempotency == Idempotency::Delete && p.maybe_applied => Step::AlreadyDone,
            429 if repeatable && retries_left => {
                let wait = retry_after.unwrap_or_else(|| backoff(p.retries, p.jitter));
                if wait > RETRY_AFTER_MAX || wait >= p.time_left {
                    Step::Fail
                } else {
                    Step::Retry(wait)
                }
            }
            502..=504 if repeatable && retries_left => {
                let asked = retry_after.filter(|d| *d <= RETRY_AFTER_MAX);
                wait_then_retry(asked.unwrap_or_else(|| backoff(p.retries, p.jitter)))
            }
            _ => Step::Fail,
        },
        Outcome::NoAnswer { sent, transient } => {
            if transient && retries_left && (repeatable || !sent) {
                wait_then_retry(backoff(p.retries, p.jitter))
            } else {
                Step::Fail
            }
        }
    }
}

/// The error code of a non-success HTTP answer that ends a call.
pub(crate) fn status_code(status: u16) -> ErrorCode {
    match status {
        401 | 403 => ErrorCode::Unauthorized,
        404 => ErrorCode::NotFound,
        429 => ErrorCode::RateLimited,
        _ => ErrorCode::ApiError,
    }
}

/// The wait before retry number `retry` (0-based): "equal jitter", the upper
/// half of `BACKOFF_BASE * 2^retry` (capped at [`BACKOFF_MAX`]), at the point
/// `jitter` (in `[0, 1)`) of that half.
pub(crate) fn backoff(retry: u32, jitter: f64) -> Duration {
    let step = BACKOFF_BASE.saturating_mul(1u32 << retry.min(16)).min(BACKOFF_MAX);
    let half = step / 2;
    half + half.mul_f64(jitter.clamp(0.0, 1.0))
}

/// A number in `[0, 1)`, from the standard library's per-process random keys
/// (enough for jitter; not for anything secret).
pub(crate) fn unit_random() -> f64 {
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
    use Idempotency::{Create, Delete, Safe};

    const LONG: Duration = Duration::from_secs(60);

    fn progress() -> Progress {
        Progress {
            retries: 0,
            max_retries: 3,
            authenticated: true,
            renewed: false,
            maybe_applied: false,
            time_left: LONG,
            jitter: 0.0,
        }
    }

    fn status(status: u16, retry_after: Option<u64>) -> Outcome {
        Outcome::Status {
            status,
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    const UNSENT: Outcome = Outcome::NoAnswer {
        sent: false,
        transient: true,
    };
    const LOST: Outcome = Outcome::NoAnswer {
        sent: true,
        transient: true,
    };
    const TIMED_OUT: Outcome = Outcome::NoAnswer {
        sent: true,
        transient: false,
    };
    const TLS_REFUSED: Outcome = Outcome::NoAnswer {
        sent: false,
        transient: false,
    };

    /// The first backoff with jitter 0.
    const B0: Duration = Duration::from_millis(100);

    /// Every outcome × idempotency × retries left or not: the whole rule.
    #[test]
    fn the_table() {
        use Step::*;
        let s1 = Duration::from_secs(1);
        // (outcome, [Safe, Delete, Create] with retries left, [Safe, Delete, Create] with none left)
        #[rustfmt::skip]
        let table: Vec<(Outcome, [Step; 3], [Step; 3])> = vec![
            (Outcome::Success,    [Done, Done, Done],                         [Done, Done, Done]),
            (status(400, None),   [Fail, Fail, Fail],                         [Fail, Fail, Fail]),
            (status(401, None),   [RenewToken, RenewToken, RenewToken],       [RenewToken, RenewToken, RenewToken]),
            (status(403, None),   [RenewToken, RenewToken, RenewToken],       [RenewToken, RenewToken, RenewToken]),
            (status(404, None),   [Fail, Fail, Fail],                         [Fail, Fail, Fail]),
            (status(409, None),   [Fail, Fail, Fail],                         [Fail, Fail, Fail]),
            (status(429, None),   [Retry(B0), Retry(B0), Fail],               [Fail, Fail, Fail]),
            (status(429, Some(1)),[Retry(s1), Retry(s1), Fail],               [Fail, Fail, Fail]),
            (status(429, Some(31)),[Fail, Fail, Fail],                        [Fail, Fail, Fail]),
            (status(500, None),   [Fail, Fail, Fail],                         [Fail, Fail, Fail]),
            (status(501, None),   [Fail, Fail, Fail],                         [Fail, Fail, Fail]),
            (status(502, None),   [Retry(B0), Retry(B0), Fail],               [Fail, Fail, Fail]),
            (status(503, None),   [Retry(B0), Retry(B0), Fail],               [Fail, Fail, Fail]),
            (status(503, Some(1)),[Retry(s1), Retry(s1), Fail],               [Fail, Fail, Fail]),
            // A Retry-After beyond the cap is ignored for 5xx: the backoff applies.
            (status(503, Some(31)),[Retry(B0), Retry(B0), Fail],              [Fail, Fail, Fail]),
            (status(504, None),   [Retry(B0), Retry(B0), Fail],               [Fail, Fail, Fail]),
            (UNSENT,              [Retry(B0), Retry(B0), Retry(B0)],          [Fail, Fail, Fail]),
            (LOST,                [Retry(B0), Retry(B0), Fail],               [Fail, Fail, Fail]),
            (TIMED_OUT,           [Fail, Fail, Fail],                         [Fail, Fail, Fail]),
            (TLS_REFUSED,         [Fail, Fail, Fail],                         [Fail, Fail, Fail]),
        ];
        for (outcome, with_retries, without) in &table {
            for (i, idem) in [Safe, Delete, Create].into_iter().enumerate() {
                let p = progress();
                assert_eq!(
                    decide(outcome, &p, idem),
                    with_retries[i],
                    "{outcome:?} {idem:?} with retries left"
                );
                let p = Progress {
                    retries: 3,
                    ..progress()
                };
                assert_eq!(
                    decide(outcome, &p, idem),
                    without[i],
                    "{outcome:?} {idem:?} with no retry left"
                );
            }
        }
    }

    /// A create is sent again only when the server cannot have seen it (never
    /// sent), or refused it with a 401/403 before the one token renewal.
    #[test]
    fn a_create_is_never_sent_twice_unless_the_server_cannot_have_seen_it() {
        let mut outcomes: Vec<Outcome> = (100..600).map(|s| status(s, None)).collect();
        outcomes.extend((100..600).map(|s| status(s, Some(0))));
        outcomes.extend([UNSENT, LOST, TIMED_OUT, TLS_REFUSED]);
        for outcome in &outcomes {
            for retries in 0..=3 {
                for renewed in [false, true] {
                    for maybe_applied in [false, true] {
                        let p = Progress {
                            retries,
                            renewed,
                            maybe_applied,
                            ..progress()
                        };
                        let step = decide(outcome, &p, Create);
                        let resent = matches!(step, Step::Retry(_) | Step::RenewToken);
                        let unseen = *outcome == UNSENT;
                        let refused_auth = matches!(outcome, Outcome::Status { status: 401 | 403, .. }) && !renewed;
                        assert_eq!(
                            resent,
                            (unseen && retries < 3) || refused_auth,
                            "{outcome:?} {p:?}: {step:?}"
                        );
                        assert_ne!(step, Step::AlreadyDone);
                    }
                }
            }
        }
    }

    #[test]
    fn one_renewal_per_call_and_none_for_the_token_request() {
        for s in [401, 403] {
            let renewed = Progress {
                renewed: true,
                ..progress()
            };
            assert_eq!(decide(&status(s, None), &renewed, Safe), Step::Fail);
            let token_request = Progress {
                authenticated: false,
                ..progress()
            };
            assert_eq!(decide(&status(s, None), &token_request, Safe), Step::Fail);
            assert_eq!(status_code(s), ErrorCode::Unauthorized);
        }
    }

    #[test]
    fn a_retried_delete_that_finds_nothing_succeeded_but_a_first_404_is_not_found() {
        let after_lost = Progress {
            retries: 1,
            maybe_applied: true,
            ..progress()
        };
        assert_eq!(decide(&status(404, None), &after_lost, Delete), Step::AlreadyDone);
        // Even with no retries left: the 404 is the answer to a retry already made.
        let last = Progress {
            retries: 3,
            ..after_lost
        };
        assert_eq!(decide(&status(404, None), &last, Delete), Step::AlreadyDone);
        // The first attempt's 404, and a 404 after refusals (503, 429, 401): NOT_FOUND.
        let after_refusal = Progress {
            retries: 1,
            ..progress()
        };
        assert_eq!(decide(&status(404, None), &progress(), Delete), Step::Fail);
        assert_eq!(decide(&status(404, None), &after_refusal, Delete), Step::Fail);
        assert_eq!(status_code(404), ErrorCode::NotFound);
        // Other requests keep their 404.
        assert_eq!(decide(&status(404, None), &after_lost, Safe), Step::Fail);
    }

    #[test]
    fn what_may_have_been_carried_out() {
        assert!(LOST.may_have_applied());
        assert!(TIMED_OUT.may_have_applied());
        assert!(!UNSENT.may_have_applied());
        assert!(!TLS_REFUSED.may_have_applied());
        for s in [500, 502, 504, 599] {
            assert!(status(s, None).may_have_applied(), "{s}");
        }
        for s in [400, 401, 403, 404, 409, 429, 503] {
            assert!(!status(s, None).may_have_applied(), "{s}");
        }
    }

    #[test]
    fn the_deadline_ends_waits_that_would_pass_it() {
        let short = Progress {
            time_left: Duration::from_millis(500),
            ..progress()
        };
        // 5xx and lost answers: TIMEOUT at once instead of sleeping past the deadline.
        assert_eq!(
            decide(&status(503, Some(1)), &short, Safe),
            Step::OutOfTime {
                wait: Duration::from_secs(1)
            }
        );
        assert_eq!(decide(&status(502, None), &short, Safe), Step::Retry(B0));
        let late = Progress {
            retries: 2,
            jitter: 0.5,
            ..short
        };
        // Retry 3's backoff is 600 ms (400 + half of 400 ms) > 500 ms left.
        assert_eq!(
            decide(&LOST, &late, Delete),
            Step::OutOfTime {
                wait: Duration::from_millis(600)
            }
        );
        assert_eq!(
            decide(&UNSENT, &late, Create),
            Step::OutOfTime {
                wait: Duration::from_millis(600)
            }
        );
        // 429 whose Retry-After does not fit: RATE_LIMITED at once (the server's value is kept).
        assert_eq!(decide(&status(429, Some(1)), &short, Safe), Step::Fail);
        assert_eq!(status_code(429), ErrorCode::RateLimited);
        // No time at all: even the shortest wait does not fit.
        let none = Progress {
            time_left: Duration::ZERO,
            ..progress()
        };
        assert!(matches!(decide(&LOST, &none, Safe), Step::OutOfTime { .. }));
        // A renewal after 401 needs no wait: the next attempt gets what is left.
        assert_eq!(decide(&status(401, None), &none, Safe), Step::RenewToken);
    }

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        for retry in 0..40 {
            let step = BACKOFF_BASE.saturating_mul(1u32 << retry.min(16)).min(BACKOFF_MAX);
            assert_eq!(backoff(retry, 0.0), step / 2, "{retry}");
            let d = backoff(retry, 0.999_999);
            assert!(d >= step / 2 && d <= step, "{retry}: {d:?}");
            let r = backoff(retry, unit_random());
            assert!(r >= step / 2 && r <= step, "{retry}: {r:?}");
        }
        assert_eq!(backoff(0, 5.0), BACKOFF_BASE, "jitter is clamped");
        let samples: std::collections::HashSet<u64> = (0..20).map(|_| unit_random().to_bits()).collect();
        assert!(samples.len() > 1, "jitter varies");
        assert!((0..100).map(|_| unit_random()).all(|u| (0.0..1.0).contains(&u)));
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
        assert_eq!(
            parse_retry_after("18446744073709551615"),
            Some(Duration::from_secs(u64::MAX))
        );
    }
}
