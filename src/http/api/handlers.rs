//! The `/api/v1` handlers. Each parses its input, calls the same use case as the web page, and
//! answers JSON, or a problem through the refusal table.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::Body;
use super::problem::{ApiError, Problem, api_tr};
use crate::{
    domain::{
        account::{self, Credential},
        client::ClientInfo,
        cursor::{self, Cursor, INVITEES_PER_PAGE, MAX_INVITEES_PER_PAGE, PageRequest},
        email::EmailAddress,
        invite_code::InviteCode,
        name::DisplayName,
        otp::OtpCode,
        phone::PhoneNumber,
        refusal::LinkRefused,
        token::link_token,
    },
    http::{
        auth::Bearer,
        refusal::{Arg, Refused},
    },
    state::AppState,
};

fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// `{ "phone": "+998901234567" }`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneBody {
    /// In international form (`+998 90 123 45 67`), or national when the server has a default region.
    #[schema(example = "+998901234567")]
    pub phone: String,
}

/// A code is on its way.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeSent {
    /// When another code may be asked for.
    #[schema(example = 60)]
    pub retry_after_seconds: i64,
    /// How long the code can be used.
    #[schema(example = 300)]
    pub expires_in_seconds: i64,
}

/// `{ "phone": "+998901234567", "code": "1234" }`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    #[schema(example = "+998901234567")]
    pub phone: String,
    #[schema(example = "1234")]
    pub code: String,
}

/// A bearer token and the profile it belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenIssued {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    pub expires_at: DateTime<Utc>,
    pub user: Profile,
}

/// The signed-in person.
#[derive(Debug, Serialize, ToSchema)]
pub struct Profile {
    #[schema(example = "+998901234567")]
    pub phone: String,
    /// The display name, or null.
    #[schema(example = "Aziza Karimova")]
    pub name: Option<String>,
    /// This person's own invite code.
    #[schema(example = "7K3M9Q")]
    pub invite_code: String,
    /// The code this person entered, or null.
    pub entered_code: Option<String>,
    /// The account whose code this person entered has since been deleted.
    pub entered_code_deleted: bool,
    /// When the code was entered, or null.
    pub entered_at: Option<DateTime<Utc>>,
    pub date_joined: DateTime<Utc>,
    /// How many people entered this person's code.
    pub invitee_count: i64,
    /// How many of them joined since the person last looked at the first page of the list.
    pub unseen_invitees: i64,
    /// The verified email address, or null.
    #[schema(example = "aziza@example.com")]
    pub email: Option<String>,
    pub email_verified_at: Option<DateTime<Utc>>,
    /// An address waiting for its link to be opened, or null.
    pub pending_email: Option<String>,
}

/// `{ "name": "Aziza Karimova" }`; `null` or `""` removes the name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameBody {
    /// 1 to 64 characters after trimming (stored in NFC); no control or invisible characters.
    pub name: Option<String>,
}

/// `{ "code": "7K3-M9Q" }`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    /// Case, spaces and dashes do not matter; O reads as 0, I and L as 1.
    #[schema(example = "7k3-m9q")]
    pub code: String,
}

/// Whose invite code a link carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct Invitation {
    /// The code, normalised.
    #[schema(example = "7K3M9Q")]
    pub code: String,
    /// The inviter's display name, or null.
    #[schema(example = "Aziza Karimova")]
    pub inviter_name: Option<String>,
    /// The inviter's number with all but the country code and the last two digits hidden.
    #[schema(example = "+998 •••••••67")]
    pub inviter_phone: String,
}

/// One person who entered the code.
#[derive(Debug, Serialize, ToSchema)]
pub struct Invitee {
    pub phone: String,
    /// When they entered the code.
    pub joined_at: DateTime<Utc>,
    /// They joined since the person last looked at the first page.
    pub new: bool,
}

/// A page of invitees, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct InviteePage {
    pub items: Vec<Invitee>,
    /// Pass as `cursor` for the next (older) page; null on the last page.
    pub next_cursor: Option<String>,
    /// Total number of invitees.
    pub total: i64,
    /// How many joined since the last look at the first page (the first items of the first
    /// page; reading the first page is a look, so the next read says 0 until someone joins).
    pub new: i64,
}

/// `?cursor=&limit=`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InviteesQuery {
    /// `next_cursor` of the previous page; absent or empty for the first page.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

impl From<account::Profile> for Profile {
    fn from(p: account::Profile) -> Self {
        Profile {
            phone: p.user.phone,
            name: p.user.display_name,
            invite_code: p.user.invite_code,
            entered_code: p.entered_code,
            entered_code_deleted: p.inviter_deleted,
            entered_at: p.user.invited_at.map(utc),
            date_joined: utc(p.user.date_joined),
            invitee_count: p.user.invitee_count,
            unseen_invitees: p.user.unseen_invitees,
            email: p.user.email,
            email_verified_at: p.user.email_verified_at.map(utc),
            pending_email: p.pending_email,
        }
    }
}

fn parse_phone(state: &AppState, input: &str) -> Result<PhoneNumber, ApiError> {
    Ok(state.phone_policy.parse(input)?)
}

/// Ask for a sign-in code.
///
/// The answer is the same whether or not the phone has an account.
#[utoipa::path(post, path = "/api/v1/auth/code", tag = "auth", request_body = PhoneBody,
    responses(
        (status = 202, description = "A code was sent", body = CodeSent),
        (status = 422, description = "Not a valid phone number (`phone_invalid`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`resend_too_soon`, `too_many_codes_phone`, `too_many_codes_ip`, `too_many_codes_prefix`, `sms_budget_spent` or `phone_locked` (for the client's network); see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn request_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    client: ClientInfo,
    body: Body<PhoneBody>,
) -> Result<HttpResponse, ApiError> {
    let phone = parse_phone(&state, &body.phone)?;
    let tr = api_tr(&req, &state);
    let sent = state
        .app
        .sign_in
        .request_code(&phone, &client, &tr)
        .await??;
    Ok(code_sent(sent))
}

/// Exchange the code for a bearer token.
///
/// The first sign-in creates the account. Wrong codes count towards the same limits as the web
/// form: 3 tries per code, 30 failed checks per client network per hour, and 10 failures of one
/// phone from one network in an hour lock that network (only) out of that phone.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenBody,
    responses(
        (status = 200, description = "Signed in", body = TokenIssued),
        (status = 403, description = "The account is blocked (`account_blocked`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`phone_invalid`, `otp_invalid`, `otp_wrong` (with `attempts_left`), `otp_expired` or `otp_used_up`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed checks from the client's network (`too_many_wrong_codes_ip`), or this network is locked out of the phone (`phone_locked`); see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_token(
    state: web::Data<AppState>,
    client: ClientInfo,
    body: Body<TokenBody>,
) -> Result<HttpResponse, ApiError> {
    let phone = parse_phone(&state, &body.phone)?;
    let code = OtpCode::parse(&body.code, state.app.sign_in.shortest_code())?;
    let signed_in = state
        .app
        .sign_in
        .verify(&phone, code, &client, Credential::ApiToken, None)
        .await??;
    Ok(HttpResponse::Ok().json(TokenIssued {
        token: signed_in.token,
        token_type: "Bearer",
        expires_at: utc(signed_in.expires_at),
        user: signed_in.profile.into(),
    }))
}

/// Revoke the token used for this request.
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked; the token no longer works"),
        (status = 401, description = "No valid token (`unauthorized`)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_token(
    state: web::Data<AppState>,
    bearer: Bearer,
) -> Result<HttpResponse, ApiError> {
    state
        .app
        .credentials
        .end(Credential::ApiToken, bearer.token)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in person's profile.
#[utoipa::path(get, path = "/api/v1/me", tag = "profile", security(("bearer" = [])),
    responses(
        (status = 200, description = "The profile", body = Profile),
        (status = 401, description = "No valid token (`unauthorized`)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn me(state: web::Data<AppState>, bearer: Bearer) -> Result<HttpResponse, ApiError> {
    let profile = state.app.accounts.profile(bearer.user).await?;
    Ok(HttpResponse::Ok().json(Profile::from(profile)))
}

/// The people who entered the signed-in person's code, newest first.
#[utoipa::path(get, path = "/api/v1/me/invitees", tag = "profile", security(("bearer" = [])),
    params(InviteesQuery),
    responses(
        (status = 200, description = "A page of invitees", body = InviteePage),
        (status = 400, description = "Malformed query (`invalid_query`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token (`unauthorized`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit_out_of_range` or `invalid_cursor`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn invitees(
    state: web::Data<AppState>,
    bearer: Bearer,
    query: web::Query<InviteesQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(INVITEES_PER_PAGE);
    if !(1..=MAX_INVITEES_PER_PAGE).contains(&limit) {
        return Err(Refused::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "limit_out_of_range",
            "problem-limit-out-of-range",
        )
        .arg("min", Arg::Number(1))
        .arg("max", Arg::Number(MAX_INVITEES_PER_PAGE))
        .into());
    }
    let page = match query.cursor.as_deref() {
        None | Some("") => PageRequest::First,
        Some(c) => PageRequest::Older(Cursor::decode(c).ok_or_else(|| {
            Refused::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_cursor",
                "problem-invalid-cursor",
            )
        })?),
    };
    let (page, new): (cursor::InviteePage, i64) =
        state.app.invites.page(&bearer.user, page, limit).await?;
    Ok(HttpResponse::Ok().json(InviteePage {
        items: page
            .items
            .into_iter()
            .enumerate()
            .map(|(at, i)| Invitee {
                phone: i.phone,
                joined_at: utc(i.invited_at),
                new: (at as i64) < new,
            })
            .collect(),
        new,
        next_cursor: page.older.map(|c| c.encode()),
        total: bearer.user.invitee_count,
    }))
}

/// Enter the invite code of the person who invited you. Once entered it never changes.
#[utoipa::path(post, path = "/api/v1/me/invite", tag = "profile", security(("bearer" = [])),
    request_body = InviteBody,
    responses(
        (status = 200, description = "Entered; the updated profile", body = Profile),
        (status = 401, description = "No valid token (`unauthorized`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A code was already entered (`invite_already_entered`), or the code's owner has as many invitees as one person may (`invite_code_full`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invite_code_invalid`, `invite_code_unknown`, `invite_code_own` or `invite_cycle`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many tries (`invite_rate_limited`); see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn enter_invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    bearer: Bearer,
    client: ClientInfo,
    body: Body<InviteBody>,
) -> Result<HttpResponse, ApiError> {
    let tr = api_tr(&req, &state);
    let code = InviteCode::parse(&body.code)?;
    let profile = state
        .app
        .invites
        .enter(&bearer.user, code, &client, &tr)
        .await??;
    Ok(HttpResponse::Ok().json(Profile::from(profile)))
}

/// Whose invitation an invite link (`/i/{code}`) is, before signing in. Accept it with
/// `POST /api/v1/me/invite` once signed in. Links whose code no account has are counted per
/// client network: past `INVITE_LINK_MISSES_HOUR` in an hour, every link answers 429.
#[utoipa::path(get, path = "/api/v1/invitations/{code}", tag = "profile",
    params(("code" = String, Path, description = "The invite code; case, spaces and dashes do not matter")),
    responses(
        (status = 200, description = "The invitation", body = Invitation),
        (status = 404, description = "No account has this code, or it is no code (`invitation_unknown`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many links with unknown codes from this network (`invitation_rate_limited`); see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn invitation(
    state: web::Data<AppState>,
    client: ClientInfo,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let found = state
        .app
        .invites
        .invitation(InviteCode::parse(&code).ok(), client.network, None)
        .await??;
    Ok(HttpResponse::Ok().json(Invitation {
        code: found.code,
        inviter_name: found.inviter_name,
        inviter_phone: found.inviter_phone,
    }))
}

/// Set or remove the signed-in person's display name.
#[utoipa::path(put, path = "/api/v1/me/name", tag = "profile", security(("bearer" = [])),
    request_body = NameBody,
    responses(
        (status = 200, description = "Saved; the updated profile", body = Profile),
        (status = 401, description = "No valid token (`unauthorized`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Too long, or a control or invisible character (`name_invalid`)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn set_name(
    state: web::Data<AppState>,
    bearer: Bearer,
    body: Body<NameBody>,
) -> Result<HttpResponse, ApiError> {
    let name = DisplayName::parse(body.name.as_deref().unwrap_or_default())?;
    let profile = state.app.accounts.set_name(bearer.user, name).await?;
    Ok(HttpResponse::Ok().json(Profile::from(profile)))
}

/// Replace your invite code with a new one: the old code and its link stop working for anyone
/// new; the people who joined with it stay. Audited; `INVITE_CODE_CHANGES_DAY` (3) a day.
#[utoipa::path(post, path = "/api/v1/me/invite-code", tag = "profile", security(("bearer" = [])),
    responses(
        (status = 200, description = "Replaced; the updated profile with the new `invite_code`", body = Profile),
        (status = 401, description = "No valid token (`unauthorized`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "As many new codes as a day allows (`invite_code_changes_limited`); see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn new_invite_code(
    state: web::Data<AppState>,
    bearer: Bearer,
    client: ClientInfo,
) -> Result<HttpResponse, ApiError> {
    let profile = state.app.invites.new_code(&bearer.user, &client).await??;
    Ok(HttpResponse::Ok().json(Profile::from(profile)))
}

/// One place the person is signed in.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceOut {
    /// `session` (a browser) or `token` (an app using this API).
    #[schema(example = "session")]
    pub kind: &'static str,
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// From the user agent, in words ("Firefox"), or null.
    pub browser: Option<String>,
    /// From the user agent, in words ("Android"), or null.
    pub system: Option<String>,
    pub ip: Option<String>,
    /// The token of this request.
    pub current: bool,
}

/// `{ "ended": 2 }`
#[derive(Debug, Serialize, ToSchema)]
pub struct Ended {
    pub ended: usize,
}

/// Where the signed-in person is signed in: web sessions and API tokens, most recently used
/// first.
#[utoipa::path(get, path = "/api/v1/me/devices", tag = "profile", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every live session and token", body = [DeviceOut]),
        (status = 401, description = "No valid token (`unauthorized`)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn devices(state: web::Data<AppState>, bearer: Bearer) -> Result<HttpResponse, ApiError> {
    let (devices, _) = state
        .app
        .credentials
        .devices(&bearer.user, (Credential::ApiToken, bearer.token))
        .await?;
    let out: Vec<DeviceOut> = devices
        .into_iter()
        .map(|d| DeviceOut {
            kind: d.kind.slug(),
            id: d.id,
            created_at: utc(d.created_at),
            last_seen_at: utc(d.last_seen_at),
            browser: d.browser,
            system: d.system,
            ip: d.ip,
            current: d.current,
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Sign one session or token out.
#[utoipa::path(delete, path = "/api/v1/me/devices/{kind}/{id}", tag = "profile", security(("bearer" = [])),
    params(
        ("kind" = String, Path, description = "`session` or `token`"),
        ("id" = i64, Path, description = "The `id` from the list"),
    ),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "No valid token (`unauthorized`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "None of yours (`not_found`)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn end_device(
    state: web::Data<AppState>,
    bearer: Bearer,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (kind, id) = path.into_inner();
    let kind = Credential::from_slug(&kind).ok_or_else(ApiError::not_found)?;
    if !state
        .app
        .credentials
        .end_device(&bearer.user, kind, id)
        .await?
    {
        return Err(ApiError::not_found());
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Sign out everywhere but this token.
#[utoipa::path(post, path = "/api/v1/me/devices/end-others", tag = "profile", security(("bearer" = [])),
    responses(
        (status = 200, description = "How many were signed out", body = Ended),
        (status = 401, description = "No valid token (`unauthorized`)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn end_other_devices(
    state: web::Data<AppState>,
    bearer: Bearer,
) -> Result<HttpResponse, ApiError> {
    let ended = state
        .app
        .credentials
        .end_others(&bearer.user, (Credential::ApiToken, bearer.token))
        .await?;
    Ok(HttpResponse::Ok().json(Ended { ended }))
}

/// `{ "code": "1234" }`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    #[schema(example = "1234")]
    pub code: String,
}

fn code_sent(sent: crate::app::sign_in::CodeSent) -> HttpResponse {
    HttpResponse::Accepted().json(CodeSent {
        retry_after_seconds: sent.resend_after,
        expires_in_seconds: sent.expires_in,
    })
}

/// Ask for a code to a new number, to move the account there.
///
/// Every limit of a sign-in code applies. Whether the number has an account is said only after
/// the right code, to whoever holds that number.
#[utoipa::path(post, path = "/api/v1/me/phone", tag = "profile", security(("bearer" = [])),
    request_body = PhoneBody,
    responses(
        (status = 202, description = "A code was sent to the new number", body = CodeSent),
        (status = 401, description = "No valid token (`unauthorized`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`phone_invalid`, or `phone_unchanged` (it is the account's number)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The limits of `/auth/code`; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn request_phone_change(
    req: HttpRequest,
    state: web::Data<AppState>,
    bearer: Bearer,
    client: ClientInfo,
    body: Body<PhoneBody>,
) -> Result<HttpResponse, ApiError> {
    let phone = parse_phone(&state, &body.phone)?;
    let tr = api_tr(&req, &state);
    let sent = state
        .app
        .changes
        .request_phone_change(&bearer.user, &phone, &client, &tr)
        .await??;
    Ok(code_sent(sent))
}

/// Move the account to the new number with the code sent there.
///
/// The account keeps its id, invite code and invite links; the old number gets a notice.
#[utoipa::path(post, path = "/api/v1/me/phone/confirm", tag = "profile", security(("bearer" = [])),
    request_body = TokenBody,
    responses(
        (status = 200, description = "Moved; the updated profile", body = Profile),
        (status = 401, description = "No valid token (`unauthorized`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another account has the number (`phone_taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`phone_invalid`, `otp_invalid`, `otp_wrong` (with `attempts_left`), `otp_expired` or `otp_used_up`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The limits of `/auth/token`; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn confirm_phone_change(
    req: HttpRequest,
    state: web::Data<AppState>,
    bearer: Bearer,
    client: ClientInfo,
    body: Body<TokenBody>,
) -> Result<HttpResponse, ApiError> {
    let phone = parse_phone(&state, &body.phone)?;
    let code = OtpCode::parse(&body.code, state.app.sign_in.shortest_code())?;
    let tr = api_tr(&req, &state);
    let profile = state
        .app
        .changes
        .change_phone(&bearer.user, &phone, code, &client, &tr)
        .await??;
    Ok(HttpResponse::Ok().json(Profile::from(profile)))
}

/// Ask for the code that confirms deleting the account, sent to its number.
#[utoipa::path(post, path = "/api/v1/me/delete/code", tag = "profile", security(("bearer" = [])),
    responses(
        (status = 202, description = "A code was sent to the account's number", body = CodeSent),
        (status = 401, description = "No valid token (`unauthorized`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The account is the service's last owner (`last_owner`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The limits of `/auth/code`; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn request_deletion(
    req: HttpRequest,
    state: web::Data<AppState>,
    bearer: Bearer,
    client: ClientInfo,
) -> Result<HttpResponse, ApiError> {
    let tr = api_tr(&req, &state);
    let sent = state
        .app
        .changes
        .request_deletion(&bearer.user, &client, &tr)
        .await??;
    Ok(code_sent(sent))
}

/// Delete the account with the code sent to its number.
///
/// Every session and token ends; the number is free again; people who entered this account's
/// code keep their entry; an audit row without the number remains.
#[utoipa::path(post, path = "/api/v1/me/delete", tag = "profile", security(("bearer" = [])),
    request_body = CodeBody,
    responses(
        (status = 204, description = "Deleted; this token no longer works"),
        (status = 401, description = "No valid token (`unauthorized`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The account is the service's last owner (`last_owner`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`otp_invalid`, `otp_wrong` (with `attempts_left`), `otp_expired` or `otp_used_up`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The limits of `/auth/token`; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_account(
    state: web::Data<AppState>,
    bearer: Bearer,
    client: ClientInfo,
    body: Body<CodeBody>,
) -> Result<HttpResponse, ApiError> {
    let code = OtpCode::parse(&body.code, state.app.sign_in.shortest_code())?;
    state
        .app
        .changes
        .delete(&bearer.user, code, &client)
        .await??;
    Ok(HttpResponse::NoContent().finish())
}

/// `{ "email": "aziza@example.com" }`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailBody {
    /// One plain address, at most 254 characters.
    #[schema(example = "aziza@example.com", format = Email, max_length = 254)]
    pub email: String,
}

/// A verification link is on its way.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkSent {
    /// How long the link can be used.
    #[schema(example = 86400)]
    pub expires_in_seconds: i64,
}

/// `{ "token": "…" }`: the `token` of the link in the mail.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    #[schema(max_length = 128)]
    pub token: String,
}

/// `{ "email": "aziza@example.com" }`: the address now verified.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailVerified {
    pub email: String,
}

/// Add or change the email address: a link to confirm it is mailed there.
///
/// Until the link is opened, the verified address (if any) stays.
#[utoipa::path(put, path = "/api/v1/me/email", tag = "profile", security(("bearer" = [])),
    request_body = EmailBody,
    responses(
        (status = 202, description = "A link was mailed", body = LinkSent),
        (status = 401, description = "No valid token (`unauthorized`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`email_invalid`, or `email_unchanged` (it is the verified address)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`too_many_links_account` or `too_many_links_address`; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn set_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    bearer: Bearer,
    body: Body<EmailBody>,
) -> Result<HttpResponse, ApiError> {
    let address = EmailAddress::parse(&body.email)?;
    let tr = api_tr(&req, &state);
    let sent = state
        .app
        .emails
        .request(&bearer.user, &address, &tr)
        .await??;
    Ok(HttpResponse::Accepted().json(LinkSent {
        expires_in_seconds: sent.expires_in,
    }))
}

/// Remove the email address (and any link waiting).
#[utoipa::path(delete, path = "/api/v1/me/email", tag = "profile", security(("bearer" = [])),
    responses(
        (status = 200, description = "Removed; the updated profile", body = Profile),
        (status = 401, description = "No valid token (`unauthorized`)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn remove_email(
    state: web::Data<AppState>,
    bearer: Bearer,
) -> Result<HttpResponse, ApiError> {
    let profile = state.app.emails.remove(bearer.user).await?;
    Ok(HttpResponse::Ok().json(Profile::from(profile)))
}

/// Confirm an address with the token of the link mailed to it (no sign-in needed: the token
/// says whose it is). Single use; valid 24 hours.
#[utoipa::path(post, path = "/api/v1/email/verify", tag = "profile", request_body = LinkBody,
    responses(
        (status = 200, description = "The address is the account's now", body = EmailVerified),
        (status = 422, description = "`link_invalid` (unknown, used or replaced) or `link_expired`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn verify_email(
    state: web::Data<AppState>,
    body: Body<LinkBody>,
) -> Result<HttpResponse, ApiError> {
    let token = link_token(&body.token).ok_or(LinkRefused::Invalid)?;
    let address = state.app.emails.verify(token).await??;
    Ok(HttpResponse::Ok().json(EmailVerified {
        email: address.to_string(),
    }))
}

/// Unknown paths under `/api`.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found())
}

/// A known path asked with a method it does not take.
pub async fn method_not_allowed() -> Result<HttpResponse, ApiError> {
    Err(ApiError::method_not_allowed())
}
