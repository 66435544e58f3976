//! M-Pesa Express: STK push, STK query, the simulated customer answering the prompt, and the
//! callback (POSTed once, never retried).

use std::sync::Arc;
use std::time::SystemTime;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bytes::Bytes;
use hyper::Method;
use serde_json::{Map, Value};

use super::store::{Kind, Stk, Transaction};
use super::{codes, wire};
use crate::credentials::{MPESA_EXPRESS_PASSKEY, MPESA_EXPRESS_SHORTCODE};
use crate::delivery::{self, Ack, Notification};
use crate::error::SandboxError;
use crate::http::{Reply, Req};
use crate::ids;
use crate::json::ojson;
use crate::route::ProviderName;
use crate::state::{lock, State};

/// Largest STK amount (KES).
const MAX_KES: u64 = 250_000;

/// Checks `BusinessShortCode`, `Timestamp` and `Password` (= base64(shortcode + passkey +
/// timestamp)), shared by the push and the query.
fn check_password(body: &Map<String, Value>) -> Result<(), Reply> {
    let shortcode = wire::required(body, "BusinessShortCode").unwrap_or_default();
    if shortcode != MPESA_EXPRESS_SHORTCODE {
        return Err(wire::invalid("BusinessShortCode"));
    }
    let timestamp = wire::required(body, "Timestamp").unwrap_or_default();
    if !wire::timestamp_ok(&timestamp) {
        return Err(wire::invalid("Timestamp"));
    }
    let expected = format!("{shortcode}{MPESA_EXPRESS_PASSKEY}{timestamp}");
    let given = wire::required(body, "Password")
        .and_then(|p| STANDARD.decode(p.trim()).ok())
        .unwrap_or_default();
    if given != expected.as_bytes() {
        // What Daraja answers to a password that does not match the shortcode and timestamp.
        return Err(wire::catch_all(500, "Wrong credentials"));
    }
    Ok(())
}

/// `POST /mpesa/stkpush/v1/processrequest`.
pub(crate) fn push(state: &Arc<State>, req: &Req) -> Reply {
    let Some(body) = req.json_object() else {
        return wire::invalid_payload();
    };
    if let Err(reply) = check_password(&body) {
        return reply;
    }
    let kind = wire::required(&body, "TransactionType").unwrap_or_default();
    if !matches!(
        kind.as_str(),
        "CustomerPayBillOnline" | "CustomerBuyGoodsOnline"
    ) {
        return wire::invalid("TransactionType");
    }
    let Some(amount) = wire::whole_shillings(body.get("Amount"), 1, MAX_KES) else {
        return wire::invalid("Amount");
    };
    let party_a = wire::required(&body, "PartyA").unwrap_or_default();
    if !wire::msisdn_ok(&party_a) {
        return wire::invalid("PartyA");
    }
    let party_b = wire::required(&body, "PartyB").unwrap_or_default();
    if !wire::shortcode_ok(&party_b)
        || (kind == "CustomerPayBillOnline" && party_b != MPESA_EXPRESS_SHORTCODE)
    {
        return wire::invalid("PartyB");
    }
    let phone = wire::required(&body, "PhoneNumber").unwrap_or_default();
    if !wire::msisdn_ok(&phone) {
        return wire::invalid("PhoneNumber");
    }
    let Some(callback) = wire::required(&body, "CallBackURL")
        .as_deref()
        .and_then(wire::callback_url)
    else {
        return wire::invalid("CallBackURL");
    };
    let reference = wire::required(&body, "AccountReference").unwrap_or_default();
    if reference.chars().count() > 12 || reference.is_empty() {
        return wire::invalid("AccountReference");
    }
    // A null or missing `TransactionDesc` is reported as `Remarks`, as Daraja does.
    let description = wire::required(&body, "TransactionDesc").unwrap_or_default();
    if description.is_empty() {
        return wire::invalid("Remarks");
    }
    if description.chars().count() > 13 {
        return wire::invalid("TransactionDesc");
    }
    let push = {
        let mut store = lock(&state.mpesa);
        let mut checkout = checkout_request_id(&phone);
        while store.has_push(&checkout) {
            checkout = checkout_request_id(&phone);
        }
        let push = Stk {
            checkout_request_id: checkout,
            merchant_request_id: wire::originator_id(),
            amount,
            phone,
            account_reference: reference,
            description,
            callback_url: callback.to_string(),
            result_code: None,
            pending_queries: 0,
        };
        store.add_push(push.clone());
        push
    };
    state.count_order(ProviderName::Mpesa);
    state.schedule_customer(ProviderName::Mpesa, push.checkout_request_id.clone());
    Reply::json(
        200,
        &ojson!({
            "MerchantRequestID": push.merchant_request_id,
            "CheckoutRequestID": push.checkout_request_id,
            "ResponseCode": "0",
            "ResponseDescription": "Success. Request accepted for processing",
            "CustomerMessage": "Success. Request accepted for processing"
        }),
    )
}

/// `ws_CO_<ddMMyyyyHHmmssSSS in Nairobi time><random digits><end of the MSISDN>`: opaque.
fn checkout_request_id(phone: &str) -> String {
    let d = wire::nairobi(SystemTime::now());
    let tail = &phone[phone.len().saturating_sub(3)..];
    format!(
        "ws_CO_{:02}{:02}{:04}{:02}{:02}{:02}{:03}{}{tail}",
        d.day(),
        u8::from(d.month()),
        d.year(),
        d.hour(),
        d.minute(),
        d.second(),
        d.millisecond(),
        ids::digits(7)
    )
}

/// `POST /mpesa/stkpushquery/v1/query`.
///
/// While the customer has not answered, the answers rotate through the three pending shapes
/// Daraja is seen to send, in this order per push: `ResultCode` `"4999"` (HTTP 200), then
/// `500.001.1001` with an empty message (HTTP 200), then `500.001.1001` "The transaction is
/// being processed" (HTTP 500), then again from the first.
pub(crate) fn query(state: &State, req: &Req) -> Reply {
    let Some(body) = req.json_object() else {
        return wire::invalid_payload();
    };
    if let Err(reply) = check_password(&body) {
        return reply;
    }
    let Some(checkout) = wire::required(&body, "CheckoutRequestID") else {
        return wire::invalid("CheckoutRequestID");
    };
    let mut store = lock(&state.mpesa);
    let Some(push) = store.push_mut(&checkout) else {
        return wire::catch_all(500, "The transaction does not Exist");
    };
    let (code, description) = match &push.result_code {
        Some(code) => (code.clone(), codes::query_description(code)),
        None => {
            let turn = push.pending_queries % 3;
            push.pending_queries += 1;
            match turn {
                0 => (
                    codes::STILL_PROCESSING.to_string(),
                    "The transaction is still under processing".to_string(),
                ),
                1 => return wire::error(200, "500.001.1001", ""),
                _ => {
                    return Reply::json(
                        500,
                        &ojson!({
                            "requestId": push.checkout_request_id,
                            "errorCode": "500.001.1001",
                            "errorMessage": "The transaction is being processed"
                        }),
                    )
                }
            }
        }
    };
    Reply::json(
        200,
        &ojson!({
            "ResponseCode": "0",
            "ResponseDescription": "The service request has been accepted successsfully",
            "MerchantRequestID": push.merchant_request_id,
            "CheckoutRequestID": push.checkout_request_id,
            "ResultCode": code,
            "ResultDesc": description
        }),
    )
}

/// The customer answers the prompt with `code` (`"0"` paid, `"1032"` cancelled, …); the
/// callback is POSTed once to `CallBackURL`.
pub(crate) async fn settle(
    state: &Arc<State>,
    checkout_request_id: &str,
    code: &str,
) -> Result<(), SandboxError> {
    codes::check_settle_code(code)?;
    let now = SystemTime::now();
    let (push, receipt) = {
        let mut store = lock(&state.mpesa);
        let push =
            store
                .push_mut(checkout_request_id)
                .ok_or_else(|| SandboxError::UnknownReference {
                    provider: ProviderName::Mpesa,
                    reference: checkout_request_id.to_string(),
                })?;
        if push.result_code.is_some() {
            return Err(SandboxError::AlreadySettled {
                provider: ProviderName::Mpesa,
                reference: checkout_request_id.to_string(),
            });
        }
        push.result_code = Some(code.to_string());
        let push = push.clone();
        let receipt = (code == "0").then(wire::receipt);
        if let Some(receipt) = &receipt {
            store.utility_cents += push.amount as i64 * 100;
            store.transactions.push(Transaction {
                kind: Kind::Stk,
                receipt: receipt.clone(),
                amount: push.amount,
                msisdn: push.phone.clone(),
                originator_conversation_id: push.merchant_request_id.clone(),
                conversation_id: push.checkout_request_id.clone(),
                at: now,
                reversed: false,
            });
        }
        (push, receipt)
    };
    let mut callback = ojson!({
        "MerchantRequestID": push.merchant_request_id,
        "CheckoutRequestID": push.checkout_request_id,
        "ResultCode": wire::code_number_or_text(code),
        "ResultDesc": codes::callback_description(code)
    });
    if let Some(receipt) = receipt {
        // Only a payment carries metadata; a failure has none at all.
        let phone = push
            .phone
            .parse::<u64>()
            .map(|n| crate::json::Json::Number(n.into()))
            .unwrap_or_else(|_| crate::json::Json::String(push.phone.clone()));
        let date = wire::timestamp(now).parse::<u64>().unwrap_or_default();
        callback.set(
            "CallbackMetadata",
            ojson!({"Item": [
                {"Name": "Amount", "Value": wire::amount_number(push.amount)},
                {"Name": "MpesaReceiptNumber", "Value": receipt},
                {"Name": "TransactionDate", "Value": date},
                {"Name": "PhoneNumber", "Value": phone}
            ]}),
        );
    }
    let body = ojson!({"Body": {"stkCallback": callback}});
    if let Ok(url) = url::Url::parse(&push.callback_url) {
        delivery::deliver_once(
            state,
            Notification {
                provider: ProviderName::Mpesa,
                reference: push.checkout_request_id.clone(),
                url,
                method: Method::POST,
                body: Some(Bytes::from(body.to_text())),
                ack: Ack::Any2xx,
            },
        )
        .await;
    }
    Ok(())
}
