//! Where Redis is and how long to wait for it.

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// What went wrong talking to Redis.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedisError {
    /// The URL is not a Redis URL finconnect can use.
    #[error(
        "invalid Redis URL: {0} (expected redis://[user:password@]host[:port][/db] or rediss://…)"
    )]
    Url(String),
    /// Redis did not answer, or answered with an error. Callers treat this as
    /// "not stored": nothing was acknowledged on its strength.
    #[error("Redis failed: {0} (is it running and reachable? automatic reconnects continue)")]
    Redis(String),
    /// Redis did not answer within the configured timeout.
    #[error("Redis did not answer within {0:?} (a slow or unreachable Redis; the operation was not assumed to succeed)")]
    Timeout(Duration),
}

impl From<redis::RedisError> for RedisError {
    fn from(e: redis::RedisError) -> Self {
        // redis-rs's messages carry no password (the URL is never echoed).
        RedisError::Redis(e.to_string())
    }
}

/// How to reach Redis: URL, key prefix and timeouts.
///
/// ```
/// use finconnect_redis::RedisConfig;
/// use std::time::Duration;
///
/// let config = RedisConfig::from_url("redis://:hunter2@127.0.0.1:6379/0")?
///     .prefix("shop")
///     .response_timeout(Duration::from_millis(500));
/// // The password never shows.
/// assert!(!format!("{config:?}").contains("hunter2"));
/// # Ok::<(), finconnect_redis::RedisError>(())
/// ```
#[derive(Clone)]
pub struct RedisConfig {
    url: url::Url,
    prefix: String,
    connect_timeout: Duration,
    response_timeout: Duration,
    /// The PEM of the certificate authorities a `rediss://` server is checked
    /// against, when not the public ones.
    root_certificates: Option<Vec<u8>>,
}

impl fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.url.clone();
        if shown.password().is_some() {
            let _ = shown.set_password(Some("[redacted]"));
        }
        f.debug_struct("RedisConfig")
            .field("url", &shown.as_str())
            .field("prefix", &self.prefix)
            .field("connect_timeout", &self.connect_timeout)
            .field("response_timeout", &self.response_timeout)
            .field("private_roots", &self.root_certificates.is_some())
            .finish()
    }
}

impl RedisConfig {
    /// A configuration from a `redis://` or `rediss://` (TLS, through rustls) URL,
    /// with the prefix `finconnect`, a 2 s connect timeout and a 1 s answer timeout.
    pub fn from_url(url: &str) -> Result<Self, RedisError> {
        let parsed = url::Url::parse(url).map_err(|e| RedisError::Url(e.to_string()))?;
        match parsed.scheme() {
            "redis" | "rediss" => {}
            other => return Err(RedisError::Url(format!("scheme `{other}`"))),
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(RedisError::Url("no host".into()));
        }
        Ok(RedisConfig {
            url: parsed,
            prefix: "finconnect".into(),
            connect_timeout: Duration::from_secs(2),
            response_timeout: Duration::from_secs(1),
            root_certificates: None,
        })
    }

    /// The prefix of every key this crate writes (several applications can share
    /// one Redis). Default `finconnect`.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How long one connection attempt may take. Default 2 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one command may wait for its answer. Default 1 s.
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// For `rediss://`: trust the certificate authorities in `pem` (a private CA,
    /// as managed Redis services and in-house deployments use) instead of the
    /// public web roots. The server's name is still checked against its
    /// certificate. Without it, a `rediss://` server must present a certificate
    /// from a public authority.
    pub fn root_certificates(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates = Some(pem.into());
        self
    }

    /// A redis-rs client for this configuration (TLS with the configured roots).
    fn client(&self) -> Result<redis::Client, RedisError> {
        match &self.root_certificates {
            Some(pem) if self.url.scheme() == "rediss" => Ok(redis::Client::build_with_tls(
                self.url.as_str(),
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(pem.clone()),
                },
            )?),
            _ => Ok(redis::Client::open(self.url.as_str())?),
        }
    }

    /// A handle to Redis. It connects lazily (an unreachable Redis at start is not
    /// an error here: each command fails with a clear error until Redis answers)
    /// and reconnects by itself. Needs a tokio runtime.
    pub fn connect(&self) -> Result<Redis, RedisError> {
        let client = self.client()?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.connect_timeout))
            .set_response_timeout(Some(self.response_timeout))
            .set_number_of_retries(1);
        let manager = ConnectionManager::new_lazy_with_config(client, config)?;
        Ok(Redis {
            manager,
            prefix: Arc::from(self.prefix.as_str()),
            response_timeout: self.response_timeout,
        })
    }
}

/// A connection to Redis shared by everything in this crate. Cheap to clone.
#[derive(Clone)]
pub struct Redis {
    manager: ConnectionManager,
    prefix: Arc<str>,
    response_timeout: Duration,
}

impl fmt::Debug for Redis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redis")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl Redis {
    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// How long one command may wait for its answer.
    pub fn response_timeout(&self) -> Duration {
        self.response_timeout
    }

    /// A connection to send commands on (multiplexed; cloning is cheap).
    pub fn connection(&self) -> ConnectionManager {
        self.manager.clone()
    }

    /// Runs `f` on a connection, bounded by the answer timeout (a slow Redis
    /// is an error, never an unbounded wait).
    pub async fn run<T, F, Fut>(&self, f: F) -> Result<T, RedisError>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = Result<T, redis::RedisError>>,
    {
        let limit = self.response_timeout + self.response_timeout;
        match tokio::time::timeout(limit, f(self.manager.clone())).await {
            Ok(result) => result.map_err(RedisError::from),
            Err(_) => Err(RedisError::Timeout(limit)),
        }
    }

    /// `PING`: whether Redis answers now.
    pub async fn ping(&self) -> Result<(), RedisError> {
        self.run(|mut c| async move { redis::cmd("PING").query_async::<String>(&mut c).await })
            .await
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_passwords_redacted() {
        assert!(RedisConfig::from_url("http://127.0.0.1").is_err());
        assert!(RedisConfig::from_url("redis://").is_err());
        let c = RedisConfig::from_url("rediss://u:s3cret@cache.example:6380/2").unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("cache.example"), "{shown}");
    }
}
