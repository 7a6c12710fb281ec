//! The rules of DESIGN §2–3 for Signer, Verifier, explain and cookies, each with its error code.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use qencode_cdn::{
    CookieOptions, ErrorCode, Expiry, FixedClock, Resource, SameSite, SignOptions, Signer, Verifier, VerifyOptions,
    decode_unverified,
};
use std::time::Duration;

const PEM: &str = include_str!("../../tests/keys/rsa2048.pkcs1.pem");
const OTHER_4096: &str = include_str!("../../tests/keys/rsa4096-b.pkcs1.pem");
const NOW: i64 = 1_700_000_000;

fn signer() -> Signer {
    Signer::from_pem("key-1", PEM).unwrap().with_clock(FixedClock(NOW))
}

fn verifier() -> Verifier {
    Verifier::from_signer(&signer()).unwrap().with_clock(FixedClock(NOW))
}

fn b64(s: &str) -> String {
    URL_SAFE_NO_PAD.encode(s)
}

#[test]
fn header_is_exactly_rs256_jwt_kid_and_default_lifetime_is_one_hour() {
    let t = signer().sign("abc", &SignOptions::new()).unwrap();
    let mut parts = t.split('.');
    assert_eq!(
        parts.next().unwrap(),
        b64(r#"{"alg":"RS256","typ":"JWT","kid":"key-1"}"#)
    );
    assert_eq!(
        parts.next().unwrap(),
        b64(&format!(r#"{{"uri":"abc","exp":{}}}"#, NOW + 3600))
    );
    assert_eq!(URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap().len(), 256);
}

#[test]
fn the_injected_clock_and_the_now_option_pin_time() {
    let s = signer();
    let a = s
        .sign("abc", &SignOptions::new().expires_in(Duration::from_secs(60)))
        .unwrap();
    let b = Signer::from_pem("key-1", PEM)
        .unwrap()
        .sign("abc", &SignOptions::new().expires_in(Duration::from_secs(60)).now(NOW))
        .unwrap();
    assert_eq!(a, b);
    assert_eq!(decode_unverified(&a).unwrap().1.exp, Some(NOW + 60));
}

#[test]
fn zero_or_missing_lifetimes_never_mean_forever() {
    let s = signer();
    for opts in [
        SignOptions::new().expires_in(Duration::ZERO),
        SignOptions::new().expires_at(0),
        SignOptions::new().expires_at(-1),
    ] {
        assert_eq!(s.sign("x", &opts).unwrap_err().code(), ErrorCode::InvalidArgument);
    }
    let forever = s.sign("x", &SignOptions::new().never_expires()).unwrap();
    assert_eq!(decode_unverified(&forever).unwrap().1.exp, None);
    assert_eq!(
        Expiry::resolve(None, Some(0), false).unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        Expiry::resolve(Some(-1), None, false).unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
}

#[test]
fn debug_shows_the_key_id_only() {
    let s = signer();
    let dbg = format!("{s:?} {:?}", verifier());
    assert!(dbg.contains("key-1"), "{dbg}");
    let body: String = PEM.lines().filter(|l| !l.starts_with("-----")).collect();
    for chunk in body.as_bytes().chunks(16) {
        assert!(!dbg.contains(std::str::from_utf8(chunk).unwrap()), "{dbg}");
    }
}

#[test]
fn public_key_exports_in_spki_pem_and_jwk_and_verify() {
    let s = signer();
    let spki = s.public_key_pem().unwrap();
    assert_eq!(spki, include_str!("../../tests/keys/rsa2048.spki.pem"));
    let t = s.sign("abc", &SignOptions::new()).unwrap();
    let by_jwk = Verifier::from_jwk(&s.public_key_jwk())
        .unwrap()
        .with_clock(FixedClock(NOW));
    assert_eq!(by_jwk.key_id(), Some("key-1"));
    by_jwk.verify(&t, &VerifyOptions::new()).unwrap();
    Verifier::from_public_key(spki)
        .unwrap()
        .verify(&t, &VerifyOptions::new().now(NOW))
        .unwrap();
}

fn forge(header: &str, payload: &str, sig: &str) -> String {
    format!("{}.{}.{}", b64(header), b64(payload), sig)
}

#[test]
fn alg_none_and_hs256_are_refused_before_the_signature() {
    let v = verifier();
    let none = forge(r#"{"alg":"none","kid":"key-1"}"#, r#"{"uri":"abc"}"#, "");
    let e = v.verify(&none, &VerifyOptions::new()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidSignature);
    assert!(e.to_string().contains("unsigned"), "{e}");
    // an HS256 token "signed" with the public key text, the classic confusion attack
    let hs = forge(
        r#"{"alg":"HS256","typ":"JWT","kid":"key-1"}"#,
        r#"{"uri":"abc"}"#,
        "c2ln",
    );
    let e = v.verify(&hs, &VerifyOptions::new()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidSignature);
    assert!(e.to_string().contains("HS256"), "{e}");
}

#[test]
fn malformed_tokens_have_their_own_code() {
    let v = verifier();
    for t in [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "!!.??.##",
        &forge("[1]", "{}", "AA"),
        &"a".repeat(20_000),
    ] {
        assert_eq!(
            v.verify(t, &VerifyOptions::new()).unwrap_err().code(),
            ErrorCode::MalformedToken,
            "{t:.40}"
        );
    }
    let no_uri = signer().sign("x", &SignOptions::new()).unwrap();
    let (h, _) = no_uri.split_once('.').unwrap();
    let sig = no_uri.rsplit('.').next().unwrap();
    let t = format!("{h}.{}.{sig}", b64(r#"{"exp":1}"#));
    // the signature check comes first; the claims are then read without it
    assert_eq!(
        v.verify(&t, &VerifyOptions::new()).unwrap_err().code(),
        ErrorCode::InvalidSignature
    );
    assert_eq!(decode_unverified(&t).unwrap_err().code(), ErrorCode::MalformedToken);
}

#[test]
fn tampering_wrong_key_and_wrong_kid_are_caught() {
    let s = signer();
    let t = s.sign("abc", &SignOptions::new()).unwrap();
    let v = verifier();
    let (h, rest) = t.split_once('.').unwrap();
    let (_, sig) = rest.split_once('.').unwrap();
    let tampered = format!("{h}.{}.{sig}", b64(&format!(r#"{{"uri":"xyz","exp":{}}}"#, NOW + 3600)));
    assert_eq!(
        v.verify(&tampered, &VerifyOptions::new()).unwrap_err().code(),
        ErrorCode::InvalidSignature
    );
    let other = Verifier::from_public_key(OTHER_4096)
        .unwrap()
        .with_clock(FixedClock(NOW));
    assert_eq!(
        other.verify(&t, &VerifyOptions::new()).unwrap_err().code(),
        ErrorCode::InvalidSignature
    );
    let e = v.verify(&t, &VerifyOptions::new().kid("key-2")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnknownKeyId);
    assert!(
        e.to_string().contains("key-1") && e.to_string().contains("key-2"),
        "{e}"
    );
}

#[test]
fn exp_and_nbf_honour_the_leeway() {
    let s = signer();
    let t = s
        .sign("abc", &SignOptions::new().expires_at(NOW + 10).not_before(NOW - 10))
        .unwrap();
    let v = Verifier::from_signer(&s).unwrap();
    v.verify(&t, &VerifyOptions::new().now(NOW + 10)).unwrap();
    let e = v.verify(&t, &VerifyOptions::new().now(NOW + 190)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::TokenExpired);
    assert!(e.to_string().contains("expired 3 minutes ago"), "{e}");
    v.verify(&t, &VerifyOptions::new().now(NOW + 40).leeway(30)).unwrap();
    assert_eq!(
        v.verify(&t, &VerifyOptions::new().now(NOW - 11)).unwrap_err().code(),
        ErrorCode::TokenNotYetValid
    );
    v.verify(&t, &VerifyOptions::new().now(NOW - 11).leeway(1)).unwrap();
}

#[test]
fn covers_live_is_equality_and_storage_is_prefix() {
    let s = signer();
    let v = verifier();
    let live = s.sign("abc", &SignOptions::new()).unwrap();
    v.verify(&live, &VerifyOptions::new().resource(Resource::live("abc")))
        .unwrap();
    let e = v
        .verify(&live, &VerifyOptions::new().resource(Resource::live("abcd")))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::UriMismatch);
    let folder = s.sign("videos/a/", &SignOptions::new()).unwrap();
    v.verify(
        &folder,
        &VerifyOptions::new().resource(Resource::storage("/videos/a/x.mp4")),
    )
    .unwrap();
    let e = v
        .verify(
            &folder,
            &VerifyOptions::new().resource(Resource::storage("videos/b/x.mp4")),
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::UriMismatch);
    assert!(
        e.to_string()
            .contains("token covers `videos/a/` but the URL asks for `videos/b/x.mp4`"),
        "{e}"
    );
    let bucket = s.sign("", &SignOptions::new()).unwrap();
    v.verify(&bucket, &VerifyOptions::new().resource(Resource::storage("any/thing")))
        .unwrap();
    assert_eq!(
        v.verify(&bucket, &VerifyOptions::new().resource(Resource::live("abc")))
            .unwrap_err()
            .code(),
        ErrorCode::UriMismatch
    );
}

#[test]
fn explain_lists_every_check_in_words() {
    let s = signer();
    let v = verifier();
    let url = s
        .signed_storage_url(
            "my-bucket",
            "us-west",
            "videos/a/x.mp4",
            &SignOptions::new().now(NOW - 3600).expires_at(NOW - 180),
        )
        .unwrap();
    let verdict = v.explain(&url);
    assert!(!verdict.ok);
    let failed: Vec<_> = verdict
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(failed, ["expiry"]);
    assert!(verdict.to_string().contains("expired 3 minutes ago"), "{verdict}");
    assert_eq!(verdict.claims.as_ref().unwrap().uri, "videos/a/x.mp4");
    let json: serde_json::Value = serde_json::from_str(&verdict.to_json()).unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["form"], "storage");

    let unsigned = qencode_cdn::live_playback_url("abc", None).unwrap();
    let verdict = v.explain(&unsigned);
    assert_eq!(verdict.first_failure().unwrap().name, "token_present");

    let live = s
        .signed_live_custom_domain_url("live.example.com", "abc", &SignOptions::new())
        .unwrap();
    assert!(v.explain(&live).ok, "{}", v.explain(&live));
    // a storage token on a custom domain whose key ends in .m3u8 is read as storage
    let hls = s
        .sign_url("https://media.example.com/master.m3u8", "", &SignOptions::new())
        .unwrap();
    let verdict = v.explain(&hls);
    assert!(verdict.ok, "{verdict}");
    assert_eq!(verdict.form, Some(qencode_cdn::UrlForm::StorageCustomDomain));
    assert!(!v.explain("not a url").ok);
}

#[test]
fn signed_urls_keep_an_existing_query_and_sign_the_decoded_key() {
    let s = signer();
    let url = s
        .sign_url(
            "https://m.example.com/a%20b.mp4?download=1",
            "a b.mp4",
            &SignOptions::new(),
        )
        .unwrap();
    assert!(
        url.starts_with("https://m.example.com/a%20b.mp4?download=1&auth=ey"),
        "{url}"
    );
    assert!(verifier().explain(&url).ok);
    let url = s
        .signed_storage_custom_domain_url("m.example.com", "/dir/ä.mp4", &SignOptions::new())
        .unwrap();
    let token = url.split("auth=").nth(1).unwrap();
    assert_eq!(decode_unverified(token).unwrap().1.uri, "dir/ä.mp4");
}

#[test]
fn cookie_has_every_attribute_and_max_age_from_exp() {
    let s = signer();
    let c = s
        .signed_cookie(
            "videos/a/",
            &SignOptions::new().expires_in(Duration::from_secs(900)),
            &CookieOptions::new().domain(".example.com").same_site(SameSite::Strict),
        )
        .unwrap();
    let h = c.to_string();
    assert!(h.starts_with("Qencode-Auth-Token=ey"), "{h}");
    assert!(
        h.ends_with("; Domain=example.com; Path=/videos/a/; Max-Age=900; Secure; HttpOnly; SameSite=Strict"),
        "{h}"
    );
    let (_, claims) = decode_unverified(&c.value).unwrap();
    assert_eq!(claims.exp, Some(NOW + 900));
    let forever = s
        .signed_cookie("", &SignOptions::new().never_expires(), &CookieOptions::new())
        .unwrap();
    assert!(!forever.to_string().contains("Max-Age"));
    for bad in [
        CookieOptions::new().domain("exa mple.com"),
        CookieOptions::new().path("no-slash"),
        CookieOptions::new().same_site(SameSite::None).secure(false),
    ] {
        assert_eq!(
            s.signed_cookie("", &SignOptions::new(), &bad).unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
    }
}

#[test]
fn signer_and_verifier_are_send_sync_and_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Signer>();
    assert_send_sync::<Verifier>();
    let s = signer();
    let v = verifier();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let (s, v) = (s.clone(), v.clone());
            std::thread::spawn(move || {
                let t = s.sign(&format!("stream-{i}"), &SignOptions::new()).unwrap();
                v.verify(
                    &t,
                    &VerifyOptions::new().resource(Resource::live(format!("stream-{i}"))),
                )
                .unwrap();
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}
