//! A small blocking HTTP/1.1 server on a `std::net::TcpListener`: one thread
//! per connection, keep-alive, `Content-Length` and chunked request bodies,
//! `Expect: 100-continue`. Written by hand (with `httparse` for the request
//! head) because the emulator must count accepted TCP connections and be able
//! to drop a connection or truncate a response on purpose, which the small
//! server crates do not expose.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// Largest request head (request line and headers) accepted.
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body accepted.
const MAX_BODY: usize = 16 * 1024 * 1024;
/// Most headers in one request.
const MAX_HEADERS: usize = 64;
/// A connection idle this long between requests is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(120);
/// Most connections served at once (one thread each); more are answered 503 and closed.
const MAX_CONNECTIONS: usize = 1024;

/// One parsed request.
#[derive(Debug)]
pub(crate) struct Request {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path as sent (still percent-encoded), without the query.
    pub path: String,
    /// The query string without `?`, if any.
    pub query: Option<String>,
    /// Headers in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked).
    pub body: Vec<u8>,
    http10: bool,
}

impl Request {
    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header with this name.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn keep_alive(&self) -> bool {
        let conn = self.header("connection").map(str::to_ascii_lowercase);
        match conn.as_deref() {
            Some(c) if c.split(',').any(|t| t.trim() == "close") => false,
            Some(c) if c.split(',').any(|t| t.trim() == "keep-alive") => true,
            _ => !self.http10,
        }
    }
}

/// A response to write.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    /// Status code.
    pub status: u16,
    /// Extra headers (`Content-Length` and `Connection` are added when written).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// A JSON response.
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Response {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: value.to_string().into_bytes(),
        }
    }

    /// `{"error": message}` with this status.
    pub fn error(status: u16, message: &str) -> Self {
        Self::json(status, &serde_json::json!({ "error": message }))
    }

    /// A body of any content type.
    pub fn bytes(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
        }
    }

    /// Adds a header; the value is made one printable ASCII line.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        let clean: String = value
            .chars()
            .map(|c| if (' '..='~').contains(&c) { c } else { '?' })
            .collect();
        self.headers.push((name.into(), clean));
        self
    }
}

/// What to do with a request.
#[derive(Debug)]
pub(crate) enum Reply {
    /// Answer normally.
    Send(Response),
    /// Close the TCP connection without answering.
    Drop,
    /// Announce the whole body in `Content-Length`, send only part of it, close.
    Truncate(Response),
}

/// The application behind the server.
pub(crate) trait Handler: Send + Sync + 'static {
    /// Called once per accepted TCP connection.
    fn on_connection(&self);
    /// Answers one request.
    fn handle(&self, request: &Request) -> Reply;
}

type Connections = Arc<Mutex<HashMap<u64, TcpStream>>>;

fn lock(c: &Connections) -> MutexGuard<'_, HashMap<u64, TcpStream>> {
    c.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running server; [`Server::stop`] (or drop) closes the listener and every connection.
pub(crate) struct Server {
    addr: SocketAddr,
    shutdown: Arc<AtomicBool>,
    connections: Connections,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds `addr` and serves `handler` on a background thread.
    pub fn start(addr: SocketAddr, handler: Arc<dyn Handler>) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let shutdown = Arc::new(AtomicBool::new(false));
        let connections: Connections = Arc::new(Mutex::new(HashMap::new()));
        let accept = {
            let shutdown = shutdown.clone();
            let connections = connections.clone();
            std::thread::Builder::new()
                .name("qcdn-emulator-accept".into())
                .spawn(move || accept_loop(listener, handler, shutdown, connections))?
        };
        Ok(Server {
            addr,
            shutdown,
            connections,
            accept: Some(accept),
        })
    }

    /// The address the listener got (the real port when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, closes every open connection, frees the port.
    pub fn stop(&mut self) {
        if self.shutdown.swap(true, Ordering::SeqCst) {
            return;
        }
        // Wake the blocking accept() with one connection of our own.
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(2));
        if let Some(handle) = self.accept.take() {
            let _ = handle.join();
        }
        for (_, stream) in lock(&self.connections).drain() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn accept_loop(listener: TcpListener, handler: Arc<dyn Handler>, shutdown: Arc<AtomicBool>, connections: Connections) {
    let next_id = AtomicU64::new(0);
    for stream in listener.incoming() {
        if shutdown.load(Ordering::SeqCst) {
            break;
        }
        let stream = match stream {
            Ok(s) => s,
            Err(_) => {
                // EMFILE and friends: back off instead of spinning.
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        handler.on_connection();
        if lock(&connections).len() >= MAX_CONNECTIONS {
            let mut stream = stream;
            let busy = Response::error(503, "too many open connections").with_header("Retry-After", "1");
            let _ = write_response(&mut stream, &busy, false, false);
            let _ = stream.shutdown(Shutdown::Both);
            continue;
        }
        let id = next_id.fetch_add(1, Ordering::Relaxed);
        if let Ok(clone) = stream.try_clone() {
            lock(&connections).insert(id, clone);
        }
        let handler = handler.clone();
        let conns = connections.clone();
        let spawned = std::thread::Builder::new()
            .name("qcdn-emulator-conn".into())
            .spawn(move || {
                serve_connection(stream, handler.as_ref());
                lock(&conns).remove(&id);
            });
        if spawned.is_err() {
            if let Some(s) = lock(&connections).remove(&id) {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
    }
}

/// Why reading a request stopped.
enum ReadError {
    /// The peer closed or the socket failed: close silently.
    Closed,
    /// A bad request: answer with this status and message, then close.
    Bad(u16, &'static str),
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Closed
    }
}

fn serve_connection(mut stream: TcpStream, handler: &dyn Handler) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    loop {
        let request = match read_request(&mut stream, &mut buf) {
            Ok(Some(r)) => r,
            Ok(None) | Err(ReadError::Closed) => return,
            Err(ReadError::Bad(status, msg)) => {
                let _ = write_response(&mut stream, &Response::error(status, msg), false, false);
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
        };
        let keep_alive = request.keep_alive();
        let head_only = request.method == "HEAD";
        // A bug in a handler answers 500 instead of killing the connection thread silently.
        let reply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler.handle(&request)))
            .unwrap_or_else(|_| Reply::Send(Response::error(500, "internal emulator error")));
        match reply {
            Reply::Send(response) => {
                if write_response(&mut stream, &response, keep_alive, head_only).is_err() || !keep_alive {
                    let _ = stream.shutdown(Shutdown::Both);
                    return;
                }
            }
            Reply::Drop => {
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
            Reply::Truncate(response) => {
                let _ = write_truncated(&mut stream, &response);
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
        }
    }
}

/// Reads more bytes into `buf`; `Ok(0)` at end of stream.
fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<usize> {
    let mut chunk = [0u8; 8192];
    let n = stream.read(&mut chunk)?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n)
}

fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<Option<Request>, ReadError> {
    // The head.
    let (head_len, method, target, headers, http10) = loop {
        if !buf.is_empty() {
            let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut req = httparse::Request::new(&mut slots);
            match req.parse(buf) {
                Ok(httparse::Status::Complete(n)) => {
                    let headers: Vec<(String, String)> = req
                        .headers
                        .iter()
                        .map(|h| (h.name.to_string(), String::from_utf8_lossy(h.value).trim().to_string()))
                        .collect();
                    break (
                        n,
                        req.method.unwrap_or("GET").to_string(),
                        req.path.unwrap_or("/").to_string(),
                        headers,
                        req.version == Some(0),
                    );
                }
                Ok(httparse::Status::Partial) => {}
                Err(httparse::Error::TooManyHeaders) => return Err(ReadError::Bad(431, "too many headers")),
                Err(_) => return Err(ReadError::Bad(400, "malformed HTTP request")),
            }
            if buf.len() > MAX_HEAD {
                return Err(ReadError::Bad(431, "request head too large"));
            }
        }
        if fill(stream, buf)? == 0 {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err(ReadError::Closed)
            };
        }
    };
    buf.drain(..head_len);
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (target, None),
    };
    let mut request = Request {
        method,
        path,
        query,
        headers,
        body: Vec::new(),
        http10,
    };
    let chunked = request
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let length = match request.header("content-length") {
        Some(v) if !chunked => Some(
            v.parse::<usize>()
                .map_err(|_| ReadError::Bad(400, "bad Content-Length"))?,
        ),
        _ => None,
    };
    if length.is_some_and(|n| n > MAX_BODY) {
        return Err(ReadError::Bad(413, "request body too large"));
    }
    let wants_body = chunked || length.is_some_and(|n| n > buf.len());
    if wants_body
        && request
            .header("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    if chunked {
        request.body = read_chunked(stream, buf)?;
    } else if let Some(n) = length {
        while buf.len() < n {
            if fill(stream, buf)? == 0 {
                return Err(ReadError::Closed);
            }
        }
        request.body = buf.drain(..n).collect();
    }
    Ok(Some(request))
}

/// Reads one CRLF-terminated line (without the CRLF) from `buf`, filling as needed.
fn read_line(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<String, ReadError> {
    loop {
        if let Some(i) = buf.windows(2).position(|w| w == b"\r\n") {
            let line = String::from_utf8_lossy(&buf[..i]).into_owned();
            buf.drain(..i + 2);
            return Ok(line);
        }
        if buf.len() > MAX_HEAD {
            return Err(ReadError::Bad(400, "chunk line too long"));
        }
        if fill(stream, buf)? == 0 {
            return Err(ReadError::Closed);
        }
    }
}

fn read_chunked(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        let line = read_line(stream, buf)?;
        let size_hex = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_hex, 16).map_err(|_| ReadError::Bad(400, "bad chunk size"))?;
        if size == 0 {
            // Trailers, up to the empty line.
            while !read_line(stream, buf)?.is_empty() {}
            return Ok(body);
        }
        if body.len() + size > MAX_BODY {
            return Err(ReadError::Bad(413, "request body too large"));
        }
        while buf.len() < size + 2 {
            if fill(stream, buf)? == 0 {
                return Err(ReadError::Closed);
            }
        }
        body.extend(buf.drain(..size));
        buf.drain(..2);
    }
}

fn head_bytes(response: &Response, content_length: usize, keep_alive: bool) -> Vec<u8> {
    let reason = http::StatusCode::from_u16(response.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown");
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", response.status);
    for (name, value) in &response.headers {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    head.push_str(&format!("Content-Length: {content_length}\r\n"));
    head.push_str(if keep_alive {
        "Connection: keep-alive\r\n\r\n"
    } else {
        "Connection: close\r\n\r\n"
    });
    head.into_bytes()
}

fn write_response(stream: &mut TcpStream, response: &Response, keep_alive: bool, head_only: bool) -> io::Result<()> {
    let mut out = head_bytes(response, response.body.len(), keep_alive);
    if !head_only {
        out.extend_from_slice(&response.body);
    }
    stream.write_all(&out)?;
    stream.flush()
}

fn write_truncated(stream: &mut TcpStream, response: &Response) -> io::Result<()> {
    let announced = response.body.len().max(2) + 16;
    let mut out = head_bytes(response, announced, false);
    out.extend_from_slice(&response.body[..response.body.len() / 2]);
    stream.write_all(&out)?;
    stream.flush()
}
