//! Playback and storage URLs (DESIGN.md §3), with host-part validation and
//! per-segment percent-encoding. Each builder allocates exactly once: the
//! returned string, sized up front.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::verify::Resource;

/// Media storage regions the reference lists ("Currently available … are
/// us-west and eu-central"). A new region is one line here.
pub const KNOWN_REGIONS: [&str; 2] = ["us-west", "eu-central"];
/// Query parameter that carries the token.
pub const AUTH_PARAM: &str = "auth";
/// Path of a live stream on its default playback host.
pub const LIVE_PLAYLIST_PATH: &str = "/qhls/qlive/playlist.m3u8";
/// Parent domain of the default live and storage hosts.
pub const QENCODE_DOMAIN: &str = "qencode.com";

/// Bytes kept as they are in a key: RFC 3986 unreserved, and `/` between segments.
pub(crate) const KEY_KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// Which of the four URL forms a URL has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UrlForm {
    /// `https://play-{playback_id}.qencode.com/qhls/qlive/playlist.m3u8`
    LivePlayback,
    /// `https://{domain}/{playback_id}.m3u8`
    LiveCustomDomain,
    /// `https://{bucket}.media-storage.{region}.qencode.com/{key}`
    Storage,
    /// `https://{domain}/{key}`
    StorageCustomDomain,
}

fn bad(msg: String) -> Error {
    Error::invalid_argument(msg)
}

/// Checks a live stream playback id: letters, digits and `-`, so that
/// `play-{id}` is one DNS label (at most 63 characters).
pub fn validate_playback_id(id: &str) -> Result<()> {
    if id.is_empty() || id.len() > 63 - "play-".len() {
        return Err(bad(format!("playback id must be 1 to 58 characters, got {}", id.len())));
    }
    if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') || id.ends_with('-') {
        return Err(bad(format!(
            "playback id `{}` may hold only letters, digits and `-` (not at the end)",
            id.escape_debug()
        )));
    }
    Ok(())
}

/// Checks a DNS host name (custom domains, cookie domains).
pub fn validate_domain(domain: &str) -> Result<()> {
    let shown = domain.escape_debug();
    if domain.is_empty() || domain.len() > 253 {
        return Err(bad(format!("domain `{shown}` must be 1 to 253 characters")));
    }
    if !domain.contains('.') {
        return Err(bad(format!(
            "domain `{shown}` needs at least two labels, like `cdn.example.com`"
        )));
    }
    for label in domain.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(bad(format!(
                "domain `{shown}` is not a valid host name (labels of letters, digits and inner `-`, no scheme, port or path)"
            )));
        }
    }
    Ok(())
}

/// Checks a bucket name: 3 to 63 lowercase letters, digits and inner `-`
/// (one DNS label under `media-storage.{region}.qencode.com`).
pub fn validate_bucket(bucket: &str) -> Result<()> {
    let ok = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !bucket.starts_with('-')
        && !bucket.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(bad(format!(
            "bucket `{}` must be 3 to 63 lowercase letters, digits and inner `-`",
            bucket.escape_debug()
        )))
    }
}

/// Checks a storage region against [`KNOWN_REGIONS`].
pub fn validate_region(region: &str) -> Result<()> {
    if KNOWN_REGIONS.contains(&region) {
        Ok(())
    } else {
        Err(bad(format!(
            "region `{}` is not one of {}",
            region.escape_debug(),
            KNOWN_REGIONS.join(", ")
        )))
    }
}

/// The token `uri` for an object key: the decoded key without a leading `/`.
pub fn storage_uri(key: &str) -> &str {
    key.strip_prefix('/').unwrap_or(key)
}

/// Checks an object key (after dropping a leading `/`): not empty, no `.`
/// or `..` segment (a client would normalise them away and the URL would no
/// longer match the token), no NUL.
pub fn validate_key(key: &str) -> Result<()> {
    let key = storage_uri(key);
    if key.is_empty() {
        return Err(bad("object key is empty".into()));
    }
    if key.contains('\0') {
        return Err(bad("object key contains a NUL character".into()));
    }
    if key.split('/').any(|seg| seg == "." || seg == "..") {
        return Err(bad(format!(
            "object key `{}` has a `.` or `..` segment",
            key.escape_debug()
        )));
    }
    Ok(())
}

/// A URL (after trimming the blanks around it, as a URL read from a file or
/// an environment variable has) may not hold spaces or control characters:
/// they belong percent-encoded, and taken raw they would become part of the
/// object key or the token.
fn check_url_chars(url: &str) -> Result<()> {
    match url.bytes().position(|b| b <= b' ' || b == 0x7f) {
        None => Ok(()),
        Some(i) => Err(bad(format!(
            "the URL has a space or control character at byte {i}; percent-encode it (a space is %20)"
        ))),
    }
}

/// Checks that a token can go in a query string unescaped (base64url and `.`).
pub fn validate_token_chars(token: &str) -> Result<()> {
    if token.is_empty()
        || !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(bad(
            "token must be a compact JWT (base64url parts separated by `.`)".into()
        ));
    }
    Ok(())
}

fn encoded_key_len(key: &str) -> usize {
    utf8_percent_encode(key, KEY_KEEP).map(str::len).sum()
}

fn push_encoded_key(out: &mut String, key: &str) {
    for chunk in utf8_percent_encode(key, KEY_KEEP) {
        out.push_str(chunk);
    }
}

fn token_len(token: Option<&str>) -> Result<usize> {
    match token {
        None => Ok(0),
        Some(t) => {
            validate_token_chars(t)?;
            Ok(2 + AUTH_PARAM.len() + t.len())
        }
    }
}

fn push_token(out: &mut String, token: Option<&str>) {
    if let Some(t) = token {
        out.push('?');
        out.push_str(AUTH_PARAM);
        out.push('=');
        out.push_str(t);
    }
}

/// `https://play-{playback_id}.qencode.com/qhls/qlive/playlist.m3u8[?auth=…]`
///
/// ```
/// let url = qencode_cdn::live_playback_url("abc123", None)?;
/// assert_eq!(url, "https://play-abc123.qencode.com/qhls/qlive/playlist.m3u8");
/// # Ok::<(), qencode_cdn::Error>(())
/// ```
pub fn live_playback_url(playback_id: &str, token: Option<&str>) -> Result<String> {
    validate_playback_id(playback_id)?;
    let len = "https://play-".len()
        + playback_id.len()
        + 1
        + QENCODE_DOMAIN.len()
        + LIVE_PLAYLIST_PATH.len()
        + token_len(token)?;
    let mut out = String::with_capacity(len);
    out.push_str("https://play-");
    out.push_str(playback_id);
    out.push('.');
    out.push_str(QENCODE_DOMAIN);
    out.push_str(LIVE_PLAYLIST_PATH);
    push_token(&mut out, token);
    debug_assert_eq!(out.len(), len);
    Ok(out)
}

/// `https://{domain}/{playback_id}.m3u8[?auth=…]`
///
/// ```
/// let url = qencode_cdn::live_custom_domain_url("live.example.com", "abc123", None)?;
/// assert_eq!(url, "https://live.example.com/abc123.m3u8");
/// # Ok::<(), qencode_cdn::Error>(())
/// ```
pub fn live_custom_domain_url(domain: &str, playback_id: &str, token: Option<&str>) -> Result<String> {
    validate_domain(domain)?;
    validate_playback_id(playback_id)?;
    let len = "https://".len() + domain.len() + 1 + playback_id.len() + ".m3u8".len() + token_len(token)?;
    let mut out = String::with_capacity(len);
    out.push_str("https://");
    out.push_str(domain);
    out.push('/');
    out.push_str(playback_id);
    out.push_str(".m3u8");
    push_token(&mut out, token);
    debug_assert_eq!(out.len(), len);
    Ok(out)
}

/// `https://{bucket}.media-storage.{region}.qencode.com/{key}[?auth=…]`, the
/// key percent-encoded per segment.
///
/// ```
/// let url = qencode_cdn::storage_url("my-bucket", "us-west", "videos/a b.mp4", None)?;
/// assert_eq!(url, "https://my-bucket.media-storage.us-west.qencode.com/videos/a%20b.mp4");
/// # Ok::<(), qencode_cdn::Error>(())
/// ```
pub fn storage_url(bucket: &str, region: &str, key: &str, token: Option<&str>) -> Result<String> {
    validate_bucket(bucket)?;
    validate_region(region)?;
    validate_key(key)?;
    let key = storage_uri(key);
    let len = "https://".len()
        + bucket.len()
        + ".media-storage.".len()
        + region.len()
        + 1
        + QENCODE_DOMAIN.len()
        + 1
        + encoded_key_len(key)
        + token_len(token)?;
    let mut out = String::with_capacity(len);
    out.push_str("https://");
    out.push_str(bucket);
    out.push_str(".media-storage.");
    out.push_str(region);
    out.push('.');
    out.push_str(QENCODE_DOMAIN);
    out.push('/');
    push_encoded_key(&mut out, key);
    push_token(&mut out, token);
    debug_assert_eq!(out.len(), len);
    Ok(out)
}

/// `https://{domain}/{key}[?auth=…]`, the key percent-encoded per segment.
///
/// ```
/// let url = qencode_cdn::storage_custom_domain_url("media.example.com", "/a/ü.mp4", None)?;
/// assert_eq!(url, "https://media.example.com/a/%C3%BC.mp4");
/// # Ok::<(), qencode_cdn::Error>(())
/// ```
pub fn storage_custom_domain_url(domain: &str, key: &str, token: Option<&str>) -> Result<String> {
    validate_domain(domain)?;
    validate_key(key)?;
    let key = storage_uri(key);
    let len = "https://".len() + domain.len() + 1 + encoded_key_len(key) + token_len(token)?;
    let mut out = String::with_capacity(len);
    out.push_str("https://");
    out.push_str(domain);
    out.push('/');
    push_encoded_key(&mut out, key);
    push_token(&mut out, token);
    debug_assert_eq!(out.len(), len);
    Ok(out)
}

/// Adds (or replaces) the `auth` parameter of any URL, keeping its other
/// query parameters and fragment.
///
/// ```
/// let url = qencode_cdn::with_token("https://a.example.com/x.mp4?download=1#t=10", "h.p.s")?;
/// assert_eq!(url, "https://a.example.com/x.mp4?download=1&auth=h.p.s#t=10");
/// # Ok::<(), qencode_cdn::Error>(())
/// ```
pub fn with_token(url: &str, token: &str) -> Result<String> {
    validate_token_chars(token)?;
    let url = url.trim();
    check_url_chars(url)?;
    let (rest, fragment) = match url.find('#') {
        Some(i) => (&url[..i], Some(&url[i..])),
        None => (url, None),
    };
    let (base, query) = match rest.find('?') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let mut out = String::with_capacity(url.len() + token.len() + AUTH_PARAM.len() + 2);
    out.push_str(base);
    let mut sep = '?';
    if let Some(q) = query {
        for pair in q.split('&').filter(|p| !p.is_empty()) {
            let name = pair.split('=').next().unwrap_or("");
            if name == AUTH_PARAM {
                continue;
            }
            out.push(sep);
            out.push_str(pair);
            sep = '&';
        }
    }
    out.push(sep);
    out.push_str(AUTH_PARAM);
    out.push('=');
    out.push_str(token);
    if let Some(f) = fragment {
        out.push_str(f);
    }
    Ok(out)
}

/// A URL of one of the four forms, taken apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedUrl {
    /// Which form.
    pub form: UrlForm,
    /// The host.
    pub host: String,
    /// What the URL asks for.
    pub resource: Resource,
    /// The `auth` query parameter, if any.
    pub token: Option<String>,
    /// The bucket, for the default storage host.
    pub bucket: Option<String>,
    /// The region, for the default storage host.
    pub region: Option<String>,
}

/// Takes apart a URL of one of the four forms. On a custom domain, a path of
/// one segment `/{playback_id}.m3u8` is read as a live stream; anything else
/// as a storage key.
pub fn parse_url(url: &str) -> Result<ParsedUrl> {
    let url = url.trim();
    check_url_chars(url)?;
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| bad("the URL must start with https://".into()))?;
    let rest = rest.split('#').next().unwrap_or("");
    let host_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..host_end];
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("").to_ascii_lowercase();
    let after = &rest[host_end..];
    let (path, query) = match after.find('?') {
        Some(i) => (&after[..i], Some(&after[i + 1..])),
        None => (after, None),
    };
    let token = query.and_then(|q| {
        q.split('&')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| *k == AUTH_PARAM)
            .map(|(_, v)| percent_decode_str(v).decode_utf8_lossy().into_owned())
    });
    let decoded = percent_decode_str(path)
        .decode_utf8()
        .map_err(|_| bad("the URL path is not UTF-8 after percent-decoding".into()))?;
    let key = decoded.strip_prefix('/').unwrap_or(&decoded).to_string();

    let suffix = format!(".{QENCODE_DOMAIN}");
    if let Some(sub) = host.strip_suffix(&suffix) {
        if let Some(pid) = sub.strip_prefix("play-") {
            if path != LIVE_PLAYLIST_PATH {
                return Err(bad(format!("a live playback URL has the path {LIVE_PLAYLIST_PATH}")));
            }
            validate_playback_id(pid)?;
            return Ok(ParsedUrl {
                form: UrlForm::LivePlayback,
                host: host.clone(),
                resource: Resource::live(pid),
                token,
                bucket: None,
                region: None,
            });
        }
        if let Some((bucket, region)) = sub.split_once(".media-storage.") {
            validate_bucket(bucket)?;
            validate_region(region)?;
            return Ok(ParsedUrl {
                form: UrlForm::Storage,
                host: host.clone(),
                resource: Resource::storage(key),
                token,
                bucket: Some(bucket.to_string()),
                region: Some(region.to_string()),
            });
        }
    }
    validate_domain(&host)?;
    if let Some(pid) = key.strip_suffix(".m3u8") {
        if !pid.contains('/') && validate_playback_id(pid).is_ok() {
            return Ok(ParsedUrl {
                form: UrlForm::LiveCustomDomain,
                host,
                resource: Resource::live(pid),
                token,
                bucket: None,
                region: None,
            });
        }
    }
    Ok(ParsedUrl {
        form: UrlForm::StorageCustomDomain,
        host,
        resource: Resource::storage(key),
        token,
        bucket: None,
        region: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_host_parts_are_invalid_argument_not_urls() {
        let cases: Vec<Result<String>> = vec![
            live_playback_url("", None),
            live_playback_url("a.b", None),
            live_playback_url("abc/../x", None),
            live_playback_url(&"a".repeat(59), None),
            live_custom_domain_url("https://x.com", "abc", None),
            live_custom_domain_url("localhost", "abc", None),
            live_custom_domain_url("x.com:443", "abc", None),
            storage_url("Bucket", "us-west", "k", None),
            storage_url("ab", "us-west", "k", None),
            storage_url("my-bucket", "mars-1", "k", None),
            storage_url("my-bucket", "us-west", "", None),
            storage_url("my-bucket", "us-west", "a/../b", None),
            storage_custom_domain_url("a..b.com", "k", None),
            storage_custom_domain_url("ok.com", "k", Some("bad token&x=1")),
        ];
        for c in cases {
            assert_eq!(c.unwrap_err().code(), crate::ErrorCode::InvalidArgument);
        }
    }

    #[test]
    fn keys_are_encoded_per_segment() {
        let u = storage_url("b-1", "eu-central", "/dir one/ä?#%.mp4", Some("a.b.c")).unwrap();
        assert_eq!(
            u,
            "https://b-1.media-storage.eu-central.qencode.com/dir%20one/%C3%A4%3F%23%25.mp4?auth=a.b.c"
        );
        let p = parse_url(&u).unwrap();
        assert_eq!(p.form, UrlForm::Storage);
        assert_eq!(p.resource, Resource::storage("dir one/ä?#%.mp4"));
        assert_eq!(p.token.as_deref(), Some("a.b.c"));
    }

    #[test]
    fn parse_recognises_all_four_forms() {
        let p = parse_url("https://play-abc.qencode.com/qhls/qlive/playlist.m3u8?auth=t.t.t").unwrap();
        assert_eq!((p.form, p.resource), (UrlForm::LivePlayback, Resource::live("abc")));
        let p = parse_url("https://live.example.com/abc.m3u8").unwrap();
        assert_eq!((p.form, p.resource), (UrlForm::LiveCustomDomain, Resource::live("abc")));
        let p = parse_url("https://media.example.com/v/abc.m3u8").unwrap();
        assert_eq!(
            (p.form, p.resource),
            (UrlForm::StorageCustomDomain, Resource::storage("v/abc.m3u8"))
        );
        assert!(parse_url("ftp://x.com/a").is_err());
    }

    #[test]
    fn with_token_trims_and_refuses_raw_spaces_and_control_characters() {
        // Found by the `url` fuzz target: a URL read with its trailing newline.
        assert_eq!(
            with_token("https://a.com/x.mp4\n", "n.n.n").unwrap(),
            "https://a.com/x.mp4?auth=n.n.n"
        );
        for bad in [
            "https://a.com/x y.mp4",
            "https://a.com/x\ny",
            "https://a.com/x\0y",
            "https://a.com/\u{7f}",
        ] {
            assert!(with_token(bad, "n.n.n").is_err(), "{bad:?}");
            assert!(parse_url(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            parse_url(" https://a.com/x.mp4\n").unwrap().resource,
            Resource::storage("x.mp4")
        );
    }

    #[test]
    fn with_token_replaces_an_existing_auth() {
        assert_eq!(
            with_token("https://a.com/x?auth=old&b=1", "n.n.n").unwrap(),
            "https://a.com/x?b=1&auth=n.n.n"
        );
        assert_eq!(
            with_token("https://a.com/x", "n.n.n").unwrap(),
            "https://a.com/x?auth=n.n.n"
        );
    }
}
