//! PesaPal end to end, against the local sandbox: register an IPN URL, pay, the
//! customer pays, the IPN arrives at an **axum** route that parses it, answers
//! PesaPal's ack at once and hands it off; the hand-off confirms it with
//! GetTransactionStatus (the only trustworthy source).
//!
//! Run: `cargo run -p finconnect-reqwest --example pesapal_flow`

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Request, Response};
use finconnect_proto::pesapal::PesapalConfig;
use finconnect_proto::sdk::{CallbackEvent, IpnMethod, Payment, ProviderConfig};
use finconnect_proto::{Currency, Money, PaymentStatus, Secret, UrlPolicy};
use finconnect_reqwest::{fintech_sdk, FintechSdk};
use finconnect_sandbox::{credentials, Outcome, ProviderName, Sandbox, SandboxConfig};
use tokio::sync::mpsc;

#[derive(Clone)]
struct App {
    sdk: FintechSdk,
    events: mpsc::Sender<CallbackEvent>,
}

/// The IPN route: parse → ack now → confirm on another task.
async fn ipn(
    State(app): State<App>,
    request: Request<axum::body::Body>,
) -> Response<axum::body::Body> {
    let (parts, body) = request.into_parts();
    // Bound the body before reading it (real IPNs are tiny).
    let bytes: Bytes =
        match axum::body::to_bytes(body, finconnect_proto::wire::MAX_CALLBACK_BODY).await {
            Ok(b) => b,
            Err(_) => {
                return Response::builder()
                    .status(413)
                    .body("too large".into())
                    .unwrap_or_default()
            }
        };
    let request = Request::from_parts(parts, bytes.to_vec());
    match app.sdk.accept_callback(&request).await {
        Ok(accepted) => {
            let response = accepted.response.clone();
            tokio::spawn(async move {
                match app.sdk.confirm_callback(accepted).await {
                    Ok(event) => {
                        let _ = app.events.send(event).await;
                    }
                    Err(e) => eprintln!("could not confirm the IPN: {e}"),
                }
            });
            response.map(Into::into)
        }
        Err(e) => Response::builder()
            .status(400)
            .body(e.to_string().into())
            .unwrap_or_default(),
    }
}

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

    // The merchant's IPN endpoint.
    let (events, mut received) = mpsc::channel(8);
    let app = axum::Router::new()
        .route("/ipn", axum::routing::any(ipn))
        .with_state(App {
            sdk: sdk.clone(),
            events,
        });
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
    println!(
        "order {:?}: send the customer to {:?}",
        started.provider_reference, started.redirect_url
    );

    // The simulated customer pays; PesaPal calls the IPN route.
    let tracking_id = started.provider_reference.clone().unwrap_or_default();
    sandbox
        .settle(ProviderName::Pesapal, &tracking_id, Outcome::Complete)
        .await?;
    let event = received.recv().await.ok_or("no IPN arrived")?;
    println!(
        "IPN {} confirmed: {} (trust: {:?})",
        event.kind, event.status, event.trust
    );
    assert_eq!(event.status, PaymentStatus::Completed);

    let report = sdk.status(&started).await?;
    println!(
        "status query: {} {:?}",
        report.status,
        report.amount.map(|m| m.to_string())
    );
    Ok(())
}
