//! The media the edge serves: the fixtures of `emulator/fixtures/` (made by
//! its `make.sh` with ffmpeg, embedded here), a 4-second test pattern in two
//! renditions cut into 1-second segments.
//!
//! - A storage folder ([`VOD_FILES`]): `master.m3u8` (HLS, fMP4) and
//!   `manifest.mpd` (DASH, `SegmentTemplate`) over the same CMAF segments.
//! - A live stream: the master playlist, and for each rendition a live media
//!   playlist written at request time — a sliding window of
//!   [`LIVE_WINDOW`] segments numbered by the seconds since the emulator's
//!   live clock started (its first live playlist), the four
//!   fixture segments looped with `EXT-X-DISCONTINUITY` where the loop
//!   starts again — so a player keeps fetching playlists and segments for as
//!   long as it plays (a token that expires mid-session shows).

use std::sync::OnceLock;
use std::time::Instant;

/// The files of the storage fixture, by name within their folder.
pub const VOD_FILES: [(&str, &[u8]); 14] = [
    ("master.m3u8", include_bytes!("../fixtures/vod/master.m3u8")),
    ("media_0.m3u8", include_bytes!("../fixtures/vod/media_0.m3u8")),
    ("media_1.m3u8", include_bytes!("../fixtures/vod/media_1.m3u8")),
    ("manifest.mpd", include_bytes!("../fixtures/vod/manifest.mpd")),
    ("init-0.m4s", include_bytes!("../fixtures/vod/init-0.m4s")),
    ("init-1.m4s", include_bytes!("../fixtures/vod/init-1.m4s")),
    ("seg-0-1.m4s", include_bytes!("../fixtures/vod/seg-0-1.m4s")),
    ("seg-0-2.m4s", include_bytes!("../fixtures/vod/seg-0-2.m4s")),
    ("seg-0-3.m4s", include_bytes!("../fixtures/vod/seg-0-3.m4s")),
    ("seg-0-4.m4s", include_bytes!("../fixtures/vod/seg-0-4.m4s")),
    ("seg-1-1.m4s", include_bytes!("../fixtures/vod/seg-1-1.m4s")),
    ("seg-1-2.m4s", include_bytes!("../fixtures/vod/seg-1-2.m4s")),
    ("seg-1-3.m4s", include_bytes!("../fixtures/vod/seg-1-3.m4s")),
    ("seg-1-4.m4s", include_bytes!("../fixtures/vod/seg-1-4.m4s")),
];

/// The master playlist of the live fixture (variants `v0/index.m3u8`, `v1/index.m3u8`).
const LIVE_MASTER: &str = include_str!("../fixtures/live/playlist.m3u8");

/// The live fixture's MPEG-TS segments, per rendition.
const LIVE_SEGMENTS: [[&[u8]; 4]; 2] = [
    [
        include_bytes!("../fixtures/live/v0/seg0.ts"),
        include_bytes!("../fixtures/live/v0/seg1.ts"),
        include_bytes!("../fixtures/live/v0/seg2.ts"),
        include_bytes!("../fixtures/live/v0/seg3.ts"),
    ],
    [
        include_bytes!("../fixtures/live/v1/seg0.ts"),
        include_bytes!("../fixtures/live/v1/seg1.ts"),
        include_bytes!("../fixtures/live/v1/seg2.ts"),
        include_bytes!("../fixtures/live/v1/seg3.ts"),
    ],
];

/// Seconds of media in one live segment.
pub const LIVE_SEGMENT_SECONDS: u64 = 1;

/// Segments in a live media playlist.
pub const LIVE_WINDOW: u64 = 6;

/// The content type of a live response.
pub(crate) const M3U8: &str = "application/vnd.apple.mpegurl";
const TS: &str = "video/mp2t";

/// The live master playlist, its variant URIs under `prefix` (`""` on the
/// default host, where the master is `/qhls/qlive/playlist.m3u8`;
/// `"{playback_id}/"` on a custom domain, where it is `/{playback_id}.m3u8`).
pub(crate) fn live_master(prefix: &str) -> String {
    LIVE_MASTER
        .lines()
        .map(|l| {
            if l.starts_with('#') || l.is_empty() {
                l.to_string()
            } else {
                format!("{prefix}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// The live clock: seconds since the first live playlist this process
/// served, plus a full window (the first playlist has every segment).
///
/// Not Unix seconds: with segments numbered from Unix time, the
/// `EXT-X-DISCONTINUITY-SEQUENCE` (one per loop of the fixture) is near
/// 4.5e8, and hls.js 1.7.4 then blocks the page's main thread for seconds
/// at every playlist load — the work grows with that number (1e8: ~0.6 s) —
/// and playback stalls. A media sequence near 1.8e9 alone does not. Real
/// streams count from their start, as this clock does.
fn now_secs() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs() + LIVE_WINDOW * LIVE_SEGMENT_SECONDS
}

/// The live media playlist at second `now` of the live clock:
/// the last [`LIVE_WINDOW`] complete segments (`now` ≥ the window).
pub(crate) fn live_media_playlist(now: u64) -> String {
    let loop_len = LIVE_SEGMENTS[0].len() as u64;
    let last = now / LIVE_SEGMENT_SECONDS - 1;
    let first = last + 1 - LIVE_WINDOW;
    let mut out = format!(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:{LIVE_SEGMENT_SECONDS}\n#EXT-X-MEDIA-SEQUENCE:{first}\n#EXT-X-DISCONTINUITY-SEQUENCE:{}\n",
        first / loop_len
    );
    for n in first..=last {
        if n % loop_len == 0 && n != first {
            out.push_str("#EXT-X-DISCONTINUITY\n");
        }
        out.push_str(&format!("#EXTINF:{LIVE_SEGMENT_SECONDS}.000,\nseg{n}.ts\n"));
    }
    out
}

/// What the live fixture serves at `rest`, the path below the stream's
/// root (`v0/index.m3u8`, `v1/seg42.ts`): content type and body.
pub(crate) fn live_file(rest: &str) -> Option<(&'static str, Vec<u8>)> {
    let (variant, file) = rest.split_once('/')?;
    let v: usize = variant.strip_prefix('v')?.parse().ok()?;
    let segments = LIVE_SEGMENTS.get(v)?;
    if file == "index.m3u8" {
        return Some((M3U8, live_media_playlist(now_secs()).into_bytes()));
    }
    let n: u64 = file.strip_prefix("seg")?.strip_suffix(".ts")?.parse().ok()?;
    let body = segments[(n % segments.len() as u64) as usize];
    Some((TS, body.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_playlists_slide_with_the_clock_and_mark_each_loop() {
        let p = live_media_playlist(1_000);
        assert!(p.contains("#EXT-X-MEDIA-SEQUENCE:994\n"), "{p}");
        assert!(p.contains("#EXT-X-DISCONTINUITY-SEQUENCE:248\n"), "{p}");
        assert_eq!(p.matches("#EXTINF").count(), LIVE_WINDOW as usize);
        assert!(p.contains("#EXT-X-DISCONTINUITY\n#EXTINF:1.000,\nseg996.ts\n"), "{p}");
        assert!(!p.contains("ENDLIST"));
        let (kind, body) = live_file("v1/seg5.ts").unwrap();
        assert_eq!((kind, body.as_slice()), (TS, LIVE_SEGMENTS[1][1]));
        assert!(live_file("v2/seg1.ts").is_none());
        assert!(live_file("v0/other.ts").is_none());
        assert!(live_master("pid/").contains("\npid/v0/index.m3u8\n"));
        let first = live_media_playlist(now_secs());
        assert_eq!(first.matches("#EXTINF").count(), LIVE_WINDOW as usize);
        assert!(now_secs() < 1_000_000, "segments count from the emulator's start");
    }
}
