//! `GET /profile`: the signed-in person's page.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;

use super::{PageCtx, render, see_other};
use crate::{
    auth, db, db::users::User, error::AppError, phone, session::TypedSession, startup::AppState,
};

#[derive(Template)]
#[template(path = "profile.html")]
pub struct ProfilePage {
    pub ctx: PageCtx,
    pub phone: String,
    pub invite_code: String,
    pub joined: String,
}

/// The signed-in user, or `None` (and a cleaned cookie) when the session is gone.
pub async fn current_user(
    state: &AppState,
    session: &TypedSession,
) -> Result<Option<User>, AppError> {
    let Some(token) = session.token() else {
        return Ok(None);
    };
    let (limits, now) = (state.auth.limits.clone(), state.clock.now());
    let user = db::run(&state.pool, move |conn| {
        auth::authenticate(conn, &limits, &token, now)
    })
    .await?;
    if user.is_none() {
        session.forget_token();
    }
    Ok(user)
}

pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
) -> Result<HttpResponse, AppError> {
    let Some(user) = current_user(&state, &session).await? else {
        return Ok(see_other("/login"));
    };
    let page = ProfilePage {
        ctx: PageCtx::new(&req, &state, true),
        phone: phone::display_e164(&user.phone),
        invite_code: user.invite_code,
        joined: user.date_joined.format("%Y-%m-%d").to_string(),
    };
    render(StatusCode::OK, &page)
}
