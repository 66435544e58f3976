//! Payouts: mobile money and bank (preview + create), queries, payout webhooks.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::json::{ojson, Json};
use serde_json::{Map, Value};

use super::misc::bank_for_bic;
use super::store::Payout;
use super::wire;
use crate::config::Outcome;
use crate::credentials::CLICKPESA_CLIENT_ID;
use crate::error::SandboxError;
use crate::http::{Reply, Req};
use crate::ids;
use crate::route::ProviderName;
use crate::state::{lock, State};

const COOLDOWN: Duration = Duration::from_secs(60);

fn text<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

/// A validated payout request.
#[derive(Debug)]
struct Request {
    bank: bool,
    amount: f64,
    currency: String,
    reference: String,
    account_number: String,
    account_name: Option<String>,
    channel_provider: String,
    transfer_type: Option<String>,
    bic: Option<String>,
}

impl Request {
    fn fee(&self) -> f64 {
        let rate = if self.bank { 0.0118 } else { 0.0471 };
        (self.amount * rate * 100.0).round() / 100.0
    }
}

fn parse(state: &State, req: &Req) -> Result<Request, Reply> {
    let bank = req.path.contains("bank");
    let Some(body) = req.json_object() else {
        return Err(wire::message(400, "Invalid request body"));
    };
    let amount = match body.get("amount") {
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|a| *a > 0.0)
            .ok_or_else(|| wire::message(400, "Invalid amount"))?,
        Some(Value::String(_)) => return Err(wire::message(400, "amount must be a number")),
        _ => return Err(wire::message(400, "Amount is required")),
    };
    let currency = text(&body, "currency").unwrap_or_default().to_string();
    if !matches!(currency.as_str(), "TZS" | "USD") {
        return Err(wire::message(400, "Invalid currency, should be TZS or USD"));
    }
    let reference = text(&body, "orderReference")
        .unwrap_or_default()
        .to_string();
    if !wire::reference_ok(&reference) {
        return Err(wire::invalid_reference());
    }
    if bank {
        let account_number = text(&body, "accountNumber").unwrap_or_default().to_string();
        if account_number.is_empty() {
            return Err(wire::message(400, "Account number is required"));
        }
        let bic = text(&body, "bic").unwrap_or_default().to_string();
        let Some(bank_name) = bank_for_bic(&bic) else {
            return Err(wire::message(400, "Unsupported channel provider"));
        };
        let transfer_type = text(&body, "transferType").unwrap_or("ACH").to_string();
        if !matches!(transfer_type.as_str(), "ACH" | "RTGS") {
            return Err(wire::message(
                400,
                "Invalid transfer type, should be ACH or RTGS",
            ));
        }
        Ok(Request {
            bank,
            amount,
            currency,
            reference,
            account_name: text(&body, "accountName")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            account_number,
            channel_provider: bank_name.to_string(),
            transfer_type: Some(transfer_type),
            bic: Some(bic),
        })
    } else {
        let phone = text(&body, "phoneNumber").unwrap_or_default().to_string();
        let Some(channel) = wire::channel_for_phone(&phone) else {
            return Err(wire::message(400, "Invalid / unsupported phone number"));
        };
        let provider = match channel {
            "M-PESA" => "MPESA TANZANIA",
            "TIGO-PESA" => "TIGO PESA",
            "AIRTEL-MONEY" => "AIRTEL MONEY",
            _ => "HALOPESA",
        };
        let _ = state;
        Ok(Request {
            bank,
            amount,
            currency,
            reference,
            account_number: phone,
            account_name: Some("Sandbox Customer".to_string()),
            channel_provider: provider.to_string(),
            transfer_type: None,
            bic: None,
        })
    }
}

fn check_funds(state: &State, r: &Request) -> Result<(), Reply> {
    let store = lock(&state.clickpesa);
    if store.used_references.contains(&r.reference) {
        return Err(wire::reference_used(&r.reference));
    }
    let balance = store.balances.get(&r.currency).copied().unwrap_or(0.0);
    if r.amount + r.fee() > balance {
        return Err(wire::message(
            400,
            &format!(
                "Insufficient balance: available balance is {} {}",
                wire::amount_string(balance),
                r.currency
            ),
        ));
    }
    Ok(())
}

/// `POST /payouts/preview-mobile-money-payout` and `/payouts/preview-bank-payout`.
pub(crate) fn preview(state: &State, req: &Req) -> Reply {
    let r = match parse(state, req) {
        Ok(r) => r,
        Err(reply) => return reply,
    };
    if let Err(reply) = check_funds(state, &r) {
        return reply;
    }
    let balance = lock(&state.clickpesa)
        .balances
        .get(&r.currency)
        .copied()
        .unwrap_or(0.0);
    let resolved = !r.account_number.starts_with("0000");
    let mut receiver = ojson!({});
    if resolved {
        let name = r.account_name.clone();
        receiver.set("accountName", name.unwrap_or_else(|| "TEMBO SHOP".into()));
    }
    receiver.set("accountNumber", &r.account_number);
    receiver.set("accountCurrency", "TZS");
    receiver.set("amount", wire::num(r.amount));
    let mut out = ojson!({
        "amount": wire::num(r.amount + r.fee()),
        "balance": wire::num(balance),
        "channelProvider": r.channel_provider,
        "fee": wire::num(r.fee()),
        "exchanged": false,
        "order": {"amount": wire::num(r.amount), "currency": r.currency, "id": r.reference},
        "payoutFeeBearer": "merchant",
        "receiver": receiver
    });
    if r.bank {
        out.set("transferType", &r.transfer_type);
        out.set(
            "nameLookupStatus",
            if resolved { "RESOLVED" } else { "UNAVAILABLE" },
        );
    }
    Reply::json(200, &out)
}

/// `POST /payouts/create-mobile-money-payout` and `/payouts/create-bank-payout`.
pub(crate) fn create(state: &Arc<State>, req: &Req) -> Reply {
    let r = match parse(state, req) {
        Ok(r) => r,
        Err(reply) => return reply,
    };
    if r.bank && r.account_name.is_none() {
        return wire::message(400, "Account name is required");
    }
    // The same payout (destination and amount) again within 60 s is refused.
    let key = (r.account_number.clone(), wire::money(r.amount));
    {
        let store = lock(&state.clickpesa);
        if let Some(at) = store.recent_payouts.get(&key) {
            let elapsed = at.elapsed();
            if elapsed < COOLDOWN {
                let remaining = (COOLDOWN - elapsed).as_secs().max(1);
                return wire::message(
                    400,
                    &format!("Payout request is already in progress, please retry after {remaining} seconds"),
                );
            }
        }
    }
    if let Err(reply) = check_funds(state, &r) {
        return reply;
    }
    let now = SystemTime::now();
    let payout = Payout {
        id: format!("PAY{}", ids::upper_alnum(7)),
        order_reference: r.reference.clone(),
        order_amount: r.amount,
        fee: r.fee(),
        currency: r.currency.clone(),
        bank: r.bank,
        channel_provider: r.channel_provider.clone(),
        transfer_type: r.transfer_type.clone(),
        account_number: r.account_number.clone(),
        account_name: r.account_name.clone().unwrap_or_default(),
        bic: r.bic.clone(),
        status: "AUTHORIZED",
        created: now,
        updated: now,
    };
    {
        let mut store = lock(&state.clickpesa);
        store.recent_payouts.insert(key, Instant::now());
        store.used_references.insert(r.reference.clone());
        *store.balances.entry(r.currency.clone()).or_insert(0.0) -= r.amount + r.fee();
        store.add_payout(payout.clone());
    }
    state.count_order(ProviderName::Clickpesa);
    state.schedule_customer(ProviderName::Clickpesa, r.reference.clone());
    let mut out = ojson!({
        "id": payout.id,
        "orderReference": payout.order_reference,
        "amount": wire::money(payout.order_amount + payout.fee),
        "currency": payout.currency,
        "fee": wire::money(payout.fee),
        "exchanged": false,
        "status": payout.status,
        "channel": if r.bank { "BANK TRANSFER" } else { "MOBILE MONEY" },
        "channelProvider": payout.channel_provider,
        "order": {"amount": wire::money(payout.order_amount), "currency": payout.currency},
        "beneficiary": {"accountNumber": payout.account_number, "accountName": payout.account_name},
        "createdAt": ids::iso_millis(now),
        "updatedAt": ids::iso_millis(now),
        "clientId": CLICKPESA_CLIENT_ID
    });
    if r.bank {
        out.set_after("channelProvider", "transferType", &payout.transfer_type);
    } else if let Some(beneficiary) = out.get_mut("beneficiary") {
        beneficiary.set("amount", wire::money(payout.order_amount));
    }
    Reply::json(200, &out)
}

fn payout_json(p: &Payout) -> Json {
    ojson!({
        "id": p.id,
        "orderReference": p.order_reference,
        "amount": wire::money(p.order_amount + p.fee),
        "currency": p.currency,
        "fee": wire::money(p.fee),
        "status": p.status,
        "channel": if p.bank { "BANK TRANSFER" } else { "MOBILE MONEY" },
        "channelProvider": p.channel_provider,
        "transferType": p.transfer_type,
        "beneficiary": {
            "accountNumber": p.account_number,
            "accountName": p.account_name,
            "swiftNumber": p.bic,
            "routingNumber": null,
            "beneficiaryMobileNumber": if p.bank { None } else { Some(&p.account_number) },
            "beneficiaryEmail": null
        },
        "createdAt": ids::iso_millis(p.created),
        "updatedAt": ids::iso_millis(p.updated),
        "clientId": CLICKPESA_CLIENT_ID
    })
}

/// A payout as the payout webhooks carry it (timestamps first, no `clientId`, the
/// `reverse` object before the beneficiary).
fn webhook_data(p: &Payout, outcome: Outcome) -> Json {
    let mut data = ojson!({
        "updatedAt": ids::iso_millis(p.updated),
        "createdAt": ids::iso_millis(p.created),
        "id": p.id,
        "orderReference": p.order_reference,
        "amount": wire::money(p.order_amount + p.fee),
        "currency": p.currency,
        "fee": wire::money(p.fee),
        "status": p.status,
        "channel": if p.bank { "BANK TRANSFER" } else { "MOBILE MONEY" },
        "channelProvider": p.channel_provider
    });
    if let Some(transfer_type) = &p.transfer_type {
        data.set("transferType", transfer_type);
    }
    if outcome == Outcome::Fail {
        data.set(
            "reverse",
            ojson!({
                "message": "The payout was reversed due to invalid account information.",
                "reversedAt": ids::iso_millis(p.updated),
                "reversedWithFee": true
            }),
        );
    }
    if let Some(Json::Object(beneficiary)) = payout_json(p).get("beneficiary") {
        data.set("beneficiary", Json::Object(beneficiary.clone()));
    }
    data
}

/// `GET /payouts/{orderReference}`: an array.
pub(crate) fn status(state: &State, req: &Req) -> Reply {
    let reference = req
        .path
        .trim_end_matches('/')
        .trim_start_matches("/payouts/");
    let store = lock(&state.clickpesa);
    let list: Vec<Json> = store.payouts_for(reference).map(payout_json).collect();
    if list.is_empty() {
        return wire::message(404, &format!("Invalid or missing payout: {reference}"));
    }
    Reply::json(200, &list)
}

/// `GET /payouts/all`.
pub(crate) fn all(state: &State, req: &Req) -> Reply {
    let store = lock(&state.clickpesa);
    let status = req.query_param("status");
    let reference = req.query_param("orderReference");
    let mut rows: Vec<&Payout> = store
        .payouts()
        .iter()
        .filter(|p| status.is_none_or(|s| s == p.status))
        .filter(|p| reference.is_none_or(|r| r == p.order_reference))
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
        .map(payout_json)
        .collect();
    Reply::json(200, &ojson!({"data": data, "totalCount": total}))
}

/// Completes (PAYOUT INITIATED, `SUCCESS`) or fails (PAYOUT REVERSED, funds returned) a payout.
pub(crate) async fn settle(
    state: &Arc<State>,
    reference: &str,
    outcome: Outcome,
) -> Result<(), SandboxError> {
    let payout = {
        let mut store = lock(&state.clickpesa);
        let Some(p) = store.first_payout_mut(reference) else {
            return Err(SandboxError::UnknownReference {
                provider: ProviderName::Clickpesa,
                reference: reference.to_string(),
            });
        };
        if p.status != "AUTHORIZED" {
            return Err(SandboxError::AlreadySettled {
                provider: ProviderName::Clickpesa,
                reference: reference.to_string(),
            });
        }
        p.updated = SystemTime::now();
        p.status = match outcome {
            Outcome::Complete => "SUCCESS",
            Outcome::Fail => "REVERSED",
        };
        let p = p.clone();
        if outcome == Outcome::Fail {
            *store.balances.entry(p.currency.clone()).or_insert(0.0) += p.order_amount + p.fee;
        }
        p
    };
    let event = match outcome {
        Outcome::Complete => "PAYOUT INITIATED",
        Outcome::Fail => "PAYOUT REVERSED",
    };
    let data = webhook_data(&payout, outcome);
    super::send_webhook(state, reference, event, data).await;
    Ok(())
}
