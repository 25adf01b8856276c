//! Load benchmark: every user flow over HTTP against the real server, and the same database
//! work run straight through the pool (the floor no app can beat). Writes the results into
//! BENCHMARKS.md between the `results` markers.
//!
//! On PostgreSQL each write flow also has an SQL floor: the statements of one of its requests,
//! replayed by pgbench (`sql_floor`).
//!
//! `cargo bench --bench load` runs both backends with the defaults below; `-- --help` lists the
//! options. Nothing here runs under `cargo test`.

use std::{
    collections::BTreeMap,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

#[path = "load/sql_floor.rs"]
mod sql_floor;

use chrono::{TimeDelta, Utc};
use diesel::{Connection, PgConnection, RunQueryDsl};
use user_auth::{
    app::{Config, accounts, credentials, invites, seed, sign_in},
    config::SecretKey,
    db::{self, DatabaseUrl, DbPool, login_codes, users},
    domain::{
        account::Credential,
        client::{AddressRules, ClientInfo},
        cursor::PageRequest,
        invite_code::{InviteCode, RandomInviteCodes},
        limits::Limits,
        otp::{self, OtpCode},
        phone::PhoneNumber,
    },
    i18n::{Locales, Tr},
};

const SECRET: &str = "bench-secret-bench-secret-bench-secret-bench-secret-bench-secret-0123";

/// The server's secret key: `SECRET_KEY` when set (needed with `--url`), else the bench's own.
fn secret() -> String {
    std::env::var("SECRET_KEY").unwrap_or_else(|_| SECRET.to_owned())
}
/// The server's connections (`DATABASE_POOL_SIZE`) and the floors' pool: `BENCH_POOL_SIZE`, else
/// the server's default, 10.
fn pool_size() -> u32 {
    std::env::var("BENCH_POOL_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(10)
}
const OWNER_0: &str = "+998330000000";
const OWNER_1K: &str = "+998330000001";
const OWNER_100K: &str = "+998330000002";
/// Synthetic numbers for new phones start here, far from the seeded ones.
const FRESH_BASE: u64 = 70_000_000;

struct Options {
    backends: Vec<&'static str>,
    concurrency: usize,
    duration: Duration,
    users: u64,
    big: u64,
    /// An external server, and the database it uses (seeded by the bench).
    url: Option<String>,
    database_url: Option<String>,
    report: Option<PathBuf>,
    /// Only the flows whose name contains this text (or one of these, comma-separated).
    only: Option<String>,
    /// Skip the floor runs (to profile the server alone).
    no_floor: bool,
    /// A quick run that proves the tool works: it fails on any error or empty flow.
    smoke: bool,
    /// `--soak MINUTES`: every flow mixed, for that long (see `soak`).
    soak: Option<u64>,
}

impl Options {
    fn wants(&self, flow: &str) -> bool {
        self.only
            .as_deref()
            .is_none_or(|o| o.split(',').any(|part| flow.contains(part.trim())))
    }
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!(
            "cargo bench --bench load -- [--backend sqlite|postgres|both] [--concurrency 32] [--duration 10] \
             [--users 1000000] [--smoke] [--report BENCHMARKS.md|-] \
             [--only TEXT[,TEXT]] [--no-floor] [--url http://host:port --database-url URL] [--soak MINUTES]\n\
             --soak MINUTES runs every flow mixed at --concurrency (64 for a soak) on PostgreSQL (or --backend).\n\
             PostgreSQL comes from BENCH_DATABASE_URL or TEST_DATABASE_URL (a database is created and dropped).\n\
             BENCH_POOL_SIZE sets the server's DATABASE_POOL_SIZE and the floors' pool (default 10).\n\
             --url drives a server that is already running; --database-url is the freshly migrated, empty\n\
             database that server uses (the bench seeds it and keeps it), and SECRET_KEY must be the server's."
        );
        std::process::exit(0);
    }
    let smoke = args.iter().any(|a| a == "--smoke");
    let soak = value("--soak").map(|m| match m.parse::<u64>() {
        Ok(m) if m > 0 => m,
        _ => {
            eprintln!("--soak takes a number of minutes");
            std::process::exit(2);
        }
    });
    let only = value("--only");
    let no_floor = args.iter().any(|a| a == "--no-floor");
    let url = value("--url");
    let database_url = value("--database-url");
    if url.is_some() != database_url.is_some() {
        eprintln!("--url and --database-url go together: the bench seeds the server's database");
        std::process::exit(2);
    }
    let backends = match value("--backend").as_deref() {
        _ if database_url.is_some() => {
            vec![DatabaseUrl::parse(database_url.as_deref()).backend_name()]
        }
        Some("sqlite") => vec!["SQLite"],
        Some("postgres") => vec!["PostgreSQL"],
        _ => vec!["SQLite", "PostgreSQL"],
    };
    let num =
        |name: &str, default: u64| value(name).and_then(|v| v.parse().ok()).unwrap_or(default);
    Options {
        backends,
        concurrency: num("--concurrency", if soak.is_some() { 64 } else { 32 }) as usize,
        duration: Duration::from_secs(num("--duration", if smoke { 2 } else { 10 })),
        users: num("--users", if smoke { 2_000 } else { 1_000_000 }),
        big: if smoke { 2_000 } else { 100_000 },
        url,
        database_url,
        report: match value("--report").as_deref() {
            Some("-") => None,
            Some(p) => Some(PathBuf::from(p)),
            // a partial run never overwrites the report
            None if smoke || only.is_some() || no_floor => None,
            None => Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md")),
        },
        only,
        no_floor,
        smoke,
        soak,
    }
}

/// Latencies and errors of one flow, and the CPU time it cost.
#[derive(Default, Clone)]
struct Sample {
    latencies_us: Vec<u64>,
    errors: usize,
    elapsed: Duration,
    /// CPU time of the server process during the flow (when the bench started it).
    server_cpu: Option<Duration>,
    /// CPU time of this process during the flow: the load generator, or the floor's clients.
    own_cpu: Option<Duration>,
    /// What the first failed request got (a status and the start of its body, or why no
    /// answer came), to say what went wrong.
    first_error: Option<String>,
}

impl Sample {
    fn merge(parts: Vec<Sample>, elapsed: Duration) -> Sample {
        let mut all = Sample {
            elapsed,
            ..Sample::default()
        };
        for p in parts {
            all.latencies_us.extend(p.latencies_us);
            all.errors += p.errors;
            all.first_error = all.first_error.or(p.first_error);
        }
        all.latencies_us.sort_unstable();
        all
    }

    fn rps(&self) -> f64 {
        (self.latencies_us.len() + self.errors) as f64 / self.elapsed.as_secs_f64()
    }

    /// `cpu` per request, in microseconds, as a table cell.
    fn per_request(&self, cpu: Option<Duration>) -> String {
        let requests = self.latencies_us.len() + self.errors;
        match cpu {
            Some(cpu) if requests > 0 => {
                format!("{:.0}", cpu.as_secs_f64() * 1e6 / requests as f64)
            }
            _ => "—".into(),
        }
    }

    fn pct(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies_us.len() as f64 * p).ceil() as usize)
            .clamp(1, self.latencies_us.len())
            - 1;
        self.latencies_us[i] as f64 / 1000.0
    }
}

/// CPU time (user + system) that process `pid` (or `self`) has used so far, from `/proc`.
fn cpu_time(pid: &str) -> Option<Duration> {
    sql_floor::stat_cpu(pid, &[11, 12])
}

/// The process id of the server the bench started, 0 when it drives an external one.
static SERVER_PID: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// CPU time so far of the server process and of this one.
fn cpu_now() -> (Option<Duration>, Option<Duration>) {
    let server = match SERVER_PID.load(Ordering::Relaxed) {
        0 => None,
        pid => cpu_time(&pid.to_string()),
    };
    (server, cpu_time("self"))
}

/// CPU used since `before` (from [`cpu_now`]).
fn cpu_since(before: (Option<Duration>, Option<Duration>)) -> (Option<Duration>, Option<Duration>) {
    let now = cpu_now();
    let diff = |a: Option<Duration>, b: Option<Duration>| Some(b?.saturating_sub(a?));
    (diff(before.0, now.0), diff(before.1, now.1))
}

/// A progress bar on stderr; in a log (stderr not a terminal), a line per tenth instead.
fn progress(label: &str, done: u64, total: u64) {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        // the tenths of the current bar printed so far
        static TENTHS: AtomicU64 = AtomicU64::new(0);
        let tenths = done.min(total) * 10 / total.max(1);
        if tenths != TENTHS.swap(tenths % 10, Ordering::Relaxed) {
            eprintln!("{label}: {done}/{total}");
        }
        return;
    }
    let width: u64 = 30;
    let filled = (done.min(total) * width / total.max(1)) as usize;
    eprint!(
        "\r{label:<24} [{}{}] {done}/{total}",
        "#".repeat(filled),
        " ".repeat(width as usize - filled)
    );
    if done >= total {
        eprintln!();
    }
}

struct Target {
    url: DatabaseUrl,
    admin: Option<(String, String)>,
    label: &'static str,
    /// Given with `--database-url`: kept afterwards.
    keep: bool,
}

impl Drop for Target {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        match (&self.url, &self.admin) {
            (DatabaseUrl::Postgres(_), Some((admin, name))) => {
                if let Ok(mut c) = PgConnection::establish(admin) {
                    let _ = diesel::sql_query(format!(
                        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                    ))
                    .execute(&mut c);
                }
            }
            (DatabaseUrl::Sqlite(path), _) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            _ => {}
        }
    }
}

fn target(backend: &'static str, given: Option<&str>) -> Option<Target> {
    if let Some(given) = given {
        let url = DatabaseUrl::parse(Some(given));
        return Some(Target {
            label: url.backend_name(),
            url,
            admin: None,
            keep: true,
        });
    }
    let stamp = std::process::id();
    match backend {
        "SQLite" => Some(Target {
            url: DatabaseUrl::Sqlite(
                std::env::temp_dir().join(format!("user-auth-bench-{stamp}.db")),
            ),
            admin: None,
            label: "SQLite",
            keep: false,
        }),
        _ => {
            let admin = std::env::var("BENCH_DATABASE_URL")
                .or_else(|_| std::env::var("TEST_DATABASE_URL"))
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let name = format!("user_auth_bench_{stamp}");
            let mut c = PgConnection::establish(&admin).ok()?;
            diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
                .execute(&mut c)
                .ok()?;
            let base = admin
                .rsplit_once('/')
                .map_or(admin.as_str(), |(b, _)| b)
                .to_owned();
            Some(Target {
                url: DatabaseUrl::Postgres(format!("{base}/{name}")),
                admin: Some((admin, name)),
                label: "PostgreSQL",
                keep: false,
            })
        }
    }
}

fn url_string(url: &DatabaseUrl) -> String {
    match url {
        DatabaseUrl::Postgres(u) => u.clone(),
        DatabaseUrl::Sqlite(p) => p.display().to_string(),
    }
}

/// The server under test, started from the release binary with the limits raised.
/// A provider in the loop: a webhook receiver on its own thread that notes when each number's
/// message arrived.
/// When each number's last message arrived, and its text.
type Arrivals = Arc<std::sync::Mutex<std::collections::HashMap<String, (Instant, String)>>>;

struct Provider {
    url: String,
    arrived: Arrivals,
}

/// The webhook's shared secret between the bench's server and its provider.
const PROVIDER_SECRET: &str = "bench-provider-secret-bench-provider-secret";

impl Provider {
    fn start() -> Provider {
        use actix_web::{App, HttpResponse, HttpServer, web};
        let arrived = Arc::new(std::sync::Mutex::new(std::collections::HashMap::new()));
        let noted = arrived.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let noted = web::Data::new(noted);
                let server = HttpServer::new(move || {
                    App::new().app_data(noted.clone()).route(
                        "/sms",
                        web::post().to(|body: web::Bytes, noted: web::Data<Arrivals>| async move {
                            let at = Instant::now();
                            let json: serde_json::Value =
                                serde_json::from_slice(&body).unwrap_or_default();
                            if let Some(to) = json["to"].as_str() {
                                let text = json["text"].as_str().unwrap_or("").to_owned();
                                noted.lock().unwrap().insert(to.to_owned(), (at, text));
                            }
                            HttpResponse::Ok().finish()
                        }),
                    )
                })
                .workers(1)
                .bind("127.0.0.1:0")
                .expect("the provider binds");
                tx.send(server.addrs()[0].port()).unwrap();
                server.run().await
            })
        });
        let port = rx.recv().expect("the provider starts");
        Provider {
            url: format!("http://127.0.0.1:{port}/sms"),
            arrived,
        }
    }

    fn arrived(&self, to: &str) -> Option<Instant> {
        self.arrived.lock().unwrap().get(to).map(|(at, _)| *at)
    }

    /// The code in the last text to `to`, once it has arrived (waiting at most 10 s).
    async fn code_for(&self, to: &str) -> Option<String> {
        for _ in 0..1_000 {
            if let Some((_, text)) = self.arrived.lock().unwrap().get(to) {
                let after = text.split(": ").nth(1)?;
                return Some(after.chars().take_while(char::is_ascii_digit).collect());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        None
    }
}

/// From asking for a code to the provider having its message.
struct Delivery {
    asked: usize,
    delivered: usize,
    latency: Sample,
}

/// Asks for `phones.len()` codes, `concurrency` at a time, and waits (at most 60 s) for the
/// provider to have them all.
async fn delivery_latency(
    http: &reqwest::Client,
    base: &str,
    provider: &Provider,
    phones: Vec<String>,
    concurrency: usize,
) -> Delivery {
    let asked_at = Arc::new(std::sync::Mutex::new(Vec::with_capacity(phones.len())));
    let phones = Arc::new(phones);
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (http, base, phones, next, asked_at) = (
                http.clone(),
                base.to_owned(),
                phones.clone(),
                next.clone(),
                asked_at.clone(),
            );
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(phone) = phones.get(i) else { break };
                    let t = Instant::now();
                    let res = http
                        .post(format!("{base}/api/v1/auth/code"))
                        .header("x-forwarded-for", client_ip(DELIVERY_IPS + i))
                        .json_body(&format!(r#"{{"phone":"{phone}"}}"#))
                        .send()
                        .await;
                    if res.is_ok_and(|r| r.status().is_success()) {
                        asked_at.lock().unwrap().push((phone.clone(), t));
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let asked = std::mem::take(&mut *asked_at.lock().unwrap());
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline && asked.iter().any(|(p, _)| provider.arrived(p).is_none()) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut latency = Sample::default();
    for (phone, t) in &asked {
        if let Some(at) = provider.arrived(phone) {
            latency
                .latencies_us
                .push(at.saturating_duration_since(*t).as_micros() as u64);
        }
    }
    latency.latencies_us.sort_unstable();
    Delivery {
        asked: asked.len(),
        delivered: latency.latencies_us.len(),
        latency,
    }
}

/// Waits (at most 120 s) until the server's outbox has nothing left to send.
async fn outbox_drained(pool: &DbPool) {
    use diesel::prelude::*;
    use user_auth::db::schema::sms_messages as m;
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        let open: i64 = m::table
            .filter(m::state.eq_any(["pending", "sending"]))
            .count()
            .get_result(&mut pool.get().unwrap())
            .unwrap();
        if open == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(url: &DatabaseUrl, provider: &Provider) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_user-auth"))
            .env("DATABASE_URL", url_string(url))
            .env("SECRET_KEY", secret())
            .env("BIND", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .env("DATABASE_POOL_SIZE", pool_size().to_string())
            .env("OTP_RESEND_SECONDS", "0")
            .env("OTP_MAX_PER_PHONE_HOUR", "1000000")
            .env("OTP_MAX_PER_IP_HOUR", "1000000000")
            .env("INVITE_MAX_TRIES_HOUR", "1000000")
            .env("SMS_MAX_PER_HOUR", "1000000000")
            .env("SMS_MAX_PER_PREFIX_HOUR", "1000000000")
            .env("TRUST_PROXY_HEADERS", "true")
            // every code goes out through a provider over HTTP, as in production
            .env("SMS_BACKEND", "http")
            .env("SMS_HTTP_URL", &provider.url)
            .env("SMS_HTTP_SECRET", PROVIDER_SECRET)
            // the bench speaks plain HTTP to it: cookies must not be Secure
            .env("COOKIE_SECURE", "false")
            .stdout(Stdio::null())
            .spawn()
            .expect("the server starts");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        SERVER_PID.store(child.id(), Ordering::Relaxed);
        Server { child, base }
    }

    /// Peak resident memory so far, in MiB.
    fn peak_mib(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib / 1024.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        SERVER_PID.store(0, Ordering::Relaxed);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The rules as the server runs them in the bench: its key, and the limits it raises.
fn auth_config() -> Config {
    let key = SecretKey::new(secret().into_bytes()).unwrap();
    Config {
        limits: Limits {
            resend_cooldown: TimeDelta::zero(),
            codes_per_phone_per_hour: 1_000_000,
            codes_per_ip_per_hour: 1_000_000_000,
            sms_per_hour: 1_000_000_000,
            sms_per_prefix_per_hour: 1_000_000_000,
            invite_tries_per_hour: 1_000_000,
            ..Limits::default()
        },
        code_key: key.derive32("user-auth/otp-hmac/v1"),
        invite_codes: Arc::new(RandomInviteCodes),
        outbox_key: key.derive32("user-auth/outbox/v1"),
        origin_host: None,
        link_origin: "http://127.0.0.1:8000".into(),
        invitee_phones: Default::default(),
        invite_notify_sms: false,
        time_zone: chrono_tz::Tz::UTC,
        test_numbers: Default::default(),
    }
}

/// Stores a known code for each phone, as the server would after sending it.
fn plant_codes(pool: &DbPool, phones: &[String], code: &OtpCode) {
    let key = auth_config().code_key;
    let mut conn = pool.get().unwrap();
    for chunk in phones.chunks(1000) {
        db::write_transaction(&mut conn, |conn| {
            let now = Utc::now().naive_utc();
            for phone in chunk {
                let mac = otp::code_mac(&key, phone, code);
                login_codes::insert(
                    conn,
                    &login_codes::NewLoginCode {
                        phone,
                        code_hmac: &mac,
                        created_at: now,
                        expires_at: now + TimeDelta::minutes(30),
                        client_ip: "127.0.0.1",
                        client_net: "127.0.0.1/32",
                        phone_prefix: &phone[..phone.len() - 4],
                        code_length: 4,
                        purpose: "sign_in",
                        user_id: None,
                    },
                )?;
            }
            Ok::<_, db::DbError>(())
        })
        .unwrap();
    }
}

/// `n` numbers nobody has used yet. Consecutive people get numbers of different number blocks
/// (a block is all but the last 4 digits), as people asking at the same moment do: a block's
/// code requests queue on its lock (its budget counts exactly), so consecutive numbers would
/// measure one block under attack rather than the service.
fn fresh_phones(counter: &AtomicUsize, n: usize) -> Vec<String> {
    // a bijection of 0..10,000,000: 1,000 blocks in turn, each filled one number at a time
    let spread = |i: u64| (i % 1_000) * 10_000 + (i / 1_000) % 10_000;
    let start = counter.fetch_add(n, Ordering::SeqCst) as u64;
    (0..n as u64)
        .map(|i| seed::synthetic_phone(FRESH_BASE + spread(start + i)))
        .collect()
}

/// The address of the n-th simulated person: every request of a flow comes from its own address,
/// as from many people (the server takes it from `X-Forwarded-For`, see `TRUST_PROXY_HEADERS`).
fn client_ip(n: usize) -> String {
    format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255)
}

/// The n-th simulated person as the rules see them.
fn person(n: usize) -> ClientInfo {
    let ip: std::net::IpAddr = client_ip(n).parse().unwrap();
    AddressRules::default().client(Some(ip), &[], None)
}

/// The floor's people use other addresses than the app's.
const FLOOR_IPS: usize = 1 << 23;
/// And the delivery measurement's others again.
const DELIVERY_IPS: usize = 1 << 22;

/// New accounts with API tokens, for the invite flow.
fn accounts_with_tokens(pool: &DbPool, phones: &[String]) -> Vec<String> {
    let cfg = auth_config();
    let mut conn = pool.get().unwrap();
    let mut tokens = Vec::with_capacity(phones.len());
    for chunk in phones.chunks(1000) {
        let made = db::write_transaction(&mut conn, |conn| {
            let now = Utc::now().naive_utc();
            let mut made = Vec::new();
            for phone in chunk {
                let user = accounts::create_user(conn, &RandomInviteCodes, phone, now)?;
                made.push(credentials::issue_api_token(
                    conn,
                    &cfg.limits,
                    user.id,
                    &person(made.len()),
                    now,
                )?);
            }
            Ok::<_, db::DbError>(made)
        })
        .unwrap();
        tokens.extend(made);
    }
    tokens
}

/// Brings PostgreSQL's statistics up to date before a run, as autovacuum would in service.
/// Tables that started empty (codes, events) grow by thousands of rows per flow; without this,
/// a server's cached statements keep generic plans made for an empty table (sequential scans)
/// until autovacuum's next pass, which a ten-second flow never sees.
fn settle(pool: &DbPool) {
    let mut conn = pool.get().unwrap();
    if let db::DbConnection::Pg(_) = &*conn {
        diesel::sql_query("ANALYZE").execute(&mut *conn).unwrap();
    }
}

/// Runs `concurrency` HTTP clients for `duration`; `request(i)` builds the i-th request, or
/// `None` when the prepared data ran out.
async fn drive<F>(pool: &DbPool, concurrency: usize, duration: Duration, request: F) -> Sample
where
    F: Fn(usize) -> Option<reqwest::RequestBuilder> + Send + Sync + 'static,
{
    settle(pool);
    let request = Arc::new(request);
    let counter = Arc::new(AtomicUsize::new(0));
    let cpu = cpu_now();
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (request, counter) = (request.clone(), counter.clone());
            tokio::spawn(async move {
                let mut s = Sample::default();
                while Instant::now() < deadline {
                    let Some(req) = request(counter.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    let t = Instant::now();
                    match req.send().await {
                        Ok(res) if res.status().is_success() || res.status().is_redirection() => {
                            let _ = res.bytes().await;
                            s.latencies_us.push(t.elapsed().as_micros() as u64);
                        }
                        answer => {
                            s.errors += 1;
                            if s.first_error.is_none() {
                                s.first_error = Some(match answer {
                                    Ok(res) => {
                                        let status = res.status();
                                        let body = res.text().await.unwrap_or_default();
                                        format!(
                                            "{status}: {}",
                                            body.chars().take(300).collect::<String>()
                                        )
                                    }
                                    Err(e) => format!("no answer: {e}"),
                                });
                            }
                        }
                    }
                }
                s
            })
        })
        .collect();
    let mut parts = Vec::new();
    for t in tasks {
        parts.push(t.await.unwrap());
    }
    let elapsed = start.elapsed();
    let (server_cpu, own_cpu) = cpu_since(cpu);
    Sample {
        server_cpu,
        own_cpu,
        ..Sample::merge(parts, elapsed)
    }
}

/// The floor: `work(i, conn)` on `concurrency` threads through a pool like the server's.
/// `work` answers whether the i-th item succeeded, or `None` when the prepared data ran out.
fn floor<F>(pool: &DbPool, concurrency: usize, duration: Duration, work: F) -> Sample
where
    F: Fn(usize, &mut db::DbConnection) -> Option<bool> + Send + Sync + 'static,
{
    settle(pool);
    let work = Arc::new(work);
    let counter = Arc::new(AtomicUsize::new(0));
    let cpu = cpu_now();
    let start = Instant::now();
    let deadline = start + duration;
    let handles: Vec<_> = (0..concurrency)
        .map(|_| {
            let (work, counter, pool) = (work.clone(), counter.clone(), pool.clone());
            std::thread::spawn(move || {
                let mut s = Sample::default();
                while Instant::now() < deadline {
                    let i = counter.fetch_add(1, Ordering::Relaxed);
                    let t = Instant::now();
                    let ok = match pool.get() {
                        Ok(mut conn) => match work(i, &mut conn) {
                            Some(ok) => ok,
                            None => break,
                        },
                        Err(_) => false,
                    };
                    if ok {
                        s.latencies_us.push(t.elapsed().as_micros() as u64);
                    } else {
                        s.errors += 1;
                    }
                }
                s
            })
        })
        .collect();
    let parts = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let elapsed = start.elapsed();
    Sample {
        own_cpu: cpu_since(cpu).1,
        ..Sample::merge(parts, elapsed)
    }
}

/// The body of a page.
async fn text(client: &reqwest::Client, url: &str) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

/// Signs `phone` in through the web forms and returns a client holding the session cookie.
async fn web_session(base: &str, pool: &DbPool, phone: &str) -> reqwest::Client {
    user_auth::sms::install_tls();
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let csrf = |html: &str| {
        let m = "name=\"csrf\" value=\"";
        let i = html.find(m).unwrap() + m.len();
        html[i..].split('"').next().unwrap().to_owned()
    };
    let page = text(&client, &format!("{base}/login")).await;
    client
        .post(format!("{base}/login"))
        .form(&[("csrf", csrf(&page)), ("phone", phone.to_owned())])
        .send()
        .await
        .unwrap();
    // a newer code than the one just sent, whose digits we know
    let code = OtpCode::parse("1357", 4).unwrap();
    plant_codes(pool, &[phone.to_owned()], &code);
    let page = text(&client, &format!("{base}/login/code")).await;
    let res = client
        .post(format!("{base}/login/code"))
        .form(&[("csrf", csrf(&page)), ("code", "1357".to_owned())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["location"],
        "/profile",
        "signed in as {phone}"
    );
    client
}

struct Row {
    flow: &'static str,
    app: Sample,
    floor: Option<Sample>,
    /// The flow's statements replayed (pgbench on PostgreSQL, bare connections on SQLite).
    sql: Option<Result<sql_floor::SqlFloor, String>>,
    writes: bool,
}

/// The SQL floor of a write flow (unless `--no-floor`): the statements `work` sends for item 0,
/// replayed for items 1.. (`inputs(i)`: item i's own values; item 0's are asked after its
/// request ran) by pgbench on PostgreSQL, on one bare connection per client on SQLite.
fn sql_floor_of(
    opts: &Options,
    url: &DatabaseUrl,
    pool: &DbPool,
    items: usize,
    work: impl FnOnce(&mut db::DbConnection) -> bool,
    inputs: impl Fn(usize) -> sql_floor::Inputs,
) -> Option<Result<sql_floor::SqlFloor, String>> {
    let address = match url {
        DatabaseUrl::Postgres(address) => Some(address.as_str()),
        _ => None,
    };
    if opts.no_floor {
        return None;
    }
    settle(pool);
    let (done, captured) = sql_floor::capture(|| work(&mut pool.get().unwrap()));
    if !done {
        return Some(Err("the captured request failed".into()));
    }
    let rows: Vec<_> = (1..items).map(&inputs).collect();
    Some(sql_floor::measure(
        pool,
        address,
        opts.concurrency,
        opts.duration,
        &captured,
        &inputs(0),
        &rows,
    ))
}

/// The id of the newest code of each of `phones`, and of its account (if any), in order.
fn ids_of(pool: &DbPool, phones: &[String]) -> Vec<(Option<i64>, Option<i64>)> {
    use diesel::{ExpressionMethods, QueryDsl};
    use user_auth::db::schema::{login_codes as codes, users as u};
    let mut conn = pool.get().unwrap();
    let mut code_ids = std::collections::HashMap::new();
    let mut user_ids = std::collections::HashMap::new();
    for chunk in phones.chunks(5_000) {
        let rows: Vec<(String, i64)> = codes::table
            .filter(codes::phone.eq_any(chunk))
            .select((codes::phone, codes::id))
            .load(&mut conn)
            .unwrap();
        for (phone, id) in rows {
            let best = code_ids.entry(phone).or_insert(id);
            *best = (*best).max(id);
        }
        let rows: Vec<(String, i64)> = u::table
            .filter(u::phone.eq_any(chunk))
            .select((u::phone, u::id))
            .load(&mut conn)
            .unwrap();
        user_ids.extend(rows);
    }
    phones
        .iter()
        .map(|p| (code_ids.get(p).copied(), user_ids.get(p).copied()))
        .collect()
}

/// `n` invite codes nobody has, for the SQL floor's new accounts (the app draws a random one
/// and draws again when it is taken; a replayed request cannot).
fn free_invite_codes(pool: &DbPool, n: usize) -> Vec<String> {
    use diesel::{ExpressionMethods, QueryDsl};
    use user_auth::{db::schema::users as u, domain::invite_code::InviteCodeGenerator};
    let candidates: Vec<String> = (0..n + n / 10 + 100)
        .map(|_| RandomInviteCodes.generate())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut taken = std::collections::HashSet::new();
    for chunk in candidates.chunks(5_000) {
        let rows: Vec<String> = u::table
            .filter(u::invite_code.eq_any(chunk))
            .select(u::invite_code)
            .load(&mut pool.get().unwrap())
            .unwrap();
        taken.extend(rows);
    }
    let free: Vec<String> = candidates
        .into_iter()
        .filter(|c| !taken.contains(c))
        .take(n)
        .collect();
    assert_eq!(free.len(), n, "free invite codes");
    free
}

/// A request's values as the floor's requests see them: its number and its client.
fn floor_inputs(phone: &str, client: ClientInfo) -> sql_floor::Inputs {
    sql_floor::Inputs {
        phone: Some(phone.to_owned()),
        ip: Some(client.ip),
        net: Some(client.network),
        prefix: Some(phone[..phone.len() - 4].to_owned()),
        ..Default::default()
    }
}

#[allow(clippy::too_many_lines)]
async fn run_backend(
    opts: &Options,
    backend: &'static str,
) -> Option<(String, Vec<Row>, Option<f64>, f64, Option<Delivery>)> {
    let Some(target) = target(backend, opts.database_url.as_deref()) else {
        eprintln!("{backend}: no database (set BENCH_DATABASE_URL or TEST_DATABASE_URL); skipped");
        if std::env::var("REQUIRE_POSTGRES").as_deref() == Ok("1") {
            eprintln!("REQUIRE_POSTGRES=1: a skipped PostgreSQL run is a failure");
            std::process::exit(1);
        }
        return None;
    };
    eprintln!("== {} ==", target.label);
    db::migrate(&target.url).expect("migrations");
    let pool = db::pool(&target.url, pool_size(), Duration::from_secs(30));
    if target.keep && db::admin::count_all(&mut pool.get().unwrap()).unwrap() > 0 {
        eprintln!("--database-url must be an empty database: the bench seeds its own accounts");
        std::process::exit(2);
    }

    // seed: N users, owners with 0, 1,000 and 100,000 invitees
    let seeding = Instant::now();
    let plan = seed::SeedPlan {
        users: opts.users,
        invitees_of: vec![
            (PhoneNumber::parse(OWNER_1K, None).unwrap(), 1_000),
            (PhoneNumber::parse(OWNER_100K, None).unwrap(), opts.big),
        ],
    };
    let total = plan.users + 1_000 + opts.big;
    seed::seed(
        &mut pool.get().unwrap(),
        &plan,
        0,
        Utc::now().naive_utc(),
        |p| progress("seeding", p.done, total),
    )
    .expect("seeding");
    accounts::create_user(
        &mut pool.get().unwrap(),
        &RandomInviteCodes,
        OWNER_0,
        Utc::now().naive_utc(),
    )
    .unwrap();
    let seed_secs = seeding.elapsed().as_secs_f64();
    eprintln!("seeded {total} users in {seed_secs:.1} s");
    // as a database in service would be: statistics current, and the fresh rows vacuumed (so
    // autovacuum does not start on them mid-run, and index-only scans can skip the table)
    if let DatabaseUrl::Postgres(_) = target.url {
        let vacuuming = Instant::now();
        diesel::sql_query("VACUUM (ANALYZE)")
            .execute(&mut pool.get().unwrap())
            .unwrap();
        // and the seeding's dirty pages written out now, not by a checkpoint spread over the
        // next minutes of measurement (needs a superuser or pg_checkpoint; else the run goes on)
        let checkpoint = diesel::sql_query("CHECKPOINT").execute(&mut pool.get().unwrap());
        eprintln!(
            "VACUUM (ANALYZE){} in {:.1} s",
            if checkpoint.is_ok() {
                " and CHECKPOINT"
            } else {
                ""
            },
            vacuuming.elapsed().as_secs_f64()
        );
    }

    let provider = Provider::start();
    let server = if opts.url.is_none() {
        Some(Server::start(&target.url, &provider))
    } else {
        None
    };
    let mut delivery = None;
    let base = opts
        .url
        .clone()
        .unwrap_or_else(|| server.as_ref().unwrap().base.clone());
    user_auth::sms::install_tls();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(opts.concurrency)
        // below the server's keep-alive (HTTP_KEEP_ALIVE_SECONDS, 5): a connection left idle
        // between flows is not picked up just as the server closes it (a request lost to that
        // race counts as an error)
        .pool_idle_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let (c, d) = (opts.concurrency, opts.duration);
    // enough prepared items for the fastest flow to run the whole duration
    let prepared = (4_000 * d.as_secs() as usize).max(1_000);
    let phones_counter = AtomicUsize::new(0);
    let code = OtpCode::parse("2468", 4).unwrap();
    let mut rows = Vec::new();

    // GET /login: no database
    if opts.wants("GET /login") {
        let (h, b) = (http.clone(), base.clone());
        let app = drive(&pool, c, d, move |_| Some(h.get(format!("{b}/login")))).await;
        rows.push(Row {
            flow: "GET /login",
            app,
            floor: None,
            sql: None,
            writes: false,
        });
    }

    // code request, a new phone each time: from an address of its own each (many people), and
    // all from one address (people behind a carrier's NAT: each waits for the address's lock)
    for (flow, one_address) in [("code request", false), ("code request, one address", true)] {
        if !opts.wants(flow) {
            continue;
        }
        // the n-th request's address, and the floors' (other addresses than the app's)
        let app_ip = move |i: usize| client_ip(if one_address { 1 << 21 } else { i });
        let floor_person = move |i: usize| person(FLOOR_IPS + if one_address { 0 } else { i });
        let phones = Arc::new(fresh_phones(&phones_counter, prepared));
        let (h, b, p) = (http.clone(), base.clone(), phones.clone());
        let app = drive(&pool, c, d, move |i| {
            let phone = p.get(i)?;
            Some(
                h.post(format!("{b}/api/v1/auth/code"))
                    .header("x-forwarded-for", app_ip(i))
                    .json_body(&format!(r#"{{"phone":"{phone}"}}"#)),
            )
        })
        .await;
        let cfg = Arc::new(auth_config());
        let tr = Tr::new(Arc::new(Locales::load().expect("locales")), "en");
        let request = move |phone: &str, i: usize, conn: &mut db::DbConnection| {
            let phone = PhoneNumber::from_e164_unchecked(phone.to_owned());
            let client = floor_person(i);
            let now = Utc::now().naive_utc();
            let text = |code: &OtpCode| sign_in::message_text(&tr, &cfg, "sms-text", code);
            matches!(
                sign_in::request_code(conn, &cfg, &phone, &client, now, text),
                Ok(Ok(_))
            )
        };
        let request = Arc::new(request);
        let phones = Arc::new(fresh_phones(&phones_counter, prepared));
        let (p, r) = (phones.clone(), request.clone());
        let fl = (!opts.no_floor)
            .then(|| floor(&pool, c, d, move |i, conn| Some(r(p.get(i)?, i, conn))));
        let phones = fresh_phones(&phones_counter, prepared);
        let sql = sql_floor_of(
            opts,
            &target.url,
            &pool,
            phones.len(),
            |conn| request(&phones[0], 0, conn),
            |i| floor_inputs(&phones[i], floor_person(i)),
        );
        rows.push(Row {
            flow,
            app,
            floor: fl,
            sql,
            writes: true,
        });
        // delivery latency, once the flow's messages are out: at a steady pace, from the
        // request to the provider having the message
        if server.is_some() && !one_address {
            outbox_drained(&pool).await;
            let n = if opts.smoke { 100 } else { 2_000 };
            let phones = fresh_phones(&phones_counter, n);
            delivery = Some(delivery_latency(&http, &base, &provider, phones, 8).await);
        }
    }

    // code verification: a first sign-in (creates the account) and a returning user
    for (flow, returning) in [
        ("sign-in, new account", false),
        ("sign-in, returning", true),
    ] {
        if !opts.wants(flow) {
            continue;
        }
        let make = |n: usize| -> Vec<String> {
            if returning {
                let mut conn = pool.get().unwrap();
                let phones = fresh_phones(&phones_counter, n);
                db::write_transaction(&mut conn, |conn| {
                    let now = Utc::now().naive_utc();
                    for p in &phones {
                        accounts::create_user(conn, &RandomInviteCodes, p, now)?;
                    }
                    Ok::<_, db::DbError>(())
                })
                .unwrap();
                phones
            } else {
                fresh_phones(&phones_counter, n)
            }
        };
        let phones = Arc::new(make(prepared / 4));
        plant_codes(&pool, &phones, &code);
        let (h, b, p) = (http.clone(), base.clone(), phones.clone());
        let app = drive(&pool, c, d, move |i| {
            let phone = p.get(i)?;
            Some(
                h.post(format!("{b}/api/v1/auth/token"))
                    .header("x-forwarded-for", client_ip(i))
                    .json_body(&format!(r#"{{"phone":"{phone}","code":"2468"}}"#)),
            )
        })
        .await;
        let (cfg, code2) = (Arc::new(auth_config()), code.clone());
        let verify = Arc::new(move |phone: &str, i: usize, conn: &mut db::DbConnection| {
            let phone = PhoneNumber::from_e164_unchecked(phone.to_owned());
            let client = person(FLOOR_IPS + i);
            matches!(
                sign_in::verify_code(
                    conn,
                    &cfg,
                    &phone,
                    &code2,
                    &client,
                    Credential::ApiToken,
                    Utc::now().naive_utc()
                ),
                Ok(Ok(_))
            )
        });
        let phones = Arc::new(make(prepared / 4));
        plant_codes(&pool, &phones, &code);
        let (p, v) = (phones.clone(), verify.clone());
        let fl = (!opts.no_floor)
            .then(|| floor(&pool, c, d, move |i, conn| Some(v(p.get(i)?, i, conn))));
        let sql = if !opts.no_floor {
            let phones = make(prepared / 4);
            plant_codes(&pool, &phones, &code);
            let ids = ids_of(&pool, &phones);
            let codes = free_invite_codes(&pool, phones.len());
            sql_floor_of(
                opts,
                &target.url,
                &pool,
                phones.len(),
                |conn| verify(&phones[0], 0, conn),
                |i| {
                    // the account the captured request made (asked after it ran), and each
                    // replayed new account's own invite code
                    let made = (!returning && i == 0).then(|| {
                        users::find_by_phone(&mut pool.get().unwrap(), &phones[0])
                            .unwrap()
                            .unwrap()
                    });
                    sql_floor::Inputs {
                        code_id: ids[i].0,
                        user_id: ids[i].1,
                        new_user_id: made.as_ref().map(|u| u.id),
                        invite_code: (!returning)
                            .then(|| made.map_or_else(|| codes[i].clone(), |u| u.invite_code)),
                        ..floor_inputs(&phones[i], person(FLOOR_IPS + i))
                    }
                },
            )
        } else {
            None
        };
        rows.push(Row {
            flow,
            app,
            floor: fl,
            sql,
            writes: true,
        });
    }

    // the profile page of people with 0, 1,000 and 100,000 invitees
    for (flow, owner) in [
        ("profile, 0 invitees", OWNER_0),
        ("profile, 1,000 invitees", OWNER_1K),
        ("profile, 100,000 invitees", OWNER_100K),
    ] {
        if !opts.wants(flow) {
            continue;
        }
        let client = web_session(&base, &pool, owner).await;
        let b = base.clone();
        let app = drive(&pool, c, d, move |_| {
            Some(client.get(format!("{b}/profile")))
        })
        .await;
        let user = users::find_by_phone(&mut pool.get().unwrap(), owner)
            .unwrap()
            .unwrap();
        let cfg = Arc::new(auth_config());
        let limits = cfg.limits.clone();
        let token = credentials::start_session(
            &mut pool.get().unwrap(),
            &limits,
            user.id,
            &person(0),
            Utc::now().naive_utc(),
        )
        .unwrap();
        let fl = (!opts.no_floor).then(|| {
            floor(&pool, c, d, move |_, conn| {
                let now = Utc::now().naive_utc();
                let Ok(Some(user)) =
                    credentials::authenticate(conn, &limits, Credential::WebSession, &token, now)
                else {
                    return Some(false);
                };
                Some(invites::load_view(conn, &cfg, user, PageRequest::First, now).is_ok())
            })
        });
        rows.push(Row {
            flow,
            app,
            floor: fl,
            sql: None,
            writes: false,
        });
    }

    // entering an invite code (each request by a different new account)
    if opts.wants("enter an invite code") {
        let owner_code = users::find_by_phone(&mut pool.get().unwrap(), OWNER_1K)
            .unwrap()
            .unwrap()
            .invite_code;
        let tokens = Arc::new(accounts_with_tokens(
            &pool,
            &fresh_phones(&phones_counter, prepared / 4),
        ));
        let (h, b, t, oc) = (
            http.clone(),
            base.clone(),
            tokens.clone(),
            owner_code.clone(),
        );
        let app = drive(&pool, c, d, move |i| {
            let token = t.get(i)?;
            Some(
                h.post(format!("{b}/api/v1/me/invite"))
                    .bearer_auth(token)
                    .json_body(&format!(r#"{{"code":"{oc}"}}"#)),
            )
        })
        .await;
        let limits = auth_config().limits;
        let code = InviteCode::parse(&owner_code).unwrap();
        let enter = Arc::new(move |token: &str, conn: &mut db::DbConnection| {
            let now = Utc::now().naive_utc();
            let rules = invites::EntryRules {
                max_tries_per_hour: 1_000_000,
                max_invitees: None,
                // as the app's requests come
                network: Some("127.0.0.1"),
                notify: None,
            };
            let Ok(Some(user)) =
                credentials::authenticate(conn, &limits, Credential::ApiToken, token, now)
            else {
                return false;
            };
            matches!(
                invites::activate(conn, &rules, user.id, &code, now),
                Ok(Ok(_))
            )
        });
        let tokens = Arc::new(accounts_with_tokens(
            &pool,
            &fresh_phones(&phones_counter, prepared / 4),
        ));
        let e = enter.clone();
        let fl = (!opts.no_floor)
            .then(|| floor(&pool, c, d, move |i, conn| Some(e(tokens.get(i)?, conn))));
        let sql = if !opts.no_floor {
            let phones = fresh_phones(&phones_counter, prepared / 4);
            let tokens = accounts_with_tokens(&pool, &phones);
            let ids = ids_of(&pool, &phones);
            sql_floor_of(
                opts,
                &target.url,
                &pool,
                phones.len(),
                |conn| enter(&tokens[0], conn),
                |i| sql_floor::Inputs {
                    user_id: ids[i].1,
                    token_hash: Some(user_auth::domain::token::token_hash(&tokens[i])),
                    ..Default::default()
                },
            )
        } else {
            None
        };
        rows.push(Row {
            flow: "enter an invite code",
            app,
            floor: fl,
            sql,
            writes: true,
        });
    }

    let peak = server.as_ref().and_then(Server::peak_mib);
    Some((target.label.to_owned(), rows, peak, seed_secs, delivery))
}

/// `json()` needs reqwest's json feature; the body is written by hand instead.
trait JsonBody {
    fn json_body(self, body: &str) -> Self;
}

impl JsonBody for reqwest::RequestBuilder {
    fn json_body(self, body: &str) -> Self {
        self.header("content-type", "application/json")
            .body(body.to_owned())
    }
}

fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| flow | req/s | p50 ms | p99 ms | max ms | errors | server CPU µs/req | load CPU µs/req \
         | floor req/s | floor p99 ms | floor CPU µs/req | app ÷ floor | SQL floor req/s \
         | app ÷ SQL floor |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let (floor_rps, floor_p99, floor_cpu, ratio) = match &r.floor {
            Some(f) => (
                format!("{:.0}", f.rps()),
                format!("{:.2}", f.pct(0.99)),
                f.per_request(f.own_cpu),
                format!("{:.0} %", 100.0 * r.app.rps() / f.rps().max(1e-9)),
            ),
            None => ("—".into(), "—".into(), "—".into(), "—".into()),
        };
        let (sql_tps, sql_ratio) = match &r.sql {
            Some(Ok(b)) => (
                format!("{:.0}", b.tps),
                format!("{:.0} %", 100.0 * r.app.rps() / b.tps.max(1e-9)),
            ),
            Some(Err(_)) => ("failed".into(), "—".into()),
            None => ("—".into(), "—".into()),
        };
        out.push_str(&format!(
            "| {}{} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {} | {} | {floor_rps} | {floor_p99} \
             | {floor_cpu} | {ratio} | {sql_tps} | {sql_ratio} |\n",
            r.flow,
            if r.writes { " (writes)" } else { "" },
            r.app.rps(),
            r.app.pct(0.5),
            r.app.pct(0.99),
            r.app.latencies_us.last().copied().unwrap_or(0) as f64 / 1000.0,
            r.app.errors,
            r.app.per_request(r.app.server_cpu),
            r.app.per_request(r.app.own_cpu),
        ));
    }
    out
}

/// Each SQL floor: what pgbench did, and where its time went, statement by statement.
fn sql_floors(rows: &[Row]) -> String {
    let mut out = String::new();
    for r in rows {
        let Some(result) = &r.sql else { continue };
        out.push_str(&format!("\nSQL floor of {}: ", r.flow));
        match result {
            Err(e) => out.push_str(&format!("failed: {e}\n")),
            Ok(b) => {
                let us = |v: Option<f64>| v.map_or("—".to_owned(), |v| format!("{v:.0} µs"));
                let pgbench = b
                    .client_cpu_us
                    .map_or(String::new(), |v| format!(", pgbench {v:.0} µs"));
                out.push_str(&format!(
                    "{:.0} requests/s, average latency {:.2} ms, {} done, {} failed; CPU per \
                     request: database {}{pgbench}; each statement's average latency (ms):\n\n",
                    b.tps,
                    b.latency_ms,
                    b.transactions,
                    b.failed,
                    us(b.database_cpu_us),
                ));
                if let Some(e) = b.first_error.as_ref().filter(|_| b.failed > 0) {
                    out.push_str(&format!("    the first failure: {e}\n\n"));
                }
                for (ms, sql) in &b.statements {
                    let short: String = sql.chars().take(110).collect();
                    let more = if short.len() < sql.len() { "…" } else { "" };
                    out.push_str(&format!("    {ms:>7.3}  {short}{more}\n"));
                }
            }
        }
    }
    out
}

fn targets(rows: &[Row], peak: Option<f64>) -> String {
    let mut out = String::new();
    let mut check = |ok: bool, what: String| {
        out.push_str(&format!(
            "- {} {what}\n",
            if ok { "met:" } else { "MISSED:" }
        ))
    };
    let errors: usize = rows.iter().map(|r| r.app.errors).sum();
    check(errors == 0, format!("zero errors ({errors})"));
    for r in rows {
        if let Some(f) = &r.floor {
            let share = r.app.rps() / f.rps().max(1e-9);
            check(
                share >= 0.5,
                format!(
                    "{} at least 50 % of its floor ({:.0} %)",
                    r.flow,
                    share * 100.0
                ),
            );
        }
        if !r.writes {
            check(
                r.app.pct(0.99) < 20.0,
                format!("{} p99 under 20 ms ({:.2} ms)", r.flow, r.app.pct(0.99)),
            );
        }
    }
    let p50 = |name: &str| {
        rows.iter()
            .find(|r| r.flow == name)
            .map(|r| r.app.pct(0.5))
            .unwrap_or(0.0)
    };
    let (none, big) = (p50("profile, 0 invitees"), p50("profile, 100,000 invitees"));
    check(
        big <= 1.5 * none,
        format!("profile with 100,000 invitees within 1.5× of none (p50 {big:.2} vs {none:.2} ms)"),
    );
    if let Some(mib) = peak {
        check(
            mib < 64.0,
            format!("peak server memory under 64 MB ({mib:.1} MiB)"),
        );
    }
    out
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_default();
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines().next().map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse::<f64>()
                    .unwrap_or(0.0)
                    / 1024.0
                    / 1024.0
            })
        })
        .unwrap_or(0.0);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!(
        "{cores} cores ({cpu}), {mem:.1} GiB memory; server, database and load generator on the same machine"
    )
}

/// One minute of the soak: answers, failures and latencies of every request, the server's
/// largest resident memory.
#[derive(Default, Clone)]
struct Minute {
    answers: u64,
    server_errors: u64,
    /// answers neither 2xx nor 5xx, and requests with no answer
    other_failures: u64,
    latencies_us: Vec<u64>,
    /// The same latencies by step of the journey.
    by_step: BTreeMap<&'static str, Vec<u64>>,
    rss_kib: u64,
    /// CPU used in the minute by the server, by PostgreSQL's processes, and by the bench.
    cpu_server: Duration,
    cpu_postgres: Duration,
    cpu_bench: Duration,
}

impl Minute {
    fn pct(&self, p: f64) -> f64 {
        percentile(&self.latencies_us, p)
    }
}

/// The `p` percentile of `latencies_us`, in milliseconds.
fn percentile(latencies_us: &[u64], p: f64) -> f64 {
    let mut l = latencies_us.to_vec();
    l.sort_unstable();
    Sample {
        latencies_us: l,
        ..Sample::default()
    }
    .pct(p)
}

/// The steps of the soak's journey, in order.
const SOAK_STEPS: [&str; 7] = [
    "page", "code", "token", "profile", "invite", "invitees", "sign-out",
];

/// CPU used by PostgreSQL's processes since the last call with `seen` (each process's total
/// by id; a process that ended counts what it used up to the last look).
fn postgres_cpu(seen: &mut std::collections::HashMap<String, Duration>) -> Duration {
    let mut used = Duration::ZERO;
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return used;
    };
    for entry in dir.flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let is_postgres = std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .is_ok_and(|c| c.trim() == "postgres");
        if let (true, Some(total)) = (is_postgres, cpu_time(&pid)) {
            let before = seen.insert(pid, total).unwrap_or_default();
            used += total.saturating_sub(before);
        }
    }
    used
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `--soak MINUTES`: a person's whole journey over and over, `concurrency` at a time, against
/// the real server: the sign-in page, a code asked for and read from the provider, a token,
/// the profile, an invite code entered (the previous person's), the invitee page, sign-out.
/// A line per minute; the run passes with no 5xx and no failure, the memory peak within 10 %
/// of the first minute's, and the last minute's p99 at most 1.5 times the first's.
async fn soak(opts: &Options, minutes: u64) -> (String, bool) {
    let backend = if opts.backends.len() > 1 {
        "PostgreSQL"
    } else {
        opts.backends[0]
    };
    let Some(target) = target(backend, opts.database_url.as_deref()) else {
        eprintln!("{backend}: no database (set BENCH_DATABASE_URL or TEST_DATABASE_URL)");
        std::process::exit(1);
    };
    db::migrate(&target.url).expect("migrations");
    let pool = db::pool(&target.url, pool_size(), Duration::from_secs(30));
    // a soak measures the server as it runs in service: on PostgreSQL, with autovacuum (without
    // it, dead rows pile up in every table a flow updates and each minute is slower than the last)
    if let DatabaseUrl::Postgres(_) = target.url {
        #[derive(diesel::QueryableByName)]
        struct Setting {
            #[diesel(sql_type = diesel::sql_types::Text)]
            autovacuum: String,
        }
        let setting = diesel::sql_query("SHOW autovacuum")
            .get_result::<Setting>(&mut pool.get().unwrap())
            .expect("SHOW autovacuum");
        if setting.autovacuum != "on" {
            eprintln!(
                "this PostgreSQL runs without autovacuum (autovacuum = {}), unlike one in service: \
                 turn it on for the soak (ALTER SYSTEM SET autovacuum = on; SELECT pg_reload_conf();)",
                setting.autovacuum
            );
            std::process::exit(1);
        }
    }
    let plan = seed::SeedPlan {
        users: 10_000,
        invitees_of: vec![(PhoneNumber::parse(OWNER_1K, None).unwrap(), 1_000)],
    };
    seed::seed(
        &mut pool.get().unwrap(),
        &plan,
        0,
        Utc::now().naive_utc(),
        |_| {},
    )
    .expect("seeding");
    if let DatabaseUrl::Postgres(_) = target.url {
        // statistics current before the first minute, as in service
        diesel::sql_query("VACUUM (ANALYZE)")
            .execute(&mut pool.get().unwrap())
            .expect("VACUUM (ANALYZE)");
    }
    let provider = Arc::new(Provider::start());
    let server = Server::start(&target.url, &provider);
    let (base, pid) = (server.base.clone(), server.child.id());
    user_auth::sms::install_tls();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(opts.concurrency)
        // below the server's keep-alive (HTTP_KEEP_ALIVE_SECONDS, 5): a connection left idle
        // between flows is not picked up just as the server closes it (a request lost to that
        // race counts as an error)
        .pool_idle_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let start = Instant::now();
    let deadline = start + Duration::from_secs(minutes * 60);
    let stats = Arc::new(std::sync::Mutex::new(vec![
        Minute::default();
        minutes as usize
    ]));
    let note = {
        let stats = stats.clone();
        move |step: &'static str, status: Option<reqwest::StatusCode>, t: Instant| {
            let minute = (start.elapsed().as_secs() / 60) as usize;
            let mut stats = stats.lock().unwrap();
            let Some(m) = stats.get_mut(minute) else {
                return;
            };
            m.answers += 1;
            let took = t.elapsed().as_micros() as u64;
            m.latencies_us.push(took);
            m.by_step.entry(step).or_default().push(took);
            match status {
                Some(s) if s.is_success() => {}
                Some(s) if s.is_server_error() => m.server_errors += 1,
                _ => m.other_failures += 1,
            }
        }
    };
    // the server's memory, and the CPU of the server, PostgreSQL and the bench, every second
    let sampler = {
        let stats = stats.clone();
        tokio::spawn(async move {
            let mut seen = std::collections::HashMap::new();
            postgres_cpu(&mut seen);
            let mut before = cpu_now();
            while Instant::now() < deadline {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let minute = (start.elapsed().as_secs() / 60) as usize;
                let (server, bench) = cpu_since(before);
                before = cpu_now();
                let postgres = postgres_cpu(&mut seen);
                if let Some(m) = stats.lock().unwrap().get_mut(minute) {
                    m.rss_kib = m.rss_kib.max(rss_kib(pid).unwrap_or(0));
                    m.cpu_server += server.unwrap_or_default();
                    m.cpu_bench += bench.unwrap_or_default();
                    m.cpu_postgres += postgres;
                }
            }
        })
    };
    let counter = Arc::new(AtomicUsize::new(0));
    let previous_code = Arc::new(std::sync::Mutex::new(None::<String>));
    let tasks: Vec<_> = (0..opts.concurrency)
        .map(|_| {
            let (http, base, provider, counter, previous_code, note) = (
                http.clone(),
                base.clone(),
                provider.clone(),
                counter.clone(),
                previous_code.clone(),
                note.clone(),
            );
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    let phone = fresh_phones(&counter, 1).remove(0);
                    let ip = client_ip(counter.load(Ordering::Relaxed));
                    let send = |step: &'static str, req: reqwest::RequestBuilder| {
                        let note = note.clone();
                        async move {
                            let t = Instant::now();
                            let res = req.send().await.ok();
                            let status = res.as_ref().map(|r| r.status());
                            let body = match res {
                                Some(r) => r.bytes().await.unwrap_or_default(),
                                None => Default::default(),
                            };
                            note(step, status, t);
                            (status, body)
                        }
                    };
                    send("page", http.get(format!("{base}/login"))).await;
                    let (status, _) = send(
                        "code",
                        http.post(format!("{base}/api/v1/auth/code"))
                            .header("x-forwarded-for", &ip)
                            .json_body(&format!(r#"{{"phone":"{phone}"}}"#)),
                    )
                    .await;
                    if status != Some(reqwest::StatusCode::ACCEPTED) {
                        continue;
                    }
                    let Some(code) = provider.code_for(&phone).await else {
                        note("code", None, Instant::now());
                        continue;
                    };
                    let (_, body) = send(
                        "token",
                        http.post(format!("{base}/api/v1/auth/token"))
                            .header("x-forwarded-for", &ip)
                            .json_body(&format!(r#"{{"phone":"{phone}","code":"{code}"}}"#)),
                    )
                    .await;
                    let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                    let Some(token) = json["token"].as_str() else {
                        continue;
                    };
                    let bearer = format!("Bearer {token}");
                    let own = json["user"]["invite_code"].as_str().map(str::to_owned);
                    send(
                        "profile",
                        http.get(format!("{base}/api/v1/me"))
                            .header("authorization", &bearer),
                    )
                    .await;
                    let previous = previous_code.lock().unwrap().clone();
                    if let Some(invite) = previous {
                        send(
                            "invite",
                            http.post(format!("{base}/api/v1/me/invite"))
                                .header("authorization", &bearer)
                                .json_body(&format!(r#"{{"code":"{invite}"}}"#)),
                        )
                        .await;
                    }
                    *previous_code.lock().unwrap() = own;
                    send(
                        "invitees",
                        http.get(format!("{base}/api/v1/me/invitees"))
                            .header("authorization", &bearer),
                    )
                    .await;
                    send(
                        "sign-out",
                        http.delete(format!("{base}/api/v1/auth/token"))
                            .header("authorization", &bearer),
                    )
                    .await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    sampler.await.unwrap();
    drop(server);
    let stats = stats.lock().unwrap().clone();
    let mut out = format!(
        "### Soak\n\n{minutes} minutes on {}, concurrency {}: each client signs in (page, code, \
         token), reads its profile, enters the previous person's invite code, reads its \
         invitees and signs out, over and over.\n\n\
         | minute | answers | req/s | 5xx | other failures | p50 ms | p99 ms | server memory (peak RSS) | CPU s: server | PostgreSQL | bench |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        target.label, opts.concurrency
    );
    for (i, m) in stats.iter().enumerate() {
        out.push_str(&format!(
            "| {} | {} | {:.0} | {} | {} | {:.2} | {:.2} | {:.1} MiB | {:.1} | {:.1} | {:.1} |\n",
            i + 1,
            m.answers,
            m.answers as f64 / 60.0,
            m.server_errors,
            m.other_failures,
            m.pct(0.50),
            m.pct(0.99),
            m.rss_kib as f64 / 1024.0,
            m.cpu_server.as_secs_f64(),
            m.cpu_postgres.as_secs_f64(),
            m.cpu_bench.as_secs_f64()
        ));
    }
    out.push_str(&format!(
        "\np99 ms by step:\n\n| minute | {} |\n|---:|{}\n",
        SOAK_STEPS.join(" | "),
        "---:|".repeat(SOAK_STEPS.len())
    ));
    for (i, m) in stats.iter().enumerate() {
        let cells: Vec<String> = SOAK_STEPS
            .iter()
            .map(|step| {
                m.by_step
                    .get(step)
                    .map_or("–".into(), |l| format!("{:.1}", percentile(l, 0.99)))
            })
            .collect();
        out.push_str(&format!("| {} | {} |\n", i + 1, cells.join(" | ")));
    }
    let (first, last) = (&stats[0], &stats[stats.len() - 1]);
    let peak = stats.iter().map(|m| m.rss_kib).max().unwrap_or(0);
    let errors: u64 = stats
        .iter()
        .map(|m| m.server_errors + m.other_failures)
        .sum();
    let checks = [
        (errors == 0, format!("no 5xx and no failure ({errors})")),
        (
            peak as f64 <= first.rss_kib as f64 * 1.10,
            format!(
                "memory peak within 10 % of the first minute's ({:.1} vs {:.1} MiB)",
                peak as f64 / 1024.0,
                first.rss_kib as f64 / 1024.0
            ),
        ),
        (
            last.pct(0.99) <= first.pct(0.99) * 1.5,
            format!(
                "last minute's p99 at most 1.5 × the first's ({:.2} vs {:.2} ms)",
                last.pct(0.99),
                first.pct(0.99)
            ),
        ),
    ];
    out.push_str("\nTargets:\n\n");
    for (met, what) in &checks {
        out.push_str(&format!(
            "- {}: {what}\n",
            if *met { "met" } else { "MISSED" }
        ));
    }
    (out, checks.iter().all(|(met, _)| *met))
}

/// Writes `section` between `<!-- begin -->` and `<!-- end -->` in `path` (or at its end).
fn write_section(path: &std::path::Path, begin: &str, end: &str, section: &str) {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let new = match (old.find(begin), old.find(end)) {
        (Some(a), Some(b)) => format!("{}{section}{}", &old[..a], &old[b + end.len()..]),
        _ => format!("{old}\n{section}\n"),
    };
    std::fs::write(path, new).unwrap();
    eprintln!("wrote {}", path.display());
}

fn main() {
    let opts = options();
    sql_floor::install();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if let Some(minutes) = opts.soak {
        let (report, passed) = runtime.block_on(soak(&opts, minutes));
        println!("{report}");
        if let Some(path) = &opts.report {
            let section = format!(
                "<!-- soak: written by `cargo bench --bench load -- --soak {minutes}` -->\n\
                 Measured {} on {}.\n\n{report}<!-- /soak -->",
                Utc::now().format("%Y-%m-%d %H:%M UTC"),
                machine()
            );
            write_section(path, "<!-- soak", "<!-- /soak -->", &section);
        }
        std::process::exit(if passed { 0 } else { 1 });
    }
    let mut sections = BTreeMap::new();
    for backend in opts.backends.clone() {
        if let Some((label, rows, peak, seed_secs, delivery)) =
            runtime.block_on(run_backend(&opts, backend))
        {
            let mut s = format!("### {label}\n\n");
            s.push_str(&format!(
                "Seeded {} users (plus owners of 1,000 and {} invitees) in {seed_secs:.1} s. \
                 Concurrency {}, {} s per flow. Peak server memory (VmHWM): {}.\n\n",
                opts.users,
                opts.big,
                opts.concurrency,
                opts.duration.as_secs(),
                peak.map_or("not measured (external server)".into(), |m| format!(
                    "{m:.1} MiB"
                )),
            ));
            s.push_str(&table(&rows));
            s.push_str(&sql_floors(&rows));
            if let Some(d) = &delivery {
                s.push_str(&format!(
                    "\nDelivery through the `http` provider (a webhook receiver in the bench): {} codes \
                     asked for, 8 at a time, after the flows' messages were out; {} reached the \
                     provider; from the request to the provider having the message p50 {:.2} ms, \
                     p99 {:.2} ms.\n",
                    d.asked,
                    d.delivered,
                    d.latency.pct(0.50),
                    d.latency.pct(0.99),
                ));
                if opts.smoke && (d.asked == 0 || d.delivered < d.asked) {
                    eprintln!(
                        "{s}\nsmoke run failed on {label}: not every code reached the provider"
                    );
                    std::process::exit(1);
                }
            }
            let broken: Vec<&str> = rows
                .iter()
                .filter(|r| {
                    r.app.errors > 0
                        || r.app.latencies_us.is_empty()
                        || r.floor.as_ref().is_some_and(|f| f.latencies_us.is_empty())
                        || r.sql.as_ref().is_some_and(|b| {
                            b.as_ref().map_or(true, |b| b.failed > 0 || b.transactions == 0)
                        })
                        // the CPU columns are measured whenever the bench runs the server
                        || r.app.own_cpu.is_none()
                        || (opts.url.is_none() && r.app.server_cpu.is_none())
                })
                .map(|r| r.flow)
                .collect();
            if opts.smoke && !broken.is_empty() {
                let first_errors: Vec<String> = rows
                    .iter()
                    .filter_map(|r| Some(format!("{}: {}", r.flow, r.app.first_error.as_ref()?)))
                    .collect();
                eprintln!(
                    "{s}\nsmoke run failed on {label}: errors, no answers or no CPU time in {broken:?}; \
                     first errors: {first_errors:#?}"
                );
                std::process::exit(1);
            }
            s.push_str("\nTargets:\n\n");
            s.push_str(&targets(&rows, peak));
            println!("{s}");
            sections.insert(label, s);
        }
    }
    let Some(path) = opts.report else { return };
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let generated = format!(
        "<!-- results: written by `cargo bench --bench load`; do not edit by hand -->\n\
         Measured {} on {}.\n\nCommand: `cargo bench --bench load{}{}`\n\n{}\n<!-- /results -->",
        Utc::now().format("%Y-%m-%d %H:%M UTC"),
        machine(),
        if args.is_empty() { "" } else { " -- " },
        args.join(" "),
        sections.into_values().collect::<Vec<_>>().join("\n"),
    );
    write_section(&path, "<!-- results", "<!-- /results -->", &generated);
}
