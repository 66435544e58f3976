//! `e2e-bench`: end-to-end cost of finconnect against the sandbox, over either
//! HTTP adapter, beside the limit a bare hyper client sets.
//!
//! ```text
//! cargo run --release -p finconnect-cli -- sandbox --port 18080 --token-ttl 86400 &
//! cargo run --release -p finconnect-tests --bin e2e-bench -- \
//!     --target http://127.0.0.1:18080 --baseline bare-hyper \
//!     --provider pesapal --adapter reqwest --payments 2000 --concurrency 64 --json
//! ```
//!
//! - `--target URL`: the sandbox runs in another process, so the CPU time this
//!   process spends is the client's alone (without it, a sandbox is started in
//!   this process and shares its CPU time).
//! - `--baseline bare-hyper`: beside each payment run, the same requests sent by a
//!   bare hyper client (`e2e_bench/bare.rs`): the limit, and the ratio.
//! - Payment mode (the default): one payment = `FintechSdk::pay` then one
//!   `FintechSdk::status` on its result (2 upstream requests); see
//!   `e2e_bench/payments.rs`.
//! - Callback mode (`--callbacks N`): N distinct callbacks through
//!   finconnect-hyper's `CallbackService`; see `e2e_bench/callbacks.rs`.
//! - `--limits`: OpenSSL's RSA-2048 verify rate beside finconnect's.
//!
//! Nothing here asserts on timings: it measures and prints.

#[path = "e2e_bench/bare.rs"]
mod bare;
#[path = "e2e_bench/callbacks.rs"]
mod callbacks;
#[path = "e2e_bench/common.rs"]
mod common;
#[path = "e2e_bench/limits.rs"]
mod limits;
#[path = "e2e_bench/payments.rs"]
mod payments;

use clap::Parser;
use common::{AdapterArg, ProviderArg};

/// End-to-end benchmark of finconnect (facade → adapter → loopback HTTP → the
/// sandbox). One payment = `pay` + one `status` query (2 upstream requests).
///
/// What each figure means:
///   client_cpu_us_per_payment  CPU time of this process (user + system, all
///       threads: CLOCK_PROCESS_CPUTIME_ID, what getrusage sums) over the timed
///       phase ÷ payments. With --target it is the client's alone; without, the
///       in-process sandbox's is included.
///   p50/p90/p99/max  latency of one payment (pay + status), nearest rank, ms.
///   connections_opened  TCP connections the sandbox accepted during the timed
///       phase (from its counters). The pool starts cold.
///   peak_rss_kib  VmHWM of this process, reset before each run.
///   bare-hyper (--baseline)  the same requests (same method, URL, headers,
///       body) sent by a bare hyper client over keep-alive at the same
///       concurrency: its CPU per payment (2 requests) is the limit; ratio =
///       finconnect's CPU per payment ÷ the bare client's. bare-reqwest: the
///       same with a bare reqwest client (what reqwest itself costs).
///   p99/50  the tail: p99 ÷ p50.
///   upstream/ideal  requests the sandbox counted vs 2 per payment + auth.
///   callbacks/s  verified events handed to user code per second (--callbacks);
///       cpu us/cb: CPU time of this process per callback (the service and the
///       in-process sender).
///   verify (--limits)  AzamPay RSA-2048 verification by the default verifier
///       vs `openssl speed rsa2048`, and their ratio.
#[derive(Debug, Parser)]
#[command(name = "e2e-bench", version, verbatim_doc_comment)]
struct Args {
    /// Which provider(s) to run.
    #[arg(long, value_enum, default_value = "all")]
    provider: ProviderArg,
    /// Which HTTP adapter(s) to run.
    #[arg(long, value_enum, default_value = "all")]
    adapter: AdapterArg,
    /// Payments per (provider, adapter) run. Default 2000 when no other mode is
    /// asked for; with `--callbacks` or `--limits` alone, no payments run.
    #[arg(long)]
    payments: Option<usize>,
    /// Requests in flight (payment workers, or callback senders); several,
    /// comma-separated (`1,64`), run one after the other.
    #[arg(long, value_delimiter = ',', default_value = "64")]
    concurrency: Vec<usize>,
    /// Idle connections kept per host by the adapter (default: --concurrency).
    #[arg(long)]
    pool_idle: Option<usize>,
    /// Callback mode: this many distinct callbacks per provider through the
    /// hyper `CallbackService`.
    #[arg(long)]
    callbacks: Option<usize>,
    /// Also measure the limits: `openssl speed -seconds 2 rsa2048` beside
    /// finconnect's own RSA-2048 verify rate.
    #[arg(long)]
    limits: bool,
    /// Seconds for each of finconnect's two verify measurements.
    #[arg(long, default_value_t = 2.0)]
    verify_seconds: f64,
    /// Print one JSON object per run (one line each) instead of tables.
    #[arg(long)]
    json: bool,
    /// Tokio worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Origin of a sandbox running in another process (`finconnect sandbox
    /// --port N --token-ttl 86400`), e.g. http://127.0.0.1:N. Without it, a
    /// sandbox is started in this process for each run.
    #[arg(long, value_name = "URL")]
    target: Option<String>,
    /// The sandbox the callback mode's service talks to (PesaPal confirmations),
    /// in another process; defaults to --target.
    #[arg(long, value_name = "URL")]
    callback_target: Option<String>,
    /// Measure baselines beside each payment run: `bare-hyper` (the limit),
    /// `bare-reqwest` (what reqwest itself costs); comma-separated.
    #[arg(long, value_enum, value_delimiter = ',')]
    baseline: Vec<Baseline>,
}

/// What a payment run is compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Baseline {
    /// The same requests sent by a bare hyper client over keep-alive.
    BareHyper,
    /// The same requests sent by a bare reqwest client.
    BareReqwest,
}

fn main() {
    let args = Args::parse();
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    runtime.enable_all();
    if let Some(threads) = args.threads {
        runtime.worker_threads(threads.max(1));
    }
    let runtime = runtime.build().expect("a tokio runtime");
    let payments = args
        .payments
        .or((args.callbacks.is_none() && !args.limits).then_some(2_000));
    let providers = args.provider.expand();
    let adapters = args.adapter.expand();

    let mut payment_runs = Vec::new();
    if let Some(n) = payments {
        for &concurrency in &args.concurrency {
            for &provider in &providers {
                for &adapter in &adapters {
                    let mut run = runtime.block_on(payments::run(
                        provider,
                        adapter,
                        n,
                        concurrency,
                        args.pool_idle,
                        args.target.as_deref(),
                    ));
                    for baseline in &args.baseline {
                        let (client, slot) = match baseline {
                            Baseline::BareHyper => (bare::Bare::Hyper, &mut run.bare),
                            Baseline::BareReqwest => (bare::Bare::Reqwest, &mut run.bare_reqwest),
                        };
                        if slot.is_none() {
                            *slot = Some(runtime.block_on(bare::run(
                                provider,
                                client,
                                n,
                                concurrency,
                                args.target.as_deref(),
                            )));
                        }
                    }
                    if args.json {
                        println!("{}", run.json());
                    }
                    payment_runs.push(run);
                }
            }
        }
        if !args.json {
            print_payments(&payment_runs);
        }
    }

    if let Some(n) = args.callbacks {
        let mut runs = Vec::new();
        for &concurrency in &args.concurrency {
            for &provider in &providers {
                for &adapter in &adapters {
                    let run = runtime.block_on(callbacks::run(
                        provider,
                        adapter,
                        n,
                        concurrency,
                        args.pool_idle,
                        args.callback_target.as_deref().or(args.target.as_deref()),
                    ));
                    if args.json {
                        println!("{}", run.json());
                    }
                    runs.push(run);
                }
            }
        }
        if !args.json {
            print_callbacks(&runs);
        }
    }

    if args.limits {
        drop(runtime);
        let limits = limits::measure(args.verify_seconds);
        if args.json {
            let mut value = limits.json();
            value["upstream_per_payment"] = payment_runs
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "provider": r.provider.as_str(),
                        "adapter": r.adapter.as_str(),
                        "upstream_per_payment": common::r3(r.upstream_per_payment()),
                        "ideal_upstream_per_payment": common::r3(r.ideal_per_payment()),
                    })
                })
                .collect();
            println!("{value}");
        } else {
            print_limits(&limits, &payment_runs);
        }
    }
}

fn print_payments(runs: &[payments::PaymentRun]) {
    println!(
        "\nPayments (one payment = pay + status; {} upstream requests each, plus 1 auth per token lifetime)",
        payments::REQUESTS_PER_PAYMENT
    );
    println!(
        "{:<10} {:<8} {:>7} {:>5} {:>6} {:>8} {:>9} {:>9} {:>6} {:>7} {:>7} {:>7} {:>7} {:>6} {:>6} {:>9} {:>9} {:>5} {:>8}",
        "provider",
        "adapter",
        "pays",
        "conc",
        "errors",
        "pay/s",
        "cpu us/p",
        "bare us/p",
        "ratio",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "p99/50",
        "conns",
        "upstream",
        "ideal",
        "auth",
        "RSS KiB"
    );
    for r in runs {
        println!(
            "{:<10} {:<8} {:>7} {:>5} {:>6} {:>8.0} {:>9.1} {:>9} {:>6} {:>7.2} {:>7.2} {:>7.2} {:>7.2} {:>6.2} {:>6} {:>9} {:>9} {:>5} {:>8}",
            r.provider.as_str(),
            r.adapter.as_str(),
            r.payments,
            r.concurrency,
            r.errors,
            r.payments_per_sec(),
            r.cpu_us_per_payment(),
            r.bare
                .as_ref()
                .map_or("-".to_owned(), |b| format!("{:.1}", b.cpu_us_per_payment())),
            r.cpu_ratio().map_or("-".to_owned(), |x| format!("{x:.2}")),
            r.latency.p50_ms,
            r.latency.p90_ms,
            r.latency.p99_ms,
            r.latency.max_ms,
            r.tail_ratio(),
            r.counters.connections,
            r.counters.total + r.setup_requests,
            r.ideal_upstream_requests,
            r.counters.auth,
            r.peak_rss_kib
        );
        if let Some(e) = &r.first_error {
            println!("    first error: {e}");
        }
        for b in r.bare.iter().chain(&r.bare_reqwest) {
            println!(
                "    bare-{}: {:.1} us/payment, p50 {:.2} p99 {:.2} max {:.2} ms, {} connections, {} errors{}",
                match b.client {
                    bare::Bare::Hyper => "hyper",
                    bare::Bare::Reqwest => "reqwest",
                },
                b.cpu_us_per_payment(),
                b.latency.p50_ms,
                b.latency.p99_ms,
                b.latency.max_ms,
                b.counters.connections,
                b.errors,
                b.first_error
                    .as_ref()
                    .map_or(String::new(), |e| format!(" (first: {e})"))
            );
        }
    }
    if let Some(r) = runs.first() {
        println!(
            "  (sandbox {}; cpu us/p = CPU time of this process per payment{})",
            if r.out_of_process {
                "in another process"
            } else {
                "in this process"
            },
            if r.out_of_process {
                ": the client's alone"
            } else {
                ", sandbox included"
            }
        );
    }
}

fn print_callbacks(runs: &[callbacks::CallbackRun]) {
    println!("\nCallbacks through finconnect-hyper's CallbackService (one delivery per event)");
    println!(
        "{:<10} {:<8} {:>9} {:>5} {:>7} {:>9} {:>8} {:>10} {:>8} {:>8} {:>9} {:>9}  verification",
        "provider",
        "adapter",
        "callbacks",
        "conc",
        "errors",
        "events",
        "acks/s",
        "verified/s",
        "p50 ms",
        "p99 ms",
        "cpu us/cb",
        "RSS KiB"
    );
    for r in runs {
        println!(
            "{:<10} {:<8} {:>9} {:>5} {:>7} {:>9} {:>8.0} {:>10.0} {:>8.2} {:>8.2} {:>9.1} {:>9}  {}",
            r.provider.as_str(),
            r.adapter.as_str(),
            r.callbacks,
            r.concurrency,
            r.ack_errors + r.settle_errors,
            r.events_delivered,
            r.acks_per_sec(),
            r.callbacks_per_sec(),
            r.latency.p50_ms,
            r.latency.p99_ms,
            r.cpu.as_secs_f64() * 1e6 / r.callbacks.max(1) as f64,
            r.peak_rss_kib,
            r.verification
        );
        if let Some(e) = &r.first_ack_error {
            println!("    first error: {e}");
        }
    }
}

fn print_limits(l: &limits::Limits, runs: &[payments::PaymentRun]) {
    println!("\nLimits (one core each)");
    match &l.openssl {
        limits::Openssl::Measured {
            verify_per_sec,
            version,
        } => println!(
            "  openssl speed -seconds 2 rsa2048: {verify_per_sec:.0} verify/s ({:.1} µs)  [{version}]",
            1e6 / verify_per_sec
        ),
        limits::Openssl::Unavailable(why) => println!("  openssl: unavailable ({why})"),
    }
    println!(
        "  finconnect default_verifier ({}) on a signed callback: {:.0} verify/s ({:.1} µs); raw Verifier::verify {:.0}/s ({:.1} µs)",
        l.backend,
        l.verdict_per_sec,
        1e6 / l.verdict_per_sec,
        l.raw_verify_per_sec,
        1e6 / l.raw_verify_per_sec
    );
    if let Some(o) = l.openssl_per_sec() {
        println!(
            "  ratio finconnect / openssl: {:.3} (openssl is {:.1}x faster)",
            l.verdict_per_sec / o,
            o / l.verdict_per_sec
        );
    }
    for r in runs {
        println!(
            "  {} over {}: {:.3} upstream requests per payment (ideal {:.3})",
            r.provider.as_str(),
            r.adapter.as_str(),
            r.upstream_per_payment(),
            r.ideal_per_payment()
        );
    }
}
