//! Keyset paging of invitee lists: a position (the time the code was entered and the account id,
//! as in the index), which page to show, and one page with the positions of its neighbours.

use chrono::{DateTime, NaiveDateTime};

use super::{account::Invitee, phone::PhoneDisplay};

/// Invitees on one page of the profile and of the admin's person view, and the API's default.
pub const INVITEES_PER_PAGE: i64 = 50;
/// The largest page the API gives.
pub const MAX_INVITEES_PER_PAGE: i64 = 100;

/// A cursor as the API takes it, as a JSON-schema pattern: what [`Cursor::encode`] writes, or
/// empty for the first page.
pub const INPUT_PATTERN: &str = r"^(-?[0-9]{1,18}\.[0-9]{1,18})?$";

/// A position in an invitee list: (time the code was entered, id), as in the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: NaiveDateTime,
    pub id: i64,
}

impl Cursor {
    pub fn of(invitee: &Invitee) -> Self {
        Self {
            at: invitee.invited_at,
            id: invitee.id,
        }
    }

    /// `MICROS.ID`, for a query string.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.at.and_utc().timestamp_micros(), self.id)
    }

    /// The inverse of `encode`; anything else is `None`.
    pub fn decode(s: &str) -> Option<Self> {
        let (micros, id) = s.split_once('.')?;
        let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?.naive_utc();
        Some(Self {
            at,
            id: id.parse().ok()?,
        })
    }
}

/// Which page of invitees to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageRequest {
    First,
    /// The page after (older than) this position.
    Older(Cursor),
    /// The page before (newer than) this position.
    Newer(Cursor),
}

impl PageRequest {
    /// The page named by a page's `?older=` / `?newer=` links; a cursor that does not parse
    /// shows the first page rather than an error.
    pub fn from_links(older: Option<&str>, newer: Option<&str>) -> Self {
        match (
            older.and_then(Cursor::decode),
            newer.and_then(Cursor::decode),
        ) {
            (Some(c), _) => PageRequest::Older(c),
            (None, Some(c)) => PageRequest::Newer(c),
            (None, None) => PageRequest::First,
        }
    }
}

/// One page of an invitee list, newest first, with the positions of its neighbours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteePage {
    pub items: Vec<Invitee>,
    pub newer: Option<Cursor>,
    pub older: Option<Cursor>,
}

impl InviteePage {
    /// The page as the person it belongs to may see it: each number as `display` allows
    /// (whole numbers stay stored E.164, for the page or the API to format).
    pub fn shown(mut self, display: PhoneDisplay) -> Self {
        if display == PhoneDisplay::Masked {
            for invitee in &mut self.items {
                invitee.phone = display.show(&invitee.phone);
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let at = DateTime::from_timestamp_micros(1_764_072_000_123_456)
            .unwrap()
            .naive_utc();
        let c = Cursor { at, id: 42 };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        for bad in [
            "",
            "1",
            "x.1",
            "1.x",
            "1.2.3",
            "99999999999999999999.1",
            "-.-",
        ] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn links_name_a_page_and_garbage_means_the_first() {
        let c = Cursor {
            at: DateTime::from_timestamp_micros(1_764_072_000_000_000)
                .unwrap()
                .naive_utc(),
            id: 7,
        };
        let e = c.encode();
        assert_eq!(
            PageRequest::from_links(Some(&e), None),
            PageRequest::Older(c)
        );
        assert_eq!(
            PageRequest::from_links(None, Some(&e)),
            PageRequest::Newer(c)
        );
        assert_eq!(
            PageRequest::from_links(Some(&e), Some("x")),
            PageRequest::Older(c)
        );
        assert_eq!(PageRequest::from_links(Some("x"), None), PageRequest::First);
        assert_eq!(PageRequest::from_links(None, None), PageRequest::First);
    }
}
