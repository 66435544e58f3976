//! ClickPesa end to end, against the local sandbox: a USSD push, then the webhook
//! arrives at a hyper `CallbackService` that checks its HMAC checksum, answers
//! 200 and hands the verified event on; a final status query agrees.
//!
//! Run: `cargo run -p finconnect-hyper --example clickpesa_webhook`

use finconnect::clickpesa::ClickpesaConfig;
use finconnect::sdk::{CallbackEvent, Expected, Payment, ProviderConfig, Trust};
use finconnect::{Currency, Money, Secret, UrlPolicy};
use finconnect_hyper::callback::{serve, CallbackService};
use finconnect_hyper::{fintech_sdk_over, HyperTransport, Options};
use finconnect_sandbox::{credentials, Outcome, ProviderName, Sandbox, SandboxConfig};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// The shop's order book (a database table in real life).
type Orders = Arc<Mutex<HashMap<String, Expected>>>;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start(SandboxConfig::default()).await?;
    let config = ClickpesaConfig::custom(
        credentials::CLICKPESA_CLIENT_ID,
        Secret::new(credentials::CLICKPESA_API_KEY),
        &sandbox.clickpesa_base_url(),
        UrlPolicy::Local,
    )?
    .with_checksum_key(Secret::new(credentials::CLICKPESA_CHECKSUM_KEY));
    let options = Options::default();
    let sdk = fintech_sdk_over(
        ProviderConfig::Clickpesa(config),
        HyperTransport::http(&options),
        &options,
    )?;

    // The merchant's callback endpoint: verify, confirm, check against our own
    // order, hand off; the provider hears "received" once the handler said Ok.
    let orders: Orders = Arc::default();
    let book = Arc::clone(&orders);
    let (tx, mut events) = mpsc::channel(8);
    let service = CallbackService::new(sdk.clone(), move |event: CallbackEvent| {
        let tx = tx.clone();
        async move { tx.send(event).await.map_err(|_| "event queue closed") }
    })
    .with_orders(move |claims| {
        let order = claims
            .reference
            .as_ref()
            .and_then(|r| book.lock().ok()?.get(r).cloned());
        async move { order }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    sandbox.set_clickpesa_webhook_url(Some(
        format!("http://{}/clickpesa", listener.local_addr()?).parse()?,
    ));
    tokio::spawn(serve(listener, service));

    let payment = Payment::new("ORD20261122", Money::from_major(5_000, Currency::TZS)?)?
        .phone("255712345678");
    let started = sdk.pay(&payment, None).await?;
    let mut order = Expected::order(payment.reference.as_str()).amount(payment.amount);
    if let Some(id) = &started.provider_reference {
        order = order.provider_reference(id.clone());
    }
    orders
        .lock()
        .map_err(|_| "order book poisoned")?
        .insert(payment.reference.to_string(), order);
    println!("USSD push sent: {}", started.status);

    sandbox
        .settle(ProviderName::Clickpesa, "ORD20261122", Outcome::Complete)
        .await?;
    let event = events.recv().await.ok_or("no webhook arrived")?;
    println!(
        "webhook {}: {} for {} ({}); matches our order: {}",
        event.claims.kind,
        event.facts.status,
        event.facts.reference.as_deref().unwrap_or("-"),
        if event.trust == Trust::Checksum {
            "checksum verified"
        } else {
            "unsigned, confirmed by a status query"
        },
        event.order.as_ref().map_or("no", |o| o.reference())
    );
    let report = sdk.status(&started).await?;
    println!("status query: {}", report.status);
    Ok(())
}
