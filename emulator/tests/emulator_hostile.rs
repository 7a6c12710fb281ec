//! The emulator under hostile input, over real loopback TCP: overflowing
//! chunk sizes, slow and idle clients, state that would grow without bound,
//! web pages aiming at the admin API, and a non-loopback listen address.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use qencode_cdn_emulator::{Emulator, EmulatorConfig, OTHER_ROUTES, StateLimits};
use serde_json::{Value, json};

fn config() -> EmulatorConfig {
    EmulatorConfig {
        signing_key_bits: 2048,
        ..Default::default()
    }
}

/// Sends `request` on a fresh connection and returns everything the server
/// sent before closing. Panics if the server neither answers nor closes
/// within 20 s (a hang).
fn raw(emu: &Emulator, request: &[u8]) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", emu.port())).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out)
        .expect("the emulator answers or closes the connection, never hangs");
    String::from_utf8_lossy(&out).into_owned()
}

/// Status and JSON body of a raw HTTP answer.
fn parse(answer: &str) -> (u16, Value) {
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((answer, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

fn served(emu: &Emulator) -> String {
    raw(emu, b"GET /v1/domains HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
}

fn token(emu: &Emulator) -> String {
    let out = raw(
        emu,
        format!(
            "POST /v1/access_token/{} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            emu.api_key()
        )
        .as_bytes(),
    );
    parse(&out).1["access_token"].as_str().unwrap().to_string()
}

/// One API request with the bearer token; returns status and JSON body.
fn api(emu: &Emulator, t: &str, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {t}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    parse(&raw(emu, req.as_bytes()))
}

/// One admin POST with a JSON body and extra header lines.
fn admin(emu: &Emulator, path: &str, body: &Value, extra: &str) -> (u16, Value) {
    let body = body.to_string();
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    parse(&raw(emu, req.as_bytes()))
}

#[test]
fn chunk_sizes_whose_sum_overflows_are_refused_at_once_and_the_emulator_keeps_serving() {
    // One connection slot: if the refused connection leaked it, the next one would get 503.
    let emu = Emulator::start(EmulatorConfig {
        max_connections: 1,
        ..config()
    })
    .unwrap();
    for sizes in [
        "1\r\na\r\nffffffffffffffff\r\n",
        "ffffffffffffffff\r\n",
        "1\r\na\r\n10000000000000000\r\n",
    ] {
        let req = format!("POST /v1/domains HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{sizes}");
        let out = raw(&emu, req.as_bytes());
        let (status, body) = parse(&out);
        assert_eq!(status, 413, "{sizes:?}: {out}");
        assert_eq!(body["error"], "request body too large");
        let next = served(&emu);
        assert!(next.starts_with("HTTP/1.1 401"), "still serving: {next}");
    }
}

#[test]
fn a_client_that_trickles_bytes_is_cut_off_at_the_request_deadline() {
    let emu = Emulator::start(EmulatorConfig {
        max_connections: 1,
        request_timeout: Duration::from_secs(1),
        ..config()
    })
    .unwrap();
    let mut s = TcpStream::connect(("127.0.0.1", emu.port())).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let stop = AtomicBool::new(false);
    let answer = std::thread::scope(|scope| {
        let mut writer = s.try_clone().unwrap();
        let stop = &stop;
        // A head that never ends, one byte every 100 ms, for up to 30 s.
        scope.spawn(move || {
            let head = b"GET /v1/domains HTTP/1.1\r\nX-Slow: ";
            for i in 0..300 {
                let byte = head.get(i).copied().unwrap_or(b'a');
                if stop.load(Ordering::SeqCst) || writer.write_all(&[byte]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let mut out = Vec::new();
        let read = s.read_to_end(&mut out);
        stop.store(true, Ordering::SeqCst);
        read.expect("the server ends the slow request itself");
        String::from_utf8_lossy(&out).into_owned()
    });
    let (status, body) = parse(&answer);
    assert_eq!(status, 408, "{answer}");
    assert!(body["error"].is_string());
    // Its slot was freed.
    assert!(served(&emu).starts_with("HTTP/1.1 401"));
}

#[test]
fn an_idle_connection_is_closed_after_the_idle_timeout_without_an_answer() {
    let emu = Emulator::start(EmulatorConfig {
        max_connections: 1,
        idle_timeout: Duration::from_secs(1),
        ..config()
    })
    .unwrap();
    assert_eq!(raw(&emu, b""), "", "closed silently");
    // A keep-alive connection is answered, then closed once idle.
    let out = raw(&emu, b"GET /v1/domains HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(out.starts_with("HTTP/1.1 401"), "{out}");
    assert!(out.contains("Connection: keep-alive"), "{out}");
    assert!(served(&emu).starts_with("HTTP/1.1 401"));
}

#[test]
fn state_created_over_http_is_bounded_with_clear_errors() {
    let emu = Emulator::start(EmulatorConfig {
        limits: StateLimits {
            signing_keys: 2,
            tls_subscriptions: 1,
            buckets: 2,
            objects: 2,
            object_bytes: 10,
            streams: 1,
            storage_domains: 1,
            faults: 2,
            text_len: 16,
            counted_routes: 3,
        },
        ..config()
    })
    .unwrap();
    let t = token(&emu);
    let limit = |(status, body): (u16, Value), want: u16, field: &str| {
        assert_eq!(status, want, "{body}");
        let msg = body["error"].as_str().unwrap();
        assert!(msg.contains(field), "{msg}");
    };

    // Signing keys: two, then 400 naming the limit; deleting one makes room.
    let key = |stream: &str| api(&emu, &t, "POST", "/v1/signing-keys", Some(json!({"stream_id": stream})));
    let (status, first) = key("s1");
    assert_eq!(status, 200, "{first}");
    assert_eq!(key("s2").0, 200);
    limit(key("s3"), 400, "limits.signing_keys");
    let id = first["signing_key"]["id"].as_str().unwrap();
    assert_eq!(api(&emu, &t, "DELETE", &format!("/v1/signing-keys/{id}"), None).0, 200);
    limit(key("a-stream-id-longer-than-16"), 400, "`stream_id` is longer");
    assert_eq!(key("s3").0, 200);
    let (_, list) = api(&emu, &t, "GET", "/v1/signing-keys", None);
    let id = list["signing_keys"][0]["id"].as_str().unwrap().to_string();
    let rename = api(
        &emu,
        &t,
        "PUT",
        &format!("/v1/signing-keys/{id}"),
        Some(json!({"name": "x".repeat(17)})),
    );
    limit(rename, 400, "`name` is longer");

    // TLS subscriptions.
    let (_, d) = api(
        &emu,
        &t,
        "POST",
        "/v1/domains",
        Some(json!({"name": "a.example.com", "type": "live"})),
    );
    let domain_id = d["domain"]["id"].as_str().unwrap();
    let tls = || {
        api(
            &emu,
            &t,
            "POST",
            "/v1/tls/subscriptions",
            Some(json!({"domain_id": domain_id})),
        )
    };
    assert_eq!(tls().0, 200);
    limit(tls(), 400, "limits.tls_subscriptions");

    // Buckets: reading CORS of unknown buckets creates none; a third bucket is refused.
    for b in ["b-one", "b-two", "b-three"] {
        assert_eq!(
            api(&emu, &t, "GET", &format!("/v1/buckets/{b}/cors"), None),
            (200, json!({}))
        );
    }
    assert_eq!(
        api(&emu, &t, "PUT", "/v1/buckets/b-one/policy/authenticated", None).0,
        200
    );
    let cors = json!({"Access-Control-Max-Age": "600"});
    assert_eq!(
        api(&emu, &t, "POST", "/v1/buckets/b-two/cors", Some(cors.clone())).0,
        200
    );
    limit(
        api(&emu, &t, "POST", "/v1/buckets/b-three/cors", Some(cors)),
        400,
        "limits.buckets",
    );
    let long = json!({"Access-Control-Allow-Origin": "https://a-long-origin.example.com"});
    limit(
        api(&emu, &t, "POST", "/v1/buckets/b-two/cors", Some(long)),
        400,
        "`Access-Control-Allow-Origin` is longer",
    );

    // Objects (admin API): count, then bytes (413).
    let object = |key: &str, body: &str| {
        admin(
            &emu,
            "/_emulator/objects",
            &json!({"bucket": "b-one", "key": key, "body": body}),
            "",
        )
    };
    assert_eq!(object("a", "12345").0, 200);
    limit(object("b", "123456"), 413, "limits.object_bytes");
    assert_eq!(object("a", "1234567890").0, 200, "replacing an object frees its bytes");
    assert_eq!(object("b", "").0, 200);
    limit(object("c", ""), 400, "limits.objects");

    // Streams, storage domains, faults.
    let stream = |id: &str| {
        admin(
            &emu,
            "/_emulator/streams",
            &json!({"stream_id": id, "playback_id": "pid"}),
            "",
        )
    };
    assert_eq!(stream("st-1").0, 200);
    assert_eq!(stream("st-1").0, 200, "replacing is not growing");
    limit(stream("st-2"), 400, "limits.streams");
    let map = |d: &str| {
        admin(
            &emu,
            "/_emulator/domain-buckets",
            &json!({"domain": d, "bucket": "b-one"}),
            "",
        )
    };
    assert_eq!(map("files.example.com").0, 200);
    limit(map("more.example.com"), 400, "limits.storage_domains");
    assert_eq!(map("not a domain").0, 400);
    let fault = json!({"route": "GET /nothing", "kind": "drop", "times": 5});
    assert_eq!(admin(&emu, "/_emulator/faults", &fault, "").0, 200);
    assert_eq!(admin(&emu, "/_emulator/faults", &fault, "").0, 200);
    limit(admin(&emu, "/_emulator/faults", &fault, ""), 400, "limits.faults");

    // Counters: three route keys, then every further route under OTHER_ROUTES.
    emu.reset();
    for path in ["/v1/a", "/v1/b", "/v1/c", "/v1/d", "/v1/e"] {
        api(&emu, &t, "GET", path, None);
    }
    let c = emu.counters();
    assert_eq!(c.requests.len(), 4, "{c:?}");
    assert_eq!(c.requests[OTHER_ROUTES], 2, "{c:?}");
    assert_eq!(c.requests["GET /v1/c"], 1, "{c:?}");
}

#[test]
fn the_admin_api_refuses_web_pages() {
    let emu = Emulator::start(config()).unwrap();
    emu.add_stream("s", "pid");
    let live = "https://play-pid.qencode.com/qhls/qlive/playlist.m3u8";
    let reset = |extra: &str| {
        parse(&raw(
            &emu,
            format!("POST /_emulator/reset HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        ))
    };
    for origin in [
        "Origin: https://evil.example\r\n",
        "Origin: null\r\n",
        "Origin: http://127.0.0.1:3000\r\n",
        "Sec-Fetch-Site: cross-site\r\n",
        "Sec-Fetch-Site: same-origin\r\n",
    ] {
        let (status, body) = reset(origin);
        assert_eq!(status, 403, "{origin}");
        assert!(body["error"].as_str().unwrap().contains("web pages"), "{body}");
        assert_eq!(
            emu.fetch(live, None).unwrap().status,
            200,
            "nothing was reset ({origin})"
        );
    }
    // A simple-request body (no CORS preflight) is refused too, and nothing is injected.
    let fault = json!({"route": "*", "kind": "drop"}).to_string();
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let req = format!(
            "POST /_emulator/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{fault}",
            fault.len()
        );
        let (status, body) = parse(&raw(&emu, req.as_bytes()));
        assert_eq!(status, 415, "{ct}: {body}");
        assert!(body["error"].is_string());
    }
    let no_type = format!(
        "POST /_emulator/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{fault}",
        fault.len()
    );
    assert_eq!(parse(&raw(&emu, no_type.as_bytes())).0, 415);
    assert_eq!(emu.fetch(live, None).unwrap().status, 200, "no fault was injected");
    // The preflight a page would need is never approved.
    let preflight = raw(
        &emu,
        b"OPTIONS /_emulator/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(parse(&preflight).0, 403);
    assert!(
        !preflight.to_ascii_lowercase().contains("access-control-allow"),
        "{preflight}"
    );

    // Tools are served: JSON with charset, a URL typed into the address bar, an empty reset.
    let ok = admin(
        &emu,
        "/_emulator/streams",
        &json!({"stream_id": "s2", "playback_id": "p2"}),
        "",
    );
    assert_eq!(ok.0, 200);
    let typed = raw(
        &emu,
        b"GET /_emulator/counters HTTP/1.1\r\nHost: 127.0.0.1\r\nSec-Fetch-Site: none\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(parse(&typed).0, 200, "{typed}");
    let charset = format!(
        "POST /_emulator/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{fault}",
        fault.len()
    );
    assert_eq!(parse(&raw(&emu, charset.as_bytes())).0, 200);
    assert_eq!(reset(""), (200, json!({"status": "ok"})));
    assert_eq!(emu.fetch(live, None).unwrap().status, 404, "reset by a tool");
}

/// Starts the binary on `listen`, waits for its first line, stops it and
/// returns what it wrote on stderr.
fn binary_stderr(listen: &str) -> String {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_qencode-cdn-emulator"))
        .args(["--listen", listen, "--signing-key-bits", "2048"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with(qencode_cdn_emulator::LISTENING_PREFIX), "{first:?}");
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_non_loopback_listen_address_is_warned_about_once_on_stderr() {
    let err = binary_stderr("0.0.0.0:0");
    assert_eq!(err.matches(qencode_cdn_emulator::WARNING_PREFIX).count(), 1, "{err}");
    assert!(err.contains("not a loopback address"), "{err}");
    assert_eq!(binary_stderr("127.0.0.1:0"), "", "no warning on loopback");
}
