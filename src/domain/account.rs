//! Accounts and what is recorded about them: the account itself, the profile a person sees,
//! the people who entered their code, and the sign-in events.

use chrono::NaiveDateTime;

/// An account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    /// E.164.
    pub phone: String,
    /// This person's own invite code.
    pub invite_code: String,
    /// Whose code this person entered.
    pub invited_by_id: Option<i64>,
    /// False once staff blocked the account.
    pub is_active: bool,
    pub is_staff: bool,
    pub date_joined: NaiveDateTime,
    pub last_login: Option<NaiveDateTime>,
    /// When this person entered someone's invite code.
    pub invited_at: Option<NaiveDateTime>,
    /// How many people entered this person's code (kept in step by entering a code).
    pub invitee_count: i64,
    /// Above staff: changes staff rights, and no staff action applies to them.
    pub is_owner: bool,
    /// What the person calls themselves (see `domain::name`), if they said.
    pub display_name: Option<String>,
    /// When the account was deleted: its row stays, without anything personal (see
    /// [`deleted_phone`]), for the people who entered its code and for the audit log.
    pub deleted_at: Option<NaiveDateTime>,
    /// The verified email address, if any.
    pub email: Option<String>,
    pub email_verified_at: Option<NaiveDateTime>,
    /// People who entered this person's code since the person last looked at the list.
    pub unseen_invitees: i64,
}

/// The number a deleted account is left with: `+0` and its id. No real number has a country
/// code starting with 0, so it never matches one, and the real number is free again.
pub fn deleted_phone(id: i64) -> String {
    format!("+0{id:014}")
}

/// What a one-time code confirms: a sign-in to whichever number it was sent to, or a change
/// to one account (its move to the number the code was sent to, or its deletion). A code
/// serves only its purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    SignIn,
    ChangePhone { user_id: i64 },
    DeleteAccount { user_id: i64 },
}

impl CodePurpose {
    /// As stored (the table's CHECK lists the same words).
    pub fn as_str(self) -> &'static str {
        match self {
            CodePurpose::SignIn => "sign_in",
            CodePurpose::ChangePhone { .. } => "change_phone",
            CodePurpose::DeleteAccount { .. } => "delete_account",
        }
    }

    /// The account the code is for, if it is for one.
    pub fn user_id(self) -> Option<i64> {
        match self {
            CodePurpose::SignIn => None,
            CodePurpose::ChangePhone { user_id } | CodePurpose::DeleteAccount { user_id } => {
                Some(user_id)
            }
        }
    }
}

/// What a person sees of their own account: the account and the code they entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub user: User,
    /// The invite code this person entered, if any.
    pub entered_code: Option<String>,
    /// The account whose code it was has since been deleted.
    pub inviter_deleted: bool,
    /// An address waiting for its link to be opened (the verified one stays until it is).
    pub pending_email: Option<String>,
}

/// One person who entered someone's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitee {
    pub id: i64,
    pub phone: String,
    pub invited_at: NaiveDateTime,
}

/// What a successful sign-in hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// A browser session (the web pages).
    WebSession,
    /// A bearer token (the JSON API).
    ApiToken,
}

impl Credential {
    /// As named in URLs and the API: `session` or `token`.
    pub fn slug(self) -> &'static str {
        match self {
            Credential::WebSession => "session",
            Credential::ApiToken => "token",
        }
    }

    /// The kind named `slug`.
    pub fn from_slug(slug: &str) -> Option<Self> {
        [Credential::WebSession, Credential::ApiToken]
            .into_iter()
            .find(|k| k.slug() == slug)
    }
}

/// The outcome of one step of signing in, as recorded (the table's CHECK lists the same words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    CodeSent,
    CodeRefused,
    SignedIn,
    WrongCode,
    CodeDead,
    CodeExpired,
    Locked,
    Blocked,
}

impl Outcome {
    pub const ALL: [Outcome; 8] = [
        Outcome::CodeSent,
        Outcome::CodeRefused,
        Outcome::SignedIn,
        Outcome::WrongCode,
        Outcome::CodeDead,
        Outcome::CodeExpired,
        Outcome::Locked,
        Outcome::Blocked,
    ];

    /// The outcome stored as `s`.
    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::CodeSent => "code_sent",
            Outcome::CodeRefused => "code_refused",
            Outcome::SignedIn => "signed_in",
            Outcome::WrongCode => "wrong_code",
            Outcome::CodeDead => "code_dead",
            Outcome::CodeExpired => "code_expired",
            Outcome::Locked => "locked",
            Outcome::Blocked => "blocked",
        }
    }
}

/// One recorded sign-in step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    pub phone: String,
    pub user_id: Option<i64>,
    pub ip: String,
    /// One of [`Outcome::as_str`].
    pub outcome: String,
    pub created_at: NaiveDateTime,
}
