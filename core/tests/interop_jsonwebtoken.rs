//! Interoperability with an independent implementation, the `jsonwebtoken`
//! crate on pure-Rust RSA (not our aws-lc backend): it verifies every token
//! the conformance cases expect us to produce (the golden vectors are the
//! `sign` cases of tests/conformance/sign.json), finds in each exactly the
//! header and claims the case's inputs ask for, and we verify tokens it signs.
//! (PyJWT, jose, nimbus, ruby-jwt … do the same in each language's suite.)

mod common;

use base64::Engine as _;
use common::conformance::{LANGUAGE, key_bytes, load_cases};
use common::repo_root;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use qencode_cdn::{Resource, Verifier, VerifyOptions, decode_unverified};
use serde_json::{Value, json};

fn public_key_for(signer_key: &Value) -> DecodingKey {
    let bytes = key_bytes(signer_key);
    let spki = qencode_cdn::Signer::from_pem("k", &bytes)
        .unwrap()
        .public_key_pem()
        .unwrap();
    DecodingKey::from_rsa_pem(spki.as_bytes()).unwrap()
}

fn strict_rs256() -> Validation {
    let mut v = Validation::new(Algorithm::RS256);
    // The cases pin old clocks; times are compared exactly below instead.
    v.validate_exp = false;
    v.validate_nbf = false;
    v.required_spec_claims.clear();
    v.validate_aud = false;
    v
}

#[test]
fn jsonwebtoken_verifies_every_token_the_cases_expect() {
    let mut checked = 0;
    for case in load_cases(LANGUAGE) {
        let token = match (case.op.as_str(), &case.expect) {
            ("sign", e) if e.get("token").is_some() => e["token"].as_str().unwrap().to_string(),
            ("signed_url", e) if e.get("url").is_some() => {
                e["url"].as_str().unwrap().split("auth=").nth(1).unwrap().to_string()
            }
            ("cookie", e) if e.get("set_cookie").is_some() => {
                let c = e["set_cookie"].as_str().unwrap();
                c["Qencode-Auth-Token=".len()..c.find(';').unwrap()].to_string()
            }
            _ => continue,
        };
        let signer = &case.input["signer"];
        let kid = signer["kid"].as_str().unwrap();
        let data = jsonwebtoken::decode::<Value>(&token, &public_key_for(&signer["key"]), &strict_rs256())
            .unwrap_or_else(|e| panic!("{}: jsonwebtoken refuses our token: {e}", case.name));
        assert_eq!(data.header.alg, Algorithm::RS256, "{}", case.name);
        assert_eq!(data.header.kid.as_deref(), Some(kid), "{}", case.name);
        assert_eq!(data.header.typ.as_deref(), Some("JWT"), "{}", case.name);
        // The header's bytes: exactly alg, typ, kid in that order.
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap();
        assert_eq!(
            String::from_utf8(header).unwrap(),
            format!(r#"{{"alg":"RS256","typ":"JWT","kid":{}}}"#, json!(kid)),
            "{}",
            case.name
        );
        // The same claims as our own decoding…
        let (_, ours) = decode_unverified(&token).unwrap();
        assert_eq!(data.claims, ours.to_json(), "{}", case.name);
        // …and exactly the claims the inputs ask for: the uri (where the case
        // names it rather than a URL form), exp, nbf and the custom claims.
        let o = &case.input["options"];
        let now = o["now"].as_i64().unwrap();
        let mut want = o.get("claims").and_then(Value::as_object).cloned().unwrap_or_default();
        if o["never_expires"] != json!(true) {
            let exp = o
                .get("expires_at")
                .cloned()
                .unwrap_or_else(|| json!(now + o.get("expires_in").and_then(Value::as_f64).unwrap_or(3600.0) as i64));
            want.insert("exp".into(), exp);
        }
        if let Some(nbf) = o.get("not_before").filter(|v| !v.is_null()) {
            want.insert("nbf".into(), nbf.clone());
        }
        let mut got = data.claims.as_object().unwrap().clone();
        let uri = got
            .remove("uri")
            .unwrap_or_else(|| panic!("{}: no uri claim", case.name));
        if let Some(u) = case.input.get("uri") {
            assert_eq!(&uri, u, "{}", case.name);
        }
        assert_eq!(Value::Object(got), Value::Object(want), "{}", case.name);
        // Our own verifier accepts it, with the key id and inside its window.
        let at = o
            .get("not_before")
            .and_then(Value::as_i64)
            .map_or(now, |nbf| nbf.max(now));
        Verifier::from_signer(&qencode_cdn::Signer::from_pem(kid, key_bytes(&signer["key"])).unwrap())
            .unwrap()
            .verify(&token, &VerifyOptions::new().kid(kid).now(at))
            .unwrap_or_else(|e| panic!("{}: our verifier refuses it: {e}", case.name));
        checked += 1;
    }
    assert!(checked >= 50, "only {checked} tokens checked");
}

#[test]
fn our_verifier_accepts_tokens_signed_by_jsonwebtoken() {
    let now = 1_700_000_000;
    for (key, spki) in [
        ("tests/keys/rsa2048.pkcs1.pem", "tests/keys/rsa2048.spki.pem"),
        ("tests/keys/rsa4096.pkcs8.pem", "tests/keys/rsa4096.spki.pem"),
    ] {
        let pem = std::fs::read(repo_root().join(key)).unwrap();
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("ec25a6a6-b31e-4ac9-af01-711460421c6b".into());
        for (uri, resource) in [
            ("videos/a/", Resource::storage("videos/a/intro.mp4")),
            (
                "1f1ab6a3-d867-4787-b882-7f2fb1203634",
                Resource::live("1f1ab6a3-d867-4787-b882-7f2fb1203634"),
            ),
            ("", Resource::storage("anything.mp4")),
        ] {
            let claims = json!({"uri": uri, "exp": now + 600, "nbf": now - 5, "viewer": "u-42"});
            let token = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_rsa_pem(&pem).unwrap()).unwrap();
            let verifier = Verifier::from_public_key(std::fs::read(repo_root().join(spki)).unwrap())
                .unwrap()
                .with_key_id("ec25a6a6-b31e-4ac9-af01-711460421c6b");
            let got = verifier
                .verify(&token, &VerifyOptions::new().now(now).resource(resource))
                .unwrap_or_else(|e| panic!("{key} {uri}: {e}"));
            assert_eq!(got.claims.uri, uri);
            assert_eq!(got.claims.exp, Some(now + 600));
            assert_eq!(got.claims.extra["viewer"], "u-42");
            // …and the same token one second after exp is refused as expired.
            let late = verifier
                .verify(&token, &VerifyOptions::new().now(now + 601))
                .unwrap_err();
            assert_eq!(late.code(), qencode_cdn::ErrorCode::TokenExpired);
        }
    }
}

#[test]
fn jsonwebtoken_hs256_token_is_refused_with_the_reason() {
    // What the C# and Java samples do: HMAC keyed with the PEM text.
    let pem = std::fs::read(repo_root().join("tests/keys/rsa2048.pkcs1.pem")).unwrap();
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &json!({"uri": "videos/a/", "exp": 1_700_000_600}),
        &EncodingKey::from_secret(&pem),
    )
    .unwrap();
    let v = Verifier::from_public_key(std::fs::read(repo_root().join("tests/keys/rsa2048.spki.pem")).unwrap()).unwrap();
    let e = v.explain_token(&token, &VerifyOptions::new().now(1_700_000_000));
    let failed = e.first_failure().unwrap();
    assert_eq!(failed.name, "algorithm");
    assert!(failed.detail.contains("HS256"), "{}", failed.detail);
}
