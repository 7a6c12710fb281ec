//! Node.js binding of `qencode-cdn` (napi-rs). Argument conversion, error
//! mapping and moving blocking work off the event loop; nothing else. The
//! public JS API is the wrapper in `lib/` around this native module.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod client;
pub mod error;
pub mod options;
pub mod testing;
pub mod token;
pub mod urls;

use napi_derive::napi;

/// This package's version (the core's).
#[napi(catch_unwind)]
pub fn version() -> String {
    qencode_cdn::VERSION.to_string()
}

/// Every DESIGN §5 error code, in table order (the wrapper checks it maps each).
#[napi(catch_unwind)]
pub fn error_codes() -> Vec<String> {
    qencode_cdn::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_string())
        .collect()
}

/// Header and claims of a token, without checking anything (for debugging).
#[napi(
    catch_unwind,
    ts_return_type = "{ header: Record<string, unknown>, claims: Record<string, unknown> }"
)]
pub fn decode_unverified(token: String) -> napi::Result<client::Json, error::Code> {
    error::guard(|| {
        let (header, claims) = qencode_cdn::decode_unverified(&token)?;
        Ok(client::Json(
            serde_json::json!({ "header": header, "claims": token::to_value(&claims)? }),
        ))
    })
}
