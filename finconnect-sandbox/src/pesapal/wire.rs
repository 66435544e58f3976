//! PesaPal JSON shapes (status as a string, `error_type`, the `decription` typo, …).

use crate::json::{ojson, Json};

use crate::http::Reply;

/// Adds the headers ASP.NET behind Cloudflare sends.
pub(crate) fn aspnet_headers(reply: Reply) -> Reply {
    reply
        .with_header("cache-control", "no-cache")
        .with_header("pragma", "no-cache")
        .with_header("expires", "-1")
        .with_header("x-aspnet-version", "4.0.30319")
        .with_header("x-powered-by", "ASP.NET")
        .with_header("server", "cloudflare")
}

/// An error object.
pub(crate) fn error(error_type: &str, code: &str, message: &str) -> Json {
    ojson!({"error_type": error_type, "code": code, "message": message})
}

/// `{"error": {...}, "status": "500"}` with HTTP 200 (business errors come back as 200).
pub(crate) fn error_reply(error_type: &str, code: &str, message: &str) -> Reply {
    Reply::json(
        200,
        &ojson!({"error": error(error_type, code, message), "status": "500"}),
    )
}

/// Wrong consumer key/secret (fixture `error_invalid_credentials.json`).
pub(crate) fn invalid_credentials() -> Reply {
    error_reply("api_error", "invalid_consumer_key_or_secret_provided", "")
}

/// The body does not match the endpoint's contract.
pub(crate) fn invalid_params(message: &str) -> Reply {
    error_reply(
        "invalid_request_error",
        "invalid_api_request_parameters",
        message,
    )
}

/// Bad, expired or unknown bearer token (fixture `error_invalid_token.json`: no `status`).
/// Served with HTTP 401.
pub(crate) fn invalid_token() -> Reply {
    aspnet_headers(Reply::json(
        401,
        &ojson!({"error": error("authentication_error", "invalid_api_credentials_provided", "Invalid Access Token")}),
    ))
}

/// `{"status":"500","message":…}` — refund/cancel business failures carry no error object.
pub(crate) fn business_failure(message: &str) -> Reply {
    Reply::json(200, &ojson!({"status": "500", "message": message}))
}

/// SubmitOrderRequest failure: the success keys are there, null.
pub(crate) fn submit_error(error_type: &str, code: &str, message: &str) -> Reply {
    Reply::json(
        200,
        &ojson!({
            "order_tracking_id": null,
            "merchant_reference": null,
            "redirect_url": null,
            "error": error(error_type, code, message),
            "status": "500"
        }),
    )
}
