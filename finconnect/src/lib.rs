//! # finconnect
//!
//! The runtime-agnostic async layer of finconnect, between the sans-IO core
//! ([`finconnect_proto`], re-exported here) and the adapters
//! (`finconnect-reqwest`, `finconnect-hyper`) — the quinn-proto → quinn split:
//! the core knows the protocols, this crate runs them on any async runtime, and
//! an adapter is only a way to send bytes.
//!
//! - [`driver`]: the [`Transport`](driver::Transport) an HTTP stack implements
//!   (send, sleep, now, seed), the one async drive loop ([`driver::Driver`]) and
//!   token stores with single flight;
//! - [`sdk`]: the provider-agnostic facade [`sdk::FintechSdk`] (`register_ipn`,
//!   `pay`, `status`, callbacks) and the [`sdk::CallbackInbox`] that receives
//!   notifications without losing one.
//!
//! Nothing here names an async runtime: it uses only `std` futures and
//! runtime-neutral locks, so the same code runs under tokio, async-std or a
//! test's hand-made executor.
//!
//! ## Which crate to depend on
//!
//! Most services want an adapter, which re-exports this crate:
//! `finconnect-reqwest` for the quickest start (it builds its own reqwest
//! client), `finconnect-hyper` if you already run hyper or axum, want to choose
//! the connector, or want its `CallbackService` to receive IPNs. Depend on this
//! crate directly to drive the SDK over an HTTP stack of your own: implement
//! [`Transport`](driver::Transport), then use [`driver::Driver`] or
//! [`sdk::FintechSdk`] over it.
//!
//! ## Example: your own transport
//!
//! A transport that answers from memory stands in for an HTTP client here. Two
//! status queries run concurrently on one [`driver::Driver`]; they share one
//! token, fetched once:
//!
//! ```
//! use finconnect::driver::{Driver, Transport, TransportFailure};
//! use finconnect::pesapal::{GetTransactionStatus, OrderTrackingId, PesapalConfig};
//! use finconnect::PaymentStatus;
//! use std::sync::Mutex;
//! use std::time::{Duration, SystemTime};
//!
//! /// Answers PesaPal's token and status requests itself, and logs the paths.
//! struct Canned(Mutex<Vec<String>>);
//!
//! impl Transport for Canned {
//!     async fn send(
//!         &self,
//!         request: http::Request<Vec<u8>>,
//!     ) -> Result<http::Response<Vec<u8>>, TransportFailure> {
//!         let path = request.uri().path().to_owned();
//!         self.0.lock().unwrap().push(path.clone());
//!         let body: &[u8] = if path.ends_with("/RequestToken") {
//!             br#"{"token":"t0k3n","expiryDate":"2030-01-01T00:00:00Z","error":null,"status":"200"}"#
//!         } else {
//!             br#"{"payment_status_description":"Completed","status_code":1,"amount":1000.0,
//!                 "currency":"TZS","merchant_reference":"TX-1","error":null,"status":"200"}"#
//!         };
//!         Ok(http::Response::new(body.to_vec()))
//!     }
//!     async fn sleep(&self, _delay: Duration) {} // a real one: the runtime's timer
//!     fn now(&self) -> SystemTime {
//!         SystemTime::UNIX_EPOCH + Duration::from_secs(1_710_775_000)
//!     }
//!     fn seed(&self) -> u64 {
//!         7 // a real one: a random number, for retry jitter
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), finconnect::Error> {
//!     let api = PesapalConfig::sandbox("consumer-key", "consumer-secret")?;
//!     let driver = Driver::new(api, Canned(Mutex::new(Vec::new())));
//!     let id = OrderTrackingId::new("dbc707c0-49be-43c8-823b-db1c193d0cfb")?;
//!     let (a, b) = tokio::join!(
//!         driver.execute(GetTransactionStatus::new(id.clone())),
//!         driver.execute(GetTransactionStatus::new(id)),
//!     );
//!     assert_eq!(a?.status, PaymentStatus::Completed);
//!     assert_eq!(b?.status, PaymentStatus::Completed);
//!     let sent = driver.transport().0.lock().unwrap().clone();
//!     let token_requests = sent.iter().filter(|p| p.ends_with("/RequestToken")).count();
//!     assert_eq!((sent.len(), token_requests), (3, 1));
//!     Ok(())
//! }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod driver;
pub mod sdk;
mod single_flight;

/// The sans-IO core, whole.
pub use finconnect_proto as proto;
pub use finconnect_proto::{
    azampay, call, clickpesa, ct, mpesa, operation, outcome, pesapal, retry, snippet, types,
    AccessToken, Api, Body, Call, Currency, DedupeKey, Description, Error, Expiry, FieldProblem,
    Host, HttpsUrl, Idempotency, MerchantReference, Money, Msisdn, Operation, Parts, PaymentStatus,
    Provider, RetryPolicy, Secret, Step, TokenGrant, UrlPolicy, MAX_CALLBACK_BODY, SNIPPET_LIMIT,
};

/// Polls a future that never waits to its end (unit tests of pure async code).
#[cfg(test)]
pub(crate) fn block_on_ready<F: std::future::Future>(f: F) -> F::Output {
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut f = std::pin::pin!(f);
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}
