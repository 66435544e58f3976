//! `POST /api/Auth/RequestToken`.

use super::config::PesapalConfig;
use super::wire::{self, Answer};
use crate::operation::{Host, Parts};
use crate::retry::Idempotency;
use crate::{Error, Expiry, Operation, Secret, TokenGrant};
use std::time::SystemTime;

/// Fetches a bearer token with the configuration's consumer key and secret.
///
/// The token's lifetime comes from `expiryDate` (UTC, 7 fractional digits; PesaPal
/// announces 5-minute tokens, its sandbox has issued 1-hour ones); when it is
/// missing or unreadable, 5 minutes are assumed. When the answer carries a `Date`
/// header, the lifetime is `expiryDate − Date` (PesaPal's clock against PesaPal's
/// clock) and runs from the moment the answer arrived, so a skewed local clock
/// does not make fresh tokens look expired; without it, `expiryDate` is taken as
/// an absolute instant. Refused keys (`invalid_consumer_key_or_secret_provided`)
/// give [`Error::Unauthorized`] with a hint about the other environment's keys.
/// Error texts never quote the body of this answer (it holds the token).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestToken;

/// Reads the `Date` header (IMF-fixdate, `Mon, 18 Mar 2024 15:25:45 GMT`).
fn http_date(headers: &http::HeaderMap) -> Option<SystemTime> {
    let text = headers.get(http::header::DATE)?.to_str().ok()?;
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let t = time::PrimitiveDateTime::parse(text.trim(), format).ok()?;
    Some(t.assume_utc().into())
}

impl Operation for RequestToken {
    type Api = PesapalConfig;
    type Output = TokenGrant;
    const NAME: &'static str = "RequestToken";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;
    const REQUIRES_AUTH: bool = false;

    fn request(&self, api: &PesapalConfig) -> Result<Parts, Error> {
        let body = wire::object(&[
            ("consumer_key", api.consumer_key().expose()),
            ("consumer_secret", api.consumer_secret().expose()),
        ])?;
        Ok(Parts::post(Host::Api, "/api/Auth/RequestToken", body))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<TokenGrant, Error> {
        let answer = Answer::parse(Self::NAME, &response, true)?;
        answer.check()?;
        let token = answer.required("token")?;
        let at = wire::text(&answer.v, "expiryDate").and_then(|t| crate::wire::parse_rfc3339(&t));
        // Measured against PesaPal's own clock when the answer is dated, so a
        // local clock that is off does not make every token look expired.
        let lifetime = at
            .zip(http_date(response.headers()))
            .and_then(|(at, date)| at.duration_since(date).ok())
            .filter(|lifetime| !lifetime.is_zero());
        let expiry = match (lifetime, at) {
            (Some(lifetime), _) => Expiry::After(lifetime),
            (None, Some(at)) => Expiry::At(at),
            (None, None) => Expiry::After(PesapalConfig::DEFAULT_TOKEN_LIFETIME),
        };
        Ok(TokenGrant {
            value: Secret::new(token),
            expiry,
        })
    }
}
