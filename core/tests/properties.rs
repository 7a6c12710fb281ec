//! Property tests: URL encoding round trips through the parser, and
//! sign-then-verify holds for random claims, uris and times.

use proptest::prelude::*;
use qencode_cdn::{
    ErrorCode, Resource, SignOptions, Signer, UrlForm, Verifier, VerifyOptions, parse_url, storage_custom_domain_url,
    storage_url,
};
use std::sync::OnceLock;

fn signer() -> &'static (Signer, Verifier) {
    static S: OnceLock<(Signer, Verifier)> = OnceLock::new();
    S.get_or_init(|| {
        let pem = include_str!("../../tests/keys/rsa2048.pkcs1.pem");
        let s = Signer::from_pem("prop-key", pem).unwrap();
        let v = Verifier::from_signer(&s).unwrap();
        (s, v)
    })
}

fn key_strategy() -> impl Strategy<Value = String> {
    // segments of arbitrary unicode (no `/`, no NUL), never `.` or `..`
    proptest::collection::vec("[^/\\x00]{1,12}", 1..5)
        .prop_filter("no dot segments", |segs| segs.iter().all(|s| s != "." && s != ".."))
        .prop_map(|segs| segs.join("/"))
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        ".{0,16}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            proptest::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn storage_urls_parse_back_to_the_same_key(key in key_strategy(), custom in any::<bool>()) {
        let url = if custom {
            storage_custom_domain_url("media.example.com", &key, Some("a.b.c")).unwrap()
        } else {
            storage_url("my-bucket", "eu-central", &key, Some("a.b.c")).unwrap()
        };
        // only unreserved characters, `/`, `%XX` and the query remain
        let path = url.split("://").nth(1).unwrap();
        prop_assert!(path.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/%?=:".contains(&b)), "{}", url);
        let parsed = parse_url(&url).unwrap();
        prop_assert_eq!(parsed.token.as_deref(), Some("a.b.c"));
        match parsed.form {
            UrlForm::Storage | UrlForm::StorageCustomDomain => prop_assert_eq!(parsed.resource, Resource::storage(key)),
            UrlForm::LiveCustomDomain => prop_assert!(key.ends_with(".m3u8") && !key.contains('/')),
            UrlForm::LivePlayback => prop_assert!(false, "storage URL parsed as live"),
        }
    }

    #[test]
    fn sign_then_verify_returns_the_same_claims(
        uri in "([^/].{0,39})?",
        claims in proptest::collection::btree_map("[a-z_]{1,8}", json_value(), 0..5),
        now in 1_000_000_000i64..3_000_000_000,
        ttl in 1i64..1_000_000,
    ) {
        let claims: serde_json::Map<String, serde_json::Value> = claims.into_iter()
            .filter(|(k, _)| !["uri", "exp", "nbf"].contains(&k.as_str())).collect();
        let (s, v) = signer();
        let opts = SignOptions::new().expires_at(now + ttl).claims(claims.clone()).now(now);
        let token = s.sign(&uri, &opts).unwrap();
        let got = v.verify(&token, &VerifyOptions::new().now(now)).unwrap();
        prop_assert_eq!(&got.claims.uri, &uri);
        prop_assert_eq!(got.claims.exp, Some(now + ttl));
        prop_assert_eq!(&got.claims.extra, &claims);
        // one second after exp it is refused as expired
        let late = v.verify(&token, &VerifyOptions::new().now(now + ttl + 1)).unwrap_err();
        prop_assert_eq!(late.code(), ErrorCode::TokenExpired);
    }

    #[test]
    fn verify_never_panics_on_garbage(s in ".{0,300}") {
        let (_, v) = signer();
        let _ = v.verify(&s, &VerifyOptions::new());
        let _ = v.explain(&s);
        let _ = parse_url(&s);
    }

    #[test]
    fn key_loading_never_panics_on_garbage_or_corrupted_keys(
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
        cut in 0usize..1700,
        flip in 0usize..1700,
    ) {
        for input in [bytes.clone(), [b"-----BEGIN RSA PRIVATE KEY-----\n".as_slice(), &bytes].concat()] {
            if let Err(e) = Signer::from_pem("k", &input) {
                prop_assert_eq!(e.code(), ErrorCode::InvalidKey);
            }
            let _ = Verifier::from_public_key(&input);
        }
        // a real key, truncated or with one byte changed
        let pem = include_bytes!("../../tests/keys/rsa2048.pkcs1.pem");
        let mut corrupted = pem[..cut.min(pem.len())].to_vec();
        if let Some(b) = corrupted.get_mut(flip) {
            *b ^= 0x5a;
        }
        if let Err(e) = Signer::from_pem("k", &corrupted) {
            prop_assert_eq!(e.code(), ErrorCode::InvalidKey);
        }
        let _ = Verifier::from_public_key(&corrupted);
    }
}
