//! C2B validation and confirmation requests (Safaricom → your registered
//! URLs), and the replies to them.

use super::stk_callback::json_reply;
use super::wire;
use crate::{Error, Money};
use serde_json::Value;

/// A C2B validation or confirmation request (both have this shape). **Unsigned**:
/// every field is a claim; confirm a payment with a transaction-status query
/// (by `TransID`) before fulfilment, and deduplicate on `TransID` (an STK
/// payment to a paybill with registered URLs also arrives here, with the same
/// receipt).
///
/// Only `TransID`, `TransAmount` and `BusinessShortCode` are required; the
/// rest is optional, and `MSISDN` is never a usable phone number (masked in v2,
/// a SHA-256 digest in v1).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct C2bPayment {
    /// `TransID`: the M-Pesa receipt, the key to deduplicate on.
    pub trans_id: String,
    /// `TransAmount`, as claimed.
    pub claimed_amount: Money,
    /// `BusinessShortCode`, as claimed.
    pub claimed_shortcode: String,
    /// `TransactionType` (`Pay Bill`, `Buy Goods`; empty in the sandbox).
    pub transaction_type: Option<String>,
    /// `TransTime` (`YYYYMMDDHHmmss`, Nairobi time), as claimed.
    pub claimed_trans_time: Option<String>,
    /// `BillRefNumber`: the account number the payer typed (free text), or an
    /// STK push's `AccountReference`.
    pub bill_ref_number: Option<String>,
    /// `InvoiceNumber`.
    pub invoice_number: Option<String>,
    /// `OrgAccountBalance` (empty on validation), as claimed.
    pub claimed_org_balance: Option<Money>,
    /// `ThirdPartyTransID` (the echo of the validation reply's).
    pub third_party_trans_id: Option<String>,
    /// `MSISDN`: masked (`2547 ***** 126`) or hashed — not a phone number.
    pub msisdn: Option<String>,
    /// `FirstName`.
    pub first_name: Option<String>,
    /// `MiddleName`.
    pub middle_name: Option<String>,
    /// `LastName`.
    pub last_name: Option<String>,
}

fn refuse(reason: impl std::fmt::Display, body: &[u8]) -> Error {
    Error::decode("M-Pesa C2B request", reason, body, None)
}

/// Parses a C2B validation or confirmation body (at most
/// [`MAX_CALLBACK_BODY`](crate::MAX_CALLBACK_BODY) bytes). Never panics.
///
/// ```
/// use finconnect_proto::mpesa::parse_c2b;
/// let p = parse_c2b(br#"{"TransactionType":"","TransID":"YUNV2HE5W9","TransTime":"20230118085842",
///   "TransAmount":"10","BusinessShortCode":"700000","BillRefNumber":"yT7Be#R8T","InvoiceNumber":"",
///   "OrgAccountBalance":"","ThirdPartyTransID":"","MSISDN":"2547 ***** 149","FirstName":"John"}"#)?;
/// assert_eq!(p.trans_id, "YUNV2HE5W9");
/// assert_eq!(p.claimed_amount.minor_units(), 1000);
/// assert!(p.transaction_type.is_none() && p.last_name.is_none());
/// # Ok::<(), finconnect_proto::Error>(())
/// ```
pub fn parse_c2b(body: &[u8]) -> Result<C2bPayment, Error> {
    read_c2b(
        &crate::wire::callback_json("M-Pesa C2B request", body)?,
        body,
    )
}

/// [`parse_c2b`] of a body already read as JSON (`v`; `body` for errors).
pub(super) fn read_c2b(v: &Value, body: &[u8]) -> Result<C2bPayment, Error> {
    if !v.is_object() {
        return Err(refuse("expected a JSON object", body));
    }
    let trans_id = wire::non_empty(v, "TransID")
        .map(|t| t.trim().to_owned())
        .ok_or_else(|| refuse("`TransID` is missing", body))?;
    let claimed_amount = v
        .get("TransAmount")
        .and_then(wire::kes_paid)
        .ok_or_else(|| refuse("`TransAmount` is missing, negative or not an amount", body))?;
    let claimed_shortcode = wire::non_empty(v, "BusinessShortCode")
        .ok_or_else(|| refuse("`BusinessShortCode` is missing", body))?;
    let opt = |key: &str| wire::non_empty(v, key);
    Ok(C2bPayment {
        trans_id,
        claimed_amount,
        claimed_shortcode,
        transaction_type: opt("TransactionType"),
        claimed_trans_time: v.get("TransTime").and_then(wire::timestamp_text),
        bill_ref_number: opt("BillRefNumber"),
        invoice_number: opt("InvoiceNumber"),
        claimed_org_balance: v.get("OrgAccountBalance").and_then(wire::kes),
        third_party_trans_id: opt("ThirdPartyTransID"),
        msisdn: opt("MSISDN"),
        first_name: opt("FirstName"),
        middle_name: opt("MiddleName"),
        last_name: opt("LastName"),
    })
}

/// Why a validation request is rejected: the code picks the SMS the payer gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum C2bRejectCode {
    /// `C2B00011`: invalid MSISDN.
    InvalidMsisdn,
    /// `C2B00012`: invalid account number.
    InvalidAccountNumber,
    /// `C2B00013`: invalid amount.
    InvalidAmount,
    /// `C2B00014`: invalid KYC details.
    InvalidKycDetails,
    /// `C2B00015`: invalid shortcode.
    InvalidShortcode,
    /// `C2B00016`: other error.
    OtherError,
}

impl C2bRejectCode {
    /// Every code.
    pub const ALL: [C2bRejectCode; 6] = [
        C2bRejectCode::InvalidMsisdn,
        C2bRejectCode::InvalidAccountNumber,
        C2bRejectCode::InvalidAmount,
        C2bRejectCode::InvalidKycDetails,
        C2bRejectCode::InvalidShortcode,
        C2bRejectCode::OtherError,
    ];

    /// The wire code (`C2B00011` …).
    pub fn as_str(self) -> &'static str {
        match self {
            C2bRejectCode::InvalidMsisdn => "C2B00011",
            C2bRejectCode::InvalidAccountNumber => "C2B00012",
            C2bRejectCode::InvalidAmount => "C2B00013",
            C2bRejectCode::InvalidKycDetails => "C2B00014",
            C2bRejectCode::InvalidShortcode => "C2B00015",
            C2bRejectCode::OtherError => "C2B00016",
        }
    }

    /// The code for a wire code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == code.trim())
    }
}

/// The reply to a validation request (within about 8 seconds, or M-Pesa
/// applies the registered `ResponseType`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum C2bReply {
    /// `{"ResultCode":"0","ResultDesc":"Accepted"}`, with an optional
    /// `ThirdPartyTransID` that the confirmation echoes.
    Accept {
        /// Your id for the payment, echoed in the confirmation.
        third_party_trans_id: Option<String>,
    },
    /// `{"ResultCode":"C2B0001x","ResultDesc":"Rejected"}`.
    Reject(C2bRejectCode),
}

impl C2bReply {
    /// The reply's JSON (`ResultCode` a string, as documented).
    pub fn to_json(&self) -> Vec<u8> {
        let mut m = serde_json::Map::new();
        match self {
            C2bReply::Accept {
                third_party_trans_id,
            } => {
                m.insert("ResultCode".into(), "0".into());
                m.insert("ResultDesc".into(), "Accepted".into());
                if let Some(id) = third_party_trans_id {
                    m.insert("ThirdPartyTransID".into(), id.clone().into());
                }
            }
            C2bReply::Reject(code) => {
                m.insert("ResultCode".into(), code.as_str().into());
                m.insert("ResultDesc".into(), "Rejected".into());
            }
        }
        serde_json::to_vec(&Value::Object(m)).unwrap_or_default()
    }

    /// Reads a reply back (what a simulator or a test sees).
    pub fn from_json(body: &[u8]) -> Option<C2bReply> {
        let v: Value = serde_json::from_slice(body).ok()?;
        let code = wire::code(&v, "ResultCode")?;
        if code == "0" {
            return Some(C2bReply::Accept {
                third_party_trans_id: wire::non_empty(&v, "ThirdPartyTransID"),
            });
        }
        C2bRejectCode::from_code(&code).map(C2bReply::Reject)
    }

    /// The reply as an HTTP 200 answer.
    pub fn to_response(&self) -> http::Response<Vec<u8>> {
        json_reply(self.to_json())
    }
}

/// The acknowledgement of a confirmation: HTTP 200
/// `{"ResultCode":0,"ResultDesc":"Success"}` (the 200 is what matters;
/// acknowledge first, process after).
pub fn c2b_confirmation_ack() -> http::Response<Vec<u8>> {
    json_reply(br#"{"ResultCode":0,"ResultDesc":"Success"}"#.to_vec())
}
