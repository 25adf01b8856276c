//! `app.accounts`: creating accounts and reading a person's profile.

use std::sync::{Arc, Mutex};

use user_auth::{
    app::Error,
    domain::{account::Credential, invite_code::InviteCodeGenerator, limits::Limits},
};

use super::{UseCases, client, phone};
use crate::helpers::Backend;

const A: &str = "+998901250001";
const B: &str = "+998901250002";

/// Hands out the listed codes, then repeats the last one.
struct Codes(Mutex<Vec<&'static str>>);

impl InviteCodeGenerator for Codes {
    fn generate(&self) -> String {
        let mut codes = self.0.lock().unwrap();
        if codes.len() > 1 {
            codes.remove(0).to_owned()
        } else {
            codes[0].to_owned()
        }
    }
}

fn with_codes(backend: Backend, codes: Vec<&'static str>) -> Option<UseCases> {
    UseCases::with(
        backend,
        Limits::default(),
        Arc::new(Codes(Mutex::new(codes))),
    )
}

async fn the_profile_names_the_code_its_owner_entered(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let a = uc.create_user(A);
    let b = uc.create_user(B);
    let before = uc.app.accounts.profile(a.clone()).await.unwrap();
    assert_eq!(before.entered_code, None);
    assert_eq!(before.user, a);

    uc.app
        .invites
        .enter(
            &a,
            user_auth::domain::invite_code::InviteCode::parse(&b.invite_code).unwrap(),
            &client("10.0.0.1"),
            &super::english(),
        )
        .await
        .unwrap()
        .unwrap();

    let after = uc.app.accounts.profile(uc.user(A).unwrap()).await.unwrap();
    assert_eq!(after.entered_code, Some(b.invite_code));
    assert_eq!(after.user.invited_by_id, Some(b.id));
}

async fn a_taken_invite_code_is_drawn_again(backend: Backend) {
    let Some(uc) = with_codes(backend, vec!["AAAAAA", "AAAAAA", "BBBBBB"]) else {
        return;
    };
    let from = client("10.0.0.1");
    uc.sign_in(&phone(A), &from, Credential::WebSession).await;
    uc.sign_in(&phone(B), &from, Credential::WebSession).await;
    assert_eq!(uc.user(A).unwrap().invite_code, "AAAAAA");
    assert_eq!(uc.user(B).unwrap().invite_code, "BBBBBB");
}

async fn running_out_of_codes_is_unavailable_and_creates_nothing(backend: Backend) {
    let Some(uc) = with_codes(backend, vec!["SAME00"]) else {
        return;
    };
    let from = client("10.0.0.1");
    uc.sign_in(&phone(A), &from, Credential::WebSession).await;
    let b = phone(B);
    uc.request(&b, &from).await.unwrap();
    let res = uc
        .app
        .sign_in
        .verify(&b, uc.last_code(&b), &from, Credential::WebSession, None)
        .await;
    assert!(matches!(res, Err(Error::Unavailable)), "{res:?}");
    assert!(uc.user(B).is_none());
}

async fn creating_an_existing_number_answers_that_account(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let first = uc.create_user(A);
    let again = uc.create_user(A);
    assert_eq!(first, again);
}

async fn a_name_is_set_normalised_and_removed(backend: Backend) {
    use user_auth::domain::name::DisplayName;
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let me = uc.create_user(A);
    let name = DisplayName::parse(" Ame\u{301}lie ").unwrap();

    let profile = uc.app.accounts.set_name(me.clone(), name).await.unwrap();

    assert_eq!(profile.user.display_name.as_deref(), Some("Am\u{e9}lie"));
    assert_eq!(
        uc.user(A).unwrap().display_name.as_deref(),
        Some("Am\u{e9}lie")
    );
    let profile = uc.app.accounts.set_name(me, None).await.unwrap();
    assert_eq!(profile.user.display_name, None);
    assert_eq!(uc.user(A).unwrap().display_name, None);
}

crate::on_both_backends!(
    a_name_is_set_normalised_and_removed,
    the_profile_names_the_code_its_owner_entered,
    a_taken_invite_code_is_drawn_again,
    running_out_of_codes_is_unavailable_and_creates_nothing,
    creating_an_existing_number_answers_that_account,
);
