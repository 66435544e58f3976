//! The provider-agnostic facade: the original FinConnect SDK's shape
//! (`register_ipn`, `pay`, `status`, `handle_callback`) over any provider, with
//! none of its faults.
//!
//! [`FintechSdk`] is generic over a [`Transport`]; the adapter crates give it one
//! (`finconnect_reqwest::FintechSdk`, `finconnect_hyper::FintechSdk`). It holds
//! one provider account, caches its token (single flight) and, for AzamPay, its
//! public key. Four providers: PesaPal, AzamPay, ClickPesa and M-Pesa
//! (Safaricom Daraja: `pay` is an STK push, `status` the STK query,
//! `register_ipn` the C2B URL registration).
//!
//! Callbacks: [`FintechSdk::accept_callback`] parses and verifies (a forged
//! AzamPay signature or ClickPesa checksum is an [`Error::Signature`]);
//! [`FintechSdk::confirm_callback`] turns it into a [`CallbackEvent`] whose
//! [`Facts`] the provider vouched for (PesaPal IPNs carry no signature, so they
//! are always confirmed with GetTransactionStatus; unsigned AzamPay/ClickPesa
//! callbacks with their status queries), checked against your order when you pass
//! an [`Expected`]. Only after the event is handed off does the provider hear
//! "received" ([`AcceptedCallback::received`]); otherwise it is asked to retry
//! ([`AcceptedCallback::retry_later`]). [`CallbackInbox`] does all of it, with a
//! [`DedupeStore`] so each event reaches your handler once.
//!
//! M-Pesa signs nothing and never resends a callback: an STK callback is
//! confirmed by the STK query (its status, never its amount or receipt), a C2B
//! confirmation only through your order's STK push, a `Result` never by
//! itself; [`SourceAllowList`] checks a sender's address against Safaricom's
//! published list. [`FintechSdk::reconcile`] (every provider) settles
//! payments still pending after a deadline by querying each one.
//!
//! ```
//! use finconnect::driver::{Transport, TransportFailure};
//! use finconnect::pesapal::PesapalConfig;
//! use finconnect::sdk::{FintechSdk, Payment, ProviderConfig};
//! use finconnect::{Currency, Money, Secret};
//! use std::time::{Duration, SystemTime};
//!
//! # struct Offline;
//! # impl Transport for Offline {
//! #     async fn send(&self, _: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportFailure> {
//! #         Err(TransportFailure::connect("offline"))
//! #     }
//! #     async fn sleep(&self, _: Duration) {}
//! #     fn now(&self) -> SystemTime { SystemTime::UNIX_EPOCH }
//! #     fn seed(&self) -> u64 { 1 }
//! # }
//! let config = PesapalConfig::sandbox(Secret::new("key"), Secret::new("secret"))?;
//! let sdk = FintechSdk::new(ProviderConfig::Pesapal(config), Offline)?;
//! let payment = Payment::new("ORDER-1", Money::from_major(100, Currency::KES)?)?
//!     .description("Test order")?
//!     .email("payer@example.com")
//!     .callback_url("https://shop.example/return");
//! // PesaPal needs the ipn_id from register_ipn: leaving it out is caught before
//! // anything is sent, with the field named.
//! let err = poll_once_ready(sdk.pay(&payment, None)).unwrap_err();
//! assert!(err.to_string().contains("ipn_id"));
//! # /// Polls a future that never waits (the refusal comes before any I/O).
//! # fn poll_once_ready<F: std::future::Future>(f: F) -> F::Output {
//! #     let waker = std::task::Waker::noop();
//! #     let mut cx = std::task::Context::from_waker(&waker);
//! #     let mut f = std::pin::pin!(f);
//! #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
//! # }
//! # Ok::<(), finconnect::Error>(())
//! ```

mod accepted;
mod azampay;
mod clickpesa;
mod dedupe;
mod event;
mod event_log;
mod gate;
mod inbox;
mod mpesa;
mod payment;
mod pesapal;
mod reconcile;
mod sources;

pub use self::accepted::AcceptedCallback;
pub use self::dedupe::{BoxFuture, Claim, DedupeKey, DedupeStore, MemoryDedupe, StoreError};
pub use self::event::{CallbackEvent, Claims, Expected, Facts, Trust};
pub use self::event_log::{Appended, EventLog, EVENT_FIELDS_VERSION};
pub use self::gate::ConfirmLimits;
pub use self::inbox::{CallbackInbox, HandlerError, Outcome};
pub use self::payment::{Customer, Payment, PaymentStarted, StatusQuery, StatusReport};
pub use self::reconcile::{PendingPayment, ReconcileOptions, ReconcileReport, Reconciled};
pub use self::sources::{SourceAllowList, SAFARICOM_CALLBACK_IPS};
pub use crate::pesapal::{IpnMethod, IpnRegistration};

use self::accepted::Confirmation;
use self::gate::ConfirmGate;
use crate::azampay::AzampayConfig;
use crate::clickpesa::ClickpesaConfig;
use crate::driver::{Driver, Transport};
use crate::mpesa::MpesaConfig;
use crate::pesapal::PesapalConfig;
use crate::{Error, Provider};
use std::fmt;
use std::sync::Arc;

/// One provider account's configuration.
// Built once per account; boxing the larger configs would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ProviderConfig {
    /// PesaPal API 3.0.
    Pesapal(PesapalConfig),
    /// AzamPay.
    Azampay(AzampayConfig),
    /// ClickPesa.
    Clickpesa(ClickpesaConfig),
    /// M-Pesa (Safaricom Daraja, Kenya).
    Mpesa(MpesaConfig),
}

impl ProviderConfig {
    /// Which provider.
    pub fn provider(&self) -> Provider {
        match self {
            ProviderConfig::Pesapal(_) => Provider::Pesapal,
            ProviderConfig::Azampay(_) => Provider::Azampay,
            ProviderConfig::Clickpesa(_) => Provider::Clickpesa,
            ProviderConfig::Mpesa(_) => Provider::Mpesa,
        }
    }
}

#[allow(clippy::large_enum_variant)]
enum Backend<T: Transport> {
    Pesapal(
        Driver<PesapalConfig, T>,
        ConfirmGate<crate::pesapal::TransactionStatus>,
    ),
    Azampay(azampay::Backend<T>, ConfirmGate<crate::PaymentStatus>),
    Clickpesa(Driver<ClickpesaConfig, T>, ConfirmGate<clickpesa::Answer>),
    Mpesa(
        Driver<MpesaConfig, T>,
        ConfirmGate<crate::mpesa::StkQueryOutcome>,
    ),
}

/// Any failure of a confirming query means "not confirmed yet": ask the
/// provider to retry.
fn not_confirmed(provider: Provider) -> impl Fn(Error) -> Error {
    move |e| match e {
        Error::NotConfirmed { .. } | Error::Contradiction { .. } => e,
        other => Error::NotConfirmed {
            provider,
            reason: format!("the status query failed: {other}"),
        },
    }
}

/// The facade over one provider account. Cheap to clone (clones share the token
/// and key caches).
pub struct FintechSdk<T: Transport> {
    backend: Arc<Backend<T>>,
}

impl<T: Transport> Clone for FintechSdk<T> {
    fn clone(&self) -> Self {
        FintechSdk {
            backend: Arc::clone(&self.backend),
        }
    }
}

impl<T: Transport> fmt::Debug for FintechSdk<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The configs' own Debug redacts every secret.
        match &*self.backend {
            Backend::Pesapal(d, _) => f.debug_tuple("FintechSdk").field(d.api()).finish(),
            Backend::Azampay(b, _) => f.debug_tuple("FintechSdk").field(b.driver.api()).finish(),
            Backend::Clickpesa(d, _) => f.debug_tuple("FintechSdk").field(d.api()).finish(),
            Backend::Mpesa(d, _) => f.debug_tuple("FintechSdk").field(d.api()).finish(),
        }
    }
}

impl<T: Transport> FintechSdk<T> {
    /// The facade for `config`, sending over `transport`.
    pub fn new(config: ProviderConfig, transport: T) -> Result<Self, Error> {
        Self::with_driver_options(config, transport, crate::RetryPolicy::default())
    }

    /// As [`FintechSdk::new`], with the retry policy of `options` (what the
    /// adapters' constructors build).
    pub fn with_options(
        config: ProviderConfig,
        transport: T,
        options: &crate::driver::ClientOptions,
    ) -> Result<Self, Error> {
        Self::with_store(
            config,
            transport,
            options.retry,
            ConfirmLimits::default(),
            options.token_store.clone(),
        )
    }

    /// As [`FintechSdk::new`], with a retry policy.
    pub fn with_driver_options(
        config: ProviderConfig,
        transport: T,
        retry: crate::RetryPolicy,
    ) -> Result<Self, Error> {
        Self::with_limits(config, transport, retry, ConfirmLimits::default())
    }

    /// As [`FintechSdk::new`], with a retry policy and limits on the status
    /// queries that callbacks trigger.
    pub fn with_limits(
        config: ProviderConfig,
        transport: T,
        retry: crate::RetryPolicy,
        limits: ConfirmLimits,
    ) -> Result<Self, Error> {
        Self::with_store(config, transport, retry, limits, None)
    }

    /// The one constructor: `store` `None` gives the account a token store of
    /// its own in memory.
    fn with_store(
        config: ProviderConfig,
        transport: T,
        retry: crate::RetryPolicy,
        limits: ConfirmLimits,
        store: Option<Arc<dyn crate::driver::TokenStore>>,
    ) -> Result<Self, Error> {
        let store = store.unwrap_or_else(|| Arc::new(crate::driver::MemoryTokenStore::default()));
        let store = || Arc::clone(&store);
        let backend = match config {
            ProviderConfig::Pesapal(c) => Backend::Pesapal(
                Driver::with_store(c, transport, store(), retry),
                ConfirmGate::new(Provider::Pesapal, limits),
            ),
            ProviderConfig::Azampay(c) => Backend::Azampay(
                azampay::Backend::new(Driver::with_store(c, transport, store(), retry))?,
                ConfirmGate::new(Provider::Azampay, limits),
            ),
            ProviderConfig::Clickpesa(c) => Backend::Clickpesa(
                Driver::with_store(c, transport, store(), retry),
                ConfirmGate::new(Provider::Clickpesa, limits),
            ),
            ProviderConfig::Mpesa(c) => Backend::Mpesa(
                Driver::with_store(c, transport, store(), retry),
                ConfirmGate::new(Provider::Mpesa, limits),
            ),
        };
        Ok(FintechSdk {
            backend: Arc::new(backend),
        })
    }

    /// The transport's clock.
    pub(crate) fn now(&self) -> std::time::SystemTime {
        match &*self.backend {
            Backend::Pesapal(d, _) => d.transport().now(),
            Backend::Azampay(b, _) => b.driver.transport().now(),
            Backend::Clickpesa(d, _) => d.transport().now(),
            Backend::Mpesa(d, _) => d.transport().now(),
        }
    }

    /// Waits on the transport's timer.
    pub(crate) async fn sleep(&self, delay: std::time::Duration) {
        match &*self.backend {
            Backend::Pesapal(d, _) => d.transport().sleep(delay).await,
            Backend::Azampay(b, _) => b.driver.transport().sleep(delay).await,
            Backend::Clickpesa(d, _) => d.transport().sleep(delay).await,
            Backend::Mpesa(d, _) => d.transport().sleep(delay).await,
        }
    }

    /// Which provider this account is with.
    pub fn provider(&self) -> Provider {
        match &*self.backend {
            Backend::Pesapal(..) => Provider::Pesapal,
            Backend::Azampay(..) => Provider::Azampay,
            Backend::Clickpesa(..) => Provider::Clickpesa,
            Backend::Mpesa(..) => Provider::Mpesa,
        }
    }

    /// The PesaPal driver, for every PesaPal operation (refunds, cancels, IPN
    /// lists, …).
    pub fn pesapal(&self) -> Option<&Driver<PesapalConfig, T>> {
        match &*self.backend {
            Backend::Pesapal(d, _) => Some(d),
            _ => None,
        }
    }

    /// The AzamPay driver, for every AzamPay operation.
    pub fn azampay(&self) -> Option<&Driver<AzampayConfig, T>> {
        match &*self.backend {
            Backend::Azampay(b, _) => Some(&b.driver),
            _ => None,
        }
    }

    /// The ClickPesa driver, for every ClickPesa operation.
    pub fn clickpesa(&self) -> Option<&Driver<ClickpesaConfig, T>> {
        match &*self.backend {
            Backend::Clickpesa(d, _) => Some(d),
            _ => None,
        }
    }

    /// The M-Pesa driver, for every Daraja operation (B2C, transaction status,
    /// account balance, reversal, …).
    pub fn mpesa(&self) -> Option<&Driver<MpesaConfig, T>> {
        match &*self.backend {
            Backend::Mpesa(d, _) => Some(d),
            _ => None,
        }
    }

    /// Registers the URL the provider notifies (PesaPal). AzamPay and ClickPesa
    /// configure callback URLs in their portals: [`Error::Unsupported`].
    ///
    /// M-Pesa: registers the C2B URLs of the configured shortcode (the M-Pesa
    /// Express one, else the initiator's): `{url}/confirmation` and
    /// `{url}/validation`, with `ResponseType` `Completed` (M-Pesa completes a
    /// payment whose validation goes unanswered). `method` must be
    /// [`IpnMethod::Post`]. The answer's `ipn_id` is the shortcode, its `url`
    /// the confirmation URL; `pay` does not need it. Production registers once:
    /// changing the URLs means deleting them on Safaricom's portal first.
    pub async fn register_ipn(
        &self,
        url: &str,
        method: IpnMethod,
    ) -> Result<IpnRegistration, Error> {
        match &*self.backend {
            Backend::Pesapal(d, _) => pesapal::register_ipn(d, url, method).await,
            Backend::Azampay(..) => Err(Error::Unsupported {
                provider: Provider::Azampay,
                operation: "IPN registration",
            }),
            Backend::Clickpesa(..) => Err(crate::clickpesa::register_ipn_unsupported()),
            Backend::Mpesa(d, _) => mpesa::register_ipn(d, url, method).await,
        }
    }

    /// Starts a payment: a PesaPal order (send the customer to `redirect_url`), an
    /// AzamPay mobile-money checkout, a ClickPesa USSD push or an M-Pesa STK
    /// push. `ipn_id` is PesaPal's registered IPN (required there, ignored
    /// elsewhere).
    ///
    /// M-Pesa: the payer's Kenyan phone, whole shillings (an amount with cents
    /// is refused with the field named, never rounded), the reference as
    /// `AccountReference` (at most 12 characters), the description as
    /// `TransactionDesc` (at most 13) and `callback_url` as the `CallBackURL`
    /// (put an unguessable per-payment token in its path). The
    /// [`PaymentStarted::provider_reference`] is the `CheckoutRequestID`; there
    /// is no redirect URL.
    ///
    /// Never re-sent automatically: if the answer is lost the error is
    /// [`Error::OutcomeUnknown`] — query [`FintechSdk::status`] before trying again.
    pub async fn pay(
        &self,
        payment: &Payment,
        ipn_id: Option<&str>,
    ) -> Result<PaymentStarted, Error> {
        match &*self.backend {
            Backend::Pesapal(d, _) => pesapal::pay(d, payment, ipn_id).await,
            Backend::Azampay(b, _) => azampay::pay(b, payment).await,
            Backend::Clickpesa(d, _) => clickpesa::pay(d, payment).await,
            Backend::Mpesa(d, _) => mpesa::pay(d, payment).await,
        }
    }

    /// Asks the provider where a payment stands (the trustworthy source).
    ///
    /// M-Pesa: the STK query by `CheckoutRequestID`; `4999` and every
    /// `500.001.1001` (even "does not exist") are pending, never failed —
    /// query no faster than every 5 s, and bound your polling
    /// ([`FintechSdk::reconcile`] does both).
    pub async fn status(&self, query: impl Into<StatusQuery>) -> Result<StatusReport, Error> {
        let query = query.into();
        match &*self.backend {
            Backend::Pesapal(d, _) => pesapal::status(d, &query).await,
            Backend::Azampay(b, _) => azampay::status(b, &query).await,
            Backend::Clickpesa(d, _) => clickpesa::status(d, &query).await,
            Backend::Mpesa(d, _) => mpesa::status(d, &query).await,
        }
    }

    /// Parses and verifies a callback (body at most
    /// [`MAX_CALLBACK_BODY`](crate::MAX_CALLBACK_BODY)); then
    /// [`FintechSdk::confirm_callback`]. A forged AzamPay signature or ClickPesa
    /// checksum is [`Error::Signature`]; a signed AzamPay callback while no public
    /// key can be had is [`Error::NotConfirmed`] (fail closed: ask to retry).
    pub async fn accept_callback(
        &self,
        request: &http::Request<Vec<u8>>,
    ) -> Result<AcceptedCallback, Error> {
        if request.body().len() > crate::MAX_CALLBACK_BODY {
            return Err(Error::invalid(
                "callback",
                format!(
                    "body of {} bytes is over the {} byte limit",
                    request.body().len(),
                    crate::MAX_CALLBACK_BODY
                ),
            ));
        }
        match &*self.backend {
            Backend::Pesapal(_, gate) => pesapal::accept(request, gate.arrive()),
            Backend::Azampay(b, gate) => azampay::accept(b, request, gate.arrive()).await,
            Backend::Clickpesa(d, gate) => clickpesa::accept(d.api(), request, gate.arrive()),
            Backend::Mpesa(_, gate) => mpesa::accept(request, gate.arrive()),
        }
    }

    /// Confirms an accepted callback: the facts come from the verified signature
    /// or checksum, or from the provider's status answer (a claim that answer
    /// contradicts is [`Error::Contradiction`]); with `expected`, they must also
    /// agree with your order, and [`CallbackEvent::order`] says whether a vouched
    /// identifier ties them to it.
    ///
    /// The status queries this runs are bounded ([`ConfirmLimits`]): callbacks for
    /// one payment share a query, too many at once or one that just failed give
    /// [`Error::NotConfirmed`] — answer [`AcceptedCallback::retry_later`].
    ///
    /// M-Pesa signs nothing; what is vouched, and how (see [`CallbackEvent`]):
    /// - an STK callback is confirmed by the STK query of its
    ///   `CheckoutRequestID`: the facts are the query's status and
    ///   `CheckoutRequestID`, never the callback's amount or receipt (the query
    ///   carries neither: they stay claims, and a claimed amount that differs
    ///   from your order's is refused). A query with no answer yet
    ///   (`500.001.1001`) is [`Error::NotConfirmed`];
    /// - a C2B confirmation is confirmed only through your order: with an
    ///   [`Expected`] whose provider reference is the `CheckoutRequestID` of its
    ///   STK push, by that STK query (same facts and same dedupe key as the STK
    ///   callback, so the two deliveries of one payment make one event);
    ///   otherwise [`Error::NotConfirmed`];
    /// - a `Result` is never confirmed here ([`Error::NotConfirmed`]): confirm
    ///   it with a transaction-status query through [`FintechSdk::mpesa`];
    /// - a C2B validation request is a question, not an event
    ///   ([`AcceptedCallback::is_validation_request`]; [`Error::NotConfirmed`]).
    ///
    /// Daraja never resends a callback: whatever was not confirmed is settled
    /// by [`FintechSdk::reconcile`].
    pub async fn confirm_callback(
        &self,
        accepted: &AcceptedCallback,
        expected: Option<&Expected>,
    ) -> Result<CallbackEvent, Error> {
        let now = self.now();
        let claims = &accepted.claims;
        let arrival = accepted.arrival;
        let provider = self.provider();
        let retry = not_confirmed(provider);
        let (trust, facts, dedupe_key) = match (&*self.backend, &accepted.confirmation) {
            (Backend::Pesapal(d, gate), Confirmation::Pesapal(n)) => {
                let id = &n.order_tracking_id;
                let status = gate
                    .run(id.as_str(), arrival, now, || {
                        d.execute(crate::pesapal::GetTransactionStatus::new(id.clone()))
                    })
                    .await
                    .map_err(&retry)?;
                let facts = pesapal::facts(n, &status)?;
                (Trust::StatusQuery, facts, pesapal::dedupe_key(&status))
            }
            (
                Backend::Azampay(..),
                Confirmation::AzampaySigned {
                    key,
                    status,
                    utility_ref,
                    external_reference,
                },
            ) => {
                let facts = azampay::signed_facts(
                    status.clone(),
                    utility_ref.as_deref(),
                    external_reference.as_deref(),
                    expected,
                );
                // Bound to your order, the event is keyed by its transaction id,
                // as the status-query path keys it: the same callback with its
                // signature stripped is then a duplicate, not a second event.
                let key = match &facts.provider_reference {
                    Some(id) => azampay::query_key(id, status),
                    None => *key,
                };
                (Trust::Signature, facts, key)
            }
            (Backend::Azampay(b, gate), Confirmation::AzampayQuery { query, transid }) => {
                let status = gate
                    .run(transid, arrival, now, || azampay::query(b, query))
                    .await
                    .map_err(&retry)?;
                let key = azampay::query_key(transid, &status);
                let facts = Facts {
                    provider_reference: Some(transid.clone()),
                    ..Facts::status(status)
                };
                event::check_claims(provider, claims, &facts)?;
                (Trust::StatusQuery, facts, key)
            }
            (Backend::Clickpesa(..), Confirmation::ClickpesaVerified { facts, payout }) => (
                Trust::Checksum,
                facts.clone(),
                clickpesa::dedupe_key(*payout, facts),
            ),
            (Backend::Clickpesa(d, gate), Confirmation::ClickpesaQuery { reference, payout }) => {
                let slot = format!("{}:{reference}", if *payout { "payout" } else { "payment" });
                let answer = gate
                    .run(&slot, arrival, now, || {
                        clickpesa::query(d, reference, *payout)
                    })
                    .await
                    .map_err(&retry)?;
                let facts = clickpesa::answer_facts(&answer, reference, claims)?;
                event::check_claims(provider, claims, &facts)?;
                let key = clickpesa::dedupe_key(*payout, &facts);
                (Trust::StatusQuery, facts, key)
            }
            (Backend::Mpesa(d, gate), Confirmation::Mpesa(kind)) => {
                // The STK push to confirm by: the callback's own, or (for a C2B
                // confirmation) the one your order records.
                let id = match kind {
                    mpesa::MpesaCallback::Stk(id) => id.clone(),
                    mpesa::MpesaCallback::C2bConfirmation => {
                        match expected.and_then(Expected::provider_id) {
                            Some(id) => crate::mpesa::CheckoutRequestId::new(id)?,
                            None => return Err(mpesa::unconfirmable(kind)),
                        }
                    }
                    mpesa::MpesaCallback::C2bValidation | mpesa::MpesaCallback::Result => {
                        return Err(mpesa::unconfirmable(kind))
                    }
                };
                let outcome = gate
                    .run(id.as_str(), arrival, now, || mpesa::confirm_query(d, &id))
                    .await
                    .map_err(&retry)?;
                let facts = mpesa::stk_facts(&id, &outcome);
                event::check_claims(provider, claims, &facts)?;
                let key = mpesa::stk_key(&facts);
                (Trust::StatusQuery, facts, key)
            }
            _ => {
                return Err(Error::Misuse(
                    "a callback accepted by another provider's facade",
                ))
            }
        };
        let order = match expected {
            Some(order) => event::check_expected(provider, claims, &facts, order)?,
            None => None,
        };
        Ok(CallbackEvent {
            provider,
            trust,
            facts,
            claims: claims.clone(),
            order,
            dedupe_key,
        })
    }
}
