//! ClickPesa: shapes against the fixtures, token, checksum, collections, payouts, webhooks.

mod common;

use std::time::Duration;

use common::{assert_shape, get, post, Receiver, Reply};
use finconnect_sandbox::credentials::{
    CLICKPESA_API_KEY, CLICKPESA_CHECKSUM_KEY, CLICKPESA_CLIENT_ID,
};
use finconnect_sandbox::{Outcome, ProviderName, Sandbox, SandboxConfig};
use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use sha2::Sha256;

/// The test's own canonical form (ASCII keys only, integers and strings): sorted keys,
/// compact JSON.
fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{}:{}", Value::from(k.as_str()), canonical(&m[*k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

fn checksum(body: &Value) -> String {
    let mut m: Map<String, Value> = body.as_object().cloned().unwrap_or_default();
    m.remove("checksum");
    m.remove("checksumMethod");
    let mut mac = Hmac::<Sha256>::new_from_slice(CLICKPESA_CHECKSUM_KEY.as_bytes()).expect("key");
    mac.update(canonical(&Value::Object(m)).as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn signed(mut body: Value) -> String {
    body["checksum"] = json!(checksum(&body));
    body.to_string()
}

async fn token(sb: &Sandbox) -> String {
    let a = post(
        &format!("{}/generate-token", sb.clickpesa_base_url()),
        &[
            ("client-id", CLICKPESA_CLIENT_ID),
            ("api-key", CLICKPESA_API_KEY),
        ],
        "",
    )
    .await;
    assert_eq!(a.status, 200);
    let v = a.json();
    assert_shape(&fixture!("clickpesa/token_ok.json"), &v);
    let t = v["token"].as_str().expect("token").to_string();
    assert!(t.starts_with("Bearer "), "{t}");
    t
}

#[tokio::test]
async fn token_errors_expiry_and_verbatim_bearer() {
    let config = SandboxConfig {
        clickpesa_token_lifetime: Duration::from_millis(300),
        ..SandboxConfig::default()
    };
    let sb = Sandbox::start(config).await.expect("start");
    let url = format!("{}/generate-token", sb.clickpesa_base_url());
    let a = post(&url, &[], "").await;
    assert_eq!(
        (a.status, a.json()),
        (401, fixture!("clickpesa/token_401.json"))
    );
    let a = post(
        &url,
        &[("client-id", "other"), ("api-key", CLICKPESA_API_KEY)],
        "",
    )
    .await;
    assert_eq!(
        (a.status, a.json()),
        (403, fixture!("clickpesa/token_403_invalid_client.json"))
    );
    let a = post(
        &url,
        &[("client-id", CLICKPESA_CLIENT_ID), ("api-key", "nope")],
        "",
    )
    .await;
    assert_eq!(
        (a.status, a.json()),
        (403, fixture!("clickpesa/token_403_invalid_api_key.json"))
    );

    let t = token(&sb).await;
    let balance_url = format!("{}/account/balance", sb.clickpesa_base_url());
    let b = get(&balance_url, &[("authorization", &t)]).await;
    assert_eq!(b.status, 200);
    assert_shape(&fixture!("clickpesa/balance.json"), &b.json());
    let doubled = get(&balance_url, &[("authorization", &format!("Bearer {t}"))]).await;
    assert_eq!(doubled.status, 401, "`Bearer Bearer …` is refused");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let expired = get(&balance_url, &[("authorization", &t)]).await;
    assert_eq!(
        (expired.status, expired.json()),
        (401, json!({"message": "Unauthorized"}))
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn ussd_push_checksum_conflict_status_and_webhook() {
    let receiver = Receiver::start(vec![Reply::Fail, Reply::Fail], Reply::Ok).await;
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    sb.set_clickpesa_webhook_url(Some(receiver.url("/clickpesa/webhook")));
    let t = token(&sb).await;
    let base = sb.clickpesa_base_url();
    let auth = [("authorization", t.as_str())];

    let mut preview = fixture!("clickpesa/ussd_preview_request.json");
    preview["fetchSenderDetails"] = json!(true);
    let p = post(
        &format!("{base}/payments/preview-ussd-push-request"),
        &auth,
        &signed(preview),
    )
    .await;
    assert_eq!(p.status, 200);
    assert_shape(&fixture!("clickpesa/ussd_preview_ok.json"), &p.json());

    let mut push = fixture!("clickpesa/ussd_push_request.json");
    push["checksum"] = json!("0000");
    let wrong = post(
        &format!("{base}/payments/initiate-ussd-push-request"),
        &auth,
        &push.to_string(),
    )
    .await;
    assert_eq!(
        (wrong.status, wrong.json()),
        (400, json!({"message": "Invalid checksum"}))
    );
    let numeric = json!({"amount": 1000, "currency": "TZS", "orderReference": "ORDERNUM", "phoneNumber": "255712345678"});
    let refused = post(
        &format!("{base}/payments/initiate-ussd-push-request"),
        &auth,
        &numeric.to_string(),
    )
    .await;
    assert_eq!(refused.status, 400, "collection amounts are strings");
    let bad_ref = json!({"amount": "1000", "currency": "TZS", "orderReference": "ORDER-1", "phoneNumber": "255712345678"});
    let r = post(
        &format!("{base}/payments/initiate-ussd-push-request"),
        &auth,
        &bad_ref.to_string(),
    )
    .await;
    assert_eq!(
        (r.status, r.json()),
        (400, fixture!("clickpesa/error.json"))
    );

    let body = signed(fixture!("clickpesa/ussd_push_request.json"));
    let ok = post(
        &format!("{base}/payments/initiate-ussd-push-request"),
        &auth,
        &body,
    )
    .await;
    assert_eq!(ok.status, 200);
    let ok = ok.json();
    assert_shape(&fixture!("clickpesa/ussd_push_ok.json"), &ok);
    assert_eq!(ok["status"], "PROCESSING");
    let again = post(
        &format!("{base}/payments/initiate-ussd-push-request"),
        &auth,
        &body,
    )
    .await;
    assert_eq!(
        (again.status, again.json()),
        (409, fixture!("clickpesa/error_409_reference_used.json"))
    );
    assert_eq!(sb.orders(ProviderName::Clickpesa), 1);

    let missing = get(&format!("{base}/payments/ORDER999"), &auth).await;
    assert_eq!(
        (missing.status, missing.json()),
        (404, fixture!("clickpesa/error_404_payment_not_found.json"))
    );

    sb.settle(ProviderName::Clickpesa, "ORDER123", Outcome::Complete)
        .await
        .expect("settle");
    let status = get(&format!("{base}/payments/ORDER123"), &auth)
        .await
        .json();
    // `customerEmail` is documented as present "only when known"; USSD pushes carry none.
    let mut expected = fixture!("clickpesa/payment_status.json");
    expected[0]["customer"]
        .as_object_mut()
        .expect("customer")
        .remove("customerEmail");
    assert_shape(&expected, &status);
    assert_eq!(status[0]["status"], "SUCCESS");
    let all = get(&format!("{base}/payments/all?limit=5"), &auth)
        .await
        .json();
    assert_shape(&fixture!("clickpesa/payments_all.json"), &all);

    let seen = receiver.seen();
    assert_eq!(seen.len(), 3, "retried until a 2xx");
    let hook: Value = serde_json::from_slice(&seen[2].body).expect("json");
    let mut expected = fixture!("clickpesa/webhook_payment_received_with_checksum.json");
    expected["data"]["customer"]
        .as_object_mut()
        .expect("customer")
        .remove("customerEmail");
    assert_shape(&expected, &hook);
    assert_eq!(hook["event"], "PAYMENT RECEIVED");
    assert_eq!(hook["data"]["collectedAmount"], "1000");
    assert_eq!(
        hook["checksum"],
        json!(checksum(&hook)),
        "checksum recomputed by the test"
    );
    let d = sb.deliveries();
    assert!(d[0].acked);
    assert_eq!(d[0].attempts, 3);
    sb.shutdown().await;
}

#[tokio::test]
async fn card_and_failed_payment_webhook() {
    let receiver = Receiver::start(vec![], Reply::Ok).await;
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    sb.set_clickpesa_webhook_url(Some(receiver.url("/hook")));
    let t = token(&sb).await;
    let base = sb.clickpesa_base_url();
    let auth = [("authorization", t.as_str())];
    let p = post(
        &format!("{base}/payments/preview-card-payment"),
        &auth,
        &signed(fixture!("clickpesa/card_preview_request.json")),
    )
    .await;
    assert_shape(&fixture!("clickpesa/card_preview_ok.json"), &p.json());
    let c = post(
        &format!("{base}/payments/initiate-card-payment"),
        &auth,
        &signed(fixture!(
            "clickpesa/card_initiate_request_customer_details.json"
        )),
    )
    .await;
    assert_eq!(c.status, 200);
    assert_shape(&fixture!("clickpesa/card_initiate_ok.json"), &c.json());
    sb.settle(ProviderName::Clickpesa, "ORDER124", Outcome::Fail)
        .await
        .expect("settle");
    let hook: Value = serde_json::from_slice(&receiver.seen()[0].body).expect("json");
    // The documented PAYMENT FAILED sample names the event `eventType`.
    assert_eq!(hook["eventType"], "PAYMENT FAILED");
    assert_eq!(hook["data"]["status"], "FAILED");
    assert_eq!(hook["checksum"], json!(checksum(&hook)));
    let status = get(&format!("{base}/payments/ORDER124"), &auth)
        .await
        .json();
    assert_eq!(status[0]["status"], "FAILED");
    sb.shutdown().await;
}

#[tokio::test]
async fn payouts_lists_links_and_cooldown() {
    let receiver = Receiver::start(vec![], Reply::Ok).await;
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    sb.set_clickpesa_webhook_url(Some(receiver.url("/hook")));
    let t = token(&sb).await;
    let base = sb.clickpesa_base_url();
    let auth = [("authorization", t.as_str())];

    let mm = fixture!("clickpesa/payout_mm_request.json");
    let p = post(
        &format!("{base}/payouts/preview-mobile-money-payout"),
        &auth,
        &signed(mm.clone()),
    )
    .await;
    assert_eq!(p.status, 200);
    assert_shape(&fixture!("clickpesa/payout_mm_preview_ok.json"), &p.json());
    let c = post(
        &format!("{base}/payouts/create-mobile-money-payout"),
        &auth,
        &signed(mm.clone()),
    )
    .await;
    assert_eq!(c.status, 200);
    assert_shape(&fixture!("clickpesa/payout_mm_create_ok.json"), &c.json());
    let mut again = mm.clone();
    again["orderReference"] = json!("PAYOUT002");
    let cool = post(
        &format!("{base}/payouts/create-mobile-money-payout"),
        &auth,
        &signed(again),
    )
    .await;
    assert_eq!(cool.status, 400);
    let message = cool.json()["message"]
        .as_str()
        .expect("message")
        .to_string();
    assert!(
        message.starts_with("Payout request is already in progress, please retry after"),
        "{message}"
    );
    let mut string_amount = mm.clone();
    string_amount["amount"] = json!("1000");
    string_amount["orderReference"] = json!("PAYOUT003");
    let refused = post(
        &format!("{base}/payouts/preview-mobile-money-payout"),
        &auth,
        &signed(string_amount),
    )
    .await;
    assert_eq!(refused.status, 400, "payout amounts are numbers");

    let bank = fixture!("clickpesa/payout_bank_request.json");
    let bp = post(
        &format!("{base}/payouts/preview-bank-payout"),
        &auth,
        &signed(bank.clone()),
    )
    .await;
    assert_eq!(bp.status, 200);
    assert_eq!(bp.json()["nameLookupStatus"], "RESOLVED");
    let bc = post(
        &format!("{base}/payouts/create-bank-payout"),
        &auth,
        &signed(bank),
    )
    .await;
    assert_shape(
        &fixture!("clickpesa/payout_bank_create_ok.json"),
        &bc.json(),
    );
    assert_eq!(sb.orders(ProviderName::Clickpesa), 2);

    let q = get(&format!("{base}/payouts/BANKPAY001"), &auth)
        .await
        .json();
    // `notes` is documented as present only when available; these payouts carry none.
    let mut expected = fixture!("clickpesa/payout_query.json");
    expected[0].as_object_mut().expect("payout").remove("notes");
    assert_shape(&expected, &q);
    assert!(q[0].get("notes").is_none());
    let all = get(&format!("{base}/payouts/all"), &auth).await.json();
    assert_eq!(all["totalCount"], 2);
    sb.settle(ProviderName::Clickpesa, "BANKPAY001", Outcome::Complete)
        .await
        .expect("settle");
    let hook: Value = serde_json::from_slice(&receiver.seen()[0].body).expect("json");
    assert_eq!(hook["event"], "PAYOUT INITIATED");
    // Same beneficiary keys as the webhook sample; unknown optional values are null, as in
    // the payout query sample.
    for key in fixture!("clickpesa/webhook_payout_initiated.json")["data"]["beneficiary"]
        .as_object()
        .expect("beneficiary")
        .keys()
    {
        assert!(
            hook["data"]["beneficiary"].get(key).is_some(),
            "missing {key}"
        );
    }
    assert_shape(
        &fixture!("clickpesa/payout_query.json")[0]["beneficiary"],
        &hook["data"]["beneficiary"],
    );
    assert_eq!(hook["checksum"], json!(checksum(&hook)));
    sb.settle(ProviderName::Clickpesa, "PAYOUT001", Outcome::Fail)
        .await
        .expect("settle");
    let hook: Value = serde_json::from_slice(&receiver.seen()[1].body).expect("json");
    assert_eq!(hook["event"], "PAYOUT REVERSED");
    assert_eq!(hook["data"]["status"], "REVERSED");

    let banks = get(&format!("{base}/list/banks"), &auth).await.json();
    assert_shape(&fixture!("clickpesa/banks_list.json"), &banks);
    let rates = get(
        &format!("{base}/exchange-rates/all?source=USD&target=TZS"),
        &auth,
    )
    .await
    .json();
    assert_shape(&fixture!("clickpesa/exchange_rates.json"), &rates);
    let v = post(
        &format!("{base}/payouts/verify-bank-account"),
        &auth,
        &fixture!("clickpesa/verify_bank_account_request.json").to_string(),
    )
    .await;
    assert_eq!(v.json(), fixture!("clickpesa/verify_bank_account_ok.json"));
    let link = post(
        &format!("{base}/checkout-link/generate-checkout-url"),
        &auth,
        &signed(fixture!("clickpesa/checkout_link_request.json")),
    )
    .await;
    assert_shape(&fixture!("clickpesa/checkout_link_ok.json"), &link.json());
    let items = post(
        &format!("{base}/checkout-link/generate-checkout-url"),
        &auth,
        &signed(fixture!("clickpesa/checkout_link_request_items.json")),
    )
    .await;
    assert_eq!(items.status, 200);
    let payout_link = post(
        &format!("{base}/payout-link/generate-payout-url"),
        &auth,
        &signed(fixture!("clickpesa/payout_link_request.json")),
    )
    .await;
    assert_shape(
        &fixture!("clickpesa/payout_link_ok.json"),
        &payout_link.json(),
    );
    sb.shutdown().await;
}

/// Payments are found by their reference among many (the store's index): each
/// status query answers its own payment, settling one leaves its neighbours
/// pending, and the list of all payments still holds every one, newest first.
#[tokio::test]
async fn payments_are_found_by_reference_among_many() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    let t = token(&sb).await;
    let base = sb.clickpesa_base_url();
    let auth = [("authorization", t.as_str())];
    for i in 0..40 {
        let push = json!({"amount": "1000", "currency": "TZS", "orderReference": format!("MANY{i}"), "phoneNumber": "255712345678"});
        let a = post(
            &format!("{base}/payments/initiate-ussd-push-request"),
            &auth,
            &push.to_string(),
        )
        .await;
        assert_eq!(a.status, 200, "payment {i}");
    }
    sb.settle(ProviderName::Clickpesa, "MANY17", Outcome::Complete)
        .await
        .expect("settles");
    for (reference, want) in [
        ("MANY16", "PROCESSING"),
        ("MANY17", "SUCCESS"),
        ("MANY18", "PROCESSING"),
    ] {
        let status = get(&format!("{base}/payments/{reference}"), &auth)
            .await
            .json();
        let list = status.as_array().expect("an array of attempts");
        assert_eq!(list.len(), 1, "{reference}: {status}");
        assert_eq!(list[0]["orderReference"], reference);
        assert_eq!(list[0]["status"], want, "{reference}");
    }
    assert_eq!(
        get(&format!("{base}/payments/MANY40"), &auth).await.status,
        404
    );
    let all = get(&format!("{base}/payments/all?limit=100"), &auth)
        .await
        .json();
    assert_eq!(all["totalCount"], 40);
    assert!(
        sb.settle(ProviderName::Clickpesa, "MANY17", Outcome::Fail)
            .await
            .is_err(),
        "a payment settles once"
    );
    sb.shutdown().await;
}
