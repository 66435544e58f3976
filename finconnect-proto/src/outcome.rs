//! Outcome truth: when may the SDK say "nothing was done"?
//!
//! A request that creates or moves money (an order, a push, a checkout, a payout,
//! a refund, a cancellation: [`Idempotency::NonIdempotent`](crate::retry::Idempotency::NonIdempotent)) is sent at most once
//! once it may have reached the provider. Its error is a *known* outcome
//! ([`Error::outcome_known`] is `true`: nothing was done, sending again is safe
//! after fixing the cause) only when the answer **proves** the provider refused
//! it. Every other failure is [`Error::OutcomeUnknown`] carrying the operation's
//! reference: query the status before trying again. The rule lives here and is
//! applied by the [`Call`](crate::Call) driver; the provider readers only say
//! whether a body is one of the provider's documented refusals (by returning
//! [`Error::Provider`], [`Error::Rejected`], [`Error::DuplicateReference`] or
//! [`Error::Unauthorized`]) or not (any other error, typically
//! [`Error::Decode`]).
//!
//! # The rule
//!
//! | answer | idempotent (status, lists, tokens, keys) | non-idempotent (payments, payouts, refunds, cancellations) |
//! |---|---|---|
//! | connection not opened (nothing sent) | retried; then `Transport` | retried; then `Transport` (known: nothing left) |
//! | no answer after sending (timeout, reset, truncated or oversized body) | retried; then `Transport` | **`OutcomeUnknown`**, not re-sent |
//! | token refused (401, or PesaPal's token error object at any status) | re-authenticate, send once more; a second refusal is `Unauthorized` | the same: refused before processing, so sent once more |
//! | 2xx with a readable result | the output | the output |
//! | 2xx with a documented refusal | that error | that error (known) |
//! | 2xx with anything else (unreadable, undocumented error) | the reader's error (`Decode`, …) | **`OutcomeUnknown`** |
//! | 401 / 403, any body (a gateway or the provider refused at the door) | the reader's error | known: the reader's refusal, else `Unauthorized` (401) or `Provider` (403) |
//! | 429, any body | retried (`Retry-After` honoured); then `Provider` `rate_limited` | known: `Provider` `rate_limited`, not re-sent |
//! | 408 / 499 (request timeout, client closed) | the reader's error | **`OutcomeUnknown`** |
//! | other 4xx with a documented refusal body | that error | that error (known) |
//! | other 4xx with anything else (HTML, empty, undocumented JSON) | the reader's error | **`OutcomeUnknown`** |
//! | 5xx, readable or not | retried; then `Transport` (unreadable) or the reader's error (readable) | **`OutcomeUnknown`** (the reason quotes the provider's message) |
//! | 1xx / 3xx (redirects are not followed) | the reader's error | **`OutcomeUnknown`** |
//!
//! Why these choices:
//! - **5xx** may come after the provider processed the request (an upstream
//!   timeout such as an API gateway's 504 `Endpoint request timed out`, a crash
//!   after the write), whatever its body says.
//! - **401 / 403** are answered at the door — by the provider's authentication or
//!   by an edge (Cloudflare, a WAF) before the application — so the request was
//!   not processed.
//! - **429** is a refusal to process ("slow down"), documented as such by every
//!   provider that mentions it.
//! - **408 and 499** say a request timed out or the client went away: some hop
//!   gave up *while* the request may have been on its way or in progress.
//! - **Other 4xx pages without a provider body** (an HTML page from a proxy, an
//!   empty 400): the answer does not say which hop wrote it, nor that the provider
//!   saw and refused the request, so it proves nothing; when in doubt, unknown.
//!
//! # Documented refusals, per provider
//!
//! | provider | answers that prove a refusal (everything else above: unknown) |
//! |---|---|
//! | PesaPal (SubmitOrderRequest, RefundRequest, CancelOrder) | an error object with a documented code (`invalid_api_request_parameters`, `InvalidIpnId`, `invalid_url`, `invalid_consumer_key_or_secret_provided`, `invalid_api_credentials_provided` / `authentication_error`) at 2xx; at 4xx any error object, or ASP.NET's `{"Message": …}`; for RefundRequest and CancelOrder also the documented `{"status":"500","message":…}` refusals (at 2xx or 4xx). Not refusals: an error object with another code at 2xx, a SubmitOrderRequest body status `500` without an error object. |
//! | AzamPay (MnoCheckout, BankCheckout, Disburse) | the envelope with a message and `success:false`, or a `statusCode`/`status` other than 2xx (at 2xx or 4xx; a "Duplicate" message is `DuplicateReference`); the ASP.NET validation problem (`errors`) at 4xx (`Rejected`); 423 (`Unauthorized`). |
//! | AzamPay (PostCheckout) | the ASP.NET validation problem at 4xx, and 423. |
//! | M-Pesa (STK push, B2C, reversal, C2B simulate) | Daraja's error envelope (`errorCode`) with a `4xx.…` code (at 2xx or 4xx: `400.002.*` `Rejected`, refused token or keys `Unauthorized`, wrong path `Provider`); at 2xx or 4xx also `500.003.02`/`500.003.03` (rate limits, `Provider`) and `500.002.1001 Duplicate OriginatorConversationID.` (`DuplicateReference`); an acknowledgement whose `ResponseCode` is not `"0"`. Not refusals: the catch-all `500.001.1001`, a gateway fault, HTML. |
//! | ClickPesa (USSD push, card payment, checkout link, mobile-money and bank payouts, payout link) | 409, whatever the body (`DuplicateReference`); a 4xx `{"message": …}` (string or list; the payout cool-down "already in progress" is `DuplicateReference`). Never a 2xx. |
//!
//! The sans-IO [`Operation::read`](crate::Operation::read)
//! gives only the reader's verdict. Code that drives operations without
//! [`Call`](crate::Call) applies [`judge`] to that verdict.

use crate::retry::Failure;
use crate::{Error, Provider};

/// What an HTTP status says about whether a request was processed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerClass {
    /// 2xx: the provider accepted the request (or refused it in the body).
    Accepted,
    /// 401 or 403: refused at the door, before processing.
    Refused,
    /// 429: refused as too many requests, not processed.
    RateLimited,
    /// 408 or 499: a hop gave up while the request may have been in progress.
    Abandoned,
    /// Another 4xx: a refusal only if the body is the provider's documented one.
    ClientError,
    /// 5xx: the request may have been processed, whatever the body says.
    ServerError,
    /// 1xx, 3xx or a non-standard status: not the provider's final answer.
    Other,
}

impl AnswerClass {
    /// The class of an HTTP status.
    pub fn of(status: u16) -> Self {
        match status {
            200..=299 => AnswerClass::Accepted,
            401 | 403 => AnswerClass::Refused,
            429 => AnswerClass::RateLimited,
            408 | 499 => AnswerClass::Abandoned,
            400..=499 => AnswerClass::ClientError,
            500..=599 => AnswerClass::ServerError,
            _ => AnswerClass::Other,
        }
    }
}

/// Whether a reader's error proves the provider refused the request: one of the
/// error kinds a reader returns only for a documented refusal.
pub fn proves_refusal(err: &Error) -> bool {
    matches!(
        err,
        Error::Provider { .. }
            | Error::Rejected { .. }
            | Error::DuplicateReference { .. }
            | Error::Unauthorized { .. }
    )
}

/// Whether a request that moves money and got no answer has an unknown outcome:
/// always, unless the connection was never opened.
pub fn unknown_without_answer(failure: Failure) -> bool {
    failure != Failure::Connect
}

/// What the user is told about an answer to a non-idempotent request.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    /// The provider.
    pub provider: Provider,
    /// The operation's name.
    pub operation: &'static str,
    /// The merchant reference to query when the outcome is unknown.
    pub reference: Option<&'a str>,
}

impl Subject<'_> {
    /// [`Error::OutcomeUnknown`] for this request.
    pub fn unknown(&self, reason: String) -> Error {
        Error::OutcomeUnknown {
            provider: self.provider,
            operation: self.operation,
            reference: self.reference.map(str::to_owned),
            reason,
        }
    }
}

/// Applies the rule of the [module docs](self) to the reader's verdict on an
/// answer with HTTP `status` to a **non-idempotent** request.
pub fn judge<T>(subject: Subject<'_>, status: u16, read: Result<T, Error>) -> Result<T, Error> {
    match (AnswerClass::of(status), read) {
        (AnswerClass::Accepted, Ok(output)) => Ok(output),
        (AnswerClass::Accepted | AnswerClass::ClientError | AnswerClass::Refused, Err(e))
            if proves_refusal(&e) =>
        {
            Err(e)
        }
        (AnswerClass::Refused, _) => Err(refused_at_the_door(subject.provider, status)),
        (AnswerClass::RateLimited, _) => Err(rate_limited(subject.provider)),
        (AnswerClass::Accepted, Err(e)) => Err(subject.unknown(format!(
            "HTTP {status} with an answer that is neither a result nor a documented refusal: {}",
            reason_of(&e)
        ))),
        (AnswerClass::ClientError, Ok(_)) | (AnswerClass::ServerError, Ok(_)) => {
            Err(subject.unknown(format!("HTTP {status}")))
        }
        (AnswerClass::ClientError, Err(e)) => Err(subject.unknown(format!(
            "HTTP {status} that is not a documented refusal: {}",
            reason_of(&e)
        ))),
        (AnswerClass::Abandoned, _) => Err(subject.unknown(format!(
            "HTTP {status}: a server or proxy gave up while the request may have been in progress"
        ))),
        (AnswerClass::ServerError, Err(e)) => Err(subject.unknown(format!(
            "HTTP {status}, which may follow processing: {}",
            reason_of(&e)
        ))),
        (AnswerClass::Other, _) => Err(subject.unknown(format!(
            "HTTP {status} is not a final answer from the provider"
        ))),
    }
}

/// A 401/403 the reader could not read: refused before processing.
fn refused_at_the_door(provider: Provider, status: u16) -> Error {
    if status == 401 {
        return Error::Unauthorized {
            provider,
            message: "HTTP 401 without a readable answer".to_owned(),
            hint: Some("check the credentials and the environment"),
        };
    }
    Error::Provider {
        provider,
        code: None,
        message: format!("HTTP {status}: refused before processing (by the provider or a firewall in front of it)"),
        http_status: Some(status),
        hint: Some("a firewall or CDN may be blocking this client; nothing was done, try again later"),
    }
}

/// A 429: not processed.
pub(crate) fn rate_limited(provider: Provider) -> Error {
    Error::Provider {
        provider,
        code: None,
        message: "too many requests; the request was not processed".into(),
        http_status: Some(429),
        hint: Some("slow down and try again later"),
    }
}

/// The provider's words, or the reader's complaint, for an unknown outcome.
fn reason_of(err: &Error) -> String {
    match err {
        Error::Provider { message, code, .. } => match code {
            Some(code) => format!("{code}: {message}"),
            None => message.clone(),
        },
        Error::Decode { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_cover_the_status_range() {
        assert_eq!(AnswerClass::of(201), AnswerClass::Accepted);
        assert_eq!(AnswerClass::of(403), AnswerClass::Refused);
        assert_eq!(AnswerClass::of(408), AnswerClass::Abandoned);
        assert_eq!(AnswerClass::of(409), AnswerClass::ClientError);
        assert_eq!(AnswerClass::of(599), AnswerClass::ServerError);
        assert_eq!(AnswerClass::of(302), AnswerClass::Other);
        assert_eq!(AnswerClass::of(600), AnswerClass::Other);
    }
}
