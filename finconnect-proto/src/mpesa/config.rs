//! The M-Pesa configuration: Daraja app credentials, the base URL, the
//! M-Pesa Express (STK) shortcode and passkey, and the initiator of the
//! disbursement family.

use super::auth::{GenerateToken, PATH as OAUTH_PATH};
use super::security::{Initiator, SecurityCredential};
use super::types::Shortcode;
use super::wire;
use crate::operation::{Api, Host, Parts};
use crate::{AccessToken, Error, HttpsUrl, Provider, Secret, UrlPolicy};
use base64::Engine as _;
use rsa::rand_core::CryptoRngCore;
use std::fmt;
use std::time::Duration;

/// Which Daraja environment a configuration talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Environment {
    /// `https://sandbox.safaricom.co.ke`.
    Sandbox,
    /// `https://api.safaricom.co.ke`.
    Production,
    /// Another base URL (a local simulator, a test server, a proxy).
    Custom,
}

/// The M-Pesa Express (STK push) credentials: the business shortcode and its
/// passkey (per environment; production passkeys arrive by e-mail at go-live).
#[derive(Clone, Debug)]
pub struct Express {
    /// The `BusinessShortCode` (a paybill, or a till's store number).
    pub shortcode: Shortcode,
    /// The Lipa na M-Pesa Online passkey.
    pub passkey: Secret,
}

/// Credentials and endpoint of one Daraja app in one environment.
///
/// `Debug` never shows the consumer key, the consumer secret, the passkey or
/// the initiator password (all are [`Secret`]).
///
/// ```
/// use finconnect_proto::mpesa::{MpesaConfig, Shortcode};
/// use finconnect_proto::UrlPolicy;
/// let config = MpesaConfig::sandbox("my-key", "my-s3cr3t")?
///     .with_express(Shortcode::new("174379")?, "pa55key")?;
/// assert_eq!(config.base_url().as_str(), "https://sandbox.safaricom.co.ke/");
/// let shown = format!("{config:?}");
/// assert!(!shown.contains("my-key") && !shown.contains("my-s3cr3t") && !shown.contains("pa55key"));
/// assert!(MpesaConfig::live("", "secret").is_err());
/// // A local simulator speaks plain http on loopback:
/// let local = MpesaConfig::custom("k", "s", "http://127.0.0.1:8080", UrlPolicy::Local)?;
/// assert_eq!(local.url("/oauth/v1/generate"), "http://127.0.0.1:8080/oauth/v1/generate");
/// # Ok::<(), finconnect_proto::Error>(())
/// ```
#[derive(Clone)]
pub struct MpesaConfig {
    consumer_key: Secret,
    consumer_secret: Secret,
    base_url: HttpsUrl,
    policy: UrlPolicy,
    environment: Environment,
    express: Option<Express>,
    initiator: Option<Initiator>,
}

impl fmt::Debug for MpesaConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MpesaConfig")
            .field("consumer_key", &self.consumer_key)
            .field("consumer_secret", &self.consumer_secret)
            .field("base_url", &self.base_url)
            .field("policy", &self.policy)
            .field("environment", &self.environment)
            .field("express", &self.express)
            .field("initiator", &self.initiator)
            .finish()
    }
}

impl MpesaConfig {
    /// The sandbox base URL.
    pub const SANDBOX_BASE_URL: &'static str = "https://sandbox.safaricom.co.ke";
    /// The production base URL.
    pub const LIVE_BASE_URL: &'static str = "https://api.safaricom.co.ke";
    /// How long before its expiry a token is replaced (`expires_in` − 60 s).
    pub const TOKEN_MARGIN: Duration = Duration::from_secs(60);

    /// Daraja's sandbox with the sandbox app's keys. Callback URLs must still be
    /// public: Safaricom has to reach them.
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

    /// Daraja production with the production app's keys.
    pub fn live(
        consumer_key: impl Into<Secret>,
        consumer_secret: impl Into<Secret>,
    ) -> Result<Self, Error> {
        Self::build(
            consumer_key.into(),
            consumer_secret.into(),
            Self::LIVE_BASE_URL,
            UrlPolicy::Public,
            Environment::Production,
        )
    }

    /// Any base URL, checked against `policy`: [`UrlPolicy::Public`] needs
    /// `https://` and a public host (and then also refuses local callback URLs);
    /// [`UrlPolicy::Local`] allows `http://127.0.0.1:PORT` for a simulator.
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
                    "the M-Pesa consumer {what} is empty; copy it from the Daraja app (sandbox and production keys differ)"
                )));
            }
            if value.expose().contains(':') && what == "key" {
                return Err(Error::config(
                    "the M-Pesa consumer key holds ':', which Basic authentication cannot carry",
                ));
            }
        }
        let base_url = HttpsUrl::parse_base("M-Pesa base URL", base_url, policy)?;
        if base_url.as_url().query().is_some() || base_url.as_url().fragment().is_some() {
            return Err(Error::config(
                "the M-Pesa base URL must not have a query or fragment",
            ));
        }
        Ok(MpesaConfig {
            consumer_key,
            consumer_secret,
            base_url,
            policy,
            environment,
            express: None,
            initiator: None,
        })
    }

    /// Adds the M-Pesa Express (STK push and query) shortcode and passkey.
    pub fn with_express(
        mut self,
        shortcode: Shortcode,
        passkey: impl Into<Secret>,
    ) -> Result<Self, Error> {
        let passkey = passkey.into();
        if passkey.expose().trim().is_empty() {
            return Err(Error::config(
                "the M-Pesa Express passkey is empty; it is on the Daraja portal (sandbox) or in Safaricom's go-live e-mail (production)",
            ));
        }
        self.express = Some(Express { shortcode, passkey });
        Ok(self)
    }

    /// Adds the initiator of the disbursement family (B2C, transaction status,
    /// account balance, reversal): its shortcode, name, password and the
    /// certificate of this environment.
    pub fn with_initiator(mut self, initiator: Initiator) -> Self {
        self.initiator = Some(initiator);
        self
    }

    /// The consumer key (put on the wire only by [`GenerateToken`]).
    pub fn consumer_key(&self) -> &Secret {
        &self.consumer_key
    }

    /// The consumer secret.
    pub fn consumer_secret(&self) -> &Secret {
        &self.consumer_secret
    }

    /// The base URL.
    pub fn base_url(&self) -> &HttpsUrl {
        &self.base_url
    }

    /// Where callback URLs may point.
    pub fn policy(&self) -> UrlPolicy {
        self.policy
    }

    /// Sandbox, production or custom.
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// The M-Pesa Express credentials, if configured.
    pub fn express(&self) -> Option<&Express> {
        self.express.as_ref()
    }

    /// The M-Pesa Express credentials, or a configuration error naming `operation`.
    pub(crate) fn require_express(&self, operation: &str) -> Result<&Express, Error> {
        self.express.as_ref().ok_or_else(|| {
            Error::config(format!(
                "{operation} needs the M-Pesa Express shortcode and passkey: MpesaConfig::with_express"
            ))
        })
    }

    /// The initiator, if configured.
    pub fn initiator(&self) -> Option<&Initiator> {
        self.initiator.as_ref()
    }

    /// The initiator, or a configuration error naming `operation`.
    pub(crate) fn require_initiator(&self, operation: &str) -> Result<&Initiator, Error> {
        self.initiator.as_ref().ok_or_else(|| {
            Error::config(format!(
                "{operation} needs an initiator (name, password, Safaricom's certificate): MpesaConfig::with_initiator"
            ))
        })
    }

    /// A `SecurityCredential` for the configured initiator: its password
    /// encrypted to the configured certificate, with randomness from `rng`
    /// (the core draws none itself). Any valid credential works and may be
    /// reused across requests.
    pub fn security_credential<R: CryptoRngCore>(
        &self,
        rng: &mut R,
    ) -> Result<SecurityCredential, Error> {
        self.require_initiator("a SecurityCredential")?
            .security_credential(rng)
    }

    /// The full URL of an API path.
    pub fn url(&self, path: &str) -> String {
        self.base_url.join_path(path)
    }

    /// `Basic base64(consumer_key:consumer_secret)`, marked sensitive.
    fn basic(&self) -> Result<http::HeaderValue, Error> {
        let pair = format!(
            "{}:{}",
            self.consumer_key.expose(),
            self.consumer_secret.expose()
        );
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair.as_bytes());
        crate::wire::secret_header(&format!("Basic {encoded}"))
    }
}

impl Api for MpesaConfig {
    const PROVIDER: Provider = Provider::Mpesa;
    type Auth = GenerateToken;

    fn auth(&self) -> GenerateToken {
        GenerateToken
    }

    fn token_margin(&self) -> Duration {
        Self::TOKEN_MARGIN
    }

    /// The base URL joined with the path, the query form-encoded, `Accept:
    /// application/json`, `Content-Type: application/json` on every request
    /// with a body (a missing one makes Daraja refuse the first field), and
    /// `Authorization`: `Basic` with the consumer key and secret for the OAuth
    /// path, `Bearer <token>` otherwise.
    fn finish(
        &self,
        parts: Parts,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        if parts.host != Host::Api {
            return Err(Error::Misuse("M-Pesa has one host: Host::Api"));
        }
        let url = crate::wire::url(&self.base_url, &parts.path, &parts.query);
        let body = crate::wire::body_bytes(parts.body)?;
        let builder = crate::wire::request(parts.method, &url, body.as_ref().map(|_| Vec::new()))?;
        let builder = if parts.path == OAUTH_PATH {
            builder.header(http::header::AUTHORIZATION, self.basic()?)
        } else {
            crate::wire::authorize(builder, token)?
        };
        crate::wire::finish(builder, body.unwrap_or_default())
    }

    /// HTTP 401, or Daraja's error envelope (at any status) with a refused-token
    /// code: `404.001.03`, `400.003.01` or `401.002.01`.
    fn is_auth_failure(&self, response: &http::Response<Vec<u8>>) -> bool {
        response.status() == http::StatusCode::UNAUTHORIZED || wire::refuses_token(response)
    }
}
