//! `audit(token)`: what a token grants, in words — the grants that are wider
//! or longer than they look. It never verifies anything (no key needed): it
//! reads the claims and says what the edge would let through.
//!
//! ```
//! use qencode_cdn::{audit_at, AuditCode};
//! # let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/rsa2048.pkcs1.pem")).unwrap();
//! # let signer = qencode_cdn::Signer::from_pem("k", &pem)?;
//! let token = signer.sign("videos/a", &qencode_cdn::SignOptions::new().now(1_700_000_000))?;
//! let warnings = audit_at(&token, 1_700_000_000)?;
//! assert_eq!(warnings[0].code, AuditCode::PrefixCoversSiblings);
//! # Ok::<(), qencode_cdn::Error>(())
//! ```

use std::fmt;

use serde::Serialize;

use crate::error::Result;
use crate::token::Clock as _;
use crate::verify::{Claims, decode_unverified};

/// A lifetime longer than this (one day) is worth a warning.
pub const LONG_LIFETIME_SECS: i64 = 86_400;

/// What kind of wide grant a warning is about. Stable names (`as_str`) for
/// every language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuditCode {
    /// A storage `uri` without a trailing `/` is a plain prefix: `videos/a`
    /// also covers `videos/a.secret` and `videos/ab/…`.
    PrefixCoversSiblings,
    /// `uri` is `""`: the token grants every object of the bucket.
    WholeBucket,
    /// No `exp`: the token never expires.
    NeverExpires,
    /// Valid for more than [`LONG_LIFETIME_SECS`].
    LongLifetime,
    /// `uri` starts with `/`: it can never match an object key or a playback id.
    LeadingSlash,
}

impl AuditCode {
    /// The stable name, e.g. `"PREFIX_COVERS_SIBLINGS"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuditCode::PrefixCoversSiblings => "PREFIX_COVERS_SIBLINGS",
            AuditCode::WholeBucket => "WHOLE_BUCKET",
            AuditCode::NeverExpires => "NEVER_EXPIRES",
            AuditCode::LongLifetime => "LONG_LIFETIME",
            AuditCode::LeadingSlash => "LEADING_SLASH",
        }
    }
}

impl fmt::Display for AuditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing a token grants that may be more than meant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditWarning {
    /// Which kind.
    pub code: AuditCode,
    /// In words, with the token's own values.
    pub message: String,
}

/// Audits a token at the system clock's time. MALFORMED_TOKEN when it cannot
/// be read; otherwise the warnings, possibly none.
pub fn audit(token: &str) -> Result<Vec<AuditWarning>> {
    audit_at(token, crate::token::SystemClock.now_unix())
}

/// [`audit`] as if the time were `now` (Unix seconds).
pub fn audit_at(token: &str, now: i64) -> Result<Vec<AuditWarning>> {
    let (_, claims) = decode_unverified(token)?;
    Ok(audit_claims(&claims, now))
}

/// The warnings for already decoded claims (used by `explain` too).
pub(crate) fn audit_claims(claims: &Claims, now: i64) -> Vec<AuditWarning> {
    let mut out = Vec::new();
    let mut warn = |code: AuditCode, message: String| out.push(AuditWarning { code, message });
    let uri = claims.uri.as_str();
    if uri.is_empty() {
        warn(
            AuditCode::WholeBucket,
            "`uri` is empty: the token grants every object of the bucket (and no live stream)".into(),
        );
    } else if uri.starts_with('/') {
        warn(
            AuditCode::LeadingSlash,
            format!(
                "`uri` `{uri}` starts with `/`: object keys have none and playback ids hold none, so it can never match; sign `{}`",
                uri.trim_start_matches('/')
            ),
        );
    } else if !uri.ends_with('/') && crate::url::validate_playback_id(uri).is_err() {
        let (example_file, example_dir) = sibling_examples(uri);
        warn(
            AuditCode::PrefixCoversSiblings,
            format!(
                "`uri` `{uri}` is a plain prefix: it also covers `{example_file}` and `{example_dir}…`; end it with `/` to grant one folder"
            ),
        );
    }
    match claims.exp {
        None => warn(
            AuditCode::NeverExpires,
            "no `exp`: the token never expires; anyone who copies it keeps access".into(),
        ),
        Some(exp) => {
            let from = claims.nbf.map_or(now, |nbf| nbf.max(now));
            let lifetime = exp.saturating_sub(from);
            if lifetime > LONG_LIFETIME_SECS {
                warn(
                    AuditCode::LongLifetime,
                    format!(
                        "valid for {} more (until {}): more than a day",
                        crate::time::relative(lifetime).trim_start_matches("in "),
                        crate::time::utc(exp)
                    ),
                );
            }
        }
    }
    out
}

/// Two keys a prefix covers that its author may not mean.
fn sibling_examples(uri: &str) -> (String, String) {
    (format!("{uri}.secret"), format!("{uri}x/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    fn claims(uri: &str, exp: Option<i64>, nbf: Option<i64>) -> Claims {
        Claims {
            uri: uri.into(),
            exp,
            nbf,
            extra: Map::new(),
        }
    }

    fn codes(c: &Claims) -> Vec<AuditCode> {
        audit_claims(c, 1000).into_iter().map(|w| w.code).collect()
    }

    #[test]
    fn each_wide_grant_is_named() {
        assert_eq!(codes(&claims("videos/a/", Some(2000), None)), vec![]);
        assert_eq!(
            codes(&claims("abc123", Some(2000), None)),
            vec![],
            "a playback id is exact"
        );
        assert_eq!(
            codes(&claims("videos/a", Some(2000), None)),
            vec![AuditCode::PrefixCoversSiblings]
        );
        assert_eq!(
            codes(&claims("", None, None)),
            vec![AuditCode::WholeBucket, AuditCode::NeverExpires]
        );
        assert_eq!(
            codes(&claims("/videos/", Some(2000), None)),
            vec![AuditCode::LeadingSlash]
        );
        assert_eq!(
            codes(&claims("videos/", Some(1000 + LONG_LIFETIME_SECS + 1), None)),
            vec![AuditCode::LongLifetime]
        );
        assert_eq!(
            codes(&claims("videos/", Some(500_000 + 3600), Some(500_000))),
            vec![],
            "the lifetime counts from nbf when that is later"
        );
    }
}
