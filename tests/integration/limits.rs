//! Resend cooldown, hourly caps, and the lock after repeated failures.

use reqwest::StatusCode;

use crate::helpers::{Backend, Options, TestApp, expect_page, location, wrong_for};

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

/// Checks `code` for `phone` over the API from `client`.
async fn api_check(
    app: &TestApp,
    client: &reqwest::Client,
    phone: &str,
    code: &str,
) -> reqwest::Response {
    client
        .post(app.url("/api/v1/auth/token"))
        .header("content-type", "application/json")
        .body(format!(r#"{{"phone":"{phone}","code":"{code}"}}"#))
        .send()
        .await
        .unwrap()
}

fn behind_a_proxy() -> Options {
    Options {
        trust_proxy_headers: true,
        ..Options::default()
    }
}

/// A number per index, each with its own prefix (all but the last 4 digits).
fn number(i: usize) -> String {
    format!("+99890{i:03}1234")
}

async fn failures_lock_only_the_failing_address_out_of_the_number(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, behind_a_proxy()).await else {
        return;
    };
    let attacker = app.browser_at("203.0.113.5");
    let mut last = None;
    // 3 + 3 + 3 + 1 wrong tries over four codes
    for tries in [3, 3, 3, 1] {
        app.request_code_with(&attacker, PHONE).await;
        let right = app.last_code(PHONE);
        for _ in 0..tries {
            last = Some(app.submit_code_with(&attacker, wrong_for(&right)).await);
        }
        app.advance(61);
    }
    let locked = "Too many wrong codes for this number from your network.";
    expect_page(last.unwrap(), StatusCode::TOO_MANY_REQUESTS, locked).await;
    let res = app.request_code_with(&attacker, PHONE).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&res) <= 3600);
    expect_page(res, StatusCode::TOO_MANY_REQUESTS, locked).await;
    assert_eq!(app.sms.messages_to(PHONE).len(), 4);

    // the owner, elsewhere, is not locked: a code (now long), and in
    let owner = app.browser_at("198.51.100.7");
    assert_eq!(
        location(&app.request_code_with(&owner, PHONE).await),
        "/login/code"
    );
    let code = app.last_code(PHONE);
    assert_eq!(
        code.len(),
        8,
        "the number's short codes drew three wrong guesses"
    );
    let res = app.submit_code_with(&owner, &code).await;
    assert_eq!(location(&res), "/profile");
    assert_eq!(app.user_count(), 1);
}

async fn an_attack_from_many_addresses_leaves_the_owner_signing_in(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, behind_a_proxy()).await else {
        return;
    };
    // four codes, each asked for from one address and guessed at from three others
    let mut lengths = Vec::new();
    for round in 0..4 {
        let asker = app.browser_at(&format!("203.0.{round}.1"));
        app.request_code_with(&asker, PHONE).await;
        let right = app.last_code(PHONE);
        lengths.push(right.len());
        for guesser in 0..3 {
            let client = app.browser_at(&format!("203.0.{round}.{}", 10 + guesser));
            let res = api_check(&app, &client, PHONE, wrong_for(&right)).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        app.advance(61);
    }
    assert_eq!(
        lengths,
        [4, 8, 8, 8],
        "long codes once three short guesses failed"
    );
    assert_eq!(app.rows().2, 12, "every failed check is recorded");

    let owner = app.browser_at("198.51.100.7");
    app.request_code_with(&owner, PHONE).await;
    let res = app.submit_code_with(&owner, &app.last_code(PHONE)).await;
    assert_eq!(location(&res), "/profile", "the owner signs in");

    // a day later the number's codes are short again
    app.advance(24 * 3600);
    let res = app
        .request_code_with(&app.browser_at("198.51.100.7"), PHONE)
        .await;
    assert_eq!(location(&res), "/login/code");
    assert_eq!(app.last_code(PHONE).len(), 4);
}

async fn wrong_checks_from_one_address_stop_at_thirty_an_hour_and_write_nothing_more(
    backend: Backend,
) {
    let Some(app) = TestApp::spawn_with(backend, behind_a_proxy()).await else {
        return;
    };
    let api = app.browser_at("203.0.113.9");
    let mut statuses = Vec::new();
    // many numbers, none with a code: each check fails
    for i in 0..60 {
        let res = api_check(&app, &api, &number(i), "1234").await;
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses[..30], [422; 30]);
    assert_eq!(statuses[30..], [429; 30]);
    let rows = app.rows();
    assert_eq!((rows.0, rows.2), (30, 30), "refused checks write no row");
    // the page shares the limit
    let web = app.browser_at("203.0.113.9");
    app.request_code_with(&web, PHONE).await;
    let res = app.submit_code_with(&web, &app.last_code(PHONE)).await;
    expect_page(
        res,
        StatusCode::TOO_MANY_REQUESTS,
        "Too many wrong codes were entered from your network.",
    )
    .await;
    // another address is not limited
    let other = app.browser_at("203.0.113.10");
    let res = api_check(&app, &api, &number(0), "1234").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    app.advance(61);
    app.request_code_with(&other, PHONE).await;
    let res = app.submit_code_with(&other, &app.last_code(PHONE)).await;
    assert_eq!(location(&res), "/profile");
}

async fn two_hundred_people_behind_one_address_all_sign_in(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, behind_a_proxy()).await else {
        return;
    };
    for i in 0..200 {
        let person = app.browser_at("100.64.0.1");
        let phone = number(i);
        let asked = app.request_code_with(&person, &phone).await;
        assert_eq!(location(&asked), "/login/code", "person {i} asks");
        let res = app.submit_code_with(&person, &app.last_code(&phone)).await;
        assert_eq!(location(&res), "/profile", "person {i} signs in");
        app.advance(10);
    }
    assert_eq!(app.user_count(), 200);
}

async fn one_ipv6_64_is_one_network(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, behind_a_proxy()).await else {
        return;
    };
    let mut statuses = Vec::new();
    for i in 0..40 {
        let browser = app.browser_at(&format!("2001:db8:1:2::{i:x}"));
        statuses.push(app.request_code_with(&browser, &number(i)).await.status());
    }
    assert!(statuses[..20].iter().all(|s| *s == StatusCode::SEE_OTHER));
    assert!(
        statuses[20..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS)
    );
    assert_eq!(app.sms.messages().len(), 20);
    assert_eq!(app.rows().0, 20, "a refused request writes no row");
    let elsewhere = app.browser_at("2001:db8:1:3::1");
    let res = app.request_code_with(&elsewhere, &number(99)).await;
    assert_eq!(
        location(&res),
        "/login/code",
        "the next /64 is another network"
    );
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
        post(number(i), "203.0.113.9, 198.51.100.1").await;
    }
    let refused = post(number(20), "203.0.113.9, 198.51.100.1").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);

    // the proxy appends the real client last: another client is not limited
    let other = post(number(21), "198.51.100.2").await;
    assert_eq!(location(&other), "/login/code");
}

async fn a_client_written_forwarded_entry_is_never_believed(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, behind_a_proxy()).await else {
        return;
    };
    // the proxy appended something that is not an address after the client's own entry: the
    // client is the socket peer, whatever it wrote
    let mut statuses = Vec::new();
    for i in 0..21 {
        let browser = app.browser_at(&format!("1.1.1.{i}, unknown"));
        statuses.push(app.request_code_with(&browser, &number(i)).await.status());
    }
    assert!(statuses[..20].iter().all(|s| *s == StatusCode::SEE_OTHER));
    assert_eq!(statuses[20], StatusCode::TOO_MANY_REQUESTS);
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
    failures_lock_only_the_failing_address_out_of_the_number,
    an_attack_from_many_addresses_leaves_the_owner_signing_in,
    wrong_checks_from_one_address_stop_at_thirty_an_hour_and_write_nothing_more,
    two_hundred_people_behind_one_address_all_sign_in,
    one_ipv6_64_is_one_network,
    a_client_written_forwarded_entry_is_never_believed,
    failures_are_counted_across_codes_but_reset_by_a_sign_in,
    behind_a_trusted_proxy_the_forwarded_address_is_the_client,
    without_trust_the_forwarded_header_is_ignored,
);
