//! Journeys in a real browser: Debian's Chromium driven through chromedriver (WebDriver),
//! headless, with a fresh profile per session. Every page is checked with axe-core and
//! screenshotted at 390 and 1280 px into `target/screenshots/`.
//!
//! Without chromedriver the tests print one line and pass; with `REQUIRE_BROWSER=1` (set by
//! `.ci/run`) a missing browser is a failure.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const AXE: &str = include_str!("../fixtures/axe.min.js");
/// WebDriver key codes.
const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";

/// A running chromedriver; stopped on drop.
pub struct Browser {
    driver: Child,
    port: u16,
    profiles: Vec<PathBuf>,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        for dir in &self.profiles {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl Browser {
    /// Starts chromedriver, or `None` (with one printed line) when there is no browser.
    pub async fn start() -> Option<Browser> {
        let present =
            std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists();
        if !present {
            crate::helpers::missing(
                "REQUIRE_BROWSER",
                &format!(
                    "{CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver): the browser tests"
                ),
            );
            return None;
        }
        let port = crate::helpers::free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let status = format!("http://127.0.0.1:{port}/status");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(res) = reqwest::get(&status).await
                && res.status().is_success()
            {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Some(Browser {
            driver,
            port,
            profiles: Vec::new(),
        })
    }

    /// A new headless browser window with its own, empty profile.
    pub async fn session(&mut self, width: u32, height: u32) -> Client {
        let mut bytes = [0u8; 8];
        rand::fill(&mut bytes);
        let name: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let profile = std::env::temp_dir().join(format!("user-auth-chromium-{name}"));
        self.profiles.push(profile.clone());
        let caps = json!({
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.display()),
                    format!("--window-size={width},{height}"),
                ]
            }
        });
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a browser session")
    }
}

/// Everything needed for one journey, or `None` when it is skipped.
async fn setup(backend: Backend) -> Option<(TestApp, Browser)> {
    let app = TestApp::spawn(backend).await?;
    let browser = Browser::start().await?;
    Some((app, browser))
}

async fn path(c: &Client) -> String {
    let url = c.current_url().await.unwrap();
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

/// Finds an element, waiting up to 5 s for it to appear.
async fn find(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
}

async fn body_text(c: &Client) -> String {
    find(c, "main").await;
    find(c, "body").await.text().await.unwrap()
}

async fn type_into(c: &Client, css: &str, text: &str) {
    let field = find(c, css).await;
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Clicks something that loads a new page, and waits until the new page has loaded (so no
/// element of the old page is read by mistake).
async fn click(c: &Client, css: &str) {
    c.execute("window.__leaving = true;", vec![]).await.unwrap();
    find(c, css).await.click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let loaded = "return window.__leaving === undefined && document.readyState === 'complete' \
                  && document.querySelector('main') !== null;";
    loop {
        if matches!(c.execute(loaded, vec![]).await, Ok(Value::Bool(true))) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no new page after clicking {css}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the page's path starts with `prefix`.
async fn wait_for(c: &Client, prefix: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = path(c).await;
        if now.starts_with(prefix) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "still at {now}, expected {prefix}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Signs in through the forms, reading the code from the capturing sender.
async fn sign_in(c: &Client, app: &TestApp, typed: &str, e164: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    type_into(c, "#phone", typed).await;
    click(c, "form[action='/login'] button[type=submit]").await;
    wait_for(c, "/login/code").await;
    type_into(c, "#code", &app.last_code(e164)).await;
    click(c, "form[action='/login/code'] button[type=submit]").await;
    wait_for(c, "/profile").await;
}

/// Runs axe-core on the current page; fails on any serious or critical violation.
async fn axe(c: &Client, page: &str) {
    c.execute(AXE, vec![]).await.expect("axe loads");
    let script = r#"
        const done = arguments[arguments.length - 1];
        axe.run(document, { resultTypes: ['violations'] })
          .then(r => done(JSON.stringify(r.violations.map(v => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))
          })))))
          .catch(e => done('error: ' + e));
    "#;
    let result = c.execute_async(script, vec![]).await.expect("axe runs");
    let text = result.as_str().unwrap_or_default().to_owned();
    assert!(!text.starts_with("error"), "{page}: {text}");
    let violations: Vec<Value> = serde_json::from_str(&text).unwrap();
    let serious: Vec<&Value> = violations
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious") | Some("critical")))
        .collect();
    assert!(
        serious.is_empty(),
        "{page}: accessibility violations {serious:#?}"
    );
}

/// Screenshots the current page at phone and desktop width.
async fn screenshots(c: &Client, name: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    for (width, height) in [(390, 1100), (1280, 1000)] {
        c.set_window_size(width, height).await.unwrap();
        let png = c.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("{name}-{width}.png")), png).unwrap();
    }
    c.set_window_size(390, 1100).await.unwrap();
}

/// axe and screenshots for the page the browser is on.
async fn check(c: &Client, name: &str) {
    axe(c, name).await;
    screenshots(c, name).await;
}

async fn a_newcomer_signs_in_and_sees_their_invite_code(backend: Backend) {
    let Some((app, mut browser)) = setup(backend).await else {
        return;
    };
    let c = browser.session(390, 1100).await;

    sign_in(&c, &app, "+998 90 123 45 67", "+998901234567").await;

    let code = app.user("+998901234567").unwrap().invite_code;
    let shown = find(&c, "#invite-code").await.prop("value").await.unwrap();
    assert_eq!(shown.as_deref(), Some(code.as_str()));
    // the static script runs under the page's CSP and shows the copy button
    let copy = find(&c, "button.copy-button").await;
    assert!(
        copy.is_displayed().await.unwrap(),
        "the copy button is shown"
    );
    copy.click().await.unwrap();
    // the label changes when the clipboard has taken the code (a promise), for two seconds
    let copied = c
        .wait()
        .at_most(Duration::from_secs(5))
        .every(Duration::from_millis(20))
        .for_element(Locator::XPath(
            "//button[contains(@class, 'copy-button') and normalize-space() = 'Copied']",
        ))
        .await;
    assert!(copied.is_ok(), "the button says the code was copied");
    c.close().await.unwrap();
}

async fn a_second_person_enters_the_first_persons_code(backend: Backend) {
    let Some((app, mut browser)) = setup(backend).await else {
        return;
    };
    let first = browser.session(390, 1100).await;
    sign_in(&first, &app, "+998901234567", "+998901234567").await;
    let code = app.user("+998901234567").unwrap().invite_code;

    let second = browser.session(390, 1100).await;
    sign_in(&second, &app, "+998901234568", "+998901234568").await;
    let typed = format!("{}-{}", &code[..3], &code[3..]).to_lowercase();
    type_into(&second, "#code", &typed).await;
    click(
        &second,
        "form[action='/profile/invite'] button[type=submit]",
    )
    .await;
    wait_for(&second, "/profile?entered=1").await;
    assert!(body_text(&second).await.contains(&code));

    first.refresh().await.unwrap();
    let text = body_text(&first).await;
    assert!(text.contains("1 person joined with your code."), "{text}");
    assert!(text.contains("+998 90 123 45 68"));
    first.close().await.unwrap();
    second.close().await.unwrap();
}

async fn three_wrong_codes_ask_for_a_new_one(backend: Backend) {
    let Some((app, mut browser)) = setup(backend).await else {
        return;
    };
    let c = browser.session(390, 1100).await;
    c.goto(&app.url("/login")).await.unwrap();
    type_into(&c, "#phone", "+998901234567").await;
    click(&c, "form[action='/login'] button[type=submit]").await;
    wait_for(&c, "/login/code").await;
    let wrong = crate::helpers::wrong_for(&app.last_code("+998901234567")).to_owned();

    for _ in 0..3 {
        type_into(&c, "#code", &wrong).await;
        click(&c, "form[action='/login/code'] button[type=submit]").await;
        find(&c, ".error-summary").await;
    }

    let text = body_text(&c).await;
    assert!(text.contains("Ask for a new code"), "{text}");
    check(&c, "code-error").await;
    c.close().await.unwrap();
}

/// English strings of a page: every message value without arguments that the page shows.
fn english_strings(page_text: &str) -> Vec<String> {
    let en = include_str!("../../locales/en/main.ftl");
    en.lines()
        .filter_map(|l| l.split_once(" = "))
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.contains('{') && v.len() > 3 && v != "user-auth")
        .filter(|v| page_text.contains(v.as_str()))
        .collect()
}

async fn switching_language_changes_every_string_and_is_remembered(backend: Backend) {
    let Some((app, mut browser)) = setup(backend).await else {
        return;
    };
    let c = browser.session(390, 1100).await;
    sign_in(&c, &app, "+998901234567", "+998901234567").await;
    let english = english_strings(&body_text(&c).await);
    assert!(english.len() >= 6, "{english:?}");

    for (button, lang, sample) in [("ru", "ru", "Ваш профиль"), ("uz", "uz", "Profilingiz")]
    {
        click(&c, &format!("form.lang-switch button[value='{button}']")).await;
        wait_for(&c, "/profile").await;
        let html_lang = find(&c, "html").await.attr("lang").await.unwrap();
        assert_eq!(html_lang.as_deref(), Some(lang));
        let text = body_text(&c).await;
        assert!(text.contains(sample), "{text}");
        for s in &english {
            assert!(!text.contains(s.as_str()), "{lang}: still English: {s:?}");
        }
        c.refresh().await.unwrap();
        assert!(
            body_text(&c).await.contains(sample),
            "the choice survives a reload"
        );
    }
    c.close().await.unwrap();
}

async fn after_sign_out_the_back_button_does_not_show_the_profile(backend: Backend) {
    let Some((app, mut browser)) = setup(backend).await else {
        return;
    };
    let c = browser.session(390, 1100).await;
    sign_in(&c, &app, "+998901234567", "+998901234567").await;
    let code = app.user("+998901234567").unwrap().invite_code;

    click(&c, "form.sign-out button").await;
    wait_for(&c, "/login").await;
    c.back().await.unwrap();

    // the page is not cached (no-store): going back asks again and is sent to sign in
    tokio::time::sleep(Duration::from_millis(300)).await;
    wait_for(&c, "/login").await;
    find(&c, "#phone").await;
    assert!(!body_text(&c).await.contains(&code));
    c.close().await.unwrap();
}

async fn staff_find_and_block_a_person_whose_open_session_then_ends(backend: Backend) {
    let Some((app, mut browser)) = setup(backend).await else {
        return;
    };
    let person = browser.session(390, 1100).await;
    sign_in(&person, &app, "+998901234568", "+998901234568").await;

    app.make_staff("+998901234567");
    let staff = browser.session(1280, 1000).await;
    sign_in(&staff, &app, "+998901234567", "+998901234567").await;
    click(&staff, "header a[href='/admin']").await;
    wait_for(&staff, "/admin").await;
    click(&staff, ".admin-nav a[href='/admin/users']").await;
    wait_for(&staff, "/admin/users").await;
    type_into(&staff, "#q", "90 123 45 68").await;
    click(&staff, "form.filters button[type=submit]").await;
    wait_for(&staff, "/admin/users?q=").await;
    click(&staff, "a.user-link").await;
    wait_for(&staff, "/admin/users/").await;
    click(&staff, "a.button-danger[href$='/block']").await;
    wait_for(&staff, "/admin/users/").await;
    click(&staff, "form button.button-danger").await;
    wait_for(&staff, "/admin/users/").await;
    assert!(body_text(&staff).await.contains("Blocked."));

    // the blocked person's next click signs them out
    click(&person, "a.brand").await;
    wait_for(&person, "/login").await;
    person.close().await.unwrap();
    staff.close().await.unwrap();
}

async fn a_person_names_themselves_and_signs_another_device_out(backend: Backend) {
    let Some((app, mut browser)) = setup(backend).await else {
        return;
    };
    let phone = browser.session(390, 1100).await;
    sign_in(&phone, &app, "+998901234567", "+998901234567").await;
    app.advance(61);
    let laptop = browser.session(1280, 1000).await;
    sign_in(&laptop, &app, "+998901234567", "+998901234567").await;

    type_into(&laptop, "#name", "Aziza Karimova").await;
    click(&laptop, "form[action='/profile/name'] button[type=submit]").await;
    wait_for(&laptop, "/profile?named=1").await;
    assert!(body_text(&laptop).await.contains("Aziza Karimova"));
    check(&laptop, "profile-named").await;

    click(&laptop, "#devices-link").await;
    wait_for(&laptop, "/profile/devices").await;
    assert!(body_text(&laptop).await.contains("this device"));
    click(&laptop, "form[action$='/end'] button[type=submit]").await;
    wait_for(&laptop, "/profile/devices?ended=1").await;
    assert!(body_text(&laptop).await.contains("Signed out."));
    check(&laptop, "devices-ended").await;

    // the other device's next click finds it signed out
    click(&phone, "a.brand").await;
    wait_for(&phone, "/login").await;
    phone.close().await.unwrap();
    laptop.close().await.unwrap();
}

async fn every_page_is_accessible_and_screenshotted(backend: Backend) {
    let Some((app, mut browser)) = setup(backend).await else {
        return;
    };
    let c = browser.session(390, 1100).await;
    c.goto(&app.url("/login")).await.unwrap();
    check(&c, "login").await;
    type_into(&c, "#phone", "12").await;
    click(&c, "form[action='/login'] button[type=submit]").await;
    check(&c, "login-error").await;
    type_into(&c, "#phone", "+998901234567").await;
    click(&c, "form[action='/login'] button[type=submit]").await;
    wait_for(&c, "/login/code").await;
    check(&c, "code").await;
    type_into(&c, "#code", &app.last_code("+998901234567")).await;
    click(&c, "form[action='/login/code'] button[type=submit]").await;
    wait_for(&c, "/profile").await;
    check(&c, "profile").await;
    let me = app.user("+998901234567").unwrap();
    for i in 0..60 {
        let u = app.create_user(&format!("+9989070{i:05}"));
        app.activate(u.id, &me.invite_code);
    }
    c.refresh().await.unwrap();
    check(&c, "profile-with-invitees").await;
    c.goto(&app.url("/profile/devices")).await.unwrap();
    check(&c, "devices").await;
    c.goto(&app.url("/no/such/page")).await.unwrap();
    check(&c, "error-404").await;
    c.goto(&app.url("/admin")).await.unwrap();
    check(&c, "error-403").await;

    app.make_staff("+998901234567");
    let other = app.create_user("+998901234569");
    for (name, url) in [
        ("admin-dashboard", "/admin".to_owned()),
        ("admin-users", "/admin/users".to_owned()),
        ("admin-person", format!("/admin/users/{}", me.id)),
        ("admin-confirm", format!("/admin/users/{}/block", other.id)),
        ("admin-audit", "/admin/audit".to_owned()),
        ("admin-outbox", "/admin/outbox".to_owned()),
    ] {
        c.goto(&app.url(&url)).await.unwrap();
        check(&c, name).await;
    }
    c.close().await.unwrap();
}

async fn signing_in_works_with_the_keyboard_alone(backend: Backend) {
    let Some((app, mut browser)) = setup(backend).await else {
        return;
    };
    let c = browser.session(390, 1100).await;
    c.goto(&app.url("/login")).await.unwrap();
    // the first Tab lands on the skip link, which leads to the form
    let focused = "return document.activeElement ? (document.activeElement.id || document.activeElement.className) : '';";
    c.execute("document.body.focus();", vec![]).await.unwrap();
    find(&c, "body").await.send_keys(TAB).await.unwrap();
    assert_eq!(
        c.execute(focused, vec![]).await.unwrap(),
        Value::String("skip-link".into())
    );

    // typing and Enter submit each form
    find(&c, "#phone")
        .await
        .send_keys(&format!("+998901234567{ENTER}"))
        .await
        .unwrap();
    wait_for(&c, "/login/code").await;
    let code = app.last_code("+998901234567");
    find(&c, "#code")
        .await
        .send_keys(&format!("{code}{ENTER}"))
        .await
        .unwrap();
    wait_for(&c, "/profile").await;
    assert!(body_text(&c).await.contains("Your invite code"));
    c.close().await.unwrap();
}

/// A person confirms an email address from the link in a real mail, moves to a new number,
/// then deletes their account; every page axe-checked.
async fn a_person_confirms_email_changes_number_and_deletes_the_account(backend: Backend) {
    let smtp = crate::smtp_receiver::SmtpReceiver::start();
    let options = crate::helpers::Options {
        mail: Some(smtp.settings()),
        ..crate::helpers::Options::default()
    };
    let Some(app) = TestApp::spawn_with(backend, options).await else {
        return;
    };
    let Some(mut browser) = Browser::start().await else {
        return;
    };
    let c = browser.session(1280, 1000).await;
    sign_in(&c, &app, "+998901234567", "+998901234567").await;

    // email: the form, the mail, the link's page and its button
    type_into(&c, "#email-input", "aziza@example.com").await;
    click(&c, "form[action='/profile/email'] button[type=submit]").await;
    wait_for(&c, "/profile?email=sent").await;
    assert!(body_text(&c).await.contains("Waiting for confirmation"));
    check(&c, "profile-email-pending").await;
    assert!(smtp.wait_for(1).await, "the mail arrives");
    c.goto(&app.url(&smtp.received()[0].link_path()))
        .await
        .unwrap();
    check(&c, "email-verify").await;
    click(&c, "form[action='/email/verify'] button[type=submit]").await;
    assert!(
        body_text(&c)
            .await
            .contains("Your address aziza@example.com is confirmed.")
    );
    check(&c, "email-verified").await;

    // a new number
    c.goto(&app.url("/profile")).await.unwrap();
    click(&c, "#phone-link").await;
    wait_for(&c, "/profile/phone").await;
    check(&c, "phone-change").await;
    type_into(&c, "#phone", "+998 90 765 43 21").await;
    click(&c, "form[action='/profile/phone'] button[type=submit]").await;
    assert!(body_text(&c).await.contains("We sent a code to"));
    check(&c, "phone-change-code").await;
    type_into(&c, "#code", &app.last_code("+998907654321")).await;
    click(
        &c,
        "form[action='/profile/phone/confirm'] button[type=submit]",
    )
    .await;
    wait_for(&c, "/profile?phone=1").await;
    let text = body_text(&c).await;
    assert!(text.contains("Your number is changed.") && text.contains("+998 90 765 43 21"));

    // deletion, with a code to the (new) number
    app.advance(61);
    click(&c, "#delete-link").await;
    wait_for(&c, "/profile/delete").await;
    check(&c, "delete").await;
    click(&c, "#send-code").await;
    assert!(body_text(&c).await.contains("Delete my account for good"));
    check(&c, "delete-code").await;
    type_into(&c, "#code", &app.last_code("+998907654321")).await;
    click(&c, "form[action='/profile/delete'] button[type=submit]").await;
    wait_for(&c, "/login?deleted=1").await;
    assert!(body_text(&c).await.contains("Your account is deleted."));
    check(&c, "deleted").await;
    assert!(app.user("+998907654321").is_none());
    c.close().await.unwrap();
}

#[actix_web::test]
async fn a_person_confirms_email_changes_number_and_deletes_the_account_in_chromium() {
    // the flows run on both databases over HTTP; the browser journey once
    a_person_confirms_email_changes_number_and_deletes_the_account(Backend::Sqlite).await;
}

crate::on_both_backends!(
    a_newcomer_signs_in_and_sees_their_invite_code,
    a_second_person_enters_the_first_persons_code,
    three_wrong_codes_ask_for_a_new_one,
    switching_language_changes_every_string_and_is_remembered,
    after_sign_out_the_back_button_does_not_show_the_profile,
    staff_find_and_block_a_person_whose_open_session_then_ends,
    a_person_names_themselves_and_signs_another_device_out,
    every_page_is_accessible_and_screenshotted,
    signing_in_works_with_the_keyboard_alone,
);

/// Invite links in a fresh browser, in each language: the welcome, "Sign in to accept" through
/// the phone and code forms to the question, accepting; another person declining; the profile's
/// QR code read from Chromium's own pixels back to the link; Share, with the browser's share
/// sheet and with the copy it falls back to; axe on each new page.
async fn invite_links_from_welcome_to_acceptance_and_the_qr_code(backend: Backend) {
    let Some((app, mut browser)) = setup(backend).await else {
        return;
    };
    let a = app.create_user("+998901234567");
    let code = a.invite_code.clone();

    // a fresh browser opens the link, typed loosely
    let c = browser.session(390, 1100).await;
    let loose = format!("{}-{}", &code[..3], &code[3..]).to_lowercase();
    c.goto(&app.url(&format!("/i/{loose}"))).await.unwrap();
    let text = body_text(&c).await;
    assert!(text.contains("+998 •••••••67 invites you"), "{text}");
    check(&c, "invitation-welcome").await;
    click(&c, "#invitation-sign-in").await;
    wait_for(&c, &format!("/login?invite={code}")).await;
    check(&c, "invitation-login").await;
    type_into(&c, "#phone", "+998901234568").await;
    click(&c, "form[action='/login'] button[type=submit]").await;
    wait_for(&c, "/login/code").await;
    type_into(&c, "#code", &app.last_code("+998901234568")).await;
    click(&c, "form[action='/login/code'] button[type=submit]").await;
    wait_for(&c, &format!("/i/{code}")).await;
    assert!(
        body_text(&c)
            .await
            .contains("Accept the invitation of +998 •••••••67?")
    );
    check(&c, "invitation-question").await;
    click(&c, "#invitation-accept").await;
    wait_for(&c, "/profile?entered=1").await;
    assert_eq!(app.user("+998901234568").unwrap().invited_by_id, Some(a.id));
    c.goto(&app.url(&format!("/i/{code}"))).await.unwrap();
    assert!(
        body_text(&c)
            .await
            .contains("You have already accepted an invitation")
    );
    check(&c, "invitation-entered").await;
    c.close().await.unwrap();

    // another declines: nothing is recorded
    let d = browser.session(390, 1100).await;
    d.goto(&app.url(&format!("/i/{code}"))).await.unwrap();
    click(&d, "#invitation-sign-in").await;
    type_into(&d, "#phone", "+998901234569").await;
    click(&d, "form[action='/login'] button[type=submit]").await;
    wait_for(&d, "/login/code").await;
    type_into(&d, "#code", &app.last_code("+998901234569")).await;
    click(&d, "form[action='/login/code'] button[type=submit]").await;
    wait_for(&d, &format!("/i/{code}")).await;
    click(&d, "#invitation-decline").await;
    wait_for(&d, "/profile").await;
    assert_eq!(app.user("+998901234569").unwrap().invited_by_id, None);
    d.goto(&app.url("/i/ZZZZZZ")).await.unwrap();
    assert!(
        body_text(&d)
            .await
            .contains("This invite link does not lead to anyone")
    );
    check(&d, "invitation-unknown").await;
    d.close().await.unwrap();

    // the owner: the QR code as Chromium draws it reads back to the link
    let o = browser.session(390, 1100).await;
    sign_in(&o, &app, "+998901234567", "+998901234567").await;
    let link = format!("{}/i/{code}", app.settings.link_origin());
    let png = find(&o, "#invite-qr").await.screenshot().await.unwrap();
    assert_eq!(crate::helpers::decode_qr_png(&png), link);
    check(&o, "profile-invite-link").await;
    o.goto(&app.url(&format!("/i/{code}"))).await.unwrap();
    assert!(
        body_text(&o)
            .await
            .contains("This is your own invite link.")
    );
    check(&o, "invitation-own").await;
    o.goto(&app.url("/profile")).await.unwrap();

    // Share: the browser's share sheet where there is one (stood in for here, to see what it
    // is given), else the link is copied
    let share = find(&o, "#share-button").await;
    assert!(share.is_displayed().await.unwrap(), "shown with script");
    o.execute(
        "window.__shared = null; navigator.share = (data) => { window.__shared = data; return Promise.resolve(); };",
        vec![],
    )
    .await
    .unwrap();
    share.click().await.unwrap();
    let shared = o.execute("return window.__shared;", vec![]).await.unwrap();
    assert_eq!(shared["url"], link.as_str(), "{shared}");
    o.execute("navigator.share = undefined;", vec![])
        .await
        .unwrap();
    share.click().await.unwrap();
    let copied = o
        .wait()
        .at_most(Duration::from_secs(5))
        .every(Duration::from_millis(20))
        .for_element(Locator::XPath(
            "//button[@id='share-button' and normalize-space() = 'Link copied']",
        ))
        .await;
    assert!(copied.is_ok(), "without a share sheet the link is copied");

    click(&o, "#invite-print").await;
    wait_for(&o, "/profile/invite/print").await;
    let png = find(&o, "#print-qr").await.screenshot().await.unwrap();
    assert_eq!(crate::helpers::decode_qr_png(&png), link);
    check(&o, "invite-print").await;

    // every new page in the other two languages
    for lang in ["ru", "uz"] {
        click(&o, &format!("button[name=lang][value={lang}]")).await;
        check(&o, &format!("invite-print-{lang}")).await;
        o.goto(&app.url("/profile")).await.unwrap();
        check(&o, &format!("profile-invite-link-{lang}")).await;
        o.goto(&app.url("/i/ZZZZZZ")).await.unwrap();
        check(&o, &format!("invitation-unknown-{lang}")).await;
        let e = app.create_user(&format!("+99890123457{}", if lang == "ru" { 1 } else { 2 }));
        o.goto(&app.url(&format!("/i/{}", e.invite_code)))
            .await
            .unwrap();
        check(&o, &format!("invitation-question-{lang}")).await;
        o.goto(&app.url("/profile/invite/print")).await.unwrap();
    }
    o.close().await.unwrap();
}

#[actix_web::test]
async fn invite_links_from_welcome_to_acceptance_and_the_qr_code_in_chromium() {
    // the rules run on both databases over HTTP (invite_links.rs); the browser journey once
    invite_links_from_welcome_to_acceptance_and_the_qr_code(Backend::Sqlite).await;
}
