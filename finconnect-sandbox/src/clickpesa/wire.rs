//! ClickPesa JSON shapes: `{message}` errors, amounts, timestamps.

use crate::json::ojson;
use serde_json::Value;

use crate::http::Reply;

/// `{"message": …}` with a status.
pub(crate) fn message(status: u16, text: &str) -> Reply {
    Reply::json(status, &ojson!({ "message": text }))
}

/// 401 `{"message":"Unauthorized"}`.
pub(crate) fn unauthorized() -> Reply {
    message(401, "Unauthorized")
}

/// 400 for a wrong request checksum.
pub(crate) fn invalid_checksum() -> Reply {
    message(400, "Invalid checksum")
}

/// 400 invalid order reference.
pub(crate) fn invalid_reference() -> Reply {
    message(
        400,
        "Invalid Order Reference, should only contain alphanumeric characters and cannot be blank",
    )
}

/// 409 reference reused.
pub(crate) fn reference_used(reference: &str) -> Reply {
    message(
        409,
        &format!("Order reference {reference} already used: Create a different reference"),
    )
}

/// Alphanumeric, non-empty.
pub(crate) fn reference_ok(reference: &str) -> bool {
    !reference.is_empty() && reference.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The mobile-money channel of a `255…` number, if supported.
pub(crate) fn channel_for_phone(phone: &str) -> Option<&'static str> {
    if phone.len() != 12 || !phone.starts_with("255") || !phone.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    match &phone[3..5] {
        "74" | "75" | "76" => Some("M-PESA"),
        "65" | "67" | "71" | "77" => Some("TIGO-PESA"),
        "68" | "69" | "78" => Some("AIRTEL-MONEY"),
        "61" | "62" => Some("HALOPESA"),
        _ => None,
    }
}

/// A JSON number written the short way: `2000` rather than `2000.0`.
pub(crate) fn num(f: f64) -> Value {
    let rounded = (f * 100.0).round() / 100.0;
    if rounded.fract() == 0.0 && rounded.abs() < 1e15 {
        Value::from(rounded as i64)
    } else {
        Value::from(rounded)
    }
}

/// Two-decimal money string: `"1047.10"`.
pub(crate) fn money(f: f64) -> String {
    format!("{f:.2}")
}

/// A collection amount as ClickPesa writes it in strings: `"1000"` or `"10.5"`.
pub(crate) fn amount_string(f: f64) -> String {
    match num(f) {
        Value::Number(n) => crate::clickpesa::checksum::js_number(&n),
        _ => money(f),
    }
}
