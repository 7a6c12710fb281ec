//! Helpers shared by the fuzz targets: the test key, raw RS256 signing of
//! hostile headers and claims, and `arbitrary` generators of JSON text with
//! extreme numbers.

use std::fmt::Write as _;

use arbitrary::Arbitrary;
use aws_lc_rs::rsa::KeyPair;
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use qencode_cdn::{Resource, Signer, Verifier, VerifyOptions};

/// The repository's RSA-2048 test key (PKCS#1 PEM and DER) and its public half.
pub const TEST_KEY_PEM: &str = include_str!("../../tests/keys/rsa2048.pkcs1.pem");
/// PKCS#1 DER of the same key.
pub const TEST_KEY_DER: &[u8] = include_bytes!("../../tests/keys/rsa2048.pkcs1.der");
/// SubjectPublicKeyInfo DER of the test key.
pub const TEST_PUBLIC_DER: &[u8] = include_bytes!("../../tests/keys/rsa2048.spki.der");
/// The key id the fuzz verifiers expect.
pub const KID: &str = "fuzz-key";

/// The test key, for raw signing.
pub fn key_pair() -> &'static KeyPair {
    static PAIR: std::sync::OnceLock<KeyPair> = std::sync::OnceLock::new();
    PAIR.get_or_init(|| KeyPair::from_der(TEST_KEY_DER).expect("the test key loads"))
}

/// A core signer with the test key.
pub fn signer() -> &'static Signer {
    static SIGNER: std::sync::OnceLock<Signer> = std::sync::OnceLock::new();
    SIGNER.get_or_init(|| Signer::from_pem(KID, TEST_KEY_PEM).expect("the test key loads"))
}

/// A verifier of the test key, expecting no particular key id.
pub fn verifier() -> &'static Verifier {
    static V: std::sync::OnceLock<Verifier> = std::sync::OnceLock::new();
    V.get_or_init(|| Verifier::from_public_key(TEST_PUBLIC_DER).expect("the test public key loads"))
}

/// A verifier of the test key that expects [`KID`].
pub fn verifier_with_kid() -> &'static Verifier {
    static V: std::sync::OnceLock<Verifier> = std::sync::OnceLock::new();
    V.get_or_init(|| verifier().clone().with_key_id(KID))
}

/// `base64url(header).base64url(payload).signature`: signed with the test key
/// when `sign`, else a fixed wrong signature (the verifier still runs every
/// later check and reports them).
pub fn token(header: &[u8], payload: &[u8], sign: bool) -> String {
    let mut t = URL_SAFE_NO_PAD.encode(header);
    t.push('.');
    URL_SAFE_NO_PAD.encode_string(payload, &mut t);
    let sig = if sign {
        let pair = key_pair();
        let mut sig = vec![0u8; pair.public_modulus_len()];
        pair.sign(
            &RSA_PKCS1_SHA256,
            &aws_lc_rs::rand::SystemRandom::new(),
            t.as_bytes(),
            &mut sig,
        )
        .expect("RSA signing works");
        sig
    } else {
        vec![0x5a; 256]
    };
    t.push('.');
    URL_SAFE_NO_PAD.encode_string(&sig, &mut t);
    t
}

/// A number as JSON text, biased to the values that break time arithmetic.
#[derive(Arbitrary, Debug, Clone)]
pub enum Number {
    /// Any `i64`.
    Int(i64),
    /// Any `u64` (above `i64::MAX` too).
    UInt(u64),
    /// Any finite `f64` as Rust prints it.
    Float(f64),
    /// `i64::MIN`.
    Min,
    /// `i64::MAX`.
    Max,
    /// `u64::MAX`.
    UMax,
    /// `i64::MIN - 1` and `i64::MAX + 1` as integers.
    JustOutside(bool),
    /// `-0.0`, `0.0`, `-0`.
    Zero(u8),
    /// `1e308`, `-1e308`, `1.7976931348623157e308`, `5e-324`.
    Huge(u8),
    /// `{mantissa}e{exp}` with any exponent (`1e999` overflows f64).
    Exp(i32, i16),
    /// A long run of digits.
    Digits(u8, bool),
    /// Near "now" and the millisecond trap: 1.7e9, 1.7e12, 10^11 ± 1.
    Plausible(u8, i16),
}

impl Number {
    fn write(&self, out: &mut String) {
        let _ = match self {
            Number::Int(i) => write!(out, "{i}"),
            Number::UInt(u) => write!(out, "{u}"),
            Number::Float(f) if f.is_finite() => write!(out, "{f:?}"),
            Number::Float(_) => write!(out, "1e309"),
            Number::Min => write!(out, "{}", i64::MIN),
            Number::Max => write!(out, "{}", i64::MAX),
            Number::UMax => write!(out, "{}", u64::MAX),
            Number::JustOutside(low) => {
                if *low {
                    write!(out, "-9223372036854775809")
                } else {
                    write!(out, "9223372036854775808")
                }
            }
            Number::Zero(k) => write!(
                out,
                "{}",
                ["-0.0", "0.0", "-0", "0", "0e0", "-0e-0"][usize::from(*k) % 6]
            ),
            Number::Huge(k) => write!(
                out,
                "{}",
                [
                    "1e308",
                    "-1e308",
                    "1.7976931348623157e308",
                    "-1.7976931348623157e308",
                    "5e-324",
                    "9.223372036854776e18",
                    "-9.223372036854776e18",
                    "1e15",
                    "-1e15",
                    "999999999999999.9",
                ][usize::from(*k) % 10]
            ),
            Number::Exp(m, e) => write!(out, "{m}e{e}"),
            Number::Digits(n, neg) => {
                if *neg {
                    out.push('-');
                }
                out.push('1');
                for _ in 0..*n {
                    out.push('0');
                }
                Ok(())
            }
            Number::Plausible(k, delta) => {
                let base: i64 =
                    [1_700_000_000, 1_700_000_000_000, 100_000_000_000, 253_402_300_799, 0][usize::from(*k) % 5];
                write!(out, "{}", base + i64::from(*delta))
            }
        };
    }
}

/// A string as JSON text: escapes, lone surrogates, and raw (possibly
/// invalid) contents.
#[derive(Arbitrary, Debug, Clone)]
pub enum Text {
    /// Any string, escaped properly.
    Plain(String),
    /// The same with every character as `\uXXXX`.
    Escaped(String),
    /// A lone surrogate escape `\uD800`..`\uDFFF`.
    Surrogate(u16),
    /// NaN-like and number-like words: `NaN`, `Infinity`, `1e999`, …
    NumberLike(u8),
    /// Raw bytes put between quotes unescaped (often invalid JSON).
    Raw(Vec<u8>),
}

impl Text {
    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Text::Plain(s) => out.extend_from_slice(serde_json::Value::String(s.clone()).to_string().as_bytes()),
            Text::Escaped(s) => {
                out.push(b'"');
                for u in s.encode_utf16() {
                    out.extend_from_slice(format!("\\u{u:04x}").as_bytes());
                }
                out.push(b'"');
            }
            Text::Surrogate(u) => out.extend_from_slice(format!("\"\\u{:04X}\"", 0xD800 | (u & 0x7FF)).as_bytes()),
            Text::NumberLike(k) => {
                let w = [
                    "NaN",
                    "Infinity",
                    "-Infinity",
                    "1e999",
                    "-0",
                    "0x10",
                    "1_000",
                    " 1",
                    "1.",
                    ".5",
                    "+1",
                    "\u{663}",
                ][usize::from(*k) % 12];
                out.extend_from_slice(serde_json::Value::String(w.into()).to_string().as_bytes());
            }
            Text::Raw(b) => {
                out.push(b'"');
                out.extend_from_slice(b);
                out.push(b'"');
            }
        }
    }
}

/// Any JSON value (as text).
#[derive(Arbitrary, Debug, Clone)]
pub enum Json {
    /// `null`
    Null,
    /// `true`/`false`
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    Text(Text),
    /// An array.
    Array(Vec<Json>),
    /// An object (keys may repeat).
    Object(Vec<(Name, Json)>),
    /// Bare words that are not JSON: `NaN`, `Infinity`, `undefined`.
    Bare(u8),
}

impl Json {
    /// The JSON text.
    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            Json::Null => out.extend_from_slice(b"null"),
            Json::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Json::Number(n) => {
                let mut s = String::new();
                n.write(&mut s);
                out.extend_from_slice(s.as_bytes());
            }
            Json::Text(t) => t.write(out),
            Json::Array(items) => {
                out.push(b'[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    v.write(out);
                }
                out.push(b']');
            }
            Json::Object(fields) => write_object(out, fields.iter().map(|(n, v)| (n.as_text(), v))),
            Json::Bare(k) => {
                out.extend_from_slice(["NaN", "Infinity", "-Infinity", "undefined"][usize::from(*k) % 4].as_bytes())
            }
        }
    }
}

/// An object key: the names the code looks at, or any text.
#[derive(Arbitrary, Debug, Clone)]
pub enum Name {
    /// `uri`
    Uri,
    /// `exp`
    Exp,
    /// `nbf`
    Nbf,
    /// `kid`
    Kid,
    /// `alg`
    Alg,
    /// `typ`
    Typ,
    /// `iat`
    Iat,
    /// Any other.
    Other(Text),
}

impl Name {
    fn as_text(&self) -> Text {
        let known = |s: &str| Text::Plain(s.to_string());
        match self {
            Name::Uri => known("uri"),
            Name::Exp => known("exp"),
            Name::Nbf => known("nbf"),
            Name::Kid => known("kid"),
            Name::Alg => known("alg"),
            Name::Typ => known("typ"),
            Name::Iat => known("iat"),
            Name::Other(t) => t.clone(),
        }
    }
}

/// Writes `{"k": v, ...}`.
pub fn write_object<'a>(out: &mut Vec<u8>, fields: impl Iterator<Item = (Text, &'a Json)>) {
    out.push(b'{');
    for (i, (k, v)) in fields.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        k.write(out);
        out.push(b':');
        v.write(out);
    }
    out.push(b'}');
}

/// What a verification is asked to check.
#[derive(Arbitrary, Debug, Clone)]
pub struct Options {
    /// Pinned time (any `i64`, including the extremes).
    pub now: Option<i64>,
    /// Leeway in seconds (any `u64`).
    pub leeway: u64,
    /// Expected key id.
    pub kid: Option<String>,
    /// Resource to check coverage of.
    pub resource: Option<ResourceArg>,
}

/// A resource, live or storage.
#[derive(Arbitrary, Debug, Clone)]
pub enum ResourceArg {
    /// A live playback id.
    Live(String),
    /// A storage object key.
    Storage(String),
}

impl ResourceArg {
    /// The core's resource.
    pub fn resource(&self) -> Resource {
        match self {
            ResourceArg::Live(p) => Resource::live(p.clone()),
            ResourceArg::Storage(k) => Resource::storage(k.clone()),
        }
    }
}

impl Options {
    /// The core's options.
    pub fn verify_options(&self) -> VerifyOptions {
        let mut o = VerifyOptions::new().leeway(self.leeway);
        if let Some(n) = self.now {
            o = o.now(n);
        }
        if let Some(k) = &self.kid {
            o = o.kid(k.clone());
        }
        if let Some(r) = &self.resource {
            o = o.resource(r.resource());
        }
        o
    }
}
