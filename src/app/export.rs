//! "Download my data": everything stored about a person, gathered in one read.

use std::sync::Arc;

use super::{
    accounts::{inviter_of, profile_of},
    credentials::live_devices,
    error::Error,
    invites::invitee_page,
    parts::Parts,
};
use crate::{
    db::{DbConnection, DbError, admin, events},
    domain::{
        account::{Event, Invitee, Profile, User},
        cursor::PageRequest,
        devices::Device,
        phone::PhoneDisplay,
        staff::AuditEntry,
    },
};

/// Rows read per trip while gathering.
const CHUNK: i64 = 1_000;

/// Everything stored about one person.
#[derive(Debug, Clone)]
pub struct PersonalData {
    /// When it was gathered.
    pub exported_at: chrono::NaiveDateTime,
    pub profile: Profile,
    /// The phone of the person whose code they entered (none once that account is deleted).
    pub invited_by: Option<String>,
    /// Everyone who entered their code, newest first.
    pub invitees: Vec<Invitee>,
    /// Live sessions and tokens (never their secrets).
    pub devices: Vec<Device>,
    /// Sign-in events of their number (kept for `RETENTION_DAYS`), newest first.
    pub events: Vec<Event>,
    /// Audit rows about them or by them, newest first.
    pub audit: Vec<AuditEntry>,
}

pub struct Export {
    parts: Arc<Parts>,
}

impl Export {
    pub(super) fn new(parts: Arc<Parts>) -> Self {
        Self { parts }
    }

    /// Gathers `user`'s data.
    pub async fn gather(&self, user: User) -> Result<PersonalData, Error> {
        self.parts
            .run(move |conn, parts| {
                gather(conn, user.clone(), parts.config.invitee_phones, parts.now())
            })
            .await
    }
}

fn gather(
    conn: &mut DbConnection,
    user: User,
    invitee_phones: PhoneDisplay,
    now: chrono::NaiveDateTime,
) -> Result<PersonalData, DbError> {
    // a deleted account's number is gone: none to give
    let invited_by = inviter_of(conn, &user)?
        .filter(|u| u.deleted_at.is_none())
        .map(|u| u.phone);
    // every page, by keyset: each step starts past the last row, so the walk ends
    let mut invitees = Vec::new();
    let mut page = PageRequest::First;
    loop {
        let chunk = invitee_page(conn, user.id, page, CHUNK)?.shown(invitee_phones);
        invitees.extend(chunk.items);
        match chunk.older {
            Some(cursor) => page = PageRequest::Older(cursor),
            None => break,
        }
    }
    let mut evs = Vec::new();
    let mut before = None;
    loop {
        let (rows, more) = events::page_for_phone(conn, &user.phone, None, before, CHUNK)?;
        before = rows.last().map(|e| e.id);
        evs.extend(rows);
        if !more {
            break;
        }
    }
    let mut audit: Vec<AuditEntry> = Vec::new();
    for (actor, target) in [(None, Some(user.id)), (Some(user.id), None)] {
        let mut before = None;
        loop {
            let (rows, more) = admin::audit_page(conn, actor, target, before, CHUNK)?;
            before = rows.last().map(|e| e.id);
            audit.extend(rows);
            if !more {
                break;
            }
        }
    }
    audit.sort_by_key(|e| std::cmp::Reverse(e.id));
    audit.dedup_by_key(|e| e.id);
    let devices = live_devices(conn, user.id, None, now)?;
    Ok(PersonalData {
        exported_at: now,
        profile: profile_of(conn, user, now)?,
        invited_by,
        invitees,
        devices,
        events: evs,
        audit,
    })
}
