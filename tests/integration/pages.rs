//! Pages, languages, error pages and response headers.

use reqwest::StatusCode;

use crate::helpers::{Backend, TestApp, csrf_from, expect_page, location};

const PHONE: &str = "+998901234567";

async fn an_unknown_path_gets_the_translated_404_page(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("Page not found"));

    let res = app
        .client
        .get(app.url("/no/such/page"))
        .header("accept-language", "ru-RU,ru;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = res.text().await.unwrap();
    assert!(html.contains("<html lang=\"ru\">"));
    assert!(html.contains("Страница не найдена"), "{html}");
    let res = app.client.delete(app.url("/login")).send().await.unwrap();
    expect_page(
        res,
        StatusCode::METHOD_NOT_ALLOWED,
        "This address does not accept that kind of request.",
    )
    .await;
    // every 405 names what the address takes (RFC 9110): pages, staff pages, probes, files
    for (method, path, allowed) in [
        (reqwest::Method::DELETE, "/login", "GET, HEAD, POST"),
        (reqwest::Method::GET, "/logout", "POST"),
        (reqwest::Method::TRACE, "/profile", "GET, HEAD"),
        (
            reqwest::Method::PUT,
            "/admin/users/1/block",
            "GET, HEAD, POST",
        ),
        (reqwest::Method::GET, "/admin/outbox/1/retry", "POST"),
        (reqwest::Method::POST, "/healthz", "GET, HEAD"),
        (reqwest::Method::PATCH, "/static/app.css", "GET, HEAD"),
    ] {
        let res = app
            .client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(
            res.headers()[reqwest::header::ALLOW],
            allowed,
            "{method} {path}"
        );
    }
    // and whatever answers GET answers HEAD, with the same status and headers and no body
    for path in ["/login", "/healthz", "/static/app.css", "/api/openapi.json"] {
        let get = app.client.get(app.url(path)).send().await.unwrap();
        let head = app.client.head(app.url(path)).send().await.unwrap();
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        assert_eq!(
            head.headers().get("content-type"),
            get.headers().get("content-type"),
            "HEAD {path}"
        );
        assert!(head.bytes().await.unwrap().is_empty(), "HEAD {path}");
    }
}

async fn the_language_comes_from_the_cookie_then_the_header(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let html = app.get_html("/login").await;
    assert!(html.contains("<html lang=\"en\">") && html.contains("Phone number"));
    let res = app
        .client
        .get(app.url("/login"))
        .header("accept-language", "ru")
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"ru\">") && html.contains("Номер телефона"),
        "{html}"
    );

    let csrf = csrf_from(&app.get_html("/login").await);
    let res = app
        .post_form(
            "/lang",
            &[("csrf", &csrf), ("lang", "ru"), ("next", "/login")],
        )
        .await;
    assert_eq!(location(&res), "/login");

    let res = app
        .client
        .get(app.url("/login"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"ru\">"),
        "the switcher's choice wins over the header"
    );
    assert!(html.contains("aria-current=\"true\">Русский"));
    // an outside address is not followed
    let res = app
        .post_form(
            "/lang",
            &[("csrf", &csrf), ("lang", "en"), ("next", "//evil.example")],
        )
        .await;
    assert_eq!(location(&res), "/");
}

async fn the_code_message_and_pages_are_in_russian(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let csrf = csrf_from(&app.get_html("/login").await);
    app.post_form(
        "/lang",
        &[("csrf", &csrf), ("lang", "ru"), ("next", "/login")],
    )
    .await;

    app.request_code(PHONE).await;

    let text = &app.sms.messages_to(PHONE)[0].text;
    assert!(text.starts_with("Ваш код user-auth: "), "{text}");
    let page = app.get_html("/login/code").await;
    assert!(
        page.contains("Введите код") && page.contains("Новый код можно запросить через 60 секунд."),
        "{page}"
    );
    let res = app.submit_code("12").await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Код состоит из 4–8 цифр.")
    );
    app.submit_code(&app.last_code(PHONE)).await;
    let profile = app.get_html("/profile").await;
    assert!(profile.contains("Ваш профиль") && profile.contains("Выйти"));
}

async fn the_code_page_shows_the_number_and_its_controls(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    assert_eq!(
        location(&app.get("/login/code").await),
        "/login",
        "no number yet"
    );
    let login = app.get_html("/login").await;
    assert!(login.contains("type=\"tel\"") && login.contains("autocomplete=\"tel\""));
    assert!(login.contains("for example +998 91 234 56 78"));

    app.request_code(PHONE).await;
    let page = app.get_html("/login/code").await;

    assert!(page.contains("We sent a code to +998 90 123 45 67."));
    assert!(
        page.contains("maxlength=\"8\"") && !page.contains("4-digit"),
        "the page does not say how long this number's code is"
    );
    assert!(
        page.contains("inputmode=\"numeric\"") && page.contains("autocomplete=\"one-time-code\"")
    );
    assert!(page.contains("href=\"/login\">Use a different number"));
    assert!(page.contains("action=\"/login/resend\""));
    // "use a different number" shows the form with the number filled in
    assert!(
        app.get_html("/login")
            .await
            .contains("value=\"+998 90 123 45 67\"")
    );
}

async fn every_response_carries_the_security_headers(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.sign_in(PHONE, PHONE).await;
    for path in ["/login", "/profile", "/", "/missing", "/static/app.css"] {
        let res = app.get(path).await;
        let h = res.headers();
        let csp = h
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("{path}: no CSP"))
            .to_str()
            .unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(
            h.get("x-content-type-options").unwrap(),
            "nosniff",
            "{path}"
        );
        assert!(h.get("referrer-policy").is_some(), "{path}");
    }
    let profile = app.get("/profile").await;
    assert_eq!(profile.headers().get("cache-control").unwrap(), "no-store");
    let html = profile.text().await.unwrap();
    for script in html.split("<script").skip(1) {
        assert!(
            script.starts_with(" src=\"/static/"),
            "only scripts from /static: <script{script}"
        );
        let body = script.split_once('>').map(|(_, rest)| rest).unwrap_or("");
        assert!(body.starts_with("</script>"), "no inline script body");
    }
    assert!(!html.contains("style="), "no inline style");
}

async fn malformed_forms_get_a_page_not_a_crash(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let csrf = app.csrf().await;
    let huge = "9".repeat(100_000);
    let res = app
        .post_form("/login", &[("csrf", &csrf), ("phone", &huge)])
        .await;
    assert!(res.status().is_client_error(), "{}", res.status());
    let res = app
        .client
        .post(app.url("/login"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error());
    assert!(res.text().await.unwrap().contains("<html"));
    let res = app
        .post_form("/login", &[("csrf", &csrf), ("phone", "+998\u{0}90")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app.sms.messages().is_empty());
}

async fn uzbek_covers_pages_text_messages_errors_and_the_api(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let csrf = csrf_from(&app.get_html("/login").await);
    app.post_form(
        "/lang",
        &[("csrf", &csrf), ("lang", "uz"), ("next", "/login")],
    )
    .await;

    let login = app.get_html("/login").await;
    assert!(
        login.contains("<html lang=\"uz\">") && login.contains("Telefon raqami"),
        "{login}"
    );
    app.request_code(PHONE).await;
    let text = &app.sms.messages_to(PHONE)[0].text;
    assert!(text.starts_with("user-auth kodingiz: "), "{text}");
    let missing = app.get_html("/no/such/page").await;
    assert!(missing.contains("Sahifa topilmadi"));
    let res = app
        .client
        .get(app.url("/api/v1/me"))
        .header("accept-language", "uz")
        .send()
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_eq!(json["title"], "Avtorizatsiya talab qilinadi");
}

async fn every_file_a_page_refers_to_is_served(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.sign_in(PHONE, PHONE).await;
    let mut urls = Vec::new();
    for page in ["/login", "/profile", "/no/such/page", "/api/docs"] {
        let html = app.get_html(page).await;
        for piece in html.split("\"/static/").skip(1) {
            urls.push(format!("/static/{}", piece.split('"').next().unwrap()));
        }
    }
    assert!(
        urls.iter().any(|u| u.starts_with("/static/profile.js?v=")),
        "{urls:?}"
    );
    assert!(
        urls.iter().any(|u| u.starts_with("/static/app.css?v=")),
        "{urls:?}"
    );
    for url in urls {
        let res = app.get(&url).await;
        assert_eq!(res.status(), StatusCode::OK, "{url}");
    }
}

crate::on_both_backends!(
    an_unknown_path_gets_the_translated_404_page,
    the_language_comes_from_the_cookie_then_the_header,
    the_code_message_and_pages_are_in_russian,
    the_code_page_shows_the_number_and_its_controls,
    every_response_carries_the_security_headers,
    malformed_forms_get_a_page_not_a_crash,
    uzbek_covers_pages_text_messages_errors_and_the_api,
    every_file_a_page_refers_to_is_served,
);
