//! Repository functions for `email_verifications`: the links sent to confirm an address, and
//! what the sending limits count.

use chrono::NaiveDateTime;
use diesel::{
    backend::Backend,
    dsl::{count_star, min},
    prelude::*,
    query_builder::AstPass,
    serialize::ToSql,
    sql_types::{HasSqlType, Timestamp},
};

use super::{DbConnection, backend::write_sql, schema::email_verifications};

/// A row of `email_verifications`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = email_verifications)]
pub struct Verification {
    pub id: i64,
    pub user_id: i64,
    pub email: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = email_verifications)]
pub struct NewVerification<'a> {
    pub user_id: i64,
    pub email: &'a str,
    pub token_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewVerification<'_>) -> QueryResult<()> {
    diesel::insert_into(email_verifications::table)
        .values(new)
        .execute(conn)
        .map(drop)
}

/// Whose links a limit counts.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    Account(i64),
    Address(&'a str),
}

/// How many links were sent in `scope` since `since`, and when the oldest of them was.
pub fn window(
    conn: &mut DbConnection,
    scope: Scope<'_>,
    since: NaiveDateTime,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    let query = email_verifications::table
        .filter(email_verifications::created_at.gt(since))
        .select((count_star(), min(email_verifications::created_at)))
        .into_boxed();
    match scope {
        Scope::Account(id) => query.filter(email_verifications::user_id.eq(id)),
        Scope::Address(email) => query.filter(email_verifications::email.eq(email)),
    }
    .first(conn)
}

/// The link whose token hashes to `token_hash`, if any.
pub fn find_by_hash(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<Verification>> {
    email_verifications::table
        .filter(email_verifications::token_hash.eq(token_hash))
        .select(Verification::as_select())
        .first(conn)
        .optional()
}

/// The account's newest link that can still be used, if any: its address is "waiting".
pub fn open_for_user(
    conn: &mut DbConnection,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Option<Verification>> {
    email_verifications::table
        .filter(email_verifications::user_id.eq(user_id))
        .filter(email_verifications::used_at.is_null())
        .filter(email_verifications::expires_at.gt(now))
        .order((
            email_verifications::created_at.desc(),
            email_verifications::id.desc(),
        ))
        .select(Verification::as_select())
        .first(conn)
        .optional()
}

/// Writes [`open_for_user`]'s address as a subquery of a hand-written statement, for the
/// account whose id is the column `user_id` of the outer query.
pub(super) fn write_open_address<'c, DB>(
    out: &mut AstPass<'_, 'c, DB>,
    user_id: &'static str,
    now: &'c NaiveDateTime,
) -> QueryResult<()>
where
    DB: Backend + HasSqlType<Timestamp>,
    NaiveDateTime: ToSql<Timestamp, DB>,
{
    write_sql!(out;
        "(SELECT e.email FROM email_verifications AS e WHERE e.user_id = " (user_id)
        " AND e.used_at IS NULL AND e.expires_at > " [Timestamp: now]
        " ORDER BY e.created_at DESC, e.id DESC LIMIT 1)"
    );
    Ok(())
}

/// Marks a link used; false when it was used (or retired) already.
pub fn mark_used(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        email_verifications::table
            .find(id)
            .filter(email_verifications::used_at.is_null()),
    )
    .set(email_verifications::used_at.eq(Some(at)))
    .execute(conn)
    .map(|n| n == 1)
}

/// Retires every open link of the account (a newer one was sent, or one was used).
pub fn retire_open(conn: &mut DbConnection, user_id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        email_verifications::table
            .filter(email_verifications::user_id.eq(user_id))
            .filter(email_verifications::used_at.is_null()),
    )
    .set(email_verifications::used_at.eq(Some(at)))
    .execute(conn)
    .map(drop)
}

/// Forgets every link of the account (it was deleted).
pub fn delete_for_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<()> {
    diesel::delete(email_verifications::table.filter(email_verifications::user_id.eq(user_id)))
        .execute(conn)
        .map(drop)
}

/// Removes up to `batch` links made before `before`.
pub fn purge_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
    batch: i64,
) -> QueryResult<usize> {
    let old = email_verifications::table
        .filter(email_verifications::created_at.lt(before))
        .select(email_verifications::id)
        .limit(batch)
        .load::<i64>(conn)?;
    if old.is_empty() {
        return Ok(0);
    }
    diesel::delete(email_verifications::table.filter(email_verifications::id.eq_any(old)))
        .execute(conn)
}
