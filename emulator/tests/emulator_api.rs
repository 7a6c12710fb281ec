//! The management API of the emulator, over real loopback HTTP with ureq.

use std::time::Duration;

use qencode_cdn_emulator::{DEFAULT_API_KEY, Emulator, EmulatorConfig};
use serde_json::{Value, json};

struct Api {
    emu: Emulator,
    agent: ureq::Agent,
    token: String,
}

struct Reply {
    status: u16,
    json: Value,
    text: String,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

fn send(agent: &ureq::Agent, method: &str, url: &str, bearer: Option<&str>, body: Option<&str>) -> Reply {
    let mut req = ureq::http::Request::builder().method(method).uri(url);
    if let Some(t) = bearer {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    let resp = match body {
        Some(b) => agent.run(
            req.header("Content-Type", "application/json")
                .body(b.to_string())
                .unwrap(),
        ),
        None => agent.run(req.body(()).unwrap()),
    }
    .unwrap();
    let status = resp.status().as_u16();
    let text = resp.into_body().read_to_string().unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, json, text }
}

impl Api {
    fn start(config: EmulatorConfig) -> Api {
        let emu = Emulator::start(config).unwrap();
        let agent = agent();
        let r = send(
            &agent,
            "POST",
            &format!("{}/v1/access_token/{}", emu.url(), emu.api_key()),
            None,
            None,
        );
        assert_eq!(r.status, 200, "{}", r.text);
        let token = r.json["access_token"].as_str().unwrap().to_string();
        Api { emu, agent, token }
    }

    fn new() -> Api {
        Api::start(EmulatorConfig {
            signing_key_bits: 2048,
            ..Default::default()
        })
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let body = body.map(|b| b.to_string());
        send(
            &self.agent,
            method,
            &format!("{}{path}", self.emu.url()),
            Some(&self.token),
            body.as_deref(),
        )
    }

    fn raw(&self, method: &str, path: &str, body: &str) -> Reply {
        send(
            &self.agent,
            method,
            &format!("{}{path}", self.emu.url()),
            Some(&self.token),
            Some(body),
        )
    }

    fn create_domain(&self, name: &str, kind: &str) -> Value {
        let r = self.call("POST", "/v1/domains", Some(json!({"name": name, "type": kind})));
        assert_eq!(r.status, 200, "{}", r.text);
        r.json["domain"].clone()
    }
}

fn assert_error(r: &Reply, status: u16) {
    assert_eq!(r.status, status, "{}", r.text);
    assert!(r.json["error"].as_str().is_some_and(|m| !m.is_empty()), "{}", r.text);
}

fn is_uuid_v4(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok_and(|u| u.get_version_num() == 4)
}

fn is_api_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 19
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':'
        && s.bytes()
            .enumerate()
            .all(|(i, c)| [4, 7, 10, 13, 16].contains(&i) || c.is_ascii_digit())
}

#[test]
fn access_token_is_a_jwt_with_exp_for_configured_keys_only() {
    let api = Api::new();
    let parts: Vec<&str> = api.token.split('.').collect();
    assert_eq!(parts.len(), 3);
    use base64::Engine as _;
    let payload: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap(),
    )
    .unwrap();
    let exp = payload["exp"].as_i64().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        (exp - now - 24 * 3600).abs() <= 2,
        "default lifetime is 24 h: exp={exp} now={now}"
    );
    assert!(!api.token.contains(DEFAULT_API_KEY));

    let wrong = send(
        &api.agent,
        "POST",
        &format!("{}/v1/access_token/not-a-key", api.emu.url()),
        None,
        None,
    );
    assert_error(&wrong, 401);
    assert_eq!(api.emu.counters().token_requests, 2);
}

#[test]
fn several_api_keys_are_accepted() {
    let emu = Emulator::start(EmulatorConfig {
        api_keys: vec!["k-one".into(), "k-two".into()],
        signing_key_bits: 2048,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(emu.api_key(), "k-one");
    for key in ["k-one", "k-two"] {
        let r = send(
            &agent(),
            "POST",
            &format!("{}/v1/access_token/{key}", emu.url()),
            None,
            None,
        );
        assert_eq!(r.status, 200);
    }
}

#[test]
fn missing_garbage_foreign_and_expired_bearers_are_401_on_every_route() {
    let api = Api::start(EmulatorConfig {
        token_lifetime: Duration::from_secs(1),
        signing_key_bits: 2048,
        ..Default::default()
    });
    let url = api.emu.url();
    let other = Api::new(); // a token signed by another emulator instance
    let routes = [
        ("GET", "/v1/domains"),
        ("POST", "/v1/domains"),
        ("GET", "/v1/domains/x"),
        ("GET", "/v1/tls/subscriptions"),
        ("GET", "/v1/signing-keys"),
        ("PUT", "/v1/buckets/my-bucket/policy/public"),
        ("GET", "/v1/buckets/my-bucket/cors"),
        ("POST", "/v1/buckets/my-bucket/cache/purge_all"),
        ("GET", "/v1/no-such-route"),
    ];
    for (m, p) in routes {
        let body = (m != "GET").then_some("{}");
        for bearer in [None, Some("garbage"), Some("a.b.c"), Some(other.token.as_str())] {
            let r = send(&api.agent, m, &format!("{url}{p}"), bearer, body);
            assert_error(&r, 401);
        }
    }
    std::thread::sleep(Duration::from_millis(2100));
    let r = api.call("GET", "/v1/domains", None);
    assert_error(&r, 401);
    assert!(r.json["error"].as_str().unwrap().contains("expired"));
}

#[test]
fn domains_create_get_list_filter_delete() {
    let api = Api::new();
    let live = api.create_domain("live.mydomain.com", "live");
    assert_eq!(live["domain_name"], "live.mydomain.com");
    assert_eq!(live["type"], "live");
    assert!(is_uuid_v4(live["id"].as_str().unwrap()));
    assert!(is_api_timestamp(live["created"].as_str().unwrap()), "{live}");
    let mut keys: Vec<&str> = live.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["created", "domain_name", "id", "type"]);
    let storage = api.create_domain("media.mydomain.com", "storage");

    let id = live["id"].as_str().unwrap();
    let got = api.call("GET", &format!("/v1/domains/{id}"), None);
    assert_eq!(got.status, 200);
    assert_eq!(got.json, json!({"domain": live}));

    let all = api.call("GET", "/v1/domains", None);
    assert_eq!(all.json, json!({"domains": [live, storage]}));
    assert_eq!(
        api.call("GET", "/v1/domains/live", None).json,
        json!({"domains": [live]})
    );
    assert_eq!(
        api.call("GET", "/v1/domains/storage", None).json,
        json!({"domains": [storage]})
    );

    let del = api.call("DELETE", &format!("/v1/domains/{id}"), None);
    assert_eq!((del.status, del.json), (200, json!({"status": "ok"})));
    assert_error(&api.call("GET", &format!("/v1/domains/{id}"), None), 404);
    assert_error(&api.call("DELETE", &format!("/v1/domains/{id}"), None), 404);
    assert_eq!(api.call("GET", "/v1/domains", None).json, json!({"domains": [storage]}));
}

#[test]
fn domains_refuse_bad_input_duplicates_and_a_21st_domain() {
    let api = Api::new();
    for body in [
        json!({"type": "live"}),
        json!({"name": "a.example.com"}),
        json!({"name": "a.example.com", "type": "vod"}),
        json!({"name": "not a domain", "type": "live"}),
        json!({"name": 5, "type": "live"}),
        json!({"name": "127.0.0.1", "type": "live"}),
        json!(["name"]),
    ] {
        assert_error(&api.call("POST", "/v1/domains", Some(body)), 400);
    }
    assert_error(&api.raw("POST", "/v1/domains", "{\"name\": "), 400);
    assert_error(&api.raw("POST", "/v1/domains", ""), 400);

    api.create_domain("dup.example.com", "live");
    let dup = api.call(
        "POST",
        "/v1/domains",
        Some(json!({"name": "DUP.example.com", "type": "storage"})),
    );
    assert_error(&dup, 409);

    for i in 1..20 {
        api.create_domain(&format!("d{i}.example.com"), "storage");
    }
    let over = api.call(
        "POST",
        "/v1/domains",
        Some(json!({"name": "d21.example.com", "type": "live"})),
    );
    assert_error(&over, 400);
    assert!(over.json["error"].as_str().unwrap().contains("20"));
    let listed = api.call("GET", "/v1/domains", None).json;
    assert_eq!(listed["domains"].as_array().unwrap().len(), 20);
}

#[test]
fn the_domain_limit_is_configurable() {
    let api = Api::start(EmulatorConfig {
        max_domains: 1,
        signing_key_bits: 2048,
        ..Default::default()
    });
    api.create_domain("one.example.com", "live");
    let r = api.call(
        "POST",
        "/v1/domains",
        Some(json!({"name": "two.example.com", "type": "live"})),
    );
    assert_error(&r, 400);
}

#[test]
fn tls_subscriptions_create_get_list_delete() {
    let api = Api::new();
    let domain = api.create_domain("live.mydomain.com", "live");
    let domain_id = domain["id"].as_str().unwrap();
    let created = api.call("POST", "/v1/tls/subscriptions", Some(json!({"domain_id": domain_id})));
    assert_eq!(created.status, 200, "{}", created.text);
    let tls = &created.json["tls_subscription"];
    assert_eq!(tls["status"], "pending");
    assert_eq!(tls["domain_id"], domain_id);
    assert!(is_uuid_v4(tls["id"].as_str().unwrap()));
    assert!(is_api_timestamp(tls["created"].as_str().unwrap()));
    assert_eq!(
        tls["message"],
        "TLS subscription created. You should verify your domain ownership. Create a CNAME for 'live.mydomain.com' and point it to 'j.sni.global.fastly.net.'."
    );
    let id = tls["id"].as_str().unwrap();

    let got = api.call("GET", &format!("/v1/tls/subscriptions/{id}"), None);
    assert_eq!(got.status, 200);
    let mut expected = tls.clone();
    expected.as_object_mut().unwrap().remove("message");
    assert_eq!(got.json, json!({"tls_subscription": expected}));
    assert_eq!(
        api.call("GET", "/v1/tls/subscriptions", None).json,
        json!({"tls_subscriptions": [expected]})
    );

    let unknown = api.call(
        "POST",
        "/v1/tls/subscriptions",
        Some(json!({"domain_id": "no-such-domain"})),
    );
    assert_error(&unknown, 404);
    assert_error(&api.call("POST", "/v1/tls/subscriptions", Some(json!({}))), 400);

    let del = api.call("DELETE", &format!("/v1/tls/subscriptions/{id}"), None);
    assert_eq!((del.status, del.json), (200, json!({"status": "ok"})));
    assert_error(&api.call("GET", &format!("/v1/tls/subscriptions/{id}"), None), 404);
    assert_error(&api.call("DELETE", &format!("/v1/tls/subscriptions/{id}"), None), 404);
}

#[test]
fn signing_keys_for_stream_domain_and_bucket_hand_out_the_private_key_once() {
    let api = Api::new();
    let domain = api.create_domain("live.mydomain.com", "live");
    let targets = [
        ("stream_id", json!("1f1ab6a3-d867-4787-b882-7f2fb1203634")),
        ("domain_id", domain["id"].clone()),
        (qencode_cdn_emulator::BUCKET_FIELD, json!("my-bucket")),
    ];
    let mut created = Vec::new();
    for (field, value) in &targets {
        let r = api.call("POST", "/v1/signing-keys", Some(json!({ *field: value })));
        assert_eq!(r.status, 200, "{}", r.text);
        let key = r.json["signing_key"].clone();
        assert_eq!(&key[*field], value);
        assert_eq!(key["name"], Value::Null);
        assert!(key.as_object().unwrap().contains_key("name"));
        assert!(is_uuid_v4(key["id"].as_str().unwrap()));
        assert!(is_api_timestamp(key["created"].as_str().unwrap()));
        let pem = key["private_key"].as_str().unwrap();
        assert!(pem.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"), "{pem}");
        // A real 2048-bit RSA key that the core loads.
        let signer = qencode_cdn::Signer::from_pem(key["id"].as_str().unwrap(), pem).unwrap();
        assert_eq!(signer.key_bits(), 2048);
        created.push(key);
    }

    let key_lines: Vec<String> = created
        .iter()
        .map(|k| k["private_key"].as_str().unwrap().lines().nth(1).unwrap().to_string())
        .collect();
    let list = api.call("GET", "/v1/signing-keys", None);
    assert_eq!(list.status, 200);
    assert!(!list.text.contains("PRIVATE KEY"));
    let listed = list.json["signing_keys"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    for (k, listed) in created.iter().zip(listed) {
        let mut public = k.clone();
        public.as_object_mut().unwrap().remove("private_key");
        assert_eq!(listed, &public);
        let got = api.call("GET", &format!("/v1/signing-keys/{}", k["id"].as_str().unwrap()), None);
        assert_eq!(got.json, json!({"signing_key": public}));
        for line in &key_lines {
            assert!(!got.text.contains(line.as_str()), "private key material in GET");
            assert!(!list.text.contains(line.as_str()), "private key material in the list");
        }
    }

    let id = created[0]["id"].as_str().unwrap();
    let renamed = api.call(
        "PUT",
        &format!("/v1/signing-keys/{id}"),
        Some(json!({"name": "My signing key"})),
    );
    assert_eq!(renamed.status, 200);
    assert_eq!(renamed.json["signing_key"]["name"], "My signing key");
    assert_eq!(renamed.json["signing_key"]["stream_id"], targets[0].1);
    assert!(renamed.json["signing_key"].get("private_key").is_none());
    let got = api.call("GET", &format!("/v1/signing-keys/{id}"), None);
    assert_eq!(got.json["signing_key"]["name"], "My signing key");
    assert_error(
        &api.call("PUT", &format!("/v1/signing-keys/{id}"), Some(json!({}))),
        400,
    );
    assert_error(
        &api.call("PUT", "/v1/signing-keys/nope", Some(json!({"name": "x"}))),
        404,
    );

    let del = api.call("DELETE", &format!("/v1/signing-keys/{id}"), None);
    assert_eq!((del.status, del.json), (200, json!({"status": "ok"})));
    assert_error(&api.call("GET", &format!("/v1/signing-keys/{id}"), None), 404);
    assert_error(&api.call("DELETE", &format!("/v1/signing-keys/{id}"), None), 404);
}

#[test]
fn signing_key_create_refuses_bad_targets() {
    let api = Api::new();
    for body in [
        json!({}),
        json!({"stream_id": "s", "bucket_name": "my-bucket"}),
        json!({"stream_id": ""}),
        json!({"stream_id": 7}),
        json!({"bucket_name": "Not_A_Bucket"}),
        json!({"stream_id": "s", "name": 3}),
    ] {
        assert_error(&api.call("POST", "/v1/signing-keys", Some(body.clone())), 400);
    }
    let r = api.call("POST", "/v1/signing-keys", Some(json!({"domain_id": "no-such-domain"})));
    assert_error(&r, 404);
    assert_error(&api.raw("POST", "/v1/signing-keys", "not json"), 400);
}

#[test]
fn bucket_policy_accepts_public_and_authenticated_only() {
    let api = Api::new();
    for p in ["public", "authenticated"] {
        let r = api.call("PUT", &format!("/v1/buckets/my-bucket/policy/{p}"), None);
        assert_eq!((r.status, r.json), (200, json!({"status": "ok"})));
    }
    assert_error(&api.call("PUT", "/v1/buckets/my-bucket/policy/private", None), 400);
    assert_error(&api.call("PUT", "/v1/buckets/BAD_BUCKET/policy/public", None), 400);
    assert_error(&api.call("GET", "/v1/buckets/my-bucket/policy/public", None), 405);
}

#[test]
fn bucket_cors_set_get_delete_header_and_delete_all() {
    let api = Api::new();
    let cors = "/v1/buckets/my-bucket/cors";
    let empty = api.call("GET", cors, None);
    assert_eq!((empty.status, empty.json), (200, json!({})));
    let policy = json!({
        "Access-Control-Allow-Origin": "https://media-storage.us-west.qencode.com",
        "Access-Control-Allow-Methods": "GET, PUT, POST, DELETE",
        "Access-Control-Max-Age": "1600",
        "Access-Control-Allow-Credentials": "true"
    });
    let set = api.call("POST", cors, Some(policy.clone()));
    assert_eq!((set.status, set.json), (200, json!({"status": "ok"})));
    assert_eq!(api.call("GET", cors, None).json, policy);

    let more = json!({"access-control-expose-headers": "X-A", "Access-Control-Allow-Headers": "Range"});
    assert_eq!(api.call("POST", cors, Some(more)).status, 200);
    let got = api.call("GET", cors, None).json;
    assert_eq!(got.as_object().unwrap().len(), 6);
    assert_eq!(got["Access-Control-Expose-Headers"], "X-A");

    let bad = api.call(
        "POST",
        cors,
        Some(json!({"Access-Control-Allow-Origin": "*", "X-Frame-Options": "DENY"})),
    );
    assert_error(&bad, 400);
    assert!(bad.json["error"].as_str().unwrap().contains("X-Frame-Options"));
    assert_eq!(
        api.call("GET", cors, None).json["Access-Control-Allow-Origin"],
        "https://media-storage.us-west.qencode.com",
        "a refused request changes nothing"
    );
    assert_error(
        &api.call("POST", cors, Some(json!({"Access-Control-Max-Age": [1]}))),
        400,
    );

    let one = api.call("DELETE", &format!("{cors}/Access-Control-Allow-Origin"), None);
    assert_eq!((one.status, one.json), (200, json!({"status": "ok"})));
    let got = api.call("GET", cors, None).json;
    assert!(got.get("Access-Control-Allow-Origin").is_none());
    assert_eq!(got.as_object().unwrap().len(), 5);
    assert_error(
        &api.call("DELETE", &format!("{cors}/Access-Control-Allow-Origin"), None),
        404,
    );
    assert_error(&api.call("DELETE", &format!("{cors}/X-Frame-Options"), None), 400);

    let all = api.call("DELETE", cors, None);
    assert_eq!((all.status, all.json), (200, json!({"status": "ok"})));
    assert_eq!(api.call("GET", cors, None).json, json!({}));
}

#[test]
fn cache_purge_of_a_bucket_and_of_one_path() {
    let api = Api::new();
    let all = api.call("POST", "/v1/buckets/my-bucket/cache/purge_all", None);
    assert_eq!((all.status, all.json), (200, json!({"status": "ok"})));
    let purge = "/v1/buckets/my-bucket/cache/purge";
    let one = api.call("POST", purge, Some(json!({"path": "path/to/object"})));
    assert_eq!((one.status, one.json), (200, json!({"status": "ok"})));
    assert_error(&api.call("POST", purge, Some(json!({}))), 400);
    assert_error(&api.call("POST", purge, None), 400);
    assert_error(&api.call("POST", purge, Some(json!({"path": ""}))), 400);
}

#[test]
fn unknown_routes_and_wrong_methods_have_json_errors() {
    let api = Api::new();
    assert_error(&api.call("GET", "/v1/nothing-here", None), 404);
    assert_error(&api.call("PATCH", "/v1/domains", Some(json!({}))), 405);
    assert_error(&api.call("GET", "/v1/access_token/emulator-api-key", None), 405);
    assert_error(&api.call("GET", "/", None), 404);
}

#[test]
fn ids_are_percent_decoded_and_unknown_ids_are_404() {
    let api = Api::new();
    let d = api.create_domain("x.example.com", "live");
    let id = d["id"].as_str().unwrap().replace('-', "%2D");
    assert_eq!(api.call("GET", &format!("/v1/domains/{id}"), None).status, 200);
    assert_error(&api.call("GET", "/v1/domains/%E2%98%83", None), 404);
}
