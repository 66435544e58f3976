//! AzamPay JSON shapes: the `{data,message,success,statusCode}` envelope, ASP.NET validation
//! problems, gateway errors.

use crate::json::{ojson, Json};
use serde_json::Value;

use crate::http::Reply;
use crate::ids;
use crate::route::Route;

/// The auth-failure answer of a route.
pub(crate) fn unauthorized(route: Route) -> Reply {
    match route {
        Route::AzampayToken => invalid_app(),
        Route::AzampayDisburse | Route::AzampayNameLookup | Route::AzampayDisbursementStatus => {
            Reply::json(
                401,
                &ojson!({"message": "Please Provide Valid Authorization", "status": "Error"}),
            )
        }
        // ASP.NET JwtBearer: 401, empty body, a WWW-Authenticate challenge.
        _ => Reply::empty(401).with_header("www-authenticate", "Bearer"),
    }
}

/// 423: wrong app credentials or expired secret.
pub(crate) fn invalid_app() -> Reply {
    Reply::json(
        423,
        &ojson!({
            "data": null,
            "message": "Provided detail is not valid for this app or secret key has been expired",
            "success": false,
            "statusCode": 423
        }),
    )
}

/// 400 ASP.NET validation problem with per-field messages.
pub(crate) fn problem(errors: &[(&str, &str)]) -> Reply {
    let mut map = Json::Object(Vec::new());
    for (field, message) in errors {
        map.set(field, ojson!([message]));
    }
    Reply::json(
        400,
        &ojson!({
            "type": "https://tools.ietf.org/html/rfc7231#section-6.5.1",
            "title": "One or more validation errors occurred.",
            "status": 400,
            "traceId": format!("00-{}-{}-00", ids::hex32(), &ids::hex32()[..16]),
            "errors": map
        }),
    )
    .with_header("content-type", "application/problem+json; charset=utf-8")
}

/// The problem ASP.NET writes for a body that is not JSON.
pub(crate) fn unreadable_body() -> Reply {
    problem(&[
        ("$", "The JSON value could not be converted. Path: $ | LineNumber: 0 | BytePositionInLine: 0."),
        ("request", "The request field is required."),
    ])
}

/// A positive amount up to 5,000,000 from a JSON string or number, kept as the string the
/// callback will carry.
pub(crate) fn amount_text(v: Option<&Value>) -> Option<String> {
    let (text, value) = match v? {
        Value::String(s) => (s.trim().to_string(), s.trim().parse::<f64>().ok()?),
        Value::Number(n) => (n.to_string(), n.as_f64()?),
        _ => return None,
    };
    (value.is_finite() && value > 0.0 && value <= 5_000_000.0).then_some(text)
}

/// MSISDN as the official plugin accepts it: `255xxxxxxxxx`, `0xxxxxxxxx` or `xxxxxxxxx`.
pub(crate) fn msisdn_ok(s: &str) -> bool {
    let digits = s.chars().all(|c| c.is_ascii_digit());
    digits
        && ((s.len() == 12 && s.starts_with("255"))
            || (s.len() == 10 && s.starts_with('0'))
            || s.len() == 9)
}
