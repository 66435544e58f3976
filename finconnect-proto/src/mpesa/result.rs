//! Asynchronous results (Safaricom → `ResultURL`) of B2C, transaction status,
//! account balance and reversal, and the queue-timeout notice
//! (→ `QueueTimeOutURL`).

use super::stk_callback::json_reply;
use super::types::ResultCode;
use super::wire;
use crate::{Currency, Error, Money};
use serde_json::Value;

/// One `ResultParameter` or `ReferenceItem`: a `Key` and, not always, a
/// `Value` (number or string, kept as sent).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ResultItem {
    /// `Key` (keys may repeat).
    pub key: String,
    /// `Value`, when present.
    pub value: Option<Value>,
}

impl ResultItem {
    /// The value as text (a string, or a number written out).
    pub fn text(&self) -> Option<String> {
        self.value.as_ref().and_then(wire::scalar_text)
    }
}

/// A parsed `Result`. **Unsigned**: every field is a claim (the code included);
/// confirm a money fact with a transaction-status query before acting on it,
/// and deduplicate on `ConversationID` + `OriginatorConversationID`.
///
/// Codes are text (`0`, `"0"`, `"R000002"`); `ResultParameter` and
/// `ReferenceItem` are read whether one object or an array; items without
/// `Value` and repeated keys are kept.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ResultNotification {
    /// `ResultType`.
    pub result_type: Option<String>,
    /// `ResultCode`, as claimed (`0` is the only success).
    pub claimed_result_code: ResultCode,
    /// `ResultDesc`, as claimed.
    pub claimed_result_desc: Option<String>,
    /// `OriginatorConversationID` (your B2C id, or Daraja's).
    pub originator_conversation_id: Option<String>,
    /// `ConversationID`.
    pub conversation_id: Option<String>,
    /// `TransactionID`: a receipt, or a placeholder such as `OA90000000` for
    /// non-financial results ([`ResultNotification::has_receipt`]).
    pub transaction_id: Option<String>,
    /// `ResultParameters.ResultParameter`, in the order sent.
    pub parameters: Vec<ResultItem>,
    /// `ReferenceData.ReferenceItem`, in the order sent.
    pub references: Vec<ResultItem>,
}

impl ResultNotification {
    /// Whether the result claims success (`ResultCode` `0`). A claim.
    pub fn claims_success(&self) -> bool {
        self.claimed_result_code.is_success()
    }

    /// The first parameter named `key`'s value.
    pub fn parameter(&self, key: &str) -> Option<&Value> {
        self.parameters
            .iter()
            .find(|p| p.key == key)
            .and_then(|p| p.value.as_ref())
    }

    /// Every value of the parameters named `key` (keys repeat:
    /// `DebitPartyName` comes twice in transaction-status results).
    pub fn parameters_named<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.parameters
            .iter()
            .filter(move |p| p.key == key)
            .filter_map(|p| p.value.as_ref())
    }

    /// The first parameter named `key`, as text.
    pub fn parameter_text(&self, key: &str) -> Option<String> {
        self.parameter(key).and_then(wire::scalar_text)
    }

    /// The first parameter named `key`, as a KES amount (`10`, `1.0`,
    /// `"300"`, `-8030.00`), as claimed.
    pub fn claimed_amount(&self, key: &str) -> Option<Money> {
        self.parameter(key).and_then(wire::kes)
    }

    /// The amount moved, as claimed: `TransactionAmount` (B2C) or `Amount`
    /// (transaction status, reversal).
    pub fn claimed_transaction_amount(&self) -> Option<Money> {
        self.claimed_amount("TransactionAmount")
            .or_else(|| self.claimed_amount("Amount"))
    }

    /// The receipt, as claimed: `TransactionReceipt` (B2C), `ReceiptNo`
    /// (transaction status), else a `TransactionID` that is not a placeholder.
    pub fn claimed_receipt(&self) -> Option<String> {
        self.parameter_text("TransactionReceipt")
            .or_else(|| self.parameter_text("ReceiptNo"))
            .or_else(|| self.transaction_id.clone().filter(|_| self.has_receipt()))
    }

    /// Whether `TransactionID` looks like a receipt rather than the
    /// placeholder of a non-financial result (letters followed by zeros only).
    pub fn has_receipt(&self) -> bool {
        self.transaction_id.as_deref().is_some_and(|t| {
            let t = t.trim();
            let digits = t.trim_start_matches(|c: char| c.is_ascii_alphabetic());
            let placeholder = digits.len() >= 4 && digits.bytes().all(|b| b == b'0');
            !t.is_empty() && !placeholder
        })
    }

    /// The first reference item named `key`'s value.
    pub fn reference(&self, key: &str) -> Option<&Value> {
        self.references
            .iter()
            .find(|r| r.key == key)
            .and_then(|r| r.value.as_ref())
    }

    /// The balances of an account-balance result (`AccountBalance`), as
    /// claimed; malformed segments are skipped.
    pub fn account_balances(&self) -> Option<Vec<AccountBalance>> {
        self.parameter_text("AccountBalance")
            .map(|text| parse_account_balances(&text))
    }
}

/// One account of an `AccountBalance` string:
/// `<name>|<currency>|<available>|<b>|<c>|<d>`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountBalance {
    /// The account (`Working Account`, `Utility Account`, …).
    pub account: String,
    /// The currency code as sent (`KES`).
    pub currency: String,
    /// The third field: the available funds (read so from Daraja's table).
    pub available: Option<Money>,
    /// The other numeric fields, as sent (their meaning is not documented).
    pub other_fields: Vec<String>,
}

/// Reads an `AccountBalance` string (`&`-separated segments of `|`-separated
/// fields). Segments with fewer than three fields are skipped; a trailing `&`
/// is harmless.
///
/// ```
/// use finconnect_proto::mpesa::parse_account_balances;
/// let b = parse_account_balances("Working Account|KES|700000.00|700000.00|0.00|0.00&Utility Account|KES|228037.00|228037.00|0.00|0.00&");
/// assert_eq!(b.len(), 2);
/// assert_eq!(b[1].account, "Utility Account");
/// assert_eq!(b[1].available.unwrap().minor_units(), 22_803_700);
/// ```
pub fn parse_account_balances(text: &str) -> Vec<AccountBalance> {
    text.split('&')
        .filter_map(|segment| {
            let fields: Vec<&str> = segment.split('|').map(str::trim).collect();
            if fields.len() < 3 || fields[0].is_empty() {
                return None;
            }
            let available = Currency::from_code(fields[1])
                .ok()
                .and_then(|c| Money::from_decimal_str(fields[2], c).ok());
            Some(AccountBalance {
                account: fields[0].to_owned(),
                currency: fields[1].to_owned(),
                available,
                other_fields: fields[3..].iter().map(|f| (*f).to_owned()).collect(),
            })
        })
        .collect()
}

fn refuse(what: &str, reason: impl std::fmt::Display, body: &[u8]) -> Error {
    Error::decode(what, reason, body, None)
}

fn items(v: Option<&Value>) -> Vec<ResultItem> {
    wire::one_or_many(v)
        .into_iter()
        .filter_map(|item| {
            Some(ResultItem {
                key: wire::non_empty(item, "Key")?,
                value: item.get("Value").filter(|v| !v.is_null()).cloned(),
            })
        })
        .collect()
}

/// Parses a `Result` body (`{"Result":{…}}`, or the same fields unwrapped as
/// one production capture has them; at most
/// [`MAX_CALLBACK_BODY`](crate::MAX_CALLBACK_BODY) bytes). Never panics.
///
/// ```
/// use finconnect_proto::mpesa::parse_result;
/// let r = parse_result(br#"{"Result":{"ResultType":0,"ResultCode":"R000002",
///   "ResultDesc":"The OriginalTransactionID is invalid.","OriginatorConversationID":"3124-481d",
///   "ConversationID":"AG_20211114_2010573069aefb6b625a","TransactionID":"SKE0000000"}}"#)?;
/// assert_eq!(r.claimed_result_code.as_str(), "R000002");
/// assert!(!r.claims_success() && !r.has_receipt() && r.parameters.is_empty());
/// # Ok::<(), finconnect_proto::Error>(())
/// ```
pub fn parse_result(body: &[u8]) -> Result<ResultNotification, Error> {
    read_result(&crate::wire::callback_json(RESULT, body)?, body)
}

const RESULT: &str = "M-Pesa result";

/// [`parse_result`] of a body already read as JSON (`v`; `body` for errors).
pub(super) fn read_result(v: &Value, body: &[u8]) -> Result<ResultNotification, Error> {
    const WHAT: &str = RESULT;
    // Usually wrapped in `Result`; a recorded production failure came bare.
    let r = v
        .get("Result")
        .filter(|r| r.is_object())
        .or_else(|| v.get("ResultCode").map(|_| v))
        .ok_or_else(|| refuse(WHAT, "`Result` is missing", body))?;
    let code =
        wire::code(r, "ResultCode").ok_or_else(|| refuse(WHAT, "`ResultCode` is missing", body))?;
    Ok(ResultNotification {
        result_type: wire::code(r, "ResultType"),
        claimed_result_code: ResultCode::new(code),
        claimed_result_desc: wire::text(r, "ResultDesc"),
        originator_conversation_id: wire::non_empty(r, "OriginatorConversationID"),
        conversation_id: wire::non_empty(r, "ConversationID"),
        transaction_id: wire::non_empty(r, "TransactionID").map(|t| t.trim().to_owned()),
        parameters: items(r.pointer("/ResultParameters/ResultParameter")),
        references: items(r.pointer("/ReferenceData/ReferenceItem")),
    })
}

/// The notice on the `QueueTimeOutURL`: the request expired in Safaricom's
/// queue. Its payload is undocumented (the original request echoed back, as
/// far as is known), so only `OriginatorConversationID` is read. The outcome
/// is **unknown**: query the transaction status before doing anything else.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct QueueTimeout {
    /// `OriginatorConversationID`, when the body has one.
    pub originator_conversation_id: Option<String>,
    /// The body's top-level fields (credentials removed).
    pub fields: serde_json::Map<String, Value>,
}

/// Parses a queue-timeout notice: any JSON object (at most
/// [`MAX_CALLBACK_BODY`](crate::MAX_CALLBACK_BODY) bytes);
/// `SecurityCredential` is dropped from what is kept.
pub fn parse_queue_timeout(body: &[u8]) -> Result<QueueTimeout, Error> {
    const WHAT: &str = "M-Pesa queue timeout";
    let v = crate::wire::callback_json(WHAT, body)?;
    let Value::Object(mut fields) = v else {
        return Err(refuse(WHAT, "expected a JSON object", body));
    };
    fields.remove("SecurityCredential");
    let originator_conversation_id = fields
        .get("OriginatorConversationID")
        .and_then(wire::scalar_text)
        .filter(|id| !id.trim().is_empty())
        .or_else(|| {
            fields
                .get("Result")
                .and_then(|r| wire::non_empty(r, "OriginatorConversationID"))
        });
    Ok(QueueTimeout {
        originator_conversation_id,
        fields,
    })
}

/// The answer to a result or queue-timeout notice: HTTP 200
/// `{"ResultCode":0,"ResultDesc":"Accepted"}` (undocumented; Daraja is not
/// known to read it or to retry). Acknowledge first, process after.
pub fn result_ack() -> http::Response<Vec<u8>> {
    json_reply(br#"{"ResultCode":0,"ResultDesc":"Accepted"}"#.to_vec())
}
