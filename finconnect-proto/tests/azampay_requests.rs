//! Golden tests: the exact method, URL, headers and body of every AzamPay request.

#![allow(clippy::unwrap_used)] // tests: a panic is a failure

use finconnect_proto::azampay::{
    AmountEncoding, AzampayConfig, BankCheckout, BankProvider, Disburse, DisbursementGeneration,
    DisbursementStatus, GenerateToken, GetPaymentPartners, GetPublicKey, KeyFormat, MnoCheckout,
    MnoProvider, NameLookup, Party, PostCheckout, PublicKeyLocation, TransactionStatus, Wallet,
};
use finconnect_proto::retry::Idempotency;
use finconnect_proto::{
    AccessToken, Currency, Error, HttpsUrl, Money, Operation, Secret, UrlPolicy,
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
        Secret::new("RfNxSk3mPLACEHOLDERclientSecretBase64=="),
    )
    .unwrap()
}

fn with_key() -> AzampayConfig {
    config().with_api_key(Secret::new("cbba010a-api-key"))
}

fn token() -> AccessToken {
    AccessToken::new(
        Secret::new("U2FsdGVkX1-token"),
        SystemTime::UNIX_EPOCH + Duration::from_secs(4_000_000_000),
    )
}

fn header<'a>(r: &'a http::Request<Vec<u8>>, name: &str) -> Option<&'a str> {
    r.headers().get(name).map(|v| v.to_str().unwrap())
}

fn tzs(major: i64) -> Money {
    Money::from_major(major, Currency::TZS).unwrap()
}

#[test]
fn generate_token() {
    let r = GenerateToken.to_request(&with_key(), None).unwrap();
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
    assert!(!GenerateToken.requires_auth());
    assert_eq!(GenerateToken::IDEMPOTENCY, Idempotency::Idempotent);
    // Without an API key, no header at all.
    let r = GenerateToken.to_request(&config(), None).unwrap();
    assert_eq!(header(&r, "x-api-key"), None);
}

#[test]
fn live_hosts() {
    let live = AzampayConfig::live("A", "B", Secret::new("C")).unwrap();
    let r = GenerateToken.to_request(&live, None).unwrap();
    assert_eq!(
        r.uri(),
        "https://authenticator.azampay.co.tz/AppRegistration/GenerateToken"
    );
    let op = MnoCheckout::new("255712345678", tzs(1), "X", MnoProvider::Tigo).unwrap();
    let r = op.to_request(&live, Some(&token())).unwrap();
    assert_eq!(
        r.uri(),
        "https://checkout.azampay.co.tz/azampay/mno/checkout"
    );
    assert!(live
        .with_disbursement_base_url("http://api-disbursement.azampay.co.tz")
        .is_err());
}

#[test]
fn config_refuses_bad_values() {
    assert!(matches!(
        AzampayConfig::sandbox("", "id", Secret::new("s")),
        Err(Error::Config { .. })
    ));
    assert!(AzampayConfig::sandbox("app", " ", Secret::new("s")).is_err());
    assert!(AzampayConfig::sandbox("app", "id", Secret::new("")).is_err());
    assert!(AzampayConfig::custom(
        "a",
        "b",
        Secret::new("c"),
        "https://127.0.0.1/auth",
        "https://x.example",
        "https://y.example",
        UrlPolicy::Public
    )
    .is_err());
    let dbg = format!("{:?}", with_key());
    assert!(!dbg.contains("RfNxSk3m"), "{dbg}");
    assert!(!dbg.contains("cbba010a"), "{dbg}");
}

#[test]
fn local_simulator_urls_keep_their_path() {
    let c = AzampayConfig::custom(
        "DemoApp",
        "id",
        Secret::new("s"),
        "http://127.0.0.1:9000/auth",
        "http://127.0.0.1:9000/checkout/",
        "http://127.0.0.1:9000/disburse",
        UrlPolicy::Local,
    )
    .unwrap();
    let r = GenerateToken.to_request(&c, None).unwrap();
    assert_eq!(
        r.uri(),
        "http://127.0.0.1:9000/auth/AppRegistration/GenerateToken"
    );
    let r = GetPaymentPartners.to_request(&c, Some(&token())).unwrap();
    assert_eq!(
        r.uri(),
        "http://127.0.0.1:9000/checkout/api/v1/Partner/GetPaymentPartners"
    );
}

#[test]
fn mno_checkout_string_amount() {
    let mut props = serde_json::Map::new();
    props.insert("orderId".into(), Value::String("123".into()));
    let op = MnoCheckout::new("0712345678", tzs(2000), "ORD-123", MnoProvider::Airtel)
        .unwrap()
        .with_additional_properties(props)
        .unwrap();
    let r = op.to_request(&with_key(), Some(&token())).unwrap();
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
    let op = MnoCheckout::new("712345678", tzs(2000), "ORD-124", MnoProvider::Mpesa).unwrap();
    let r = op.to_request(&c, Some(&token())).unwrap();
    assert_eq!(body(&r), golden("mno_checkout_request_numeric_amount.json"));
    assert_eq!(header(&r, "x-api-key"), None);
}

#[test]
fn mno_checkout_validation() {
    let ok = |n: &str| MnoCheckout::new(n, tzs(1000), "R", MnoProvider::Halopesa);
    assert!(ok("255712345678").is_ok());
    assert!(ok("0712345678").is_ok());
    assert!(ok("712345678").is_ok());
    assert!(ok("254712345678").is_err(), "Kenyan number");
    assert!(ok("07123").is_err());
    assert!(ok("07123abc45").is_err());
    let amount = |m: Money| MnoCheckout::new("0712345678", m, "R", MnoProvider::Azampesa);
    assert!(amount(tzs(5_000_000)).is_ok());
    assert!(amount(tzs(5_000_001)).is_err());
    assert!(amount(tzs(0)).is_err());
    assert!(
        amount(Money::from_minor(150, Currency::TZS)).is_err(),
        "cents"
    );
    assert!(amount(Money::from_major(10, Currency::KES).unwrap()).is_err());
    let r = |id: &str| MnoCheckout::new("0712345678", tzs(1), id, MnoProvider::Airtel);
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
        BankProvider::Crdb,
        "0150000000000",
        "255712345678",
        tzs(5000),
        Secret::new("123456"),
    )
    .unwrap()
    .with_merchant_name("Demo Shop")
    .unwrap()
    .with_reference("ORD-125")
    .unwrap();
    let dbg = format!("{op:?}");
    assert!(!dbg.contains("\"123456\""), "{dbg}");
    assert!(dbg.contains("REDACTED"), "{dbg}");
    let r = op.to_request(&config(), Some(&token())).unwrap();
    assert_eq!(r.method(), http::Method::POST);
    assert_eq!(
        r.uri(),
        "https://sandbox.azampay.co.tz/azampay/bank/checkout"
    );
    assert_eq!(header(&r, "authorization"), Some("Bearer U2FsdGVkX1-token"));
    assert_eq!(body(&r), golden("bank_checkout_request.json"));
    assert_eq!(BankCheckout::IDEMPOTENCY, Idempotency::NonIdempotent);
    assert_eq!(op.reference().as_deref(), Some("ORD-125"));
    assert!(BankCheckout::new(
        BankProvider::Nmb,
        "1",
        "0712345678",
        tzs(1),
        Secret::new("")
    )
    .is_err());
}

#[test]
fn post_checkout() {
    let p = |u: &str| HttpsUrl::parse(u, UrlPolicy::Public).unwrap();
    let op = PostCheckout::new(
        "e9b57fab-1850-44d4-8499-71fd15c845a0",
        "DemoApp",
        "EXT89772223",
        "https://shop.example",
        p("https://shop.example/ok"),
        p("https://shop.example/fail"),
        tzs(100),
        vec!["Shoes".into()],
    )
    .unwrap();
    let r = op.to_request(&with_key(), None).unwrap();
    assert_eq!(r.method(), http::Method::POST);
    assert_eq!(
        r.uri(),
        "https://sandbox.azampay.co.tz/api/v1/Partner/PostCheckout"
    );
    assert_eq!(header(&r, "authorization"), None);
    assert_eq!(header(&r, "x-api-key"), Some("cbba010a-api-key"));
    assert_eq!(body(&r), golden("post_checkout_request.json"));
    assert!(!op.requires_auth());
    assert_eq!(PostCheckout::IDEMPOTENCY, Idempotency::NonIdempotent);
    assert!(PostCheckout::new(
        "v",
        "n",
        &"x".repeat(31),
        "o",
        p("https://a.example/"),
        p("https://a.example/"),
        tzs(1),
        vec![]
    )
    .is_err());
}

#[test]
fn payment_partners() {
    let r = GetPaymentPartners
        .to_request(&config(), Some(&token()))
        .unwrap();
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
    let r = op.to_request(&with_key(), Some(&token())).unwrap();
    assert_eq!(r.method(), http::Method::GET);
    assert_eq!(
        r.uri(),
        "https://sandbox.azampay.co.tz/api/v1/partner/gettransactionstatus?transactionId=b85e971981844a6f8888b42579655b8f&provider=Mpesa"
    );
    assert_eq!(header(&r, "x-api-key"), Some("cbba010a-api-key"));
    let c = config().with_status_path("/custom/status?v=2").unwrap();
    let r = op.to_request(&c, Some(&token())).unwrap();
    assert_eq!(
        r.uri(),
        "https://sandbox.azampay.co.tz/custom/status?v=2&transactionId=b85e971981844a6f8888b42579655b8f&provider=Mpesa"
    );
    assert!(config().with_status_path("no-slash").is_err());
}

#[test]
fn public_key_locations() {
    let r = GetPublicKey::default()
        .to_request(&with_key(), Some(&token()))
        .unwrap();
    assert_eq!(r.method(), http::Method::GET);
    assert_eq!(
        r.uri(),
        "https://sandbox.azampay.co.tz/azampay/v1/public-key?format=Pem"
    );
    assert_eq!(header(&r, "authorization"), Some("Bearer U2FsdGVkX1-token"));
    assert_eq!(header(&r, "x-api-key"), Some("cbba010a-api-key"));
    let r = GetPublicKey {
        format: KeyFormat::Xml,
    }
    .to_request(&config(), Some(&token()))
    .unwrap();
    assert_eq!(
        r.uri(),
        "https://sandbox.azampay.co.tz/azampay/v1/public-key?format=Xml"
    );
    let c = config().with_public_key_location(PublicKeyLocation::Authenticator);
    let r = GetPublicKey::default()
        .to_request(&c, Some(&token()))
        .unwrap();
    assert_eq!(
        r.uri(),
        "https://authenticator-sandbox.azampay.co.tz/api/Token/PublicKey"
    );
    let c = config().with_public_key_location(PublicKeyLocation::CheckoutPath("/k".into()));
    let r = GetPublicKey::default()
        .to_request(&c, Some(&token()))
        .unwrap();
    assert_eq!(r.uri(), "https://sandbox.azampay.co.tz/k");
}

fn disburse_op() -> Disburse {
    Disburse::new(
        Party::tz("Demo Merchant", Wallet::Tigo, "255650000000").unwrap(),
        Party::tz("John Doe", Wallet::Airtel, "255780000000").unwrap(),
        tzs(5000),
        "PAYOUT123",
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_956_005),
    )
    .unwrap()
    .with_remarks("Refund")
    .with_checksum("<base64 RSA(PKCS#1 v1.5) encryption of SHA-512 digest; see reference>".into())
}

#[test]
fn disburse_current_and_legacy() {
    let op = disburse_op();
    let r = op.to_request(&config(), Some(&token())).unwrap();
    assert_eq!(r.method(), http::Method::POST);
    assert_eq!(
        r.uri(),
        "https://api-disbursement-sandbox.azampay.co.tz/api/v1/azampay/disburse"
    );
    assert_eq!(header(&r, "authorization"), Some("Bearer U2FsdGVkX1-token"));
    // No API key to the disbursement host.
    let r2 = op.to_request(&with_key(), Some(&token())).unwrap();
    assert_eq!(header(&r2, "x-api-key"), None);
    let body: Value = serde_json::from_slice(r.body()).unwrap();
    let want: Value = serde_json::from_slice(&fixture("disburse_request.json")).unwrap();
    assert_eq!(body, want);
    assert_eq!(Disburse::IDEMPOTENCY, Idempotency::NonIdempotent);
    assert_eq!(op.reference().as_deref(), Some("PAYOUT123"));

    let legacy = config().with_disbursement_generation(DisbursementGeneration::Legacy);
    let r = op.to_request(&legacy, Some(&token())).unwrap();
    assert_eq!(
        r.uri(),
        "https://sandbox.azampay.co.tz/azampay/createtransfer"
    );
}

#[test]
fn name_lookup_and_disbursement_status() {
    let op = NameLookup::new("Tigo", "0654000000")
        .unwrap()
        .with_checksum("<base64 RSA(PKCS#1 v1.5) encryption of SHA-512 digest>".into());
    let r = op.to_request(&config(), Some(&token())).unwrap();
    assert_eq!(r.method(), http::Method::POST);
    assert_eq!(
        r.uri(),
        "https://api-disbursement-sandbox.azampay.co.tz/api/v1/azampay/namelookup"
    );
    assert_eq!(body(&r), golden("namelookup_request.json"));
    assert_eq!(NameLookup::IDEMPOTENCY, Idempotency::Idempotent);

    let op = DisbursementStatus::new("b42aeas4hl3d4f58bhfk4007782cb452", "airtel").unwrap();
    let r = op.to_request(&config(), Some(&token())).unwrap();
    assert_eq!(r.method(), http::Method::GET);
    assert_eq!(
        r.uri(),
        "https://api-disbursement-sandbox.azampay.co.tz/api/v1/azampay/transactionstatus?pgReferenceId=b42aeas4hl3d4f58bhfk4007782cb452&bankName=airtel"
    );
    let legacy = config().with_disbursement_generation(DisbursementGeneration::Legacy);
    let r = op.to_request(&legacy, Some(&token())).unwrap();
    assert_eq!(
        r.uri(),
        "https://sandbox.azampay.co.tz/azampay/gettransactionstatus?pgReferenceId=b42aeas4hl3d4f58bhfk4007782cb452&bankName=airtel"
    );
}
