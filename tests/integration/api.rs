//! The JSON API: every endpoint, its errors as problem documents, tokens, shared limits, and
//! the OpenAPI description.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{Backend, TestApp, wrong_for};

const PHONE: &str = "+998901234567";
const OTHER: &str = "+998901234568";

type Answer = (StatusCode, reqwest::header::HeaderMap, Value);

/// Asserts a problem document with this status and code.
fn problem(answer: &Answer, want: StatusCode, code: &str) {
    let (status, headers, json) = answer;
    assert_eq!(*status, want, "{json}");
    assert_eq!(
        headers["content-type"], "application/problem+json",
        "{json}"
    );
    assert_eq!(json["code"], code, "{json}");
    assert_eq!(json["status"], want.as_u16(), "{json}");
    assert_eq!(json["type"], format!("urn:user-auth:problem:{code}"));
    assert!(
        json["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{json}"
    );
    assert!(
        json["detail"].as_str().is_some_and(|t| !t.is_empty()),
        "{json}"
    );
}

/// `POST /api/v1/auth/code` for `phone`.
async fn ask_code(app: &TestApp, phone: &str) -> Answer {
    let body = phone_body(phone);
    app.api(Method::POST, "/api/v1/auth/code", Some(&body), None)
        .await
}

/// `POST /api/v1/auth/token` with `phone` and `code`.
async fn ask_token(app: &TestApp, phone: &str, code: &str) -> Answer {
    let body = token_body(phone, code);
    app.api(Method::POST, "/api/v1/auth/token", Some(&body), None)
        .await
}

fn phone_body(phone: &str) -> String {
    format!(r#"{{"phone":"{phone}"}}"#)
}

fn token_body(phone: &str, code: &str) -> String {
    format!(r#"{{"phone":"{phone}","code":"{code}"}}"#)
}

async fn signing_in_over_the_api_gives_a_token_that_works(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (status, _, json) = ask_code(&app, PHONE).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(
        json,
        serde_json::json!({"retry_after_seconds": 60, "expires_in_seconds": 300})
    );

    let body = token_body(PHONE, &app.last_code(PHONE));
    let (status, _, json) = app
        .api(Method::POST, "/api/v1/auth/token", Some(&body), None)
        .await;

    assert_eq!(status, StatusCode::OK, "{json}");
    let token = json["token"].as_str().unwrap();
    assert_eq!(token.len(), 64);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(json["token_type"], "Bearer");
    let expires: chrono::DateTime<chrono::Utc> =
        json["expires_at"].as_str().unwrap().parse().unwrap();
    let now = user_auth::clock::Clock::now(&app.clock).and_utc();
    assert_eq!(expires - now, chrono::TimeDelta::days(30));
    let user = app.user(PHONE).unwrap();
    assert_eq!(json["user"]["invite_code"], user.invite_code);
    assert_eq!(json["user"]["phone"], PHONE);
    assert_eq!(json["user"]["entered_code"], Value::Null);

    let (status, _, me) = app.api(Method::GET, "/api/v1/me", None, Some(token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me, json["user"]);
    assert_eq!(me["invitee_count"], 0);
    assert!(me["date_joined"].as_str().unwrap().ends_with('Z'));
}

async fn asking_for_a_code_answers_the_same_for_known_and_unknown_phones(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.api_token(PHONE).await;
    app.advance(61);

    let known = ask_code(&app, PHONE).await;
    let unknown = ask_code(&app, OTHER).await;

    assert_eq!((known.0, &known.2), (unknown.0, &unknown.2));
    assert_eq!(app.user_count(), 1);
}

async fn code_requests_share_the_web_forms_limits(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let bad = ask_code(&app, "12345").await;
    problem(&bad, StatusCode::UNPROCESSABLE_ENTITY, "phone_invalid");
    assert!(bad.2["detail"].as_str().unwrap().contains("country code"));

    app.request_code(PHONE).await; // through the web form
    let r = ask_code(&app, PHONE).await;
    problem(&r, StatusCode::TOO_MANY_REQUESTS, "resend_too_soon");
    let (headers, json) = (&r.1, &r.2);
    assert_eq!(headers["retry-after"], "60");
    assert_eq!(json["retry_after_seconds"], 60);

    for _ in 0..4 {
        app.advance(61);
        let (status, _, _) = ask_code(&app, PHONE).await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }
    app.advance(61);
    let r = ask_code(&app, PHONE).await;
    problem(&r, StatusCode::TOO_MANY_REQUESTS, "too_many_codes_phone");
    let headers = &r.1;
    assert!(headers.contains_key("retry-after"));
    assert_eq!(app.login_code_count(), 5, "web and API together: 5 an hour");
}

async fn a_brute_force_is_stopped_across_web_and_api(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.request_code(PHONE).await;
    let right = app.last_code(PHONE);
    let wrong = wrong_for(&right);

    // two wrong tries on the web form, the third over the API
    app.submit_code(wrong).await;
    app.submit_code(wrong).await;
    let r = ask_token(&app, PHONE, wrong).await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "otp_used_up");
    // the right code is dead now
    let r = ask_token(&app, PHONE, &right).await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "otp_used_up");

    // seven more failures over the API and the phone is locked (3 + 7 = 10)
    let mut last = None;
    for tries in [3, 3, 1] {
        app.advance(61);
        ask_code(&app, PHONE).await;
        let right = app.last_code(PHONE);
        for _ in 0..tries {
            last = Some(ask_token(&app, PHONE, wrong_for(&right)).await);
        }
    }
    let r = last.unwrap();
    problem(&r, StatusCode::TOO_MANY_REQUESTS, "phone_locked");
    let page = app.request_code(PHONE).await;
    assert_eq!(
        page.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the web form sees the lock too"
    );
}

async fn token_requests_refuse_each_bad_code_with_its_problem(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    ask_code(&app, PHONE).await;
    let right = app.last_code(PHONE);

    let r = ask_token(&app, PHONE, "12").await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "otp_invalid");
    let r = ask_token(&app, PHONE, wrong_for(&right)).await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "otp_wrong");
    assert_eq!(r.2["attempts_left"], 2);
    app.advance(300);
    let r = ask_token(&app, PHONE, &right).await;
    problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "otp_expired");

    // a blocked account
    app.advance(61);
    app.api_token(OTHER).await;
    {
        use diesel::prelude::*;
        use user_auth::db::schema::users;
        diesel::update(users::table.filter(users::phone.eq(OTHER)))
            .set(users::is_active.eq(false))
            .execute(&mut app.conn())
            .unwrap();
    }
    app.advance(61);
    ask_code(&app, OTHER).await;
    let r = ask_token(&app, OTHER, &app.last_code(OTHER)).await;
    problem(&r, StatusCode::FORBIDDEN, "account_blocked");
}

async fn revoked_expired_and_blocked_tokens_stop_working(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.api_token(PHONE).await;
    let second = {
        app.advance(61);
        app.api_token(PHONE).await
    };

    let (status, _, body) = app
        .api(Method::DELETE, "/api/v1/auth/token", None, Some(&token))
        .await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));

    let r = app.api(Method::GET, "/api/v1/me", None, Some(&token)).await;
    problem(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(r.1["www-authenticate"], "Bearer");
    let r = app
        .api(Method::DELETE, "/api/v1/auth/token", None, Some(&token))
        .await;
    problem(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", None, Some(&second))
            .await
            .0,
        StatusCode::OK,
        "other tokens live"
    );

    app.advance(30 * 86_400 - 1);
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", None, Some(&second))
            .await
            .0,
        StatusCode::OK
    );
    app.advance(1);
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", None, Some(&second))
            .await
            .0,
        StatusCode::UNAUTHORIZED,
        "expired"
    );

    let third = app.api_token(PHONE).await;
    {
        use diesel::prelude::*;
        use user_auth::db::schema::users;
        diesel::update(users::table.filter(users::phone.eq(PHONE)))
            .set(users::is_active.eq(false))
            .execute(&mut app.conn())
            .unwrap();
    }
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", None, Some(&third))
            .await
            .0,
        StatusCode::UNAUTHORIZED,
        "blocked"
    );
}

async fn the_web_session_gives_no_access_to_the_api(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.sign_in(PHONE, PHONE).await;
    assert!(app.session_cookie().is_some());

    let r = app.api(Method::GET, "/api/v1/me", None, None).await;

    problem(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    for bad in [
        "Bearer",
        "Bearer nope",
        "Basic dXNlcjpwYXNz",
        &format!("Bearer {}", "0".repeat(64)),
    ] {
        let res = app
            .client
            .get(app.url("/api/v1/me"))
            .header("authorization", bad)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{bad}");
    }
}

async fn invitees_are_paged_with_a_cursor(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.api_token(PHONE).await;
    let owner = app.user(PHONE).unwrap();
    for i in 0..7 {
        let u = app.create_user(&format!("+9989040{i:05}"));
        app.activate(u.id, &owner.invite_code);
        app.advance(1);
    }

    let mut cursor: Option<String> = None;
    let mut seen = Vec::new();
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/me/invitees?limit=3&cursor={c}"),
            None => "/api/v1/me/invitees?limit=3".into(),
        };
        let (status, _, json) = app.api(Method::GET, &path, None, Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{json}");
        assert_eq!(json["total"], 7);
        seen.extend(
            json["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["phone"].as_str().unwrap().to_owned()),
        );
        match json["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let expected: Vec<String> = (0..7).rev().map(|i| format!("+9989040{i:05}")).collect();
    assert_eq!(seen, expected);

    for (query, want, code) in [
        (
            "limit=0",
            StatusCode::UNPROCESSABLE_ENTITY,
            "limit_out_of_range",
        ),
        (
            "limit=101",
            StatusCode::UNPROCESSABLE_ENTITY,
            "limit_out_of_range",
        ),
        ("limit=abc", StatusCode::BAD_REQUEST, "invalid_query"),
        (
            "cursor=garbage",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_cursor",
        ),
    ] {
        let r = app
            .api(
                Method::GET,
                &format!("/api/v1/me/invitees?{query}"),
                None,
                Some(&token),
            )
            .await;
        problem(&r, want, code);
    }
    let r = app
        .api(
            Method::GET,
            "/api/v1/me/invitees?limit=100",
            None,
            Some(&token),
        )
        .await;
    assert_eq!(r.0, StatusCode::OK);
}

async fn entering_an_invite_code_over_the_api(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let a = app.create_user(OTHER);
    let token = app.api_token(PHONE).await;
    let me = app.user(PHONE).unwrap();
    let third = app.create_user("+998901234569");
    app.activate(a.id, &me.invite_code); // OTHER entered my code

    let cases = [
        (
            r#"{"code":"ZZZZZZ"}"#.to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invite_code_unknown",
        ),
        (
            format!(r#"{{"code":"{}"}}"#, me.invite_code),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invite_code_own",
        ),
        (
            format!(r#"{{"code":"{}"}}"#, a.invite_code),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invite_cycle",
        ),
        (
            r#"{"code":"ab"}"#.to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invite_code_invalid",
        ),
    ];
    for (body, want, code) in &cases {
        let r = app
            .api(Method::POST, "/api/v1/me/invite", Some(body), Some(&token))
            .await;
        problem(&r, *want, code);
    }

    let lower = third.invite_code.to_lowercase();
    let (status, _, json) = app
        .api(
            Method::POST,
            "/api/v1/me/invite",
            Some(&format!(r#"{{"code":"{lower}"}}"#)),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["entered_code"], third.invite_code);
    assert!(json["entered_at"].as_str().is_some());

    let r = app
        .api(
            Method::POST,
            "/api/v1/me/invite",
            Some(r#"{"code":"ZZZZZZ"}"#),
            Some(&token),
        )
        .await;
    problem(&r, StatusCode::CONFLICT, "invite_already_entered");
}

async fn invite_tries_are_limited_over_the_api(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.api_token(PHONE).await;
    for i in 0..10 {
        let body = format!(r#"{{"code":"ZZZZ{i:02}"}}"#);
        let r = app
            .api(Method::POST, "/api/v1/me/invite", Some(&body), Some(&token))
            .await;
        assert_eq!(r.0, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = app
        .api(
            Method::POST,
            "/api/v1/me/invite",
            Some(r#"{"code":"ZZZZZZ"}"#),
            Some(&token),
        )
        .await;
    problem(&r, StatusCode::TOO_MANY_REQUESTS, "invite_rate_limited");
    assert_eq!(r.1["retry-after"], "3600");
}

async fn malformed_requests_get_the_right_problem(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let path = "/api/v1/auth/code";
    let cases: Vec<(Option<&str>, &str, StatusCode, &str)> = vec![
        (
            Some("application/json"),
            "{\"phone\":",
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            Some("application/json"),
            "",
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            Some("application/json"),
            "{\"phone\":123}",
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            Some("application/json"),
            "{}",
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            Some("application/json"),
            "[]",
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            Some("application/json"),
            "{\"phone\":\"+998901234567\",\"x\":1}",
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            Some("text/plain"),
            "{\"phone\":\"+998901234567\"}",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            None,
            "{\"phone\":\"+998901234567\"}",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
    ];
    for (content_type, body, want, code) in cases {
        let mut req = app.client.post(app.url(path)).body(body.to_owned());
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let res = req.send().await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let json: Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
        problem(&(status, headers, json), want, code);
    }
    let huge = format!(r#"{{"phone":"{}"}}"#, "9".repeat(10_000));
    let r = app.api(Method::POST, path, Some(&huge), None).await;
    problem(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let r = app
        .api(Method::GET, "/api/v1/nothing-here", None, None)
        .await;
    problem(&r, StatusCode::NOT_FOUND, "not_found");
    let r = app.api(Method::PUT, "/api/v1/me", None, None).await;
    problem(&r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    // a 405 names what the address takes (RFC 9110), whatever the method
    for (method, path, allowed) in [
        (Method::PUT, "/api/v1/me", "GET, HEAD"),
        (Method::TRACE, "/api/v1/auth/token", "POST, DELETE"),
        (Method::GET, "/api/v1/me/email", "PUT, DELETE"),
    ] {
        let r = app.api(method, path, None, None).await;
        problem(&r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        assert_eq!(r.1[reqwest::header::ALLOW], allowed, "{path}");
    }
    // an array is not the object the body is, even where serde would read one as a struct
    let r = app
        .api(Method::POST, path, Some(r#"["+998901234567"]"#), None)
        .await;
    problem(&r, StatusCode::BAD_REQUEST, "invalid_body");
    assert!(app.sms.messages().is_empty());
}

async fn problems_follow_accept_language(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let res = app
        .client
        .get(app.url("/api/v1/me"))
        .header("accept-language", "ru-RU, en;q=0.5")
        .send()
        .await
        .unwrap();
    let json: Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_eq!(json["title"], "Требуется авторизация");
    assert_eq!(
        json["code"], "unauthorized",
        "the code stays the same in every language"
    );
}

async fn every_route_answers_401_400_and_503_as_documented(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.api_token(PHONE).await;
    // every route that needs a token refuses a request without one
    for (method, path) in [
        (Method::DELETE, "/api/v1/auth/token"),
        (Method::GET, "/api/v1/me"),
        (Method::GET, "/api/v1/me/invitees"),
        (Method::POST, "/api/v1/me/invite"),
    ] {
        let r = app
            .api(method.clone(), path, Some(r#"{"code":"ABCDEF"}"#), None)
            .await;
        problem(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    // every route with a body refuses one that is not JSON
    for path in [
        "/api/v1/auth/code",
        "/api/v1/auth/token",
        "/api/v1/me/invite",
    ] {
        let r = app
            .api(Method::POST, path, Some("{oops"), Some(&token))
            .await;
        problem(&r, StatusCode::BAD_REQUEST, "malformed_json");
        let r = app
            .api(
                Method::POST,
                path,
                Some(r#"{"phone":7,"code":7}"#),
                Some(&token),
            )
            .await;
        problem(&r, StatusCode::BAD_REQUEST, "invalid_body");
    }
}

async fn no_api_answer_may_be_stored(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.api_token(PHONE).await;
    let body = format!(r#"{{"phone":"{PHONE}"}}"#);
    let calls: Vec<(Method, &str, Option<&str>, Option<&str>)> = vec![
        (Method::GET, "/api/v1/me", None, Some(token.as_str())),
        (
            Method::GET,
            "/api/v1/me/invitees",
            None,
            Some(token.as_str()),
        ),
        (Method::POST, "/api/v1/auth/code", Some(body.as_str()), None),
        (Method::GET, "/api/v1/me", None, None),
        (Method::POST, "/api/v1/auth/token", Some("{"), None),
        (Method::GET, "/api/v1/nowhere", None, None),
        (Method::GET, "/api/openapi.json", None, None),
        (
            Method::DELETE,
            "/api/v1/auth/token",
            None,
            Some(token.as_str()),
        ),
    ];
    let mut statuses = Vec::new();
    for (method, path, body, token) in calls {
        let (status, headers, _) = app.api(method.clone(), path, body, token).await;
        assert_eq!(
            headers.get("cache-control").map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{method} {path} ({status})"
        );
        statuses.push(status.as_u16());
    }
    assert_eq!(statuses, [200, 200, 429, 401, 400, 404, 200, 204]);
}

crate::on_both_backends!(
    no_api_answer_may_be_stored,
    signing_in_over_the_api_gives_a_token_that_works,
    asking_for_a_code_answers_the_same_for_known_and_unknown_phones,
    code_requests_share_the_web_forms_limits,
    a_brute_force_is_stopped_across_web_and_api,
    token_requests_refuse_each_bad_code_with_its_problem,
    revoked_expired_and_blocked_tokens_stop_working,
    the_web_session_gives_no_access_to_the_api,
    invitees_are_paged_with_a_cursor,
    entering_an_invite_code_over_the_api,
    invite_tries_are_limited_over_the_api,
    malformed_requests_get_the_right_problem,
    problems_follow_accept_language,
    every_route_answers_401_400_and_503_as_documented,
);

// ---- the description ------------------------------------------------------------------------

#[actix_web::test]
async fn the_openapi_description_is_valid_and_lists_every_route_served() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let text = app.get("/api/openapi.json").await.text().await.unwrap();

    let spec = oas3::from_json(&text).expect("parses as OpenAPI 3.1");
    let version = spec.validate_version().expect("a supported version");
    assert_eq!((version.major, version.minor), (3, 1));
    let documented: Vec<(String, String)> = spec
        .operations()
        .map(|(path, method, _)| (method.as_str().to_ascii_lowercase(), path))
        .collect();
    for (_, _, op) in spec.operations() {
        let responses = op.responses(&spec);
        assert_eq!(
            responses.len(),
            op.responses.as_ref().map_or(0, |r| r.len()),
            "every response resolves"
        );
        for response in responses.values() {
            for media in response.content.values() {
                media
                    .schema(&spec)
                    .expect("every schema reference resolves");
            }
        }
        if let Some(body) = op.request_body(&spec).expect("request bodies resolve") {
            for media in body.content.values() {
                media.schema(&spec).expect("request schema resolves");
            }
        }
    }

    let served: Vec<(String, String)> = user_auth::http::api::ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), format!("/api/v1{p}")))
        .collect();
    let mut a = documented.clone();
    let mut b = served.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b, "documented and served routes are the same");

    // and each really is served: not the API's 404 for an unknown path, nor a 405 (a 404 of
    // the operation itself, such as no invitation with the code `{code}`, says its own code)
    for (method, path) in &served {
        let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
        let res = app
            .client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        let status = res.status();
        let body: serde_json::Value = res.json().await.unwrap_or_default();
        assert!(
            status != StatusCode::METHOD_NOT_ALLOWED
                && (status != StatusCode::NOT_FOUND || body["code"] != "not_found"),
            "{method} {path}: {status} {body}"
        );
    }
}

#[actix_web::test]
async fn the_docs_page_serves_redoc_from_the_binary() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let res = app.get("/api/docs").await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self';"), "{csp}");
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"<script src="/static/vendor/redoc.standalone.js"></script>"#));
    assert!(html.contains(r#"spec-url="/api/openapi.json""#));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing from another host"
    );
    let script = app.get("/static/vendor/redoc.standalone.js").await;
    assert_eq!(script.status(), StatusCode::OK);
    assert!(
        script.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(script.text().await.unwrap().len() > 500_000);
    // the pages keep the strict policy
    let login_csp = app.get("/login").await.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!login_csp.contains("unsafe-inline"), "{login_csp}");
}
