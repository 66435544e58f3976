//! `GET /oauth/v1/generate?grant_type=client_credentials`.

use super::config::MpesaConfig;
use super::wire::{self, Answer};
use crate::operation::{Host, Parts};
use crate::retry::Idempotency;
use crate::{Error, Expiry, Operation, Secret, TokenGrant};
use std::time::Duration;

/// The OAuth path ([`MpesaConfig`]'s `finish` puts `Basic` authentication on it).
pub(crate) const PATH: &str = "/oauth/v1/generate";

/// The lifetime assumed when `expires_in` is missing or unreadable (Daraja
/// documents 3600 s).
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// Fetches an access token with the consumer key and secret (`Basic`
/// authentication, written by the configuration).
///
/// `expires_in` is read as a number or a string (`3599` or `"3599"`: the docs
/// show the first, the wire has long carried the second). Daraja says a new
/// token invalidates the previous one: share one token per consumer key (the
/// async layer's single-flight store does). Error texts never quote this
/// answer's body (it holds the token).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GenerateToken;

impl Operation for GenerateToken {
    type Api = MpesaConfig;
    type Output = TokenGrant;
    const NAME: &'static str = "Authorization";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;
    const REQUIRES_AUTH: bool = false;

    fn request(&self, _api: &MpesaConfig) -> Result<Parts, Error> {
        Ok(Parts::get(Host::Api, PATH).query("grant_type", "client_credentials"))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<TokenGrant, Error> {
        if response.status() == http::StatusCode::BAD_REQUEST
            && response.body().iter().all(u8::is_ascii_whitespace)
        {
            // Wrong key or secret: HTTP 400 "Bad Request: Invalid Credentials"
            // with no body.
            return Err(Error::Unauthorized {
                provider: wire::PROVIDER,
                message:
                    "HTTP 400 with no body (Daraja's answer to a wrong consumer key or secret)"
                        .to_owned(),
                hint: Some(
                    "check the consumer key and secret, and that they belong to this environment",
                ),
            });
        }
        let answer = Answer::parse(Self::NAME, &response, true)?;
        answer.check(false, None)?;
        let token = answer.required("access_token")?;
        let lifetime = answer
            .v
            .get("expires_in")
            .and_then(|v| crate::wire::lenient_i64(v).ok().flatten())
            .and_then(|secs| u64::try_from(secs).ok())
            .filter(|secs| *secs > 0)
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_TOKEN_LIFETIME);
        Ok(TokenGrant {
            value: Secret::new(token),
            expiry: Expiry::After(lifetime),
        })
    }
}
