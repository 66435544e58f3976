//! What every mode shares: the provider and adapter names, latency summaries,
//! peak RSS, sandbox counters and the client options.

use finconnect::driver::ClientOptions;
use finconnect_sandbox::{ProviderName, Route, Sandbox, SandboxConfig};
use std::time::Duration;

/// A provider on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ProviderArg {
    /// PesaPal API 3.0.
    Pesapal,
    /// AzamPay.
    Azampay,
    /// ClickPesa.
    Clickpesa,
    /// The three, one after the other.
    All,
}

impl ProviderArg {
    pub fn expand(self) -> Vec<ProviderName> {
        match self {
            ProviderArg::Pesapal => vec![ProviderName::Pesapal],
            ProviderArg::Azampay => vec![ProviderName::Azampay],
            ProviderArg::Clickpesa => vec![ProviderName::Clickpesa],
            ProviderArg::All => vec![
                ProviderName::Pesapal,
                ProviderName::Azampay,
                ProviderName::Clickpesa,
            ],
        }
    }
}

/// An HTTP adapter on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AdapterArg {
    /// finconnect-reqwest.
    Reqwest,
    /// finconnect-hyper (plain HTTP connector).
    Hyper,
    /// Both, one after the other.
    All,
}

/// One adapter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdapterName {
    Reqwest,
    Hyper,
}

impl AdapterName {
    pub fn as_str(self) -> &'static str {
        match self {
            AdapterName::Reqwest => "reqwest",
            AdapterName::Hyper => "hyper",
        }
    }
}

impl AdapterArg {
    pub fn expand(self) -> Vec<AdapterName> {
        match self {
            AdapterArg::Reqwest => vec![AdapterName::Reqwest],
            AdapterArg::Hyper => vec![AdapterName::Hyper],
            AdapterArg::All => vec![AdapterName::Reqwest, AdapterName::Hyper],
        }
    }
}

/// Token lifetime the sandbox is started with: long enough that one token
/// serves a whole run.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// A sandbox with no artificial latency (no customer delay: payments stay
/// pending) and 24-hour tokens for the three providers.
pub async fn start_sandbox() -> Sandbox {
    finconnect_tests::start_sandbox_with(SandboxConfig {
        customer_delay: None,
        pesapal_token_lifetime: TOKEN_LIFETIME,
        azampay_token_lifetime: TOKEN_LIFETIME,
        clickpesa_token_lifetime: TOKEN_LIFETIME,
        ..SandboxConfig::default()
    })
    .await
}

/// Client options for a run at `concurrency`: generous timeouts (the benchmark
/// measures, it does not time out) and an idle pool as large as the number of
/// requests in flight, so connections are reused rather than reopened.
pub fn client_options(concurrency: usize, pool_idle: Option<usize>) -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_secs(10),
        timeout: Duration::from_secs(30),
        pool_max_idle_per_host: pool_idle.unwrap_or(concurrency).max(1),
        ..ClientOptions::default()
    }
}

/// The sandbox's counters for one provider's routes.
#[derive(Clone, Debug, Default)]
pub struct Counters {
    /// Requests per route name (routes with none left out).
    pub routes: Vec<(&'static str, u64)>,
    /// Their sum.
    pub total: u64,
    /// The auth route's counter.
    pub auth: u64,
}

pub fn auth_route(provider: ProviderName) -> Route {
    match provider {
        ProviderName::Pesapal => Route::PesapalAuth,
        ProviderName::Azampay => Route::AzampayToken,
        ProviderName::Clickpesa => Route::ClickpesaToken,
        ProviderName::Mpesa => Route::MpesaAuth,
    }
}

pub fn counters(sandbox: &Sandbox, provider: ProviderName) -> Counters {
    let mut c = Counters::default();
    for route in Route::ALL.iter().filter(|r| r.provider() == provider) {
        let n = sandbox.requests(*route);
        if n > 0 {
            c.routes.push((route.name(), n));
        }
        c.total += n;
    }
    c.auth = sandbox.requests(auth_route(provider));
    c
}

/// Latency percentiles in milliseconds (nearest rank).
#[derive(Clone, Copy, Debug, Default)]
pub struct Latency {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

pub fn latency(mut samples: Vec<Duration>) -> Latency {
    if samples.is_empty() {
        return Latency::default();
    }
    samples.sort_unstable();
    let n = samples.len();
    let rank = |q: f64| {
        let i = ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
        ms(samples[i])
    };
    let sum: Duration = samples.iter().sum();
    Latency {
        p50_ms: rank(0.50),
        p99_ms: rank(0.99),
        max_ms: ms(samples[n - 1]),
        mean_ms: ms(sum) / n as f64,
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Rounds to 3 decimals for output.
pub fn r3(x: f64) -> f64 {
    (x * 1e3).round() / 1e3
}

/// Resets the process's peak RSS (`echo 5 > /proc/self/clear_refs`) so each run
/// reports its own peak; false when the kernel refuses (the figure is then the
/// peak since the process started).
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// `VmHWM` of /proc/self/status in KiB (0 when unreadable).
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// The 1-minute load average (`/proc/loadavg`), to tell a busy machine from a
/// slow run.
pub fn loadavg_1m() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
