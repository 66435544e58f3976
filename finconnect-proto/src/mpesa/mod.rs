//! # M-Pesa (Safaricom Daraja, Kenya)
//!
//! Every Daraja endpoint finconnect speaks as an [`Operation`](crate::Operation),
//! the parsers of the callbacks Safaricom sends, and the replies to them. Each
//! operation's `NAME` is the Daraja portal's name for the API.
//!
//! | Operation | `NAME` | Endpoint | Idempotency |
//! |---|---|---|---|
//! | [`GenerateToken`] | `Authorization` | `GET /oauth/v1/generate?grant_type=client_credentials` (Basic) | idempotent (driven by [`Call`](crate::Call)) |
//! | [`StkPush`] | `MpesaExpressSimulate` | `POST /mpesa/stkpush/v1/processrequest` | **non-idempotent** |
//! | [`StkQuery`] | `MpesaExpressQuery` | `POST /mpesa/stkpushquery/v1/query` | idempotent |
//! | [`RegisterUrls`] | `CustomerToBusinessRegisterURL` | `POST /mpesa/c2b/v2/registerurl` | idempotent |
//! | [`C2bSimulate`] (sandbox only) | `CustomerToBusinessSimulate` | `POST /mpesa/c2b/v2/simulate` | **non-idempotent** |
//! | [`B2cPayment`] | `BusinessToCustomer` | `POST /mpesa/b2c/v3/paymentrequest` | **non-idempotent** (keyed by your `OriginatorConversationID`) |
//! | [`TransactionStatusQuery`] | `TransactionStatus` | `POST /mpesa/transactionstatus/v1/query` | idempotent (result on the `ResultURL`) |
//! | [`AccountBalanceQuery`] | `AccountBalance` | `POST /mpesa/accountbalance/v1/query` | idempotent (result on the `ResultURL`) |
//! | [`Reversal`] | `Reversal` | `POST /mpesa/reversal/v1/request` | **non-idempotent** |
//!
//! | Inbound (Safaricom → you) | Parser | Reply |
//! |---|---|---|
//! | STK callback (`CallBackURL`) | [`parse_stk_callback`] → [`StkCallback`] | [`stk_callback_ack`] |
//! | C2B validation (`ValidationURL`) | [`parse_c2b`] → [`C2bPayment`] | [`C2bReply`] (accept, or a [`C2bRejectCode`]) within ~8 s |
//! | C2B confirmation (`ConfirmationURL`) | [`parse_c2b`] → [`C2bPayment`] | [`c2b_confirmation_ack`] |
//! | Result (`ResultURL`) of B2C, status, balance, reversal | [`parse_result`] → [`ResultNotification`] | [`result_ack`] |
//! | Queue timeout (`QueueTimeOutURL`) | [`parse_queue_timeout`] → [`QueueTimeout`] | [`result_ack`] |
//!
//! ## Configuration
//!
//! [`MpesaConfig::sandbox`], [`MpesaConfig::live`] or [`MpesaConfig::custom`]
//! with the app's consumer key and secret; [`MpesaConfig::with_express`] adds
//! the STK shortcode and passkey; [`MpesaConfig::with_initiator`] adds the
//! [`Initiator`] of the disbursement family (its shortcode, name, password and
//! **Safaricom's certificate for the environment**, a PEM you pass: sandbox and
//! production certificates differ, several copies circulate, and finconnect
//! ships none). Every credential is a [`Secret`](crate::Secret); `Debug`
//! redacts them all.
//!
//! The core reads no clock and draws no random number: [`StkPush::new`] and
//! [`StkQuery::new`] take `now` (one reading makes both `Password` and
//! `Timestamp`), and [`MpesaConfig::security_credential`] takes a
//! cryptographic RNG for the RSA PKCS#1 v1.5 padding of the
//! `SecurityCredential`.
//!
//! ## Outcome truth
//!
//! Every answer is classified by its body, whatever its HTTP status: Daraja's
//! error envelope (`requestId`/`errorCode`/`errorMessage`) also comes with HTTP
//! 200, its gateway answers with SOAP-style faults rendered as JSON, and the
//! edge with HTML. The documented refusals — the envelope with a `4xx.…` code
//! (a refused field is [`Error::Rejected`](crate::Error::Rejected), a refused
//! token or key [`Error::Unauthorized`](crate::Error::Unauthorized), a wrong
//! path [`Error::Provider`](crate::Error::Provider)), spike arrest and quota
//! violations (`500.003.02`, `500.003.03`), a B2C duplicate
//! (`500.002.1001 Duplicate OriginatorConversationID.` →
//! [`Error::DuplicateReference`](crate::Error::DuplicateReference): already
//! submitted, query, never resend) and an acknowledgement whose `ResponseCode`
//! is not `"0"` — are the only answers a money-moving reader calls a refusal.
//! Anything else (the catch-all `500.001.1001`, a gateway fault, HTML) is no
//! proof, and the [`Call`](crate::Call) driver reports
//! [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown) — as it does for
//! every 5xx and every lost answer, whatever the body (so a B2C duplicate,
//! which Daraja sends with HTTP 500, reaches the user as an unknown outcome
//! quoting "Duplicate OriginatorConversationID": the same advice, query).
//! A refused token (`404.001.03`, `400.003.01`, `401.002.01`, at any status)
//! makes the driver fetch a fresh token and send once more.
//!
//! `ResponseCode` `"0"` means *accepted for processing*, never *paid*: the
//! outcome of a push is its callback or its query, that of an asynchronous
//! request its `Result`.
//!
//! ## Trust: Daraja signs nothing
//!
//! No Daraja callback carries a signature, a checksum or a secret: anyone who
//! learns a callback URL can post one. So no parsed callback here reports a
//! fact. [`StkCallback`], [`C2bPayment`] and [`ResultNotification`] name their
//! money fields as claims (`claimed_result_code`, `claimed_amount`,
//! `claimed_receipt`, …) and have no "verified" or "trusted" status. What
//! finconnect vouches for is Daraja's own answer to a query:
//! [`StkCallback::status_query`] gives the [`StkQuery`] that confirms an STK
//! callback (its [`StkQueryOutcome`] is Daraja's word on the status; it
//! carries no receipt or amount, so those stay claims to match against your
//! own order); C2B payments and results are confirmed by a
//! [`TransactionStatusQuery`], whose answer comes back as a `Result` on your
//! `ResultURL`. Also: put an unguessable per-payment token in the callback
//! path, acknowledge first and process after (Daraja has not been seen to
//! deliver a callback twice, and does not wait), deduplicate on the receipt
//! (`MpesaReceiptNumber` = C2B `TransID`) and on `ConversationID` +
//! `OriginatorConversationID` for results.
//!
//! ## Readings chosen where Daraja is silent or contradicts itself
//!
//! Each open question about the protocol, and the tolerant reading finconnect
//! takes:
//!
//! - **`Timestamp` zone and skew**: written in Nairobi time (UTC+3, no daylight
//!   saving), the zone Safaricom's own identifiers encode; the accepted skew is
//!   unknown, so the timestamp is made from the `now` you pass at the moment
//!   the operation is built.
//! - **`expires_in` string or number**: both are read (`3599` and `"3599"`); a
//!   missing or unreadable one is taken as Daraja's documented 3600 s; the
//!   token is replaced 60 s before it expires.
//! - **Which sandbox certificate, and the production fingerprint**: none is
//!   built in; the certificate (or its public key) comes from the configuration
//!   for each environment. Expiry is not checked (only the key is used).
//! - **Transaction status: `OriginalConversationID` or
//!   `OriginatorConversationID`**: when querying by conversation id, both keys
//!   are sent with the same value (Daraja ignores unknown keys).
//! - **`CallBackURL` rules**: every callback URL must be free of whitespace and
//!   suit the configuration's URL policy (`https` and a public host for the
//!   real Daraja); the keyword ban (`mpesa`, `safaricom`, `exe`, `cmd`, `sql`,
//!   `query`, …) is enforced on the C2B URLs, where it is documented, and not
//!   on the others; hosts are written in lower case (the URL parser does so).
//! - **Callback retries and delivery timeouts**: assumed none and unknown:
//!   reply at once ([`stk_callback_ack`], [`c2b_confirmation_ack`],
//!   [`result_ack`]) and reconcile with the queries.
//! - **Rate limits, and 500 or 429 for spike arrest**: the envelope's
//!   `500.003.02`/`500.003.03` is a refusal whatever the status; a bare 429 is
//!   the shared table's "rate limited". No limit is assumed.
//! - **OAuth answer to a wrong key or secret**: an empty HTTP 400 is read as
//!   refused credentials ([`Error::Unauthorized`](crate::Error::Unauthorized)),
//!   as are `400.008.01` and `400.008.02`; any other unreadable token answer is
//!   a decode error that never quotes the body.
//! - **The STK `ResultCode` vocabulary**: `0` is the only success; `1032` is
//!   cancelled; `4999` (query only) is pending; the documented terminal codes
//!   (`1`, `2`, `3`, `4`, `8`, `17`, `1019`, `1025`, `1037`, `2001`, `2028`,
//!   `8006`, `SFC_IC0003`) are failed; every other code (`1001`, `1036`,
//!   `9999`, `26`, anything new) is [`PaymentStatus::Unknown`](crate::PaymentStatus::Unknown),
//!   never failed. Every `500.001.1001` from the query is "no answer yet"
//!   ([`StkQueryOutcome::NoAnswer`]), never a status — even "does not Exist",
//!   so callers bound their polling.
//! - **The fields of an `AccountBalance` segment**: the third is read as the
//!   available funds; the others are kept as text
//!   ([`AccountBalance::other_fields`]); malformed segments are skipped.
//! - **The `QueueTimeOutURL` payload**: any JSON object is accepted; only
//!   `OriginatorConversationID` is read; its meaning is "outcome unknown:
//!   query".
//! - **The `Result` wrapper**: results are read inside `{"Result":{…}}`, and
//!   also bare (one recorded production failure has no wrapper).
//! - **B2C v1 versus v3**: only v3 is spoken, with a caller-supplied
//!   [`OriginatorConversationId`].
//! - **Whether the C2B v1 `MSISDN` hash is salted**: it is never read as a
//!   phone number (kept as [`C2bPayment::msisdn`], masked or hashed).

mod accepted;
mod auth;
mod b2c;
mod c2b;
mod c2b_callback;
mod config;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod harness;
mod notification;
mod queries;
mod result;
mod reversal;
mod security;
mod stk;
mod stk_callback;
mod types;
mod wire;

pub use accepted::{Accepted, ResultUrls};
pub use auth::{GenerateToken, DEFAULT_TOKEN_LIFETIME};
pub use b2c::{B2cCommand, B2cPayment, OriginatorConversationId, MAX_B2C_KES, MIN_B2C_KES};
pub use c2b::{
    C2bAccepted, C2bCommand, C2bSimulate, RegisterUrls, ResponseType, FORBIDDEN_URL_WORDS,
};
pub use c2b_callback::{c2b_confirmation_ack, parse_c2b, C2bPayment, C2bRejectCode, C2bReply};
pub use config::{Environment, Express, MpesaConfig};
pub use notification::{parse_notification, C2bRoute, Notification};
pub use queries::{AccountBalanceQuery, IdentifierType, TransactionKey, TransactionStatusQuery};
pub use result::{
    parse_account_balances, parse_queue_timeout, parse_result, result_ack, AccountBalance,
    QueueTimeout, ResultItem, ResultNotification,
};
pub use reversal::Reversal;
pub use security::{Initiator, SafaricomCertificate, SecurityCredential, MIN_CERTIFICATE_KEY_BITS};
pub use stk::{
    stk_password, StkKind, StkPush, StkPushAccepted, StkQuery, StkQueryOutcome, StkResult,
    MAX_ACCOUNT_REFERENCE, MAX_STK_KES, MAX_TRANSACTION_DESC, MIN_STK_KES,
};
pub use stk_callback::{parse_stk_callback, stk_callback_ack, MetadataItem, StkCallback};
pub use types::{
    CheckoutRequestId, KenyanMsisdn, Remarks, ResultCode, Shortcode, STK_STILL_PROCESSING,
};
pub use wire::{codes, parse_timestamp, timestamp};

/// The cryptographic RNG trait [`MpesaConfig::security_credential`] takes
/// (`rand_core` 0.6's, as the `rsa` crate uses it): the caller brings the
/// randomness, from its operating system's generator or a seeded one.
pub use rsa::rand_core::CryptoRngCore;
