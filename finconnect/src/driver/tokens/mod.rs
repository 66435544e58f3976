//! Token stores: where the token of each provider account is kept, and who
//! fetches a new one when it is missing, expiring or refused.
//!
//! A [`Driver`](super::Driver) keeps its own copy of the token and consults its
//! store only when it has none, when the copy is inside the provider's margin, or
//! when the provider refused it — never on the way of an ordinary call, so a
//! shared store costs nothing per payment. Concurrent calls of one driver that
//! need a token wait for one consultation (single flight), so a burst of 64
//! calls costs one store call and at most one authentication.
//!
//! [`TokenStore::refresh`] owns the refresh protocol: it returns the stored
//! token when it is still good, and otherwise decides who runs the
//! authentication it is handed. [`MemoryTokenStore`] (the default) runs it in
//! this process; a fleet store (`finconnect_redis::RedisTokenStore`) lets one
//! instance of the fleet run it while the others wait for its token.
//!
//! Tokens are kept per [`AccountKey`], a digest of the account's token request
//! that differs per credential and environment and never holds the credential,
//! so one store can serve every account of a process or a fleet.
//!
//! ## Example: one store for several clients
//!
//! A store in [`ClientOptions::token_store`](super::ClientOptions::token_store)
//! is shared by every client built with those options (clients of the same
//! account then authenticate once between them):
//!
//! ```
//! use finconnect::driver::{ClientOptions, MemoryTokenStore};
//! use std::sync::Arc;
//!
//! let options = ClientOptions {
//!     token_store: Some(Arc::new(MemoryTokenStore::default())),
//!     ..ClientOptions::default()
//! };
//! // finconnect_reqwest::fintech_sdk_with(config, &options), twice: one token.
//! # let _ = options;
//! ```
//!
//! ## Writing a store
//!
//! ```
//! use finconnect::driver::{AccountKey, TokenFetch, TokenLease, TokenNeed, TokenStore};
//! use finconnect::sdk::BoxFuture;
//! use finconnect::{AccessToken, Error};
//! use std::collections::HashMap;
//! use std::sync::Mutex;
//!
//! /// Keeps tokens in a map (a real store would use a database).
//! #[derive(Debug, Default)]
//! struct MapStore(Mutex<HashMap<AccountKey, AccessToken>>);
//!
//! impl TokenStore for MapStore {
//!     fn get<'a>(&'a self, account: &'a AccountKey) -> BoxFuture<'a, Option<AccessToken>> {
//!         Box::pin(async move { self.0.lock().unwrap().get(account).cloned() })
//!     }
//!
//!     fn refresh<'a>(
//!         &'a self,
//!         need: TokenNeed<'a>,
//!         fetch: TokenFetch<'a>,
//!     ) -> BoxFuture<'a, Result<TokenLease, Error>> {
//!         Box::pin(async move {
//!             let stored = self.0.lock().unwrap().get(need.account).cloned();
//!             if let Some(token) = stored.filter(|t| need.accepts(t)) {
//!                 return Ok(TokenLease::shared(token));
//!             }
//!             let token = fetch.await?;
//!             self.0.lock().unwrap().insert(need.account.clone(), token.clone());
//!             Ok(TokenLease::shared(token))
//!         })
//!     }
//! }
//! ```

mod account;
pub(crate) mod local;
mod memory;

pub use account::AccountKey;
pub use memory::MemoryTokenStore;

use crate::sdk::BoxFuture;
use crate::{AccessToken, Error};
use std::fmt;
use std::time::{Duration, SystemTime};

/// The authentication a store runs when it decides this instance fetches the
/// token: the provider's token call, driven with the client's retry rules. It
/// does nothing until awaited; drop it to not authenticate.
pub type TokenFetch<'a> = BoxFuture<'a, Result<AccessToken, Error>>;

/// What a driver asks of [`TokenStore::refresh`]: a token for `account` that is
/// usable at `now` with `margin` in hand and is not the `rejected` one.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct TokenNeed<'a> {
    /// The account.
    pub account: &'a AccountKey,
    /// The token the provider just refused (drop it from the store, once).
    pub rejected: Option<&'a AccessToken>,
    /// The driver's clock.
    pub now: SystemTime,
    /// How long before its expiry a token is replaced (the provider's margin).
    pub margin: Duration,
}

impl<'a> TokenNeed<'a> {
    /// A need for a token of `account` at `now`, with `margin`.
    pub fn new(account: &'a AccountKey, now: SystemTime, margin: Duration) -> Self {
        TokenNeed {
            account,
            rejected: None,
            now,
            margin,
        }
    }

    /// The same need, with the token the provider refused.
    pub fn rejecting(mut self, token: Option<&'a AccessToken>) -> Self {
        self.rejected = token;
        self
    }

    /// Whether `token` answers the need: usable at `now` with the margin in hand,
    /// and not the rejected one (compared by value, in constant time).
    pub fn accepts(&self, token: &AccessToken) -> bool {
        token.is_usable(self.now, self.margin) && !self.is_rejected(token)
    }

    /// Whether `token` is the one the provider refused.
    pub fn is_rejected(&self, token: &AccessToken) -> bool {
        self.rejected
            .is_some_and(|rejected| rejected.secret() == token.secret())
    }
}

/// A token handed out by [`TokenStore::refresh`], and how long the driver may
/// keep its copy without asking again.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TokenLease {
    /// The token.
    pub token: AccessToken,
    /// `None`: keep it until it nears its expiry or is refused. `Some(t)`: ask the
    /// store again at `t` even though it is still good (a fleet store that could
    /// not reach its backend hands out a token of this instance, and wants the
    /// fleet's back once the backend answers).
    pub recheck_at: Option<SystemTime>,
}

impl TokenLease {
    /// A token to keep until it nears its expiry or is refused.
    pub fn shared(token: AccessToken) -> Self {
        TokenLease {
            token,
            recheck_at: None,
        }
    }

    /// A token to use until `recheck_at`, then ask the store again.
    pub fn until(token: AccessToken, recheck_at: SystemTime) -> Self {
        TokenLease {
            token,
            recheck_at: Some(recheck_at),
        }
    }
}

/// Where the tokens of provider accounts are kept, and who refreshes them.
///
/// The default is [`MemoryTokenStore`]; a store shared by a fleet of instances
/// (Redis, a database) implements this trait. Implementations must never log a
/// token, and their `Debug` must not show one.
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The stored token of `account`, if any (whether still usable or not). A
    /// store that cannot answer returns `None`.
    fn get<'a>(&'a self, account: &'a AccountKey) -> BoxFuture<'a, Option<AccessToken>>;

    /// A token that answers `need`: the stored one if [`TokenNeed::accepts`] it;
    /// otherwise the store drops the rejected token (if it still holds it) and
    /// gets a new one — by awaiting `fetch`, or from whoever else is fetching it —
    /// and keeps it. An error is `fetch`'s (the provider refused the credentials,
    /// say); a store that cannot reach its backend falls back to `fetch` rather
    /// than fail the call.
    fn refresh<'a>(
        &'a self,
        need: TokenNeed<'a>,
        fetch: TokenFetch<'a>,
    ) -> BoxFuture<'a, Result<TokenLease, Error>>;
}
