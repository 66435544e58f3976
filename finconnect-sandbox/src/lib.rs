//! # finconnect-sandbox
//!
//! A local, stateful simulator of the four providers finconnect speaks to —
//! **PesaPal API 3.0**, **AzamPay**, **ClickPesa** and **M-Pesa** (Safaricom's Daraja) —
//! served by one tokio + hyper 1 server on `127.0.0.1`.
//!
//! It speaks each wire format *with its quirks* (string `status` fields, HTTP 200 bodies
//! carrying errors, `ipn_status_decription`, `Bearer `-prefixed ClickPesa tokens, Daraja's
//! string `expires_in` and misspelled `RecieverIdentifierType`, …), issues
//! tokens that expire, keeps orders that a simulated customer completes or fails, delivers
//! notifications (PesaPal IPNs by GET or POST, AzamPay callbacks signed with the sandbox's own
//! RSA key, ClickPesa webhooks with a canonical checksum, Daraja's STK, C2B and result
//! callbacks, once each) and injects faults on demand.
//!
//! The crate deliberately does **not** depend on `finconnect-proto`: it reads and writes every
//! wire format on its own, so that a misreading of the protocol in the core cannot be mirrored
//! here and pass unnoticed.
//!
//! ## When to use it
//!
//! For development and tests, in place of the providers' own test systems: it runs offline
//! and in-process (or as `finconnect sandbox`), settles payments when you say so (or when you
//! click Pay on its checkout page), delivers notifications to `localhost` routes without a
//! tunnel, and injects faults the real sandboxes cannot (lost answers, 5xx, expired tokens).
//! Before going live, still test against the providers' sandboxes (ClickPesa has none:
//! small live amounts) — this is a simulator written from their documentation.
//!
//! ## Example: PesaPal's token endpoint, spoken to over plain HTTP
//!
//! ```
//! use bytes::Bytes;
//! use finconnect_sandbox::{credentials, Sandbox, SandboxConfig};
//! use http_body_util::{BodyExt, Full};
//! use hyper_util::client::legacy::Client;
//! use hyper_util::rt::TokioExecutor;
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let sandbox = Sandbox::start(SandboxConfig::default()).await?;
//!     let url = format!("{}/api/Auth/RequestToken", sandbox.pesapal_base_url());
//!     let body = format!(
//!         r#"{{"consumer_key":"{}","consumer_secret":"{}"}}"#,
//!         credentials::PESAPAL_CONSUMER_KEY,
//!         credentials::PESAPAL_CONSUMER_SECRET
//!     );
//!     let request = hyper::Request::post(url)
//!         .header("content-type", "application/json")
//!         .header("accept", "application/json")
//!         .body(Full::new(Bytes::from(body)))?;
//!
//!     let client = Client::builder(TokioExecutor::new()).build_http();
//!     let answer = client.request(request).await?.into_body().collect().await?.to_bytes();
//!     let answer: serde_json::Value = serde_json::from_slice(&answer)?;
//!     assert_eq!(answer["status"], "200"); // a string, as PesaPal sends it
//!     println!("token valid until {}", answer["expiryDate"]);
//!     sandbox.shutdown().await;
//!     Ok(())
//! }
//! ```
//!
//! Besides the Rust API, a small HTTP control surface serves users who run the sandbox as a
//! process: `POST /_sandbox/settle` with `{"provider","reference","outcome"}` (M-Pesa also
//! takes `"outcome":"cancelled"` and `"result_code"`), `POST /_sandbox/mpesa/c2b` with
//! `{"amount","msisdn","bill_ref"}` (an M-Pesa customer pays the shortcode),
//! `GET /_sandbox/counters` (totals: requests, TCP connections accepted, deliveries,
//! refused deliveries),
//! `GET /_sandbox/counters/requests` (requests per route) and `GET /_sandbox/deliveries`.
//!
//! ## Checkout pages
//!
//! Where the real provider shows the customer a page, the sandbox serves one on its own
//! listener: PesaPal's `redirect_url` (from SubmitOrderRequest,
//! `/pesapal/pesapaliframe/PesapalIframe3/Index?OrderTrackingId=…`), AzamPay's hosted
//! checkout URL (the answer of PostCheckout, `/azampay/checkout/pay/{transactionId}`) and
//! ClickPesa's `checkoutLink` (`/clickpesa/checkout/{orderReference}`). Open the URL the
//! API returned in a browser: the page shows the merchant (AzamPay's `vendorName`), the
//! reference, amount, currency and description, with three buttons.
//!
//! - **Pay** settles the order as completed, **Fail** and **Cancel** as failed, exactly as
//!   `POST /_sandbox/settle` (or [`Sandbox::settle`]) would: the IPN, callback or webhook
//!   is delivered before the browser moves on.
//! - Then the browser is redirected (303): PesaPal to `callback_url` with
//!   `OrderTrackingId`, `OrderMerchantReference` and `OrderNotificationType=CALLBACKURL`
//!   (Cancel: to `cancellation_url` as given, when the order has one); AzamPay to
//!   `redirectSuccessURL` (Pay) or `redirectFailURL` (Fail, Cancel), unchanged. ClickPesa
//!   takes no return URL per request, so its page shows the outcome instead.
//! - A settled order's page shows its state; clicking again (409) settles nothing.
//!
//! The pages are plain HTML forms with inline CSS: no script, no outside asset, and every
//! value is HTML-escaped (a reference or description may hold markup).
//!
//! ## M-Pesa (Daraja)
//!
//! Base URL [`Sandbox::mpesa_base_url`] (`…/daraja`); Daraja's paths go below it. The
//! TEST-ONLY credentials are in [`credentials`]: consumer key and secret, the Express
//! shortcode `174379` with Safaricom's published sandbox passkey, the initiator's
//! shortcode, name and password, and [`credentials::MPESA_CERTIFICATE_PEM`], a
//! self-signed certificate standing in for Safaricom's (encrypt the initiator password with
//! it to make a `SecurityCredential`; the sandbox decrypts it with the matching private key
//! and checks the name and password).
//!
//! - **OAuth** (`GET /oauth/v1/generate?grant_type=client_credentials`, Basic auth):
//!   `expires_in` is a string (`"3599"`); a wrong grant type is `400.008.02`, a missing
//!   Basic header `400.008.01`, a wrong key or secret an empty HTTP 400. Tokens expire
//!   after [`SandboxConfig::mpesa_token_lifetime`] (1 hour; `--token-ttl` applies); a bad
//!   or expired token is `404.001.03 Invalid Access Token` (HTTP 404), no bearer at all
//!   `404.001.04`. Errors use Daraja's envelope `{"requestId","errorCode","errorMessage"}`;
//!   a refused field is `400.002.02 Bad Request - Invalid <Field>`.
//! - **STK push** checks `Password` = base64(shortcode + passkey + `Timestamp`) (a mismatch
//!   is `500.001.1001 Wrong credentials`), the `YYYYMMDDHHmmss` timestamp, the MSISDNs
//!   (`2547…`/`2541…`, 12 digits), a whole-shilling amount of 1 to 250 000 (`"100.00"` is
//!   refused), `AccountReference` ≤ 12, `TransactionDesc` ≤ 13 (missing: `Invalid
//!   Remarks`, as Daraja says) and `CallBackURL`. The answer carries no page: the simulated
//!   phone's prompt is at [`Sandbox::mpesa_prompt_url`] (`/mpesa/checkout/{CheckoutRequestID}`:
//!   Pay = `ResultCode` 0, Fail = 1, Cancel = 1032, no redirect).
//! - **STK query** while the prompt is open rotates, per push, through the three pending
//!   shapes: `ResultCode` `"4999"` (HTTP 200), `500.001.1001` with an empty message (HTTP
//!   200), `500.001.1001` "The transaction is being processed" (HTTP 500), then again; an
//!   unknown id is `500.001.1001` "The transaction does not Exist" (HTTP 500). After the
//!   customer answered, `ResultCode` is a string (`"0"`, `"1032"`, …) and
//!   `ResponseDescription` is spelled `successsfully`, as on the wire.
//! - **The customer** answers with [`Sandbox::settle`] (`Complete` 0, `Fail` 1),
//!   [`Sandbox::settle_mpesa`] (any final code: `"1032"`, `"1037"`, `"2001"`, …), the
//!   control API or the prompt page. The **STK callback** (`Body.stkCallback`, `ResultCode`
//!   a number) carries `CallbackMetadata.Item` `Amount`, `MpesaReceiptNumber`,
//!   `TransactionDate`, `PhoneNumber` on success and no metadata at all otherwise.
//! - **C2B**: `registerurl` (v1 and v2) takes `ResponseType` `Completed`/`Cancelled`
//!   exactly and refuses URLs with Daraja's banned words; a shortcode registers once (the
//!   same URLs again succeed; other URLs get `500.003.1001 Urls are already registered`,
//!   production's rule — restart the sandbox to start over); answers use
//!   `OriginatorCoversationID` (sic). [`Sandbox::mpesa_c2b_payment`], the control API or
//!   `simulate` make a customer pay: the ValidationURL is asked (`ResultCode` `"0"`
//!   accepts and may give a `ThirdPartyTransID`, a `C2B0001x` rejects, no readable answer
//!   applies the registered `ResponseType`), then an accepted payment is POSTed to the
//!   ConfirmationURL (masked `MSISDN`, `TransAmount` `"5.00"`, the new `OrgAccountBalance`).
//! - **B2C v3, transaction status, account balance, reversal** answer at once with
//!   `ResponseCode` `"0"`, then POST their `Result` to the `ResultURL` (codes and
//!   `ResultType` as strings; `ResultParameters` absent on failures). A malformed
//!   `SecurityCredential` is refused at once; a wrong initiator or password gives result
//!   `2001`. A repeated B2C `OriginatorConversationID` is HTTP 500 `500.002.1001
//!   Duplicate OriginatorConversationID.`. Transaction status finds STK, C2B, B2C and
//!   reversal receipts, and B2C requests by `OriginalConversationID` or
//!   `OriginatorConversationID` (unknown: result `R000002`, the sandbox's choice). A
//!   reversal reads only `RecieverIdentifierType` (sic) and answers `R000001` for a
//!   receipt already reversed, `R000002` for an unknown one. `Occassion` (B2C) and
//!   `Occasion` (others) are accepted as sent.
//! - **Every callback is POSTed once and never retried** (Daraja's observed behaviour):
//!   a failed delivery is recorded ([`Sandbox::deliveries`], `GET /_sandbox/deliveries`)
//!   with `attempts: 1` and not re-sent. `delivery_attempts` does not apply.
//!
//! ## Answers
//!
//! JSON answers and notifications list their keys in the order the providers' recorded and
//! documented payloads do (not alphabetically). PesaPal order tracking ids and IPN ids,
//! AzamPay transaction ids (32 hex digits) and `mnoreference`s are random RFC 4122
//! version-4 GUIDs.
//!
//! ## Token lifetimes
//!
//! Tokens live as each provider documents it: PesaPal 5 minutes, ClickPesa 1 hour, AzamPay
//! 1 hour (AzamPay documents no lifetime, only the `expire` instant it returns), M-Pesa 1
//! hour. Change
//! them with [`SandboxConfig::with_token_ttl`] (or per provider), or `--token-ttl SECONDS`
//! on `finconnect sandbox`.
//!
//! ## Where notifications go
//!
//! IPNs, callbacks and webhooks are delivered only to `localhost`, 127.0.0.0/8 and `::1`.
//! Any other destination is refused before any DNS lookup or connection: the refusal is
//! logged (`tracing` warning), recorded as a [`DeliveryRecord`] with `refused: true` and
//! counted ([`Sandbox::refused_deliveries`], `GET /_sandbox/counters`). Registering such a
//! URL still succeeds, as with the real provider, and the log says why nothing will arrive.
//! [`SandboxConfig::allow_remote_delivery`] (`--allow-remote-delivery` on the CLI) lifts
//! the restriction.
//!
//! ## Known differences from the real providers
//!
//! - M-Pesa: the `Timestamp` is checked for its format only (Daraja's accepted clock skew
//!   and zone are undocumented); a second token does not invalidate the first (the
//!   documentation says it does, unverified); no `Unable to lock subscriber` for a second
//!   push to a phone with an open prompt; `QueueTimeOutURL` is never called; the callbacks
//!   carry no `Businessshortcode` header; amounts in results are JSON numbers such as `1.0`
//!   (Daraja writes `1.00`).
//!
//! - One plain-HTTP listener on 127.0.0.1 serves every provider under path prefixes; the
//!   providers use separate HTTPS hosts (AzamPay: three of them).
//! - Credentials are fixed, test-only values ([`credentials`]); there are no accounts,
//!   KYC limits, rate limits or per-environment keys. PesaPal tokens are JWTs signed with
//!   a sandbox secret, AzamPay tokens random `Salted__` blobs, ClickPesa tokens JWTs.
//! - PesaPal's own sandbox has been seen issuing 1-hour tokens although the docs say 5
//!   minutes; the simulator follows the docs unless configured otherwise.
//! - AzamPay callbacks are signed with the simulator's own RSA key
//!   ([`credentials::AZAMPAY_PUBLIC_KEY_PEM`], also served by its public-key endpoint), not
//!   AzamPay's. The RSA `checksum` of AzamPay disbursement and name-lookup requests is not
//!   checked. ClickPesa request checksums are checked only when present.
//! - The customer is simulated: payments settle through [`Sandbox::settle`], the control
//!   API, the checkout pages or `customer_delay`. The checkout pages offer no choice of
//!   payment method; a customer's Cancel fails the order as Fail does (PesaPal then
//!   reports `Failed`, not a merchant cancellation); PesaPal's `redirect_mode` is ignored. Card payments always show `Visa` and a fixed masked card;
//!   name lookups answer `Sandbox Customer`; ClickPesa accounts starting `0000` do not
//!   exist.
//! - Notifications (except M-Pesa's, sent once) are retried `delivery_attempts` times with short pauses; the providers'
//!   real retry schedules are longer and not all documented.
//! - Key sets (the order follows the fixtures; these keys differ in presence):
//!   - PesaPal RegisterIPN answers always carry `id`, `created_date` and `message` (the
//!     recorded GET registration has no `message`; POST registrations are documented
//!     without `id` and `created_date`); GetIpnList rows carry every registration field;
//!     GetTransactionStatus always carries `account_number`, and a completed payment's
//!     `error` has four null keys (one recording shows three).
//!   - ClickPesa query answers and webhooks leave out `notes`, and `customerEmail` when no
//!     e-mail is known; bank payout creation also returns `createdAt`/`updatedAt`; the
//!     PAYMENT FAILED webhook carries `channel`. Payment webhooks use the newest documented
//!     shape only (not the older `paymentId`/`amount` one).
//! - Objects a client sends and the simulator echoes (AzamPay `additionalProperties`) come
//!   back with their keys sorted alphabetically.
//! - Timestamps come from the local clock; PesaPal transaction times are East Africa Time
//!   without an offset, as recorded.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod azampay;
mod checkout;
mod clickpesa;
mod config;
mod control;
pub mod credentials;
mod delivery;
mod destination;
mod error;
mod faults;
mod http;
mod ids;
mod json;
mod mpesa;
mod pesapal;
mod route;
mod sandbox;
mod server;
mod state;

pub use clickpesa::checksum::clickpesa_checksum;
pub use config::{Outcome, SandboxConfig};
pub use delivery::DeliveryRecord;
pub use error::SandboxError;
pub use faults::Fault;
pub use mpesa::MpesaC2bOutcome;
pub use route::{ProviderName, Route};
pub use sandbox::Sandbox;
