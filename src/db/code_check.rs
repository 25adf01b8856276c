//! Checking a code: everything its rules read, in one statement, and the writes of a right
//! sign-in code, in one statement on PostgreSQL (SQLite, which has no data-modifying `WITH`,
//! runs the same writes one by one, in-process).

use chrono::NaiveDateTime;
use diesel::{
    prelude::*,
    query_builder::AstPass,
    sql_types::{BigInt, Bool, Integer, Nullable, Text, Timestamp},
};

use super::{
    DbConnection,
    api_tokens::NewApiToken,
    backend::{statement, write_sql},
    check_failures, events,
    login_codes::{self, LoginCode},
    schema::{login_codes as codes, users},
    sessions::NewSession,
    users::UserRow,
};
use crate::domain::account::{Outcome, Profile, User};

/// Where [`read`] looks.
#[derive(Debug, Clone, Copy)]
pub struct CheckKeys<'a> {
    pub phone: &'a str,
    pub network: &'a str,
    /// The start of the network's hourly window of failed checks.
    pub since: NaiveDateTime,
    pub lock_since: NaiveDateTime,
    pub short_since: NaiveDateTime,
    /// Guesses at codes shorter than this count against the number's day budget.
    pub long_length: i32,
    pub now: NaiveDateTime,
}

/// What the rules of a check look at.
#[derive(Debug, Clone)]
pub struct CheckState {
    /// Unforgiven failed checks from the network in the hourly window, and the oldest.
    pub network_failures: i64,
    pub network_oldest: Option<NaiveDateTime>,
    /// Unforgiven failed checks of this number from this network since the lock's look-back.
    pub lock_failures: i64,
    pub lock_oldest: Option<NaiveDateTime>,
    /// Failed checks of the number on short codes since the day budget's look-back.
    pub short_failures: i64,
    /// The number's newest code: the only one that can be used.
    pub code: Option<LoginCode>,
    /// The number's account, with the code it entered and the address waiting for its link.
    pub account: Option<Profile>,
}

/// Reads what a check of a code for `keys.phone` looks at, in one statement (one round trip,
/// a statement the connection keeps prepared).
pub fn read(conn: &mut DbConnection, keys: &CheckKeys<'_>) -> QueryResult<CheckState> {
    type Row = (
        (i64, Option<NaiveDateTime>, i64, Option<NaiveDateTime>, i64),
        Option<LoginCode>,
        Option<UserRow>,
        (Option<String>, Option<NaiveDateTime>, Option<String>),
    );
    let query = Read { keys };
    let (counts, code, user, (entered_code, inviter_deleted_at, pending_email)): Row =
        super::backend::native!(conn, |c| query.get_result(c))?;
    Ok(CheckState {
        network_failures: counts.0,
        network_oldest: counts.1,
        lock_failures: counts.2,
        lock_oldest: counts.3,
        short_failures: counts.4,
        code,
        account: user.map(|user| Profile {
            user: User::from(user),
            inviter_deleted: inviter_deleted_at.is_some(),
            entered_code,
            pending_email,
        }),
    })
}

/// The statement of [`read`]: the counts as subqueries, then the newest code, the account, its
/// inviter and the address waiting for its link, each joined when it exists.
struct Read<'a, 'b> {
    keys: &'b CheckKeys<'a>,
}

statement!(Read<'_, '_>, cached -> (
    (BigInt, Nullable<Timestamp>, BigInt, Nullable<Timestamp>, BigInt),
    Nullable<codes::SqlType>,
    Nullable<users::SqlType>,
    (Nullable<Text>, Nullable<Timestamp>, Nullable<Text>),
), [Pg, Sqlite], |this, out| {
    let k = this.keys;
    // the network's unforgiven failures since `since` (for this number when `phone` is given)
    let network = |out: &mut AstPass<'_, 'c, DB>, since, phone: Option<&'c str>| {
        write_sql!(out;
            " FROM check_failures WHERE client_net = " [Text: k.network]
            " AND forgiven = " [Bool: &false] " AND created_at > " [Timestamp: since]
        );
        if let Some(phone) = phone {
            write_sql!(out; " AND phone = " [Text: phone]);
        }
        out.push_sql(")");
        QueryResult::Ok(())
    };
    out.push_sql("SELECT (SELECT COUNT(*)");
    network(&mut out, &k.since, None)?;
    out.push_sql(", (SELECT MIN(created_at)");
    network(&mut out, &k.since, None)?;
    out.push_sql(", (SELECT COUNT(*)");
    network(&mut out, &k.lock_since, Some(k.phone))?;
    out.push_sql(", (SELECT MIN(created_at)");
    network(&mut out, &k.lock_since, Some(k.phone))?;
    write_sql!(out;
        ", (SELECT COUNT(*) FROM check_failures WHERE phone = " [Text: k.phone]
        " AND created_at > " [Timestamp: &k.short_since]
        " AND code_length < " [Integer: &k.long_length] "), "
    );
    codes::all_columns.walk_ast(out.reborrow())?;
    out.push_sql(", ");
    users::all_columns.walk_ast(out.reborrow())?;
    out.push_sql(", inviter.invite_code, inviter.deleted_at, ");
    super::emails::write_open_address(&mut out, "users.id", &k.now)?;
    write_sql!(out;
        " FROM (SELECT 1 AS one) AS one LEFT JOIN login_codes ON login_codes.id = (SELECT n.id FROM login_codes AS n \
         WHERE n.phone = " [Text: k.phone]
        " ORDER BY n.created_at DESC, n.id DESC LIMIT 1) LEFT JOIN users ON users.phone = "
        [Text: k.phone] " LEFT JOIN users AS inviter ON inviter.id = users.invited_by_id"
    );
    Ok(())
});

/// The credential a sign-in issues.
#[derive(Debug)]
pub enum NewCredential<'a> {
    Session(NewSession<'a>),
    ApiToken(NewApiToken<'a>),
}

impl NewCredential<'_> {
    /// Stores the credential in its table.
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        match self {
            NewCredential::Session(new) => super::sessions::insert(conn, new),
            NewCredential::ApiToken(new) => super::api_tokens::insert(conn, new),
        }
    }
}

/// The writes of a right sign-in code of an active account.
#[derive(Debug)]
pub struct SignInWrites<'a> {
    pub code_id: i64,
    pub max_attempts: i32,
    pub phone: &'a str,
    pub network: &'a str,
    pub region: &'a str,
    pub ip: &'a str,
    pub user_id: i64,
    pub credential: NewCredential<'a>,
    pub now: NaiveDateTime,
}

/// Records a right sign-in code (inside the caller's transaction): the try counted and the code
/// used, the network's earlier failures for this number forgiven (they were typos), the
/// account's last sign-in, its new credential and the event. False, with nothing written, when
/// the code was used up meanwhile.
pub fn record_sign_in(conn: &mut DbConnection, w: &SignInWrites<'_>) -> QueryResult<bool> {
    match conn {
        DbConnection::Pg(c) => SignInOnPostgres(w).get_result::<i64>(c).map(|n| n == 1),
        DbConnection::Sqlite(_) => {
            if !login_codes::use_code(conn, w.code_id, w.max_attempts, w.now)? {
                return Ok(false);
            }
            check_failures::forgive(conn, w.phone, w.network)?;
            super::users::touch_last_login(conn, w.user_id, w.now)?;
            w.credential.insert(conn)?;
            events::record(
                conn,
                w.phone,
                w.region,
                Some(w.user_id),
                w.ip,
                Outcome::SignedIn,
                w.now,
            )?;
            Ok(true)
        }
    }
}

/// [`record_sign_in`] on PostgreSQL: the same writes as SQLite's in one statement, each part
/// only if the code was used (the `used` part returned its row).
struct SignInOnPostgres<'a, 'b>(&'b SignInWrites<'a>);

// kept prepared by its text (one for sessions, one for API tokens)
statement!(SignInOnPostgres<'_, '_>, by_text -> BigInt, [Pg], |this, out| {
    let w = this.0;
    let (table, last_at, c) = match &w.credential {
        NewCredential::Session(s) => (
            "sessions",
            "last_seen_at",
            (
                s.token_hash,
                &s.created_at,
                &s.last_seen_at,
                &s.expires_at,
                &s.user_agent,
                &s.ip,
            ),
        ),
        NewCredential::ApiToken(t) => (
            "api_tokens",
            "last_used_at",
            (
                t.token_hash,
                &t.created_at,
                &t.last_used_at,
                &t.expires_at,
                &t.user_agent,
                &t.ip,
            ),
        ),
    };
    write_sql!(out;
        "WITH used AS (UPDATE login_codes SET attempts = attempts + 1, consumed_at = "
        [Timestamp: &w.now] ", signed_in = TRUE WHERE id = " [BigInt: &w.code_id]
        " AND attempts < " [Integer: &w.max_attempts]
        " AND consumed_at IS NULL RETURNING id), forgiven AS (UPDATE check_failures \
         SET forgiven = TRUE WHERE phone = " [Text: w.phone] " AND client_net = "
        [Text: w.network] " AND forgiven = FALSE AND EXISTS (SELECT 1 FROM used)), \
         touched AS (UPDATE users SET last_login = " [Timestamp: &w.now] " WHERE id = "
        [BigInt: &w.user_id] " AND EXISTS (SELECT 1 FROM used)), credential AS (INSERT INTO "
        (table) " (token_hash, user_id, created_at, " (last_at)
        ", expires_at, user_agent, ip) SELECT " [Text: c.0] ", " [BigInt: &w.user_id] ", "
        [Timestamp: c.1] ", " [Timestamp: c.2] ", " [Timestamp: c.3] ", "
        [Nullable<Text>: c.4] ", " [Nullable<Text>: c.5]
        " FROM used), event AS (INSERT INTO sign_in_events (phone, region, user_id, ip, \
         outcome, created_at) SELECT " [Text: w.phone] ", " [Text: w.region] ", "
        [BigInt: &w.user_id] ", " [Text: w.ip] ", " [Text: Outcome::SignedIn.as_str()] ", "
        [Timestamp: &w.now] " FROM used) SELECT COUNT(*) FROM used"
    );
    Ok(())
});

/// The writes of a wrong guess at a live code.
#[derive(Debug)]
pub struct WrongWrites<'a> {
    pub code_id: i64,
    pub max_attempts: i32,
    pub phone: &'a str,
    pub network: &'a str,
    /// The length of the code the guess was compared with.
    pub code_length: i32,
    pub region: &'a str,
    pub ip: &'a str,
    /// The account the code was for, when it was for one's change.
    pub user_id: Option<i64>,
    pub now: NaiveDateTime,
}

/// Records a wrong guess (inside the caller's transaction): the try counted against the code,
/// the failed check against the network (and the number's day budget), and the event. False,
/// with nothing written, when the code was used up meanwhile.
pub fn record_wrong(conn: &mut DbConnection, w: &WrongWrites<'_>) -> QueryResult<bool> {
    match conn {
        DbConnection::Pg(c) => WrongOnPostgres(w).get_result::<i64>(c).map(|n| n == 1),
        DbConnection::Sqlite(_) => {
            if !login_codes::count_attempt(conn, w.code_id, w.max_attempts)? {
                return Ok(false);
            }
            check_failures::record(conn, w.phone, w.network, Some(w.code_length), w.now)?;
            events::record(
                conn,
                w.phone,
                w.region,
                w.user_id,
                w.ip,
                Outcome::WrongCode,
                w.now,
            )?;
            Ok(true)
        }
    }
}

/// [`record_wrong`] on PostgreSQL: the same writes as SQLite's in one statement, each part
/// only if the try was counted.
struct WrongOnPostgres<'a, 'b>(&'b WrongWrites<'a>);

statement!(WrongOnPostgres<'_, '_>, cached -> BigInt, [Pg], |this, out| {
    let w = this.0;
    write_sql!(out;
        "WITH tried AS (UPDATE login_codes SET attempts = attempts + 1 WHERE id = "
        [BigInt: &w.code_id] " AND attempts < " [Integer: &w.max_attempts]
        " AND consumed_at IS NULL RETURNING id), failed AS (INSERT INTO check_failures \
         (phone, client_net, code_length, created_at) SELECT " [Text: w.phone] ", "
        [Text: w.network] ", " [Integer: &w.code_length] ", " [Timestamp: &w.now]
        " FROM tried), event AS (INSERT INTO sign_in_events (phone, region, user_id, ip, \
         outcome, created_at) SELECT " [Text: w.phone] ", " [Text: w.region] ", "
        [Nullable<BigInt>: &w.user_id] ", " [Text: w.ip] ", "
        [Text: Outcome::WrongCode.as_str()] ", " [Timestamp: &w.now]
        " FROM tried) SELECT COUNT(*) FROM tried"
    );
    Ok(())
});
