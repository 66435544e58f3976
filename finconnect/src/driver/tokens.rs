//! The shared token cache: a pluggable store and single-flight refresh.

use super::Transport;
use crate::{AccessToken, Error};
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where the current token of one provider account is kept.
///
/// The default is [`MemoryTokenStore`]; a store shared by a fleet of instances
/// (Redis, a database) implements this trait. Implementations must not log the
/// token.
pub trait TokenStore: Send + Sync {
    /// The current token, if any.
    fn get(&self) -> Option<AccessToken>;
    /// Replaces the current token (`None` forgets it).
    fn put(&self, token: Option<AccessToken>);
}

/// An in-process [`TokenStore`].
#[derive(Default)]
pub struct MemoryTokenStore(Mutex<Option<AccessToken>>);

impl fmt::Debug for MemoryTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MemoryTokenStore")
    }
}

impl TokenStore for MemoryTokenStore {
    fn get(&self) -> Option<AccessToken> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn put(&self, token: Option<AccessToken>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = token;
    }
}

/// Refreshes through one flight at a time: whoever finds the token missing,
/// expiring or refused fetches a new one while the others wait, then they all use
/// it.
pub(crate) struct SingleFlight {
    store: Arc<dyn TokenStore>,
    flight: async_lock::Mutex<()>,
}

impl SingleFlight {
    pub(crate) fn new(store: Arc<dyn TokenStore>) -> Self {
        SingleFlight {
            store,
            flight: async_lock::Mutex::new(()),
        }
    }

    pub(crate) fn store(&self) -> &dyn TokenStore {
        &*self.store
    }

    pub(crate) async fn get_or_refresh<T, F, Fut>(
        &self,
        rejected: Option<&AccessToken>,
        margin: Duration,
        transport: &T,
        fetch: F,
    ) -> Result<AccessToken, Error>
    where
        T: Transport,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<AccessToken, Error>>,
    {
        let usable = |t: &AccessToken| t.is_usable(transport.now(), margin) && Some(t) != rejected;
        if let Some(token) = self.store.get().filter(usable) {
            return Ok(token);
        }
        let _flight = self.flight.lock().await;
        // Someone may have refreshed while this caller waited for the flight.
        if let Some(token) = self.store.get().filter(usable) {
            return Ok(token);
        }
        let token = fetch().await?;
        self.store.put(Some(token.clone()));
        Ok(token)
    }
}
