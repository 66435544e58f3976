//! Simulated AzamPay: authenticator (`…/azampay/auth`), checkout (`…/azampay/checkout`) and
//! disbursement (`…/azampay/disbursement`) hosts.

mod auth;
mod checkout;
mod disbursement;
pub(crate) mod signing;
mod store;
pub(crate) mod wire;

use std::sync::Arc;

use hyper::Method;

use crate::config::Outcome;
use crate::error::SandboxError;
use crate::http::{Reply, Req};
use crate::route::{ProviderName, Route};
use crate::server::Host;
use crate::state::{lock, State};

pub(crate) use store::{Store, TxState};

/// Maps a path below one of the three base URLs to a route (case-insensitive, like ASP.NET).
pub(crate) fn route_for(host: Host, method: &Method, path: &str) -> Option<Route> {
    let p = path.trim_end_matches('/').to_ascii_lowercase();
    let (route, expected) = match (host, p.as_str()) {
        (Host::AzampayAuth, "/appregistration/generatetoken") => {
            (Route::AzampayToken, Method::POST)
        }
        (Host::AzampayCheckout, "/azampay/mno/checkout") => {
            (Route::AzampayMnoCheckout, Method::POST)
        }
        (Host::AzampayCheckout, "/azampay/bank/checkout") => {
            (Route::AzampayBankCheckout, Method::POST)
        }
        (Host::AzampayCheckout, "/api/v1/partner/getpaymentpartners") => {
            (Route::AzampayPartners, Method::GET)
        }
        (Host::AzampayCheckout, "/api/v1/partner/postcheckout") => {
            (Route::AzampayPostCheckout, Method::POST)
        }
        (Host::AzampayCheckout, "/api/v1/partner/gettransactionstatus") => {
            (Route::AzampayStatus, Method::GET)
        }
        (Host::AzampayCheckout, "/azampay/v1/public-key") => (Route::AzampayPublicKey, Method::GET),
        // Legacy (2023-era) disbursement paths on the checkout host.
        (Host::AzampayCheckout, "/azampay/createtransfer") => {
            (Route::AzampayDisburse, Method::POST)
        }
        (Host::AzampayCheckout, "/azampay/namelookup") => (Route::AzampayNameLookup, Method::POST),
        (Host::AzampayCheckout, "/azampay/gettransactionstatus") => {
            // Some SDKs send it as POST with query parameters.
            return matches!(*method, Method::GET | Method::POST)
                .then_some(Route::AzampayDisbursementStatus);
        }
        (Host::AzampayDisbursement, "/api/v1/azampay/disburse") => {
            (Route::AzampayDisburse, Method::POST)
        }
        (Host::AzampayDisbursement, "/api/v1/azampay/namelookup") => {
            (Route::AzampayNameLookup, Method::POST)
        }
        (Host::AzampayDisbursement, "/api/v1/azampay/transactionstatus") => {
            (Route::AzampayDisbursementStatus, Method::GET)
        }
        _ => return None,
    };
    (*method == expected).then_some(route)
}

/// Serves one AzamPay request.
pub(crate) async fn handle(state: &Arc<State>, route: Route, req: &Req) -> Reply {
    match route {
        Route::AzampayToken => return auth::generate_token(state, req),
        // The official samples call PostCheckout without a bearer token.
        Route::AzampayPostCheckout => return checkout::post_checkout(state, req),
        _ => {}
    }
    if !auth::authorized(state, req) {
        return wire::unauthorized(route);
    }
    match route {
        Route::AzampayMnoCheckout => checkout::mno(state, req),
        Route::AzampayBankCheckout => checkout::bank(state, req),
        Route::AzampayPartners => checkout::partners(),
        Route::AzampayStatus => checkout::status(state, req),
        Route::AzampayPublicKey => signing::public_key_reply(req),
        Route::AzampayDisburse => disbursement::disburse(state, req),
        Route::AzampayNameLookup => disbursement::name_lookup(req),
        Route::AzampayDisbursementStatus => disbursement::status(state, req),
        _ => Reply::empty(404),
    }
}

/// The customer confirms or declines a checkout (or a disbursement completes); AzamPay then
/// POSTs the callback to the configured URL.
pub(crate) async fn settle(
    state: &Arc<State>,
    reference: &str,
    outcome: Outcome,
) -> Result<(), SandboxError> {
    let is_payment = lock(&state.azampay).find_payment(reference).is_some();
    if is_payment {
        checkout::settle(state, reference, outcome).await
    } else if lock(&state.azampay).find_disbursement(reference).is_some() {
        disbursement::settle(state, reference, outcome).await
    } else {
        Err(SandboxError::UnknownReference {
            provider: ProviderName::Azampay,
            reference: reference.to_string(),
        })
    }
}
