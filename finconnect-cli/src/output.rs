//! Output helpers: timings, masking, JSON shapes shared by the commands.

use finconnect::{Money, PaymentStatus};
use serde_json::{json, Value};
use std::time::Duration;

/// `84 ms`, or `1.25 s` above a second.
pub fn millis(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        format!("{} ms", ms.round() as u64)
    }
}

/// Milliseconds with a fraction, for JSON.
pub fn ms_f64(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

pub use finconnect::types::mask_phone;

/// Money as JSON: `{"amount": "100.50", "currency": "KES"}`.
pub fn money(m: &Money) -> Value {
    json!({"amount": m.to_decimal_string(), "currency": m.currency().code()})
}

/// An optional amount as JSON (`null` when absent).
pub fn opt_money(m: Option<&Money>) -> Value {
    m.map(money).unwrap_or(Value::Null)
}

/// A status word for JSON.
pub fn status(s: &PaymentStatus) -> Value {
    Value::String(s.as_str().to_owned())
}

/// Prints a JSON value on one line.
pub fn print_json(v: &Value) {
    println!("{v}");
}
