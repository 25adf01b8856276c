//! The writes of an accepted code request: the number's day-old codes purged, its open codes
//! retired, the new code stored and counted for its number block and the service, the number's
//! unsent messages retired, the new code's message put in the outbox and the event recorded.
//! On PostgreSQL that is one statement (one round trip, prepared once per connection); SQLite,
//! which has no data-modifying `WITH`, runs the same writes one by one (in-process, no trip).

use chrono::NaiveDateTime;
use diesel::{
    prelude::*,
    sql_types::{BigInt, Binary, Bool, Integer, Nullable, SmallInt, Text, Timestamp},
};

use super::{
    DbConnection,
    backend::{statement, write_sql},
    events,
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

const _: () = assert!(
    MessageState::OPEN.len() == 2,
    "list every open state in `unsent`"
);

statement!(StoreOnPostgres<'_, '_>, cached -> BigInt, [Pg], |this, out| {
    let (new, code) = (this.new, &this.new.code);
    let now = &code.created_at;
    write_sql!(out;
        "WITH purged AS (DELETE FROM login_codes WHERE phone = " [Text: code.phone]
        " AND created_at < " [Timestamp: &new.purge_before]
        "), retired AS (UPDATE login_codes SET consumed_at = " [Timestamp: now]
        " WHERE phone = " [Text: code.phone]
        " AND consumed_at IS NULL AND created_at >= " [Timestamp: &new.purge_before]
        "), code AS (INSERT INTO login_codes (phone, code_hmac, created_at, expires_at, \
         client_ip, client_net, phone_prefix, code_length, purpose, user_id) VALUES ("
        [Text: code.phone] ", " [Text: code.code_hmac] ", " [Timestamp: now] ", "
        [Timestamp: &code.expires_at] ", " [Text: code.client_ip] ", "
        [Text: code.client_net] ", " [Text: code.phone_prefix] ", "
        [Integer: &code.code_length] ", " [Text: code.purpose] ", "
        [Nullable<BigInt>: &code.user_id]
        // counted for its block (a row a minute) and the service (spread over SHARDS rows)
        ") RETURNING id), counted AS (INSERT INTO code_counts (scope, minute, shard, codes) \
         SELECT " [Text: code.phone_prefix] ", " [Timestamp: &this.minute] ", "
        [SmallInt: &0] ", 1 UNION ALL SELECT " [Text: ALL] ", " [Timestamp: &this.minute]
        ", CAST(id % " [BigInt: &SHARDS] " AS smallint), 1 FROM code \
         ON CONFLICT (scope, minute, shard) DO UPDATE SET codes = code_counts.codes + 1), \
         unsent AS (UPDATE sms_messages SET state = " [Text: MessageState::Expired.as_str()]
        ", body = " [Binary: &[] as &[u8]] ", last_error = " [Text: REPLACED]
        ", updated_at = " [Timestamp: now] " WHERE phone = " [Text: code.phone]
        // (the two open states; a third would fail to build, below)
        " AND state IN (" [Text: MessageState::OPEN[0].as_str()] ", "
        [Text: MessageState::OPEN[1].as_str()] "))"
    );
    // without a message, a row of placeholders that the WHERE below leaves out
    let m = new.message.as_ref();
    let text = |f: fn(&'c NewMessage<'_>) -> &'c str| m.map_or("", f);
    let time = |f: fn(&'c NewMessage<'_>) -> &'c NaiveDateTime| m.map_or(now, f);
    write_sql!(out;
        ", message AS (INSERT INTO sms_messages (phone, channel, body, expires_at, state, \
         attempts, next_attempt_at, idempotency_key, created_at, updated_at) SELECT "
        [Text: text(|m| m.phone)] ", " [Text: text(|m| m.channel)] ", "
        [Binary: m.map_or(&[] as &[u8], |m| m.body)] ", "
        [Timestamp: time(|m| &m.expires_at)] ", " [Text: text(|m| m.state)] ", "
        [Integer: m.map_or(&0, |m| &m.attempts)] ", "
        [Timestamp: time(|m| &m.next_attempt_at)] ", " [Text: text(|m| m.idempotency_key)]
        ", " [Timestamp: time(|m| &m.created_at)] ", " [Timestamp: time(|m| &m.updated_at)]
        " WHERE " [Bool: &this.send]
        "), event AS (INSERT INTO sign_in_events (phone, region, user_id, ip, outcome, \
         created_at) VALUES (" [Text: code.phone] ", " [Text: new.region] ", "
        [Nullable<BigInt>: &code.user_id] ", " [Text: code.client_ip] ", "
        [Text: Outcome::CodeSent.as_str()] ", " [Timestamp: now]
        ")) SELECT id FROM code"
    );
    Ok(())
});
