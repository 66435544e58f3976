//! Scripted faults: what a route answers instead of (or after) its normal behaviour.

use std::time::Duration;

use crate::json::ojson;
use bytes::Bytes;

use crate::http::{Reply, Wire};
use crate::route::{ProviderName, Route};

/// A scripted misbehaviour. Each request to a route consumes the next queued fault
/// (see [`crate::Sandbox::inject`]); with an empty queue the route behaves normally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Wait, then answer normally.
    Latency(Duration),
    /// Answer with this HTTP status and a short plain-text body.
    Status(u16),
    /// Answer with this HTTP status and the provider's own readable error body
    /// (PesaPal: an error object with body `status` `"500"`; AzamPay: the
    /// `{message, success:false, statusCode}` envelope; ClickPesa:
    /// `{"message": …}`, as an API gateway's 504 `Endpoint request timed out`; M-Pesa: the
    /// `requestId`/`errorCode`/`errorMessage` envelope with code `<status>.003.1001`).
    ProviderError(u16),
    /// The provider's own authentication-failure answer (PesaPal: its
    /// `invalid_api_credentials_provided` error JSON; AzamPay: 401, or the 423 envelope on
    /// the token route; ClickPesa: 401 `{"message":"Unauthorized"}`; M-Pesa: 404
    /// `404.001.03 Invalid Access Token`, or 400 `400.008.01` on the token route).
    Unauthorized,
    /// 429 with a `Retry-After` header in whole seconds.
    TooManyRequests {
        /// The delay announced in `Retry-After`.
        retry_after: Duration,
    },
    /// HTTP 200 with a body that is not valid JSON.
    MalformedJson,
    /// A Cloudflare-style HTML error page (503, `text/html`).
    Html,
    /// Close the connection without answering.
    DropConnection,
    /// Announce a `Content-Length` larger than the bytes sent, then close.
    Truncated,
    /// HTTP 200 with a JSON-looking body of exactly this many bytes.
    Oversized(usize),
    /// Process the request normally (state changes, orders counted), then answer with the
    /// inner fault: "the provider got it but the answer was lost".
    AfterProcessing(Box<Fault>),
}

/// What to do after a fault has been looked at.
#[derive(Debug)]
pub(crate) enum Action {
    /// Answer with this reply.
    Reply(Reply),
    /// Answer normally (possibly after a delay already waited).
    Normal,
}

/// Renders a fault for a route. `normal` is the reply already produced when the request
/// was processed first (`AfterProcessing`).
pub(crate) async fn render(fault: Fault, route: Route, normal: Option<&Reply>) -> Action {
    match fault {
        Fault::Latency(d) => {
            tokio::time::sleep(d).await;
            Action::Normal
        }
        Fault::Status(code) => {
            let text = match code {
                500 => "Internal Server Error",
                502 => "Bad Gateway",
                503 => "Service Unavailable",
                504 => "Gateway Timeout",
                _ => "Error",
            };
            Action::Reply(Reply::bytes(code, "text/plain; charset=utf-8", text))
        }
        Fault::ProviderError(code) => Action::Reply(provider_error(code, route)),
        Fault::Unauthorized => Action::Reply(unauthorized(route)),
        Fault::TooManyRequests { retry_after } => {
            let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
            Action::Reply(
                Reply::json(429, &ojson!({"message": "Too Many Requests"}))
                    .with_header("retry-after", secs.to_string()),
            )
        }
        Fault::MalformedJson => Action::Reply(Reply::bytes(
            200,
            "application/json; charset=utf-8",
            "{\"status\":\"200\",\"data\":{\"token\":\"abc\",",
        )),
        Fault::Html => Action::Reply(
            Reply::bytes(503, "text/html; charset=UTF-8", CLOUDFLARE_PAGE)
                .with_header("server", "cloudflare")
                .with_header("cf-ray", "8666000000000000-NBO"),
        ),
        Fault::DropConnection => Action::Reply(Reply {
            wire: Wire::Drop,
            ..Reply::empty(200)
        }),
        Fault::Truncated => {
            let body = match normal {
                Some(r) if r.body.len() > 2 => r.body.clone(),
                _ => Bytes::from_static(
                    b"{\"status\":\"200\",\"message\":\"Request processed successfully\"}",
                ),
            };
            let full = body.len();
            Action::Reply(Reply {
                status: 200,
                headers: vec![
                    (
                        "content-type",
                        "application/json; charset=utf-8".to_string(),
                    ),
                    ("content-length", full.to_string()),
                ],
                body: body.slice(..full / 2),
                wire: Wire::Truncated,
            })
        }
        Fault::Oversized(n) => Action::Reply(Reply::bytes(
            200,
            "application/json; charset=utf-8",
            oversized(n),
        )),
        Fault::AfterProcessing(inner) => {
            // Nested `AfterProcessing` collapses: the request was processed once already.
            let mut inner = *inner;
            while let Fault::AfterProcessing(next) = inner {
                inner = *next;
            }
            Box::pin(render(inner, route, normal)).await
        }
    }
}

/// The provider's authentication-failure answer for a route.
pub(crate) fn unauthorized(route: Route) -> Reply {
    match route.provider() {
        ProviderName::Pesapal => crate::pesapal::wire::invalid_token(),
        ProviderName::Azampay => crate::azampay::wire::unauthorized(route),
        ProviderName::Clickpesa => crate::clickpesa::wire::unauthorized(),
        ProviderName::Mpesa => crate::mpesa::unauthorized(route),
    }
}

/// The provider's own readable error answer with this status.
fn provider_error(code: u16, route: Route) -> Reply {
    if route.provider() == ProviderName::Mpesa {
        return crate::mpesa::provider_error(code);
    }
    let body = match route.provider() {
        ProviderName::Pesapal => ojson!({
            "error": {"error_type": "api_error", "code": "internal_error", "message": "An error occurred"},
            "status": "500",
        }),
        ProviderName::Azampay => {
            ojson!({"message": "Internal Server Error", "success": false, "statusCode": code})
        }
        ProviderName::Clickpesa | ProviderName::Mpesa => {
            ojson!({"message": "Endpoint request timed out"})
        }
    };
    Reply::json(code, &body)
}

/// A JSON-looking body of exactly `n` bytes.
fn oversized(n: usize) -> Bytes {
    const HEAD: &[u8] = b"{\"data\":\"";
    const TAIL: &[u8] = b"\"}";
    if n < HEAD.len() + TAIL.len() {
        return Bytes::from(vec![b' '; n]);
    }
    let mut v = Vec::with_capacity(n);
    v.extend_from_slice(HEAD);
    v.resize(n - TAIL.len(), b'x');
    v.extend_from_slice(TAIL);
    Bytes::from(v)
}

const CLOUDFLARE_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en-US\">\n<head><title>Just a moment...</title></head>\n<body>\n<div class=\"cf-error-details\">\n<h1>Error 503</h1>\n<p>Service Temporarily Unavailable</p>\n<p>Cloudflare Ray ID: <strong>8666000000000000</strong></p>\n</div>\n</body>\n</html>\n";

#[cfg(test)]
mod tests {
    use super::oversized;

    #[test]
    fn oversized_is_exact() {
        for n in [0usize, 5, 11, 12, 100, 4096] {
            assert_eq!(oversized(n).len(), n);
        }
    }
}
