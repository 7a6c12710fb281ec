//! The admin API under `/_emulator/` (JSON, no auth, never faulted or
//! counted, refused to web pages).

use serde_json::{Map, Value};

use crate::server::{Request, Response};
use qencode_cdn::KeyStyle;

use crate::state::OverLimit;
use crate::{Fault, Shared};

fn ok() -> Response {
    Response::json(200, &crate::status_ok())
}

fn body_object(req: &Request) -> Result<Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Response::error(400, "the request body must be a JSON object")),
        Err(e) => Err(Response::error(400, &format!("malformed JSON: {e}"))),
    }
}

fn string(body: &Map<String, Value>, name: &str) -> Result<String, Response> {
    match body.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(Response::error(400, &format!("`{name}` must be a string"))),
        None => Err(Response::error(400, &format!("missing field `{name}`"))),
    }
}

/// Answers one admin request.
pub(crate) fn handle(shared: &Shared, req: &Request) -> Response {
    match dispatch(shared, req) {
        Ok(r) | Err(r) => r,
    }
}

fn over(OverLimit(status, msg): OverLimit) -> Response {
    Response::error(status, &msg)
}

/// The admin API answers scripts and tools, never web pages: a page the
/// developer visits could otherwise reset or fault their emulator (CSRF),
/// or, after DNS rebinding, read it.
///
/// - Any `Origin` header (even `null`) is refused with 403. Browsers send
///   `Origin` on every cross-origin request other than a plain GET or HEAD
///   and on every POST; tests, bindings, the CLI and curl never do.
/// - Any `Sec-Fetch-Site` other than `none` is refused with 403: browsers
///   send it on every request, even an `<img>` GET without `Origin`; `none`
///   is a URL the developer typed, which may read the counters.
/// - A POST body must be `Content-Type: application/json` (415 otherwise):
///   `text/plain`, `application/x-www-form-urlencoded` and
///   `multipart/form-data` are what a page may send without a CORS preflight,
///   and the emulator approves no preflight. A POST without a body
///   (`/_emulator/reset`) needs no type.
fn refuse_browsers(req: &Request) -> Result<(), Response> {
    if req.header("origin").is_some() {
        return Err(Response::error(
            403,
            "the admin API refuses requests with an Origin header (requests from web pages)",
        ));
    }
    if req
        .header("sec-fetch-site")
        .is_some_and(|v| !v.eq_ignore_ascii_case("none"))
    {
        return Err(Response::error(
            403,
            "the admin API refuses requests from web pages (Sec-Fetch-Site is not `none`)",
        ));
    }
    if req.method == "POST" && !req.body.is_empty() {
        let json = req
            .header("content-type")
            .and_then(|v| v.split(';').next())
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
        if !json {
            return Err(Response::error(
                415,
                "an admin request body must be sent with Content-Type: application/json",
            ));
        }
    }
    Ok(())
}

fn dispatch(shared: &Shared, req: &Request) -> Result<Response, Response> {
    refuse_browsers(req)?;
    let limits = &shared.config.limits;
    let path = req.path.trim_end_matches('/');
    match (req.method.as_str(), path) {
        ("POST", "/_emulator/streams") => {
            let body = body_object(req)?;
            let stream_id = string(&body, "stream_id")?;
            let playback_id = string(&body, "playback_id")?;
            qencode_cdn::url::validate_playback_id(&playback_id).map_err(|e| Response::error(400, &e.message()))?;
            limits.text("stream_id", &stream_id).map_err(over)?;
            let mut state = shared.state();
            if !state.streams.contains_key(&stream_id) {
                limits
                    .room(state.streams.len(), limits.streams, "streams", "streams")
                    .map_err(over)?;
            }
            state.streams.insert(stream_id, playback_id);
            Ok(ok())
        }
        ("POST", "/_emulator/media-streams") => {
            let body = body_object(req)?;
            let stream_id = string(&body, "stream_id")?;
            let playback_id = string(&body, "playback_id")?;
            qencode_cdn::url::validate_playback_id(&playback_id).map_err(|e| Response::error(400, &e.message()))?;
            limits.text("stream_id", &stream_id).map_err(over)?;
            {
                let state = shared.state();
                if !state.streams.contains_key(&stream_id) {
                    limits
                        .room(state.streams.len(), limits.streams, "streams", "streams")
                        .map_err(over)?;
                }
            }
            shared.add_media_stream(&stream_id, &playback_id);
            Ok(ok())
        }
        ("POST", "/_emulator/media-folders") => {
            let body = body_object(req)?;
            let bucket = string(&body, "bucket")?;
            let folder = string(&body, "folder")?;
            qencode_cdn::url::validate_bucket(&bucket).map_err(|e| Response::error(400, &e.message()))?;
            let folder = folder.trim_start_matches('/');
            let sep = if folder.is_empty() || folder.ends_with('/') {
                ""
            } else {
                "/"
            };
            let mut state = shared.state();
            for (name, bytes) in crate::media::VOD_FILES {
                state
                    .put_object(&bucket, &format!("{folder}{sep}{name}"), bytes.to_vec(), limits)
                    .map_err(over)?;
            }
            Ok(ok())
        }
        ("POST", "/_emulator/objects") => {
            let body = body_object(req)?;
            let bucket = string(&body, "bucket")?;
            let key = string(&body, "key")?;
            let content = string(&body, "body")?;
            qencode_cdn::url::validate_bucket(&bucket).map_err(|e| Response::error(400, &e.message()))?;
            let key = key.strip_prefix('/').unwrap_or(&key);
            shared
                .state()
                .put_object(&bucket, key, content.into_bytes(), limits)
                .map_err(over)?;
            Ok(ok())
        }
        ("POST", "/_emulator/domain-buckets") => {
            let body = body_object(req)?;
            let domain = string(&body, "domain")?.trim().to_ascii_lowercase();
            let bucket = string(&body, "bucket")?;
            qencode_cdn::url::validate_domain(&domain).map_err(|e| Response::error(400, &e.message()))?;
            qencode_cdn::url::validate_bucket(&bucket).map_err(|e| Response::error(400, &e.message()))?;
            let mut state = shared.state();
            if !state.domain_buckets.contains_key(&domain) {
                limits
                    .room(
                        state.domain_buckets.len(),
                        limits.storage_domains,
                        "storage domain mappings",
                        "storage_domains",
                    )
                    .map_err(over)?;
            }
            state.domain_buckets.insert(domain, bucket);
            Ok(ok())
        }
        ("POST", "/_emulator/faults") => {
            let fault = Fault::from_json(&Value::Object(body_object(req)?), KeyStyle::Snake)
                .map_err(|e| Response::error(400, &e.message()))?;
            limits.text("route", &fault.route).map_err(over)?;
            let pending = shared.state().faults.len();
            limits
                .room(pending, limits.faults, "pending faults", "faults")
                .map_err(over)?;
            shared.inject_fault(fault);
            Ok(ok())
        }
        ("GET", "/_emulator/counters") => Ok(Response::json(200, &shared.counters().to_json())),
        ("POST", "/_emulator/reset") => {
            shared.reset();
            Ok(ok())
        }
        _ => Err(Response::error(
            404,
            &format!("no admin route {} {}", req.method, req.path),
        )),
    }
}
