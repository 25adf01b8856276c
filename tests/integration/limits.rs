//! Resend cooldown, hourly caps, and the lock after repeated failures.

use reqwest::StatusCode;

use crate::helpers::{Backend, TestApp, expect_page, location, wrong_for};

const PHONE: &str = "+998901234567";

fn retry_after(res: &reqwest::Response) -> i64 {
    res.headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After header")
}

async fn resend_before_the_cooldown_is_refused_with_the_seconds_left(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.request_code(PHONE).await;
    let page = app.get_html("/login/code").await;
    assert!(
        page.contains("You can ask for a new code in 60 seconds."),
        "{page}"
    );
    assert!(page.contains("disabled"));

    app.advance(25);
    let res = app.resend().await;

    assert_eq!(location(&res), "/login/code");
    assert_eq!(app.sms.messages_to(PHONE).len(), 1, "no second message");
    assert!(app.get_html("/login/code").await.contains("in 35 seconds."));
    // the phone form itself cannot get round the cooldown either
    assert_eq!(location(&app.request_code(PHONE).await), "/login/code");
    assert_eq!(app.sms.messages_to(PHONE).len(), 1);

    app.advance(35);
    assert_eq!(location(&app.resend().await), "/login/code?sent=1");
    assert_eq!(app.sms.messages_to(PHONE).len(), 2);
    let page = app.get_html("/login/code?sent=1").await;
    assert!(page.contains("We sent you a new code."));
}

async fn a_phone_gets_at_most_five_codes_an_hour(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    for _ in 0..5 {
        assert_eq!(location(&app.request_code(PHONE).await), "/login/code");
        app.advance(61);
    }

    let res = app.request_code(PHONE).await;

    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&res);
    assert!((3600 - 5 * 61..=3600).contains(&wait), "{wait}");
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Too many codes were sent to this number."),
        "{html}"
    );
    assert!(html.contains("Try again in 55 minutes."), "{html}");
    assert_eq!(app.sms.messages_to(PHONE).len(), 5);

    app.advance(wait);
    assert_eq!(location(&app.request_code(PHONE).await), "/login/code");
    assert_eq!(app.sms.messages_to(PHONE).len(), 6);
}

async fn a_client_ip_gets_at_most_twenty_codes_an_hour(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    for i in 0..20 {
        let phone = format!("+9989012345{i:02}");
        assert_eq!(
            location(&app.request_code(&phone).await),
            "/login/code",
            "{phone}"
        );
    }

    let res = app.request_code("+998901234599").await;

    expect_page(
        res,
        StatusCode::TOO_MANY_REQUESTS,
        "Too many codes were requested from your network.",
    )
    .await;
    assert_eq!(app.sms.messages().len(), 20);
    app.advance(3600);
    assert_eq!(
        location(&app.request_code("+998901234599").await),
        "/login/code"
    );
}

async fn ten_failures_lock_the_phone_for_an_hour_and_a_new_code_does_not_help(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let mut failures = 0;
    let mut last = None;
    // 3 + 3 + 3 + 1 wrong tries over four codes
    for tries in [3, 3, 3, 1] {
        app.request_code(PHONE).await;
        let right = app.last_code(PHONE);
        for _ in 0..tries {
            last = Some(app.submit_code(wrong_for(&right)).await);
            failures += 1;
        }
        app.advance(61);
    }
    assert_eq!(failures, 10);
    let res = last.unwrap();
    expect_page(
        res,
        StatusCode::TOO_MANY_REQUESTS,
        "Sign-in for this number is paused.",
    )
    .await;

    // a new code is refused, and the code still open does not work either
    let unlocked_code = app.last_code(PHONE);
    let res = app.request_code(PHONE).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&res) <= 3600);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Sign-in for this number is paused.")
    );
    assert_eq!(app.sms.messages_to(PHONE).len(), 4);
    let res = app.submit_code(&unlocked_code).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.user_count(), 0);

    app.advance(3600);
    app.sign_in(PHONE, PHONE).await;
    assert_eq!(app.user_count(), 1);
}

async fn failures_are_counted_across_codes_but_reset_by_a_sign_in(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // nine failures, then a sign-in: the run is over
    for tries in [3, 3, 3] {
        app.request_code(PHONE).await;
        let right = app.last_code(PHONE);
        for _ in 0..tries {
            app.submit_code(wrong_for(&right)).await;
        }
        app.advance(61);
    }
    app.sign_in(PHONE, PHONE).await;
    app.sign_out().await;
    app.advance(3600);

    app.request_code(PHONE).await;
    let right = app.last_code(PHONE);
    let res = app.submit_code(wrong_for(&right)).await;

    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "one failure after a sign-in does not lock"
    );
}

async fn behind_a_trusted_proxy_the_forwarded_address_is_the_client(backend: Backend) {
    let options = crate::helpers::Options {
        trust_proxy_headers: true,
        ..Default::default()
    };
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    let csrf = app.csrf().await;
    let post = |phone: String, forwarded: &'static str| {
        let csrf = csrf.clone();
        let req = app
            .client
            .post(app.url("/login"))
            .header("x-forwarded-for", forwarded)
            .form(&[("csrf", csrf), ("phone", phone)]);
        async move { req.send().await.unwrap() }
    };
    for i in 0..20 {
        post(format!("+9989012345{i:02}"), "203.0.113.9, 198.51.100.1").await;
    }
    let refused = post("+998901234590".into(), "203.0.113.9, 198.51.100.1").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);

    // the proxy appends the real client last: another client is not limited
    let other = post("+998901234591".into(), "198.51.100.2").await;
    assert_eq!(location(&other), "/login/code");
}

async fn without_trust_the_forwarded_header_is_ignored(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let csrf = app.csrf().await;
    for i in 0..21 {
        let res = app
            .client
            .post(app.url("/login"))
            .header("x-forwarded-for", format!("198.51.100.{i}"))
            .form(&[
                ("csrf", csrf.clone()),
                ("phone", format!("+9989012345{i:02}")),
            ])
            .send()
            .await
            .unwrap();
        let expected = if i < 20 {
            StatusCode::SEE_OTHER
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(res.status(), expected, "request {i}");
    }
}

crate::on_both_backends!(
    resend_before_the_cooldown_is_refused_with_the_seconds_left,
    a_phone_gets_at_most_five_codes_an_hour,
    a_client_ip_gets_at_most_twenty_codes_an_hour,
    ten_failures_lock_the_phone_for_an_hour_and_a_new_code_does_not_help,
    failures_are_counted_across_codes_but_reset_by_a_sign_in,
    behind_a_trusted_proxy_the_forwarded_address_is_the_client,
    without_trust_the_forwarded_header_is_ignored,
);
