//! `GET /profile`, `POST /profile/invite` and `POST /profile/name`: the signed-in person's page,
//! their name, their invite code, the code they entered, and the people who entered theirs.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{
    page::{CsrfForm, PageCtx, render, render_form, require_csrf},
    qr::QrSvg,
    session::TypedSession,
};
use crate::{
    app::invites::ProfileView,
    domain::{
        client::ClientInfo, cursor::PageRequest, email::EmailAddress, invite_code::InviteCode,
        name::DisplayName, phone,
    },
    http::{
        auth::{SignedIn, signed_out},
        error::AppError,
        refusal::{Refusal, Refused},
        respond::see_other,
    },
    i18n::Shown,
    state::AppState,
};

/// The code this person entered, and the day they entered it.
pub struct EnteredCode {
    pub code: String,
    pub date: Option<Shown>,
    /// Its account has since been deleted.
    pub deleted: bool,
}

/// One row of the invitee list, ready to show.
pub struct InviteeRow {
    pub phone: std::rc::Rc<str>,
    pub date: std::rc::Rc<Shown>,
    /// Joined since the person last looked.
    pub new: bool,
}

#[derive(Template)]
#[template(path = "profile.html")]
pub struct ProfilePage {
    pub ctx: PageCtx,
    pub phone: String,
    /// The display name, if set.
    pub name: Option<String>,
    /// What the name form shows: what was typed (after a refusal), else the name.
    pub typed_name: String,
    pub name_error: Option<String>,
    /// The verified address, and one waiting for its link.
    pub email: Option<String>,
    pub pending_email: Option<String>,
    /// What the email form shows after a refusal.
    pub typed_email: String,
    pub email_error: Option<String>,
    pub invite_code: String,
    /// The invite link, whole, and its QR code.
    pub invite_link: String,
    pub qr: Option<QrSvg>,
    /// Why no new code was given.
    pub new_code_error: Option<String>,
    pub joined: Shown,
    /// The code this person entered and when, if they did.
    pub entered: Option<EnteredCode>,
    /// What was typed into the invite form, shown again with an error.
    pub typed_code: String,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub invitee_count: String,
    /// "3 new", when someone joined since the last look.
    pub new_invitees: Option<String>,
    pub invitees: Vec<InviteeRow>,
    pub newer_link: Option<String>,
    pub older_link: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProfileQuery {
    older: Option<String>,
    newer: Option<String>,
    entered: Option<String>,
    named: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    code: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NameForm {
    csrf: String,
    name: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    csrf: String,
    email: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InviteForm {
    csrf: String,
    code: String,
}

/// What the forms add to the page: a notice, or a refusal with what was typed.
#[derive(Default)]
struct FormState {
    notice: Option<&'static str>,
    refused: Option<Refused>,
    typed_code: String,
    name_refused: Option<Refused>,
    typed_name: Option<String>,
    email_refused: Option<Refused>,
    typed_email: String,
    /// A new invite code was refused.
    code_refused: Option<Refused>,
}

/// The page for a loaded profile.
fn page_from(
    req: &HttpRequest,
    state: &AppState,
    view: ProfileView,
    form: &FormState,
) -> ProfilePage {
    let ProfileView {
        profile,
        invitees,
        invite_link,
        new_invitees,
    } = view;
    let user = profile.user;
    let ctx = PageCtx::new(req, state, true).staff(user.is_staff);
    let mut days = ctx.tr.days();
    let invitee_rows = invitees
        .items
        .iter()
        .enumerate()
        .map(|(at, i)| InviteeRow {
            phone: phone::display_e164_shared(&i.phone),
            date: days.day(i.invited_at),
            new: (at as i64) < new_invitees,
        })
        .collect();
    let invitee_count = ctx.tr.args(
        "profile-invitees-count",
        &[
            ("count", user.invitee_count.into()),
            ("shown", ctx.tr.number(user.invitee_count).into()),
        ],
    );
    ProfilePage {
        phone: phone::display_e164(&user.phone),
        typed_name: form
            .typed_name
            .clone()
            .or_else(|| user.display_name.clone())
            .unwrap_or_default(),
        name: user.display_name,
        name_error: form.name_refused.as_ref().map(|r| r.text(&ctx.tr)),
        email: user.email,
        pending_email: profile.pending_email,
        typed_email: form.typed_email.clone(),
        email_error: form.email_refused.as_ref().map(|r| r.text(&ctx.tr)),
        invite_code: user.invite_code,
        qr: QrSvg::new(&invite_link),
        invite_link,
        new_code_error: form.code_refused.as_ref().map(|r| r.text(&ctx.tr)),
        joined: ctx.tr.day(user.date_joined),
        entered: profile.entered_code.map(|code| EnteredCode {
            code,
            date: user.invited_at.map(|at| ctx.tr.day(at)),
            deleted: profile.inviter_deleted,
        }),
        typed_code: form.typed_code.clone(),
        error: form.refused.as_ref().map(|r| r.text(&ctx.tr)),
        notice: form.notice.map(|id| ctx.t(id)),
        invitee_count,
        new_invitees: (new_invitees > 0).then(|| {
            ctx.tr.args(
                "profile-invitees-new",
                &[
                    ("count", new_invitees.into()),
                    ("shown", ctx.tr.number(new_invitees).into()),
                ],
            )
        }),
        invitees: invitee_rows,
        newer_link: invitees
            .newer
            .map(|c| format!("/profile?newer={}#invitees", c.encode())),
        older_link: invitees
            .older
            .map(|c| format!("/profile?older={}#invitees", c.encode())),
        ctx,
    }
}

/// Loads and renders the signed-in person's page; to the sign-in page when the session is gone.
async fn show(
    req: &HttpRequest,
    state: &AppState,
    session: &TypedSession,
    request: PageRequest,
    form: FormState,
) -> Result<HttpResponse, AppError> {
    let Some(token) = session.token() else {
        return Err(AppError::SignIn);
    };
    let Some(view) = state.app.invites.profile_view(token, request).await? else {
        return Err(signed_out(session));
    };
    let page = page_from(req, state, view, &form);
    let refused = (form.refused.as_ref())
        .or(form.name_refused.as_ref())
        .or(form.email_refused.as_ref())
        .or(form.code_refused.as_ref());
    render_form(refused, &page)
}

pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    query: web::Query<ProfileQuery>,
) -> Result<HttpResponse, AppError> {
    let request = PageRequest::from_links(query.older.as_deref(), query.newer.as_deref());
    let notice = if query.entered.is_some() {
        Some("invite-entered")
    } else if query.named.is_some() {
        Some("name-saved")
    } else if query.phone.is_some() {
        Some("phone-changed")
    } else if query.code.is_some() {
        Some("invite-new-code-done")
    } else {
        match query.email.as_deref() {
            Some("sent") => Some("email-link-sent"),
            Some("removed") => Some("email-removed"),
            _ => None,
        }
    };
    let form = FormState {
        notice,
        ..FormState::default()
    };
    show(&req, &state, &session, request, form).await
}

pub async fn post_invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    client: ClientInfo,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let SignedIn { user } = SignedIn::check(&req).await?;
    let typed: String = form.code.chars().take(64).collect();
    let refused = match InviteCode::parse(&typed) {
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
    // the page shows the state after the refusal (e.g. the code entered meanwhile)
    let form = FormState {
        refused: Some(refused),
        typed_code: typed,
        ..FormState::default()
    };
    show(&req, &state, &session, PageRequest::First, form).await
}

/// `POST /profile/invite/new`: a new invite code (the old one and its link stop working).
pub async fn new_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    client: ClientInfo,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let SignedIn { user } = SignedIn::check(&req).await?;
    match state.app.invites.new_code(&user, &client).await? {
        Ok(_) => Ok(see_other("/profile?code=new#own-code-title")),
        Err(refusal) => {
            let form = FormState {
                code_refused: Some(refusal.refused()),
                ..FormState::default()
            };
            show(&req, &state, &session, PageRequest::First, form).await
        }
    }
}

pub async fn post_name(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let SignedIn { user } = SignedIn::check(&req).await?;
    match DisplayName::parse(&form.name) {
        Ok(name) => {
            state.app.accounts.set_name(user, name).await?;
            Ok(see_other("/profile?named=1"))
        }
        Err(e) => {
            let form = FormState {
                name_refused: Some(e.refused()),
                // shown again as typed (bounded), so it can be corrected
                typed_name: Some(form.name.chars().take(256).collect()),
                ..FormState::default()
            };
            show(&req, &state, &session, PageRequest::First, form).await
        }
    }
}

pub async fn post_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let SignedIn { user } = SignedIn::check(&req).await?;
    let typed: String = form.email.chars().take(320).collect();
    let refused = match EmailAddress::parse(&typed) {
        Err(e) => e.refused(),
        Ok(address) => {
            let tr = PageCtx::translator(&req, &state);
            match state.app.emails.request(&user, &address, &tr).await? {
                Ok(_) => return Ok(see_other("/profile?email=sent#email")),
                Err(refusal) => refusal.refused(),
            }
        }
    };
    let form = FormState {
        email_refused: Some(refused),
        typed_email: typed,
        ..FormState::default()
    };
    show(&req, &state, &session, PageRequest::First, form).await
}

pub async fn remove_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let SignedIn { user } = SignedIn::check(&req).await?;
    state.app.emails.remove(user).await?;
    Ok(see_other("/profile?email=removed#email"))
}

#[derive(Template)]
#[template(path = "invite_print.html")]
pub struct PrintPage {
    pub ctx: PageCtx,
    /// "Invite code 7K3M9Q".
    pub code_line: String,
    pub invite_link: String,
    pub qr: Option<QrSvg>,
    /// "Dilnoza invites you" (the name, else the number partly masked).
    pub heading: String,
}

/// `GET /profile/invite/print`: the invite link's QR code large, with the link and the code,
/// laid out for paper.
pub async fn print(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let SignedIn { user } = SignedIn::check(&req).await?;
    let ctx = PageCtx::new(&req, &state, true).staff(user.is_staff);
    let invite_link = state.app.invites.link_of(&user);
    let inviter = user
        .display_name
        .clone()
        .unwrap_or_else(|| phone::mask_e164(&user.phone));
    let page = PrintPage {
        heading: ctx
            .tr
            .args("invitation-heading", &[("inviter", inviter.into())]),
        qr: QrSvg::new(&invite_link),
        invite_link,
        code_line: ctx
            .tr
            .args("invitation-code", &[("code", user.invite_code.into())]),
        ctx,
    };
    render(actix_web::http::StatusCode::OK, &page)
}
