//! ClickPesa's wire quirks: error bodies, answers, amounts and the status
//! vocabulary.

use super::models::PaymentLink;
use crate::operation::Operation;
use crate::retry::Idempotency;
use crate::{wire, Currency, Error, Money, PaymentStatus, Provider};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// An error body: `{message}` with `message` a string, or the NestJS validation
/// shape `{statusCode, message: [..], error}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default, deserialize_with = "string_or_list")]
    pub message: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
}

fn string_or_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum M {
        One(String),
        Many(Vec<serde_json::Value>),
        Other(serde_json::Value),
    }
    Ok(match Option::<M>::deserialize(d)? {
        Some(M::One(s)) => Some(s),
        Some(M::Many(items)) => Some(
            items
                .iter()
                .map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Some(M::Other(serde_json::Value::Null)) | None => None,
        Some(M::Other(v)) => Some(v.to_string()),
    })
}

/// What a message means, by substring (messages interpolate values).
fn hint_for(message: &str) -> Option<&'static str> {
    let m = message.to_ascii_lowercase();
    Some(if m.contains("checksum") {
        "the checksum key or method differs from the application's: check the Encryption key in the dashboard, ChecksumMethod, and that checksum is enabled (toggling it also invalidates tokens)"
    } else if m.contains("order reference") {
        "orderReference must be letters and digits only"
    } else if m.contains("phone number") {
        "phoneNumber must be digits with the country code and no '+', e.g. 255712345678"
    } else if m.contains("no access to") {
        "enable this API feature on the application (Dashboard → Settings → Developers)"
    } else if m.contains("insufficient balance") {
        "top up the ClickPesa balance, or check GET /account/balance before paying out"
    } else if m.contains("client id") {
        "the application's client id is missing or wrong"
    } else if m.contains("validating fee") {
        "a temporary ClickPesa fault: query the status before trying again"
    } else if m.contains("payment collection methods") || m.contains("valid payment method") {
        "the account has no active collection method; contact ClickPesa"
    } else {
        return None;
    })
}

/// Reads an error answer: duplicates, refused credentials, or a provider error.
pub(crate) fn error_from_response(
    response: &http::Response<Vec<u8>>,
    context: &str,
    reference: Option<&str>,
) -> Error {
    let status = response.status().as_u16();
    let body: ErrorBody = match wire::from_json(context, response) {
        Ok(b) => b,
        Err(e) => {
            // A 409 is ClickPesa's "reference already used", whatever its body.
            if status == 409 || response.body().iter().all(u8::is_ascii_whitespace) {
                ErrorBody::default()
            } else {
                return e;
            }
        }
    };
    let message = body
        .message
        .clone()
        .unwrap_or_else(|| format!("HTTP {status} with no message"));
    let lower = message.to_ascii_lowercase();
    if status == 409 || lower.contains("already used") || lower.contains("already in progress") {
        return Error::DuplicateReference {
            provider: Provider::Clickpesa,
            reference: reference.unwrap_or("the order reference").to_owned(),
            message,
        };
    }
    if status == 401 {
        return Error::Unauthorized {
            provider: Provider::Clickpesa,
            message,
            hint: Some("the token expired or was invalidated (toggling checksum in the dashboard does that); fetch a new one"),
        };
    }
    Error::Provider {
        provider: Provider::Clickpesa,
        code: body.error,
        message,
        http_status: Some(status),
        hint: hint_for(&lower),
    }
}

/// Reads the answer to `op` as `T`, or turns an error answer into an [`Error`]
/// that quotes the operation's order reference.
///
/// For an operation that moves money (not idempotent), an error answer is a
/// refusal only when it is one ClickPesa documents: a 409 (whatever its body)
/// or a `{"message": …}` body. Anything else (an HTML page, an empty body, JSON
/// without a message) is a decode error, which the driver turns into
/// `OutcomeUnknown`.
pub(crate) fn answer<O: Operation, T: DeserializeOwned>(
    op: &O,
    response: &http::Response<Vec<u8>>,
) -> Result<T, Error> {
    let context = format!("ClickPesa {} answer", O::NAME);
    if response.status().is_success() {
        return wire::from_json(&context, response);
    }
    let status = response.status().as_u16();
    let documented = O::IDEMPOTENCY == Idempotency::Idempotent
        || status == 409
        || serde_json::from_slice::<ErrorBody>(response.body())
            .ok()
            .is_some_and(|b| b.message.is_some_and(|m| !m.trim().is_empty()));
    if !documented {
        return Err(Error::decode(
            context,
            format!("HTTP {status} without a ClickPesa error message"),
            response.body(),
            Some(status),
        ));
    }
    Err(error_from_response(
        response,
        &context,
        op.reference().as_deref(),
    ))
}

/// Reads the answer to `op` as an object whose `field` must hold a non-empty
/// string: that string, and the object.
pub(crate) fn answer_with<O: Operation>(
    op: &O,
    response: &http::Response<Vec<u8>>,
    field: &str,
) -> Result<(String, Map<String, Value>), Error> {
    let body: Map<String, Value> = answer(op, response)?;
    match body.get(field).and_then(Value::as_str) {
        Some(text) if !text.is_empty() => Ok((text.to_owned(), body)),
        _ => Err(Error::decode(
            format!("ClickPesa {} answer", O::NAME),
            format!("no {field}"),
            response.body(),
            Some(response.status().as_u16()),
        )),
    }
}

/// Reads a link answer: the URL in `field`, and the echoed `clientId`.
pub(crate) fn answer_link<O: Operation>(
    op: &O,
    response: &http::Response<Vec<u8>>,
    field: &str,
) -> Result<PaymentLink, Error> {
    let (url, body) = answer_with(op, response, field)?;
    let client_id = body.get("clientId").and_then(Value::as_str);
    Ok(PaymentLink {
        url,
        client_id: client_id.map(str::to_owned),
    })
}

/// A JSON object without its `null` fields: ClickPesa's optional fields are
/// left out of a body, never sent as `null`.
pub(crate) fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect())
        }
        other => other,
    }
}

/// A collection amount: a decimal string (`"1000"`, `"10.5"`).
pub(crate) fn amount_string(amount: &Money) -> String {
    amount.to_plain_string()
}

/// A payout amount: a JSON number written from its exact decimal text. Refused
/// beyond 15 significant digits, where a JSON number would no longer name the
/// same decimal for a JavaScript server.
pub(crate) fn amount_number(amount: &Money) -> Result<serde_json::Value, Error> {
    if amount.minor_units().unsigned_abs() >= 1_000_000_000_000_000 {
        return Err(Error::invalid(
            "amount",
            "too large for a JSON number (more than 15 digits)",
        ));
    }
    serde_json::from_str(amount.to_json_number().get())
        .map_err(|e| Error::invalid("amount", format!("could not write the amount: {e}")))
}

/// Checks that an amount is positive and in one of `allowed` currencies.
pub(crate) fn check_amount(amount: &Money, allowed: &[Currency], what: &str) -> Result<(), Error> {
    if !amount.is_positive() {
        return Err(Error::invalid("amount", "must be above zero"));
    }
    if !allowed.contains(&amount.currency()) {
        let names: Vec<&str> = allowed.iter().map(|c| c.code()).collect();
        return Err(Error::invalid(
            "currency",
            format!(
                "{what} accepts {} only, got {}",
                names.join(" or "),
                amount.currency()
            ),
        ));
    }
    Ok(())
}

/// A string given as a string or number (kept as its decimal text).
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    wire::string_or_number(d)
}

/// Maps a payment status word. `SUCCESS`/`SETTLED` ⇒ completed,
/// `PROCESSING`/`PENDING` ⇒ pending, `FAILED` ⇒ failed, `REFUNDED`/`REVERSED` ⇒
/// reversed; anything else (including `ON-HOLD`) ⇒ [`PaymentStatus::Unknown`].
pub fn payment_status(word: &str) -> PaymentStatus {
    match word.trim().to_ascii_uppercase().as_str() {
        "SUCCESS" | "SETTLED" => PaymentStatus::Completed,
        "PROCESSING" | "PENDING" => PaymentStatus::Pending,
        "FAILED" => PaymentStatus::Failed,
        "REFUNDED" | "REVERSED" => PaymentStatus::Reversed,
        _ => PaymentStatus::Unknown(word.to_owned()),
    }
}

/// Maps a payout status word. `AUTHORIZED`/`PROCESSING`/`PENDING` ⇒ pending,
/// `SUCCESS` ⇒ completed, `FAILED` ⇒ failed, `REFUNDED`/`REVERSED` ⇒ reversed
/// (funds returned to the merchant); anything else ⇒ unknown.
pub fn payout_status(word: &str) -> PaymentStatus {
    match word.trim().to_ascii_uppercase().as_str() {
        "AUTHORIZED" | "PROCESSING" | "PENDING" => PaymentStatus::Pending,
        "SUCCESS" => PaymentStatus::Completed,
        "FAILED" => PaymentStatus::Failed,
        "REFUNDED" | "REVERSED" => PaymentStatus::Reversed,
        _ => PaymentStatus::Unknown(word.to_owned()),
    }
}
