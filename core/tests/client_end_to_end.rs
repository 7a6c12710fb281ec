//! End to end: a signing key created through the API, a `Signer` from the
//! returned PEM, signed URLs and cookies, and the emulated edge's answer.
#![cfg(feature = "client")]

use std::time::Duration;

use qencode_cdn::{
    BucketPolicy, Client, CookieOptions, DomainType, SignOptions, Signer, SigningKeyTarget, live_playback_url,
    storage_url,
};
use qencode_cdn_emulator::{EdgeResponse, Emulator, EmulatorConfig};

const OTHER_KEY: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/rsa2048.pkcs1.pem"));

fn start() -> (Emulator, Client) {
    let emu = Emulator::start(EmulatorConfig {
        signing_key_bits: 2048,
        ..Default::default()
    })
    .unwrap();
    let client = Client::builder(emu.api_key())
        .api_url(emu.url())
        .auth_url(emu.url())
        .build()
        .unwrap();
    (emu, client)
}

/// Options for a token that expired an hour ago.
fn expired(signer: &Signer) -> SignOptions {
    SignOptions::new()
        .now(signer.now_unix() - 7200)
        .expires_in(Duration::from_secs(3600))
}

fn refused(r: &EdgeResponse, reason: &str) {
    assert_eq!(r.status, 403, "{r:?}");
    let got = r.reason.as_deref().unwrap_or("");
    assert!(got.starts_with(reason), "expected {reason}, got {got}");
}

#[test]
fn live_stream_key_from_the_api_signs_urls_the_edge_accepts() {
    let (emu, client) = start();
    emu.add_stream("1f1ab6a3-d867-4787-b882-7f2fb1203634", "abc123");
    let key = client
        .create_signing_key(&SigningKeyTarget::Stream("1f1ab6a3-d867-4787-b882-7f2fb1203634".into()))
        .unwrap();
    let signer = Signer::from_pem(key.id(), key.private_key_pem()).unwrap();

    let url = signer.signed_live_url("abc123", &SignOptions::new()).unwrap();
    let ok = emu.fetch(&url, None).unwrap();
    assert_eq!(ok.status, 200, "{ok:?}");
    assert!(String::from_utf8_lossy(&ok.body).starts_with("#EXTM3U"));

    let url = signer.signed_live_url("abc123", &expired(&signer)).unwrap();
    refused(&emu.fetch(&url, None).unwrap(), "TOKEN_EXPIRED");

    let other_uri = signer.sign("zzz999", &SignOptions::new()).unwrap();
    let url = live_playback_url("abc123", Some(&other_uri)).unwrap();
    refused(&emu.fetch(&url, None).unwrap(), "URI_MISMATCH");

    let wrong_key = Signer::from_pem(key.id(), OTHER_KEY).unwrap();
    let url = wrong_key.signed_live_url("abc123", &SignOptions::new()).unwrap();
    refused(&emu.fetch(&url, None).unwrap(), "INVALID_SIGNATURE");

    let url = live_playback_url("abc123", None).unwrap();
    refused(&emu.fetch(&url, None).unwrap(), "MISSING_TOKEN");

    // Deleting the key through the API: its tokens are no longer accepted.
    client.delete_signing_key(key.id()).unwrap();
    client
        .create_signing_key(&SigningKeyTarget::Stream("1f1ab6a3-d867-4787-b882-7f2fb1203634".into()))
        .unwrap();
    let url = signer.signed_live_url("abc123", &SignOptions::new()).unwrap();
    refused(&emu.fetch(&url, None).unwrap(), "UNKNOWN_KEY_ID");
}

#[test]
fn live_custom_domain_key_from_the_api_signs_urls_the_edge_accepts() {
    let (emu, client) = start();
    emu.add_stream("stream-1", "abc123");
    let domain = client.create_domain("live.mydomain.com", DomainType::Live).unwrap();
    let key = client
        .create_signing_key(&SigningKeyTarget::Domain(domain.id.clone()))
        .unwrap();
    let signer = Signer::from_pem(key.id(), key.private_key_pem()).unwrap();
    let url = signer
        .signed_live_custom_domain_url("live.mydomain.com", "abc123", &SignOptions::new())
        .unwrap();
    assert_eq!(emu.fetch(&url, None).unwrap().status, 200);
    let url = signer
        .signed_live_custom_domain_url("live.mydomain.com", "abc123", &expired(&signer))
        .unwrap();
    refused(&emu.fetch(&url, None).unwrap(), "TOKEN_EXPIRED");
}

#[test]
fn authenticated_bucket_with_a_key_prefix_token() {
    let (emu, client) = start();
    emu.add_object("my-bucket", "videos/a/intro.mp4", b"intro".to_vec());
    emu.add_object("my-bucket", "private/b.mp4", b"private".to_vec());
    let public = storage_url("my-bucket", "us-west", "private/b.mp4", None).unwrap();
    assert_eq!(emu.fetch(&public, None).unwrap().status, 200, "public by default");

    client
        .set_bucket_policy("my-bucket", BucketPolicy::Authenticated)
        .unwrap();
    let key = client
        .create_signing_key(&SigningKeyTarget::Bucket("my-bucket".into()))
        .unwrap();
    let signer = Signer::from_pem(key.id(), key.private_key_pem()).unwrap();

    let prefix_token = signer.sign("videos/a/", &SignOptions::new()).unwrap();
    let url = storage_url("my-bucket", "us-west", "videos/a/intro.mp4", Some(&prefix_token)).unwrap();
    let ok = emu.fetch(&url, None).unwrap();
    assert_eq!((ok.status, ok.body.as_slice()), (200, &b"intro"[..]), "{ok:?}");

    let url = storage_url("my-bucket", "us-west", "private/b.mp4", Some(&prefix_token)).unwrap();
    refused(&emu.fetch(&url, None).unwrap(), "URI_MISMATCH");

    let url = signer
        .signed_storage_url("my-bucket", "us-west", "videos/a/intro.mp4", &expired(&signer))
        .unwrap();
    refused(&emu.fetch(&url, None).unwrap(), "TOKEN_EXPIRED");

    let wrong_key = Signer::from_pem(key.id(), OTHER_KEY).unwrap();
    let url = wrong_key
        .signed_storage_url("my-bucket", "us-west", "videos/a/intro.mp4", &SignOptions::new())
        .unwrap();
    refused(&emu.fetch(&url, None).unwrap(), "INVALID_SIGNATURE");

    let url = storage_url("my-bucket", "us-west", "videos/a/intro.mp4", None).unwrap();
    refused(&emu.fetch(&url, None).unwrap(), "MISSING_TOKEN");

    // An empty `uri` covers the whole bucket.
    let url = storage_url(
        "my-bucket",
        "eu-central",
        "private/b.mp4",
        Some(&signer.sign("", &SignOptions::new()).unwrap()),
    )
    .unwrap();
    assert_eq!(emu.fetch(&url, None).unwrap().status, 200);

    // Back to public through the API: no token needed.
    client.set_bucket_policy("my-bucket", BucketPolicy::Public).unwrap();
    assert_eq!(emu.fetch(&public, None).unwrap().status, 200);
}

#[test]
fn signed_cookie_for_a_folder_of_an_authenticated_bucket() {
    let (emu, client) = start();
    emu.add_object("my-bucket", "videos/a/master.m3u8", b"#EXTM3U\n".to_vec());
    emu.add_object("my-bucket", "videos/a/seg/1.ts", b"ts".to_vec());
    emu.add_object("my-bucket", "videos/b/master.m3u8", b"#EXTM3U\n".to_vec());
    client
        .set_bucket_policy("my-bucket", BucketPolicy::Authenticated)
        .unwrap();
    let key = client
        .create_signing_key(&SigningKeyTarget::Bucket("my-bucket".into()))
        .unwrap();
    let signer = Signer::from_pem(key.id(), key.private_key_pem()).unwrap();
    let cookie_opts = CookieOptions::new().domain("example.com");

    let cookie = signer
        .signed_cookie("videos/a/", &SignOptions::new(), &cookie_opts)
        .unwrap()
        .to_string();
    for object in ["videos/a/master.m3u8", "videos/a/seg/1.ts"] {
        let url = storage_url("my-bucket", "us-west", object, None).unwrap();
        assert_eq!(emu.fetch(&url, Some(&cookie)).unwrap().status, 200, "{object}");
    }
    let other = storage_url("my-bucket", "us-west", "videos/b/master.m3u8", None).unwrap();
    refused(&emu.fetch(&other, Some(&cookie)).unwrap(), "URI_MISMATCH");

    let url = storage_url("my-bucket", "us-west", "videos/a/master.m3u8", None).unwrap();
    let old = signer
        .signed_cookie("videos/a/", &expired(&signer), &cookie_opts)
        .unwrap()
        .to_string();
    refused(&emu.fetch(&url, Some(&old)).unwrap(), "TOKEN_EXPIRED");
    let forged = Signer::from_pem(key.id(), OTHER_KEY)
        .unwrap()
        .signed_cookie("videos/a/", &SignOptions::new(), &cookie_opts)
        .unwrap()
        .to_string();
    refused(&emu.fetch(&url, Some(&forged)).unwrap(), "INVALID_SIGNATURE");
    refused(&emu.fetch(&url, None).unwrap(), "MISSING_TOKEN");
}
