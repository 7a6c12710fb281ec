//! Both crypto backends give byte-identical tokens on every conformance case and
//! verify each other's signatures. Run with `--features rust-crypto`.
#![cfg(all(feature = "aws-lc", feature = "rust-crypto"))]

mod common;

use common::*;
use qencode_cdn::{Backend, SignOptions, Signer, Verifier, VerifyOptions};

#[test]
fn rust_crypto_passes_every_conformance_case() {
    // The same runner as tests/conformance.rs, with the pure-Rust backend
    // for every signer and verifier: byte-identical tokens, same verdicts.
    let cases = conformance::load_cases(conformance::LANGUAGE);
    let mut runner = conformance::Runner::new(Backend::RustCrypto);
    let mut failures = Vec::new();
    for case in cases.iter().filter(|c| c.skip.is_none()) {
        if let Err(why) = conformance::check(case, &runner.produce(case)) {
            failures.push(format!("{}: {why}", case.name));
        }
    }
    assert!(failures.is_empty(), "rust-crypto differs:\n{}", failures.join("\n"));
}

#[test]
fn each_backend_verifies_the_other() {
    let pem = std::fs::read(repo_root().join("tests/keys/rsa2048.pkcs1.pem")).unwrap();
    let aws = Signer::with_backend("k", &pem, Backend::AwsLc).unwrap();
    let rc = Signer::with_backend("k", &pem, Backend::RustCrypto).unwrap();
    let opts = SignOptions::new().now(1_700_000_000);
    let t = rc.sign("abc", &opts).unwrap();
    assert_eq!(t, aws.sign("abc", &opts).unwrap());
    for backend in [Backend::AwsLc, Backend::RustCrypto] {
        let v = Verifier::from_public_key_with_backend(&pem, backend).unwrap();
        v.verify(&t, &VerifyOptions::new().now(1_700_000_000)).unwrap();
        let mut bad = t.clone().into_bytes();
        let n = bad.len();
        bad[n - 5] = if bad[n - 5] == b'A' { b'B' } else { b'A' };
        let bad = String::from_utf8(bad).unwrap();
        assert_eq!(
            v.verify(&bad, &VerifyOptions::new().now(1_700_000_000))
                .unwrap_err()
                .code(),
            qencode_cdn::ErrorCode::InvalidSignature
        );
    }
}
