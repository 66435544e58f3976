//! Daraja's wire shapes: the error envelope (`requestId`/`errorCode`/`errorMessage`, camelCase
//! unlike everything else), scalars sent as numbers or strings, Nairobi timestamps, and the
//! identifiers Daraja hands out.

use std::time::SystemTime;

use serde_json::{Map, Value};
use time::{OffsetDateTime, UtcOffset};

use crate::http::Reply;
use crate::ids;
use crate::json::{ojson, Json};

/// The error envelope with an HTTP status (Daraja also sends it with 200).
pub(crate) fn error(status: u16, code: &str, message: &str) -> Reply {
    Reply::json(
        status,
        &ojson!({"requestId": request_id(), "errorCode": code, "errorMessage": message}),
    )
    .with_header("cache-control", "no-store")
}

/// `400.002.02 Bad Request - Invalid <Field>`.
pub(crate) fn invalid(field: &str) -> Reply {
    error(400, "400.002.02", &format!("Bad Request - Invalid {field}"))
}

/// `400.002.05 Invalid Request Payload`: the body is not a JSON object.
pub(crate) fn invalid_payload() -> Reply {
    error(400, "400.002.05", "Invalid Request Payload")
}

/// `404.001.03 Invalid Access Token`: the code Daraja actually sends for an expired, unknown
/// or foreign token.
pub(crate) fn invalid_token() -> Reply {
    error(404, "404.001.03", "Invalid Access Token")
}

/// `404.001.04 Invalid Authentication Header`: no `Authorization: Bearer …` at all.
pub(crate) fn invalid_auth_header() -> Reply {
    error(404, "404.001.04", "Invalid Authentication Header")
}

/// The catch-all `500.001.1001` with a message.
pub(crate) fn catch_all(status: u16, message: &str) -> Reply {
    error(status, "500.001.1001", message)
}

/// An opaque correlation id in the recorded shapes (`5031-1921185-1`).
pub(crate) fn request_id() -> String {
    format!("{}-{}-1", ids::digits(5), ids::digits(8))
}

/// A field as text, whether it came as a JSON string or a number.
pub(crate) fn text(body: &Map<String, Value>, key: &str) -> Option<String> {
    match body.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A text field that must be there and not empty.
pub(crate) fn required(body: &Map<String, Value>, key: &str) -> Option<String> {
    text(body, key).filter(|t| !t.trim().is_empty())
}

/// `2547XXXXXXXX` / `2541XXXXXXXX`: 12 digits, no `+`, no leading `0`.
pub(crate) fn msisdn_ok(msisdn: &str) -> bool {
    msisdn.len() == 12
        && msisdn.bytes().all(|b| b.is_ascii_digit())
        && (msisdn.starts_with("2547") || msisdn.starts_with("2541"))
}

/// A whole number of shillings within `min..=max`, sent as an integer JSON number or a
/// string of digits. `"100.00"`, `1.5` and negative amounts are refused, as Daraja does.
pub(crate) fn whole_shillings(value: Option<&Value>, min: u64, max: u64) -> Option<u64> {
    let amount = match value? {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()?
        }
        _ => return None,
    };
    (min..=max).contains(&amount).then_some(amount)
}

/// A shortcode: 5 to 7 digits (string or number on the wire).
pub(crate) fn shortcode_ok(code: &str) -> bool {
    (5..=7).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit())
}

/// A callback URL Daraja would take: `http` or `https`, a host, no whitespace.
pub(crate) fn callback_url(raw: &str) -> Option<url::Url> {
    if raw.chars().any(char::is_whitespace) {
        return None;
    }
    url::Url::parse(raw)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// Words Daraja refuses in C2B URLs (any case).
pub(crate) const FORBIDDEN_C2B_WORDS: [&str; 8] = [
    "m-pesa",
    "mpesa",
    "safaricom",
    "exe",
    "exec",
    "cmd",
    "sql",
    "query",
];

/// Nairobi time (UTC+3, no daylight saving).
pub(crate) fn nairobi(t: SystemTime) -> OffsetDateTime {
    let offset = UtcOffset::from_hms(3, 0, 0).unwrap_or(UtcOffset::UTC);
    OffsetDateTime::from(t).to_offset(offset)
}

/// `YYYYMMDDHHmmss` in Nairobi time (STK `Timestamp`, `TransactionDate`, C2B `TransTime`).
pub(crate) fn timestamp(t: SystemTime) -> String {
    let d = nairobi(t);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// Whether `text` is a real `YYYYMMDDHHmmss` instant.
pub(crate) fn timestamp_ok(text: &str) -> bool {
    if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let n = |r: std::ops::Range<usize>| text[r].parse::<u32>().unwrap_or(u32::MAX);
    let (year, month, day) = (n(0..4), n(4..6), n(6..8));
    let (hour, minute, second) = (n(8..10), n(10..12), n(12..14));
    let date = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .zip(u8::try_from(day).ok())
        .and_then(|(m, d)| time::Date::from_calendar_date(year as i32, m, d).ok());
    date.is_some() && hour < 24 && minute < 60 && second < 60
}

/// `dd.MM.yyyy HH:mm:ss` in Nairobi time (B2C `TransactionCompletedDateTime`).
pub(crate) fn dotted_time(t: SystemTime) -> String {
    let d = nairobi(t);
    format!(
        "{:02}.{:02}.{:04} {:02}:{:02}:{:02}",
        d.day(),
        u8::from(d.month()),
        d.year(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// A `ConversationID`: `AG_YYYYMMDD_` and 20 hex digits.
pub(crate) fn conversation_id() -> String {
    let d = nairobi(SystemTime::now());
    let hex = ids::hex32();
    format!(
        "AG_{:04}{:02}{:02}_{}",
        d.year(),
        u8::from(d.month()),
        d.day(),
        &hex[..20]
    )
}

/// An `OriginatorConversationID` Daraja makes up (`6e86-45dd-91ac-fd5d4178ab523408729`).
pub(crate) fn originator_id() -> String {
    let hex = ids::hex32();
    format!(
        "{}-{}-{}-{}{}",
        &hex[..4],
        &hex[4..8],
        &hex[8..12],
        &hex[12..24],
        ids::digits(7)
    )
}

/// An M-Pesa receipt: 10 upper-case alphanumerics starting with a letter (`QKH94M1Z11`).
pub(crate) fn receipt() -> String {
    format!("S{}", ids::upper_alnum(9))
}

/// The `TransactionID` of a result that moved no money: three letters and zeros.
pub(crate) fn placeholder_transaction_id() -> String {
    let mut id = receipt();
    id.truncate(3);
    format!("{id}0000000")
}

/// A result code as Daraja's STK callback writes it: a number when it is one
/// (`0`, `1032`), a string otherwise (`SFC_IC0003`).
pub(crate) fn code_number_or_text(code: &str) -> Json {
    match code.parse::<u64>() {
        Ok(n) if !code.starts_with('0') || code == "0" => Json::Number(n.into()),
        _ => Json::String(code.to_string()),
    }
}

/// An amount in whole shillings as a JSON number with a fraction (`1.0`, as Daraja's `1.00`).
pub(crate) fn amount_number(kes: u64) -> Json {
    serde_json::Number::from_f64(kes as f64).map_or(Json::Null, Json::Number)
}

/// An amount in cents as `"1234.00"`.
pub(crate) fn cents_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn shapes() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_710_775_545);
        assert_eq!(timestamp(t), "20240318182545");
        assert_eq!(dotted_time(t), "18.03.2024 18:25:45");
        assert!(timestamp_ok("20240318182545"));
        assert!(!timestamp_ok("20240231182545"));
        assert!(!timestamp_ok("2024-03-18 18:25"));
        assert!(!timestamp_ok("20240318246045"));
        assert!(msisdn_ok("254708374149"));
        assert!(msisdn_ok("254112345678"));
        assert!(!msisdn_ok("0708374149"));
        assert!(!msisdn_ok("+254708374149"));
        assert_eq!(whole_shillings(Some(&Value::from(5)), 1, 10), Some(5));
        assert_eq!(whole_shillings(Some(&Value::from("5")), 1, 10), Some(5));
        assert_eq!(whole_shillings(Some(&Value::from("5.00")), 1, 10), None);
        assert_eq!(whole_shillings(Some(&Value::from(1.5)), 1, 10), None);
        assert_eq!(whole_shillings(Some(&Value::from(11)), 1, 10), None);
        assert_eq!(code_number_or_text("1032").to_text(), "1032");
        assert_eq!(code_number_or_text("0").to_text(), "0");
        assert_eq!(
            code_number_or_text("SFC_IC0003").to_text(),
            "\"SFC_IC0003\""
        );
        assert_eq!(cents_text(-154_000), "-1540.00");
        assert_eq!(amount_number(1).to_text(), "1.0");
        assert_eq!(receipt().len(), 10);
        assert!(placeholder_transaction_id().ends_with("0000000"));
        assert!(conversation_id().starts_with("AG_"));
    }
}
