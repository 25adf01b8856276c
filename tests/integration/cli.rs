//! The binary: start-up failures are one paragraph and exit code 2; `migrate` migrates.

use std::process::Command;

fn user_auth() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_user-auth"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SECRET_KEY", "k".repeat(64))
        .env("RUST_LOG", "warn")
        .current_dir(std::env::temp_dir());
    cmd
}

fn temp_db() -> std::path::PathBuf {
    let mut bytes = [0u8; 8];
    rand::fill(&mut bytes);
    let name: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    std::env::temp_dir()
        .join(format!("user-auth-cli-{name}"))
        .join("nested/app.db")
}

#[test]
fn a_bad_setting_stops_start_up_naming_the_variable() {
    let out = user_auth().env("OTP_LENGTH", "3").output().unwrap();

    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("OTP_LENGTH") && stderr.contains("from 4 to 8"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
}

#[test]
fn a_short_secret_is_refused() {
    let out = user_auth()
        .env("SECRET_KEY", "short")
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SECRET_KEY"));
}

#[test]
fn an_unreachable_database_is_reported_plainly() {
    let out = user_auth()
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:9/nothing")
        .env("BIND", "127.0.0.1:0")
        .output()
        .unwrap();

    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("could not connect to the database"),
        "{stderr}"
    );
    assert!(
        stderr.contains("127.0.0.1") && stderr.contains("9"),
        "the real error: {stderr}"
    );
    assert!(!stderr.contains("invalid connection url"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn migrate_creates_the_sqlite_folder_and_applies_everything() {
    let path = temp_db();
    let out = user_auth()
        .env("DATABASE_URL", format!("sqlite://{}", path.display()))
        .arg("migrate")
        .output()
        .unwrap();

    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(path.exists());
    let again = user_auth()
        .env("DATABASE_URL", path.display().to_string())
        .env("RUST_LOG", "info")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("0 migration(s) applied"));
    let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
}

#[test]
fn seed_refuses_a_malformed_plan_and_fills_a_database() {
    let path = temp_db();
    let url = format!("sqlite://{}", path.display());
    let out = user_auth()
        .env("DATABASE_URL", &url)
        .args(["seed", "--invitees-of", "nobody"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("PHONE:COUNT"));

    let out = user_auth()
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "info")
        .args(["seed", "--users", "30", "--invitees-of", "+998901234567:20"])
        .output()
        .unwrap();

    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("seeded 50 accounts"), "{stderr}");
    let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
}

#[test]
fn admin_grant_creates_and_promotes_and_revoke_demotes() {
    use diesel::prelude::*;
    use user_auth::db::{self, DatabaseUrl, schema::audit_log, users};
    let path = temp_db();
    let url = format!("sqlite://{}", path.display());
    let run = |args: &[&str]| {
        user_auth()
            .env("DATABASE_URL", &url)
            .args(args)
            .output()
            .unwrap()
    };

    let out = run(&["admin", "grant", "+998 90 123 45 67"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("+998901234567 is now staff"), "{stdout}");

    let mut conn = db::establish(&DatabaseUrl::Sqlite(path.clone())).unwrap();
    let user = users::find_by_phone(&mut conn, "+998901234567")
        .unwrap()
        .expect("created");
    assert!(user.is_staff && user.invite_code.len() == 6);

    let out = run(&["admin", "revoke", "+998901234567"]);
    assert!(out.status.success());
    assert!(
        !users::find_by_phone(&mut conn, "+998901234567")
            .unwrap()
            .unwrap()
            .is_staff
    );
    let actions: Vec<(Option<i64>, String, String)> = audit_log::table
        .select((
            audit_log::actor_id,
            audit_log::actor_label,
            audit_log::action,
        ))
        .order(audit_log::id.asc())
        .load(&mut conn)
        .unwrap();
    assert_eq!(
        actions,
        vec![
            (None, "command line".to_owned(), "grant_staff".to_owned()),
            (None, "command line".to_owned(), "revoke_staff".to_owned()),
        ]
    );

    let out = run(&["admin", "revoke", "+998901234568"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no account"));
    let out = run(&["admin", "grant", "not a phone"]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
}

#[test]
fn admin_grant_owner_and_the_last_owner_stays() {
    use user_auth::db::{self, DatabaseUrl, users};
    let path = temp_db();
    let url = format!("sqlite://{}", path.display());
    let run = |args: &[&str]| {
        user_auth()
            .env("DATABASE_URL", &url)
            .args(args)
            .output()
            .unwrap()
    };
    let ok = |args: &[&str], says: &str| {
        let out = run(args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains(says), "{args:?}: {stdout}");
    };
    let last_owner = |args: &[&str]| {
        let out = run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("+998901234567 is the last owner"),
            "{stderr}"
        );
    };

    ok(
        &["admin", "grant", "--owner", "+998901234567"],
        "+998901234567 is now an owner",
    );
    ok(
        &["admin", "grant", "--owner", "+998901234568"],
        "+998901234568 is now an owner",
    );
    ok(
        &["admin", "revoke", "--owner", "+998901234568"],
        "is no longer an owner",
    );
    last_owner(&["admin", "revoke", "--owner", "+998901234567"]);
    last_owner(&["admin", "revoke", "+998901234567"]);

    let mut conn = db::establish(&DatabaseUrl::Sqlite(path.clone())).unwrap();
    let mut roles = |e164| {
        let u = users::find_by_phone(&mut conn, e164).unwrap().unwrap();
        (u.is_staff, u.is_owner)
    };
    assert_eq!(roles("+998901234567"), (true, true));
    assert_eq!(
        roles("+998901234568"),
        (true, false),
        "still staff, no longer an owner"
    );
    let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
}

#[test]
fn a_public_bind_without_a_secret_key_does_not_start() {
    let out = user_auth()
        .env_remove("SECRET_KEY")
        .env("BIND", "0.0.0.0:0")
        .output()
        .unwrap();

    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("SECRET_KEY") && stderr.contains("loopback"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn the_database_and_the_development_secret_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_db().parent().unwrap().parent().unwrap().to_owned();
    std::fs::create_dir_all(&dir).unwrap();
    let out = user_auth()
        .env_remove("SECRET_KEY")
        .current_dir(&dir)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mode = |p: &str| {
        std::fs::metadata(dir.join(p))
            .unwrap_or_else(|e| panic!("{p}: {e}"))
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("data"), 0o700);
    assert_eq!(mode("data/secret_key"), 0o600);
    assert_eq!(mode("data/user-auth.db"), 0o600);
    // SQLite gives its side files the database file's permissions
    for side in ["data/user-auth.db-wal", "data/user-auth.db-shm"] {
        if dir.join(side).exists() {
            assert_eq!(mode(side), 0o600, "{side}");
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn test_numbers_are_named_in_the_log_at_start_up_without_their_codes() {
    use std::io::{BufRead, BufReader};
    let path = temp_db();
    let mut server = user_auth()
        .env("DATABASE_URL", format!("sqlite://{}", path.display()))
        .env("BIND", "127.0.0.1:0")
        .env("TEST_PHONE_NUMBERS", "+998901234567:246810:2027-01-31")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = server.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !seen
        .iter()
        .any(|l: &String| l.contains("TEST_PHONE_NUMBERS"))
    {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => seen.push(line),
            Err(_) => break,
        }
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
    let line = seen
        .iter()
        .find(|l| l.contains("TEST_PHONE_NUMBERS"))
        .unwrap_or_else(|| panic!("no start-up line: {seen:?}"));
    assert!(
        line.contains("+998901234567") && line.contains("2027-01-31"),
        "{line}"
    );
    assert!(
        seen.iter().all(|l| !l.contains("246810")),
        "the code is never logged"
    );
}

#[test]
fn the_console_sender_on_a_public_address_is_refused_unless_allowed_and_then_loud() {
    // 192.0.2.1 (TEST-NET-1) is no address of this machine: nothing is ever bound
    let out = user_auth().env("BIND", "192.0.2.1:8000").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("SMS_BACKEND") && stderr.contains("SMS_CONSOLE_IN_PRODUCTION"),
        "{stderr}"
    );

    // mail's console too
    let out = user_auth()
        .env("BIND", "192.0.2.1:8000")
        .env("SMS_CONSOLE_IN_PRODUCTION", "true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("MAIL_BACKEND") && stderr.contains("MAIL_CONSOLE_IN_PRODUCTION"),
        "{stderr}"
    );

    let path = temp_db();
    let out = user_auth()
        .env("BIND", "192.0.2.1:8000")
        .env("SMS_CONSOLE_IN_PRODUCTION", "true")
        .env("MAIL_CONSOLE_IN_PRODUCTION", "true")
        .env("DATABASE_URL", format!("sqlite://{}", path.display()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .contains("SMS_CONSOLE_IN_PRODUCTION=true: every sign-in code is written to this log"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "MAIL_CONSOLE_IN_PRODUCTION=true: every email verification link is written to this log"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("could not listen on 192.0.2.1:8000"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
}

/// A server on `path`'s SQLite file, its log lines (stderr) as they come.
fn start_server(
    path: &std::path::Path,
) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    start_server_with(path, &[])
}

/// A server on `path`'s SQLite file with `env` besides, its log lines (stderr) as they come.
fn start_server_with(
    path: &std::path::Path,
    env: &[(&str, &str)],
) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead, BufReader};
    let mut server = user_auth()
        .env("DATABASE_URL", format!("sqlite://{}", path.display()))
        .env("BIND", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .envs(env.iter().copied())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = server.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (server, rx)
}

/// The port in the "serving http://127.0.0.1:PORT" line.
fn port_of(serving: &str) -> u16 {
    let port = serving.split("127.0.0.1:").nth(1).expect("an address");
    let port: String = port.chars().take_while(char::is_ascii_digit).collect();
    port.parse().expect("a port")
}

/// Sends `signal` (`TERM`, `INT`) to `child`.
fn signal(child: &std::process::Child, signal: &str) {
    let sent = std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(sent.success());
}

/// Waits (at most 30 s) for `child` to exit, and answers how.
fn wait_exit(child: &mut std::process::Child) -> std::process::ExitStatus {
    for _ in 0..300 {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("the server did not exit within 30 s");
}

/// Waits (at most 20 s) for a line containing `needle`, and answers it.
fn wait_for_line(rx: &std::sync::mpsc::Receiver<String>, needle: &str) -> Option<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return Some(line),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
}

#[test]
fn one_server_per_sqlite_file_while_the_tools_and_a_live_backup_work_beside_it() {
    let path = temp_db();
    let url = format!("sqlite://{}", path.display());
    let (mut first, lines) = start_server(&path);
    let serving = wait_for_line(&lines, "user-auth serving").expect("the first server starts");

    // the access log names the path, never the query (an email link's token is a secret)
    let port = port_of(&serving);
    let token = "ab".repeat(32);
    {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
        write!(
            stream,
            "GET /email/verify?token={token} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    let logged = wait_for_line(&lines, "/email/verify").expect("the request is logged");
    assert!(!logged.contains(&token), "{logged}");

    // a second server on the same file: one clear paragraph, exit code 2
    let out = user_auth()
        .env("DATABASE_URL", &url)
        .env("BIND", "127.0.0.1:0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("another user-auth server is running on the SQLite database")
            && stderr.contains("app.db.lock"),
        "{stderr}"
    );

    // the command-line tools work beside it
    let out = user_auth()
        .env("DATABASE_URL", &url)
        .args(["admin", "grant", "+998901234567"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = user_auth()
        .env("DATABASE_URL", &url)
        .args(["seed", "--users", "500"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // a backup of the live database: consistent, private, with every row
    let copy = path.with_file_name("backup.db");
    let out = user_auth()
        .env("DATABASE_URL", &url)
        .arg("backup")
        .arg(&copy)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    {
        use diesel::{Connection, QueryDsl, RunQueryDsl, sql_types::Text};
        #[derive(diesel::QueryableByName)]
        struct Check {
            #[diesel(sql_type = Text)]
            integrity_check: String,
        }
        let mut conn = diesel::SqliteConnection::establish(&copy.to_string_lossy()).unwrap();
        let check: Check = diesel::sql_query("PRAGMA integrity_check")
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(check.integrity_check, "ok");
        let users: i64 = user_auth::db::schema::users::table
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(users, 501);
    }
    // never over an existing file
    let out = user_auth()
        .env("DATABASE_URL", &url)
        .arg("backup")
        .arg(&copy)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("exists already"));

    // the lock goes with the process; the restored copy serves
    first.kill().unwrap();
    first.wait().unwrap();
    let (mut restored, lines) = start_server(&copy);
    assert!(
        wait_for_line(&lines, "user-auth serving").is_some(),
        "a server starts on the copy"
    );
    restored.kill().unwrap();
    restored.wait().unwrap();
    let (mut again, lines) = start_server(&path);
    assert!(
        wait_for_line(&lines, "user-auth serving").is_some(),
        "and on the original again"
    );
    again.kill().unwrap();
    again.wait().unwrap();
    let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
}

#[test]
fn backup_on_postgres_points_at_pg_dump() {
    let out = user_auth()
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:9/nothing")
        .arg("backup")
        .arg("/tmp/never-written.db")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
}

/// SIGTERM and SIGINT stop the server gracefully: nothing new is accepted, a request in flight
/// (its body half sent) completes and does what it asked, and the process exits 0.
#[test]
fn a_request_in_flight_during_sigterm_or_sigint_completes_and_the_server_exits_0() {
    use std::io::{Read, Write};
    for (sig, name) in [("TERM", "SIGTERM"), ("INT", "SIGINT")] {
        let path = temp_db();
        let (mut server, lines) = start_server_with(&path, &[("SHUTDOWN_GRACE_SECONDS", "20")]);
        let port = port_of(&wait_for_line(&lines, "user-auth serving").expect("it starts"));
        let body = r#"{"phone":"+998901234567"}"#;
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .unwrap();
        write!(
            stream,
            "POST /api/v1/auth/code HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            body.len(),
            &body[..10]
        )
        .unwrap();
        stream.flush().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));

        signal(&server, sig);
        assert!(
            wait_for_line(&lines, &format!("{name}: stopping")).is_some(),
            "{name} is heard"
        );
        // nothing new is accepted
        std::thread::sleep(std::time::Duration::from_millis(300));
        let refused = std::net::TcpStream::connect(("127.0.0.1", port)).and_then(|mut s| {
            s.set_read_timeout(Some(std::time::Duration::from_secs(2)))?;
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")?;
            let mut buf = [0u8; 64];
            match s.read(&mut buf)? {
                0 => Err(std::io::ErrorKind::ConnectionAborted.into()),
                n => Ok(String::from_utf8_lossy(&buf[..n]).into_owned()),
            }
        });
        assert!(refused.is_err(), "a new connection was served: {refused:?}");

        // the rest of the body: the request completes
        stream.write_all(&body.as_bytes()[10..]).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 202"), "{name}: {answer}");

        let status = wait_exit(&mut server);
        assert_eq!(status.code(), Some(0), "{name}");
        assert!(wait_for_line(&lines, "stopped").is_some());
        // and what it asked for is in the database: a code, and its text in the outbox
        {
            use diesel::{Connection, QueryDsl, RunQueryDsl};
            use user_auth::db::schema::{login_codes, sms_messages};
            let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy()).unwrap();
            let codes: i64 = login_codes::table.count().get_result(&mut conn).unwrap();
            let texts: i64 = sms_messages::table.count().get_result(&mut conn).unwrap();
            assert_eq!((codes, texts), (1, 1), "{name}");
        }
        let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
    }
}

/// `LOG_FORMAT=json`: every line one JSON object; an access line has its fields, and the
/// request id, kept from a trusted proxy when plain, made otherwise, is on the answer too.
#[test]
fn json_log_lines_carry_the_request_id_the_answer_carries() {
    use std::io::{Read, Write};
    let path = temp_db();
    let (mut server, lines) = start_server_with(
        &path,
        &[("LOG_FORMAT", "json"), ("TRUST_PROXY_HEADERS", "true")],
    );
    let serving = wait_for_line(&lines, "user-auth serving").expect("it starts");
    let line: serde_json::Value = serde_json::from_str(&serving).expect("a JSON line");
    assert_eq!(line["level"], "INFO");
    assert!(line["time"].as_str().unwrap().ends_with('Z'));
    let port = port_of(&serving);
    let ask = |request_id: &str| {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            stream,
            "GET /login?next=/profile HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: {request_id}\r\nX-Forwarded-For: 203.0.113.9\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        answer
            .lines()
            .find_map(|l| l.strip_prefix("x-request-id: "))
            .expect("an X-Request-Id")
            .to_owned()
    };
    let access_line = |id: &str| -> serde_json::Value {
        let line = wait_for_line(&lines, &format!("\"request_id\":\"{id}\""))
            .unwrap_or_else(|| panic!("no line of {id}"));
        serde_json::from_str(&line).expect("a JSON line")
    };

    assert_eq!(ask("edge-42.a_b"), "edge-42.a_b", "a plain id is kept");
    let line = access_line("edge-42.a_b");
    assert_eq!(line["target"], "user_auth::access");
    assert_eq!(line["method"], "GET");
    assert_eq!(line["route"], "/login");
    assert_eq!(line["path"], "/login", "never the query");
    assert_eq!(line["status"], 200);
    assert_eq!(line["client"], "203.0.113.9", "the client the proxy saw");
    assert!(line["duration_ms"].as_f64().is_some(), "{line}");

    let made = ask("forged\"id");
    assert_eq!(made.len(), 32, "{made}");
    assert!(made.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(access_line(&made)["status"], 200);

    signal(&server, "TERM");
    assert_eq!(wait_exit(&mut server).code(), Some(0));
    // every line the server wrote is one JSON object
    for line in lines.try_iter() {
        assert!(
            serde_json::from_str::<serde_json::Value>(&line).is_ok(),
            "{line}"
        );
    }
    let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
}

#[test]
fn an_unknown_log_format_stops_start_up() {
    let out = user_auth().env("LOG_FORMAT", "xml").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("LOG_FORMAT"));
}
