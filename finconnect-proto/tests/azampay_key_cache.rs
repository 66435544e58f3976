//! PublicKeyCache decisions on a virtual clock.

#![allow(clippy::unwrap_used)] // tests: a panic is a failure

use finconnect_proto::azampay::{KeyDecision, PublicKeyCache, RefetchDecision};
use std::time::{Duration, SystemTime};

fn t(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
}

const HOUR: u64 = 3600;

#[test]
fn empty_cache_fetches_once_then_waits() {
    let mut c: PublicKeyCache<u32> = PublicKeyCache::new();
    assert_eq!(c.decide(t(0)), KeyDecision::Fetch);
    // A second callback while the fetch is under way (or after it failed) does
    // not start another fetch.
    assert_eq!(c.decide(t(1)), KeyDecision::Unavailable);
    c.fetch_failed(t(2));
    assert_eq!(c.decide(t(100)), KeyDecision::Unavailable);
    // After the minimum interval (5 min from the failure), fetch again.
    assert_eq!(c.decide(t(302)), KeyDecision::Fetch);
    c.store(7, t(303));
    assert_eq!(c.decide(t(304)), KeyDecision::Use);
    assert_eq!(c.current(), Some(&7));
}

#[test]
fn ttl_expiry_refetches_and_keeps_the_old_key_meanwhile() {
    let mut c: PublicKeyCache<u32> = PublicKeyCache::new();
    assert_eq!(c.decide(t(0)), KeyDecision::Fetch);
    c.store(1, t(0));
    assert_eq!(c.decide(t(24 * HOUR - 1)), KeyDecision::Use);
    assert_eq!(c.decide(t(24 * HOUR)), KeyDecision::Fetch);
    // While that fetch is in flight, others use the stale key.
    assert_eq!(c.decide(t(24 * HOUR + 1)), KeyDecision::Use);
    assert_eq!(c.current(), Some(&1));
    c.fetch_failed(t(24 * HOUR + 2));
    assert_eq!(c.decide(t(24 * HOUR + 3)), KeyDecision::Use);
    assert_eq!(c.decide(t(24 * HOUR + 2 + 300)), KeyDecision::Fetch);
    c.store(2, t(24 * HOUR + 303));
    assert_eq!(c.current(), Some(&2));
    assert_eq!(c.decide(t(25 * HOUR)), KeyDecision::Use);
}

#[test]
fn forged_callbacks_cannot_cause_a_fetch_storm() {
    let mut c: PublicKeyCache<u32> = PublicKeyCache::new();
    c.decide(t(0));
    c.store(1, t(0));
    // 10 000 invalid callbacks over one hour: at most one re-fetch per 5 minutes.
    let mut fetches = 0;
    for i in 0..10_000u64 {
        let now = t(600 + i * HOUR / 10_000);
        if c.on_invalid(now) == RefetchDecision::FetchNow {
            fetches += 1;
            c.store(1, now);
        }
    }
    assert!(fetches <= 12, "{fetches} fetches");
    assert!(fetches >= 11, "{fetches} fetches");
}

#[test]
fn one_refetch_on_invalid_then_keep() {
    let mut c: PublicKeyCache<u32> =
        PublicKeyCache::with_limits(Duration::from_secs(24 * HOUR), Duration::from_secs(60));
    c.decide(t(0));
    c.store(1, t(0));
    assert_eq!(
        c.on_invalid(t(30)),
        RefetchDecision::Keep,
        "fetched 30 s ago"
    );
    assert_eq!(c.on_invalid(t(60)), RefetchDecision::FetchNow);
    assert_eq!(c.on_invalid(t(61)), RefetchDecision::Keep);
    c.store(2, t(62)); // the rotated key
    assert_eq!(c.on_invalid(t(100)), RefetchDecision::Keep);
    assert_eq!(c.on_invalid(t(122)), RefetchDecision::FetchNow);
}

#[test]
fn pinned_keys_never_fetch_or_expire() {
    let mut c = PublicKeyCache::pinned("pinned");
    assert_eq!(c.decide(t(0)), KeyDecision::Use);
    assert_eq!(c.decide(t(1000 * HOUR)), KeyDecision::Use);
    assert_eq!(c.on_invalid(t(1000 * HOUR)), RefetchDecision::Keep);
    c.store("other", t(1));
    assert_eq!(c.current(), Some(&"pinned"));
}

#[test]
fn a_clock_going_backwards_does_not_fetch() {
    let mut c: PublicKeyCache<u32> = PublicKeyCache::new();
    c.decide(t(1000));
    c.store(1, t(1000));
    assert_eq!(c.on_invalid(t(10)), RefetchDecision::Keep);
    assert_eq!(c.decide(t(10)), KeyDecision::Use);
}

#[test]
fn fuzz_corpus_and_fixtures_pass_the_harness() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut n = 0;
    for dir in [
        format!("{root}/../fuzz/corpus/azampay_callback"),
        format!("{root}/tests/fixtures/azampay"),
    ] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            finconnect_proto::azampay::harness::azampay_callback(&bytes);
            n += 1;
        }
    }
    assert!(n > 60, "{n}");
}
