//! `GET/POST /i/{code}`: an invite link. Signed out, it welcomes the person and offers to sign
//! in, carrying the code through sign-in; signed in, it asks them to accept (through the same
//! use case as the profile's form) or leave it.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;

use super::{
    page::{CsrfForm, PageCtx, render, render_refused, require_csrf},
    session::TypedSession,
};
use crate::{
    app::invites::{Invitation, Viewer},
    domain::{
        account::Credential,
        client::ClientInfo,
        invite_code::{self, InviteCode},
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
#[template(path = "invitation.html")]
pub struct InvitationPage {
    pub ctx: PageCtx,
    pub heading: String,
    /// "Invite code 7K3M9Q".
    pub code_line: Option<String>,
    pub explain: Option<String>,
    /// Why there is nothing to accept (own link, a code entered before, no such code).
    pub message: Option<String>,
    /// Where "Sign in to accept" leads.
    pub sign_in_link: Option<String>,
    /// Where the accept form posts (the link's path).
    pub accept: Option<String>,
    pub error: Option<String>,
}

/// The page for `invitation`, or for the refusal that stands in its place.
fn page(
    req: &HttpRequest,
    state: &AppState,
    signed_in: bool,
    invitation: Result<&Invitation, &Refused>,
    error: Option<&Refused>,
) -> InvitationPage {
    let ctx = PageCtx::new(req, state, signed_in);
    let mut page = InvitationPage {
        heading: ctx.t("invitation-page-title"),
        code_line: None,
        explain: None,
        message: None,
        sign_in_link: None,
        accept: None,
        error: error.map(|r| r.text(&ctx.tr)),
        ctx,
    };
    let invitation = match invitation {
        Ok(invitation) => invitation,
        Err(refused) => {
            page.message = Some(refused.text(&page.ctx.tr));
            return page;
        }
    };
    let tr = &page.ctx.tr;
    let inviter = invitation
        .inviter_name
        .clone()
        .unwrap_or_else(|| invitation.inviter_phone.clone());
    let inviter = [("inviter", inviter.into())];
    page.heading = tr.args("invitation-heading", &inviter);
    page.code_line = Some(tr.args(
        "invitation-code",
        &[("code", invitation.code.clone().into())],
    ));
    match &invitation.viewer {
        Viewer::SignedOut => {
            page.explain = Some(tr.t("invitation-explain"));
            page.sign_in_link = Some(format!("/login?invite={}", invitation.code));
        }
        Viewer::CanAccept => {
            page.heading = tr.args("invitation-accept-question", &inviter);
            page.explain = Some(tr.t("invitation-accept-explain"));
            page.accept = Some(invite_code::link_path(&invitation.code));
        }
        Viewer::Own => page.message = Some(tr.t("invitation-own")),
        Viewer::Entered { code: Some(code) } => {
            page.message = Some(tr.args("invitation-entered", &[("code", code.clone().into())]));
        }
        Viewer::Entered { code: None } => page.message = Some(tr.t("invitation-entered-no-code")),
    }
    page
}

/// Looks the link up for whoever is looking and renders it, with `error` from an accept that
/// was refused.
async fn show(
    req: &HttpRequest,
    state: &AppState,
    typed: &str,
    client: &ClientInfo,
    error: Option<Refused>,
) -> Result<HttpResponse, AppError> {
    let token = TypedSession::from_request(req).token();
    let signed_in = token.is_some();
    let found = state
        .app
        .invites
        .invitation(
            InviteCode::parse(typed).ok(),
            client.network.clone(),
            token.map(|t| (Credential::WebSession, t)),
        )
        .await?;
    match found {
        Ok(invitation) => {
            let signed_in = invitation.viewer != Viewer::SignedOut;
            let page = page(req, state, signed_in, Ok(&invitation), error.as_ref());
            match &error {
                Some(refused) => render_refused(refused, &page),
                None => render(StatusCode::OK, &page),
            }
        }
        Err(refusal) => {
            let refused = refusal.refused();
            render_refused(&refused, &page(req, state, signed_in, Err(&refused), None))
        }
    }
}

pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    client: ClientInfo,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    show(&req, &state, &path, &client, None).await
}

/// Accepts the invitation: every rule of entering a code applies.
pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    client: ClientInfo,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let SignedIn { user } = SignedIn::check(&req).await?;
    let refused = match InviteCode::parse(&path) {
        Err(e) => e.refused(),
        Ok(code) => match state
            .app
            .invites
            .enter(&user, code, &client, &PageCtx::translator(&req, &state))
            .await?
        {
            Ok(_) => return Ok(see_other("/profile?entered=1")),
            Err(refusal) => refusal.refused(),
        },
    };
    show(&req, &state, &path, &client, Some(refused)).await
}
