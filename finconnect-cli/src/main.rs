//! The `finconnect` command: a demo of every provider's flow against an embedded
//! sandbox, the sandbox as a process, provider operations with credentials from
//! the environment, and offline verification of captured callbacks.
#![forbid(unsafe_code)]

mod demo;
#[allow(dead_code)] // helpers used by the commands added next
mod output;

use clap::{Parser, Subcommand};

/// finconnect: PesaPal API 3.0, AzamPay and ClickPesa from the command line.
#[derive(Parser, Debug)]
#[command(name = "finconnect", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run every provider's full payment flow against an embedded sandbox.
    Demo(demo::DemoArgs),
}

fn main() {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("finconnect: could not start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    let code = runtime.block_on(async move {
        match cli.command {
            Command::Demo(args) => demo::run(args).await,
        }
    });
    std::process::exit(code);
}
