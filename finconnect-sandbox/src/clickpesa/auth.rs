//! `POST /generate-token` and token checks.

use std::time::{Instant, SystemTime};

use crate::json::ojson;

use super::wire;
use crate::credentials::{CLICKPESA_API_KEY, CLICKPESA_CLIENT_ID};
use crate::http::{Reply, Req};
use crate::ids;
use crate::state::{lock, State};

pub(crate) fn generate_token(state: &State, req: &Req) -> Reply {
    let (Some(client_id), Some(api_key)) = (req.header("client-id"), req.header("api-key")) else {
        return wire::unauthorized();
    };
    if client_id != CLICKPESA_CLIENT_ID {
        return wire::message(403, "Invalid client details");
    }
    if api_key != CLICKPESA_API_KEY {
        return wire::message(403, "Invalid or Expired API-Key");
    }
    let lifetime = state.config.clickpesa_token_lifetime;
    let iat = ids::epoch_secs(SystemTime::now());
    let jwt = ids::jwt(&ojson!({
        "id": ids::hex32(),
        "clientId": CLICKPESA_CLIENT_ID,
        "iat": iat,
        "exp": iat + lifetime.as_secs() as i64,
    }));
    // The token already carries the `Bearer ` prefix; clients send it verbatim.
    let token = format!("Bearer {jwt}");
    lock(&state.clickpesa)
        .tokens
        .insert(token.clone(), Instant::now() + lifetime);
    Reply::json(200, &ojson!({"success": true, "token": token}))
}

/// Whether `Authorization` is exactly a live token as returned.
pub(crate) fn authorized(state: &State, req: &Req) -> bool {
    req.header("authorization").is_some_and(|value| {
        lock(&state.clickpesa)
            .tokens
            .get(value.trim())
            .is_some_and(|expires| Instant::now() < *expires)
    })
}
