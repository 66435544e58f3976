//! A driver's own copy of its account's token, in front of the store.

use super::{AccountKey, TokenFetch, TokenLease, TokenNeed, TokenStore};
use crate::single_flight::SingleFlight;
use crate::{AccessToken, Error};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// The token one driver uses, the store it comes from, and one consultation of
/// the store at a time.
pub(crate) struct LocalToken {
    account: AccountKey,
    store: Arc<dyn TokenStore>,
    held: Mutex<Held>,
    flight: SingleFlight,
}

#[derive(Default)]
struct Held {
    lease: Option<TokenLease>,
    /// What [`LocalToken::forget`] dropped: treated as refused next time.
    forgotten: Option<AccessToken>,
}

impl LocalToken {
    pub(crate) fn new(account: AccountKey, store: Arc<dyn TokenStore>) -> Self {
        LocalToken {
            account,
            store,
            held: Mutex::new(Held::default()),
            flight: SingleFlight::new(),
        }
    }

    pub(crate) fn account(&self) -> &AccountKey {
        &self.account
    }

    pub(crate) fn store(&self) -> &Arc<dyn TokenStore> {
        &self.store
    }

    /// The copy to start a call with (the call checks its expiry itself). The
    /// clock is read only for a lease that asks to be rechecked.
    pub(crate) fn current(&self, now: impl FnOnce() -> SystemTime) -> Option<AccessToken> {
        let held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let lease = held.lease.as_ref()?;
        match lease.recheck_at {
            Some(at) if now() >= at => None,
            _ => Some(lease.token.clone()),
        }
    }

    /// Drops the copy; the next consultation of the store treats it as refused.
    pub(crate) fn forget(&self) {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(lease) = held.lease.take() {
            held.forgotten = Some(lease.token);
        }
    }

    /// A usable token that is not `rejected`: the copy if it still is, else the
    /// store's answer — asked once for all concurrent callers.
    pub(crate) async fn get_or_refresh(
        &self,
        rejected: Option<&AccessToken>,
        margin: Duration,
        now: impl Fn() -> SystemTime,
        fetch: TokenFetch<'_>,
    ) -> Result<AccessToken, Error> {
        let cached = || {
            let t = now();
            let token = self.current(|| t)?;
            TokenNeed::new(&self.account, t, margin)
                .rejecting(rejected)
                .accepts(&token)
                .then_some(token)
        };
        self.flight
            .run(
                || cached().map(Ok),
                || async {
                    let forgotten = self
                        .held
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .forgotten
                        .take();
                    let need = TokenNeed::new(&self.account, now(), margin)
                        .rejecting(rejected.or(forgotten.as_ref()));
                    let lease = self.store.refresh(need, fetch).await?;
                    let token = lease.token.clone();
                    self.held
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .lease = Some(lease);
                    Ok(token)
                },
            )
            .await
    }
}
