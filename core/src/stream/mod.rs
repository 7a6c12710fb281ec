//! Streams as the edge sees them (DESIGN §12): which requests of an HLS or
//! DASH playback belong to which live stream or bucket, which of them a
//! query token or the signed cookie covers, and what the edge answers.
//!
//! A player fetches a manifest, then variant playlists, init segments and
//! media segments, most of them by URLs relative to the manifest. A token in
//! the manifest URL's query does **not** follow to those (RFC 3986 resolution
//! drops the base's query), so "the master playlist loads, then every segment
//! is 403". A signed cookie does follow, if its `Path` and the token's `uri`
//! cover the folder; a player request modifier that adds the token to every
//! URL works everywhere. This module says, request by request, which of them
//! holds.
//!
//! - [`live_stream_of_path`] is the one definition of which paths belong to a
//!   live stream (the emulator's edge calls it too).
//! - [`stream_coverage`] (feature `client`) is a pure function: manifest text
//!   in, the coverage of every request it leads to out, no HTTP.
//! - [`check_stream`] (feature `client`) walks master → variants → the first
//!   N segments over HTTP and adds the edge's answer to each.

#[cfg(feature = "client")]
mod check;
#[cfg(feature = "client")]
mod coverage;
#[cfg(feature = "client")]
mod manifest;

#[cfg(feature = "client")]
pub use check::{DEFAULT_SEGMENTS, StreamCheckOptions, check_stream};
#[cfg(feature = "client")]
pub use coverage::{
    Carrier, CoverageOptions, FindingCode, ManifestFormat, RequestKind, StreamCookie, StreamKind, StreamReport,
    StreamRequest, StreamWarning, stream_coverage,
};

use crate::url::validate_playback_id;
use crate::verify::dot_segment;

/// The response header in which the emulated edge says why it refused (a
/// reason code such as `URI_MISMATCH: …` first); [`check_stream`] reads it
/// when present. The real edge sends no such header.
pub const REASON_HEADER: &str = "X-Qencode-Emulator-Reason";

/// The folder under which every request of a live stream on its default
/// host `play-{playback_id}.qencode.com` lives: the master playlist
/// ([`crate::url::LIVE_PLAYLIST_PATH`]), its variant playlists and segments.
pub const LIVE_MEDIA_ROOT: &str = "/qhls/qlive/";

/// Which live host a request went to, for [`live_stream_of_path`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveHost<'a> {
    /// `play-{playback_id}.qencode.com`: the host names the stream.
    Default {
        /// The playback id in the host name.
        playback_id: &'a str,
    },
    /// A live custom domain: the path names the stream.
    CustomDomain,
}

/// The playback id of the live stream a request path belongs to, or `None`
/// when the path is part of no stream.
///
/// **A decision, kept here and nowhere else.** The reference gives only the
/// playlist URLs (`/qhls/qlive/playlist.m3u8` on `play-{id}.qencode.com`,
/// `/{id}.m3u8` on a live custom domain), not where variant playlists and
/// segments live. We decide:
///
/// - on the default host, every path under [`LIVE_MEDIA_ROOT`] belongs to the
///   stream the host names;
/// - on a live custom domain, `/{id}.m3u8` and every path under `/{id}/`
///   belong to stream `{id}`.
///
/// A token whose `uri` is the playback id covers all of them. `path` is the
/// request path as sent (percent-encoded, without the query); a path with a
/// `.` or `..` segment, raw or percent-encoded, belongs to no stream.
///
/// ```
/// use qencode_cdn::stream::{LiveHost, live_stream_of_path};
/// let host = LiveHost::Default { playback_id: "abc" };
/// assert_eq!(live_stream_of_path(host, "/qhls/qlive/playlist.m3u8").as_deref(), Some("abc"));
/// assert_eq!(live_stream_of_path(host, "/qhls/qlive/v0/seg12.ts").as_deref(), Some("abc"));
/// assert_eq!(live_stream_of_path(host, "/index.m3u8"), None);
/// assert_eq!(live_stream_of_path(LiveHost::CustomDomain, "/abc.m3u8").as_deref(), Some("abc"));
/// assert_eq!(live_stream_of_path(LiveHost::CustomDomain, "/abc/v0/seg1.ts").as_deref(), Some("abc"));
/// assert_eq!(live_stream_of_path(LiveHost::CustomDomain, "/abc/../xyz/seg1.ts"), None);
/// ```
pub fn live_stream_of_path(host: LiveHost<'_>, path: &str) -> Option<String> {
    if dot_segment(path).is_some() {
        return None;
    }
    match host {
        LiveHost::Default { playback_id } => {
            let rest = path.strip_prefix(LIVE_MEDIA_ROOT)?;
            (!rest.is_empty() && validate_playback_id(playback_id).is_ok()).then(|| playback_id.to_string())
        }
        LiveHost::CustomDomain => {
            let rest = path.strip_prefix('/')?;
            let id = match rest.split_once('/') {
                Some((id, tail)) if !tail.is_empty() => id,
                Some(_) => return None,
                None => rest.strip_suffix(".m3u8")?,
            };
            validate_playback_id(id).is_ok().then(|| id.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_paths_belong_to_the_stream_the_host_or_first_segment_names() {
        let d = LiveHost::Default { playback_id: "pid-1" };
        assert_eq!(live_stream_of_path(d, "/qhls/qlive/").as_deref(), None);
        assert_eq!(live_stream_of_path(d, "/qhls/qlive/a/b/c.ts").as_deref(), Some("pid-1"));
        assert_eq!(live_stream_of_path(d, "/qhls/qlive/%2e%2e/x.ts"), None);
        assert_eq!(live_stream_of_path(d, "/qhls/qlivex/a.ts"), None);
        let bad = LiveHost::Default { playback_id: "a.b" };
        assert_eq!(live_stream_of_path(bad, "/qhls/qlive/playlist.m3u8"), None);
        let c = LiveHost::CustomDomain;
        assert_eq!(live_stream_of_path(c, "/pid-1/"), None);
        assert_eq!(live_stream_of_path(c, "/pid-1"), None);
        assert_eq!(live_stream_of_path(c, "/a.b/x.ts"), None);
        assert_eq!(live_stream_of_path(c, "/pid-1.m3u8").as_deref(), Some("pid-1"));
        assert_eq!(live_stream_of_path(c, "/.m3u8"), None);
        assert_eq!(live_stream_of_path(c, "nopath"), None);
    }
}
