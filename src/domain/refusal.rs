//! Every way a rule can say no to a well-formed request. The use cases answer with these; the
//! HTTP edge maps each to a status, a stable code and a translated message in one table
//! (`http/refusal.rs`). Input that does not parse is refused by its parser instead
//! (`PhoneError`, `OtpError`, `InviteCodeError`).

/// Why no code was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendRefused {
    /// The previous code is too recent.
    ResendTooSoon { retry_after: i64 },
    /// Too many codes for this phone in the last hour.
    TooManyForPhone { retry_after: i64 },
    /// Too many codes from this client's network in the last hour that did not end in a
    /// sign-in.
    TooManyFromAddress { retry_after: i64 },
    /// Too many codes in the last hour to numbers that share all but their last 4 digits.
    TooManyForPrefix { retry_after: i64 },
    /// The service's codes for the last hour are used up.
    BudgetSpent { retry_after: i64 },
    /// Too many wrong codes from this client's network for this number: locked for this
    /// network only.
    PhoneLocked { retry_after: i64 },
}

/// Why a code did not sign anyone in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyRefused {
    /// Wrong code; this many tries remain for it (0: it was the last, ask for a new code).
    Wrong {
        attempts_left: i32,
    },
    /// No usable code: none was sent, it was used, replaced, has no tries left, or the
    /// number's day budget of checks on short codes is spent (a new code will be longer).
    UsedUp,
    Expired,
    /// Too many failed checks from this client's network in the last hour.
    TooManyFromAddress {
        retry_after: i64,
    },
    /// Too many wrong codes from this client's network for this number: locked for this
    /// network only.
    PhoneLocked {
        retry_after: i64,
    },
    /// The account is blocked.
    Blocked,
}

/// Why an invite code was not recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteRefused {
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
    /// The code's owner has as many invitees as one person may (`INVITE_MAX_INVITEES`).
    Full,
}

/// Why a person got no new invite code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeChangeRefused {
    /// As many new codes in the last day as one person may have.
    TooMany { retry_after: i64 },
}

/// Why an invite link (`/i/CODE`) shows no invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationRefused {
    /// No account has this code (or it is not a code at all).
    Unknown,
    /// Too many links with unknown codes from this client's network in the last hour.
    TooManyMisses { retry_after: i64 },
}

/// Why a change of number or a deletion was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeRefused {
    /// No code was sent (every sending limit of a sign-in applies).
    Send(SendRefused),
    /// The code did not confirm it (every rule of a sign-in code applies).
    Verify(VerifyRefused),
    /// The new number is the account's number already.
    SamePhone,
    /// Another account has the new number. Said only after the right code, to the person who
    /// holds that number, so it tells no one else which numbers have accounts.
    PhoneTaken,
    /// The account is the service's last owner.
    LastOwner,
}

/// Why no verification link was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailRefused {
    /// It is the account's verified address already.
    Unchanged,
    /// Too many links for this account in the last hour.
    TooManyForAccount { retry_after: i64 },
    /// Too many links to this address in the last hour.
    TooManyForAddress { retry_after: i64 },
}

/// Why a verification link did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefused {
    /// No such link, or it was used or replaced by a newer one.
    Invalid,
    /// Its 24 hours are over.
    Expired,
}
