//! The `Qencode-Auth-Token` signed cookie.
//!
//! From Qencode's public signed-cookie tutorial: the cookie is set for all
//! subdomains of the application's primary domain, playback goes through a
//! custom domain with its own signing key, and for HLS/DASH the token's `uri`
//! is the folder holding the master playlist, so every segment under it is
//! covered.

use std::fmt;

use serde::Serialize;

use crate::error::{Error, Result};

/// The cookie's name.
pub const COOKIE_NAME: &str = "Qencode-Auth-Token";

/// The cookie's `SameSite` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum SameSite {
    /// `SameSite=Lax` (default: sent to subdomains of the same site).
    #[default]
    Lax,
    /// `SameSite=Strict`.
    Strict,
    /// `SameSite=None` (requires `Secure`).
    None,
}

impl SameSite {
    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Lax => "Lax",
            SameSite::Strict => "Strict",
            SameSite::None => "None",
        }
    }

    /// Parses `lax`, `strict` or `none` (any case).
    pub fn parse(s: &str) -> Result<SameSite> {
        match s.to_ascii_lowercase().as_str() {
            "lax" => Ok(SameSite::Lax),
            "strict" => Ok(SameSite::Strict),
            "none" => Ok(SameSite::None),
            _ => Err(Error::invalid_argument(format!(
                "same_site must be Lax, Strict or None, got `{}`",
                s.escape_debug()
            ))),
        }
    }
}

/// Attributes of the cookie. Defaults: no Domain (host-only), Path derived
/// from the token's `uri`, `Secure`, `HttpOnly`, `SameSite=Lax`.
///
/// ```
/// use qencode_cdn::CookieOptions;
/// let o = CookieOptions::new().domain("example.com");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieOptions {
    domain: Option<String>,
    path: Option<String>,
    same_site: SameSite,
    secure: bool,
    http_only: bool,
}

impl Default for CookieOptions {
    fn default() -> Self {
        CookieOptions {
            domain: None,
            path: None,
            same_site: SameSite::Lax,
            secure: true,
            http_only: true,
        }
    }
}

impl CookieOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// `Domain=` — the application's primary domain, so every subdomain gets it.
    pub fn domain(mut self, d: impl Into<String>) -> Self {
        self.domain = Some(d.into());
        self
    }
    /// Overrides the `Path=` derived from the token's `uri`.
    pub fn path(mut self, p: impl Into<String>) -> Self {
        self.path = Some(p.into());
        self
    }
    /// `SameSite=`.
    pub fn same_site(mut self, s: SameSite) -> Self {
        self.same_site = s;
        self
    }
    /// `Secure` (default on). Turn off only for plain-HTTP local tests.
    pub fn secure(mut self, on: bool) -> Self {
        self.secure = on;
        self
    }
    /// `HttpOnly` (default on).
    pub fn http_only(mut self, on: bool) -> Self {
        self.http_only = on;
        self
    }
}

/// A signed cookie, ready to be sent as a `Set-Cookie` header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignedCookie {
    /// Always [`COOKIE_NAME`].
    pub name: String,
    /// The token.
    pub value: String,
    /// `Domain`, when set.
    pub domain: Option<String>,
    /// `Path`.
    pub path: String,
    /// `Max-Age` in seconds (absent for a token that never expires).
    pub max_age: Option<i64>,
    /// `Secure`.
    pub secure: bool,
    /// `HttpOnly`.
    pub http_only: bool,
    /// `SameSite`.
    pub same_site: SameSite,
}

impl SignedCookie {
    /// The value of a `Set-Cookie` header.
    pub fn header_value(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for SignedCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name, self.value)?;
        if let Some(d) = &self.domain {
            write!(f, "; Domain={d}")?;
        }
        write!(f, "; Path={}", self.path)?;
        if let Some(m) = self.max_age {
            write!(f, "; Max-Age={m}")?;
        }
        if self.secure {
            f.write_str("; Secure")?;
        }
        if self.http_only {
            f.write_str("; HttpOnly")?;
        }
        write!(f, "; SameSite={}", self.same_site.as_str())
    }
}

/// The cookie path for a token `uri`: the folder it covers. `videos/a/` →
/// `/videos/a/`; `videos/a/master.m3u8` or the prefix `videos/a` →
/// `/videos/` … `/videos/a/`; a playback id or `""` → `/`.
pub fn cookie_path_for_uri(uri: &str) -> String {
    let uri = uri.strip_prefix('/').unwrap_or(uri);
    match uri.rfind('/') {
        None => "/".to_string(),
        Some(i) => {
            let folder = &uri[..=i];
            let mut out = String::with_capacity(folder.len() + 1);
            out.push('/');
            for chunk in percent_encoding::utf8_percent_encode(folder, crate::url::KEY_KEEP) {
                out.push_str(chunk);
            }
            out
        }
    }
}

/// A cookie is sent for every path under its `Path`, so the token must cover
/// that whole folder: a `uri` holding `/` must end with `/` (a folder). A
/// token for one file (`videos/a/master.m3u8`) or a prefix (`videos/a`) with
/// the derived `Path=/videos/a/` or `/videos/` loads the playlist and then
/// gets 403 for every segment. A single-file cookie is still possible by
/// giving that file's path explicitly (`CookieOptions::path`).
fn check_cookie_uri(uri: &str) -> Result<()> {
    match uri.rfind('/') {
        Some(i) if i + 1 != uri.len() => Err(Error::invalid_argument(format!(
            "a cookie for `{u}` would be sent for every request under `/{folder}`, but the token covers only `{u}`: \
             the playlist would load and every segment get 403; sign the folder `{folder}` \
             (or give the file's own path to make a cookie for that one file)",
            u = uri.escape_debug(),
            folder = &uri[..=i],
        ))),
        _ => Ok(()),
    }
}

pub(crate) fn build(
    token: String,
    uri: &str,
    now: i64,
    exp: Option<i64>,
    opts: &CookieOptions,
) -> Result<SignedCookie> {
    let domain = match &opts.domain {
        Some(d) => {
            let d = d.strip_prefix('.').unwrap_or(d);
            crate::url::validate_domain(d)?;
            Some(d.to_string())
        }
        None => None,
    };
    let path = match &opts.path {
        Some(p) => {
            if !p.starts_with('/') || p.bytes().any(|b| b.is_ascii_control() || b == b';' || b == b' ') {
                return Err(Error::invalid_argument(
                    "cookie path must start with `/` and hold no spaces, `;` or control characters",
                ));
            }
            p.clone()
        }
        None => {
            check_cookie_uri(uri)?;
            cookie_path_for_uri(uri)
        }
    };
    if opts.same_site == SameSite::None && !opts.secure {
        return Err(Error::invalid_argument(
            "SameSite=None requires Secure; browsers drop such cookies",
        ));
    }
    Ok(SignedCookie {
        name: COOKIE_NAME.to_string(),
        value: token,
        domain,
        path,
        max_age: exp.map(|e| (e - now).max(0)),
        secure: opts.secure,
        http_only: opts.http_only,
        same_site: opts.same_site,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn path_is_the_folder_the_token_covers() {
        assert_eq!(cookie_path_for_uri(""), "/");
        assert_eq!(cookie_path_for_uri("abc-playback"), "/");
        assert_eq!(cookie_path_for_uri("videos/a/"), "/videos/a/");
        assert_eq!(cookie_path_for_uri("videos/a/master.m3u8"), "/videos/a/");
        assert_eq!(cookie_path_for_uri("vid eos/a"), "/vid%20eos/");
    }
}
