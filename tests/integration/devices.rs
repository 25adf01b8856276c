//! "Where I am signed in": every live session and token, in words, this device marked; signing
//! one out, or every other; only one's own; the page and the API alike.

use std::sync::Arc;

use reqwest::{Method, StatusCode, cookie::Jar};

use crate::helpers::{Backend, TestApp, csrf_from, location};

const PHONE: &str = "+998901234567";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

fn browser(ua: &str) -> reqwest::Client {
    user_auth::sms::install_tls();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(Arc::new(Jar::default()))
        .user_agent(ua)
        .build()
        .unwrap()
}

async fn text(client: &reqwest::Client, app: &TestApp, path: &str) -> String {
    client
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn the_page_lists_every_place_and_signs_them_out(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (laptop, phone) = (browser(FIREFOX), browser(IPHONE));
    assert_eq!(
        location(&app.sign_in_with(&laptop, PHONE).await),
        "/profile"
    );
    app.advance(61);
    assert_eq!(location(&app.sign_in_with(&phone, PHONE).await), "/profile");
    app.advance(61);
    let token = app.api_token(PHONE).await;

    let page = text(&laptop, &app, "/profile/devices").await;

    assert!(page.contains("Firefox on Linux"), "{page}");
    assert!(page.contains("Safari on iPhone"));
    assert!(page.contains("app (API)"));
    assert_eq!(page.matches("this device").count(), 1);
    assert_eq!(page.matches("/end\">").count(), 2, "not on this device");
    assert!(
        text(&laptop, &app, "/profile")
            .await
            .contains(r#"href="/profile/devices""#)
    );

    // sign the phone out: its next click finds no session
    let csrf = csrf_from(&page);
    let phone_session = page
        .split("/profile/devices/session/")
        .skip(1)
        .map(|s| s.split('/').next().unwrap().to_owned())
        .next()
        .expect("another session to end");
    let res = laptop
        .post(app.url(&format!("/profile/devices/session/{phone_session}/end")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/profile/devices?ended=1");
    let res = phone.get(app.url("/profile")).send().await.unwrap();
    assert_eq!(location(&res), "/login");
    // the same id again is nobody's any more
    let res = laptop
        .post(app.url(&format!("/profile/devices/session/{phone_session}/end")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // everywhere else: the API token ends, this browser stays
    let res = laptop
        .post(app.url("/profile/devices/end-others"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/profile/devices?ended=1");
    let (status, _, _) = app.api(Method::GET, "/api/v1/me", None, Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let page = text(&laptop, &app, "/profile/devices?ended=1").await;
    assert!(page.contains("Signed out.") && page.contains("this device"));
    assert_eq!(page.matches("<li id=\"device-").count(), 1);
}

async fn one_person_cannot_end_anothers_session(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (mine, theirs) = (browser(FIREFOX), browser(IPHONE));
    app.sign_in_with(&theirs, "+998901234568").await;
    app.sign_in_with(&mine, PHONE).await;
    let page = text(&mine, &app, "/profile/devices").await;
    let csrf = csrf_from(&page);
    let their_id: i64 = {
        use diesel::prelude::*;
        use user_auth::db::schema::sessions;
        let them = app.user("+998901234568").unwrap();
        sessions::table
            .filter(sessions::user_id.eq(them.id))
            .select(sessions::id)
            .first(&mut app.conn())
            .unwrap()
    };
    assert!(
        !page.contains(&format!("/session/{their_id}/end")),
        "not listed"
    );
    let res = mine
        .post(app.url(&format!("/profile/devices/session/{their_id}/end")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = theirs.get(app.url("/profile")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "their session lives");
    // a forged form changes nothing
    let res = mine
        .post(app.url("/profile/devices/end-others"))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn the_api_lists_and_ends_the_same(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let laptop = browser(FIREFOX);
    app.sign_in_with(&laptop, PHONE).await;
    app.advance(61);
    let token = app.api_token(PHONE).await;

    let (status, _, json) = app
        .api(Method::GET, "/api/v1/me/devices", None, Some(&token))
        .await;

    assert_eq!(status, StatusCode::OK);
    let list = json.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let current: Vec<_> = list.iter().filter(|d| d["current"] == true).collect();
    assert_eq!(
        (current.len(), current[0]["kind"].as_str()),
        (1, Some("token"))
    );
    let web = list.iter().find(|d| d["kind"] == "session").unwrap();
    assert_eq!(
        (web["browser"].as_str(), web["system"].as_str()),
        (Some("Firefox"), Some("Linux"))
    );

    let path = format!("/api/v1/me/devices/session/{}", web["id"]);
    let (status, _, _) = app.api(Method::DELETE, &path, None, Some(&token)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        location(&laptop.get(app.url("/profile")).send().await.unwrap()),
        "/login"
    );
    let (status, _, json) = app.api(Method::DELETE, &path, None, Some(&token)).await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _, _) = app
        .api(
            Method::DELETE,
            "/api/v1/me/devices/cookie/1",
            None,
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, _, json) = app
        .api(
            Method::POST,
            "/api/v1/me/devices/end-others",
            None,
            Some(&token),
        )
        .await;
    assert_eq!((status, json["ended"].as_u64()), (StatusCode::OK, Some(0)));
    let (status, _, _) = app.api(Method::GET, "/api/v1/me", None, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "this token stays");
}

crate::on_both_backends!(
    the_page_lists_every_place_and_signs_them_out,
    one_person_cannot_end_anothers_session,
    the_api_lists_and_ends_the_same,
);
