//! The `finconnect` command: a demo of every provider's flow against an embedded
//! sandbox, the sandbox as a process, provider operations with credentials from
//! the environment, and offline verification of captured callbacks.
#![forbid(unsafe_code)]

mod demo;
mod events;
mod ops;
mod output;
mod sandbox_cmd;
mod verify;
mod verify_mpesa;

use clap::{Parser, Subcommand};

/// finconnect: PesaPal API 3.0, AzamPay, ClickPesa and M-Pesa from the command line.
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
    /// Serve the PesaPal/AzamPay/ClickPesa simulator on 127.0.0.1 until Ctrl-C.
    ///
    /// Prints the base URLs, the TEST-ONLY credentials, and the path of a temporary
    /// file holding the TEST-ONLY public key that signs its AzamPay callbacks (for
    /// `finconnect verify azampay --public-key`); the file is written at start and
    /// removed when the sandbox stops.
    Sandbox(sandbox_cmd::SandboxArgs),
    /// Verify a captured callback offline: AzamPay signature, ClickPesa checksum, PesaPal IPN, M-Pesa notification.
    ///
    /// Exit status: 0 verified (PesaPal, M-Pesa: parsed), 1 rejected or not
    /// verifiable (e.g. an unusable key), 2 usage error or a malformed M-Pesa
    /// notification.
    Verify(verify::VerifyArgs),
    /// PesaPal API 3.0 operations (credentials: PESAPAL_CONSUMER_KEY, PESAPAL_CONSUMER_SECRET).
    Pesapal(ops::pesapal::PesapalArgs),
    /// AzamPay operations (credentials: AZAMPAY_APP_NAME, AZAMPAY_CLIENT_ID, AZAMPAY_CLIENT_SECRET, AZAMPAY_API_KEY).
    Azampay(ops::azampay::AzampayArgs),
    /// ClickPesa operations (credentials: CLICKPESA_CLIENT_ID, CLICKPESA_API_KEY, CLICKPESA_CHECKSUM_KEY).
    Clickpesa(ops::clickpesa::ClickpesaArgs),
    /// M-Pesa (Safaricom Daraja) operations (credentials: MPESA_CONSUMER_KEY, MPESA_CONSUMER_SECRET, MPESA_SHORTCODE, MPESA_PASSKEY, MPESA_INITIATOR_NAME, MPESA_INITIATOR_PASSWORD, MPESA_CERTIFICATE).
    Mpesa(ops::mpesa::MpesaArgs),
    /// The durable event stream of a fleet's callback services in Redis.
    Events(events::EventsArgs),
}

fn main() {
    let cli = Cli::parse();
    if let Command::Verify(args) = cli.command {
        std::process::exit(verify::run(args));
    }
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
            Command::Sandbox(args) => sandbox_cmd::run(args).await,
            Command::Verify(args) => verify::run(args),
            Command::Pesapal(args) => ops::pesapal::run(args).await,
            Command::Azampay(args) => ops::azampay::run(args).await,
            Command::Clickpesa(args) => ops::clickpesa::run(args).await,
            Command::Mpesa(args) => ops::mpesa::run(args).await,
            Command::Events(args) => events::run(args).await,
        }
    });
    std::process::exit(code);
}
