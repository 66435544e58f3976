//! Collections: USSD push and card (preview + initiate), payment queries, webhooks.

use std::sync::Arc;
use std::time::SystemTime;

use serde_json::{json, Map, Value};

use super::store::Payment;
use super::wire;
use crate::config::Outcome;
use crate::credentials::CLICKPESA_CLIENT_ID;
use crate::error::SandboxError;
use crate::http::{Reply, Req};
use crate::ids;
use crate::route::ProviderName;
use crate::state::{lock, State};

fn text<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

/// Collection amounts are strings on the wire; a number is refused.
fn string_amount(body: &Map<String, Value>, key: &str) -> Result<f64, Reply> {
    match body.get(key) {
        Some(Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|a| a.is_finite() && *a > 0.0)
            .ok_or_else(|| wire::message(400, "Invalid amount")),
        Some(Value::Number(_)) => Err(wire::message(400, "amount must be a string")),
        _ => Err(wire::message(400, "Amount is required")),
    }
}

/// Common checks of the four collection endpoints: body, amount, reference (format and reuse).
fn common(
    state: &State,
    req: &Req,
    currency: &str,
) -> Result<(Map<String, Value>, f64, String), Reply> {
    let Some(body) = req.json_object() else {
        return Err(wire::message(400, "Invalid request body"));
    };
    let amount = string_amount(&body, "amount")?;
    if text(&body, "currency") != Some(currency) {
        return Err(wire::message(
            400,
            &format!("Invalid currency, only {currency} is supported"),
        ));
    }
    let reference = text(&body, "orderReference")
        .unwrap_or_default()
        .to_string();
    if !wire::reference_ok(&reference) {
        return Err(wire::invalid_reference());
    }
    if lock(&state.clickpesa).used_references.contains(&reference) {
        return Err(wire::reference_used(&reference));
    }
    Ok((body, amount, reference))
}

fn fee(amount: f64) -> Value {
    json!(((amount * 0.01).ceil()) as i64)
}

/// `POST /payments/preview-ussd-push-request`.
pub(crate) fn ussd_preview(state: &State, req: &Req) -> Reply {
    let (body, amount, _) = match common(state, req, "TZS") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let phone = text(&body, "phoneNumber");
    let channel = match phone {
        Some(p) => match wire::channel_for_phone(p) {
            Some(c) => Some(c),
            None => return wire::message(400, "Invalid / unsupported phone number"),
        },
        None => None,
    };
    let methods: Vec<Value> = ["M-PESA", "TIGO-PESA", "AIRTEL-MONEY", "HALOPESA"]
        .iter()
        .map(|name| {
            let available = channel.is_none_or(|c| c == *name);
            json!({
                "name": name,
                "status": if available { "AVAILABLE" } else { "UNAVAILABLE" },
                "fee": fee(amount),
                "message": if available { "Available" } else { "Not available for this phone number" }
            })
        })
        .collect();
    let mut out = json!({ "activeMethods": methods });
    if body.get("fetchSenderDetails").and_then(Value::as_bool) == Some(true) {
        if let (Some(p), Some(c)) = (phone, channel) {
            out["sender"] = json!({"accountName": "Sandbox Customer", "accountNumber": p, "accountProvider": c});
        }
    }
    Reply::json(200, &out)
}

fn new_payment(
    reference: &str,
    amount: f64,
    currency: &str,
    channel: &str,
    status: &'static str,
) -> Payment {
    let now = SystemTime::now();
    Payment {
        id: format!("{reference}LCP{}", ids::upper_alnum(4)),
        order_reference: reference.to_string(),
        amount,
        currency: currency.to_string(),
        channel: channel.to_string(),
        phone: None,
        customer_name: None,
        customer_email: None,
        status,
        payment_reference: String::new(),
        created: now,
        updated: now,
    }
}

/// Records an accepted payment, counts it and hands it to the simulated customer.
fn accept(state: &Arc<State>, payment: Payment, counted: bool) {
    let reference = payment.order_reference.clone();
    {
        let mut store = lock(&state.clickpesa);
        store.used_references.insert(reference.clone());
        store.payments.push(payment);
    }
    if counted {
        state.count_order(ProviderName::Clickpesa);
    }
    state.schedule_customer(ProviderName::Clickpesa, reference);
}

/// `POST /payments/initiate-ussd-push-request`.
pub(crate) fn ussd_initiate(state: &Arc<State>, req: &Req) -> Reply {
    let (body, amount, reference) = match common(state, req, "TZS") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let phone = text(&body, "phoneNumber").unwrap_or_default();
    let Some(channel) = wire::channel_for_phone(phone) else {
        return wire::message(400, "Invalid / unsupported phone number");
    };
    let mut payment = new_payment(&reference, amount, "TZS", channel, "PROCESSING");
    payment.phone = Some(phone.to_string());
    payment.customer_name = Some("Sandbox Customer".to_string());
    let out = json!({
        "id": payment.id,
        "status": payment.status,
        "channel": channel,
        "orderReference": reference,
        "collectedAmount": wire::amount_string(amount),
        "collectedCurrency": "TZS",
        "createdAt": ids::iso_millis(payment.created),
        "clientId": CLICKPESA_CLIENT_ID
    });
    accept(state, payment, true);
    Reply::json(200, &out)
}

/// `POST /payments/preview-card-payment`.
pub(crate) fn card_preview(state: &State, req: &Req) -> Reply {
    match common(state, req, "USD") {
        Ok((_, amount, _)) => Reply::json(
            200,
            &json!({"activeMethods": [{"name": "CARD", "status": "AVAILABLE", "fee": fee(amount)}]}),
        ),
        Err(r) => r,
    }
}

/// `POST /payments/initiate-card-payment`.
pub(crate) fn card_initiate(state: &Arc<State>, req: &Req) -> Reply {
    let (body, amount, reference) = match common(state, req, "USD") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(customer) = body.get("customer").and_then(Value::as_object) else {
        return wire::message(400, "Customer details are required");
    };
    let mut payment = new_payment(&reference, amount, "USD", "CARD", "PENDING");
    if text(customer, "id").is_none_or(str::is_empty) {
        let (Some(name), Some(email), Some(phone)) = (
            text(customer, "fullName").filter(|s| !s.is_empty()),
            text(customer, "email").filter(|s| !s.is_empty()),
            text(customer, "phoneNumber").filter(|s| !s.is_empty()),
        ) else {
            return wire::message(400, "Customer fullName, email and phoneNumber are required");
        };
        payment.customer_name = Some(name.to_string());
        payment.customer_email = Some(email.to_string());
        payment.phone = Some(phone.to_string());
    }
    let link = format!("{}/clickpesa/pay/card/{}", state.origin(), payment.id);
    accept(state, payment, true);
    Reply::json(
        200,
        &json!({"cardPaymentLink": link, "clientId": CLICKPESA_CLIENT_ID}),
    )
}

/// A payment as the query endpoints show it; `string_amount` for `/payments/all`.
fn payment_json(p: &Payment, string_amount: bool) -> Value {
    let mut v = json!({
        "id": p.id,
        "status": p.status,
        "orderReference": p.order_reference,
        "collectedAmount": if string_amount { json!(wire::amount_string(p.amount)) } else { wire::num(p.amount) },
        "collectedCurrency": p.currency,
        "createdAt": ids::iso_millis(p.created),
        "updatedAt": ids::iso_millis(p.updated),
        "clientId": CLICKPESA_CLIENT_ID
    });
    if !p.payment_reference.is_empty() {
        v["paymentReference"] = json!(p.payment_reference);
    }
    match p.status {
        "SUCCESS" | "SETTLED" => v["message"] = json!("Payment received successfully."),
        "FAILED" => v["message"] = json!("Insufficient balance"),
        _ => {}
    }
    if p.channel != "CARD" {
        if let Some(phone) = &p.phone {
            v["paymentPhoneNumber"] = json!(phone);
        }
    }
    if let Some(name) = &p.customer_name {
        let mut c = json!({"customerName": name});
        if let Some(phone) = &p.phone {
            c["customerPhoneNumber"] = json!(phone);
        }
        if let Some(email) = &p.customer_email {
            c["customerEmail"] = json!(email);
        }
        v["customer"] = c;
    }
    v
}

/// `GET /payments/{orderReference}`: an array of attempts.
pub(crate) fn status(state: &State, req: &Req) -> Reply {
    let reference = req
        .path
        .trim_end_matches('/')
        .trim_start_matches("/payments/");
    let store = lock(&state.clickpesa);
    let list: Vec<Value> = store
        .payments
        .iter()
        .filter(|p| p.order_reference == reference)
        .map(|p| payment_json(p, false))
        .collect();
    if list.is_empty() {
        return wire::message(404, &format!("Invalid or missing payment: {reference}"));
    }
    Reply::json(200, &Value::Array(list))
}

/// `GET /payments/all` with the documented filters and pagination.
pub(crate) fn all(state: &State, req: &Req) -> Reply {
    let store = lock(&state.clickpesa);
    let status = req.query_param("status");
    let reference = req.query_param("orderReference");
    let currency = req
        .query_param("collectedCurrency")
        .or(req.query_param("currency"));
    let channel = req.query_param("channel");
    let mut rows: Vec<&Payment> = store
        .payments
        .iter()
        .filter(|p| status.is_none_or(|s| s == p.status))
        .filter(|p| reference.is_none_or(|r| r == p.order_reference))
        .filter(|p| currency.is_none_or(|c| c == p.currency))
        .filter(|p| channel.is_none_or(|c| c == p.channel))
        .collect();
    rows.sort_by_key(|p| p.created);
    if req
        .query_param("orderBy")
        .is_none_or(|o| !o.eq_ignore_ascii_case("ASC"))
    {
        rows.reverse();
    }
    let skip = req
        .query_param("skip")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0usize);
    let limit = req
        .query_param("limit")
        .and_then(|s| s.parse().ok())
        .unwrap_or(20usize);
    let total = rows.len();
    let data: Vec<Value> = rows
        .into_iter()
        .skip(skip)
        .take(limit)
        .map(|p| payment_json(p, true))
        .collect();
    Reply::json(200, &json!({"data": data, "totalCount": total}))
}

/// The customer pays or fails; ClickPesa sends PAYMENT RECEIVED / PAYMENT FAILED.
pub(crate) async fn settle(
    state: &Arc<State>,
    reference: &str,
    outcome: Outcome,
) -> Result<(), SandboxError> {
    let payment = {
        let mut store = lock(&state.clickpesa);
        let Some(p) = store
            .payments
            .iter_mut()
            .rev()
            .find(|p| p.order_reference == reference)
        else {
            return Err(SandboxError::UnknownReference {
                provider: ProviderName::Clickpesa,
                reference: reference.to_string(),
            });
        };
        if !p.open() {
            return Err(SandboxError::AlreadySettled {
                provider: ProviderName::Clickpesa,
                reference: reference.to_string(),
            });
        }
        p.updated = SystemTime::now();
        match outcome {
            Outcome::Complete => {
                p.status = "SUCCESS";
                p.payment_reference = format!("SBX{}.{}", ids::upper_alnum(8), ids::digits(4));
            }
            Outcome::Fail => p.status = "FAILED",
        }
        let p = p.clone();
        if outcome == Outcome::Complete {
            *store.balances.entry(p.currency.clone()).or_insert(0.0) += p.amount;
        }
        p
    };
    let (event, data) = match outcome {
        Outcome::Complete => {
            let mut customer = json!({"customerName": payment.customer_name.clone().unwrap_or_else(|| "Sandbox Customer".into())});
            if let Some(phone) = &payment.phone {
                customer["customerPhoneNumber"] = json!(phone);
            }
            if let Some(email) = &payment.customer_email {
                customer["customerEmail"] = json!(email);
            }
            (
                "PAYMENT RECEIVED",
                json!({
                    "id": payment.id,
                    "status": "SUCCESS",
                    "paymentReference": payment.payment_reference,
                    "orderReference": payment.order_reference,
                    "collectedAmount": wire::amount_string(payment.amount),
                    "collectedCurrency": payment.currency,
                    "message": "success",
                    "channel": payment.channel,
                    "createdAt": ids::iso_millis(payment.created),
                    "updatedAt": ids::iso_millis(payment.updated),
                    "customer": customer,
                    "clientId": CLICKPESA_CLIENT_ID
                }),
            )
        }
        Outcome::Fail => (
            "PAYMENT FAILED",
            json!({
                "id": payment.id,
                "status": "FAILED",
                "orderReference": payment.order_reference,
                "message": "Insufficient balance",
                "channel": payment.channel,
                "createdAt": ids::iso_millis(payment.created),
                "updatedAt": ids::iso_millis(payment.updated),
                "clientId": CLICKPESA_CLIENT_ID
            }),
        ),
    };
    super::send_webhook(state, reference, event, data).await;
    Ok(())
}
