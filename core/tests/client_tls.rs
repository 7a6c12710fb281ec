//! TLS through the client's real stack (rustls on aws-lc-rs, the platform
//! verifier): a server whose certificate chains to a CA in the system trust
//! store (here `SSL_CERT_FILE`, as a corporate CA would be installed) is
//! accepted; a self-signed certificate is refused with TRANSPORT.
//!
//! One test in its own binary: it sets `SSL_CERT_FILE` for the process.
#![cfg(feature = "client")]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

use qencode_cdn::{Client, ErrorCode};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A test CA (EC P-256, valid until 2126) standing in for a corporate CA.
const CA: &str = include_str!("../../tests/keys/tls/ca.pem");
/// `localhost` and `127.0.0.1`, issued by [`CA`].
const LEAF: &str = include_str!("../../tests/keys/tls/localhost.pem");
const LEAF_KEY: &str = include_str!("../../tests/keys/tls/localhost.key.pem");
/// Self-signed `localhost`: in no trust store.
const ROGUE: &str = include_str!("../../tests/keys/tls/rogue.pem");
const ROGUE_KEY: &str = include_str!("../../tests/keys/tls/rogue.key.pem");

/// An HTTPS server answering every request with a token and an empty domain list.
fn tls_server(cert: &str, key: &str) -> u16 {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let chain = CertificateDer::pem_slice_iter(cert.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                loop {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        match tls.read(&mut byte) {
                            Ok(1) => head.push(byte[0]),
                            _ => return,
                        }
                    }
                    let body = r#"{"access_token":"tls-access-token","domains":[]}"#;
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if tls.write_all(reply.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

fn client(url: &str) -> Client {
    Client::builder("tls-api-key-0123456789")
        .api_url(url)
        .auth_url(url)
        .max_retries(0)
        .build()
        .unwrap()
}

#[test]
fn certificates_are_verified_against_the_system_trust_store() {
    let dir = std::env::temp_dir().join(format!("qcdn-client-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, CA).unwrap();
    // SAFETY: the only test of this binary, before any other thread exists.
    unsafe { std::env::set_var("SSL_CERT_FILE", &ca_file) };

    let trusted = tls_server(LEAF, LEAF_KEY);
    for host in ["localhost", "127.0.0.1"] {
        let c = client(&format!("https://{host}:{trusted}"));
        assert_eq!(c.list_domains(None).unwrap(), vec![], "{host}");
    }

    let rogue = tls_server(ROGUE, ROGUE_KEY);
    let e = client(&format!("https://localhost:{rogue}"))
        .list_domains(None)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Transport, "{e}");
    assert!(e.to_string().contains("TLS: invalid peer certificate"), "{e}");
    assert!(!e.to_string().contains("tls-api-key"), "{e}");

    // Plain HTTP to a TLS port, and TLS to a plain port, are clear TRANSPORT errors too.
    let e = client(&format!("https://127.0.0.1:{}", plain_port()))
        .list_domains(None)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Transport, "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A plain HTTP server (the emulator).
fn plain_port() -> u16 {
    let emu = qencode_cdn_emulator::Emulator::start(Default::default()).unwrap();
    let port = emu.port();
    std::mem::forget(emu); // keep it serving until the process ends
    port
}
