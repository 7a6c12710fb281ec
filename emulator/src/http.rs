//! The HTTP/1.1 request parser, separate from the sockets so it can be
//! fuzzed: [`parse_request`] is a pure function from bytes to a request or
//! an error, and [`read_request`] (what the server runs on every connection)
//! is the same parser fed by any [`Source`] of bytes.
//!
//! Limits, all answered at once with an error status and never by reading
//! on: a head (request line and headers) of at most [`MAX_HEAD`] bytes and
//! [`MAX_HEADERS`] headers (431); a body of at most [`MAX_BODY`] bytes,
//! whether announced in `Content-Length` or summed over chunks, with checked
//! arithmetic (413); a chunk-size or trailer line of at most [`MAX_LINE`]
//! bytes (400). `Content-Length` is digits only, and several differing ones,
//! or `Content-Length` together with `Transfer-Encoding`, are refused (400,
//! the request-smuggling shapes); a `Transfer-Encoding` other than `chunked`
//! is 501.

use std::io;

/// Largest request head (request line and headers) accepted.
pub const MAX_HEAD: usize = 64 * 1024;
/// Largest request body accepted (after de-chunking).
pub const MAX_BODY: usize = 16 * 1024 * 1024;
/// Most headers in one request.
pub const MAX_HEADERS: usize = 64;
/// Longest chunk-size line or trailer line.
pub const MAX_LINE: usize = 4096;

/// A request the server refuses: the status and message of the answer
/// (`{"error": message}`), after which the connection is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpError {
    /// 400, 408, 413, 431 or 501.
    pub status: u16,
    /// What is wrong, for the client.
    pub message: &'static str,
}

const fn refuse(status: u16, message: &'static str) -> HttpError {
    HttpError { status, message }
}

const TOO_LARGE: HttpError = refuse(413, "request body too large");

/// One parsed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `POST`, … as sent.
    pub method: String,
    /// The path as sent (still percent-encoded), without the query.
    pub path: String,
    /// The query string without `?`, if any.
    pub query: Option<String>,
    /// Headers in order, names as sent, values trimmed (invalid UTF-8 replaced).
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked).
    pub body: Vec<u8>,
    /// Sent as HTTP/1.0.
    pub http10: bool,
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

    /// Whether the connection stays open after the answer.
    pub fn keep_alive(&self) -> bool {
        let conn = self.header("connection").map(str::to_ascii_lowercase);
        match conn.as_deref() {
            Some(c) if c.split(',').any(|t| t.trim() == "close") => false,
            Some(c) if c.split(',').any(|t| t.trim() == "keep-alive") => true,
            _ => !self.http10,
        }
    }
}

/// How the body of a request is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Length(usize),
    Chunked,
}

/// A complete request head.
#[derive(Debug)]
struct Head {
    request: Request,
    framing: Framing,
    expect_continue: bool,
}

/// Parses the head at the start of `buf`: `Ok(None)` while incomplete, else
/// the head and its length in bytes.
fn parse_head(buf: &[u8]) -> Result<Option<(Head, usize)>, HttpError> {
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut slots);
    let len = match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => {
            return Err(refuse(431, "request head too large"));
        }
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(refuse(431, "too many headers")),
        Err(_) => return Err(refuse(400, "malformed HTTP request")),
    };
    if len > MAX_HEAD {
        return Err(refuse(431, "request head too large"));
    }
    let headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|h| (h.name.to_string(), String::from_utf8_lossy(h.value).trim().to_string()))
        .collect();
    let target = req.path.unwrap_or("/");
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (target.to_string(), None),
    };
    let request = Request {
        method: req.method.unwrap_or("GET").to_string(),
        path,
        query,
        headers,
        body: Vec::new(),
        http10: req.version == Some(0),
    };
    let framing = framing(&request)?;
    let expect_continue = request
        .header("expect")
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
    Ok(Some((
        Head {
            request,
            framing,
            expect_continue,
        },
        len,
    )))
}

fn framing(request: &Request) -> Result<Framing, HttpError> {
    let mut length: Option<usize> = None;
    for v in request.headers_named("content-length") {
        if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(refuse(400, "bad Content-Length"));
        }
        // Digits only: a parse failure is an overflow of usize.
        let n = v.parse::<usize>().map_err(|_| TOO_LARGE)?;
        if length.is_some_and(|l| l != n) {
            return Err(refuse(400, "conflicting Content-Length headers"));
        }
        length = Some(n);
    }
    let mut codings = request.headers_named("transfer-encoding").peekable();
    if codings.peek().is_some() {
        if length.is_some() {
            return Err(refuse(400, "both Content-Length and Transfer-Encoding"));
        }
        let all: Vec<String> = codings
            .flat_map(|v| v.split(','))
            .map(|c| c.trim().to_ascii_lowercase())
            .filter(|c| !c.is_empty())
            .collect();
        return match all.as_slice() {
            [only] if only == "chunked" => Ok(Framing::Chunked),
            _ => Err(refuse(501, "only Transfer-Encoding: chunked is supported")),
        };
    }
    match length {
        Some(n) if n > MAX_BODY => Err(TOO_LARGE),
        Some(n) => Ok(Framing::Length(n)),
        None => Ok(Framing::Length(0)),
    }
}

/// Where a chunked body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    /// Expecting a chunk-size line.
    Size,
    /// This many bytes of chunk data still to come.
    Data(usize),
    /// Expecting the CRLF after chunk data.
    DataEnd,
    /// After the last chunk: trailer lines up to an empty one.
    Trailers,
    /// Complete.
    Done,
}

/// An incremental chunked-body decoder: [`Dechunk::feed`] consumes what it
/// can from the front of a buffer, so bytes are looked at once however they
/// arrive.
#[derive(Debug)]
struct Dechunk {
    body: Vec<u8>,
    state: Chunk,
}

/// The CRLF-terminated line at the start of `buf` (without the CRLF) and the
/// bytes it takes, or `None` while incomplete.
fn line(buf: &[u8]) -> Result<Option<(&[u8], usize)>, HttpError> {
    match buf.windows(2).position(|w| w == b"\r\n") {
        Some(i) if i > MAX_LINE => Err(refuse(400, "chunk line too long")),
        Some(i) => Ok(Some((&buf[..i], i + 2))),
        None if buf.len() > MAX_LINE + 1 => Err(refuse(400, "chunk line too long")),
        None => Ok(None),
    }
}

impl Dechunk {
    fn new() -> Self {
        Dechunk {
            body: Vec::new(),
            state: Chunk::Size,
        }
    }

    /// Consumes from the front of `buf`; returns how many bytes were used.
    fn feed(&mut self, buf: &[u8]) -> Result<usize, HttpError> {
        let mut used = 0;
        loop {
            let rest = &buf[used..];
            match self.state {
                Chunk::Done => return Ok(used),
                Chunk::Size => {
                    let Some((text, n)) = line(rest)? else { return Ok(used) };
                    let size = chunk_size(text)?;
                    // Checked: a size near usize::MAX must not wrap the sum.
                    match self.body.len().checked_add(size) {
                        Some(total) if total <= MAX_BODY => {}
                        _ => return Err(TOO_LARGE),
                    }
                    used += n;
                    self.state = if size == 0 { Chunk::Trailers } else { Chunk::Data(size) };
                }
                Chunk::Data(left) => {
                    let take = left.min(rest.len());
                    if take == 0 {
                        return Ok(used);
                    }
                    self.body.extend_from_slice(&rest[..take]);
                    used += take;
                    self.state = if take == left {
                        Chunk::DataEnd
                    } else {
                        Chunk::Data(left - take)
                    };
                }
                Chunk::DataEnd => {
                    if rest.len() < 2 {
                        return Ok(used);
                    }
                    if &rest[..2] != b"\r\n" {
                        return Err(refuse(400, "chunk data longer than its size"));
                    }
                    used += 2;
                    self.state = Chunk::Size;
                }
                Chunk::Trailers => {
                    let Some((text, n)) = line(rest)? else { return Ok(used) };
                    used += n;
                    if text.is_empty() {
                        self.state = Chunk::Done;
                    }
                }
            }
        }
    }
}

/// The size of a chunk-size line (`1a;ext=v`): hexadecimal, at most 16 digits.
fn chunk_size(line: &[u8]) -> Result<usize, HttpError> {
    let bad = refuse(400, "bad chunk size");
    let digits = line.split(|b| *b == b';').next().unwrap_or(b"");
    let digits = digits.trim_ascii();
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_hexdigit) {
        return Err(bad);
    }
    let digits = std::str::from_utf8(digits).map_err(|_| bad)?;
    // Valid hex that does not fit usize is simply too large.
    usize::from_str_radix(digits, 16).map_err(|_| TOO_LARGE)
}

/// Parses one whole request from the start of `bytes`, the pure form of
/// [`read_request`]: `Ok(None)` when more bytes are needed, else the request
/// and how many bytes of `bytes` it took (what follows is the next request
/// of a keep-alive connection).
///
/// ```
/// use qencode_cdn_emulator::http::{parse_request, HttpError};
/// let raw = b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n";
/// let (req, used) = parse_request(raw)?.expect("complete");
/// assert_eq!((req.body.as_slice(), used), (&b"hi"[..], raw.len()));
/// let overflow = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\nffffffffffffffff\r\n";
/// assert_eq!(parse_request(overflow).unwrap_err().status, 413);
/// # Ok::<(), HttpError>(())
/// ```
pub fn parse_request(bytes: &[u8]) -> Result<Option<(Request, usize)>, HttpError> {
    let Some((head, head_len)) = parse_head(bytes)? else {
        return Ok(None);
    };
    let Head {
        mut request, framing, ..
    } = head;
    let rest = &bytes[head_len..];
    match framing {
        Framing::Length(n) if rest.len() >= n => {
            request.body = rest[..n].to_vec();
            Ok(Some((request, head_len + n)))
        }
        Framing::Length(_) => Ok(None),
        Framing::Chunked => {
            let mut d = Dechunk::new();
            let used = d.feed(rest)?;
            if d.state != Chunk::Done {
                return Ok(None);
            }
            request.body = d.body;
            Ok(Some((request, head_len + used)))
        }
    }
}

/// Where [`read_request`] gets bytes from: a socket in the server, a slice
/// in tests and fuzzing.
pub trait Source {
    /// Appends at least one byte to `buf` and returns how many, or `Ok(0)` at
    /// the end of the stream. `started` says whether part of a request has
    /// already arrived (a socket applies the request deadline then, the idle
    /// deadline before). A deadline that passes is an error of kind
    /// `TimedOut` or `WouldBlock`.
    fn fill(&mut self, buf: &mut Vec<u8>, started: bool) -> io::Result<usize>;
    /// Sends `HTTP/1.1 100 Continue`.
    fn send_continue(&mut self) -> io::Result<()>;
}

/// Why [`read_request`] produced no request.
#[derive(Debug)]
pub enum ReadError {
    /// The peer closed (or the socket failed) between requests, or mid-request.
    Closed,
    /// No byte of a next request arrived in time: close without answering.
    Idle,
    /// A request started but did not arrive whole in time: answer 408.
    TimedOut,
    /// A bad request: answer with this, then close.
    Bad(HttpError),
}

impl From<HttpError> for ReadError {
    fn from(e: HttpError) -> Self {
        ReadError::Bad(e)
    }
}

fn fill(source: &mut dyn Source, buf: &mut Vec<u8>, started: bool) -> Result<(), ReadError> {
    match source.fill(buf, started) {
        Ok(0) => Err(ReadError::Closed),
        Ok(_) => Ok(()),
        Err(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => {
            Err(if started { ReadError::TimedOut } else { ReadError::Idle })
        }
        Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
        Err(_) => Err(ReadError::Closed),
    }
}

/// Reads the next request of a connection. `buf` holds bytes already read
/// (the start of this request, after the previous one) and keeps what
/// follows it.
pub fn read_request(source: &mut dyn Source, buf: &mut Vec<u8>) -> Result<Request, ReadError> {
    let (head, head_len) = loop {
        if !buf.is_empty() {
            if let Some(done) = parse_head(buf)? {
                break done;
            }
        }
        fill(source, buf, !buf.is_empty())?;
    };
    buf.drain(..head_len);
    let Head {
        mut request,
        framing,
        expect_continue,
    } = head;
    let needs_more = match framing {
        Framing::Length(n) => buf.len() < n,
        Framing::Chunked => true,
    };
    if expect_continue && needs_more {
        source.send_continue().map_err(|_| ReadError::Closed)?;
    }
    match framing {
        Framing::Length(n) => {
            while buf.len() < n {
                fill(source, buf, true)?;
            }
            request.body = buf.drain(..n).collect();
        }
        Framing::Chunked => {
            let mut d = Dechunk::new();
            loop {
                let used = d.feed(buf)?;
                buf.drain(..used);
                if d.state == Chunk::Done {
                    break;
                }
                fill(source, buf, true)?;
            }
            request.body = d.body;
        }
    }
    Ok(request)
}

/// A [`Source`] over byte pieces, delivered one per `fill` (tests, fuzzing).
#[derive(Debug)]
pub struct Pieces<'a> {
    pieces: std::collections::VecDeque<&'a [u8]>,
    /// How many times `100 Continue` was sent.
    pub continues: usize,
}

impl<'a> Pieces<'a> {
    /// `bytes` cut at `cuts` (offsets, in any order; out-of-range ones ignored).
    pub fn new(bytes: &'a [u8], cuts: &[usize]) -> Self {
        let mut cuts: Vec<usize> = cuts.iter().copied().filter(|c| *c > 0 && *c < bytes.len()).collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut pieces = std::collections::VecDeque::new();
        let mut start = 0;
        for c in cuts.into_iter().chain(std::iter::once(bytes.len())) {
            if c > start {
                pieces.push_back(&bytes[start..c]);
            }
            start = c;
        }
        Pieces { pieces, continues: 0 }
    }
}

impl Source for Pieces<'_> {
    fn fill(&mut self, buf: &mut Vec<u8>, _started: bool) -> io::Result<usize> {
        match self.pieces.pop_front() {
            Some(p) => {
                buf.extend_from_slice(p);
                Ok(p.len())
            }
            None => Ok(0),
        }
    }

    fn send_continue(&mut self) -> io::Result<()> {
        self.continues += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(raw: &[u8]) -> Result<Option<(Request, usize)>, HttpError> {
        parse_request(raw)
    }

    #[test]
    fn chunk_sizes_that_overflow_the_sum_are_413_at_once() {
        let raw = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\nffffffffffffffff\r\n";
        assert_eq!(whole(raw).unwrap_err().status, 413);
        // Seventeen hex digits: too large, not a parse error.
        let raw = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n";
        assert_eq!(whole(raw).unwrap_err().status, 413);
        // Just over the limit in one chunk, and summed over two.
        let one = format!(
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
            MAX_BODY + 1
        );
        assert_eq!(whole(one.as_bytes()).unwrap_err().status, 413);
        let two = format!(
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n{:x}\r\n",
            MAX_BODY
        );
        assert_eq!(whole(two.as_bytes()).unwrap_err().status, 413);
    }

    #[test]
    fn framing_refuses_smuggling_shapes() {
        let status = |raw: &str| whole(raw.as_bytes()).unwrap_err().status;
        assert_eq!(status("POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello"), 400);
        assert_eq!(
            status("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
            400
        );
        assert_eq!(
            status("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"),
            400
        );
        assert_eq!(
            status("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
            501
        );
        assert_eq!(
            status("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
            413
        );
        assert_eq!(
            status("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
            400
        );
        assert_eq!(
            status("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n"),
            400
        );
        // Repeated equal lengths are fine.
        let (r, _) = whole(b"POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi")
            .unwrap()
            .unwrap();
        assert_eq!(r.body, b"hi");
    }

    #[test]
    fn long_lines_and_heads_are_refused_without_waiting_for_more() {
        let mut raw = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1".to_vec();
        raw.extend(std::iter::repeat_n(b'0', MAX_LINE + 10));
        assert_eq!(whole(&raw).unwrap_err().status, 400);
        let mut head = b"GET / HTTP/1.1\r\nX: ".to_vec();
        head.extend(std::iter::repeat_n(b'a', MAX_HEAD + 1));
        assert_eq!(whole(&head).unwrap_err().status, 431);
    }

    #[test]
    fn pieces_give_the_same_request_as_the_whole_and_continue_is_sent_once() {
        let raw = b"POST /a?b=c HTTP/1.1\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\nGET /next HTTP/1.1\r\n\r\n";
        let (want, used) = whole(raw).unwrap().unwrap();
        assert_eq!(want.body, b"abcde");
        assert_eq!(want.query.as_deref(), Some("b=c"));
        for cut in 1..raw.len() {
            let mut src = Pieces::new(raw, &[cut, cut / 2, cut + 7]);
            let mut buf = Vec::new();
            let got = read_request(&mut src, &mut buf).unwrap();
            assert_eq!(got, want, "cut at {cut}");
            assert_eq!(src.continues, 1);
            // The next request is left in the buffer or the source.
            let next = read_request(&mut src, &mut buf).unwrap();
            assert_eq!(next.path, "/next");
        }
        assert!(used < raw.len());
    }
}
