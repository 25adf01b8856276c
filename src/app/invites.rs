//! Invite codes between people: entering someone's code (every rule, serialised so no two
//! entries can race into a cycle) and the pages of people who entered a person's code.

use std::sync::Arc;

use chrono::{NaiveDateTime, TimeDelta};

use super::{
    accounts::profile_of,
    credentials::authenticate,
    error::Error,
    parts::{Config, Parts},
};
use crate::{
    db::{
        self, DbConnection, DbError,
        admin::{self, NewAudit},
        invites::{self as repo, EntryWrites, Slice},
        users,
    },
    domain::{
        account::{Credential, Profile, User},
        client::ClientInfo,
        cursor::{Cursor, INVITEES_PER_PAGE, InviteePage, PageRequest},
        invite_code::{InviteCode, InviteCodeGenerator, MAX_DRAWS},
        limits::{seconds_until, window_retry_after, window_start},
        phone::mask_e164,
        refusal::{CodeChangeRefused, InvitationRefused, InviteRefused},
        staff::Action,
    },
    i18n::Tr,
};

/// Entering codes and listing who entered one.
pub struct Invites {
    parts: Arc<Parts>,
}

/// The signed-in person's profile page: their profile and one page of the people who entered
/// their code.
#[derive(Debug, Clone)]
pub struct ProfileView {
    pub profile: Profile,
    pub invitees: InviteePage,
    /// The person's invite link, whole, to share.
    pub invite_link: String,
    /// How many joined since the person last looked: the first ones of the first page.
    pub new_invitees: i64,
}

/// What an invite link shows: whose invitation it is, and what the person looking can do with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// The code, as written on accounts.
    pub code: String,
    /// The inviter's name, if they set one.
    pub inviter_name: Option<String>,
    /// The inviter's number, partly masked (`+998 •••••••67`).
    pub inviter_phone: String,
    pub viewer: Viewer,
}

/// The person looking at an invite link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    /// Not signed in: they sign in first.
    SignedOut,
    /// Signed in and free to accept it (every rule is checked when they do).
    CanAccept,
    /// It is their own code.
    Own,
    /// They entered a code already (this one or another): it never changes.
    Entered { code: Option<String> },
}

impl Invites {
    /// The invitation of the link `/i/CODE`, for the person signed in with `signed_in` (a
    /// credential and its token), if any; `code` is `None` when the link's text is no code.
    ///
    /// A link names its inviter, so links with codes no account has are counted per client
    /// network (in the database, under that network's lock): past
    /// `invite_link_misses_per_hour`, the network's links answer nothing for the rest of the
    /// hour, known codes included, so trying codes cannot collect who has them.
    pub async fn invitation(
        &self,
        code: Option<InviteCode>,
        network: String,
        signed_in: Option<(Credential, String)>,
    ) -> Result<Result<Invitation, InvitationRefused>, Error> {
        self.parts
            .run(move |conn, parts| {
                let now = parts.now();
                let limits = &parts.config.limits;
                let viewer = match &signed_in {
                    Some((kind, token)) => authenticate(conn, limits, *kind, token, now)?,
                    None => None,
                };
                let max = limits.invite_link_misses_per_hour;
                let found = db::write_transaction(conn, |conn| {
                    db::lock_keys(conn, &[&format!("invite-link:{network}")])?;
                    let (misses, oldest) = repo::link_misses(conn, &network, window_start(now))?;
                    if misses >= max {
                        let retry_after = window_retry_after(oldest, now);
                        return Ok(Err(InvitationRefused::TooManyMisses { retry_after }));
                    }
                    let found = match &code {
                        Some(code) => repo::inviter_by_code(conn, code.as_str())?,
                        None => None,
                    };
                    if found.is_none() {
                        repo::record_link_miss(conn, &network, now)?;
                    }
                    Ok::<_, DbError>(found.ok_or(InvitationRefused::Unknown))
                })?;
                let (owner_id, phone, name) = match found {
                    Ok(found) => found,
                    Err(refused) => return Ok(Err(refused)),
                };
                let viewer = match viewer {
                    None => Viewer::SignedOut,
                    Some(user) if user.id == owner_id => Viewer::Own,
                    Some(user) if user.invited_by_id.is_some() => Viewer::Entered {
                        code: profile_of(conn, user, now)?.entered_code,
                    },
                    Some(_) => Viewer::CanAccept,
                };
                Ok(Ok(Invitation {
                    code: code
                        .as_ref()
                        .map(|c| c.as_str().to_owned())
                        .unwrap_or_default(),
                    inviter_name: name,
                    inviter_phone: mask_e164(&phone),
                    viewer,
                }))
            })
            .await
    }

    pub(super) fn new(parts: Arc<Parts>) -> Self {
        Self { parts }
    }

    /// Records that `user` was invited by the owner of `code`, if every rule allows it, and
    /// answers the updated profile; with `INVITE_NOTIFY_SMS`, the owner is texted (in `tr`'s
    /// language, the one the person joined in).
    pub async fn enter(
        &self,
        user: &User,
        code: InviteCode,
        client: &ClientInfo,
        tr: &Tr,
    ) -> Result<Result<Profile, InviteRefused>, Error> {
        let (user_id, network) = (user.id, client.network.clone());
        let text = tr.t("sms-invitee-joined");
        self.parts
            .run(move |conn, parts| {
                let cfg = &parts.config;
                let rules = EntryRules {
                    max_tries_per_hour: cfg.limits.invite_tries_per_hour,
                    max_invitees: cfg.limits.invitees_per_inviter,
                    network: Some(&network),
                    notify: cfg.invite_notify_sms.then_some((cfg, text.as_str())),
                };
                activate(conn, &rules, user_id, &code, parts.now())
            })
            .await
    }

    /// Gives `user` a new invite code: the old one stops working for new entries (and links);
    /// entries made with it stay. Audited, and at most `invite_code_changes_per_day` a day,
    /// counted from the audit log under the person's lock.
    pub async fn new_code(
        &self,
        user: &User,
        client: &ClientInfo,
    ) -> Result<Result<Profile, CodeChangeRefused>, Error> {
        let (user, ip) = (user.clone(), client.ip.clone());
        self.parts
            .run(move |conn, parts| {
                let cfg = &parts.config;
                let now = parts.now();
                db::write_transaction(conn, |conn| {
                    db::lock_keys(conn, &[&format!("invite-code:{}", user.id)])?;
                    let action = Action::NewInviteCode.as_str();
                    let since = now - TimeDelta::days(1);
                    let (done, oldest) = admin::actions_since(conn, user.id, action, since)?;
                    if done >= cfg.limits.invite_code_changes_per_day {
                        let retry_after =
                            seconds_until(oldest.unwrap_or(now) + TimeDelta::days(1), now);
                        return Ok(Err(CodeChangeRefused::TooMany { retry_after }));
                    }
                    let code = draw_code(conn, &*cfg.invite_codes, user.id)?;
                    admin::audit(
                        conn,
                        &NewAudit {
                            actor_id: Some(user.id),
                            actor_label: &user.phone,
                            action,
                            target_id: Some(user.id),
                            target_label: &user.phone,
                            ip: Some(&ip),
                            created_at: now,
                        },
                    )?;
                    let user = User {
                        invite_code: code,
                        ..user.clone()
                    };
                    Ok(Ok(profile_of(conn, user, now)?))
                })
            })
            .await
    }

    /// `user`'s invite link, whole, to share.
    pub fn link_of(&self, user: &User) -> String {
        self.parts.config.invite_link(&user.invite_code)
    }

    /// One page of the people who entered `user`'s code, newest first, and how many of them
    /// (the first ones) joined since the person last looked; the first page counts as a look.
    pub async fn page(
        &self,
        user: &User,
        page: PageRequest,
        per_page: i64,
    ) -> Result<(InviteePage, i64), Error> {
        let (user_id, unseen) = (user.id, user.unseen_invitees);
        self.parts
            .run(move |conn, parts| {
                let new = looked(conn, user_id, unseen, &page)?;
                let page = invitee_page(conn, user_id, page, per_page)?;
                Ok((page.shown(parts.config.invitee_phones), new))
            })
            .await
    }

    /// The profile page of the person signed in with the browser session `token`, or `None`
    /// when the session is gone: the session check and the page in one trip to the database.
    pub async fn profile_view(
        &self,
        token: String,
        page: PageRequest,
    ) -> Result<Option<ProfileView>, Error> {
        self.parts
            .run(move |conn, parts| {
                let limits = &parts.config.limits;
                let Some(user) =
                    authenticate(conn, limits, Credential::WebSession, &token, parts.now())?
                else {
                    return Ok(None);
                };
                Ok(Some(load_view(
                    conn,
                    &parts.config,
                    user,
                    page,
                    parts.now(),
                )?))
            })
            .await
    }
}

/// Loads the profile page with a fixed number of indexed queries, whatever the number of
/// invitees: the inviter by primary key, one page of invitees plus one row to know whether a
/// neighbouring page exists. The total comes from `users.invitee_count`.
pub fn load_view(
    conn: &mut DbConnection,
    config: &Config,
    user: User,
    page: PageRequest,
    now: NaiveDateTime,
) -> Result<ProfileView, DbError> {
    let new_invitees = looked(conn, user.id, user.unseen_invitees, &page)?;
    let invitees = invitee_page(conn, user.id, page, INVITEES_PER_PAGE)?;
    Ok(ProfileView {
        new_invitees,
        invite_link: config.invite_link(&user.invite_code),
        profile: profile_of(conn, user, now)?,
        invitees: invitees.shown(config.invitee_phones),
    })
}

/// Gives `user_id` a fresh invite code, drawing again when one is taken (each try in a
/// savepoint, so a code taken meanwhile leaves the transaction usable).
fn draw_code(
    conn: &mut DbConnection,
    codes: &dyn InviteCodeGenerator,
    user_id: i64,
) -> Result<String, DbError> {
    use diesel::{
        Connection,
        result::{DatabaseErrorKind, Error as DieselError},
    };
    for _ in 0..MAX_DRAWS {
        let code = codes.generate();
        match conn.transaction(|conn| users::set_invite_code(conn, user_id, &code)) {
            Ok(()) => return Ok(code),
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(DbError::Exhausted("invite code"))
}

/// The person looks at `page` of their invitees while `unseen` of them are new to them: on the
/// first page that is a look, and those `unseen` are theirs no longer (people who join meanwhile
/// stay new). Answers how many of the page's first rows are new.
fn looked(
    conn: &mut DbConnection,
    user_id: i64,
    unseen: i64,
    page: &PageRequest,
) -> Result<i64, DbError> {
    if unseen == 0 || !matches!(page, PageRequest::First) {
        return Ok(0);
    }
    repo::mark_invitees_seen(conn, user_id, unseen)?;
    Ok(unseen)
}

/// Records that `user_id` was invited by the owner of `code`, if every rule allows it, and
/// answers the updated profile.
///
/// One write transaction: what the rules look at is read under locks that keep it true until
/// the end (see [`repo::read_entry`]), so two entries can never race into a cycle; the link is
/// conditional (`invited_by_id IS NULL`), so a second entry can never overwrite the first.
pub fn activate(
    conn: &mut DbConnection,
    rules: &EntryRules<'_>,
    user_id: i64,
    code: &InviteCode,
    now: NaiveDateTime,
) -> Result<Result<Profile, InviteRefused>, DbError> {
    let EntryRules {
        max_tries_per_hour,
        max_invitees,
        network,
        notify,
    } = *rules;
    db::write_transaction(conn, |conn| {
        let since = window_start(now);
        let state = repo::read_entry(conn, user_id, code.as_str(), since, now)?
            .ok_or(diesel::result::Error::NotFound)?;
        if state.user.invited_by_id.is_some() {
            return Ok(Err(InviteRefused::AlreadyEntered));
        }
        if state.tries >= max_tries_per_hour {
            return Ok(Err(InviteRefused::RateLimited {
                retry_after: window_retry_after(state.oldest_try, now),
            }));
        }
        let verdict = match state.owner_id {
            None => Err(InviteRefused::Unknown),
            Some(owner) if owner == user_id => Err(InviteRefused::Own),
            Some(_) if max_invitees.is_some_and(|max| state.owner_invitees >= max) => {
                Err(InviteRefused::Full)
            }
            // only someone with invitees can be above the owner in a chain: most who enter a
            // code have none, and skip the walk up the owner's chain, however deep it is
            Some(owner) if state.has_invitees && repo::closes_cycle(conn, user_id, owner)? => {
                Err(InviteRefused::Cycle)
            }
            Some(owner) => Ok(owner),
        };
        let writes = EntryWrites {
            user_id,
            owner_id: verdict.as_ref().ok().copied(),
            max_invitees,
            since,
            now,
            network: network.map(str::to_owned),
        };
        let linked = repo::record_entry(conn, &writes)?;
        Ok(match verdict {
            Err(refused) => Err(refused),
            // the person's own lock has kept their entry open since the read, so only the
            // owner's last places, taken meanwhile by others, can be why
            Ok(_) if !linked => Err(InviteRefused::Full),
            Ok(owner) => {
                if let Some((cfg, text)) = notify {
                    notify_inviter(conn, cfg, owner, text, now)?;
                }
                Ok(Profile {
                    user: User {
                        invited_by_id: Some(owner),
                        invited_at: Some(now),
                        ..state.user
                    },
                    entered_code: Some(code.as_str().to_owned()),
                    inviter_deleted: false,
                    pending_email: state.pending_email,
                })
            }
        })
    })
}

/// What entering a code goes by, besides the code: the limits, where the entry comes from,
/// and the text to send the inviter, if any (`INVITE_NOTIFY_SMS`).
#[derive(Clone, Copy)]
pub struct EntryRules<'a> {
    pub max_tries_per_hour: i64,
    pub max_invitees: Option<i64>,
    /// The client network (`None`: not known, and not recorded).
    pub network: Option<&'a str>,
    pub notify: Option<(&'a Config, &'a str)>,
}

/// How long a "someone joined" text may wait to be sent.
const JOIN_NOTICE_TTL: TimeDelta = TimeDelta::hours(1);

/// Texts the inviter that someone joined (inside the entry's transaction, through the outbox),
/// unless someone else joined in the hour before: one text for a bunch, not one each.
fn notify_inviter(
    conn: &mut DbConnection,
    cfg: &Config,
    owner_id: i64,
    text: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    if repo::entries_since(conn, owner_id, now - JOIN_NOTICE_TTL)? > 1 {
        return Ok(());
    }
    let Some(owner) = users::find_by_id(conn, owner_id)? else {
        return Ok(());
    };
    super::sign_in::enqueue_text(conn, cfg, &owner.phone, text, now + JOIN_NOTICE_TTL, now)
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
