//! `qencode-cdn-emulator [--listen ADDR] [--api-key KEY]... [--signing-key-bits N]
//! [--token-lifetime SECS] [--max-domains N]`: runs the emulator in the foreground.

use std::process::ExitCode;
use std::time::Duration;

use qencode_cdn_emulator::{EmulatorConfig, run_foreground};

const USAGE: &str = "usage: qencode-cdn-emulator [--listen 127.0.0.1:0] [--api-key KEY]... \
[--signing-key-bits 2048|3072|4096|8192] [--token-lifetime SECS] [--max-domains N]";

fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<EmulatorConfig>, String> {
    let mut config = EmulatorConfig::default();
    let mut keys = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--listen" => {
                let v = value()?;
                config.listen = v
                    .parse()
                    .map_err(|_| format!("--listen wants an address like 127.0.0.1:8080, got `{v}`"))?;
            }
            "--api-key" => keys.push(value()?),
            "--signing-key-bits" => {
                let v = value()?;
                config.signing_key_bits = v
                    .parse()
                    .map_err(|_| format!("--signing-key-bits wants a number, got `{v}`"))?;
            }
            "--token-lifetime" => {
                let v = value()?;
                let secs: u64 = v
                    .parse()
                    .map_err(|_| format!("--token-lifetime wants seconds, got `{v}`"))?;
                config.token_lifetime = Duration::from_secs(secs);
            }
            "--max-domains" => {
                let v = value()?;
                config.max_domains = v
                    .parse()
                    .map_err(|_| format!("--max-domains wants a number, got `{v}`"))?;
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if !keys.is_empty() {
        config.api_keys = keys;
    }
    Ok(Some(config))
}

fn main() -> ExitCode {
    match parse(std::env::args().skip(1)) {
        Ok(None) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Some(config)) => match run_foreground(config) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("qencode-cdn-emulator: {e}");
                ExitCode::FAILURE
            }
        },
        Err(msg) => {
            eprintln!("qencode-cdn-emulator: {msg}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
