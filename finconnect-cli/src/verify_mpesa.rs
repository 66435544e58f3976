//! `finconnect verify mpesa`: reads one Daraja notification offline. Nothing
//! is signed, so the verdict is "well-formed" (exit 0) or "malformed" (exit 2).

use crate::verify::{read_input, reason, MpesaKind, Outcome, Problem};
use finconnect::mpesa::{self, C2bRoute, Notification, ResultCode};
use finconnect::{Currency, Money, PaymentStatus};
use serde_json::{json, Value};
use std::path::Path;

/// The normalised fields of one notification.
struct Read {
    kind: MpesaKind,
    status: &'static str,
    result_code: Option<String>,
    amount: Option<Money>,
    receipt: Option<String>,
    reference: Option<String>,
    provider_reference: Option<String>,
    confirm_with: &'static str,
    ack: Vec<u8>,
}

fn malformed(text: impl Into<String>) -> Problem {
    Problem::Malformed(text.into())
}

/// An amount as sent: exact KES and not negative, or malformed.
fn amount(field: &str, value: Option<&Value>) -> Result<Option<Money>, Problem> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    if value.as_str().is_some_and(|s| s.trim().is_empty()) {
        return Ok(None);
    }
    let money = Money::from_json(value, Currency::KES)
        .map_err(|e| malformed(format!("{field} {value} is not an exact KES amount: {e}")))?;
    if money.minor_units() < 0 {
        return Err(malformed(format!("{field} {value} is negative")));
    }
    Ok(Some(money))
}

/// The status a `ResultCode` says, by the code alone.
fn status_word(code: &ResultCode) -> &'static str {
    match code.stk_status() {
        PaymentStatus::Completed => "completed",
        PaymentStatus::Failed => "failed",
        PaymentStatus::Cancelled => "cancelled",
        PaymentStatus::Pending => "pending",
        _ => "unknown",
    }
}

/// The notification in `body`: read as `kind`, or of the kind its fields name
/// (a C2B body is then a confirmation).
fn notification(kind: Option<MpesaKind>, body: &[u8]) -> Result<Notification, Problem> {
    match kind {
        None => mpesa::parse_notification(body, C2bRoute::Confirmation),
        Some(MpesaKind::Stk) => mpesa::parse_stk_callback(body).map(Notification::Stk),
        Some(MpesaKind::C2bValidation) => mpesa::parse_c2b(body).map(Notification::C2bValidation),
        Some(MpesaKind::C2bConfirmation) => {
            mpesa::parse_c2b(body).map(Notification::C2bConfirmation)
        }
        Some(MpesaKind::Result) => mpesa::parse_result(body).map(Notification::Result),
    }
    .map_err(|e| malformed(reason(e)))
}

fn read(notification: Notification) -> Result<Read, Problem> {
    match notification {
        Notification::Stk(cb) => Ok(Read {
            kind: MpesaKind::Stk,
            status: status_word(&cb.claimed_result_code),
            result_code: Some(cb.claimed_result_code.as_str().to_owned()),
            amount: amount("Amount", cb.claimed_item("Amount"))?,
            receipt: cb.claimed_receipt.clone(),
            reference: None,
            provider_reference: Some(cb.checkout_request_id.as_str().to_owned()),
            confirm_with: "STK query (MpesaExpressQuery) by CheckoutRequestID",
            ack: mpesa::stk_callback_ack().into_body(),
        }),
        Notification::C2bValidation(p) => Ok(c2b(MpesaKind::C2bValidation, p)),
        Notification::C2bConfirmation(p) => Ok(c2b(MpesaKind::C2bConfirmation, p)),
        Notification::Result(r) => {
            let raw_amount = r
                .parameter("TransactionAmount")
                .map(|v| ("TransactionAmount", v))
                .or_else(|| r.parameter("Amount").map(|v| ("Amount", v)));
            let amount = match raw_amount {
                Some((field, v)) => amount(field, Some(v))?,
                None => None,
            };
            Ok(Read {
                kind: MpesaKind::Result,
                status: status_word(&r.claimed_result_code),
                result_code: Some(r.claimed_result_code.as_str().to_owned()),
                amount,
                receipt: r.claimed_receipt(),
                reference: r.originator_conversation_id.clone(),
                provider_reference: r.conversation_id.clone(),
                confirm_with: "transaction status (TransactionStatusQuery)",
                ack: mpesa::result_ack().into_body(),
            })
        }
        _ => Err(malformed(
            "a kind of M-Pesa notification this command does not know",
        )),
    }
}

/// A C2B request as read: the core already refused a missing, negative or
/// inexact `TransAmount`.
fn c2b(kind: MpesaKind, p: mpesa::C2bPayment) -> Read {
    let validation = kind == MpesaKind::C2bValidation;
    Read {
        kind,
        // A C2B request carries no ResultCode: a confirmation says the
        // payment completed, a validation asks before it happens.
        status: if validation { "pending" } else { "completed" },
        result_code: None,
        amount: Some(p.claimed_amount),
        receipt: Some(p.trans_id.clone()),
        reference: p.bill_ref_number.clone(),
        provider_reference: Some(p.trans_id),
        confirm_with: "transaction status (TransactionStatusQuery) by TransID",
        ack: if validation {
            mpesa::C2bReply::Accept {
                third_party_trans_id: None,
            }
            .to_json()
        } else {
            mpesa::c2b_confirmation_ack().into_body()
        },
    }
}

fn kind_name(kind: MpesaKind) -> &'static str {
    match kind {
        MpesaKind::Stk => "stk_callback",
        MpesaKind::C2bValidation => "c2b_validation",
        MpesaKind::C2bConfirmation => "c2b_confirmation",
        MpesaKind::Result => "result",
    }
}

/// Reads the notification in `file` as `kind` (detected when `None`).
pub(crate) fn run(kind: Option<MpesaKind>, file: &Path) -> Result<Outcome, Problem> {
    let body = read_input(file, "M-Pesa notification").map_err(Problem::Malformed)?;
    if body.len() > finconnect::MAX_CALLBACK_BODY {
        return Err(malformed(format!(
            "{} bytes; at most {} accepted",
            body.len(),
            finconnect::MAX_CALLBACK_BODY
        )));
    }
    let read = read(notification(kind, &body)?)?;
    let amount = read.amount.map(|m| m.to_decimal_string());
    let ack: Value = serde_json::from_slice(&read.ack).unwrap_or(Value::Null);
    let json = json!({
        "provider": "mpesa",
        "kind": kind_name(read.kind),
        "verdict": "parsed",
        "trust": "unverified",
        "status": read.status,
        "result_code": read.result_code,
        "amount": amount,
        "currency": "KES",
        "receipt": read.receipt,
        "reference": read.reference,
        "provider_reference": read.provider_reference,
        "confirm_with": read.confirm_with,
        "ack": ack,
    });
    let dash = |v: Option<&str>| v.unwrap_or("-").to_owned();
    Ok(Outcome {
        headline: format!(
            "✔ M-Pesa {} parsed (unsigned: confirm with the {})",
            kind_name(read.kind),
            read.confirm_with
        ),
        lines: vec![
            ("kind", kind_name(read.kind).to_owned()),
            ("claimed status", read.status.to_owned()),
            ("result code", dash(read.result_code.as_deref())),
            (
                "claimed amount",
                amount
                    .map(|a| format!("{a} KES"))
                    .unwrap_or_else(|| "-".into()),
            ),
            ("claimed receipt", dash(read.receipt.as_deref())),
            ("trust", "unverified".to_owned()),
            (
                "ack (HTTP 200)",
                String::from_utf8_lossy(&read.ack).into_owned(),
            ),
        ],
        json,
    })
}
