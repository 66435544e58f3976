//! Dedupe claims shared by a fleet (see [`RedisDedupe`]).

use crate::{Redis, RedisError};
use finconnect::sdk::{BoxFuture, Claim, DedupeKey, DedupeStore, StoreError};
use redis::Script;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, SystemTime};

/// Claims the key: absent → set to this holder's token with the lease as TTL.
static CLAIM: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 'won'
end
if v == 'done' then return 'done' end
return 'busy'",
    )
});

/// Marks the key done if this holder still holds it (or nobody does).
static DONE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local v = redis.call('GET', KEYS[1])
if (not v) or v == ARGV[1] then
  redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
  return 'done'
end
if v == 'done' then return 'done' end
return 'lost'",
    )
});

/// Deletes the key if this holder holds it.
static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0",
    )
});

/// A [`DedupeStore`] in Redis, shared by every instance of a fleet: a
/// provider's retry that lands on another instance finds the key claimed or
/// done.
///
/// One key per event, `<prefix>:dedupe:<dedupe key>` (the dedupe key is
/// `provider:` and 64 hex digits), holding either a claim token or `done`:
/// - [`claim`](DedupeStore::claim): a Lua script sets the key to a token unique
///   to this claim, with the lease as its TTL, if the key is absent — one
///   instance wins; an expired lease (the holder died) frees the key by itself;
/// - [`done`](DedupeStore::done): sets `done` with the retention as TTL if this
///   holder still holds the claim (or it lapsed and nobody took it);
/// - [`release`](DedupeStore::release): deletes the key if this holder holds it.
///
/// Every operation touches one key, so keys spread over a Redis Cluster's
/// slots. Redis's clock runs the leases: the `now` the inbox passes is ignored.
/// When Redis cannot answer within the configured timeout, each method fails
/// with a [`StoreError`] and the inbox asks the provider to retry.
#[derive(Clone)]
pub struct RedisDedupe {
    redis: Redis,
    /// This store's claims: key → token (so `done` and `release` act only on
    /// claims this store holds).
    held: Arc<Mutex<HashMap<DedupeKey, String>>>,
    token_base: u64,
    counter: Arc<AtomicU64>,
}

impl fmt::Debug for RedisDedupe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisDedupe")
            .field("redis", &self.redis)
            .finish_non_exhaustive()
    }
}

impl RedisDedupe {
    /// A store on `redis` (keys under its prefix).
    pub fn new(redis: &Redis) -> Self {
        RedisDedupe {
            redis: redis.clone(),
            held: Arc::default(),
            // A per-process random number (std's hash seed): tokens of two
            // instances never collide, and never equal `done`.
            token_base: RandomState::new().hash_one(std::process::id()),
            counter: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The Redis key of `key`.
    pub fn redis_key(&self, key: &DedupeKey) -> String {
        format!("{}:dedupe:{key}", self.redis.prefix())
    }

    fn token(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("h:{:016x}:{n:x}", self.token_base)
    }

    fn held(&self) -> std::sync::MutexGuard<'_, HashMap<DedupeKey, String>> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

fn store_error(e: RedisError) -> StoreError {
    StoreError(e.to_string())
}

impl DedupeStore for RedisDedupe {
    fn claim<'a>(
        &'a self,
        key: &'a DedupeKey,
        lease: Duration,
        _now: SystemTime,
    ) -> BoxFuture<'a, Result<Claim, StoreError>> {
        Box::pin(async move {
            let token = self.token();
            let redis_key = self.redis_key(key);
            let answer: String = {
                let token = token.clone();
                self.redis
                    .run(|mut c| async move {
                        CLAIM
                            .key(redis_key)
                            .arg(token)
                            .arg(millis(lease))
                            .invoke_async(&mut c)
                            .await
                    })
                    .await
                    .map_err(store_error)?
            };
            match answer.as_str() {
                "won" => {
                    self.held().insert(*key, token);
                    Ok(Claim::Won)
                }
                "done" => Ok(Claim::Done),
                _ => Ok(Claim::Busy),
            }
        })
    }

    fn done<'a>(
        &'a self,
        key: &'a DedupeKey,
        retention: Duration,
        _now: SystemTime,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let token = self.held().remove(key).unwrap_or_default();
            let redis_key = self.redis_key(key);
            let answer: String = self
                .redis
                .run(|mut c| async move {
                    DONE.key(redis_key)
                        .arg(token)
                        .arg(millis(retention))
                        .invoke_async(&mut c)
                        .await
                })
                .await
                .map_err(store_error)?;
            match answer.as_str() {
                "done" => Ok(()),
                _ => Err(StoreError(format!(
                    "the claim on {key} lapsed and another delivery holds it now (a lease shorter than the hand-off?)"
                ))),
            }
        })
    }

    fn release<'a>(&'a self, key: &'a DedupeKey) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let Some(token) = self.held().remove(key) else {
                return Ok(());
            };
            let redis_key = self.redis_key(key);
            self.redis
                .run(|mut c| async move {
                    RELEASE
                        .key(redis_key)
                        .arg(token)
                        .invoke_async::<i64>(&mut c)
                        .await
                })
                .await
                .map(drop)
                .map_err(store_error)
        })
    }
}
