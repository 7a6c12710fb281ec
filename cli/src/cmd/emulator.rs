//! `qcdn emulator`: the local emulator in the foreground.

use std::net::SocketAddr;

use qencode_cdn::ErrorCode;
use qencode_cdn_emulator::{DEFAULT_API_KEY, EmulatorConfig, run_foreground};

use crate::args::EmulatorArgs;
use crate::error::{CliError, CliResult, EXIT_INVALID_INPUT, EXIT_NETWORK, EXIT_OK};

/// Maps an emulator start-up failure to a CLI error.
pub fn io_error(what: &str, e: std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::InvalidInput {
        CliError::with_exit(ErrorCode::InvalidArgument, format!("{what}: {e}"), EXIT_INVALID_INPUT)
    } else {
        CliError::with_exit(
            ErrorCode::Transport,
            format!("{what}: {}", crate::inputs::io_reason(&e)),
            EXIT_NETWORK,
        )
    }
}

/// Runs until the process is interrupted (Ctrl-C).
pub fn run(a: &EmulatorArgs) -> CliResult {
    let listen: SocketAddr = a.listen.parse().map_err(|_| {
        CliError::invalid(format!("--listen `{}` is not IP:PORT", a.listen.escape_debug()))
            .hint("for example 127.0.0.1:8765, or 127.0.0.1:0 for any free port")
    })?;
    let api_keys = if a.api_keys.is_empty() {
        vec![DEFAULT_API_KEY.to_string()]
    } else {
        a.api_keys.clone()
    };
    let config = EmulatorConfig {
        listen,
        api_keys,
        signing_key_bits: a.signing_key_bits,
        ..EmulatorConfig::default()
    };
    run_foreground(config).map_err(|e| io_error(&format!("cannot run the emulator on {listen}"), e))?;
    Ok(EXIT_OK)
}
