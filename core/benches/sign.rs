//! Signing at the hardware limit: our `Signer::sign` against a bare aws-lc-rs
//! RSA PKCS#1 v1.5 SHA-256 signature with a pre-parsed key of the same size,
//! in one run; prints the ratio (target ≥ 0.95). Also: verify, key load, URL build.
//!
//! `taskset -c 0 cargo bench -p qencode-cdn --bench sign`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group};
use qencode_cdn::{SignOptions, Signer, Verifier, VerifyOptions};

const KEYS: [(&str, &str); 2] = [
    ("2048", include_str!("../../tests/keys/rsa2048.pkcs1.pem")),
    ("4096", include_str!("../../tests/keys/rsa4096.pkcs1.pem")),
];

fn der_of(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).unwrap()
}

fn sign(c: &mut Criterion) {
    for (bits, pem) in KEYS {
        let mut g = c.benchmark_group(format!("sign-{bits}"));
        g.sample_size(30).measurement_time(Duration::from_secs(4));
        let signer = Signer::from_pem("ec25a6a6-b31e-4ac9-af01-711460421c6b", pem).unwrap();
        let opts = SignOptions::new().expires_in(Duration::from_secs(600));
        g.bench_function("qencode-cdn", |b| {
            b.iter(|| {
                signer
                    .sign(black_box("1f1ab6a3-d867-4787-b882-7f2fb1203634"), &opts)
                    .unwrap()
            })
        });
        // the limit: one RSA signature over a message of the same length, pre-parsed key
        let pair = aws_lc_rs::signature::RsaKeyPair::from_der(&der_of(pem)).unwrap();
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let msg = vec![b'a'; 160];
        let mut sig = vec![0u8; pair.public_modulus_len()];
        g.bench_function("bare-aws-lc-rs", |b| {
            b.iter(|| {
                pair.sign(&aws_lc_rs::signature::RSA_PKCS1_SHA256, &rng, black_box(&msg), &mut sig)
                    .unwrap()
            })
        });
        g.finish();
    }
}

fn other(c: &mut Criterion) {
    let (_, pem) = KEYS[1];
    let signer = Signer::from_pem("k", pem).unwrap();
    let verifier = Verifier::from_signer(&signer).unwrap();
    let token = signer.sign("videos/a/", &SignOptions::new()).unwrap();
    let mut g = c.benchmark_group("misc");
    g.sample_size(30).measurement_time(Duration::from_secs(3));
    g.bench_function("verify-4096", |b| {
        b.iter(|| verifier.verify(black_box(&token), &VerifyOptions::new()).unwrap())
    });
    g.bench_function("key-load-4096", |b| {
        b.iter(|| Signer::from_pem("k", black_box(pem)).unwrap())
    });
    g.bench_function("storage-url", |b| {
        b.iter(|| {
            qencode_cdn::storage_url("my-bucket", "us-west", black_box("videos/a b/intro.mp4"), Some(&token)).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, sign, other);

fn mean_ns(group: &str, id: &str) -> Option<f64> {
    let dir =
        std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target").into());
    let path = format!("{dir}/criterion/{group}/{id}/new/estimates.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    v["mean"]["point_estimate"].as_f64()
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    println!("\n== signing rate against the bare aws-lc-rs limit (same run) ==");
    for (bits, _) in KEYS {
        let group = format!("sign-{bits}");
        if let (Some(ours), Some(bare)) = (mean_ns(&group, "qencode-cdn"), mean_ns(&group, "bare-aws-lc-rs")) {
            println!(
                "RSA-{bits}: qencode-cdn {:>7.0}/s, bare aws-lc-rs {:>7.0}/s, ratio {:.3} (target >= 0.95)",
                1e9 / ours,
                1e9 / bare,
                bare / ours
            );
        }
    }
}
