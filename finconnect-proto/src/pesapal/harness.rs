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

/// Everything the answer readers need, built once (not per input: building a
/// config or parsing URLs per execution made this target ~20 times slower).
struct Fixtures {
    api: PesapalConfig,
    tracking: OrderTrackingId,
    order: SubmitOrder,
    register: RegisterIpn,
    refund: RefundRequest,
    confirm: ConfirmNotification,
}

fn fixtures() -> &'static Fixtures {
    static FIXTURES: std::sync::OnceLock<Fixtures> = std::sync::OnceLock::new();
    FIXTURES.get_or_init(|| {
        // Constant, valid inputs: any failure here is a bug in the harness.
        let api = PesapalConfig::sandbox("fuzz-key", "fuzz-secret").expect("constant config");
        let tracking =
            OrderTrackingId::new("96a5e1d9-f711-4423-82ce-dd758f972713").expect("tracking id");
        let order = Order::new(
            MerchantReference::new("ORDER-1").expect("reference"),
            Money::from_decimal_str("10.00", Currency::KES).expect("amount"),
            Description::new("fuzz").expect("description"),
            "https://shop.example/paid",
            BillingAddress::email("a@example.com"),
        )
        .expect("order");
        let ipn_id = IpnId::new("1da86d1c-1e8c-4183-bdfd-dd759463e4ce").expect("ipn id");
        Fixtures {
            api,
            order: SubmitOrder::new(order, ipn_id),
            register: RegisterIpn::new("https://shop.example/ipn", IpnMethod::Get)
                .expect("register"),
            refund: RefundRequest::new("AA11BB22", Money::from_minor(100, Currency::KES), "u", "r")
                .expect("refund"),
            confirm: ConfirmNotification::new(Notification {
                order_tracking_id: tracking.clone(),
                merchant_reference: "ORDER-1".into(),
                kind: NotificationKind::Recurring,
            }),
            tracking,
        }
    })
}

/// Reads `body`, answered with HTTP `status`, with GetTransactionStatus's
/// one-pass reader and with the `serde_json::Value` reader it replaced: both
/// must come to the same status, or to the same error.
pub fn pesapal_status_agrees(status: u16, body: &[u8]) {
    let f = fixtures();
    let response = crate::harness::response(status, body);
    let typed = super::status::read_status(&response, &f.tracking);
    let value = super::status::read_status_via_value(&response, &f.tracking);
    assert_eq!(
        format!("{typed:?}"),
        format!("{value:?}"),
        "the two status readers differ on HTTP {status} {:?}",
        String::from_utf8_lossy(body)
    );
}

/// Reads `body`, answered with HTTP `status`, with SubmitOrderRequest's
/// one-pass reader and with the `serde_json::Value` reader: both must come to
/// the same order, or to the same error.
pub fn pesapal_order_agrees(status: u16, body: &[u8]) {
    let f = fixtures();
    let response = crate::harness::response(status, body);
    let typed = f.order.read(response.clone());
    let value = super::order::read_order_value(&response);
    assert_eq!(
        format!("{typed:?}"),
        format!("{value:?}"),
        "the two order readers differ on HTTP {status} {:?}",
        String::from_utf8_lossy(body)
    );
}

/// How many answer readers [`pesapal_responses`] chooses from.
pub const RESPONSE_READERS: usize = 9;

/// The first byte picks an answer reader and an HTTP status (see
/// [`crate::harness::select`]); the rest is the body. Nothing may panic; a
/// pending (`status_code` 0) payment is never read as failed; a token answer
/// never quotes its body in an error.
pub fn pesapal_responses(data: &[u8]) {
    use crate::harness::check_error;
    let Some((reader, status, body)) = crate::harness::select(data, RESPONSE_READERS) else {
        return;
    };
    let f = fixtures();
    let response = crate::harness::response(status, body);
    if reader == 3 {
        pesapal_order_agrees(status, body);
    }
    if reader == 4 {
        pesapal_status_agrees(status, body);
    }
    match reader {
        0 => match RequestToken.read(response) {
            Ok(grant) => assert!(!grant.value.is_empty()),
            Err(e) => check_error(&e, true),
        },
        1 => {
            if let Err(e) = f.register.read(response) {
                check_error(&e, false);
            }
        }
        2 => {
            if let Err(e) = GetIpnList.read(response) {
                check_error(&e, false);
            }
        }
        3 => {
            if let Err(e) = f.order.read(response) {
                check_error(&e, false);
            }
        }
        4 => match GetTransactionStatus::new(f.tracking.clone()).read(response) {
            Ok(s) => {
                if s.status_code == Some(0) {
                    assert_ne!(s.status, PaymentStatus::Failed);
                }
                let _ = s.created_at_assumed_eat();
                if let Ok(reference) = MerchantReference::new("ORDER-1") {
                    let _ = s.reconcile(&reference, Money::from_minor(1000, Currency::KES));
                }
            }
            Err(e) => check_error(&e, false),
        },
        5 => {
            if let Err(e) = f.refund.read(response) {
                let _ = RefundRefusal::of(&e);
                check_error(&e, false);
            }
        }
        6 => {
            if let Err(e) = CancelOrder::new(f.tracking.clone()).read(response) {
                let _ = CancelRefusal::of(&e);
                check_error(&e, false);
            }
        }
        7 => {
            if let Err(e) = f.confirm.read(response) {
                check_error(&e, false);
            }
        }
        _ => {
            let _ = crate::operation::Api::is_auth_failure(&f.api, &response);
        }
    }
}
