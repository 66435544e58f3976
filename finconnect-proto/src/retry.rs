//! The pure retry decision: given what happened, wait and send again, or stop.
//!
//! The core never sleeps. It answers with a [`Decision`]; the adapter sleeps. As in
//! async-stripe's strategy, the rules are data, and the randomness (jitter) comes
//! from the caller, so tests are deterministic.

use std::time::Duration;

/// Whether sending a request twice can do harm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Idempotency {
    /// Reading state or fetching a token: safe to send again.
    Idempotent,
    /// Creates or moves money (orders, checkouts, pushes, payouts, refunds): never
    /// sent again once it may have reached the provider.
    NonIdempotent,
}

/// What went wrong with one attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The connection could not be opened: nothing was sent.
    Connect,
    /// The request was (or may have been) sent and no complete answer came: a
    /// timeout, a reset, a truncated body.
    Lost,
    /// The provider answered with this status (5xx, 429).
    Status {
        /// The HTTP status.
        status: u16,
        /// The `Retry-After` delay, when the answer had one.
        retry_after: Option<Duration>,
    },
}

/// What to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Wait this long, then send the same request again.
    Retry(Duration),
    /// Do not send again.
    Stop,
}

/// The retry rules.
///
/// ```
/// use finconnect_proto::retry::{Decision, Failure, Idempotency, RetryPolicy};
/// use std::time::Duration;
/// let policy = RetryPolicy::default();
/// let busy = Failure::Status { status: 503, retry_after: None };
/// assert!(matches!(policy.decide(Idempotency::Idempotent, busy, 1, 0.5), Decision::Retry(_)));
/// // A payment is never sent again once it may have reached the provider.
/// assert_eq!(policy.decide(Idempotency::NonIdempotent, busy, 1, 0.5), Decision::Stop);
/// assert_eq!(policy.decide(Idempotency::NonIdempotent, Failure::Lost, 1, 0.5), Decision::Stop);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included (1 = never retry).
    pub max_attempts: u32,
    /// The first back-off; it doubles with each attempt.
    pub base_delay: Duration,
    /// The longest back-off.
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; a longer one stops instead of waiting.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Decides after `attempts` attempts (1 after the first) failed with `failure`.
    /// `jitter` in `[0, 1)` comes from the caller's random source; the back-off is
    /// spread over half to all of its nominal value.
    pub fn decide(
        &self,
        idempotency: Idempotency,
        failure: Failure,
        attempts: u32,
        jitter: f64,
    ) -> Decision {
        if attempts >= self.max_attempts {
            return Decision::Stop;
        }
        let retryable = match (failure, idempotency) {
            // Nothing left the machine: safe for every operation.
            (Failure::Connect, _) => true,
            (_, Idempotency::NonIdempotent) => false,
            (Failure::Lost, Idempotency::Idempotent) => true,
            (Failure::Status { status, .. }, Idempotency::Idempotent) => {
                status == 429 || (500..=599).contains(&status)
            }
        };
        if !retryable {
            return Decision::Stop;
        }
        if let Failure::Status {
            retry_after: Some(wait),
            ..
        } = failure
        {
            return if wait <= self.max_retry_after {
                Decision::Retry(wait)
            } else {
                Decision::Stop
            };
        }
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempts.saturating_sub(1).min(16));
        let nominal = exp.min(self.max_delay);
        let spread = 0.5 + 0.5 * jitter.clamp(0.0, 1.0);
        Decision::Retry(nominal.mul_f64(spread))
    }
}

/// Reads a `Retry-After` header given in seconds (the HTTP-date form is not used
/// by these providers and is ignored).
pub fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    let value = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotent_calls_back_off_within_bounds() {
        let p = RetryPolicy::default();
        let f = Failure::Status {
            status: 503,
            retry_after: None,
        };
        assert_eq!(
            p.decide(Idempotency::Idempotent, f, 1, 0.0),
            Decision::Retry(Duration::from_millis(50))
        );
        assert_eq!(
            p.decide(Idempotency::Idempotent, f, 2, 0.999_999),
            Decision::Retry(Duration::from_millis(200).mul_f64(0.5 + 0.5 * 0.999_999))
        );
        assert_eq!(p.decide(Idempotency::Idempotent, f, 3, 0.0), Decision::Stop);
        let bad_request = Failure::Status {
            status: 400,
            retry_after: None,
        };
        assert_eq!(
            p.decide(Idempotency::Idempotent, bad_request, 1, 0.0),
            Decision::Stop
        );
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_bound() {
        let p = RetryPolicy::default();
        let f = |secs| Failure::Status {
            status: 429,
            retry_after: Some(Duration::from_secs(secs)),
        };
        assert_eq!(
            p.decide(Idempotency::Idempotent, f(2), 1, 0.3),
            Decision::Retry(Duration::from_secs(2))
        );
        assert_eq!(
            p.decide(Idempotency::Idempotent, f(3600), 1, 0.3),
            Decision::Stop
        );
    }

    #[test]
    fn payments_only_retry_when_nothing_was_sent() {
        let p = RetryPolicy::default();
        assert!(matches!(
            p.decide(Idempotency::NonIdempotent, Failure::Connect, 1, 0.0),
            Decision::Retry(_)
        ));
        for f in [
            Failure::Lost,
            Failure::Status {
                status: 500,
                retry_after: None,
            },
            Failure::Status {
                status: 429,
                retry_after: Some(Duration::from_secs(1)),
            },
        ] {
            assert_eq!(
                p.decide(Idempotency::NonIdempotent, f, 1, 0.0),
                Decision::Stop
            );
        }
    }

    #[test]
    fn reads_retry_after_seconds() {
        let mut h = http::HeaderMap::new();
        h.insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static(" 7 "),
        );
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), None);
    }
}
