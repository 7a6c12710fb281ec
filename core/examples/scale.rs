//! Issuance at scale, measured (issue 18; `bench/scale/run.sh` runs it with
//! the Python and Node counterparts in one go). Prints one JSON object:
//!
//! - `single`: RS256 tokens/s on one thread (RSA-4096 test key);
//! - `many`: tokens/s of `sign_many` on every core, and its ratio to
//!   `cores × single` (target ≥ 0.9);
//! - `cache_hits`: tokens/s a cached signer answers from its cache on one
//!   thread (target ≥ 1 000 000);
//! - `zipf`: a simulated stream of requests — Zipf-distributed uris over
//!   10 000 videos, 1-hour tokens, a 5-minute window — its RSA signatures per
//!   request and its speed-up over signing every request.
//!
//! `cargo run --release -p qencode-cdn --example scale -- [SECONDS] [ZIPF_REQUESTS]`

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use qencode_cdn::{Clock, SignOptions, Signer};

struct SimClock(Arc<AtomicI64>);
impl Clock for SimClock {
    fn now_unix(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

fn key() -> Signer {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/rsa4096.pkcs1.pem");
    Signer::from_pem("bench-key", std::fs::read(path).expect("the test key")).expect("a key")
}

/// Runs `f` repeatedly for about `secs`, returning calls per second.
fn rate(secs: f64, mut f: impl FnMut() -> usize) -> f64 {
    let start = Instant::now();
    let mut n = 0;
    while start.elapsed().as_secs_f64() < secs {
        n += f();
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// A small deterministic generator (xorshift64*): the bench needs no `rand`.
struct Rng(u64);
impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Zipf(s) over 0..n by inverse CDF.
fn zipf_cdf(n: usize, s: f64) -> Vec<f64> {
    let mut cdf: Vec<f64> = (1..=n).map(|k| 1.0 / (k as f64).powf(s)).collect();
    let total: f64 = cdf.iter().sum();
    let mut acc = 0.0;
    for c in &mut cdf {
        acc += *c / total;
        *c = acc;
    }
    cdf
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let secs: f64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let zipf_requests: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(300_000);
    let signer = key();
    let opts = SignOptions::new().expires_in(Duration::from_secs(3600));
    let cores = qencode_cdn::default_threads();

    // One core, then every core, interleaved twice; the best of each.
    let mut single: f64 = 0.0;
    let mut many: f64 = 0.0;
    let batch: Vec<(String, SignOptions)> = (0..cores * 16)
        .map(|i| (format!("videos/{i}/"), opts.clone()))
        .collect();
    for _ in 0..2 {
        single = single.max(rate(secs, || {
            signer.sign("videos/a/", &opts).expect("signs");
            1
        }));
        many = many.max(rate(secs, || {
            let r = signer.sign_many(&batch);
            assert!(r.iter().all(Result::is_ok));
            r.len()
        }));
    }

    // Cache hits: the same uri again and again on one thread.
    let cached = signer.cached(Duration::from_secs(300)).expect("a cache");
    cached.sign("videos/hot/", &opts).expect("signs");
    let hits = rate(secs.min(2.0), || {
        for _ in 0..1000 {
            std::hint::black_box(cached.sign("videos/hot/", &opts).expect("a hit"));
        }
        1000
    });

    // The realistic mix: a simulated clock, 1000 requests a second of
    // simulated time, Zipf(1.0) over 10 000 videos.
    let clock = Arc::new(AtomicI64::new(1_700_000_000));
    let mix = signer
        .with_clock(SimClock(clock.clone()))
        .cached(Duration::from_secs(300))
        .expect("a cache");
    let cdf = zipf_cdf(10_000, 1.0);
    let uris: Vec<String> = (0..10_000).map(|i| format!("videos/{i}/")).collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut signatures = 0usize;
    let start = Instant::now();
    for i in 0..zipf_requests {
        if i % 1000 == 0 {
            clock.fetch_add(1, Ordering::Relaxed);
        }
        let u = rng.next_f64();
        let video = cdf.partition_point(|c| *c < u).min(9_999);
        let n_before = mix.cached_tokens();
        std::hint::black_box(mix.sign(&uris[video], &opts).expect("signs"));
        if mix.cached_tokens() != n_before {
            signatures += 1;
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let plain_time = zipf_requests as f64 / single;
    let out = serde_json::json!({
        "language": "rust",
        "key_bits": 4096,
        "cores": cores,
        "single": single.round(),
        "many": many.round(),
        "many_ratio": (many / (cores as f64 * single) * 1000.0).round() / 1000.0,
        "cache_hits": hits.round(),
        "zipf": {
            "requests": zipf_requests,
            "simulated_seconds": zipf_requests / 1000,
            "signatures": signatures,
            "signatures_per_request": (signatures as f64 / zipf_requests as f64 * 10000.0).round() / 10000.0,
            "seconds": (elapsed * 100.0).round() / 100.0,
            "speedup_over_plain": (plain_time / elapsed * 10.0).round() / 10.0,
        },
    });
    println!("{out}");
}
