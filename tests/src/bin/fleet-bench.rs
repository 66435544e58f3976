//! `fleet-bench`: finconnect for a fleet of instances on one Redis.
//!
//! ```text
//! cargo run --release -p finconnect-tests --bin fleet-bench -- stream --events 20000 --json
//! ```
//!
//! - `stream`: callbacks/s through the durable Redis event stream (checksummed
//!   ClickPesa webhooks into callback service instances that append each event
//!   once); see `fleet_bench/stream.rs`.
//!
//! Everything runs on this machine: a `redis-server` started for the run (or
//! `--redis URL`), the instances and the sender in one process. Nothing here
//! asserts on timings: it measures and prints.

#[path = "fleet_bench/stream.rs"]
mod stream;

use clap::{Parser, Subcommand};

/// Benchmarks of finconnect on Redis.
#[derive(Debug, Parser)]
#[command(name = "fleet-bench", version)]
struct Args {
    #[command(subcommand)]
    command: Command,
    /// Tokio worker threads (default: one per core).
    #[arg(long, global = true)]
    threads: Option<usize>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Callbacks/s through the Redis event stream.
    Stream(stream::StreamArgs),
}

fn main() {
    let args = Args::parse();
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    runtime.enable_all();
    if let Some(threads) = args.threads {
        runtime.worker_threads(threads.max(1));
    }
    let runtime = runtime.build().expect("a tokio runtime");
    match args.command {
        Command::Stream(stream_args) => runtime.block_on(stream::run(stream_args)),
    }
}
