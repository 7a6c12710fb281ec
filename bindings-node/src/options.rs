//! Conversion of the JS options objects into core options. The JS wrapper
//! has already refused present-but-`undefined`/`null` keys, unknown keys and
//! wrong types, and turned `Date`s into seconds and claims into JSON text.

use napi_derive::napi;
use qencode_cdn::{CookieOptions, Error, Expiry, Resource, SameSite, SignOptions, VerifyOptions};

use crate::error::invalid;

/// Largest integer a JS number holds exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Sign options, after the wrapper's checks (all times in Unix seconds).
#[napi(object)]
#[derive(Default)]
pub struct NativeSignOptions {
    pub expires_in: Option<f64>,
    pub expires_at: Option<f64>,
    pub not_before: Option<f64>,
    pub never_expires: Option<bool>,
    /// Custom claims as JSON text of an object (`JSON.stringify` keeps JS semantics).
    pub claims: Option<String>,
    /// Pinned signing time (tests, reproducible vectors).
    pub now: Option<f64>,
}

/// Cookie attributes.
#[napi(object)]
#[derive(Default)]
pub struct NativeCookieOptions {
    pub domain: Option<String>,
    pub path: Option<String>,
    pub same_site: Option<String>,
    pub secure: Option<bool>,
    pub http_only: Option<bool>,
}

/// Verification options.
#[napi(object)]
#[derive(Default)]
pub struct NativeVerifyOptions {
    pub key_id: Option<String>,
    pub leeway: Option<f64>,
    /// `"live"` or `"storage"`, with `resource_value` the playback id or key.
    pub resource_kind: Option<String>,
    pub resource_value: Option<String>,
    pub now: Option<f64>,
}

/// A JS number that must be a whole number of seconds.
pub fn whole(name: &str, v: f64) -> Result<i64, Error> {
    if !v.is_finite() || v.fract() != 0.0 || v.abs() > MAX_SAFE_INTEGER {
        return Err(invalid(format!(
            "{name} must be a whole number of seconds (a safe integer), got {v}"
        )));
    }
    Ok(v as i64)
}

fn opt_whole(name: &str, v: Option<f64>) -> Result<Option<i64>, Error> {
    v.map(|v| whole(name, v)).transpose()
}

impl NativeSignOptions {
    /// The core's options; the expiry goes through [`Expiry::resolve`], the
    /// one place that decides what the loose options mean.
    pub fn to_core(&self) -> Result<SignOptions, Error> {
        let expiry = Expiry::resolve(
            opt_whole("expiresIn", self.expires_in)?,
            opt_whole("expiresAt", self.expires_at)?,
            self.never_expires.unwrap_or(false),
        )?;
        let mut opts = SignOptions::new().expiry(expiry);
        if let Some(nbf) = opt_whole("notBefore", self.not_before)? {
            opts = opts.not_before(nbf);
        }
        if let Some(now) = opt_whole("now", self.now)? {
            opts = opts.now(now);
        }
        if let Some(json) = &self.claims {
            opts = opts.claims_json(json)?;
        }
        Ok(opts)
    }
}

/// The core's options, or the defaults when JS passed none.
pub fn sign_options(o: &Option<NativeSignOptions>) -> Result<SignOptions, Error> {
    match o {
        Some(o) => o.to_core(),
        None => Ok(SignOptions::new()),
    }
}

impl NativeCookieOptions {
    pub fn to_core(&self) -> Result<CookieOptions, Error> {
        let mut c = CookieOptions::new();
        if let Some(d) = &self.domain {
            c = c.domain(d.as_str());
        }
        if let Some(p) = &self.path {
            c = c.path(p.as_str());
        }
        if let Some(s) = &self.same_site {
            c = c.same_site(SameSite::parse(s)?);
        }
        if let Some(s) = self.secure {
            c = c.secure(s);
        }
        if let Some(h) = self.http_only {
            c = c.http_only(h);
        }
        Ok(c)
    }
}

impl NativeVerifyOptions {
    pub fn to_core(&self) -> Result<VerifyOptions, Error> {
        let mut v = VerifyOptions::new();
        if let Some(kid) = &self.key_id {
            v = v.kid(kid.as_str());
        }
        if let Some(leeway) = self.leeway {
            let secs = whole("leeway", leeway)?;
            let secs = u64::try_from(secs).map_err(|_| invalid("leeway must not be negative"))?;
            v = v.leeway(secs);
        }
        if let Some(now) = opt_whole("now", self.now)? {
            v = v.now(now);
        }
        match (self.resource_kind.as_deref(), &self.resource_value) {
            (None, None) => {}
            (Some("live"), Some(id)) => v = v.resource(Resource::live(id.as_str())),
            (Some("storage"), Some(key)) => v = v.resource(Resource::storage(key.as_str())),
            _ => {
                return Err(invalid(
                    "resource must be { kind: 'live', playbackId } or { kind: 'storage', key }",
                ));
            }
        }
        Ok(v)
    }
}

pub fn verify_options(o: &Option<NativeVerifyOptions>) -> Result<VerifyOptions, Error> {
    match o {
        Some(o) => o.to_core(),
        None => Ok(VerifyOptions::new()),
    }
}
