//! The four URL builders (DESIGN §3), each with an optional token.

use napi_derive::napi;

use crate::error::{Code, guard};

#[napi(catch_unwind)]
pub fn live_playback_url(playback_id: String, token: Option<String>) -> napi::Result<String, Code> {
    guard(|| qencode_cdn::live_playback_url(&playback_id, token.as_deref()))
}

#[napi(catch_unwind)]
pub fn live_custom_domain_url(
    domain: String,
    playback_id: String,
    token: Option<String>,
) -> napi::Result<String, Code> {
    guard(|| qencode_cdn::live_custom_domain_url(&domain, &playback_id, token.as_deref()))
}

#[napi(catch_unwind)]
pub fn storage_url(bucket: String, region: String, key: String, token: Option<String>) -> napi::Result<String, Code> {
    guard(|| qencode_cdn::storage_url(&bucket, &region, &key, token.as_deref()))
}

#[napi(catch_unwind)]
pub fn storage_custom_domain_url(domain: String, key: String, token: Option<String>) -> napi::Result<String, Code> {
    guard(|| qencode_cdn::storage_custom_domain_url(&domain, &key, token.as_deref()))
}

/// Adds `auth=<token>` to any URL, keeping its query.
#[napi(catch_unwind)]
pub fn with_token(url: String, token: String) -> napi::Result<String, Code> {
    guard(|| qencode_cdn::with_token(&url, &token))
}
