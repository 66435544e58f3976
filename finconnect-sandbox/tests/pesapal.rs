//! PesaPal: shapes against the fixtures, auth, IPN registry, orders, IPN delivery.

mod common;

use std::time::Duration;

use common::{assert_shape, get, post, Receiver, Reply};
use finconnect_sandbox::credentials::{PESAPAL_CONSUMER_KEY, PESAPAL_CONSUMER_SECRET};
use finconnect_sandbox::{Outcome, ProviderName, Route, Sandbox, SandboxConfig};
use serde_json::{json, Value};

async fn token(sb: &Sandbox) -> String {
    let body =
        json!({"consumer_key": PESAPAL_CONSUMER_KEY, "consumer_secret": PESAPAL_CONSUMER_SECRET});
    let a = post(
        &format!("{}/api/Auth/RequestToken", sb.pesapal_base_url()),
        &[],
        &body.to_string(),
    )
    .await;
    assert_eq!(a.status, 200);
    let v = a.json();
    assert_shape(&fixture!("pesapal/auth_ok.json"), &v);
    v["token"].as_str().expect("token").to_string()
}

async fn register(sb: &Sandbox, bearer: &str, url: &str, method: &str) -> Value {
    let a = post(
        &format!("{}/api/URLSetup/RegisterIPN", sb.pesapal_base_url()),
        &[("authorization", bearer)],
        &json!({"url": url, "ipn_notification_type": method}).to_string(),
    )
    .await;
    assert_eq!(a.status, 200);
    a.json()
}

fn order(id: &str, ipn_id: &str) -> String {
    let mut v = fixture!("pesapal/submit_order_request.json");
    v["id"] = json!(id);
    v["notification_id"] = json!(ipn_id);
    v.to_string()
}

async fn submit(sb: &Sandbox, bearer: &str, id: &str, ipn_id: &str) -> Value {
    let a = post(
        &format!(
            "{}/api/Transactions/SubmitOrderRequest",
            sb.pesapal_base_url()
        ),
        &[("authorization", bearer)],
        &order(id, ipn_id),
    )
    .await;
    assert_eq!(a.status, 200);
    a.json()
}

async fn status(sb: &Sandbox, bearer: &str, tracking: &str) -> Value {
    get(
        &format!(
            "{}/api/Transactions/GetTransactionStatus?orderTrackingId={tracking}",
            sb.pesapal_base_url()
        ),
        &[("authorization", bearer)],
    )
    .await
    .json()
}

#[tokio::test]
async fn auth_token_shape_and_wrong_credentials() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    let t = token(&sb).await;
    assert!(t.split('.').count() == 3, "JWT-shaped");
    let a = post(
        &format!("{}/api/Auth/RequestToken", sb.pesapal_base_url()),
        &[],
        r#"{"consumer_key":"live-key","consumer_secret":"nope"}"#,
    )
    .await;
    let v = a.json();
    assert_eq!(v, fixture!("pesapal/error_invalid_credentials.json"));
    // Malformed JSON gets PesaPal's own error shape, not a panic.
    let a = post(
        &format!("{}/api/Auth/RequestToken", sb.pesapal_base_url()),
        &[],
        "{nope",
    )
    .await;
    assert_eq!(a.json()["error"]["code"], "invalid_api_request_parameters");
    assert_eq!(sb.requests(Route::PesapalAuth), 3);
    sb.shutdown().await;
}

#[tokio::test]
async fn expiry_date_format_and_token_expiry() {
    let config = SandboxConfig {
        pesapal_token_lifetime: Duration::from_millis(300),
        ..SandboxConfig::default()
    };
    let sb = Sandbox::start(config).await.expect("start");
    let body =
        json!({"consumer_key": PESAPAL_CONSUMER_KEY, "consumer_secret": PESAPAL_CONSUMER_SECRET});
    let v = post(
        &format!("{}/api/Auth/RequestToken", sb.pesapal_base_url()),
        &[],
        &body.to_string(),
    )
    .await
    .json();
    let expiry = v["expiryDate"].as_str().expect("expiryDate");
    assert_eq!(
        expiry.len(),
        "2024-03-18T16:25:45.7793772Z".len(),
        "{expiry}"
    );
    assert!(expiry.ends_with('Z'));
    assert_eq!(v["status"], "200");
    let bearer = format!("Bearer {}", v["token"].as_str().expect("token"));
    let list = get(
        &format!("{}/api/URLSetup/GetIpnList", sb.pesapal_base_url()),
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.json(), json!([]));
    tokio::time::sleep(Duration::from_millis(400)).await;
    let expired = get(
        &format!("{}/api/URLSetup/GetIpnList", sb.pesapal_base_url()),
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.json(), fixture!("pesapal/error_invalid_token.json"));
    let unknown = get(
        &format!("{}/api/URLSetup/GetIpnList", sb.pesapal_base_url()),
        &[("authorization", "Bearer not-a-token")],
    )
    .await;
    assert_eq!(unknown.json(), fixture!("pesapal/error_invalid_token.json"));
    sb.shutdown().await;
}

#[tokio::test]
async fn ipn_registry_orders_status_refund_cancel_shapes() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    let bearer = format!("Bearer {}", token(&sb).await);
    let reg = register(&sb, &bearer, "https://merchant.example/ipn", "GET").await;
    assert_shape(&fixture!("pesapal/register_ipn_ok.json"), &reg);
    assert_eq!(reg["ipn_notification_type_description"], "GET");
    assert_eq!(reg["ipn_status_decription"], "Active");
    let reg_post = register(&sb, &bearer, "https://merchant.example/ipn-post", "POST").await;
    assert_shape(&fixture!("pesapal/register_ipn_post_ok.json"), &reg_post);
    assert_eq!(reg_post["notification_type"], 1);
    let bad = register(&sb, &bearer, "not a url", "GET").await;
    assert_eq!(bad, fixture!("pesapal/register_ipn_invalid_url.json"));
    let list = get(
        &format!("{}/api/URLSetup/GetIpnList", sb.pesapal_base_url()),
        &[("authorization", &bearer)],
    )
    .await;
    let list = list.json();
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert_shape(&fixture!("pesapal/ipn_list_docs_example.json"), &list);

    let ipn_id = reg["ipn_id"].as_str().expect("ipn_id");
    let unknown_ipn = submit(
        &sb,
        &bearer,
        "ORDER-0",
        "fe078e53-78da-4a83-aa89-e7ded5c456e6",
    )
    .await;
    assert_eq!(unknown_ipn, fixture!("pesapal/error_invalid_ipn_id.json"));
    let ok = submit(&sb, &bearer, "ORDER-1", ipn_id).await;
    assert_shape(&fixture!("pesapal/submit_order_ok.json"), &ok);
    assert_eq!(ok["merchant_reference"], "ORDER-1");
    assert_eq!(sb.orders(ProviderName::Pesapal), 1);
    // The same order again returns the same tracking id and is not a new order.
    let again = submit(&sb, &bearer, "ORDER-1", ipn_id).await;
    assert_eq!(again["order_tracking_id"], ok["order_tracking_id"]);
    assert_eq!(sb.orders(ProviderName::Pesapal), 1);

    let tracking = ok["order_tracking_id"].as_str().expect("tracking id");
    let pending = status(&sb, &bearer, tracking).await;
    assert_shape(&fixture!("pesapal/status_pending.json"), &pending);
    assert_eq!(pending["status"], "500");
    assert_eq!(pending["status_code"], 0);
    assert_eq!(pending["error"]["code"], "payment_details_not_found");
    assert!(pending["amount"].is_f64(), "amount is a float JSON number");
    let created = pending["created_date"].as_str().expect("created_date");
    assert!(
        !created.ends_with('Z') && !created.contains('+'),
        "{created}"
    );

    // Refund before payment: refused; cancel a second order.
    let second = submit(&sb, &bearer, "ORDER-2", ipn_id).await;
    let cancel_url = format!("{}/api/Transactions/CancelOrder", sb.pesapal_base_url());
    let body = json!({"order_tracking_id": second["order_tracking_id"]}).to_string();
    let c = post(&cancel_url, &[("authorization", &bearer)], &body)
        .await
        .json();
    assert_eq!(c, fixture!("pesapal/cancel_ok.json"));
    let c = post(&cancel_url, &[("authorization", &bearer)], &body)
        .await
        .json();
    assert_eq!(c, fixture!("pesapal/cancel_refused.json"));

    sb.settle(ProviderName::Pesapal, tracking, Outcome::Complete)
        .await
        .expect("settle");
    let done = status(&sb, &bearer, tracking).await;
    assert_shape(&fixture!("pesapal/status_completed.json"), &done);
    assert_shape(&fixture!("pesapal/status_failed.json"), &done);
    assert_eq!(done["status_code"], 1);
    assert_eq!(done["status"], "200");
    assert!(done["error"]["code"].is_null());

    let refund_url = format!("{}/api/Transactions/RefundRequest", sb.pesapal_base_url());
    let mut refund = fixture!("pesapal/refund_request.json");
    refund["confirmation_code"] = done["confirmation_code"].clone();
    let r = post(
        &refund_url,
        &[("authorization", &bearer)],
        &refund.to_string(),
    )
    .await
    .json();
    assert_eq!(r, fixture!("pesapal/refund_ok.json"));
    let r = post(
        &refund_url,
        &[("authorization", &bearer)],
        &refund.to_string(),
    )
    .await
    .json();
    assert_eq!(r, fixture!("pesapal/refund_already.json"));
    let wrong = json!({"order_tracking_id": tracking, "currency": "KES", "reason": "x"});
    let r = post(
        &refund_url,
        &[("authorization", &bearer)],
        &wrong.to_string(),
    )
    .await
    .json();
    assert_eq!(r, fixture!("pesapal/refund_invalid_params.json"));
    // Cancelling a paid order is refused.
    let body = json!({"order_tracking_id": tracking}).to_string();
    let c = post(&cancel_url, &[("authorization", &bearer)], &body)
        .await
        .json();
    assert_eq!(c, fixture!("pesapal/cancel_refused.json"));
    sb.shutdown().await;
}

#[tokio::test]
async fn get_ipn_delivered_with_retries_until_ack() {
    let receiver = Receiver::start(vec![Reply::Fail, Reply::Ok], Reply::PesapalAck).await;
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    let bearer = format!("Bearer {}", token(&sb).await);
    let reg = register(&sb, &bearer, receiver.url("/ipn?shop=1").as_str(), "GET").await;
    let ok = submit(&sb, &bearer, "ORDER-9", reg["ipn_id"].as_str().expect("id")).await;
    let tracking = ok["order_tracking_id"].as_str().expect("tracking");
    sb.settle(ProviderName::Pesapal, "ORDER-9", Outcome::Fail)
        .await
        .expect("settle by merchant ref");
    let seen = receiver.seen();
    assert_eq!(seen.len(), 3, "500, then a non-ack 200, then the ack");
    assert!(seen.iter().all(|r| r.method == "GET"));
    let uri = &seen[0].uri;
    assert!(uri.contains("shop=1"), "{uri}");
    assert!(
        uri.contains(&format!("OrderTrackingId={tracking}")),
        "{uri}"
    );
    assert!(uri.contains("OrderMerchantReference=ORDER-9"), "{uri}");
    assert!(uri.contains("OrderNotificationType=IPNCHANGE"), "{uri}");
    let d = sb.deliveries();
    assert_eq!(d.len(), 1);
    assert!(d[0].acked);
    assert_eq!(d[0].attempts, 3);
    assert_eq!(d[0].last_status, Some(200));
    let failed = status(&sb, &bearer, tracking).await;
    assert_eq!(failed["status_code"], 2);
    assert_eq!(failed["payment_status_description"], "Failed");
    assert!(sb
        .settle(ProviderName::Pesapal, tracking, Outcome::Complete)
        .await
        .is_err());
    sb.shutdown().await;
}

#[tokio::test]
async fn post_ipn_gives_up_after_configured_attempts() {
    let receiver = Receiver::start(vec![], Reply::Ok).await;
    let config = SandboxConfig {
        delivery_attempts: 2,
        ..SandboxConfig::default()
    };
    let sb = Sandbox::start(config).await.expect("start");
    let bearer = format!("Bearer {}", token(&sb).await);
    let reg = register(&sb, &bearer, receiver.url("/ipn").as_str(), "POST").await;
    let ok = submit(
        &sb,
        &bearer,
        "ORDER-10",
        reg["ipn_id"].as_str().expect("id"),
    )
    .await;
    let tracking = ok["order_tracking_id"].as_str().expect("tracking");
    sb.settle(ProviderName::Pesapal, tracking, Outcome::Complete)
        .await
        .expect("settle");
    let seen = receiver.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].method, "POST");
    let body: Value = serde_json::from_slice(&seen[0].body).expect("json body");
    assert_shape(&fixture!("pesapal/ipn_post_body.json"), &body);
    assert_eq!(body["OrderTrackingId"], tracking);
    let d = sb.deliveries();
    assert!(!d[0].acked, "a plain 200 OK is not PesaPal's ack");
    assert_eq!(d[0].attempts, 2);
    sb.shutdown().await;
}

#[tokio::test]
async fn simulated_customer_completes_after_delay() {
    let receiver = Receiver::start(vec![], Reply::PesapalAck).await;
    let config = SandboxConfig {
        customer_delay: Some(Duration::from_millis(50)),
        ..SandboxConfig::default()
    };
    let sb = Sandbox::start(config).await.expect("start");
    let bearer = format!("Bearer {}", token(&sb).await);
    let reg = register(&sb, &bearer, receiver.url("/ipn").as_str(), "GET").await;
    let ok = submit(&sb, &bearer, "AUTO-1", reg["ipn_id"].as_str().expect("id")).await;
    let tracking = ok["order_tracking_id"]
        .as_str()
        .expect("tracking")
        .to_string();
    let mut code = Value::Null;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        code = status(&sb, &bearer, &tracking).await["status_code"].clone();
        if code == 1 {
            break;
        }
    }
    assert_eq!(code, 1);
    for _ in 0..50 {
        if !sb.deliveries().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(sb.deliveries().first().is_some_and(|d| d.acked));
    sb.shutdown().await;
}
