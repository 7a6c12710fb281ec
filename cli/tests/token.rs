//! `qcdn token sign|decode|verify` and `qcdn keys public`, run as a process.

mod common;
use common::*;

#[test]
fn sign_writes_a_token_that_verify_accepts_with_the_public_key() {
    let t = sign(&["--uri", "abc-play", "--ttl", "10m"]);
    assert_eq!(t.split('.').count(), 3);
    let p = payload(&t);
    assert_eq!(p["uri"], "abc-play");
    let exp = p["exp"].as_i64().unwrap();
    assert!((exp - now() - 600).abs() <= 5, "exp {exp}");
    let o = qcdn(&[
        "token",
        "verify",
        "--public-key",
        &key("rsa2048.spki.pem"),
        "--resource",
        "live:abc-play",
        "--key-id",
        "kid-1",
        &t,
    ]);
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    assert!(out(&o).starts_with("ACCEPTED"), "{}", out(&o));
}

#[test]
fn default_lifetime_is_one_hour_and_ttl_accepts_bare_seconds() {
    let p = payload(&sign(&["--uri", "x"]));
    assert!((p["exp"].as_i64().unwrap() - now() - 3600).abs() <= 5);
    let p = payload(&sign(&["--uri", "", "--ttl", "120"]));
    assert_eq!(p["uri"], "", "an empty uri covers a whole bucket");
    assert!((p["exp"].as_i64().unwrap() - now() - 120).abs() <= 5);
}

#[test]
fn expires_at_and_not_before_accept_rfc3339_and_unix_seconds() {
    let p = payload(&sign(&[
        "--uri",
        "videos/",
        "--expires-at",
        "2033-05-18T04:33:20+01:00",
        "--not-before",
        "1700000000",
    ]));
    assert_eq!(p["exp"], 2_000_000_000);
    assert_eq!(p["nbf"], 1_700_000_000);
}

#[test]
fn no_expiry_must_be_asked_for_and_gives_no_exp_claim() {
    let p = payload(&sign(&["--uri", "x", "--no-expiry"]));
    assert!(p.get("exp").is_none(), "{p}");
    let o = qcdn(&[
        "token",
        "sign",
        "--key-id",
        "k",
        "--key",
        &key("rsa2048.pkcs1.pem"),
        "--uri",
        "x",
        "--ttl",
        "0",
    ]);
    assert_error(&o, 3, "INVALID_ARGUMENT");
    assert!(err(&o).contains("--no-expiry"), "{}", err(&o));
}

#[test]
fn lifetime_options_combine_as_the_core_decides() {
    let k = key("rsa2048.pkcs1.pem");
    // --no-expiry with a lifetime is a contradiction: the core refuses it, and the hint names the flags.
    let o = qcdn(&[
        "token",
        "sign",
        "--key-id",
        "k",
        "--key",
        &k,
        "--uri",
        "x",
        "--ttl",
        "1h",
        "--no-expiry",
    ]);
    assert_error(&o, 3, "INVALID_ARGUMENT");
    assert!(err(&o).contains("--no-expiry"), "{}", err(&o));
    // --expires-at wins over --ttl, as in every language.
    let p = payload(&sign(&["--uri", "x", "--ttl", "1h", "--expires-at", "1900000000"]));
    assert_eq!(p["exp"], 1_900_000_000);
    let o = qcdn(&["token", "sign", "--key-id", "k"]);
    assert_eq!(code(&o), 2, "--uri is required");
}

#[test]
fn bad_times_and_a_token_ending_before_it_starts_are_invalid_input() {
    let k = key("rsa2048.pkcs1.pem");
    for args in [
        vec!["--ttl", "10 parsecs"],
        vec!["--expires-at", "tomorrow"],
        vec!["--expires-at", "2030-01-01T00:00:00"],
        vec!["--expires-at", "1900000000", "--not-before", "1900000001"],
    ] {
        let mut a = vec!["token", "sign", "--key-id", "k", "--key", &k, "--uri", "x"];
        a.extend(args.iter());
        assert_error(&qcdn(&a), 3, "INVALID_ARGUMENT");
    }
}

#[test]
fn custom_claims_from_flags_and_json_file_and_reserved_names_refused() {
    let dir = tempdir();
    let f = format!("{dir}/claims.json");
    std::fs::write(&f, r#"{"plan": "gold", "max_bitrate": 3000}"#).unwrap();
    let p = payload(&sign(&["--uri", "x", "--claim", "viewer=u-42", "--claims-json", &f]));
    assert_eq!(p["viewer"], "u-42");
    assert_eq!(p["plan"], "gold");
    assert_eq!(p["max_bitrate"], 3000);
    let k = key("rsa2048.pkcs1.pem");
    let o = qcdn(&[
        "token", "sign", "--key-id", "k", "--key", &k, "--uri", "x", "--claim", "exp=5",
    ]);
    assert_error(&o, 3, "INVALID_ARGUMENT");
    let o = qcdn(&[
        "token", "sign", "--key-id", "k", "--key", &k, "--uri", "x", "--claim", "novalue",
    ]);
    assert_error(&o, 3, "INVALID_ARGUMENT");
    std::fs::write(&f, "[1,2]").unwrap();
    let o = qcdn(&[
        "token",
        "sign",
        "--key-id",
        "k",
        "--key",
        &k,
        "--uri",
        "x",
        "--claims-json",
        &f,
    ]);
    assert_error(&o, 3, "INVALID_ARGUMENT");
}

#[test]
fn the_key_comes_from_a_file_stdin_or_the_environment_in_any_form() {
    let pem = std::fs::read(key("rsa2048.pkcs8.pem")).unwrap();
    let from_file = sign(&["--uri", "x", "--expires-at", "1900000000"]);
    let o = qcdn_stdin(
        &[
            "token",
            "sign",
            "--key-id",
            "kid-1",
            "--key",
            "-",
            "--uri",
            "x",
            "--expires-at",
            "1900000000",
        ],
        &pem,
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(out(&o).trim(), from_file, "PKCS#8 via stdin signs the same bytes");
    // An environment variable whose newlines arrived as literal `\n`.
    let mangled = String::from_utf8(pem).unwrap().replace('\n', "\\n");
    let o = qcdn_cmd()
        .args(["token", "sign", "--uri", "x", "--expires-at", "1900000000"])
        .env("QENCODE_SIGNING_KEY", mangled)
        .env("QENCODE_SIGNING_KEY_ID", "kid-1")
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(out(&o).trim(), from_file);
    let o = qcdn(&[
        "token",
        "sign",
        "--key-id",
        "kid-1",
        "--key",
        &key("rsa2048.pkcs1.der"),
        "--uri",
        "x",
    ]);
    assert_eq!(code(&o), 0, "DER works: {}", err(&o));
}

#[test]
fn bad_keys_are_invalid_input_with_a_hint_and_never_echoed() {
    for (file, code_str) in [
        ("rsa1024.pkcs1.pem", "INVALID_KEY"),
        ("ec-p256.pkcs8.pem", "INVALID_KEY"),
        ("ed25519.pem", "INVALID_KEY"),
        ("rsa2048.encrypted.pem", "INVALID_KEY"),
        ("does-not-exist.pem", "INVALID_ARGUMENT"),
    ] {
        let o = qcdn(&["token", "sign", "--key-id", "k", "--key", &key(file), "--uri", "x"]);
        assert_error(&o, 3, code_str);
    }
    // A damaged PEM: the error names the format, not the bytes.
    let pem = std::fs::read_to_string(key("rsa2048.pkcs1.pem")).unwrap();
    let body_line = pem.lines().nth(3).unwrap().to_string();
    let damaged = pem.replace(&body_line, &body_line.replace(|c: char| c.is_ascii_alphanumeric(), "A"));
    let o = qcdn_stdin(
        &["token", "sign", "--key-id", "k", "--key", "-", "--uri", "x"],
        damaged.as_bytes(),
    );
    assert_error(&o, 3, "INVALID_KEY");
    for line in pem.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!err(&o).contains(&line[..20]), "key bytes leaked: {}", err(&o));
    }
    let o = qcdn(&["token", "sign", "--key-id", "k", "--uri", "x"]);
    assert_error(&o, 3, "INVALID_ARGUMENT");
    assert!(
        err(&o).contains("QENCODE_SIGNING_KEY"),
        "hint names the variable: {}",
        err(&o)
    );
}

#[test]
fn decode_shows_header_and_claims_with_utc_and_relative_times_and_says_unverified() {
    let t = sign(&["--uri", "abc-play", "--ttl", "1h", "--claim", "viewer=u-42"]);
    let o = qcdn(&["token", "decode", &t]);
    assert_eq!(code(&o), 0);
    let s = out(&o);
    assert!(s.starts_with("NOT VERIFIED"), "{s}");
    assert!(s.contains("kid: \"kid-1\""), "{s}");
    assert!(s.contains("uri: \"abc-play\""), "{s}");
    assert!(
        s.contains(" UTC, in 59 minutes)") || s.contains(" UTC, in 60 minutes)"),
        "{s}"
    );
    assert!(s.contains("viewer: \"u-42\""), "{s}");
    let o = qcdn(&["token", "decode", "--output", "json", &t]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v["verified"], false);
    assert_eq!(v["header"]["alg"], "RS256");
    assert_eq!(v["claims"]["uri"], "abc-play");
    assert!(v["times"]["exp"]["utc"].as_str().unwrap().ends_with(" UTC"));
}

#[test]
fn decode_reads_the_token_out_of_a_url_or_stdin() {
    let t = sign(&["--uri", "abc-play"]);
    let url = format!("https://play-abc-play.qencode.com/qhls/qlive/playlist.m3u8?auth={t}");
    let o = qcdn(&["token", "decode", &url]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(out(&o).contains("abc-play"));
    let o = qcdn_stdin(&["token", "decode", "-"], format!("{t}\n").as_bytes());
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = qcdn(&[
        "token",
        "decode",
        "https://play-abc-play.qencode.com/qhls/qlive/playlist.m3u8",
    ]);
    assert_error(&o, 3, "INVALID_ARGUMENT");
}

#[test]
fn malformed_tokens_are_invalid_input() {
    for bad in ["garbage", "a.b.c", "a.b"] {
        assert_error(&qcdn(&["token", "decode", bad]), 3, "MALFORMED_TOKEN");
    }
}

#[test]
fn verify_fails_with_exit_1_on_wrong_resource_wrong_key_expired_and_wrong_kid() {
    let spki = key("rsa2048.spki.pem");
    let t = sign(&["--uri", "abc-play"]);
    let o = qcdn(&["token", "verify", "--public-key", &spki, "--resource", "live:other", &t]);
    assert_eq!(code(&o), 1);
    let s = out(&o);
    assert!(s.starts_with("REFUSED\n"), "the core's explanation comes first: {s}");
    assert!(s.contains("  [FAIL] resource: "), "{s}");
    assert!(s.contains("\nreason: URI_MISMATCH: "), "{s}");
    assert!(s.contains("claims (as written, unverified, key id `kid-1`):"), "{s}");
    let o = qcdn(&["token", "verify", "--public-key", &key("rsa4096.spki.pem"), &t]);
    assert_eq!(code(&o), 1);
    assert!(out(&o).contains("INVALID_SIGNATURE"), "{}", out(&o));
    let o = qcdn(&["token", "verify", "--public-key", &spki, "--key-id", "other", &t]);
    assert_eq!(code(&o), 1);
    assert!(out(&o).contains("UNKNOWN_KEY_ID"), "{}", out(&o));
    let expired = sign(&["--uri", "abc-play", "--now", "1690000000", "--expires-at", "1700000000"]);
    let o = qcdn(&["token", "verify", "--public-key", &spki, "--output", "json", &expired]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["code"], "TOKEN_EXPIRED");
    // A leeway covers clock skew; it takes a duration.
    for leeway in ["99999999999", "100000d"] {
        let o = qcdn(&["token", "verify", "--public-key", &spki, "--leeway", leeway, &expired]);
        assert_eq!(code(&o), 0, "{leeway}: {}", out(&o));
    }
    let o = qcdn(&["token", "verify", "--public-key", &spki, "--leeway", "-1", &expired]);
    assert_error(&o, 3, "INVALID_ARGUMENT");
}

#[test]
fn verify_and_audit_take_now_to_pin_the_clock() {
    let spki = key("rsa2048.spki.pem");
    let t = sign(&["--uri", "videos/a/", "--now", "1700000000", "--ttl", "10m"]);
    let at = |now: &str| {
        let o = qcdn(&[
            "token",
            "verify",
            "--public-key",
            &spki,
            "--now",
            now,
            "--output",
            "json",
            &t,
        ]);
        (code(&o), serde_json::from_str::<serde_json::Value>(&out(&o)).unwrap())
    };
    let (c, v) = at("1700000300");
    assert_eq!(c, 0, "{v}");
    assert_eq!(v["times"]["exp"]["relative"], "in 5 minutes");
    let (c, v) = at("2023-11-14T22:23:21Z");
    assert_eq!(
        (c, v["code"].as_str()),
        (1, Some("TOKEN_EXPIRED")),
        "RFC 3339 works too: {v}"
    );
    let (c, v) = at("1699999000");
    assert_eq!(c, 0, "no nbf: valid before its signing time: {v}");
    // The URL form pins the clock the same way.
    let url = format!("https://bkt.media-storage.us-west.qencode.com/videos/a/x.mp4?auth={t}");
    let o = qcdn(&[
        "token",
        "verify",
        "--public-key",
        &spki,
        "--now",
        "1700000601",
        "--url",
        &url,
    ]);
    assert_eq!(code(&o), 1);
    assert!(out(&o).contains("[FAIL] expiry: expired 1 second ago"), "{}", out(&o));
    assert_error(
        &qcdn(&["token", "verify", "--public-key", &spki, "--now", "yesterday", &t]),
        3,
        "INVALID_ARGUMENT",
    );
}

#[test]
fn verify_prints_the_warnings_of_the_explanation() {
    let spki = key("rsa2048.spki.pem");
    let t = sign(&["--uri", "", "--no-expiry"]);
    let o = qcdn(&["token", "verify", "--public-key", &spki, &t]);
    assert_eq!(code(&o), 0, "warnings are advice: {}", out(&o));
    let s = out(&o);
    assert!(s.contains("  [warn] WHOLE_BUCKET: "), "{s}");
    assert!(s.contains("  [warn] NEVER_EXPIRES: "), "{s}");
    let o = qcdn(&["token", "verify", "--public-key", &spki, "--output", "json", &t]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let codes: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["WHOLE_BUCKET", "NEVER_EXPIRES"]);
}

#[test]
fn verify_of_something_that_is_not_a_token_prints_the_verdict_and_exits_3() {
    let o = qcdn(&[
        "token",
        "verify",
        "--public-key",
        &key("rsa2048.spki.pem"),
        "--output",
        "json",
        "not.a.token",
    ]);
    assert_error(&o, 3, "MALFORMED_TOKEN");
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v["code"], "MALFORMED_TOKEN");
    assert_eq!(v["checks"][0]["name"], "format");
}

#[test]
fn audit_names_wide_grants_exits_0_and_3_on_a_malformed_token() {
    let t = sign(&["--uri", "videos/a", "--now", "1700000000", "--ttl", "2d"]);
    let o = qcdn(&["token", "audit", "--now", "1700000000", &t]);
    assert_eq!(code(&o), 0, "warnings are advice: {}", err(&o));
    let s = out(&o);
    assert!(s.starts_with("2 warnings (the signature was not checked"), "{s}");
    assert!(
        s.contains("  [warn] PREFIX_COVERS_SIBLINGS: `uri` `videos/a` is a plain prefix"),
        "{s}"
    );
    assert!(s.contains("  [warn] LONG_LIFETIME: "), "{s}");
    // The clock matters: a day later the remaining lifetime is no longer long.
    let o = qcdn(&["token", "audit", "--now", "1700090000", "--output", "json", &t]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v["verified"], false);
    assert_eq!(v["warnings"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["warnings"][0]["code"], "PREFIX_COVERS_SIBLINGS");
    assert!(
        v["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("videos/a.secret")
    );
    // A folder for an hour: nothing to say. Also read out of a URL and stdin.
    let t = sign(&["--uri", "videos/a/"]);
    let url = format!("https://bkt.media-storage.us-west.qencode.com/videos/a/x.mp4?auth={t}");
    let o = qcdn(&["token", "audit", &url]);
    assert_eq!(code(&o), 0);
    assert!(out(&o).starts_with("no warnings"), "{}", out(&o));
    let o = qcdn_stdin(&["token", "audit", "--output", "json", "-"], t.as_bytes());
    assert_eq!(out(&o).trim(), "{\n  \"verified\": false,\n  \"warnings\": []\n}");
    assert_error(&qcdn(&["token", "audit", "a.b"]), 3, "MALFORMED_TOKEN");
}

#[test]
fn verify_explains_a_signed_url_check_by_check() {
    let k = key("rsa2048.pkcs1.pem");
    let o = qcdn(&[
        "url",
        "storage",
        "my-bucket",
        "videos/a.mp4",
        "--region",
        "us-west",
        "--sign",
        "--key-id",
        "kid-1",
        "--key",
        &k,
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let url = out(&o).trim().to_string();
    let o = qcdn(&[
        "token",
        "verify",
        "--public-key",
        &key("rsa2048.spki.pem"),
        "--url",
        &url,
    ]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(out(&o).starts_with("ACCEPTED: "));
    assert!(out(&o).contains("[ok] resource"), "{}", out(&o));
    // Reuse the token for another object: refused, and the resource check says why.
    let tampered = url.replace("videos/a.mp4", "videos/b.mp4");
    let o = qcdn(&[
        "token",
        "verify",
        "--public-key",
        &key("rsa2048.spki.pem"),
        "--url",
        &tampered,
    ]);
    assert_eq!(code(&o), 1);
    assert!(out(&o).contains("[FAIL] resource"), "{}", out(&o));
    let o = qcdn(&[
        "token",
        "verify",
        "--public-key",
        &key("rsa2048.spki.pem"),
        "--url",
        &url,
        "--output",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v["ok"], true);
}

#[test]
fn verify_accepts_a_private_key_or_jwk_as_the_public_key_and_refuses_junk() {
    let t = sign(&["--uri", "abc-play"]);
    let o = qcdn(&[
        "keys",
        "public",
        "--key",
        &key("rsa2048.pkcs1.pem"),
        "--jwk",
        "--key-id",
        "kid-1",
    ]);
    assert_eq!(code(&o), 0);
    let dir = tempdir();
    let jwk = format!("{dir}/k.jwk");
    std::fs::write(&jwk, out(&o)).unwrap();
    let o = qcdn(&["token", "verify", "--public-key", &jwk, &t]);
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    assert!(
        out(&o).contains("covers was not checked"),
        "says what it did not check: {}",
        out(&o)
    );
    assert!(
        out(&o).contains("[ok] key_id: signed with key `kid-1`") && !out(&o).contains("(not checked"),
        "a JWK's kid is the expected key id: {}",
        out(&o)
    );
    let o = qcdn(&["token", "verify", "--public-key", &key("rsa2048.pkcs8.pem"), &t]);
    assert_eq!(code(&o), 0, "a private key file works as the public key: {}", err(&o));
    let o = qcdn(&["token", "verify", "--public-key", &key("ec-p256.pkcs8.pem"), &t]);
    assert_error(&o, 3, "INVALID_KEY");
    let o = qcdn(&[
        "token",
        "verify",
        "--public-key",
        &key("rsa2048.spki.pem"),
        "--resource",
        "nope",
        &t,
    ]);
    assert_error(&o, 3, "INVALID_ARGUMENT");
    let o = qcdn(&["token", "verify", "--public-key", &key("rsa2048.spki.pem")]);
    assert_eq!(code(&o), 2, "a token or --url is required");
}

#[test]
fn keys_public_prints_the_spki_pem_or_a_jwk() {
    let o = qcdn(&["keys", "public", "--key", &key("rsa2048.pkcs1.pem")]);
    assert_eq!(code(&o), 0);
    let expected = std::fs::read_to_string(key("rsa2048.spki.pem")).unwrap();
    assert_eq!(out(&o).trim(), expected.trim());
    let o = qcdn(&["keys", "public", "--key", &key("rsa2048.pkcs8.der"), "--jwk"]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v["kty"], "RSA");
    assert!(v.get("kid").is_none());
    assert!(v.get("d").is_none(), "no private parts");
    assert_error(
        &qcdn(&["keys", "public", "--key", &key("rsa1024.pkcs1.pem")]),
        3,
        "INVALID_KEY",
    );
    let o = qcdn_cmd()
        .args(["keys", "public"])
        .env(
            "QENCODE_SIGNING_KEY",
            std::fs::read_to_string(key("rsa2048.pkcs8.pem")).unwrap(),
        )
        .output()
        .unwrap();
    assert_eq!(
        out(&o).trim(),
        expected.trim(),
        "the key can come from QENCODE_SIGNING_KEY"
    );
}
