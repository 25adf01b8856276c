//! Entering someone's invite code, and reading the list of people who entered yours.

use chrono::{DateTime, NaiveDateTime, TimeDelta};

use super::InviteCode;
use crate::db::{
    self, DbConnection, DbError,
    invites::{self as repo, Invitee, Slice},
    users::{self, User},
};

/// Key of the lock that serialises every activation (PostgreSQL advisory lock; SQLite's
/// `BEGIN IMMEDIATE` already serialises writers).
const ACTIVATION_LOCK: &str = "lock:invite-activation";

/// The answer to "here is the code I was invited with".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activation {
    /// Recorded: this person was invited by the owner of `code`.
    Activated { code: String },
    /// No account has this code.
    Unknown,
    /// It is the person's own code.
    Own,
    /// The owner of the code was invited, directly or through others, by this person.
    Cycle,
    /// A code was entered before; it never changes.
    AlreadyEntered,
    /// Too many tries in the last hour.
    RateLimited { retry_after: i64 },
}

impl Activation {
    /// The Fluent message id for a refusal.
    pub fn message_id(&self) -> &'static str {
        match self {
            Activation::Activated { .. } => "invite-entered",
            Activation::Unknown => "invite-error-unknown",
            Activation::Own => "invite-error-own",
            Activation::Cycle => "invite-error-cycle",
            Activation::AlreadyEntered => "invite-error-already",
            Activation::RateLimited { .. } => "invite-error-rate",
        }
    }
}

/// Records that `user_id` was invited by the owner of `code`, if every rule allows it.
///
/// Runs in one write transaction under a lock that serialises activations, so the cycle check
/// sees every earlier activation; the update is conditional (`invited_by_id IS NULL`), so a
/// second activation can never overwrite the first.
pub fn activate_invite(
    conn: &mut DbConnection,
    max_tries_per_hour: i64,
    user_id: i64,
    code: &InviteCode,
    now: NaiveDateTime,
) -> Result<Activation, DbError> {
    db::write_transaction(conn, |conn| {
        db::lock_keys(conn, &[ACTIVATION_LOCK])?;
        let user = users::find_by_id(conn, user_id)?.ok_or(diesel::result::Error::NotFound)?;
        if user.invited_by_id.is_some() {
            return Ok(Activation::AlreadyEntered);
        }
        let hour_ago = now - TimeDelta::hours(1);
        repo::purge_tries_before(conn, user_id, hour_ago)?;
        let (tries, oldest) = repo::tries_since(conn, user_id, hour_ago)?;
        if tries >= max_tries_per_hour {
            let at = oldest.unwrap_or(now) + TimeDelta::hours(1);
            return Ok(Activation::RateLimited {
                retry_after: (at - now).num_seconds().max(1),
            });
        }
        repo::record_try(conn, user_id, now)?;

        let Some(owner) = repo::find_by_invite_code(conn, code.as_str())? else {
            return Ok(Activation::Unknown);
        };
        if owner.id == user_id {
            return Ok(Activation::Own);
        }
        if repo::chain_contains(conn, owner.id, user_id)? {
            return Ok(Activation::Cycle);
        }
        if !repo::set_inviter(conn, user_id, owner.id, now)? {
            return Ok(Activation::AlreadyEntered);
        }
        repo::add_invitee(conn, owner.id)?;
        Ok(Activation::Activated {
            code: owner.invite_code,
        })
    })
}

/// A position in the invitee list: (time the code was entered, id), as in the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: NaiveDateTime,
    pub id: i64,
}

impl Cursor {
    fn of(invitee: &Invitee) -> Self {
        Self {
            at: invitee.invited_at,
            id: invitee.id,
        }
    }

    /// `MICROS.ID`, for a query string.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.at.and_utc().timestamp_micros(), self.id)
    }

    /// The inverse of `encode`; anything else is `None`.
    pub fn decode(s: &str) -> Option<Self> {
        let (micros, id) = s.split_once('.')?;
        let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?.naive_utc();
        Some(Self {
            at,
            id: id.parse().ok()?,
        })
    }
}

/// Which page of invitees to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageRequest {
    First,
    /// The page after (older than) this position.
    Older(Cursor),
    /// The page before (newer than) this position.
    Newer(Cursor),
}

/// One page of the invitee list, newest first, with the positions for its neighbours.
#[derive(Debug, Clone)]
pub struct InviteePage {
    pub items: Vec<Invitee>,
    pub newer: Option<Cursor>,
    pub older: Option<Cursor>,
}

/// Everything the profile shows beyond the user row.
#[derive(Debug, Clone)]
pub struct ProfileData {
    /// The code this person entered, if any.
    pub entered_code: Option<String>,
    pub invitees: InviteePage,
}

/// Loads the profile with a fixed number of indexed queries, whatever the number of invitees:
/// the inviter by primary key, one page of invitees plus one row to know whether a neighbouring
/// page exists. The total comes from `users.invitee_count`.
pub fn load_profile(
    conn: &mut DbConnection,
    user: &User,
    page: PageRequest,
    per_page: i64,
) -> Result<ProfileData, DbError> {
    let entered_code = match user.invited_by_id {
        Some(id) => users::find_by_id(conn, id)?.map(|inviter| inviter.invite_code),
        None => None,
    };
    let invitees = invitee_page(conn, user.id, page, per_page)?;
    Ok(ProfileData {
        entered_code,
        invitees,
    })
}

/// One page of invitees with keyset pagination: stable while new people join at the top.
pub fn invitee_page(
    conn: &mut DbConnection,
    inviter_id: i64,
    page: PageRequest,
    per_page: i64,
) -> Result<InviteePage, DbError> {
    let per = per_page as usize;
    Ok(match page {
        PageRequest::First => {
            let mut items = repo::invitees(conn, inviter_id, Slice::First, per_page + 1)?;
            let more = items.len() > per;
            items.truncate(per);
            InviteePage {
                older: more.then(|| items.last().map(Cursor::of)).flatten(),
                newer: None,
                items,
            }
        }
        PageRequest::Older(c) => {
            let mut items =
                repo::invitees(conn, inviter_id, Slice::OlderThan(c.at, c.id), per_page + 1)?;
            let more = items.len() > per;
            items.truncate(per);
            // something newer exists: at least the row the cursor came from, unless it is gone
            let top = items.first().map_or(c, Cursor::of);
            let newer =
                !repo::invitees(conn, inviter_id, Slice::NewerThan(top.at, top.id), 1)?.is_empty();
            InviteePage {
                older: more.then(|| items.last().map(Cursor::of)).flatten(),
                newer: newer.then_some(top),
                items,
            }
        }
        PageRequest::Newer(c) => {
            let mut items =
                repo::invitees(conn, inviter_id, Slice::NewerThan(c.at, c.id), per_page + 1)?;
            let more = items.len() > per;
            items.truncate(per);
            items.reverse();
            let bottom = items.last().map_or(c, Cursor::of);
            let older =
                !repo::invitees(conn, inviter_id, Slice::OlderThan(bottom.at, bottom.id), 1)?
                    .is_empty();
            InviteePage {
                newer: more.then(|| items.first().map(Cursor::of)).flatten(),
                older: older.then_some(bottom),
                items,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let at = DateTime::from_timestamp_micros(1_764_072_000_123_456)
            .unwrap()
            .naive_utc();
        let c = Cursor { at, id: 42 };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        for bad in [
            "",
            "1",
            "x.1",
            "1.x",
            "1.2.3",
            "99999999999999999999.1",
            "-.-",
        ] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }
}
