//! `POST {auth}/AppRegistration/GenerateToken`.

use super::wire::{self as aw, Host};
use super::AzampayConfig;
use crate::retry::Idempotency;
use crate::{wire, AccessToken, Error, Expiry, Operation, Provider, Secret, TokenGrant};
use http::Method;
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GenerateToken;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    app_name: &'a str,
    client_id: &'a str,
    client_secret: &'a str,
}

impl Operation for GenerateToken {
    type Api = AzampayConfig;
    type Output = TokenGrant;
    const NAME: &'static str = "GenerateToken";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn requires_auth(&self) -> bool {
        false
    }

    fn to_request(
        &self,
        api: &AzampayConfig,
        _token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let body = wire::to_json(&Body {
            app_name: &api.app_name,
            client_id: &api.client_id,
            client_secret: api.client_secret.expose(),
        })?;
        aw::request(
            api,
            Method::POST,
            Host::Auth,
            "/AppRegistration/GenerateToken",
            None,
            Some(body),
        )
    }

    fn from_response(&self, response: http::Response<Vec<u8>>) -> Result<TokenGrant, Error> {
        let status = response.status().as_u16();
        let body = response.body();
        if status == 423 {
            // Read the message if we can; the status alone decides.
            let message = serde_json::from_slice::<Value>(body)
                .ok()
                .and_then(|v| v.as_object().and_then(aw::message))
                .unwrap_or_else(|| "credentials refused (HTTP 423)".to_owned());
            return Err(Error::Unauthorized {
                provider: Provider::Azampay,
                message,
                hint: Some(aw::HINT_423),
            });
        }
        if wire::looks_like_html(body) {
            return Err(Error::decode_withheld(
                "AzamPay token answer",
                "the answer is an HTML page, not JSON (a proxy or firewall answered; try again later)",
                Some(status),
            ));
        }
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| Error::decode_withheld("AzamPay token answer", e, Some(status)))?;
        aw::check(Self::NAME, status, &value, None)?;
        let data = value
            .as_object()
            .and_then(|o| aw::get_ci(o, &["data"]))
            .and_then(Value::as_object)
            .ok_or_else(|| {
                Error::decode_withheld("AzamPay token answer", "no `data` object", Some(status))
            })?;
        let token = aw::text(aw::get_ci(data, &["accessToken"])).ok_or_else(|| {
            Error::decode_withheld(
                "AzamPay token answer",
                "no `data.accessToken`",
                Some(status),
            )
        })?;
        let expiry = aw::text(aw::get_ci(data, &["expire", "expireAt", "expires"]))
            .and_then(|t| parse_expire(&t))
            .map(Expiry::At)
            .unwrap_or(Expiry::After(FALLBACK_TOKEN_LIFETIME));
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
