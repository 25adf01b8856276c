//! Settings, read once from the environment (and `.env`) into typed values.

use std::{fmt, net::SocketAddr, path::Path, str::FromStr, time::Duration};

use chrono::TimeDelta;
use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha512};

use crate::{
    db::DatabaseUrl,
    domain::{
        client::AddressRules,
        limits::{LONG_OTP_LENGTH, Limits},
        phone::{PhoneDisplay, PhonePolicy},
        test_numbers::TestNumbers,
        token::hex,
    },
    files::{create_private_dir_all, create_private_file},
    logging::LogFormat,
};

/// A configuration value that is missing or wrong, naming the variable.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

/// `LOG_FORMAT` (`text`, the default, or `json`): read before everything else, since the
/// logger is installed before the other settings are read.
pub fn log_format_from_env() -> Result<LogFormat, ConfigError> {
    match std::env::var("LOG_FORMAT")
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        None => Ok(LogFormat::default()),
        Some(v) => LogFormat::parse(&v)
            .ok_or_else(|| err("LOG_FORMAT", format!("`{v}` is neither `text` nor `json`"))),
    }
}

/// How the HTTP server treats connections: every limit a slow or greedy client meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// `HTTP_REQUEST_TIMEOUT_SECONDS`: a request's line and headers must arrive within this,
    /// else 408 and the connection is closed (a client dribbling its headers holds nothing).
    pub request_timeout: Duration,
    /// `HTTP_KEEP_ALIVE_SECONDS`: an idle connection is closed after this (0: after each answer).
    pub keep_alive: Duration,
    /// `HTTP_DISCONNECT_TIMEOUT_SECONDS`: how long a closing connection may take to shut down.
    pub disconnect_timeout: Duration,
    /// `HTTP_MAX_CONNECTIONS`: open connections per worker thread; past it, new ones wait in
    /// the listen queue.
    pub max_connections: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(5),
            keep_alive: Duration::from_secs(5),
            disconnect_timeout: Duration::from_secs(1),
            max_connections: 10_000,
        }
    }
}

fn err(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        message: message.into(),
    }
}

/// The server secret. Never printed; every key in use is derived from it with a purpose label.
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

/// Minimum length of `SECRET_KEY`, in bytes.
pub const MIN_SECRET_LEN: usize = 64;

impl SecretKey {
    pub fn new(bytes: Vec<u8>) -> Result<Self, ConfigError> {
        if bytes.len() < MIN_SECRET_LEN {
            return Err(err(
                "SECRET_KEY",
                format!(
                    "must be at least {MIN_SECRET_LEN} bytes long (it has {}); generate one with `openssl rand -hex 64`",
                    bytes.len()
                ),
            ));
        }
        Ok(Self(bytes))
    }

    /// A fresh random secret, for development and tests.
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; MIN_SECRET_LEN];
        rand::fill(&mut bytes[..]);
        Self(hex(&bytes).into_bytes())
    }

    /// 32 bytes for one purpose (HMAC-SHA256 of the label).
    pub fn derive32(&self, purpose: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes any key");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// 64 bytes for one purpose (HMAC-SHA512 of the label); the cookie key needs 64.
    pub fn derive64(&self, purpose: &str) -> [u8; 64] {
        let mut mac = <Hmac<Sha512> as Mac>::new_from_slice(&self.0).expect("HMAC takes any key");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

/// A secret value from the environment; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// A text message provider and its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsBackend {
    /// The log, for development.
    Console,
    /// The signed JSON webhook.
    Http { url: String, secret: Secret },
    /// Eskiz (Uzbekistan).
    Eskiz {
        base_url: String,
        email: String,
        password: Secret,
        /// The approved sender name.
        from: String,
    },
    /// Twilio's Messages API.
    Twilio {
        base_url: String,
        account_sid: String,
        auth_token: Secret,
        /// `TWILIO_FROM`, or else `TWILIO_MESSAGING_SERVICE_SID`.
        from: String,
        messaging_service: bool,
    },
}

impl SmsBackend {
    pub fn name(&self) -> &'static str {
        match self {
            SmsBackend::Console => "console",
            SmsBackend::Http { .. } => "http",
            SmsBackend::Twilio { .. } => "twilio",
            SmsBackend::Eskiz { .. } => "eskiz",
        }
    }
}

/// How codes are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsSettings {
    pub backend: SmsBackend,
    /// Tried for a message once `backend` has failed it `fallback_after` times.
    pub fallback: Option<SmsBackend>,
    pub fallback_after: i32,
    /// How long one try may take.
    pub timeout: Duration,
}

impl Default for SmsSettings {
    fn default() -> Self {
        Self {
            backend: SmsBackend::Console,
            fallback: None,
            fallback_after: 3,
            timeout: Duration::from_secs(10),
        }
    }
}

/// How the SMTP connection is protected (`SMTP_SECURITY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// `starttls` (the default; port 587).
    StartTls,
    /// `tls` (port 465).
    Tls,
    /// `none`: only to a relay on this machine.
    None,
}

/// How mail is sent (`MAIL_BACKEND`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailBackend {
    /// The log, for development.
    Console,
    /// An SMTP server.
    Smtp {
        host: String,
        port: u16,
        security: SmtpTls,
        /// `SMTP_USERNAME` and `SMTP_PASSWORD`, when the server wants them.
        credentials: Option<(String, Secret)>,
    },
}

/// How mail is sent, and from whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    pub backend: MailBackend,
    /// `MAIL_FROM`: `user-auth <noreply@example.com>`.
    pub from: String,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            backend: MailBackend::Console,
            from: DEFAULT_MAIL_FROM.to_owned(),
        }
    }
}

/// `MAIL_FROM` when unset (development only: SMTP needs one of its own).
pub const DEFAULT_MAIL_FROM: &str = "user-auth <noreply@localhost>";

/// Reads `MAIL_BACKEND` and its variables.
fn mail_settings(
    get: &impl Fn(&str) -> Option<String>,
    bind: SocketAddr,
) -> Result<MailSettings, ConfigError> {
    let from = get("MAIL_FROM");
    if let Some(from) = &from {
        from.parse::<lettre::message::Mailbox>()
            .map_err(|_| err("MAIL_FROM", format!("`{from}` is not an address")))?;
    }
    let backend = match get("MAIL_BACKEND").as_deref().unwrap_or("console") {
        "console" => {
            let allowed = match get("MAIL_CONSOLE_IN_PRODUCTION") {
                None => false,
                Some(v) => parse_bool("MAIL_CONSOLE_IN_PRODUCTION", &v)?,
            };
            if !bind.ip().is_loopback() && !allowed {
                return Err(err(
                    "MAIL_BACKEND",
                    format!(
                        "`console` writes every verification link to the log; with BIND ({bind}) not a loopback address set MAIL_BACKEND=smtp, or MAIL_CONSOLE_IN_PRODUCTION=true"
                    ),
                ));
            }
            MailBackend::Console
        }
        "smtp" => {
            let host = get("SMTP_HOST")
                .ok_or_else(|| err("SMTP_HOST", "is required with MAIL_BACKEND=smtp"))?;
            let security = match get("SMTP_SECURITY").as_deref().unwrap_or("starttls") {
                "starttls" => SmtpTls::StartTls,
                "tls" => SmtpTls::Tls,
                "none" => SmtpTls::None,
                other => {
                    return Err(err(
                        "SMTP_SECURITY",
                        format!("`{other}` is not starttls, tls or none"),
                    ));
                }
            };
            let local = host == "localhost"
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if security == SmtpTls::None && !local {
                return Err(err(
                    "SMTP_SECURITY",
                    format!(
                        "`none` sends mail (and the password) in the clear: only for a relay on this machine, not {host}"
                    ),
                ));
            }
            let default_port = match security {
                SmtpTls::StartTls => 587,
                SmtpTls::Tls => 465,
                SmtpTls::None => 25,
            };
            let credentials = match (get("SMTP_USERNAME"), get("SMTP_PASSWORD")) {
                (Some(user), Some(password)) => Some((user, Secret(password))),
                (None, None) => None,
                _ => return Err(err("SMTP_USERNAME", "and SMTP_PASSWORD go together")),
            };
            if from.is_none() {
                return Err(err("MAIL_FROM", "is required with MAIL_BACKEND=smtp"));
            }
            MailBackend::Smtp {
                host,
                port: num(get, "SMTP_PORT", default_port, 1, 65535)? as u16,
                security,
                credentials,
            }
        }
        other => {
            return Err(err(
                "MAIL_BACKEND",
                format!("`{other}` is not console or smtp"),
            ));
        }
    };
    Ok(MailSettings {
        backend,
        from: from.unwrap_or_else(|| DEFAULT_MAIL_FROM.to_owned()),
    })
}

/// The smallest `SMS_HTTP_SECRET`, in bytes.
pub const MIN_WEBHOOK_SECRET_LEN: usize = 32;

/// The provider `var` names (`SMS_BACKEND` or `SMS_FALLBACK_BACKEND`), with its variables.
fn sms_backend(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    name: &str,
) -> Result<SmsBackend, ConfigError> {
    let need = |v: &'static str| {
        get(v).ok_or_else(|| err(v, format!("must be set when {var} is `{name}`")))
    };
    match name {
        "console" => Ok(SmsBackend::Console),
        "http" => {
            let url = need("SMS_HTTP_URL")?;
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(err(
                    "SMS_HTTP_URL",
                    format!("`{url}` is not an http(s) URL"),
                ));
            }
            let secret = need("SMS_HTTP_SECRET")?;
            if secret.len() < MIN_WEBHOOK_SECRET_LEN {
                return Err(err(
                    "SMS_HTTP_SECRET",
                    format!(
                        "must be at least {MIN_WEBHOOK_SECRET_LEN} bytes long; generate one with `openssl rand -hex 32`"
                    ),
                ));
            }
            Ok(SmsBackend::Http {
                url,
                secret: Secret(secret),
            })
        }
        "twilio" => {
            let (from, messaging_service) =
                match (get("TWILIO_FROM"), get("TWILIO_MESSAGING_SERVICE_SID")) {
                    (Some(from), _) => (from, false),
                    (None, Some(service)) => (service, true),
                    (None, None) => {
                        return Err(err(
                            "TWILIO_FROM",
                            format!(
                                "or TWILIO_MESSAGING_SERVICE_SID must be set when {var} is `twilio`"
                            ),
                        ));
                    }
                };
            Ok(SmsBackend::Twilio {
                base_url: get("TWILIO_BASE_URL").unwrap_or_else(|| "https://api.twilio.com".into()),
                account_sid: need("TWILIO_ACCOUNT_SID")?,
                auth_token: Secret(need("TWILIO_AUTH_TOKEN")?),
                from,
                messaging_service,
            })
        }
        "eskiz" => Ok(SmsBackend::Eskiz {
            base_url: get("ESKIZ_BASE_URL").unwrap_or_else(|| "https://notify.eskiz.uz/api".into()),
            email: need("ESKIZ_EMAIL")?,
            password: Secret(need("ESKIZ_PASSWORD")?),
            from: get("ESKIZ_FROM").unwrap_or_else(|| "4546".into()),
        }),
        other => Err(err(
            var,
            format!(
                "`{other}` is unknown; the backends are `console`, `http`, `twilio` and `eskiz`"
            ),
        )),
    }
}

/// Everything the application is configured with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    pub database_pool_size: u32,
    pub database_timeout: Duration,
    pub bind: SocketAddr,
    /// `ADMIN_BIND`: where the probes and `/metrics` are served instead of `bind`.
    pub admin_bind: Option<SocketAddr>,
    /// `SHUTDOWN_GRACE_SECONDS`: on SIGTERM or SIGINT, how long requests in flight may take.
    pub shutdown_grace: Duration,
    pub http: HttpLimits,
    pub secret_key: SecretKey,
    pub cookie_secure: bool,
    pub sms: SmsSettings,
    pub mail: MailSettings,
    /// How national input is read and which regions get codes.
    pub phone_policy: PhonePolicy,
    /// The app is behind reverse proxies (`TRUST_PROXY_HEADERS`).
    pub trust_proxy_headers: bool,
    /// How the client's address is found and counted.
    pub address_rules: AddressRules,
    pub limits: Limits,
    /// How often the server purges what is past retention (a day; tests shorten it).
    pub purge_every: Duration,
    /// How often the delivery worker looks for due messages when nothing wakes it (retries,
    /// and messages another instance wrote).
    pub delivery_poll: Duration,
    /// `PUBLIC_ORIGIN`: texts end with the line that lets browsers fill the code in.
    pub public_origin: Option<PublicOrigin>,
    /// `TEST_PHONE_NUMBERS`: numbers that sign in with a fixed code, never sent, until a day.
    pub test_numbers: TestNumbers,
    /// `INVITEE_PHONE_DISPLAY`: how people see the numbers of those who entered their code.
    pub invitee_phones: PhoneDisplay,
    /// `INVITE_NOTIFY_SMS`: the inviter gets a text when someone joins with their code.
    pub invite_notify_sms: bool,
    /// `APP_TIME_ZONE`: the zone every date a person sees is shown in (stored times stay UTC).
    pub time_zone: chrono_tz::Tz,
}

/// Where people reach the site, as `PUBLIC_ORIGIN` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicOrigin {
    /// `https://example.com` (no path, no trailing slash).
    pub origin: String,
    /// `example.com`, with `:port` when the origin has one: what a text's last line names.
    pub host: String,
}

/// The longest host `PUBLIC_ORIGIN` may have, so a text with its origin line stays short.
pub const MAX_ORIGIN_HOST_LEN: usize = 40;

impl PublicOrigin {
    /// Reads `PUBLIC_ORIGIN`.
    pub fn parse(v: &str) -> Result<Self, ConfigError> {
        public_origin(v)
    }
}

fn public_origin(v: &str) -> Result<PublicOrigin, ConfigError> {
    let bad = |why: &str| err("PUBLIC_ORIGIN", format!("`{v}` {why}"));
    let url = reqwest::Url::parse(v).map_err(|_| bad("is not a URL like https://example.com"))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(bad("must start with https://"));
    }
    if url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
    {
        return Err(bad("must be an origin only: a scheme and a host, no path"));
    }
    let host = match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        (None, _) => return Err(bad("has no host")),
    };
    if host.len() > MAX_ORIGIN_HOST_LEN {
        return Err(bad(&format!(
            "has a host longer than {MAX_ORIGIN_HOST_LEN} characters"
        )));
    }
    Ok(PublicOrigin {
        origin: url.origin().ascii_serialization(),
        host,
    })
}

/// How often the delivery worker looks for due messages when nothing wakes it.
pub const DELIVERY_POLL: Duration = Duration::from_millis(250);

/// How often the server purges what is past retention.
pub const PURGE_EVERY: Duration = Duration::from_secs(24 * 3600);

/// Where the development secret is kept when `SECRET_KEY` is unset.
pub const DEV_SECRET_FILE: &str = "data/secret_key";

impl Settings {
    /// Where links point (mail, invite links): `PUBLIC_ORIGIN`, else the address the server
    /// listens on.
    pub fn link_origin(&self) -> String {
        match &self.public_origin {
            Some(origin) => origin.origin.clone(),
            None => format!("http://{}", self.bind),
        }
    }

    /// Settings for tests and tools: SQLite at `database_url`, everything else at its default,
    /// a random secret.
    pub fn for_tests(database_url: DatabaseUrl) -> Self {
        Self {
            database_url,
            database_pool_size: 4,
            database_timeout: Duration::from_secs(2),
            bind: "127.0.0.1:0".parse().expect("valid address"),
            admin_bind: None,
            shutdown_grace: Duration::from_secs(30),
            http: HttpLimits::default(),
            secret_key: SecretKey::generate(),
            cookie_secure: false,
            sms: SmsSettings::default(),
            mail: MailSettings::default(),
            phone_policy: PhonePolicy::default(),
            trust_proxy_headers: false,
            address_rules: AddressRules::default(),
            limits: Limits::default(),
            purge_every: PURGE_EVERY,
            delivery_poll: DELIVERY_POLL,
            public_origin: None,
            test_numbers: TestNumbers::default(),
            invitee_phones: PhoneDisplay::default(),
            invite_notify_sms: false,
            time_zone: chrono_tz::Tz::UTC,
        }
    }

    /// Reads the process environment (after loading `.env` when present).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok(), true)
    }

    /// Reads settings through `get`; `dev_secret_file` allows generating a development secret.
    pub fn from_lookup(
        get: impl Fn(&str) -> Option<String>,
        dev_secret_file: bool,
    ) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let database_url = DatabaseUrl::parse(get("DATABASE_URL").as_deref());
        let bind: SocketAddr = match get("BIND") {
            None => "127.0.0.1:8000".parse().expect("valid address"),
            Some(v) => v.parse().map_err(|_| {
                err(
                    "BIND",
                    format!("`{v}` is not an address like 127.0.0.1:8000"),
                )
            })?,
        };
        let secret_key = match get("SECRET_KEY") {
            Some(v) => SecretKey::new(v.into_bytes())?,
            None if !bind.ip().is_loopback() => {
                return Err(err(
                    "SECRET_KEY",
                    format!(
                        "must be set when BIND ({bind}) is not a loopback address; generate one with `openssl rand -hex 64`"
                    ),
                ));
            }
            None if dev_secret_file => dev_secret()?,
            None => return Err(err("SECRET_KEY", "is not set")),
        };
        let sms = SmsSettings {
            backend: sms_backend(
                &get,
                "SMS_BACKEND",
                get("SMS_BACKEND").as_deref().unwrap_or("console"),
            )?,
            fallback: get("SMS_FALLBACK_BACKEND")
                .map(|name| sms_backend(&get, "SMS_FALLBACK_BACKEND", &name))
                .transpose()?,
            fallback_after: num(&get, "SMS_FALLBACK_AFTER", 3, 1, 100)? as i32,
            timeout: Duration::from_secs(num(&get, "SMS_TIMEOUT_SECONDS", 10, 1, 120)? as u64),
        };
        if sms
            .fallback
            .as_ref()
            .is_some_and(|f| f.name() == sms.backend.name())
        {
            return Err(err(
                "SMS_FALLBACK_BACKEND",
                "must be another provider than SMS_BACKEND",
            ));
        }
        let console_allowed = match get("SMS_CONSOLE_IN_PRODUCTION") {
            None => false,
            Some(v) => parse_bool("SMS_CONSOLE_IN_PRODUCTION", &v)?,
        };
        let uses_console =
            sms.backend == SmsBackend::Console || sms.fallback == Some(SmsBackend::Console);
        if uses_console && !bind.ip().is_loopback() && !console_allowed {
            return Err(err(
                "SMS_BACKEND",
                format!(
                    "`console` writes every code to the log; with BIND ({bind}) not a loopback address choose a provider, or set SMS_CONSOLE_IN_PRODUCTION=true"
                ),
            ));
        }
        let region = |var: &'static str, v: &str| {
            phonenumber::country::Id::from_str(&v.to_ascii_uppercase()).map_err(|_| {
                err(
                    var,
                    format!("`{v}` is not a two-letter region code such as UZ or RU"),
                )
            })
        };
        let default_region = match get("PHONE_DEFAULT_REGION") {
            None => None,
            Some(v) => Some(region("PHONE_DEFAULT_REGION", &v)?),
        };
        let allowed_regions = match get("PHONE_ALLOWED_REGIONS") {
            None => None,
            Some(v) => Some(
                v.split([',', ' '])
                    .filter(|r| !r.is_empty())
                    .map(|r| region("PHONE_ALLOWED_REGIONS", r))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        let trust_proxy_headers = match get("TRUST_PROXY_HEADERS") {
            None => false,
            Some(v) => parse_bool("TRUST_PROXY_HEADERS", &v)?,
        };
        let address_rules = AddressRules {
            proxy_hops: if trust_proxy_headers {
                num(&get, "TRUSTED_PROXY_HOPS", 1, 1, 10)? as usize
            } else {
                0
            },
            ipv4_prefix: num(&get, "IPV4_PREFIX_LENGTH", 32, 8, 32)? as u8,
            ipv6_prefix: num(&get, "IPV6_PREFIX_LENGTH", 64, 16, 128)? as u8,
        };
        let cookie_secure = match get("COOKIE_SECURE") {
            // behind a proxy (which terminates TLS) or reachable from elsewhere: HTTPS
            None => trust_proxy_headers || !bind.ip().is_loopback(),
            Some(v) => parse_bool("COOKIE_SECURE", &v)?,
        };

        let d = Limits::default();
        let otp_length = num(
            &get,
            "OTP_LENGTH",
            d.otp_length as i64,
            4,
            LONG_OTP_LENGTH as i64,
        )? as usize;
        let limits = Limits {
            otp_length,
            staff_otp_length: num(
                &get,
                "STAFF_OTP_LENGTH",
                d.staff_otp_length as i64,
                otp_length as i64,
                LONG_OTP_LENGTH as i64,
            )? as usize,
            wrong_checks_per_ip_per_hour: num(
                &get,
                "OTP_MAX_WRONG_PER_IP_HOUR",
                d.wrong_checks_per_ip_per_hour,
                1,
                1_000_000_000,
            )?,
            sms_per_hour: num(&get, "SMS_MAX_PER_HOUR", d.sms_per_hour, 1, 1_000_000_000)?,
            sms_per_prefix_per_hour: num(
                &get,
                "SMS_MAX_PER_PREFIX_HOUR",
                d.sms_per_prefix_per_hour,
                1,
                1_000_000_000,
            )?,
            otp_ttl: TimeDelta::seconds(num(
                &get,
                "OTP_TTL_SECONDS",
                d.otp_ttl.num_seconds(),
                30,
                600,
            )?),
            otp_max_attempts: num(&get, "OTP_MAX_ATTEMPTS", d.otp_max_attempts.into(), 1, 10)?
                as i32,
            resend_cooldown: TimeDelta::seconds(num(
                &get,
                "OTP_RESEND_SECONDS",
                d.resend_cooldown.num_seconds(),
                0,
                3600,
            )?),
            codes_per_phone_per_hour: num(
                &get,
                "OTP_MAX_PER_PHONE_HOUR",
                d.codes_per_phone_per_hour,
                1,
                1_000_000,
            )?,
            codes_per_ip_per_hour: num(
                &get,
                "OTP_MAX_PER_IP_HOUR",
                d.codes_per_ip_per_hour,
                1,
                1_000_000_000,
            )?,
            lock_after_failures: num(
                &get,
                "LOGIN_LOCK_FAILURES",
                d.lock_after_failures.into(),
                1,
                100,
            )? as i32,
            lock_duration: TimeDelta::seconds(num(
                &get,
                "LOGIN_LOCK_SECONDS",
                d.lock_duration.num_seconds(),
                1,
                7 * 24 * 3600,
            )?),
            session_ttl: TimeDelta::days(num(
                &get,
                "SESSION_TTL_DAYS",
                d.session_ttl.num_days(),
                1,
                365,
            )?),
            session_touch_interval: d.session_touch_interval,
            invite_tries_per_hour: num(
                &get,
                "INVITE_MAX_TRIES_HOUR",
                d.invite_tries_per_hour,
                1,
                1_000_000,
            )?,
            invitees_per_inviter: match get("INVITE_MAX_INVITEES") {
                None => d.invitees_per_inviter,
                Some(_) => Some(num(&get, "INVITE_MAX_INVITEES", 0, 1, 100_000_000)?),
            },
            invite_bunch_size: num(
                &get,
                "INVITE_BUNCH_SIZE",
                d.invite_bunch_size as i64,
                2,
                1_000_000,
            )? as usize,
            invite_code_changes_per_day: num(
                &get,
                "INVITE_CODE_CHANGES_DAY",
                d.invite_code_changes_per_day,
                1,
                1_000,
            )?,
            invite_link_misses_per_hour: num(
                &get,
                "INVITE_LINK_MISSES_HOUR",
                d.invite_link_misses_per_hour,
                1,
                1_000_000,
            )?,
            email_links_per_account_per_hour: num(
                &get,
                "EMAIL_LINKS_PER_ACCOUNT_HOUR",
                d.email_links_per_account_per_hour,
                1,
                1_000,
            )?,
            email_links_per_address_per_hour: num(
                &get,
                "EMAIL_LINKS_PER_ADDRESS_HOUR",
                d.email_links_per_address_per_hour,
                1,
                1_000,
            )?,
            api_token_ttl: TimeDelta::days(num(
                &get,
                "API_TOKEN_TTL_DAYS",
                d.api_token_ttl.num_days(),
                1,
                365,
            )?),
            retention: d.retention,
        };
        // Records a limit still reads are never purged.
        let shortest_retention = (limits.longest_lookback().num_seconds() + 86_399) / 86_400;
        let limits = Limits {
            retention: TimeDelta::days(num(
                &get,
                "RETENTION_DAYS",
                d.retention.num_days(),
                shortest_retention,
                36_500,
            )?),
            ..limits
        };

        Ok(Self {
            database_url,
            database_pool_size: num(&get, "DATABASE_POOL_SIZE", 10, 1, 1000)? as u32,
            database_timeout: Duration::from_secs(
                num(&get, "DATABASE_TIMEOUT_SECONDS", 5, 1, 600)? as u64,
            ),
            bind,
            admin_bind: get("ADMIN_BIND")
                .map(|v| {
                    v.parse::<SocketAddr>().map_err(|_| {
                        err(
                            "ADMIN_BIND",
                            format!("`{v}` is not an address like 127.0.0.1:9000"),
                        )
                    })
                })
                .transpose()?,
            shutdown_grace: Duration::from_secs(
                num(&get, "SHUTDOWN_GRACE_SECONDS", 30, 0, 3600)? as u64
            ),
            http: HttpLimits {
                request_timeout: Duration::from_secs(num(
                    &get,
                    "HTTP_REQUEST_TIMEOUT_SECONDS",
                    5,
                    1,
                    300,
                )? as u64),
                keep_alive: Duration::from_secs(
                    num(&get, "HTTP_KEEP_ALIVE_SECONDS", 5, 0, 3600)? as u64
                ),
                disconnect_timeout: Duration::from_secs(num(
                    &get,
                    "HTTP_DISCONNECT_TIMEOUT_SECONDS",
                    1,
                    1,
                    60,
                )? as u64),
                max_connections: num(&get, "HTTP_MAX_CONNECTIONS", 10_000, 1, 1_000_000)? as usize,
            },
            secret_key,
            cookie_secure,
            sms,
            mail: mail_settings(&get, bind)?,
            phone_policy: PhonePolicy {
                default_region,
                allowed_regions,
            },
            trust_proxy_headers,
            address_rules,
            limits,
            purge_every: PURGE_EVERY,
            delivery_poll: DELIVERY_POLL,
            public_origin: get("PUBLIC_ORIGIN")
                .map(|v| public_origin(&v))
                .transpose()?,
            test_numbers: match get("TEST_PHONE_NUMBERS") {
                None => TestNumbers::default(),
                Some(list) => TestNumbers::parse(&list)
                    .map_err(|e| err("TEST_PHONE_NUMBERS", e.to_string()))?,
            },
            invitee_phones: match get("INVITEE_PHONE_DISPLAY") {
                None => PhoneDisplay::default(),
                Some(v) => PhoneDisplay::parse(&v).ok_or_else(|| {
                    err(
                        "INVITEE_PHONE_DISPLAY",
                        format!("`{v}` is not full or masked"),
                    )
                })?,
            },
            invite_notify_sms: match get("INVITE_NOTIFY_SMS") {
                None => false,
                Some(v) => parse_bool("INVITE_NOTIFY_SMS", &v)?,
            },
            time_zone: match get("APP_TIME_ZONE") {
                None => chrono_tz::Tz::UTC,
                Some(v) => v.trim().parse().map_err(|_| {
                    err(
                        "APP_TIME_ZONE",
                        format!(
                            "`{v}` is not a time zone of the IANA database (e.g. Asia/Tashkent)"
                        ),
                    )
                })?,
            },
        })
    }
}

fn parse_bool(var: &'static str, v: &str) -> Result<bool, ConfigError> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(err(var, format!("`{v}` is not true or false"))),
    }
}

fn num(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: i64,
    min: i64,
    max: i64,
) -> Result<i64, ConfigError> {
    let Some(v) = get(var) else {
        return Ok(default);
    };
    match v.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(err(
            var,
            format!("`{v}` is not a whole number from {min} to {max}"),
        )),
    }
}

/// The development secret: read from `data/secret_key`, created there on first use.
fn dev_secret() -> Result<SecretKey, ConfigError> {
    let path = Path::new(DEV_SECRET_FILE);
    if let Ok(existing) = std::fs::read_to_string(path) {
        return SecretKey::new(existing.trim().as_bytes().to_vec()).map_err(|e| ConfigError {
            var: "SECRET_KEY",
            message: format!(
                "the development secret in {DEV_SECRET_FILE} is unusable: {}",
                e.message
            ),
        });
    }
    let secret = SecretKey::generate();
    let write = || -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            create_private_dir_all(dir)?;
        }
        create_private_file(path, &secret.0)
    };
    write().map_err(|e| {
        err(
            "SECRET_KEY",
            format!("is not set and {DEV_SECRET_FILE} could not be written: {e}"),
        )
    })?;
    log::warn!(
        "SECRET_KEY is not set: generated a development secret in {DEV_SECRET_FILE}. Set SECRET_KEY in production."
    );
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let secret = "s".repeat(64);
        Settings::from_lookup(
            |k| {
                map.get(k)
                    .cloned()
                    .or_else(|| (k == "SECRET_KEY").then(|| secret.clone()))
            },
            false,
        )
    }

    #[test]
    fn defaults_follow_the_design() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:8000");
        assert!(!s.cookie_secure, "loopback bind serves plain http");
        assert_eq!(s.limits.otp_length, 4);
        assert_eq!(s.limits.otp_ttl, TimeDelta::minutes(5));
        assert_eq!(s.limits.otp_max_attempts, 3);
        assert_eq!(s.limits.lock_after_failures, 10);
        assert_eq!(s.limits.codes_per_phone_per_hour, 5);
        assert_eq!(s.limits.codes_per_ip_per_hour, 20);
        assert!(
            matches!(s.database_url, DatabaseUrl::Sqlite(ref p) if p.to_str() == Some("data/user-auth.db"))
        );
    }

    #[test]
    fn public_bind_makes_cookies_secure() {
        let public = ("BIND", "0.0.0.0:8000");
        let console = ("SMS_CONSOLE_IN_PRODUCTION", "true");
        let mail = ("MAIL_CONSOLE_IN_PRODUCTION", "true");
        assert!(settings(&[public, console, mail]).unwrap().cookie_secure);
        assert!(
            settings(&[("TRUST_PROXY_HEADERS", "true")])
                .unwrap()
                .cookie_secure,
            "behind a TLS proxy on loopback"
        );
        assert!(
            !settings(&[("TRUST_PROXY_HEADERS", "true"), ("COOKIE_SECURE", "false")])
                .unwrap()
                .cookie_secure
        );
        assert!(
            !settings(&[public, console, mail, ("COOKIE_SECURE", "false")])
                .unwrap()
                .cookie_secure
        );
    }

    #[test]
    fn providers_are_chosen_and_checked() {
        let secret = "w".repeat(32);
        let http = [
            ("SMS_BACKEND", "http"),
            ("SMS_HTTP_URL", "https://sms.example/send"),
            ("SMS_HTTP_SECRET", secret.as_str()),
        ];
        let s = settings(&http).unwrap();
        assert_eq!(s.sms.backend.name(), "http");
        assert_eq!((s.sms.fallback_after, s.sms.timeout.as_secs()), (3, 10));
        assert!(
            !format!("{s:?}").contains(&secret),
            "secrets are not printed"
        );
        let twilio = [
            ("SMS_FALLBACK_BACKEND", "twilio"),
            ("TWILIO_ACCOUNT_SID", "AC123"),
            ("TWILIO_AUTH_TOKEN", "token"),
            ("TWILIO_MESSAGING_SERVICE_SID", "MG123"),
            ("SMS_FALLBACK_AFTER", "2"),
        ];
        let s = settings(&[&http[..], &twilio[..]].concat()).unwrap();
        assert!(matches!(
            s.sms.fallback,
            Some(SmsBackend::Twilio { ref from, messaging_service: true, ref base_url, .. })
                if from == "MG123" && base_url == "https://api.twilio.com"
        ));
        assert_eq!(s.sms.fallback_after, 2);

        let var = |vars: &[(&'static str, &str)]| settings(vars).unwrap_err().var;
        assert_eq!(var(&[("SMS_BACKEND", "http")]), "SMS_HTTP_URL");
        assert_eq!(
            var(&[http[0], http[1], ("SMS_HTTP_SECRET", "short")]),
            "SMS_HTTP_SECRET"
        );
        assert_eq!(var(&[("SMS_BACKEND", "twilio")]), "TWILIO_FROM");
        assert_eq!(var(&[("SMS_BACKEND", "eskiz")]), "ESKIZ_EMAIL");
        let eskiz = settings(&[
            ("SMS_BACKEND", "eskiz"),
            ("ESKIZ_EMAIL", "a@b.uz"),
            ("ESKIZ_PASSWORD", "p"),
        ])
        .unwrap();
        assert!(matches!(
            eskiz.sms.backend,
            SmsBackend::Eskiz { ref from, ref base_url, .. }
                if from == "4546" && base_url == "https://notify.eskiz.uz/api"
        ));
        assert_eq!(var(&[("SMS_BACKEND", "pigeon")]), "SMS_BACKEND");
        assert_eq!(
            var(&[("TEST_PHONE_NUMBERS", "+998901234567:12:2027-01-31")]),
            "TEST_PHONE_NUMBERS"
        );
        assert_eq!(
            var(&[http[0], http[1], http[2], ("SMS_FALLBACK_BACKEND", "http")]),
            "SMS_FALLBACK_BACKEND"
        );
        // the log is no place for codes on a public address, unless said so
        let e = settings(&[("BIND", "0.0.0.0:8000")]).unwrap_err();
        assert_eq!(e.var, "SMS_BACKEND");
        assert!(
            e.message.contains("SMS_CONSOLE_IN_PRODUCTION"),
            "{}",
            e.message
        );
        let mail = ("MAIL_CONSOLE_IN_PRODUCTION", "true");
        assert!(settings(&[("BIND", "0.0.0.0:8000"), http[0], http[1], http[2], mail]).is_ok());
    }

    #[test]
    fn mail_is_chosen_and_checked() {
        let smtp = [
            ("MAIL_BACKEND", "smtp"),
            ("SMTP_HOST", "smtp.example.com"),
            ("MAIL_FROM", "user-auth <noreply@example.com>"),
        ];
        let s = settings(&smtp).unwrap();
        assert_eq!(
            s.mail.backend,
            MailBackend::Smtp {
                host: "smtp.example.com".into(),
                port: 587,
                security: SmtpTls::StartTls,
                credentials: None,
            }
        );
        let s = settings(&[smtp[0], smtp[1], smtp[2], ("SMTP_SECURITY", "tls")]).unwrap();
        assert!(matches!(
            s.mail.backend,
            MailBackend::Smtp {
                port: 465,
                security: SmtpTls::Tls,
                ..
            }
        ));
        let var = |vars: &[(&str, &str)]| settings(vars).unwrap_err().var;
        // in the clear only to this machine
        assert_eq!(
            var(&[smtp[0], smtp[1], smtp[2], ("SMTP_SECURITY", "none")]),
            "SMTP_SECURITY"
        );
        let local = settings(&[
            smtp[0],
            ("SMTP_HOST", "127.0.0.1"),
            smtp[2],
            ("SMTP_SECURITY", "none"),
        ]);
        assert!(matches!(
            local.unwrap().mail.backend,
            MailBackend::Smtp { port: 25, .. }
        ));
        assert_eq!(var(&[smtp[0], smtp[2]]), "SMTP_HOST");
        assert_eq!(var(&[smtp[0], smtp[1]]), "MAIL_FROM");
        assert_eq!(
            var(&[smtp[0], smtp[1], ("MAIL_FROM", "not an address")]),
            "MAIL_FROM"
        );
        assert_eq!(
            var(&[smtp[0], smtp[1], smtp[2], ("SMTP_USERNAME", "u")]),
            "SMTP_USERNAME"
        );
        assert_eq!(var(&[("MAIL_BACKEND", "pigeon")]), "MAIL_BACKEND");
        // links in the log only where said so on a public address
        let public = ("BIND", "0.0.0.0:8000");
        let sms = ("SMS_CONSOLE_IN_PRODUCTION", "true");
        assert_eq!(var(&[public, sms]), "MAIL_BACKEND");
        assert!(settings(&[public, sms, smtp[0], smtp[1], smtp[2]]).is_ok());
    }

    #[test]
    fn the_public_origin_is_an_origin_with_a_short_host() {
        let o = PublicOrigin::parse("https://Example.COM/").unwrap();
        assert_eq!(
            (o.origin.as_str(), o.host.as_str()),
            ("https://example.com", "example.com")
        );
        let o = PublicOrigin::parse("https://auth.example.uz:8443").unwrap();
        assert_eq!(o.host, "auth.example.uz:8443");
        for bad in [
            "example.com",
            "ftp://example.com",
            "https://example.com/login",
            "https://example.com/?a=1",
            "https://user@example.com",
        ] {
            assert_eq!(
                PublicOrigin::parse(bad).unwrap_err().var,
                "PUBLIC_ORIGIN",
                "{bad}"
            );
        }
        let long = format!("https://{}.com", "a".repeat(MAX_ORIGIN_HOST_LEN));
        assert!(PublicOrigin::parse(&long).is_err());
        let s = settings(&[("PUBLIC_ORIGIN", "https://example.com")]).unwrap();
        assert_eq!(s.public_origin.unwrap().host, "example.com");
    }

    #[test]
    fn bad_values_name_their_variable() {
        assert_eq!(
            settings(&[("OTP_LENGTH", "3")]).unwrap_err().var,
            "OTP_LENGTH"
        );
        assert_eq!(settings(&[("BIND", "nowhere")]).unwrap_err().var, "BIND");
        assert_eq!(
            settings(&[("PHONE_DEFAULT_REGION", "XX")]).unwrap_err().var,
            "PHONE_DEFAULT_REGION"
        );
        assert_eq!(
            settings(&[("SMS_BACKEND", "pigeon")]).unwrap_err().var,
            "SMS_BACKEND"
        );
        assert_eq!(
            settings(&[("SECRET_KEY", "short")]).unwrap_err().var,
            "SECRET_KEY"
        );
        assert_eq!(
            settings(&[("INVITEE_PHONE_DISPLAY", "hidden")])
                .unwrap_err()
                .var,
            "INVITEE_PHONE_DISPLAY"
        );
        assert_eq!(
            settings(&[("INVITEE_PHONE_DISPLAY", "masked")])
                .unwrap()
                .invitee_phones,
            PhoneDisplay::Masked
        );
        assert_eq!(settings(&[]).unwrap().invitee_phones, PhoneDisplay::Full);
        assert_eq!(settings(&[]).unwrap().time_zone, chrono_tz::Tz::UTC);
        assert_eq!(
            settings(&[("APP_TIME_ZONE", " Asia/Tashkent ")])
                .unwrap()
                .time_zone,
            chrono_tz::Tz::Asia__Tashkent
        );
        for bad in ["Mars/Olympus", "+05:00", "tashkent"] {
            assert_eq!(
                settings(&[("APP_TIME_ZONE", bad)]).unwrap_err().var,
                "APP_TIME_ZONE",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn retention_covers_every_limit_s_look_back() {
        let days = |vars: &[(&'static str, &'static str)]| {
            settings(vars).map(|s| s.limits.retention.num_days())
        };
        assert_eq!(days(&[]).unwrap(), 90);
        assert_eq!(days(&[("RETENTION_DAYS", "1")]).unwrap(), 1);
        assert_eq!(
            days(&[("RETENTION_DAYS", "0")]).unwrap_err().var,
            "RETENTION_DAYS"
        );
        // a week-long lock reads a week of failed checks
        let week = ("LOGIN_LOCK_SECONDS", "604800");
        assert_eq!(days(&[week, ("RETENTION_DAYS", "7")]).unwrap(), 7);
        let e = days(&[week, ("RETENTION_DAYS", "6")]).unwrap_err();
        assert_eq!(e.var, "RETENTION_DAYS");
        assert!(e.message.contains("from 7 to"), "{}", e.message);
    }

    #[test]
    fn allowed_regions_are_a_list() {
        let s = settings(&[("PHONE_ALLOWED_REGIONS", "uz, KZ")]).unwrap();
        let ids: Vec<String> = s
            .phone_policy
            .allowed_regions
            .unwrap()
            .iter()
            .map(|r| AsRef::<str>::as_ref(r).to_owned())
            .collect();
        assert_eq!(ids, ["UZ", "KZ"]);
        assert_eq!(settings(&[]).unwrap().phone_policy.allowed_regions, None);
        assert_eq!(
            settings(&[("PHONE_ALLOWED_REGIONS", "UZ,XX")])
                .unwrap_err()
                .var,
            "PHONE_ALLOWED_REGIONS"
        );
        let proxied = settings(&[("TRUST_PROXY_HEADERS", "true"), ("TRUSTED_PROXY_HOPS", "2")]);
        assert_eq!(proxied.unwrap().address_rules.proxy_hops, 2);
        assert_eq!(
            settings(&[("TRUSTED_PROXY_HOPS", "2")])
                .unwrap()
                .address_rules
                .proxy_hops,
            0,
            "no proxy is trusted without TRUST_PROXY_HEADERS"
        );
    }

    #[test]
    fn a_public_bind_needs_a_secret_key() {
        let lookup = |bind: &'static str| move |k: &str| (k == "BIND").then(|| bind.to_owned());
        let e = Settings::from_lookup(lookup("0.0.0.0:8000"), true).unwrap_err();
        assert_eq!(e.var, "SECRET_KEY");
        assert!(e.message.contains("loopback"), "{}", e.message);
        let e = Settings::from_lookup(lookup("[::]:8000"), true).unwrap_err();
        assert_eq!(e.var, "SECRET_KEY");
        // on loopback, without the development file, it is simply missing
        let e = Settings::from_lookup(lookup("127.0.0.1:8000"), false).unwrap_err();
        assert_eq!((e.var, e.message.as_str()), ("SECRET_KEY", "is not set"));
    }

    #[test]
    fn derived_keys_differ_by_purpose() {
        let k = SecretKey::generate();
        assert_ne!(k.derive32("a"), k.derive32("b"));
        assert_eq!(k.derive32("a"), k.derive32("a"));
        assert!(!format!("{k:?}").contains(&String::from_utf8_lossy(&k.0).to_string()));
    }

    #[test]
    fn postgres_urls_select_postgres() {
        let s = settings(&[("DATABASE_URL", "postgres://u@h/db")]).unwrap();
        assert!(matches!(s.database_url, DatabaseUrl::Postgres(_)));
        let s = settings(&[("DATABASE_URL", "sqlite://tmp/x.db")]).unwrap();
        assert!(
            matches!(s.database_url, DatabaseUrl::Sqlite(ref p) if p.to_str() == Some("tmp/x.db"))
        );
    }
}
