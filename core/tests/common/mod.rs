//! Shared by the vector tests: read tests/vectors/inputs.json and sign each case.
#![allow(dead_code)]

use qencode_cdn::{Backend, Error, Expiry, SignOptions, Signer};
use serde_json::{Map, Value};
use std::path::PathBuf;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn read_json(rel: &str) -> Value {
    let text = std::fs::read_to_string(repo_root().join(rel)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Signs one vector case the way every binding must: loose options through `Expiry::resolve`.
pub fn sign_case(case: &Value, backend: Backend) -> Result<String, Error> {
    let key = std::fs::read(repo_root().join(case["key_file"].as_str().unwrap())).unwrap();
    let signer = Signer::with_backend(case["kid"].as_str().unwrap(), key, backend)?;
    let o = &case["options"];
    let expiry = Expiry::resolve(
        o.get("expires_in").and_then(Value::as_i64),
        o.get("expires_at").and_then(Value::as_i64),
        o.get("never_expires").and_then(Value::as_bool).unwrap_or(false),
    )?;
    let mut opts = SignOptions::new().expiry(expiry).now(case["now"].as_i64().unwrap());
    if let Some(nbf) = o.get("not_before").and_then(Value::as_i64) {
        opts = opts.not_before(nbf);
    }
    if let Some(claims) = o.get("claims").and_then(Value::as_object) {
        opts = opts.claims(claims.clone());
    }
    signer.sign(case["uri"].as_str().unwrap(), &opts)
}

/// The full tokens.json document for the inputs, with the given backend.
pub fn generate(backend: Backend) -> Value {
    let inputs = read_json("tests/vectors/inputs.json");
    let mut vectors = Vec::new();
    for case in inputs["vectors"].as_array().unwrap() {
        let token = sign_case(case, backend).unwrap_or_else(|e| panic!("{}: {e}", case["name"]));
        let mut v: Map<String, Value> = case.as_object().unwrap().clone();
        v.insert("token".into(), Value::String(token));
        vectors.push(Value::Object(v));
    }
    let mut doc = Map::new();
    doc.insert(
        "description".into(),
        Value::String(
            "GENERATED from inputs.json by `QCDN_REGENERATE=1 cargo test -p qencode-cdn --test vectors`; do not edit. \
             Every binding reproduces each token byte for byte (sign uri with kid and options at the pinned clock `now`) \
             and gets the error `code` for each invalid case. Keys are TEST keys."
                .into(),
        ),
    );
    doc.insert("vectors".into(), Value::Array(vectors));
    doc.insert("invalid".into(), inputs["invalid"].clone());
    Value::Object(doc)
}
