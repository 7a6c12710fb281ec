//! The client under failure, against the emulator's faults and counters:
//! access-token renewal when the token endpoint fails (one fetch per
//! failure, the still-valid token kept), one deadline per call, deletes and
//! creates whose answer was lost, and server numbers that must not overflow.

#![cfg(feature = "client")]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use qencode_cdn::{Client, ClientBuilder, DomainType, Error, ErrorCode, KeyStyle, SigningKeyTarget};
use qencode_cdn_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};

const TOKEN_ROUTE: &str = "POST /v1/access_token/*";

fn emulator(config: EmulatorConfig) -> Emulator {
    Emulator::start(EmulatorConfig {
        signing_key_bits: 2048,
        ..config
    })
    .unwrap()
}

fn builder(emu: &Emulator) -> ClientBuilder {
    Client::builder(emu.api_key()).api_url(emu.url()).auth_url(emu.url())
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

/// Runs `call` on `n` threads released at once; their results in thread order.
fn at_once<T: Send>(n: usize, call: impl Fn() -> T + Sync) -> Vec<T> {
    let barrier = Barrier::new(n);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    call()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

// ------------------------------------------------------------------ access token (issue 11, item 7)

#[test]
fn a_first_token_fetch_that_times_out_is_one_fetch_for_sixteen_waiting_threads() {
    let emu = emulator(EmulatorConfig::default());
    let client = builder(&emu).timeout(Duration::from_millis(1500)).build().unwrap();
    // Every token request would hang for 5 s: enough faults for one fetch per thread.
    fault(&emu, TOKEN_ROUTE, 16, FaultKind::Delay(Duration::from_secs(5)));
    let results = at_once(16, || client.list_domains(None).map_err(|e| e.code()));
    assert!(
        results.iter().all(|r| *r == Err(ErrorCode::Timeout)),
        "every waiter gets the fetch's error: {results:?}"
    );
    assert_eq!(
        emu.counters().token_requests,
        1,
        "one fetch for all sixteen, not one after another"
    );
    assert_eq!(count(&emu, "GET /v1/domains"), 0);
}

#[test]
fn a_failed_first_token_fetch_wakes_all_waiters_with_its_error() {
    let emu = emulator(EmulatorConfig::default());
    let client = builder(&emu).max_retries(1).build().unwrap();
    // The fetch takes a second (503, Retry-After 1, 503) and fails; then the endpoint heals.
    fault(&emu, TOKEN_ROUTE, 2, status(503, Some(1)));
    let results = at_once(16, || client.list_domains(None));
    for r in &results {
        let e = r.as_ref().expect_err("the waiters share the failed fetch's error");
        assert_eq!(e.code(), ErrorCode::ApiError, "{e}");
        assert_eq!(e.status(), Some(503));
        assert!(e.to_string().contains("/v1/access_token/<redacted>"), "{e}");
    }
    assert_eq!(emu.counters().token_requests, 2, "one fetch (with its one retry)");
    // The next call fetches anew.
    client.list_domains(None).unwrap();
    assert_eq!(emu.counters().token_requests, 3);
}

#[test]
fn a_failed_renewal_in_the_window_keeps_the_valid_token_and_a_later_call_renews() {
    // A 6 s token is renewed once 3 s are left.
    let emu = emulator(EmulatorConfig {
        token_lifetime: Duration::from_secs(6),
        ..Default::default()
    });
    let client = builder(&emu).build().unwrap();
    client.list_domains(None).unwrap();
    assert_eq!(emu.counters().token_requests, 1);
    std::thread::sleep(Duration::from_millis(3300));

    // In the window, the token endpoint fails (more often than a call would retry).
    fault(&emu, TOKEN_ROUTE, 4, status(503, None));
    let results = at_once(16, || client.list_domains(None).map_err(|e| e.to_string()));
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(
        emu.counters().token_requests,
        2,
        "one renewal attempt, in one try, while every call kept the valid token"
    );
    assert_eq!(count(&emu, "GET /v1/domains"), 17);

    // Straight after the failure, calls do not hammer the token endpoint...
    emu.clear_faults();
    client.list_domains(None).unwrap();
    assert_eq!(emu.counters().token_requests, 2);
    // ...and a later one (half the time left later) renews, before the token expires.
    std::thread::sleep(Duration::from_millis(1500));
    client.list_domains(None).unwrap();
    assert_eq!(emu.counters().token_requests, 3);
    client.list_domains(None).unwrap();
    assert_eq!(emu.counters().token_requests, 3);
}

#[test]
fn a_hanging_renewal_in_the_window_takes_at_most_half_the_calls_deadline() {
    let emu = emulator(EmulatorConfig {
        token_lifetime: Duration::from_secs(6),
        ..Default::default()
    });
    let deadline = Duration::from_secs(2);
    let client = builder(&emu)
        .timeout(Duration::from_secs(20))
        .deadline(deadline)
        .build()
        .unwrap();
    client.list_domains(None).unwrap();
    std::thread::sleep(Duration::from_millis(3300));
    fault(&emu, TOKEN_ROUTE, 1, FaultKind::Delay(Duration::from_secs(5)));
    // With the whole deadline spent on the renewal, this call would be TIMEOUT.
    client.list_domains(None).unwrap();
    assert_eq!(emu.counters().token_requests, 2);
}

// ------------------------------------------------------------------ one deadline per call (item 8)

/// Asserts `e` is TIMEOUT naming the deadline and that the call ended within
/// the deadline plus a generous margin.
fn assert_deadline_timeout(e: &Error, took: Duration, deadline: Duration) {
    assert_eq!(e.code(), ErrorCode::Timeout, "{e}");
    assert!(e.to_string().contains("deadline"), "{e}");
    assert!(
        took < deadline + Duration::from_secs(2),
        "{took:?} for a {deadline:?} deadline"
    );
}

#[test]
fn retries_that_would_run_long_end_with_timeout_by_the_deadline() {
    let emu = emulator(EmulatorConfig::default());
    let deadline = Duration::from_secs(2);
    let client = builder(&emu).max_retries(10).deadline(deadline).build().unwrap();
    client.list_domains(None).unwrap();

    // Ten 503s with Retry-After 1 would take ten seconds.
    fault(&emu, "GET /v1/domains", 10, status(503, Some(1)));
    let t = Instant::now();
    let e = client.list_domains(None).unwrap_err();
    assert_deadline_timeout(&e, t.elapsed(), deadline);
    assert!(e.to_string().contains("HTTP 503"), "the last answer is named: {e}");
    emu.reset();

    // Dropped connections with exponential backoff.
    client.list_domains(None).unwrap();
    fault(&emu, "GET /v1/signing-keys", 20, FaultKind::Drop);
    let t = Instant::now();
    let e = client.list_signing_keys().unwrap_err();
    assert_deadline_timeout(&e, t.elapsed(), deadline);
    assert!(count(&emu, "GET /v1/signing-keys") >= 3, "it did retry first");
}

#[test]
fn the_deadline_cuts_the_attempt_timeout_and_the_wait_for_a_token() {
    let emu = emulator(EmulatorConfig::default());
    let deadline = Duration::from_secs(1);
    let client = builder(&emu)
        .timeout(Duration::from_secs(20))
        .deadline(deadline)
        .build()
        .unwrap();
    // A slow token endpoint: the call's deadline covers fetching the token.
    fault(&emu, TOKEN_ROUTE, 1, FaultKind::Delay(Duration::from_secs(4)));
    let t = Instant::now();
    let e = client.list_domains(None).unwrap_err();
    assert_deadline_timeout(&e, t.elapsed(), deadline);
    assert!(e.to_string().contains("/v1/access_token/<redacted>"), "{e}");

    // A slow answer: the attempt gets only what is left of the deadline, not its 20 s.
    client.list_domains(None).unwrap();
    fault(&emu, "GET /v1/domains", 1, FaultKind::Delay(Duration::from_secs(4)));
    let t = Instant::now();
    let e = client.list_domains(None).unwrap_err();
    assert_deadline_timeout(&e, t.elapsed(), deadline);

    // Threads waiting for another thread's token fetch stop at their own deadline.
    let slow = builder(&emu)
        .timeout(Duration::from_secs(20))
        .deadline(deadline)
        .build()
        .unwrap();
    fault(&emu, TOKEN_ROUTE, 1, FaultKind::Delay(Duration::from_secs(4)));
    let t = Instant::now();
    let results = at_once(4, || slow.list_domains(None).map_err(|e| e.code()));
    assert!(results.iter().all(|r| *r == Err(ErrorCode::Timeout)), "{results:?}");
    assert!(t.elapsed() < deadline + Duration::from_secs(2), "{:?}", t.elapsed());
}

#[test]
fn a_retry_after_that_does_not_fit_the_deadline_is_rate_limited_at_once() {
    let emu = emulator(EmulatorConfig::default());
    let client = builder(&emu).deadline(Duration::from_secs(3)).build().unwrap();
    client.list_domains(None).unwrap();
    fault(&emu, "GET /v1/domains", 1, status(429, Some(5)));
    let t = Instant::now();
    let e = client.list_domains(None).unwrap_err();
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "no pointless wait: {:?}",
        t.elapsed()
    );
    assert_eq!(e.code(), ErrorCode::RateLimited, "{e}");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(5)));
    assert_eq!(count(&emu, "GET /v1/domains"), 2);
}

#[test]
fn the_deadline_comes_from_options_json_like_every_other_option() {
    let emu = emulator(EmulatorConfig::default());
    for (options, style) in [
        (serde_json::json!({"deadline": 0.8, "timeout": 30}), KeyStyle::Snake),
        (serde_json::json!({"deadline": 0.8, "maxRetries": 5}), KeyStyle::Camel),
    ] {
        let client = builder(&emu).options_json(&options, style).unwrap().build().unwrap();
        assert_eq!(client.deadline(), Duration::from_millis(800));
        client.list_domains(None).unwrap();
        fault(&emu, "GET /v1/domains", 1, FaultKind::Delay(Duration::from_secs(3)));
        let t = Instant::now();
        let e = client.list_domains(None).unwrap_err();
        assert_deadline_timeout(&e, t.elapsed(), Duration::from_millis(800));
    }
    for bad in [
        serde_json::json!({"deadline": 0}),
        serde_json::json!({"deadline": -1}),
        serde_json::json!({"deadline": 86401}),
        serde_json::json!({"deadline": 1e300}),
        serde_json::json!({"deadline": "5"}),
        serde_json::json!({"timeout": 1e300}),
    ] {
        let e = builder(&emu).options_json(&bad, KeyStyle::Snake).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument, "{bad}: {e}");
    }
    let e = builder(&emu)
        .options_json(&serde_json::json!({"deadline": "5"}), KeyStyle::Snake)
        .unwrap_err();
    assert!(e.is_type_error(), "{e}");
}

// ------------------------------------------------------------------ numbers from the server (item 5)

/// A server that answers the token request with `token`, and every other
/// request with an empty domain list.
fn token_server(token: String) -> String {
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
            let body = if String::from_utf8_lossy(&head).contains("/v1/access_token/") {
                serde_json::json!({ "access_token": token }).to_string()
            } else {
                r#"{"domains": []}"#.to_string()
            };
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    url
}

#[test]
fn an_access_token_expiring_in_the_far_future_is_capped_not_overflowed() {
    for payload in [
        r#"{"iat": 0, "exp": 1e19}"#,
        r#"{"exp": 1e300}"#,
        r#"{"iat": 1700000000, "exp": 18446744073709551615}"#,
    ] {
        let token = format!("eyJhbGciOiJIUzI1NiJ9.{}.c2ln", URL_SAFE_NO_PAD.encode(payload));
        let url = token_server(token);
        let client = Client::builder("sk-far-future-0123")
            .api_url(&url)
            .auth_url(&url)
            .build()
            .unwrap();
        assert_eq!(client.list_domains(None).unwrap(), vec![], "{payload}");
        assert_eq!(client.list_domains(None).unwrap(), vec![], "{payload}: cached");
    }
}

#[test]
fn timeouts_beyond_a_day_are_refused_by_build_not_overflowed() {
    let max = qencode_cdn::client::MAX_TIMEOUT;
    assert_eq!(max, Duration::from_secs(86_400));
    for b in [
        Client::builder("k").timeout(Duration::MAX),
        Client::builder("k").connect_timeout(Duration::MAX),
        Client::builder("k").deadline(Duration::MAX),
        Client::builder("k").timeout(max + Duration::from_millis(1)),
    ] {
        let e = b.build().unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert!(e.to_string().contains("at most 86400 seconds"), "{e}");
    }
    let c = Client::builder("k").timeout(max).build().unwrap();
    assert_eq!(
        c.deadline(),
        max,
        "the deadline follows a timeout longer than its default"
    );
}

// ------------------------------------------------------------------ lost answers (item 9)

#[test]
fn a_retried_delete_that_finds_nothing_after_a_lost_answer_is_a_success() {
    let emu = emulator(EmulatorConfig::default());
    let client = builder(&emu).build().unwrap();
    let domain = client.create_domain("a.example.com", DomainType::Live).unwrap();
    let sub = client.create_tls_subscription(&domain.id).unwrap();
    let key = client
        .create_signing_key(&SigningKeyTarget::Bucket("my-bucket".into()))
        .unwrap();
    // Each delete is carried out, then its answer is cut off; the retry finds nothing.
    for route in [
        "DELETE /v1/tls/subscriptions/*",
        "DELETE /v1/signing-keys/*",
        "DELETE /v1/domains/*",
    ] {
        fault(&emu, route, 1, FaultKind::Truncate);
    }
    client.delete_tls_subscription(&sub.id).unwrap();
    client.delete_signing_key(key.id()).unwrap();
    client.delete_domain(&domain.id).unwrap();
    for route in [
        "DELETE /v1/tls/subscriptions/*",
        "DELETE /v1/signing-keys/*",
        "DELETE /v1/domains/*",
    ] {
        assert_eq!(count(&emu, route), 2, "{route}: the first attempt and its retry");
    }
    assert!(client.list_domains(None).unwrap().is_empty());
    assert!(client.list_signing_keys().unwrap().is_empty());
    assert!(client.list_tls_subscriptions().unwrap().is_empty());
}

#[test]
fn a_delete_of_nothing_is_not_found_even_after_refusals() {
    let emu = emulator(EmulatorConfig::default());
    let client = builder(&emu).build().unwrap();
    let missing = "aeac03d6-beb0-4638-a094-fbc35653f931";
    // The first attempt's 404.
    assert_eq!(client.delete_domain(missing).unwrap_err().code(), ErrorCode::NotFound);
    // A 404 after answers that did nothing (503, 429, 401): still NOT_FOUND.
    fault(&emu, "DELETE /v1/domains/*", 1, status(503, None));
    fault(&emu, "DELETE /v1/signing-keys/*", 1, status(429, Some(0)));
    fault(&emu, "DELETE /v1/tls/subscriptions/*", 1, status(401, None));
    assert_eq!(client.delete_domain(missing).unwrap_err().code(), ErrorCode::NotFound);
    assert_eq!(
        client.delete_signing_key(missing).unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        client.delete_tls_subscription(missing).unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(count(&emu, "DELETE /v1/domains/*"), 3);
}

#[test]
fn a_create_whose_answer_was_lost_says_what_may_exist_and_how_to_find_it() {
    let emu = emulator(EmulatorConfig::default());
    let client = builder(&emu).timeout(Duration::from_secs(1)).build().unwrap();
    client.list_domains(None).unwrap();

    // Carried out, answer cut off: the domain exists, once, and the error says where to look.
    fault(&emu, "POST /v1/domains", 1, FaultKind::Truncate);
    let e = client.create_domain("cut.example.com", DomainType::Live).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Transport, "{e}");
    assert!(
        e.to_string()
            .contains("the domain may have been created: list_domains() and look for `cut.example.com`"),
        "{e}"
    );
    let names: Vec<String> = client
        .list_domains(None)
        .unwrap()
        .into_iter()
        .map(|d| d.domain_name)
        .collect();
    assert_eq!(names, ["cut.example.com"]);

    // Not carried out, but the client cannot know (dropped after sending, garbage 200,
    // no answer in time, a gateway error): the same words.
    for (i, kind) in [
        FaultKind::Drop,
        FaultKind::NotJson,
        FaultKind::Delay(Duration::from_secs(2)),
        status(502, None),
        status(500, None),
    ]
    .into_iter()
    .enumerate()
    {
        fault(&emu, "POST /v1/domains", 1, kind.clone());
        let name = format!("maybe{i}.example.com");
        let e = client.create_domain(&name, DomainType::Live).unwrap_err();
        assert!(
            e.to_string()
                .contains(&format!("may have been created: list_domains() and look for `{name}`")),
            "{kind:?}: {e}"
        );
    }
    assert_eq!(count(&emu, "POST /v1/domains"), 6, "no create was sent twice");

    // Refused by the server, or never sent: no such words.
    let domain = client.create_domain("kept.example.com", DomainType::Live).unwrap();
    for kind in [
        status(503, None),
        status(429, Some(0)),
        status(400, None),
        status(401, None),
    ] {
        fault(&emu, "POST /v1/domains", 2, kind.clone());
        let e = client
            .create_domain("refused.example.com", DomainType::Live)
            .unwrap_err();
        assert!(!e.to_string().contains("may have been created"), "{kind:?}: {e}");
        emu.clear_faults();
    }
    let e = client.create_domain("kept.example.com", DomainType::Live).unwrap_err();
    assert_eq!(e.status(), Some(409));
    assert!(!e.to_string().contains("may have been created"), "{e}");
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let nowhere = format!("http://127.0.0.1:{port}");
    let unsent = Client::builder("k-0123456789")
        .api_url(&nowhere)
        .auth_url(&nowhere)
        .max_retries(0);
    let e = unsent
        .build()
        .unwrap()
        .create_domain("never.example.com", DomainType::Live)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Transport);
    assert!(!e.to_string().contains("may have been created"), "{e}");

    // TLS subscriptions.
    fault(&emu, "POST /v1/tls/subscriptions", 1, FaultKind::Truncate);
    let e = client.create_tls_subscription(&domain.id).unwrap_err();
    assert!(
        e.to_string().contains(&format!(
            "a TLS subscription may have been created: list_tls_subscriptions() and look for domain_id `{}`",
            domain.id
        )),
        "{e}"
    );
    assert_eq!(client.list_tls_subscriptions().unwrap().len(), 1);
}

#[test]
fn a_signing_key_whose_answer_was_lost_is_reported_with_its_lost_private_key() {
    let emu = emulator(EmulatorConfig::default());
    let client = builder(&emu).build().unwrap();
    fault(&emu, "POST /v1/signing-keys", 1, FaultKind::Truncate);
    let e = client
        .create_signing_key(&SigningKeyTarget::Bucket("my-bucket".into()))
        .unwrap_err();
    let text = format!("{e} {e:?}");
    assert!(
        text.contains(
            "a signing key may have been created whose private key (returned only once) is lost: \
             list_signing_keys(), look for bucket_name `my-bucket`, and delete it with delete_signing_key()"
        ),
        "{e}"
    );
    assert!(
        !text.contains("PRIVATE KEY") && !text.contains("MII"),
        "no key material: {text}"
    );
    // It is there, and deleting it as told works.
    let keys = client.list_signing_keys().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].bucket_name.as_deref(), Some("my-bucket"));
    client.delete_signing_key(&keys[0].id).unwrap();

    fault(&emu, "POST /v1/signing-keys", 1, FaultKind::Drop);
    let e = client
        .create_signing_key(&SigningKeyTarget::Stream("1f1ab6a3-d867-4787-b882-7f2fb1203634".into()))
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("look for stream_id `1f1ab6a3-d867-4787-b882-7f2fb1203634`"),
        "{e}"
    );
    assert_eq!(count(&emu, "POST /v1/signing-keys"), 2, "never sent twice");
}
