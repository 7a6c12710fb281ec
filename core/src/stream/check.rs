//! `check_stream`: fetch a stream's manifest, walk its variants and first
//! segments, and add the edge's answer to each request's coverage.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use ureq::tls::{PemItem, RootCerts, TlsConfig, TlsProvider};
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};
use url::Url;

use super::coverage::{
    Context, CoverageOptions, FindingCode, RequestKind, StreamReport, StreamRequest, parse_entry, read_manifest,
};
use super::manifest::Manifest;
use crate::cookie::COOKIE_NAME;
use crate::error::{Error, Result};
use crate::options::{Fields, KeyStyle};
use crate::token::{Clock as _, SystemClock};
use crate::verify::Resource;

/// Media segments looked at per media playlist or representation unless asked otherwise.
pub const DEFAULT_SEGMENTS: usize = 3;

/// The most requests one check makes (a bound on what a manifest with many
/// variants makes it fetch).
const MAX_REQUESTS: usize = 300;
/// The largest manifest read.
const MAX_MANIFEST_BYTES: u64 = 8 * 1024 * 1024;
/// The most bytes of a segment read (the rest is not needed for the verdict).
const MAX_SEGMENT_BYTES: u64 = 64 * 1024 * 1024;

/// Options of [`check_stream`].
///
/// ```
/// use qencode_cdn::stream::StreamCheckOptions;
/// use std::time::Duration;
/// let o = StreamCheckOptions::new()
///     .cookie("Qencode-Auth-Token=h.p.s; Path=/videos/intro/")
///     .segments(2)
///     .connect_to("127.0.0.1:8443")
///     .origin("https://player.example.com")
///     .timeout(Duration::from_secs(5));
/// # let _ = o;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamCheckOptions {
    /// The cookie, segments, stream kind and clock of the coverage.
    pub coverage: CoverageOptions,
    /// Send every request to this `ADDR:PORT`, keeping the URL's host in
    /// `Host` and in TLS SNI (curl's `--connect-to`).
    pub connect_to: Option<String>,
    /// Send `Origin: …` as a player on that page would, and check each
    /// response's CORS headers against it.
    pub origin: Option<String>,
    /// Trust these PEM certificates instead of the system's store (curl's
    /// `--cacert`): an emulator's CA. TLS is verified either way.
    pub ca_pem: Option<Vec<u8>>,
    /// Time for each request; default 20 s.
    pub timeout: Duration,
    /// Add the entry URL's `auth` token to every request that has none, as
    /// the player request modifier of docs/streaming.md does (without it the
    /// check shows what a plain player does).
    pub propagate_token: bool,
}

impl Default for StreamCheckOptions {
    fn default() -> Self {
        StreamCheckOptions {
            coverage: CoverageOptions::default(),
            connect_to: None,
            origin: None,
            ca_pem: None,
            timeout: Duration::from_secs(20),
            propagate_token: false,
        }
    }
}

const CHECK_KEYS: [&str; 9] = [
    "cookie",
    "segments",
    "stream",
    "now",
    "connect_to",
    "origin",
    "ca_pem",
    "timeout",
    "propagate_token",
];

impl StreamCheckOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// The signed cookie the viewer holds (see [`super::StreamCookie`]).
    pub fn cookie(mut self, c: impl Into<String>) -> Self {
        self.coverage.cookie = Some(c.into());
        self
    }
    /// Media segments per media playlist or representation (1 to 50).
    pub fn segments(mut self, n: usize) -> Self {
        self.coverage.segments = Some(n);
        self
    }
    /// Every request to `ADDR:PORT` (the URL's host stays in `Host` and SNI).
    pub fn connect_to(mut self, addr: impl Into<String>) -> Self {
        self.connect_to = Some(addr.into());
        self
    }
    /// The player page's origin, for the CORS check.
    pub fn origin(mut self, o: impl Into<String>) -> Self {
        self.origin = Some(o.into());
        self
    }
    /// Trust these PEM certificates (instead of the system's store).
    pub fn ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_pem = Some(pem.into());
        self
    }
    /// Time for each request.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }
    /// Add the entry URL's token to every request (a player request modifier).
    pub fn propagate_token(mut self, on: bool) -> Self {
        self.propagate_token = on;
        self
    }

    /// From an object `{cookie?, segments?, stream?, now?, connect_to?,
    /// origin?, ca_pem? (PEM text), timeout? (seconds), propagate_token?}`
    /// spelled in `style`.
    ///
    /// ```
    /// use qencode_cdn::{KeyStyle, stream::StreamCheckOptions};
    /// let o = StreamCheckOptions::from_json(&serde_json::json!({"connectTo": "127.0.0.1:8080", "timeout": 5}), KeyStyle::Camel)?;
    /// assert_eq!(o.connect_to.as_deref(), Some("127.0.0.1:8080"));
    /// assert!(StreamCheckOptions::from_json(&serde_json::json!({"timeout": 0}), KeyStyle::Camel).is_err());
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn from_json(value: &Value, style: KeyStyle) -> Result<StreamCheckOptions> {
        let f = Fields::new(value, style, "stream check option", &CHECK_KEYS)?;
        let mut out = StreamCheckOptions {
            coverage: CoverageOptions::from_fields(&f)?,
            connect_to: f.string("connect_to")?.map(str::to_string),
            origin: f.string("origin")?.map(str::to_string),
            ca_pem: f.string("ca_pem")?.map(|s| s.as_bytes().to_vec()),
            propagate_token: f.bool("propagate_token")?.unwrap_or(false),
            ..Default::default()
        };
        if let Some(t) = f.seconds("timeout", true)? {
            if !(1..=3600).contains(&t) {
                return Err(Error::invalid_argument(format!(
                    "{} must be 1 to 3600 seconds, got {t}",
                    f.shown("timeout")
                )));
            }
            out.timeout = Duration::from_secs(t as u64);
        }
        Ok(out)
    }
}

/// Sends every connection to fixed addresses, whatever the URL's host.
#[derive(Debug)]
struct ConnectTo(Vec<SocketAddr>);

impl Resolver for ConnectTo {
    fn resolve(
        &self,
        _uri: &ureq::http::Uri,
        _config: &ureq::config::Config,
        _timeout: NextTimeout,
    ) -> std::result::Result<ResolvedSocketAddrs, ureq::Error> {
        let mut out = self.empty();
        for addr in self.0.iter().take(16) {
            out.push(*addr);
        }
        Ok(out)
    }
}

fn connect_to_addrs(spec: &str) -> Result<Vec<SocketAddr>> {
    let spec = spec.trim();
    let bad = || {
        Error::invalid_argument(format!(
            "connect_to `{}` is not ADDR:PORT (127.0.0.1:8443, [::1]:8443, localhost:8443)",
            spec.escape_debug()
        ))
    };
    if spec
        .rsplit_once(':')
        .is_none_or(|(h, p)| h.is_empty() || p.parse::<u16>().is_err())
    {
        return Err(bad());
    }
    let addrs: Vec<SocketAddr> = spec.to_socket_addrs().map_err(|_| bad())?.collect();
    if addrs.is_empty() {
        return Err(bad());
    }
    Ok(addrs)
}

fn agent(opts: &StreamCheckOptions) -> Result<ureq::Agent> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let roots = match &opts.ca_pem {
        None => RootCerts::PlatformVerifier,
        Some(pem) => {
            let mut certs = Vec::new();
            for item in ureq::tls::parse_pem(pem) {
                match item {
                    Ok(PemItem::Certificate(c)) => certs.push(c),
                    Ok(_) => {}
                    Err(_) => return Err(Error::invalid_argument("the CA file is not valid PEM")),
                }
            }
            if certs.is_empty() {
                return Err(Error::invalid_argument("the CA file holds no certificate"));
            }
            RootCerts::Specific(Arc::new(certs))
        }
    };
    let tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(roots)
        .unversioned_rustls_crypto_provider(provider)
        .build();
    let mut builder = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .timeout_global(Some(opts.timeout))
        .timeout_connect(Some(opts.timeout.min(Duration::from_secs(10))))
        .user_agent(format!("qencode-cdn/{} (stream check)", crate::VERSION))
        .tls_config(tls);
    match &opts.connect_to {
        Some(spec) => {
            let addrs = connect_to_addrs(spec)?;
            builder = builder.proxy(None);
            Ok(ureq::Agent::with_parts(
                builder.build(),
                DefaultConnector::default(),
                ConnectTo(addrs),
            ))
        }
        None => Ok(builder.build().new_agent()),
    }
}

fn transport_message(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(t) => format!("timed out ({t})"),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::ConnectionFailed => "connection failed".into(),
        ureq::Error::Io(io) if io.kind() == io::ErrorKind::ConnectionRefused => "connection refused".into(),
        ureq::Error::Io(io) => format!("I/O error: {}", io.kind()),
        ureq::Error::Tls(m) => format!("TLS: {m}"),
        ureq::Error::Rustls(r) => format!("TLS: {r}"),
        other => other.to_string(),
    }
}

/// The finding of a refusal from the edge's reason code (the emulator's
/// reason header starts with one).
fn finding_from_reason(reason: &str, resource: Option<&Resource>) -> FindingCode {
    let code = reason.split(':').next().unwrap_or("").trim();
    match code {
        "MISSING_TOKEN" => FindingCode::MissingToken,
        "TOKEN_EXPIRED" => FindingCode::TokenExpired,
        "TOKEN_NOT_YET_VALID" => FindingCode::TokenNotYetValid,
        "MALFORMED_TOKEN" => FindingCode::MalformedToken,
        "URI_MISMATCH" => match resource {
            Some(Resource::Live { .. }) => FindingCode::TokenWrongStream,
            _ => FindingCode::TokenWrongFolder,
        },
        _ => FindingCode::Refused,
    }
}

/// Whether a response lets a page at `origin` read it.
fn cors_verdict(
    resp: &ureq::http::Response<ureq::Body>,
    origin: &str,
    credentials: bool,
) -> Option<(FindingCode, String)> {
    let header = |n: &str| resp.headers().get(n).and_then(|v| v.to_str().ok()).map(str::trim);
    let Some(allowed) = header("access-control-allow-origin") else {
        return Some((
            FindingCode::CorsMissing,
            format!("no Access-Control-Allow-Origin in the response: a browser on {origin} cannot read it"),
        ));
    };
    if allowed != "*" && allowed != origin {
        return Some((
            FindingCode::CorsMissing,
            format!("Access-Control-Allow-Origin is `{allowed}`, not the player's origin {origin}"),
        ));
    }
    if credentials && allowed == "*" {
        return Some((
            FindingCode::CorsNoCredentials,
            "Access-Control-Allow-Origin is `*`, which browsers refuse for requests with cookies".into(),
        ));
    }
    if credentials && header("access-control-allow-credentials") != Some("true") {
        return Some((
            FindingCode::CorsNoCredentials,
            "no Access-Control-Allow-Credentials: true, which a request with cookies needs".into(),
        ));
    }
    None
}

struct Walk<'a> {
    ctx: Context,
    opts: &'a StreamCheckOptions,
    agent: ureq::Agent,
    report: StreamReport,
    /// The token sent as the cookie (when a browser would send it).
    cookie_token: Option<String>,
}

/// What one fetch gave.
enum Fetched {
    /// The body of a served manifest.
    Manifest(String),
    /// Served, body not kept.
    Served,
    /// Not served (or not read).
    Failed,
}

impl Walk<'_> {
    fn fetch(&mut self, url: &Url, kind: RequestKind, keep_body: bool) -> (StreamRequest, Fetched, Option<Error>) {
        let modified;
        let url = match (&self.ctx.entry_token, self.opts.propagate_token) {
            (Some(token), true) if !url.query_pairs().any(|(k, _)| k == crate::url::AUTH_PARAM) => {
                let mut u = url.clone();
                u.query_pairs_mut().append_pair(crate::url::AUTH_PARAM, token);
                modified = u;
                &modified
            }
            _ => url,
        };
        let mut r = self.ctx.judge(url, kind);
        let mut req = self.agent.get(url.as_str());
        if r.cookie_sent {
            if let Some(t) = &self.cookie_token {
                req = req.header("Cookie", format!("{COOKIE_NAME}={t}"));
            }
        }
        if let Some(o) = &self.opts.origin {
            req = req.header("Origin", o.as_str());
        }
        let resp = match req.call() {
            Ok(resp) => resp,
            Err(e) => {
                let message = transport_message(&e);
                r.ok = false;
                r.finding = Some(FindingCode::Transport);
                r.detail = format!("no answer from {}: {message}", url.host_str().unwrap_or(""));
                let err = match e {
                    ureq::Error::Timeout(_) => Error::Timeout(r.detail.clone()),
                    _ => Error::Transport(r.detail.clone()),
                };
                return (r, Fetched::Failed, Some(err));
            }
        };
        let status = resp.status().as_u16();
        r.status = Some(status);
        r.edge_reason = resp
            .headers()
            .get(super::REASON_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let cors = self
            .opts
            .origin
            .as_deref()
            .and_then(|o| cors_verdict(&resp, o, self.ctx.cookie.is_some()));
        let served = (200..300).contains(&status);
        if served {
            if !r.covered {
                r.detail = format!(
                    "served although not covered ({}: {}): the bucket or stream does not require a token",
                    r.finding.map(|f| f.as_str()).unwrap_or("no token"),
                    r.detail
                );
                r.finding = None;
            }
            r.ok = true;
        } else {
            r.ok = false;
            let reason = r.edge_reason.clone().unwrap_or_default();
            match status {
                401 | 403 => {
                    if r.finding.is_none() {
                        r.finding = Some(finding_from_reason(&reason, r.resource.as_ref()));
                        r.detail = format!("the edge refused ({status})");
                    }
                }
                404 => {
                    r.finding = Some(FindingCode::NotFound);
                    r.detail = "the edge has no such object or stream (404)".into();
                }
                300..=399 => {
                    let to = resp
                        .headers()
                        .get("location")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("?");
                    r.finding = Some(FindingCode::Redirect);
                    r.detail = format!("redirected ({status}) to {to}");
                }
                _ => {
                    r.finding = Some(FindingCode::HttpError);
                    r.detail = format!("the edge answered {status}");
                }
            }
            if !reason.is_empty() {
                r.detail.push_str(&format!("; edge: {reason}"));
            }
        }
        if let Some((code, why)) = cors {
            if r.ok {
                r.ok = false;
                r.finding = Some(code);
                r.detail = format!("{why} (the edge answered {status})");
            } else {
                r.detail
                    .push_str(&format!("; and {why}, so a player sees a network error, not {status}"));
            }
        }
        if !served {
            return (r, Fetched::Failed, None);
        }
        let mut body = resp.into_body();
        if keep_body {
            match body
                .with_config()
                .limit(MAX_MANIFEST_BYTES)
                .lossy_utf8(true)
                .read_to_string()
            {
                Ok(text) => (r, Fetched::Manifest(text), None),
                Err(e) => {
                    r.ok = false;
                    r.finding = Some(FindingCode::Transport);
                    r.detail = format!("the manifest could not be read: {}", transport_message(&e));
                    (r, Fetched::Failed, None)
                }
            }
        } else {
            let mut reader = body.with_config().limit(MAX_SEGMENT_BYTES).reader();
            match io::copy(&mut reader, &mut io::sink()) {
                Ok(_) => (r, Fetched::Served, None),
                Err(e) if e.to_string().contains("limit") => (r, Fetched::Served, None),
                Err(e) => {
                    r.ok = false;
                    r.finding = Some(FindingCode::Transport);
                    r.detail = format!("the body broke off: {}", e.kind());
                    (r, Fetched::Failed, None)
                }
            }
        }
    }

    fn budget_left(&self) -> bool {
        self.report.requests.len() < MAX_REQUESTS
    }

    /// Reads a served manifest body; on failure marks `r` and returns `None`.
    fn read(&mut self, url: &Url, text: &str, r: &mut StreamRequest) -> Option<Manifest> {
        match read_manifest(url, text, self.ctx.segments) {
            Ok(m) => {
                r.kind = m.format.kind();
                Some(m)
            }
            Err(why) => {
                r.ok = false;
                r.finding = Some(FindingCode::NotAManifest);
                r.detail = why;
                None
            }
        }
    }

    fn walk(&mut self, manifest: &Manifest) {
        for reference in &manifest.references {
            if !self.budget_left() {
                return;
            }
            let is_playlist = reference.kind == RequestKind::MediaPlaylist;
            let (mut r, fetched, _) = self.fetch(&reference.url, reference.kind, is_playlist);
            let child = match fetched {
                Fetched::Manifest(text) => self.read(&reference.url, &text, &mut r),
                _ => None,
            };
            if let Some(m) = &child {
                if let Some(w) = self.ctx.expiry_warning(&r, m) {
                    if !self.report.warnings.iter().any(|x| x.code == w.code) {
                        self.report.warnings.push(w);
                    }
                }
            }
            self.report.requests.push(r);
            if let Some(m) = child {
                // A media playlist leads to segments only; never recurse further.
                for seg in &m.references {
                    if !self.budget_left() {
                        return;
                    }
                    let (r, _, _) = self.fetch(&seg.url, seg.kind, false);
                    self.report.requests.push(r);
                }
            }
        }
    }
}

/// Fetches a stream the way a player does — the manifest at `url`, every
/// variant playlist of an HLS master, and the init segments, keys and first
/// N media segments of each media playlist or DASH representation — and
/// reports, for every request, which credential it carried, whether that
/// covers it ([`super::stream_coverage`]'s verdict) and what the edge
/// answered, with a [`FindingCode`] for each refusal and warnings for a
/// token that will expire during playback.
///
/// The query token goes only where the manifest's URLs carry it (unless
/// [`StreamCheckOptions::propagate_token`] plays the part of a player request
/// modifier: then the check shows what the documented recipe does); the
/// cookie goes where a browser would send it. Redirects are not followed. TLS is
/// always verified (against [`StreamCheckOptions::ca_pem`] when given).
///
/// Errors: a bad URL or option (INVALID_ARGUMENT), and no answer at all for
/// the entry URL (TRANSPORT, TIMEOUT); every later failure is a request of
/// the report.
pub fn check_stream(url: &str, opts: &StreamCheckOptions) -> Result<StreamReport> {
    let entry = parse_entry(url)?;
    let ctx = Context::new(&entry, &opts.coverage, SystemClock.now_unix())?;
    let agent = agent(opts)?;
    let cookie_token = ctx.cookie.as_ref().map(|c| c.token.clone());
    let mut walk = Walk {
        report: StreamReport {
            url: url.trim().to_string(),
            format: None,
            stream: ctx.stream,
            fetched: true,
            requests: vec![],
            findings: vec![],
            warnings: vec![],
            ok: false,
        },
        ctx,
        opts,
        agent,
        cookie_token,
    };
    let (mut first, fetched, error) = walk.fetch(&entry, RequestKind::Manifest, true);
    if let Some(e) = error {
        return Err(e);
    }
    let manifest = match fetched {
        Fetched::Manifest(text) => walk.read(&entry, &text, &mut first),
        _ => None,
    };
    if let Some(m) = &manifest {
        walk.report.format = Some(m.format);
        if let Some(w) = walk.ctx.expiry_warning(&first, m) {
            walk.report.warnings.push(w);
        }
    }
    walk.report.requests.push(first);
    if let Some(m) = manifest {
        if m.format == super::ManifestFormat::HlsMedia || m.format == super::ManifestFormat::Dash {
            for seg in &m.references {
                if !walk.budget_left() {
                    break;
                }
                let (r, _, _) = walk.fetch(&seg.url, seg.kind, false);
                walk.report.requests.push(r);
            }
        } else {
            walk.walk(&m);
        }
    }
    walk.report.finish();
    Ok(walk.report)
}
