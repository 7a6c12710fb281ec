//! The API's documents as typed values (serde, with the API's own field names).
//!
//! Unknown fields are kept in `extra`; enums have an `Other(String)` case so a
//! value the API adds later still decodes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::secret::SecretString;
use crate::error::{Error, Result};

/// The JSON field that names the bucket when creating a signing key for a
/// media-storage bucket (`POST /v1/signing-keys`).
///
/// **A guess**: the reference documents only `stream_id` (and, by its list
/// example, `domain_id`) and is silent about buckets. `bucket_name` matches the
/// `$BUCKET_NAME` placeholder of the bucket endpoints. The same name is read
/// back from signing key documents ([`SigningKey::bucket_name`], which also
/// accepts `bucket`). Correct it here if Qencode documents another name.
pub const BUCKET_FIELD: &str = "bucket_name";

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know (kept as sent).
            Other(String),
        }

        impl $name {
            /// The API's string for this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Other(s) => s.as_str(),
                }
            }

            /// Maps the API's string to a value, `Other` when unknown. Never fails.
            pub fn from_api(s: &str) -> Self {
                match s {
                    $( $text => $name::$variant, )+
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
                let s = String::deserialize(deserializer)?;
                Ok($name::from_api(&s))
            }
        }
    };
}

open_enum! {
    /// What a playback domain serves: live streams or media storage.
    ///
    /// ```
    /// use qencode_cdn::DomainType;
    /// assert_eq!("live".parse::<DomainType>()?, DomainType::Live);
    /// assert_eq!(DomainType::Storage.as_str(), "storage");
    /// assert!("lvie".parse::<DomainType>().is_err()); // user input is checked
    /// assert_eq!(DomainType::from_api("vod"), DomainType::Other("vod".into())); // API output is not
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    DomainType {
        /// `"live"`: live-streaming playback.
        Live => "live",
        /// `"storage"`: media-storage playback.
        Storage => "storage",
    }
}

impl FromStr for DomainType {
    type Err = Error;

    /// Parses user input (`live` or `storage`, any case); anything else is
    /// INVALID_ARGUMENT, so a typo never reaches the API.
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "live" => Ok(DomainType::Live),
            "storage" => Ok(DomainType::Storage),
            _ => Err(Error::InvalidArgument(format!(
                "domain type `{}` is not `live` or `storage`",
                s.escape_debug()
            ))),
        }
    }
}

open_enum! {
    /// The state of a TLS subscription (a Let's Encrypt certificate).
    ///
    /// ```
    /// use qencode_cdn::TlsStatus;
    /// assert_eq!(TlsStatus::from_api("pending"), TlsStatus::Pending);
    /// assert_eq!(TlsStatus::from_api("verifying").as_str(), "verifying");
    /// ```
    TlsStatus {
        /// `"pending"`: waiting for the domain's CNAME.
        Pending => "pending",
        /// `"active"`: the certificate is issued.
        Active => "active",
        /// `"failed"`: issuance failed.
        Failed => "failed",
    }
}

/// A custom playback domain (`{"domain": {...}}`).
///
/// ```
/// let d: qencode_cdn::Domain = serde_json::from_str(
///     r#"{"id":"aeac03d6","domain_name":"live.mydomain.com","type":"live","created":"2023-06-07 14:17:25","cname":"x"}"#)?;
/// assert_eq!(d.kind, qencode_cdn::DomainType::Live);
/// assert_eq!(d.extra["cname"], "x");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Domain {
    /// The domain id (a UUID).
    pub id: String,
    /// The host name, e.g. `live.mydomain.com`.
    pub domain_name: String,
    /// Live or storage.
    #[serde(rename = "type")]
    pub kind: DomainType,
    /// Creation time as the API writes it (`2023-06-07 14:17:25`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A managed TLS subscription for a domain (`{"tls_subscription": {...}}`).
///
/// ```
/// let t: qencode_cdn::TlsSubscription = serde_json::from_str(
///     r#"{"id":"7d81","domain_id":"aeac","status":"pending","message":"Create a CNAME"}"#)?;
/// assert_eq!(t.status, qencode_cdn::TlsStatus::Pending);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TlsSubscription {
    /// The subscription id.
    pub id: String,
    /// The domain it certifies.
    pub domain_id: String,
    /// Pending, active, failed, or a newer state.
    pub status: TlsStatus,
    /// Creation time as the API writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Instructions (e.g. the CNAME to create), when the API sends them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What a new signing key is for: a live stream, a live playback domain, or a
/// media-storage bucket.
///
/// ```
/// use qencode_cdn::SigningKeyTarget;
/// let t = SigningKeyTarget::Stream("1f1ab6a3-d867-4787-b882-7f2fb1203634".into());
/// assert_eq!(t.field(), "stream_id");
/// assert_eq!(SigningKeyTarget::Bucket("my-bucket".into()).field(), qencode_cdn::BUCKET_FIELD);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SigningKeyTarget {
    /// A live stream id (`{"stream_id": ...}`).
    Stream(String),
    /// A playback domain id (`{"domain_id": ...}`).
    Domain(String),
    /// A bucket name (`{BUCKET_FIELD: ...}`, see [`BUCKET_FIELD`]).
    Bucket(String),
}

impl SigningKeyTarget {
    /// The request's JSON field for this target.
    pub fn field(&self) -> &'static str {
        match self {
            SigningKeyTarget::Stream(_) => "stream_id",
            SigningKeyTarget::Domain(_) => "domain_id",
            SigningKeyTarget::Bucket(_) => BUCKET_FIELD,
        }
    }

    /// The id or bucket name.
    pub fn value(&self) -> &str {
        match self {
            SigningKeyTarget::Stream(v) | SigningKeyTarget::Domain(v) | SigningKeyTarget::Bucket(v) => v,
        }
    }
}

/// A signing key as listed (`{"signing_key": {...}}`, without the private key).
///
/// ```
/// let k: qencode_cdn::SigningKey = serde_json::from_str(
///     r#"{"id":"ec25a6a6","stream_id":"1f1ab6a3","created":"2023-06-12 15:00:40","name":null}"#)?;
/// assert_eq!(k.name, None);
/// assert_eq!(k.stream_id.as_deref(), Some("1f1ab6a3"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SigningKey {
    /// The key id: the `kid` of every token signed with this key.
    pub id: String,
    /// A name for people; `null` until renamed.
    #[serde(default)]
    pub name: Option<String>,
    /// Creation time as the API writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The live stream this key signs for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_id: Option<String>,
    /// The playback domain this key signs for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_id: Option<String>,
    /// The bucket this key signs for. Read from [`BUCKET_FIELD`] (a guess) or `bucket`.
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "bucket")]
    pub bucket_name: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A signing key just created: the only time the API returns its private key.
///
/// `Debug` shows the private key as `<redacted>`; the key is zeroed when
/// dropped. `Serialize` includes it (it is the API's document).
///
/// ```
/// let k: qencode_cdn::NewSigningKey = serde_json::from_str(
///     r#"{"id":"ec25a6a6","stream_id":"1f1a","private_key":"-----BEGIN RSA PRIVATE KEY-----\n…","name":null}"#)?;
/// assert_eq!(k.signing_key.id, "ec25a6a6");
/// assert!(k.private_key_pem().starts_with("-----BEGIN"));
/// assert!(!format!("{k:?}").contains("BEGIN"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSigningKey {
    /// The key's public fields.
    #[serde(flatten)]
    pub signing_key: SigningKey,
    /// The private key PEM. Store it somewhere safe; it cannot be fetched again.
    pub private_key: SecretString,
}

impl NewSigningKey {
    /// The private key PEM, e.g. for [`Signer::from_pem`](crate::Signer::from_pem).
    pub fn private_key_pem(&self) -> &str {
        self.private_key.expose_secret()
    }

    /// The key id (the tokens' `kid`).
    pub fn id(&self) -> &str {
        &self.signing_key.id
    }
}

impl fmt::Debug for NewSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSigningKey")
            .field("signing_key", &self.signing_key)
            .field("private_key", &self.private_key)
            .finish()
    }
}

/// A bucket's access policy.
///
/// ```
/// use qencode_cdn::BucketPolicy;
/// assert_eq!("authenticated".parse::<BucketPolicy>()?, BucketPolicy::Authenticated);
/// assert_eq!(BucketPolicy::Public.as_str(), "public");
/// # Ok::<(), qencode_cdn::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BucketPolicy {
    /// Anyone may read (the API's default for new buckets).
    Public,
    /// Every request needs a signed token.
    Authenticated,
}

impl BucketPolicy {
    /// `"public"` or `"authenticated"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            BucketPolicy::Public => "public",
            BucketPolicy::Authenticated => "authenticated",
        }
    }
}

impl fmt::Display for BucketPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BucketPolicy {
    type Err = Error;

    /// `public` or `authenticated` (any case); anything else is INVALID_ARGUMENT.
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "public" => Ok(BucketPolicy::Public),
            "authenticated" => Ok(BucketPolicy::Authenticated),
            _ => Err(Error::InvalidArgument(format!(
                "bucket policy `{}` is not `public` or `authenticated`",
                s.escape_debug()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reference_documents_decode() {
        let d: Domain = serde_json::from_value(json!({
            "created": "2023-06-07 14:17:25", "id": "aeac03d6-beb0-4638-a094-fbc35653f931",
            "type": "live", "domain_name": "live.mydomain.com"
        }))
        .unwrap();
        assert_eq!(d.kind, DomainType::Live);
        assert!(d.extra.is_empty());

        let k: NewSigningKey = serde_json::from_value(json!({
            "stream_id": "1f1ab6a3", "private_key": "PEM", "created": "c", "id": "ec25", "name": null, "new": 1
        }))
        .unwrap();
        assert_eq!(k.private_key_pem(), "PEM");
        assert_eq!(k.signing_key.stream_id.as_deref(), Some("1f1ab6a3"));
        assert_eq!(k.signing_key.extra.get("new"), Some(&json!(1)));
        assert!(!k.signing_key.extra.contains_key("private_key"));
        assert!(!format!("{k:?}").contains("PEM"));
        // Serialize gives the API's document back, private key included.
        let v = serde_json::to_value(&k).unwrap();
        assert_eq!(v["private_key"], "PEM");
        assert_eq!(v["name"], Value::Null);
    }

    #[test]
    fn unknown_enum_values_are_kept_and_round_trip() {
        let t: TlsSubscription =
            serde_json::from_value(json!({"id": "1", "domain_id": "2", "status": "revoked"})).unwrap();
        assert_eq!(t.status, TlsStatus::Other("revoked".into()));
        assert_eq!(serde_json::to_value(&t).unwrap()["status"], "revoked");
        let d: Domain = serde_json::from_value(json!({"id": "1", "domain_name": "a.b", "type": "vod"})).unwrap();
        assert_eq!(d.kind.as_str(), "vod");
    }

    #[test]
    fn bucket_key_reads_either_field_name() {
        let a: SigningKey = serde_json::from_value(json!({"id": "1", "bucket_name": "b1"})).unwrap();
        let b: SigningKey = serde_json::from_value(json!({"id": "1", "bucket": "b1"})).unwrap();
        assert_eq!(a.bucket_name, b.bucket_name);
    }

    #[test]
    fn user_input_parsing_is_strict() {
        assert_eq!("LIVE".parse::<DomainType>().unwrap(), DomainType::Live);
        assert_eq!(
            "nope".parse::<DomainType>().unwrap_err().code(),
            crate::ErrorCode::InvalidArgument
        );
        assert_eq!(
            "private".parse::<BucketPolicy>().unwrap_err().code(),
            crate::ErrorCode::InvalidArgument
        );
    }
}
