//! Signing in by phone: asking for a code (every sending limit, the code and its message in the
//! person's language written to the outbox in one transaction) and checking a code (tries, expiry,
//! the phone's lock, the account created at the first sign-in, a session or token issued).
//! Every rule reads its numbers from `Limits` and "now" from the injected clock.

use std::sync::Arc;

use chrono::{NaiveDateTime, TimeDelta};

use super::{
    accounts::create_user,
    credentials::{self, Minted},
    delivery::{Sealed, enqueue},
    error::Error,
    parts::{Config, Parts},
};
use crate::{
    db::{
        self, DbConnection, DbError, check_failures,
        code_check::{self, CheckKeys, CheckState, SignInWrites, WrongWrites},
        code_request::{self, NewCodeRequest},
        events,
        login_codes::{self, NewLoginCode, SendingKeys, Window},
    },
    domain::{
        account::{CodePurpose, Credential, Outcome, Profile},
        client::ClientInfo,
        limits::{
            LONG_OTP_LENGTH, Limits, SHORT_CODE_BUDGET_WINDOW, seconds_until, window_retry_after,
            window_start,
        },
        otp::{self, OtpCode},
        outbox::Channel,
        phone::PhoneNumber,
        refusal::{SendRefused, VerifyRefused},
        sms_text::origin_bound_line,
    },
    i18n::Tr,
};

/// Asking for codes and checking them.
pub struct SignIn {
    parts: Arc<Parts>,
}

/// A code is on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeSent {
    /// Seconds until another code may be asked for.
    pub resend_after: i64,
    /// Seconds the code can be used.
    pub expires_in: i64,
}

/// A code that was stored and is to be sent.
#[derive(Debug)]
pub struct IssuedCode {
    pub code: OtpCode,
    pub code_id: i64,
    /// A test number's fixed code: never sent.
    pub fixed: bool,
}

/// A successful sign-in.
#[derive(Debug)]
pub struct SignedIn {
    pub profile: Profile,
    /// The secret of the new session or API token; only its hash is stored.
    pub token: String,
    pub expires_at: NaiveDateTime,
    pub new_account: bool,
}

impl SignIn {
    pub(super) fn new(parts: Arc<Parts>) -> Self {
        Self { parts }
    }

    /// The fewest digits a code has: what a typed code is parsed against (codes may be longer).
    pub fn shortest_code(&self) -> usize {
        self.parts.config.limits.otp_length
    }

    /// "Send me a code": checks every limit, stores the code and its message (in the person's
    /// language) in one transaction, and answers as soon as that commits; the delivery worker,
    /// woken at once, sends the message. The answer does not depend on whether the phone has
    /// an account.
    pub async fn request_code(
        &self,
        phone: &PhoneNumber,
        client: &ClientInfo,
        tr: &Tr,
    ) -> Result<Result<CodeSent, SendRefused>, Error> {
        let now = self.parts.now();
        let issued = {
            let (phone, client, tr) = (phone.clone(), client.clone(), tr.clone());
            self.parts
                .run(move |conn, parts| {
                    let text = |code: &OtpCode| message_text(&tr, &parts.config, "sms-text", code);
                    request_code(conn, &parts.config, &phone, &client, now, text)
                })
                .await?
        };
        if let Err(refused) = issued {
            return Ok(Err(refused));
        }
        count_code(CodePurpose::SignIn);
        self.parts.outbox.notify_one();
        Ok(Ok(code_sent(&self.parts.config.limits)))
    }

    /// Seconds until the phone may ask for another code (0 when it may now).
    pub async fn resend_wait(&self, phone: &PhoneNumber) -> Result<i64, Error> {
        let phone = phone.clone();
        self.parts
            .run(move |conn, parts| resend_wait(conn, &parts.config.limits, &phone, parts.now()))
            .await
    }

    /// "Here is my code": signs in, creating the account at the first sign-in, and issues the
    /// credential asked for. `replacing` is the session this browser held, if any: a new
    /// sign-in ends it.
    pub async fn verify(
        &self,
        phone: &PhoneNumber,
        code: OtpCode,
        client: &ClientInfo,
        credential: Credential,
        replacing: Option<String>,
    ) -> Result<Result<SignedIn, VerifyRefused>, Error> {
        let (phone, client) = (phone.clone(), client.clone());
        self.parts
            .run(move |conn, parts| {
                let signed_in = verify_code(
                    conn,
                    &parts.config,
                    &phone,
                    &code,
                    &client,
                    credential,
                    parts.now(),
                )?;
                if let (Ok(_), Some(previous)) = (&signed_in, &replacing) {
                    credentials::end_one(conn, Credential::WebSession, previous)?;
                }
                Ok(signed_in)
            })
            .await
            .inspect(|signed_in| {
                if let Ok(s) = signed_in {
                    let account = if s.new_account { "new" } else { "existing" };
                    metrics::counter!("sign_ins_total", "account" => account).increment(1);
                }
            })
    }
}

/// Seconds until a network may try codes for a number again, if it is locked out of it: too
/// many unforgiven failed checks of this number from this network (`failures`, the `oldest`
/// of them) within `lock_duration`. Only that network is locked; the owner elsewhere is not.
fn lock_wait(
    limits: &Limits,
    failures: i64,
    oldest: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Option<i64> {
    (failures >= i64::from(limits.lock_after_failures))
        .then(|| seconds_until(oldest.unwrap_or(now) + limits.lock_duration, now))
}

/// The region of `phone` as recorded with its events (`UZ`; empty when unknown).
fn region_of(phone: &PhoneNumber) -> String {
    phone
        .region()
        .map(|r| r.as_ref().to_owned())
        .unwrap_or_default()
}

/// Counts a code sent (`codes_sent_total` by purpose) once its transaction committed.
pub fn count_code(purpose: CodePurpose) {
    metrics::counter!("codes_sent_total", "purpose" => purpose.as_str()).increment(1);
}

/// The answer to a code sent under `limits`.
pub fn code_sent(limits: &Limits) -> CodeSent {
    CodeSent {
        resend_after: limits.resend_cooldown.num_seconds(),
        expires_in: limits.otp_ttl.num_seconds(),
    }
}

/// The refusal of one hourly window, given the wait until it frees a place.
type HourLimit = fn(i64) -> SendRefused;

/// The text message `message_id` that carries `code`, in `tr`'s language; with the site's host
/// known, it ends with the origin-bound line (`@example.com #1234`) that lets browsers fill the
/// code in.
pub fn message_text(tr: &Tr, cfg: &Config, message_id: &str, code: &OtpCode) -> String {
    let text = tr.args(
        message_id,
        &[
            ("code", code.as_str().to_owned().into()),
            ("minutes", cfg.limits.otp_ttl.num_minutes().max(1).into()),
        ],
    );
    match &cfg.origin_host {
        Some(host) => format!("{text}\n\n{}", origin_bound_line(host, code.as_str())),
        None => text,
    }
}

/// Checks every limit and, if all allow it, stores a new code (retiring the number's older
/// codes and their unsent messages), its message `text(code)` sealed in the outbox, and the
/// event, in one transaction. A refusal writes nothing. The answer does not depend on whether
/// the phone has an account.
pub fn request_code(
    conn: &mut DbConnection,
    cfg: &Config,
    phone: &PhoneNumber,
    client: &ClientInfo,
    now: NaiveDateTime,
    text: impl FnOnce(&OtpCode) -> String,
) -> Result<Result<IssuedCode, SendRefused>, DbError> {
    db::write_transaction(conn, |conn| {
        issue_code(conn, cfg, phone, client, now, CodePurpose::SignIn, text)
    })
}

/// `request_code` for any purpose, inside the caller's write transaction: every sending limit
/// of a sign-in applies to every code, whatever it is for.
pub fn issue_code(
    conn: &mut DbConnection,
    cfg: &Config,
    phone: &PhoneNumber,
    client: &ClientInfo,
    now: NaiveDateTime,
    purpose: CodePurpose,
    text: impl FnOnce(&OtpCode) -> String,
) -> Result<Result<IssuedCode, SendRefused>, DbError> {
    let (code, fixed) = match check_limits(conn, cfg, phone, client, now, purpose)? {
        Ok(issuing) => issuing,
        Err(refused) => return Ok(Err(refused)),
    };
    let e164 = phone.as_e164();
    let mac = otp::code_mac(&cfg.code_key, e164, &code);
    let expires_at = now + cfg.limits.otp_ttl;
    // a test number's fixed code is never sent
    let sealed = (!fixed).then(|| Sealed::new(cfg, e164, &text(&code)));
    let code_id = code_request::store(
        conn,
        &NewCodeRequest {
            code: NewLoginCode {
                phone: e164,
                code_hmac: &mac,
                created_at: now,
                expires_at,
                client_ip: &client.ip,
                client_net: &client.network,
                phone_prefix: phone.prefix(),
                code_length: code.len() as i32,
                purpose: purpose.as_str(),
                user_id: purpose.user_id(),
            },
            message: sealed
                .as_ref()
                .map(|s| s.row(Channel::Sms, e164, expires_at, now)),
            region: &region_of(phone),
            purge_before: now - TimeDelta::days(1),
        },
    )?;
    Ok(Ok(IssuedCode {
        code,
        code_id,
        fixed,
    }))
}

/// Puts a text message for `phone` in the outbox, sealed, to be sent before `expires_at`; the
/// caller wakes the delivery worker once its transaction commits.
pub fn enqueue_text(
    conn: &mut DbConnection,
    cfg: &Config,
    phone: &str,
    text: &str,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    enqueue(conn, cfg, Channel::Sms, phone, text, expires_at, now)
}

/// The sending limits, inside `request_code`'s transaction: the code to issue (and whether it
/// is a test number's fixed code), or the refusal.
fn check_limits(
    conn: &mut DbConnection,
    cfg: &Config,
    phone: &PhoneNumber,
    client: &ClientInfo,
    now: NaiveDateTime,
    purpose: CodePurpose,
) -> Result<Result<(OtpCode, bool), SendRefused>, DbError> {
    let limits = &cfg.limits;
    let (e164, prefix, network) = (phone.as_e164(), phone.prefix(), client.network.as_str());
    // always in this order (number, network, prefix), so two requests never wait on each other
    db::lock_keys(
        conn,
        &[e164, &format!("net:{network}"), &format!("prefix:{prefix}")],
    )?;
    // every count the limits look at, in one round trip
    let state = login_codes::sending_state(
        conn,
        &SendingKeys {
            phone: e164,
            network,
            prefix,
            user_id: purpose.user_id(),
            since: window_start(now),
            lock_since: now - limits.lock_duration,
            short_since: now - SHORT_CODE_BUDGET_WINDOW,
            long_length: LONG_OTP_LENGTH as i32,
        },
    )?;

    if let Some(retry_after) = lock_wait(limits, state.lock_failures, state.lock_oldest, now) {
        return Ok(Err(SendRefused::PhoneLocked { retry_after }));
    }
    if let Some(newest) = state.newest_code_at {
        let allowed_at = newest + limits.resend_cooldown;
        if allowed_at > now {
            return Ok(Err(SendRefused::ResendTooSoon {
                retry_after: seconds_until(allowed_at, now),
            }));
        }
    }
    let windows: [(Window, i64, HourLimit); 4] = [
        (
            state.phone,
            limits.codes_per_phone_per_hour,
            |retry_after| SendRefused::TooManyForPhone { retry_after },
        ),
        (state.network, limits.codes_per_ip_per_hour, |retry_after| {
            SendRefused::TooManyFromAddress { retry_after }
        }),
        (
            state.prefix,
            limits.sms_per_prefix_per_hour,
            |retry_after| SendRefused::TooManyForPrefix { retry_after },
        ),
        (state.all, limits.sms_per_hour, |retry_after| {
            SendRefused::BudgetSpent { retry_after }
        }),
    ];
    for (window, limit, refusal) in windows {
        if window.codes >= limit {
            return Ok(Err(refusal(window_retry_after(window.oldest, now))));
        }
    }

    // the same lookups for every number, known or not, staff or not; a code for an account's
    // change is as long as that account's sign-in codes
    let (staff, short_failures) = (state.staff, state.short_failures);
    let fixed = cfg.test_numbers.fixed_code(e164, now.date()).cloned();
    let code = match &fixed {
        Some(code) => code.clone(),
        None => OtpCode::generate(limits.code_length(staff, short_failures)),
    };
    Ok(Ok((code, fixed.is_some())))
}

/// Seconds until the phone may ask for another code (0 when it may now).
pub fn resend_wait(
    conn: &mut DbConnection,
    limits: &Limits,
    phone: &PhoneNumber,
    now: NaiveDateTime,
) -> Result<i64, DbError> {
    Ok(login_codes::newest_for_phone(conn, phone.as_e164())?
        .map(|c| c.created_at + limits.resend_cooldown)
        .filter(|at| *at > now)
        .map_or(0, |at| seconds_until(at, now)))
}

/// What a check answered, and the event it leaves (none when a limit refused it unread).
struct Checked<T> {
    answer: Result<T, VerifyRefused>,
    event: Option<Outcome>,
}

impl<T> Checked<T> {
    fn refused(refusal: VerifyRefused, event: Option<Outcome>) -> Self {
        Self {
            answer: Err(refusal),
            event,
        }
    }
}

/// Checks a code and records what happened. The try is counted before the comparison; every
/// failed check counts against the client's network, and a wrong guess at a short code also
/// against the number's day budget of such guesses.
pub fn verify_code(
    conn: &mut DbConnection,
    cfg: &Config,
    phone: &PhoneNumber,
    code: &OtpCode,
    client: &ClientInfo,
    credential: Credential,
    now: NaiveDateTime,
) -> Result<Result<SignedIn, VerifyRefused>, DbError> {
    db::write_transaction(conn, |conn| {
        let (checked, account) =
            check_code(conn, cfg, phone, code, client, CodePurpose::SignIn, now)?;
        let checked = match checked.answer {
            Ok(code_id) => sign_in(conn, cfg, phone, code_id, account, client, credential, now)?,
            Err(refused) => Checked::refused(refused, checked.event),
        };
        let user_id = checked.answer.as_ref().ok().map(|s| s.profile.user.id);
        record_check(conn, phone, user_id, client, checked.event, now)?;
        Ok(checked.answer)
    })
}

/// Checks a code sent for an account's change (`purpose`), inside the caller's write
/// transaction, under every rule of a sign-in code: the same tries, expiry, locks and limits,
/// and the same events for a failed check. On `Ok` the code is used up and the caller makes
/// the change in the same transaction.
pub fn confirm_code(
    conn: &mut DbConnection,
    cfg: &Config,
    phone: &PhoneNumber,
    code: &OtpCode,
    client: &ClientInfo,
    purpose: CodePurpose,
    now: NaiveDateTime,
) -> Result<Result<(), VerifyRefused>, DbError> {
    let (checked, _) = check_code(conn, cfg, phone, code, client, purpose, now)?;
    let checked = match checked.answer {
        Ok(code_id) => use_right_code(conn, cfg, phone, code_id, client, now)?,
        Err(refused) => Checked::refused(refused, checked.event),
    };
    if checked.answer.is_err() {
        record_check(conn, phone, purpose.user_id(), client, checked.event, now)?;
    }
    Ok(checked.answer)
}

/// Records the event a check left, if any.
fn record_check(
    conn: &mut DbConnection,
    phone: &PhoneNumber,
    user_id: Option<i64>,
    client: &ClientInfo,
    event: Option<Outcome>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    if let Some(event) = event {
        events::record(
            conn,
            phone.as_e164(),
            &region_of(phone),
            user_id,
            &client.ip,
            event,
            now,
        )?;
    }
    Ok(())
}

/// The rules of a check, inside the caller's transaction, from one read of everything they
/// look at: `Ok` with the id of the right code for `purpose` (its use is recorded by the
/// caller, with what the code was for), or the refusal with the event it leaves (its failed
/// check already recorded). Also the number's account, as read.
fn check_code(
    conn: &mut DbConnection,
    cfg: &Config,
    phone: &PhoneNumber,
    code: &OtpCode,
    client: &ClientInfo,
    purpose: CodePurpose,
    now: NaiveDateTime,
) -> Result<(Checked<i64>, Option<Profile>), DbError> {
    let limits = &cfg.limits;
    let (e164, network) = (phone.as_e164(), client.network.as_str());
    db::lock_keys(conn, &[e164, &format!("net:{network}")])?;
    let state = code_check::read(
        conn,
        &CheckKeys {
            phone: e164,
            network,
            since: window_start(now),
            lock_since: now - limits.lock_duration,
            short_since: now - SHORT_CODE_BUDGET_WINDOW,
            long_length: LONG_OTP_LENGTH as i32,
            now,
        },
    )?;
    let checked = check_rules(conn, cfg, phone, code, client, purpose, &state, now)?;
    Ok((checked, state.account))
}

/// [`check_code`]'s rules over what it read.
#[allow(clippy::too_many_arguments)]
fn check_rules(
    conn: &mut DbConnection,
    cfg: &Config,
    phone: &PhoneNumber,
    code: &OtpCode,
    client: &ClientInfo,
    purpose: CodePurpose,
    state: &CheckState,
    now: NaiveDateTime,
) -> Result<Checked<i64>, DbError> {
    let (limits, e164, network) = (&cfg.limits, phone.as_e164(), client.network.as_str());
    // limits first: a refused check reads no code and writes nothing
    if state.network_failures >= limits.wrong_checks_per_ip_per_hour {
        let retry_after = window_retry_after(state.network_oldest, now);
        return Ok(Checked::refused(
            VerifyRefused::TooManyFromAddress { retry_after },
            None,
        ));
    }
    if let Some(retry_after) = lock_wait(limits, state.lock_failures, state.lock_oldest, now) {
        return Ok(Checked::refused(
            VerifyRefused::PhoneLocked { retry_after },
            None,
        ));
    }

    let dead = |conn: &mut DbConnection, refusal, event| {
        dead_check(conn, e164, client, refusal, event, now)
    };
    let Some(stored) = &state.code else {
        return dead(conn, VerifyRefused::UsedUp, Outcome::CodeDead);
    };
    // a code serves only what it was sent for: a sign-in code confirms no change, and a code
    // for one account's change signs no one in
    if stored.consumed_at.is_some() || !stored.serves(purpose) {
        return dead(conn, VerifyRefused::UsedUp, Outcome::CodeDead);
    }
    if stored.expires_at <= now {
        return dead(conn, VerifyRefused::Expired, Outcome::CodeExpired);
    }
    let length = stored.code_length;
    if limits.is_short(length as usize)
        && state.short_failures >= i64::from(limits.otp_max_attempts)
    {
        // the number's day budget of guesses at short codes is spent: a new code is longer
        return dead(conn, VerifyRefused::UsedUp, Outcome::CodeDead);
    }
    // the try counts before the comparison (read under the number's lock, so still current)
    if stored.attempts >= limits.otp_max_attempts {
        return dead(conn, VerifyRefused::UsedUp, Outcome::CodeDead);
    }
    if code.len() != length as usize || !otp::matches(&cfg.code_key, e164, code, &stored.code_hmac)
    {
        let counted = code_check::record_wrong(
            conn,
            &WrongWrites {
                code_id: stored.id,
                max_attempts: limits.otp_max_attempts,
                phone: e164,
                network,
                code_length: length,
                region: &region_of(phone),
                ip: &client.ip,
                user_id: purpose.user_id(),
                now,
            },
        )?;
        if !counted {
            return dead(conn, VerifyRefused::UsedUp, Outcome::CodeDead);
        }
        // this failure included
        let oldest = state.lock_oldest.map_or(now, |at| at.min(now));
        let refusal = match lock_wait(limits, state.lock_failures + 1, Some(oldest), now) {
            Some(retry_after) => VerifyRefused::PhoneLocked { retry_after },
            None => VerifyRefused::Wrong {
                attempts_left: limits.otp_max_attempts - (stored.attempts + 1),
            },
        };
        // the event is recorded with the try
        return Ok(Checked::refused(refusal, None));
    }
    Ok(Checked {
        answer: Ok(stored.id),
        event: None,
    })
}

/// A check with no code to check (none, used up, expired, its budget spent): it still counts
/// against the network, and leaves `event`.
fn dead_check<T>(
    conn: &mut DbConnection,
    e164: &str,
    client: &ClientInfo,
    refusal: VerifyRefused,
    event: Outcome,
    now: NaiveDateTime,
) -> Result<Checked<T>, DbError> {
    check_failures::record(conn, e164, &client.network, None, now)?;
    Ok(Checked::refused(refusal, Some(event)))
}

/// Records the use of the right code `code_id` on its own (for a change, or a blocked
/// account's sign-in): the try counted, the code used, and this network's earlier misses for
/// this number forgiven (they were typos).
fn use_right_code(
    conn: &mut DbConnection,
    cfg: &Config,
    phone: &PhoneNumber,
    code_id: i64,
    client: &ClientInfo,
    now: NaiveDateTime,
) -> Result<Checked<()>, DbError> {
    let e164 = phone.as_e164();
    if !login_codes::use_code(conn, code_id, cfg.limits.otp_max_attempts, now)? {
        return dead_check(
            conn,
            e164,
            client,
            VerifyRefused::UsedUp,
            Outcome::CodeDead,
            now,
        );
    }
    check_failures::forgive(conn, e164, &client.network)?;
    Ok(Checked {
        answer: Ok(()),
        event: None,
    })
}

/// After the right sign-in code: the account (created at the first sign-in) and its new
/// credential, unless it is blocked; the code's use, the credential and the event written
/// together (one statement on PostgreSQL).
#[allow(clippy::too_many_arguments)]
fn sign_in(
    conn: &mut DbConnection,
    cfg: &Config,
    phone: &PhoneNumber,
    code_id: i64,
    account: Option<Profile>,
    client: &ClientInfo,
    credential: Credential,
    now: NaiveDateTime,
) -> Result<Checked<SignedIn>, DbError> {
    let e164 = phone.as_e164();
    let (profile, new_account) = match account {
        Some(profile) => (profile, false),
        // a new account has entered no code and waits for no link
        None => (
            Profile {
                user: create_user(conn, cfg.invite_codes.as_ref(), e164, now)?,
                inviter_deleted: false,
                entered_code: None,
                pending_email: None,
            },
            true,
        ),
    };
    if !profile.user.is_active {
        let used = use_right_code(conn, cfg, phone, code_id, client, now)?;
        let (refusal, event) = match used.answer {
            Ok(()) => (VerifyRefused::Blocked, Some(Outcome::Blocked)),
            Err(refusal) => (refusal, used.event),
        };
        return Ok(Checked::refused(refusal, event));
    }
    let minted = Minted::new(&cfg.limits, credential, now);
    let used = code_check::record_sign_in(
        conn,
        &SignInWrites {
            code_id,
            max_attempts: cfg.limits.otp_max_attempts,
            phone: e164,
            network: &client.network,
            region: &region_of(phone),
            ip: &client.ip,
            user_id: profile.user.id,
            credential: minted.row(profile.user.id, client, now),
            now,
        },
    )?;
    if !used {
        return dead_check(
            conn,
            e164,
            client,
            VerifyRefused::UsedUp,
            Outcome::CodeDead,
            now,
        );
    }
    Ok(Checked {
        answer: Ok(SignedIn {
            profile,
            expires_at: minted.expires_at,
            token: minted.token,
            new_account,
        }),
        // recorded with the sign-in
        event: None,
    })
}
