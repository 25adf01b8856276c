//! Hostile input at the edge: redirect targets, and header values of every kind, never get
//! more than a clear refusal (no 5xx, nothing followed off the site).

use reqwest::{Method, StatusCode, header::HeaderValue};

use crate::helpers::{Backend, Options, TestApp, csrf_from, location};

async fn the_language_switcher_follows_only_plain_local_paths(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let csrf = csrf_from(&app.get_html("/login").await);
    for (next, expected) in [
        ("/profile", "/profile"),
        ("/\n/x", "/"),
        ("/\t/evil.example", "/"),
        ("/\r\nSet-Cookie: x=y", "/"),
        ("  //evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/профиль", "/"),
    ] {
        let res = app
            .post_form("/lang", &[("csrf", &csrf), ("lang", "en"), ("next", next)])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(location(&res), expected, "{next:?}");
    }
}

/// Values no well-behaved client sends: bytes beyond ASCII, a tab, syntax of the wrong header,
/// and a long one.
fn hostile_values() -> Vec<HeaderValue> {
    let mut values: Vec<HeaderValue> = [
        &b"\xff\xfe\xfd"[..],
        b"\tx\t",
        b"=;=;;,,,",
        b"\xd0\xbf\xd1\x80\xd0\xb8",
        b"bearer 0000000000000000000000000000000000000000000000000000000000000000",
        b"1.2.3.4, unknown, 999.1.1.1, ::1, [::1]:80, 10.0.0.1",
    ]
    .iter()
    .map(|v| HeaderValue::from_bytes(v).unwrap())
    .collect();
    values.push(HeaderValue::from_str(&"a".repeat(6000)).unwrap());
    values
}

const HEADERS: &[&str] = &[
    "cookie",
    "accept-language",
    "x-forwarded-for",
    "user-agent",
    "authorization",
    "sec-fetch-site",
    "content-type",
    "if-none-match",
    "x-signature",
    "x-signature-timestamp",
    "x-twilio-signature",
];

/// Runs once: what it checks does not depend on the database.
#[actix_web::test]
async fn no_header_value_makes_a_server_error() {
    // every provider's report address is open (the providers themselves are unreachable)
    let options = Options {
        trust_proxy_headers: true,
        public_origin: Some("https://auth.example.uz"),
        sms: Some(user_auth::config::SmsSettings {
            backend: user_auth::config::SmsBackend::Http {
                url: "http://127.0.0.1:9/sms".into(),
                secret: user_auth::config::Secret("s".repeat(32)),
            },
            fallback: Some(user_auth::config::SmsBackend::Twilio {
                base_url: "http://127.0.0.1:9".into(),
                account_sid: "AC1".into(),
                auth_token: user_auth::config::Secret("t".into()),
                from: "+15005550006".into(),
                messaging_service: false,
            }),
            ..Default::default()
        }),
        ..Options::default()
    };
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, options).await else {
        return;
    };
    let routes: &[(Method, &str, Option<&str>)] = &[
        (Method::GET, "/", None),
        (Method::GET, "/login", None),
        (Method::POST, "/login", Some("phone=%2B998901234567&csrf=x")),
        (Method::GET, "/login/code", None),
        (Method::GET, "/profile", None),
        (Method::GET, "/admin/users", None),
        (Method::GET, "/static/app.css", None),
        (Method::GET, "/api/v1/me", None),
        (
            Method::POST,
            "/api/v1/auth/code",
            Some(r#"{"phone":"+998901234567"}"#),
        ),
        (Method::POST, "/profile/name", Some("name=Ali&csrf=x")),
        (Method::GET, "/admin/outbox", None),
        (Method::GET, "/profile/devices", None),
        (
            Method::POST,
            "/sms/status/http",
            Some(r#"{"id":"1","status":"delivered"}"#),
        ),
        (
            Method::POST,
            "/sms/status/twilio",
            Some("MessageSid=SM1&MessageStatus=delivered"),
        ),
        (Method::GET, "/nowhere", None),
    ];
    let mut checked = 0;
    for (method, path, body) in routes {
        for name in HEADERS {
            for value in hostile_values() {
                let mut req = app.client.request(method.clone(), app.url(path));
                if let Some(body) = body {
                    let kind = if path.starts_with("/api") || path.ends_with("/http") {
                        "application/json"
                    } else {
                        "application/x-www-form-urlencoded"
                    };
                    req = req.header("content-type", kind).body(*body);
                }
                let res = req.header(*name, value.clone()).send().await.unwrap();
                assert!(
                    res.status().as_u16() < 500,
                    "{method} {path} with {name}: {value:?} answered {}",
                    res.status()
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, routes.len() * HEADERS.len() * 7);
}

crate::on_both_backends!(the_language_switcher_follows_only_plain_local_paths);
