//! `app.staff`: actions and their audit trail, search, export, the dashboard, one person.

use user_auth::{
    app::staff::{AuditQuery, set_staff_by_phone},
    domain::{
        account::Credential,
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

fn many(i: usize) -> String {
    format!("+9989027{i:05}")
}

async fn an_action_is_done_and_audited_with_who_and_where(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let staff = set_staff_by_phone(&mut uc.conn(), &RandomInviteCodes, STAFF, true, uc.now())
        .unwrap()
        .expect("staff");
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
    let staff = set_staff_by_phone(&mut uc.conn(), &RandomInviteCodes, STAFF, true, uc.now())
        .unwrap()
        .unwrap();
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
    let granted = set_staff_by_phone(&mut uc.conn(), &RandomInviteCodes, A, true, uc.now())
        .unwrap()
        .expect("created and granted");
    assert!(granted.is_staff && granted.invite_code.len() == 6);
    let revoked = set_staff_by_phone(&mut uc.conn(), &RandomInviteCodes, A, false, uc.now())
        .unwrap()
        .unwrap();
    assert!(!revoked.is_staff);
    let unknown = set_staff_by_phone(&mut uc.conn(), &RandomInviteCodes, STAFF, false, uc.now());
    assert_eq!(unknown.unwrap(), None);
    assert!(uc.user(STAFF).is_none(), "revoking creates nothing");
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
            .enter(p, InviteCode::parse(&people[0].invite_code).unwrap())
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
        .enter(&a, code(&inviter))
        .await
        .unwrap()
        .unwrap();
    uc.app
        .invites
        .enter(&invitee, code(&a))
        .await
        .unwrap()
        .unwrap();

    let view = uc
        .app
        .staff
        .person(a.id, PageRequest::First)
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
            .person(i64::MAX, PageRequest::First)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        uc.app.staff.user(a.id).await.unwrap().map(|u| u.id),
        Some(a.id)
    );
}

crate::on_both_backends!(
    an_action_is_done_and_audited_with_who_and_where,
    staff_cannot_block_or_demote_themselves,
    the_command_line_grants_creating_the_account_and_revokes,
    search_filters_sorts_counts_and_pages,
    the_export_walks_every_row_once_in_batches,
    the_dashboard_counts_accounts_and_invites,
    a_persons_view_has_inviter_invitees_and_events,
);
