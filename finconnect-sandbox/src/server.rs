//! The hyper server: accepts connections, reads requests, routes them, applies faults.

use std::sync::Arc;

use crate::json::ojson;
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::faults::{self, Action, Fault};
use crate::http::{parse_query, Reply, ReplyBody, Req, Wire};
use crate::route::{ProviderName, Route};
use crate::state::State;
use crate::{azampay, checkout, clickpesa, control, mpesa, pesapal};

/// Largest request body the sandbox reads.
const MAX_BODY: usize = 1024 * 1024;

/// Path prefixes: one per simulated host.
pub(crate) const PESAPAL_PREFIX: &str = "/pesapal/v3";
pub(crate) const AZAMPAY_AUTH_PREFIX: &str = "/azampay/auth";
pub(crate) const AZAMPAY_CHECKOUT_PREFIX: &str = "/azampay/checkout";
pub(crate) const AZAMPAY_DISBURSEMENT_PREFIX: &str = "/azampay/disbursement";
pub(crate) const CLICKPESA_PREFIX: &str = "/clickpesa/third-parties";
pub(crate) const MPESA_PREFIX: &str = "/daraja";

/// Which simulated host a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Host {
    Pesapal,
    AzampayAuth,
    AzampayCheckout,
    AzampayDisbursement,
    Clickpesa,
    Mpesa,
}

/// Accepts connections until `shutdown` flips.
pub(crate) async fn run(
    listener: TcpListener,
    state: Arc<State>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    state.count_connection();
                    // Answers go out at once, not after the client's delayed ACK.
                    if let Err(e) = stream.set_nodelay(true) {
                        tracing::debug!(error = %e, "TCP_NODELAY refused");
                    }
                    let state = Arc::clone(&state);
                    let shutdown = shutdown.clone();
                    tokio::spawn(serve_connection(stream, state, shutdown));
                }
                Err(e) => {
                    tracing::debug!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
            },
            _ = shutdown.changed() => break,
        }
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    state: Arc<State>,
    mut shutdown: watch::Receiver<bool>,
) {
    let service = service_fn(move |request| {
        let state = Arc::clone(&state);
        async move { handle(state, request).await }
    });
    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = connection => {
            if let Err(e) = result {
                tracing::trace!(error = %e, "connection ended");
            }
        }
        _ = shutdown.changed() => {}
    }
}

async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<ReplyBody>, std::io::Error> {
    let (parts, body) = request.into_parts();
    let body: Bytes = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return render(Reply::json(413, &ojson!({"message": "Payload Too Large"})));
        }
    };
    let full_path = parts.uri.path().to_string();
    let mut req = Req {
        method: parts.method,
        path: String::new(),
        query: parse_query(parts.uri.query()),
        headers: parts.headers,
        body,
    };
    let reply = dispatch(&state, &full_path, &mut req).await;
    render(reply)
}

fn split_host(path: &str) -> Option<(Host, &str)> {
    let table = [
        (PESAPAL_PREFIX, Host::Pesapal),
        (AZAMPAY_AUTH_PREFIX, Host::AzampayAuth),
        (AZAMPAY_CHECKOUT_PREFIX, Host::AzampayCheckout),
        (AZAMPAY_DISBURSEMENT_PREFIX, Host::AzampayDisbursement),
        (CLICKPESA_PREFIX, Host::Clickpesa),
        (MPESA_PREFIX, Host::Mpesa),
    ];
    table.iter().find_map(|(prefix, host)| {
        let rest = path.strip_prefix(prefix)?;
        (rest.is_empty() || rest.starts_with('/')).then_some((*host, rest))
    })
}

async fn dispatch(state: &Arc<State>, full_path: &str, req: &mut Req) -> Reply {
    if let Some(rest) = full_path.strip_prefix("/_sandbox") {
        return control::handle(state, &req.method, rest, req).await;
    }
    if let Some(reply) = checkout::handle(state, full_path, req).await {
        return reply;
    }
    let Some((host, sub)) = split_host(full_path) else {
        return Reply::json(
            404,
            &ojson!({"message": format!("Cannot {} {}", req.method, full_path)}),
        );
    };
    req.path = sub.to_string();
    let route = match host {
        Host::Pesapal => pesapal::route_for(&req.method, sub),
        Host::AzampayAuth | Host::AzampayCheckout | Host::AzampayDisbursement => {
            azampay::route_for(host, &req.method, sub)
        }
        Host::Clickpesa => clickpesa::route_for(&req.method, sub),
        Host::Mpesa => mpesa::route_for(&req.method, sub),
    };
    let Some(route) = route else {
        return not_found(host, &req.method, full_path, state);
    };
    state.count_request(route);
    match state.next_fault(route) {
        None => process(state, route, req).await,
        Some(fault @ Fault::AfterProcessing(_)) => {
            let normal = process(state, route, req).await;
            match faults::render(fault, route, Some(&normal)).await {
                Action::Reply(reply) => reply,
                Action::Normal => normal,
            }
        }
        Some(fault) => match faults::render(fault, route, None).await {
            Action::Reply(reply) => reply,
            Action::Normal => process(state, route, req).await,
        },
    }
}

async fn process(state: &Arc<State>, route: Route, req: &Req) -> Reply {
    match route.provider() {
        ProviderName::Pesapal => pesapal::handle(state, route, req).await,
        ProviderName::Azampay => azampay::handle(state, route, req).await,
        ProviderName::Clickpesa => clickpesa::handle(state, route, req).await,
        ProviderName::Mpesa => mpesa::handle(state, route, req).await,
    }
}

fn not_found(host: Host, method: &Method, full_path: &str, state: &State) -> Reply {
    match host {
        Host::Pesapal => Reply::json(
            404,
            &ojson!({"Message": format!(
                "No HTTP resource was found that matches the request URI '{}{}'.",
                state.origin(),
                full_path
            )}),
        ),
        Host::AzampayAuth | Host::AzampayCheckout | Host::AzampayDisbursement => Reply::empty(404),
        Host::Clickpesa => Reply::json(
            404,
            &ojson!({"statusCode": 404, "message": format!("Cannot {method} {full_path}"), "error": "Not Found"}),
        ),
        Host::Mpesa => mpesa::not_found(full_path.strip_prefix(MPESA_PREFIX).unwrap_or(full_path)),
    }
}

fn render(reply: Reply) -> Result<Response<ReplyBody>, std::io::Error> {
    if reply.wire == Wire::Drop {
        return Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "fault: drop connection",
        ));
    }
    let exact = reply.wire == Wire::Normal;
    let mut builder = Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        builder = builder.header(*name, value.as_str());
    }
    if reply.wire == Wire::Truncated {
        builder = builder.header("connection", "close");
    }
    builder
        .body(ReplyBody::new(reply.body, exact))
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}
