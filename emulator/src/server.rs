//! A small blocking HTTP/1.1 server on a `std::net::TcpListener`: one thread
//! per connection, keep-alive, `Content-Length` and chunked request bodies,
//! `Expect: 100-continue`. Written by hand (with `httparse` for the request
//! head) because the emulator must count accepted TCP connections and be able
//! to drop a connection or truncate a response on purpose, which the small
//! server crates do not expose. The bytes are parsed by `crate::http` (a
//! pure parser, fuzzed); this module holds the sockets, the deadlines and the
//! connection slots.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub(crate) use crate::http::Request;
use crate::http::{ReadError, Source, read_request};

/// How many connections, and for how long.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Most connections served at once (one thread each); more are answered 503 and closed.
    pub max_connections: usize,
    /// Time for one whole request to arrive, from its first byte (then 408 and close).
    pub request_timeout: Duration,
    /// Time a connection may wait for the first byte of a request (then closed),
    /// and for each write of a response to make progress.
    pub idle_timeout: Duration,
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
    /// Binds `addr` and serves `handler` on a background thread, over TLS
    /// with `tls` when given.
    pub fn start(
        addr: SocketAddr,
        handler: Arc<dyn Handler>,
        limits: Limits,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let shutdown = Arc::new(AtomicBool::new(false));
        let connections: Connections = Arc::new(Mutex::new(HashMap::new()));
        let accept = {
            let shutdown = shutdown.clone();
            let connections = connections.clone();
            std::thread::Builder::new()
                .name("qcdn-emulator-accept".into())
                .spawn(move || accept_loop(listener, handler, shutdown, connections, limits, tls))?
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

/// Removes a connection from the open set when its thread ends, however it ends
/// (a panic unwinding through the thread drops this too): the slot is freed.
struct Slot {
    id: u64,
    connections: Connections,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(s) = lock(&self.connections).remove(&self.id) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

fn accept_loop(
    listener: TcpListener,
    handler: Arc<dyn Handler>,
    shutdown: Arc<AtomicBool>,
    connections: Connections,
    limits: Limits,
    tls: Option<Arc<rustls::ServerConfig>>,
) {
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
        // Counting must never take the accept loop down with it.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler.on_connection()));
        if lock(&connections).len() >= limits.max_connections {
            let mut stream = stream;
            let busy = Response::error(503, "too many open connections").with_header("Retry-After", "1");
            let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
            // Over TLS a plain-text answer would be noise: just close.
            if tls.is_none() {
                let _ = write_response(&mut stream, &busy, false, false);
            }
            close(&stream);
            continue;
        }
        let id = next_id.fetch_add(1, Ordering::Relaxed);
        match stream.try_clone() {
            Ok(clone) => lock(&connections).insert(id, clone),
            Err(_) => {
                close(&stream);
                continue;
            }
        };
        let slot = Slot {
            id,
            connections: connections.clone(),
        };
        let handler = handler.clone();
        let tls = tls.clone();
        let spawned = std::thread::Builder::new()
            .name("qcdn-emulator-conn".into())
            .spawn(move || {
                let _slot = slot;
                // A panic anywhere in the connection (not only in a handler) ends
                // this connection only; `_slot` frees its place either way.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    serve_connection(stream, tls, handler.as_ref(), limits)
                }));
            });
        if spawned.is_err() {
            // The closure (and its slot guard) was dropped: the entry is gone already.
            lock(&connections).remove(&id);
        }
    }
}

/// A connection's byte stream: the socket, or TLS over it.
enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

impl Stream {
    /// Ends a TLS session with `close_notify` (a plain socket needs nothing).
    fn finish(&mut self) {
        if let Stream::Tls(s) = self {
            s.conn.send_close_notify();
            let _ = s.flush();
        }
    }
}

/// A connection's socket as a [`Source`], with the idle and request deadlines.
struct Conn {
    /// The socket itself, for its timeouts.
    socket: TcpStream,
    stream: Stream,
    limits: Limits,
    /// When the request being read must be complete (set by its first byte).
    deadline: Option<Instant>,
}

impl Source for Conn {
    fn fill(&mut self, buf: &mut Vec<u8>, started: bool) -> io::Result<usize> {
        let timeout = if started {
            let deadline = *self
                .deadline
                .get_or_insert_with(|| Instant::now() + self.limits.request_timeout);
            deadline.saturating_duration_since(Instant::now())
        } else {
            self.deadline = None;
            self.limits.idle_timeout
        };
        if timeout.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        self.socket.set_read_timeout(Some(timeout))?;
        let mut chunk = [0u8; 8192];
        let n = self.stream.read(&mut chunk)?;
        buf.extend_from_slice(&chunk[..n]);
        if n > 0 && !started {
            self.deadline = Some(Instant::now() + self.limits.request_timeout);
        }
        Ok(n)
    }

    fn send_continue(&mut self) -> io::Result<()> {
        self.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
    }
}

/// Serves requests until the connection should close. Returning closes it:
/// the caller's [`Slot`] frees the connection's place first, then shuts the
/// socket down, so a client that saw the close can connect again at once.
fn serve_connection(socket: TcpStream, tls: Option<Arc<rustls::ServerConfig>>, handler: &dyn Handler, limits: Limits) {
    let _ = socket.set_nodelay(true);
    let _ = socket.set_write_timeout(Some(limits.idle_timeout));
    let Ok(clone) = socket.try_clone() else { return };
    let stream = match tls {
        None => Stream::Plain(clone),
        Some(config) => match rustls::ServerConnection::new(config) {
            Ok(conn) => Stream::Tls(Box::new(rustls::StreamOwned::new(conn, clone))),
            Err(_) => return,
        },
    };
    let mut conn = Conn {
        socket,
        stream,
        limits,
        deadline: None,
    };
    serve_requests(&mut conn, handler);
    conn.stream.finish();
}

fn serve_requests(conn: &mut Conn, handler: &dyn Handler) {
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    loop {
        conn.deadline = None;
        let request = match read_request(conn, &mut buf) {
            Ok(r) => r,
            Err(ReadError::Closed | ReadError::Idle) => return,
            Err(ReadError::TimedOut) => {
                let slow = Response::error(408, "the request did not arrive in time");
                let _ = write_response(&mut conn.stream, &slow, false, false);
                return;
            }
            Err(ReadError::Bad(e)) => {
                let _ = write_response(&mut conn.stream, &Response::error(e.status, e.message), false, false);
                return;
            }
        };
        #[cfg(test)]
        if request.path == tests::PANIC_PATH {
            panic!("test: a panic in a connection thread, outside any handler");
        }
        let keep_alive = request.keep_alive();
        let head_only = request.method == "HEAD";
        // A bug in a handler answers 500 instead of killing the connection thread silently.
        let reply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler.handle(&request)))
            .unwrap_or_else(|_| Reply::Send(Response::error(500, "internal emulator error")));
        let stream = &mut conn.stream;
        match reply {
            Reply::Send(response) => {
                if write_response(stream, &response, keep_alive, head_only).is_err() || !keep_alive {
                    return;
                }
            }
            Reply::Drop => return,
            Reply::Truncate(response) => {
                let _ = write_truncated(stream, &response);
                return;
            }
        }
    }
}

fn close(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Both);
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

fn write_response(stream: &mut dyn Write, response: &Response, keep_alive: bool, head_only: bool) -> io::Result<()> {
    let mut out = head_bytes(response, response.body.len(), keep_alive);
    if !head_only {
        out.extend_from_slice(&response.body);
    }
    stream.write_all(&out)?;
    stream.flush()
}

fn write_truncated(stream: &mut dyn Write, response: &Response) -> io::Result<()> {
    let announced = response.body.len().max(2) + 16;
    let mut out = head_bytes(response, announced, false);
    out.extend_from_slice(&response.body[..response.body.len() / 2]);
    stream.write_all(&out)?;
    stream.flush()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A request to this path panics in the connection thread outside the
    /// handler's own `catch_unwind` (test builds only).
    pub(crate) const PANIC_PATH: &str = "/__test/panic-in-connection";

    struct Answers200;

    impl Handler for Answers200 {
        fn on_connection(&self) {}
        fn handle(&self, _: &Request) -> Reply {
            Reply::Send(Response::json(200, &serde_json::json!({"ok": true})))
        }
    }

    fn send(addr: SocketAddr, request: &str) -> String {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out)
            .expect("the server answers or closes, never hangs");
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn a_panic_in_a_connection_thread_frees_its_slot_and_the_server_keeps_serving() {
        let limits = Limits {
            max_connections: 1,
            request_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(10),
        };
        let server = Server::start(([127, 0, 0, 1], 0).into(), Arc::new(Answers200), limits, None).unwrap();
        let addr = server.local_addr();
        for _ in 0..3 {
            let out = send(addr, &format!("GET {PANIC_PATH} HTTP/1.1\r\nHost: x\r\n\r\n"));
            assert_eq!(out, "", "the panicked connection is closed without an answer");
            // The only slot is free again: served, not refused with 503.
            let out = send(addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assert!(out.starts_with("HTTP/1.1 200 OK"), "{out}");
        }
    }
}
