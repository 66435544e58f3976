//! Every ClickPesa response fixture parsed with its values asserted, and every
//! documented error mapped.
#![allow(clippy::unwrap_used)]

use finconnect_proto::call::{drive_blocking, Call};
use finconnect_proto::clickpesa::*;
use finconnect_proto::{
    AccessToken, Currency, Error, Expiry, Money, Msisdn, Operation, PaymentStatus, Secret,
};
use std::time::{Duration, SystemTime};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("fixtures/clickpesa/", $name)).to_vec()
    };
}

fn resp(status: u16, body: Vec<u8>) -> http::Response<Vec<u8>> {
    http::Response::builder().status(status).body(body).unwrap()
}

fn oref(s: &str) -> OrderReference {
    OrderReference::new(s).unwrap()
}

fn tzs(major: i64) -> Money {
    Money::from_major(major, Currency::TZS).unwrap()
}

fn phone() -> Msisdn {
    Msisdn::parse("255712345678", "255").unwrap()
}

fn push() -> InitiateUssdPush {
    InitiateUssdPush::new(tzs(1000), oref("ORDER123"), phone()).unwrap()
}

#[test]
fn token_ok_is_kept_verbatim_for_an_hour() {
    let grant = GenerateToken
        .read(resp(200, fixture!("token_ok.json")))
        .unwrap();
    assert_eq!(grant.value.expose(), "Bearer eyJhbGciOi...");
    assert_eq!(grant.expiry, Expiry::After(Duration::from_secs(3600)));
    // A token without the prefix gets it once.
    let grant = GenerateToken
        .read(resp(200, br#"{"success":true,"token":"abc"}"#.to_vec()))
        .unwrap();
    assert_eq!(grant.value.expose(), "Bearer abc");
    // Refusals never quote the body (it may hold a token).
    let err = GenerateToken
        .read(resp(
            200,
            br#"{"success":false,"token":"Bearer leaked"}"#.to_vec(),
        ))
        .unwrap_err();
    assert!(!err.to_string().contains("leaked"), "{err}");
    let err = GenerateToken
        .read(resp(200, b"{\"token\":".to_vec()))
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }));
}

#[test]
fn token_refusals_are_unauthorized_with_hints() {
    for (body, status, hint_part) in [
        (fixture!("token_401.json"), 401, "missing"),
        (fixture!("token_403_invalid_client.json"), 403, "client id"),
        (fixture!("token_403_invalid_api_key.json"), 403, "expiry"),
        (
            fixture!("token_403_unauthorized_api_key.json"),
            403,
            "does not belong",
        ),
    ] {
        let err = GenerateToken.read(resp(status, body)).unwrap_err();
        match &err {
            Error::Unauthorized { message, hint, .. } => {
                assert!(!message.is_empty());
                assert!(hint.unwrap().contains(hint_part), "{err}");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn ussd_preview_ok() {
    let op = PreviewUssdPush::new(tzs(1000), oref("ORDER123")).unwrap();
    let p = op
        .read(resp(200, fixture!("ussd_preview_ok.json")))
        .unwrap();
    assert_eq!(p.active_methods.len(), 1);
    let m = &p.active_methods[0];
    assert_eq!(m.name, "M-PESA");
    assert!(m.is_available());
    assert_eq!(m.fee.as_deref(), Some("123"));
    assert_eq!(m.message.as_deref(), Some("..."));
    let s = p.sender.unwrap();
    assert_eq!(s.account_name.as_deref(), Some("Mathayo John"));
    assert_eq!(s.account_number.as_deref(), Some("255712345678"));
    assert_eq!(s.account_provider.as_deref(), Some("TIGO-PESA"));
}

#[test]
fn ussd_push_ok() {
    let p = push()
        .read(resp(200, fixture!("ussd_push_ok.json")))
        .unwrap();
    assert_eq!(p.id.as_deref(), Some("ORDER123LCP7890"));
    assert_eq!(p.status_text.as_deref(), Some("PROCESSING"));
    assert_eq!(p.status(), PaymentStatus::Pending);
    assert_eq!(p.channel.as_deref(), Some("TIGO-PESA"));
    assert_eq!(p.order_reference.as_deref(), Some("ORDER123"));
    assert_eq!(p.amount(), Some(tzs(1000)));
    assert_eq!(p.created_at.as_deref(), Some("2023-11-07T05:31:56Z"));
    assert_eq!(p.client_id.as_deref(), Some("IDxxxx"));
    // 201 is success too.
    assert!(push()
        .read(resp(201, fixture!("ussd_push_ok.json")))
        .is_ok());
}

#[test]
fn card_preview_and_initiate_ok() {
    let usd = Money::from_major(10, Currency::USD).unwrap();
    let p = PreviewCardPayment::new(usd, oref("ORDER124"))
        .unwrap()
        .read(resp(200, fixture!("card_preview_ok.json")))
        .unwrap();
    assert_eq!(p.active_methods[0].name, "CARD");
    assert_eq!(p.active_methods[0].fee.as_deref(), Some("1"));
    assert!(p.sender.is_none());
    let op = InitiateCardPayment::new(
        usd,
        oref("ORDER124"),
        CardCustomer::Existing { id: "C1".into() },
    )
    .unwrap();
    let link = op
        .read(resp(200, fixture!("card_initiate_ok.json")))
        .unwrap();
    assert_eq!(link.url, "https://...");
    assert_eq!(link.client_id.as_deref(), Some("..."));
    assert!(op.read(resp(200, b"{}".to_vec())).is_err());
}

#[test]
fn payment_status_single() {
    let a = GetPayment::new(oref("ORD13908510"))
        .read(resp(200, fixture!("payment_status.json")))
        .unwrap();
    assert_eq!(a.attempts.len(), 1);
    assert_eq!(a.status(), PaymentStatus::Completed);
    let p = a.current().unwrap();
    assert_eq!(p.id.as_deref(), Some("LCPP5L399C"));
    assert_eq!(p.payment_reference.as_deref(), Some("EC12333.9091.67600HF"));
    assert_eq!(p.payment_phone_number.as_deref(), Some("255712345678"));
    assert_eq!(p.collected_amount.as_deref(), Some("2000")); // a number here
    assert_eq!(p.amount(), Some(tzs(2000)));
    assert_eq!(p.message.as_deref(), Some("Payment received successfully."));
    let c = p.customer.as_ref().unwrap();
    assert_eq!(c.name.as_deref(), Some("Julius Nyerere"));
    assert_eq!(c.phone.as_deref(), Some("255755009909"));
    assert_eq!(c.email.as_deref(), Some("x@y.z"));
}

#[test]
fn payment_status_multiple_attempts_picks_the_live_one() {
    let a = GetPayment::new(oref("ORDER123"))
        .read(resp(200, fixture!("payment_status_multiple_attempts.json")))
        .unwrap();
    assert_eq!(a.attempts.len(), 3);
    // FAILED, then PROCESSING, then ON-HOLD (most recent, not a failure).
    assert_eq!(a.current().unwrap().id.as_deref(), Some("ORDER123LCP7892"));
    assert_eq!(a.status(), PaymentStatus::Unknown("ON-HOLD".into()));
    assert!(!a.status().is_final());
    // A paid attempt wins over anything more recent.
    let body = br#"[{"id":"A","status":"SUCCESS","updatedAt":"2024-01-01T00:00:00Z"},{"id":"B","status":"FAILED","updatedAt":"2024-02-01T00:00:00Z"}]"#;
    let a = GetPayment::new(oref("X"))
        .read(resp(200, body.to_vec()))
        .unwrap();
    assert_eq!(a.current().unwrap().id.as_deref(), Some("A"));
    assert_eq!(a.status(), PaymentStatus::Completed);
    let a = GetPayment::new(oref("X"))
        .read(resp(200, b"[]".to_vec()))
        .unwrap();
    assert!(matches!(a.status(), PaymentStatus::Unknown(_)));
}

#[test]
fn status_words_map() {
    for (w, s) in [
        ("SUCCESS", PaymentStatus::Completed),
        ("SETTLED", PaymentStatus::Completed),
        ("PROCESSING", PaymentStatus::Pending),
        ("PENDING", PaymentStatus::Pending),
        ("FAILED", PaymentStatus::Failed),
        ("REFUNDED", PaymentStatus::Reversed),
        ("REVERSED", PaymentStatus::Reversed),
        ("WHATEVER", PaymentStatus::Unknown("WHATEVER".into())),
    ] {
        assert_eq!(payment_status(w), s, "{w}");
    }
    assert_eq!(payout_status("AUTHORIZED"), PaymentStatus::Pending);
    assert_eq!(payout_status("SUCCESS"), PaymentStatus::Completed);
    assert_eq!(payout_status("REFUNDED"), PaymentStatus::Reversed);
}

#[test]
fn payments_all_page() {
    let page = ListPayments::default()
        .read(resp(200, fixture!("payments_all.json")))
        .unwrap();
    assert_eq!(page.total_count, Some(1));
    assert_eq!(page.data.len(), 1);
    assert_eq!(page.data[0].status(), PaymentStatus::Completed);
    assert_eq!(page.data[0].status_text.as_deref(), Some("SETTLED"));
    assert_eq!(
        page.data[0].updated_at.as_deref(),
        Some("2024-04-11T08:00:00.000Z")
    );
}

#[test]
fn checkout_and_payout_links() {
    let op = GenerateCheckoutLink::new(CheckoutAmount::Total(tzs(25000)), oref("INV9922")).unwrap();
    let link = op
        .read(resp(200, fixture!("checkout_link_ok.json")))
        .unwrap();
    assert_eq!(link.url, "https://checkout.clickpesa.com/...");
    let op = GeneratePayoutLink::new(tzs(5000), oref("PAYLINK001")).unwrap();
    let link = op.read(resp(200, fixture!("payout_link_ok.json"))).unwrap();
    assert_eq!(link.url, "...");
    assert_eq!(link.client_id, None);
}

#[test]
fn mobile_money_payout_preview_and_create() {
    let mm = MobileMoneyPayout::new(tzs(1000), oref("PAYOUT001"), phone()).unwrap();
    let p = PreviewMobileMoneyPayout(mm.clone())
        .read(resp(200, fixture!("payout_mm_preview_ok.json")))
        .unwrap();
    assert_eq!(p.amount.as_deref(), Some("1047.1"));
    assert_eq!(p.balance.as_deref(), Some("2000"));
    assert_eq!(p.fee.as_deref(), Some("47.1"));
    assert_eq!(p.channel_provider.as_deref(), Some("TIGO PESA"));
    assert_eq!(p.exchanged, Some(false));
    assert_eq!(p.payout_fee_bearer.as_deref(), Some("merchant"));
    let order = p.order.unwrap();
    assert_eq!(
        (order.amount.as_deref(), order.id.as_deref()),
        (Some("1000"), Some("PAYOUT001"))
    );
    let r = p.receiver.unwrap();
    assert_eq!(r.account_name.as_deref(), Some("John Doe"));
    assert_eq!(r.account_number.as_deref(), Some("255650000000"));
    assert_eq!(r.amount.as_deref(), Some("1000"));

    let c = CreateMobileMoneyPayout(mm)
        .read(resp(200, fixture!("payout_mm_create_ok.json")))
        .unwrap();
    assert_eq!(c.order_reference.as_deref(), Some("PAYOUT001"));
    assert_eq!(c.amount.as_deref(), Some("1047.10"));
    assert_eq!(c.fee.as_deref(), Some("47.10"));
    assert_eq!(c.status(), PaymentStatus::Pending);
    assert_eq!(c.channel.as_deref(), Some("MOBILE MONEY"));
    assert_eq!(c.channel_provider.as_deref(), Some("MPESA TANZANIA"));
    assert_eq!(c.beneficiary.unwrap().amount.as_deref(), Some("1000.00"));
    assert_eq!(
        to_money_ok("1047.10"),
        Money::from_minor(104_710, Currency::TZS)
    );
}

fn to_money_ok(s: &str) -> Money {
    finconnect_proto::clickpesa::to_money(s, "TZS").unwrap()
}

#[test]
fn bank_payout_create_and_query() {
    let bp = BankPayout::new(
        tzs(200_000),
        oref("BANKPAY001"),
        "0150123456789",
        "CORUTZTZ",
        TransferType::Ach,
    )
    .unwrap()
    .account_name("TEMBO SHOP");
    let c = CreateBankPayout(bp)
        .read(resp(200, fixture!("payout_bank_create_ok.json")))
        .unwrap();
    assert_eq!(c.amount.as_deref(), Some("202360.00"));
    assert_eq!(c.transfer_type.as_deref(), Some("ACH"));
    assert_eq!(c.channel.as_deref(), Some("BANK TRANSFER"));
    assert_eq!(
        c.beneficiary.unwrap().account_name.as_deref(),
        Some("TEMBO SHOP")
    );
    assert_eq!(c.order.unwrap().amount.as_deref(), Some("200000.00"));

    let q = GetPayout::new(oref("BANKPAY001"))
        .read(resp(200, fixture!("payout_query.json")))
        .unwrap();
    assert_eq!(q.status(), PaymentStatus::Completed);
    let p = q.current().unwrap();
    assert_eq!(p.id.as_deref(), Some("PAY17072CD"));
    assert_eq!(p.notes.as_deref(), Some("Payment for invoice no. 123456"));
    let b = p.beneficiary.as_ref().unwrap();
    assert_eq!(b.swift_number.as_deref(), Some("CORUTZTZ"));
    assert_eq!(b.routing_number, None);
}

#[test]
fn banks_account_check_balance_rates() {
    let banks = ListBanks
        .read(resp(200, fixture!("banks_list.json")))
        .unwrap();
    assert_eq!(
        (banks[0].name.as_str(), banks[0].bic.as_str()),
        ("CRDB BANK", "CORUTZTZ")
    );
    let v = VerifyBankAccount::new("0150123456789", "CORUTZTZ").unwrap();
    assert_eq!(
        v.read(resp(200, fixture!("verify_bank_account_ok.json")))
            .unwrap(),
        "TEMBO SHOP"
    );
    let err = v
        .read(resp(404, fixture!("verify_bank_account_not_found.json")))
        .unwrap_err();
    assert!(
        matches!(err, Error::Provider { http_status: Some(404), ref message, .. } if message == "Account not found"),
        "{err}"
    );
    let bal = GetBalance
        .read(resp(200, fixture!("balance.json")))
        .unwrap();
    assert_eq!(
        (bal[0].currency.as_str(), bal[0].balance.as_deref()),
        ("TZS", Some("123"))
    );
    let rates = GetExchangeRates::all()
        .read(resp(200, fixture!("exchange_rates.json")))
        .unwrap();
    assert_eq!(rates[0].source, "USD");
    assert_eq!(rates[0].target, "TZS");
    assert_eq!(rates[0].rate.as_deref(), Some("2510"));
    assert_eq!(rates[0].date.as_deref(), Some("2025-08-19T06:58:34Z"));
}

#[test]
fn errors_are_classified_by_substring() {
    let dup = push()
        .read(resp(409, fixture!("error_409_reference_used.json")))
        .unwrap_err();
    match dup {
        Error::DuplicateReference {
            reference, message, ..
        } => {
            assert_eq!(reference, "ORDER123");
            assert!(message.starts_with("Order reference ORDER123 already used"));
        }
        other => panic!("{other:?}"),
    }
    let mm = MobileMoneyPayout::new(tzs(1000), oref("PAYOUT001"), phone()).unwrap();
    let cooldown = CreateMobileMoneyPayout(mm)
        .read(resp(400, fixture!("error_400_payout_cooldown.json")))
        .unwrap_err();
    assert!(
        matches!(cooldown, Error::DuplicateReference { ref reference, .. } if reference == "PAYOUT001"),
        "{cooldown}"
    );

    for (body, status, hint) in [
        (fixture!("error.json"), 400, Some("letters and digits")),
        (fixture!("error_400_phone.json"), 400, Some("country code")),
        (
            fixture!("error_400_no_collection_feature.json"),
            400,
            Some("enable"),
        ),
        (
            fixture!("error_400_insufficient_balance.json"),
            400,
            Some("top up"),
        ),
        (
            fixture!("error_404_no_methods.json"),
            404,
            Some("no active collection"),
        ),
        (fixture!("error_404_payment_not_found.json"), 404, None),
        (fixture!("error_500_fee.json"), 500, Some("temporary")),
        (
            fixture!("error_nest_invalid_checksum.json"),
            400,
            Some("checksum key"),
        ),
    ] {
        let text = String::from_utf8(body.clone()).unwrap();
        let err = push().read(resp(status, body)).unwrap_err();
        match &err {
            Error::Provider {
                message,
                http_status,
                hint: h,
                ..
            } => {
                assert_eq!(*http_status, Some(status));
                assert!(text.contains(message.as_str()), "{message} in {text}");
                match hint {
                    Some(part) => assert!(h.unwrap().contains(part), "{err}"),
                    None => assert!(h.is_none()),
                }
            }
            other => panic!("{text}: {other:?}"),
        }
    }
    // NestJS shape: message list joined, `error` kept as the code.
    let err = push()
        .read(resp(400, fixture!("error_nest_invalid_checksum.json")))
        .unwrap_err();
    assert!(
        matches!(err, Error::Provider { ref code, ref message, .. } if code.as_deref() == Some("Bad Request") && message == "Invalid checksum")
    );
    // HTML and empty bodies.
    let err = push()
        .read(resp(502, b"<html>bad gateway</html>".to_vec()))
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }));
    // An empty 429 is not a body ClickPesa documents: the reader says so, and the
    // driver (tests/outcome_truth.rs) reports it as rate limited.
    let err = push().read(resp(429, Vec::new())).unwrap_err();
    assert!(matches!(
        err,
        Error::Decode {
            http_status: Some(429),
            ..
        }
    ));
}

#[test]
fn ipn_registration_is_unsupported() {
    let e = register_ipn_unsupported();
    assert!(matches!(
        e,
        Error::Unsupported {
            provider: finconnect_proto::Provider::Clickpesa,
            operation: "IPN registration"
        }
    ));
    assert_eq!(
        e.to_string(),
        "IPN registration not supported by this provider (clickpesa)"
    );
}

#[test]
fn the_driver_authenticates_once_and_reauthenticates_on_401() {
    let api = ClickpesaConfig::live("IDclient", Secret::new("key")).unwrap();
    let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
    let mut sent: Vec<(String, Option<String>)> = Vec::new();
    let mut answers = vec![
        resp(200, fixture!("token_ok.json")),
        resp(401, fixture!("token_401.json")),
        resp(200, br#"{"success":true,"token":"Bearer second"}"#.to_vec()),
        resp(200, fixture!("balance.json")),
    ]
    .into_iter();
    let call = Call::new(&api, GetBalance, None);
    let (out, fresh) = drive_blocking(
        call,
        |req| {
            sent.push((
                req.uri().path().to_owned(),
                req.headers()
                    .get("authorization")
                    .map(|v| v.to_str().unwrap().to_owned()),
            ));
            Ok(answers.next().unwrap())
        },
        |_| {},
        || t0,
    )
    .unwrap();
    assert_eq!(out[0].currency, "TZS");
    assert_eq!(
        sent,
        vec![
            ("/third-parties/generate-token".to_owned(), None),
            (
                "/third-parties/account/balance".to_owned(),
                Some("Bearer eyJhbGciOi...".to_owned())
            ),
            ("/third-parties/generate-token".to_owned(), None),
            (
                "/third-parties/account/balance".to_owned(),
                Some("Bearer second".to_owned())
            ),
        ]
    );
    let fresh = fresh.unwrap();
    assert_eq!(fresh.expires_at(), t0 + Duration::from_secs(3600));
    // Refreshed at 55 minutes, not before.
    let margin = finconnect_proto::Api::token_margin(&api);
    assert!(fresh.is_usable(t0 + Duration::from_secs(54 * 60), margin));
    assert!(!fresh.is_usable(t0 + Duration::from_secs(55 * 60), margin));
    let _ = AccessToken::new(Secret::new("x"), t0);
}
