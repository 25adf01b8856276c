//! A faster reader for timestamp columns read many at a time.
//!
//! SQLite keeps timestamps as text, and diesel's reader tries its list of format strings one by
//! one, parsing each format string again for every value: on a fifty-row invitee page that was
//! more work than the query. `Stamp` reads the one layout diesel writes
//! (`YYYY-MM-DD HH:MM:SS[.fraction]`) with chrono's parser and a format prepared once, and falls
//! back to diesel's reader for anything else. PostgreSQL sends binary timestamps: unchanged.

use chrono::{
    NaiveDateTime,
    format::{Fixed, Item, Numeric, Pad, Parsed},
};
use diesel::{
    deserialize::{self, FromSql, FromSqlRow},
    pg::Pg,
    sql_types::Timestamp,
    sqlite::Sqlite,
};

use super::{MultiBackend, MultiRawValue};

/// A `Timestamp` column; use with `#[diesel(deserialize_as = Stamp)]` on a `NaiveDateTime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub struct Stamp(pub NaiveDateTime);

impl From<Stamp> for NaiveDateTime {
    fn from(s: Stamp) -> Self {
        s.0
    }
}

/// `%Y-%m-%d %H:%M:%S%.f`, as diesel writes timestamps to SQLite.
const LAYOUT: &[Item<'static>] = &[
    Item::Numeric(Numeric::Year, Pad::Zero),
    Item::Literal("-"),
    Item::Numeric(Numeric::Month, Pad::Zero),
    Item::Literal("-"),
    Item::Numeric(Numeric::Day, Pad::Zero),
    Item::Literal(" "),
    Item::Numeric(Numeric::Hour, Pad::Zero),
    Item::Literal(":"),
    Item::Numeric(Numeric::Minute, Pad::Zero),
    Item::Literal(":"),
    Item::Numeric(Numeric::Second, Pad::Zero),
    Item::Fixed(Fixed::Nanosecond),
];

fn parse_layout(text: &str) -> Option<NaiveDateTime> {
    let mut parsed = Parsed::new();
    chrono::format::parse(&mut parsed, text, LAYOUT.iter()).ok()?;
    parsed.to_naive_datetime_with_offset(0).ok()
}

impl FromSql<Timestamp, Sqlite> for Stamp {
    fn from_sql(mut value: diesel::sqlite::SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        if let Some(at) = parse_layout(value.read_text()) {
            return Ok(Stamp(at));
        }
        <NaiveDateTime as FromSql<Timestamp, Sqlite>>::from_sql(value).map(Stamp)
    }
}

impl FromSql<Timestamp, Pg> for Stamp {
    fn from_sql(value: diesel::pg::PgValue<'_>) -> deserialize::Result<Self> {
        <NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(value).map(Stamp)
    }
}

impl FromSql<Timestamp, MultiBackend> for Stamp {
    fn from_sql(value: MultiRawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Stamp, Timestamp>()
    }
}

#[cfg(test)]
mod tests {
    use chrono::Timelike;

    use super::*;

    #[test]
    fn reads_what_diesel_writes_and_nothing_else() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
            .unwrap()
            .and_hms_micro_opt(14, 17, 3, 123_456)
            .unwrap();
        // diesel's SQLite layout, with and without a fraction
        assert_eq!(parse_layout(&at.format("%F %T%.f").to_string()), Some(at));
        assert_eq!(
            parse_layout("2026-11-25 14:17:03"),
            Some(at.with_nanosecond(0).unwrap())
        );
        // other layouts go to diesel's reader
        assert_eq!(parse_layout("2026-11-25T14:17:03"), None);
        assert_eq!(parse_layout("2026-11-25 14:17:03+02:00"), None);
        assert_eq!(parse_layout("2461004.5"), None);
    }
}
