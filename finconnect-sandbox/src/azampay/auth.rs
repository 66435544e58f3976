//! `POST /AppRegistration/GenerateToken` and bearer checks.

use std::time::{Instant, SystemTime};

use crate::json::ojson;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::Rng;
use serde_json::Value;

use super::wire;
use crate::credentials::{AZAMPAY_APP_NAME, AZAMPAY_CLIENT_ID, AZAMPAY_CLIENT_SECRET};
use crate::http::{Reply, Req};
use crate::ids;
use crate::state::{lock, State};

pub(crate) fn generate_token(state: &State, req: &Req) -> Reply {
    let Some(body) = req.json_object() else {
        return wire::unreadable_body();
    };
    let field = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let (app, client, secret) = (field("appName"), field("clientId"), field("clientSecret"));
    let mut missing = Vec::new();
    if app.is_none() {
        missing.push(("AppName", "The AppName field is required."));
    }
    if client.is_none() {
        missing.push(("ClientId", "The ClientId field is required."));
    }
    if secret.is_none() {
        missing.push(("ClientSecret", "The ClientSecret field is required."));
    }
    if !missing.is_empty() {
        return wire::problem(&missing);
    }
    if app != Some(AZAMPAY_APP_NAME)
        || client != Some(AZAMPAY_CLIENT_ID)
        || secret != Some(AZAMPAY_CLIENT_SECRET)
    {
        return wire::invalid_app();
    }
    // Looks like the real thing: base64 of an OpenSSL "Salted__" blob, not a JWT.
    let mut blob = b"Salted__".to_vec();
    let mut rng = rand::thread_rng();
    blob.extend((0..120).map(|_| rng.gen::<u8>()));
    let token = STANDARD.encode(blob);
    let lifetime = state.config.azampay_token_lifetime;
    lock(&state.azampay)
        .tokens
        .insert(token.clone(), Instant::now() + lifetime);
    Reply::json(
        200,
        &ojson!({
            "data": {"accessToken": token, "expire": ids::iso_seconds(SystemTime::now() + lifetime)},
            "message": "Token generated successfully",
            "success": true,
            "statusCode": 200
        }),
    )
}

/// Whether the request carries a live bearer token.
pub(crate) fn authorized(state: &State, req: &Req) -> bool {
    req.bearer().is_some_and(|token| {
        lock(&state.azampay)
            .tokens
            .get(token)
            .is_some_and(|expires| Instant::now() < *expires)
    })
}
