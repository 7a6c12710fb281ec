//! Issuance at scale, part two: not signing twice. A cached signer gives
//! every request for the same `uri`, claims and lifetime inside one window
//! the same token, whose `exp` is rounded **up** to the window boundary: it
//! is valid at least the asked lifetime and at most one window longer.
//!
//! ```
//! use qencode_cdn::{Signer, SignOptions};
//! use std::time::Duration;
//! # let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/rsa2048.pkcs1.pem")).unwrap();
//! let signer = Signer::from_pem("k", &pem)?.cached(Duration::from_secs(300))?;
//! let opts = SignOptions::new().expires_in(Duration::from_secs(3600));
//! let a = signer.sign("videos/intro/", &opts)?;
//! let b = signer.sign("videos/intro/", &opts)?; // the same window: no RSA signature
//! assert_eq!(a, b);
//! # Ok::<(), qencode_cdn::Error>(())
//! ```
//!
//! Trade-off: a window of W seconds means up to W seconds of extra validity
//! and one signature per `uri` per W seconds instead of one per request.
//! Never cached: tokens that never expire, and calls with a pinned clock
//! (`SignOptions::now`) unless the cache was asked to
//! ([`CacheSettings::cache_pinned_clock`]). Memory is bounded by a capacity
//! (entries, least recently used evicted first) in a sharded map with no
//! global lock on the hit path.

use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use quick_cache::Equivalent;
use quick_cache::sync::Cache;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::token::{Expiry, SignOptions, Signer};

/// Entries a cached signer keeps unless told otherwise.
pub const DEFAULT_CACHE_CAPACITY: usize = 100_000;

/// A cached token this close to its `exp` is not served again: it is signed
/// afresh (only tokens with an absolute `expires_at` can get that close).
pub const CACHE_SAFETY_MARGIN: Duration = Duration::from_secs(30);

/// How a cached signer behaves. Build with [`CacheSettings::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheSettings {
    /// The window: `exp` is rounded up to a multiple of it (whole seconds, at least 1).
    pub window: Duration,
    /// The most tokens kept.
    pub capacity: usize,
    /// Cache calls with a pinned clock (`SignOptions::now`) too: for tests.
    pub cache_pinned_clock: bool,
}

impl CacheSettings {
    /// A window, the default capacity, pinned-clock calls not cached.
    pub fn new(window: Duration) -> Self {
        CacheSettings {
            window,
            capacity: DEFAULT_CACHE_CAPACITY,
            cache_pinned_clock: false,
        }
    }

    fn check(&self) -> Result<u64> {
        let w = self.window.as_secs();
        if w == 0 || self.window.subsec_nanos() != 0 || w > 86_400 {
            return Err(Error::invalid_argument(format!(
                "the cache window must be whole seconds from 1 to 86400, got {:?}",
                self.window
            )));
        }
        if self.capacity == 0 {
            return Err(Error::invalid_argument("the cache capacity must be at least 1"));
        }
        Ok(w)
    }
}

/// What a token is cached under: everything that goes into its payload.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    uri: Box<str>,
    exp: i64,
    nbf: Option<i64>,
    claims: Box<str>,
}

/// The same key, borrowed: a hit allocates nothing for the key.
#[derive(Hash)]
struct KeyRef<'a> {
    uri: &'a str,
    exp: i64,
    nbf: Option<i64>,
    claims: &'a str,
}

impl Equivalent<Key> for KeyRef<'_> {
    fn equivalent(&self, k: &Key) -> bool {
        self.exp == k.exp && self.nbf == k.nbf && *self.uri == *k.uri && *self.claims == *k.claims
    }
}

// `Key` and `KeyRef` must hash alike: derive(Hash) on the same field order
// and types (`Box<str>` hashes as `str`) guarantees it; the test below checks.

pub(crate) struct TokenCache {
    settings: CacheSettings,
    window: i64,
    map: Cache<Key, Arc<str>>,
}

impl TokenCache {
    fn new(settings: CacheSettings) -> Result<Self> {
        let window = settings.check()? as i64;
        Ok(TokenCache {
            settings,
            window,
            map: Cache::new(settings.capacity),
        })
    }

    /// What these options mean for the cache: the key the token is kept
    /// under and the options with the rounded `exp` to sign it with. `None`
    /// when these options are never cached.
    fn plan(&self, signer: &Signer, opts: &SignOptions) -> Option<(i64, String, SignOptions)> {
        if opts.now_pinned().is_some() && !self.settings.cache_pinned_clock {
            return None;
        }
        let now = opts.now_pinned().unwrap_or_else(|| signer.now_unix());
        let exp = match opts.get_expiry() {
            Expiry::Never => return None,
            Expiry::At(at) => at,
            Expiry::In(secs) => {
                let asked = now.checked_add(i64::try_from(secs).ok()?)?;
                // Round up to the window: at least the asked lifetime, at most one window more.
                asked.checked_add(self.window - 1)? / self.window * self.window
            }
        };
        if exp.saturating_sub(now) < CACHE_SAFETY_MARGIN.as_secs() as i64 {
            return None;
        }
        let rounded = opts.clone().expiry(Expiry::At(exp)).now(now);
        Some((exp, claims_text(opts.claim_map()), rounded))
    }

    fn lookup(&self, uri: &str, exp: i64, nbf: Option<i64>, claims: &str) -> Option<String> {
        let key = KeyRef { uri, exp, nbf, claims };
        self.map.get(&key).map(|t| t.to_string())
    }

    fn remember(&self, uri: &str, exp: i64, nbf: Option<i64>, claims: String, token: &str) {
        self.map.insert(
            Key {
                uri: uri.into(),
                exp,
                nbf,
                claims: claims.into(),
            },
            Arc::from(token),
        );
    }

    /// The token for these options: from the cache, or `sign` with the
    /// rounded options and remembered. `None` when these options are never
    /// cached (the caller signs as usual).
    pub(crate) fn get_or_sign(&self, signer: &Signer, uri: &str, opts: &SignOptions) -> Option<Result<String>> {
        let (exp, claims, rounded) = self.plan(signer, opts)?;
        let nbf = opts.not_before_value();
        if let Some(token) = self.lookup(uri, exp, nbf, &claims) {
            return Some(Ok(token));
        }
        let token = match signer.sign_uncached(uri, &rounded) {
            Ok(t) => t,
            Err(e) => return Some(Err(e)),
        };
        self.remember(uri, exp, nbf, claims, &token);
        Some(Ok(token))
    }

    /// For the two-phase signature ([`Signer::prepare`]): the cached token if
    /// there is one, else the options to prepare and the key to remember the
    /// finished token under.
    pub(crate) fn prepare(&self, signer: &Signer, uri: &str, opts: &SignOptions) -> Option<Prepared> {
        let (exp, claims, rounded) = self.plan(signer, opts)?;
        let nbf = opts.not_before_value();
        Some(match self.lookup(uri, exp, nbf, &claims) {
            Some(token) => Prepared::Ready(token),
            None => Prepared::Sign {
                options: rounded,
                key: PendingKey {
                    uri: uri.to_string(),
                    exp,
                    nbf,
                    claims,
                },
            },
        })
    }

    /// Keeps a token finished from its text alone ([`Signer::finish`]): the
    /// key is read from its payload. Tokens without `exp` are not kept.
    pub(crate) fn remember_payload(&self, mut payload: Map<String, Value>, token: &str) {
        let (Some(Value::String(uri)), Some(exp)) =
            (payload.remove("uri"), payload.remove("exp").and_then(|e| e.as_i64()))
        else {
            return;
        };
        let nbf = payload.remove("nbf").and_then(|n| n.as_i64());
        self.remember(&uri, exp, nbf, claims_text(&payload), token);
    }

    /// Keeps a token finished in two phases.
    pub(crate) fn finish(&self, key: PendingKey, token: &str) {
        self.remember(&key.uri, key.exp, key.nbf, key.claims, token);
    }

    pub(crate) fn settings(&self) -> CacheSettings {
        self.settings
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }
}

/// What the cache says about a token about to be prepared.
pub(crate) enum Prepared {
    /// Already signed in this window.
    Ready(String),
    /// To sign with these (rounded) options, then remember under `key`.
    Sign { options: SignOptions, key: PendingKey },
}

/// The cache key of a token being signed in two phases.
#[derive(Debug, Clone)]
pub(crate) struct PendingKey {
    uri: String,
    exp: i64,
    nbf: Option<i64>,
    claims: String,
}

/// Claims as canonical JSON (serde_json's map is sorted): `""` for none.
fn claims_text(claims: &Map<String, Value>) -> String {
    if claims.is_empty() {
        String::new()
    } else {
        serde_json::to_string(claims).unwrap_or_default()
    }
}

/// A [`Signer`] whose tokens are cached ([`crate::cache`]). It is a
/// `Signer` (`Deref`): `sign`, the `signed_*` URLs and `signed_cookie` all go
/// through the cache. `Send + Sync`, cheap to clone (shared cache).
///
/// ```
/// use qencode_cdn::{CachedSigner, Signer};
/// use std::time::Duration;
/// # let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/rsa2048.pkcs1.pem")).unwrap();
/// let cached = CachedSigner::new(Signer::from_pem("k", &pem)?, Duration::from_secs(60))?;
/// let url = cached.signed_storage_url("my-bucket", "us-west", "videos/a.mp4", &Default::default())?;
/// # let _ = url;
/// # Ok::<(), qencode_cdn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct CachedSigner(Signer);

impl CachedSigner {
    /// `signer` with a cache of `window` (whole seconds) and the default capacity.
    pub fn new(signer: Signer, window: Duration) -> Result<Self> {
        Self::with_settings(signer, CacheSettings::new(window))
    }

    /// `signer` with a cache as `settings` say.
    pub fn with_settings(signer: Signer, settings: CacheSettings) -> Result<Self> {
        Ok(CachedSigner(signer.with_cache(Arc::new(TokenCache::new(settings)?))))
    }

    /// The signer (with the cache) as a plain [`Signer`] value.
    pub fn into_signer(self) -> Signer {
        self.0
    }
}

impl std::ops::Deref for CachedSigner {
    type Target = Signer;
    fn deref(&self) -> &Signer {
        &self.0
    }
}

impl Signer {
    /// This signer with a token cache of `window` (see [`crate::cache`]); the
    /// form the bindings use (`signer.cached(window=…)`).
    pub fn cached(&self, window: Duration) -> Result<Signer> {
        self.cached_with(CacheSettings::new(window))
    }

    /// This signer with a token cache as `settings` say.
    pub fn cached_with(&self, settings: CacheSettings) -> Result<Signer> {
        Ok(self.with_cache(Arc::new(TokenCache::new(settings)?)))
    }

    /// The cache settings, when this signer caches.
    pub fn cache_settings(&self) -> Option<CacheSettings> {
        self.cache_ref().map(TokenCache::settings)
    }

    /// How many tokens the cache holds now (0 without a cache).
    pub fn cached_tokens(&self) -> usize {
        self.cache_ref().map_or(0, TokenCache::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;
    use std::hash::Hasher;

    #[test]
    fn a_key_and_its_borrowed_form_hash_alike() {
        let hash = |h: &dyn Fn(&mut DefaultHasher)| {
            let mut s = DefaultHasher::new();
            h(&mut s);
            s.finish()
        };
        let k = Key {
            uri: "videos/".into(),
            exp: 5,
            nbf: Some(1),
            claims: "{}".into(),
        };
        let r = KeyRef {
            uri: "videos/",
            exp: 5,
            nbf: Some(1),
            claims: "{}",
        };
        assert_eq!(hash(&|s| k.hash(s)), hash(&|s| r.hash(s)));
        assert!(r.equivalent(&k));
    }

    #[test]
    fn windows_must_be_whole_seconds_and_capacity_positive() {
        for w in [Duration::ZERO, Duration::from_millis(1500), Duration::from_secs(86_401)] {
            assert!(CacheSettings::new(w).check().is_err(), "{w:?}");
        }
        let mut s = CacheSettings::new(Duration::from_secs(60));
        s.capacity = 0;
        assert!(s.check().is_err());
    }
}
