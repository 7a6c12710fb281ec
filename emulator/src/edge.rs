//! The playback edge, selected by the `Host` header: live playlists and
//! bucket objects, served only when the token (or the bucket policy) allows.

use std::net::IpAddr;

use percent_encoding::percent_decode_str;
use qencode_cdn::stream::{LIVE_MEDIA_ROOT, LiveHost, live_stream_of_path};
use qencode_cdn::url::{AUTH_PARAM, LIVE_PLAYLIST_PATH, QENCODE_DOMAIN};
use qencode_cdn::{COOKIE_NAME, Resource, VerifyOptions, decode_unverified};

use crate::media;
use crate::server::{Request, Response};
use crate::state::{KeyTarget, Policy, SigningKey, State};

/// Response header that says, for tests, why the edge refused (the core's
/// [`qencode_cdn::stream::REASON_HEADER`], which `check_stream` reads).
pub const REASON_HEADER: &str = qencode_cdn::stream::REASON_HEADER;

/// The tiny playlist served for an allowed live stream.
const PLAYLIST: &str =
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:2.000,\nsegment0.ts\n";

/// Which edge host a request went to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// `play-{playback_id}.qencode.com`
    Live { playback_id: String },
    /// A registered live custom domain.
    LiveCustom { domain_id: String },
    /// `{bucket}.media-storage.{region}.qencode.com`
    Storage { bucket: String },
    /// A registered storage custom domain.
    StorageCustom { domain: String },
}

impl Target {
    /// The counter / fault pattern of this edge form, e.g. `edge:storage`.
    pub fn pattern(&self) -> &'static str {
        match self {
            Target::Live { .. } => "edge:live",
            Target::LiveCustom { .. } => "edge:live_custom_domain",
            Target::Storage { .. } => "edge:storage",
            Target::StorageCustom { .. } => "edge:storage_custom_domain",
        }
    }
}

/// The host name of a `Host` header, lowercase, without port.
fn host_name(host: &str) -> String {
    let host = host.trim();
    if host.starts_with('[') {
        return host.to_string(); // IPv6 literal: never an edge host
    }
    host.split(':').next().unwrap_or("").to_ascii_lowercase()
}

/// Whether the `Host` header names an edge host. IP literals and
/// `localhost` never do (they are the API).
pub(crate) fn classify(host: Option<&str>, state: &State) -> Option<Target> {
    let host = host_name(host?);
    if host.is_empty() || host.starts_with('[') || host == "localhost" || host.parse::<IpAddr>().is_ok() {
        return None;
    }
    if let Some(sub) = host.strip_suffix(&format!(".{QENCODE_DOMAIN}")) {
        if let Some(pid) = sub.strip_prefix("play-") {
            return Some(Target::Live {
                playback_id: pid.to_string(),
            });
        }
        if let Some((bucket, region)) = sub.split_once(".media-storage.") {
            if qencode_cdn::KNOWN_REGIONS.contains(&region) {
                return Some(Target::Storage {
                    bucket: bucket.to_string(),
                });
            }
        }
    }
    let domain = state.domain_by_name(&host)?;
    Some(match domain.kind.as_str() {
        "live" => Target::LiveCustom {
            domain_id: domain.id.clone(),
        },
        _ => Target::StorageCustom { domain: host },
    })
}

fn refuse(status: u16, reason: &str) -> Response {
    Response::bytes(status, "text/plain; charset=utf-8", format!("{reason}\n").into_bytes())
        .with_header(REASON_HEADER, reason)
}

/// The token of a request: the `auth` query parameter, else the cookie.
fn token_of(req: &Request) -> Option<String> {
    let from_query = req.query.as_deref().and_then(|q| {
        q.split('&')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| *k == AUTH_PARAM)
            .map(|(_, v)| percent_decode_str(v).decode_utf8_lossy().into_owned())
    });
    from_query.filter(|t| !t.is_empty()).or_else(|| {
        req.headers_named("cookie")
            .flat_map(|c| c.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| k.trim() == COOKIE_NAME)
            .map(|(_, v)| v.trim().trim_matches('"').to_string())
    })
}

/// Checks a token against the keys protecting a resource; `Err` is the reason.
fn authorize(token: Option<&str>, keys: &[&SigningKey], resource: Resource, what: &str) -> Result<(), String> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Err(format!(
            "MISSING_TOKEN: {what} requires a signed token (`?{AUTH_PARAM}=` or the {COOKIE_NAME} cookie)"
        ));
    };
    let (header, _) = decode_unverified(token).map_err(|e| format!("{}: {}", e.code().as_str(), e.message()))?;
    let Some(kid) = header.get("kid").and_then(|k| k.as_str()) else {
        return Err("UNKNOWN_KEY_ID: the token names no key (`kid`)".to_string());
    };
    let Some(key) = keys.iter().find(|k| k.id == kid) else {
        return Err(format!(
            "UNKNOWN_KEY_ID: the token names key `{kid}`, which is not a signing key of {what}"
        ));
    };
    key.verifier
        .verify(token, &VerifyOptions::new().kid(kid).resource(resource))
        .map(|_| ())
        .map_err(|e| format!("{}: {}", e.code().as_str(), e.message()))
}

fn playlist() -> Response {
    Response::bytes(200, "application/vnd.apple.mpegurl", PLAYLIST.as_bytes().to_vec())
}

/// Answers one edge request (faults and counters are applied by the caller),
/// with the CORS headers of [`cors_headers`] when the request has an `Origin`.
pub(crate) fn handle(state: &State, req: &Request, target: &Target) -> Response {
    let origin = req.header("origin").map(str::to_string);
    let cors = cors_policy(state, target);
    if req.method == "OPTIONS" {
        return preflight(req, origin.as_deref(), &cors);
    }
    let response = answer(state, req, target);
    match origin {
        Some(o) => with_cors(response, &o, &cors),
        None => response,
    }
}

/// The CORS policy that applies to an edge host.
enum CorsPolicy {
    /// Live hosts: any origin, no credentials (a decision: the API has no
    /// CORS setting for live streams, and a player on any page must be able
    /// to play a signed live URL; cookies are not allowed across origins).
    Live,
    /// A bucket's policy as set through the API (possibly empty).
    Bucket(Vec<(String, String)>),
}

fn cors_policy(state: &State, target: &Target) -> CorsPolicy {
    let bucket = match target {
        Target::Live { .. } | Target::LiveCustom { .. } => return CorsPolicy::Live,
        Target::Storage { bucket } => Some(bucket.as_str()),
        Target::StorageCustom { domain } => state.domain_buckets.get(domain).map(String::as_str),
    };
    let headers = bucket
        .and_then(|b| state.buckets.get(b))
        .map(|b| b.cors.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    CorsPolicy::Bucket(headers)
}

/// The `Access-Control-Allow-Origin` the edge sends for a policy value and a
/// request's `Origin`. **A decision** (the reference only says the policy's
/// attributes are "CORS headers and … corresponding CORS header values"):
/// `*` or a single origin is sent as set; a value listing several origins
/// (separated by commas or spaces) sends the request's origin when listed
/// and nothing otherwise (a browser accepts one origin only).
pub(crate) fn allow_origin_for(value: &str, origin: &str) -> Option<String> {
    let value = value.trim();
    let listed: Vec<&str> = value
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    match listed.as_slice() {
        [] => None,
        [one] => Some((*one).to_string()),
        many => many.iter().find(|o| **o == origin).map(|o| (*o).to_string()),
    }
}

/// The CORS headers for a request from `origin` under `policy`.
fn cors_headers(policy: &CorsPolicy, origin: &str, preflight: bool) -> Vec<(String, String)> {
    match policy {
        CorsPolicy::Live => {
            let mut h = vec![("Access-Control-Allow-Origin".to_string(), "*".to_string())];
            if preflight {
                h.push(("Access-Control-Allow-Methods".into(), "GET, HEAD".into()));
                h.push(("Access-Control-Max-Age".into(), "600".into()));
            }
            h
        }
        CorsPolicy::Bucket(set) => {
            let mut h = Vec::new();
            for (name, value) in set {
                if name == "Access-Control-Allow-Origin" {
                    if let Some(v) = allow_origin_for(value, origin) {
                        if v != "*" {
                            h.push(("Vary".into(), "Origin".into()));
                        }
                        h.push((name.clone(), v));
                    }
                } else if preflight
                    || name == "Access-Control-Allow-Credentials"
                    || name == "Access-Control-Expose-Headers"
                {
                    // Methods, headers and max-age answer a preflight only.
                    h.push((name.clone(), value.clone()));
                }
            }
            if !h.iter().any(|(n, _)| n == "Access-Control-Allow-Origin") {
                return Vec::new();
            }
            h
        }
    }
}

fn with_cors(mut response: Response, origin: &str, policy: &CorsPolicy) -> Response {
    response.headers.extend(cors_headers(policy, origin, false));
    response
}

/// Answers an `OPTIONS` preflight: 204 with the policy's headers when it
/// allows the origin, else 403 (browsers then refuse the real request).
/// Never needs a token: browsers send none on a preflight.
fn preflight(req: &Request, origin: Option<&str>, policy: &CorsPolicy) -> Response {
    let Some(origin) = origin else {
        return refuse(405, "the edge answers OPTIONS only as a CORS preflight (with Origin)");
    };
    let mut headers = cors_headers(policy, origin, true);
    if headers.is_empty() {
        return refuse(
            403,
            &format!("CORS_NOT_ALLOWED: the bucket's CORS policy does not allow origin `{origin}`"),
        );
    }
    if let (CorsPolicy::Live, Some(asked)) = (policy, req.header("access-control-request-headers")) {
        headers.push(("Access-Control-Allow-Headers".into(), asked.to_string()));
    }
    let mut r = Response::bytes(204, "text/plain; charset=utf-8", Vec::new());
    r.headers.extend(headers);
    r
}

fn answer(state: &State, req: &Request, target: &Target) -> Response {
    if req.method != "GET" && req.method != "HEAD" {
        return refuse(405, &format!("the edge serves GET and HEAD, not {}", req.method));
    }
    let token = token_of(req);
    let Ok(path) = percent_decode_str(&req.path).decode_utf8() else {
        return refuse(400, "the path is not UTF-8 after percent-decoding");
    };
    let key = path.strip_prefix('/').unwrap_or(&path).to_string();
    match target {
        Target::Live { playback_id } => {
            let is_master = req.path == LIVE_PLAYLIST_PATH;
            let in_stream = live_stream_of_path(LiveHost::Default { playback_id }, &req.path).is_some();
            if !in_stream {
                return refuse(
                    404,
                    &format!("a live playback host serves {LIVE_PLAYLIST_PATH} and paths under {LIVE_MEDIA_ROOT}"),
                );
            }
            let rest = req.path.strip_prefix(LIVE_MEDIA_ROOT).unwrap_or("");
            live(
                state,
                token.as_deref(),
                playback_id,
                None,
                is_master.then_some("").ok_or(rest),
            )
        }
        Target::LiveCustom { domain_id } => {
            let Some(pid) = live_stream_of_path(LiveHost::CustomDomain, &req.path) else {
                return refuse(
                    404,
                    "a live custom domain serves /{playback_id}.m3u8 and paths under /{playback_id}/ only",
                );
            };
            let prefix = format!("{pid}/");
            let part = match req.path.strip_prefix('/').and_then(|p| p.strip_prefix(&prefix)) {
                Some(rest) => Err(rest),
                None => Ok(prefix.as_str()),
            };
            live(state, token.as_deref(), &pid, Some(domain_id), part)
        }
        Target::Storage { bucket } => storage(state, token.as_deref(), bucket, &key),
        Target::StorageCustom { domain } => match state.domain_buckets.get(domain) {
            Some(bucket) => storage(state, token.as_deref(), bucket, &key),
            None => refuse(
                404,
                &format!("storage domain `{domain}` is not mapped to a bucket (POST /_emulator/domain-buckets)"),
            ),
        },
    }
}

/// Serves a live stream's request: `part` is `Ok(prefix)` for the master
/// playlist (its variant URIs under `prefix`), `Err(rest)` for a path below
/// the stream's root. Every one of them needs the token.
fn live(
    state: &State,
    token: Option<&str>,
    playback_id: &str,
    domain_id: Option<&String>,
    part: Result<&str, &str>,
) -> Response {
    let Some(stream_id) = state.stream_of_playback(playback_id) else {
        return refuse(404, &format!("no live stream with playback id `{playback_id}`"));
    };
    let has_media = state.media_streams.contains(stream_id);
    if part.is_err() && !has_media {
        return refuse(
            404,
            &format!("live stream `{playback_id}` has no media (Emulator::add_media_stream) beyond its playlist"),
        );
    }
    let (target, what) = match domain_id {
        Some(d) => (KeyTarget::Domain(d.clone()), "this playback domain"),
        None => (KeyTarget::Stream(stream_id.to_string()), "this stream"),
    };
    let keys = state.keys_for(&target);
    if !keys.is_empty() {
        if let Err(reason) = authorize(token, &keys, Resource::live(playback_id), what) {
            return refuse(403, &reason);
        }
    }
    match part {
        Ok(_) if !has_media => playlist(),
        Ok(prefix) => Response::bytes(200, media::M3U8, media::live_master(prefix).into_bytes()),
        Err(rest) => match media::live_file(rest) {
            Some((content_type, body)) => Response::bytes(200, content_type, body),
            None => refuse(404, &format!("live stream `{playback_id}` has no `{rest}`")),
        },
    }
}

fn storage(state: &State, token: Option<&str>, bucket: &str, key: &str) -> Response {
    let b = state.buckets.get(bucket);
    if b.is_some_and(|b| b.policy == Policy::Authenticated) {
        let keys = state.keys_for(&KeyTarget::Bucket(bucket.to_string()));
        let what = format!("bucket `{bucket}`");
        if let Err(reason) = authorize(token, &keys, Resource::storage(key), &what) {
            return refuse(403, &reason);
        }
    }
    match b.and_then(|b| b.objects.get(key)) {
        Some(body) => Response::bytes(200, content_type(key), body.clone()),
        None => refuse(404, &format!("no object `{key}` in bucket `{bucket}`")),
    }
}

fn content_type(key: &str) -> &'static str {
    let ext = key.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "m3u8" => "application/vnd.apple.mpegurl",
        "mpd" => "application/dash+xml",
        "mp4" | "m4s" => "video/mp4",
        "ts" => "video/mp2t",
        "json" => "application/json",
        "txt" => "text/plain",
        _ => "application/octet-stream",
    }
}
