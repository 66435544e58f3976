//! Daraja's wire quirks, absorbed in one place.
//!
//! Bodies are read as a [`serde_json::Value`] and picked apart by hand: codes
//! come as strings or numbers (`ResultCode` `0` or `"0"` or `"R000002"`),
//! amounts as `1.00`, `"5.00"` or `"05"`, timestamps as 14-digit numbers or
//! strings, lists as one object or an array. Every answer is classified by its
//! body, whatever its HTTP status: Daraja's error envelope
//! (`requestId`/`errorCode`/`errorMessage`, camelCase) also comes with HTTP 200,
//! its API gateway answers with a SOAP-style fault rendered as JSON, and the
//! edge in front of it with HTML.

use crate::{Currency, Error, FieldProblem, Money, Provider};
use serde_json::Value;
use std::time::SystemTime;

pub(crate) type Response = http::Response<Vec<u8>>;

/// The provider every error here names.
pub(crate) const PROVIDER: Provider = Provider::Mpesa;

/// The largest answer [`refuses_token`] reads (Daraja's error bodies are under
/// 300 bytes).
const MAX_REFUSAL_BODY: usize = 16 * 1024;

/// Nairobi's offset from UTC: +03:00 all year (Kenya has no daylight saving).
pub(crate) const NAIROBI_OFFSET_SECONDS: i32 = 3 * 3600;

/// Codes of Daraja's error envelope (`errorCode`) that finconnect acts on.
pub mod codes {
    /// The token was refused (expired, the other environment's, or the product
    /// is not enabled on the app): the code seen on the wire.
    pub const INVALID_ACCESS_TOKEN: &str = "404.001.03";
    /// The token was refused (the C2B, transaction-status and balance pages' code).
    pub const INVALID_ACCESS_TOKEN_400: &str = "400.003.01";
    /// The token was refused (the account-balance page's code).
    pub const INVALID_ACCESS_TOKEN_401: &str = "401.002.01";
    /// The `Authorization` header is missing or misplaced (or the method is wrong).
    pub const INVALID_AUTHENTICATION_HEADER: &str = "404.001.04";
    /// OAuth without `Basic` authentication.
    pub const INVALID_AUTHENTICATION: &str = "400.008.01";
    /// OAuth with a wrong or missing `grant_type`.
    pub const INVALID_GRANT_TYPE: &str = "400.008.02";
    /// A field was refused: `Bad Request - Invalid <Field>`.
    pub const INVALID_FIELD: &str = "400.002.02";
    /// The body does not match the endpoint.
    pub const INVALID_PAYLOAD: &str = "400.002.05";
    /// A catch-all: "Wrong credentials", "Unable to lock subscriber", and on the
    /// STK query "still processing" or "does not exist" (never a failure there).
    pub const CATCH_ALL: &str = "500.001.1001";
    /// B2C v3: a reused `OriginatorConversationID` (also a generic internal
    /// error, told apart by its message).
    pub const DUPLICATE_ORIGINATOR: &str = "500.002.1001";
    /// An internal error; on C2B register also "Urls are already registered".
    pub const INTERNAL: &str = "500.003.1001";
    /// Too many requests per second.
    pub const SPIKE_ARREST: &str = "500.003.02";
    /// The request quota is used up.
    pub const QUOTA_VIOLATION: &str = "500.003.03";
}

const HINT_TOKEN: &str = "the token was refused; the driver fetches a fresh one once — check that the consumer key belongs to this environment and that the app has this product enabled";
const HINT_OAUTH: &str = "the token request was refused: check the consumer key and secret (sandbox and production keys differ)";
const HINT_FIELD: &str = "Daraja names the first field it refused; a wrong Content-Type or a null field can make it name another one";
const HINT_PATH: &str = "no such Daraja path or method at this base URL (https://sandbox.safaricom.co.ke or https://api.safaricom.co.ke)";
const HINT_SLOW_DOWN: &str =
    "Daraja's rate limit: nothing was processed; back off and try again later";
const HINT_GATEWAY: &str =
    "Safaricom's API gateway failed while handling the request; try again later";

/// An answer read once as JSON, whatever its HTTP status, with the name of the
/// endpoint for the errors it gives.
pub(crate) struct Answer<'a> {
    name: &'static str,
    response: &'a Response,
    /// Keep the body out of errors (a token answer holds the token).
    withhold: bool,
    /// The JSON body (an object).
    pub(crate) v: Value,
}

impl<'a> Answer<'a> {
    /// Reads the answer to the endpoint `name`. An HTML page (the WAF or the
    /// gateway in front of Daraja), an empty body, broken JSON or JSON that is
    /// not an object is a decode error.
    pub(crate) fn parse(
        name: &'static str,
        response: &'a Response,
        withhold: bool,
    ) -> Result<Self, Error> {
        let mut answer = Answer {
            name,
            response,
            withhold,
            v: Value::Null,
        };
        answer.v =
            crate::wire::json_answer(response.body(), "a firewall or gateway in front of Daraja")
                .map_err(|reason| answer.bad(reason))?;
        if !answer.v.is_object() {
            return Err(answer.bad("expected a JSON object"));
        }
        Ok(answer)
    }

    /// The HTTP status.
    pub(crate) fn status(&self) -> u16 {
        self.response.status().as_u16()
    }

    /// An unreadable answer, for `reason`.
    pub(crate) fn bad(&self, reason: impl std::fmt::Display) -> Error {
        crate::wire::unreadable(
            format!("M-Pesa {} answer", self.name),
            reason,
            self.response,
            self.withhold,
        )
    }

    /// A required text field of the body.
    pub(crate) fn required(&self, key: &str) -> Result<String, Error> {
        non_empty(&self.v, key).ok_or_else(|| self.bad(format!("`{key}` is missing or empty")))
    }

    /// Daraja's error envelope, when the body is one.
    pub(crate) fn envelope(&self) -> Option<Envelope> {
        Envelope::of(&self.v)
    }

    /// Classifies the body: the error envelope, a gateway fault, an
    /// acknowledgement whose `ResponseCode` is not `"0"`, or an HTTP error
    /// status without any of them. `money` says the request creates or moves
    /// money: then only Daraja's documented refusals come back as refusals
    /// (everything else is a decode error, which the driver reports as an
    /// unknown outcome); `reference` is quoted by a duplicate refusal.
    pub(crate) fn check(&self, money: bool, reference: Option<&str>) -> Result<(), Error> {
        if let Some(envelope) = self.envelope() {
            return Err(envelope.into_error(self, money, reference));
        }
        if let Some(fault) = Fault::of(&self.v) {
            let message = fault.describe();
            if money {
                return Err(self.bad(format!(
                    "a gateway fault is not a refusal Daraja documents: {message}"
                )));
            }
            return Err(Error::Provider {
                provider: PROVIDER,
                code: fault.errorcode,
                message,
                http_status: Some(self.status()),
                hint: Some(HINT_GATEWAY),
            });
        }
        if let Some(code) = text(&self.v, "ResponseCode") {
            if code.trim() != "0" {
                let description = text(&self.v, "ResponseDescription").unwrap_or_default();
                return Err(Error::Provider {
                    provider: PROVIDER,
                    code: Some(code.trim().to_owned()),
                    message: format!("request not accepted: {description}"),
                    http_status: Some(self.status()),
                    hint: None,
                });
            }
        }
        let status = self.status();
        if status == 401 {
            return Err(Error::Unauthorized {
                provider: PROVIDER,
                message: "HTTP 401".to_owned(),
                hint: Some(HINT_TOKEN),
            });
        }
        if status >= 400 {
            return Err(self.bad(format!("HTTP {status} without Daraja's error envelope")));
        }
        Ok(())
    }
}

/// Daraja's error envelope: `{"requestId", "errorCode", "errorMessage"}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Envelope {
    pub(crate) request_id: Option<String>,
    pub(crate) code: String,
    pub(crate) message: String,
}

impl Envelope {
    /// The envelope, when the body has a non-empty `errorCode` (success bodies
    /// never have one).
    pub(crate) fn of(v: &Value) -> Option<Envelope> {
        let code = non_empty(v, "errorCode")?.trim().to_owned();
        Some(Envelope {
            request_id: non_empty(v, "requestId"),
            code,
            message: text(v, "errorMessage").unwrap_or_default(),
        })
    }

    /// Whether the code says the token was refused.
    pub(crate) fn refuses_token(&self) -> bool {
        [
            codes::INVALID_ACCESS_TOKEN,
            codes::INVALID_ACCESS_TOKEN_400,
            codes::INVALID_ACCESS_TOKEN_401,
        ]
        .contains(&self.code.as_str())
    }

    fn words(&self) -> String {
        if self.message.trim().is_empty() {
            "(no message)".to_owned()
        } else {
            self.message.clone()
        }
    }

    /// The error a user can act on (see [`Answer::check`]).
    pub(crate) fn into_error(
        self,
        answer: &Answer<'_>,
        money: bool,
        reference: Option<&str>,
    ) -> Error {
        let http_status = Some(answer.status());
        let code = self.code.as_str();
        if self.refuses_token() || code == codes::INVALID_AUTHENTICATION_HEADER {
            return Error::Unauthorized {
                provider: PROVIDER,
                message: format!("{code} {}", self.words()),
                hint: Some(HINT_TOKEN),
            };
        }
        if code == codes::INVALID_AUTHENTICATION || code == codes::INVALID_GRANT_TYPE {
            return Error::Unauthorized {
                provider: PROVIDER,
                message: format!("{code} {}", self.words()),
                hint: Some(HINT_OAUTH),
            };
        }
        if code.starts_with("400.002.") {
            let field = self
                .message
                .split("Invalid ")
                .nth(1)
                .map(|f| f.trim().to_owned())
                .filter(|f| !f.is_empty());
            return Error::Rejected {
                provider: PROVIDER,
                message: format!("{code} {} — hint: {HINT_FIELD}", self.words()),
                problems: field
                    .map(|field| {
                        vec![FieldProblem {
                            field,
                            messages: vec![self.message.clone()],
                        }]
                    })
                    .unwrap_or_default(),
                http_status,
            };
        }
        if code.starts_with('4') {
            let hint = (code.starts_with("404.") || code.starts_with("405.")).then_some(HINT_PATH);
            return Error::Provider {
                provider: PROVIDER,
                code: Some(code.to_owned()),
                message: self.words(),
                http_status,
                hint,
            };
        }
        if code == codes::DUPLICATE_ORIGINATOR
            && self.message.to_ascii_lowercase().contains("duplicate")
        {
            return Error::DuplicateReference {
                provider: PROVIDER,
                reference: reference
                    .unwrap_or("the OriginatorConversationID")
                    .to_owned(),
                message: format!(
                    "{code} {}: already submitted — query its status, never send it again",
                    self.words()
                ),
            };
        }
        if code == codes::SPIKE_ARREST || code == codes::QUOTA_VIOLATION {
            return Error::Provider {
                provider: PROVIDER,
                code: Some(code.to_owned()),
                message: self.words(),
                http_status,
                hint: Some(HINT_SLOW_DOWN),
            };
        }
        if money {
            return answer.bad(format!(
                "Daraja error {code} ({}) is not a refusal Daraja documents",
                self.words()
            ));
        }
        Error::Provider {
            provider: PROVIDER,
            code: Some(code.to_owned()),
            message: self.words(),
            http_status,
            hint: None,
        }
    }
}

/// A gateway fault: `{"Envelope":{"Body":{"Fault":{…}}}}` (SOAP rendered as
/// JSON) or a plain `{"fault":{…}}`.
struct Fault {
    faultstring: Option<String>,
    errorcode: Option<String>,
}

impl Fault {
    fn of(v: &Value) -> Option<Fault> {
        let fault = v
            .pointer("/Envelope/Body/Fault")
            .or_else(|| v.get("fault"))
            .or_else(|| v.get("Fault"))?;
        if !fault.is_object() {
            return None;
        }
        let errorcode = fault
            .pointer("/detail/source/errorcode")
            .or_else(|| fault.pointer("/detail/errorcode"))
            .and_then(scalar_text)
            .or_else(|| non_empty(fault, "faultcode"));
        Some(Fault {
            faultstring: non_empty(fault, "faultstring"),
            errorcode,
        })
    }

    fn describe(&self) -> String {
        let words = self.faultstring.as_deref().unwrap_or("(no fault string)");
        match &self.errorcode {
            Some(code) => format!("{words} ({code})"),
            None => words.to_owned(),
        }
    }
}

/// Whether an answer, of any HTTP status, is Daraja's error envelope with a
/// refused-token code. Only a small body that holds `errorCode` is parsed here.
pub(crate) fn refuses_token(response: &Response) -> bool {
    let body = response.body();
    if body.len() > MAX_REFUSAL_BODY || !body.windows(9).any(|w| w == b"errorCode") {
        return false;
    }
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| Envelope::of(&v))
        .is_some_and(|e| e.refuses_token())
}

/// A scalar as text: a string, or a number or boolean written out.
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A field as text (string, number or boolean); `null`, absent or another
/// shape are `None`.
pub(crate) fn text(v: &Value, key: &str) -> Option<String> {
    scalar_text(v.get(key)?)
}

/// Like [`text`], with a blank string read as absent.
pub(crate) fn non_empty(v: &Value, key: &str) -> Option<String> {
    text(v, key).filter(|s| !s.trim().is_empty())
}

/// A code (`ResultCode`, `ResultType`) as trimmed text, from a number or a string.
pub(crate) fn code(v: &Value, key: &str) -> Option<String> {
    non_empty(v, key).map(|s| s.trim().to_owned())
}

/// The items of a field that is one object or an array of them (`ResultParameter`,
/// `ReferenceItem`, `Item`); anything else gives none.
pub(crate) fn one_or_many(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(items)) => items.iter().filter(|i| i.is_object()).collect(),
        Some(item @ Value::Object(_)) => vec![item],
        _ => Vec::new(),
    }
}

/// A KES amount from a number or a numeric string (`1.00`, `"5.00"`, `"05"`),
/// exactly (never through `f64`).
pub(crate) fn kes(v: &Value) -> Option<Money> {
    Money::from_json(v, Currency::KES).ok()
}

/// A paid amount in KES: as [`kes`], and never negative (a payment of minus ten
/// shillings is a malformed notification, not a refund).
pub(crate) fn kes_paid(v: &Value) -> Option<Money> {
    kes(v).filter(|m| m.minor_units() >= 0)
}

/// A 14-digit `YYYYMMDDHHmmss` timestamp given as a number or a string, as
/// text; anything else is `None`.
pub(crate) fn timestamp_text(v: &Value) -> Option<String> {
    let text = scalar_text(v)?;
    let text = text.trim();
    (text.len() == 14 && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.to_owned())
}

/// The Daraja amount of `amount`: whole Kenyan shillings between `min` and
/// `max`. An amount with cents is refused, never rounded.
pub(crate) fn whole_shillings(
    field: &str,
    amount: Money,
    min: i64,
    max: i64,
) -> Result<i64, Error> {
    if amount.currency() != Currency::KES {
        return Err(Error::invalid(
            field,
            format!(
                "M-Pesa takes Kenyan shillings (KES), got {}",
                amount.currency()
            ),
        ));
    }
    if amount.minor_units() % 100 != 0 {
        return Err(Error::invalid(
            field,
            format!("{amount} has cents; M-Pesa takes whole shillings only (refused, not rounded)"),
        ));
    }
    let shillings = amount.minor_units() / 100;
    if !(min..=max).contains(&shillings) {
        return Err(Error::invalid(
            field,
            format!("must be {min} to {max} KES, got {shillings} KES"),
        ));
    }
    Ok(shillings)
}

/// Checks a bounded text field: 1 to `max` characters (`min` at least), not blank.
pub(crate) fn bounded(field: &str, value: &str, min: usize, max: usize) -> Result<(), Error> {
    let chars = value.chars().count();
    if value.trim().is_empty() || chars < min || chars > max {
        return Err(Error::invalid(
            field,
            format!("must be {min} to {max} characters (Daraja's limit), got {chars}"),
        ));
    }
    Ok(())
}

/// A callback URL Safaricom will call: no whitespace (Daraja refuses it), and
/// checked against the configuration's `policy` (`https` and a public host for
/// the real Daraja).
pub(crate) fn callback_url(
    field: &str,
    raw: &str,
    policy: crate::UrlPolicy,
) -> Result<crate::HttpsUrl, Error> {
    if raw.chars().any(char::is_whitespace) {
        return Err(Error::invalid(
            field,
            "holds whitespace, which Daraja refuses (Invalid CallBackURL)",
        ));
    }
    crate::HttpsUrl::parse(raw, policy).map_err(|e| match e {
        Error::Invalid { reason, .. } => Error::invalid(field, reason),
        other => other,
    })
}

/// `now` as Daraja's `Timestamp`: `YYYYMMDDHHmmss` in Nairobi time (UTC+3).
pub fn timestamp(now: SystemTime) -> String {
    let offset =
        time::UtcOffset::from_whole_seconds(NAIROBI_OFFSET_SECONDS).unwrap_or(time::UtcOffset::UTC);
    let t = time::OffsetDateTime::from(now).to_offset(offset);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Reads a Daraja `YYYYMMDDHHmmss` timestamp as Nairobi time (UTC+3).
///
/// ```
/// use finconnect_proto::mpesa::{parse_timestamp, timestamp};
/// let t = parse_timestamp("20221117155745").unwrap();
/// assert_eq!(timestamp(t), "20221117155745");
/// assert!(parse_timestamp("2022-11-17").is_none());
/// ```
pub fn parse_timestamp(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |range: std::ops::Range<usize>| text.get(range)?.parse::<u16>().ok();
    let month = time::Month::try_from(u8::try_from(num(4..6)?).ok()?).ok()?;
    let date = time::Date::from_calendar_date(
        i32::from(num(0..4)?),
        month,
        u8::try_from(num(6..8)?).ok()?,
    )
    .ok()?;
    let clock = time::Time::from_hms(
        u8::try_from(num(8..10)?).ok()?,
        u8::try_from(num(10..12)?).ok()?,
        u8::try_from(num(12..14)?).ok()?,
    )
    .ok()?;
    let offset = time::UtcOffset::from_whole_seconds(NAIROBI_OFFSET_SECONDS).ok()?;
    Some(
        time::PrimitiveDateTime::new(date, clock)
            .assume_offset(offset)
            .into(),
    )
}

/// A JSON object of text fields, written in the order given.
pub(crate) fn object(fields: &[(&str, Value)]) -> Result<crate::Body, Error> {
    struct Fields<'a>(&'a [(&'a str, Value)]);
    impl serde::Serialize for Fields<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
        }
    }
    Ok(crate::Body::Bytes(crate::wire::to_json(&Fields(fields))?))
}

/// A JSON string value.
pub(crate) fn s(text: impl Into<String>) -> Value {
    Value::String(text.into())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn timestamps_are_nairobi_time() {
        // 2021-06-28 06:24:08 UTC is 09:24:08 in Nairobi.
        let t = UNIX_EPOCH + Duration::from_secs(1_624_861_448);
        assert_eq!(timestamp(t), "20210628092408");
        assert_eq!(parse_timestamp("20210628092408"), Some(t));
        assert_eq!(parse_timestamp("20211328092408"), None);
    }

    #[test]
    fn one_or_many_reads_both_shapes() {
        let v: Value =
            serde_json::from_str(r#"{"a":{"Key":"x"},"b":[{"Key":"y"},{"Key":"z"}],"c":3}"#)
                .unwrap();
        assert_eq!(one_or_many(v.get("a")).len(), 1);
        assert_eq!(one_or_many(v.get("b")).len(), 2);
        assert!(one_or_many(v.get("c")).is_empty());
        assert!(one_or_many(v.get("d")).is_empty());
    }

    #[test]
    fn cents_are_refused_not_rounded() {
        let e =
            whole_shillings("amount", Money::from_minor(150, Currency::KES), 1, 10).unwrap_err();
        assert!(e.to_string().contains("whole shillings"), "{e}");
        assert_eq!(
            whole_shillings("amount", Money::from_minor(500, Currency::KES), 1, 10).unwrap(),
            5
        );
        assert!(whole_shillings("amount", Money::from_minor(500, Currency::TZS), 1, 10).is_err());
        assert!(whole_shillings("amount", Money::from_minor(0, Currency::KES), 1, 10).is_err());
    }
}
