//! Signing keys: create (stream, domain or bucket), get, list, rename, delete.

use serde_json::{Map, Value};
use ureq::http::Method;

use super::retry::Idempotency;
use super::types::{NewSigningKey, SigningKey, SigningKeyTarget};
use super::{Client, validate};
use crate::error::Result;

impl Client {
    /// Creates a signing key for a stream, a playback domain or a bucket
    /// (`POST /v1/signing-keys`). The answer holds the private key, once.
    /// Never sent twice unless the server cannot have seen it. When the call
    /// fails after the server may have created the key, its private key is
    /// lost: the error says so, and how to find the key and delete it.
    ///
    /// ```no_run
    /// use qencode_cdn::{Client, Signer, SigningKeyTarget};
    /// let key = Client::from_env()?.create_signing_key(&SigningKeyTarget::Bucket("my-bucket".into()))?;
    /// let signer = Signer::from_pem(key.id(), key.private_key_pem())?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn create_signing_key(&self, target: &SigningKeyTarget) -> Result<NewSigningKey> {
        match target {
            SigningKeyTarget::Stream(id) => validate::id("stream id", id)?,
            SigningKeyTarget::Domain(id) => validate::id("domain id", id)?,
            SigningKeyTarget::Bucket(bucket) => crate::url::validate_bucket(bucket)?,
        }
        let mut body = Map::new();
        body.insert(target.field().to_string(), Value::String(target.value().to_string()));
        self.send_create("/v1/signing-keys", &Value::Object(body), "signing_key", || {
            format!(
                "a signing key may have been created whose private key (returned only once) is lost: \
                 list_signing_keys(), look for {} `{}`, and delete it with delete_signing_key()",
                target.field(),
                target.value()
            )
        })
    }

    /// Gets one signing key, without its private key (`GET /v1/signing-keys/{id}`).
    ///
    /// ```no_run
    /// let key = qencode_cdn::Client::from_env()?.get_signing_key("ec25a6a6-b31e-4ac9-af01-711460421c6b")?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn get_signing_key(&self, id: &str) -> Result<SigningKey> {
        validate::id("signing key id", id)?;
        let path = format!("/v1/signing-keys/{}", validate::segment(id));
        self.send_for(Method::GET, path, None, Idempotency::Safe, "signing_key")
    }

    /// Lists signing keys (`GET /v1/signing-keys`).
    ///
    /// ```no_run
    /// let keys = qencode_cdn::Client::from_env()?.list_signing_keys()?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn list_signing_keys(&self) -> Result<Vec<SigningKey>> {
        self.send_for(
            Method::GET,
            "/v1/signing-keys".into(),
            None,
            Idempotency::Safe,
            "signing_keys",
        )
    }

    /// Renames a signing key (`PUT /v1/signing-keys/{id}` with `{"name": ...}`).
    ///
    /// ```no_run
    /// let key = qencode_cdn::Client::from_env()?.rename_signing_key("ec25a6a6-b31e-4ac9-af01-711460421c6b", "web player")?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn rename_signing_key(&self, id: &str, name: &str) -> Result<SigningKey> {
        validate::id("signing key id", id)?;
        validate::text("signing key name", name)?;
        let path = format!("/v1/signing-keys/{}", validate::segment(id));
        let body = serde_json::json!({"name": name});
        self.send_for(Method::PUT, path, Some(&body), Idempotency::Safe, "signing_key")
    }

    /// Deletes a signing key (`DELETE /v1/signing-keys/{id}`): tokens signed
    /// with it stop working. A retry that finds the key gone after a lost
    /// answer is a success.
    ///
    /// ```no_run
    /// qencode_cdn::Client::from_env()?.delete_signing_key("ec25a6a6-b31e-4ac9-af01-711460421c6b")?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn delete_signing_key(&self, id: &str) -> Result<()> {
        validate::id("signing key id", id)?;
        let path = format!("/v1/signing-keys/{}", validate::segment(id));
        self.send_ok(Method::DELETE, path, None, Idempotency::Delete)
    }
}
