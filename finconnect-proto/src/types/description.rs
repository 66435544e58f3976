use crate::Error;
use std::fmt;

/// A payment description shown to the customer: 1–100 characters.
///
/// ```
/// use finconnect_proto::Description;
/// assert!(Description::new("Order 42").is_ok());
/// assert!(Description::new("x".repeat(101)).is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Description(String);

impl Description {
    /// The longest description accepted, in characters.
    pub const MAX_CHARS: usize = 100;

    /// Checks and wraps a description.
    pub fn new(value: impl Into<String>) -> Result<Self, Error> {
        let value = value.into();
        let chars = value.chars().count();
        if value.trim().is_empty() || chars > Self::MAX_CHARS {
            return Err(Error::invalid(
                "description",
                format!("must be 1 to {} characters, got {chars}", Self::MAX_CHARS),
            ));
        }
        Ok(Description(value))
    }

    /// The description.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl fmt::Display for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
