//! `qcdn token sign|decode|verify`.

use qencode_cdn::time::{relative, utc};
use qencode_cdn::{Claims, Resource, Verifier, VerifyOptions, decode_unverified, parse_url};
use serde_json::{Map, Value, json};

use crate::args::{TokenDecodeArgs, TokenSignArgs, TokenVerifyArgs};
use crate::error::{CliError, CliResult, EXIT_OK, EXIT_VERIFICATION_FAILED};
use crate::inputs::{read_input, sign_options, signer};
use crate::output::to_json;

/// `qcdn token sign`: prints the token.
pub fn sign(args: &TokenSignArgs) -> CliResult {
    let signer = signer(&args.key)?;
    let opts = sign_options(&args.lifetime)?;
    println!("{}", signer.sign(&args.uri, &opts)?);
    Ok(EXIT_OK)
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

/// `exp`/`nbf` for people: `1764417600 (2025-11-29 12:00:00 UTC, in 59 minutes)`.
fn describe_time(t: i64, now: i64) -> String {
    format!("{t} ({}, {})", utc(t), relative(t - now))
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
                json!({"unix": t, "utc": utc(t), "relative": relative(t - now)}),
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
    if args.json {
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

/// `qcdn token verify`: prints the verdict; exit 1 when any check fails.
pub fn verify(args: &TokenVerifyArgs) -> CliResult {
    let key = read_input(&args.public_key, "public key")?;
    let mut verifier = Verifier::from_public_key(&*key)?;
    if let Some(kid) = &args.key_id {
        verifier = verifier.with_key_id(kid.clone());
    }
    let mut opts = VerifyOptions::new().leeway(args.leeway);
    if let Some(r) = &args.resource {
        opts = opts.resource(parse_resource(r)?);
    }
    if let Some(url) = &args.url {
        let explanation = verifier.explain_with(url, &opts);
        if args.json {
            println!("{}", explanation.to_json());
        } else {
            print!("{explanation}");
        }
        return Ok(if explanation.ok {
            EXIT_OK
        } else {
            EXIT_VERIFICATION_FAILED
        });
    }
    let token = token_input(args.token.as_deref().unwrap_or("-"))?;
    let now = verifier.now_unix();
    let checks = verifier.explain_token(&token, &opts).checks;
    let print_checks = || {
        for c in &checks {
            println!("  [{}] {}: {}", if c.passed { "ok" } else { "FAIL" }, c.name, c.detail);
        }
    };
    match verifier.verify(&token, &opts) {
        Ok(v) => {
            if args.json {
                let doc = json!({"ok": true, "key_id": v.kid, "claims": v.claims, "times": times_json(&v.claims, now), "checks": checks});
                println!("{}", to_json(&doc)?);
            } else {
                let by = v
                    .kid
                    .as_deref()
                    .map(|k| format!(" signed with key `{k}`"))
                    .unwrap_or_default();
                println!("ACCEPTED: valid RS256 token{by}");
                print_checks();
                for line in claims_lines(&v.claims, now, "  ") {
                    println!("{line}");
                }
                if args.resource.is_none() {
                    println!("  (what it covers was not checked: pass --resource live:ID or storage:KEY)");
                }
                if args.key_id.is_none() {
                    println!("  (the key id was not checked: pass --key-id ID)");
                }
            }
            Ok(EXIT_OK)
        }
        Err(e) if e.code().is_token_error() => {
            if args.json {
                let doc = json!({"ok": false, "code": e.code().as_str(), "reason": e.message(), "checks": checks});
                println!("{}", to_json(&doc)?);
            } else {
                println!("REFUSED: {}: {}", e.code(), e.message());
                print_checks();
                if let Ok((_, claims)) = decode_unverified(&token) {
                    println!("  (claims as written, unverified)");
                    for line in claims_lines(&claims, now, "  ") {
                        println!("{line}");
                    }
                }
            }
            Ok(EXIT_VERIFICATION_FAILED)
        }
        Err(e) => Err(e.into()),
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
}
