//! Options given as data: the one place where every binding's loose option
//! objects — Python keyword arguments, JavaScript objects, PHP arrays, Ruby
//! keywords, the JSON text of the C ABI — become [`SignOptions`],
//! [`VerifyOptions`] and [`CookieOptions`].
//!
//! Bindings convert their language's values to JSON (times to Unix seconds,
//! durations to seconds) and hand the object over; this module decides what
//! it means, so that every language refuses the same mistakes with the same
//! words:
//!
//! - an unknown key is INVALID_ARGUMENT (a typo never silently becomes a
//!   default);
//! - a value of the wrong type (`"600"`, `true` where seconds are expected)
//!   is INVALID_ARGUMENT of the type kind ([`Error::is_type_error`]);
//! - a *lifetime* given as `null` (`expires_in`, `expires_at`) is an error:
//!   it arrives from missing configuration, and must never mean either the
//!   default or "forever" (DESIGN §2). Leave the key out for the default;
//!   ask for `never_expires: true` for a token without `exp`;
//! - `null` for anything else (`not_before`, `claims`, `now`, `key_id`,
//!   `resource`, `domain`, `path`) means "not given";
//! - seconds are whole numbers (`600` or `600.0`, not `600.5`).
//!
//! ```
//! use qencode_cdn::{KeyStyle, SignOptions};
//! use serde_json::json;
//! let opts = SignOptions::from_json(&json!({"expires_in": 600, "claims": {"viewer": "u-42"}}), KeyStyle::Snake)?;
//! assert!(SignOptions::from_json(&json!({"expiresIn": null}), KeyStyle::Camel).is_err());
//! assert!(SignOptions::from_json(&json!({"expires_inn": 600}), KeyStyle::Snake).is_err());
//! # let _ = opts;
//! # Ok::<(), qencode_cdn::Error>(())
//! ```

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::cookie::{CookieOptions, SameSite};
use crate::error::{Error, Result};
use crate::token::{Expiry, SignOptions};
use crate::verify::{Resource, VerifyOptions};

/// How the keys of an options object are spelled: `expires_in` (Python, PHP,
/// Ruby, the C ABI) or `expiresIn` (JavaScript). Error messages use the same
/// spelling, so a Node user reads `expiresIn` and a Python user `expires_in`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyStyle {
    /// `snake_case`.
    #[default]
    Snake,
    /// `camelCase`.
    Camel,
}

impl KeyStyle {
    /// Whether `key` is the spelling of the snake_case name `snake` in this
    /// style — without building the spelling (options are read on every
    /// signature).
    ///
    /// ```
    /// use qencode_cdn::KeyStyle;
    /// assert!(KeyStyle::Camel.matches("expires_in", "expiresIn"));
    /// assert!(!KeyStyle::Camel.matches("expires_in", "expires_in"));
    /// ```
    pub fn matches(self, snake: &str, key: &str) -> bool {
        match self {
            KeyStyle::Snake => snake == key,
            KeyStyle::Camel => {
                let mut want = snake.bytes();
                let mut got = key.bytes();
                loop {
                    match (want.next(), got.next()) {
                        (None, None) => return true,
                        (Some(b'_'), Some(g)) => match want.next() {
                            Some(w) if w.to_ascii_uppercase() == g && w != g => {}
                            _ => return false,
                        },
                        (Some(w), Some(g)) if w == g && !g.is_ascii_uppercase() => {}
                        _ => return false,
                    }
                }
            }
        }
    }

    /// The spelling of a snake_case option name in this style.
    ///
    /// ```
    /// use qencode_cdn::KeyStyle;
    /// assert_eq!(KeyStyle::Camel.name("never_expires"), "neverExpires");
    /// assert_eq!(KeyStyle::Snake.name("never_expires"), "never_expires");
    /// ```
    pub fn name(self, snake: &'static str) -> Cow<'static, str> {
        match self {
            KeyStyle::Snake => Cow::Borrowed(snake),
            KeyStyle::Camel if !snake.contains('_') => Cow::Borrowed(snake),
            KeyStyle::Camel => {
                let mut out = String::with_capacity(snake.len());
                let mut upper = false;
                for c in snake.chars() {
                    if c == '_' {
                        upper = true;
                    } else if upper {
                        out.push(c.to_ascii_uppercase());
                        upper = false;
                    } else {
                        out.push(c);
                    }
                }
                Cow::Owned(out)
            }
        }
    }
}

/// The keys an options object may hold, read once each.
pub(crate) struct Fields<'a> {
    map: Cow<'a, Map<String, Value>>,
    style: KeyStyle,
}

impl<'a> Fields<'a> {
    /// `null` is an empty object; anything else but an object is an error.
    /// Every key must be one of `known` (snake_case names).
    pub(crate) fn new(value: &'a Value, style: KeyStyle, what: &'static str, known: &[&'static str]) -> Result<Self> {
        let map = match value {
            Value::Null => Cow::Owned(Map::new()),
            Value::Object(m) => Cow::Borrowed(m),
            other => {
                return Err(Error::invalid_type(format!(
                    "{what} must be an object, got {}",
                    type_name(other)
                )));
            }
        };
        for key in map.keys() {
            if !known.iter().any(|k| style.matches(k, key)) {
                let names: Vec<Cow<'static, str>> = known.iter().map(|k| style.name(k)).collect();
                return Err(Error::invalid_argument(format!(
                    "unknown {what} `{}`; the {what}s are {}",
                    key.escape_debug(),
                    names.join(", ")
                )));
            }
        }
        Ok(Fields { map, style })
    }

    fn get(&self, key: &'static str) -> Option<&Value> {
        match self.style {
            KeyStyle::Snake => self.map.get(key),
            KeyStyle::Camel => self
                .map
                .iter()
                .find(|(k, _)| self.style.matches(key, k))
                .map(|(_, v)| v),
        }
    }

    pub(crate) fn shown(&self, key: &'static str) -> Cow<'static, str> {
        self.style.name(key)
    }

    /// A value that is absent or `null` is `None`.
    pub(crate) fn optional(&self, key: &'static str) -> Option<&Value> {
        self.get(key).filter(|v| !v.is_null())
    }

    /// Whole seconds; `null` is `None` only when `null_ok`.
    pub(crate) fn seconds(&self, key: &'static str, null_ok: bool) -> Result<Option<i64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Null) if null_ok => Ok(None),
            Some(Value::Null) => Err(Error::invalid_type(format!(
                "{} is null; leave it out for the default, and ask for a token without expiry by name ({})",
                self.shown(key),
                self.shown("never_expires")
            ))),
            Some(v) => whole_seconds(v, &self.shown(key)).map(Some),
        }
    }

    pub(crate) fn bool(&self, key: &'static str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(Error::invalid_type(format!(
                "{} must be true or false, got {}",
                self.shown(key),
                type_name(other)
            ))),
        }
    }

    pub(crate) fn string(&self, key: &'static str) -> Result<Option<&str>> {
        match self.optional(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(Error::invalid_type(format!(
                "{} must be a string, got {}",
                self.shown(key),
                type_name(other)
            ))),
        }
    }

    fn object(&self, key: &'static str) -> Result<Option<&Map<String, Value>>> {
        match self.optional(key) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(other) => Err(Error::invalid_type(format!(
                "{} must be an object, got {}",
                self.shown(key),
                type_name(other)
            ))),
        }
    }
}

/// Whole seconds from a JSON number (`600` or `600.0`, within ±2^53).
fn whole_seconds(v: &Value, name: &str) -> Result<i64> {
    if let Some(i) = v.as_i64() {
        return Ok(i);
    }
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.is_finite() && f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_991.0 => Ok(f as i64),
            _ => Err(Error::invalid_argument(format!(
                "{name} must be a whole number of seconds, got {n}"
            ))),
        },
        other => Err(Error::invalid_type(format!(
            "{name} must be a number of seconds, got {}",
            type_name(other)
        ))),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

const SIGN_KEYS: [&str; 6] = [
    "expires_in",
    "expires_at",
    "not_before",
    "claims",
    "never_expires",
    "now",
];
const VERIFY_KEYS: [&str; 4] = ["key_id", "leeway", "resource", "now"];
const COOKIE_KEYS: [&str; 5] = ["domain", "path", "same_site", "secure", "http_only"];

impl SignOptions {
    /// Sign options from an object with the keys `expires_in` (seconds),
    /// `expires_at`, `not_before`, `now` (Unix seconds), `claims` (object)
    /// and `never_expires` (boolean), spelled in `style`. See the
    /// [module](crate::options) for the rules; the combination is decided by
    /// [`Expiry::resolve`] and the values by [`crate::Signer::times`].
    pub fn from_json(value: &Value, style: KeyStyle) -> Result<SignOptions> {
        let f = Fields::new(value, style, "sign option", &SIGN_KEYS)?;
        let expires_in = f.seconds("expires_in", false)?;
        let expires_at = f.seconds("expires_at", false)?;
        let never = match f.get("never_expires") {
            Some(Value::Null) => {
                return Err(Error::invalid_type(format!(
                    "{} is null; it must be true or false",
                    f.shown("never_expires")
                )));
            }
            _ => f.bool("never_expires")?.unwrap_or(false),
        };
        let expiry = Expiry::resolve(expires_in, expires_at, never).map_err(|e| restyle(e, style))?;
        let mut opts = SignOptions::new().expiry(expiry);
        if let Some(nbf) = f.seconds("not_before", true)? {
            opts = opts.not_before(nbf);
        }
        if let Some(now) = f.seconds("now", true)? {
            if now < 0 {
                return Err(Error::invalid_argument(format!(
                    "{} must not be negative, got {now}",
                    f.shown("now")
                )));
            }
            opts = opts.now(now);
        }
        if let Some(claims) = f.object("claims")? {
            opts = opts.claims(claims.clone());
        }
        Ok(opts)
    }
}

/// `Expiry::resolve` names the options in snake_case; say them in the caller's style.
fn restyle(e: Error, style: KeyStyle) -> Error {
    if style == KeyStyle::Snake {
        return e;
    }
    let mut msg = e.message();
    for key in SIGN_KEYS {
        msg = msg.replace(key, &style.name(key));
    }
    Error::invalid_argument(msg)
}

impl VerifyOptions {
    /// Verify options from an object with the keys `key_id` (string),
    /// `leeway` (seconds), `now` (Unix seconds) and `resource` (`{"kind":
    /// "live", "playback_id": …}` or `{"kind": "storage", "key": …}`),
    /// spelled in `style`.
    ///
    /// ```
    /// use qencode_cdn::{KeyStyle, VerifyOptions, Resource};
    /// use serde_json::json;
    /// let o = VerifyOptions::from_json(&json!({"leeway": 30, "resource": {"kind": "live", "playbackId": "abc"}}), KeyStyle::Camel)?;
    /// assert_eq!(o.get_resource(), Some(&Resource::live("abc")));
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn from_json(value: &Value, style: KeyStyle) -> Result<VerifyOptions> {
        let f = Fields::new(value, style, "verify option", &VERIFY_KEYS)?;
        let mut opts = VerifyOptions::new();
        if let Some(kid) = f.string("key_id")? {
            opts = opts.kid(kid);
        }
        if let Some(leeway) = f.seconds("leeway", true)? {
            let leeway = u64::try_from(leeway).map_err(|_| {
                Error::invalid_argument(format!("{} must not be negative, got {leeway}", f.shown("leeway")))
            })?;
            opts = opts.leeway(leeway);
        }
        if let Some(now) = f.seconds("now", true)? {
            opts = opts.now(now);
        }
        if let Some(r) = f.optional("resource") {
            opts = opts.resource(resource_from_json(r, style)?);
        }
        Ok(opts)
    }
}

/// A [`Resource`] from `{"kind": "live", "playback_id": …}` or
/// `{"kind": "storage", "key": …}` (keys spelled in `style`).
pub fn resource_from_json(value: &Value, style: KeyStyle) -> Result<Resource> {
    let what = "resource";
    let bad = || {
        Error::invalid_argument(format!(
            "a resource is {{ kind: \"live\", {}: … }} or {{ kind: \"storage\", key: … }}",
            style.name("playback_id")
        ))
    };
    let Value::Object(map) = value else {
        return Err(bad());
    };
    match map.get("kind").and_then(Value::as_str) {
        Some("live") => {
            let f = Fields::new(value, style, what, &["kind", "playback_id"])?;
            let id = f.string("playback_id")?.ok_or_else(bad)?;
            Ok(Resource::live(id))
        }
        Some("storage") => {
            let f = Fields::new(value, style, what, &["kind", "key"])?;
            let key = f.string("key")?.ok_or_else(bad)?;
            Ok(Resource::storage(key))
        }
        _ => Err(bad()),
    }
}

impl CookieOptions {
    /// Cookie attributes from an object with the keys `domain`, `path`,
    /// `same_site` (`"Lax"`, `"Strict"`, `"None"`, any case), `secure` and
    /// `http_only` (booleans), spelled in `style`.
    pub fn from_json(value: &Value, style: KeyStyle) -> Result<CookieOptions> {
        let f = Fields::new(value, style, "cookie option", &COOKIE_KEYS)?;
        let mut c = CookieOptions::new();
        if let Some(d) = f.string("domain")? {
            c = c.domain(d);
        }
        if let Some(p) = f.string("path")? {
            c = c.path(p);
        }
        if let Some(s) = f.string("same_site")? {
            c = c.same_site(SameSite::parse(s)?);
        }
        if let Some(s) = f.bool("secure")? {
            c = c.secure(s);
        }
        if let Some(h) = f.bool("http_only")? {
            c = c.http_only(h);
        }
        Ok(c)
    }
}

/// Client settings read from data, applied by `ClientBuilder::options_json`.
#[cfg(feature = "client")]
#[derive(Debug, Default)]
pub(crate) struct ClientOptions {
    pub(crate) api_url: Option<String>,
    pub(crate) auth_url: Option<String>,
    pub(crate) timeout: Option<std::time::Duration>,
    pub(crate) connect_timeout: Option<std::time::Duration>,
    pub(crate) deadline: Option<std::time::Duration>,
    pub(crate) max_retries: Option<u32>,
}

#[cfg(feature = "client")]
const CLIENT_KEYS: [&str; 6] = [
    "api_url",
    "auth_url",
    "timeout",
    "connect_timeout",
    "deadline",
    "max_retries",
];

#[cfg(feature = "client")]
pub(crate) fn client_options(value: &Value, style: KeyStyle) -> Result<ClientOptions> {
    let f = Fields::new(value, style, "client option", &CLIENT_KEYS)?;
    let max = crate::client::MAX_TIMEOUT.as_secs_f64();
    let duration = |key: &'static str| -> Result<Option<std::time::Duration>> {
        match f.optional(key) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_f64() {
                Some(s) if s.is_finite() && s > 0.0 && s <= max => Ok(Some(std::time::Duration::from_secs_f64(s))),
                _ => Err(Error::invalid_argument(format!(
                    "{} must be more than 0 and at most {max} seconds, got {n}",
                    f.shown(key)
                ))),
            },
            Some(other) => Err(Error::invalid_type(format!(
                "{} must be a number of seconds, got {}",
                f.shown(key),
                type_name(other)
            ))),
        }
    };
    let max_retries = match f.optional("max_retries") {
        None => None,
        Some(v) => {
            let n = whole_seconds(v, &f.shown("max_retries"))?;
            Some(u32::try_from(n).map_err(|_| {
                Error::invalid_argument(format!("{} must not be negative, got {n}", f.shown("max_retries")))
            })?)
        }
    };
    Ok(ClientOptions {
        api_url: f.string("api_url")?.map(str::to_string),
        auth_url: f.string("auth_url")?.map(str::to_string),
        timeout: duration("timeout")?,
        connect_timeout: duration("connect_timeout")?,
        deadline: duration("deadline")?,
        max_retries,
    })
}

/// Splits one options object holding both sign and cookie options (the
/// bindings' `signed_cookie(uri, **options)`) into the two.
///
/// ```
/// use qencode_cdn::{KeyStyle, options::split_cookie_options};
/// use serde_json::json;
/// let (sign, cookie) = split_cookie_options(&json!({"expires_in": 60, "domain": "example.com"}), KeyStyle::Snake)?;
/// # let _ = (sign, cookie);
/// # Ok::<(), qencode_cdn::Error>(())
/// ```
pub fn split_cookie_options(value: &Value, style: KeyStyle) -> Result<(SignOptions, CookieOptions)> {
    let map = match value {
        Value::Null => Map::new(),
        Value::Object(m) => m.clone(),
        other => {
            return Err(Error::invalid_type(format!(
                "cookie options must be an object, got {}",
                type_name(other)
            )));
        }
    };
    let (mut sign, mut cookie) = (Map::new(), Map::new());
    for (k, v) in map {
        if COOKIE_KEYS.iter().any(|c| style.matches(c, &k)) {
            cookie.insert(k, v);
        } else if SIGN_KEYS.iter().any(|s| style.matches(s, &k)) {
            sign.insert(k, v);
        } else {
            let names: Vec<Cow<'static, str>> = SIGN_KEYS.iter().chain(&COOKIE_KEYS).map(|k| style.name(k)).collect();
            return Err(Error::invalid_argument(format!(
                "unknown cookie option `{}`; the options are {}",
                k.escape_debug(),
                names.join(", ")
            )));
        }
    }
    Ok((
        SignOptions::from_json(&Value::Object(sign), style)?,
        CookieOptions::from_json(&Value::Object(cookie), style)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use serde_json::json;

    fn sign(v: Value) -> Result<SignOptions> {
        SignOptions::from_json(&v, KeyStyle::Snake)
    }

    #[test]
    fn null_lifetimes_are_type_errors_and_other_nulls_mean_absent() {
        for key in ["expires_in", "expires_at", "never_expires"] {
            let e = sign(json!({ key: null })).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidArgument);
            assert!(e.is_type_error(), "{key}");
        }
        let o = sign(json!({"not_before": null, "claims": null, "now": null})).unwrap();
        assert_eq!(o, SignOptions::new());
    }

    #[test]
    fn wrong_types_and_unknown_keys_are_refused() {
        assert!(sign(json!({"expires_in": "600"})).unwrap_err().is_type_error());
        assert!(sign(json!({"expires_in": true})).unwrap_err().is_type_error());
        assert!(!sign(json!({"expires_in": 1.5})).unwrap_err().is_type_error());
        assert_eq!(
            sign(json!({"expires_in": 600.0})).unwrap(),
            SignOptions::new().expiry(Expiry::In(600))
        );
        let e = sign(json!({"expiresIn": 600})).unwrap_err();
        assert!(e.message().contains("unknown sign option `expiresIn`"), "{e}");
        let e = SignOptions::from_json(&json!({"expires_in": 600}), KeyStyle::Camel).unwrap_err();
        assert!(e.message().contains("expiresIn, expiresAt"), "{e}");
        assert!(sign(json!([1])).unwrap_err().is_type_error());
    }

    #[test]
    fn camel_matching_is_exact() {
        for (snake, camel) in [
            ("expires_in", "expiresIn"),
            ("http_only", "httpOnly"),
            ("now", "now"),
            ("key_id", "keyId"),
        ] {
            assert!(KeyStyle::Camel.matches(snake, camel));
            assert_eq!(
                KeyStyle::Camel.name(Box::leak(snake.to_string().into_boxed_str())),
                camel
            );
        }
        for wrong in [
            "expires_in",
            "expiresin",
            "expiresIN",
            "ExpiresIn",
            "expiresInx",
            "expires",
            "expiresIn_",
        ] {
            assert!(!KeyStyle::Camel.matches("expires_in", wrong), "{wrong}");
        }
    }

    #[test]
    fn camel_messages_name_camel_options() {
        let e = SignOptions::from_json(&json!({"neverExpires": true, "expiresIn": 5}), KeyStyle::Camel).unwrap_err();
        assert!(
            e.message().contains("neverExpires cannot be combined with expiresIn"),
            "{e}"
        );
    }

    #[test]
    fn resources_and_cookie_options() {
        let r = resource_from_json(&json!({"kind": "storage", "key": "/a/b"}), KeyStyle::Snake).unwrap();
        assert_eq!(r, Resource::storage("a/b"));
        assert!(resource_from_json(&json!({"kind": "live", "key": "x"}), KeyStyle::Snake).is_err());
        assert!(resource_from_json(&json!({"kind": "tape"}), KeyStyle::Snake).is_err());
        let c = CookieOptions::from_json(&json!({"sameSite": "strict", "httpOnly": false}), KeyStyle::Camel).unwrap();
        assert_eq!(c, CookieOptions::new().same_site(SameSite::Strict).http_only(false));
        let (s, c) =
            split_cookie_options(&json!({"expires_in": 60, "domain": "example.com"}), KeyStyle::Snake).unwrap();
        assert_eq!(s, SignOptions::new().expiry(Expiry::In(60)));
        assert_eq!(c, CookieOptions::new().domain("example.com"));
        assert!(split_cookie_options(&json!({"bogus": 1}), KeyStyle::Snake).is_err());
    }
}
