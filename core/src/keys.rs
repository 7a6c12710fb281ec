//! Key loading: every form a private or public RSA key arrives in, reduced to
//! PKCS#1 DER (private) or modulus and exponent (public).
//!
//! Accepted private keys: PKCS#1 (`RSA PRIVATE KEY`) and PKCS#8
//! (`PRIVATE KEY`) as PEM or DER; PEM whose newlines arrived as the two
//! characters `\n`, as CRLF, or folded to single spaces (environment
//! variables); base64 of a PEM or of a DER. Refused with `INVALID_KEY`:
//! encrypted keys, non-RSA keys, RSA keys under [`MIN_RSA_BITS`] bits.
//! Error messages name the format that was seen, never key bytes.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use pkcs8::der::{Decode as _, Encode as _};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Smallest RSA modulus accepted for signing or verification.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus accepted (aws-lc's limit for PKCS#1 v1.5 verification).
pub const MAX_RSA_BITS: usize = 8192;

const OID_RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

/// A private RSA key reduced to PKCS#1 `RSAPrivateKey` DER (zeroized on drop).
pub(crate) struct PrivateKeyDer {
    pub(crate) pkcs1: Zeroizing<Vec<u8>>,
    pub(crate) public: PublicKeyParts,
}

/// The public half of an RSA key: big-endian modulus and exponent.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PublicKeyParts {
    pub(crate) n: Vec<u8>,
    pub(crate) e: Vec<u8>,
}

impl PublicKeyParts {
    /// From big-endian modulus and exponent bytes (leading zeros dropped).
    #[cfg_attr(not(feature = "pkcs11"), allow(dead_code))]
    pub(crate) fn from_components(n: Vec<u8>, e: Vec<u8>) -> Self {
        PublicKeyParts {
            n: strip_zeros(&n).to_vec(),
            e: strip_zeros(&e).to_vec(),
        }
    }

    pub(crate) fn bits(&self) -> usize {
        bit_len(&self.n)
    }

    /// SubjectPublicKeyInfo DER.
    pub(crate) fn to_spki_der(&self) -> Result<Vec<u8>> {
        let pkcs1 = self.to_pkcs1_der()?;
        let oid = pkcs8::ObjectIdentifier::new_unwrap(OID_RSA_ENCRYPTION);
        let spki = pkcs8::spki::SubjectPublicKeyInfoRef {
            algorithm: pkcs8::spki::AlgorithmIdentifierRef {
                oid,
                parameters: Some(pkcs8::der::asn1::AnyRef::NULL),
            },
            subject_public_key: pkcs8::der::asn1::BitStringRef::from_bytes(&pkcs1)
                .map_err(|e| Error::Internal(format!("encoding public key: {e}")))?,
        };
        spki.to_der()
            .map_err(|e| Error::Internal(format!("encoding public key: {e}")))
    }

    /// PKCS#1 `RSAPublicKey` DER.
    pub(crate) fn to_pkcs1_der(&self) -> Result<Vec<u8>> {
        let key = pkcs1::RsaPublicKey {
            modulus: pkcs1::UintRef::new(&self.n).map_err(|e| Error::Internal(format!("encoding modulus: {e}")))?,
            public_exponent: pkcs1::UintRef::new(&self.e)
                .map_err(|e| Error::Internal(format!("encoding exponent: {e}")))?,
        };
        key.to_der()
            .map_err(|e| Error::Internal(format!("encoding public key: {e}")))
    }

    /// SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    pub(crate) fn to_spki_pem(&self) -> Result<String> {
        Ok(pem_armor("PUBLIC KEY", &self.to_spki_der()?))
    }

    /// A JWK (RFC 7517) JSON object with `kty`, `n`, `e` and, when given, `kid`, `alg`, `use`.
    pub(crate) fn to_jwk(&self, kid: Option<&str>) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("kty".into(), "RSA".into());
        if let Some(kid) = kid {
            m.insert("kid".into(), kid.into());
        }
        m.insert("alg".into(), "RS256".into());
        m.insert("use".into(), "sig".into());
        m.insert("n".into(), URL_SAFE_NO_PAD.encode(&self.n).into());
        m.insert("e".into(), URL_SAFE_NO_PAD.encode(&self.e).into());
        serde_json::Value::Object(m)
    }
}

fn bit_len(be: &[u8]) -> usize {
    let be = strip_zeros(be);
    match be.first() {
        None => 0,
        Some(&b) => (be.len() - 1) * 8 + (8 - b.leading_zeros() as usize),
    }
}

fn strip_zeros(be: &[u8]) -> &[u8] {
    let start = be.iter().position(|&b| b != 0).unwrap_or(be.len());
    &be[start..]
}

/// Wraps DER in PEM armour with 64-column lines.
pub(crate) fn pem_armor(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        // base64 output is ASCII
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

/// What the input turned out to be, after unwrapping PEM/base64.
enum Decoded {
    /// PEM with this label, and its decoded body.
    Pem {
        label: String,
        der: Zeroizing<Vec<u8>>,
        wrapped_in_base64: bool,
    },
    /// Raw DER (possibly after base64).
    Der {
        der: Zeroizing<Vec<u8>>,
        wrapped_in_base64: bool,
    },
    /// A JSON object (JWK).
    Json(String),
}

fn describe_wrapping(label: Option<&str>, wrapped: bool) -> String {
    let base = match label {
        Some(l) => format!("PEM `{l}`"),
        None => "DER".to_string(),
    };
    if wrapped {
        format!("base64-wrapped {base}")
    } else {
        base
    }
}

/// Unwraps PEM (tolerating mangled newlines), base64 of PEM/DER, or DER.
fn decode_input(input: &[u8]) -> Result<Decoded> {
    decode_input_inner(input, false)
}

fn decode_input_inner(input: &[u8], wrapped: bool) -> Result<Decoded> {
    if input.is_empty() {
        return Err(Error::invalid_key("the key is empty"));
    }
    if input[0] == 0x30 {
        return Ok(Decoded::Der {
            der: Zeroizing::new(input.to_vec()),
            wrapped_in_base64: wrapped,
        });
    }
    let Ok(text) = std::str::from_utf8(input) else {
        return Err(Error::invalid_key(
            "the key is neither PEM text nor DER (binary data that does not start with an ASN.1 SEQUENCE)",
        ));
    };
    let text = text.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'');
    if text.starts_with('{') {
        return Ok(Decoded::Json(text.to_string()));
    }
    if let Some(begin) = text.find("-----BEGIN ") {
        return decode_pem(&text[begin..], wrapped);
    }
    if wrapped {
        return Err(Error::invalid_key(
            "the key is base64, but what it decodes to is neither PEM nor DER",
        ));
    }
    // base64 of a PEM or of a DER (environment variables, secret managers)
    let compact: Zeroizing<String> = Zeroizing::new(strip_ws_and_escapes(text));
    if !compact.is_empty()
        && compact
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
    {
        let decoded = STANDARD
            .decode(compact.as_bytes())
            .or_else(|_| STANDARD_NO_PAD.decode(compact.trim_end_matches('=').as_bytes()))
            .or_else(|_| URL_SAFE_NO_PAD.decode(compact.trim_end_matches('=').as_bytes()));
        if let Ok(bytes) = decoded {
            let bytes = Zeroizing::new(bytes);
            return decode_input_inner(&bytes, true);
        }
    }
    Err(Error::invalid_key(
        "the key is text but not PEM (no `-----BEGIN` line) and not base64 of a PEM or DER",
    ))
}

/// Removes whitespace and the two-character escapes `\n`, `\r`, `\t`.
fn strip_ws_and_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && matches!(chars.peek(), Some('n' | 'r' | 't')) {
            chars.next();
            continue;
        }
        if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

fn decode_pem(text: &str, wrapped: bool) -> Result<Decoded> {
    let after_begin = &text["-----BEGIN ".len()..];
    let Some(label_end) = after_begin.find("-----") else {
        return Err(Error::invalid_key("PEM `-----BEGIN` line is not closed by `-----`"));
    };
    let label = after_begin[..label_end].trim().to_string();
    if label.is_empty()
        || label.len() > 40
        || !label
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b == b' ' || b.is_ascii_digit())
    {
        return Err(Error::invalid_key("PEM `-----BEGIN` line has no valid label"));
    }
    let body_and_rest = &after_begin[label_end + 5..];
    let end_marker = format!("-----END {label}-----");
    let Some(end) = body_and_rest.find(&end_marker) else {
        return Err(Error::invalid_key(format!(
            "PEM `{label}` has no matching `-----END {label}-----` line (truncated?)"
        )));
    };
    let body = &body_and_rest[..end];
    if body.contains("Proc-Type:") || body.contains("DEK-Info:") {
        return Err(Error::invalid_key(format!(
            "PEM `{label}` is encrypted (Proc-Type/DEK-Info headers); decrypt it first, e.g. `openssl rsa -in key.pem -out plain.pem`"
        )));
    }
    let compact = Zeroizing::new(strip_ws_and_escapes(body));
    let der = STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| Error::invalid_key(format!("PEM `{label}` body is not valid base64")))?;
    Ok(Decoded::Pem {
        label,
        der: Zeroizing::new(der),
        wrapped_in_base64: wrapped,
    })
}

/// Loads a private RSA key from any accepted form.
pub(crate) fn load_private_key(input: &[u8]) -> Result<PrivateKeyDer> {
    match decode_input(input)? {
        Decoded::Json(_) => Err(Error::invalid_key(
            "JSON (JWK) private keys are not supported; pass the PEM the API returned",
        )),
        Decoded::Pem {
            label,
            der,
            wrapped_in_base64,
        } => {
            let seen = describe_wrapping(Some(&label), wrapped_in_base64);
            match label.as_str() {
                "RSA PRIVATE KEY" => private_from_pkcs1(der, &seen),
                "PRIVATE KEY" => private_from_pkcs8(&der, &seen),
                "ENCRYPTED PRIVATE KEY" => Err(Error::invalid_key(format!(
                    "{seen} is encrypted; decrypt it first, e.g. `openssl pkcs8 -in key.pem -out plain.pem`"
                ))),
                "EC PRIVATE KEY" | "DSA PRIVATE KEY" | "OPENSSH PRIVATE KEY" => Err(Error::invalid_key(format!(
                    "{seen} is not an RSA key; Qencode signing keys are RSA (RS256)"
                ))),
                "PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE" => Err(Error::invalid_key(format!(
                    "{seen} is a public key or certificate; signing needs the private key"
                ))),
                other => Err(Error::invalid_key(format!(
                    "PEM label `{other}` is not a private key this library reads (expected `RSA PRIVATE KEY` or `PRIVATE KEY`)"
                ))),
            }
        }
        Decoded::Der { der, wrapped_in_base64 } => {
            let seen = describe_wrapping(None, wrapped_in_base64);
            if pkcs8::PrivateKeyInfo::from_der(&der).is_ok() {
                private_from_pkcs8(&der, &format!("{seen} (PKCS#8)"))
            } else if looks_like_encrypted_pkcs8(&der) {
                Err(Error::invalid_key(format!(
                    "{seen} is an encrypted PKCS#8 key; decrypt it first"
                )))
            } else if pkcs8::spki::SubjectPublicKeyInfoRef::from_der(&der).is_ok()
                || pkcs1::RsaPublicKey::from_der(&der).is_ok()
            {
                Err(Error::invalid_key(format!(
                    "{seen} is a public key; signing needs the private key"
                )))
            } else {
                private_from_pkcs1(der, &format!("{seen} (PKCS#1)"))
            }
        }
    }
}

/// PBES1/PBES2 (OIDs 1.2.840.113549.1.5.*) at the start of the structure.
fn looks_like_encrypted_pkcs8(der: &[u8]) -> bool {
    const PKCS5_PREFIX: [u8; 10] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05];
    der.iter().take(24).count() >= 10 && der[..der.len().min(24)].windows(10).any(|w| w == PKCS5_PREFIX)
}

fn private_from_pkcs8(der: &[u8], seen: &str) -> Result<PrivateKeyDer> {
    let info = pkcs8::PrivateKeyInfo::from_der(der)
        .map_err(|_| Error::invalid_key(format!("{seen} is not a valid PKCS#8 structure")))?;
    let oid = info.algorithm.oid.to_string();
    if oid != OID_RSA_ENCRYPTION {
        return Err(Error::invalid_key(format!(
            "{seen} holds a {} key, not RSA; Qencode signing keys are RSA (RS256)",
            algorithm_name(&oid)
        )));
    }
    private_from_pkcs1(Zeroizing::new(info.private_key.to_vec()), seen)
}

fn algorithm_name(oid: &str) -> String {
    match oid {
        "1.2.840.10045.2.1" => "EC".into(),
        "1.3.101.112" => "Ed25519".into(),
        "1.3.101.113" => "Ed448".into(),
        "1.2.840.113549.1.1.10" => "RSA-PSS-only".into(),
        "1.2.840.10040.4.1" => "DSA".into(),
        other => format!("non-RSA (algorithm OID {other})"),
    }
}

fn private_from_pkcs1(der: Zeroizing<Vec<u8>>, seen: &str) -> Result<PrivateKeyDer> {
    let key = pkcs1::RsaPrivateKey::from_der(&der)
        .map_err(|_| Error::invalid_key(format!("{seen} is not a valid RSA private key")))?;
    if key.other_prime_infos.is_some() {
        return Err(Error::invalid_key(format!(
            "{seen} is a multi-prime RSA key, which is not supported"
        )));
    }
    let public = PublicKeyParts {
        n: strip_zeros(key.modulus.as_bytes()).to_vec(),
        e: strip_zeros(key.public_exponent.as_bytes()).to_vec(),
    };
    check_size(&public, seen)?;
    drop(key);
    Ok(PrivateKeyDer { pkcs1: der, public })
}

/// The size rules of every key, for a public key read from elsewhere (an HSM).
#[cfg_attr(not(feature = "pkcs11"), allow(dead_code))]
pub(crate) fn check_public(public: &PublicKeyParts) -> Result<()> {
    check_size(public, "the token's key")
}

fn check_size(public: &PublicKeyParts, seen: &str) -> Result<()> {
    let bits = public.bits();
    if bits < MIN_RSA_BITS {
        return Err(Error::invalid_key(format!(
            "{seen} is a {bits}-bit RSA key; at least {MIN_RSA_BITS} bits are required"
        )));
    }
    if bits > MAX_RSA_BITS {
        return Err(Error::invalid_key(format!(
            "{seen} is a {bits}-bit RSA key; at most {MAX_RSA_BITS} bits are supported"
        )));
    }
    if public.e.is_empty() || public.e.last().is_some_and(|b| b & 1 == 0) {
        return Err(Error::invalid_key(format!("{seen} has an invalid public exponent")));
    }
    Ok(())
}

/// Loads a public RSA key: SPKI or PKCS#1, PEM or DER, base64 of either, a
/// JWK with `n`/`e`, or a private key (whose public half is taken).
pub(crate) fn load_public_key(input: &[u8]) -> Result<PublicKeyParts> {
    match decode_input(input)? {
        Decoded::Json(text) => public_from_jwk(&text),
        Decoded::Pem {
            label,
            der,
            wrapped_in_base64,
        } => {
            let seen = describe_wrapping(Some(&label), wrapped_in_base64);
            match label.as_str() {
                "PUBLIC KEY" => public_from_spki(&der, &seen),
                "RSA PUBLIC KEY" => public_from_pkcs1(&der, &seen),
                "RSA PRIVATE KEY" | "PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" | "EC PRIVATE KEY" => {
                    load_private_key(input).map(|k| k.public.clone())
                }
                other => Err(Error::invalid_key(format!(
                    "PEM label `{other}` is not a public key this library reads (expected `PUBLIC KEY` or `RSA PUBLIC KEY`)"
                ))),
            }
        }
        Decoded::Der { der, wrapped_in_base64 } => {
            let seen = describe_wrapping(None, wrapped_in_base64);
            if pkcs8::spki::SubjectPublicKeyInfoRef::from_der(&der).is_ok() {
                public_from_spki(&der, &format!("{seen} (SPKI)"))
            } else if pkcs1::RsaPublicKey::from_der(&der).is_ok() {
                public_from_pkcs1(&der, &format!("{seen} (PKCS#1)"))
            } else {
                load_private_key(&der).map(|k| k.public.clone()).map_err(|_| {
                    Error::invalid_key(format!(
                        "{seen} is not an RSA public key (SPKI or PKCS#1) nor an RSA private key"
                    ))
                })
            }
        }
    }
}

fn public_from_spki(der: &[u8], seen: &str) -> Result<PublicKeyParts> {
    let spki = pkcs8::spki::SubjectPublicKeyInfoRef::from_der(der)
        .map_err(|_| Error::invalid_key(format!("{seen} is not a valid SubjectPublicKeyInfo")))?;
    let oid = spki.algorithm.oid.to_string();
    if oid != OID_RSA_ENCRYPTION {
        return Err(Error::invalid_key(format!(
            "{seen} holds a {} public key, not RSA",
            algorithm_name(&oid)
        )));
    }
    let bits = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| Error::invalid_key(format!("{seen} has an unaligned key bit string")))?;
    public_from_pkcs1(bits, seen)
}

fn public_from_pkcs1(der: &[u8], seen: &str) -> Result<PublicKeyParts> {
    let key = pkcs1::RsaPublicKey::from_der(der)
        .map_err(|_| Error::invalid_key(format!("{seen} is not a valid RSA public key")))?;
    let public = PublicKeyParts {
        n: strip_zeros(key.modulus.as_bytes()).to_vec(),
        e: strip_zeros(key.public_exponent.as_bytes()).to_vec(),
    };
    check_size(&public, seen)?;
    Ok(public)
}

fn public_from_jwk(text: &str) -> Result<PublicKeyParts> {
    let seen = "JWK";
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|_| Error::invalid_key("JSON key (JWK) is not valid JSON"))?;
    // A JWK Set with exactly one key is accepted too.
    let v = match v.get("keys").and_then(|k| k.as_array()) {
        Some(keys) if keys.len() == 1 => keys[0].clone(),
        Some(_) => {
            return Err(Error::invalid_key(
                "JWK Set must hold exactly one key; pass the key you want",
            ));
        }
        None => v,
    };
    let kty = v.get("kty").and_then(|k| k.as_str()).unwrap_or("");
    if kty != "RSA" {
        return Err(Error::invalid_key(format!("JWK `kty` is `{kty}`, expected `RSA`")));
    }
    let field = |name: &str| -> Result<Vec<u8>> {
        let s = v
            .get(name)
            .and_then(|x| x.as_str())
            .ok_or_else(|| Error::invalid_key(format!("JWK has no string `{name}`")))?;
        URL_SAFE_NO_PAD
            .decode(s.trim_end_matches('='))
            .map_err(|_| Error::invalid_key(format!("JWK `{name}` is not base64url")))
    };
    let public = PublicKeyParts {
        n: strip_zeros(&field("n")?).to_vec(),
        e: strip_zeros(&field("e")?).to_vec(),
    };
    check_size(&public, seen)?;
    Ok(public)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/../tests/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    fn err(input: &[u8]) -> Error {
        match load_private_key(input) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e,
        }
    }

    #[test]
    fn pkcs1_and_pkcs8_pem_and_der_give_the_same_key() {
        let a = load_private_key(&key("rsa2048.pkcs1.pem")).unwrap();
        for other in ["rsa2048.pkcs8.pem", "rsa2048.pkcs1.der", "rsa2048.pkcs8.der"] {
            let b = load_private_key(&key(other)).unwrap();
            assert_eq!(*a.pkcs1, *b.pkcs1, "{other}");
            assert!(a.public == b.public);
        }
        assert_eq!(a.public.bits(), 2048);
    }

    #[test]
    fn mangled_pem_from_environment_variables_loads() {
        let pem = String::from_utf8(key("rsa4096.pkcs8.pem")).unwrap();
        let want = load_private_key(pem.as_bytes()).unwrap();
        let variants = [
            pem.replace('\n', "\\n"),
            pem.replace('\n', "\r\n"),
            pem.replace('\n', " "),
            format!("\"{}\"", pem.trim().replace('\n', "\\n")),
            STANDARD.encode(pem.as_bytes()),
            STANDARD.encode(&*want.pkcs1),
        ];
        for v in variants {
            let got = load_private_key(v.as_bytes()).unwrap();
            assert_eq!(*got.pkcs1, *want.pkcs1);
            assert!(got.public == want.public);
        }
    }

    #[test]
    fn refusals_name_the_format_and_never_leak_key_bytes() {
        let cases = [
            ("rsa1024.pkcs1.pem", "1024-bit"),
            ("rsa2048.encrypted.pem", "encrypted"),
            ("ec-p256.pkcs8.pem", "EC"),
            ("ed25519.pem", "Ed25519"),
            ("rsa2048.spki.pem", "public key"),
        ];
        for (file, needle) in cases {
            let input = key(file);
            let e = err(&input);
            assert_eq!(e.code(), crate::ErrorCode::InvalidKey, "{file}");
            let msg = e.to_string();
            assert!(msg.contains(needle), "{file}: {msg}");
            let text = String::from_utf8_lossy(&input);
            for line in text.lines().filter(|l| !l.starts_with("-----") && l.len() > 8) {
                assert!(!msg.contains(&line[..8]), "{file} leaked key bytes: {msg}");
            }
        }
        for junk in [
            &b""[..],
            b"hello",
            b"-----BEGIN RSA PRIVATE KEY-----\nAAAA",
            b"\x30\x03\x02\x01\x00",
            b"\xff\xfe",
        ] {
            assert_eq!(err(junk).code(), crate::ErrorCode::InvalidKey);
        }
    }

    #[test]
    fn public_keys_in_every_form_agree() {
        let want = load_private_key(&key("rsa2048.pkcs1.pem")).unwrap().public;
        for f in [
            "rsa2048.spki.pem",
            "rsa2048.spki.der",
            "rsa2048.pkcs1-public.pem",
            "rsa2048.pkcs1.pem",
        ] {
            assert!(load_public_key(&key(f)).unwrap() == want, "{f}");
        }
        let jwk = want.to_jwk(Some("k")).to_string();
        assert!(load_public_key(jwk.as_bytes()).unwrap() == want);
        let spki = want.to_spki_pem().unwrap();
        assert_eq!(spki, String::from_utf8(key("rsa2048.spki.pem")).unwrap());
    }
}
