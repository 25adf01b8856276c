//! "Download my data": one JSON document with everything stored about the person, the same on
//! the page and over the API, with no secret in it.

use diesel::prelude::*;
use reqwest::{Method, StatusCode, header};
use user_auth::db::schema::{api_tokens, sessions};

use crate::helpers::{Backend, TestApp, csrf_from};

const PHONE: &str = "+998901234567";
const INVITER: &str = "+998901234500";
const INVITEE: &str = "+998901234501";

async fn the_export_holds_everything_about_the_person_and_no_secret(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let inviter = app.create_user(INVITER);
    app.sign_in(PHONE, PHONE).await;
    let me = app.user(PHONE).unwrap();
    app.activate(me.id, &inviter.invite_code);
    let invitee = app.create_user(INVITEE);
    app.activate(invitee.id, &me.invite_code);
    let csrf = csrf_from(&app.get_html("/profile").await);
    app.post_form("/profile/name", &[("csrf", &csrf), ("name", "Aziza")])
        .await;
    app.advance(61);
    let token = app.api_token(PHONE).await;
    // an audit row about them: the command line makes them staff
    user_auth::app::staff::set_role_by_phone(
        &mut app.conn(),
        &user_auth::domain::invite_code::RandomInviteCodes,
        PHONE,
        user_auth::domain::staff::Action::GrantStaff,
        chrono::Utc::now().naive_utc(),
    )
    .unwrap();

    let res = app.get("/profile/export").await;

    assert_eq!(res.status(), StatusCode::OK);
    let disposition = res.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"user-auth-data-"),
        "{disposition}"
    );
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    let body = res.text().await.unwrap();
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["format"], "user-auth/personal-data/v1");
    assert_eq!(doc["account"]["phone"], PHONE);
    assert_eq!(doc["account"]["name"], "Aziza");
    assert_eq!(doc["account"]["invite_code"], me.invite_code);
    assert_eq!(doc["entered_invite"]["code"], inviter.invite_code);
    assert_eq!(doc["entered_invite"]["owner_phone"], INVITER);
    assert_eq!(doc["invitees"][0]["phone"], INVITEE);
    assert_eq!(
        doc["signed_in"].as_array().unwrap().len(),
        2,
        "the session and the token"
    );
    let outcomes: Vec<&str> = doc["sign_in_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert!(outcomes.contains(&"signed_in") && outcomes.contains(&"code_sent"));
    assert!(
        doc["audit"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "grant_staff"),
        "{}",
        doc["audit"]
    );

    // no secret: not the token, nor any stored hash
    let hashes: Vec<String> = sessions::table
        .select(sessions::token_hash)
        .load(&mut app.conn())
        .unwrap()
        .into_iter()
        .chain(
            api_tokens::table
                .select(api_tokens::token_hash)
                .load(&mut app.conn())
                .unwrap(),
        )
        .collect();
    assert!(!body.contains(&token));
    assert!(hashes.iter().all(|h| !body.contains(h.as_str())));

    // the API gives the same document
    let (status, _, api_doc) = app
        .api(Method::GET, "/api/v1/me/export", None, Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    let keys = |d: &serde_json::Value| d.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&api_doc), keys(&doc));
    assert_eq!(api_doc["account"], doc["account"]);
    let (status, _, _) = app.api(Method::GET, "/api/v1/me/export", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

crate::on_both_backends!(the_export_holds_everything_about_the_person_and_no_secret);
