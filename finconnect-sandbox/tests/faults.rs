//! Fault injection: every kind observably does what it says; counters count; the control
//! surface works over HTTP.

mod common;

use std::time::{Duration, Instant};

use common::{get, post, send};
use finconnect_sandbox::credentials::{
    CLICKPESA_API_KEY, CLICKPESA_CLIENT_ID, PESAPAL_CONSUMER_KEY, PESAPAL_CONSUMER_SECRET,
};
use finconnect_sandbox::{Fault, ProviderName, Route, Sandbox, SandboxConfig};
use serde_json::{json, Value};

fn pesapal_auth_body() -> String {
    json!({"consumer_key": PESAPAL_CONSUMER_KEY, "consumer_secret": PESAPAL_CONSUMER_SECRET})
        .to_string()
}

#[tokio::test]
async fn each_fault_kind_on_the_pesapal_token_route() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    let url = format!("{}/api/Auth/RequestToken", sb.pesapal_base_url());
    sb.inject(
        Route::PesapalAuth,
        [
            Fault::Latency(Duration::from_millis(200)),
            Fault::Status(503),
            Fault::Unauthorized,
            Fault::TooManyRequests {
                retry_after: Duration::from_secs(2),
            },
            Fault::MalformedJson,
            Fault::Html,
            Fault::DropConnection,
            Fault::Truncated,
            Fault::Oversized(100_000),
        ],
    );
    let body = pesapal_auth_body();
    let started = Instant::now();
    let a = post(&url, &[], &body).await;
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(a.status, 200);
    assert_eq!(
        a.json()["status"],
        "200",
        "answered normally after the delay"
    );

    let a = post(&url, &[], &body).await;
    assert_eq!(a.status, 503);
    assert!(serde_json::from_slice::<Value>(&a.body).is_err());

    let a = post(&url, &[], &body).await;
    assert_eq!(
        a.json()["error"]["code"],
        "invalid_api_credentials_provided"
    );

    let a = post(&url, &[], &body).await;
    assert_eq!(a.status, 429);
    assert_eq!(
        a.headers.get("retry-after").and_then(|v| v.to_str().ok()),
        Some("2")
    );

    let a = post(&url, &[], &body).await;
    assert_eq!(a.status, 200);
    assert!(
        serde_json::from_slice::<Value>(&a.body).is_err(),
        "malformed JSON"
    );

    let a = post(&url, &[], &body).await;
    assert_eq!(a.status, 503);
    let ct = a
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(String::from_utf8_lossy(&a.body).contains("<html"));

    assert!(
        send("POST", &url, &[], Some(&body)).await.is_err(),
        "connection dropped"
    );
    assert!(
        send("POST", &url, &[], Some(&body)).await.is_err(),
        "body truncated"
    );

    let a = post(&url, &[], &body).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body.len(), 100_000);

    // Queue empty: normal again. Every request counted, faulted or not.
    let a = post(&url, &[], &body).await;
    assert_eq!(a.json()["status"], "200");
    assert_eq!(sb.requests(Route::PesapalAuth), 10);
    assert_eq!(sb.requests(Route::PesapalSubmitOrder), 0);
    sb.shutdown().await;
}

#[tokio::test]
async fn unauthorized_uses_each_providers_shape() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    sb.inject(Route::ClickpesaToken, [Fault::Unauthorized]);
    sb.inject(Route::AzampayToken, [Fault::Unauthorized]);
    let a = post(
        &format!("{}/generate-token", sb.clickpesa_base_url()),
        &[
            ("client-id", CLICKPESA_CLIENT_ID),
            ("api-key", CLICKPESA_API_KEY),
        ],
        "",
    )
    .await;
    assert_eq!(
        (a.status, a.json()),
        (401, json!({"message": "Unauthorized"}))
    );
    let a = post(
        &format!(
            "{}/AppRegistration/GenerateToken",
            sb.azampay_auth_base_url()
        ),
        &[],
        "{}",
    )
    .await;
    assert_eq!(a.status, 423);
    assert_eq!(a.json()["statusCode"], 423);
    sb.shutdown().await;
}

#[tokio::test]
async fn after_processing_keeps_the_side_effects() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    let base = sb.pesapal_base_url();
    let token = post(
        &format!("{base}/api/Auth/RequestToken"),
        &[],
        &pesapal_auth_body(),
    )
    .await
    .json();
    let bearer = format!("Bearer {}", token["token"].as_str().expect("token"));
    let auth = [("authorization", bearer.as_str())];
    let reg = post(
        &format!("{base}/api/URLSetup/RegisterIPN"),
        &auth,
        &json!({"url": "http://127.0.0.1:9/ipn", "ipn_notification_type": "GET"}).to_string(),
    )
    .await
    .json();
    let mut order = fixture!("pesapal/submit_order_request.json");
    order["id"] = json!("LOST-ANSWER");
    order["notification_id"] = reg["ipn_id"].clone();
    sb.inject(
        Route::PesapalSubmitOrder,
        [
            Fault::AfterProcessing(Box::new(Fault::DropConnection)),
            Fault::AfterProcessing(Box::new(Fault::Status(502))),
        ],
    );
    let url = format!("{base}/api/Transactions/SubmitOrderRequest");
    assert!(send("POST", &url, &auth, Some(&order.to_string()))
        .await
        .is_err());
    assert_eq!(
        sb.orders(ProviderName::Pesapal),
        1,
        "the order was taken although the answer was lost"
    );
    let a = post(&url, &auth, &order.to_string()).await;
    assert_eq!(a.status, 502);
    assert_eq!(
        sb.orders(ProviderName::Pesapal),
        1,
        "same merchant reference: no second order"
    );
    let a = post(&url, &auth, &order.to_string()).await.json();
    assert_eq!(a["merchant_reference"], "LOST-ANSWER");
    assert_eq!(sb.requests(Route::PesapalSubmitOrder), 3);
    sb.shutdown().await;
}

#[tokio::test]
async fn control_surface_settles_and_counts() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    let origin = format!("http://{}", sb.addr());
    let token = post(
        &format!("{}/generate-token", sb.clickpesa_base_url()),
        &[
            ("client-id", CLICKPESA_CLIENT_ID),
            ("api-key", CLICKPESA_API_KEY),
        ],
        "",
    )
    .await
    .json();
    let t = token["token"].as_str().expect("token").to_string();
    let push = json!({"amount": "500", "currency": "TZS", "orderReference": "CTRL1", "phoneNumber": "255752345678"});
    let a = post(
        &format!(
            "{}/payments/initiate-ussd-push-request",
            sb.clickpesa_base_url()
        ),
        &[("authorization", &t)],
        &push.to_string(),
    )
    .await;
    assert_eq!(a.status, 200);
    let settle = json!({"provider": "clickpesa", "reference": "CTRL1", "outcome": "complete"});
    let a = post(
        &format!("{origin}/_sandbox/settle"),
        &[],
        &settle.to_string(),
    )
    .await;
    assert_eq!((a.status, a.json()["ok"].clone()), (200, json!(true)));
    let a = post(
        &format!("{origin}/_sandbox/settle"),
        &[],
        &settle.to_string(),
    )
    .await;
    assert_eq!(a.status, 409, "already settled");
    let unknown = json!({"provider": "pesapal", "reference": "nope", "outcome": "fail"});
    let a = post(
        &format!("{origin}/_sandbox/settle"),
        &[],
        &unknown.to_string(),
    )
    .await;
    assert_eq!(a.status, 404);
    let a = post(&format!("{origin}/_sandbox/settle"), &[], "{]").await;
    assert_eq!(a.status, 400);
    let counts = get(&format!("{origin}/_sandbox/counters/requests"), &[])
        .await
        .json();
    assert_eq!(counts["ClickpesaToken"], 1);
    assert_eq!(counts["ClickpesaUssdInitiate"], 1);
    assert_eq!(counts["PesapalAuth"], 0);
    // The totals and the per-route breakdown agree.
    let totals = get(&format!("{origin}/_sandbox/counters"), &[])
        .await
        .json();
    let sum: u64 = counts
        .as_object()
        .expect("an object of counters")
        .values()
        .map(|v| v.as_u64().expect("a count"))
        .sum();
    assert_eq!(totals["requests"], sum, "{totals} vs {counts}");
    let status = get(
        &format!("{}/payments/CTRL1", sb.clickpesa_base_url()),
        &[("authorization", &t)],
    )
    .await
    .json();
    assert_eq!(status[0]["status"], "SUCCESS");
    // Unknown paths get the provider's own not-found shape.
    let a = get(
        &format!("{}/api/Transactions/RefundOrder", sb.pesapal_base_url()),
        &[],
    )
    .await;
    assert_eq!(a.status, 404);
    assert!(a.json()["Message"]
        .as_str()
        .is_some_and(|m| m.starts_with("No HTTP resource was found")));
    sb.shutdown().await;
}

#[tokio::test]
async fn unknown_control_paths_list_the_endpoints() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    let origin = format!("http://{}", sb.addr());
    // `/_sandbox/requests` was the old name of the per-route counters: nothing answers there.
    for (method, path) in [
        ("GET", "/_sandbox/requests"),
        ("GET", "/_sandbox/nope"),
        ("POST", "/_sandbox/counters"),
    ] {
        let a = send(method, &format!("{origin}{path}"), &[], None)
            .await
            .expect("an answer");
        assert_eq!(a.status, 404, "{method} {path}");
        let v = a.json();
        assert_eq!(v["ok"], false);
        assert!(v["error"].as_str().is_some_and(|e| e.contains(path)), "{v}");
        let endpoints: Vec<&str> = v["endpoints"]
            .as_array()
            .expect("the endpoints")
            .iter()
            .map(|e| e.as_str().expect("text"))
            .collect();
        assert_eq!(
            endpoints,
            [
                "POST /_sandbox/settle",
                "POST /_sandbox/mpesa/c2b",
                "GET /_sandbox/deliveries",
                "GET /_sandbox/counters",
                "GET /_sandbox/counters/requests",
            ]
        );
    }
    // Each listed GET endpoint answers.
    for path in [
        "/_sandbox/deliveries",
        "/_sandbox/counters",
        "/_sandbox/counters/requests",
    ] {
        assert_eq!(
            get(&format!("{origin}{path}"), &[]).await.status,
            200,
            "{path}"
        );
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn sandbox_is_send_sync_and_clone() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Sandbox>();
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    let other = sb.clone();
    assert_eq!(other.addr(), sb.addr());
    assert!(sb.pesapal_base_url().ends_with("/pesapal/v3"));
    assert!(sb
        .clickpesa_base_url()
        .ends_with("/clickpesa/third-parties"));
    sb.shutdown().await;
    assert!(send(
        "GET",
        &format!("http://{}/_sandbox/counters/requests", other.addr()),
        &[],
        None
    )
    .await
    .is_err());
}

/// Every TCP connection the server accepts is counted, in the Rust API and in
/// `GET /_sandbox/counters`. The helpers here use a fresh client (so a fresh
/// connection) per request.
#[tokio::test]
async fn connections_are_counted() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    let origin = format!("http://{}", sb.addr());
    assert_eq!(sb.connections(), 0);
    for _ in 0..3 {
        get(&format!("{origin}/_sandbox/counters"), &[]).await;
    }
    let totals = get(&format!("{origin}/_sandbox/counters"), &[])
        .await
        .json();
    assert_eq!(totals["connections"], 4, "{totals}");
    assert_eq!(sb.connections(), 4);
    sb.shutdown().await;
}
