//! The facade over M-Pesa (Daraja), and reconciliation, over a scripted
//! transport on a virtual clock.

use finconnect::driver::{Transport, TransportFailure};
use finconnect::mpesa::{MpesaConfig, Shortcode};
use finconnect::pesapal::IpnMethod;
use finconnect::sdk::{
    CallbackInbox, Expected, FintechSdk, HandlerError, Outcome, Payment, PendingPayment,
    ProviderConfig, ReconcileOptions, Reconciled, StatusQuery, Trust,
};
use finconnect::{Currency, Error, Money, PaymentStatus, Provider, UrlPolicy};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

const T0: u64 = 1_700_000_000;

const TOKEN: &[u8] = br#"{"access_token":"SAMPLEsandboxTOKEN0000000000","expires_in":"3599"}"#;
const PUSH_OK: &[u8] = br#"{"MerchantRequestID":"2654-4b64-97ff-b827b542881d3130","CheckoutRequestID":"ws_CO_1007202409152617172396192","ResponseCode":"0","ResponseDescription":"Success. Request accepted for processing","CustomerMessage":"Success. Request accepted for processing"}"#;
const CHECKOUT: &str = "ws_CO_1007202409152617172396192";
const STK_PATH: &str = "/mpesa/stkpush/v1/processrequest";
const QUERY_PATH: &str = "/mpesa/stkpushquery/v1/query";

fn query_final(code: &str) -> Vec<u8> {
    format!(
        r#"{{"ResponseCode":"0","ResponseDescription":"The service request has been accepted successsfully","MerchantRequestID":"2654-4b64","CheckoutRequestID":"{CHECKOUT}","ResultCode":"{code}","ResultDesc":"whatever"}}"#
    )
    .into_bytes()
}

const QUERY_4999: &[u8] = br#"{"ResponseCode":"0","ResponseDescription":"The service request has been accepted successsfully","MerchantRequestID":"0000","CheckoutRequestID":"ws_CO_1007202409152617172396192","ResultCode":"4999","ResultDesc":"The transaction is still under processing"}"#;
const QUERY_NO_ANSWER: &[u8] = br#"{"requestId":"ws_CO_20022018230142206","errorCode":"500.001.1001","errorMessage":"The transaction is being processed"}"#;

fn stk_callback(code: u32, amount: &str) -> Vec<u8> {
    format!(
        r#"{{"Body":{{"stkCallback":{{"MerchantRequestID":"2654-4b64","CheckoutRequestID":"{CHECKOUT}","ResultCode":{code},"ResultDesc":"x","CallbackMetadata":{{"Item":[{{"Name":"Amount","Value":{amount}}},{{"Name":"MpesaReceiptNumber","Value":"QKH94M1Z11"}},{{"Name":"Balance"}},{{"Name":"TransactionDate","Value":20221117155745}},{{"Name":"PhoneNumber","Value":254708374149}}]}}}}}}}}"#
    )
    .into_bytes()
}

const C2B: &[u8] = br#"{"TransactionType":"Pay Bill","TransID":"QKH94M1Z11","TransTime":"20231121121325","TransAmount":"10.00","BusinessShortCode":"174379","BillRefNumber":"ORDER7","InvoiceNumber":"","OrgAccountBalance":"25.00","ThirdPartyTransID":"","MSISDN":"2547 ***** 126","FirstName":"JOHN"}"#;
const RESULT: &[u8] = br#"{"Result":{"ResultType":0,"ResultCode":0,"ResultDesc":"The service request is processed successfully.","OriginatorConversationID":"4348-25110042-1","ConversationID":"AG_20200703_000040c092ee6e1a65af","TransactionID":"OG201HCA8W","ResultParameters":{"ResultParameter":[{"Key":"TransactionAmount","Value":2000},{"Key":"TransactionReceipt","Value":"OG201HCA8W"}]}}}"#;

/// One scripted answer.
enum Answer {
    Body(u16, Vec<u8>),
    Lost,
}

/// Answers by path from queues (the last answer of a queue repeats); records
/// every request and every sleep; its clock moves only when slept on.
#[derive(Clone, Default)]
struct Script(Arc<Inner>);

#[derive(Default)]
struct Inner {
    answers: Mutex<HashMap<String, VecDeque<Answer>>>,
    sent: Mutex<Vec<(String, Vec<u8>)>>,
    clock: Mutex<Duration>,
    sleeps: Mutex<Vec<Duration>>,
}

impl Script {
    fn new() -> Self {
        let s = Script::default();
        s.answer("/oauth/v1/generate", Answer::Body(200, TOKEN.to_vec()));
        s
    }

    fn answer(&self, path: &str, answer: Answer) {
        self.0
            .answers
            .lock()
            .unwrap()
            .entry(path.to_owned())
            .or_default()
            .push_back(answer);
    }

    fn sent(&self, path: &str) -> Vec<Vec<u8>> {
        self.0
            .sent
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, b)| b.clone())
            .collect()
    }

    fn sleeps(&self) -> Vec<Duration> {
        self.0.sleeps.lock().unwrap().clone()
    }
}

impl Transport for Script {
    async fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportFailure> {
        let path = request.uri().path().to_owned();
        self.0
            .sent
            .lock()
            .unwrap()
            .push((path.clone(), request.body().clone()));
        let mut answers = self.0.answers.lock().unwrap();
        let queue = answers.get_mut(&path);
        let answer = match queue {
            Some(q) if q.len() > 1 => q.pop_front(),
            Some(q) => q.front().map(|a| match a {
                Answer::Body(s, b) => Answer::Body(*s, b.clone()),
                Answer::Lost => Answer::Lost,
            }),
            None => None,
        };
        match answer {
            Some(Answer::Body(status, body)) => {
                let mut r = http::Response::new(body);
                *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
                Ok(r)
            }
            Some(Answer::Lost) => Err(TransportFailure::lost("connection reset after sending")),
            None => {
                let mut r = http::Response::new(b"not scripted".to_vec());
                *r.status_mut() = http::StatusCode::NOT_FOUND;
                Ok(r)
            }
        }
    }

    async fn sleep(&self, delay: Duration) {
        self.0.sleeps.lock().unwrap().push(delay);
        *self.0.clock.lock().unwrap() += delay;
    }

    fn now(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(T0) + *self.0.clock.lock().unwrap()
    }

    fn seed(&self) -> u64 {
        7
    }
}

fn config() -> MpesaConfig {
    MpesaConfig::custom("key", "secret", "http://127.0.0.1:9", UrlPolicy::Local)
        .unwrap()
        .with_express(Shortcode::new("174379").unwrap(), "passkey")
        .unwrap()
}

fn sdk(script: &Script) -> FintechSdk<Script> {
    FintechSdk::new(ProviderConfig::Mpesa(config()), script.clone()).unwrap()
}

fn kes(n: i64) -> Money {
    Money::from_major(n, Currency::KES).unwrap()
}

fn payment() -> Payment {
    Payment::new("ORDER7", kes(10))
        .unwrap()
        .description("Rice")
        .unwrap()
        .phone("0712 345 678")
        .callback_url("http://127.0.0.1:8080/mpesa/stk/9f86d081884c7d65")
}

fn post(path: &str, body: &[u8]) -> http::Request<Vec<u8>> {
    http::Request::post(format!("http://127.0.0.1:8080{path}"))
        .header("content-type", "application/json")
        .body(body.to_vec())
        .unwrap()
}

fn json(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).unwrap()
}

#[tokio::test]
async fn pay_is_an_stk_push_and_gives_the_checkout_request_id() {
    let script = Script::new();
    script.answer(STK_PATH, Answer::Body(200, PUSH_OK.to_vec()));
    let started = sdk(&script).pay(&payment(), None).await.unwrap();
    assert_eq!(started.provider, Provider::Mpesa);
    assert_eq!(started.provider_reference.as_deref(), Some(CHECKOUT));
    assert_eq!(started.redirect_url, None);
    assert_eq!(started.status, PaymentStatus::Pending);
    let sent = script.sent(STK_PATH);
    let body = json(&sent[0]);
    assert_eq!(body["PhoneNumber"], "254712345678");
    assert_eq!(body["Amount"], "10");
    assert_eq!(body["AccountReference"], "ORDER7");
    assert_eq!(body["TransactionDesc"], "Rice");
    assert_eq!(
        body["CallBackURL"],
        "http://127.0.0.1:8080/mpesa/stk/9f86d081884c7d65"
    );
}

#[tokio::test]
async fn pay_refuses_what_daraja_cannot_take_naming_the_field() {
    let script = Script::new();
    let sdk = sdk(&script);
    let cents = Payment {
        amount: Money::from_decimal_str("10.50", Currency::KES).unwrap(),
        ..payment()
    };
    let cases = [
        (cents, "amount"),
        (
            Payment::new("ORDER-1234567", kes(10))
                .unwrap()
                .description("Rice")
                .unwrap()
                .phone("0712345678")
                .callback_url("http://127.0.0.1:8080/cb"),
            "reference",
        ),
        (
            payment().description("Fourteen chars").unwrap(),
            "description",
        ),
        (
            Payment {
                description: None,
                ..payment()
            },
            "description",
        ),
        (payment().phone("+255712345678"), "phone"),
        (
            Payment {
                callback_url: None,
                ..payment()
            },
            "callback_url",
        ),
    ];
    for (payment, field) in cases {
        match sdk.pay(&payment, None).await {
            Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert!(script.sent(STK_PATH).is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_lost_stk_push_is_an_unknown_outcome_and_is_not_sent_again() {
    let script = Script::new();
    script.answer(STK_PATH, Answer::Lost);
    let e = sdk(&script).pay(&payment(), None).await.unwrap_err();
    assert!(matches!(e, Error::OutcomeUnknown { .. }), "{e}");
    assert_eq!(script.sent(STK_PATH).len(), 1);
}

#[tokio::test]
async fn status_is_the_stk_query_and_no_answer_is_pending_never_failed() {
    let script = Script::new();
    script.answer(QUERY_PATH, Answer::Body(200, QUERY_4999.to_vec()));
    script.answer(QUERY_PATH, Answer::Body(500, QUERY_NO_ANSWER.to_vec()));
    script.answer(QUERY_PATH, Answer::Body(200, QUERY_NO_ANSWER.to_vec()));
    script.answer(QUERY_PATH, Answer::Body(200, query_final("1032")));
    let sdk = sdk(&script);
    let q = StatusQuery::new(CHECKOUT);
    let first = sdk.status(q.clone()).await.unwrap();
    assert_eq!(first.status, PaymentStatus::Pending);
    assert_eq!(first.raw_status.as_deref(), Some("4999"));
    // 500.001.1001 at HTTP 500: the driver retries the idempotent query;
    // both shapes are pending.
    let second = sdk.status(q.clone()).await.unwrap();
    assert_eq!(second.status, PaymentStatus::Pending);
    let last = sdk.status(q).await.unwrap();
    assert_eq!(last.status, PaymentStatus::Cancelled);
    assert_eq!(last.provider_reference.as_deref(), Some(CHECKOUT));
    assert_eq!(last.amount, None);
}

#[tokio::test]
async fn register_ipn_registers_the_c2b_urls_of_the_shortcode() {
    let script = Script::new();
    script.answer(
        "/mpesa/c2b/v2/registerurl",
        Answer::Body(
            200,
            br#"{"OriginatorCoversationID":"6e86-45dd","ResponseCode":"0","ResponseDescription":"Success"}"#
                .to_vec(),
        ),
    );
    let sdk = sdk(&script);
    let reg = sdk
        .register_ipn("http://127.0.0.1:8080/c2b/6f1c", IpnMethod::Post)
        .await
        .unwrap();
    assert_eq!(reg.ipn_id.as_str(), "174379");
    assert_eq!(reg.url, "http://127.0.0.1:8080/c2b/6f1c/confirmation");
    let body = json(&script.sent("/mpesa/c2b/v2/registerurl")[0]);
    assert_eq!(body["ShortCode"], "174379");
    assert_eq!(body["ResponseType"], "Completed");
    assert_eq!(
        body["ValidationURL"],
        "http://127.0.0.1:8080/c2b/6f1c/validation"
    );
    let e = sdk
        .register_ipn("http://127.0.0.1:8080/c2b", IpnMethod::Get)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Invalid { field, .. } if field == "method"));
}

#[tokio::test]
async fn an_stk_callback_is_trusted_only_as_far_as_the_stk_query_vouches() {
    let script = Script::new();
    script.answer(QUERY_PATH, Answer::Body(200, query_final("0")));
    let sdk = sdk(&script);
    let accepted = sdk
        .accept_callback(&post("/mpesa/stk/9f86", &stk_callback(0, "10.00")))
        .await
        .unwrap();
    assert_eq!(accepted.claims().amount, Some(kes(10)));
    let event = sdk.confirm_callback(&accepted, None).await.unwrap();
    assert_eq!(event.trust, Trust::StatusQuery);
    assert_eq!(event.facts.status, PaymentStatus::Completed);
    assert_eq!(event.facts.provider_reference.as_deref(), Some(CHECKOUT));
    // The query carries no amount: it stays a claim.
    assert_eq!(event.facts.amount, None);
    assert_eq!(event.claims.amount, Some(kes(10)));
    assert_eq!(script.sent(QUERY_PATH).len(), 1);
    // Bound to your order by the vouched CheckoutRequestID…
    let order = Expected::order("ORDER7")
        .provider_reference(CHECKOUT)
        .amount(kes(10));
    let late = sdk
        .accept_callback(&post("/cb", &stk_callback(0, "10.00")))
        .await
        .unwrap();
    let bound = sdk.confirm_callback(&late, Some(&order)).await.unwrap();
    assert_eq!(bound.order, Some(order.clone()));
    // …and a claimed amount other than your order's is refused.
    let forged = sdk
        .accept_callback(&post("/cb", &stk_callback(0, "1.00")))
        .await
        .unwrap();
    let e = sdk
        .confirm_callback(&forged, Some(&order))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Contradiction {
                field: "amount",
                ..
            }
        ),
        "{e}"
    );
}

#[tokio::test]
async fn a_forged_success_callback_gets_the_querys_status() {
    let script = Script::new();
    script.answer(QUERY_PATH, Answer::Body(200, query_final("1032")));
    let sdk = sdk(&script);
    let accepted = sdk
        .accept_callback(&post("/cb", &stk_callback(0, "10.00")))
        .await
        .unwrap();
    assert_eq!(accepted.claims().status, Some(PaymentStatus::Completed));
    let event = sdk.confirm_callback(&accepted, None).await.unwrap();
    assert_eq!(event.facts.status, PaymentStatus::Cancelled);
}

#[tokio::test]
async fn an_stk_query_without_an_answer_confirms_nothing() {
    let script = Script::new();
    script.answer(QUERY_PATH, Answer::Body(200, QUERY_NO_ANSWER.to_vec()));
    let sdk = sdk(&script);
    let accepted = sdk
        .accept_callback(&post("/cb", &stk_callback(0, "10.00")))
        .await
        .unwrap();
    let e = sdk.confirm_callback(&accepted, None).await.unwrap_err();
    assert!(matches!(e, Error::NotConfirmed { .. }), "{e}");
    assert_eq!(accepted.retry_later().status(), 503);
}

#[tokio::test]
async fn a_c2b_confirmation_is_confirmed_only_through_your_orders_stk_push() {
    let script = Script::new();
    script.answer(QUERY_PATH, Answer::Body(200, query_final("0")));
    let sdk = sdk(&script);
    let accepted = sdk
        .accept_callback(&post("/c2b/6f1c/confirmation", C2B))
        .await
        .unwrap();
    assert!(!accepted.is_validation_request());
    assert_eq!(accepted.claims().reference.as_deref(), Some("ORDER7"));
    assert_eq!(json(accepted.received().body())["ResultCode"], 0);
    // Nothing vouches for it alone.
    let e = sdk.confirm_callback(&accepted, None).await.unwrap_err();
    assert!(matches!(e, Error::NotConfirmed { .. }), "{e}");
    assert!(script.sent(QUERY_PATH).is_empty());
    // With your order's STK push: its query vouches, with the STK callback's key.
    let order = Expected::order("ORDER7")
        .provider_reference(CHECKOUT)
        .amount(kes(10));
    let event = sdk.confirm_callback(&accepted, Some(&order)).await.unwrap();
    assert_eq!(event.facts.status, PaymentStatus::Completed);
    assert_eq!(event.facts.amount, None);
    assert_eq!(event.order, Some(order.clone()));
    let stk = sdk
        .accept_callback(&post("/cb", &stk_callback(0, "10.00")))
        .await
        .unwrap();
    let stk_event = sdk.confirm_callback(&stk, Some(&order)).await.unwrap();
    assert_eq!(stk_event.dedupe_key, event.dedupe_key);
    // An order for another amount refuses it.
    let other = Expected::order("ORDER7")
        .provider_reference(CHECKOUT)
        .amount(kes(500));
    assert!(matches!(
        sdk.confirm_callback(&accepted, Some(&other)).await,
        Err(Error::Contradiction { .. })
    ));
}

#[tokio::test]
async fn results_and_validation_requests_are_no_events() {
    let script = Script::new();
    let sdk = sdk(&script);
    let result = sdk.accept_callback(&post("/result", RESULT)).await.unwrap();
    assert_eq!(result.claims().kind, "Result");
    assert!(matches!(
        sdk.confirm_callback(&result, None).await,
        Err(Error::NotConfirmed { .. })
    ));
    let validation = sdk
        .accept_callback(&post("/c2b/6f1c/validation", C2B))
        .await
        .unwrap();
    assert!(validation.is_validation_request());
    assert_eq!(json(validation.received().body())["ResultCode"], "0");
    assert_eq!(
        json(validation.retry_later().body())["ResultCode"],
        "C2B00016"
    );
    assert!(matches!(
        sdk.confirm_callback(&validation, None).await,
        Err(Error::NotConfirmed { .. })
    ));
    assert!(script.sent(QUERY_PATH).is_empty());
    // Anything else is malformed.
    let e = sdk
        .accept_callback(&post("/cb", br#"{"hello":"world"}"#))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e}");
}

type Seen = Arc<Mutex<Vec<(PaymentStatus, Option<String>)>>>;

fn inbox(sdk: FintechSdk<Script>, seen: &Seen) -> CallbackInbox<Script> {
    let seen = Arc::clone(seen);
    CallbackInbox::new(sdk, move |event| {
        let seen = Arc::clone(&seen);
        async move {
            seen.lock()
                .unwrap()
                .push((event.facts.status, event.facts.provider_reference));
            Ok::<(), HandlerError>(())
        }
    })
    .with_orders(|claims| {
        let known = claims.reference.as_deref() == Some("ORDER7")
            || claims.provider_reference.as_deref() == Some(CHECKOUT);
        async move {
            known.then(|| {
                Expected::order("ORDER7")
                    .provider_reference(CHECKOUT)
                    .amount(kes(10))
            })
        }
    })
}

#[tokio::test]
async fn the_inbox_delivers_one_event_for_the_stk_callback_and_its_c2b_twin() {
    let script = Script::new();
    script.answer(QUERY_PATH, Answer::Body(200, query_final("0")));
    let seen = Seen::default();
    let inbox = inbox(sdk(&script), &seen);
    let (answer, outcome) = inbox
        .handle_detailed(post("/cb", &stk_callback(0, "10.00")))
        .await;
    assert!(matches!(outcome, Outcome::Delivered(_)), "{outcome:?}");
    assert_eq!(answer.status(), 200);
    assert_eq!(json(answer.body())["ResultCode"], 0);
    let (_, outcome) = inbox
        .handle_detailed(post("/c2b/6f1c/confirmation", C2B))
        .await;
    assert!(matches!(outcome, Outcome::Duplicate(_)), "{outcome:?}");
    assert_eq!(
        *seen.lock().unwrap(),
        vec![(PaymentStatus::Completed, Some(CHECKOUT.to_owned()))]
    );
}

#[tokio::test]
async fn the_inbox_answers_validation_requests_from_your_orders() {
    let script = Script::new();
    let seen = Seen::default();
    let inbox = inbox(sdk(&script), &seen);
    let (answer, outcome) = inbox
        .handle_detailed(post("/c2b/6f1c/validation", C2B))
        .await;
    assert!(matches!(outcome, Outcome::Validated { accepted: true }));
    assert_eq!(json(answer.body())["ResultCode"], "0");
    let wrong_amount = String::from_utf8(C2B.to_vec())
        .unwrap()
        .replace("\"10.00\"", "\"9.00\"");
    let (answer, outcome) = inbox
        .handle_detailed(post("/c2b/6f1c/validation", wrong_amount.as_bytes()))
        .await;
    assert!(matches!(outcome, Outcome::Validated { accepted: false }));
    assert_eq!(json(answer.body())["ResultCode"], "C2B00016");
    let unknown = String::from_utf8(C2B.to_vec())
        .unwrap()
        .replace("ORDER7", "NOPE");
    let (_, outcome) = inbox
        .handle_detailed(post("/c2b/6f1c/validation", unknown.as_bytes()))
        .await;
    assert!(matches!(outcome, Outcome::Validated { accepted: false }));
    assert!(seen.lock().unwrap().is_empty(), "no event for a question");
}

#[tokio::test]
async fn the_inbox_asks_for_a_retry_that_daraja_ignores_when_nothing_vouches() {
    let script = Script::new();
    let seen = Seen::default();
    let inbox = inbox(sdk(&script), &seen);
    let (answer, outcome) = inbox.handle_detailed(post("/result", RESULT)).await;
    assert!(matches!(outcome, Outcome::Retry(_)), "{outcome:?}");
    assert_eq!(answer.status(), 503);
    assert!(seen.lock().unwrap().is_empty());
}

fn pending(started_secs_ago: u64) -> PendingPayment {
    PendingPayment::new(
        "ORDER7",
        CHECKOUT,
        SystemTime::UNIX_EPOCH + Duration::from_secs(T0 - started_secs_ago),
    )
}

#[tokio::test]
async fn reconcile_queries_pending_payments_five_seconds_apart_until_final() {
    let script = Script::new();
    script.answer(QUERY_PATH, Answer::Body(200, QUERY_4999.to_vec()));
    script.answer(QUERY_PATH, Answer::Body(200, QUERY_NO_ANSWER.to_vec()));
    script.answer(QUERY_PATH, Answer::Body(200, query_final("0")));
    let sdk = sdk(&script);
    let options = ReconcileOptions::default()
        .interval(Duration::from_secs(1))
        .attempts(5);
    let reports = sdk.reconcile(&[pending(600)], &options).await;
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].queries, 3);
    match &reports[0].outcome {
        Reconciled::Settled(r) => assert_eq!(r.status, PaymentStatus::Completed),
        other => panic!("{other:?}"),
    }
    // The interval asked for (1 s) was raised to 5 s.
    assert_eq!(script.sleeps(), vec![Duration::from_secs(5); 2]);
    assert_eq!(script.sent(QUERY_PATH).len(), 3);
}

#[tokio::test]
async fn reconcile_reports_still_pending_and_skips_what_is_not_due() {
    let script = Script::new();
    script.answer(QUERY_PATH, Answer::Body(200, QUERY_4999.to_vec()));
    let sdk = sdk(&script);
    let options = ReconcileOptions::default()
        .older_than(Duration::from_secs(120))
        .attempts(2);
    let young = pending(30);
    let reports = sdk.reconcile(&[pending(600), young], &options).await;
    assert!(
        matches!(&reports[0].outcome, Reconciled::StillPending(r) if r.status == PaymentStatus::Pending)
    );
    assert_eq!(reports[0].queries, 2);
    assert!(matches!(reports[1].outcome, Reconciled::NotDue));
    assert_eq!(reports[1].queries, 0);
    assert_eq!(script.sent(QUERY_PATH).len(), 2);
}

#[tokio::test]
async fn reconcile_reports_errors_per_payment_and_keeps_going() {
    let script = Script::new();
    script.answer(QUERY_PATH, Answer::Body(200, query_final("2001")));
    let sdk = sdk(&script);
    let bad = PendingPayment::new(
        "BAD",
        StatusQuery::new(" "),
        SystemTime::UNIX_EPOCH + Duration::from_secs(T0 - 600),
    );
    let options = ReconcileOptions::default().concurrency(2);
    let reports = sdk.reconcile(&[bad, pending(600)], &options).await;
    assert_eq!(reports[0].reference, "BAD");
    assert!(matches!(
        &reports[0].outcome,
        Reconciled::Unanswered(Error::Invalid { .. })
    ));
    assert!(
        matches!(&reports[1].outcome, Reconciled::Settled(r) if r.status == PaymentStatus::Failed)
    );
}
