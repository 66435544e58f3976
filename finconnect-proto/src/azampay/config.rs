//! [`AzampayConfig`]: credentials, the three hosts, and the paths the public
//! sources disagree about.

use super::public_key::AzampayPublicKey;
use super::token::GenerateToken;
use crate::operation::Api;
use crate::{Error, HttpsUrl, Provider, Secret, UrlPolicy};

/// Sandbox authenticator host (reference §1).
pub const SANDBOX_AUTH_URL: &str = "https://authenticator-sandbox.azampay.co.tz";
/// Sandbox checkout / collections host.
pub const SANDBOX_CHECKOUT_URL: &str = "https://sandbox.azampay.co.tz";
/// Sandbox disbursement host (current docs).
pub const SANDBOX_DISBURSEMENT_URL: &str = "https://api-disbursement-sandbox.azampay.co.tz";
/// Production authenticator host.
pub const LIVE_AUTH_URL: &str = "https://authenticator.azampay.co.tz";
/// Production checkout / collections host.
pub const LIVE_CHECKOUT_URL: &str = "https://checkout.azampay.co.tz";
/// Production disbursement host. **Unconfirmed**: AzamPay does not publish it; this
/// is the guess of a community SDK. Override it with
/// [`AzampayConfig::with_disbursement_base_url`] once AzamPay tells you the host.
pub const LIVE_DISBURSEMENT_URL: &str = "https://api-disbursement.azampay.co.tz";

/// Where the callback-signing public key is fetched from. **Uncertain**: the
/// documented endpoint was reported to answer 404 on the sandbox (reference §11.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicKeyLocation {
    /// `GET {checkout}/azampay/v1/public-key?format=…` (documented; the default).
    Documented,
    /// `GET {auth}/api/Token/PublicKey` (seen in the sandbox authenticator's swagger
    /// by one integrator; unverified).
    Authenticator,
    /// Any path on the checkout host (starting with `/`, query allowed).
    CheckoutPath(String),
    /// Any path on the authenticator host (starting with `/`, query allowed).
    AuthenticatorPath(String),
}

/// Which generation of the disbursement API to call. **Uncertain** (reference §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisbursementGeneration {
    /// Current docs: `/api/v1/azampay/{disburse,namelookup,transactionstatus}` on the
    /// disbursement host (the default).
    Current,
    /// 2023-era SDKs: `/azampay/{createtransfer,namelookup,gettransactionstatus}` on
    /// the checkout host.
    Legacy,
}

/// How checkout amounts are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountEncoding {
    /// `"amount":"2000"` — what AzamPay's own samples send (the default).
    String,
    /// `"amount":2000` — the type in the OpenAPI document.
    Number,
}

/// AzamPay configuration: credentials, hosts and the uncertain paths.
///
/// `Debug` never shows the client secret or the API key.
///
/// ```
/// use finconnect_proto::azampay::AzampayConfig;
/// use finconnect_proto::{Secret, UrlPolicy};
/// let sandbox = AzampayConfig::sandbox("DemoApp", "client-id", Secret::new("secret"))?
///     .with_api_key(Secret::new("api-key"));
/// assert!(!format!("{sandbox:?}").contains("secret\""));
/// // The local simulator: plain http on loopback.
/// let local = AzampayConfig::custom(
///     "DemoApp", "client-id", Secret::new("secret"),
///     "http://127.0.0.1:8080/auth", "http://127.0.0.1:8080/checkout",
///     "http://127.0.0.1:8080/disburse", UrlPolicy::Local,
/// )?;
/// // A live configuration refuses plain http.
/// assert!(AzampayConfig::custom(
///     "DemoApp", "client-id", Secret::new("secret"),
///     "http://authenticator.azampay.co.tz", "https://checkout.azampay.co.tz",
///     "https://api-disbursement.azampay.co.tz", UrlPolicy::Public,
/// ).is_err());
/// # Ok::<(), finconnect_proto::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct AzampayConfig {
    pub(crate) app_name: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    pub(crate) api_key: Option<Secret>,
    pub(crate) auth_base: HttpsUrl,
    pub(crate) checkout_base: HttpsUrl,
    pub(crate) disbursement_base: HttpsUrl,
    pub(crate) policy: UrlPolicy,
    pub(crate) public_key_location: PublicKeyLocation,
    pub(crate) status_path: String,
    pub(crate) disbursement_generation: DisbursementGeneration,
    pub(crate) amount_encoding: AmountEncoding,
    pub(crate) pinned_public_key: Option<AzampayPublicKey>,
}

/// The default path of the **unofficial** collection status query (reference §9).
pub const DEFAULT_STATUS_PATH: &str = "/api/v1/partner/gettransactionstatus";

impl AzampayConfig {
    /// The sandbox hosts.
    pub fn sandbox(
        app_name: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: Secret,
    ) -> Result<Self, Error> {
        Self::custom(
            app_name,
            client_id,
            client_secret,
            SANDBOX_AUTH_URL,
            SANDBOX_CHECKOUT_URL,
            SANDBOX_DISBURSEMENT_URL,
            UrlPolicy::Public,
        )
    }

    /// The production hosts (the disbursement host is unconfirmed, see
    /// [`LIVE_DISBURSEMENT_URL`]).
    pub fn live(
        app_name: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: Secret,
    ) -> Result<Self, Error> {
        Self::custom(
            app_name,
            client_id,
            client_secret,
            LIVE_AUTH_URL,
            LIVE_CHECKOUT_URL,
            LIVE_DISBURSEMENT_URL,
            UrlPolicy::Public,
        )
    }

    /// Any three base URLs, checked against `policy` ([`UrlPolicy::Public`] refuses
    /// `http://` and private hosts; [`UrlPolicy::Local`] is for the local simulator).
    pub fn custom(
        app_name: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: Secret,
        auth_base_url: &str,
        checkout_base_url: &str,
        disbursement_base_url: &str,
        policy: UrlPolicy,
    ) -> Result<Self, Error> {
        let app_name = app_name.into();
        let client_id = client_id.into();
        if app_name.trim().is_empty() {
            return Err(Error::config(
                "AzamPay app name is empty; use the app name registered in the AzamPay portal",
            ));
        }
        if client_id.trim().is_empty() {
            return Err(Error::config("AzamPay client id is empty"));
        }
        if client_secret.expose().trim().is_empty() {
            return Err(Error::config("AzamPay client secret is empty"));
        }
        Ok(AzampayConfig {
            app_name,
            client_id,
            client_secret,
            api_key: None,
            auth_base: base(auth_base_url, policy, "auth")?,
            checkout_base: base(checkout_base_url, policy, "checkout")?,
            disbursement_base: base(disbursement_base_url, policy, "disbursement")?,
            policy,
            public_key_location: PublicKeyLocation::Documented,
            status_path: DEFAULT_STATUS_PATH.to_owned(),
            disbursement_generation: DisbursementGeneration::Current,
            amount_encoding: AmountEncoding::String,
            pinned_public_key: None,
        })
    }

    /// Sets the optional API key, sent as `X-API-Key` on GenerateToken and on every
    /// request to the checkout host.
    pub fn with_api_key(mut self, api_key: Secret) -> Self {
        self.api_key = if api_key.expose().is_empty() {
            None
        } else {
            Some(api_key)
        };
        self
    }

    /// Replaces the disbursement host (checked against this configuration's policy).
    pub fn with_disbursement_base_url(mut self, url: &str) -> Result<Self, Error> {
        self.disbursement_base = base(url, self.policy, "disbursement")?;
        Ok(self)
    }

    /// Chooses where [`GetPublicKey`](super::GetPublicKey) fetches the key from.
    pub fn with_public_key_location(mut self, location: PublicKeyLocation) -> Self {
        self.public_key_location = location;
        self
    }

    /// Pins AzamPay's callback-signing key (PEM: SPKI `BEGIN PUBLIC KEY` or PKCS#1
    /// `BEGIN RSA PUBLIC KEY`, or .NET `RSAKeyValue` XML). Preferred over fetching.
    pub fn with_pinned_public_key(mut self, text: &str) -> Result<Self, Error> {
        let key = AzampayPublicKey::parse(text).map_err(|e| {
            Error::config(format!(
                "the pinned AzamPay public key cannot be used: {}",
                match e {
                    Error::Signature { reason, .. } => reason,
                    other => other.to_string(),
                }
            ))
        })?;
        self.pinned_public_key = Some(key);
        Ok(self)
    }

    /// Sets the path of the **unofficial** collection status query on the checkout
    /// host (default [`DEFAULT_STATUS_PATH`]).
    pub fn with_status_path(mut self, path: impl Into<String>) -> Result<Self, Error> {
        self.status_path = checked_path(path.into())?;
        Ok(self)
    }

    /// Chooses the disbursement path generation (default: current docs).
    pub fn with_disbursement_generation(mut self, generation: DisbursementGeneration) -> Self {
        self.disbursement_generation = generation;
        self
    }

    /// Chooses how checkout amounts are written (default: as a string).
    pub fn with_amount_encoding(mut self, encoding: AmountEncoding) -> Self {
        self.amount_encoding = encoding;
        self
    }

    /// The app name.
    pub fn app_name(&self) -> &str {
        &self.app_name
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The pinned public key, if one was configured.
    pub fn pinned_public_key(&self) -> Option<&AzampayPublicKey> {
        self.pinned_public_key.as_ref()
    }

    /// The authenticator base URL.
    pub fn auth_base_url(&self) -> &HttpsUrl {
        &self.auth_base
    }

    /// The checkout base URL.
    pub fn checkout_base_url(&self) -> &HttpsUrl {
        &self.checkout_base
    }

    /// The disbursement base URL.
    pub fn disbursement_base_url(&self) -> &HttpsUrl {
        &self.disbursement_base
    }

    /// Where the public key is fetched from.
    pub fn public_key_location(&self) -> &PublicKeyLocation {
        &self.public_key_location
    }

    /// The disbursement generation in use.
    pub fn disbursement_generation(&self) -> DisbursementGeneration {
        self.disbursement_generation
    }

    /// The amount encoding in use.
    pub fn amount_encoding(&self) -> AmountEncoding {
        self.amount_encoding
    }
}

fn base(url: &str, policy: UrlPolicy, which: &str) -> Result<HttpsUrl, Error> {
    HttpsUrl::parse_base(url, policy).map_err(|e| {
        Error::config(format!(
            "AzamPay {which} base URL: {}",
            match e {
                Error::Invalid { reason, .. } | Error::Config { reason } => reason,
                other => other.to_string(),
            }
        ))
    })
}

pub(crate) fn checked_path(path: String) -> Result<String, Error> {
    if !path.starts_with('/') || path.chars().any(|c| c.is_whitespace() || c == '#') {
        return Err(Error::config(format!(
            "path {path:?} must start with '/' and hold no spaces or '#'"
        )));
    }
    Ok(path)
}

impl Api for AzampayConfig {
    const PROVIDER: Provider = Provider::Azampay;
    type Auth = GenerateToken;

    fn auth(&self) -> GenerateToken {
        GenerateToken
    }
}
