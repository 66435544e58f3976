//! M-Pesa operations through the `Call` driver, over a scripted transport:
//! the shared outcome table applied to Daraja's answers.
#![allow(clippy::unwrap_used)]

use finconnect_proto::call::{drive_blocking, Call};
use finconnect_proto::mpesa::*;
use finconnect_proto::retry::Failure;
use finconnect_proto::{Currency, Error, Money, PaymentStatus};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const OAUTH_OK: &[u8] = include_bytes!("fixtures/mpesa/oauth_ok_expires_in_string.json");
const PUSH_OK: &[u8] = include_bytes!("fixtures/mpesa/stk_push_ok.json");
const BAD_TOKEN: &[u8] = include_bytes!("fixtures/mpesa/stk_push_error_invalid_access_token.json");
const LOCKED: &[u8] = include_bytes!("fixtures/mpesa/stk_push_error_subscriber_locked.json");
const BAD_PHONE: &[u8] = include_bytes!("fixtures/mpesa/stk_push_error_invalid_phone.json");
const QUERY_PENDING: &[u8] = include_bytes!("fixtures/mpesa/stk_query_pending_error.json");
const QUERY_OK: &[u8] = include_bytes!("fixtures/mpesa/stk_query_ok_success.json");
const DUPLICATE: &[u8] = include_bytes!("fixtures/mpesa/b2c_error_duplicate_originator.json");
const CERT: &str = include_str!("fixtures/mpesa/test-initiator-cert.pem");

type Answer = Result<http::Response<Vec<u8>>, Failure>;
/// The path and the `Authorization` scheme of each request sent.
type Sent = Vec<(String, Option<String>)>;

fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn answer(status: u16, body: &[u8]) -> Answer {
    Ok(http::Response::builder()
        .status(status)
        .body(body.to_vec())
        .unwrap())
}

/// Drives `op` over the scripted answers; returns the result and the paths sent.
fn run<O: finconnect_proto::Operation<Api = MpesaConfig>>(
    op: O,
    script: Vec<Answer>,
) -> (Result<O::Output, Error>, Sent) {
    let api = MpesaConfig::sandbox("k", "s")
        .unwrap()
        .with_express(Shortcode::new("174379").unwrap(), "pk")
        .unwrap()
        .with_initiator(
            Initiator::new(Shortcode::new("600992").unwrap(), "testapi", "pw", CERT).unwrap(),
        );
    let script = RefCell::new(VecDeque::from(script));
    let sent = RefCell::new(Vec::new());
    let result = drive_blocking(
        Call::new(&api, op, None),
        |request| {
            let auth = request
                .headers()
                .get(http::header::AUTHORIZATION)
                .map(|v| v.to_str().unwrap().split(' ').next().unwrap().to_owned());
            sent.borrow_mut()
                .push((request.uri().path().to_owned(), auth));
            script
                .borrow_mut()
                .pop_front()
                .expect("an unexpected request was sent")
        },
        |_| {},
        t0,
    )
    .map(|(output, _)| output);
    assert!(script.borrow().is_empty(), "answers left unused");
    (result, sent.into_inner())
}

fn push() -> StkPush {
    StkPush::new(
        StkKind::PayBill,
        Money::from_minor(100, Currency::KES),
        KenyanMsisdn::parse("0708374149").unwrap(),
        "https://shop.example/cb/t0k",
        "INV-42",
        "desc",
        t0(),
    )
    .unwrap()
}

#[test]
fn a_push_is_sent_with_a_fetched_token() {
    let (result, sent) = run(push(), vec![answer(200, OAUTH_OK), answer(200, PUSH_OK)]);
    assert!(result.is_ok());
    assert_eq!(sent[0], ("/oauth/v1/generate".into(), Some("Basic".into())));
    assert_eq!(
        sent[1],
        (
            "/mpesa/stkpush/v1/processrequest".into(),
            Some("Bearer".into())
        )
    );
}

#[test]
fn a_lost_push_answer_is_outcome_unknown_and_never_resent() {
    let (result, sent) = run(push(), vec![answer(200, OAUTH_OK), Err(Failure::Lost)]);
    match result.unwrap_err() {
        Error::OutcomeUnknown { reference, .. } => assert_eq!(reference.as_deref(), Some("INV-42")),
        other => panic!("{other:?}"),
    }
    assert_eq!(sent.len(), 2);
}

#[test]
fn a_5xx_push_answer_is_outcome_unknown_whatever_the_body() {
    for body in [LOCKED, b"<html>503</html>".as_slice(), b"".as_slice()] {
        let (result, sent) = run(push(), vec![answer(200, OAUTH_OK), answer(500, body)]);
        let e = result.unwrap_err();
        assert!(matches!(e, Error::OutcomeUnknown { .. }), "{e:?}");
        assert_eq!(sent.len(), 2, "not re-sent");
    }
}

#[test]
fn a_documented_refusal_is_known() {
    let (result, _) = run(push(), vec![answer(200, OAUTH_OK), answer(400, BAD_PHONE)]);
    let e = result.unwrap_err();
    assert!(matches!(e, Error::Rejected { .. }), "{e:?}");
    assert!(e.outcome_known());
}

#[test]
fn a_refused_token_is_refreshed_once_and_the_push_sent_once_more() {
    let (result, sent) = run(
        push(),
        vec![
            answer(200, OAUTH_OK),
            answer(404, BAD_TOKEN),
            answer(200, OAUTH_OK),
            answer(200, PUSH_OK),
        ],
    );
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(sent.len(), 4);
    // Refused twice: Unauthorized, not a third push.
    let (result, sent) = run(
        push(),
        vec![
            answer(200, OAUTH_OK),
            answer(404, BAD_TOKEN),
            answer(200, OAUTH_OK),
            answer(200, BAD_TOKEN),
        ],
    );
    assert!(matches!(result.unwrap_err(), Error::Unauthorized { .. }));
    assert_eq!(sent.len(), 4);
}

#[test]
fn the_query_keeps_asking_through_500_001_1001_and_reads_no_answer() {
    let op = StkQuery::new(CheckoutRequestId::new("ws_CO_1").unwrap(), t0());
    // 5xx on an idempotent call is retried (3 attempts), then read: no answer.
    let (result, sent) = run(
        op.clone(),
        vec![
            answer(200, OAUTH_OK),
            answer(500, QUERY_PENDING),
            answer(500, QUERY_PENDING),
            answer(500, QUERY_PENDING),
        ],
    );
    let outcome = result.unwrap();
    assert!(matches!(outcome, StkQueryOutcome::NoAnswer { .. }));
    assert_eq!(outcome.status(), PaymentStatus::Pending);
    assert_eq!(sent.len(), 4);
    let (result, _) = run(
        op,
        vec![
            answer(200, OAUTH_OK),
            answer(500, QUERY_PENDING),
            answer(200, QUERY_OK),
        ],
    );
    assert_eq!(result.unwrap().status(), PaymentStatus::Completed);
}

#[test]
fn a_b2c_duplicate_says_query_never_resend() {
    let op = B2cPayment::new(
        OriginatorConversationId::new("payout-77").unwrap(),
        Money::from_minor(1000 * 100, Currency::KES),
        KenyanMsisdn::parse("0708374149").unwrap(),
        Remarks::new("salary").unwrap(),
        ResultUrls::new("https://shop.example/r", "https://shop.example/t").unwrap(),
        SecurityCredential::precomputed("c3JlZA==").unwrap(),
    )
    .unwrap();
    // Daraja sends it with HTTP 500: the shared table makes every 5xx an
    // unknown outcome; the reason quotes the duplicate, and nothing is re-sent.
    let (result, sent) = run(
        op.clone(),
        vec![answer(200, OAUTH_OK), answer(500, DUPLICATE)],
    );
    match result.unwrap_err() {
        Error::OutcomeUnknown {
            reference, reason, ..
        } => {
            assert_eq!(reference.as_deref(), Some("payout-77"));
            assert!(
                reason.contains("Duplicate OriginatorConversationID"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(sent.len(), 2);
    // The same envelope at HTTP 200 is the documented refusal itself.
    let (result, _) = run(op, vec![answer(200, OAUTH_OK), answer(200, DUPLICATE)]);
    match result.unwrap_err() {
        Error::DuplicateReference { reference, .. } => assert_eq!(reference, "payout-77"),
        other => panic!("{other:?}"),
    }
}
