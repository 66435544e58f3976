//! The STK callback (Safaricom → `CallBackURL`): unsigned, so every field is a
//! claim until the STK query confirms it.

use super::stk::StkQuery;
use super::types::{CheckoutRequestId, ResultCode};
use super::wire;
use crate::{Error, Money, PaymentStatus};
use serde_json::Value;
use std::time::SystemTime;

/// One `CallbackMetadata.Item`: a `Name` and, not always, a `Value` (`Balance`
/// usually comes without one).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct MetadataItem {
    /// `Name`.
    pub name: String,
    /// `Value`, as sent (number or string), when present.
    pub value: Option<Value>,
}

/// A parsed STK callback. **Nothing in it is vouched for**: Daraja signs no
/// callback, so anyone who learns the URL can post one. Its fields are named
/// as claims; confirm with [`StkCallback::status_query`] (Daraja's own answer)
/// before acting, and match the amount against your own order.
///
/// Metadata (amount, receipt, date, phone) comes only on success, and is read
/// by `Name`, never by position.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct StkCallback {
    /// `MerchantRequestID`.
    pub merchant_request_id: Option<String>,
    /// `CheckoutRequestID`: match it against the push's answer.
    pub checkout_request_id: CheckoutRequestId,
    /// `ResultCode` (a number here), as claimed.
    pub claimed_result_code: ResultCode,
    /// `ResultDesc`, as claimed (its wording varies; never decide on it).
    pub claimed_result_desc: Option<String>,
    /// The `Amount` item, as claimed (read exactly from `1.00`, `"05"`…).
    pub claimed_amount: Option<Money>,
    /// The `MpesaReceiptNumber` item, as claimed (= the C2B `TransID`).
    pub claimed_receipt: Option<String>,
    /// The `TransactionDate` item (`YYYYMMDDHHmmss`, Nairobi time), as claimed.
    pub claimed_transaction_date: Option<String>,
    /// The `PhoneNumber` item, as claimed (personal data).
    pub claimed_phone: Option<String>,
    /// Every metadata item, in the order sent.
    pub metadata: Vec<MetadataItem>,
}

impl StkCallback {
    /// The status the callback claims ([`ResultCode::stk_status`]). A claim:
    /// only the STK query's answer is Daraja's word.
    pub fn claimed_status(&self) -> PaymentStatus {
        self.claimed_result_code.stk_status()
    }

    /// The first metadata item named `name` (exact, then case-insensitive).
    pub fn claimed_item(&self, name: &str) -> Option<&Value> {
        self.metadata
            .iter()
            .find(|i| i.name == name)
            .or_else(|| {
                self.metadata
                    .iter()
                    .find(|i| i.name.eq_ignore_ascii_case(name))
            })
            .and_then(|i| i.value.as_ref())
    }

    /// The STK query that confirms this callback, with its `Password` and
    /// `Timestamp` made from `now`.
    pub fn status_query(&self, now: SystemTime) -> StkQuery {
        StkQuery::new(self.checkout_request_id.clone(), now)
    }
}

fn refuse(reason: impl std::fmt::Display, body: &[u8]) -> Error {
    Error::decode("M-Pesa STK callback", reason, body, None)
}

/// Parses an STK callback body (`{"Body":{"stkCallback":{…}}}`, at most
/// [`MAX_CALLBACK_BODY`](crate::MAX_CALLBACK_BODY) bytes). Never panics.
///
/// ```
/// use finconnect_proto::mpesa::parse_stk_callback;
/// use finconnect_proto::PaymentStatus;
/// let cb = parse_stk_callback(br#"{"Body":{"stkCallback":{"MerchantRequestID":"68441-128341933-1",
///   "CheckoutRequestID":"ws_CO_17112022155511840708374149","ResultCode":1032,
///   "ResultDesc":"Request cancelled by user"}}}"#)?;
/// assert_eq!(cb.claimed_status(), PaymentStatus::Cancelled); // a claim, not a fact
/// assert!(cb.claimed_amount.is_none()); // no metadata on failures
/// # Ok::<(), finconnect_proto::Error>(())
/// ```
pub fn parse_stk_callback(body: &[u8]) -> Result<StkCallback, Error> {
    read_stk_callback(
        &crate::wire::callback_json("M-Pesa STK callback", body)?,
        body,
    )
}

/// [`parse_stk_callback`] of a body already read as JSON (`v`; `body` for errors).
pub(super) fn read_stk_callback(v: &Value, body: &[u8]) -> Result<StkCallback, Error> {
    let cb = v
        .pointer("/Body/stkCallback")
        .filter(|cb| cb.is_object())
        .ok_or_else(|| refuse("`Body.stkCallback` is missing", body))?;
    let checkout = wire::non_empty(cb, "CheckoutRequestID")
        .ok_or_else(|| refuse("`CheckoutRequestID` is missing", body))?;
    let checkout_request_id = CheckoutRequestId::new(checkout).map_err(|e| refuse(e, body))?;
    let code =
        wire::code(cb, "ResultCode").ok_or_else(|| refuse("`ResultCode` is missing", body))?;
    let metadata: Vec<MetadataItem> = wire::one_or_many(cb.pointer("/CallbackMetadata/Item"))
        .into_iter()
        .filter_map(|item| {
            Some(MetadataItem {
                name: wire::non_empty(item, "Name")?,
                value: item.get("Value").filter(|v| !v.is_null()).cloned(),
            })
        })
        .collect();
    let mut callback = StkCallback {
        merchant_request_id: wire::non_empty(cb, "MerchantRequestID"),
        checkout_request_id,
        claimed_result_code: ResultCode::new(code),
        claimed_result_desc: wire::text(cb, "ResultDesc"),
        claimed_amount: None,
        claimed_receipt: None,
        claimed_transaction_date: None,
        claimed_phone: None,
        metadata,
    };
    callback.claimed_amount = callback.claimed_item("Amount").and_then(wire::kes_paid);
    callback.claimed_receipt = callback
        .claimed_item("MpesaReceiptNumber")
        .and_then(wire::scalar_text)
        .filter(|r| !r.trim().is_empty());
    callback.claimed_transaction_date = callback
        .claimed_item("TransactionDate")
        .and_then(wire::timestamp_text);
    callback.claimed_phone = callback
        .claimed_item("PhoneNumber")
        .and_then(wire::scalar_text)
        .filter(|p| !p.trim().is_empty());
    Ok(callback)
}

/// The answer to an STK callback: HTTP 200 `{"ResultCode":0,"ResultDesc":"Accepted"}`
/// (Daraja does not read it; acknowledge first, process after — Daraja has
/// not been seen to deliver a callback twice).
pub fn stk_callback_ack() -> http::Response<Vec<u8>> {
    json_reply(br#"{"ResultCode":0,"ResultDesc":"Accepted"}"#.to_vec())
}

/// An HTTP 200 JSON reply.
pub(crate) fn json_reply(body: Vec<u8>) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(body);
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}
