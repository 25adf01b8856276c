//! A person moves their account to a new number, or deletes it: each confirmed with a code that
//! serves only that change, under every rule of a sign-in code; pages, API and admin.

use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use user_auth::{
    clock::Clock,
    db::schema::{audit_log, login_codes, sessions, users},
};

use crate::helpers::{Backend, TestApp, csrf_from, expect_page, location, wrong_for};

const INVITER: &str = "+998901110000";
const PHONE: &str = "+998901234567";
const NEW: &str = "+998907654321";
const INVITEE: &str = "+998903330000";

/// (action, actor label, target label) of every audit row, oldest first.
fn audit(app: &TestApp) -> Vec<(String, String, String)> {
    audit_log::table
        .order(audit_log::id.asc())
        .select((
            audit_log::action,
            audit_log::actor_label,
            audit_log::target_label,
        ))
        .load(&mut app.conn())
        .unwrap()
}

/// Asks for a code to `phone` from the profile's "change number" form.
async fn ask_to_move(app: &TestApp, phone: &str) -> reqwest::Response {
    let csrf = csrf_from(&app.get_html("/profile/phone").await);
    let res = app
        .post_form("/profile/phone", &[("csrf", &csrf), ("phone", phone)])
        .await;
    app.sms.wait(200);
    res
}

/// Types `code` at the change-number code step for `phone`.
async fn confirm_move(app: &TestApp, phone: &str, code: &str) -> reqwest::Response {
    let csrf = csrf_from(&app.get_html("/profile/phone").await);
    app.post_form(
        "/profile/phone/confirm",
        &[("csrf", &csrf), ("phone", phone), ("code", code)],
    )
    .await
}

async fn ask_to_delete(app: &TestApp) -> reqwest::Response {
    let csrf = csrf_from(&app.get_html("/profile/delete").await);
    let res = app
        .post_form("/profile/delete/code", &[("csrf", &csrf)])
        .await;
    app.sms.wait(200);
    res
}

async fn confirm_delete(app: &TestApp, code: &str) -> reqwest::Response {
    let csrf = csrf_from(&app.get_html("/profile/delete").await);
    app.post_form("/profile/delete", &[("csrf", &csrf), ("code", code)])
        .await
}

/// PHONE signed in on the web, invited by INVITER, and INVITEE invited by PHONE.
async fn person_with_links(app: &TestApp) -> (i64, i64, i64) {
    let inviter = app.create_user(INVITER);
    app.sign_in(PHONE, PHONE).await;
    let me = app.user(PHONE).unwrap();
    app.activate(me.id, &inviter.invite_code);
    let invitee = app.create_user(INVITEE);
    app.activate(invitee.id, &me.invite_code);
    (inviter.id, me.id, invitee.id)
}

async fn a_person_moves_to_a_new_number_and_keeps_everything(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (inviter, me, invitee) = person_with_links(&app).await;
    let invite_code = app.user(PHONE).unwrap().invite_code;

    let page = expect_page(
        ask_to_move(&app, NEW).await,
        StatusCode::OK,
        "We sent a code to",
    )
    .await;
    assert!(page.contains(&format!(r#"name="phone" value="{NEW}""#)));
    let code = app.last_code(NEW);
    assert!(
        app.sms.messages_to(NEW)[0]
            .text
            .contains("to move your account"),
        "the text says what the code is for"
    );

    // a wrong code changes nothing and says how many tries remain
    let res = confirm_move(&app, NEW, wrong_for(&code)).await;
    expect_page(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "You have 2 more tries.",
    )
    .await;
    assert!(app.user(PHONE).is_some() && app.user(NEW).is_none());

    let res = confirm_move(&app, NEW, &code).await;
    assert_eq!(location(&res), "/profile?phone=1");
    let page = app.get_html("/profile?phone=1").await;
    assert!(page.contains("Your number is changed."), "{page}");
    assert!(
        page.contains("+998 90 765 43 21"),
        "the new number is shown"
    );

    // same id, code and links both ways; the session goes on
    let moved = app.user(NEW).expect("the account has the new number");
    assert_eq!(
        (moved.id, &moved.invite_code, moved.invited_by_id),
        (me, &invite_code, Some(inviter))
    );
    let invitee_row = users::table
        .find(invitee)
        .select(users::invited_by_id)
        .first::<Option<i64>>(&mut app.conn())
        .unwrap();
    assert_eq!(invitee_row, Some(me));
    assert!(app.user(PHONE).is_none(), "the old number is free");

    // the old number is told, without the new number in full
    let notices = app.sms.messages_to(PHONE);
    let notice = &notices.last().expect("a notice to the old number").text;
    assert!(notice.contains("ending in 21"), "{notice}");
    assert!(!notice.contains("7654321"), "{notice}");

    // audited: who, from which number to which
    assert_eq!(
        audit(&app).last().unwrap(),
        &("change_phone".to_owned(), PHONE.to_owned(), NEW.to_owned())
    );

    // the old number now starts a new account; the moved one signs in with the new number
    app.advance(61);
    let (browser, _) = app.new_browser();
    app.sign_in_with(&browser, PHONE).await;
    assert_ne!(app.user(PHONE).unwrap().id, me);
    let (browser, _) = app.new_browser();
    app.sign_in_with(&browser, NEW).await;
    assert_eq!(app.user(NEW).unwrap().id, me);
}

async fn a_code_serves_only_what_it_was_sent_for(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.sign_in(PHONE, PHONE).await;
    let (other, _) = app.new_browser();

    // a sign-in code for NEW does not move anyone there
    assert_eq!(
        app.request_code_with(&other, NEW).await.status(),
        StatusCode::SEE_OTHER
    );
    app.sms.wait(200);
    let sign_in_code = app.last_code(NEW);
    let res = confirm_move(&app, NEW, &sign_in_code).await;
    expect_page(res, StatusCode::UNPROCESSABLE_ENTITY, "Ask for a new code.").await;
    assert!(app.user(PHONE).is_some());

    // a code to move to NEW2 signs no one in at NEW2
    let new2 = "+998907654322";
    app.advance(61);
    assert_eq!(ask_to_move(&app, new2).await.status(), StatusCode::OK);
    let move_code = app.last_code(new2);
    // (a browser would have to ask for a sign-in code first, which retires the move code: the
    // move code is tried through the API, which takes any number with any code)
    let body = format!(r#"{{"phone":"{new2}","code":"{move_code}"}}"#);
    let (status, _, json) = app
        .api(Method::POST, "/api/v1/auth/token", Some(&body), None)
        .await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("otp_used_up"))
    );
    assert!(app.user(new2).is_none(), "no account was made at NEW2");

    // and a deletion code moves no one
    app.advance(61);
    assert_eq!(ask_to_delete(&app).await.status(), StatusCode::OK);
    let delete_code = app.last_code(PHONE);
    let res = confirm_move(&app, PHONE, &delete_code).await;
    expect_page(res, StatusCode::UNPROCESSABLE_ENTITY, "Ask for a new code.").await;
    assert!(app.user(PHONE).is_some(), "and deletes no one");
}

async fn a_number_with_an_account_is_refused_only_after_its_code(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.sign_in(PHONE, PHONE).await;
    let taken = app.create_user(NEW);

    // asking answers as for a free number: it tells no one whether the number has an account
    let page = expect_page(
        ask_to_move(&app, NEW).await,
        StatusCode::OK,
        "We sent a code to",
    )
    .await;
    assert!(!page.contains("another account"));
    let res = confirm_move(&app, NEW, &app.last_code(NEW)).await;
    let page = expect_page(
        res,
        StatusCode::CONFLICT,
        "This number belongs to another account.",
    )
    .await;
    assert!(!page.contains(&taken.invite_code), "not whose");
    assert_eq!(app.user(NEW).unwrap().id, taken.id);
    assert!(app.user(PHONE).is_some());
    assert!(
        !audit(&app).iter().any(|(a, _, _)| a == "change_phone"),
        "nothing changed"
    );

    // one's own number
    let res = ask_to_move(&app, "+998 90 123 45 67").await;
    expect_page(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "That is your number already.",
    )
    .await;
    // not a number
    let res = ask_to_move(&app, "12").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // no CSRF token
    let res = app
        .post_form("/profile/phone", &[("csrf", "forged"), ("phone", NEW)])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // signed out: to the sign-in page
    let (stranger, _) = app.new_browser();
    let res = stranger
        .get(app.url("/profile/phone"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

/// An attacker signed in to many accounts asks for codes to one victim number from many
/// addresses: the victim number's own limits count them, and its owner still signs in.
async fn change_codes_count_in_the_new_numbers_limits(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let victim = NEW;
    let mut refused = 0;
    for i in 0..8 {
        let attacker = format!("+99890200000{i}");
        let browser = app.browser_at(&format!("198.51.100.{}", i + 1));
        app.sign_in_with(&browser, &attacker).await;
        let csrf = {
            let res = browser.get(app.url("/profile/phone")).send().await.unwrap();
            csrf_from(&res.text().await.unwrap())
        };
        let res = browser
            .post(app.url("/profile/phone"))
            .form(&[("csrf", csrf.as_str()), ("phone", victim)])
            .send()
            .await
            .unwrap();
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
        app.advance(61);
    }
    // 5 codes per number per hour, whatever they are for
    assert_eq!(refused, 3, "codes 6, 7 and 8 to the number are refused");
    let to_victim = login_codes::table
        .filter(login_codes::phone.eq(victim))
        .count()
        .get_result::<i64>(&mut app.conn())
        .unwrap();
    assert_eq!(to_victim, 5);
    // the hour passes; the owner of the number signs in from their own address
    app.advance(3600);
    let owner = app.browser_at("203.0.113.9");
    app.sign_in_with(&owner, victim).await;
    assert!(app.user(victim).is_some());
}

async fn a_person_deletes_their_account(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (inviter, me, invitee) = person_with_links(&app).await;
    let invite_code = app.user(PHONE).unwrap().invite_code;
    app.advance(61);
    let token = app.api_token(PHONE).await;
    app.advance(61);

    let page = expect_page(
        ask_to_delete(&app).await,
        StatusCode::OK,
        "We sent a code to",
    )
    .await;
    assert!(page.contains("Delete my account for good"));
    let code = app.last_code(PHONE);
    assert!(
        app.sms
            .messages_to(PHONE)
            .last()
            .unwrap()
            .text
            .contains("DELETE")
    );
    let res = confirm_delete(&app, wrong_for(&code)).await;
    expect_page(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "You have 2 more tries.",
    )
    .await;
    assert!(app.user(PHONE).is_some(), "a wrong code deletes nothing");

    let res = confirm_delete(&app, &code).await;
    assert_eq!(location(&res), "/login?deleted=1");
    let page = app.get_html("/login?deleted=1").await;
    assert!(page.contains("Your account is deleted."));

    // signed out everywhere
    assert_eq!(
        app.get("/profile").await.status(),
        StatusCode::SEE_OTHER,
        "the browser is signed out"
    );
    let (status, _, _) = app.api(Method::GET, "/api/v1/me", None, Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the API token ended");
    let left: i64 = sessions::table
        .filter(sessions::user_id.eq(me))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(left, 0);

    // the inviter's count and list lose the entry; the invitee keeps theirs
    let count: i64 = users::table
        .find(inviter)
        .select(users::invitee_count)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(count, 0);
    let row: (Option<i64>, String, Option<String>, bool) = users::table
        .find(me)
        .select((
            users::invited_by_id,
            users::phone,
            users::display_name,
            users::is_active,
        ))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(row.0, None, "its own entry is gone");
    assert!(!row.1.contains("1234567"), "the number is gone: {}", row.1);
    let invitee_row: Option<i64> = users::table
        .find(invitee)
        .select(users::invited_by_id)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(invitee_row, Some(me), "the invitee keeps their entry");
    crate::helpers::assert_invite_invariants(&mut app.conn());

    // the invitee sees their entry as a deleted account's
    let (browser, _) = app.new_browser();
    app.sign_in_with(&browser, INVITEE).await;
    let page = browser
        .get(app.url("/profile"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&invite_code), "the code they entered");
    assert!(page.contains(r#"<span id="entered-deleted">a deleted account</span>"#));

    // audited without the number
    let (action, actor, target) = audit(&app).last().unwrap().clone();
    assert_eq!(action, "delete_account");
    let label = format!("#{me}");
    assert_eq!((&actor, &target), (&label, &label));

    // the number is free: signing in makes a new account (the number's limits go on: the
    // deletion code was its last code)
    app.advance(61);
    app.sign_in(PHONE, PHONE).await;
    let again = app.user(PHONE).unwrap();
    assert_ne!(again.id, me);
    assert_eq!(again.invited_by_id, None);
    // the deleted account's code takes no new entries
    let res = app.enter_code(&invite_code).await;
    expect_page(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "There is no account with this invite code.",
    )
    .await;
}

async fn the_last_owner_cannot_delete_their_account(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.make_owner(PHONE);
    app.sign_in(PHONE, PHONE).await;
    let sent_before = app.sms.messages_to(PHONE).len();
    let res = ask_to_delete(&app).await;
    expect_page(
        res,
        StatusCode::CONFLICT,
        ": make someone else an owner first.",
    )
    .await;
    assert_eq!(
        app.sms.messages_to(PHONE).len(),
        sent_before,
        "no code sent"
    );

    // with a second owner it can go; the last one still cannot
    app.make_owner(INVITER);
    app.advance(61);
    assert_eq!(ask_to_delete(&app).await.status(), StatusCode::OK);
    let res = confirm_delete(&app, &app.last_code(PHONE)).await;
    assert_eq!(location(&res), "/login?deleted=1");
    let owners: i64 = users::table
        .filter(users::is_owner.eq(true))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(owners, 1);
    let token = app.api_token(INVITER).await;
    let (status, _, json) = app
        .api(Method::POST, "/api/v1/me/delete/code", None, Some(&token))
        .await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::CONFLICT, Some("last_owner"))
    );
}

async fn staff_delete_an_account_from_the_admin(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let staff = app.make_staff(INVITER);
    let owner = app.make_owner("+998905550000");
    let person = app.create_user(PHONE);
    let (browser, _) = app.new_browser();
    app.sign_in_with(&browser, PHONE).await;
    app.sign_in(INVITER, INVITER).await;

    let page = app.get_html(&format!("/admin/users/{}", person.id)).await;
    assert!(page.contains(&format!("/admin/users/{}/delete", person.id)));
    let page = app
        .get_html(&format!("/admin/users/{}/delete", person.id))
        .await;
    assert!(page.contains("This cannot be undone."), "{page}");
    let csrf = csrf_from(&page);
    let res = app
        .post_form(
            &format!("/admin/users/{}/delete", person.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        location(&res),
        format!("/admin/users/{}?done=delete", person.id)
    );
    let page = app
        .get_html(&format!("/admin/users/{}?done=delete", person.id))
        .await;
    assert!(page.contains("The account is deleted."));
    assert!(page.contains(&format!("Deleted account #{}", person.id)));
    assert!(!page.contains("1234567"), "no number shown");
    // the person is signed out; the number is free; the list leaves them out
    let res = browser.get(app.url("/profile")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(app.user(PHONE).is_none());
    let list = app.get_html("/admin/users").await;
    assert!(!list.contains(&format!("/admin/users/{}\"", person.id)));
    // audited by the staff member, without the number
    assert_eq!(
        audit(&app).last().unwrap(),
        &(
            "delete_account".to_owned(),
            INVITER.to_owned(),
            format!("#{}", person.id)
        )
    );

    // not an owner, not themselves, not twice
    for (id, status) in [
        (owner.id, StatusCode::FORBIDDEN),
        (staff.id, StatusCode::FORBIDDEN),
        (person.id, StatusCode::NOT_FOUND),
    ] {
        let csrf = csrf_from(&app.get_html("/admin").await);
        let res = app
            .post_form(&format!("/admin/users/{id}/delete"), &[("csrf", &csrf)])
            .await;
        assert_eq!(res.status(), status, "deleting {id}");
    }
    assert!(app.user("+998905550000").is_some() && app.user(INVITER).is_some());
}

async fn the_api_moves_and_deletes_an_account(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.api_token(PHONE).await;
    let me = app.user(PHONE).unwrap();
    let call = async |path: &str, body: Option<String>| {
        app.api(Method::POST, path, body.as_deref(), Some(&token))
            .await
    };

    let (status, _, json) = call(
        "/api/v1/me/phone",
        Some(format!(r#"{{"phone":"{PHONE}"}}"#)),
    )
    .await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("phone_unchanged"))
    );
    let (status, _, json) = call("/api/v1/me/phone", Some(format!(r#"{{"phone":"{NEW}"}}"#))).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{json}");
    assert_eq!(json["expires_in_seconds"], 300);
    app.sms.wait(200);
    let code = app.last_code(NEW);
    let body = format!(r#"{{"phone":"{NEW}","code":"{}"}}"#, wrong_for(&code));
    let (status, _, json) = call("/api/v1/me/phone/confirm", Some(body)).await;
    assert_eq!(
        (status, json["code"].as_str(), &json["attempts_left"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("otp_wrong"),
            &serde_json::json!(2)
        )
    );
    let body = format!(r#"{{"phone":"{NEW}","code":"{code}"}}"#);
    let (status, _, json) = call("/api/v1/me/phone/confirm", Some(body)).await;
    assert_eq!(
        (status, json["phone"].as_str()),
        (StatusCode::OK, Some(NEW))
    );
    assert_eq!(app.user(NEW).unwrap().id, me.id);

    // taken: said after the code
    app.create_user(PHONE);
    app.advance(61);
    let (status, _, _) = call(
        "/api/v1/me/phone",
        Some(format!(r#"{{"phone":"{PHONE}"}}"#)),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    app.sms.wait(200);
    let body = format!(r#"{{"phone":"{PHONE}","code":"{}"}}"#, app.last_code(PHONE));
    let (status, _, json) = call("/api/v1/me/phone/confirm", Some(body)).await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::CONFLICT, Some("phone_taken"))
    );

    // deletion
    let (status, _, json) = call("/api/v1/me/delete/code", None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{json}");
    app.sms.wait(200);
    let code = app.last_code(NEW);
    let (status, _, json) = call("/api/v1/me/delete", Some(r#"{"code":"12"}"#.to_owned())).await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("otp_invalid"))
    );
    let (status, _, json) =
        call("/api/v1/me/delete", Some(format!(r#"{{"code":"{code}"}}"#))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{json}");
    let (status, _, _) = app.api(Method::GET, "/api/v1/me", None, Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(app.user(NEW).is_none());
}

/// What a deleted account keeps is bounded by the database itself, and a code's purpose names
/// its account.
async fn the_database_keeps_deleted_accounts_and_code_purposes_honest(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let user = app.create_user(PHONE);
    let now = app.clock.now();
    // deleted yet still staff, or still holding its number: refused
    let staff_deleted = diesel::update(users::table.find(user.id))
        .set((
            users::deleted_at.eq(Some(now)),
            users::is_active.eq(false),
            users::is_staff.eq(true),
            users::phone.eq("+000000000000042"),
        ))
        .execute(&mut app.conn());
    assert!(staff_deleted.is_err());
    let numbered = diesel::update(users::table.find(user.id))
        .set((users::deleted_at.eq(Some(now)), users::is_active.eq(false)))
        .execute(&mut app.conn());
    assert!(numbered.is_err(), "a deleted account keeps no number");
    // a code for a change names its account; a sign-in code names none
    let insert = |purpose: &str, user_id: Option<i64>| {
        diesel::insert_into(login_codes::table)
            .values((
                login_codes::phone.eq(NEW),
                login_codes::code_hmac.eq("x"),
                login_codes::created_at.eq(now),
                login_codes::expires_at.eq(now + chrono::TimeDelta::minutes(5)),
                login_codes::client_ip.eq("127.0.0.1"),
                login_codes::purpose.eq(purpose),
                login_codes::user_id.eq(user_id),
            ))
            .execute(&mut app.conn())
    };
    assert!(insert("change_phone", None).is_err());
    assert!(insert("sign_in", Some(user.id)).is_err());
    assert!(insert("anything", None).is_err());
    assert!(insert("change_phone", Some(user.id)).is_ok());
}

crate::on_both_backends!(
    a_person_moves_to_a_new_number_and_keeps_everything,
    a_code_serves_only_what_it_was_sent_for,
    a_number_with_an_account_is_refused_only_after_its_code,
    change_codes_count_in_the_new_numbers_limits,
    a_person_deletes_their_account,
    the_last_owner_cannot_delete_their_account,
    staff_delete_an_account_from_the_admin,
    the_api_moves_and_deletes_an_account,
    the_database_keeps_deleted_accounts_and_code_purposes_honest,
);
