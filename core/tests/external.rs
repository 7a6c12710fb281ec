//! External signers (`Signer::external`): the private key stays elsewhere,
//! the core assembles the token and verifies every signature before
//! returning one. A signer holding the same key gives byte-identical tokens;
//! a broken signer never gives a token.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::conformance::{LANGUAGE, load_cases};
use common::repo_root;
use qencode_cdn::{ErrorCode, ExternalSign, ExternalSignError, KeyStyle, SignOptions, Signer, Verifier, VerifyOptions};

fn local(file: &str, kid: &str) -> Signer {
    Signer::from_pem(kid, std::fs::read(repo_root().join("tests/keys").join(file)).unwrap()).unwrap()
}

/// A "KMS" backed by a local key: what a real remote signer returns.
struct Remote(Signer, Arc<AtomicUsize>);

impl ExternalSign for Remote {
    fn sign(&self, input: &[u8]) -> Result<Vec<u8>, ExternalSignError> {
        self.1.fetch_add(1, Ordering::SeqCst);
        Ok(self.0.sign_raw(input)?)
    }
    fn name(&self) -> String {
        "test remote signer".into()
    }
}

/// A signer that misbehaves in one of the ways the issue lists.
enum Broken {
    Fails,
    ShortSignature,
    Garbage,
    OtherKey(Signer),
    Panics,
    Hangs,
}

impl ExternalSign for Broken {
    fn sign(&self, input: &[u8]) -> Result<Vec<u8>, ExternalSignError> {
        match self {
            Broken::Fails => Err("KMS: AccessDeniedException: not allowed to use key alias/video".into()),
            Broken::ShortSignature => Ok(vec![1; 100]),
            Broken::Garbage => Ok(vec![7; 256]),
            Broken::OtherKey(s) => Ok(s.sign_raw(input)?),
            Broken::Panics => panic!("the signer's own bug"),
            Broken::Hangs => {
                std::thread::sleep(Duration::from_secs(5));
                Ok(vec![0; 256])
            }
        }
    }
    fn name(&self) -> String {
        "broken".into()
    }
}

#[test]
fn an_external_signer_gives_byte_identical_tokens_for_every_golden_case() {
    let calls = Arc::new(AtomicUsize::new(0));
    let mut checked = 0;
    for case in load_cases(LANGUAGE) {
        if case.op != "sign" || case.expect.get("token").is_none() {
            continue;
        }
        let key = std::fs::read(repo_root().join(case.input["signer"]["key"].as_str().unwrap())).unwrap();
        let kid = case.input["signer"]["kid"].as_str().unwrap();
        let inner = Signer::from_pem(kid, &key).unwrap();
        let external = Signer::external(kid, inner.public_key_pem().unwrap(), Remote(inner, calls.clone())).unwrap();
        let opts = SignOptions::from_json(&case.input["options"], KeyStyle::Snake).unwrap();
        let token = external.sign(case.input["uri"].as_str().unwrap(), &opts).unwrap();
        assert_eq!(token, case.expect["token"].as_str().unwrap(), "{}", case.name);
        checked += 1;
    }
    assert!(checked >= 30, "{checked}");
    assert_eq!(calls.load(Ordering::SeqCst), checked, "one external call per token");
}

#[test]
fn a_broken_signer_never_produces_a_token() {
    let good = local("rsa2048.pkcs1.pem", "k");
    let public = good.public_key_pem().unwrap();
    let cases: Vec<(Broken, ErrorCode, &str)> = vec![
        (Broken::Fails, ErrorCode::SignerFailed, "AccessDeniedException"),
        (Broken::ShortSignature, ErrorCode::SignerFailed, "100 bytes"),
        (Broken::Garbage, ErrorCode::SignerFailed, "does not verify"),
        (
            Broken::OtherKey(local("rsa4096-b.pkcs1.pem", "k")),
            ErrorCode::SignerFailed,
            "512 bytes",
        ),
        (Broken::Panics, ErrorCode::SignerFailed, "panicked"),
    ];
    for (broken, code, words) in cases {
        let s = Signer::external("k", &public, broken).unwrap();
        let e = s.sign("videos/a/", &SignOptions::new()).unwrap_err();
        assert_eq!(e.code(), code, "{e}");
        assert!(e.message().contains(words), "{e}");
        assert!(e.message().contains("broken"), "the error names the signer: {e}");
        // Every signing path refuses the same way.
        assert!(s.signed_live_url("abc", &SignOptions::new()).is_err());
        assert!(
            s.signed_cookie("videos/", &SignOptions::new(), &Default::default())
                .is_err()
        );
    }
    // Another key of the same size: the right length, the wrong signature.
    let other = local("rsa4096-b.pkcs1.pem", "k");
    let s = Signer::external(
        "k",
        local("rsa4096.pkcs1.pem", "k").public_key_pem().unwrap(),
        Broken::OtherKey(other),
    )
    .unwrap();
    let e = s.sign("videos/a/", &SignOptions::new()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SignerFailed);
    assert!(e.message().contains("does not verify"), "{e}");
}

#[test]
fn a_hanging_signer_times_out_and_no_token_is_made() {
    let public = local("rsa2048.pkcs1.pem", "k").public_key_pem().unwrap();
    let s = Signer::external_with_timeout("k", &public, Broken::Hangs, Duration::from_millis(300)).unwrap();
    let started = Instant::now();
    let e = s.sign("videos/a/", &SignOptions::new()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Timeout, "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the deadline held: {:?}",
        started.elapsed()
    );
    assert!(Signer::external_with_timeout("k", &public, Broken::Hangs, Duration::ZERO).is_err());
}

#[test]
fn external_signers_serve_many_threads_with_and_without_a_deadline() {
    let inner = local("rsa2048.pkcs1.pem", "k");
    let public = inner.public_key_pem().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let plain = Signer::external("k", &public, Remote(inner.clone(), calls.clone())).unwrap();
    let timed =
        Signer::external_with_timeout("k", &public, Remote(inner, calls.clone()), Duration::from_secs(30)).unwrap();
    let verifier = Verifier::from_signer(&plain).unwrap();
    std::thread::scope(|s| {
        for t in 0..16 {
            let (plain, timed, verifier) = (&plain, &timed, &verifier);
            s.spawn(move || {
                for i in 0..10 {
                    let signer = if i % 2 == 0 { plain } else { timed };
                    let uri = format!("videos/{t}/{i}/");
                    let token = signer.sign(&uri, &SignOptions::new()).unwrap();
                    assert_eq!(verifier.verify(&token, &VerifyOptions::new()).unwrap().claims.uri, uri);
                }
            });
        }
    });
    assert_eq!(calls.load(Ordering::SeqCst), 160);
}

#[test]
fn two_phase_signing_checks_the_signature_before_assembling() {
    let s = local("rsa2048.pkcs1.pem", "k");
    let opts = SignOptions::new().now(1_700_000_000);
    let prepared = s.prepare("abc", &opts).unwrap();
    let sig = s.sign_raw(prepared.signing_input().as_bytes()).unwrap();
    assert_eq!(prepared.clone().finish(&sig).unwrap(), s.sign("abc", &opts).unwrap());
    let e = prepared.clone().finish(&[0; 256]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SignerFailed);
    assert_eq!(prepared.finish(&sig[..10]).unwrap_err().code(), ErrorCode::SignerFailed);
    // finish from the text alone (the C ABI's form)
    let p = s.prepare("abc", &opts).unwrap();
    let sig = s.sign_raw(p.signing_input().as_bytes()).unwrap();
    assert_eq!(
        s.finish(p.signing_input(), &sig).unwrap(),
        s.sign("abc", &opts).unwrap()
    );
    let other = local("rsa4096.pkcs1.pem", "other");
    assert_eq!(
        other.finish(p.signing_input(), &sig).unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
    assert_eq!(s.finish("x.y", &sig).unwrap_err().code(), ErrorCode::InvalidArgument);
    // prepare applies the same checks as sign
    assert_eq!(s.prepare("/abs", &opts).unwrap_err().code(), ErrorCode::InvalidArgument);
    // …and works for an external signer whose private key is not here
    let external = Signer::external("k", s.public_key_pem().unwrap(), Broken::Fails).unwrap();
    let p = external.prepare("abc", &opts).unwrap();
    let sig = s.sign_raw(p.signing_input().as_bytes()).unwrap();
    assert_eq!(p.finish(&sig).unwrap(), s.sign("abc", &opts).unwrap());
}

#[test]
fn an_external_signer_needs_a_valid_public_key() {
    for bad in ["not a key", ""] {
        let e = Signer::external("k", bad, Broken::Fails).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidKey);
    }
    let small = std::fs::read(repo_root().join("tests/keys/rsa1024.pkcs1.pem")).unwrap();
    assert_eq!(
        Signer::external("k", small, Broken::Fails).unwrap_err().code(),
        ErrorCode::InvalidKey
    );
    let public = local("rsa2048.pkcs1.pem", "k").public_key_pem().unwrap();
    assert_eq!(
        Signer::external("", &public, Broken::Fails).unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
    assert!(format!("{:?}", Signer::external("k", &public, Broken::Fails).unwrap()).contains("broken"));
}
