//! Credentials and tokens that must never be printed.
//!
//! [`Secret`] wraps [`secrecy::SecretString`]: the value is zeroed on drop, and
//! `Debug` and `Display` print `[REDACTED]`. The only way to the value is
//! [`Secret::expose`], which the core calls when it writes a request.

use secrecy::{ExposeSecret, SecretString};
use std::fmt;

/// A secret string (consumer secret, API key, token, checksum key) with a
/// redacted `Debug` and `Display`.
///
/// ```
/// use finconnect_proto::Secret;
/// let key = Secret::new("s3cr3t");
/// assert_eq!(format!("{key:?}"), "Secret([REDACTED])");
/// assert_eq!(key.to_string(), "[REDACTED]");
/// assert_eq!(key.expose(), "s3cr3t");
/// ```
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(SecretString::from(value.into()))
    }

    /// The secret itself. Call only to put it on the wire.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Whether the secret is the empty string (a configuration mistake).
    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

impl PartialEq for Secret {
    /// Constant-time comparison, so comparing tokens leaks nothing through timing.
    fn eq(&self, other: &Self) -> bool {
        crate::ct::eq(self.expose().as_bytes(), other.expose().as_bytes())
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}
