//! The HTTP control surface under `/_sandbox` for users running the sandbox as a process.
//!
//! | endpoint | answer |
//! |---|---|
//! | `POST /_sandbox/settle` | settles a payment: body `{"provider","reference","outcome"}` |
//! | `POST /_sandbox/mpesa/c2b` | an M-Pesa customer pays the shortcode: body `{"amount","msisdn","bill_ref"}` (optional `"shortcode"`) |
//! | `GET /_sandbox/deliveries` | the list of notification deliveries (one object each) |
//! | `GET /_sandbox/counters` | totals: `requests`, `connections` (TCP connections accepted), `deliveries`, `refused_deliveries` |
//! | `GET /_sandbox/counters/requests` | the request counter of each route, by route name |
//!
//! For M-Pesa, `reference` is the STK push's `CheckoutRequestID` and `outcome` is
//! `completed` (`ResultCode` 0), `failed` (1), `cancelled` (1032), or any final code given
//! as `"result_code"` (`"1037"`, `"2001"`, …), which wins over `outcome`.
//!
//! Lists are named for what they list, counters live under `counters`. Any other path
//! answers 404 with the list of endpoints.

use std::sync::Arc;

use hyper::Method;
use serde_json::{json, Map, Value};

use crate::config::Outcome;
use crate::error::SandboxError;
use crate::http::{Reply, Req};
use crate::route::{ProviderName, Route};
use crate::state::{lock, State};

/// The endpoints, as the 404 of an unknown control path lists them.
const ENDPOINTS: [&str; 5] = [
    "POST /_sandbox/settle",
    "POST /_sandbox/mpesa/c2b",
    "GET /_sandbox/deliveries",
    "GET /_sandbox/counters",
    "GET /_sandbox/counters/requests",
];

/// Answers a control request (`path` is what follows `/_sandbox`).
pub(crate) async fn handle(state: &Arc<State>, method: &Method, path: &str, req: &Req) -> Reply {
    match (method, path) {
        (&Method::POST, "/settle") => match settle(state, req).await {
            Ok(()) => Reply::json(200, &json!({"ok": true})),
            Err(e @ SandboxError::BadRequest(_)) => {
                Reply::json(400, &json!({"ok": false, "error": e.to_string()}))
            }
            Err(e @ SandboxError::AlreadySettled { .. }) => {
                Reply::json(409, &json!({"ok": false, "error": e.to_string()}))
            }
            Err(e) => Reply::json(404, &json!({"ok": false, "error": e.to_string()})),
        },
        (&Method::POST, "/mpesa/c2b") => match mpesa_c2b(state, req).await {
            Ok(outcome) => Reply::json(
                200,
                &json!({
                    "ok": true,
                    "TransID": outcome.trans_id,
                    "validation_result": outcome.validation_result,
                    "completed": outcome.completed,
                }),
            ),
            Err(e) => Reply::json(400, &json!({"ok": false, "error": e.to_string()})),
        },
        (&Method::GET, "/counters/requests") => {
            let counts: Map<String, Value> = Route::ALL
                .iter()
                .map(|r| (r.name().to_string(), Value::from(state.requests(*r))))
                .collect();
            Reply::json(200, &Value::Object(counts))
        }
        (&Method::GET, "/deliveries") => {
            let list: Vec<Value> = lock(&state.deliveries)
                .iter()
                .map(|d| {
                    json!({
                        "provider": d.provider.as_str(),
                        "reference": d.reference,
                        "url": d.url,
                        "method": d.method,
                        "attempts": d.attempts,
                        "acked": d.acked,
                        "last_status": d.last_status,
                        "refused": d.refused,
                    })
                })
                .collect();
            Reply::json(200, &Value::Array(list))
        }
        (&Method::GET, "/counters") => {
            let deliveries = lock(&state.deliveries);
            let refused = deliveries.iter().filter(|d| d.refused).count();
            let requests: u64 = Route::ALL.iter().map(|r| state.requests(*r)).sum();
            Reply::json(
                200,
                &json!({
                    "requests": requests,
                    "connections": state.connections(),
                    "deliveries": deliveries.len() - refused,
                    "refused_deliveries": refused,
                }),
            )
        }
        _ => Reply::json(
            404,
            &json!({
                "ok": false,
                "error": format!("unknown control endpoint {method} /_sandbox{path}"),
                "endpoints": ENDPOINTS,
            }),
        ),
    }
}

async fn settle(state: &Arc<State>, req: &Req) -> Result<(), SandboxError> {
    let body = req
        .json_object()
        .ok_or_else(|| SandboxError::BadRequest("body must be a JSON object".into()))?;
    let text = |k: &str| body.get(k).and_then(Value::as_str);
    let provider = text("provider")
        .and_then(ProviderName::parse)
        .ok_or_else(|| {
            SandboxError::BadRequest("provider must be pesapal, azampay, clickpesa or mpesa".into())
        })?;
    let reference = text("reference")
        .filter(|r| !r.is_empty())
        .ok_or_else(|| SandboxError::BadRequest("reference is required".into()))?;
    if provider == ProviderName::Mpesa {
        let code = match body.get("result_code") {
            Some(Value::String(code)) => code.clone(),
            Some(Value::Number(code)) => code.to_string(),
            _ => match text("outcome").map(str::to_ascii_lowercase).as_deref() {
                None | Some("complete") | Some("completed") | Some("success") | Some("paid") => {
                    crate::mpesa::codes::PAID.to_string()
                }
                Some("fail") | Some("failed") | Some("failure") => {
                    crate::mpesa::codes::FAILED.to_string()
                }
                Some("cancel") | Some("cancelled") | Some("canceled") => {
                    crate::mpesa::codes::CANCELLED.to_string()
                }
                Some(other) => {
                    return Err(SandboxError::BadRequest(format!(
                        "outcome must be completed, failed or cancelled, not {other:?}"
                    )))
                }
            },
        };
        return crate::mpesa::settle_code(state, reference, &code).await;
    }
    let outcome = match text("outcome").map(str::to_ascii_lowercase).as_deref() {
        None | Some("complete") | Some("completed") | Some("success") => Outcome::Complete,
        Some("fail") | Some("failed") | Some("failure") => Outcome::Fail,
        Some(other) => {
            return Err(SandboxError::BadRequest(format!(
                "outcome must be complete or fail, not {other:?}"
            )))
        }
    };
    state.settle(provider, reference, outcome).await
}

async fn mpesa_c2b(
    state: &Arc<State>,
    req: &Req,
) -> Result<crate::mpesa::MpesaC2bOutcome, SandboxError> {
    let body = req
        .json_object()
        .ok_or_else(|| SandboxError::BadRequest("body must be a JSON object".into()))?;
    let text = |k: &str| match body.get(k) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let amount = body
        .get("amount")
        .and_then(|a| {
            a.as_u64()
                .or_else(|| a.as_str().and_then(|s| s.parse().ok()))
        })
        .ok_or_else(|| {
            SandboxError::BadRequest("amount must be a whole number of shillings".into())
        })?;
    let msisdn =
        text("msisdn").unwrap_or_else(|| crate::credentials::MPESA_TEST_MSISDN.to_string());
    let bill_ref = text("bill_ref").unwrap_or_default();
    let shortcode = text("shortcode");
    crate::mpesa::customer_pays(state, shortcode.as_deref(), amount, &msisdn, &bill_ref).await
}
