//! `GET /email/verify?token=…` (the link in the mail) shows a button; `POST /email/verify`
//! confirms the address. Opening the link changes nothing, so a mail scanner that follows it
//! does not use it up; the token alone says whose address it is, so the browser need not be
//! signed in.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use super::{
    page::{PageCtx, render, render_refused, require_csrf},
    session::TypedSession,
};
use crate::{
    domain::{refusal::LinkRefused, token::link_token},
    http::{error::AppError, refusal::Refusal},
    state::AppState,
};

#[derive(Template)]
#[template(path = "email_verify.html")]
pub struct VerifyPage {
    pub ctx: PageCtx,
    /// The token to confirm, at the first step.
    pub token: Option<String>,
    /// "Your address … is confirmed."
    pub verified: Option<String>,
    pub error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    csrf: String,
    token: String,
}

pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let signed_in = TypedSession::from_request(&req).token().is_some();
    let ctx = PageCtx::new(&req, &state, signed_in);
    let token = link_token(&query.token);
    let error = token
        .is_none()
        .then(|| LinkRefused::Invalid.refused().text(&ctx.tr));
    let page = VerifyPage {
        token,
        verified: None,
        error,
        ctx,
    };
    render(StatusCode::OK, &page)
}

pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let verified = match link_token(&form.token) {
        None => Err(LinkRefused::Invalid),
        Some(token) => state.app.emails.verify(token).await?,
    };
    let signed_in = TypedSession::from_request(&req).token().is_some();
    let ctx = PageCtx::new(&req, &state, signed_in);
    match verified {
        Ok(address) => {
            let message = ctx.tr.args(
                "email-verified-done",
                &[("email", address.to_string().into())],
            );
            let page = VerifyPage {
                token: None,
                verified: Some(message),
                error: None,
                ctx,
            };
            render(StatusCode::OK, &page)
        }
        Err(refusal) => {
            let refused = refusal.refused();
            let page = VerifyPage {
                token: None,
                verified: None,
                error: Some(refused.text(&ctx.tr)),
                ctx,
            };
            render_refused(&refused, &page)
        }
    }
}
