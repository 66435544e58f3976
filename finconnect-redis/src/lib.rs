//! # finconnect-redis
//!
//! finconnect for a fleet of instances sharing one Redis (or Valkey, or a Redis
//! Cluster):
//!
//! - a shared token store: one authentication per provider account for the whole
//!   fleet;
//! - callback deduplication with claims and leases: a provider's retry that lands
//!   on another instance is not processed twice;
//! - a durable event stream: a confirmed callback is appended to a Redis Stream in
//!   the same atomic step as its dedupe claim, before the provider hears
//!   "received"; consumers read it with a consumer group.
//!
//! ## Callbacks in a fleet
//!
//! - [`EventStream`]: the [`EventLog`](finconnect::sdk::EventLog) of
//!   [`CallbackInbox::for_log`](finconnect::sdk::CallbackInbox::for_log) (and so
//!   of `finconnect_hyper::callback::CallbackService::from_inbox`). One Lua
//!   script per event: "if this dedupe key was not seen, `XADD` the event and
//!   record the key" — an event acknowledged to the provider is in the stream,
//!   a duplicate never is, and no claim can be left behind by a crash.
//! - [`Consumer`]: a member of a consumer group (`XREADGROUP`, `XACK`, and
//!   `XAUTOCLAIM` to take over a dead consumer's pending events). Delivery is
//!   at least once; each [`StoredEvent`] carries its dedupe key for an
//!   idempotent handler.
//! - [`RedisDedupe`]: claims with leases for the plain
//!   [`CallbackInbox`](finconnect::sdk::CallbackInbox) with a handler
//!   (`claim` = set-if-absent with the lease as TTL and a holder token, `done`
//!   and `release` only by the holder; an expired lease frees the key).
//!
//! **Redis down or slow.** Every command is bounded by the configured answer
//! timeout; a failure or a timeout is a [`RedisError`], which the inbox turns
//! into "retry later" for the provider (503; PesaPal: its ack with status 500).
//! Nothing is acknowledged that was not stored. The connection reconnects by
//! itself. For durability across a Redis crash, run Redis with
//! `appendonly yes` and `appendfsync always`.
//!
//! **Key layout** (prefix `finconnect` by default):
//!
//! | key | what |
//! |---|---|
//! | `{<prefix>:<stream>}:stream` | the event stream (default name `events`) |
//! | `{<prefix>:<stream>}:seen:<dedupe key>` | "appended as entry id …", TTL = retention |
//! | `<prefix>:dedupe:<dedupe key>` | a [`RedisDedupe`] claim token or `done` |
//!
//! The one multi-key operation (the append script: a "seen" key and the
//! stream) uses keys with one hash tag, `{<prefix>:<stream>}`, so it runs on a
//! Redis Cluster; dedupe claims touch one key each.
//!
//! Everything starts from a [`RedisConfig`] (a `redis://` or `rediss://` URL, a
//! key prefix and timeouts) and one [`Redis`] handle, cheap to clone.
//!
//! ## Why redis-rs
//!
//! It is the maintained Redis client of the Rust ecosystem: tokio support, a
//! `ConnectionManager` that reconnects by itself, Lua scripts (the atomic steps
//! here), streams with consumer groups, and rustls for TLS — the same TLS stack
//! as finconnect's adapters.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod config;
mod consumer;
mod dedupe;
mod stream;
pub mod tokens;

pub use config::{Redis, RedisConfig, RedisError};
pub use consumer::Consumer;
pub use dedupe::RedisDedupe;
pub use stream::{EventStream, StoredEvent};
pub use tokens::RedisTokenStore;
