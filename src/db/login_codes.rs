//! Repository functions for `login_codes`: the codes sent, and what the sending limits count.

use chrono::NaiveDateTime;
use diesel::{
    dsl::{count_star, min, sum},
    prelude::*,
};

use super::{
    DbConnection,
    schema::{code_counts, login_codes},
};
use crate::domain::account::CodePurpose;

/// A row of `login_codes`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = login_codes)]
pub struct LoginCode {
    pub id: i64,
    pub phone: String,
    pub code_hmac: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub attempts: i32,
    pub consumed_at: Option<NaiveDateTime>,
    pub client_ip: String,
    pub client_net: String,
    pub phone_prefix: String,
    pub code_length: i32,
    /// Used (to sign in, or to confirm what it was for), not merely retired by a newer code.
    pub signed_in: bool,
    /// One of `CodePurpose::as_str`.
    pub purpose: String,
    /// The account the code is for, unless it is for signing in.
    pub user_id: Option<i64>,
}

impl LoginCode {
    /// Whether this code was sent for `purpose`.
    pub fn serves(&self, purpose: CodePurpose) -> bool {
        self.purpose == purpose.as_str() && self.user_id == purpose.user_id()
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = login_codes)]
pub struct NewLoginCode<'a> {
    pub phone: &'a str,
    pub code_hmac: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub client_ip: &'a str,
    pub client_net: &'a str,
    pub phone_prefix: &'a str,
    pub code_length: i32,
    pub purpose: &'a str,
    pub user_id: Option<i64>,
}

/// The phone's most recent code; only this one can ever be used.
pub fn newest_for_phone(conn: &mut DbConnection, phone: &str) -> QueryResult<Option<LoginCode>> {
    login_codes::table
        .filter(login_codes::phone.eq(phone))
        .order((login_codes::created_at.desc(), login_codes::id.desc()))
        .select(LoginCode::as_select())
        .first(conn)
        .optional()
}

/// Whose codes a limit counts.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Every code sent to one number.
    Phone(&'a str),
    /// The codes asked for from one network that did not end in a sign-in.
    UnusedFromNetwork(&'a str),
    /// Every code sent to numbers with this prefix.
    Prefix(&'a str),
    /// Every code the service sent.
    All,
}

/// The codes of `scope`, as a query to narrow further.
fn in_scope<'a>(
    scope: Scope<'a>,
) -> login_codes::BoxedQuery<'a, <DbConnection as diesel::Connection>::Backend> {
    let query = login_codes::table.into_boxed();
    match scope {
        Scope::Phone(phone) => query.filter(login_codes::phone.eq(phone)),
        Scope::UnusedFromNetwork(net) => query
            .filter(login_codes::client_net.eq(net))
            .filter(login_codes::signed_in.eq(false)),
        Scope::Prefix(prefix) => query.filter(login_codes::phone_prefix.eq(prefix)),
        Scope::All => query,
    }
}

/// The `code_counts` scope of a number block's or the service's codes; `None` for the scopes
/// a limit keeps small, which are counted row by row.
fn tallied(scope: Scope<'_>) -> Option<&str> {
    match scope {
        Scope::Prefix(prefix) => Some(prefix),
        Scope::All => Some(ALL),
        Scope::Phone(_) | Scope::UnusedFromNetwork(_) => None,
    }
}

/// The `code_counts` scope of every code.
const ALL: &str = "all";
/// Rows a minute the service's count is spread over.
const SHARDS: i64 = 8;

/// The start of the minute `at` is in.
fn minute_of(at: NaiveDateTime) -> NaiveDateTime {
    use chrono::Timelike;
    at.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(at)
}

/// How many codes were issued in `scope` since `since`. A number's and a network's are counted
/// row by row (their limits keep them few); a number block's and the service's are summed from
/// `code_counts`, a row per minute, with only the window's first, partial minute counted row by
/// row, so the cost does not grow with the traffic of the hour.
pub fn count_since(
    conn: &mut DbConnection,
    scope: Scope<'_>,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    let Some(key) = tallied(scope) else {
        return in_scope(scope)
            .filter(login_codes::created_at.gt(since))
            .select(count_star())
            .first(conn);
    };
    let whole = minute_of(since) + chrono::TimeDelta::minutes(1);
    let partial: i64 = in_scope(scope)
        .filter(login_codes::created_at.gt(since))
        .filter(login_codes::created_at.lt(whole))
        .select(count_star())
        .first(conn)?;
    let minutes: Option<i64> = code_counts::table
        .filter(code_counts::scope.eq(key))
        .filter(code_counts::minute.ge(whole))
        .select(sum(code_counts::codes))
        .first(conn)?;
    Ok(partial + minutes.unwrap_or(0))
}

/// When the oldest code issued in `scope` since `since` was issued.
pub fn oldest_since(
    conn: &mut DbConnection,
    scope: Scope<'_>,
    since: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    in_scope(scope)
        .filter(login_codes::created_at.gt(since))
        .select(min(login_codes::created_at))
        .first(conn)
}

/// Counts code `id`, issued `at` to a number of block `prefix`, for its block and the service
/// (in the transaction that inserts it).
fn tally(conn: &mut DbConnection, prefix: &str, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    let minute = minute_of(at);
    for (scope, shard) in [(prefix, 0), (ALL, id.rem_euclid(SHARDS) as i16)] {
        let row = (
            code_counts::scope.eq(scope),
            code_counts::minute.eq(minute),
            code_counts::shard.eq(shard),
            code_counts::codes.eq(1),
        );
        let key = (code_counts::scope, code_counts::minute, code_counts::shard);
        super::backend::native!(conn, |c| diesel::insert_into(code_counts::table)
            .values(row)
            .on_conflict(key)
            .do_update()
            .set(code_counts::codes.eq(code_counts::codes + 1))
            .execute(c))?;
    }
    Ok(())
}

/// Removes the per-minute counts of minutes before `before` (no limit looks past its window).
pub fn purge_counts_before(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(code_counts::table.filter(code_counts::minute.lt(minute_of(before))))
        .execute(conn)
}

/// The prefixes that reached `at_least` codes since `since`, with their counts, most first.
pub fn busy_prefixes(
    conn: &mut DbConnection,
    since: NaiveDateTime,
    at_least: i64,
) -> QueryResult<Vec<(String, i64)>> {
    let counts: Vec<(String, i64)> = login_codes::table
        .filter(login_codes::created_at.gt(since))
        .group_by(login_codes::phone_prefix)
        .select((login_codes::phone_prefix, count_star()))
        .load(conn)?;
    let mut busy: Vec<(String, i64)> = counts.into_iter().filter(|(_, n)| *n >= at_least).collect();
    busy.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(busy)
}

/// Inserts a code, counts it for its number block and the service, and returns its id.
pub fn insert(conn: &mut DbConnection, new: &NewLoginCode<'_>) -> QueryResult<i64> {
    diesel::insert_into(login_codes::table)
        .values(new)
        .execute(conn)?;
    let id = login_codes::table
        .filter(login_codes::phone.eq(new.phone))
        .select(diesel::dsl::max(login_codes::id))
        .first::<Option<i64>>(conn)?
        .ok_or(diesel::result::Error::NotFound)?;
    tally(conn, new.phone_prefix, id, new.created_at)?;
    Ok(id)
}

/// Counts one try against the code, before any comparison. False when the code is used up.
pub fn count_attempt(conn: &mut DbConnection, id: i64, max_attempts: i32) -> QueryResult<bool> {
    diesel::update(
        login_codes::table
            .find(id)
            .filter(login_codes::attempts.lt(max_attempts))
            .filter(login_codes::consumed_at.is_null()),
    )
    .set(login_codes::attempts.eq(login_codes::attempts + 1))
    .execute(conn)
    .map(|n| n == 1)
}

/// Marks the code used to sign in; false if someone else used it first.
pub fn consume(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        login_codes::table
            .find(id)
            .filter(login_codes::consumed_at.is_null()),
    )
    .set((
        login_codes::consumed_at.eq(Some(at)),
        login_codes::signed_in.eq(true),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Retires every other open code of the phone once a newer one was sent.
pub fn retire_older(
    conn: &mut DbConnection,
    phone: &str,
    keep_id: i64,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        login_codes::table
            .filter(login_codes::phone.eq(phone))
            .filter(login_codes::id.ne(keep_id))
            .filter(login_codes::consumed_at.is_null()),
    )
    .set(login_codes::consumed_at.eq(Some(at)))
    .execute(conn)
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(login_codes::table.find(id)).execute(conn)
}

/// Removes a phone's codes that no limit looks at any more.
pub fn purge_before(
    conn: &mut DbConnection,
    phone: &str,
    before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        login_codes::table
            .filter(login_codes::phone.eq(phone))
            .filter(login_codes::created_at.lt(before)),
    )
    .execute(conn)
}

/// Removes up to `batch` codes sent before `before`, whoever they went to (retention).
pub fn purge_all_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
    batch: i64,
) -> QueryResult<usize> {
    let old = login_codes::table
        .filter(login_codes::created_at.lt(before))
        .select(login_codes::id)
        .limit(batch)
        .load::<i64>(conn)?;
    if old.is_empty() {
        return Ok(0);
    }
    diesel::delete(login_codes::table.filter(login_codes::id.eq_any(old))).execute(conn)
}
