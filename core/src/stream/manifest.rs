//! Reading manifests: what an HLS playlist (m3u8-rs) or a DASH MPD
//! (dash-mpd-core) makes a player request next, resolved against the
//! manifest's URL as a browser resolves it (the `url` crate, WHATWG rules).

use std::collections::HashSet;

use url::Url;

use super::coverage::{ManifestFormat, RequestKind};

/// One URL a manifest leads to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reference {
    pub url: Url,
    pub kind: RequestKind,
}

/// A manifest, read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Manifest {
    pub format: ManifestFormat,
    /// In the order a player meets them, without duplicates.
    pub references: Vec<Reference>,
    /// A live presentation (an HLS media playlist without `EXT-X-ENDLIST`, a
    /// dynamic MPD); `None` when the manifest does not say (an HLS master).
    pub live: Option<bool>,
    /// Seconds of media, when the manifest says (a finished HLS media
    /// playlist, a static MPD's `mediaPresentationDuration`).
    pub duration: Option<f64>,
}

/// Why a body could not be read as a manifest.
pub(crate) type ParseError = String;

/// The most references kept from one manifest (a bound on what a hostile
/// or huge manifest makes the check request).
const MAX_REFERENCES: usize = 200;

struct Collector<'a> {
    base: &'a Url,
    seen: HashSet<String>,
    out: Vec<Reference>,
}

impl<'a> Collector<'a> {
    fn new(base: &'a Url) -> Self {
        Collector {
            base,
            seen: HashSet::new(),
            out: Vec::new(),
        }
    }

    /// Resolves `uri` against `base` and keeps it once. `data:` and key
    /// systems' own schemes (`skd:`) are not requests to the edge.
    fn push(&mut self, base: &Url, uri: &str, kind: RequestKind) {
        let uri = uri.trim();
        if uri.is_empty() || self.out.len() >= MAX_REFERENCES {
            return;
        }
        let Ok(url) = base.join(uri) else { return };
        if url.scheme() != "http" && url.scheme() != "https" {
            return;
        }
        if self.seen.insert(url.as_str().to_string()) {
            self.out.push(Reference { url, kind });
        }
    }

    fn push_base(&mut self, uri: &str, kind: RequestKind) {
        let base = self.base;
        self.push(base, uri, kind);
    }
}

/// Reads `text` (fetched from `url`) as an HLS playlist or a DASH MPD and
/// lists what it references: variant and rendition playlists of a master;
/// init segments, keys and the first `segments` media segments of a media
/// playlist; the init and first `segments` media segments of every DASH
/// representation.
pub(crate) fn read(url: &Url, text: &str, segments: usize) -> Result<Manifest, ParseError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with("#EXTM3U") {
        read_hls(url, trimmed, segments)
    } else if trimmed.starts_with("<?xml") || trimmed.starts_with("<MPD") || trimmed.contains("<MPD") {
        read_dash(url, trimmed, segments)
    } else {
        Err("neither an HLS playlist (it does not start with #EXTM3U) nor a DASH MPD (no <MPD> element)".into())
    }
}

fn read_hls(url: &Url, text: &str, segments: usize) -> Result<Manifest, ParseError> {
    use m3u8_rs::Playlist;
    let playlist = m3u8_rs::parse_playlist_res(text.as_bytes())
        .map_err(|e| format!("not a valid HLS playlist: {}", short_nom_error(&e)))?;
    let mut c = Collector::new(url);
    match playlist {
        Playlist::MasterPlaylist(master) => {
            for v in master.variants.iter().filter(|v| !v.is_i_frame) {
                c.push_base(&v.uri, RequestKind::MediaPlaylist);
            }
            for alt in &master.alternatives {
                if let Some(uri) = &alt.uri {
                    c.push_base(uri, RequestKind::MediaPlaylist);
                }
            }
            for v in master.variants.iter().filter(|v| v.is_i_frame) {
                c.push_base(&v.uri, RequestKind::MediaPlaylist);
            }
            Ok(Manifest {
                format: ManifestFormat::HlsMaster,
                references: c.out,
                live: None,
                duration: None,
            })
        }
        Playlist::MediaPlaylist(media) => {
            for seg in media.segments.iter().take(segments) {
                if let Some(map) = &seg.map {
                    c.push_base(&map.uri, RequestKind::InitSegment);
                }
                if let Some(uri) = seg.key.as_ref().and_then(|k| k.uri.as_deref()) {
                    c.push_base(uri, RequestKind::Key);
                }
                c.push_base(&seg.uri, RequestKind::MediaSegment);
            }
            let duration = media
                .end_list
                .then(|| media.segments.iter().map(|s| f64::from(s.duration)).sum());
            Ok(Manifest {
                format: ManifestFormat::HlsMedia,
                references: c.out,
                live: Some(!media.end_list),
                duration,
            })
        }
    }
}

fn short_nom_error(e: &nom::Err<nom::error::Error<&[u8]>>) -> String {
    match e {
        nom::Err::Incomplete(_) => "the playlist ends too early".into(),
        nom::Err::Error(inner) | nom::Err::Failure(inner) => {
            let at: String = String::from_utf8_lossy(inner.input)
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(60)
                .collect();
            format!("cannot read the line `{}`", at.escape_debug())
        }
    }
}

/// The attributes of a `SegmentTemplate`, inherited Period → AdaptationSet →
/// Representation (a lower level overrides each attribute it sets).
#[derive(Debug, Clone, Default)]
struct Template {
    media: Option<String>,
    initialization: Option<String>,
    start_number: Option<u64>,
    duration: Option<f64>,
    timescale: Option<u64>,
    timeline: Option<Vec<dash_mpd_core::S>>,
}

impl Template {
    fn overlay(&self, t: Option<&dash_mpd_core::SegmentTemplate>) -> Template {
        let Some(t) = t else { return self.clone() };
        Template {
            media: t.media.clone().or_else(|| self.media.clone()),
            initialization: t
                .initialization
                .clone()
                .or_else(|| t.Initialization.as_ref().and_then(|i| i.sourceURL.clone()))
                .or_else(|| self.initialization.clone()),
            start_number: t.startNumber.or(self.start_number),
            duration: t.duration.or(self.duration),
            timescale: t.timescale.or(self.timescale),
            timeline: t
                .SegmentTimeline
                .as_ref()
                .map(|tl| tl.segments.clone())
                .or_else(|| self.timeline.clone()),
        }
    }

    fn is_set(&self) -> bool {
        self.media.is_some() || self.initialization.is_some()
    }
}

/// Expands `$RepresentationID$`, `$Bandwidth$`, `$Number$`, `$Time$` (each
/// with an optional `%0Nd` width) and `$$` in a template (ISO/IEC 23009-1
/// 5.3.9.4.4).
fn expand(template: &str, rep_id: &str, bandwidth: Option<u64>, number: u64, time: u64) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find('$') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('$') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let ident = &after[..end];
        let (name, format) = match ident.split_once('%') {
            Some((n, f)) => (n, Some(f)),
            None => (ident, None),
        };
        let width = format
            .and_then(|f| f.strip_prefix('0').unwrap_or(f).strip_suffix('d'))
            .and_then(|w| w.parse::<usize>().ok())
            .unwrap_or(0);
        let number_text = |n: u64| format!("{n:0width$}");
        match name {
            "" => out.push('$'),
            "RepresentationID" => out.push_str(rep_id),
            "Bandwidth" => out.push_str(&number_text(bandwidth.unwrap_or(0))),
            "Number" => out.push_str(&number_text(number)),
            "Time" => out.push_str(&number_text(time)),
            _ => {
                out.push('$');
                out.push_str(ident);
                out.push('$');
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// `(number, time)` of the first `n` segments of a template.
fn template_segments(t: &Template, n: usize) -> Vec<(u64, u64)> {
    let start = t.start_number.unwrap_or(1);
    let mut out = Vec::with_capacity(n);
    if let Some(timeline) = &t.timeline {
        let mut time = 0u64;
        let mut number = start;
        'outer: for s in timeline {
            if let Some(t0) = s.t {
                time = t0;
            }
            if let Some(n0) = s.n {
                number = n0;
            }
            // A negative repeat ("until the next S or the period's end") is taken as "many".
            let repeats = match s.r {
                Some(r) if r < 0 => n as i64,
                Some(r) => r,
                None => 0,
            };
            for _ in 0..=repeats {
                if out.len() >= n {
                    break 'outer;
                }
                out.push((number, time));
                number += 1;
                time = time.saturating_add(s.d);
            }
        }
    } else {
        let step = t.duration.unwrap_or(0.0).max(0.0) as u64;
        for i in 0..n as u64 {
            out.push((start + i, i.saturating_mul(step)));
        }
    }
    out
}

fn first_base(list: &[dash_mpd_core::BaseURL]) -> Option<&str> {
    list.first().map(|b| b.base.as_str())
}

fn read_dash(url: &Url, text: &str, segments: usize) -> Result<Manifest, ParseError> {
    let mpd = dash_mpd_core::parse(text).map_err(|e| format!("not a valid DASH MPD: {e}"))?;
    let mut c = Collector::new(url);
    let join =
        |base: &Url, b: Option<&str>| -> Url { b.and_then(|b| base.join(b).ok()).unwrap_or_else(|| base.clone()) };
    let mpd_base = join(url, first_base(&mpd.base_url));
    for period in &mpd.periods {
        let period_base = join(&mpd_base, first_base(&period.BaseURL));
        let period_t = Template::default().overlay(period.SegmentTemplate.as_ref());
        for set in &period.adaptations {
            let set_base = join(&period_base, first_base(&set.BaseURL));
            let set_t = period_t.overlay(set.SegmentTemplate.as_ref());
            for rep in &set.representations {
                let base = join(&set_base, first_base(&rep.BaseURL));
                let t = set_t.overlay(rep.SegmentTemplate.as_ref());
                let id = rep.id.as_deref().unwrap_or("");
                if t.is_set() {
                    if let Some(init) = &t.initialization {
                        c.push(&base, &expand(init, id, rep.bandwidth, 0, 0), RequestKind::InitSegment);
                    }
                    if let Some(media) = &t.media {
                        for (number, time) in template_segments(&t, segments) {
                            c.push(
                                &base,
                                &expand(media, id, rep.bandwidth, number, time),
                                RequestKind::MediaSegment,
                            );
                        }
                    }
                    continue;
                }
                let list = rep
                    .SegmentList
                    .as_ref()
                    .or(set.SegmentList.as_ref())
                    .or(period.SegmentList.as_ref());
                if let Some(list) = list {
                    if let Some(init) = list.Initialization.as_ref().and_then(|i| i.sourceURL.as_deref()) {
                        c.push(&base, init, RequestKind::InitSegment);
                    }
                    for s in list.segment_urls.iter().take(segments) {
                        match &s.media {
                            Some(m) => c.push(&base, m, RequestKind::MediaSegment),
                            None => c.push(&base, "", RequestKind::MediaSegment),
                        }
                    }
                    continue;
                }
                // SegmentBase, or nothing: the representation is its BaseURL.
                let init = rep
                    .SegmentBase
                    .as_ref()
                    .or(set.SegmentBase.as_ref())
                    .and_then(|b| b.Initialization.as_ref())
                    .and_then(|i| i.sourceURL.as_deref());
                if let Some(init) = init {
                    c.push(&base, init, RequestKind::InitSegment);
                }
                let own = base.as_str().to_string();
                c.push(&base, &own, RequestKind::MediaSegment);
            }
        }
    }
    let live = mpd.mpdtype.as_deref() == Some("dynamic");
    Ok(Manifest {
        format: ManifestFormat::Dash,
        references: c.out,
        live: Some(live),
        duration: if live {
            None
        } else {
            mpd.mediaPresentationDuration.map(|d| d.as_secs_f64())
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_expand_identifiers_widths_and_dollars() {
        assert_eq!(
            expand("seg-$RepresentationID$-$Number$.m4s", "v0", None, 7, 0),
            "seg-v0-7.m4s"
        );
        assert_eq!(expand("$Number%05d$.m4s", "", None, 7, 0), "00007.m4s");
        assert_eq!(
            expand("t$Time$-$Bandwidth$$$x", "", Some(150000), 1, 9000),
            "t9000-150000$x"
        );
        assert_eq!(expand("odd$Unknown$and$", "", None, 1, 0), "odd$Unknown$and$");
    }

    #[test]
    fn timelines_give_numbers_and_times() {
        let t = Template {
            start_number: Some(5),
            timeline: Some(vec![
                dash_mpd_core::S {
                    t: Some(100),
                    d: 10,
                    r: Some(2),
                    ..Default::default()
                },
                dash_mpd_core::S {
                    d: 20,
                    ..Default::default()
                },
            ]),
            ..Default::default()
        };
        assert_eq!(template_segments(&t, 5), vec![(5, 100), (6, 110), (7, 120), (8, 130)]);
        assert_eq!(template_segments(&t, 2), vec![(5, 100), (6, 110)]);
    }

    #[test]
    fn relative_uris_resolve_like_a_browser_and_drop_the_query() {
        let base = Url::parse("https://h.example.com/videos/intro/master.m3u8?auth=t.t.t").unwrap();
        let text = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv0/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2\n/abs/x.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=3\n../up.m3u8?x=1\n";
        let m = read(&base, text, 3).unwrap();
        let urls: Vec<&str> = m.references.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://h.example.com/videos/intro/v0/index.m3u8",
                "https://h.example.com/abs/x.m3u8",
                "https://h.example.com/videos/up.m3u8?x=1"
            ]
        );
        assert_eq!(m.format, ManifestFormat::HlsMaster);
    }
}
