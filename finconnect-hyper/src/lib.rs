//! # finconnect-hyper
//!
//! finconnect over hyper 1, for services already built on hyper (axum, tonic,
//! plain hyper):
//!
//! - a client: [`HyperTransport`] sends the requests `finconnect-proto` writes
//!   through a `hyper_util` client generic over its connector (https via rustls
//!   by default, plain HTTP for loopback tests); tokens, retries and parsing are
//!   the core's;
//! - a server side (module [`callback`]) that receives IPNs and callbacks: it
//!   bounds the body, verifies and confirms, hands each new event to your code
//!   once, and only then answers the provider. [`callback::CallbackService`] is
//!   both a hyper and a tower `Service`: axum mounts it with
//!   `Router::route_service("/ipn", service)`.
//!
//! ## This crate or `finconnect-reqwest`?
//!
//! Choose this one if you already run hyper or axum (one HTTP stack, one
//! connection pool), if you want to choose the connector
//! ([`HyperTransport::with_connector`]: a proxy, other TLS roots, a custom
//! resolver), or if you need the callback service. Choose `finconnect-reqwest`
//! for the quickest start: it builds its own client and there is nothing to
//! choose. The callback service works with either (it is generic over the
//! transport of the `FintechSdk` it confirms with).
//!
//! ## Example: an AzamPay checkout and its signed callback
//!
//! Against the local sandbox: the facade over plain HTTP
//! ([`HyperTransport::http`]; production uses [`fintech_sdk`], https), and a
//! [`CallbackService`](callback::CallbackService) that receives the callback,
//! verifies AzamPay's RSA signature and hands the event on:
//!
//! ```
//! use finconnect_hyper::callback::{serve, CallbackService};
//! use finconnect_hyper::proto::azampay::{AzampayConfig, AzampayEndpoints, MnoProvider};
//! use finconnect_hyper::proto::{Currency, Money, PaymentStatus, Secret, UrlPolicy};
//! use finconnect_hyper::sdk::{CallbackEvent, Payment, ProviderConfig, Trust};
//! use finconnect_hyper::{fintech_sdk_over, HyperTransport, Options};
//! use finconnect_sandbox::{credentials, Outcome, ProviderName, Sandbox, SandboxConfig};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let sandbox = Sandbox::start(SandboxConfig::default()).await?;
//!     let config = AzampayConfig::custom(
//!         credentials::AZAMPAY_APP_NAME,
//!         credentials::AZAMPAY_CLIENT_ID,
//!         Secret::new(credentials::AZAMPAY_CLIENT_SECRET),
//!         AzampayEndpoints {
//!             auth: &sandbox.azampay_auth_base_url(),
//!             checkout: &sandbox.azampay_checkout_base_url(),
//!             disbursement: &sandbox.azampay_disbursement_base_url(),
//!         },
//!         UrlPolicy::Local, // allows http:// and 127.0.0.1
//!     )?;
//!     let options = Options::default();
//!     let transport = HyperTransport::http(&options);
//!     let sdk = fintech_sdk_over(ProviderConfig::Azampay(config), transport, &options)?;
//!
//!     // The callback route: Ok from the handler is what acknowledges.
//!     let (tx, mut events) = tokio::sync::mpsc::channel(1);
//!     let service = CallbackService::new(sdk.clone(), move |event: CallbackEvent| {
//!         let tx = tx.clone();
//!         async move { tx.send(event).await.map_err(|_| "event queue closed") }
//!     });
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//!     let callback_url = format!("http://{}/azampay", listener.local_addr()?);
//!     sandbox.set_azampay_callback_url(Some(callback_url.parse()?)); // AzamPay: set in the portal
//!     tokio::spawn(serve(listener, service));
//!
//!     let payment = Payment::new("INV2026001", Money::from_major(15_000, Currency::TZS)?)?
//!         .phone("0712345678")
//!         .operator(MnoProvider::Airtel);
//!     sdk.pay(&payment, None).await?;
//!     sandbox.settle(ProviderName::Azampay, "INV2026001", Outcome::Complete).await?;
//!
//!     let event = events.recv().await.ok_or("no callback arrived")?;
//!     assert_eq!(event.facts.status, PaymentStatus::Completed);
//!     assert_eq!(event.trust, Trust::Signature);
//!     sandbox.shutdown().await;
//!     Ok(())
//! }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod callback;
mod transport;

/// How the client behaves (timeouts, body limit, retries, pool).
pub use finconnect::driver::ClientOptions as Options;
pub use transport::HyperTransport;

use finconnect::driver::Driver;
use finconnect::sdk::ProviderConfig;
/// The async layer and the core behind this adapter.
pub use finconnect::{self, proto, sdk};

/// The https connector used by default (rustls, webpki roots).
pub type HttpsConnector =
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>;

/// A client for one provider account over hyper: `client.execute(operation)` runs
/// any operation of the core.
pub type Client<A, C = HttpsConnector> = Driver<A, HyperTransport<C>>;

/// The provider-agnostic facade over hyper (the original SDK's shape);
/// `CallbackService::new(sdk.clone(), handler)` receives that provider's callbacks.
pub type FintechSdk<C = HttpsConnector> = finconnect::sdk::FintechSdk<HyperTransport<C>>;

/// An https client with default [`Options`].
pub fn client<A: finconnect::Api + Send + Sync>(api: A) -> Result<Client<A>, finconnect::Error> {
    client_with(api, &Options::default())
}

/// An https client with these [`Options`].
pub fn client_with<A: finconnect::Api + Send + Sync>(
    api: A,
    options: &Options,
) -> Result<Client<A>, finconnect::Error> {
    Ok(client_over(api, HyperTransport::https(options), options))
}

/// A client over a transport you built (plain HTTP for the local sandbox:
/// [`HyperTransport::http`]).
pub fn client_over<A, C>(api: A, transport: HyperTransport<C>, options: &Options) -> Client<A, C>
where
    A: finconnect::Api + Send + Sync,
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    Driver::with_options(api, transport, options)
}

/// The facade over https with default [`Options`].
pub fn fintech_sdk(config: ProviderConfig) -> Result<FintechSdk, finconnect::Error> {
    fintech_sdk_with(config, &Options::default())
}

/// The facade over https with these [`Options`].
pub fn fintech_sdk_with(
    config: ProviderConfig,
    options: &Options,
) -> Result<FintechSdk, finconnect::Error> {
    fintech_sdk_over(config, HyperTransport::https(options), options)
}

/// The facade over a transport you built (plain HTTP for the local sandbox:
/// [`HyperTransport::http`]).
pub fn fintech_sdk_over<C>(
    config: ProviderConfig,
    transport: HyperTransport<C>,
    options: &Options,
) -> Result<FintechSdk<C>, finconnect::Error>
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    finconnect::sdk::FintechSdk::with_options(config, transport, options)
}
