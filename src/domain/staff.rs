//! What staff can do to an account, who may do it to whom, and the audit trail it leaves.

use chrono::NaiveDateTime;

use super::account::User;

/// What can be done to an account. The owner role is granted and taken on the command line
/// only; the others are the admin pages' actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Block,
    Unblock,
    GrantStaff,
    RevokeStaff,
    SignOutEverywhere,
    GrantOwner,
    RevokeOwner,
    /// Deleting an account: by its owner (with a code), or by staff.
    Delete,
    /// A person moving their account to a new number; their own act, never staff's.
    ChangePhone,
    /// A person giving themselves a new invite code; their own act.
    NewInviteCode,
}

impl Action {
    /// Every action, as the audit log may name it.
    pub const ALL: [Action; 10] = [
        Action::Block,
        Action::Unblock,
        Action::GrantStaff,
        Action::RevokeStaff,
        Action::SignOutEverywhere,
        Action::GrantOwner,
        Action::RevokeOwner,
        Action::Delete,
        Action::ChangePhone,
        Action::NewInviteCode,
    ];

    /// The actions of the admin pages.
    pub const ON_THE_PAGES: [Action; 6] = [
        Action::Block,
        Action::Unblock,
        Action::GrantStaff,
        Action::RevokeStaff,
        Action::SignOutEverywhere,
        Action::Delete,
    ];

    /// As stored in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Block => "block",
            Action::Unblock => "unblock",
            Action::GrantStaff => "grant_staff",
            Action::RevokeStaff => "revoke_staff",
            Action::SignOutEverywhere => "sign_out_everywhere",
            Action::GrantOwner => "grant_owner",
            Action::RevokeOwner => "revoke_owner",
            Action::Delete => "delete_account",
            Action::ChangePhone => "change_phone",
            Action::NewInviteCode => "new_invite_code",
        }
    }

    /// As it appears in URLs (and in message ids).
    pub fn slug(self) -> &'static str {
        match self {
            Action::Block => "block",
            Action::Unblock => "unblock",
            Action::GrantStaff => "grant-staff",
            Action::RevokeStaff => "revoke-staff",
            Action::SignOutEverywhere => "sign-out-everywhere",
            Action::GrantOwner => "grant-owner",
            Action::RevokeOwner => "revoke-owner",
            Action::Delete => "delete",
            Action::ChangePhone => "change-phone",
            Action::NewInviteCode => "new-invite-code",
        }
    }

    /// The admin pages' action with this slug.
    pub fn from_slug(slug: &str) -> Option<Action> {
        Action::ON_THE_PAGES.into_iter().find(|a| a.slug() == slug)
    }

    /// Whether it makes sense for this account now (no "block" for a blocked one).
    pub fn applies_to(self, user: &User) -> bool {
        if user.deleted_at.is_some() {
            return false;
        }
        match self {
            Action::Block => user.is_active,
            Action::Unblock => !user.is_active,
            Action::GrantStaff => !user.is_staff,
            Action::RevokeStaff => user.is_staff,
            Action::SignOutEverywhere => true,
            Action::GrantOwner => !user.is_owner,
            Action::RevokeOwner => user.is_owner,
            Action::Delete => user.deleted_at.is_none(),
            Action::ChangePhone | Action::NewInviteCode => false,
        }
    }

    /// A person's own act on their account (in the audit log), never staff's.
    pub fn is_own_act(self) -> bool {
        matches!(self, Action::ChangePhone | Action::NewInviteCode)
    }

    /// Takes something away: asked with more care, shown as dangerous.
    pub fn is_drastic(self) -> bool {
        matches!(
            self,
            Action::Block | Action::RevokeStaff | Action::RevokeOwner | Action::Delete
        )
    }

    /// Whether it changes who runs the service.
    fn changes_rights(self) -> bool {
        matches!(
            self,
            Action::GrantStaff | Action::RevokeStaff | Action::GrantOwner | Action::RevokeOwner
        )
    }

    /// Whether `by` may do this to `target`; `None` when allowed. The command line may do
    /// anything (the last owner is kept elsewhere, see [`keeps_an_owner`]). Staff: no action on
    /// an owner, staff rights changed by owners only, and nobody blocks or demotes themselves;
    /// the owner role itself is the command line's.
    pub fn refusal(self, by: By, target: &User) -> Option<ActionResult> {
        if self.is_own_act() {
            return Some(ActionResult::NotAllowed);
        }
        let By::Staff { id, owner } = by else {
            return None;
        };
        if self.is_drastic() && id == target.id {
            return Some(ActionResult::NotOnYourself);
        }
        let for_owners = self.changes_rights() && !owner;
        let owner_only = matches!(self, Action::GrantOwner | Action::RevokeOwner);
        (target.is_owner || for_owners || owner_only).then_some(ActionResult::NotAllowed)
    }
}

/// Whether an action leaves at least one owner, given how many there are now.
pub fn keeps_an_owner(action: Action, target: &User, owners: i64) -> bool {
    let removes = match action {
        Action::RevokeOwner | Action::RevokeStaff | Action::Delete => target.is_owner,
        _ => false,
    };
    !removes || owners > 1
}

/// How the audit log names a deleted account (its number is gone): `#42`.
pub fn deleted_label(id: i64) -> String {
    format!("#{id}")
}

/// Who acts, as the rules see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// `user-auth admin …`.
    CommandLine,
    /// A signed-in staff member; `owner` when they hold the owner role.
    Staff { id: i64, owner: bool },
}

impl By {
    /// A signed-in staff member.
    pub fn staff(user: &User) -> Self {
        By::Staff {
            id: user.id,
            owner: user.is_owner,
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
    /// The actor's role does not allow it: an action on an owner, or staff rights changed by
    /// someone who is not an owner.
    NotAllowed,
    /// It would leave the service without an owner.
    LastOwner,
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

    fn user(id: i64, staff: bool, owner: bool) -> User {
        User {
            id,
            phone: format!("+99890100000{id}"),
            invite_code: "AAAAAA".into(),
            invited_by_id: None,
            is_active: true,
            is_staff: staff,
            date_joined: NaiveDateTime::default(),
            last_login: None,
            invited_at: None,
            invitee_count: 0,
            is_owner: owner,
            display_name: None,
            deleted_at: None,
            email: None,
            email_verified_at: None,
            unseen_invitees: 0,
        }
    }

    #[test]
    fn slugs_round_trip_for_the_pages_actions() {
        for a in Action::ON_THE_PAGES {
            assert_eq!(Action::from_slug(a.slug()), Some(a));
        }
        assert_eq!(Action::from_slug("change-phone"), None, "the person's own");
        assert_eq!(Action::from_slug("grant-owner"), None, "the command line's");
    }

    #[test]
    fn who_may_do_what_to_whom() {
        let staff = By::Staff {
            id: 1,
            owner: false,
        };
        let owner = By::Staff { id: 2, owner: true };
        let (plain, other_staff, an_owner) = (
            user(3, false, false),
            user(4, true, false),
            user(5, true, true),
        );
        // staff block, unblock and sign out people and other staff
        for a in [Action::Block, Action::Unblock, Action::SignOutEverywhere] {
            assert_eq!(a.refusal(staff, &plain), None, "{a:?}");
            assert_eq!(a.refusal(staff, &other_staff), None, "{a:?}");
        }
        // only owners change staff rights
        for a in [Action::GrantStaff, Action::RevokeStaff] {
            assert_eq!(
                a.refusal(staff, &other_staff),
                Some(ActionResult::NotAllowed)
            );
            assert_eq!(a.refusal(owner, &other_staff), None);
        }
        // nothing applies to an owner, from the pages; the command line may
        for a in Action::ALL.into_iter().filter(|a| !a.is_own_act()) {
            assert_eq!(
                a.refusal(owner, &an_owner),
                Some(ActionResult::NotAllowed),
                "{a:?}"
            );
            assert_eq!(a.refusal(By::CommandLine, &an_owner), None, "{a:?}");
        }
        // the owner role is the command line's
        assert_eq!(
            Action::GrantOwner.refusal(owner, &other_staff),
            Some(ActionResult::NotAllowed)
        );
        // nobody blocks or demotes themselves
        let me = user(1, true, false);
        assert_eq!(
            Action::Block.refusal(staff, &me),
            Some(ActionResult::NotOnYourself)
        );
        assert_eq!(Action::SignOutEverywhere.refusal(staff, &me), None);
        assert_eq!(
            Action::Delete.refusal(staff, &me),
            Some(ActionResult::NotOnYourself),
            "staff delete themselves from their profile, with a code"
        );
        // a change of number is the person's own act
        for by in [staff, owner, By::CommandLine] {
            assert_eq!(
                Action::ChangePhone.refusal(by, &plain),
                Some(ActionResult::NotAllowed)
            );
        }
    }

    #[test]
    fn the_last_owner_stays() {
        let an_owner = user(5, true, true);
        assert!(!keeps_an_owner(Action::RevokeOwner, &an_owner, 1));
        assert!(!keeps_an_owner(Action::RevokeStaff, &an_owner, 1));
        assert!(!keeps_an_owner(Action::Delete, &an_owner, 1));
        assert!(keeps_an_owner(Action::Delete, &an_owner, 2));
        assert!(keeps_an_owner(Action::RevokeOwner, &an_owner, 2));
        assert!(
            keeps_an_owner(Action::Block, &an_owner, 1),
            "not a role change"
        );
        assert!(keeps_an_owner(
            Action::RevokeStaff,
            &user(4, true, false),
            1
        ));
    }
}
