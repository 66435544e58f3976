//! Access tokens and when to refresh them.

use crate::Secret;
use std::time::{Duration, SystemTime};

/// How long a token is said to last, as a provider's answer tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// An absolute instant (PesaPal `expiryDate`, AzamPay `data.expire`).
    At(SystemTime),
    /// A lifetime from the moment the answer arrived (ClickPesa: one hour).
    After(Duration),
}

/// A token as an authentication operation returns it, before the driver stamps it
/// with the time the answer arrived.
#[derive(Clone, Debug)]
pub struct TokenGrant {
    /// The token.
    pub value: Secret,
    /// When it stops working.
    pub expiry: Expiry,
}

impl TokenGrant {
    /// Turns the grant into a token, given when the answer arrived.
    pub fn into_token(self, received_at: SystemTime) -> AccessToken {
        let expires_at = match self.expiry {
            Expiry::At(t) => t,
            Expiry::After(d) => received_at + d,
        };
        AccessToken {
            value: self.value,
            expires_at,
        }
    }
}

/// A bearer token and the instant it expires. `Debug` never shows the value.
///
/// ```
/// use finconnect_proto::{AccessToken, Secret};
/// use std::time::{Duration, SystemTime};
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
/// let token = AccessToken::new(Secret::new("jwt"), now + Duration::from_secs(300));
/// assert!(token.is_usable(now, Duration::from_secs(60)));
/// assert!(!token.is_usable(now + Duration::from_secs(250), Duration::from_secs(60)));
/// assert!(!format!("{token:?}").contains("jwt"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessToken {
    value: Secret,
    expires_at: SystemTime,
}

impl AccessToken {
    /// A token that expires at `expires_at`.
    pub fn new(value: Secret, expires_at: SystemTime) -> Self {
        AccessToken { value, expires_at }
    }

    /// The token itself, to put on the wire.
    pub fn secret(&self) -> &Secret {
        &self.value
    }

    /// When it expires.
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    /// Whether the token can still be sent at `now`, keeping `margin` in hand so
    /// it does not expire on the way.
    pub fn is_usable(&self, now: SystemTime, margin: Duration) -> bool {
        now.checked_add(margin)
            .is_some_and(|deadline| deadline < self.expires_at)
    }
}
