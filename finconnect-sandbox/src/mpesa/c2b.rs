//! C2B: URL registration, the sandbox-only simulate call, and the simulated customer paying
//! the shortcode (validation, then confirmation, each POSTed once).

use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use hyper::Method;
use serde_json::Value;

use super::store::{Kind, Registration, Transaction};
use super::wire;
use crate::delivery::{self, Ack, Notification};
use crate::error::SandboxError;
use crate::http::{Reply, Req};
use crate::json::{ojson, Json};
use crate::route::ProviderName;
use crate::state::{lock, State};

/// What became of a simulated C2B payment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MpesaC2bOutcome {
    /// The payment's `TransID` (its M-Pesa receipt).
    pub trans_id: String,
    /// The `ResultCode` the merchant's validation reply carried (`"0"`, `"C2B00012"`, …);
    /// empty when no readable reply came (then the registered `ResponseType` decided).
    pub validation_result: String,
    /// Whether the payment went through (and the confirmation was sent).
    pub completed: bool,
}

/// `POST /mpesa/c2b/v2/registerurl` (and `/v1/`).
///
/// A shortcode registers once: the same URLs again succeed, other URLs are refused with
/// `500.003.1001 Urls are already registered` (production's rule; restart the sandbox to
/// start over).
pub(crate) fn register(state: &State, req: &Req) -> Reply {
    let Some(body) = req.json_object() else {
        return wire::invalid_payload();
    };
    let shortcode = wire::required(&body, "ShortCode").unwrap_or_default();
    if !wire::shortcode_ok(&shortcode) {
        return wire::invalid("ShortCode");
    }
    let response_type = wire::required(&body, "ResponseType").unwrap_or_default();
    if !matches!(response_type.as_str(), "Completed" | "Cancelled") {
        return wire::invalid("ResponseType");
    }
    let mut urls = Vec::new();
    for field in ["ConfirmationURL", "ValidationURL"] {
        let raw = wire::required(&body, field).unwrap_or_default();
        let lower = raw.to_lowercase();
        let banned = wire::FORBIDDEN_C2B_WORDS.iter().any(|w| lower.contains(w));
        match wire::callback_url(&raw) {
            Some(url) if !banned => urls.push(url),
            _ => return wire::invalid(field),
        }
    }
    for url in &urls {
        state.warn_if_undeliverable(Some(url));
    }
    let registration = Registration {
        shortcode,
        response_type,
        confirmation_url: urls[0].to_string(),
        validation_url: urls[1].to_string(),
    };
    {
        let mut store = lock(&state.mpesa);
        match store.registration(Some(&registration.shortcode)) {
            Some(existing) if *existing != registration => {
                return wire::error(500, "500.003.1001", "Urls are already registered");
            }
            Some(_) => {}
            None => store.registrations.push(registration),
        }
    }
    Reply::json(
        200,
        &ojson!({
            "OriginatorCoversationID": wire::originator_id(),
            "ResponseCode": "0",
            "ResponseDescription": "Success"
        }),
    )
}

/// `POST /mpesa/c2b/v2/simulate` (sandbox only): accepted at once; the payment then runs as
/// [`customer_pays`] does.
pub(crate) fn simulate(state: &Arc<State>, req: &Req) -> Reply {
    let Some(body) = req.json_object() else {
        return wire::invalid_payload();
    };
    let shortcode = wire::required(&body, "ShortCode").unwrap_or_default();
    if lock(&state.mpesa).registration(Some(&shortcode)).is_none() {
        return wire::invalid("ShortCode");
    }
    let command = wire::required(&body, "CommandID").unwrap_or_default();
    if !matches!(
        command.as_str(),
        "CustomerPayBillOnline" | "CustomerBuyGoodsOnline"
    ) {
        return wire::invalid("CommandID");
    }
    let Some(amount) = wire::whole_shillings(body.get("Amount"), 1, 250_000) else {
        return wire::invalid("Amount");
    };
    let msisdn = wire::required(&body, "Msisdn").unwrap_or_default();
    if !wire::msisdn_ok(&msisdn) {
        return wire::invalid("Msisdn");
    }
    let bill_ref = wire::text(&body, "BillRefNumber").unwrap_or_default();
    let state = Arc::clone(state);
    tokio::spawn(async move {
        if let Err(e) = customer_pays(&state, Some(&shortcode), amount, &msisdn, &bill_ref).await {
            tracing::debug!(error = %e, "simulated C2B payment failed");
        }
    });
    Reply::json(
        200,
        &ojson!({
            "OriginatorCoversationID": wire::originator_id(),
            "ResponseCode": "0",
            "ResponseDescription": "Accept the service request successfully."
        }),
    )
}

/// `2547 ***** 149`: Daraja masks the payer's number in v2 callbacks.
fn masked(msisdn: &str) -> String {
    if msisdn.len() < 7 {
        return "2547 ***** ***".to_string();
    }
    format!("{} ***** {}", &msisdn[..4], &msisdn[msisdn.len() - 3..])
}

/// The payment a validation and a confirmation describe.
struct Paid<'a> {
    trans_id: &'a str,
    time: &'a str,
    amount: u64,
    shortcode: &'a str,
    bill_ref: &'a str,
    msisdn: &'a str,
}

/// The validation or confirmation body (same shape for both).
fn body(p: &Paid<'_>, balance: &str, third_party: &str) -> Json {
    ojson!({
        "TransactionType": "Pay Bill",
        "TransID": p.trans_id,
        "TransTime": p.time,
        "TransAmount": format!("{}.00", p.amount),
        "BusinessShortCode": p.shortcode,
        "BillRefNumber": p.bill_ref,
        "InvoiceNumber": "",
        "OrgAccountBalance": balance,
        "ThirdPartyTransID": third_party,
        "MSISDN": masked(p.msisdn),
        "FirstName": "JOHN",
        "MiddleName": "",
        "LastName": ""
    })
}

/// The merchant's validation reply: `Some((code, third_party_trans_id))` when readable.
fn read_reply(status: Option<u16>, reply: &[u8]) -> Option<(String, String)> {
    if !status.is_some_and(|s| (200..300).contains(&s)) {
        return None;
    }
    let value: Value = serde_json::from_slice(reply).ok()?;
    let code = match value.get("ResultCode")? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let third = value
        .get("ThirdPartyTransID")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Some((code, third))
}

/// A customer pays `amount` KES to a registered shortcode (the latest registration when
/// `shortcode` is `None`): the ValidationURL is asked first (`ResultCode` `"0"` accepts,
/// a `C2B0001x` rejects; no readable answer applies the registered `ResponseType`), then an
/// accepted payment is confirmed to the ConfirmationURL. Each is POSTed once.
pub(crate) async fn customer_pays(
    state: &Arc<State>,
    shortcode: Option<&str>,
    amount: u64,
    msisdn: &str,
    bill_ref: &str,
) -> Result<MpesaC2bOutcome, SandboxError> {
    if !(1..=250_000).contains(&amount) {
        return Err(SandboxError::BadRequest(
            "amount must be 1 to 250000 whole shillings".into(),
        ));
    }
    if !wire::msisdn_ok(msisdn) {
        return Err(SandboxError::BadRequest(
            "msisdn must be 12 digits, 2547… or 2541…".into(),
        ));
    }
    if bill_ref.chars().count() > 20 {
        return Err(SandboxError::BadRequest(
            "bill_ref must be at most 20 characters".into(),
        ));
    }
    let registration = lock(&state.mpesa)
        .registration(shortcode)
        .cloned()
        .ok_or_else(|| {
            SandboxError::BadRequest(match shortcode {
                Some(code) => format!("no C2B URLs are registered for shortcode {code}"),
                None => "no C2B URLs are registered: register them first".into(),
            })
        })?;
    let trans_id = wire::receipt();
    let now = SystemTime::now();
    let time = wire::timestamp(now);
    let paid = Paid {
        trans_id: &trans_id,
        time: &time,
        amount,
        shortcode: &registration.shortcode,
        bill_ref,
        msisdn,
    };
    let validation = body(&paid, "", "");
    let (record, reply) = send(state, &trans_id, &registration.validation_url, validation).await;
    let (accepted, validation_result, third_party) = match read_reply(record.last_status, &reply) {
        Some((code, third)) => (code == "0", code, third),
        None => (
            registration.response_type == "Completed",
            String::new(),
            String::new(),
        ),
    };
    if !accepted {
        return Ok(MpesaC2bOutcome {
            trans_id,
            validation_result,
            completed: false,
        });
    }
    let balance = {
        let mut store = lock(&state.mpesa);
        store.utility_cents += amount as i64 * 100;
        store.transactions.push(Transaction {
            kind: Kind::C2b,
            receipt: trans_id.clone(),
            amount,
            msisdn: msisdn.to_string(),
            originator_conversation_id: String::new(),
            conversation_id: String::new(),
            at: now,
            reversed: false,
        });
        wire::cents_text(store.utility_cents)
    };
    let confirmation = body(&paid, &balance, &third_party);
    send(
        state,
        &trans_id,
        &registration.confirmation_url,
        confirmation,
    )
    .await;
    Ok(MpesaC2bOutcome {
        trans_id,
        validation_result,
        completed: true,
    })
}

async fn send(
    state: &State,
    trans_id: &str,
    url: &str,
    body: Json,
) -> (crate::delivery::DeliveryRecord, Bytes) {
    let url = match url::Url::parse(url) {
        Ok(url) => url,
        // Registered URLs were parsed already; an unparsable one cannot be reached.
        Err(_) => return (unreachable_record(trans_id, url), Bytes::new()),
    };
    delivery::deliver_once(
        state,
        Notification {
            provider: ProviderName::Mpesa,
            reference: trans_id.to_string(),
            url,
            method: Method::POST,
            body: Some(Bytes::from(body.to_text())),
            ack: Ack::Any2xx,
        },
    )
    .await
}

fn unreachable_record(trans_id: &str, url: &str) -> crate::delivery::DeliveryRecord {
    crate::delivery::DeliveryRecord {
        provider: ProviderName::Mpesa,
        reference: trans_id.to_string(),
        url: url.to_string(),
        method: "POST".into(),
        attempts: 0,
        acked: false,
        last_status: None,
        body: String::new(),
        refused: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_and_masks() {
        assert_eq!(masked("254708374149"), "2547 ***** 149");
        assert_eq!(
            read_reply(Some(200), br#"{"ResultCode":"0","ResultDesc":"Accepted"}"#),
            Some(("0".into(), String::new()))
        );
        assert_eq!(
            read_reply(Some(200), br#"{"ResultCode":0,"ThirdPartyTransID":"x1"}"#),
            Some(("0".into(), "x1".into()))
        );
        assert_eq!(
            read_reply(
                Some(200),
                br#"{"ResultCode":"C2B00012","ResultDesc":"Rejected"}"#
            ),
            Some(("C2B00012".into(), String::new()))
        );
        assert_eq!(read_reply(Some(500), br#"{"ResultCode":"0"}"#), None);
        assert_eq!(read_reply(None, b""), None);
        assert_eq!(read_reply(Some(200), b"OK"), None);
    }
}
