//! `AppState`: what every request shares — the use cases (which hold the pool, the clock and
//! the senders) and the settings of the HTTP edge itself — and the replaceable parts it is
//! built from.

use std::sync::Arc;

use chrono::TimeDelta;
use tokio::sync::Notify;

use crate::{
    app::{App, Config, Parts, Senders},
    clock::{Clock, SystemClock},
    config::{Settings, SmsBackend, SmsSettings},
    db::DbPool,
    domain::{
        client::AddressRules,
        invite_code::{InviteCodeGenerator, RandomInviteCodes},
        phone::{self, PhonePolicy},
    },
    i18n::Locales,
    sms::{
        ConsoleSender, SmsSender,
        http::HttpSender,
        twilio::{TwilioFrom, TwilioSender},
    },
};

/// Everything handlers share.
pub struct AppState {
    pub app: App,
    pub locales: Arc<Locales>,
    /// Key of the CSRF tokens, derived from the server secret.
    pub csrf_key: [u8; 32],
    /// Key of the encrypted session cookie, derived from the server secret.
    pub cookie_key: [u8; 64],
    /// Send cookies over HTTPS only.
    pub cookie_secure: bool,
    pub session_ttl: TimeDelta,
    /// How typed numbers are read and which regions get codes.
    pub phone_policy: PhonePolicy,
    /// An example number for the sign-in form's hint.
    pub phone_example: String,
    /// How the client's address is found and counted.
    pub address_rules: AddressRules,
}

/// The replaceable parts: real ones in production, controllable ones in tests.
#[derive(Clone)]
pub struct Dependencies {
    pub clock: Arc<dyn Clock>,
    pub sms: Senders,
    pub invite_codes: Arc<dyn InviteCodeGenerator>,
}

impl Dependencies {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            clock: Arc::new(SystemClock),
            sms: senders(&settings.sms),
            invite_codes: Arc::new(RandomInviteCodes),
        }
    }
}

/// The providers `settings` name.
pub fn senders(settings: &SmsSettings) -> Senders {
    let build = |backend: &SmsBackend| -> Arc<dyn SmsSender> {
        match backend {
            SmsBackend::Console => Arc::new(ConsoleSender),
            SmsBackend::Http { url, secret } => Arc::new(HttpSender::new(
                url.clone(),
                secret.0.as_bytes().to_vec(),
                settings.timeout,
            )),
            SmsBackend::Twilio {
                base_url,
                account_sid,
                auth_token,
                from,
                messaging_service,
            } => Arc::new(TwilioSender::new(
                base_url,
                account_sid.clone(),
                auth_token.0.clone(),
                if *messaging_service {
                    TwilioFrom::Service(from.clone())
                } else {
                    TwilioFrom::Number(from.clone())
                },
                None,
                settings.timeout,
            )),
        }
    };
    Senders {
        primary: build(&settings.backend),
        fallback: settings.fallback.as_ref().map(build),
        fallback_after: settings.fallback_after,
        timeout: settings.timeout,
    }
}

/// The use cases over `pool`, with the keys derived from the settings' secret.
pub fn use_cases(settings: &Settings, deps: Dependencies, pool: DbPool) -> App {
    App::new(Parts {
        pool,
        clock: deps.clock,
        senders: deps.sms,
        config: Config {
            limits: settings.limits.clone(),
            code_key: settings.secret_key.derive32("user-auth/otp-hmac/v1"),
            invite_codes: deps.invite_codes,
            outbox_key: settings.secret_key.derive32("user-auth/outbox/v1"),
            origin_host: settings.public_origin.as_ref().map(|o| o.host.clone()),
        },
        outbox: Arc::new(Notify::new()),
    })
}

impl AppState {
    pub fn new(
        settings: &Settings,
        deps: Dependencies,
        pool: DbPool,
        locales: Arc<Locales>,
    ) -> Self {
        AppState {
            app: use_cases(settings, deps, pool),
            locales,
            csrf_key: settings.secret_key.derive32("user-auth/csrf/v1"),
            cookie_key: settings.secret_key.derive64("user-auth/cookie/v1"),
            cookie_secure: settings.cookie_secure,
            session_ttl: settings.limits.session_ttl,
            phone_policy: settings.phone_policy.clone(),
            phone_example: phone::example(settings.phone_policy.default_region),
            address_rules: settings.address_rules,
        }
    }
}
