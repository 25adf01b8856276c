//! The two-backend machinery, in one place: the connection that is either PostgreSQL or
//! SQLite, running a query on the backend's own connection, write transactions, per-key locks,
//! and the fast timestamp reader. Nothing outside this file knows which backend runs, except a
//! repository function whose SQL really differs (and then only inside that function).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::{
    QueryResult, RunQueryDsl,
    connection::{AnsiTransactionManager, TransactionManager},
    deserialize::{self, FromSql, FromSqlRow},
    pg::{Pg, PgConnection},
    sql_types::Timestamp,
    sqlite::{Sqlite, SqliteConnection},
};

/// One connection to whichever backend `DATABASE_URL` chose.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs `$body` with `$c` bound to the backend's own connection, for the queries every request
/// runs. A query run through [`DbConnection`] is serialised again on every execution (diesel
/// builds its SQL text to bind it and to look up the prepared statement), and its rows are read
/// through a wrapper per field; on the backend's own connection the prepared statement is found
/// by the query's type alone (BENCHMARKS.md, "second profiling pass", has the measurements).
macro_rules! native {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::backend::DbConnection::Pg($c) => $body,
            $crate::db::backend::DbConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use native;

/// Writes a hand-written statement into a query builder's pass `$out`: SQL text pieces and
/// binds `[SqlType: value]`, in order (each bind becomes `$n` or `?` as the backend wants).
/// For the few statements diesel's builder cannot say (PostgreSQL's data-modifying `WITH`);
/// their text never changes, so the connection keeps them prepared.
macro_rules! write_sql {
    (@part $out:ident [$ty:ty: $value:expr]) => {
        $out.push_bind_param::<$ty, _>($value)?;
    };
    (@part $out:ident $sql:literal) => {
        $out.push_sql($sql);
    };
    (@part $out:ident ($sql:expr)) => {
        $out.push_sql($sql);
    };
    ($out:ident; $($part:tt)*) => {
        $( $crate::db::backend::write_sql!(@part $out $part); )*
    };
}
pub(crate) use write_sql;

/// Makes `$ty` a statement diesel can run, for the few it cannot build (see [`write_sql!`]):
/// - `cached` keeps it prepared under its type (its text never changes), `by_text` under its
///   text (when the text varies, a prepared statement for each);
/// - `-> $row` is the SQL type of its rows (none for a statement run with `execute`);
/// - its text on each backend listed is written by `$body`, with `$this` the statement, `$out`
///   the query builder's pass, `DB` the backend and `'c` the pass's lifetime.
macro_rules! statement {
    ($ty:ty, cached $(-> $row:ty)?, [$($backend:ident),+], |$this:ident, $out:ident| $body:block) => {
        const _: () = {
            /// The statement's key in the connection's cache.
            pub struct Key;
            impl diesel::query_builder::QueryId for $ty {
                type QueryId = Key;
                const HAS_STATIC_QUERY_ID: bool = true;
            }
        };
        $crate::db::backend::statement!(@rest $ty $(, $row)?; [$($backend),+], |$this, $out| $body);
    };
    ($ty:ty, by_text $(-> $row:ty)?, [$($backend:ident),+], |$this:ident, $out:ident| $body:block) => {
        impl diesel::query_builder::QueryId for $ty {
            type QueryId = ();
            const HAS_STATIC_QUERY_ID: bool = false;
        }
        $crate::db::backend::statement!(@rest $ty $(, $row)?; [$($backend),+], |$this, $out| $body);
    };
    (@rest $ty:ty $(, $row:ty)?; [$($backend:ident),+], |$this:ident, $out:ident| $body:block) => {
        $(impl diesel::query_builder::Query for $ty {
            type SqlType = $row;
        })?
        $($crate::db::backend::statement!(@on $backend, $ty, |$this, $out| $body);)+
    };
    (@on Pg, $ty:ty, |$this:ident, $out:ident| $body:block) => {
        $crate::db::backend::statement!(@impl diesel::pg::Pg, diesel::pg::PgConnection, $ty, |$this, $out| $body);
    };
    (@on Sqlite, $ty:ty, |$this:ident, $out:ident| $body:block) => {
        $crate::db::backend::statement!(@impl diesel::sqlite::Sqlite, diesel::sqlite::SqliteConnection, $ty, |$this, $out| $body);
    };
    (@impl $db:ty, $conn:ty, $ty:ty, |$this:ident, $out:ident| $body:block) => {
        impl diesel::RunQueryDsl<$conn> for $ty {}
        impl diesel::query_builder::QueryFragment<$db> for $ty {
            fn walk_ast<'c>(
                &'c self,
                mut $out: diesel::query_builder::AstPass<'_, 'c, $db>,
            ) -> diesel::QueryResult<()> {
                #[allow(clippy::upper_case_acronyms, dead_code)]
                type DB = $db;
                let $this = self;
                $body
            }
        }
    };
}
pub(crate) use statement;

/// SQLite has one writer at a time. A writer that finds the lock taken sleeps and polls
/// (`busy_timeout`), so under load a few lose to newcomers until their timeout runs out
/// ("database is locked"). This process's write transactions therefore queue on this mutex
/// instead, and only the one holding it asks SQLite for the lock; other processes (the CLI)
/// still meet `busy_timeout`. One process serves one SQLite file, so a single mutex suffices.
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A write transaction: `BEGIN IMMEDIATE` on SQLite (so two writers never deadlock on a lock
/// upgrade), after queueing on [`SQLITE_WRITER`]; a plain transaction on PostgreSQL (callers take
/// advisory locks as needed).
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let _writer = match conn {
        DbConnection::Sqlite(c) => {
            let turn = SQLITE_WRITER
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
            Some(turn)
        }
        DbConnection::Pg(c) => {
            AnsiTransactionManager::begin_transaction(c)?;
            None
        }
    };
    match f(conn) {
        Ok(value) => {
            match <DbConnection as TransactionManager<DbConnection>>::commit_transaction(conn) {
                Ok(()) => Ok(value),
                Err(e) => {
                    let _ =
                        <DbConnection as TransactionManager<DbConnection>>::rollback_transaction(
                            conn,
                        );
                    Err(e.into())
                }
            }
        }
        Err(e) => {
            <DbConnection as TransactionManager<DbConnection>>::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

/// Serialises writers that touch the same keys (a phone, an IP) until the transaction ends,
/// taking them in the order given, in one round trip. SQLite needs nothing: its IMMEDIATE
/// transactions already serialise every writer.
pub fn lock_keys(conn: &mut DbConnection, keys: &[&str]) -> QueryResult<()> {
    if let DbConnection::Pg(c) = conn {
        AdvisoryLocks(keys).execute(c)?;
    }
    Ok(())
}

/// The locks of the keys, in the order given (a function scan yields the array in order). A
/// key's lock is the first 8 bytes of its SHA-256 as a signed big-endian number, computed by
/// the database, so the statement carries the keys themselves. A fixed text, so the connection
/// keeps it prepared.
struct AdvisoryLocks<'a>(&'a [&'a str]);

statement!(AdvisoryLocks<'_>, cached, [Pg], |this, out| {
    write_sql!(out;
        "SELECT pg_advisory_xact_lock(CAST(CAST('x' || encode(substr(sha256(convert_to(k, 'UTF8')), \
         1, 8), 'hex') AS bit(64)) AS bigint)) FROM unnest("
        [diesel::sql_types::Array<diesel::sql_types::Text>: this.0] ") AS k"
    );
    Ok(())
});

// A reader for timestamp columns read many at a time (the invitee list).
//
// SQLite keeps timestamps as text, and diesel's reader tries its list of format strings one by
// one, parsing each format string again for every value. `Stamp` reads the one layout diesel
// writes (`YYYY-MM-DD HH:MM:SS[.fraction]`) straight from its bytes, and falls back to diesel's
// reader for anything else. PostgreSQL sends binary timestamps: unchanged. (What it saved is in
// BENCHMARKS.md, "second profiling pass".)

/// A `Timestamp` column; use with `#[diesel(deserialize_as = Stamp)]` on a `NaiveDateTime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub struct Stamp(pub NaiveDateTime);

impl From<Stamp> for NaiveDateTime {
    fn from(s: Stamp) -> Self {
        s.0
    }
}

/// The decimal number in `digits`, if they are all ASCII digits.
fn number(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0_u32, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
}

/// Reads `YYYY-MM-DD HH:MM:SS` with an optional `.` and one to nine fraction digits, the layout
/// diesel writes; `None` for anything else (including values chrono would refuse).
fn parse_layout(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    let (head, fraction) = b.split_at_checked(19)?;
    if [(4, b'-'), (7, b'-'), (10, b' '), (13, b':'), (16, b':')]
        .iter()
        .any(|&(i, c)| head[i] != c)
    {
        return None;
    }
    let nanos = match fraction {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            number(digits)? * 10_u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    NaiveDate::from_ymd_opt(
        i32::try_from(number(&head[0..4])?).ok()?,
        number(&head[5..7])?,
        number(&head[8..10])?,
    )?
    .and_hms_nano_opt(
        number(&head[11..13])?,
        number(&head[14..16])?,
        number(&head[17..19])?,
        nanos,
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono_reads(text: &str) -> Option<NaiveDateTime> {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").ok()
    }

    #[test]
    fn reads_what_diesel_writes() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let mut seen = 0;
        for (h, m, s) in [(0, 0, 0), (9, 5, 7), (14, 17, 3), (23, 59, 59)] {
            for nanos in [0, 1, 120_000_000, 123_456_000, 123_456_789, 999_999_999] {
                for at in [
                    day,
                    NaiveDate::from_ymd_opt(1, 1, 1).unwrap(),
                    NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
                ]
                .map(|d| d.and_hms_nano_opt(h, m, s, nanos).unwrap())
                {
                    // diesel's layout for SQLite: `%F %T%.f` (no fraction when it is zero)
                    let text = at.format("%F %T%.f").to_string();
                    assert_eq!(parse_layout(&text), Some(at), "{text}");
                    seen += 1;
                }
            }
        }
        assert_eq!(seen, 72);
        assert_eq!(
            parse_layout("2026-11-25 14:17:03.5"),
            day.and_hms_milli_opt(14, 17, 3, 500)
        );
    }

    #[test]
    fn agrees_with_chrono_or_leaves_the_value_to_diesel() {
        for text in [
            "2026-11-25 14:17:03",
            "2026-11-25 14:17:03.000000001",
            "2024-02-29 00:00:00",
            "0000-01-01 00:00:00",
        ] {
            assert!(chrono_reads(text).is_some(), "{text:?}");
            assert_eq!(parse_layout(text), chrono_reads(text), "{text:?}");
        }
        // not the layout, or not a valid time: diesel's reader decides
        for text in [
            "2025-02-29 00:00:00",
            "2026-13-01 00:00:00",
            "2026-11-31 00:00:00",
            "2026-11-25 24:00:00",
            "2026-11-25 23:60:00",
            "2026-11-25 23:59:60",
            "2026-11-25 14:17:03.",
            "2026-11-25 14:17:03.1234567890",
            "2026-11-25 14:17:03Z",
            "2026-11-25T14:17:03",
            "2026-11-25 14:17:03+02:00",
            "2026-1-25 14:17:03",
            "+026-11-25 14:17:03",
            "2026-11-25 14:17:0x",
            "2026-11-25 14:17",
            "2461004.5",
            "",
            "2026-11-25 14:17:03.12é",
            "２026-11-25 14:17:03",
        ] {
            assert_eq!(parse_layout(text), None, "{text:?}");
        }
    }
}
