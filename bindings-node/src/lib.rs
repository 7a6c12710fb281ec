//! Node.js binding of `qencode-cdn` (napi-rs). Argument conversion, error
//! mapping and moving blocking work off the event loop; nothing else:
//! options objects go to the core's own readers as JSON ([`js`]). The public
//! JS API is the wrapper in `lib/` around this native module (`native.js`).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod batch;
pub mod client;
pub mod error;
pub mod external;
pub mod js;
pub mod stream;
pub mod testing;
pub mod token;
pub mod urls;

use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

/// This package's version (the core's).
#[napi(catch_unwind)]
pub fn version() -> String {
    qencode_cdn::VERSION.to_string()
}

/// Every DESIGN §5 error code, in table order (the wrapper checks it maps each).
#[napi(catch_unwind, ts_return_type = "import('./lib/index').ErrorCode[]")]
pub fn error_codes() -> Vec<String> {
    qencode_cdn::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_string())
        .collect()
}

/// Header and claims of a token, without checking anything (for debugging).
#[napi(
    catch_unwind,
    ts_return_type = "{ header: Record<string, unknown>, claims: import('./lib/index').Claims }"
)]
pub fn decode_unverified(token: String) -> napi::Result<client::Json, error::Code> {
    error::guard(|| {
        let (header, claims) = qencode_cdn::decode_unverified(&token)?;
        Ok(client::Json(
            serde_json::json!({ "header": header, "claims": token::to_value(&claims)? }),
        ))
    })
}

/// The number of threads `signMany` uses when not told (every core:
/// `qencode_cdn::default_threads`).
#[napi(catch_unwind)]
pub fn default_threads() -> u32 {
    u32::try_from(qencode_cdn::default_threads()).unwrap_or(u32::MAX)
}

/// The environment variables the `fromEnv` functions read (the core's constants).
#[napi(object)]
pub struct EnvNames {
    /// `QENCODE_SIGNING_KEY`: the private key.
    pub signing_key: String,
    /// `QENCODE_SIGNING_KEY_ID`: its key id, when `Signer.fromEnv` is given none.
    pub signing_key_id: String,
    /// `QENCODE_API_KEY`: the client's API key.
    pub api_key: String,
}

/// The names of [`EnvNames`].
#[napi(catch_unwind)]
pub fn env_names() -> EnvNames {
    EnvNames {
        signing_key: qencode_cdn::SIGNING_KEY_ENV.to_string(),
        signing_key_id: qencode_cdn::SIGNING_KEY_ID_ENV.to_string(),
        api_key: qencode_cdn::client::API_KEY_ENV.to_string(),
    }
}

/// What a token grants that may be more than meant (`qencode_cdn::audit`,
/// or `audit_at` with `{ now }`); the signature is not checked.
#[napi(
    catch_unwind,
    ts_args_type = "token: string, options?: { now?: import('./lib/index').Time | null } | null",
    ts_return_type = "import('./lib/index').AuditWarning[]"
)]
pub fn audit(token: String, options: Option<Unknown<'_>>) -> napi::Result<client::Json, error::Code> {
    error::guard(|| {
        let warnings = match js::seconds_option(options, "audit option", "now")? {
            Some(now) => qencode_cdn::audit_at(&token, now)?,
            None => qencode_cdn::audit(&token)?,
        };
        Ok(client::Json(token::to_value(&warnings)?))
    })
}
