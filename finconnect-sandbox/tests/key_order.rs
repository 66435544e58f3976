//! Every answer (and notification) with a recorded or documented fixture lists its keys in
//! the fixture's order, recursively. Keys the sandbox deliberately adds or leaves out are
//! named per case (and listed in the crate docs' "Known differences").

mod common;

use common::{get, post, Receiver, Reply};
use finconnect_sandbox::credentials::{
    AZAMPAY_APP_NAME, AZAMPAY_CLIENT_ID, AZAMPAY_CLIENT_SECRET, CLICKPESA_API_KEY,
    CLICKPESA_CLIENT_ID, PESAPAL_CONSUMER_KEY, PESAPAL_CONSUMER_SECRET,
};
use finconnect_sandbox::{Outcome, ProviderName, Sandbox, SandboxConfig};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{json, Value};

/// A JSON document reduced to its key structure, keys in document order.
#[derive(Debug)]
enum Tree {
    Leaf,
    Array(Vec<Tree>),
    Object(Vec<(String, Tree)>),
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Tree;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Tree, E> {
        Ok(Tree::Leaf)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Tree, E> {
        Ok(Tree::Leaf)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Tree, E> {
        Ok(Tree::Leaf)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Tree, E> {
        Ok(Tree::Leaf)
    }
    fn visit_str<E>(self, _: &str) -> Result<Tree, E> {
        Ok(Tree::Leaf)
    }
    fn visit_unit<E>(self) -> Result<Tree, E> {
        Ok(Tree::Leaf)
    }
    fn visit_none<E>(self) -> Result<Tree, E> {
        Ok(Tree::Leaf)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Tree>()? {
            items.push(item);
        }
        Ok(Tree::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Tree>()? {
            entries.push((k, v));
        }
        Ok(Tree::Object(entries))
    }
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tree, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
}

/// Every key path in document order (`$.error.code`; arrays: the first element, `$[0].id`).
fn key_paths(text: &[u8]) -> Vec<String> {
    fn walk(t: &Tree, at: &str, out: &mut Vec<String>) {
        match t {
            Tree::Leaf => {}
            Tree::Array(items) => {
                if let Some(first) = items.first() {
                    walk(first, &format!("{at}[0]"), out);
                }
            }
            Tree::Object(entries) => {
                for (k, v) in entries {
                    let path = format!("{at}.{k}");
                    out.push(path.clone());
                    walk(v, &path, out);
                }
            }
        }
    }
    let tree: Tree = serde_json::from_slice(text)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(text)));
    let mut out = Vec::new();
    walk(&tree, "$", &mut out);
    out
}

/// The answer's key sequence equals the fixture's, recursively, apart from the `tolerated`
/// paths (and everything below them), which may be present on one side only.
fn assert_order(fixture: (&str, &str), answer: &[u8], tolerated: &[&str]) {
    let keep = |p: &String| {
        !tolerated
            .iter()
            .any(|t| p == t || p.starts_with(&format!("{t}.")) || p.starts_with(&format!("{t}[")))
    };
    let expected: Vec<String> = key_paths(fixture.1.as_bytes())
        .into_iter()
        .filter(keep)
        .collect();
    let actual: Vec<String> = key_paths(answer).into_iter().filter(keep).collect();
    assert_eq!(
        actual,
        expected,
        "{}: key order differs from the fixture; answer was {}",
        fixture.0,
        String::from_utf8_lossy(answer)
    );
}

/// `(name, text)` of a fixture copied into `tests/fixtures`.
macro_rules! fx {
    ($path:literal) => {
        ($path, include_str!(concat!("fixtures/", $path)))
    };
}

const GUID: &str = "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";

fn assert_guid(id: &str) {
    let re = regex::Regex::new(GUID).expect("regex");
    assert!(re.is_match(id), "not a version-4 GUID: {id}");
}

fn config() -> SandboxConfig {
    SandboxConfig {
        delivery_attempts: 1,
        ..SandboxConfig::default()
    }
}

#[tokio::test]
async fn pesapal_answers_keep_the_recorded_key_order() {
    let receiver = Receiver::start(vec![], Reply::PesapalAck).await;
    let sb = Sandbox::start(config()).await.expect("start");
    let base = sb.pesapal_base_url();

    let a = post(
        &format!("{base}/api/Auth/RequestToken"),
        &[],
        &json!({"consumer_key": PESAPAL_CONSUMER_KEY, "consumer_secret": PESAPAL_CONSUMER_SECRET})
            .to_string(),
    )
    .await;
    assert_order(fx!("pesapal/auth_ok.json"), &a.body, &[]);
    let bearer = format!("Bearer {}", a.json()["token"].as_str().expect("token"));
    let auth = [("authorization", bearer.as_str())];

    let a = post(
        &format!("{base}/api/Auth/RequestToken"),
        &[],
        r#"{"consumer_key":"live","consumer_secret":"nope"}"#,
    )
    .await;
    assert_order(fx!("pesapal/error_invalid_credentials.json"), &a.body, &[]);

    let a = get(
        &format!("{base}/api/URLSetup/GetIpnList"),
        &[("authorization", "Bearer nope")],
    )
    .await;
    assert_order(fx!("pesapal/error_invalid_token.json"), &a.body, &[]);

    let a = post(
        &format!("{base}/api/URLSetup/RegisterIPN"),
        &auth,
        &json!({"url": receiver.url("/ipn").as_str(), "ipn_notification_type": "GET"}).to_string(),
    )
    .await;
    assert_order(fx!("pesapal/register_ipn_ok.json"), &a.body, &["$.message"]);
    let get_ipn = a.json()["ipn_id"].as_str().expect("ipn_id").to_string();
    assert_guid(&get_ipn);

    let a = post(
        &format!("{base}/api/URLSetup/RegisterIPN"),
        &auth,
        &json!({"url": receiver.url("/ipn-post").as_str(), "ipn_notification_type": "POST"})
            .to_string(),
    )
    .await;
    assert_order(
        fx!("pesapal/register_ipn_post_ok.json"),
        &a.body,
        &["$.id", "$.created_date"],
    );
    let post_ipn = a.json()["ipn_id"].as_str().expect("ipn_id").to_string();
    assert_guid(&post_ipn);

    let a = post(
        &format!("{base}/api/URLSetup/RegisterIPN"),
        &auth,
        r#"{"url":"not a url","ipn_notification_type":"GET"}"#,
    )
    .await;
    assert_order(fx!("pesapal/register_ipn_invalid_url.json"), &a.body, &[]);

    let a = get(&format!("{base}/api/URLSetup/GetIpnList"), &auth).await;
    assert_order(
        fx!("pesapal/ipn_list_docs_example.json"),
        &a.body,
        &[
            "$[0].id",
            "$[0].notification_type",
            "$[0].ipn_notification_type_description",
            "$[0].ipn_status",
            "$[0].ipn_status_decription",
        ],
    );

    let order = |id: &str, ipn: &str| {
        let mut v: Value =
            serde_json::from_str(fx!("pesapal/submit_order_request.json").1).expect("fixture");
        v["id"] = json!(id);
        v["notification_id"] = json!(ipn);
        v.to_string()
    };
    let submit = format!("{base}/api/Transactions/SubmitOrderRequest");
    let a = post(&submit, &auth, &order("KO-1", "not-registered")).await;
    assert_order(fx!("pesapal/error_invalid_ipn_id.json"), &a.body, &[]);
    let a = post(&submit, &auth, &order("KO-2", &post_ipn)).await;
    assert_order(fx!("pesapal/submit_order_ok.json"), &a.body, &[]);
    let paid = a.json()["order_tracking_id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_guid(&paid);
    let a = post(&submit, &auth, &order("KO-3", &get_ipn)).await;
    let pending = a.json()["order_tracking_id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_guid(&pending);

    let status =
        |id: &str| format!("{base}/api/Transactions/GetTransactionStatus?orderTrackingId={id}");
    let a = get(&status(&pending), &auth).await;
    assert_order(
        fx!("pesapal/status_pending.json"),
        &a.body,
        &["$.account_number"],
    );

    sb.settle(ProviderName::Pesapal, &paid, Outcome::Complete)
        .await
        .expect("settle");
    let ipn = sb.deliveries().pop().expect("IPN sent");
    assert_order(fx!("pesapal/ipn_post_body.json"), ipn.body.as_bytes(), &[]);
    let a = get(&status(&paid), &auth).await;
    assert_order(
        fx!("pesapal/status_completed.json"),
        &a.body,
        &["$.error.call_back_url"],
    );
    let code = a.json()["confirmation_code"]
        .as_str()
        .expect("code")
        .to_string();

    let refund = format!("{base}/api/Transactions/RefundRequest");
    let a = post(&refund, &auth, r#"{"confirmation_code":"x"}"#).await;
    assert_order(fx!("pesapal/refund_invalid_params.json"), &a.body, &[]);
    let body =
        json!({"confirmation_code": code, "amount": "1.00", "username": "u", "remarks": "r"})
            .to_string();
    let a = post(&refund, &auth, &body).await;
    assert_order(fx!("pesapal/refund_ok.json"), &a.body, &[]);
    let a = post(&refund, &auth, &body).await;
    assert_order(fx!("pesapal/refund_already.json"), &a.body, &[]);

    let cancel = format!("{base}/api/Transactions/CancelOrder");
    let a = post(
        &cancel,
        &auth,
        &json!({"order_tracking_id": pending}).to_string(),
    )
    .await;
    assert_order(fx!("pesapal/cancel_ok.json"), &a.body, &[]);
    let a = post(
        &cancel,
        &auth,
        &json!({"order_tracking_id": paid}).to_string(),
    )
    .await;
    assert_order(fx!("pesapal/cancel_refused.json"), &a.body, &[]);

    let a = post(&format!("{base}/api/Transactions/RefundOrder"), &auth, "{}").await;
    assert_order(fx!("pesapal/error_unknown_path.json"), &a.body, &[]);
    sb.shutdown().await;
}

#[tokio::test]
async fn azampay_answers_keep_the_documented_key_order() {
    let receiver = Receiver::start(vec![], Reply::Ok).await;
    let sb = Sandbox::start(config()).await.expect("start");
    sb.set_azampay_callback_url(Some(receiver.url("/callback")));
    let token_url = format!(
        "{}/AppRegistration/GenerateToken",
        sb.azampay_auth_base_url()
    );
    let checkout = sb.azampay_checkout_base_url();
    let disbursement = sb.azampay_disbursement_base_url();

    let a = post(
        &token_url,
        &[],
        &json!({"appName": AZAMPAY_APP_NAME, "clientId": AZAMPAY_CLIENT_ID, "clientSecret": AZAMPAY_CLIENT_SECRET}).to_string(),
    )
    .await;
    assert_order(fx!("azampay/token_ok.json"), &a.body, &[]);
    let bearer = format!(
        "Bearer {}",
        a.json()["data"]["accessToken"].as_str().expect("token")
    );
    let auth = [("authorization", bearer.as_str())];
    let a = post(
        &token_url,
        &[],
        r#"{"appName":"x","clientId":"y","clientSecret":"z"}"#,
    )
    .await;
    assert_order(fx!("azampay/token_invalid_423.json"), &a.body, &[]);
    let a = post(&token_url, &[], "{}").await;
    assert_order(fx!("azampay/token_validation_400.json"), &a.body, &[]);

    let mno = format!("{checkout}/azampay/mno/checkout");
    let a = post(&mno, &auth, r#"{"currency":"TZS"}"#).await;
    assert_order(fx!("azampay/checkout_validation_400.json"), &a.body, &[]);
    let a = post(&mno, &auth, fx!("azampay/mno_checkout_request.json").1).await;
    assert_order(fx!("azampay/mno_checkout_ok.json"), &a.body, &[]);
    let transaction = a.json()["transactionId"].as_str().expect("id").to_string();
    let simple = regex::Regex::new("^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$").expect("re");
    assert!(simple.is_match(&transaction), "{transaction}");

    let a = get(
        &format!("{checkout}/api/v1/Partner/GetPaymentPartners"),
        &auth,
    )
    .await;
    assert_order(fx!("azampay/partners_ok.json"), &a.body, &[]);
    let a = get(
        &format!("{checkout}/api/v1/partner/gettransactionstatus?transactionId={transaction}"),
        &auth,
    )
    .await;
    assert_order(
        fx!("azampay/unofficial_status_query_data_object.json"),
        &a.body,
        &[],
    );
    let a = get(&format!("{checkout}/azampay/v1/public-key"), &auth).await;
    assert_order(fx!("azampay/public_key_response.json"), &a.body, &[]);

    sb.settle(ProviderName::Azampay, &transaction, Outcome::Complete)
        .await
        .expect("settle");
    let callback = sb.deliveries().pop().expect("callback sent");
    assert_order(
        fx!("azampay/callback_example.json"),
        callback.body.as_bytes(),
        // The request's own additionalProperties, echoed.
        &["$.additionalProperties.orderId"],
    );
    let mnoreference = serde_json::from_str::<Value>(&callback.body).expect("json")["mnoreference"]
        .as_str()
        .expect("mnoreference")
        .to_string();
    assert_guid(&mnoreference);

    let disburse = format!("{disbursement}/api/v1/azampay/disburse");
    let a = post(&disburse, &[], "{}").await;
    assert_order(fx!("azampay/disbursement_401.json"), &a.body, &[]);
    let mut request: Value =
        serde_json::from_str(fx!("azampay/disburse_request.json").1).expect("fixture");
    request["transferDetails"]["dateInEpoch"] = json!(1);
    let a = post(&disburse, &auth, &request.to_string()).await;
    assert_order(fx!("azampay/disburse_402_expired.json"), &a.body, &[]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    request["transferDetails"]["dateInEpoch"] = json!(now);
    request["destination"]["bankName"] = json!("nobank");
    let a = post(&disburse, &auth, &request.to_string()).await;
    assert_order(fx!("azampay/disburse_400_invalid_bank.json"), &a.body, &[]);
    request["destination"]["bankName"] = json!("airtel");
    let a = post(&disburse, &auth, &request.to_string()).await;
    assert_order(fx!("azampay/disburse_ok.json"), &a.body, &[]);
    let pg = a.json()["pgReferenceId"]
        .as_str()
        .expect("pgReferenceId")
        .to_string();
    let a = post(&disburse, &auth, &request.to_string()).await;
    assert_order(fx!("azampay/disburse_403_duplicate.json"), &a.body, &[]);

    let status = format!("{disbursement}/api/v1/azampay/transactionstatus");
    let a = get(&format!("{status}?pgReferenceId={pg}"), &auth).await;
    assert_order(fx!("azampay/disbursement_status_ok.json"), &a.body, &[]);
    let a = get(&format!("{status}?pgReferenceId=unknown"), &auth).await;
    assert_order(
        fx!("azampay/disbursement_status_not_found.json"),
        &a.body,
        &[],
    );
    let a = post(
        &format!("{disbursement}/api/v1/azampay/namelookup"),
        &auth,
        r#"{"bankName":"Tigo","accountNumber":"0654000000"}"#,
    )
    .await;
    assert_order(fx!("azampay/namelookup_ok.json"), &a.body, &[]);

    sb.settle(ProviderName::Azampay, &pg, Outcome::Complete)
        .await
        .expect("settle");
    let callback = sb.deliveries().pop().expect("callback sent");
    assert_order(
        fx!("azampay/disburse_callback.json"),
        callback.body.as_bytes(),
        &[],
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn clickpesa_answers_keep_the_documented_key_order() {
    let receiver = Receiver::start(vec![], Reply::Ok).await;
    let sb = Sandbox::start(config()).await.expect("start");
    sb.set_clickpesa_webhook_url(Some(receiver.url("/hook")));
    let base = sb.clickpesa_base_url();

    let token_url = format!("{base}/generate-token");
    let a = post(&token_url, &[], "").await;
    assert_order(fx!("clickpesa/token_401.json"), &a.body, &[]);
    let a = post(
        &token_url,
        &[("client-id", "nobody"), ("api-key", CLICKPESA_API_KEY)],
        "",
    )
    .await;
    assert_order(fx!("clickpesa/token_403_invalid_client.json"), &a.body, &[]);
    let a = post(
        &token_url,
        &[
            ("client-id", CLICKPESA_CLIENT_ID),
            ("api-key", CLICKPESA_API_KEY),
        ],
        "",
    )
    .await;
    assert_order(fx!("clickpesa/token_ok.json"), &a.body, &[]);
    let token = a.json()["token"].as_str().expect("token").to_string();
    let auth = [("authorization", token.as_str())];
    // Request fixtures carry checksums for another key: send them without.
    let unsigned = |text: &str| {
        let mut v: Value = serde_json::from_str(text).expect("fixture");
        if let Some(m) = v.as_object_mut() {
            m.remove("checksum");
        }
        v
    };

    let mut preview = unsigned(fx!("clickpesa/ussd_preview_request.json").1);
    preview["fetchSenderDetails"] = json!(true);
    let a = post(
        &format!("{base}/payments/preview-ussd-push-request"),
        &auth,
        &preview.to_string(),
    )
    .await;
    assert_order(fx!("clickpesa/ussd_preview_ok.json"), &a.body, &[]);
    let ussd = unsigned(fx!("clickpesa/ussd_push_request.json").1);
    let a = post(
        &format!("{base}/payments/initiate-ussd-push-request"),
        &auth,
        &ussd.to_string(),
    )
    .await;
    assert_order(fx!("clickpesa/ussd_push_ok.json"), &a.body, &[]);
    let a = post(
        &format!("{base}/payments/initiate-ussd-push-request"),
        &auth,
        &ussd.to_string(),
    )
    .await;
    assert_order(fx!("clickpesa/error_409_reference_used.json"), &a.body, &[]);
    let reference = ussd["orderReference"].as_str().expect("reference");
    sb.settle(ProviderName::Clickpesa, reference, Outcome::Complete)
        .await
        .expect("settle");
    let hook = sb.deliveries().pop().expect("webhook sent");
    assert_order(
        fx!("clickpesa/webhook_payment_received_with_checksum.json"),
        hook.body.as_bytes(),
        &["$.data.customer.customerEmail"],
    );
    let a = get(&format!("{base}/payments/{reference}"), &auth).await;
    assert_order(
        fx!("clickpesa/payment_status.json"),
        &a.body,
        &["$[0].customer.customerEmail"],
    );
    let a = get(&format!("{base}/payments/all"), &auth).await;
    assert_order(
        fx!("clickpesa/payments_all.json"),
        &a.body,
        &["$.data[0].paymentPhoneNumber", "$.data[0].customer"],
    );

    let card = unsigned(fx!("clickpesa/card_preview_request.json").1);
    let a = post(
        &format!("{base}/payments/preview-card-payment"),
        &auth,
        &card.to_string(),
    )
    .await;
    assert_order(fx!("clickpesa/card_preview_ok.json"), &a.body, &[]);
    let card = unsigned(fx!("clickpesa/card_initiate_request_customer_details.json").1);
    let a = post(
        &format!("{base}/payments/initiate-card-payment"),
        &auth,
        &card.to_string(),
    )
    .await;
    assert_order(fx!("clickpesa/card_initiate_ok.json"), &a.body, &[]);
    let reference = card["orderReference"].as_str().expect("reference");
    sb.settle(ProviderName::Clickpesa, reference, Outcome::Fail)
        .await
        .expect("settle");
    let hook = sb.deliveries().pop().expect("webhook sent");
    assert_order(
        fx!("clickpesa/webhook_payment_failed.json"),
        hook.body.as_bytes(),
        &["$.data.channel", "$.checksum"],
    );

    let a = post(
        &format!("{base}/checkout-link/generate-checkout-url"),
        &auth,
        &unsigned(fx!("clickpesa/checkout_link_request.json").1).to_string(),
    )
    .await;
    assert_order(fx!("clickpesa/checkout_link_ok.json"), &a.body, &[]);
    let a = post(
        &format!("{base}/payout-link/generate-payout-url"),
        &auth,
        &unsigned(fx!("clickpesa/payout_link_request.json").1).to_string(),
    )
    .await;
    assert_order(fx!("clickpesa/payout_link_ok.json"), &a.body, &[]);

    let a = get(&format!("{base}/list/banks"), &auth).await;
    assert_order(fx!("clickpesa/banks_list.json"), &a.body, &[]);
    let a = get(&format!("{base}/account/balance"), &auth).await;
    assert_order(fx!("clickpesa/balance.json"), &a.body, &[]);
    let a = get(&format!("{base}/exchange-rates/all"), &auth).await;
    assert_order(fx!("clickpesa/exchange_rates.json"), &a.body, &[]);
    let a = post(
        &format!("{base}/payouts/verify-bank-account"),
        &auth,
        fx!("clickpesa/verify_bank_account_request.json").1,
    )
    .await;
    assert_order(fx!("clickpesa/verify_bank_account_ok.json"), &a.body, &[]);

    let payout = unsigned(fx!("clickpesa/payout_mm_request.json").1);
    let a = post(
        &format!("{base}/payouts/preview-mobile-money-payout"),
        &auth,
        &payout.to_string(),
    )
    .await;
    assert_order(fx!("clickpesa/payout_mm_preview_ok.json"), &a.body, &[]);
    let a = post(
        &format!("{base}/payouts/create-mobile-money-payout"),
        &auth,
        &payout.to_string(),
    )
    .await;
    assert_order(fx!("clickpesa/payout_mm_create_ok.json"), &a.body, &[]);
    let reference = payout["orderReference"].as_str().expect("reference");
    let a = get(&format!("{base}/payouts/{reference}"), &auth).await;
    assert_order(
        fx!("clickpesa/payout_query.json"),
        &a.body,
        &["$[0].transferType", "$[0].notes"],
    );
    sb.settle(ProviderName::Clickpesa, reference, Outcome::Fail)
        .await
        .expect("settle");
    let hook = sb.deliveries().pop().expect("webhook sent");
    assert_order(
        fx!("clickpesa/webhook_payout_reversed.json"),
        hook.body.as_bytes(),
        &["$.checksum", "$.data.transferType", "$.data.notes"],
    );

    let bank = unsigned(fx!("clickpesa/payout_bank_request.json").1);
    let a = post(
        &format!("{base}/payouts/create-bank-payout"),
        &auth,
        &bank.to_string(),
    )
    .await;
    assert_order(
        fx!("clickpesa/payout_bank_create_ok.json"),
        &a.body,
        &["$.createdAt", "$.updatedAt"],
    );
    let reference = bank["orderReference"].as_str().expect("reference");
    sb.settle(ProviderName::Clickpesa, reference, Outcome::Complete)
        .await
        .expect("settle");
    let hook = sb.deliveries().pop().expect("webhook sent");
    assert_order(
        fx!("clickpesa/webhook_payout_initiated.json"),
        hook.body.as_bytes(),
        &["$.checksum", "$.data.notes"],
    );
    sb.shutdown().await;
}
