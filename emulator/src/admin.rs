//! The admin API under `/_emulator/` (JSON, no auth, never faulted or counted).

use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::server::{Request, Response};
use crate::{Fault, FaultKind, Shared};

fn ok() -> Response {
    Response::json(200, &json!({"status": "ok"}))
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

fn number(body: &Map<String, Value>, name: &str) -> Result<Option<u64>, Response> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| Response::error(400, &format!("`{name}` must be a non-negative integer"))),
    }
}

/// Reads a fault from its JSON form.
pub(crate) fn fault_from_json(body: &Map<String, Value>) -> Result<Fault, Response> {
    let route = string(body, "route")?;
    let times = number(body, "times")?.unwrap_or(1);
    let times = u32::try_from(times).map_err(|_| Response::error(400, "`times` is too large"))?;
    let kind = match string(body, "kind")?.as_str() {
        "status" => {
            let status = number(body, "status")?.ok_or_else(|| Response::error(400, "missing field `status`"))?;
            let status = u16::try_from(status)
                .ok()
                .filter(|s| (100..=599).contains(s))
                .ok_or_else(|| Response::error(400, "`status` must be an HTTP status from 100 to 599"))?;
            FaultKind::Status {
                status,
                retry_after: number(body, "retry_after")?,
            }
        }
        "delay" => {
            let ms = number(body, "delay_ms")?.ok_or_else(|| Response::error(400, "missing field `delay_ms`"))?;
            FaultKind::Delay(Duration::from_millis(ms))
        }
        "drop" => FaultKind::Drop,
        "truncate" => FaultKind::Truncate,
        "not_json" => FaultKind::NotJson,
        other => {
            return Err(Response::error(
                400,
                &format!("unknown fault kind `{other}`; one of status, delay, drop, truncate, not_json"),
            ));
        }
    };
    Ok(Fault { route, times, kind })
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
            let fault = fault_from_json(&body_object(req)?)?;
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
