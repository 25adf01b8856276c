//! What staff can do to an account, who may do it to whom, and the audit trail it leaves.

use chrono::NaiveDateTime;

use super::account::User;

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

    /// Takes something away: asked with more care, shown as dangerous.
    pub fn is_drastic(self) -> bool {
        matches!(self, Action::Block | Action::RevokeStaff)
    }

    /// Whether `actor` may do this to `target_id`: staff cannot block themselves or take away
    /// their own staff rights (the command line, with no actor id, may do anything).
    pub fn allowed(self, actor: Option<i64>, target_id: i64) -> bool {
        !(self.is_drastic() && actor == Some(target_id))
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

impl Actor<'static> {
    /// The command line (`user-auth admin …`).
    pub const COMMAND_LINE: Actor<'static> = Actor {
        id: None,
        label: "command line",
        ip: None,
    };
}

/// The answer to an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionResult {
    Done(User),
    /// Staff cannot block themselves or take away their own staff rights.
    NotOnYourself,
    NotFound,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    /// One of [`Action::as_str`].
    pub action: String,
    pub target_id: Option<i64>,
    pub target_label: String,
    pub ip: Option<String>,
    pub created_at: NaiveDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip() {
        for a in Action::ALL {
            assert_eq!(Action::from_slug(a.slug()), Some(a));
        }
        assert_eq!(Action::from_slug("delete"), None);
    }

    #[test]
    fn nobody_blocks_or_demotes_themselves() {
        for a in Action::ALL {
            assert!(a.allowed(Some(1), 2), "{a:?} on another");
            assert!(a.allowed(None, 1), "{a:?} from the command line");
            assert_eq!(a.allowed(Some(1), 1), !a.is_drastic(), "{a:?} on oneself");
        }
        assert!(Action::Block.is_drastic() && Action::RevokeStaff.is_drastic());
    }
}
