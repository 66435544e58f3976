//! ClickPesa webhook fixtures: parsing, checksum verdicts, trust and dedupe keys.
#![allow(clippy::unwrap_used)]

use finconnect_proto::clickpesa::{
    dedupe_key, harness, parse_webhook, Payment, Verdict, WebhookEvent,
};
use finconnect_proto::{wire, Error, PaymentStatus, Secret};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("fixtures/clickpesa/", $name)).as_slice()
    };
}

fn key() -> Secret {
    Secret::new("secret-key")
}

fn payment(event: &WebhookEvent) -> &Payment {
    match event {
        WebhookEvent::PaymentReceived(p) | WebhookEvent::PaymentFailed(p) => p,
        other => panic!("{other:?}"),
    }
}

#[test]
fn payment_received_new_shape() {
    let hook = parse_webhook(fixture!("webhook_payment_received.json")).unwrap();
    assert_eq!(hook.event_name(), "PAYMENT RECEIVED");
    assert!(matches!(hook.event(), WebhookEvent::PaymentReceived(_)));
    let p = payment(hook.event());
    assert_eq!(p.id.as_deref(), Some("ORD123456LCP7890"));
    assert_eq!(p.order_reference.as_deref(), Some("ORD123456"));
    assert_eq!(p.payment_reference.as_deref(), Some("abc123def456ghi789"));
    assert_eq!(p.collected_amount.as_deref(), Some("10000"));
    assert_eq!(p.collected_currency.as_deref(), Some("TZS"));
    assert_eq!(p.channel.as_deref(), Some("CRDB DIRECT DEBIT MANDATE"));
    let c = p.customer.as_ref().unwrap();
    assert_eq!(c.name.as_deref(), Some("John Doe"));
    assert_eq!(c.email.as_deref(), Some("john@example.com"));
    assert_eq!(c.phone.as_deref(), Some("255700000000"));
    assert_eq!(hook.verdict(&key()), Verdict::Unsigned);
    assert!(!hook.is_signed());
    // Unsigned: success is not trusted.
    assert_eq!(hook.status(), PaymentStatus::Pending);
    assert!(matches!(hook.verify(&key()), Err(Error::Signature { .. })));
}

#[test]
fn payment_received_legacy_shape() {
    let hook = parse_webhook(fixture!("webhook_payment_received_legacy.json")).unwrap();
    let p = payment(hook.event());
    assert_eq!(p.id.as_deref(), Some("PAY123456"));
    assert_eq!(p.order_reference.as_deref(), Some("ORD987654"));
    assert_eq!(p.collected_amount.as_deref(), Some("10000.00"));
    assert_eq!(p.collected_currency.as_deref(), Some("TZS"));
    assert_eq!(
        p.amount(),
        Some(finconnect_proto::Money::from_minor(
            1_000_000,
            finconnect_proto::Currency::TZS
        ))
    );
    let c = p.customer.as_ref().unwrap();
    assert_eq!(c.name.as_deref(), Some("John Doe"));
    assert_eq!(c.phone.as_deref(), Some("255700000000"));
}

#[test]
fn payment_received_with_checksum_verifies() {
    let hook = parse_webhook(fixture!("webhook_payment_received_with_checksum.json")).unwrap();
    assert!(hook.is_signed());
    assert_eq!(hook.verdict(&key()), Verdict::Valid);
    assert_eq!(hook.verdict(&Secret::new("another-key")), Verdict::Invalid);
    assert_eq!(hook.status(), PaymentStatus::Pending);
    let verified = hook.clone().verify(&key()).unwrap();
    assert_eq!(verified.status(), PaymentStatus::Completed);
    assert_eq!(verified.event_name(), "PAYMENT RECEIVED");
    assert!(hook.verify(&Secret::new("another-key")).is_err());
}

#[test]
fn verification_ignores_formatting_but_not_content() {
    let text =
        std::str::from_utf8(fixture!("webhook_payment_received_with_checksum.json")).unwrap();
    // Reformatted: numbers written differently would not matter either, whitespace doesn't.
    let compact: serde_json::Value = serde_json::from_str(text).unwrap();
    let compact = serde_json::to_vec(&compact).unwrap();
    assert_eq!(
        parse_webhook(&compact).unwrap().verdict(&key()),
        Verdict::Valid
    );
    // Tampered.
    let tampered = text.replace("\"10000\"", "\"100000\"");
    assert_eq!(
        parse_webhook(tampered.as_bytes()).unwrap().verdict(&key()),
        Verdict::Invalid
    );
    // Upper-case hex is not the documented checksum.
    let upper = text.replace(
        "8123ec10456bc1f6eb27871b82a5b5e4e3d4baafc36f8bef6d6cbac4539c5031",
        "8123EC10456BC1F6EB27871B82A5B5E4E3D4BAAFC36F8BEF6D6CBAC4539C5031",
    );
    assert_eq!(
        parse_webhook(upper.as_bytes()).unwrap().verdict(&key()),
        Verdict::Invalid
    );
    // checksumMethod canonical is dropped before hashing; an unknown method fails closed.
    let with_method = text.replacen("\"event\"", "\"checksumMethod\":\"canonical\",\"event\"", 1);
    assert_eq!(
        parse_webhook(with_method.as_bytes())
            .unwrap()
            .verdict(&key()),
        Verdict::Valid
    );
    let bad_method = text.replacen("\"event\"", "\"checksumMethod\":\"sha1\",\"event\"", 1);
    assert_eq!(
        parse_webhook(bad_method.as_bytes())
            .unwrap()
            .verdict(&key()),
        Verdict::Invalid
    );
    // Non-string or empty checksum: invalid; null: unsigned.
    let base = std::str::from_utf8(fixture!("webhook_payment_received.json"))
        .unwrap()
        .trim();
    let body = |extra: &str| format!("{{{extra},{}", &base[1..]);
    assert_eq!(
        parse_webhook(body("\"checksum\":123").as_bytes())
            .unwrap()
            .verdict(&key()),
        Verdict::Invalid
    );
    assert_eq!(
        parse_webhook(body("\"checksum\":\"\"").as_bytes())
            .unwrap()
            .verdict(&key()),
        Verdict::Invalid
    );
    assert_eq!(
        parse_webhook(body("\"checksum\":null").as_bytes())
            .unwrap()
            .verdict(&key()),
        Verdict::Unsigned
    );
}

#[test]
fn data_checksum_fallback_and_header_fallback() {
    // The vector webhook_payment_received_data_only: checksum over `data` alone.
    let base = std::str::from_utf8(fixture!("webhook_payment_received.json")).unwrap();
    let in_data = base.replacen(
        "\"id\":",
        "\"checksum\":\"36889e5ad24ad450f998246f6ca371e8f5631f5038d620514c65bfe088b12efc\",\"id\":",
        1,
    );
    let hook = parse_webhook(in_data.as_bytes()).unwrap();
    assert!(hook.is_signed());
    assert_eq!(hook.verdict(&key()), Verdict::Valid);
    let wrong = in_data.replace("36889e5a", "36889e5b");
    assert_eq!(
        parse_webhook(wrong.as_bytes()).unwrap().verdict(&key()),
        Verdict::Invalid
    );
    // Header checksum over the whole envelope, opt-in only.
    let hook = parse_webhook(base.as_bytes()).unwrap();
    let h = "8123ec10456bc1f6eb27871b82a5b5e4e3d4baafc36f8bef6d6cbac4539c5031";
    assert_eq!(hook.verdict(&key()), Verdict::Unsigned);
    assert_eq!(hook.verdict_with_header(&key(), Some(h)), Verdict::Valid);
    assert_eq!(
        hook.verdict_with_header(&key(), Some("00")),
        Verdict::Invalid
    );
    assert_eq!(hook.verdict_with_header(&key(), None), Verdict::Unsigned);
}

#[test]
fn payment_failed_uses_event_type() {
    let hook = parse_webhook(fixture!("webhook_payment_failed.json")).unwrap();
    assert_eq!(hook.event_name(), "PAYMENT FAILED");
    let p = payment(hook.event());
    assert_eq!(p.id.as_deref(), Some("0969231256LCP2C95"));
    assert_eq!(p.order_reference.as_deref(), Some("0969231256"));
    assert_eq!(p.message.as_deref(), Some("Insufficient balance"));
    assert_eq!(hook.status(), PaymentStatus::Failed);
    assert_eq!(hook.verdict(&key()), Verdict::Unsigned);
}

#[test]
fn payout_events() {
    for (body, name, status, transfer) in [
        (
            fixture!("webhook_payout_initiated.json"),
            "PAYOUT INITIATED",
            PaymentStatus::Pending,
            "ACH",
        ),
        (
            fixture!("webhook_payout_initiated_settlement_type.json"),
            "PAYOUT INITIATED",
            PaymentStatus::Pending,
            "ACH",
        ),
        (
            fixture!("webhook_payout_refunded.json"),
            "PAYOUT REFUNDED",
            PaymentStatus::Reversed,
            "ACH",
        ),
        (
            fixture!("webhook_payout_reversed.json"),
            "PAYOUT REVERSED",
            PaymentStatus::Reversed,
            "ACH",
        ),
    ] {
        let hook = parse_webhook(body).unwrap();
        assert_eq!(hook.event_name(), name);
        let e = match hook.event() {
            WebhookEvent::PayoutInitiated(e)
            | WebhookEvent::PayoutRefunded(e)
            | WebhookEvent::PayoutReversed(e) => e,
            other => panic!("{other:?}"),
        };
        assert_eq!(e.payout.id.as_deref(), Some("PAY17072CD"));
        assert_eq!(e.payout.order_reference.as_deref(), Some("order_123456"));
        assert_eq!(e.payout.amount.as_deref(), Some("20000.00"));
        assert_eq!(e.payout.fee.as_deref(), Some("2360.00"));
        assert_eq!(
            e.payout.channel_provider.as_deref(),
            Some("Equity Bank Tanzania Limited")
        );
        assert_eq!(e.payout.transfer_type.as_deref(), Some(transfer));
        let b = e.payout.beneficiary.as_ref().unwrap();
        assert_eq!(b.routing_number.as_deref(), Some("110000000"));
        assert_eq!(b.beneficiary_email.as_deref(), Some("johndoe@example.com"));
        // Payout INITIATED with status SUCCESS means "initiated": unverified ⇒ pending.
        assert_eq!(hook.status(), status, "{name}");
        match name {
            "PAYOUT REFUNDED" => {
                let r = e.refund.as_ref().unwrap();
                assert_eq!(r.refunded_at.as_deref(), Some("2024-09-02T09:30:00.000Z"));
                assert!(r
                    .message
                    .as_deref()
                    .unwrap()
                    .contains("insufficient balance"));
            }
            "PAYOUT REVERSED" => {
                let r = e.reverse.as_ref().unwrap();
                assert_eq!(r.reversed_with_fee, Some(true));
                assert_eq!(r.reversed_at.as_deref(), Some("2024-09-02T09:30:00.000Z"));
            }
            _ => assert!(e.refund.is_none() && e.reverse.is_none()),
        }
    }
}

#[test]
fn payout_refunded_vector_verifies() {
    // Vector webhook_payout_refunded_envelope, checksum added at the top level.
    let base = std::str::from_utf8(fixture!("webhook_payout_refunded.json"))
        .unwrap()
        .trim();
    let signed = format!(
        "{{\"checksum\":\"b9b33b3dafb0e69f0669a1d490a6eee3257888d90d0b62ce9326c6cd9550cf15\",{}",
        &base[1..]
    );
    let verified = parse_webhook(signed.as_bytes())
        .unwrap()
        .verify(&key())
        .unwrap();
    assert_eq!(verified.status(), PaymentStatus::Reversed);
    assert_eq!(
        verified.dedupe_key(),
        dedupe_key(
            true,
            Some("order_123456"),
            Some("PAY17072CD"),
            &PaymentStatus::Reversed
        )
    );
}

#[test]
fn unknown_events_keep_their_data() {
    let body = br#"{"event":"DEPOSIT RECEIVED","data":{"depositAmount":"5000","depositCurrency":"TZS","paymentReference":"R1"}}"#;
    let hook = parse_webhook(body).unwrap();
    match hook.event() {
        WebhookEvent::Other { event, data } => {
            assert_eq!(event, "DEPOSIT RECEIVED");
            assert_eq!(data["depositAmount"], "5000");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(hook.status(), PaymentStatus::Unknown(_)));
}

#[test]
fn bad_bodies_are_errors_not_panics() {
    let big = vec![b' '; wire::MAX_CALLBACK_BODY + 1];
    assert!(parse_webhook(&big).is_err());
    for bad in [
        &b""[..],
        b"[]",
        b"{}",
        b"{\"event\":1,\"data\":{}}",
        b"{\"event\":\"PAYMENT RECEIVED\",\"data\":[]}",
        b"{\"event\":\"PAYMENT RECEIVED\",\"data\":{\"status\":5}}",
        b"<html>",
        b"{\"event\":\"PAYMENT RECEIVED\",\"data\":{}} trailing",
    ] {
        assert!(
            parse_webhook(bad).is_err(),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn harness_accepts_every_fixture() {
    for body in [
        fixture!("webhook_payment_received.json"),
        fixture!("webhook_payment_received_legacy.json"),
        fixture!("webhook_payment_received_with_checksum.json"),
        fixture!("webhook_payment_failed.json"),
        fixture!("webhook_payout_initiated.json"),
        fixture!("webhook_payout_initiated_settlement_type.json"),
        fixture!("webhook_payout_refunded.json"),
        fixture!("webhook_payout_reversed.json"),
        b"{\"a\":[1e400,-0,\"\\ud800\"],\"10\":{},\"9\":null}",
        b"not json",
    ] {
        harness::clickpesa_webhook(body);
    }
}
