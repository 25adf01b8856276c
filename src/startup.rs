//! Building the application: migrations, the pool, the shared state, and the listener serving
//! the HTTP edge.

use std::{net::TcpListener, sync::Arc};

use actix_web::{HttpServer, dev::Server, web};

use crate::{
    config::Settings,
    db::{self, DbPool},
    domain::phone,
    http,
    i18n::Locales,
    state::{AppState, Dependencies},
};

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
        let bind_error = |source| StartupError::Bind {
            addr: settings.bind.to_string(),
            source,
        };
        let listener = TcpListener::bind(settings.bind).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        let state = web::Data::new(AppState::new(settings, deps, pool.clone(), locales));
        // Database work runs on blocking threads; more of them than pooled connections would
        // only wait for a connection (and wake each other), so each worker gets its share.
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let blocking = (settings.database_pool_size as usize)
            .div_ceil(workers)
            .max(1);
        let server = HttpServer::new(move || http::app(state.clone()))
            .workers(workers)
            .worker_max_blocking_threads(blocking)
            .listen(listener)
            .map_err(bind_error)?
            .run();
        Ok(Self { port, server, pool })
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
