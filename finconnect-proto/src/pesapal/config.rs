//! The PesaPal configuration: credentials, base URL, URL policy.

use super::auth::RequestToken;
use super::wire;
use crate::operation::{Api, Host, Parts};
use crate::{AccessToken, Error, HttpsUrl, Provider, Secret, UrlPolicy};
use std::time::Duration;

/// Which PesaPal environment a configuration talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Environment {
    /// `https://cybqa.pesapal.com/pesapalv3`.
    Sandbox,
    /// `https://pay.pesapal.com/v3`.
    Live,
    /// Another base URL (`finconnect sandbox`, a test server, a proxy).
    Custom,
}

/// Credentials and endpoint of one PesaPal merchant account in one environment.
///
/// `Debug` never shows the consumer key or secret (both are [`Secret`]: the JWTs
/// PesaPal issues even embed the consumer key).
///
/// ```
/// use finconnect_proto::pesapal::PesapalConfig;
/// use finconnect_proto::UrlPolicy;
/// let live = PesapalConfig::live("my-key", "my-s3cr3t").unwrap();
/// assert_eq!(live.base_url().as_str(), "https://pay.pesapal.com/v3");
/// assert!(!format!("{live:?}").contains("my-s3cr3t") && !format!("{live:?}").contains("my-key"));
/// assert!(PesapalConfig::sandbox("", "secret").is_err());
/// // The local simulator speaks plain http on loopback:
/// let local = PesapalConfig::custom("k", "s", "http://127.0.0.1:8080/pesapalv3", UrlPolicy::Local).unwrap();
/// assert_eq!(local.url("/api/Auth/RequestToken"), "http://127.0.0.1:8080/pesapalv3/api/Auth/RequestToken");
/// assert!(PesapalConfig::custom("k", "s", "http://pay.pesapal.com/v3", UrlPolicy::Public).is_err());
/// ```
#[derive(Clone, Debug)]
pub struct PesapalConfig {
    consumer_key: Secret,
    consumer_secret: Secret,
    base_url: HttpsUrl,
    policy: UrlPolicy,
    environment: Environment,
}

impl PesapalConfig {
    /// The sandbox base URL (`/pesapalv3` is part of it).
    pub const SANDBOX_BASE_URL: &'static str = "https://cybqa.pesapal.com/pesapalv3";
    /// The live base URL (`/v3` is part of it).
    pub const LIVE_BASE_URL: &'static str = "https://pay.pesapal.com/v3";
    /// How long a token is assumed to last when `expiryDate` is missing or unreadable.
    pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(5 * 60);
    /// How long before its expiry a token is replaced.
    pub const TOKEN_MARGIN: Duration = Duration::from_secs(60);

    /// PesaPal's sandbox (`cybqa.pesapal.com`) with sandbox keys. IPN and callback
    /// URLs must still be public: PesaPal's sandbox has to reach them.
    pub fn sandbox(
        consumer_key: impl Into<Secret>,
        consumer_secret: impl Into<Secret>,
    ) -> Result<Self, Error> {
        Self::build(
            consumer_key.into(),
            consumer_secret.into(),
            Self::SANDBOX_BASE_URL,
            UrlPolicy::Public,
            Environment::Sandbox,
        )
    }

    /// PesaPal live (`pay.pesapal.com`) with live keys.
    pub fn live(
        consumer_key: impl Into<Secret>,
        consumer_secret: impl Into<Secret>,
    ) -> Result<Self, Error> {
        Self::build(
            consumer_key.into(),
            consumer_secret.into(),
            Self::LIVE_BASE_URL,
            UrlPolicy::Public,
            Environment::Live,
        )
    }

    /// Any base URL (including its path part, e.g. `/pesapalv3`), checked against
    /// `policy`: [`UrlPolicy::Public`] needs `https://` and a public host (and then
    /// also refuses local IPN/callback URLs); [`UrlPolicy::Local`] allows
    /// `http://127.0.0.1:PORT/...` for `finconnect sandbox` and tests.
    pub fn custom(
        consumer_key: impl Into<Secret>,
        consumer_secret: impl Into<Secret>,
        base_url: &str,
        policy: UrlPolicy,
    ) -> Result<Self, Error> {
        Self::build(
            consumer_key.into(),
            consumer_secret.into(),
            base_url,
            policy,
            Environment::Custom,
        )
    }

    fn build(
        consumer_key: Secret,
        consumer_secret: Secret,
        base_url: &str,
        policy: UrlPolicy,
        environment: Environment,
    ) -> Result<Self, Error> {
        for (what, value) in [("key", &consumer_key), ("secret", &consumer_secret)] {
            if value.expose().trim().is_empty() {
                return Err(Error::config(format!(
                    "the PesaPal consumer {what} is empty; set it from the merchant dashboard (sandbox and live keys differ)"
                )));
            }
        }
        let base_url = HttpsUrl::parse_base("PesaPal base URL", base_url, policy)?;
        if base_url.as_url().query().is_some() || base_url.as_url().fragment().is_some() {
            return Err(Error::config(
                "the PesaPal base URL must not have a query or fragment",
            ));
        }
        Ok(PesapalConfig {
            consumer_key,
            consumer_secret,
            base_url,
            policy,
            environment,
        })
    }

    /// The consumer key (put on the wire only by [`RequestToken`]).
    pub fn consumer_key(&self) -> &Secret {
        &self.consumer_key
    }

    /// The consumer secret.
    pub fn consumer_secret(&self) -> &Secret {
        &self.consumer_secret
    }

    /// The base URL, path part included.
    pub fn base_url(&self) -> &HttpsUrl {
        &self.base_url
    }

    /// Where IPN and callback URLs may point.
    pub fn policy(&self) -> UrlPolicy {
        self.policy
    }

    /// Sandbox, live or custom.
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// The full URL of an API path (which starts with `/api/`).
    pub fn url(&self, path: &str) -> String {
        self.base_url.join_path(path)
    }
}

impl Api for PesapalConfig {
    const PROVIDER: Provider = Provider::Pesapal;
    type Auth = RequestToken;

    fn auth(&self) -> RequestToken {
        RequestToken
    }

    fn token_margin(&self) -> Duration {
        Self::TOKEN_MARGIN
    }

    /// The base URL joined with the path, the query form-encoded, `Accept` and
    /// `Content-Type: application/json` on every call (PesaPal marks both
    /// required, GET included), and `Authorization: Bearer <token>` when given.
    fn finish(
        &self,
        parts: Parts,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        if parts.host != Host::Api {
            return Err(Error::Misuse("PesaPal has one host: Host::Api"));
        }
        let url = crate::wire::url(&self.base_url, &parts.path, &parts.query);
        let body = crate::wire::body_bytes(parts.body)?.unwrap_or_default();
        let builder = crate::wire::request(parts.method, &url, None)?.header(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(wire::JSON),
        );
        let builder = crate::wire::authorize(builder, token)?;
        crate::wire::finish(builder, body)
    }

    /// HTTP 401, or an answer of any HTTP status whose error is
    /// `invalid_api_credentials_provided` or of type `authentication_error`.
    fn is_auth_failure(&self, response: &http::Response<Vec<u8>>) -> bool {
        response.status() == http::StatusCode::UNAUTHORIZED || wire::refuses_token(response)
    }
}
