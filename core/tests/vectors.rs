//! Golden vectors: regenerates tests/vectors/tokens.json from inputs.json and
//! fails on any difference (`QCDN_REGENERATE=1` rewrites it instead).

mod common;

use common::*;
use qencode_cdn::{Backend, ErrorCode, Verifier, VerifyOptions};
use serde_json::Value;

#[test]
fn tokens_json_matches_what_the_signer_produces() {
    let want = serde_json::to_string_pretty(&generate(Backend::default())).unwrap() + "\n";
    let path = repo_root().join("tests/vectors/tokens.json");
    if std::env::var_os("QCDN_REGENERATE").is_some() {
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, &want).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap();
    assert!(
        have == want,
        "tests/vectors/tokens.json is stale; run `QCDN_REGENERATE=1 cargo test -p qencode-cdn --test vectors` and review the diff"
    );
}

#[test]
fn every_vector_verifies_and_carries_exactly_its_claims() {
    let doc = read_json("tests/vectors/tokens.json");
    for v in doc["vectors"].as_array().unwrap() {
        let key = std::fs::read(repo_root().join(v["key_file"].as_str().unwrap())).unwrap();
        let verifier = Verifier::from_public_key(&key).unwrap();
        let now = v["now"].as_i64().unwrap();
        let o = &v["options"];
        // verify at a time inside the validity window
        let at = o
            .get("not_before")
            .and_then(Value::as_i64)
            .map_or(now, |nbf| nbf.max(now));
        let got = verifier
            .verify(
                v["token"].as_str().unwrap(),
                &VerifyOptions::new().kid(v["kid"].as_str().unwrap()).now(at),
            )
            .unwrap_or_else(|e| panic!("{}: {e}", v["name"]));
        assert_eq!(got.claims.uri, v["uri"].as_str().unwrap());
        let never = o.get("never_expires").and_then(Value::as_bool).unwrap_or(false);
        let want_exp = if never {
            None
        } else {
            Some(
                o.get("expires_at")
                    .and_then(Value::as_i64)
                    .unwrap_or_else(|| now + o.get("expires_in").and_then(Value::as_i64).unwrap_or(3600)),
            )
        };
        assert_eq!(got.claims.exp, want_exp, "{}", v["name"]);
        assert_eq!(
            got.claims.nbf,
            o.get("not_before").and_then(Value::as_i64),
            "{}",
            v["name"]
        );
        let want_extra = o.get("claims").and_then(Value::as_object).cloned().unwrap_or_default();
        assert_eq!(got.claims.extra, want_extra, "{}", v["name"]);
        // header is exactly alg, typ, kid in that order
        let header = v["token"].as_str().unwrap().split('.').next().unwrap();
        let header = String::from_utf8(base64_url(header)).unwrap();
        let kid_json = serde_json::to_string(v["kid"].as_str().unwrap()).unwrap();
        assert_eq!(
            header,
            format!("{{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":{kid_json}}}")
        );
    }
}

#[test]
fn every_invalid_case_fails_with_its_code() {
    let doc = read_json("tests/vectors/tokens.json");
    for case in doc["invalid"].as_array().unwrap() {
        let err = sign_case(case, Backend::default()).expect_err(case["name"].as_str().unwrap());
        let want = ErrorCode::from_str_code(case["code"].as_str().unwrap()).unwrap();
        assert_eq!(err.code(), want, "{}: {err}", case["name"]);
    }
}

fn base64_url(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap()
}
