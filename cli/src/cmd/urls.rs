//! `qcdn url live|live-domain|storage|storage-domain` and `qcdn cookie`.

use qencode_cdn::{
    CookieOptions, SameSite, live_custom_domain_url, live_playback_url, storage_custom_domain_url, storage_url,
};

use crate::args::{CookieArgs, TextOrJson, UrlCmd, UrlSignArgs};
use crate::cmd::token::uri_hint;
use crate::error::{CliError, CliResult, EXIT_OK};
use crate::inputs::{lifetime_given, sign_options, signer};
use crate::output::to_json;

/// Refuses signing options without `--sign`, so nobody ships an unsigned URL
/// believing it signed.
fn check_sign_flags(s: &UrlSignArgs) -> Result<(), CliError> {
    if !s.sign && (s.key.key.is_some() || s.key.key_id.is_some() || lifetime_given(&s.lifetime)) {
        return Err(CliError::invalid("signing options were given without --sign")
            .hint("add --sign to sign the URL, or drop --key/--key-id/--ttl/--expires-at/--claim"));
    }
    Ok(())
}

/// `qcdn url …`: prints the URL.
pub fn url(cmd: &UrlCmd) -> CliResult {
    let url = match cmd {
        UrlCmd::Live { playback_id, sign } => {
            check_sign_flags(sign)?;
            if sign.sign {
                signer(&sign.key)?.signed_live_url(playback_id, &sign_options(&sign.lifetime)?)?
            } else {
                live_playback_url(playback_id, sign.token.as_deref())?
            }
        }
        UrlCmd::LiveDomain {
            domain,
            playback_id,
            sign,
        } => {
            check_sign_flags(sign)?;
            if sign.sign {
                signer(&sign.key)?.signed_live_custom_domain_url(domain, playback_id, &sign_options(&sign.lifetime)?)?
            } else {
                live_custom_domain_url(domain, playback_id, sign.token.as_deref())?
            }
        }
        UrlCmd::Storage {
            bucket,
            key_path,
            region,
            sign,
        } => {
            check_sign_flags(sign)?;
            if sign.sign {
                signer(&sign.key)?.signed_storage_url(bucket, region, key_path, &sign_options(&sign.lifetime)?)?
            } else {
                storage_url(bucket, region, key_path, sign.token.as_deref())?
            }
        }
        UrlCmd::StorageDomain { domain, key_path, sign } => {
            check_sign_flags(sign)?;
            if sign.sign {
                signer(&sign.key)?.signed_storage_custom_domain_url(domain, key_path, &sign_options(&sign.lifetime)?)?
            } else {
                storage_custom_domain_url(domain, key_path, sign.token.as_deref())?
            }
        }
    };
    println!("{url}");
    Ok(EXIT_OK)
}

/// `qcdn cookie`: prints the `Set-Cookie` value (or JSON).
pub fn cookie(args: &CookieArgs) -> CliResult {
    let signer = signer(&args.key)?;
    let opts = sign_options(&args.lifetime)?;
    let mut cookie_opts = CookieOptions::new()
        .secure(!args.insecure)
        .http_only(!args.no_http_only);
    if let Some(s) = &args.same_site {
        cookie_opts = cookie_opts.same_site(SameSite::parse(s)?);
    }
    if let Some(d) = &args.domain {
        cookie_opts = cookie_opts.domain(d.clone());
    }
    if let Some(p) = &args.path {
        cookie_opts = cookie_opts.path(p.clone());
    }
    let cookie = signer
        .signed_cookie(&args.uri, &opts, &cookie_opts)
        .map_err(|e| uri_hint(e.into(), &args.uri, Some(args.path.as_deref())))?;
    if args.output == TextOrJson::Json {
        println!("{}", to_json(&cookie)?);
    } else {
        println!("{}", cookie.header_value());
    }
    Ok(EXIT_OK)
}
