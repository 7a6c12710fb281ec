//! `qcdn url …`, `qcdn cookie`, `qcdn completions` and the help texts, run as a process.

mod common;
use common::*;

#[test]
fn unsigned_urls_of_the_four_forms() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["url", "live", "abc-play"],
            "https://play-abc-play.qencode.com/qhls/qlive/playlist.m3u8",
        ),
        (
            &["url", "live-domain", "live.example.com", "abc-play"],
            "https://live.example.com/abc-play.m3u8",
        ),
        (
            &[
                "url",
                "storage",
                "my-bucket",
                "videos/a b.mp4",
                "--region",
                "eu-central",
            ],
            "https://my-bucket.media-storage.eu-central.qencode.com/videos/a%20b.mp4",
        ),
        (
            &["url", "storage-domain", "media.example.com", "videos/a.mp4"],
            "https://media.example.com/videos/a.mp4",
        ),
    ];
    for (args, want) in cases {
        let o = qcdn(args);
        assert_eq!(code(&o), 0, "{args:?}: {}", err(&o));
        assert_eq!(out(&o).trim(), want);
    }
}

#[test]
fn signed_urls_carry_a_token_for_their_resource() {
    let k = key("rsa2048.pkcs1.pem");
    let sign = ["--sign", "--key-id", "kid-1", "--key", k.as_str(), "--ttl", "5m"];
    let cases: [(Vec<&str>, &str); 4] = [
        (vec!["url", "live", "abc-play"], "abc-play"),
        (vec!["url", "live-domain", "live.example.com", "abc-play"], "abc-play"),
        (
            vec!["url", "storage", "my-bucket", "/videos/a.mp4", "--region", "us-west"],
            "videos/a.mp4",
        ),
        (
            vec!["url", "storage-domain", "media.example.com", "videos/a.mp4"],
            "videos/a.mp4",
        ),
    ];
    for (mut args, uri) in cases {
        args.extend_from_slice(&sign);
        let o = qcdn(&args);
        assert_eq!(code(&o), 0, "{args:?}: {}", err(&o));
        let url = out(&o).trim().to_string();
        let token = url.split("auth=").nth(1).unwrap();
        let p = payload(token);
        assert_eq!(p["uri"], uri, "{url}");
        let o = qcdn(&[
            "token",
            "verify",
            "--public-key",
            &key("rsa2048.spki.pem"),
            "--url",
            &url,
        ]);
        assert_eq!(code(&o), 0, "{}", out(&o));
    }
}

#[test]
fn bad_url_parts_are_invalid_input_and_signing_flags_need_sign() {
    assert_error(
        &qcdn(&["url", "storage", "my-bucket", "a.mp4", "--region", "mars"]),
        3,
        "INVALID_ARGUMENT",
    );
    assert_error(
        &qcdn(&["url", "storage", "Bad_Bucket!", "a.mp4", "--region", "us-west"]),
        3,
        "INVALID_ARGUMENT",
    );
    assert_error(
        &qcdn(&["url", "live-domain", "not a domain", "abc"]),
        3,
        "INVALID_ARGUMENT",
    );
    let o = qcdn(&["url", "live", "abc", "--key", &key("rsa2048.pkcs1.pem")]);
    assert_error(&o, 3, "INVALID_ARGUMENT");
    assert!(err(&o).contains("--sign"));
    let o = qcdn(&["url", "live", "abc", "--sign"]);
    assert_error(&o, 3, "INVALID_ARGUMENT");
    assert!(err(&o).contains("--key-id"), "{}", err(&o));
    assert_eq!(code(&qcdn(&["url", "storage", "b", "k"])), 2, "--region is required");
}

#[test]
fn cookie_prints_a_set_cookie_value_for_the_folder() {
    let k = key("rsa2048.pkcs1.pem");
    let o = qcdn(&[
        "cookie",
        "--key-id",
        "kid-1",
        "--key",
        &k,
        "--uri",
        "videos/intro/",
        "--domain",
        "example.com",
        "--ttl",
        "2h",
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let c = out(&o).trim().to_string();
    assert!(c.starts_with("Qencode-Auth-Token=eyJ"), "{c}");
    for attr in [
        "; Domain=example.com",
        "; Path=/videos/intro/",
        "; Max-Age=7200",
        "; Secure",
        "; HttpOnly",
        "; SameSite=Lax",
    ] {
        assert!(c.contains(attr), "{attr} missing in {c}");
    }
    let o = qcdn(&[
        "cookie",
        "--key-id",
        "kid-1",
        "--key",
        &k,
        "--uri",
        "videos/intro/",
        "--same-site",
        "strict",
        "--output",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v["name"], "Qencode-Auth-Token");
    assert_eq!(v["same_site"], "Strict");
    let o = qcdn(&[
        "cookie",
        "--key-id",
        "k",
        "--key",
        &k,
        "--uri",
        "x",
        "--same-site",
        "none",
        "--insecure",
    ]);
    assert_error(&o, 3, "INVALID_ARGUMENT");
    let o = qcdn(&[
        "cookie",
        "--key-id",
        "k",
        "--key",
        &k,
        "--uri",
        "x",
        "--same-site",
        "sometimes",
    ]);
    assert_error(&o, 3, "INVALID_ARGUMENT");
}

#[test]
fn cookie_refuses_a_leading_slash_and_a_single_file_with_hints_in_flags() {
    let k = key("rsa2048.pkcs1.pem");
    let cookie = |extra: &[&str]| {
        let mut a = vec!["cookie", "--key-id", "kid-1", "--key", k.as_str()];
        a.extend_from_slice(extra);
        qcdn(&a)
    };
    let o = cookie(&["--uri", "/videos/a/"]);
    assert_error(&o, 3, "INVALID_ARGUMENT");
    let e = err(&o);
    assert!(e.contains("`/videos/a/` starts with `/`"), "the core's message: {e}");
    assert!(
        e.contains("\n  hint: pass --uri videos/a/ (object keys and playback ids have no leading `/`)"),
        "{e}"
    );
    let o = cookie(&["--uri", "videos/a/master.m3u8"]);
    assert_error(&o, 3, "INVALID_ARGUMENT");
    let e = err(&o);
    assert!(e.contains("sign the folder `videos/a/`"), "the core's message: {e}");
    assert!(
        e.contains(
            "\n  hint: pass --uri videos/a/ to sign the folder (every playlist and segment under it), \
             or keep this uri and add --path /videos/a/master.m3u8 for a cookie of that one file"
        ),
        "{e}"
    );
    // Both hints name shell words the user can paste.
    let o = cookie(&["--uri", "my videos/a b.m3u8"]);
    assert!(
        err(&o).contains("pass --uri 'my videos/' to sign the folder"),
        "{}",
        err(&o)
    );
    // The hinted forms work: the folder, or the file with its own --path.
    assert_eq!(code(&cookie(&["--uri", "videos/a/"])), 0);
    let o = cookie(&["--uri", "videos/a/master.m3u8", "--path", "/videos/a/master.m3u8"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(out(&o).contains("; Path=/videos/a/master.m3u8;"), "{}", out(&o));
    // Other refusals get no uri hint.
    let o = cookie(&["--uri", "videos/a/", "--domain", "not a domain"]);
    assert_error(&o, 3, "INVALID_ARGUMENT");
    assert!(!err(&o).contains("hint: pass --uri"), "{}", err(&o));
}

#[test]
fn token_sign_names_the_flag_for_a_leading_slash() {
    let o = qcdn(&[
        "token",
        "sign",
        "--key-id",
        "kid-1",
        "--key",
        &key("rsa2048.pkcs1.pem"),
        "--uri",
        "/videos/a/",
    ]);
    assert_error(&o, 3, "INVALID_ARGUMENT");
    assert!(err(&o).contains("hint: pass --uri videos/a/"), "{}", err(&o));
}

#[test]
fn url_token_puts_an_existing_token_in_the_url() {
    let o = qcdn(&[
        "url",
        "storage",
        "b-1",
        "dir one/a.mp4",
        "--region",
        "eu-central",
        "--token",
        "h.p.s",
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        out(&o).trim(),
        "https://b-1.media-storage.eu-central.qencode.com/dir%20one/a.mp4?auth=h.p.s"
    );
    assert_error(
        &qcdn(&["url", "live", "abc", "--token", "bad token&x=1"]),
        3,
        "INVALID_ARGUMENT",
    );
    assert_eq!(
        code(&qcdn(&["url", "live", "abc", "--token", "h.p.s", "--sign"])),
        2,
        "--token and --sign exclude each other"
    );
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let o = qcdn(&["completions", shell]);
        assert_eq!(code(&o), 0);
        assert!(out(&o).contains("qcdn") && out(&o).len() > 500, "{shell}");
    }
    assert_eq!(code(&qcdn(&["completions", "cmd.exe"])), 2);
}

#[test]
fn help_has_examples_and_usage_errors_exit_2() {
    for args in [
        vec!["--help"],
        vec!["token", "sign", "--help"],
        vec!["url", "storage", "--help"],
        vec!["cookie", "--help"],
        vec!["token", "audit", "--help"],
    ] {
        let o = qcdn(&args);
        assert_eq!(code(&o), 0);
        assert!(out(&o).contains("Example"), "{args:?}");
    }
    let o = qcdn(&["frobnicate"]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).starts_with("error: "), "{}", err(&o));
    assert_eq!(code(&qcdn(&[])), 2);
    assert_eq!(code(&qcdn(&["--version"])), 0);
}
