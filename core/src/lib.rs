//! # qencode-cdn
//!
//! One implementation of everything a backend does with the Qencode Content
//! Delivery API: RS256 signed playback tokens, playback and storage URLs,
//! signed cookies, and token verification with explanations.
//!
//! ```
//! use qencode_cdn::{Signer, SignOptions, Verifier};
//! use std::time::Duration;
//! # let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/rsa2048.pkcs1.pem")).unwrap();
//! // Load the key once (PEM, DER, env-mangled PEM, base64 …) and sign many times.
//! let signer = Signer::from_pem("ec25a6a6-b31e-4ac9-af01-711460421c6b", &pem)?;
//! let url = signer.signed_storage_url("my-bucket", "us-west", "videos/intro.mp4",
//!     &SignOptions::new().expires_in(Duration::from_secs(600)))?;
//! assert!(Verifier::from_signer(&signer)?.explain(&url).ok);
//! # Ok::<(), qencode_cdn::Error>(())
//! ```
//!
//! ## Crypto backends
//! `aws-lc` (default): aws-lc-rs, constant-time RSA, the parsed key kept and
//! reused, so signing runs at the speed of a bare RSA signature. `rust-crypto`:
//! the pure-Rust `rsa` crate for targets where aws-lc cannot build; slower,
//! and RUSTSEC-2023-0071 (Marvin) is still listed against it without a
//! patched version. Both give byte-identical tokens.
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod audit;
mod backend;
mod batch;
pub mod cache;
#[cfg(feature = "client")]
pub mod client;
pub mod cookie;
mod error;
mod explain;
pub mod external;
pub mod keys;
pub mod options;
#[cfg(feature = "pkcs11")]
mod pkcs11;
mod signed;
pub mod stream;
pub mod time;
mod token;
pub mod url;
mod verify;

pub use audit::{AuditCode, AuditWarning, LONG_LIFETIME_SECS, audit, audit_at};
pub use backend::Backend;
pub use batch::default_threads;
pub use cache::{CacheSettings, CachedSigner};
#[cfg(feature = "client")]
pub use client::{
    BUCKET_FIELD, BucketPolicy, Client, ClientBuilder, DEFAULT_API_URL, DEFAULT_AUTH_URL, Domain, DomainType,
    NewSigningKey, SecretString, SigningKey, SigningKeyTarget, TlsStatus, TlsSubscription,
};
pub use cookie::{COOKIE_NAME, CookieOptions, SameSite, SignedCookie};
pub use error::{Error, ErrorCode, HttpFailure, Result};
pub use explain::{Explanation, explain_url};
pub use external::{ExternalSign, ExternalSignError};
pub use options::KeyStyle;
pub use token::{
    Clock, DEFAULT_EXPIRES_IN, Expiry, FixedClock, MAX_UNIX_SECONDS, PreparedToken, RESERVED_CLAIMS, SIGNING_KEY_ENV,
    SIGNING_KEY_ID_ENV, SignOptions, Signer, SystemClock, TokenTimes,
};
pub use url::{
    KNOWN_REGIONS, ParsedUrl, UrlForm, live_custom_domain_url, live_playback_url, parse_url, storage_custom_domain_url,
    storage_url, with_token,
};
pub use verify::{Check, Claims, MAX_TOKEN_LEN, Resource, VerifiedToken, Verifier, VerifyOptions, decode_unverified};

/// The README's Rust example, compiled as a doctest so it cannot rot.
#[doc = include_str!("../../README.md")]
#[cfg(all(doctest, feature = "client"))]
pub struct ReadmeDoctests;

/// The client guide's example (docs/client-api.md), compiled as a doctest.
#[doc = include_str!("../../docs/client-api.md")]
#[cfg(all(doctest, feature = "client"))]
pub struct ClientGuideDoctests;

/// The Rust examples of docs/keys.md, compiled as doctests (with the
/// `pkcs11` feature, which one of them uses; the Rust suite runs them).
#[doc = include_str!("../../docs/keys.md")]
#[cfg(all(doctest, feature = "pkcs11"))]
pub struct KeysGuideDoctests;

/// The Rust examples of docs/scale.md, compiled as doctests.
#[doc = include_str!("../../docs/scale.md")]
#[cfg(doctest)]
pub struct ScaleGuideDoctests;

/// This crate's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
