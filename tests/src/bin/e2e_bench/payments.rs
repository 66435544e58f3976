//! Payment mode: N payments through the facade against the in-process sandbox.
//!
//! One "payment" is exactly two facade calls, timed together from the first byte
//! written to the last byte parsed:
//! 1. `FintechSdk::pay` — PesaPal `SubmitOrderRequest` (with the `ipn_id`
//!    registered once before the clock starts), AzamPay MNO checkout, ClickPesa
//!    USSD push (initiate only, no preview);
//! 2. `FintechSdk::status` on what `pay` returned — PesaPal
//!    `GetTransactionStatus`, AzamPay transaction status, ClickPesa payment query.
//!
//! The sandbox has no customer delay, so every status is still pending; the
//! benchmark checks that and counts anything else as an error.

use crate::common::{self, AdapterName, Counters, Latency};
use finconnect::driver::Transport;
use finconnect::sdk::{FintechSdk, IpnMethod, Payment, ProviderConfig};
use finconnect::{Currency, Money, PaymentStatus};
use finconnect_sandbox::{ProviderName, Sandbox};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Upstream requests one payment needs: `pay` and `status`.
pub const REQUESTS_PER_PAYMENT: u64 = 2;

/// The result of one (provider, adapter) payment run.
#[derive(Debug)]
pub struct PaymentRun {
    pub provider: ProviderName,
    pub adapter: AdapterName,
    pub payments: usize,
    pub concurrency: usize,
    pub pool_idle: usize,
    pub ok: usize,
    pub errors: usize,
    pub first_error: Option<String>,
    pub wall: Duration,
    pub latency: Latency,
    pub counters: Counters,
    /// Requests made before the clock started (PesaPal's RegisterIPN).
    pub setup_requests: u64,
    pub ideal_upstream_requests: u64,
    pub peak_rss_kib: u64,
    pub peak_rss_reset: bool,
}

impl PaymentRun {
    pub fn payments_per_sec(&self) -> f64 {
        self.ok as f64 / self.wall.as_secs_f64()
    }

    pub fn upstream_per_payment(&self) -> f64 {
        self.counters.total as f64 / self.payments.max(1) as f64
    }

    pub fn ideal_per_payment(&self) -> f64 {
        self.ideal_upstream_requests as f64 / self.payments.max(1) as f64
    }

    pub fn json(&self) -> serde_json::Value {
        use common::r3;
        serde_json::json!({
            "kind": "payments",
            "provider": self.provider.as_str(),
            "adapter": self.adapter.as_str(),
            "payments": self.payments,
            "concurrency": self.concurrency,
            "pool_max_idle_per_host": self.pool_idle,
            "ok": self.ok,
            "errors": self.errors,
            "first_error": self.first_error,
            "wall_s": r3(self.wall.as_secs_f64()),
            "payments_per_sec": r3(self.payments_per_sec()),
            "p50_ms": r3(self.latency.p50_ms),
            "p99_ms": r3(self.latency.p99_ms),
            "max_ms": r3(self.latency.max_ms),
            "mean_ms": r3(self.latency.mean_ms),
            "upstream_requests": self.counters.total,
            "auth_requests": self.counters.auth,
            "setup_requests": self.setup_requests,
            "ideal_upstream_requests": self.ideal_upstream_requests,
            "upstream_per_payment": r3(self.upstream_per_payment()),
            "ideal_upstream_per_payment": r3(self.ideal_per_payment()),
            "routes": self.counters.routes.iter().map(|(k, v)| (k.to_string(), serde_json::json!(v))).collect::<serde_json::Map<_, _>>(),
            "peak_rss_kib": self.peak_rss_kib,
            "peak_rss_reset": self.peak_rss_reset,
            "loadavg_1m": common::loadavg_1m(),
        })
    }
}

/// The provider's configuration at `sandbox`.
pub fn provider_config(provider: ProviderName, sandbox: &Sandbox) -> ProviderConfig {
    match provider {
        ProviderName::Pesapal => ProviderConfig::Pesapal(finconnect_tests::pesapal_config(sandbox)),
        ProviderName::Azampay => ProviderConfig::Azampay(finconnect_tests::azampay_config(sandbox)),
        ProviderName::Clickpesa => {
            ProviderConfig::Clickpesa(finconnect_tests::clickpesa_config(sandbox))
        }
        // The facade's M-Pesa provider is not part of this benchmark (yet).
        ProviderName::Mpesa => panic!("the e2e benchmark runs PesaPal, AzamPay and ClickPesa only"),
    }
}

/// Payment `i`: every field any of the three providers needs (PesaPal in KES,
/// the others in TZS).
pub fn payment(provider: ProviderName, i: usize) -> Payment {
    let amount = match provider {
        ProviderName::Pesapal => Money::from_major(100, Currency::KES),
        _ => Money::from_major(1_000, Currency::TZS),
    }
    .expect("an amount");
    Payment::new(format!("BENCH{i}"), amount)
        .expect("a payment")
        .description("e2e benchmark order")
        .expect("a description")
        .email("bench@example.com")
        .phone("0712345678")
        .operator(finconnect::azampay::MnoProvider::Airtel)
        .callback_url("http://127.0.0.1/return")
}

/// Runs `payments` payments at `concurrency` over the facade of `adapter`.
pub async fn run(
    provider: ProviderName,
    adapter: AdapterName,
    payments: usize,
    concurrency: usize,
    pool_idle: Option<usize>,
) -> PaymentRun {
    let peak_rss_reset = common::reset_peak_rss();
    let sandbox = common::start_sandbox().await;
    let options = common::client_options(concurrency, pool_idle);
    let config = provider_config(provider, &sandbox);
    let mut run = match adapter {
        AdapterName::Reqwest => {
            let sdk =
                finconnect_reqwest::fintech_sdk_with(config, &options).expect("a reqwest facade");
            drive(sdk, &sandbox, provider, payments, concurrency).await
        }
        AdapterName::Hyper => {
            let sdk = finconnect_hyper::fintech_sdk_over(
                config,
                finconnect_hyper::HyperTransport::http(&options),
                &options,
            )
            .expect("a hyper facade");
            drive(sdk, &sandbox, provider, payments, concurrency).await
        }
    };
    run.adapter = adapter;
    run.pool_idle = options.pool_max_idle_per_host;
    run.peak_rss_reset = peak_rss_reset;
    run.peak_rss_kib = common::peak_rss_kib();
    sandbox.shutdown().await;
    run
}

struct Outcome {
    latencies: Vec<Duration>,
    errors: Vec<String>,
}

async fn drive<T: Transport + 'static>(
    sdk: FintechSdk<T>,
    sandbox: &Sandbox,
    provider: ProviderName,
    payments: usize,
    concurrency: usize,
) -> PaymentRun {
    // PesaPal: one IPN registration up front (it also fetches the token).
    let ipn_id: Option<Arc<str>> = match provider {
        ProviderName::Pesapal => {
            let ipn = sdk
                .register_ipn("http://127.0.0.1:9/ipn", IpnMethod::Get)
                .await
                .expect("RegisterIPN at the sandbox");
            Some(Arc::from(ipn.ipn_id.as_str()))
        }
        _ => None,
    };
    let setup_requests = match provider {
        ProviderName::Pesapal => 1,
        _ => 0,
    };

    let next = Arc::new(AtomicUsize::new(0));
    let workers = concurrency.clamp(1, payments.max(1));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(workers);
    for _ in 0..workers {
        let sdk = sdk.clone();
        let next = Arc::clone(&next);
        let ipn_id = ipn_id.clone();
        tasks.push(tokio::spawn(async move {
            let mut out = Outcome {
                latencies: Vec::with_capacity(payments / workers + 1),
                errors: Vec::new(),
            };
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= payments {
                    break;
                }
                let payment = payment(provider, i);
                let t = Instant::now();
                let result = async {
                    let started = sdk.pay(&payment, ipn_id.as_deref()).await?;
                    sdk.status(&started).await
                }
                .await;
                let elapsed = t.elapsed();
                match result {
                    Ok(report) if report.status == PaymentStatus::Pending => {
                        out.latencies.push(elapsed)
                    }
                    Ok(report) => out.errors.push(format!(
                        "payment {i}: status {:?}, expected pending",
                        report.status
                    )),
                    Err(e) => out.errors.push(format!("payment {i}: {e}")),
                }
            }
            out
        }));
    }
    let mut latencies = Vec::with_capacity(payments);
    let mut errors = Vec::new();
    for task in tasks {
        let out = task.await.expect("a payment worker");
        latencies.extend(out.latencies);
        errors.extend(out.errors);
    }
    let wall = started.elapsed();

    let counters = common::counters(sandbox, provider);
    // One token per lifetime started (the whole run fits in one).
    let tokens = wall.as_secs_f64() / common::TOKEN_LIFETIME.as_secs_f64();
    let ideal =
        REQUESTS_PER_PAYMENT * payments as u64 + (tokens.ceil() as u64).max(1) + setup_requests;
    PaymentRun {
        provider,
        adapter: AdapterName::Reqwest,
        payments,
        concurrency,
        pool_idle: 0,
        ok: latencies.len(),
        errors: errors.len(),
        first_error: errors.into_iter().next(),
        wall,
        latency: common::latency(latencies),
        counters,
        setup_requests,
        ideal_upstream_requests: ideal,
        peak_rss_kib: 0,
        peak_rss_reset: false,
    }
}
