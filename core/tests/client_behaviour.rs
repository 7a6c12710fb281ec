//! The core's `Client` against the emulator's faults and counters: retries,
//! `Retry-After`, creates never duplicated, timeouts, decode errors, access
//! token renewal, one token for many threads, one connection for many calls,
//! and no secret in any error.
#![cfg(feature = "client")]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::time::{Duration, Instant};

use qencode_cdn::{Client, DomainType, Error, ErrorCode, SigningKeyTarget};
use qencode_cdn_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};

fn emulator(config: EmulatorConfig) -> Emulator {
    Emulator::start(EmulatorConfig {
        signing_key_bits: 2048,
        ..config
    })
    .unwrap()
}

fn client_for(emu: &Emulator) -> Client {
    Client::builder(emu.api_key())
        .api_url(emu.url())
        .auth_url(emu.url())
        .build()
        .unwrap()
}

fn start() -> (Emulator, Client) {
    let emu = emulator(EmulatorConfig::default());
    let client = client_for(&emu);
    (emu, client)
}

fn fault(emu: &Emulator, route: &str, times: u32, kind: FaultKind) {
    emu.inject_fault(Fault {
        route: route.into(),
        times,
        kind,
    });
}

fn status(status: u16, retry_after: Option<u64>) -> FaultKind {
    FaultKind::Status { status, retry_after }
}

fn count(emu: &Emulator, route: &str) -> u64 {
    emu.counters().requests.get(route).copied().unwrap_or(0)
}

// ------------------------------------------------------------------ retries

#[test]
fn two_503s_then_success_is_a_success() {
    let (emu, client) = start();
    fault(&emu, "GET /v1/domains", 2, status(503, None));
    assert!(client.list_domains(None).unwrap().is_empty());
    assert_eq!(count(&emu, "GET /v1/domains"), 3);
}

#[test]
fn gateway_errors_are_retried_until_max_retries_then_api_error() {
    let (emu, _) = start();
    let client = Client::builder(emu.api_key())
        .api_url(emu.url())
        .auth_url(emu.url())
        .max_retries(2)
        .build()
        .unwrap();
    fault(&emu, "GET /v1/signing-keys", 1, status(502, None));
    fault(&emu, "GET /v1/signing-keys", 1, status(504, None));
    assert!(client.list_signing_keys().unwrap().is_empty());
    assert_eq!(count(&emu, "GET /v1/signing-keys"), 3);

    fault(&emu, "DELETE /v1/domains/*", 10, status(503, None));
    let e = client.delete_domain("d1").unwrap_err();
    assert_eq!(e.code(), ErrorCode::ApiError);
    assert_eq!(e.status(), Some(503));
    assert!(e.to_string().contains("injected fault"), "{e}");
    assert_eq!(count(&emu, "DELETE /v1/domains/*"), 3);
}

#[test]
fn no_retries_when_max_retries_is_zero() {
    let (emu, _) = start();
    let client = Client::builder(emu.api_key())
        .api_url(emu.url())
        .auth_url(emu.url())
        .max_retries(0)
        .build()
        .unwrap();
    fault(&emu, "GET /v1/domains", 1, status(503, None));
    assert_eq!(client.list_domains(None).unwrap_err().status(), Some(503));
    assert_eq!(count(&emu, "GET /v1/domains"), 1);
}

#[test]
fn rate_limit_with_retry_after_1_waits_about_a_second_then_succeeds() {
    let (emu, client) = start();
    client.list_tls_subscriptions().unwrap(); // token fetched first
    fault(&emu, "GET /v1/tls/subscriptions", 1, status(429, Some(1)));
    let t = Instant::now();
    assert!(client.list_tls_subscriptions().unwrap().is_empty());
    let waited = t.elapsed();
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    assert_eq!(count(&emu, "GET /v1/tls/subscriptions"), 3);
}

#[test]
fn a_503_with_retry_after_is_honoured_too() {
    let (emu, client) = start();
    client.list_domains(None).unwrap();
    fault(&emu, "GET /v1/domains", 1, status(503, Some(1)));
    let t = Instant::now();
    client.list_domains(None).unwrap();
    assert!(t.elapsed() >= Duration::from_millis(950), "{:?}", t.elapsed());
    assert_eq!(count(&emu, "GET /v1/domains"), 3);
}

#[test]
fn rate_limit_that_persists_is_rate_limited_with_retry_after() {
    let (emu, _) = start();
    let client = Client::builder(emu.api_key())
        .api_url(emu.url())
        .auth_url(emu.url())
        .max_retries(1)
        .build()
        .unwrap();
    fault(&emu, "GET /v1/domains", 5, status(429, Some(0)));
    let e = client.list_domains(None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::RateLimited);
    assert_eq!(e.http().unwrap().retry_after, Some(Duration::ZERO));
    assert_eq!(count(&emu, "GET /v1/domains"), 2);
}

#[test]
fn a_retry_after_beyond_the_cap_fails_at_once() {
    let (emu, client) = start();
    client.list_domains(None).unwrap();
    fault(&emu, "GET /v1/domains", 1, status(429, Some(120)));
    let t = Instant::now();
    let e = client.list_domains(None).unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(1));
    assert_eq!(e.code(), ErrorCode::RateLimited);
    assert_eq!(e.http().unwrap().retry_after, Some(Duration::from_secs(120)));
    assert_eq!(count(&emu, "GET /v1/domains"), 2);
}

#[test]
fn creates_are_not_retried_after_the_server_saw_them() {
    let (emu, client) = start();
    let domain = client.create_domain("a.example.com", DomainType::Live).unwrap();
    for kind in [status(503, None), status(429, Some(0)), status(502, None)] {
        fault(&emu, "POST /v1/domains", 1, kind.clone());
        fault(&emu, "POST /v1/tls/subscriptions", 1, kind.clone());
        fault(&emu, "POST /v1/signing-keys", 1, kind);
        assert!(client.create_domain("b.example.com", DomainType::Live).is_err());
        assert!(client.create_tls_subscription(&domain.id).is_err());
        assert!(
            client
                .create_signing_key(&SigningKeyTarget::Bucket("my-bucket".into()))
                .is_err()
        );
    }
    assert_eq!(count(&emu, "POST /v1/domains"), 4);
    assert_eq!(count(&emu, "POST /v1/tls/subscriptions"), 3);
    assert_eq!(count(&emu, "POST /v1/signing-keys"), 3);
}

#[test]
fn a_dropped_connection_on_a_create_is_transport_and_never_a_duplicate() {
    let (emu, client) = start();
    client.list_domains(None).unwrap();
    fault(&emu, "POST /v1/domains", 1, FaultKind::Drop);
    let e = client.create_domain("live.mydomain.com", DomainType::Live).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Transport, "{e}");
    assert!(e.to_string().contains("POST /v1/domains"), "{e}");
    assert_eq!(count(&emu, "POST /v1/domains"), 1);
    assert!(
        client.list_domains(None).unwrap().is_empty(),
        "no duplicate, no domain at all"
    );
    // The same domain can be created afterwards, exactly once.
    client.create_domain("live.mydomain.com", DomainType::Live).unwrap();
    assert_eq!(client.list_domains(None).unwrap().len(), 1);
}

#[test]
fn dropped_and_truncated_answers_to_safe_requests_are_retried() {
    let (emu, client) = start();
    client.list_domains(None).unwrap();
    fault(&emu, "GET /v1/domains", 1, FaultKind::Drop);
    fault(&emu, "GET /v1/signing-keys", 1, FaultKind::Truncate);
    assert!(client.list_domains(None).unwrap().is_empty());
    assert!(client.list_signing_keys().unwrap().is_empty());
    assert_eq!(count(&emu, "GET /v1/domains"), 3);
    assert_eq!(count(&emu, "GET /v1/signing-keys"), 2);
}

#[test]
fn connection_refused_on_a_create_is_retried_and_creates_once() {
    // An emulator gives the client its token, then goes away; a second one
    // comes up on the same port while the create is being retried.
    let first = emulator(EmulatorConfig::default());
    let addr: SocketAddr = format!("127.0.0.1:{}", first.port()).parse().unwrap();
    let client = Client::builder(first.api_key())
        .api_url(first.url())
        .auth_url(first.url())
        .max_retries(5)
        .build()
        .unwrap();
    client.list_domains(None).unwrap();
    first.stop();
    let later = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(150));
        emulator(EmulatorConfig {
            listen: addr,
            ..Default::default()
        })
    });
    let domain = client.create_domain("live.mydomain.com", DomainType::Live).unwrap();
    let second = later.join().unwrap();
    assert_eq!(client.list_domains(None).unwrap(), vec![domain]);
    // The second emulator saw the create once with the first's token (401), once after renewal.
    assert_eq!(count(&second, "POST /v1/domains"), 2);
    assert_eq!(second.counters().token_requests, 1);
}

#[test]
fn connection_refused_everywhere_is_transport() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let client = Client::builder("sk-refused-0123456789")
        .api_url(&url)
        .auth_url(&url)
        .max_retries(1)
        .build()
        .unwrap();
    let e = client.list_domains(None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Transport, "{e}");
    assert!(e.to_string().contains("could not connect"), "{e}");
    assert!(!format!("{e} {e:?}").contains("sk-refused"), "{e:?}");
}

// ------------------------------------------------------------------ timeouts and decoding

#[test]
fn a_delay_longer_than_the_timeout_is_timeout_within_twice_the_timeout() {
    let (emu, _) = start();
    let timeout = Duration::from_secs(1);
    let client = Client::builder(emu.api_key())
        .api_url(emu.url())
        .auth_url(emu.url())
        .timeout(timeout)
        .build()
        .unwrap();
    client.list_domains(None).unwrap();
    for route in ["GET /v1/domains", "POST /v1/domains"] {
        fault(&emu, route, 1, FaultKind::Delay(Duration::from_secs(4)));
    }
    let t = Instant::now();
    let e = client.list_domains(None).unwrap_err();
    let took = t.elapsed();
    assert_eq!(e.code(), ErrorCode::Timeout, "{e}");
    assert!(took >= timeout && took < 2 * timeout, "{took:?}");

    let t = Instant::now();
    let e = client.create_domain("a.example.com", DomainType::Live).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Timeout, "{e}");
    assert!(t.elapsed() < 2 * timeout, "{:?}", t.elapsed());
}

#[test]
fn a_non_json_200_is_decode_and_not_retried() {
    let (emu, client) = start();
    fault(&emu, "GET /v1/domains/*", 1, FaultKind::NotJson);
    fault(&emu, "DELETE /v1/signing-keys/*", 1, FaultKind::NotJson);
    fault(&emu, "GET /v1/buckets/*/cors", 1, FaultKind::NotJson);
    let e = client.get_domain("d1").unwrap_err();
    assert_eq!(e.code(), ErrorCode::Decode, "{e}");
    assert!(e.to_string().contains("expected {\"domain\": ...}"), "{e}");
    assert!(!e.to_string().contains("oops"), "the body is not quoted: {e}");
    assert_eq!(client.delete_signing_key("k1").unwrap_err().code(), ErrorCode::Decode);
    assert_eq!(
        client.get_bucket_cors("my-bucket").unwrap_err().code(),
        ErrorCode::Decode
    );
    assert_eq!(count(&emu, "GET /v1/domains/*"), 1);
}

#[test]
fn a_non_json_token_answer_is_decode() {
    let (emu, client) = start();
    fault(&emu, "POST /v1/access_token/*", 1, FaultKind::NotJson);
    let e = client.list_domains(None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Decode, "{e}");
    assert!(e.to_string().contains("/v1/access_token/<redacted>"), "{e}");
    assert!(!e.to_string().contains(emu.api_key()), "{e}");
    // The next call fetches a token normally.
    client.list_domains(None).unwrap();
    assert_eq!(emu.counters().token_requests, 2);
}

// ------------------------------------------------------------------ access token

#[test]
fn the_token_is_fetched_once_and_renewed_before_it_expires() {
    let emu = emulator(EmulatorConfig {
        token_lifetime: Duration::from_secs(2),
        ..Default::default()
    });
    let client = client_for(&emu);
    client.list_domains(None).unwrap();
    client.list_domains(None).unwrap();
    assert_eq!(emu.counters().token_requests, 1);
    std::thread::sleep(Duration::from_millis(2200));
    client.list_domains(None).unwrap();
    assert_eq!(emu.counters().token_requests, 2);
    // Renewed before the server could refuse it: no 401 round trip.
    assert_eq!(count(&emu, "GET /v1/domains"), 3);
}

#[test]
fn a_401_renews_the_token_once_and_retries() {
    let (emu, client) = start();
    client.list_domains(None).unwrap();
    fault(&emu, "GET /v1/domains", 1, status(401, None));
    client.list_domains(None).unwrap();
    assert_eq!(emu.counters().token_requests, 2);
    assert_eq!(count(&emu, "GET /v1/domains"), 3);

    fault(&emu, "GET /v1/domains", 2, status(403, None));
    let e = client.list_domains(None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Unauthorized);
    assert_eq!(e.status(), Some(403));
    assert_eq!(emu.counters().token_requests, 3, "one renewal per call, not more");
    assert_eq!(count(&emu, "GET /v1/domains"), 5);
}

#[test]
fn a_401_on_a_create_renews_and_creates_once() {
    let (emu, client) = start();
    client.list_domains(None).unwrap();
    fault(&emu, "POST /v1/domains", 1, status(401, None));
    client.create_domain("a.example.com", DomainType::Live).unwrap();
    assert_eq!(client.list_domains(None).unwrap().len(), 1);
    assert_eq!(emu.counters().token_requests, 2);
}

#[test]
fn eight_threads_times_fifty_calls_share_one_access_token() {
    let (emu, client) = start();
    std::thread::scope(|s| {
        for _ in 0..8 {
            let client = client.clone();
            s.spawn(move || {
                for _ in 0..50 {
                    client.list_domains(None).unwrap();
                }
            });
        }
    });
    let counters = emu.counters();
    assert_eq!(counters.token_requests, 1);
    assert_eq!(count(&emu, "GET /v1/domains"), 400);
    assert!(
        counters.connections <= 8,
        "one connection per thread at most: {counters:?}"
    );
}

// ------------------------------------------------------------------ connections

#[test]
fn a_hundred_sequential_calls_use_one_connection() {
    let (emu, client) = start();
    for _ in 0..100 {
        client.list_domains(None).unwrap();
    }
    let counters = emu.counters();
    assert_eq!(count(&emu, "GET /v1/domains"), 100);
    assert_eq!(counters.token_requests, 1);
    assert_eq!(counters.connections, 1, "{counters:?}");
}

// ------------------------------------------------------------------ secrets

/// A server that answers the token request with a known token, then echoes
/// every other request (path and headers, `Authorization` included) in a
/// 400 error body: the worst case for leaking secrets into errors.
fn echo_server(token: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).map(|n| n == 1).unwrap_or(false) {
                head.push(byte[0]);
            }
            let text = String::from_utf8_lossy(&head).to_string();
            let is_token = text.contains("/v1/access_token/");
            let echoed = serde_json::json!({ "error": format!("bad request: {text}") }).to_string();
            let (code, body, request_id) = if is_token && !text.contains("echo") {
                (
                    200,
                    serde_json::json!({ "access_token": token }).to_string(),
                    "req-1".to_string(),
                )
            } else if is_token {
                (400, echoed, "req-2".to_string())
            } else {
                // The request carried the token: echo it in the request id too.
                (400, echoed, format!("req-{token}"))
            };
            let reply = format!(
                "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nX-Request-Id: {request_id}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    url
}

fn assert_clean(e: &Error, secrets: &[&str]) {
    let shown = format!("{e}\n{e:?}\n{}", e.message());
    let http = e.http().map(|h| format!("{h:?}")).unwrap_or_default();
    for s in secrets {
        assert!(
            !shown.contains(s) && !http.contains(s),
            "`{s}` leaked in {shown}\n{http}"
        );
    }
    assert!(
        !shown.contains("eyJ") && !http.contains("eyJ"),
        "an access token leaked in {shown}\n{http}"
    );
    assert!(
        !shown.contains("PRIVATE KEY") && !http.contains("PRIVATE KEY"),
        "{shown}"
    );
}

#[test]
fn no_error_path_shows_the_api_key_or_an_access_token() {
    const KEY: &str = "sk-live-9f8e7d6c5b4a39281706";
    const ECHO_KEY: &str = "sk-echo+/5a4b3c2d1e0f";
    const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWNyZXQifQ.c2VjcmV0LXNpZ25hdHVyZQ";
    let mut errors: Vec<Error> = Vec::new();

    // A server that echoes our request (key in the token path, bearer in a header).
    let echo = echo_server(TOKEN);
    let client = Client::builder(KEY).api_url(&echo).auth_url(&echo).build().unwrap();
    let e = client.list_domains(None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ApiError);
    assert!(
        e.to_string().contains("Bearer <redacted>"),
        "the echo is kept, scrubbed: {e}"
    );
    assert_eq!(e.http().unwrap().request_id.as_deref(), Some("req-<redacted>"));
    let user_agent = format!("user-agent: qencode-cdn/{} (rust)", qencode_cdn::VERSION);
    assert!(e.to_string().to_lowercase().contains(&user_agent), "{e}");
    errors.push(e);
    let client = Client::builder(ECHO_KEY)
        .api_url(&echo)
        .auth_url(&echo)
        .build()
        .unwrap();
    let e = client.list_domains(None).unwrap_err();
    assert!(
        e.to_string().contains("/v1/access_token/<redacted>"),
        "the echo is kept, scrubbed: {e}"
    );
    errors.push(e);

    // The emulator with this key, through every fault.
    let emu = emulator(EmulatorConfig {
        api_keys: vec![KEY.to_string()],
        ..Default::default()
    });
    let new_client = || {
        Client::builder(KEY)
            .api_url(emu.url())
            .auth_url(emu.url())
            .timeout(Duration::from_millis(500))
            .max_retries(1)
            .build()
            .unwrap()
    };
    let client = new_client();
    let token_route = "POST /v1/access_token/*";
    for kind in [
        status(500, None),
        status(401, None),
        status(429, Some(0)),
        status(503, None),
        FaultKind::Drop,
        FaultKind::Truncate,
        FaultKind::NotJson,
        FaultKind::Delay(Duration::from_secs(2)),
    ] {
        fault(&emu, token_route, 2, kind.clone());
        errors.push(new_client().list_domains(None).unwrap_err());
        emu.reset();
        client.list_domains(None).unwrap();
        fault(&emu, "*", 2, kind.clone());
        errors.push(client.get_domain("d1").unwrap_err());
        emu.reset();
        fault(&emu, "POST /v1/signing-keys", 2, kind);
        errors.push(
            client
                .create_signing_key(&SigningKeyTarget::Bucket("my-bucket".into()))
                .unwrap_err(),
        );
        emu.reset();
    }
    errors.push(client.get_domain("d1").unwrap_err()); // NOT_FOUND
    errors.push(client.create_domain("bad name", DomainType::Live).unwrap_err()); // INVALID_ARGUMENT
    let wrong = Client::builder(format!("{KEY}-wrong"))
        .api_url(emu.url())
        .auth_url(emu.url())
        .build()
        .unwrap();
    errors.push(wrong.list_domains(None).unwrap_err()); // UNAUTHORIZED
    emu.stop();
    errors.push(client.list_domains(None).unwrap_err()); // TRANSPORT, refused

    let codes: std::collections::BTreeSet<&str> = errors.iter().map(|e| e.code().as_str()).collect();
    for code in [
        "API_ERROR",
        "UNAUTHORIZED",
        "RATE_LIMITED",
        "TRANSPORT",
        "TIMEOUT",
        "DECODE",
        "NOT_FOUND",
        "INVALID_ARGUMENT",
    ] {
        assert!(codes.contains(code), "{code} not driven: {codes:?}");
    }
    for e in &errors {
        assert_clean(
            e,
            &[KEY, "9f8e7d6c5b4a39281706", ECHO_KEY, "5a4b3c2d1e0f", TOKEN, "c2VjcmV0"],
        );
    }
    assert!(!format!("{client:?}").contains(KEY));
}
