//! The `user-auth` binary: `serve` (the default) and `migrate`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use user_auth::{
    config::Settings,
    db,
    startup::{Application, Dependencies},
};

#[derive(Parser)]
#[command(
    name = "user-auth",
    version,
    about = "Sign in with a phone number and a one-time code"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
}

/// Start-up failures end with one paragraph and exit code 2, never a panic.
fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("user-auth: cannot start: {message}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => return fail(format_args!("configuration variable {e}")),
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => match db::migrate(&settings.database_url) {
            Ok(n) => {
                log::info!(
                    "{n} migration(s) applied to {}",
                    settings.database_url.backend_name()
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Command::Serve => actix_web::rt::System::new().block_on(async move {
            let app = match Application::build(&settings, Dependencies::from_settings(&settings)) {
                Ok(app) => app,
                Err(e) => return fail(e),
            };
            let where_ = match &settings.database_url {
                db::DatabaseUrl::Sqlite(path) => format!("SQLite at {}", path.display()),
                db::DatabaseUrl::Postgres(_) => "PostgreSQL".to_owned(),
            };
            log::info!(
                "user-auth serving http://{}:{} ({where_})",
                settings.bind.ip(),
                app.port()
            );
            match app.run_until_stopped().await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            }
        }),
    }
}
