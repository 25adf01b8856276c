//! The `/api/v1` handlers. Each parses its input, calls the same domain function as the web
//! page, and answers JSON or a problem.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    Bearer,
    problem::{ApiError, Arg, Problem},
};
use crate::{
    auth::{self, Credential, Sending, Verification, otp::OtpCode},
    db,
    db::users::User,
    invites::{
        InviteCode,
        activation::{self, Activation, Cursor, PageRequest},
    },
    phone::PhoneNumber,
    routes::client_info,
    startup::AppState,
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
    /// This person's own invite code.
    #[schema(example = "7K3M9Q")]
    pub invite_code: String,
    /// The code this person entered, or null.
    pub entered_code: Option<String>,
    /// When the code was entered, or null.
    pub entered_at: Option<DateTime<Utc>>,
    pub date_joined: DateTime<Utc>,
    /// How many people entered this person's code.
    pub invitee_count: i64,
}

/// `{ "code": "7K3-M9Q" }`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    /// Case, spaces and dashes do not matter; O reads as 0, I and L as 1.
    #[schema(example = "7k3-m9q")]
    pub code: String,
}

/// One person who entered the code.
#[derive(Debug, Serialize, ToSchema)]
pub struct Invitee {
    pub phone: String,
    /// When they entered the code.
    pub joined_at: DateTime<Utc>,
}

/// A page of invitees, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct InviteePage {
    pub items: Vec<Invitee>,
    /// Pass as `cursor` for the next (older) page; null on the last page.
    pub next_cursor: Option<String>,
    /// Total number of invitees.
    pub total: i64,
}

/// `?cursor=&limit=`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InviteesQuery {
    /// `next_cursor` of the previous page; absent for the first page.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

async fn profile_of(state: &AppState, user: User) -> Result<Profile, ApiError> {
    let entered_code = match user.invited_by_id {
        Some(id) => db::run(&state.pool, move |conn| {
            Ok(db::users::find_by_id(conn, id)?)
        })
        .await?
        .map(|u| u.invite_code),
        None => None,
    };
    Ok(Profile {
        phone: user.phone,
        invite_code: user.invite_code,
        entered_code,
        entered_at: user.invited_at.map(utc),
        date_joined: utc(user.date_joined),
        invitee_count: user.invitee_count,
    })
}

fn parse_phone(state: &AppState, input: &str) -> Result<PhoneNumber, ApiError> {
    PhoneNumber::parse(input, state.phone_region).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "phone_invalid",
            e.message_id(),
        )
    })
}

fn limited(code: &'static str, detail: &'static str, retry_after: i64) -> ApiError {
    ApiError::new(StatusCode::TOO_MANY_REQUESTS, code, detail).retry_after(retry_after)
}

/// Ask for a sign-in code.
///
/// The answer is the same whether or not the phone has an account.
#[utoipa::path(post, path = "/api/v1/auth/code", tag = "auth", request_body = PhoneBody,
    responses(
        (status = 202, description = "A code was sent", body = CodeSent),
        (status = 400, description = "Malformed JSON or wrong types", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a valid phone number (`phone_invalid`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`resend_too_soon`, `too_many_codes_phone`, `too_many_codes_ip` or `phone_locked`; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The text message could not be sent (`sms_failed`), or the service is unavailable", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn request_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<PhoneBody>,
) -> Result<HttpResponse, ApiError> {
    let phone = parse_phone(&state, &body.phone)?;
    let tr = super::request_tr(&req, &state);
    let client = client_info(&req, state.trust_proxy_headers);
    let sending = auth::send_code(
        &state.pool,
        &state.auth,
        state.sms.as_ref(),
        &tr,
        &phone,
        client,
        state.clock.now(),
    )
    .await?;
    match sending {
        Sending::Sent => {}
        Sending::Cooldown { retry_after } => {
            return Err(limited(
                "resend_too_soon",
                "problem-resend-too-soon",
                retry_after,
            ));
        }
        Sending::PhoneLimit { retry_after } => {
            return Err(limited(
                "too_many_codes_phone",
                "code-limit-phone",
                retry_after,
            ));
        }
        Sending::IpLimit { retry_after } => {
            return Err(limited("too_many_codes_ip", "code-limit-ip", retry_after));
        }
        Sending::Locked { retry_after } => {
            return Err(limited("phone_locked", "login-locked", retry_after));
        }
        Sending::Undelivered => {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "sms_failed",
                "code-send-failed",
            ));
        }
    }
    let limits = &state.auth.limits;
    Ok(HttpResponse::Accepted().json(CodeSent {
        retry_after_seconds: limits.resend_cooldown.num_seconds(),
        expires_in_seconds: limits.otp_ttl.num_seconds(),
    }))
}

/// Exchange the code for a bearer token.
///
/// The first sign-in creates the account. Wrong codes count towards the same limits as the web
/// form: 3 tries per code, and 10 failures in a row lock the phone for an hour.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenBody,
    responses(
        (status = 200, description = "Signed in", body = TokenIssued),
        (status = 400, description = "Malformed JSON or wrong types", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The account is blocked (`account_blocked`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`phone_invalid`, `otp_invalid`, `otp_wrong` (with `attempts_left`), `otp_expired` or `otp_used_up`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The phone is locked (`phone_locked`); see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<TokenBody>,
) -> Result<HttpResponse, ApiError> {
    let phone = parse_phone(&state, &body.phone)?;
    let length = state.auth.limits.otp_length;
    let code = OtpCode::parse(&body.code, length).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "otp_invalid",
            e.message_id(),
        )
        .arg("length", Arg::Number(length as i64))
    })?;
    let client = client_info(&req, state.trust_proxy_headers);
    let now = state.clock.now();
    let outcome = {
        let cfg = state.auth.clone();
        db::run(&state.pool, move |conn| {
            auth::verify_code(
                conn,
                &cfg,
                &phone,
                &code,
                &client,
                Credential::ApiToken,
                now,
            )
        })
        .await?
    };
    let unprocessable =
        |code, detail| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail);
    match outcome {
        Verification::SignedIn {
            user,
            token,
            expires_at,
            ..
        } => Ok(HttpResponse::Ok().json(TokenIssued {
            token,
            token_type: "Bearer",
            expires_at: utc(expires_at),
            user: profile_of(&state, user).await?,
        })),
        Verification::Wrong { attempts_left } => {
            let mut e = unprocessable("otp_wrong", "code-wrong")
                .arg("left", Arg::Number(attempts_left.into()));
            e.attempts_left = Some(attempts_left);
            Err(e)
        }
        Verification::NeedNewCode => Err(unprocessable("otp_used_up", "code-need-new")),
        Verification::Expired => Err(unprocessable("otp_expired", "code-expired")),
        Verification::Locked { retry_after } => {
            Err(limited("phone_locked", "login-locked", retry_after))
        }
        Verification::Blocked => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "account_blocked",
            "login-blocked",
        )),
    }
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
    let token = bearer.token;
    db::run(&state.pool, move |conn| {
        auth::revoke_api_token(conn, &token)
    })
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
    Ok(HttpResponse::Ok().json(profile_of(&state, bearer.user).await?))
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
    let limit = query.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "limit_out_of_range",
            "problem-limit-out-of-range",
        )
        .arg("min", Arg::Number(1))
        .arg("max", Arg::Number(100)));
    }
    let page = match query.cursor.as_deref() {
        None | Some("") => PageRequest::First,
        Some(c) => PageRequest::Older(Cursor::decode(c).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_cursor",
                "problem-invalid-cursor",
            )
        })?),
    };
    let (user_id, total) = (bearer.user.id, bearer.user.invitee_count);
    let page = db::run(&state.pool, move |conn| {
        activation::invitee_page(conn, user_id, page, limit)
    })
    .await?;
    Ok(HttpResponse::Ok().json(InviteePage {
        items: page
            .items
            .into_iter()
            .map(|i| Invitee {
                phone: i.phone,
                joined_at: utc(i.invited_at),
            })
            .collect(),
        next_cursor: page.older.map(|c| c.encode()),
        total,
    }))
}

/// Enter the invite code of the person who invited you. Once entered it never changes.
#[utoipa::path(post, path = "/api/v1/me/invite", tag = "profile", security(("bearer" = [])),
    request_body = InviteBody,
    responses(
        (status = 200, description = "Entered; the updated profile", body = Profile),
        (status = 400, description = "Malformed JSON or wrong types", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token (`unauthorized`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A code was already entered (`invite_already_entered`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invite_code_invalid`, `invite_code_unknown`, `invite_code_own` or `invite_cycle`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many tries (`invite_rate_limited`); see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn enter_invite(
    state: web::Data<AppState>,
    bearer: Bearer,
    body: web::Json<InviteBody>,
) -> Result<HttpResponse, ApiError> {
    let code = InviteCode::parse(&body.code).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invite_code_invalid",
            e.message_id(),
        )
    })?;
    let (max, user_id, now) = (
        state.auth.limits.invite_tries_per_hour,
        bearer.user.id,
        state.clock.now(),
    );
    let outcome = db::run(&state.pool, move |conn| {
        activation::activate_invite(conn, max, user_id, &code, now)
    })
    .await?;
    let refusal =
        |code| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, outcome.message_id());
    match &outcome {
        Activation::Activated { .. } => {
            let user = db::run(&state.pool, move |conn| {
                Ok(db::users::find_by_id(conn, user_id)?)
            })
            .await?
            .ok_or_else(ApiError::unauthorized)?;
            Ok(HttpResponse::Ok().json(profile_of(&state, user).await?))
        }
        Activation::Unknown => Err(refusal("invite_code_unknown")),
        Activation::Own => Err(refusal("invite_code_own")),
        Activation::Cycle => Err(refusal("invite_cycle")),
        Activation::AlreadyEntered => Err(ApiError::new(
            StatusCode::CONFLICT,
            "invite_already_entered",
            "invite-error-already",
        )),
        Activation::RateLimited { retry_after } => Err(limited(
            "invite_rate_limited",
            "invite-error-rate",
            *retry_after,
        )),
    }
}

/// Unknown paths under `/api`.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found())
}

/// A known path asked with a method it does not take.
pub async fn method_not_allowed() -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "error-405-text",
    ))
}
