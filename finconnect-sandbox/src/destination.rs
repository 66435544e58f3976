//! Where the sandbox may deliver notifications: loopback only, unless the operator opted in.
//!
//! The decision is made from the URL alone, before any DNS lookup or connection, so a
//! refused destination never sees a packet from the sandbox.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Why a delivery URL is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The host is not `localhost`, 127.0.0.0/8 or `::1` and remote delivery is off.
    NotLoopback(String),
    /// The URL has no host.
    NoHost,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NotLoopback(host) => write!(
                f,
                "{host} is not a loopback address; the sandbox only delivers to localhost, \
                 127.0.0.0/8 and ::1 unless started with --allow-remote-delivery \
                 (SandboxConfig::allow_remote_delivery)"
            ),
            Refusal::NoHost => f.write_str("the URL has no host"),
        }
    }
}

/// Whether a notification may be sent to `url`.
pub(crate) fn check(url: &url::Url, allow_remote: bool) -> Result<(), Refusal> {
    let Some(host) = url.host() else {
        return Err(Refusal::NoHost);
    };
    if allow_remote || is_loopback(&host) {
        Ok(())
    } else {
        Err(Refusal::NotLoopback(host.to_string()))
    }
}

/// `localhost` (any case, optional trailing dot), 127.0.0.0/8, `::1` or `::ffff:127.x.y.z`.
pub(crate) fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(name) => name.trim_end_matches('.').eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ipv4_loopback(*ip),
        url::Host::Ipv6(ip) => ipv6_loopback(*ip),
    }
}

fn ipv4_loopback(ip: Ipv4Addr) -> bool {
    ip.is_loopback()
}

fn ipv6_loopback(ip: Ipv6Addr) -> bool {
    ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(ipv4_loopback)
}

/// A warning for the log when a URL registered with the sandbox will not receive
/// notifications; `None` when it will.
pub(crate) fn registration_warning(url: &url::Url, allow_remote: bool) -> Option<String> {
    check(url, allow_remote)
        .err()
        .map(|refusal| format!("notifications to {url} will not be delivered: {refusal}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(url: &str, allow_remote: bool) -> Result<(), Refusal> {
        check(&url::Url::parse(url).unwrap(), allow_remote)
    }

    #[test]
    fn loopback_hosts_are_always_allowed() {
        for url in [
            "http://localhost:8080/ipn",
            "http://LOCALHOST./ipn",
            "http://127.0.0.1:9/x",
            "http://127.255.0.3/x",
            "http://[::1]:8080/x",
            "http://[::ffff:127.0.0.1]/x",
        ] {
            assert_eq!(decide(url, false), Ok(()), "{url}");
        }
    }

    #[test]
    fn other_hosts_are_refused_unless_opted_in() {
        for url in [
            "https://merchant.example/ipn",
            "http://localhost.merchant.example/ipn",
            "http://10.0.0.1/x",
            "http://0.0.0.0/x",
            "http://128.0.0.1/x",
            "http://[::2]/x",
            "http://[::ffff:10.0.0.1]/x",
        ] {
            assert!(
                matches!(decide(url, false), Err(Refusal::NotLoopback(_))),
                "{url}"
            );
            assert_eq!(decide(url, true), Ok(()), "{url} with the opt-in");
        }
    }

    #[test]
    fn the_refusal_says_how_to_opt_in() {
        let url = url::Url::parse("https://merchant.example/ipn").unwrap();
        let warning = registration_warning(&url, false).unwrap();
        assert!(warning.contains("merchant.example"), "{warning}");
        assert!(warning.contains("--allow-remote-delivery"), "{warning}");
        assert_eq!(registration_warning(&url, true), None);
    }
}
