//! Display names: set, shown, refused and removed on the profile page and over the API, shown in
//! the admin, and bounded by the database itself.

use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use user_auth::db::schema::users;

use crate::helpers::{Backend, TestApp, csrf_from, expect_page, location};

const PHONE: &str = "+998901234567";

fn stored(app: &TestApp) -> Option<String> {
    users::table
        .filter(users::phone.eq(PHONE))
        .select(users::display_name)
        .first(&mut app.conn())
        .unwrap()
}

async fn a_name_is_set_shown_refused_and_removed_on_the_profile(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.sign_in(PHONE, PHONE).await;
    let page = app.get_html("/profile").await;
    assert!(page.contains(r#"<dd id="profile-name">not set</dd>"#));
    let save = async |name: &str| {
        let csrf = csrf_from(&app.get_html("/profile").await);
        app.post_form("/profile/name", &[("csrf", &csrf), ("name", name)])
            .await
    };

    // typed decomposed, with spaces around: stored trimmed and composed
    let res = save("  Ame\u{301}lie Karimova ").await;
    assert_eq!(location(&res), "/profile?named=1");
    assert_eq!(stored(&app).as_deref(), Some("Am\u{e9}lie Karimova"));
    let page = app.get_html("/profile?named=1").await;
    assert!(page.contains("Your name is saved."));
    assert!(page.contains(r#"<dd id="profile-name">Amélie Karimova</dd>"#));

    // refused: translated, what was typed shown again, nothing changed
    let long = "я".repeat(65);
    let page = expect_page(
        save(&long).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "A name can have at most 64 characters.",
    )
    .await;
    assert!(page.contains(&format!(r#"value="{long}""#)));
    assert!(page.contains(r#"aria-invalid="true""#));
    expect_page(
        save("Ali\u{202E}ilA").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "A name cannot contain control or invisible characters.",
    )
    .await;
    assert_eq!(stored(&app).as_deref(), Some("Am\u{e9}lie Karimova"));
    // escaped like any other text
    assert_eq!(location(&save("<b>Aziza</b>").await), "/profile?named=1");
    let page = app.get_html("/profile").await;
    assert!(
        page.contains("Aziza") && !page.contains("<b>Aziza</b>"),
        "escaped"
    );

    // empty removes it
    assert_eq!(location(&save("   ").await), "/profile?named=1");
    assert_eq!(stored(&app), None);
    // no CSRF token, no change
    let res = app
        .post_form("/profile/name", &[("csrf", "forged"), ("name", "Vali")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(stored(&app), None);
}

async fn a_name_over_the_api_and_in_the_admin(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.api_token(PHONE).await;
    let (status, _, json) = app.api(Method::GET, "/api/v1/me", None, Some(&token)).await;
    assert_eq!(
        (status, &json["name"]),
        (StatusCode::OK, &serde_json::Value::Null)
    );

    let (status, _, json) = app
        .api(
            Method::PUT,
            "/api/v1/me/name",
            Some(r#"{"name":"  Gʻulom  "}"#),
            Some(&token),
        )
        .await;
    assert_eq!(
        (status, json["name"].as_str()),
        (StatusCode::OK, Some("Gʻulom"))
    );
    let (_, _, json) = app.api(Method::GET, "/api/v1/me", None, Some(&token)).await;
    assert_eq!(json["name"], "Gʻulom");

    let too_long = format!(r#"{{"name":"{}"}}"#, "x".repeat(65));
    let (status, _, json) = app
        .api(
            Method::PUT,
            "/api/v1/me/name",
            Some(&too_long),
            Some(&token),
        )
        .await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("name_invalid"))
    );
    let (status, _, _) = app
        .api(
            Method::PUT,
            "/api/v1/me/name",
            Some(r#"{"name":7}"#),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = app
        .api(
            Method::PUT,
            "/api/v1/me/name",
            Some(r#"{"name":"Vali"}"#),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(stored(&app).as_deref(), Some("Gʻulom"));

    // staff see it on the person page
    let staff = app.make_staff("+998901234599");
    app.sign_in(&staff.phone, &staff.phone).await;
    let me = app.user(PHONE).unwrap();
    let page = app.get_html(&format!("/admin/users/{}", me.id)).await;
    assert!(page.contains("Gʻulom"), "the admin shows the name");

    // null removes it
    let (status, _, json) = app
        .api(
            Method::PUT,
            "/api/v1/me/name",
            Some(r#"{"name":null}"#),
            Some(&token),
        )
        .await;
    assert_eq!(
        (status, &json["name"]),
        (StatusCode::OK, &serde_json::Value::Null)
    );
}

/// The bound holds in the database, whatever writes to it.
async fn the_database_refuses_a_name_out_of_bounds(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let user = app.create_user(PHONE);
    let set = |name: String| {
        diesel::update(users::table.find(user.id))
            .set(users::display_name.eq(Some(name)))
            .execute(&mut app.conn())
    };
    assert!(set("я".repeat(64)).is_ok());
    assert!(set("я".repeat(65)).is_err(), "65 characters");
    assert!(set(String::new()).is_err(), "empty");
}

crate::on_both_backends!(
    a_name_is_set_shown_refused_and_removed_on_the_profile,
    a_name_over_the_api_and_in_the_admin,
    the_database_refuses_a_name_out_of_bounds,
);
