//! Media-storage buckets: access policy, CORS, cache purges.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use ureq::http::Method;

use super::retry::Idempotency;
use super::types::BucketPolicy;
use super::{Client, validate};
use crate::error::{Error, Result};
use crate::url::validate_bucket;

fn bucket_path(bucket: &str, rest: &str) -> Result<String> {
    validate_bucket(bucket)?;
    Ok(format!("/v1/buckets/{}{rest}", validate::segment(bucket)))
}

impl Client {
    /// Sets a bucket's access policy (`PUT /v1/buckets/{bucket}/policy/{policy}`).
    /// With `Authenticated`, every request needs a signed token.
    ///
    /// ```no_run
    /// use qencode_cdn::{BucketPolicy, Client};
    /// Client::from_env()?.set_bucket_policy("my-bucket", BucketPolicy::Authenticated)?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn set_bucket_policy(&self, bucket: &str, policy: BucketPolicy) -> Result<()> {
        let path = bucket_path(bucket, &format!("/policy/{}", policy.as_str()))?;
        self.send_ok(Method::PUT, path, None, Idempotency::Safe)
    }

    /// Sets a bucket's CORS policy (`POST /v1/buckets/{bucket}/cors`): header
    /// names to values, e.g. `Access-Control-Allow-Origin: *`. Safe to repeat.
    ///
    /// ```no_run
    /// use std::collections::BTreeMap;
    /// let cors = BTreeMap::from([("Access-Control-Allow-Origin".to_string(), "*".to_string())]);
    /// qencode_cdn::Client::from_env()?.set_bucket_cors("my-bucket", &cors)?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn set_bucket_cors(&self, bucket: &str, cors: &BTreeMap<String, String>) -> Result<()> {
        let path = bucket_path(bucket, "/cors")?;
        if cors.is_empty() {
            return Err(Error::InvalidArgument(
                "the CORS policy is empty (use delete_bucket_cors to remove it)".into(),
            ));
        }
        let mut body = Map::new();
        for (name, value) in cors {
            validate::header_name(name)?;
            validate::text("CORS header value", value)?;
            body.insert(name.clone(), Value::String(value.clone()));
        }
        self.send_ok(Method::POST, path, Some(&Value::Object(body)), Idempotency::Safe)
    }

    /// Gets a bucket's CORS policy (`GET /v1/buckets/{bucket}/cors`).
    ///
    /// ```no_run
    /// let cors = qencode_cdn::Client::from_env()?.get_bucket_cors("my-bucket")?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn get_bucket_cors(&self, bucket: &str) -> Result<BTreeMap<String, String>> {
        let path = bucket_path(bucket, "/cors")?;
        let (shown, bytes) = self.send(Method::GET, path, None, Idempotency::Safe)?;
        let doc: Map<String, Value> = serde_json::from_slice(&bytes)
            .map_err(|e| super::http::decode_error(&shown, "an object of CORS headers", &e))?;
        doc.into_iter()
            .map(|(name, value)| match value {
                Value::String(s) => Ok((name, s)),
                Value::Number(n) => Ok((name, n.to_string())),
                Value::Bool(b) => Ok((name, b.to_string())),
                _ => Err(Error::Decode(format!(
                    "{shown}: CORS header `{}` is not a string",
                    validate::shown(&name)
                ))),
            })
            .collect()
    }

    /// Deletes a bucket's CORS policy (`DELETE /v1/buckets/{bucket}/cors`).
    ///
    /// ```no_run
    /// qencode_cdn::Client::from_env()?.delete_bucket_cors("my-bucket")?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn delete_bucket_cors(&self, bucket: &str) -> Result<()> {
        let path = bucket_path(bucket, "/cors")?;
        self.send_ok(Method::DELETE, path, None, Idempotency::Delete)
    }

    /// Removes one header from a bucket's CORS policy
    /// (`DELETE /v1/buckets/{bucket}/cors/{header}`).
    ///
    /// ```no_run
    /// qencode_cdn::Client::from_env()?.delete_bucket_cors_header("my-bucket", "Access-Control-Allow-Origin")?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn delete_bucket_cors_header(&self, bucket: &str, header: &str) -> Result<()> {
        validate::header_name(header)?;
        let path = bucket_path(bucket, &format!("/cors/{}", validate::segment(header)))?;
        self.send_ok(Method::DELETE, path, None, Idempotency::Delete)
    }

    /// Purges the CDN cache for every object of a bucket
    /// (`POST /v1/buckets/{bucket}/cache/purge_all`). Safe to repeat.
    ///
    /// ```no_run
    /// qencode_cdn::Client::from_env()?.purge_bucket_cache("my-bucket")?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn purge_bucket_cache(&self, bucket: &str) -> Result<()> {
        let path = bucket_path(bucket, "/cache/purge_all")?;
        self.send_ok(Method::POST, path, None, Idempotency::Safe)
    }

    /// Purges the CDN cache for one object (`POST /v1/buckets/{bucket}/cache/purge`
    /// with `{"path": ...}`). Safe to repeat.
    ///
    /// ```no_run
    /// qencode_cdn::Client::from_env()?.purge_object_cache("my-bucket", "videos/intro.mp4")?;
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn purge_object_cache(&self, bucket: &str, path: &str) -> Result<()> {
        validate::text("object path", path)?;
        let url_path = bucket_path(bucket, "/cache/purge")?;
        let body = json!({"path": path});
        self.send_ok(Method::POST, url_path, Some(&body), Idempotency::Safe)
    }
}
