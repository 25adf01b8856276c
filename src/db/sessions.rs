//! Repository functions for `sessions`: one row per signed-in browser.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    DbConnection,
    schema::{sessions, users},
    users::UserRow,
};
use crate::domain::account::User;

#[derive(Debug, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub user_id: i64,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub user_agent: Option<&'a str>,
    pub ip: Option<&'a str>,
}

/// What a signed-in request needs to know about its session row.
#[derive(Debug, Clone, Queryable)]
pub struct SessionRow {
    pub id: i64,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewSession<'_>) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(new)
        .execute(conn)
        .map(drop)
}

/// Removes up to `batch` sessions that ended before `before`.
pub fn purge_expired(
    conn: &mut DbConnection,
    before: NaiveDateTime,
    batch: i64,
) -> QueryResult<usize> {
    let old = sessions::table
        .filter(sessions::expires_at.lt(before))
        .select(sessions::id)
        .limit(batch)
        .load::<i64>(conn)?;
    if old.is_empty() {
        return Ok(0);
    }
    diesel::delete(sessions::table.filter(sessions::id.eq_any(old))).execute(conn)
}

/// A live session or token as its owner sees it: id, created, last seen, user agent, address.
pub type Live = (
    i64,
    NaiveDateTime,
    NaiveDateTime,
    Option<String>,
    Option<String>,
);

/// A person's live sessions, newest first.
pub fn live_for_user(
    conn: &mut DbConnection,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<Live>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::expires_at.gt(now))
        .order(sessions::id.desc())
        .select((
            sessions::id,
            sessions::created_at,
            sessions::last_seen_at,
            sessions::user_agent,
            sessions::ip,
        ))
        .load(conn)
}

/// The id of the session with this token hash.
pub fn id_of(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<i64>> {
    sessions::table
        .filter(sessions::token_hash.eq(token_hash))
        .select(sessions::id)
        .first(conn)
        .optional()
}

/// Ends one of a person's sessions; whether there was one.
pub fn delete_own(conn: &mut DbConnection, user_id: i64, id: i64) -> QueryResult<usize> {
    diesel::delete(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::user_id.eq(user_id)),
    )
    .execute(conn)
}

/// Ends a person's sessions but `keep`.
pub fn delete_others(
    conn: &mut DbConnection,
    user_id: i64,
    keep: Option<i64>,
) -> QueryResult<usize> {
    diesel::delete(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::id.ne(keep.unwrap_or(-1))),
    )
    .execute(conn)
}

/// The session with this token hash and its user.
pub fn find_with_user(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<(SessionRow, User)>> {
    // every signed-in request runs this: on the backend's own connection
    super::backend::native!(conn, |c| sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash))
        .select((
            (sessions::id, sessions::last_seen_at, sessions::expires_at),
            UserRow::as_select(),
        ))
        .first::<(SessionRow, UserRow)>(c)
        .optional())
    .map(|found| found.map(|(s, u)| (s, User::from(u))))
}

pub fn touch(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(sessions::table.find(id))
        .set(sessions::last_seen_at.eq(at))
        .execute(conn)
        .map(drop)
}

pub fn delete_by_hash(conn: &mut DbConnection, token_hash: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(token_hash))).execute(conn)
}

pub fn delete_by_id(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(sessions::table.find(id)).execute(conn)
}

/// Ends every session of a user ("sign out everywhere", blocking).
pub fn delete_for_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)
}
