//! `explain(url)`: why a signed URL would be accepted or refused, in words.

use std::fmt;

use serde::Serialize;

use crate::audit::{AuditWarning, audit_claims};
use crate::error::Result;
use crate::url::{ParsedUrl, UrlForm, parse_url};
use crate::verify::{Check, Claims, Resource, Verifier, VerifyOptions, decode_unverified};

/// The verdict on a signed URL: every check, passed or failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The URL examined.
    pub url: String,
    /// Which of the four forms it has (absent if it is none of them).
    pub form: Option<UrlForm>,
    /// What the URL asks for.
    pub resource: Option<Resource>,
    /// The token's `kid`, when the token could be read.
    pub key_id: Option<String>,
    /// The token's claims, when they could be read (even if checks failed).
    pub claims: Option<Claims>,
    /// Every check in order.
    pub checks: Vec<Check>,
    /// What the token grants that may be more than meant ([`crate::audit`]),
    /// when its claims could be read. Warnings never make `ok` false.
    pub warnings: Vec<AuditWarning>,
    /// True when every check passed.
    pub ok: bool,
}

impl Explanation {
    /// The first failed check, if any.
    pub fn first_failure(&self) -> Option<&Check> {
        self.checks.iter().find(|c| !c.passed)
    }

    /// The verdict as a JSON document.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.ok { "ACCEPTED" } else { "REFUSED" };
        if self.url.is_empty() {
            writeln!(f, "{verdict}")?;
        } else {
            writeln!(f, "{verdict}: {}", self.url)?;
        }
        for c in &self.checks {
            writeln!(
                f,
                "  [{}] {}: {}",
                if c.passed { "ok" } else { "FAIL" },
                c.name,
                c.detail
            )?;
        }
        for w in &self.warnings {
            writeln!(f, "  [warn] {}: {}", w.code, w.message)?;
        }
        Ok(())
    }
}

impl Verifier {
    /// Explains whether the edge would accept this signed URL (any of the
    /// four forms), checking everything [`Verifier::verify`] checks plus the
    /// resource the URL asks for.
    ///
    /// ```
    /// use qencode_cdn::{Signer, Verifier, SignOptions};
    /// # let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/rsa2048.pkcs1.pem")).unwrap();
    /// let signer = Signer::from_pem("k1", &pem)?;
    /// let url = signer.signed_storage_url("my-bucket", "us-west", "videos/a/x.mp4", &SignOptions::new())?;
    /// let tampered = url.replace("videos/a/", "videos/b/");
    /// let verdict = Verifier::from_signer(&signer)?.explain(&tampered);
    /// assert!(!verdict.ok);
    /// assert!(verdict.to_string().contains("token covers `videos/a/x.mp4` but the URL asks for `videos/b/x.mp4`"));
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn explain(&self, url: &str) -> Explanation {
        self.explain_with(url, &VerifyOptions::new())
    }

    /// [`Verifier::explain`] with a leeway, expected kid or pinned time.
    pub fn explain_with(&self, url: &str, opts: &VerifyOptions) -> Explanation {
        let mut out = Explanation {
            url: url.to_string(),
            form: None,
            resource: None,
            key_id: None,
            claims: None,
            checks: Vec::new(),
            warnings: Vec::new(),
            ok: false,
        };
        let parsed = match parse_url(url) {
            Ok(p) => p,
            Err(e) => {
                out.checks.push(Check {
                    name: "url".into(),
                    passed: false,
                    detail: e.message(),
                });
                return out;
            }
        };
        let Some(token) = parsed.token.clone() else {
            out.form = Some(parsed.form);
            out.resource = Some(parsed.resource);
            out.checks.push(Check {
                name: "url".into(),
                passed: true,
                detail: describe_form(parsed.form),
            });
            out.checks.push(Check {
                name: "token_present".into(),
                passed: false,
                detail: "the URL has no `auth` query parameter; a protected stream or bucket refuses it".into(),
            });
            return out;
        };
        let parsed = reinterpret_custom_domain(parsed, &token);
        out.form = Some(parsed.form);
        out.resource = Some(parsed.resource.clone());
        out.checks.push(Check {
            name: "url".into(),
            passed: true,
            detail: describe_form(parsed.form),
        });
        out.checks.push(Check {
            name: "token_present".into(),
            passed: true,
            detail: "`auth` query parameter found".into(),
        });
        let opts = opts.clone().resource(parsed.resource);
        let now = opts.now.unwrap_or_else(|| self.now_unix());
        let report = self.check(&token, &opts);
        out.checks.extend(report.checks);
        out.ok = report.first_failure.is_none();
        match report.verified {
            Some(v) => {
                out.key_id = v.kid;
                out.claims = Some(v.claims);
            }
            None => {
                out.claims = report.claims;
                out.key_id = decode_unverified(&token)
                    .ok()
                    .and_then(|(h, _)| h.get("kid").and_then(|k| k.as_str()).map(str::to_string));
            }
        }
        out.warnings = out.claims.as_ref().map(|c| audit_claims(c, now)).unwrap_or_default();
        out
    }
}

impl Verifier {
    /// Every check of [`Verifier::verify`] on a bare token, passed or failed,
    /// in words (the resource check only when `opts` names a resource).
    ///
    /// ```
    /// use qencode_cdn::{Signer, Verifier, SignOptions, VerifyOptions, Resource};
    /// # let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/rsa2048.pkcs1.pem")).unwrap();
    /// let signer = Signer::from_pem("k1", &pem)?;
    /// let token = signer.sign("abc", &SignOptions::new())?;
    /// let verdict = Verifier::from_signer(&signer)?.explain_token(&token, &VerifyOptions::new().resource(Resource::live("xyz")));
    /// assert_eq!(verdict.first_failure().map(|c| c.name.as_str()), Some("resource"));
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn explain_token(&self, token: &str, opts: &VerifyOptions) -> Explanation {
        let now = opts.now.unwrap_or_else(|| self.now_unix());
        let report = self.check(token, opts);
        let ok = report.first_failure.is_none();
        let (key_id, claims) = match report.verified {
            Some(v) => (v.kid, Some(v.claims)),
            None => (
                decode_unverified(token)
                    .ok()
                    .and_then(|(h, _)| h.get("kid").and_then(|k| k.as_str()).map(str::to_string)),
                report.claims,
            ),
        };
        Explanation {
            url: String::new(),
            form: None,
            resource: opts.get_resource().cloned(),
            key_id,
            warnings: claims.as_ref().map(|c| audit_claims(c, now)).unwrap_or_default(),
            claims,
            checks: report.checks,
            ok,
        }
    }
}

fn describe_form(form: UrlForm) -> String {
    match form {
        UrlForm::LivePlayback => "live playback URL on the default host".into(),
        UrlForm::LiveCustomDomain => "live playback URL on a custom domain".into(),
        UrlForm::Storage => "media storage URL on the default host".into(),
        UrlForm::StorageCustomDomain => "media storage URL on a custom domain".into(),
    }
}

/// On a custom domain `/{x}.m3u8` is ambiguous: a live stream, or a storage
/// object. When the token's `uri` reads as a storage prefix of that path and
/// not as the playback id, take the storage reading.
fn reinterpret_custom_domain(p: ParsedUrl, token: &str) -> ParsedUrl {
    if p.form != UrlForm::LiveCustomDomain {
        return p;
    }
    let Resource::Live { playback_id } = &p.resource else {
        return p;
    };
    let key = format!("{playback_id}.m3u8");
    match decode_unverified(token) {
        Ok((_, claims)) if claims.uri != *playback_id && key.starts_with(&claims.uri) => ParsedUrl {
            form: UrlForm::StorageCustomDomain,
            resource: Resource::storage(key),
            ..p
        },
        _ => p,
    }
}

impl Verifier {
    /// [`crate::audit`] at this verifier's clock: what the token grants that
    /// may be more than meant (the signature is not checked).
    pub fn audit(&self, token: &str) -> Result<Vec<AuditWarning>> {
        crate::audit::audit_at(token, self.now_unix())
    }
}

impl crate::Signer {
    /// [`crate::audit`] at this signer's clock.
    pub fn audit(&self, token: &str) -> Result<Vec<AuditWarning>> {
        crate::audit::audit_at(token, self.now_unix())
    }
}

/// Parses a URL and explains it: a free function for callers that hold a
/// public key but no `Verifier` yet.
pub fn explain_url(public_key: impl AsRef<[u8]>, url: &str) -> Result<Explanation> {
    Ok(Verifier::from_public_key(public_key)?.explain(url))
}
