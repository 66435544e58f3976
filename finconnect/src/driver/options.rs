use crate::RetryPolicy;
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
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body_bytes: 2 * 1024 * 1024,
            retry: RetryPolicy::default(),
            pool_max_idle_per_host: 16,
        }
    }
}

/// The User-Agent adapters send: `finconnect/<version>`.
pub const USER_AGENT: &str = concat!("finconnect/", env!("CARGO_PKG_VERSION"));
