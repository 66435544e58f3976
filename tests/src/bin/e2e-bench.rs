//! `e2e-bench`: end-to-end throughput of finconnect against the in-process
//! sandbox, over either HTTP adapter.
//!
//! ```text
//! cargo run --release -p finconnect-tests --bin e2e-bench -- \
//!     --provider pesapal --adapter reqwest --payments 2000 --concurrency 64 --json
//! ```
//!
//! - Payment mode (the default): one payment = `FintechSdk::pay` then one
//!   `FintechSdk::status` on its result (2 upstream requests); see
//!   `e2e_bench/payments.rs`.
//! - Callback mode (`--callbacks N`): N distinct callbacks through
//!   finconnect-hyper's `CallbackService`; see `e2e_bench/callbacks.rs`.
//! - `--limits`: OpenSSL's RSA-2048 verify rate beside finconnect's.
//!
//! The sandbox runs in the same process and tokio runtime as the client (it
//! shares the cores). Nothing here asserts on timings: it measures and prints.

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
/// in-process sandbox). One payment = `pay` + one `status` query.
#[derive(Debug, Parser)]
#[command(name = "e2e-bench", version)]
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
    /// Requests in flight (payment workers, or callback senders).
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
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
        for &provider in &providers {
            for &adapter in &adapters {
                let run = runtime.block_on(payments::run(
                    provider,
                    adapter,
                    n,
                    args.concurrency,
                    args.pool_idle,
                ));
                if args.json {
                    println!("{}", run.json());
                }
                payment_runs.push(run);
            }
        }
        if !args.json {
            print_payments(&payment_runs);
        }
    }

    if let Some(n) = args.callbacks {
        let mut runs = Vec::new();
        for &provider in &providers {
            for &adapter in &adapters {
                let run = runtime.block_on(callbacks::run(
                    provider,
                    adapter,
                    n,
                    args.concurrency,
                    args.pool_idle,
                ));
                if args.json {
                    println!("{}", run.json());
                }
                runs.push(run);
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
        "{:<10} {:<8} {:>8} {:>5} {:>7} {:>9} {:>8} {:>8} {:>8} {:>9} {:>9} {:>5} {:>10} {:>9}",
        "provider",
        "adapter",
        "payments",
        "conc",
        "errors",
        "pay/s",
        "p50 ms",
        "p99 ms",
        "wall s",
        "upstream",
        "ideal",
        "auth",
        "up/pay",
        "RSS KiB"
    );
    for r in runs {
        println!(
            "{:<10} {:<8} {:>8} {:>5} {:>7} {:>9.1} {:>8.2} {:>8.2} {:>8.2} {:>9} {:>9} {:>5} {:>10.3} {:>9}",
            r.provider.as_str(),
            r.adapter.as_str(),
            r.payments,
            r.concurrency,
            r.errors,
            r.payments_per_sec(),
            r.latency.p50_ms,
            r.latency.p99_ms,
            r.wall.as_secs_f64(),
            r.counters.total,
            r.ideal_upstream_requests,
            r.counters.auth,
            r.upstream_per_payment(),
            r.peak_rss_kib
        );
        if let Some(e) = &r.first_error {
            println!("    first error: {e}");
        }
    }
}

fn print_callbacks(runs: &[callbacks::CallbackRun]) {
    println!("\nCallbacks through finconnect-hyper's CallbackService (one delivery per event)");
    println!(
        "{:<10} {:<8} {:>9} {:>5} {:>7} {:>9} {:>8} {:>10} {:>8} {:>8} {:>9}  verification",
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
        "RSS KiB"
    );
    for r in runs {
        println!(
            "{:<10} {:<8} {:>9} {:>5} {:>7} {:>9} {:>8.0} {:>10.0} {:>8.2} {:>8.2} {:>9}  {}",
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
