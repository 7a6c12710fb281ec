//! `qcdn stream check`: the core's [`check_stream`] as a table or JSON.

use std::time::Duration;

use qencode_cdn::ErrorCode;
use qencode_cdn::stream::{StreamCheckOptions, StreamKind, check_stream};

use crate::args::{StreamCheckArgs, StreamKindArg, TextOrJson};
use crate::error::{CliError, CliResult, EXIT_OK, EXIT_VERIFICATION_FAILED};
use crate::inputs::read_input;
use crate::timeparse::parse_duration;

/// Runs the check; exit 0 when every request is served, 1 otherwise.
pub fn check(a: &StreamCheckArgs) -> CliResult {
    let mut opts = StreamCheckOptions::new()
        .segments(a.segments)
        .propagate_token(a.propagate_token);
    if let Some(c) = &a.cookie {
        opts = opts.cookie(c.as_str());
    }
    if let Some(c) = &a.connect_to {
        opts = opts.connect_to(c.as_str());
    }
    if let Some(o) = &a.origin {
        opts = opts.origin(o.as_str());
    }
    if let Some(path) = &a.cacert {
        opts = opts.ca_pem(read_input(path, "CA certificate file")?.to_vec());
    }
    if let Some(t) = &a.timeout {
        let secs = parse_duration(t)?;
        if secs <= 0 {
            return Err(CliError::invalid("--timeout must be positive"));
        }
        opts = opts.timeout(Duration::from_secs(secs as u64));
    }
    opts.coverage.stream = a.stream.map(|s| match s {
        StreamKindArg::Live => StreamKind::Live,
        StreamKindArg::Storage => StreamKind::Storage,
    });
    if !(1..=50).contains(&a.segments) {
        return Err(CliError::invalid(format!(
            "--segments must be 1 to 50, got {}",
            a.segments
        )));
    }
    let report = check_stream(&a.url, &opts).map_err(|e| {
        let code = e.code();
        let e = CliError::from(e);
        match code {
            ErrorCode::Transport | ErrorCode::Timeout => e.hint(match &a.connect_to {
                Some(c) => format!(
                    "is {c} serving {}? (the emulator's --tls-listen port answers https:// URLs, --listen http://)",
                    if a.url.trim_start().starts_with("https:") { "HTTPS" } else { "plain HTTP" }
                ),
                None => "check the URL's host, your network or proxy settings; --connect-to ADDR:PORT sends the requests to an emulator".into(),
            }),
            _ => e,
        }
    })?;
    match a.output {
        TextOrJson::Text => print!("{report}"),
        TextOrJson::Json => println!("{}", report.to_value()),
    }
    Ok(if report.ok { EXIT_OK } else { EXIT_VERIFICATION_FAILED })
}
