//! Sessions, sign-out, CSRF and the cross-site guard.

use reqwest::StatusCode;

use crate::helpers::{Backend, Options, TestApp, csrf_from, location};

const PHONE: &str = "+998901234567";

async fn the_session_cookie_changes_at_sign_in(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.request_code(PHONE).await;
    let before = app
        .session_cookie()
        .expect("an anonymous session for the forms");

    app.submit_code(&app.last_code(PHONE)).await;

    let after = app.session_cookie().expect("a signed-in session");
    assert_ne!(before, after);
    // the old cookie is not signed in
    let (old, jar) = app.new_browser();
    jar.add_cookie_str(
        &format!(
            "{}={before}; Path=/",
            user_auth::http::web::session::SESSION_COOKIE
        ),
        &app.address.parse().unwrap(),
    );
    let res = old.get(app.url("/profile")).send().await.unwrap();
    assert_eq!(location(&res), "/login");
}

async fn a_copy_of_a_signed_out_cookie_no_longer_opens_the_profile(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.sign_in(PHONE, PHONE).await;
    let copied = app.session_cookie().unwrap();
    assert_eq!(app.session_count(), 1);

    let res = app.sign_out().await;

    assert_eq!(location(&res), "/login");
    assert_eq!(app.session_count(), 0);
    let (thief, jar) = app.new_browser();
    jar.add_cookie_str(
        &format!(
            "{}={copied}; Path=/",
            user_auth::http::web::session::SESSION_COOKIE
        ),
        &app.address.parse().unwrap(),
    );
    let res = thief.get(app.url("/profile")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login");
}

async fn signing_in_again_in_the_same_browser_ends_the_earlier_session(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.sign_in(PHONE, PHONE).await;
    let earlier = app.session_cookie().unwrap();
    app.advance(61);

    // the sign-in form is still there to post to
    app.sign_in(PHONE, PHONE).await;

    assert_eq!(app.session_count(), 1, "the earlier session's row is gone");
    assert_eq!(app.get("/profile").await.status(), StatusCode::OK);
    let (copy, jar) = app.new_browser();
    jar.add_cookie_str(
        &format!(
            "{}={earlier}; Path=/",
            user_auth::http::web::session::SESSION_COOKIE
        ),
        &app.address.parse().unwrap(),
    );
    let res = copy.get(app.url("/profile")).send().await.unwrap();
    assert_eq!(location(&res), "/login");
}

async fn a_secure_site_sends_a_host_prefixed_cookie_and_hsts(backend: Backend) {
    for secure in [true, false] {
        let options = Options {
            cookie_secure: secure,
            ..Options::default()
        };
        let Some(app) = TestApp::spawn_with(backend, options).await else {
            return;
        };
        let res = app.get("/login").await;
        let hsts = res
            .headers()
            .get("strict-transport-security")
            .map(|v| v.to_str().unwrap().to_owned());
        let cookie = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.contains("user_auth_session="))
            .expect("a session cookie for the form");
        if secure {
            assert_eq!(hsts.as_deref(), Some("max-age=31536000"));
            assert!(
                cookie.starts_with("__Host-user_auth_session=")
                    && cookie.contains("; Secure")
                    && cookie.contains("; Path=/")
                    && cookie.contains("; HttpOnly")
                    && !cookie.contains("Domain"),
                "{cookie}"
            );
            // the API and the error pages carry it too
            for path in ["/api/v1/me", "/nowhere"] {
                let res = app.get(path).await;
                assert!(
                    res.headers().contains_key("strict-transport-security"),
                    "{path}"
                );
            }
        } else {
            assert_eq!(hsts, None);
            assert!(cookie.starts_with("user_auth_session="), "{cookie}");
            assert!(!cookie.contains("Secure"), "{cookie}");
        }
    }
}

async fn the_profile_without_a_session_redirects_to_login(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let res = app.get("/profile").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login");
    assert_eq!(location(&app.get("/").await), "/login");
    app.sign_in(PHONE, PHONE).await;
    assert_eq!(location(&app.get("/").await), "/profile");
    assert_eq!(location(&app.get("/login").await), "/profile");
}

async fn a_session_expires_after_fourteen_days(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.sign_in(PHONE, PHONE).await;
    app.advance(14 * 24 * 3600 - 60);
    assert_eq!(app.get("/profile").await.status(), StatusCode::OK);

    app.advance(60);

    assert_eq!(location(&app.get("/profile").await), "/login");
    assert_eq!(app.session_count(), 0);
}

async fn a_missing_or_wrong_csrf_token_is_refused_and_changes_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.get("/login").await;

    let zeros = "0".repeat(64);
    for fields in [
        vec![("phone", PHONE)],
        vec![("csrf", zeros.as_str()), ("phone", PHONE)],
    ] {
        let res = app.post_form("/login", &fields).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("The form expired or came from somewhere else."),
            "{html}"
        );
    }
    assert!(app.sms.messages().is_empty());
    assert_eq!(app.login_code_count(), 0);

    // a code form with a bad token does not use up a try
    app.request_code(PHONE).await;
    let code = app.last_code(PHONE);
    let res = app
        .post_form("/login/code", &[("csrf", "bad"), ("code", &code)])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.post_form("/logout", &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.post_form("/lang", &[("lang", "ru")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // a token from another browser's session is no good either
    let (other, _) = app.new_browser();
    let foreign = csrf_from(
        &other
            .get(app.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    let res = app
        .post_form("/login/code", &[("csrf", &foreign), ("code", &code)])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    assert_eq!(location(&app.submit_code(&code).await), "/profile");
    let res = app.post_form("/logout", &[("csrf", "bad")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.session_count(),
        1,
        "a refused sign-out signs nobody out"
    );
}

async fn a_cross_site_post_is_refused_before_any_handler(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let csrf = app.csrf().await;

    let res = app
        .client
        .post(app.url("/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("csrf", csrf.as_str()), ("phone", PHONE)])
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(app.sms.messages().is_empty());
    // a same-origin one with the same token goes through
    let res = app
        .client
        .post(app.url("/login"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("csrf", csrf.as_str()), ("phone", PHONE)])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login/code");
}

async fn session_cookie_flags_are_strict(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let res = app.get("/login").await;
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(user_auth::http::web::session::SESSION_COOKIE))
        .expect("a session cookie")
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Max-Age=1209600"), "{cookie}");
    assert!(!cookie.contains(PHONE));
}

async fn the_session_row_records_the_client_and_is_touched_at_most_every_five_minutes(
    backend: Backend,
) {
    use diesel::prelude::*;
    use user_auth::db::schema::sessions;
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.sign_in(PHONE, PHONE).await;
    let read = || {
        sessions::table
            .select((
                sessions::created_at,
                sessions::last_seen_at,
                sessions::ip,
                sessions::user_agent,
            ))
            .first::<(
                chrono::NaiveDateTime,
                chrono::NaiveDateTime,
                Option<String>,
                Option<String>,
            )>(&mut app.conn())
            .unwrap()
    };
    let (created, seen, ip, _agent) = read();
    assert_eq!(created, seen);
    assert_eq!(ip.as_deref(), Some("127.0.0.1"));

    app.advance(299);
    app.get("/profile").await;
    assert_eq!(read().1, seen, "not written within five minutes");

    app.advance(1);
    app.get("/profile").await;
    assert_eq!(read().1, seen + chrono::TimeDelta::seconds(300));
}

crate::on_both_backends!(
    signing_in_again_in_the_same_browser_ends_the_earlier_session,
    a_secure_site_sends_a_host_prefixed_cookie_and_hsts,
    the_session_row_records_the_client_and_is_touched_at_most_every_five_minutes,
    the_session_cookie_changes_at_sign_in,
    a_copy_of_a_signed_out_cookie_no_longer_opens_the_profile,
    the_profile_without_a_session_redirects_to_login,
    a_session_expires_after_fourteen_days,
    a_missing_or_wrong_csrf_token_is_refused_and_changes_nothing,
    a_cross_site_post_is_refused_before_any_handler,
    session_cookie_flags_are_strict,
);
