//! PesaPal end to end, against the local sandbox: register an IPN URL, pay, the
//! customer pays, the IPN arrives at an **axum** route. The route is
//! finconnect-hyper's `CallbackService`, mounted with `Router::route_service`:
//! it bounds the body, confirms the IPN with GetTransactionStatus (the only
//! trustworthy source), checks it against the shop's own order, hands it to the
//! shop's handler once, and only then answers PesaPal's ack — so an IPN is never
//! acknowledged before it is safely recorded.
//!
//! Run: `cargo run -p finconnect-reqwest --example pesapal_flow`

use finconnect::pesapal::PesapalConfig;
use finconnect::sdk::{CallbackEvent, Expected, IpnMethod, Payment, ProviderConfig, Trust};
use finconnect::{Currency, Money, PaymentStatus, Secret, UrlPolicy};
use finconnect_hyper::callback::CallbackService;
use finconnect_reqwest::fintech_sdk;
use finconnect_sandbox::{credentials, Outcome, ProviderName, Sandbox, SandboxConfig};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// The shop's order book (a database table in real life).
type Orders = Arc<Mutex<HashMap<String, Expected>>>;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start(SandboxConfig::default()).await?;
    let config = PesapalConfig::custom(
        Secret::new(credentials::PESAPAL_CONSUMER_KEY),
        Secret::new(credentials::PESAPAL_CONSUMER_SECRET),
        &sandbox.pesapal_base_url(),
        UrlPolicy::Local,
    )?;
    let sdk = fintech_sdk(ProviderConfig::Pesapal(config))?;

    // The merchant's IPN endpoint. The handler is quick (it queues the event)
    // and its Ok is what acknowledges the IPN.
    let orders: Orders = Arc::default();
    let book = Arc::clone(&orders);
    let (events, mut received) = mpsc::channel(8);
    let ipn_route = CallbackService::new(sdk.clone(), move |event: CallbackEvent| {
        let events = events.clone();
        async move { events.send(event).await.map_err(|_| "event queue closed") }
    })
    .with_orders(move |claims| {
        let order = claims
            .reference
            .as_ref()
            .and_then(|r| book.lock().ok()?.get(r).cloned());
        async move { order }
    });
    let app = axum::Router::new().route_service("/ipn", ipn_route);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let ipn_url = format!("http://{}/ipn", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });

    let ipn = sdk.register_ipn(&ipn_url, IpnMethod::Get).await?;
    println!("registered IPN {} → {}", ipn.ipn_id.as_str(), ipn.url);

    let payment = Payment::new("ORDER-1001", Money::from_major(2500, Currency::KES)?)?
        .description("Two bags of rice")?
        .email("amina@example.com")
        .names("Amina", "Otieno")
        .callback_url("http://127.0.0.1/return");
    let started = sdk.pay(&payment, Some(ipn.ipn_id.as_str())).await?;
    let tracking_id = started.provider_reference.clone().unwrap_or_default();
    orders.lock().map_err(|_| "order book poisoned")?.insert(
        payment.reference.to_string(),
        Expected::order(payment.reference.as_str())
            .provider_reference(tracking_id.as_str())
            .amount(payment.amount),
    );
    println!(
        "order {tracking_id}: send the customer to {}",
        started.redirect_url.as_deref().unwrap_or("-")
    );

    // The simulated customer pays; PesaPal calls the IPN route.
    sandbox
        .settle(ProviderName::Pesapal, &tracking_id, Outcome::Complete)
        .await?;
    let event = received.recv().await.ok_or("no IPN arrived")?;
    let facts = &event.facts;
    println!(
        "IPN {} received: {} {} for order {}{}",
        event.claims.kind,
        facts.status,
        facts.amount.map(|m| m.to_string()).unwrap_or_default(),
        event.order.as_ref().map_or("(not ours)", |o| o.reference()),
        if event.trust == Trust::StatusQuery {
            ", confirmed by GetTransactionStatus"
        } else {
            ""
        }
    );
    assert_eq!(facts.status, PaymentStatus::Completed);

    let report = sdk.status(&started).await?;
    println!(
        "status query: {} {}",
        report.status,
        report.amount.map(|m| m.to_string()).unwrap_or_default()
    );
    Ok(())
}
