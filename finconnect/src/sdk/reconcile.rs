//! Reconciliation: settling payments still pending after a deadline by asking
//! the provider (see [`FintechSdk::reconcile`]).

use super::payment::{PaymentStarted, StatusQuery, StatusReport};
use super::FintechSdk;
use crate::driver::Transport;
use crate::Error;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

/// A payment your records still show as pending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingPayment {
    /// Your reference (echoed in the report).
    pub reference: String,
    /// What to ask the provider (see [`StatusQuery`]).
    pub query: StatusQuery,
    /// When it was started.
    pub started: SystemTime,
}

impl PendingPayment {
    /// A payment under `reference`, queried with `query`, started at `started`.
    pub fn new(
        reference: impl Into<String>,
        query: impl Into<StatusQuery>,
        started: SystemTime,
    ) -> Self {
        PendingPayment {
            reference: reference.into(),
            query: query.into(),
            started,
        }
    }

    /// The payment `pay` started at `started`.
    pub fn from_started(started_payment: &PaymentStarted, started: SystemTime) -> Self {
        PendingPayment {
            reference: started_payment.reference.clone(),
            query: StatusQuery::from(started_payment),
            started,
        }
    }
}

/// How [`FintechSdk::reconcile`] queries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReconcileOptions {
    /// Only payments started at least this long ago are queried (default 60 s);
    /// younger ones are reported [`Reconciled::NotDue`].
    pub older_than: Duration,
    /// Time between two queries of the same payment (default and minimum
    /// 5 s, the pace Daraja asks of its STK query).
    pub interval: Duration,
    /// Queries per payment at most, while it stays pending (default 3, at
    /// least 1).
    pub attempts: u32,
    /// Payments queried at once (default 4, at least 1).
    pub concurrency: usize,
}

impl ReconcileOptions {
    /// The smallest [`ReconcileOptions::interval`] honoured.
    pub const MIN_INTERVAL: Duration = Duration::from_secs(5);

    /// Sets [`ReconcileOptions::older_than`].
    pub fn older_than(mut self, age: Duration) -> Self {
        self.older_than = age;
        self
    }

    /// Sets [`ReconcileOptions::interval`] (raised to 5 s when shorter).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Sets [`ReconcileOptions::attempts`].
    pub fn attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }

    /// Sets [`ReconcileOptions::concurrency`].
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency;
        self
    }
}

impl Default for ReconcileOptions {
    fn default() -> Self {
        ReconcileOptions {
            older_than: Duration::from_secs(60),
            interval: Self::MIN_INTERVAL,
            attempts: 3,
            concurrency: 4,
        }
    }
}

/// What became of one payment.
#[derive(Debug)]
#[non_exhaustive]
pub enum Reconciled {
    /// The provider's answer is final (completed, failed, cancelled,
    /// reversed): act on it.
    Settled(StatusReport),
    /// Still pending (or a status finconnect does not know) after every
    /// attempt: the last answer. Reconcile again later.
    StillPending(StatusReport),
    /// Every query failed (or the query could not be made): the last error.
    /// Nothing is known about the payment — not that it failed, not that
    /// nothing was charged; reconcile again later. (A payment the provider
    /// says failed is [`Reconciled::Settled`] with that status.)
    Unanswered(Error),
    /// Started less than [`ReconcileOptions::older_than`] ago: not queried.
    NotDue,
}

/// The report on one payment.
#[derive(Debug)]
#[non_exhaustive]
pub struct ReconcileReport {
    /// Your reference.
    pub reference: String,
    /// What was asked.
    pub query: StatusQuery,
    /// What became of it.
    pub outcome: Reconciled,
    /// How many status queries were sent for it.
    pub queries: u32,
}

impl<T: Transport> FintechSdk<T> {
    /// Settles payments still pending after a deadline: each one started at
    /// least [`ReconcileOptions::older_than`] ago is asked with
    /// [`FintechSdk::status`] until the answer is final, up to
    /// [`ReconcileOptions::attempts`] times, at least 5 s apart
    /// ([`ReconcileOptions::interval`], waited on the transport's timer), with
    /// at most [`ReconcileOptions::concurrency`] payments in progress at once.
    /// One report per payment, in the order given.
    ///
    /// For every provider; indispensable for M-Pesa, whose callbacks are
    /// delivered once and never again. Nothing is charged or changed: it only
    /// reads statuses (act on [`Reconciled::Settled`] as on a confirmed
    /// event — the status comes from the provider's own answer).
    ///
    /// ```
    /// use finconnect::driver::{Transport, TransportFailure};
    /// use finconnect::mpesa::{MpesaConfig, Shortcode};
    /// use finconnect::sdk::{FintechSdk, PendingPayment, ProviderConfig, ReconcileOptions, Reconciled};
    /// use finconnect::{PaymentStatus, UrlPolicy};
    /// use std::time::{Duration, SystemTime};
    ///
    /// /// Answers Daraja's token and STK query requests: the push was paid.
    /// struct Daraja;
    /// impl Transport for Daraja {
    ///     async fn send(&self, r: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportFailure> {
    ///         let body: &[u8] = if r.uri().path().starts_with("/oauth") {
    ///             br#"{"access_token":"t0k3n","expires_in":"3599"}"#
    ///         } else {
    ///             br#"{"ResponseCode":"0","ResponseDescription":"The service request has been accepted successsfully",
    ///                  "MerchantRequestID":"22205-34066-1","CheckoutRequestID":"ws_CO_13012021093521236557",
    ///                  "ResultCode":"0","ResultDesc":"The service request is processed successfully."}"#
    ///         };
    ///         Ok(http::Response::new(body.to_vec()))
    ///     }
    ///     async fn sleep(&self, _: Duration) {}
    ///     fn now(&self) -> SystemTime { SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000) }
    ///     fn seed(&self) -> u64 { 1 }
    /// }
    ///
    /// # fn main() -> Result<(), finconnect::Error> { poll(async {
    /// let config = MpesaConfig::custom("key", "secret", "http://127.0.0.1:9", UrlPolicy::Local)?
    ///     .with_express(Shortcode::new("174379")?, "passkey")?;
    /// let sdk = FintechSdk::new(ProviderConfig::Mpesa(config), Daraja)?;
    /// // From your records: payments still pending, with the CheckoutRequestID
    /// // pay() returned and when they started.
    /// let an_hour_ago = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 - 3600);
    /// let pending = [PendingPayment::new("ORDER-7", "ws_CO_13012021093521236557", an_hour_ago)];
    /// let reports = sdk.reconcile(&pending, &ReconcileOptions::default()).await;
    /// let Reconciled::Settled(report) = &reports[0].outcome else { panic!("not settled") };
    /// assert_eq!(report.status, PaymentStatus::Completed);
    /// # Ok(()) }) }
    /// # fn poll<F: std::future::Future>(f: F) -> F::Output {
    /// #     let waker = std::task::Waker::noop();
    /// #     let mut cx = std::task::Context::from_waker(&waker);
    /// #     let mut f = std::pin::pin!(f);
    /// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// ```
    pub async fn reconcile(
        &self,
        payments: &[PendingPayment],
        options: &ReconcileOptions,
    ) -> Vec<ReconcileReport> {
        let next = AtomicUsize::new(0);
        let workers = options.concurrency.clamp(1, payments.len().max(1));
        let worker = || async {
            let mut done = Vec::new();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(payment) = payments.get(index) else {
                    break;
                };
                done.push((index, self.reconcile_one(payment, options).await));
            }
            done
        };
        let mut reports: Vec<(usize, ReconcileReport)> =
            join_all((0..workers).map(|_| Box::pin(worker())).collect::<Vec<_>>())
                .await
                .into_iter()
                .flatten()
                .collect();
        reports.sort_by_key(|(index, _)| *index);
        reports.into_iter().map(|(_, report)| report).collect()
    }

    async fn reconcile_one(
        &self,
        payment: &PendingPayment,
        options: &ReconcileOptions,
    ) -> ReconcileReport {
        let report = |outcome, queries| ReconcileReport {
            reference: payment.reference.clone(),
            query: payment.query.clone(),
            outcome,
            queries,
        };
        let due = payment
            .started
            .checked_add(options.older_than)
            .is_some_and(|due| due <= self.now());
        if !due {
            return report(Reconciled::NotDue, 0);
        }
        let interval = options.interval.max(ReconcileOptions::MIN_INTERVAL);
        let mut last: Option<Reconciled> = None;
        let mut queries = 0;
        for attempt in 0..options.attempts.max(1) {
            if attempt > 0 {
                self.sleep(interval).await;
            }
            queries += 1;
            match self.status(payment.query.clone()).await {
                Ok(answer) if answer.status.is_final() => {
                    return report(Reconciled::Settled(answer), queries)
                }
                Ok(answer) => last = Some(Reconciled::StillPending(answer)),
                // A query that can never be made is not asked again.
                Err(e @ (Error::Invalid { .. } | Error::Config { .. } | Error::Misuse(_))) => {
                    return report(Reconciled::Unanswered(e), queries)
                }
                Err(e) => {
                    // A pending answer seen before stays the better news.
                    if !matches!(last, Some(Reconciled::StillPending(_))) {
                        last = Some(Reconciled::Unanswered(e));
                    }
                }
            }
        }
        let outcome = last.unwrap_or(Reconciled::Unanswered(Error::Misuse(
            "no status query was made",
        )));
        report(outcome, queries)
    }
}

/// Runs every future to its end, concurrently on the caller's task; their
/// outputs in order.
async fn join_all<F: Future + Unpin>(futures: Vec<F>) -> Vec<F::Output>
where
    F::Output: Unpin,
{
    JoinAll {
        slots: futures.into_iter().map(Slot::Running).collect(),
    }
    .await
}

enum Slot<F: Future> {
    Running(F),
    Done(Option<F::Output>),
}

struct JoinAll<F: Future> {
    slots: Vec<Slot<F>>,
}

impl<F: Future + Unpin> Future for JoinAll<F>
where
    F::Output: Unpin,
{
    type Output = Vec<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut pending = false;
        for slot in self.slots.iter_mut() {
            if let Slot::Running(f) = slot {
                match Pin::new(f).poll(cx) {
                    Poll::Ready(out) => *slot = Slot::Done(Some(out)),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            return Poll::Pending;
        }
        Poll::Ready(
            self.slots
                .iter_mut()
                .filter_map(|slot| match slot {
                    Slot::Done(out) => out.take(),
                    Slot::Running(_) => None,
                })
                .collect(),
        )
    }
}
