//! The one error table of DESIGN.md §5, shared by every language.

use std::fmt;
use std::time::Duration;

/// Stable error codes. The strings returned by [`ErrorCode::as_str`] and the
/// numbers returned by [`ErrorCode::as_u32`] never change meaning; bindings
/// map them with exhaustive matches. The set is fixed by the cross-language
/// contract (DESIGN.md §5), so this enum is deliberately *not*
/// `#[non_exhaustive]`: a new code must break every binding's match until it
/// is mapped there.
///
/// ```
/// use qencode_cdn::ErrorCode;
/// assert_eq!(ErrorCode::InvalidKey.as_str(), "INVALID_KEY");
/// assert_eq!(ErrorCode::from_str_code("TOKEN_EXPIRED"), Some(ErrorCode::TokenExpired));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// A bad input caught before any I/O.
    InvalidArgument,
    /// A key that cannot be parsed, is not RSA, or is too small.
    InvalidKey,
    /// A token that is not three base64url parts of JSON.
    MalformedToken,
    /// The signature does not verify, or the algorithm is not RS256.
    InvalidSignature,
    /// `exp` has passed (beyond the leeway).
    TokenExpired,
    /// `nbf` is still in the future (beyond the leeway).
    TokenNotYetValid,
    /// The token's `uri` does not cover the requested resource.
    UriMismatch,
    /// The token's `kid` is not the expected key id.
    UnknownKeyId,
    /// 401/403 from the API after one token renewal.
    Unauthorized,
    /// 404 from the API.
    NotFound,
    /// 429 after retries.
    RateLimited,
    /// Any other non-2xx answer of the API.
    ApiError,
    /// DNS, connect, TLS, reset.
    Transport,
    /// A deadline passed.
    Timeout,
    /// The server's body is not what the API documents.
    Decode,
    /// A bug, or a caught panic.
    Internal,
    /// An external signer (HSM, KMS, callback) failed, or returned a
    /// signature that does not verify with its public key: no token was made.
    SignerFailed,
}

impl ErrorCode {
    /// Every code, in the order of DESIGN.md §5 (the order of the C numbers).
    pub const ALL: [ErrorCode; 17] = [
        ErrorCode::InvalidArgument,
        ErrorCode::InvalidKey,
        ErrorCode::MalformedToken,
        ErrorCode::InvalidSignature,
        ErrorCode::TokenExpired,
        ErrorCode::TokenNotYetValid,
        ErrorCode::UriMismatch,
        ErrorCode::UnknownKeyId,
        ErrorCode::Unauthorized,
        ErrorCode::NotFound,
        ErrorCode::RateLimited,
        ErrorCode::ApiError,
        ErrorCode::Transport,
        ErrorCode::Timeout,
        ErrorCode::Decode,
        ErrorCode::Internal,
        ErrorCode::SignerFailed,
    ];

    /// The stable string, e.g. `"INVALID_ARGUMENT"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::InvalidKey => "INVALID_KEY",
            ErrorCode::MalformedToken => "MALFORMED_TOKEN",
            ErrorCode::InvalidSignature => "INVALID_SIGNATURE",
            ErrorCode::TokenExpired => "TOKEN_EXPIRED",
            ErrorCode::TokenNotYetValid => "TOKEN_NOT_YET_VALID",
            ErrorCode::UriMismatch => "URI_MISMATCH",
            ErrorCode::UnknownKeyId => "UNKNOWN_KEY_ID",
            ErrorCode::Unauthorized => "UNAUTHORIZED",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::ApiError => "API_ERROR",
            ErrorCode::Transport => "TRANSPORT",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::Decode => "DECODE",
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::SignerFailed => "SIGNER_FAILED",
        }
    }

    /// The stable number used by the C ABI (`QCDN_ERR_*`); `0` is success there.
    pub const fn as_u32(self) -> u32 {
        match self {
            ErrorCode::InvalidArgument => 1,
            ErrorCode::InvalidKey => 2,
            ErrorCode::MalformedToken => 3,
            ErrorCode::InvalidSignature => 4,
            ErrorCode::TokenExpired => 5,
            ErrorCode::TokenNotYetValid => 6,
            ErrorCode::UriMismatch => 7,
            ErrorCode::UnknownKeyId => 8,
            ErrorCode::Unauthorized => 9,
            ErrorCode::NotFound => 10,
            ErrorCode::RateLimited => 11,
            ErrorCode::ApiError => 12,
            ErrorCode::Transport => 13,
            ErrorCode::Timeout => 14,
            ErrorCode::Decode => 15,
            ErrorCode::Internal => 16,
            ErrorCode::SignerFailed => 17,
        }
    }

    /// Parses a code string back (the inverse of [`ErrorCode::as_str`]).
    pub fn from_str_code(s: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// True for the verification codes (Python's `TokenError` family).
    pub const fn is_token_error(self) -> bool {
        matches!(
            self,
            ErrorCode::MalformedToken
                | ErrorCode::InvalidSignature
                | ErrorCode::TokenExpired
                | ErrorCode::TokenNotYetValid
                | ErrorCode::UriMismatch
                | ErrorCode::UnknownKeyId
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Details of an HTTP answer that was not a success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpFailure {
    /// The HTTP status; `None` only for an error rebuilt from its code alone
    /// ([`Error::with_code`]), never for an answer the client received.
    pub status: Option<u16>,
    /// The server's message (its JSON `error`/`message`/`detail` field, or the
    /// start of the body), capped in size. Never contains a secret we sent.
    pub message: String,
    /// The response body, capped in size.
    pub body: String,
    /// A request id header, when the server sent one.
    pub request_id: Option<String>,
    /// `Retry-After`, when the server sent one.
    pub retry_after: Option<Duration>,
}

/// The crate's error: a stable [`ErrorCode`] and a message for people.
///
/// Messages never contain key material, API keys or access tokens.
///
/// ```
/// use qencode_cdn::{Signer, ErrorCode};
/// let err = Signer::from_pem("kid", "not a key").unwrap_err();
/// assert_eq!(err.code(), ErrorCode::InvalidKey);
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A bad input caught before any I/O.
    #[error("INVALID_ARGUMENT: {0}")]
    InvalidArgument(String),
    /// A bad input of the wrong type (a string where seconds were expected, a
    /// `null` lifetime). Its code is INVALID_ARGUMENT; bindings whose language
    /// has a type-error class (Python's `TypeError`) raise that as well.
    #[error("INVALID_ARGUMENT: {0}")]
    InvalidArgumentType(String),
    /// A key that cannot be used.
    #[error("INVALID_KEY: {0}")]
    InvalidKey(String),
    /// A verification failure; the code says which.
    #[error("{code}: {message}")]
    Token {
        /// One of the verification codes.
        code: ErrorCode,
        /// What failed, in words.
        message: String,
    },
    /// A non-success HTTP answer (UNAUTHORIZED, NOT_FOUND, RATE_LIMITED, API_ERROR).
    #[error("{code}: {}", http_message(.http))]
    Http {
        /// Which of the HTTP codes.
        code: ErrorCode,
        /// The answer's details.
        http: Box<HttpFailure>,
    },
    /// DNS, connect, TLS, reset.
    #[error("TRANSPORT: {0}")]
    Transport(String),
    /// A deadline passed.
    #[error("TIMEOUT: {0}")]
    Timeout(String),
    /// The server's body is not what the API documents.
    #[error("DECODE: {0}")]
    Decode(String),
    /// A bug or a caught panic.
    #[error("INTERNAL: {0}")]
    Internal(String),
    /// An external signer failed or returned a signature that does not verify.
    #[error("SIGNER_FAILED: {0}")]
    SignerFailed(String),
}

impl Error {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::InvalidArgument(_) | Error::InvalidArgumentType(_) => ErrorCode::InvalidArgument,
            Error::InvalidKey(_) => ErrorCode::InvalidKey,
            Error::Token { code, .. } => *code,
            Error::Http { code, .. } => *code,
            Error::Transport(_) => ErrorCode::Transport,
            Error::Timeout(_) => ErrorCode::Timeout,
            Error::Decode(_) => ErrorCode::Decode,
            Error::Internal(_) => ErrorCode::Internal,
            Error::SignerFailed(_) => ErrorCode::SignerFailed,
        }
    }

    /// The message without the code prefix.
    pub fn message(&self) -> String {
        match self {
            Error::InvalidArgument(m)
            | Error::InvalidArgumentType(m)
            | Error::InvalidKey(m)
            | Error::Transport(m)
            | Error::Timeout(m)
            | Error::Decode(m)
            | Error::Internal(m)
            | Error::SignerFailed(m) => m.clone(),
            Error::Token { message, .. } => message.clone(),
            Error::Http { http, .. } => http_message(http),
        }
    }

    /// True for an INVALID_ARGUMENT about the type of an argument (see
    /// [`Error::InvalidArgumentType`]).
    pub fn is_type_error(&self) -> bool {
        matches!(self, Error::InvalidArgumentType(_))
    }

    /// The HTTP details, for API errors.
    pub fn http(&self) -> Option<&HttpFailure> {
        match self {
            Error::Http { http, .. } => Some(http),
            _ => None,
        }
    }

    /// The HTTP status, for errors of an HTTP answer; `None` for every other
    /// error (the same in every language: Python `None`, Node `null`).
    pub fn status(&self) -> Option<u16> {
        self.http().and_then(|h| h.status)
    }

    /// `Retry-After` of a RATE_LIMITED (or other HTTP) answer, when the server sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.http().and_then(|h| h.retry_after)
    }

    pub(crate) fn invalid_argument(msg: impl Into<String>) -> Self {
        Error::InvalidArgument(msg.into())
    }

    pub(crate) fn invalid_type(msg: impl Into<String>) -> Self {
        Error::InvalidArgumentType(msg.into())
    }

    pub(crate) fn invalid_key(msg: impl Into<String>) -> Self {
        Error::InvalidKey(msg.into())
    }

    pub(crate) fn token(code: ErrorCode, msg: impl Into<String>) -> Self {
        Error::Token {
            code,
            message: msg.into(),
        }
    }

    /// Builds an error of any code with a message. For bindings and the
    /// emulator, which must rebuild errors that crossed a boundary.
    pub fn with_code(code: ErrorCode, message: impl Into<String>) -> Self {
        let message = message.into();
        match code {
            ErrorCode::InvalidArgument => Error::InvalidArgument(message),
            ErrorCode::InvalidKey => Error::InvalidKey(message),
            ErrorCode::MalformedToken
            | ErrorCode::InvalidSignature
            | ErrorCode::TokenExpired
            | ErrorCode::TokenNotYetValid
            | ErrorCode::UriMismatch
            | ErrorCode::UnknownKeyId => Error::Token { code, message },
            ErrorCode::Unauthorized | ErrorCode::NotFound | ErrorCode::RateLimited | ErrorCode::ApiError => {
                Error::Http {
                    code,
                    http: Box::new(HttpFailure {
                        status: None,
                        message: message.clone(),
                        body: String::new(),
                        request_id: None,
                        retry_after: None,
                    }),
                }
            }
            ErrorCode::Transport => Error::Transport(message),
            ErrorCode::Timeout => Error::Timeout(message),
            ErrorCode::Decode => Error::Decode(message),
            ErrorCode::Internal => Error::Internal(message),
            ErrorCode::SignerFailed => Error::SignerFailed(message),
        }
    }
}

fn http_message(http: &HttpFailure) -> String {
    match http.status {
        Some(status) => format!("HTTP {status}: {}", http.message),
        None => http.message.clone(),
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_numbers_are_unique() {
        let mut numbers = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_str_code(code.as_str()), Some(code));
            assert!(numbers.insert(code.as_u32()), "{code} reuses a number");
            assert_ne!(code.as_u32(), 0);
            assert_eq!(Error::with_code(code, "m").code(), code);
            assert_eq!(
                Error::with_code(code, "m").status(),
                None,
                "{code}: no HTTP status without an answer"
            );
        }
    }

    #[test]
    fn display_starts_with_the_code() {
        let e = Error::invalid_key("PEM label `EC PRIVATE KEY` is not RSA");
        assert!(e.to_string().starts_with("INVALID_KEY: "));
        assert_eq!(e.message(), "PEM label `EC PRIVATE KEY` is not RSA");
    }
}
