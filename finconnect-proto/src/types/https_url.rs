use crate::Error;
use core::net::IpAddr;
use std::fmt;
use url::{Host, Url};

/// Where a URL may point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlPolicy {
    /// A live provider: `https` only, and never a loopback or private host (the
    /// provider could not reach it).
    Public,
    /// The sandbox or a test: `http` allowed, loopback and private hosts allowed.
    Local,
}

/// A URL checked against a [`UrlPolicy`]: the base URL of a provider, or a
/// callback/IPN URL a provider will call.
///
/// ```
/// use finconnect_proto::{HttpsUrl, UrlPolicy};
/// assert!(HttpsUrl::parse("https://shop.example/ipn", UrlPolicy::Public).is_ok());
/// assert!(HttpsUrl::parse("http://shop.example/ipn", UrlPolicy::Public).is_err());
/// assert!(HttpsUrl::parse("https://127.0.0.1/ipn", UrlPolicy::Public).is_err());
/// assert!(HttpsUrl::parse("http://127.0.0.1:8080/ipn", UrlPolicy::Local).is_ok());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct HttpsUrl(Url);

impl HttpsUrl {
    /// Parses and checks a URL.
    pub fn parse(raw: &str, policy: UrlPolicy) -> Result<Self, Error> {
        let url = Url::parse(raw.trim())
            .map_err(|e| Error::invalid("url", format!("{raw:?} is not a URL: {e}")))?;
        Self::check(url, policy)
    }

    /// Checks an already parsed URL.
    pub fn check(url: Url, policy: UrlPolicy) -> Result<Self, Error> {
        match (url.scheme(), policy) {
            ("https", _) | ("http", UrlPolicy::Local) => {}
            (scheme, UrlPolicy::Public) => {
                return Err(Error::invalid(
                    "url",
                    format!("{url} uses {scheme}:// but a live provider needs https://"),
                ))
            }
            (scheme, UrlPolicy::Local) => {
                return Err(Error::invalid(
                    "url",
                    format!("{url} uses {scheme}://; use http:// or https://"),
                ))
            }
        }
        if url.cannot_be_a_base() || url.host().is_none() {
            return Err(Error::invalid("url", format!("{url} has no host")));
        }
        if policy == UrlPolicy::Public && is_local_host(&url) {
            return Err(Error::invalid(
                "url",
                format!(
                    "{url} points at a local or private address the provider cannot reach; \
                     use `finconnect sandbox` locally, or a public URL"
                ),
            ));
        }
        Ok(HttpsUrl(url))
    }

    /// The URL.
    pub fn as_url(&self) -> &Url {
        &self.0
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Appends `path` (which starts with `/`) to this base URL, keeping any path
    /// the base already has (`https://host/v3` + `/api/x` → `https://host/v3/api/x`).
    pub fn join_path(&self, path: &str) -> String {
        format!("{}{}", self.0.as_str().trim_end_matches('/'), path)
    }
}

/// Whether the URL's host is loopback, private, link-local or `localhost`.
pub fn is_local_host(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost") || d.ends_with(".local")
        }
        Some(Host::Ipv4(ip)) => is_local_ip(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => is_local_ip(IpAddr::V6(ip)),
        None => true,
    }
}

fn is_local_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1])
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| is_local_ip(IpAddr::V4(v4)))
        }
    }
}

impl fmt::Debug for HttpsUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0.as_str())
    }
}

impl fmt::Display for HttpsUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_private_hosts_for_live_providers() {
        for bad in [
            "https://localhost/ipn",
            "https://10.1.2.3/ipn",
            "https://192.168.1.9/ipn",
            "https://172.20.0.1/ipn",
            "https://[::1]/ipn",
            "https://[fd00::1]/ipn",
            "https://printer.local/ipn",
        ] {
            assert!(HttpsUrl::parse(bad, UrlPolicy::Public).is_err(), "{bad}");
            assert!(HttpsUrl::parse(bad, UrlPolicy::Local).is_ok(), "{bad}");
        }
        assert!(HttpsUrl::parse("ftp://x.example/", UrlPolicy::Local).is_err());
        assert!(HttpsUrl::parse("not a url", UrlPolicy::Local).is_err());
    }

    #[test]
    fn joins_paths_under_the_base() {
        let base =
            HttpsUrl::parse("https://cybqa.pesapal.com/pesapalv3/", UrlPolicy::Public).unwrap();
        assert_eq!(
            base.join_path("/api/Auth/RequestToken"),
            "https://cybqa.pesapal.com/pesapalv3/api/Auth/RequestToken"
        );
    }
}
