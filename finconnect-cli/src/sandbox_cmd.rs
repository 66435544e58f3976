//! `finconnect sandbox`: serves the simulator until Ctrl-C.
//!
//! The banner names everything a user needs: base URLs, TEST-ONLY credentials, the
//! control endpoints, and a file holding the public key of the sandbox's AzamPay
//! callback signatures (written to a temporary file for as long as the sandbox runs,
//! because the key URL itself needs a bearer token), and one holding the M-Pesa
//! certificate the initiator's `SecurityCredential` is encrypted with.

use clap::{Args, ValueEnum};
use finconnect_sandbox::{credentials, Outcome, Sandbox, SandboxConfig};
use std::io::Write;
use std::time::Duration;
use tempfile::NamedTempFile;

/// `finconnect sandbox` options.
///
/// The banner prints the path of a temporary file holding the TEST-ONLY public key
/// that signs the sandbox's AzamPay callbacks (pass it to `finconnect verify azampay
/// --public-key`); the file is written at start and removed when the sandbox stops.
#[derive(Args, Debug)]
pub struct SandboxArgs {
    /// TCP port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Let the simulated customer act on every new payment after this many
    /// milliseconds (default: payments wait for `POST /_sandbox/settle`).
    #[arg(long, value_name = "MS")]
    customer_delay_ms: Option<u64>,
    /// What the simulated customer does with `--customer-delay-ms`.
    #[arg(long, value_enum, default_value_t = CustomerOutcome::Complete)]
    customer_outcome: CustomerOutcome,
    /// Where AzamPay callbacks are POSTed.
    #[arg(long, value_name = "URL")]
    azampay_callback_url: Option<url::Url>,
    /// Where ClickPesa webhooks are POSTed.
    #[arg(long, value_name = "URL")]
    clickpesa_webhook_url: Option<url::Url>,
    /// Lifetime of every provider's tokens, in seconds (default: as each provider
    /// documents it: PesaPal 300, AzamPay 3600, ClickPesa 3600, M-Pesa 3600).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    token_ttl: Option<u64>,
    /// Also deliver IPNs, callbacks and webhooks to hosts other than localhost,
    /// 127.0.0.0/8 and ::1 (default: such deliveries are refused and logged).
    #[arg(long)]
    allow_remote_delivery: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum CustomerOutcome {
    /// The customer pays.
    Complete,
    /// The payment fails.
    Fail,
}

/// Runs the sandbox until Ctrl-C; the process exit code.
pub async fn run(args: SandboxArgs) -> i32 {
    let mut config = SandboxConfig {
        port: args.port,
        customer_delay: args.customer_delay_ms.map(Duration::from_millis),
        customer_outcome: match args.customer_outcome {
            CustomerOutcome::Complete => Outcome::Complete,
            CustomerOutcome::Fail => Outcome::Fail,
        },
        azampay_callback_url: args.azampay_callback_url,
        clickpesa_webhook_url: args.clickpesa_webhook_url,
        ..SandboxConfig::default()
    }
    .with_remote_delivery(args.allow_remote_delivery);
    if let Some(seconds) = args.token_ttl {
        config = config.with_token_ttl(Duration::from_secs(seconds));
    }
    let token_lifetimes = format!(
        "PesaPal {} s, AzamPay {} s, ClickPesa {} s, M-Pesa {} s",
        config.pesapal_token_lifetime.as_secs(),
        config.azampay_token_lifetime.as_secs(),
        config.clickpesa_token_lifetime.as_secs(),
        config.mpesa_token_lifetime.as_secs()
    );
    let remote = config.allow_remote_delivery;
    let key_file = match test_only_file(
        "finconnect-sandbox-azampay-public-key.TEST-ONLY.",
        credentials::AZAMPAY_PUBLIC_KEY_PEM,
    ) {
        Ok(f) => f,
        Err(e) => {
            eprintln!(
                "finconnect: could not write the sandbox's AzamPay public key to a temporary file: {e}"
            );
            return 1;
        }
    };
    let certificate_file = match test_only_file(
        "finconnect-sandbox-mpesa-certificate.TEST-ONLY.",
        credentials::MPESA_CERTIFICATE_PEM,
    ) {
        Ok(f) => f,
        Err(e) => {
            eprintln!(
                "finconnect: could not write the sandbox's M-Pesa certificate to a temporary file: {e}"
            );
            return 1;
        }
    };
    let sandbox = match Sandbox::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("finconnect: could not start the sandbox: {e}");
            return 1;
        }
    };
    let origin = format!("http://{}", sandbox.addr());
    println!("finconnect sandbox listening on {origin} (Ctrl-C to stop)");
    println!("Token lifetimes: {token_lifetimes}");
    if remote {
        println!("Notifications: delivered to any host (--allow-remote-delivery)");
    } else {
        println!("Notifications: delivered to localhost, 127.0.0.0/8 and ::1 only");
    }
    println!();
    println!("PesaPal API 3.0");
    println!("  base URL          {}", sandbox.pesapal_base_url());
    println!("  consumer key      {}", credentials::PESAPAL_CONSUMER_KEY);
    println!(
        "  consumer secret   {}",
        credentials::PESAPAL_CONSUMER_SECRET
    );
    println!("AzamPay");
    println!("  auth URL          {}", sandbox.azampay_auth_base_url());
    println!(
        "  checkout URL      {}",
        sandbox.azampay_checkout_base_url()
    );
    println!(
        "  disbursement URL  {}",
        sandbox.azampay_disbursement_base_url()
    );
    println!("  app name          {}", credentials::AZAMPAY_APP_NAME);
    println!("  client id         {}", credentials::AZAMPAY_CLIENT_ID);
    println!("  client secret     {}", credentials::AZAMPAY_CLIENT_SECRET);
    println!("  API key           {}", credentials::AZAMPAY_API_KEY);
    println!(
        "  public key file   {}  (TEST-ONLY; removed when the sandbox stops)",
        key_file.path().display()
    );
    println!(
        "  public key URL    {}/azampay/v1/public-key?format=Pem  (needs a bearer token: use `finconnect azampay public-key --pem`)",
        sandbox.azampay_checkout_base_url()
    );
    println!("ClickPesa");
    println!("  base URL          {}", sandbox.clickpesa_base_url());
    println!("  client id         {}", credentials::CLICKPESA_CLIENT_ID);
    println!("  API key           {}", credentials::CLICKPESA_API_KEY);
    println!(
        "  checksum key      {}",
        credentials::CLICKPESA_CHECKSUM_KEY
    );
    println!("M-Pesa (Daraja)");
    println!("  base URL          {}", sandbox.mpesa_base_url());
    println!("  consumer key      {}", credentials::MPESA_CONSUMER_KEY);
    println!("  consumer secret   {}", credentials::MPESA_CONSUMER_SECRET);
    println!(
        "  Express shortcode {}  (passkey {})",
        credentials::MPESA_EXPRESS_SHORTCODE,
        credentials::MPESA_EXPRESS_PASSKEY
    );
    println!(
        "  initiator         {} on shortcode {}  (password {})",
        credentials::MPESA_INITIATOR_NAME,
        credentials::MPESA_SHORTCODE,
        credentials::MPESA_INITIATOR_PASSWORD
    );
    println!(
        "  certificate file  {}  (TEST-ONLY, for MPESA_CERTIFICATE; removed when the sandbox stops)",
        certificate_file.path().display()
    );
    println!(
        "  phone prompt      {}/mpesa/checkout/<CheckoutRequestID>  (Pay, Fail, Cancel)",
        origin
    );
    println!();
    println!("These credentials are TEST-ONLY: they unlock this local simulator and nothing else.");
    println!();
    println!("Pay as a customer would: open the page a payment hands out (PesaPal's redirect_url,");
    println!(
        "AzamPay's hosted checkout, ClickPesa's checkout link) and click Pay, Fail or Cancel;"
    );
    println!("the notification is delivered and the browser goes back to your callback URL.");
    println!("Or settle a payment directly (the simulated customer pays or fails):");
    println!("  curl -X POST {origin}/_sandbox/settle -H 'content-type: application/json' \\");
    println!(
        "       -d '{{\"provider\":\"pesapal\",\"reference\":\"<order tracking id>\",\"outcome\":\"complete\"}}'"
    );
    println!("  (provider: pesapal|azampay|clickpesa|mpesa; outcome: complete|fail;");
    println!("   M-Pesa's reference is the CheckoutRequestID of the STK push)");
    println!("An M-Pesa customer pays the shortcode (C2B, to the URLs you registered):");
    println!("  curl -X POST {origin}/_sandbox/mpesa/c2b -H 'content-type: application/json' \\");
    println!("       -d '{{\"amount\":10,\"msisdn\":\"254708374149\",\"bill_ref\":\"ORDER7\"}}'");
    println!("Inspect: GET {origin}/_sandbox/deliveries (every notification delivery),");
    println!(
        "         GET {origin}/_sandbox/counters (totals), GET {origin}/_sandbox/counters/requests (per route)"
    );
    println!(
        "Verify a captured AzamPay callback: finconnect verify azampay --public-key {} CALLBACK_FILE",
        key_file.path().display()
    );
    println!();
    println!("Use it from the CLI, e.g.:");
    println!(
        "  PESAPAL_CONSUMER_KEY=… PESAPAL_CONSUMER_SECRET=… finconnect pesapal --base-url {} list-ipns",
        sandbox.pesapal_base_url()
    );
    println!(
        "  MPESA_CONSUMER_KEY=… MPESA_CONSUMER_SECRET=… finconnect mpesa --base-url {} auth",
        sandbox.mpesa_base_url()
    );

    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("finconnect: could not wait for Ctrl-C: {e}");
    }
    println!("stopping the sandbox");
    sandbox.shutdown().await;
    drop(key_file);
    drop(certificate_file);
    0
}

/// One of the sandbox's TEST-ONLY PEM files (the AzamPay public key, the M-Pesa
/// certificate) in a fresh temporary file (created exclusively, removed when dropped).
fn test_only_file(prefix: &str, pem: &str) -> std::io::Result<NamedTempFile> {
    let mut file = tempfile::Builder::new()
        .prefix(prefix)
        .suffix(".pem")
        .tempfile()?;
    file.write_all(pem.as_bytes())?;
    file.flush()?;
    Ok(file)
}
