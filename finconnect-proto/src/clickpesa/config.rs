//! The ClickPesa configuration: credentials, checksum key and base URL.

use super::auth::GenerateToken;
use super::checksum::ChecksumMethod;
use crate::operation::Api;
use crate::{Error, HttpsUrl, Provider, Secret, UrlPolicy};
use std::time::Duration;

/// ClickPesa credentials and endpoint.
///
/// **ClickPesa has no sandbox**: the default base URL is production and every
/// call moves real money (test with small amounts, or point
/// [`ClickpesaConfig::with_base_url`] at the local simulator). `Debug` never
/// shows the API key or the checksum key.
///
/// ```
/// use finconnect_proto::clickpesa::{ClickpesaConfig, ChecksumMethod};
/// use finconnect_proto::{Secret, UrlPolicy};
/// let live = ClickpesaConfig::new("IDabc", Secret::new("SKxyz")).unwrap()
///     .with_checksum_key(Secret::new("checksum-key"));
/// assert_eq!(live.base_url().as_str(), "https://api.clickpesa.com/third-parties");
/// assert!(!format!("{live:?}").contains("SKxyz"));
///
/// let local = ClickpesaConfig::with_base_url(
///     "IDabc", Secret::new("SKxyz"), "http://127.0.0.1:8080/third-parties", UrlPolicy::Local,
/// ).unwrap();
/// assert_eq!(local.checksum_method(), ChecksumMethod::Canonical);
/// ```
#[derive(Clone, Debug)]
pub struct ClickpesaConfig {
    client_id: String,
    api_key: Secret,
    checksum_key: Option<Secret>,
    checksum_method: ChecksumMethod,
    base_url: HttpsUrl,
}

impl ClickpesaConfig {
    /// The production base URL (the only environment ClickPesa has).
    pub const PRODUCTION_URL: &'static str = "https://api.clickpesa.com/third-parties";
    /// How long a token lives (ClickPesa: one hour from issue; no expiry is returned).
    pub const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
    /// How long before expiry a token is replaced (so it is refreshed at ~55 min).
    pub const TOKEN_MARGIN: Duration = Duration::from_secs(300);

    /// Production configuration with a client id and API key from the dashboard.
    pub fn new(client_id: impl Into<String>, api_key: Secret) -> Result<Self, Error> {
        Self::with_base_url(client_id, api_key, Self::PRODUCTION_URL, UrlPolicy::Public)
    }

    /// Configuration for another base URL (the local simulator:
    /// `http://127.0.0.1:PORT/third-parties` with [`UrlPolicy::Local`]).
    pub fn with_base_url(
        client_id: impl Into<String>,
        api_key: Secret,
        base_url: &str,
        policy: UrlPolicy,
    ) -> Result<Self, Error> {
        let client_id = client_id.into();
        if client_id.trim().is_empty() {
            return Err(Error::config(
                "ClickPesa client id is empty; copy it from Dashboard → Settings → Developers",
            ));
        }
        if api_key.is_empty() {
            return Err(Error::config(
                "ClickPesa API key is empty; create one in Dashboard → Settings → Developers",
            ));
        }
        let base_url = HttpsUrl::parse_base(base_url, policy).map_err(|e| {
            Error::config(format!(
                "ClickPesa base URL: {}",
                match e {
                    Error::Invalid { reason, .. } | Error::Config { reason } => reason,
                    other => other.to_string(),
                }
            ))
        })?;
        Ok(ClickpesaConfig {
            client_id,
            api_key,
            checksum_key: None,
            checksum_method: ChecksumMethod::Canonical,
            base_url,
        })
    }

    /// Signs every request body with this checksum key (the "Encryption" key of
    /// the application; enable checksum on the application too).
    pub fn with_checksum_key(mut self, key: Secret) -> Self {
        self.checksum_key = (!key.is_empty()).then_some(key);
        self
    }

    /// Chooses the checksum method (default [`ChecksumMethod::Canonical`]).
    pub fn with_checksum_method(mut self, method: ChecksumMethod) -> Self {
        self.checksum_method = method;
        self
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The API key.
    pub fn api_key(&self) -> &Secret {
        &self.api_key
    }

    /// The checksum key, when request signing is on.
    pub fn checksum_key(&self) -> Option<&Secret> {
        self.checksum_key.as_ref()
    }

    /// The checksum method.
    pub fn checksum_method(&self) -> ChecksumMethod {
        self.checksum_method
    }

    /// The base URL.
    pub fn base_url(&self) -> &HttpsUrl {
        &self.base_url
    }

    /// The full URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        self.base_url.join_path(path)
    }
}

impl Api for ClickpesaConfig {
    const PROVIDER: Provider = Provider::Clickpesa;
    type Auth = GenerateToken;

    fn auth(&self) -> GenerateToken {
        GenerateToken
    }

    fn token_margin(&self) -> Duration {
        Self::TOKEN_MARGIN
    }
}
