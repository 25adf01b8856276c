//! `app.credentials`: finding the person behind a session or token, and ending them.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use user_auth::{
    db::schema::{api_tokens, sessions},
    domain::{
        account::Credential,
        staff::{Action, Actor},
    },
};

use super::{UseCases, client, phone};
use crate::helpers::Backend;

const A: &str = "+998901240001";

fn last_seen(uc: &UseCases) -> NaiveDateTime {
    sessions::table
        .select(sessions::last_seen_at)
        .first(&mut uc.conn())
        .unwrap()
}

fn rows(uc: &UseCases) -> (i64, i64) {
    let mut conn = uc.conn();
    (
        sessions::table.count().get_result(&mut conn).unwrap(),
        api_tokens::table.count().get_result(&mut conn).unwrap(),
    )
}

async fn a_session_works_until_it_expires_and_its_row_then_goes(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let token = uc
        .sign_in(&phone(A), &client("10.0.0.1"), Credential::WebSession)
        .await;
    let user = uc.who(Credential::WebSession, token.clone()).await;
    assert_eq!(user.map(|u| u.phone).as_deref(), Some(A));
    assert_eq!(
        uc.who(Credential::WebSession, "0".repeat(32)).await,
        None,
        "an unknown token"
    );

    uc.advance(uc.limits.session_ttl.num_seconds() - 1);
    assert!(
        uc.who(Credential::WebSession, token.clone())
            .await
            .is_some()
    );
    uc.advance(1);
    assert_eq!(uc.who(Credential::WebSession, token).await, None);
    assert_eq!(rows(&uc), (0, 0), "the expired row is removed");
}

async fn last_seen_is_written_at_most_every_five_minutes(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let token = uc
        .sign_in(&phone(A), &client("10.0.0.1"), Credential::WebSession)
        .await;
    let signed_in_at = last_seen(&uc);
    uc.advance(299);
    uc.who(Credential::WebSession, token.clone()).await;
    assert_eq!(last_seen(&uc), signed_in_at);
    uc.advance(1);
    uc.who(Credential::WebSession, token).await;
    assert_eq!(last_seen(&uc), uc.now());
}

async fn signing_out_ends_that_session_only(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let (a, from) = (phone(A), client("10.0.0.1"));
    let first = uc.sign_in(&a, &from, Credential::WebSession).await;
    uc.advance(61);
    let second = uc.sign_in(&a, &from, Credential::WebSession).await;

    uc.end(Credential::WebSession, first.clone()).await;

    assert_eq!(uc.who(Credential::WebSession, first).await, None);
    assert!(uc.who(Credential::WebSession, second).await.is_some());
}

async fn a_new_sign_in_ends_the_session_it_replaces(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let (a, from) = (phone(A), client("10.0.0.1"));
    let first = uc.sign_in(&a, &from, Credential::WebSession).await;
    uc.advance(61);
    uc.request(&a, &from).await.unwrap();
    let second = uc
        .app
        .sign_in
        .verify(
            &a,
            uc.last_code(&a),
            &from,
            Credential::WebSession,
            Some(first.clone()),
        )
        .await
        .unwrap()
        .expect("signed in")
        .token;

    assert_eq!(uc.who(Credential::WebSession, first).await, None);
    assert!(uc.who(Credential::WebSession, second).await.is_some());
    assert_eq!(rows(&uc), (1, 0));
}

async fn a_revoked_token_stops_working_at_once(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let token = uc
        .sign_in(&phone(A), &client("10.0.0.1"), Credential::ApiToken)
        .await;
    assert!(uc.who(Credential::ApiToken, token.clone()).await.is_some());
    uc.end(Credential::ApiToken, token.clone()).await;
    assert_eq!(uc.who(Credential::ApiToken, token).await, None);
    assert_eq!(rows(&uc), (0, 0));
}

async fn a_blocked_person_loses_every_session_and_token(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let (a, from) = (phone(A), client("10.0.0.1"));
    let session = uc.sign_in(&a, &from, Credential::WebSession).await;
    uc.advance(61);
    let token = uc.sign_in(&a, &from, Credential::ApiToken).await;
    let user = uc.user(A).unwrap();
    // blocked behind the credentials' back: the next check ends them all
    diesel::update(user_auth::db::schema::users::table.find(user.id))
        .set(user_auth::db::schema::users::is_active.eq(false))
        .execute(&mut uc.conn())
        .unwrap();

    assert_eq!(uc.who(Credential::WebSession, session).await, None);
    assert_eq!(rows(&uc), (0, 0));
    assert_eq!(uc.who(Credential::ApiToken, token).await, None);

    // and blocking through staff ends them at once
    let act = |action| {
        user_auth::app::staff::perform(
            &mut uc.conn(),
            Actor::COMMAND_LINE,
            user.id,
            action,
            uc.now(),
        )
        .unwrap()
    };
    act(Action::Unblock);
    uc.advance(61);
    uc.sign_in(&a, &from, Credential::WebSession).await;
    assert_eq!(rows(&uc), (1, 0));
    act(Action::Block);
    assert_eq!(rows(&uc), (0, 0));
}

crate::on_both_backends!(
    a_session_works_until_it_expires_and_its_row_then_goes,
    last_seen_is_written_at_most_every_five_minutes,
    signing_out_ends_that_session_only,
    a_new_sign_in_ends_the_session_it_replaces,
    a_revoked_token_stops_working_at_once,
    a_blocked_person_loses_every_session_and_token,
);
