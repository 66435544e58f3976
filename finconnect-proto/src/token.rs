//! Access tokens and when to refresh them.

use crate::Secret;
use std::fmt;
use std::sync::Arc;
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
        AccessToken::new(self.value, expires_at)
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
#[derive(Clone)]
pub struct AccessToken {
    /// Shared by every copy: a call takes a copy of the driver's token, and
    /// copying must not copy (and, on drop, wipe) the secret each time.
    shared: Arc<Shared>,
    expires_at: SystemTime,
}

/// The token and its `Authorization` header, made once per token.
struct Shared {
    value: Secret,
    /// `Bearer <token>`, marked sensitive; `None` when the token holds
    /// characters an HTTP header cannot carry.
    authorization: Option<http::HeaderValue>,
}

impl AccessToken {
    /// A token that expires at `expires_at`.
    pub fn new(value: Secret, expires_at: SystemTime) -> Self {
        let authorization = crate::wire::bearer(&value).ok().map(|(_, v)| v);
        AccessToken {
            shared: Arc::new(Shared {
                value,
                authorization,
            }),
            expires_at,
        }
    }

    /// The token itself, to put on the wire.
    pub fn secret(&self) -> &Secret {
        &self.shared.value
    }

    /// `Authorization: Bearer <token>`'s value (sensitive), built once per
    /// token; an error if the token cannot be put in a header.
    pub(crate) fn authorization(&self) -> Result<http::HeaderValue, crate::Error> {
        self.shared.authorization.clone().ok_or_else(|| {
            crate::Error::config("a credential holds characters not allowed in an HTTP header")
        })
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

impl PartialEq for AccessToken {
    fn eq(&self, other: &Self) -> bool {
        self.shared.value == other.shared.value && self.expires_at == other.expires_at
    }
}

impl Eq for AccessToken {}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("value", &self.shared.value)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_authorization_header_is_made_once_and_shared_by_copies() {
        let at = SystemTime::UNIX_EPOCH;
        let token = AccessToken::new(Secret::new("jwt"), at);
        let copy = token.clone();
        assert!(Arc::ptr_eq(&token.shared, &copy.shared));
        let value = copy.authorization().unwrap();
        assert_eq!(value, "Bearer jwt");
        assert!(value.is_sensitive());
        // ClickPesa's tokens carry their own prefix.
        let prefixed = AccessToken::new(Secret::new("Bearer abc"), at);
        assert_eq!(prefixed.authorization().unwrap(), "Bearer abc");
        // A token no header can carry is an error when it is used, not before.
        let broken = AccessToken::new(Secret::new("a\nb"), at);
        assert!(matches!(
            broken.authorization(),
            Err(crate::Error::Config { .. })
        ));
        assert_eq!(broken.secret().expose(), "a\nb");
    }

    #[test]
    fn equality_and_debug_see_the_value_and_expiry_only() {
        let at = SystemTime::UNIX_EPOCH;
        let a = AccessToken::new(Secret::new("jwt"), at);
        assert_eq!(a, AccessToken::new(Secret::new("jwt"), at));
        assert_ne!(a, AccessToken::new(Secret::new("jwt2"), at));
        assert_ne!(
            a,
            AccessToken::new(Secret::new("jwt"), at + Duration::from_secs(1))
        );
        let debug = format!("{a:?}");
        assert!(debug.starts_with("AccessToken { value: "), "{debug}");
        assert!(!debug.contains("jwt"), "{debug}");
    }
}
