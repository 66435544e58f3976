//! Payment mode: N payments through the facade against the sandbox (in this
//! process, or in another one with `--target`).
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
//! benchmark checks that and counts anything else as an error. The pool starts
//! cold: no connection is open when the clock starts (PesaPal's one setup
//! request, RegisterIPN, leaves one idle connection behind).

use crate::common::{self, AdapterName, Counters, Latency, Server};
use finconnect::azampay::{AzampayConfig, AzampayEndpoints};
use finconnect::clickpesa::ClickpesaConfig;
use finconnect::driver::Transport;
use finconnect::pesapal::PesapalConfig;
use finconnect::sdk::{FintechSdk, IpnMethod, Payment, ProviderConfig};
use finconnect::{Currency, Money, PaymentStatus, Secret, UrlPolicy};
use finconnect_sandbox::{credentials, ProviderName};
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
    /// CPU time of the process over the timed phase (user + system).
    pub cpu: Duration,
    /// Whether the sandbox ran in another process (then `cpu` is the client's).
    pub out_of_process: bool,
    pub latency: Latency,
    /// The sandbox's counters over the timed phase.
    pub counters: Counters,
    /// Requests made before the clock started (PesaPal's RegisterIPN).
    pub setup_requests: u64,
    pub ideal_upstream_requests: u64,
    pub peak_rss_kib: u64,
    pub peak_rss_reset: bool,
    /// The bare hyper client's run beside it (`--baseline bare-hyper`).
    pub bare: Option<crate::bare::BareRun>,
    /// The bare reqwest client's run beside it (`--baseline bare-reqwest`).
    pub bare_reqwest: Option<crate::bare::BareRun>,
}

impl PaymentRun {
    pub fn payments_per_sec(&self) -> f64 {
        self.ok as f64 / self.wall.as_secs_f64()
    }

    pub fn cpu_us_per_payment(&self) -> f64 {
        self.cpu.as_secs_f64() * 1e6 / self.payments.max(1) as f64
    }

    /// finconnect's CPU per payment ÷ the bare client's (the limit).
    pub fn cpu_ratio(&self) -> Option<f64> {
        let bare = self.bare.as_ref()?.cpu_us_per_payment();
        (bare > 0.0).then(|| self.cpu_us_per_payment() / bare)
    }

    /// p99 ÷ p50.
    pub fn tail_ratio(&self) -> f64 {
        self.latency.p99_ms / self.latency.p50_ms.max(1e-9)
    }

    pub fn upstream_per_payment(&self) -> f64 {
        (self.counters.total + self.setup_requests) as f64 / self.payments.max(1) as f64
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
            "sandbox_out_of_process": self.out_of_process,
            "ok": self.ok,
            "errors": self.errors,
            "first_error": self.first_error,
            "wall_s": r3(self.wall.as_secs_f64()),
            "payments_per_sec": r3(self.payments_per_sec()),
            "client_cpu_us_per_payment": r3(self.cpu_us_per_payment()),
            "p50_ms": r3(self.latency.p50_ms),
            "p90_ms": r3(self.latency.p90_ms),
            "p99_ms": r3(self.latency.p99_ms),
            "max_ms": r3(self.latency.max_ms),
            "mean_ms": r3(self.latency.mean_ms),
            "connections_opened": self.counters.connections,
            "upstream_requests": self.counters.total + self.setup_requests,
            "auth_requests": self.counters.auth,
            "setup_requests": self.setup_requests,
            "ideal_upstream_requests": self.ideal_upstream_requests,
            "upstream_per_payment": r3(self.upstream_per_payment()),
            "ideal_upstream_per_payment": r3(self.ideal_per_payment()),
            "routes": self.counters.routes.iter().map(|(k, v)| (k.to_string(), serde_json::json!(v))).collect::<serde_json::Map<_, _>>(),
            "peak_rss_kib": self.peak_rss_kib,
            "peak_rss_reset": self.peak_rss_reset,
            "p99_over_p50": r3(self.tail_ratio()),
            "bare_hyper": self.bare.as_ref().map(|b| b.json()),
            "cpu_ratio_to_bare_hyper": self.cpu_ratio().map(r3),
            "bare_reqwest": self.bare_reqwest.as_ref().map(|b| b.json()),
            "loadavg_1m": common::loadavg_1m(),
        })
    }
}

/// The sandbox's path prefixes (one per simulated host), below its origin.
pub const PESAPAL_PREFIX: &str = "/pesapal/v3";
pub const AZAMPAY_AUTH_PREFIX: &str = "/azampay/auth";
pub const AZAMPAY_CHECKOUT_PREFIX: &str = "/azampay/checkout";
pub const AZAMPAY_DISBURSEMENT_PREFIX: &str = "/azampay/disbursement";
pub const CLICKPESA_PREFIX: &str = "/clickpesa/third-parties";

/// PesaPal at the sandbox at `origin`, with its TEST-ONLY credentials.
pub fn pesapal_config(origin: &str) -> PesapalConfig {
    PesapalConfig::custom(
        credentials::PESAPAL_CONSUMER_KEY,
        credentials::PESAPAL_CONSUMER_SECRET,
        &format!("{origin}{PESAPAL_PREFIX}"),
        UrlPolicy::Local,
    )
    .expect("a PesaPal configuration for the sandbox")
}

/// AzamPay at the sandbox at `origin`.
pub fn azampay_config(origin: &str) -> AzampayConfig {
    AzampayConfig::custom(
        credentials::AZAMPAY_APP_NAME,
        credentials::AZAMPAY_CLIENT_ID,
        Secret::new(credentials::AZAMPAY_CLIENT_SECRET),
        AzampayEndpoints {
            auth: &format!("{origin}{AZAMPAY_AUTH_PREFIX}"),
            checkout: &format!("{origin}{AZAMPAY_CHECKOUT_PREFIX}"),
            disbursement: &format!("{origin}{AZAMPAY_DISBURSEMENT_PREFIX}"),
        },
        UrlPolicy::Local,
    )
    .expect("an AzamPay configuration for the sandbox")
    .with_api_key(Secret::new(credentials::AZAMPAY_API_KEY))
}

/// ClickPesa at the sandbox at `origin`, with request checksums.
pub fn clickpesa_config(origin: &str) -> ClickpesaConfig {
    ClickpesaConfig::custom(
        credentials::CLICKPESA_CLIENT_ID,
        Secret::new(credentials::CLICKPESA_API_KEY),
        &format!("{origin}{CLICKPESA_PREFIX}"),
        UrlPolicy::Local,
    )
    .expect("a ClickPesa configuration for the sandbox")
    .with_checksum_key(finconnect_tests::clickpesa_checksum_key())
}

/// The provider's configuration at the sandbox at `origin`.
pub fn provider_config(provider: ProviderName, origin: &str) -> ProviderConfig {
    match provider {
        ProviderName::Pesapal => ProviderConfig::Pesapal(pesapal_config(origin)),
        ProviderName::Azampay => ProviderConfig::Azampay(azampay_config(origin)),
        ProviderName::Clickpesa => ProviderConfig::Clickpesa(clickpesa_config(origin)),
        // The facade's M-Pesa provider is not part of this benchmark (yet).
        ProviderName::Mpesa => panic!("the e2e benchmark runs PesaPal, AzamPay and ClickPesa only"),
    }
}

/// The amount of every benchmark payment (PesaPal in KES, the others in TZS).
pub fn amount(provider: ProviderName) -> Money {
    match provider {
        ProviderName::Pesapal => Money::from_major(100, Currency::KES),
        _ => Money::from_major(1_000, Currency::TZS),
    }
    .expect("an amount")
}

pub const DESCRIPTION: &str = "e2e benchmark order";
pub const EMAIL: &str = "bench@example.com";
pub const PHONE: &str = "0712345678";
pub const CALLBACK_URL: &str = "http://127.0.0.1/return";

/// The payment with `reference`: every field any of the three providers needs.
pub fn payment(provider: ProviderName, reference: String) -> Payment {
    Payment::new(reference, amount(provider))
        .expect("a payment")
        .description(DESCRIPTION)
        .expect("a description")
        .email(EMAIL)
        .phone(PHONE)
        .operator(finconnect::azampay::MnoProvider::Airtel)
        .callback_url(CALLBACK_URL)
}

/// Runs `payments` payments at `concurrency` over the facade of `adapter`.
pub async fn run(
    provider: ProviderName,
    adapter: AdapterName,
    payments: usize,
    concurrency: usize,
    pool_idle: Option<usize>,
    target: Option<&str>,
) -> PaymentRun {
    let peak_rss_reset = common::reset_peak_rss();
    let server = Server::start(target).await;
    let options = common::client_options(concurrency, pool_idle);
    let config = provider_config(provider, &server.origin());
    let mut run = match adapter {
        AdapterName::Reqwest => {
            let sdk =
                finconnect_reqwest::fintech_sdk_with(config, &options).expect("a reqwest facade");
            drive(sdk, &server, provider, payments, concurrency).await
        }
        AdapterName::Hyper => {
            let sdk = finconnect_hyper::fintech_sdk_over(
                config,
                finconnect_hyper::HyperTransport::http(&options),
                &options,
            )
            .expect("a hyper facade");
            drive(sdk, &server, provider, payments, concurrency).await
        }
    };
    run.adapter = adapter;
    run.pool_idle = options.pool_max_idle_per_host;
    run.peak_rss_reset = peak_rss_reset;
    run.peak_rss_kib = common::peak_rss_kib();
    server.shutdown().await;
    run
}

struct Outcome {
    latencies: Vec<Duration>,
    errors: Vec<String>,
}

async fn drive<T: Transport + 'static>(
    sdk: FintechSdk<T>,
    server: &Server,
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
    // RegisterIPN and the token request it needed.
    let setup_requests = match provider {
        ProviderName::Pesapal => 2,
        _ => 0,
    };
    let prefix: Arc<str> = Arc::from(common::run_prefix("B"));
    let before = server.counters(provider).await;

    let next = Arc::new(AtomicUsize::new(0));
    let workers = concurrency.clamp(1, payments.max(1));
    let cpu_before = common::cpu_time();
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(workers);
    for _ in 0..workers {
        let sdk = sdk.clone();
        let next = Arc::clone(&next);
        let ipn_id = ipn_id.clone();
        let prefix = Arc::clone(&prefix);
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
                let payment = payment(provider, format!("{prefix}{i}"));
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
    let cpu = common::cpu_time().saturating_sub(cpu_before);

    let counters = server.counters(provider).await.since(&before);
    // One token per lifetime started (the whole run fits in one); PesaPal's was
    // fetched during the setup.
    let tokens = match provider {
        ProviderName::Pesapal => 0,
        _ => 1,
    };
    let ideal = REQUESTS_PER_PAYMENT * payments as u64 + tokens + setup_requests;
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
        cpu,
        out_of_process: server.out_of_process(),
        latency: common::latency(latencies),
        counters,
        setup_requests,
        ideal_upstream_requests: ideal,
        peak_rss_kib: 0,
        peak_rss_reset: false,
        bare: None,
        bare_reqwest: None,
    }
}
