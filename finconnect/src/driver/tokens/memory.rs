//! The in-process token store.

use super::{AccountKey, TokenFetch, TokenLease, TokenNeed, TokenStore};
use crate::sdk::BoxFuture;
use crate::{AccessToken, Error};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

/// An in-process [`TokenStore`]: one token per account, one authentication at a
/// time per account (callers that waited use the token the first one fetched).
///
/// A driver built without a store gets a fresh one of its own; give several
/// clients the same one (through
/// [`ClientOptions::token_store`](crate::driver::ClientOptions::token_store)) to
/// share tokens between them.
#[derive(Default)]
pub struct MemoryTokenStore {
    accounts: Mutex<HashMap<AccountKey, Arc<Slot>>>,
}

/// One account: its token, and the lock its fetch runs under.
#[derive(Default)]
struct Slot {
    token: Mutex<Option<AccessToken>>,
    flight: async_lock::Mutex<()>,
}

impl Slot {
    fn token(&self) -> Option<AccessToken> {
        self.token
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn put(&self, token: Option<AccessToken>) {
        *self.token.lock().unwrap_or_else(PoisonError::into_inner) = token;
    }
}

impl MemoryTokenStore {
    fn slot(&self, account: &AccountKey) -> Arc<Slot> {
        let mut accounts = self.accounts.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(accounts.entry(account.clone()).or_default())
    }
}

impl fmt::Debug for MemoryTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let accounts = self
            .accounts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("MemoryTokenStore")
            .field("accounts", &accounts)
            .finish()
    }
}

impl TokenStore for MemoryTokenStore {
    fn get<'a>(&'a self, account: &'a AccountKey) -> BoxFuture<'a, Option<AccessToken>> {
        Box::pin(async move { self.slot(account).token() })
    }

    fn refresh<'a>(
        &'a self,
        need: TokenNeed<'a>,
        fetch: TokenFetch<'a>,
    ) -> BoxFuture<'a, Result<TokenLease, Error>> {
        Box::pin(async move {
            let slot = self.slot(need.account);
            if let Some(token) = slot.token().filter(|t| need.accepts(t)) {
                return Ok(TokenLease::shared(token));
            }
            let _flight = slot.flight.lock().await;
            // Whoever held the flight before may have fetched what we need.
            match slot.token() {
                Some(token) if need.accepts(&token) => return Ok(TokenLease::shared(token)),
                // Drop a refused token now: a failed fetch must not leave it
                // for the next caller.
                Some(token) if need.is_rejected(&token) => slot.put(None),
                _ => {}
            }
            let token = fetch.await?;
            slot.put(Some(token.clone()));
            Ok(TokenLease::shared(token))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{block_on_ready, Provider, Secret};
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::{Duration, SystemTime};

    fn account(secret: &str) -> AccountKey {
        let request = http::Request::post("https://auth.example/token")
            .body(secret.as_bytes().to_vec())
            .unwrap();
        AccountKey::for_auth_request(Provider::Pesapal, &request)
    }

    fn token(value: &str, now: SystemTime) -> AccessToken {
        AccessToken::new(Secret::new(value), now + Duration::from_secs(300))
    }

    fn fetch<'a>(count: &'a AtomicU32, now: SystemTime) -> TokenFetch<'a> {
        Box::pin(async move {
            let n = count.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(token(&format!("t{n}"), now))
        })
    }

    #[test]
    fn a_stored_token_is_reused_until_refused_then_replaced_once() {
        let store = MemoryTokenStore::default();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let (acct, fetches) = (account("a"), AtomicU32::new(0));
        let need = TokenNeed::new(&acct, now, Duration::from_secs(60));
        let first = block_on_ready(store.refresh(need, fetch(&fetches, now))).unwrap();
        let again = block_on_ready(store.refresh(need, fetch(&fetches, now))).unwrap();
        assert_eq!(first.token.secret().expose(), "t1");
        assert_eq!(again.token.secret().expose(), "t1");
        assert_eq!(first.recheck_at, None);
        let refused = need.rejecting(Some(&first.token));
        let fresh = block_on_ready(store.refresh(refused, fetch(&fetches, now))).unwrap();
        assert_eq!(fresh.token.secret().expose(), "t2");
        // A second caller refused the same old token: it gets the new one.
        let late = block_on_ready(store.refresh(refused, fetch(&fetches, now))).unwrap();
        assert_eq!(late.token.secret().expose(), "t2");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
        let stored = block_on_ready(store.get(&acct)).unwrap();
        assert_eq!(stored.secret().expose(), "t2");
    }

    #[test]
    fn accounts_are_kept_apart_and_expiring_tokens_are_replaced() {
        let store = MemoryTokenStore::default();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let (a, b, fetches) = (account("a"), account("b"), AtomicU32::new(0));
        let margin = Duration::from_secs(60);
        block_on_ready(store.refresh(TokenNeed::new(&a, now, margin), fetch(&fetches, now)))
            .unwrap();
        assert!(block_on_ready(store.get(&b)).is_none());
        block_on_ready(store.refresh(TokenNeed::new(&b, now, margin), fetch(&fetches, now)))
            .unwrap();
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
        // 250 s later a's token is inside the 60 s margin.
        let later = now + Duration::from_secs(250);
        let lease = block_on_ready(
            store.refresh(TokenNeed::new(&a, later, margin), fetch(&fetches, later)),
        )
        .unwrap();
        assert_eq!(lease.token.secret().expose(), "t3");
        assert!(!format!("{store:?}").contains("t3"));
    }

    #[test]
    fn a_failed_fetch_leaves_no_refused_token_behind() {
        let store = MemoryTokenStore::default();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let (acct, fetches) = (account("a"), AtomicU32::new(0));
        let need = TokenNeed::new(&acct, now, Duration::from_secs(60));
        let first = block_on_ready(store.refresh(need, fetch(&fetches, now))).unwrap();
        let failing: TokenFetch<'_> = Box::pin(async { Err(Error::Misuse("refused")) });
        let refused = need.rejecting(Some(&first.token));
        assert!(block_on_ready(store.refresh(refused, failing)).is_err());
        assert!(block_on_ready(store.get(&acct)).is_none());
    }
}
