//! Structure-aware tokens: a header and claims built from `arbitrary` JSON
//! with extreme numbers (i64::MIN/MAX, u64::MAX, 1e308, -0.0, 1e999, NaN-like
//! strings, repeated keys, lone surrogates), encoded into a real token and —
//! when `sign` is set — signed with the test key so the signature passes and
//! the claims code is reached. Then verified with arbitrary options.
//!
//! Properties: no panic; `verify` succeeds exactly when `explain_token` says
//! ok; a larger leeway never refuses what leeway 0 accepted; an accepted
//! token's `exp`/`nbf` really admit `now` (in exact arithmetic) and its
//! `uri` covers the asked resource; `decode_unverified` agrees with verify.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use qencode_cdn::decode_unverified;
use qencode_cdn_fuzz::{Json, Name, Options, Text, token, verifier, verifier_with_kid, write_object};

#[derive(Arbitrary, Debug)]
enum Alg {
    Rs256,
    None,
    Hs256,
    Other(String),
    NotAString(Json),
    Missing,
}

#[derive(Arbitrary, Debug)]
enum Kid {
    Fuzz,
    Missing,
    Text(String),
    NotAString(Json),
}

#[derive(Arbitrary, Debug)]
enum Uri {
    /// The resource asked for (so coverage is tried for real).
    Resource,
    Text(String),
    NotAString(Json),
    Missing,
}

#[derive(Arbitrary, Debug)]
struct Input {
    alg: Alg,
    kid: Kid,
    header_extra: Vec<(Name, Json)>,
    uri: Uri,
    exp: Option<Json>,
    nbf: Option<Json>,
    claims_extra: Vec<(Name, Json)>,
    /// Raw JSON text for the whole payload instead (duplicates, trailing junk…).
    raw_payload: Option<Vec<u8>>,
    sign: bool,
    expect_kid: bool,
    options: Options,
}

fn s(v: &str) -> Json {
    Json::Text(Text::Plain(v.to_string()))
}

fuzz_target!(|input: Input| {
    let mut header: Vec<(Text, Json)> = Vec::new();
    match &input.alg {
        Alg::Rs256 => header.push((Text::Plain("alg".into()), s("RS256"))),
        Alg::None => header.push((Text::Plain("alg".into()), s("none"))),
        Alg::Hs256 => header.push((Text::Plain("alg".into()), s("HS256"))),
        Alg::Other(a) => header.push((Text::Plain("alg".into()), s(a))),
        Alg::NotAString(j) => header.push((Text::Plain("alg".into()), j.clone())),
        Alg::Missing => {}
    }
    header.push((Text::Plain("typ".into()), s("JWT")));
    match &input.kid {
        Kid::Fuzz => header.push((Text::Plain("kid".into()), s(qencode_cdn_fuzz::KID))),
        Kid::Missing => {}
        Kid::Text(k) => header.push((Text::Plain("kid".into()), s(k))),
        Kid::NotAString(j) => header.push((Text::Plain("kid".into()), j.clone())),
    }
    let mut header_text = Vec::new();
    let extra: Vec<(Text, Json)> = input.header_extra.iter().map(|(n, v)| (name(n), v.clone())).collect();
    write_object(
        &mut header_text,
        header.iter().chain(&extra).map(|(k, v)| (k.clone(), v)),
    );

    let payload_text = match &input.raw_payload {
        Some(raw) => raw.clone(),
        None => {
            let mut claims: Vec<(Text, Json)> = Vec::new();
            match &input.uri {
                Uri::Resource => {
                    let uri = match &input.options.resource {
                        Some(qencode_cdn_fuzz::ResourceArg::Live(p)) => p.clone(),
                        Some(qencode_cdn_fuzz::ResourceArg::Storage(k)) => k.clone(),
                        None => String::new(),
                    };
                    claims.push((Text::Plain("uri".into()), s(&uri)));
                }
                Uri::Text(u) => claims.push((Text::Plain("uri".into()), s(u))),
                Uri::NotAString(j) => claims.push((Text::Plain("uri".into()), j.clone())),
                Uri::Missing => {}
            }
            if let Some(e) = &input.exp {
                claims.push((Text::Plain("exp".into()), e.clone()));
            }
            if let Some(n) = &input.nbf {
                claims.push((Text::Plain("nbf".into()), n.clone()));
            }
            claims.extend(input.claims_extra.iter().map(|(n, v)| (name(n), v.clone())));
            let mut out = Vec::new();
            write_object(&mut out, claims.iter().map(|(k, v)| (k.clone(), v)));
            out
        }
    };
    let token = token(&header_text, &payload_text, input.sign);
    let v = if input.expect_kid {
        verifier_with_kid()
    } else {
        verifier()
    };
    let opts = input.options.verify_options();

    let decoded = decode_unverified(&token);
    let verified = v.verify(&token, &opts);
    let explained = v.explain_token(&token, &opts);
    assert_eq!(
        verified.is_ok(),
        explained.ok,
        "verify and explain_token disagree: {verified:?}"
    );
    let json = explained.to_json();
    serde_json::from_str::<serde_json::Value>(&json).expect("explain_token's JSON parses");

    let strict = input.options.clone();
    let strict_opts = qencode_cdn_fuzz::Options { leeway: 0, ..strict }.verify_options();
    if v.verify(&token, &strict_opts).is_ok() {
        assert!(
            verified.is_ok(),
            "accepted with leeway 0 but refused with leeway {}: {verified:?}",
            input.options.leeway
        );
    }

    if let Ok(ok) = &verified {
        let (_, claims) = decoded.as_ref().expect("a verified token decodes");
        assert_eq!(claims, &ok.claims, "decode_unverified and verify read different claims");
        if let Some(now) = input.options.now {
            let (now, leeway) = (i128::from(now), i128::from(input.options.leeway));
            if let Some(exp) = ok.claims.exp {
                assert!(
                    now <= i128::from(exp) + leeway,
                    "accepted after exp: now {now}, exp {exp}, leeway {leeway}"
                );
            }
            if let Some(nbf) = ok.claims.nbf {
                assert!(
                    i128::from(nbf) <= now + leeway,
                    "accepted before nbf: now {now}, nbf {nbf}, leeway {leeway}"
                );
            }
        }
        if let Some(r) = &input.options.resource {
            assert!(
                ok.claims.covers(&r.resource()),
                "accepted a token that does not cover {r:?}"
            );
        }
    }
});

fn name(n: &Name) -> Text {
    match n {
        Name::Uri => Text::Plain("uri".into()),
        Name::Exp => Text::Plain("exp".into()),
        Name::Nbf => Text::Plain("nbf".into()),
        Name::Kid => Text::Plain("kid".into()),
        Name::Alg => Text::Plain("alg".into()),
        Name::Typ => Text::Plain("typ".into()),
        Name::Iat => Text::Plain("iat".into()),
        Name::Other(t) => t.clone(),
    }
}
