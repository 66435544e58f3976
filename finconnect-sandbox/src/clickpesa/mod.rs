//! Simulated ClickPesa third-party API (base URL `…/clickpesa/third-parties`).

mod auth;
pub(crate) mod checksum;
mod misc;
mod payments;
mod payouts;
mod store;
pub(crate) mod wire;

use std::sync::Arc;

use hyper::Method;

use crate::config::Outcome;
use crate::credentials::CLICKPESA_CHECKSUM_KEY;
use crate::error::SandboxError;
use crate::http::{Reply, Req};
use crate::route::{ProviderName, Route};
use crate::state::{lock, State};

pub(crate) use store::Store;

/// Maps a path below the base URL to a route (NestJS routing: case-sensitive).
pub(crate) fn route_for(method: &Method, path: &str) -> Option<Route> {
    let p = path.trim_end_matches('/');
    let post = *method == Method::POST;
    let get = *method == Method::GET;
    let route = match p {
        "/generate-token" if post => Route::ClickpesaToken,
        "/payments/preview-ussd-push-request" if post => Route::ClickpesaUssdPreview,
        "/payments/initiate-ussd-push-request" if post => Route::ClickpesaUssdInitiate,
        "/payments/preview-card-payment" if post => Route::ClickpesaCardPreview,
        "/payments/initiate-card-payment" if post => Route::ClickpesaCardInitiate,
        "/payments/all" if get => Route::ClickpesaPaymentsAll,
        "/payouts/preview-mobile-money-payout" | "/payouts/preview-bank-payout" if post => {
            Route::ClickpesaPayoutPreview
        }
        "/payouts/create-mobile-money-payout" | "/payouts/create-bank-payout" if post => {
            Route::ClickpesaPayoutCreate
        }
        "/payouts/verify-bank-account" if post => Route::ClickpesaVerifyBankAccount,
        "/payouts/all" if get => Route::ClickpesaPayoutsAll,
        "/list/banks" if get => Route::ClickpesaBanks,
        "/account/balance" if get => Route::ClickpesaBalance,
        "/exchange-rates/all" if get => Route::ClickpesaExchangeRates,
        "/checkout-link/generate-checkout-url" if post => Route::ClickpesaCheckoutLink,
        "/payout-link/generate-payout-url" if post => Route::ClickpesaPayoutLink,
        _ if get && single_segment(p, "/payments/") => Route::ClickpesaPaymentStatus,
        _ if get && single_segment(p, "/payouts/") => Route::ClickpesaPayoutStatus,
        _ => return None,
    };
    Some(route)
}

fn single_segment(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
}

/// Routes whose POST body may carry a `checksum`.
fn signed(route: Route) -> bool {
    matches!(
        route,
        Route::ClickpesaUssdPreview
            | Route::ClickpesaUssdInitiate
            | Route::ClickpesaCardPreview
            | Route::ClickpesaCardInitiate
            | Route::ClickpesaPayoutPreview
            | Route::ClickpesaPayoutCreate
            | Route::ClickpesaCheckoutLink
            | Route::ClickpesaPayoutLink
    )
}

/// Serves one ClickPesa request.
pub(crate) async fn handle(state: &Arc<State>, route: Route, req: &Req) -> Reply {
    if route == Route::ClickpesaToken {
        return auth::generate_token(state, req);
    }
    if !auth::authorized(state, req) {
        return wire::unauthorized();
    }
    if signed(route) && checksum::verify_body(CLICKPESA_CHECKSUM_KEY, &req.body) == Some(false) {
        return wire::invalid_checksum();
    }
    match route {
        Route::ClickpesaUssdPreview => payments::ussd_preview(state, req),
        Route::ClickpesaUssdInitiate => payments::ussd_initiate(state, req),
        Route::ClickpesaCardPreview => payments::card_preview(state, req),
        Route::ClickpesaCardInitiate => payments::card_initiate(state, req),
        Route::ClickpesaPaymentStatus => payments::status(state, req),
        Route::ClickpesaPaymentsAll => payments::all(state, req),
        Route::ClickpesaPayoutPreview => payouts::preview(state, req),
        Route::ClickpesaPayoutCreate => payouts::create(state, req),
        Route::ClickpesaPayoutStatus => payouts::status(state, req),
        Route::ClickpesaPayoutsAll => payouts::all(state, req),
        Route::ClickpesaVerifyBankAccount => misc::verify_bank_account(req),
        Route::ClickpesaBanks => misc::banks(),
        Route::ClickpesaBalance => misc::balance(state),
        Route::ClickpesaExchangeRates => misc::exchange_rates(req),
        Route::ClickpesaCheckoutLink => misc::checkout_link(state, req),
        Route::ClickpesaPayoutLink => misc::payout_link(state, req),
        _ => wire::message(404, "Not Found"),
    }
}

/// Settles a payment or payout by order reference and POSTs the webhook.
pub(crate) async fn settle(
    state: &Arc<State>,
    reference: &str,
    outcome: Outcome,
) -> Result<(), SandboxError> {
    let is_payment = lock(&state.clickpesa)
        .payments_for(reference)
        .next()
        .is_some();
    if is_payment {
        return payments::settle(state, reference, outcome).await;
    }
    let is_payout = lock(&state.clickpesa)
        .payouts_for(reference)
        .next()
        .is_some();
    if is_payout {
        return payouts::settle(state, reference, outcome).await;
    }
    Err(SandboxError::UnknownReference {
        provider: ProviderName::Clickpesa,
        reference: reference.to_string(),
    })
}

/// Wraps `data` in the webhook envelope with a top-level canonical checksum and sends it.
pub(crate) async fn send_webhook(
    state: &State,
    reference: &str,
    event: &str,
    data: crate::json::Json,
) {
    let Some(url) = lock(&state.clickpesa_webhook_url).clone() else {
        return;
    };
    // The documented PAYMENT FAILED sample names the event `eventType`.
    let event_key = if event == "PAYMENT FAILED" {
        "eventType"
    } else {
        "event"
    };
    let mut envelope = crate::json::Json::Object(vec![
        (
            event_key.to_string(),
            crate::json::Json::String(event.to_string()),
        ),
        ("data".to_string(), data),
    ]);
    let serde_json::Value::Object(signed) = envelope.to_value() else {
        return;
    };
    let sum = checksum::canonical_checksum(CLICKPESA_CHECKSUM_KEY, &signed);
    envelope.set("checksum", sum);
    let body = envelope.to_text();
    crate::delivery::deliver(
        state,
        crate::delivery::Notification {
            provider: ProviderName::Clickpesa,
            reference: reference.to_string(),
            url,
            method: Method::POST,
            body: Some(bytes::Bytes::from(body)),
            ack: crate::delivery::Ack::Any2xx,
        },
    )
    .await;
}
