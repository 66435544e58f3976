//! GetTransactionStatus's and SubmitOrderRequest's one-pass readers against
//! the `serde_json::Value` readers they replaced: the same status, or the same error, for every PesaPal
//! fixture, every quirk PesaPal has been seen to send (and some it has not),
//! and generated bodies.
#![allow(clippy::unwrap_used)]

use finconnect_proto::pesapal::harness::{pesapal_order_agrees, pesapal_status_agrees};
use finconnect_proto::pesapal::{GetTransactionStatus, OrderTrackingId};
use finconnect_proto::{Currency, Money, Operation, PaymentStatus};
use proptest::prelude::*;

/// The HTTP statuses PesaPal answers with (and a few it might).
const STATUSES: [u16; 8] = [200, 201, 400, 401, 403, 404, 500, 503];

#[test]
fn every_pesapal_fixture_reads_alike() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pesapal");
    let mut read = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let body = std::fs::read(entry.unwrap().path()).unwrap();
        for status in STATUSES {
            pesapal_status_agrees(status, &body);
            pesapal_order_agrees(status, &body);
        }
        read += 1;
    }
    assert!(read >= 30, "only {read} fixtures found");
}

/// Bodies with the shapes the `Value` reader tolerated.
const QUIRKS: &[&str] = &[
    // Keys given twice: the last one counts.
    r#"{"status_code":2,"status_code":1,"currency":"KES","amount":1,"amount":"2.50","merchant_reference":"A","status":"200"}"#,
    r#"{"status_code":1,"error":{"code":"x","error_type":"api_error"},"error":null,"status":"200"}"#,
    r#"{"status_code":1,"error":{"code":"x","code":null},"status":"200"}"#,
    // Scalars where objects or arrays stand, and the reverse.
    r#"{"status_code":[1],"payment_status_description":{"a":1},"status":"200"}"#,
    r#"{"status_code":1,"merchant_reference":{"x":[1,{"y":2}]},"amount":[10],"currency":"KES","status":"200"}"#,
    r#"{"status_code":1,"subscription_transaction_info":[1,2],"status":"200"}"#,
    r#"{"status_code":1,"subscription_transaction_info":"yes","status":"200"}"#,
    r#"{"status_code":1,"subscription_transaction_info":null,"status":"200"}"#,
    r#"{"status_code":1,"subscription_transaction_info":{},"status":"200"}"#,
    r#"{"status_code":1,"currency":"KES","subscription_transaction_info":{"amount":"1.5","amount":2,"correlation_id":12345,"first_name":" ","x":{}},"status":"200"}"#,
    // The error object in every form.
    r#"{"status_code":0,"error":"something broke","status":"500"}"#,
    r#"{"status_code":0,"error":"  ","status":"500"}"#,
    r#"{"status_code":0,"error":42,"status":"500"}"#,
    r#"{"status_code":0,"error":[{"code":"x"}],"status":"500"}"#,
    r#"{"status_code":0,"error":true,"status":"200"}"#,
    r#"{"error":{"type":"authentication_error","code":"","message":"m"},"status":"500"}"#,
    r#"{"error":{"error_type":" ","type":"api_error","code":null},"status":"500"}"#,
    r#"{"error":{"error_type":null,"code":"payment_details_not_found","message":"Pending"},"status":"500","status_code":0,"payment_status_description":"INVALID"}"#,
    r#"{"error":{"code":"payment_details_not_found"}}"#,
    r#"{"error":{"code":123,"message":456},"status":500}"#,
    // Body status forms.
    r#"{"status_code":1,"status":" 200 "}"#,
    r#"{"status_code":1,"status":200.0}"#,
    r#"{"status_code":1,"status":"2000"}"#,
    r#"{"status_code":1,"status":true}"#,
    r#"{"status_code":1,"status":null,"message":"m"}"#,
    r#"{"status_code":1,"status":"400"}"#,
    r#"{"status_code":1,"status":"400","message":null}"#,
    r#"{"status_code":1,"status":"400","message":17}"#,
    r#"{"Message":"No HTTP resource was found","message":"m"}"#,
    r#"{"message":"only the lower one"}"#,
    // Numbers in every form.
    r#"{"status_code":"1.0","amount":1e2,"currency":"KES","status":"200"}"#,
    r#"{"status_code":1.5,"amount":-0,"currency":"KES","status":"200"}"#,
    r#"{"status_code":" 2 ","amount":"1e-2","currency":" kes ","status":"200"}"#,
    r#"{"status_code":18446744073709551615,"amount":18446744073709551616,"currency":"UGX","status":"200"}"#,
    r#"{"status_code":-1,"amount":0.30000000000000004,"currency":"USD","status":"200"}"#,
    r#"{"status_code":true,"amount":true,"currency":"KES","payment_status_description":"Completed"}"#,
    r#"{"status_code":1,"amount":"abc","currency":"XYZ"}"#,
    // Escapes in keys and values.
    r#"{"st\u0061tus_code":1,"merchant_reference":"\u00e9\n","status":"200"}"#,
    r#"{"status_code":1,"order_tracking_id":"  ","status":"200"}"#,
    r#"{"status_code":1,"order_tracking_id":"not a tracking id!","status":"200"}"#,
    r#"{"status_code":1,"order_tracking_id":"dbc707c0-1111-2222-3333-444455556666","status":"200"}"#,
    // Not an object, or not JSON.
    "",
    "   ",
    "[]",
    "null",
    "\"text\"",
    "42",
    "<html><body>Attention Required! | Cloudflare</body></html>",
    "{\"status_code\":1",
    "{\"status_code\":1} trailing",
    "{\"status_code\":1,}",
    "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
    "{\"status_code\":1e999}",
    // What is skipped is still parsed: numbers out of range, broken UTF-8.
    "{\"status_code\":1,\"other\":1e999}",
    "{\"status_code\":1,\"other\":[{\"a\":-1e999}]}",
    "{\"status_code\":1,\"amount\":[1e999]}",
    "{\"status_code\":1,\"error\":{\"x\":1e999}}",
    "{\"status_code\":1,\"other\":\"\\ud800\"}",
];

#[test]
fn every_quirk_reads_alike() {
    for body in QUIRKS {
        for status in STATUSES {
            pesapal_status_agrees(status, body.as_bytes());
            pesapal_order_agrees(status, body.as_bytes());
        }
    }
}

#[test]
fn bytes_that_are_not_utf8_read_alike() {
    let bodies: [&[u8]; 3] = [
        b"{\"status_code\":1,\"other\":\"\xff\"}",
        b"{\"status_code\":1,\"merchant_reference\":\"\xc3\"}",
        b"{\"status_code\":1,\"other\":[\"ok\",{\"a\":\"\xe2\x82\"}]}",
    ];
    for body in bodies {
        for status in STATUSES {
            pesapal_status_agrees(status, body);
            pesapal_order_agrees(status, body);
        }
    }
}

#[test]
fn a_key_given_twice_counts_its_last_value() {
    let op = GetTransactionStatus::new(OrderTrackingId::new("dbc707c0").unwrap());
    let s = op
        .read(http::Response::new(QUIRKS[0].as_bytes().to_vec()))
        .unwrap();
    assert_eq!(s.status, PaymentStatus::Completed);
    assert_eq!(s.amount, Some(Money::from_minor(250, Currency::KES)));
    assert_eq!(s.amount_text.as_deref(), Some("2.50"));
}

/// Any JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[0-9]{1,4}(\\.[0-9]{1,3})?".prop_map(Value::from),
        prop_oneof![
            Just("200"),
            Just("500"),
            Just(" 200"),
            Just("KES"),
            Just("TZS"),
            Just(""),
            Just("Completed"),
            Just("payment_details_not_found"),
            Just("authentication_error"),
            Just("invalid_api_credentials_provided"),
        ]
        .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..5)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// A key the status reader knows (or one it does not).
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("status"),
        Just("error"),
        Just("error_type"),
        Just("type"),
        Just("code"),
        Just("message"),
        Just("Message"),
        Just("status_code"),
        Just("payment_status_description"),
        Just("currency"),
        Just("order_tracking_id"),
        Just("merchant_reference"),
        Just("account_number"),
        Just("amount"),
        Just("confirmation_code"),
        Just("payment_method"),
        Just("description"),
        Just("created_date"),
        Just("subscription_transaction_info"),
        Just("redirect_url"),
        Just("account_reference"),
        Just("correlation_id"),
        Just("other"),
    ]
    .prop_map(str::to_owned)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Objects written out pair by pair, so that keys may repeat.
    #[test]
    fn generated_bodies_read_alike(
        pairs in prop::collection::vec((key(), json_value()), 0..12),
        status in prop::sample::select(STATUSES.to_vec()),
    ) {
        let fields: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}:{v}", serde_json::Value::from(k.as_str())))
            .collect();
        let body = format!("{{{}}}", fields.join(","));
        pesapal_status_agrees(status, body.as_bytes());
        pesapal_order_agrees(status, body.as_bytes());
    }
}
