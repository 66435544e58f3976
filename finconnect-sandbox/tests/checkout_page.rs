//! The hosted checkout pages over HTTP: each provider's page URL serves the order, its
//! buttons settle it (notification delivered) and send the browser on; a second click
//! changes nothing.

mod common;

use std::time::Duration;

use common::{get, post, send, Answer, Receiver, Reply};
use finconnect_sandbox::credentials::{
    AZAMPAY_APP_NAME, AZAMPAY_CLIENT_ID, CLICKPESA_API_KEY, CLICKPESA_CLIENT_ID,
    PESAPAL_CONSUMER_KEY, PESAPAL_CONSUMER_SECRET,
};
use finconnect_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

fn text(a: &Answer) -> String {
    String::from_utf8_lossy(&a.body).into_owned()
}

fn header<'a>(a: &'a Answer, name: &str) -> &'a str {
    a.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// Waits until the receiver has seen `n` requests (the sandbox delivers before it
/// answers the click, so this only guards against a slow machine).
async fn wait_seen(r: &Receiver, n: usize) -> Vec<common::Received> {
    for _ in 0..200 {
        if r.seen().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    r.seen()
}

/// A PesaPal order with a GET IPN at `ipn`; returns (tracking id, redirect URL).
async fn pesapal_order(
    sb: &Sandbox,
    ipn: &Receiver,
    id: &str,
    description: &str,
    extra: Value,
) -> (String, String) {
    let base = sb.pesapal_base_url();
    let auth = post(
        &format!("{base}/api/Auth/RequestToken"),
        &[],
        &json!({"consumer_key": PESAPAL_CONSUMER_KEY, "consumer_secret": PESAPAL_CONSUMER_SECRET})
            .to_string(),
    )
    .await
    .json();
    let bearer = format!("Bearer {}", auth["token"].as_str().expect("token"));
    let registered = post(
        &format!("{base}/api/URLSetup/RegisterIPN"),
        &[("authorization", &bearer)],
        &json!({"url": ipn.url("/ipn").as_str(), "ipn_notification_type": "GET"}).to_string(),
    )
    .await
    .json();
    let mut order = json!({
        "id": id, "currency": "KES", "amount": 150.5, "description": description,
        "callback_url": ipn.url("/return?shop=1").as_str(),
        "notification_id": registered["ipn_id"],
        "billing_address": {"email_address": "payer@example.com"}
    });
    if let (Some(order), Value::Object(extra)) = (order.as_object_mut(), extra) {
        order.extend(extra);
    }
    let submitted = post(
        &format!("{base}/api/Transactions/SubmitOrderRequest"),
        &[("authorization", &bearer)],
        &order.to_string(),
    )
    .await
    .json();
    (
        submitted["order_tracking_id"]
            .as_str()
            .expect("tracking id")
            .to_string(),
        submitted["redirect_url"]
            .as_str()
            .expect("redirect_url")
            .to_string(),
    )
}

async fn click(url: &str, action: &str) -> Answer {
    send(
        "POST",
        url,
        &[("content-type", "application/x-www-form-urlencoded")],
        Some(&format!("action={action}")),
    )
    .await
    .expect("POST the form")
}

#[tokio::test]
async fn pesapal_page_pays_notifies_and_redirects_with_the_callback_parameters() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    let merchant = Receiver::start(vec![], Reply::PesapalAck).await;
    let (tracking, redirect) = pesapal_order(
        &sb,
        &merchant,
        "SHOP-<script>alert(1)</script>",
        "Two <b>shoes</b> & a \"hat\"",
        json!({}),
    )
    .await;

    let page = get(&redirect, &[]).await;
    assert_eq!(page.status, 200);
    assert!(header(&page, "content-type").starts_with("text/html"));
    let html = text(&page);
    assert!(
        html.contains("SHOP-&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(html.contains("Two &lt;b&gt;shoes&lt;/b&gt; &amp; a &quot;hat&quot;"));
    assert!(!html.contains("<script"), "{html}");
    assert!(html.contains("150.50 KES"), "{html}");
    assert!(html.contains("value=\"pay\""));

    let paid = click(&redirect, "pay").await;
    assert_eq!(paid.status, 303, "{}", text(&paid));
    let location = url::Url::parse(header(&paid, "location")).expect("a Location URL");
    assert_eq!(location.path(), "/return");
    let query: Vec<(String, String)> = location.query_pairs().into_owned().collect();
    assert_eq!(
        query,
        vec![
            ("shop".to_string(), "1".to_string()),
            ("OrderTrackingId".to_string(), tracking.clone()),
            (
                "OrderMerchantReference".to_string(),
                "SHOP-<script>alert(1)</script>".to_string()
            ),
            (
                "OrderNotificationType".to_string(),
                "CALLBACKURL".to_string()
            ),
        ]
    );
    let seen = wait_seen(&merchant, 1).await;
    assert_eq!(seen.len(), 1, "one IPN: {seen:?}");
    assert!(seen[0].uri.starts_with("/ipn?"), "{:?}", seen[0]);
    assert!(seen[0].uri.contains("OrderNotificationType=IPNCHANGE"));
    assert!(seen[0].uri.contains(&tracking));
    assert_eq!(sb.deliveries().len(), 1);

    // A second click shows the state and settles nothing again.
    let again = click(&redirect, "fail").await;
    assert_eq!(again.status, 409);
    assert!(text(&again).contains("Paid"), "{}", text(&again));
    assert!(!text(&again).contains("<form"));
    let shown = get(&redirect, &[]).await;
    assert!(text(&shown).contains("Paid"));
    assert_eq!(sb.deliveries().len(), 1, "no second IPN");
    assert_eq!(merchant.seen().len(), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn pesapal_cancel_goes_to_the_cancellation_url_and_the_order_fails() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    let merchant = Receiver::start(vec![], Reply::PesapalAck).await;
    let cancel_url = merchant.url("/cancelled");
    let (tracking, redirect) = pesapal_order(
        &sb,
        &merchant,
        "SHOP-CANCEL",
        "a hat",
        json!({"cancellation_url": cancel_url.as_str()}),
    )
    .await;
    let cancelled = click(&redirect, "cancel").await;
    assert_eq!(cancelled.status, 303);
    assert_eq!(header(&cancelled, "location"), cancel_url.as_str());
    let seen = wait_seen(&merchant, 1).await;
    assert!(
        seen[0].uri.contains(&tracking),
        "the IPN went out: {seen:?}"
    );
    assert!(text(&get(&redirect, &[]).await).contains("Payment failed"));
    sb.shutdown().await;
}

#[tokio::test]
async fn unknown_orders_and_bad_buttons_change_nothing() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    let origin = format!("http://{}", sb.addr());
    let missing = get(
        &format!("{origin}/pesapal/pesapaliframe/PesapalIframe3/Index?OrderTrackingId=nope"),
        &[],
    )
    .await;
    assert_eq!(missing.status, 404);
    assert!(text(&missing).contains("Order not found"));
    assert_eq!(
        click(&format!("{origin}/clickpesa/checkout/NOPE1"), "pay")
            .await
            .status,
        404
    );
    let merchant = Receiver::start(vec![], Reply::PesapalAck).await;
    let (_, redirect) = pesapal_order(&sb, &merchant, "SHOP-BAD", "a hat", json!({})).await;
    assert_eq!(click(&redirect, "refund").await.status, 400);
    let put = send("PUT", &redirect, &[], None).await.expect("PUT");
    assert_eq!(put.status, 405);
    assert!(text(&get(&redirect, &[]).await).contains("value=\"pay\""));
    assert!(sb.deliveries().is_empty());
    sb.shutdown().await;
}

async fn post_checkout(sb: &Sandbox, external_id: &str, merchant: &Receiver) -> String {
    let body = json!({
        "appName": AZAMPAY_APP_NAME, "clientId": AZAMPAY_CLIENT_ID,
        "vendorId": "e9b57fab-1850-44d4-8499-71fd15c845a0", "vendorName": "Tembo <Shop>",
        "language": "en", "currency": "TZS", "externalId": external_id,
        "requestOrigin": "http://127.0.0.1", "redirectSuccessURL": merchant.url("/ok").as_str(),
        "redirectFailURL": merchant.url("/fail").as_str(), "amount": "2500",
        "cart": {"items": [{"name": "Shoes"}, {"name": "Socks"}]}
    });
    let a = post(
        &format!(
            "{}/api/v1/Partner/PostCheckout",
            sb.azampay_checkout_base_url()
        ),
        &[],
        &body.to_string(),
    )
    .await;
    assert_eq!(a.status, 200);
    text(&a)
}

#[tokio::test]
async fn azampay_page_redirects_to_success_or_fail_url_after_the_callback() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    let merchant = Receiver::start(vec![], Reply::Ok).await;
    sb.set_azampay_callback_url(Some(merchant.url("/azampay/callback")));

    let page_url = post_checkout(&sb, "EXT-PAY", &merchant).await;
    let html = text(&get(&page_url, &[]).await);
    assert!(html.contains("Tembo &lt;Shop&gt;"), "{html}");
    assert!(
        html.contains("2500 TZS") && html.contains("Shoes, Socks"),
        "{html}"
    );
    assert!(html.contains("EXT-PAY"));
    let paid = click(&page_url, "pay").await;
    assert_eq!(paid.status, 303);
    assert_eq!(header(&paid, "location"), merchant.url("/ok").as_str());
    let seen = wait_seen(&merchant, 1).await;
    assert_eq!(seen[0].uri, "/azampay/callback");
    let callback: Value = serde_json::from_slice(&seen[0].body).expect("JSON callback");
    assert_eq!(callback["transactionstatus"], "success");
    assert_eq!(callback["utilityref"], "EXT-PAY");

    let failing = post_checkout(&sb, "EXT-FAIL", &merchant).await;
    let failed = click(&failing, "fail").await;
    assert_eq!(header(&failed, "location"), merchant.url("/fail").as_str());
    let cancelling = post_checkout(&sb, "EXT-CANCEL", &merchant).await;
    let cancelled = click(&cancelling, "cancel").await;
    assert_eq!(
        header(&cancelled, "location"),
        merchant.url("/fail").as_str()
    );
    let seen = wait_seen(&merchant, 3).await;
    assert_eq!(seen.len(), 3);
    for s in &seen[1..] {
        let callback: Value = serde_json::from_slice(&s.body).expect("JSON callback");
        assert_eq!(callback["transactionstatus"], "failure");
    }
    assert_eq!(click(&page_url, "pay").await.status, 409);
    assert_eq!(merchant.seen().len(), 3, "no second callback");
    sb.shutdown().await;
}

#[tokio::test]
async fn clickpesa_checkout_link_shows_a_done_page_after_the_webhook() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    let merchant = Receiver::start(vec![], Reply::Ok).await;
    sb.set_clickpesa_webhook_url(Some(merchant.url("/clickpesa/webhook")));
    let base = sb.clickpesa_base_url();
    let token = post(
        &format!("{base}/generate-token"),
        &[
            ("client-id", CLICKPESA_CLIENT_ID),
            ("api-key", CLICKPESA_API_KEY),
        ],
        "",
    )
    .await
    .json();
    let bearer = token["token"].as_str().expect("token").to_string();
    let link = post(
        &format!("{base}/checkout-link/generate-checkout-url"),
        &[("authorization", &bearer)],
        &json!({"orderReference": "INV77", "orderCurrency": "TZS",
                "orderItems": [{"name": "<Mug>", "price": "1000", "quantity": 2}]})
        .to_string(),
    )
    .await
    .json();
    let page_url = link["checkoutLink"].as_str().expect("checkoutLink");
    let html = text(&get(page_url, &[]).await);
    assert!(
        html.contains("INV77") && html.contains("2000.00 TZS"),
        "{html}"
    );
    assert!(html.contains("&lt;Mug&gt;"), "{html}");

    let done = click(page_url, "pay").await;
    assert_eq!(done.status, 200, "ClickPesa has no per-request return URL");
    assert!(text(&done).contains("Paid"), "{}", text(&done));
    let seen = wait_seen(&merchant, 1).await;
    let webhook: Value = serde_json::from_slice(&seen[0].body).expect("JSON webhook");
    assert_eq!(webhook["event"], "PAYMENT RECEIVED");
    assert_eq!(webhook["data"]["orderReference"], "INV77");
    assert_eq!(click(page_url, "cancel").await.status, 409);
    assert_eq!(merchant.seen().len(), 1);
    sb.shutdown().await;
}
