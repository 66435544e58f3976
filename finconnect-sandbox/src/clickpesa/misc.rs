//! Account, lists, FX, hosted checkout and payout links, bank-account verification.

use std::sync::Arc;
use std::time::SystemTime;

use crate::json::{ojson, Json};
use serde_json::Value;

use super::store::Payment;
use super::wire;
use crate::credentials::CLICKPESA_CLIENT_ID;
use crate::http::{Reply, Req};
use crate::ids;
use crate::state::{lock, State};

const BANKS: [(&str, &str); 4] = [
    ("CRDB BANK", "CORUTZTZ"),
    ("NMB BANK", "NMIBTZTZ"),
    ("Equity Bank Tanzania Limited", "EQBLTZTZ"),
    ("NBC BANK", "NLCBTZTX"),
];

/// The bank name of a BIC the sandbox knows.
pub(crate) fn bank_for_bic(bic: &str) -> Option<&'static str> {
    BANKS.iter().find(|(_, b)| *b == bic).map(|(name, _)| *name)
}

/// `GET /list/banks`.
pub(crate) fn banks() -> Reply {
    let list: Vec<Json> = BANKS
        .iter()
        .map(|(name, bic)| ojson!({"name": name, "bic": bic}))
        .collect();
    Reply::json(200, &list)
}

/// `POST /payouts/verify-bank-account` (accounts starting `0000` do not exist).
pub(crate) fn verify_bank_account(req: &Req) -> Reply {
    let body = req.json_object().unwrap_or_default();
    let account = body
        .get("accountNumber")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let bic = body.get("bic").and_then(Value::as_str).unwrap_or_default();
    if account.is_empty() || account.starts_with("0000") || bank_for_bic(bic).is_none() {
        return wire::message(404, "Account not found");
    }
    Reply::json(200, &ojson!({"accountName": "TEMBO SHOP"}))
}

/// `GET /account/balance`.
pub(crate) fn balance(state: &State) -> Reply {
    let store = lock(&state.clickpesa);
    let list: Vec<Json> = store
        .balances
        .iter()
        .rev() // TZS first
        .map(|(currency, balance)| ojson!({"currency": currency, "balance": wire::num(*balance)}))
        .collect();
    Reply::json(200, &list)
}

/// `GET /exchange-rates/all?source=…&target=…`.
pub(crate) fn exchange_rates(req: &Req) -> Reply {
    let date = ids::iso_seconds(SystemTime::now());
    let rates = [
        ("USD", "TZS", ojson!(2510)),
        ("TZS", "USD", ojson!(0.000398)),
    ];
    let source = req.query_param("source");
    let target = req.query_param("target");
    let list: Vec<Json> = rates
        .iter()
        .filter(|(s, t, _)| source.is_none_or(|x| x == *s) && target.is_none_or(|x| x == *t))
        .map(|(s, t, r)| ojson!({"source": s, "target": t, "rate": r, "date": date}))
        .collect();
    Reply::json(200, &list)
}

/// `POST /checkout-link/generate-checkout-url`.
pub(crate) fn checkout_link(state: &Arc<State>, req: &Req) -> Reply {
    let Some(body) = req.json_object() else {
        return wire::message(400, "Invalid request body");
    };
    let currency = body
        .get("orderCurrency")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !matches!(currency, "TZS" | "USD") {
        return wire::message(400, "Invalid order currency, should be TZS or USD");
    }
    let reference = body
        .get("orderReference")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if !wire::reference_ok(&reference) {
        return wire::invalid_reference();
    }
    let total = match (body.get("totalPrice"), body.get("orderItems")) {
        (Some(Value::String(s)), _) => match s.trim().parse::<f64>() {
            Ok(t) if t > 0.0 => t,
            _ => return wire::message(400, "Total Price is required"),
        },
        (Some(_), _) => return wire::message(400, "Total Price must be a string"),
        (None, Some(Value::Array(items))) if !items.is_empty() => {
            let mut sum = 0.0;
            for item in items {
                let name = item
                    .get("name")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty());
                let price = item
                    .get("price")
                    .and_then(Value::as_str)
                    .and_then(|p| p.parse::<f64>().ok());
                let qty = item.get("quantity").and_then(Value::as_f64);
                match (name, price, qty) {
                    (Some(_), Some(p), Some(q)) if p > 0.0 && q > 0.0 => sum += p * q,
                    _ => {
                        return wire::message(400, "All items must have a name, price and quantity")
                    }
                }
            }
            sum
        }
        _ => return wire::message(400, "Total Price is required"),
    };
    {
        let mut store = lock(&state.clickpesa);
        if store.used_references.contains(&reference) {
            return wire::reference_used(&reference);
        }
        store.used_references.insert(reference.clone());
        let now = SystemTime::now();
        store.add_payment(Payment {
            id: format!("{reference}LCP{}", ids::upper_alnum(4)),
            order_reference: reference.clone(),
            amount: total,
            currency: currency.to_string(),
            channel: "CHECKOUT LINK".to_string(),
            phone: body
                .get("customerPhone")
                .and_then(Value::as_str)
                .map(str::to_string),
            customer_name: body
                .get("customerName")
                .and_then(Value::as_str)
                .map(str::to_string),
            customer_email: body
                .get("customerEmail")
                .and_then(Value::as_str)
                .map(str::to_string),
            description: body
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| item_names(body.get("orderItems"))),
            status: "PENDING",
            payment_reference: String::new(),
            created: now,
            updated: now,
        });
    }
    state.schedule_customer(crate::route::ProviderName::Clickpesa, reference.clone());
    Reply::json(
        200,
        &ojson!({
            "checkoutLink": format!(
                "{}{}{reference}",
                state.origin(),
                crate::checkout::CLICKPESA_PAGE
            ),
            "clientId": CLICKPESA_CLIENT_ID
        }),
    )
}

/// The item names of `orderItems`, comma-separated.
fn item_names(items: Option<&Value>) -> Option<String> {
    let names: Vec<&str> = items?
        .as_array()?
        .iter()
        .filter_map(|i| i.get("name").and_then(Value::as_str))
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// `POST /payout-link/generate-payout-url`.
pub(crate) fn payout_link(state: &State, req: &Req) -> Reply {
    let Some(body) = req.json_object() else {
        return wire::message(400, "Invalid request body");
    };
    match body.get("amount") {
        Some(Value::String(s)) if s.trim().parse::<f64>().is_ok_and(|a| a > 0.0) => {}
        Some(Value::Number(_)) => return wire::message(400, "amount must be a string"),
        _ => return wire::message(400, "Invalid amount"),
    }
    let reference = body
        .get("orderReference")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if !wire::reference_ok(&reference) {
        return wire::invalid_reference();
    }
    let mut store = lock(&state.clickpesa);
    if !store.used_references.insert(reference.clone()) {
        return wire::reference_used(&reference);
    }
    Reply::json(
        200,
        &ojson!({"payoutLink": format!("{}/clickpesa/payout/{reference}", state.origin())}),
    )
}
