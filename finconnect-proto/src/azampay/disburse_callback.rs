//! The disbursement callback (AzamPay → merchant). AzamPay
//! documents **no signature** for it: treat it as a trigger and confirm with
//! [`DisbursementStatus`](super::DisbursementStatus).

use super::status::status_word;
use super::wire as aw;
use crate::{wire, Error, PaymentStatus};
use serde_json::{Map, Value};

/// A parsed disbursement callback. Unauthenticated: its status is only a claim.
#[derive(Clone, Debug, PartialEq)]
pub struct DisbursementCallback {
    /// `pgReferenceId`: query [`DisbursementStatus`](super::DisbursementStatus) with it.
    pub pg_reference_id: Option<String>,
    /// `initiatorReferenceId`: your `externalReferenceId`.
    pub initiator_reference_id: Option<String>,
    /// `fspReferenceId`: the receiving operator's reference.
    pub fsp_reference_id: Option<String>,
    /// `amount`, as text.
    pub amount: Option<String>,
    /// `status` as sent (`success` or `failure`).
    pub status_word: Option<String>,
    /// `message`.
    pub message: Option<String>,
    /// `operator` (`Airtel`, `Azampesa`, `Tigo`).
    pub operator: Option<String>,
    /// `additionalProperties`.
    pub additional_properties: Option<Map<String, Value>>,
}

impl DisbursementCallback {
    /// What the callback claims (unauthenticated — confirm before acting):
    /// `success` ⇒ Completed, `failure`/`failed` ⇒ Failed, else Unknown.
    pub fn claimed_status(&self) -> PaymentStatus {
        self.status_word
            .as_deref()
            .map(status_word)
            .unwrap_or_else(|| PaymentStatus::Unknown(String::new()))
    }

    /// A stable deduplication key (`pgReferenceId`, else `initiatorReferenceId`).
    pub fn dedupe_key(&self) -> String {
        let id = self
            .pg_reference_id
            .as_deref()
            .or(self.initiator_reference_id.as_deref())
            .unwrap_or("");
        format!("azampay-payout:{id}")
    }
}

/// Parses a disbursement callback (raw bytes, at most [`wire::MAX_CALLBACK_BODY`];
/// field names case-insensitive; numbers accepted as text).
pub fn parse_disbursement_callback(body: &[u8]) -> Result<DisbursementCallback, Error> {
    if body.len() > wire::MAX_CALLBACK_BODY {
        return Err(Error::decode_withheld(
            "AzamPay disbursement callback",
            "the body is too large",
            None,
        ));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Error::decode_withheld("AzamPay disbursement callback", e, None))?;
    let obj = value.as_object().ok_or_else(|| {
        Error::decode_withheld(
            "AzamPay disbursement callback",
            "expected a JSON object",
            None,
        )
    })?;
    let t = |names: &[&str]| aw::text_of(obj, names);
    Ok(DisbursementCallback {
        pg_reference_id: t(&["pgReferenceId"]),
        initiator_reference_id: t(&["initiatorReferenceId"]),
        fsp_reference_id: t(&["fspReferenceId"]),
        amount: t(&["amount"]),
        status_word: t(&["status"]),
        message: t(&["message"]),
        operator: t(&["operator"]),
        additional_properties: aw::object_of(obj, "additionalProperties").cloned(),
    })
}
