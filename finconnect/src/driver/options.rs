use super::TokenStore;
use crate::RetryPolicy;
use std::sync::Arc;
use std::time::Duration;

/// How an adapter's HTTP client behaves; both adapter crates take it.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Longest wait for a connection (default 10 s).
    pub connect_timeout: Duration,
    /// Longest wait for a whole exchange, body included (default 30 s).
    pub timeout: Duration,
    /// Largest answer body read; a larger one is a failed exchange (default 2 MiB).
    pub max_body_bytes: usize,
    /// The retry rules for idempotent operations.
    pub retry: RetryPolicy,
    /// Idle connections kept per host (default 16).
    pub pool_max_idle_per_host: usize,
    /// Where tokens are kept. `None` (the default): each client keeps its own in
    /// memory. One store given to several clients is shared by them; a fleet
    /// store (`finconnect_redis::RedisTokenStore`) gives a fleet one token per
    /// provider account.
    pub token_store: Option<Arc<dyn TokenStore>>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body_bytes: 2 * 1024 * 1024,
            retry: RetryPolicy::default(),
            pool_max_idle_per_host: 16,
            token_store: None,
        }
    }
}

/// The User-Agent adapters send: `finconnect/<version>`.
pub const USER_AGENT: &str = concat!("finconnect/", env!("CARGO_PKG_VERSION"));
