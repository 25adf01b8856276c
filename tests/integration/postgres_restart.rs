//! PostgreSQL restarted while people walk every flow: answers are 503 only while it is down,
//! the app recovers without a restart, and nothing a person was told was done is lost or done
//! twice (every user, code, message, session, token and invite counted against the answers).
//!
//! The test runs a PostgreSQL server of its own (`initdb` in a temporary folder), so it can stop
//! and start it without touching the one the other tests share. It needs PostgreSQL's programs
//! (Debian's `postgresql` package); without them it says so and passes, unless
//! `REQUIRE_POSTGRES=1`.

use std::{
    collections::HashMap,
    path::PathBuf,
    process::Command,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use diesel::{Connection, PgConnection, RunQueryDsl, prelude::*};
use reqwest::StatusCode;
use user_auth::db::schema;

use crate::helpers::{Options, TestApp, TestDb, code_in, csrf_from, free_port};

/// Clients walking at once.
const CLIENTS: usize = 16;
/// How long PostgreSQL stays down.
const DOWN: Duration = Duration::from_secs(3);
/// After PostgreSQL is back, requests sent this much later are served (the pool makes new
/// connections as they are asked for).
const GRACE: Duration = Duration::from_secs(1);

/// A PostgreSQL server in a temporary folder; stopped and removed when dropped.
struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    /// Run its programs as `postgres` (they refuse to run as root).
    as_postgres: bool,
}

impl Cluster {
    /// A new server, started; `None` when PostgreSQL's programs are not on this machine.
    fn start() -> Option<Cluster> {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .map(|dir| {
                dir.filter_map(|e| Some(e.ok()?.path().join("bin")))
                    .collect()
            })
            .unwrap_or_default();
        versions.retain(|bin| bin.join("pg_ctl").exists() && bin.join("initdb").exists());
        versions.sort();
        let Some(bin) = versions.pop() else {
            crate::helpers::missing(
                "REQUIRE_POSTGRES",
                "PostgreSQL's programs (initdb, pg_ctl) are not installed: the restart test",
            );
            return None;
        };
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
        let mut name = [0u8; 6];
        rand::fill(&mut name);
        let dir = std::env::temp_dir().join(format!(
            "user-auth-pg-{}",
            name.iter().map(|b| format!("{b:02x}")).collect::<String>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let cluster = Cluster {
            dir,
            bin,
            port: free_port(),
            as_postgres: root,
        };
        if root {
            let owned = Command::new("chown")
                .arg("postgres:")
                .arg(&cluster.dir)
                .status()
                .unwrap();
            assert!(owned.success(), "chown postgres: {}", cluster.dir.display());
        }
        let data = cluster.dir.join("data");
        cluster.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        cluster.up();
        Some(cluster)
    }

    /// Runs one of PostgreSQL's programs; fails the test with what it wrote unless it succeeds.
    fn run(&self, program: &str, args: &[&str]) {
        let path = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        let out = command.args(args).output().expect(program);
        assert!(
            out.status.success(),
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn pg_ctl(&self, args: &[&str]) {
        let data = self.dir.join("data");
        let mut all = vec!["-D", data.to_str().unwrap(), "-w", "-t", "60"];
        all.extend_from_slice(args);
        self.run("pg_ctl", &all);
    }

    /// Starts the server and waits until it takes connections.
    fn up(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log");
        self.pg_ctl(&["-o", &options, "-l", log.to_str().unwrap(), "start"]);
    }

    /// Stops the server the way a restart does (`fast`: sessions are cut, transactions in
    /// flight roll back, what was committed stays).
    fn down(&self) {
        self.pg_ctl(&["-m", "fast", "stop"]);
    }

    fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = std::panic::catch_unwind(|| self.pg_ctl(&["-m", "immediate", "stop"]));
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// How a step of a journey ended, as far as its client can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Step {
    #[default]
    NotTried,
    /// The answer said it was done.
    Done,
    /// 503: it may or may not have been done (the commit may have landed as the server went).
    Unknown,
}

/// One person's walk: a fresh number, in the API or in the browser.
#[derive(Debug, Default, Clone)]
struct Journey {
    phone: String,
    web: bool,
    code: Step,
    sign_in: Step,
    /// The number whose invite code this person entered, and how that went.
    invite: Option<(String, Step)>,
    sign_out: Step,
}

/// Every answer: which step, its status, when the request went and when the answer came.
#[derive(Debug, Clone)]
struct Answer {
    step: &'static str,
    status: StatusCode,
    sent: Instant,
    answered: Instant,
}

struct Walker {
    app: Arc<TestApp>,
    answers: Arc<Mutex<Vec<Answer>>>,
    /// The last API journey's number and invite code, for the next person to enter.
    inviter: Arc<Mutex<Option<(String, String)>>>,
}

impl Walker {
    /// Sends one request, notes its answer; the status and body (none when the request itself
    /// failed, which counts as a wrong answer).
    async fn send(
        &self,
        step: &'static str,
        req: reqwest::RequestBuilder,
    ) -> (StatusCode, String, Option<String>) {
        let sent = Instant::now();
        let (status, location, body) = match req.send().await {
            Ok(res) => {
                let location = res
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                (res.status(), location, res.text().await.unwrap_or_default())
            }
            Err(_) => (StatusCode::IM_A_TEAPOT, None, String::new()),
        };
        self.answers.lock().unwrap().push(Answer {
            step,
            status,
            sent,
            answered: Instant::now(),
        });
        (status, body, location)
    }

    /// The code sent to `phone`, read from the provider (at most 30 s: the message waits in
    /// the outbox while the database is down).
    async fn code_for(&self, phone: &str) -> String {
        for _ in 0..600 {
            if let Some(m) = self.app.sms.sent_to(phone).first() {
                return code_in(&m.text);
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no code reached {phone} in 30 s");
    }

    fn outcome(status: StatusCode, done: StatusCode) -> Step {
        if status == done {
            Step::Done
        } else {
            Step::Unknown
        }
    }

    /// The API journey: code, token, profile, an invite code, invitees, sign-out. Stops at the
    /// first answer that is not the one expected.
    async fn api(&self, j: &mut Journey, address: &str) {
        let http = &self.app.client;
        let url = |p: &str| self.app.url(p);
        let (status, _, _) = self
            .send(
                "code",
                http.post(url("/api/v1/auth/code"))
                    .header("x-forwarded-for", address)
                    .json(&serde_json::json!({ "phone": j.phone })),
            )
            .await;
        j.code = Self::outcome(status, StatusCode::ACCEPTED);
        if j.code != Step::Done {
            return;
        }
        let code = self.code_for(&j.phone).await;
        let (status, body, _) = self
            .send(
                "sign_in",
                http.post(url("/api/v1/auth/token"))
                    .header("x-forwarded-for", address)
                    .json(&serde_json::json!({ "phone": j.phone, "code": code })),
            )
            .await;
        j.sign_in = Self::outcome(status, StatusCode::OK);
        if j.sign_in != Step::Done {
            return;
        }
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        let bearer = format!("Bearer {}", json["token"].as_str().unwrap());
        let own = json["user"]["invite_code"].as_str().unwrap().to_owned();
        let (status, _, _) = self
            .send(
                "profile",
                http.get(url("/api/v1/me")).header("authorization", &bearer),
            )
            .await;
        if status != StatusCode::OK {
            return;
        }
        let inviter = self.inviter.lock().unwrap().clone();
        if let Some((inviter_phone, invite)) = inviter {
            let (status, _, _) = self
                .send(
                    "invite",
                    http.post(url("/api/v1/me/invite"))
                        .header("authorization", &bearer)
                        .json(&serde_json::json!({ "code": invite })),
                )
                .await;
            j.invite = Some((inviter_phone, Self::outcome(status, StatusCode::OK)));
            if status != StatusCode::OK {
                return;
            }
        }
        *self.inviter.lock().unwrap() = Some((j.phone.clone(), own));
        let (status, _, _) = self
            .send(
                "invitees",
                http.get(url("/api/v1/me/invitees"))
                    .header("authorization", &bearer),
            )
            .await;
        if status != StatusCode::OK {
            return;
        }
        let (status, _, _) = self
            .send(
                "sign_out",
                http.delete(url("/api/v1/auth/token"))
                    .header("authorization", &bearer),
            )
            .await;
        j.sign_out = Self::outcome(status, StatusCode::NO_CONTENT);
    }

    /// The browser journey: the sign-in page, the number, the code, the profile, an invite
    /// code, sign-out.
    async fn web(&self, j: &mut Journey, address: &str) {
        let browser = self.app.browser_at(address);
        let url = |p: &str| self.app.url(p);
        let (status, page, _) = self.send("page", browser.get(url("/login"))).await;
        if status != StatusCode::OK {
            return;
        }
        let (status, _, location) = self
            .send(
                "code",
                browser
                    .post(url("/login"))
                    .form(&[("csrf", csrf_from(&page).as_str()), ("phone", &j.phone)]),
            )
            .await;
        j.code = if status == StatusCode::SEE_OTHER && location.as_deref() == Some("/login/code") {
            Step::Done
        } else {
            Step::Unknown
        };
        if j.code != Step::Done {
            return;
        }
        let code = self.code_for(&j.phone).await;
        let (status, page, _) = self.send("page", browser.get(url("/login/code"))).await;
        if status != StatusCode::OK {
            return;
        }
        let (status, _, location) = self
            .send(
                "sign_in",
                browser
                    .post(url("/login/code"))
                    .form(&[("csrf", csrf_from(&page).as_str()), ("code", &code)]),
            )
            .await;
        j.sign_in = if status == StatusCode::SEE_OTHER && location.as_deref() == Some("/profile") {
            Step::Done
        } else {
            Step::Unknown
        };
        if j.sign_in != Step::Done {
            return;
        }
        let (status, page, _) = self.send("profile", browser.get(url("/profile"))).await;
        if status != StatusCode::OK {
            return;
        }
        let inviter = self.inviter.lock().unwrap().clone();
        if let Some((inviter_phone, invite)) = inviter {
            let (status, _, location) = self
                .send(
                    "invite",
                    browser
                        .post(url("/profile/invite"))
                        .form(&[("csrf", csrf_from(&page).as_str()), ("code", &invite)]),
                )
                .await;
            let done = status == StatusCode::SEE_OTHER
                && location.as_deref() == Some("/profile?entered=1");
            j.invite = Some((inviter_phone, if done { Step::Done } else { Step::Unknown }));
            if !done {
                return;
            }
        }
        let (status, _, location) = self
            .send(
                "sign_out",
                browser
                    .post(url("/logout"))
                    .form(&[("csrf", csrf_from(&page).as_str())]),
            )
            .await;
        j.sign_out = if status == StatusCode::SEE_OTHER && location.as_deref() != Some("/profile") {
            Step::Done
        } else {
            Step::Unknown
        };
    }
}

/// Rows that `what` left for each number, by a query grouped on the phone.
fn per_phone(conn: &mut PgConnection, sql: &str) -> HashMap<String, i64> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        phone: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(sql)
        .load::<Row>(conn)
        .unwrap()
        .into_iter()
        .map(|r| (r.phone, r.n))
        .collect()
}

/// Whether `rows` is what a step that ended as `step` leaves: `done` rows when it was done,
/// `not_done` when it was not tried, either when it is unknown.
fn fits(step: Step, rows: i64, done: i64, not_done: i64) -> bool {
    match step {
        Step::Done => rows == done,
        Step::NotTried => rows == not_done,
        Step::Unknown => rows == done || rows == not_done,
    }
}

#[actix_web::test]
async fn postgres_restarted_under_load_costs_503s_only_while_down_and_loses_nothing() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let name = "user_auth_restart";
    let mut admin = PgConnection::establish(&cluster.admin_url()).unwrap();
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .unwrap();
    drop(admin);
    let url = crate::helpers::with_database(&cluster.admin_url(), name);
    // every journey is a new number from a new network: only the outage may refuse anything
    let limits = user_auth::domain::limits::Limits {
        sms_per_hour: 1_000_000,
        sms_per_prefix_per_hour: 1_000_000,
        ..Default::default()
    };
    let app = Arc::new(
        TestApp::start(
            user_auth::db::DatabaseUrl::Postgres(url.clone()),
            TestDb::Postgres {
                admin_url: cluster.admin_url(),
                name: name.into(),
            },
            Options {
                trust_proxy_headers: true,
                limits,
                ..Options::default()
            },
        )
        .await,
    );
    let walker = Arc::new(Walker {
        app: app.clone(),
        answers: Arc::default(),
        inviter: Arc::default(),
    });
    let journeys = Arc::new(Mutex::new(Vec::<Journey>::new()));
    let (stop, counter) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicUsize::new(0)),
    );
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (walker, journeys, stop, counter) = (
                walker.clone(),
                journeys.clone(),
                stop.clone(),
                counter.clone(),
            );
            actix_web::rt::spawn(async move {
                // bounded: a client walks at most 1,000 times
                for _ in 0..1_000 {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let n = counter.fetch_add(1, Ordering::SeqCst);
                    let mut j = Journey {
                        phone: format!("+99890{:07}", 1_000_000 + n),
                        web: n % 2 == 1,
                        ..Journey::default()
                    };
                    let address = format!("10.{}.{}.7", n / 250, n % 250);
                    if j.web {
                        walker.web(&mut j, &address).await;
                    } else {
                        walker.api(&mut j, &address).await;
                    }
                    journeys.lock().unwrap().push(j);
                }
            })
        })
        .collect();

    actix_web::rt::time::sleep(Duration::from_secs(3)).await;
    let before = journeys.lock().unwrap().len();
    let cluster = Arc::new(cluster);
    let c = cluster.clone();
    let down_at = Instant::now();
    actix_web::rt::task::spawn_blocking(move || c.down())
        .await
        .unwrap();
    actix_web::rt::time::sleep(DOWN).await;
    let c = cluster.clone();
    actix_web::rt::task::spawn_blocking(move || c.up())
        .await
        .unwrap();
    let up_at = Instant::now();
    actix_web::rt::time::sleep(Duration::from_secs(6)).await;
    stop.store(true, Ordering::SeqCst);
    for client in clients {
        client.await.unwrap();
    }

    let answers = walker.answers.lock().unwrap().clone();
    let journeys = journeys.lock().unwrap().clone();
    assert!(before >= CLIENTS, "load ran before the restart: {before}");
    // every answer is the one expected, or 503 while the database was down
    let wrong: Vec<_> = answers
        .iter()
        .filter(|a| {
            !(a.status.is_success()
                || a.status == StatusCode::SEE_OTHER
                || a.status == StatusCode::SERVICE_UNAVAILABLE
                    && a.answered >= down_at
                    && a.sent <= up_at + GRACE)
        })
        .map(|a| {
            (
                a.step,
                a.status,
                a.sent.saturating_duration_since(down_at),
                a.sent.saturating_duration_since(up_at),
            )
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "answers other than success, or 503 outside the outage (step, status, sent after down, sent after up): {wrong:?}"
    );
    let unavailable = answers
        .iter()
        .filter(|a| a.status == StatusCode::SERVICE_UNAVAILABLE)
        .count();
    assert!(unavailable > 0, "the restart was felt by no request");
    // recovered without a restart: every step was served again after the grace
    for step in ["page", "code", "sign_in", "profile", "invite", "sign_out"] {
        assert!(
            answers
                .iter()
                .any(|a| a.step == step && a.sent > up_at + GRACE && a.status.as_u16() < 400),
            "{step} was not served after PostgreSQL came back"
        );
    }

    // what is still to send goes out (a claim the restart cut short runs out in two minutes)
    app.advance(120);
    let mut conn = PgConnection::establish(&url).unwrap();
    let unsent = |conn: &mut PgConnection| -> i64 {
        use schema::sms_messages as m;
        m::table
            .filter(m::state.ne("sent"))
            .count()
            .get_result(conn)
            .unwrap()
    };
    for _ in 0..600 {
        if unsent(&mut conn) == 0 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(unsent(&mut conn), 0, "every message is sent in the end");

    let codes = per_phone(
        &mut conn,
        "SELECT phone, count(*) AS n FROM login_codes GROUP BY phone",
    );
    let messages = per_phone(
        &mut conn,
        "SELECT phone, count(*) AS n FROM sms_messages GROUP BY phone",
    );
    let users = per_phone(
        &mut conn,
        "SELECT phone, count(*) AS n FROM users GROUP BY phone",
    );
    let credentials = per_phone(
        &mut conn,
        "SELECT u.phone, (SELECT count(*) FROM sessions s WHERE s.user_id = u.id) \
         + (SELECT count(*) FROM api_tokens t WHERE t.user_id = u.id) AS n FROM users u",
    );
    #[derive(QueryableByName)]
    struct Invited {
        #[diesel(sql_type = diesel::sql_types::Text)]
        phone: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        inviter: Option<String>,
    }
    let invited: HashMap<String, Option<String>> = diesel::sql_query(
        "SELECT u.phone, i.phone AS inviter FROM users u LEFT JOIN users i ON i.id = u.invited_by_id",
    )
    .load::<Invited>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|r| (r.phone, r.inviter))
    .collect();
    let mut sent: HashMap<String, i64> = HashMap::new();
    for m in app.sms.sent() {
        *sent.entry(m.to).or_default() += 1;
    }

    let mut problems = Vec::new();
    let n = |map: &HashMap<String, i64>, phone: &str| map.get(phone).copied().unwrap_or(0);
    for j in &journeys {
        let p = j.phone.as_str();
        let mut check = |ok: bool, what: &str| {
            if !ok {
                problems.push(format!(
                    "{p} ({}): {what}: {j:?}",
                    if j.web { "web" } else { "api" }
                ));
            }
        };
        check(fits(j.code, n(&codes, p), 1, 0), "codes");
        check(n(&messages, p) == n(&codes, p), "a message per code");
        check(n(&sent, p) == n(&messages, p), "each message sent once");
        check(fits(j.sign_in, n(&users, p), 1, 0), "accounts");
        let live = match (j.sign_in, j.sign_out) {
            // signed in and out: nothing left; an unknown sign-out may have happened or not
            (Step::Done, out) => fits(out, n(&credentials, p), 0, 1),
            (sign_in, _) => fits(sign_in, n(&credentials, p), 1, 0),
        };
        check(live, "sessions and tokens");
        let inviter = invited.get(p).cloned().flatten();
        let entered = match &j.invite {
            Some((by, step)) => {
                fits(
                    *step,
                    i64::from(inviter.as_deref() == Some(by.as_str())),
                    1,
                    0,
                ) && (inviter.is_none() || inviter.as_deref() == Some(by.as_str()))
            }
            None => inviter.is_none(),
        };
        check(entered, "the invite entered");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let everyone = journeys.len();
    assert!(
        users.keys().all(|p| journeys.iter().any(|j| &j.phone == p)),
        "an account nobody asked for"
    );
    eprintln!(
        "{everyone} journeys, {} answers, {unavailable} of them 503 while PostgreSQL was down for {DOWN:?}",
        answers.len()
    );
    // the app (and its database) before the server it lives on
    drop(conn);
    drop(walker);
    drop(app);
    drop(cluster);
}
