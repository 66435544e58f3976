//! `POST /generate-token`.

use super::config::ClickpesaConfig;
use crate::operation::Operation;
use crate::retry::Idempotency;
use crate::{wire, AccessToken, Error, Expiry, Provider, Secret, TokenGrant};
use http::HeaderName;
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
    const NAME: &'static str = "generate-token";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn requires_auth(&self) -> bool {
        false
    }

    fn to_request(
        &self,
        api: &ClickpesaConfig,
        _token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let builder = wire::request(http::Method::POST, &api.url("/generate-token"), None)?
            .header(
                HeaderName::from_static("client-id"),
                wire::secret_header(api.client_id())?,
            )
            .header(
                HeaderName::from_static("api-key"),
                wire::secret_header(api.api_key().expose())?,
            );
        wire::finish(builder, Vec::new())
    }

    fn from_response(&self, response: http::Response<Vec<u8>>) -> Result<TokenGrant, Error> {
        let status = response.status().as_u16();
        if status == 401 || status == 403 {
            let message = serde_json::from_slice::<super::wire::ErrorBody>(response.body())
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
        if !response.status().is_success() {
            // An unreadable error answer is not quoted either: whatever answered
            // (a gateway, a proxy) may have echoed the credentials.
            return Err(
                match super::wire::error_from_response(&response, "generate-token answer", None) {
                    Error::Decode {
                        context,
                        reason,
                        http_status,
                        ..
                    } => Error::decode_withheld(context, reason, http_status),
                    other => other,
                },
            );
        }
        let body: TokenBody = serde_json::from_slice(response.body())
            .map_err(|e| Error::decode_withheld("generate-token answer", e, Some(status)))?;
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
                "generate-token answer",
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
        let grant = GenerateToken.from_response(response).unwrap();
        assert_eq!(grant.value.expose(), "Bearer abcdef€x");
        let response = http::Response::new("{\"token\":\"abcdef€x\"}".as_bytes().to_vec());
        let grant = GenerateToken.from_response(response).unwrap();
        assert_eq!(grant.value.expose(), "Bearer abcdef€x");
    }
}
