//! # finconnect-sandbox
//!
//! A local, stateful simulator of the three providers finconnect speaks to —
//! **PesaPal API 3.0**, **AzamPay** and **ClickPesa** — served by one tokio + hyper 1 server
//! on `127.0.0.1`.
//!
//! It speaks each wire format *with its quirks* (string `status` fields, HTTP 200 bodies
//! carrying errors, `ipn_status_decription`, `Bearer `-prefixed ClickPesa tokens, …), issues
//! tokens that expire, keeps orders that a simulated customer completes or fails, delivers
//! notifications (PesaPal IPNs by GET or POST, AzamPay callbacks signed with the sandbox's own
//! RSA key, ClickPesa webhooks with a canonical checksum) and injects faults on demand.
//!
//! The crate deliberately does **not** depend on `finconnect-proto`: it reads and writes every
//! wire format on its own, so that a misreading of the protocol in the core cannot be mirrored
//! here and pass unnoticed.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use finconnect_sandbox::{Sandbox, SandboxConfig};
//! let sandbox = Sandbox::start(SandboxConfig::default()).await?;
//! println!("PesaPal base URL: {}", sandbox.pesapal_base_url());
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Besides the Rust API, a small HTTP control surface serves users who run the sandbox as a
//! process: `POST /_sandbox/settle` with `{"provider","reference","outcome"}` and
//! `GET /_sandbox/requests` (request counters per route) and `GET /_sandbox/deliveries`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod azampay;
mod clickpesa;
mod config;
mod control;
pub mod credentials;
mod delivery;
mod error;
mod faults;
mod http;
mod ids;
mod json;
mod pesapal;
mod route;
mod sandbox;
mod server;
mod state;

pub use config::{Outcome, SandboxConfig};
pub use delivery::DeliveryRecord;
pub use error::SandboxError;
pub use faults::Fault;
pub use route::{ProviderName, Route};
pub use sandbox::Sandbox;
