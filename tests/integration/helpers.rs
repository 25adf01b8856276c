//! `TestApp`: the real application on a random port, with a capturing SMS sender, a manual
//! clock and its own database (a temporary SQLite file or a fresh PostgreSQL database).

use std::{path::PathBuf, str::FromStr, sync::Arc, time::Duration};

use chrono::TimeDelta;
use diesel::{Connection, PgConnection, RunQueryDsl, prelude::*};
use reqwest::{Response, StatusCode, cookie::CookieStore, cookie::Jar, header};
use user_auth::{
    clock::{Clock, ManualClock},
    config::Settings,
    db::{DatabaseUrl, DbPool, schema},
    domain::{
        account::{Profile, User},
        invite_code::{InviteCode, InviteCodeGenerator, RandomInviteCodes},
        staff::{Action, ActionResult},
    },
    http::web::session::SESSION_COOKIE,
    sms::CapturingSender,
    startup::Application,
    state::Dependencies,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The messages the server's delivery worker sent, read once it has sent what is due.
pub struct Inbox {
    sender: CapturingSender,
    clock: ManualClock,
    pool: DbPool,
}

impl Inbox {
    /// Waits (a bounded while) until the worker holds no message that is due now.
    fn settle(&self) {
        assert!(
            self.wait(500),
            "the delivery worker did not send what was due"
        );
    }

    /// Waits at most `rounds` × 5 ms until the worker holds no message that is due now;
    /// whether it got there.
    pub fn wait(&self, rounds: usize) -> bool {
        use schema::sms_messages as m;
        for _ in 0..rounds {
            let due: i64 = m::table
                .filter(
                    m::state.eq("sending").or(m::state
                        .eq("pending")
                        .and(m::next_attempt_at.le(self.clock.now()))),
                )
                .count()
                .get_result(&mut self.pool.get().expect("a connection"))
                .expect("the outbox");
            if due == 0 {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        false
    }

    pub fn messages(&self) -> Vec<user_auth::sms::SentMessage> {
        self.settle();
        self.sender.messages()
    }

    pub fn messages_to(&self, to: &str) -> Vec<user_auth::sms::SentMessage> {
        self.settle();
        self.sender.messages_to(to)
    }

    /// What the worker has sent so far, without waiting (nor asking the database).
    pub fn sent(&self) -> Vec<user_auth::sms::SentMessage> {
        self.sender.messages()
    }

    /// What the worker has sent to `to` so far, without waiting (nor asking the database).
    pub fn sent_to(&self, to: &str) -> Vec<user_auth::sms::SentMessage> {
        self.sender.messages_to(to)
    }

    /// While set, every send fails (and is tried again later).
    pub fn set_failing(&self, failing: bool) {
        self.sender.set_failing(failing);
    }
}

/// Test database, removed when the app is dropped.
pub enum TestDb {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            TestDb::Postgres { admin_url, name } => {
                if let Ok(mut conn) = PgConnection::establish(admin_url) {
                    let _ = diesel::sql_query(format!(
                        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                    ))
                    .execute(&mut conn);
                }
            }
        }
    }
}

fn random_name() -> String {
    let mut bytes = [0u8; 8];
    rand::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The PostgreSQL server for tests, or `None` (with one printed line) when it is not configured.
fn postgres_admin_url() -> Option<String> {
    match std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|v| !v.is_empty())
    {
        Some(url) => Some(url),
        None => {
            missing(
                "REQUIRE_POSTGRES",
                "TEST_DATABASE_URL is not set: the PostgreSQL runs of the integration tests",
            );
            None
        }
    }
}

impl TestDb {
    /// A fresh, empty database on `backend` (a temporary SQLite file, or a new PostgreSQL
    /// database from `TEST_DATABASE_URL`), or `None` when PostgreSQL is not configured.
    pub fn create(backend: Backend) -> Option<(DatabaseUrl, TestDb)> {
        Some(match backend {
            Backend::Sqlite => {
                let path =
                    std::env::temp_dir().join(format!("user-auth-test-{}.db", random_name()));
                (DatabaseUrl::Sqlite(path.clone()), TestDb::Sqlite(path))
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url()?;
                let name = format!("user_auth_test_{}", random_name());
                let mut admin = PgConnection::establish(&admin_url)
                    .unwrap_or_else(|e| panic!("TEST_DATABASE_URL: cannot connect: {e}"));
                diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
                    .execute(&mut admin)
                    .expect("create the test database");
                let url = with_database(&admin_url, &name);
                (
                    DatabaseUrl::Postgres(url),
                    TestDb::Postgres { admin_url, name },
                )
            }
        })
    }
}

/// Replaces the database name in a PostgreSQL URL.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

/// Options for one test's app.
pub struct Options {
    pub region: Option<&'static str>,
    /// `PHONE_ALLOWED_REGIONS`.
    pub allowed_regions: Option<&'static [&'static str]>,
    pub invite_codes: Arc<dyn InviteCodeGenerator>,
    pub trust_proxy_headers: bool,
    /// `COOKIE_SECURE` (the client speaks plain HTTP, so a secure cookie is not sent back).
    pub cookie_secure: bool,
    /// Where the clock starts (default: now).
    pub clock_start: Option<chrono::NaiveDateTime>,
    /// The sign-in rules' numbers.
    pub limits: user_auth::domain::limits::Limits,
    /// How often the server purges what is past retention.
    pub purge_every: Duration,
    /// Real providers (at a fake provider) instead of the capturing sender.
    pub sms: Option<user_auth::config::SmsSettings>,
    /// `PUBLIC_ORIGIN`.
    pub public_origin: Option<&'static str>,
    /// `TEST_PHONE_NUMBERS`.
    pub test_numbers: Option<&'static str>,
    /// How mail is sent (default: the console).
    pub mail: Option<user_auth::config::MailSettings>,
    /// Serve the probes and metrics on an `ADMIN_BIND` of their own.
    pub admin_bind: bool,
    /// The HTTP server's connection limits.
    pub http: user_auth::config::HttpLimits,
    /// `INVITEE_PHONE_DISPLAY`.
    pub invitee_phones: user_auth::domain::phone::PhoneDisplay,
    /// `INVITE_NOTIFY_SMS`.
    pub invite_notify_sms: bool,
    /// `APP_TIME_ZONE`.
    pub time_zone: chrono_tz::Tz,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            region: None,
            allowed_regions: None,
            invite_codes: Arc::new(RandomInviteCodes),
            trust_proxy_headers: false,
            cookie_secure: false,
            clock_start: None,
            limits: user_auth::domain::limits::Limits::default(),
            purge_every: user_auth::config::PURGE_EVERY,
            sms: None,
            public_origin: None,
            test_numbers: None,
            mail: None,
            admin_bind: false,
            http: user_auth::config::HttpLimits::default(),
            invitee_phones: Default::default(),
            invite_notify_sms: false,
            time_zone: chrono_tz::Tz::UTC,
        }
    }
}

pub struct TestApp {
    pub address: String,
    /// `ADMIN_BIND`'s address, when the server has one.
    pub admin_address: Option<String>,
    pub client: reqwest::Client,
    pub jar: Arc<Jar>,
    pub sms: Inbox,
    pub clock: ManualClock,
    pub pool: DbPool,
    /// The settings the server was started with (its database included).
    pub settings: Settings,
    /// `None` for a second instance on another's database.
    db: Option<TestDb>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, Options::default()).await
    }

    pub async fn spawn_with(backend: Backend, options: Options) -> Option<TestApp> {
        let (url, db) = TestDb::create(backend)?;
        Some(Self::start(url, db, options).await)
    }

    /// The application on `url`, which is (or lives in) `db`.
    /// Another server on this one's database, clock and providers, as a second instance
    /// behind a proxy would be.
    pub async fn second_instance(&self) -> TestApp {
        let sms = CapturingSender::new();
        let senders = match self.settings.sms.backend {
            user_auth::config::SmsBackend::Console => {
                user_auth::app::Senders::one(Arc::new(sms.clone()))
            }
            _ => user_auth::state::senders(&self.settings),
        };
        let deps = Dependencies {
            clock: Arc::new(self.clock.clone()),
            sms: senders,
            invite_codes: Arc::new(RandomInviteCodes),
        };
        let app = Application::build(&self.settings, deps).expect("a second server starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let admin_address = app.admin_port().map(|p| format!("http://127.0.0.1:{p}"));
        let pool = app.pool();
        actix_web::rt::spawn(app.run_until_stopped());
        let jar = Arc::new(Jar::default());
        TestApp {
            address,
            admin_address,
            client: client_with(jar.clone()),
            jar,
            sms: Inbox {
                sender: sms,
                clock: self.clock.clone(),
                pool: pool.clone(),
            },
            clock: self.clock.clone(),
            pool,
            settings: self.settings.clone(),
            db: None,
        }
    }

    pub async fn start(url: DatabaseUrl, db: TestDb, options: Options) -> TestApp {
        let mut settings = Settings::for_tests(url.clone());
        settings.phone_policy.default_region = options
            .region
            .map(|r| phonenumber::country::Id::from_str(r).expect("region"));
        settings.phone_policy.allowed_regions = options.allowed_regions.map(|regions| {
            regions
                .iter()
                .map(|r| phonenumber::country::Id::from_str(r).expect("region"))
                .collect()
        });
        settings.trust_proxy_headers = options.trust_proxy_headers;
        settings.address_rules.proxy_hops = usize::from(options.trust_proxy_headers);
        settings.cookie_secure = options.cookie_secure;
        settings.limits = options.limits;
        settings.purge_every = options.purge_every;
        // the worker looks for retries often, as the tests move the clock on
        settings.delivery_poll = Duration::from_millis(10);
        if let Some(sms) = &options.sms {
            settings.sms = sms.clone();
        }
        if let Some(mail) = &options.mail {
            settings.mail = mail.clone();
        }
        settings.http = options.http;
        if options.admin_bind {
            settings.admin_bind = Some("127.0.0.1:0".parse().expect("an address"));
        }
        settings.invitee_phones = options.invitee_phones;
        settings.invite_notify_sms = options.invite_notify_sms;
        settings.time_zone = options.time_zone;
        settings.test_numbers = options
            .test_numbers
            .map(|t| user_auth::domain::test_numbers::TestNumbers::parse(t).expect("test numbers"))
            .unwrap_or_default();
        settings.public_origin = options
            .public_origin
            .map(|o| user_auth::config::PublicOrigin::parse(o).expect("an origin"));
        let sms = CapturingSender::new();
        let clock = options
            .clock_start
            .map_or_else(ManualClock::new, ManualClock::at);
        let deps = Dependencies {
            clock: Arc::new(clock.clone()),
            sms: match &options.sms {
                Some(_) => user_auth::state::senders(&settings),
                None => user_auth::app::Senders::one(Arc::new(sms.clone())),
            },
            invite_codes: options.invite_codes,
        };
        let app = Application::build(&settings, deps).expect("the application starts");
        let settings = settings.clone();
        let address = format!("http://127.0.0.1:{}", app.port());
        let admin_address = app.admin_port().map(|p| format!("http://127.0.0.1:{p}"));
        let pool = app.pool();
        actix_web::rt::spawn(app.run_until_stopped());
        let jar = Arc::new(Jar::default());
        let client = client_with(jar.clone());
        TestApp {
            address,
            admin_address,
            client,
            jar,
            sms: Inbox {
                sender: sms,
                clock: clock.clone(),
                pool: pool.clone(),
            },
            clock,
            pool,
            settings,
            db: Some(db),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_html(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("body")
    }

    /// The page at `path` as a browser asking for `lang` (`Accept-Language`) gets it.
    pub async fn get_html_in(&self, path: &str, lang: &str) -> String {
        self.client
            .get(self.url(path))
            .header(header::ACCEPT_LANGUAGE, lang)
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("body")
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(encode(fields))
            .send()
            .await
            .expect("POST")
    }

    /// The CSRF token of the current session, taken from a page as a browser would.
    pub async fn csrf(&self) -> String {
        let html = self.get_html("/login").await;
        let html = if html.is_empty() {
            self.get_html("/profile").await
        } else {
            html
        };
        csrf_from(&html)
    }

    /// Submits the phone form.
    /// Submits the phone form, then gives the delivery worker a moment to send the message,
    /// as a person reading their phone would.
    pub async fn request_code(&self, phone: &str) -> Response {
        let csrf = self.csrf().await;
        let res = self
            .post_form("/login", &[("csrf", &csrf), ("phone", phone)])
            .await;
        self.sms.wait(200);
        res
    }

    /// Submits the code form.
    pub async fn submit_code(&self, code: &str) -> Response {
        let csrf = csrf_from(&self.get_html("/login/code").await);
        self.post_form("/login/code", &[("csrf", &csrf), ("code", code)])
            .await
    }

    /// Presses "send a new code".
    pub async fn resend(&self) -> Response {
        let csrf = csrf_from(&self.get_html("/login/code").await);
        self.post_form("/login/resend", &[("csrf", &csrf)]).await
    }

    /// The code in the last message sent to `e164` (after the worker has sent what it has).
    pub fn last_code(&self, e164: &str) -> String {
        let messages = self.sms.messages_to(e164);
        let text = &messages
            .last()
            .unwrap_or_else(|| panic!("no message to {e164}"))
            .text;
        code_in(text)
    }

    /// The whole sign-in: phone, code from the message, and the redirect to the profile.
    pub async fn sign_in(&self, phone: &str, e164: &str) {
        let res = self.request_code(phone).await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "code request for {phone}"
        );
        let res = self.submit_code(&self.last_code(e164)).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), "/profile");
    }

    pub async fn sign_out(&self) -> Response {
        let csrf = csrf_from(&self.get_html("/profile").await);
        self.post_form("/logout", &[("csrf", &csrf)]).await
    }

    /// A JSON API call: returns the status, the headers and the parsed body (null when empty).
    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&str>,
        token: Option<&str>,
    ) -> (StatusCode, reqwest::header::HeaderMap, serde_json::Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(body) = body {
            req = req
                .header(header::CONTENT_TYPE, "application/json")
                .body(body.to_owned());
        }
        if let Some(token) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let res = req.send().await.expect("API call");
        let (status, headers) = (res.status(), res.headers().clone());
        let text = res.text().await.expect("body");
        let json = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {text}"))
        };
        (status, headers, json)
    }

    /// Asks for a code for `phone` over the API.
    pub async fn api_code(
        &self,
        phone: &str,
    ) -> (StatusCode, reqwest::header::HeaderMap, serde_json::Value) {
        let body = serde_json::json!({ "phone": phone }).to_string();
        self.api(
            reqwest::Method::POST,
            "/api/v1/auth/code",
            Some(&body),
            None,
        )
        .await
    }

    /// Signs in over the API and returns the bearer token.
    pub async fn api_token(&self, e164: &str) -> String {
        let (status, _, json) = self.api_code(e164).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{json}");
        let body = format!(r#"{{"phone":"{e164}","code":"{}"}}"#, self.last_code(e164));
        let (status, _, json) = self
            .api(
                reqwest::Method::POST,
                "/api/v1/auth/token",
                Some(&body),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{json}");
        json["token"].as_str().expect("a token").to_owned()
    }

    /// The session cookie's value, if the client holds one.
    pub fn session_cookie(&self) -> Option<String> {
        let url = self.address.parse().expect("url");
        let header = self.jar.cookies(&url)?;
        header.to_str().ok()?.split("; ").find_map(|c| {
            c.strip_prefix(&format!("{SESSION_COOKIE}="))
                .map(str::to_owned)
        })
    }

    /// Signs in through the forms with another browser; returns the answer to the code form.
    pub async fn sign_in_with(&self, browser: &reqwest::Client, e164: &str) -> Response {
        self.request_code_with(browser, e164).await;
        self.submit_code_with(browser, &self.last_code(e164)).await
    }

    /// Submits the phone form in `browser`.
    pub async fn request_code_with(&self, browser: &reqwest::Client, phone: &str) -> Response {
        let page = browser.get(self.url("/login")).send().await.expect("GET");
        let html = page.text().await.expect("body");
        let html = if html.is_empty() {
            let page = browser.get(self.url("/profile")).send().await.expect("GET");
            page.text().await.expect("body")
        } else {
            html
        };
        let res = browser
            .post(self.url("/login"))
            .form(&[("csrf", csrf_from(&html).as_str()), ("phone", phone)])
            .send()
            .await
            .expect("POST");
        self.sms.wait(200);
        res
    }

    /// Submits the code form in `browser`.
    pub async fn submit_code_with(&self, browser: &reqwest::Client, code: &str) -> Response {
        let page = browser
            .get(self.url("/login/code"))
            .send()
            .await
            .expect("GET");
        let html = page.text().await.expect("body");
        browser
            .post(self.url("/login/code"))
            .form(&[("csrf", csrf_from(&html).as_str()), ("code", code)])
            .send()
            .await
            .expect("POST")
    }

    /// A browser of its own at `address`, as a trusted proxy reports it (`X-Forwarded-For`).
    pub fn browser_at(&self, address: &str) -> reqwest::Client {
        let mut headers = header::HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            header::HeaderValue::from_str(address).expect("an address"),
        );
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(Arc::new(Jar::default()))
            .default_headers(headers)
            .build()
            .expect("client")
    }

    /// Rows of `sign_in_events`, `login_codes` and `check_failures`.
    pub fn rows(&self) -> (i64, i64, i64) {
        let mut conn = self.conn();
        (
            schema::sign_in_events::table
                .count()
                .get_result(&mut conn)
                .expect("count"),
            schema::login_codes::table
                .count()
                .get_result(&mut conn)
                .expect("count"),
            schema::check_failures::table
                .count()
                .get_result(&mut conn)
                .expect("count"),
        )
    }

    /// A second browser, with its own cookies.
    pub fn new_browser(&self) -> (reqwest::Client, Arc<Jar>) {
        let jar = Arc::new(Jar::default());
        (client_with(jar.clone()), jar)
    }

    pub fn advance(&self, seconds: i64) {
        self.clock.advance(TimeDelta::seconds(seconds));
    }

    pub fn conn(&self) -> diesel::r2d2::PooledConnection<user_auth::db::Manager> {
        self.pool.get().expect("a database connection")
    }

    pub fn user_count(&self) -> i64 {
        schema::users::table
            .count()
            .get_result(&mut self.conn())
            .expect("count users")
    }

    pub fn login_code_count(&self) -> i64 {
        schema::login_codes::table
            .count()
            .get_result(&mut self.conn())
            .expect("count codes")
    }

    pub fn session_count(&self) -> i64 {
        schema::sessions::table
            .count()
            .get_result(&mut self.conn())
            .expect("count sessions")
    }

    /// Creates an account directly, as a first sign-in would.
    pub fn create_user(&self, e164: &str) -> User {
        create_account(&mut self.conn(), e164, self.clock.now())
    }

    /// Makes `e164` staff (creating the account if needed), as the command line does.
    pub fn make_staff(&self, e164: &str) -> User {
        self.grant(e164, Action::GrantStaff)
    }

    /// Makes `e164` an owner (creating the account if needed), as the command line does.
    pub fn make_owner(&self, e164: &str) -> User {
        self.grant(e164, Action::GrantOwner)
    }

    fn grant(&self, e164: &str, action: Action) -> User {
        let done = user_auth::app::staff::set_role_by_phone(
            &mut self.conn(),
            &RandomInviteCodes,
            e164,
            action,
            self.clock.now(),
        )
        .expect("grant");
        match done {
            ActionResult::Done(user) => user,
            other => panic!("{action:?} {e164}: {other:?}"),
        }
    }

    /// Enters `code` for `user_id` directly through the use case's rule; a refusal fails the
    /// test.
    pub fn activate(&self, user_id: i64, code: &str) -> Profile {
        let code = InviteCode::parse(code).expect("well-formed code");
        let rules = user_auth::app::invites::EntryRules {
            max_tries_per_hour: 1000,
            max_invitees: None,
            network: None,
            notify: None,
        };
        user_auth::app::invites::activate(
            &mut self.conn(),
            &rules,
            user_id,
            &code,
            self.clock.now(),
        )
        .expect("activate")
        .unwrap_or_else(|refused| panic!("entering {code:?} was refused: {refused:?}"))
    }

    /// Enters an invite code through the profile form.
    pub async fn enter_code(&self, code: &str) -> Response {
        let csrf = csrf_from(&self.get_html("/profile").await);
        self.post_form("/profile/invite", &[("csrf", &csrf), ("code", code)])
            .await
    }

    pub fn user(&self, e164: &str) -> Option<User> {
        find_account(&mut self.conn(), e164)
    }

    /// Name of the PostgreSQL test database and the admin URL, on that backend.
    pub fn postgres_database(&self) -> Option<(String, String)> {
        match self.db.as_ref()? {
            TestDb::Postgres { admin_url, name } => Some((admin_url.clone(), name.clone())),
            TestDb::Sqlite(_) => None,
        }
    }
}

/// Creates an account as a first sign-in would (with a random invite code).
pub fn create_account(
    conn: &mut user_auth::db::DbConnection,
    e164: &str,
    now: chrono::NaiveDateTime,
) -> User {
    user_auth::app::accounts::create_user(conn, &RandomInviteCodes, e164, now).expect("create user")
}

/// The account of `e164` as stored now.
pub fn find_account(conn: &mut user_auth::db::DbConnection, e164: &str) -> Option<User> {
    user_auth::db::users::find_by_phone(conn, e164).expect("find user")
}

/// Over the whole `users` table: every invitee count matches, nobody invited themselves, and
/// the inviter graph has no cycle.
pub fn assert_invite_invariants(conn: &mut user_auth::db::DbConnection) {
    let rows: Vec<(i64, Option<i64>, i64)> = schema::users::table
        .select((
            schema::users::id,
            schema::users::invited_by_id,
            schema::users::invitee_count,
        ))
        .load(conn)
        .unwrap();
    let parent: std::collections::HashMap<i64, Option<i64>> =
        rows.iter().map(|(id, p, _)| (*id, *p)).collect();
    for (id, inviter, count) in &rows {
        assert_ne!(Some(*id), *inviter, "{id} invited themselves");
        let actual = rows.iter().filter(|(_, p, _)| *p == Some(*id)).count() as i64;
        assert_eq!(*count, actual, "invitee_count of {id}");
        let mut seen = std::collections::HashSet::from([*id]);
        let mut at = *inviter;
        while let Some(p) = at {
            assert!(seen.insert(p), "cycle through {id}");
            at = parent[&p];
        }
    }
}

pub fn client_with(jar: Arc<Jar>) -> reqwest::Client {
    user_auth::sms::install_tls();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(jar)
        .build()
        .expect("client")
}

fn encode(fields: &[(&str, &str)]) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The CSRF token in a page.
pub fn csrf_from(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no CSRF token in page:\n{html}"))
        + marker.len();
    html[start..].split('"').next().expect("token").to_owned()
}

/// The target of the link marked `rel="…"` in a page, with HTML escapes undone.
pub fn link_with_rel(html: &str, rel: &str) -> Option<String> {
    let marker = format!("rel=\"{rel}\"");
    html.split("<a href=\"")
        .skip(1)
        .find(|s| s.split('>').next().unwrap_or("").contains(&marker))
        .map(|s| {
            s.split('"')
                .next()
                .unwrap_or("")
                .replace("&#38;", "&")
                .replace("&amp;", "&")
        })
}

/// A code that is certainly not `right`.
pub fn wrong_for(right: &str) -> &'static str {
    if right == "0000" { "1111" } else { "0000" }
}

/// The digits of the code in a message ("… code: 1234. …").
pub fn code_in(text: &str) -> String {
    let after = text
        .split(": ")
        .nth(1)
        .unwrap_or_else(|| panic!("no code in {text:?}"));
    after.chars().take_while(char::is_ascii_digit).collect()
}

/// Asserts the status and that the page says `text`; returns the page.
pub async fn expect_page(res: Response, status: StatusCode, text: &str) -> String {
    assert_eq!(res.status(), status);
    let html = res.text().await.expect("body");
    assert!(html.contains(text), "the page should say {text:?}:\n{html}");
    html
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// Runs each listed test once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Postgres).await;
                }
            )*
        }
    };
}

/// A test needs something this machine lacks (`why`): with `require` set to `1` (as CI sets
/// it) the test fails; otherwise one line, once, says so and the test passes without running.
pub fn missing(require: &str, why: &str) {
    assert!(
        std::env::var(require).ok().as_deref() != Some("1"),
        "{require}=1 but {why}"
    );
    static SAID: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut said = SAID.lock().unwrap_or_else(|e| e.into_inner());
    if !said.iter().any(|s| s == why) {
        said.push(why.to_owned());
        // written to the stream itself, so the test harness's capture does not hide it
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "{why}: skipped");
    }
}

/// A port nothing listens on now, on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The text of the QR code a page draws (the first `class="qr"` SVG in `html`): its path of
/// dark modules is laid out again as pixels (4 to a module) and read by a QR decoder.
pub fn decode_qr(html: &str) -> String {
    let svg = &html[html.find("class=\"qr\"").expect("a QR code on the page")..];
    let size: usize = svg
        .split("viewBox=\"0 0 ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the SVG's size");
    let path = svg
        .split(" d=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the path");
    let mut dark = vec![false; size * size];
    for rect in path.split('M').filter(|r| !r.is_empty()) {
        // `x yhNv1h-Nz`
        let (x, rest) = rect.split_once(' ').expect("x");
        let (y, rest) = rest.split_once('h').expect("y");
        let run = rest.split('v').next().expect("run");
        let (x, y, run): (usize, usize, usize) =
            (x.parse().unwrap(), y.parse().unwrap(), run.parse().unwrap());
        for i in x..x + run {
            dark[y * size + i] = true;
        }
    }
    const SCALE: usize = 4;
    let mut image = rqrr::PreparedImage::prepare_from_bitmap(size * SCALE, size * SCALE, |x, y| {
        dark[(y / SCALE) * size + x / SCALE]
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("a readable QR code").1
}

/// The text of the QR code in a PNG (a screenshot of the browser's rendering), read by a QR
/// decoder from its pixels' luminance.
pub fn decode_qr_png(bytes: &[u8]) -> String {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("its size")];
    let info = reader.next_frame(&mut buf).expect("its pixels");
    let channels = info.color_type.samples();
    let (width, height) = (info.width as usize, info.height as usize);
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        let at = (y * width + x) * channels;
        let rgb = &buf[at..at + channels.min(3)];
        (rgb.iter().map(|&v| u32::from(v)).sum::<u32>() / rgb.len() as u32) as u8
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the screenshot");
    grids[0].decode().expect("a readable QR code").1
}
