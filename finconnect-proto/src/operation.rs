//! Operations: typed requests described as data ([`Parts`]) that the provider's
//! [`Api`] finishes into an `http::Request`, and readers of the matching
//! `http::Response`.
//!
//! The split follows what changes where: an operation knows its method, path,
//! query and body; the provider's configuration knows the base URLs, the
//! headers, how a bearer token is written and (ClickPesa) how a body is signed —
//! written once per provider in [`Api::finish`] instead of in every operation.
//! Operations stay plain data (cheap to build, clone, log and fuzz), and the same
//! operation goes to the sandbox or to production unchanged — the shape ruma uses
//! with its `base_url` argument.

use crate::retry::Idempotency;
use crate::{AccessToken, Error, Provider, TokenGrant};
use std::time::Duration;

/// Which of a provider's hosts a request goes to. Most providers have one
/// ([`Host::Api`]); AzamPay has three.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Host {
    /// The provider's API (its only host, for most).
    Api,
    /// AzamPay's authenticator.
    Auth,
    /// AzamPay's checkout host.
    Checkout,
    /// AzamPay's disbursement host.
    Disbursement,
}

/// A request body. Its `Debug` shows only its size: a body may hold a
/// credential (PesaPal's token request carries the consumer secret).
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub enum Body {
    /// JSON already written (sent as it is).
    Bytes(Vec<u8>),
    /// A JSON value the provider's [`Api::finish`] may amend before writing it
    /// (ClickPesa adds its checksum).
    Json(serde_json::Value),
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::Bytes(b) => write!(f, "Body::Bytes({} bytes)", b.len()),
            Body::Json(_) => f.write_str("Body::Json(..)"),
        }
    }
}

/// A request as data: what an operation decides. [`Api::finish`] turns it into
/// an `http::Request`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Parts {
    /// The method.
    pub method: http::Method,
    /// Which host.
    pub host: Host,
    /// The path below the host's base URL, starting with `/`.
    pub path: String,
    /// Query pairs (encoded by [`Api::finish`]).
    pub query: Vec<(String, String)>,
    /// The body, if any.
    pub body: Option<Body>,
}

impl Parts {
    /// A `GET` of `path` on `host`.
    pub fn get(host: Host, path: impl Into<String>) -> Self {
        Parts {
            method: http::Method::GET,
            host,
            path: path.into(),
            query: Vec::new(),
            body: None,
        }
    }

    /// A `POST` of `body` to `path` on `host`.
    pub fn post(host: Host, path: impl Into<String>, body: Body) -> Self {
        Parts {
            method: http::Method::POST,
            host,
            path: path.into(),
            query: Vec::new(),
            body: Some(body),
        }
    }

    /// Adds a query pair.
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }
}

/// A provider's configuration, seen from the driver: how to finish requests, how
/// to authenticate and how to recognise a refused token.
pub trait Api {
    /// Which provider this is.
    const PROVIDER: Provider;
    /// The operation that fetches a token.
    type Auth: Operation<Api = Self, Output = TokenGrant> + Send;

    /// The authentication operation for these credentials.
    fn auth(&self) -> Self::Auth;

    /// Finishes a request described by an operation: the host's base URL, the
    /// provider's headers, the bearer `token` when given, a signature where the
    /// provider wants one.
    fn finish(
        &self,
        parts: Parts,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let _ = (parts, token);
        Err(Error::Misuse(
            "this provider finishes its requests in each operation",
        ))
    }

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

/// One provider endpoint: its request as data, and the reader of its answer.
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
    const REQUIRES_AUTH: bool = true;

    /// The merchant reference it concerns, quoted by [`Error::OutcomeUnknown`] so
    /// the user knows what to query.
    fn reference(&self) -> Option<String> {
        None
    }

    /// The request, as data; the provider's [`Api::finish`] completes it.
    fn request(&self, api: &Self::Api) -> Result<Parts, Error>;

    /// Reads the answer, whatever its HTTP status.
    fn read(&self, response: http::Response<Vec<u8>>) -> Result<Self::Output, Error>;
}
