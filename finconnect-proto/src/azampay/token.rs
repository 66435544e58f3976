//! `POST {auth}/AppRegistration/GenerateToken`.

use super::wire as aw;
use super::AzampayConfig;
use crate::operation::{Host, Parts};
use crate::retry::Idempotency;
use crate::{wire, Error, Expiry, Operation, Provider, Secret, TokenGrant};
use serde::Serialize;
use serde_json::Value;
use std::time::Duration;

/// How long a token is assumed to last when the answer carries no readable
/// `data.expire` (AzamPay documents no lifetime; short, so it is refreshed early).
pub const FALLBACK_TOKEN_LIFETIME: Duration = Duration::from_secs(300);

/// Fetches an access token with the configured app name, client id and secret
/// (and `X-API-Key` when configured). Output: a [`TokenGrant`] expiring at
/// `data.expire`; the driver refreshes it 60 s before.
///
/// Errors: HTTP/body 423 ⇒ [`Error::Unauthorized`] with a hint; a 400 validation
/// problem ⇒ [`Error::Invalid`] listing each field; 500 ⇒ [`Error::Provider`].
/// An error never quotes the answer (it may hold a token).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GenerateToken;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Credentials<'a> {
    app_name: &'a str,
    client_id: &'a str,
    client_secret: &'a str,
}

impl Operation for GenerateToken {
    type Api = AzampayConfig;
    type Output = TokenGrant;
    const NAME: &'static str = "GenerateToken";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;
    const REQUIRES_AUTH: bool = false;

    fn request(&self, api: &AzampayConfig) -> Result<Parts, Error> {
        let body = Credentials {
            app_name: &api.app_name,
            client_id: &api.client_id,
            client_secret: api.client_secret.expose(),
        };
        aw::post(Host::Auth, "/AppRegistration/GenerateToken", &body)
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<TokenGrant, Error> {
        let (status, body) = (response.status().as_u16(), response.body());
        let withheld = |reason: &dyn std::fmt::Display| {
            Error::decode_withheld(aw::context(Self::NAME), reason, Some(status))
        };
        let value = serde_json::from_slice::<Value>(body);
        if status == 423 {
            // The status alone decides; the message is read if there is one.
            return Err(Error::Unauthorized {
                provider: Provider::Azampay,
                message: (value.ok().as_ref().and_then(Value::as_object))
                    .and_then(aw::message)
                    .unwrap_or_else(|| "credentials refused (HTTP 423)".to_owned()),
                hint: Some(aw::HINT_423),
            });
        }
        if wire::looks_like_html(body) {
            return Err(withheld(&"the answer is an HTML page, not JSON (a proxy or firewall answered; try again later)"));
        }
        let value = value.map_err(|e| withheld(&e))?;
        aw::check(Self::NAME, status, &value, None)?;
        let data = (value.as_object().and_then(|o| aw::object_of(o, "data")))
            .ok_or_else(|| withheld(&"no `data` object"))?;
        let token = aw::text_of(data, &["accessToken"])
            .ok_or_else(|| withheld(&"no `data.accessToken`"))?;
        let expiry = aw::text_of(data, &["expire", "expireAt", "expires"])
            .and_then(|t| parse_expire(&t))
            .map_or(Expiry::After(FALLBACK_TOKEN_LIFETIME), Expiry::At);
        Ok(TokenGrant {
            value: Secret::new(token),
            expiry,
        })
    }
}

/// `2023-03-02T04:21:29Z`; a timestamp without an offset is read as UTC (.NET
/// writes `DateTime` values that way).
pub(crate) fn parse_expire(text: &str) -> Option<std::time::SystemTime> {
    wire::parse_rfc3339(text).or_else(|| {
        let t = text.trim();
        if t.len() >= 19
            && !t.ends_with('Z')
            && t.get(10..).is_some_and(|rest| !rest.contains(['+', '-']))
        {
            wire::parse_rfc3339(&format!("{t}Z"))
        } else {
            None
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn expire_without_offset_is_utc() {
        let a = parse_expire("2023-03-02T04:21:29Z").unwrap();
        assert_eq!(parse_expire("2023-03-02T04:21:29"), Some(a));
        assert_eq!(parse_expire("garbage"), None);
        assert_eq!(parse_expire("ééééééééééééééééééééé"), None);
    }
}
