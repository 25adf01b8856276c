//! The SQL floor of a write flow on PostgreSQL: the statements one request of the flow sends,
//! captured as the use case runs (diesel's instrumentation), replayed by `pgbench` with the same
//! concurrency and the same kind of data. What pgbench reaches is what the database itself
//! allows for that SQL; the report puts the app beside it.
//!
//! Replaying needs each request's own values where the captured request had its own: a bind
//! equal to one of the captured request's inputs (its number, address, network, block, account,
//! code, token) becomes a look-up of the same input of the replayed request in `bench_floor`
//! (a primary-key read inside the statement, no round trip); a lock key or counter key made of
//! an input (`net:…`) is made the same way; a long random value (a token's hash, a message's
//! idempotency key) becomes a fresh random one; everything else stays what it was. Every
//! statement stays the text the app sent, with these in place of its parameters.

use std::{
    cell::RefCell,
    fmt::Write as _,
    process::Command,
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use diesel::{
    QueryResult, RunQueryDsl, SqliteConnection,
    connection::{Instrumentation, InstrumentationEvent},
    query_builder::{AstPass, QueryFragment, QueryId},
    sql_types::BigInt,
    sqlite::Sqlite,
};
use user_auth::db::{DbConnection, DbPool};

thread_local! {
    /// The statements sent on this thread while a capture runs.
    static CAPTURED: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// Each connection's recorder: adds what it sends to this thread's capture, if one runs.
struct Recorder;

impl Instrumentation for Recorder {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            CAPTURED.with_borrow_mut(|c| {
                if let Some(c) = c {
                    c.push(query.to_string());
                }
            });
        }
    }
}

/// Records the statements of every connection opened from now on (call before the first pool).
pub fn install() {
    assert!(
        user_auth::db::liveness::observe_statements(|| Some(Box::new(Recorder))),
        "one observer per process"
    );
}

/// Runs `work` and answers what it sent on this thread.
pub fn capture<T>(work: impl FnOnce() -> T) -> (T, Vec<String>) {
    CAPTURED.set(Some(Vec::new()));
    let answer = work();
    (answer, CAPTURED.take().unwrap_or_default())
}

/// One request's own values (a `bench_floor` row).
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub phone: Option<String>,
    pub ip: Option<String>,
    pub net: Option<String>,
    pub prefix: Option<String>,
    pub user_id: Option<i64>,
    pub code_id: Option<i64>,
    pub token_hash: Option<String>,
    /// The invite code a new account is given.
    pub invite_code: Option<String>,
    /// The account the captured request made: the replayed request's is found by its number.
    pub new_user_id: Option<i64>,
}

impl Inputs {
    fn texts(&self) -> [(&'static str, Option<&str>); 6] {
        [
            ("invite_code", self.invite_code.as_deref()),
            ("phone", self.phone.as_deref()),
            ("ip", self.ip.as_deref()),
            ("net", self.net.as_deref()),
            ("prefix", self.prefix.as_deref()),
            ("token_hash", self.token_hash.as_deref()),
        ]
    }

    fn numbers(&self) -> [(&'static str, Option<i64>); 2] {
        [("user_id", self.user_id), ("code_id", self.code_id)]
    }
}

/// A bind value as diesel's debug output shows it.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Text(String),
    Int(i64),
    Bool(bool),
    Null,
    /// A timestamp (`2026-12-07T03:16:00.123`).
    Time(String),
    List(Vec<Value>),
}

/// Reads diesel's `-- binds: [...]` list.
fn parse_binds(s: &str) -> Option<Vec<Value>> {
    let mut p = Parser {
        s: s.as_bytes(),
        at: 0,
    };
    match p.value()? {
        Value::List(values) => Some(values),
        _ => None,
    }
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn skip_spaces(&mut self) {
        while self.s.get(self.at) == Some(&b' ') {
            self.at += 1;
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        if self.s[self.at..].starts_with(token.as_bytes()) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Option<Value> {
        self.skip_spaces();
        if self.eat("[") {
            let mut items = Vec::new();
            loop {
                self.skip_spaces();
                if self.eat("]") {
                    return Some(Value::List(items));
                }
                items.push(self.value()?);
                self.skip_spaces();
                self.eat(",");
            }
        }
        if self.eat("Some(") {
            let v = self.value()?;
            self.skip_spaces();
            return self.eat(")").then_some(v);
        }
        if self.eat("None") {
            return Some(Value::Null);
        }
        if self.eat("true") {
            return Some(Value::Bool(true));
        }
        if self.eat("false") {
            return Some(Value::Bool(false));
        }
        if self.eat("\"") {
            let mut text = String::new();
            loop {
                match *self.s.get(self.at)? {
                    b'"' => {
                        self.at += 1;
                        return Some(Value::Text(text));
                    }
                    b'\\' => {
                        let c = *self.s.get(self.at + 1)?;
                        self.at += 2;
                        text.push(match c {
                            b'n' => '\n',
                            b't' => '\t',
                            b'r' => '\r',
                            b'0' => '\0',
                            other => other as char,
                        });
                    }
                    _ => {
                        // a whole UTF-8 character
                        let rest = std::str::from_utf8(&self.s[self.at..]).ok()?;
                        let c = rest.chars().next()?;
                        text.push(c);
                        self.at += c.len_utf8();
                    }
                }
            }
        }
        let start = self.at;
        while self
            .s
            .get(self.at)
            .is_some_and(|c| !matches!(c, b',' | b']' | b')'))
        {
            self.at += 1;
        }
        let token = std::str::from_utf8(&self.s[start..self.at]).ok()?.trim();
        if let Ok(n) = token.parse() {
            Some(Value::Int(n))
        } else if token.len() >= 19 && token.as_bytes()[10] == b'T' {
            Some(Value::Time(token.to_owned()))
        } else {
            None
        }
    }
}

/// The database a replay is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// For pgbench: the request's row is `:n`.
    Postgres,
    /// For a bare SQLite connection: the request's row is the statement's one parameter, `?1`.
    Sqlite,
}

impl Dialect {
    /// A text as an SQL literal. pgbench reads `:name` as a variable even in quotes, so there
    /// a colon is spelt `chr(58)`.
    fn literal(self, text: &str) -> String {
        let quote = |p: &str| format!("'{}'", p.replace('\'', "''"));
        match self {
            Dialect::Postgres => {
                let parts: Vec<String> = text.split(':').map(quote).collect();
                format!("({}::text)", parts.join(" || chr(58) || "))
            }
            Dialect::Sqlite => quote(text),
        }
    }

    /// The replayed request's `column`.
    fn input(self, column: &str) -> String {
        let n = match self {
            Dialect::Postgres => ":n",
            Dialect::Sqlite => "?1",
        };
        format!("(SELECT {column} FROM bench_floor WHERE n = {n})")
    }

    /// What replaces a bind of the captured request, as SQL.
    fn replay(self, value: &Value, captured: &Inputs) -> Result<String, String> {
        let pg = self == Dialect::Postgres;
        Ok(match value {
            Value::Null => "NULL".into(),
            Value::Bool(b) => match (pg, b) {
                (true, true) => "TRUE",
                (true, false) => "FALSE",
                (false, true) => "1",
                (false, false) => "0",
            }
            .into(),
            Value::Int(n) if captured.new_user_id == Some(*n) => {
                format!(
                    "(SELECT id FROM users WHERE phone = {})",
                    self.input("phone")
                )
            }
            Value::Int(n) => captured
                .numbers()
                .iter()
                .find(|(_, v)| *v == Some(*n))
                .map_or_else(|| n.to_string(), |(column, _)| self.input(column)),
            Value::Time(t) => {
                let t = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
                    .map_err(|e| format!("{t}: {e}"))?;
                if pg {
                    format!(
                        "(TIMESTAMP 'epoch' + {} * INTERVAL '1 microsecond')",
                        t.and_utc().timestamp_micros()
                    )
                } else {
                    // as diesel writes a timestamp into SQLite
                    format!("'{}'", t.format("%Y-%m-%d %H:%M:%S%.f"))
                }
            }
            Value::Text(text) => {
                let texts = captured.texts();
                if let Some((column, _)) = texts.iter().find(|(_, v)| *v == Some(text.as_str())) {
                    self.input(column)
                } else if let Some((tag, column)) = texts.iter().find_map(|(column, v)| {
                    let tag = text.strip_suffix(v.filter(|v| !v.is_empty())?)?;
                    (!tag.is_empty() && !tag.bytes().any(|b| b.is_ascii_digit()))
                        .then_some((tag, column))
                }) {
                    format!("({} || {})", self.literal(tag), self.input(column))
                } else if text.len() >= 32
                    && text
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
                {
                    // a value of its own for each request (a token's hash, an idempotency key)
                    let len = text.len();
                    if pg {
                        format!("substr(md5(random()::text) || md5(random()::text), 1, {len})")
                    } else {
                        format!("lower(substr(hex(randomblob(32)), 1, {len}))")
                    }
                } else {
                    self.literal(text)
                }
            }
            // bytes (a message body; an emptied one is `[]`)
            Value::List(items) if items.iter().all(|v| matches!(v, Value::Int(0..=255))) => {
                let mut hex = String::new();
                for v in items {
                    if let Value::Int(b) = v {
                        let _ = write!(hex, "{b:02x}");
                    }
                }
                if pg {
                    format!("'\\x{hex}'::bytea")
                } else {
                    format!("X'{hex}'")
                }
            }
            Value::List(items) => {
                let parts = items
                    .iter()
                    .map(|v| self.replay(v, captured))
                    .collect::<Result<Vec<_>, _>>()?;
                let ty = match items.first() {
                    Some(Value::Text(_)) => "text",
                    _ => "bigint",
                };
                format!("ARRAY[{}]::{ty}[]", parts.join(", "))
            }
        })
    }

    /// The statements `captured` (as diesel shows them), sent for a request whose values were
    /// `inputs`, with each bind replaced (see the module's documentation).
    pub fn statements(self, captured: &[String], inputs: &Inputs) -> Result<Vec<String>, String> {
        captured
            .iter()
            .map(|statement| {
                let (sql, binds) = statement
                    .split_once(" -- binds: ")
                    .unwrap_or((statement.as_str(), "[]"));
                let binds = parse_binds(binds).ok_or_else(|| format!("binds of {sql}: {binds}"))?;
                let mut sql = sql.replace('\n', " ");
                match self {
                    // from the last, so `$1` never matches the start of `$12`
                    Dialect::Postgres => {
                        for (i, value) in binds.iter().enumerate().rev() {
                            sql = sql.replace(&format!("${}", i + 1), &self.replay(value, inputs)?);
                        }
                    }
                    // `?` in order
                    Dialect::Sqlite => {
                        let mut out = String::new();
                        let mut values = binds.iter();
                        for (i, part) in sql.split('?').enumerate() {
                            if i > 0 {
                                let value = values.next().ok_or("more ? than binds")?;
                                out.push_str(&self.replay(value, inputs)?);
                            }
                            out.push_str(part);
                        }
                        sql = out;
                    }
                }
                Ok(sql)
            })
            .collect()
    }
}

/// The pgbench script of `statements` (PostgreSQL's): each request of a client takes the next
/// `bench_floor` row.
fn script(statements: &[String]) -> String {
    let mut out = String::from("\\set k :k + 1\n\\set n :client_id * 1000000 + :k\n");
    for sql in statements {
        out.push_str(sql);
        out.push_str(";\n");
    }
    out
}

/// Fills `bench_floor` with the replayed requests' values: `rows[i]` is row `number(i)`.
fn load_inputs(pool: &DbPool, rows: &[Inputs], number: impl Fn(usize) -> i64) {
    let mut conn = pool.get().unwrap();
    let pg = matches!(&*conn, DbConnection::Pg(_));
    diesel::sql_query("DROP TABLE IF EXISTS bench_floor")
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query(format!(
        "CREATE {} TABLE bench_floor (n BIGINT PRIMARY KEY, phone TEXT, ip TEXT, net TEXT, \
         prefix TEXT, user_id BIGINT, code_id BIGINT, token_hash TEXT, invite_code TEXT)",
        if pg { "UNLOGGED" } else { "" }
    ))
    .execute(&mut conn)
    .unwrap();
    let text = |v: &Option<String>| {
        v.as_deref()
            .map_or("NULL".into(), |s| format!("'{}'", s.replace('\'', "''")))
    };
    let id = |v: &Option<i64>| v.map_or("NULL".into(), |n| n.to_string());
    for (part, batch) in rows.chunks(500).enumerate() {
        let mut sql = String::from("INSERT INTO bench_floor VALUES ");
        for (j, r) in batch.iter().enumerate() {
            if j > 0 {
                sql.push_str(", ");
            }
            let _ = write!(
                sql,
                "({}, {}, {}, {}, {}, {}, {}, {}, {})",
                number(part * 500 + j),
                text(&r.phone),
                text(&r.ip),
                text(&r.net),
                text(&r.prefix),
                id(&r.user_id),
                id(&r.code_id),
                text(&r.token_hash),
                text(&r.invite_code),
            );
        }
        diesel::sql_query(sql).execute(&mut conn).unwrap();
    }
    diesel::sql_query("ANALYZE").execute(&mut conn).unwrap();
}

/// What a floor run measured.
#[derive(Debug, Clone, Default)]
pub struct SqlFloor {
    pub tps: f64,
    pub latency_ms: f64,
    pub transactions: u64,
    pub failed: u64,
    /// Each statement's average latency (ms) and text.
    pub statements: Vec<(f64, String)>,
    /// What the first failed request was told.
    pub first_error: Option<String>,
    /// CPU time per request of the database (PostgreSQL's processes; on SQLite, the replaying
    /// process, which is the database there), and of pgbench, in microseconds.
    pub database_cpu_us: Option<f64>,
    pub client_cpu_us: Option<f64>,
}

/// CPU time in `/proc/PID/stat` (`PID` may be `self`): the sum of `fields`, counted after the
/// command name, which may hold spaces (11 is utime, 12 stime, 13 the reaped children's utime,
/// 14 their stime), in Linux's fixed 100 ticks a second.
pub fn stat_cpu(pid: &str, fields: &[usize]) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name: Vec<&str> = stat.get(stat.rfind(')')? + 2..)?.split(' ').collect();
    let ticks = fields.iter().try_fold(0_u64, |sum, &at| {
        Some(sum + after_name.get(at)?.parse::<u64>().ok()?)
    })?;
    Some(Duration::from_millis(ticks * 10))
}

/// PostgreSQL's postmaster: its own CPU time and its ended backends' (pgbench's connections,
/// once pgbench has closed them), when the database runs on this machine.
fn postmaster_cpu(pool: &DbPool) -> Option<Duration> {
    #[derive(diesel::QueryableByName)]
    struct Pid {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }
    let backend = diesel::sql_query("SELECT pg_backend_pid() AS pid")
        .get_result::<Pid>(&mut pool.get().ok()?)
        .ok()?;
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", backend.pid)).ok()?;
    let parent = stat
        .get(stat.rfind(')')? + 2..)?
        .split(' ')
        .nth(1)?
        .to_owned();
    stat_cpu(&parent, &[11, 12, 13, 14])
}

/// Runs `script` with pgbench against `url`: `clients` connections for `duration`.
fn pgbench(
    url: &str,
    script: &str,
    clients: usize,
    duration: Duration,
) -> Result<SqlFloor, String> {
    let path = std::env::temp_dir().join(format!("user-auth-floor-{}.sql", std::process::id()));
    std::fs::write(&path, script).map_err(|e| e.to_string())?;
    let output = Command::new("pgbench")
        .args(["-n", "-M", "prepared", "-r", "-D", "k=0"])
        .args(["-c", &clients.to_string(), "-j", "2"])
        .args(["-T", &duration.as_secs().max(1).to_string()])
        .arg("-f")
        .arg(&path)
        .arg(url)
        .output()
        .map_err(|e| format!("pgbench: {e}"))?;
    let _ = std::fs::remove_file(&path);
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let errors = String::from_utf8_lossy(&output.stderr).into_owned();
    let field = |label: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(label))
            .and_then(|rest| {
                rest.split_whitespace()
                    .next()?
                    .split('/')
                    .next()?
                    .parse::<f64>()
                    .ok()
            })
    };
    let Some(tps) = field("tps = ") else {
        return Err(format!("pgbench: {errors}{text}"));
    };
    let statements = text
        .lines()
        .skip_while(|l| !l.contains("statement latencies"))
        .skip(1)
        .filter_map(|l| {
            let l = l.trim_start();
            let (ms, rest) = l.split_once(' ')?;
            let ms = ms.parse().ok()?;
            // `latency failures statement` columns
            let rest = rest.trim_start();
            let sql = rest.split_once(' ').map_or(rest, |(_, s)| s).trim_start();
            (!sql.starts_with('\\')).then(|| (ms, sql.to_owned()))
        })
        .collect();
    Ok(SqlFloor {
        tps,
        latency_ms: field("latency average = ").unwrap_or(0.0),
        transactions: field("number of transactions actually processed: ").unwrap_or(0.0) as u64,
        failed: field("number of failed transactions: ").unwrap_or(0.0) as u64,
        statements,
        first_error: errors
            .lines()
            .find(|l| l.contains("ERROR"))
            .map(str::to_owned),
        ..SqlFloor::default()
    })
}

/// A replayed statement on SQLite: its text, with the request's row where it says `?1`. Kept
/// prepared by its text, as the app's statements are.
struct Replayed<'a> {
    sql: &'a str,
    n: i64,
}

impl QueryId for Replayed<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<Sqlite> for Replayed<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        // each `?1` becomes a parameter of its own (diesel writes `?`), all bound to the row
        for (i, part) in self.sql.split("?1").enumerate() {
            if i > 0 {
                out.push_bind_param::<BigInt, _>(&self.n)?;
            }
            out.push_sql(part);
        }
        Ok(())
    }
}

impl RunQueryDsl<SqliteConnection> for Replayed<'_> {}

/// SQLite's writers take turns in-process, as the app's do (see `db::write_transaction`).
static WRITER: Mutex<()> = Mutex::new(());

/// Runs `statements` (SQLite's) on one connection per client for `duration`, each request on
/// the next `bench_floor` row, timing each statement.
fn replay_sqlite(
    pool: &DbPool,
    statements: &[String],
    rows: usize,
    clients: usize,
    duration: Duration,
) -> SqlFloor {
    let next = AtomicUsize::new(0);
    let (done, failed) = (AtomicU64::new(0), AtomicU64::new(0));
    let spent: Vec<AtomicU64> = statements.iter().map(|_| AtomicU64::new(0)).collect();
    let first_error = Mutex::new(None);
    let start = Instant::now();
    let deadline = start + duration;
    std::thread::scope(|scope| {
        for _ in 0..clients {
            scope.spawn(|| {
                let Ok(mut pooled) = pool.get() else { return };
                let DbConnection::Sqlite(conn) = &mut *pooled else {
                    return;
                };
                while Instant::now() < deadline {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= rows {
                        break;
                    }
                    let mut turn = None;
                    let mut ok = true;
                    for (k, sql) in statements.iter().enumerate() {
                        if sql.starts_with("BEGIN") {
                            turn = Some(WRITER.lock().unwrap_or_else(PoisonError::into_inner));
                        }
                        let t = Instant::now();
                        let result = if sql.starts_with("BEGIN") || sql.starts_with("COMMIT") {
                            diesel::connection::SimpleConnection::batch_execute(conn, sql)
                        } else {
                            Replayed { sql, n: i as i64 }.execute(conn).map(drop)
                        };
                        spent[k].fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
                        if let Err(e) = result {
                            first_error
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .get_or_insert_with(|| format!("{e}: {sql}"));
                            ok = false;
                            let _ = diesel::connection::SimpleConnection::batch_execute(
                                conn, "ROLLBACK",
                            );
                            break;
                        }
                        if sql.starts_with("COMMIT") {
                            turn = None;
                        }
                    }
                    drop(turn);
                    if ok { &done } else { &failed }.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    let elapsed = start.elapsed().as_secs_f64();
    let (done, failed) = (done.into_inner(), failed.into_inner());
    let count = (done + failed).max(1) as f64;
    SqlFloor {
        tps: done as f64 / elapsed,
        latency_ms: elapsed * 1e3 * clients as f64 / count,
        transactions: done,
        failed,
        statements: statements
            .iter()
            .zip(spent)
            .map(|(sql, ns)| (ns.into_inner() as f64 / count / 1e6, sql.clone()))
            .collect(),
        first_error: first_error
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner),
        ..SqlFloor::default()
    }
}

/// The floor of one flow: the captured request's statements, replayed for `rows` (`clients`
/// at a time for `duration`) by pgbench on PostgreSQL (`url`), on bare connections on SQLite.
#[allow(clippy::too_many_arguments)]
pub fn measure(
    pool: &DbPool,
    url: Option<&str>,
    clients: usize,
    duration: Duration,
    captured: &[String],
    captured_inputs: &Inputs,
    rows: &[Inputs],
) -> Result<SqlFloor, String> {
    let result = match url {
        Some(url) => {
            let statements = Dialect::Postgres.statements(captured, captured_inputs)?;
            // client c's k-th request (k from 1) takes rows[c * per_client + k - 1]
            let per_client = rows.len() / clients.max(1);
            load_inputs(pool, &rows[..per_client * clients], |i| {
                ((i / per_client) * 1_000_000 + i % per_client + 1) as i64
            });
            let before = (postmaster_cpu(pool), stat_cpu("self", &[13, 14]));
            let mut floor = pgbench(url, &script(&statements), clients, duration)?;
            let after = (postmaster_cpu(pool), stat_cpu("self", &[13, 14]));
            let per = |a: Option<Duration>, b: Option<Duration>| {
                let requests = (floor.transactions + floor.failed).max(1) as f64;
                Some(a?.saturating_sub(b?).as_secs_f64() * 1e6 / requests)
            };
            floor.database_cpu_us = per(after.0, before.0);
            floor.client_cpu_us = per(after.1, before.1);
            Ok(floor)
        }
        None => {
            let statements = Dialect::Sqlite.statements(captured, captured_inputs)?;
            load_inputs(pool, rows, |i| i as i64);
            let before = stat_cpu("self", &[11, 12]);
            let mut floor = replay_sqlite(pool, &statements, rows.len(), clients, duration);
            let requests = (floor.transactions + floor.failed).max(1) as f64;
            floor.database_cpu_us = stat_cpu("self", &[11, 12])
                .zip(before)
                .map(|(a, b)| a.saturating_sub(b).as_secs_f64() * 1e6 / requests);
            Ok(floor)
        }
    };
    retire_replayed_messages(pool)?;
    result
}

/// The replayed code requests' messages are not the app's to send (their bodies were sealed for
/// the captured request's number): retires them. The app's worker is updating some of them
/// meanwhile, several in one transaction, in its own order: so rows it holds are skipped (never
/// waited for, which could close a cycle with it: a deadlock) and taken on a later pass.
fn retire_replayed_messages(pool: &DbPool) -> Result<(), String> {
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let lock = match &*conn {
        DbConnection::Pg(_) => " FOR UPDATE SKIP LOCKED",
        DbConnection::Sqlite(_) => "",
    };
    let open = "state IN ('pending', 'sending') AND phone IN (SELECT phone FROM bench_floor)";
    for _ in 0..600 {
        diesel::sql_query(format!(
            "UPDATE sms_messages SET state = 'expired' WHERE id IN \
             (SELECT id FROM sms_messages WHERE {open}{lock})"
        ))
        .execute(&mut conn)
        .map_err(|e| e.to_string())?;
        #[derive(diesel::QueryableByName)]
        struct Left {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let left = diesel::sql_query(format!(
            "SELECT COUNT(*) AS n FROM sms_messages WHERE {open}"
        ))
        .get_result::<Left>(&mut conn)
        .map_err(|e| e.to_string())?;
        if left.n == 0 {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err("the replayed messages could not all be retired in 30 s".into())
}
