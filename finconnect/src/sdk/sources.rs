//! An optional allow-list of the addresses callbacks may come from (see
//! [`SourceAllowList`]).

use std::net::{IpAddr, Ipv4Addr};

/// The addresses Safaricom publishes for Daraja's callbacks ("Callback and IP
/// Whitelisting"), as data. Safaricom changes its infrastructure without
/// notice and other lists circulate: treat a miss as a reason to log and to
/// rely on the query-back confirmation, not as proof of forgery.
pub const SAFARICOM_CALLBACK_IPS: [Ipv4Addr; 12] = [
    Ipv4Addr::new(196, 201, 214, 200),
    Ipv4Addr::new(196, 201, 214, 206),
    Ipv4Addr::new(196, 201, 213, 114),
    Ipv4Addr::new(196, 201, 214, 207),
    Ipv4Addr::new(196, 201, 214, 208),
    Ipv4Addr::new(196, 201, 213, 44),
    Ipv4Addr::new(196, 201, 212, 127),
    Ipv4Addr::new(196, 201, 212, 138),
    Ipv4Addr::new(196, 201, 212, 129),
    Ipv4Addr::new(196, 201, 212, 136),
    Ipv4Addr::new(196, 201, 212, 74),
    Ipv4Addr::new(196, 201, 212, 69),
];

/// Where callbacks may come from: an optional, configurable check of the
/// sender's address (none of the providers signs M-Pesa-style callbacks, so
/// the source is one more hint — never a replacement for the status query that
/// [`FintechSdk::confirm_callback`](super::FintechSdk::confirm_callback) runs).
///
/// Pass the TCP peer's address; behind a reverse proxy, take the client
/// address from `X-Forwarded-For` only when the peer is your own proxy.
///
/// ```
/// use finconnect::sdk::SourceAllowList;
/// use std::net::IpAddr;
///
/// let list = SourceAllowList::safaricom().with("196.201.212.128".parse::<IpAddr>()?);
/// assert!(list.allows("196.201.212.69".parse()?));
/// assert!(list.allows("::ffff:196.201.212.128".parse()?)); // IPv4-mapped
/// assert!(!list.allows("203.0.113.9".parse()?));
/// # Ok::<(), std::net::AddrParseError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceAllowList {
    addresses: Vec<IpAddr>,
}

impl SourceAllowList {
    /// Safaricom's published list ([`SAFARICOM_CALLBACK_IPS`]).
    pub fn safaricom() -> Self {
        Self::new(SAFARICOM_CALLBACK_IPS.into_iter().map(IpAddr::V4))
    }

    /// A list of your own.
    pub fn new(addresses: impl IntoIterator<Item = IpAddr>) -> Self {
        SourceAllowList {
            addresses: addresses.into_iter().map(canonical).collect(),
        }
    }

    /// Adds an address.
    pub fn with(mut self, address: IpAddr) -> Self {
        self.addresses.push(canonical(address));
        self
    }

    /// Whether `address` is on the list (an IPv4-mapped IPv6 address counts as
    /// its IPv4 address).
    pub fn allows(&self, address: IpAddr) -> bool {
        self.addresses.contains(&canonical(address))
    }

    /// The addresses.
    pub fn addresses(&self) -> &[IpAddr] {
        &self.addresses
    }
}

fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_list_is_allowed_and_nothing_else() {
        let list = SourceAllowList::safaricom();
        for ip in SAFARICOM_CALLBACK_IPS {
            assert!(list.allows(IpAddr::V4(ip)));
        }
        assert!(!list.allows(IpAddr::V4(Ipv4Addr::new(196, 201, 212, 70))));
        assert!(!list.allows(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        let empty = SourceAllowList::new([]);
        assert!(!empty.allows(IpAddr::V4(SAFARICOM_CALLBACK_IPS[0])));
    }
}
