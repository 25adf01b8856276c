//! Running the service: the staff actions with their rules and audit trail, the dashboard
//! figures, and the chart.

pub mod chart;

use chrono::{Days, NaiveDate, NaiveDateTime, TimeDelta};

use crate::{
    auth,
    db::{
        self, DbConnection, DbError,
        admin::{self as repo, NewAudit},
        api_tokens,
        events::{self, Outcome},
        sessions,
        users::{self, User},
    },
    invites::InviteCodeGenerator,
};

/// What staff can do to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Block,
    Unblock,
    GrantStaff,
    RevokeStaff,
    SignOutEverywhere,
}

impl Action {
    pub const ALL: [Action; 5] = [
        Action::Block,
        Action::Unblock,
        Action::GrantStaff,
        Action::RevokeStaff,
        Action::SignOutEverywhere,
    ];

    /// As stored in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Block => "block",
            Action::Unblock => "unblock",
            Action::GrantStaff => "grant_staff",
            Action::RevokeStaff => "revoke_staff",
            Action::SignOutEverywhere => "sign_out_everywhere",
        }
    }

    /// As it appears in URLs.
    pub fn slug(self) -> &'static str {
        match self {
            Action::Block => "block",
            Action::Unblock => "unblock",
            Action::GrantStaff => "grant-staff",
            Action::RevokeStaff => "revoke-staff",
            Action::SignOutEverywhere => "sign-out-everywhere",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.slug() == slug)
    }

    /// Whether it makes sense for this account now (no "block" for a blocked one).
    pub fn applies_to(self, user: &User) -> bool {
        match self {
            Action::Block => user.is_active,
            Action::Unblock => !user.is_active,
            Action::GrantStaff => !user.is_staff,
            Action::RevokeStaff => user.is_staff,
            Action::SignOutEverywhere => true,
        }
    }
}

/// Who acts, for the audit log.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// `None` for the command line.
    pub id: Option<i64>,
    pub label: &'a str,
    pub ip: Option<&'a str>,
}

/// The answer to an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionResult {
    Done(User),
    /// Staff cannot block themselves or take away their own staff rights.
    NotOnYourself,
    NotFound,
}

/// Carries out `action` on `target_id` and records it, in one transaction. Blocking and
/// "sign out everywhere" delete every session and API token of the account at once.
pub fn perform(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    target_id: i64,
    action: Action,
    now: NaiveDateTime,
) -> Result<ActionResult, DbError> {
    if actor.id == Some(target_id) && matches!(action, Action::Block | Action::RevokeStaff) {
        return Ok(ActionResult::NotOnYourself);
    }
    db::write_transaction(conn, |conn| {
        let Some(target) = users::find_by_id(conn, target_id)? else {
            return Ok(ActionResult::NotFound);
        };
        match action {
            Action::Block => {
                repo::set_active(conn, target_id, false)?;
                end_all_sessions(conn, target_id)?;
            }
            Action::Unblock => {
                repo::set_active(conn, target_id, true)?;
            }
            Action::GrantStaff => {
                repo::set_staff(conn, target_id, true)?;
            }
            Action::RevokeStaff => {
                repo::set_staff(conn, target_id, false)?;
            }
            Action::SignOutEverywhere => end_all_sessions(conn, target_id)?,
        }
        repo::audit(
            conn,
            &NewAudit {
                actor_id: actor.id,
                actor_label: actor.label,
                action: action.as_str(),
                target_id: Some(target_id),
                target_label: &target.phone,
                ip: actor.ip,
                created_at: now,
            },
        )?;
        let updated = users::find_by_id(conn, target_id)?.unwrap_or(target);
        Ok(ActionResult::Done(updated))
    })
}

fn end_all_sessions(conn: &mut DbConnection, user_id: i64) -> Result<(), DbError> {
    sessions::delete_for_user(conn, user_id)?;
    api_tokens::delete_for_user(conn, user_id)?;
    Ok(())
}

/// `user-auth admin grant|revoke PHONE`: grant creates the account (with its invite code) if
/// needed; revoke of an unknown phone is `None`. Recorded with the actor "command line".
pub fn set_staff_by_phone(
    conn: &mut DbConnection,
    invite_codes: &dyn InviteCodeGenerator,
    phone: &str,
    staff: bool,
    now: NaiveDateTime,
) -> Result<Option<User>, DbError> {
    let user = match users::find_by_phone(conn, phone)? {
        Some(user) => user,
        None if staff => auth::create_user(conn, invite_codes, phone, now)?,
        None => return Ok(None),
    };
    let action = if staff {
        Action::GrantStaff
    } else {
        Action::RevokeStaff
    };
    let actor = Actor {
        id: None,
        label: "command line",
        ip: None,
    };
    match perform(conn, actor, user.id, action, now)? {
        ActionResult::Done(user) => Ok(Some(user)),
        ActionResult::NotFound | ActionResult::NotOnYourself => Ok(None),
    }
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

/// Every dashboard figure, as of `now` (UTC days).
pub fn dashboard(conn: &mut DbConnection, now: NaiveDateTime) -> Result<Dashboard, DbError> {
    let today = now.date();
    let midnight = today.and_hms_opt(0, 0, 0).unwrap_or(now);
    let day_ago = now - TimeDelta::hours(24);
    let first_day = today.checked_sub_days(Days::new(29)).unwrap_or(today);
    let buckets = repo::joined_per_day(conn, first_day.and_hms_opt(0, 0, 0).unwrap_or(now))?;
    let per_day = first_day
        .iter_days()
        .take(30)
        .map(|day| {
            (
                day,
                buckets
                    .iter()
                    .find(|(d, _)| *d == day)
                    .map_or(0, |(_, n)| *n),
            )
        })
        .collect();
    Ok(Dashboard {
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
        locked_now: repo::count_locked(conn, now)?,
        with_inviter: repo::count_with_inviter(conn)?,
        top_inviters: repo::top_inviters(conn, 10)?,
        per_day,
    })
}
