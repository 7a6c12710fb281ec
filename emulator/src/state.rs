//! The emulator's in-memory state: what the API has created, the fixtures
//! the admin API added, pending faults and counters.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{SystemTime, UNIX_EPOCH};

use qencode_cdn::Verifier;

use crate::{Counters, Fault};

/// How much state the emulator keeps, so that no client — a buggy test, a
/// fuzzer, a web page — can make it grow without bound. Requests over HTTP
/// (the management API and the admin API) that would go past a limit are
/// refused: `400` with `{"error": "…"}` naming the limit for a count or a
/// text length, `413` for stored bytes. Not `429`: these are not rates, and a
/// client's retry loop must not wait for them to pass. The in-process
/// methods ([`crate::Emulator::add_object`] and the others) are the test's own
/// code and are not limited. Domains have their own limit,
/// [`crate::EmulatorConfig::max_domains`]; request sizes are limited by the
/// HTTP parser ([`crate::http`]).
///
/// ```
/// use qencode_cdn_emulator::{EmulatorConfig, StateLimits};
/// let cfg = EmulatorConfig { limits: StateLimits { signing_keys: 3, ..Default::default() }, ..Default::default() };
/// assert_eq!(StateLimits::default().faults, 100);
/// # let _ = cfg;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateLimits {
    /// Signing keys at once (default 100).
    pub signing_keys: usize,
    /// TLS subscriptions at once (default 100).
    pub tls_subscriptions: usize,
    /// Buckets with a policy, CORS headers or objects (default 100).
    pub buckets: usize,
    /// Objects over all buckets (default 10 000).
    pub objects: usize,
    /// Bytes of object bodies over all buckets (default 256 MiB).
    pub object_bytes: usize,
    /// Live streams (default 1000).
    pub streams: usize,
    /// Storage custom domains mapped to a bucket (default 100).
    pub storage_domains: usize,
    /// Pending faults (default 100).
    pub faults: usize,
    /// Longest text kept: a signing key's name, a stream id, an object key, a
    /// CORS header value, a fault route (default 1024 bytes).
    pub text_len: usize,
    /// Distinct keys of [`crate::Counters::requests`] (default 1000); requests
    /// to further routes are counted under [`crate::OTHER_ROUTES`].
    pub counted_routes: usize,
}

impl Default for StateLimits {
    fn default() -> Self {
        StateLimits {
            signing_keys: 100,
            tls_subscriptions: 100,
            buckets: 100,
            objects: 10_000,
            object_bytes: 256 * 1024 * 1024,
            streams: 1000,
            storage_domains: 100,
            faults: 100,
            text_len: 1024,
            counted_routes: 1000,
        }
    }
}

/// A limit of [`StateLimits`] that a request would pass: its status (400 or
/// 413) and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OverLimit(pub u16, pub String);

impl OverLimit {
    fn count(what: &str, max: usize, field: &str) -> Self {
        OverLimit(
            400,
            format!(
                "the emulator keeps at most {max} {what}; delete some, reset, or raise EmulatorConfig.limits.{field}"
            ),
        )
    }
}

impl StateLimits {
    /// Refuses `text` (named `what`) when longer than [`StateLimits::text_len`].
    pub(crate) fn text(&self, what: &str, text: &str) -> Result<(), OverLimit> {
        if text.len() > self.text_len {
            return Err(OverLimit(
                400,
                format!(
                    "`{what}` is longer than the emulator's limit of {} bytes",
                    self.text_len
                ),
            ));
        }
        Ok(())
    }

    /// Refuses a new item when `len` items of a kind already exist.
    pub(crate) fn room(&self, len: usize, max: usize, what: &str, field: &str) -> Result<(), OverLimit> {
        if len >= max {
            return Err(OverLimit::count(what, max, field));
        }
        Ok(())
    }
}

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
    /// Stream ids whose edge serves the live media fixture.
    pub media_streams: BTreeSet<String>,
    pub faults: Vec<PendingFault>,
    pub counters: Counters,
}

impl State {
    /// Counts one request on `route` (a "METHOD /pattern" string); once
    /// `max_routes` routes are counted, new ones go under [`crate::OTHER_ROUTES`].
    pub fn count(&mut self, route: &str, max_routes: usize) {
        let requests = &mut self.counters.requests;
        let key = if requests.contains_key(route) || requests.len() < max_routes {
            route
        } else {
            crate::OTHER_ROUTES
        };
        *requests.entry(key.to_string()).or_insert(0) += 1;
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

    /// The bucket, created on first use (no limit: the in-process API).
    pub fn bucket(&mut self, name: &str) -> &mut Bucket {
        self.buckets.entry(name.to_string()).or_default()
    }

    /// The bucket, created on first use unless there are `limits.buckets` already.
    pub fn bucket_within(&mut self, name: &str, limits: &StateLimits) -> Result<&mut Bucket, OverLimit> {
        if !self.buckets.contains_key(name) {
            limits.room(self.buckets.len(), limits.buckets, "buckets", "buckets")?;
        }
        Ok(self.bucket(name))
    }

    /// Stores an object within the limits (a replaced object's bytes are not counted twice).
    pub fn put_object(
        &mut self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        limits: &StateLimits,
    ) -> Result<(), OverLimit> {
        limits.text("key", key)?;
        let (count, bytes) = self.buckets.values().fold((0usize, 0usize), |(c, b), bucket| {
            (
                c + bucket.objects.len(),
                b + bucket.objects.values().map(Vec::len).sum::<usize>(),
            )
        });
        let replaced = self.buckets.get(bucket).and_then(|b| b.objects.get(key)).map(Vec::len);
        if replaced.is_none() {
            limits.room(count, limits.objects, "objects", "objects")?;
        }
        let after = bytes - replaced.unwrap_or(0) + body.len();
        if after > limits.object_bytes {
            return Err(OverLimit(
                413,
                format!(
                    "the emulator stores at most {} bytes of objects; reset, or raise EmulatorConfig.limits.object_bytes",
                    limits.object_bytes
                ),
            ));
        }
        self.bucket_within(bucket, limits)?
            .objects
            .insert(key.to_string(), body);
        Ok(())
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
