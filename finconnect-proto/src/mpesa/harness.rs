//! Fuzz harnesses (`fuzz/fuzz_targets/mpesa_*.rs`); also replayed on stable by
//! the corpus test. Each checks invariants with `assert!`.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a harness panics on purpose when an invariant breaks

use super::*;
use crate::{Currency, Error, Money, Operation, PaymentStatus};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Everything the answer readers need, built once.
struct Fixtures {
    api: MpesaConfig,
    push: StkPush,
    query: StkQuery,
    register: RegisterUrls,
    simulate: C2bSimulate,
    b2c: B2cPayment,
    status: TransactionStatusQuery,
    balance: AccountBalanceQuery,
    reversal: Reversal,
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn fixtures() -> &'static Fixtures {
    static FIXTURES: std::sync::OnceLock<Fixtures> = std::sync::OnceLock::new();
    FIXTURES.get_or_init(|| {
        // Constant, valid inputs: any failure here is a bug in the harness.
        let kes = |shillings: i64| Money::from_minor(shillings * 100, Currency::KES);
        let phone = KenyanMsisdn::parse("254708374149").expect("phone");
        let credential = SecurityCredential::precomputed("c3JlZA==").expect("credential");
        let urls =
            ResultUrls::new("https://shop.example/r", "https://shop.example/t").expect("urls");
        let remarks = Remarks::new("fuzz").expect("remarks");
        Fixtures {
            api: MpesaConfig::sandbox("fuzz-key", "fuzz-secret").expect("config"),
            push: StkPush::new(
                StkKind::PayBill,
                kes(1),
                phone.clone(),
                "https://shop.example/cb",
                "REF-1",
                "fuzz",
                now(),
            )
            .expect("push"),
            query: StkQuery::new(CheckoutRequestId::new("ws_CO_1").expect("id"), now()),
            register: RegisterUrls::new(
                Shortcode::new("600984").expect("shortcode"),
                ResponseType::Completed,
                "https://shop.example/c",
                "https://shop.example/v",
            )
            .expect("register"),
            simulate: C2bSimulate::new(
                Shortcode::new("600984").expect("shortcode"),
                C2bCommand::PayBill,
                kes(1),
                phone.clone(),
                Some("ref"),
            )
            .expect("simulate"),
            b2c: B2cPayment::new(
                OriginatorConversationId::new("payout-1").expect("id"),
                kes(10),
                phone,
                remarks.clone(),
                urls.clone(),
                credential.clone(),
            )
            .expect("b2c"),
            status: TransactionStatusQuery::new(
                TransactionKey::Receipt("QKH94M1Z11".into()),
                remarks.clone(),
                urls.clone(),
                credential.clone(),
            )
            .expect("status"),
            balance: AccountBalanceQuery::new(remarks.clone(), urls.clone(), credential.clone()),
            reversal: Reversal::new("QKH94M1Z11", kes(1), remarks, urls, credential)
                .expect("reversal"),
        }
    })
}

/// How many answer readers [`mpesa_responses`] chooses from.
pub const RESPONSE_READERS: usize = 10;

/// Whether the body is Daraja's catch-all envelope (`500.001.1001`).
fn is_catch_all(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.get("errorCode")
                .and_then(wire::scalar_text)
                .map(|c| c.trim() == codes::CATCH_ALL)
        })
        .unwrap_or(false)
}

/// A money-moving reader's error: a catch-all envelope is never called a
/// refusal (the driver must report an unknown outcome).
fn check_money_error(e: &Error, body: &[u8]) {
    crate::harness::check_error(e, false);
    if is_catch_all(body) {
        assert!(
            !crate::outcome::proves_refusal(e),
            "a 500.001.1001 was read as a refusal: {e:?}"
        );
    }
}

/// The first byte picks an answer reader and an HTTP status (see
/// [`crate::harness::select`]); the rest is the body. Nothing may panic; a
/// token answer never quotes its body; the STK query never reads
/// `500.001.1001` or `4999` as a final state; money-moving readers never call
/// the catch-all a refusal.
pub fn mpesa_responses(data: &[u8]) {
    use crate::harness::check_error;
    let Some((reader, status, body)) = crate::harness::select(data, RESPONSE_READERS) else {
        return;
    };
    let f = fixtures();
    let response = crate::harness::response(status, body);
    match reader {
        0 => match GenerateToken.read(response) {
            Ok(grant) => assert!(!grant.value.is_empty()),
            Err(e) => check_error(&e, true),
        },
        1 => match f.push.read(response) {
            Ok(accepted) => assert!(!accepted.checkout_request_id.as_str().is_empty()),
            Err(e) => check_money_error(&e, body),
        },
        2 => match f.query.read(response) {
            Ok(outcome) => {
                if is_catch_all(body) {
                    assert!(matches!(outcome, StkQueryOutcome::NoAnswer { .. }));
                }
                if let StkQueryOutcome::Final(result) = &outcome {
                    assert_ne!(result.code.as_str(), STK_STILL_PROCESSING);
                } else {
                    assert_eq!(outcome.status(), PaymentStatus::Pending);
                }
            }
            Err(e) => {
                assert!(
                    !is_catch_all(body),
                    "500.001.1001 must be no answer, not {e:?}"
                );
                check_error(&e, false);
            }
        },
        3 => {
            if let Err(e) = f.register.read(response) {
                check_error(&e, false);
            }
        }
        4 => {
            if let Err(e) = f.simulate.read(response) {
                check_money_error(&e, body);
            }
        }
        5 => {
            if let Err(e) = f.b2c.read(response) {
                check_money_error(&e, body);
            }
        }
        6 => {
            if let Err(e) = f.status.read(response) {
                check_error(&e, false);
            }
        }
        7 => {
            if let Err(e) = f.balance.read(response) {
                check_error(&e, false);
            }
        }
        8 => {
            if let Err(e) = f.reversal.read(response) {
                check_money_error(&e, body);
            }
        }
        _ => {
            let _ = crate::operation::Api::is_auth_failure(&f.api, &response);
        }
    }
}

/// Reads `data` with every inbound parser (STK callback, C2B request, result,
/// queue timeout, C2B reply, balance string, timestamp). Nothing may panic;
/// what parses keeps its invariants: an STK callback's confirming query asks
/// about the same `CheckoutRequestID`, a claimed status is never read from a
/// code Daraja does not document as failed, replies and timestamps round-trip.
pub fn mpesa_callbacks(data: &[u8]) {
    if let Ok(cb) = parse_stk_callback(data) {
        let query = cb.status_query(now());
        assert_eq!(query.checkout_request_id(), &cb.checkout_request_id);
        if cb.claimed_status() == PaymentStatus::Failed {
            assert!(!cb.claimed_result_code.is_success());
        }
        if let Some(amount) = cb.claimed_amount {
            assert_eq!(amount.currency(), Currency::KES);
        }
        let _ = format!("{cb:?}");
    }
    if let Ok(payment) = parse_c2b(data) {
        assert!(!payment.trans_id.trim().is_empty());
        assert_eq!(payment.claimed_amount.currency(), Currency::KES);
    }
    if let Ok(result) = parse_result(data) {
        let _ = result.claimed_transaction_amount();
        let _ = result.claimed_receipt();
        let _ = result.account_balances();
        assert_eq!(
            result.claims_success(),
            result.claimed_result_code.as_str() == "0"
        );
    }
    // The one-read intake agrees with the parser of the kind it picked.
    match parse_notification(data, C2bRoute::Confirmation) {
        Ok(Notification::Stk(cb)) => assert_eq!(parse_stk_callback(data).ok(), Some(cb)),
        Ok(Notification::C2bConfirmation(p)) => assert_eq!(parse_c2b(data).ok(), Some(p)),
        Ok(Notification::Result(r)) => assert_eq!(parse_result(data).ok(), Some(r)),
        _ => {}
    }
    if let Ok(timeout) = parse_queue_timeout(data) {
        assert!(!timeout.fields.contains_key("SecurityCredential"));
    }
    if let Some(reply) = C2bReply::from_json(data) {
        assert_eq!(C2bReply::from_json(&reply.to_json()), Some(reply));
    }
    if let Ok(text) = std::str::from_utf8(data) {
        for balance in parse_account_balances(text) {
            assert!(!balance.account.is_empty());
        }
        if let Some(t) = parse_timestamp(text) {
            assert_eq!(timestamp(t), text.trim());
        }
    }
}
