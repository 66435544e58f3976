//! Fuzz harnesses (`fuzz/fuzz_targets/pesapal_*.rs`); also replayed on stable by
//! the corpus test. Each checks invariants with `assert!`.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a harness panics on purpose when an invariant breaks

use super::*;
use crate::{Currency, Description, MerchantReference, Money, Operation, PaymentStatus};

/// Reads `data` as a query string, a JSON body and a form body. Whatever parses
/// must survive the acknowledgement round trip: ack → JSON → ack, the ack echoes
/// the notification, and the query form and the ack JSON parse back to the same
/// notification.
pub fn pesapal_ipn(data: &[u8]) {
    let mut parsed = Vec::new();
    if let Ok(text) = std::str::from_utf8(data) {
        parsed.push(Notification::from_query(text));
    }
    parsed.push(Notification::from_json(data));
    parsed.push(Notification::from_form(data));
    parsed.push(Notification::from_body(None, data));
    parsed.push(Notification::from_body(Some("application/json"), data));
    for n in parsed.into_iter().flatten() {
        for processed in [true, false] {
            let ack = n.ack(processed);
            assert_eq!(ack.status, if processed { 200 } else { 500 });
            assert_eq!(ack.order_tracking_id, n.order_tracking_id.as_str());
            assert_eq!(ack.order_merchant_reference, n.merchant_reference);
            assert_eq!(ack.order_notification_type, n.kind.as_str());
            let json = ack.to_json();
            let back = Ack::from_json(&json).expect("an ack reads back");
            assert_eq!(back, ack);
            // The ack's camelCase keys match the notification keys case-insensitively.
            let again = Notification::from_json(&json).expect("ack JSON parses as a notification");
            assert_eq!(again, n);
            let response = ack.to_response();
            assert_eq!(response.status(), 200);
            assert_eq!(response.body(), &json);
        }
        let again = Notification::from_query(&n.to_query()).expect("query round trip");
        assert_eq!(again, n);
    }
}

fn config() -> PesapalConfig {
    // Constant test credentials.
    match PesapalConfig::sandbox("fuzz-key", "fuzz-secret") {
        Ok(c) => c,
        Err(e) => panic!("constant config: {e}"),
    }
}

/// Feeds `data` as the body of every response parser, with several HTTP
/// statuses. Nothing may panic; a pending (`status_code` 0) payment is never
/// read as failed; a token answer never quotes its body in an error.
pub fn pesapal_responses(data: &[u8]) {
    let api = config();
    let tracking = OrderTrackingId::new("96a5e1d9-f711-4423-82ce-dd758f972713").ok();
    let Some(tracking) = tracking else { return };
    let order = (|| {
        Order::new(
            MerchantReference::new("ORDER-1").ok()?,
            Money::from_decimal_str("10.00", Currency::KES).ok()?,
            Description::new("fuzz").ok()?,
            "https://shop.example/paid",
            BillingAddress::email("a@example.com"),
        )
        .ok()
    })();
    let Some(order) = order else { return };
    let Ok(ipn_id) = IpnId::new("1da86d1c-1e8c-4183-bdfd-dd759463e4ce") else {
        return;
    };
    let notification = Notification {
        order_tracking_id: tracking.clone(),
        merchant_reference: "ORDER-1".into(),
        kind: NotificationKind::Recurring,
    };
    for status in [200u16, 400, 401, 404, 500, 503] {
        let response = || {
            let mut r = http::Response::new(data.to_vec());
            if let Ok(s) = http::StatusCode::from_u16(status) {
                *r.status_mut() = s;
            }
            r
        };
        let _ = crate::operation::Api::is_auth_failure(&api, &response());
        match RequestToken.from_response(response()) {
            Ok(grant) => assert!(!grant.value.is_empty()),
            Err(crate::Error::Decode { snippet, .. }) => {
                assert!(
                    snippet.starts_with("[withheld"),
                    "token body quoted: {snippet}"
                )
            }
            Err(_) => {}
        }
        let _ = RegisterIpn::new("https://shop.example/ipn", IpnMethod::Get)
            .map(|op| op.from_response(response()));
        let _ = GetIpnList.from_response(response());
        let _ = SubmitOrder::new(order.clone(), ipn_id.clone()).from_response(response());
        if let Ok(s) = GetTransactionStatus::new(tracking.clone()).from_response(response()) {
            if s.status_code == Some(0) {
                assert_ne!(s.status, PaymentStatus::Failed);
            }
            let _ = s.created_at_assumed_eat();
            if let Ok(reference) = MerchantReference::new("ORDER-1") {
                let _ = s.reconcile(&reference, Money::from_minor(1000, Currency::KES));
            }
        }
        if let Ok(op) =
            RefundRequest::new("AA11BB22", Money::from_minor(100, Currency::KES), "u", "r")
        {
            if let Err(e) = op.from_response(response()) {
                let _ = RefundRefusal::of(&e);
            }
        }
        if let Err(e) = CancelOrder::new(tracking.clone()).from_response(response()) {
            let _ = CancelRefusal::of(&e);
        }
        let _ = ConfirmNotification::new(notification.clone()).from_response(response());
    }
}
