//! `GET /admin/users` (search, filters, sort, 50 per page) and `GET /admin/users.csv` (the same
//! selection as CSV, streamed in keyset batches so memory stays flat for any number of rows).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web, web::Bytes};
use askama::Template;
use serde::Deserialize;

use super::format::{enc, when};
use crate::{
    domain::{
        account::User,
        phone,
        search::{ExportCursor, Tri, UserFilter, UserSort},
    },
    http::{
        auth::Staff,
        error::AppError,
        respond::no_store,
        web::page::{PageCtx, render},
    },
    i18n::Shown,
    state::AppState,
};

/// The query string of the list and the export.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub staff: String,
    pub blocked: String,
    pub entered: String,
    pub sort: String,
    pub page: Option<u32>,
}

fn tri(v: &str) -> Tri {
    match v {
        "yes" => Tri::Yes,
        "no" => Tri::No,
        _ => Tri::Any,
    }
}

impl ListQuery {
    /// The filter it describes.
    pub fn filter(&self) -> UserFilter {
        UserFilter {
            staff: tri(&self.staff),
            blocked: tri(&self.blocked),
            entered_code: tri(&self.entered),
            sort: if self.sort == "invitees" {
                UserSort::Invitees
            } else {
                UserSort::Joined
            },
            ..UserFilter::search(&self.q)
        }
    }

    /// The query string without the page, for links that keep the selection.
    pub fn selection(&self) -> String {
        format!(
            "q={}&staff={}&blocked={}&entered={}&sort={}",
            enc(&self.q),
            enc(&self.staff),
            enc(&self.blocked),
            enc(&self.entered),
            enc(&self.sort)
        )
    }
}

pub struct Row {
    pub id: i64,
    pub phone: String,
    pub invite_code: String,
    pub joined: Shown,
    pub invitees: String,
    pub staff: bool,
    pub blocked: bool,
    pub entered: bool,
}

impl Row {
    fn of(u: &User, tr: &crate::i18n::Tr) -> Self {
        Row {
            id: u.id,
            phone: phone::display_e164(&u.phone),
            invite_code: u.invite_code.clone(),
            joined: tr.moment(u.date_joined),
            invitees: tr.number(u.invitee_count),
            staff: u.is_staff,
            blocked: !u.is_active,
            entered: u.invited_by_id.is_some(),
        }
    }
}

/// A choice in a filter's select.
pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub ctx: PageCtx,
    pub section: &'static str,
    pub q: String,
    pub filters: Vec<(&'static str, String, Vec<Choice>)>,
    pub sorts: Vec<Choice>,
    pub found: String,
    pub rows: Vec<Row>,
    pub prev_link: Option<String>,
    pub next_link: Option<String>,
    pub csv_link: String,
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    _staff: Staff,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let page = query.page.unwrap_or(1).max(1);
    let found = state.app.staff.search(query.filter(), page).await?;
    let (rows, more, count) = (found.rows, found.more, found.total);
    let ctx = PageCtx::new(&req, &state, true).staff(true);
    let tr = ctx.tr.clone();
    let choices = |current: &str, options: &[(&'static str, &str)]| -> Vec<Choice> {
        options
            .iter()
            .map(|(value, id)| Choice {
                value,
                label: tr.t(id),
                selected: *value == current,
            })
            .collect()
    };
    let yes_no = |current: &str, yes: &str, no: &str| {
        choices(
            current,
            &[("", "admin-filter-any"), ("yes", yes), ("no", no)],
        )
    };
    let selection = query.selection();
    let page_link = |p: u32| format!("/admin/users?{selection}&page={p}");
    let page_view = UsersPage {
        section: "users",
        q: query.q.clone(),
        filters: vec![
            (
                "staff",
                tr.t("admin-filter-staff"),
                yes_no(&query.staff, "admin-staff-yes", "admin-staff-no"),
            ),
            (
                "blocked",
                tr.t("admin-filter-blocked"),
                yes_no(&query.blocked, "admin-blocked-yes", "admin-blocked-no"),
            ),
            (
                "entered",
                tr.t("admin-filter-entered"),
                yes_no(&query.entered, "admin-entered-yes", "admin-entered-no"),
            ),
        ],
        sorts: choices(
            &query.sort,
            &[
                ("", "admin-sort-joined"),
                ("invitees", "admin-sort-invitees"),
            ],
        ),
        found: tr.args(
            "admin-users-found",
            &[("count", count.into()), ("shown", tr.number(count).into())],
        ),
        rows: rows.iter().map(|u| Row::of(u, &tr)).collect(),
        prev_link: (page > 1).then(|| page_link(page - 1)),
        next_link: more.then(|| page_link(page + 1)),
        csv_link: format!("/admin/users.csv?{selection}"),
        ctx,
    };
    render(StatusCode::OK, &page_view)
}

/// One CSV cell: quoted when needed, and never read as a formula by a spreadsheet (a cell that
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`).
pub fn csv_cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn csv_row(u: &User) -> String {
    let cells = [
        u.id.to_string(),
        u.phone.clone(),
        u.invite_code.clone(),
        u.invited_by_id.map(|i| i.to_string()).unwrap_or_default(),
        u.invited_at.map(when).unwrap_or_default(),
        u.invitee_count.to_string(),
        u.is_active.to_string(),
        u.is_staff.to_string(),
        when(u.date_joined),
        u.last_login.map(when).unwrap_or_default(),
    ];
    let mut line = cells
        .iter()
        .map(|c| csv_cell(c))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

pub const CSV_HEADER: &str = "id,phone,invite_code,invited_by_id,invited_at,invitee_count,is_active,is_staff,date_joined,last_login\r\n";

/// State of the export stream: where the next batch starts, or done.
enum Export {
    Start,
    After(ExportCursor),
    Done,
}

pub async fn export(
    state: web::Data<AppState>,
    _staff: Staff,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = query.filter();
    let header = futures_util::stream::once(async {
        Ok::<_, AppError>(Bytes::from_static(CSV_HEADER.as_bytes()))
    });
    let rows = futures_util::stream::unfold(Export::Start, move |position| {
        let (state, filter) = (state.clone(), filter.clone());
        async move {
            let after = match position {
                Export::Start => None,
                Export::After(c) => Some(c),
                Export::Done => return None,
            };
            let (batch, next) = match state.app.staff.export_batch(filter, after).await {
                Ok(b) => b,
                Err(e) => return Some((Err(AppError::from(e)), Export::Done)),
            };
            if batch.is_empty() {
                return None;
            }
            let chunk: String = batch.iter().map(csv_row).collect();
            Some((
                Ok(Bytes::from(chunk)),
                next.map_or(Export::Done, Export::After),
            ))
        }
    });
    use futures_util::StreamExt;
    let mut res = HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"users.csv\""))
        .streaming(header.chain(rows));
    no_store(&mut res);
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn formulas_are_neutralised_and_cells_quoted() {
        assert_eq!(csv_cell("+998901234567"), "'+998901234567");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("7K3M9Q"), "7K3M9Q");
        assert_eq!(csv_cell(""), "");
    }
}
