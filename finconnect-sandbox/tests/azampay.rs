//! AzamPay: shapes against the fixtures, token, checkout, status, public key, disbursement,
//! signed callbacks verified with `rsa` directly.

mod common;

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::{assert_shape, get, post, Receiver, Reply};
use finconnect_sandbox::credentials::{
    AZAMPAY_APP_NAME, AZAMPAY_CLIENT_ID, AZAMPAY_CLIENT_SECRET, AZAMPAY_PUBLIC_KEY_PEM,
};
use finconnect_sandbox::{Outcome, ProviderName, Route, Sandbox, SandboxConfig};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use rsa::RsaPublicKey;
use serde_json::{json, Value};
use sha2::Sha256;

fn creds() -> String {
    json!({"appName": AZAMPAY_APP_NAME, "clientId": AZAMPAY_CLIENT_ID, "clientSecret": AZAMPAY_CLIENT_SECRET})
        .to_string()
}

async fn token(sb: &Sandbox) -> String {
    let a = post(
        &format!(
            "{}/AppRegistration/GenerateToken",
            sb.azampay_auth_base_url()
        ),
        &[],
        &creds(),
    )
    .await;
    assert_eq!(a.status, 200);
    let v = a.json();
    assert_shape(&fixture!("azampay/token_ok.json"), &v);
    let expire = v["data"]["expire"].as_str().expect("expire");
    assert!(expire.ends_with('Z') && expire.len() == 20, "{expire}");
    format!(
        "Bearer {}",
        v["data"]["accessToken"].as_str().expect("token")
    )
}

async fn mno(sb: &Sandbox, bearer: &str, body: &Value) -> common::Answer {
    post(
        &format!("{}/azampay/mno/checkout", sb.azampay_checkout_base_url()),
        &[("authorization", bearer)],
        &body.to_string(),
    )
    .await
}

fn verify(callback: &Value) -> bool {
    let key = RsaPublicKey::from_public_key_pem(AZAMPAY_PUBLIC_KEY_PEM).expect("public key");
    let verifier = VerifyingKey::<Sha256>::new(key);
    let field = |k: &str| callback[k].as_str().unwrap_or("").to_string();
    let message = format!(
        "{}{}{}{}",
        field("utilityref"),
        field("externalreference"),
        field("transactionstatus"),
        field("operator")
    );
    let Some(sig) = callback["signature"].as_str() else {
        return false;
    };
    let Ok(raw) = STANDARD.decode(sig) else {
        return false;
    };
    let Ok(sig) = Signature::try_from(raw.as_slice()) else {
        return false;
    };
    verifier.verify(message.as_bytes(), &sig).is_ok()
}

#[tokio::test]
async fn token_errors_and_expiry() {
    let config = SandboxConfig {
        azampay_token_lifetime: Duration::from_millis(300),
        ..SandboxConfig::default()
    };
    let sb = Sandbox::start(config).await.expect("start");
    let url = format!(
        "{}/AppRegistration/GenerateToken",
        sb.azampay_auth_base_url()
    );
    let wrong = json!({"appName": "x", "clientId": "y", "clientSecret": "z"}).to_string();
    let a = post(&url, &[], &wrong).await;
    assert_eq!(a.status, 423);
    assert_eq!(a.json(), fixture!("azampay/token_invalid_423.json"));
    let a = post(&url, &[], "{}").await;
    assert_eq!(a.status, 400);
    let v = a.json();
    assert_shape(&fixture!("azampay/token_validation_400.json"), &v);
    let a = post(&url, &[], "not json").await;
    assert_eq!(a.status, 400);
    assert_eq!(a.json()["status"], 400);

    let bearer = token(&sb).await;
    let partners = get(
        &format!(
            "{}/api/v1/Partner/GetPaymentPartners",
            sb.azampay_checkout_base_url()
        ),
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(partners.status, 200);
    assert_shape(&fixture!("azampay/partners_ok.json"), &partners.json());
    tokio::time::sleep(Duration::from_millis(400)).await;
    let expired = get(
        &format!(
            "{}/api/v1/Partner/GetPaymentPartners",
            sb.azampay_checkout_base_url()
        ),
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(expired.status, 401);
    let none = post(
        &format!(
            "{}/api/v1/azampay/disburse",
            sb.azampay_disbursement_base_url()
        ),
        &[],
        "{}",
    )
    .await;
    assert_eq!(none.status, 401);
    assert_eq!(none.json(), fixture!("azampay/disbursement_401.json"));
    sb.shutdown().await;
}

#[tokio::test]
async fn checkout_status_and_signed_callback() {
    let receiver = Receiver::start(vec![Reply::Fail], Reply::Ok).await;
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    sb.set_azampay_callback_url(Some(receiver.url("/azampay/callback")));
    let bearer = token(&sb).await;

    let bad = mno(&sb, &bearer, &json!({"accountNumber": "+255 71", "amount": "abc", "currency": "TZS", "externalId": "", "provider": "Vodacom"})).await;
    assert_eq!(bad.status, 400);
    assert_shape(
        &fixture!("azampay/checkout_validation_400.json"),
        &bad.json(),
    );
    let bad = mno(&sb, &bearer, &json!("just a string")).await;
    assert_eq!(bad.status, 400);

    let ok = mno(&sb, &bearer, &fixture!("azampay/mno_checkout_request.json")).await;
    assert_eq!(ok.status, 200);
    let ok = ok.json();
    assert_shape(&fixture!("azampay/mno_checkout_ok.json"), &ok);
    let numeric = mno(
        &sb,
        &bearer,
        &fixture!("azampay/mno_checkout_request_numeric_amount.json"),
    )
    .await
    .json();
    assert_eq!(numeric["success"], true);
    let dup = mno(&sb, &bearer, &fixture!("azampay/mno_checkout_request.json")).await;
    assert_eq!(dup.status, 200);
    assert_eq!(
        dup.json()["success"],
        false,
        "a reused externalId is refused in a 200 body"
    );
    let bank = post(
        &format!("{}/azampay/bank/checkout", sb.azampay_checkout_base_url()),
        &[("authorization", &bearer)],
        &fixture!("azampay/bank_checkout_request.json").to_string(),
    )
    .await;
    assert_shape(
        &fixture!("azampay/bank_checkout_ok_spec_shape.json"),
        &bank.json(),
    );
    assert_eq!(sb.orders(ProviderName::Azampay), 3);

    let tx = ok["transactionId"].as_str().expect("transactionId");
    let status_url = format!(
        "{}/api/v1/partner/gettransactionstatus?transactionId={tx}&provider=Airtel",
        sb.azampay_checkout_base_url()
    );
    let s = get(&status_url, &[("authorization", &bearer)]).await.json();
    assert_shape(
        &fixture!("azampay/unofficial_status_query_data_object.json"),
        &s,
    );
    assert_eq!(s["data"]["transactionstatus"], "pending");

    sb.settle(ProviderName::Azampay, "ORD-123", Outcome::Complete)
        .await
        .expect("settle");
    let s = get(&status_url, &[("authorization", &bearer)]).await.json();
    assert_eq!(s["data"]["transactionstatus"], "success");

    let seen = receiver.seen();
    assert_eq!(seen.len(), 2, "retried after a 500");
    assert_eq!(seen[1].uri, "/azampay/callback");
    let callback: Value = serde_json::from_slice(&seen[1].body).expect("callback json");
    assert_shape(
        &fixture!("azampay/callback_example.json"),
        &json!({
            // `submerchantAcc`/`additionalProperties` may be null or an object; compare the rest.
            "message": "success", "user": "", "password": "", "clientId": "", "transactionstatus": "success",
            "operator": "Airtel", "reference": "r", "externalreference": "r", "utilityref": "u", "amount": "1",
            "transid": "t", "msisdn": "m", "mnoreference": "n", "submerchantAcc": null, "additionalProperties": null,
            "signature": "s"
        }),
    );
    for key in fixture!("azampay/callback_example.json")
        .as_object()
        .expect("object")
        .keys()
    {
        assert!(callback.get(key).is_some(), "callback lacks {key}");
    }
    assert_eq!(callback["utilityref"], "ORD-123");
    assert_eq!(callback["transid"], tx);
    assert_eq!(callback["amount"], "2000");
    assert_eq!(callback["additionalProperties"], json!({"orderId": "123"}));
    assert!(
        verify(&callback),
        "signature verifies with the published public key"
    );
    let mut tampered = callback.clone();
    tampered["transactionstatus"] = json!("failure");
    assert!(!verify(&tampered));
    let d = sb.deliveries();
    assert!(d[0].acked);
    assert_eq!(d[0].attempts, 2);

    // A failed payment is signed too.
    let numeric_tx = numeric["transactionId"].as_str().expect("tx");
    sb.settle(ProviderName::Azampay, numeric_tx, Outcome::Fail)
        .await
        .expect("settle");
    let last: Value = serde_json::from_slice(&receiver.seen()[2].body).expect("json");
    assert_eq!(last["transactionstatus"], "failure");
    assert_eq!(last["amount"], "2000");
    assert!(verify(&last));
    sb.shutdown().await;
}

#[tokio::test]
async fn public_key_endpoint_pem_and_xml() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    let bearer = token(&sb).await;
    let url = format!(
        "{}/azampay/v1/public-key?format=Pem",
        sb.azampay_checkout_base_url()
    );
    let unauth = get(&url, &[]).await;
    assert_eq!(unauth.status, 401);
    let pem = get(&url, &[("authorization", &bearer)]).await.json();
    assert_shape(&fixture!("azampay/public_key_response_testkey.json"), &pem);
    assert_eq!(pem["publicKey"], AZAMPAY_PUBLIC_KEY_PEM);
    assert!(
        AZAMPAY_PUBLIC_KEY_PEM.contains("MIIBIjANBgkqhk"),
        "2048-bit SPKI"
    );
    let xml = get(
        &format!(
            "{}/azampay/v1/public-key?format=Xml",
            sb.azampay_checkout_base_url()
        ),
        &[("authorization", &bearer)],
    )
    .await
    .json();
    assert_shape(
        &fixture!("azampay/public_key_response_testkey_xml.json"),
        &xml,
    );
    let text = xml["publicKey"].as_str().expect("xml");
    assert!(
        text.starts_with("<RSAKeyValue><Modulus>") && text.contains("<Exponent>AQAB</Exponent>")
    );
    assert_eq!(sb.requests(Route::AzampayPublicKey), 3);
    sb.shutdown().await;
}

#[tokio::test]
async fn post_checkout_returns_a_bare_url() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    let mut body = fixture!("azampay/post_checkout_request.json");
    body["appName"] = json!(AZAMPAY_APP_NAME);
    body["clientId"] = json!(AZAMPAY_CLIENT_ID);
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
    let text = String::from_utf8_lossy(&a.body).to_string();
    assert!(text.starts_with("http://127.0.0.1:"), "{text}");
    assert!(
        serde_json::from_slice::<Value>(&a.body).is_err(),
        "not JSON"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn disbursement_name_lookup_status_and_callback() {
    let receiver = Receiver::start(vec![], Reply::Ok).await;
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    sb.set_azampay_callback_url(Some(receiver.url("/disburse-cb")));
    let bearer = token(&sb).await;
    let base = sb.azampay_disbursement_base_url();
    let mut request = fixture!("azampay/disburse_request.json");
    request["transferDetails"]["dateInEpoch"] = json!(std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs());
    let ok = post(
        &format!("{base}/api/v1/azampay/disburse"),
        &[("authorization", &bearer)],
        &request.to_string(),
    )
    .await;
    assert_eq!(ok.status, 200);
    let ok = ok.json();
    assert_shape(&fixture!("azampay/disburse_ok.json"), &ok);
    let dup = post(
        &format!("{base}/api/v1/azampay/disburse"),
        &[("authorization", &bearer)],
        &request.to_string(),
    )
    .await;
    assert_eq!(dup.status, 403);
    assert_eq!(dup.json(), fixture!("azampay/disburse_403_duplicate.json"));
    let mut bad_bank = request.clone();
    bad_bank["destination"]["bankName"] = json!("vodacom");
    bad_bank["externalReferenceId"] = json!("OTHER1");
    let bad = post(
        &format!("{base}/api/v1/azampay/disburse"),
        &[("authorization", &bearer)],
        &bad_bank.to_string(),
    )
    .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.json(),
        fixture!("azampay/disburse_400_invalid_bank.json")
    );

    let lookup = post(
        &format!("{base}/api/v1/azampay/namelookup"),
        &[("authorization", &bearer)],
        &fixture!("azampay/namelookup_request.json").to_string(),
    )
    .await;
    assert_shape(&fixture!("azampay/namelookup_ok.json"), &lookup.json());

    let pg = ok["pgReferenceId"].as_str().expect("pg");
    let st = get(
        &format!("{base}/api/v1/azampay/transactionstatus?pgReferenceId={pg}&bankName=airtel"),
        &[("authorization", &bearer)],
    )
    .await;
    assert_shape(&fixture!("azampay/disbursement_status_ok.json"), &st.json());
    let missing = get(
        &format!("{base}/api/v1/azampay/transactionstatus?pgReferenceId=nope&bankName=airtel"),
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(
        missing.json(),
        fixture!("azampay/disbursement_status_not_found.json")
    );

    sb.settle(ProviderName::Azampay, "PAYOUT123", Outcome::Complete)
        .await
        .expect("settle");
    let seen = receiver.seen();
    let cb: Value = serde_json::from_slice(&seen[0].body).expect("json");
    assert_shape(&fixture!("azampay/disburse_callback.json"), &cb);
    assert_eq!(cb["pgReferenceId"], pg);
    assert_eq!(sb.orders(ProviderName::Azampay), 1);
    sb.shutdown().await;
}
