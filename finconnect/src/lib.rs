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
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod driver;
pub mod sdk;
mod single_flight;

/// The sans-IO core, whole.
pub use finconnect_proto as proto;
pub use finconnect_proto::{
    azampay, call, clickpesa, ct, operation, outcome, pesapal, retry, snippet, types, AccessToken,
    Api, Body, Call, Currency, DedupeKey, Description, Error, Expiry, FieldProblem, Host, HttpsUrl,
    Idempotency, MerchantReference, Money, Msisdn, Operation, Parts, PaymentStatus, Provider,
    RetryPolicy, Secret, Step, TokenGrant, UrlPolicy, MAX_CALLBACK_BODY, SNIPPET_LIMIT,
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
