//! The `user-auth` binary: `serve` (the default), `migrate`, `backup`, `seed` and `admin`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use user_auth::{
    config::{self, Settings},
    db, logging,
    startup::Application,
    state::Dependencies,
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
    /// Write a consistent copy of the SQLite database to PATH while the server runs (on
    /// PostgreSQL, use pg_dump).
    Backup {
        /// Where the copy goes; it must not exist yet.
        path: std::path::PathBuf,
    },
    /// Give or take staff rights (the way to make the first staff member).
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Fill the database with synthetic accounts (for trying things out and benchmarks).
    Seed {
        /// Accounts that entered no invite code.
        #[arg(long, default_value_t = 0)]
        users: u64,
        /// PHONE:M — create M accounts that entered PHONE's invite code (PHONE is created if
        /// needed). May be given several times.
        #[arg(long = "invitees-of", value_name = "PHONE:M")]
        invitees_of: Vec<String>,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Make PHONE staff (with --owner, an owner, who alone changes staff rights), creating the
    /// account (with its invite code) if it does not exist yet.
    Grant {
        phone: String,
        #[arg(long)]
        owner: bool,
    },
    /// Take staff rights from PHONE (with --owner, only the owner role). The last owner stays.
    Revoke {
        phone: String,
        #[arg(long)]
        owner: bool,
    },
}

/// Start-up failures end with one paragraph and exit code 2, never a panic.
fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("user-auth: cannot start: {message}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    match config::log_format_from_env() {
        Ok(format) => logging::init(format),
        Err(e) => return fail(format_args!("configuration variable {e}")),
    }
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
        Command::Backup { path } => match db::backup(&settings.database_url, &path) {
            Ok(()) => {
                log::info!("backup written to {}", path.display());
                ExitCode::SUCCESS
            }
            Err(e @ db::SetupError::Backup(_)) => {
                eprintln!("user-auth: {e}");
                ExitCode::FAILURE
            }
            Err(e) => fail(e),
        },
        Command::Seed { users, invitees_of } => seed(&settings, users, &invitees_of),
        Command::Admin { command } => admin(&settings, command),
        Command::Serve => actix_web::rt::System::new().block_on(async move {
            // held until the process ends: one server per SQLite file
            let _lock = match db::lock_for_server(&settings.database_url) {
                Ok(lock) => lock,
                Err(e) => return fail(e),
            };
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

fn seed(settings: &Settings, users: u64, invitees_of: &[String]) -> ExitCode {
    use user_auth::{app::seed, clock::Clock};
    let mut plan = seed::SeedPlan {
        users,
        invitees_of: Vec::new(),
    };
    for item in invitees_of {
        let parsed = item.rsplit_once(':').and_then(|(phone, m)| {
            Some((settings.phone_policy.parse(phone).ok()?, m.parse().ok()?))
        });
        match parsed {
            Some(pair) => plan.invitees_of.push(pair),
            None => {
                eprintln!(
                    "user-auth: --invitees-of takes PHONE:COUNT, such as +998901234567:100000 (got `{item}`)"
                );
                return ExitCode::from(2);
            }
        }
    }
    let mut conn = match open_database(settings) {
        Ok(conn) => conn,
        Err(code) => return code,
    };
    let started = std::time::Instant::now();
    let start = rand::random_range(0..80_000_000);
    let now = user_auth::clock::SystemClock.now();
    let result = seed::seed(&mut conn, &plan, start, now, |p| {
        eprint!("\rseeding: {} of {} accounts", p.done, p.total);
    });
    eprintln!();
    match result {
        Ok(n) => {
            log::info!(
                "seeded {n} accounts in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("user-auth: seeding stopped: {e}");
            ExitCode::FAILURE
        }
    }
}

fn admin(settings: &Settings, command: AdminCommand) -> ExitCode {
    use user_auth::{
        clock::Clock,
        domain::{
            invite_code::RandomInviteCodes,
            staff::{Action, ActionResult},
        },
    };
    let (input, action, done) = match &command {
        AdminCommand::Grant {
            phone,
            owner: false,
        } => (phone, Action::GrantStaff, "is now staff"),
        AdminCommand::Grant { phone, owner: true } => {
            (phone, Action::GrantOwner, "is now an owner")
        }
        AdminCommand::Revoke {
            phone,
            owner: false,
        } => (phone, Action::RevokeStaff, "is no longer staff"),
        AdminCommand::Revoke { phone, owner: true } => {
            (phone, Action::RevokeOwner, "is no longer an owner")
        }
    };
    let phone = match settings.phone_policy.parse(input) {
        Ok(p) => p,
        Err(e) => {
            eprintln!(
                "user-auth: `{input}` is not a phone number we accept ({e}); write it with + and the country code"
            );
            return ExitCode::from(2);
        }
    };
    let mut conn = match open_database(settings) {
        Ok(conn) => conn,
        Err(code) => return code,
    };
    let now = user_auth::clock::SystemClock.now();
    let refused = |why: String| {
        eprintln!("user-auth: {why}");
        ExitCode::FAILURE
    };
    match user_auth::app::staff::set_role_by_phone(
        &mut conn,
        &RandomInviteCodes,
        phone.as_e164(),
        action,
        now,
    ) {
        Ok(ActionResult::Done(user)) => {
            println!(
                "{} {done} (user {}, invite code {})",
                user.phone, user.id, user.invite_code
            );
            ExitCode::SUCCESS
        }
        Ok(ActionResult::NotFound) => refused(format!(
            "there is no account with the phone {}",
            phone.as_e164()
        )),
        Ok(ActionResult::LastOwner) => refused(format!(
            "{} is the last owner; grant the owner role to someone else first",
            phone.as_e164()
        )),
        Ok(other) => refused(format!("not done: {other:?}")),
        Err(e) => refused(e.to_string()),
    }
}

/// Migrates and opens one connection for a command; the error is already reported.
fn open_database(settings: &Settings) -> Result<db::DbConnection, ExitCode> {
    db::migrate(&settings.database_url).map_err(fail)?;
    db::establish(&settings.database_url).map_err(|e| {
        fail(format_args!(
            "could not connect to the database given by DATABASE_URL: {e}"
        ))
    })
}
