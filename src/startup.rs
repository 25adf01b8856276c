//! Building the application: migrations, the pool, the shared state, and the listener serving
//! the HTTP edge.

use std::{
    net::TcpListener,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use actix_web::{HttpServer, dev::Server, http::KeepAlive, web};
use chrono::NaiveDateTime;

use crate::{
    app::{delivery, retention},
    config::Settings,
    db::{self, DbPool},
    domain::{limits::Limits, phone},
    http,
    i18n::Locales,
    state::{AppState, Dependencies},
};

/// The HTTP server's limits and its stop: every connection limit of `settings.http`, the grace
/// period, and signals left to `run_until_stopped` (which stops every server of the process
/// together, gracefully on SIGINT too). (A macro: `HttpServer`'s type parameters are many.)
macro_rules! with_limits {
    ($server:expr, $settings:expr $(,)?) => {{
        let settings: &Settings = $settings;
        let http = &settings.http;
        let keep_alive = if http.keep_alive.is_zero() {
            KeepAlive::Disabled
        } else {
            KeepAlive::Timeout(http.keep_alive)
        };
        $server
            .client_request_timeout(http.request_timeout)
            .client_disconnect_timeout(http.disconnect_timeout)
            .keep_alive(keep_alive)
            .max_connections(http.max_connections)
            .shutdown_timeout(settings.shutdown_grace.as_secs())
            .disable_signals()
    }};
}

/// How often the metrics' histograms are drained.
const METRICS_UPKEEP_EVERY: Duration = Duration::from_secs(5);

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

/// A bound, not yet running, server.
pub struct Application {
    port: u16,
    server: Server,
    /// The operators' server on `ADMIN_BIND`, and its port.
    admin: Option<(u16, Server)>,
    pool: DbPool,
    state: web::Data<AppState>,
    purge_every: Duration,
    /// How long requests in flight may take once a stop is asked for.
    grace: Duration,
    delivery_poll: Duration,
}

impl Application {
    /// Migrates the database, then binds `settings.bind` (port 0 picks a free port).
    pub fn build(settings: &Settings, deps: Dependencies) -> Result<Self, StartupError> {
        warn_of_risky_settings(settings);
        db::migrate(&settings.database_url)?;
        let pool = db::pool(
            &settings.database_url,
            settings.database_pool_size,
            settings.database_timeout,
        );
        phone::preload_metadata();
        let locales = Locales::load().map_err(StartupError::Locales)?;
        let locales = Arc::new(locales.in_zone(settings.time_zone));
        let bind_error = |source| StartupError::Bind {
            addr: settings.bind.to_string(),
            source,
        };
        let listener = TcpListener::bind(settings.bind).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        purge_now(&pool, deps.clock.now(), &settings.limits);
        let state = web::Data::new(AppState::new(settings, deps, pool.clone(), locales));
        // Database work runs on blocking threads; more of them than pooled connections would
        // only wait for a connection (and wake each other), so each worker gets its share.
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let blocking = (settings.database_pool_size as usize)
            .div_ceil(workers)
            .max(1);
        let serving = state.clone();
        let server = with_limits!(
            HttpServer::new(move || http::app(serving.clone())),
            settings,
        )
        .workers(workers)
        .worker_max_blocking_threads(blocking)
        .listen(listener)
        .map_err(bind_error)?
        .run();
        let admin = match settings.admin_bind {
            None => None,
            Some(addr) => {
                let admin_error = |source| StartupError::Bind {
                    addr: addr.to_string(),
                    source,
                };
                let listener = TcpListener::bind(addr).map_err(admin_error)?;
                let port = listener.local_addr().map_err(admin_error)?.port();
                let serving = state.clone();
                let server = with_limits!(
                    HttpServer::new(move || http::ops_app(serving.clone())),
                    settings,
                )
                .workers(1)
                .listen(listener)
                .map_err(admin_error)?
                .run();
                Some((port, server))
            }
        };
        Ok(Self {
            port,
            server,
            admin,
            pool,
            state,
            purge_every: settings.purge_every,
            delivery_poll: settings.delivery_poll,
            grace: settings.shutdown_grace,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of `ADMIN_BIND`, when it is set.
    pub fn admin_port(&self) -> Option<u16> {
        self.admin.as_ref().map(|(port, _)| *port)
    }

    /// The pool the server uses (tests use it to inspect and to starve the database).
    pub fn pool(&self) -> DbPool {
        self.pool.clone()
    }

    /// Serves until SIGTERM or SIGINT (or a stop through a server handle), with the delivery
    /// worker, and purging what is past retention every `purge_every`. A stop is graceful: no
    /// new connection is accepted, requests in flight have the grace period to finish, the
    /// delivery worker finishes the message it is trying, and then the pool closes.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let state = self.state.clone();
        let every = self.purge_every;
        let purging = actix_web::rt::spawn(async move {
            loop {
                actix_web::rt::time::sleep(every).await;
                log_purge(state.app.retention.purge().await);
            }
        });
        // the metrics' histograms keep their samples until drained: drain them often, so
        // memory stays flat however long the process runs
        let metrics = self.state.metrics.clone();
        let upkeep = actix_web::rt::spawn(async move {
            loop {
                actix_web::rt::time::sleep(METRICS_UPKEEP_EVERY).await;
                metrics.run_upkeep();
            }
        });
        let delivering = DeliveryWorker::start(self.state.clone(), self.delivery_poll);
        let mut handles = vec![self.server.handle()];
        handles.extend(self.admin.as_ref().map(|(_, admin)| admin.handle()));
        let grace = self.grace;
        let signals = actix_web::rt::spawn(async move {
            match stop_signal().await {
                Ok(name) => log::info!(
                    "{name}: stopping; requests in flight have {} s to finish",
                    grace.as_secs()
                ),
                Err(e) => {
                    log::warn!("signals cannot be received ({e}); stop the process by force");
                    return;
                }
            }
            futures_util::future::join_all(handles.iter().map(|h| h.stop(true))).await;
        });
        let served = match self.admin {
            None => self.server.await,
            Some((_, admin)) => {
                let (served, admin) = futures_util::future::join(self.server, admin).await;
                served.and(admin)
            }
        };
        signals.abort();
        purging.abort();
        upkeep.abort();
        delivering.finish().await;
        log::info!("stopped");
        served
    }
}

/// Waits for SIGTERM or SIGINT (Ctrl-C), and names it.
async fn stop_signal() -> std::io::Result<&'static str> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    })
}

/// The delivery worker, on a thread of its own (so nothing that blocks a request thread can
/// hold it up); it stops when this is dropped, after the message it is trying.
struct DeliveryWorker {
    stop: Arc<AtomicBool>,
    state: web::Data<AppState>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DeliveryWorker {
    fn start(state: web::Data<AppState>, poll: Duration) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let (stopped, worker) = (stop.clone(), state.clone());
        let thread = std::thread::Builder::new()
            .name("delivery".into())
            .spawn(move || {
                actix_web::rt::System::new().block_on(async move {
                    let delivery = &worker.app.delivery;
                    while !stopped.load(Ordering::SeqCst) {
                        match delivery.deliver_due().await {
                            // a full batch: more may be due at once
                            Ok(round) if round.claimed as i64 == delivery::BATCH => continue,
                            Ok(_) => {}
                            Err(e) => log::warn!("delivery: {e}"),
                        }
                        if !stopped.load(Ordering::SeqCst) {
                            delivery.wait_for_work(poll).await;
                        }
                    }
                })
            })
            .expect("the delivery thread starts");
        Self {
            stop,
            state,
            thread: Some(thread),
        }
    }

    /// Stops the worker and waits for it: it finishes the message it is trying (each try is
    /// bounded by the provider's timeout) and records the outcome.
    async fn finish(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.state.app.delivery.wake();
        if let Some(thread) = self.thread.take() {
            let _ = actix_web::rt::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

impl Drop for DeliveryWorker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.state.app.delivery.wake();
    }
}

/// Settings that put codes where they do not belong, said loudly before anything else.
fn warn_of_risky_settings(settings: &Settings) {
    let console = [Some(&settings.sms.backend), settings.sms.fallback.as_ref()]
        .contains(&Some(&crate::config::SmsBackend::Console));
    if console && !settings.bind.ip().is_loopback() {
        log::warn!(
            "SMS_CONSOLE_IN_PRODUCTION=true: every sign-in code is written to this log, where anyone who reads it can sign in as anyone"
        );
    }
    if settings.mail.backend == crate::config::MailBackend::Console
        && !settings.bind.ip().is_loopback()
    {
        log::warn!(
            "MAIL_CONSOLE_IN_PRODUCTION=true: every email verification link is written to this log, where anyone who reads it can confirm an address for anyone"
        );
    }
    for t in settings.test_numbers.all() {
        log::warn!(
            "TEST_PHONE_NUMBERS: {} signs in with a fixed code, never sent, until {}",
            t.phone,
            t.until
        );
    }
}

/// Purges before the first request, so a server that was down past a daily run still keeps
/// its promise; a failure is logged and the server starts anyway.
fn purge_now(pool: &DbPool, now: NaiveDateTime, limits: &Limits) {
    match pool.get() {
        Ok(mut conn) => {
            log_purge(retention::purge(&mut conn, now, limits).map_err(|e| e.to_string()))
        }
        Err(e) => log_purge(Err(e.to_string())),
    }
}

fn log_purge<E: std::fmt::Display>(purged: Result<retention::Purged, E>) {
    match purged {
        Ok(p) if p.total() == 0 => {}
        Ok(p) => log::info!("retention: purged {p:?}"),
        Err(e) => log::warn!("retention: the purge failed: {e}"),
    }
}
