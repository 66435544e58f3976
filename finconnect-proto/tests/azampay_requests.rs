//! Golden tests: the exact method, URL, headers and body of every AzamPay request.

#![allow(clippy::unwrap_used)] // tests: a panic is a failure

use finconnect_proto::azampay::{
    AmountEncoding, AzampayConfig, AzampayEndpoints, BankCheckout, BankProvider, Disburse,
    DisbursementGeneration, DisbursementStatus, GenerateToken, GetPaymentPartners, GetPublicKey,
    KeyFormat, MnoCheckout, MnoProvider, NameLookup, Party, PostCheckout, PublicKeyLocation,
    TransactionStatus, Wallet, LIVE_ENDPOINTS,
};
use finconnect_proto::call::{Call, Step};
use finconnect_proto::retry::Idempotency;
use finconnect_proto::{
    AccessToken, Api, Currency, Error, Host, HttpsUrl, Money, Operation, Parts, Secret, UrlPolicy,
};
use serde_json::Value;
use std::time::{Duration, SystemTime};

const FIX: &str = "tests/fixtures/azampay";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/{FIX}/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A fixture as text, without the trailing newline of the file.
fn golden(name: &str) -> String {
    String::from_utf8(fixture(name))
        .unwrap()
        .trim_end()
        .to_owned()
}

fn body(r: &http::Request<Vec<u8>>) -> &str {
    std::str::from_utf8(r.body()).unwrap()
}

fn config() -> AzampayConfig {
    AzampayConfig::sandbox(
        "DemoApp",
        "7f2cd55d-0000-4000-8000-000000000000",
        "RfNxSk3mPLACEHOLDERclientSecretBase64==",
    )
    .unwrap()
}

fn with_key() -> AzampayConfig {
    config().with_api_key("cbba010a-api-key")
}

fn token() -> AccessToken {
    AccessToken::new(
        Secret::new("U2FsdGVkX1-token"),
        SystemTime::UNIX_EPOCH + Duration::from_secs(4_000_000_000),
    )
}

/// The request as sent: the operation's parts, finished by the configuration.
fn send<O: Operation<Api = AzampayConfig>>(
    op: &O,
    api: &AzampayConfig,
    token: Option<&AccessToken>,
) -> http::Request<Vec<u8>> {
    api.finish(op.request(api).unwrap(), token).unwrap()
}

/// A call of `op` sends its request at once, without asking for a token.
fn assert_sent_without_a_token<O: Operation<Api = AzampayConfig>>(op: O) {
    let api = config();
    let mut call = Call::new(&api, op, None);
    match call.step(SystemTime::UNIX_EPOCH) {
        Step::Send(r) => assert_eq!(header(&r, "authorization"), None),
        _ => panic!("{} asked for a token", O::NAME),
    }
}

fn header<'a>(r: &'a http::Request<Vec<u8>>, name: &str) -> Option<&'a str> {
    r.headers().get(name).map(|v| v.to_str().unwrap())
}

fn tzs(major: i64) -> Money {
    Money::from_major(major, Currency::TZS).unwrap()
}

#[test]
fn generate_token() {
    let r = send(&GenerateToken, &with_key(), None);
    assert_eq!(r.method(), http::Method::POST);
    assert_eq!(
        r.uri(),
        "https://authenticator-sandbox.azampay.co.tz/AppRegistration/GenerateToken"
    );
    assert_eq!(header(&r, "content-type"), Some("application/json"));
    assert_eq!(header(&r, "accept"), Some("application/json"));
    assert_eq!(header(&r, "x-api-key"), Some("cbba010a-api-key"));
    assert!(r.headers().get("x-api-key").unwrap().is_sensitive());
    assert_eq!(header(&r, "authorization"), None);
    assert_eq!(body(&r), golden("token_request.json"));
    assert_sent_without_a_token(GenerateToken);
    assert_eq!(GenerateToken::IDEMPOTENCY, Idempotency::Idempotent);
    // Without an API key, no header at all.
    let r = send(&GenerateToken, &config(), None);
    assert_eq!(header(&r, "x-api-key"), None);
}

#[test]
fn live_hosts() {
    let live = AzampayConfig::live("A", "B", "C").unwrap();
    let r = send(&GenerateToken, &live, None);
    assert_eq!(
        r.uri(),
        "https://authenticator.azampay.co.tz/AppRegistration/GenerateToken"
    );
    let op = MnoCheckout::new("X", tzs(1), "255712345678", MnoProvider::Tigo).unwrap();
    let r = send(&op, &live, Some(&token()));
    assert_eq!(
        r.uri(),
        "https://checkout.azampay.co.tz/azampay/mno/checkout"
    );
    // The production hosts with another disbursement host: still https only.
    let with_host = |disbursement| {
        let endpoints = AzampayEndpoints {
            disbursement,
            ..LIVE_ENDPOINTS
        };
        AzampayConfig::custom("A", "B", "C", endpoints, UrlPolicy::Public)
    };
    assert!(with_host("http://api-disbursement.azampay.co.tz").is_err());
    let r = send(
        &disburse_op(),
        &with_host("https://payouts.example").unwrap(),
        None,
    );
    assert_eq!(r.uri(), "https://payouts.example/api/v1/azampay/disburse");
}

#[test]
fn config_refuses_bad_values() {
    assert!(matches!(
        AzampayConfig::sandbox("", "id", "s"),
        Err(Error::Config { .. })
    ));
    assert!(AzampayConfig::sandbox("app", " ", "s").is_err());
    assert!(AzampayConfig::sandbox("app", "id", Secret::new("")).is_err());
    let endpoints = AzampayEndpoints {
        auth: "https://127.0.0.1/auth",
        checkout: "https://x.example",
        disbursement: "https://y.example",
    };
    assert!(AzampayConfig::custom("a", "b", "c", endpoints, UrlPolicy::Public).is_err());
    let dbg = format!("{:?}", with_key());
    assert!(!dbg.contains("RfNxSk3m"), "{dbg}");
    assert!(!dbg.contains("cbba010a"), "{dbg}");
}

#[test]
fn a_host_azampay_does_not_have_is_refused() {
    let err = config()
        .finish(Parts::get(Host::Api, "/x"), Some(&token()))
        .unwrap_err();
    assert!(matches!(err, Error::Misuse(_)), "{err:?}");
}

#[test]
fn local_simulator_urls_keep_their_path() {
    let endpoints = AzampayEndpoints {
        auth: "http://127.0.0.1:9000/auth",
        checkout: "http://127.0.0.1:9000/checkout/",
        disbursement: "http://127.0.0.1:9000/disburse",
    };
    let c = AzampayConfig::custom("DemoApp", "id", "s", endpoints, UrlPolicy::Local).unwrap();
    let r = send(&GenerateToken, &c, None);
    assert_eq!(
        r.uri(),
        "http://127.0.0.1:9000/auth/AppRegistration/GenerateToken"
    );
    let r = send(&GetPaymentPartners, &c, Some(&token()));
    assert_eq!(
        r.uri(),
        "http://127.0.0.1:9000/checkout/api/v1/Partner/GetPaymentPartners"
    );
}

#[test]
fn mno_checkout_string_amount() {
    let mut props = serde_json::Map::new();
    props.insert("orderId".into(), Value::String("123".into()));
    let op = MnoCheckout::new("ORD-123", tzs(2000), "0712345678", MnoProvider::Airtel)
        .unwrap()
        .with_additional_properties(props)
        .unwrap();
    let r = send(&op, &with_key(), Some(&token()));
    assert_eq!(r.method(), http::Method::POST);
    assert_eq!(
        r.uri(),
        "https://sandbox.azampay.co.tz/azampay/mno/checkout"
    );
    assert_eq!(header(&r, "authorization"), Some("Bearer U2FsdGVkX1-token"));
    assert!(r.headers().get("authorization").unwrap().is_sensitive());
    assert_eq!(header(&r, "x-api-key"), Some("cbba010a-api-key"));
    assert_eq!(header(&r, "content-type"), Some("application/json"));
    assert_eq!(body(&r), golden("mno_checkout_request.json"));
    assert_eq!(MnoCheckout::IDEMPOTENCY, Idempotency::NonIdempotent);
    assert_eq!(op.reference().as_deref(), Some("ORD-123"));
}

#[test]
fn mno_checkout_numeric_amount() {
    let c = config().with_amount_encoding(AmountEncoding::Number);
    let op = MnoCheckout::new("ORD-124", tzs(2000), "712345678", MnoProvider::Mpesa).unwrap();
    let r = send(&op, &c, Some(&token()));
    assert_eq!(body(&r), golden("mno_checkout_request_numeric_amount.json"));
    assert_eq!(header(&r, "x-api-key"), None);
}

#[test]
fn mno_checkout_validation() {
    let ok = |n: &str| MnoCheckout::new("R", tzs(1000), n, MnoProvider::Halopesa);
    assert!(ok("255712345678").is_ok());
    assert!(ok("0712345678").is_ok());
    assert!(ok("712345678").is_ok());
    assert!(ok("254712345678").is_err(), "Kenyan number");
    assert!(ok("07123").is_err());
    assert!(ok("07123abc45").is_err());
    let amount = |m: Money| MnoCheckout::new("R", m, "0712345678", MnoProvider::Azampesa);
    assert!(amount(tzs(5_000_000)).is_ok());
    assert!(amount(tzs(5_000_001)).is_err());
    assert!(amount(tzs(0)).is_err());
    assert!(
        amount(Money::from_minor(150, Currency::TZS)).is_err(),
        "cents"
    );
    assert!(amount(Money::from_major(10, Currency::KES).unwrap()).is_err());
    let r = |id: &str| MnoCheckout::new(id, tzs(1), "0712345678", MnoProvider::Airtel);
    assert!(r(&"x".repeat(128)).is_ok());
    assert!(r(&"x".repeat(129)).is_err());
    assert!(r("").is_err());
    let mut big = serde_json::Map::new();
    big.insert("k".into(), Value::String("v".repeat(4100)));
    assert!(r("R").unwrap().with_additional_properties(big).is_err());
    assert_eq!(MnoProvider::from_name("vodacom"), Some(MnoProvider::Mpesa));
    assert_eq!(MnoProvider::from_name("Tigopesa"), Some(MnoProvider::Tigo));
    assert_eq!(
        MnoProvider::from_name("HaloPesa"),
        Some(MnoProvider::Halopesa)
    );
}

#[test]
fn bank_checkout() {
    let op = BankCheckout::new(
        tzs(5000),
        "0150000000000",
        "255712345678",
        BankProvider::Crdb,
        "123456",
    )
    .unwrap()
    .with_merchant_name("Demo Shop")
    .unwrap()
    .with_reference("ORD-125")
    .unwrap();
    let dbg = format!("{op:?}");
    assert!(!dbg.contains("\"123456\""), "{dbg}");
    assert!(dbg.contains("REDACTED"), "{dbg}");
    let r = send(&op, &config(), Some(&token()));
    assert_eq!(r.method(), http::Method::POST);
    assert_eq!(
        r.uri(),
        "https://sandbox.azampay.co.tz/azampay/bank/checkout"
    );
    assert_eq!(header(&r, "authorization"), Some("Bearer U2FsdGVkX1-token"));
    assert_eq!(body(&r), golden("bank_checkout_request.json"));
    assert_eq!(BankCheckout::IDEMPOTENCY, Idempotency::NonIdempotent);
    assert_eq!(op.reference().as_deref(), Some("ORD-125"));
    assert!(BankCheckout::new(tzs(1), "1", "0712345678", BankProvider::Nmb, "").is_err());
}

#[test]
fn post_checkout() {
    let p = |u: &str| HttpsUrl::parse(u, UrlPolicy::Public).unwrap();
    let op = PostCheckout::new(
        "EXT89772223",
        tzs(100),
        "e9b57fab-1850-44d4-8499-71fd15c845a0",
        "DemoApp",
        "https://shop.example",
        p("https://shop.example/ok"),
        p("https://shop.example/fail"),
        vec!["Shoes".into()],
    )
    .unwrap();
    let r = send(&op, &with_key(), None);
    assert_eq!(r.method(), http::Method::POST);
    assert_eq!(
        r.uri(),
        "https://sandbox.azampay.co.tz/api/v1/Partner/PostCheckout"
    );
    assert_eq!(header(&r, "authorization"), None);
    assert_eq!(header(&r, "x-api-key"), Some("cbba010a-api-key"));
    assert_eq!(body(&r), golden("post_checkout_request.json"));
    assert_sent_without_a_token(op.clone());
    assert_eq!(PostCheckout::IDEMPOTENCY, Idempotency::NonIdempotent);
    assert!(PostCheckout::new(
        &"x".repeat(31),
        tzs(1),
        "v",
        "n",
        "o",
        p("https://a.example/"),
        p("https://a.example/"),
        vec![]
    )
    .is_err());
}

#[test]
fn payment_partners() {
    let r = send(&GetPaymentPartners, &config(), Some(&token()));
    assert_eq!(r.method(), http::Method::GET);
    assert_eq!(
        r.uri(),
        "https://sandbox.azampay.co.tz/api/v1/Partner/GetPaymentPartners"
    );
    assert_eq!(header(&r, "authorization"), Some("Bearer U2FsdGVkX1-token"));
    assert_eq!(header(&r, "content-type"), None);
    assert!(r.body().is_empty());
}

#[test]
fn unofficial_status_query() {
    let op =
        TransactionStatus::new("b85e971981844a6f8888b42579655b8f", MnoProvider::Mpesa).unwrap();
    let r = send(&op, &with_key(), Some(&token()));
    assert_eq!(r.method(), http::Method::GET);
    assert_eq!(
        r.uri(),
        "https://sandbox.azampay.co.tz/api/v1/partner/gettransactionstatus?transactionId=b85e971981844a6f8888b42579655b8f&provider=Mpesa"
    );
    assert_eq!(header(&r, "x-api-key"), Some("cbba010a-api-key"));
    let c = config().with_status_path("/custom/status?v=2").unwrap();
    let r = send(&op, &c, Some(&token()));
    assert_eq!(
        r.uri(),
        "https://sandbox.azampay.co.tz/custom/status?v=2&transactionId=b85e971981844a6f8888b42579655b8f&provider=Mpesa"
    );
    assert!(config().with_status_path("no-slash").is_err());
}

#[test]
fn public_key_locations() {
    let r = send(&GetPublicKey::default(), &with_key(), Some(&token()));
    assert_eq!(r.method(), http::Method::GET);
    assert_eq!(
        r.uri(),
        "https://sandbox.azampay.co.tz/azampay/v1/public-key?format=Pem"
    );
    assert_eq!(header(&r, "authorization"), Some("Bearer U2FsdGVkX1-token"));
    assert_eq!(header(&r, "x-api-key"), Some("cbba010a-api-key"));
    let xml = GetPublicKey {
        format: KeyFormat::Xml,
    };
    let r = send(&xml, &config(), Some(&token()));
    assert_eq!(
        r.uri(),
        "https://sandbox.azampay.co.tz/azampay/v1/public-key?format=Xml"
    );
    let c = config().with_public_key_location(PublicKeyLocation::Authenticator);
    let r = send(&GetPublicKey::default(), &c, Some(&token()));
    assert_eq!(
        r.uri(),
        "https://authenticator-sandbox.azampay.co.tz/api/Token/PublicKey"
    );
    let c = config().with_public_key_location(PublicKeyLocation::CheckoutPath("/k".into()));
    let r = send(&GetPublicKey::default(), &c, Some(&token()));
    assert_eq!(r.uri(), "https://sandbox.azampay.co.tz/k");
}

fn disburse_op() -> Disburse {
    Disburse::new(
        "PAYOUT123",
        tzs(5000),
        Party::tz("Demo Merchant", "255650000000", Wallet::Tigo).unwrap(),
        Party::tz("John Doe", "255780000000", Wallet::Airtel).unwrap(),
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_956_005),
    )
    .unwrap()
    .with_remarks("Refund")
    .with_checksum("<base64 RSA(PKCS#1 v1.5) encryption of SHA-512 digest; see reference>".into())
}

#[test]
fn disburse_current_and_legacy() {
    let op = disburse_op();
    let r = send(&op, &config(), Some(&token()));
    assert_eq!(r.method(), http::Method::POST);
    assert_eq!(
        r.uri(),
        "https://api-disbursement-sandbox.azampay.co.tz/api/v1/azampay/disburse"
    );
    assert_eq!(header(&r, "authorization"), Some("Bearer U2FsdGVkX1-token"));
    // No API key to the disbursement host.
    let r2 = send(&op, &with_key(), Some(&token()));
    assert_eq!(header(&r2, "x-api-key"), None);
    let body: Value = serde_json::from_slice(r.body()).unwrap();
    let want: Value = serde_json::from_slice(&fixture("disburse_request.json")).unwrap();
    assert_eq!(body, want);
    assert_eq!(Disburse::IDEMPOTENCY, Idempotency::NonIdempotent);
    assert_eq!(op.reference().as_deref(), Some("PAYOUT123"));

    let legacy = config().with_disbursement_generation(DisbursementGeneration::Legacy);
    let r = send(&op, &legacy, Some(&token()));
    assert_eq!(
        r.uri(),
        "https://sandbox.azampay.co.tz/azampay/createtransfer"
    );
}

#[test]
fn name_lookup_and_disbursement_status() {
    let op = NameLookup::new("0654000000", "Tigo")
        .unwrap()
        .with_checksum("<base64 RSA(PKCS#1 v1.5) encryption of SHA-512 digest>".into());
    let r = send(&op, &config(), Some(&token()));
    assert_eq!(r.method(), http::Method::POST);
    assert_eq!(
        r.uri(),
        "https://api-disbursement-sandbox.azampay.co.tz/api/v1/azampay/namelookup"
    );
    assert_eq!(body(&r), golden("namelookup_request.json"));
    assert_eq!(NameLookup::IDEMPOTENCY, Idempotency::Idempotent);

    let op = DisbursementStatus::new("b42aeas4hl3d4f58bhfk4007782cb452", "airtel").unwrap();
    let r = send(&op, &config(), Some(&token()));
    assert_eq!(r.method(), http::Method::GET);
    assert_eq!(
        r.uri(),
        "https://api-disbursement-sandbox.azampay.co.tz/api/v1/azampay/transactionstatus?pgReferenceId=b42aeas4hl3d4f58bhfk4007782cb452&bankName=airtel"
    );
    let legacy = config().with_disbursement_generation(DisbursementGeneration::Legacy);
    let r = send(&op, &legacy, Some(&token()));
    assert_eq!(
        r.uri(),
        "https://sandbox.azampay.co.tz/azampay/gettransactionstatus?pgReferenceId=b42aeas4hl3d4f58bhfk4007782cb452&bankName=airtel"
    );
}
