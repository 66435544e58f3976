//! What every mode shares: the provider and adapter names, the sandbox (in this
//! process or another), latency summaries, CPU time, peak RSS, sandbox counters
//! and the client options.

use bytes::Bytes;
use finconnect::driver::ClientOptions;
use finconnect_sandbox::{ProviderName, Route, Sandbox, SandboxConfig};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::sync::atomic::{AtomicU64, Ordering};
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

/// The sandbox a run talks to: started in this process (it then shares the
/// process's CPU time with the client), or already running in another process
/// (`finconnect sandbox --port N`, given as `--target http://127.0.0.1:N`), so
/// the process's CPU time is the client's alone.
#[derive(Debug)]
pub enum Server {
    InProcess(Sandbox),
    Remote(String),
}

impl Server {
    /// A fresh in-process sandbox, or the remote one at `target`.
    pub async fn start(target: Option<&str>) -> Server {
        match target {
            Some(origin) => Server::Remote(origin.trim_end_matches('/').to_owned()),
            None => Server::InProcess(start_sandbox().await),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        match self {
            Server::InProcess(sandbox) => format!("http://{}", sandbox.addr()),
            Server::Remote(origin) => origin.clone(),
        }
    }

    pub fn out_of_process(&self) -> bool {
        matches!(self, Server::Remote(_))
    }

    /// The sandbox's counters for `provider` (cumulative: take differences).
    pub async fn counters(&self, provider: ProviderName) -> Counters {
        match self {
            Server::InProcess(sandbox) => {
                let mut c = Counters::default();
                for route in Route::ALL.iter().filter(|r| r.provider() == provider) {
                    let n = sandbox.requests(*route);
                    c.routes.push((route.name(), n));
                    c.total += n;
                }
                c.auth = sandbox.requests(auth_route(provider));
                c.connections = sandbox.connections();
                c
            }
            Server::Remote(origin) => {
                let per_route = get_json(&format!("{origin}/_sandbox/counters/requests")).await;
                let totals = get_json(&format!("{origin}/_sandbox/counters")).await;
                let mut c = Counters::default();
                for route in Route::ALL.iter().filter(|r| r.provider() == provider) {
                    let n = per_route[route.name()].as_u64().unwrap_or(0);
                    c.routes.push((route.name(), n));
                    c.total += n;
                }
                c.auth = per_route[auth_route(provider).name()].as_u64().unwrap_or(0);
                c.connections = totals["connections"].as_u64().unwrap_or(0);
                c
            }
        }
    }

    pub async fn shutdown(self) {
        if let Server::InProcess(sandbox) = self {
            sandbox.shutdown().await;
        }
    }
}

/// GETs a JSON document from the sandbox's control surface.
async fn get_json(url: &str) -> serde_json::Value {
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let response = client
        .get(url.parse().expect("a control URL"))
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e} (is `finconnect sandbox` running there?)"));
    let body = response
        .into_body()
        .collect()
        .await
        .expect("a control answer")
        .to_bytes();
    serde_json::from_slice(&body).unwrap_or_else(|e| panic!("GET {url}: not JSON: {e}"))
}

/// A prefix unique to this run, so payments sent to a long-running sandbox never
/// reuse an earlier run's references (letters and digits only, as every
/// provider allows).
pub fn run_prefix(kind: &str) -> String {
    static RUN: AtomicU64 = AtomicU64::new(0);
    let n = RUN.fetch_add(1, Ordering::Relaxed);
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() % 1_000_000);
    format!("{kind}{}{secs}R{n}X", std::process::id() % 10_000)
}

/// CPU time of this process so far (user + system, every thread, living or
/// ended: `CLOCK_PROCESS_CPUTIME_ID`, the sum `getrusage(RUSAGE_SELF)` reports).
pub fn cpu_time() -> Duration {
    cpu_time::ProcessTime::try_now()
        .map(|t| t.as_duration())
        .unwrap_or_default()
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
    /// TCP connections the sandbox accepted (all providers).
    pub connections: u64,
}

impl Counters {
    /// `self - before`, per route and in total.
    pub fn since(mut self, before: &Counters) -> Counters {
        for (route, n) in &mut self.routes {
            if let Some((_, b)) = before.routes.iter().find(|(r, _)| r == route) {
                *n -= b;
            }
        }
        self.routes.retain(|(_, n)| *n > 0);
        self.total -= before.total;
        self.auth -= before.auth;
        self.connections -= before.connections;
        self
    }
}

pub fn auth_route(provider: ProviderName) -> Route {
    match provider {
        ProviderName::Pesapal => Route::PesapalAuth,
        ProviderName::Azampay => Route::AzampayToken,
        ProviderName::Clickpesa => Route::ClickpesaToken,
        ProviderName::Mpesa => Route::MpesaAuth,
    }
}

/// Latency percentiles in milliseconds (nearest rank).
#[derive(Clone, Copy, Debug, Default)]
pub struct Latency {
    pub p50_ms: f64,
    pub p90_ms: f64,
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
        p90_ms: rank(0.90),
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
