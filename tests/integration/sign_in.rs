//! Signing in: codes, accounts, phone parsing.

use std::sync::Arc;

use reqwest::StatusCode;
use user_auth::domain::invite_code::{self as invites, InviteCodeGenerator};

use crate::helpers::{Backend, Options, TestApp, expect_page, location, wrong_for};

const PHONE: &str = "+998901234567";

async fn first_sign_in_creates_the_user_with_an_invite_code(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    assert_eq!(app.user_count(), 0);

    app.sign_in("+998 90 123-45-67", PHONE).await;

    let user = app.user(PHONE).expect("the account exists");
    assert!(
        invites::is_well_formed(&user.invite_code),
        "{}",
        user.invite_code
    );
    assert!(user.is_active && !user.is_staff && user.invited_by_id.is_none());
    assert!(user.last_login.is_some());
    let profile = app.get_html("/profile").await;
    assert!(profile.contains(&user.invite_code));
    assert!(profile.contains("+998 90 123 45 67"));
}

async fn second_sign_in_finds_the_same_user(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.sign_in(PHONE, PHONE).await;
    let first = app.user(PHONE).unwrap();
    app.sign_out().await;
    app.advance(61);

    app.sign_in(PHONE, PHONE).await;

    let second = app.user(PHONE).unwrap();
    assert_eq!(app.user_count(), 1);
    assert_eq!(first.id, second.id);
    assert_eq!(first.invite_code, second.invite_code);
}

async fn a_wrong_code_is_rejected(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.request_code(PHONE).await;
    let right = app.last_code(PHONE);
    let wrong = wrong_for(&right);

    let res = app.submit_code(wrong).await;

    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("That code is not right. You have 2 more tries."),
        "{html}"
    );
    assert!(html.contains("aria-invalid=\"true\""));
    assert_eq!(app.get("/profile").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.user_count(), 0);
}

async fn fourth_try_is_rejected_even_with_the_right_code(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.request_code(PHONE).await;
    let right = app.last_code(PHONE);
    let wrong = wrong_for(&right);
    for _ in 0..2 {
        assert_eq!(
            app.submit_code(wrong).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let third = app.submit_code(wrong).await.text().await.unwrap();
    assert!(third.contains("Ask for a new code"), "{third}");

    let res = app.submit_code(&right).await;

    expect_page(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "This code can no longer be used",
    )
    .await;
    assert_eq!(app.user_count(), 0);
}

async fn an_expired_code_is_rejected(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.request_code(PHONE).await;
    let code = app.last_code(PHONE);

    app.advance(5 * 60);
    let res = app.submit_code(&code).await;

    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("This code has expired"));
    assert_eq!(app.user_count(), 0);
}

async fn a_code_works_until_just_before_it_expires(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.request_code(PHONE).await;
    let code = app.last_code(PHONE);

    app.advance(5 * 60 - 1);
    let res = app.submit_code(&code).await;

    assert_eq!(location(&res), "/profile");
}

async fn a_new_code_invalidates_the_previous_one(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.request_code(PHONE).await;
    let first = app.last_code(PHONE);
    app.advance(61);
    assert_eq!(location(&app.resend().await), "/login/code?sent=1");
    let second = app.last_code(PHONE);
    assert_eq!(app.sms.messages_to(PHONE).len(), 2);

    if first != second {
        let res = app.submit_code(&first).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let res = app.submit_code(&second).await;

    assert_eq!(location(&res), "/profile");
}

async fn bad_phones_get_a_form_error_and_no_code(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let thirty_digits = format!("+{}", "9".repeat(30));
    let cases: &[(&str, &str)] = &[
        ("", "Enter your phone number."),
        ("   ", "Enter your phone number."),
        ("call me", "may contain only digits"),
        ("+998 90 ABC 45 67", "may contain only digits"),
        ("+", "not a valid phone number"),
        ("+12", "not a valid phone number"),
        (&thirty_digits, "too long for a phone number"),
        ("+٩٩٨٩٠١٢٣٤٥٦٧", "may contain only digits"),
        ("+1 555 000 0000", "not a valid phone number"),
        (
            "90 123 45 67",
            "Start the number with + and the country code",
        ),
    ];
    for (input, message) in cases {
        let res = app.request_code(input).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{input:?}");
        let html = res.text().await.unwrap();
        assert!(
            html.contains(message),
            "{input:?} should say {message:?}:\n{html}"
        );
        assert!(html.contains("class=\"error-summary\""));
    }
    assert!(app.sms.messages().is_empty());
    assert_eq!(app.login_code_count(), 0);
}

async fn numbers_that_receive_no_texts_or_of_other_regions_get_no_code(backend: Backend) {
    let options = Options {
        allowed_regions: Some(&["UZ", "KZ"]),
        ..Options::default()
    };
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    let cannot = "This number cannot receive text messages.";
    let elsewhere = "We do not send codes to numbers of this country.";
    for (input, message) in [
        ("+998 71 123 45 67", cannot),
        ("+44 909 876 5432", cannot),
        ("+44 7400 123456", elsewhere),
        ("+7 912 345 67 89", elsewhere),
    ] {
        let res = app.request_code(input).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{input}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{input}: {html}");
    }
    let (status, _, json) = app
        .api(
            reqwest::Method::POST,
            "/api/v1/auth/code",
            Some(r#"{"phone":"+44 7400 123456"}"#),
            None,
        )
        .await;
    assert_eq!(
        (status.as_u16(), json["code"].as_str()),
        (422, Some("phone_invalid"))
    );
    assert!(app.sms.messages().is_empty());
    assert_eq!(
        location(&app.request_code("+7 701 123 45 67").await),
        "/login/code"
    );
}

async fn a_national_number_uses_the_default_region(backend: Backend) {
    let options = Options {
        region: Some("UZ"),
        ..Options::default()
    };
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    assert!(
        app.get_html("/login")
            .await
            .contains("For example 91 234 56 78")
    );

    app.sign_in("90 123 45 67", PHONE).await;

    assert_eq!(app.user(PHONE).unwrap().phone, PHONE);
}

/// Gives out codes that are already taken, then a fresh one.
struct CollidingCodes {
    calls: std::sync::atomic::AtomicUsize,
}

impl InviteCodeGenerator for CollidingCodes {
    fn generate(&self) -> String {
        let n = self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if n < 3 {
            "AAAAAA".to_owned()
        } else {
            format!("BBBBB{n}")
        }
    }
}

async fn a_taken_invite_code_is_drawn_again(backend: Backend) {
    let options = Options {
        invite_codes: Arc::new(CollidingCodes {
            calls: Default::default(),
        }),
        ..Options::default()
    };
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    app.sign_in(PHONE, PHONE).await;
    app.sign_out().await;

    app.sign_in("+998901234568", "+998901234568").await;

    assert_eq!(app.user(PHONE).unwrap().invite_code, "AAAAAA");
    assert_eq!(app.user("+998901234568").unwrap().invite_code, "BBBBB3");
}

/// The request answers as soon as the code and its message are stored; the server's worker
/// sends it, and tries again after a failure until the provider takes it.
async fn a_failing_provider_holds_no_request_and_the_code_arrives_later(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.sms.set_failing(true);

    let res = app.request_code(PHONE).await;

    assert_eq!(location(&res), "/login/code");
    assert!(app.sms.messages_to(PHONE).is_empty());
    app.sms.set_failing(false);
    app.advance(2);
    let messages = app.sms.messages_to(PHONE);
    assert_eq!(messages.len(), 1, "sent once, on the next try");
    let res = app.submit_code(&app.last_code(PHONE)).await;
    assert_eq!(location(&res), "/profile");
}

/// With the site's origin known, the text ends with the line that lets browsers (WebOTP) and
/// iOS offer the code on this site, and the code field asks for a one-time code.
async fn the_text_names_the_site_so_the_browser_can_fill_the_code_in(backend: Backend) {
    let Some(app) = TestApp::spawn_with(
        backend,
        crate::helpers::Options {
            public_origin: Some("https://auth.example.uz"),
            ..Default::default()
        },
    )
    .await
    else {
        return;
    };

    app.request_code(PHONE).await;

    let code = app.last_code(PHONE);
    let text = &app.sms.messages_to(PHONE)[0].text;
    assert!(
        text.ends_with(&format!("\n\n@auth.example.uz #{code}")),
        "{text:?}"
    );
    let page = app.get_html("/login/code").await;
    assert!(page.contains(r#"autocomplete="one-time-code""#));
    assert_eq!(location(&app.submit_code(&code).await), "/profile");
}

/// A test number signs in with its fixed code, which is never sent, until its end date; every
/// other rule holds for it, and staff see it marked.
async fn a_test_number_signs_in_with_its_fixed_code_until_its_day(backend: Backend) {
    let start = chrono::NaiveDate::from_ymd_opt(2027, 1, 30)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap();
    let Some(app) = TestApp::spawn_with(
        backend,
        crate::helpers::Options {
            test_numbers: Some("+998901234567:246810:2027-01-31"),
            clock_start: Some(start),
            ..Default::default()
        },
    )
    .await
    else {
        return;
    };

    let res = app.request_code(PHONE).await;

    assert_eq!(location(&res), "/login/code");
    assert!(app.sms.messages_to(PHONE).is_empty(), "never sent");
    use diesel::prelude::*;
    let rows: i64 = user_auth::db::schema::sms_messages::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(rows, 0, "nothing in the outbox");
    // a wrong guess is a wrong guess
    let res = app.submit_code("135790").await;
    expect_page(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "You have 2 more tries.",
    )
    .await;
    assert_eq!(location(&app.submit_code("246810").await), "/profile");
    let staff = app.make_staff("+998901234599");
    let me = app.user(PHONE).unwrap();
    let (browser, _) = app.new_browser();
    app.sign_in_with(&browser, &staff.phone).await;
    let page = browser
        .get(app.url(&format!("/admin/users/{}", me.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("signs in with a fixed code, never sent, until 31 January 2027"));
    assert!(!page.contains("246810"), "the code is not shown");

    // after its day it is a number like any other
    app.advance(2 * 24 * 3600);
    let (other, _) = app.new_browser();
    app.request_code_with(&other, PHONE).await;
    let sent = app.sms.messages_to(PHONE);
    assert_eq!(sent.len(), 1, "a code is sent again");
    let res = app.submit_code_with(&other, "246810").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn requesting_a_code_answers_the_same_for_known_and_unknown_phones(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let known = "+998901234567";
    let unknown = "+998901234568";
    app.sign_in(known, known).await;
    app.sign_out().await;
    app.advance(61);

    let mut answers = Vec::new();
    for phone in [known, unknown] {
        let (client, _) = app.new_browser();
        let page = client
            .get(app.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = crate::helpers::csrf_from(&page);
        let res = client
            .post(app.url("/login"))
            .form(&[("csrf", csrf.as_str()), ("phone", phone)])
            .send()
            .await
            .unwrap();
        let status = res.status();
        let location = location(&res);
        let code_page = client
            .get(app.url("/login/code"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let code_page = code_page
            .replace(&crate::helpers::csrf_from(&code_page), "TOKEN")
            .replace(&user_auth::domain::phone::display_e164(phone), "PHONE");
        answers.push((status, location, code_page));
    }

    assert_eq!(answers[0], answers[1]);
    assert_eq!(app.sms.messages_to(unknown).len(), 1);
    assert_eq!(app.user_count(), 1, "asking for a code creates no account");
}

crate::on_both_backends!(
    numbers_that_receive_no_texts_or_of_other_regions_get_no_code,
    first_sign_in_creates_the_user_with_an_invite_code,
    second_sign_in_finds_the_same_user,
    a_wrong_code_is_rejected,
    fourth_try_is_rejected_even_with_the_right_code,
    an_expired_code_is_rejected,
    a_code_works_until_just_before_it_expires,
    a_new_code_invalidates_the_previous_one,
    bad_phones_get_a_form_error_and_no_code,
    a_national_number_uses_the_default_region,
    a_taken_invite_code_is_drawn_again,
    a_failing_provider_holds_no_request_and_the_code_arrives_later,
    the_text_names_the_site_so_the_browser_can_fill_the_code_in,
    a_test_number_signs_in_with_its_fixed_code_until_its_day,
    requesting_a_code_answers_the_same_for_known_and_unknown_phones,
);
