//! One payment-status vocabulary across providers.

use std::fmt;

/// Where a payment stands.
///
/// Providers' own words are mapped by each provider module; a word none of them
/// documents is kept in [`PaymentStatus::Unknown`] and is never read as a failure.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PaymentStatus {
    /// Not paid yet (includes PesaPal `status_code 0` with `payment_details_not_found`).
    Pending,
    /// Paid.
    Completed,
    /// The payment failed or was declined.
    Failed,
    /// Paid, then reversed or refunded.
    Reversed,
    /// Cancelled before payment.
    Cancelled,
    /// A status the provider sent that finconnect does not know.
    Unknown(String),
}

impl PaymentStatus {
    /// Whether the status can still change (pending or unknown).
    pub fn is_final(&self) -> bool {
        !matches!(self, PaymentStatus::Pending | PaymentStatus::Unknown(_))
    }

    /// A lower-case word for logs and JSON: `pending`, `completed`, …
    pub fn as_str(&self) -> &str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Completed => "completed",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Reversed => "reversed",
            PaymentStatus::Cancelled => "cancelled",
            PaymentStatus::Unknown(s) => s,
        }
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
