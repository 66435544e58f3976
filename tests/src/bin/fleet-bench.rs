//! `fleet-bench`: finconnect in a fleet of instances sharing one Redis.
//!
//! ```text
//! cargo run --release -p finconnect-tests --bin fleet-bench -- tokens \
//!     --instances 4 --payments 20000 --concurrency 64
//! ```
//!
//! ```text
//! cargo run --release -p finconnect-tests --bin fleet-bench -- stream --events 20000 --json
//! ```
//!
//! `stream`: callbacks/s through the durable Redis event stream (checksummed
//! ClickPesa webhooks into callback service instances that append each event
//! once); see `fleet_bench/stream.rs`.
//!
//! `tokens`: payments through a fleet of PesaPal facades with a
//! `RedisTokenStore` each, against the same fleet with in-memory token stores,
//! in the same run (see `fleet_bench/tokens.rs`). Needs `redis-server` on the
//! PATH. Nothing here asserts on timings: it measures and prints.

#[path = "fleet_bench/cpu.rs"]
mod cpu;
#[path = "fleet_bench/stream.rs"]
mod stream;
#[path = "fleet_bench/tokens.rs"]
mod tokens;

use clap::{Parser, Subcommand};

/// Benchmarks of finconnect in a fleet sharing one Redis.
#[derive(Debug, Parser)]
#[command(name = "fleet-bench", version)]
struct Args {
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Debug, Subcommand)]
enum Bench {
    /// The shared token store: Redis vs in-memory, in the same run.
    #[command(after_long_help = TOKENS_FIGURES)]
    Tokens(TokensArgs),
    /// Callbacks/s through the Redis event stream.
    Stream(stream::StreamArgs),
}

const TOKENS_FIGURES: &str = "\
The figures (one row per store and round; each round runs the in-memory fleet,
then the Redis fleet, on the same sandbox and Redis):

  payments/s        payments completed per second of wall time in the measured
                    phase (one payment = one FintechSdk::pay = one
                    SubmitOrderRequest to the in-process sandbox).
  client CPU/pay    CPU time of the client runtime's threads (named `client`,
                    read from /proc/self/task/*/schedstat) per payment, in
                    microseconds: the facade, the adapter, the token store and
                    the Redis client. The sandbox runs on its own threads and is
                    not counted; neither is redis-server (another process).
  RT/pay            Redis round trips (commands and scripts sent by all
                    RedisTokenStores) per payment in the measured phase, i.e.
                    in steady state, after warm-up. Goal: < 0.05.
  cold RT           Redis round trips of the cold start (IPN registration and
                    warm-up payments, when the fleet fetches its first token).
  auth              token requests the sandbox received in the measured phase
                    (0 in steady state: tokens outlive the run).
  cold auth         token requests during the cold start: 1 for the Redis
                    fleet (one token per fleet), one per instance in memory.

--json prints one JSON object per row instead of the table.";

#[derive(Debug, clap::Args)]
struct TokensArgs {
    /// Instances in the fleet (separate clients, separate token stores).
    #[arg(long, default_value_t = 4)]
    instances: usize,
    /// Payments measured per store and round, spread round-robin over the
    /// instances.
    #[arg(long, default_value_t = 20_000)]
    payments: usize,
    /// Warm-up payments per store and round (not measured).
    #[arg(long, default_value_t = 1_000)]
    warmup: usize,
    /// Payments in flight across the fleet.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Rounds (memory then Redis in each): later rounds show the spread.
    #[arg(long, default_value_t = 2)]
    rounds: usize,
    /// Use finconnect-hyper instead of finconnect-reqwest.
    #[arg(long)]
    hyper: bool,
    /// Client runtime worker threads (the sandbox gets its own, as many).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// One JSON object per row instead of the table.
    #[arg(long)]
    json: bool,
}

fn runtime(name: &str, threads: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .thread_name(name)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn main() {
    match Args::parse().bench {
        Bench::Tokens(args) => tokens_bench(args),
        Bench::Stream(args) => runtime("stream", num_threads()).block_on(stream::run(args)),
    }
}

/// One worker thread per core (the stream bench's instances and sender share them).
fn num_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn tokens_bench(args: TokensArgs) {
    let plan = tokens::Plan {
        instances: args.instances.max(1),
        payments: args.payments.max(1),
        warmup: args.warmup,
        concurrency: args.concurrency.max(1),
        rounds: args.rounds.max(1),
        hyper: args.hyper,
    };
    let client = runtime("client", args.threads);
    let sandbox = runtime("sandbox", args.threads);
    let runs = tokens::run(&plan, &client, &sandbox);
    if args.json {
        for run in &runs {
            println!("{}", run.json(&plan));
        }
        return;
    }
    println!(
        "fleet of {} instances, {} payments per row at {} in flight, adapter {}",
        plan.instances,
        plan.payments,
        plan.concurrency,
        if plan.hyper { "hyper" } else { "reqwest" }
    );
    println!(
        "{:<8} {:>11} {:>15} {:>8} {:>8} {:>6} {:>10} {:>7}",
        "store", "payments/s", "client CPU/pay", "RT/pay", "cold RT", "auth", "cold auth", "errors"
    );
    for run in &runs {
        println!(
            "{:<8} {:>11.0} {:>12.1} µs {:>8.4} {:>8} {:>6} {:>10} {:>7}",
            run.store,
            run.payments_per_sec(),
            run.cpu_us_per_payment(),
            run.round_trips_per_payment(),
            run.cold_round_trips,
            run.auth_requests,
            run.cold_auth_requests,
            run.errors
        );
    }
}
