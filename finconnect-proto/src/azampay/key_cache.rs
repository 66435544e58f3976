//! [`PublicKeyCache`]: the pure decision of which key to verify with and when to
//! fetch one. Time is an argument; the adapter does the fetching.

use std::time::{Duration, SystemTime};

/// What to do before verifying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyDecision {
    /// Verify with [`PublicKeyCache::current`].
    Use,
    /// Fetch a key now ([`GetPublicKey`](super::GetPublicKey)), then call
    /// [`PublicKeyCache::store`] or [`PublicKeyCache::fetch_failed`].
    Fetch,
    /// No key, and a fetch was tried too recently: the callback cannot be verified
    /// now (treat it as unverified: confirm by status query).
    Unavailable,
}

/// After a failed verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefetchDecision {
    /// Fetch the key once and verify again (the key may have rotated).
    FetchNow,
    /// Keep the verdict: a fetch happened too recently (or the key is pinned).
    Keep,
}

/// Caches a verifier (or key) for a TTL (24 h by default) and allows at most one
/// fetch per minimum interval (5 min by default), so forged callbacks cannot cause
/// a fetch storm. Decisions that answer "fetch" record the attempt at once, so a
/// second caller in the same interval is told not to fetch.
///
/// ```
/// use finconnect_proto::azampay::{KeyDecision, PublicKeyCache, RefetchDecision};
/// use std::time::{Duration, SystemTime};
/// let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
/// let mut cache: PublicKeyCache<&str> = PublicKeyCache::new();
/// assert_eq!(cache.decide(t0), KeyDecision::Fetch);
/// cache.store("key-1", t0);
/// assert_eq!(cache.decide(t0 + Duration::from_secs(60)), KeyDecision::Use);
/// // A failed verification re-fetches once, then not again within the interval.
/// assert_eq!(cache.on_invalid(t0 + Duration::from_secs(600)), RefetchDecision::FetchNow);
/// assert_eq!(cache.on_invalid(t0 + Duration::from_secs(601)), RefetchDecision::Keep);
/// ```
#[derive(Clone, Debug)]
pub struct PublicKeyCache<K> {
    key: Option<K>,
    stored_at: Option<SystemTime>,
    last_fetch: Option<SystemTime>,
    ttl: Duration,
    min_interval: Duration,
    pinned: bool,
}

impl<K> Default for PublicKeyCache<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K> PublicKeyCache<K> {
    /// Default time a fetched key is trusted.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(24 * 60 * 60);
    /// Default minimum time between two fetches.
    pub const DEFAULT_MIN_INTERVAL: Duration = Duration::from_secs(5 * 60);

    /// An empty cache with the defaults.
    pub fn new() -> Self {
        Self::with_limits(Self::DEFAULT_TTL, Self::DEFAULT_MIN_INTERVAL)
    }

    /// An empty cache with a TTL and a minimum interval between fetches.
    pub fn with_limits(ttl: Duration, min_interval: Duration) -> Self {
        PublicKeyCache {
            key: None,
            stored_at: None,
            last_fetch: None,
            ttl,
            min_interval,
            pinned: false,
        }
    }

    /// A cache holding a pinned key: never fetches, never expires.
    pub fn pinned(key: K) -> Self {
        PublicKeyCache {
            key: Some(key),
            stored_at: None,
            last_fetch: None,
            ttl: Duration::MAX,
            min_interval: Duration::MAX,
            pinned: true,
        }
    }

    /// The key to verify with, if any (possibly past its TTL while a re-fetch is
    /// rate-limited).
    pub fn current(&self) -> Option<&K> {
        self.key.as_ref()
    }

    /// The cached key if it is fresh at `now` (a question only: unlike
    /// [`PublicKeyCache::decide`], it records nothing).
    pub fn fresh_key(&self, now: SystemTime) -> Option<&K> {
        self.key.as_ref().filter(|_| self.fresh(now))
    }

    fn fetch_allowed(&self, now: SystemTime) -> bool {
        if self.pinned {
            return false;
        }
        match self.last_fetch {
            None => true,
            // A clock that went backwards counts as "recent": no fetch.
            Some(t) => now
                .duration_since(t)
                .is_ok_and(|elapsed| elapsed >= self.min_interval),
        }
    }

    fn fresh(&self, now: SystemTime) -> bool {
        if self.pinned {
            return true;
        }
        match self.stored_at {
            Some(t) => match now.duration_since(t) {
                Ok(age) => age < self.ttl,
                Err(_) => true,
            },
            None => false,
        }
    }

    /// Before verifying: use the cached key, fetch one, or give up for now.
    pub fn decide(&mut self, now: SystemTime) -> KeyDecision {
        if self.key.is_some() && self.fresh(now) {
            return KeyDecision::Use;
        }
        if self.fetch_allowed(now) {
            self.last_fetch = Some(now);
            return KeyDecision::Fetch;
        }
        if self.key.is_some() {
            KeyDecision::Use
        } else {
            KeyDecision::Unavailable
        }
    }

    /// After a verification with the current key returned Invalid: fetch once
    /// more, unless a fetch happened within the minimum interval.
    pub fn on_invalid(&mut self, now: SystemTime) -> RefetchDecision {
        if self.fetch_allowed(now) {
            self.last_fetch = Some(now);
            RefetchDecision::FetchNow
        } else {
            RefetchDecision::Keep
        }
    }

    /// Stores a fetched key (received at `now`).
    pub fn store(&mut self, key: K, now: SystemTime) {
        if self.pinned {
            return;
        }
        self.key = Some(key);
        self.stored_at = Some(now);
        self.last_fetch = Some(now);
    }

    /// Records a failed fetch: the old key (if any) stays in use.
    pub fn fetch_failed(&mut self, now: SystemTime) {
        self.last_fetch = Some(now);
    }
}
