//! The invite tree around a person as staff see it, and the rule that flags an inviter whose
//! invitees came in a bunch: many within one hour from one client network, or to numbers of
//! one block (all but the last 4 digits).

use chrono::{NaiveDateTime, TimeDelta};

/// How many entries of an inviter's code are looked at for bunches (the newest).
pub const ENTRIES_LOOKED_AT: i64 = 5_000;

/// The span a bunch falls within.
pub const BUNCH_WINDOW: TimeDelta = TimeDelta::hours(1);

/// The most inviters up the chain shown (a chain is never longer on sound data than the number
/// of accounts, so the walk is bounded).
pub const MAX_CHAIN: i64 = 50;

/// One person above another in the chain: `depth` 1 invited them, 2 invited that one, …
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLink {
    pub id: i64,
    pub phone: String,
    pub invitee_count: i64,
    pub depth: i64,
}

/// One entry of an inviter's code, as the bunch rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub at: NaiveDateTime,
    pub network: String,
    /// The invitee's number block (all but the last 4 digits).
    pub prefix: String,
}

/// What a bunch shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BunchKind {
    Network,
    Prefix,
}

/// Entries within one hour that share a network or a number block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bunch {
    pub kind: BunchKind,
    pub key: String,
    /// The most entries in any hour, and when that hour starts (its first entry).
    pub count: usize,
    pub from: NaiveDateTime,
}

/// The number block of an E.164 number: all but its last 4 digits.
pub fn block_of(e164: &str) -> &str {
    &e164[..e164.len().saturating_sub(4)]
}

/// Every network and number block with at least `min` entries within one hour, the largest
/// first (each with its largest hour).
pub fn bunches(entries: &[Entry], min: usize) -> Vec<Bunch> {
    let mut found = Vec::new();
    for kind in [BunchKind::Network, BunchKind::Prefix] {
        let mut by_key: std::collections::HashMap<&str, Vec<NaiveDateTime>> =
            std::collections::HashMap::new();
        for e in entries {
            let key = match kind {
                BunchKind::Network => e.network.as_str(),
                BunchKind::Prefix => e.prefix.as_str(),
            };
            by_key.entry(key).or_default().push(e.at);
        }
        for (key, mut times) in by_key {
            if times.len() < min.max(1) {
                continue;
            }
            times.sort_unstable();
            // the widest run of entries whose first and last are under an hour apart
            let (mut best, mut from, mut start) = (0, times[0], 0);
            for end in 0..times.len() {
                while times[end] - times[start] >= BUNCH_WINDOW {
                    start += 1;
                }
                if end - start + 1 > best {
                    best = end - start + 1;
                    from = times[start];
                }
            }
            if best >= min.max(1) {
                found.push(Bunch {
                    kind,
                    key: key.to_owned(),
                    count: best,
                    from,
                });
            }
        }
    }
    found.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> NaiveDateTime {
        NaiveDateTime::default() + TimeDelta::minutes(minutes)
    }

    fn entry(minutes: i64, network: &str, phone: &str) -> Entry {
        Entry {
            at: at(minutes),
            network: network.into(),
            prefix: block_of(phone).into(),
        }
    }

    #[test]
    fn a_bunch_is_many_within_an_hour_from_one_network_or_block() {
        let mut entries: Vec<Entry> = (0..10)
            .map(|i| entry(i * 5, "203.0.113.0", &format!("+99890{:07}", i * 100_003)))
            .collect();
        // spread over a day from other networks, numbers of one block: not within an hour
        entries.extend((0..10).map(|i| {
            entry(
                i * 130,
                &format!("198.51.100.{i}"),
                &format!("+998911234{i:03}"),
            )
        }));
        let found = bunches(&entries, 10);
        assert_eq!(
            found,
            [Bunch {
                kind: BunchKind::Network,
                key: "203.0.113.0".into(),
                count: 10,
                from: at(0),
            }]
        );
        // one fewer is no bunch; the block's entries bunch when they are within the hour
        assert!(bunches(&entries[1..10], 10).is_empty());
        let close: Vec<Entry> = (0..12)
            .map(|i| {
                entry(
                    i * 5,
                    &format!("198.51.100.{i}"),
                    &format!("+998911234{i:03}"),
                )
            })
            .collect();
        let found = bunches(&close, 10);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].kind, found[0].key.as_str(), found[0].count),
            (BunchKind::Prefix, "+99891123", 12)
        );
        // exactly an hour apart is two hours
        let edge = [
            entry(0, "n", "+998901110001"),
            entry(60, "n", "+998901220002"),
        ];
        assert_eq!(bunches(&edge, 2), []);
        assert_eq!(bunches(&edge, 1).len(), 3);
    }
}
