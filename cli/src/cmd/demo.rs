//! `qcdn demo`: the whole customer flow against an in-process emulator,
//! printed step by step; exit 0 only when every expectation held.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use qencode_cdn::{
    BucketPolicy, ClientBuilder, CookieOptions, DomainType, SignOptions, Signer, SigningKeyTarget, TlsStatus, Verifier,
    live_playback_url, storage_custom_domain_url, storage_url,
};
use qencode_cdn_emulator::{EdgeResponse, Emulator, EmulatorConfig};
use serde_json::Value;

use crate::args::DemoArgs;
use crate::cmd::emulator::io_error;
use crate::error::{CliError, CliResult, EXIT_OK, EXIT_VERIFICATION_FAILED};
use crate::style::{Painter, use_color};

const LIVE_DOMAIN: &str = "live.example.com";
const STORAGE_DOMAIN: &str = "media.example.com";
const STREAM_ID: &str = "1f1ab6a3-d867-4787-b882-7f2fb1203634";
const PLAYBACK_ID: &str = "demo-playback-id";
const BUCKET: &str = "demo-bucket";
const REGION: &str = "us-west";
const FOLDER: &str = "videos/intro/";
const MASTER: &str = "videos/intro/master.m3u8";
const SEGMENT: &str = "videos/intro/segment0.ts";
/// RSA size of the emulator's signing keys in the demo (production keys are 4096-bit).
pub const DEMO_KEY_BITS: usize = 2048;

/// The running tally of the demo.
struct Demo {
    p: Painter,
    step: u32,
    passed: u32,
    failed: Vec<String>,
}

impl Demo {
    fn step(&mut self, title: &str) {
        self.step += 1;
        println!();
        println!("{}", self.p.bold(&format!("{}. {title}", self.step)));
    }

    fn info(&self, text: &str) {
        println!("   {text}");
    }

    fn note(&self, text: &str) {
        println!("   {}", self.p.dim(text));
    }

    fn expect(&mut self, ok: bool, what: &str) {
        if ok {
            self.passed += 1;
            println!("   {} {what}", self.p.green("[ok]"));
        } else {
            self.failed.push(format!("step {}: {what}", self.step));
            println!("   {} {what}", self.p.red("[FAIL]"));
        }
    }

    /// Fetches `url` from the emulated edge and expects `want` (200 or 403).
    fn fetch(&mut self, emu: &Emulator, label: &str, url: &str, cookie: Option<&str>, want: u16) -> CliResult<()> {
        let r: EdgeResponse = emu
            .fetch(url, cookie)
            .map_err(|e| io_error("the edge fetch failed", e))?;
        let status = match r.status {
            200 => self.p.green("200 OK"),
            403 => self.p.yellow("403 Forbidden"),
            s => self.p.red(&s.to_string()),
        };
        let reason = r.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
        self.info(&format!("GET {} {label}", short(url)));
        self.expect(r.status == want, &format!("{status}{reason}"));
        Ok(())
    }
}

/// A URL with its token shortened for reading.
fn short(url: &str) -> String {
    match url.find("auth=") {
        Some(i) if url.len() > i + 5 + 24 => {
            let t = &url[i + 5..];
            format!("{}auth={}…({} chars)", &url[..i], &t[..16], t.len())
        }
        _ => url.to_string(),
    }
}

/// The same URL with the token's `exp` pushed a year out and the signature kept.
fn tamper_exp(url: &str) -> Result<String, CliError> {
    let bad = || CliError::internal("the signed URL has no token to tamper with");
    let i = url.find("auth=").ok_or_else(bad)?;
    let token = &url[i + 5..];
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let payload = URL_SAFE_NO_PAD.decode(p).map_err(|_| bad())?;
    let mut claims: serde_json::Map<String, Value> = serde_json::from_slice(&payload).map_err(|_| bad())?;
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    claims.insert("exp".into(), Value::from(exp + 365 * 86_400));
    let forged = serde_json::to_vec(&claims).map_err(|_| bad())?;
    Ok(format!("{}auth={h}.{}.{s}", &url[..i], URL_SAFE_NO_PAD.encode(forged)))
}

/// Runs the demo.
pub fn run(args: &DemoArgs) -> CliResult {
    let started = Instant::now();
    let mut d = Demo {
        p: Painter::new(use_color(args.color)),
        step: 0,
        passed: 0,
        failed: Vec::new(),
    };
    println!(
        "{}",
        d.p.bold("qcdn demo: the Qencode Content Delivery flow, end to end, against a local emulator")
    );
    let emu = Emulator::start(EmulatorConfig {
        signing_key_bits: DEMO_KEY_BITS,
        ..EmulatorConfig::default()
    })
    .map_err(|e| io_error("cannot start the emulator", e))?;
    d.note(&format!(
        "emulator at {} (management API, access tokens and playback edge, in this process)",
        emu.url()
    ));
    d.note(&format!(
        "signing keys are {DEMO_KEY_BITS}-bit here so the demo runs in seconds; the real API issues 4096-bit keys"
    ));
    let client = ClientBuilder::new(emu.api_key())
        .api_url(emu.url())
        .auth_url(emu.url())
        .user_agent_suffix("cli")
        .build()?;

    d.step("Get an access token");
    let domains = client.list_domains(None)?;
    d.info("POST /v1/access_token/{api_key} on the first call: access token obtained (not shown)");
    d.note("the client caches it and renews it before it expires (24 h)");
    d.expect(
        emu.counters().token_requests == 1,
        "one access-token request, then GET /v1/domains",
    );
    d.expect(domains.is_empty(), "a new account has no domains");

    d.step("Create a live domain and a storage domain");
    let live = client.create_domain(LIVE_DOMAIN, DomainType::Live)?;
    d.info(&format!("live     {}  id {}", live.domain_name, live.id));
    let media = client.create_domain(STORAGE_DOMAIN, DomainType::Storage)?;
    d.info(&format!("storage  {}  id {}", media.domain_name, media.id));
    d.expect(
        live.kind == DomainType::Live && media.kind == DomainType::Storage,
        "both domains created with their types",
    );

    d.step("Request a TLS certificate for the live domain");
    let tls = client.create_tls_subscription(&live.id)?;
    d.info(&format!("subscription {}  status {}", tls.id, tls.status));
    let message = tls.message.clone().unwrap_or_default();
    d.info(&format!("the API says: {}", d.p.cyan(&message)));
    d.expect(
        tls.status == TlsStatus::Pending && message.contains("CNAME"),
        "pending until you create the CNAME shown above",
    );

    d.step("Create a signing key for a stream and one for a bucket");
    emu.add_stream(STREAM_ID, PLAYBACK_ID);
    d.note(&format!(
        "emulator fixture: live stream {STREAM_ID} with playback id {PLAYBACK_ID}"
    ));
    let stream_key = client.create_signing_key(&SigningKeyTarget::Stream(STREAM_ID.into()))?;
    d.info(&format!("stream key {}", stream_key.id()));
    let bucket_key = client.create_signing_key(&SigningKeyTarget::Bucket(BUCKET.into()))?;
    d.info(&format!("bucket key {}", bucket_key.id()));
    d.note("each private key is returned once; kept in memory here, not shown (`qcdn signing-keys create --out FILE`)");
    let stream_signer = Signer::from_pem(stream_key.id(), stream_key.private_key_pem())?;
    let bucket_signer = Signer::from_pem(bucket_key.id(), bucket_key.private_key_pem())?;
    d.expect(
        stream_signer.key_bits() == DEMO_KEY_BITS && bucket_signer.key_bits() == DEMO_KEY_BITS,
        &format!("both private keys load as {DEMO_KEY_BITS}-bit RSA signing keys"),
    );

    d.step("Set the bucket to `authenticated`");
    emu.add_object(
        BUCKET,
        MASTER,
        b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nsegment0.ts\n".to_vec(),
    );
    emu.add_object(BUCKET, SEGMENT, vec![0x47; 188]);
    emu.map_storage_domain(STORAGE_DOMAIN, BUCKET);
    d.note(&format!(
        "emulator fixture: {BUCKET} holds {MASTER} and {SEGMENT}, served on {STORAGE_DOMAIN}"
    ));
    let plain = storage_url(BUCKET, REGION, MASTER, None)?;
    d.fetch(&emu, "(no token, bucket still public)", &plain, None, 200)?;
    client.set_bucket_policy(BUCKET, BucketPolicy::Authenticated)?;
    d.info(&format!("PUT /v1/buckets/{BUCKET}/policy/authenticated"));
    d.fetch(&emu, "(no token, bucket authenticated)", &plain, None, 403)?;

    d.step("Set and read the bucket's CORS policy");
    let cors: BTreeMap<String, String> = [
        ("Access-Control-Allow-Origin", "https://player.example.com"),
        ("Access-Control-Allow-Methods", "GET, HEAD"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    client.set_bucket_cors(BUCKET, &cors)?;
    let read = client.get_bucket_cors(BUCKET)?;
    for (k, v) in &read {
        d.info(&format!("{k}: {v}"));
    }
    d.expect(read == cors, "the API returns the headers that were set");

    d.step("Sign a live playback URL, a storage URL and a signed cookie");
    let ten_minutes = SignOptions::new().expires_in(Duration::from_secs(600));
    let live_url = stream_signer.signed_live_url(PLAYBACK_ID, &ten_minutes)?;
    d.info(&format!("live     {}", d.p.cyan(&short(&live_url))));
    let storage = bucket_signer.signed_storage_url(BUCKET, REGION, MASTER, &ten_minutes)?;
    d.info(&format!("storage  {}", d.p.cyan(&short(&storage))));
    let cookie = bucket_signer.signed_cookie(
        FOLDER,
        &SignOptions::new().expires_in(Duration::from_secs(3600)),
        &CookieOptions::new().domain("example.com"),
    )?;
    let cookie_header = cookie.header_value();
    let cookie_shown = match cookie_header.split_once("; ") {
        Some((_, attrs)) => format!("Qencode-Auth-Token=<token for `{FOLDER}`>; {attrs}"),
        None => cookie_header.clone(),
    };
    d.info(&format!("cookie   Set-Cookie: {}", d.p.cyan(&cookie_shown)));
    let verifier = Verifier::from_signer(&bucket_signer)?;
    d.expect(
        verifier.explain(&storage).ok && Verifier::from_signer(&stream_signer)?.explain(&live_url).ok,
        "both URLs verify with their signing key's public half",
    );

    d.step("Fetch from the emulated edge, with and without the token");
    let live_plain = live_playback_url(PLAYBACK_ID, None)?;
    d.fetch(&emu, "(no token)", &live_plain, None, 403)?;
    d.fetch(&emu, "(signed)", &live_url, None, 200)?;
    let storage_plain = storage_url(BUCKET, REGION, MASTER, None)?;
    d.fetch(&emu, "(no token)", &storage_plain, None, 403)?;
    d.fetch(&emu, "(signed)", &storage, None, 200)?;
    let wrong_key = stream_signer.signed_storage_url(BUCKET, REGION, MASTER, &ten_minutes)?;
    d.fetch(&emu, "(signed with the stream's key)", &wrong_key, None, 403)?;
    let segment = storage_custom_domain_url(STORAGE_DOMAIN, SEGMENT, None)?;
    d.fetch(&emu, "(no cookie)", &segment, None, 403)?;
    d.fetch(
        &emu,
        "(signed cookie for the folder)",
        &segment,
        Some(&cookie_header),
        200,
    )?;

    d.step("Explain a tampered URL");
    let tampered = tamper_exp(&storage)?;
    d.info("the storage URL with `exp` pushed a year out, signature unchanged:");
    let explanation = verifier.explain(&tampered);
    for line in explanation.to_string().lines().skip(1) {
        let line = if line.contains("[FAIL]") {
            d.p.red(line)
        } else {
            line.to_string()
        };
        d.info(&line);
    }
    d.expect(
        !explanation.ok && explanation.first_failure().is_some_and(|c| c.name == "signature"),
        "refused: the signature no longer matches",
    );
    d.fetch(&emu, "(tampered)", &tampered, None, 403)?;

    d.step("Purge the CDN cache");
    client.purge_object_cache(BUCKET, MASTER)?;
    d.info(&format!(
        "POST /v1/buckets/{BUCKET}/cache/purge  {{\"path\": \"{MASTER}\"}}"
    ));
    client.purge_bucket_cache(BUCKET)?;
    d.info(&format!("POST /v1/buckets/{BUCKET}/cache/purge_all"));
    let counters = emu.counters();
    let purged = ["POST /v1/buckets/*/cache/purge", "POST /v1/buckets/*/cache/purge_all"]
        .iter()
        .all(|route| counters.requests.get(*route).copied().unwrap_or(0) == 1);
    d.expect(purged, "the API received one object purge and one bucket purge");

    let elapsed = started.elapsed();
    println!();
    if d.failed.is_empty() {
        println!(
            "{}",
            d.p.green(&format!(
                "All {} expectations held in {:.2} s.",
                d.passed,
                elapsed.as_secs_f64()
            ))
        );
        Ok(EXIT_OK)
    } else {
        println!(
            "{}",
            d.p.red(&format!(
                "{} of {} expectations failed:",
                d.failed.len(),
                d.passed as usize + d.failed.len()
            ))
        );
        for f in &d.failed {
            println!("  {f}");
        }
        Ok(EXIT_VERIFICATION_FAILED)
    }
}
