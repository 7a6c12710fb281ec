//! The CLI's error: one line on stderr, a code from the core's table, an exit
//! code per error class.

use std::fmt;
use std::process::ExitCode;

use qencode_cdn::{Error, ErrorCode};

/// Exit code: the command ran and everything held.
pub const EXIT_OK: u8 = 0;
/// Exit code: a token or URL was checked and refused (`token verify`), or a
/// demo expectation did not hold.
pub const EXIT_VERIFICATION_FAILED: u8 = 1;
/// Exit code: the command line itself is wrong (clap's usage errors).
pub const EXIT_USAGE: u8 = 2;
/// Exit code: an input (key, token, URL, time, file) is invalid.
pub const EXIT_INVALID_INPUT: u8 = 3;
/// Exit code: the API refused the API key or access token.
pub const EXIT_AUTH: u8 = 4;
/// Exit code: the API says the object does not exist.
pub const EXIT_NOT_FOUND: u8 = 5;
/// Exit code: the network failed or a deadline passed.
pub const EXIT_NETWORK: u8 = 6;
/// Exit code: any other API error (rate limited, 5xx, undecodable body) or an internal error.
pub const EXIT_OTHER: u8 = 7;

/// The exit code of an error class.
pub fn exit_code_for(code: ErrorCode) -> u8 {
    match code {
        ErrorCode::InvalidArgument | ErrorCode::InvalidKey | ErrorCode::MalformedToken => EXIT_INVALID_INPUT,
        ErrorCode::InvalidSignature
        | ErrorCode::TokenExpired
        | ErrorCode::TokenNotYetValid
        | ErrorCode::UriMismatch
        | ErrorCode::UnknownKeyId => EXIT_VERIFICATION_FAILED,
        ErrorCode::Unauthorized => EXIT_AUTH,
        ErrorCode::NotFound => EXIT_NOT_FOUND,
        ErrorCode::Transport | ErrorCode::Timeout => EXIT_NETWORK,
        ErrorCode::RateLimited | ErrorCode::ApiError | ErrorCode::Decode | ErrorCode::Internal => EXIT_OTHER,
    }
}

/// A failure of one command: printed as `error: CODE: message` (and a hint).
#[derive(Debug)]
pub struct CliError {
    code: &'static str,
    message: String,
    hint: Option<String>,
    exit: u8,
}

impl CliError {
    /// A bad input caught by the CLI itself (exit 3).
    pub fn invalid(message: impl Into<String>) -> Self {
        CliError {
            code: ErrorCode::InvalidArgument.as_str(),
            message: message.into(),
            hint: None,
            exit: EXIT_INVALID_INPUT,
        }
    }

    /// An internal failure (exit 7).
    pub fn internal(message: impl Into<String>) -> Self {
        CliError {
            code: ErrorCode::Internal.as_str(),
            message: message.into(),
            hint: None,
            exit: EXIT_OTHER,
        }
    }

    /// A failure with an explicit code and exit code.
    pub fn with_exit(code: ErrorCode, message: impl Into<String>, exit: u8) -> Self {
        CliError {
            code: code.as_str(),
            message: message.into(),
            hint: None,
            exit,
        }
    }

    /// Adds (or replaces) the hint printed under the error line.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The code string (`INVALID_KEY`, …).
    pub fn code(&self) -> &str {
        self.code
    }

    /// The message (without code and hint).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        self.exit
    }

    /// Prints the error to stderr and returns the exit code.
    pub fn report(&self) -> ExitCode {
        eprintln!("{self}");
        ExitCode::from(self.exit)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}: {}", self.code, one_line(&self.message))?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CliError {}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        let code = e.code();
        let hint = match (code, e.retry_after()) {
            (ErrorCode::RateLimited, Some(after)) => Some(format!(
                "the API rate-limits requests and asks to retry after {} s",
                after.as_secs()
            )),
            _ => default_hint(code).map(str::to_string),
        };
        CliError {
            code: code.as_str(),
            message: e.message(),
            hint,
            exit: exit_code_for(code),
        }
    }
}

fn default_hint(code: ErrorCode) -> Option<&'static str> {
    match code {
        ErrorCode::InvalidKey => Some(
            "pass the RSA private key (PEM or DER) the API returned when the signing key was created, e.g. `--key signing-key.pem`",
        ),
        ErrorCode::Unauthorized => Some("check the API key in QENCODE_API_KEY or --api-key-file, and --auth-url"),
        ErrorCode::Transport => Some("check --api-url/--auth-url and your network or proxy settings"),
        ErrorCode::Timeout => Some("the server did not answer in time; try again or raise --timeout"),
        ErrorCode::RateLimited => Some("the API rate-limits requests; wait and try again"),
        _ => None,
    }
}

/// Messages may carry server text; keep the error to one line.
fn one_line(s: &str) -> String {
    s.split(['\r', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The result of one command: the exit code on success paths that may still
/// "fail" (verification), or an error.
pub type CliResult<T = u8> = std::result::Result<T, CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_class_has_its_documented_exit_code() {
        assert_eq!(exit_code_for(ErrorCode::InvalidKey), 3);
        assert_eq!(exit_code_for(ErrorCode::TokenExpired), 1);
        assert_eq!(exit_code_for(ErrorCode::Unauthorized), 4);
        assert_eq!(exit_code_for(ErrorCode::NotFound), 5);
        assert_eq!(exit_code_for(ErrorCode::Timeout), 6);
        assert_eq!(exit_code_for(ErrorCode::ApiError), 7);
        assert_eq!(exit_code_for(ErrorCode::RateLimited), 7);
    }

    #[test]
    fn multi_line_messages_become_one_line() {
        let e = CliError::invalid("first\nsecond\r\n");
        assert_eq!(e.to_string(), "error: INVALID_ARGUMENT: first second");
    }
}
