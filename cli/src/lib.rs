//! # qencode-cdn-cli
//!
//! The `qcdn` command line: sign, decode and verify Qencode playback tokens,
//! build signed playback/storage URLs and cookies, drive the Content Delivery
//! API, run the local emulator, and walk the whole flow with `qcdn demo`.
//!
//! The crate holds no logic the core could hold: it parses arguments, calls
//! [`qencode_cdn`], and prints. Errors are printed as one line,
//! `error: CODE: message`, with the exit codes of [`error`].
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod args;
mod cmd;
pub mod error;
mod inputs;
mod output;
mod style;
mod timeparse;

use std::process::ExitCode;

use clap::{CommandFactory as _, Parser as _};

use crate::args::{Cli, Command, KeysCmd, StreamCmd, TokenCmd};
use crate::error::{CliResult, EXIT_OK};

/// Runs `qcdn` with the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        if msg.contains("Broken pipe") {
            // `qcdn … | head`: the reader went away; stop quietly like other Unix tools.
            std::process::exit(141);
        }
        eprintln!("error: INTERNAL: a bug in qcdn: {msg}");
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version print to stdout and exit 0; usage errors exit 2.
            let _ = e.print();
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
    };
    match run(&cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => e.report(),
    }
}

/// Runs one parsed command; `Ok` carries the exit code (0, or 1 when a
/// verification failed), `Err` an error to print.
pub fn run(command: &Command) -> CliResult {
    match command {
        Command::Token(TokenCmd::Sign(a)) => cmd::token::sign(a),
        Command::Token(TokenCmd::Decode(a)) => cmd::token::decode(a),
        Command::Token(TokenCmd::Verify(a)) => cmd::token::verify(a),
        Command::Token(TokenCmd::Audit(a)) => cmd::token::audit(a),
        Command::Url(c) => cmd::urls::url(c),
        Command::Cookie(a) => cmd::urls::cookie(a),
        Command::Keys(KeysCmd::Public { key, jwk, key_id }) => {
            cmd::keys::public(key.as_deref(), *jwk, key_id.as_deref())
        }
        Command::Demo(a) => cmd::demo::run(a),
        Command::Domains(a) => cmd::api::domains(a),
        Command::Tls(a) => cmd::api::tls(a),
        Command::SigningKeys(a) => cmd::api::signing_keys(a),
        Command::Buckets(a) => cmd::api::buckets(a),
        Command::Emulator(a) => cmd::emulator::run(a),
        Command::Stream(StreamCmd::Check(a)) => cmd::stream::check(a),
        Command::Completions(a) => {
            clap_complete::generate(a.shell, &mut Cli::command(), "qcdn", &mut std::io::stdout());
            Ok(EXIT_OK)
        }
    }
}
