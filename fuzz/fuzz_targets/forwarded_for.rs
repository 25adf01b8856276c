#![no_main]
//! `X-Forwarded-For` behind 0 to 3 trusted proxies: the client is the peer or the entry the
//! outermost trusted proxy wrote, never one to its left.
use std::net::{IpAddr, Ipv4Addr};

use libfuzzer_sys::fuzz_target;
use user_auth::domain::client::AddressRules;

fuzz_target!(|input: &str| {
    let entries: Vec<&str> = input.split(',').collect();
    let peer = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    for hops in 0..4 {
        let rules = AddressRules { proxy_hops: hops, ..AddressRules::default() };
        let client = rules.client(Some(peer), &entries, None);
        let trusted = (hops > 0)
            .then(|| entries.len().checked_sub(hops))
            .flatten()
            .and_then(|i| entries[i].trim().parse::<IpAddr>().ok());
        assert_eq!(client.ip, trusted.unwrap_or(peer).to_string());
    }
});
