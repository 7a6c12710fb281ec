//! The API commands and `qcdn emulator`, run as a process against a real
//! emulator on a free port.

mod common;
use common::*;

use std::io::BufRead as _;
use std::process::Stdio;

use qencode_cdn_emulator::{Fault, FaultKind};

#[test]
fn domains_create_get_list_delete_in_json_and_table() {
    let emu = emulator();
    let d = json(&api(&emu, &["domains", "create", "live.example.com", "--type", "live"]));
    assert_eq!(d["domain_name"], "live.example.com");
    assert_eq!(d["type"], "live");
    let id = d["id"].as_str().unwrap().to_string();
    json(&api(
        &emu,
        &["domains", "create", "media.example.com", "--type", "storage"],
    ));
    assert_eq!(json(&api(&emu, &["domains", "get", &id]))["id"], id.as_str());
    assert_eq!(json(&api(&emu, &["domains", "list"])).as_array().unwrap().len(), 2);
    let live = json(&api(&emu, &["domains", "list", "--type", "live"]));
    assert_eq!(live.as_array().unwrap().len(), 1);
    let o = api(&emu, &["domains", "list", "--output", "table"]);
    assert_eq!(code(&o), 0);
    let t = out(&o);
    assert!(t.starts_with("ID "), "{t}");
    assert!(t.contains("live.example.com") && t.contains("media.example.com"), "{t}");
    assert_eq!(json(&api(&emu, &["domains", "delete", &id]))["status"], "ok");
    assert_error(&api(&emu, &["domains", "get", &id]), 5, "NOT_FOUND");
    assert_error(
        &api(&emu, &["domains", "create", "x.example.com", "--type", "vod"]),
        3,
        "INVALID_ARGUMENT",
    );
}

#[test]
fn tls_create_shows_the_cname_then_get_list_delete() {
    let emu = emulator();
    let d = json(&api(&emu, &["domains", "create", "live.example.com", "--type", "live"]));
    let t = json(&api(&emu, &["tls", "create", d["id"].as_str().unwrap()]));
    assert_eq!(t["status"], "pending");
    assert!(t["message"].as_str().unwrap().contains("CNAME"), "{t}");
    let id = t["id"].as_str().unwrap();
    assert_eq!(json(&api(&emu, &["tls", "get", id]))["domain_id"], d["id"]);
    assert_eq!(json(&api(&emu, &["tls", "list"])).as_array().unwrap().len(), 1);
    assert!(out(&api(&emu, &["tls", "list", "-o", "table"])).contains("pending"));
    assert_eq!(json(&api(&emu, &["tls", "delete", id]))["status"], "ok");
    assert_error(&api(&emu, &["tls", "get", id]), 5, "NOT_FOUND");
}

#[test]
fn signing_key_create_writes_a_0600_file_never_overwrites_and_never_prints_the_key() {
    let emu = emulator();
    emu.add_stream("stream-1", "play-1");
    let dir = tempdir();
    let file = format!("{dir}/stream.pem");
    let o = api(
        &emu,
        &["signing-keys", "create", "--stream", "stream-1", "--out", &file],
    );
    let k = json(&o);
    assert_eq!(k["stream_id"], "stream-1");
    assert!(k.get("private_key").is_none(), "{k}");
    assert!(!out(&o).contains("PRIVATE KEY") && !err(&o).contains("PRIVATE KEY"));
    let pem = std::fs::read_to_string(&file).unwrap();
    assert!(pem.contains("PRIVATE KEY-----"), "the file holds the PEM");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // The key from the file signs a URL the emulated edge accepts.
    let kid = k["id"].as_str().unwrap();
    let o = qcdn(&["url", "live", "play-1", "--sign", "--key-id", kid, "--key", &file]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(emu.fetch(out(&o).trim(), None).unwrap().status, 200);
    assert_eq!(
        emu.fetch("https://play-play-1.qencode.com/qhls/qlive/playlist.m3u8", None)
            .unwrap()
            .status,
        403
    );
    // The same --out again: refused before any key is created, the file untouched.
    let before = json(&api(&emu, &["signing-keys", "list"])).as_array().unwrap().len();
    let o = api(
        &emu,
        &["signing-keys", "create", "--stream", "stream-1", "--out", &file],
    );
    assert_error(&o, 3, "INVALID_ARGUMENT");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), pem);
    assert_eq!(
        json(&api(&emu, &["signing-keys", "list"])).as_array().unwrap().len(),
        before
    );
    // Neither --out nor --print-private-key, or no target: usage errors.
    assert_eq!(code(&api(&emu, &["signing-keys", "create", "--stream", "stream-1"])), 2);
    assert_eq!(
        code(&api(
            &emu,
            &["signing-keys", "create", "--out", &format!("{dir}/x.pem")]
        )),
        2
    );
    assert_eq!(
        code(&api(
            &emu,
            &[
                "signing-keys",
                "create",
                "--stream",
                "s",
                "--bucket",
                "b",
                "--print-private-key"
            ]
        )),
        2
    );
    // Asked for by name: printed.
    let k2 = json(&api(
        &emu,
        &["signing-keys", "create", "--bucket", "my-bucket", "--print-private-key"],
    ));
    assert!(k2["private_key"].as_str().unwrap().contains("PRIVATE KEY-----"));
    assert_eq!(k2["bucket_name"], "my-bucket");
}

#[test]
fn signing_keys_get_list_rename_delete() {
    let emu = emulator();
    let d = json(&api(&emu, &["domains", "create", "live.example.com", "--type", "live"]));
    let k = json(&api(
        &emu,
        &[
            "signing-keys",
            "create",
            "--domain",
            d["id"].as_str().unwrap(),
            "--print-private-key",
        ],
    ));
    let id = k["id"].as_str().unwrap();
    assert_eq!(
        json(&api(&emu, &["signing-keys", "rename", id, "Web player"]))["name"],
        "Web player"
    );
    let got = json(&api(&emu, &["signing-keys", "get", id]));
    assert_eq!(got["name"], "Web player");
    assert!(got.get("private_key").is_none());
    let t = out(&api(&emu, &["signing-keys", "list", "--output", "table"]));
    assert!(t.contains("Web player") && t.contains(id), "{t}");
    assert_eq!(json(&api(&emu, &["signing-keys", "delete", id]))["status"], "ok");
    assert_error(&api(&emu, &["signing-keys", "get", id]), 5, "NOT_FOUND");
}

#[test]
fn buckets_policy_cors_and_purge() {
    let emu = emulator();
    emu.add_object("my-bucket", "a.mp4", b"x".to_vec());
    let url = "https://my-bucket.media-storage.us-west.qencode.com/a.mp4";
    assert_eq!(emu.fetch(url, None).unwrap().status, 200);
    assert_eq!(
        json(&api(&emu, &["buckets", "policy", "my-bucket", "authenticated"]))["status"],
        "ok"
    );
    assert_eq!(emu.fetch(url, None).unwrap().status, 403);
    assert_error(
        &api(&emu, &["buckets", "policy", "my-bucket", "private"]),
        3,
        "INVALID_ARGUMENT",
    );
    let dir = tempdir();
    let f = format!("{dir}/cors.json");
    std::fs::write(&f, r#"{"Access-Control-Max-Age": "600"}"#).unwrap();
    let o = api(
        &emu,
        &[
            "buckets",
            "cors",
            "set",
            "my-bucket",
            "--header",
            "Access-Control-Allow-Origin=*",
            "--json",
            &f,
        ],
    );
    assert_eq!(json(&o)["status"], "ok");
    let c = json(&api(&emu, &["buckets", "cors", "get", "my-bucket"]));
    assert_eq!(c["Access-Control-Allow-Origin"], "*");
    assert_eq!(c["Access-Control-Max-Age"], "600");
    assert!(
        out(&api(&emu, &["buckets", "cors", "get", "my-bucket", "-o", "table"])).contains("Access-Control-Max-Age")
    );
    let o = api(
        &emu,
        &[
            "buckets",
            "cors",
            "delete",
            "my-bucket",
            "--header",
            "Access-Control-Max-Age",
        ],
    );
    assert_eq!(json(&o)["status"], "ok");
    let c = json(&api(&emu, &["buckets", "cors", "get", "my-bucket"]));
    assert!(c.get("Access-Control-Max-Age").is_none(), "{c}");
    assert_eq!(
        json(&api(&emu, &["buckets", "cors", "delete", "my-bucket"]))["status"],
        "ok"
    );
    assert_error(
        &api(&emu, &["buckets", "cors", "set", "my-bucket", "--header", "novalue"]),
        3,
        "INVALID_ARGUMENT",
    );
    assert_eq!(code(&api(&emu, &["buckets", "cors", "set", "my-bucket"])), 2);
    assert_eq!(json(&api(&emu, &["buckets", "purge", "my-bucket"]))["status"], "ok");
    assert_eq!(
        json(&api(&emu, &["buckets", "purge", "my-bucket", "--path", "a.mp4"]))["status"],
        "ok"
    );
    let n = emu.counters().requests;
    assert_eq!(n.get("POST /v1/buckets/*/cache/purge_all"), Some(&1));
    assert_eq!(n.get("POST /v1/buckets/*/cache/purge"), Some(&1));
}

#[test]
fn api_key_from_env_or_file_missing_is_invalid_input_wrong_is_auth_and_never_printed() {
    let emu = emulator();
    let o = qcdn(&["domains", "list", "--api-url", &emu.url(), "--auth-url", &emu.url()]);
    assert_error(&o, 3, "INVALID_ARGUMENT");
    assert!(err(&o).contains("QENCODE_API_KEY"), "{}", err(&o));
    let dir = tempdir();
    let f = format!("{dir}/api-key");
    std::fs::write(&f, format!("{}\n", emu.api_key())).unwrap();
    let o = qcdn(&[
        "domains",
        "list",
        "--api-key-file",
        &f,
        "--api-url",
        &emu.url(),
        "--auth-url",
        &emu.url(),
    ]);
    assert_eq!(json(&o), serde_json::json!([]));
    let secret = "wrong-key-7f3a9c";
    let o = qcdn_cmd()
        .args(["domains", "list", "--api-url", &emu.url(), "--auth-url", &emu.url()])
        .env("QENCODE_API_KEY", secret)
        .output()
        .unwrap();
    assert_error(&o, 4, "UNAUTHORIZED");
    assert!(!err(&o).contains(secret) && !out(&o).contains(secret), "{}", err(&o));
}

#[test]
fn network_failures_exit_6_and_other_api_errors_exit_7() {
    let emu = emulator();
    // Nothing listens on the port of a stopped emulator.
    let gone = {
        let e = emulator();
        let u = e.url();
        e.stop();
        u
    };
    let o = qcdn_cmd()
        .args(["domains", "list", "--api-url", &gone, "--auth-url", &gone])
        .env("QENCODE_API_KEY", "k")
        .output()
        .unwrap();
    assert_error(&o, 6, "TRANSPORT");
    emu.inject_fault(Fault {
        route: "GET /v1/domains".into(),
        times: 1,
        kind: FaultKind::Status {
            status: 500,
            retry_after: None,
        },
    });
    assert_error(&api(&emu, &["domains", "list"]), 7, "API_ERROR");
    emu.inject_fault(Fault {
        route: "GET /v1/domains".into(),
        times: 1,
        kind: FaultKind::Delay(std::time::Duration::from_secs(2)),
    });
    assert_error(
        &api(&emu, &["domains", "list", "--timeout", "1", "--max-retries", "0"]),
        6,
        "TIMEOUT",
    );
    // Fractions and milliseconds, as the client options take them.
    for timeout in ["0.5", "500ms"] {
        emu.inject_fault(Fault {
            route: "GET /v1/domains".into(),
            times: 1,
            kind: FaultKind::Delay(std::time::Duration::from_secs(2)),
        });
        assert_error(
            &api(&emu, &["domains", "list", "--timeout", timeout, "--max-retries", "0"]),
            6,
            "TIMEOUT",
        );
    }
}

#[test]
fn client_options_are_checked_by_the_core() {
    let emu = emulator();
    for (flag, value) in [("--max-retries", "-1"), ("--timeout", "0"), ("--timeout", "25h")] {
        let o = api(&emu, &["domains", "list", flag, value]);
        assert_error(&o, 3, "INVALID_ARGUMENT");
        assert!(
            err(&o).contains("hint: --timeout is `timeout`"),
            "{flag} {value}: {}",
            err(&o)
        );
    }
    assert_error(
        &api(&emu, &["domains", "list", "--timeout", "soon"]),
        3,
        "INVALID_ARGUMENT",
    );
    assert_eq!(emu.counters().requests.values().sum::<u64>(), 0, "nothing was sent");
    assert_eq!(
        json(&api(
            &emu,
            &["domains", "list", "--timeout", "1.5s", "--max-retries", "0"]
        )),
        serde_json::json!([])
    );
}

#[test]
fn a_blank_api_key_counts_as_unset_and_a_padded_one_is_trimmed() {
    let emu = emulator();
    let with_key = |k: &str| {
        qcdn_cmd()
            .args(["domains", "list", "--api-url", &emu.url(), "--auth-url", &emu.url()])
            .env("QENCODE_API_KEY", k)
            .output()
            .unwrap()
    };
    let o = with_key("   ");
    assert_error(&o, 3, "INVALID_ARGUMENT");
    assert!(
        err(&o).contains("QENCODE_API_KEY (the API key) is not set"),
        "{}",
        err(&o)
    );
    assert!(
        err(&o).contains("hint: set QENCODE_API_KEY or pass --api-key-file"),
        "{}",
        err(&o)
    );
    assert_eq!(json(&with_key(&format!(" {}\n", emu.api_key()))), serde_json::json!([]));
}

#[test]
fn emulator_command_serves_until_killed_and_prints_its_url_and_keys() {
    let mut child = qcdn_cmd()
        .args([
            "emulator",
            "--listen",
            "127.0.0.1:0",
            "--api-key",
            "cli-test-key",
            "--signing-key-bits",
            "2048",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("qencode-cdn emulator listening on ")
        .expect(&first)
        .to_string();
    assert_eq!(lines.next().unwrap().unwrap(), "cli-test-key");
    let o = qcdn_cmd()
        .args([
            "domains",
            "create",
            "live.example.com",
            "--type",
            "live",
            "--api-url",
            &url,
            "--auth-url",
            &url,
        ])
        .env("QENCODE_API_KEY", "cli-test-key")
        .output()
        .unwrap();
    assert_eq!(json(&o)["domain_name"], "live.example.com");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_error(&qcdn(&["emulator", "--listen", "localhost"]), 3, "INVALID_ARGUMENT");
    assert_error(
        &qcdn(&["emulator", "--listen", "127.0.0.1:0", "--signing-key-bits", "1000"]),
        3,
        "INVALID_ARGUMENT",
    );
}

#[test]
fn demo_walks_the_whole_flow_and_exits_0() {
    let o = qcdn(&["demo"]);
    let s = out(&o);
    assert_eq!(code(&o), 0, "stdout: {s}\nstderr: {}", err(&o));
    for want in [
        "access token obtained (not shown)",
        "Create a CNAME for 'live.example.com'",
        "2048-bit",
        "403 Forbidden: MISSING_TOKEN",
        "200 OK",
        "[FAIL] signature",
        "expectations held",
    ] {
        assert!(s.contains(want), "`{want}` missing from the demo output:\n{s}");
    }
    assert!(!s.contains("\x1b["), "no colour when stdout is not a terminal");
    assert_eq!(
        s.matches("[FAIL]").count(),
        1,
        "only the tampered URL's signature check fails"
    );
    assert!(!s.contains("PRIVATE KEY"), "no private key in the demo output");
    let o = qcdn(&["demo", "--color", "always"]);
    assert_eq!(code(&o), 0);
    assert!(out(&o).contains("\x1b[32m"), "colour when asked for");
}
