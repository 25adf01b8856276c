//! Repository functions for `login_codes`: the codes sent, and what the sending limits count.

use chrono::NaiveDateTime;
use diesel::{
    dsl::{count_star, min},
    prelude::*,
};

use super::{DbConnection, schema::login_codes};
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

/// How many codes were issued in `scope` since `since`, and when the oldest of them was.
pub fn window(
    conn: &mut DbConnection,
    scope: Scope<'_>,
    since: NaiveDateTime,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    let query = login_codes::table
        .filter(login_codes::created_at.gt(since))
        .select((count_star(), min(login_codes::created_at)))
        .into_boxed();
    let query = match scope {
        Scope::Phone(phone) => query.filter(login_codes::phone.eq(phone)),
        Scope::UnusedFromNetwork(net) => query
            .filter(login_codes::client_net.eq(net))
            .filter(login_codes::signed_in.eq(false)),
        Scope::Prefix(prefix) => query.filter(login_codes::phone_prefix.eq(prefix)),
        Scope::All => query,
    };
    query.first(conn)
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

/// Inserts a code and returns its id.
pub fn insert(conn: &mut DbConnection, new: &NewLoginCode<'_>) -> QueryResult<i64> {
    diesel::insert_into(login_codes::table)
        .values(new)
        .execute(conn)?;
    login_codes::table
        .filter(login_codes::phone.eq(new.phone))
        .select(diesel::dsl::max(login_codes::id))
        .first::<Option<i64>>(conn)?
        .ok_or(diesel::result::Error::NotFound)
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
