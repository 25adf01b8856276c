//! `GET /profile/devices`: where the signed-in person is signed in (web sessions and API
//! tokens: created, last seen, browser and system in words, address, "this device");
//! `POST /profile/devices/{kind}/{id}/end` ends one, `POST /profile/devices/end-others` every
//! other.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use super::{
    page::{CsrfForm, PageCtx, render, require_csrf},
    session::TypedSession,
};
use crate::{
    domain::account::Credential,
    http::{auth::SignedIn, error::AppError, respond::see_other},
    i18n::Shown,
    state::AppState,
};

pub struct DeviceRow {
    pub kind: &'static str,
    pub id: i64,
    pub what: String,
    pub kind_label: String,
    pub created: Shown,
    /// "5 minutes ago".
    pub last_seen: Shown,
    pub ip: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "devices.html")]
pub struct DevicesPage {
    pub ctx: PageCtx,
    pub rows: Vec<DeviceRow>,
    pub notice: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DevicesQuery {
    ended: Option<String>,
}

/// The session's secret, as the list marks "this device" by it.
fn current(session: &TypedSession) -> Result<(Credential, String), AppError> {
    session
        .token()
        .map(|t| (Credential::WebSession, t))
        .ok_or(AppError::SignIn)
}

pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    query: web::Query<DevicesQuery>,
) -> Result<HttpResponse, AppError> {
    let SignedIn { user } = SignedIn::check(&req).await?;
    let (devices, now) = state
        .app
        .credentials
        .devices(&user, current(&session)?)
        .await?;
    let ctx = PageCtx::new(&req, &state, true).staff(user.is_staff);
    let tr = ctx.tr.clone();
    let rows = devices
        .into_iter()
        .map(|d| DeviceRow {
            kind: d.kind.slug(),
            id: d.id,
            what: match (d.browser, d.system) {
                (Some(b), Some(s)) => tr.args(
                    "devices-browser-on",
                    &[("browser", b.into()), ("system", s.into())],
                ),
                (Some(b), None) => b,
                (None, Some(s)) => s,
                (None, None) => tr.t("devices-unknown"),
            },
            kind_label: tr.t(match d.kind {
                Credential::WebSession => "devices-kind-session",
                Credential::ApiToken => "devices-kind-token",
            }),
            created: tr.day(d.created_at),
            last_seen: tr.ago(d.last_seen_at, now),
            ip: d.ip.unwrap_or_else(|| "—".into()),
            current: d.current,
        })
        .collect();
    let page = DevicesPage {
        notice: query.ended.as_deref().map(|_| tr.t("devices-ended")),
        rows,
        ctx,
    };
    render(StatusCode::OK, &page)
}

pub async fn end_one(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let SignedIn { user } = SignedIn::check(&req).await?;
    let (kind, id) = path.into_inner();
    let kind = Credential::from_slug(&kind).ok_or(AppError::NotFound)?;
    if !state.app.credentials.end_device(&user, kind, id).await? {
        return Err(AppError::NotFound);
    }
    Ok(see_other("/profile/devices?ended=1"))
}

pub async fn end_others(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let SignedIn { user } = SignedIn::check(&req).await?;
    state
        .app
        .credentials
        .end_others(&user, current(&session)?)
        .await?;
    Ok(see_other("/profile/devices?ended=1"))
}
