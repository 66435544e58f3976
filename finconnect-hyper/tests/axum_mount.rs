//! The `CallbackService` is a tower `Service`: an axum app mounts it with
//! `Router::route_service` and PesaPal's IPN, delivered by the sandbox, reaches
//! the handler confirmed; an oversized body is refused through axum too.

use axum::body::Body;
use finconnect::pesapal::PesapalConfig;
use finconnect::sdk::{CallbackEvent, IpnMethod, Payment, ProviderConfig};
use finconnect::{Currency, Money, PaymentStatus, Secret, UrlPolicy};
use finconnect_hyper::callback::CallbackService;
use finconnect_hyper::{fintech_sdk_over, FintechSdk, HyperTransport, Options};
use finconnect_sandbox::{credentials, Outcome, ProviderName, Sandbox, SandboxConfig};
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::sync::mpsc;

async fn pesapal_sdk(sandbox: &Sandbox) -> FintechSdk<HttpConnector> {
    let config = PesapalConfig::custom(
        Secret::new(credentials::PESAPAL_CONSUMER_KEY),
        Secret::new(credentials::PESAPAL_CONSUMER_SECRET),
        &sandbox.pesapal_base_url(),
        UrlPolicy::Local,
    )
    .unwrap();
    let options = Options::default();
    fintech_sdk_over(
        ProviderConfig::Pesapal(config),
        HyperTransport::http(&options),
        &options,
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_axum_route_service_receives_a_confirmed_ipn() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let sdk = pesapal_sdk(&sandbox).await;

    let (events, mut received) = mpsc::channel(4);
    let service = CallbackService::new(sdk.clone(), move |event: CallbackEvent| {
        let events = events.clone();
        async move { events.send(event).await.map_err(|_| "event queue closed") }
    });
    let app = axum::Router::new().route_service("/ipn", service);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ipn_url = format!("http://{}/ipn", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let ipn = sdk.register_ipn(&ipn_url, IpnMethod::Get).await.unwrap();
    let payment = Payment::new("AXUM-1", Money::from_major(1200, Currency::KES).unwrap())
        .unwrap()
        .description("Mounted with route_service")
        .unwrap()
        .email("payer@example.com")
        .callback_url("http://127.0.0.1/return");
    let started = sdk.pay(&payment, Some(ipn.ipn_id.as_str())).await.unwrap();
    let tracking_id = started.provider_reference.clone().unwrap();
    sandbox
        .settle(ProviderName::Pesapal, &tracking_id, Outcome::Complete)
        .await
        .unwrap();

    let event = received.recv().await.expect("the IPN reaches the handler");
    assert_eq!(event.facts.status, PaymentStatus::Completed);
    assert_eq!(event.facts.reference.as_deref(), Some("AXUM-1"));
    // The sandbox heard PesaPal's ack from the axum route.
    let deliveries = sandbox.deliveries();
    assert!(
        deliveries
            .iter()
            .any(|d| d.url.starts_with(&ipn_url) && d.acked),
        "{deliveries:?}"
    );
}

#[tokio::test]
async fn an_oversized_body_is_refused_through_axum() {
    use tower_service::Service;
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let sdk = pesapal_sdk(&sandbox).await;
    let mut service = CallbackService::new(sdk, |_event: CallbackEvent| async {
        Err::<(), _>("no event may reach the handler")
    })
    .with_max_body(16);
    let request = http::Request::post("/ipn")
        .body(Body::from(vec![b'x'; 1024]))
        .unwrap();
    let response = service.call(request).await.unwrap();
    assert_eq!(response.status(), http::StatusCode::PAYLOAD_TOO_LARGE);
}
