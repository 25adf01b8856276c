//! `GET/POST /login/code` and `POST /login/resend`: the code form for the number just entered.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use super::{
    PageCtx, client_info,
    login::{Issue, issue_code},
    render, require_csrf, see_other, with_retry_after,
};
use crate::{
    auth::{self, Verification, otp::OtpCode},
    db,
    error::AppError,
    phone::PhoneNumber,
    session::TypedSession,
    startup::AppState,
};

#[derive(Template)]
#[template(path = "code.html")]
pub struct CodePage {
    pub ctx: PageCtx,
    pub sent_to: String,
    pub code_hint: String,
    pub length: usize,
    pub error: Option<String>,
    pub notice: Option<String>,
    /// "You can ask for a new code in N seconds", while the resend button is not yet usable.
    pub resend_wait: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    csrf: String,
    code: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfForm {
    csrf: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeQuery {
    sent: Option<String>,
}

/// The number the code went to, from the session; sign-in starts over without one.
fn pending(session: &TypedSession) -> Option<PhoneNumber> {
    session
        .pending_phone()
        .map(PhoneNumber::from_e164_unchecked)
}

async fn page(
    req: &HttpRequest,
    state: &AppState,
    phone: &PhoneNumber,
    error: Option<String>,
    notice: Option<String>,
) -> Result<CodePage, AppError> {
    let ctx = PageCtx::new(req, state, false);
    let now = state.clock.now();
    let wait = {
        let (cfg, phone) = (state.auth.clone(), phone.clone());
        db::run(&state.pool, move |conn| {
            auth::resend_wait(conn, &cfg, &phone, now)
        })
        .await?
    };
    let length = state.auth.limits.otp_length;
    Ok(CodePage {
        sent_to: ctx.tr.args(
            "code-sent-to",
            &[("phone", phone.display().into()), ("length", length.into())],
        ),
        code_hint: ctx.tr.args("code-hint", &[("length", length.into())]),
        resend_wait: (wait > 0)
            .then(|| ctx.tr.args("code-resend-wait", &[("seconds", wait.into())])),
        length,
        error,
        notice,
        ctx,
    })
}

pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    query: web::Query<CodeQuery>,
) -> Result<HttpResponse, AppError> {
    let Some(phone) = pending(&session) else {
        return Ok(see_other("/login"));
    };
    let mut page = page(&req, &state, &phone, None, None).await?;
    if query.sent.is_some() {
        page.notice = Some(page.ctx.t("code-resent"));
    }
    render(StatusCode::OK, &page)
}

pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let Some(phone) = pending(&session) else {
        return Ok(see_other("/login"));
    };
    let tr = crate::i18n::Tr::new(state.locales.clone(), super::request_language(&req));
    let length = state.auth.limits.otp_length;
    let code = match OtpCode::parse(&form.code, length) {
        Ok(code) => code,
        Err(e) => {
            let message = tr.args(e.message_id(), &[("length", length.into())]);
            let page = page(&req, &state, &phone, Some(message), None).await?;
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let client = client_info(&req, state.trust_proxy_headers);
    let now = state.clock.now();
    let outcome = {
        let (cfg, phone) = (state.auth.clone(), phone.clone());
        db::run(&state.pool, move |conn| {
            auth::verify_code(
                conn,
                &cfg,
                &phone,
                &code,
                &client,
                auth::Credential::WebSession,
                now,
            )
        })
        .await?
    };
    let (status, message, retry_after) = match outcome {
        Verification::SignedIn { token, .. } => {
            session
                .sign_in(&token)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            return Ok(see_other("/profile"));
        }
        Verification::Wrong { attempts_left } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            tr.args("code-wrong", &[("left", attempts_left.into())]),
            None,
        ),
        Verification::NeedNewCode => (
            StatusCode::UNPROCESSABLE_ENTITY,
            tr.t("code-need-new"),
            None,
        ),
        Verification::Expired => (StatusCode::UNPROCESSABLE_ENTITY, tr.t("code-expired"), None),
        Verification::Locked { retry_after } => (
            StatusCode::TOO_MANY_REQUESTS,
            tr.args(
                "login-locked",
                &[("retry", tr.retry_after(retry_after).into())],
            ),
            Some(retry_after),
        ),
        Verification::Blocked => (StatusCode::FORBIDDEN, tr.t("login-blocked"), None),
    };
    let page = page(&req, &state, &phone, Some(message), None).await?;
    Ok(with_retry_after(render(status, &page)?, retry_after))
}

pub async fn resend(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let Some(phone) = pending(&session) else {
        return Ok(see_other("/login"));
    };
    match issue_code(&req, &state, &phone).await? {
        Issue::Sent => Ok(see_other("/login/code?sent=1")),
        Issue::Wait => Ok(see_other("/login/code")),
        Issue::Refused {
            status,
            message,
            retry_after,
        } => {
            let page = page(&req, &state, &phone, Some(message), None).await?;
            Ok(with_retry_after(render(status, &page)?, retry_after))
        }
    }
}
