//! AzamPay end to end, against the local sandbox: a mobile-money checkout, then
//! the signed callback arrives at a hyper `CallbackService`, which verifies the
//! RSA signature (key fetched from the provider's public-key endpoint and
//! cached), answers 200 at once and hands the verified event to user code.
//!
//! Run: `cargo run -p finconnect-hyper --example azampay_callback`

use finconnect_hyper::callback::{serve, CallbackService};
use finconnect_hyper::{fintech_sdk_with, HyperTransport, Options};
use finconnect_proto::azampay::AzampayConfig;
use finconnect_proto::sdk::{MobileOperator, Payment, ProviderConfig};
use finconnect_proto::{Currency, Money, Secret, UrlPolicy};
use finconnect_sandbox::{credentials, Outcome, ProviderName, Sandbox, SandboxConfig};
use tokio::sync::mpsc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start(SandboxConfig::default()).await?;
    let config = AzampayConfig::custom(
        credentials::AZAMPAY_APP_NAME,
        credentials::AZAMPAY_CLIENT_ID,
        Secret::new(credentials::AZAMPAY_CLIENT_SECRET),
        &sandbox.azampay_auth_base_url(),
        &sandbox.azampay_checkout_base_url(),
        &sandbox.azampay_disbursement_base_url(),
        UrlPolicy::Local,
    )?;
    let options = Options::default();
    let sdk = fintech_sdk_with(
        ProviderConfig::Azampay(config),
        HyperTransport::http(&options),
        &options,
    )?;

    // The merchant's callback endpoint: verify, ack, hand off.
    let (tx, mut events) = mpsc::channel(8);
    let service = CallbackService::new(sdk.clone(), move |event| {
        let tx = tx.clone();
        async move {
            let _ = tx.send(event).await;
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    sandbox.set_azampay_callback_url(Some(
        format!("http://{}/azampay", listener.local_addr()?).parse()?,
    ));
    tokio::spawn(serve(listener, service));

    let payment = Payment::new("INV2026001", Money::from_major(15_000, Currency::TZS)?)?
        .phone("0712345678")
        .operator(MobileOperator::Airtel);
    let started = sdk.pay(&payment, None).await?;
    println!(
        "checkout accepted, transaction {:?}",
        started.provider_reference
    );

    sandbox
        .settle(ProviderName::Azampay, "INV2026001", Outcome::Complete)
        .await?;
    let event = events.recv().await.ok_or("no callback arrived")??;
    println!(
        "callback for {:?}: {} (trust: {:?}, dedupe key {})",
        event.reference, event.status, event.trust, event.dedupe_key
    );
    Ok(())
}
