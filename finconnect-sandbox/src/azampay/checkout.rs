//! Collections: MNO and bank checkout, partners, hosted checkout, the (unofficial) status
//! query, and the signed callback after the customer acts.

use std::sync::Arc;

use crate::json::{ojson, Json};
use bytes::Bytes;
use hyper::Method;
use serde_json::{Map, Value};

use super::signing;
use super::store::{HostedPage, Payment, TxState};
use super::wire;
use crate::config::Outcome;
use crate::credentials::{AZAMPAY_APP_NAME, AZAMPAY_CLIENT_ID};
use crate::delivery::{self, Ack, Notification};
use crate::error::SandboxError;
use crate::http::{Reply, Req};
use crate::ids;
use crate::route::ProviderName;
use crate::state::{lock, State};

const OPERATORS: [&str; 5] = ["Airtel", "Tigo", "Halopesa", "Azampesa", "Mpesa"];

fn text<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

fn additional(body: &Map<String, Value>) -> Value {
    match body.get("additionalProperties") {
        Some(v @ Value::Object(_)) => v.clone(),
        _ => Value::Null,
    }
}

/// Stores an accepted payment, or refuses a reused external id (HTTP 200, `success:false`).
fn accept(state: &Arc<State>, payment: Payment) -> Reply {
    {
        let mut store = lock(&state.azampay);
        if store.payment_by_external_id(&payment.external_id).is_some() {
            return Reply::json(
                200,
                &ojson!({"success": false, "transactionId": null, "message": "Duplicate externalId: a transaction with this reference already exists"}),
            );
        }
        store.add_payment(payment.clone());
    }
    state.count_order(ProviderName::Azampay);
    state.schedule_customer(ProviderName::Azampay, payment.transaction_id.clone());
    Reply::json(
        200,
        &ojson!({
            "success": true,
            "transactionId": payment.transaction_id,
            "message": "Your request has been received and is being processed."
        }),
    )
}

/// `POST /azampay/mno/checkout`.
pub(crate) fn mno(state: &Arc<State>, req: &Req) -> Reply {
    let Some(body) = req.json_object() else {
        return wire::unreadable_body();
    };
    let account = text(&body, "accountNumber").unwrap_or_default();
    let amount = wire::amount_text(body.get("amount"));
    let external_id = text(&body, "externalId").unwrap_or_default();
    let provider = text(&body, "provider").unwrap_or_default();
    let currency = text(&body, "currency").unwrap_or_default();
    let mut errors = Vec::new();
    if amount.is_none() {
        errors.push(("amount", "Amount Must be valid"));
    }
    if external_id.trim().is_empty() || external_id.len() > 128 {
        errors.push((
            "externalId",
            "ExternalId cannot be empty. It should be any reference string from calling Application",
        ));
    }
    if !wire::msisdn_ok(account) {
        errors.push(("accountNumber", "Account Number must be valid"));
    }
    if !OPERATORS.contains(&provider) {
        errors.push(("provider", "Provider enum value is not valid"));
    }
    if currency.is_empty() || currency.len() > 32 {
        errors.push(("currency", "Currency must be valid"));
    }
    if !errors.is_empty() {
        return wire::problem(&errors);
    }
    if currency != "TZS" {
        return Reply::json(
            200,
            &ojson!({"success": false, "transactionId": null, "message": "Only TZS currency is supported"}),
        );
    }
    accept(
        state,
        Payment {
            transaction_id: ids::guid_simple(),
            external_id: external_id.to_string(),
            msisdn: account.to_string(),
            amount: amount.unwrap_or_default(),
            operator: provider.to_string(),
            additional: additional(&body),
            state: TxState::Pending,
            page: None,
        },
    )
}

/// `POST /azampay/bank/checkout` (answers with the SPEC shape).
pub(crate) fn bank(state: &Arc<State>, req: &Req) -> Reply {
    let Some(body) = req.json_object() else {
        return wire::unreadable_body();
    };
    let amount = wire::amount_text(body.get("amount"));
    let account = text(&body, "merchantAccountNumber").unwrap_or_default();
    let mobile = text(&body, "merchantMobileNumber").unwrap_or_default();
    let otp = text(&body, "otp").unwrap_or_default();
    let provider = text(&body, "provider").unwrap_or_default();
    let currency = text(&body, "currencyCode").unwrap_or_default();
    let reference = text(&body, "referenceId").unwrap_or_default();
    let mut errors = Vec::new();
    if amount.is_none() {
        errors.push(("amount", "Amount Must be valid"));
    }
    if currency != "TZS" {
        errors.push(("currencyCode", "The CurrencyCode field is required."));
    }
    if account.is_empty() || account.len() > 100 {
        errors.push((
            "merchantAccountNumber",
            "The MerchantAccountNumber field is required.",
        ));
    }
    if mobile.is_empty() || mobile.len() > 100 {
        errors.push((
            "merchantMobileNumber",
            "The MerchantMobileNumber field is required.",
        ));
    }
    if otp.is_empty() {
        errors.push(("otp", "The Otp field is required."));
    }
    if !matches!(provider, "CRDB" | "NMB") {
        errors.push(("provider", "Provider enum value is not valid"));
    }
    if reference.len() > 128 {
        errors.push(("referenceId", "ReferenceId must be at most 128 characters"));
    }
    if !errors.is_empty() {
        return wire::problem(&errors);
    }
    let transaction_id = ids::guid_simple();
    accept(
        state,
        Payment {
            external_id: if reference.is_empty() {
                transaction_id.clone()
            } else {
                reference.to_string()
            },
            transaction_id,
            msisdn: mobile.to_string(),
            amount: amount.unwrap_or_default(),
            operator: provider.to_string(),
            additional: additional(&body),
            state: TxState::Pending,
            page: None,
        },
    )
}

/// `GET /api/v1/Partner/GetPaymentPartners`.
pub(crate) fn partners() -> Reply {
    let rows = [
        ("Airtel", 2, "airtel"),
        ("Tigopesa", 3, "tigopesa"),
        ("HaloPesa", 4, "halopesa"),
        ("Azampesa", 5, "azampesa"),
        ("vodacom", 10, "mpesa"),
    ];
    let list: Vec<Json> = rows
        .iter()
        .enumerate()
        .map(|(i, (name, provider, logo))| {
            ojson!({
                "id": format!("6ebafc56-6d4d-4265-a8d4-c0e1e7806c{i:02}"),
                "logoUrl": format!("https://sandbox.invalid/logos/{logo}.png"),
                "partnerName": name,
                "provider": provider,
                "vendorName": crate::credentials::AZAMPAY_APP_NAME,
                "paymentVendorId": "1213c943-b30e-4c9e-ac2f-d34796f01d2d",
                "paymentPartnerId": format!("70cd6bba-7f81-4ac8-9276-d5c0a189f2{i:02}"),
                "paymentAcknowledgmentRoute": "url",
                "currency": "TZS",
                "status": "1",
                "vendorType": "seller"
            })
        })
        .collect();
    Reply::json(200, &list)
}

/// `POST /api/v1/Partner/PostCheckout`: answers with the payment-page URL as a bare string.
pub(crate) fn post_checkout(state: &Arc<State>, req: &Req) -> Reply {
    let Some(body) = req.json_object() else {
        return wire::unreadable_body();
    };
    let required = [
        "appName",
        "clientId",
        "vendorId",
        "vendorName",
        "language",
        "currency",
        "externalId",
        "requestOrigin",
        "redirectSuccessURL",
        "redirectFailURL",
        "amount",
    ];
    let mut errors: Vec<(&str, &str)> = required
        .iter()
        .filter(|k| text(&body, k).is_none_or(str::is_empty))
        .map(|k| (*k, "The field is required."))
        .collect();
    if text(&body, "externalId").is_some_and(|e| e.len() > 30) {
        errors.push(("externalId", "ExternalId must be at most 30 characters"));
    }
    if !body.get("cart").is_some_and(Value::is_object) {
        errors.push(("cart", "The Cart field is required."));
    }
    if !errors.is_empty() {
        return wire::problem(&errors);
    }
    if text(&body, "appName") != Some(AZAMPAY_APP_NAME)
        || text(&body, "clientId") != Some(AZAMPAY_CLIENT_ID)
    {
        return wire::invalid_app();
    }
    let external_id = text(&body, "externalId").unwrap_or_default().to_string();
    let transaction_id = {
        let mut store = lock(&state.azampay);
        match store.payment_by_external_id(&external_id) {
            Some(existing) => existing.transaction_id.clone(),
            None => {
                let payment = Payment {
                    transaction_id: ids::guid_simple(),
                    external_id,
                    msisdn: "255700000000".to_string(),
                    amount: wire::amount_text(body.get("amount")).unwrap_or_default(),
                    operator: "Azampesa".to_string(),
                    additional: Value::Null,
                    state: TxState::Pending,
                    page: Some(hosted_page(&body)),
                };
                let id = payment.transaction_id.clone();
                store.add_payment(payment);
                id
            }
        }
    };
    Reply::bytes(
        200,
        "text/plain; charset=utf-8",
        format!(
            "{}{}{transaction_id}",
            state.origin(),
            crate::checkout::AZAMPAY_PAGE
        ),
    )
}

/// The page details of a (validated) PostCheckout body.
fn hosted_page(body: &Map<String, Value>) -> HostedPage {
    let field = |k: &str| text(body, k).unwrap_or_default().to_string();
    let items: Vec<&str> = body
        .get("cart")
        .and_then(|c| c.get("items"))
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.get("name").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    HostedPage {
        vendor_name: field("vendorName"),
        currency: field("currency"),
        items: items.join(", "),
        success_url: field("redirectSuccessURL"),
        fail_url: field("redirectFailURL"),
    }
}

/// `GET /api/v1/partner/gettransactionstatus?transactionId=…&provider=…` (unofficial; shape of
/// fixture `unofficial_status_query_data_object.json`).
pub(crate) fn status(state: &State, req: &Req) -> Reply {
    let Some(id) = req.query_param("transactionId").filter(|s| !s.is_empty()) else {
        return wire::problem(&[("transactionId", "The transactionId field is required.")]);
    };
    let mut store = lock(&state.azampay);
    match store.find_payment(id) {
        Some(p) => Reply::json(
            200,
            &ojson!({"success": true, "data": {"transactionstatus": p.state.word()}, "statusCode": 200}),
        ),
        None => Reply::json(
            404,
            &ojson!({"success": false, "data": null, "message": "Transaction not found", "statusCode": 404}),
        ),
    }
}

/// Settles a payment and POSTs the signed callback.
pub(crate) async fn settle(
    state: &Arc<State>,
    reference: &str,
    outcome: Outcome,
) -> Result<(), SandboxError> {
    let payment = {
        let mut store = lock(&state.azampay);
        let p = store
            .find_payment(reference)
            .ok_or_else(|| SandboxError::UnknownReference {
                provider: ProviderName::Azampay,
                reference: reference.to_string(),
            })?;
        if p.state != TxState::Pending {
            return Err(SandboxError::AlreadySettled {
                provider: ProviderName::Azampay,
                reference: reference.to_string(),
            });
        }
        p.state = match outcome {
            Outcome::Complete => TxState::Success,
            Outcome::Fail => TxState::Failure,
        };
        p.clone()
    };
    let Some(url) = lock(&state.azampay_callback_url).clone() else {
        return Ok(());
    };
    let body = callback_body(&payment).await;
    delivery::deliver(
        state,
        Notification {
            provider: ProviderName::Azampay,
            reference: payment.external_id.clone(),
            url,
            method: Method::POST,
            body: Some(Bytes::from(body.to_text())),
            ack: Ack::Any2xx,
        },
    )
    .await;
    Ok(())
}

/// The collection callback (reference §11.1), signed.
pub(crate) async fn callback_body(p: &Payment) -> Json {
    let status = p.state.word();
    let message = signing::signed_message(&p.external_id, &p.transaction_id, status, &p.operator);
    let signature = signing::sign(message).await;
    ojson!({
        "message": status,
        "user": "",
        "password": "",
        "clientId": "",
        "transactionstatus": status,
        "operator": p.operator,
        "reference": p.transaction_id,
        "externalreference": p.transaction_id,
        "utilityref": p.external_id,
        "amount": p.amount,
        "transid": p.transaction_id,
        "msisdn": p.msisdn,
        "mnoreference": ids::guid(),
        "submerchantAcc": null,
        "additionalProperties": p.additional,
        "signature": signature
    })
}
