//! Retention: sign-in events, codes, text messages, failed checks and invite tries are kept for
//! `Limits::retention` (never less than any limit looks back over), ended sessions and tokens
//! not at all. The server purges at start-up and then once a day; the audit log is kept forever.

use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::{error::Error, parts::Parts};
use crate::{
    db::{
        DbConnection, api_tokens, check_failures, emails, events, invites, login_codes, outbox,
        sessions,
    },
    domain::limits::Limits,
};

/// Rows deleted per statement, so a large purge never holds the database for long.
pub const PURGE_BATCH: i64 = 5_000;
/// Statements per table and run at most; what is left waits for the next run.
const MAX_BATCHES: usize = 2_000;

/// How many rows one purge removed, per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub events: usize,
    pub codes: usize,
    pub check_failures: usize,
    pub invite_tries: usize,
    /// Look-ups of unknown invite links (kept for the hour their limit counts).
    pub invite_link_misses: usize,
    /// Email verification links.
    pub email_links: usize,
    pub sessions: usize,
    pub api_tokens: usize,
    /// Text messages that were sent or given up.
    pub messages: usize,
}

impl Purged {
    pub fn total(&self) -> usize {
        self.events
            + self.codes
            + self.email_links
            + self.check_failures
            + self.invite_tries
            + self.invite_link_misses
            + self.sessions
            + self.api_tokens
            + self.messages
    }
}

pub struct Retention {
    parts: Arc<Parts>,
}

impl Retention {
    pub(super) fn new(parts: Arc<Parts>) -> Self {
        Self { parts }
    }

    /// Removes what is older than the retention period, and every ended session and token.
    pub async fn purge(&self) -> Result<Purged, Error> {
        self.parts
            .run(|conn, parts| Ok(purge(conn, parts.now(), &parts.config.limits)?))
            .await
    }
}

/// [`Retention::purge`] on one connection, each batch its own statement (and commit).
pub fn purge(conn: &mut DbConnection, now: NaiveDateTime, limits: &Limits) -> QueryResult<Purged> {
    let old = now - limits.retention.max(limits.longest_lookback());
    Ok(Purged {
        events: in_batches(|| events::purge_before(conn, old, PURGE_BATCH))?,
        codes: {
            // the per-minute counts serve the hour's limits only, and say nothing of anyone
            login_codes::purge_counts_before(conn, now - crate::domain::limits::WINDOW)?;
            in_batches(|| login_codes::purge_all_before(conn, old, PURGE_BATCH))?
        },
        check_failures: in_batches(|| check_failures::purge_before(conn, old, PURGE_BATCH))?,
        invite_tries: in_batches(|| invites::purge_all_tries_before(conn, old, PURGE_BATCH))?,
        invite_link_misses: in_batches(|| {
            invites::purge_link_misses_before(
                conn,
                now - crate::domain::limits::WINDOW,
                PURGE_BATCH,
            )
        })?,
        email_links: in_batches(|| emails::purge_before(conn, old, PURGE_BATCH))?,
        sessions: in_batches(|| sessions::purge_expired(conn, now, PURGE_BATCH))?,
        api_tokens: in_batches(|| api_tokens::purge_expired(conn, now, PURGE_BATCH))?,
        messages: {
            // a failed message keeps its sealed body only while its code lives
            outbox::empty_dead_bodies(conn, now)?;
            in_batches(|| outbox::purge_before(conn, old, PURGE_BATCH))?
        },
    })
}

/// Runs `batch` until it removes less than a full batch (or [`MAX_BATCHES`] times).
fn in_batches(mut batch: impl FnMut() -> QueryResult<usize>) -> QueryResult<usize> {
    let mut total = 0;
    for _ in 0..MAX_BATCHES {
        let removed = batch()?;
        total += removed;
        if removed < PURGE_BATCH as usize {
            break;
        }
    }
    Ok(total)
}
