//! Repository functions for `sms_messages`: the outbox the delivery worker sends from.

use chrono::NaiveDateTime;
use diesel::{
    prelude::*,
    query_builder::AstPass,
    sql_types::{BigInt, Binary, Integer, Nullable, Text, Timestamp},
};

use super::{
    DbConnection,
    backend::{statement, write_sql},
    schema::sms_messages,
};
use crate::domain::outbox::MessageState;

#[derive(Debug, Insertable)]
#[diesel(table_name = sms_messages)]
pub struct NewMessage<'a> {
    /// The recipient: a number (E.164) for a text, an address for mail.
    pub phone: &'a str,
    /// `sms` or `email` (`Channel::as_str`).
    pub channel: &'static str,
    pub body: &'a [u8],
    pub expires_at: NaiveDateTime,
    pub state: &'static str,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub idempotency_key: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A message a worker claimed: everything it needs to try it once.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sms_messages)]
pub struct Claimed {
    pub id: i64,
    /// The recipient: a number, or an address for mail.
    pub phone: String,
    pub channel: String,
    pub body: Vec<u8>,
    pub expires_at: NaiveDateTime,
    /// Tries so far, this one included.
    pub attempts: i32,
    pub idempotency_key: String,
    /// The provider of the last try, if any.
    pub provider: Option<String>,
}

/// A message as staff see it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sms_messages)]
pub struct MessageRow {
    pub id: i64,
    /// The recipient: a number, or an address for mail.
    pub phone: String,
    pub channel: String,
    pub state: String,
    pub attempts: i32,
    pub provider: Option<String>,
    pub provider_message_id: Option<String>,
    pub last_error: Option<String>,
    pub expires_at: NaiveDateTime,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    /// Sealed; empty once the message went out or its code expired.
    pub body: Vec<u8>,
}

pub fn insert(conn: &mut DbConnection, new: &NewMessage<'_>) -> QueryResult<()> {
    diesel::insert_into(sms_messages::table)
        .values(new)
        .execute(conn)
        .map(drop)
}

/// Why a number's unsent messages stop being tried.
pub const REPLACED: &str = "a newer code replaced this one";

/// Marks the number's messages that have not gone out as expired: a newer code retired theirs.
/// One being tried now may still go out, but is not tried again.
pub fn retire_unsent_for_phone(
    conn: &mut DbConnection,
    phone: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let open = MessageState::OPEN.map(MessageState::as_str);
    diesel::update(
        sms_messages::table
            .filter(sms_messages::phone.eq(phone))
            .filter(sms_messages::state.eq_any(open)),
    )
    .set((
        sms_messages::state.eq(MessageState::Expired.as_str()),
        sms_messages::body.eq(Vec::<u8>::new()),
        sms_messages::last_error.eq(Some(REPLACED)),
        sms_messages::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Claims up to `limit` messages that are due (pending and due, or sending with a lapsed claim:
/// a worker that stopped mid-try), counting the try and holding them until `until`, in one
/// statement (`UPDATE … WHERE id IN (the due ones) RETURNING`). On PostgreSQL the due rows are
/// locked as they are picked, rows another worker holds are skipped (`FOR UPDATE SKIP
/// LOCKED`), and the update checks again that each is still due, so any number of workers can
/// run and one message has one claimant. Oldest due first.
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<Claimed>> {
    let query = ClaimDue {
        now,
        until,
        limit,
        lock: matches!(conn, DbConnection::Pg(_)),
    };
    let mut claimed: Vec<(Claimed, NaiveDateTime)> =
        super::backend::native!(conn, |c| query.load(c))?;
    claimed.sort_by_key(|(m, due_at)| (*due_at, m.id));
    Ok(claimed.into_iter().map(|(m, _)| m).collect())
}

/// The statement of [`claim_due`] (diesel's builder takes no `IN (SELECT … LIMIT …)` in an
/// `UPDATE`).
struct ClaimDue {
    now: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
    /// PostgreSQL: lock the picked rows, skipping those another worker holds.
    lock: bool,
}

// its text depends on the backend (PostgreSQL locks the picked rows)
statement!(ClaimDue, by_text -> (
    (BigInt, Text, Text, Binary, Timestamp, Integer, Text, Nullable<Text>),
    Timestamp,
), [Pg, Sqlite], |this, out| {
    let (pending, sending) = (
        MessageState::Pending.as_str(),
        MessageState::Sending.as_str(),
    );
    // due: pending and due, or sending with a lapsed claim
    let due = |out: &mut AstPass<'_, 'c, DB>| {
        write_sql!(out;
            "((state = " [Text: pending] " AND next_attempt_at <= " [Timestamp: &this.now]
            ") OR (state = " [Text: sending] " AND claimed_until <= " [Timestamp: &this.now] "))"
        );
        QueryResult::Ok(())
    };
    write_sql!(out;
        "UPDATE sms_messages SET state = " [Text: sending] ", attempts = attempts + 1, \
         claimed_until = " [Timestamp: &this.until] ", updated_at = " [Timestamp: &this.now]
        " WHERE id IN (SELECT id FROM sms_messages WHERE "
    );
    due(&mut out)?;
    write_sql!(out; " ORDER BY next_attempt_at, id LIMIT " [BigInt: &this.limit]);
    if this.lock {
        out.push_sql(" FOR UPDATE SKIP LOCKED");
    }
    // each still due when it is updated (another worker may have taken it meanwhile)
    out.push_sql(") AND ");
    due(&mut out)?;
    out.push_sql(
        " RETURNING id, phone, channel, body, expires_at, attempts, idempotency_key, provider, \
         next_attempt_at",
    );
    Ok(())
});

/// A provider accepted the message: it is sent, and its body (with the code) is emptied.
pub fn mark_sent(
    conn: &mut DbConnection,
    id: i64,
    provider: &str,
    provider_message_id: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        sms_messages::table
            .filter(sms_messages::id.eq(id))
            .filter(sms_messages::state.eq(MessageState::Sending.as_str())),
    )
    .set((
        sms_messages::state.eq(MessageState::Sent.as_str()),
        sms_messages::provider.eq(Some(provider)),
        sms_messages::provider_message_id.eq(provider_message_id),
        sms_messages::body.eq(Vec::<u8>::new()),
        sms_messages::claimed_until.eq(None::<NaiveDateTime>),
        sms_messages::sent_at.eq(Some(now)),
        sms_messages::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Marks every message of `sent` (id, provider, provider's message id) sent, as
/// [`mark_sent`] does one: on PostgreSQL in one statement (`UPDATE … FROM unnest(…)`), on
/// SQLite one by one (in-process). How many were still being sent.
pub fn mark_all_sent(
    conn: &mut DbConnection,
    sent: &[(i64, &str, Option<&str>)],
    now: NaiveDateTime,
) -> QueryResult<usize> {
    match conn {
        DbConnection::Pg(_) if sent.is_empty() => Ok(0),
        DbConnection::Pg(c) => MarkAllSent {
            ids: sent.iter().map(|m| m.0).collect(),
            providers: sent.iter().map(|m| m.1).collect(),
            message_ids: sent.iter().map(|m| m.2).collect(),
            now,
        }
        .execute(c),
        _ => sent.iter().try_fold(0, |n, (id, provider, message_id)| {
            Ok(n + mark_sent(conn, *id, provider, *message_id, now)?)
        }),
    }
}

/// The statement of [`mark_all_sent`] on PostgreSQL: the same columns as [`mark_sent`]'s.
struct MarkAllSent<'a> {
    ids: Vec<i64>,
    providers: Vec<&'a str>,
    message_ids: Vec<Option<&'a str>>,
    now: NaiveDateTime,
}

statement!(MarkAllSent<'_>, cached, [Pg], |this, out| {
    use diesel::sql_types::Array;
    write_sql!(out;
        "UPDATE sms_messages SET state = " [Text: MessageState::Sent.as_str()]
        ", provider = v.provider, provider_message_id = v.message_id, body = "
        [Binary: &[] as &[u8]] ", claimed_until = NULL, sent_at = " [Timestamp: &this.now]
        ", updated_at = " [Timestamp: &this.now] " FROM unnest("
        [Array<BigInt>: &this.ids] ", " [Array<Text>: &this.providers] ", "
        [Array<Nullable<Text>>: &this.message_ids]
        ") AS v(id, provider, message_id) WHERE sms_messages.id = v.id AND sms_messages.state = "
        [Text: MessageState::Sending.as_str()]
    );
    Ok(())
});

/// A try failed: back to pending until `next`, with the error.
pub fn reschedule(
    conn: &mut DbConnection,
    id: i64,
    provider: &str,
    error: &str,
    next: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        sms_messages::table
            .filter(sms_messages::id.eq(id))
            .filter(sms_messages::state.eq(MessageState::Sending.as_str())),
    )
    .set((
        sms_messages::state.eq(MessageState::Pending.as_str()),
        sms_messages::provider.eq(Some(provider)),
        sms_messages::last_error.eq(Some(error)),
        sms_messages::next_attempt_at.eq(next),
        sms_messages::claimed_until.eq(None::<NaiveDateTime>),
        sms_messages::updated_at.eq(now),
    ))
    .execute(conn)
}

/// No more tries: `state` (failed or expired). An expired message's body is emptied; a failed
/// one keeps it (sealed) while its code lives, so staff can send it again.
pub fn give_up(
    conn: &mut DbConnection,
    id: i64,
    state: MessageState,
    provider: Option<&str>,
    error: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let target = sms_messages::table
        .filter(sms_messages::id.eq(id))
        .filter(sms_messages::state.eq(MessageState::Sending.as_str()));
    let changes = (
        sms_messages::state.eq(state.as_str()),
        sms_messages::provider.eq(provider),
        sms_messages::last_error.eq(Some(error)),
        sms_messages::claimed_until.eq(None::<NaiveDateTime>),
        sms_messages::updated_at.eq(now),
    );
    if state == MessageState::Failed {
        diesel::update(target).set(changes).execute(conn)
    } else {
        diesel::update(target)
            .set((changes, sms_messages::body.eq(Vec::<u8>::new())))
            .execute(conn)
    }
}

/// A provider's delivery report: a sent message is now delivered or failed. Answers how many
/// messages it moved (0 for an unknown id).
pub fn report(
    conn: &mut DbConnection,
    provider: &str,
    provider_message_id: &str,
    state: MessageState,
    error: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let reported = [
        MessageState::Sent.as_str(),
        MessageState::Delivered.as_str(),
    ];
    diesel::update(
        sms_messages::table
            .filter(sms_messages::provider.eq(provider))
            .filter(sms_messages::provider_message_id.eq(provider_message_id))
            .filter(sms_messages::state.eq_any(reported)),
    )
    .set((
        sms_messages::state.eq(state.as_str()),
        sms_messages::last_error.eq(error),
        sms_messages::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Messages created since `since`, by state and provider.
pub fn counts_since(
    conn: &mut DbConnection,
    since: NaiveDateTime,
) -> QueryResult<Vec<(String, Option<String>, i64)>> {
    sms_messages::table
        .filter(sms_messages::created_at.ge(since))
        .group_by((sms_messages::state, sms_messages::provider))
        .select((
            sms_messages::state,
            sms_messages::provider,
            diesel::dsl::count_star(),
        ))
        .load(conn)
}

/// When the oldest message still waiting to go out was written.
pub fn oldest_unsent(conn: &mut DbConnection) -> QueryResult<Option<NaiveDateTime>> {
    let open = MessageState::OPEN.map(MessageState::as_str);
    sms_messages::table
        .filter(sms_messages::state.eq_any(open))
        .select(diesel::dsl::min(sms_messages::created_at))
        .first(conn)
}

/// When the longest-due pending message fell due (the worker should have taken it since), and
/// how many messages are open (pending or sending).
pub fn backlog(conn: &mut DbConnection) -> QueryResult<(Option<NaiveDateTime>, i64)> {
    let due: Option<NaiveDateTime> = sms_messages::table
        .filter(sms_messages::state.eq(MessageState::Pending.as_str()))
        .select(diesel::dsl::min(sms_messages::next_attempt_at))
        .first(conn)?;
    let open = MessageState::OPEN.map(MessageState::as_str);
    let count = sms_messages::table
        .filter(sms_messages::state.eq_any(open))
        .count()
        .get_result(conn)?;
    Ok((due, count))
}

/// Which messages a page lists.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub state: Option<MessageState>,
    pub provider: Option<String>,
    /// Numbers containing these digits.
    pub phone: Option<String>,
}

/// Messages older than `before` (from the newest when `None`) that match `filter`, newest
/// first; and whether more follow.
pub fn page(
    conn: &mut DbConnection,
    filter: &Filter,
    before: Option<i64>,
    per_page: i64,
) -> QueryResult<(Vec<MessageRow>, bool)> {
    let mut q = sms_messages::table.into_boxed();
    if let Some(state) = filter.state {
        q = q.filter(sms_messages::state.eq(state.as_str()));
    }
    if let Some(provider) = &filter.provider {
        q = q.filter(sms_messages::provider.eq(provider.clone()));
    }
    if let Some(digits) = &filter.phone {
        q = q.filter(sms_messages::phone.like(format!("%{digits}%")));
    }
    if let Some(before) = before {
        q = q.filter(sms_messages::id.lt(before));
    }
    let mut rows = q
        .order(sms_messages::id.desc())
        .limit(per_page + 1)
        .select(MessageRow::as_select())
        .load(conn)?;
    let more = rows.len() as i64 > per_page;
    rows.truncate(per_page as usize);
    Ok((rows, more))
}

/// A message as far as sending it again goes.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sms_messages)]
pub struct RetryFacts {
    pub id: i64,
    pub phone: String,
    pub state: String,
    pub expires_at: NaiveDateTime,
    pub body: Vec<u8>,
}

pub fn retry_facts(conn: &mut DbConnection, id: i64) -> QueryResult<Option<RetryFacts>> {
    sms_messages::table
        .find(id)
        .select(RetryFacts::as_select())
        .first(conn)
        .optional()
}

/// The newest message id of each of `phones`.
pub fn newest_ids(conn: &mut DbConnection, phones: &[String]) -> QueryResult<Vec<(String, i64)>> {
    sms_messages::table
        .filter(sms_messages::phone.eq_any(phones))
        .group_by(sms_messages::phone)
        .select((sms_messages::phone, diesel::dsl::max(sms_messages::id)))
        .load::<(String, Option<i64>)>(conn)
        .map(|rows| {
            rows.into_iter()
                .filter_map(|(p, id)| id.map(|id| (p, id)))
                .collect()
        })
}

/// Puts a failed message back in line, due now.
pub fn requeue(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        sms_messages::table
            .filter(sms_messages::id.eq(id))
            .filter(sms_messages::state.eq(MessageState::Failed.as_str())),
    )
    .set((
        sms_messages::state.eq(MessageState::Pending.as_str()),
        sms_messages::next_attempt_at.eq(now),
        sms_messages::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Empties the bodies of messages whose code has expired (the failed ones kept theirs).
pub fn empty_dead_bodies(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        sms_messages::table
            .filter(sms_messages::expires_at.le(now))
            .filter(sms_messages::body.ne(Vec::<u8>::new())),
    )
    .set(sms_messages::body.eq(Vec::<u8>::new()))
    .execute(conn)
}

/// When the next message is due, if any is waiting.
pub fn next_due(conn: &mut DbConnection) -> QueryResult<Option<NaiveDateTime>> {
    sms_messages::table
        .filter(sms_messages::state.eq(MessageState::Pending.as_str()))
        .select(diesel::dsl::min(sms_messages::next_attempt_at))
        .first(conn)
}

/// The messages to one number, newest first.
pub fn for_phone(conn: &mut DbConnection, phone: &str, limit: i64) -> QueryResult<Vec<MessageRow>> {
    sms_messages::table
        .filter(sms_messages::phone.eq(phone))
        .order(sms_messages::id.desc())
        .limit(limit)
        .select(MessageRow::as_select())
        .load(conn)
}

/// Removes up to `batch` messages created before `before` that no worker will touch again.
pub fn purge_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
    batch: i64,
) -> QueryResult<usize> {
    let open = MessageState::OPEN.map(MessageState::as_str);
    let old = sms_messages::table
        .filter(sms_messages::created_at.lt(before))
        .filter(sms_messages::state.ne_all(open))
        .select(sms_messages::id)
        .limit(batch)
        .load::<i64>(conn)?;
    if old.is_empty() {
        return Ok(0);
    }
    diesel::delete(sms_messages::table.filter(sms_messages::id.eq_any(old))).execute(conn)
}
