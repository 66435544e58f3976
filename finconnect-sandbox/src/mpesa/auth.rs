//! `GET /oauth/v1/generate?grant_type=client_credentials` with Basic auth, and bearer checks.

use std::time::Instant;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::wire;
use crate::credentials::{MPESA_CONSUMER_KEY, MPESA_CONSUMER_SECRET};
use crate::http::{Reply, Req};
use crate::ids;
use crate::json::ojson;
use crate::state::{lock, State};

/// Issues a token. `expires_in` is a **string** (`"3599"`: the lifetime minus one second), as
/// the live API sends it.
pub(crate) fn generate(state: &State, req: &Req) -> Reply {
    if req.query_param("grant_type") != Some("client_credentials") {
        return wire::error(400, "400.008.02", "Invalid grant type passed");
    }
    let Some(credentials) = basic(req) else {
        return wire::error(400, "400.008.01", "Invalid Authentication passed");
    };
    if credentials
        != (
            MPESA_CONSUMER_KEY.to_string(),
            MPESA_CONSUMER_SECRET.to_string(),
        )
    {
        // Daraja's body for a wrong key or secret is unrecorded: an empty 400.
        return Reply::empty(400).with_header("cache-control", "no-store");
    }
    let token = ids::upper_alnum(28)
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 3 == 0 {
                c.to_ascii_lowercase()
            } else {
                c
            }
        })
        .collect::<String>();
    let lifetime = state.config.mpesa_token_lifetime;
    lock(&state.mpesa)
        .tokens
        .insert(token.clone(), Instant::now() + lifetime);
    let expires_in = lifetime.as_secs().saturating_sub(1).to_string();
    Reply::json(
        200,
        &ojson!({"access_token": token, "expires_in": expires_in}),
    )
}

/// `(key, secret)` of `Authorization: Basic base64(key:secret)`.
fn basic(req: &Req) -> Option<(String, String)> {
    let value = req.header("authorization")?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (key, secret) = text.split_once(':')?;
    Some((key.to_string(), secret.to_string()))
}

/// Accepts a live bearer token; otherwise Daraja's answer (`404.001.03`, or `404.001.04`
/// without a bearer header).
pub(crate) fn check(state: &State, req: &Req) -> Result<(), Reply> {
    let Some(token) = req.bearer() else {
        return Err(wire::invalid_auth_header());
    };
    let live = lock(&state.mpesa)
        .tokens
        .get(token)
        .is_some_and(|expires| Instant::now() < *expires);
    if live {
        Ok(())
    } else {
        Err(wire::invalid_token())
    }
}
