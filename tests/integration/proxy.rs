//! Two server processes on one PostgreSQL behind Debian's nginx, configured by
//! `deploy/nginx.conf` as it is shipped (only its ports and certificate changed): codes, sessions
//! and every limit are the database's, so they hold across instances; the limits see the real
//! client address, not one a client wrote; and stopping an instance mid-load costs no request
//! nginx could retry.
//!
//! Needs `nginx` (installed by `.ci/run`; without it this test says so and passes, unless
//! `REQUIRE_NGINX=1`) and PostgreSQL (`TEST_DATABASE_URL`).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::{Connection, ExpressionMethods, PgConnection, QueryDsl, RunQueryDsl};
use reqwest::{StatusCode, header};
use serde_json::Value;
use user_auth::db::DatabaseUrl;
use user_auth::db::schema::login_codes;

use crate::helpers::{Backend, TestDb, code_in, csrf_from, location, wrong_for};
use crate::server_process::Instance;

/// Short, so the owner's new code after an attack needs only a short wait.
const RESEND_SECONDS: u64 = 4;

/// nginx on `deploy/nginx.conf` in front of `upstreams`, in a folder of its own; stopped when dropped.
struct Nginx {
    child: Child,
    dir: std::path::PathBuf,
    port: u16,
    certificate: Vec<u8>,
}

impl Nginx {
    fn start(binary: &str, upstreams: [u16; 2]) -> Nginx {
        let dir = std::env::temp_dir().join(format!(
            "user-auth-nginx-{}-{}",
            std::process::id(),
            upstreams[0]
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let made = Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            ])
            .args(["-subj", "/CN=localhost"])
            .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
            .args(["-addext", "basicConstraints=critical,CA:FALSE"])
            .args(["-addext", "extendedKeyUsage=serverAuth"])
            .arg("-keyout")
            .arg(dir.join("key.pem"))
            .arg("-out")
            .arg(dir.join("cert.pem"))
            .stderr(Stdio::null())
            .status()
            .expect("openssl");
        assert!(made.success(), "openssl made no certificate");
        let port = crate::helpers::free_port();
        let shipped = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/nginx.conf"),
        )
        .unwrap();
        let mut site = shipped.clone();
        for (from, to) in [
            ("127.0.0.1:8001", format!("127.0.0.1:{}", upstreams[0])),
            ("127.0.0.1:8002", format!("127.0.0.1:{}", upstreams[1])),
            ("listen 443 ssl;", format!("listen 127.0.0.1:{port} ssl;")),
            (
                "listen 80;",
                format!("listen 127.0.0.1:{};", crate::helpers::free_port()),
            ),
            ("listen [::]:443 ssl;", String::new()),
            ("listen [::]:80;", String::new()),
            (
                "/etc/ssl/certs/user-auth.pem",
                dir.join("cert.pem").display().to_string(),
            ),
            (
                "/etc/ssl/private/user-auth.key",
                dir.join("key.pem").display().to_string(),
            ),
        ] {
            assert!(
                site.contains(from),
                "deploy/nginx.conf no longer has {from}"
            );
            site = site.replace(from, &to);
        }
        std::fs::write(dir.join("site.conf"), site).unwrap();
        let d = dir.display();
        std::fs::write(
            dir.join("nginx.conf"),
            format!(
                "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
                 events {{ worker_connections 1024; }}\n\
                 http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  include {d}/site.conf;\n}}\n"
            ),
        )
        .unwrap();
        let child = Command::new(binary)
            .arg("-p")
            .arg(&dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdout(Stdio::null())
            .spawn()
            .expect("start nginx");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "nginx did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let certificate = std::fs::read(dir.join("cert.pem")).unwrap();
        Nginx {
            child,
            dir,
            port,
            certificate,
        }
    }

    /// A browser on the machine's loopback address 127.0.0.`n`, keeping cookies, trusting
    /// this nginx's certificate.
    fn browser(&self, n: u8) -> reqwest::Client {
        reqwest::Client::builder()
            .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, n)))
            .tls_certs_only([reqwest::Certificate::from_pem(&self.certificate).unwrap()])
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap()
    }

    fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Debian's nginx, or `None` (with a line saying so) when it is not installed.
fn nginx_binary() -> Option<String> {
    let found = ["/usr/sbin/nginx", "/usr/local/sbin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    if found.is_none() {
        crate::helpers::missing(
            "REQUIRE_NGINX",
            "nginx is not installed: the test of two instances behind it",
        );
    }
    found.map(str::to_owned)
}

/// The code in a text to `e164` that either instance's console sender wrote (the delivery
/// worker of either may send it), other than `not`, waiting for it at most 10 s.
fn code_sent(instances: &[&Instance], e164: &str, not: Option<&str>) -> String {
    let needle = format!("SMS to {e164}: ");
    for _ in 0..200 {
        let code = instances
            .iter()
            .flat_map(|i| i.lines())
            .filter_map(|l| {
                let message = l["message"].as_str()?.to_owned();
                let text = message.split(&needle).nth(1)?.to_owned();
                Some(code_in(&text))
            })
            .find(|c| Some(c.as_str()) != not);
        if let Some(code) = code {
            return code;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("no text to {e164}");
}

/// The cookies a browser would keep, sent by hand: the session cookie is `Secure`, which a
/// cookie store would not send over the plain HTTP the test speaks to each instance directly.
#[derive(Default)]
struct Cookies(HashMap<String, String>);

impl Cookies {
    fn keep(&mut self, res: &reqwest::Response) {
        for set in res.headers().get_all(header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.0.remove(name);
            } else {
                self.0.insert(name.into(), value.into());
            }
        }
    }

    fn header(&self) -> String {
        let pairs: Vec<String> = self.0.iter().map(|(n, v)| format!("{n}={v}")).collect();
        pairs.join("; ")
    }
}

async fn get_direct(client: &reqwest::Client, cookies: &mut Cookies, url: &str) -> String {
    let res = client
        .get(url)
        .header(header::COOKIE, cookies.header())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "GET {url}");
    cookies.keep(&res);
    res.text().await.unwrap()
}

async fn post_direct(
    client: &reqwest::Client,
    cookies: &mut Cookies,
    url: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let res = client
        .post(url)
        .header(header::COOKIE, cookies.header())
        .form(fields)
        .send()
        .await
        .unwrap();
    cookies.keep(&res);
    res
}

/// `POST /api/v1/auth/code` through nginx from `browser`, with a forged `X-Forwarded-For`
/// when given; answers the status and the problem's code.
async fn ask_code(
    proxy: &Nginx,
    browser: &reqwest::Client,
    phone: &str,
    forged: Option<&str>,
) -> (StatusCode, String) {
    let mut req = browser
        .post(proxy.url("/api/v1/auth/code"))
        .json(&serde_json::json!({ "phone": phone }));
    if let Some(forged) = forged {
        req = req.header("x-forwarded-for", forged);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    (status, body["code"].as_str().unwrap_or("").to_owned())
}

async fn ask_token(
    proxy: &Nginx,
    browser: &reqwest::Client,
    phone: &str,
    code: &str,
) -> (StatusCode, String) {
    let res = browser
        .post(proxy.url("/api/v1/auth/token"))
        .json(&serde_json::json!({ "phone": phone, "code": code }))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    let code = body["code"].as_str().unwrap_or("");
    match body["attempts_left"].as_i64() {
        Some(left) => (status, format!("{code}, {left} left")),
        None => (status, code.to_owned()),
    }
}

/// How many answers had each (status, code).
fn tally(answers: &[(StatusCode, String)]) -> HashMap<(u16, String), usize> {
    let mut counts = HashMap::new();
    for (status, code) in answers {
        *counts.entry((status.as_u16(), code.clone())).or_default() += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_behind_nginx_share_codes_sessions_and_limits_and_one_can_stop_mid_load() {
    let Some(nginx) = nginx_binary() else {
        return;
    };
    let Some((DatabaseUrl::Postgres(url), _db)) = TestDb::create(Backend::Postgres) else {
        return;
    };
    user_auth::sms::install_tls();
    // Started together on an empty database: one migrates while the other waits for it.
    let resend = RESEND_SECONDS.to_string();
    let env = [
        ("TRUST_PROXY_HEADERS", "true"),
        ("OTP_RESEND_SECONDS", resend.as_str()),
    ];
    let (mut a, mut b) = (Instance::spawn(&url, &env), Instance::spawn(&url, &env));
    a.wait_serving();
    b.wait_serving();
    let proxy = Nginx::start(&nginx, [a.port, b.port]);

    // A code asked through one instance verifies through the other, and the session it makes
    // works on both.
    let direct = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut cookies = Cookies::default();
    let csrf = csrf_from(&get_direct(&direct, &mut cookies, &a.url("/login")).await);
    let res = post_direct(
        &direct,
        &mut cookies,
        &a.url("/login"),
        &[("csrf", &csrf), ("phone", "+998901000001")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let code = code_sent(&[&a, &b], "+998901000001", None);
    let csrf = csrf_from(&get_direct(&direct, &mut cookies, &b.url("/login/code")).await);
    let res = post_direct(
        &direct,
        &mut cookies,
        &b.url("/login/code"),
        &[("csrf", &csrf), ("code", &code)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/profile");
    for instance in [&a, &b] {
        let profile = get_direct(&direct, &mut cookies, &instance.url("/profile")).await;
        assert!(profile.contains("+998 90 100 00 01"), "{profile}");
    }

    // Per address: one machine writing a different X-Forwarded-For on each of 40 concurrent
    // requests, for 40 numbers, across both instances, gets the 20 codes an address may ask
    // for in an hour; nginx's entry, the real address, is the one counted and logged.
    let attacker = proxy.browser(2);
    let asks = (0..40).map(|i| {
        let (proxy, attacker) = (&proxy, &attacker);
        async move {
            let phone = format!("+99890{:03}0002", 200 + i);
            let forged = format!("203.0.113.{i}");
            ask_code(proxy, attacker, &phone, Some(&forged)).await
        }
    });
    let answers = futures_util::future::join_all(asks).await;
    let counts = tally(&answers);
    assert_eq!(counts.get(&(202, String::new())), Some(&20), "{counts:?}");
    assert_eq!(
        counts.get(&(429, "too_many_codes_ip".into())),
        Some(&20),
        "{counts:?}"
    );
    // an access line is written once its answer is sent: the last may still be on its way
    let mut logged: Vec<Value> = Vec::new();
    for _ in 0..50 {
        logged = [&a, &b]
            .iter()
            .flat_map(|i| i.access("/api/v1/auth/code"))
            .collect();
        if logged.len() >= 40 {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(logged.len(), 40, "every request reached an instance once");
    assert!(
        logged.iter().all(|l| l["client"] == "127.0.0.2"),
        "{logged:?}"
    );
    assert!(
        !a.access("/api/v1/auth/code").is_empty() && !b.access("/api/v1/auth/code").is_empty(),
        "nginx spread the requests over both instances"
    );

    // Per number: 30 addresses asking for one number at once get one code between them.
    let victim = "+998901000003";
    let attackers: Vec<reqwest::Client> = (10..40).map(|n| proxy.browser(n)).collect();
    let asks = attackers
        .iter()
        .map(|browser| ask_code(&proxy, browser, victim, None));
    let counts = tally(&futures_util::future::join_all(asks).await);
    assert_eq!(counts.get(&(202, String::new())), Some(&1), "{counts:?}");
    assert_eq!(
        counts.get(&(429, "resend_too_soon".into())),
        Some(&29),
        "{counts:?}"
    );

    // 30 addresses guessing that code at once: three guesses count (the code's tries: the
    // third kills it), the rest find it used up, none signs in.
    let code = code_sent(&[&a, &b], victim, None);
    let guesses = attackers
        .iter()
        .map(|browser| ask_token(&proxy, browser, victim, wrong_for(&code)));
    let counts = tally(&futures_util::future::join_all(guesses).await);
    for left in [2, 1] {
        let wrong = (422, format!("otp_wrong, {left} left"));
        assert_eq!(counts.get(&wrong), Some(&1), "{counts:?}");
    }
    assert_eq!(
        counts.get(&(422, "otp_used_up".into())),
        Some(&28),
        "{counts:?}"
    );
    let tries: Vec<i32> = login_codes::table
        .filter(login_codes::phone.eq(victim))
        .select(login_codes::attempts)
        .load(&mut PgConnection::establish(&url).unwrap())
        .unwrap();
    assert_eq!(tries, [3], "tries counted past the code's three");

    // The owner still gets in: a new code once the wait is over, from their own address.
    tokio::time::sleep(Duration::from_secs(RESEND_SECONDS + 1)).await;
    let owner = proxy.browser(3);
    assert_eq!(
        ask_code(&proxy, &owner, victim, None).await,
        (StatusCode::ACCEPTED, String::new())
    );
    let fresh = code_sent(&[&a, &b], victim, Some(&code));
    assert_eq!(
        ask_token(&proxy, &owner, victim, &fresh).await,
        (StatusCode::OK, String::new())
    );

    // A browser signed in through nginx (the session cookie is `__Host-` and `Secure`: this is
    // HTTPS) stays signed in whichever instance answers.
    let person = proxy.browser(4);
    let html = person.get(proxy.url("/login")).send().await.unwrap();
    let csrf = csrf_from(&html.text().await.unwrap());
    let res = person
        .post(proxy.url("/login"))
        .form(&[("csrf", csrf.as_str()), ("phone", "+998901000004")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let code = code_sent(&[&a, &b], "+998901000004", None);
    let page = person.get(proxy.url("/login/code")).send().await.unwrap();
    let csrf = csrf_from(&page.text().await.unwrap());
    let res = person
        .post(proxy.url("/login/code"))
        .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/profile");
    for _ in 0..4 {
        let res = person.get(proxy.url("/profile")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    for instance in [&a, &b] {
        assert!(
            instance
                .access("/profile")
                .iter()
                .any(|l| l["status"] == 200),
            "both instances served the profile"
        );
    }

    // One instance stopped (SIGTERM) in the middle of a load: every idempotent request still
    // gets its answer, from the other.
    let stopping = b.child.id();
    let served_by_b = b.access("/profile").len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let load = (0..8).map(|_| {
        let (proxy, person, done) = (&proxy, &person, &done);
        async move {
            let mut failed = Vec::new();
            for round in 0..60 {
                let path = if round % 2 == 0 { "/profile" } else { "/login" };
                let expected = if path == "/profile" {
                    StatusCode::OK
                } else {
                    StatusCode::SEE_OTHER
                };
                match person.get(proxy.url(path)).send().await {
                    Ok(res) if res.status() == expected => {}
                    Ok(res) => failed.push(format!("{path}: {}", res.status())),
                    Err(e) => failed.push(format!("{path}: {e}")),
                }
                done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            failed
        }
    });
    let stop = async {
        // once a tenth of the load is through, while the rest is on its way
        for _ in 0..500 {
            if done.load(std::sync::atomic::Ordering::Relaxed) >= 48 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let done_then = done.load(std::sync::atomic::Ordering::Relaxed);
        assert!(
            (48..480).contains(&done_then),
            "{done_then} requests done at the stop"
        );
        let sent = Command::new("kill")
            .args(["-TERM", &stopping.to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    };
    let (results, ()) = tokio::join!(futures_util::future::join_all(load), stop);
    let failed: Vec<String> = results.into_iter().flatten().collect();
    assert_eq!(failed, Vec::<String>::new(), "requests lost to the stop");
    assert!(
        b.access("/profile").len() > served_by_b,
        "the stopped instance took part in the load"
    );
    let deadline = Instant::now() + Duration::from_secs(40);
    let status = loop {
        if let Some(status) = b.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the stopped instance did not exit"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    assert!(
        b.lines().iter().any(|l| l["message"] == "stopped"),
        "the instance stopped gracefully"
    );
}
