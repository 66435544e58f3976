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

pub use config::{Redis, RedisConfig, RedisError};
pub use consumer::Consumer;
pub use dedupe::RedisDedupe;
pub use stream::{EventStream, StoredEvent};
