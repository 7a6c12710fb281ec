//! The Rust runner of the conformance cases (tests/conformance/README.md),
//! shared by `tests/conformance.rs` (default backend) and `tests/backends.rs`
//! (every backend on the same cases).
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;

use base64::Engine as _;
use qencode_cdn::{
    Backend, Client, CookieOptions, Error, Explanation, KeyStyle, SignOptions, Signer, Verifier, VerifyOptions,
    decode_unverified, options::split_cookie_options,
};
use serde_json::{Map, Value, json};

use super::repo_root;

/// The language name of this runner in `skip` maps.
pub const LANGUAGE: &str = "rust";

/// One case of one file.
pub struct Case {
    pub file: PathBuf,
    pub name: String,
    pub op: String,
    pub input: Value,
    pub expect: Value,
    pub skip: Option<String>,
}

/// Every case of every `tests/conformance/*.json`, in file order.
pub fn load_cases(language: &str) -> Vec<Case> {
    let dir = repo_root().join("tests/conformance");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    let mut names = std::collections::HashSet::new();
    for file in files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for c in doc["cases"]
            .as_array()
            .unwrap_or_else(|| panic!("{}: no cases", file.display()))
        {
            let name = c["name"].as_str().expect("every case has a name").to_string();
            assert!(names.insert(name.clone()), "duplicate case name {name}");
            out.push(Case {
                file: file.clone(),
                name,
                op: c["op"].as_str().expect("every case has an op").to_string(),
                input: c["input"].clone(),
                expect: c["expect"].clone(),
                skip: c
                    .get("skip")
                    .and_then(|s| s.get(language))
                    .map(|r| r.as_str().unwrap_or("").to_string()),
            });
        }
    }
    out
}

/// What a runner produced for a case: a value to compare, or an error.
pub type Produced = Result<Value, Error>;

/// Reads a key spec: a file path, `{"text": …}` or `{"base64": …}`.
pub fn key_bytes(spec: &Value) -> Vec<u8> {
    match spec {
        Value::String(path) => std::fs::read(repo_root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}")),
        Value::Object(m) if m.contains_key("text") => m["text"].as_str().unwrap().as_bytes().to_vec(),
        Value::Object(m) if m.contains_key("base64") => base64::engine::general_purpose::STANDARD
            .decode(m["base64"].as_str().unwrap())
            .unwrap(),
        other => panic!("bad key spec {other}"),
    }
}

/// Runs the operations of the README with the Rust API.
pub struct Runner {
    pub backend: Backend,
    signers: HashMap<String, Result<Signer, Error>>,
    emulator: Option<qencode_cdn_emulator::Emulator>,
}

impl Runner {
    pub fn new(backend: Backend) -> Self {
        Runner {
            backend,
            signers: HashMap::new(),
            emulator: None,
        }
    }

    fn signer(&mut self, spec: &Value) -> Result<Signer, Error> {
        let id = spec.to_string();
        let backend = self.backend;
        self.signers
            .entry(id)
            .or_insert_with(|| Signer::with_backend(spec["kid"].as_str().unwrap(), key_bytes(&spec["key"]), backend))
            .clone()
    }

    fn verifier(&mut self, spec: &Value) -> Result<Verifier, Error> {
        if let Some(k) = spec.get("public_key") {
            Verifier::from_public_key_with_backend(key_bytes(k), self.backend)
        } else if let Some(j) = spec.get("jwk") {
            Verifier::from_jwk(j.as_str().unwrap())
        } else if let Some(s) = spec.get("signer") {
            Verifier::from_signer(&self.signer(s)?)
        } else if let Some(j) = spec.get("jwks") {
            Verifier::from_jwks(j.as_str().unwrap())
        } else if let Some(list) = spec.get("keys") {
            let pairs: Vec<(String, Vec<u8>)> = list
                .as_array()
                .unwrap()
                .iter()
                .map(|k| (k["kid"].as_str().unwrap().to_string(), key_bytes(&k["key"])))
                .collect();
            Verifier::from_keys(pairs)
        } else {
            panic!("bad verifier spec {spec}")
        }
    }

    /// Runs one case's operation and returns what it produced.
    pub fn produce(&mut self, case: &Case) -> Produced {
        let i = &case.input;
        let sign_opts = || SignOptions::from_json(&i["options"], KeyStyle::Snake);
        let verify_opts = || VerifyOptions::from_json(&i["options"], KeyStyle::Snake);
        match case.op.as_str() {
            "load_key" => {
                let s = Signer::with_backend(i["kid"].as_str().unwrap(), key_bytes(&i["key"]), self.backend)?;
                Ok(json!({
                    "bits": s.key_bits(),
                    "public_key_pem": s.public_key_pem()?,
                    "public_key_jwk": serde_json::from_str::<Value>(&s.public_key_jwk()).unwrap(),
                }))
            }
            "sign" => {
                let s = self.signer(&i["signer"])?;
                Ok(json!({"token": s.sign(i["uri"].as_str().unwrap(), &sign_opts()?)?}))
            }
            "signed_url" => {
                let s = self.signer(&i["signer"])?;
                let o = sign_opts()?;
                let a = &i["args"];
                let arg = |k: &str| a[k].as_str().unwrap_or_else(|| panic!("{}: args.{k}", case.name));
                let url = match i["form"].as_str().unwrap() {
                    "live" => s.signed_live_url(arg("playback_id"), &o)?,
                    "live_custom_domain" => s.signed_live_custom_domain_url(arg("domain"), arg("playback_id"), &o)?,
                    "storage" => s.signed_storage_url(arg("bucket"), arg("region"), arg("key"), &o)?,
                    "storage_custom_domain" => s.signed_storage_custom_domain_url(arg("domain"), arg("key"), &o)?,
                    f => panic!("unknown form {f}"),
                };
                Ok(json!({ "url": url }))
            }
            "url" => {
                let a = &i["args"];
                let arg = |k: &str| a[k].as_str().unwrap_or_else(|| panic!("{}: args.{k}", case.name));
                let token = i.get("token").and_then(Value::as_str);
                let url = match i["form"].as_str().unwrap() {
                    "live" => qencode_cdn::live_playback_url(arg("playback_id"), token)?,
                    "live_custom_domain" => {
                        qencode_cdn::live_custom_domain_url(arg("domain"), arg("playback_id"), token)?
                    }
                    "storage" => qencode_cdn::storage_url(arg("bucket"), arg("region"), arg("key"), token)?,
                    "storage_custom_domain" => {
                        qencode_cdn::storage_custom_domain_url(arg("domain"), arg("key"), token)?
                    }
                    f => panic!("unknown form {f}"),
                };
                Ok(json!({ "url": url }))
            }
            "cookie" => {
                let s = self.signer(&i["signer"])?;
                let o = sign_opts()?;
                let c = CookieOptions::from_json(&i["cookie"], KeyStyle::Snake)?;
                let cookie = s.signed_cookie(i["uri"].as_str().unwrap(), &o, &c)?;
                Ok(json!({ "set_cookie": cookie.to_string() }))
            }
            "verify" => {
                let v = self.verifier(&i["verifier"])?;
                let t = v.verify(i["token"].as_str().unwrap(), &verify_opts()?)?;
                Ok(json!({ "kid": t.kid, "claims": t.claims.to_json() }))
            }
            "explain" => {
                let v = self.verifier(&i["verifier"])?;
                Ok(explanation(
                    &v.explain_with(i["url"].as_str().unwrap(), &verify_opts()?),
                ))
            }
            "explain_token" => {
                let v = self.verifier(&i["verifier"])?;
                Ok(explanation(
                    &v.explain_token(i["token"].as_str().unwrap(), &verify_opts()?),
                ))
            }
            "decode" => {
                let (header, claims) = decode_unverified(i["token"].as_str().unwrap())?;
                Ok(json!({ "header": header, "claims": claims.to_json() }))
            }
            "from_env" => with_env(&i["env"], || {
                let s = Signer::from_env(i.get("key_id").and_then(Value::as_str))?;
                Ok(json!({ "kid": s.key_id(), "bits": s.key_bits() }))
            }),
            "client_from_env" => with_env(&i["env"], || {
                Client::from_env()?;
                Ok(json!({ "ok": true }))
            }),
            "split_cookie_options" => {
                split_cookie_options(&i["options"], KeyStyle::Snake)?;
                Ok(json!({ "ok": true }))
            }
            "client" => self.client_case(i),
            "jwks" => {
                let v = self.verifier(&i["verifier"])?;
                Ok(json!({ "jwks": serde_json::from_str::<Value>(&v.jwks()).unwrap() }))
            }
            "sign_many" => {
                let s = self.signer(&i["signer"])?;
                let items: Vec<(&str, Value)> = i["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|it| (it["uri"].as_str().unwrap(), it["options"].clone()))
                    .collect();
                let threads = i.get("threads").and_then(Value::as_u64).map(|n| n as usize);
                Ok(batch_result(&s.sign_many_json(&items, KeyStyle::Snake, threads)))
            }
            "cached_sign" => {
                let s = self.signer(&i["signer"])?;
                let mut settings =
                    qencode_cdn::CacheSettings::new(std::time::Duration::from_secs(i["window"].as_u64().unwrap()));
                settings.cache_pinned_clock = true;
                if let Some(c) = i.get("capacity").and_then(Value::as_u64) {
                    settings.capacity = c as usize;
                }
                let cached = s.cached_with(settings)?;
                let results: Vec<Result<String, Error>> = i["requests"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        SignOptions::from_json(&r["options"], KeyStyle::Snake)
                            .and_then(|o| cached.sign(r["uri"].as_str().unwrap(), &o))
                    })
                    .collect();
                let mut out = batch_result(&results);
                out["cached_tokens"] = json!(cached.cached_tokens());
                Ok(out)
            }
            "audit" => {
                let warnings = qencode_cdn::audit_at(i["token"].as_str().unwrap(), i["now"].as_i64().unwrap())?;
                let codes: Vec<&str> = warnings.iter().map(|w| w.code.as_str()).collect();
                Ok(json!({ "warnings": codes }))
            }
            "stream_coverage" => {
                let opts = qencode_cdn::stream::CoverageOptions::from_json(&i["options"], KeyStyle::Snake)?;
                let report = qencode_cdn::stream::stream_coverage(
                    i["manifest_url"].as_str().unwrap(),
                    i["manifest_text"].as_str().unwrap(),
                    &opts,
                )?;
                Ok(stream_projection(&report.to_value()))
            }
            op => panic!("{}: unknown op `{op}`", case.name),
        }
    }

    /// A `client` case: reset the emulator, inject the faults, build a client
    /// with the options, run the setup calls, then the call.
    fn client_case(&mut self, i: &Value) -> Produced {
        let emu = self.emulator();
        emu.reset();
        for f in i.get("faults").and_then(Value::as_array).into_iter().flatten() {
            emu.inject_fault(qencode_cdn_emulator::Fault::from_json(f, KeyStyle::Snake)?);
        }
        let client = qencode_cdn::ClientBuilder::new(emu.api_key())
            .api_url(emu.url())
            .auth_url(emu.url())
            .options_json(i.get("options").unwrap_or(&Value::Null), KeyStyle::Snake)?
            .build()?;
        for step in i.get("setup").and_then(Value::as_array).into_iter().flatten() {
            client_call(&client, step["call"].as_str().unwrap(), &step["args"])?;
        }
        let result = client_call(&client, i["call"].as_str().unwrap(), &i["args"])?;
        Ok(json!({ "result": result }))
    }

    /// The emulator of `client` cases, started once.
    pub fn emulator(&mut self) -> &qencode_cdn_emulator::Emulator {
        self.emulator.get_or_insert_with(|| {
            qencode_cdn_emulator::Emulator::start(qencode_cdn_emulator::EmulatorConfig {
                signing_key_bits: 2048,
                ..Default::default()
            })
            .expect("the emulator starts")
        })
    }
}

/// The results of a batch as the cases write them: `tokens` (null for an
/// error), `errors` (null for a token), and `exps`.
pub fn batch_result(results: &[Result<String, Error>]) -> Value {
    let tokens: Vec<Value> = results
        .iter()
        .map(|r| r.as_ref().map_or(Value::Null, |t| json!(t)))
        .collect();
    let errors: Vec<Value> = results
        .iter()
        .map(|r| r.as_ref().err().map_or(Value::Null, |e| json!(e.code().as_str())))
        .collect();
    let exps: Vec<Value> = results
        .iter()
        .map(|r| match r {
            Ok(t) => decode_unverified(t).unwrap().1.exp.map_or(Value::Null, Value::from),
            Err(_) => Value::Null,
        })
        .collect();
    json!({ "tokens": tokens, "errors": errors, "exps": exps })
}

/// One client method by its DESIGN §4 name, with the cases' named arguments;
/// the result as the API's JSON document.
pub fn client_call(c: &Client, call: &str, a: &Value) -> Result<Value, Error> {
    use qencode_cdn::{BucketPolicy, DomainType, SigningKeyTarget};
    let s = |k: &str| a[k].as_str().unwrap_or_else(|| panic!("{call}: args.{k}"));
    let domain_type = |t: &str| t.parse::<DomainType>();
    let v = |x: serde_json::Result<Value>| x.map_err(|e| Error::Internal(e.to_string()));
    let ok = || Ok(serde_json::from_str::<Value>(qencode_cdn::client::OK_DOCUMENT).unwrap());
    match call {
        "create_domain" => v(serde_json::to_value(
            c.create_domain(s("name"), domain_type(s("type"))?)?,
        )),
        "get_domain" => v(serde_json::to_value(c.get_domain(s("id"))?)),
        "list_domains" => {
            let t = a.get("type").and_then(Value::as_str).map(domain_type).transpose()?;
            v(serde_json::to_value(c.list_domains(t)?))
        }
        "delete_domain" => c.delete_domain(s("id")).and_then(|()| ok()),
        "create_tls_subscription" => v(serde_json::to_value(c.create_tls_subscription(s("domain_id"))?)),
        "get_tls_subscription" => v(serde_json::to_value(c.get_tls_subscription(s("id"))?)),
        "list_tls_subscriptions" => v(serde_json::to_value(c.list_tls_subscriptions()?)),
        "delete_tls_subscription" => c.delete_tls_subscription(s("id")).and_then(|()| ok()),
        "create_signing_key" => {
            let target = if let Some(x) = a.get("stream") {
                SigningKeyTarget::Stream(x.as_str().unwrap().into())
            } else if let Some(x) = a.get("domain") {
                SigningKeyTarget::Domain(x.as_str().unwrap().into())
            } else {
                SigningKeyTarget::Bucket(s("bucket").into())
            };
            v(serde_json::to_value(c.create_signing_key(&target)?))
        }
        "get_signing_key" => v(serde_json::to_value(c.get_signing_key(s("id"))?)),
        "list_signing_keys" => v(serde_json::to_value(c.list_signing_keys()?)),
        "rename_signing_key" => v(serde_json::to_value(c.rename_signing_key(s("id"), s("name"))?)),
        "delete_signing_key" => c.delete_signing_key(s("id")).and_then(|()| ok()),
        "set_bucket_policy" => c
            .set_bucket_policy(s("bucket"), s("policy").parse::<BucketPolicy>()?)
            .and_then(|()| ok()),
        "set_bucket_cors" => {
            let headers = a["headers"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                .collect();
            c.set_bucket_cors(s("bucket"), &headers).and_then(|()| ok())
        }
        "get_bucket_cors" => v(serde_json::to_value(c.get_bucket_cors(s("bucket"))?)),
        "delete_bucket_cors" => c.delete_bucket_cors(s("bucket")).and_then(|()| ok()),
        "delete_bucket_cors_header" => c
            .delete_bucket_cors_header(s("bucket"), s("header"))
            .and_then(|()| ok()),
        "purge_bucket_cache" => c.purge_bucket_cache(s("bucket")).and_then(|()| ok()),
        "purge_object_cache" => c.purge_object_cache(s("bucket"), s("path")).and_then(|()| ok()),
        other => panic!("unknown client call `{other}`"),
    }
}

/// An explanation as the cases write it: `ok`, `checks` (`name:ok`), details.
pub fn explanation(e: &Explanation) -> Value {
    let checks: Vec<String> = e
        .checks
        .iter()
        .map(|c| format!("{}:{}", c.name, if c.passed { "ok" } else { "FAIL" }))
        .collect();
    let details: Map<String, Value> = e
        .checks
        .iter()
        .map(|c| (c.name.clone(), Value::String(c.detail.clone())))
        .collect();
    let warnings: Vec<&str> = e.warnings.iter().map(|w| w.code.as_str()).collect();
    json!({ "ok": e.ok, "checks": checks, "details": details, "warnings": warnings })
}

/// Environment variables are process-wide: one case at a time.
static ENV_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn with_env(env: &Value, f: impl FnOnce() -> Produced) -> Produced {
    let _guard = ENV_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let vars = env.as_object().cloned().unwrap_or_default();
    let saved: Vec<(String, Option<String>)> = vars.keys().map(|k| (k.clone(), std::env::var(k).ok())).collect();
    for (k, v) in &vars {
        // SAFETY: ENV_LOCK serialises every environment change of this test binary.
        unsafe {
            match v {
                Value::Null => std::env::remove_var(k),
                Value::String(s) => std::env::set_var(k, s),
                Value::Object(m) => {
                    let path = m["file"].as_str().unwrap();
                    std::env::set_var(k, std::fs::read_to_string(repo_root().join(path)).unwrap());
                }
                other => panic!("bad env value {other}"),
            }
        }
    }
    let out = f();
    for (k, v) in saved {
        // SAFETY: as above.
        unsafe {
            match v {
                Some(v) => std::env::set_var(&k, v),
                None => std::env::remove_var(&k),
            }
        }
    }
    out
}

/// Compares what was produced with the case's `expect`; `Err` says how they differ.
pub fn check(case: &Case, produced: &Produced) -> Result<(), String> {
    let want = &case.expect;
    match (want.get("error"), produced) {
        (Some(code), Err(e)) => {
            if e.code().as_str() != code.as_str().unwrap() {
                return Err(format!("expected error {code}, got {}: {}", e.code(), e.message()));
            }
            if let Some(status) = want.get("status") {
                let got = e.status().map(Value::from).unwrap_or(Value::Null);
                if &got != status {
                    return Err(format!("expected status {status}, got {got}"));
                }
            }
            if let Some(after) = want.get("retry_after") {
                let got = e.retry_after().map(|d| Value::from(d.as_secs())).unwrap_or(Value::Null);
                if &got != after {
                    return Err(format!("expected retry_after {after}, got {got}"));
                }
            }
            if let Some(t) = want.get("type_error").and_then(Value::as_bool) {
                if e.is_type_error() != t {
                    return Err(format!("expected type_error {t}: {e}"));
                }
            }
            for s in want
                .get("message_contains")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let s = s.as_str().unwrap();
                if !e.message().contains(s) {
                    return Err(format!("the message does not contain `{s}`: {}", e.message()));
                }
            }
            Ok(())
        }
        (Some(code), Ok(v)) => Err(format!("expected error {code}, got success {v}")),
        (None, Err(e)) => Err(format!("expected success, got {e}")),
        (None, Ok(got)) => compare_success(case, want, got),
    }
}

fn compare_success(case: &Case, want: &Value, got: &Value) -> Result<(), String> {
    let want = want
        .as_object()
        .unwrap_or_else(|| panic!("{}: expect is not an object", case.name));
    for (k, w) in want {
        if k == "detail_contains" {
            for (check, text) in w.as_object().unwrap() {
                let detail = got["details"][check].as_str().unwrap_or("");
                if !detail.contains(text.as_str().unwrap()) {
                    return Err(format!("detail of `{check}` is `{detail}`, which lacks `{text}`"));
                }
            }
            continue;
        }
        if k == "same" {
            let labels: Vec<&str> = w.as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
            let tokens = got["tokens"].as_array().unwrap();
            for a in 0..labels.len() {
                for b in 0..labels.len() {
                    if (labels[a] == labels[b]) != (tokens[a] == tokens[b]) {
                        return Err(format!(
                            "requests {a} and {b}: labels {} and {} but tokens {}",
                            labels[a],
                            labels[b],
                            if tokens[a] == tokens[b] { "equal" } else { "differ" }
                        ));
                    }
                }
            }
            continue;
        }
        if k == "cached_at_most" {
            let n = got["cached_tokens"].as_u64().unwrap();
            if n > w.as_u64().unwrap() {
                return Err(format!("the cache holds {n} tokens, more than {w}"));
            }
            continue;
        }
        if k == "result" {
            return if contains(&got[k], w) {
                Ok(())
            } else {
                Err(format!("result {} does not contain {w}", got[k]))
            };
        }
        match got.get(k) {
            Some(g) if g == w => {}
            Some(g) => return Err(format!("`{k}`: expected {w}, got {g}")),
            None => return Err(format!("`{k}` was not produced")),
        }
    }
    Ok(())
}

/// A stream report as the `stream_coverage` cases write it: `ok`, `format`,
/// `findings`, and `[kind, carrier, covered, finding]` per request.
pub fn stream_projection(report: &Value) -> Value {
    let requests: Vec<Value> = report["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!([r["kind"], r["carrier"], r["covered"], r["finding"]]))
        .collect();
    json!({
        "ok": report["ok"],
        "format": report["format"],
        "findings": report["findings"],
        "requests": requests,
    })
}

/// Whether `got` contains `want`: objects by their members (extra members
/// allowed), arrays element by element (same length), anything else equal.
pub fn contains(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => w.iter().all(|(k, wv)| g.get(k).is_some_and(|gv| contains(gv, wv))),
        (Value::Array(g), Value::Array(w)) => g.len() == w.len() && g.iter().zip(w).all(|(a, b)| contains(a, b)),
        _ => got == want,
    }
}

/// The summary line every runner prints.
pub fn summary(language: &str, total: usize, passed: usize, skipped: &[(String, String)], failed: usize) -> String {
    let mut s = format!(
        "conformance: {language}: {total} cases, {passed} passed, {} skipped, {failed} failed",
        skipped.len()
    );
    for (name, why) in skipped {
        s.push_str(&format!("\n  skipped {name}: {why}"));
    }
    s
}

/// The output strings a success case may have regenerated: `token`, `url`, `set_cookie`.
pub const REGENERATED: [&str; 3] = ["token", "url", "set_cookie"];
