//! `GET/POST /login`: the phone form; posting it sends a code.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use super::{PageCtx, client_info, render, require_csrf, see_other, with_retry_after};
use crate::{
    auth::{self, Sending},
    error::AppError,
    i18n::Tr,
    phone::{self, PhoneNumber},
    session::TypedSession,
    startup::AppState,
};

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub ctx: PageCtx,
    pub phone: String,
    pub hint: String,
    pub error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PhoneForm {
    csrf: String,
    phone: String,
}

fn page(req: &HttpRequest, state: &AppState, phone: String, error: Option<String>) -> LoginPage {
    let ctx = PageCtx::new(req, state, false);
    let hint = match state.phone_region {
        Some(_) => ctx.tr.args(
            "login-phone-hint-national",
            &[("example", state.phone_example.clone().into())],
        ),
        None => ctx.tr.args(
            "login-phone-hint",
            &[("example", state.phone_example.clone().into())],
        ),
    };
    LoginPage {
        ctx,
        phone,
        hint,
        error,
    }
}

pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
) -> Result<HttpResponse, AppError> {
    if session.token().is_some() {
        return Ok(see_other("/profile"));
    }
    // "use a different number" comes back here with the last number filled in
    let phone = session
        .pending_phone()
        .map(|p| phone::display_e164(&p))
        .unwrap_or_default();
    render(StatusCode::OK, &page(&req, &state, phone, None))
}

pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    form: web::Form<PhoneForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let typed: String = form.phone.chars().take(64).collect();
    let phone = match PhoneNumber::parse(&typed, state.phone_region) {
        Ok(p) => p,
        Err(e) => {
            let tr = Tr::new(state.locales.clone(), super::request_language(&req));
            let page = page(&req, &state, typed, Some(tr.t(e.message_id())));
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    match issue_code(&req, &state, &phone).await? {
        Issue::Sent | Issue::Wait => {
            session
                .set_pending_phone(phone.as_e164())
                .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(see_other("/login/code"))
        }
        Issue::Refused {
            status,
            message,
            retry_after,
        } => {
            let res = render(status, &page(&req, &state, phone.display(), Some(message)))?;
            Ok(with_retry_after(res, retry_after))
        }
    }
}

/// What happened when a code was asked for.
pub enum Issue {
    /// A new code is on its way.
    Sent,
    /// A code was sent moments ago; the code page shows when another may be asked for.
    Wait,
    /// Refused, with the status, the translated reason and when to try again.
    Refused {
        status: StatusCode,
        message: String,
        retry_after: Option<i64>,
    },
}

/// Asks the domain to send a code and says what to show: shared by the phone form and
/// "send a new code".
pub async fn issue_code(
    req: &HttpRequest,
    state: &AppState,
    phone: &PhoneNumber,
) -> Result<Issue, AppError> {
    let tr = Tr::new(state.locales.clone(), super::request_language(req));
    let client = client_info(req, state.trust_proxy_headers);
    let sending = auth::send_code(
        &state.pool,
        &state.auth,
        state.sms.as_ref(),
        &tr,
        phone,
        client,
        state.clock.now(),
    )
    .await?;
    let refused = |id: &str, retry_after: i64| Issue::Refused {
        status: StatusCode::TOO_MANY_REQUESTS,
        message: tr.args(id, &[("retry", tr.retry_after(retry_after).into())]),
        retry_after: Some(retry_after),
    };
    Ok(match sending {
        Sending::Sent => Issue::Sent,
        Sending::Cooldown { .. } => Issue::Wait,
        Sending::PhoneLimit { retry_after } => refused("code-limit-phone", retry_after),
        Sending::IpLimit { retry_after } => refused("code-limit-ip", retry_after),
        Sending::Locked { retry_after } => refused("login-locked", retry_after),
        Sending::Undelivered => Issue::Refused {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: tr.t("code-send-failed"),
            retry_after: None,
        },
    })
}
