//! PesaPal's wire quirks, absorbed in one place.
//!
//! Bodies are read as a [`serde_json::Value`] and picked apart by hand, so that no
//! shape PesaPal has been seen to send (a `status` string or number, an `error`
//! object with all-null fields, `error_type` or `type`, amounts as float numbers
//! or strings, unknown extra fields) can make a parser fail, and the public types
//! stay plain Rust. The two answers on every payment's path (SubmitOrderRequest
//! and GetTransactionStatus) are read in one pass instead, with the same
//! tolerance ([`super::fields`]), and checked with the same rules
//! ([`Answer::check_with`], [`Answer::check_refusal_with`]).

use crate::operation::Body;
use crate::{Error, Provider};
use serde_json::Value;

/// PesaPal wants `Accept` and `Content-Type: application/json` on every call,
/// GET included.
pub(crate) const JSON: &str = "application/json";

type Response = http::Response<Vec<u8>>;

/// The largest answer [`refuses_token`] reads (real error answers are under 1 KiB).
const MAX_REFUSAL_BODY: usize = 64 * 1024;

/// An answer read once as JSON, whatever its HTTP status (PesaPal usually answers
/// errors with HTTP 200 and a body `status` of `"500"`), with the name of the
/// endpoint for the errors it gives.
pub(crate) struct Answer<'a> {
    name: &'static str,
    response: &'a Response,
    /// Keep the body out of errors (a token answer holds the token).
    withhold: bool,
    /// The JSON body.
    pub(crate) v: Value,
}

impl<'a> Answer<'a> {
    /// Reads the answer to the endpoint `name`; `withhold` keeps the body out of
    /// every error (a token answer holds the token). An HTML page (PesaPal's
    /// Cloudflare front), an empty body or broken JSON is a decode error.
    pub(crate) fn parse(
        name: &'static str,
        response: &'a Response,
        withhold: bool,
    ) -> Result<Self, Error> {
        let mut answer = Answer::unread(name, response, withhold);
        answer.v =
            crate::wire::json_answer(response.body(), "Cloudflare or a proxy in front of PesaPal")
                .map_err(|reason| answer.bad(reason))?;
        Ok(answer)
    }

    /// The answer to `name` before (or instead of) reading its body as a
    /// `Value`: for readers that read the body themselves and check it with
    /// [`Answer::check_with`].
    pub(crate) fn unread(name: &'static str, response: &'a Response, withhold: bool) -> Self {
        Answer {
            name,
            response,
            withhold,
            v: Value::Null,
        }
    }

    /// The answer, if its body is a JSON object.
    pub(crate) fn object(self) -> Result<Self, Error> {
        if self.v.is_object() {
            return Ok(self);
        }
        Err(self.bad("expected a JSON object"))
    }

    /// The HTTP status.
    pub(crate) fn status(&self) -> u16 {
        self.response.status().as_u16()
    }

    /// An unreadable answer, for `reason`.
    pub(crate) fn bad(&self, reason: impl std::fmt::Display) -> Error {
        crate::wire::unreadable(
            format!("PesaPal {} answer", self.name),
            reason,
            self.response,
            self.withhold,
        )
    }

    /// The start of the body for an error text, unless it is withheld.
    fn quote(&self) -> String {
        if self.withhold {
            "[withheld: may contain a credential]".to_owned()
        } else {
            crate::snippet(self.response.body())
        }
    }

    /// PesaPal's refusal, with finconnect's `code` when PesaPal gives none.
    pub(crate) fn refused(
        &self,
        code: Option<&str>,
        message: String,
        hint: Option<&'static str>,
    ) -> Error {
        Error::Provider {
            provider: Provider::Pesapal,
            code: code.map(str::to_owned),
            message,
            http_status: Some(self.status()),
            hint,
        }
    }

    /// A required text field of `v` (the body, or an item of it).
    pub(crate) fn required_in(&self, v: &Value, key: &str) -> Result<String, Error> {
        non_empty(v, key).ok_or_else(|| self.bad(format!("`{key}` is missing or empty")))
    }

    /// A required text field of the body.
    pub(crate) fn required(&self, key: &str) -> Result<String, Error> {
        self.required_in(&self.v, key)
    }

    /// The checks every endpoint shares, in PesaPal's order: an error object →
    /// that error; a body `status` other than 200 → a request failure with its
    /// message; then [`Answer::http_failure`]. Money-moving operations use
    /// [`Answer::check_refusal`].
    pub(crate) fn check(&self) -> Result<(), Error> {
        self.check_with(Envelope::of(&self.v))
    }

    /// [`Answer::check`] over fields read already.
    pub(crate) fn check_with(&self, envelope: Envelope) -> Result<(), Error> {
        if let Some(e) = envelope.error {
            return Err(e.into_error(self.status()));
        }
        if let Some(status) = envelope.status.filter(|s| status_failed(s)) {
            let message = envelope
                .message
                .unwrap_or_else(|| format!("body status {status}"));
            return Err(self.refused(None, message, None));
        }
        self.http_failure_with(envelope.upper_message, envelope.message)
    }

    /// The HTTP status alone: ≥ 500 with no PesaPal answer is unreadable (the
    /// driver retries it or reports a transport error); 401 is a refused token;
    /// another 4xx is a provider error, with ASP.NET's `Message` when given.
    pub(crate) fn http_failure(&self) -> Result<(), Error> {
        let http_status = self.status();
        if http_status < 400 {
            return Ok(());
        }
        self.http_failure_with(text(&self.v, "Message"), text(&self.v, "message"))
    }

    /// [`Answer::http_failure`] with ASP.NET's `Message` and PesaPal's
    /// `message` read already.
    fn http_failure_with(
        &self,
        upper_message: Option<String>,
        message: Option<String>,
    ) -> Result<(), Error> {
        let http_status = self.status();
        if http_status >= 500 {
            return Err(self.bad(format!("HTTP {http_status} without a PesaPal answer")));
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
            let message = upper_message.or(message).unwrap_or_else(|| self.quote());
            let hint = if http_status == 404 || message.contains("No HTTP resource") {
                Some("no such path at this base URL: the base URL must include /pesapalv3 (PesaPal's sandbox), /v3 (live) or /pesapal/v3 (the local `finconnect sandbox`)")
            } else if http_status == 403 {
                Some("PesaPal's Cloudflare front refused the request; try again later")
            } else {
                None
            };
            return Err(self.refused(None, message, hint));
        }
        Ok(())
    }

    /// For operations that move money: [`Answer::check`], except that only the
    /// refusals PesaPal documents come back as provider errors. An error object
    /// with an undocumented code at 2xx, a body `status` other than 200 without
    /// an error object, or a 4xx without PesaPal's words is no proof of a
    /// refusal: it is a decode error, which the driver turns into
    /// `OutcomeUnknown`.
    pub(crate) fn check_refusal(&self) -> Result<(), Error> {
        self.check_refusal_with(Envelope::of(&self.v))
    }

    /// [`Answer::check_refusal`] over fields read already.
    pub(crate) fn check_refusal_with(&self, envelope: Envelope) -> Result<(), Error> {
        let client_error = (400..500).contains(&self.status());
        if let Some(e) = envelope.error {
            if e.is_documented_refusal() || client_error {
                return Err(e.into_error(self.status()));
            }
            let code = e.code.as_deref().or(e.error_type.as_deref()).unwrap_or("?");
            return Err(self.bad(format!("error {code} is not a refusal PesaPal documents")));
        }
        if let Some(status) = envelope.status.as_deref().filter(|s| status_failed(s)) {
            if !client_error {
                return Err(self.bad(format!("body status {status} without an error object")));
            }
        }
        let given = |m: &Option<String>| m.as_deref().is_some_and(|s| !s.trim().is_empty());
        let has_message = given(&envelope.upper_message) || given(&envelope.message);
        if client_error && self.status() != 401 && !has_message {
            return Err(self.bad(format!("HTTP {} without PesaPal's message", self.status())));
        }
        self.http_failure_with(envelope.upper_message, envelope.message)
    }
}

/// Whether an answer, of any HTTP status, says the token was refused: an error
/// `invalid_api_credentials_provided` or of type `authentication_error`. Only a
/// body that holds one of those words is parsed here, so any other answer is
/// parsed once, by its reader.
pub(crate) fn refuses_token(response: &Response) -> bool {
    let body = response.body();
    // Every answer passes here: a vectorised substring search, not a byte-by-byte
    // window compare.
    let holds = |word: &str| memchr::memmem::find(body, word.as_bytes()).is_some();
    if body.len() > MAX_REFUSAL_BODY
        || !(holds(codes::INVALID_API_CREDENTIALS) || holds(codes::AUTHENTICATION_ERROR))
    {
        return false;
    }
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| api_error(&v))
        .is_some_and(|e| {
            e.code.as_deref() == Some(codes::INVALID_API_CREDENTIALS)
                || e.error_type.as_deref() == Some(codes::AUTHENTICATION_ERROR)
        })
}

/// A JSON object of text fields, written in the order given.
pub(crate) fn object(fields: &[(&str, &str)]) -> Result<Body, Error> {
    struct Fields<'a>(&'a [(&'a str, &'a str)]);
    impl serde::Serialize for Fields<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_map(self.0.iter().copied())
        }
    }
    Ok(Body::Bytes(crate::wire::to_json(&Fields(fields))?))
}

/// A field as text: a JSON string, or a number or boolean written out; `null` and
/// absent are `None`.
pub(crate) fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// Like [`text`], with the empty string read as absent.
pub(crate) fn non_empty(v: &Value, key: &str) -> Option<String> {
    text(v, key).filter(|s| !s.trim().is_empty())
}

/// An integer given as a number or a numeric string.
pub(crate) fn int(v: &Value, key: &str) -> Option<i64> {
    crate::wire::lenient_i64(v.get(key)?).ok().flatten()
}

/// The body-level `status` (`"200"`, `200`, or absent).
pub(crate) fn body_status(v: &Value) -> Option<String> {
    text(v, "status").map(|s| s.trim().to_owned())
}

/// Whether the body-level `status` says the request failed (anything but 2xx).
pub(crate) fn body_status_failed(v: &Value) -> bool {
    body_status(v).is_some_and(|s| status_failed(&s))
}

/// Whether a (trimmed) body-level `status` says the request failed.
fn status_failed(status: &str) -> bool {
    !status.starts_with('2') || status.len() != 3
}

/// What [`Answer::check`] reads of a body: the error object, the body-level
/// `status` (trimmed), `message`, and ASP.NET's `Message`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Envelope {
    pub(crate) error: Option<ApiError>,
    pub(crate) status: Option<String>,
    pub(crate) message: Option<String>,
    pub(crate) upper_message: Option<String>,
}

impl Envelope {
    /// The envelope of a body read as a `Value`.
    pub(crate) fn of(v: &Value) -> Self {
        Envelope {
            error: api_error(v),
            status: body_status(v),
            message: text(v, "message"),
            upper_message: text(v, "Message"),
        }
    }
}

/// PesaPal's error object, when it names an error (an all-null object does not).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) error_type: Option<String>,
    pub(crate) code: Option<String>,
    pub(crate) message: Option<String>,
}

/// Reads `error`. Its kind is `error_type` on the wire, `type` in some of
/// PesaPal's samples. Successful answers often carry an error object whose fields
/// are all null: an object whose `code` and kind are both null or empty is "no
/// error". An `error` given as a plain non-empty string is taken as the message.
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

/// Codes PesaPal sends.
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
