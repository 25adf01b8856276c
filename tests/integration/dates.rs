//! Dates, numbers and relative times in each language's own format, in `APP_TIME_ZONE`, with
//! ISO in `<time datetime>`: on the profile, the sessions page and the staff pages. One backend:
//! what is formatted does not depend on where it was stored.

use chrono::NaiveDate;
use diesel::prelude::*;

use user_auth::db::schema::users;

use crate::helpers::{Backend, Options, TestApp};

const A: &str = "+998901110001";
const B: &str = "+998901110002";

#[actix_web::test]
async fn each_language_writes_dates_numbers_and_times_its_own_way_in_the_services_zone() {
    // 21:30 UTC on 1 December is 02:30 on 2 December in Tashkent (UTC+5)
    let start = NaiveDate::from_ymd_opt(2026, 12, 1)
        .unwrap()
        .and_hms_opt(21, 30, 0)
        .unwrap();
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        Options {
            clock_start: Some(start),
            time_zone: chrono_tz::Tz::Asia__Tashkent,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let a = app.create_user(A);
    app.sign_in(B, B).await;
    app.enter_code(&a.invite_code).await;

    // the day B joined and entered A's code, as each language writes it
    for (lang, day) in [
        ("en", "2 December 2026"),
        ("ru", "2 декабря 2026\u{202f}г."),
        ("uz", "2-dekabr, 2026"),
    ] {
        let profile = app.get_html_in("/profile", lang).await;
        let shown = format!("<time datetime=\"2026-12-02\">{day}</time>");
        assert_eq!(profile.matches(&shown).count(), 2, "{lang}: {profile}");
        assert!(
            !profile.contains("2026-12-01"),
            "{lang}: stored UTC day shown"
        );
    }

    // grouped numbers: A's count, in the words of each language
    diesel::update(users::table.find(a.id))
        .set(users::invitee_count.eq(100_000))
        .execute(&mut app.conn())
        .unwrap();
    app.sign_out().await;
    app.advance(61);
    app.sign_in(A, A).await;
    // the token is made at 21:32:02 UTC, 02:32 in Tashkent
    app.advance(61);
    let token = app.api_token(A).await;
    assert!(!token.is_empty());
    for (lang, count) in [
        ("en", "100,000 people joined with your code."),
        ("ru", "По вашему коду присоединились 100\u{a0}000 человек."),
        ("uz", "Kodingiz orqali 100\u{a0}000 kishi qoʻshildi."),
    ] {
        let profile = app.get_html_in("/profile", lang).await;
        assert!(profile.contains(count), "{lang}: {profile}");
    }

    // the sessions page: since when (a day), last seen (how long ago; exactly, for machines)
    app.advance(5 * 60);
    for (lang, ago) in [
        ("en", "5 minutes ago"),
        ("ru", "5 минут назад"),
        ("uz", "5 daqiqa oldin"),
    ] {
        let devices = app.get_html_in("/profile/devices", lang).await;
        assert!(
            devices.contains(&format!(
                "<time datetime=\"2026-12-02T02:32+05:00\">{ago}</time>"
            )),
            "{lang}: {devices}"
        );
    }

    // staff see moments to the minute, in the same zone
    app.make_staff(A);
    app.sign_out().await;
    app.advance(61);
    app.sign_in(A, A).await;
    let b = app.user(B).unwrap();
    let person = app
        .get_html_in(&format!("/admin/users/{}", b.id), "en")
        .await;
    assert!(
        person.contains("<time datetime=\"2026-12-02T02:30+05:00\">2 Dec 2026, 02:30</time>"),
        "{person}"
    );
    let users = app.get_html_in("/admin/users", "ru").await;
    assert!(
        users.contains(
            "<time datetime=\"2026-12-02T02:30+05:00\">2 дек. 2026\u{202f}г., 02:30</time>"
        ),
        "{users}"
    );
}
