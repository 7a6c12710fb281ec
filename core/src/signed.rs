//! Conveniences on [`Signer`]: sign the `uri` a URL needs and add `auth`.

use crate::cookie::{self, CookieOptions, SignedCookie};
use crate::error::Result;
use crate::token::{SignOptions, Signer};
use crate::url;

impl Signer {
    /// A signed live playback URL on the default host (`uri` = playback id).
    ///
    /// ```
    /// # let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/rsa2048.pkcs1.pem")).unwrap();
    /// let signer = qencode_cdn::Signer::from_pem("k1", &pem)?;
    /// let url = signer.signed_live_url("abc123", &Default::default())?;
    /// assert!(url.starts_with("https://play-abc123.qencode.com/qhls/qlive/playlist.m3u8?auth=ey"));
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn signed_live_url(&self, playback_id: &str, opts: &SignOptions) -> Result<String> {
        url::validate_playback_id(playback_id)?;
        let token = self.sign(playback_id, opts)?;
        url::live_playback_url(playback_id, Some(&token))
    }

    /// A signed live playback URL on a custom domain (`uri` = playback id).
    pub fn signed_live_custom_domain_url(&self, domain: &str, playback_id: &str, opts: &SignOptions) -> Result<String> {
        url::validate_domain(domain)?;
        url::validate_playback_id(playback_id)?;
        let token = self.sign(playback_id, opts)?;
        url::live_custom_domain_url(domain, playback_id, Some(&token))
    }

    /// A signed storage URL on the default host (`uri` = the key).
    pub fn signed_storage_url(&self, bucket: &str, region: &str, key: &str, opts: &SignOptions) -> Result<String> {
        url::validate_bucket(bucket)?;
        url::validate_region(region)?;
        url::validate_key(key)?;
        let token = self.sign(url::storage_uri(key), opts)?;
        url::storage_url(bucket, region, key, Some(&token))
    }

    /// A signed storage URL on a custom domain (`uri` = the key).
    pub fn signed_storage_custom_domain_url(&self, domain: &str, key: &str, opts: &SignOptions) -> Result<String> {
        url::validate_domain(domain)?;
        url::validate_key(key)?;
        let token = self.sign(url::storage_uri(key), opts)?;
        url::storage_custom_domain_url(domain, key, Some(&token))
    }

    /// Signs `uri` and adds the token to any URL as `auth`, keeping its query.
    pub fn sign_url(&self, any_url: &str, uri: &str, opts: &SignOptions) -> Result<String> {
        let token = self.sign(uri, opts)?;
        url::with_token(any_url, &token)
    }

    /// A `Qencode-Auth-Token` cookie for `uri` (for HLS/DASH: the folder
    /// holding the master playlist, e.g. `videos/a/`). Max-Age follows `exp`.
    ///
    /// ```
    /// use qencode_cdn::{CookieOptions, SignOptions};
    /// # let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/rsa2048.pkcs1.pem")).unwrap();
    /// let signer = qencode_cdn::Signer::from_pem("k1", &pem)?;
    /// let c = signer.signed_cookie("videos/a/", &SignOptions::new(), &CookieOptions::new().domain("example.com"))?;
    /// let header = c.to_string();
    /// assert!(header.starts_with("Qencode-Auth-Token=ey"));
    /// assert!(header.ends_with("; Domain=example.com; Path=/videos/a/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax"));
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn signed_cookie(&self, uri: &str, opts: &SignOptions, cookie_opts: &CookieOptions) -> Result<SignedCookie> {
        // Max-Age follows the token's own `exp` (a cached signer rounds it
        // up), counted from one reading of the clock. An uncached signer
        // signs at that same second, so Max-Age is exactly the lifetime;
        // a cached one must not be pinned (pinned calls bypass its cache).
        let now = opts.now_pinned().unwrap_or_else(|| self.now_unix());
        let token = if self.cache_ref().is_some() {
            self.sign(uri, opts)?
        } else {
            self.sign(uri, &opts.clone().now(now))?
        };
        let exp = crate::verify::decode_unverified(&token)?.1.exp;
        cookie::build(token, uri, now, exp, cookie_opts)
    }
}
