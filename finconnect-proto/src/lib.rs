//! # finconnect-proto
//!
//! The sans-IO protocol core of finconnect: typed operations for **PesaPal API
//! 3.0**, **AzamPay**, **ClickPesa** and **M-Pesa (Daraja)** that become
//! [`http::Request`] values and read [`http::Response`] values, a [`Call`] state
//! machine that asks for tokens and retries only what is safe, and verifiers for
//! the callbacks the providers send back.
//!
//! Nothing here opens a socket, reads a clock or draws a random number: time and
//! randomness are arguments, so any HTTP stack can drive it and tests run on a
//! virtual clock.
//!
//! ## Which crate to depend on
//!
//! - This one, when you bring the HTTP client: a blocking client (ureq, curl,
//!   plain sockets), WASM `fetch`, or a test closure — [`call::drive_blocking`] is
//!   the whole loop. It has no async runtime and no HTTP client among its
//!   dependencies.
//! - `finconnect-reqwest`, for the quickest start in async Rust: the facade
//!   over a reqwest client it builds for you.
//! - `finconnect-hyper`, when you already run hyper or axum, want to choose the
//!   connector, or want its callback service to receive IPNs.
//! - `finconnect` (the async layer both adapters use), to write an async
//!   transport of your own.
//!
//! ## Example: a status query over a closure
//!
//! The closure is the HTTP client. The [`Call`] first asks for a token (PesaPal's
//! RequestToken), then sends the query with it, and reads the answer:
//!
//! ```
//! use finconnect_proto::call::{drive_blocking, Call};
//! use finconnect_proto::pesapal::{GetTransactionStatus, OrderTrackingId, PesapalConfig};
//! use finconnect_proto::{Currency, Money, PaymentStatus};
//! use std::time::{Duration, SystemTime};
//!
//! # fn main() -> Result<(), finconnect_proto::Error> {
//! let api = PesapalConfig::sandbox("consumer-key", "consumer-secret")?;
//! let query = GetTransactionStatus::new(OrderTrackingId::new("dbc707c0-49be-43c8-823b-db1c193d0cfb")?);
//!
//! let mut sent = Vec::new();
//! let (status, fresh_token) = drive_blocking(
//!     Call::new(&api, query, None), // no cached token yet
//!     |request| {
//!         sent.push(format!("{} {}", request.method(), request.uri().path()));
//!         let body: &[u8] = if request.uri().path().ends_with("/RequestToken") {
//!             br#"{"token":"t0k3n","expiryDate":"2024-03-18T16:25:45.7793772Z","error":null,"status":"200"}"#
//!         } else {
//!             assert_eq!(request.headers()["authorization"], "Bearer t0k3n");
//!             br#"{"payment_method":"Visa","amount":1000.0,"payment_status_description":"Completed",
//!                 "status_code":1,"merchant_reference":"TX-1","currency":"TZS",
//!                 "order_tracking_id":"dbc707c0-49be-43c8-823b-db1c193d0cfb",
//!                 "error":{"error_type":null,"code":null,"message":null},"status":"200"}"#
//!         };
//!         Ok(http::Response::new(body.to_vec()))
//!     },
//!     |_delay| {},                                                          // sleep
//!     || SystemTime::UNIX_EPOCH + Duration::from_secs(1_710_775_000), // now
//! )?;
//! assert_eq!(sent, [
//!     "POST /pesapalv3/api/Auth/RequestToken",
//!     "GET /pesapalv3/api/Transactions/GetTransactionStatus",
//! ]);
//! assert_eq!(status.status, PaymentStatus::Completed);
//! assert_eq!(status.amount, Some(Money::from_major(1000, Currency::TZS)?));
//! assert!(fresh_token.is_some()); // keep it for the next call
//! # Ok(())
//! # }
//! ```
//!
//! `examples/custom_transport.rs` does the same with a thirty-line blocking
//! socket client of its own (the example brings the I/O; this crate has none)
//! against the local sandbox.
//!
//! ## Where things are
//!
//! - [`pesapal`], [`azampay`], [`clickpesa`], [`mpesa`]: every operation of each
//!   provider, and their callback parsers and verifiers;
//! - [`call`]: the state machine for one operation, and [`call::drive_blocking`];
//! - [`outcome`]: which answers prove that nothing was charged (everything else is
//!   [`Error::OutcomeUnknown`]: query the status);
//! - [`Money`] (integer minor units and a [`Currency`]), [`Secret`] (redacted
//!   `Debug`), and one [`Error`] for every failure.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod azampay;
pub mod call;
pub mod clickpesa;
pub mod ct;
mod dedupe_key;
mod error;
/// Fuzz harnesses (not part of the API): built only with the `fuzzing` feature,
/// which the fuzz targets and the corpus replay test turn on.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod harness;
mod money;
pub mod mpesa;
pub mod operation;
pub mod outcome;
pub mod pesapal;
mod provider;
pub mod retry;
mod secret;
mod status;
mod token;
pub mod types;
pub mod wire;

pub use call::{Call, Step};
pub use dedupe_key::DedupeKey;
pub use error::{snippet, Error, FieldProblem, SNIPPET_LIMIT};
pub use money::{Currency, Money};
pub use operation::{Api, Body, Host, Operation, Parts};
pub use provider::Provider;
pub use retry::{Idempotency, RetryPolicy};
pub use secret::Secret;
pub use status::PaymentStatus;
pub use token::{AccessToken, Expiry, TokenGrant};
pub use types::{Description, HttpsUrl, MerchantReference, Msisdn, UrlPolicy};
pub use wire::MAX_CALLBACK_BODY;
