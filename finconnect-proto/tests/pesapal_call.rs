//! The `Call` driver with PesaPal operations, a scripted fake transport and a
//! virtual clock.
#![allow(clippy::unwrap_used)]

use finconnect_proto::call::{drive_blocking, Call, Step};
use finconnect_proto::pesapal::*;
use finconnect_proto::retry::Failure;
use finconnect_proto::{
    AccessToken, Currency, Description, Error, MerchantReference, Money, PaymentStatus, Secret,
};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const AUTH_OK: &[u8] = include_bytes!("fixtures/pesapal/auth_ok.json");
const STATUS_COMPLETED: &[u8] = include_bytes!("fixtures/pesapal/status_completed.json");
const STATUS_PENDING: &[u8] = include_bytes!("fixtures/pesapal/status_pending.json");
const SUBMIT_OK: &[u8] = include_bytes!("fixtures/pesapal/submit_order_ok.json");
const INVALID_TOKEN: &[u8] = include_bytes!("fixtures/pesapal/error_invalid_token.json");
const INVALID_CREDENTIALS: &[u8] =
    include_bytes!("fixtures/pesapal/error_invalid_credentials.json");

/// 2024-03-18T15:25:45Z, when auth_ok.json was recorded; its token expires an hour later.
fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_710_775_545)
}

type Answer = Result<http::Response<Vec<u8>>, Failure>;

/// A scripted transport: answers in order, records what was sent.
struct Fake {
    script: RefCell<VecDeque<Answer>>,
    sent: RefCell<Vec<http::Request<Vec<u8>>>>,
    clock: Cell<SystemTime>,
    slept: RefCell<Vec<Duration>>,
}

impl Fake {
    fn new(script: Vec<Answer>) -> Self {
        Fake {
            script: RefCell::new(script.into()),
            sent: RefCell::new(Vec::new()),
            clock: Cell::new(t0()),
            slept: RefCell::new(Vec::new()),
        }
    }

    fn send(&self, req: http::Request<Vec<u8>>) -> Answer {
        self.sent.borrow_mut().push(req);
        self.clock
            .set(self.clock.get() + Duration::from_millis(200));
        self.script
            .borrow_mut()
            .pop_front()
            .expect("the script ran out: an unexpected request was sent")
    }

    fn drive<O: finconnect_proto::Operation>(
        &self,
        call: Call<'_, O>,
    ) -> Result<(O::Output, Option<AccessToken>), Error> {
        drive_blocking(
            call,
            |req| self.send(req),
            |d| {
                self.slept.borrow_mut().push(d);
                self.clock.set(self.clock.get() + d);
            },
            || self.clock.get(),
        )
    }

    fn paths(&self) -> Vec<String> {
        self.sent
            .borrow()
            .iter()
            .map(|r| r.uri().path().rsplit('/').next().unwrap().to_owned())
            .collect()
    }

    fn done(&self) {
        assert!(self.script.borrow().is_empty(), "unused answers left");
    }
}

fn ok(body: &[u8]) -> Answer {
    Ok(http::Response::new(body.to_vec()))
}

fn status(code: u16, body: &[u8]) -> Answer {
    Ok(http::Response::builder()
        .status(code)
        .body(body.to_vec())
        .unwrap())
}

fn api() -> PesapalConfig {
    PesapalConfig::sandbox("key", "secret").unwrap()
}

fn status_op() -> GetTransactionStatus {
    GetTransactionStatus::new(OrderTrackingId::new("dbc707c0-49be-43c8-823b-db1c193d0cfb").unwrap())
}

fn cached(valid_for: Duration) -> AccessToken {
    AccessToken::new(Secret::new("cached-token"), t0() + valid_for)
}

fn bearer(req: &http::Request<Vec<u8>>) -> Option<String> {
    req.headers()
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_owned())
}

const AUTH_EXPIRY_SECS: u64 = 1_710_779_145; // 2024-03-18T16:25:45(.78)Z

#[test]
fn no_token_authenticates_then_calls() {
    let fake = Fake::new(vec![ok(AUTH_OK), ok(STATUS_COMPLETED)]);
    let api = api();
    let (status, fresh) = fake.drive(Call::new(&api, status_op(), None)).unwrap();
    assert_eq!(status.status, PaymentStatus::Completed);
    assert_eq!(fake.paths(), ["RequestToken", "GetTransactionStatus"]);
    let sent = fake.sent.borrow();
    assert_eq!(bearer(&sent[0]), None);
    assert!(bearer(&sent[1])
        .unwrap()
        .starts_with("Bearer eyJhbGciOiJIUzI1NiIs"));
    let fresh = fresh.unwrap();
    // The expiry is PesaPal's expiryDate, not a guess.
    assert_eq!(
        fresh
            .expires_at()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
        AUTH_EXPIRY_SECS
    );
    fake.done();
}

#[test]
fn valid_token_sends_exactly_one_request() {
    let fake = Fake::new(vec![ok(STATUS_PENDING)]);
    let api = api();
    let (status, fresh) = fake
        .drive(Call::new(
            &api,
            status_op(),
            Some(cached(Duration::from_secs(600))),
        ))
        .unwrap();
    assert_eq!(status.status, PaymentStatus::Pending);
    assert_eq!(fake.paths(), ["GetTransactionStatus"]);
    assert_eq!(
        bearer(&fake.sent.borrow()[0]).unwrap(),
        "Bearer cached-token"
    );
    assert!(fresh.is_none());
    fake.done();
}

#[test]
fn token_inside_the_margin_is_refreshed_first() {
    for left in [
        Duration::from_secs(59),
        Duration::from_secs(60),
        Duration::ZERO,
    ] {
        let fake = Fake::new(vec![ok(AUTH_OK), ok(STATUS_COMPLETED)]);
        let api = api();
        let (_, fresh) = fake
            .drive(Call::new(&api, status_op(), Some(cached(left))))
            .unwrap();
        assert_eq!(
            fake.paths(),
            ["RequestToken", "GetTransactionStatus"],
            "{left:?}"
        );
        assert!(fresh.is_some());
        fake.done();
    }
    // 61 s left: still used.
    let fake = Fake::new(vec![ok(STATUS_COMPLETED)]);
    let api = api();
    fake.drive(Call::new(
        &api,
        status_op(),
        Some(cached(Duration::from_secs(61))),
    ))
    .unwrap();
    assert_eq!(fake.paths(), ["GetTransactionStatus"]);
}

#[test]
fn the_fixture_token_is_reused_until_the_margin() {
    let api = api();
    let fake = Fake::new(vec![ok(AUTH_OK), ok(STATUS_COMPLETED)]);
    let (_, fresh) = fake.drive(Call::new(&api, status_op(), None)).unwrap();
    let token = fresh.unwrap();
    // 58 minutes later: one request.
    let later = t0() + Duration::from_secs(58 * 60);
    let fake = Fake::new(vec![ok(STATUS_COMPLETED)]);
    fake.clock.set(later);
    fake.drive(Call::new(&api, status_op(), Some(token.clone())))
        .unwrap();
    assert_eq!(fake.paths(), ["GetTransactionStatus"]);
    // 59 min 10 s later (50 s before expiry): refreshed first.
    let later = t0() + Duration::from_secs(59 * 60 + 10);
    let fake = Fake::new(vec![ok(AUTH_OK), ok(STATUS_COMPLETED)]);
    fake.clock.set(later);
    // (the fixture's token expiry is in the past from here on; the answer is
    // what matters: the driver asked for a new one before calling)
    let mut call = Call::new(&api, status_op(), Some(token));
    match call.step(later) {
        Step::NeedToken { rejected: None } => {}
        other => panic!("{other:?}"),
    }
}

fn reauth_then_success(refusal: Answer) {
    let fake = Fake::new(vec![refusal, ok(AUTH_OK), ok(STATUS_COMPLETED)]);
    let api = api();
    let mut call = Call::new(&api, status_op(), Some(cached(Duration::from_secs(600))));
    let mut refused = None;
    let mut fresh = None;
    let output = loop {
        match call.step(fake.clock.get()) {
            Step::Send(req) => match fake.send(req) {
                Ok(r) => call.receive(r, fake.clock.get()),
                Err(f) => call.failed(f, "", fake.clock.get()),
            },
            Step::NeedToken { rejected } => {
                // Auth is just another call, driven by whoever answers.
                refused = rejected;
                let (grant, _) = fake.drive(call.auth_call()).unwrap();
                let token = grant.into_token(fake.clock.get());
                fresh = Some(token.clone());
                call.supply_token(Ok(token));
            }
            Step::Wait { until } => fake.clock.set(until),
            Step::Done(o) => break o.unwrap(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(output.status, PaymentStatus::Completed);
    assert_eq!(
        fake.paths(),
        [
            "GetTransactionStatus",
            "RequestToken",
            "GetTransactionStatus"
        ]
    );
    let sent = fake.sent.borrow();
    assert_eq!(bearer(&sent[0]).unwrap(), "Bearer cached-token");
    assert_ne!(bearer(&sent[2]).unwrap(), "Bearer cached-token");
    assert_eq!(refused.unwrap().secret().expose(), "cached-token");
    assert!(fresh.is_some());
    fake.done();
}

#[test]
fn http_401_reauthenticates_once_then_succeeds() {
    reauth_then_success(status(401, b""));
}

#[test]
fn invalid_api_credentials_in_a_200_body_reauthenticates_once() {
    reauth_then_success(ok(INVALID_TOKEN));
}

#[test]
fn invalid_api_credentials_in_a_500_body_reauthenticates_once() {
    reauth_then_success(status(500, INVALID_TOKEN));
}

#[test]
fn a_second_refusal_is_unauthorized() {
    for (first, second) in [
        (status(401, b""), status(401, b"")),
        (ok(INVALID_TOKEN), ok(INVALID_TOKEN)),
    ] {
        let fake = Fake::new(vec![first, ok(AUTH_OK), second]);
        let api = api();
        let err = fake
            .drive(Call::new(
                &api,
                status_op(),
                Some(cached(Duration::from_secs(600))),
            ))
            .unwrap_err();
        assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
        assert_eq!(fake.paths().len(), 3);
        fake.done();
    }
}

#[test]
fn refused_keys_are_unauthorized_with_the_environment_hint() {
    let fake = Fake::new(vec![ok(INVALID_CREDENTIALS)]);
    let api = api();
    let err = fake.drive(Call::new(&api, status_op(), None)).unwrap_err();
    match err {
        Error::Unauthorized { hint, .. } => {
            assert!(hint
                .unwrap()
                .contains("sandbox keys against live, or the reverse?"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.paths(), ["RequestToken"]);
}

#[test]
fn status_query_survives_503_503_200() {
    let fake = Fake::new(vec![
        status(503, b"<html>busy</html>"),
        status(503, b""),
        ok(STATUS_COMPLETED),
    ]);
    let api = api();
    let (status, _) = fake
        .drive(Call::new(
            &api,
            status_op(),
            Some(cached(Duration::from_secs(600))),
        ))
        .unwrap();
    assert_eq!(status.status, PaymentStatus::Completed);
    assert_eq!(fake.paths().len(), 3);
    assert_eq!(fake.slept.borrow().len(), 2);
    fake.done();
}

#[test]
fn status_query_gives_up_after_three_503s() {
    let fake = Fake::new(vec![status(503, b""), status(503, b""), status(503, b"")]);
    let api = api();
    let err = fake
        .drive(Call::new(
            &api,
            status_op(),
            Some(cached(Duration::from_secs(600))),
        ))
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport { attempts: 3, .. }),
        "{err:?}"
    );
    fake.done();
}

fn submit() -> SubmitOrder {
    let order = Order::new(
        MerchantReference::new("ORDER-77").unwrap(),
        Money::from_major(250, Currency::KES).unwrap(),
        Description::new("Order 77").unwrap(),
        "https://shop.example/paid",
        BillingAddress::email("jane@example.com"),
    )
    .unwrap();
    SubmitOrder::new(
        order,
        IpnId::new("1da86d1c-1e8c-4183-bdfd-dd759463e4ce").unwrap(),
    )
}

#[test]
fn submit_order_success() {
    let fake = Fake::new(vec![ok(SUBMIT_OK)]);
    let api = api();
    let (out, _) = fake
        .drive(Call::new(
            &api,
            submit(),
            Some(cached(Duration::from_secs(600))),
        ))
        .unwrap();
    assert_eq!(
        out.order_tracking_id.as_str(),
        "96a5e1d9-f711-4423-82ce-dd758f972713"
    );
}

#[test]
fn submit_order_answered_503_is_outcome_unknown_sent_once() {
    for body in [
        &b""[..],
        b"<html>Cloudflare</html>",
        br#"{"Message":"An error has occurred."}"#,
    ] {
        let fake = Fake::new(vec![status(503, body)]);
        let api = api();
        let err = fake
            .drive(Call::new(
                &api,
                submit(),
                Some(cached(Duration::from_secs(600))),
            ))
            .unwrap_err();
        match &err {
            Error::OutcomeUnknown { reference, .. } => {
                assert_eq!(reference.as_deref(), Some("ORDER-77"))
            }
            other => panic!("{other:?}"),
        }
        assert!(!err.outcome_known());
        assert_eq!(fake.paths(), ["SubmitOrderRequest"]);
        fake.done();
    }
}

#[test]
fn submit_order_lost_is_outcome_unknown_sent_once() {
    let fake = Fake::new(vec![Err(Failure::Lost)]);
    let api = api();
    let err = fake
        .drive(Call::new(
            &api,
            submit(),
            Some(cached(Duration::from_secs(600))),
        ))
        .unwrap_err();
    assert!(
        matches!(&err, Error::OutcomeUnknown { reference: Some(r), .. } if r == "ORDER-77"),
        "{err:?}"
    );
    assert_eq!(fake.paths(), ["SubmitOrderRequest"]);
    fake.done();
}

#[test]
fn submit_order_is_resent_only_when_nothing_left() {
    let fake = Fake::new(vec![Err(Failure::Connect), ok(SUBMIT_OK)]);
    let api = api();
    fake.drive(Call::new(
        &api,
        submit(),
        Some(cached(Duration::from_secs(600))),
    ))
    .unwrap();
    assert_eq!(fake.paths(), ["SubmitOrderRequest", "SubmitOrderRequest"]);
}

#[test]
fn submit_order_business_error_in_a_200_is_known() {
    let fake = Fake::new(vec![ok(include_bytes!(
        "fixtures/pesapal/error_invalid_ipn_id.json"
    ))]);
    let api = api();
    let err = fake
        .drive(Call::new(
            &api,
            submit(),
            Some(cached(Duration::from_secs(600))),
        ))
        .unwrap_err();
    assert!(err.outcome_known());
    assert!(matches!(err, Error::Provider { .. }));
}

#[test]
fn refund_lost_is_outcome_unknown() {
    let op = RefundRequest::new(
        "7627027461296499004606",
        Money::from_major(10, Currency::TZS).unwrap(),
        "ops",
        "dup",
    )
    .unwrap();
    let fake = Fake::new(vec![status(502, b"")]);
    let api = api();
    let err = fake
        .drive(Call::new(&api, op, Some(cached(Duration::from_secs(600)))))
        .unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
    assert_eq!(fake.paths().len(), 1);
}

#[test]
fn confirm_notification_through_the_driver() {
    let n = Notification::from_query(
        "OrderTrackingId=dbc707c0-49be-43c8-823b-db1c193d0cfb&OrderMerchantReference=TX-1&OrderNotificationType=IPNCHANGE",
    )
    .unwrap();
    let fake = Fake::new(vec![ok(AUTH_OK), ok(STATUS_COMPLETED)]);
    let api = api();
    let (confirmed, _) = fake
        .drive(Call::new(&api, ConfirmNotification::new(n.clone()), None))
        .unwrap();
    assert!(confirmed.is_final());
    assert_eq!(confirmed.payment_status(), &PaymentStatus::Completed);
    assert_eq!(confirmed.notification, n);

    // A notification naming another merchant reference is refused.
    let forged = Notification {
        merchant_reference: "TX-999".into(),
        ..n
    };
    let fake = Fake::new(vec![ok(STATUS_COMPLETED)]);
    let err = fake
        .drive(Call::new(
            &api,
            ConfirmNotification::new(forged),
            Some(cached(Duration::from_secs(600))),
        ))
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Contradiction {
                field: "merchant reference",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("contradicts the status query"));
}

#[test]
fn confirm_recurring_matches_the_account_number() {
    let body = include_bytes!("fixtures/pesapal/status_recurring.json");
    let api = api();
    let n = Notification::from_query(
        "OrderTrackingId=7e6b62d9-883e-440f-a63e-e1105bbfadc3&OrderMerchantReference=555-678&OrderNotificationType=RECURRING",
    )
    .unwrap();
    let fake = Fake::new(vec![ok(body)]);
    let (c, _) = fake
        .drive(Call::new(
            &api,
            ConfirmNotification::new(n.clone()),
            Some(cached(Duration::from_secs(600))),
        ))
        .unwrap();
    assert_eq!(c.status.merchant_reference, "1515111111");
    // As an IPNCHANGE the same reference does not match the order id.
    let change = Notification {
        kind: NotificationKind::IpnChange,
        ..n
    };
    let fake = Fake::new(vec![ok(body)]);
    assert!(fake
        .drive(Call::new(
            &api,
            ConfirmNotification::new(change),
            Some(cached(Duration::from_secs(600)))
        ))
        .is_err());
}

#[test]
fn a_skewed_local_clock_still_works_when_the_token_answer_is_dated() {
    // The local clock is two hours ahead of PesaPal's: expiryDate is in "our" past.
    let dated = Ok(http::Response::builder()
        .header("Date", "Mon, 18 Mar 2024 15:25:45 GMT")
        .body(AUTH_OK.to_vec())
        .unwrap());
    let fake = Fake::new(vec![dated, ok(STATUS_COMPLETED)]);
    fake.clock.set(t0() + Duration::from_secs(7200));
    let api = api();
    let (_, fresh) = fake.drive(Call::new(&api, status_op(), None)).unwrap();
    assert_eq!(fake.paths(), ["RequestToken", "GetTransactionStatus"]);
    let fresh = fresh.unwrap();
    // One hour from when the answer arrived on the local clock.
    let lifetime = fresh
        .expires_at()
        .duration_since(t0() + Duration::from_secs(7200))
        .unwrap();
    assert!(lifetime > Duration::from_secs(3599) && lifetime < Duration::from_secs(3602));
    fake.done();
}

#[test]
fn an_unreadable_200_to_a_payment_is_outcome_unknown() {
    for body in [&b""[..], b"{}", b"<html>ok</html>", br#"{"status":"200"}"#] {
        let fake = Fake::new(vec![ok(body)]);
        let api = api();
        let err = fake
            .drive(Call::new(
                &api,
                submit(),
                Some(cached(Duration::from_secs(600))),
            ))
            .unwrap_err();
        assert!(
            matches!(&err, Error::OutcomeUnknown { reference: Some(r), .. } if r == "ORDER-77"),
            "{err:?}"
        );
        assert_eq!(fake.paths().len(), 1);
    }
    let op = RefundRequest::new(
        "CONF1",
        Money::from_major(10, Currency::KES).unwrap(),
        "ops",
        "why",
    )
    .unwrap();
    let fake = Fake::new(vec![ok(b"{}")]);
    let api = api();
    let err = fake
        .drive(Call::new(&api, op, Some(cached(Duration::from_secs(600)))))
        .unwrap_err();
    assert!(
        matches!(&err, Error::OutcomeUnknown { reference: Some(r), .. } if r == "CONF1"),
        "{err:?}"
    );
    // A refusal page from the edge (403) did not reach PesaPal: known.
    let fake = Fake::new(vec![status(403, b"<html>blocked</html>")]);
    let err = fake
        .drive(Call::new(
            &api,
            submit(),
            Some(cached(Duration::from_secs(600))),
        ))
        .unwrap_err();
    assert!(err.outcome_known(), "{err:?}");
}
