//! `app.retention`: what is past retention goes, everything younger and the audit log stay.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use user_auth::{
    app::retention::Purged,
    db::schema::{
        api_tokens, audit_log, check_failures, invite_attempts, invite_link_misses, login_codes,
        sessions, sign_in_events, sms_messages, users,
    },
    domain::{
        account::Credential, invite_code::InviteCode, limits::Limits, refusal::VerifyRefused,
        staff::Action,
    },
};

use super::{UseCases, client, phone};
use crate::helpers::Backend;

/// Rows of every purged kind: (events, codes, failed checks, invite tries) created before
/// `cut`, (sessions, tokens) ended before `cut`, and text messages created before `cut`.
fn older_than(uc: &UseCases, cut: NaiveDateTime) -> [i64; 7] {
    let conn = &mut uc.conn();
    [
        sign_in_events::table
            .filter(sign_in_events::created_at.lt(cut))
            .count()
            .get_result(conn),
        login_codes::table
            .filter(login_codes::created_at.lt(cut))
            .count()
            .get_result(conn),
        check_failures::table
            .filter(check_failures::created_at.lt(cut))
            .count()
            .get_result(conn),
        invite_attempts::table
            .filter(invite_attempts::created_at.lt(cut))
            .count()
            .get_result(conn),
        sessions::table
            .filter(sessions::expires_at.lt(cut))
            .count()
            .get_result(conn),
        api_tokens::table
            .filter(api_tokens::expires_at.lt(cut))
            .count()
            .get_result(conn),
        sms_messages::table
            .filter(sms_messages::created_at.lt(cut))
            .count()
            .get_result(conn),
    ]
    .map(|n: QueryResult<i64>| n.unwrap())
}

fn all_rows(uc: &UseCases) -> [i64; 7] {
    older_than(uc, uc.now() + TimeDelta::days(10_000))
}

/// Everything a person leaves behind: a session, a token, a wrong check and an invite try.
async fn activity(uc: &UseCases, e164: &str, ip: &str) {
    let (who, from) = (phone(e164), client(ip));
    let wait = uc.limits.resend_cooldown.num_seconds() + 1;
    uc.sign_in(&who, &from, Credential::WebSession).await;
    uc.advance(wait);
    uc.sign_in(&who, &from, Credential::ApiToken).await;
    uc.advance(wait);
    uc.request(&who, &from).await.expect("a code");
    let wrong = super::sign_in::wrong(&uc.last_code(&who));
    let refused = uc.verify(&who, wrong, &from, Credential::WebSession).await;
    assert!(
        matches!(refused, Err(VerifyRefused::Wrong { .. })),
        "{refused:?}"
    );
    let me = uc.user(e164).unwrap();
    let nobody = InviteCode::parse("ZZZZZZ").unwrap();
    assert!(
        uc.app
            .invites
            .enter(&me, nobody.clone(), &from, &super::english())
            .await
            .unwrap()
            .is_err()
    );
    link_miss(uc, ip).await;
}

/// An invite link with a code no account has, opened from `ip`.
async fn link_miss(uc: &UseCases, ip: &str) {
    let nobody = InviteCode::parse("ZZZZZZ").unwrap();
    let found = uc
        .app
        .invites
        .invitation(Some(nobody), client(ip).network, None);
    assert!(found.await.unwrap().is_err());
}

fn link_misses(uc: &UseCases) -> i64 {
    invite_link_misses::table
        .count()
        .get_result(&mut uc.conn())
        .unwrap()
}

async fn what_is_past_retention_goes_and_the_rest_stays(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let days = Limits::default().retention.num_days();
    assert_eq!(days, 90);
    uc.grant("+998901280009", Action::GrantStaff);
    activity(&uc, "+998901280001", "10.0.0.1").await;
    uc.advance(TimeDelta::days(60).num_seconds());
    activity(&uc, "+998901280002", "10.0.0.2").await;
    uc.advance(TimeDelta::days(days - 60).num_seconds() + 1);
    let live = (phone("+998901280004"), client("10.0.0.4"));
    uc.sign_in(&live.0, &live.1, Credential::WebSession).await;
    uc.advance(uc.limits.resend_cooldown.num_seconds() + 1);
    uc.sign_in(&live.0, &live.1, Credential::ApiToken).await;
    // a link looked up within the hour its limit counts stays; the two older ones go
    link_miss(&uc, "10.0.0.4").await;
    assert_eq!(link_misses(&uc), 3);
    let cut = uc.now() - TimeDelta::days(days);
    let old = older_than(&uc, cut);
    let ended = older_than(&uc, uc.now());
    assert!(
        old[..4]
            .iter()
            .chain(&ended[4..6])
            .chain(&old[6..])
            .all(|n| *n > 0),
        "every kind has rows to purge: {old:?} {ended:?}"
    );
    let before = all_rows(&uc);
    let audit: i64 = audit_log::table.count().get_result(&mut uc.conn()).unwrap();

    let purged = uc.app.retention.purge().await.unwrap();

    // the first person's records went; sessions and tokens went when they ended
    assert_eq!(
        purged,
        Purged {
            events: old[0] as usize,
            codes: old[1] as usize,
            check_failures: old[2] as usize,
            invite_tries: old[3] as usize,
            invite_link_misses: 2,
            // none made here: the email tests purge links
            email_links: 0,
            sessions: ended[4] as usize,
            api_tokens: ended[5] as usize,
            messages: old[6] as usize,
        }
    );
    assert_eq!(link_misses(&uc), 1);
    assert_eq!(older_than(&uc, cut)[..4], [0; 4]);
    assert_eq!(older_than(&uc, cut)[6], 0);
    assert_eq!(older_than(&uc, uc.now())[4..6], [0; 2]);
    let after = all_rows(&uc);
    for kind in [0, 1, 2, 3, 6] {
        assert_eq!(after[kind], before[kind] - old[kind], "kind {kind}");
        assert!(
            after[kind] > 0,
            "the second person's records stay (kind {kind})"
        );
    }
    assert_eq!(after[4..6], [1, 1], "the live session and token stay");
    let (people, audit_after): (i64, i64) = (
        users::table.count().get_result(&mut uc.conn()).unwrap(),
        audit_log::table.count().get_result(&mut uc.conn()).unwrap(),
    );
    assert_eq!((people, audit_after), (4, audit));
    assert_eq!(uc.app.retention.purge().await.unwrap(), Purged::default());
}

/// A retention shorter than a limit's look-back would let an attacker wipe their own traces:
/// the purge keeps what any limit still reads.
async fn the_purge_never_removes_what_a_limit_reads(backend: Backend) {
    let limits = Limits {
        retention: TimeDelta::zero(),
        lock_duration: TimeDelta::days(2),
        ..Limits::default()
    };
    let Some(uc) = UseCases::with_limits(backend, limits) else {
        return;
    };
    let start = uc.now();
    activity(&uc, "+998901280003", "10.0.0.3").await;
    let spent = (uc.now() - start).num_seconds();
    uc.advance(TimeDelta::days(2).num_seconds() - spent - 60);
    let before = all_rows(&uc);

    let purged = uc.app.retention.purge().await.unwrap();

    assert_eq!(
        (purged.events, purged.codes, purged.check_failures),
        (0, 0, 0)
    );
    assert_eq!(all_rows(&uc)[..4], before[..4]);
    uc.advance(TimeDelta::days(1).num_seconds());
    let purged = uc.app.retention.purge().await.unwrap();
    assert!(purged.events > 0 && purged.check_failures > 0, "{purged:?}");
}

crate::on_both_backends!(
    what_is_past_retention_goes_and_the_rest_stays,
    the_purge_never_removes_what_a_limit_reads,
);
