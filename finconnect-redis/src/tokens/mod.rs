//! One token per provider account for a whole fleet: [`RedisTokenStore`].
//!
//! Every instance of a fleet builds its clients with the same store options; the
//! first instance that needs a token authenticates, the others read its token
//! from Redis. The protocol, per account:
//!
//! - the token lives under `<prefix>:token:{<account>}`, with the provider's
//!   expiry minus the margin as its TTL, so Redis drops it when the fleet must
//!   replace it;
//! - an instance that finds no usable token takes the lock
//!   `<prefix>:token-lock:{<account>}` (`SET NX PX` with a random value,
//!   released by compare-and-delete), fetches, stores the token and releases the
//!   lock — one atomic script each; the others wait (polling with back-off,
//!   bounded by [`RedisTokenStore::max_wait`]) and read the new token;
//! - a token the provider refused (401) is deleted only while it is still the
//!   stored one (compare-and-delete on a fingerprint), so a refusal seen by
//!   every instance at once causes one refresh, not one per instance;
//! - in front of all this each client keeps its own copy of the token and asks
//!   the store only when it has none, it is expiring or it was refused — 64
//!   concurrent calls of one instance wait for one store call, and a busy
//!   instance does not touch Redis per payment (see
//!   [`RedisTokenStore::round_trips`]).
//!
//! `<account>` is the [`AccountKey`] id: provider and a SHA-256 of the account's
//! token request, never the credential. The token itself is stored sealed
//! (ChaCha20-Poly1305 under a key derived from the credential): a reader of
//! Redis can use neither. The braces are a hash tag: both keys of an account
//! hash to one slot of a Redis Cluster, as every script here needs (do not put
//! braces in the prefix).
//!
//! ## When Redis does not answer
//!
//! A token call never fails because of Redis: if Redis is unreachable or slow
//! (beyond the configured timeouts), the instance authenticates on its own and
//! uses that token, and logs one `tracing` warning per outage. Every
//! [`RedisTokenStore::recheck_after`] it pings Redis in the background (no call
//! waits for a Redis known to be down); once Redis answers, the next refresh
//! publishes the instance's token if the fleet has none, or adopts the fleet's
//! — no extra authentication. Tokens are never logged,
//! and `Debug` shows none.
//!
//! ## Design notes
//!
//! - **Sealed tokens.** A bearer token in clear in Redis would let anything that
//!   can read Redis (a replica, a backup, a monitoring tool) call the provider as
//!   the merchant. Sealing it under a key only the credential's holders can
//!   derive costs one ChaCha20-Poly1305 per refresh. Sealed values carry a
//!   random nonce, so the scripts compare a keyed fingerprint stored in front.
//! - **Scripts, not round trips.** Reading the token, dropping a refused one and
//!   taking the lock is one script; storing the token and releasing the lock is
//!   another: a cold fleet costs the refreshing instance two round trips.
//! - **Polling, not pub/sub.** Waiters poll with back-off (2 ms doubling to
//!   50 ms): a refresh is rare and short, and polling needs no second
//!   connection per instance nor a subscription that could miss the message.
//! - **Leases.** A token handed out while Redis is down carries a recheck time
//!   (`TokenLease::recheck_at`), so the fleet converges on one token again
//!   without waiting for the token's expiry.
//!
//! ## Example
//!
//! ```no_run
//! use finconnect::driver::ClientOptions;
//! use finconnect::pesapal::PesapalConfig;
//! use finconnect::sdk::{FintechSdk, ProviderConfig};
//! use finconnect_redis::{RedisConfig, RedisTokenStore};
//! use std::sync::Arc;
//!
//! # async fn run(transport: impl finconnect::driver::Transport) -> Result<(), Box<dyn std::error::Error>> {
//! let redis = RedisConfig::from_url("redis://127.0.0.1:6379/")?.prefix("shop").connect()?;
//! let options = ClientOptions {
//!     token_store: Some(Arc::new(RedisTokenStore::new(redis))),
//!     ..ClientOptions::default()
//! };
//! // With an adapter: finconnect_reqwest::fintech_sdk_with(config, &options).
//! let config = ProviderConfig::Pesapal(PesapalConfig::sandbox("key", "secret")?);
//! let sdk = FintechSdk::with_options(config, transport, &options)?;
//! # let _ = sdk; Ok(()) }
//! ```

mod outage;
mod scripts;
mod sealed;

use crate::{Redis, RedisError};
use finconnect::driver::{AccountKey, TokenFetch, TokenLease, TokenNeed, TokenStore};
use finconnect::sdk::BoxFuture;
use finconnect::{AccessToken, Error};
use ring::rand::{SecureRandom, SystemRandom};
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::time::Instant;

/// The longest pause between two looks at a token another instance is fetching.
const MAX_PAUSE: Duration = Duration::from_millis(50);

/// A [`TokenStore`] shared by a fleet through Redis. See the [module docs](self).
pub struct RedisTokenStore {
    redis: Redis,
    lock_ttl: Duration,
    max_wait: Duration,
    recheck: Duration,
    round_trips: AtomicU64,
    outage: Arc<outage::Outage>,
    probing: Arc<AtomicBool>,
    /// Tokens this instance fetched on its own (Redis down, or the wait too
    /// long): offered to the fleet once Redis answers.
    own: Mutex<HashMap<AccountKey, AccessToken>>,
    rng: SystemRandom,
}

impl fmt::Debug for RedisTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenStore")
            .field("prefix", &self.redis.prefix())
            .field("lock_ttl", &self.lock_ttl)
            .field("max_wait", &self.max_wait)
            .field("recheck_after", &self.recheck)
            .field("redis_down", &self.outage.is_down())
            .field("round_trips", &self.round_trips())
            .finish_non_exhaustive()
    }
}

/// Why the fleet path gave no token.
enum Fail {
    /// The authentication failed (a real error, passed on).
    Fetch(Error),
    /// Redis failed; the token if this instance had fetched one already.
    Redis(RedisError, Option<AccessToken>),
    /// Another instance held the lock for longer than the wait allows.
    Busy,
}

impl RedisTokenStore {
    /// A store on `redis`: lock lifetime 10 s, waits of at most 5 s for another
    /// instance's refresh, Redis asked again 5 s after a fallback.
    pub fn new(redis: Redis) -> Self {
        RedisTokenStore {
            redis,
            lock_ttl: Duration::from_secs(10),
            max_wait: Duration::from_secs(5),
            recheck: Duration::from_secs(5),
            round_trips: AtomicU64::new(0),
            outage: Arc::default(),
            probing: Arc::default(),
            own: Mutex::new(HashMap::new()),
            rng: SystemRandom::new(),
        }
    }

    /// How long the refresh lock lives if its holder never releases it (it
    /// crashed): longer than an authentication takes. Default 10 s.
    pub fn lock_ttl(mut self, ttl: Duration) -> Self {
        self.lock_ttl = ttl.max(Duration::from_millis(1));
        self
    }

    /// How long an instance waits for another's refresh before it
    /// authenticates on its own. Default 5 s.
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    /// How soon an instance that fell back to a token of its own asks Redis
    /// again. Default 5 s.
    pub fn recheck_after(mut self, after: Duration) -> Self {
        self.recheck = after;
        self
    }

    /// Commands sent to Redis so far (each script or `GET` is one round trip):
    /// what a benchmark divides by the payments made.
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }

    /// How many outages began (each logged one warning).
    pub fn outages(&self) -> u64 {
        self.outage.count()
    }

    /// Whether the last attempt to reach Redis failed (tokens are per instance
    /// until it answers).
    pub fn is_degraded(&self) -> bool {
        self.outage.is_down()
    }

    /// The Redis key of `account`'s token.
    pub fn token_key(&self, account: &AccountKey) -> String {
        format!("{}:token:{{{}}}", self.redis.prefix(), account.id())
    }

    /// The Redis key of `account`'s refresh lock (same hash slot as its token).
    pub fn lock_key(&self, account: &AccountKey) -> String {
        format!("{}:token-lock:{{{}}}", self.redis.prefix(), account.id())
    }

    async fn command<T, F, Fut>(&self, f: F) -> Result<T, RedisError>
    where
        F: FnOnce(redis::aio::ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = Result<T, redis::RedisError>>,
    {
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        self.redis.run(f).await
    }

    /// Pings Redis in the background (one probe at a time); a `PONG` ends the
    /// outage, so the next refresh goes through the fleet again.
    fn probe(&self) {
        if self.probing.swap(true, Ordering::AcqRel) {
            return;
        }
        let (redis, outage, probing) = (
            self.redis.clone(),
            Arc::clone(&self.outage),
            Arc::clone(&self.probing),
        );
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(async move {
            if redis.ping().await.is_ok() {
                outage.end();
            }
            probing.store(false, Ordering::Release);
        });
    }

    fn lock_value(&self) -> String {
        let mut bytes = [0u8; 16];
        if self.rng.fill(&mut bytes).is_err() {
            // Unique enough for a lock (the only use): this process and now.
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos();
            return format!("{}-{nanos}", std::process::id());
        }
        sealed::hex(&bytes)
    }

    fn own_token(&self, need: &TokenNeed<'_>) -> Option<AccessToken> {
        let own = self.own.lock().unwrap_or_else(PoisonError::into_inner);
        own.get(need.account).filter(|t| need.accepts(t)).cloned()
    }

    fn keep_own(&self, account: &AccountKey, token: Option<AccessToken>) {
        let mut own = self.own.lock().unwrap_or_else(PoisonError::into_inner);
        match token {
            Some(token) => own.insert(account.clone(), token),
            None => own.remove(account),
        };
    }

    /// The fleet's token, or the one this instance fetched and stored for the
    /// fleet (holding the lock).
    async fn fleet(
        &self,
        need: TokenNeed<'_>,
        fetch: &mut Option<TokenFetch<'_>>,
    ) -> Result<AccessToken, Fail> {
        let account = need.account;
        let (token_key, lock_key) = (self.token_key(account), self.lock_key(account));
        let lock_value = self.lock_value();
        let lock_ms = u64::try_from(self.lock_ttl.as_millis()).unwrap_or(u64::MAX);
        let mut stale = need
            .rejected
            .map(|t| sealed::fingerprint(account, t))
            .unwrap_or_default();
        let started = Instant::now();
        let deadline = started + self.max_wait;
        let mut pause = Duration::from_millis(2);
        loop {
            let (tk, lk, st, lv) = (&token_key, &lock_key, &stale, &lock_value);
            let answer: String = self
                .command(|mut c| async move {
                    scripts::TAKE
                        .key(tk)
                        .key(lk)
                        .arg(st)
                        .arg(lv)
                        .arg(lock_ms)
                        .invoke_async(&mut c)
                        .await
                })
                .await
                .map_err(|e| Fail::Redis(e, None))?;
            if let Some(value) = answer.strip_prefix('T') {
                match sealed::open(account, value) {
                    Some(token) if need.accepts(&token) => return Ok(token),
                    // Expiring by this clock, or unreadable: replace it.
                    _ => stale = sealed::stored_fingerprint(value).to_owned(),
                }
            } else if answer == "L" {
                return self
                    .fill(need, fetch, started, [&token_key, &lock_key], &lock_value)
                    .await;
            } else {
                let now = Instant::now();
                if now >= deadline {
                    return Err(Fail::Busy);
                }
                tokio::time::sleep(pause.min(deadline - now)).await;
                pause = (pause * 2).min(MAX_PAUSE);
                continue;
            }
            if Instant::now() >= deadline {
                return Err(Fail::Busy);
            }
        }
    }

    /// Holding the lock: fetch (or offer this instance's own token), store,
    /// release.
    async fn fill(
        &self,
        need: TokenNeed<'_>,
        fetch: &mut Option<TokenFetch<'_>>,
        started: Instant,
        [token_key, lock_key]: [&String; 2],
        lock_value: &String,
    ) -> Result<AccessToken, Fail> {
        let token = match self.own_token(&need) {
            Some(token) => token,
            None => {
                let Some(f) = fetch.take() else {
                    return Err(Fail::Fetch(Error::Misuse("a token fetch awaited twice")));
                };
                match f.await {
                    Ok(token) => token,
                    Err(e) => {
                        let _ = self
                            .command(|mut c| async move {
                                scripts::RELEASE
                                    .key(lock_key)
                                    .arg(lock_value)
                                    .invoke_async::<i64>(&mut c)
                                    .await
                            })
                            .await;
                        return Err(Fail::Fetch(e));
                    }
                }
            }
        };
        // Keep it until the margin begins, by the caller's clock.
        let now = need.now + started.elapsed();
        let ttl_ms = token
            .expires_at()
            .duration_since(now + need.margin)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0);
        let (value, ttl_ms) = match sealed::seal(need.account, &token, &self.rng) {
            Some(value) => (value, ttl_ms),
            None => (String::new(), 0),
        };
        let put = self
            .command(|mut c| async move {
                scripts::PUT
                    .key(token_key)
                    .key(lock_key)
                    .arg(&value)
                    .arg(ttl_ms)
                    .arg(lock_value)
                    .invoke_async::<i64>(&mut c)
                    .await
            })
            .await;
        match put {
            Ok(_) => Ok(token),
            Err(e) => Err(Fail::Redis(e, Some(token))),
        }
    }

    /// Without the fleet: a token of this instance's own, kept until
    /// `recheck_after`.
    async fn own(
        &self,
        need: TokenNeed<'_>,
        fetched: Option<AccessToken>,
        fetch: Option<TokenFetch<'_>>,
    ) -> Result<TokenLease, Error> {
        let token = match fetched.or_else(|| self.own_token(&need)) {
            Some(token) => token,
            None => match fetch {
                Some(f) => f.await?,
                None => return Err(Error::Misuse("a token fetch awaited twice")),
            },
        };
        self.keep_own(need.account, Some(token.clone()));
        Ok(TokenLease::until(token, need.now + self.recheck))
    }
}

impl TokenStore for RedisTokenStore {
    fn get<'a>(&'a self, account: &'a AccountKey) -> BoxFuture<'a, Option<AccessToken>> {
        Box::pin(async move {
            let key = self.token_key(account);
            let value = self
                .command(|mut c| async move {
                    redis::cmd("GET")
                        .arg(&key)
                        .query_async::<Option<String>>(&mut c)
                        .await
                })
                .await
                .ok()??;
            sealed::open(account, &value)
        })
    }

    fn refresh<'a>(
        &'a self,
        need: TokenNeed<'a>,
        fetch: TokenFetch<'a>,
    ) -> BoxFuture<'a, Result<TokenLease, Error>> {
        Box::pin(async move {
            // Redis was down and this instance's token is still good: keep using
            // it, and let a background probe find out whether Redis is back (no
            // call waits for a Redis that is known to be down).
            if self.outage.is_down() {
                if let Some(token) = self.own_token(&need) {
                    self.probe();
                    return Ok(TokenLease::until(token, need.now + self.recheck));
                }
            }
            let mut fetch = Some(fetch);
            match self.fleet(need, &mut fetch).await {
                Ok(token) => {
                    self.outage.end();
                    self.keep_own(need.account, None);
                    Ok(TokenLease::shared(token))
                }
                Err(Fail::Fetch(e)) => Err(e),
                Err(Fail::Redis(e, fetched)) => {
                    self.outage.begin(&e);
                    self.own(need, fetched, fetch).await
                }
                Err(Fail::Busy) => {
                    tracing::warn!(
                        account = need.account.id(),
                        waited_ms = u64::try_from(self.max_wait.as_millis()).unwrap_or(u64::MAX),
                        "another instance's token refresh is taking too long: \
                         authenticating on this instance"
                    );
                    self.own(need, None, fetch).await
                }
            }
        })
    }
}
