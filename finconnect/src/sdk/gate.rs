//! Bounds on the status queries that callbacks trigger (see [`ConfirmLimits`]).

use crate::{Error, Provider};
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Limits of the status queries triggered by callbacks.
///
/// Bounds on the status queries that callbacks trigger.
///
/// Every unverified callback (every PesaPal IPN, every unsigned AzamPay or
/// ClickPesa callback) costs an authenticated status query, and anyone can send
/// callbacks. Without bounds, a flood of made-up callbacks would become a flood of
/// queries on the merchant's account (ClickPesa accounts without KYC have 100
/// calls a day). So the facade:
/// - **coalesces** per reference: callbacks for one payment share one query — but
///   only a query that *started after* the callback arrived, since an older one
///   may predate the change the callback announces (sharing it would swallow a
///   completion behind an earlier "pending");
/// - **caps** the queries in flight across all references; past the cap the
///   callback is [`Error::NotConfirmed`] (the provider is asked to retry later);
/// - keeps a short **negative cache**: after a failed query, callbacks for that
///   reference are asked to retry without a new query until it lapses.
///
/// The gate is pure bookkeeping around a future the caller supplies; time comes
/// in as an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfirmLimits {
    /// Queries in flight at once, all references together (default 16).
    pub max_in_flight: usize,
    /// How long a failed query makes callbacks for that reference wait (default
    /// 5 s).
    pub negative_ttl: Duration,
    /// References tracked at once (default 10,000); the idle ones are dropped
    /// first.
    pub max_tracked: usize,
}

impl Default for ConfirmLimits {
    fn default() -> Self {
        ConfirmLimits {
            max_in_flight: 16,
            negative_ttl: Duration::from_secs(5),
            max_tracked: 10_000,
        }
    }
}

struct Last<V> {
    /// The arrival count when the query started: it answers every callback that
    /// had arrived by then.
    started: u64,
    value: V,
}

struct Slot<V> {
    last: Option<Last<V>>,
    failed_until: Option<SystemTime>,
}

type SharedSlot<V> = Arc<async_lock::Mutex<Slot<V>>>;

/// See [`ConfirmLimits`].
pub(crate) struct ConfirmGate<V> {
    provider: Provider,
    limits: ConfirmLimits,
    arrivals: AtomicU64,
    in_flight: async_lock::Semaphore,
    slots: Mutex<HashMap<String, SharedSlot<V>>>,
}

impl<V: Clone> ConfirmGate<V> {
    pub(crate) fn new(provider: Provider, limits: ConfirmLimits) -> Self {
        ConfirmGate {
            provider,
            limits,
            arrivals: AtomicU64::new(0),
            in_flight: async_lock::Semaphore::new(limits.max_in_flight.max(1)),
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// Records a callback's arrival; pass the number to [`ConfirmGate::run`].
    pub(crate) fn arrive(&self) -> u64 {
        self.arrivals.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn not_confirmed(&self, reason: &str) -> Error {
        Error::NotConfirmed {
            provider: self.provider,
            reason: reason.to_owned(),
        }
    }

    fn slot(&self, key: &str, now: SystemTime) -> SharedSlot<V> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = slots.get(key) {
            return Arc::clone(slot);
        }
        if slots.len() >= self.limits.max_tracked {
            // Drop slots nobody waits on whose negative entry has lapsed; if that
            // is not enough, every idle one (forgetting a failure only means one
            // more query later).
            slots.retain(|_, slot| {
                Arc::strong_count(slot) > 1
                    || slot
                        .try_lock()
                        .is_none_or(|s| s.failed_until.is_some_and(|until| until > now))
            });
            if slots.len() >= self.limits.max_tracked {
                slots.retain(|_, slot| Arc::strong_count(slot) > 1);
            }
        }
        let slot = Arc::new(async_lock::Mutex::new(Slot {
            last: None,
            failed_until: None,
        }));
        slots.insert(key.to_owned(), Arc::clone(&slot));
        slot
    }

    /// The answer of a query for `key` that started after `arrival`: shared with
    /// concurrent callbacks, started by `query` when needed, refused when too
    /// many are in flight or one failed within the negative TTL.
    pub(crate) async fn run<F, Fut>(
        &self,
        key: &str,
        arrival: u64,
        now: SystemTime,
        query: F,
    ) -> Result<V, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, Error>>,
    {
        // Slots stay until the tracked references reach their bound; then the
        // idle ones are dropped (see `slot`).
        let shared = self.slot(key, now);
        let mut slot = shared.lock().await;
        self.run_locked(&mut slot, arrival, now, query).await
    }

    async fn run_locked<F, Fut>(
        &self,
        slot: &mut Slot<V>,
        arrival: u64,
        now: SystemTime,
        query: F,
    ) -> Result<V, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, Error>>,
    {
        if let Some(last) = &slot.last {
            if last.started >= arrival {
                return Ok(last.value.clone());
            }
        }
        if slot.failed_until.is_some_and(|until| now < until) {
            return Err(self.not_confirmed(
                "the status query for this payment failed moments ago; retry later",
            ));
        }
        let Some(_permit) = self.in_flight.try_acquire() else {
            return Err(self.not_confirmed("too many status queries in flight; retry later"));
        };
        let started = self.arrivals.load(Ordering::SeqCst);
        match query().await {
            Ok(value) => {
                slot.failed_until = None;
                slot.last = Some(Last {
                    started,
                    value: value.clone(),
                });
                Ok(value)
            }
            Err(e) => {
                slot.last = None;
                slot.failed_until = Some(now + self.limits.negative_ttl);
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    use crate::block_on_ready as block;

    const T0: SystemTime = SystemTime::UNIX_EPOCH;

    #[test]
    fn an_answer_is_shared_only_with_callbacks_that_arrived_before_it_started() {
        let gate = ConfirmGate::<u32>::new(Provider::Pesapal, ConfirmLimits::default());
        let queries = Cell::new(0);
        let query = |v: u32| {
            queries.set(queries.get() + 1);
            async move { Ok(v) }
        };
        let first = gate.arrive();
        let second = gate.arrive();
        assert_eq!(block(gate.run("T", first, T0, || query(1))).ok(), Some(1));
        // The second callback arrived before that query started: it shares it.
        assert_eq!(block(gate.run("T", second, T0, || query(2))).ok(), Some(1));
        assert_eq!(queries.get(), 1);
        // A callback arriving afterwards gets a fresh answer.
        let third = gate.arrive();
        assert_eq!(block(gate.run("T", third, T0, || query(3))).ok(), Some(3));
        assert_eq!(queries.get(), 2);
    }

    #[test]
    fn a_failed_query_is_not_repeated_within_the_negative_ttl() {
        let limits = ConfirmLimits::default();
        let gate = ConfirmGate::<u32>::new(Provider::Clickpesa, limits);
        let queries = Cell::new(0);
        let failing = || {
            queries.set(queries.get() + 1);
            async {
                Err(Error::NotConfirmed {
                    provider: Provider::Clickpesa,
                    reason: "503".into(),
                })
            }
        };
        let a = gate.arrive();
        assert!(block(gate.run("R", a, T0, failing)).is_err());
        let b = gate.arrive();
        let e = block(gate.run("R", b, T0 + Duration::from_secs(1), failing)).unwrap_err();
        assert!(e.to_string().contains("moments ago"), "{e}");
        assert_eq!(queries.get(), 1);
        let c = gate.arrive();
        let later = T0 + limits.negative_ttl + Duration::from_secs(1);
        assert_eq!(
            block(gate.run("R", c, later, || async { Ok(7) })).ok(),
            Some(7)
        );
        // Another reference was never blocked.
        let d = gate.arrive();
        assert_eq!(
            block(gate.run("S", d, T0, || async { Ok(8) })).ok(),
            Some(8)
        );
    }

    #[test]
    fn past_the_cap_callbacks_are_asked_to_retry() {
        let limits = ConfirmLimits {
            max_in_flight: 1,
            ..ConfirmLimits::default()
        };
        let gate = Arc::new(ConfirmGate::<u32>::new(Provider::Azampay, limits));
        // Hold the only permit, as a query in flight would.
        let held = gate.in_flight.try_acquire();
        assert!(held.is_some());
        let a = gate.arrive();
        let e = block(gate.run("X", a, T0, || async { Ok(1) })).unwrap_err();
        assert!(matches!(e, Error::NotConfirmed { .. }), "{e}");
        drop(held);
        let b = gate.arrive();
        assert_eq!(
            block(gate.run("X", b, T0, || async { Ok(2) })).ok(),
            Some(2)
        );
    }

    #[test]
    fn tracked_references_stay_bounded() {
        let limits = ConfirmLimits {
            max_tracked: 50,
            ..ConfirmLimits::default()
        };
        let gate = ConfirmGate::<u32>::new(Provider::Pesapal, limits);
        for i in 0..1_000 {
            let a = gate.arrive();
            let key = i.to_string();
            let _ = block(gate.run(&key, a, T0, || async {
                Err(Error::NotConfirmed {
                    provider: Provider::Pesapal,
                    reason: "down".into(),
                })
            }));
        }
        let later = T0 + Duration::from_secs(60);
        let a = gate.arrive();
        let _ = block(gate.run("last", a, later, || async { Ok(1) }));
        let tracked = gate.slots.lock().map(|s| s.len()).unwrap_or(usize::MAX);
        assert!(tracked <= 51, "{tracked} slots");
    }
}
