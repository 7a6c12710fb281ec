//! The README's "CLI: common tasks" block, run line by line by bash against a
//! real emulator, so the commands a newcomer copies keep working.
//!
//! The block's placeholders are given values first: `$KID` and `key.pem` (the
//! 2048-bit test key), `$URL`/`$URL_OR_TOKEN` (a storage URL signed with that
//! key), `$DOMAIN_ID` (a domain made beforehand), `my-bucket` (an emulated
//! bucket). Two lines are not run here, each tested elsewhere: `cargo install`
//! (this test runs the built binary) and the foreground `qcdn emulator`
//! (`api.rs`, `emulator_command_serves_until_killed…`).

mod common;
use common::*;

use std::os::unix::fs::PermissionsExt as _;
use std::process::Command;

use qencode_cdn_emulator::{Emulator, EmulatorConfig};

/// The fenced block after `heading` in README.md.
fn readme_block(heading: &str) -> String {
    let readme = std::fs::read_to_string(format!("{}/../README.md", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let after = readme
        .split_once(heading)
        .unwrap_or_else(|| panic!("README has no {heading}"))
        .1;
    let body = after.split_once("```sh\n").expect("a sh block").1;
    body.split_once("```").expect("the block ends").0.to_string()
}

#[test]
fn the_readme_cli_block_runs_against_the_emulator() {
    let block = readme_block("## CLI: common tasks");
    let (run, skipped): (Vec<&str>, Vec<&str>) = block
        .lines()
        .partition(|l| !(l.starts_with("cargo install") || l.starts_with("qcdn emulator")));
    assert_eq!(skipped.len(), 2, "the lines not run here: {skipped:?}");
    assert!(run.iter().filter(|l| l.starts_with("qcdn ")).count() >= 12, "{block}");

    let emu = Emulator::start(EmulatorConfig {
        signing_key_bits: 2048,
        ..EmulatorConfig::default()
    })
    .unwrap();
    emu.add_object("my-bucket", "videos/intro.mp4", b"video".to_vec());
    let dir = std::path::PathBuf::from(tempdir());
    std::fs::copy(key("rsa2048.pkcs1.pem"), dir.as_path().join("key.pem")).unwrap();
    let url = out(&qcdn(&[
        "url",
        "storage",
        "my-bucket",
        "videos/intro.mp4",
        "--region",
        "us-west",
        "--sign",
        "--key-id",
        "kid-1",
        "--key",
        &key("rsa2048.pkcs1.pem"),
    ]))
    .trim()
    .to_string();
    assert!(url.contains("?auth="), "{url}");
    let domain = qcdn_cmd()
        .args(["domains", "create", "before.example.com", "--type", "live"])
        .args(["--api-url", &emu.url(), "--auth-url", &emu.url()])
        .env("QENCODE_API_KEY", emu.api_key())
        .output()
        .unwrap();
    let domain: serde_json::Value = serde_json::from_slice(&domain.stdout).unwrap();

    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_qcdn")).parent().unwrap();
    let script = format!("set -euo pipefail\n{}", run.join("\n"));
    let o = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.as_path())
        .env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()))
        .env("NO_COLOR", "1")
        .env("KID", "kid-1")
        .env("URL", &url)
        .env("URL_OR_TOKEN", &url)
        .env("DOMAIN_ID", domain["id"].as_str().unwrap())
        .env("QENCODE_API_KEY", emu.api_key())
        .env("QENCODE_API_URL", emu.url())
        .env("QENCODE_AUTH_URL", emu.url())
        .env_remove("QENCODE_SIGNING_KEY")
        .env_remove("QENCODE_SIGNING_KEY_ID")
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "the README block failed\nstdout:\n{}\nstderr:\n{}",
        out(&o),
        err(&o)
    );
    // What the block says it does, checked.
    let public = std::fs::read_to_string(dir.as_path().join("key.pub.pem")).unwrap();
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"), "{public}");
    let mode = std::fs::metadata(dir.as_path().join("bucket-key.pem"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let stdout = out(&o);
    assert!(stdout.contains("Qencode-Auth-Token="), "the cookie line: {stdout}");
    assert!(stdout.contains("ACCEPTED"), "the verify line: {stdout}");
    let unsigned = "https://my-bucket.media-storage.us-west.qencode.com/videos/intro.mp4";
    assert_eq!(
        emu.fetch(unsigned, None).unwrap().status,
        403,
        "the policy line took effect"
    );
}
