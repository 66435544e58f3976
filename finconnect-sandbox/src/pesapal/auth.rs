//! `POST /api/Auth/RequestToken` and bearer checks.

use std::time::{Instant, SystemTime};

use crate::json::ojson;
use serde_json::Value;

use super::wire;
use crate::credentials::{PESAPAL_CONSUMER_KEY, PESAPAL_CONSUMER_SECRET};
use crate::http::{Reply, Req};
use crate::ids;
use crate::state::{lock, State};

pub(crate) fn request_token(state: &State, req: &Req) -> Reply {
    let Some(body) = req.json_object() else {
        return wire::invalid_params("");
    };
    let key = body.get("consumer_key").and_then(Value::as_str);
    let secret = body.get("consumer_secret").and_then(Value::as_str);
    if key.is_none() || secret.is_none() {
        return wire::invalid_params("");
    }
    if key != Some(PESAPAL_CONSUMER_KEY) || secret != Some(PESAPAL_CONSUMER_SECRET) {
        return wire::invalid_credentials();
    }
    let lifetime = state.config.pesapal_token_lifetime;
    let now = SystemTime::now();
    let iat = ids::epoch_secs(now);
    let token = ids::jwt(&ojson!({
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/userdata": ids::guid(),
        "uid": "sandbox",
        "jti": ids::hex32(),
        "nbf": iat,
        "exp": iat + lifetime.as_secs() as i64,
        "iat": iat,
        "iss": state.origin(),
        "aud": state.origin(),
    }));
    lock(&state.pesapal)
        .tokens
        .insert(token.clone(), Instant::now() + lifetime);
    Reply::json(
        200,
        &ojson!({
            "token": token,
            "expiryDate": ids::dotnet_utc(now + lifetime),
            "error": null,
            "status": "200",
            "message": "Request processed successfully"
        }),
    )
}

/// Accepts a live bearer token; otherwise the invalid-token answer.
pub(crate) fn check(state: &State, req: &Req) -> Result<(), Reply> {
    let valid = req.bearer().is_some_and(|token| {
        lock(&state.pesapal)
            .tokens
            .get(token)
            .is_some_and(|expires| Instant::now() < *expires)
    });
    if valid {
        Ok(())
    } else {
        Err(wire::invalid_token())
    }
}
