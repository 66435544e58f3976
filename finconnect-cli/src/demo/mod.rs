//! `finconnect demo`: each provider's full flow against an embedded sandbox,
//! through the reqwest facade, with a local callback listener: PesaPal, AzamPay,
//! ClickPesa and M-Pesa (Daraja).

mod azampay;
mod clickpesa;
mod mpesa;
mod pesapal;

use crate::output;
use clap::{Args, ValueEnum};
use finconnect::sdk::CallbackEvent;
use finconnect_reqwest::FintechSdk;
use finconnect_sandbox::{DeliveryRecord, ProviderName, Sandbox, SandboxConfig};
use serde_json::{json, Value};
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How long the demo waits for a notification to reach its listener.
const EVENT_WAIT: Duration = Duration::from_secs(10);

/// `finconnect demo` options.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Run only this provider's flow (default: all four).
    #[arg(long, value_enum)]
    pub provider: Option<DemoProvider>,
    /// Print one JSON object per provider (steps and timings) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// A provider the demo can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DemoProvider {
    /// PesaPal API 3.0.
    Pesapal,
    /// AzamPay.
    Azampay,
    /// ClickPesa.
    Clickpesa,
    /// M-Pesa (Safaricom Daraja).
    Mpesa,
}

impl DemoProvider {
    const ALL: [DemoProvider; 4] = [
        DemoProvider::Pesapal,
        DemoProvider::Azampay,
        DemoProvider::Clickpesa,
        DemoProvider::Mpesa,
    ];

    fn label(self) -> &'static str {
        match self {
            DemoProvider::Pesapal => "PesaPal",
            DemoProvider::Azampay => "AzamPay",
            DemoProvider::Clickpesa => "ClickPesa",
            DemoProvider::Mpesa => "M-Pesa",
        }
    }

    fn key(self) -> &'static str {
        match self {
            DemoProvider::Pesapal => "pesapal",
            DemoProvider::Azampay => "azampay",
            DemoProvider::Clickpesa => "clickpesa",
            DemoProvider::Mpesa => "mpesa",
        }
    }
}

/// One finished step.
#[derive(Debug)]
struct StepRecord {
    name: &'static str,
    elapsed: Duration,
    ok: bool,
    detail: String,
}

/// A step that failed: which one and why.
#[derive(Debug)]
pub(crate) struct StepFailed;

/// The steps of one provider's flow, printed as they finish.
#[derive(Debug)]
pub(crate) struct Flow {
    provider: DemoProvider,
    json: bool,
    started: Instant,
    steps: Vec<StepRecord>,
    error: Option<String>,
    total: Option<Duration>,
}

impl Flow {
    fn new(provider: DemoProvider, json: bool) -> Self {
        Flow {
            provider,
            json,
            started: Instant::now(),
            steps: Vec::new(),
            error: None,
            total: None,
        }
    }

    /// Runs one step: `fut` gives the value and a short detail line, or the error.
    pub(crate) async fn step<T, F>(&mut self, name: &'static str, fut: F) -> Result<T, StepFailed>
    where
        F: Future<Output = Result<(T, String), String>>,
    {
        let start = Instant::now();
        let result = fut.await;
        let elapsed = start.elapsed();
        let number = self.steps.len() + 1;
        match result {
            Ok((value, detail)) => {
                if !self.json {
                    println!(
                        "  {:<9} {number}. {name:<44} ✔ {:>6}  {detail}",
                        self.provider.label(),
                        output::millis(elapsed)
                    );
                }
                self.steps.push(StepRecord {
                    name,
                    elapsed,
                    ok: true,
                    detail,
                });
                Ok(value)
            }
            Err(error) => {
                if !self.json {
                    println!(
                        "  {:<9} {number}. {name:<44} ✘ {:>6}  {error}",
                        self.provider.label(),
                        output::millis(elapsed)
                    );
                }
                self.steps.push(StepRecord {
                    name,
                    elapsed,
                    ok: false,
                    detail: error.clone(),
                });
                self.error = Some(error);
                Err(StepFailed)
            }
        }
    }

    /// Records a failure outside any step (setup).
    fn setup_failed(&mut self, error: String) {
        self.error = Some(error);
    }

    fn finish(&mut self) {
        self.total = Some(self.started.elapsed());
    }

    fn total(&self) -> Duration {
        self.total.unwrap_or_else(|| self.started.elapsed())
    }

    fn ok(&self) -> bool {
        self.error.is_none()
    }

    fn summary_line(&self) -> String {
        let total = output::millis(self.total());
        let label = self.provider.label();
        match (&self.error, self.steps.last()) {
            (None, _) => format!("{label:<9} ✔ all {} steps in {total}", self.steps.len()),
            (Some(error), Some(last)) if !last.ok => format!(
                "{label:<9} ✘ step {} ({}) failed after {total}: {error}",
                self.steps.len(),
                last.name
            ),
            (Some(error), _) => format!("{label:<9} ✘ setup failed: {error}"),
        }
    }

    fn to_json(&self) -> Value {
        let steps: Vec<Value> = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                json!({
                    "step": i + 1,
                    "name": s.name,
                    "ok": s.ok,
                    "elapsed_ms": output::ms_f64(s.elapsed),
                    "detail": s.detail,
                })
            })
            .collect();
        json!({
            "provider": self.provider.key(),
            "ok": self.ok(),
            "steps": steps,
            "total_ms": output::ms_f64(self.total()),
            "error": self.error,
        })
    }
}

/// Runs the demo; the process exit code.
pub async fn run(args: DemoArgs) -> i32 {
    let started = Instant::now();
    let sandbox = match Sandbox::start(SandboxConfig::default()).await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("finconnect: could not start the embedded sandbox: {e}");
            return 1;
        }
    };
    if !args.json {
        println!(
            "finconnect demo — embedded sandbox on http://{}",
            sandbox.addr()
        );
    }
    let providers: Vec<DemoProvider> = match args.provider {
        Some(p) => vec![p],
        None => DemoProvider::ALL.to_vec(),
    };
    let mut flows = Vec::new();
    for provider in providers {
        if !args.json {
            println!();
            println!("{}:", provider.label());
        }
        let mut flow = Flow::new(provider, args.json);
        let result = match provider {
            DemoProvider::Pesapal => pesapal::run(&sandbox, &mut flow).await,
            DemoProvider::Azampay => azampay::run(&sandbox, &mut flow).await,
            DemoProvider::Clickpesa => clickpesa::run(&sandbox, &mut flow).await,
            DemoProvider::Mpesa => mpesa::run(&sandbox, &mut flow).await,
        };
        if let Err(e) = result {
            flow.setup_failed(e);
        }
        flow.finish();
        flows.push(flow);
    }
    sandbox.shutdown().await;

    let all_ok = flows.iter().all(Flow::ok);
    if args.json {
        for flow in &flows {
            println!("{}", flow.to_json());
        }
    } else {
        println!();
        for flow in &flows {
            println!("{}", flow.summary_line());
        }
        let steps: usize = flows.iter().map(|f| f.steps.len()).sum();
        let total = output::millis(started.elapsed());
        if all_ok {
            println!(
                "Overall   ✔ {} provider(s), {steps} steps, all succeeded in {total}",
                flows.len()
            );
        } else {
            let failed = flows.iter().filter(|f| !f.ok()).count();
            println!(
                "Overall   ✘ {failed} of {} provider flow(s) failed ({total})",
                flows.len()
            );
        }
    }
    if all_ok {
        0
    } else {
        1
    }
}

/// A running callback listener: where it is and what it received.
pub(crate) struct Listener {
    /// The URL of the path it was started with.
    pub(crate) url: String,
    /// `http://127.0.0.1:PORT`: it serves every path below.
    pub(crate) origin: String,
    events: mpsc::UnboundedReceiver<CallbackEvent>,
    orders: Orders,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// The demo's own order book (what a shop keeps in its database).
#[derive(Clone, Default)]
struct Orders(std::sync::Arc<std::sync::Mutex<Vec<finconnect::sdk::Expected>>>);

impl Orders {
    fn add(&self, order: finconnect::sdk::Expected) {
        if let Ok(mut orders) = self.0.lock() {
            orders.push(order);
        }
    }

    /// The order a callback names: by merchant reference, or by the provider's
    /// id for it (an M-Pesa STK callback carries only its `CheckoutRequestID`).
    fn find(&self, claims: &finconnect::sdk::Claims) -> Option<finconnect::sdk::Expected> {
        let orders = self.0.lock().ok()?;
        orders
            .iter()
            .find(|o| {
                claims.reference.as_deref() == Some(o.reference())
                    || (claims.provider_reference.is_some()
                        && claims.provider_reference.as_deref() == o.provider_id())
            })
            .cloned()
    }
}

impl Listener {
    /// Serves the facade's callbacks on 127.0.0.1 (ephemeral port) at `path`.
    pub(crate) async fn start(sdk: &FintechSdk, path: &str) -> Result<Listener, String> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| format!("could not bind a callback listener: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("callback listener address: {e}"))?;
        let (tx, events) = mpsc::unbounded_channel();
        let orders = Orders::default();
        let book = orders.clone();
        // The handler is quick: it passes the event on and returns Ok, which
        // acknowledges the callback; each event is checked against the order the
        // flow recorded (found by the reference or provider id the callback names).
        let service = finconnect_hyper::callback::CallbackService::new(sdk.clone(), move |event| {
            let sent = tx.send(event);
            async move { sent.map_err(|_| "the demo stopped listening") }
        })
        .with_orders(move |claims| {
            let order = book.find(claims);
            async move { order }
        });
        let task = tokio::spawn(finconnect_hyper::callback::serve(listener, service));
        Ok(Listener {
            url: format!("http://{addr}{path}"),
            origin: format!("http://{addr}"),
            events,
            orders,
            task,
        })
    }

    /// Records an order, so its events are checked against it.
    pub(crate) fn expect(&self, order: finconnect::sdk::Expected) {
        self.orders.add(order);
    }

    /// The next event user code received (after the service settled it).
    pub(crate) async fn next_event(&mut self) -> Result<CallbackEvent, String> {
        match tokio::time::timeout(EVENT_WAIT, self.events.recv()).await {
            Err(_) => Err(format!(
                "no event reached the listener within {} s",
                EVENT_WAIT.as_secs()
            )),
            Ok(None) => Err("the listener stopped".into()),
            Ok(Some(event)) => Ok(event),
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The delivery the sandbox recorded for one of `references`, checked acked.
pub(crate) fn acked_delivery(
    sandbox: &Sandbox,
    provider: ProviderName,
    references: &[&str],
) -> Result<(DeliveryRecord, String), String> {
    let record = sandbox
        .deliveries()
        .into_iter()
        .rev()
        .find(|d| d.provider == provider && references.contains(&d.reference.as_str()))
        .ok_or_else(|| "the sandbox recorded no delivery for this payment".to_owned())?;
    if !record.acked {
        return Err(format!(
            "the sandbox's {} {} was not acknowledged after {} attempt(s) (last HTTP status {:?})",
            record.method, "notification", record.attempts, record.last_status
        ));
    }
    let detail = format!(
        "{} delivered, acked (HTTP {}) after {} attempt(s)",
        record.method,
        record.last_status.unwrap_or_default(),
        record.attempts
    );
    Ok((record, detail))
}

/// A merchant reference unique to this run (letters and digits only, as
/// ClickPesa requires).
pub(crate) fn unique_reference(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{prefix}{}", nanos % 10_000_000_000)
}

/// Client options for the local sandbox: short timeouts.
pub(crate) fn options() -> finconnect_reqwest::Options {
    finconnect_reqwest::Options {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(10),
        ..finconnect_reqwest::Options::default()
    }
}

/// The flow's record of its order: what a shop keeps, to check events against.
pub(crate) fn order_of(
    started: &finconnect::sdk::PaymentStarted,
    amount: Option<finconnect::Money>,
) -> finconnect::sdk::Expected {
    let mut order = finconnect::sdk::Expected::order(started.reference.clone());
    if let Some(amount) = amount {
        order = order.amount(amount);
    }
    match &started.provider_reference {
        Some(id) => order.provider_reference(id.clone()),
        None => order,
    }
}

/// Checks an event is the completed, trusted one expected, tied to the order.
pub(crate) fn expect_completed(
    event: &CallbackEvent,
    order: &finconnect::sdk::Expected,
    trust: finconnect::sdk::Trust,
) -> Result<String, String> {
    if event.trust != trust {
        return Err(format!(
            "event trust is {:?}, expected {trust:?}",
            event.trust
        ));
    }
    if event.order.as_ref() != Some(order) {
        return Err(format!(
            "the event was not tied to order {} (vouched: {:?} / {:?})",
            order.reference(),
            event.facts.reference,
            event.facts.provider_reference
        ));
    }
    if event.facts.status != finconnect::PaymentStatus::Completed {
        return Err(format!(
            "event status is {}, expected completed",
            event.facts.status
        ));
    }
    Ok(format!(
        "{} {} for {} (trust {:?}{})",
        event.claims.kind,
        event.facts.status,
        order.reference(),
        event.trust,
        event
            .facts
            .amount
            .map(|a| format!(", {a}"))
            .unwrap_or_default()
    ))
}

/// The last four steps every flow shares: the customer pays (the sandbox
/// settles `settle_ref`), the notification is delivered and acked, the listener
/// hands over the verified event, and a status query agrees.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn settle_and_confirm(
    flow: &mut Flow,
    sandbox: &finconnect_sandbox::Sandbox,
    sdk: &FintechSdk,
    listener: &mut Listener,
    started: &finconnect::sdk::PaymentStarted,
    (provider, settle_ref, delivery_refs): (finconnect_sandbox::ProviderName, &str, &[&str]),
    (notice, verify_step): (&'static str, &'static str),
    (order, trust): (finconnect::sdk::Expected, finconnect::sdk::Trust),
) -> Result<(), StepFailed> {
    listener.expect(order.clone());
    flow.step("the customer pays (sandbox settles)", async {
        sandbox
            .settle(provider, settle_ref, finconnect_sandbox::Outcome::Complete)
            .await
            .map_err(|e| e.to_string())?;
        Ok(((), "payment completed at the provider".to_owned()))
    })
    .await?;

    flow.step(notice, async {
        acked_delivery(sandbox, provider, delivery_refs).map(|(_, detail)| ((), detail))
    })
    .await?;

    flow.step(verify_step, async {
        let event = listener.next_event().await?;
        expect_completed(&event, &order, trust).map(|d| ((), d))
    })
    .await?;

    flow.step("status query", async {
        let report = sdk
            .status(finconnect::sdk::StatusQuery::from(started))
            .await
            .map_err(|e| e.to_string())?;
        if report.status != finconnect::PaymentStatus::Completed {
            return Err(format!("status is {}, expected completed", report.status));
        }
        let raw = report.raw_status.as_deref().unwrap_or("-");
        Ok(((), format!("{} ({raw})", report.status)))
    })
    .await?;
    Ok(())
}
