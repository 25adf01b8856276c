//! `GET /admin`: the figures that matter, and new accounts per day as an SVG chart.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;

use super::chart;
use crate::{
    domain::phone,
    http::{
        auth::Staff,
        error::AppError,
        web::page::{PageCtx, render},
    },
    state::AppState,
};

pub struct Figure {
    pub label: String,
    pub value: String,
}

pub struct Inviter {
    pub id: i64,
    pub phone: String,
    pub count: String,
}

pub struct Day {
    pub date: String,
    pub count: String,
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
pub struct DashboardPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub figures: Vec<Figure>,
    pub inviters: Vec<Inviter>,
    pub chart: String,
    pub days: Vec<Day>,
}

pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    _staff: Staff,
) -> Result<HttpResponse, AppError> {
    let d = state.app.staff.dashboard().await?;
    let ctx = PageCtx::new(&req, &state, true).staff(true);
    let tr = &ctx.tr;
    let n = |v: i64| tr.number(v);
    let figures = vec![
        ("admin-total-users", n(d.total_users)),
        ("admin-new-today", n(d.new_today)),
        ("admin-new-7-days", n(d.new_7_days)),
        ("admin-new-30-days", n(d.new_30_days)),
        ("admin-sign-ins-24h", n(d.sign_ins_24h)),
        ("admin-codes-sent-24h", n(d.codes_sent_24h)),
        ("admin-failed-24h", n(d.failed_verifications_24h)),
        ("admin-locked-now", n(d.locked_now)),
        (
            "admin-entered-share",
            format!("{} %", d.share_with_inviter()),
        ),
    ]
    .into_iter()
    .map(|(id, value)| Figure {
        label: tr.t(id),
        value,
    })
    .collect();
    let total_30: i64 = d.per_day.iter().map(|(_, n)| n).sum();
    let chart = chart::bar_chart(
        &d.per_day,
        &tr.t("admin-chart-title"),
        &tr.args("admin-chart-desc", &[("total", total_30.into())]),
    );
    let page = DashboardPage {
        section: "dashboard",
        inviters: d
            .top_inviters
            .iter()
            .map(|u| Inviter {
                id: u.id,
                phone: phone::display_e164(&u.phone),
                count: n(u.invitee_count),
            })
            .collect(),
        days: d
            .per_day
            .iter()
            .map(|(day, count)| Day {
                date: day.format("%Y-%m-%d").to_string(),
                count: n(*count),
            })
            .collect(),
        figures,
        chart,
        ctx,
    };
    render(StatusCode::OK, &page)
}
