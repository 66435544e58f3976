//! AzamPay end to end, against the local sandbox: a mobile-money checkout, then
//! the signed callback arrives at a hyper `CallbackService`, which verifies the
//! RSA signature (key fetched from the provider's public-key endpoint and
//! cached), answers 200 at once and hands the verified event to user code.
//!
//! Run: `cargo run -p finconnect-hyper --example azampay_callback`

use finconnect::azampay::{AzampayConfig, AzampayEndpoints, MnoProvider};
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
    let config = AzampayConfig::custom(
        credentials::AZAMPAY_APP_NAME,
        credentials::AZAMPAY_CLIENT_ID,
        Secret::new(credentials::AZAMPAY_CLIENT_SECRET),
        AzampayEndpoints {
            auth: &sandbox.azampay_auth_base_url(),
            checkout: &sandbox.azampay_checkout_base_url(),
            disbursement: &sandbox.azampay_disbursement_base_url(),
        },
        UrlPolicy::Local,
    )?;
    let options = Options::default();
    let sdk = fintech_sdk_over(
        ProviderConfig::Azampay(config),
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
    sandbox.set_azampay_callback_url(Some(
        format!("http://{}/azampay", listener.local_addr()?).parse()?,
    ));
    tokio::spawn(serve(listener, service));

    let payment = Payment::new("INV2026001", Money::from_major(15_000, Currency::TZS)?)?
        .phone("0712345678")
        .operator(MnoProvider::Airtel);
    let started = sdk.pay(&payment, None).await?;
    let mut order = Expected::order(payment.reference.as_str()).amount(payment.amount);
    if let Some(id) = &started.provider_reference {
        order = order.provider_reference(id.clone());
    }
    orders
        .lock()
        .map_err(|_| "order book poisoned")?
        .insert(payment.reference.to_string(), order);
    println!(
        "checkout accepted, transaction {}",
        started
            .provider_reference
            .as_deref()
            .unwrap_or("(not given)")
    );

    sandbox
        .settle(ProviderName::Azampay, "INV2026001", Outcome::Complete)
        .await?;
    let event = events.recv().await.ok_or("no callback arrived")?;
    let facts = &event.facts;
    println!(
        "callback: {} ({}); matches our order: {}; dedupe key {}",
        facts.status,
        if event.trust == Trust::Signature {
            "RSA signature verified"
        } else {
            "unsigned, confirmed by a status query"
        },
        event.order.as_ref().map_or("no", |o| o.reference()),
        event.dedupe_key
    );
    Ok(())
}
