//! `GET /profile` and `POST /profile/invite`: the signed-in person's page, their invite code,
//! the code they entered, and the people who entered theirs.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use super::{Day, PageCtx, render, require_csrf, see_other, with_retry_after};
use crate::{
    auth, db,
    db::users::User,
    error::AppError,
    i18n::Tr,
    invites::{
        InviteCode,
        activation::{self, Activation, Cursor, PageRequest, ProfileData},
    },
    phone,
    session::TypedSession,
    startup::AppState,
};

/// Invitees per page.
pub const PER_PAGE: i64 = 50;

/// The code this person entered, and the day they entered it.
pub struct EnteredCode {
    pub code: String,
    pub date: Option<Day>,
}

/// One row of the invitee list, ready to show.
pub struct InviteeRow {
    pub phone: std::rc::Rc<str>,
    pub date: Day,
}

#[derive(Template)]
#[template(path = "profile.html")]
pub struct ProfilePage {
    pub ctx: PageCtx,
    pub phone: String,
    pub invite_code: String,
    pub joined: Day,
    /// The code this person entered and when, if they did.
    pub entered: Option<EnteredCode>,
    /// What was typed into the invite form, shown again with an error.
    pub typed_code: String,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub invitee_count: String,
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
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InviteForm {
    csrf: String,
    code: String,
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

/// Loads and builds the page; `error`, `notice` and `typed_code` come from the invite form.
async fn build(
    req: &HttpRequest,
    state: &AppState,
    user: User,
    request: PageRequest,
    error: Option<String>,
    notice: Option<String>,
    typed_code: String,
) -> Result<ProfilePage, AppError> {
    let data: ProfileData = {
        let user = user.clone();
        db::run(&state.pool, move |conn| {
            activation::load_profile(conn, &user, request, PER_PAGE)
        })
        .await?
    };
    Ok(page_from(req, state, user, data, error, notice, typed_code))
}

/// The page for a loaded profile.
fn page_from(
    req: &HttpRequest,
    state: &AppState,
    user: User,
    data: ProfileData,
    error: Option<String>,
    notice: Option<String>,
    typed_code: String,
) -> ProfilePage {
    let ctx = PageCtx::new(req, state, true).staff(user.is_staff);
    let invitee_count = ctx.tr.args(
        "profile-invitees-count",
        &[
            ("count", user.invitee_count.into()),
            ("shown", ctx.tr.number(user.invitee_count).into()),
        ],
    );
    ProfilePage {
        phone: phone::display_e164(&user.phone),
        invite_code: user.invite_code,
        joined: Day::new(user.date_joined.date()),
        entered: data.entered_code.map(|code| EnteredCode {
            code,
            date: user.invited_at.map(|at| Day::new(at.date())),
        }),
        typed_code,
        error,
        notice,
        invitee_count,
        invitees: data
            .invitees
            .items
            .iter()
            .map(|i| InviteeRow {
                phone: phone::display_e164_shared(&i.phone),
                date: Day::new(i.invited_at.date()),
            })
            .collect(),
        newer_link: data
            .invitees
            .newer
            .map(|c| format!("/profile?newer={}#invitees", c.encode())),
        older_link: data
            .invitees
            .older
            .map(|c| format!("/profile?older={}#invitees", c.encode())),
        ctx,
    }
}

pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    query: web::Query<ProfileQuery>,
) -> Result<HttpResponse, AppError> {
    let Some(token) = session.token() else {
        return Ok(see_other("/login"));
    };
    // a cursor that does not parse shows the first page rather than an error
    let request = match (
        query.older.as_deref().and_then(Cursor::decode),
        query.newer.as_deref().and_then(Cursor::decode),
    ) {
        (Some(c), _) => PageRequest::Older(c),
        (None, Some(c)) => PageRequest::Newer(c),
        (None, None) => PageRequest::First,
    };
    // the session check and the profile in one trip to the database
    let (limits, now) = (state.auth.limits.clone(), state.clock.now());
    let loaded = db::run(&state.pool, move |conn| {
        let Some(user) = auth::authenticate(conn, &limits, &token, now)? else {
            return Ok(None);
        };
        let data = activation::load_profile(conn, &user, request, PER_PAGE)?;
        Ok(Some((user, data)))
    })
    .await?;
    let Some((user, data)) = loaded else {
        session.forget_token();
        return Ok(see_other("/login"));
    };
    let tr = Tr::new(state.locales.clone(), super::request_language(&req));
    let notice = query.entered.is_some().then(|| tr.t("invite-entered"));
    let page = page_from(&req, &state, user, data, None, notice, String::new());
    render(StatusCode::OK, &page)
}

pub async fn post_invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let Some(user) = current_user(&state, &session).await? else {
        return Ok(see_other("/login"));
    };
    let tr = Tr::new(state.locales.clone(), super::request_language(&req));
    let typed: String = form.code.chars().take(64).collect();
    let refuse = |status: StatusCode, message: String, retry: Option<i64>| (status, message, retry);
    let (status, message, retry) = match InviteCode::parse(&typed) {
        Err(e) => refuse(StatusCode::UNPROCESSABLE_ENTITY, tr.t(e.message_id()), None),
        Ok(code) => {
            let (max, user_id, now) = (
                state.auth.limits.invite_tries_per_hour,
                user.id,
                state.clock.now(),
            );
            let outcome = db::run(&state.pool, move |conn| {
                activation::activate_invite(conn, max, user_id, &code, now)
            })
            .await?;
            match outcome {
                Activation::Activated { .. } => return Ok(see_other("/profile?entered=1")),
                Activation::RateLimited { retry_after } => refuse(
                    StatusCode::TOO_MANY_REQUESTS,
                    tr.args(
                        "invite-error-rate",
                        &[("retry", tr.retry_after(retry_after).into())],
                    ),
                    Some(retry_after),
                ),
                Activation::AlreadyEntered => {
                    refuse(StatusCode::CONFLICT, tr.t("invite-error-already"), None)
                }
                other => refuse(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    tr.t(other.message_id()),
                    None,
                ),
            }
        }
    };
    // the page shows the state after the refusal (e.g. the code entered meanwhile)
    let fresh = current_user(&state, &session).await?.unwrap_or(user);
    let page = build(
        &req,
        &state,
        fresh,
        PageRequest::First,
        Some(message),
        None,
        typed,
    )
    .await?;
    Ok(with_retry_after(render(status, &page)?, retry))
}
