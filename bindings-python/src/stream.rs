//! `stream_coverage` and `check_stream` (DESIGN §12): which requests of an
//! HLS or DASH playback a query token or the signed cookie covers, decided
//! by the core's `qencode_cdn::stream`; the report comes back as a `dict`.

use pyo3::prelude::*;
use qencode_cdn::KeyStyle;
use qencode_cdn::stream::{
    CoverageOptions, StreamCheckOptions, check_stream as core_check, stream_coverage as core_coverage,
};

use crate::convert::{Arg, json_to_py, options};
use crate::errors::{map, run};

/// The coverage of every request a player makes from `manifest_text` (the
/// manifest at `manifest_url`: HLS master or media playlist, or a DASH MPD),
/// without any HTTP. `cookie` is the viewer's `Set-Cookie` value, `segments`
/// how many media segments per playlist (default 3), `stream` `"live"` or
/// `"storage"` (a custom domain's kind), `now` the clock for token times.
/// Returns the report as a `dict` (`ok`, `requests`, `findings`, `advice`,
/// `warnings`, …); bad text or options raise `InvalidArgumentError`.
#[pyfunction]
#[pyo3(signature = (manifest_url, manifest_text, *, cookie = Arg::Missing, segments = Arg::Missing, stream = Arg::Missing, now = Arg::Missing))]
pub(crate) fn stream_coverage<'py>(
    py: Python<'py>,
    manifest_url: &str,
    manifest_text: &str,
    cookie: Arg<'_>,
    segments: Arg<'_>,
    stream: Arg<'_>,
    now: Arg<'_>,
) -> PyResult<Bound<'py, PyAny>> {
    let value = options(&[
        ("cookie", &cookie),
        ("segments", &segments),
        ("stream", &stream),
        ("now", &now),
    ])?;
    let opts = map(py, CoverageOptions::from_json(&value, KeyStyle::Snake))?;
    let report = map(py, core_coverage(manifest_url, manifest_text, &opts))?;
    json_to_py(py, &report.to_value())
}

/// Checks a whole stream over HTTP as a player would (the GIL released):
/// the manifest at `url`, every variant playlist, the init and first
/// `segments` media segments of each, with what the edge answered. The
/// options of `stream_coverage`, and `connect_to` (`"ADDR:PORT"`: every
/// request there, the URL's host kept), `origin` (check CORS for a player on
/// that page), `ca_pem` (trust these certificates; TLS is always verified),
/// `timeout` (seconds or `timedelta` per request), `propagate_token` (the
/// player request modifier). A refused request is in the report (`"ok":
/// False`), not an exception; no answer at all for the manifest raises
/// `TransportError` or `TimeoutError`.
#[pyfunction]
#[pyo3(signature = (url, *, cookie = Arg::Missing, segments = Arg::Missing, stream = Arg::Missing, now = Arg::Missing, connect_to = Arg::Missing, origin = Arg::Missing, ca_pem = Arg::Missing, timeout = Arg::Missing, propagate_token = Arg::Missing))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn check_stream<'py>(
    py: Python<'py>,
    url: &str,
    cookie: Arg<'_>,
    segments: Arg<'_>,
    stream: Arg<'_>,
    now: Arg<'_>,
    connect_to: Arg<'_>,
    origin: Arg<'_>,
    ca_pem: Arg<'_>,
    timeout: Arg<'_>,
    propagate_token: Arg<'_>,
) -> PyResult<Bound<'py, PyAny>> {
    let value = options(&[
        ("cookie", &cookie),
        ("segments", &segments),
        ("stream", &stream),
        ("now", &now),
        ("connect_to", &connect_to),
        ("origin", &origin),
        ("ca_pem", &ca_pem),
        ("timeout", &timeout),
        ("propagate_token", &propagate_token),
    ])?;
    let opts = map(py, StreamCheckOptions::from_json(&value, KeyStyle::Snake))?;
    let url = url.to_string();
    let report = run(py, move || core_check(&url, &opts))?;
    json_to_py(py, &report.to_value())
}
