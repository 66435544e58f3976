//! Every PesaPal fixture parsed, with its values asserted.
#![allow(clippy::unwrap_used)]

use finconnect_proto::pesapal::*;
use finconnect_proto::{Body, Currency, Error, Expiry, Money, Operation, PaymentStatus};
use std::time::{Duration, UNIX_EPOCH};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("fixtures/pesapal/", $name)).to_vec()
    };
}

fn resp(status: u16, body: Vec<u8>) -> http::Response<Vec<u8>> {
    http::Response::builder().status(status).body(body).unwrap()
}

fn tracking(s: &str) -> OrderTrackingId {
    OrderTrackingId::new(s).unwrap()
}

fn status_of(body: Vec<u8>) -> Result<TransactionStatus, Error> {
    GetTransactionStatus::new(tracking("96a5e1d9-f711-4423-82ce-dd758f972713"))
        .read(resp(200, body))
}

#[test]
fn auth_ok_reads_token_and_seven_digit_expiry() {
    let grant = RequestToken
        .read(resp(200, fixture!("auth_ok.json")))
        .unwrap();
    assert!(grant.value.expose().starts_with("eyJhbGciOiJIUzI1NiIs"));
    // 2024-03-18T16:25:45.7793772Z
    let expected = UNIX_EPOCH + Duration::new(1_710_779_145, 779_377_200);
    assert_eq!(grant.expiry, Expiry::At(expected));
}

#[test]
fn auth_lifetime_is_measured_on_pesapals_clock_when_dated() {
    let response = http::Response::builder()
        .header("Date", "Mon, 18 Mar 2024 15:25:45 GMT")
        .body(fixture!("auth_ok.json"))
        .unwrap();
    let grant = RequestToken.read(response).unwrap();
    assert_eq!(
        grant.expiry,
        Expiry::After(Duration::new(3600, 779_377_200))
    );
    // An unreadable Date header: the absolute instant.
    let response = http::Response::builder()
        .header("Date", "yesterday")
        .body(fixture!("auth_ok.json"))
        .unwrap();
    assert!(matches!(
        RequestToken.read(response).unwrap().expiry,
        Expiry::At(_)
    ));
}

#[test]
fn auth_without_or_with_bad_expiry_assumes_five_minutes() {
    for body in [
        r#"{"token":"abc","error":null,"status":"200"}"#,
        r#"{"token":"abc","expiryDate":"tomorrow","error":null,"status":"200"}"#,
        r#"{"token":"abc","expiryDate":null,"status":200}"#,
    ] {
        let grant = RequestToken
            .read(resp(200, body.as_bytes().to_vec()))
            .unwrap();
        assert_eq!(
            grant.expiry,
            Expiry::After(Duration::from_secs(300)),
            "{body}"
        );
    }
}

#[test]
fn invalid_credentials_is_unauthorized_with_environment_hint() {
    for status in [200, 500] {
        let err = RequestToken
            .read(resp(status, fixture!("error_invalid_credentials.json")))
            .unwrap_err();
        match &err {
            Error::Unauthorized { hint, message, .. } => {
                assert!(hint
                    .unwrap()
                    .contains("sandbox keys against live, or the reverse?"));
                assert!(message.contains("invalid_consumer_key_or_secret_provided"));
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn token_answer_is_never_quoted() {
    let err = RequestToken
        .read(resp(200, br#"{"token":"","secretish":"jwt.abc"}"#.to_vec()))
        .unwrap_err();
    assert!(!err.to_string().contains("jwt.abc"), "{err}");
    let err = RequestToken
        .read(resp(200, br#"{"token":"jwt.abc", "#.to_vec()))
        .unwrap_err();
    assert!(!err.to_string().contains("jwt.abc"), "{err}");
    // Nor is a 4xx answer without PesaPal's message.
    let err = RequestToken
        .read(resp(400, br#"{"echo":"jwt.abc"}"#.to_vec()))
        .unwrap_err();
    assert!(matches!(err, Error::Provider { .. }), "{err:?}");
    assert!(!err.to_string().contains("jwt.abc"), "{err}");
}

#[test]
fn invalid_token_is_an_auth_failure() {
    let api = PesapalConfig::sandbox("k", "s").unwrap();
    use finconnect_proto::Api;
    for status in [200, 401, 500] {
        assert!(api.is_auth_failure(&resp(status, fixture!("error_invalid_token.json"))));
    }
    assert!(api.is_auth_failure(&resp(401, b"".to_vec())));
    assert!(!api.is_auth_failure(&resp(200, fixture!("status_pending.json"))));
    assert!(!api.is_auth_failure(&resp(200, fixture!("error_invalid_credentials.json"))));
    assert!(!api.is_auth_failure(&resp(403, b"<html>cloudflare</html>".to_vec())));
    // The words alone are not enough: they must be the error's code or type.
    let typed = br#"{"error":{"error_type":"authentication_error","code":null},"status":"500"}"#;
    assert!(api.is_auth_failure(&resp(200, typed.to_vec())));
    let quoted = br#"{"status":"500","message":"invalid_api_credentials_provided"}"#;
    assert!(!api.is_auth_failure(&resp(200, quoted.to_vec())));
    // Reaching a parser anyway, it is Unauthorized.
    let err = GetIpnList
        .read(resp(200, fixture!("error_invalid_token.json")))
        .unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
}

#[test]
fn register_ipn_ok_with_typo_field() {
    let op = RegisterIpn::new("https://shop.example/ipn", IpnMethod::Get).unwrap();
    let r = op
        .read(resp(200, fixture!("register_ipn_ok.json")))
        .unwrap();
    assert_eq!(r.ipn_id.as_str(), "1da86d1c-1e8c-4183-bdfd-dd759463e4ce");
    assert_eq!(
        r.url,
        "http://www.padberg.com/dolores-quia-porro-debitis-architecto-quia-repellat"
    );
    assert_eq!(r.method, Some(IpnMethod::Get));
    assert_eq!(r.active, Some(true));
    assert_eq!(r.status_description.as_deref(), Some("Active"));
    assert_eq!(r.id, Some(4278));
    assert_eq!(
        r.created_date.as_deref(),
        Some("2024-03-18T15:25:46.2652354Z")
    );
    assert_eq!(
        r.created_at(),
        Some(UNIX_EPOCH + Duration::new(1_710_775_546, 265_235_400))
    );
}

#[test]
fn register_ipn_post_ok_and_correct_spelling() {
    let op = RegisterIpn::new("https://merchant.example/pesapal/ipn", IpnMethod::Post).unwrap();
    let r = op
        .read(resp(200, fixture!("register_ipn_post_ok.json")))
        .unwrap();
    assert_eq!(r.ipn_id.as_str(), "5b0f3c2e-8d4a-4c71-9e26-3f1a7d9b2c40");
    assert_eq!(r.method, Some(IpnMethod::Post));
    assert_eq!(r.id, None);
    assert_eq!(r.created_date, None);
    let body = String::from_utf8(fixture!("register_ipn_post_ok.json"))
        .unwrap()
        .replace("ipn_status_decription", "ipn_status_description")
        .replace("\"ipn_status\":1", "\"ipn_status\":\"0\"");
    let r = op.read(resp(200, body.into_bytes())).unwrap();
    assert_eq!(r.status_description.as_deref(), Some("Active"));
    assert_eq!(r.active, Some(false));
}

#[test]
fn register_ipn_invalid_url() {
    let op = RegisterIpn::new("https://shop.example/ipn", IpnMethod::Get).unwrap();
    let err = op
        .read(resp(200, fixture!("register_ipn_invalid_url.json")))
        .unwrap_err();
    match err {
        Error::Provider {
            code,
            message,
            http_status,
            hint,
            ..
        } => {
            assert_eq!(code.as_deref(), Some("invalid_url"));
            assert_eq!(message, "The specified url provided is invalid");
            assert_eq!(http_status, Some(200));
            assert!(hint.unwrap().contains("public"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn ipn_lists() {
    assert!(GetIpnList
        .read(resp(200, fixture!("ipn_list_empty.json")))
        .unwrap()
        .is_empty());
    let list = GetIpnList
        .read(resp(200, fixture!("ipn_list_docs_example.json")))
        .unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].url, "https://www.myapplication.com/ipn");
    assert_eq!(
        list[0].ipn_id.as_str(),
        "e32182ca-0983-4fa0-91bc-c3bb813ba750"
    );
    assert_eq!(
        list[0].created_date.as_deref(),
        Some("2022-03-03T17:29:03.7208266Z")
    );
    // PesaPal's sample holds a malformed GUID: accepted as it is.
    assert_eq!(
        list[1].ipn_id.as_str(),
        "c3bb813ba750-0983-4fa0-91bc-e32182ca"
    );
    assert_eq!(list[1].method, None);
    assert_eq!(
        GetIpnList::find(&list, "https://ipn.myapplication.com/application2/")
            .unwrap()
            .ipn_id
            .as_str(),
        "c3bb813ba750-0983-4fa0-91bc-e32182ca"
    );
    assert!(GetIpnList::find(&list, "https://other.example/").is_none());
    // An error object instead of an array.
    let err = GetIpnList
        .read(resp(200, fixture!("error_invalid_request_parameters.json")))
        .unwrap_err();
    assert!(
        matches!(err, Error::Provider { code: Some(ref c), .. } if c == "invalid_api_request_parameters")
    );
}

fn sample_submit() -> SubmitOrder {
    let order = Order::new(
        finconnect_proto::MerchantReference::new("TEST1515111119").unwrap(),
        Money::from_major(100, Currency::KES).unwrap(),
        finconnect_proto::Description::new("Payment").unwrap(),
        "https://shop.example/paid",
        BillingAddress::email("john.doe@example.com"),
    )
    .unwrap();
    SubmitOrder::new(
        order,
        IpnId::new("fe078e53-78da-4a83-aa89-e7ded5c456e6").unwrap(),
    )
}

#[test]
fn submit_order_answers() {
    let out = sample_submit()
        .read(resp(200, fixture!("submit_order_ok.json")))
        .unwrap();
    assert_eq!(
        out.order_tracking_id.as_str(),
        "96a5e1d9-f711-4423-82ce-dd758f972713"
    );
    assert_eq!(
        out.merchant_reference,
        "98771cd2-e240-3656-9e10-eb2f3d687ab2"
    );
    assert_eq!(out.redirect_url, "https://cybqa.pesapal.com/pesapaliframe/PesapalIframe3/Index?OrderTrackingId=96a5e1d9-f711-4423-82ce-dd758f972713");
    let out = sample_submit()
        .read(resp(200, fixture!("submit_order_docs_example.json")))
        .unwrap();
    assert_eq!(
        out.order_tracking_id.as_str(),
        "b945e4af-80a5-4ec1-8706-e03f8332fb04"
    );
    assert_eq!(out.merchant_reference, "TEST1515111119");
    // Used as it is, the odd `Index/?` included.
    assert!(out
        .redirect_url
        .ends_with("/Index/?OrderTrackingId=b945e4af-80a5-4ec1-8706-e03f8332fb04"));
}

#[test]
fn submit_order_invalid_ipn_id_hints_at_the_other_environment() {
    let err = sample_submit()
        .read(resp(200, fixture!("error_invalid_ipn_id.json")))
        .unwrap_err();
    match err {
        Error::Provider { code, hint, .. } => {
            assert_eq!(code.as_deref(), Some("InvalidIpnId"));
            let hint = hint.unwrap();
            assert!(
                hint.contains("other environment") || hint.contains("sandbox ipn_id"),
                "{hint}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn status_pending_is_pending_not_failed() {
    let s = status_of(fixture!("status_pending.json")).unwrap();
    assert_eq!(s.status, PaymentStatus::Pending);
    assert_eq!(s.status_code, Some(0));
    assert_eq!(s.payment_status_description.as_deref(), Some("INVALID"));
    assert_eq!(s.amount, Some(Money::from_minor(1000, Currency::KES)));
    assert_eq!(s.currency_code.as_deref(), Some("KES"));
    assert_eq!(s.merchant_reference, "98771cd2-e240-3656-9e10-eb2f3d687ab2");
    assert_eq!(
        s.order_tracking_id.as_str(),
        "96a5e1d9-f711-4423-82ce-dd758f972713"
    );
    assert_eq!(s.description, None);
    assert_eq!(s.confirmation_code, None);
    assert_eq!(s.payment_method, None);
    assert_eq!(s.created_date.as_deref(), Some("2024-03-18T18:25:46.75"));
    // 18:25:46.75 EAT = 15:25:46.75 UTC
    assert_eq!(
        s.created_at_assumed_eat(),
        Some(UNIX_EPOCH + Duration::new(1_710_775_546, 750_000_000))
    );
    // Also pending when the server says HTTP 500 (reported for still-processing payments).
    let s = GetTransactionStatus::new(tracking("96a5e1d9-f711-4423-82ce-dd758f972713"))
        .read(resp(500, fixture!("status_pending.json")))
        .unwrap();
    assert_eq!(s.status, PaymentStatus::Pending);
}

#[test]
fn status_failed_with_four_key_null_error() {
    let s = status_of(fixture!("status_failed.json")).unwrap();
    assert_eq!(s.status, PaymentStatus::Failed);
    assert_eq!(s.status_code, Some(2));
    assert_eq!(s.payment_method.as_deref(), Some("Visa"));
    assert_eq!(
        s.amount,
        Some(Money::from_major(100, Currency::KES).unwrap())
    );
    assert_eq!(
        s.confirmation_code.as_deref(),
        Some("6513008693186320103009")
    );
    assert_eq!(s.payment_account.as_deref(), Some("476173**0010"));
    assert_eq!(s.merchant_reference, "1515111111");
    assert_eq!(s.payment_status_code, None);
    assert_eq!(
        s.description.as_deref(),
        Some("Unable to Authorize Transaction.Kindly contact your bank for assistance")
    );
    assert_eq!(s.created_date.as_deref(), Some("2022-04-30T07:41:09.763"));
    assert!(s.created_at_assumed_eat().is_some());
    assert_eq!(s.subscription_transaction_info, None);
    // PesaPal's sample has no order_tracking_id: the one asked about.
    assert_eq!(
        s.order_tracking_id.as_str(),
        "96a5e1d9-f711-4423-82ce-dd758f972713"
    );
}

#[test]
fn status_completed_with_three_key_null_error() {
    let s = status_of(fixture!("status_completed.json")).unwrap();
    assert_eq!(s.status, PaymentStatus::Completed);
    assert!(s.is_paid());
    assert_eq!(
        s.amount,
        Some(Money::from_major(1000, Currency::TZS).unwrap())
    );
    assert_eq!(s.amount_text.as_deref(), Some("1000.0"));
    assert_eq!(
        s.confirmation_code.as_deref(),
        Some("7627027461296499004606")
    );
    assert_eq!(s.payment_account.as_deref(), Some("476173XXXXXX0010"));
    assert_eq!(s.merchant_reference, "TX-1");
    assert_eq!(s.account_number, None);
    assert_eq!(
        s.order_tracking_id.as_str(),
        "dbc707c0-49be-43c8-823b-db1c193d0cfb"
    );
    assert_eq!(s.message.as_deref(), Some("Request processed successfully"));
    let reference = finconnect_proto::MerchantReference::new("TX-1").unwrap();
    assert!(s
        .reconcile(&reference, Money::from_major(1000, Currency::TZS).unwrap())
        .is_ok());
    assert!(matches!(
        s.reconcile(&reference, Money::from_major(1000, Currency::KES).unwrap()),
        Err(Mismatch::Currency { .. })
    ));
    assert!(matches!(
        s.reconcile(
            &finconnect_proto::MerchantReference::new("TX-2").unwrap(),
            Money::from_major(1000, Currency::TZS).unwrap()
        ),
        Err(Mismatch::Reference { .. })
    ));
    assert!(matches!(
        s.reconcile(&reference, Money::from_minor(100_001, Currency::TZS)),
        Err(Mismatch::Amount { .. })
    ));
}

#[test]
fn status_recurring_has_subscription_info() {
    let s = status_of(fixture!("status_recurring.json")).unwrap();
    let info = s.subscription_transaction_info.unwrap();
    assert_eq!(info.account_reference.as_deref(), Some("555-678"));
    assert_eq!(
        info.amount,
        Some(Money::from_major(100, Currency::KES).unwrap())
    );
    assert_eq!(info.first_name.as_deref(), Some("John"));
    assert_eq!(info.last_name.as_deref(), Some("Doe"));
    assert_eq!(info.correlation_id.as_deref(), Some("111222"));
}

#[test]
fn status_amounts_as_strings_floats_and_status_as_number() {
    let body = br#"{"status_code":"1","amount":"0.4","currency":"KES","merchant_reference":"A","status":200,"error":null,"extra":{"x":[1,2]}}"#;
    let s = status_of(body.to_vec()).unwrap();
    assert_eq!(s.status, PaymentStatus::Completed);
    assert_eq!(s.amount, Some(Money::from_minor(40, Currency::KES)));
    let body = br#"{"status_code":1,"amount":10.50,"currency":"USD","merchant_reference":"A","status":"200"}"#;
    assert_eq!(
        status_of(body.to_vec()).unwrap().amount,
        Some(Money::from_minor(1050, Currency::USD))
    );
    // A currency finconnect does not know: status still readable, amount not.
    let body =
        br#"{"status_code":3,"amount":5,"currency":"ZAR","merchant_reference":"A","status":"200"}"#;
    let s = status_of(body.to_vec()).unwrap();
    assert_eq!(s.status, PaymentStatus::Reversed);
    assert_eq!(s.amount, None);
    // status_code 0 without payment_details_not_found: unknown, never failed.
    let body = br#"{"status_code":0,"payment_status_description":"INVALID","status":"200"}"#;
    assert_eq!(
        status_of(body.to_vec()).unwrap().status,
        PaymentStatus::Unknown("INVALID".into())
    );
}

#[test]
fn status_with_a_real_error_is_an_error() {
    let body = br#"{"status_code":0,"error":{"error_type":"api_error","code":"invalid_order_tracking_id","message":"Not found"},"status":"500"}"#;
    let err = status_of(body.to_vec()).unwrap_err();
    assert!(
        matches!(err, Error::Provider { code: Some(ref c), .. } if c == "invalid_order_tracking_id")
    );
}

#[test]
fn cloudflare_html_is_a_clear_decode_error() {
    let html = b"<!DOCTYPE html>\n<html><head><title>Attention Required! | Cloudflare</title></head></html>".to_vec();
    for status in [200, 403, 503] {
        let err = status_of(html.clone()).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }));
        assert!(err.to_string().contains("HTML"), "{err}");
        let err = sample_submit()
            .read(resp(status, html.clone()))
            .unwrap_err();
        assert!(err.to_string().contains("HTML"), "{err}");
        // The reader says "not a refusal"; the driver decides what that means for
        // an order (tests/outcome_truth.rs).
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        let err = RequestToken.read(resp(status, html.clone())).unwrap_err();
        assert!(err.to_string().contains("HTML"), "{err}");
    }
}

#[test]
fn unknown_path_is_a_provider_error_with_hint() {
    let err = GetIpnList
        .read(resp(404, fixture!("error_unknown_path.json")))
        .unwrap_err();
    match err {
        Error::Provider {
            message,
            http_status,
            hint,
            ..
        } => {
            assert!(message.starts_with("No HTTP resource was found"));
            assert_eq!(http_status, Some(404));
            assert!(hint.unwrap().contains("/pesapalv3"));
        }
        other => panic!("{other:?}"),
    }
}

fn refund() -> RefundRequest {
    RefundRequest::new(
        "AA11BB22",
        Money::from_major(100, Currency::KES).unwrap(),
        "John Doe",
        "Service not offered",
    )
    .unwrap()
}

#[test]
fn refund_answers() {
    let ok = refund()
        .read(resp(200, fixture!("refund_ok.json")))
        .unwrap();
    assert_eq!(ok.message, "Refund request successfully");
    let err = refund()
        .read(resp(200, fixture!("refund_already.json")))
        .unwrap_err();
    assert_eq!(
        RefundRefusal::of(&err),
        Some(RefundRefusal::AlreadyRequested)
    );
    // PesaPal sends no code with its business refusals, and finconnect invents none.
    assert!(matches!(&err, Error::Provider { code: None, message, .. }
        if message == "Refund request has been received already"));
    let err = refund()
        .read(resp(200, fixture!("refund_invalid_amount.json")))
        .unwrap_err();
    assert_eq!(RefundRefusal::of(&err), Some(RefundRefusal::InvalidAmount));
    let err = refund()
        .read(resp(200, fixture!("refund_invalid_params.json")))
        .unwrap_err();
    assert_eq!(RefundRefusal::of(&err), None);
    assert!(
        matches!(&err, Error::Provider { code: Some(c), message, .. }
        if c == "invalid_api_request_parameters" && message == "Invalid API request.")
    );
    let err = refund()
        .read(resp(
            200,
            br#"{"status":"500","message":"Something else"}"#.to_vec(),
        ))
        .unwrap_err();
    assert_eq!(
        RefundRefusal::of(&err),
        Some(RefundRefusal::Other("Something else".into()))
    );
}

#[test]
fn cancel_answers() {
    let op = CancelOrder::new(tracking("b945e4af-80a5-4ec1-8706-e03f8332fb04"));
    let ok = op.read(resp(200, fixture!("cancel_ok.json"))).unwrap();
    assert_eq!(ok.message, "Order successfully cancelled.");
    let err = op
        .read(resp(200, fixture!("cancel_refused.json")))
        .unwrap_err();
    assert_eq!(CancelRefusal::of(&err), Some(CancelRefusal::NotCancellable));
    assert!(matches!(&err, Error::Provider { message, .. }
        if message == "Invalid order request. Transaction cannot be cancelled"));
    let err = op
        .read(resp(200, br#"{"status":500,"message":"Nope"}"#.to_vec()))
        .unwrap_err();
    assert_eq!(
        CancelRefusal::of(&err),
        Some(CancelRefusal::Other("Nope".into()))
    );
}

#[test]
fn ipn_fixtures_parse_and_ack_byte_exact() {
    let n = Notification::from_query(std::str::from_utf8(&fixture!("ipn_get_query.txt")).unwrap())
        .unwrap();
    assert_eq!(
        n.order_tracking_id.as_str(),
        "b945e4af-80a5-4ec1-8706-e03f8332fb04"
    );
    assert_eq!(n.merchant_reference, "TEST1515111119");
    assert_eq!(n.kind, NotificationKind::IpnChange);
    let p = Notification::from_json(&fixture!("ipn_post_body.json")).unwrap();
    assert_eq!(p, n);
    let r = Notification::from_query(
        std::str::from_utf8(&fixture!("ipn_recurring_get_query.txt")).unwrap(),
    )
    .unwrap();
    assert_eq!(r.kind, NotificationKind::Recurring);
    assert_eq!(r.merchant_reference, "555-678");
    let c = Notification::from_query(
        std::str::from_utf8(&fixture!("callback_redirect_query.txt")).unwrap(),
    )
    .unwrap();
    assert_eq!(c.kind, NotificationKind::CallbackUrl);
    assert_eq!(
        c.order_tracking_id.as_str(),
        "96a5e1d9-f711-4423-82ce-dd758f972713"
    );
    assert_eq!(c.merchant_reference, "98771cd2-e240-3656-9e10-eb2f3d687ab2");

    // The documented acknowledgements, byte for byte.
    let sample = Notification {
        order_tracking_id: tracking("d0fa69d6-f3cd-433b-858e-df86555b86c8"),
        merchant_reference: "1515111111".into(),
        kind: NotificationKind::IpnChange,
    };
    let exact = |b: Vec<u8>| b.trim_ascii_end().to_vec(); // the files end with a newline
    assert_eq!(sample.ack(true).to_json(), exact(fixture!("ipn_ack.json")));
    let recurring = Notification {
        merchant_reference: "555-678".into(),
        kind: NotificationKind::Recurring,
        ..sample.clone()
    };
    assert_eq!(
        recurring.ack(true).to_json(),
        exact(fixture!("ipn_ack_recurring.json"))
    );
    assert_eq!(
        Ack::from_json(&fixture!("ipn_ack.json")).unwrap(),
        sample.ack(true)
    );
}

/// The body an operation describes (before the configuration finishes it).
fn body_of<O: Operation<Api = PesapalConfig>>(op: O, api: &PesapalConfig) -> Vec<u8> {
    match op.request(api).unwrap().body {
        Some(Body::Bytes(bytes)) => bytes,
        other => panic!("{other:?}"),
    }
}

#[test]
fn request_fixtures_are_what_we_send() {
    // auth_request / register_ipn_request / refund_request / cancel_request:
    // the same JSON values as our bodies (golden tests check bytes).
    let v = |b: Vec<u8>| serde_json::from_slice::<serde_json::Value>(&b).unwrap();
    let api = PesapalConfig::sandbox("xxxxx", "xxxxxx").unwrap();
    assert_eq!(
        v(body_of(RequestToken, &api)),
        v(fixture!("auth_request.json"))
    );
    let register = RegisterIpn::new("https://www.myapplication.com/ipn", IpnMethod::Get).unwrap();
    assert_eq!(
        v(body_of(register, &api)),
        v(fixture!("register_ipn_request.json"))
    );
    assert_eq!(
        v(body_of(refund(), &api)),
        v(fixture!("refund_request.json"))
    );
    let cancel = CancelOrder::new(tracking("b945e4af-80a5-4ec1-8706-e03f8332fb04"));
    assert_eq!(v(body_of(cancel, &api)), v(fixture!("cancel_request.json")));
}

#[test]
fn submit_order_request_fixtures_are_what_we_send() {
    // PesaPal's sample writes `100.00`; we write the same number as `100` (Money::to_json_number).
    let v = |b: &[u8]| {
        let mut v = serde_json::from_slice::<serde_json::Value>(b).unwrap();
        let amount = Money::from_json(&v["amount"], Currency::KES).unwrap();
        assert_eq!(amount, Money::from_major(100, Currency::KES).unwrap());
        v["amount"] = serde_json::json!("checked");
        v
    };
    let api = PesapalConfig::sandbox("k", "s").unwrap();
    let some = |s: &str| Some(s.to_owned());
    let billing = BillingAddress {
        email_address: some("john.doe@example.com"),
        phone_number: some("0723xxxxxx"),
        country_code: some("KE"),
        first_name: some("John"),
        middle_name: some(""),
        last_name: some("Doe"),
        line_1: some("Pesapal Limited"),
        line_2: some(""),
        city: some(""),
        state: some(""),
        postal_code: some(""),
        zip_code: some(""),
    };
    let mut order = Order::new(
        finconnect_proto::MerchantReference::new("AA1122-3344ZZ").unwrap(),
        Money::from_major(100, Currency::KES).unwrap(),
        finconnect_proto::Description::new("Payment description goes here").unwrap(),
        "https://www.myapplication.com/response-page",
        billing,
    )
    .unwrap();
    let ipn = IpnId::new("fe078e53-78da-4a83-aa89-e7ded5c456e6").unwrap();
    let body = body_of(SubmitOrder::new(order.clone(), ipn.clone()), &api);
    assert_eq!(v(&body), v(&fixture!("submit_order_request.json")));
    order.account_number = Some("555-678".into());
    order.subscription_details = Some(SubscriptionDetails {
        start_date: time::macros::date!(2023 - 01 - 24),
        end_date: time::macros::date!(2023 - 12 - 31),
        frequency: Frequency::Daily,
    });
    let body = body_of(SubmitOrder::new(order, ipn), &api);
    assert_eq!(
        v(&body),
        v(&fixture!("submit_order_recurring_request.json"))
    );
}

#[test]
fn response_headers_sample_with_its_body() {
    let headers: serde_json::Value =
        serde_json::from_slice(&fixture!("response_headers_sample.json")).unwrap();
    assert_eq!(headers["body_file"], "status_pending.json");
    let mut response = resp(200, fixture!("status_pending.json"));
    for (k, v) in headers["headers"].as_object().unwrap() {
        response.headers_mut().insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            http::HeaderValue::from_str(v.as_str().unwrap()).unwrap(),
        );
    }
    assert_eq!(
        response.headers()["content-length"].to_str().unwrap(),
        // The fixture file ends with a newline the recording did not have.
        response.body().trim_ascii_end().len().to_string()
    );
    let s = GetTransactionStatus::new(tracking("96a5e1d9-f711-4423-82ce-dd758f972713"))
        .read(response)
        .unwrap();
    assert_eq!(s.status, PaymentStatus::Pending);
}
