//! ClickPesa (Tanzania): USSD-push and card collections, hosted checkout links,
//! payouts to mobile money and banks, queries, balance and exchange rates, and
//! webhooks — over the third-party "CORE API" at
//! `https://api.clickpesa.com/third-parties`.
//!
//! **There is no sandbox**: every call to the default base URL moves real money.
//! Develop against the local simulator ([`ClickpesaConfig::custom`] with
//! [`UrlPolicy::Local`](crate::UrlPolicy::Local)), then test live
//! ([`ClickpesaConfig::live`]) with small amounts.
//!
//! - Authentication: [`GenerateToken`] sends the `client-id` and `api-key` headers;
//!   the token comes back already prefixed with `Bearer ` and is sent as is. It
//!   lives one hour (no expiry is returned) and is refreshed five minutes early.
//! - Request checksums: with [`ClickpesaConfig::with_checksum_key`], every
//!   JSON body is signed ([`sign`], [`JsValue`]); checking a bank account is not.
//! - Order references are letters and digits only ([`OrderReference`]); one can be
//!   used only once (a reuse is [`Error::DuplicateReference`]).
//! - Collection amounts are sent as strings, payout amounts as JSON numbers, both
//!   written from the exact decimal of the [`Money`](crate::Money).
//! - Webhooks: [`parse_webhook`], then [`Webhook::verify`]. There is no
//!   API to register a webhook URL: [`register_ipn_unsupported`].
//!
//! # Example
//!
//! Build a signed USSD push, then verify a webhook:
//!
//! ```
//! use finconnect_proto::clickpesa::{
//!     parse_webhook, ClickpesaConfig, InitiateUssdPush, OrderReference, Verdict,
//! };
//! use finconnect_proto::{AccessToken, Api, Currency, Money, Msisdn, Operation, PaymentStatus, Secret};
//! use std::time::{Duration, SystemTime};
//!
//! let config = ClickpesaConfig::live("IDclient", "api-key")?.with_checksum_key("secret-key");
//! let push = InitiateUssdPush::new(
//!     Money::from_major(1000, Currency::TZS)?,
//!     OrderReference::new("ORDER123")?,
//!     Msisdn::parse("0712 345 678", "255")?,
//! )?;
//! let token = AccessToken::new(Secret::new("Bearer eyJ..."), SystemTime::UNIX_EPOCH + Duration::from_secs(3600));
//! let request = config.finish(push.request(&config)?, Some(&token))?;
//! assert_eq!(request.uri(), "https://api.clickpesa.com/third-parties/payments/initiate-ussd-push-request");
//! assert_eq!(request.headers()["authorization"], "Bearer eyJ...");
//! let body: serde_json::Value = serde_json::from_slice(request.body())?;
//! assert_eq!(body["amount"], "1000");
//! assert_eq!(body["checksum"], "9d6548c3728f656cef3b7ecbdc781419cb3cf48662951666dc2187193d1b704f");
//!
//! // A webhook signed with the same key.
//! let delivery = br#"{"event":"PAYMENT RECEIVED","data":{"id":"ORD123456LCP7890","status":"SUCCESS",
//!   "paymentReference":"abc123def456ghi789","orderReference":"ORD123456","collectedAmount":"10000",
//!   "collectedCurrency":"TZS","message":"success","channel":"CRDB DIRECT DEBIT MANDATE",
//!   "createdAt":"2024-04-10T18:22:16.949Z","updatedAt":"2024-04-10T18:22:56.153Z",
//!   "customer":{"customerName":"John Doe","customerEmail":"john@example.com","customerPhoneNumber":"255700000000"}},
//!   "checksum":"8123ec10456bc1f6eb27871b82a5b5e4e3d4baafc36f8bef6d6cbac4539c5031"}"#;
//! let hook = parse_webhook(delivery)?;
//! assert_eq!(hook.verdict(&Secret::new("secret-key")), Verdict::Valid);
//! assert_eq!(hook.status(), PaymentStatus::Pending); // unverified: never "completed"
//! let verified = hook.verify(&Secret::new("secret-key"))?;
//! assert_eq!(verified.status(), PaymentStatus::Completed);
//! // A fixed-size key over checksum-covered fields and the verified status.
//! assert_eq!(verified.dedupe_key().to_string().len(), "clickpesa:".len() + 64);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Canonical JSON
//!
//! ClickPesa's server computes checksums over JavaScript's `JSON.stringify` of
//! the sorted payload, so [`JsValue`] reproduces it byte for byte (raw UTF-8
//! text, UTF-16 key order, `Number.prototype.toString` numbers) rather than
//! using `serde_json`'s writer; its documentation lists what is matched and what
//! is refused. Request bodies are built as `serde_json::Value`: integers are
//! `u64` and payout fractions `f64` parsed from at most 15 significant digits
//! (larger payout amounts are refused), so the `f64` is exact and the server
//! parses the same double from the bytes sent.

mod account;
mod auth;
mod canonical_json;
mod checksum;
mod config;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod harness;
mod models;
mod payments;
mod payouts;
mod reference;
mod webhook;
mod wire;

pub use account::{GetBalance, GetExchangeRates};
pub use auth::GenerateToken;
pub use canonical_json::{js_number_to_string, JsValue, MAX_JSON_DEPTH};
pub use checksum::{
    checksum, checksum_js, checksum_matches, checksum_of_bytes, hmac_hex, sign, signed_text,
    ChecksumMethod, CHECKSUM_FIELD, CHECKSUM_METHOD_FIELD,
};
pub use config::ClickpesaConfig;
pub use models::{
    to_money, Balance, Bank, Beneficiary, Customer, ExchangeRate, Payment, PaymentAttempts,
    PaymentLink, PaymentMethod, PaymentPage, PaymentPreview, Payout, PayoutAttempts, PayoutOrder,
    PayoutPage, PayoutPreview, SenderDetails,
};
pub use payments::{
    CardCustomer, CheckoutAmount, CheckoutItem, GenerateCheckoutLink, GetPayment,
    InitiateCardPayment, InitiateUssdPush, ListFilter, ListPayments, ListPayouts,
    PreviewCardPayment, PreviewUssdPush, SortOrder,
};
pub use payouts::{
    BankPayout, CreateBankPayout, CreateMobileMoneyPayout, GeneratePayoutLink, GetPayout,
    ListBanks, MobileMoneyPayout, PreviewBankPayout, PreviewMobileMoneyPayout, TransferType,
    VerifyBankAccount,
};
pub use reference::OrderReference;
pub use webhook::{
    dedupe_key, parse_webhook, Coverage, PayoutEvent, PayoutRefund, PayoutReversal, Verdict,
    Verified, Webhook, WebhookEvent,
};
pub use wire::{payment_status, payout_status};

use crate::{Error, Provider};

/// ClickPesa has no API to register a webhook (IPN) URL: URLs are set in the
/// dashboard (Settings → Developers, per merchant or per application). This is
/// the error a facade returns for "register IPN".
///
/// ```
/// let e = finconnect_proto::clickpesa::register_ipn_unsupported();
/// assert_eq!(e.to_string(), "IPN registration not supported by this provider (clickpesa)");
/// ```
pub fn register_ipn_unsupported() -> Error {
    Error::Unsupported {
        provider: Provider::Clickpesa,
        operation: "IPN registration",
    }
}
