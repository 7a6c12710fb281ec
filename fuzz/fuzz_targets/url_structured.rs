//! Structure-aware URLs: the four URL forms built from arbitrary host parts,
//! path segments (dot segments raw and percent-encoded, `%2F`, bad escapes,
//! non-UTF-8 escapes), query parameters and a token that is really signed
//! for a `uri` derived from the path (so coverage is decided for real).
//!
//! Properties: no panic; `explain` says ok only for a URL that `parse_url`
//! reads; a URL whose decoded path has a `.` or `..` segment is never ok
//! (DESIGN §3); an ok storage URL's key starts with the token's `uri`.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use qencode_cdn::{SignOptions, VerifyOptions, parse_url};
use qencode_cdn_fuzz::{signer, verifier};

const NOW: i64 = 1_700_000_000;

#[derive(Arbitrary, Debug)]
enum Scheme {
    Https,
    Http,
    Upper,
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum Label {
    Text(String),
    Ascii(u8, u8),
    Punycode,
    Empty,
}

#[derive(Arbitrary, Debug)]
enum Host {
    Live(Label),
    Storage(Label, Region),
    Custom(Vec<Label>),
    Ip(u8),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum Region {
    UsWest,
    EuCentral,
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum Segment {
    Text(String),
    Name(u8),
    Dot,
    DotDot,
    EncodedDot(u8),
    EncodedDotDot(u8),
    Slash,
    Empty,
    Byte(u8),
    BadEscape(u8),
    Encoded(String),
    Playlist,
    M3u8(String),
}

#[derive(Arbitrary, Debug)]
enum TokenArg {
    None,
    Garbage(String),
    /// Signed for the URL's own path, or a prefix of it of this many characters.
    ForPath(Option<u8>),
    Signed(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    scheme: Scheme,
    userinfo: Option<String>,
    host: Host,
    port: Option<u16>,
    path: Vec<Segment>,
    trailing_slash: bool,
    query: Vec<(String, String)>,
    token: TokenArg,
    token_first: bool,
    fragment: Option<String>,
    expired: bool,
}

fn label(l: &Label, out: &mut String) {
    match l {
        Label::Text(s) => out.push_str(s),
        Label::Ascii(a, n) => {
            for i in 0..(*n % 70) {
                out.push(char::from(b'a' + (a.wrapping_add(i)) % 26));
            }
        }
        Label::Punycode => out.push_str("xn--bcher-kva"),
        Label::Empty => {}
    }
}

fn segment(s: &Segment, out: &mut String) {
    match s {
        Segment::Text(t) => out.push_str(t),
        Segment::Name(n) => {
            out.push_str(["videos", "a", "b.mp4", "hls", "master.m3u8", "seg-1.ts"][usize::from(*n) % 6])
        }
        Segment::Dot => out.push('.'),
        Segment::DotDot => out.push_str(".."),
        Segment::EncodedDot(k) => out.push_str(["%2e", "%2E"][usize::from(*k) % 2]),
        Segment::EncodedDotDot(k) => {
            out.push_str(["%2e%2e", "%2E%2E", ".%2e", "%2e.", "%2E.", "%252e%252e"][usize::from(*k) % 6])
        }
        Segment::Slash => out.push_str("%2F"),
        Segment::Empty => {}
        Segment::Byte(b) => out.push_str(&format!("%{b:02X}")),
        Segment::BadEscape(k) => out.push_str(["%", "%g1", "%2", "%%", "%C3", "%FF%FE"][usize::from(*k) % 6]),
        Segment::Encoded(t) => {
            for b in t.bytes() {
                out.push_str(&format!("%{b:02x}"));
            }
        }
        Segment::Playlist => out.push_str("qhls/qlive/playlist.m3u8"),
        Segment::M3u8(t) => {
            out.push_str(t);
            out.push_str(".m3u8");
        }
    }
}

/// Whether the fully decoded path has a `.` or `..` segment (an origin that
/// normalises paths would resolve it), decoding at most twice.
fn has_dot_segment(path: &str) -> bool {
    let once = percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned();
    let twice = percent_encoding::percent_decode_str(&once)
        .decode_utf8_lossy()
        .into_owned();
    [path, &once, &twice]
        .iter()
        .any(|p| p.split('/').any(|s| s == "." || s == ".."))
}

fuzz_target!(|input: Input| {
    let mut url = match &input.scheme {
        Scheme::Https => "https://".to_string(),
        Scheme::Http => "http://".to_string(),
        Scheme::Upper => "HTTPS://".to_string(),
        Scheme::Other(s) => s.clone(),
    };
    if let Some(u) = &input.userinfo {
        url.push_str(u);
        url.push('@');
    }
    match &input.host {
        Host::Live(l) => {
            url.push_str("play-");
            label(l, &mut url);
            url.push_str(".qencode.com");
        }
        Host::Storage(b, r) => {
            label(b, &mut url);
            url.push_str(".media-storage.");
            match r {
                Region::UsWest => url.push_str("us-west"),
                Region::EuCentral => url.push_str("eu-central"),
                Region::Other(s) => url.push_str(s),
            }
            url.push_str(".qencode.com");
        }
        Host::Custom(labels) => {
            for (i, l) in labels.iter().enumerate() {
                if i > 0 {
                    url.push('.');
                }
                label(l, &mut url);
            }
        }
        Host::Ip(k) => url.push_str(["127.0.0.1", "[::1]", "10.0.0.1", "0", "999.1.1.1"][usize::from(*k) % 5]),
        Host::Raw(s) => url.push_str(s),
    }
    if let Some(p) = input.port {
        url.push_str(&format!(":{p}"));
    }
    let mut path = String::new();
    for s in &input.path {
        path.push('/');
        segment(s, &mut path);
    }
    if input.trailing_slash {
        path.push('/');
    }
    url.push_str(&path);

    let token = match &input.token {
        TokenArg::None => None,
        TokenArg::Garbage(g) => Some(g.clone()),
        TokenArg::ForPath(prefix) => {
            let decoded = percent_encoding::percent_decode_str(&path)
                .decode_utf8_lossy()
                .into_owned();
            let key = decoded.strip_prefix('/').unwrap_or(&decoded);
            let uri = match prefix {
                Some(n) => key.chars().take(usize::from(*n)).collect(),
                None => key.to_string(),
            };
            let opts = if input.expired {
                SignOptions::new().now(NOW - 7200)
            } else {
                SignOptions::new().now(NOW)
            };
            signer().sign(&uri, &opts).ok()
        }
        TokenArg::Signed(uri) => signer().sign(uri, &SignOptions::new().now(NOW)).ok(),
    };
    let mut params: Vec<String> = input.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if let Some(t) = &token {
        let p = format!("auth={t}");
        if input.token_first {
            params.insert(0, p);
        } else {
            params.push(p);
        }
    }
    if !params.is_empty() {
        url.push('?');
        url.push_str(&params.join("&"));
    }
    if let Some(f) = &input.fragment {
        url.push('#');
        url.push_str(f);
    }

    let parsed = parse_url(&url);
    let explained = verifier().explain_with(&url, &VerifyOptions::new().now(NOW));
    let _ = explained.to_json();
    if explained.ok {
        let parsed = parsed.expect("explain said ok for a URL parse_url refuses");
        if let qencode_cdn::Resource::Storage { key } = &parsed.resource {
            let claims = explained.claims.as_ref().expect("an ok explanation has claims");
            assert!(
                key.starts_with(&claims.uri),
                "ok, but `{key}` does not start with `{}`",
                claims.uri
            );
            let url_path = url.split(['?', '#']).next().unwrap_or("");
            let url_path = url_path.splitn(4, '/').nth(3).unwrap_or("");
            assert!(
                !has_dot_segment(url_path),
                "a path with a dot segment was covered: {url}"
            );
        }
    }
});
