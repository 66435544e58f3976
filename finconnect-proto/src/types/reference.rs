use crate::Error;
use std::fmt;

/// The merchant's own reference for an order: 1–50 characters of
/// `[A-Za-z0-9-_.:]` (PesaPal's rule; ClickPesa further requires alphanumeric,
/// checked by its operations).
///
/// ```
/// use finconnect_proto::MerchantReference;
/// assert!(MerchantReference::new("INV-2026:0001").is_ok());
/// assert!(MerchantReference::new("").is_err());
/// assert!(MerchantReference::new("has space").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MerchantReference(String);

impl MerchantReference {
    /// The longest reference accepted.
    pub const MAX_LEN: usize = 50;

    /// Checks and wraps a reference.
    pub fn new(value: impl Into<String>) -> Result<Self, Error> {
        let value = value.into();
        if value.is_empty() || value.len() > Self::MAX_LEN {
            return Err(Error::invalid(
                "reference",
                format!(
                    "must be 1 to {} characters, got {}",
                    Self::MAX_LEN,
                    value.len()
                ),
            ));
        }
        if let Some(bad) = value
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')))
        {
            return Err(Error::invalid(
                "reference",
                format!("{bad:?} is not allowed; use letters, digits, '-', '_', '.' or ':'"),
            ));
        }
        Ok(MerchantReference(value))
    }

    /// Whether it is letters and digits only (ClickPesa's rule).
    pub fn is_alphanumeric(&self) -> bool {
        self.0.chars().all(|c| c.is_ascii_alphanumeric())
    }

    /// The reference.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for MerchantReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl fmt::Display for MerchantReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for MerchantReference {
    fn as_ref(&self) -> &str {
        &self.0
    }
}
