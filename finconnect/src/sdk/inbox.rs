//! One callback route, end to end (see [`CallbackInbox`]).

use super::accepted::retry_503;
use super::dedupe::{BoxFuture, Claim, DedupeKey, DedupeStore, MemoryDedupe};
use super::event::{CallbackEvent, Claims, Expected};
use super::event_log::{Appended, EventLog};
use super::FintechSdk;
use crate::driver::Transport;
use crate::Error;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Why a handler did not take an event (its `Err`, as text). The provider is
/// asked to send the event again.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HandlerError(pub String);

type Handler = dyn Fn(CallbackEvent) -> BoxFuture<'static, Result<(), HandlerError>> + Send + Sync;
type OrderLookup = dyn Fn(&Claims) -> BoxFuture<'static, Option<Expected>> + Send + Sync;

/// What became of one request (for logs, metrics and tests).
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// New event, handed to the handler, which took it (or appended to the
    /// [`EventLog`]).
    Delivered(DedupeKey),
    /// Handed off before: acknowledged again, not passed on.
    Duplicate(DedupeKey),
    /// Refused (malformed, forged, contradicted): a 4xx.
    Refused(Error),
    /// Not processed now; the provider was asked to send it again (M-Pesa
    /// never does: reconcile).
    Retry(String),
    /// An M-Pesa C2B validation request, answered without an event: accepted
    /// (no order lookup is configured, or the order it names agrees with its
    /// account number and amount) or rejected (`C2B00016`).
    Validated {
        /// Whether the payment was accepted.
        accepted: bool,
    },
}

/// One callback route, end to end, losing nothing: accept → confirm → claim →
/// your handler → answer.
///
/// For each request a [`CallbackInbox`]:
/// 1. parses and verifies it ([`FintechSdk::accept_callback`]); a malformed body
///    gets a 400, a forged signature or checksum a 401 — never passed on;
/// 2. optionally looks up your order from the callback's claims and confirms the
///    event ([`FintechSdk::confirm_callback`]); a contradiction gets a 409; a
///    confirmation that cannot happen now (status query failed, too many in
///    flight) gets the provider's "retry" answer;
/// 3. claims the event's [`DedupeKey`](super::DedupeKey) in the
///    [`DedupeStore`]: an event already handed off is acknowledged again and not
///    passed on; one being handed off by a concurrent delivery gets "retry";
/// 4. awaits your handler; `Ok` → the key is marked done and the provider hears
///    "received"; `Err` → the claim is released and the provider hears "retry",
///    so its next delivery is processed.
///
/// **Why the provider waits.** The provider is told "received" only after the
/// event is confirmed and handed off, so a crash, a failed status query or a
/// failing handler can never swallow a notification: the provider still holds
/// it and sends it again. The cost is latency on the provider's request: one
/// status query for unsigned callbacks (PesaPal IPNs always) plus your handler's
/// time. Keep the handler quick — write the event to a table or a queue and
/// return; do the slow work from there.
///
/// **M-Pesa** sends every callback once and never again, and ignores the
/// answer: an STK callback the STK query cannot confirm yet, a C2B
/// confirmation without your order's STK push, and a `Result` end as
/// [`Outcome::Retry`] — settle those payments with
/// [`FintechSdk::reconcile`](super::FintechSdk::reconcile). A C2B validation
/// request is answered at once ([`Outcome::Validated`]): accepted when no
/// order lookup is configured or the order it names agrees with its account
/// number and amount, rejected otherwise; your handler does not see it.
/// **A durable log instead of a handler.** [`CallbackInbox::for_log`] replaces
/// steps 3 and 4 with one atomic [`EventLog::append_once`]: the event is
/// stored (or found already stored) before the provider hears "received", with
/// no claim to lease or release; your consumers read the log.
///
/// Cheap to clone.
pub struct CallbackInbox<T: Transport> {
    sdk: FintechSdk<T>,
    dedupe: Arc<dyn DedupeStore>,
    handler: Arc<Handler>,
    log: Option<Arc<dyn EventLog>>,
    orders: Option<Arc<OrderLookup>>,
    lease: Duration,
    retention: Duration,
}

impl<T: Transport> Clone for CallbackInbox<T> {
    fn clone(&self) -> Self {
        CallbackInbox {
            sdk: self.sdk.clone(),
            dedupe: Arc::clone(&self.dedupe),
            handler: Arc::clone(&self.handler),
            log: self.log.clone(),
            orders: self.orders.clone(),
            lease: self.lease,
            retention: self.retention,
        }
    }
}

impl<T: Transport> fmt::Debug for CallbackInbox<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackInbox")
            .field("sdk", &self.sdk)
            .field("lease", &self.lease)
            .field("retention", &self.retention)
            .field("order_lookup", &self.orders.is_some())
            .field("event_log", &self.log.is_some())
            .finish_non_exhaustive()
    }
}

impl<T: Transport> CallbackInbox<T> {
    /// An inbox for `sdk`'s callbacks handing each new event to `handler` once
    /// (an in-memory [`MemoryDedupe`]; use [`CallbackInbox::with_dedupe`] for a
    /// store shared by several instances).
    pub fn new<F, Fut, E>(sdk: FintechSdk<T>, handler: F) -> Self
    where
        F: Fn(CallbackEvent) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: fmt::Display,
    {
        let handler = Arc::new(handler);
        CallbackInbox {
            sdk,
            dedupe: Arc::new(MemoryDedupe::default()),
            handler: Arc::new(move |event| {
                let run = handler(event);
                Box::pin(async move { run.await.map_err(|e| HandlerError(e.to_string())) })
            }),
            log: None,
            orders: None,
            lease: Duration::from_secs(60),
            retention: Duration::from_secs(7 * 86_400),
        }
    }

    /// An inbox for `sdk`'s callbacks appending each new, confirmed event to
    /// `log` once per dedupe key, in one atomic step, before the provider hears
    /// "received" (see [`EventLog`]). The log does its own deduplication: the
    /// dedupe store and lease are not used; [`CallbackInbox::with_retention`]
    /// says how long the log remembers keys.
    pub fn for_log(sdk: FintechSdk<T>, log: Arc<dyn EventLog>) -> Self {
        let mut inbox = CallbackInbox::new(sdk, |_event| async {
            Err::<(), _>("an inbox with an event log has no handler")
        });
        inbox.log = Some(log);
        inbox
    }

    /// Uses another dedupe store (not used with an [`EventLog`]).
    pub fn with_dedupe(mut self, store: Arc<dyn DedupeStore>) -> Self {
        self.dedupe = store;
        self
    }

    /// Looks up your order from a callback's claims (by `claims.reference`,
    /// say): each event is then checked against it (see [`Expected`]) and
    /// carries it in [`CallbackEvent::order`] when they agree. `None` = no such
    /// order: the event is still confirmed, with `order` left empty.
    pub fn with_orders<F, Fut>(mut self, lookup: F) -> Self
    where
        F: Fn(&Claims) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<Expected>> + Send + 'static,
    {
        self.orders = Some(Arc::new(move |claims| Box::pin(lookup(claims))));
        self
    }

    /// How long a claim holds before another delivery may take the event over
    /// (default 60 s; longer than your handler ever takes).
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How long handed-off keys are remembered (default 7 days; the store's own
    /// bound may forget sooner).
    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// The facade behind it.
    pub fn sdk(&self) -> &FintechSdk<T> {
        &self.sdk
    }

    /// Handles one callback request (body already read and bounded) and gives
    /// the answer for the provider.
    pub async fn handle(&self, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
        self.handle_detailed(request).await.0
    }

    /// As [`CallbackInbox::handle`], also saying what became of the request.
    pub async fn handle_detailed(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> (http::Response<Vec<u8>>, Outcome) {
        let accepted = match self.sdk.accept_callback(&request).await {
            Ok(accepted) => accepted,
            Err(e) => return refuse_or_retry(e, retry_503()),
        };
        let expected = match &self.orders {
            Some(lookup) => lookup(accepted.claims()).await,
            None => None,
        };
        if accepted.is_validation_request() {
            let ok = match (&self.orders, &expected) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(_), Some(order)) => super::event::check_expected(
                    accepted.provider(),
                    accepted.claims(),
                    &super::event::Facts::status(crate::PaymentStatus::Pending),
                    order,
                )
                .is_ok(),
            };
            let answer = if ok {
                accepted.received()
            } else {
                accepted.retry_later()
            };
            return (answer, Outcome::Validated { accepted: ok });
        }
        let event = match self
            .sdk
            .confirm_callback(&accepted, expected.as_ref())
            .await
        {
            Ok(event) => event,
            Err(e) => return refuse_or_retry(e, accepted.retry_later()),
        };
        let key = event.dedupe_key;
        if let Some(log) = &self.log {
            return match log.append_once(&event, self.retention).await {
                Ok(Appended::New(_)) => (accepted.received(), Outcome::Delivered(key)),
                Ok(Appended::Duplicate(_)) => {
                    tracing::debug!(key = %key, "duplicate callback acknowledged again");
                    (accepted.received(), Outcome::Duplicate(key))
                }
                Err(e) => {
                    tracing::warn!(error = %e, key = %key, "callback not stored: event log unavailable; the provider will retry");
                    (accepted.retry_later(), Outcome::Retry(e.to_string()))
                }
            };
        }
        let now = self.sdk.now();
        match self.dedupe.claim(&key, self.lease, now).await {
            Err(e) => {
                tracing::warn!(error = %e, "callback not processed: dedupe store unavailable");
                return (accepted.retry_later(), Outcome::Retry(e.to_string()));
            }
            Ok(Claim::Done) => {
                tracing::debug!(key = %key, "duplicate callback acknowledged again");
                return (accepted.received(), Outcome::Duplicate(key));
            }
            Ok(Claim::Busy) => {
                let why = "the same event is being handed off by another delivery".to_owned();
                return (accepted.retry_later(), Outcome::Retry(why));
            }
            Ok(Claim::Won) => {}
        }
        match (self.handler)(event).await {
            Ok(()) => {
                if let Err(e) = self.dedupe.done(&key, self.retention, self.sdk.now()).await {
                    // Handed off already: acknowledge (a retry could only
                    // duplicate it once the lease lapses).
                    tracing::warn!(error = %e, key = %key, "event handed off but not recorded as done");
                }
                (accepted.received(), Outcome::Delivered(key))
            }
            Err(e) => {
                tracing::warn!(error = %e, key = %key, "callback handler failed; the provider will retry");
                if let Err(e) = self.dedupe.release(&key).await {
                    tracing::warn!(error = %e, "claim not released; it lapses after its lease");
                }
                (accepted.retry_later(), Outcome::Retry(e.0))
            }
        }
    }
}

/// The status for a refused callback, or the retry answer when the error only
/// means "not now".
fn refuse_or_retry(
    error: Error,
    retry: http::Response<Vec<u8>>,
) -> (http::Response<Vec<u8>>, Outcome) {
    let status = match &error {
        Error::NotConfirmed { .. } => {
            tracing::info!(reason = %error, "callback not confirmed; the provider will retry");
            return (retry, Outcome::Retry(error.to_string()));
        }
        Error::Signature { .. } => http::StatusCode::UNAUTHORIZED,
        Error::Contradiction { .. } => http::StatusCode::CONFLICT,
        Error::Unsupported { .. } => http::StatusCode::NOT_FOUND,
        Error::Invalid { .. } | Error::Decode { .. } => http::StatusCode::BAD_REQUEST,
        _ => {
            tracing::warn!(error = %error, "callback not processed");
            return (retry, Outcome::Retry(error.to_string()));
        }
    };
    tracing::info!(status = status.as_u16(), reason = %error, "callback refused");
    (
        super::accepted::text(status, &error.to_string()),
        Outcome::Refused(error),
    )
}
