//! Helpers shared by the integration tests: run the built `qcdn` binary.
#![allow(dead_code)]

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

/// Path of a test key under `tests/keys/`.
pub fn key(name: &str) -> String {
    format!("{}/../tests/keys/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A `qcdn` command with a clean environment for the variables it reads.
pub fn qcdn_cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_qcdn"));
    for v in [
        "QENCODE_SIGNING_KEY",
        "QENCODE_SIGNING_KEY_ID",
        "QENCODE_API_KEY",
        "QENCODE_API_URL",
        "QENCODE_AUTH_URL",
    ] {
        c.env_remove(v);
    }
    c.env("NO_COLOR", "1");
    c
}

/// Runs `qcdn args…` with empty stdin.
pub fn qcdn(args: &[&str]) -> Output {
    qcdn_cmd().args(args).stdin(Stdio::null()).output().unwrap()
}

/// Runs `qcdn args…` with `input` on stdin.
pub fn qcdn_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = qcdn_cmd()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// stdout as text.
pub fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The exit code.
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Asserts a failure: the exit code, and one `error: CODE: …` line first on stderr, no panic.
pub fn assert_error(o: &Output, exit: i32, code_str: &str) {
    let e = err(o);
    assert_eq!(code(o), exit, "stdout: {}\nstderr: {e}", out(o));
    assert!(
        e.starts_with(&format!("error: {code_str}: ")),
        "stderr should start with `error: {code_str}: `, got: {e}"
    );
    assert!(!e.contains("panicked") && !e.contains("RUST_BACKTRACE"), "{e}");
}

/// Signs a token with the 2048-bit test key.
pub fn sign(extra: &[&str]) -> String {
    let k = key("rsa2048.pkcs1.pem");
    let mut args = vec!["token", "sign", "--key-id", "kid-1", "--key", &k];
    args.extend_from_slice(extra);
    let o = qcdn(&args);
    assert_eq!(code(&o), 0, "{}", err(&o));
    out(&o).trim().to_string()
}

/// The payload of a token as JSON (test-side decoding, independent of the CLI).
pub fn payload(token: &str) -> serde_json::Value {
    use base64::Engine as _;
    let p = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A fresh directory under the system temp dir (no tempfile crate needed).
pub fn tempdir() -> String {
    let d = format!(
        "{}/qcdn-test-{}-{}",
        std::env::temp_dir().display(),
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// An emulator on a free loopback port, with 2048-bit signing keys (fast to make).
pub fn emulator() -> qencode_cdn_emulator::Emulator {
    qencode_cdn_emulator::Emulator::start(qencode_cdn_emulator::EmulatorConfig {
        signing_key_bits: 2048,
        ..Default::default()
    })
    .unwrap()
}

/// `qcdn args… --api-url E --auth-url E` with the emulator's API key in the environment.
pub fn api(emu: &qencode_cdn_emulator::Emulator, args: &[&str]) -> Output {
    qcdn_cmd()
        .args(args)
        .args(["--api-url", &emu.url(), "--auth-url", &emu.url()])
        .env("QENCODE_API_KEY", emu.api_key())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The JSON a successful command printed (the test fails with its output otherwise).
pub fn json(o: &Output) -> serde_json::Value {
    assert_eq!(code(o), 0, "stdout: {}\nstderr: {}", out(o), err(o));
    serde_json::from_str(&out(o)).unwrap_or_else(|e| panic!("not JSON ({e}): {}", out(o)))
}
