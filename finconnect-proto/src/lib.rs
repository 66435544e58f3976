//! # finconnect-proto
//!
//! The sans-IO protocol core of finconnect: typed operations for **PesaPal API
//! 3.0**, **AzamPay**, **ClickPesa** and **M-Pesa (Daraja)** that become
//! [`http::Request`] values and read [`http::Response`] values, a [`Call`] driver
//! that handles tokens and safe retries, and verifiers for the callbacks the
//! providers send back.
//!
//! Nothing here opens a socket, reads a clock or draws a random number: time and
//! randomness are arguments, so any HTTP stack can drive it and tests run on a
//! virtual clock. The adapter crates `finconnect-reqwest` and `finconnect-hyper`
//! are thin driver loops over this crate.
//!
//! Where to start:
//! - [`sdk::FintechSdk`]: the provider-agnostic facade (`register_ipn`, `pay`,
//!   `status`, `handle_callback`), generic over a [`driver::Transport`];
//! - [`pesapal`], [`azampay`], [`clickpesa`], [`mpesa`]: every operation of each
//!   provider, and their callback parsers and verifiers;
//! - [`call`]: the sans-IO state machine for one operation, with
//!   [`call::drive_blocking`] for blocking HTTP stacks; [`driver`]: the async loop
//!   with a single-flight token cache that both adapters use.
//!
//! Money is [`Money`] (integer minor units and a [`Currency`]); secrets are
//! [`Secret`] (redacted `Debug`); every failure is one [`Error`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

/// AzamPay (Tanzania): checkout, disbursement and signed callbacks.
pub mod azampay;
pub mod call;
/// ClickPesa: collections, payouts, checksums and webhooks.
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
