//! Interoperability with PyJWT + cryptography, an independent implementation:
//! PyJWT verifies every golden vector, and we verify tokens PyJWT signed with
//! the reference's (fixed) Python sample.
//!
//! Needs a Python with PyJWT and cryptography: `$QCDN_PYTHON` (tests/run.sh
//! makes a virtualenv from tests/interop/requirements.txt), else `python3`.

use qencode_cdn::{Resource, Verifier, VerifyOptions};
use std::path::PathBuf;
use std::process::Command;

#[test]
fn pyjwt_verifies_our_vectors_and_we_verify_pyjwt_tokens() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = std::env::var("QCDN_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(&python)
        .arg(root.join("tests/interop/pyjwt_interop.py"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(
        out.status.success(),
        "PyJWT interop script failed (needs PyJWT + cryptography: `pip install -r tests/interop/requirements.txt`, \
         or run ./tests/run.sh which sets QCDN_PYTHON):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let vectors = serde_json::from_str::<serde_json::Value>(
        &std::fs::read_to_string(root.join("tests/vectors/tokens.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        doc["vectors_verified_by_pyjwt"],
        vectors["vectors"].as_array().unwrap().len()
    );
    let tokens = doc["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 4);
    for t in tokens {
        let key = std::fs::read(root.join(t["key_file"].as_str().unwrap())).unwrap();
        let uri = t["uri"].as_str().unwrap();
        let resource = if uri.contains('/') {
            Resource::storage(format!("{uri}seg-1.ts"))
        } else {
            Resource::live(uri)
        };
        let got = Verifier::from_public_key(&key)
            .unwrap()
            .verify(
                t["token"].as_str().unwrap(),
                &VerifyOptions::new().kid(t["kid"].as_str().unwrap()).resource(resource),
            )
            .unwrap_or_else(|e| panic!("PyJWT token refused: {e}"));
        assert_eq!(got.claims.uri, uri);
        assert!(got.claims.exp.is_some());
    }
}
