//! # finconnect-reqwest
//!
//! finconnect over [`reqwest`]: the quick way to take payments through PesaPal,
//! AzamPay and ClickPesa from async Rust.
//!
//! This crate is only a [`Transport`](finconnect::driver::Transport): it
//! sends the requests `finconnect-proto` writes, with timeouts, a bounded body,
//! no redirects, connection reuse and a `finconnect/<version>` User-Agent. Tokens
//! (single flight), retries (only what is safe) and parsing are the core's.
//!
//! reqwest is used with its default features off and rustls for TLS, so no
//! OpenSSL is needed.
//!
//! ## This crate or `finconnect-hyper`?
//!
//! Choose this one for the quickest start: one call builds the facade and its
//! own reqwest client, and nothing else about HTTP needs choosing. Choose
//! `finconnect-hyper` if your service already runs hyper or axum (one HTTP
//! stack, one connection pool), if you want to pick the connector (proxy, TLS
//! roots, a custom resolver), or for its `CallbackService`, which receives IPNs
//! and callbacks (with axum: `Router::route_service`). The two mix: this crate
//! for the calls, `finconnect_hyper::callback::CallbackService` for the route.
//!
//! ## Example: a PesaPal payment against the local sandbox
//!
//! [`fintech_sdk`] talks to the provider named by the configuration; here the
//! configuration points at the sandbox this crate's tests embed
//! (`PesapalConfig::sandbox(key, secret)` would use PesaPal's own test host,
//! `PesapalConfig::live` production):
//!
//! ```
//! use finconnect_reqwest::proto::pesapal::PesapalConfig;
//! use finconnect_reqwest::proto::{Currency, Money, PaymentStatus, Secret, UrlPolicy};
//! use finconnect_reqwest::sdk::{IpnMethod, Payment, ProviderConfig};
//! use finconnect_sandbox::{credentials, Outcome, ProviderName, Sandbox, SandboxConfig};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let sandbox = Sandbox::start(SandboxConfig::default()).await?;
//!     let config = PesapalConfig::custom(
//!         Secret::new(credentials::PESAPAL_CONSUMER_KEY),
//!         Secret::new(credentials::PESAPAL_CONSUMER_SECRET),
//!         &sandbox.pesapal_base_url(),
//!         UrlPolicy::Local, // allows http:// and 127.0.0.1
//!     )?;
//!     let sdk = finconnect_reqwest::fintech_sdk(ProviderConfig::Pesapal(config))?;
//!
//!     let ipn = sdk.register_ipn("http://127.0.0.1:9/ipn", IpnMethod::Get).await?;
//!     let payment = Payment::new("ORDER-1", Money::from_major(100, Currency::KES)?)?
//!         .description("Test order")?
//!         .email("payer@example.com")
//!         .callback_url("http://127.0.0.1:9/return");
//!     let started = sdk.pay(&payment, Some(ipn.ipn_id.as_str())).await?;
//!     println!("send the customer to {}", started.redirect_url.as_deref().unwrap_or("-"));
//!
//!     // The simulated customer pays (in a browser: the page at redirect_url).
//!     let tracking_id = started.provider_reference.clone().unwrap_or_default();
//!     sandbox.settle(ProviderName::Pesapal, &tracking_id, Outcome::Complete).await?;
//!     let report = sdk.status(&started).await?;
//!     assert_eq!(report.status, PaymentStatus::Completed);
//!     sandbox.shutdown().await;
//!     Ok(())
//! }
//! ```
//!
//! `examples/pesapal_flow.rs` adds the IPN, received at an axum route.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod transport;

/// How the client behaves (timeouts, body limit, retries, pool).
pub use finconnect::driver::ClientOptions as Options;
pub use transport::ReqwestTransport;

use finconnect::driver::Driver;
use finconnect::sdk::ProviderConfig;
/// The async layer and the core behind this adapter.
pub use finconnect::{self, proto, sdk};

/// A client for one provider account over reqwest: `client.execute(operation)`
/// runs any operation of the core.
pub type Client<A> = Driver<A, ReqwestTransport>;

/// A client with default [`Options`].
pub fn client<A: finconnect::Api + Send + Sync>(api: A) -> Result<Client<A>, finconnect::Error> {
    client_with(api, &Options::default())
}

/// A client with these [`Options`].
pub fn client_with<A: finconnect::Api + Send + Sync>(
    api: A,
    options: &Options,
) -> Result<Client<A>, finconnect::Error> {
    Ok(client_over(api, ReqwestTransport::new(options)?, options))
}

/// A client over a transport you built.
pub fn client_over<A: finconnect::Api + Send + Sync>(
    api: A,
    transport: ReqwestTransport,
    options: &Options,
) -> Client<A> {
    Driver::with_options(api, transport, options)
}

/// The provider-agnostic facade over reqwest (the original SDK's shape).
///
/// ```no_run
/// use finconnect_reqwest::proto::pesapal::PesapalConfig;
/// use finconnect_reqwest::sdk::{IpnMethod, Payment, ProviderConfig};
/// use finconnect_reqwest::proto::{Currency, Money, Secret};
/// # async fn run() -> Result<(), finconnect_reqwest::proto::Error> {
/// let config = PesapalConfig::sandbox(Secret::new("key"), Secret::new("secret"))?;
/// let sdk = finconnect_reqwest::fintech_sdk(ProviderConfig::Pesapal(config))?;
/// let ipn = sdk.register_ipn("https://shop.example/ipn", IpnMethod::Get).await?;
/// let payment = Payment::new("ORDER-1", Money::from_major(100, Currency::KES)?)?
///     .description("Test order")?
///     .email("payer@example.com")
///     .callback_url("https://shop.example/return");
/// let started = sdk.pay(&payment, Some(ipn.ipn_id.as_str())).await?;
/// println!("send the customer to {:?}", started.redirect_url);
/// # Ok(()) }
/// ```
pub type FintechSdk = finconnect::sdk::FintechSdk<ReqwestTransport>;

/// The facade with default [`Options`].
pub fn fintech_sdk(config: ProviderConfig) -> Result<FintechSdk, finconnect::Error> {
    fintech_sdk_with(config, &Options::default())
}

/// The facade with these [`Options`].
pub fn fintech_sdk_with(
    config: ProviderConfig,
    options: &Options,
) -> Result<FintechSdk, finconnect::Error> {
    fintech_sdk_over(config, ReqwestTransport::new(options)?, options)
}

/// The facade over a transport you built.
pub fn fintech_sdk_over(
    config: ProviderConfig,
    transport: ReqwestTransport,
    options: &Options,
) -> Result<FintechSdk, finconnect::Error> {
    finconnect::sdk::FintechSdk::with_options(config, transport, options)
}
