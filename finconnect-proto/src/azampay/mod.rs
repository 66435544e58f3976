//! AzamPay (Tanzania): checkout, disbursement and signed callbacks.
//!
//! Operations for AzamPay's authenticator, checkout and disbursement hosts, and
//! the collection-callback verifier. Each operation's `NAME` (in logs and errors)
//! is the end of its documented path: the last segment, or the last two where
//! the last alone is shared (`mno/checkout`, `bank/checkout`).
//!
//! | Operation | `NAME` | Endpoint | Idempotency |
//! |---|---|---|---|
//! | [`GenerateToken`] | `GenerateToken` | `POST {auth}/AppRegistration/GenerateToken` | idempotent |
//! | [`MnoCheckout`] | `mno/checkout` | `POST {checkout}/azampay/mno/checkout` | **not** |
//! | [`BankCheckout`] | `bank/checkout` | `POST {checkout}/azampay/bank/checkout` | **not** |
//! | [`PostCheckout`] | `PostCheckout` | `POST {checkout}/api/v1/Partner/PostCheckout` | **not** |
//! | [`GetPaymentPartners`] | `GetPaymentPartners` | `GET {checkout}/api/v1/Partner/GetPaymentPartners` | idempotent |
//! | [`TransactionStatus`] (**unofficial**) | `gettransactionstatus` | `GET {checkout}/api/v1/partner/gettransactionstatus` | idempotent |
//! | [`Disburse`] | `disburse` | `POST {disbursement}/api/v1/azampay/disburse` (or legacy) | **not** |
//! | [`NameLookup`] | `namelookup` | `POST {disbursement}/api/v1/azampay/namelookup` (or legacy) | idempotent |
//! | [`DisbursementStatus`] | `transactionstatus` | `GET {disbursement}/api/v1/azampay/transactionstatus` (or legacy) | idempotent |
//! | [`GetPublicKey`] | `public-key` | `GET {checkout}/azampay/v1/public-key?format=Pem` (or alternative) | idempotent |
//!
//! Request builders take their arguments in one order: your reference, the
//! amount, the accounts or people, the operator or bank, then the rest.
//!
//! Uncertain parts (the public-key path, the status query, the disbursement path
//! generation and production host) are configurable on [`AzampayConfig`].
//!
//! ## Callbacks
//!
//! AzamPay documents an RSASSA-PKCS1-v1_5 / SHA-256 signature in the body field
//! `signature` (strict standard base64) over `utilityref ‖ externalreference ‖
//! transactionstatus ‖ operator` (absent/null ⇒ empty). The documentation also
//! mentions a two-field variant; finconnect does **not** fall back to it.
//! No real callback carrying a signature has been observed, so by default an
//! unsigned (or invalid) callback is only a *trigger*: confirm it with the status
//! query before crediting. Only a [`VerifiedCallback`] reports a
//! [`PaymentStatus`](crate::PaymentStatus); a [`CallbackEvent`] only *claims* one.
//!
//! Policy for `signature: ""`: **Invalid** (a present signature field is checked
//! strictly, never treated as absent). A signature containing whitespace or line
//! breaks is Invalid too (strict base64).
//!
//! Nothing time-bound is signed, so deduplicate with
//! [`VerifiedCallback::dedupe_key`], and reconcile `utilityref` and the (unsigned)
//! `amount` with your order ([`VerifiedCallback::reconcile`]).
//!
//! ```
//! use finconnect_proto::azampay::{
//!     parse_callback, AzampayConfig, CallbackPolicy, Checked, RsaVerifier, callback_ack,
//! };
//! use finconnect_proto::{Currency, Money, PaymentStatus};
//!
//! // The key AzamPay gave you, pinned in the configuration. (This one is the
//! // project's test key, not AzamPay's.)
//! const PEM: &str = "-----BEGIN PUBLIC KEY-----
//! MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1v7sHLV+K/Vujij1LZpP
//! kehYRioruB+dJKo+aB7nyPV2haWqnKuuKrOP/SEfm8BLa+ZzooDNUF9cgfmfG+50
//! yoM7sI3CjFN4YiPZX58vxhFsQAu+nEk2hKQ0nr0RGdoxgcz19MkgbbKQwzNBza0R
//! ZUAW5tMVkChljtrRUptmg4/2KmwCA6pQMt6ffHnd5eZJXkdDHupBAywBYGRMn+6q
//! BbIMu500QtVxpL1vyRDU3Zr+Aw8nlQ3cEKeotU5AYwyp0PfmVIPu+Q2b95yqh63N
//! VLL6Bz4mJMO5K7g77QtpTFRChgXeDeRztQ7TCoqHhF6BRVwfkyNbCLj5RfLQpFgY
//! rwIDAQAB
//! -----END PUBLIC KEY-----";
//! let config = AzampayConfig::sandbox("DemoApp", "client-id", "secret")?
//!     .with_pinned_public_key(PEM)?;
//! // Parse the key into a verifier once, at start-up, and reuse it.
//! let verifier = RsaVerifier::new(config.pinned_public_key().expect("pinned above"));
//!
//! let body = br#"{"transactionstatus":"success","operator":"Airtel",
//!   "externalreference":"pg-ref-001","utilityref":"vendor-ref-001","amount":"1000",
//!   "transid":"pg-ref-001","signature":"VTiXQ3v3NRtuR/QdPnpgiAfxjkZcLramCCQitI70Q7K7jlWatO9+f4VyId0JKe2xkJ5RdDSeU6lXQQvtyJprMafhiy8YMA6II5u2UmqAEPAYEx6dBvJ1yZwwGmcofayeol1jwJTAKgu6qvBXe+sXji1kg2RoxrtMqPfKsbVMdwDuHgXMtzBq39OHHtHCR2fXDAaD8Dm9f6f6jUYTPclV2UxSQmQm8j8a1wkFBhvxbcp/YLm6RnKeyRVWqN+vhW0sl2MDOFB7RYewwOi/lElrjInExZvjrYJMUQoJ/1OYxbA69c1mM272ugCwesKfBwSrIOHyyGeUmtWYx56FJ9zGWQ=="}"#;
//!
//! let event = parse_callback(body)?;
//! match event.check(&verifier).apply(CallbackPolicy::default())? {
//!     Some(verified) => {
//!         // Signed: still match it against your own order record.
//!         verified.reconcile("vendor-ref-001", Money::from_major(1000, Currency::TZS)?)?;
//!         let _key = verified.dedupe_key(); // skip it if already processed
//!         assert_eq!(verified.status(), PaymentStatus::Completed);
//!     }
//!     None => {
//!         // Unsigned or invalid: a trigger only. The safe path: ask AzamPay.
//!         // let status_op = event.status_query()?;  // drive it with your adapter
//!         unreachable!("this example is signed");
//!     }
//! }
//! let reply = callback_ack(); // HTTP 200 `{}`
//! assert_eq!(reply.status(), 200);
//!
//! // The same body without its signature is never "completed": it is Unsigned,
//! // and its status is only a claim until the status query confirms it.
//! let unsigned = parse_callback(br#"{"transactionstatus":"success","utilityref":"vendor-ref-001",
//!   "operator":"Airtel","transid":"pg-ref-001"}"#)?;
//! let checked = unsigned.check(&verifier);
//! assert!(matches!(checked, Checked::Unsigned(_)));
//! let confirm = checked.event().status_query()?; // a TransactionStatus operation
//! # let _ = confirm;
//! assert!(checked.apply(CallbackPolicy::default())?.is_none());
//! # Ok::<(), finconnect_proto::Error>(())
//! ```
//!
//! With a fetched key instead of a pinned one, keep a [`PublicKeyCache`] of
//! verifiers: [`PublicKeyCache::decide`] says whether to fetch ([`GetPublicKey`]),
//! and on an Invalid verdict [`PublicKeyCache::on_invalid`] allows at most one
//! re-fetch per interval, after which the callback is verified once more.
//!
//! [`AzampayConfig`]: crate::azampay::AzampayConfig
//! [`BankCheckout`]: crate::azampay::BankCheckout
//! [`CallbackEvent`]: crate::azampay::CallbackEvent
//! [`Disburse`]: crate::azampay::Disburse
//! [`DisbursementStatus`]: crate::azampay::DisbursementStatus
//! [`GenerateToken`]: crate::azampay::GenerateToken
//! [`GetPaymentPartners`]: crate::azampay::GetPaymentPartners
//! [`GetPublicKey`]: crate::azampay::GetPublicKey
//! [`MnoCheckout`]: crate::azampay::MnoCheckout
//! [`NameLookup`]: crate::azampay::NameLookup
//! [`PostCheckout`]: crate::azampay::PostCheckout
//! [`PublicKeyCache`]: crate::azampay::PublicKeyCache
//! [`PublicKeyCache::decide`]: crate::azampay::PublicKeyCache::decide
//! [`PublicKeyCache::on_invalid`]: crate::azampay::PublicKeyCache::on_invalid
//! [`TransactionStatus`]: crate::azampay::TransactionStatus
//! [`VerifiedCallback`]: crate::azampay::VerifiedCallback
//! [`VerifiedCallback::reconcile`]: crate::azampay::VerifiedCallback::reconcile

mod callback;
mod checkout;
mod config;
mod disburse;
mod disburse_callback;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod harness;
mod hosted;
mod key_cache;
mod public_key;
mod status;
mod token;
mod verifier;
mod wire;

pub use callback::{
    callback_ack, parse_callback, CallbackEvent, CallbackPolicy, Checked, ClaimedOutcome, Verdict,
    VerifiedCallback,
};
pub use checkout::{
    BankCheckout, BankProvider, CheckoutAccepted, MnoCheckout, MnoProvider,
    MAX_ADDITIONAL_PROPERTIES, MAX_CHECKOUT_TZS,
};
pub use config::{
    AmountEncoding, AzampayConfig, AzampayEndpoints, DisbursementGeneration, PublicKeyLocation,
    DEFAULT_STATUS_PATH, LIVE_ENDPOINTS, SANDBOX_ENDPOINTS,
};
pub use disburse::{
    disbursement_checksum, AccountName, Disburse, DisbursementAccepted, DisbursementStatus,
    NameLookup, Party, PayoutState, Wallet,
};
pub use disburse_callback::{parse_disbursement_callback, DisbursementCallback};
pub use hosted::{GetPaymentPartners, PaymentPartner, PostCheckout};
pub use key_cache::{KeyDecision, PublicKeyCache, RefetchDecision};
pub use public_key::{
    parse_public_key_response, AzampayPublicKey, GetPublicKey, KeyFormat, MIN_KEY_BITS,
};
pub use status::{CollectionStatus, TransactionStatus};
pub use token::{GenerateToken, FALLBACK_TOKEN_LIFETIME};
#[cfg(feature = "ring")]
pub use verifier::RingVerifier;
pub use verifier::{default_verifier, RsaVerifier, Verifier};
