//! Streams (DESIGN §12): the coverage of every request of an HLS or DASH
//! playback from manifest text, and the check over HTTP. The core decides
//! everything (`qencode_cdn::stream`); this converts JSON text.

use std::ffi::c_char;

use qcdn::KeyStyle;
use qcdn::stream::{CoverageOptions, StreamCheckOptions, check_stream, stream_coverage};

use crate::convert::{json_options, req_out, req_str, write_string};
use crate::error::qcdn_status;

/// Which request of a stream a query token or the signed cookie covers,
/// from the manifest's text alone (no I/O): the manifest at `manifest_url`
/// (HLS master or media playlist, or a DASH MPD), and the variant playlists,
/// init and first media segments it names, relative URIs resolved.
///
/// `options_json` (NULL = `{}`): `{"cookie": "<Set-Cookie value>",
/// "segments": 1..50, "stream": "live" | "storage", "now": <Unix seconds>}`,
/// read by the core's `CoverageOptions::from_json` (snake_case keys; unknown
/// keys and wrong types are `QCDN_ERR_INVALID_ARGUMENT`).
///
/// On success `*out_json` receives the report, to free with
/// `qcdn_string_free`: `ok`, `format`, `stream`, `fetched` (false here),
/// `requests` (each with `kind`, `url`, `carrier`, `covered`, `finding`,
/// `detail`; `status` null, as nothing was fetched), `findings`, `advice`,
/// `warnings`, `refused`. Text that is not a manifest is
/// `QCDN_ERR_INVALID_ARGUMENT`.
/// Thread safety: any thread.
///
/// # Safety
/// `manifest_url`, `manifest_text`, `options_json` NULL or NUL-terminated;
/// `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_stream_coverage(
    manifest_url: *const c_char,
    manifest_text: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_json, "out_json")?;
        // SAFETY: forwarded contracts.
        let (url, text, options) = unsafe {
            (
                req_str(manifest_url, "manifest_url")?,
                req_str(manifest_text, "manifest_text")?,
                json_options(options_json, "options_json")?,
            )
        };
        let opts = CoverageOptions::from_json(&options, KeyStyle::Snake)?;
        let report = stream_coverage(url, text, &opts)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_json, report.to_json()) }
    })
}

/// Checks a whole stream over HTTP as a player would: fetches the manifest
/// at `url`, walks every variant playlist and the init and first media
/// segments of each, and reports for each request which credential it
/// carried, whether that covers it, what the edge answered and, when it
/// refused, why (a stable finding code). Blocks for the requests (each
/// bounded by `timeout`).
///
/// `options_json` (NULL = `{}`): the keys of `qcdn_stream_coverage` and
/// `"connect_to": "ADDR:PORT"` (every request to that address, the URL's
/// host kept in `Host` and TLS SNI), `"origin"` (check CORS for a player on
/// that page), `"ca_pem"` (trust these PEM certificates instead of the
/// system's; TLS is always verified), `"timeout"` (seconds, 1..3600, default
/// 20), `"propagate_token"` (add the URL's token to every request, as a
/// player request modifier does), read by the core's
/// `StreamCheckOptions::from_json`.
///
/// A stream whose requests are refused is not an error: `QCDN_OK` with
/// `"ok": false` in the report (`*out_json`, free with `qcdn_string_free`).
/// The report has the shape of `qcdn_stream_coverage`'s, with `fetched`
/// true and each request's `status` and `edge_reason`. A bad URL or option
/// is `QCDN_ERR_INVALID_ARGUMENT`; a manifest that gets no answer at all is
/// `QCDN_ERR_TRANSPORT` or `QCDN_ERR_TIMEOUT`. Thread safety: any thread.
///
/// # Safety
/// `url`, `options_json` NULL or NUL-terminated; `out_json` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_stream_check(
    url: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_json, "out_json")?;
        // SAFETY: forwarded contracts.
        let (url, options) = unsafe { (req_str(url, "url")?, json_options(options_json, "options_json")?) };
        let opts = StreamCheckOptions::from_json(&options, KeyStyle::Snake)?;
        let report = check_stream(url, &opts)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_json, report.to_json()) }
    })
}
