//! Checks on arguments before any I/O, and path-segment encoding.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::{Error, Result};

/// Everything but RFC 3986 unreserved characters is encoded in a path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Longest id we send (UUIDs are 36).
pub(crate) const MAX_ID_LEN: usize = 128;
/// Longest signing key name, purge path or CORS value we send.
pub(crate) const MAX_TEXT_LEN: usize = 1024;

/// Percent-encodes one path segment.
pub(crate) fn segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// An object id (domain, TLS subscription, signing key, stream): 1 to 128
/// visible ASCII characters, no `/`, `?`, `#`, `%`, and not `.` or `..`.
pub(crate) fn id(what: &str, value: &str) -> Result<()> {
    let ok = !value.is_empty()
        && value.len() <= MAX_ID_LEN
        && value
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'/' | b'?' | b'#' | b'%' | b'\\'))
        && value != "."
        && value != "..";
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "{what} `{}` must be 1 to {MAX_ID_LEN} visible ASCII characters without `/ ? # % \\`",
            shown(value)
        )))
    }
}

/// Free text (a key name, a purge path, a CORS value): 1 to 1024 characters,
/// no control characters.
pub(crate) fn text(what: &str, value: &str) -> Result<()> {
    if value.is_empty() || value.len() > MAX_TEXT_LEN {
        return Err(Error::InvalidArgument(format!(
            "{what} must be 1 to {MAX_TEXT_LEN} bytes, got {}",
            value.len()
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::InvalidArgument(format!(
            "{what} `{}` contains a control character",
            shown(value)
        )));
    }
    Ok(())
}

/// An HTTP header name (RFC 9110 token), for CORS headers.
pub(crate) fn header_name(value: &str) -> Result<()> {
    let ok = !value.is_empty()
        && value.len() <= 256
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "CORS header `{}` is not an HTTP header name",
            shown(value)
        )))
    }
}

/// A value for messages: escaped and cut to 80 characters.
pub(crate) fn shown(value: &str) -> String {
    let mut s: String = value.chars().take(80).collect::<String>().escape_debug().to_string();
    if value.chars().count() > 80 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded() {
        assert_eq!(segment("aeac03d6-beb0_x.y~z"), "aeac03d6-beb0_x.y~z");
        assert_eq!(segment("a b/c?d#é"), "a%20b%2Fc%3Fd%23%C3%A9");
        assert_eq!(segment("Access-Control-Allow-Origin"), "Access-Control-Allow-Origin");
    }

    #[test]
    fn ids_are_checked() {
        assert!(id("domain id", "aeac03d6-beb0-4638-a094-fbc35653f931").is_ok());
        for bad in ["", ".", "..", "a/b", "a b", "a?b", "a%2F", "é", &"x".repeat(129)] {
            let e = id("domain id", bad).unwrap_err();
            assert_eq!(e.code(), crate::ErrorCode::InvalidArgument, "{bad}");
        }
    }

    #[test]
    fn text_and_header_names_are_checked() {
        assert!(text("name", "My signing key").is_ok());
        assert!(text("name", "").is_err());
        assert!(text("name", "a\nb").is_err());
        assert!(header_name("Access-Control-Max-Age").is_ok());
        assert!(header_name("Bad Header").is_err());
        assert!(header_name("").is_err());
    }
}
