//! Collections: USSD push and card (preview + initiate), payment queries, webhooks.

use std::sync::Arc;
use std::time::SystemTime;

use crate::json::{ojson, Json};
use serde_json::{Map, Value};

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

fn fee(amount: f64) -> Json {
    ojson!(((amount * 0.01).ceil()) as i64)
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
    let methods: Vec<Json> = ["M-PESA", "TIGO-PESA", "AIRTEL-MONEY", "HALOPESA"]
        .iter()
        .map(|name| {
            let available = channel.is_none_or(|c| c == *name);
            ojson!({
                "name": name,
                "status": if available { "AVAILABLE" } else { "UNAVAILABLE" },
                "fee": fee(amount),
                "message": if available { "Available" } else { "Not available for this phone number" }
            })
        })
        .collect();
    let mut out = ojson!({ "activeMethods": methods });
    if body.get("fetchSenderDetails").and_then(Value::as_bool) == Some(true) {
        if let (Some(p), Some(c)) = (phone, channel) {
            out.set(
                "sender",
                ojson!({"accountName": "Sandbox Customer", "accountNumber": p, "accountProvider": c}),
            );
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
        description: None,
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
        store.add_payment(payment);
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
    let out = ojson!({
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
            &ojson!({"activeMethods": [{"name": "CARD", "status": "AVAILABLE", "fee": fee(amount)}]}),
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
        &ojson!({"cardPaymentLink": link, "clientId": CLICKPESA_CLIENT_ID}),
    )
}

/// A payment as the query endpoints show it, keys in the documented order;
/// `listed` for `/payments/all` (string amount, `createdAt` before `updatedAt`).
fn payment_json(p: &Payment, listed: bool) -> Json {
    let mut v = ojson!({"id": p.id, "status": p.status});
    if !p.payment_reference.is_empty() {
        v.set("paymentReference", &p.payment_reference);
    }
    if p.channel != "CARD" {
        if let Some(phone) = &p.phone {
            v.set("paymentPhoneNumber", phone);
        }
    }
    v.set("orderReference", &p.order_reference);
    if listed {
        v.set("collectedAmount", wire::amount_string(p.amount));
    } else {
        v.set("collectedAmount", wire::num(p.amount));
    }
    v.set("collectedCurrency", &p.currency);
    match p.status {
        "SUCCESS" | "SETTLED" => v.set("message", "Payment received successfully."),
        "FAILED" => v.set("message", "Insufficient balance"),
        _ => {}
    }
    let (created, updated) = (ids::iso_millis(p.created), ids::iso_millis(p.updated));
    if listed {
        v.set("createdAt", created);
        v.set("updatedAt", updated);
    } else {
        v.set("updatedAt", updated);
        v.set("createdAt", created);
    }
    if let Some(name) = &p.customer_name {
        let mut c = ojson!({"customerName": name});
        if let Some(phone) = &p.phone {
            c.set("customerPhoneNumber", phone);
        }
        if let Some(email) = &p.customer_email {
            c.set("customerEmail", email);
        }
        v.set("customer", c);
    }
    v.set("clientId", CLICKPESA_CLIENT_ID);
    v
}

/// `GET /payments/{orderReference}`: an array of attempts.
pub(crate) fn status(state: &State, req: &Req) -> Reply {
    let reference = req
        .path
        .trim_end_matches('/')
        .trim_start_matches("/payments/");
    let store = lock(&state.clickpesa);
    let list: Vec<Json> = store
        .payments_for(reference)
        .map(|p| payment_json(p, false))
        .collect();
    if list.is_empty() {
        return wire::message(404, &format!("Invalid or missing payment: {reference}"));
    }
    Reply::json(200, &list)
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
        .payments()
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
    let data: Vec<Json> = rows
        .into_iter()
        .skip(skip)
        .take(limit)
        .map(|p| payment_json(p, true))
        .collect();
    Reply::json(200, &ojson!({"data": data, "totalCount": total}))
}

/// The customer pays or fails; ClickPesa sends PAYMENT RECEIVED / PAYMENT FAILED.
pub(crate) async fn settle(
    state: &Arc<State>,
    reference: &str,
    outcome: Outcome,
) -> Result<(), SandboxError> {
    let payment = {
        let mut store = lock(&state.clickpesa);
        let Some(p) = store.latest_payment_mut(reference) else {
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
            let mut customer = ojson!({"customerName": payment.customer_name.clone().unwrap_or_else(|| "Sandbox Customer".into())});
            // The webhook lists the e-mail before the phone number (the query endpoint
            // does it the other way round).
            if let Some(email) = &payment.customer_email {
                customer.set("customerEmail", email);
            }
            if let Some(phone) = &payment.phone {
                customer.set("customerPhoneNumber", phone);
            }
            (
                "PAYMENT RECEIVED",
                ojson!({
                    "id": payment.id,
                    "status": "SUCCESS",
                    "paymentReference": payment.payment_reference,
                    "orderReference": payment.order_reference,
                    "collectedAmount": wire::amount_string(payment.amount),
                    "collectedCurrency": payment.currency,
                    "message": "success",
                    "channel": payment.channel,
                    "updatedAt": ids::iso_millis(payment.updated),
                    "createdAt": ids::iso_millis(payment.created),
                    "customer": customer
                }),
            )
        }
        Outcome::Fail => (
            "PAYMENT FAILED",
            ojson!({
                "id": payment.id,
                "status": "FAILED",
                "orderReference": payment.order_reference,
                "message": "Insufficient balance",
                "channel": payment.channel,
                "updatedAt": ids::iso_millis(payment.updated),
                "createdAt": ids::iso_millis(payment.created)
            }),
        ),
    };
    super::send_webhook(state, reference, event, data).await;
    Ok(())
}
