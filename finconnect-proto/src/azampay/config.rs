//! [`AzampayConfig`]: credentials, the three hosts, and the paths the public
//! sources disagree about; and how every AzamPay request is finished.

use super::public_key::AzampayPublicKey;
use super::token::GenerateToken;
use crate::operation::{Api, Host, Parts};
use crate::{wire, AccessToken, Error, HttpsUrl, Provider, Secret, UrlPolicy};

/// AzamPay's three hosts: tokens come from the authenticator, collections go to
/// the checkout host, payouts to the disbursement host. Base URLs, checked when a
/// configuration is built.
///
/// Start from a named set and change one host with struct update syntax:
/// `AzampayEndpoints { disbursement: "https://…", ..LIVE_ENDPOINTS }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AzampayEndpoints<'a> {
    /// The authenticator (`GenerateToken`).
    pub auth: &'a str,
    /// The checkout / collections host.
    pub checkout: &'a str,
    /// The disbursement host.
    pub disbursement: &'a str,
}

/// The sandbox hosts.
pub const SANDBOX_ENDPOINTS: AzampayEndpoints<'static> = AzampayEndpoints {
    auth: "https://authenticator-sandbox.azampay.co.tz",
    checkout: "https://sandbox.azampay.co.tz",
    disbursement: "https://api-disbursement-sandbox.azampay.co.tz",
};

/// The production hosts. The disbursement host is **unconfirmed**: AzamPay does
/// not publish it, and this is the guess of a community SDK. Once AzamPay tells
/// you the host, use [`AzampayConfig::custom`] with
/// `AzampayEndpoints { disbursement: "https://…", ..LIVE_ENDPOINTS }`.
pub const LIVE_ENDPOINTS: AzampayEndpoints<'static> = AzampayEndpoints {
    auth: "https://authenticator.azampay.co.tz",
    checkout: "https://checkout.azampay.co.tz",
    disbursement: "https://api-disbursement.azampay.co.tz",
};

/// Where the callback-signing public key is fetched from. **Uncertain**: the
/// documented endpoint was reported by an integrator to answer 404 on the sandbox.
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

/// Which generation of the disbursement API to call. **Uncertain**: AzamPay's
/// current docs and the 2023-era SDKs disagree on the paths and the host.
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
/// use finconnect_proto::azampay::{AzampayConfig, AzampayEndpoints, LIVE_ENDPOINTS};
/// use finconnect_proto::UrlPolicy;
/// let sandbox = AzampayConfig::sandbox("DemoApp", "client-id", "secret")?.with_api_key("api-key");
/// assert!(!format!("{sandbox:?}").contains("secret\""));
/// // The local simulator: plain http on loopback.
/// let local = AzampayConfig::custom(
///     "DemoApp", "client-id", "secret",
///     AzampayEndpoints {
///         auth: "http://127.0.0.1:8080/auth",
///         checkout: "http://127.0.0.1:8080/checkout",
///         disbursement: "http://127.0.0.1:8080/disburse",
///     },
///     UrlPolicy::Local,
/// )?;
/// // The production hosts with the disbursement host AzamPay gave you.
/// let live = AzampayConfig::custom(
///     "DemoApp", "client-id", "secret",
///     AzampayEndpoints { disbursement: "https://payouts.example", ..LIVE_ENDPOINTS },
///     UrlPolicy::Public,
/// )?;
/// // A public configuration refuses plain http.
/// assert!(AzampayConfig::custom(
///     "DemoApp", "client-id", "secret",
///     AzampayEndpoints { auth: "http://authenticator.azampay.co.tz", ..LIVE_ENDPOINTS },
///     UrlPolicy::Public,
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
    pub(crate) public_key_location: PublicKeyLocation,
    pub(crate) status_path: String,
    pub(crate) disbursement_generation: DisbursementGeneration,
    pub(crate) amount_encoding: AmountEncoding,
    pub(crate) pinned_public_key: Option<AzampayPublicKey>,
}

/// The default path of the **unofficial** collection status query (absent from
/// AzamPay's docs; two integrators use it).
pub const DEFAULT_STATUS_PATH: &str = "/api/v1/partner/gettransactionstatus";

impl AzampayConfig {
    /// The sandbox hosts ([`SANDBOX_ENDPOINTS`]).
    pub fn sandbox(
        app_name: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Result<Self, Error> {
        Self::custom(
            app_name,
            client_id,
            client_secret,
            SANDBOX_ENDPOINTS,
            UrlPolicy::Public,
        )
    }

    /// The production hosts ([`LIVE_ENDPOINTS`]; its disbursement host is
    /// unconfirmed).
    pub fn live(
        app_name: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Result<Self, Error> {
        Self::custom(
            app_name,
            client_id,
            client_secret,
            LIVE_ENDPOINTS,
            UrlPolicy::Public,
        )
    }

    /// Any three hosts, checked against `policy` ([`UrlPolicy::Public`] refuses
    /// `http://` and private hosts; [`UrlPolicy::Local`] is for the local simulator).
    pub fn custom(
        app_name: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        endpoints: AzampayEndpoints<'_>,
        policy: UrlPolicy,
    ) -> Result<Self, Error> {
        let (app_name, client_id) = (app_name.into(), client_id.into());
        let client_secret = client_secret.into();
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
            auth_base: base(endpoints.auth, policy, "auth")?,
            checkout_base: base(endpoints.checkout, policy, "checkout")?,
            disbursement_base: base(endpoints.disbursement, policy, "disbursement")?,
            public_key_location: PublicKeyLocation::Documented,
            status_path: DEFAULT_STATUS_PATH.to_owned(),
            disbursement_generation: DisbursementGeneration::Current,
            amount_encoding: AmountEncoding::String,
            pinned_public_key: None,
        })
    }

    /// Sets the optional API key, sent as `X-API-Key` to the authenticator and
    /// the checkout host, never to the disbursement host (an empty key sets none).
    pub fn with_api_key(mut self, api_key: impl Into<Secret>) -> Self {
        let api_key = api_key.into();
        self.api_key = (!api_key.is_empty()).then_some(api_key);
        self
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
    HttpsUrl::parse_base(&format!("AzamPay {which} base URL"), url, policy)
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

    /// The host's base URL, the query (appended with `&` to a path that already
    /// holds one), `Authorization: Bearer` when a token is given, and
    /// `X-API-Key` when one is configured, to every host but the disbursement one.
    fn finish(
        &self,
        parts: Parts,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let (base, api_key) = match parts.host {
            Host::Auth => (&self.auth_base, self.api_key.as_ref()),
            Host::Checkout => (&self.checkout_base, self.api_key.as_ref()),
            Host::Disbursement => (&self.disbursement_base, None),
            _ => return Err(Error::Misuse("AzamPay has no such host")),
        };
        let url = wire::url(base, &parts.path, &parts.query);
        let body = wire::body_bytes(parts.body)?;
        let builder = wire::request(parts.method, &url, body.as_ref().map(|_| Vec::new()))?;
        let mut builder = wire::authorize(builder, token)?;
        if let Some(key) = api_key {
            builder = builder.header("X-API-Key", wire::secret_header(key.expose())?);
        }
        wire::finish(builder, body.unwrap_or_default())
    }
}
