//! Disbursement (payouts), name lookup and disbursement status, plus the unsigned
//! disbursement callback.

use std::sync::Arc;
use std::time::SystemTime;

use crate::json::ojson;
use bytes::Bytes;
use hyper::Method;
use serde_json::Value;

use super::store::{Disbursement, TxState};
use crate::config::Outcome;
use crate::delivery::{self, Ack, Notification};
use crate::error::SandboxError;
use crate::http::{Reply, Req};
use crate::ids;
use crate::route::ProviderName;
use crate::state::{lock, State};

fn operator_for(bank: &str) -> Option<&'static str> {
    match bank.to_ascii_lowercase().as_str() {
        "tigo" => Some("Tigo"),
        "airtel" => Some("Airtel"),
        "azampesa" => Some("Azampesa"),
        _ => None,
    }
}

fn invalid(message: &str) -> Reply {
    // The documented 400 example carries `success: true` and `status` (sic).
    Reply::json(
        400,
        &ojson!({"success": true, "pgReferenceId": null, "message": message, "status": 400}),
    )
}

/// `POST /api/v1/azampay/disburse`.
pub(crate) fn disburse(state: &Arc<State>, req: &Req) -> Reply {
    let Some(body) = req.json_object() else {
        return invalid("Invalid request body.");
    };
    let source = body.get("source").and_then(Value::as_object);
    let destination = body.get("destination").and_then(Value::as_object);
    let details = body.get("transferDetails").and_then(Value::as_object);
    let (Some(source), Some(destination), Some(details)) = (source, destination, details) else {
        return invalid("Invalid request body.");
    };
    let bank = |o: &serde_json::Map<String, Value>| {
        o.get("bankName")
            .and_then(Value::as_str)
            .and_then(operator_for)
    };
    let (Some(_), Some(operator)) = (bank(source), bank(destination)) else {
        return invalid("Invalid BankName.");
    };
    let amount = match details.get("amount") {
        Some(Value::Number(n)) if n.as_f64().is_some_and(|a| a > 0.0) => n.to_string(),
        Some(Value::String(s)) if s.parse::<f64>().is_ok_and(|a| a > 0.0) => s.clone(),
        _ => return invalid("Invalid Amount."),
    };
    if let Some(epoch) = details.get("dateInEpoch").and_then(Value::as_i64) {
        let now = ids::epoch_secs(SystemTime::now());
        if (now - epoch).abs() > 3600 {
            return Reply::json(
                402,
                &ojson!({"success": true, "pgReferenceId": null, "message": "Request expired", "status": 400}),
            );
        }
    }
    let external = body
        .get("externalReferenceId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if external.is_empty() || external.len() > 30 {
        return invalid("Invalid ExternalReferenceId.");
    }
    let pg_reference_id = ids::hex32();
    {
        let mut store = lock(&state.azampay);
        if store
            .disbursements
            .iter()
            .any(|d| d.external_reference_id == external)
        {
            return Reply::json(
                403,
                &ojson!({"pgReferenceId": null, "message": "Duplicate External Reference Id", "success": false, "statusCode": 400}),
            );
        }
        store.disbursements.push(Disbursement {
            pg_reference_id: pg_reference_id.clone(),
            external_reference_id: external.to_string(),
            amount,
            operator: operator.to_string(),
            additional: body
                .get("additionalProperties")
                .cloned()
                .unwrap_or(Value::Null),
            state: TxState::Pending,
        });
    }
    state.count_order(ProviderName::Azampay);
    state.schedule_customer(ProviderName::Azampay, pg_reference_id.clone());
    Reply::json(
        200,
        &ojson!({"pgReferenceId": pg_reference_id, "message": "Your transaction is in process", "success": true, "statusCode": 200}),
    )
}

/// `POST /api/v1/azampay/namelookup`.
pub(crate) fn name_lookup(req: &Req) -> Reply {
    let body = req.json_object().unwrap_or_default();
    let bank = body
        .get("bankName")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let account = body
        .get("accountNumber")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if bank.is_empty() || account.is_empty() || !account.chars().all(|c| c.is_ascii_digit()) {
        return Reply::json(
            400,
            &ojson!({"fname": null, "lname": null, "name": null, "message": "Invalid bankName or accountNumber",
                    "status": false, "statusCode": 400, "accountNumber": account, "bankName": bank}),
        );
    }
    Reply::json(
        200,
        &ojson!({"fname": "Sandbox", "lname": "Customer", "name": "Sandbox Customer",
                "message": "Name lookup successful", "status": true, "statusCode": 200,
                "accountNumber": account, "bankName": bank}),
    )
}

/// `GET /api/v1/azampay/transactionstatus?pgReferenceId=…&bankName=…`.
pub(crate) fn status(state: &State, req: &Req) -> Reply {
    let id = req.query_param("pgReferenceId").unwrap_or_default();
    let mut store = lock(&state.azampay);
    match store.find_disbursement(id).filter(|_| !id.is_empty()) {
        Some(d) => {
            let data = match d.state {
                TxState::Pending => "Transaction pending.",
                TxState::Success => "Transaction successful.",
                TxState::Failure => "Transaction failed.",
            };
            Reply::json(
                200,
                &ojson!({"data": data, "message": "Transaction Status successfuly fetch", "success": true, "statusCode": 200}),
            )
        }
        // Documented under HTTP 402 with a body `statusCode` of 404.
        None => Reply::json(
            402,
            &ojson!({"data": null, "message": "Transaction not found", "success": false, "statusCode": 404}),
        ),
    }
}

/// Completes or fails a disbursement and POSTs the (unsigned) disbursement callback.
pub(crate) async fn settle(
    state: &Arc<State>,
    reference: &str,
    outcome: Outcome,
) -> Result<(), SandboxError> {
    let d = {
        let mut store = lock(&state.azampay);
        let d =
            store
                .find_disbursement(reference)
                .ok_or_else(|| SandboxError::UnknownReference {
                    provider: ProviderName::Azampay,
                    reference: reference.to_string(),
                })?;
        if d.state != TxState::Pending {
            return Err(SandboxError::AlreadySettled {
                provider: ProviderName::Azampay,
                reference: reference.to_string(),
            });
        }
        d.state = match outcome {
            Outcome::Complete => TxState::Success,
            Outcome::Fail => TxState::Failure,
        };
        d.clone()
    };
    let Some(url) = lock(&state.azampay_callback_url).clone() else {
        return Ok(());
    };
    let body = ojson!({
        "pgReferenceId": d.pg_reference_id,
        "initiatorReferenceId": d.external_reference_id,
        "fspReferenceId": format!("FSP-{}", ids::upper_alnum(10)),
        "amount": d.amount,
        "status": d.state.word(),
        "message": if d.state == TxState::Success { "Transaction successful" } else { "Transaction failed" },
        "operator": d.operator,
        "additionalProperties": d.additional,
    });
    delivery::deliver(
        state,
        Notification {
            provider: ProviderName::Azampay,
            reference: d.external_reference_id.clone(),
            url,
            method: Method::POST,
            body: Some(Bytes::from(body.to_text())),
            ack: Ack::Any2xx,
        },
    )
    .await;
    Ok(())
}
