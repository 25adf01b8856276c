//! `app.staff`: actions and their audit trail, search, export, the dashboard, one person.

use user_auth::{
    app::staff::{AuditQuery, EVENTS_PER_PAGE, EventQuery},
    db,
    domain::{
        account::{Credential, Outcome, User},
        cursor::PageRequest,
        invite_code::{InviteCode, RandomInviteCodes},
        search::{Tri, UserFilter, UserSort},
        staff::{Action, ActionResult},
    },
};

use super::{UseCases, client, phone};
use crate::helpers::Backend;

const STAFF: &str = "+998901270001";
const A: &str = "+998901270002";
const OWNER: &str = "+998901270003";
const OWNER_2: &str = "+998901270004";

fn many(i: usize) -> String {
    format!("+9989027{i:05}")
}

async fn an_action_is_done_and_audited_with_who_and_where(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let staff = uc.grant(STAFF, Action::GrantStaff);
    let token = uc
        .sign_in(&phone(A), &client("10.0.0.1"), Credential::WebSession)
        .await;
    let a = uc.user(A).unwrap();

    let done = uc
        .app
        .staff
        .act(&staff, "10.9.9.9", a.id, Action::Block)
        .await
        .unwrap();

    let ActionResult::Done(blocked) = done else {
        panic!("{done:?}");
    };
    assert!(!blocked.is_active);
    assert_eq!(uc.who(Credential::WebSession, token).await, None);
    let audit = uc.app.staff.audit(AuditQuery::default()).await.unwrap();
    let entries: Vec<_> = audit
        .rows
        .iter()
        .map(|e| {
            (
                e.actor_id,
                e.actor_label.as_str(),
                e.action.as_str(),
                e.target_label.as_str(),
                e.ip.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            (Some(staff.id), STAFF, "block", A, Some("10.9.9.9")),
            (None, "command line", "grant_staff", STAFF, None),
        ]
    );
    let by_staff = uc
        .app
        .staff
        .audit(AuditQuery {
            actor: Some(staff.id),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(by_staff.rows.len(), 1);
    assert!(!by_staff.more);
}

async fn staff_cannot_block_or_demote_themselves(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let staff = uc.grant(STAFF, Action::GrantStaff);
    for action in [Action::Block, Action::RevokeStaff] {
        let res = uc
            .app
            .staff
            .act(&staff, "10.0.0.1", staff.id, action)
            .await
            .unwrap();
        assert_eq!(res, ActionResult::NotOnYourself, "{action:?}");
    }
    let res = uc
        .app
        .staff
        .act(&staff, "10.0.0.1", i64::MAX, Action::Block)
        .await
        .unwrap();
    assert_eq!(res, ActionResult::NotFound);
    let me = uc.user(STAFF).unwrap();
    assert!(me.is_active && me.is_staff);
    let audit = uc.app.staff.audit(AuditQuery::default()).await.unwrap();
    assert_eq!(audit.rows.len(), 1, "only the command line's grant");
}

async fn the_command_line_grants_creating_the_account_and_revokes(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let granted = uc.grant(A, Action::GrantStaff);
    assert!(granted.is_staff && !granted.is_owner && granted.invite_code.len() == 6);
    let revoked = uc.grant(A, Action::RevokeStaff);
    assert!(!revoked.is_staff);
    assert_eq!(uc.role(STAFF, Action::RevokeStaff), ActionResult::NotFound);
    assert!(uc.user(STAFF).is_none(), "revoking creates nothing");
}

async fn only_owners_change_staff_rights_and_no_one_acts_on_an_owner(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let owner = uc.grant(OWNER, Action::GrantOwner);
    assert!(owner.is_owner && owner.is_staff);
    let staff = uc.grant(STAFF, Action::GrantStaff);
    let person = uc.create_user(A);
    let act = async |by: &User, target: i64, action| {
        uc.app
            .staff
            .act(by, "10.0.0.1", target, action)
            .await
            .unwrap()
    };
    // staff run the service but do not make or unmake staff
    assert!(matches!(
        act(&staff, person.id, Action::Block).await,
        ActionResult::Done(_)
    ));
    assert_eq!(
        act(&staff, person.id, Action::GrantStaff).await,
        ActionResult::NotAllowed
    );
    // no staff action applies to an owner, not even another owner's
    for action in [
        Action::Block,
        Action::SignOutEverywhere,
        Action::RevokeStaff,
    ] {
        assert_eq!(
            act(&staff, owner.id, action).await,
            ActionResult::NotAllowed
        );
    }
    let second = uc.grant(OWNER_2, Action::GrantOwner);
    assert_eq!(
        act(&second, owner.id, Action::Block).await,
        ActionResult::NotAllowed
    );
    // owners do
    assert!(matches!(
        act(&owner, person.id, Action::GrantStaff).await,
        ActionResult::Done(u) if u.is_staff
    ));
    assert!(matches!(
        act(&owner, staff.id, Action::RevokeStaff).await,
        ActionResult::Done(u) if !u.is_staff
    ));
    // a staff member who lost the role cannot use the session they still hold
    assert_eq!(
        act(&staff, person.id, Action::GrantStaff).await,
        ActionResult::NotAllowed
    );
    let o = uc.user(OWNER).unwrap();
    assert!(o.is_active && o.is_owner);
}

async fn the_last_owner_stays(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    uc.grant(OWNER, Action::GrantOwner);
    assert_eq!(uc.role(OWNER, Action::RevokeOwner), ActionResult::LastOwner);
    assert_eq!(uc.role(OWNER, Action::RevokeStaff), ActionResult::LastOwner);
    uc.grant(OWNER_2, Action::GrantOwner);
    let former = uc.grant(OWNER, Action::RevokeOwner);
    assert!(former.is_staff && !former.is_owner, "still staff");
    assert_eq!(
        uc.role(OWNER_2, Action::RevokeStaff),
        ActionResult::LastOwner
    );
    // two removals at once cannot both take the last two
    uc.grant(OWNER, Action::GrantOwner);
    let url = uc.url.clone();
    let results: Vec<ActionResult> = [OWNER, OWNER_2]
        .map(|phone| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut conn = user_auth::db::establish(&url).unwrap();
                user_auth::app::staff::set_role_by_phone(
                    &mut conn,
                    &RandomInviteCodes,
                    phone,
                    Action::RevokeOwner,
                    chrono::Utc::now().naive_utc(),
                )
                .unwrap()
            })
        })
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    assert_eq!(
        results
            .iter()
            .filter(|r| **r == ActionResult::LastOwner)
            .count(),
        1,
        "{results:?}"
    );
    let owners = [OWNER, OWNER_2]
        .iter()
        .filter(|p| uc.user(p).unwrap().is_owner)
        .count();
    assert_eq!(owners, 1);
}

async fn search_filters_sorts_counts_and_pages(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let people: Vec<_> = (0..55)
        .map(|i| {
            uc.advance(1);
            uc.create_user(&many(i))
        })
        .collect();
    for p in &people[1..4] {
        uc.app
            .invites
            .enter(
                p,
                InviteCode::parse(&people[0].invite_code).unwrap(),
                &client("10.0.0.1"),
                &super::english(),
            )
            .await
            .unwrap()
            .unwrap();
    }

    let all = uc.app.staff.search(UserFilter::default(), 1).await.unwrap();
    assert_eq!((all.rows.len(), all.more, all.total), (50, true, 55));
    assert_eq!(all.rows[0].phone, many(54), "newest first");
    let rest = uc.app.staff.search(UserFilter::default(), 2).await.unwrap();
    assert_eq!((rest.rows.len(), rest.more), (5, false));

    let fragment = uc
        .app
        .staff
        .search(UserFilter::search("7000 1"), 1)
        .await
        .unwrap();
    assert_eq!(fragment.total, 10, "+998902700010 … 19");
    let by_code = UserFilter::search(&people[7].invite_code.to_lowercase());
    let found = uc.app.staff.search(by_code, 1).await.unwrap();
    // (a code of six digits would match phone numbers too)
    assert!(found.rows.iter().any(|u| u.id == people[7].id), "{found:?}");
    let entered = UserFilter {
        entered_code: Tri::Yes,
        ..UserFilter::default()
    };
    assert_eq!(uc.app.staff.search(entered, 1).await.unwrap().total, 3);
    let by_invitees = UserFilter {
        sort: UserSort::Invitees,
        ..UserFilter::default()
    };
    let top = uc.app.staff.search(by_invitees, 1).await.unwrap();
    assert_eq!(top.rows[0].id, people[0].id);
    let nothing = uc
        .app
        .staff
        .search(UserFilter::search("no such"), 1)
        .await
        .unwrap();
    assert_eq!(nothing.total, 0);
}

async fn the_export_walks_every_row_once_in_batches(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let plan = user_auth::app::seed::SeedPlan {
        users: 2100,
        invitees_of: vec![],
    };
    user_auth::app::seed::seed(&mut uc.conn(), &plan, 0, uc.now(), |_| ()).unwrap();
    for sort in [UserSort::Joined, UserSort::Invitees] {
        let filter = UserFilter {
            sort,
            ..UserFilter::default()
        };
        let (mut after, mut seen, mut batches) = (None, Vec::new(), 0);
        loop {
            let (batch, next) = uc
                .app
                .staff
                .export_batch(filter.clone(), after)
                .await
                .unwrap();
            batches += 1;
            seen.extend(batch.iter().map(|u| u.id));
            match next {
                Some(n) => after = Some(n),
                None => break,
            }
            assert!(batches < 10, "the export ends");
        }
        assert_eq!(batches, 3, "{sort:?}");
        let unique: std::collections::HashSet<_> = seen.iter().collect();
        assert_eq!((seen.len(), unique.len()), (2100, 2100), "{sort:?}");
    }
}

async fn the_dashboard_counts_accounts_and_invites(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let people: Vec<_> = (0..4).map(|i| uc.create_user(&many(i))).collect();
    uc.app
        .invites
        .enter(
            &people[1],
            InviteCode::parse(&people[0].invite_code).unwrap(),
            &client("10.0.0.1"),
            &super::english(),
        )
        .await
        .unwrap()
        .unwrap();

    let d = uc.app.staff.dashboard().await.unwrap();

    assert_eq!((d.total_users, d.new_today, d.with_inviter), (4, 4, 1));
    assert_eq!(d.share_with_inviter(), 25.0);
    assert_eq!(d.per_day.len(), 30);
    assert_eq!(d.per_day.last(), Some(&(uc.now().date(), 4)));
    assert_eq!(
        d.top_inviters.iter().map(|u| u.id).collect::<Vec<_>>(),
        [people[0].id]
    );
}

async fn a_persons_view_has_inviter_invitees_and_events(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    uc.sign_in(&phone(A), &client("10.0.0.7"), Credential::WebSession)
        .await;
    let a = uc.user(A).unwrap();
    let inviter = uc.create_user(&many(1));
    let invitee = uc.create_user(&many(2));
    let code =
        |whose: &user_auth::domain::account::User| InviteCode::parse(&whose.invite_code).unwrap();
    uc.app
        .invites
        .enter(&a, code(&inviter), &client("10.0.0.1"), &super::english())
        .await
        .unwrap()
        .unwrap();
    uc.app
        .invites
        .enter(&invitee, code(&a), &client("10.0.0.1"), &super::english())
        .await
        .unwrap()
        .unwrap();

    let view = uc
        .app
        .staff
        .person(a.id, PageRequest::First, EventQuery::default())
        .await
        .unwrap()
        .expect("found");

    assert_eq!(view.inviter.map(|u| u.id), Some(inviter.id));
    assert_eq!(
        view.invitees.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        [invitee.id]
    );
    let events: Vec<_> = view
        .events
        .iter()
        .map(|e| (e.outcome.as_str(), e.ip.as_str()))
        .collect();
    assert_eq!(
        events,
        [("signed_in", "10.0.0.7"), ("code_sent", "10.0.0.7")]
    );
    assert!(
        uc.app
            .staff
            .person(i64::MAX, PageRequest::First, EventQuery::default())
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        uc.app.staff.user(a.id).await.unwrap().map(|u| u.id),
        Some(a.id)
    );
}

/// Every event can be reached: 20 (or 2,000) junk checks cannot hide a sign-in.
async fn a_persons_events_page_through_all_of_them_and_filter_by_outcome(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let a = uc.create_user(A);
    let total = 2 * EVENTS_PER_PAGE as usize + 7;
    let signed_in_at = [3, 60, total - 1];
    {
        let mut conn = uc.conn();
        for i in 0..total {
            let outcome = if signed_in_at.contains(&i) {
                Outcome::SignedIn
            } else {
                Outcome::WrongCode
            };
            db::events::record(
                &mut conn,
                A,
                "UZ",
                Some(a.id),
                &format!("10.1.{}.{}", i / 250, i % 250),
                outcome,
                uc.now(),
            )
            .unwrap();
        }
        // Someone else's events never show.
        db::events::record(
            &mut conn,
            &many(9),
            "UZ",
            None,
            "10.9.9.9",
            Outcome::SignedIn,
            uc.now(),
        )
        .unwrap();
    }
    let (uc, id) = (&uc, a.id);
    let walk = |outcome: Option<Outcome>| async move {
        let (mut seen, mut before, mut pages) = (Vec::new(), None, 0);
        loop {
            pages += 1;
            assert!(pages <= 10, "paging never ends");
            let view = uc
                .app
                .staff
                .person(id, PageRequest::First, EventQuery { outcome, before })
                .await
                .unwrap()
                .unwrap();
            assert!(view.events.len() <= EVENTS_PER_PAGE as usize);
            seen.extend(
                view.events
                    .iter()
                    .map(|e| (e.id, e.ip.clone(), e.outcome.clone())),
            );
            if !view.more_events {
                return (seen, pages);
            }
            before = view.events.last().map(|e| e.id);
        }
    };

    let (all, pages) = walk(None).await;
    assert_eq!((all.len(), pages), (total, 3));
    assert!(
        all.windows(2).all(|w| w[0].0 > w[1].0),
        "newest first, no repeats"
    );
    assert_eq!(all.last().unwrap().1, "10.1.0.0");
    let (signed_in, pages) = walk(Some(Outcome::SignedIn)).await;
    assert_eq!(pages, 1);
    assert_eq!(
        signed_in
            .iter()
            .map(|e| (e.1.as_str(), e.2.as_str()))
            .collect::<Vec<_>>(),
        [
            (format!("10.1.0.{}", total - 1).as_str(), "signed_in"),
            ("10.1.0.60", "signed_in"),
            ("10.1.0.3", "signed_in"),
        ]
    );
}

/// The dashboard's days are the service's time zone's: an account made at 23:59 in Tashkent
/// counts for that day, one at 00:00 for the next, and "today" begins at Tashkent's midnight.
async fn the_dashboards_days_begin_at_midnight_in_the_services_zone(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let utc = |d: u32, h: u32, m: u32| {
        let (month, day) = if d > 30 { (12, d - 30) } else { (11, d) };
        chrono::NaiveDate::from_ymd_opt(2026, month, day)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    };
    // day 31 is 1 December; Tashkent is UTC+5 all year
    for (i, at) in [
        utc(2, 18, 59),  // 2 Nov 23:59 in Tashkent: before the 30 days
        utc(2, 19, 0),   // 3 Nov 00:00: the first of the 30
        utc(31, 18, 59), // 1 Dec 23:59
        utc(31, 19, 0),  // 2 Dec 00:00
        utc(32, 9, 0),   // 2 Dec 14:00
    ]
    .into_iter()
    .enumerate()
    {
        crate::helpers::create_account(&mut uc.conn(), &many(i), at);
    }
    let now = utc(32, 10, 0);
    let day = |m: u32, d: u32| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();

    let d = user_auth::app::staff::dashboard(
        &mut uc.conn(),
        &uc.limits,
        now,
        chrono_tz::Tz::Asia__Tashkent,
    )
    .unwrap();
    assert_eq!(d.per_day.len(), 30);
    assert_eq!(d.per_day[0], (day(11, 3), 1));
    assert_eq!(d.per_day[28], (day(12, 1), 1));
    assert_eq!(d.per_day[29], (day(12, 2), 2));
    assert_eq!(d.per_day.iter().map(|(_, n)| n).sum::<i64>(), 4);
    assert_eq!(d.new_today, 2);

    // the same accounts counted by UTC days
    let d = user_auth::app::staff::dashboard(&mut uc.conn(), &uc.limits, now, chrono_tz::Tz::UTC)
        .unwrap();
    assert_eq!(d.per_day[0], (day(11, 3), 0));
    assert_eq!(d.per_day[28], (day(12, 1), 2));
    assert_eq!(d.per_day[29], (day(12, 2), 1));
    assert_eq!(d.per_day.iter().map(|(_, n)| n).sum::<i64>(), 3);
    assert_eq!(d.new_today, 1);
}

crate::on_both_backends!(
    the_dashboards_days_begin_at_midnight_in_the_services_zone,
    an_action_is_done_and_audited_with_who_and_where,
    a_persons_events_page_through_all_of_them_and_filter_by_outcome,
    staff_cannot_block_or_demote_themselves,
    the_command_line_grants_creating_the_account_and_revokes,
    only_owners_change_staff_rights_and_no_one_acts_on_an_owner,
    the_last_owner_stays,
    search_filters_sorts_counts_and_pages,
    the_export_walks_every_row_once_in_batches,
    the_dashboard_counts_accounts_and_invites,
    a_persons_view_has_inviter_invitees_and_events,
);
