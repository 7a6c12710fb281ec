//! Playback domains: create, get, list, delete.

use serde_json::json;
use ureq::http::Method;

use super::retry::Idempotency;
use super::types::{Domain, DomainType};
use super::{Client, validate};
use crate::error::{Error, Result};

impl Client {
    /// Creates a custom playback domain (`POST /v1/domains`). Never sent twice
    /// unless the server cannot have seen it. At most 20 domains per account.
    /// When the call fails after the server may have created the domain (the
    /// answer was lost), the error says so: list the domains and look for
    /// `name` before creating it again.
    ///
    /// ```no_run
    /// use qencode_cdn::{Client, DomainType};
    /// let domain = Client::from_env()?.create_domain("live.example.com", DomainType::Live)?;
    /// println!("created {}", domain.id);
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn create_domain(&self, name: &str, kind: DomainType) -> Result<Domain> {
        crate::url::validate_domain(name)?;
        let kind = known_type(&kind)?;
        let body = json!({"name": name, "type": kind});
        self.send_create("/v1/domains", &body, "domain", || {
            format!("the domain may have been created: list_domains() and look for `{name}`")
        })
    }

    /// Gets one domain (`GET /v1/domains/{id}`).
    ///
    /// ```no_run
    /// let d = qencode_cdn::Client::from_env()?.get_domain("aeac03d6-beb0-4638-a094-fbc35653f931")?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn get_domain(&self, id: &str) -> Result<Domain> {
        domain_id(id)?;
        let path = format!("/v1/domains/{}", validate::segment(id));
        self.send_for(Method::GET, path, None, Idempotency::Safe, "domain")
    }

    /// Lists domains (`GET /v1/domains`), or only those of one type
    /// (`GET /v1/domains/{type}`).
    ///
    /// ```no_run
    /// use qencode_cdn::{Client, DomainType};
    /// let live = Client::from_env()?.list_domains(Some(DomainType::Live))?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn list_domains(&self, kind: Option<DomainType>) -> Result<Vec<Domain>> {
        let path = match &kind {
            None => "/v1/domains".to_string(),
            Some(kind) => format!("/v1/domains/{}", validate::segment(known_type(kind)?)),
        };
        self.send_for(Method::GET, path, None, Idempotency::Safe, "domains")
    }

    /// Deletes a domain (`DELETE /v1/domains/{id}`). A retry that finds the
    /// domain gone after an attempt whose answer was lost is a success.
    ///
    /// ```no_run
    /// qencode_cdn::Client::from_env()?.delete_domain("aeac03d6-beb0-4638-a094-fbc35653f931")?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn delete_domain(&self, id: &str) -> Result<()> {
        domain_id(id)?;
        let path = format!("/v1/domains/{}", validate::segment(id));
        self.send_ok(Method::DELETE, path, None, Idempotency::Delete)
    }
}

/// A domain id, which must not be a type name: `GET /v1/domains/live` lists.
fn domain_id(id: &str) -> Result<()> {
    validate::id("domain id", id)?;
    if matches!(DomainType::from_api(id), DomainType::Live | DomainType::Storage) {
        return Err(Error::InvalidArgument(format!(
            "`{id}` is a domain type, not a domain id (use list_domains to filter by type)"
        )));
    }
    Ok(())
}

/// The type's string; `Other` values are sent only when they look like a type.
fn known_type(kind: &DomainType) -> Result<&str> {
    let s = kind.as_str();
    if !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'_') {
        Ok(s)
    } else {
        Err(Error::InvalidArgument(format!(
            "domain type `{}` is not `live` or `storage`",
            validate::shown(s)
        )))
    }
}
