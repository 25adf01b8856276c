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
    i18n::Shown,
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
    pub date: Shown,
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
    /// "12 of 1,000".
    pub texts: String,
    /// Why code requests are being refused, if they are.
    pub text_warnings: Vec<String>,
    pub regions: Vec<Region>,
}

pub struct Region {
    pub name: String,
    pub codes_sent: String,
    pub signed_in: String,
    pub completion: String,
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
        tr,
        &tr.t("admin-chart-title"),
        &tr.args("admin-chart-desc", &[("total", total_30.into())]),
    );
    let mut text_warnings = Vec::new();
    if d.texts_last_hour >= d.text_budget {
        text_warnings.push(tr.args(
            "admin-texts-budget-reached",
            &[
                ("sent", n(d.texts_last_hour).into()),
                ("budget", n(d.text_budget).into()),
            ],
        ));
    }
    for (prefix, sent) in d.busy_prefixes.iter().take(10) {
        text_warnings.push(tr.args(
            "admin-texts-prefix-reached",
            &[
                ("prefix", prefix.clone().into()),
                ("sent", n(*sent).into()),
                ("budget", n(d.prefix_budget).into()),
            ],
        ));
    }
    let page = DashboardPage {
        section: "dashboard",
        texts: tr.args(
            "admin-texts-of",
            &[
                ("sent", n(d.texts_last_hour).into()),
                ("budget", n(d.text_budget).into()),
            ],
        ),
        text_warnings,
        regions: d
            .by_region
            .iter()
            .map(|r| Region {
                name: if r.region.is_empty() {
                    tr.t("admin-region-unknown")
                } else {
                    r.region.clone()
                },
                codes_sent: n(r.codes_sent),
                signed_in: n(r.signed_in),
                completion: r
                    .completion()
                    .map_or_else(|| "—".to_owned(), |p| format!("{p} %")),
            })
            .collect(),
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
                date: tr.date(*day),
                count: n(*count),
            })
            .collect(),
        figures,
        chart,
        ctx,
    };
    render(StatusCode::OK, &page)
}
