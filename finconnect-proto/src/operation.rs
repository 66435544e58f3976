//! Operations: typed requests that become `http::Request` values and read the
//! matching `http::Response`.
//!
//! Unlike the sketch in the design notes (`to_request(&self, auth)`), the
//! provider's configuration is passed in rather than stored in every operation:
//! operations stay plain data (cheap to build, clone, log and fuzz), the base URLs
//! and credentials live once in the provider's [`Api`] value, and the same
//! operation can be sent to the sandbox or to production unchanged — the shape
//! ruma uses with its `base_url` argument.

use crate::retry::Idempotency;
use crate::{AccessToken, Error, Provider, TokenGrant};
use std::time::Duration;

/// A provider's configuration, seen from the driver: how to authenticate and how
/// to recognise a refused token.
pub trait Api {
    /// Which provider this is.
    const PROVIDER: Provider;
    /// The operation that fetches a token.
    type Auth: Operation<Api = Self, Output = TokenGrant> + Send;

    /// The authentication operation for these credentials.
    fn auth(&self) -> Self::Auth;

    /// How long before its expiry a token is replaced (default 60 s).
    fn token_margin(&self) -> Duration {
        Duration::from_secs(60)
    }

    /// Whether an answer to an authenticated call means "token refused"
    /// (HTTP 401 by default; PesaPal also says so in a 200 body).
    fn is_auth_failure(&self, response: &http::Response<Vec<u8>>) -> bool {
        response.status() == http::StatusCode::UNAUTHORIZED
    }
}

/// One provider endpoint: how to write its request and read its answer.
pub trait Operation {
    /// The provider configuration it is sent with.
    type Api: Api;
    /// What a successful answer yields.
    type Output;
    /// The provider's name for the endpoint, for logs and errors.
    const NAME: &'static str;
    /// Whether sending it twice can do harm.
    const IDEMPOTENCY: Idempotency;

    /// Whether it needs a bearer token (every operation but authentication does).
    fn requires_auth(&self) -> bool {
        true
    }

    /// The merchant reference it concerns, quoted by [`Error::OutcomeUnknown`] so
    /// the user knows what to query.
    fn reference(&self) -> Option<String> {
        None
    }

    /// Writes the request. `token` is `Some` whenever [`Operation::requires_auth`].
    fn to_request(
        &self,
        api: &Self::Api,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error>;

    /// Reads the answer, whatever its HTTP status.
    #[allow(clippy::wrong_self_convention)]
    fn from_response(&self, response: http::Response<Vec<u8>>) -> Result<Self::Output, Error>;
}
