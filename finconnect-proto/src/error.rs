//! The one error type of the core.
//!
//! Each variant names something a user can act on. Adapters wrap [`Error`] with
//! their own transport errors; no HTTP-client type ever appears here. No variant
//! carries a configured secret or a token: bodies quoted in [`Error::Decode`] are
//! bounded snippets, and the snippet of an authentication response is withheld.

use crate::Provider;
use std::fmt;

/// How many bytes of an unreadable body [`Error::Decode`] quotes.
pub const SNIPPET_LIMIT: usize = 160;

/// One field's problems, as reported by a provider's validation answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field, as the provider named it (for example `ClientId`).
    pub field: String,
    /// The provider's messages for it.
    pub messages: Vec<String>,
}

/// Everything that can go wrong in finconnect's core.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration cannot work (empty credential, bad base URL, `http://` on a
    /// live preset, …). Fix the configuration; retrying will not help.
    #[error("configuration error: {reason}")]
    Config {
        /// What is wrong and what to do.
        reason: String,
    },

    /// An input was refused here, before anything was sent. Fix the input.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field (finconnect's name for it).
        field: String,
        /// Why it is invalid.
        reason: String,
    },

    /// The provider rejected fields of the request (a validation answer): the
    /// request reached it and was refused, so nothing was done. Fix the input.
    #[error("{provider} rejected the request{}: {message}{}", status_suffix(.http_status), problems_suffix(.problems))]
    Rejected {
        /// Which provider.
        provider: Provider,
        /// The provider's summary.
        message: String,
        /// The provider's per-field messages.
        problems: Vec<FieldProblem>,
        /// The HTTP status of the answer.
        http_status: Option<u16>,
    },

    /// A request could not be written (a value that cannot be serialised, a
    /// header value with characters HTTP does not allow). Nothing was sent.
    #[error("could not write the request: {reason}")]
    Encode {
        /// What went wrong.
        reason: String,
    },

    /// The provider answered with an error. The request reached the provider (or
    /// the gateway in front of it) and was refused: the outcome is known (nothing
    /// was charged). For a payment this is only ever a documented refusal, a
    /// 401/403 or a 429 (see [`Error::outcome_known`]).
    #[error("{provider} error{}{}: {message}{}", code_suffix(.code), status_suffix(.http_status), hint_suffix(.hint))]
    Provider {
        /// Which provider.
        provider: Provider,
        /// The provider's error code, when it sent one (`error_type`/`code`).
        code: Option<String>,
        /// The provider's message.
        message: String,
        /// The HTTP status of the answer.
        http_status: Option<u16>,
        /// What usually causes this, when we know.
        hint: Option<&'static str>,
    },

    /// The provider refused the credentials or the token, even after one fresh
    /// authentication. Check the credentials and the environment.
    #[error("{provider} refused the credentials: {message}{}", hint_suffix(.hint))]
    Unauthorized {
        /// Which provider.
        provider: Provider,
        /// The provider's message.
        message: String,
        /// What usually causes this, when we know.
        hint: Option<&'static str>,
    },

    /// The provider refused a reference that was already used (ClickPesa 409, or a
    /// duplicate payout inside its cool-down). The earlier request stands; query its
    /// status instead of sending again.
    #[error("{provider} refused a duplicate of {reference}: {message}")]
    DuplicateReference {
        /// Which provider.
        provider: Provider,
        /// The reference that was reused.
        reference: String,
        /// The provider's message.
        message: String,
    },

    /// The answer could not be read (not JSON, an HTML page, a missing field).
    #[error("could not read the {context}{}: {reason}; body starts {snippet:?}", status_suffix(.http_status))]
    Decode {
        /// What was being read.
        context: String,
        /// What did not fit.
        reason: String,
        /// The first bytes of the body (at most [`SNIPPET_LIMIT`]), or a note that
        /// it was withheld because it may hold a secret.
        snippet: String,
        /// The HTTP status of the answer, when there was one.
        http_status: Option<u16>,
    },

    /// A callback's signature or checksum did not verify. Do not act on it.
    #[error("{provider} callback rejected: {reason}")]
    Signature {
        /// Which provider.
        provider: Provider,
        /// Why.
        reason: String,
    },

    /// The provider does not offer this operation.
    #[error("{operation} not supported by this provider ({provider})")]
    Unsupported {
        /// Which provider.
        provider: Provider,
        /// The operation, e.g. "IPN registration".
        operation: &'static str,
    },

    /// A request that moves money may have reached the provider, and no answer
    /// proves what happened (timeout, reset, any 5xx, an unreadable 2xx, a 4xx that
    /// is not a documented refusal). It was **not** sent again. Query the status of
    /// `reference` before trying again.
    #[error("outcome of {operation} at {provider} unknown ({reason}); query the status of {} before trying again", reference.as_deref().unwrap_or("the order"))]
    OutcomeUnknown {
        /// Which provider.
        provider: Provider,
        /// The operation.
        operation: &'static str,
        /// The reference to query.
        reference: Option<String>,
        /// What happened.
        reason: String,
    },

    /// The request could not be completed and nothing was charged: a connection was
    /// refused before sending, or an idempotent request kept failing.
    #[error("{operation} at {provider} failed after {attempts} attempt(s): {reason}")]
    Transport {
        /// Which provider.
        provider: Provider,
        /// The operation.
        operation: &'static str,
        /// How many times it was sent.
        attempts: u32,
        /// The last failure.
        reason: String,
    },

    /// The driver was used out of order (for example `receive` with nothing sent).
    #[error("call driver misuse: {0}")]
    Misuse(&'static str),

    /// A callback says something that its confirmation (the provider's status
    /// answer) or your own order contradicts: another reference, another amount,
    /// another payment. Do not act on it; answer the sender with a 4xx. `claimed`
    /// and `vouched` are bounded quotes of the two values.
    #[error("{provider} callback refused: its {field} {claimed:?} contradicts {source_name} ({vouched:?})")]
    Contradiction {
        /// Which provider's callback.
        provider: Provider,
        /// The field in question (`reference`, `amount`, …).
        field: &'static str,
        /// What the callback claims.
        claimed: String,
        /// What the provider's answer (or your order) says.
        vouched: String,
        /// Who vouches for `vouched`: "the status query" or "your order".
        source_name: &'static str,
    },

    /// A callback could not be confirmed now: the provider's status query failed,
    /// too many confirmations are in flight, or one failed moments ago. Nothing
    /// was handed on; answer the provider so that it retries later.
    #[error("{provider} callback not confirmed yet ({reason}); ask the provider to retry")]
    NotConfirmed {
        /// Which provider's callback.
        provider: Provider,
        /// Why.
        reason: String,
    },
}

fn problems_suffix(problems: &[FieldProblem]) -> String {
    if problems.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.messages.join("; ")))
        .collect();
    format!(" ({})", parts.join(", "))
}

fn code_suffix(code: &Option<String>) -> String {
    code.as_deref().map(|c| format!(" {c}")).unwrap_or_default()
}

fn status_suffix(status: &Option<u16>) -> String {
    status.map(|s| format!(" (HTTP {s})")).unwrap_or_default()
}

fn hint_suffix(hint: &Option<&'static str>) -> String {
    hint.map(|h| format!(" — hint: {h}")).unwrap_or_default()
}

impl Error {
    /// An input refused before sending.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// A configuration error.
    pub fn config(reason: impl Into<String>) -> Self {
        Error::Config {
            reason: reason.into(),
        }
    }

    /// An unreadable body, quoting at most [`SNIPPET_LIMIT`] bytes of it.
    pub fn decode(
        context: impl Into<String>,
        reason: impl fmt::Display,
        body: &[u8],
        http_status: Option<u16>,
    ) -> Self {
        Error::Decode {
            context: context.into(),
            reason: reason.to_string(),
            snippet: snippet(body),
            http_status,
        }
    }

    /// An unreadable body whose text must not be quoted (it may hold a token).
    pub fn decode_withheld(
        context: impl Into<String>,
        reason: impl fmt::Display,
        http_status: Option<u16>,
    ) -> Self {
        Error::Decode {
            context: context.into(),
            reason: reason.to_string(),
            snippet: "[withheld: may contain a credential]".to_owned(),
            http_status,
        }
    }

    /// Whether the outcome is known: `false` only for [`Error::OutcomeUnknown`],
    /// where a payment may or may not have been created.
    ///
    /// The rule (in full, per provider and answer class, in
    /// [`outcome`](crate::outcome)): for a request that creates or moves money,
    /// the [`Call`](crate::Call) driver reports a known outcome only when nothing
    /// left the machine, or when the answer proves the provider refused it — a
    /// documented refusal body (at 2xx or 4xx), a 401/403 (refused at the door), a
    /// 429 (not processed) or a ClickPesa 409 (duplicate reference). Any 5xx
    /// (readable or not), an unreadable or undocumented 2xx or 4xx, a 408/499, a
    /// redirect, and a lost answer (timeout, reset, truncated body) are
    /// [`Error::OutcomeUnknown`]: query the status before trying again.
    /// Idempotent requests (queries, tokens) always have a known outcome.
    pub fn outcome_known(&self) -> bool {
        !matches!(self, Error::OutcomeUnknown { .. })
    }
}

/// The first [`SNIPPET_LIMIT`] bytes of a body as text, cut on a character boundary.
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(SNIPPET_LIMIT)]);
    let mut s: String = text.trim_end_matches('\u{FFFD}').to_owned();
    if body.len() > SNIPPET_LIMIT {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_is_bounded_and_marks_the_cut() {
        let body = vec![b'x'; 1000];
        let s = snippet(&body);
        assert_eq!(s.chars().filter(|c| *c == 'x').count(), SNIPPET_LIMIT);
        assert!(s.ends_with('…'));
        assert_eq!(snippet(b"<html>"), "<html>");
    }

    #[test]
    fn messages_say_what_to_do() {
        let e = Error::OutcomeUnknown {
            provider: Provider::Pesapal,
            operation: "SubmitOrderRequest",
            reference: Some("ORDER-1".into()),
            reason: "timed out".into(),
        };
        let text = e.to_string();
        assert!(text.contains("query the status of ORDER-1"), "{text}");
        assert!(!e.outcome_known());
        let e = Error::Rejected {
            provider: Provider::Azampay,
            message: "validation failed".into(),
            http_status: Some(400),
            problems: vec![FieldProblem {
                field: "ClientId".into(),
                messages: vec!["required".into()],
            }],
        };
        assert!(e.to_string().contains("ClientId: required"));
    }
}
