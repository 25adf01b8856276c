//! `GET /admin/outbox`: text messages by state and provider for the last hour and day, how long
//! the oldest unsent one has waited, and the messages themselves, filtered and paged;
//! `POST /admin/outbox/{id}/retry` sends a failed one again while its code can be used.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use crate::{
    app::delivery::{OutboxQuery, RetryResult},
    domain::{client::ClientInfo, outbox::MessageState, phone},
    http::{
        auth::Staff,
        error::AppError,
        respond::see_other,
        web::page::{CsrfForm, PageCtx, render, require_csrf},
    },
    i18n::Shown,
    state::AppState,
};

/// One table of figures: a row per provider, a column per state.
pub struct Figures {
    pub caption: String,
    pub rows: Vec<(String, Vec<i64>)>,
}

pub struct MessageLine {
    pub id: i64,
    /// The recipient: a number, or an address for mail.
    pub phone: String,
    /// "text" or "mail".
    pub channel: String,
    pub state: String,
    pub provider: String,
    pub attempts: i32,
    pub error: String,
    pub created: Shown,
    pub sent: Option<Shown>,
    pub retryable: bool,
}

/// An option of a filter.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
pub struct OutboxPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub notice: Option<String>,
    pub states: Vec<String>,
    pub figures: Vec<Figures>,
    pub oldest: String,
    pub state_choices: Vec<Choice>,
    pub provider: String,
    pub phone: String,
    pub rows: Vec<MessageLine>,
    pub first_link: Option<String>,
    pub next_link: Option<String>,
    pub csrf: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OutboxParams {
    state: Option<String>,
    provider: Option<String>,
    phone: Option<String>,
    before: Option<i64>,
    done: Option<String>,
}

fn state_label(tr: &crate::i18n::Tr, state: MessageState) -> String {
    tr.t(&format!("admin-outbox-state-{}", state.as_str()))
}

pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    _staff: Staff,
    query: web::Query<OutboxParams>,
) -> Result<HttpResponse, AppError> {
    let params = query.into_inner();
    let chosen = params.state.as_deref().and_then(MessageState::parse);
    let provider = params
        .provider
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty() && p.len() <= 32)
        .map(str::to_owned);
    let digits: Option<String> = params
        .phone
        .as_deref()
        .map(|p| {
            p.chars()
                .filter(char::is_ascii_digit)
                .take(15)
                .collect::<String>()
        })
        .filter(|d| !d.is_empty());
    let overview = state.app.delivery.overview().await?;
    let page = state
        .app
        .delivery
        .page(OutboxQuery {
            state: chosen,
            provider: provider.clone(),
            phone: digits.clone(),
            before: params.before,
        })
        .await?;
    let ctx = PageCtx::new(&req, &state, true).staff(true);
    let tr = ctx.tr.clone();
    let figures = |caption: &str, counts: &[(MessageState, String, i64)]| {
        let mut providers: Vec<String> = counts.iter().map(|(_, p, _)| p.clone()).collect();
        providers.sort();
        providers.dedup();
        Figures {
            caption: tr.t(caption),
            rows: providers
                .into_iter()
                .map(|p| {
                    let per_state = MessageState::ALL
                        .iter()
                        .map(|s| {
                            counts
                                .iter()
                                .filter(|(cs, cp, _)| cs == s && *cp == p)
                                .map(|(_, _, n)| n)
                                .sum()
                        })
                        .collect();
                    (p, per_state)
                })
                .collect(),
        }
    };
    let base = format!(
        "/admin/outbox?state={}&provider={}&phone={}",
        chosen.map_or("", MessageState::as_str),
        provider.as_deref().unwrap_or_default(),
        digits.as_deref().unwrap_or_default()
    );
    let page = OutboxPage {
        section: "outbox",
        notice: match params.done.as_deref() {
            Some("retry") => Some(tr.t("admin-outbox-retried")),
            Some("not-retryable") => Some(tr.t("admin-outbox-not-retryable")),
            _ => None,
        },
        states: MessageState::ALL
            .iter()
            .map(|s| state_label(&tr, *s))
            .collect(),
        figures: vec![
            figures("admin-outbox-last-hour", &overview.last_hour),
            figures("admin-outbox-last-day", &overview.last_day),
        ],
        oldest: match overview.oldest_unsent_age {
            Some(seconds) => tr.args("admin-outbox-oldest", &[("seconds", seconds.into())]),
            None => tr.t("admin-outbox-none-waiting"),
        },
        state_choices: std::iter::once(Choice {
            value: String::new(),
            label: tr.t("admin-filter-any"),
            selected: chosen.is_none(),
        })
        .chain(MessageState::ALL.iter().map(|s| Choice {
            value: s.as_str().to_owned(),
            label: state_label(&tr, *s),
            selected: chosen == Some(*s),
        }))
        .collect(),
        provider: provider.unwrap_or_default(),
        phone: digits.unwrap_or_default(),
        next_link: page
            .more
            .then(|| {
                page.rows
                    .last()
                    .map(|r| format!("{base}&before={}", r.message.id))
            })
            .flatten(),
        first_link: params.before.map(|_| base.clone()),
        rows: page
            .rows
            .iter()
            .map(|r| {
                let m = &r.message;
                MessageLine {
                    id: m.id,
                    phone: phone::display_e164(&m.phone),
                    channel: tr.t(&format!("admin-outbox-channel-{}", m.channel)),
                    state: MessageState::parse(&m.state)
                        .map_or_else(|| m.state.clone(), |s| state_label(&tr, s)),
                    provider: m.provider.clone().unwrap_or_else(|| "—".into()),
                    attempts: m.attempts,
                    error: m.last_error.clone().unwrap_or_default(),
                    created: tr.moment(m.created_at),
                    sent: m.sent_at.map(|at| tr.moment(at)),
                    retryable: r.retryable,
                }
            })
            .collect(),
        csrf: ctx.csrf.clone(),
        ctx,
    };
    render(StatusCode::OK, &page)
}

pub async fn retry(
    req: HttpRequest,
    state: web::Data<AppState>,
    client: ClientInfo,
    path: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let Staff { user: me } = Staff::check(&req).await?;
    match state
        .app
        .delivery
        .retry_now(&me, &client.ip, path.into_inner())
        .await?
    {
        RetryResult::Queued => Ok(see_other("/admin/outbox?done=retry")),
        RetryResult::NotRetryable => Ok(see_other("/admin/outbox?done=not-retryable")),
        RetryResult::NotFound => Err(AppError::NotFound),
    }
}
