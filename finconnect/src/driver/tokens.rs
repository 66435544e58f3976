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

/// The token of one account: its store, refreshed through one flight at a time.
pub(crate) struct SingleFlight {
    store: Arc<dyn TokenStore>,
    flight: crate::single_flight::SingleFlight,
}

impl SingleFlight {
    pub(crate) fn new(store: Arc<dyn TokenStore>) -> Self {
        SingleFlight {
            store,
            flight: crate::single_flight::SingleFlight::new(),
        }
    }

    pub(crate) fn store(&self) -> &dyn TokenStore {
        &*self.store
    }

    /// A usable token from the store (not `rejected`, not inside the margin), or
    /// one fetched once for all concurrent callers and stored.
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
        self.flight
            .run(
                || self.store.get().filter(usable).map(Ok),
                || async {
                    let token = fetch().await?;
                    self.store.put(Some(token.clone()));
                    Ok(token)
                },
            )
            .await
    }
}
