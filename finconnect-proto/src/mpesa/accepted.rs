//! What the asynchronous operations share: the URLs their results go to, and
//! the acknowledgement Daraja answers with.

use super::wire::{self, s, Answer};
use crate::{Error, UrlPolicy};
use serde_json::Value;

/// Where Safaricom posts an asynchronous result (`ResultURL`) and the notice
/// that the request expired in its queue (`QueueTimeOutURL`). Checked against
/// the configuration's URL policy when the request is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultUrls {
    result: String,
    queue_timeout: String,
}

impl ResultUrls {
    /// The two URLs (no whitespace).
    pub fn new(result_url: &str, queue_timeout_url: &str) -> Result<Self, Error> {
        for (field, url) in [
            ("ResultURL", result_url),
            ("QueueTimeOutURL", queue_timeout_url),
        ] {
            if url.chars().any(char::is_whitespace) || url.trim().is_empty() {
                return Err(Error::invalid(field, "must be a URL without whitespace"));
            }
        }
        Ok(ResultUrls {
            result: result_url.to_owned(),
            queue_timeout: queue_timeout_url.to_owned(),
        })
    }

    /// The `ResultURL` and `QueueTimeOutURL` fields, checked against `policy`.
    pub(crate) fn fields(&self, policy: UrlPolicy) -> Result<[(&'static str, Value); 2], Error> {
        let result = wire::callback_url("ResultURL", &self.result, policy)?;
        let timeout = wire::callback_url("QueueTimeOutURL", &self.queue_timeout, policy)?;
        Ok([
            ("ResultURL", s(result.as_str())),
            ("QueueTimeOutURL", s(timeout.as_str())),
        ])
    }
}

/// Daraja accepted an asynchronous request for processing (`ResponseCode`
/// `"0"`). **Nothing has happened yet**: the outcome is the `Result` posted to
/// the `ResultURL` later (see [`parse_result`](super::parse_result)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Accepted {
    /// `OriginatorConversationID`.
    pub originator_conversation_id: Option<String>,
    /// `ConversationID` (the key of the result, with the originator's).
    pub conversation_id: String,
    /// `ResponseDescription`.
    pub description: Option<String>,
}

/// Reads the acknowledgement of an asynchronous operation.
pub(crate) fn read_accepted(
    name: &'static str,
    response: &http::Response<Vec<u8>>,
    money: bool,
    reference: Option<&str>,
) -> Result<Accepted, Error> {
    let answer = Answer::parse(name, response, false)?;
    answer.check(money, reference)?;
    if wire::text(&answer.v, "ResponseCode").is_none() {
        return Err(answer.bad("`ResponseCode` is missing"));
    }
    let conversation_id = wire::non_empty(&answer.v, "ConversationID")
        .ok_or_else(|| answer.bad("`ConversationID` is missing"))?;
    Ok(Accepted {
        originator_conversation_id: wire::non_empty(&answer.v, "OriginatorConversationID"),
        conversation_id,
        description: wire::text(&answer.v, "ResponseDescription"),
    })
}
