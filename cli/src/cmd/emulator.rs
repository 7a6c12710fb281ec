//! `qcdn emulator`: the local emulator in the foreground, optionally with
//! HTTPS and the demo fixtures (`--with-fixtures --write-keys DIR`).

use std::net::SocketAddr;
use std::path::Path;

use qencode_cdn::ErrorCode;
use qencode_cdn_emulator::{
    DEFAULT_API_KEY, Emulator, EmulatorConfig, Fixtures, LISTENING_PREFIX, TLS_LISTENING_PREFIX, run_foreground,
};

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
    let tls_listen: Option<SocketAddr> = match &a.tls_listen {
        None => None,
        Some(t) => Some(t.parse().map_err(|_| {
            CliError::invalid(format!("--tls-listen `{}` is not IP:PORT", t.escape_debug()))
                .hint("for example 127.0.0.1:8443, or 127.0.0.1:0 for any free port")
        })?),
    };
    let config = EmulatorConfig {
        listen,
        tls_listen,
        api_keys,
        signing_key_bits: a.signing_key_bits,
        ..EmulatorConfig::default()
    };
    if !a.with_fixtures && tls_listen.is_none() {
        run_foreground(config).map_err(|e| io_error(&format!("cannot run the emulator on {listen}"), e))?;
        return Ok(EXIT_OK);
    }
    let emulator = Emulator::start(config).map_err(|e| io_error(&format!("cannot run the emulator on {listen}"), e))?;
    let mut out = String::new();
    out.push_str(&format!("{LISTENING_PREFIX}{}\n", emulator.url()));
    for key in &a.api_keys_or_default() {
        out.push_str(&format!("{key}\n"));
    }
    if let Some(url) = emulator.tls_url() {
        out.push_str(&format!("{TLS_LISTENING_PREFIX}{url}\n"));
    }
    if a.with_fixtures {
        let fixtures = emulator
            .load_fixtures()
            .map_err(|e| CliError::internal(format!("cannot load the fixtures: {e}")))?;
        if let Some(dir) = &a.write_keys {
            write_keys(Path::new(dir), &fixtures, emulator.ca_pem().as_deref())?;
        }
        out.push_str(&format!("stream signing key: {}\n", fixtures.stream_key_id));
        out.push_str(&format!("bucket signing key: {}\n", fixtures.bucket_key_id));
        for (what, url) in fixtures.urls() {
            out.push_str(&format!("{what}: {url}\n"));
        }
        if let Some(dir) = &a.write_keys {
            let ca = if emulator.ca_pem().is_some() { ", ca.pem" } else { "" };
            out.push_str(&format!("keys written to {dir}: stream.pem, bucket.pem{ca}\n"));
        }
    }
    print!("{out}");
    let _ = std::io::Write::flush(&mut std::io::stdout());
    loop {
        std::thread::park();
    }
}

impl EmulatorArgs {
    fn api_keys_or_default(&self) -> Vec<String> {
        if self.api_keys.is_empty() {
            vec![DEFAULT_API_KEY.to_string()]
        } else {
            self.api_keys.clone()
        }
    }
}

/// Writes `DIR/stream.pem`, `DIR/bucket.pem` (mode 0600) and, with TLS,
/// `DIR/ca.pem` (the CA's certificate, not a secret).
fn write_keys(dir: &Path, fixtures: &Fixtures, ca_pem: Option<&str>) -> Result<(), CliError> {
    let fail = |what: &str, e: std::io::Error| {
        CliError::invalid(format!(
            "cannot write {what} in `{}`: {}",
            dir.display(),
            crate::inputs::io_reason(&e)
        ))
    };
    std::fs::create_dir_all(dir).map_err(|e| fail("the keys", e))?;
    write_private(&dir.join("stream.pem"), &fixtures.stream_private_key).map_err(|e| fail("stream.pem", e))?;
    write_private(&dir.join("bucket.pem"), &fixtures.bucket_private_key).map_err(|e| fail("bucket.pem", e))?;
    if let Some(ca) = ca_pem {
        std::fs::write(dir.join("ca.pem"), ca).map_err(|e| fail("ca.pem", e))?;
    }
    Ok(())
}

fn write_private(path: &Path, pem: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        options.mode(0o600);
        let mut f = options.open(path)?;
        // An existing file keeps its mode on open: narrow it before writing the key.
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        f.write_all(pem.as_bytes())
    }
    #[cfg(not(unix))]
    {
        options.open(path)?.write_all(pem.as_bytes())
    }
}
