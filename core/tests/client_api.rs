//! The core's `Client` against the emulator over loopback HTTP: every method,
//! its success and each documented error; bad input never reaches the server.
#![cfg(feature = "client")]

use std::collections::BTreeMap;

use qencode_cdn::{
    BucketPolicy, Client, DomainType, ErrorCode, Signer, SigningKeyTarget, TlsStatus, Verifier, VerifyOptions,
};
use qencode_cdn_emulator::{Emulator, EmulatorConfig};

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

fn count(emu: &Emulator, route: &str) -> u64 {
    emu.counters().requests.get(route).copied().unwrap_or(0)
}

#[test]
fn domains_create_get_list_filter_and_delete() {
    let (emu, client) = start();
    let live = client.create_domain("live.mydomain.com", DomainType::Live).unwrap();
    let storage = client.create_domain("media.mydomain.com", DomainType::Storage).unwrap();
    assert_eq!(live.domain_name, "live.mydomain.com");
    assert_eq!(live.kind, DomainType::Live);
    assert_eq!(storage.kind, DomainType::Storage);
    assert!(live.created.is_some());

    assert_eq!(client.get_domain(&live.id).unwrap(), live);
    let all = client.list_domains(None).unwrap();
    assert_eq!(all, vec![live.clone(), storage.clone()]);
    assert_eq!(client.list_domains(Some(DomainType::Live)).unwrap(), vec![live.clone()]);
    assert_eq!(
        client.list_domains(Some(DomainType::Storage)).unwrap(),
        vec![storage.clone()]
    );

    client.delete_domain(&live.id).unwrap();
    assert_eq!(client.list_domains(None).unwrap(), vec![storage]);
    assert_eq!(count(&emu, "GET /v1/domains/live"), 1);
    assert_eq!(count(&emu, "POST /v1/domains"), 2);
}

#[test]
fn domain_errors_not_found_conflict_and_limit() {
    let emu = emulator(EmulatorConfig {
        max_domains: 2,
        ..Default::default()
    });
    let client = client_for(&emu);
    let missing = "aeac03d6-beb0-4638-a094-fbc35653f931";

    let e = client.get_domain(missing).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert_eq!(e.status(), Some(404));
    assert!(e.to_string().contains("not found"), "{e}");
    assert!(e.to_string().contains("GET /v1/domains/"), "{e}");
    assert_eq!(client.delete_domain(missing).unwrap_err().code(), ErrorCode::NotFound);

    client.create_domain("a.example.com", DomainType::Live).unwrap();
    let e = client.create_domain("a.example.com", DomainType::Live).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ApiError);
    assert_eq!(e.status(), Some(409));
    let http = e.http().unwrap();
    assert!(http.message.contains("already exists"), "{}", http.message);
    assert!(http.body.contains("already exists"), "{}", http.body);

    client.create_domain("b.example.com", DomainType::Storage).unwrap();
    let e = client.create_domain("c.example.com", DomainType::Live).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ApiError);
    assert_eq!(e.status(), Some(400));
    assert!(e.to_string().contains("up to 2 custom domains"), "{e}");
    // An API error is not retried: one request each.
    assert_eq!(count(&emu, "POST /v1/domains"), 4);
}

#[test]
fn tls_subscriptions_create_get_list_delete_and_not_found() {
    let (_emu, client) = start();
    let domain = client.create_domain("live.mydomain.com", DomainType::Live).unwrap();
    let sub = client.create_tls_subscription(&domain.id).unwrap();
    assert_eq!(sub.domain_id, domain.id);
    assert_eq!(sub.status, TlsStatus::Pending);
    assert!(sub.message.as_deref().unwrap_or("").contains("CNAME"), "{sub:?}");

    let got = client.get_tls_subscription(&sub.id).unwrap();
    assert_eq!(got.id, sub.id);
    assert_eq!(got.status, TlsStatus::Pending);
    let list = client.list_tls_subscriptions().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, sub.id);

    client.delete_tls_subscription(&sub.id).unwrap();
    assert!(client.list_tls_subscriptions().unwrap().is_empty());
    assert_eq!(
        client.get_tls_subscription(&sub.id).unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        client.delete_tls_subscription(&sub.id).unwrap_err().code(),
        ErrorCode::NotFound
    );
    let e = client.create_tls_subscription("no-such-domain").unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
}

#[test]
fn signing_keys_for_stream_domain_and_bucket_get_list_rename_delete() {
    let (emu, client) = start();
    emu.add_stream("1f1ab6a3-d867-4787-b882-7f2fb1203634", "abc123");
    let domain = client.create_domain("live.mydomain.com", DomainType::Live).unwrap();

    let for_stream = client
        .create_signing_key(&SigningKeyTarget::Stream("1f1ab6a3-d867-4787-b882-7f2fb1203634".into()))
        .unwrap();
    let for_domain = client
        .create_signing_key(&SigningKeyTarget::Domain(domain.id.clone()))
        .unwrap();
    let for_bucket = client
        .create_signing_key(&SigningKeyTarget::Bucket("my-bucket".into()))
        .unwrap();
    assert_eq!(
        for_stream.signing_key.stream_id.as_deref(),
        Some("1f1ab6a3-d867-4787-b882-7f2fb1203634")
    );
    assert_eq!(for_domain.signing_key.domain_id.as_deref(), Some(domain.id.as_str()));
    assert_eq!(for_bucket.signing_key.bucket_name.as_deref(), Some("my-bucket"));
    assert_eq!(for_stream.signing_key.name, None);
    assert!(!format!("{for_stream:?}").contains("PRIVATE KEY"));

    // The returned PEM is a working RSA key.
    let signer = Signer::from_pem(for_stream.id(), for_stream.private_key_pem()).unwrap();
    let token = signer.sign("abc123", &Default::default()).unwrap();
    Verifier::from_signer(&signer)
        .unwrap()
        .verify(&token, &VerifyOptions::new())
        .unwrap();

    let got = client.get_signing_key(for_stream.id()).unwrap();
    assert_eq!(got, for_stream.signing_key);
    assert!(!got.extra.contains_key("private_key"));
    let ids: Vec<String> = client.list_signing_keys().unwrap().into_iter().map(|k| k.id).collect();
    assert_eq!(ids, vec![for_stream.id(), for_domain.id(), for_bucket.id()]);

    let renamed = client.rename_signing_key(for_stream.id(), "My signing key").unwrap();
    assert_eq!(renamed.name.as_deref(), Some("My signing key"));
    assert_eq!(
        client.get_signing_key(for_stream.id()).unwrap().name.as_deref(),
        Some("My signing key")
    );

    client.delete_signing_key(for_stream.id()).unwrap();
    assert_eq!(
        client.get_signing_key(for_stream.id()).unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        client.rename_signing_key(for_stream.id(), "x").unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        client.delete_signing_key(for_stream.id()).unwrap_err().code(),
        ErrorCode::NotFound
    );
    let e = client
        .create_signing_key(&SigningKeyTarget::Domain("no-such-domain".into()))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
}

#[test]
fn bucket_policy_cors_and_purges() {
    let (emu, client) = start();
    client
        .set_bucket_policy("my-bucket", BucketPolicy::Authenticated)
        .unwrap();
    client.set_bucket_policy("my-bucket", BucketPolicy::Public).unwrap();

    let cors = BTreeMap::from([
        ("Access-Control-Allow-Origin".to_string(), "*".to_string()),
        ("Access-Control-Max-Age".to_string(), "1600".to_string()),
    ]);
    client.set_bucket_cors("my-bucket", &cors).unwrap();
    assert_eq!(client.get_bucket_cors("my-bucket").unwrap(), cors);

    client
        .delete_bucket_cors_header("my-bucket", "Access-Control-Allow-Origin")
        .unwrap();
    let left = client.get_bucket_cors("my-bucket").unwrap();
    assert_eq!(left.keys().collect::<Vec<_>>(), vec!["Access-Control-Max-Age"]);
    let e = client
        .delete_bucket_cors_header("my-bucket", "Access-Control-Allow-Origin")
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);

    client.delete_bucket_cors("my-bucket").unwrap();
    assert!(client.get_bucket_cors("my-bucket").unwrap().is_empty());

    // A header the API does not support: its 400 comes back as API_ERROR.
    let bad = BTreeMap::from([("X-Custom".to_string(), "1".to_string())]);
    let e = client.set_bucket_cors("my-bucket", &bad).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ApiError);
    assert_eq!(e.status(), Some(400));
    assert!(e.to_string().contains("unsupported CORS header"), "{e}");

    client.purge_bucket_cache("my-bucket").unwrap();
    client.purge_object_cache("my-bucket", "path/to/object").unwrap();
    assert_eq!(count(&emu, "POST /v1/buckets/*/cache/purge_all"), 1);
    assert_eq!(count(&emu, "POST /v1/buckets/*/cache/purge"), 1);
    assert_eq!(count(&emu, "PUT /v1/buckets/*/policy/*"), 2);
}

#[test]
fn invalid_arguments_fail_before_any_request() {
    let (emu, client) = start();
    let empty = BTreeMap::new();
    let bad_cors = BTreeMap::from([("Bad Header".to_string(), "x".to_string())]);
    let results: Vec<(&str, qencode_cdn::Error)> = vec![
        (
            "domain name",
            client.create_domain("not a domain", DomainType::Live).unwrap_err(),
        ),
        (
            "domain with scheme",
            client
                .create_domain("https://a.example.com", DomainType::Live)
                .unwrap_err(),
        ),
        (
            "other type",
            client
                .create_domain("a.example.com", DomainType::from_api("x y"))
                .unwrap_err(),
        ),
        ("empty id", client.get_domain("").unwrap_err()),
        ("id with slash", client.get_domain("../signing-keys").unwrap_err()),
        ("type as id", client.get_domain("live").unwrap_err()),
        ("delete empty", client.delete_domain("").unwrap_err()),
        ("tls id", client.get_tls_subscription("a b").unwrap_err()),
        ("tls create", client.create_tls_subscription("").unwrap_err()),
        ("tls delete", client.delete_tls_subscription("a?b").unwrap_err()),
        (
            "stream id",
            client
                .create_signing_key(&SigningKeyTarget::Stream("".into()))
                .unwrap_err(),
        ),
        (
            "bucket target",
            client
                .create_signing_key(&SigningKeyTarget::Bucket("Bad_Bucket".into()))
                .unwrap_err(),
        ),
        ("key id", client.get_signing_key("x#y").unwrap_err()),
        ("rename empty", client.rename_signing_key("k1", "").unwrap_err()),
        ("rename control", client.rename_signing_key("k1", "a\nb").unwrap_err()),
        ("delete key", client.delete_signing_key("%2F").unwrap_err()),
        (
            "policy bucket",
            client.set_bucket_policy("B", BucketPolicy::Public).unwrap_err(),
        ),
        ("cors empty", client.set_bucket_cors("my-bucket", &empty).unwrap_err()),
        (
            "cors header",
            client.set_bucket_cors("my-bucket", &bad_cors).unwrap_err(),
        ),
        ("cors get", client.get_bucket_cors("a").unwrap_err()),
        ("cors delete", client.delete_bucket_cors("-a-").unwrap_err()),
        (
            "cors header delete",
            client.delete_bucket_cors_header("my-bucket", "").unwrap_err(),
        ),
        ("purge bucket", client.purge_bucket_cache("my bucket").unwrap_err()),
        ("purge path", client.purge_object_cache("my-bucket", "").unwrap_err()),
    ];
    for (what, e) in results {
        assert_eq!(e.code(), ErrorCode::InvalidArgument, "{what}: {e}");
        assert!(e.to_string().starts_with("INVALID_ARGUMENT: "), "{what}: {e}");
    }
    let counters = emu.counters();
    assert_eq!(counters.token_requests, 0, "{counters:?}");
    assert!(counters.requests.is_empty(), "{counters:?}");
}

#[test]
fn a_wrong_api_key_is_unauthorized_after_one_token_request() {
    let emu = emulator(EmulatorConfig::default());
    let client = Client::builder("sk-wrong-key-0123456789")
        .api_url(emu.url())
        .auth_url(emu.url())
        .build()
        .unwrap();
    let e = client.list_domains(None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Unauthorized);
    assert_eq!(e.status(), Some(401));
    let shown = format!("{e} {e:?}");
    assert!(shown.contains("invalid API key"), "{shown}");
    assert!(shown.contains("/v1/access_token/<redacted>"), "{shown}");
    assert!(!shown.contains("sk-wrong-key"), "{shown}");
    let counters = emu.counters();
    assert_eq!(counters.token_requests, 1);
    assert_eq!(count(&emu, "GET /v1/domains"), 0);
}

#[test]
fn results_serialize_back_to_the_api_documents() {
    let (_emu, client) = start();
    let domain = client.create_domain("live.mydomain.com", DomainType::Live).unwrap();
    let v = serde_json::to_value(&domain).unwrap();
    assert_eq!(v["type"], "live");
    assert_eq!(v["domain_name"], "live.mydomain.com");
    let key = client
        .create_signing_key(&SigningKeyTarget::Domain(domain.id.clone()))
        .unwrap();
    let v = serde_json::to_value(&key).unwrap();
    assert!(v["private_key"].as_str().unwrap().contains("PRIVATE KEY"));
    assert_eq!(v["domain_id"], domain.id.as_str());
}

type Call = (&'static str, Box<dyn Fn(&Client) -> Result<(), qencode_cdn::Error>>);

/// All twenty methods, with valid arguments (the objects need not exist: the
/// faults below answer before the emulator looks).
fn every_method() -> Vec<Call> {
    let cors = BTreeMap::from([("Access-Control-Allow-Origin".to_string(), "*".to_string())]);
    vec![
        (
            "create_domain",
            Box::new(|c: &Client| c.create_domain("a.example.com", DomainType::Live).map(drop)),
        ),
        ("get_domain", Box::new(|c: &Client| c.get_domain("d1").map(drop))),
        ("list_domains", Box::new(|c: &Client| c.list_domains(None).map(drop))),
        ("delete_domain", Box::new(|c: &Client| c.delete_domain("d1"))),
        (
            "create_tls_subscription",
            Box::new(|c: &Client| c.create_tls_subscription("d1").map(drop)),
        ),
        (
            "get_tls_subscription",
            Box::new(|c: &Client| c.get_tls_subscription("t1").map(drop)),
        ),
        (
            "list_tls_subscriptions",
            Box::new(|c: &Client| c.list_tls_subscriptions().map(drop)),
        ),
        (
            "delete_tls_subscription",
            Box::new(|c: &Client| c.delete_tls_subscription("t1")),
        ),
        (
            "create_signing_key",
            Box::new(|c: &Client| c.create_signing_key(&SigningKeyTarget::Stream("s1".into())).map(drop)),
        ),
        (
            "get_signing_key",
            Box::new(|c: &Client| c.get_signing_key("k1").map(drop)),
        ),
        (
            "list_signing_keys",
            Box::new(|c: &Client| c.list_signing_keys().map(drop)),
        ),
        (
            "rename_signing_key",
            Box::new(|c: &Client| c.rename_signing_key("k1", "n").map(drop)),
        ),
        ("delete_signing_key", Box::new(|c: &Client| c.delete_signing_key("k1"))),
        (
            "set_bucket_policy",
            Box::new(|c: &Client| c.set_bucket_policy("my-bucket", BucketPolicy::Public)),
        ),
        (
            "set_bucket_cors",
            Box::new(move |c: &Client| c.set_bucket_cors("my-bucket", &cors)),
        ),
        (
            "get_bucket_cors",
            Box::new(|c: &Client| c.get_bucket_cors("my-bucket").map(drop)),
        ),
        (
            "delete_bucket_cors",
            Box::new(|c: &Client| c.delete_bucket_cors("my-bucket")),
        ),
        (
            "delete_bucket_cors_header",
            Box::new(|c: &Client| c.delete_bucket_cors_header("my-bucket", "Access-Control-Max-Age")),
        ),
        (
            "purge_bucket_cache",
            Box::new(|c: &Client| c.purge_bucket_cache("my-bucket")),
        ),
        (
            "purge_object_cache",
            Box::new(|c: &Client| c.purge_object_cache("my-bucket", "a/b.mp4")),
        ),
    ]
}

#[test]
fn every_method_maps_every_error_class() {
    use qencode_cdn_emulator::{Fault, FaultKind};
    let emu = emulator(EmulatorConfig::default());
    let client = Client::builder(emu.api_key())
        .api_url(emu.url())
        .auth_url(emu.url())
        .max_retries(0)
        .timeout(std::time::Duration::from_millis(150))
        .build()
        .unwrap();
    client.list_domains(None).unwrap(); // the token is cached: faults hit the method's own request
    let methods = every_method();
    assert_eq!(methods.len(), 20);
    let cases = [
        (
            FaultKind::Status {
                status: 404,
                retry_after: None,
            },
            ErrorCode::NotFound,
        ),
        (
            FaultKind::Status {
                status: 500,
                retry_after: None,
            },
            ErrorCode::ApiError,
        ),
        (
            FaultKind::Status {
                status: 503,
                retry_after: None,
            },
            ErrorCode::ApiError,
        ),
        (
            FaultKind::Status {
                status: 429,
                retry_after: Some(0),
            },
            ErrorCode::RateLimited,
        ),
        (
            FaultKind::Status {
                status: 403,
                retry_after: None,
            },
            ErrorCode::Unauthorized,
        ),
        (FaultKind::NotJson, ErrorCode::Decode),
        (FaultKind::Drop, ErrorCode::Transport),
        (
            FaultKind::Delay(std::time::Duration::from_millis(500)),
            ErrorCode::Timeout,
        ),
    ];
    for (kind, want) in cases {
        for (name, call) in &methods {
            emu.inject_fault(Fault {
                route: "*".into(),
                times: 2,
                kind: kind.clone(),
            });
            let got = call(&client).map_err(|e| e.code());
            emu.reset();
            assert_eq!(got, Err(want), "{name} with {kind:?}");
        }
    }
    // And each succeeds once the faults are gone (unknown objects: NOT_FOUND, never a panic),
    // with a timeout a busy machine cannot miss.
    let patient = client_for(&emu);
    for (name, call) in &methods {
        match call(&patient) {
            Ok(()) => {}
            Err(e) => assert_eq!(e.code(), ErrorCode::NotFound, "{name}: {e}"),
        }
    }
}
