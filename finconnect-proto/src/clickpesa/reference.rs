//! ClickPesa order references.

use crate::{Error, MerchantReference};
use std::fmt;

/// A ClickPesa `orderReference`: letters and digits only, 1 to
/// [`OrderReference::MAX_LEN`] characters. ClickPesa refuses anything else
/// ("Invalid Order Reference, should only contain alphanumeric characters and
/// cannot be blank"), and a reference can be used only once.
///
/// ```
/// use finconnect_proto::clickpesa::OrderReference;
/// assert!(OrderReference::new("ORDER123").is_ok());
/// assert!(OrderReference::new("ORDER-123").is_err());
/// assert!(OrderReference::new("").is_err());
/// assert!(OrderReference::new("A".repeat(21)).is_err());
/// assert!(OrderReference::with_max_len("A".repeat(30), 40).is_ok());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrderReference(String);

impl OrderReference {
    /// The default maximum length. ClickPesa's documentation states none; 20 is
    /// what integrations report, so it is the safe default
    /// ([`OrderReference::with_max_len`] lifts it).
    pub const MAX_LEN: usize = 20;

    /// Checks a reference against the alphanumeric rule and [`Self::MAX_LEN`].
    pub fn new(value: impl Into<String>) -> Result<Self, Error> {
        Self::with_max_len(value, Self::MAX_LEN)
    }

    /// Checks a reference with another maximum length.
    pub fn with_max_len(value: impl Into<String>, max_len: usize) -> Result<Self, Error> {
        let value = value.into();
        if value.is_empty() {
            return Err(Error::invalid("orderReference", "must not be empty"));
        }
        if let Some(bad) = value.chars().find(|c| !c.is_ascii_alphanumeric()) {
            return Err(Error::invalid(
                "orderReference",
                format!("{bad:?} is not allowed: ClickPesa accepts letters and digits only (no '-', '_' or spaces)"),
            ));
        }
        if value.len() > max_len {
            return Err(Error::invalid(
                "orderReference",
                format!("{} characters; at most {max_len}", value.len()),
            ));
        }
        Ok(OrderReference(value))
    }

    /// The reference.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&MerchantReference> for OrderReference {
    type Error = Error;
    fn try_from(value: &MerchantReference) -> Result<Self, Error> {
        OrderReference::new(value.as_str())
    }
}

impl fmt::Debug for OrderReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl fmt::Display for OrderReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for OrderReference {
    fn as_ref(&self) -> &str {
        &self.0
    }
}
