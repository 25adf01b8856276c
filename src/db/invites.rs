//! Repository functions for invite codes: lookups, the inviter chain, the conditional update,
//! the tries log, and the keyset-paginated invitee list.
//!
//! The inviter chain is one recursive query written in PostgreSQL's placeholder style and run on
//! SQLite with `?N` placeholders; the same text is what the `EXPLAIN` test checks for index use.

use chrono::NaiveDateTime;
use diesel::{
    dsl::{count_star, min},
    prelude::*,
    sql_types::BigInt,
};

use super::{
    DbConnection,
    backend::Stamp,
    schema::{invite_attempts, users},
    users::UserRow,
};
use crate::domain::account::{Invitee, User};

pub fn find_by_invite_code(conn: &mut DbConnection, code: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::invite_code.eq(code))
        // a deleted account's code takes no new entries
        .filter(users::deleted_at.is_null())
        .select(UserRow::as_select())
        .first(conn)
        .optional()
        .map(|row| row.map(User::from))
}

/// Counts the rows with id `$2` on the inviter chain upwards from `$1`.
pub const CHAIN_SQL: &str = "WITH RECURSIVE chain(id, invited_by_id) AS ( \
        SELECT id, invited_by_id FROM users WHERE id = $1 \
        UNION \
        SELECT u.id, u.invited_by_id FROM users u JOIN chain c ON u.id = c.invited_by_id \
    ) SELECT COUNT(*) AS n FROM chain WHERE id = $2";

/// Whether `target` is `start` or one of the people who invited `start`, directly or through
/// others. Walks up the chain in one recursive query; `UNION` stops even on damaged data.
pub fn chain_contains(conn: &mut DbConnection, start: i64, target: i64) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let found: Found = match conn {
        DbConnection::Pg(c) => diesel::sql_query(CHAIN_SQL)
            .bind::<BigInt, _>(start)
            .bind::<BigInt, _>(target)
            .get_result(c)?,
        DbConnection::Sqlite(c) => diesel::sql_query(CHAIN_SQL.replace('$', "?"))
            .bind::<BigInt, _>(start)
            .bind::<BigInt, _>(target)
            .get_result(c)?,
    };
    Ok(found.n > 0)
}

/// Whether anyone's inviter is `user_id` (deleted accounts included: their rows keep it), by
/// the invitee index.
pub fn has_invitees(conn: &mut DbConnection, user_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(users::invited_by_id.eq(Some(user_id))),
    ))
    .get_result(conn)
}

/// Records the inviter, only if none was recorded yet; false when someone was first.
pub fn set_inviter(
    conn: &mut DbConnection,
    user_id: i64,
    inviter_id: i64,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        users::table
            .find(user_id)
            .filter(users::invited_by_id.is_null()),
    )
    .set((
        users::invited_by_id.eq(Some(inviter_id)),
        users::invited_at.eq(Some(at)),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

pub fn add_invitee(conn: &mut DbConnection, inviter_id: i64) -> QueryResult<()> {
    diesel::update(users::table.find(inviter_id))
        .set(users::invitee_count.eq(users::invitee_count + 1))
        .execute(conn)
        .map(drop)
}

/// Takes one invitee off the inviter's count (the invitee's account was deleted).
pub fn remove_invitee(conn: &mut DbConnection, inviter_id: i64) -> QueryResult<()> {
    diesel::update(users::table.find(inviter_id))
        .set(users::invitee_count.eq(users::invitee_count - 1))
        .execute(conn)
        .map(drop)
}

/// Forgets a person's tries at entering codes.
pub fn forget_tries(conn: &mut DbConnection, user_id: i64) -> QueryResult<()> {
    diesel::delete(invite_attempts::table.filter(invite_attempts::user_id.eq(user_id)))
        .execute(conn)
        .map(drop)
}

/// Tries since `since`, and when the oldest of them was.
pub fn tries_since(
    conn: &mut DbConnection,
    user_id: i64,
    since: NaiveDateTime,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    invite_attempts::table
        .filter(invite_attempts::user_id.eq(user_id))
        .filter(invite_attempts::created_at.gt(since))
        .select((count_star(), min(invite_attempts::created_at)))
        .first(conn)
}

pub fn record_try(conn: &mut DbConnection, user_id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(invite_attempts::table)
        .values((
            invite_attempts::user_id.eq(user_id),
            invite_attempts::created_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Removes a person's tries that the limit no longer looks at.
pub fn purge_tries_before(
    conn: &mut DbConnection,
    user_id: i64,
    before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        invite_attempts::table
            .filter(invite_attempts::user_id.eq(user_id))
            .filter(invite_attempts::created_at.lt(before)),
    )
    .execute(conn)
}

/// Removes up to `batch` tries older than `before`, whoever made them (retention).
pub fn purge_all_tries_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
    batch: i64,
) -> QueryResult<usize> {
    let old = invite_attempts::table
        .filter(invite_attempts::created_at.lt(before))
        .select(invite_attempts::id)
        .limit(batch)
        .load::<i64>(conn)?;
    if old.is_empty() {
        return Ok(0);
    }
    diesel::delete(invite_attempts::table.filter(invite_attempts::id.eq_any(old))).execute(conn)
}

/// A row of the invitee list, read into an [`Invitee`].
#[derive(Debug, Queryable)]
struct InviteeRow {
    id: i64,
    phone: String,
    #[diesel(deserialize_as = Stamp)]
    invited_at: NaiveDateTime,
}

/// Which slice of the invitee list to read.
#[derive(Debug, Clone, Copy)]
pub enum Slice {
    First,
    OlderThan(NaiveDateTime, i64),
    NewerThan(NaiveDateTime, i64),
}

/// The three invitee queries, each a fixed statement (so both backends keep it prepared) that
/// `users_invitees_idx` serves in order, from the index alone. The redundant `invited_at <=`
/// / `>=` lets the index range start at the cursor instead of filtering from the top.
macro_rules! invitee_query {
    ($inviter_id:expr, $slice:expr, $limit:expr, |$q:ident| $then:expr) => {{
        let base = users::table
            .filter(users::invited_by_id.eq($inviter_id))
            .select((users::id, users::phone, users::invited_at.assume_not_null()))
            .limit($limit);
        match $slice {
            Slice::First => {
                let $q = base.order((users::invited_at.desc(), users::id.desc()));
                $then
            }
            Slice::OlderThan(at, id) => {
                let $q = base
                    .filter(users::invited_at.le(at))
                    .filter(users::invited_at.lt(at).or(users::id.lt(id)))
                    .order((users::invited_at.desc(), users::id.desc()));
                $then
            }
            Slice::NewerThan(at, id) => {
                let $q = base
                    .filter(users::invited_at.ge(at))
                    .filter(users::invited_at.gt(at).or(users::id.gt(id)))
                    .order((users::invited_at.asc(), users::id.asc()));
                $then
            }
        }
    }};
}

/// Reads up to `limit` invitees of `inviter_id` in the order the slice implies (newest first,
/// except `NewerThan`: oldest first, and the caller reverses them).
pub fn invitees(
    conn: &mut DbConnection,
    inviter_id: i64,
    slice: Slice,
    limit: i64,
) -> QueryResult<Vec<Invitee>> {
    // read on the backend's own connection: rows read through the multi-backend wrapper are
    // decoded field by field
    super::backend::native!(conn, |c| invitee_query!(inviter_id, slice, limit, |q| {
        q.load::<InviteeRow>(c)
    }))
    .map(|rows| {
        rows.into_iter()
            .map(|r| Invitee {
                id: r.id,
                phone: r.phone,
                invited_at: r.invited_at,
            })
            .collect()
    })
}

/// The text of the invitee query for `slice` as PostgreSQL (`$N` placeholders) and SQLite (`?`)
/// run it, for the `EXPLAIN` tests.
pub fn invitees_sql(slice: Slice) -> (String, String) {
    let text = |sql: String| {
        sql.split(" -- binds:")
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    (
        text(invitee_query!(0_i64, slice, 0_i64, |q| {
            diesel::debug_query::<diesel::pg::Pg, _>(&q).to_string()
        })),
        text(invitee_query!(0_i64, slice, 0_i64, |q| {
            diesel::debug_query::<diesel::sqlite::Sqlite, _>(&q).to_string()
        })),
    )
}
