//! ClickPesa end to end, against the local sandbox: a USSD push, then the webhook
//! arrives at a hyper `CallbackService` that checks its HMAC checksum, answers
//! 200 and hands the verified event on; a final status query agrees.
//!
//! Run: `cargo run -p finconnect-hyper --example clickpesa_webhook`

use finconnect_hyper::callback::{serve, CallbackService};
use finconnect_hyper::{fintech_sdk_with, HyperTransport, Options};
use finconnect_proto::clickpesa::ClickpesaConfig;
use finconnect_proto::sdk::{Payment, ProviderConfig};
use finconnect_proto::{Currency, Money, Secret, UrlPolicy};
use finconnect_sandbox::{credentials, Outcome, ProviderName, Sandbox, SandboxConfig};
use tokio::sync::mpsc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start(SandboxConfig::default()).await?;
    let config = ClickpesaConfig::with_base_url(
        credentials::CLICKPESA_CLIENT_ID,
        Secret::new(credentials::CLICKPESA_API_KEY),
        &sandbox.clickpesa_base_url(),
        UrlPolicy::Local,
    )?
    .with_checksum_key(Secret::new(credentials::CLICKPESA_CHECKSUM_KEY));
    let options = Options::default();
    let sdk = fintech_sdk_with(
        ProviderConfig::Clickpesa(config),
        HyperTransport::http(&options),
        &options,
    )?;

    let (tx, mut events) = mpsc::channel(8);
    let service = CallbackService::new(sdk.clone(), move |event| {
        let tx = tx.clone();
        async move {
            let _ = tx.send(event).await;
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    sandbox.set_clickpesa_webhook_url(Some(
        format!("http://{}/clickpesa", listener.local_addr()?).parse()?,
    ));
    tokio::spawn(serve(listener, service));

    let payment = Payment::new("ORD20261122", Money::from_major(5_000, Currency::TZS)?)?
        .phone("255712345678");
    let started = sdk.pay(&payment, None).await?;
    println!("USSD push sent: {}", started.status);

    sandbox
        .settle(ProviderName::Clickpesa, "ORD20261122", Outcome::Complete)
        .await?;
    let event = events.recv().await.ok_or("no webhook arrived")??;
    println!(
        "webhook {}: {} (trust: {:?})",
        event.kind, event.status, event.trust
    );
    let report = sdk.status(&started).await?;
    println!("status query: {}", report.status);
    Ok(())
}
