//! PesaPal's wire quirks, absorbed in one place.
//!
//! Bodies are read as a [`serde_json::Value`] and picked apart by hand, so that no
//! shape PesaPal has been seen to send (a `status` string or number, an `error`
//! object with all-null fields, `error_type` or `type`, amounts as float numbers
//! or strings, unknown extra fields) can make a parser fail, and the public types
//! stay plain Rust.

use crate::{Error, Provider};
use serde_json::Value;

/// Headers every PesaPal call carries (`Accept` and `Content-Type`, even on GET).
pub(crate) const JSON: &str = "application/json";

/// Reads a body as JSON whatever the HTTP status. `withhold` keeps the body text
/// out of the error (authentication answers may hold a token).
pub(crate) fn parse(
    context: &str,
    response: &http::Response<Vec<u8>>,
    withhold: bool,
) -> Result<Value, Error> {
    let status = Some(response.status().as_u16());
    let body = response.body();
    if crate::wire::looks_like_html(body) {
        let reason = "the answer is an HTML page, not JSON (Cloudflare or a proxy answered instead of PesaPal; try again later)";
        return Err(if withhold {
            Error::decode_withheld(context, reason, status)
        } else {
            Error::decode(context, reason, body, status)
        });
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(if withhold {
            Error::decode_withheld(context, "the answer is empty", status)
        } else {
            Error::decode(context, "the answer is empty", body, status)
        });
    }
    serde_json::from_slice::<Value>(body).map_err(|e| {
        if withhold {
            Error::decode_withheld(context, e, status)
        } else {
            Error::decode(context, e, body, status)
        }
    })
}

/// A field as text: a JSON string, or a number or boolean written out; `null` and
/// absent are `None`.
pub(crate) fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Like [`text`], with the empty string read as absent.
pub(crate) fn non_empty(v: &Value, key: &str) -> Option<String> {
    text(v, key).filter(|s| !s.trim().is_empty())
}

/// An integer given as a number or a numeric string.
pub(crate) fn int(v: &Value, key: &str) -> Option<i64> {
    let t = text(v, key)?;
    let t = t.trim();
    t.parse::<i64>().ok().or_else(|| {
        t.parse::<f64>()
            .ok()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
            .map(|f| f as i64)
    })
}

/// The body-level `status` (`"200"`, `200`, or absent).
pub(crate) fn body_status(v: &Value) -> Option<String> {
    text(v, "status").map(|s| s.trim().to_owned())
}

/// Whether the body-level `status` says the request failed (anything but 2xx).
pub(crate) fn body_status_failed(v: &Value) -> bool {
    body_status(v).is_some_and(|s| !s.starts_with('2') || s.len() != 3)
}

/// PesaPal's error object, when it names an error (an all-null object does not).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) error_type: Option<String>,
    pub(crate) code: Option<String>,
    pub(crate) message: Option<String>,
}

/// Reads `error` (`error_type`, or `type` as the docs spell it). An object whose
/// `code` and type are both null or empty is "no error" (§2.4); `error` given as a
/// plain non-empty string (an Android SDK models it so) is taken as the message.
pub(crate) fn api_error(v: &Value) -> Option<ApiError> {
    match v.get("error")? {
        Value::Object(_) => {
            let e = v.get("error")?;
            let error_type = non_empty(e, "error_type").or_else(|| non_empty(e, "type"));
            let code = non_empty(e, "code");
            if error_type.is_none() && code.is_none() {
                return None;
            }
            Some(ApiError {
                error_type,
                code,
                message: non_empty(e, "message"),
            })
        }
        Value::String(s) if !s.trim().is_empty() => Some(ApiError {
            error_type: None,
            code: None,
            message: Some(s.clone()),
        }),
        _ => None,
    }
}

/// Codes PesaPal sends, and the ones finconnect gives to answers without a code.
pub mod codes {
    /// RequestToken with wrong keys, or the other environment's keys.
    pub const INVALID_CONSUMER_KEY_OR_SECRET: &str = "invalid_consumer_key_or_secret_provided";
    /// An authenticated call with a bad, expired or foreign token.
    pub const INVALID_API_CREDENTIALS: &str = "invalid_api_credentials_provided";
    /// The `error_type` of a refused token.
    pub const AUTHENTICATION_ERROR: &str = "authentication_error";
    /// GetTransactionStatus before the customer paid (not an error: pending).
    pub const PAYMENT_DETAILS_NOT_FOUND: &str = "payment_details_not_found";
    /// SubmitOrderRequest with a `notification_id` not registered for these
    /// credentials in this environment.
    pub const INVALID_IPN_ID: &str = "InvalidIpnId";
    /// RegisterIPN refused the URL.
    pub const INVALID_URL: &str = "invalid_url";
    /// The body does not match the endpoint's contract.
    pub const INVALID_REQUEST_PARAMETERS: &str = "invalid_api_request_parameters";
    /// finconnect's code for "Refund request has been received already".
    pub const REFUND_ALREADY_REQUESTED: &str = "refund_already_requested";
    /// finconnect's code for "Invalid amount provided…" on a refund.
    pub const REFUND_INVALID_AMOUNT: &str = "refund_invalid_amount";
    /// finconnect's code for any other refund refusal (`status:"500"` + message).
    pub const REFUND_REFUSED: &str = "refund_refused";
    /// finconnect's code for "Transaction cannot be cancelled".
    pub const ORDER_NOT_CANCELLABLE: &str = "order_not_cancellable";
    /// finconnect's code for any other cancellation refusal.
    pub const CANCEL_REFUSED: &str = "cancel_refused";
    /// finconnect's code for a body `status` other than 200 with only a message.
    pub const REQUEST_FAILED: &str = "request_failed";
}

const HINT_OTHER_ENV_KEYS: &str = "sandbox keys against live, or the reverse? Consumer keys belong to one environment (cybqa.pesapal.com/pesapalv3 or pay.pesapal.com/v3)";
const HINT_IPN_ID: &str = "the ipn_id must be registered with these credentials in this environment — a sandbox ipn_id does not work live, or the reverse; register the IPN URL again (RegisterIpn) or look it up with GetIpnList";
const HINT_INVALID_URL: &str = "PesaPal must be able to reach the IPN URL: use a public https URL (or `finconnect sandbox` locally)";
const HINT_PARAMETERS: &str =
    "the request body does not match the endpoint's contract (report it: finconnect writes the documented fields)";
const HINT_TOKEN: &str = "the token was refused; the driver re-authenticates once — check that the keys belong to this environment";

impl ApiError {
    /// Whether PesaPal documents this error as a refusal of the request (the
    /// request was not carried out): a refused token or keys, or a request
    /// refused as invalid.
    pub(crate) fn is_documented_refusal(&self) -> bool {
        let documented = [
            codes::INVALID_CONSUMER_KEY_OR_SECRET,
            codes::INVALID_API_CREDENTIALS,
            codes::INVALID_IPN_ID,
            codes::INVALID_URL,
            codes::INVALID_REQUEST_PARAMETERS,
        ];
        self.code
            .as_deref()
            .is_some_and(|c| documented.iter().any(|d| c.eq_ignore_ascii_case(d)))
            || self.error_type.as_deref() == Some(codes::AUTHENTICATION_ERROR)
    }

    /// The error a user can act on.
    pub(crate) fn into_error(self, http_status: u16) -> Error {
        let code = self.code.clone().or_else(|| self.error_type.clone());
        let message = self
            .message
            .clone()
            .or_else(|| self.error_type.clone())
            .unwrap_or_default();
        let code_is = |c: &str| self.code.as_deref() == Some(c);
        if code_is(codes::INVALID_CONSUMER_KEY_OR_SECRET) {
            return Error::Unauthorized {
                provider: Provider::Pesapal,
                message: format!(
                    "{} (consumer key or secret refused)",
                    codes::INVALID_CONSUMER_KEY_OR_SECRET
                ),
                hint: Some(HINT_OTHER_ENV_KEYS),
            };
        }
        if code_is(codes::INVALID_API_CREDENTIALS)
            || self.error_type.as_deref() == Some(codes::AUTHENTICATION_ERROR)
        {
            return Error::Unauthorized {
                provider: Provider::Pesapal,
                message: if message.is_empty() {
                    codes::INVALID_API_CREDENTIALS.to_owned()
                } else {
                    message
                },
                hint: Some(HINT_TOKEN),
            };
        }
        let hint = match self.code.as_deref() {
            Some(c) if c.eq_ignore_ascii_case(codes::INVALID_IPN_ID) => Some(HINT_IPN_ID),
            Some(codes::INVALID_URL) => Some(HINT_INVALID_URL),
            Some(codes::INVALID_REQUEST_PARAMETERS) => Some(HINT_PARAMETERS),
            _ => None,
        };
        Error::Provider {
            provider: Provider::Pesapal,
            code,
            message,
            http_status: Some(http_status),
            hint,
        }
    }
}

/// The checks every endpoint shares, in PesaPal's order: an error object → that
/// error; a body `status` other than 200 → a request failure with its message;
/// HTTP ≥ 500 with neither → unreadable (the driver retries it or reports a
/// transport error); HTTP ≥ 400 → a provider error. Money-moving operations use
/// [`check_refusal`].
pub(crate) fn check(
    context: &str,
    response: &http::Response<Vec<u8>>,
    v: &Value,
) -> Result<(), Error> {
    let http_status = response.status().as_u16();
    if let Some(e) = api_error(v) {
        return Err(e.into_error(http_status));
    }
    if body_status_failed(v) {
        return Err(Error::Provider {
            provider: Provider::Pesapal,
            code: Some(codes::REQUEST_FAILED.to_owned()),
            message: text(v, "message")
                .unwrap_or_else(|| format!("body status {}", body_status(v).unwrap_or_default())),
            http_status: Some(http_status),
            hint: None,
        });
    }
    http_failure(context, response, v)
}

/// The HTTP-status part of [`check`].
pub(crate) fn http_failure(
    context: &str,
    response: &http::Response<Vec<u8>>,
    v: &Value,
) -> Result<(), Error> {
    let http_status = response.status().as_u16();
    if http_status >= 500 {
        return Err(Error::decode(
            context,
            format!("HTTP {http_status} without a PesaPal answer"),
            response.body(),
            Some(http_status),
        ));
    }
    if http_status == 401 {
        return Err(Error::Unauthorized {
            provider: Provider::Pesapal,
            message: "HTTP 401".to_owned(),
            hint: Some(HINT_TOKEN),
        });
    }
    if http_status >= 400 {
        // ASP.NET's own errors: {"Message": "No HTTP resource was found …"}.
        let message = text(v, "Message")
            .or_else(|| text(v, "message"))
            .unwrap_or_else(|| crate::snippet(response.body()));
        let hint = if http_status == 404 || message.contains("No HTTP resource") {
            Some("no such path at this base URL: the base URL must include /pesapalv3 (sandbox) or /v3 (live)")
        } else if http_status == 403 {
            Some("PesaPal's Cloudflare front refused the request; try again later")
        } else {
            None
        };
        return Err(Error::Provider {
            provider: Provider::Pesapal,
            code: None,
            message,
            http_status: Some(http_status),
            hint,
        });
    }
    Ok(())
}

/// For operations that move money: [`check`], except that only the refusals
/// PesaPal documents come back as provider errors. An error object with an
/// undocumented code at 2xx, or a body `status` other than 200 without an error
/// object, or a 4xx without PesaPal's words is not proof of a refusal: it comes
/// back as a decode error, which the driver turns into `OutcomeUnknown`.
pub(crate) fn check_refusal(
    context: &str,
    response: &http::Response<Vec<u8>>,
    v: &Value,
) -> Result<(), Error> {
    let http_status = response.status().as_u16();
    let client_error = (400..500).contains(&http_status);
    if let Some(e) = api_error(v) {
        if e.is_documented_refusal() || client_error {
            return Err(e.into_error(http_status));
        }
        return Err(not_a_refusal(
            context,
            response,
            format!(
                "error {} is not a refusal PesaPal documents",
                e.code.as_deref().or(e.error_type.as_deref()).unwrap_or("?")
            ),
        ));
    }
    if body_status_failed(v) && !client_error {
        return Err(not_a_refusal(
            context,
            response,
            format!(
                "body status {} without an error object",
                body_status(v).unwrap_or_default()
            ),
        ));
    }
    refusal_status(context, response, v)
}

/// The HTTP-status part of a money-moving reader: [`http_failure`], with a 4xx
/// read as a refusal only when it carries PesaPal's (or ASP.NET's) message.
pub(crate) fn refusal_status(
    context: &str,
    response: &http::Response<Vec<u8>>,
    v: &Value,
) -> Result<(), Error> {
    let http_status = response.status().as_u16();
    let has_message = non_empty(v, "Message").is_some() || non_empty(v, "message").is_some();
    if (400..500).contains(&http_status) && http_status != 401 && !has_message {
        return Err(not_a_refusal(
            context,
            response,
            format!("HTTP {http_status} without PesaPal's message"),
        ));
    }
    http_failure(context, response, v)
}

fn not_a_refusal(context: &str, response: &http::Response<Vec<u8>>, reason: String) -> Error {
    Error::decode(
        context,
        reason,
        response.body(),
        Some(response.status().as_u16()),
    )
}

/// A required text field, or a decode error naming it.
pub(crate) fn required(
    context: &str,
    response: &http::Response<Vec<u8>>,
    v: &Value,
    key: &str,
) -> Result<String, Error> {
    non_empty(v, key).ok_or_else(|| {
        Error::decode(
            context,
            format!("`{key}` is missing or empty"),
            response.body(),
            Some(response.status().as_u16()),
        )
    })
}

/// Writes `key=value` with the value percent-encoded.
pub(crate) fn query_pair(key: &str, value: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    format!("{key}={encoded}")
}

/// Builds a PesaPal request: `Accept` and `Content-Type: application/json` on every
/// call (the docs mark both required even on GET), and the bearer token when given.
pub(crate) fn build(
    method: http::Method,
    url: &str,
    token: Option<&crate::AccessToken>,
    body: Option<Vec<u8>>,
) -> Result<http::Request<Vec<u8>>, Error> {
    let has_body = body.is_some();
    let mut builder = crate::wire::request(method, url, body.as_ref().map(|_| Vec::new()))?;
    if !has_body {
        builder = builder.header(http::header::CONTENT_TYPE, JSON);
    }
    if let Some(token) = token {
        let (name, value) = crate::wire::bearer(token.secret())?;
        builder = builder.header(name, value);
    }
    crate::wire::finish(builder, body.unwrap_or_default())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn all_null_error_is_no_error() {
        let v: Value = serde_json::from_str(
            r#"{"error":{"error_type":null,"code":null,"message":null,"call_back_url":null}}"#,
        )
        .unwrap();
        assert_eq!(api_error(&v), None);
        let v: Value = serde_json::from_str(r#"{"error":null}"#).unwrap();
        assert_eq!(api_error(&v), None);
    }

    #[test]
    fn type_is_accepted_for_error_type() {
        let v: Value =
            serde_json::from_str(r#"{"error":{"type":"api_error","code":"x","message":"m"}}"#)
                .unwrap();
        let e = api_error(&v).unwrap();
        assert_eq!(e.error_type.as_deref(), Some("api_error"));
        assert_eq!(e.code.as_deref(), Some("x"));
    }

    #[test]
    fn status_string_or_number() {
        for body in [r#"{"status":"500"}"#, r#"{"status":500}"#] {
            let v: Value = serde_json::from_str(body).unwrap();
            assert!(body_status_failed(&v));
        }
        for body in [r#"{"status":"200"}"#, r#"{"status":200}"#, r#"{}"#] {
            let v: Value = serde_json::from_str(body).unwrap();
            assert!(!body_status_failed(&v));
        }
    }
}
