//! Moving the account to a new number (`/profile/phone`, then `/profile/phone/confirm` with the
//! code sent there) and deleting it (`/profile/delete`, a code to one's own number, then the
//! code). The pages carry the new number from step to step; the code is bound to it and to the
//! account, so nothing needs to be remembered between steps.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{
    page::{CodeForm, CsrfForm, PageCtx, PhoneForm, phone_hint, render_form, require_csrf},
    session::TypedSession,
};
use crate::{
    domain::{
        client::ClientInfo,
        limits::LONG_OTP_LENGTH,
        otp::OtpCode,
        phone::PhoneNumber,
        refusal::{ChangeRefused, SendRefused},
    },
    http::{
        auth::SignedIn,
        error::AppError,
        refusal::{Refusal, Refused},
        respond::see_other,
    },
    state::AppState,
};

#[derive(Template)]
#[template(path = "phone.html")]
pub struct PhonePage {
    pub ctx: PageCtx,
    /// What the number field shows, or (at the code step) the new number in E.164.
    pub phone: String,
    pub hint: String,
    /// At the code step: "We sent a code to …".
    pub sent_to: Option<String>,
    pub length: usize,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "delete.html")]
pub struct DeletePage {
    pub ctx: PageCtx,
    /// At the code step: "We sent a code to …".
    pub sent_to: Option<String>,
    pub length: usize,
    pub error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConfirmPhoneForm {
    csrf: String,
    phone: String,
    code: String,
}

/// "We sent a code to …" for `phone`.
fn sent_to(ctx: &PageCtx, phone: &PhoneNumber) -> String {
    ctx.tr
        .args("code-sent-to", &[("phone", phone.display().into())])
}

/// The number step (no `sent`) or the code step for `phone`, with a refusal if any.
fn phone_page(
    req: &HttpRequest,
    state: &AppState,
    phone: String,
    sent: Option<&PhoneNumber>,
    refused: Option<&Refused>,
) -> PhonePage {
    let ctx = PageCtx::new(req, state, true);
    let hint = phone_hint(&ctx, state);
    PhonePage {
        sent_to: sent.map(|p| sent_to(&ctx, p)),
        phone: sent.map_or(phone, |p| p.as_e164().to_owned()),
        hint,
        // the page does not say how long the code is (a staff member's is longer)
        length: LONG_OTP_LENGTH,
        error: refused.map(|r| r.text(&ctx.tr)),
        ctx,
    }
}

fn delete_page(
    req: &HttpRequest,
    state: &AppState,
    sent: Option<&PhoneNumber>,
    refused: Option<&Refused>,
) -> DeletePage {
    let ctx = PageCtx::new(req, state, true);
    DeletePage {
        sent_to: sent.map(|p| sent_to(&ctx, p)),
        length: LONG_OTP_LENGTH,
        error: refused.map(|r| r.text(&ctx.tr)),
        ctx,
    }
}

pub async fn phone_get(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    SignedIn::check(&req).await?;
    render_form(None, &phone_page(&req, &state, String::new(), None, None))
}

/// Sends a code to the new number (again, from the code step's "send a new code").
pub async fn phone_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    client: ClientInfo,
    form: web::Form<PhoneForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let SignedIn { user } = SignedIn::check(&req).await?;
    let typed: String = form.phone.chars().take(64).collect();
    let phone = match state.phone_policy.parse(&typed) {
        Ok(p) => p,
        Err(e) => {
            let refused = e.refused();
            return render_form(
                Some(&refused),
                &phone_page(&req, &state, typed, None, Some(&refused)),
            );
        }
    };
    let tr = PageCtx::translator(&req, &state);
    let sent = state
        .app
        .changes
        .request_phone_change(&user, &phone, &client, &tr)
        .await?;
    match sent {
        Ok(_) => render_form(None, &phone_page(&req, &state, typed, Some(&phone), None)),
        // a code went there moments ago: it is still the one to type
        Err(ChangeRefused::Send(SendRefused::ResendTooSoon { .. })) => {
            render_form(None, &phone_page(&req, &state, typed, Some(&phone), None))
        }
        Err(refusal) => {
            let refused = refusal.refused();
            render_form(
                Some(&refused),
                &phone_page(&req, &state, phone.display(), None, Some(&refused)),
            )
        }
    }
}

pub async fn phone_confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    client: ClientInfo,
    form: web::Form<ConfirmPhoneForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let SignedIn { user } = SignedIn::check(&req).await?;
    // the number comes back from the code step's hidden field; start over if it was altered
    let Ok(phone) = state.phone_policy.parse(&form.phone) else {
        return Ok(see_other("/profile/phone"));
    };
    let refused = match OtpCode::parse(&form.code, state.app.sign_in.shortest_code()) {
        Err(e) => e.refused(),
        Ok(code) => {
            let tr = PageCtx::translator(&req, &state);
            match state
                .app
                .changes
                .change_phone(&user, &phone, code, &client, &tr)
                .await?
            {
                Ok(_) => return Ok(see_other("/profile?phone=1")),
                // the number is someone's: back to the number step, with the refusal
                Err(refusal @ ChangeRefused::PhoneTaken) => {
                    let refused = refusal.refused();
                    let page = phone_page(&req, &state, phone.display(), None, Some(&refused));
                    return render_form(Some(&refused), &page);
                }
                Err(refusal) => refusal.refused(),
            }
        }
    };
    let page = phone_page(&req, &state, String::new(), Some(&phone), Some(&refused));
    render_form(Some(&refused), &page)
}

pub async fn delete_get(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    SignedIn::check(&req).await?;
    render_form(None, &delete_page(&req, &state, None, None))
}

/// Sends the code that confirms the deletion to the person's own number.
pub async fn delete_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    client: ClientInfo,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let SignedIn { user } = SignedIn::check(&req).await?;
    let tr = PageCtx::translator(&req, &state);
    let phone = PhoneNumber::from_e164_unchecked(user.phone.clone());
    match state
        .app
        .changes
        .request_deletion(&user, &client, &tr)
        .await?
    {
        Ok(_) | Err(ChangeRefused::Send(SendRefused::ResendTooSoon { .. })) => {
            render_form(None, &delete_page(&req, &state, Some(&phone), None))
        }
        Err(refusal) => {
            let refused = refusal.refused();
            render_form(
                Some(&refused),
                &delete_page(&req, &state, None, Some(&refused)),
            )
        }
    }
}

pub async fn delete_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    client: ClientInfo,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let SignedIn { user } = SignedIn::check(&req).await?;
    let phone = PhoneNumber::from_e164_unchecked(user.phone.clone());
    let refused = match OtpCode::parse(&form.code, state.app.sign_in.shortest_code()) {
        Err(e) => e.refused(),
        Ok(code) => match state.app.changes.delete(&user, code, &client).await? {
            Ok(()) => {
                session.clear();
                return Ok(see_other("/login?deleted=1"));
            }
            Err(refusal @ ChangeRefused::LastOwner) => {
                let refused = refusal.refused();
                return render_form(
                    Some(&refused),
                    &delete_page(&req, &state, None, Some(&refused)),
                );
            }
            Err(refusal) => refusal.refused(),
        },
    };
    render_form(
        Some(&refused),
        &delete_page(&req, &state, Some(&phone), Some(&refused)),
    )
}
