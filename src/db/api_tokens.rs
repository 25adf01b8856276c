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
