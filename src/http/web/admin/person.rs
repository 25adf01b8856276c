//! `GET /admin/users/{id}` (everything about one person), and each action: a confirmation page
//! (`GET /admin/users/{id}/{action}`) and the change itself (`POST`, with the CSRF token).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use crate::{
    app::staff::{EventQuery, PersonView},
    domain::{
        account::Outcome,
        client::ClientInfo,
        cursor::PageRequest,
        invite_tree::BunchKind,
        phone,
        staff::{Action, ActionResult, By},
    },
    http::{
        auth::Staff,
        error::AppError,
        respond::see_other,
        web::page::{CsrfForm, PageCtx, render, require_csrf},
    },
    i18n::Shown,
    state::AppState,
};

pub struct Field {
    pub label: String,
    pub value: String,
}

pub struct Link {
    pub href: String,
    pub text: String,
}

pub struct InviteeRow {
    pub href: String,
    pub phone: String,
    pub date: Shown,
}

pub struct EventRow {
    pub when: Shown,
    pub ip: String,
    pub outcome: String,
}

pub struct ActionLink {
    pub href: String,
    pub label: String,
    pub danger: bool,
}

#[derive(Template)]
#[template(path = "admin/user.html")]
pub struct PersonPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub id: i64,
    pub title: String,
    pub notice: Option<String>,
    pub fields: Vec<Field>,
    pub inviter: Option<Link>,
    pub invitee_count: String,
    pub invitees: Vec<InviteeRow>,
    pub newer_link: Option<String>,
    pub older_link: Option<String>,
    pub events: Vec<EventRow>,
    /// The outcomes to filter the events by, the current one selected.
    pub outcomes: Vec<Choice>,
    pub events_first_link: Option<String>,
    pub events_older_link: Option<String>,
    pub actions: Vec<ActionLink>,
    /// The invite tree around the person: the chain up, nearest first ("1. … (12 invitees)").
    pub chain: Vec<Link>,
    /// The levels down: "1st level: 3", "2nd level: 40".
    pub levels: Vec<String>,
    /// Flags: invitees who came in a bunch.
    pub bunches: Vec<String>,
}

/// An option of the events' outcome filter.
pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PersonQuery {
    older: Option<String>,
    newer: Option<String>,
    done: Option<String>,
    /// The events' outcome filter (as stored), and where their page starts.
    outcome: Option<String>,
    events_before: Option<i64>,
}

fn yes_no(tr: &crate::i18n::Tr, v: bool) -> String {
    tr.t(if v { "admin-yes" } else { "admin-no" })
}

/// An outcome as stored, in words.
fn outcome_label(tr: &crate::i18n::Tr, stored: &str) -> String {
    tr.t(&format!("admin-outcome-{}", stored.replace('_', "-")))
}

pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    Staff { user: me }: Staff,
    path: web::Path<i64>,
    query: web::Query<PersonQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageRequest::from_links(query.older.as_deref(), query.newer.as_deref());
    let outcome = query.outcome.as_deref().and_then(Outcome::parse);
    let event_query = EventQuery {
        outcome,
        before: query.events_before,
    };
    let PersonView {
        user,
        inviter,
        invitees,
        events,
        more_events,
        test_number_until,
        pending_email,
        chain,
        second_level,
        bunches,
    } = state
        .app
        .staff
        .person(path.into_inner(), page, event_query)
        .await?
        .ok_or(AppError::NotFound)?;
    let ctx = PageCtx::new(&req, &state, true).staff(true);
    let tr = ctx.tr.clone();
    let when = |at| tr.moment(at).text;
    let optional = |v: Option<chrono::NaiveDateTime>| v.map(when).unwrap_or_else(|| "—".to_owned());
    // a deleted account has no number: it is named by its id
    let shown_phone = |u: &crate::domain::account::User| match u.deleted_at {
        Some(_) => tr.args("deleted-account-id", &[("id", u.id.into())]),
        None => phone::display_e164(&u.phone),
    };
    let fields = vec![
        ("admin-field-id", user.id.to_string()),
        ("admin-field-phone", shown_phone(&user)),
        ("admin-field-invite-code", user.invite_code.clone()),
        ("admin-field-active", yes_no(&tr, user.is_active)),
        ("admin-field-staff", yes_no(&tr, user.is_staff)),
        ("admin-field-owner", yes_no(&tr, user.is_owner)),
        (
            "admin-field-name",
            user.display_name.clone().unwrap_or_else(|| "—".to_owned()),
        ),
        (
            "admin-field-email",
            match (&user.email, user.email_verified_at) {
                (Some(email), Some(at)) => tr.args(
                    "admin-email-verified",
                    &[("email", email.clone().into()), ("when", when(at).into())],
                ),
                _ => "—".to_owned(),
            },
        ),
        (
            "admin-field-email-pending",
            pending_email.unwrap_or_else(|| "—".to_owned()),
        ),
        (
            "admin-field-test-number",
            match test_number_until {
                Some(until) => tr.args(
                    "admin-test-number-until",
                    &[("date", tr.date(until).text.into())],
                ),
                None => tr.t("admin-no"),
            },
        ),
        ("admin-field-joined", when(user.date_joined)),
        ("admin-field-last-login", optional(user.last_login)),
        ("admin-field-entered-at", optional(user.invited_at)),
        ("admin-field-invitees", tr.number(user.invitee_count)),
        ("admin-field-deleted", optional(user.deleted_at)),
    ]
    .into_iter()
    .map(|(label, value)| Field {
        label: tr.t(label),
        value,
    })
    .collect();
    let actions = Action::ON_THE_PAGES
        .into_iter()
        .filter(|a| a.applies_to(&user) && a.refusal(By::staff(&me), &user).is_none())
        .map(|a| ActionLink {
            href: format!("/admin/users/{}/{}", user.id, a.slug()),
            label: tr.t(&format!("admin-action-{}", a.slug())),
            danger: a.is_drastic(),
        })
        .collect();
    let events_link = |before: Option<i64>| {
        let mut link = format!(
            "/admin/users/{}?outcome={}",
            user.id,
            outcome.map_or("", |o| o.as_str())
        );
        if let Some(before) = before {
            link.push_str(&format!("&events_before={before}"));
        }
        link.push_str("#events");
        link
    };
    let chain = chain
        .iter()
        .map(|link| Link {
            href: format!("/admin/users/{}", link.id),
            text: tr.args(
                "admin-tree-up",
                &[
                    ("depth", link.depth.into()),
                    ("phone", phone::display_e164(&link.phone).into()),
                    ("count", link.invitee_count.into()),
                    ("shown", tr.number(link.invitee_count).into()),
                ],
            ),
        })
        .collect();
    let levels = [(1, user.invitee_count), (2, second_level)]
        .into_iter()
        .map(|(depth, count)| {
            tr.args(
                "admin-tree-down",
                &[("depth", depth.into()), ("shown", tr.number(count).into())],
            )
        })
        .collect();
    let bunches = bunches
        .iter()
        .map(|b| {
            let id = match b.kind {
                BunchKind::Network => "admin-tree-bunch-network",
                BunchKind::Prefix => "admin-tree-bunch-prefix",
            };
            tr.args(
                id,
                &[
                    ("count", (b.count as i64).into()),
                    ("key", b.key.clone().into()),
                    ("from", when(b.from).into()),
                ],
            )
        })
        .collect();
    let page = PersonPage {
        chain,
        levels,
        bunches,
        section: "users",
        id: user.id,
        title: shown_phone(&user),
        notice: query
            .done
            .as_deref()
            .and_then(Action::from_slug)
            .map(|a| tr.t(&format!("admin-done-{}", a.slug()))),
        fields,
        inviter: inviter.map(|i| Link {
            href: format!("/admin/users/{}", i.id),
            text: format!("{} ({})", shown_phone(&i), i.invite_code),
        }),
        invitee_count: tr.args(
            "admin-invitees-count",
            &[
                ("count", user.invitee_count.into()),
                ("shown", tr.number(user.invitee_count).into()),
            ],
        ),
        invitees: invitees
            .items
            .iter()
            .map(|i| InviteeRow {
                href: format!("/admin/users/{}", i.id),
                phone: phone::display_e164(&i.phone),
                date: tr.moment(i.invited_at),
            })
            .collect(),
        newer_link: invitees
            .newer
            .map(|c| format!("/admin/users/{}?newer={}#invitees", user.id, c.encode())),
        older_link: invitees
            .older
            .map(|c| format!("/admin/users/{}?older={}#invitees", user.id, c.encode())),
        events_first_link: query.events_before.map(|_| events_link(None)),
        events_older_link: more_events
            .then(|| events.last().map(|e| events_link(Some(e.id))))
            .flatten(),
        events: events
            .iter()
            .map(|e| EventRow {
                when: tr.moment(e.created_at),
                ip: e.ip.clone(),
                outcome: outcome_label(&tr, &e.outcome),
            })
            .collect(),
        outcomes: std::iter::once(Choice {
            value: "",
            label: tr.t("admin-filter-any"),
            selected: outcome.is_none(),
        })
        .chain(Outcome::ALL.into_iter().map(|o| Choice {
            value: o.as_str(),
            label: outcome_label(&tr, o.as_str()),
            selected: outcome == Some(o),
        }))
        .collect(),
        actions,
        ctx,
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "admin/confirm.html")]
pub struct ConfirmPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub question: String,
    pub button: String,
    pub action_url: String,
    pub back_url: String,
    pub danger: bool,
}

pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    Staff { user: me }: Staff,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, slug) = path.into_inner();
    let action = Action::from_slug(&slug).ok_or(AppError::NotFound)?;
    let user = state.app.staff.user(id).await?.ok_or(AppError::NotFound)?;
    if action.refusal(By::staff(&me), &user).is_some() {
        return Err(AppError::Forbidden);
    }
    let ctx = PageCtx::new(&req, &state, true).staff(true);
    let page = ConfirmPage {
        section: "users",
        question: ctx.tr.args(
            &format!("admin-confirm-{}", action.slug()),
            &[("phone", phone::display_e164(&user.phone).into())],
        ),
        button: ctx.t(&format!("admin-action-{}", action.slug())),
        action_url: format!("/admin/users/{id}/{}", action.slug()),
        back_url: format!("/admin/users/{id}"),
        danger: action.is_drastic(),
        ctx,
    };
    render(StatusCode::OK, &page)
}

pub async fn act(
    req: HttpRequest,
    state: web::Data<AppState>,
    client: ClientInfo,
    path: web::Path<(i64, String)>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let Staff { user: me } = Staff::check(&req).await?;
    let (id, slug) = path.into_inner();
    let action = Action::from_slug(&slug).ok_or(AppError::NotFound)?;
    match state.app.staff.act(&me, &client.ip, id, action).await? {
        ActionResult::Done(_) => Ok(see_other(&format!(
            "/admin/users/{id}?done={}",
            action.slug()
        ))),
        ActionResult::NotOnYourself | ActionResult::NotAllowed | ActionResult::LastOwner => {
            Err(AppError::Forbidden)
        }
        ActionResult::NotFound => Err(AppError::NotFound),
    }
}
