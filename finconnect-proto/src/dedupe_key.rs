//! The fixed-size key a notification is deduplicated by (the `finconnect`
//! crate's `sdk::DedupeStore` keeps them).

use crate::Provider;
use sha2::{Digest, Sha256};
use std::fmt;

/// A fixed-size key for one event: the provider and a SHA-256 digest of the
/// vouched fields that identify the event (length-prefixed, so no two tuples
/// collide). Displays as `provider:` and 64 hex digits.
///
/// ```
/// use finconnect_proto::DedupeKey;
/// use finconnect_proto::Provider;
///
/// let a = DedupeKey::new(Provider::Pesapal, &["tracking-id", "completed"]);
/// let b = DedupeKey::new(Provider::Pesapal, &["tracking-id", "pending"]);
/// assert_ne!(a, b); // a status change is a new event
/// assert!(a.to_string().starts_with("pesapal:"));
/// assert_eq!(a.to_string().len(), "pesapal:".len() + 64);
/// // However long the fields, the key has the same size.
/// let long = "x".repeat(65_536);
/// assert_eq!(DedupeKey::new(Provider::Pesapal, &[&long]).to_string().len(), a.to_string().len());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DedupeKey {
    provider: Provider,
    digest: [u8; 32],
}

impl DedupeKey {
    /// The key of the event identified by `fields` (in order).
    pub fn new(provider: Provider, fields: &[&str]) -> Self {
        let mut hash = Sha256::new();
        hash.update(provider.as_str().as_bytes());
        for field in fields {
            hash.update((field.len() as u64).to_be_bytes());
            hash.update(field.as_bytes());
        }
        DedupeKey {
            provider,
            digest: hash.finalize().into(),
        }
    }

    /// The provider part.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The digest part.
    pub fn digest(&self) -> &[u8; 32] {
        &self.digest
    }
}

impl fmt::Display for DedupeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.provider)?;
        for b in self.digest {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for DedupeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DedupeKey({self})")
    }
}
