//! Manifests from anywhere: arbitrary text as an HLS playlist or a DASH MPD
//! through `stream_coverage`, under the URL forms a player would load it
//! from, with or without a cookie. Never a panic; an accepted manifest gives
//! a report that serialises, lists the manifest itself first, and is `ok`
//! only when every request it lists is covered.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qencode_cdn::stream::{CoverageOptions, stream_coverage};

const URLS: [&str; 5] = [
    "https://play-abc123.qencode.com/qhls/qlive/playlist.m3u8?auth=a.b.c",
    "https://demo-bucket.media-storage.us-west.qencode.com/videos/intro/master.m3u8",
    "https://demo-bucket.media-storage.us-west.qencode.com/videos/intro/manifest.mpd?auth=a.b.c",
    "https://media.example.com/videos/intro/master.m3u8",
    "http://127.0.0.1:9/x.mpd",
];

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let opts = CoverageOptions {
        cookie: (head & 0x08 != 0).then(|| "Qencode-Auth-Token=a.b.c; Path=/videos/intro/".to_string()),
        segments: Some(usize::from(head >> 4) + 1),
        stream: None,
        now: Some(1_700_000_000),
    };
    let url = URLS[usize::from(head & 0x07) % URLS.len()];
    if let Ok(report) = stream_coverage(url, &text, &opts) {
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).expect("the report is JSON");
        let requests = json["requests"].as_array().expect("a list of requests");
        assert!(!requests.is_empty(), "an accepted manifest lists at least itself");
        if json["ok"] == true {
            assert!(
                requests.iter().all(|r| r["covered"] == true),
                "ok with an uncovered request: {json}"
            );
        }
    }
});
