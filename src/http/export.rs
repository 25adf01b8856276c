//! "Download my data": `GET /profile/export` (signed in) and `GET /api/v1/me/export` (bearer)
//! answer the same JSON document, as a file to keep. Its shape is in the README.

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use chrono::NaiveDateTime;
use serde_json::{Value, json};

use crate::{
    app::export::PersonalData,
    http::{
        api::problem::ApiError,
        auth::{Bearer, SignedIn},
        error::AppError,
    },
    state::AppState,
};

/// The document's version, so a reader knows which shape it holds.
pub const FORMAT: &str = "user-auth/personal-data/v1";

fn at(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The document for `data`.
pub fn document(data: &PersonalData) -> Value {
    let (user, exported_at) = (&data.profile.user, data.exported_at);
    json!({
        "format": FORMAT,
        "exported_at": at(exported_at),
        "account": {
            "id": user.id,
            "phone": user.phone,
            "name": user.display_name,
            "email": user.email,
            "email_verified_at": user.email_verified_at.map(at),
            "pending_email": data.profile.pending_email,
            "invite_code": user.invite_code,
            "date_joined": at(user.date_joined),
            "last_login": user.last_login.map(at),
            "active": user.is_active,
            "staff": user.is_staff,
            "owner": user.is_owner,
        },
        "entered_invite": data.profile.entered_code.as_ref().map(|code| json!({
            "code": code,
            "owner_phone": data.invited_by,
            "owner_deleted": data.profile.inviter_deleted,
            "entered_at": user.invited_at.map(at),
        })),
        "invitees": data.invitees.iter().map(|i| json!({
            "phone": i.phone,
            "entered_at": at(i.invited_at),
        })).collect::<Vec<_>>(),
        "signed_in": data.devices.iter().map(|d| json!({
            "kind": d.kind.slug(),
            "created_at": at(d.created_at),
            "last_seen_at": at(d.last_seen_at),
            "browser": d.browser,
            "system": d.system,
            "ip": d.ip,
        })).collect::<Vec<_>>(),
        "sign_in_events": data.events.iter().map(|e| json!({
            "at": at(e.created_at),
            "ip": e.ip,
            "outcome": e.outcome,
        })).collect::<Vec<_>>(),
        "audit": data.audit.iter().map(|a| json!({
            "at": at(a.created_at),
            "action": a.action,
            "by": a.actor_label,
            "on": a.target_label,
            "ip": a.ip,
        })).collect::<Vec<_>>(),
    })
}

fn attachment(doc: &Value, exported_at: NaiveDateTime) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"user-auth-data-{}.json\"",
                exported_at.format("%Y-%m-%d")
            ),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(serde_json::to_string_pretty(doc).unwrap_or_default())
}

pub async fn web(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let SignedIn { user } = SignedIn::check(&req).await?;
    let data = state.app.export.gather(user).await?;
    Ok(attachment(&document(&data), data.exported_at))
}

/// Everything stored about the signed-in person, as one JSON document.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "profile", security(("bearer" = [])),
    responses(
        (status = 200, description = "The document (see the README for its shape)", content_type = "application/json"),
        (status = 401, description = "No valid token (`unauthorized`)", body = crate::http::api::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn api(state: web::Data<AppState>, bearer: Bearer) -> Result<HttpResponse, ApiError> {
    let data = state.app.export.gather(bearer.user).await?;
    Ok(attachment(&document(&data), data.exported_at))
}
