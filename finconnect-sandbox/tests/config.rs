//! Configuration: token lifetimes, and delivery restricted to loopback destinations.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{get, post, Receiver, Reply};
use finconnect_sandbox::credentials::{
    AZAMPAY_APP_NAME, AZAMPAY_CLIENT_ID, AZAMPAY_CLIENT_SECRET, CLICKPESA_API_KEY,
    CLICKPESA_CLIENT_ID, PESAPAL_CONSUMER_KEY, PESAPAL_CONSUMER_SECRET,
};
use finconnect_sandbox::{Outcome, ProviderName, Sandbox, SandboxConfig};
use serde_json::{json, Value};

/// `exp - iat` of a JWT.
fn jwt_lifetime(token: &str) -> i64 {
    let payload = token.split('.').nth(1).expect("JWT payload");
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64")).expect("json");
    claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat")
}

async fn pesapal_token(sb: &Sandbox) -> String {
    post(
        &format!("{}/api/Auth/RequestToken", sb.pesapal_base_url()),
        &[],
        &json!({"consumer_key": PESAPAL_CONSUMER_KEY, "consumer_secret": PESAPAL_CONSUMER_SECRET})
            .to_string(),
    )
    .await
    .json()["token"]
        .as_str()
        .expect("token")
        .to_string()
}

async fn clickpesa_token(sb: &Sandbox) -> String {
    post(
        &format!("{}/generate-token", sb.clickpesa_base_url()),
        &[
            ("client-id", CLICKPESA_CLIENT_ID),
            ("api-key", CLICKPESA_API_KEY),
        ],
        "",
    )
    .await
    .json()["token"]
        .as_str()
        .expect("token")
        .trim_start_matches("Bearer ")
        .to_string()
}

/// Seconds since the epoch of `2023-03-02T04:21:29Z`.
fn epoch_of(iso: &str) -> u64 {
    let t = time::OffsetDateTime::parse(iso, &time::format_description::well_known::Rfc3339)
        .expect("ISO timestamp");
    u64::try_from(t.unix_timestamp()).expect("after 1970")
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

#[test]
fn default_token_lifetimes_are_the_documented_ones() {
    let c = SandboxConfig::default();
    assert_eq!(c.pesapal_token_lifetime, Duration::from_secs(300));
    assert_eq!(c.azampay_token_lifetime, Duration::from_secs(3600));
    assert_eq!(c.clickpesa_token_lifetime, Duration::from_secs(3600));
    let c = SandboxConfig::default()
        .with_token_ttl(Duration::from_secs(42))
        .with_clickpesa_token_ttl(Duration::from_secs(7));
    assert_eq!(c.pesapal_token_lifetime, Duration::from_secs(42));
    assert_eq!(c.azampay_token_lifetime, Duration::from_secs(42));
    assert_eq!(c.clickpesa_token_lifetime, Duration::from_secs(7));
}

#[tokio::test]
async fn tokens_carry_the_configured_lifetime() {
    let sb = Sandbox::start(SandboxConfig::default().with_token_ttl(Duration::from_secs(90)))
        .await
        .expect("start");
    assert_eq!(jwt_lifetime(&pesapal_token(&sb).await), 90);
    assert_eq!(jwt_lifetime(&clickpesa_token(&sb).await), 90);
    let before = now_secs();
    let v = post(
        &format!(
            "{}/AppRegistration/GenerateToken",
            sb.azampay_auth_base_url()
        ),
        &[],
        &json!({"appName": AZAMPAY_APP_NAME, "clientId": AZAMPAY_CLIENT_ID, "clientSecret": AZAMPAY_CLIENT_SECRET}).to_string(),
    )
    .await
    .json();
    let after = now_secs();
    let expire = epoch_of(v["data"]["expire"].as_str().expect("expire"));
    assert!(
        (before + 90..=after + 90).contains(&expire),
        "expire {expire} not 90 s after [{before}, {after}]"
    );
    sb.shutdown().await;

    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    assert_eq!(jwt_lifetime(&pesapal_token(&sb).await), 300);
    assert_eq!(jwt_lifetime(&clickpesa_token(&sb).await), 3600);
    sb.shutdown().await;
}

async fn pesapal_order_with_ipn(sb: &Sandbox, ipn_url: &str) -> String {
    let bearer = format!("Bearer {}", pesapal_token(sb).await);
    let auth = [("authorization", bearer.as_str())];
    let base = sb.pesapal_base_url();
    let registered = post(
        &format!("{base}/api/URLSetup/RegisterIPN"),
        &auth,
        &json!({"url": ipn_url, "ipn_notification_type": "POST"}).to_string(),
    )
    .await;
    // The registration itself succeeds, as it would with PesaPal.
    assert_eq!(registered.status, 200);
    let registered = registered.json();
    assert_eq!(registered["status"], "200", "{registered}");
    let mut order: Value =
        serde_json::from_str(include_str!("fixtures/pesapal/submit_order_request.json"))
            .expect("fixture");
    order["notification_id"] = registered["ipn_id"].clone();
    let submitted = post(
        &format!("{base}/api/Transactions/SubmitOrderRequest"),
        &auth,
        &order.to_string(),
    )
    .await
    .json();
    submitted["order_tracking_id"]
        .as_str()
        .expect("tracking id")
        .to_string()
}

#[tokio::test]
async fn a_public_ipn_url_is_registered_but_never_contacted() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    // `.invalid` never resolves: had the sandbox tried, it would have recorded attempts.
    let tracking = pesapal_order_with_ipn(&sb, "https://merchant.invalid/ipn").await;
    sb.settle(ProviderName::Pesapal, &tracking, Outcome::Complete)
        .await
        .expect("settle");
    let deliveries = sb.deliveries();
    assert_eq!(deliveries.len(), 1);
    let d = &deliveries[0];
    assert!(d.refused, "{d:?}");
    assert_eq!(d.attempts, 0, "no lookup, no connection: {d:?}");
    assert!(!d.acked);
    assert_eq!(d.last_status, None);
    assert_eq!(sb.refused_deliveries(), 1);

    let origin = format!("http://{}", sb.addr());
    let counters = get(&format!("{origin}/_sandbox/counters"), &[])
        .await
        .json();
    assert_eq!(counters["refused_deliveries"], 1, "{counters}");
    assert_eq!(counters["deliveries"], 0, "{counters}");
    let listed = get(&format!("{origin}/_sandbox/deliveries"), &[])
        .await
        .json();
    assert_eq!(listed[0]["refused"], true, "{listed}");
    sb.shutdown().await;
}

#[tokio::test]
async fn public_callback_and_webhook_urls_are_refused_by_default() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    sb.set_azampay_callback_url(Some(
        url::Url::parse("https://shop.invalid/cb").expect("url"),
    ));
    let bearer = {
        let v = post(
            &format!(
                "{}/AppRegistration/GenerateToken",
                sb.azampay_auth_base_url()
            ),
            &[],
            &json!({"appName": AZAMPAY_APP_NAME, "clientId": AZAMPAY_CLIENT_ID, "clientSecret": AZAMPAY_CLIENT_SECRET}).to_string(),
        )
        .await
        .json();
        format!(
            "Bearer {}",
            v["data"]["accessToken"].as_str().expect("token")
        )
    };
    let a = post(
        &format!("{}/azampay/mno/checkout", sb.azampay_checkout_base_url()),
        &[("authorization", bearer.as_str())],
        include_str!("fixtures/azampay/mno_checkout_request.json"),
    )
    .await
    .json();
    let id = a["transactionId"].as_str().expect("transactionId");
    sb.settle(ProviderName::Azampay, id, Outcome::Complete)
        .await
        .expect("settle");
    let d = sb.deliveries().pop().expect("recorded");
    assert!(d.refused && d.attempts == 0, "{d:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn loopback_receivers_get_their_notifications_with_or_without_the_opt_in() {
    for allow_remote in [false, true] {
        let receiver = Receiver::start(vec![], Reply::PesapalAck).await;
        let config = SandboxConfig::default().with_remote_delivery(allow_remote);
        let sb = Sandbox::start(config).await.expect("start");
        let url = format!("http://localhost:{}/ipn", receiver.addr.port());
        let tracking = pesapal_order_with_ipn(&sb, &url).await;
        sb.settle(ProviderName::Pesapal, &tracking, Outcome::Complete)
            .await
            .expect("settle");
        let d = sb.deliveries().pop().expect("recorded");
        assert!(!d.refused && d.acked, "{d:?}");
        assert_eq!(receiver.seen().len(), 1);
        assert_eq!(sb.refused_deliveries(), 0);
        sb.shutdown().await;
    }
}
