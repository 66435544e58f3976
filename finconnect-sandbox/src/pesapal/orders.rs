//! Orders: SubmitOrderRequest, GetTransactionStatus, RefundRequest, CancelOrder, and what
//! happens when the simulated customer acts (IPN delivery).

use std::sync::Arc;
use std::time::SystemTime;

use crate::json::{ojson, Json};
use bytes::Bytes;
use hyper::Method;
use serde_json::{Map, Value};

use super::store::{IpnMethod, Order, OrderState};
use super::wire;
use crate::config::Outcome;
use crate::delivery::{self, Ack, Notification};
use crate::error::SandboxError;
use crate::http::{Reply, Req};
use crate::ids;
use crate::route::ProviderName;
use crate::state::{lock, State};

fn text<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

/// A positive amount with at most two decimals, from a JSON number or numeric string.
fn amount(v: Option<&Value>) -> Option<f64> {
    let a = match v? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (a.is_finite() && a > 0.0 && ((a * 100.0).round() - a * 100.0).abs() < 1e-6).then_some(a)
}

pub(crate) fn submit(state: &Arc<State>, req: &Req) -> Reply {
    let bad = || {
        wire::submit_error(
            "invalid_request_error",
            "invalid_api_request_parameters",
            "",
        )
    };
    let Some(body) = req.json_object() else {
        return bad();
    };
    let id = text(&body, "id").unwrap_or_default();
    let currency = text(&body, "currency").unwrap_or_default();
    let description = text(&body, "description").unwrap_or_default();
    let callback_url = text(&body, "callback_url").unwrap_or_default();
    let notification_id = text(&body, "notification_id").unwrap_or_default();
    let Some(amount) = amount(body.get("amount")) else {
        return bad();
    };
    let billing = body.get("billing_address").and_then(Value::as_object);
    let has_contact = billing.is_some_and(|b| {
        ["email_address", "phone_number"].iter().any(|k| {
            b.get(*k)
                .and_then(Value::as_str)
                .is_some_and(|s| !s.trim().is_empty())
        })
    });
    let currency_ok = currency.len() == 3 && currency.chars().all(|c| c.is_ascii_uppercase());
    if id.is_empty()
        || id.chars().count() > 50
        || description.is_empty()
        || description.chars().count() > 100
        || !currency_ok
        || url::Url::parse(callback_url).is_err()
        || !has_contact
    {
        return bad();
    }
    let mut store = lock(&state.pesapal);
    if notification_id.is_empty() || store.ipn(notification_id).is_none() {
        return wire::submit_error("api_error", "InvalidIpnId", "");
    }
    // A merchant reference is single-use: the same order submitted again (same amount and
    // currency) gets the existing tracking id back; anything else with that id is refused.
    if let Some(existing) = store.order_by_reference(id) {
        if existing.amount == amount && existing.currency == currency {
            let existing = existing.clone();
            drop(store);
            return Reply::json(200, &submit_ok(state, &existing));
        }
        return wire::submit_error(
            "api_error",
            "duplicate_order_reference",
            "An order with this merchant reference already exists",
        );
    }
    let order = Order {
        tracking_id: ids::guid(),
        merchant_reference: id.to_string(),
        amount,
        currency: currency.to_string(),
        description: description.to_string(),
        callback_url: callback_url.to_string(),
        cancellation_url: text(&body, "cancellation_url")
            .unwrap_or_default()
            .to_string(),
        notification_id: notification_id.to_string(),
        account_number: text(&body, "account_number")
            .unwrap_or_default()
            .to_string(),
        created: SystemTime::now(),
        state: OrderState::Pending,
        confirmation_code: String::new(),
        payment_method: String::new(),
        payment_account: String::new(),
        refund_requested: false,
    };
    store.add_order(order.clone());
    drop(store);
    state.count_order(ProviderName::Pesapal);
    state.schedule_customer(ProviderName::Pesapal, order.tracking_id.clone());
    Reply::json(200, &submit_ok(state, &order))
}

fn submit_ok(state: &State, order: &Order) -> Json {
    ojson!({
        "order_tracking_id": order.tracking_id,
        "merchant_reference": order.merchant_reference,
        "redirect_url": format!(
            "{}{}?OrderTrackingId={}",
            state.origin(),
            crate::checkout::PESAPAL_PAGE,
            order.tracking_id
        ),
        "error": null,
        "status": "200"
    })
}

/// The merchant's callback URL with the two ids appended, as GetTransactionStatus echoes it.
fn call_back_url(order: &Order) -> String {
    match url::Url::parse(&order.callback_url) {
        Ok(mut u) => {
            u.query_pairs_mut()
                .append_pair("OrderTrackingId", &order.tracking_id)
                .append_pair("OrderMerchantReference", &order.merchant_reference);
            u.to_string()
        }
        Err(_) => order.callback_url.clone(),
    }
}

fn status_json(order: &Order) -> Json {
    let cb = call_back_url(order);
    let (code, description_word, description, status, error) = match order.state {
        OrderState::Pending => (
            0,
            "INVALID",
            Json::Null,
            "500",
            ojson!({"error_type": "api_error", "code": "payment_details_not_found", "message": "Pending Payment", "call_back_url": cb}),
        ),
        OrderState::Completed => (
            1,
            "Completed",
            ojson!("Transaction successfully processed."),
            "200",
            Json::Null,
        ),
        OrderState::Failed => (
            2,
            "Failed",
            ojson!("Unable to Authorize Transaction.Kindly contact your bank for assistance"),
            "200",
            Json::Null,
        ),
        OrderState::Cancelled => (
            2,
            "Failed",
            ojson!("Order cancelled by merchant."),
            "200",
            Json::Null,
        ),
    };
    let error = if error.is_null() {
        ojson!({"error_type": null, "code": null, "message": null, "call_back_url": null})
    } else {
        error
    };
    ojson!({
        "payment_method": order.payment_method,
        "amount": order.amount,
        "created_date": ids::pesapal_local(order.created),
        "confirmation_code": order.confirmation_code,
        "order_tracking_id": order.tracking_id,
        "payment_status_description": description_word,
        "description": description,
        "message": "Request processed successfully",
        "payment_account": order.payment_account,
        "call_back_url": cb,
        "status_code": code,
        "merchant_reference": order.merchant_reference,
        "account_number": order.account_number,
        "payment_status_code": if order.state == OrderState::Cancelled { "order_cancelled" } else { "" },
        "currency": order.currency,
        "error": error,
        "status": status
    })
}

pub(crate) fn status(state: &State, req: &Req) -> Reply {
    let Some(id) = req.query_param("orderTrackingId").filter(|s| !s.is_empty()) else {
        return wire::invalid_params("");
    };
    let mut store = lock(&state.pesapal);
    match store.find_order(id) {
        Some(order) if order.tracking_id.eq_ignore_ascii_case(id) => {
            Reply::json(200, &status_json(order))
        }
        _ => Reply::json(
            200,
            &ojson!({
                "payment_method": "", "amount": 0, "created_date": "", "confirmation_code": "",
                "order_tracking_id": id, "payment_status_description": "INVALID", "description": null,
                "message": "Request processed successfully", "payment_account": "", "call_back_url": "",
                "status_code": 0, "merchant_reference": "", "account_number": "", "payment_status_code": "",
                "currency": "",
                "error": {"error_type": "api_error", "code": "invalid_order_tracking_id",
                          "message": "Invalid order tracking Id", "call_back_url": null},
                "status": "500"
            }),
        ),
    }
}

pub(crate) fn refund(state: &State, req: &Req) -> Reply {
    let Some(body) = req.json_object() else {
        return wire::invalid_params("Invalid API request.");
    };
    let code = text(&body, "confirmation_code").unwrap_or_default();
    let username = text(&body, "username").unwrap_or_default();
    let remarks = text(&body, "remarks").unwrap_or_default();
    if code.is_empty() || username.is_empty() || remarks.is_empty() || body.get("amount").is_none()
    {
        return wire::invalid_params("Invalid API request.");
    }
    let requested = amount(body.get("amount"));
    let mut store = lock(&state.pesapal);
    let Some(order) = store
        .orders
        .iter_mut()
        .find(|o| !o.confirmation_code.is_empty() && o.confirmation_code == code)
    else {
        return wire::business_failure(
            "Invalid confirmation code provided. Please check your transaction details",
        );
    };
    if order.refund_requested {
        return wire::business_failure("Refund request has been received already");
    }
    match requested {
        Some(a) if order.state == OrderState::Completed && a <= order.amount + 1e-9 => {
            order.refund_requested = true;
            Reply::json(
                200,
                &ojson!({"status": "200", "message": "Refund request successfully"}),
            )
        }
        _ => {
            wire::business_failure("Invalid amount provided. Please check your transaction details")
        }
    }
}

pub(crate) fn cancel(state: &State, req: &Req) -> Reply {
    let Some(id) = req.json_object().and_then(|b| {
        b.get("order_tracking_id")
            .and_then(Value::as_str)
            .map(str::to_string)
    }) else {
        return wire::invalid_params("");
    };
    let mut store = lock(&state.pesapal);
    match store.find_order(&id) {
        Some(order)
            if order.state == OrderState::Pending
                && order.tracking_id.eq_ignore_ascii_case(&id) =>
        {
            order.state = OrderState::Cancelled;
            Reply::json(
                200,
                &ojson!({"status": "200", "message": "Order successfully cancelled."}),
            )
        }
        _ => wire::business_failure("Invalid order request. Transaction cannot be cancelled"),
    }
}

/// The customer pays or fails; PesaPal then sends the IPN to the order's registered URL.
pub(crate) async fn settle(
    state: &Arc<State>,
    reference: &str,
    outcome: Outcome,
) -> Result<(), SandboxError> {
    let notification = {
        let mut store = lock(&state.pesapal);
        let order = store
            .find_order(reference)
            .ok_or_else(|| SandboxError::UnknownReference {
                provider: ProviderName::Pesapal,
                reference: reference.to_string(),
            })?;
        if order.state != OrderState::Pending {
            return Err(SandboxError::AlreadySettled {
                provider: ProviderName::Pesapal,
                reference: reference.to_string(),
            });
        }
        order.state = match outcome {
            Outcome::Complete => OrderState::Completed,
            Outcome::Fail => OrderState::Failed,
        };
        order.payment_method = "Visa".to_string();
        order.payment_account = "476173XXXXXX0010".to_string();
        order.confirmation_code = ids::digits(22);
        let order = order.clone();
        let ipn = store.ipn(&order.notification_id).cloned();
        ipn.and_then(|ipn| ipn_notification(&order, ipn.method, &ipn.url))
    };
    if let Some(n) = notification {
        delivery::deliver(state, n).await;
    }
    Ok(())
}

fn ipn_notification(order: &Order, method: IpnMethod, raw_url: &str) -> Option<Notification> {
    let mut url = url::Url::parse(raw_url).ok()?;
    let (method, body) = match method {
        IpnMethod::Get => {
            url.query_pairs_mut()
                .append_pair("OrderTrackingId", &order.tracking_id)
                .append_pair("OrderMerchantReference", &order.merchant_reference)
                .append_pair("OrderNotificationType", "IPNCHANGE");
            (Method::GET, None)
        }
        IpnMethod::Post => {
            let body = ojson!({
                "OrderNotificationType": "IPNCHANGE",
                "OrderTrackingId": order.tracking_id,
                "OrderMerchantReference": order.merchant_reference,
            });
            (Method::POST, Some(Bytes::from(body.to_text())))
        }
    };
    Some(Notification {
        provider: ProviderName::Pesapal,
        reference: order.tracking_id.clone(),
        url,
        method,
        body,
        ack: Ack::Pesapal {
            tracking_id: order.tracking_id.clone(),
        },
    })
}
