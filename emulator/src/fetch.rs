//! `Emulator::fetch`: one GET of a playback/storage URL against the emulated
//! edge, with the URL's host sent in `Host`.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use qencode_cdn::COOKIE_NAME;

use crate::EdgeResponse;
use crate::edge::REASON_HEADER;

fn invalid(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg.to_string())
}

/// GETs `url` from the server at `addr`.
pub(crate) fn fetch(addr: SocketAddr, url: &str, cookie: Option<&str>) -> io::Result<EdgeResponse> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| invalid("the URL must start with https:// or http://"))?;
    let rest = rest.split('#').next().unwrap_or("");
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..split];
    let host = authority.rsplit('@').next().unwrap_or("");
    let target = match &rest[split..] {
        "" => "/".to_string(),
        t if t.starts_with('?') => format!("/{t}"),
        t => t.to_string(),
    };
    if host.is_empty() {
        return Err(invalid("the URL has no host"));
    }
    let cookie = cookie.map(|c| {
        if c.contains('=') {
            c.to_string()
        } else {
            format!("{COOKIE_NAME}={c}")
        }
    });
    let unsafe_text = |s: &str| s.bytes().any(|b| b.is_ascii_control() || b == b' ');
    if unsafe_text(host) || unsafe_text(&target) || cookie.as_deref().is_some_and(|c| c.contains(['\r', '\n'])) {
        return Err(invalid("the URL or cookie contains spaces or control characters"));
    }
    let mut request =
        format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nUser-Agent: qencode-cdn-emulator\r\n");
    if let Some(c) = cookie {
        request.push_str(&format!("Cookie: {c}\r\n"));
    }
    request.push_str("\r\n");

    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;

    let mut slots = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut slots);
    let head_len = match response.parse(&raw) {
        Ok(httparse::Status::Complete(n)) => n,
        _ => return Err(io::Error::new(io::ErrorKind::InvalidData, "malformed HTTP response")),
    };
    let status = response.code.unwrap_or(0);
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).into_owned())
    };
    let reason = header(REASON_HEADER);
    let mut body = raw[head_len..].to_vec();
    if let Some(len) = header("content-length").and_then(|v| v.trim().parse::<usize>().ok()) {
        body.truncate(len);
    }
    Ok(EdgeResponse { status, reason, body })
}
