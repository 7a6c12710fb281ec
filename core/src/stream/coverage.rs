//! Which token covers each request of a stream, without any HTTP.

use std::fmt;

use percent_encoding::percent_decode_str;
use serde::Serialize;
use serde_json::Value;
use url::Url;

use super::manifest::{self, Manifest};
use super::{LiveHost, live_stream_of_path};
use crate::cookie::COOKIE_NAME;
use crate::error::{Error, Result};
use crate::options::{Fields, KeyStyle};
use crate::token::{Clock as _, SystemClock};
use crate::url::{AUTH_PARAM, KNOWN_REGIONS, QENCODE_DOMAIN, validate_token_chars};
use crate::verify::{Resource, decode_unverified};

/// What kind of request a player makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// The URL the check started from, before it was read.
    Manifest,
    /// An HLS master playlist (lists variants).
    MasterPlaylist,
    /// An HLS media playlist (a variant or rendition; lists segments).
    MediaPlaylist,
    /// A DASH MPD.
    Mpd,
    /// An initialization segment (`EXT-X-MAP`, DASH `initialization`).
    InitSegment,
    /// A media segment.
    MediaSegment,
    /// An HLS `EXT-X-KEY` URI.
    Key,
}

impl RequestKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Manifest => "manifest",
            RequestKind::MasterPlaylist => "master_playlist",
            RequestKind::MediaPlaylist => "media_playlist",
            RequestKind::Mpd => "mpd",
            RequestKind::InitSegment => "init_segment",
            RequestKind::MediaSegment => "media_segment",
            RequestKind::Key => "key",
        }
    }
}

/// What a manifest turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ManifestFormat {
    /// An HLS master (multivariant) playlist.
    HlsMaster,
    /// An HLS media playlist.
    HlsMedia,
    /// A DASH MPD.
    Dash,
}

impl ManifestFormat {
    fn request_kind(self) -> RequestKind {
        match self {
            ManifestFormat::HlsMaster => RequestKind::MasterPlaylist,
            ManifestFormat::HlsMedia => RequestKind::MediaPlaylist,
            ManifestFormat::Dash => RequestKind::Mpd,
        }
    }
}

/// Whether a stream's requests are read as a live stream or as objects of a
/// bucket. The default hosts say it themselves; on a custom domain it is read
/// from the entry URL (as `explain` does) unless given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamKind {
    /// A live stream (token `uri` = playback id).
    Live,
    /// Objects in a media storage bucket (token `uri` = key prefix).
    Storage,
}

/// Which credential the edge takes for a request: the `auth` query
/// parameter when there is one, else the `Qencode-Auth-Token` cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Carrier {
    /// The `auth` query parameter of the request's own URL.
    Query,
    /// The signed cookie.
    Cookie,
}

/// Why a request of a stream is (or would be) refused, as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FindingCode {
    /// The manifest URL carries the token in its query, and this request's
    /// URL (relative in the manifest) does not: the token did not follow.
    QueryTokenNotPropagated,
    /// No token at all: no `auth` parameter and no cookie.
    MissingToken,
    /// The cookie's token covers one file (the manifest), not the folder
    /// the stream's other requests are in; or its `Path` is that one file.
    CookieSingleFile,
    /// The cookie's `Path` does not cover this request's path.
    CookiePathMismatch,
    /// The cookie's `Domain` does not match this request's host.
    CookieDomainMismatch,
    /// The cookie is `Secure` and the request is plain `http://`.
    CookieNeedsHttps,
    /// The token's `uri` is a folder or prefix that does not hold this key.
    TokenWrongFolder,
    /// The token's `uri` names another live stream.
    TokenWrongStream,
    /// The token has expired.
    TokenExpired,
    /// The token is not valid yet (`nbf`).
    TokenNotYetValid,
    /// The token cannot be read.
    MalformedToken,
    /// The path is part of no live stream (see [`super::live_stream_of_path`]).
    OutsideStream,
    /// The edge refused for a reason the coverage cannot see (signature,
    /// unknown key id); its reason is in the request's detail.
    Refused,
    /// The edge answered 404.
    NotFound,
    /// The edge answered another non-2xx status.
    HttpError,
    /// No answer: DNS, connection, TLS, timeout.
    Transport,
    /// The response has no `Access-Control-Allow-Origin` for the player's
    /// origin: a browser hides it from the player.
    CorsMissing,
    /// The request carries the cookie (a player with `withCredentials`), and
    /// the response does not allow credentials (`Access-Control-Allow-Origin: *`
    /// or no `Access-Control-Allow-Credentials: true`).
    CorsNoCredentials,
    /// The body of a manifest is neither HLS nor DASH.
    NotAManifest,
    /// The edge answered with a redirect, which the check does not follow.
    Redirect,
}

impl FindingCode {
    /// The snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingCode::QueryTokenNotPropagated => "query_token_not_propagated",
            FindingCode::MissingToken => "missing_token",
            FindingCode::CookieSingleFile => "cookie_single_file",
            FindingCode::CookiePathMismatch => "cookie_path_mismatch",
            FindingCode::CookieDomainMismatch => "cookie_domain_mismatch",
            FindingCode::CookieNeedsHttps => "cookie_needs_https",
            FindingCode::TokenWrongFolder => "token_wrong_folder",
            FindingCode::TokenWrongStream => "token_wrong_stream",
            FindingCode::TokenExpired => "token_expired",
            FindingCode::TokenNotYetValid => "token_not_yet_valid",
            FindingCode::MalformedToken => "malformed_token",
            FindingCode::OutsideStream => "outside_stream",
            FindingCode::Refused => "refused",
            FindingCode::NotFound => "not_found",
            FindingCode::HttpError => "http_error",
            FindingCode::Transport => "transport",
            FindingCode::CorsMissing => "cors_missing",
            FindingCode::CorsNoCredentials => "cors_no_credentials",
            FindingCode::NotAManifest => "not_a_manifest",
            FindingCode::Redirect => "redirect",
        }
    }

    /// What it means and how to fix it, in one paragraph (the summary of a
    /// report; docs/streaming.md has the recipes).
    pub fn advice(self) -> &'static str {
        match self {
            FindingCode::QueryTokenNotPropagated => {
                "the token is in the manifest URL's query, and relative URLs in the manifest do not carry a query: \
                 players request variants and segments without it. Add the token to every request with a player \
                 request modifier (hls.js xhrSetup, dash.js addRequestInterceptor), or use the signed cookie"
            }
            FindingCode::MissingToken => "the request carries no token: sign the URL or set the signed cookie",
            FindingCode::CookieSingleFile => {
                "the cookie's token covers a single file, but the player requests the other files of the folder with \
                 the same cookie: sign the folder of the master playlist (uri `videos/intro/`) and set the cookie's \
                 Path to that folder"
            }
            FindingCode::CookiePathMismatch => {
                "the browser does not send the cookie here: its Path does not cover this request's path; set Path to \
                 the folder that holds the master playlist and every segment"
            }
            FindingCode::CookieDomainMismatch => {
                "the browser does not send the cookie to this host: set the cookie for the application's primary \
                 domain (Domain=example.com) and play through a custom domain under it (media.example.com)"
            }
            FindingCode::CookieNeedsHttps => {
                "the cookie is Secure and the request is plain http: browsers send it over https only"
            }
            FindingCode::TokenWrongFolder => {
                "the token's uri is a key prefix that does not hold this object: sign the folder of the master playlist"
            }
            FindingCode::TokenWrongStream => "the token's uri names another live stream: sign the stream's playback id",
            FindingCode::TokenExpired => {
                "the token has expired; for sessions longer than a token's lifetime, refresh it (docs/streaming.md)"
            }
            FindingCode::TokenNotYetValid => "the token's nbf is in the future",
            FindingCode::MalformedToken => "the token cannot be read as a JWT",
            FindingCode::OutsideStream => "the path belongs to no live stream under the edge's URL model",
            FindingCode::Refused => "the edge refused for a reason the manifest cannot show (signature, key id)",
            FindingCode::NotFound => "the edge has no such object or stream",
            FindingCode::HttpError => "the edge answered an error status",
            FindingCode::Transport => "no answer from the edge",
            FindingCode::CorsMissing => {
                "the response does not allow the player's origin: set the bucket's CORS policy \
                 (Access-Control-Allow-Origin: the player's origin)"
            }
            FindingCode::CorsNoCredentials => {
                "a player sending the cookie (withCredentials) needs Access-Control-Allow-Origin set to its own origin \
                 (not *) and Access-Control-Allow-Credentials: true in the bucket's CORS policy"
            }
            FindingCode::NotAManifest => "the body is neither an HLS playlist nor a DASH MPD",
            FindingCode::Redirect => "the edge redirected; the check does not follow redirects",
        }
    }
}

impl fmt::Display for FindingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something that does not refuse a request now but will cut playback.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreamWarning {
    /// `token_expires_during_playback`.
    pub code: String,
    /// In words.
    pub message: String,
}

/// The signed cookie a viewer holds, as given to the check: a bare token,
/// `Qencode-Auth-Token=…`, a `Cookie` header holding it, or a `Set-Cookie`
/// value whose `Path`, `Domain` and `Secure` are then applied as a browser
/// applies them (without them the cookie is sent with every request, as
/// `curl --cookie` sends it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StreamCookie {
    /// The token.
    #[serde(skip)]
    pub token: String,
    /// `Path`, if given.
    pub path: Option<String>,
    /// `Domain`, if given (without a leading `.`, lowercase).
    pub domain: Option<String>,
    /// `Secure`.
    pub secure: bool,
}

/// Why a cookie is not sent with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NotSent {
    Path,
    Domain,
    Insecure,
}

impl StreamCookie {
    /// Reads a cookie as [`StreamCookie`] describes. Errors (INVALID_ARGUMENT):
    /// no `Qencode-Auth-Token` pair, a token that is not a compact JWT.
    ///
    /// ```
    /// use qencode_cdn::stream::StreamCookie;
    /// let c = StreamCookie::parse("Qencode-Auth-Token=h.p.s; Domain=.example.com; Path=/videos/intro/; Secure; HttpOnly")?;
    /// assert_eq!((c.domain.as_deref(), c.path.as_deref(), c.secure), (Some("example.com"), Some("/videos/intro/"), true));
    /// assert_eq!(StreamCookie::parse("h.p.s")?.token, "h.p.s");
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn parse(input: &str) -> Result<StreamCookie> {
        let input = input.trim();
        let input = input
            .strip_prefix("Set-Cookie:")
            .or_else(|| input.strip_prefix("Cookie:"))
            .map(str::trim)
            .unwrap_or(input);
        if !input.contains('=') {
            validate_token_chars(input)?;
            return Ok(StreamCookie {
                token: input.to_string(),
                path: None,
                domain: None,
                secure: false,
            });
        }
        let mut out = StreamCookie {
            token: String::new(),
            path: None,
            domain: None,
            secure: false,
        };
        let mut found = false;
        for part in input.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = match part.split_once('=') {
                Some((n, v)) => (n.trim(), v.trim()),
                None => (part, ""),
            };
            match name.to_ascii_lowercase().as_str() {
                "path" => out.path = Some(value.to_string()),
                "domain" => out.domain = Some(value.trim_start_matches('.').to_ascii_lowercase()),
                "secure" => out.secure = true,
                "httponly" | "samesite" | "max-age" | "expires" | "partitioned" | "priority" => {}
                _ if name == COOKIE_NAME && !found => {
                    found = true;
                    out.token = value.trim_matches('"').to_string();
                }
                _ => {}
            }
        }
        if !found {
            return Err(Error::invalid_argument(format!(
                "the cookie holds no `{COOKIE_NAME}=…` pair"
            )));
        }
        validate_token_chars(&out.token)
            .map_err(|_| Error::invalid_argument(format!("the `{COOKIE_NAME}` cookie's value is not a compact JWT")))?;
        if let Some(p) = &out.path {
            if !p.starts_with('/') {
                return Err(Error::invalid_argument("the cookie's Path must start with `/`"));
            }
        }
        Ok(out)
    }

    /// Whether a browser sends this cookie with a request for `url`.
    fn sent_to(&self, url: &Url) -> std::result::Result<(), NotSent> {
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        if let Some(d) = &self.domain {
            if host != *d && !host.ends_with(&format!(".{d}")) {
                return Err(NotSent::Domain);
            }
        }
        if let Some(p) = &self.path {
            if !path_matches(url.path(), p) {
                return Err(NotSent::Path);
            }
        }
        if self.secure && url.scheme() != "https" {
            return Err(NotSent::Insecure);
        }
        Ok(())
    }
}

/// RFC 6265 §5.1.4 path-match.
fn path_matches(request: &str, cookie: &str) -> bool {
    request == cookie
        || (request.starts_with(cookie) && (cookie.ends_with('/') || request[cookie.len()..].starts_with('/')))
}

/// Options of [`stream_coverage`] (and the coverage part of a check).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoverageOptions {
    /// The signed cookie the viewer holds (see [`StreamCookie`]).
    pub cookie: Option<String>,
    /// How many media segments of each media playlist or representation to
    /// list; default [`super::DEFAULT_SEGMENTS`].
    pub segments: Option<usize>,
    /// Read the stream as live or storage (only matters on a custom domain).
    pub stream: Option<StreamKind>,
    /// Judge token times as if it were this Unix second (default: now).
    pub now: Option<i64>,
}

const COVERAGE_KEYS: [&str; 4] = ["cookie", "segments", "stream", "now"];

impl CoverageOptions {
    /// From an object `{cookie?, segments?, stream? ("live" | "storage"), now?}`
    /// spelled in `style` (the bindings' option objects).
    ///
    /// ```
    /// use qencode_cdn::{KeyStyle, stream::CoverageOptions};
    /// let o = CoverageOptions::from_json(&serde_json::json!({"segments": 2, "stream": "storage"}), KeyStyle::Snake)?;
    /// assert_eq!(o.segments, Some(2));
    /// assert!(CoverageOptions::from_json(&serde_json::json!({"segment": 2}), KeyStyle::Snake).is_err());
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn from_json(value: &Value, style: KeyStyle) -> Result<CoverageOptions> {
        let f = Fields::new(value, style, "stream option", &COVERAGE_KEYS)?;
        Self::from_fields(&f)
    }

    pub(crate) fn from_fields(f: &Fields<'_>) -> Result<CoverageOptions> {
        let segments = match f.seconds("segments", true)? {
            None => None,
            Some(n) if (1..=MAX_SEGMENTS as i64).contains(&n) => Some(n as usize),
            Some(n) => {
                return Err(Error::invalid_argument(format!(
                    "{} must be 1 to {MAX_SEGMENTS}, got {n}",
                    f.shown("segments")
                )));
            }
        };
        let stream = match f.string("stream")? {
            None => None,
            Some("live") => Some(StreamKind::Live),
            Some("storage") => Some(StreamKind::Storage),
            Some(other) => {
                return Err(Error::invalid_argument(format!(
                    "{} must be \"live\" or \"storage\", got `{}`",
                    f.shown("stream"),
                    other.escape_debug()
                )));
            }
        };
        Ok(CoverageOptions {
            cookie: f.string("cookie")?.map(str::to_string),
            segments,
            stream,
            now: f.seconds("now", true)?,
        })
    }
}

/// The most media segments per playlist or representation a check lists.
pub(crate) const MAX_SEGMENTS: usize = 50;

/// One request of a stream: which credential it carries, whether that
/// covers it, and (after a fetch) what the edge answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreamRequest {
    /// The URL as the player requests it (relative URIs resolved).
    pub url: String,
    /// What it is.
    pub kind: RequestKind,
    /// What the edge checks the token against, when the URL is an edge URL.
    pub resource: Option<Resource>,
    /// The URL has an `auth` query parameter.
    pub token_in_query: bool,
    /// The browser would send the signed cookie with it.
    pub cookie_sent: bool,
    /// The credential the edge takes (query first, then cookie).
    pub carrier: Option<Carrier>,
    /// The token `uri` of that credential.
    pub token_uri: Option<String>,
    /// That credential covers the resource and is within its validity.
    pub covered: bool,
    /// Why not, as a code (also set for a CORS failure after a fetch).
    pub finding: Option<FindingCode>,
    /// In words.
    pub detail: String,
    /// The edge's HTTP status (after a fetch).
    pub status: Option<u16>,
    /// The edge's reason header (the emulator's `X-Qencode-Emulator-Reason`).
    pub edge_reason: Option<String>,
    /// The request is (coverage) or was (fetch) served, CORS included.
    pub ok: bool,
}

impl StreamRequest {
    /// The path and query of the URL, the token's value left out.
    pub fn shown_path(&self) -> String {
        match Url::parse(&self.url) {
            Ok(u) => path_without_token(&u),
            Err(_) => self.url.clone(),
        }
    }
}

/// The path and query of `u`, the `auth` value shown as `…`.
fn path_without_token(u: &Url) -> String {
    let mut out = u.path().to_string();
    if let Some(q) = u.query() {
        let parts: Vec<String> = q
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) if k == AUTH_PARAM => format!("{AUTH_PARAM}=…"),
                _ => p.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&parts.join("&"));
    }
    out
}

/// Every request of a stream that a check looked at, with a verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreamReport {
    /// The entry URL.
    pub url: String,
    /// What the entry manifest is, when it could be read.
    pub format: Option<ManifestFormat>,
    /// Live or storage.
    pub stream: StreamKind,
    /// Whether the requests were fetched ([`super::check_stream`]) or only
    /// judged from manifest text ([`stream_coverage`]).
    pub fetched: bool,
    /// The requests in the order a player makes them.
    pub requests: Vec<StreamRequest>,
    /// The distinct findings, in the order first met.
    pub findings: Vec<FindingCode>,
    /// What will cut playback later.
    pub warnings: Vec<StreamWarning>,
    /// Every request is (or would be) served.
    pub ok: bool,
}

impl StreamReport {
    /// The report as a JSON document (findings with their advice).
    pub fn to_json(&self) -> String {
        self.to_value().to_string()
    }

    /// The report as a JSON value: the fields, plus `advice` (finding code →
    /// what it means and how to fix it) and `refused` (how many requests are
    /// not served).
    pub fn to_value(&self) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            let advice: serde_json::Map<String, Value> = self
                .findings
                .iter()
                .map(|f| (f.as_str().to_string(), Value::String(f.advice().to_string())))
                .collect();
            m.insert("advice".into(), Value::Object(advice));
            m.insert(
                "refused".into(),
                Value::from(self.requests.iter().filter(|r| !r.ok).count()),
            );
        }
        v
    }

    pub(crate) fn finish(&mut self) {
        self.findings.clear();
        for r in &self.requests {
            if let Some(f) = r.finding {
                if !self.findings.contains(&f) {
                    self.findings.push(f);
                }
            }
        }
        self.ok = self.requests.iter().all(|r| r.ok);
    }
}

impl fmt::Display for StreamReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = match self.format {
            Some(ManifestFormat::HlsMaster | ManifestFormat::HlsMedia) => "HLS",
            Some(ManifestFormat::Dash) => "DASH",
            None => "unread",
        };
        let stream = match self.stream {
            StreamKind::Live => "live stream",
            StreamKind::Storage => "storage",
        };
        let shown = match Url::parse(&self.url) {
            Ok(u) => format!(
                "{}://{}{}",
                u.scheme(),
                u.host_str().unwrap_or(""),
                path_without_token(&u)
            ),
            Err(_) => self.url.clone(),
        };
        writeln!(
            f,
            "{}: {shown} ({format}, {stream})",
            if self.ok { "SERVED" } else { "REFUSED" }
        )?;
        let rows: Vec<[String; 6]> = self
            .requests
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let status = match (r.status, self.fetched) {
                    (Some(s), _) => s.to_string(),
                    (None, true) => "-".into(),
                    (None, false) => if r.ok { "ok" } else { "refuse" }.into(),
                };
                let auth = match r.carrier {
                    Some(Carrier::Query) => "query",
                    Some(Carrier::Cookie) => "cookie",
                    None => "none",
                };
                let covered = if r.covered { "yes" } else { "no" };
                let finding = r.finding.map(|c| c.as_str()).unwrap_or("");
                [
                    (i + 1).to_string(),
                    r.kind.as_str().to_string(),
                    status,
                    format!("{auth}/{covered}"),
                    r.shown_path(),
                    finding.to_string(),
                ]
            })
            .collect();
        let head = [
            "#",
            "KIND",
            if self.fetched { "STATUS" } else { "VERDICT" },
            "TOKEN/COVERS",
            "PATH",
            "FINDING",
        ];
        let mut widths = head.map(str::len);
        for row in &rows {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |cells: [&str; 6]| -> String {
            let parts: Vec<String> = cells.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
            format!("  {}", parts.join("  ").trim_end())
        };
        writeln!(f, "{}", line(head))?;
        for row in &rows {
            writeln!(f, "{}", line([&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]]))?;
        }
        for code in &self.findings {
            let n = self.requests.iter().filter(|r| r.finding == Some(*code)).count();
            let first = self.requests.iter().find(|r| r.finding == Some(*code));
            writeln!(f, "{code} ({n} request{}):", if n == 1 { "" } else { "s" })?;
            if let Some(r) = first {
                writeln!(f, "  {}", r.detail)?;
            }
            writeln!(f, "  fix: {}", code.advice())?;
        }
        for w in &self.warnings {
            writeln!(f, "warning {}: {}", w.code, w.message)?;
        }
        let refused = self.requests.iter().filter(|r| !r.ok).count();
        if refused == 0 {
            writeln!(f, "all {} requests served", self.requests.len())
        } else {
            writeln!(f, "{refused} of {} requests refused", self.requests.len())
        }
    }
}

fn blank(kind: RequestKind) -> StreamRequest {
    StreamRequest {
        url: String::new(),
        kind,
        resource: None,
        token_in_query: false,
        cookie_sent: false,
        carrier: None,
        token_uri: None,
        covered: false,
        finding: None,
        detail: String::new(),
        status: None,
        edge_reason: None,
        ok: false,
    }
}

/// What a check knows about the stream before looking at one request.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    /// The token of the entry URL's query.
    pub entry_token: Option<String>,
    /// The entry URL's key (storage) or playback id (live), for the
    /// single-file diagnosis.
    pub entry_resource: Option<Resource>,
    pub stream: StreamKind,
    pub cookie: Option<StreamCookie>,
    pub now: i64,
    pub segments: usize,
}

fn query_token(url: &Url) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == AUTH_PARAM)
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

fn storage_key(url: &Url) -> String {
    let path = url.path();
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    decoded.strip_prefix('/').unwrap_or(&decoded).to_string()
}

/// The resource the edge checks for `url`, or why it checks none.
pub(crate) fn resource_of(url: &Url, stream: StreamKind) -> std::result::Result<Resource, String> {
    let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
        return Err("the URL has no host".into());
    };
    if matches!(url.host(), Some(url::Host::Ipv4(_) | url::Host::Ipv6(_))) {
        return Err(format!("`{host}` is an IP address, not an edge host"));
    }
    if let Some(sub) = host.strip_suffix(&format!(".{QENCODE_DOMAIN}")) {
        if let Some(pid) = sub.strip_prefix("play-") {
            return live_stream_of_path(LiveHost::Default { playback_id: pid }, url.path())
                .map(Resource::live)
                .ok_or_else(|| {
                    format!(
                        "`{}` is not part of a live stream: only paths under {} belong to one",
                        url.path(),
                        super::LIVE_MEDIA_ROOT
                    )
                });
        }
        if let Some((_, region)) = sub.split_once(".media-storage.") {
            if KNOWN_REGIONS.contains(&region) {
                return Ok(Resource::storage(storage_key(url)));
            }
        }
    }
    match stream {
        StreamKind::Storage => Ok(Resource::storage(storage_key(url))),
        StreamKind::Live => live_stream_of_path(LiveHost::CustomDomain, url.path())
            .map(Resource::live)
            .ok_or_else(|| {
                format!(
                    "`{}` is not part of a live stream: on a live custom domain only /{{playback_id}}.m3u8 and paths under /{{playback_id}}/ are",
                    url.path()
                )
            }),
    }
}

/// The kind of stream an entry URL opens: the default hosts say it; on a
/// custom domain `/{id}.m3u8` is live unless the token's `uri` reads as a
/// storage prefix of it (the reading of `explain`).
fn stream_kind_of(url: &Url, token: Option<&str>) -> StreamKind {
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    if let Some(sub) = host.strip_suffix(&format!(".{QENCODE_DOMAIN}")) {
        if sub.starts_with("play-") {
            return StreamKind::Live;
        }
        if sub.contains(".media-storage.") {
            return StreamKind::Storage;
        }
    }
    let uri = token.and_then(|t| decode_unverified(t).ok()).map(|(_, c)| c.uri);
    let path = url.path();
    match live_stream_of_path(LiveHost::CustomDomain, path) {
        Some(pid) if path == format!("/{pid}.m3u8") => {
            let key = storage_key(url);
            match uri {
                Some(u) if u != pid && key.starts_with(&u) => StreamKind::Storage,
                _ => StreamKind::Live,
            }
        }
        Some(pid) if uri.as_deref() == Some(pid.as_str()) => StreamKind::Live,
        _ => StreamKind::Storage,
    }
}

impl Context {
    pub(crate) fn new(entry: &Url, opts: &CoverageOptions, now: i64) -> Result<Context> {
        let entry_token = query_token(entry);
        let stream = opts
            .stream
            .unwrap_or_else(|| stream_kind_of(entry, entry_token.as_deref()));
        let cookie = opts.cookie.as_deref().map(StreamCookie::parse).transpose()?;
        Ok(Context {
            entry_resource: resource_of(entry, stream).ok(),
            entry_token,
            stream,
            cookie,
            now: opts.now.unwrap_or(now),
            segments: opts.segments.unwrap_or(super::DEFAULT_SEGMENTS),
        })
    }

    /// Whether `uri` names one file of this stream rather than a folder.
    fn is_single_file(&self, uri: &str) -> bool {
        if uri.is_empty() || uri.ends_with('/') {
            return false;
        }
        let is_entry = matches!(&self.entry_resource, Some(Resource::Storage { key }) if key == uri);
        let last = uri.rsplit('/').next().unwrap_or(uri);
        is_entry || last.contains('.')
    }

    /// The coverage of one request.
    pub(crate) fn judge(&self, url: &Url, kind: RequestKind) -> StreamRequest {
        let mut r = StreamRequest {
            url: url.as_str().to_string(),
            ..blank(kind)
        };
        let resource = match resource_of(url, self.stream) {
            Ok(res) => res,
            Err(why) => {
                r.finding = Some(FindingCode::OutsideStream);
                r.detail = why;
                return r;
            }
        };
        r.resource = Some(resource.clone());
        let query = query_token(url);
        r.token_in_query = query.is_some();
        let cookie_state = self.cookie.as_ref().map(|c| (c, c.sent_to(url)));
        r.cookie_sent = matches!(cookie_state, Some((_, Ok(()))));
        let (token, carrier) = match (&query, &cookie_state) {
            (Some(t), _) => (t.clone(), Carrier::Query),
            (None, Some((c, Ok(())))) => (c.token.clone(), Carrier::Cookie),
            (None, Some((c, Err(why)))) => {
                let (code, detail) = match why {
                    NotSent::Path => {
                        let path = c.path.as_deref().unwrap_or("/");
                        let single = !path.ends_with('/') && path.rsplit('/').next().is_some_and(|l| l.contains('.'));
                        (
                            if single {
                                FindingCode::CookieSingleFile
                            } else {
                                FindingCode::CookiePathMismatch
                            },
                            format!(
                                "the cookie's Path `{path}` does not cover `{}`, so the browser does not send it{}",
                                url.path(),
                                if single { " (the Path is a single file)" } else { "" }
                            ),
                        )
                    }
                    NotSent::Domain => (
                        FindingCode::CookieDomainMismatch,
                        format!(
                            "the cookie's Domain `{}` does not match the host `{}`, so the browser does not send it",
                            c.domain.as_deref().unwrap_or(""),
                            url.host_str().unwrap_or("")
                        ),
                    ),
                    NotSent::Insecure => (
                        FindingCode::CookieNeedsHttps,
                        "the cookie is Secure and the request is plain http, so the browser does not send it".into(),
                    ),
                };
                r.finding = Some(code);
                r.detail = detail;
                return r;
            }
            (None, None) => {
                if self.entry_token.is_some() {
                    r.finding = Some(FindingCode::QueryTokenNotPropagated);
                    r.detail = "no `auth` in this URL: the manifest's query token does not follow to a relative URL, and there is no cookie".into();
                } else {
                    r.finding = Some(FindingCode::MissingToken);
                    r.detail = "no `auth` query parameter and no cookie".into();
                }
                return r;
            }
        };
        r.carrier = Some(carrier);
        let claims = match decode_unverified(&token) {
            Ok((_, claims)) => claims,
            Err(e) => {
                r.finding = Some(FindingCode::MalformedToken);
                r.detail = e.message();
                return r;
            }
        };
        r.token_uri = Some(claims.uri.clone());
        let via = match carrier {
            Carrier::Query => "the query token",
            Carrier::Cookie => "the cookie's token",
        };
        if !claims.covers(&resource) {
            let (code, detail) = match &resource {
                Resource::Live { playback_id } => (
                    FindingCode::TokenWrongStream,
                    format!(
                        "{via} covers `{}`, this request belongs to live stream `{playback_id}`",
                        claims.uri.escape_debug()
                    ),
                ),
                Resource::Storage { key } => {
                    let single = carrier == Carrier::Cookie && self.is_single_file(&claims.uri);
                    (
                        if single {
                            FindingCode::CookieSingleFile
                        } else {
                            FindingCode::TokenWrongFolder
                        },
                        format!(
                            "{via} covers `{}`{}, not `{key}`",
                            claims.uri.escape_debug(),
                            if single { " (one file)" } else { "" }
                        ),
                    )
                }
            };
            r.finding = Some(code);
            r.detail = detail;
            return r;
        }
        if let Some(nbf) = claims.nbf.filter(|nbf| self.now < *nbf) {
            r.finding = Some(FindingCode::TokenNotYetValid);
            r.detail = format!(
                "{via} is valid from {} ({})",
                crate::time::utc(nbf),
                crate::time::relative(nbf - self.now)
            );
            return r;
        }
        if let Some(exp) = claims.exp.filter(|exp| self.now > *exp) {
            r.finding = Some(FindingCode::TokenExpired);
            r.detail = format!(
                "{via} expired {} ({})",
                crate::time::relative(exp - self.now),
                crate::time::utc(exp)
            );
            return r;
        }
        r.covered = true;
        r.ok = true;
        r.detail = format!("covered by {via} (uri `{}`)", claims.uri.escape_debug());
        r
    }

    /// A warning when the credential of `request` expires before playback of
    /// `manifest` can end.
    pub(crate) fn expiry_warning(&self, request: &StreamRequest, manifest: &Manifest) -> Option<StreamWarning> {
        if !request.covered {
            return None;
        }
        let token = match request.carrier? {
            Carrier::Query => Url::parse(&request.url).ok().and_then(|u| query_token(&u))?,
            Carrier::Cookie => self.cookie.as_ref()?.token.clone(),
        };
        let exp = decode_unverified(&token).ok()?.1.exp?;
        let left = exp - self.now;
        let live = manifest.live.unwrap_or(self.stream == StreamKind::Live);
        let message = if live {
            format!(
                "the token expires {} ({}), and a live session goes on past it: from then on every playlist and \
                 segment request is refused and playback stops. Refresh the token before it expires \
                 (docs/streaming.md, \"Long sessions\")",
                crate::time::relative(left),
                crate::time::utc(exp)
            )
        } else {
            let duration = manifest.duration?;
            if (left as f64) >= duration {
                return None;
            }
            format!(
                "the token expires {} and the presentation lasts {duration:.0} s: a viewer who starts now is cut \
                 off before the end",
                crate::time::relative(left)
            )
        };
        Some(StreamWarning {
            code: "token_expires_during_playback".into(),
            message,
        })
    }
}

/// Reads a manifest into references; `Err` is why it is not one.
pub(crate) fn read_manifest(url: &Url, text: &str, segments: usize) -> std::result::Result<Manifest, String> {
    manifest::read(url, text, segments)
}

/// The coverage of a stream from one manifest's text, without any HTTP: the
/// manifest's own request (from `manifest_url`, query token included) and
/// every request it leads to — variant and rendition playlists of a master,
/// init segments, keys and the first `segments` media segments of a media
/// playlist or of every DASH representation — each with the credential the
/// edge would take (the request's own `auth` parameter, else the cookie if
/// a browser would send it), whether that covers it, and a [`FindingCode`]
/// when not. Signatures are not checked (there is no key here; the edge's
/// answer is [`super::check_stream`]'s).
///
/// ```
/// use qencode_cdn::stream::{stream_coverage, CoverageOptions, FindingCode};
/// # let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/rsa2048.pkcs1.pem")).unwrap();
/// # let signer = qencode_cdn::Signer::from_pem("k1", &pem)?;
/// let url = signer.signed_storage_url("my-bucket", "us-west", "videos/intro/master.m3u8", &Default::default())?;
/// let master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=150000\nmedia_0.m3u8\n";
/// let report = stream_coverage(&url, master, &CoverageOptions::default())?;
/// assert!(report.requests[0].covered); // the master: its own query token
/// assert_eq!(report.requests[1].finding, Some(FindingCode::QueryTokenNotPropagated));
/// assert!(!report.ok);
/// # Ok::<(), qencode_cdn::Error>(())
/// ```
pub fn stream_coverage(manifest_url: &str, manifest_text: &str, opts: &CoverageOptions) -> Result<StreamReport> {
    let url = parse_entry(manifest_url)?;
    let ctx = Context::new(&url, opts, SystemClock.now_unix())?;
    let manifest = read_manifest(&url, manifest_text, ctx.segments).map_err(Error::invalid_argument)?;
    let mut first = ctx.judge(&url, manifest.format.request_kind());
    if first.ok {
        first.detail.push_str(" (the manifest itself)");
    }
    let mut report = StreamReport {
        url: manifest_url.trim().to_string(),
        format: Some(manifest.format),
        stream: ctx.stream,
        fetched: false,
        requests: vec![],
        findings: vec![],
        warnings: ctx.expiry_warning(&first, &manifest).into_iter().collect(),
        ok: false,
    };
    report.requests.push(first);
    for reference in &manifest.references {
        report.requests.push(ctx.judge(&reference.url, reference.kind));
    }
    report.finish();
    Ok(report)
}

/// Parses an entry URL (http or https, with a host).
pub(crate) fn parse_entry(input: &str) -> Result<Url> {
    let input = input.trim();
    let url = Url::parse(input).map_err(|e| Error::invalid_argument(format!("not a URL: {e}")))?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(Error::invalid_argument(
            "the stream URL must start with https:// or http://",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid_argument("the stream URL has no host"));
    }
    Ok(url)
}

impl ManifestFormat {
    /// The request kind of a manifest of this format.
    pub(crate) fn kind(self) -> RequestKind {
        self.request_kind()
    }
}
