//! The Rust side of the C benchmark (`bench/c/run.sh`): the core's signing
//! rate and URL-build cost, measured exactly as `bench/c/bench_sign.c`
//! measures them through the C ABI (same key, options, batches).
//!
//! `cargo run --release -p qencode-cdn-ffi --example core_rate -- KEY.pem ROUNDS BATCH`
//! prints `sign_ns_min=… sign_ns_median=… url_ns_min=…`.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use qcdn::{SignOptions, Signer};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: core_rate KEY.pem ROUNDS BATCH");
        return ExitCode::from(2);
    }
    let (Ok(pem), Ok(rounds @ 1..), Ok(batch @ 1..)) = (
        std::fs::read(&args[1]),
        args[2].parse::<usize>(),
        args[3].parse::<usize>(),
    ) else {
        eprintln!("core_rate: bad arguments");
        return ExitCode::from(2);
    };
    let signer = match Signer::from_pem("ec25a6a6-b31e-4ac9-af01-711460421c6b", pem) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("core_rate: {e}");
            return ExitCode::FAILURE;
        }
    };
    let opts = SignOptions::new().now(1_700_000_000);
    let uri = "1f1ab6a3-d867-4787-b882-7f2fb1203634";
    for _ in 0..batch.min(20) {
        black_box(signer.sign(black_box(uri), &opts).ok());
    }
    let mut sign = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..batch {
            black_box(signer.sign(black_box(uri), &opts).ok());
        }
        sign.push(t.elapsed().as_nanos() as f64 / batch as f64);
    }
    let url_batch = 200_000;
    let mut url = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..url_batch {
            black_box(qcdn::live_playback_url(black_box("abc123"), None).ok());
        }
        url.push(t.elapsed().as_nanos() as f64 / url_batch as f64);
    }
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "sign_ns_min={:.0} sign_ns_median={:.0} url_ns_min={:.1}",
        min(&sign),
        median(sign.clone()),
        min(&url)
    );
    ExitCode::SUCCESS
}
