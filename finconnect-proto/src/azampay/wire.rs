//! AzamPay's response shapes and quirks, absorbed here so public types stay clean.
//!
//! - the `{data, message, success, statusCode}` envelope, where HTTP 200 with
//!   `success:false` is a refusal and the body status may differ from the HTTP one;
//! - ASP.NET validation problems (`{"title", "status":400, "errors":{field:[…]}}`);
//! - gateway error objects `{"status":"Error","message":"…"}`;
//! - `message` or `msg`; the literal string `"null"` meaning absent.

use crate::operation::{Body, Host, Parts};
use crate::{wire, Error, FieldProblem, Provider};
use serde::Serialize;
use serde_json::{Map, Value};

/// A `POST` of `body` (written in the order of its fields, as AzamPay's samples
/// are) to `path` on `host`.
pub(crate) fn post(
    host: Host,
    path: impl Into<String>,
    body: &impl Serialize,
) -> Result<Parts, Error> {
    Ok(Parts::post(host, path, Body::Bytes(wire::to_json(body)?)))
}

/// The context of a decoding error about an answer to `operation`.
pub(crate) fn context(operation: &str) -> String {
    format!("AzamPay {operation} answer")
}

/// Reads a JSON answer (refusing HTML pages and empty bodies clearly) and checks
/// it for every error shape ([`check`]). Returns the object; another JSON value
/// that passes the check reads as an empty object.
pub(crate) fn object(
    operation: &'static str,
    response: &http::Response<Vec<u8>>,
) -> Result<Map<String, Value>, Error> {
    let value = wire::from_json(&context(operation), response)?;
    check(operation, response.status().as_u16(), &value, None)?;
    Ok(match value {
        Value::Object(obj) => obj,
        _ => Map::new(),
    })
}

/// For operations that move money: the object of an answer that is no refusal
/// ([`check_refusal`] with the envelope refusals). Anything but an object is a
/// decode error, which the driver turns into `OutcomeUnknown`.
pub(crate) fn accepted(
    operation: &'static str,
    response: &http::Response<Vec<u8>>,
    reference: Option<&str>,
) -> Result<Map<String, Value>, Error> {
    let value = wire::from_json(&context(operation), response)?;
    check_refusal(operation, response, &value, reference, Refusals::Envelope)?;
    match value {
        Value::Object(obj) => Ok(obj),
        _ => Err(Error::decode(
            context(operation),
            "expected a JSON object",
            response.body(),
            Some(response.status().as_u16()),
        )),
    }
}

/// Looks a key up case-insensitively in a JSON object.
pub(crate) fn get_ci<'a>(obj: &'a Map<String, Value>, names: &[&str]) -> Option<&'a Value> {
    for name in names {
        if let Some(v) = obj.get(*name) {
            return Some(v);
        }
    }
    obj.iter()
        .find(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
        .map(|(_, v)| v)
}

/// A value as text: strings (not empty, not `"null"`) and numbers; anything else is
/// absent.
pub(crate) fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => {
            let t = s.trim();
            if t.is_empty() || t.eq_ignore_ascii_case("null") {
                None
            } else {
                Some(s.clone())
            }
        }
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The text of the first of `names` found in `obj` (see [`get_ci`], [`text`]).
pub(crate) fn text_of(obj: &Map<String, Value>, names: &[&str]) -> Option<String> {
    text(get_ci(obj, names))
}

/// The object under `name` in `obj`, if it is one.
pub(crate) fn object_of<'a>(
    obj: &'a Map<String, Value>,
    name: &str,
) -> Option<&'a Map<String, Value>> {
    get_ci(obj, &[name]).and_then(Value::as_object)
}

/// The text of `data`, or when `data` is an object, of the first of `names` in it.
pub(crate) fn data_text(obj: &Map<String, Value>, names: &[&str]) -> Option<String> {
    match get_ci(obj, &["data"]) {
        Some(Value::Object(data)) => text_of(data, names),
        other => text(other),
    }
}

/// A boolean given as `true`/`false` or `"true"`/`"false"`.
pub(crate) fn boolean(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// An integer given as a number or numeric string.
pub(crate) fn integer(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The message of a body: `message` or `msg`.
pub(crate) fn message(obj: &Map<String, Value>) -> Option<String> {
    text_of(obj, &["message", "msg"])
}

/// The hint for a 423 from GenerateToken.
pub(crate) const HINT_423: &str =
    "wrong app name, client id or client secret, an expired client secret, \
     or credentials of the other environment (sandbox credentials against live, or the reverse)";

/// Checks a JSON answer for every error shape AzamPay uses: the validation
/// problem, the envelope refusal (`success:false`, a body status other than 2xx,
/// `"status":"Error"`), 423, and a bare string with an error status. Any other
/// 2xx answer passes, whatever its shape: the operation reads it.
pub(crate) fn check(
    operation: &'static str,
    status: u16,
    body: &Value,
    reference: Option<&str>,
) -> Result<(), Error> {
    let http_ok = (200..300).contains(&status);
    let obj = match body {
        Value::Object(obj) => obj,
        Value::String(s) if !http_ok => return Err(provider(None, s.clone(), status)),
        _ if http_ok => return Ok(()),
        _ => {
            return Err(provider(
                None,
                "the answer holds no message".to_owned(),
                status,
            ))
        }
    };
    if let Some(Value::Object(errors)) = get_ci(obj, &["errors"]) {
        let problems: Vec<FieldProblem> = errors
            .iter()
            .map(|(field, msgs)| FieldProblem {
                field: field.clone(),
                messages: match msgs {
                    Value::Array(items) => items
                        .iter()
                        .map(|m| match m {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect(),
                    Value::String(s) => vec![s.clone()],
                    other => vec![other.to_string()],
                },
            })
            .collect();
        let title = text(get_ci(obj, &["title"]))
            .unwrap_or_else(|| "AzamPay refused the request as invalid".to_owned());
        return Err(Error::Rejected {
            provider: Provider::Azampay,
            message: format!("{title} ({operation})"),
            problems,
            http_status: Some(status),
        });
    }
    let success = boolean(get_ci(obj, &["success"]));
    let body_status = integer(get_ci(obj, &["statusCode"]))
        .or_else(|| integer(get_ci(obj, &["status"]).filter(|v| v.is_number())));
    let error_word = matches!(get_ci(obj, &["status"]), Some(Value::String(s)) if s.eq_ignore_ascii_case("error"));
    let body_ok = !matches!(body_status, Some(s) if !(200..300).contains(&s));
    if http_ok && success != Some(false) && body_ok && !error_word {
        return Ok(());
    }
    let msg = message(obj).unwrap_or_else(|| "AzamPay refused the request".to_owned());
    if status == 423 || body_status == Some(423) {
        return Err(Error::Unauthorized {
            provider: Provider::Azampay,
            message: msg,
            hint: Some(HINT_423),
        });
    }
    if msg.to_ascii_lowercase().contains("duplicate") {
        if let Some(reference) = reference {
            return Err(Error::DuplicateReference {
                provider: Provider::Azampay,
                reference: reference.to_owned(),
                message: msg,
            });
        }
    }
    Err(provider(body_status.map(|s| s.to_string()), msg, status))
}

/// Which AzamPay refusals an operation documents (see [`check_refusal`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusals {
    /// The envelope refusal (`success:false`, or a body status other than 2xx,
    /// with a message), the validation problem and 423: checkouts, disbursement.
    Envelope,
    /// Only the validation problem and 423 (PostCheckout, which answers a URL).
    ValidationOnly,
}

/// For operations that move money: [`check`], except that only the refusals
/// AzamPay documents come back as refusals. Any other failure shape is a decode
/// error naming what was seen, which the driver turns into `OutcomeUnknown`.
pub(crate) fn check_refusal(
    operation: &'static str,
    response: &http::Response<Vec<u8>>,
    body: &Value,
    reference: Option<&str>,
    refusals: Refusals,
) -> Result<(), Error> {
    let status = response.status().as_u16();
    let Err(err) = check(operation, status, body, reference) else {
        return Ok(());
    };
    if is_documented_refusal(status, body, refusals) {
        return Err(err);
    }
    Err(Error::decode(
        context(operation),
        format!("not a refusal AzamPay documents ({err})"),
        response.body(),
        Some(status),
    ))
}

/// Whether a failure body is one AzamPay documents as a refusal.
fn is_documented_refusal(status: u16, body: &Value, refusals: Refusals) -> bool {
    let Value::Object(obj) = body else {
        return false;
    };
    let http_ok = (200..300).contains(&status);
    let client_error = (400..500).contains(&status);
    let body_status = integer(get_ci(obj, &["statusCode"]))
        .or_else(|| integer(get_ci(obj, &["status"]).filter(|v| v.is_number())));
    if status == 423 || (body_status == Some(423) && (http_ok || client_error)) {
        return true;
    }
    if matches!(get_ci(obj, &["errors"]), Some(Value::Object(_))) {
        return client_error;
    }
    if refusals == Refusals::ValidationOnly || !(http_ok || client_error) {
        return false;
    }
    let failed = boolean(get_ci(obj, &["success"])) == Some(false)
        || body_status.is_some_and(|s| !(200..300).contains(&s))
        || matches!(get_ci(obj, &["status"]), Some(Value::String(s)) if s.eq_ignore_ascii_case("error"));
    failed && message(obj).is_some()
}

/// A refusal, with a hint for a refused token and for AzamPay's own failures.
pub(crate) fn provider(code: Option<String>, message: String, status: u16) -> Error {
    let hint = match status {
        401 => Some("the token was refused; check the credentials and the environment"),
        s if s >= 500 => Some(
            "AzamPay had an internal error; for payments, query the status before trying again",
        ),
        _ => None,
    };
    Error::Provider {
        provider: Provider::Azampay,
        code,
        message,
        http_status: Some(status),
        hint,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn http_200_with_success_false_is_an_error() {
        let v: Value = serde_json::from_str(r#"{"success":false,"msg":"no"}"#).unwrap();
        let e = check("x", 200, &v, None).unwrap_err();
        assert!(matches!(e, Error::Provider { ref message, .. } if message == "no"));
    }

    #[test]
    fn body_status_trumps_success_true() {
        let v: Value =
            serde_json::from_str(r#"{"success":true,"message":"bad","status":400}"#).unwrap();
        assert!(check("x", 200, &v, None).is_err());
        let v: Value = serde_json::from_str(r#"{"success":true,"statusCode":200}"#).unwrap();
        assert!(check("x", 200, &v, None).is_ok());
    }
}
