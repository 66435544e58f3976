//! `POST /generate-token`.

use super::config::ClickpesaConfig;
use super::wire::{answer, ErrorBody};
use crate::operation::{Host, Operation, Parts};
use crate::retry::Idempotency;
use crate::{wire, Error, Expiry, Provider, Secret, TokenGrant};
use serde::Deserialize;

/// Fetches a token with the `client-id` and `api-key` headers. The token comes
/// back already prefixed with `Bearer ` and is sent as is; it lives one hour and
/// no expiry is returned, so the grant says [`Expiry::After`] one hour (and the
/// config refreshes it five minutes early). Pre-KYC accounts may call the API
/// only 100 times a day, token requests included: cache the token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GenerateToken;

#[derive(Deserialize)]
struct TokenBody {
    #[serde(default)]
    success: Option<bool>,
    #[serde(default)]
    token: Option<String>,
}

impl Operation for GenerateToken {
    type Api = ClickpesaConfig;
    type Output = TokenGrant;
    const NAME: &'static str = "/generate-token";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;
    const REQUIRES_AUTH: bool = false;

    /// A `POST` without a body; [`ClickpesaConfig`]'s `finish` adds the
    /// credential headers.
    fn request(&self, _: &ClickpesaConfig) -> Result<Parts, Error> {
        let mut parts = Parts::get(Host::Api, Self::NAME);
        parts.method = http::Method::POST;
        Ok(parts)
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<TokenGrant, Error> {
        let status = response.status().as_u16();
        if status == 401 || status == 403 {
            let message = serde_json::from_slice::<ErrorBody>(response.body())
                .ok()
                .and_then(|b| b.message)
                .unwrap_or_else(|| format!("HTTP {status}"));
            let lower = message.to_ascii_lowercase();
            let hint = if lower.contains("client details") {
                "the client id is wrong, or belongs to another application: copy it from Dashboard → Settings → Developers"
            } else if lower.contains("invalid or expired api-key") {
                "the API key is wrong or past the expiry date set when it was created; create a new key"
            } else if lower.contains("unauthorized api-key") {
                "the API key does not belong to this client id's application"
            } else {
                "the client-id / api-key headers were missing or refused"
            };
            return Err(Error::Unauthorized {
                provider: Provider::Clickpesa,
                message,
                hint: Some(hint),
            });
        }
        // No body of this answer is quoted, readable or not: whatever answered
        // (a gateway, a proxy) may have echoed the credentials, and a success
        // holds the token.
        let withheld = |e: Error| match e {
            Error::Decode {
                context,
                reason,
                http_status,
                ..
            } => Error::decode_withheld(context, reason, http_status),
            other => other,
        };
        let body: TokenBody = answer(self, &response).map_err(withheld)?;
        match body.token {
            Some(token) if body.success != Some(false) && !token.trim().is_empty() => {
                let token = token.trim();
                let value = if wire::has_bearer_prefix(token) {
                    token.to_owned()
                } else {
                    format!("Bearer {token}")
                };
                Ok(TokenGrant {
                    value: Secret::new(value),
                    expiry: Expiry::After(ClickpesaConfig::TOKEN_LIFETIME),
                })
            }
            _ => Err(Error::decode_withheld(
                format!("ClickPesa {} answer", Self::NAME),
                "no token in the answer (success was false or token empty)",
                Some(status),
            )),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_token_with_a_multibyte_character_near_the_start_does_not_panic() {
        // '€' is 3 bytes at offsets 6..9: slicing the first 7 bytes would panic.
        let response = http::Response::new(br#"{"token":"abcdef\u20acx"}"#.to_vec());
        let grant = GenerateToken.read(response).unwrap();
        assert_eq!(grant.value.expose(), "Bearer abcdef€x");
        let response = http::Response::new("{\"token\":\"abcdef€x\"}".as_bytes().to_vec());
        let grant = GenerateToken.read(response).unwrap();
        assert_eq!(grant.value.expose(), "Bearer abcdef€x");
    }
}
