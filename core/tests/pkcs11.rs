//! PKCS#11 against a real HSM implementation, SoftHSM2 (Debian `softhsm2`):
//! a token is initialised in a temporary folder, the test keys are imported,
//! and the HSM signs every golden token of the conformance cases byte for
//! byte as the local key does. Wrong PIN, missing key, missing token and a
//! token removed while in use each give their code. Run with
//! `--features softhsm-tests` (the Rust suite does, after `.ci/run` installs
//! softhsm2); the `pkcs11` feature alone, which the bindings turn on, does not
//! run them, so `cargo test --workspace` needs no HSM.
#![cfg(feature = "softhsm-tests")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::conformance::{LANGUAGE, load_cases};
use common::repo_root;
use qencode_cdn::{ErrorCode, SignOptions, Signer, Verifier, VerifyOptions};

const PIN: &str = "1234";
const TOKEN: &str = "qcdn-test";
/// A second token, deleted by the test of a token removed while in use.
const REMOVABLE: &str = "removable";
/// A third token nobody logs into, for the wrong-PIN test (PKCS#11 login is
/// per token and process: once logged in, another C_Login is not checked).
const LOCKED: &str = "locked";

fn module() -> PathBuf {
    std::env::var_os("QCDN_SOFTHSM_MODULE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/lib/softhsm/libsofthsm2.so"))
}

fn softhsm(conf: &Path, args: &[&str]) {
    let out = Command::new("softhsm2-util")
        .env("SOFTHSM2_CONF", conf)
        .args(args)
        .output()
        .expect("softhsm2-util runs (apt-get install softhsm2)");
    assert!(
        out.status.success(),
        "softhsm2-util {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One SoftHSM configuration for this test binary, with the token
/// `qcdn-test` holding `rsa2048` (label `video-key`) and `rsa4096` (`video-key-4096`).
fn hsm() -> &'static Path {
    static CONF: OnceLock<PathBuf> = OnceLock::new();
    CONF.get_or_init(|| {
        assert!(module().exists(), "SoftHSM2 is not installed at {}", module().display());
        let dir = std::env::temp_dir().join(format!("qcdn-softhsm-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("tokens")).unwrap();
        let conf = dir.join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                dir.join("tokens").display()
            ),
        )
        .unwrap();
        // SAFETY: set once, before any PKCS#11 module is loaded in this process.
        unsafe { std::env::set_var("SOFTHSM2_CONF", &conf) };
        for token in [TOKEN, REMOVABLE, LOCKED] {
            softhsm(
                &conf,
                &[
                    "--init-token",
                    "--free",
                    "--label",
                    token,
                    "--pin",
                    PIN,
                    "--so-pin",
                    "5678",
                ],
            );
        }
        for (token, file, label, id) in [
            (TOKEN, "rsa2048.pkcs8.pem", "video-key", "01"),
            (TOKEN, "rsa4096.pkcs8.pem", "video-key-4096", "02"),
            (REMOVABLE, "rsa2048.pkcs8.pem", "k", "03"),
            (LOCKED, "rsa2048.pkcs8.pem", "k", "04"),
        ] {
            let key = repo_root().join("tests/keys").join(file);
            softhsm(
                &conf,
                &[
                    "--import",
                    key.to_str().unwrap(),
                    "--token",
                    token,
                    "--label",
                    label,
                    "--id",
                    id,
                    "--pin",
                    PIN,
                ],
            );
        }
        conf
    })
}

fn hsm_signer(label: &str, kid: &str) -> Signer {
    hsm();
    Signer::from_pkcs11(module(), TOKEN, label, PIN, kid).unwrap_or_else(|e| panic!("{label}: {e}"))
}

#[test]
fn the_hsm_signs_every_golden_token_byte_for_byte() {
    let mut checked = 0;
    for case in load_cases(LANGUAGE) {
        if case.op != "sign" || case.expect.get("token").is_none() {
            continue;
        }
        let key = case.input["signer"]["key"].as_str().unwrap_or("");
        let label = if key.starts_with("tests/keys/rsa2048.") {
            "video-key"
        } else if key.starts_with("tests/keys/rsa4096.") {
            "video-key-4096"
        } else {
            continue;
        };
        let signer = hsm_signer(label, case.input["signer"]["kid"].as_str().unwrap());
        assert!(signer.is_external());
        let opts = SignOptions::from_json(&case.input["options"], qencode_cdn::KeyStyle::Snake).unwrap();
        let token = signer.sign(case.input["uri"].as_str().unwrap(), &opts).unwrap();
        assert_eq!(token, case.expect["token"].as_str().unwrap(), "{}", case.name);
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} golden tokens went through the HSM");
}

#[test]
fn hsm_signers_serve_many_threads() {
    let signer = hsm_signer("video-key", "key-1");
    let verifier = Verifier::from_signer(&signer).unwrap();
    std::thread::scope(|s| {
        for t in 0..8 {
            let (signer, verifier) = (&signer, &verifier);
            s.spawn(move || {
                for i in 0..10 {
                    let token = signer.sign(&format!("videos/{t}/{i}/"), &SignOptions::new()).unwrap();
                    verifier.verify(&token, &VerifyOptions::new()).unwrap();
                }
            });
        }
    });
}

#[test]
fn a_wrong_pin_a_missing_key_and_a_missing_token_are_invalid_key() {
    hsm();
    let cases = [
        (Signer::from_pkcs11(module(), LOCKED, "k", "0000", "k"), "wrong PIN"),
        (
            Signer::from_pkcs11(module(), TOKEN, "no-such-key", PIN, "k"),
            "no private key",
        ),
        (
            Signer::from_pkcs11(module(), "no-such-token", "video-key", PIN, "k"),
            "no token",
        ),
        (
            Signer::from_pkcs11("/no/such/module.so", TOKEN, "video-key", PIN, "k"),
            "cannot load",
        ),
    ];
    for (result, words) in cases {
        let e = result.unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidKey, "{e}");
        assert!(e.message().contains(words), "{e}");
        assert!(
            !e.message().contains(PIN) || words == "wrong PIN" && !e.message().contains("0000"),
            "{e}"
        );
    }
}

#[test]
fn a_token_removed_while_in_use_fails_signing_with_signer_failed() {
    let conf = hsm();
    let signer = Signer::from_pkcs11(module(), REMOVABLE, "k", PIN, "key-1").unwrap();
    signer.sign("abc", &SignOptions::new()).unwrap();
    softhsm(conf, &["--delete-token", "--token", REMOVABLE]);
    let e = signer.sign("abc", &SignOptions::new()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SignerFailed, "{e}");
    assert!(e.message().contains("removable"), "{e}");
}
