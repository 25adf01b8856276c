//! The writes of an accepted code request: the number's day-old codes purged, its open codes
//! retired, the new code stored and counted for its number block and the service, the number's
//! unsent messages retired, the new code's message put in the outbox and the event recorded.
//! On PostgreSQL that is one statement (one round trip, prepared once per connection); SQLite,
//! which has no data-modifying `WITH`, runs the same writes one by one (in-process, no trip).

use chrono::NaiveDateTime;
use diesel::{
    pg::Pg,
    prelude::*,
    query_builder::{AstPass, Query, QueryFragment, QueryId},
    sql_types::{BigInt, Binary, Bool, Integer, Nullable, SmallInt, Text, Timestamp},
};

use super::{
    DbConnection, events,
    login_codes::{self, ALL, NewLoginCode, SHARDS, minute_of},
    outbox::{self, NewMessage, REPLACED},
};
use crate::domain::{account::Outcome, outbox::MessageState};

/// An accepted code request's rows.
#[derive(Debug)]
pub struct NewCodeRequest<'a> {
    pub code: NewLoginCode<'a>,
    /// The code's text message, unless the number is a test number (its code is never sent).
    pub message: Option<NewMessage<'a>>,
    /// The number's region, as recorded with its events.
    pub region: &'a str,
    /// The number's codes issued before this are purged (no limit looks at them).
    pub purge_before: NaiveDateTime,
}

/// Stores an accepted code request (inside the caller's transaction); the new code's id.
pub fn store(conn: &mut DbConnection, new: &NewCodeRequest<'_>) -> QueryResult<i64> {
    match conn {
        DbConnection::Pg(c) => StoreOnPostgres::new(new).get_result(c),
        DbConnection::Sqlite(_) => {
            let code = &new.code;
            login_codes::purge_before(conn, code.phone, new.purge_before)?;
            let id = login_codes::insert(conn, code)?;
            login_codes::retire_older(conn, code.phone, id, code.created_at)?;
            outbox::retire_unsent_for_phone(conn, code.phone, code.created_at)?;
            if let Some(message) = &new.message {
                outbox::insert(conn, message)?;
            }
            events::record(
                conn,
                code.phone,
                new.region,
                code.user_id,
                code.client_ip,
                Outcome::CodeSent,
                code.created_at,
            )?;
            Ok(id)
        }
    }
}

/// [`store`] on PostgreSQL: the same writes as SQLite's, in one statement. Every part sees the
/// table as it was before the statement, so the code being inserted is not among those retired;
/// the day-old codes purged are left out of those retired (a row is changed once a statement).
struct StoreOnPostgres<'a, 'b> {
    new: &'b NewCodeRequest<'a>,
    /// The minute the code is counted in.
    minute: NaiveDateTime,
    /// Whether there is a message to insert.
    send: bool,
}

impl<'a, 'b> StoreOnPostgres<'a, 'b> {
    fn new(new: &'b NewCodeRequest<'a>) -> Self {
        Self {
            new,
            minute: minute_of(new.code.created_at),
            send: new.message.is_some(),
        }
    }
}

/// The statement's key in the connection's cache: its text never changes.
struct StoreOnPostgresText;

impl QueryId for StoreOnPostgres<'_, '_> {
    type QueryId = StoreOnPostgresText;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for StoreOnPostgres<'_, '_> {
    type SqlType = BigInt;
}

impl RunQueryDsl<PgConnection> for StoreOnPostgres<'_, '_> {}

impl QueryFragment<Pg> for StoreOnPostgres<'_, '_> {
    fn walk_ast<'c>(&'c self, mut out: AstPass<'_, 'c, Pg>) -> QueryResult<()> {
        let (new, code) = (self.new, &self.new.code);
        out.push_sql("WITH purged AS (DELETE FROM login_codes WHERE phone = ");
        out.push_bind_param::<Text, str>(code.phone)?;
        out.push_sql(" AND created_at < ");
        out.push_bind_param::<Timestamp, _>(&new.purge_before)?;
        out.push_sql("), retired AS (UPDATE login_codes SET consumed_at = ");
        out.push_bind_param::<Timestamp, _>(&code.created_at)?;
        out.push_sql(" WHERE phone = ");
        out.push_bind_param::<Text, str>(code.phone)?;
        out.push_sql(" AND consumed_at IS NULL AND created_at >= ");
        out.push_bind_param::<Timestamp, _>(&new.purge_before)?;
        out.push_sql(
            "), code AS (INSERT INTO login_codes (phone, code_hmac, created_at, expires_at, \
             client_ip, client_net, phone_prefix, code_length, purpose, user_id) VALUES (",
        );
        out.push_bind_param::<Text, str>(code.phone)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, str>(code.code_hmac)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&code.created_at)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&code.expires_at)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, str>(code.client_ip)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, str>(code.client_net)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, str>(code.phone_prefix)?;
        out.push_sql(", ");
        out.push_bind_param::<Integer, _>(&code.code_length)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, str>(code.purpose)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<BigInt>, _>(&code.user_id)?;
        // counted for its block (one row a minute) and the service (spread over SHARDS rows)
        out.push_sql(
            ") RETURNING id), counted AS (INSERT INTO code_counts (scope, minute, shard, codes) \
             SELECT ",
        );
        out.push_bind_param::<Text, str>(code.phone_prefix)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&self.minute)?;
        out.push_sql(", ");
        out.push_bind_param::<SmallInt, _>(&0)?;
        out.push_sql(", 1 UNION ALL SELECT ");
        out.push_bind_param::<Text, str>(ALL)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&self.minute)?;
        out.push_sql(", CAST(id % ");
        out.push_bind_param::<BigInt, _>(&SHARDS)?;
        out.push_sql(
            " AS smallint), 1 FROM code ON CONFLICT (scope, minute, shard) \
             DO UPDATE SET codes = code_counts.codes + 1), \
             unsent AS (UPDATE sms_messages SET state = ",
        );
        out.push_bind_param::<Text, str>(MessageState::Expired.as_str())?;
        out.push_sql(", body = ");
        out.push_bind_param::<Binary, [u8]>(&[])?;
        out.push_sql(", last_error = ");
        out.push_bind_param::<Text, str>(REPLACED)?;
        out.push_sql(", updated_at = ");
        out.push_bind_param::<Timestamp, _>(&code.created_at)?;
        out.push_sql(" WHERE phone = ");
        out.push_bind_param::<Text, str>(code.phone)?;
        out.push_sql(" AND state IN (");
        for (i, state) in MessageState::OPEN.into_iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_bind_param::<Text, str>(state.as_str())?;
        }
        out.push_sql(
            ")), message AS (INSERT INTO sms_messages (phone, channel, body, expires_at, state, \
             attempts, next_attempt_at, idempotency_key, created_at, updated_at) SELECT ",
        );
        // without a message, a row of placeholders that the WHERE below leaves out
        let m = new.message.as_ref();
        let text = |f: fn(&'c NewMessage<'_>) -> &'c str| m.map_or("", f);
        let time = |f: fn(&'c NewMessage<'_>) -> &'c NaiveDateTime| m.map_or(&code.created_at, f);
        out.push_bind_param::<Text, str>(text(|m| m.phone))?;
        out.push_sql(", ");
        out.push_bind_param::<Text, str>(text(|m| m.channel))?;
        out.push_sql(", ");
        out.push_bind_param::<Binary, [u8]>(m.map_or(&[], |m| m.body))?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(time(|m| &m.expires_at))?;
        out.push_sql(", ");
        out.push_bind_param::<Text, str>(text(|m| m.state))?;
        out.push_sql(", ");
        out.push_bind_param::<Integer, _>(m.map_or(&0, |m| &m.attempts))?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(time(|m| &m.next_attempt_at))?;
        out.push_sql(", ");
        out.push_bind_param::<Text, str>(text(|m| m.idempotency_key))?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(time(|m| &m.created_at))?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(time(|m| &m.updated_at))?;
        out.push_sql(" WHERE ");
        out.push_bind_param::<Bool, _>(&self.send)?;
        out.push_sql(
            "), event AS (INSERT INTO sign_in_events (phone, region, user_id, ip, outcome, \
             created_at) VALUES (",
        );
        out.push_bind_param::<Text, str>(code.phone)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, str>(new.region)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<BigInt>, _>(&code.user_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, str>(code.client_ip)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, str>(Outcome::CodeSent.as_str())?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&code.created_at)?;
        out.push_sql(")) SELECT id FROM code");
        Ok(())
    }
}
