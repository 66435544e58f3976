//! IPN URL management: `POST /api/URLSetup/RegisterIPN` and
//! `GET /api/URLSetup/GetIpnList`.

use super::config::PesapalConfig;
use super::wire::{self, Answer};
use crate::operation::{Host, Parts};
use crate::retry::Idempotency;
use crate::{Error, HttpsUrl, Operation, UrlPolicy};
use serde_json::Value;
use std::fmt;
use std::time::SystemTime;

/// The id of a registered IPN URL (`ipn_id`), which SubmitOrderRequest calls
/// `notification_id`. It belongs to one merchant account **and one environment**.
///
/// Not checked to be a GUID (PesaPal's own samples hold a malformed one); it must be
/// non-empty, printable and at most 100 characters.
///
/// ```
/// use finconnect_proto::pesapal::IpnId;
/// assert!(IpnId::new("1da86d1c-1e8c-4183-bdfd-dd759463e4ce").is_ok());
/// assert!(IpnId::new("").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpnId(String);

impl IpnId {
    /// Checks and wraps an `ipn_id`.
    pub fn new(value: impl Into<String>) -> Result<Self, Error> {
        let value = value.into();
        if value.trim().is_empty() || value.chars().count() > 100 {
            return Err(Error::invalid(
                "ipn_id",
                "must be the non-empty ipn_id RegisterIpn returned (at most 100 characters)",
            ));
        }
        if value.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(Error::invalid(
                "ipn_id",
                "holds whitespace or control characters; copy the ipn_id exactly",
            ));
        }
        Ok(IpnId(value))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for IpnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IpnId({:?})", self.0)
    }
}

impl fmt::Display for IpnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The HTTP method PesaPal uses to call an IPN URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IpnMethod {
    /// `GET` with the identifiers in the query (`notification_type` 0).
    Get,
    /// `POST` with a JSON body (`notification_type` 1).
    Post,
}

impl IpnMethod {
    /// `"GET"` or `"POST"`, as `ipn_notification_type` wants it.
    pub fn as_str(self) -> &'static str {
        match self {
            IpnMethod::Get => "GET",
            IpnMethod::Post => "POST",
        }
    }

    fn from_wire(v: &Value) -> Option<IpnMethod> {
        match wire::text(v, "ipn_notification_type_description")
            .map(|s| s.trim().to_ascii_uppercase())
            .as_deref()
        {
            Some("GET") => return Some(IpnMethod::Get),
            Some("POST") => return Some(IpnMethod::Post),
            _ => {}
        }
        match wire::int(v, "notification_type") {
            Some(0) => Some(IpnMethod::Get),
            Some(1) => Some(IpnMethod::Post),
            _ => None,
        }
    }
}

/// A registered IPN URL, from RegisterIpn or GetIpnList.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpnRegistration {
    /// Use as the `notification_id` of orders.
    pub ipn_id: IpnId,
    /// The URL PesaPal calls.
    pub url: String,
    /// The method PesaPal uses, when the answer says (`notification_type` /
    /// `ipn_notification_type_description`).
    pub method: Option<IpnMethod>,
    /// `ipn_status` 1 = active, 0 = inactive, when given.
    pub active: Option<bool>,
    /// `ipn_status_decription` (the wire's spelling) or `ipn_status_description`.
    pub status_description: Option<String>,
    /// `created_date` as sent (UTC with 7 fractional digits).
    pub created_date: Option<String>,
    /// PesaPal's internal row id (`id`), when given.
    pub id: Option<i64>,
}

impl IpnRegistration {
    /// `created_date` as an instant, when it parses.
    pub fn created_at(&self) -> Option<SystemTime> {
        self.created_date
            .as_deref()
            .and_then(crate::wire::parse_rfc3339)
    }

    /// Reads one registration (the body of RegisterIPN, an item of GetIpnList).
    fn from_value(answer: &Answer<'_>, v: &Value) -> Result<Self, Error> {
        let ipn_id = IpnId::new(answer.required_in(v, "ipn_id")?).map_err(|e| answer.bad(e))?;
        Ok(IpnRegistration {
            ipn_id,
            url: wire::text(v, "url").unwrap_or_default(),
            method: IpnMethod::from_wire(v),
            active: wire::int(v, "ipn_status").and_then(|s| match s {
                1 => Some(true),
                0 => Some(false),
                _ => None,
            }),
            status_description: wire::non_empty(v, "ipn_status_decription")
                .or_else(|| wire::non_empty(v, "ipn_status_description")),
            created_date: wire::non_empty(v, "created_date"),
            id: wire::int(v, "id"),
        })
    }
}

/// Checks an IPN or callback URL against the configuration's policy: with
/// [`UrlPolicy::Public`] (PesaPal's sandbox and live) a localhost or private
/// address is refused before anything is sent — PesaPal could not reach it.
pub(crate) fn check_url(field: &str, url: &url::Url, policy: UrlPolicy) -> Result<(), Error> {
    HttpsUrl::check(url.clone(), policy)
        .map(|_| ())
        .map_err(|e| match e {
            // HttpsUrl's reason already says what to do for a local address:
            // "use `finconnect sandbox` locally, or a public URL".
            Error::Invalid { reason, .. } => Error::invalid(field, reason),
            other => other,
        })
}

/// Registers a URL for IPNs, with the method PesaPal should use to call it.
///
/// With a [`UrlPolicy::Public`] configuration a localhost/private URL is refused
/// before sending. Re-registering a URL may return the existing record unchanged
/// (its old method): register a new URL to change the method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterIpn {
    url: url::Url,
    method: IpnMethod,
}

impl RegisterIpn {
    /// A registration of `url` (checked for syntax here, and against the
    /// configuration's policy when the request is written).
    pub fn new(url: &str, method: IpnMethod) -> Result<Self, Error> {
        let url = url::Url::parse(url.trim())
            .map_err(|e| Error::invalid("ipn url", format!("{url:?} is not a URL: {e}")))?;
        Ok(RegisterIpn { url, method })
    }

    /// The URL.
    pub fn url(&self) -> &url::Url {
        &self.url
    }

    /// The method.
    pub fn method(&self) -> IpnMethod {
        self.method
    }
}

impl Operation for RegisterIpn {
    type Api = PesapalConfig;
    type Output = IpnRegistration;
    const NAME: &'static str = "RegisterIPN";
    // Registering the same URL twice returns the same kind of record; no money moves.
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn request(&self, api: &PesapalConfig) -> Result<Parts, Error> {
        check_url("ipn url", &self.url, api.policy())?;
        let body = wire::object(&[
            ("url", self.url.as_str()),
            ("ipn_notification_type", self.method.as_str()),
        ])?;
        Ok(Parts::post(Host::Api, "/api/URLSetup/RegisterIPN", body))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<IpnRegistration, Error> {
        let answer = Answer::parse(Self::NAME, &response, false)?;
        answer.check()?;
        IpnRegistration::from_value(&answer, &answer.v)
    }
}

/// Lists the IPN URLs registered for these credentials in this environment.
///
/// The answer is a bare JSON array (or an error object). The list may lag a fresh
/// registration by a moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GetIpnList;

impl GetIpnList {
    /// Finds the registration of `url` in a list (exact match, then ignoring a
    /// trailing slash and the case of scheme and host).
    pub fn find<'a>(list: &'a [IpnRegistration], url: &str) -> Option<&'a IpnRegistration> {
        let norm = |u: &str| {
            url::Url::parse(u.trim())
                .map(|p| p.as_str().trim_end_matches('/').to_owned())
                .unwrap_or_else(|_| u.trim().trim_end_matches('/').to_owned())
        };
        list.iter()
            .find(|r| r.url == url)
            .or_else(|| list.iter().find(|r| norm(&r.url) == norm(url)))
    }
}

impl Operation for GetIpnList {
    type Api = PesapalConfig;
    type Output = Vec<IpnRegistration>;
    const NAME: &'static str = "GetIpnList";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn request(&self, _api: &PesapalConfig) -> Result<Parts, Error> {
        Ok(Parts::get(Host::Api, "/api/URLSetup/GetIpnList"))
    }

    /// A list is a bare JSON array; an error comes as PesaPal's error object.
    fn read(&self, response: http::Response<Vec<u8>>) -> Result<Vec<IpnRegistration>, Error> {
        let answer = Answer::parse(Self::NAME, &response, false)?;
        let Value::Array(items) = &answer.v else {
            if answer.v.is_object() {
                answer.check()?;
            }
            return Err(answer.bad("expected a list of IPN URLs"));
        };
        answer.http_failure()?;
        items
            .iter()
            .map(|item| IpnRegistration::from_value(&answer, item))
            .collect()
    }
}
