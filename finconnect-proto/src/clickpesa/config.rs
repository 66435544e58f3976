//! The ClickPesa configuration: credentials, checksum key and base URL, and how
//! every request is finished (base URL, token or credentials, checksum).

use super::auth::GenerateToken;
use super::checksum::{self, ChecksumMethod};
use crate::operation::{Api, Body, Host, Operation, Parts};
use crate::{wire, AccessToken, Error, HttpsUrl, Provider, Secret, UrlPolicy};
use http::HeaderName;
use std::time::Duration;

/// ClickPesa credentials and endpoint.
///
/// **ClickPesa has no sandbox**, so there is no `sandbox()` constructor:
/// [`ClickpesaConfig::live`] is production, where every call moves real money
/// (test with small amounts), and [`ClickpesaConfig::custom`] points at another
/// base URL (the local simulator). `Debug` never shows the API key or the
/// checksum key.
///
/// ```
/// use finconnect_proto::clickpesa::{ClickpesaConfig, ChecksumMethod};
/// use finconnect_proto::UrlPolicy;
/// let live = ClickpesaConfig::live("IDabc", "SKxyz").unwrap()
///     .with_checksum_key("checksum-key");
/// assert_eq!(live.base_url().as_str(), "https://api.clickpesa.com/third-parties");
/// assert!(!format!("{live:?}").contains("SKxyz"));
///
/// let local = ClickpesaConfig::custom(
///     "IDabc", "SKxyz", "http://127.0.0.1:8080/third-parties", UrlPolicy::Local,
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
    pub const LIVE_BASE_URL: &'static str = "https://api.clickpesa.com/third-parties";
    /// How long a token lives (ClickPesa: one hour from issue; no expiry is returned).
    pub const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
    /// How long before expiry a token is replaced (so it is refreshed at ~55 min).
    pub const TOKEN_MARGIN: Duration = Duration::from_secs(300);

    /// Production, with the client id and API key of an application from the
    /// dashboard (Settings → Developers).
    pub fn live(client_id: impl Into<String>, api_key: impl Into<Secret>) -> Result<Self, Error> {
        Self::custom(client_id, api_key, Self::LIVE_BASE_URL, UrlPolicy::Public)
    }

    /// Another base URL, checked against `policy` (the local simulator:
    /// `http://127.0.0.1:PORT/third-parties` with [`UrlPolicy::Local`]).
    pub fn custom(
        client_id: impl Into<String>,
        api_key: impl Into<Secret>,
        base_url: &str,
        policy: UrlPolicy,
    ) -> Result<Self, Error> {
        let client_id = client_id.into();
        let api_key = api_key.into();
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
        let base_url = HttpsUrl::parse_base("ClickPesa base URL", base_url, policy)?;
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
    pub fn with_checksum_key(mut self, key: impl Into<Secret>) -> Self {
        let key = key.into();
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

    /// ClickPesa has one host. A JSON body is signed when a checksum key is
    /// configured (`checksum`, plus `"checksumMethod": "legacy"` for the legacy
    /// method); bytes are sent as they are. The token goes in `Authorization`
    /// as ClickPesa issued it (already `Bearer …`); the token request alone
    /// carries the `client-id` and `api-key` headers instead.
    fn finish(
        &self,
        parts: Parts,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        if parts.host != Host::Api {
            return Err(Error::Misuse("ClickPesa has a single host (Host::Api)"));
        }
        let url = wire::url(&self.base_url, &parts.path, &parts.query);
        let body = match parts.body {
            Some(Body::Json(mut value)) => {
                if let Some(key) = &self.checksum_key {
                    checksum::sign(&mut value, key, self.checksum_method)?;
                }
                Some(wire::to_json(&value)?)
            }
            other => wire::body_bytes(other)?,
        };
        let builder = wire::request(parts.method, &url, body.as_ref().map(|_| Vec::new()))?;
        let builder = match token {
            Some(_) => wire::authorize(builder, token)?,
            None if parts.path == GenerateToken::NAME => builder
                .header(
                    HeaderName::from_static("client-id"),
                    wire::secret_header(&self.client_id)?,
                )
                .header(
                    HeaderName::from_static("api-key"),
                    wire::secret_header(self.api_key.expose())?,
                ),
            None => return Err(Error::Misuse("ClickPesa operation sent without a token")),
        };
        wire::finish(builder, body.unwrap_or_default())
    }

    fn token_margin(&self) -> Duration {
        Self::TOKEN_MARGIN
    }
}
