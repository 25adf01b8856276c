//! `GET /admin/audit`: every staff action, newest first, 50 per page, by actor or target.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use crate::{
    app::staff::AuditQuery,
    domain::phone,
    http::{
        auth::Staff,
        error::AppError,
        web::page::{PageCtx, render},
    },
    i18n::Shown,
    state::AppState,
};

pub struct AuditRow {
    pub when: Shown,
    pub actor: String,
    pub actor_link: Option<String>,
    pub action: String,
    pub target: String,
    pub target_link: Option<String>,
    pub ip: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub filter_note: Option<String>,
    pub rows: Vec<AuditRow>,
    pub first_link: Option<String>,
    pub next_link: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditParams {
    actor: Option<i64>,
    target: Option<i64>,
    before: Option<i64>,
}

pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    _staff: Staff,
    query: web::Query<AuditParams>,
) -> Result<HttpResponse, AppError> {
    let (actor, target, before) = (query.actor, query.target, query.before);
    let audit = state
        .app
        .staff
        .audit(AuditQuery {
            actor,
            target,
            before,
        })
        .await?;
    let (rows, more) = (audit.rows, audit.more);
    let ctx = PageCtx::new(&req, &state, true).staff(true);
    let tr = ctx.tr.clone();
    let base = match (actor, target) {
        (Some(a), _) => format!("/admin/audit?actor={a}"),
        (None, Some(t)) => format!("/admin/audit?target={t}"),
        _ => "/admin/audit?".to_owned(),
    };
    let page = AuditPage {
        section: "audit",
        filter_note: match (actor, target) {
            (Some(a), _) => Some(tr.args("admin-audit-by", &[("id", a.into())])),
            (None, Some(t)) => Some(tr.args("admin-audit-on", &[("id", t.into())])),
            _ => None,
        },
        next_link: more
            .then(|| rows.last().map(|r| format!("{base}&before={}", r.id)))
            .flatten(),
        first_link: before.map(|_| base.clone()),
        rows: rows
            .iter()
            .map(|r| AuditRow {
                when: tr.moment(r.created_at),
                actor: match r.actor_id {
                    Some(_) => phone::display_e164(&r.actor_label),
                    None => tr.t("admin-audit-command-line"),
                },
                actor_link: r.actor_id.map(|a| format!("/admin/audit?actor={a}")),
                action: tr.t(&format!(
                    "admin-audit-action-{}",
                    r.action.replace('_', "-")
                )),
                target: phone::display_e164(&r.target_label),
                target_link: r.target_id.map(|t| format!("/admin/audit?target={t}")),
                ip: r.ip.clone().unwrap_or_else(|| "—".to_owned()),
            })
            .collect(),
        ctx,
    };
    render(StatusCode::OK, &page)
}
