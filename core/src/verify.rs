//! Verifying tokens: [`Verifier`], [`Claims`], [`Resource`].

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::backend::{Backend, VerifyingKey};
use crate::error::{Error, ErrorCode, Result};
use crate::keys::{self, PublicKeyParts};
use crate::token::{Clock, Signer, SystemClock};

/// Longest token accepted for verification (bytes); longer input is
/// MALFORMED_TOKEN before any decoding work.
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

/// What a request asks for, to be compared with a token's `uri`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Resource {
    /// A live stream: the token's `uri` must equal the playback id.
    Live {
        /// The stream's playback id.
        playback_id: String,
    },
    /// An object in a media storage bucket: the token's `uri` must be a
    /// prefix of the key (`""` covers the whole bucket).
    Storage {
        /// The object key, decoded, without a leading `/`.
        key: String,
    },
}

impl Resource {
    /// A live stream resource.
    pub fn live(playback_id: impl Into<String>) -> Self {
        Resource::Live {
            playback_id: playback_id.into(),
        }
    }

    /// A storage object resource (a leading `/` is dropped).
    pub fn storage(key: impl Into<String>) -> Self {
        let key = key.into();
        let key = key.strip_prefix('/').map(str::to_string).unwrap_or(key);
        Resource::Storage { key }
    }

    /// Whether a token whose `uri` is `uri` grants this resource.
    ///
    /// ```
    /// use qencode_cdn::Resource;
    /// assert!(Resource::storage("videos/a/x.mp4").is_covered_by("videos/a/"));
    /// assert!(Resource::storage("videos/a/x.mp4").is_covered_by(""));
    /// assert!(!Resource::storage("videos/b/x.mp4").is_covered_by("videos/a/"));
    /// assert!(Resource::live("abc").is_covered_by("abc"));
    /// assert!(!Resource::live("abc").is_covered_by(""));
    /// ```
    ///
    /// A storage key with a `.` or `..` segment, raw or percent-encoded
    /// (`videos/a/../secret.mp4`, `videos/a/%2e%2e/secret.mp4`), is never
    /// covered: an origin that normalises paths would serve another object
    /// than the one the token's prefix names.
    ///
    /// ```
    /// use qencode_cdn::Resource;
    /// assert!(!Resource::storage("videos/a/../secret.mp4").is_covered_by("videos/a/"));
    /// assert!(!Resource::storage("videos/a/%2E%2E/secret.mp4").is_covered_by("videos/a/"));
    /// ```
    pub fn is_covered_by(&self, uri: &str) -> bool {
        match self {
            Resource::Live { playback_id } => uri == playback_id,
            Resource::Storage { key } => dot_segment(key).is_none() && key.starts_with(uri),
        }
    }

    /// The first `.` or `..` segment of a storage key (raw or percent-encoded), if any.
    pub fn dot_segment(&self) -> Option<&str> {
        match self {
            Resource::Live { .. } => None,
            Resource::Storage { key } => dot_segment(key),
        }
    }

    fn describe(&self) -> String {
        match self {
            Resource::Live { playback_id } => format!("live stream `{playback_id}`"),
            Resource::Storage { key } => format!("`{key}`"),
        }
    }
}

/// A `.` or `..` path segment, raw or percent-encoded in any case (`%2e`,
/// `%2E%2e`, `.%2E` …).
pub(crate) fn dot_segment(key: &str) -> Option<&str> {
    key.split('/').find(|seg| {
        let lower = seg.to_ascii_lowercase();
        let decoded = lower.replace("%2e", ".");
        decoded == "." || decoded == ".."
    })
}

/// The claims of a verified token.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Claims {
    /// The resource the token grants.
    pub uri: String,
    /// Expiry, Unix seconds (absent: never expires).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// Not-before, Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Every other claim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Claims {
    /// Whether these claims grant `resource`.
    pub fn covers(&self, resource: &Resource) -> bool {
        resource.is_covered_by(&self.uri)
    }

    /// All claims as one JSON object (`uri`, `exp`, `nbf` and the rest).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// A token that passed verification: its key id and claims.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifiedToken {
    /// The `kid` header.
    pub kid: Option<String>,
    /// The payload.
    pub claims: Claims,
}

/// Options of one verification.
///
/// ```
/// use qencode_cdn::{VerifyOptions, Resource};
/// let o = VerifyOptions::new().leeway(30).resource(Resource::live("abc")).kid("key-1");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VerifyOptions {
    kid: Option<String>,
    leeway: u64,
    resource: Option<Resource>,
    pub(crate) now: Option<i64>,
}

impl VerifyOptions {
    /// No expected kid, no leeway, no resource check.
    pub fn new() -> Self {
        Self::default()
    }
    /// Require this `kid` header.
    pub fn kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }
    /// Seconds of clock skew tolerated on `exp` and `nbf`.
    pub fn leeway(mut self, secs: u64) -> Self {
        self.leeway = secs;
        self
    }
    /// Require that the token covers this resource.
    pub fn resource(mut self, r: Resource) -> Self {
        self.resource = Some(r);
        self
    }
    /// The resource this verification requires, if any.
    pub fn get_resource(&self) -> Option<&Resource> {
        self.resource.as_ref()
    }
    /// Verify as if the time were `unix`.
    pub fn now(mut self, unix: i64) -> Self {
        self.now = Some(unix);
        self
    }
}

/// Checks RS256 tokens against one public key. `Send + Sync`, cheap to clone.
///
/// ```
/// use qencode_cdn::{Signer, Verifier, SignOptions, VerifyOptions, Resource};
/// # let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/rsa2048.pkcs1.pem")).unwrap();
/// let signer = Signer::from_pem("key-1", &pem)?;
/// let verifier = Verifier::from_signer(&signer)?;
/// let token = signer.sign("videos/a/", &SignOptions::new())?;
/// let ok = verifier.verify(&token, &VerifyOptions::new().resource(Resource::storage("videos/a/x.mp4")))?;
/// assert_eq!(ok.claims.uri, "videos/a/");
/// # Ok::<(), qencode_cdn::Error>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    key: Arc<VerifyingKey>,
    public: PublicKeyParts,
    kid: Option<String>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("key_id", &self.kid)
            .field("bits", &self.public.bits())
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// From a public key: SPKI or PKCS#1, PEM or DER, base64 of either, a JWK
    /// with `n`/`e` (or a JWK Set holding one key), or a private key (its
    /// public half is used). A JWK's `kid`, when present, becomes the
    /// expected key id — the one rule of every language (a token by another
    /// key id is UNKNOWN_KEY_ID); other forms expect no key id unless
    /// [`Verifier::with_key_id`] or [`VerifyOptions::kid`] names one.
    pub fn from_public_key(public_key: impl AsRef<[u8]>) -> Result<Self> {
        Self::from_public_key_with_backend(public_key, Backend::default())
    }

    /// Like [`Verifier::from_public_key`] with an explicit backend.
    pub fn from_public_key_with_backend(public_key: impl AsRef<[u8]>, backend: Backend) -> Result<Self> {
        let bytes = public_key.as_ref();
        let public = keys::load_public_key(bytes)?;
        Self::from_parts(public, jwk_kid(bytes), backend)
    }

    /// From a JWK JSON string (`kty` RSA, `n`, `e`); its `kid`, when present,
    /// becomes the expected key id. The same as [`Verifier::from_public_key`]
    /// given the JWK text.
    pub fn from_jwk(jwk: &str) -> Result<Self> {
        Self::from_public_key(jwk.as_bytes())
    }

    /// The verifier for a signer's own tokens (expects its `kid`).
    pub fn from_signer(signer: &Signer) -> Result<Self> {
        Self::from_parts(
            signer.public_parts().clone(),
            Some(signer.key_id().to_string()),
            signer.backend(),
        )
    }

    fn from_parts(public: PublicKeyParts, kid: Option<String>, backend: Backend) -> Result<Self> {
        Ok(Verifier {
            key: Arc::new(VerifyingKey::new(backend, &public)?),
            public,
            kid,
            clock: Arc::new(SystemClock),
        })
    }

    /// Expect this `kid` on every token (UNKNOWN_KEY_ID otherwise).
    pub fn with_key_id(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// Read time from `clock`.
    pub fn with_clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The expected key id, if any.
    pub fn key_id(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The public key as SPKI PEM.
    pub fn public_key_pem(&self) -> Result<String> {
        self.public.to_spki_pem()
    }

    /// The current time on this verifier's clock.
    pub fn now_unix(&self) -> i64 {
        self.clock.now_unix()
    }

    /// Verifies signature, `kid`, `exp`/`nbf` (with leeway) and, when asked,
    /// the resource. Returns the claims.
    pub fn verify(&self, token: &str, opts: &VerifyOptions) -> Result<VerifiedToken> {
        let report = self.check(token, opts);
        match report.first_failure {
            Some(err) => Err(err),
            None => report
                .verified
                .ok_or_else(|| Error::Internal("verification ended without a result".into())),
        }
    }

    /// Runs every check and records each, passed or failed, in words.
    pub(crate) fn check(&self, token: &str, opts: &VerifyOptions) -> CheckReport {
        let mut r = CheckReport::default();
        let now = opts.now.unwrap_or_else(|| self.clock.now_unix());
        let parsed = match parse_token(token) {
            Ok(p) => {
                r.pass("format", "three base64url parts of JSON".to_string());
                p
            }
            Err(e) => {
                r.fail("format", e.message(), e);
                return r;
            }
        };
        // Algorithm: only RS256.
        let alg = parsed.header.get("alg").and_then(Value::as_str).unwrap_or("");
        if alg == "RS256" {
            r.pass("algorithm", "RS256".to_string());
        } else {
            let msg = if alg.is_empty() || alg.eq_ignore_ascii_case("none") {
                "the token is unsigned (`alg` none); only RS256 is accepted".to_string()
            } else if alg.starts_with("HS") {
                format!(
                    "the token uses `{alg}` (a shared-secret HMAC), but Qencode tokens must be RS256; this is the mistake of the C# and Java samples"
                )
            } else {
                format!("the token uses `{alg}`; only RS256 is accepted")
            };
            r.fail("algorithm", msg.clone(), Error::token(ErrorCode::InvalidSignature, msg));
            return r;
        }
        // Key id.
        let kid = parsed.header.get("kid").and_then(Value::as_str).map(str::to_string);
        let expected = opts.kid.as_deref().or(self.kid.as_deref());
        match (expected, kid.as_deref()) {
            (Some(want), Some(got)) if want == got => r.pass("key_id", format!("signed with key `{got}`")),
            (Some(want), got) => {
                let msg = match got {
                    Some(got) => format!("the token names key `{got}`, but this verifier holds key `{want}`"),
                    None => format!("the token names no key (`kid`), but key `{want}` is expected"),
                };
                r.fail("key_id", msg.clone(), Error::token(ErrorCode::UnknownKeyId, msg));
            }
            (None, Some(got)) => r.pass("key_id", format!("names key `{got}` (not checked: no expected key id)")),
            (None, None) => r.pass("key_id", "no `kid` header (not checked)".to_string()),
        }
        // Signature.
        if self.key.verify(parsed.signing_input.as_bytes(), &parsed.signature) {
            r.pass(
                "signature",
                format!("valid RS256 signature by this {}-bit key", self.public.bits()),
            );
        } else {
            let msg = "the signature does not match this public key (wrong key, or the token was altered)".to_string();
            r.fail("signature", msg.clone(), Error::token(ErrorCode::InvalidSignature, msg));
        }
        // Claims.
        let claims = match claims_from_payload(parsed.payload) {
            Ok(c) => c,
            Err(e) => {
                r.fail("claims", e.message(), e);
                return r;
            }
        };
        let leeway = i64::try_from(opts.leeway).unwrap_or(i64::MAX);
        match claims.exp {
            None => r.pass("expiry", "no `exp`: the token never expires".to_string()),
            Some(exp) if now > exp.saturating_add(leeway) => {
                let msg = format!(
                    "expired {} ({})",
                    crate::time::relative(exp.saturating_sub(now)),
                    crate::time::utc(exp)
                );
                r.fail(
                    "expiry",
                    msg.clone(),
                    Error::token(ErrorCode::TokenExpired, format!("the token {msg}")),
                );
            }
            Some(exp) => r.pass(
                "expiry",
                format!(
                    "expires {} ({})",
                    crate::time::relative(exp.saturating_sub(now)),
                    crate::time::utc(exp)
                ),
            ),
        }
        match claims.nbf {
            None => r.pass("not_before", "no `nbf`".to_string()),
            Some(nbf) if now.saturating_add(leeway) < nbf => {
                let msg = format!(
                    "not valid until {} ({})",
                    crate::time::utc(nbf),
                    crate::time::relative(nbf.saturating_sub(now))
                );
                r.fail(
                    "not_before",
                    msg.clone(),
                    Error::token(ErrorCode::TokenNotYetValid, format!("the token is {msg}")),
                );
            }
            Some(nbf) => r.pass("not_before", format!("valid since {}", crate::time::utc(nbf))),
        }
        if let Some(resource) = &opts.resource {
            let uri_desc = if claims.uri.is_empty() {
                "the whole bucket (`uri` is empty)".to_string()
            } else {
                format!("`{}`", claims.uri)
            };
            if claims.covers(resource) {
                r.pass(
                    "resource",
                    format!("token covers {uri_desc}, which includes {}", resource.describe()),
                );
            } else {
                let msg = match resource {
                    Resource::Storage { key } if dot_segment(key).is_some() => format!(
                        "the URL asks for `{key}`, whose `{}` segment is never covered: an origin that normalises paths would serve another object than the one `{}` names",
                        dot_segment(key).unwrap_or(".."),
                        claims.uri
                    ),
                    Resource::Live { .. } if claims.uri.is_empty() => format!(
                        "token has an empty `uri`, but a live stream needs its playback id; the URL asks for {}",
                        resource.describe()
                    ),
                    _ => format!("token covers {uri_desc} but the URL asks for {}", resource.describe()),
                };
                r.fail("resource", msg.clone(), Error::token(ErrorCode::UriMismatch, msg));
            }
        }
        if r.first_failure.is_none() {
            r.verified = Some(VerifiedToken { kid, claims });
        } else {
            r.claims = Some(claims);
        }
        r
    }
}

/// The `kid` of a JWK (or of the one key of a JWK Set), when the key text is one.
fn jwk_kid(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?.trim();
    if !text.starts_with('{') {
        return None;
    }
    let v: Value = serde_json::from_str(text).ok()?;
    let key = match v.get("keys").and_then(Value::as_array) {
        Some(keys) if keys.len() == 1 => &keys[0],
        _ => &v,
    };
    key.get("kid").and_then(Value::as_str).map(str::to_string)
}

/// One check of a verification, passed or failed, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable name: `token_present`, `url`, `format`, `algorithm`, `key_id`,
    /// `signature`, `claims`, `expiry`, `not_before`, `resource`.
    pub name: String,
    /// Whether it passed.
    pub passed: bool,
    /// What was found, for a person.
    pub detail: String,
}

#[derive(Default)]
pub(crate) struct CheckReport {
    pub(crate) checks: Vec<Check>,
    pub(crate) first_failure: Option<Error>,
    pub(crate) verified: Option<VerifiedToken>,
    pub(crate) claims: Option<Claims>,
}

impl CheckReport {
    pub(crate) fn pass(&mut self, name: &str, detail: String) {
        self.checks.push(Check {
            name: name.into(),
            passed: true,
            detail,
        });
    }
    pub(crate) fn fail(&mut self, name: &str, detail: String, err: Error) {
        self.checks.push(Check {
            name: name.into(),
            passed: false,
            detail,
        });
        if self.first_failure.is_none() {
            self.first_failure = Some(err);
        }
    }
}

pub(crate) struct ParsedToken<'a> {
    pub(crate) header: Map<String, Value>,
    pub(crate) payload: Map<String, Value>,
    pub(crate) signing_input: &'a str,
    pub(crate) signature: Vec<u8>,
}

fn malformed(msg: impl Into<String>) -> Error {
    Error::token(ErrorCode::MalformedToken, msg)
}

/// Splits and decodes a compact JWS without checking anything else.
pub(crate) fn parse_token(token: &str) -> Result<ParsedToken<'_>> {
    let token = token.trim();
    if token.is_empty() {
        return Err(malformed("the token is empty"));
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err(malformed(format!("the token is longer than {MAX_TOKEN_LEN} bytes")));
    }
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(malformed("a token has exactly three parts separated by `.`"));
    };
    let decode = |part: &str, what: &str| -> Result<Vec<u8>> {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| malformed(format!("the {what} is not base64url")))
    };
    let header_bytes = decode(h, "header")?;
    let payload_bytes = decode(p, "payload")?;
    let signature = decode(s, "signature")?;
    let header: Map<String, Value> =
        serde_json::from_slice(&header_bytes).map_err(|_| malformed("the header is not a JSON object"))?;
    let payload: Map<String, Value> =
        serde_json::from_slice(&payload_bytes).map_err(|_| malformed("the payload is not a JSON object"))?;
    Ok(ParsedToken {
        header,
        payload,
        signing_input: &token[..h.len() + 1 + p.len()],
        signature,
    })
}

/// A time claim: Unix seconds within `0..=MAX_UNIX_SECONDS` (a fraction is
/// truncated). Anything else — negative, beyond the year 5138 (milliseconds?),
/// not a number — is MALFORMED_TOKEN, so no computation on an attacker's
/// number can overflow.
fn time_claim(v: &Value, name: &str) -> Result<i64> {
    let t = match v.as_i64() {
        Some(i) => Some(i),
        None => v
            .as_f64()
            .filter(|f| f.is_finite() && f.abs() < 1e15)
            .map(|f| f.trunc() as i64),
    };
    match t {
        Some(t) if (0..=crate::token::MAX_UNIX_SECONDS).contains(&t) => Ok(t),
        Some(t) if t < 0 => Err(malformed(format!("`{name}` is negative ({t})"))),
        Some(t) => Err(malformed(format!(
            "`{name}` ({t}) is after the year 5138; it looks like milliseconds"
        ))),
        None => Err(malformed(format!("`{name}` is not a number of seconds"))),
    }
}

pub(crate) fn claims_from_payload(mut payload: Map<String, Value>) -> Result<Claims> {
    let uri = match payload.remove("uri") {
        Some(Value::String(s)) => s,
        Some(_) => return Err(malformed("the `uri` claim is not a string")),
        None => return Err(malformed("the token has no `uri` claim")),
    };
    let exp = payload.remove("exp").map(|v| time_claim(&v, "exp")).transpose()?;
    let nbf = payload.remove("nbf").map(|v| time_claim(&v, "nbf")).transpose()?;
    Ok(Claims {
        uri,
        exp,
        nbf,
        extra: payload,
    })
}

/// Decodes a token's header and claims **without verifying** anything.
/// For display (`qcdn token decode`); never for access decisions.
///
/// ```
/// # let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/rsa2048.pkcs1.pem")).unwrap();
/// # let s = qencode_cdn::Signer::from_pem("k", &pem).unwrap();
/// # let token = s.sign("abc", &Default::default()).unwrap();
/// let (header, claims) = qencode_cdn::decode_unverified(&token)?;
/// assert_eq!(header["kid"], "k");
/// assert_eq!(claims.uri, "abc");
/// # Ok::<(), qencode_cdn::Error>(())
/// ```
pub fn decode_unverified(token: &str) -> Result<(Map<String, Value>, Claims)> {
    let p = parse_token(token)?;
    let claims = claims_from_payload(p.payload)?;
    Ok((p.header, claims))
}
