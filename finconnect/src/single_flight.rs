//! One fetch at a time for a shared value (a token, a public key): whoever finds
//! the cached value missing fetches it while the others wait, then they all use
//! it.

use std::future::Future;

/// See the [module docs](self).
pub(crate) struct SingleFlight {
    flight: async_lock::Mutex<()>,
}

impl SingleFlight {
    pub(crate) fn new() -> Self {
        SingleFlight {
            flight: async_lock::Mutex::new(()),
        }
    }

    /// `cached()` when it has a value; else `fetch()`, run by one caller at a
    /// time — a caller that waited looks at `cached()` again first, so concurrent
    /// callers on an empty cache cause one fetch.
    pub(crate) async fn run<V, F, Fut>(&self, cached: impl Fn() -> Option<V>, fetch: F) -> V
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = V>,
    {
        if let Some(value) = cached() {
            return value;
        }
        let _flight = self.flight.lock().await;
        if let Some(value) = cached() {
            return value;
        }
        fetch().await
    }
}
