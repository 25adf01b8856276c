//! Building the application: pool, migrations, shared state, middleware, and the listener.

use std::{net::TcpListener, sync::Arc};

use actix_session::{
    SessionMiddleware,
    config::{CookieContentSecurity, PersistentSession},
    storage::CookieSessionStore,
};
use actix_web::{
    App, HttpServer,
    cookie::{Key, SameSite, time::Duration as CookieDuration},
    dev::Server,
    middleware::{Logger, from_fn},
    web,
};

use crate::{
    auth::AuthConfig,
    clock::{Clock, SystemClock},
    config::{Settings, SmsBackend},
    db::{self, DbPool},
    i18n::Locales,
    invites::{InviteCodeGenerator, RandomInviteCodes},
    middleware, phone, routes,
    sms::{ConsoleSender, SmsSender},
};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "user_auth_session";

/// Everything handlers share.
pub struct AppState {
    pub pool: DbPool,
    pub auth: AuthConfig,
    pub clock: Arc<dyn Clock>,
    pub sms: Arc<dyn SmsSender>,
    pub locales: Arc<Locales>,
    pub csrf_key: [u8; 32],
    pub phone_region: Option<phonenumber::country::Id>,
    pub phone_example: String,
    pub trust_proxy_headers: bool,
    pub cookie_secure: bool,
}

/// The replaceable parts: real ones in production, controllable ones in tests.
#[derive(Clone)]
pub struct Dependencies {
    pub clock: Arc<dyn Clock>,
    pub sms: Arc<dyn SmsSender>,
    pub invite_codes: Arc<dyn InviteCodeGenerator>,
}

impl Dependencies {
    pub fn from_settings(settings: &Settings) -> Self {
        let sms: Arc<dyn SmsSender> = match settings.sms_backend {
            SmsBackend::Console => Arc::new(ConsoleSender),
        };
        Self {
            clock: Arc::new(SystemClock),
            sms,
            invite_codes: Arc::new(RandomInviteCodes),
        }
    }
}

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] db::SetupError),
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("the translations could not be loaded: {0}")]
    Locales(String),
}

impl AppState {
    pub fn new(
        settings: &Settings,
        deps: Dependencies,
        pool: DbPool,
        locales: Arc<Locales>,
    ) -> Self {
        AppState {
            pool,
            auth: AuthConfig {
                limits: settings.limits.clone(),
                code_key: settings.secret_key.derive32("user-auth/otp-hmac/v1"),
                invite_codes: deps.invite_codes,
            },
            clock: deps.clock,
            sms: deps.sms,
            locales,
            csrf_key: settings.secret_key.derive32("user-auth/csrf/v1"),
            phone_region: settings.phone_default_region,
            phone_example: phone::example(settings.phone_default_region),
            trust_proxy_headers: settings.trust_proxy_headers,
            cookie_secure: settings.cookie_secure,
        }
    }
}

/// The encrypted cookie session: `HttpOnly`, `SameSite=Lax`, `Secure` as configured, with
/// the configured lifetime. It holds ids only (see `session.rs`).
pub fn session_middleware(settings: &Settings) -> SessionMiddleware<CookieSessionStore> {
    let key = Key::from(&settings.secret_key.derive64("user-auth/cookie/v1"));
    let ttl = CookieDuration::days(settings.limits.session_ttl.num_days());
    SessionMiddleware::builder(CookieSessionStore::default(), key)
        .cookie_name(SESSION_COOKIE.to_owned())
        .cookie_secure(settings.cookie_secure)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_content_security(CookieContentSecurity::Private)
        .session_lifecycle(PersistentSession::default().session_ttl(ttl))
        .build()
}

/// A bound, not yet running, server.
pub struct Application {
    port: u16,
    server: Server,
    pool: DbPool,
}

impl Application {
    /// Migrates the database, then binds `settings.bind` (port 0 picks a free port).
    pub fn build(settings: &Settings, deps: Dependencies) -> Result<Self, StartupError> {
        db::migrate(&settings.database_url)?;
        let pool = db::pool(
            &settings.database_url,
            settings.database_pool_size,
            settings.database_timeout,
        );
        phone::preload_metadata();
        let locales = Arc::new(Locales::load().map_err(StartupError::Locales)?);
        let listener = TcpListener::bind(settings.bind).map_err(|source| StartupError::Bind {
            addr: settings.bind.to_string(),
            source,
        })?;
        let port = listener.local_addr().map_err(|source| StartupError::Bind {
            addr: settings.bind.to_string(),
            source,
        })?;
        let state = web::Data::new(AppState::new(settings, deps, pool.clone(), locales));
        let settings_for_workers = settings.clone();
        // Database work runs on blocking threads; more of them than pooled connections would
        // only wait for a connection (and wake each other), so each worker gets its share.
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let blocking = (settings.database_pool_size as usize)
            .div_ceil(workers)
            .max(1);
        let server = HttpServer::new(move || {
            let sessions = session_middleware(&settings_for_workers);
            App::new()
                .app_data(state.clone())
                .app_data(web::FormConfig::default().limit(8 * 1024))
                .app_data(web::QueryConfig::default())
                .configure(routes::configure)
                .default_service(web::to(routes::not_found))
                .wrap(from_fn(middleware::refuse_cross_site))
                .wrap(from_fn(middleware::error_pages))
                .wrap(sessions)
                .wrap(middleware::security_headers())
                .wrap(Logger::new("%a \"%r\" %s %b %Dms"))
        })
        .workers(workers)
        .worker_max_blocking_threads(blocking)
        .listen(listener)
        .map_err(|source| StartupError::Bind {
            addr: settings.bind.to_string(),
            source,
        })?
        .run();

        Ok(Self {
            port: port.port(),
            server,
            pool,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The pool the server uses (tests use it to inspect and to starve the database).
    pub fn pool(&self) -> DbPool {
        self.pool.clone()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
