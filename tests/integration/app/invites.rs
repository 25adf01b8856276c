//! `app.invites`: entering codes (every rule, and under concurrency) and the invitee pages.

use std::sync::{Arc, Barrier};

use user_auth::{
    db::{self, DbConnection},
    domain::{
        account::{Credential, Profile, User},
        cursor::{Cursor, PageRequest},
        invite_code::InviteCode,
        limits::Limits,
        refusal::InviteRefused,
    },
};

use super::{UseCases, client, phone};
use crate::helpers::{Backend, assert_invite_invariants};

const A: &str = "+998901260001";
const B: &str = "+998901260002";
const C: &str = "+998901260003";

fn code(user: &User) -> InviteCode {
    InviteCode::parse(&user.invite_code).unwrap()
}

fn many(i: usize) -> String {
    format!("+9989026{i:05}")
}

impl UseCases {
    async fn enter(&self, who: &User, whose: &User) -> Result<Profile, InviteRefused> {
        self.enter_from(who, whose, "10.0.0.1").await
    }

    /// `who` enters `whose` code from the address `ip`.
    async fn enter_from(
        &self,
        who: &User,
        whose: &User,
        ip: &str,
    ) -> Result<Profile, InviteRefused> {
        self.app
            .invites
            .enter(who, code(whose), &super::client(ip), &super::english())
            .await
            .expect("the database")
    }
}

async fn entering_a_code_links_both_accounts(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let (a, b) = (uc.create_user(A), uc.create_user(B));
    uc.advance(5);

    let profile = uc.enter(&a, &b).await.expect("entered");

    assert_eq!(
        profile.entered_code.as_deref(),
        Some(b.invite_code.as_str())
    );
    assert_eq!(profile.user.invited_by_id, Some(b.id));
    assert_eq!(profile.user.invited_at, Some(uc.now()));
    assert_eq!(
        profile.user,
        uc.user(A).unwrap(),
        "the answer is what is stored"
    );
    assert_eq!(uc.user(B).unwrap().invitee_count, 1);
}

async fn every_rule_refuses_and_changes_nothing(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let (a, b, c) = (uc.create_user(A), uc.create_user(B), uc.create_user(C));
    let unknown = InviteCode::parse("ZZZZZZ").unwrap();
    assert_eq!(
        uc.app
            .invites
            .enter(&a, unknown, &client("10.0.0.1"), &super::english())
            .await
            .unwrap(),
        Err(InviteRefused::Unknown)
    );
    assert_eq!(uc.enter(&a, &a).await, Err(InviteRefused::Own));
    // A entered B's code, B entered C's: C must enter neither A's nor B's
    uc.enter(&a, &b).await.unwrap();
    uc.enter(&b, &c).await.unwrap();
    assert_eq!(uc.enter(&c, &a).await, Err(InviteRefused::Cycle));
    assert_eq!(uc.enter(&c, &b).await, Err(InviteRefused::Cycle));
    assert_eq!(uc.user(C).unwrap().invited_by_id, None);
    // once entered, never changed
    assert_eq!(uc.enter(&a, &c).await, Err(InviteRefused::AlreadyEntered));
    assert_eq!(uc.user(A).unwrap().invited_by_id, Some(b.id));
    assert_invite_invariants(&mut uc.conn());
}

async fn tries_are_limited_per_person_per_hour(backend: Backend) {
    let limits = Limits {
        invite_tries_per_hour: 3,
        ..Limits::default()
    };
    let Some(uc) = UseCases::with(
        backend,
        limits,
        Arc::new(user_auth::domain::invite_code::RandomInviteCodes),
    ) else {
        return;
    };
    let (a, b) = (uc.create_user(A), uc.create_user(B));
    for i in 0..3 {
        uc.advance(60);
        let unknown = InviteCode::parse("ZZZZZZ").unwrap();
        assert_eq!(
            uc.app
                .invites
                .enter(&a, unknown, &client("10.0.0.1"), &super::english())
                .await
                .unwrap(),
            Err(InviteRefused::Unknown),
            "try {i}"
        );
    }
    // the first try leaves the window an hour after it was made
    assert_eq!(
        uc.enter(&a, &b).await,
        Err(InviteRefused::RateLimited {
            retry_after: 3600 - 120
        })
    );
    uc.advance(3600 - 120);
    assert!(uc.enter(&a, &b).await.is_ok());
}

/// `INVITE_MAX_INVITEES`: once a code has been entered that many times, the next entry is
/// refused and changes nothing; other codes are untouched.
async fn a_code_takes_at_most_the_invitees_allowed(backend: Backend) {
    let limits = Limits {
        invitees_per_inviter: Some(2),
        ..Limits::default()
    };
    let Some(uc) = UseCases::with(
        backend,
        limits,
        Arc::new(user_auth::domain::invite_code::RandomInviteCodes),
    ) else {
        return;
    };
    let (a, b, c) = (uc.create_user(A), uc.create_user(B), uc.create_user(C));
    let (d, e) = (uc.create_user(&many(1)), uc.create_user(&many(2)));
    assert!(uc.enter(&b, &a).await.is_ok());
    assert!(uc.enter(&c, &a).await.is_ok());

    assert_eq!(uc.enter(&d, &a).await, Err(InviteRefused::Full));

    assert_eq!(uc.user(A).unwrap().invitee_count, 2);
    assert_eq!(uc.user(&many(1)).unwrap().invited_by_id, None);
    assert!(uc.enter(&d, &e).await.is_ok(), "another code takes entries");
    assert_invite_invariants(&mut uc.conn());
}

async fn pages_walk_every_invitee_in_order_both_ways(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let owner = uc.create_user(A);
    let mut joined = Vec::new();
    for i in 0..7 {
        let u = uc.create_user(&many(i));
        uc.enter(&u, &owner).await.unwrap();
        joined.push(u.phone);
        // pairs share a time, so the id breaks ties
        if i % 2 == 1 {
            uc.advance(1);
        }
    }
    let newest_first: Vec<String> = joined.iter().rev().cloned().collect();
    let page = |request| {
        let page = uc.app.invites.page(&owner, request, 3);
        async move { page.await.map(|(page, _)| page) }
    };
    let phones = |p: &user_auth::domain::cursor::InviteePage| {
        p.items.iter().map(|i| i.phone.clone()).collect::<Vec<_>>()
    };

    let first = page(PageRequest::First).await.unwrap();
    assert_eq!(phones(&first), newest_first[0..3]);
    assert_eq!(first.newer, None);
    let second = page(PageRequest::Older(first.older.unwrap()))
        .await
        .unwrap();
    assert_eq!(phones(&second), newest_first[3..6]);
    let third = page(PageRequest::Older(second.older.unwrap()))
        .await
        .unwrap();
    assert_eq!(phones(&third), newest_first[6..]);
    assert_eq!(third.older, None);
    let back = page(PageRequest::Newer(third.newer.unwrap()))
        .await
        .unwrap();
    assert_eq!(phones(&back), newest_first[3..6]);
    let top = page(PageRequest::Newer(back.newer.unwrap())).await.unwrap();
    assert_eq!(phones(&top), newest_first[0..3]);
    assert_eq!(top.newer, None);
    // a position that no row has any more still pages
    let gone = Cursor {
        at: uc.now() + chrono::TimeDelta::days(1),
        id: i64::MAX,
    };
    assert_eq!(
        phones(&page(PageRequest::Older(gone)).await.unwrap()),
        newest_first[0..3]
    );
}

async fn the_profile_page_needs_an_open_session(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let token = uc
        .sign_in(&phone(A), &client("10.0.0.1"), Credential::WebSession)
        .await;
    let owner = uc.user(A).unwrap();
    let b = uc.create_user(B);
    uc.enter(&b, &owner).await.unwrap();

    let view = uc
        .app
        .invites
        .profile_view(token.clone(), PageRequest::First)
        .await
        .unwrap()
        .expect("signed in");

    assert_eq!(view.profile.user.invitee_count, 1);
    assert_eq!(view.invitees.items.len(), 1);
    assert_eq!(view.invitees.items[0].phone, B);
    uc.end(Credential::WebSession, token.clone()).await;
    assert!(
        uc.app
            .invites
            .profile_view(token, PageRequest::First)
            .await
            .unwrap()
            .is_none()
    );
}

// ---- concurrency: the rule itself, on connections that start together ----------------------

/// Runs `f(i)` on `n` threads that start together, each with its own connection.
fn race<T: Send + 'static>(
    uc: &UseCases,
    n: usize,
    f: impl Fn(usize, &mut DbConnection) -> T + Send + Sync + 'static,
) -> Vec<T> {
    let pool = db::pool(&uc.url, n as u32, std::time::Duration::from_secs(30));
    let barrier = Arc::new(Barrier::new(n));
    let f = Arc::new(f);
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (pool, barrier, f) = (pool.clone(), barrier.clone(), f.clone());
            std::thread::spawn(move || {
                let mut conn = pool.get().expect("connection");
                barrier.wait();
                f(i, &mut conn)
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect()
}

fn activate(conn: &mut DbConnection, user_id: i64, code: &str) -> Result<Profile, InviteRefused> {
    activate_with(conn, None, user_id, code)
}

/// [`activate`] where one code may take at most `max_invitees` entries.
fn activate_with(
    conn: &mut DbConnection,
    max_invitees: Option<i64>,
    user_id: i64,
    code: &str,
) -> Result<Profile, InviteRefused> {
    let code = InviteCode::parse(code).unwrap();
    let now = chrono::Utc::now().naive_utc();
    let rules = user_auth::app::invites::EntryRules {
        max_tries_per_hour: 1000,
        max_invitees,
        network: None,
        notify: None,
    };
    user_auth::app::invites::activate(conn, &rules, user_id, &code, now).expect("activation")
}

/// Of each two entries that would make a cycle together, one links and one is refused.
fn one_of_each_pair_is_a_cycle(results: &[Result<Profile, InviteRefused>]) {
    for pair in results.chunks(2) {
        assert_eq!(pair.iter().filter(|r| r.is_ok()).count(), 1, "{pair:?}");
        assert!(pair.contains(&Err(InviteRefused::Cycle)), "{pair:?}");
    }
}

async fn many_people_entering_the_same_code_at_once_all_count(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let owner = uc.create_user(A);
    let ids: Vec<i64> = (0..32).map(|i| uc.create_user(&many(i)).id).collect();
    let code = owner.invite_code.clone();

    let results = race(&uc, 32, move |i, conn| activate(conn, ids[i], &code));

    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(uc.user(A).unwrap().invitee_count, 32);
    assert_invite_invariants(&mut uc.conn());
}

async fn pairs_entering_each_others_codes_at_once_never_make_a_cycle(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let pairs: Vec<(i64, String)> = (0..32)
        .map(|i| uc.create_user(&many(i)))
        .map(|u| (u.id, u.invite_code))
        .collect();

    // person 2k enters 2k+1's code while 2k+1 enters 2k's
    let results = race(&uc, 32, move |i, conn| {
        activate(conn, pairs[i].0, &pairs[i ^ 1].1)
    });

    one_of_each_pair_is_a_cycle(&results);
    assert_invite_invariants(&mut uc.conn());
}

/// Rings of people (sizes 2 to 7) where each enters the next one's code, all at once, over
/// several rounds: in every ring exactly one entry is refused as a cycle, the others link.
async fn rings_of_people_entering_each_others_codes_at_once_never_close(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    const SIZES: [usize; 7] = [2, 3, 4, 5, 6, 7, 5];
    let per_round: usize = SIZES.iter().sum();
    for round in 0..4 {
        let people: Vec<(i64, String)> = (0..per_round)
            .map(|i| uc.create_user(&many(round * per_round + i)))
            .map(|u| (u.id, u.invite_code))
            .collect();
        // the ring of each person: its first member and size
        let mut rings = Vec::new();
        for size in SIZES {
            let first = rings.last().map_or(0, |&(f, s): &(usize, usize)| f + s);
            rings.push((first, size));
        }
        let next: Vec<usize> = rings
            .iter()
            .flat_map(|&(first, size)| (0..size).map(move |k| first + (k + 1) % size))
            .collect();
        let entries = people.clone();
        let results = race(&uc, per_round, move |i, conn| {
            activate(conn, entries[i].0, &entries[next[i]].1)
        });
        for &(first, size) in &rings {
            let ring = &results[first..first + size];
            assert_eq!(
                ring.iter()
                    .filter(|r| **r == Err(InviteRefused::Cycle))
                    .count(),
                1,
                "round {round}, ring of {size}: {ring:?}"
            );
            assert!(
                ring.iter()
                    .all(|r| matches!(r, Ok(_) | Err(InviteRefused::Cycle)))
            );
        }
        assert_invite_invariants(&mut uc.conn());
    }
}

/// Two chains (a entered b's code, c entered d's) joined both ways at once: b enters c's code
/// while d enters a's. Both already have invitees and lock no account in common, so only the
/// check of entries that could close a cycle keeps them apart: exactly one of each pair links.
async fn two_chains_joined_both_ways_at_once_never_close(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    const GROUPS: usize = 16;
    let mut entries = Vec::new();
    for g in 0..GROUPS {
        let [a, b, c, d] = [0, 1, 2, 3].map(|k| uc.create_user(&many(g * 4 + k)));
        uc.enter(&a, &b).await.unwrap();
        uc.enter(&c, &d).await.unwrap();
        entries.push((b.id, c.invite_code.clone()));
        entries.push((d.id, a.invite_code.clone()));
    }

    let results = race(&uc, GROUPS * 2, move |i, conn| {
        activate(conn, entries[i].0, &entries[i].1)
    });

    one_of_each_pair_is_a_cycle(&results);
    assert_invite_invariants(&mut uc.conn());
}

/// 32 people enter one code at once while it may take 10: exactly 10 are linked, and the
/// owner's count says 10 (the limit is checked on the owner's row as each entry updates it).
async fn many_entering_a_code_with_few_places_at_once_fill_exactly_its_places(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let owner = uc.create_user(A);
    let ids: Vec<i64> = (0..32).map(|i| uc.create_user(&many(i)).id).collect();
    let code = owner.invite_code.clone();

    let results = race(&uc, 32, move |i, conn| {
        activate_with(conn, Some(10), ids[i], &code)
    });

    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        10,
        "{results:?}"
    );
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Ok(_) | Err(InviteRefused::Full)))
    );
    assert_eq!(uc.user(A).unwrap().invitee_count, 10);
    assert_invite_invariants(&mut uc.conn());
}

async fn one_person_sending_many_codes_at_once_gets_exactly_one(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let me = uc.create_user(A);
    let codes: Vec<String> = (0..32)
        .map(|i| uc.create_user(&many(i)).invite_code)
        .collect();

    let results = race(&uc, 32, move |i, conn| activate(conn, me.id, &codes[i]));

    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Ok(_) | Err(InviteRefused::AlreadyEntered)))
    );
    assert_invite_invariants(&mut uc.conn());
}

crate::on_both_backends!(
    entering_a_code_links_both_accounts,
    every_rule_refuses_and_changes_nothing,
    tries_are_limited_per_person_per_hour,
    a_code_takes_at_most_the_invitees_allowed,
    many_entering_a_code_with_few_places_at_once_fill_exactly_its_places,
    pages_walk_every_invitee_in_order_both_ways,
    the_profile_page_needs_an_open_session,
    many_people_entering_the_same_code_at_once_all_count,
    pairs_entering_each_others_codes_at_once_never_make_a_cycle,
    rings_of_people_entering_each_others_codes_at_once_never_close,
    two_chains_joined_both_ways_at_once_never_close,
    one_person_sending_many_codes_at_once_gets_exactly_one,
);
