//! The database going away and coming back.

use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::StatusCode;

use crate::helpers::{Backend, TestApp};

const PHONE: &str = "+998901234567";

/// Makes the database unreachable for the app; returns something that restores it when dropped
/// or passed to `restore`.
pub(crate) enum Outage {
    /// SQLite is a file: the app loses it when every pooled connection is taken.
    Starved(#[allow(dead_code)] Vec<diesel::r2d2::PooledConnection<user_auth::db::Manager>>),
    /// PostgreSQL refuses new connections and the open ones are cut.
    Refused { admin_url: String, name: String },
}

pub(crate) fn start_outage(app: &TestApp) -> Outage {
    match app.postgres_database() {
        None => Outage::Starved((0..4).map(|_| app.conn()).collect()),
        Some((admin_url, name)) => {
            let mut admin = PgConnection::establish(&admin_url).unwrap();
            diesel::sql_query(format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false"))
                .execute(&mut admin)
                .unwrap();
            diesel::sql_query(format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            ))
            .execute(&mut admin)
            .unwrap();
            Outage::Refused { admin_url, name }
        }
    }
}

pub(crate) fn end_outage(outage: Outage) {
    match outage {
        Outage::Starved(held) => drop(held),
        Outage::Refused { admin_url, name } => {
            let mut admin = PgConnection::establish(&admin_url).unwrap();
            diesel::sql_query(format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true"))
                .execute(&mut admin)
                .unwrap();
        }
    }
}

async fn an_unreachable_database_gives_503_then_the_app_recovers(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.sign_in(PHONE, PHONE).await;
    let csrf = app.csrf().await;

    let outage = start_outage(&app);
    let res = app.get("/profile").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().get("retry-after").is_some());
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("temporarily unavailable")
    );
    let (other, _) = app.new_browser();
    let page = other.get(app.url("/login")).send().await.unwrap();
    assert_eq!(
        page.status(),
        StatusCode::OK,
        "pages without data still work"
    );
    let token = crate::helpers::csrf_from(&page.text().await.unwrap());
    let res = other
        .post(app.url("/login"))
        .form(&[("csrf", token.as_str()), ("phone", "+998901234568")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    end_outage(outage);

    let res = app.get("/profile").await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "served again without a restart"
    );
    assert!(!csrf.is_empty());
    assert!(
        app.sms.messages_to("+998901234568").is_empty(),
        "nothing was sent during the outage"
    );
}

crate::on_both_backends!(an_unreachable_database_gives_503_then_the_app_recovers);

/// The pool pings no connection before handing it out; a connection found dead before the
/// database answered anything (so nothing was written) is replaced and the request runs again.
#[actix_web::test]
async fn connections_cut_while_idle_cost_no_request() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    app.sign_in(PHONE, PHONE).await;
    let csrf = app.csrf().await;
    let (admin_url, name) = app.postgres_database().expect("a PostgreSQL database");
    for round in 0..3 {
        // every connection the app holds is cut while idle (as by a restart of the database)
        let mut admin = PgConnection::establish(&admin_url).unwrap();
        let cut = diesel::sql_query(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ))
        .execute(&mut admin)
        .unwrap();
        assert!(cut > 0, "round {round}: the app held a connection");
        std::thread::sleep(std::time::Duration::from_millis(20));
        // as many reads at once as the pool has connections, and more
        let reads = futures_util::future::join_all((0..8).map(|_| app.get("/profile"))).await;
        for res in reads {
            assert_eq!(res.status(), StatusCode::OK, "round {round}: a read");
        }
        // and a write: the code is asked for once, and stored once
        let phone = format!("+99890123450{round}");
        let res = app
            .post_form("/login", &[("csrf", csrf.as_str()), ("phone", &phone)])
            .await;
        assert!(
            res.status().is_redirection(),
            "round {round}: {}",
            res.status()
        );
    }
    let stored: i64 = {
        use diesel::prelude::*;
        use user_auth::db::schema::login_codes;
        login_codes::table
            .filter(login_codes::phone.like("+99890123450%"))
            .count()
            .get_result(&mut *app.conn())
            .unwrap()
    };
    assert_eq!(stored, 3, "one code per request, none lost or doubled");
}

/// Tables, columns and indexes of one backend, as sorted lines.
fn shape(conn: &mut user_auth::db::DbConnection) -> Vec<String> {
    use diesel::sql_types::Text;
    #[derive(diesel::QueryableByName)]
    struct Line {
        #[diesel(sql_type = Text)]
        line: String,
    }
    let sql = match conn {
        user_auth::db::DbConnection::Pg(_) => {
            "SELECT 'column ' || table_name || '.' || column_name || ' null=' || is_nullable AS line \
             FROM information_schema.columns WHERE table_schema = 'public' \
             AND table_name NOT LIKE '__diesel%' \
             UNION ALL SELECT 'index ' || indexname AS line FROM pg_indexes \
             WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey' AND tablename NOT LIKE '__diesel%'"
        }
        user_auth::db::DbConnection::Sqlite(_) => {
            "SELECT 'column ' || m.name || '.' || p.name || ' null=' || \
             CASE WHEN p.\"notnull\" = 1 OR p.pk = 1 THEN 'NO' ELSE 'YES' END AS line \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE '__diesel%' AND m.name NOT LIKE 'sqlite_%' \
             UNION ALL SELECT 'index ' || name AS line FROM sqlite_master \
             WHERE type = 'index' AND sql IS NOT NULL"
        }
    };
    let mut lines: Vec<String> = diesel::sql_query(sql)
        .load::<Line>(conn)
        .unwrap()
        .into_iter()
        .map(|l| l.line)
        .collect();
    lines.sort();
    lines
}

#[actix_web::test]
async fn both_backends_have_the_same_tables_columns_and_indexes() {
    let Some(pg) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let sqlite = TestApp::spawn(Backend::Sqlite).await.unwrap();

    let pg_shape = shape(&mut pg.conn());
    let sqlite_shape = shape(&mut sqlite.conn());

    assert!(pg_shape.iter().any(|l| l == "index users_invite_code_key"));
    assert!(
        pg_shape
            .iter()
            .any(|l| l == "column users.invited_by_id null=YES")
    );
    assert_eq!(pg_shape, sqlite_shape);
}

#[actix_web::test]
async fn every_sqlite_connection_has_foreign_keys_a_busy_timeout_and_wal() {
    use diesel::sql_types::{BigInt, Text};
    #[derive(diesel::QueryableByName)]
    struct Number {
        #[diesel(sql_type = BigInt)]
        value: i64,
    }
    #[derive(diesel::QueryableByName)]
    struct Word {
        #[diesel(sql_type = Text)]
        value: String,
    }
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let mut conn = app.conn();
    let number = |conn: &mut user_auth::db::DbConnection, sql: &str| {
        diesel::sql_query(sql)
            .get_result::<Number>(conn)
            .unwrap()
            .value
    };
    assert_eq!(
        number(
            &mut conn,
            "SELECT foreign_keys AS value FROM pragma_foreign_keys"
        ),
        1
    );
    assert_eq!(
        number(
            &mut conn,
            "SELECT timeout AS value FROM pragma_busy_timeout"
        ),
        5000
    );
    let mode = diesel::sql_query("SELECT journal_mode AS value FROM pragma_journal_mode")
        .get_result::<Word>(&mut conn)
        .unwrap()
        .value;
    assert_eq!(mode, "wal");
}

/// The plan PostgreSQL picks for `sql` with `args`, with sequential scans priced out: a query
/// that still scans or sorts has no index to serve it.
fn plan(conn: &mut user_auth::db::DbConnection, sql: &str, args: &str) -> String {
    #[derive(diesel::QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
        line: String,
    }
    diesel::sql_query("DEALLOCATE ALL").execute(conn).unwrap();
    diesel::sql_query(format!("PREPARE q AS {sql}"))
        .execute(conn)
        .unwrap();
    let lines: Vec<Line> = diesel::sql_query(format!("EXPLAIN EXECUTE q({args})"))
        .load(conn)
        .unwrap();
    lines
        .into_iter()
        .map(|l| l.line)
        .collect::<Vec<_>>()
        .join("\n")
}

#[actix_web::test]
async fn every_profile_query_is_served_by_an_index_on_postgres() {
    use user_auth::db::invites::{CHAIN_SQL, Slice, invitees_sql};
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let owner = app.create_user(PHONE);
    for i in 0..300 {
        let u = app.create_user(&format!("+9989030{i:05}"));
        app.activate(u.id, &owner.invite_code);
        app.advance(1);
    }
    let mut conn = app.conn();
    diesel::sql_query("ANALYZE users")
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query("SET enable_seqscan = off")
        .execute(&mut conn)
        .unwrap();
    let at = "'2030-01-01 00:00:00'";
    let cursor = chrono::NaiveDate::from_ymd_opt(2030, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let id = owner.id;
    for (sql, args, ordered) in [
        (invitees_sql(Slice::First).0, format!("{id}, 51"), true),
        (
            invitees_sql(Slice::OlderThan(cursor, 1000)).0,
            format!("{id}, {at}, {at}, 1000, 51"),
            true,
        ),
        (
            invitees_sql(Slice::NewerThan(cursor, 1000)).0,
            format!("{id}, {at}, {at}, 1000, 51"),
            true,
        ),
        // one row per step up the chain; its order does not matter
        (CHAIN_SQL.to_owned(), format!("{id}, 5"), false),
    ] {
        let sql = sql.as_str();
        let plan = plan(&mut conn, sql, &args);
        assert!(plan.contains("Index"), "{sql}\n{plan}");
        assert!(!plan.contains("Seq Scan"), "{sql}\n{plan}");
        assert!(
            !ordered || !plan.contains("Sort"),
            "the index gives the order: {sql}\n{plan}"
        );
    }
}

/// SQLite reads every invitee page from `users_invitees_idx` alone, in the index's order.
#[actix_web::test]
async fn every_invitee_page_is_read_from_the_covering_index_on_sqlite() {
    use user_auth::db::invites::{Slice, invitees_sql};
    #[derive(diesel::QueryableByName)]
    struct Step {
        #[diesel(sql_type = diesel::sql_types::Text)]
        detail: String,
    }
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let mut conn = app.conn();
    let at = chrono::NaiveDate::from_ymd_opt(2030, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    for slice in [
        Slice::First,
        Slice::OlderThan(at, 1000),
        Slice::NewerThan(at, 1000),
    ] {
        let sql = invitees_sql(slice).1;
        let plan: Vec<Step> = diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
            .load(&mut conn)
            .unwrap();
        let plan: Vec<String> = plan.into_iter().map(|s| s.detail).collect();
        let range = match slice {
            Slice::First => "invited_by_id=?",
            Slice::OlderThan(..) => "invited_by_id=? AND invited_at<?",
            Slice::NewerThan(..) => "invited_by_id=? AND invited_at>?",
        };
        assert_eq!(
            plan,
            [format!(
                "SEARCH users USING COVERING INDEX users_invitees_idx ({range})"
            )],
            "{sql}"
        );
    }
}

/// The bundled SQLite is built with the options in `.cargo/config.toml` (see the comments
/// there): without them cached statements are prepared again on every run and the pool's
/// connections share mutexes.
#[actix_web::test]
async fn the_bundled_sqlite_is_built_with_our_options() {
    #[derive(diesel::QueryableByName)]
    struct Option_ {
        #[diesel(sql_type = diesel::sql_types::Text)]
        compile_options: String,
    }
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let options: Vec<String> = diesel::sql_query("PRAGMA compile_options")
        .load::<Option_>(&mut app.conn())
        .unwrap()
        .into_iter()
        .map(|o| o.compile_options)
        .collect();
    for wanted in ["ENABLE_QPSG", "DEFAULT_MEMSTATUS=0", "THREADSAFE=2"] {
        assert!(
            options.iter().any(|o| o == wanted),
            "{wanted} in {options:?}"
        );
    }
    assert!(
        !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
        "{options:?}"
    );
}

/// A role made for one test, dropped (after the database that refers to it) at the end.
struct Role {
    admin_url: String,
    name: String,
}

impl Drop for Role {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!("DROP ROLE IF EXISTS \"{}\"", self.name))
                .execute(&mut conn);
        }
    }
}

/// The README's least-privilege block, for `role` on `database`.
fn least_privilege_sql(role: &str, database: &str) -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let block = readme
        .split_once("<!-- least-privilege:begin -->")
        .and_then(|(_, rest)| rest.split_once("<!-- least-privilege:end -->"))
        .expect("the README marks its least-privilege block")
        .0;
    let sql: String = block
        .lines()
        .filter(|l| !l.starts_with("```"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(sql.contains("user_auth_app") && sql.contains("audit_log"));
    sql.replace("user_auth_app", &format!("\"{role}\""))
        .replace("DATABASE user_auth ", &format!("DATABASE \"{database}\" "))
}

/// The README's least-privilege role runs the whole app, and cannot edit, empty or change the
/// audit log, change a table or pretend a migration ran.
#[actix_web::test]
async fn the_readme_s_least_privilege_role_runs_the_app_and_cannot_touch_the_audit_log() {
    use crate::helpers::{Options, TestDb, with_database};
    use diesel::prelude::*;
    use user_auth::db::{DatabaseUrl, schema::audit_log};

    let Some((owner_url, db)) = TestDb::create(Backend::Postgres) else {
        return;
    };
    let TestDb::Postgres { admin_url, name } = &db else {
        unreachable!("a PostgreSQL database")
    };
    let role = Role {
        admin_url: admin_url.clone(),
        name: format!("user_auth_app_{}", &name["user_auth_test_".len()..]),
    };
    user_auth::db::migrate(&owner_url).expect("the owner migrates");
    let DatabaseUrl::Postgres(owner) = &owner_url else {
        unreachable!()
    };
    let mut as_owner = PgConnection::establish(owner).unwrap();
    diesel::sql_query(format!("CREATE ROLE \"{}\" LOGIN", role.name))
        .execute(&mut as_owner)
        .unwrap();
    use diesel::connection::SimpleConnection;
    as_owner
        .batch_execute(&least_privilege_sql(&role.name, name))
        .expect("the README's statements run");
    let mut app_url = reqwest::Url::parse(&with_database(admin_url, name)).unwrap();
    app_url.set_username(&role.name).unwrap();
    app_url.set_password(None).unwrap();
    drop(as_owner);

    // the whole app, as that role: start-up (with its purge), sign-in, invites, staff actions
    let app = TestApp::start(
        DatabaseUrl::Postgres(app_url.to_string()),
        db,
        Options::default(),
    )
    .await;
    let staff = app.make_staff("+998901234560");
    app.sign_in(PHONE, PHONE).await;
    let res = app.enter_code(&staff.invite_code).await;
    assert!(res.status().is_success() || res.status().is_redirection());
    let me = app.user(PHONE).unwrap();
    assert_eq!(me.invited_by_id, Some(staff.id));
    let rows = || -> i64 {
        audit_log::table
            .count()
            .get_result(&mut app.conn())
            .unwrap()
    };
    assert_eq!(rows(), 1);

    let mut conn = app.conn();
    for sql in [
        "UPDATE audit_log SET action = 'block'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_log_no_truncate ON audit_log",
        "DROP TABLE audit_log",
        "ALTER TABLE users DROP CONSTRAINT users_owner_is_staff",
        "CREATE TABLE notes (id INT)",
        "INSERT INTO __diesel_schema_migrations (version) VALUES ('99999999999999')",
    ] {
        let done = conn.batch_execute(sql);
        assert!(done.is_err(), "the app's role may not: {sql}");
    }
    drop(conn);
    assert_eq!(rows(), 1);
    drop(app);
    drop(role);
}

/// Runs `command`, which needs root; whether it succeeded. When it did not, the test that
/// needed it is skipped ([`crate::helpers::missing`], `REQUIRE_ROOT`), saying `why`.
fn as_root(command: &mut std::process::Command, why: &str) -> bool {
    let done = command
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !done {
        crate::helpers::missing("REQUIRE_ROOT", why);
    }
    done
}

/// A folder on a file system of its own, 1 MiB large, so a test can fill it; unmounted when
/// dropped. Mounting takes root: without it, `None` (and a printed line), unless `REQUIRE_ROOT=1`.
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    fn mount() -> Option<SmallDisk> {
        let dir = std::env::temp_dir().join(format!("user-auth-disk-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mounted = as_root(
            std::process::Command::new("mount")
                .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
                .arg(&dir),
            "a tmpfs cannot be mounted (root is needed): the full-disk test",
        );
        mounted.then_some(SmallDisk(dir))
    }

    /// Writes zeros until the disk is full; answers the file, to delete for space again.
    fn fill(&self) -> std::path::PathBuf {
        use std::io::Write;
        let path = self.0.join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let block = vec![0u8; 4096];
        for _ in 0..1024 {
            if file
                .write_all(&block)
                .and_then(|()| file.sync_all())
                .is_err()
            {
                return path;
            }
        }
        panic!("1 MiB of tmpfs took 4 MiB");
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // lazily: the app may hold its files open a moment longer
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs once, on SQLite (whose file is on this machine): a full disk makes every write a 503
/// with a log line saying why, never a panic or a 500; reads go on; with space again, writes do.
#[actix_web::test]
async fn a_full_disk_gives_503_and_says_so_then_the_app_recovers() {
    let Some(disk) = SmallDisk::mount() else {
        return;
    };
    let log = crate::logs::captured();
    let path = disk.0.join("user-auth.db");
    let url = user_auth::db::DatabaseUrl::Sqlite(path.clone());
    let app = TestApp::start(
        url,
        crate::helpers::TestDb::Sqlite(path),
        Default::default(),
    )
    .await;
    let ask = |i: usize| {
        let app = &app;
        async move { app.api_code(&format!("+99890{:03}4567", 100 + i)).await.0 }
    };
    assert_eq!(ask(0).await, StatusCode::ACCEPTED);
    let filler = disk.fill();
    // SQLite reuses the space its files have; asking on, one write soon needs more
    let mut answers = Vec::new();
    for i in 1..200 {
        let status = ask(i).await;
        answers.push(status);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            break;
        }
    }
    assert_eq!(
        answers.last(),
        Some(&StatusCode::SERVICE_UNAVAILABLE),
        "{answers:?}"
    );
    assert!(
        answers
            .iter()
            .all(|s| *s == StatusCode::ACCEPTED || *s == StatusCode::SERVICE_UNAVAILABLE),
        "{answers:?}"
    );
    let logged = log.messages();
    assert!(
        logged
            .iter()
            .any(|(_, m)| m.contains("the database cannot write (its disk is full)")),
        "no line says why: {logged:?}"
    );
    // reads still work, and the app keeps serving pages
    assert_eq!(app.get("/login").await.status(), StatusCode::OK);
    std::fs::remove_file(filler).unwrap();
    assert_eq!(ask(500).await, StatusCode::ACCEPTED);
    drop(app);
}

/// A file made immutable (`chattr +i`, which takes root: even root cannot write it then);
/// writable again when dropped.
struct Immutable(std::path::PathBuf);

impl Immutable {
    fn set(path: &std::path::Path) -> Option<Immutable> {
        let done = as_root(
            std::process::Command::new("chattr").arg("+i").arg(path),
            "a file cannot be made immutable (root is needed): the read-only database test",
        );
        done.then(|| Immutable(path.to_owned()))
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .status();
    }
}

/// Runs once, on SQLite: a database file the server cannot write (restored read-only, or with
/// the wrong owner) answers every write with 503 and a log line saying why, never a panic or a
/// 500; pages and reads go on.
#[actix_web::test]
async fn a_read_only_database_file_gives_503_and_says_so() {
    let (url, db) = crate::helpers::TestDb::create(Backend::Sqlite).unwrap();
    user_auth::db::migrate(&url).unwrap();
    let crate::helpers::TestDb::Sqlite(path) = &db else {
        unreachable!("a SQLite database")
    };
    let Some(read_only) = Immutable::set(path) else {
        return;
    };
    let log = crate::logs::captured();
    let app = TestApp::start(url, db, Default::default()).await;
    for i in 0..3 {
        let (status, _, json) = app.api_code(&format!("+99890{:03}4567", 100 + i)).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{json}");
        assert_eq!(json["code"], "unavailable");
    }
    let csrf = app.csrf().await;
    let res = app
        .post_form("/login", &[("csrf", &csrf), ("phone", "+998901004567")])
        .await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("temporarily unavailable")
    );
    let logged = log.messages();
    assert!(
        logged
            .iter()
            .any(|(_, m)| m.contains("the database cannot write (its file is read-only)")),
        "no line says why: {logged:?}"
    );
    assert_eq!(app.get("/login").await.status(), StatusCode::OK);
    assert_eq!(app.user_count(), 0, "reads go on");
    drop(read_only);
    drop(app);
}

/// A key's advisory lock is the first 8 bytes of its SHA-256, as every release has taken it
/// (the database computes it now): instances of two releases sharing a database during an
/// upgrade still serialise on the same locks.
#[actix_web::test]
async fn advisory_lock_keys_are_the_sha256_of_the_key() {
    use diesel::sql_types::BigInt;
    use sha2::{Digest, Sha256};
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let mut conn = app.conn();
    let keys = ["+998901234567", "net:10.1.2.3/32", "prefix:+99890123"];
    #[derive(diesel::QueryableByName)]
    struct Held {
        #[diesel(sql_type = BigInt)]
        key: i64,
    }
    let held = user_auth::db::write_transaction(&mut conn, |conn| {
        user_auth::db::lock_keys(conn, &keys)?;
        // a bigint key is held as (high 32 bits, low 32 bits)
        diesel::sql_query(
            "SELECT (classid::bigint << 32) | objid::bigint AS key FROM pg_locks \
             WHERE locktype = 'advisory' AND objsubid = 1 AND pid = pg_backend_pid()",
        )
        .load::<Held>(conn)
    })
    .unwrap();
    let mut held: Vec<i64> = held.into_iter().map(|h| h.key).collect();
    let mut expected: Vec<i64> = keys
        .iter()
        .map(|k| i64::from_be_bytes(Sha256::digest(k.as_bytes())[..8].try_into().unwrap()))
        .collect();
    held.sort_unstable();
    expected.sort_unstable();
    assert_eq!(held, expected);
}

/// Entering a code reads the person's row, tries, the code's owner and whether anyone entered
/// the person's code by index, also in the generic plan PostgreSQL keeps for a prepared
/// statement after a few runs. Most people have no invitees and a few have very many: priced
/// for an average person, "anyone whose inviter is $1" looks common, and a plan that scans the
/// table until it finds one reads every row for the person who has none.
#[actix_web::test]
async fn entering_a_code_reads_by_index_in_the_plan_kept_for_everyone() {
    use user_auth::{
        app::seed::{SeedPlan, seed},
        db::invites::entry_read_sql,
        domain::phone::PhoneNumber,
    };
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let mut conn = app.conn();
    let plan_of_seed = SeedPlan {
        users: 3_000,
        invitees_of: vec![
            (PhoneNumber::parse("+998903100001", None).unwrap(), 3_000),
            (PhoneNumber::parse("+998903100002", None).unwrap(), 1_000),
        ],
    };
    seed(
        &mut conn,
        &plan_of_seed,
        0,
        chrono::Utc::now().naive_utc(),
        |_| (),
    )
    .unwrap();
    diesel::sql_query("ANALYZE").execute(&mut conn).unwrap();
    diesel::sql_query("SET plan_cache_mode = force_generic_plan")
        .execute(&mut conn)
        .unwrap();
    let id = app.create_user(PHONE).id;
    let at = "'2030-01-01 00:00:00'";
    let plan = plan(
        &mut conn,
        &entry_read_sql(),
        &format!("{id}, {at}, {id}, {at}, 'ABC123', 'ABC123', {id}, {at}, {id}"),
    );
    assert!(!plan.contains("Seq Scan on users"), "{plan}");
}

/// PostgreSQL keeps room on each page of `users` for a row's next version, so a sign-in's
/// update of `last_login` (no index covers it) stays on its page and writes no index entry
/// (BENCHMARKS.md: a quarter of a returning sign-in's database CPU).
#[actix_web::test]
async fn the_users_table_keeps_room_for_updated_rows_on_postgres() {
    #[derive(diesel::QueryableByName)]
    struct Options {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        options: Option<String>,
    }
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let found = diesel::sql_query(
        "SELECT array_to_string(reloptions, ',') AS options FROM pg_class \
         WHERE oid = 'users'::regclass",
    )
    .get_result::<Options>(&mut app.conn())
    .unwrap();
    assert_eq!(found.options.as_deref(), Some("fillfactor=90"));
}
