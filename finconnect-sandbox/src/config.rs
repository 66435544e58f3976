//! Sandbox configuration.

use std::time::Duration;

/// What the simulated customer does with a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Outcome {
    /// The customer pays: the payment completes.
    #[default]
    Complete,
    /// The customer declines or the payment fails.
    Fail,
}

/// How a [`crate::Sandbox`] behaves.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// TCP port on 127.0.0.1; `0` picks an ephemeral port.
    pub port: u16,
    /// `None`: payments stay pending until [`crate::Sandbox::settle`] (or the control call);
    /// `Some(d)`: the simulated customer acts on every new payment after `d`.
    pub customer_delay: Option<Duration>,
    /// What the simulated customer does when `customer_delay` is set.
    pub customer_outcome: Outcome,
    /// Lifetime of PesaPal tokens (default 5 minutes, as PesaPal documents it).
    pub pesapal_token_lifetime: Duration,
    /// Lifetime of AzamPay tokens (default 1 hour; AzamPay documents no lifetime, only
    /// the absolute `expire` it returns).
    pub azampay_token_lifetime: Duration,
    /// Lifetime of ClickPesa tokens (default 1 hour, as ClickPesa documents it).
    pub clickpesa_token_lifetime: Duration,
    /// Lifetime of M-Pesa (Daraja) tokens (default 1 hour, as Daraja documents it; the
    /// answer's `expires_in` is this minus one second, as a string: `"3599"`).
    pub mpesa_token_lifetime: Duration,
    /// Where AzamPay collection (and disbursement) callbacks are POSTed.
    pub azampay_callback_url: Option<url::Url>,
    /// Where ClickPesa webhooks are POSTed.
    pub clickpesa_webhook_url: Option<url::Url>,
    /// How many times a notification is attempted until it is acknowledged (default 3;
    /// M-Pesa callbacks are sent once, as Daraja does).
    pub delivery_attempts: u32,
    /// Deliver notifications to hosts other than `localhost`, 127.0.0.0/8 and `::1`
    /// (default `false`: such deliveries are refused, logged and counted, and never
    /// looked up or connected to).
    pub allow_remote_delivery: bool,
}

impl SandboxConfig {
    /// Every provider's tokens live `ttl` (instead of each provider's documented default).
    pub fn with_token_ttl(mut self, ttl: Duration) -> SandboxConfig {
        self.pesapal_token_lifetime = ttl;
        self.azampay_token_lifetime = ttl;
        self.clickpesa_token_lifetime = ttl;
        self.mpesa_token_lifetime = ttl;
        self
    }

    /// M-Pesa (Daraja) tokens live `ttl`.
    pub fn with_mpesa_token_ttl(mut self, ttl: Duration) -> SandboxConfig {
        self.mpesa_token_lifetime = ttl;
        self
    }

    /// PesaPal tokens live `ttl`.
    pub fn with_pesapal_token_ttl(mut self, ttl: Duration) -> SandboxConfig {
        self.pesapal_token_lifetime = ttl;
        self
    }

    /// AzamPay tokens live `ttl`.
    pub fn with_azampay_token_ttl(mut self, ttl: Duration) -> SandboxConfig {
        self.azampay_token_lifetime = ttl;
        self
    }

    /// ClickPesa tokens live `ttl`.
    pub fn with_clickpesa_token_ttl(mut self, ttl: Duration) -> SandboxConfig {
        self.clickpesa_token_lifetime = ttl;
        self
    }

    /// Whether notifications may go to non-loopback hosts (see
    /// [`SandboxConfig::allow_remote_delivery`]).
    pub fn with_remote_delivery(mut self, allow: bool) -> SandboxConfig {
        self.allow_remote_delivery = allow;
        self
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            port: 0,
            customer_delay: None,
            customer_outcome: Outcome::Complete,
            pesapal_token_lifetime: Duration::from_secs(5 * 60),
            azampay_token_lifetime: Duration::from_secs(60 * 60),
            clickpesa_token_lifetime: Duration::from_secs(60 * 60),
            mpesa_token_lifetime: Duration::from_secs(60 * 60),
            azampay_callback_url: None,
            clickpesa_webhook_url: None,
            delivery_attempts: 3,
            allow_remote_delivery: false,
        }
    }
}
