//! `GET/POST /login/code` and `POST /login/resend`: the code form for the number just entered.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use super::{
    page::{CodeForm, CsrfForm, PageCtx, render, render_refused, require_csrf},
    session::TypedSession,
};
use crate::{
    domain::{
        account::Credential, client::ClientInfo, invite_code, limits::LONG_OTP_LENGTH,
        otp::OtpCode, phone::PhoneNumber, refusal::SendRefused,
    },
    http::{
        error::AppError,
        refusal::{Refusal, Refused},
        respond::see_other,
    },
    state::AppState,
};

#[derive(Template)]
#[template(path = "code.html")]
pub struct CodePage {
    pub ctx: PageCtx,
    pub sent_to: String,
    pub length: usize,
    pub error: Option<String>,
    pub notice: Option<String>,
    /// "You can ask for a new code in N seconds", while the resend button is not yet usable.
    pub resend_wait: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeQuery {
    sent: Option<String>,
}

/// The number the code went to, from the session; sign-in starts over without one.
fn pending(session: &TypedSession) -> Result<PhoneNumber, AppError> {
    session
        .pending_phone()
        .map(PhoneNumber::from_e164_unchecked)
        .ok_or(AppError::SignIn)
}

/// The code page for `phone`, showing a refusal or a notice.
async fn page(
    req: &HttpRequest,
    state: &AppState,
    phone: &PhoneNumber,
    refused: Option<&Refused>,
    notice: Option<&str>,
) -> Result<CodePage, AppError> {
    let wait = state.app.sign_in.resend_wait(phone).await?;
    let ctx = PageCtx::new(req, state, false);
    // the page does not say how long this number's code is (a staff member's, or one sent
    // after wrong guesses, is longer): the field takes the longest
    let length = LONG_OTP_LENGTH;
    Ok(CodePage {
        sent_to: ctx
            .tr
            .args("code-sent-to", &[("phone", phone.display().into())]),
        resend_wait: (wait > 0)
            .then(|| ctx.tr.args("code-resend-wait", &[("seconds", wait.into())])),
        length,
        error: refused.map(|r| r.text(&ctx.tr)),
        notice: notice.map(|id| ctx.t(id)),
        ctx,
    })
}

pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    query: web::Query<CodeQuery>,
) -> Result<HttpResponse, AppError> {
    let phone = pending(&session)?;
    let notice = query.sent.is_some().then_some("code-resent");
    render(
        StatusCode::OK,
        &page(&req, &state, &phone, None, notice).await?,
    )
}

pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    client: ClientInfo,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let phone = pending(&session)?;
    let refused = match OtpCode::parse(&form.code, state.app.sign_in.shortest_code()) {
        Err(e) => e.refused(),
        Ok(code) => {
            let verified = state
                .app
                .sign_in
                .verify(
                    &phone,
                    code,
                    &client,
                    Credential::WebSession,
                    session.token(),
                )
                .await?;
            match verified {
                Ok(signed_in) => {
                    let invite = session
                        .sign_in(&signed_in.token)
                        .map_err(|e| AppError::Internal(e.to_string()))?;
                    // signed in from an invite link: its question next
                    return Ok(see_other(&invite.map_or_else(
                        || "/profile".to_owned(),
                        |code| invite_code::link_path(&code),
                    )));
                }
                Err(refusal) => refusal.refused(),
            }
        }
    };
    render_refused(
        &refused,
        &page(&req, &state, &phone, Some(&refused), None).await?,
    )
}

pub async fn resend(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    client: ClientInfo,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let phone = pending(&session)?;
    let tr = PageCtx::translator(&req, &state);
    match state.app.sign_in.request_code(&phone, &client, &tr).await? {
        Ok(_) => Ok(see_other("/login/code?sent=1")),
        Err(SendRefused::ResendTooSoon { .. }) => Ok(see_other("/login/code")),
        Err(refusal) => {
            let refused = refusal.refused();
            render_refused(
                &refused,
                &page(&req, &state, &phone, Some(&refused), None).await?,
            )
        }
    }
}
