//! `AppState`: what every request shares — the use cases (which hold the pool, the clock and
//! the senders) and the settings of the HTTP edge itself — and the replaceable parts it is
//! built from.

use std::sync::Arc;

use chrono::TimeDelta;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::sync::Notify;

use crate::{
    app::{App, Config, Parts, Senders},
    clock::{Clock, SystemClock},
    config::{MailBackend, Settings, SmsBackend, SmtpTls},
    db::DbPool,
    domain::{
        client::AddressRules,
        invite_code::{InviteCodeGenerator, RandomInviteCodes},
        phone::{self, PhonePolicy},
    },
    i18n::Locales,
    mail::{ConsoleMail, MailSender, SmtpMail, SmtpSecurity, SmtpServer, UnavailableMail},
    sms::{
        ConsoleSender, SmsSender,
        eskiz::EskizSender,
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
    /// How the providers' delivery reports are checked.
    pub callbacks: Callbacks,
    /// Renders the process's metrics (`/metrics`).
    pub metrics: PrometheusHandle,
    /// The probes and metrics are served on the public address (no `ADMIN_BIND`).
    pub ops_on_public_bind: bool,
}

/// The process's metrics recorder, installed at first use (there is one per process, however
/// many servers it runs). Latencies are histograms with these buckets, in seconds.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: std::sync::OnceLock<PrometheusHandle> = std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            const BUCKETS: &[f64] = &[
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ];
            let builder = PrometheusBuilder::new()
                .set_buckets(BUCKETS)
                .expect("the buckets are not empty");
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            // another recorder may already be installed (an embedding program's): then ours
            // still renders what it is given, which is nothing
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Where the providers send delivery reports.
pub const WEBHOOK_STATUS_PATH: &str = "/sms/status/http";
pub const TWILIO_STATUS_PATH: &str = "/sms/status/twilio";
pub const ESKIZ_STATUS_PATH: &str = "/sms/status/eskiz";

/// The secret in Eskiz's callback URL (Eskiz signs nothing), derived from `SECRET_KEY`.
fn eskiz_callback_secret(settings: &Settings) -> String {
    crate::domain::token::hex(&settings.secret_key.derive32("user-auth/eskiz-callback/v1"))
}

/// The callback URL Eskiz is given, when the site's origin is known.
fn eskiz_callback_url(settings: &Settings) -> Option<String> {
    settings.public_origin.as_ref().map(|o| {
        format!(
            "{}{ESKIZ_STATUS_PATH}?secret={}",
            o.origin,
            eskiz_callback_secret(settings)
        )
    })
}

/// The keys that sign the providers' delivery reports; a provider that is not configured (or,
/// for Twilio, a site without `PUBLIC_ORIGIN`) gets none, and its reports are refused.
#[derive(Clone, Default)]
pub struct Callbacks {
    webhook_secret: Option<Vec<u8>>,
    /// Twilio's auth token, and the URL Twilio signs (`PUBLIC_ORIGIN` + the path).
    twilio: Option<(String, String)>,
    /// The secret Eskiz's callback URL carries.
    eskiz_secret: Option<String>,
}

impl Callbacks {
    pub fn new(settings: &Settings) -> Self {
        let (sms, origin) = (&settings.sms, settings.public_origin.as_ref());
        let backends = [Some(&sms.backend), sms.fallback.as_ref()];
        let mut callbacks = Self::default();
        for backend in backends.into_iter().flatten() {
            match backend {
                SmsBackend::Http { secret, .. } => {
                    callbacks.webhook_secret = Some(secret.0.as_bytes().to_vec());
                }
                SmsBackend::Twilio { auth_token, .. } => {
                    callbacks.twilio = origin.map(|o| {
                        (
                            auth_token.0.clone(),
                            format!("{}{TWILIO_STATUS_PATH}", o.origin),
                        )
                    });
                }
                SmsBackend::Eskiz { .. } => {
                    callbacks.eskiz_secret = origin.map(|_| eskiz_callback_secret(settings));
                }
                SmsBackend::Console => {}
            }
        }
        callbacks
    }

    /// Whether a webhook report is signed by `SMS_HTTP_SECRET` now (`None`: no webhook).
    pub fn webhook_signed(&self, timestamp: &str, signature: &str, body: &[u8]) -> Option<bool> {
        let secret = self.webhook_secret.as_ref()?;
        let now = chrono::Utc::now().timestamp();
        Some(crate::sms::http::verify(
            secret, timestamp, signature, body, now,
        ))
    }

    /// Whether an Eskiz report's URL carries the callback secret (`None`: no Eskiz callbacks).
    pub fn eskiz_secret_ok(&self, given: &str) -> Option<bool> {
        use subtle::ConstantTimeEq;
        let secret = self.eskiz_secret.as_ref()?;
        Some(bool::from(secret.as_bytes().ct_eq(given.as_bytes())))
    }

    /// Whether a Twilio report carries Twilio's signature (`None`: no Twilio callbacks).
    pub fn twilio_signed(&self, params: &[(String, String)], signature: &str) -> Option<bool> {
        let (token, url) = self.twilio.as_ref()?;
        Some(crate::sms::twilio::verify(token, url, params, signature))
    }
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
            sms: senders(settings),
            invite_codes: Arc::new(RandomInviteCodes),
        }
    }
}

/// The providers `settings` name; Twilio and Eskiz are asked for delivery reports when the
/// site's origin is known.
pub fn senders(all: &Settings) -> Senders {
    let (settings, origin) = (&all.sms, all.public_origin.as_ref());
    let build = |backend: &SmsBackend| -> Arc<dyn SmsSender> {
        match backend {
            SmsBackend::Console => Arc::new(ConsoleSender),
            SmsBackend::Http { url, secret } => Arc::new(HttpSender::new(
                url.clone(),
                secret.0.as_bytes().to_vec(),
                settings.timeout,
            )),
            SmsBackend::Eskiz {
                base_url,
                email,
                password,
                from,
            } => Arc::new(EskizSender::new(
                base_url,
                email.clone(),
                password.0.clone(),
                from.clone(),
                eskiz_callback_url(all),
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
                origin.map(|o| format!("{}{TWILIO_STATUS_PATH}", o.origin)),
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

/// The mail sender `MAIL_BACKEND` names. An SMTP client that cannot be built (its TLS set-up
/// failed) is logged once and fails every try, so mail waits in the outbox, with the reason
/// shown on the admin's outbox page, until the server is restarted with working settings.
pub fn mail_sender(settings: &Settings) -> Arc<dyn MailSender> {
    let MailBackend::Smtp {
        host,
        port,
        security,
        credentials,
    } = &settings.mail.backend
    else {
        return Arc::new(ConsoleMail);
    };
    let Ok(from) = settings.mail.from.parse() else {
        return Arc::new(UnavailableMail("MAIL_FROM is not an address".into()));
    };
    let server = SmtpServer {
        host: host.clone(),
        port: *port,
        security: match security {
            SmtpTls::StartTls => SmtpSecurity::StartTls,
            SmtpTls::Tls => SmtpSecurity::Tls,
            SmtpTls::None => SmtpSecurity::None,
        },
        credentials: credentials
            .as_ref()
            .map(|(user, password)| (user.clone(), password.0.clone())),
        from,
        timeout: settings.sms.timeout,
    };
    match SmtpMail::new(server) {
        Ok(mail) => Arc::new(mail),
        Err(e) => {
            log::error!("the SMTP client could not be set up: {e}");
            Arc::new(UnavailableMail(e))
        }
    }
}

/// The use cases over `pool`, with the keys derived from the settings' secret.
pub fn use_cases(settings: &Settings, deps: Dependencies, pool: DbPool) -> App {
    App::new(Parts {
        pool,
        clock: deps.clock,
        senders: deps.sms,
        mail: mail_sender(settings),
        config: Config {
            limits: settings.limits.clone(),
            code_key: settings.secret_key.derive32("user-auth/otp-hmac/v1"),
            invite_codes: deps.invite_codes,
            outbox_key: settings.secret_key.derive32("user-auth/outbox/v1"),
            origin_host: settings.public_origin.as_ref().map(|o| o.host.clone()),
            test_numbers: Arc::new(settings.test_numbers.clone()),
            link_origin: settings.link_origin(),
            invitee_phones: settings.invitee_phones,
            invite_notify_sms: settings.invite_notify_sms,
            time_zone: settings.time_zone,
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
            callbacks: Callbacks::new(settings),
            metrics: metrics_handle(),
            ops_on_public_bind: settings.admin_bind.is_none(),
        }
    }
}
