//! TLS subscriptions: create, get, list, delete.

use serde_json::json;
use ureq::http::Method;

use super::retry::Idempotency;
use super::types::TlsSubscription;
use super::{Client, validate};
use crate::error::Result;

impl Client {
    /// Requests a managed (Let's Encrypt) certificate for a domain
    /// (`POST /v1/tls/subscriptions`). Never sent twice unless the server
    /// cannot have seen it; when it fails after the server may have created
    /// it, the error says how to look for it.
    ///
    /// ```no_run
    /// let sub = qencode_cdn::Client::from_env()?.create_tls_subscription("aeac03d6-beb0-4638-a094-fbc35653f931")?;
    /// println!("{}: {}", sub.status, sub.message.unwrap_or_default());
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn create_tls_subscription(&self, domain_id: &str) -> Result<TlsSubscription> {
        validate::id("domain id", domain_id)?;
        let body = json!({"domain_id": domain_id});
        self.send_create("/v1/tls/subscriptions", &body, "tls_subscription", || {
            format!(
                "a TLS subscription may have been created: list_tls_subscriptions() and look for domain_id `{domain_id}`"
            )
        })
    }

    /// Gets one TLS subscription (`GET /v1/tls/subscriptions/{id}`).
    ///
    /// ```no_run
    /// let sub = qencode_cdn::Client::from_env()?.get_tls_subscription("7d819560-6220-4b76-bf9a-3784a64ac7ff")?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn get_tls_subscription(&self, id: &str) -> Result<TlsSubscription> {
        validate::id("TLS subscription id", id)?;
        let path = format!("/v1/tls/subscriptions/{}", validate::segment(id));
        self.send_for(Method::GET, path, None, Idempotency::Safe, "tls_subscription")
    }

    /// Lists TLS subscriptions (`GET /v1/tls/subscriptions`).
    ///
    /// ```no_run
    /// let subs = qencode_cdn::Client::from_env()?.list_tls_subscriptions()?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn list_tls_subscriptions(&self) -> Result<Vec<TlsSubscription>> {
        self.send_for(
            Method::GET,
            "/v1/tls/subscriptions".into(),
            None,
            Idempotency::Safe,
            "tls_subscriptions",
        )
    }

    /// Deletes a TLS subscription (`DELETE /v1/tls/subscriptions/{id}`). A
    /// retry that finds it gone after a lost answer is a success.
    ///
    /// ```no_run
    /// qencode_cdn::Client::from_env()?.delete_tls_subscription("7d819560-6220-4b76-bf9a-3784a64ac7ff")?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn delete_tls_subscription(&self, id: &str) -> Result<()> {
        validate::id("TLS subscription id", id)?;
        let path = format!("/v1/tls/subscriptions/{}", validate::segment(id));
        self.send_ok(Method::DELETE, path, None, Idempotency::Delete)
    }
}
