//! The admin API under `/_emulator/` (JSON, no auth, never faulted or counted).

use serde_json::{Map, Value};

use crate::server::{Request, Response};
use qencode_cdn::KeyStyle;

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

fn dispatch(shared: &Shared, req: &Request) -> Result<Response, Response> {
    let path = req.path.trim_end_matches('/');
    match (req.method.as_str(), path) {
        ("POST", "/_emulator/streams") => {
            let body = body_object(req)?;
            let stream_id = string(&body, "stream_id")?;
            let playback_id = string(&body, "playback_id")?;
            qencode_cdn::url::validate_playback_id(&playback_id).map_err(|e| Response::error(400, &e.message()))?;
            shared.add_stream(&stream_id, &playback_id);
            Ok(ok())
        }
        ("POST", "/_emulator/objects") => {
            let body = body_object(req)?;
            let bucket = string(&body, "bucket")?;
            let key = string(&body, "key")?;
            let content = string(&body, "body")?;
            shared.add_object(&bucket, &key, content.into_bytes());
            Ok(ok())
        }
        ("POST", "/_emulator/domain-buckets") => {
            let body = body_object(req)?;
            let domain = string(&body, "domain")?;
            let bucket = string(&body, "bucket")?;
            shared.map_storage_domain(&domain, &bucket);
            Ok(ok())
        }
        ("POST", "/_emulator/faults") => {
            let fault = Fault::from_json(&Value::Object(body_object(req)?), KeyStyle::Snake)
                .map_err(|e| Response::error(400, &e.message()))?;
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
