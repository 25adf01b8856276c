//! `GET/POST /login`: the phone form; posting it sends a code.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use super::{
    page::{PageCtx, phone_hint, render, render_refused, require_csrf},
    session::TypedSession,
};
use crate::{
    domain::{
        client::ClientInfo,
        invite_code::{self, InviteCode},
        phone,
        refusal::SendRefused,
    },
    http::{
        error::AppError,
        refusal::{Refusal, Refused},
        respond::see_other,
    },
    state::AppState,
};

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub ctx: PageCtx,
    pub phone: String,
    pub hint: String,
    pub error: Option<String>,
    pub notice: Option<String>,
    /// The invite code the person signs in to accept (from an invite link), carried by the
    /// form.
    pub invite: Option<String>,
}

fn page(
    req: &HttpRequest,
    state: &AppState,
    phone: String,
    invite: Option<InviteCode>,
    refused: Option<&Refused>,
) -> LoginPage {
    let ctx = PageCtx::new(req, state, false);
    let hint = phone_hint(&ctx, state);
    let invite = invite.map(|c| c.as_str().to_owned());
    LoginPage {
        error: refused.map(|r| r.text(&ctx.tr)),
        notice: invite.as_ref().map(|code| {
            ctx.tr
                .args("login-invitation", &[("code", code.clone().into())])
        }),
        invite,
        ctx,
        phone,
        hint,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginQuery {
    deleted: Option<String>,
    /// From an invite link's "Sign in to accept".
    invite: Option<String>,
}

/// The phone form, and the invite code it carries.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    csrf: String,
    phone: String,
    invite: Option<String>,
}

pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    let invite = query
        .invite
        .as_deref()
        .and_then(|c| InviteCode::parse(c).ok());
    if session.token().is_some() {
        return Ok(see_other(&invite.map_or_else(
            || "/profile".to_owned(),
            |code| invite_code::link_path(code.as_str()),
        )));
    }
    // "use a different number" comes back here with the last number filled in
    let phone = session
        .pending_phone()
        .map(|p| phone::display_e164(&p))
        .unwrap_or_default();
    let mut page = page(&req, &state, phone, invite, None);
    if query.deleted.is_some() {
        page.notice = Some(page.ctx.t("account-deleted"));
    }
    render(StatusCode::OK, &page)
}

pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    client: ClientInfo,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let typed: String = form.phone.chars().take(64).collect();
    let invite = form
        .invite
        .as_deref()
        .and_then(|c| InviteCode::parse(c).ok());
    let phone = match state.phone_policy.parse(&typed) {
        Ok(p) => p,
        Err(e) => {
            let refused = e.refused();
            let page = page(&req, &state, typed, invite, Some(&refused));
            return render_refused(&refused, &page);
        }
    };
    let tr = PageCtx::translator(&req, &state);
    match state.app.sign_in.request_code(&phone, &client, &tr).await? {
        // a code was sent moments ago: the code page says when another may be asked for
        Ok(_) | Err(SendRefused::ResendTooSoon { .. }) => {
            session
                .set_pending_phone(phone.as_e164())
                .and_then(|()| session.set_pending_invite(invite.as_ref().map(|c| c.as_str())))
                .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(see_other("/login/code"))
        }
        Err(refusal) => {
            let refused = refusal.refused();
            render_refused(
                &refused,
                &page(&req, &state, phone.display(), invite, Some(&refused)),
            )
        }
    }
}
