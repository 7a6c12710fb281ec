//! The four URL forms of DESIGN.md §3, with an optional token.

use pyo3::prelude::*;

use crate::errors::map;

/// `https://play-{playback_id}.qencode.com/qhls/qlive/playlist.m3u8[?auth=token]`.
#[pyfunction]
#[pyo3(signature = (playback_id, *, token = None))]
pub(crate) fn live_playback_url(py: Python<'_>, playback_id: &str, token: Option<&str>) -> PyResult<String> {
    map(py, qencode_cdn::live_playback_url(playback_id, token))
}

/// `https://{domain}/{playback_id}.m3u8[?auth=token]`.
#[pyfunction]
#[pyo3(signature = (domain, playback_id, *, token = None))]
pub(crate) fn live_custom_domain_url(
    py: Python<'_>,
    domain: &str,
    playback_id: &str,
    token: Option<&str>,
) -> PyResult<String> {
    map(py, qencode_cdn::live_custom_domain_url(domain, playback_id, token))
}

/// `https://{bucket}.media-storage.{region}.qencode.com/{key}[?auth=token]`
/// (key percent-encoded per segment).
#[pyfunction]
#[pyo3(signature = (bucket, region, key, *, token = None))]
pub(crate) fn storage_url(
    py: Python<'_>,
    bucket: &str,
    region: &str,
    key: &str,
    token: Option<&str>,
) -> PyResult<String> {
    map(py, qencode_cdn::storage_url(bucket, region, key, token))
}

/// `https://{domain}/{key}[?auth=token]`.
#[pyfunction]
#[pyo3(signature = (domain, key, *, token = None))]
pub(crate) fn storage_custom_domain_url(
    py: Python<'_>,
    domain: &str,
    key: &str,
    token: Option<&str>,
) -> PyResult<String> {
    map(py, qencode_cdn::storage_custom_domain_url(domain, key, token))
}

/// Adds `token` to any URL as the `auth` query parameter, keeping its query.
#[pyfunction]
pub(crate) fn with_token(py: Python<'_>, url: &str, token: &str) -> PyResult<String> {
    map(py, qencode_cdn::with_token(url, token))
}
