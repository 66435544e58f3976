//! Errors of the sandbox's Rust API.

use crate::route::ProviderName;

/// What can go wrong when driving the sandbox from Rust.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// No payment with that reference exists at that provider.
    #[error("{provider:?} has no payment with reference {reference:?}")]
    UnknownReference {
        /// The provider asked.
        provider: ProviderName,
        /// The reference given.
        reference: String,
    },
    /// The payment has already reached a final state (paid, failed or cancelled).
    #[error("{provider:?} payment {reference:?} is already settled")]
    AlreadySettled {
        /// The provider asked.
        provider: ProviderName,
        /// The reference given.
        reference: String,
    },
    /// A control request could not be understood.
    #[error("bad control request: {0}")]
    BadRequest(String),
}
