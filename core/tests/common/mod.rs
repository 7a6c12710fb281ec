//! Shared by the integration tests: the repository root, JSON files, and the
//! conformance runner.
#![allow(dead_code)]

pub mod conformance;

use serde_json::Value;
use std::path::PathBuf;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn read_json(rel: &str) -> Value {
    let text = std::fs::read_to_string(repo_root().join(rel)).unwrap();
    serde_json::from_str(&text).unwrap()
}
