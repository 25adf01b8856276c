//! Invite links (`/i/CODE`): the welcome, the code carried through sign-in, accepting and
//! declining, the pages for codes that lead nowhere, and the limit on trying codes.

use diesel::prelude::*;
use reqwest::StatusCode;
use user_auth::db::schema::{invite_attempts, invite_link_misses, users};

use crate::helpers::{Backend, Options, TestApp, csrf_from, expect_page, location};

const A: &str = "+998901110001";
const B: &str = "+998901110002";

/// A's number as a link shows it to everyone.
/// A staff member.
const C_STAFF: &str = "+998901110003";

const A_MASKED: &str = "+998 •••••••01";

fn set_name(app: &TestApp, id: i64, name: &str) {
    diesel::update(users::table.find(id))
        .set(users::display_name.eq(Some(name)))
        .execute(&mut app.conn())
        .unwrap();
}

fn misses(app: &TestApp) -> i64 {
    invite_link_misses::table
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

fn tries(app: &TestApp) -> i64 {
    invite_attempts::table
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

/// A link typed loosely opens the welcome, whose button carries the code through the phone
/// and code forms, without script, to the question; accepting records the entry through the
/// same rules as the profile's form; the link then says a code was entered.
async fn a_link_carries_its_code_through_sign_in_to_acceptance(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let a = app.create_user(A);
    let code = a.invite_code.clone();
    let loose = format!("{}-{}", &code[..3], &code[3..]).to_lowercase();

    let welcome = expect_page(
        app.get(&format!("/i/{loose}")).await,
        StatusCode::OK,
        &format!("{A_MASKED} invites you"),
    )
    .await;
    assert!(!welcome.contains("90 111 00 01") && !welcome.contains(A));
    assert!(
        welcome.contains(&format!("Invite code {code}")),
        "{welcome}"
    );
    let sign_in = format!("href=\"/login?invite={code}\"");
    assert!(welcome.contains(&sign_in), "{welcome}");
    assert!(
        !welcome.contains("action=\"/i/"),
        "no accept form before sign-in"
    );

    let login = app.get_html(&format!("/login?invite={code}")).await;
    assert!(
        login.contains(&format!(
            "<input type=\"hidden\" name=\"invite\" value=\"{code}\">"
        )),
        "{login}"
    );
    assert!(login.contains(&format!("accept the invitation with code {code}")));
    let res = app
        .post_form(
            "/login",
            &[
                ("csrf", &csrf_from(&login)),
                ("phone", B),
                ("invite", &code),
            ],
        )
        .await;
    assert_eq!(location(&res), "/login/code");
    app.sms.wait(200);
    let res = app.submit_code(&app.last_code(B)).await;
    assert_eq!(location(&res), format!("/i/{code}"), "to the question next");

    let question = expect_page(
        app.get(&format!("/i/{code}")).await,
        StatusCode::OK,
        &format!("Accept the invitation of {A_MASKED}?"),
    )
    .await;
    assert!(question.contains(&format!("action=\"/i/{code}\"")));
    assert!(question.contains("id=\"invitation-decline\" href=\"/profile\""));
    assert_eq!(
        app.user(B).unwrap().invited_by_id,
        None,
        "not before accepting"
    );

    let res = app
        .post_form(&format!("/i/{code}"), &[("csrf", &csrf_from(&question))])
        .await;
    assert_eq!(location(&res), "/profile?entered=1");
    let b = app.user(B).unwrap();
    assert_eq!(b.invited_by_id, Some(a.id));
    assert_eq!(app.user(A).unwrap().invitee_count, 1);

    let after = app.get_html(&format!("/i/{code}")).await;
    assert!(
        after.contains(&format!(
            "You have already accepted an invitation (code {code})"
        )),
        "{after}"
    );
    assert!(!after.contains("action=\"/i/"));
    // signed in, "Sign in to accept" goes straight to the link
    let res = app.get(&format!("/login?invite={code}")).await;
    assert_eq!(location(&res), format!("/i/{code}"));
}

/// "Not now" leaves nothing behind: no entry, no try counted, the profile's form still there;
/// and the code is not carried into a later sign-in that started without it.
async fn declining_leaves_nothing_behind(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let a = app.create_user(A);
    let login = app
        .get_html(&format!("/login?invite={}", a.invite_code))
        .await;
    app.post_form(
        "/login",
        &[
            ("csrf", &csrf_from(&login)),
            ("phone", B),
            ("invite", &a.invite_code),
        ],
    )
    .await;
    app.sms.wait(200);
    app.submit_code(&app.last_code(B)).await;
    let question = app.get_html(&format!("/i/{}", a.invite_code)).await;
    assert!(question.contains("id=\"invitation-decline\" href=\"/profile\""));

    let profile = app.get_html("/profile").await;
    assert!(
        profile.contains("action=\"/profile/invite\""),
        "still free to enter a code"
    );
    assert_eq!(app.user(B).unwrap().invited_by_id, None);
    assert_eq!(app.user(A).unwrap().invitee_count, 0);
    assert_eq!(tries(&app), 0);

    // signing in again without a link goes to the profile, not to the old question
    app.sign_out().await;
    app.advance(61);
    app.sign_in(B, B).await;
}

/// The inviter's name when they set one; their own link tells the owner so and offers nothing
/// to accept; a link is the same invitation through the API.
async fn a_link_names_its_inviter_and_the_owner_sees_their_own(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let a = app.create_user(A);
    set_name(&app, a.id, "Dilnoza <b>");
    let page = app.get_html(&format!("/i/{}", a.invite_code)).await;
    assert!(page.contains("Dilnoza &#60;b&#62; invites you"), "{page}");
    assert!(!page.contains(A_MASKED), "the name stands for the number");

    let (status, _, json) = app
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/invitations/{}", a.invite_code.to_lowercase()),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["code"], a.invite_code.as_str());
    assert_eq!(json["inviter_name"], "Dilnoza <b>");
    assert_eq!(json["inviter_phone"], A_MASKED);

    app.sign_in(A, A).await;
    let own = app.get_html(&format!("/i/{}", a.invite_code)).await;
    assert!(own.contains("This is your own invite link."), "{own}");
    assert!(!own.contains("action=\"/i/"));
    // posting anyway is refused by the rule, with its message, and changes nothing
    let res = app
        .post_form(
            &format!("/i/{}", a.invite_code),
            &[("csrf", &csrf_from(&own))],
        )
        .await;
    let page = expect_page(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "This is your own invite code.",
    )
    .await;
    assert!(page.contains("id=\"invitation-error\""));
    assert_eq!(app.user(A).unwrap().invited_by_id, None);
}

/// Accepting through a link applies every rule of the profile's form: here a cycle (A joined
/// through B, so B cannot join through A), refused with its message and status.
async fn accepting_a_link_applies_every_invite_rule(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let a = app.create_user(A);
    let b = app.create_user(B);
    app.activate(a.id, &b.invite_code);
    app.sign_in(B, B).await;
    let question = app.get_html(&format!("/i/{}", a.invite_code)).await;
    let res = app
        .post_form(
            &format!("/i/{}", a.invite_code),
            &[("csrf", &csrf_from(&question))],
        )
        .await;
    expect_page(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "its owner joined through you",
    )
    .await;
    assert_eq!(app.user(B).unwrap().invited_by_id, None);
    // without the form's token nothing happens
    let res = app
        .post_form(&format!("/i/{}", a.invite_code), &[("csrf", "x")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.user(B).unwrap().invited_by_id, None);
}

/// A code no account has, or text that is no code, is a clear page (404) with its message in
/// each language, never an error of the server, and shows nothing of what was typed that
/// could run.
async fn links_that_lead_nowhere_are_clear_pages(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let long = "A".repeat(3000);
    for path in [
        "/i/ZZZZZZ".to_owned(),
        "/i/%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_owned(),
        "/i/%00%01".to_owned(),
        format!("/i/{long}"),
        "/i/%E2%80%AE123456".to_owned(),
    ] {
        let res = app.get(&path).await;
        let page = expect_page(
            res,
            StatusCode::NOT_FOUND,
            "This invite link does not lead to anyone",
        )
        .await;
        assert!(!page.contains("<script>alert"), "{path}");
    }
    let ru = app
        .client
        .get(app.url("/i/ZZZZZZ"))
        .header("accept-language", "ru")
        .send()
        .await
        .unwrap();
    expect_page(
        ru,
        StatusCode::NOT_FOUND,
        "Эта ссылка-приглашение никуда не ведёт",
    )
    .await;
    let (status, _, json) = app
        .api(
            reqwest::Method::GET,
            "/api/v1/invitations/ZZZZZZ",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json["code"], "invitation_unknown");
}

/// The attack: one network tries many codes at once to collect who has them. Past the hour's
/// limit every link from that network answers 429 (known codes too, so a hit cannot be told
/// apart), however many requests ran in parallel; the owner's link still works for everyone
/// else, and for that network again after the hour.
async fn trying_codes_from_one_network_is_cut_off_and_the_owner_still_gets_in(backend: Backend) {
    let options = Options {
        trust_proxy_headers: true,
        ..Options::default()
    };
    let limit = options.limits.invite_link_misses_per_hour;
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    let a = app.create_user(A);
    let attacker = app.browser_at("203.0.113.9");
    let tries = (0..limit + 20).map(|i| {
        let attacker = attacker.clone();
        let url = app.url(&format!("/i/{:06}", i));
        async move { attacker.get(url).send().await.unwrap().status() }
    });
    let statuses = futures_util::future::join_all(tries).await;
    let unknown = statuses
        .iter()
        .filter(|s| **s == StatusCode::NOT_FOUND)
        .count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(unknown as i64, limit, "{statuses:?}");
    assert_eq!(limited, 20, "{statuses:?}");
    assert_eq!(
        misses(&app),
        limit,
        "each miss counted once, none past the limit"
    );

    // a known code from that network: refused all the same, with when to come back
    let res = attacker
        .get(app.url(&format!("/i/{}", a.invite_code)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    let page = res.text().await.unwrap();
    assert!(!page.contains(A_MASKED), "{page}");
    // the same through the API
    let res = attacker
        .get(app.url(&format!("/api/v1/invitations/{}", a.invite_code)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);

    // everyone else: the link works
    let friend = app.browser_at("198.51.100.4");
    let res = friend
        .get(app.url(&format!("/i/{}", a.invite_code)))
        .send()
        .await
        .unwrap();
    expect_page(res, StatusCode::OK, &format!("{A_MASKED} invites you")).await;

    // after the hour, the network again
    app.advance(3601);
    let res = attacker
        .get(app.url(&format!("/i/{}", a.invite_code)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

crate::on_both_backends!(
    a_link_carries_its_code_through_sign_in_to_acceptance,
    declining_leaves_nothing_behind,
    a_link_names_its_inviter_and_the_owner_sees_their_own,
    accepting_a_link_applies_every_invite_rule,
    links_that_lead_nowhere_are_clear_pages,
    trying_codes_from_one_network_is_cut_off_and_the_owner_still_gets_in,
    the_profile_shows_the_link_and_its_qr_code,
    people_who_joined_since_the_last_look_are_marked_new,
    a_new_code_retires_the_old_one_and_is_limited,
    staff_see_the_invite_tree_and_bunched_invitees,
    the_inviter_can_be_texted_when_someone_joins,
    no_text_when_someone_joins_by_default,
);

/// The profile shows the invite link and its QR code, drawn on the server: read back by a QR
/// decoder it is the link, which opens the invitation; the printable page draws the same code.
async fn the_profile_shows_the_link_and_its_qr_code(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let res = app.get("/profile/invite/print").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "signed in only");
    app.sign_in(A, A).await;
    let a = app.user(A).unwrap();
    let profile = app.get_html("/profile").await;
    let link = format!("{}/i/{}", app.settings.link_origin(), a.invite_code);
    assert!(
        profile.contains(&format!(
            "id=\"invite-link\" class=\"invite-link\" type=\"url\" value=\"{link}\""
        )),
        "{profile}"
    );
    assert_eq!(crate::helpers::decode_qr(&profile), link);
    assert!(profile.contains("role=\"img\" aria-label=\"QR code of your invite link\""));
    // the share button appears with the script (the link can be copied without it)
    assert!(profile.contains("id=\"share-button\""));

    let print = app.get_html("/profile/invite/print").await;
    assert_eq!(crate::helpers::decode_qr(&print), link);
    assert!(
        print.contains(&format!("{A_MASKED} invites you")),
        "{print}"
    );
    assert!(print.contains(&format!("Invite code {}", a.invite_code)));

    // what the camera reads opens the invitation
    let path = link.strip_prefix(&app.settings.link_origin()).unwrap();
    app.sign_out().await;
    expect_page(app.get(path).await, StatusCode::OK, "invites you").await;
}

/// "3 new": the profile marks who joined since the person last looked, once; people who join
/// later are new on the next look; the API says the same and its first page counts as a look;
/// a new invitee who deletes their account is no longer counted.
async fn people_who_joined_since_the_last_look_are_marked_new(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let a = app.create_user(A);
    for i in 0..3 {
        let u = app.create_user(&format!("+99890111010{i}"));
        app.activate(u.id, &a.invite_code);
    }
    assert_eq!(app.user(A).unwrap().unseen_invitees, 3);
    app.sign_in(A, A).await;
    let profile = app.get_html("/profile").await;
    assert!(
        profile.contains("<strong class=\"badge\" id=\"invitees-new\">3 new</strong>"),
        "{profile}"
    );
    assert_eq!(profile.matches("class=\"invitee-new\"").count(), 3);
    // seen: the next look marks nothing
    let again = app.get_html("/profile").await;
    assert!(
        !again.contains("invitees-new") && !again.contains("invitee-new"),
        "{again}"
    );
    assert_eq!(app.user(A).unwrap().unseen_invitees, 0);

    // one more joins: only they are new, at the top
    app.advance(5);
    let d = app.create_user("+998901110199");
    app.activate(d.id, &a.invite_code);
    let profile = app.get_html("/profile").await;
    assert!(profile.contains(">1 new</strong>"), "{profile}");
    let first = profile.find("class=\"invitee-new\"").unwrap();
    assert!(profile[first..].contains("90 111 01 99"));
    assert_eq!(profile.matches("class=\"invitee-new\"").count(), 1);
    let ru = app.get_html_in("/profile", "ru").await;
    assert!(!ru.contains("invitees-new"), "seen in English already");

    // through the API
    let e = app.create_user("+998901110198");
    app.activate(e.id, &a.invite_code);
    let f = app.create_user("+998901110197");
    app.activate(f.id, &a.invite_code);
    app.advance(61);
    let token = app.api_token(A).await;
    let app = &app;
    let get = |path: &'static str| {
        let token = token.clone();
        async move {
            app.api(reqwest::Method::GET, path, None, Some(&token))
                .await
        }
    };
    let (_, _, me) = get("/api/v1/me").await;
    assert_eq!(me["unseen_invitees"], 2, "{me}");
    let (_, _, page) = get("/api/v1/me/invitees").await;
    assert_eq!(page["new"], 2, "{page}");
    let flags: Vec<bool> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["new"].as_bool().unwrap())
        .collect();
    assert_eq!(flags, [true, true, false, false, false, false]);
    let (_, _, page) = get("/api/v1/me/invitees").await;
    assert_eq!(page["new"], 0, "{page}");
    let (_, _, me) = get("/api/v1/me").await;
    assert_eq!(me["unseen_invitees"], 0, "{me}");

    // a new invitee deletes their account: no longer new; an older one: the new ones stay
    let delete = |e164: &str| {
        let user = app.user(e164).unwrap();
        let now = user_auth::clock::Clock::now(&app.clock);
        user_auth::app::accounts::delete_account(&mut app.conn(), &user, now).unwrap();
    };
    let counts = || {
        let a = app.user(A).unwrap();
        (a.invitee_count, a.unseen_invitees)
    };
    for phone in ["+998901110196", "+998901110195"] {
        let g = app.create_user(phone);
        app.activate(g.id, &a.invite_code);
    }
    assert_eq!(counts(), (8, 2));
    delete("+998901110196");
    assert_eq!(counts(), (7, 1));
    delete("+998901110198");
    assert_eq!(counts(), (6, 1));
}

fn new_code_audits(app: &TestApp, id: i64) -> i64 {
    use user_auth::db::schema::audit_log;
    audit_log::table
        .filter(audit_log::actor_id.eq(id))
        .filter(audit_log::action.eq("new_invite_code"))
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

/// A new code: the old code and its link stop working for anyone new, the people who joined
/// stay, the change is audited; three a day, then 429 with when, even when asked for many at
/// once (counted under the person's lock), and again after a day.
async fn a_new_code_retires_the_old_one_and_is_limited(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let a = app.create_user(A);
    let b = app.create_user(B);
    app.activate(b.id, &a.invite_code);
    let old = a.invite_code.clone();
    app.sign_in(A, A).await;
    let profile = app.get_html("/profile").await;
    assert!(profile.contains("action=\"/profile/invite/new\""));
    let res = app
        .post_form("/profile/invite/new", &[("csrf", &csrf_from(&profile))])
        .await;
    assert_eq!(location(&res), "/profile?code=new#own-code-title");
    let a = app.user(A).unwrap();
    assert_ne!(a.invite_code, old);
    assert_eq!(a.invitee_count, 1, "who joined stays");
    assert_eq!(app.user(B).unwrap().invited_by_id, Some(a.id));
    let profile = app.get_html("/profile?code=new").await;
    assert!(profile.contains("You have a new invite code and link."));
    assert!(profile.contains(&format!("value=\"{}\"", a.invite_code)));
    assert_eq!(new_code_audits(&app, a.id), 1);

    // the old code leads nowhere, the new one works
    assert_eq!(
        app.get(&format!("/i/{old}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/i/{}", a.invite_code)).await.status(),
        StatusCode::OK
    );
    let c = app.create_user("+998901110003");
    let code = user_auth::domain::invite_code::InviteCode::parse(&old).unwrap();
    let now = user_auth::clock::Clock::now(&app.clock);
    let rules = user_auth::app::invites::EntryRules {
        max_tries_per_hour: 10,
        max_invitees: None,
        network: None,
        notify: None,
    };
    let refused =
        user_auth::app::invites::activate(&mut app.conn(), &rules, c.id, &code, now).unwrap();
    assert_eq!(
        refused.unwrap_err(),
        user_auth::domain::refusal::InviteRefused::Unknown
    );

    // three a day
    for _ in 0..2 {
        let csrf = csrf_from(&app.get_html("/profile").await);
        let res = app
            .post_form("/profile/invite/new", &[("csrf", &csrf)])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    let before = app.user(A).unwrap().invite_code;
    let csrf = csrf_from(&app.get_html("/profile").await);
    let res = app
        .post_form("/profile/invite/new", &[("csrf", &csrf)])
        .await;
    assert!(res.headers().contains_key("retry-after"));
    let page = expect_page(
        res,
        StatusCode::TOO_MANY_REQUESTS,
        "You have replaced your code as many times as a day allows.",
    )
    .await;
    assert!(page.contains("id=\"new-code-error\""));
    assert_eq!(app.user(A).unwrap().invite_code, before, "unchanged");
    assert_eq!(new_code_audits(&app, a.id), 3);
    app.advance(24 * 3600 + 1);
    let csrf = csrf_from(&app.get_html("/profile").await);
    let res = app
        .post_form("/profile/invite/new", &[("csrf", &csrf)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "a day later");

    // many at once through the API: three, however they race
    let d = app.create_user("+998901110004");
    let token = app.api_token("+998901110004").await;
    let asks = (0..8).map(|_| {
        app.api(
            reqwest::Method::POST,
            "/api/v1/me/invite-code",
            None,
            Some(&token),
        )
    });
    let answers = futures_util::future::join_all(asks).await;
    let done = answers
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::OK)
        .count();
    let limited = answers
        .iter()
        .filter(|(s, _, j)| {
            *s == StatusCode::TOO_MANY_REQUESTS && j["code"] == "invite_code_changes_limited"
        })
        .count();
    assert_eq!((done, limited), (3, 5), "{answers:?}");
    assert_eq!(new_code_audits(&app, d.id), 3);
    let last = answers
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::OK)
        .map(|(_, _, j)| j["invite_code"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    assert!(last.contains(&app.user("+998901110004").unwrap().invite_code));
}

/// Staff see the invite tree around a person (up the chain with depth and counts, the levels
/// down) and a flag when their invitees came in a bunch: here three within an hour from one
/// network, each entered through the API, which records where an entry came from.
async fn staff_see_the_invite_tree_and_bunched_invitees(backend: Backend) {
    let mut options = Options::default();
    options.limits.invite_bunch_size = 3;
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    let y = app.create_user("+998901110091");
    let z = app.create_user("+998901110092");
    app.activate(z.id, &y.invite_code);
    let a = app.create_user(A);
    app.activate(a.id, &z.invite_code);
    let body = format!(r#"{{"code":"{}"}}"#, a.invite_code);
    let mut invitees = Vec::new();
    for i in 0..3 {
        let phone = format!("+99890111008{i}");
        let token = app.api_token(&phone).await;
        let (status, _, json) = app
            .api(
                reqwest::Method::POST,
                "/api/v1/me/invite",
                Some(&body),
                Some(&token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{json}");
        invitees.push(app.user(&phone).unwrap());
    }
    let grandchild = app.create_user("+998901110089");
    app.activate(grandchild.id, &invitees[0].invite_code);

    app.make_staff(C_STAFF);
    app.sign_in(C_STAFF, C_STAFF).await;
    let page = app.get_html(&format!("/admin/users/{}", a.id)).await;
    assert!(
        page.contains("Flagged: 3 invitees within an hour from network 127.0.0.1"),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "<li><a href=\"/admin/users/{}\">1. +998 90 111 00 92 (1 invitee)</a></li>",
            z.id
        )),
        "{page}"
    );
    assert!(page.contains(&format!(
        "<li><a href=\"/admin/users/{}\">2. +998 90 111 00 91 (1 invitee)</a></li>",
        y.id
    )));
    assert!(
        page.contains("<li>Level 1: 3</li>") && page.contains("<li>Level 2: 1</li>"),
        "{page}"
    );
    // the top of the chain: no one above, and no flag for two entered directly
    let top = app.get_html(&format!("/admin/users/{}", y.id)).await;
    assert!(
        top.contains("Joined without anyone&#39;s code.")
            || top.contains("Joined without anyone's code."),
        "{top}"
    );
    assert!(!top.contains("id=\"invite-bunch\""));
}

/// `INVITE_NOTIFY_SMS=true`: the inviter gets a text through the outbox when someone joins,
/// one for a bunch (none when someone else joined in the hour before); off by default.
async fn the_inviter_can_be_texted_when_someone_joins(backend: Backend) {
    let options = Options {
        invite_notify_sms: true,
        ..Options::default()
    };
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    let a = app.create_user(A);
    let body = format!(r#"{{"code":"{}"}}"#, a.invite_code);
    let join = |phone: &'static str| {
        let body = body.clone();
        let app = &app;
        async move {
            let token = app.api_token(phone).await;
            let (status, _, json) = app
                .api(
                    reqwest::Method::POST,
                    "/api/v1/me/invite",
                    Some(&body),
                    Some(&token),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{json}");
            app.sms.wait(200);
        }
    };
    let notices = || {
        app.sms
            .messages_to(A)
            .into_iter()
            .filter(|m| m.text.contains("joined user-auth with your invite code"))
            .count()
    };
    join(B).await;
    assert_eq!(notices(), 1, "{:?}", app.sms.messages_to(A));
    app.advance(600);
    join("+998901110005").await;
    assert_eq!(notices(), 1, "one text for a bunch");
    app.advance(3600);
    join("+998901110006").await;
    assert_eq!(notices(), 2, "a quiet hour later, another");
}

/// Off by default: no text.
async fn no_text_when_someone_joins_by_default(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let a = app.create_user(A);
    let token = app.api_token(B).await;
    let body = format!(r#"{{"code":"{}"}}"#, a.invite_code);
    let (status, _, _) = app
        .api(
            reqwest::Method::POST,
            "/api/v1/me/invite",
            Some(&body),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    app.sms.wait(200);
    assert!(app.sms.messages_to(A).is_empty());
}
