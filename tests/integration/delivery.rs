//! Delivery through real providers (the webhook and Twilio's API) at a fake provider that
//! fails, hangs and recovers on command: retries, expiry, timeouts, failover, two instances,
//! and a server killed mid-send.

use std::time::Duration;

use diesel::prelude::*;
use reqwest::StatusCode;
use user_auth::{config::SmsSettings, db::schema::sms_messages};

use crate::{
    fake_provider::{Behaviour, FakeProvider},
    helpers::{Backend, Options, TestApp, code_in, location},
};

fn phone(i: usize) -> String {
    format!("+99890333{i:04}")
}

async fn app_at(backend: Backend, sms: SmsSettings) -> Option<TestApp> {
    TestApp::spawn_with(
        backend,
        Options {
            sms: Some(sms),
            ..Options::default()
        },
    )
    .await
}

fn webhook_only(fake: &FakeProvider) -> SmsSettings {
    SmsSettings {
        backend: fake.webhook(),
        timeout: Duration::from_secs(2),
        ..SmsSettings::default()
    }
}

/// (state, attempts, last error) of every message to `e164`, oldest first.
fn outbox(app: &TestApp, e164: &str) -> Vec<(String, i32, Option<String>)> {
    sms_messages::table
        .filter(sms_messages::phone.eq(e164))
        .order(sms_messages::id.asc())
        .select((
            sms_messages::state,
            sms_messages::attempts,
            sms_messages::last_error,
        ))
        .load(&mut app.conn())
        .unwrap()
}

/// Moves the clock on by `step` seconds and gives the worker a moment, until `done` (at most
/// `rounds` times).
async fn drive(app: &TestApp, step: i64, rounds: usize, done: impl Fn() -> bool) {
    for _ in 0..rounds {
        if done() {
            return;
        }
        app.advance(step);
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    assert!(done(), "not done after {rounds} rounds");
}

async fn a_provider_that_fails_at_first_still_delivers_every_code_once(backend: Backend) {
    let fake = FakeProvider::start();
    fake.script(
        &[
            Behaviour::Fail,
            Behaviour::Status(500),
            Behaviour::Status(429),
            Behaviour::Fail,
        ],
        Behaviour::Accept,
    );
    let Some(app) = app_at(backend, webhook_only(&fake)).await else {
        return;
    };
    let phones: Vec<String> = (0..5).map(phone).collect();
    for p in &phones {
        let res = app.request_code(p).await;
        assert_eq!(location(&res), "/login/code");
    }

    let all_sent = || phones.iter().all(|p| outbox(&app, p)[0].0 == "sent");
    drive(&app, 3, 200, all_sent).await;

    tokio::time::sleep(Duration::from_millis(200)).await;
    for p in &phones {
        assert_eq!(fake.taken_to(p).len(), 1, "{p}: exactly once");
    }
    // each message kept its key across its tries, and no key was taken twice
    let taken: Vec<String> = fake.taken().into_iter().filter_map(|t| t.key).collect();
    let mut unique = taken.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), phones.len());
    assert!(
        fake.calls()
            .iter()
            .all(|k| k.as_ref().is_some_and(|k| taken.contains(k)))
    );
    assert_eq!(fake.calls().len(), phones.len() + 4);
    assert_eq!(fake.bad_signatures(), 0, "every call was signed");
    // and the code that arrived signs in
    let last = &phones[4];
    let code = code_in(&fake.taken_to(last)[0].text);
    let res = app.submit_code(&code).await;
    assert_eq!(location(&res), "/profile");
}

async fn a_provider_down_past_a_codes_lifetime_sends_nothing_expired(backend: Backend) {
    let fake = FakeProvider::start();
    fake.set(Behaviour::Fail);
    let Some(app) = app_at(backend, webhook_only(&fake)).await else {
        return;
    };
    let p = phone(10);
    app.request_code(&p).await;

    let given_up = || !["pending", "sending"].contains(&outbox(&app, &p)[0].0.as_str());
    drive(&app, 20, 100, given_up).await;

    let rows = outbox(&app, &p);
    assert_eq!(rows[0].0, "expired", "{rows:?}");
    assert!(rows[0].1 > 3, "tried while the code lived: {rows:?}");
    let tries = fake.calls().len();
    fake.set(Behaviour::Accept);
    app.advance(600);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fake.calls().len(), tries, "an expired code is never sent");
    assert!(fake.taken().is_empty());

    // the provider is back: a new code goes out at once
    let res = app.request_code(&p).await;
    assert_eq!(location(&res), "/login/code");
    drive(&app, 0, 100, || fake.taken_to(&p).len() == 1).await;
    let res = app.submit_code(&code_in(&fake.taken_to(&p)[0].text)).await;
    assert_eq!(location(&res), "/profile");
}

async fn a_hanging_provider_holds_no_request_and_the_worker_moves_on(backend: Backend) {
    let fake = FakeProvider::start();
    fake.set(Behaviour::Hang(Duration::from_secs(30)));
    let sms = SmsSettings {
        timeout: Duration::from_secs(1),
        ..webhook_only(&fake)
    };
    let Some(app) = app_at(backend, sms).await else {
        return;
    };
    let p = phone(20);

    let res = app.request_code(&p).await;

    assert_eq!(
        location(&res),
        "/login/code",
        "answered while the provider hangs"
    );
    // the worker gives the try up after its timeout and keeps the message for later
    let mut waited = 0;
    while !outbox(&app, &p)[0]
        .2
        .as_deref()
        .is_some_and(|e| e.contains("timed out"))
    {
        waited += 1;
        assert!(
            waited < 100,
            "the try never timed out: {:?}",
            outbox(&app, &p)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(outbox(&app, &p)[0].0, "pending");
    fake.set(Behaviour::Accept);
    drive(&app, 3, 100, || fake.taken_to(&p).len() == 1).await;
}

async fn failover_switches_and_switches_back(backend: Backend) {
    let (primary, fallback) = (FakeProvider::start(), FakeProvider::start());
    primary.set(Behaviour::Fail);
    let sms = SmsSettings {
        backend: primary.webhook(),
        fallback: Some(fallback.twilio()),
        fallback_after: 2,
        timeout: Duration::from_secs(2),
    };
    let Some(app) = app_at(backend, sms).await else {
        return;
    };
    let (p1, p2) = (phone(30), phone(31));

    app.request_code(&p1).await;
    drive(&app, 3, 100, || fallback.taken_to(&p1).len() == 1).await;

    assert_eq!(
        primary.calls().len(),
        2,
        "two tries on the primary, then the fallback"
    );
    assert_eq!(fallback.taken()[0].route, "twilio");
    primary.set(Behaviour::Accept);
    app.request_code(&p2).await;
    drive(&app, 0, 100, || primary.taken_to(&p2).len() == 1).await;
    assert!(fallback.taken_to(&p2).is_empty(), "back on the primary");
    let ids: Vec<Option<String>> = sms_messages::table
        .order(sms_messages::id.asc())
        .select(sms_messages::provider_message_id)
        .load(&mut app.conn())
        .unwrap();
    assert!(
        ids[0].as_deref().is_some_and(|id| id.starts_with("SM")),
        "{ids:?}"
    );
    assert_eq!(ids[1].as_deref(), Some("wh-1"));
}

/// The database goes away while the worker waits for the provider: the provider's acceptance
/// is held and recorded once the database is back, so the message is not sent a second time
/// when its claim runs out.
async fn a_database_outage_mid_send_sends_the_message_once(backend: Backend) {
    let fake = FakeProvider::start();
    fake.set(Behaviour::Slow(Duration::from_secs(1)));
    let sms = SmsSettings {
        timeout: Duration::from_secs(10),
        ..webhook_only(&fake)
    };
    let Some(app) = app_at(backend, sms).await else {
        return;
    };
    let p = phone(40);
    assert_eq!(app.api_code(&p).await.0, StatusCode::ACCEPTED);
    // the worker has claimed the message and waits for the provider
    for _ in 0..200 {
        if outbox(&app, &p)[0].0 == "sending" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(outbox(&app, &p)[0].0, "sending");
    let outage = crate::database::start_outage(&app);
    // the provider takes it meanwhile; the worker cannot write that down yet
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(fake.taken_to(&p).len(), 1);
    crate::database::end_outage(outage);
    for _ in 0..100 {
        if outbox(&app, &p)[0].0 == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        outbox(&app, &p)[0].0,
        "sent",
        "recorded once the database is back"
    );
    // long past the claim: nothing is tried again
    app.advance(120);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(fake.taken_to(&p).len(), 1, "sent once");
}

crate::on_both_backends!(
    a_provider_that_fails_at_first_still_delivers_every_code_once,
    a_database_outage_mid_send_sends_the_message_once,
    a_provider_down_past_a_codes_lifetime_sends_nothing_expired,
    a_hanging_provider_holds_no_request_and_the_worker_moves_on,
    failover_switches_and_switches_back,
    signed_delivery_reports_move_a_message_and_unsigned_ones_do_not,
    staff_see_the_outbox_and_send_a_failed_message_again,
    eskiz_sends_renews_its_token_and_reports_through_the_secret_url,
);

/// Two servers on one PostgreSQL, each with its worker, share the outbox: every message goes
/// out once.
#[actix_web::test]
async fn two_instances_on_one_postgres_send_each_message_once() {
    let fake = FakeProvider::start();
    // every first try fails, so all retries fall due at once for both workers
    fake.set(Behaviour::Fail);
    let Some(first) = app_at(Backend::Postgres, webhook_only(&fake)).await else {
        return;
    };
    let second = first.second_instance().await;
    // (20 codes per hour is the limit for one address)
    let phones: Vec<String> = (0..18).map(|i| phone(100 + i)).collect();

    let asks = phones.iter().enumerate().map(|(i, p)| {
        let app = if i % 2 == 0 { &first } else { &second };
        async move {
            let (browser, _) = app.new_browser();
            let res = app.request_code_with(&browser, p).await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
        }
    });
    futures_util::future::join_all(asks).await;
    let tried = || fake.calls().len() >= phones.len();
    drive(&first, 0, 200, tried).await;
    fake.set(Behaviour::Slow(Duration::from_millis(20)));
    let calls = fake.calls().len();
    // every retry falls due at once (the clock then stands still: a claim lasts longer than
    // a try's timeout in real time, and a clock that jumps would end claims mid-try)
    first.advance(60);
    drive(&first, 0, 200, || fake.taken().len() >= phones.len()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    for p in &phones {
        assert_eq!(fake.taken_to(p).len(), 1, "{p}");
    }
    assert_eq!(
        fake.calls().len() - calls,
        phones.len(),
        "no message tried twice at once"
    );
}

/// The real binary, killed (SIGKILL) while its worker waits for the provider, then started
/// again: the message goes out once more with the same idempotency key, and only once.
#[actix_web::test]
async fn a_server_killed_mid_send_finishes_its_outbox_after_a_restart() {
    use std::process::{Command, Stdio};
    let fake = FakeProvider::start();
    fake.set(Behaviour::Hang(Duration::from_secs(60)));
    let dir = std::env::temp_dir().join(format!("user-auth-kill-{}", std::process::id()));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    /// Killed when dropped, so a failing assertion leaves no server behind.
    struct Running(std::process::Child);
    impl Drop for Running {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let start = || {
        Running(
            Command::new(env!("CARGO_BIN_EXE_user-auth"))
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("SECRET_KEY", "k".repeat(64))
                .env("DATABASE_URL", dir.join("app.db"))
                .env("BIND", format!("127.0.0.1:{port}"))
                .env("SMS_BACKEND", "http")
                .env("SMS_HTTP_URL", format!("{}/sms", fake.base))
                .env("SMS_HTTP_SECRET", crate::fake_provider::WEBHOOK_SECRET)
                .env("SMS_TIMEOUT_SECONDS", "1")
                .env("RUST_LOG", "error")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("the server starts"),
        )
    };
    let client = crate::helpers::client_with(Default::default());
    let ready = async |client: &reqwest::Client| {
        for _ in 0..200 {
            if client.get(format!("{base}/login")).send().await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not come up");
    };
    let p = phone(200);

    let mut server = start();
    ready(&client).await;
    let res = client
        .post(format!("{base}/api/v1/auth/code"))
        .header("content-type", "application/json")
        .body(format!(r#"{{"phone":"{p}"}}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    for waited in 0.. {
        if !fake.calls().is_empty() {
            break;
        }
        assert!(waited < 200, "the worker never called the provider");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    fake.set(Behaviour::Accept);
    let server = start();
    ready(&client).await;
    for waited in 0.. {
        if !fake.taken_to(&p).is_empty() {
            break;
        }
        assert!(
            waited < 300,
            "the restarted server did not send the message"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);

    let calls = fake.calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(calls[0], calls[1], "the same idempotency key");
    assert_eq!(fake.taken_to(&p).len(), 1);
}

/// The providers' delivery reports move a sent message to delivered or failed, and only when
/// they carry the provider's signature.
async fn signed_delivery_reports_move_a_message_and_unsigned_ones_do_not(backend: Backend) {
    use user_auth::sms::{http::signature, twilio};
    let (hook, tw) = (FakeProvider::start(), FakeProvider::start());
    let sms = SmsSettings {
        backend: hook.webhook(),
        fallback: Some(tw.twilio()),
        fallback_after: 1,
        timeout: Duration::from_secs(2),
    };
    let Some(app) = TestApp::spawn_with(
        backend,
        Options {
            sms: Some(sms),
            public_origin: Some("https://auth.example.uz"),
            ..Options::default()
        },
    )
    .await
    else {
        return;
    };
    let (p1, p2) = (phone(40), phone(41));
    app.request_code(&p1).await;
    drive(&app, 0, 100, || hook.taken_to(&p1).len() == 1).await;
    let state = |p: &str| outbox(&app, p)[0].clone();
    drive(&app, 0, 100, || state(&p1).0 == "sent").await;

    // the webhook's report: signed like its requests
    let report = |body: &str, at: i64, secret: &str| {
        let sig = signature(secret.as_bytes(), at, body.as_bytes());
        app.client
            .post(app.url("/sms/status/http"))
            .header("content-type", "application/json")
            .header("x-signature-timestamp", at.to_string())
            .header("x-signature", sig)
            .body(body.to_owned())
            .send()
    };
    let now = chrono::Utc::now().timestamp();
    let delivered = r#"{"id":"wh-1","status":"delivered"}"#;
    let secret = crate::fake_provider::WEBHOOK_SECRET;
    let forged = report(delivered, now, "not the secret at all, but long enough")
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    let replayed = report(delivered, now - 600, secret).await.unwrap();
    assert_eq!(replayed.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(state(&p1).0, "sent", "refused reports change nothing");
    let ok = report(delivered, now, secret).await.unwrap();
    assert_eq!(ok.status(), StatusCode::NO_CONTENT);
    assert_eq!(state(&p1).0, "delivered");

    // Twilio's: signed over PUBLIC_ORIGIN and the path it was given
    hook.set(Behaviour::Fail);
    app.request_code(&p2).await;
    drive(&app, 3, 100, || tw.taken_to(&p2).len() == 1).await;
    drive(&app, 0, 100, || state(&p2).0 == "sent").await;
    let url = "https://auth.example.uz/sms/status/twilio";
    assert_eq!(tw.taken_to(&p2)[0].callback.as_deref(), Some(url));
    let sid: String = sms_messages::table
        .filter(sms_messages::phone.eq(&p2))
        .select(sms_messages::provider_message_id)
        .first::<Option<String>>(&mut app.conn())
        .unwrap()
        .unwrap();
    let params = |status: &str| {
        vec![
            ("MessageSid".to_owned(), sid.clone()),
            ("MessageStatus".to_owned(), status.to_owned()),
            ("ErrorCode".to_owned(), "30003".to_owned()),
        ]
    };
    let post = |params: Vec<(String, String)>, sig: String| {
        app.client
            .post(app.url("/sms/status/twilio"))
            .header("x-twilio-signature", sig)
            .form(&params)
            .send()
    };
    let unsigned = post(params("undelivered"), "bm90IGEgc2lnbmF0dXJl".into())
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let other_url = twilio::signature(
        crate::fake_provider::TWILIO_TOKEN,
        "https://evil.example/sms/status/twilio",
        &params("undelivered"),
    );
    assert_eq!(
        post(params("undelivered"), other_url)
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let interim = twilio::signature(crate::fake_provider::TWILIO_TOKEN, url, &params("sent"));
    assert_eq!(
        post(params("sent"), interim).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(state(&p2).0, "sent");
    let sig = twilio::signature(
        crate::fake_provider::TWILIO_TOKEN,
        url,
        &params("undelivered"),
    );
    assert_eq!(
        post(params("undelivered"), sig).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let (s, _, error) = state(&p2);
    assert_eq!(s, "failed");
    assert!(error.unwrap().contains("30003"));
}

/// Without the provider configured there is nowhere to report to.
#[actix_web::test]
async fn reports_for_a_provider_not_in_use_find_nothing() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    for path in ["/sms/status/http", "/sms/status/twilio"] {
        let res = app
            .client
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("MessageSid=SM1&MessageStatus=delivered")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

/// The outbox page: figures by state and provider, the list with its filters, and "send again"
/// for a failed message while its code lives, audited.
async fn staff_see_the_outbox_and_send_a_failed_message_again(backend: Backend) {
    use crate::helpers::csrf_from;
    let fake = FakeProvider::start();
    fake.set(Behaviour::Status(400));
    let Some(app) = app_at(backend, webhook_only(&fake)).await else {
        return;
    };
    let staff = app.make_staff("+998903339999");
    let (p1, p2) = (phone(50), phone(51));
    app.request_code_with(&app.new_browser().0, &p1).await;
    app.request_code_with(&app.new_browser().0, &p2).await;
    drive(&app, 0, 100, || {
        outbox(&app, &p1)[0].0 == "failed" && outbox(&app, &p2)[0].0 == "failed"
    })
    .await;
    // the staff member's own code goes out through the provider too
    fake.set(Behaviour::Accept);
    let (browser, _) = app.new_browser();
    app.request_code_with(&browser, &staff.phone).await;
    drive(&app, 0, 100, || fake.taken_to(&staff.phone).len() == 1).await;
    let code = code_in(&fake.taken_to(&staff.phone)[0].text);
    assert_eq!(
        location(&app.submit_code_with(&browser, &code).await),
        "/profile"
    );
    fake.set(Behaviour::Status(400));
    let get = async |path: &str| {
        browser
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };

    let page = get("/admin/outbox").await;

    assert!(page.contains("No message is waiting to be sent."), "{page}");
    assert!(page.contains("<th scope=\"row\">http</th>"));
    assert_eq!(page.matches(">Send again</button>").count(), 2);
    assert!(page.contains("the provider answered 400 Bad Request"));
    let only_p1 = get(&format!("/admin/outbox?phone={}", &p1[1..])).await;
    assert_eq!(only_p1.matches(">Send again</button>").count(), 1);
    let delivered = get("/admin/outbox?state=delivered").await;
    assert!(delivered.contains("<p>No messages.</p>"));

    // send p1's again: queued, audited, and out through the recovered provider
    fake.set(Behaviour::Accept);
    let csrf = csrf_from(&page);
    let id: i64 = sms_messages::table
        .filter(sms_messages::phone.eq(&p1))
        .select(sms_messages::id)
        .first(&mut app.conn())
        .unwrap();
    let retry = |id: i64, csrf: String| {
        browser
            .post(app.url(&format!("/admin/outbox/{id}/retry")))
            .form(&[("csrf", csrf)])
            .send()
    };
    let res = retry(id, csrf.clone()).await.unwrap();
    assert_eq!(location(&res), "/admin/outbox?done=retry");
    drive(&app, 0, 100, || outbox(&app, &p1)[0].0 == "sent").await;
    assert_eq!(fake.taken_to(&p1).len(), 1);
    let audit = get("/admin/audit").await;
    assert!(audit.contains("sent a text again"), "{audit}");
    // once its code has expired, a failed message is not sent again
    app.advance(301);
    let other: i64 = sms_messages::table
        .filter(sms_messages::phone.eq(&p2))
        .select(sms_messages::id)
        .first(&mut app.conn())
        .unwrap();
    let res = retry(other, csrf.clone()).await.unwrap();
    assert_eq!(location(&res), "/admin/outbox?done=not-retryable");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(fake.taken_to(&p2).is_empty());
    // nor without the CSRF token
    let res = retry(id, "forged".into()).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

/// Eskiz: logs in, sends with its token, logs in again once when the token runs out, and its
/// delivery reports are taken only at the secret URL it was given.
async fn eskiz_sends_renews_its_token_and_reports_through_the_secret_url(backend: Backend) {
    let fake = FakeProvider::start();
    let sms = SmsSettings {
        backend: fake.eskiz(),
        timeout: Duration::from_secs(2),
        ..SmsSettings::default()
    };
    let Some(app) = TestApp::spawn_with(
        backend,
        Options {
            sms: Some(sms),
            public_origin: Some("https://auth.example.uz"),
            ..Options::default()
        },
    )
    .await
    else {
        return;
    };
    let (p1, p2) = (phone(60), phone(61));
    app.request_code(&p1).await;
    drive(&app, 0, 100, || fake.taken_to(&p1).len() == 1).await;
    assert_eq!(fake.eskiz_logins(), 1);
    fake.expire_eskiz_token();
    app.request_code(&p2).await;
    drive(&app, 0, 100, || fake.taken_to(&p2).len() == 1).await;
    assert_eq!(fake.eskiz_logins(), 2, "one more login after the 401");
    assert_eq!(fake.calls().len(), 2, "the refused try reached no message");
    drive(&app, 0, 100, || outbox(&app, &p2)[0].0 == "sent").await;

    let callback = fake.taken_to(&p2)[0]
        .callback
        .clone()
        .expect("a callback URL");
    let path_and_query = callback
        .strip_prefix("https://auth.example.uz")
        .expect("on the public origin");
    assert!(path_and_query.starts_with("/sms/status/eskiz?secret="));
    let id = "00000000-0000-4000-8000-000000000002";
    let report = |path: String| {
        app.client
            .post(app.url(&path))
            .form(&[("request_id", id), ("status", "DELIVRD")])
            .send()
    };
    let forged = report("/sms/status/eskiz?secret=guess".into())
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(outbox(&app, &p2)[0].0, "sent");
    let ok = report(path_and_query.to_owned()).await.unwrap();
    assert_eq!(ok.status(), StatusCode::NO_CONTENT);
    assert_eq!(outbox(&app, &p2)[0].0, "delivered");
    let res = app.submit_code(&code_in(&fake.taken_to(&p2)[0].text)).await;
    assert_eq!(location(&res), "/profile");
}
