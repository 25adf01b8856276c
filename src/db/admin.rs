//! Repository functions for the admin: finding users, the dashboard figures, the audit log.

use chrono::NaiveDateTime;
use diesel::{
    dsl::count_star,
    prelude::*,
    sql_types::{BigInt, Timestamp},
};

use super::{
    DbConnection,
    schema::{audit_log, users},
    users::UserRow,
};
use crate::domain::{
    account::User,
    search::{ExportCursor, Tri, UserFilter, UserSort},
    staff::AuditEntry,
};

type Boxed<'a> = users::BoxedQuery<'a, super::backend::MultiBackend>;

/// The accounts that match `filter`; deleted accounts never do.
fn filtered(filter: &UserFilter) -> Boxed<'_> {
    let mut q = users::table
        .filter(users::deleted_at.is_null())
        .into_boxed();
    match (&filter.phone_digits, &filter.invite_code) {
        (Some(digits), Some(code)) => {
            q = q.filter(
                users::phone
                    .like(format!("%{digits}%"))
                    .or(users::invite_code.eq(code.clone())),
            );
        }
        (Some(digits), None) => q = q.filter(users::phone.like(format!("%{digits}%"))),
        (None, Some(code)) => q = q.filter(users::invite_code.eq(code.clone())),
        (None, None) => {}
    }
    q = match filter.staff {
        Tri::Any => q,
        Tri::Yes => q.filter(users::is_staff.eq(true)),
        Tri::No => q.filter(users::is_staff.eq(false)),
    };
    q = match filter.blocked {
        Tri::Any => q,
        Tri::Yes => q.filter(users::is_active.eq(false)),
        Tri::No => q.filter(users::is_active.eq(true)),
    };
    match filter.entered_code {
        Tri::Any => q,
        Tri::Yes => q.filter(users::invited_by_id.is_not_null()),
        Tri::No => q.filter(users::invited_by_id.is_null()),
    }
}

fn ordered(q: Boxed<'_>, sort: UserSort) -> Boxed<'_> {
    match sort {
        UserSort::Joined => q.order((users::date_joined.desc(), users::id.desc())),
        UserSort::Invitees => q.order((users::invitee_count.desc(), users::id.desc())),
    }
}

/// One page of matching users (`offset` rows skipped), and whether more follow.
pub fn search_users(
    conn: &mut DbConnection,
    filter: &UserFilter,
    offset: i64,
    per_page: i64,
) -> QueryResult<(Vec<User>, bool)> {
    let mut rows: Vec<User> = ordered(filtered(filter), filter.sort)
        .offset(offset)
        .limit(per_page + 1)
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(User::from)
        .collect();
    let more = rows.len() as i64 > per_page;
    rows.truncate(per_page as usize);
    Ok((rows, more))
}

pub fn count_users(conn: &mut DbConnection, filter: &UserFilter) -> QueryResult<i64> {
    filtered(filter).select(count_star()).first(conn)
}

/// The next batch of the export after `after`, in the list's order (keyset, so every batch
/// costs the same however far the export has gone).
pub fn export_batch(
    conn: &mut DbConnection,
    filter: &UserFilter,
    after: Option<ExportCursor>,
    batch: i64,
) -> QueryResult<Vec<User>> {
    let mut q = ordered(filtered(filter), filter.sort);
    q = match after {
        None => q,
        Some(ExportCursor::Joined(at, id)) => q.filter(
            users::date_joined
                .lt(at)
                .or(users::date_joined.eq(at).and(users::id.lt(id))),
        ),
        Some(ExportCursor::Invitees(n, id)) => q.filter(
            users::invitee_count
                .lt(n)
                .or(users::invitee_count.eq(n).and(users::id.lt(id))),
        ),
    };
    q.limit(batch)
        .select(UserRow::as_select())
        .load(conn)
        .map(|rows| rows.into_iter().map(User::from).collect())
}

/// Accounts that are not deleted.
pub fn count_all(conn: &mut DbConnection) -> QueryResult<i64> {
    users::table
        .filter(users::deleted_at.is_null())
        .count()
        .get_result(conn)
}

pub fn count_joined_since(conn: &mut DbConnection, since: NaiveDateTime) -> QueryResult<i64> {
    users::table
        .filter(users::date_joined.ge(since))
        .count()
        .get_result(conn)
}

pub fn count_with_inviter(conn: &mut DbConnection) -> QueryResult<i64> {
    users::table
        .filter(users::invited_by_id.is_not_null())
        .count()
        .get_result(conn)
}

pub fn top_inviters(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::invitee_count.gt(0))
        .filter(users::deleted_at.is_null())
        .order((users::invitee_count.desc(), users::id.desc()))
        .limit(limit)
        .select(UserRow::as_select())
        .load(conn)
        .map(|rows| rows.into_iter().map(User::from).collect())
}

/// New accounts joined in each span between consecutive `bounds` (UTC, ascending: local
/// midnights, so the spans are the days of the service's time zone), in one statement: as many
/// counts as spans, zero where none joined. The placeholders are the one thing that differs
/// between the backends.
pub fn joined_between(conn: &mut DbConnection, bounds: &[NaiveDateTime]) -> QueryResult<Vec<i64>> {
    #[derive(QueryableByName)]
    struct Bucket {
        #[diesel(sql_type = BigInt)]
        span: i64,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let spans = bounds.len().saturating_sub(1);
    if spans == 0 {
        return Ok(Vec::new());
    }
    // the span of a row is the first bound it is before, less one
    let text = |mark: &str| {
        let at = |i: usize| format!("{mark}{}", i + 1);
        let mut sql = String::from("SELECT CAST(CASE");
        for i in 1..spans {
            sql.push_str(&format!(" WHEN date_joined < {} THEN {}", at(i), i - 1));
        }
        sql.push_str(&format!(
            " ELSE {} END AS BIGINT) AS span, COUNT(*) AS n FROM users \
             WHERE date_joined >= {} AND date_joined < {} GROUP BY 1",
            spans - 1,
            at(0),
            at(spans)
        ));
        sql
    };
    let rows: Vec<Bucket> = match conn {
        DbConnection::Pg(c) => {
            let mut query = diesel::sql_query(text("$")).into_boxed();
            for bound in bounds {
                query = query.bind::<Timestamp, _>(*bound);
            }
            query.load(c)?
        }
        DbConnection::Sqlite(c) => {
            let mut query = diesel::sql_query(text("?")).into_boxed();
            for bound in bounds {
                query = query.bind::<Timestamp, _>(*bound);
            }
            query.load(c)?
        }
    };
    let mut counts = vec![0; spans];
    for row in rows {
        if let Some(count) = usize::try_from(row.span)
            .ok()
            .and_then(|i| counts.get_mut(i))
        {
            *count = row.n;
        }
    }
    Ok(counts)
}

/// An audit entry to write.
#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAudit<'a> {
    pub actor_id: Option<i64>,
    pub actor_label: &'a str,
    pub action: &'a str,
    pub target_id: Option<i64>,
    pub target_label: &'a str,
    pub ip: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

/// A row of `audit_log`, read into an [`AuditEntry`].
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
struct AuditRow {
    id: i64,
    actor_id: Option<i64>,
    actor_label: String,
    action: String,
    target_id: Option<i64>,
    target_label: String,
    ip: Option<String>,
    created_at: NaiveDateTime,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            id: r.id,
            actor_id: r.actor_id,
            actor_label: r.actor_label,
            action: r.action,
            target_id: r.target_id,
            target_label: r.target_label,
            ip: r.ip,
            created_at: r.created_at,
        }
    }
}

/// How many times `actor_id` did `action` since `since`, and the oldest of them (read through
/// the actor's index).
pub fn actions_since(
    conn: &mut DbConnection,
    actor_id: i64,
    action: &str,
    since: NaiveDateTime,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    audit_log::table
        .filter(audit_log::actor_id.eq(actor_id))
        .filter(audit_log::action.eq(action))
        .filter(audit_log::created_at.gt(since))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(audit_log::created_at),
        ))
        .first(conn)
}

pub fn audit(conn: &mut DbConnection, entry: &NewAudit<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values(entry)
        .execute(conn)
        .map(drop)
}

/// Audit entries older than `before_id` (all when `None`), newest first, optionally only those
/// by one actor or on one target; and whether more follow.
pub fn audit_page(
    conn: &mut DbConnection,
    actor: Option<i64>,
    target: Option<i64>,
    before_id: Option<i64>,
    per_page: i64,
) -> QueryResult<(Vec<AuditEntry>, bool)> {
    let mut q = audit_log::table.into_boxed();
    if let Some(a) = actor {
        q = q.filter(audit_log::actor_id.eq(a));
    }
    if let Some(t) = target {
        q = q.filter(audit_log::target_id.eq(t));
    }
    if let Some(b) = before_id {
        q = q.filter(audit_log::id.lt(b));
    }
    let mut rows: Vec<AuditEntry> = q
        .order(audit_log::id.desc())
        .limit(per_page + 1)
        .select(AuditRow::as_select())
        .load(conn)?
        .into_iter()
        .map(AuditEntry::from)
        .collect();
    let more = rows.len() as i64 > per_page;
    rows.truncate(per_page as usize);
    Ok((rows, more))
}

/// Sets `is_active`; false when the user does not exist.
pub fn set_active(conn: &mut DbConnection, id: i64, active: bool) -> QueryResult<bool> {
    diesel::update(users::table.find(id))
        .set(users::is_active.eq(active))
        .execute(conn)
        .map(|n| n == 1)
}

/// Sets `is_staff` and `is_owner` together (an owner is always staff); false when the user
/// does not exist.
pub fn set_roles(conn: &mut DbConnection, id: i64, staff: bool, owner: bool) -> QueryResult<bool> {
    diesel::update(users::table.find(id))
        .set((users::is_staff.eq(staff), users::is_owner.eq(owner)))
        .execute(conn)
        .map(|n| n == 1)
}

/// How many accounts hold the owner role.
pub fn count_owners(conn: &mut DbConnection) -> QueryResult<i64> {
    users::table
        .filter(users::is_owner.eq(true))
        .count()
        .get_result(conn)
}
