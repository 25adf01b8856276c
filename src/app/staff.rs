//! Running the service: staff actions with their rules and audit trail, the dashboard figures,
//! finding and exporting accounts, the audit log, and everything about one person.

use std::sync::Arc;

use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone as _};
use chrono_tz::Tz;

use super::{
    accounts::{create_user, delete_account, inviter_of},
    credentials::end_all,
    error::Error,
    invites::invitee_page,
    parts::Parts,
};
use crate::{
    db::{
        self, DbConnection, DbError,
        admin::{self as repo, NewAudit},
        check_failures, emails, events, invites,
        login_codes::{self, Scope},
        users,
    },
    domain::{
        account::{Event, Outcome, User},
        cursor::{INVITEES_PER_PAGE, InviteePage, PageRequest},
        invite_code::InviteCodeGenerator,
        invite_tree::{Bunch, ChainLink, ENTRIES_LOOKED_AT, Entry, MAX_CHAIN, block_of, bunches},
        limits::{Limits, window_start},
        search::{ExportCursor, UserFilter, UserSort},
        staff::{Action, ActionResult, Actor, AuditEntry, By, deleted_label, keeps_an_owner},
    },
};

/// Users per page of the list, and audit entries per page.
pub const PER_PAGE: i64 = 50;
/// Rows per batch of the export.
pub const EXPORT_BATCH: i64 = 1000;
/// Sign-in events per page of a person's view.
pub const EVENTS_PER_PAGE: i64 = 50;

/// What staff do and see.
pub struct Staff {
    parts: Arc<Parts>,
}

/// The figures on the dashboard.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub total_users: i64,
    pub new_today: i64,
    pub new_7_days: i64,
    pub new_30_days: i64,
    pub sign_ins_24h: i64,
    pub codes_sent_24h: i64,
    pub failed_verifications_24h: i64,
    pub locked_now: i64,
    pub with_inviter: i64,
    pub top_inviters: Vec<User>,
    /// The last 30 UTC days, oldest first, each with its new accounts (zero days included).
    pub per_day: Vec<(NaiveDate, i64)>,
    /// Codes sent in the last hour, and the hourly budget (`SMS_MAX_PER_HOUR`).
    pub texts_last_hour: i64,
    pub text_budget: i64,
    /// Number prefixes that reached their hourly budget (`SMS_MAX_PER_PREFIX_HOUR`), with
    /// their codes in the last hour, most first.
    pub busy_prefixes: Vec<(String, i64)>,
    pub prefix_budget: i64,
    /// Codes sent and sign-ins completed in the last 24 hours, per region of the number,
    /// most codes first: a completion rate that falls is how SMS pumping shows.
    pub by_region: Vec<RegionFigures>,
}

/// One region's last 24 hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionFigures {
    /// `UZ`; empty when the number's region is unknown.
    pub region: String,
    pub codes_sent: i64,
    pub signed_in: i64,
}

impl RegionFigures {
    /// Sign-ins per code sent, in percent (one decimal); `None` without codes.
    pub fn completion(&self) -> Option<f64> {
        (self.codes_sent > 0)
            .then(|| (self.signed_in as f64 * 1000.0 / self.codes_sent as f64).round() / 10.0)
    }
}

impl Dashboard {
    /// Share of accounts that entered an invite code, in percent (one decimal).
    pub fn share_with_inviter(&self) -> f64 {
        if self.total_users == 0 {
            0.0
        } else {
            (self.with_inviter as f64 * 1000.0 / self.total_users as f64).round() / 10.0
        }
    }
}

/// One page of the user list.
#[derive(Debug, Clone)]
pub struct UserPage {
    pub rows: Vec<User>,
    /// Whether another page follows.
    pub more: bool,
    /// How many accounts match in all.
    pub total: i64,
}

/// Which audit entries to show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only those by this actor.
    pub actor: Option<i64>,
    /// Only those on this account.
    pub target: Option<i64>,
    /// Only those older than this entry.
    pub before: Option<i64>,
}

/// One page of the audit log, newest first.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub rows: Vec<AuditEntry>,
    pub more: bool,
}

/// Everything staff see about one person.
#[derive(Debug, Clone)]
pub struct PersonView {
    pub user: User,
    /// Whose code this person entered.
    pub inviter: Option<User>,
    pub invitees: InviteePage,
    /// A page of the sign-in events of the person's phone, newest first.
    pub events: Vec<Event>,
    /// Whether older events follow.
    pub more_events: bool,
    /// A test number (`TEST_PHONE_NUMBERS`): the last day its fixed code works.
    pub test_number_until: Option<NaiveDate>,
    /// The people above them in the invite chain, nearest first.
    pub chain: Vec<ChainLink>,
    /// How many entered the codes of those who entered theirs.
    pub second_level: i64,
    /// Their invitees' bunches (many within an hour from one network or number block).
    pub bunches: Vec<Bunch>,
    /// An address waiting for its link to be opened.
    pub pending_email: Option<String>,
}

/// Which sign-in events of a person to show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventQuery {
    /// Only those with this outcome.
    pub outcome: Option<Outcome>,
    /// Only those older than this event.
    pub before: Option<i64>,
}

impl Staff {
    pub(super) fn new(parts: Arc<Parts>) -> Self {
        Self { parts }
    }

    /// Carries out `action` on `target_id` for the staff member `actor`, from `ip`, and records
    /// it.
    pub async fn act(
        &self,
        actor: &User,
        ip: &str,
        target_id: i64,
        action: Action,
    ) -> Result<ActionResult, Error> {
        let (actor_id, label, ip) = (actor.id, actor.phone.clone(), ip.to_owned());
        self.parts
            .run(move |conn, parts| {
                let actor = Actor {
                    id: Some(actor_id),
                    label: &label,
                    ip: Some(&ip),
                };
                perform(conn, actor, target_id, action, parts.now())
            })
            .await
    }

    /// Every dashboard figure, as of now, days counted in the service's time zone.
    pub async fn dashboard(&self) -> Result<Dashboard, Error> {
        self.parts
            .run(move |conn, parts| {
                dashboard(
                    conn,
                    &parts.config.limits,
                    parts.now(),
                    parts.config.time_zone,
                )
            })
            .await
    }

    /// One page (from 1) of the accounts matching `filter`.
    pub async fn search(&self, filter: UserFilter, page: u32) -> Result<UserPage, Error> {
        let offset = i64::from(page.max(1) - 1) * PER_PAGE;
        self.parts
            .run(move |conn, _| {
                let (rows, more) = repo::search_users(conn, &filter, offset, PER_PAGE)?;
                let total = repo::count_users(conn, &filter)?;
                Ok(UserPage { rows, more, total })
            })
            .await
    }

    /// The next batch of the export of `filter` after `after` (from the start when `None`), and
    /// where the batch after it starts (`None` when this was the last).
    pub async fn export_batch(
        &self,
        filter: UserFilter,
        after: Option<ExportCursor>,
    ) -> Result<(Vec<User>, Option<ExportCursor>), Error> {
        self.parts
            .run(move |conn, _| {
                let batch = repo::export_batch(conn, &filter, after, EXPORT_BATCH)?;
                let next = match batch.last() {
                    Some(last) if batch.len() as i64 == EXPORT_BATCH => Some(match filter.sort {
                        UserSort::Joined => ExportCursor::Joined(last.date_joined, last.id),
                        UserSort::Invitees => ExportCursor::Invitees(last.invitee_count, last.id),
                    }),
                    _ => None,
                };
                Ok((batch, next))
            })
            .await
    }

    /// One page of the audit log.
    pub async fn audit(&self, query: AuditQuery) -> Result<AuditPage, Error> {
        self.parts
            .run(move |conn, _| {
                let (rows, more) =
                    repo::audit_page(conn, query.actor, query.target, query.before, PER_PAGE)?;
                Ok(AuditPage { rows, more })
            })
            .await
    }

    /// One account.
    pub async fn user(&self, id: i64) -> Result<Option<User>, Error> {
        self.parts
            .run(move |conn, _| Ok(users::find_by_id(conn, id)?))
            .await
    }

    /// Everything about one account, with one page of the people who entered its code and one
    /// page of its sign-in events.
    pub async fn person(
        &self,
        id: i64,
        page: PageRequest,
        events: EventQuery,
    ) -> Result<Option<PersonView>, Error> {
        self.parts
            .run(move |conn, parts| {
                let Some(user) = users::find_by_id(conn, id)? else {
                    return Ok(None);
                };
                let (rows, more_events) = events::page_for_phone(
                    conn,
                    &user.phone,
                    events.outcome,
                    events.before,
                    EVENTS_PER_PAGE,
                )?;
                let today = parts.now().date();
                Ok(Some(PersonView {
                    test_number_until: parts
                        .config
                        .test_numbers
                        .in_force(&user.phone, today)
                        .map(|t| t.until),
                    pending_email: emails::open_for_user(conn, id, parts.now())?.map(|v| v.email),
                    inviter: inviter_of(conn, &user)?,
                    invitees: invitee_page(conn, id, page, INVITEES_PER_PAGE)?,
                    chain: invites::chain_up(conn, id, MAX_CHAIN)?,
                    second_level: invites::second_level(conn, id)?,
                    bunches: {
                        let entries: Vec<Entry> =
                            invites::recent_entries(conn, id, ENTRIES_LOOKED_AT)?
                                .into_iter()
                                .map(|(at, network, phone)| Entry {
                                    at,
                                    network,
                                    prefix: block_of(&phone).to_owned(),
                                })
                                .collect();
                        bunches(&entries, parts.config.limits.invite_bunch_size)
                    },
                    events: rows,
                    more_events,
                    user,
                }))
            })
            .await
    }
}

/// Key of the lock that serialises every change of roles (so two removals cannot both take
/// the last owner).
pub(super) const ROLES_LOCK: &str = "lock:roles";

/// Carries out `action` on `target_id` if the actor's role allows it and an owner remains, and
/// records it, in one transaction. Blocking and "sign out everywhere" end every session and API
/// token of the account at once.
pub fn perform(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    target_id: i64,
    action: Action,
    now: NaiveDateTime,
) -> Result<ActionResult, DbError> {
    db::write_transaction(conn, |conn| {
        db::lock_keys(conn, &[ROLES_LOCK])?;
        let Some(target) = users::find_by_id(conn, target_id)?.filter(|u| u.deleted_at.is_none())
        else {
            return Ok(ActionResult::NotFound);
        };
        let by = match actor.id {
            None => By::CommandLine,
            Some(id) => By::Staff {
                id,
                // the actor's role as it is now, not as their session saw it
                owner: users::find_by_id(conn, id)?
                    .is_some_and(|u| u.is_owner && u.is_staff && u.is_active),
            },
        };
        if let Some(refused) = action.refusal(by, &target) {
            return Ok(refused);
        }
        if !keeps_an_owner(action, &target, repo::count_owners(conn)?) {
            return Ok(ActionResult::LastOwner);
        }
        match action {
            Action::Block => {
                repo::set_active(conn, target_id, false)?;
                end_all(conn, target_id)?;
            }
            Action::Unblock => {
                repo::set_active(conn, target_id, true)?;
            }
            Action::GrantStaff => {
                repo::set_roles(conn, target_id, true, target.is_owner)?;
            }
            Action::RevokeStaff => {
                repo::set_roles(conn, target_id, false, false)?;
            }
            Action::GrantOwner => {
                repo::set_roles(conn, target_id, true, true)?;
            }
            Action::RevokeOwner => {
                repo::set_roles(conn, target_id, target.is_staff, false)?;
            }
            Action::SignOutEverywhere => end_all(conn, target_id)?,
            Action::Delete => delete_account(conn, &target, now)?,
            // refused above: a person's own act
            Action::ChangePhone | Action::NewInviteCode => return Ok(ActionResult::NotAllowed),
        }
        // a deleted account's audit row does not name its number
        let target_label = match action {
            Action::Delete => deleted_label(target_id),
            _ => target.phone.clone(),
        };
        repo::audit(
            conn,
            &NewAudit {
                actor_id: actor.id,
                actor_label: actor.label,
                action: action.as_str(),
                target_id: Some(target_id),
                target_label: &target_label,
                ip: actor.ip,
                created_at: now,
            },
        )?;
        let updated = users::find_by_id(conn, target_id)?.unwrap_or(target);
        Ok(ActionResult::Done(updated))
    })
}

/// `user-auth admin grant|revoke [--owner] PHONE`: `action` is one of the role changes. A grant
/// creates the account (with its invite code) if needed; anything else on an unknown phone is
/// `NotFound`. Recorded with the actor "command line".
pub fn set_role_by_phone(
    conn: &mut DbConnection,
    invite_codes: &dyn InviteCodeGenerator,
    phone: &str,
    action: Action,
    now: NaiveDateTime,
) -> Result<ActionResult, DbError> {
    let user = match users::find_by_phone(conn, phone)? {
        Some(user) => user,
        None if matches!(action, Action::GrantStaff | Action::GrantOwner) => {
            create_user(conn, invite_codes, phone, now)?
        }
        None => return Ok(ActionResult::NotFound),
    };
    perform(conn, Actor::COMMAND_LINE, user.id, action, now)
}

/// When `day` begins in `zone`, in UTC: its midnight, or the first moment after it where a
/// change of clocks skips midnight.
fn day_start(zone: Tz, day: NaiveDate) -> NaiveDateTime {
    let midnight = day.and_time(NaiveTime::MIN);
    (0..=2)
        .find_map(|hours| {
            zone.from_local_datetime(&(midnight + TimeDelta::hours(hours)))
                .earliest()
        })
        .map_or(midnight, |at| at.naive_utc())
}

/// Every dashboard figure, as of `now`, with days (today, the 30 per day) as the service's time
/// zone counts them.
pub fn dashboard(
    conn: &mut DbConnection,
    limits: &Limits,
    now: NaiveDateTime,
    zone: Tz,
) -> Result<Dashboard, DbError> {
    let today = zone.from_utc_datetime(&now).date_naive();
    let day_ago = now - TimeDelta::hours(24);
    let first_day = today.checked_sub_days(Days::new(29)).unwrap_or(today);
    // 31 bounds: the start of each of the 30 days, and of tomorrow
    let days: Vec<NaiveDate> = first_day.iter_days().take(31).collect();
    let bounds: Vec<NaiveDateTime> = days.iter().map(|day| day_start(zone, *day)).collect();
    let midnight = bounds[bounds.len().saturating_sub(2)];
    let per_day = days
        .into_iter()
        .zip(repo::joined_between(conn, &bounds)?)
        .collect();
    let hour_ago = window_start(now);
    let mut by_region: Vec<RegionFigures> = Vec::new();
    for (region, outcome, n) in
        events::count_by_region_since(conn, &[Outcome::CodeSent, Outcome::SignedIn], day_ago)?
    {
        let at = match by_region.iter().position(|r| r.region == region) {
            Some(at) => at,
            None => {
                by_region.push(RegionFigures {
                    region,
                    codes_sent: 0,
                    signed_in: 0,
                });
                by_region.len() - 1
            }
        };
        if outcome == Outcome::CodeSent.as_str() {
            by_region[at].codes_sent += n;
        } else {
            by_region[at].signed_in += n;
        }
    }
    by_region.sort_by(|a, b| {
        b.codes_sent
            .cmp(&a.codes_sent)
            .then(a.region.cmp(&b.region))
    });
    Ok(Dashboard {
        texts_last_hour: login_codes::count_since(conn, Scope::All, hour_ago)?,
        text_budget: limits.sms_per_hour,
        busy_prefixes: login_codes::busy_prefixes(conn, hour_ago, limits.sms_per_prefix_per_hour)?,
        prefix_budget: limits.sms_per_prefix_per_hour,
        by_region,
        total_users: repo::count_all(conn)?,
        new_today: repo::count_joined_since(conn, midnight)?,
        new_7_days: repo::count_joined_since(conn, now - TimeDelta::days(7))?,
        new_30_days: repo::count_joined_since(conn, now - TimeDelta::days(30))?,
        sign_ins_24h: events::count_since(conn, &[Outcome::SignedIn], day_ago)?,
        codes_sent_24h: events::count_since(conn, &[Outcome::CodeSent], day_ago)?,
        failed_verifications_24h: events::count_since(
            conn,
            &[Outcome::WrongCode, Outcome::CodeDead, Outcome::CodeExpired],
            day_ago,
        )?,
        locked_now: check_failures::count_locked(
            conn,
            i64::from(limits.lock_after_failures),
            now - limits.lock_duration,
        )?,
        with_inviter: repo::count_with_inviter(conn)?,
        top_inviters: repo::top_inviters(conn, 10)?,
        per_day,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_starts_at_its_midnight_or_where_the_clocks_skip_it() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let at = |y, m, d, h| day(y, m, d).and_hms_opt(h, 0, 0).unwrap();
        assert_eq!(day_start(Tz::UTC, day(2026, 12, 1)), at(2026, 12, 1, 0));
        assert_eq!(
            day_start(Tz::Asia__Tashkent, day(2026, 12, 2)),
            at(2026, 12, 1, 19)
        );
        // São Paulo's clocks went from 23:59:59 to 01:00 on 4 November 2018 (UTC-3 to UTC-2)
        assert_eq!(
            day_start(Tz::America__Sao_Paulo, day(2018, 11, 4)),
            at(2018, 11, 4, 3)
        );
        // and New York's day of the change back begins as any other (UTC-4 at midnight)
        assert_eq!(
            day_start(Tz::America__New_York, day(2026, 11, 1)),
            at(2026, 11, 1, 4)
        );
    }
}
