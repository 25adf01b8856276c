//! Who is asking, as far as limits, the audit log and the session list care: the client's
//! address, and the network a limit counts it in (an IPv4 address; an IPv6 /64, since one
//! subscriber is routinely given a whole /64).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The client of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    /// The address, as written in events and sessions.
    pub ip: String,
    /// What per-address limits count: the address's network (see [`AddressRules`]).
    pub network: String,
    pub user_agent: Option<String>,
}

/// How a client's address is found and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressRules {
    /// Reverse proxies in front of the app that append to `X-Forwarded-For`; 0 trusts none.
    pub proxy_hops: usize,
    /// Leading bits of an IPv4 address that make one network for the limits.
    pub ipv4_prefix: u8,
    /// Leading bits of an IPv6 address that make one network for the limits.
    pub ipv6_prefix: u8,
}

impl Default for AddressRules {
    fn default() -> Self {
        Self {
            proxy_hops: 0,
            ipv4_prefix: 32,
            ipv6_prefix: 64,
        }
    }
}

impl AddressRules {
    /// The client behind `peer` (the socket's address), given the `X-Forwarded-For` entries in
    /// order: with N trusted hops, the N-th entry from the right, which the outermost trusted
    /// proxy wrote; if there are fewer entries or it is not an address, the peer. An earlier
    /// entry, which the client itself may have written, is never used.
    pub fn client(
        &self,
        peer: Option<IpAddr>,
        forwarded: &[&str],
        user_agent: Option<String>,
    ) -> ClientInfo {
        let from_proxy = (self.proxy_hops > 0)
            .then(|| forwarded.len().checked_sub(self.proxy_hops))
            .flatten()
            .and_then(|i| forwarded[i].trim().parse::<IpAddr>().ok());
        let ip = from_proxy.or(peer);
        ClientInfo {
            ip: ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string()),
            network: ip.map_or_else(|| "unknown".to_owned(), |ip| self.network(ip)),
            user_agent,
        }
    }

    /// The network `ip` is counted in, as `address/prefix` with the host bits cleared.
    /// An IPv4 address written as IPv6 (`::ffff:a.b.c.d`) counts as IPv4.
    pub fn network(&self, ip: IpAddr) -> String {
        match ip {
            IpAddr::V4(v4) => self.v4_network(v4),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => self.v4_network(v4),
                None => {
                    let bits = self.ipv6_prefix.min(128);
                    let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
                    format!("{}/{bits}", Ipv6Addr::from(u128::from(v6) & mask))
                }
            },
        }
    }

    fn v4_network(&self, v4: Ipv4Addr) -> String {
        let bits = self.ipv4_prefix.min(32);
        let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
        format!("{}/{bits}", Ipv4Addr::from(u32::from(v4) & mask))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv4_counts_by_address_and_ipv6_by_its_64() {
        let rules = AddressRules::default();
        assert_eq!(rules.network(ip("203.0.113.7")), "203.0.113.7/32");
        assert_eq!(
            rules.network(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            rules.network(ip("2001:db8:1:2::1")),
            rules.network(ip("2001:db8:1:2:ffff::9")),
            "one /64 is one network"
        );
        assert_ne!(
            rules.network(ip("2001:db8:1:2::1")),
            rules.network(ip("2001:db8:1:3::1"))
        );
        assert_eq!(rules.network(ip("::ffff:203.0.113.7")), "203.0.113.7/32");
        let wide = AddressRules {
            ipv4_prefix: 24,
            ipv6_prefix: 48,
            ..rules
        };
        assert_eq!(wide.network(ip("203.0.113.7")), "203.0.113.0/24");
        assert_eq!(wide.network(ip("2001:db8:1:2::1")), "2001:db8:1::/48");
        let zero = AddressRules {
            ipv4_prefix: 0,
            ipv6_prefix: 0,
            ..rules
        };
        assert_eq!(zero.network(ip("203.0.113.7")), "0.0.0.0/0");
        assert_eq!(zero.network(ip("2001:db8::1")), "::/0");
    }

    #[test]
    fn only_the_entry_the_trusted_proxies_wrote_is_believed() {
        let peer = Some(ip("10.0.0.1"));
        let one = AddressRules {
            proxy_hops: 1,
            ..AddressRules::default()
        };
        let client = |rules: AddressRules, xff: &[&str]| rules.client(peer, xff, None).ip;
        assert_eq!(client(one, &["1.1.1.1", "2.2.2.2"]), "2.2.2.2");
        assert_eq!(client(one, &[" 2.2.2.2 "]), "2.2.2.2");
        // the last entry is not an address: the peer, never the earlier client-written entry
        assert_eq!(client(one, &["1.1.1.1", "unknown"]), "10.0.0.1");
        assert_eq!(client(one, &[]), "10.0.0.1");
        let two = AddressRules {
            proxy_hops: 2,
            ..one
        };
        assert_eq!(client(two, &["9.9.9.9", "1.1.1.1", "2.2.2.2"]), "1.1.1.1");
        assert_eq!(
            client(two, &["2.2.2.2"]),
            "10.0.0.1",
            "fewer entries than hops"
        );
        let none = AddressRules::default();
        assert_eq!(
            client(none, &["1.1.1.1"]),
            "10.0.0.1",
            "no proxy is trusted"
        );
        let unknown = none.client(None, &[], None);
        assert_eq!(
            (unknown.ip.as_str(), unknown.network.as_str()),
            ("unknown", "unknown")
        );
    }
}
