//! Faults, counters, keep-alive, concurrency, admin API, lifecycle and the
//! binary of the emulator, over real loopback TCP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use qencode_cdn_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};
use serde_json::{Value, json};

fn config() -> EmulatorConfig {
    EmulatorConfig {
        signing_key_bits: 2048,
        ..Default::default()
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

fn token(agent: &ureq::Agent, emu: &Emulator) -> String {
    let url = format!("{}/v1/access_token/{}", emu.url(), emu.api_key());
    let body = agent.post(&url).send("").unwrap().into_body().read_to_string().unwrap();
    let v: Value = serde_json::from_str(&body).unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

/// One request on a fresh TCP connection; returns everything the server sent before closing.
fn raw(emu: &Emulator, request: &str) -> Vec<u8> {
    let mut s = TcpStream::connect(("127.0.0.1", emu.port())).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

fn get(
    agent: &ureq::Agent,
    emu: &Emulator,
    token: &str,
    path: &str,
) -> Result<(u16, String, Option<String>), ureq::Error> {
    let resp = agent
        .get(&format!("{}{path}", emu.url()))
        .header("Authorization", format!("Bearer {token}"))
        .call()?;
    let status = resp.status().as_u16();
    let retry = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let body = resp.into_body().read_to_string()?;
    Ok((status, body, retry))
}

fn fault(route: &str, times: u32, kind: FaultKind) -> Fault {
    Fault {
        route: route.into(),
        times,
        kind,
    }
}

#[test]
fn status_fault_answers_n_times_with_retry_after_then_recovers() {
    let emu = Emulator::start(config()).unwrap();
    let a = agent();
    let t = token(&a, &emu);
    emu.inject_fault(fault(
        "GET /v1/domains",
        2,
        FaultKind::Status {
            status: 503,
            retry_after: Some(7),
        },
    ));
    for _ in 0..2 {
        let (status, body, retry) = get(&a, &emu, &t, "/v1/domains").unwrap();
        assert_eq!((status, retry.as_deref()), (503, Some("7")));
        assert!(serde_json::from_str::<Value>(&body).unwrap()["error"].is_string());
    }
    // Other routes are not affected.
    assert_eq!(get(&a, &emu, &t, "/v1/signing-keys").unwrap().0, 200);
    let (status, body, retry) = get(&a, &emu, &t, "/v1/domains").unwrap();
    assert_eq!((status, retry), (200, None));
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), json!({"domains": []}));
    let c = emu.counters();
    assert_eq!(c.requests["GET /v1/domains"], 3);
    assert_eq!(c.requests["GET /v1/signing-keys"], 1);
    assert_eq!(c.requests["POST /v1/access_token/*"], 1);
    assert_eq!(c.token_requests, 1);
}

#[test]
fn wildcard_fault_hits_the_token_route_too_and_429_has_no_retry_after_unless_asked() {
    let emu = Emulator::start(config()).unwrap();
    let a = agent();
    emu.inject_fault(fault(
        "*",
        1,
        FaultKind::Status {
            status: 429,
            retry_after: None,
        },
    ));
    let url = format!("{}/v1/access_token/{}", emu.url(), emu.api_key());
    let r = a.post(&url).send("").unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers().get("retry-after").is_none());
    assert_eq!(a.post(&url).send("").unwrap().status().as_u16(), 200);
    assert_eq!(emu.counters().token_requests, 2);
}

#[test]
fn delay_fault_holds_one_request_but_not_the_others() {
    let emu = Emulator::start(config()).unwrap();
    let a = agent();
    let t = token(&a, &emu);
    emu.inject_fault(fault(
        "GET /v1/domains/*",
        1,
        FaultKind::Delay(Duration::from_millis(1500)),
    ));
    std::thread::scope(|s| {
        let slow = s.spawn(|| {
            let start = Instant::now();
            let r = get(&agent(), &emu, &t, "/v1/domains/live").unwrap();
            (r.0, start.elapsed())
        });
        std::thread::sleep(Duration::from_millis(200));
        let start = Instant::now();
        let fast = get(&agent(), &emu, &t, "/v1/domains").unwrap();
        assert_eq!(fast.0, 200);
        assert!(start.elapsed() < Duration::from_millis(1000), "{:?}", start.elapsed());
        let (status, took) = slow.join().unwrap();
        assert_eq!(status, 200, "answered normally after the delay");
        assert!(took >= Duration::from_millis(1500), "{took:?}");
    });
}

#[test]
fn drop_fault_closes_the_connection_without_processing() {
    let emu = Emulator::start(config()).unwrap();
    let a = agent();
    let t = token(&a, &emu);
    emu.inject_fault(fault("POST /v1/domains", 1, FaultKind::Drop));
    let body = json!({"name": "a.example.com", "type": "live"}).to_string();
    let post = || {
        a.post(&format!("{}/v1/domains", emu.url()))
            .header("Authorization", format!("Bearer {t}"))
            .header("Content-Type", "application/json")
            .send(body.as_str())
    };
    assert!(post().is_err(), "a dropped connection is a transport error");
    assert_eq!(get(&a, &emu, &t, "/v1/domains").unwrap().1, r#"{"domains":[]}"#);
    assert_eq!(post().unwrap().status().as_u16(), 200);
    assert_eq!(emu.counters().requests["POST /v1/domains"], 2);
}

#[test]
fn truncate_fault_announces_more_than_it_sends_and_not_json_sends_html() {
    let emu = Emulator::start(config()).unwrap();
    let a = agent();
    let t = token(&a, &emu);
    emu.inject_fault(fault("GET /v1/domains", 1, FaultKind::Truncate));
    let req = format!("GET /v1/domains HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {t}\r\n\r\n");
    let out = raw(&emu, &req);
    let text = String::from_utf8_lossy(&out);
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let announced: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(body.len() < announced, "{} < {announced}", body.len());
    assert!(
        get(&a, &emu, &t, "/v1/domains").is_ok(),
        "only one request was truncated"
    );

    emu.inject_fault(fault("GET /v1/domains", 1, FaultKind::NotJson));
    let (status, body, _) = get(&a, &emu, &t, "/v1/domains").unwrap();
    assert_eq!((status, body.as_str()), (200, "<html>oops</html>"));
    assert_eq!(get(&a, &emu, &t, "/v1/domains").unwrap().1, r#"{"domains":[]}"#);
}

#[test]
fn edge_routes_can_be_faulted_and_are_counted() {
    let emu = Emulator::start(config()).unwrap();
    emu.add_object("my-bucket", "a.txt", b"hi".to_vec());
    emu.inject_fault(fault(
        "GET edge:storage",
        1,
        FaultKind::Status {
            status: 502,
            retry_after: None,
        },
    ));
    let url = "https://my-bucket.media-storage.us-west.qencode.com/a.txt";
    assert_eq!(emu.fetch(url, None).unwrap().status, 502);
    assert_eq!(emu.fetch(url, None).unwrap().status, 200);
    assert_eq!(emu.counters().requests["GET edge:storage"], 2);
}

#[test]
fn sequential_calls_reuse_one_keep_alive_connection() {
    let emu = Emulator::start(config()).unwrap();
    let a = agent();
    let t = token(&a, &emu);
    for _ in 0..100 {
        assert_eq!(get(&a, &emu, &t, "/v1/domains").unwrap().0, 200);
    }
    let c = emu.counters();
    assert_eq!(c.connections, 1, "{c:?}");
    assert_eq!(c.requests["GET /v1/domains"], 100);
    // Fresh connections are counted one by one.
    for _ in 0..3 {
        raw(&emu, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    }
    assert_eq!(emu.counters().connections, 4);
}

#[test]
fn eight_threads_at_once_are_served_concurrently() {
    let emu = Emulator::start(config()).unwrap();
    let t = token(&agent(), &emu);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let (emu, t) = (&emu, &t);
                s.spawn(move || {
                    let a = agent();
                    let r = a
                        .post(&format!("{}/v1/domains", emu.url()))
                        .header("Authorization", format!("Bearer {t}"))
                        .header("Content-Type", "application/json")
                        .send(json!({"name": format!("d{i}.example.com"), "type": "live"}).to_string())
                        .unwrap();
                    assert_eq!(r.status().as_u16(), 200);
                    for _ in 0..20 {
                        assert_eq!(get(&a, emu, t, "/v1/domains").unwrap().0, 200);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    });
    let c = emu.counters();
    assert_eq!(c.requests["POST /v1/domains"], 8);
    assert_eq!(c.requests["GET /v1/domains"], 160);
}

#[test]
fn admin_http_faults_counters_and_reset() {
    let emu = Emulator::start(config()).unwrap();
    let a = agent();
    let t = token(&a, &emu);
    let admin = |method: &str, path: &str, body: Option<Value>| {
        let url = format!("{}{path}", emu.url());
        let resp = match body {
            Some(b) => a
                .post(&url)
                .header("Content-Type", "application/json")
                .send(b.to_string()),
            None if method == "GET" => a.get(&url).call(),
            None => a.post(&url).send(""),
        }
        .unwrap();
        let status = resp.status().as_u16();
        (
            status,
            serde_json::from_str::<Value>(&resp.into_body().read_to_string().unwrap()).unwrap(),
        )
    };
    let ok = json!({"status": "ok"});
    let f = json!({"route": "GET /v1/domains", "times": 1, "kind": "status", "status": 504, "retry_after": 2});
    assert_eq!(admin("POST", "/_emulator/faults", Some(f)), (200, ok.clone()));
    let (status, _, retry) = get(&a, &emu, &t, "/v1/domains").unwrap();
    assert_eq!((status, retry.as_deref()), (504, Some("2")));
    let f = json!({"route": "GET /v1/domains", "times": 1, "kind": "delay", "delay_ms": 300});
    assert_eq!(admin("POST", "/_emulator/faults", Some(f)).0, 200);
    let start = Instant::now();
    assert_eq!(get(&a, &emu, &t, "/v1/domains").unwrap().0, 200);
    assert!(start.elapsed() >= Duration::from_millis(300));
    for kind in ["drop", "truncate", "not_json"] {
        let f = json!({"route": "GET /v1/nothing", "times": 1, "kind": kind});
        assert_eq!(admin("POST", "/_emulator/faults", Some(f)).0, 200, "{kind}");
    }
    for bad in [
        json!({"times": 1, "kind": "drop"}),
        json!({"route": "*", "kind": "explode"}),
        json!({"route": "*", "kind": "status"}),
        json!({"route": "*", "kind": "status", "status": 1000}),
        json!({"route": "*", "kind": "delay"}),
        json!({"route": "*", "kind": "drop", "times": -1}),
    ] {
        let (status, body) = admin("POST", "/_emulator/faults", Some(bad.clone()));
        assert_eq!(status, 400, "{bad}");
        assert!(body["error"].is_string());
    }

    let (status, counters) = admin("GET", "/_emulator/counters", None);
    assert_eq!(status, 200);
    assert_eq!(counters["requests"]["GET /v1/domains"], 2);
    assert_eq!(counters["token_requests"], 1);
    assert_eq!(counters["connections"], 1);

    assert_eq!(admin("POST", "/_emulator/reset", None), (200, ok));
    let c = emu.counters();
    assert!(c.requests.is_empty() && c.token_requests == 0, "{c:?}");
    // Pending faults are gone too, and the access token still works.
    let (status, _, _) = get(&a, &emu, &t, "/v1/nothing").unwrap();
    assert_eq!(status, 404);
}

#[test]
fn reset_forgets_domains_keys_and_objects() {
    let emu = Emulator::start(config()).unwrap();
    let a = agent();
    let t = token(&a, &emu);
    a.post(&format!("{}/v1/domains", emu.url()))
        .header("Authorization", format!("Bearer {t}"))
        .header("Content-Type", "application/json")
        .send(json!({"name": "a.example.com", "type": "live"}).to_string())
        .unwrap();
    emu.add_object("my-bucket", "a.txt", b"x".to_vec());
    emu.add_stream("s", "pid");
    emu.reset();
    assert_eq!(get(&a, &emu, &t, "/v1/domains").unwrap().1, r#"{"domains":[]}"#);
    let url = "https://my-bucket.media-storage.us-west.qencode.com/a.txt";
    assert_eq!(emu.fetch(url, None).unwrap().status, 404);
    let live = "https://play-pid.qencode.com/qhls/qlive/playlist.m3u8";
    assert_eq!(emu.fetch(live, None).unwrap().status, 404);
}

#[test]
fn http_details_chunked_bodies_expect_continue_http10_and_garbage() {
    let emu = Emulator::start(config()).unwrap();
    let t = token(&agent(), &emu);
    let body = r#"{"name":"chunked.example.com","type":"live"}"#;
    let (first, second) = body.split_at(10);
    let req = format!(
        "POST /v1/domains HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {t}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{first}\r\n{:x}\r\n{second}\r\n0\r\n\r\n",
        first.len(),
        second.len()
    );
    let out = String::from_utf8(raw(&emu, &req)).unwrap();
    assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
    assert!(out.contains("chunked.example.com"));

    // Expect: 100-continue gets its interim answer before the body is sent.
    let mut s = TcpStream::connect(("127.0.0.1", emu.port())).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let body = r#"{"name":"expect.example.com","type":"live"}"#;
    write!(
        s,
        "POST /v1/domains HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {t}\r\nExpect: 100-continue\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    let mut reader = BufReader::new(s.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert_eq!(line, "HTTP/1.1 100 Continue\r\n");
    s.write_all(body.as_bytes()).unwrap();
    let mut rest = String::new();
    reader.read_to_string(&mut rest).unwrap();
    assert!(rest.contains("HTTP/1.1 200 OK"), "{rest}");

    // HTTP/1.0 without keep-alive: answered, then closed.
    let out = String::from_utf8(raw(&emu, "GET / HTTP/1.0\r\n\r\n")).unwrap();
    assert!(out.starts_with("HTTP/1.1 404"), "{out}");
    assert!(out.contains("Connection: close"));

    // Garbage: a 400, never a hang or a crash.
    let out = String::from_utf8(raw(&emu, "\x01\x02 nonsense\r\n\r\n")).unwrap();
    assert!(out.starts_with("HTTP/1.1 400"), "{out}");
    let out = String::from_utf8(raw(&emu, "POST / HTTP/1.1\r\nContent-Length: nope\r\n\r\n")).unwrap();
    assert!(out.starts_with("HTTP/1.1 400"), "{out}");
    let out = String::from_utf8(raw(&emu, "POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n")).unwrap();
    assert!(out.starts_with("HTTP/1.1 413"), "{out}");
    // Still serving.
    assert_eq!(get(&agent(), &emu, &t, "/v1/domains").unwrap().0, 200);
}

#[test]
fn stop_and_drop_free_the_port_and_close_open_connections() {
    let emu = Emulator::start(config()).unwrap();
    let port = emu.port();
    assert_ne!(port, 0);
    assert_eq!(emu.url(), format!("http://127.0.0.1:{port}"));
    let mut idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    idle.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut buf = [0u8; 4096];
    assert!(idle.read(&mut buf).unwrap() > 0);
    let start = Instant::now();
    drop(emu);
    assert!(start.elapsed() < Duration::from_secs(3));
    // The idle keep-alive connection was closed by the server.
    assert_eq!(idle.read(&mut buf).unwrap_or(0), 0);
    // And the port can be bound again.
    std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();

    let emu = Emulator::start(config()).unwrap();
    let port = emu.port();
    emu.stop();
    std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
}

#[test]
fn start_refuses_bad_configuration() {
    let d = EmulatorConfig::default();
    assert_eq!(d.listen, ([127, 0, 0, 1], 0).into());
    assert_eq!(d.api_keys, [qencode_cdn_emulator::DEFAULT_API_KEY]);
    assert_eq!(qencode_cdn_emulator::DEFAULT_API_KEY, "emulator-api-key");
    assert_eq!(d.token_lifetime, Duration::from_secs(24 * 3600));
    assert_eq!((d.signing_key_bits, d.max_domains), (4096, 20));
    let e = Emulator::start(EmulatorConfig {
        signing_key_bits: 1024,
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    let e = Emulator::start(EmulatorConfig {
        api_keys: vec![],
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    let taken = Emulator::start(config()).unwrap();
    let e = Emulator::start(EmulatorConfig {
        listen: ([127, 0, 0, 1], taken.port()).into(),
        ..config()
    });
    assert!(e.is_err(), "a port in use is an error");
    let dbg = format!(
        "{:?}",
        EmulatorConfig {
            api_keys: vec!["secret-key-123".into()],
            ..Default::default()
        }
    );
    assert!(!dbg.contains("secret-key-123"), "{dbg}");
}

#[test]
fn the_binary_prints_its_url_and_keys_and_serves() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_qencode-cdn-emulator"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--api-key",
            "k-1",
            "--api-key",
            "k-2",
            "--signing-key-bits",
            "2048",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut lines = vec![String::new(), String::new(), String::new()];
    for l in &mut lines {
        out.read_line(l).unwrap();
    }
    let url = lines[0]
        .trim()
        .strip_prefix(qencode_cdn_emulator::LISTENING_PREFIX)
        .unwrap_or_else(|| panic!("{:?}", lines[0]))
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"));
    assert_eq!((lines[1].trim(), lines[2].trim()), ("k-1", "k-2"));
    let r = agent().post(&format!("{url}/v1/access_token/k-2")).send("").unwrap();
    assert_eq!(r.status().as_u16(), 200);
    child.kill().unwrap();
    child.wait().unwrap();

    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_qencode-cdn-emulator"))
        .args(["--listen", "not-an-address"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--listen"));
}
