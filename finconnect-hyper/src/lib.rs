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

pub use finconnect as proto;
use finconnect::driver::{Driver, MemoryTokenStore};
use std::sync::Arc;

/// The https connector used by default (rustls, webpki roots).
pub type HttpsConnector =
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>;

/// A client for one provider account over hyper: `client.execute(operation)` runs
/// any operation of `finconnect-proto`.
pub type Client<A, C = HttpsConnector> = Driver<A, HyperTransport<C>>;

/// An https client with default [`Options`].
pub fn client<A>(api: A) -> Client<A>
where
    A: finconnect::Api + Send + Sync,
{
    let options = Options::default();
    let retry = options.retry;
    Driver::with_store(
        api,
        HyperTransport::https(&options),
        Arc::new(MemoryTokenStore::default()),
        retry,
    )
}

/// A client over any transport built with [`HyperTransport`] and [`Options`].
pub fn client_with<A, C>(api: A, transport: HyperTransport<C>, options: &Options) -> Client<A, C>
where
    A: finconnect::Api + Send + Sync,
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    Driver::with_store(
        api,
        transport,
        Arc::new(MemoryTokenStore::default()),
        options.retry,
    )
}

/// The provider-agnostic facade over hyper (the original SDK's shape);
/// `CallbackService::new(sdk.clone(), handler)` receives that provider's callbacks.
pub type FintechSdk<C = HttpsConnector> = finconnect::sdk::FintechSdk<HyperTransport<C>>;

/// The facade over https with default [`Options`].
pub fn fintech_sdk(
    config: finconnect::sdk::ProviderConfig,
) -> Result<FintechSdk, finconnect::Error> {
    let options = Options::default();
    finconnect::sdk::FintechSdk::with_driver_options(
        config,
        HyperTransport::https(&options),
        options.retry,
    )
}

/// The facade over a transport you built (plain HTTP for the local sandbox:
/// `HyperTransport::http(&options)`).
pub fn fintech_sdk_with<C>(
    config: finconnect::sdk::ProviderConfig,
    transport: HyperTransport<C>,
    options: &Options,
) -> Result<FintechSdk<C>, finconnect::Error>
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    finconnect::sdk::FintechSdk::with_driver_options(config, transport, options.retry)
}
