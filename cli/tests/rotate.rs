//! `qcdn signing-keys rotate`: a whole key rotation against the emulator
//! while a loop of signed requests keeps asking the edge — before, during and
//! after the rotation — and never gets a refusal. Then the retired key's
//! tokens are refused.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::*;
use qencode_cdn::{BucketPolicy, SignOptions, Signer};
use serde_json::Value;

#[test]
fn a_whole_rotation_keeps_every_signed_request_served() {
    let emu = Arc::new(emulator());
    emu.add_object("my-bucket", "videos/a.mp4", b"video".to_vec());
    let dir = tempdir();
    let first_file = format!("{dir}/key-1.pem");
    let second_file = format!("{dir}/key-2.pem");

    // The first key, made with rotate on a bucket that has none yet.
    let first = json(&api(
        &emu,
        &["signing-keys", "rotate", "--bucket", "my-bucket", "--out", &first_file],
    ));
    assert_eq!(first["still_active"], Value::Array(vec![]));
    let first_id = first["new_key"]["id"].as_str().unwrap().to_string();
    let client = qencode_cdn::Client::builder(emu.api_key())
        .api_url(emu.url())
        .auth_url(emu.url())
        .build()
        .unwrap();
    client
        .set_bucket_policy("my-bucket", BucketPolicy::Authenticated)
        .unwrap();

    // "Production": sign with the deployed key, fetch from the edge, forever.
    let deployed = Arc::new(Mutex::new(Signer::from_file(&first_id, &first_file).unwrap()));
    let stop = Arc::new(AtomicBool::new(false));
    let (served, refused) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let reasons = Arc::new(Mutex::new(Vec::new()));
    let loop_thread = {
        let (deployed, stop, served, refused, reasons) = (
            deployed.clone(),
            stop.clone(),
            served.clone(),
            refused.clone(),
            reasons.clone(),
        );
        let edge = emu.clone();
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let signer = deployed.lock().unwrap().clone();
                let signed = signer
                    .signed_storage_url("my-bucket", "us-west", "videos/a.mp4", &SignOptions::new())
                    .unwrap();
                let r = edge.fetch(&signed, None).unwrap();
                if r.status == 200 {
                    served.fetch_add(1, Ordering::SeqCst);
                } else {
                    refused.fetch_add(1, Ordering::SeqCst);
                    reasons.lock().unwrap().push(r.reason.unwrap_or_default());
                }
            }
        })
    };
    let wait_for = |n: usize| {
        let start = served.load(Ordering::SeqCst);
        while served.load(Ordering::SeqCst) < start + n {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    };
    wait_for(20);

    // Step 1: a new key beside the old one; the old one is listed as still active.
    let rotated = api(
        &emu,
        &["signing-keys", "rotate", "--bucket", "my-bucket", "--out", &second_file],
    );
    let doc = json(&rotated);
    let second_id = doc["new_key"]["id"].as_str().unwrap().to_string();
    assert_eq!(doc["still_active"][0]["id"], first_id.as_str());
    let guide = err(&rotated);
    assert!(guide.contains(&format!("new signing key: {second_id}")), "{guide}");
    assert!(
        guide.contains(&format!("QENCODE_SIGNING_KEY_ID={second_id}")),
        "{guide}"
    );
    assert!(guide.contains(&format!("--finish --keep {second_id}")), "{guide}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&second_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // Rotating again into the same file is refused before any key is made.
    let before = client.list_signing_keys().unwrap().len();
    assert_error(
        &api(
            &emu,
            &["signing-keys", "rotate", "--bucket", "my-bucket", "--out", &second_file],
        ),
        3,
        "INVALID_ARGUMENT",
    );
    assert_eq!(
        client.list_signing_keys().unwrap().len(),
        before,
        "no key made for a file that exists"
    );
    wait_for(20);

    // Deploy the new key while requests keep flowing.
    *deployed.lock().unwrap() = Signer::from_file(&second_id, &second_file).unwrap();
    wait_for(20);

    // Step 2 refuses to delete without asking (no terminal here) …
    let asked = api(&emu, &["signing-keys", "rotate", "--finish", "--keep", &second_id]);
    assert_error(&asked, 3, "INVALID_ARGUMENT");
    assert!(err(&asked).contains("--yes"));
    assert_eq!(client.list_signing_keys().unwrap().len(), 2);
    // … and deletes the old key with --yes.
    let done = json(&api(
        &emu,
        &["signing-keys", "rotate", "--finish", "--keep", &second_id, "--yes"],
    ));
    assert_eq!(done["deleted"], serde_json::json!([first_id]));
    wait_for(20);
    stop.store(true, Ordering::SeqCst);
    loop_thread.join().unwrap();

    assert_eq!(
        refused.load(Ordering::SeqCst),
        0,
        "refused during the rotation: {:?}",
        reasons.lock().unwrap()
    );
    assert!(served.load(Ordering::SeqCst) >= 80);
    // The retired key's tokens are refused now; the kept key's are served.
    let old = Signer::from_file(&first_id, &first_file).unwrap();
    let old_url = old
        .signed_storage_url("my-bucket", "us-west", "videos/a.mp4", &SignOptions::new())
        .unwrap();
    let r = emu.fetch(&old_url, None).unwrap();
    assert_eq!(r.status, 403);
    assert!(r.reason.unwrap_or_default().starts_with("UNKNOWN_KEY_ID"));
    let new_url = deployed
        .lock()
        .unwrap()
        .signed_storage_url("my-bucket", "us-west", "videos/a.mp4", &SignOptions::new())
        .unwrap();
    assert_eq!(emu.fetch(&new_url, None).unwrap().status, 200);
    // Nothing more to retire.
    let again = json(&api(
        &emu,
        &["signing-keys", "rotate", "--finish", "--keep", &second_id, "--yes"],
    ));
    assert_eq!(again["deleted"], serde_json::json!([]));
}

#[test]
fn rotate_needs_a_target_and_an_out_file() {
    let emu = emulator();
    assert_error(
        &api(&emu, &["signing-keys", "rotate", "--bucket", "my-bucket"]),
        3,
        "INVALID_ARGUMENT",
    );
    assert_error(
        &api(&emu, &["signing-keys", "rotate", "--out", "/tmp/x.pem"]),
        3,
        "INVALID_ARGUMENT",
    );
    assert_eq!(
        code(&api(&emu, &["signing-keys", "rotate", "--finish"])),
        2,
        "--finish needs --keep (usage)"
    );
    assert_error(
        &api(
            &emu,
            &["signing-keys", "rotate", "--finish", "--keep", "no-such-key", "--yes"],
        ),
        5,
        "NOT_FOUND",
    );
}

fn tempdir() -> String {
    let d = std::env::temp_dir().join(format!("qcdn-rotate-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&d).unwrap();
    d.display().to_string()
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}
