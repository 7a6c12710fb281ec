//! Soak: 8 threads of mixed calls — every one of the 20 methods — against
//! the emulator on loopback with random injected faults (429 with
//! Retry-After, 5xx, 401, dropped connections, delays, garbage and truncated
//! bodies) from a seeded RNG (`QCDN_SOAK_SEED` picks another seed). Bounded:
//! a fixed number of calls with a 2 s deadline each, a few seconds in all.
//!
//! Afterwards, from the emulator's own state: no create was duplicated, each
//! create reported as a success exists once, no create reported as
//! certainly not made exists; every call ended in success or a code its
//! method documents; no call outlived its deadline (plus a generous margin);
//! and no secret (API key, access token, private key) appears in any error
//! message or `Debug` output.

#![cfg(feature = "client")]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use qencode_cdn::{BucketPolicy, Client, DomainType, Error, ErrorCode, SigningKeyTarget};
use qencode_cdn_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};

const THREADS: u64 = 8;
/// Calls per thread: three creates, the 20 methods in a shuffled order, then random ones.
const CALLS_PER_THREAD: usize = 32;
const FAULT_PERCENT: u64 = 35;
const DEADLINE: Duration = Duration::from_secs(2);
/// Generous: the bound is the deadline; this only absorbs a busy machine.
const DEADLINE_MARGIN: Duration = Duration::from_secs(2);
const API_KEY: &str = "sk-soak-7f3e9a1c5b2d8e4f60a1";
/// What a create's error says when the server may have carried it out.
const MAY_EXIST: &str = "may have been created";

const METHODS: [&str; 20] = [
    "create_domain",
    "get_domain",
    "list_domains",
    "delete_domain",
    "create_tls_subscription",
    "get_tls_subscription",
    "list_tls_subscriptions",
    "delete_tls_subscription",
    "create_signing_key",
    "get_signing_key",
    "list_signing_keys",
    "rename_signing_key",
    "delete_signing_key",
    "set_bucket_policy",
    "set_bucket_cors",
    "get_bucket_cors",
    "delete_bucket_cors",
    "delete_bucket_cors_header",
    "purge_bucket_cache",
    "purge_object_cache",
];

/// splitmix64: a seeded, reproducible stream of numbers.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The emulator route a method's request takes (its fault route).
fn route(method: &str) -> &'static str {
    match method {
        "create_domain" => "POST /v1/domains",
        "get_domain" => "GET /v1/domains/*",
        "list_domains" => "GET /v1/domains",
        "delete_domain" => "DELETE /v1/domains/*",
        "create_tls_subscription" => "POST /v1/tls/subscriptions",
        "get_tls_subscription" => "GET /v1/tls/subscriptions/*",
        "list_tls_subscriptions" => "GET /v1/tls/subscriptions",
        "delete_tls_subscription" => "DELETE /v1/tls/subscriptions/*",
        "create_signing_key" => "POST /v1/signing-keys",
        "get_signing_key" => "GET /v1/signing-keys/*",
        "list_signing_keys" => "GET /v1/signing-keys",
        "rename_signing_key" => "PUT /v1/signing-keys/*",
        "delete_signing_key" => "DELETE /v1/signing-keys/*",
        "set_bucket_policy" => "PUT /v1/buckets/*/policy/*",
        "set_bucket_cors" => "POST /v1/buckets/*/cors",
        "get_bucket_cors" => "GET /v1/buckets/*/cors",
        "delete_bucket_cors" => "DELETE /v1/buckets/*/cors",
        "delete_bucket_cors_header" => "DELETE /v1/buckets/*/cors/*",
        "purge_bucket_cache" => "POST /v1/buckets/*/cache/purge_all",
        "purge_object_cache" => "POST /v1/buckets/*/cache/purge",
        other => panic!("unknown method {other}"),
    }
}

/// The codes a method may end with here, besides success: what any call
/// may meet (DESIGN §5), and NOT_FOUND where an id may be gone.
fn allowed(method: &str, code: ErrorCode) -> bool {
    use ErrorCode::*;
    let any = matches!(
        code,
        Unauthorized | RateLimited | ApiError | Transport | Timeout | Decode
    );
    let by_id = matches!(
        method,
        "get_domain"
            | "delete_domain"
            | "create_tls_subscription"
            | "get_tls_subscription"
            | "delete_tls_subscription"
            | "get_signing_key"
            | "rename_signing_key"
            | "delete_signing_key"
            | "delete_bucket_cors_header"
    );
    any || (by_id && code == NotFound)
}

fn random_fault(rng: &mut Rng, method: &str) -> Fault {
    let route = match rng.below(10) {
        0 => "*",
        1 => "POST /v1/access_token/*",
        _ => route(method),
    };
    let status = |status, retry_after| FaultKind::Status { status, retry_after };
    let kinds = [
        status(429, Some(0)),
        status(429, Some(1)),
        // Longer than the deadline: RATE_LIMITED at once.
        status(429, Some(5)),
        status(500, None),
        status(502, None),
        status(503, None),
        status(503, Some(1)),
        status(504, None),
        status(401, None),
        FaultKind::Drop,
        FaultKind::Delay(Duration::from_millis(300)),
        // Longer than the 1 s attempt timeout.
        FaultKind::Delay(Duration::from_millis(1300)),
        FaultKind::NotJson,
        FaultKind::Truncate,
    ];
    Fault {
        route: route.into(),
        times: 1 + rng.below(2) as u32,
        kind: rng.pick(&kinds).clone(),
    }
}

/// How a create ended, as the client reported it.
#[derive(Debug, Clone, PartialEq)]
enum Created {
    /// Success: the object's id.
    Yes(String),
    /// Failed, and the error says the object may exist.
    Maybe,
    /// Failed, and the error does not say so: it must not exist.
    No,
}

fn created<T>(r: &Result<T, Error>, id: impl Fn(&T) -> String) -> Created {
    match r {
        Ok(v) => Created::Yes(id(v)),
        Err(e) if e.to_string().contains(MAY_EXIST) => Created::Maybe,
        Err(_) => Created::No,
    }
}

struct Record {
    thread: u64,
    method: &'static str,
    took: Duration,
    /// `None` on success.
    code: Option<ErrorCode>,
    /// Display, message and Debug of the error, or Debug of the result.
    shown: String,
}

#[derive(Default)]
struct ThreadLog {
    records: Vec<Record>,
    /// Domain name → outcome.
    domains: Vec<(String, Created)>,
    /// Bucket (each signing key has its own) → outcome.
    keys: Vec<(String, Created)>,
    /// Domain id → outcome of its one TLS subscription create.
    subscriptions: Vec<(String, Created)>,
    /// Ids whose delete was attempted (whatever the outcome).
    deleted: BTreeSet<String>,
    /// Private keys the client returned (to look for in every message).
    private_keys: Vec<String>,
    faults: u64,
}

/// The ids a thread made, to use in later calls.
#[derive(Default)]
struct Owned {
    domains: Vec<String>,
    without_tls: Vec<String>,
    subscriptions: Vec<String>,
    keys: Vec<String>,
}

impl Owned {
    fn take(list: &mut Vec<String>, rng: &mut Rng) -> Option<String> {
        (!list.is_empty()).then(|| list.swap_remove(rng.below(list.len() as u64) as usize))
    }

    fn peek(list: &[String], rng: &mut Rng) -> Option<String> {
        (!list.is_empty()).then(|| rng.pick(list).clone())
    }
}

const UNKNOWN_ID: &str = "aeac03d6-beb0-4638-a094-fbc35653f931";

fn run_thread(emu: &Emulator, client: &Client, thread: u64, seed: u64) -> ThreadLog {
    let mut rng = Rng(seed ^ thread.wrapping_mul(0xA24B_AED4_963E_E407));
    // A few objects first, so that calls by id have something to work on;
    // then every method once in a shuffled order; then random ones.
    let mut shuffled: Vec<&'static str> = METHODS.to_vec();
    for i in (1..shuffled.len()).rev() {
        shuffled.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let mut plan = vec!["create_domain", "create_domain", "create_signing_key"];
    plan.extend(shuffled);
    while plan.len() < CALLS_PER_THREAD {
        plan.push(*rng.pick(&METHODS));
    }
    let bucket = format!("soak-bucket-{thread}");
    let mut owned = Owned::default();
    let mut log = ThreadLog::default();
    for (i, &method) in plan.iter().enumerate() {
        if rng.below(100) < FAULT_PERCENT {
            emu.inject_fault(random_fault(&mut rng, method));
            log.faults += 1;
        }
        let started = Instant::now();
        let result: Result<String, Error> = match method {
            "create_domain" => {
                let name = format!("d{thread}-{i}.soak.example.com");
                let kind = if rng.below(2) == 0 {
                    DomainType::Live
                } else {
                    DomainType::Storage
                };
                let r = client.create_domain(&name, kind.clone());
                log.domains.push((name.clone(), created(&r, |d| d.id.clone())));
                r.map(|d| {
                    assert_eq!((d.domain_name.as_str(), &d.kind), (name.as_str(), &kind));
                    owned.domains.push(d.id.clone());
                    owned.without_tls.push(d.id.clone());
                    format!("{d:?}")
                })
            }
            "get_domain" => {
                let id = Owned::peek(&owned.domains, &mut rng).unwrap_or_else(|| UNKNOWN_ID.into());
                client.get_domain(&id).map(|d| {
                    assert_eq!(d.id, id);
                    format!("{d:?}")
                })
            }
            "list_domains" => client.list_domains(None).map(|l| format!("{l:?}")),
            "delete_domain" => {
                let id = Owned::take(&mut owned.domains, &mut rng).unwrap_or_else(|| UNKNOWN_ID.into());
                owned.without_tls.retain(|d| *d != id);
                log.deleted.insert(id.clone());
                client.delete_domain(&id).map(|()| "ok".into())
            }
            "create_tls_subscription" => match Owned::take(&mut owned.without_tls, &mut rng) {
                Some(domain_id) => {
                    let r = client.create_tls_subscription(&domain_id);
                    log.subscriptions
                        .push((domain_id.clone(), created(&r, |s| s.id.clone())));
                    r.map(|s| {
                        assert_eq!(s.domain_id, domain_id);
                        owned.subscriptions.push(s.id.clone());
                        format!("{s:?}")
                    })
                }
                None => client.create_tls_subscription(UNKNOWN_ID).map(|s| format!("{s:?}")),
            },
            "get_tls_subscription" => {
                let id = Owned::peek(&owned.subscriptions, &mut rng).unwrap_or_else(|| UNKNOWN_ID.into());
                client.get_tls_subscription(&id).map(|s| format!("{s:?}"))
            }
            "list_tls_subscriptions" => client.list_tls_subscriptions().map(|l| format!("{l:?}")),
            "delete_tls_subscription" => {
                let id = Owned::take(&mut owned.subscriptions, &mut rng).unwrap_or_else(|| UNKNOWN_ID.into());
                log.deleted.insert(id.clone());
                client.delete_tls_subscription(&id).map(|()| "ok".into())
            }
            "create_signing_key" => {
                let target = format!("soak-key-{thread}-{i}");
                let r = client.create_signing_key(&SigningKeyTarget::Bucket(target.clone()));
                log.keys.push((target.clone(), created(&r, |k| k.id().to_string())));
                r.map(|k| {
                    assert_eq!(k.signing_key.bucket_name.as_deref(), Some(target.as_str()));
                    assert!(k.private_key_pem().contains("PRIVATE KEY"));
                    log.private_keys.push(k.private_key_pem().to_string());
                    owned.keys.push(k.id().to_string());
                    format!("{k:?}")
                })
            }
            "get_signing_key" => {
                let id = Owned::peek(&owned.keys, &mut rng).unwrap_or_else(|| UNKNOWN_ID.into());
                client.get_signing_key(&id).map(|k| format!("{k:?}"))
            }
            "list_signing_keys" => client.list_signing_keys().map(|l| format!("{l:?}")),
            "rename_signing_key" => {
                let id = Owned::peek(&owned.keys, &mut rng).unwrap_or_else(|| UNKNOWN_ID.into());
                let name = format!("soak key {thread}-{i}");
                client.rename_signing_key(&id, &name).map(|k| {
                    assert_eq!(k.name.as_deref(), Some(name.as_str()));
                    format!("{k:?}")
                })
            }
            "delete_signing_key" => {
                let id = Owned::take(&mut owned.keys, &mut rng).unwrap_or_else(|| UNKNOWN_ID.into());
                log.deleted.insert(id.clone());
                client.delete_signing_key(&id).map(|()| "ok".into())
            }
            "set_bucket_policy" => {
                let policy = *rng.pick(&[BucketPolicy::Public, BucketPolicy::Authenticated]);
                client.set_bucket_policy(&bucket, policy).map(|()| "ok".into())
            }
            "set_bucket_cors" => {
                let cors = BTreeMap::from([
                    ("Access-Control-Allow-Origin".to_string(), "*".to_string()),
                    ("Access-Control-Max-Age".to_string(), "600".to_string()),
                ]);
                client.set_bucket_cors(&bucket, &cors).map(|()| "ok".into())
            }
            "get_bucket_cors" => client.get_bucket_cors(&bucket).map(|c| format!("{c:?}")),
            "delete_bucket_cors" => client.delete_bucket_cors(&bucket).map(|()| "ok".into()),
            "delete_bucket_cors_header" => client
                .delete_bucket_cors_header(&bucket, "Access-Control-Max-Age")
                .map(|()| "ok".into()),
            "purge_bucket_cache" => client.purge_bucket_cache(&bucket).map(|()| "ok".into()),
            "purge_object_cache" => client
                .purge_object_cache(&bucket, &format!("videos/{i}.mp4"))
                .map(|()| "ok".into()),
            other => panic!("unknown method {other}"),
        };
        let took = started.elapsed();
        let (code, shown) = match result {
            Ok(debug) => (None, debug),
            Err(e) => (Some(e.code()), format!("{e}\n{}\n{e:?}", e.message())),
        };
        log.records.push(Record {
            thread,
            method,
            took,
            code,
            shown,
        });
    }
    log
}

#[test]
fn eight_threads_of_every_method_under_random_faults_keep_every_promise() {
    let seed = std::env::var("QCDN_SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_0011_u64);
    let emu = Emulator::start(EmulatorConfig {
        api_keys: vec![API_KEY.to_string()],
        signing_key_bits: 2048,
        max_domains: 10_000,
        ..Default::default()
    })
    .unwrap();
    let client = Client::builder(API_KEY)
        .api_url(emu.url())
        .auth_url(emu.url())
        .connect_timeout(Duration::from_secs(1))
        .timeout(Duration::from_secs(1))
        .deadline(DEADLINE)
        .max_retries(3)
        .build()
        .unwrap();

    let started = Instant::now();
    let logs: Vec<ThreadLog> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let (emu, client) = (&emu, client.clone());
                s.spawn(move || run_thread(emu, &client, t, seed))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let wall = started.elapsed();
    emu.clear_faults();

    let records: Vec<&Record> = logs.iter().flat_map(|l| &l.records).collect();
    let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &records {
        *by_code.entry(r.code.map_or("OK", ErrorCode::as_str)).or_default() += 1;
    }
    let faults: u64 = logs.iter().map(|l| l.faults).sum();
    let slowest = records.iter().map(|r| r.took).max().unwrap();
    println!(
        "soak: seed {seed:#x}, {} calls, {faults} faults, {wall:?} in all, slowest call {slowest:?}: {by_code:?}",
        records.len()
    );

    // Every method was called, and every call ended in success or a documented code.
    let called: BTreeSet<&str> = records.iter().map(|r| r.method).collect();
    assert_eq!(called.len(), 20, "{called:?}");
    assert_eq!(records.len(), THREADS as usize * CALLS_PER_THREAD);
    for r in &records {
        if let Some(code) = r.code {
            assert!(
                allowed(r.method, code),
                "thread {} {}: {code} is not a documented outcome:\n{}",
                r.thread,
                r.method,
                r.shown
            );
            assert!(r.shown.contains(" /v1/"), "the error names its request: {}", r.shown);
        }
    }
    assert!(
        by_code.get("OK").copied().unwrap_or(0) > records.len() / 3,
        "{by_code:?}"
    );
    assert!(by_code.len() >= 4, "the faults drove several codes: {by_code:?}");

    // No call outlived its deadline.
    for r in &records {
        assert!(
            r.took < DEADLINE + DEADLINE_MARGIN,
            "thread {} {} took {:?}: {}",
            r.thread,
            r.method,
            r.took,
            r.shown
        );
    }

    // No secret in any error message or Debug output.
    let private_keys: Vec<&str> = logs.iter().flat_map(|l| &l.private_keys).map(String::as_str).collect();
    let key_lines: Vec<&str> = private_keys
        .iter()
        .flat_map(|pem| pem.lines().filter(|l| l.len() > 40))
        .collect();
    for r in &records {
        assert!(!r.shown.contains(API_KEY), "API key in {}", r.shown);
        assert!(!r.shown.contains("eyJ"), "an access token in {}", r.shown);
        assert!(!r.shown.contains("PRIVATE KEY"), "a private key in {}", r.shown);
        assert!(
            !key_lines.iter().any(|l| r.shown.contains(l)),
            "private key material in {}",
            r.shown
        );
    }
    assert!(!format!("{client:?}").contains(API_KEY));

    // The server's state: creates never duplicated, none made behind a "no".
    let check = Client::builder(API_KEY)
        .api_url(emu.url())
        .auth_url(emu.url())
        .build()
        .unwrap();
    let deleted: BTreeSet<&String> = logs.iter().flat_map(|l| &l.deleted).collect();

    let domains = check.list_domains(None).unwrap();
    let mut domains_by_name: HashMap<&str, Vec<&str>> = HashMap::new();
    for d in &domains {
        domains_by_name.entry(&d.domain_name).or_default().push(&d.id);
    }
    for (name, outcome) in logs.iter().flat_map(|l| &l.domains) {
        let ids = domains_by_name.get(name.as_str()).cloned().unwrap_or_default();
        assert!(ids.len() <= 1, "domain {name} created {} times", ids.len());
        match outcome {
            Created::Yes(id) if !deleted.contains(id) => assert_eq!(ids, [id.as_str()], "{name}"),
            Created::No => assert!(
                ids.is_empty(),
                "{name} exists although the client said it was not created"
            ),
            _ => {}
        }
    }

    let keys = check.list_signing_keys().unwrap();
    let mut keys_by_bucket: HashMap<&str, Vec<&str>> = HashMap::new();
    for k in &keys {
        keys_by_bucket
            .entry(k.bucket_name.as_deref().unwrap_or(""))
            .or_default()
            .push(&k.id);
    }
    for (bucket, outcome) in logs.iter().flat_map(|l| &l.keys) {
        let ids = keys_by_bucket.get(bucket.as_str()).cloned().unwrap_or_default();
        assert!(ids.len() <= 1, "signing key for {bucket} created {} times", ids.len());
        match outcome {
            Created::Yes(id) if !deleted.contains(id) => assert_eq!(ids, [id.as_str()], "{bucket}"),
            Created::No => assert!(ids.is_empty(), "a key for {bucket} exists although the client said no"),
            _ => {}
        }
    }

    let subscriptions = check.list_tls_subscriptions().unwrap();
    let mut subs_by_domain: HashMap<&str, Vec<&str>> = HashMap::new();
    for s in &subscriptions {
        subs_by_domain.entry(&s.domain_id).or_default().push(&s.id);
    }
    for (domain_id, outcome) in logs.iter().flat_map(|l| &l.subscriptions) {
        let ids = subs_by_domain.get(domain_id.as_str()).cloned().unwrap_or_default();
        assert!(
            ids.len() <= 1,
            "TLS subscription for {domain_id} created {} times",
            ids.len()
        );
        match outcome {
            Created::Yes(id) if !deleted.contains(id) && !deleted.contains(domain_id) => {
                assert_eq!(ids, [id.as_str()], "{domain_id}")
            }
            Created::No => assert!(
                ids.is_empty(),
                "a subscription for {domain_id} exists although the client said no"
            ),
            _ => {}
        }
    }
    let creates: usize = logs
        .iter()
        .map(|l| l.domains.len() + l.keys.len() + l.subscriptions.len())
        .sum();
    assert!(creates >= THREADS as usize * 5, "creates were exercised: {creates}");
}
