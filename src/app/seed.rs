//! `user-auth seed`: fills a database with synthetic accounts for manual testing and benchmarks.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::RunQueryDsl;

use super::accounts::create_user;
use crate::{
    db::{self, DbConnection, DbError, users},
    domain::{
        invite_code::{InviteCodeGenerator, RandomInviteCodes},
        phone::PhoneNumber,
    },
};

/// Rows per INSERT statement (and per transaction).
const BATCH: u64 = 1000;
/// Mobile prefixes of Uzbekistan: seeded numbers are valid `+998 PP NNN NN NN` numbers.
const PREFIXES: [&str; 8] = ["90", "91", "93", "94", "95", "97", "98", "99"];
const PER_PREFIX: u64 = 10_000_000;

/// What to create.
#[derive(Debug, Clone)]
pub struct SeedPlan {
    /// Accounts that entered no code.
    pub users: u64,
    /// For each phone, how many new accounts enter its code.
    pub invitees_of: Vec<(PhoneNumber, u64)>,
}

/// Progress, reported after every batch.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

/// The n-th synthetic phone number.
pub fn synthetic_phone(n: u64) -> String {
    let n = n % (PER_PREFIX * PREFIXES.len() as u64);
    format!(
        "+998{}{:07}",
        PREFIXES[(n / PER_PREFIX) as usize],
        n % PER_PREFIX
    )
}

/// Inserts up to `count` accounts starting at synthetic number `next`; numbers or codes that
/// are taken are skipped (`ON CONFLICT DO NOTHING`, the same on both backends). Returns how
/// many rows went in.
fn insert_batch(
    conn: &mut DbConnection,
    next: &mut u64,
    count: u64,
    inviter: Option<i64>,
    now: NaiveDateTime,
) -> Result<u64, DbError> {
    let codes = RandomInviteCodes;
    let rows: Vec<String> = (0..count)
        .map(|i| {
            let n = *next + i;
            // joined at some point in the last 60 days; invitees entered the code in order
            let joined = now - TimeDelta::seconds((n % (60 * 86_400)) as i64 + 1);
            let (by, at) = match inviter {
                Some(id) => (
                    id.to_string(),
                    format!(
                        "'{}'",
                        (now - TimeDelta::seconds((count - i) as i64)).format("%F %T")
                    ),
                ),
                None => ("NULL".into(), "NULL".into()),
            };
            format!(
                "('{}', '{}', '{}', {by}, {at})",
                synthetic_phone(n),
                codes.generate(),
                joined.format("%F %T")
            )
        })
        .collect();
    *next += count;
    let sql = format!(
        "INSERT INTO users (phone, invite_code, date_joined, invited_by_id, invited_at) VALUES {} \
         ON CONFLICT DO NOTHING",
        rows.join(", ")
    );
    let inserted = db::write_transaction(conn, |conn| {
        let n = diesel::sql_query(&sql).execute(conn)? as u64;
        if let Some(id) = inviter {
            diesel::sql_query(format!(
                "UPDATE users SET invitee_count = invitee_count + {n} WHERE id = {id}"
            ))
            .execute(conn)?;
        }
        Ok::<_, DbError>(n)
    })?;
    Ok(inserted)
}

/// Creates the accounts in `plan`. `start` picks where the synthetic numbers begin, so two runs
/// rarely collide (collisions are skipped and made up for).
pub fn seed(
    conn: &mut DbConnection,
    plan: &SeedPlan,
    start: u64,
    now: NaiveDateTime,
    mut progress: impl FnMut(Progress),
) -> Result<u64, DbError> {
    let total = plan.users + plan.invitees_of.iter().map(|(_, m)| m).sum::<u64>();
    let mut done = 0;
    let mut next = start;
    let mut fill =
        |conn: &mut DbConnection, want: u64, inviter: Option<i64>| -> Result<(), DbError> {
            let mut made = 0;
            let mut misses = 0;
            while made < want {
                let n = insert_batch(conn, &mut next, BATCH.min(want - made), inviter, now)?;
                made += n;
                done += n;
                misses = if n == 0 { misses + 1 } else { 0 };
                if misses > 100 {
                    return Err(DbError::Exhausted("synthetic phone number"));
                }
                progress(Progress { done, total });
            }
            Ok(())
        };
    fill(conn, plan.users, None)?;
    for (phone, count) in &plan.invitees_of {
        let owner = match users::find_by_phone(conn, phone.as_e164())? {
            Some(user) => user,
            None => create_user(conn, &RandomInviteCodes, phone.as_e164(), now)?,
        };
        fill(conn, *count, Some(owner.id))?;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_numbers_are_valid_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for n in [0, 1, 9_999_999, 10_000_000, 79_999_999, 123_456_789] {
            let phone = synthetic_phone(n);
            assert!(PhoneNumber::parse(&phone, None).is_ok(), "{phone}");
            seen.insert(phone);
        }
        assert_eq!(seen.len(), 6);
    }
}
