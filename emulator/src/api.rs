//! The management API (`/v1/…`) and the access-token endpoint, read from the
//! reference independently of the client's types.

use std::net::IpAddr;

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value, json};

use crate::keys::generate_signing_key;
use crate::server::{Request, Response};
use crate::state::{Domain, KeyTarget, OverLimit, Policy, SigningKey, State, TlsSubscription, new_id, timestamp};
use crate::{BUCKET_FIELD, SUPPORTED_CORS_HEADERS, Shared};

/// A management API route, with its path parameters (percent-decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    Token(String),
    Domains,
    DomainsOfType(&'static str),
    Domain(String),
    TlsSubscriptions,
    TlsSubscription(String),
    SigningKeys,
    SigningKey(String),
    Policy(String, String),
    Cors(String),
    CorsHeader(String, String),
    PurgeAll(String),
    Purge(String),
    Unknown,
}

impl Route {
    /// Reads a request path.
    pub fn parse(path: &str) -> Route {
        let trimmed = path.strip_prefix('/').unwrap_or(path);
        let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
        let segs: Vec<String> = trimmed
            .split('/')
            .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect();
        let s: Vec<&str> = segs.iter().map(String::as_str).collect();
        let own = |x: &str| x.to_string();
        match s.as_slice() {
            ["v1", "access_token", key] => Route::Token(own(key)),
            ["v1", "domains"] => Route::Domains,
            ["v1", "domains", "live"] => Route::DomainsOfType("live"),
            ["v1", "domains", "storage"] => Route::DomainsOfType("storage"),
            ["v1", "domains", id] => Route::Domain(own(id)),
            ["v1", "tls", "subscriptions"] => Route::TlsSubscriptions,
            ["v1", "tls", "subscriptions", id] => Route::TlsSubscription(own(id)),
            ["v1", "signing-keys"] => Route::SigningKeys,
            ["v1", "signing-keys", id] => Route::SigningKey(own(id)),
            ["v1", "buckets", b, "policy", p] => Route::Policy(own(b), own(p)),
            ["v1", "buckets", b, "cors"] => Route::Cors(own(b)),
            ["v1", "buckets", b, "cors", h] => Route::CorsHeader(own(b), own(h)),
            ["v1", "buckets", b, "cache", "purge_all"] => Route::PurgeAll(own(b)),
            ["v1", "buckets", b, "cache", "purge"] => Route::Purge(own(b)),
            _ => Route::Unknown,
        }
    }

    /// The path pattern used in counters (`*` for parameters); `None` for an
    /// unknown route, counted under its literal path.
    pub fn pattern(&self) -> Option<&'static str> {
        Some(match self {
            Route::Token(_) => "/v1/access_token/*",
            Route::Domains => "/v1/domains",
            Route::DomainsOfType("live") => "/v1/domains/live",
            Route::DomainsOfType(_) => "/v1/domains/storage",
            Route::Domain(_) => "/v1/domains/*",
            Route::TlsSubscriptions => "/v1/tls/subscriptions",
            Route::TlsSubscription(_) => "/v1/tls/subscriptions/*",
            Route::SigningKeys => "/v1/signing-keys",
            Route::SigningKey(_) => "/v1/signing-keys/*",
            Route::Policy(..) => "/v1/buckets/*/policy/*",
            Route::Cors(_) => "/v1/buckets/*/cors",
            Route::CorsHeader(..) => "/v1/buckets/*/cors/*",
            Route::PurgeAll(_) => "/v1/buckets/*/cache/purge_all",
            Route::Purge(_) => "/v1/buckets/*/cache/purge",
            Route::Unknown => return None,
        })
    }
}

/// An error answer: status and message.
struct ApiError(u16, String);

type ApiResult = Result<Response, ApiError>;

impl From<OverLimit> for ApiError {
    fn from(OverLimit(status, msg): OverLimit) -> Self {
        ApiError(status, msg)
    }
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError(400, msg.into())
}

fn not_found(what: &str, id: &str) -> ApiError {
    ApiError(404, format!("{what} `{id}` not found"))
}

fn ok() -> ApiResult {
    Ok(Response::json(200, &crate::status_ok()))
}

fn method_not_allowed(method: &str) -> ApiResult {
    Err(ApiError(405, format!("method {method} is not allowed on this route")))
}

/// Answers one management API request (faults and counters are applied by the caller).
pub(crate) fn handle(shared: &Shared, req: &Request, route: &Route) -> Response {
    match dispatch(shared, req, route) {
        Ok(r) => r,
        Err(ApiError(status, msg)) => Response::error(status, &msg),
    }
}

fn dispatch(shared: &Shared, req: &Request, route: &Route) -> ApiResult {
    let m = req.method.as_str();
    if let Route::Token(key) = route {
        return if m == "POST" {
            access_token(shared, key)
        } else {
            method_not_allowed(m)
        };
    }
    if *route == Route::Unknown && !req.path.starts_with("/v1/") {
        return Err(ApiError(
            404,
            format!(
                "no route {} (not an API path, and the Host is not an edge host)",
                req.path
            ),
        ));
    }
    if let Err(e) = shared.tokens.check_header(req.header("authorization")) {
        return Err(ApiError(401, e.message().to_string()));
    }
    match (m, route) {
        ("POST", Route::Domains) => create_domain(shared, req),
        ("GET", Route::Domains) => list_domains(shared, None),
        ("GET", Route::DomainsOfType(kind)) => list_domains(shared, Some(kind)),
        ("GET", Route::Domain(id)) => get_domain(shared, id),
        ("DELETE", Route::Domain(id)) => delete_domain(shared, id),
        ("POST", Route::TlsSubscriptions) => create_tls(shared, req),
        ("GET", Route::TlsSubscriptions) => list_tls(shared),
        ("GET", Route::TlsSubscription(id)) => get_tls(shared, id),
        ("DELETE", Route::TlsSubscription(id)) => delete_tls(shared, id),
        ("POST", Route::SigningKeys) => create_key(shared, req),
        ("GET", Route::SigningKeys) => list_keys(shared),
        ("GET", Route::SigningKey(id)) => get_key(shared, id),
        ("PUT", Route::SigningKey(id)) => rename_key(shared, req, id),
        ("DELETE", Route::SigningKey(id)) => delete_key(shared, id),
        ("PUT", Route::Policy(b, p)) => set_policy(shared, b, p),
        ("POST", Route::Cors(b)) => set_cors(shared, req, b),
        ("GET", Route::Cors(b)) => get_cors(shared, b),
        ("DELETE", Route::Cors(b)) => delete_cors(shared, b),
        ("DELETE", Route::CorsHeader(b, h)) => delete_cors_header(shared, b, h),
        ("POST", Route::PurgeAll(b)) => purge_all(b),
        ("POST", Route::Purge(b)) => purge(req, b),
        (_, Route::Unknown) => Err(ApiError(404, format!("no API route {}", req.path))),
        (m, _) => method_not_allowed(m),
    }
}

// ---------------------------------------------------------------- helpers

fn body_object(req: &Request) -> Result<Map<String, Value>, ApiError> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Err(bad("the request body must be a JSON object"));
    }
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(bad("the request body must be a JSON object")),
        Err(e) => Err(bad(format!("malformed JSON: {e}"))),
    }
}

fn string_field(obj: &Map<String, Value>, name: &str) -> Result<String, ApiError> {
    match obj.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(bad(format!("`{name}` must not be empty"))),
        Some(Value::Null) | None => Err(bad(format!("missing field `{name}`"))),
        Some(_) => Err(bad(format!("`{name}` must be a string"))),
    }
}

fn check_bucket(bucket: &str) -> Result<(), ApiError> {
    qencode_cdn::url::validate_bucket(bucket).map_err(|e| bad(e.message()))
}

fn domain_json(d: &Domain) -> Value {
    json!({"created": d.created, "id": d.id, "type": d.kind, "domain_name": d.name})
}

fn tls_json(t: &TlsSubscription, with_message: bool) -> Value {
    let mut v = json!({"status": "pending", "created": t.created, "domain_id": t.domain_id, "id": t.id});
    if with_message {
        v["message"] = Value::String(t.message.clone());
    }
    v
}

fn key_json(k: &SigningKey) -> Value {
    let mut v = json!({"created": k.created, "id": k.id, "name": k.name});
    let (field, value) = match &k.target {
        KeyTarget::Stream(s) => ("stream_id", s),
        KeyTarget::Domain(d) => ("domain_id", d),
        KeyTarget::Bucket(b) => (BUCKET_FIELD, b),
    };
    v[field] = Value::String(value.clone());
    v
}

// ---------------------------------------------------------------- token

fn access_token(shared: &Shared, key: &str) -> ApiResult {
    match shared.config.api_keys.iter().position(|k| k == key) {
        Some(i) => {
            let token = shared.tokens.issue(i, shared.config.token_lifetime);
            Ok(Response::json(200, &json!({"access_token": token})))
        }
        None => Err(ApiError(401, "invalid API key".into())),
    }
}

// ---------------------------------------------------------------- domains

fn create_domain(shared: &Shared, req: &Request) -> ApiResult {
    let body = body_object(req)?;
    let name = string_field(&body, "name")?.trim().to_ascii_lowercase();
    let kind = string_field(&body, "type")?;
    if kind != "live" && kind != "storage" {
        return Err(bad(format!("`type` must be `live` or `storage`, got `{kind}`")));
    }
    if name.parse::<IpAddr>().is_ok() {
        return Err(bad(format!("`{name}` is an IP address, not a domain name")));
    }
    qencode_cdn::url::validate_domain(&name).map_err(|e| bad(e.message()))?;
    let mut state = shared.state();
    if state.domain_by_name(&name).is_some() {
        return Err(ApiError(409, format!("domain `{name}` already exists")));
    }
    let max = shared.config.max_domains;
    if state.domains.len() >= max {
        return Err(bad(format!(
            "you can create up to {max} custom domains; delete one or contact support"
        )));
    }
    let domain = Domain {
        id: new_id(),
        name,
        kind,
        created: timestamp(),
    };
    let out = json!({"domain": domain_json(&domain)});
    state.domains.push(domain);
    Ok(Response::json(200, &out))
}

fn list_domains(shared: &Shared, kind: Option<&str>) -> ApiResult {
    let state = shared.state();
    let list: Vec<Value> = state
        .domains
        .iter()
        .filter(|d| kind.is_none_or(|k| d.kind == k))
        .map(domain_json)
        .collect();
    Ok(Response::json(200, &json!({"domains": list})))
}

fn get_domain(shared: &Shared, id: &str) -> ApiResult {
    let state = shared.state();
    let d = state
        .domains
        .iter()
        .find(|d| d.id == id)
        .ok_or_else(|| not_found("domain", id))?;
    Ok(Response::json(200, &json!({"domain": domain_json(d)})))
}

fn delete_domain(shared: &Shared, id: &str) -> ApiResult {
    let mut state = shared.state();
    let i = state
        .domains
        .iter()
        .position(|d| d.id == id)
        .ok_or_else(|| not_found("domain", id))?;
    state.domains.remove(i);
    ok()
}

// ---------------------------------------------------------------- TLS

fn create_tls(shared: &Shared, req: &Request) -> ApiResult {
    let body = body_object(req)?;
    let domain_id = string_field(&body, "domain_id")?;
    let mut state = shared.state();
    let limits = &shared.config.limits;
    limits.room(
        state.tls.len(),
        limits.tls_subscriptions,
        "TLS subscriptions",
        "tls_subscriptions",
    )?;
    let name = state
        .domains
        .iter()
        .find(|d| d.id == domain_id)
        .map(|d| d.name.clone())
        .ok_or_else(|| not_found("domain", &domain_id))?;
    let tls = TlsSubscription {
        id: new_id(),
        domain_id,
        created: timestamp(),
        message: format!(
            "TLS subscription created. You should verify your domain ownership. Create a CNAME for '{name}' and point it to 'j.sni.global.fastly.net.'."
        ),
    };
    let out = json!({"tls_subscription": tls_json(&tls, true)});
    state.tls.push(tls);
    Ok(Response::json(200, &out))
}

fn list_tls(shared: &Shared) -> ApiResult {
    let state = shared.state();
    let list: Vec<Value> = state.tls.iter().map(|t| tls_json(t, false)).collect();
    Ok(Response::json(200, &json!({"tls_subscriptions": list})))
}

fn get_tls(shared: &Shared, id: &str) -> ApiResult {
    let state = shared.state();
    let t = state
        .tls
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| not_found("TLS subscription", id))?;
    Ok(Response::json(200, &json!({"tls_subscription": tls_json(t, false)})))
}

fn delete_tls(shared: &Shared, id: &str) -> ApiResult {
    let mut state = shared.state();
    let i = state
        .tls
        .iter()
        .position(|t| t.id == id)
        .ok_or_else(|| not_found("TLS subscription", id))?;
    state.tls.remove(i);
    ok()
}

// ---------------------------------------------------------------- signing keys

fn key_target(body: &Map<String, Value>, state: &State, limits: &crate::StateLimits) -> Result<KeyTarget, ApiError> {
    let fields = ["stream_id", "domain_id", BUCKET_FIELD];
    let present: Vec<&str> = fields
        .into_iter()
        .filter(|f| body.get(*f).is_some_and(|v| !v.is_null()))
        .collect();
    let field = match present.as_slice() {
        [one] => *one,
        [] => return Err(bad(format!("one of {} is required", fields.join(", ")))),
        _ => return Err(bad(format!("only one of {} may be given", fields.join(", ")))),
    };
    let value = string_field(body, field)?;
    limits.text(field, &value)?;
    match field {
        "stream_id" => Ok(KeyTarget::Stream(value)),
        "domain_id" => {
            if state.domains.iter().any(|d| d.id == value) {
                Ok(KeyTarget::Domain(value))
            } else {
                Err(not_found("domain", &value))
            }
        }
        _ => {
            check_bucket(&value)?;
            Ok(KeyTarget::Bucket(value))
        }
    }
}

fn optional_name(body: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    match body.get("name") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad("`name` must be a string")),
    }
}

fn create_key(shared: &Shared, req: &Request) -> ApiResult {
    let body = body_object(req)?;
    let limits = &shared.config.limits;
    let target = {
        let state = shared.state();
        // Checked before the slow key generation, and again after it.
        limits.room(state.keys.len(), limits.signing_keys, "signing keys", "signing_keys")?;
        key_target(&body, &state, limits)?
    };
    let name = optional_name(&body)?;
    if let Some(n) = &name {
        limits.text("name", n)?;
    }
    let id = new_id();
    // Key generation takes a while: never under the state lock.
    let generated = generate_signing_key(shared.config.signing_key_bits, &id).map_err(|e| ApiError(500, e))?;
    let key = SigningKey {
        id,
        name,
        created: timestamp(),
        target,
        verifier: generated.verifier,
    };
    let mut doc = key_json(&key);
    doc["private_key"] = Value::String(generated.private_pem);
    let mut state = shared.state();
    limits.room(state.keys.len(), limits.signing_keys, "signing keys", "signing_keys")?;
    if let KeyTarget::Domain(d) = &key.target {
        if !state.domains.iter().any(|x| &x.id == d) {
            return Err(not_found("domain", d));
        }
    }
    state.keys.push(key);
    drop(state);
    Ok(Response::json(200, &json!({"signing_key": doc})))
}

fn list_keys(shared: &Shared) -> ApiResult {
    let state = shared.state();
    let list: Vec<Value> = state.keys.iter().map(key_json).collect();
    Ok(Response::json(200, &json!({"signing_keys": list})))
}

fn get_key(shared: &Shared, id: &str) -> ApiResult {
    let state = shared.state();
    let k = state
        .keys
        .iter()
        .find(|k| k.id == id)
        .ok_or_else(|| not_found("signing key", id))?;
    Ok(Response::json(200, &json!({"signing_key": key_json(k)})))
}

fn rename_key(shared: &Shared, req: &Request, id: &str) -> ApiResult {
    let body = body_object(req)?;
    let name = match body.get("name") {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => return Err(bad("missing field `name`")),
        Some(_) => return Err(bad("`name` must be a string")),
    };
    shared.config.limits.text("name", &name)?;
    let mut state = shared.state();
    let k = state
        .keys
        .iter_mut()
        .find(|k| k.id == id)
        .ok_or_else(|| not_found("signing key", id))?;
    k.name = Some(name);
    Ok(Response::json(200, &json!({"signing_key": key_json(k)})))
}

fn delete_key(shared: &Shared, id: &str) -> ApiResult {
    let mut state = shared.state();
    let i = state
        .keys
        .iter()
        .position(|k| k.id == id)
        .ok_or_else(|| not_found("signing key", id))?;
    state.keys.remove(i);
    ok()
}

// ---------------------------------------------------------------- buckets

fn set_policy(shared: &Shared, bucket: &str, policy: &str) -> ApiResult {
    check_bucket(bucket)?;
    let policy = match policy {
        "public" => Policy::Public,
        "authenticated" => Policy::Authenticated,
        other => {
            return Err(bad(format!(
                "policy must be `public` or `authenticated`, got `{other}`"
            )));
        }
    };
    shared.state().bucket_within(bucket, &shared.config.limits)?.policy = policy;
    ok()
}

/// The canonical spelling of a supported CORS header, if it is one.
fn cors_header(name: &str) -> Option<&'static str> {
    SUPPORTED_CORS_HEADERS
        .iter()
        .copied()
        .find(|h| h.eq_ignore_ascii_case(name.trim()))
}

fn unsupported_cors(name: &str) -> ApiError {
    bad(format!(
        "unsupported CORS header `{name}`; supported: {}",
        SUPPORTED_CORS_HEADERS.join(", ")
    ))
}

fn set_cors(shared: &Shared, req: &Request, bucket: &str) -> ApiResult {
    check_bucket(bucket)?;
    let body = body_object(req)?;
    let mut headers = Vec::with_capacity(body.len());
    for (name, value) in &body {
        let canonical = cors_header(name).ok_or_else(|| unsupported_cors(name))?;
        let value = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return Err(bad(format!("the value of `{name}` must be a string"))),
        };
        shared.config.limits.text(canonical, &value)?;
        headers.push((canonical.to_string(), value));
    }
    shared
        .state()
        .bucket_within(bucket, &shared.config.limits)?
        .cors
        .extend(headers);
    ok()
}

fn get_cors(shared: &Shared, bucket: &str) -> ApiResult {
    check_bucket(bucket)?;
    let state = shared.state();
    // Reading never creates a bucket.
    let map: Map<String, Value> = state
        .buckets
        .get(bucket)
        .map(|b| {
            b.cors
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect()
        })
        .unwrap_or_default();
    Ok(Response::json(200, &Value::Object(map)))
}

fn delete_cors(shared: &Shared, bucket: &str) -> ApiResult {
    check_bucket(bucket)?;
    if let Some(b) = shared.state().buckets.get_mut(bucket) {
        b.cors.clear();
    }
    ok()
}

fn delete_cors_header(shared: &Shared, bucket: &str, header: &str) -> ApiResult {
    check_bucket(bucket)?;
    let canonical = cors_header(header).ok_or_else(|| unsupported_cors(header))?;
    match shared
        .state()
        .buckets
        .get_mut(bucket)
        .and_then(|b| b.cors.remove(canonical))
    {
        Some(_) => ok(),
        None => Err(ApiError(
            404,
            format!("CORS header `{canonical}` is not set on bucket `{bucket}`"),
        )),
    }
}

fn purge_all(bucket: &str) -> ApiResult {
    check_bucket(bucket)?;
    ok()
}

fn purge(req: &Request, bucket: &str) -> ApiResult {
    check_bucket(bucket)?;
    let body = body_object(req)?;
    string_field(&body, "path")?;
    ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_routes_and_patterns() {
        assert_eq!(Route::parse("/v1/domains/live"), Route::DomainsOfType("live"));
        assert_eq!(Route::parse("/v1/domains/"), Route::Domains);
        assert_eq!(
            Route::parse("/v1/buckets/b%2Dx/cors/Access-Control-Max-Age"),
            Route::CorsHeader("b-x".into(), "Access-Control-Max-Age".into())
        );
        assert_eq!(Route::parse("/v1/domains/abc").pattern(), Some("/v1/domains/*"));
        assert_eq!(Route::parse("/v2/x").pattern(), None);
    }
}
