//! M-Pesa (Daraja) requests: the configuration, what each operation writes
//! (against the documented request fixtures), what is refused before sending,
//! and the SecurityCredential.
#![allow(clippy::unwrap_used)]

use finconnect_proto::mpesa::*;
use finconnect_proto::{Api, Currency, Error, Money, Operation, UrlPolicy};
use rand::SeedableRng;
use rsa::pkcs8::DecodePrivateKey;
use serde_json::Value;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const CERT: &str = include_str!("fixtures/mpesa/test-initiator-cert.pem");
const PUBLIC_KEY: &str = include_str!("fixtures/mpesa/test-initiator-pub.pem");
const PRIVATE_KEY: &str = include_str!("fixtures/mpesa/test-initiator-key.pem");

macro_rules! fixture_json {
    ($name:literal) => {
        serde_json::from_slice::<Value>(include_bytes!(concat!("fixtures/mpesa/", $name))).unwrap()
    };
}

fn kes(shillings: i64) -> Money {
    Money::from_minor(shillings * 100, Currency::KES)
}

/// 2021-06-28T06:24:08Z = 20210628092408 in Nairobi.
fn docs_now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_624_861_448)
}

fn express_config() -> MpesaConfig {
    MpesaConfig::sandbox("consumer-key", "consumer-secret")
        .unwrap()
        .with_express(Shortcode::new("174379").unwrap(), "0".repeat(64))
        .unwrap()
}

fn initiator(shortcode: &str, name: &str) -> Initiator {
    Initiator::new(
        Shortcode::new(shortcode).unwrap(),
        name,
        "initiator-pa55",
        CERT,
    )
    .unwrap()
}

fn local_config(shortcode: &str, name: &str) -> MpesaConfig {
    MpesaConfig::custom("k", "s", "http://127.0.0.1:9999", UrlPolicy::Local)
        .unwrap()
        .with_initiator(initiator(shortcode, name))
}

fn credential() -> SecurityCredential {
    SecurityCredential::precomputed("SECURITY_CREDENTIAL_PLACEHOLDER==").unwrap()
}

fn body_of<O: Operation<Api = MpesaConfig>>(op: &O, api: &MpesaConfig) -> Value {
    let request = api
        .finish(op.request(api).unwrap(), Some(&token()))
        .unwrap();
    serde_json::from_slice(request.body()).unwrap()
}

fn token() -> finconnect_proto::AccessToken {
    finconnect_proto::AccessToken::new(
        finconnect_proto::Secret::new("t0k3n"),
        UNIX_EPOCH + Duration::from_secs(u64::from(u32::MAX)),
    )
}

fn push(amount: Money, reference: &str, desc: &str) -> Result<StkPush, Error> {
    StkPush::new(
        StkKind::PayBill,
        amount,
        KenyanMsisdn::parse("0708374149")?,
        "https://mydomain.com/path",
        reference,
        desc,
        docs_now(),
    )
}

// ---- configuration ----

#[test]
fn debug_redacts_every_secret() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let api = MpesaConfig::live("the-consumer-key", "the-consumer-secret")
        .unwrap()
        .with_express(Shortcode::new("174379").unwrap(), "the-passkey")
        .unwrap()
        .with_initiator(
            Initiator::new(
                Shortcode::new("600992").unwrap(),
                "testapi",
                "the-initiator-password",
                CERT,
            )
            .unwrap(),
        );
    let credential = api.security_credential(&mut rng).unwrap();
    let shown = format!("{api:?} {credential:?} {:?}", api.initiator());
    for secret in [
        "the-consumer-key",
        "the-consumer-secret",
        "the-passkey",
        "the-initiator-password",
        credential.expose(),
    ] {
        assert!(!shown.contains(secret), "{secret} shown in {shown}");
    }
    assert!(shown.contains("REDACTED"));
    // An STK push's Debug carries no password either.
    let op = push(kes(1), "ref", "desc").unwrap();
    let request = express_config()
        .finish(op.request(&express_config()).unwrap(), Some(&token()))
        .unwrap();
    assert!(!format!("{op:?} {request:?}").contains("MTc0Mzc5"));
}

#[test]
fn environments_and_base_urls() {
    let sandbox = MpesaConfig::sandbox("k", "s").unwrap();
    assert_eq!(sandbox.environment(), Environment::Sandbox);
    assert_eq!(
        sandbox.url("/oauth/v1/generate"),
        "https://sandbox.safaricom.co.ke/oauth/v1/generate"
    );
    let live = MpesaConfig::live("k", "s").unwrap();
    assert_eq!(live.environment(), Environment::Production);
    assert_eq!(live.url("/x"), "https://api.safaricom.co.ke/x");
    assert!(MpesaConfig::sandbox(" ", "s").is_err());
    assert!(MpesaConfig::sandbox("k", "").is_err());
    assert!(
        MpesaConfig::custom("k", "s", "http://api.safaricom.co.ke", UrlPolicy::Public).is_err()
    );
    assert!(MpesaConfig::custom("k", "s", "http://127.0.0.1:1", UrlPolicy::Local).is_ok());
    assert!(sandbox
        .clone()
        .with_express(Shortcode::new("174379").unwrap(), "")
        .is_err());
}

#[test]
fn oauth_request_is_a_get_with_basic_auth() {
    let api = MpesaConfig::sandbox("key", "secret").unwrap();
    let request = api
        .finish(GenerateToken.request(&api).unwrap(), None)
        .unwrap();
    assert_eq!(request.method(), http::Method::GET);
    assert_eq!(
        request.uri().to_string(),
        "https://sandbox.safaricom.co.ke/oauth/v1/generate?grant_type=client_credentials"
    );
    let auth = request.headers().get(http::header::AUTHORIZATION).unwrap();
    assert!(auth.is_sensitive());
    assert_eq!(auth.to_str().unwrap(), "Basic a2V5OnNlY3JldA=="); // key:secret
    assert!(request.body().is_empty());
    const { assert!(!GenerateToken::REQUIRES_AUTH) };
}

#[test]
fn posts_carry_json_and_the_bearer() {
    let api = express_config();
    let op = push(kes(1), "accountref", "txndesc").unwrap();
    let request = api
        .finish(op.request(&api).unwrap(), Some(&token()))
        .unwrap();
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(
        request.uri().to_string(),
        "https://sandbox.safaricom.co.ke/mpesa/stkpush/v1/processrequest"
    );
    assert_eq!(
        request.headers()[http::header::CONTENT_TYPE],
        "application/json"
    );
    assert_eq!(
        request.headers()[http::header::AUTHORIZATION],
        "Bearer t0k3n"
    );
}

// ---- STK ----

#[test]
fn stk_push_writes_the_documented_body() {
    let body = body_of(
        &push(kes(1), "accountref", "txndesc").unwrap(),
        &express_config(),
    );
    assert_eq!(body, fixture_json!("stk_push_request.json"));
}

#[test]
fn stk_query_writes_the_documented_body() {
    // 2016-02-16T13:56:27Z = 20160216165627 in Nairobi.
    let now = UNIX_EPOCH + Duration::from_secs(1_455_630_987);
    let op = StkQuery::new(
        CheckoutRequestId::new("ws_CO_260520211133524545").unwrap(),
        now,
    );
    assert_eq!(
        body_of(&op, &express_config()),
        fixture_json!("stk_query_request.json")
    );
    assert_eq!(
        StkQuery::IDEMPOTENCY,
        finconnect_proto::Idempotency::Idempotent
    );
}

#[test]
fn stk_push_is_not_idempotent_and_quotes_the_account_reference() {
    assert_eq!(
        StkPush::IDEMPOTENCY,
        finconnect_proto::Idempotency::NonIdempotent
    );
    let op = push(kes(1), "INV-42", "desc").unwrap();
    assert_eq!(op.reference().as_deref(), Some("INV-42"));
}

#[test]
fn stk_buy_goods_pays_the_till() {
    let op = StkPush::new(
        StkKind::BuyGoods {
            till: Shortcode::new("5123456").unwrap(),
        },
        kes(10),
        KenyanMsisdn::parse("254110345678").unwrap(),
        "https://shop.example/cb/abc",
        "A1",
        "B",
        docs_now(),
    )
    .unwrap();
    let body = body_of(&op, &express_config());
    assert_eq!(body["TransactionType"], "CustomerBuyGoodsOnline");
    assert_eq!(body["PartyB"], "5123456");
    assert_eq!(body["BusinessShortCode"], 174379);
    assert_eq!(body["Amount"], "10");
}

#[test]
fn stk_amount_with_cents_is_refused_not_rounded() {
    let e = push(Money::from_minor(150, Currency::KES), "r", "d").unwrap_err();
    assert!(
        matches!(&e, Error::Invalid { field, .. } if field == "amount"),
        "{e:?}"
    );
    assert!(e.to_string().contains("cents"), "{e}");
    assert!(push(kes(0), "r", "d").is_err());
    assert!(push(kes(250_001), "r", "d").is_err());
    assert!(push(kes(250_000), "r", "d").is_ok());
    assert!(push(Money::from_minor(100, Currency::TZS), "r", "d").is_err());
}

#[test]
fn stk_reference_and_description_limits_are_in_the_error() {
    let e = push(kes(1), "thirteen-char", "d").unwrap_err();
    assert!(
        matches!(&e, Error::Invalid { field, reason } if field == "AccountReference" && reason.contains("12")),
        "{e:?}"
    );
    assert!(push(kes(1), "twelve-chars", "d").is_ok());
    let e = push(kes(1), "r", "fourteen-chars").unwrap_err();
    assert!(
        matches!(&e, Error::Invalid { field, reason } if field == "TransactionDesc" && reason.contains("13")),
        "{e:?}"
    );
    assert!(push(kes(1), "r", "thirteen-char").is_ok());
    assert!(push(kes(1), "", "d").is_err());
    assert!(push(kes(1), "r", " ").is_err());
}

#[test]
fn stk_phone_numbers_are_kenyan_mobiles() {
    for good in [
        "254708374149",
        "0708374149",
        "+254 708 374 149",
        "708374149",
        "0110345678",
    ] {
        assert!(KenyanMsisdn::parse(good).is_ok(), "{good}");
    }
    for bad in [
        "255712345678",
        "254812345678",
        "2547083741",
        "07083741490",
        "abc",
    ] {
        assert!(KenyanMsisdn::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn stk_callback_url_is_checked() {
    let bad = StkPush::new(
        StkKind::PayBill,
        kes(1),
        KenyanMsisdn::parse("0708374149").unwrap(),
        "https://shop.example/cb path",
        "r",
        "d",
        docs_now(),
    );
    assert!(bad.is_err());
    let local = StkPush::new(
        StkKind::PayBill,
        kes(1),
        KenyanMsisdn::parse("0708374149").unwrap(),
        "http://127.0.0.1/cb",
        "r",
        "d",
        docs_now(),
    )
    .unwrap();
    // The real Daraja cannot reach a local URL: refused when written.
    assert!(local.request(&express_config()).is_err());
}

#[test]
fn stk_operations_need_the_express_credentials() {
    let api = MpesaConfig::sandbox("k", "s").unwrap();
    let e = push(kes(1), "r", "d").unwrap().request(&api).unwrap_err();
    assert!(matches!(e, Error::Config { .. }), "{e:?}");
}

// ---- C2B ----

#[test]
fn c2b_register_writes_the_documented_body() {
    let op = RegisterUrls::new(
        Shortcode::new("600984").unwrap(),
        ResponseType::Completed,
        "https://merchant.example/c2b/confirmation",
        "https://merchant.example/c2b/validation",
    )
    .unwrap();
    assert_eq!(
        body_of(&op, &MpesaConfig::sandbox("k", "s").unwrap()),
        fixture_json!("c2b_register_request.json")
    );
    let cancelled = RegisterUrls::new(
        Shortcode::new("600984").unwrap(),
        ResponseType::Cancelled,
        "https://merchant.example/c",
        "https://merchant.example/v",
    )
    .unwrap();
    let body = body_of(&cancelled, &MpesaConfig::sandbox("k", "s").unwrap());
    assert_eq!(body["ResponseType"], "Cancelled");
}

#[test]
fn c2b_urls_with_forbidden_words_are_refused() {
    for url in [
        "https://shop.example/mpesa/confirm",
        "https://shop.example/M-PESA",
        "https://safaricom-hooks.example/c",
        "https://shop.example/c?query=1",
        "https://shop.example/run.exe",
    ] {
        let e = RegisterUrls::new(
            Shortcode::new("600984").unwrap(),
            ResponseType::Completed,
            url,
            "https://shop.example/v",
        )
        .unwrap_err();
        assert!(matches!(e, Error::Invalid { .. }), "{url}");
    }
}

#[test]
fn c2b_simulate_writes_the_documented_body_and_only_in_the_sandbox() {
    let op = C2bSimulate::new(
        Shortcode::new("600984").unwrap(),
        C2bCommand::PayBill,
        kes(1),
        KenyanMsisdn::parse("254708374149").unwrap(),
        Some("Test Ref"),
    )
    .unwrap();
    assert_eq!(
        body_of(&op, &MpesaConfig::sandbox("k", "s").unwrap()),
        fixture_json!("c2b_simulate_request.json")
    );
    let e = op
        .request(&MpesaConfig::live("k", "s").unwrap())
        .unwrap_err();
    assert!(matches!(e, Error::Unsupported { .. }), "{e:?}");
}

// ---- disbursements ----

#[test]
fn b2c_writes_the_documented_body() {
    let api = MpesaConfig::sandbox("k", "s")
        .unwrap()
        .with_initiator(initiator("600992", "testapi"));
    let op = B2cPayment::new(
        OriginatorConversationId::new("600997_Test_32et3241ed8yu").unwrap(),
        kes(10),
        KenyanMsisdn::parse("254708374149").unwrap(),
        Remarks::new("remarked").unwrap(),
        ResultUrls::new("https://mydomain.com/path", "https://mydomain.com/path").unwrap(),
        SecurityCredential::precomputed("RC6E9WDxXR4b9X2c6z3gp0oC5Th ==").unwrap(),
    )
    .unwrap()
    .occasion("ChristmasPay")
    .unwrap();
    assert_eq!(body_of(&op, &api), fixture_json!("b2c_request.json"));
    assert_eq!(op.reference().as_deref(), Some("600997_Test_32et3241ed8yu"));
    assert_eq!(
        B2cPayment::IDEMPOTENCY,
        finconnect_proto::Idempotency::NonIdempotent
    );
}

#[test]
fn b2c_amount_limits_and_cents() {
    let make = |amount| {
        B2cPayment::new(
            OriginatorConversationId::new("id-1").unwrap(),
            amount,
            KenyanMsisdn::parse("254708374149").unwrap(),
            Remarks::new("ok").unwrap(),
            ResultUrls::new("https://a.example/r", "https://a.example/t").unwrap(),
            credential(),
        )
    };
    assert!(make(kes(9)).is_err());
    assert!(make(Money::from_minor(1050, Currency::KES)).is_err());
    assert!(make(kes(10)).is_ok());
    assert!(OriginatorConversationId::new("has space").is_err());
    assert!(Remarks::new("x").is_err());
}

#[test]
fn transaction_status_writes_the_documented_body() {
    let api = local_config("600782", "testapiuser");
    let op = TransactionStatusQuery::new(
        TransactionKey::Receipt("NEF61H8J60".into()),
        Remarks::new("OK").unwrap(),
        ResultUrls::new(
            "http://myservice:8080/transactionstatus/result",
            "http://myservice:8080/timeout",
        )
        .unwrap(),
        credential(),
    )
    .unwrap()
    .occasion("OK")
    .unwrap();
    let mut expected = fixture_json!("transaction_status_request.json");
    // By receipt, no conversation id is sent.
    expected
        .as_object_mut()
        .unwrap()
        .remove("OriginalConversationID");
    assert_eq!(body_of(&op, &api), expected);
}

#[test]
fn transaction_status_by_conversation_id_sends_both_names() {
    let api = local_config("600782", "testapiuser");
    let op = TransactionStatusQuery::new(
        TransactionKey::OriginatorConversationId("7071-4170-a0e5-8345632bad442144258".into()),
        Remarks::new("OK").unwrap(),
        ResultUrls::new("http://myservice:8080/r", "http://myservice:8080/t").unwrap(),
        credential(),
    )
    .unwrap()
    .party("254708374149", IdentifierType::Msisdn)
    .unwrap();
    let body = body_of(&op, &api);
    assert_eq!(
        body["OriginalConversationID"],
        "7071-4170-a0e5-8345632bad442144258"
    );
    assert_eq!(
        body["OriginatorConversationID"],
        "7071-4170-a0e5-8345632bad442144258"
    );
    assert!(body.get("TransactionID").is_none());
    assert_eq!(body["PartyA"], "254708374149");
    assert_eq!(body["IdentifierType"], "1");
    assert!(body.get("Command ID").is_none() && body["CommandID"] == "TransactionStatusQuery");
}

#[test]
fn account_balance_writes_the_documented_body() {
    let api = local_config("600000", "testapiuser");
    let op = AccountBalanceQuery::new(
        Remarks::new("ok").unwrap(),
        ResultUrls::new(
            "http://myservice:8080/result",
            "http://myservice:8080/queuetimeouturl",
        )
        .unwrap(),
        credential(),
    );
    assert_eq!(
        body_of(&op, &api),
        fixture_json!("account_balance_request.json")
    );
}

#[test]
fn reversal_writes_the_documented_body() {
    let api = MpesaConfig::sandbox("k", "s")
        .unwrap()
        .with_initiator(initiator("603021", "apiop37"));
    let op = Reversal::new(
        "PDU91HIVIT",
        kes(200),
        Remarks::new("Payment reversal").unwrap(),
        ResultUrls::new(
            "https://mydomain.com/reversal/result",
            "https://mydomain.com/reversal/queue",
        )
        .unwrap(),
        credential(),
    )
    .unwrap();
    assert_eq!(body_of(&op, &api), fixture_json!("reversal_request.json"));
    assert_eq!(
        Reversal::IDEMPOTENCY,
        finconnect_proto::Idempotency::NonIdempotent
    );
}

#[test]
fn disbursements_need_an_initiator() {
    let api = MpesaConfig::sandbox("k", "s").unwrap();
    let op = AccountBalanceQuery::new(
        Remarks::new("ok").unwrap(),
        ResultUrls::new("https://a.example/r", "https://a.example/t").unwrap(),
        credential(),
    );
    assert!(matches!(
        op.request(&api).unwrap_err(),
        Error::Config { .. }
    ));
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    assert!(api.security_credential(&mut rng).is_err());
}

// ---- SecurityCredential ----

fn decrypt(credential: &SecurityCredential) -> String {
    use base64::Engine as _;
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(PRIVATE_KEY).unwrap();
    let sealed = base64::engine::general_purpose::STANDARD
        .decode(credential.expose())
        .unwrap();
    String::from_utf8(key.decrypt(rsa::Pkcs1v15Encrypt, &sealed).unwrap()).unwrap()
}

#[test]
fn security_credential_is_pkcs1_v15_of_the_raw_password() {
    let api = MpesaConfig::sandbox("k", "s")
        .unwrap()
        .with_initiator(initiator("600992", "testapi"));
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let credential = api.security_credential(&mut rng).unwrap();
    assert_eq!(
        credential.expose().len(),
        344,
        "2048-bit key, standard base64"
    );
    assert_eq!(decrypt(&credential), "initiator-pa55");
}

#[test]
fn security_credential_randomness_is_the_callers() {
    let init = initiator("600992", "testapi");
    let a = init
        .security_credential(&mut rand::rngs::StdRng::seed_from_u64(9))
        .unwrap();
    let b = init
        .security_credential(&mut rand::rngs::StdRng::seed_from_u64(9))
        .unwrap();
    let c = init
        .security_credential(&mut rand::rngs::StdRng::seed_from_u64(10))
        .unwrap();
    assert_eq!(a, b, "the same seed gives the same padding");
    assert_ne!(a, c, "another seed gives another valid credential");
    assert_eq!(decrypt(&c), "initiator-pa55");
}

#[test]
fn certificate_or_public_key_pem_both_work() {
    let from_cert = SafaricomCertificate::from_pem(CERT).unwrap();
    let from_key = SafaricomCertificate::from_pem(PUBLIC_KEY).unwrap();
    assert_eq!(from_cert, from_key);
    assert_eq!(from_cert.key_bits(), 2048);
    assert_eq!(format!("{from_cert:?}"), "SafaricomCertificate(RSA-2048)");
    for bad in [
        "",
        "not a pem",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
    ] {
        assert!(matches!(
            SafaricomCertificate::from_pem(bad).unwrap_err(),
            Error::Config { .. }
        ));
    }
    assert!(Initiator::new(Shortcode::new("1").unwrap(), "n", "", CERT).is_err());
    assert!(Initiator::new(Shortcode::new("1").unwrap(), " ", "p", CERT).is_err());
}
