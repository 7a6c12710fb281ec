//! `qcdn token sign|decode|verify|audit`.

use qencode_cdn::time::{relative, utc};
use qencode_cdn::{
    AuditWarning, Claims, ErrorCode, Explanation, Resource, Verifier, VerifyOptions, audit_at, decode_unverified,
    parse_url,
};
use serde_json::{Map, Value, json};

use crate::args::{TextOrJson, TokenAuditArgs, TokenDecodeArgs, TokenSignArgs, TokenVerifyArgs};
use crate::error::{CliError, CliResult, EXIT_OK, EXIT_VERIFICATION_FAILED, exit_code_for};
use crate::inputs::{read_input, read_key_file, sign_options, signer};
use crate::output::{to_json, to_value};
use crate::timeparse::{parse_duration, parse_instant};

/// `qcdn token sign`: prints the token.
pub fn sign(args: &TokenSignArgs) -> CliResult {
    let signer = signer(&args.key)?;
    let opts = sign_options(&args.lifetime)?;
    let token = signer
        .sign(&args.uri, &opts)
        .map_err(|e| uri_hint(e.into(), &args.uri, None))?;
    println!("{token}");
    Ok(EXIT_OK)
}

/// Adds a hint naming the flag to change when the core refused the `uri`
/// itself (its messages quote the `uri`): a leading `/`, or, for a cookie
/// (`cookie_path` is `Some`), a single file where a folder is needed.
pub fn uri_hint(e: CliError, uri: &str, cookie_path: Option<Option<&str>>) -> CliError {
    let about_uri =
        e.code() == ErrorCode::InvalidArgument.as_str() && e.message().contains(&format!("`{}`", uri.escape_debug()));
    if !about_uri {
        return e;
    }
    if uri.starts_with('/') {
        return e.hint(format!(
            "pass --uri {} (object keys and playback ids have no leading `/`)",
            shell_word(uri.trim_start_matches('/'))
        ));
    }
    match (cookie_path, uri.rfind('/')) {
        (Some(None), Some(i)) if i + 1 != uri.len() => e.hint(format!(
            "pass --uri {} to sign the folder (every playlist and segment under it), or keep this uri and add --path {} for a cookie of that one file",
            shell_word(&uri[..=i]),
            shell_word(&format!("/{uri}"))
        )),
        _ => e,
    }
}

/// A value as the user would type it in a shell (quoted when needed).
fn shell_word(s: &str) -> String {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-~".contains(&b)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// A token given as itself, as a URL carrying it in `auth`, or `-` (stdin).
fn token_input(arg: &str) -> Result<String, CliError> {
    let raw = if arg == "-" {
        let bytes = read_input("-", "token")?;
        String::from_utf8_lossy(&bytes).trim().to_string()
    } else {
        arg.trim().to_string()
    };
    if raw.starts_with("https://") || raw.starts_with("http://") {
        let parsed = parse_url(&raw)?;
        return parsed
            .token
            .ok_or_else(|| CliError::invalid("the URL has no `auth` query parameter, so there is no token to read"));
    }
    Ok(raw)
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// `--now`, or the system clock.
fn now_or_clock(now: Option<&str>) -> Result<i64, CliError> {
    now.map(parse_instant).transpose().map(|t| t.unwrap_or_else(now_unix))
}

/// `exp`/`nbf` for people: `1764417600 (2025-11-29 12:00:00 UTC, in 59 minutes)`.
fn describe_time(t: i64, now: i64) -> String {
    format!("{t} ({}, {})", utc(t), relative(t.saturating_sub(now)))
}

fn claims_lines(claims: &Claims, now: i64, indent: &str) -> Vec<String> {
    let mut out = vec![format!("{indent}uri: {}", Value::String(claims.uri.clone()))];
    match claims.exp {
        Some(exp) => out.push(format!("{indent}exp: {}", describe_time(exp, now))),
        None => out.push(format!("{indent}exp: none: the token never expires")),
    }
    if let Some(nbf) = claims.nbf {
        out.push(format!("{indent}nbf: {}", describe_time(nbf, now)));
    }
    for (k, v) in &claims.extra {
        out.push(format!("{indent}{k}: {v}"));
    }
    out
}

fn times_json(claims: &Claims, now: i64) -> Value {
    let mut m = Map::new();
    for (name, t) in [("exp", claims.exp), ("nbf", claims.nbf)] {
        if let Some(t) = t {
            m.insert(
                name.into(),
                json!({"unix": t, "utc": utc(t), "relative": relative(t.saturating_sub(now))}),
            );
        }
    }
    Value::Object(m)
}

/// `qcdn token decode`: header and claims, explicitly unverified.
pub fn decode(args: &TokenDecodeArgs) -> CliResult {
    let token = token_input(&args.token)?;
    let (header, claims) = decode_unverified(&token)?;
    let now = now_unix();
    if args.output == TextOrJson::Json {
        let doc = json!({
            "verified": false,
            "header": header,
            "claims": claims,
            "times": times_json(&claims, now),
        });
        println!("{}", to_json(&doc)?);
        return Ok(EXIT_OK);
    }
    println!("NOT VERIFIED: decoded without checking the signature (use `qcdn token verify --public-key ...`)");
    println!("header:");
    for (k, v) in &header {
        println!("  {k}: {v}");
    }
    println!("claims:");
    for line in claims_lines(&claims, now, "  ") {
        println!("{line}");
    }
    Ok(EXIT_OK)
}

/// One audit warning as a line. The core's `Display` of [`Explanation`]
/// writes its warnings the same way; `AuditWarning` has no `Display` of its own.
fn warning_line(w: &AuditWarning) -> String {
    format!("  [warn] {}: {}", w.code, w.message)
}

/// `qcdn token audit`: the core's audit warnings; exit 0 whenever the token can be read.
pub fn audit(args: &TokenAuditArgs) -> CliResult {
    let token = token_input(&args.token)?;
    let now = now_or_clock(args.now.as_deref())?;
    let warnings = audit_at(&token, now)?;
    if args.output == TextOrJson::Json {
        println!("{}", to_json(&json!({"verified": false, "warnings": warnings}))?);
        return Ok(EXIT_OK);
    }
    let note = "the signature was not checked; `qcdn token verify` does that";
    match warnings.len() {
        0 => println!("no warnings: the token grants only what its claims name ({note})"),
        1 => println!("1 warning ({note}):"),
        n => println!("{n} warnings ({note}):"),
    }
    for w in &warnings {
        println!("{}", warning_line(w));
    }
    Ok(EXIT_OK)
}

/// `live:ID` or `storage:KEY`.
fn parse_resource(s: &str) -> Result<Resource, CliError> {
    match s.split_once(':') {
        Some(("live", id)) if !id.is_empty() => Ok(Resource::live(id)),
        Some(("storage", key)) => Ok(Resource::storage(key)),
        _ => Err(CliError::invalid(format!(
            "--resource `{}` is not live:PLAYBACK_ID or storage:KEY",
            s.escape_debug()
        ))),
    }
}

/// Prints an explanation: the core's `Display`, or its JSON with `extra` members added.
fn print_explanation(e: &Explanation, output: TextOrJson, extra: Map<String, Value>) -> Result<(), CliError> {
    match output {
        TextOrJson::Text => print!("{e}"),
        TextOrJson::Json => {
            let mut doc = to_value(e)?;
            if let Value::Object(m) = &mut doc {
                m.extend(extra);
            }
            println!("{}", to_json(&doc)?);
        }
    }
    Ok(())
}

/// `qcdn token verify`: prints the verdict (the core's explanation); exit 1
/// when refused, 3 when the input is not a token.
pub fn verify(args: &TokenVerifyArgs) -> CliResult {
    let key = read_key_file(&args.public_key, "public key")?;
    let verifier = Verifier::from_public_key(&*key)?;
    let mut opts = VerifyOptions::new();
    if let Some(l) = &args.leeway {
        opts = opts.leeway(parse_duration(l)?.unsigned_abs());
    }
    if let Some(kid) = &args.key_id {
        opts = opts.kid(kid.clone());
    }
    if let Some(r) = &args.resource {
        opts = opts.resource(parse_resource(r)?);
    }
    let now = match &args.now {
        Some(t) => {
            let t = parse_instant(t)?;
            opts = opts.now(t);
            t
        }
        None => verifier.now_unix(),
    };
    if let Some(url) = &args.url {
        let explanation = verifier.explain_with(url, &opts);
        print_explanation(&explanation, args.output, Map::new())?;
        return Ok(if explanation.ok {
            EXIT_OK
        } else {
            EXIT_VERIFICATION_FAILED
        });
    }
    let token = token_input(args.token.as_deref().unwrap_or("-"))?;
    let explanation = verifier.explain_token(&token, &opts);
    // The verdict's code comes from `verify`, the one check the edge makes.
    let refusal = verifier.verify(&token, &opts).err();
    if let Some(e) = &refusal {
        if !e.code().is_token_error() {
            return Err(CliError::from(e.clone()));
        }
    }
    let mut extra = Map::new();
    if let Some(claims) = &explanation.claims {
        extra.insert("times".into(), times_json(claims, now));
    }
    if let Some(e) = &refusal {
        extra.insert("code".into(), e.code().as_str().into());
        extra.insert("reason".into(), e.message().into());
    }
    print_explanation(&explanation, args.output, extra)?;
    if args.output == TextOrJson::Text {
        print_verify_notes(args, &explanation, refusal.as_ref(), now);
    }
    match refusal {
        None => Ok(EXIT_OK),
        Some(e) if exit_code_for(e.code()) == EXIT_VERIFICATION_FAILED => Ok(EXIT_VERIFICATION_FAILED),
        // Not a token at all (MALFORMED_TOKEN): the verdict is printed, and the error line says so too.
        Some(e) => Err(CliError::from(e)),
    }
}

/// What the CLI adds under the core's explanation of a bare token: the
/// refusal's code, the claims with readable times, and what was not checked.
fn print_verify_notes(args: &TokenVerifyArgs, e: &Explanation, refusal: Option<&qencode_cdn::Error>, now: i64) {
    if let Some(r) = refusal {
        println!("reason: {}: {}", r.code(), r.message());
    }
    if let Some(claims) = &e.claims {
        let by = e
            .key_id
            .as_deref()
            .map(|k| format!(", key id `{k}`"))
            .unwrap_or_default();
        let how = if refusal.is_none() {
            "verified"
        } else {
            "as written, unverified"
        };
        println!("claims ({how}{by}):");
        for line in claims_lines(claims, now, "  ") {
            println!("{line}");
        }
    }
    // The key id check says itself when it was not made; the resource check is absent then.
    if refusal.is_none() && args.resource.is_none() {
        println!("note: what it covers was not checked: pass --resource live:ID or storage:KEY");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_parse_from_their_prefix() {
        assert_eq!(parse_resource("live:abc").unwrap(), Resource::live("abc"));
        assert_eq!(
            parse_resource("storage:/v/a.mp4").unwrap(),
            Resource::storage("v/a.mp4")
        );
        assert_eq!(parse_resource("storage:").unwrap(), Resource::storage(""));
        assert!(parse_resource("live:").is_err());
        assert!(parse_resource("abc").is_err());
    }

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("videos/a/"), "videos/a/");
        assert_eq!(shell_word("a b/"), "'a b/'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }
}
