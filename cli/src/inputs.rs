//! Turning command-line inputs into core values: keys from files, stdin or
//! the environment; lifetimes and claims into [`SignOptions`].

use std::io::Read as _;
use std::path::Path;

use qencode_cdn::{Expiry, SignOptions, Signer};
use zeroize::Zeroizing;

use crate::args::{KeyArgs, LifetimeArgs};
use crate::error::CliError;
use crate::timeparse::{parse_duration, parse_instant};

/// Environment variable holding a private signing key (its contents, not a path).
pub const ENV_SIGNING_KEY: &str = qencode_cdn::SIGNING_KEY_ENV;

/// Reads a file, or stdin for `-`. Errors name the path, never the contents.
pub fn read_input(path: &str, what: &str) -> Result<Zeroizing<Vec<u8>>, CliError> {
    let mut buf = Zeroizing::new(Vec::new());
    if path == "-" {
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| CliError::invalid(format!("cannot read the {what} from stdin: {e}")))?;
    } else {
        let mut f = std::fs::File::open(Path::new(path))
            .map_err(|e| CliError::invalid(format!("cannot read the {what} from `{path}`: {}", io_reason(&e))))?;
        f.read_to_end(&mut buf)
            .map_err(|e| CliError::invalid(format!("cannot read the {what} from `{path}`: {}", io_reason(&e))))?;
    }
    if buf.iter().all(u8::is_ascii_whitespace) {
        let from = if path == "-" {
            "stdin".to_string()
        } else {
            format!("`{path}`")
        };
        return Err(CliError::invalid(format!("the {what} from {from} is empty")));
    }
    Ok(buf)
}

/// A short reason for an I/O error, without OS error numbers.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::AlreadyExists => "the file already exists".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

/// The private key bytes from `--key FILE|-` or `QENCODE_SIGNING_KEY`.
pub fn private_key_bytes(key: Option<&str>) -> Result<Zeroizing<Vec<u8>>, CliError> {
    if let Some(path) = key {
        return read_input(path, "private key");
    }
    match std::env::var_os(ENV_SIGNING_KEY) {
        Some(v) if !v.is_empty() => Ok(Zeroizing::new(v.into_encoded_bytes())),
        _ => Err(CliError::invalid("no signing key given").hint(format!(
            "pass --key FILE, --key - (stdin), or set {ENV_SIGNING_KEY} to the PEM"
        ))),
    }
}

/// Loads a [`Signer`] from `--key-id` and `--key` (or the environment).
pub fn signer(args: &KeyArgs) -> Result<Signer, CliError> {
    let kid = args.key_id.as_deref().ok_or_else(|| {
        CliError::invalid("no signing key id given")
            .hint("pass --key-id ID (the `id` of the signing key) or set QENCODE_SIGNING_KEY_ID")
    })?;
    let key = private_key_bytes(args.key.as_deref())?;
    Ok(Signer::from_pem(kid, &*key)?)
}

/// Builds the [`SignOptions`] of `--ttl`, `--expires-at`, `--not-before`,
/// `--no-expiry`, `--claim`, `--claims-json` and `--now`, through [`Expiry::resolve`].
pub fn sign_options(args: &LifetimeArgs) -> Result<SignOptions, CliError> {
    let expires_in = args.ttl.as_deref().map(parse_duration).transpose()?;
    if expires_in == Some(0) {
        return Err(CliError::invalid("--ttl must be at least one second")
            .hint("for a token that never expires, pass --no-expiry explicitly"));
    }
    let expires_at = args.expires_at.as_deref().map(parse_instant).transpose()?;
    let expiry = Expiry::resolve(expires_in, expires_at, args.no_expiry)?;
    let mut opts = SignOptions::new().expiry(expiry);
    if let Some(nbf) = args.not_before.as_deref() {
        opts = opts.not_before(parse_instant(nbf)?);
    }
    if let Some(now) = args.now.as_deref() {
        opts = opts.now(parse_instant(now)?);
    }
    if let Some(path) = &args.claims_json {
        let bytes = read_input(path, "claims JSON")?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| CliError::invalid(format!("the claims in `{path}` are not UTF-8 text")))?;
        opts = opts
            .claims_json(text)
            .map_err(|e| CliError::invalid(format!("`{path}`: {}", e.message())))?;
    }
    for c in &args.claims {
        let (name, value) = c
            .split_once('=')
            .ok_or_else(|| CliError::invalid(format!("--claim `{}` is not NAME=VALUE", c.escape_debug())))?;
        if name.is_empty() {
            return Err(CliError::invalid(format!(
                "--claim `{}` has an empty name",
                c.escape_debug()
            )));
        }
        opts = opts.claim(name, value);
    }
    Ok(opts)
}

/// True when any lifetime or claim option was given.
pub fn lifetime_given(args: &LifetimeArgs) -> bool {
    args.ttl.is_some()
        || args.expires_at.is_some()
        || args.not_before.is_some()
        || args.no_expiry
        || !args.claims.is_empty()
        || args.claims_json.is_some()
        || args.now.is_some()
}
