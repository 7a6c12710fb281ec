//! HTTPS for the edge (`Secure` cookies need it): a certificate authority
//! made when the emulator starts, whose private key never leaves memory, and
//! a leaf certificate for each server name a client asks for (SNI), issued on
//! first use by that CA and cached. Every leaf shares one key pair, so one
//! SPKI pin ([`TlsAuthority::spki_sha256`]) covers them all.
//!
//! Trusting the CA ([`TlsAuthority::ca_pem`], written by
//! `qcdn emulator --write-keys DIR` to `DIR/ca.pem`) trusts this one run of
//! the emulator and nothing else: the next run has another CA.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, SanType,
};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

/// The most distinct server names certificates are issued for (a bound on
/// what clients asking for random names can make the emulator keep).
const MAX_NAMES: usize = 1000;

/// The name a leaf is issued for when the client sends no SNI (an IP address).
const DEFAULT_NAME: &str = "localhost";

/// The emulator's CA and its leaf certificates.
pub(crate) struct TlsAuthority {
    ca: Certificate,
    ca_key: KeyPair,
    leaf_key: KeyPair,
    signing_key: Arc<dyn rustls::sign::SigningKey>,
    issued: Mutex<HashMap<String, Arc<CertifiedKey>>>,
}

impl std::fmt::Debug for TlsAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsAuthority { .. }")
    }
}

fn err(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("emulator TLS: {e}"))
}

fn validity(params: &mut CertificateParams, days: i64) {
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(days);
}

impl TlsAuthority {
    /// A new CA (ECDSA P-256, valid 30 days) and the key of its leaves.
    pub fn new() -> std::io::Result<TlsAuthority> {
        let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(err)?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "qencode-cdn emulator test CA (this run only)");
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        validity(&mut params, 30);
        let ca = params.self_signed(&ca_key).map_err(err)?;
        let leaf_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(err)?;
        let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let provider = CryptoProvider::get_default()
            .cloned()
            .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
        let signing_key = provider.key_provider.load_private_key(der).map_err(err)?;
        Ok(TlsAuthority {
            ca,
            ca_key,
            leaf_key,
            signing_key,
            issued: Mutex::new(HashMap::new()),
        })
    }

    /// The CA certificate (PEM), for a client's trust store.
    pub fn ca_pem(&self) -> String {
        self.ca.pem()
    }

    /// base64 of the SHA-256 of the leaves' SubjectPublicKeyInfo (Chromium's
    /// `--ignore-certificate-errors-spki-list`).
    pub fn spki_sha256(&self) -> String {
        use base64::Engine as _;
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &self.leaf_key.public_key_der());
        base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
    }

    fn issue(&self, name: &str) -> Result<Arc<CertifiedKey>, rcgen::Error> {
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, name);
        params.distinguished_name = dn;
        params.subject_alt_names = if name == DEFAULT_NAME {
            vec![
                SanType::DnsName(DEFAULT_NAME.try_into()?),
                SanType::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()),
                SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()),
            ]
        } else {
            vec![SanType::DnsName(name.try_into()?)]
        };
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        validity(&mut params, 29);
        let cert = params.signed_by(&self.leaf_key, &self.ca, &self.ca_key)?;
        let chain: Vec<CertificateDer<'static>> = vec![cert.der().clone(), self.ca.der().clone()];
        Ok(Arc::new(CertifiedKey::new(chain, self.signing_key.clone())))
    }

    /// The leaf for `name` (issued now if new).
    fn leaf(&self, name: &str) -> Option<Arc<CertifiedKey>> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        let mut issued = self.issued.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = issued.get(&name) {
            return Some(k.clone());
        }
        let key = self.issue(&name).ok()?;
        if issued.len() < MAX_NAMES {
            issued.insert(name, key.clone());
        }
        Some(key)
    }

    /// The rustls server configuration: HTTP/1.1, a leaf per SNI name.
    pub fn server_config(self: &Arc<Self>) -> std::io::Result<Arc<rustls::ServerConfig>> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(err)?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(Resolver(self.clone())));
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

#[derive(Debug)]
struct Resolver(Arc<TlsAuthority>);

impl ResolvesServerCert for Resolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.0.leaf(hello.server_name().unwrap_or(DEFAULT_NAME))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_are_issued_per_name_by_the_ca_and_cached() {
        let ca = TlsAuthority::new().unwrap();
        let a = ca.leaf("Media.Example.com.").unwrap();
        let b = ca.leaf("media.example.com").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(ca.leaf("localhost").is_some());
        assert!(ca.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(ca.spki_sha256().len(), 44);
    }
}
