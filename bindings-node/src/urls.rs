//! The four URL builders (DESIGN §3), each with an optional `{ token }`.

use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

use crate::error::{Code, guard};
use crate::js;

/// The `token` of a builder's `{ token }` argument.
fn token(options: Option<Unknown<'_>>) -> Result<Option<String>, qencode_cdn::Error> {
    js::string_option(options, "url option", "token")
}

#[napi(
    catch_unwind,
    ts_args_type = "playbackId: string, options?: import('./lib/index').UrlOptions | null"
)]
pub fn live_playback_url(playback_id: String, options: Option<Unknown<'_>>) -> napi::Result<String, Code> {
    guard(|| qencode_cdn::live_playback_url(&playback_id, token(options)?.as_deref()))
}

#[napi(
    catch_unwind,
    ts_args_type = "domain: string, playbackId: string, options?: import('./lib/index').UrlOptions | null"
)]
pub fn live_custom_domain_url(
    domain: String,
    playback_id: String,
    options: Option<Unknown<'_>>,
) -> napi::Result<String, Code> {
    guard(|| qencode_cdn::live_custom_domain_url(&domain, &playback_id, token(options)?.as_deref()))
}

#[napi(
    catch_unwind,
    ts_args_type = "bucket: string, region: string, key: string, options?: import('./lib/index').UrlOptions | null"
)]
pub fn storage_url(
    bucket: String,
    region: String,
    key: String,
    options: Option<Unknown<'_>>,
) -> napi::Result<String, Code> {
    guard(|| qencode_cdn::storage_url(&bucket, &region, &key, token(options)?.as_deref()))
}

#[napi(
    catch_unwind,
    ts_args_type = "domain: string, key: string, options?: import('./lib/index').UrlOptions | null"
)]
pub fn storage_custom_domain_url(
    domain: String,
    key: String,
    options: Option<Unknown<'_>>,
) -> napi::Result<String, Code> {
    guard(|| qencode_cdn::storage_custom_domain_url(&domain, &key, token(options)?.as_deref()))
}

/// Adds `auth=<token>` to any URL, keeping its query.
#[napi(catch_unwind)]
pub fn with_token(url: String, token: String) -> napi::Result<String, Code> {
    guard(|| qencode_cdn::with_token(&url, &token))
}
