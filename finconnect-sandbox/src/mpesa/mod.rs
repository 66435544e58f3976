//! Simulated M-Pesa Daraja (Safaricom, Kenya), under the base URL `…/daraja`.

mod auth;
mod c2b;
pub(crate) mod codes;
mod results;
mod security;
mod stk;
mod store;
pub(crate) mod wire;

use std::sync::Arc;

use hyper::Method;

use crate::config::Outcome;
use crate::error::SandboxError;
use crate::http::{Reply, Req};
use crate::route::Route;
use crate::state::State;

pub(crate) use c2b::customer_pays;
pub use c2b::MpesaC2bOutcome;
pub(crate) use store::Store;

/// Every path, its route, and the one method Daraja takes on it (`GET` for OAuth only).
const PATHS: &[(&str, Route)] = &[
    ("/oauth/v1/generate", Route::MpesaAuth),
    ("/mpesa/stkpush/v1/processrequest", Route::MpesaStkPush),
    ("/mpesa/stkpushquery/v1/query", Route::MpesaStkQuery),
    ("/mpesa/c2b/v2/registerurl", Route::MpesaC2bRegister),
    ("/mpesa/c2b/v1/registerurl", Route::MpesaC2bRegister),
    ("/mpesa/c2b/v2/simulate", Route::MpesaC2bSimulate),
    ("/mpesa/c2b/v1/simulate", Route::MpesaC2bSimulate),
    ("/mpesa/b2c/v3/paymentrequest", Route::MpesaB2c),
    (
        "/mpesa/transactionstatus/v1/query",
        Route::MpesaTransactionStatus,
    ),
    ("/mpesa/accountbalance/v1/query", Route::MpesaAccountBalance),
    ("/mpesa/reversal/v1/request", Route::MpesaReversal),
];

fn lookup(path: &str) -> Option<Route> {
    let path = path.trim_end_matches('/');
    PATHS.iter().find(|(p, _)| *p == path).map(|(_, r)| *r)
}

fn method_of(route: Route) -> Method {
    if route == Route::MpesaAuth {
        Method::GET
    } else {
        Method::POST
    }
}

/// Maps a path below the base URL to a route (exact paths, as the gateway matches them).
pub(crate) fn route_for(method: &Method, path: &str) -> Option<Route> {
    lookup(path).filter(|r| *method == method_of(*r))
}

/// Daraja's answer to a path it does not serve: `405.001` for a known path with the wrong
/// method, `404.001.01 Resource not found` otherwise.
pub(crate) fn not_found(path: &str) -> Reply {
    match lookup(path) {
        Some(_) => wire::error(405, "405.001", "Method Not Allowed"),
        None => wire::error(404, "404.001.01", "Resource not found"),
    }
}

/// Serves one Daraja request.
pub(crate) async fn handle(state: &Arc<State>, route: Route, req: &Req) -> Reply {
    if route == Route::MpesaAuth {
        return auth::generate(state, req);
    }
    if let Err(reply) = auth::check(state, req) {
        return reply;
    }
    match route {
        Route::MpesaStkPush => stk::push(state, req),
        Route::MpesaStkQuery => stk::query(state, req),
        Route::MpesaC2bRegister => c2b::register(state, req),
        Route::MpesaC2bSimulate => c2b::simulate(state, req),
        Route::MpesaB2c => results::b2c(state, req).await,
        Route::MpesaTransactionStatus => results::transaction_status(state, req).await,
        Route::MpesaAccountBalance => results::account_balance(state, req).await,
        Route::MpesaReversal => results::reversal(state, req).await,
        _ => wire::error(404, "404.001.01", "Resource not found"),
    }
}

/// The customer answers an STK prompt: [`Outcome::Complete`] pays (`ResultCode` `0`),
/// [`Outcome::Fail`] fails with `1` (insufficient balance).
pub(crate) async fn settle(
    state: &Arc<State>,
    checkout_request_id: &str,
    outcome: Outcome,
) -> Result<(), SandboxError> {
    stk::settle(state, checkout_request_id, codes::outcome_code(outcome)).await
}

/// The customer answers an STK prompt with this `ResultCode`.
pub(crate) async fn settle_code(
    state: &Arc<State>,
    checkout_request_id: &str,
    code: &str,
) -> Result<(), SandboxError> {
    stk::settle(state, checkout_request_id, code).await
}

/// Daraja's authentication-failure answer on a route (faults): the token route refuses the
/// Basic credentials (`400.008.01`), the others the token (`404.001.03`).
pub(crate) fn unauthorized(route: Route) -> Reply {
    if route == Route::MpesaAuth {
        wire::error(400, "400.008.01", "Invalid Authentication passed")
    } else {
        wire::invalid_token()
    }
}

/// Daraja's readable server error with this HTTP status (faults).
pub(crate) fn provider_error(status: u16) -> Reply {
    let message = match status {
        503 => "Service is currently under maintenance. Please try again later",
        _ => "Internal Server Error",
    };
    wire::error(status, &format!("{status}.003.1001"), message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_take_one_method() {
        assert_eq!(
            route_for(&Method::GET, "/oauth/v1/generate"),
            Some(Route::MpesaAuth)
        );
        assert_eq!(route_for(&Method::POST, "/oauth/v1/generate"), None);
        assert_eq!(
            route_for(&Method::POST, "/mpesa/c2b/v1/registerurl/"),
            Some(Route::MpesaC2bRegister)
        );
        assert_eq!(
            route_for(&Method::GET, "/mpesa/b2c/v3/paymentrequest"),
            None
        );
        assert_eq!(not_found("/mpesa/b2c/v3/paymentrequest").status, 405);
        assert_eq!(not_found("/mpesa/b2c/v9/paymentrequest").status, 404);
        // Every route of the provider is reachable by some path.
        for route in Route::ALL
            .iter()
            .filter(|r| r.provider() == crate::ProviderName::Mpesa)
        {
            assert!(PATHS.iter().any(|(_, r)| r == route), "{route:?}");
        }
    }
}
