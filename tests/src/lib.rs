//! Shared helpers for finconnect's integration tests (the conformance suite in
//! `tests/conformance.rs`, and any fault-matrix, load or benchmark test that wants
//! the same set-up).
//!
//! - [`Adapter`]: one trait over the two HTTP adapters, with [`Reqwest`] and
//!   [`Hyper`], so a scenario is written once as `async fn scenario<A: Adapter>()`
//!   and instantiated for both with [`conformance!`](crate::conformance).
//! - [`fast_options`]: short timeouts and a quick retry policy, so tests stay fast.
//! - [`start_sandbox`] / [`start_sandbox_with`]: a fresh simulator on an ephemeral
//!   port (one per test: no shared state).
//! - [`pesapal_config`], [`azampay_config`], [`clickpesa_config`], [`mpesa_config`]: the core's
//!   provider configurations pointed at a sandbox, with its TEST-ONLY credentials.
//! - [`Merchant`]: a tiny local HTTP listener that records the notifications a
//!   sandbox delivers and answers the way a merchant would (PesaPal gets its ack
//!   JSON from [`pesapal::Notification::ack`]).
#![forbid(unsafe_code)]

/// The README's Rust examples, compiled and run as doc tests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub mod fleet;
pub mod fleet_events;
mod merchant;
pub mod redis_server;

pub use merchant::{Merchant, Received, Reply};

use finconnect::azampay::{AzampayConfig, AzampayEndpoints};
use finconnect::clickpesa::ClickpesaConfig;
use finconnect::driver::{ClientOptions, Driver, Transport};
use finconnect::pesapal::PesapalConfig;
use finconnect::{pesapal, Api, RetryPolicy, Secret, UrlPolicy};
use finconnect_sandbox::{credentials, Sandbox, SandboxConfig};
use std::time::Duration;

/// One HTTP adapter of finconnect, as the conformance suite sees it: something
/// that turns a provider configuration and [`ClientOptions`] into a [`Driver`].
pub trait Adapter: Send + Sync + 'static {
    /// The adapter's transport.
    type Transport: Transport + 'static;
    /// A short name for messages (`"reqwest"`, `"hyper"`).
    const NAME: &'static str;
    /// A client (driver with its own empty token cache) for `api`, built the way
    /// the adapter crate's documentation says.
    fn client<P>(api: P, options: &ClientOptions) -> Driver<P, Self::Transport>
    where
        P: Api + Send + Sync;

    /// The adapter's transport alone (for the facade).
    fn transport(options: &ClientOptions) -> Self::Transport;

    /// The provider-agnostic facade over this adapter.
    fn sdk(
        config: finconnect::sdk::ProviderConfig,
        options: &ClientOptions,
    ) -> finconnect::sdk::FintechSdk<Self::Transport> {
        finconnect::sdk::FintechSdk::with_options(config, Self::transport(options), options)
            .expect("a facade")
    }
}

/// `finconnect-reqwest` (`finconnect_reqwest::client_with`).
#[derive(Debug, Clone, Copy)]
pub struct Reqwest;

impl Adapter for Reqwest {
    type Transport = finconnect_reqwest::ReqwestTransport;
    const NAME: &'static str = "reqwest";

    fn client<P>(api: P, options: &ClientOptions) -> Driver<P, Self::Transport>
    where
        P: Api + Send + Sync,
    {
        finconnect_reqwest::client_with(api, options).expect("a reqwest client")
    }

    fn transport(options: &ClientOptions) -> Self::Transport {
        finconnect_reqwest::ReqwestTransport::new(options).expect("a reqwest transport")
    }
}

/// `finconnect-hyper` over plain HTTP (`finconnect_hyper::client_over` with
/// `HyperTransport::http`), as loopback tests need.
#[derive(Debug, Clone, Copy)]
pub struct Hyper;

impl Adapter for Hyper {
    type Transport =
        finconnect_hyper::HyperTransport<hyper_util::client::legacy::connect::HttpConnector>;
    const NAME: &'static str = "hyper";

    fn client<P>(api: P, options: &ClientOptions) -> Driver<P, Self::Transport>
    where
        P: Api + Send + Sync,
    {
        finconnect_hyper::client_over(api, Self::transport(options), options)
    }

    fn transport(options: &ClientOptions) -> Self::Transport {
        finconnect_hyper::HyperTransport::http(options)
    }
}

/// Options for tests: 1 s to connect, 2 s per exchange, and 3 attempts with
/// back-offs of 10–40 ms (a `Retry-After` of up to 5 s is honoured).
pub fn fast_options() -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_secs(1),
        timeout: Duration::from_secs(2),
        retry: fast_retry(),
        ..ClientOptions::default()
    }
}

/// [`fast_options`] with another exchange timeout (for timeout scenarios).
pub fn options_with_timeout(timeout: Duration) -> ClientOptions {
    ClientOptions {
        timeout,
        ..fast_options()
    }
}

/// 3 attempts, 10 ms first back-off, at most 40 ms, `Retry-After` up to 5 s.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        max_retry_after: Duration::from_secs(5),
    }
}

/// A sandbox with the default configuration on an ephemeral port.
pub async fn start_sandbox() -> Sandbox {
    start_sandbox_with(SandboxConfig::default()).await
}

/// A sandbox with `config` (its `port` is forced to 0: ephemeral).
pub async fn start_sandbox_with(config: SandboxConfig) -> Sandbox {
    Sandbox::start(SandboxConfig { port: 0, ..config })
        .await
        .expect("the sandbox starts")
}

/// PesaPal at the sandbox, with its TEST-ONLY consumer key and secret.
pub fn pesapal_config(sandbox: &Sandbox) -> PesapalConfig {
    PesapalConfig::custom(
        credentials::PESAPAL_CONSUMER_KEY,
        credentials::PESAPAL_CONSUMER_SECRET,
        &sandbox.pesapal_base_url(),
        UrlPolicy::Local,
    )
    .expect("a PesaPal configuration for the sandbox")
}

/// AzamPay at the sandbox's three hosts, with its TEST-ONLY app, client and API key.
pub fn azampay_config(sandbox: &Sandbox) -> AzampayConfig {
    AzampayConfig::custom(
        credentials::AZAMPAY_APP_NAME,
        credentials::AZAMPAY_CLIENT_ID,
        Secret::new(credentials::AZAMPAY_CLIENT_SECRET),
        AzampayEndpoints {
            auth: &sandbox.azampay_auth_base_url(),
            checkout: &sandbox.azampay_checkout_base_url(),
            disbursement: &sandbox.azampay_disbursement_base_url(),
        },
        UrlPolicy::Local,
    )
    .expect("an AzamPay configuration for the sandbox")
    .with_api_key(Secret::new(credentials::AZAMPAY_API_KEY))
}

/// ClickPesa at the sandbox, with its TEST-ONLY client id, API key and checksum
/// key (the sandbox verifies request checksums with the same key).
pub fn clickpesa_config(sandbox: &Sandbox) -> ClickpesaConfig {
    clickpesa_config_without_checksum(sandbox)
        .with_checksum_key(Secret::new(credentials::CLICKPESA_CHECKSUM_KEY))
}

/// ClickPesa at the sandbox without a checksum key.
pub fn clickpesa_config_without_checksum(sandbox: &Sandbox) -> ClickpesaConfig {
    ClickpesaConfig::custom(
        credentials::CLICKPESA_CLIENT_ID,
        Secret::new(credentials::CLICKPESA_API_KEY),
        &sandbox.clickpesa_base_url(),
        UrlPolicy::Local,
    )
    .expect("a ClickPesa configuration for the sandbox")
}

/// M-Pesa (Daraja) at the sandbox, with its TEST-ONLY consumer key and secret, the
/// Express shortcode `174379` and its passkey, and the initiator (shortcode, name,
/// password and the sandbox's TEST-ONLY certificate).
pub fn mpesa_config(sandbox: &Sandbox) -> finconnect::mpesa::MpesaConfig {
    use finconnect::mpesa::{Initiator, MpesaConfig, Shortcode};
    let initiator = Initiator::new(
        Shortcode::new(credentials::MPESA_SHORTCODE).expect("a shortcode"),
        credentials::MPESA_INITIATOR_NAME,
        Secret::new(credentials::MPESA_INITIATOR_PASSWORD),
        credentials::MPESA_CERTIFICATE_PEM,
    )
    .expect("the sandbox initiator");
    MpesaConfig::custom(
        Secret::new(credentials::MPESA_CONSUMER_KEY),
        Secret::new(credentials::MPESA_CONSUMER_SECRET),
        &sandbox.mpesa_base_url(),
        UrlPolicy::Local,
    )
    .expect("an M-Pesa configuration for the sandbox")
    .with_express(
        Shortcode::new(credentials::MPESA_EXPRESS_SHORTCODE).expect("a shortcode"),
        Secret::new(credentials::MPESA_EXPRESS_PASSKEY),
    )
    .expect("the Express shortcode")
    .with_initiator(initiator)
}

/// The ClickPesa checksum key the sandbox signs webhooks with.
pub fn clickpesa_checksum_key() -> Secret {
    Secret::new(credentials::CLICKPESA_CHECKSUM_KEY)
}

/// Parses a PesaPal notification the way a merchant's handler would: the query
/// of a GET, the body of a POST.
pub fn pesapal_notification(received: &Received) -> pesapal::Notification {
    pesapal::Notification::from_request(&received.to_http())
        .unwrap_or_else(|e| panic!("not a PesaPal notification ({e}): {received:?}"))
}

/// Instantiates `async fn name<A: Adapter>()` scenarios as `#[tokio::test]`s for
/// both adapters: `over_reqwest::name` and `over_hyper::name`. Attributes
/// (`#[ignore = "…"]`) may precede a name.
///
/// ```
/// async fn pays<A: finconnect_tests::Adapter>() { /* … */ }
/// finconnect_tests::conformance!(pays);
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! conformance {
    ($( $(#[$attr:meta])* $name:ident ),* $(,)?) => {
        /// The scenarios over `finconnect-reqwest`.
        mod over_reqwest {
            $(
                $(#[$attr])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name::<$crate::Reqwest>().await
                }
            )*
        }
        /// The scenarios over `finconnect-hyper`.
        mod over_hyper {
            $(
                $(#[$attr])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name::<$crate::Hyper>().await
                }
            )*
        }
    };
}
