//! Email addresses verified by a link: real SMTP conversations with a receiver started by the
//! test, the link read from the received mail; the outbox's retries; the limits; the API.

use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use user_auth::{
    clock::Clock,
    db::schema::{email_verifications, sms_messages, users},
};

use crate::{
    helpers::{Backend, Options, TestApp, csrf_from, expect_page, location},
    smtp_receiver::SmtpReceiver,
};

const PHONE: &str = "+998901234567";

async fn spawn(backend: Backend) -> Option<(TestApp, SmtpReceiver)> {
    let smtp = SmtpReceiver::start();
    let options = Options {
        mail: Some(smtp.settings()),
        ..Options::default()
    };
    let app = TestApp::spawn_with(backend, options).await?;
    Some((app, smtp))
}

/// Asks for a link to `email` from the profile form.
async fn ask(app: &TestApp, email: &str) -> reqwest::Response {
    let csrf = csrf_from(&app.get_html("/profile").await);
    app.post_form("/profile/email", &[("csrf", &csrf), ("email", email)])
        .await
}

/// Opens the link (the page with its button) and presses the button.
async fn open_link(app: &TestApp, path: &str) -> reqwest::Response {
    let page = app.get_html(path).await;
    let token = path.split("token=").nth(1).unwrap();
    assert!(
        page.contains(&format!(r#"name="token" value="{token}""#)),
        "{page}"
    );
    app.post_form(
        "/email/verify",
        &[("csrf", &csrf_from(&page)), ("token", token)],
    )
    .await
}

fn stored_email(app: &TestApp) -> Option<String> {
    users::table
        .filter(users::phone.eq(PHONE))
        .select(users::email)
        .first(&mut app.conn())
        .unwrap()
}

async fn an_address_is_verified_by_the_link_in_a_real_mail(backend: Backend) {
    let Some((app, smtp)) = spawn(backend).await else {
        return;
    };
    app.sign_in(PHONE, PHONE).await;
    let res = ask(&app, "  Aziza.K@Example.UZ ").await;
    assert_eq!(location(&res), "/profile?email=sent#email");
    let page = app.get_html("/profile?email=sent").await;
    assert!(page.contains("We mailed a confirmation link."));
    assert!(
        page.contains(r#"<dd id="email-pending">Aziza.K@example.uz</dd>"#),
        "{page}"
    );
    assert!(page.contains(r#"<dd id="email-verified">not set</dd>"#));

    // one real SMTP conversation: from the configured sender, to the address, a subject, a
    // Message-ID, and the link
    assert!(smtp.wait_for(1).await, "the mail arrives");
    let mail = &smtp.received_by("Aziza.K@example.uz")[0];
    assert_eq!(mail.from, "noreply@example.com");
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Confirm your email address for user-auth")
    );
    assert!(
        mail.header("Message-ID")
            .is_some_and(|id| id.ends_with("@user-auth>"))
    );
    let path = mail.link_path();
    let token = mail.token();
    assert_eq!(token.len(), 64, "256 bits");

    // only the token's hash is stored
    let hashes: Vec<String> = email_verifications::table
        .select(email_verifications::token_hash)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(hashes.len(), 1);
    assert_ne!(hashes[0], token);
    // the outbox keeps no readable link once the mail is sent (the worker records its round
    // just after the server took the mail)
    let sent_row = || {
        sms_messages::table
            .filter(sms_messages::channel.eq("email"))
            .select((sms_messages::state, sms_messages::body))
            .first::<(String, Vec<u8>)>(&mut app.conn())
            .unwrap()
    };
    for _ in 0..200 {
        if sent_row().0 == "sent" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(sent_row(), ("sent".to_owned(), Vec::new()));

    // opening the link changes nothing by itself (a mail scanner may follow it)
    let _ = app.get_html(&path).await;
    assert_eq!(stored_email(&app), None);
    let res = open_link(&app, &path).await;
    expect_page(
        res,
        StatusCode::OK,
        "Your address Aziza.K@example.uz is confirmed.",
    )
    .await;
    assert_eq!(stored_email(&app).as_deref(), Some("Aziza.K@example.uz"));
    let page = app.get_html("/profile").await;
    assert!(page.contains(r#"<dd id="email-verified">Aziza.K@example.uz</dd>"#));
    assert!(!page.contains("email-pending"));

    // single use
    let res = open_link(&app, &path).await;
    expect_page(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "This link cannot be used",
    )
    .await;
    // a made-up or mangled token
    let res = app.get(&format!("{path}x")).await;
    assert_eq!(res.status(), StatusCode::OK, "a page, never a 5xx");
    let page = app.get_html("/email/verify?token=%3Cscript%3E").await;
    assert!(page.contains("This link cannot be used") && !page.contains("<script>"));

    // staff see it
    app.make_staff(PHONE);
    let id = app.user(PHONE).unwrap().id;
    let page = app.get_html(&format!("/admin/users/{id}")).await;
    assert!(page.contains("Aziza.K@example.uz (confirmed"), "{page}");

    // wrong input: translated, nothing sent
    let sent = smtp.received().len();
    for (typed, message) in [
        ("", "Enter an email address."),
        ("aziza", "Enter an email address like name@example.com."),
        (
            "a@b.uz\r\nBcc: x@example.com",
            "Enter an email address like name@example.com.",
        ),
        (
            "Aziza.K@example.uz",
            "This is your confirmed address already.",
        ),
    ] {
        expect_page(
            ask(&app, typed).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            message,
        )
        .await;
    }
    // (a mail would have been sent at once: the worker is woken by each one)
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(smtp.received().len(), sent, "no mail for refused input");

    // removing it
    let csrf = csrf_from(&app.get_html("/profile").await);
    let res = app
        .post_form("/profile/email/remove", &[("csrf", &csrf)])
        .await;
    assert_eq!(location(&res), "/profile?email=removed#email");
    assert_eq!(stored_email(&app), None);
}

async fn the_old_address_stays_until_the_new_one_is_verified(backend: Backend) {
    let Some((app, smtp)) = spawn(backend).await else {
        return;
    };
    app.sign_in(PHONE, PHONE).await;
    ask(&app, "old@example.com").await;
    assert!(smtp.wait_for(1).await);
    open_link(&app, &smtp.received()[0].link_path()).await;
    assert_eq!(stored_email(&app).as_deref(), Some("old@example.com"));

    ask(&app, "new@example.com").await;
    assert!(smtp.wait_for(2).await);
    let first_new = smtp.received()[1].link_path();
    let page = app.get_html("/profile").await;
    assert!(page.contains(r#"<dd id="email-verified">old@example.com</dd>"#));
    assert!(page.contains(r#"<dd id="email-pending">new@example.com</dd>"#));
    assert_eq!(stored_email(&app).as_deref(), Some("old@example.com"));

    // a newer link retires the older one
    ask(&app, "newer@example.com").await;
    assert!(smtp.wait_for(3).await);
    let res = open_link(&app, &first_new).await;
    expect_page(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a newer one was sent",
    )
    .await;
    assert_eq!(stored_email(&app).as_deref(), Some("old@example.com"));

    // after 24 hours a link is dead
    let newer = smtp.received()[2].link_path();
    app.advance(24 * 3600);
    let res = open_link(&app, &newer).await;
    expect_page(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "This link has expired.",
    )
    .await;
    assert_eq!(stored_email(&app).as_deref(), Some("old@example.com"));
    let page = app.get_html("/profile").await;
    assert!(!page.contains("email-pending"), "nothing waits any more");

    // links older than the retention period are purged
    app.advance(100 * 24 * 3600);
    let now = app.clock.now();
    let limits = app.settings.limits.clone();
    let purged = user_auth::app::retention::purge(&mut app.conn(), now, &limits).unwrap();
    assert_eq!(purged.email_links, 3);
    assert_eq!(
        stored_email(&app).as_deref(),
        Some("old@example.com"),
        "the address stays"
    );
}

/// Someone signed in to many accounts cannot mail one address without end, and one account
/// cannot mail many addresses without end.
async fn links_are_limited_per_account_and_per_address(backend: Backend) {
    let Some((app, smtp)) = spawn(backend).await else {
        return;
    };
    app.sign_in(PHONE, PHONE).await;
    for i in 0..5 {
        let res = ask(&app, &format!("a{i}@example.com")).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "link {i}");
    }
    let res = ask(&app, "a5@example.com").await;
    assert!(res.headers().get("retry-after").is_some());
    expect_page(
        res,
        StatusCode::TOO_MANY_REQUESTS,
        "Too many confirmation links were sent for your account.",
    )
    .await;

    // one address, many accounts
    let victim = "victim@example.com";
    let mut refused = 0;
    for i in 0..5 {
        let browser = app.browser_at(&format!("198.51.100.{}", i + 1));
        let phone = format!("+99890300000{i}");
        app.sign_in_with(&browser, &phone).await;
        let page = browser.get(app.url("/profile")).send().await.unwrap();
        let csrf = csrf_from(&page.text().await.unwrap());
        let res = browser
            .post(app.url("/profile/email"))
            .form(&[("csrf", csrf.as_str()), ("email", victim)])
            .send()
            .await
            .unwrap();
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    assert_eq!(refused, 2, "3 links per address per hour");
    assert!(smtp.wait_for(8).await);
    assert_eq!(smtp.received_by(victim).len(), 3);

    // an hour on, the account may ask again
    app.advance(3601);
    assert_eq!(
        ask(&app, "a5@example.com").await.status(),
        StatusCode::SEE_OTHER
    );
}

/// Mail goes through the outbox: a server that answers "try again later" gets the mail later;
/// one that refuses it for good does not get it again.
async fn mail_is_retried_through_the_outbox(backend: Backend) {
    let Some((app, smtp)) = spawn(backend).await else {
        return;
    };
    app.sign_in(PHONE, PHONE).await;
    smtp.fail_next(2);
    ask(&app, "later@example.com").await;
    // each try waits its backoff: move the clock on until the mail is sent (bounded)
    let row = || {
        sms_messages::table
            .filter(sms_messages::phone.eq("later@example.com"))
            .select((
                sms_messages::state,
                sms_messages::attempts,
                sms_messages::provider,
            ))
            .first::<(String, i32, Option<String>)>(&mut app.conn())
            .unwrap()
    };
    for _ in 0..40 {
        if row().0 == "sent" {
            break;
        }
        app.advance(120);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(smtp.received_by("later@example.com").len(), 1);
    assert_eq!(row(), ("sent".to_owned(), 3, Some("smtp".to_owned())));

    // staff see it on the outbox page, as mail
    app.make_staff(PHONE);
    let page = app.get_html("/admin/outbox").await;
    assert!(page.contains("later@example.com"), "{page}");

    // refused for good: given up at once
    smtp.refuse_next(1);
    let conversations = smtp.conversations();
    ask(&app, "nobody@example.com").await;
    assert!(smtp.wait_for_conversations(conversations + 1).await);
    let row = || {
        sms_messages::table
            .filter(sms_messages::phone.eq("nobody@example.com"))
            .select((sms_messages::state, sms_messages::last_error))
            .first::<(String, Option<String>)>(&mut app.conn())
            .unwrap()
    };
    for _ in 0..200 {
        if row().0 != "sending" && row().0 != "pending" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let (state, last_error) = row();
    assert_eq!(state, "failed");
    assert!(last_error.unwrap_or_default().contains("550"));
    // and it is not tried again
    app.advance(600);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(smtp.conversations(), conversations + 1);
    assert!(smtp.received_by("nobody@example.com").is_empty());
}

async fn the_api_sets_verifies_and_removes_an_address(backend: Backend) {
    let Some((app, smtp)) = spawn(backend).await else {
        return;
    };
    let token = app.api_token(PHONE).await;
    let put =
        |body: &'static str| app.api(Method::PUT, "/api/v1/me/email", Some(body), Some(&token));
    let (status, _, json) = put(r#"{"email":"not an address"}"#).await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("email_invalid"))
    );
    let (status, _, json) = put(r#"{"email":"api@example.com"}"#).await;
    assert_eq!(
        (status, &json["expires_in_seconds"]),
        (StatusCode::ACCEPTED, &serde_json::json!(86400))
    );
    let (_, _, me) = app.api(Method::GET, "/api/v1/me", None, Some(&token)).await;
    assert_eq!(
        (&me["email"], me["pending_email"].as_str()),
        (&serde_json::Value::Null, Some("api@example.com"))
    );

    assert!(smtp.wait_for(1).await);
    let link = smtp.received()[0].token();
    let verify = async |t: String| {
        let body = format!(r#"{{"token":"{t}"}}"#);
        app.api(Method::POST, "/api/v1/email/verify", Some(&body), None)
            .await
    };
    let (status, _, json) = verify("zz".into()).await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("link_invalid"))
    );
    let (status, _, json) = verify(link.clone()).await;
    assert_eq!(
        (status, json["email"].as_str()),
        (StatusCode::OK, Some("api@example.com"))
    );
    let (status, _, json) = verify(link).await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("link_invalid"))
    );
    let (_, _, me) = app.api(Method::GET, "/api/v1/me", None, Some(&token)).await;
    assert_eq!(me["email"].as_str(), Some("api@example.com"));
    assert!(me["email_verified_at"].is_string());

    // the export holds it
    let (_, _, export) = app
        .api(Method::GET, "/api/v1/me/export", None, Some(&token))
        .await;
    assert_eq!(export["account"]["email"].as_str(), Some("api@example.com"));

    let (status, _, me) = app
        .api(Method::DELETE, "/api/v1/me/email", None, Some(&token))
        .await;
    assert_eq!(
        (status, &me["email"]),
        (StatusCode::OK, &serde_json::Value::Null)
    );

    // a deleted account keeps no address and no link
    put(r#"{"email":"api2@example.com"}"#).await;
    app.advance(61);
    let (status, _, _) = app
        .api(Method::POST, "/api/v1/me/delete/code", None, Some(&token))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    app.sms.wait(200);
    let body = format!(r#"{{"code":"{}"}}"#, app.last_code(PHONE));
    let (status, _, _) = app
        .api(Method::POST, "/api/v1/me/delete", Some(&body), Some(&token))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let links: i64 = email_verifications::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(links, 0);
}

/// `SMTP_SECURITY=starttls` against a server that does not offer STARTTLS: nothing is sent in
/// the clear; the mail waits in the outbox with the reason, to be tried again.
#[actix_web::test]
async fn starttls_sends_nothing_to_a_server_without_it() {
    let smtp = SmtpReceiver::start();
    let mut mail = smtp.settings();
    if let user_auth::config::MailBackend::Smtp { security, .. } = &mut mail.backend {
        *security = user_auth::config::SmtpTls::StartTls;
    }
    let options = Options {
        mail: Some(mail),
        ..Options::default()
    };
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, options).await else {
        return;
    };
    app.sign_in(PHONE, PHONE).await;
    ask(&app, "plain@example.com").await;
    assert!(smtp.wait_for_conversations(1).await, "the client connects");
    let row = || {
        sms_messages::table
            .filter(sms_messages::phone.eq("plain@example.com"))
            .select((sms_messages::state, sms_messages::last_error))
            .first::<(String, Option<String>)>(&mut app.conn())
            .unwrap()
    };
    for _ in 0..200 {
        if row().1.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let (state, error) = row();
    assert_eq!(state, "pending", "to be tried again");
    assert!(error.is_some());
    assert!(smtp.received().is_empty(), "nothing went in the clear");
}

crate::on_both_backends!(
    an_address_is_verified_by_the_link_in_a_real_mail,
    the_old_address_stays_until_the_new_one_is_verified,
    links_are_limited_per_account_and_per_address,
    mail_is_retried_through_the_outbox,
    the_api_sets_verifies_and_removes_an_address,
);
