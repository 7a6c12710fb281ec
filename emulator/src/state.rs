//! The emulator's in-memory state: what the API has created, the fixtures
//! the admin API added, pending faults and counters.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use qencode_cdn::Verifier;

use crate::{Counters, Fault};

/// A custom playback domain.
#[derive(Debug, Clone)]
pub(crate) struct Domain {
    pub id: String,
    pub name: String,
    /// `live` or `storage`.
    pub kind: String,
    pub created: String,
}

/// A TLS subscription.
#[derive(Debug, Clone)]
pub(crate) struct TlsSubscription {
    pub id: String,
    pub domain_id: String,
    pub created: String,
    pub message: String,
}

/// What a signing key protects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyTarget {
    Stream(String),
    Domain(String),
    Bucket(String),
}

/// A signing key. Only the public half is kept.
#[derive(Debug, Clone)]
pub(crate) struct SigningKey {
    pub id: String,
    pub name: Option<String>,
    pub created: String,
    pub target: KeyTarget,
    pub verifier: Verifier,
}

/// A bucket's access policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Policy {
    #[default]
    Public,
    Authenticated,
}

/// A media storage bucket (buckets exist implicitly, public by default).
#[derive(Debug, Clone, Default)]
pub(crate) struct Bucket {
    pub policy: Policy,
    pub cors: BTreeMap<String, String>,
    pub objects: BTreeMap<String, Vec<u8>>,
}

/// A fault still waiting for matching requests.
#[derive(Debug, Clone)]
pub(crate) struct PendingFault {
    pub fault: Fault,
    pub remaining: u32,
}

/// Everything the emulator remembers; [`State::default`] is the reset state.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub domains: Vec<Domain>,
    pub tls: Vec<TlsSubscription>,
    pub keys: Vec<SigningKey>,
    pub buckets: BTreeMap<String, Bucket>,
    /// stream id → playback id.
    pub streams: BTreeMap<String, String>,
    /// storage custom domain (lowercase) → bucket.
    pub domain_buckets: BTreeMap<String, String>,
    pub faults: Vec<PendingFault>,
    pub counters: Counters,
}

impl State {
    /// Counts one request on `route` (a "METHOD /pattern" string).
    pub fn count(&mut self, route: &str) {
        *self.counters.requests.entry(route.to_string()).or_insert(0) += 1;
    }

    /// Takes one use of the first pending fault that matches this request.
    pub fn take_fault(&mut self, method: &str, path: &str, route: &str) -> Option<Fault> {
        let i = self
            .faults
            .iter()
            .position(|f| f.remaining > 0 && route_matches(&f.fault.route, method, path, route))?;
        let pending = &mut self.faults[i];
        pending.remaining -= 1;
        let fault = pending.fault.clone();
        if pending.remaining == 0 {
            self.faults.remove(i);
        }
        Some(fault)
    }

    /// The bucket, created on first use.
    pub fn bucket(&mut self, name: &str) -> &mut Bucket {
        self.buckets.entry(name.to_string()).or_default()
    }

    /// The domain with this name (case-insensitive).
    pub fn domain_by_name(&self, name: &str) -> Option<&Domain> {
        self.domains.iter().find(|d| d.name.eq_ignore_ascii_case(name))
    }

    /// The stream id of a playback id.
    pub fn stream_of_playback(&self, playback_id: &str) -> Option<&str> {
        self.streams
            .iter()
            .find(|(_, p)| p.as_str() == playback_id)
            .map(|(s, _)| s.as_str())
    }

    /// The signing keys that protect `target`.
    pub fn keys_for(&self, target: &KeyTarget) -> Vec<&SigningKey> {
        self.keys.iter().filter(|k| &k.target == target).collect()
    }
}

/// Whether a fault's `route` selects this request.
///
/// `"*"` selects everything; otherwise `"METHOD PATH"` where METHOD may be
/// `*` and each `*` segment of PATH matches any one segment of the request
/// path. A route equal to the request's counter pattern also matches (that
/// is how edge routes such as `GET edge:storage` are selected).
pub(crate) fn route_matches(fault_route: &str, method: &str, path: &str, route: &str) -> bool {
    let fault_route = fault_route.trim();
    if fault_route == "*" || fault_route == route {
        return true;
    }
    let Some((m, p)) = fault_route.split_once(' ') else {
        return false;
    };
    if m != "*" && !m.eq_ignore_ascii_case(method) {
        return false;
    }
    let want: Vec<&str> = p.trim().trim_matches('/').split('/').collect();
    let got: Vec<&str> = path.trim_matches('/').split('/').collect();
    want.len() == got.len() && want.iter().zip(&got).all(|(w, g)| *w == "*" || w == g)
}

/// Now as Unix seconds.
pub(crate) fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Now as the API writes it: `YYYY-MM-DD HH:MM:SS` (UTC).
pub(crate) fn timestamp() -> String {
    let s = qencode_cdn::time::utc(now_unix());
    s.strip_suffix(" UTC").map(str::to_string).unwrap_or(s)
}

/// A fresh random UUIDv4 string.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_routes_match_by_method_and_segments() {
        assert!(route_matches("*", "GET", "/v1/domains", "GET /v1/domains"));
        assert!(route_matches(
            "GET /v1/domains/*",
            "GET",
            "/v1/domains/abc",
            "GET /v1/domains/*"
        ));
        assert!(!route_matches(
            "GET /v1/domains/*",
            "GET",
            "/v1/domains",
            "GET /v1/domains"
        ));
        assert!(!route_matches(
            "POST /v1/domains",
            "GET",
            "/v1/domains",
            "GET /v1/domains"
        ));
        assert!(route_matches(
            "* /v1/domains",
            "DELETE",
            "/v1/domains",
            "DELETE /v1/domains"
        ));
        assert!(route_matches("GET edge:storage", "GET", "/a/b", "GET edge:storage"));
    }

    #[test]
    fn timestamps_have_the_api_format() {
        let t = timestamp();
        assert_eq!(t.len(), 19, "{t}");
        assert_eq!(&t[4..5], "-");
        assert_eq!(&t[10..11], " ");
    }
}
