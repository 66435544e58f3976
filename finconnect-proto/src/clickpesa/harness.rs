//! Fuzz entry points (see `fuzz/fuzz_targets/`). Each feeds arbitrary bytes to the
//! parsers and checks invariants with `assert!`.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a harness panics on purpose when an invariant breaks

use super::canonical_json::JsValue;
use super::checksum::{checksum_js, ChecksumMethod};
use super::webhook::{self, Verdict};
use super::{
    BankPayout, CardCustomer, CheckoutAmount, CreateBankPayout, CreateMobileMoneyPayout,
    GenerateCheckoutLink, GeneratePayoutLink, GenerateToken, GetBalance, GetExchangeRates,
    GetPayment, GetPayout, InitiateCardPayment, InitiateUssdPush, ListBanks, ListFilter,
    ListPayments, ListPayouts, MobileMoneyPayout, OrderReference, PreviewBankPayout,
    PreviewCardPayment, PreviewMobileMoneyPayout, PreviewUssdPush, TransferType, VerifyBankAccount,
};
use crate::harness::check_error;
use crate::{Currency, Money, Msisdn, Operation, PaymentStatus, Secret};
use std::sync::OnceLock;

/// Webhook parsing, checksum verification and canonicalisation:
/// - canonicalisation never panics and is idempotent (canonical JSON re-parses to
///   the same canonical JSON);
/// - a body without a checksum is never [`Verdict::Valid`];
/// - an unverified webhook never reports [`PaymentStatus::Completed`];
/// - signing any object and verifying it gives [`Verdict::Valid`], and a wrong key
///   gives [`Verdict::Invalid`].
pub fn clickpesa_webhook(data: &[u8]) {
    let key = Secret::new("secret-key");
    if let Ok(value) = JsValue::parse(data) {
        let canonical = value.to_canonical_json();
        let again = JsValue::parse(canonical.as_bytes());
        assert!(
            again.is_ok(),
            "canonical JSON does not re-parse: {canonical}"
        );
        if let Ok(again) = again {
            assert_eq!(again.to_canonical_json(), canonical);
        }
        let _ = checksum_js(&key, &value, ChecksumMethod::Legacy);
        if matches!(value, JsValue::Object(_)) {
            let stripped = value.without(&["checksum", "checksumMethod"]);
            if let Ok(hex) = checksum_js(&key, &stripped, ChecksumMethod::Canonical) {
                let inner = stripped.to_canonical_json();
                let signed = if inner == "{}" {
                    format!("{{\"checksum\":\"{hex}\"}}")
                } else {
                    format!("{},\"checksum\":\"{hex}\"}}", &inner[..inner.len() - 1])
                };
                if let Ok(wh) = webhook::parse_webhook(signed.as_bytes()) {
                    assert_eq!(wh.verdict(&key), Verdict::Valid, "{signed}");
                    assert_eq!(wh.verdict(&Secret::new("other-key")), Verdict::Invalid);
                    assert!(wh.verify(&key).is_ok());
                }
            }
        }
    }
    if let Ok(wh) = webhook::parse_webhook(data) {
        let verdict = wh.verdict(&key);
        if !wh.is_signed() {
            assert_eq!(verdict, Verdict::Unsigned);
            assert_ne!(wh.verdict_with_header(&key, None), Verdict::Valid);
        }
        assert_ne!(wh.status(), PaymentStatus::Completed);
        match wh.verify(&key) {
            Ok(v) => {
                assert_eq!(verdict, Verdict::Valid, "{:?}", v.event_name());
                let _ = v.dedupe_key().to_string();
            }
            Err(_) => assert_ne!(verdict, Verdict::Valid),
        }
    }
}

/// Every ClickPesa operation, built once with constant valid inputs.
struct Operations {
    preview_ussd: PreviewUssdPush,
    initiate_ussd: InitiateUssdPush,
    preview_card: PreviewCardPayment,
    initiate_card: InitiateCardPayment,
    get_payment: GetPayment,
    list_payments: ListPayments,
    list_payouts: ListPayouts,
    checkout_link: GenerateCheckoutLink,
    preview_mm: PreviewMobileMoneyPayout,
    create_mm: CreateMobileMoneyPayout,
    preview_bank: PreviewBankPayout,
    create_bank: CreateBankPayout,
    get_payout: GetPayout,
    verify_account: VerifyBankAccount,
    payout_link: GeneratePayoutLink,
}

fn operations() -> &'static Operations {
    static OPS: OnceLock<Operations> = OnceLock::new();
    OPS.get_or_init(|| {
        let tzs = Money::from_minor(100_000, Currency::TZS);
        let usd = Money::from_minor(1_000, Currency::USD);
        let reference = || OrderReference::new("ORDER123").expect("reference");
        let phone = || Msisdn::parse("255712345678", "255").expect("phone");
        let mm = MobileMoneyPayout::new(tzs, reference(), phone()).expect("payout");
        let bank = || {
            BankPayout::new(
                tzs,
                reference(),
                "0150123456789",
                "CORUTZTZ",
                TransferType::Ach,
            )
            .expect("bank payout")
            .account_name("TEMBO SHOP")
        };
        Operations {
            preview_ussd: PreviewUssdPush::new(tzs, reference()).expect("preview"),
            initiate_ussd: InitiateUssdPush::new(tzs, reference(), phone()).expect("ussd push"),
            preview_card: PreviewCardPayment::new(usd, reference()).expect("card preview"),
            initiate_card: InitiateCardPayment::new(
                usd,
                reference(),
                CardCustomer::Details {
                    full_name: "Jüma Ñandú".to_owned(),
                    email: "juma@example.com".to_owned(),
                    phone: phone(),
                },
            )
            .expect("card"),
            get_payment: GetPayment::new(reference()),
            list_payments: ListPayments::new(ListFilter::new()),
            list_payouts: ListPayouts::new(ListFilter::new()),
            checkout_link: GenerateCheckoutLink::new(CheckoutAmount::Total(tzs), reference())
                .expect("checkout link"),
            preview_mm: PreviewMobileMoneyPayout(mm.clone()),
            create_mm: CreateMobileMoneyPayout(mm),
            preview_bank: PreviewBankPayout(bank()),
            create_bank: CreateBankPayout(bank()),
            get_payout: GetPayout::new(reference()),
            verify_account: VerifyBankAccount::new("0150123456789", "CORUTZTZ").expect("verify"),
            payout_link: GeneratePayoutLink::new(tzs, reference()).expect("payout link"),
        }
    })
}

/// How many answer readers [`clickpesa_responses`] chooses from.
pub const RESPONSE_READERS: usize = 19;

fn read<O: Operation>(op: &O, response: http::Response<Vec<u8>>) {
    if let Err(e) = op.read(response) {
        check_error(&e, false);
    }
}

/// The first byte picks one of ClickPesa's answer readers (token, USSD and card
/// payments, payment and payout queries and lists, payouts, banks, account
/// verification, links, balance, exchange rates; every one also reads the
/// `{"message": …}` error envelopes) and an HTTP status (see
/// [`crate::harness::select`]); the rest is the body. Nothing may panic; a token
/// answer never quotes its body and yields a non-empty token.
pub fn clickpesa_responses(data: &[u8]) {
    let Some((reader, status, body)) = crate::harness::select(data, RESPONSE_READERS) else {
        return;
    };
    let ops = operations();
    let response = crate::harness::response(status, body);
    match reader {
        0 => match GenerateToken.read(response) {
            Ok(grant) => assert!(!grant.value.is_empty()),
            Err(e) => check_error(&e, true),
        },
        1 => read(&ops.preview_ussd, response),
        2 => read(&ops.initiate_ussd, response),
        3 => read(&ops.preview_card, response),
        4 => read(&ops.initiate_card, response),
        5 => read(&ops.get_payment, response),
        6 => read(&ops.list_payments, response),
        7 => read(&ops.list_payouts, response),
        8 => read(&ops.checkout_link, response),
        9 => read(&ops.preview_mm, response),
        10 => read(&ops.create_mm, response),
        11 => read(&ops.preview_bank, response),
        12 => read(&ops.create_bank, response),
        13 => read(&ops.get_payout, response),
        14 => read(&ListBanks, response),
        15 => read(&ops.verify_account, response),
        16 => read(&ops.payout_link, response),
        17 => read(&GetBalance, response),
        _ => read(&GetExchangeRates::all(), response),
    }
}

/// Whether `b` is what writing `a` canonically and parsing it back must give:
/// the same value with object keys in canonical order, a number that overflowed
/// to infinity written (and read back) as `null`.
fn same_after_round_trip(a: &JsValue, b: &JsValue) -> bool {
    match (a, b) {
        (JsValue::Number(x), JsValue::Null) => x.is_infinite(),
        (JsValue::Number(x), JsValue::Number(y)) => x == y,
        (JsValue::Array(xs), JsValue::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same_after_round_trip(x, y))
        }
        (JsValue::Object(_), JsValue::Object(_)) => {
            let (xs, ys) = (a.sorted_entries(), b.sorted_entries());
            xs.len() == ys.len()
                && xs
                    .iter()
                    .zip(&ys)
                    .all(|((kx, x), (ky, y))| kx == ky && same_after_round_trip(x, y))
        }
        _ => a == b,
    }
}

/// Canonical JSON round trip, through the public API only: whatever
/// [`JsValue::parse`] accepts, the canonical writer writes without panicking, the
/// text parses back to the same value (keys in canonical order), and writing that
/// again gives the same text. `String(value)` never panics either.
pub fn canonical_json(data: &[u8]) {
    let Ok(value) = JsValue::parse(data) else {
        return;
    };
    let text = value.to_canonical_json();
    let _ = value.to_js_string();
    match JsValue::parse(text.as_bytes()) {
        Ok(again) => {
            assert!(
                same_after_round_trip(&value, &again),
                "parse → write → parse changed the value: {text}"
            );
            assert_eq!(again.to_canonical_json(), text, "writing is not stable");
        }
        Err(e) => panic!("canonical JSON does not parse back ({e}): {text}"),
    }
}
