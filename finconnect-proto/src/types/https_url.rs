use crate::Error;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
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
        let url = Url::parse(raw.trim()).map_err(|e| {
            // A URL that does not parse may still hold `user:password@`: quote it
            // only when it cannot.
            let quoted = if raw.contains('@') {
                "the URL".to_owned()
            } else {
                format!("{raw:?}")
            };
            Error::invalid("url", format!("{quoted} is not a URL: {e}"))
        })?;
        Self::check(url, policy)
    }

    /// Parses and checks a provider's base URL: like [`HttpsUrl::parse`], and
    /// refused with [`Error::Config`] if it holds a user name or password
    /// (`https://user:pw@host`) — credentials belong in the configuration's
    /// credential fields, where they are kept secret.
    ///
    /// `what` names the URL in the error ("PesaPal base URL").
    pub fn parse_base(what: &str, raw: &str, policy: UrlPolicy) -> Result<Self, Error> {
        let url = Self::parse(raw, policy).map_err(|e| match e {
            Error::Invalid { reason, .. } | Error::Config { reason } => {
                Error::config(format!("{what}: {reason}"))
            }
            other => other,
        })?;
        if has_userinfo(url.as_url()) {
            return Err(Error::config(format!(
                "{what}: {} holds a user name or password (user:password@); \
                 remove it and put credentials in the credential fields",
                url.redacted()
            )));
        }
        Ok(url)
    }

    /// Checks an already parsed URL.
    pub fn check(url: Url, policy: UrlPolicy) -> Result<Self, Error> {
        let shown = redact(&url);
        match (url.scheme(), policy) {
            ("https", _) | ("http", UrlPolicy::Local) => {}
            (scheme, UrlPolicy::Public) => {
                return Err(Error::invalid(
                    "url",
                    format!("{shown} uses {scheme}:// but a live provider needs https://"),
                ))
            }
            (scheme, UrlPolicy::Local) => {
                return Err(Error::invalid(
                    "url",
                    format!("{shown} uses {scheme}://; use http:// or https://"),
                ))
            }
        }
        if url.cannot_be_a_base() || url.host().is_none() {
            return Err(Error::invalid("url", format!("{shown} has no host")));
        }
        if policy == UrlPolicy::Public && is_local_host(&url) {
            return Err(Error::invalid(
                "url",
                format!(
                    "{shown} points at a local or private address the provider cannot reach; \
                     use `finconnect sandbox` locally, or a public URL"
                ),
            ));
        }
        Ok(HttpsUrl(url))
    }

    /// The URL as text with any user name and password replaced by `***`.
    pub fn redacted(&self) -> String {
        redact(&self.0)
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
        let base = self.0.as_str().trim_end_matches('/');
        let mut url = String::with_capacity(base.len() + path.len() + 64);
        url.push_str(base);
        url.push_str(path);
        url
    }
}

/// Whether the URL's host is not a public internet address: a local name
/// (`localhost`, `*.localhost`, `*.local`, `*.internal`, `*.home.arpa`), or an IP
/// address outside the public unicast space (see [`is_public_ip`]). The `url`
/// crate has already turned decimal, octal and hex IPv4 spellings
/// (`https://2130706433`, `https://0x7f.1`) into addresses.
pub fn is_local_host(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d.is_empty()
                || d == "localhost"
                || [
                    ".localhost",
                    ".local",
                    ".internal",
                    ".home.arpa",
                    ".localdomain",
                ]
                .iter()
                .any(|suffix| d.ends_with(suffix))
        }
        Some(Host::Ipv4(ip)) => !is_public_ip(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => !is_public_ip(IpAddr::V6(ip)),
        None => true,
    }
}

/// Whether an address is public unicast: not loopback, private, shared (CGNAT),
/// link-local, unspecified, multicast, broadcast, reserved, benchmarking or
/// documentation space, and — for IPv6 — not unique-local, link- or site-local,
/// discard-only, Teredo, or an IPv4-mapped, IPv4-compatible, NAT64 or 6to4
/// address embedding a non-public IPv4 address.
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(v4: Ipv4Addr) -> bool {
    let [a, b, c, _] = v4.octets();
    !(v4.is_unspecified()
        || v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_multicast()
        || v4.is_broadcast()
        || v4.is_documentation()
        || a == 0 // 0.0.0.0/8, "this network"
        || a >= 240 // 240.0.0.0/4, reserved
        || (a == 100 && (64..128).contains(&b)) // 100.64.0.0/10, shared (CGNAT)
        || (a == 192 && b == 0 && c == 0) // 192.0.0.0/24, IETF protocol assignments
        || (a == 192 && b == 88 && c == 99) // 192.88.99.0/24, 6to4 relay anycast
        || (a == 198 && (b == 18 || b == 19))) // 198.18.0.0/15, benchmarking
}

fn is_public_v6(v6: Ipv6Addr) -> bool {
    let seg = v6.segments();
    let octets = v6.octets();
    let v4_at = |i: usize| Ipv4Addr::new(octets[i], octets[i + 1], octets[i + 2], octets[i + 3]);
    if let Some(v4) = v6.to_ipv4_mapped() {
        return is_public_v4(v4); // ::ffff:a.b.c.d
    }
    if seg[..6] == [0; 6] {
        return false; // ::/96: unspecified, loopback, IPv4-compatible (deprecated)
    }
    if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_public_v4(v4_at(12)); // 64:ff9b::/96, NAT64 well-known prefix
    }
    if seg[0] == 0x2002 {
        return is_public_v4(v4_at(2)); // 2002::/16, 6to4
    }
    !(v6.is_multicast()
        || v6.is_unique_local() // fc00::/7
        || v6.is_unicast_link_local() // fe80::/10
        || (seg[0] & 0xffc0) == 0xfec0 // fec0::/10, site-local (deprecated)
        || (seg[0] == 0x64 && seg[1] == 0xff9b && seg[2] == 1) // 64:ff9b:1::/48, local NAT64
        || (seg[0] == 0x100 && seg[1..4] == [0, 0, 0]) // 100::/64, discard-only
        || (seg[0] == 0x2001 && seg[1] < 0x200) // 2001::/23: Teredo, benchmarking, ORCHID, …
        || (seg[0] == 0x2001 && seg[1] == 0xdb8) // 2001:db8::/32, documentation
        || (seg[0] & 0xfff0) == 0x3ff0) // 3fff::/20, documentation
}

fn has_userinfo(url: &Url) -> bool {
    !url.username().is_empty() || url.password().is_some()
}

/// The URL as text, with userinfo replaced by `***`.
fn redact(url: &Url) -> String {
    if !has_userinfo(url) {
        return url.as_str().to_owned();
    }
    let mut shown = url.clone();
    // Both setters only fail for URLs without a host, which have no userinfo.
    let _ = shown.set_password(None);
    let _ = shown.set_username("***");
    shown.as_str().to_owned()
}

/// Never prints a user name or password the URL may hold.
impl fmt::Debug for HttpsUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
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
