//! The emulated playback edge: allow/deny with real tokens signed by the
//! core's `Signer` from the PEM the create-signing-key response returned.

use qencode_cdn::{CookieOptions, SignOptions, Signer, live_playback_url, storage_url};
use qencode_cdn_emulator::{Emulator, EmulatorConfig};
use serde_json::{Value, json};

struct Api {
    emu: Emulator,
    agent: ureq::Agent,
    token: String,
}

impl Api {
    fn new() -> Api {
        let emu = Emulator::start(EmulatorConfig {
            signing_key_bits: 2048,
            ..Default::default()
        })
        .unwrap();
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let url = format!("{}/v1/access_token/{}", emu.url(), emu.api_key());
        let token: Value =
            serde_json::from_str(&agent.post(&url).send("").unwrap().into_body().read_to_string().unwrap()).unwrap();
        let token = token["access_token"].as_str().unwrap().to_string();
        Api { emu, agent, token }
    }

    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let req = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.emu.url()))
            .header("Authorization", format!("Bearer {}", self.token))
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .unwrap();
        let resp = self.agent.run(req).unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        serde_json::from_str(&resp.into_body().read_to_string().unwrap()).unwrap()
    }

    /// Creates a signing key for `target` and returns a Signer built from the returned PEM.
    fn signer(&self, target: Value) -> Signer {
        let key = &self.call("POST", "/v1/signing-keys", target)["signing_key"];
        Signer::from_pem(key["id"].as_str().unwrap(), key["private_key"].as_str().unwrap()).unwrap()
    }

    fn domain(&self, name: &str, kind: &str) -> String {
        let d = self.call("POST", "/v1/domains", json!({"name": name, "type": kind}));
        d["domain"]["id"].as_str().unwrap().to_string()
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Asserts a 403 whose reason starts with `code`.
fn assert_refused(r: &qencode_cdn_emulator::EdgeResponse, code: &str) {
    assert_eq!(r.status, 403, "{r:?}");
    let reason = r.reason.as_deref().unwrap_or("");
    assert!(reason.starts_with(code), "expected {code}, got {reason:?}");
}

const LIVE: &str = "https://play-pid1.qencode.com/qhls/qlive/playlist.m3u8";

#[test]
fn live_stream_without_keys_is_open_and_unknown_streams_are_404() {
    let api = Api::new();
    api.emu.add_stream("stream-1", "pid1");
    let r = api.emu.fetch(LIVE, None).unwrap();
    assert_eq!(r.status, 200);
    assert!(r.body.starts_with(b"#EXTM3U\n"));
    let missing = api
        .emu
        .fetch("https://play-other.qencode.com/qhls/qlive/playlist.m3u8", None)
        .unwrap();
    assert_eq!(missing.status, 404);
    assert!(missing.reason.unwrap().contains("other"));
    let wrong_path = api.emu.fetch("https://play-pid1.qencode.com/index.m3u8", None).unwrap();
    assert_eq!(wrong_path.status, 404);
}

#[test]
fn live_stream_with_a_key_needs_a_valid_token_for_its_playback_id() {
    let api = Api::new();
    api.emu.add_stream("stream-1", "pid1");
    let signer = api.signer(json!({"stream_id": "stream-1"}));

    assert_refused(&api.emu.fetch(LIVE, None).unwrap(), "MISSING_TOKEN");

    let good = signer.signed_live_url("pid1", &SignOptions::new()).unwrap();
    let r = api.emu.fetch(&good, None).unwrap();
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.body.starts_with(b"#EXTM3U"));

    let other_uri = signer.sign("pid2", &SignOptions::new()).unwrap();
    let r = api.emu.fetch(&format!("{LIVE}?auth={other_uri}"), None).unwrap();
    assert_refused(&r, "URI_MISMATCH");

    let expired = signer
        .sign("pid1", &SignOptions::new().now(now() - 3600).expires_at(now() - 60))
        .unwrap();
    assert_refused(
        &api.emu.fetch(&format!("{LIVE}?auth={expired}"), None).unwrap(),
        "TOKEN_EXPIRED",
    );

    let later = signer
        .sign(
            "pid1",
            &SignOptions::new().not_before(now() + 600).expires_at(now() + 1200),
        )
        .unwrap();
    assert_refused(
        &api.emu.fetch(&format!("{LIVE}?auth={later}"), None).unwrap(),
        "TOKEN_NOT_YET_VALID",
    );

    // Same kid, wrong private key: a forged token.
    let forger_pem =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/rsa2048.pkcs1.pem")).unwrap();
    let forger = Signer::from_pem(signer.key_id(), &forger_pem).unwrap();
    let forged = forger.sign("pid1", &SignOptions::new()).unwrap();
    assert_refused(
        &api.emu.fetch(&format!("{LIVE}?auth={forged}"), None).unwrap(),
        "INVALID_SIGNATURE",
    );

    // A key that exists but belongs to another stream.
    api.emu.add_stream("stream-2", "pid2");
    let other = api.signer(json!({"stream_id": "stream-2"}));
    let foreign = other.sign("pid1", &SignOptions::new()).unwrap();
    assert_refused(
        &api.emu.fetch(&format!("{LIVE}?auth={foreign}"), None).unwrap(),
        "UNKNOWN_KEY_ID",
    );

    assert_refused(
        &api.emu.fetch(&format!("{LIVE}?auth=garbage"), None).unwrap(),
        "MALFORMED_TOKEN",
    );

    // Deleting the key opens the stream again.
    api.call("DELETE", &format!("/v1/signing-keys/{}", signer.key_id()), json!({}));
    assert_eq!(api.emu.fetch(LIVE, None).unwrap().status, 200);
}

#[test]
fn the_token_is_also_accepted_from_the_cookie() {
    let api = Api::new();
    api.emu.add_stream("stream-1", "pid1");
    let signer = api.signer(json!({"stream_id": "stream-1"}));
    let cookie = signer
        .signed_cookie("pid1", &SignOptions::new(), &CookieOptions::new().domain("qencode.com"))
        .unwrap();
    // As a Set-Cookie value, as name=value, and as the bare token.
    for c in [
        cookie.header_value(),
        format!("{}={}", cookie.name, cookie.value),
        cookie.value.clone(),
    ] {
        let r = api.emu.fetch(LIVE, Some(&c)).unwrap();
        assert_eq!(r.status, 200, "{c}: {r:?}");
    }
    let bad = signer.sign("pid9", &SignOptions::new()).unwrap();
    assert_refused(&api.emu.fetch(LIVE, Some(&bad)).unwrap(), "URI_MISMATCH");
}

#[test]
fn live_custom_domain_uses_the_domain_keys() {
    let api = Api::new();
    api.emu.add_stream("stream-1", "pid1");
    let url = "https://live.example.com/pid1.m3u8";
    // Not a registered domain yet: the host is not an edge host at all.
    let unknown = api.emu.fetch(url, None).unwrap();
    assert_eq!(unknown.status, 404);

    let domain_id = api.domain("live.example.com", "live");
    assert_eq!(api.emu.fetch(url, None).unwrap().status, 200, "no domain key: open");
    let stream_key = api.signer(json!({"stream_id": "stream-1"}));
    let domain_key = api.signer(json!({"domain_id": domain_id}));
    assert_refused(&api.emu.fetch(url, None).unwrap(), "MISSING_TOKEN");
    let good = domain_key
        .signed_live_custom_domain_url("live.example.com", "pid1", &SignOptions::new())
        .unwrap();
    assert_eq!(api.emu.fetch(&good, None).unwrap().status, 200);
    let wrong_key = stream_key.sign("pid1", &SignOptions::new()).unwrap();
    assert_refused(
        &api.emu.fetch(&format!("{url}?auth={wrong_key}"), None).unwrap(),
        "UNKNOWN_KEY_ID",
    );
    assert_eq!(
        api.emu
            .fetch("https://live.example.com/nope.m3u8", None)
            .unwrap()
            .status,
        404
    );
    assert_eq!(
        api.emu.fetch("https://live.example.com/a/b.txt", None).unwrap().status,
        404
    );
}

#[test]
fn storage_bucket_policy_decides_and_token_uri_must_cover_the_key() {
    let api = Api::new();
    let key = "videos/a/dir one/ä.mp4";
    api.emu.add_object("my-bucket", key, b"movie bytes".to_vec());
    let plain = storage_url("my-bucket", "us-west", key, None).unwrap();
    let r = api.emu.fetch(&plain, None).unwrap();
    assert_eq!(
        (r.status, r.body.as_slice()),
        (200, &b"movie bytes"[..]),
        "public by default"
    );
    let missing = api
        .emu
        .fetch(&storage_url("my-bucket", "eu-central", "nope.mp4", None).unwrap(), None)
        .unwrap();
    assert_eq!(missing.status, 404);

    api.call("PUT", "/v1/buckets/my-bucket/policy/authenticated", json!({}));
    assert_refused(&api.emu.fetch(&plain, None).unwrap(), "MISSING_TOKEN");
    let signer = api.signer(json!({"bucket_name": "my-bucket"}));
    for uri in ["", "videos/", "videos/a/", key] {
        let t = signer.sign(uri, &SignOptions::new()).unwrap();
        let r = api
            .emu
            .fetch(&storage_url("my-bucket", "us-west", key, Some(&t)).unwrap(), None)
            .unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, &b"movie bytes"[..]), "uri {uri:?}");
    }
    let t = signer.sign("videos/b/", &SignOptions::new()).unwrap();
    let r = api
        .emu
        .fetch(&storage_url("my-bucket", "us-west", key, Some(&t)).unwrap(), None)
        .unwrap();
    assert_refused(&r, "URI_MISMATCH");

    // A key of another bucket does not open this one.
    let other = api.signer(json!({"bucket_name": "other-bucket"}));
    let t = other.sign("", &SignOptions::new()).unwrap();
    let r = api
        .emu
        .fetch(&storage_url("my-bucket", "us-west", key, Some(&t)).unwrap(), None)
        .unwrap();
    assert_refused(&r, "UNKNOWN_KEY_ID");

    // Authorised but absent: 404 only after the token check.
    let t = signer.sign("", &SignOptions::new()).unwrap();
    let r = api
        .emu
        .fetch(
            &storage_url("my-bucket", "us-west", "absent.mp4", Some(&t)).unwrap(),
            None,
        )
        .unwrap();
    assert_eq!(r.status, 404);
    let r = api
        .emu
        .fetch(&storage_url("my-bucket", "us-west", "absent.mp4", None).unwrap(), None)
        .unwrap();
    assert_refused(&r, "MISSING_TOKEN");

    // Back to public.
    api.call("PUT", "/v1/buckets/my-bucket/policy/public", json!({}));
    assert_eq!(api.emu.fetch(&plain, None).unwrap().status, 200);
}

#[test]
fn storage_custom_domain_serves_its_mapped_bucket_with_cookie_auth() {
    let api = Api::new();
    api.domain("media.example.com", "storage");
    let url = "https://media.example.com/hls/v1/master.m3u8";
    let unmapped = api.emu.fetch(url, None).unwrap();
    assert_eq!(unmapped.status, 404);
    assert!(unmapped.reason.unwrap().contains("domain-buckets"));

    api.emu.map_storage_domain("media.example.com", "my-bucket");
    api.emu
        .add_object("my-bucket", "hls/v1/master.m3u8", b"#EXTM3U\n".to_vec());
    assert_eq!(api.emu.fetch(url, None).unwrap().status, 200);
    api.call("PUT", "/v1/buckets/my-bucket/policy/authenticated", json!({}));
    let signer = api.signer(json!({"bucket_name": "my-bucket"}));
    assert_refused(&api.emu.fetch(url, None).unwrap(), "MISSING_TOKEN");
    let cookie = signer
        .signed_cookie(
            "hls/v1/",
            &SignOptions::new(),
            &CookieOptions::new().domain("example.com"),
        )
        .unwrap();
    assert_eq!(api.emu.fetch(url, Some(&cookie.header_value())).unwrap().status, 200);
    let signed = signer
        .signed_storage_custom_domain_url("media.example.com", "hls/v1/master.m3u8", &SignOptions::new())
        .unwrap();
    assert_eq!(api.emu.fetch(&signed, None).unwrap().status, 200);
}

#[test]
fn admin_http_api_adds_streams_objects_and_domain_buckets() {
    let api = Api::new();
    let admin = |path: &str, body: Value| {
        let resp = api
            .agent
            .post(&format!("{}{path}", api.emu.url()))
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .unwrap();
        (resp.status().as_u16(), resp.into_body().read_to_string().unwrap())
    };
    assert_eq!(
        admin("/_emulator/streams", json!({"stream_id": "s", "playback_id": "pidx"})).0,
        200
    );
    assert_eq!(
        admin(
            "/_emulator/objects",
            json!({"bucket": "b-one", "key": "/a.txt", "body": "hello"})
        )
        .0,
        200
    );
    assert_eq!(
        admin(
            "/_emulator/domain-buckets",
            json!({"domain": "files.example.com", "bucket": "b-one"})
        )
        .0,
        200
    );
    assert_eq!(admin("/_emulator/streams", json!({"stream_id": "s"})).0, 400);
    assert_eq!(
        admin("/_emulator/streams", json!({"stream_id": "s", "playback_id": "bad id"})).0,
        400
    );
    assert_eq!(admin("/_emulator/objects", json!([])).0, 400);
    assert_eq!(admin("/_emulator/nothing", json!({})).0, 404);

    let live = live_playback_url("pidx", None).unwrap();
    assert_eq!(api.emu.fetch(&live, None).unwrap().status, 200);
    let obj = api
        .emu
        .fetch("https://b-one.media-storage.us-west.qencode.com/a.txt", None)
        .unwrap();
    assert_eq!((obj.status, obj.body), (200, b"hello".to_vec()));
    api.domain("files.example.com", "storage");
    let obj = api.emu.fetch("https://files.example.com/a.txt", None).unwrap();
    assert_eq!((obj.status, obj.body), (200, b"hello".to_vec()));
}

#[test]
fn fetch_refuses_bad_urls_and_edge_refuses_writes() {
    let api = Api::new();
    assert!(api.emu.fetch("ftp://x.com/a", None).is_err());
    assert!(api.emu.fetch("https:///a", None).is_err());
    assert!(api.emu.fetch("https://x.com/a b", None).is_err());
    assert!(api.emu.fetch("https://x.com/a", Some("a=b\r\nX: y")).is_err());
    let resp = api
        .agent
        .post(&format!("{}/a.txt", api.emu.url()))
        .header("Host", "b-one.media-storage.us-west.qencode.com")
        .send("x")
        .unwrap();
    assert_eq!(resp.status().as_u16(), 405);
    // HEAD: the headers of a GET, no body.
    api.emu.add_object("b-one", "a.txt", b"hello".to_vec());
    let resp = api
        .agent
        .head(&format!("{}/a.txt", api.emu.url()))
        .header("Host", "b-one.media-storage.us-west.qencode.com")
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers().get("content-length").unwrap(), "5");
}
