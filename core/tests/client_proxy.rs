//! Proxies come from the environment: with `ALL_PROXY` set, every request of
//! the client goes through an HTTP CONNECT proxy (here a small one on
//! loopback), and a proxy that refuses is a clear TRANSPORT error.
//!
//! One test in its own binary: it sets proxy variables for the process.
#![cfg(feature = "client")]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use qencode_cdn::{Client, ErrorCode};
use qencode_cdn_emulator::{Emulator, EmulatorConfig};

/// A CONNECT proxy that records the targets it was asked for; it refuses
/// (403) targets on port 9.
fn connect_proxy() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for mut client in listener.incoming().flatten() {
            let log = log.clone();
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match client.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let head = String::from_utf8_lossy(&head).to_string();
                let line = head.lines().next().unwrap_or("").to_string();
                log.lock().unwrap().push(line.clone());
                let target = line.strip_prefix("CONNECT ").and_then(|r| r.split(' ').next());
                let upstream = match target {
                    Some(t) if !t.ends_with(":9") => TcpStream::connect(t).ok(),
                    _ => None,
                };
                let Some(upstream) = upstream else {
                    let _ = client.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
                    return;
                };
                let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                let (mut c_read, mut u_write) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
                let (mut u_read, mut c_write) = (upstream, client);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut c_read, &mut u_write);
                    let _ = u_write.shutdown(Shutdown::Write);
                });
                let _ = std::io::copy(&mut u_read, &mut c_write);
                let _ = c_write.shutdown(Shutdown::Write);
            });
        }
    });
    (port, seen)
}

#[test]
fn requests_go_through_the_proxy_named_in_the_environment() {
    let (proxy_port, seen) = connect_proxy();
    // SAFETY: the only test of this binary, set before the client threads exist.
    unsafe {
        for var in [
            "NO_PROXY",
            "no_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
        ] {
            std::env::remove_var(var);
        }
        std::env::set_var("ALL_PROXY", format!("http://127.0.0.1:{proxy_port}"));
    }

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
    assert!(client.list_domains(None).unwrap().is_empty());
    assert!(client.list_signing_keys().unwrap().is_empty());
    let lines = seen.lock().unwrap().clone();
    assert_eq!(
        lines,
        vec![format!("CONNECT 127.0.0.1:{} HTTP/1.1", emu.port())],
        "one tunnel, reused"
    );
    assert_eq!(emu.counters().connections, 1);
    assert_eq!(emu.counters().token_requests, 1);

    let refused = Client::builder("sk-proxy-0123456789")
        .api_url("http://127.0.0.1:9")
        .auth_url("http://127.0.0.1:9")
        .max_retries(0)
        .build()
        .unwrap();
    let e = refused.list_domains(None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Transport, "{e}");
    assert!(e.to_string().contains("proxy"), "{e}");
    assert!(!format!("{e} {e:?}").contains("sk-proxy"), "{e:?}");
}
