//! Repository functions for `api_tokens`: one row per bearer token of the JSON API.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    DbConnection,
    schema::{api_tokens, users},
    users::UserRow,
};
use crate::domain::account::User;

#[derive(Debug, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct NewApiToken<'a> {
    pub token_hash: &'a str,
    pub user_id: i64,
    pub created_at: NaiveDateTime,
    pub last_used_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub user_agent: Option<&'a str>,
    pub ip: Option<&'a str>,
}

/// A person's live tokens, newest first: (id, created, last used, user agent, address).
pub fn live_for_user(
    conn: &mut DbConnection,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<super::sessions::Live>> {
    api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .filter(api_tokens::expires_at.gt(now))
        .order(api_tokens::id.desc())
        .select((
            api_tokens::id,
            api_tokens::created_at,
            api_tokens::last_used_at,
            api_tokens::user_agent,
            api_tokens::ip,
        ))
        .load(conn)
}

/// Ends one of a person's tokens; whether there was one.
pub fn delete_own(conn: &mut DbConnection, user_id: i64, id: i64) -> QueryResult<usize> {
    diesel::delete(
        api_tokens::table
            .filter(api_tokens::id.eq(id))
            .filter(api_tokens::user_id.eq(user_id)),
    )
    .execute(conn)
}

/// Ends a person's tokens but `keep`.
pub fn delete_others(
    conn: &mut DbConnection,
    user_id: i64,
    keep: Option<i64>,
) -> QueryResult<usize> {
    diesel::delete(
        api_tokens::table
            .filter(api_tokens::user_id.eq(user_id))
            .filter(api_tokens::id.ne(keep.unwrap_or(-1))),
    )
    .execute(conn)
}

/// What a request needs to know about its token row.
#[derive(Debug, Clone, Queryable)]
pub struct TokenRow {
    pub id: i64,
    pub last_used_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewApiToken<'_>) -> QueryResult<()> {
    diesel::insert_into(api_tokens::table)
        .values(new)
        .execute(conn)
        .map(drop)
}

pub fn find_with_user(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<(TokenRow, User)>> {
    // every API request runs this: on the backend's own connection
    super::backend::native!(conn, |c| api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(token_hash))
        .select((
            (
                api_tokens::id,
                api_tokens::last_used_at,
                api_tokens::expires_at,
            ),
            UserRow::as_select(),
        ))
        .first::<(TokenRow, UserRow)>(c)
        .optional())
    .map(|found| found.map(|(t, u)| (t, User::from(u))))
}

/// The id of the token with this hash.
pub fn id_of(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<i64>> {
    api_tokens::table
        .filter(api_tokens::token_hash.eq(token_hash))
        .select(api_tokens::id)
        .first(conn)
        .optional()
}

/// Removes up to `batch` tokens that ended before `before`.
pub fn purge_expired(
    conn: &mut DbConnection,
    before: NaiveDateTime,
    batch: i64,
) -> QueryResult<usize> {
    let old = api_tokens::table
        .filter(api_tokens::expires_at.lt(before))
        .select(api_tokens::id)
        .limit(batch)
        .load::<i64>(conn)?;
    if old.is_empty() {
        return Ok(0);
    }
    diesel::delete(api_tokens::table.filter(api_tokens::id.eq_any(old))).execute(conn)
}

pub fn touch(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(api_tokens::table.find(id))
        .set(api_tokens::last_used_at.eq(at))
        .execute(conn)
        .map(drop)
}

pub fn delete_by_hash(conn: &mut DbConnection, token_hash: &str) -> QueryResult<usize> {
    diesel::delete(api_tokens::table.filter(api_tokens::token_hash.eq(token_hash))).execute(conn)
}

pub fn delete_by_id(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(api_tokens::table.find(id)).execute(conn)
}

/// Revokes every token of a user (blocking, "sign out everywhere").
pub fn delete_for_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<usize> {
    diesel::delete(api_tokens::table.filter(api_tokens::user_id.eq(user_id))).execute(conn)
}
