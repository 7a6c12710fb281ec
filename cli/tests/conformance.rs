//! The CLI runner of the conformance cases (tests/conformance/README.md):
//! every case that has a command-line form runs the real `qcdn` binary as a
//! user would — keys as files, options as flags, `--output json` where the
//! result is a document — and compares what it printed, its exit code and its
//! `error: CODE: message` line with the case. A case without a CLI form counts
//! as skipped only when its `skip` map names `cli`; otherwise it fails.
//!
//! Prints the README's summary line and writes it to
//! `$CARGO_TARGET_DIR/conformance-cli.log` for `tests/conformance/check-summary`.

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use base64::Engine as _;
use qencode_cdn::KeyStyle;
use qencode_cdn_emulator::{Emulator, EmulatorConfig, Fault};
use serde_json::{Map, Value, json};

/// This runner's name in `skip` maps.
const LANGUAGE: &str = "cli";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// One case of one file.
struct Case {
    name: String,
    op: String,
    input: Value,
    expect: Value,
    skip: Option<String>,
}

fn load_cases() -> Vec<Case> {
    let dir = repo_root().join("tests/conformance");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    let mut names = HashSet::new();
    for file in files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for c in doc["cases"].as_array().unwrap() {
            let name = c["name"].as_str().unwrap().to_string();
            assert!(names.insert(name.clone()), "duplicate case name {name}");
            out.push(Case {
                name,
                op: c["op"].as_str().unwrap().to_string(),
                input: c["input"].clone(),
                expect: c["expect"].clone(),
                skip: c
                    .get("skip")
                    .and_then(|s| s.get(LANGUAGE))
                    .map(|r| r.as_str().unwrap_or("").to_string()),
            });
        }
    }
    out
}

/// How `qcdn` failed: the code of its `error: CODE: message` line (or of its
/// verdict document, for `token verify`), the message, any hint, the exit code.
#[derive(Debug)]
struct Failure {
    code: String,
    message: String,
    hint: String,
    exit: i32,
}

/// Why a run could not be compared, or what it produced.
enum Produced {
    Ok(Value),
    Err(Failure),
    /// The case has no CLI form (the reason says why).
    NoCliForm(String),
    /// The command's output is not what the CLI documents.
    Broken(String),
}

/// The exit codes of docs/cli.md, written out here independently of the CLI's own table.
fn documented_exit(code: &str) -> i32 {
    match code {
        "INVALID_ARGUMENT" | "INVALID_KEY" | "MALFORMED_TOKEN" => 3,
        "INVALID_SIGNATURE" | "TOKEN_EXPIRED" | "TOKEN_NOT_YET_VALID" | "URI_MISMATCH" | "UNKNOWN_KEY_ID" => 1,
        "UNAUTHORIZED" => 4,
        "NOT_FOUND" => 5,
        "TRANSPORT" | "TIMEOUT" => 6,
        _ => 7,
    }
}

/// One `qcdn` invocation: arguments, and environment variables set (`Some`) or removed (`None`).
#[derive(Default)]
struct Run {
    args: Vec<String>,
    env: Vec<(String, Option<String>)>,
}

impl Run {
    fn new(args: &[&str]) -> Self {
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            env: Vec::new(),
        }
    }

    fn arg(&mut self, a: impl Into<String>) -> &mut Self {
        self.args.push(a.into());
        self
    }

    fn flag(&mut self, name: &str, value: &str) -> &mut Self {
        self.args.push(format!("--{name}={value}"));
        self
    }

    fn output(&self) -> Output {
        let mut c = common::qcdn_cmd();
        c.args(&self.args).stdin(Stdio::null());
        for (k, v) in &self.env {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        c.output().unwrap()
    }
}

/// The failure printed by a run that exited non-zero, from its `error:` line.
fn failure_of(o: &Output) -> Result<Failure, String> {
    let stderr = String::from_utf8_lossy(&o.stderr);
    let exit = o.status.code().unwrap_or(-1);
    if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
        return Err(format!("qcdn panicked: {stderr}"));
    }
    let Some(line) = stderr.lines().find(|l| l.starts_with("error: ")) else {
        return Err(format!("exit {exit} without an `error:` line; stderr: {stderr}"));
    };
    let rest = &line["error: ".len()..];
    let (code, message) = rest.split_once(": ").unwrap_or((rest, ""));
    let code_ok = !code.is_empty() && code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
    let code = if code_ok {
        code.to_string()
    } else {
        // clap's usage errors (exit 2) carry no code.
        format!("USAGE({})", line.escape_debug())
    };
    let hint = stderr
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("hint: "))
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Failure {
        code,
        message: message.to_string(),
        hint,
        exit,
    })
}

/// stdout of a successful run, or its failure.
fn run_text(run: &Run) -> Result<String, Produced> {
    let o = run.output();
    if o.status.success() {
        return Ok(String::from_utf8_lossy(&o.stdout).into_owned());
    }
    Err(match failure_of(&o) {
        Ok(f) => Produced::Err(f),
        Err(why) => Produced::Broken(why),
    })
}

/// stdout of a successful run as JSON, or its failure.
fn run_json(run: &Run) -> Result<Value, Produced> {
    let text = run_text(run)?;
    serde_json::from_str(&text).map_err(|e| Produced::Broken(format!("stdout is not JSON ({e}): {text}")))
}

macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(p) => return p,
        }
    };
}

/// Per-run state: a folder for key, claims and CORS files, and the emulator.
struct Runner {
    dir: PathBuf,
    files: usize,
    emulator: Option<Emulator>,
}

impl Runner {
    fn new() -> Self {
        Runner {
            dir: PathBuf::from(common::tempdir()),
            files: 0,
            emulator: None,
        }
    }

    /// Writes `bytes` to a fresh file and returns its path.
    fn file(&mut self, name: &str, bytes: &[u8]) -> String {
        self.files += 1;
        let path = self.dir.join(format!("{}-{name}", self.files));
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    }

    /// A key spec as a path: a repository file as is, inline text or bytes written to a file.
    fn key_path(&mut self, spec: &Value) -> String {
        match spec {
            Value::String(p) => repo_root().join(p).display().to_string(),
            Value::Object(m) if m.contains_key("text") => self.file("key", m["text"].as_str().unwrap().as_bytes()),
            Value::Object(m) if m.contains_key("base64") => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(m["base64"].as_str().unwrap())
                    .unwrap();
                self.file("key.der", &bytes)
            }
            other => panic!("bad key spec {other}"),
        }
    }

    /// `--key-id KID --key FILE` for a signer spec.
    fn signer_flags(&mut self, run: &mut Run, spec: &Value) {
        let key = self.key_path(&spec["key"]);
        run.flag("key-id", spec["kid"].as_str().unwrap()).flag("key", &key);
    }

    /// Sign options as `token sign` flags; `Err` when a value has no flag form.
    fn sign_flags(&mut self, run: &mut Run, opts: &Value) -> Result<(), String> {
        let Some(m) = opts.as_object() else {
            return if opts.is_null() {
                Ok(())
            } else {
                Err(format!("sign options {opts} are not an object"))
            };
        };
        for (k, v) in m {
            let int = || v.as_i64().ok_or_else(|| format!("{k}: {v} is not an integer"));
            match k.as_str() {
                "expires_in" => run.flag("ttl", &int()?.to_string()),
                "expires_at" => run.flag("expires-at", &int()?.to_string()),
                "not_before" => run.flag("not-before", &int()?.to_string()),
                "now" => run.flag("now", &int()?.to_string()),
                "never_expires" => match v {
                    Value::Bool(true) => run.arg("--no-expiry"),
                    Value::Bool(false) => run, // the flag not given
                    _ => return Err(format!("never_expires {v} is not a boolean")),
                },
                "claims" => match v {
                    Value::Object(_) => {
                        let f = self.file("claims.json", v.to_string().as_bytes());
                        run.flag("claims-json", &f)
                    }
                    _ => return Err(format!("claims {v} is not an object")),
                },
                _ => return Err(format!("no flag for sign option `{k}`")),
            };
        }
        Ok(())
    }

    /// Verify options as `token verify` flags.
    fn verify_flags(&mut self, run: &mut Run, opts: &Value) -> Result<(), String> {
        for (k, v) in opts.as_object().into_iter().flatten() {
            let int = || v.as_i64().ok_or_else(|| format!("{k}: {v} is not an integer"));
            match k.as_str() {
                "key_id" => run.flag("key-id", v.as_str().ok_or("key_id is not a string")?),
                "leeway" => run.flag("leeway", &int()?.to_string()),
                "now" => run.flag("now", &int()?.to_string()),
                "resource" => {
                    let kind = v["kind"].as_str().ok_or("resource kind is not a string")?;
                    let what = v
                        .get("playback_id")
                        .or_else(|| v.get("key"))
                        .and_then(Value::as_str)
                        .ok_or("resource without playback_id or key")?;
                    run.flag("resource", &format!("{kind}:{what}"))
                }
                _ => return Err(format!("no flag for verify option `{k}`")),
            };
        }
        Ok(())
    }

    /// `--public-key FILE` (and the expected key id of a signer) for a verifier spec.
    fn verifier_flags(&mut self, run: &mut Run, spec: &Value, opts: &Value) {
        if let Some(k) = spec.get("public_key") {
            let path = self.key_path(k);
            run.flag("public-key", &path);
        } else if let Some(j) = spec.get("jwk") {
            let path = self.file("key.jwk", j.as_str().unwrap().as_bytes());
            run.flag("public-key", &path);
        } else if let Some(s) = spec.get("signer") {
            // A signer's verifier: its private key file, expecting its key id
            // (unless the options name one, which then wins as in every language).
            let path = self.key_path(&s["key"]);
            run.flag("public-key", &path);
            if opts.get("key_id").is_none() {
                run.flag("key-id", s["kid"].as_str().unwrap());
            }
        } else {
            panic!("bad verifier spec {spec}");
        }
    }

    /// Runs one case's operation through `qcdn`.
    fn produce(&mut self, case: &Case) -> Produced {
        let i = &case.input;
        match case.op.as_str() {
            "load_key" => self.load_key(i),
            "sign" => {
                let mut run = Run::new(&["token", "sign"]);
                self.signer_flags(&mut run, &i["signer"]);
                if let Err(why) = self.sign_flags(&mut run, &i["options"]) {
                    return Produced::NoCliForm(why);
                }
                run.flag("uri", i["uri"].as_str().unwrap());
                let out = tri!(run_text(&run));
                Produced::Ok(json!({ "token": out.trim_end_matches('\n') }))
            }
            "url" | "signed_url" => {
                let mut run = Run::new(&["url"]);
                let a = &i["args"];
                let arg = |k: &str| a[k].as_str().unwrap().to_string();
                let (sub, positional, region) = match i["form"].as_str().unwrap() {
                    "live" => ("live", vec![arg("playback_id")], None),
                    "live_custom_domain" => ("live-domain", vec![arg("domain"), arg("playback_id")], None),
                    "storage" => ("storage", vec![arg("bucket"), arg("key")], Some(arg("region"))),
                    "storage_custom_domain" => ("storage-domain", vec![arg("domain"), arg("key")], None),
                    f => panic!("unknown form {f}"),
                };
                run.arg(sub);
                if let Some(r) = region {
                    run.flag("region", &r);
                }
                if case.op == "signed_url" {
                    run.arg("--sign");
                    self.signer_flags(&mut run, &i["signer"]);
                    if let Err(why) = self.sign_flags(&mut run, &i["options"]) {
                        return Produced::NoCliForm(why);
                    }
                } else if let Some(t) = i.get("token").and_then(Value::as_str) {
                    run.flag("token", t);
                }
                if positional.iter().any(|p| p.contains('\0')) {
                    return Produced::NoCliForm("a command-line argument cannot hold NUL".into());
                }
                run.arg("--");
                for p in positional {
                    run.arg(p);
                }
                let out = tri!(run_text(&run));
                Produced::Ok(json!({ "url": out.trim_end_matches('\n') }))
            }
            "cookie" => {
                let mut run = Run::new(&["cookie"]);
                self.signer_flags(&mut run, &i["signer"]);
                if let Err(why) = self.sign_flags(&mut run, &i["options"]) {
                    return Produced::NoCliForm(why);
                }
                for (k, v) in i["cookie"].as_object().into_iter().flatten() {
                    match (k.as_str(), v) {
                        ("domain", Value::String(d)) => run.flag("domain", d),
                        ("path", Value::String(p)) => run.flag("path", p),
                        ("same_site", Value::String(s)) => run.flag("same-site", s),
                        ("secure", Value::Bool(false)) => run.arg("--insecure"),
                        ("http_only", Value::Bool(false)) => run.arg("--no-http-only"),
                        ("secure" | "http_only", Value::Bool(true)) => &mut run, // the default
                        _ => return Produced::NoCliForm(format!("no flag for cookie option {k}: {v}")),
                    };
                }
                run.flag("uri", i["uri"].as_str().unwrap());
                let out = tri!(run_text(&run));
                Produced::Ok(json!({ "set_cookie": out.trim_end_matches('\n') }))
            }
            "verify" => {
                let run = match self.verify_run(i) {
                    Ok(r) => r,
                    Err(why) => return Produced::NoCliForm(why),
                };
                let o = run.output();
                let exit = o.status.code().unwrap_or(-1);
                let doc: Option<Value> = serde_json::from_slice(&o.stdout).ok();
                match (exit, doc) {
                    (0, Some(d)) => Produced::Ok(json!({ "kid": d["key_id"], "claims": d["claims"] })),
                    // A refused token: the verdict document carries the code (exit 1, or 3 for MALFORMED_TOKEN
                    // with the `error:` line too, which must agree).
                    (_, Some(d)) if d["ok"] == false && d["code"].is_string() => {
                        let code = d["code"].as_str().unwrap().to_string();
                        if exit != 1 {
                            match failure_of(&o) {
                                Ok(f) if f.code == code => {}
                                Ok(f) => {
                                    return Produced::Broken(format!(
                                        "the verdict says {code} but the error line says {}",
                                        f.code
                                    ));
                                }
                                Err(why) => return Produced::Broken(why),
                            }
                        }
                        Produced::Err(Failure {
                            code,
                            message: d["reason"].as_str().unwrap_or("").to_string(),
                            hint: String::new(),
                            exit,
                        })
                    }
                    (0, None) => {
                        Produced::Broken(format!("stdout is not JSON: {}", String::from_utf8_lossy(&o.stdout)))
                    }
                    _ => match failure_of(&o) {
                        Ok(f) => Produced::Err(f),
                        Err(why) => Produced::Broken(why),
                    },
                }
            }
            "explain" | "explain_token" => {
                let mut run = Run::new(&["token", "verify", "--output=json"]);
                self.verifier_flags(&mut run, &i["verifier"], &i["options"]);
                if let Err(why) = self.verify_flags(&mut run, &i["options"]) {
                    return Produced::NoCliForm(why);
                }
                if case.op == "explain" {
                    run.flag("url", i["url"].as_str().unwrap());
                } else {
                    run.arg("--").arg(i["token"].as_str().unwrap());
                }
                let o = run.output();
                let exit = o.status.code().unwrap_or(-1);
                match serde_json::from_slice::<Value>(&o.stdout) {
                    Ok(doc) => {
                        let ok = doc["ok"] == true;
                        // 0 when accepted; 1 when refused, or 3 for a bare token that is not a token.
                        let want_exit: &[i32] = if ok { &[0] } else { &[1, 3] };
                        if !want_exit.contains(&exit) {
                            return Produced::Broken(format!("exit {exit} for a verdict with ok={ok}"));
                        }
                        Produced::Ok(explanation(&doc))
                    }
                    Err(_) => match failure_of(&o) {
                        Ok(f) => Produced::Err(f),
                        Err(why) => Produced::Broken(why),
                    },
                }
            }
            "decode" => {
                let mut run = Run::new(&["token", "decode", "--output=json", "--"]);
                run.arg(i["token"].as_str().unwrap());
                let d = tri!(run_json(&run));
                if d["verified"] != false {
                    return Produced::Broken(format!("decode does not say `verified: false`: {d}"));
                }
                Produced::Ok(json!({ "header": d["header"], "claims": d["claims"] }))
            }
            "audit" => {
                let mut run = Run::new(&["token", "audit", "--output=json"]);
                run.flag("now", &i["now"].as_i64().unwrap().to_string());
                run.arg("--").arg(i["token"].as_str().unwrap());
                let d = tri!(run_json(&run));
                let codes: Vec<Value> = d["warnings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|w| w["code"].clone())
                    .collect();
                Produced::Ok(json!({ "warnings": codes }))
            }
            "from_env" => signer_from_env(i),
            "client" => self.client_case(i),
            op => Produced::NoCliForm(format!("the CLI has no command for `{op}`")),
        }
    }

    fn verify_run(&mut self, i: &Value) -> Result<Run, String> {
        let mut run = Run::new(&["token", "verify", "--output=json"]);
        self.verifier_flags(&mut run, &i["verifier"], &i["options"]);
        self.verify_flags(&mut run, &i["options"])?;
        run.arg("--").arg(i["token"].as_str().unwrap());
        Ok(run)
    }

    /// `keys public --jwk --key-id KID` (the JWK, and the bits of its modulus)
    /// and `keys public` (the SPKI PEM).
    fn load_key(&mut self, i: &Value) -> Produced {
        let key = self.key_path(&i["key"]);
        let mut run = Run::new(&["keys", "public", "--jwk"]);
        run.flag("key-id", i["kid"].as_str().unwrap()).flag("key", &key);
        let jwk = tri!(run_json(&run));
        let Some(n) = jwk["n"]
            .as_str()
            .and_then(|n| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(n).ok())
        else {
            return Produced::Broken(format!("the JWK has no base64url `n`: {jwk}"));
        };
        let bits = n.iter().position(|b| *b != 0).map_or(0, |first| {
            (n.len() - first - 1) * 8 + (8 - n[first].leading_zeros() as usize)
        });
        let mut run = Run::new(&["keys", "public"]);
        run.flag("key", &key);
        let pem = tri!(run_text(&run));
        Produced::Ok(json!({ "bits": bits, "public_key_pem": pem, "public_key_jwk": jwk }))
    }

    /// A `client` case: reset the emulator, inject the faults (the emulator's
    /// own parser), run the setup calls and the call as `qcdn` commands.
    fn client_case(&mut self, i: &Value) -> Produced {
        let emu = self.emulator.get_or_insert_with(|| {
            Emulator::start(EmulatorConfig {
                signing_key_bits: 2048,
                ..EmulatorConfig::default()
            })
            .expect("the emulator starts")
        });
        emu.reset();
        for f in i.get("faults").and_then(Value::as_array).into_iter().flatten() {
            match Fault::from_json(f, KeyStyle::Snake) {
                Ok(fault) => emu.inject_fault(fault),
                // A bad fault is the harness's INVALID_ARGUMENT, as in every runner.
                Err(e) => {
                    return Produced::Err(Failure {
                        code: e.code().as_str().to_string(),
                        message: e.message(),
                        hint: String::new(),
                        exit: 3,
                    });
                }
            }
        }
        let (url, key) = (emu.url(), emu.api_key().to_string());
        let mut global = vec![format!("--api-url={url}"), format!("--auth-url={url}")];
        for (k, v) in i.get("options").and_then(Value::as_object).into_iter().flatten() {
            match k.as_str() {
                "timeout" => global.push(format!("--timeout={v}")),
                "max_retries" => global.push(format!("--max-retries={v}")),
                _ => return Produced::NoCliForm(format!("no flag for client option `{k}`")),
            }
        }
        let steps = i.get("setup").and_then(Value::as_array).cloned().unwrap_or_default();
        let mut result = Value::Null;
        for step in steps.iter().chain(std::iter::once(i)) {
            let mut run = match self.client_run(step["call"].as_str().unwrap(), &step["args"]) {
                Ok(r) => r,
                Err(why) => return Produced::NoCliForm(why),
            };
            // Global API options go before the command's `--` (after the group: `qcdn domains --api-url=… create`).
            run.args.splice(1..1, global.iter().cloned());
            run.env.push(("QENCODE_API_KEY".into(), Some(key.clone())));
            result = tri!(run_json(&run));
        }
        Produced::Ok(json!({ "result": result }))
    }

    /// The `qcdn` command of one client method (DESIGN §4 names, the cases' arguments).
    fn client_run(&mut self, call: &str, a: &Value) -> Result<Run, String> {
        let s = |k: &str| a[k].as_str().map(str::to_string).ok_or(format!("{call}: args.{k}"));
        let mut run = Run::default();
        let words: Vec<String> = match call {
            "create_domain" => vec![
                "domains".into(),
                "create".into(),
                format!("--type={}", s("type")?),
                "--".into(),
                s("name")?,
            ],
            "get_domain" => vec!["domains".into(), "get".into(), "--".into(), s("id")?],
            "list_domains" => {
                let mut w = vec!["domains".into(), "list".into()];
                if let Some(t) = a.get("type") {
                    w.push(format!("--type={}", t.as_str().ok_or("type is not a string")?));
                }
                w
            }
            "delete_domain" => vec!["domains".into(), "delete".into(), "--".into(), s("id")?],
            "create_tls_subscription" => vec!["tls".into(), "create".into(), "--".into(), s("domain_id")?],
            "get_tls_subscription" => vec!["tls".into(), "get".into(), "--".into(), s("id")?],
            "list_tls_subscriptions" => vec!["tls".into(), "list".into()],
            "delete_tls_subscription" => vec!["tls".into(), "delete".into(), "--".into(), s("id")?],
            "create_signing_key" => {
                let (flag, value) = ["stream", "domain", "bucket"]
                    .iter()
                    .find_map(|k| a.get(*k).and_then(Value::as_str).map(|v| (*k, v)))
                    .ok_or("create_signing_key without stream, domain or bucket")?;
                vec![
                    "signing-keys".into(),
                    "create".into(),
                    format!("--{flag}={value}"),
                    "--print-private-key".into(),
                ]
            }
            "get_signing_key" => vec!["signing-keys".into(), "get".into(), "--".into(), s("id")?],
            "list_signing_keys" => vec!["signing-keys".into(), "list".into()],
            "rename_signing_key" => vec![
                "signing-keys".into(),
                "rename".into(),
                "--".into(),
                s("id")?,
                s("name")?,
            ],
            "delete_signing_key" => vec!["signing-keys".into(), "delete".into(), "--".into(), s("id")?],
            "set_bucket_policy" => vec![
                "buckets".into(),
                "policy".into(),
                "--".into(),
                s("bucket")?,
                s("policy")?,
            ],
            "set_bucket_cors" => {
                let headers = a
                    .get("headers")
                    .filter(|h| h.is_object())
                    .ok_or("headers is not an object")?;
                let f = self.file("cors.json", headers.to_string().as_bytes());
                vec![
                    "buckets".into(),
                    "cors".into(),
                    "set".into(),
                    format!("--json={f}"),
                    "--".into(),
                    s("bucket")?,
                ]
            }
            "get_bucket_cors" => vec!["buckets".into(), "cors".into(), "get".into(), "--".into(), s("bucket")?],
            "delete_bucket_cors" => vec![
                "buckets".into(),
                "cors".into(),
                "delete".into(),
                "--".into(),
                s("bucket")?,
            ],
            "delete_bucket_cors_header" => vec![
                "buckets".into(),
                "cors".into(),
                "delete".into(),
                format!("--header={}", s("header")?),
                "--".into(),
                s("bucket")?,
            ],
            "purge_bucket_cache" => vec!["buckets".into(), "purge".into(), "--".into(), s("bucket")?],
            "purge_object_cache" => vec![
                "buckets".into(),
                "purge".into(),
                format!("--path={}", s("path")?),
                "--".into(),
                s("bucket")?,
            ],
            other => return Err(format!("the CLI has no command for client method `{other}`")),
        };
        run.args = words;
        Ok(run)
    }
}

/// `token sign` with the key (and key id) from the environment; the kid
/// from the token's header and the bits from its signature's length.
fn signer_from_env(i: &Value) -> Produced {
    let mut run = Run::new(&["token", "sign", "--uri=from-env", "--now=1700000000"]);
    for (k, v) in i["env"].as_object().into_iter().flatten() {
        let value = match v {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            Value::Object(m) => Some(std::fs::read_to_string(repo_root().join(m["file"].as_str().unwrap())).unwrap()),
            other => panic!("bad env value {other}"),
        };
        run.env.push((k.clone(), value));
    }
    if let Some(kid) = i.get("key_id").and_then(Value::as_str) {
        run.flag("key-id", kid);
    }
    let token = tri!(run_text(&run));
    let parts: Vec<&str> = token.trim().split('.').collect();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (Some(header), Some(sig)) = (
        parts.first().and_then(|h| b64.decode(h).ok()),
        parts.get(2).and_then(|s| b64.decode(s).ok()),
    ) else {
        return Produced::Broken(format!("not a token: {token}"));
    };
    let header: Value = serde_json::from_slice(&header).unwrap_or(Value::Null);
    Produced::Ok(json!({ "kid": header["kid"], "bits": sig.len() * 8 }))
}

/// A verdict document as the cases write it: `ok`, `checks` (`name:ok`), details, warning codes.
fn explanation(doc: &Value) -> Value {
    let checks = doc["checks"].as_array().cloned().unwrap_or_default();
    let names: Vec<String> = checks
        .iter()
        .map(|c| {
            let passed = if c["passed"] == true { "ok" } else { "FAIL" };
            format!("{}:{passed}", c["name"].as_str().unwrap_or("?"))
        })
        .collect();
    let details: Map<String, Value> = checks
        .iter()
        .map(|c| (c["name"].as_str().unwrap_or("?").to_string(), c["detail"].clone()))
        .collect();
    let warnings: Vec<Value> = doc["warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|w| w["code"].clone())
        .collect();
    json!({ "ok": doc["ok"], "checks": names, "details": details, "warnings": warnings })
}

/// Compares what `qcdn` produced with the case's `expect`; `Err` says how they differ.
fn check(case: &Case, produced: &Produced) -> Result<(), String> {
    let want = &case.expect;
    match (want.get("error"), produced) {
        (_, Produced::NoCliForm(why)) => Err(format!("no CLI form ({why}) and `skip` does not name `cli`")),
        (_, Produced::Broken(why)) => Err(why.clone()),
        (Some(code), Produced::Err(f)) => {
            let code = code.as_str().unwrap();
            if f.code != code {
                return Err(format!("expected error {code}, got {}: {}", f.code, f.message));
            }
            if f.exit != documented_exit(code) {
                return Err(format!(
                    "{code} exited {}, documented {}",
                    f.exit,
                    documented_exit(code)
                ));
            }
            // The CLI shows an HTTP status as the message's `HTTP <status>:` prefix.
            match want.get("status") {
                Some(Value::Null) if f.message.starts_with("HTTP ") => {
                    return Err(format!("expected no HTTP status: {}", f.message));
                }
                Some(Value::Number(n)) if !f.message.starts_with(&format!("HTTP {n}:")) => {
                    return Err(format!("expected HTTP status {n} in the message: {}", f.message));
                }
                _ => {}
            }
            // … and Retry-After in the hint.
            if let Some(after) = want.get("retry_after") {
                let phrase = format!("retry after {after} s");
                if !f.hint.contains(&phrase) {
                    return Err(format!("the hint does not say `{phrase}`: {}", f.hint));
                }
            }
            // `type_error`: the CLI has no type-error class (every argument is text).
            for s in want
                .get("message_contains")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let s = s.as_str().unwrap();
                if !f.message.contains(s) {
                    return Err(format!("the message does not contain `{s}`: {}", f.message));
                }
            }
            Ok(())
        }
        (Some(code), Produced::Ok(v)) => Err(format!("expected error {code}, got success {v}")),
        (None, Produced::Err(f)) => Err(format!(
            "expected success, got exit {}: {}: {}",
            f.exit, f.code, f.message
        )),
        (None, Produced::Ok(got)) => compare_success(want, got),
    }
}

fn compare_success(want: &Value, got: &Value) -> Result<(), String> {
    for (k, w) in want.as_object().unwrap() {
        if k == "detail_contains" {
            for (check, text) in w.as_object().unwrap() {
                let detail = got["details"][check].as_str().unwrap_or("");
                if !detail.contains(text.as_str().unwrap()) {
                    return Err(format!("detail of `{check}` is `{detail}`, which lacks `{text}`"));
                }
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

/// Whether `got` contains `want`: objects by their members, arrays element by element.
fn contains(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => w.iter().all(|(k, wv)| g.get(k).is_some_and(|gv| contains(gv, wv))),
        (Value::Array(g), Value::Array(w)) => g.len() == w.len() && g.iter().zip(w).all(|(a, b)| contains(a, b)),
        _ => got == want,
    }
}

/// Where the summary is written: `$CARGO_TARGET_DIR`, else the target folder holding the binary.
fn log_path() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            Path::new(env!("CARGO_BIN_EXE_qcdn"))
                .parent()
                .and_then(Path::parent)
                .map(Path::to_path_buf)
        })
        .unwrap_or_else(std::env::temp_dir);
    target.join("conformance-cli.log")
}

#[test]
fn every_conformance_case_with_a_cli_form_passes_through_qcdn() {
    let log = log_path();
    let _ = std::fs::remove_file(&log);
    let cases = load_cases();
    assert!(cases.len() >= 150, "only {} conformance cases", cases.len());
    let mut runner = Runner::new();
    let (mut passed, mut skipped, mut failures) = (0, Vec::new(), Vec::new());
    for case in &cases {
        if let Some(why) = &case.skip {
            skipped.push(format!("  skipped {}: {why}", case.name));
            continue;
        }
        match check(case, &runner.produce(case)) {
            Ok(()) => passed += 1,
            Err(why) => failures.push(format!("{}: {why}", case.name)),
        }
    }
    if let Some(emu) = runner.emulator.take() {
        emu.stop();
    }
    let _ = std::fs::remove_dir_all(&runner.dir);
    let mut summary = format!(
        "conformance: {LANGUAGE}: {} cases, {passed} passed, {} skipped, {} failed",
        cases.len(),
        skipped.len(),
        failures.len()
    );
    for s in &skipped {
        summary.push('\n');
        summary.push_str(s);
    }
    println!("{summary}");
    std::fs::write(&log, format!("{summary}\n")).unwrap();
    assert!(failures.is_empty(), "failed cases:\n{}", failures.join("\n"));
    assert_eq!(passed + skipped.len(), cases.len());
}
