//! Entering invite codes on the profile page: every rule, and the invitee list.

use std::sync::Arc;

use reqwest::StatusCode;
use user_auth::{clock::Clock, domain::invite_code::InviteCodeGenerator};

use crate::helpers::{Backend, Options, TestApp, assert_invite_invariants, expect_page, location};

const A: &str = "+998901110001";
const B: &str = "+998901110002";
const C: &str = "+998901110003";

fn code_of(app: &TestApp, phone: &str) -> String {
    app.user(phone).unwrap().invite_code
}

/// A's account, and B's, who entered A's code.
fn a_whose_code_b_entered(app: &TestApp) -> user_auth::domain::account::User {
    let a = app.create_user(A);
    let b = app.create_user(B);
    app.activate(b.id, &a.invite_code);
    a
}

/// `INVITEE_PHONE_DISPLAY=masked`: the person sees the country code and the last two digits
/// of each number that entered their code, on the profile page and through the API alike;
/// staff still see the whole number.
async fn invitee_numbers_can_be_shown_masked(backend: Backend) {
    let options = Options {
        invitee_phones: user_auth::domain::phone::PhoneDisplay::Masked,
        ..Options::default()
    };
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    let a = a_whose_code_b_entered(&app);
    let masked = "+998 •••••••02";

    app.sign_in(A, A).await;
    let profile = app.get_html("/profile").await;
    assert!(
        profile.contains(&format!("<span class=\"invitee-phone\">{masked}</span>")),
        "{profile}"
    );
    assert!(
        !profile.contains("90 111 00 02") && !profile.contains(B),
        "{profile}"
    );

    app.advance(61);
    let token = app.api_token(A).await;
    let (status, _, json) = app
        .api(
            reqwest::Method::GET,
            "/api/v1/me/invitees",
            None,
            Some(&token),
        )
        .await;
    assert!(status.is_success(), "{status} {json}");
    assert_eq!(json["items"][0]["phone"], masked, "{json}");
    assert!(!json.to_string().contains(B), "{json}");

    // the setting is about what people see of each other: staff keep the whole number
    app.sign_out().await;
    app.make_staff(C);
    app.advance(61);
    app.sign_in(C, C).await;
    let person = app.get_html(&format!("/admin/users/{}", a.id)).await;
    assert!(person.contains("+998 90 111 00 02"), "{person}");
}

async fn entering_a_code_records_the_inviter_and_lists_the_invitee(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let a = app.create_user(A);
    app.sign_in(B, B).await;
    let profile = app.get_html("/profile").await;
    assert!(
        profile.contains("action=\"/profile/invite\""),
        "the form is offered"
    );
    assert!(profile.contains("No one has joined with your code yet."));
    let typed = format!("{}-{}", &a.invite_code[..3], &a.invite_code[3..]).to_lowercase();

    let res = app.enter_code(&typed).await;

    assert_eq!(location(&res), "/profile?entered=1");
    let b = app.user(B).unwrap();
    assert_eq!(b.invited_by_id, Some(a.id));
    assert_eq!(b.invited_at, Some(app.clock.now()));
    let profile = app.get_html("/profile?entered=1").await;
    assert!(profile.contains("Code entered."));
    let day = app.clock.now().format("%Y-%m-%d");
    assert!(
        profile.contains(&format!(
            "id=\"entered-code\">{}</strong> · <time datetime=\"{day}\">",
            a.invite_code
        )),
        "the code and the day it was entered: {profile}"
    );
    assert!(
        !profile.contains("action=\"/profile/invite\""),
        "no form once a code is entered"
    );
    assert_eq!(app.user(A).unwrap().invitee_count, 1);

    app.sign_out().await;
    app.advance(61);
    app.sign_in(A, A).await;
    let profile = app.get_html("/profile").await;
    assert!(
        profile.contains("1 person joined with your code."),
        "{profile}"
    );
    // new since A last looked, the first time; then a plain row
    let row = |page: &str| {
        let at = page.find("<ol class=\"invitees\">").expect("the list");
        let li = &page[at..];
        li[..li.find("</li>").expect("a row")].to_owned()
    };
    let first = row(&profile);
    assert!(
        first.contains(&format!(
            "<li class=\"invitee-new\"><span class=\"invitee-phone\">+998 90 111 00 02</span> \
             <time datetime=\"{day}\">"
        )) && first.ends_with("<span class=\"badge\">new</span>"),
        "{first}"
    );
    let profile = app.get_html("/profile").await;
    let again = row(&profile);
    assert!(
        again.contains(&format!(
            "<li><span class=\"invitee-phone\">+998 90 111 00 02</span> <time datetime=\"{day}\">"
        )) && !again.contains("badge"),
        "{again}"
    );
}

async fn each_refusal_has_its_message_and_changes_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.sign_in(A, A).await;
    let own = code_of(&app, A);
    let cases: Vec<(String, StatusCode, &str)> = vec![
        (
            "".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Enter an invite code.",
        ),
        (
            "ZZZZZZ".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "There is no account with this invite code.",
        ),
        (
            own.to_lowercase(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "This is your own invite code.",
        ),
        (
            "ABC".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "An invite code has 6 characters.",
        ),
        (
            "A".repeat(40),
            StatusCode::UNPROCESSABLE_ENTITY,
            "That is too long for an invite code.",
        ),
        (
            "АБВГДЕ".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "only the letters A–Z",
        ),
        (
            "ABCDEU".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "only the letters A–Z",
        ),
        (
            "<b>x</b>".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "only the letters A–Z",
        ),
    ];
    for (typed, status, message) in cases {
        let res = app.enter_code(&typed).await;
        assert_eq!(res.status(), status, "{typed:?}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{typed:?} should say {message:?}");
        assert!(html.contains("aria-invalid=\"true\""));
        assert!(!html.contains("<b>x</b>"), "typed input is escaped");
    }
    let a = app.user(A).unwrap();
    assert_eq!((a.invited_by_id, a.invited_at), (None, None));
}

/// `INVITE_MAX_INVITEES=1`: the second person to enter a code is told why, on the page and
/// through the API, and nothing changes.
async fn a_full_code_is_refused_with_its_reason(backend: Backend) {
    let options = Options {
        limits: user_auth::domain::limits::Limits {
            invitees_per_inviter: Some(1),
            ..Default::default()
        },
        ..Options::default()
    };
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    let a = a_whose_code_b_entered(&app);

    app.sign_in(C, C).await;
    let res = app.enter_code(&a.invite_code).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("This code has been entered by as many people as one code can take."),
        "{html}"
    );
    app.advance(61);
    let token = app.api_token(C).await;
    let body = format!(r#"{{"code":"{}"}}"#, a.invite_code);
    let (status, _, json) = app
        .api(
            reqwest::Method::POST,
            "/api/v1/me/invite",
            Some(&body),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{json}");
    assert_eq!(json["code"], "invite_code_full", "{json}");
    assert_eq!(app.user(C).unwrap().invited_by_id, None);
    assert_eq!(app.user(A).unwrap().invitee_count, 1);
}

async fn a_code_can_be_entered_once_and_never_changed(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let b = app.create_user(B);
    let c = app.create_user(C);
    app.sign_in(A, A).await;
    assert_eq!(
        location(&app.enter_code(&b.invite_code).await),
        "/profile?entered=1"
    );

    let res = app.enter_code(&c.invite_code).await;

    expect_page(
        res,
        StatusCode::CONFLICT,
        "You have already entered an invite code.",
    )
    .await;
    let a = app.user(A).unwrap();
    assert_eq!(a.invited_by_id, Some(b.id));
    assert_eq!(app.user(C).unwrap().invitee_count, 0);
    assert_eq!(app.user(B).unwrap().invitee_count, 1);
}

async fn a_direct_cycle_is_refused(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let a = app.create_user(A);
    let b = app.create_user(B);
    // A entered B's code
    app.activate(a.id, &b.invite_code);
    app.sign_in(B, B).await;

    let res = app.enter_code(&a.invite_code).await;

    expect_page(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "its owner joined through you",
    )
    .await;
    assert_eq!(app.user(B).unwrap().invited_by_id, None);
}

/// Hands out fixed codes, so a test can type look-alike characters.
struct FixedCodes(std::sync::Mutex<Vec<&'static str>>);

impl InviteCodeGenerator for FixedCodes {
    fn generate(&self) -> String {
        self.0
            .lock()
            .unwrap()
            .pop()
            .expect("enough codes")
            .to_owned()
    }
}

async fn look_alike_letters_spaces_and_dashes_are_forgiven(backend: Backend) {
    let codes = FixedCodes(std::sync::Mutex::new(vec!["9Z9Z9Z", "A0B1C1"]));
    let options = Options {
        invite_codes: Arc::new(codes),
        ..Options::default()
    };
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    app.sign_in(A, A).await; // gets A0B1C1
    app.sign_out().await;
    app.sign_in(B, B).await;

    let res = app.enter_code("  a o-b I c l ").await;

    assert_eq!(location(&res), "/profile?entered=1");
    assert_eq!(
        app.user(B).unwrap().invited_by_id,
        Some(app.user(A).unwrap().id)
    );
}

async fn tries_are_limited_per_person(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let real = app.create_user(B);
    app.sign_in(A, A).await;
    for i in 0..10 {
        let res = app.enter_code(&format!("ZZZZ{i:02}")).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "try {i}");
    }

    let res = app.enter_code(&real.invite_code).await;

    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Too many tries. Try again in 60 minutes.")
    );
    assert_eq!(app.user(A).unwrap().invited_by_id, None);
    app.advance(3600);
    assert_eq!(
        location(&app.enter_code(&real.invite_code).await),
        "/profile?entered=1"
    );
}

async fn the_invite_form_needs_a_session_and_a_csrf_token(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let b = app.create_user(B);
    app.get("/login").await;
    let csrf = app.csrf().await;
    let res = app
        .post_form(
            "/profile/invite",
            &[("csrf", &csrf), ("code", &b.invite_code)],
        )
        .await;
    assert_eq!(location(&res), "/login");

    app.sign_in(A, A).await;
    let res = app
        .post_form(
            "/profile/invite",
            &[("csrf", "nope"), ("code", &b.invite_code)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.user(A).unwrap().invited_by_id, None);
}

async fn running_out_of_invite_codes_is_a_clear_503(backend: Backend) {
    struct Always;
    impl InviteCodeGenerator for Always {
        fn generate(&self) -> String {
            "SAME00".into()
        }
    }
    let options = Options {
        invite_codes: Arc::new(Always),
        ..Options::default()
    };
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    app.sign_in(A, A).await;
    app.sign_out().await;
    app.request_code(B).await;

    let res = app.submit_code(&app.last_code(B)).await;

    expect_page(
        res,
        StatusCode::SERVICE_UNAVAILABLE,
        "temporarily unavailable",
    )
    .await;
    assert!(app.user(B).is_none(), "no account with a duplicate code");
    assert_eq!(app.user_count(), 1);
}

fn phone(i: usize) -> String {
    format!("+9989020{i:05}")
}

/// Over the whole table: counts match, nobody invited themselves, and the graph has no cycle.
fn assert_invariants(app: &TestApp) {
    assert_invite_invariants(&mut app.conn());
}

// ---- the invitee list ----------------------------------------------------------------------

/// The invitee phones on a page, in order, and the links to the neighbouring pages.
fn invitee_page(html: &str) -> (Vec<String>, Option<String>, Option<String>) {
    let phones = html
        .split("<span class=\"invitee-phone\">")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().replace(' ', ""))
        .collect();
    let link = |rel: &str| {
        let marker = format!("rel=\"{rel}\"");
        html.split("<a href=\"")
            .skip(1)
            .find(|s| s.split('>').next().unwrap_or("").contains(&marker))
            .map(|s| s.split('"').next().unwrap().to_owned())
    };
    (phones, link("prev"), link("next"))
}

async fn walking_all_pages_shows_every_invitee_once_in_order_even_while_people_join(
    backend: Backend,
) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let owner = app.create_user(A);
    let mut expected = Vec::new();
    for i in 0..120 {
        let u = app.create_user(&phone(i));
        app.activate(u.id, &owner.invite_code);
        expected.push(u.phone);
        // groups of three share a timestamp, so the id breaks ties
        if i % 3 == 2 {
            app.advance(1);
        }
    }
    expected.reverse(); // newest first
    app.sign_in(A, A).await;

    let (first, newer, mut older) = invitee_page(&app.get_html("/profile").await);
    assert_eq!(first.len(), 50);
    assert!(newer.is_none());
    assert!(
        app.get_html("/profile")
            .await
            .contains("120 people joined with your code.")
    );
    let mut seen = first.clone();
    let mut pages = vec![first];
    let mut joined_later = 0;
    let mut last_link = String::new();
    while let Some(link) = older {
        // someone joins between page loads
        let u = app.create_user(&phone(500 + joined_later));
        app.advance(1);
        app.activate(u.id, &owner.invite_code);
        joined_later += 1;
        let (items, newer, next) = invitee_page(&app.get_html(&link).await);
        assert!(newer.is_some(), "a later page links back");
        seen.extend(items.clone());
        pages.push(items);
        older = next;
        last_link = link;
    }
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![50, 50, 20]
    );
    assert_eq!(seen, expected, "each invitee exactly once, newest first");

    // back up from the last page: the newer links lead to the top, late joiners included
    let (items, mut newer, _) = invitee_page(&app.get_html(&last_link).await);
    let mut upwards = vec![items];
    while let Some(link) = newer {
        let (items, prev, _) = invitee_page(&app.get_html(&link).await);
        upwards.push(items);
        newer = prev;
    }
    let walked: Vec<String> = upwards.into_iter().rev().flatten().collect();
    let mut now_expected: Vec<String> = (0..joined_later).rev().map(|i| phone(500 + i)).collect();
    now_expected.extend(expected);
    assert_eq!(walked, now_expected);
}

async fn seeding_fills_accounts_and_invitees_consistently(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let owner = user_auth::domain::phone::PhoneNumber::parse(A, None).unwrap();
    let plan = user_auth::app::seed::SeedPlan {
        users: 1500,
        invitees_of: vec![(owner, 1200)],
    };
    let mut reports = 0;

    let made =
        user_auth::app::seed::seed(&mut app.conn(), &plan, 0, app.clock.now(), |_| reports += 1)
            .unwrap();

    assert_eq!(made, 2700);
    assert!(reports >= 3);
    assert_eq!(app.user_count(), 2701, "the owner was created too");
    assert_eq!(app.user(A).unwrap().invitee_count, 1200);
    assert_invariants(&app);
    // a second run skips taken numbers and still makes the full count
    let again = user_auth::app::seed::SeedPlan {
        users: 100,
        invitees_of: vec![],
    };
    assert_eq!(
        user_auth::app::seed::seed(&mut app.conn(), &again, 0, app.clock.now(), |_| ()).unwrap(),
        100
    );
    assert_eq!(app.user_count(), 2801);
    app.sign_in(A, A).await;
    let (page, _, older) = invitee_page(&app.get_html("/profile").await);
    assert_eq!(page.len(), 50);
    assert!(older.is_some());
}

async fn the_invitee_count_uses_each_languages_plural_forms(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.sign_in(A, A).await;
    let owner = app.user(A).unwrap();
    let mut added = 0;
    for (count, en, ru) in [
        (
            1,
            "1 person joined with your code.",
            "По вашему коду присоединился 1 человек.",
        ),
        (
            3,
            "3 people joined with your code.",
            "По вашему коду присоединились 3 человека.",
        ),
        (
            5,
            "5 people joined with your code.",
            "По вашему коду присоединились 5 человек.",
        ),
        (
            21,
            "21 people joined with your code.",
            "По вашему коду присоединился 21 человек.",
        ),
    ] {
        while added < count {
            let u = app.create_user(&phone(added));
            app.activate(u.id, &owner.invite_code);
            added += 1;
        }
        assert!(
            app.get_html("/profile").await.contains(en),
            "{count} in English"
        );
        let ru_page = app.get_html_in("/profile", "ru").await;
        assert!(ru_page.contains(ru), "{count} in Russian");
    }
}

crate::on_both_backends!(
    invitee_numbers_can_be_shown_masked,
    a_full_code_is_refused_with_its_reason,
    entering_a_code_records_the_inviter_and_lists_the_invitee,
    each_refusal_has_its_message_and_changes_nothing,
    a_code_can_be_entered_once_and_never_changed,
    a_direct_cycle_is_refused,
    look_alike_letters_spaces_and_dashes_are_forgiven,
    tries_are_limited_per_person,
    the_invite_form_needs_a_session_and_a_csrf_token,
    running_out_of_invite_codes_is_a_clear_503,
    walking_all_pages_shows_every_invitee_once_in_order_even_while_people_join,
    seeding_fills_accounts_and_invitees_consistently,
    the_invitee_count_uses_each_languages_plural_forms,
);
