//! Issuance at scale: `sign_many` on every core, and the cached signer
//! (same window → same token, rounded-up exp, bounded, thread-safe).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::time::Duration;

use common::repo_root;
use proptest::prelude::*;
use qencode_cdn::{
    CacheSettings, CachedSigner, Clock, ErrorCode, ExternalSign, ExternalSignError, SignOptions, Signer, Verifier,
    VerifyOptions, decode_unverified,
};

fn local() -> Signer {
    Signer::from_pem(
        "k",
        std::fs::read(repo_root().join("tests/keys/rsa2048.pkcs1.pem")).unwrap(),
    )
    .unwrap()
}

/// A clock the test moves.
#[derive(Clone)]
struct TestClock(Arc<AtomicI64>);
impl Clock for TestClock {
    fn now_unix(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Counts RSA signatures: an external signer backed by the local key.
struct Counting(Signer, Arc<AtomicUsize>);
impl ExternalSign for Counting {
    fn sign(&self, input: &[u8]) -> Result<Vec<u8>, ExternalSignError> {
        self.1.fetch_add(1, Ordering::SeqCst);
        Ok(self.0.sign_raw(input)?)
    }
}

fn counted(now: i64) -> (Signer, Arc<AtomicUsize>, Arc<AtomicI64>) {
    let inner = local();
    let calls = Arc::new(AtomicUsize::new(0));
    let clock = Arc::new(AtomicI64::new(now));
    let s = Signer::external("k", inner.public_key_pem().unwrap(), Counting(inner, calls.clone()))
        .unwrap()
        .with_clock(TestClock(clock.clone()));
    (s, calls, clock)
}

fn exp_of(token: &str) -> i64 {
    decode_unverified(token).unwrap().1.exp.unwrap()
}

#[test]
fn sign_many_keeps_order_gives_each_item_its_result_and_equals_sign() {
    let s = local();
    let o = SignOptions::new().now(1_700_000_000);
    let items: Vec<(String, SignOptions)> = (0..40)
        .map(|i| {
            if i % 7 == 3 {
                (format!("/bad/{i}"), o.clone())
            } else if i % 11 == 5 {
                (format!("videos/{i}/"), o.clone().expires_in(Duration::ZERO))
            } else {
                (format!("videos/{i}/"), o.clone().claim("n", i))
            }
        })
        .collect();
    for threads in [1, 2, 4, 16] {
        let got = s.sign_many_with_threads(&items, threads);
        assert_eq!(got.len(), items.len());
        for ((uri, opts), r) in items.iter().zip(&got) {
            match s.sign(uri, opts) {
                Ok(want) => assert_eq!(r.as_ref().unwrap(), &want, "{uri} on {threads} threads"),
                Err(want) => assert_eq!(r.as_ref().unwrap_err().code(), want.code(), "{uri}"),
            }
        }
        assert!(got[3].as_ref().unwrap_err().code() == ErrorCode::InvalidArgument);
    }
    assert!(s.sign_many::<&str>(&[]).is_empty());
    assert!(s.sign_many_with_threads(&items[..1], 0)[0].is_ok(), "0 threads means 1");
}

#[test]
fn the_same_window_gives_the_same_token_and_the_next_window_a_new_one() {
    let (s, calls, clock) = counted(1_700_000_000);
    let s = s.cached(Duration::from_secs(300)).unwrap();
    let o = SignOptions::new().expires_in(Duration::from_secs(3600));
    let a = s.sign("videos/a/", &o).unwrap();
    clock.fetch_add(100, Ordering::SeqCst);
    let b = s.sign("videos/a/", &o).unwrap();
    assert_eq!(a, b, "inside one window");
    assert_eq!(calls.load(Ordering::SeqCst), 1, "one RSA signature for both");
    // exp is the asked exp rounded up to a multiple of the window
    assert_eq!(
        exp_of(&a),
        1_700_003_700,
        "1 700 003 600 rounded up to a multiple of 300"
    );
    clock.fetch_add(300, Ordering::SeqCst);
    let c = s.sign("videos/a/", &o).unwrap();
    assert_ne!(a, c, "the next window");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    // other claims, another uri, another lifetime: other tokens
    let d = s.sign("videos/a/", &o.clone().claim("viewer", "u-1")).unwrap();
    let e = s.sign("videos/b/", &o).unwrap();
    let f = s
        .sign("videos/a/", &SignOptions::new().expires_in(Duration::from_secs(7200)))
        .unwrap();
    assert!(d != c && e != c && f != c);
    assert_eq!(calls.load(Ordering::SeqCst), 5);
    // URLs and cookies go through the cache too
    let u1 = s.signed_storage_url("my-bucket", "us-west", "videos/a/", &o).unwrap();
    assert!(u1.ends_with(&c), "the storage URL reuses the cached token");
    let cookie = s.signed_cookie("videos/a/", &o, &Default::default()).unwrap();
    assert_eq!(cookie.value, c);
    assert_eq!(
        cookie.max_age,
        Some(exp_of(&c) - clock.load(Ordering::SeqCst)),
        "Max-Age follows the rounded exp"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 5);
}

#[test]
fn never_expiring_and_pinned_clock_tokens_are_not_cached_unless_asked() {
    let (s, calls, _) = counted(1_700_000_000);
    let cached = s.cached(Duration::from_secs(60)).unwrap();
    for _ in 0..3 {
        cached.sign("x", &SignOptions::new().never_expires()).unwrap();
        cached.sign("y", &SignOptions::new().now(1_700_000_000)).unwrap();
    }
    assert_eq!(calls.load(Ordering::SeqCst), 6, "nothing cached");
    let mut settings = CacheSettings::new(Duration::from_secs(60));
    settings.cache_pinned_clock = true;
    let pinned = s.cached_with(settings).unwrap();
    let a = pinned.sign("y", &SignOptions::new().now(1_700_000_000)).unwrap();
    let b = pinned.sign("y", &SignOptions::new().now(1_700_000_010)).unwrap();
    assert_eq!(a, b);
    assert_eq!(calls.load(Ordering::SeqCst), 7);
}

#[test]
fn two_phase_signing_goes_through_the_cache_too() {
    // An asynchronous external signer (a KMS call awaited elsewhere) behind
    // a cache: the first prepare needs a signature, later ones in the window
    // are ready at once; the text-only finish (the C ABI's) fills it too.
    let (s, calls, clock) = counted(1_700_000_000);
    let local = local();
    let cached = s.cached(Duration::from_secs(300)).unwrap();
    let o = SignOptions::new().expires_in(Duration::from_secs(3600));
    let p = cached.prepare("videos/a/", &o).unwrap();
    assert!(p.ready().is_none());
    let sig = local.sign_raw(p.signing_input().as_bytes()).unwrap();
    let first = p.finish(&sig).unwrap();
    assert_eq!(exp_of(&first), 1_700_003_700, "the window's rounded exp");
    clock.fetch_add(60, Ordering::SeqCst);
    let again = cached.prepare("videos/a/", &o).unwrap();
    assert_eq!(again.ready(), Some(first.as_str()));
    assert_eq!(
        cached.sign("videos/a/", &o).unwrap(),
        first,
        "sign finds what finish kept"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0, "the external signer was never called");
    let p2 = cached.prepare("videos/b/", &o).unwrap();
    let sig2 = local.sign_raw(p2.signing_input().as_bytes()).unwrap();
    let second = cached.finish(p2.signing_input(), &sig2).unwrap();
    assert_eq!(cached.prepare("videos/b/", &o).unwrap().ready(), Some(second.as_str()));
}

#[test]
fn the_capacity_bounds_memory() {
    let mut settings = CacheSettings::new(Duration::from_secs(300));
    settings.capacity = 64;
    let s = CachedSigner::with_settings(local(), settings).unwrap();
    for i in 0..500 {
        s.sign(&format!("videos/{i}/"), &SignOptions::new()).unwrap();
    }
    assert!(s.cached_tokens() <= 64 + 64 / 8, "{} entries", s.cached_tokens());
    assert!(s.cached_tokens() > 0);
    assert!(CachedSigner::new(local(), Duration::from_millis(500)).is_err());
}

#[test]
fn sixteen_threads_hammering_the_cache_never_see_a_wrong_token() {
    let s = local().cached(Duration::from_secs(300)).unwrap();
    let v = Verifier::from_signer(&s).unwrap();
    std::thread::scope(|scope| {
        for t in 0..16 {
            let (s, v) = (&s, &v);
            scope.spawn(move || {
                for i in 0..400 {
                    let uri = format!("videos/{}/", (i * 7 + t) % 23);
                    let token = s.sign(&uri, &SignOptions::new()).unwrap();
                    let claims = v.verify(&token, &VerifyOptions::new()).unwrap().claims;
                    assert_eq!(claims.uri, uri, "a token for another uri");
                }
            });
        }
    });
    assert!(s.cached_tokens() >= 23);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn every_cached_token_verifies_and_its_exp_is_within_one_window(
        now in 1_600_000_000i64..2_000_000_000,
        ttl in 1u64..200_000,
        window in 1u64..3600,
        uri in "[a-z]{1,8}/",
    ) {
        let clock = Arc::new(AtomicI64::new(now));
        let s = local().with_clock(TestClock(clock)).cached(Duration::from_secs(window)).unwrap();
        let token = s.sign(&uri, &SignOptions::new().expires_in(Duration::from_secs(ttl))).unwrap();
        let exp = exp_of(&token);
        let asked = now + ttl as i64;
        prop_assert!(asked <= exp && exp <= asked + window as i64, "asked {} got {}", asked, exp);
        prop_assert_eq!(exp % window as i64, 0);
        let v = Verifier::from_signer(&s).unwrap();
        prop_assert_eq!(v.verify(&token, &VerifyOptions::new().now(now)).unwrap().claims.uri, uri);
    }
}
