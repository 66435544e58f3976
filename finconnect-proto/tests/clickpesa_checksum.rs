//! ClickPesa checksum known-answer vectors, JavaScript number formatting, and
//! checksum properties.
#![allow(clippy::unwrap_used)]

use finconnect_proto::clickpesa::{
    checksum, checksum_of_bytes, js_number_to_string, parse_webhook, sign, signed_text,
    ChecksumMethod, JsValue, Verdict, WebhookEvent, MAX_JSON_DEPTH,
};
use finconnect_proto::Secret;
use proptest::prelude::*;
use serde_json::Value;

const VECTORS: &str = include_str!("vectors/clickpesa-checksum.json");
const NUMBERS: &str = include_str!("vectors/clickpesa-js-numbers.json");

fn method(case: &Value) -> ChecksumMethod {
    match case["method"].as_str().unwrap() {
        "canonical" => ChecksumMethod::Canonical,
        "legacy" => ChecksumMethod::Legacy,
        other => panic!("unknown method {other}"),
    }
}

#[test]
fn every_checksum_vector_matches() {
    let v: Value = serde_json::from_str(VECTORS).unwrap();
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 22);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let key = Secret::new(case["key"].as_str().unwrap());
        let m = method(case);
        let want = case["checksum"].as_str().unwrap();
        let want_text = match m {
            ChecksumMethod::Canonical => case["canonical_string"].as_str().unwrap(),
            ChecksumMethod::Legacy => case["legacy_string"].as_str().unwrap(),
        };
        // From the serde_json value (how request bodies are built).
        let payload = &case["payload"];
        assert_eq!(
            signed_text(&JsValue::from_serde(payload), m).unwrap(),
            want_text,
            "{name}: signed text from serde_json::Value"
        );
        assert_eq!(checksum(&key, payload, m).unwrap(), want, "{name}");
        // From the JSON text as written (how webhooks are read).
        let raw = case["payload_raw"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| serde_json::to_string(payload).unwrap());
        assert_eq!(
            signed_text(&JsValue::parse(raw.as_bytes()).unwrap(), m).unwrap(),
            want_text,
            "{name}: signed text from raw bytes"
        );
        assert_eq!(
            checksum_of_bytes(&key, raw.as_bytes(), m).unwrap(),
            want,
            "{name}: raw"
        );
        // Divergent implementations must NOT be what we produce.
        if let Some(div) = case.get("divergent_implementations") {
            for (_, other) in div.as_object().unwrap() {
                assert_ne!(other["checksum"].as_str().unwrap(), want, "{name}");
            }
        }
    }
}

#[test]
fn the_1000_0_case_needs_javascript_number_formatting() {
    let v: Value = serde_json::from_str(VECTORS).unwrap();
    let case = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "payout_body_float_written_as_1000_0")
        .unwrap();
    let raw = case["payload_raw"].as_str().unwrap();
    // serde_json alone writes the f64 back as 1000.0 — the mismatch the vector warns about.
    let via_serde: Value = serde_json::from_str(raw).unwrap();
    assert!(serde_json::to_string(&via_serde)
        .unwrap()
        .contains("1000.0"));
    let canonical = JsValue::parse(raw.as_bytes()).unwrap().to_canonical_json();
    assert_eq!(canonical, case["canonical_string"].as_str().unwrap());
    assert!(canonical.contains("\"amount\":1000,"));
}

#[test]
fn every_verify_case_gets_its_verdict() {
    let v: Value = serde_json::from_str(VECTORS).unwrap();
    let cases = v["verify_cases"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let key = Secret::new(case["key"].as_str().unwrap());
        let body = serde_json::to_vec(&case["body"]).unwrap();
        let hook = parse_webhook(&body).unwrap();
        let want = match case["expect"].as_str().unwrap() {
            "valid" => Verdict::Valid,
            "invalid" => Verdict::Invalid,
            "unsigned" => Verdict::Unsigned,
            other => panic!("{other}"),
        };
        assert_eq!(hook.verdict(&key), want, "{name}");
        assert_eq!(hook.verify(&key).is_ok(), want == Verdict::Valid, "{name}");
    }
}

#[test]
fn numbers_match_node_number_to_string() {
    let v: Value = serde_json::from_str(NUMBERS).unwrap();
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() > 5000);
    for case in cases {
        let bits = u64::from_str_radix(case[0].as_str().unwrap(), 16).unwrap();
        let x = f64::from_bits(bits);
        let want = case[1].as_str().unwrap();
        assert_eq!(js_number_to_string(x), want, "bits {bits:016x}");
        // And via the parser: the JS text reads back to the same double and
        // canonicalises to itself.
        let canon = JsValue::parse(want.as_bytes()).unwrap().to_canonical_json();
        assert_eq!(canon, if x == 0.0 { "0" } else { want });
    }
}

#[test]
fn numbers_in_the_vectors_are_formatted_as_javascript_does() {
    for (text, want) in [
        ("100.5", "100.5"),
        ("1047.1", "1047.1"),
        ("1000.0", "1000"),
        ("100", "100"),
        ("1e21", "1e+21"),
        ("0.00000015", "1.5e-7"),
        ("1E3", "1000"),
    ] {
        assert_eq!(
            JsValue::parse(text.as_bytes()).unwrap().to_canonical_json(),
            want
        );
    }
}

#[test]
fn legacy_signing_adds_the_method_and_canonical_does_not() {
    let key = Secret::new("secret-key");
    let mut body = serde_json::json!({"amount": 100, "currency": "USD", "reference": "TX123"});
    sign(&mut body, &key, ChecksumMethod::Legacy).unwrap();
    assert_eq!(body["checksumMethod"], "legacy");
    assert_eq!(
        body["checksum"],
        "85b65bf2670dcdcb8ebb8d19939e4fd59b02d5218741be2eaf9f575273b101d1"
    );
    let mut body = serde_json::json!({"amount": "1000", "currency": "TZS", "orderReference": "ORDER123", "phoneNumber": "255712345678", "checksumMethod": "legacy"});
    sign(&mut body, &key, ChecksumMethod::Canonical).unwrap();
    assert!(body.get("checksumMethod").is_none());
    assert_eq!(
        body["checksum"],
        "9d6548c3728f656cef3b7ecbdc781419cb3cf48662951666dc2187193d1b704f"
    );
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        "[a-zA-Z0-9 öé€😀<>&\"\\\\\n]{0,12}".prop_map(Value::from),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-zA-Z0-9_é😀]{1,6}", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn object() -> impl Strategy<Value = Vec<(String, Value)>> {
    prop::collection::vec(("[a-zA-Z0-9_é😀]{1,6}", json()), 1..6).prop_map(|mut kv| {
        let mut seen = std::collections::HashSet::new();
        kv.retain(|(k, _)| seen.insert(k.clone()) && k != "checksum" && k != "checksumMethod");
        kv
    })
}

/// Writes an object with its keys in the given order (serde_json's Map would sort them).
fn write_in_order(entries: &[(String, Value)]) -> String {
    let parts: Vec<String> = entries
        .iter()
        .map(|(k, v)| format!("{}:{}", serde_json::to_string(k).unwrap(), v))
        .collect();
    format!("{{{}}}", parts.join(","))
}

proptest! {
    #[test]
    fn checksum_ignores_key_order(entries in object(), seed in any::<u64>()) {
        prop_assume!(!entries.is_empty());
        let key = Secret::new("secret-key");
        let mut shuffled = entries.clone();
        // A deterministic shuffle from the seed.
        let n = shuffled.len();
        for i in (1..n).rev() {
            let j = (seed.rotate_left(i as u32) % (i as u64 + 1)) as usize;
            shuffled.swap(i, j);
        }
        let a = checksum_of_bytes(&key, write_in_order(&entries).as_bytes(), ChecksumMethod::Canonical).unwrap();
        let b = checksum_of_bytes(&key, write_in_order(&shuffled).as_bytes(), ChecksumMethod::Canonical).unwrap();
        prop_assert_eq!(&a, &b);
        let value = Value::Object(entries.iter().cloned().collect());
        prop_assert_eq!(checksum(&key, &value, ChecksumMethod::Canonical).unwrap(), a);
    }

    #[test]
    fn checksum_changes_when_any_value_changes(entries in object(), pick in any::<prop::sample::Index>(), replacement in scalar()) {
        let key = Secret::new("secret-key");
        let i = pick.index(entries.len());
        prop_assume!(entries[i].1 != replacement);
        // Equal as JavaScript values (e.g. 1 and 1.0) are the same payload.
        prop_assume!(JsValue::from_serde(&entries[i].1) != JsValue::from_serde(&replacement));
        let mut changed = entries.clone();
        changed[i].1 = replacement;
        let a = checksum_of_bytes(&key, write_in_order(&entries).as_bytes(), ChecksumMethod::Canonical).unwrap();
        let b = checksum_of_bytes(&key, write_in_order(&changed).as_bytes(), ChecksumMethod::Canonical).unwrap();
        prop_assert_ne!(a, b);
    }

    #[test]
    fn signed_bodies_verify_as_webhooks(entries in object()) {
        let key = Secret::new("secret-key");
        let mut value = Value::Object(entries.into_iter().collect());
        value["event"] = Value::from("PAYMENT RECEIVED");
        value["data"] = serde_json::json!({"id": "X1", "status": "SUCCESS", "orderReference": "ORD1"});
        sign(&mut value, &key, ChecksumMethod::Canonical).unwrap();
        let body = serde_json::to_vec(&value).unwrap();
        let hook = parse_webhook(&body).unwrap();
        prop_assert_eq!(hook.verdict(&key), Verdict::Valid);
        prop_assert_eq!(hook.verdict(&Secret::new("other")), Verdict::Invalid);
    }

    #[test]
    fn canonical_json_never_panics_and_is_stable(text in ".{0,64}") {
        if let Ok(v) = JsValue::parse(text.as_bytes()) {
            let c = v.to_canonical_json();
            prop_assert_eq!(JsValue::parse(c.as_bytes()).unwrap().to_canonical_json(), c);
        }
    }
}

// Webhooks a JavaScript sender signs (checksums computed with Node.js over
// `JSON.stringify(canonicalize(payload))`, key `secret-key`).

/// `body` with a top-level `checksum` added before its closing brace.
fn signed_webhook(body: &str, hex: &str) -> Vec<u8> {
    let close = body.rfind('}').unwrap();
    format!("{},\"checksum\":\"{hex}\"}}", &body[..close]).into_bytes()
}

#[test]
fn a_shortest_form_tie_verifies_with_the_even_digit() {
    let key = Secret::new("secret-key");
    let body = r#"{"event":"X","data":{"n":562949953421312.25}}"#;
    assert_eq!(
        signed_text(
            &JsValue::parse(body.as_bytes()).unwrap(),
            ChecksumMethod::Canonical
        )
        .unwrap(),
        r#"{"data":{"n":562949953421312.2},"event":"X"}"#
    );
    let js = "fadeaeedcb5a2122976b84801f197b6769f55a2e7fc0e6bbe3b7b55e4e67a766";
    let hook = parse_webhook(&signed_webhook(body, js)).unwrap();
    assert_eq!(hook.verdict(&key), Verdict::Valid);
    // The same double from the serde_json side (how request bodies are signed).
    // 2⁴⁹ + 0.25, exactly (a literal would be flagged as excessively precise).
    let n = 562_949_953_421_312.0_f64 + 0.25;
    let value = serde_json::json!({"event": "X", "data": {"n": n}});
    assert_eq!(
        checksum(&key, &value, ChecksumMethod::Canonical).unwrap(),
        js
    );
}

#[test]
fn a_lone_surrogate_in_a_customer_name_is_read_and_verified() {
    let key = Secret::new("secret-key");
    let body = r#"{"event":"PAYMENT RECEIVED","data":{"id":"LCP1","status":"SUCCESS","orderReference":"ORD1","collectedAmount":"1000","collectedCurrency":"TZS","customer":{"customerName":"J\u00f6hn \ud83d"}}}"#;
    let js = "281400b890bc82aa71b7f895edc748b0d37166bee5f0047fb9c1397e47d4e4ad";
    let signed = signed_webhook(body, js);
    let hook = parse_webhook(&signed).unwrap();
    assert_eq!(hook.verdict(&key), Verdict::Valid);
    let verified = hook.verify(&key).unwrap();
    assert_eq!(
        verified.status(),
        finconnect_proto::PaymentStatus::Completed
    );
    let WebhookEvent::PaymentReceived(payment) = verified.event() else {
        panic!("a payment event")
    };
    // The typed view cannot hold the lone surrogate: U+FFFD stands in for it.
    let name = payment.customer.as_ref().and_then(|c| c.name.clone());
    assert_eq!(name.as_deref(), Some("Jöhn \u{fffd}"));
    // Another lone surrogate in its place is another payload.
    let other = String::from_utf8(signed)
        .unwrap()
        .replace(r"\ud83d", r"\ud83e");
    assert_eq!(
        parse_webhook(other.as_bytes()).unwrap().verdict(&key),
        Verdict::Invalid
    );
}

#[test]
fn proto_keys_are_neither_hashed_nor_read() {
    let key = Secret::new("secret-key");
    let body = r#"{"event":"PAYMENT FAILED","data":{"id":"LCP2","status":"FAILED","orderReference":"ORD2","__proto__":{"status":"SUCCESS"}},"__proto__":{"event":"PAYMENT RECEIVED"}}"#;
    let js = "29a53c6c0b6808405c5dee36a62b2f62cd67677358bf47274e7f7207f84c5e52";
    let hook = parse_webhook(&signed_webhook(body, js)).unwrap();
    assert_eq!(hook.verdict(&key), Verdict::Valid);
    let verified = hook.verify(&key).unwrap();
    assert_eq!(verified.event_name(), "PAYMENT FAILED");
    assert_eq!(verified.status(), finconnect_proto::PaymentStatus::Failed);
    // Whatever a __proto__ holds, JavaScript's checksum is the same: it is not
    // covered, so it must not be read either.
    for replacement in ["null", "5", r#""x""#, r#"{"status":"SETTLED"}"#, "[]"] {
        let changed = body.replace(r#"{"status":"SUCCESS"}"#, replacement);
        assert_eq!(
            checksum_of_bytes(&key, changed.as_bytes(), ChecksumMethod::Canonical).unwrap(),
            js,
            "{replacement}"
        );
    }
}

#[test]
fn what_no_javascript_sender_writes_is_refused_not_guessed() {
    let key = Secret::new("secret-key");
    for body in [
        r#"{"event":"X","data":{"n":1e400}}"#,
        r#"{"event":"X","data":{"n":-1.8e308}}"#,
        r#"{"event":"X","data":{},"event":"PAYMENT RECEIVED"}"#,
        r#"{"event":"X","data":{},"checksum":"a","checksum":"b"}"#,
    ] {
        assert!(parse_webhook(body.as_bytes()).is_err(), "{body}");
        assert!(checksum_of_bytes(&key, body.as_bytes(), ChecksumMethod::Canonical).is_err());
    }
    let deep = format!(
        r#"{{"event":"X","data":{}1{}}}"#,
        "[".repeat(MAX_JSON_DEPTH),
        "]".repeat(MAX_JSON_DEPTH)
    );
    assert!(parse_webhook(deep.as_bytes()).is_err());
}
