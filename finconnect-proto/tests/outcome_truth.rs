//! Outcome truth: every row of the table in `finconnect_proto::outcome`, for every
//! non-idempotent operation of every provider, driven through
//! `call::drive_blocking` with canned answers. Each case asserts the exact error
//! class and how many times the request was sent (once, unless nothing left the
//! machine or the token was refused).
#![allow(clippy::unwrap_used)]

use finconnect_proto::azampay::{
    AzampayConfig, BankCheckout, BankProvider, Disburse, MnoCheckout, MnoProvider, Party,
    PostCheckout, Wallet,
};
use finconnect_proto::call::{drive_blocking, Call};
use finconnect_proto::clickpesa::{
    BankPayout, CardCustomer, CheckoutAmount, ClickpesaConfig, CreateBankPayout,
    CreateMobileMoneyPayout, GenerateCheckoutLink, GeneratePayoutLink, InitiateCardPayment,
    InitiateUssdPush, MobileMoneyPayout, OrderReference, TransferType,
};
use finconnect_proto::pesapal::{
    BillingAddress, CancelOrder, IpnId, Order, OrderTrackingId, PesapalConfig, RefundRequest,
    SubmitOrder,
};
use finconnect_proto::retry::Failure;
use finconnect_proto::{
    AccessToken, Currency, Description, Error, HttpsUrl, MerchantReference, Money, Msisdn,
    Operation, Secret, UrlPolicy,
};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

type Answer = Result<http::Response<Vec<u8>>, Failure>;

macro_rules! fixture {
    ($provider:literal, $name:literal) => {
        include_bytes!(concat!("fixtures/", $provider, "/", $name)).to_vec()
    };
}

/// 2024-03-18T15:25:45Z, when PesaPal's auth_ok.json was recorded.
fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_710_775_545)
}

fn answer(status: u16, body: impl Into<Vec<u8>>) -> Answer {
    Ok(http::Response::builder()
        .status(status)
        .body(body.into())
        .unwrap())
}

fn with_header(status: u16, name: &str, value: &str, body: &[u8]) -> Answer {
    Ok(http::Response::builder()
        .status(status)
        .header(name, value)
        .body(body.to_vec())
        .unwrap())
}

/// The result of one drive: the error (or `Ok`), and the requests sent.
struct Driven {
    result: Result<(), Error>,
    sent: Vec<String>,
}

/// Drives an operation with a cached token over a scripted transport.
fn drive<O: Operation>(api: &O::Api, op: O, script: Vec<Answer>, token: bool) -> Driven {
    let script = RefCell::new(VecDeque::from(script));
    let sent = RefCell::new(Vec::new());
    let cached = token.then(|| {
        AccessToken::new(
            Secret::new("cached-token"),
            t0() + Duration::from_secs(3000),
        )
    });
    let result = drive_blocking(
        Call::new(api, op, cached),
        |req| {
            sent.borrow_mut().push(req.uri().path().to_owned());
            script
                .borrow_mut()
                .pop_front()
                .unwrap_or_else(|| panic!("sent again: {}", req.uri().path()))
        },
        |_| {},
        t0,
    )
    .map(|_| ());
    assert!(script.borrow().is_empty(), "unused answers left");
    Driven {
        result,
        sent: sent.into_inner(),
    }
}

/// What a case must end in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// The output.
    Done,
    /// `Error::OutcomeUnknown` with the operation's reference.
    Unknown,
    /// A known error of this kind.
    Known(Kind),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Provider,
    Rejected,
    Duplicate,
    Unauthorized,
}

fn kind(e: &Error) -> Option<Kind> {
    Some(match e {
        Error::Provider { .. } => Kind::Provider,
        Error::Rejected { .. } => Kind::Rejected,
        Error::DuplicateReference { .. } => Kind::Duplicate,
        Error::Unauthorized { .. } => Kind::Unauthorized,
        _ => return None,
    })
}

type Run = Box<dyn Fn(Vec<Answer>) -> Driven>;

/// One non-idempotent operation and its provider's documented answers.
struct Case {
    name: &'static str,
    reference: &'static str,
    run: Run,
    /// Whether it sends a bearer token (a 401 then re-authenticates).
    auth: bool,
    /// The token answer of its provider.
    token_answer: Vec<u8>,
    success: Answer,
    /// Documented refusals and what they become.
    refusals: Vec<(Answer, Kind)>,
    /// Provider-shaped failures that are not documented refusals.
    not_refusals: Vec<Answer>,
    /// The provider's own readable 5xx body.
    server_error: Vec<u8>,
}

fn runner<O>(api: O::Api, op: O, auth: bool) -> Run
where
    O: Operation + Clone + 'static,
    O::Api: 'static,
{
    Box::new(move |script| drive(&api, op.clone(), script, auth))
}

// ---- operations ----

fn pesapal() -> PesapalConfig {
    PesapalConfig::sandbox("key", "secret").unwrap()
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

fn refund() -> RefundRequest {
    RefundRequest::new(
        "7627027461296499004606",
        Money::from_major(10, Currency::KES).unwrap(),
        "ops",
        "customer asked",
    )
    .unwrap()
}

fn cancel() -> CancelOrder {
    CancelOrder::new(OrderTrackingId::new("96a5e1d9-f711-4423-82ce-dd758f972713").unwrap())
}

fn azampay() -> AzampayConfig {
    AzampayConfig::sandbox("DemoApp", "client", Secret::new("secret")).unwrap()
}

fn tzs(major: i64) -> Money {
    Money::from_major(major, Currency::TZS).unwrap()
}

fn mno() -> MnoCheckout {
    MnoCheckout::new("ORD-123", tzs(2000), "255712345678", MnoProvider::Airtel).unwrap()
}

fn bank() -> BankCheckout {
    BankCheckout::new(
        tzs(5000),
        "0150000000000",
        "255712345678",
        BankProvider::Crdb,
        Secret::new("123456"),
    )
    .unwrap()
    .with_reference("ORD-125")
    .unwrap()
}

fn disburse() -> Disburse {
    Disburse::new(
        "PAYOUT123",
        tzs(5000),
        Party::tz("Demo Merchant", "255650000000", Wallet::Tigo).unwrap(),
        Party::tz("John Doe", "255780000000", Wallet::Airtel).unwrap(),
        UNIX_EPOCH + Duration::from_secs(1_767_956_005),
    )
    .unwrap()
}

fn post_checkout() -> PostCheckout {
    let p = |u: &str| HttpsUrl::parse(u, UrlPolicy::Public).unwrap();
    PostCheckout::new(
        "EXT89772223",
        tzs(100),
        "e9b57fab-1850-44d4-8499-71fd15c845a0",
        "DemoApp",
        "https://shop.example",
        p("https://shop.example/ok"),
        p("https://shop.example/fail"),
        vec!["Shoes".into()],
    )
    .unwrap()
}

fn clickpesa() -> ClickpesaConfig {
    ClickpesaConfig::live("IDclient123", Secret::new("SKapikey456")).unwrap()
}

fn oref(s: &str) -> OrderReference {
    OrderReference::new(s).unwrap()
}

fn phone() -> Msisdn {
    Msisdn::parse("255712345678", "255").unwrap()
}

fn ussd() -> InitiateUssdPush {
    InitiateUssdPush::new(tzs(1000), oref("ORDER123"), phone()).unwrap()
}

fn card() -> InitiateCardPayment {
    InitiateCardPayment::new(
        Money::from_major(10, Currency::USD).unwrap(),
        oref("ORDER124"),
        CardCustomer::Details {
            full_name: "John Doe".into(),
            email: "john@example.com".into(),
            phone: phone(),
        },
    )
    .unwrap()
}

fn checkout_link() -> GenerateCheckoutLink {
    GenerateCheckoutLink::new(CheckoutAmount::Total(tzs(25000)), oref("INV9922")).unwrap()
}

fn mm_payout() -> CreateMobileMoneyPayout {
    CreateMobileMoneyPayout(MobileMoneyPayout::new(tzs(5000), oref("PAYOUT001"), phone()).unwrap())
}

fn bank_payout() -> CreateBankPayout {
    CreateBankPayout(
        BankPayout::new(
            tzs(200_000),
            oref("BANKPAY001"),
            "0150123456789",
            "CORUTZTZ",
            TransferType::Ach,
        )
        .unwrap()
        .account_name("TEMBO SHOP"),
    )
}

fn payout_link() -> GeneratePayoutLink {
    GeneratePayoutLink::new(tzs(5000), oref("PAYLINK001")).unwrap()
}

// ---- the documented answers of each provider ----

const PESAPAL_UNDOCUMENTED_CODE: &[u8] =
    br#"{"error":{"error_type":"api_error","code":"some_new_code","message":"?"},"status":"500"}"#;
const PESAPAL_500_ERROR_OBJECT: &[u8] = br#"{"error":{"error_type":"api_error","code":"internal_error","message":"An error occurred while processing your request"},"status":"500"}"#;

fn pesapal_cases() -> Vec<Case> {
    let token = fixture!("pesapal", "auth_ok.json");
    let four_xx_error_object = br#"{"error":{"error_type":"invalid_request_error","code":"another_code","message":"bad"},"status":"400"}"#;
    let unknown_path = fixture!("pesapal", "error_unknown_path.json");
    vec![
        Case {
            name: "PesaPal SubmitOrderRequest",
            reference: "ORDER-77",
            run: runner(pesapal(), submit(), true),
            auth: true,
            token_answer: token.clone(),
            success: answer(200, fixture!("pesapal", "submit_order_ok.json")),
            refusals: vec![
                (
                    answer(200, fixture!("pesapal", "error_invalid_ipn_id.json")),
                    Kind::Provider,
                ),
                (
                    answer(
                        200,
                        fixture!("pesapal", "error_invalid_request_parameters.json"),
                    ),
                    Kind::Provider,
                ),
                (
                    answer(200, fixture!("pesapal", "error_invalid_credentials.json")),
                    Kind::Unauthorized,
                ),
                (answer(400, four_xx_error_object.to_vec()), Kind::Provider),
                (answer(404, unknown_path.clone()), Kind::Provider),
            ],
            not_refusals: vec![
                answer(200, PESAPAL_UNDOCUMENTED_CODE),
                answer(
                    200,
                    br#"{"status":"500","message":"Something went wrong"}"#.to_vec(),
                ),
                answer(200, br#"{"status":"200"}"#.to_vec()),
                answer(400, b"{}".to_vec()),
            ],
            server_error: PESAPAL_500_ERROR_OBJECT.to_vec(),
        },
        Case {
            name: "PesaPal RefundRequest",
            reference: "7627027461296499004606",
            run: runner(pesapal(), refund(), true),
            auth: true,
            token_answer: token.clone(),
            success: answer(200, fixture!("pesapal", "refund_ok.json")),
            refusals: vec![
                (
                    answer(200, fixture!("pesapal", "refund_already.json")),
                    Kind::Provider,
                ),
                (
                    answer(200, fixture!("pesapal", "refund_invalid_amount.json")),
                    Kind::Provider,
                ),
                (
                    answer(200, fixture!("pesapal", "refund_invalid_params.json")),
                    Kind::Provider,
                ),
                (answer(400, four_xx_error_object.to_vec()), Kind::Provider),
                (answer(404, unknown_path.clone()), Kind::Provider),
            ],
            not_refusals: vec![
                answer(200, PESAPAL_UNDOCUMENTED_CODE),
                answer(200, br#"{"status":"500"}"#.to_vec()),
                answer(200, b"{}".to_vec()),
                answer(400, b"{}".to_vec()),
            ],
            // A refusal-looking body with a 5xx still proves nothing.
            server_error: fixture!("pesapal", "refund_already.json"),
        },
        Case {
            name: "PesaPal CancelOrder",
            reference: "96a5e1d9-f711-4423-82ce-dd758f972713",
            run: runner(pesapal(), cancel(), true),
            auth: true,
            token_answer: token,
            success: answer(200, fixture!("pesapal", "cancel_ok.json")),
            refusals: vec![
                (
                    answer(200, fixture!("pesapal", "cancel_refused.json")),
                    Kind::Provider,
                ),
                (answer(400, four_xx_error_object.to_vec()), Kind::Provider),
                (answer(404, unknown_path), Kind::Provider),
            ],
            not_refusals: vec![
                answer(200, PESAPAL_UNDOCUMENTED_CODE),
                answer(200, br#"{"status":"500"}"#.to_vec()),
                answer(400, b"[]".to_vec()),
            ],
            server_error: fixture!("pesapal", "cancel_refused.json"),
        },
    ]
}

fn azampay_cases() -> Vec<Case> {
    let token = fixture!("azampay", "token_ok.json");
    let validation = fixture!("azampay", "checkout_validation_400.json");
    let server = fixture!("azampay", "token_error_500.json");
    let envelope_not_refusals = || {
        vec![
            // A message without AzamPay's failure marker, a bare string, an
            // object without a message: none is a refusal AzamPay documents.
            answer(400, br#"{"message":"Bad Request"}"#.to_vec()),
            answer(400, br#""Bad Request""#.to_vec()),
            answer(404, br#"{"success":false}"#.to_vec()),
            answer(200, br#"{"errors":{"amount":["bad"]}}"#.to_vec()),
        ]
    };
    let credentials = fixture!("azampay", "token_invalid_423.json");
    vec![
        Case {
            name: "AzamPay MnoCheckout",
            reference: "ORD-123",
            run: runner(azampay(), mno(), true),
            auth: true,
            token_answer: token.clone(),
            success: answer(200, fixture!("azampay", "mno_checkout_ok.json")),
            refusals: vec![
                (
                    answer(200, fixture!("azampay", "mno_checkout_refused_200.json")),
                    Kind::Provider,
                ),
                (answer(400, validation.clone()), Kind::Rejected),
                (answer(423, credentials.clone()), Kind::Unauthorized),
                (
                    answer(
                        200,
                        br#"{"success":false,"message":"Duplicate externalId"}"#.to_vec(),
                    ),
                    Kind::Duplicate,
                ),
            ],
            not_refusals: envelope_not_refusals(),
            server_error: server.clone(),
        },
        Case {
            name: "AzamPay BankCheckout",
            reference: "ORD-125",
            run: runner(azampay(), bank(), true),
            auth: true,
            token_answer: token.clone(),
            success: answer(
                200,
                fixture!("azampay", "bank_checkout_ok_samples_shape.json"),
            ),
            refusals: vec![
                (
                    answer(200, br#"{"success":false,"msg":"Invalid OTP"}"#.to_vec()),
                    Kind::Provider,
                ),
                (answer(400, validation.clone()), Kind::Rejected),
                (answer(423, credentials.clone()), Kind::Unauthorized),
            ],
            not_refusals: envelope_not_refusals(),
            server_error: server.clone(),
        },
        Case {
            name: "AzamPay Disburse",
            reference: "PAYOUT123",
            run: runner(azampay(), disburse(), true),
            auth: true,
            token_answer: token.clone(),
            success: answer(200, fixture!("azampay", "disburse_ok.json")),
            refusals: vec![
                (
                    answer(400, fixture!("azampay", "disburse_400_invalid_bank.json")),
                    Kind::Provider,
                ),
                (
                    answer(402, fixture!("azampay", "disburse_402_expired.json")),
                    Kind::Provider,
                ),
                (
                    answer(403, fixture!("azampay", "disburse_403_duplicate.json")),
                    Kind::Duplicate,
                ),
                (answer(423, credentials.clone()), Kind::Unauthorized),
            ],
            not_refusals: envelope_not_refusals(),
            server_error: server.clone(),
        },
        Case {
            name: "AzamPay PostCheckout",
            reference: "EXT89772223",
            run: runner(azampay(), post_checkout(), false),
            auth: false,
            token_answer: token,
            success: answer(200, fixture!("azampay", "post_checkout_ok_raw.txt")),
            refusals: vec![
                (answer(400, validation), Kind::Rejected),
                (answer(423, credentials), Kind::Unauthorized),
            ],
            not_refusals: vec![
                // Only the validation problem is documented for PostCheckout.
                answer(200, fixture!("azampay", "mno_checkout_refused_200.json")),
                answer(
                    400,
                    br#"{"success":false,"message":"Invalid vendor"}"#.to_vec(),
                ),
                answer(400, b"Invalid vendor".to_vec()),
                answer(200, b"ftp://pay.example/x".to_vec()),
            ],
            server_error: server,
        },
    ]
}

fn clickpesa_cases() -> Vec<Case> {
    let token = fixture!("clickpesa", "token_ok.json");
    let refusals = || {
        vec![
            (
                answer(400, fixture!("clickpesa", "error_400_phone.json")),
                Kind::Provider,
            ),
            (
                answer(
                    400,
                    fixture!("clickpesa", "error_nest_invalid_checksum.json"),
                ),
                Kind::Provider,
            ),
            (
                answer(404, fixture!("clickpesa", "error_404_no_methods.json")),
                Kind::Provider,
            ),
            (
                answer(409, fixture!("clickpesa", "error_409_reference_used.json")),
                Kind::Duplicate,
            ),
            (
                answer(409, b"<html>409 Conflict</html>".to_vec()),
                Kind::Duplicate,
            ),
        ]
    };
    let not_refusals = || {
        vec![
            answer(400, b"{}".to_vec()),
            answer(400, br#"{"statusCode":400,"error":"Bad Request"}"#.to_vec()),
            answer(404, br#"{"message":""}"#.to_vec()),
            answer(400, b"Bad Request".to_vec()),
        ]
    };
    let payout_refusals = || {
        let mut r = refusals();
        r.push((
            answer(400, fixture!("clickpesa", "error_400_payout_cooldown.json")),
            Kind::Duplicate,
        ));
        r.push((
            answer(
                400,
                fixture!("clickpesa", "error_400_insufficient_balance.json"),
            ),
            Kind::Provider,
        ));
        r
    };
    let server = fixture!("clickpesa", "error_500_fee.json");
    let case = |name, reference, run, success, refusals| Case {
        name,
        reference,
        run,
        auth: true,
        token_answer: token.clone(),
        success,
        refusals,
        not_refusals: not_refusals(),
        server_error: server.clone(),
    };
    vec![
        case(
            "ClickPesa initiate-ussd-push-request",
            "ORDER123",
            runner(clickpesa(), ussd(), true),
            answer(200, fixture!("clickpesa", "ussd_push_ok.json")),
            refusals(),
        ),
        case(
            "ClickPesa initiate-card-payment",
            "ORDER124",
            runner(clickpesa(), card(), true),
            answer(200, fixture!("clickpesa", "card_initiate_ok.json")),
            refusals(),
        ),
        case(
            "ClickPesa generate-checkout-url",
            "INV9922",
            runner(clickpesa(), checkout_link(), true),
            answer(200, fixture!("clickpesa", "checkout_link_ok.json")),
            refusals(),
        ),
        case(
            "ClickPesa create-mobile-money-payout",
            "PAYOUT001",
            runner(clickpesa(), mm_payout(), true),
            answer(200, fixture!("clickpesa", "payout_mm_create_ok.json")),
            payout_refusals(),
        ),
        case(
            "ClickPesa create-bank-payout",
            "BANKPAY001",
            runner(clickpesa(), bank_payout(), true),
            answer(200, fixture!("clickpesa", "payout_bank_create_ok.json")),
            payout_refusals(),
        ),
        case(
            "ClickPesa generate-payout-url",
            "PAYLINK001",
            runner(clickpesa(), payout_link(), true),
            answer(200, fixture!("clickpesa", "payout_link_ok.json")),
            refusals(),
        ),
    ]
}

fn all_cases() -> Vec<Case> {
    let mut cases = pesapal_cases();
    cases.extend(azampay_cases());
    cases.extend(clickpesa_cases());
    cases
}

const CLOUDFLARE: &[u8] =
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>";

/// The rows of the table that are the same for every provider.
fn common_rows(case: &Case) -> Vec<(&'static str, Vec<Answer>, Expect, usize)> {
    let server = case.server_error.clone();
    vec![
        (
            "connection refused, then a result",
            vec![Err(Failure::Connect), clone(&case.success)],
            Expect::Done,
            2,
        ),
        (
            "lost after sending",
            vec![Err(Failure::Lost)],
            Expect::Unknown,
            1,
        ),
        (
            "500 empty",
            vec![answer(500, Vec::new())],
            Expect::Unknown,
            1,
        ),
        (
            "502 HTML",
            vec![answer(502, CLOUDFLARE)],
            Expect::Unknown,
            1,
        ),
        (
            "503 with the provider's error body",
            vec![answer(503, server.clone())],
            Expect::Unknown,
            1,
        ),
        (
            "500 with the provider's error body",
            vec![answer(500, server.clone())],
            Expect::Unknown,
            1,
        ),
        (
            "504 from an API gateway",
            vec![answer(
                504,
                br#"{"message":"Endpoint request timed out"}"#.to_vec(),
            )],
            Expect::Unknown,
            1,
        ),
        (
            "200 not JSON",
            vec![answer(200, b"{\"status\":\"200\",".to_vec())],
            Expect::Unknown,
            1,
        ),
        (
            "200 HTML",
            vec![answer(200, CLOUDFLARE)],
            Expect::Unknown,
            1,
        ),
        (
            "200 empty",
            vec![answer(200, Vec::new())],
            Expect::Unknown,
            1,
        ),
        (
            "403 HTML from the edge",
            vec![answer(403, CLOUDFLARE)],
            Expect::Known(Kind::Provider),
            1,
        ),
        (
            "400 HTML from a proxy",
            vec![answer(400, CLOUDFLARE)],
            Expect::Unknown,
            1,
        ),
        (
            "404 empty",
            vec![answer(404, Vec::new())],
            Expect::Unknown,
            1,
        ),
        (
            "408 request timeout",
            vec![answer(408, server.clone())],
            Expect::Unknown,
            1,
        ),
        (
            "499 client closed",
            vec![answer(499, Vec::new())],
            Expect::Unknown,
            1,
        ),
        (
            "429 with Retry-After",
            vec![with_header(
                429,
                "retry-after",
                "1",
                br#"{"message":"Too Many Requests"}"#,
            )],
            Expect::Known(Kind::Provider),
            1,
        ),
        (
            "429 empty",
            vec![answer(429, Vec::new())],
            Expect::Known(Kind::Provider),
            1,
        ),
        (
            "302 redirect",
            vec![with_header(
                302,
                "location",
                "https://elsewhere.example/",
                b"",
            )],
            Expect::Unknown,
            1,
        ),
        ("success", vec![clone(&case.success)], Expect::Done, 1),
    ]
}

fn clone(a: &Answer) -> Answer {
    match a {
        Ok(r) => answer(r.status().as_u16(), r.body().clone()),
        Err(f) => Err(*f),
    }
}

fn check(case: &Case, row: &str, script: Vec<Answer>, expect: Expect, sends: usize) {
    let ctx = format!("{} / {row}", case.name);
    let driven = (case.run)(script);
    assert_eq!(
        driven.sent.len(),
        sends,
        "{ctx}: requests sent {:?}",
        driven.sent
    );
    match (expect, &driven.result) {
        (Expect::Done, Ok(())) => {}
        (Expect::Unknown, Err(e @ Error::OutcomeUnknown { reference, .. })) => {
            assert!(!e.outcome_known(), "{ctx}");
            assert_eq!(reference.as_deref(), Some(case.reference), "{ctx}: {e}");
        }
        (Expect::Known(k), Err(e)) if kind(e) == Some(k) => {
            assert!(e.outcome_known(), "{ctx}: {e}");
        }
        (expect, got) => panic!("{ctx}: expected {expect:?}, got {got:?}"),
    }
}

#[test]
fn every_row_for_every_non_idempotent_operation() {
    let cases = all_cases();
    assert_eq!(cases.len(), 13);
    for case in &cases {
        for (row, script, expect, sends) in common_rows(case) {
            check(case, row, script, expect, sends);
        }
        for (i, (refusal, k)) in case.refusals.iter().enumerate() {
            check(
                case,
                &format!("documented refusal #{i}"),
                vec![clone(refusal)],
                Expect::Known(*k),
                1,
            );
        }
        for (i, other) in case.not_refusals.iter().enumerate() {
            check(
                case,
                &format!("undocumented failure #{i}"),
                vec![clone(other)],
                Expect::Unknown,
                1,
            );
        }
    }
}

#[test]
fn a_refused_token_is_refused_before_processing_so_sent_once_more() {
    for case in all_cases() {
        let refused = answer(401, br#"{"message":"Unauthorized"}"#.to_vec());
        if !case.auth {
            // No token is sent: a 401 is a refusal at the door.
            check(
                &case,
                "401",
                vec![refused],
                Expect::Known(Kind::Unauthorized),
                1,
            );
            continue;
        }
        let token = answer(200, case.token_answer.clone());
        check(
            &case,
            "401, re-authenticate, result",
            vec![clone(&refused), clone(&token), clone(&case.success)],
            Expect::Done,
            3,
        );
        check(
            &case,
            "401, re-authenticate, 401",
            vec![clone(&refused), token, refused],
            Expect::Known(Kind::Unauthorized),
            3,
        );
    }
}

// ---- the four reproductions ----

#[test]
fn clickpesa_ussd_push_http_500_is_unknown() {
    let d = drive(
        &clickpesa(),
        ussd(),
        vec![answer(500, fixture!("clickpesa", "error_500_fee.json"))],
        true,
    );
    assert_eq!(d.sent.len(), 1);
    let err = d.result.unwrap_err();
    assert!(
        matches!(&err, Error::OutcomeUnknown { reference: Some(r), reason, .. }
            if r == "ORDER123" && reason.contains("Error validating fee")),
        "{err:?}"
    );
}

#[test]
fn clickpesa_payout_http_504_endpoint_timed_out_is_unknown() {
    let d = drive(
        &clickpesa(),
        mm_payout(),
        vec![answer(
            504,
            br#"{"message":"Endpoint request timed out"}"#.to_vec(),
        )],
        true,
    );
    assert_eq!(
        d.sent,
        ["/third-parties/payouts/create-mobile-money-payout"]
    );
    let err = d.result.unwrap_err();
    assert!(!err.outcome_known());
    assert!(
        matches!(&err, Error::OutcomeUnknown { reference: Some(r), .. } if r == "PAYOUT001"),
        "{err:?}"
    );
}

#[test]
fn azampay_checkout_http_500_is_unknown() {
    let d = drive(
        &azampay(),
        mno(),
        vec![answer(500, fixture!("azampay", "token_error_500.json"))],
        true,
    );
    assert_eq!(d.sent, ["/azampay/mno/checkout"]);
    let err = d.result.unwrap_err();
    assert!(
        matches!(&err, Error::OutcomeUnknown { reference: Some(r), .. } if r == "ORD-123"),
        "{err:?}"
    );
}

#[test]
fn pesapal_submit_order_http_500_with_an_error_object_is_unknown() {
    let d = drive(
        &pesapal(),
        submit(),
        vec![answer(500, PESAPAL_500_ERROR_OBJECT)],
        true,
    );
    assert_eq!(d.sent, ["/pesapalv3/api/Transactions/SubmitOrderRequest"]);
    let err = d.result.unwrap_err();
    assert!(
        matches!(&err, Error::OutcomeUnknown { reference: Some(r), .. } if r == "ORDER-77"),
        "{err:?}"
    );
    // Even a documented code proves nothing under a 5xx.
    let d = drive(
        &pesapal(),
        submit(),
        vec![answer(
            500,
            fixture!("pesapal", "error_invalid_ipn_id.json"),
        )],
        true,
    );
    assert!(matches!(d.result, Err(Error::OutcomeUnknown { .. })));
}

// ---- idempotent operations keep their behaviour ----

#[test]
fn a_status_query_retries_a_readable_5xx_and_then_reports_it() {
    use finconnect_proto::pesapal::GetTransactionStatus;
    let op = || {
        GetTransactionStatus::new(
            OrderTrackingId::new("dbc707c0-49be-43c8-823b-db1c193d0cfb").unwrap(),
        )
    };
    let d = drive(
        &pesapal(),
        op(),
        vec![
            answer(500, PESAPAL_500_ERROR_OBJECT),
            answer(500, PESAPAL_500_ERROR_OBJECT),
            answer(500, PESAPAL_500_ERROR_OBJECT),
        ],
        true,
    );
    assert_eq!(d.sent.len(), 3);
    let err = d.result.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Provider {
                http_status: Some(500),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.outcome_known());
    let d = drive(
        &pesapal(),
        op(),
        vec![
            answer(503, CLOUDFLARE),
            answer(503, b"".to_vec()),
            answer(502, b"".to_vec()),
        ],
        true,
    );
    assert!(
        matches!(d.result, Err(Error::Transport { attempts: 3, .. })),
        "{:?}",
        d.result
    );
}
