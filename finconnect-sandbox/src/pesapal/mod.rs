//! Simulated PesaPal API 3.0 (base URL `…/pesapal/v3`).

mod auth;
mod ipn;
mod orders;
mod store;
pub(crate) mod wire;

use std::sync::Arc;

use hyper::Method;

use crate::http::{Reply, Req};
use crate::route::Route;
use crate::state::State;

pub(crate) use orders::settle;
pub(crate) use store::{Order, OrderState, Store};

/// Maps a path below the base URL to a route. ASP.NET routing ignores case, so do we.
pub(crate) fn route_for(method: &Method, path: &str) -> Option<Route> {
    let p = path.trim_end_matches('/').to_ascii_lowercase();
    let route = match p.as_str() {
        "/api/auth/requesttoken" => Route::PesapalAuth,
        "/api/urlsetup/registeripn" => Route::PesapalRegisterIpn,
        "/api/urlsetup/getipnlist" => Route::PesapalIpnList,
        "/api/transactions/submitorderrequest" => Route::PesapalSubmitOrder,
        "/api/transactions/gettransactionstatus" => Route::PesapalStatus,
        "/api/transactions/refundrequest" => Route::PesapalRefund,
        "/api/transactions/cancelorder" => Route::PesapalCancel,
        _ => return None,
    };
    let expected = match route {
        Route::PesapalIpnList | Route::PesapalStatus => Method::GET,
        _ => Method::POST,
    };
    (*method == expected).then_some(route)
}

/// Serves one PesaPal request.
pub(crate) async fn handle(state: &Arc<State>, route: Route, req: &Req) -> Reply {
    let reply = if route == Route::PesapalAuth {
        auth::request_token(state, req)
    } else if let Err(reply) = auth::check(state, req) {
        reply
    } else {
        match route {
            Route::PesapalRegisterIpn => ipn::register(state, req),
            Route::PesapalIpnList => ipn::list(state),
            Route::PesapalSubmitOrder => orders::submit(state, req),
            Route::PesapalStatus => orders::status(state, req),
            Route::PesapalRefund => orders::refund(state, req),
            Route::PesapalCancel => orders::cancel(state, req),
            _ => wire::invalid_params(""),
        }
    };
    wire::aspnet_headers(reply)
}
