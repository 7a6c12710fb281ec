//! RS256 signed playback tokens: [`Signer`], [`SignOptions`], [`Expiry`].
//!
//! A token is a JWT with header `{"alg":"RS256","typ":"JWT","kid":<key id>}`
//! and payload `{"uri":…,"exp":…,"nbf":…,<custom claims sorted by name>}`.
//! RS256 is deterministic: the same key, claims and clock give the same bytes
//! in every language.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::backend::{Backend, SigningKey};
use crate::error::{Error, Result};
use crate::external::{External, ExternalSign};
use crate::keys::{self, PublicKeyParts};

/// Lifetime of a token when the caller says nothing: one hour, as in the
/// reference's samples.
pub const DEFAULT_EXPIRES_IN: u64 = 3600;

/// Environment variable holding the private key (PEM, env-mangled PEM or base64),
/// read by [`Signer::from_env`], the CLI and every binding's `from_env`.
pub const SIGNING_KEY_ENV: &str = "QENCODE_SIGNING_KEY";
/// Environment variable holding the signing key id, when none is given.
pub const SIGNING_KEY_ID_ENV: &str = "QENCODE_SIGNING_KEY_ID";

/// The largest absolute time (Unix seconds) the signer accepts: 10^11, in
/// the year 5138. A larger `expires_at`, `not_before` or `now` is almost
/// always milliseconds (`Date.now()`, `System.currentTimeMillis()`), and taken
/// as seconds would make a token that in effect never expires (DESIGN §2).
pub const MAX_UNIX_SECONDS: i64 = 100_000_000_000;

/// An absolute time within `0..=MAX_UNIX_SECONDS`, or INVALID_ARGUMENT with
/// the milliseconds hint.
pub(crate) fn check_unix_time(name: &str, t: i64) -> Result<i64> {
    if t < 0 {
        return Err(Error::invalid_argument(format!("{name} must not be negative, got {t}")));
    }
    if t > MAX_UNIX_SECONDS {
        return Err(Error::invalid_argument(format!(
            "{name} {t} is after the year 5138; it looks like milliseconds (Date.now(), System.currentTimeMillis()): divide by 1000"
        )));
    }
    Ok(t)
}

/// Claim names the library writes itself; custom claims may not use them.
pub const RESERVED_CLAIMS: [&str; 3] = ["uri", "exp", "nbf"];

/// A source of the current Unix time in seconds. Inject one to pin time in tests.
///
/// ```
/// use qencode_cdn::{Clock, FixedClock};
/// assert_eq!(FixedClock(1_700_000_000).now_unix(), 1_700_000_000);
/// ```
pub trait Clock: Send + Sync + 'static {
    /// Seconds since the Unix epoch.
    fn now_unix(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }
}

/// A clock that always says the same time.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now_unix(&self) -> i64 {
        self.0
    }
}

/// When a token expires. The default is [`DEFAULT_EXPIRES_IN`] seconds from now.
/// A token without `exp` must be asked for by name with [`Expiry::Never`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// This many seconds after the signing time (must be positive).
    In(u64),
    /// At this absolute Unix time (must be positive).
    At(i64),
    /// No `exp` claim: the token never expires. Ask for it only on purpose.
    Never,
}

impl Default for Expiry {
    fn default() -> Self {
        Expiry::In(DEFAULT_EXPIRES_IN)
    }
}

impl Expiry {
    /// The one place where the bindings' loose options (`expires_in`,
    /// `expires_at`, `never_expires`) become an `Expiry`.
    ///
    /// `expires_at` wins over `expires_in`; neither gives the default;
    /// `never_expires` together with either is a contradiction; zero or
    /// negative values are refused (they arrive by accident from missing
    /// configuration and must never mean "forever").
    ///
    /// ```
    /// use qencode_cdn::Expiry;
    /// assert_eq!(Expiry::resolve(None, None, false).unwrap(), Expiry::In(3600));
    /// assert_eq!(Expiry::resolve(Some(60), Some(2_000_000_000), false).unwrap(), Expiry::At(2_000_000_000));
    /// assert_eq!(Expiry::resolve(None, None, true).unwrap(), Expiry::Never);
    /// assert!(Expiry::resolve(Some(0), None, false).is_err());
    /// ```
    pub fn resolve(expires_in: Option<i64>, expires_at: Option<i64>, never_expires: bool) -> Result<Expiry> {
        if never_expires {
            if expires_in.is_some() || expires_at.is_some() {
                return Err(Error::invalid_argument(
                    "never_expires cannot be combined with expires_in or expires_at",
                ));
            }
            return Ok(Expiry::Never);
        }
        if let Some(at) = expires_at {
            if at <= 0 {
                return Err(Error::invalid_argument(format!(
                    "expires_at must be a positive Unix time, got {at}; for a token without expiry ask for never_expires explicitly"
                )));
            }
            return Ok(Expiry::At(at));
        }
        if let Some(secs) = expires_in {
            if secs <= 0 {
                return Err(Error::invalid_argument(format!(
                    "expires_in must be a positive number of seconds, got {secs}; for a token without expiry ask for never_expires explicitly"
                )));
            }
            return Ok(Expiry::In(secs as u64));
        }
        Ok(Expiry::default())
    }
}

/// Options of one signature. Build with the methods; the default expires in
/// one hour, has no `nbf` and no custom claims.
///
/// ```
/// use qencode_cdn::SignOptions;
/// use std::time::Duration;
/// let opts = SignOptions::new()
///     .expires_in(Duration::from_secs(600))
///     .not_before(1_700_000_000)
///     .claim("viewer", "u-42");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SignOptions {
    expiry: Expiry,
    not_before: Option<i64>,
    claims: Map<String, Value>,
    now: Option<i64>,
}

impl SignOptions {
    /// The defaults: expires in [`DEFAULT_EXPIRES_IN`] seconds.
    pub fn new() -> Self {
        Self::default()
    }

    /// Expire this long after signing (whole seconds; must be at least one).
    pub fn expires_in(mut self, d: Duration) -> Self {
        self.expiry = Expiry::In(d.as_secs());
        self
    }

    /// Expire at this Unix time.
    pub fn expires_at(mut self, unix: i64) -> Self {
        self.expiry = Expiry::At(unix);
        self
    }

    /// Sets the expiry directly.
    pub fn expiry(mut self, expiry: Expiry) -> Self {
        self.expiry = expiry;
        self
    }

    /// No `exp` claim: the token never expires. Only when you mean it.
    pub fn never_expires(mut self) -> Self {
        self.expiry = Expiry::Never;
        self
    }

    /// `nbf`: not valid before this Unix time.
    pub fn not_before(mut self, unix: i64) -> Self {
        self.not_before = Some(unix);
        self
    }

    /// Adds one custom claim (any JSON value).
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.claims.insert(name.into(), value.into());
        self
    }

    /// Adds custom claims from a JSON object.
    pub fn claims(mut self, claims: Map<String, Value>) -> Self {
        self.claims.extend(claims);
        self
    }

    /// Adds custom claims from JSON text, which must be one object (for the
    /// bindings, which receive claims as a JSON string).
    ///
    /// ```
    /// use qencode_cdn::SignOptions;
    /// assert!(SignOptions::new().claims_json(r#"{"viewer":"u-42"}"#).is_ok());
    /// assert!(SignOptions::new().claims_json("[1, 2]").is_err());
    /// ```
    pub fn claims_json(self, json: &str) -> Result<Self> {
        let value: Value = serde_json::from_str(json)
            .map_err(|e| Error::invalid_argument(format!("claims are not valid JSON: {e}")))?;
        match value {
            Value::Object(map) => Ok(self.claims(map)),
            _ => Err(Error::invalid_argument("claims must be a JSON object")),
        }
    }

    /// Signs as if the time were `unix` (for tests and reproducible vectors);
    /// otherwise the signer's clock is used.
    pub fn now(mut self, unix: i64) -> Self {
        self.now = Some(unix);
        self
    }

    /// The expiry these options ask for.
    pub fn get_expiry(&self) -> Expiry {
        self.expiry
    }

    /// The pinned signing time, if any.
    pub(crate) fn now_pinned(&self) -> Option<i64> {
        self.now
    }

    /// The custom claims.
    pub(crate) fn claim_map(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// `nbf`, if asked for.
    pub(crate) fn not_before_value(&self) -> Option<i64> {
        self.not_before
    }
}

/// The computed times of a token: what `exp` and `nbf` will be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenTimes {
    /// The signing time used.
    pub now: i64,
    /// `exp`, unless the token never expires.
    pub exp: Option<i64>,
    /// `nbf`, when asked for.
    pub nbf: Option<i64>,
}

/// A signing key loaded once and used for many tokens. Cheap to clone
/// (shared), `Send + Sync`.
///
/// ```
/// use qencode_cdn::{Signer, SignOptions, FixedClock};
/// # let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/rsa2048.pkcs1.pem")).unwrap();
/// let signer = Signer::from_pem("ec25a6a6-b31e-4ac9-af01-711460421c6b", &pem)?;
/// let token = signer.sign("my-playback-id", &SignOptions::new())?;
/// assert_eq!(token.split('.').count(), 3);
/// # Ok::<(), qencode_cdn::Error>(())
/// ```
#[derive(Clone)]
pub struct Signer {
    inner: Arc<SignerInner>,
    clock: Arc<dyn Clock>,
    cache: Option<Arc<crate::cache::TokenCache>>,
}

struct SignerInner {
    kid: String,
    header_b64: String,
    key: KeyKind,
    sig_len: usize,
    public: PublicKeyParts,
    backend: Backend,
}

/// Where signatures come from: a private key in this process, or outside it.
enum KeyKind {
    Local(SigningKey),
    External(External),
}

impl KeyKind {
    fn sign(&self, msg: &[u8], out: &mut [u8]) -> Result<()> {
        match self {
            KeyKind::Local(k) => k.sign(msg, out),
            KeyKind::External(e) => e.sign(msg, out),
        }
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Signer");
        d.field("key_id", &self.inner.kid)
            .field("bits", &self.inner.public.bits());
        match &self.inner.key {
            KeyKind::Local(_) => d.field("backend", &self.inner.backend),
            KeyKind::External(e) => d.field("external", &e.name()),
        };
        d.finish_non_exhaustive()
    }
}

impl Signer {
    /// Loads a private key with the default backend and the system clock.
    /// Despite the name, any accepted form is fine: PKCS#1 or PKCS#8 PEM, DER,
    /// a PEM whose newlines were mangled, base64 of either (see [`crate::keys`]).
    pub fn from_pem(key_id: &str, private_key: impl AsRef<[u8]>) -> Result<Self> {
        Self::with_backend(key_id, private_key, Backend::default())
    }

    /// Loads the key from [`SIGNING_KEY_ENV`] and, when `key_id` is `None`,
    /// the key id from [`SIGNING_KEY_ID_ENV`]. Values are trimmed, and a
    /// variable that is empty or only blanks counts as not set; the
    /// INVALID_ARGUMENT names the missing variable (never its value). Every
    /// binding's `from_env` is this function.
    ///
    /// ```no_run
    /// let signer = qencode_cdn::Signer::from_env(None)?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn from_env(key_id: Option<&str>) -> Result<Self> {
        let kid = match key_id {
            Some(k) => k.to_string(),
            None => env_value(SIGNING_KEY_ID_ENV)
                .map(|v| v.trim().to_string())
                .ok_or_else(|| {
                    Error::invalid_argument(format!("no key id given and {SIGNING_KEY_ID_ENV} is not set"))
                })?,
        };
        let key = env_value(SIGNING_KEY_ENV)
            .ok_or_else(|| Error::invalid_argument(format!("{SIGNING_KEY_ENV} (the private key) is not set")))?;
        Self::from_pem(&kid, key.trim().as_bytes())
    }

    /// Loads the private key from a file (any form [`Signer::from_pem`]
    /// accepts). A file that cannot be read is INVALID_ARGUMENT naming the
    /// path and the reason; its bytes are wiped after loading.
    ///
    /// ```
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/rsa2048.pkcs8.der");
    /// let signer = qencode_cdn::Signer::from_file("key-1", path)?;
    /// assert_eq!(signer.key_bits(), 2048);
    /// assert!(qencode_cdn::Signer::from_file("key-1", "/no/such/key.pem").is_err());
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn from_file(key_id: &str, path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = zeroize::Zeroizing::new(std::fs::read(path).map_err(|e| {
            Error::invalid_argument(format!(
                "cannot read the key file `{}`: {}",
                path.display(),
                io_reason(&e)
            ))
        })?);
        Self::from_pem(key_id, &*bytes)
    }

    /// Loads a private key for an explicit backend.
    pub fn with_backend(key_id: &str, private_key: impl AsRef<[u8]>, backend: Backend) -> Result<Self> {
        validate_key_id(key_id)?;
        let der = keys::load_private_key(private_key.as_ref())?;
        let key = SigningKey::new(backend, &der)?;
        let sig_len = key.signature_len(&der.public);
        Ok(Self::assemble(
            key_id,
            KeyKind::Local(key),
            sig_len,
            der.public.clone(),
            backend,
        ))
    }

    /// A signer whose private key stays outside this process (HSM, KMS,
    /// Vault …): `public_key` is its public half (any form
    /// [`crate::Verifier::from_public_key`] reads) and `signer` makes RS256
    /// signatures, called inline on the signing thread. Every signature is
    /// verified with `public_key` before a token is returned; a failing
    /// signer or a signature that does not verify is SIGNER_FAILED, never a
    /// token. See [`crate::external`].
    pub fn external(key_id: &str, public_key: impl AsRef<[u8]>, signer: impl ExternalSign) -> Result<Self> {
        Self::external_arc(key_id, public_key, Arc::new(signer), None)
    }

    /// [`Signer::external`] with a deadline: each signature is requested on
    /// a helper thread, and one that does not arrive within `timeout` is
    /// TIMEOUT (the late answer is dropped). For signers that can hang (a
    /// network KMS); the signer is then called from another thread.
    pub fn external_with_timeout(
        key_id: &str,
        public_key: impl AsRef<[u8]>,
        signer: impl ExternalSign,
        timeout: Duration,
    ) -> Result<Self> {
        if timeout.is_zero() {
            return Err(Error::invalid_argument(
                "the external signer's timeout must be more than zero",
            ));
        }
        Self::external_arc(key_id, public_key, Arc::new(signer), Some(timeout))
    }

    /// The shared form of the two constructors above (bindings hold their
    /// signer in an `Arc` already).
    pub fn external_arc(
        key_id: &str,
        public_key: impl AsRef<[u8]>,
        signer: Arc<dyn ExternalSign>,
        timeout: Option<Duration>,
    ) -> Result<Self> {
        validate_key_id(key_id)?;
        let public = keys::load_public_key(public_key.as_ref())?;
        let backend = Backend::default();
        let verify = crate::backend::VerifyingKey::new(backend, &public)?;
        let sig_len = public.bits().div_ceil(8);
        let key = KeyKind::External(External::new(signer, verify, timeout));
        Ok(Self::assemble(key_id, key, sig_len, public, backend))
    }

    fn assemble(key_id: &str, key: KeyKind, sig_len: usize, public: PublicKeyParts, backend: Backend) -> Self {
        // Field order is fixed by building the string ourselves: alg, typ, kid.
        let mut header_json = String::from("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":");
        push_json_string(&mut header_json, key_id);
        header_json.push('}');
        Signer {
            inner: Arc::new(SignerInner {
                kid: key_id.to_string(),
                header_b64: URL_SAFE_NO_PAD.encode(header_json.as_bytes()),
                key,
                sig_len,
                public,
                backend,
            }),
            clock: Arc::new(SystemClock),
            cache: None,
        }
    }

    /// This signer with `cache` in front of it (see [`crate::cache`]).
    pub(crate) fn with_cache(&self, cache: Arc<crate::cache::TokenCache>) -> Signer {
        Signer {
            inner: self.inner.clone(),
            clock: self.clock.clone(),
            cache: Some(cache),
        }
    }

    pub(crate) fn cache_ref(&self) -> Option<&crate::cache::TokenCache> {
        self.cache.as_deref()
    }

    /// True when the private key is outside this process ([`Signer::external`]).
    pub fn is_external(&self) -> bool {
        matches!(self.inner.key, KeyKind::External(_))
    }

    /// The RS256 signature of arbitrary bytes with this signer's key — what
    /// an [`ExternalSign`] returns (tests, signing services built on this
    /// library).
    pub fn sign_raw(&self, msg: &[u8]) -> Result<Vec<u8>> {
        let mut out = vec![0u8; self.inner.sig_len];
        self.inner.key.sign(msg, &mut out)?;
        Ok(out)
    }

    /// The first half of a two-phase signature, for signers that answer
    /// asynchronously (a KMS call awaited on an event loop): the exact bytes
    /// to sign. [`PreparedToken::finish`] checks the signature and assembles
    /// the token. The same checks and bytes as [`Signer::sign`].
    ///
    /// ```
    /// # let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/rsa2048.pkcs1.pem")).unwrap();
    /// let signer = qencode_cdn::Signer::from_pem("k", &pem)?;
    /// let opts = qencode_cdn::SignOptions::new().now(1_700_000_000);
    /// let prepared = signer.prepare("abc", &opts)?;
    /// let signature = signer.sign_raw(prepared.signing_input().as_bytes())?; // …or a KMS, awaited
    /// assert_eq!(prepared.finish(&signature)?, signer.sign("abc", &opts)?);
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn prepare(&self, uri: &str, opts: &SignOptions) -> Result<PreparedToken> {
        validate_uri(uri)?;
        let mut pending = None;
        let mut rounded = None;
        if let Some(cache) = &self.cache {
            match cache.prepare(self, uri, opts) {
                Some(crate::cache::Prepared::Ready(token)) => {
                    let cut = token.rfind('.').unwrap_or(token.len());
                    return Ok(PreparedToken {
                        signer: self.clone(),
                        signing_input: token[..cut].to_string(),
                        ready: Some(token),
                        pending: None,
                    });
                }
                Some(crate::cache::Prepared::Sign { options, key }) => {
                    rounded = Some(options);
                    pending = Some(key);
                }
                None => {}
            }
        }
        let opts = rounded.as_ref().unwrap_or(opts);
        let times = self.times(opts)?;
        let payload = payload_json(uri, times.exp, times.nbf, &opts.claims)?;
        let mut input = String::with_capacity(self.inner.header_b64.len() + 1 + payload.len() * 4 / 3 + 4);
        input.push_str(&self.inner.header_b64);
        input.push('.');
        URL_SAFE_NO_PAD.encode_string(payload.as_bytes(), &mut input);
        Ok(PreparedToken {
            signer: self.clone(),
            signing_input: input,
            ready: None,
            pending,
        })
    }

    /// Returns a signer sharing this key that reads time from `clock`.
    pub fn with_clock(&self, clock: impl Clock) -> Self {
        Signer {
            inner: self.inner.clone(),
            clock: Arc::new(clock),
            cache: self.cache.clone(),
        }
    }

    /// The signing key id (the JWT `kid` header).
    pub fn key_id(&self) -> &str {
        &self.inner.kid
    }

    /// The RSA modulus size in bits.
    pub fn key_bits(&self) -> usize {
        self.inner.public.bits()
    }

    /// The backend this signer uses.
    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    /// The public key as SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn public_key_pem(&self) -> Result<String> {
        self.inner.public.to_spki_pem()
    }

    /// The public key as SubjectPublicKeyInfo DER.
    pub fn public_key_der(&self) -> Result<Vec<u8>> {
        self.inner.public.to_spki_der()
    }

    /// The public key as a JWK JSON string (with `kid`, `alg`, `use`).
    pub fn public_key_jwk(&self) -> String {
        self.inner.public.to_jwk(Some(&self.inner.kid)).to_string()
    }

    pub(crate) fn public_parts(&self) -> &PublicKeyParts {
        &self.inner.public
    }

    /// The current time according to this signer's clock.
    pub fn now_unix(&self) -> i64 {
        self.clock.now_unix()
    }

    /// The `exp`/`nbf` these options give, checked (`exp > nbf`, absolute
    /// times at most [`MAX_UNIX_SECONDS`], reserved claim names) without signing.
    pub fn times(&self, opts: &SignOptions) -> Result<TokenTimes> {
        let now = match opts.now {
            Some(now) => check_unix_time("now", now)?,
            None => self.clock.now_unix(),
        };
        let exp = match opts.expiry {
            Expiry::In(0) => {
                return Err(Error::invalid_argument(
                    "expires_in must be at least one second; for a token without expiry use never_expires",
                ));
            }
            Expiry::In(secs) => {
                let exp = i64::try_from(secs).ok().and_then(|s| now.checked_add(s));
                match exp {
                    Some(exp) if exp <= MAX_UNIX_SECONDS => Some(exp),
                    _ => {
                        return Err(Error::invalid_argument(format!(
                            "expires_in {secs} puts `exp` beyond {MAX_UNIX_SECONDS} (the year 5138): in effect a token that never expires; if that is meant, ask for never_expires"
                        )));
                    }
                }
            }
            Expiry::At(at) if at <= 0 => {
                return Err(Error::invalid_argument(
                    "expires_at must be a positive Unix time; for a token without expiry use never_expires",
                ));
            }
            Expiry::At(at) if at <= now => {
                return Err(Error::invalid_argument(format!(
                    "expires_at {at} is not after the signing time {now}: the token would be expired when signed"
                )));
            }
            Expiry::At(at) => Some(check_unix_time("expires_at", at)?),
            Expiry::Never => None,
        };
        if let Some(nbf) = opts.not_before {
            if nbf < 0 {
                return Err(Error::invalid_argument("not_before must not be negative"));
            }
            check_unix_time("not_before", nbf)?;
            if let Some(exp) = exp {
                if exp <= nbf {
                    return Err(Error::invalid_argument(format!(
                        "the token would expire (exp {exp}) before it becomes valid (nbf {nbf})"
                    )));
                }
            }
        }
        for name in RESERVED_CLAIMS {
            if opts.claims.contains_key(name) {
                return Err(Error::invalid_argument(format!(
                    "`{name}` cannot be a custom claim; it is set by the signer"
                )));
            }
        }
        Ok(TokenTimes {
            now,
            exp,
            nbf: opts.not_before,
        })
    }

    /// Signs a token for `uri` (a playback id, an object key or key prefix,
    /// or `""` for a whole bucket). A cached signer ([`Signer::cached`])
    /// answers from its cache when it can.
    pub fn sign(&self, uri: &str, opts: &SignOptions) -> Result<String> {
        validate_uri(uri)?;
        if let Some(cache) = &self.cache {
            if let Some(r) = cache.get_or_sign(self, uri, opts) {
                return r;
            }
        }
        self.sign_uncached(uri, opts)
    }

    /// Signs without looking at the cache.
    pub(crate) fn sign_uncached(&self, uri: &str, opts: &SignOptions) -> Result<String> {
        let times = self.times(opts)?;
        let payload = payload_json(uri, times.exp, times.nbf, &opts.claims)?;
        self.sign_payload(payload.as_bytes())
    }

    /// Signs an already serialised payload. Header is fixed.
    fn sign_payload(&self, payload: &[u8]) -> Result<String> {
        let i = &self.inner;
        let payload_b64_len = base64::encoded_len(payload.len(), false).unwrap_or(0);
        let sig_b64_len = base64::encoded_len(i.sig_len, false).unwrap_or(0);
        let mut out = String::with_capacity(i.header_b64.len() + 2 + payload_b64_len + sig_b64_len);
        out.push_str(&i.header_b64);
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(payload, &mut out);
        let mut sig = [0u8; keys::MAX_RSA_BITS / 8];
        let sig = &mut sig[..i.sig_len];
        i.key.sign(out.as_bytes(), sig)?;
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(&*sig, &mut out);
        Ok(out)
    }
}

/// The value of an environment variable, `None` when unset, not UTF-8, or blank.
/// The value is wiped when dropped.
pub(crate) fn env_value(name: &str) -> Option<zeroize::Zeroizing<String>> {
    let v = zeroize::Zeroizing::new(std::env::var(name).ok()?);
    if v.trim().is_empty() { None } else { Some(v) }
}

/// An I/O error in words without the OS error number noise.
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// A token `uri` never starts with `/`: object keys have no leading `/` and
/// playback ids hold none, so such a token could never match anything.
pub(crate) fn validate_uri(uri: &str) -> Result<()> {
    if uri.starts_with('/') {
        return Err(Error::invalid_argument(format!(
            "the token uri `{}` starts with `/` and can never match (object keys have no leading `/`); sign `{}`",
            uri.escape_debug(),
            uri.trim_start_matches('/').escape_debug()
        )));
    }
    Ok(())
}

impl Signer {
    /// The second half of [`Signer::prepare`] for callers that cannot keep
    /// the [`PreparedToken`] (the C ABI hands the signing input out as text):
    /// `signing_input` must be one this signer prepared (its header, a
    /// payload with a `uri`), and `signature` must verify with its public key.
    pub fn finish(&self, signing_input: &str, signature: &[u8]) -> Result<String> {
        let payload = signing_input
            .strip_prefix(self.inner.header_b64.as_str())
            .and_then(|rest| rest.strip_prefix('.'))
            .ok_or_else(|| {
                Error::invalid_argument("the signing input was not prepared by this signer (another header)")
            })?;
        let bytes = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| Error::invalid_argument("the signing input's payload is not base64url"))?;
        let claims: Map<String, Value> = serde_json::from_slice(&bytes)
            .map_err(|_| Error::invalid_argument("the signing input's payload is not a JSON object"))?;
        if !claims.get("uri").is_some_and(Value::is_string) {
            return Err(Error::invalid_argument("the signing input's payload has no `uri`"));
        }
        let token = PreparedToken {
            signer: self.clone(),
            signing_input: signing_input.to_string(),
            ready: None,
            pending: None,
        }
        .finish(signature)?;
        if let Some(cache) = &self.cache {
            cache.remember_payload(claims, &token);
        }
        Ok(token)
    }
}

/// A token waiting for its signature: see [`Signer::prepare`].
#[derive(Debug, Clone)]
pub struct PreparedToken {
    signer: Signer,
    signing_input: String,
    /// The finished token, when a cached signer already has it.
    ready: Option<String>,
    /// Where a cached signer keeps the token once finished.
    pending: Option<crate::cache::PendingKey>,
}

impl PreparedToken {
    /// The bytes to sign with RS256: `base64url(header) "." base64url(payload)`.
    pub fn signing_input(&self) -> &str {
        &self.signing_input
    }

    /// The token already made, when the signer is cached ([`Signer::cached`])
    /// and has one for this window: then no signature is needed (an external
    /// signer need not be called) and this is what [`PreparedToken::finish`]
    /// would return.
    pub fn ready(&self) -> Option<&str> {
        self.ready.as_deref()
    }

    /// The token, once `signature` (raw RS256 bytes) verifies with the
    /// signer's public key; SIGNER_FAILED otherwise.
    pub fn finish(self, signature: &[u8]) -> Result<String> {
        let want = self.signer.inner.sig_len;
        if signature.len() != want {
            return Err(Error::with_code(
                crate::ErrorCode::SignerFailed,
                format!(
                    "the signature has {} bytes; an RS256 signature by this {}-bit key has {want}",
                    signature.len(),
                    self.signer.key_bits()
                ),
            ));
        }
        let ok = match &self.signer.inner.key {
            KeyKind::External(e) => e.verifies(self.signing_input.as_bytes(), signature),
            KeyKind::Local(_) => {
                crate::backend::VerifyingKey::new(self.signer.inner.backend, &self.signer.inner.public)
                    .map(|k| k.verify(self.signing_input.as_bytes(), signature))
                    .unwrap_or(false)
            }
        };
        if !ok {
            return Err(Error::with_code(
                crate::ErrorCode::SignerFailed,
                "the signature does not verify with the signer's public key (a different key, another algorithm than RS256, or a broken signer); no token was made",
            ));
        }
        let mut out = self.signing_input;
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(signature, &mut out);
        if let (Some(key), Some(cache)) = (self.pending, &self.signer.cache) {
            cache.finish(key, &out);
        }
        Ok(out)
    }
}

fn validate_key_id(kid: &str) -> Result<()> {
    if kid.is_empty() {
        return Err(Error::invalid_argument("the signing key id (kid) is empty"));
    }
    if kid.len() > 256 || kid.chars().any(|c| c.is_control()) {
        return Err(Error::invalid_argument(
            "the signing key id (kid) must be at most 256 characters without control characters",
        ));
    }
    Ok(())
}

/// Serialises the payload: `uri`, `exp`, `nbf`, then custom claims sorted by
/// name (serde_json's map is ordered), so every language gets the same bytes.
pub(crate) fn payload_json(
    uri: &str,
    exp: Option<i64>,
    nbf: Option<i64>,
    claims: &Map<String, Value>,
) -> Result<String> {
    let mut s = String::with_capacity(32 + uri.len() + if claims.is_empty() { 0 } else { 64 });
    s.push_str("{\"uri\":");
    push_json_string(&mut s, uri);
    if let Some(exp) = exp {
        s.push_str(",\"exp\":");
        s.push_str(&exp.to_string());
    }
    if let Some(nbf) = nbf {
        s.push_str(",\"nbf\":");
        s.push_str(&nbf.to_string());
    }
    for (k, v) in claims {
        s.push(',');
        push_json_string(&mut s, k);
        s.push(':');
        let v = serde_json::to_string(v)
            .map_err(|e| Error::invalid_argument(format!("claim `{k}` cannot be serialised: {e}")))?;
        s.push_str(&v);
    }
    s.push('}');
    Ok(s)
}

pub(crate) fn push_json_string(out: &mut String, s: &str) {
    // serde_json's escaping, without an intermediate Value.
    match serde_json::to_string(s) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => out.push_str("\"\""),
    }
}
