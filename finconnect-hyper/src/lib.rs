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
//!   bounds the body, verifies, answers at once and hands each new event to user
//!   code on its own task.
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
