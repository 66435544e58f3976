//! M-Pesa (Daraja): every route and quirk of the simulator, spoken to over plain HTTP.

mod common;

use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::{assert_shape, get, post, send, Receiver, Reply};
use finconnect_sandbox::credentials::{
    MPESA_CONSUMER_KEY, MPESA_CONSUMER_SECRET, MPESA_EXPRESS_PASSKEY, MPESA_EXPRESS_SHORTCODE,
    MPESA_INITIATOR_NAME, MPESA_INITIATOR_PASSWORD, MPESA_SHORTCODE, MPESA_TEST_MSISDN,
};
use finconnect_sandbox::{Fault, Outcome, ProviderName, Route, Sandbox, SandboxConfig};
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Encrypt, RsaPrivateKey};
use serde_json::{json, Value};

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default())
        .await
        .expect("start")
}

fn basic() -> String {
    format!(
        "Basic {}",
        STANDARD.encode(format!("{MPESA_CONSUMER_KEY}:{MPESA_CONSUMER_SECRET}"))
    )
}

async fn token(sb: &Sandbox) -> String {
    let a = get(
        &format!(
            "{}/oauth/v1/generate?grant_type=client_credentials",
            sb.mpesa_base_url()
        ),
        &[("authorization", &basic())],
    )
    .await;
    assert_eq!(a.status, 200);
    format!(
        "Bearer {}",
        a.json()["access_token"].as_str().expect("token")
    )
}

async fn call(sb: &Sandbox, bearer: &str, path: &str, body: &Value) -> common::Answer {
    post(
        &format!("{}{path}", sb.mpesa_base_url()),
        &[("authorization", bearer)],
        &body.to_string(),
    )
    .await
}

fn now_stamp() -> String {
    // Nairobi time, as the core writes it.
    let t = time::OffsetDateTime::from(SystemTime::now())
        .to_offset(time::UtcOffset::from_hms(3, 0, 0).expect("offset"));
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn password(stamp: &str) -> String {
    STANDARD.encode(format!(
        "{MPESA_EXPRESS_SHORTCODE}{MPESA_EXPRESS_PASSKEY}{stamp}"
    ))
}

fn push_body(callback: &str) -> Value {
    let stamp = now_stamp();
    json!({
        "BusinessShortCode": 174379,
        "Password": password(&stamp),
        "Timestamp": stamp,
        "TransactionType": "CustomerPayBillOnline",
        "Amount": "10",
        "PartyA": MPESA_TEST_MSISDN,
        "PartyB": MPESA_EXPRESS_SHORTCODE,
        "PhoneNumber": MPESA_TEST_MSISDN,
        "CallBackURL": callback,
        "AccountReference": "INV-001",
        "TransactionDesc": "Shoes"
    })
}

fn query_body(checkout: &str) -> Value {
    let stamp = now_stamp();
    json!({
        "BusinessShortCode": MPESA_EXPRESS_SHORTCODE,
        "Password": password(&stamp),
        "Timestamp": stamp,
        "CheckoutRequestID": checkout,
    })
}

async fn push(sb: &Sandbox, bearer: &str, callback: &str) -> String {
    let a = call(
        sb,
        bearer,
        "/mpesa/stkpush/v1/processrequest",
        &push_body(callback),
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    let v = a.json();
    assert_shape(&fixture!("mpesa/stk_push_ok.json"), &v);
    assert_eq!(v["ResponseCode"], "0");
    v["CheckoutRequestID"].as_str().expect("id").to_string()
}

fn assert_envelope(a: &common::Answer, status: u16, code: &str, message: &str) {
    assert_eq!(a.status, status, "{:?}", String::from_utf8_lossy(&a.body));
    let v = a.json();
    assert_shape(
        &fixture!("mpesa/stk_push_error_invalid_access_token.json"),
        &v,
    );
    assert_eq!(v["errorCode"], code, "{v}");
    assert_eq!(v["errorMessage"], message, "{v}");
}

/// Waits until `n` requests reached the receiver (results are POSTed after the answer).
async fn wait_for(receiver: &Receiver, n: usize) -> Vec<common::Received> {
    for _ in 0..500 {
        let seen = receiver.seen();
        if seen.len() >= n {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("expected {n} notifications, got {:?}", receiver.seen());
}

fn credential(password: &str) -> String {
    let key =
        RsaPrivateKey::from_pkcs8_pem(include_str!("../keys/mpesa-initiator-key.TEST-ONLY.pem"))
            .expect("the TEST-ONLY key");
    let c = key
        .to_public_key()
        .encrypt(
            &mut rand::thread_rng(),
            Pkcs1v15Encrypt,
            password.as_bytes(),
        )
        .expect("encrypt");
    STANDARD.encode(c)
}

fn json_of(r: &common::Received) -> Value {
    serde_json::from_slice(&r.body).expect("a JSON notification")
}

fn parameter<'a>(result: &'a Value, key: &str) -> &'a Value {
    result["Result"]["ResultParameters"]["ResultParameter"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["Key"] == key))
        .map(|i| &i["Value"])
        .unwrap_or_else(|| panic!("no parameter {key} in {result}"))
}

#[tokio::test]
async fn oauth_basic_auth_and_string_expires_in() {
    let sb = sandbox().await;
    let url = format!(
        "{}/oauth/v1/generate?grant_type=client_credentials",
        sb.mpesa_base_url()
    );
    let ok = get(&url, &[("authorization", &basic())]).await;
    let v = ok.json();
    assert_shape(&fixture!("mpesa/oauth_ok_expires_in_string.json"), &v);
    assert_eq!(
        v["expires_in"], "3599",
        "a string, one second short of the hour"
    );
    assert_eq!(v["access_token"].as_str().map(str::len), Some(28));

    let wrong_grant = get(
        &format!(
            "{}/oauth/v1/generate?grant_type=password",
            sb.mpesa_base_url()
        ),
        &[("authorization", &basic())],
    )
    .await;
    assert_envelope(&wrong_grant, 400, "400.008.02", "Invalid grant type passed");
    let no_basic = get(&url, &[("authorization", "Bearer x")]).await;
    assert_envelope(
        &no_basic,
        400,
        "400.008.01",
        "Invalid Authentication passed",
    );
    let wrong_secret = get(
        &url,
        &[(
            "authorization",
            &format!(
                "Basic {}",
                STANDARD.encode(format!("{MPESA_CONSUMER_KEY}:nope"))
            ),
        )],
    )
    .await;
    assert_eq!(wrong_secret.status, 400);
    assert!(wrong_secret.body.is_empty());
    let post_oauth = post(&url, &[("authorization", &basic())], "{}").await;
    assert_envelope(&post_oauth, 405, "405.001", "Method Not Allowed");
    let unknown = post(&format!("{}/mpesa/nothing", sb.mpesa_base_url()), &[], "{}").await;
    assert_envelope(&unknown, 404, "404.001.01", "Resource not found");
    assert_eq!(sb.requests(Route::MpesaAuth), 4);
}

#[tokio::test]
async fn tokens_expire_and_bad_tokens_get_the_envelope() {
    let sb = Sandbox::start(SandboxConfig::default().with_mpesa_token_ttl(Duration::ZERO))
        .await
        .expect("start");
    let a = get(
        &format!(
            "{}/oauth/v1/generate?grant_type=client_credentials",
            sb.mpesa_base_url()
        ),
        &[("authorization", &basic())],
    )
    .await;
    assert_eq!(a.json()["expires_in"], "0");
    let expired = format!("Bearer {}", a.json()["access_token"].as_str().expect("t"));
    let r = call(
        &sb,
        &expired,
        "/mpesa/stkpushquery/v1/query",
        &query_body("x"),
    )
    .await;
    assert_envelope(&r, 404, "404.001.03", "Invalid Access Token");

    let sb = sandbox().await;
    let r = call(
        &sb,
        "Bearer forged",
        "/mpesa/stkpushquery/v1/query",
        &query_body("x"),
    )
    .await;
    assert_envelope(&r, 404, "404.001.03", "Invalid Access Token");
    let r = post(
        &format!("{}/mpesa/stkpushquery/v1/query", sb.mpesa_base_url()),
        &[],
        &query_body("x").to_string(),
    )
    .await;
    assert_envelope(&r, 404, "404.001.04", "Invalid Authentication Header");
    // The TTL setting for every provider covers M-Pesa too.
    let config = SandboxConfig::default().with_token_ttl(Duration::from_secs(120));
    assert_eq!(config.mpesa_token_lifetime, Duration::from_secs(120));
}

#[tokio::test]
async fn stk_push_checks_every_field() {
    let sb = sandbox().await;
    let bearer = token(&sb).await;
    let cb = "http://127.0.0.1:9/cb";
    let path = "/mpesa/stkpush/v1/processrequest";
    let cases: Vec<(&str, Value, u16, &str, &str)> = vec![
        (
            "BusinessShortCode",
            json!("600000"),
            400,
            "400.002.02",
            "Bad Request - Invalid BusinessShortCode",
        ),
        (
            "Timestamp",
            json!("2024-06-28 09:24"),
            400,
            "400.002.02",
            "Bad Request - Invalid Timestamp",
        ),
        (
            "Password",
            json!(password("20210628092408")),
            500,
            "500.001.1001",
            "Wrong credentials",
        ),
        (
            "TransactionType",
            json!("BusinessBuyGoods"),
            400,
            "400.002.02",
            "Bad Request - Invalid TransactionType",
        ),
        (
            "Amount",
            json!("100.00"),
            400,
            "400.002.02",
            "Bad Request - Invalid Amount",
        ),
        (
            "Amount",
            json!(1.5),
            400,
            "400.002.02",
            "Bad Request - Invalid Amount",
        ),
        (
            "Amount",
            json!(250_001),
            400,
            "400.002.02",
            "Bad Request - Invalid Amount",
        ),
        (
            "PhoneNumber",
            json!("0708374149"),
            400,
            "400.002.02",
            "Bad Request - Invalid PhoneNumber",
        ),
        (
            "PartyA",
            json!("+254708374149"),
            400,
            "400.002.02",
            "Bad Request - Invalid PartyA",
        ),
        (
            "CallBackURL",
            json!("http://127.0.0.1:9/a b"),
            400,
            "400.002.02",
            "Bad Request - Invalid CallBackURL",
        ),
        (
            "CallBackURL",
            json!("ftp://127.0.0.1/x"),
            400,
            "400.002.02",
            "Bad Request - Invalid CallBackURL",
        ),
        (
            "AccountReference",
            json!("ABCDEFGHIJKLM"),
            400,
            "400.002.02",
            "Bad Request - Invalid AccountReference",
        ),
        (
            "TransactionDesc",
            json!("ABCDEFGHIJKLMN"),
            400,
            "400.002.02",
            "Bad Request - Invalid TransactionDesc",
        ),
        (
            "TransactionDesc",
            Value::Null,
            400,
            "400.002.02",
            "Bad Request - Invalid Remarks",
        ),
    ];
    for (field, value, status, code, message) in cases {
        let mut body = push_body(cb);
        body[field] = value.clone();
        let a = call(&sb, &bearer, path, &body).await;
        assert_envelope(&a, status, code, message);
        assert_eq!(sb.orders(ProviderName::Mpesa), 0, "{field}={value}");
    }
    let bad = post(
        &format!("{}{path}", sb.mpesa_base_url()),
        &[("authorization", &bearer)],
        "[1]",
    )
    .await;
    assert_envelope(&bad, 400, "400.002.05", "Invalid Request Payload");
    // Amount as a number, 12 characters of reference, 13 of description: accepted.
    let mut body = push_body(cb);
    body["Amount"] = json!(1);
    body["AccountReference"] = json!("ABCDEFGHIJKL");
    body["TransactionDesc"] = json!("ABCDEFGHIJKLM");
    let a = call(&sb, &bearer, path, &body).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    let id = a.json()["CheckoutRequestID"]
        .as_str()
        .expect("id")
        .to_string();
    assert!(id.starts_with("ws_CO_") && id.ends_with("149"), "{id}");
    assert_eq!(sb.orders(ProviderName::Mpesa), 1);
}

#[tokio::test]
async fn stk_query_rotates_the_three_pending_shapes_then_answers_with_string_codes() {
    let sb = sandbox().await;
    let bearer = token(&sb).await;
    let id = push(&sb, &bearer, "http://127.0.0.1:9/cb").await;
    let path = "/mpesa/stkpushquery/v1/query";
    for round in 0..2 {
        let first = call(&sb, &bearer, path, &query_body(&id)).await;
        assert_eq!(first.status, 200);
        let v = first.json();
        assert_shape(
            &fixture!("mpesa/stk_query_ok_still_processing_4999.json"),
            &v,
        );
        assert_eq!(v["ResultCode"], "4999", "round {round}");
        assert_eq!(
            v["ResponseDescription"],
            "The service request has been accepted successsfully"
        );
        let second = call(&sb, &bearer, path, &query_body(&id)).await;
        assert_shape(
            &fixture!("mpesa/stk_query_pending_error_empty_message.json"),
            &second.json(),
        );
        assert_envelope(&second, 200, "500.001.1001", "");
        let third = call(&sb, &bearer, path, &query_body(&id)).await;
        assert_envelope(
            &third,
            500,
            "500.001.1001",
            "The transaction is being processed",
        );
        assert_eq!(third.json()["requestId"], id.as_str());
    }
    sb.settle_mpesa(&id, "1037")
        .await
        .expect("no answer from the phone");
    let done = call(&sb, &bearer, path, &query_body(&id)).await;
    let v = done.json();
    assert_shape(&fixture!("mpesa/stk_query_ok_success.json"), &v);
    assert_eq!(v["ResultCode"], "1037");
    assert_eq!(v["ResultDesc"], "DS timeout user cannot be reached");
    let unknown = call(&sb, &bearer, path, &query_body("ws_CO_000")).await;
    assert_envelope(
        &unknown,
        500,
        "500.001.1001",
        "The transaction does not Exist",
    );
    let mut wrong = query_body(&id);
    wrong["Password"] = json!(password("20200101000000"));
    let a = call(&sb, &bearer, path, &wrong).await;
    assert_envelope(&a, 500, "500.001.1001", "Wrong credentials");
    assert_eq!(sb.requests(Route::MpesaStkQuery), 9);
}

#[tokio::test]
async fn stk_callback_has_metadata_only_on_success_and_is_sent_once() {
    let sb = sandbox().await;
    let bearer = token(&sb).await;
    // The merchant fails every delivery: nothing is re-sent.
    let receiver = Receiver::start(vec![], Reply::Fail).await;
    let paid = push(&sb, &bearer, receiver.url("/stk/paid").as_str()).await;
    let cancelled = push(&sb, &bearer, receiver.url("/stk/cancelled").as_str()).await;
    sb.settle(ProviderName::Mpesa, &paid, Outcome::Complete)
        .await
        .expect("pays");
    sb.settle_mpesa(&cancelled, "1032").await.expect("cancels");
    let seen = receiver.seen();
    assert_eq!(seen.len(), 2, "once each, never retried: {seen:?}");
    let success = json_of(&seen[0]);
    assert_shape(&fixture!("mpesa/stk_callback_success_docs.json"), &success);
    let cb = &success["Body"]["stkCallback"];
    assert_eq!(cb["ResultCode"], 0, "a number in the callback");
    assert_eq!(cb["CheckoutRequestID"], paid.as_str());
    let items = cb["CallbackMetadata"]["Item"].as_array().expect("items");
    let names: Vec<&str> = items.iter().filter_map(|i| i["Name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "Amount",
            "MpesaReceiptNumber",
            "TransactionDate",
            "PhoneNumber"
        ]
    );
    assert_eq!(items[0]["Value"], 10.0);
    assert_eq!(items[1]["Value"].as_str().map(str::len), Some(10));
    assert!(items[2]["Value"]
        .as_u64()
        .is_some_and(|d| d > 20_240_000_000_000));
    assert_eq!(items[3]["Value"], 254_708_374_149u64);
    let failure = json_of(&seen[1]);
    assert_shape(&fixture!("mpesa/stk_callback_cancelled.json"), &failure);
    let cb = &failure["Body"]["stkCallback"];
    assert_eq!(cb["ResultCode"], 1032);
    assert_eq!(cb["ResultDesc"], "Request cancelled by user");
    assert!(cb.get("CallbackMetadata").is_none(), "{cb}");
    let deliveries = sb.deliveries();
    assert_eq!(deliveries.len(), 2);
    assert!(deliveries
        .iter()
        .all(|d| d.attempts == 1 && !d.acked && d.last_status == Some(500)));
    assert_eq!(deliveries[0].reference, paid);
    // A settled push cannot be settled again.
    assert!(sb.settle_mpesa(&paid, "1").await.is_err());
    assert!(sb.settle_mpesa("ws_CO_unknown", "0").await.is_err());
}

#[tokio::test]
async fn control_api_settles_with_outcomes_and_result_codes() {
    let sb = sandbox().await;
    let bearer = token(&sb).await;
    let receiver = Receiver::start(vec![], Reply::Ok).await;
    let ids = [
        push(&sb, &bearer, receiver.url("/a").as_str()).await,
        push(&sb, &bearer, receiver.url("/b").as_str()).await,
        push(&sb, &bearer, receiver.url("/c").as_str()).await,
    ];
    let settle = format!("http://{}/_sandbox/settle", sb.addr());
    let bodies = [
        json!({"provider": "mpesa", "reference": ids[0], "outcome": "cancelled"}),
        json!({"provider": "M-Pesa", "reference": ids[1], "result_code": "2001"}),
        json!({"provider": "mpesa", "reference": ids[2], "outcome": "failed"}),
    ];
    for body in &bodies {
        let a = post(&settle, &[], &body.to_string()).await;
        assert_eq!(a.status, 200, "{:?}", a.body);
    }
    let codes: Vec<Value> = receiver
        .seen()
        .iter()
        .map(|r| json_of(r)["Body"]["stkCallback"]["ResultCode"].clone())
        .collect();
    assert_eq!(codes, [json!(1032), json!(2001), json!(1)]);
    let again = post(&settle, &[], &bodies[0].to_string()).await;
    assert_eq!(again.status, 409);
    let id = push(&sb, &bearer, receiver.url("/d").as_str()).await;
    let pending = json!({"provider": "mpesa", "reference": id, "result_code": "4999"});
    assert_eq!(post(&settle, &[], &pending.to_string()).await.status, 400);
}

#[tokio::test]
async fn the_phone_prompt_page_pays_fails_and_cancels() {
    let sb = sandbox().await;
    let bearer = token(&sb).await;
    let receiver = Receiver::start(vec![], Reply::Ok).await;
    let id = push(&sb, &bearer, receiver.url("/cb").as_str()).await;
    let url = sb.mpesa_prompt_url(&id);
    assert!(url.ends_with(&format!("/mpesa/checkout/{id}")), "{url}");
    let page = get(&url, &[]).await;
    assert_eq!(page.status, 200);
    let html = String::from_utf8_lossy(&page.body).to_string();
    assert!(
        html.contains("M-Pesa") && html.contains("10.00") && html.contains("INV-001"),
        "{html}"
    );
    let cancel = send(
        "POST",
        &url,
        &[("content-type", "application/x-www-form-urlencoded")],
        Some("action=cancel"),
    )
    .await
    .expect("POST");
    assert_eq!(cancel.status, 200);
    let again = send("POST", &url, &[], Some("action=pay"))
        .await
        .expect("POST");
    assert_eq!(again.status, 409);
    let cb = json_of(&receiver.seen()[0]);
    assert_eq!(cb["Body"]["stkCallback"]["ResultCode"], 1032);
    assert_eq!(
        get(&sb.mpesa_prompt_url("ws_CO_nope"), &[]).await.status,
        404
    );
}

async fn register(sb: &Sandbox, bearer: &str, body: &Value) -> common::Answer {
    call(sb, bearer, "/mpesa/c2b/v2/registerurl", body).await
}

fn registration(receiver: &Receiver, response_type: &str) -> Value {
    json!({
        "ShortCode": MPESA_SHORTCODE,
        "ResponseType": response_type,
        "ConfirmationURL": receiver.url("/c2b/confirm").as_str(),
        "ValidationURL": receiver.url("/c2b/validate").as_str(),
    })
}

#[tokio::test]
async fn c2b_register_once_with_exact_response_types() {
    let sb = sandbox().await;
    let bearer = token(&sb).await;
    let receiver = Receiver::start(vec![], Reply::Ok).await;
    let mut canceled = registration(&receiver, "Canceled");
    let a = register(&sb, &bearer, &canceled).await;
    assert_envelope(&a, 400, "400.002.02", "Bad Request - Invalid ResponseType");
    canceled["ResponseType"] = json!("Completed");
    canceled["ConfirmationURL"] = json!(receiver.url("/mpesa/confirm").as_str());
    let a = register(&sb, &bearer, &canceled).await;
    assert_envelope(
        &a,
        400,
        "400.002.02",
        "Bad Request - Invalid ConfirmationURL",
    );
    let ok = register(&sb, &bearer, &registration(&receiver, "Completed")).await;
    assert_eq!(ok.status, 200);
    let v = ok.json();
    assert_shape(&fixture!("mpesa/c2b_register_ok.json"), &v);
    assert!(
        v.get("OriginatorConversationID").is_none(),
        "the key is misspelled: {v}"
    );
    // The same URLs again: fine. Other URLs: already registered.
    let same = register(&sb, &bearer, &registration(&receiver, "Completed")).await;
    assert_eq!(same.status, 200);
    let other = register(&sb, &bearer, &registration(&receiver, "Cancelled")).await;
    assert_shape(
        &fixture!("mpesa/c2b_register_error_already_registered.json"),
        &other.json(),
    );
    assert_envelope(&other, 500, "500.003.1001", "Urls are already registered");
    assert_eq!(sb.requests(Route::MpesaC2bRegister), 5);
}

#[tokio::test]
async fn c2b_customer_payment_asks_validation_then_confirms() {
    let sb = sandbox().await;
    let bearer = token(&sb).await;
    // Accept the first payment (with a ThirdPartyTransID), reject the second.
    let receiver = Receiver::start(
        vec![
            Reply::Json(
                r#"{"ResultCode":"0","ResultDesc":"Accepted","ThirdPartyTransID":"shop-7"}"#,
            ),
            Reply::Ok,
            Reply::Json(r#"{"ResultCode":"C2B00012","ResultDesc":"Rejected"}"#),
        ],
        Reply::Ok,
    )
    .await;
    assert!(
        sb.mpesa_c2b_payment(None, 5, MPESA_TEST_MSISDN, "A1")
            .await
            .is_err(),
        "nothing registered"
    );
    assert_eq!(
        register(&sb, &bearer, &registration(&receiver, "Cancelled"))
            .await
            .status,
        200
    );
    let paid = sb
        .mpesa_c2b_payment(None, 5, MPESA_TEST_MSISDN, "INV 7#")
        .await
        .expect("pays");
    assert!(paid.completed);
    assert_eq!(paid.validation_result, "0");
    let seen = receiver.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].uri, "/c2b/validate");
    assert_eq!(seen[1].uri, "/c2b/confirm");
    let validation = json_of(&seen[0]);
    let confirmation = json_of(&seen[1]);
    assert_shape(&fixture!("mpesa/c2b_confirmation.json"), &confirmation);
    assert_eq!(validation["OrgAccountBalance"], "");
    assert_eq!(confirmation["TransID"], paid.trans_id.as_str());
    assert_eq!(confirmation["TransAmount"], "5.00");
    assert_eq!(confirmation["BillRefNumber"], "INV 7#");
    assert_eq!(confirmation["MSISDN"], "2547 ***** 149");
    assert_eq!(confirmation["ThirdPartyTransID"], "shop-7");
    assert_eq!(confirmation["OrgAccountBalance"], "1000005.00");

    // The merchant rejects: no confirmation.
    let control = format!("http://{}/_sandbox/mpesa/c2b", sb.addr());
    let a = post(
        &control,
        &[],
        &json!({"amount": 9, "msisdn": MPESA_TEST_MSISDN, "bill_ref": "X"}).to_string(),
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["completed"], false);
    assert_eq!(a.json()["validation_result"], "C2B00012");
    assert_eq!(receiver.seen().len(), 3);
    // An unreadable validation answer ("OK"): ResponseType Cancelled rejects.
    let r = sb
        .mpesa_c2b_payment(Some(MPESA_SHORTCODE), 9, MPESA_TEST_MSISDN, "Y")
        .await
        .expect("runs");
    assert!(!r.completed);
    assert_eq!(r.validation_result, "");
    assert_eq!(receiver.seen().len(), 4);
    let bad = post(&control, &[], &json!({"amount": 1.5}).to_string()).await;
    assert_eq!(bad.status, 400);
    assert!(sb.deliveries().iter().all(|d| d.attempts == 1));
}

#[tokio::test]
async fn c2b_unreachable_validation_with_completed_confirms_and_simulate_runs_it() {
    let sb = sandbox().await;
    let bearer = token(&sb).await;
    let receiver = Receiver::start(vec![Reply::Fail], Reply::Ok).await;
    assert_eq!(
        register(&sb, &bearer, &registration(&receiver, "Completed"))
            .await
            .status,
        200
    );
    let sim = call(
        &sb,
        &bearer,
        "/mpesa/c2b/v2/simulate",
        &json!({"ShortCode": 600984, "CommandID": "CustomerPayBillOnline", "Amount": 3,
                "Msisdn": 254708374149u64, "BillRefNumber": "sim"}),
    )
    .await;
    assert_eq!(sim.status, 200);
    assert_shape(&fixture!("mpesa/c2b_simulate_ok.json"), &sim.json());
    let seen = wait_for(&receiver, 2).await;
    assert_eq!(
        seen[1].uri, "/c2b/confirm",
        "ResponseType Completed confirms"
    );
    assert_eq!(json_of(&seen[1])["TransAmount"], "3.00");
    let unregistered = call(
        &sb,
        &bearer,
        "/mpesa/c2b/v1/simulate",
        &json!({"ShortCode": "600000", "CommandID": "CustomerPayBillOnline", "Amount": 3,
                "Msisdn": "254708374149", "BillRefNumber": "sim"}),
    )
    .await;
    assert_envelope(
        &unregistered,
        400,
        "400.002.02",
        "Bad Request - Invalid ShortCode",
    );
}

fn b2c_body(id: &str, result: &Receiver, credential: &str) -> Value {
    json!({
        "OriginatorConversationID": id,
        "InitiatorName": MPESA_INITIATOR_NAME,
        "SecurityCredential": credential,
        "CommandID": "BusinessPayment",
        "Amount": "100",
        "PartyA": MPESA_SHORTCODE,
        "PartyB": MPESA_TEST_MSISDN,
        "Remarks": "refund",
        "QueueTimeOutURL": result.url("/timeout").as_str(),
        "ResultURL": result.url("/result").as_str(),
        "Occassion": "June"
    })
}

#[tokio::test]
async fn b2c_answers_then_posts_the_result_and_refuses_duplicates() {
    let sb = sandbox().await;
    let bearer = token(&sb).await;
    let receiver = Receiver::start(vec![], Reply::Ok).await;
    let path = "/mpesa/b2c/v3/paymentrequest";
    let good = credential(MPESA_INITIATOR_PASSWORD);
    let a = call(&sb, &bearer, path, &b2c_body("pay-1", &receiver, &good)).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    let ack = a.json();
    assert_shape(&fixture!("mpesa/b2c_ok.json"), &ack);
    assert_eq!(ack["OriginatorConversationID"], "pay-1");
    let seen = wait_for(&receiver, 1).await;
    assert_eq!(seen[0].uri, "/result");
    let result = json_of(&seen[0]);
    assert_eq!(result["Result"]["ResultCode"], "0", "codes as strings");
    assert_eq!(result["Result"]["ResultType"], "0");
    assert_eq!(result["Result"]["OriginatorConversationID"], "pay-1");
    assert_eq!(result["Result"]["ConversationID"], ack["ConversationID"]);
    assert_eq!(parameter(&result, "TransactionAmount"), 100);
    assert_eq!(
        parameter(&result, "TransactionReceipt"),
        &result["Result"]["TransactionID"]
    );
    assert_eq!(
        parameter(&result, "B2CUtilityAccountAvailableFunds"),
        999_900.0
    );
    // The same OriginatorConversationID again: refused, nothing paid twice.
    let dup = call(&sb, &bearer, path, &b2c_body("pay-1", &receiver, &good)).await;
    assert_shape(
        &fixture!("mpesa/b2c_error_duplicate_originator.json"),
        &dup.json(),
    );
    assert_envelope(
        &dup,
        500,
        "500.002.1001",
        "Duplicate OriginatorConversationID.",
    );
    // A wrong password: accepted, then result 2001 without parameters.
    let wrong = credential("not-the-password");
    let a = call(&sb, &bearer, path, &b2c_body("pay-2", &receiver, &wrong)).await;
    assert_eq!(a.status, 200);
    let seen = wait_for(&receiver, 2).await;
    let failed = json_of(&seen[1]);
    assert_eq!(failed["Result"]["ResultCode"], "2001");
    assert!(failed["Result"].get("ResultParameters").is_none());
    // A credential that is not one: refused at once.
    let a = call(
        &sb,
        &bearer,
        path,
        &b2c_body("pay-3", &receiver, "bm90IHJzYQ=="),
    )
    .await;
    assert_envelope(
        &a,
        400,
        "400.002.02",
        "Bad Request - Invalid SecurityCredential",
    );
    let mut small = b2c_body("pay-4", &receiver, &good);
    small["Amount"] = json!("9");
    assert_envelope(
        &call(&sb, &bearer, path, &small).await,
        400,
        "400.002.02",
        "Bad Request - Invalid Amount",
    );
    assert_eq!(sb.requests(Route::MpesaB2c), 5);
    assert_eq!(sb.orders(ProviderName::Mpesa), 2);
}

fn status_body(key_name: &str, key: &str, result: &Receiver) -> Value {
    json!({
        "Initiator": MPESA_INITIATOR_NAME,
        "SecurityCredential": credential(MPESA_INITIATOR_PASSWORD),
        "CommandID": "TransactionStatusQuery",
        key_name: key,
        "PartyA": MPESA_SHORTCODE,
        "IdentifierType": "4",
        "ResultURL": result.url("/status").as_str(),
        "QueueTimeOutURL": result.url("/timeout").as_str(),
        "Remarks": "check",
        "Occasion": "audit"
    })
}

#[tokio::test]
async fn transaction_status_finds_receipts_and_conversation_ids() {
    let sb = sandbox().await;
    let bearer = token(&sb).await;
    let receiver = Receiver::start(vec![], Reply::Ok).await;
    let id = push(&sb, &bearer, receiver.url("/stk").as_str()).await;
    sb.settle(ProviderName::Mpesa, &id, Outcome::Complete)
        .await
        .expect("pays");
    let stk = json_of(&receiver.seen()[0]);
    let receipt = stk["Body"]["stkCallback"]["CallbackMetadata"]["Item"][1]["Value"]
        .as_str()
        .expect("receipt")
        .to_string();
    let path = "/mpesa/transactionstatus/v1/query";
    let a = call(
        &sb,
        &bearer,
        path,
        &status_body("TransactionID", &receipt, &receiver),
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    let seen = wait_for(&receiver, 2).await;
    let result = json_of(&seen[1]);
    assert_eq!(result["Result"]["ResultCode"], "0");
    assert_eq!(parameter(&result, "ReceiptNo"), receipt.as_str());
    assert_eq!(parameter(&result, "TransactionStatus"), "Completed");
    assert_eq!(parameter(&result, "Amount"), "10");
    assert_eq!(
        result["Result"]["ReferenceData"]["ReferenceItem"]["Value"],
        "audit"
    );
    // By conversation id, under the documentation's key name.
    let b2c = call(
        &sb,
        &bearer,
        "/mpesa/b2c/v3/paymentrequest",
        &b2c_body("conv-9", &receiver, &credential(MPESA_INITIATOR_PASSWORD)),
    )
    .await;
    assert_eq!(b2c.status, 200);
    wait_for(&receiver, 3).await;
    call(
        &sb,
        &bearer,
        path,
        &status_body("OriginalConversationID", "conv-9", &receiver),
    )
    .await;
    let seen = wait_for(&receiver, 4).await;
    let by_id = json_of(&seen[3]);
    assert_eq!(parameter(&by_id, "OriginatorConversationID"), "conv-9");
    assert_eq!(
        parameter(&by_id, "ReasonType"),
        "Business Payment to Customer via API"
    );
    // Unknown receipt.
    call(
        &sb,
        &bearer,
        path,
        &status_body("TransactionID", "SXXXXXXXXX", &receiver),
    )
    .await;
    let seen = wait_for(&receiver, 5).await;
    assert_eq!(json_of(&seen[4])["Result"]["ResultCode"], "R000002");
    // The documentation sample's "Command ID" (with a space) is not CommandID.
    let mut spaced = status_body("TransactionID", &receipt, &receiver);
    let command = spaced
        .as_object_mut()
        .expect("object")
        .remove("CommandID")
        .expect("CommandID");
    spaced["Command ID"] = command;
    assert_envelope(
        &call(&sb, &bearer, path, &spaced).await,
        400,
        "400.002.02",
        "Bad Request - Invalid CommandID",
    );
}

#[tokio::test]
async fn account_balance_reports_the_utility_account() {
    let sb = sandbox().await;
    let bearer = token(&sb).await;
    let receiver = Receiver::start(vec![], Reply::Ok).await;
    let body = json!({
        "Initiator": MPESA_INITIATOR_NAME,
        "SecurityCredential": credential(MPESA_INITIATOR_PASSWORD),
        "CommandID": "AccountBalance",
        "PartyA": MPESA_SHORTCODE,
        "IdentifierType": "4",
        "Remarks": "balance",
        "QueueTimeOutURL": receiver.url("/timeout").as_str(),
        "ResultURL": receiver.url("/balance").as_str(),
    });
    let a = call(&sb, &bearer, "/mpesa/accountbalance/v1/query", &body).await;
    assert_eq!(a.status, 200);
    let result = json_of(&wait_for(&receiver, 1).await[0]);
    assert_shape(&fixture!("mpesa/account_balance_result.json"), &result);
    let balances = parameter(&result, "AccountBalance").as_str().expect("text");
    assert!(
        balances.contains("&Utility Account|KES|1000000.00|1000000.00|0.00|0.00&"),
        "{balances}"
    );
    assert!(result["Result"]["TransactionID"]
        .as_str()
        .is_some_and(|t| t.ends_with("0000000")));
}

#[tokio::test]
async fn reversal_takes_only_the_misspelled_identifier_type() {
    let sb = sandbox().await;
    let bearer = token(&sb).await;
    let receiver = Receiver::start(vec![], Reply::Json(r#"{"ResultCode":"0"}"#)).await;
    assert_eq!(
        register(&sb, &bearer, &registration(&receiver, "Completed"))
            .await
            .status,
        200
    );
    let paid = sb
        .mpesa_c2b_payment(None, 50, MPESA_TEST_MSISDN, "R")
        .await
        .expect("pays");
    let body = |receipt: &str| {
        json!({
            "Initiator": MPESA_INITIATOR_NAME,
            "SecurityCredential": credential(MPESA_INITIATOR_PASSWORD),
            "CommandID": "TransactionReversal",
            "TransactionID": receipt,
            "Amount": "50",
            "ReceiverParty": MPESA_SHORTCODE,
            "RecieverIdentifierType": "11",
            "ResultURL": receiver.url("/reversal").as_str(),
            "QueueTimeOutURL": receiver.url("/timeout").as_str(),
            "Remarks": "wrong payment",
        })
    };
    let path = "/mpesa/reversal/v1/request";
    let mut spelled = body(&paid.trans_id);
    let v = spelled
        .as_object_mut()
        .expect("object")
        .remove("RecieverIdentifierType")
        .expect("key");
    spelled["ReceiverIdentifierType"] = v;
    assert_envelope(
        &call(&sb, &bearer, path, &spelled).await,
        400,
        "400.002.02",
        "Bad Request - Invalid RecieverIdentifierType",
    );
    for (n, expected) in [(3, "0"), (4, "R000001")] {
        assert_eq!(
            call(&sb, &bearer, path, &body(&paid.trans_id)).await.status,
            200
        );
        let seen = wait_for(&receiver, n).await;
        let result = json_of(&seen[n - 1]);
        assert_eq!(result["Result"]["ResultCode"], expected, "{result}");
        if expected == "0" {
            assert_eq!(
                parameter(&result, "OriginalTransactionID"),
                paid.trans_id.as_str()
            );
        }
    }
    call(&sb, &bearer, path, &body("SNOTAREAL1")).await;
    let seen = wait_for(&receiver, 5).await;
    assert_eq!(json_of(&seen[4])["Result"]["ResultCode"], "R000002");
}

#[tokio::test]
async fn faults_apply_to_daraja_routes() {
    let sb = sandbox().await;
    let bearer = token(&sb).await;
    // The push is processed, the answer lost: the payment exists.
    sb.inject(
        Route::MpesaStkPush,
        [Fault::AfterProcessing(Box::new(Fault::DropConnection))],
    );
    let lost = send(
        "POST",
        &format!("{}/mpesa/stkpush/v1/processrequest", sb.mpesa_base_url()),
        &[("authorization", &bearer)],
        Some(&push_body("http://127.0.0.1:9/cb").to_string()),
    )
    .await;
    assert!(lost.is_err(), "the answer is lost");
    assert_eq!(sb.orders(ProviderName::Mpesa), 1);
    assert_eq!(sb.requests(Route::MpesaStkPush), 1);
    sb.inject(
        Route::MpesaStkQuery,
        [
            Fault::Unauthorized,
            Fault::ProviderError(503),
            Fault::Status(500),
        ],
    );
    let q = call(
        &sb,
        &bearer,
        "/mpesa/stkpushquery/v1/query",
        &query_body("x"),
    )
    .await;
    assert_envelope(&q, 404, "404.001.03", "Invalid Access Token");
    let q = call(
        &sb,
        &bearer,
        "/mpesa/stkpushquery/v1/query",
        &query_body("x"),
    )
    .await;
    assert_envelope(
        &q,
        503,
        "503.003.1001",
        "Service is currently under maintenance. Please try again later",
    );
    let q = call(
        &sb,
        &bearer,
        "/mpesa/stkpushquery/v1/query",
        &query_body("x"),
    )
    .await;
    assert_eq!(q.status, 500);
    sb.inject(Route::MpesaAuth, [Fault::Unauthorized]);
    let a = get(
        &format!(
            "{}/oauth/v1/generate?grant_type=client_credentials",
            sb.mpesa_base_url()
        ),
        &[("authorization", &basic())],
    )
    .await;
    assert_envelope(&a, 400, "400.008.01", "Invalid Authentication passed");
    let counters = get(
        &format!("http://{}/_sandbox/counters/requests", sb.addr()),
        &[],
    )
    .await
    .json();
    assert_eq!(counters["MpesaStkQuery"], 3);
    assert_eq!(counters["MpesaAuth"], 2);
    assert_eq!(counters["MpesaB2c"], 0);
}
