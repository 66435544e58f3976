//! IPN parsing (query, JSON, form, whole request) and acknowledgements, with
//! proptest round trips.
#![allow(clippy::unwrap_used)]

use finconnect_proto::pesapal::*;
use proptest::prelude::*;

const ID: &str = "b945e4af-80a5-4ec1-8706-e03f8332fb04";

#[test]
fn keys_match_case_insensitively_everywhere() {
    let expected = Notification {
        order_tracking_id: OrderTrackingId::new(ID).unwrap(),
        merchant_reference: "TEST1515111119".into(),
        kind: NotificationKind::IpnChange,
    };
    let q = format!(
        "?orderTrackingId={ID}&ORDERMERCHANTREFERENCE=TEST1515111119&ordernotificationtype=ipnchange&extra=1"
    );
    assert_eq!(Notification::from_query(&q).unwrap(), expected);
    let json = format!(
        r#"{{"orderNotificationType":"IPNCHANGE","orderTrackingId":"{ID}","OrderMerchantReference":"TEST1515111119","status":200}}"#
    );
    assert_eq!(Notification::from_json(json.as_bytes()).unwrap(), expected);
    let form = format!(
        "OrderNotificationType=IPNCHANGE&OrderTrackingId={ID}&OrderMerchantReference=TEST1515111119"
    );
    assert_eq!(Notification::from_form(form.as_bytes()).unwrap(), expected);
    assert_eq!(
        Notification::from_body(Some("application/x-www-form-urlencoded"), form.as_bytes())
            .unwrap(),
        expected
    );
    assert_eq!(
        Notification::from_body(None, json.as_bytes()).unwrap(),
        expected
    );
    // A merchant reference given as a JSON number.
    let json = format!(
        r#"{{"OrderNotificationType":"RECURRING","OrderTrackingId":"{ID}","OrderMerchantReference":555678}}"#
    );
    let n = Notification::from_json(json.as_bytes()).unwrap();
    assert_eq!(n.merchant_reference, "555678");
    assert_eq!(n.kind, NotificationKind::Recurring);
}

#[test]
fn from_request_reads_get_and_post() {
    let get = http::Request::get(format!(
        "/ipn?OrderTrackingId={ID}&OrderMerchantReference=R1&OrderNotificationType=IPNCHANGE"
    ))
    .body(Vec::new())
    .unwrap();
    let n = Notification::from_request(&get).unwrap();
    assert_eq!(n.merchant_reference, "R1");
    let post = http::Request::post("/ipn")
        .header("content-type", "application/json; charset=utf-8")
        .body(include_bytes!("fixtures/pesapal/ipn_post_body.json").to_vec())
        .unwrap();
    let n = Notification::from_request(&post).unwrap();
    assert_eq!(n.merchant_reference, "TEST1515111119");
    // A POST with an empty body and the identifiers in the query.
    let post = http::Request::post(format!(
        "/ipn?OrderTrackingId={ID}&OrderMerchantReference=R2&OrderNotificationType=IPNCHANGE"
    ))
    .body(Vec::new())
    .unwrap();
    assert_eq!(
        Notification::from_request(&post)
            .unwrap()
            .merchant_reference,
        "R2"
    );
}

#[test]
fn kinds_and_ack_forms() {
    let parse = |kind: &str| {
        Notification::from_query(&format!(
            "OrderTrackingId={ID}&OrderMerchantReference=R&OrderNotificationType={kind}"
        ))
        .unwrap()
    };
    assert_eq!(parse("CALLBACKURL").kind, NotificationKind::CallbackUrl);
    let other = parse("SOMETHINGNEW");
    assert_eq!(other.kind, NotificationKind::Other("SOMETHINGNEW".into()));
    let ack = other.ack(false);
    assert_eq!(ack.status, 500);
    assert_eq!(ack.order_notification_type, "SOMETHINGNEW");
    let response = parse("RECURRING").ack(true).to_response();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let v: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(v["status"], serde_json::json!(200)); // a number, not "200"
    assert_eq!(v["orderNotificationType"], "RECURRING");
}

#[test]
fn malformed_notifications_are_refused() {
    for q in [
        "",
        "OrderMerchantReference=R&OrderNotificationType=IPNCHANGE",
        "OrderTrackingId=&OrderMerchantReference=R&OrderNotificationType=IPNCHANGE",
        "OrderTrackingId=x&OrderNotificationType=IPNCHANGE",
        "OrderTrackingId=x&OrderMerchantReference=R",
        "OrderTrackingId=x%00y&OrderMerchantReference=R&OrderNotificationType=IPNCHANGE",
    ] {
        assert!(Notification::from_query(q).is_err(), "{q}");
    }
    assert!(Notification::from_json(b"[1,2]").is_err());
    assert!(Notification::from_json(b"not json").is_err());
    assert!(Notification::from_body(Some("application/json"), b"a=b").is_err());
    let huge = vec![b'a'; finconnect_proto::wire::MAX_CALLBACK_BODY + 1];
    assert!(Notification::from_form(&huge).is_err());
    assert!(Notification::from_json(&huge).is_err());
}

fn value() -> impl Strategy<Value = String> {
    // No control characters; no whitespace at the ends (values are trimmed).
    "[A-Za-z0-9]([^\\p{Cc}]{0,40}[A-Za-z0-9.:_-])?"
}

fn kind_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("IPNCHANGE".to_owned()),
        Just("RECURRING".to_owned()),
        Just("CALLBACKURL".to_owned()),
        Just("ipnchange".to_owned()),
        value(),
    ]
}

proptest! {
    #[test]
    fn parse_then_ack_round_trips(
        tracking in value(),
        reference in value(),
        kind in kind_text(),
        key_case in 0u8..3,
        processed in any::<bool>(),
    ) {
        let key = |k: &str| match key_case {
            0 => k.to_owned(),
            1 => k.to_ascii_lowercase(),
            _ => {
                let mut c = k.chars();
                c.next().map(|f| f.to_ascii_lowercase().to_string() + c.as_str()).unwrap_or_default()
            }
        };
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair(&key("OrderTrackingId"), &tracking)
            .append_pair(&key("OrderMerchantReference"), &reference)
            .append_pair(&key("OrderNotificationType"), &kind)
            .finish();
        let json = serde_json::json!({
            key("OrderTrackingId"): tracking,
            key("OrderMerchantReference"): reference,
            key("OrderNotificationType"): kind,
        }).to_string();
        let from_query = Notification::from_query(&query).unwrap();
        let from_form = Notification::from_form(query.as_bytes()).unwrap();
        let from_json = Notification::from_json(json.as_bytes()).unwrap();
        prop_assert_eq!(&from_query, &from_form);
        prop_assert_eq!(&from_query, &from_json);
        let n = from_query;
        prop_assert_eq!(n.order_tracking_id.as_str(), tracking.as_str());
        prop_assert_eq!(&n.merchant_reference, &reference);
        prop_assert_eq!(&n.kind, &NotificationKind::parse(&kind));

        let ack = n.ack(processed);
        prop_assert_eq!(ack.status, if processed { 200 } else { 500 });
        prop_assert_eq!(&ack.order_tracking_id, &tracking);
        prop_assert_eq!(&ack.order_merchant_reference, &reference);
        // The type is echoed (known words in their canonical form).
        prop_assert_eq!(NotificationKind::parse(&ack.order_notification_type), n.kind.clone());
        let bytes = ack.to_json();
        prop_assert_eq!(Ack::from_json(&bytes).unwrap(), ack.clone());
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        prop_assert!(v["status"].is_u64());
        prop_assert_eq!(v["orderTrackingId"].as_str(), Some(tracking.as_str()));
        prop_assert_eq!(v["orderMerchantReference"].as_str(), Some(reference.as_str()));
        // The harness agrees.
        finconnect_proto::pesapal::harness::pesapal_ipn(query.as_bytes());
        finconnect_proto::pesapal::harness::pesapal_ipn(json.as_bytes());
    }

    #[test]
    fn harnesses_never_panic(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        finconnect_proto::pesapal::harness::pesapal_ipn(&data);
        finconnect_proto::pesapal::harness::pesapal_responses(&data);
    }
}

#[test]
fn harnesses_accept_every_fixture() {
    macro_rules! each {
        ($($f:literal),*) => {$(
            let data = include_bytes!(concat!("fixtures/pesapal/", $f));
            finconnect_proto::pesapal::harness::pesapal_ipn(data);
            finconnect_proto::pesapal::harness::pesapal_responses(data);
        )*};
    }
    each!(
        "auth_ok.json",
        "auth_request.json",
        "callback_redirect_query.txt",
        "cancel_ok.json",
        "cancel_refused.json",
        "cancel_request.json",
        "error_invalid_credentials.json",
        "error_invalid_ipn_id.json",
        "error_invalid_request_parameters.json",
        "error_invalid_token.json",
        "error_unknown_path.json",
        "ipn_ack.json",
        "ipn_ack_recurring.json",
        "ipn_get_query.txt",
        "ipn_list_docs_example.json",
        "ipn_list_empty.json",
        "ipn_post_body.json",
        "ipn_recurring_get_query.txt",
        "refund_already.json",
        "refund_invalid_amount.json",
        "refund_invalid_params.json",
        "refund_ok.json",
        "refund_request.json",
        "register_ipn_invalid_url.json",
        "register_ipn_ok.json",
        "register_ipn_post_ok.json",
        "register_ipn_request.json",
        "response_headers_sample.json",
        "status_completed.json",
        "status_failed.json",
        "status_pending.json",
        "status_recurring.json",
        "submit_order_docs_example.json",
        "submit_order_ok.json",
        "submit_order_recurring_request.json",
        "submit_order_request.json"
    );
}
