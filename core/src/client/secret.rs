//! A string that is wiped from memory when dropped and never printed.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

/// A secret string (a private key, an access token): zeroed when dropped, and
/// its `Debug`/`Display` show `<redacted>`. Read it with
/// [`SecretString::expose_secret`].
///
/// `Serialize` writes the secret itself: serializing a
/// [`NewSigningKey`](crate::client::NewSigningKey) is how the C and Node
/// bindings hand the API's document over, once.
///
/// ```
/// use qencode_cdn::SecretString;
/// let s = SecretString::new("-----BEGIN RSA PRIVATE KEY-----…".to_string());
/// assert_eq!(format!("{s:?}"), "<redacted>");
/// assert!(s.expose_secret().starts_with("-----BEGIN"));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    /// Wraps a string; the string is zeroed when the secret is dropped.
    pub fn new(secret: String) -> Self {
        SecretString(Zeroizing::new(secret))
    }

    /// The secret itself. Do not log it.
    pub fn expose_secret(&self) -> &str {
        self.0.as_str()
    }

    /// True when the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for SecretString {
    fn from(s: String) -> Self {
        SecretString::new(s)
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Serialize for SecretString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose_secret())
    }
}

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(SecretString::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_redacted_but_serialize_is_not() {
        let s = SecretString::new("hunter2".into());
        assert_eq!(format!("{s:?} {s}"), "<redacted> <redacted>");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"hunter2\"");
        let back: SecretString = serde_json::from_str("\"hunter2\"").unwrap();
        assert_eq!(back, s);
    }
}
