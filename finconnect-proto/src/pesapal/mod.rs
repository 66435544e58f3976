//! PesaPal API 3.0 (JSON): every merchant endpoint as an [`Operation`](crate::Operation), the IPN
//! parser and acknowledgement, and reconciliation.
//!
//! | Operation | Endpoint | Idempotency |
//! |---|---|---|
//! | [`RequestToken`] | `POST /api/Auth/RequestToken` | idempotent (driven by [`Call`](crate::Call)) |
//! | [`RegisterIpn`] | `POST /api/URLSetup/RegisterIPN` | idempotent |
//! | [`GetIpnList`] | `GET /api/URLSetup/GetIpnList` | idempotent |
//! | [`SubmitOrder`] | `POST /api/Transactions/SubmitOrderRequest` | **non-idempotent** |
//! | [`GetTransactionStatus`] | `GET /api/Transactions/GetTransactionStatus` | idempotent |
//! | [`RefundRequest`] | `POST /api/Transactions/RefundRequest` | **non-idempotent** |
//! | [`CancelOrder`] | `POST /api/Transactions/CancelOrder` | **non-idempotent** |
//! | [`ConfirmNotification`] | GetTransactionStatus for an IPN | idempotent |
//!
//! PesaPal's quirks are absorbed here: the body is read for every HTTP status
//! (errors usually come with HTTP 200 and `"status":"500"`); `status` may be a
//! string or a number; the error kind is `error_type` (or `type`); an all-null
//! error object is no error; a pending payment (`status_code` 0 with
//! `payment_details_not_found`) is [`PaymentStatus::Pending`](crate::PaymentStatus),
//! never failed; `ipn_status_decription` is read in both spellings; amounts
//! arrive as float numbers or strings and are decoded exactly; unknown fields are
//! ignored; a Cloudflare HTML page is an [`Error::Decode`](crate::Error::Decode).
//!
//! Business refusals of refunds and cancellations are [`Error::Provider`](crate::Error::Provider)
//! with finconnect's own [`codes`]; [`RefundRefusal::of`] and [`CancelRefusal::of`]
//! turn them into enums.
//!
//! # Example (sans-IO)
//!
//! Build a SubmitOrder request and read a canned answer through the [`Call`](crate::Call)
//! driver, with a closure as the "HTTP client":
//!
//! ```
//! use finconnect_proto::call::{drive_blocking, Call};
//! use finconnect_proto::pesapal::{BillingAddress, IpnId, Order, PesapalConfig, SubmitOrder};
//! use finconnect_proto::{Currency, Description, MerchantReference, Money};
//! use std::time::{Duration, SystemTime};
//!
//! let api = PesapalConfig::sandbox("consumer-key", "consumer-secret")?;
//! let order = Order::new(
//!     MerchantReference::new("ORDER-42")?,
//!     Money::from_decimal_str("100.50", Currency::KES)?,
//!     Description::new("Two books")?,
//!     "https://shop.example/paid",
//!     BillingAddress::email("jane@example.com"),
//! )?;
//! let op = SubmitOrder::new(order, IpnId::new("1da86d1c-1e8c-4183-bdfd-dd759463e4ce")?);
//!
//! let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_710_775_000);
//! let mut sent = Vec::new();
//! let (submitted, fresh_token) = drive_blocking(
//!     Call::new(&api, op, None),
//!     |request| {
//!         let path = request.uri().path().to_owned();
//!         sent.push((request.method().clone(), path.clone()));
//!         let body: &[u8] = if path.ends_with("/RequestToken") {
//!             br#"{"token":"t0k3n","expiryDate":"2024-03-18T16:25:45.7793772Z","error":null,"status":"200"}"#
//!         } else {
//!             assert!(std::str::from_utf8(request.body()).unwrap().contains(r#""amount":100.5,"#));
//!             br#"{"order_tracking_id":"96a5e1d9-f711-4423-82ce-dd758f972713","merchant_reference":"ORDER-42","redirect_url":"https://cybqa.pesapal.com/pesapaliframe/PesapalIframe3/Index?OrderTrackingId=96a5e1d9-f711-4423-82ce-dd758f972713","error":null,"status":"200"}"#
//!         };
//!         Ok(http::Response::new(body.to_vec()))
//!     },
//!     |_| {},
//!     || now,
//! )?;
//! assert_eq!(sent.len(), 2); // token, then the order
//! assert_eq!(sent[1].1, "/pesapalv3/api/Transactions/SubmitOrderRequest");
//! assert_eq!(submitted.order_tracking_id.as_str(), "96a5e1d9-f711-4423-82ce-dd758f972713");
//! assert!(fresh_token.is_some()); // cache it for the next call
//! # Ok::<(), finconnect_proto::Error>(())
//! ```

mod auth;
mod config;
mod fields;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod harness;
mod ipn;
mod ipn_setup;
mod order;
mod refund;
mod status;
mod wire;

pub use auth::RequestToken;
pub use config::{Environment, PesapalConfig};
pub use ipn::{Ack, ConfirmNotification, Confirmed, Notification, NotificationKind};
pub use ipn_setup::{GetIpnList, IpnId, IpnMethod, IpnRegistration, RegisterIpn};
pub use order::{
    format_dd_mm_yyyy, BillingAddress, Frequency, Order, OrderTrackingId, RedirectMode,
    SubmitOrder, SubmittedOrder, SubscriptionDetails,
};
pub use refund::{Accepted, CancelOrder, CancelRefusal, RefundRefusal, RefundRequest};
pub use status::{GetTransactionStatus, Mismatch, SubscriptionTransactionInfo, TransactionStatus};
pub use wire::codes;
