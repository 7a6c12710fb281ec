//! Turning command-line inputs into core values: keys from files, stdin or
//! the environment; lifetimes and claims into [`SignOptions`].

use std::io::Read as _;
use std::path::Path;

use qencode_cdn::{ErrorCode, Expiry, SIGNING_KEY_ID_ENV, SignOptions, Signer};
use zeroize::Zeroizing;

use crate::args::{KeyArgs, LifetimeArgs};
use crate::error::CliError;
use crate::timeparse::{parse_duration, parse_instant};

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

/// The hint for a missing or unreadable signing key.
const KEY_HINT: &str = "pass --key FILE, --key - (stdin), or set QENCODE_SIGNING_KEY to the PEM";

/// The key id of `--key-id`, else the `QENCODE_SIGNING_KEY_ID` variable
/// (trimmed; blank counts as unset, as in [`Signer::from_env`]).
fn key_id_or_env(key_id: Option<&str>) -> Result<String, CliError> {
    if let Some(k) = key_id {
        return Ok(k.to_string());
    }
    match std::env::var(SIGNING_KEY_ID_ENV) {
        Ok(v) if !v.trim().is_empty() => Ok(v.trim().to_string()),
        _ => Err(
            CliError::invalid(format!("no signing key id given and {SIGNING_KEY_ID_ENV} is not set")).hint(format!(
                "pass --key-id ID (the `id` of the signing key) or set {SIGNING_KEY_ID_ENV}"
            )),
        ),
    }
}

/// Loads a [`Signer`]: the key from `--key FILE` ([`Signer::from_file`]),
/// `--key -` (stdin), or, with neither, from the environment
/// ([`Signer::from_env`], which also reads the key id when `key_id` is `None`).
pub fn load_signer(key_id: Option<&str>, key: Option<&str>) -> Result<Signer, CliError> {
    match key {
        None => Signer::from_env(key_id).map_err(|e| {
            let missing_id = key_id.is_none() && e.message().contains(SIGNING_KEY_ID_ENV);
            let e = CliError::from(e);
            if missing_id {
                e.hint(format!(
                    "pass --key-id ID (the `id` of the signing key) or set {SIGNING_KEY_ID_ENV}"
                ))
            } else if e.code() == ErrorCode::InvalidArgument.as_str() {
                e.hint(KEY_HINT)
            } else {
                e
            }
        }),
        Some("-") => {
            let kid = key_id_or_env(key_id)?;
            let mut buf = Zeroizing::new(Vec::new());
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| CliError::invalid(format!("cannot read the private key from stdin: {e}")))?;
            Ok(Signer::from_pem(&kid, &*buf)?)
        }
        Some(path) => {
            let kid = key_id_or_env(key_id)?;
            Ok(Signer::from_file(&kid, path)?)
        }
    }
}

/// Loads a [`Signer`] from `--key-id` and `--key` (or the environment).
pub fn signer(args: &KeyArgs) -> Result<Signer, CliError> {
    load_signer(args.key_id.as_deref(), args.key.as_deref())
}

/// Bytes of a key file (or stdin for `-`), without the empty-file check of
/// [`read_input`]: whether the bytes are a key is the core's decision.
pub fn read_key_file(path: &str, what: &str) -> Result<Zeroizing<Vec<u8>>, CliError> {
    let mut buf = Zeroizing::new(Vec::new());
    let result = if path == "-" {
        std::io::stdin().read_to_end(&mut buf).map(drop)
    } else {
        std::fs::File::open(Path::new(path)).and_then(|mut f| f.read_to_end(&mut buf).map(drop))
    };
    result.map_err(|e| {
        let from = if path == "-" {
            "stdin".to_string()
        } else {
            format!("`{path}`")
        };
        CliError::invalid(format!("cannot read the {what} from {from}: {}", io_reason(&e)))
    })?;
    Ok(buf)
}

/// The hint that names the CLI flags for the core's option names.
const LIFETIME_HINT: &str = "--ttl is expires_in, --expires-at is expires_at and --no-expiry is never_expires";

/// Builds the [`SignOptions`] of `--ttl`, `--expires-at`, `--not-before`,
/// `--no-expiry`, `--claim`, `--claims-json` and `--now`. Whether they fit
/// together is decided by the core ([`Expiry::resolve`], [`Signer::sign`]).
pub fn sign_options(args: &LifetimeArgs) -> Result<SignOptions, CliError> {
    let expires_in = args.ttl.as_deref().map(parse_duration).transpose()?;
    let expires_at = args.expires_at.as_deref().map(parse_instant).transpose()?;
    let expiry = Expiry::resolve(expires_in, expires_at, args.no_expiry).map_err(|e| {
        let hint = if args.no_expiry {
            LIFETIME_HINT.to_string()
        } else {
            format!("{LIFETIME_HINT}; a token that never expires needs --no-expiry, by name")
        };
        CliError::from(e).hint(hint)
    })?;
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
