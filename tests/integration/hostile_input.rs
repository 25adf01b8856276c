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

/// One request as raw bytes, and the status of the answer (`None`: the server closed the
/// connection, or said nothing within 10 s).
async fn exchange(host: &str, request: &[u8]) -> Option<u16> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(host).await.ok()?;
    // the server may answer (and close) before it has read everything
    let _ = stream.write_all(request).await;
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    let deadline = std::time::Duration::from_secs(10);
    while !head.windows(2).any(|w| w == b"\r\n") {
        match tokio::time::timeout(deadline, stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => head.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    let line = String::from_utf8_lossy(&head);
    line.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
}

fn request(method: &str, target: &[u8], headers: &[&[u8]], body: &[u8]) -> Vec<u8> {
    let mut r = Vec::new();
    r.extend_from_slice(method.as_bytes());
    r.push(b' ');
    r.extend_from_slice(target);
    r.extend_from_slice(b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for h in headers {
        r.extend_from_slice(h);
        r.extend_from_slice(b"\r\n");
    }
    r.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    r.extend_from_slice(body);
    r
}

/// Runs once: a corpus of malformed HTTP, sent as raw bytes to every kind of address: each gets
/// a 4xx, never a 5xx, and never silence.
#[actix_web::test]
async fn a_corpus_of_malformed_requests_gets_4xx_never_5xx() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let host = app.address.trim_start_matches("http://").to_owned();
    let pages: &[&[u8]] = &[
        b"/",
        b"/login",
        b"/login/code",
        b"/profile",
        b"/admin/users",
        b"/api/v1/me",
        b"/api/v1/auth/code",
        b"/api/v1/me/invitees",
        b"/static/app.css",
        b"/healthz",
        b"/no/such/page",
    ];
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_object = format!("{}1{}", "{\"phone\":".repeat(5_000), "}".repeat(5_000));
    let huge = format!("{{\"phone\":\"{}\"}}", "9".repeat(2_000_000));
    let mut corpus: Vec<(String, Vec<u8>)> = Vec::new();
    for page in pages {
        let name = String::from_utf8_lossy(page).into_owned();
        // methods no address here takes (TRACE would echo what it was sent: cookies included)
        for method in ["TRACE", "CONNECT", "PROPFIND", "FOO", "PATCH"] {
            corpus.push((format!("{method} {name}"), request(method, page, &[], b"")));
        }
        // invalid UTF-8 in the path, the query and a cookie
        let mut path = page.to_vec();
        path.extend_from_slice(b"/\xff\xfe%ff%c0%af");
        corpus.push((
            format!("GET {name} bad path"),
            request("GET", &path, &[], b""),
        ));
        let mut query = page.to_vec();
        query.extend_from_slice(b"?next=%ff%fe&cursor=\xff\xfe&limit=%00&older=%zz&lang=\xc0");
        let cookie: &[u8] = b"Cookie: user_auth_session=\xff\xfe; lang=\xc0\xaf; =; ;;";
        corpus.push((
            format!("GET {name} bad query and cookie"),
            request("GET", &query, &[cookie], b""),
        ));
        // heads no HTTP/1.1 parser should take
        for (what, head) in [
            ("a header without a colon", &b"X-Nothing"[..]),
            ("a header name with a space", b"Bad Name: x"),
            ("a NUL in a value", b"X-Null: a\x00b"),
            ("two lengths", b"Content-Length: 0\r\nContent-Length: 7"),
            ("a length that is no number", b"Content-Length: -1"),
            (
                "a chunked body with a length",
                b"Transfer-Encoding: chunked",
            ),
        ] {
            corpus.push((
                format!("GET {name} with {what}"),
                request("GET", page, &[head], b""),
            ));
        }
    }
    // bodies: broken, of the wrong type, nested, huge
    for (path, kind) in [
        (&b"/login"[..], "application/x-www-form-urlencoded"),
        (b"/api/v1/auth/code", "application/json"),
        (b"/api/v1/auth/token", "application/json"),
        (b"/profile/name", "application/x-www-form-urlencoded"),
    ] {
        let name = String::from_utf8_lossy(path).into_owned();
        let bodies: Vec<(&str, Option<&str>, Vec<u8>)> = vec![
            (
                "invalid UTF-8",
                Some(kind),
                b"phone=\xff\xfe&csrf=\xc0\xaf".to_vec(),
            ),
            (
                "invalid UTF-8 JSON",
                Some(kind),
                b"{\"phone\":\"\xff\xfe\"}".to_vec(),
            ),
            ("no type", None, b"phone=1".to_vec()),
            ("text/plain", Some("text/plain"), b"phone=1".to_vec()),
            (
                "multipart",
                Some("multipart/form-data; boundary=x"),
                b"--x\r\n\r\n--x--".to_vec(),
            ),
            ("XML", Some("application/xml"), b"<phone>1</phone>".to_vec()),
            ("a nested array", Some(kind), nested.clone().into_bytes()),
            (
                "a nested object",
                Some(kind),
                deep_object.clone().into_bytes(),
            ),
            ("2 MB", Some(kind), huge.clone().into_bytes()),
        ];
        for (what, content_type, body) in bodies {
            let header = content_type.map(|t| format!("Content-Type: {t}"));
            let headers: Vec<&[u8]> = header.iter().map(|h| h.as_bytes()).collect();
            corpus.push((
                format!("POST {name} with {what}"),
                request("POST", path, &headers, &body),
            ));
        }
    }
    corpus.push((
        "garbage".into(),
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n".to_vec(),
    ));
    corpus.push(("no version".into(), b"GET /\r\n\r\n".to_vec()));
    corpus.push((
        "HTTP/9.9".into(),
        b"GET / HTTP/9.9\r\nHost: x\r\n\r\n".to_vec(),
    ));
    corpus.push((
        "a target that is no path".into(),
        b"GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
    ));

    let mut wrong = Vec::new();
    let mut seen = std::collections::BTreeMap::<u16, usize>::new();
    for (what, bytes) in &corpus {
        match exchange(&host, bytes).await {
            Some(status) if (400..500).contains(&status) => *seen.entry(status).or_default() += 1,
            other => wrong.push(format!("{what}: {other:?}")),
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {}:\n{}",
        wrong.len(),
        corpus.len(),
        wrong.join("\n")
    );
    // each kind of wrong got its own answer: malformed, wrong method, too large, wrong type
    for status in [400, 404, 405, 413, 415] {
        assert!(seen.contains_key(&status), "no {status} among {seen:?}");
    }
    // and the server still serves
    assert_eq!(app.get("/login").await.status(), StatusCode::OK);
}
