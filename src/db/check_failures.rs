//! Repository functions for `check_failures`: one row per failed check of a code, from which the
//! per-network limit, the lock of one network out of one number, and a number's day budget of
//! checks on short codes are counted (read for a check by `db::code_check`, for a code request
//! by `db::login_codes::sending_state`).

use chrono::NaiveDateTime;
use diesel::{dsl::count_star, prelude::*};

use super::{DbConnection, schema::check_failures};

/// Records a failed check; `code_length` is the length of the code the guess was compared
/// with, or `None` when no code was usable.
pub fn record(
    conn: &mut DbConnection,
    phone: &str,
    client_net: &str,
    code_length: Option<i32>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(check_failures::table)
        .values((
            check_failures::phone.eq(phone),
            check_failures::client_net.eq(client_net),
            check_failures::code_length.eq(code_length),
            check_failures::created_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// A sign-in by `phone` from `client_net`: that network's earlier failures for this number
/// were typos, and stop counting against the network.
pub fn forgive(conn: &mut DbConnection, phone: &str, client_net: &str) -> QueryResult<usize> {
    diesel::update(
        check_failures::table
            .filter(check_failures::phone.eq(phone))
            .filter(check_failures::client_net.eq(client_net))
            .filter(check_failures::forgiven.eq(false)),
    )
    .set(check_failures::forgiven.eq(true))
    .execute(conn)
}

/// (number, network) pairs with at least `threshold` unforgiven failures since `since`: the
/// locks in force.
pub fn count_locked(
    conn: &mut DbConnection,
    threshold: i64,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    let pairs: Vec<(String, String, i64)> = check_failures::table
        .filter(check_failures::forgiven.eq(false))
        .filter(check_failures::created_at.gt(since))
        .group_by((check_failures::phone, check_failures::client_net))
        .select((
            check_failures::phone,
            check_failures::client_net,
            count_star(),
        ))
        .load(conn)?;
    Ok(pairs.iter().filter(|(_, _, n)| *n >= threshold).count() as i64)
}

/// Removes up to `batch` failures older than `before` (retention).
pub fn purge_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
    batch: i64,
) -> QueryResult<usize> {
    let old = check_failures::table
        .filter(check_failures::created_at.lt(before))
        .select(check_failures::id)
        .limit(batch)
        .load::<i64>(conn)?;
    if old.is_empty() {
        return Ok(0);
    }
    diesel::delete(check_failures::table.filter(check_failures::id.eq_any(old))).execute(conn)
}
