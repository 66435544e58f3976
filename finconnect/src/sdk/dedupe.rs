//! Deduplicating notifications (see [`DedupeStore`]).

pub use crate::DedupeKey;
#[cfg(test)]
use crate::Provider;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// A boxed, sendable future (what [`DedupeStore`] methods return).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The answer to [`DedupeStore::claim`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This caller holds the key now: hand the event off, then call
    /// [`DedupeStore::done`] (or [`DedupeStore::release`] if that failed).
    Won,
    /// Another delivery of the same event is being handed off right now: ask the
    /// provider to retry later (its retry then finds it done).
    Busy,
    /// Handed off before: acknowledge again, do not pass it on.
    Done,
}

/// A dedupe store could not answer (a shared store is down, say). The callback
/// is not acknowledged, so the provider retries.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("dedupe store unavailable: {0}")]
pub struct StoreError(pub String);

/// Where the keys of handed-off events are kept.
///
/// Deduplicating notifications: fixed-size keys and a store of claims.
///
/// None of the providers signs a timestamp or a nonce, so a genuine notification
/// can be delivered (or replayed) any number of times. Each confirmed event gets
/// a [`DedupeKey`] built only from facts the provider vouched for and the
/// *confirmed* status: a replay has the same key, a real status change a new one,
/// and nothing an attacker writes into an unverified field can mint new keys.
///
/// A [`DedupeStore`] records keys with claims, so the provider's retry of an event
/// whose hand-off failed is processed again, and two deliveries of one event
/// racing each other reach user code once:
/// - [`DedupeStore::claim`]: one caller wins ([`Claim::Won`]); others see
///   [`Claim::Busy`] (in progress: ask the provider to retry later) or
///   [`Claim::Done`] (handed off before: acknowledge again);
/// - [`DedupeStore::done`] once the event was handed off;
/// - [`DedupeStore::release`] if it was not, so the next delivery is processed.
///
/// A claim whose holder died expires after its lease. The store's methods return
/// boxed futures so that a store shared by a fleet (Redis, a database) fits the
/// same trait as the in-memory [`MemoryDedupe`].
pub trait DedupeStore: Send + Sync {
    /// Claims `key` for `lease` (after which an unfinished claim lapses, so a
    /// crashed holder does not block the event forever). `now` is the caller's
    /// clock; a store with its own clock (Redis) may ignore it.
    fn claim<'a>(
        &'a self,
        key: &'a DedupeKey,
        lease: Duration,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<Claim, StoreError>>;

    /// Marks `key` handed off, remembered for at least `retention` (subject to the
    /// store's size bound).
    fn done<'a>(
        &'a self,
        key: &'a DedupeKey,
        retention: Duration,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Gives a claim up (the hand-off failed): the next delivery is processed.
    fn release<'a>(&'a self, key: &'a DedupeKey) -> BoxFuture<'a, Result<(), StoreError>>;
}

#[derive(Clone, Copy, Debug)]
enum Entry {
    Claimed { until: SystemTime },
    Done { until: SystemTime },
}

/// What one remembered key costs, counted generously: the key, the state, the
/// map's and the queue's share (used to turn a byte budget into a count).
const BYTES_PER_KEY: usize = 128;

/// An in-memory [`DedupeStore`] bounded in **bytes**: at most `budget` bytes of
/// keys (each key is fixed-size, so that is a fixed count). When full, the
/// oldest finished keys are forgotten first; claims in progress are never
/// evicted (they lapse after their lease).
pub struct MemoryDedupe {
    capacity: usize,
    state: Mutex<MemoryState>,
}

#[derive(Default)]
struct MemoryState {
    entries: HashMap<DedupeKey, Entry>,
    /// Keys in the order they were last written, oldest first (may hold stale
    /// duplicates, skipped on eviction).
    order: VecDeque<DedupeKey>,
}

impl MemoryDedupe {
    /// Remembers keys within `budget` bytes (at least one key).
    pub fn with_byte_budget(budget: usize) -> Self {
        MemoryDedupe {
            capacity: (budget / BYTES_PER_KEY).max(1),
            state: Mutex::new(MemoryState::default()),
        }
    }

    /// How many keys fit.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many keys are remembered now.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes `entry` under the caller's lock, then evicts down to capacity.
    fn put(&self, s: &mut MemoryState, key: DedupeKey, entry: Entry, now: SystemTime) {
        if s.entries.insert(key, entry).is_none() {
            s.order.push_back(key);
        }
        let mut scanned = 0;
        while s.entries.len() > self.capacity && scanned <= s.order.len() {
            let Some(old) = s.order.pop_front() else {
                break;
            };
            scanned += 1;
            match s.entries.get(&old).copied() {
                // Expired entries and finished ones go; claims in progress stay.
                Some(Entry::Done { .. }) => {
                    s.entries.remove(&old);
                }
                Some(Entry::Claimed { until }) if until <= now => {
                    s.entries.remove(&old);
                }
                Some(Entry::Claimed { .. }) => s.order.push_back(old),
                None => {}
            }
        }
    }
}

impl Default for MemoryDedupe {
    /// 16 MiB of keys (131,072 events).
    fn default() -> Self {
        MemoryDedupe::with_byte_budget(16 << 20)
    }
}

impl fmt::Debug for MemoryDedupe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryDedupe")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish()
    }
}

impl DedupeStore for MemoryDedupe {
    fn claim<'a>(
        &'a self,
        key: &'a DedupeKey,
        lease: Duration,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<Claim, StoreError>> {
        // Read and write under one lock: two racing deliveries cannot both win.
        let mut s = self.lock();
        let answer = match s.entries.get(key).copied() {
            Some(Entry::Done { until }) if until > now => Claim::Done,
            Some(Entry::Claimed { until }) if until > now => Claim::Busy,
            _ => {
                self.put(&mut s, *key, Entry::Claimed { until: now + lease }, now);
                Claim::Won
            }
        };
        drop(s);
        Box::pin(std::future::ready(Ok(answer)))
    }

    fn done<'a>(
        &'a self,
        key: &'a DedupeKey,
        retention: Duration,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        let mut s = self.lock();
        self.put(
            &mut s,
            *key,
            Entry::Done {
                until: now + retention,
            },
            now,
        );
        drop(s);
        Box::pin(std::future::ready(Ok(())))
    }

    fn release<'a>(&'a self, key: &'a DedupeKey) -> BoxFuture<'a, Result<(), StoreError>> {
        self.lock().entries.remove(key);
        Box::pin(std::future::ready(Ok(())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::block_on_ready as block;

    const T0: SystemTime = SystemTime::UNIX_EPOCH;
    const LEASE: Duration = Duration::from_secs(30);
    const KEEP: Duration = Duration::from_secs(86_400);

    fn key(i: usize) -> DedupeKey {
        DedupeKey::new(Provider::Clickpesa, &[&i.to_string()])
    }

    #[test]
    fn fields_are_length_prefixed() {
        assert_ne!(
            DedupeKey::new(Provider::Azampay, &["ab", "c"]),
            DedupeKey::new(Provider::Azampay, &["a", "bc"])
        );
        assert_ne!(
            DedupeKey::new(Provider::Azampay, &["a"]),
            DedupeKey::new(Provider::Pesapal, &["a"])
        );
    }

    #[test]
    fn claim_done_release_and_lapsed_leases() -> Result<(), StoreError> {
        let store = MemoryDedupe::default();
        let k = key(1);
        assert_eq!(block(store.claim(&k, LEASE, T0))?, Claim::Won);
        assert_eq!(block(store.claim(&k, LEASE, T0))?, Claim::Busy);
        // The holder died: after the lease the next delivery wins.
        let later = T0 + LEASE + Duration::from_secs(1);
        assert_eq!(block(store.claim(&k, LEASE, later))?, Claim::Won);
        block(store.release(&k))?;
        assert_eq!(block(store.claim(&k, LEASE, later))?, Claim::Won);
        block(store.done(&k, KEEP, later))?;
        assert_eq!(block(store.claim(&k, LEASE, later))?, Claim::Done);
        Ok(())
    }

    #[test]
    fn memory_is_bounded_in_bytes_and_keeps_claims_in_progress() -> Result<(), StoreError> {
        let store = MemoryDedupe::with_byte_budget(100 * BYTES_PER_KEY);
        assert_eq!(store.capacity(), 100);
        let held = key(usize::MAX);
        assert_eq!(block(store.claim(&held, LEASE, T0))?, Claim::Won);
        for i in 0..10_000 {
            block(store.done(&key(i), KEEP, T0))?;
        }
        assert!(store.len() <= 100, "{} keys kept", store.len());
        // The claim in progress survived the flood; the newest keys are kept.
        assert_eq!(block(store.claim(&held, LEASE, T0))?, Claim::Busy);
        assert_eq!(block(store.claim(&key(9_999), LEASE, T0))?, Claim::Done);
        Ok(())
    }
}
