//! The built-in admin: access, actions and their audit rows, search, dashboard, CSV, CLI.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use user_auth::{
    clock::Clock,
    db::{events, schema::audit_log, users::NewUser},
    domain::account::Outcome,
};

use crate::helpers::{Backend, Options, TestApp, csrf_from, expect_page, link_with_rel, location};

const STAFF: &str = "+998901000001";
const USER: &str = "+998901000002";

/// Signs `STAFF` in as staff.
async fn staff_app(backend: Backend) -> Option<TestApp> {
    let app = TestApp::spawn(backend).await?;
    app.make_staff(STAFF);
    app.sign_in(STAFF, STAFF).await;
    Some(app)
}

/// Runs an admin action through its confirmation page, as a person would.
async fn act(app: &TestApp, user_id: i64, slug: &str) -> reqwest::Response {
    let confirm = app
        .get_html(&format!("/admin/users/{user_id}/{slug}"))
        .await;
    let csrf = csrf_from(&confirm);
    app.post_form(
        &format!("/admin/users/{user_id}/{slug}"),
        &[("csrf", &csrf)],
    )
    .await
}

/// (actor, action, target, ip) of one audit row.
type AuditRow = (Option<i64>, String, Option<i64>, Option<String>);

fn audit_rows(app: &TestApp) -> Vec<AuditRow> {
    audit_log::table
        .order(audit_log::id.asc())
        .select((
            audit_log::actor_id,
            audit_log::action,
            audit_log::target_id,
            audit_log::ip,
        ))
        .load(&mut app.conn())
        .unwrap()
}

async fn every_admin_route_requires_an_active_staff_member(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let staff = app.make_staff(STAFF);
    let user = app.create_user(USER);
    let routes = [
        "/admin".to_owned(),
        "/admin/users".to_owned(),
        "/admin/users.csv".to_owned(),
        format!("/admin/users/{}", user.id),
        format!("/admin/users/{}/block", user.id),
        "/admin/audit".to_owned(),
        "/admin/outbox".to_owned(),
    ];
    // anonymous: to the sign-in page
    for route in &routes {
        assert_eq!(location(&app.get(route).await), "/login", "{route}");
    }
    // a plain user: the 403 page
    app.sign_in(USER, USER).await;
    for route in &routes {
        let res = app.get(route).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{route}");
    }
    assert!(
        !app.get_html("/profile").await.contains("href=\"/admin\""),
        "no Admin link"
    );
    let csrf = csrf_from(&app.get_html("/profile").await);
    let res = app
        .post_form(
            &format!("/admin/users/{}/grant-staff", user.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(
        !app.user(USER).unwrap().is_staff,
        "a plain user cannot make themselves staff"
    );
    let res = app
        .post_form("/admin/outbox/1/retry", &[("csrf", &csrf)])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.sign_out().await;

    // staff: every page
    app.advance(61);
    app.sign_in(STAFF, STAFF).await;
    assert!(
        app.get_html("/profile").await.contains("href=\"/admin\""),
        "the Admin link"
    );
    for route in &routes {
        assert_eq!(app.get(route).await.status(), StatusCode::OK, "{route}");
    }
    // a blocked staff member's open session ends: back to sign-in
    {
        let other = app.make_staff("+998901000003");
        let actor = user_auth::domain::staff::Actor {
            id: Some(other.id),
            label: &other.phone,
            ip: None,
        };
        let done = user_auth::app::staff::perform(
            &mut app.conn(),
            actor,
            staff.id,
            user_auth::domain::staff::Action::Block,
            app.clock.now(),
        );
        assert!(matches!(
            done,
            Ok(user_auth::domain::staff::ActionResult::Done(_))
        ));
    }
    for route in &routes {
        assert_eq!(location(&app.get(route).await), "/login", "{route}");
    }
}

async fn each_action_takes_effect_and_is_audited(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // an owner: staff rights are changed by owners only
    app.make_owner(STAFF);
    app.sign_in(STAFF, STAFF).await;
    let staff = app.user(STAFF).unwrap();
    // the person, signed in on a browser and with an API token
    let (browser, _) = app.new_browser();
    let user = app.create_user(USER);
    let token = app.api_token(USER).await;
    app.advance(61);
    assert_eq!(
        location(&app.sign_in_with(&browser, USER).await),
        "/profile"
    );
    assert_eq!(
        browser
            .get(app.url("/profile"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    let res = act(&app, user.id, "block").await;
    assert_eq!(
        location(&res),
        format!("/admin/users/{}?done=block", user.id)
    );
    assert!(!app.user(USER).unwrap().is_active);
    assert_eq!(
        location(&browser.get(app.url("/profile")).send().await.unwrap()),
        "/login",
        "the open session ends"
    );
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", None, Some(&token))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // signing in again says why
    app.advance(61);
    let (b2, _) = app.new_browser();
    let res = app.sign_in_with(&b2, USER).await;
    expect_page(res, StatusCode::FORBIDDEN, "This account is blocked.").await;

    assert_eq!(
        location(&act(&app, user.id, "unblock").await),
        format!("/admin/users/{}?done=unblock", user.id)
    );
    assert!(app.user(USER).unwrap().is_active);
    act(&app, user.id, "grant-staff").await;
    assert!(app.user(USER).unwrap().is_staff);
    act(&app, user.id, "revoke-staff").await;
    assert!(!app.user(USER).unwrap().is_staff);
    let token = {
        app.advance(61);
        app.api_token(USER).await
    };
    act(&app, user.id, "sign-out-everywhere").await;
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", None, Some(&token))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );

    let rows = audit_rows(&app);
    let actions: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(
        actions,
        [
            "grant_owner",
            "block",
            "unblock",
            "grant_staff",
            "revoke_staff",
            "sign_out_everywhere"
        ],
        "the first grant is the command line's"
    );
    assert_eq!(rows[0].0, None);
    for row in &rows[1..] {
        assert_eq!(row.0, Some(staff.id));
        assert_eq!(row.2, Some(user.id));
        assert_eq!(row.3.as_deref(), Some("127.0.0.1"));
    }
    let audit = app.get_html("/admin/audit").await;
    assert!(audit.contains("signed out everywhere") && audit.contains("+998 90 100 00 02"));
    assert!(
        audit.find("signed out everywhere").unwrap() < audit.find("blocked").unwrap(),
        "newest first"
    );
}

async fn staff_cannot_block_or_unstaff_themselves(backend: Backend) {
    let Some(app) = staff_app(backend).await else {
        return;
    };
    let me = app.user(STAFF).unwrap();
    let page = app.get_html(&format!("/admin/users/{}", me.id)).await;
    assert!(
        !page.contains("/block\"") && !page.contains("/revoke-staff\""),
        "not offered"
    );
    assert_eq!(
        app.get(&format!("/admin/users/{}/block", me.id))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    for slug in ["block", "revoke-staff"] {
        let csrf = csrf_from(&app.get_html("/admin").await);
        let res = app
            .post_form(
                &format!("/admin/users/{}/{slug}", me.id),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{slug}");
    }
    let me = app.user(STAFF).unwrap();
    assert!(me.is_active && me.is_staff);
    assert_eq!(audit_rows(&app).len(), 1, "only the command line's grant");
}

/// On the pages: a staff member who is not an owner is not offered, and cannot force, a change
/// of staff rights or any action on an owner.
async fn only_owners_change_staff_rights_and_nothing_applies_to_an_owner(backend: Backend) {
    let Some(app) = staff_app(backend).await else {
        return;
    };
    let owner = app.make_owner("+998901000030");
    let user = app.create_user(USER);
    let post = async |target: i64, slug: &str| {
        let csrf = csrf_from(&app.get_html("/admin").await);
        app.post_form(&format!("/admin/users/{target}/{slug}"), &[("csrf", &csrf)])
            .await
            .status()
    };

    let page = app.get_html(&format!("/admin/users/{}", user.id)).await;
    assert!(page.contains(&format!("/admin/users/{}/block\"", user.id)));
    assert!(!page.contains("/grant-staff\""), "rights are for owners");
    assert_eq!(post(user.id, "grant-staff").await, StatusCode::FORBIDDEN);
    let page = app.get_html(&format!("/admin/users/{}", owner.id)).await;
    assert!(page.contains("Owner"));
    for slug in [
        "block",
        "revoke-staff",
        "sign-out-everywhere",
        "grant-owner",
        "revoke-owner",
    ] {
        assert!(
            !page.contains(&format!("/{slug}\"")),
            "{slug} offered on an owner"
        );
        let confirm = app.get(&format!("/admin/users/{}/{slug}", owner.id)).await;
        assert!(
            [StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&confirm.status()),
            "{slug}"
        );
        let status = post(owner.id, slug).await;
        assert!(
            [StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&status),
            "{slug}: {status}"
        );
    }
    let (o, u) = (app.user("+998901000030").unwrap(), app.user(USER).unwrap());
    assert!(o.is_active && o.is_staff && o.is_owner && !u.is_staff);
    assert_eq!(audit_rows(&app).len(), 2, "only the command line's grants");

    // an owner is offered and may change staff rights
    let (browser, _) = app.new_browser();
    let signed_in = app.sign_in_with(&browser, "+998901000030").await;
    assert_eq!(location(&signed_in), "/profile");
    let page = browser
        .get(app.url(&format!("/admin/users/{}", user.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("/admin/users/{}/grant-staff\"", user.id)));
    let confirm = browser
        .get(app.url(&format!("/admin/users/{}/grant-staff", user.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let res = browser
        .post(app.url(&format!("/admin/users/{}/grant-staff", user.id)))
        .form(&[("csrf", csrf_from(&confirm))])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection() || res.status().is_success());
    assert!(app.user(USER).unwrap().is_staff);
}

async fn actions_need_the_csrf_token(backend: Backend) {
    let Some(app) = staff_app(backend).await else {
        return;
    };
    let user = app.create_user(USER);
    let res = app
        .post_form(
            &format!("/admin/users/{}/block", user.id),
            &[("csrf", "forged")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(app.user(USER).unwrap().is_active);
    let res = app.get(&format!("/admin/users/{}/block", user.id)).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the confirmation page changes nothing"
    );
    assert!(app.user(USER).unwrap().is_active);
    assert_eq!(
        app.get("/admin/users/999999").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/admin/users/{}/explode", user.id))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

fn phones_in(html: &str) -> Vec<String> {
    html.split("class=\"user-link\">")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().replace(' ', ""))
        .collect()
}

async fn search_filters_sort_and_pages(backend: Backend) {
    let Some(app) = staff_app(backend).await else {
        return;
    };
    let mut made = Vec::new();
    for i in 0..120 {
        made.push(app.create_user(&format!("+9989050{i:05}")));
        app.advance(1);
    }
    let inviter = &made[7];
    for u in &made[100..103] {
        app.activate(u.id, &inviter.invite_code);
    }
    app.make_staff(&made[3].phone);
    {
        let staff = app.user(STAFF).unwrap();
        let actor = user_auth::domain::staff::Actor {
            id: Some(staff.id),
            label: STAFF,
            ip: None,
        };
        user_auth::app::staff::perform(
            &mut app.conn(),
            actor,
            made[5].id,
            user_auth::domain::staff::Action::Block,
            app.clock.now(),
        )
        .unwrap();
    }

    // by phone fragment, as typed with spaces
    let html = app.get_html("/admin/users?q=050+00042").await;
    assert_eq!(phones_in(&html), vec!["+998905000042"]);
    // by invite code, typed loosely
    let code = made[9].invite_code.to_lowercase();
    let html = app
        .get_html(&format!("/admin/users?q={}-{}", &code[..3], &code[3..]))
        .await;
    assert_eq!(phones_in(&html), vec![made[9].phone.clone()]);
    // nonsense finds no one
    assert!(phones_in(&app.get_html("/admin/users?q=%3Cscript%3E").await).is_empty());
    // filters
    let staff_only = phones_in(&app.get_html("/admin/users?staff=yes").await);
    assert_eq!(staff_only.len(), 2);
    assert!(staff_only.contains(&made[3].phone));
    assert_eq!(
        phones_in(&app.get_html("/admin/users?blocked=yes").await),
        vec![made[5].phone.clone()]
    );
    assert_eq!(
        phones_in(&app.get_html("/admin/users?entered=yes").await).len(),
        3
    );
    // sort by invitees
    let top = phones_in(&app.get_html("/admin/users?sort=invitees").await);
    assert_eq!(top[0], inviter.phone);
    // pages of 50, newest first, each user once
    let mut all = Vec::new();
    let mut link = Some("/admin/users?q=&staff=&blocked=&entered=&sort=&page=1".to_owned());
    let mut pages = 0;
    while let Some(l) = link {
        pages += 1;
        assert!(pages <= 3, "the pages end: {l}");
        let html = app.get_html(&l).await;
        assert!(
            html.contains("121 users found."),
            "the count covers every page"
        );
        all.extend(phones_in(&html));
        link = link_with_rel(&html, "next");
    }
    assert_eq!(all.len(), 121);
    assert_eq!(all[0], "+998905000119", "newest first");
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 121);
}

async fn the_person_page_shows_everything_and_links_both_ways(backend: Backend) {
    let Some(app) = staff_app(backend).await else {
        return;
    };
    let inviter = app.create_user("+998901000010");
    app.api_token(USER).await;
    let user = app.user(USER).unwrap();
    app.activate(user.id, &inviter.invite_code);
    let invitee = app.create_user("+998901000011");
    app.activate(invitee.id, &user.invite_code);

    let page = app.get_html(&format!("/admin/users/{}", user.id)).await;

    assert!(page.contains(&user.invite_code));
    assert!(
        page.contains(&format!("href=\"/admin/users/{}\"", inviter.id)),
        "who invited them"
    );
    assert!(
        page.contains(&format!("href=\"/admin/users/{}\"", invitee.id)),
        "whom they invited"
    );
    assert!(
        page.contains("code sent") && page.contains("signed in") && page.contains("127.0.0.1"),
        "sign-in attempts"
    );
    assert!(page.contains(&format!("/admin/users/{}/block", user.id)));
}

async fn the_person_page_pages_through_every_event_and_filters_them(backend: Backend) {
    let Some(app) = staff_app(backend).await else {
        return;
    };
    let user = app.create_user(USER);
    let record = |ip: &str, outcome| {
        events::record(
            &mut app.conn(),
            USER,
            "UZ",
            Some(user.id),
            ip,
            outcome,
            app.clock.now(),
        )
        .unwrap()
    };
    // a takeover, then 60 junk checks to push it off the first page
    record("10.6.6.6", Outcome::SignedIn);
    for i in 0..60 {
        record(&format!("10.7.7.{i}"), Outcome::WrongCode);
    }

    let first = app.get_html(&format!("/admin/users/{}", user.id)).await;
    assert_eq!(first.matches("wrong code</td>").count(), 50);
    assert!(!first.contains("10.6.6.6"));
    let older = link_with_rel(&first, "next").expect("older events");
    let second = app.get_html(&older).await;
    assert_eq!(second.matches("wrong code</td>").count(), 10);
    assert!(second.contains("10.6.6.6") && second.contains("signed in</td>"));
    assert!(link_with_rel(&second, "next").is_none());
    assert!(link_with_rel(&second, "first").is_some());

    let filtered = app
        .get_html(&format!("/admin/users/{}?outcome=signed_in", user.id))
        .await;
    assert!(filtered.contains("10.6.6.6"));
    assert_eq!(filtered.matches("wrong code</td>").count(), 0);
    assert!(filtered.contains("<option value=\"signed_in\" selected>"));
    // an unknown outcome shows them all
    let unknown = app
        .get_html(&format!("/admin/users/{}?outcome=%0a", user.id))
        .await;
    assert_eq!(unknown.matches("wrong code</td>").count(), 50);
}

async fn dashboard_figures_match_a_known_dataset(backend: Backend) {
    let start = NaiveDate::from_ymd_opt(2026, 11, 3)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap();
    let options = Options {
        clock_start: Some(start),
        ..Options::default()
    };
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    let at = |d: u32, m: u32, h: u32| -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, m, d)
            .unwrap()
            .and_hms_opt(h, 30, 0)
            .unwrap()
    };
    // joins: 2 on Oct 31, 3 on Nov 1 (across the month boundary), 1 today, 1 forty days ago
    let joins = [
        at(31, 10, 9),
        at(31, 10, 23),
        at(1, 11, 0),
        at(1, 11, 8),
        at(1, 11, 22),
        at(3, 11, 1),
        at(24, 9, 10),
    ];
    let mut conn = app.conn();
    let mut ids = Vec::new();
    for (i, when) in joins.iter().enumerate() {
        let phone = format!("+9989060{i:05}");
        let code = format!("DASH{i:02}");
        user_auth::db::users::insert(
            &mut conn,
            &NewUser {
                phone: &phone,
                invite_code: &code,
                date_joined: *when,
                last_login: None,
            },
        )
        .unwrap();
        ids.push(
            user_auth::db::users::find_by_phone(&mut conn, &phone)
                .unwrap()
                .unwrap(),
        );
    }
    // two of them entered the first one's code
    drop(conn);
    app.activate(ids[1].id, &ids[0].invite_code);
    app.activate(ids[2].id, &ids[0].invite_code);
    let mut conn = app.conn();
    // events: 4 in the last 24 hours, 1 older
    let recent = start - chrono::TimeDelta::hours(2);
    for outcome in [
        Outcome::SignedIn,
        Outcome::CodeSent,
        Outcome::WrongCode,
        Outcome::CodeExpired,
    ] {
        events::record(
            &mut conn,
            "+998906000000",
            "UZ",
            None,
            "10.0.0.1",
            outcome,
            recent,
        )
        .unwrap();
    }
    events::record(
        &mut conn,
        "+998906000000",
        "UZ",
        None,
        "10.0.0.1",
        Outcome::SignedIn,
        start - chrono::TimeDelta::hours(30),
    )
    .unwrap();
    drop(conn);
    // the staff member joins now (Nov 3, 12:00) and signs in: +1 user today, +1 code sent, +1 sign-in
    app.make_staff(STAFF);
    app.sign_in(STAFF, STAFF).await;

    let html = app.get_html("/admin").await;

    let figure = |label: &str| {
        let start = html
            .find(&format!("<dt>{label}</dt><dd>"))
            .unwrap_or_else(|| panic!("{label}"))
            + label.len()
            + 13;
        html[start..].split('<').next().unwrap().to_owned()
    };
    assert_eq!(figure("Users in total"), "8");
    assert_eq!(figure("New today"), "2");
    assert_eq!(figure("New in 7 days"), "7");
    assert_eq!(figure("New in 30 days"), "7");
    assert_eq!(figure("Sign-ins in 24 hours"), "2");
    assert_eq!(figure("Codes sent in 24 hours"), "2");
    assert_eq!(figure("Failed verifications in 24 hours"), "2");
    assert_eq!(figure("Numbers locked for a network now"), "0");
    assert_eq!(figure("Entered an invite code"), "25 %");
    // per-day buckets, across the month boundary
    for (day, text, n) in [
        ("2026-10-30", "30 October 2026", "0"),
        ("2026-10-31", "31 October 2026", "2"),
        ("2026-11-01", "1 November 2026", "3"),
        ("2026-11-02", "2 November 2026", "0"),
        ("2026-11-03", "3 November 2026", "2"),
    ] {
        assert!(
            html.contains(&format!(
                "<tr><td><time datetime=\"{day}\">{text}</time></td><td class=\"num\">{n}</td></tr>"
            )),
            "{day}: {n}"
        );
    }
    assert!(
        html.contains("<tr><td><time datetime=\"2026-10-05\">"),
        "30 days back"
    );
    assert!(!html.contains("<tr><td><time datetime=\"2026-10-04\">"));
    assert!(html.contains("<svg class=\"chart\"") && html.contains("role=\"img\""));
    assert!(html.contains("1 November 2026: 3</title>"));
    // top inviters
    let top = html.split("Top 10 inviters").nth(1).unwrap();
    assert!(top.contains(&format!(
        "/admin/users/{}\">+998 90 600 00 00</a></td><td class=\"num\">2<",
        ids[0].id
    )));
}

async fn the_chart_draws_for_an_empty_service(backend: Backend) {
    let Some(app) = staff_app(backend).await else {
        return;
    };
    let html = app.get_html("/admin").await;
    assert_eq!(html.matches("<rect class=\"chart-bar\"").count(), 30);
    assert!(html.contains("No one has used an invite code yet."));
}

async fn the_dashboard_shows_the_text_budgets_and_completion_by_country(backend: Backend) {
    let options = Options {
        limits: user_auth::domain::limits::Limits {
            sms_per_hour: 4,
            sms_per_prefix_per_hour: 2,
            ..Default::default()
        },
        ..Options::default()
    };
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    app.make_staff(STAFF);
    app.sign_in(STAFF, STAFF).await; // a code to +99890100 …
    let (browser, _) = app.new_browser();
    for (number, expected) in [
        ("+998901000005", 303),
        ("+998901000006", 429), // a third to the block +99890100
        ("+79123456789", 303),
        ("+998911234567", 303),
        ("+77011234567", 429), // the fifth text of the hour
    ] {
        let res = app.request_code_with(&browser, number).await;
        assert_eq!(res.status().as_u16(), expected, "{number}");
        if expected == 429 {
            let text = res.text().await.unwrap();
            assert!(
                text.contains("Too many codes were sent to numbers like this one.")
                    || text.contains("We cannot send more codes right now."),
                "{text}"
            );
        }
    }
    let res = app
        .submit_code_with(&browser, &app.last_code("+998911234567"))
        .await;
    assert_eq!(location(&res), "/profile");

    let html = app.get_html("/admin").await;

    assert!(
        html.contains("<strong id=\"texts-last-hour\">4 of 4</strong>"),
        "{html}"
    );
    assert!(html.contains("The hourly budget of text messages is spent (4 of 4)"));
    assert!(html.contains("Numbers starting +99890100 reached their hourly budget (2 of 2)"));
    let table = html
        .split("<table class=\"data\" id=\"by-region\">")
        .nth(1)
        .unwrap();
    let table = table.split("</table>").next().unwrap();
    let rows: Vec<&str> = table.split("<tr>").skip(2).collect();
    assert!(rows[0].starts_with("<td>UZ</td><td class=\"num\">3</td><td class=\"num\">2</td><td class=\"num\">66.7 %</td>"), "{table}");
    assert!(
        rows[1].starts_with(
            "<td>RU</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0 %</td>"
        ),
        "{table}"
    );
}

async fn the_csv_export_follows_the_selection_and_is_safe(backend: Backend) {
    let Some(app) = staff_app(backend).await else {
        return;
    };
    let plan = user_auth::app::seed::SeedPlan {
        users: 2100,
        invitees_of: vec![],
    };
    user_auth::app::seed::seed(&mut app.conn(), &plan, 0, app.clock.now(), |_| ()).unwrap();

    let res = app.get("/admin/users.csv").await;

    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("users.csv")
    );
    let body = res.text().await.unwrap();
    let lines: Vec<&str> = body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], user_auth_csv_header());
    assert_eq!(
        lines.len(),
        1 + 2101,
        "every user once, over several batches"
    );
    let mut ids: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 2101);
    for line in &lines[1..] {
        let phone = line.split(',').nth(1).unwrap();
        assert!(
            phone.starts_with("'+998"),
            "a phone is never a formula: {line}"
        );
    }
    // the selection applies
    let staff_only = app
        .get("/admin/users.csv?staff=yes")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(staff_only.matches("\r\n").count(), 2);
    assert!(staff_only.contains(&format!(",'{STAFF},")));
}

fn user_auth_csv_header() -> &'static str {
    "id,phone,invite_code,invited_by_id,invited_at,invitee_count,is_active,is_staff,date_joined,last_login"
}

async fn the_audit_log_pages_filters_and_cannot_be_edited(backend: Backend) {
    let Some(app) = staff_app(backend).await else {
        return;
    };
    let staff = app.user(STAFF).unwrap();
    let a = app.create_user(USER);
    let b = app.create_user("+998901000020");
    let actor = user_auth::domain::staff::Actor {
        id: Some(staff.id),
        label: STAFF,
        ip: Some("10.1.1.1"),
    };
    for i in 0..60 {
        let target = if i % 2 == 0 { a.id } else { b.id };
        user_auth::app::staff::perform(
            &mut app.conn(),
            actor,
            target,
            user_auth::domain::staff::Action::SignOutEverywhere,
            app.clock.now(),
        )
        .unwrap();
    }

    let first = app.get_html("/admin/audit").await;
    assert_eq!(first.matches("signed out everywhere").count(), 50);
    let next = link_with_rel(&first, "next").expect("a next page");
    let second = app.get_html(&next).await;
    // 60 actions plus the command line's grant
    assert_eq!(second.matches("<tr>").count() - 1, 11);
    let on_a = app.get_html(&format!("/admin/audit?target={}", a.id)).await;
    assert_eq!(on_a.matches("signed out everywhere").count(), 30);
    let by_staff = app
        .get_html(&format!("/admin/audit?actor={}", staff.id))
        .await;
    assert_eq!(by_staff.matches("signed out everywhere").count(), 50);

    // rows are never edited or removed, whatever the backend
    let updated = diesel::update(audit_log::table)
        .set(audit_log::action.eq("block"))
        .execute(&mut app.conn());
    assert!(updated.is_err(), "update refused");
    let deleted = diesel::delete(audit_log::table).execute(&mut app.conn());
    assert!(deleted.is_err(), "delete refused");
    if app.postgres_database().is_some() {
        let emptied = diesel::sql_query("TRUNCATE audit_log").execute(&mut app.conn());
        assert!(emptied.is_err(), "truncate refused");
    }
    let count: i64 = audit_log::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(count, 61);
}

crate::on_both_backends!(
    the_dashboard_shows_the_text_budgets_and_completion_by_country,
    every_admin_route_requires_an_active_staff_member,
    each_action_takes_effect_and_is_audited,
    staff_cannot_block_or_unstaff_themselves,
    only_owners_change_staff_rights_and_nothing_applies_to_an_owner,
    actions_need_the_csrf_token,
    search_filters_sort_and_pages,
    the_person_page_shows_everything_and_links_both_ways,
    the_person_page_pages_through_every_event_and_filters_them,
    dashboard_figures_match_a_known_dataset,
    the_chart_draws_for_an_empty_service,
    the_csv_export_follows_the_selection_and_is_safe,
    the_audit_log_pages_filters_and_cannot_be_edited,
);
