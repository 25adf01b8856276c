//! `app.sign_in`: asking for codes and checking them, without HTTP.

use diesel::prelude::*;
use user_auth::{
    app::sign_in::CodeSent,
    db::schema::{sessions, sign_in_events},
    domain::{
        account::Credential,
        otp::OtpCode,
        refusal::{SendRefused, VerifyRefused},
        staff::{Action, Actor},
    },
};

use super::{UseCases, client, english, phone, translator};
use crate::helpers::Backend;

const A: &str = "+998901230001";
const B: &str = "+998901230002";

pub fn wrong(right: &OtpCode) -> OtpCode {
    OtpCode::parse(
        if right.as_str() == "0000" {
            "1111"
        } else {
            "0000"
        },
        4,
    )
    .unwrap()
}

fn outcomes(uc: &UseCases) -> Vec<String> {
    sign_in_events::table
        .order(sign_in_events::id.asc())
        .select(sign_in_events::outcome)
        .load(&mut uc.conn())
        .unwrap()
}

async fn a_code_goes_out_in_the_persons_language_and_signs_in_once(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let (a, from) = (phone(A), client("10.0.0.1"));

    let sent = uc
        .app
        .sign_in
        .request_code(&a, &from, &translator("ru"))
        .await
        .unwrap();

    assert_eq!(
        sent,
        Ok(CodeSent {
            resend_after: 60,
            expires_in: 300
        })
    );
    assert!(uc.sms.messages_to(A).is_empty(), "the worker sends it");
    assert_eq!(uc.deliver().await.sent, 1);
    let text = &uc.sms.messages_to(A)[0].text;
    assert!(text.starts_with("Ваш код user-auth: "), "{text}");
    let code = uc.last_code(&a);
    let signed_in = uc
        .verify(&a, code.clone(), &from, Credential::WebSession)
        .await
        .expect("signed in");
    assert!(signed_in.new_account);
    assert_eq!(signed_in.profile.user.phone, A);
    assert_eq!(signed_in.profile.entered_code, None);
    assert_eq!(signed_in.token.len(), 32);
    assert_eq!(signed_in.expires_at, uc.now() + uc.limits.session_ttl);
    // single use
    let again = uc.verify(&a, code, &from, Credential::WebSession).await;
    assert_eq!(again.err(), Some(VerifyRefused::UsedUp));
    assert_eq!(outcomes(&uc), ["code_sent", "signed_in", "code_dead"]);
}

async fn known_and_unknown_numbers_get_the_same_answer(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    uc.create_user(A);
    let from = client("10.0.0.1");
    let known = uc.request(&phone(A), &from).await;
    let unknown = uc.request(&phone(B), &from).await;
    assert_eq!(known, unknown);
    assert_eq!(uc.sms.messages().len(), 2);
}

async fn each_sending_limit_refuses_with_its_wait(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let a = phone(A);
    let ask = async |p: &str| uc.request(&phone(p), &client("10.0.0.1")).await;
    assert!(ask(A).await.is_ok());
    uc.advance(15);
    assert_eq!(
        ask(A).await,
        Err(SendRefused::ResendTooSoon { retry_after: 45 })
    );
    assert_eq!(uc.app.sign_in.resend_wait(&a).await.unwrap(), 45);
    // five codes an hour for one number
    for _ in 0..4 {
        uc.advance(60);
        assert!(ask(A).await.is_ok());
    }
    uc.advance(60);
    assert_eq!(
        ask(A).await,
        Err(SendRefused::TooManyForPhone {
            retry_after: 3600 - 15 - 4 * 60 - 60
        })
    );
    // twenty codes an hour from one address, whatever the numbers
    for i in 0..15 {
        assert!(ask(&format!("+9989012310{i:02}")).await.is_ok(), "{i}");
    }
    assert!(matches!(
        ask("+998901231099").await,
        Err(SendRefused::TooManyFromAddress { .. })
    ));
    assert_eq!(uc.sms.messages().len(), 20);
}

async fn wrong_codes_use_up_the_code_and_lock_only_that_network(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let (a, from) = (phone(A), client("10.0.0.1"));
    let verify = async |code: OtpCode| {
        uc.verify(&a, code, &from, Credential::WebSession)
            .await
            .err()
    };
    let mut refusals = Vec::new();
    // 4 codes with 3 wrong tries each, all from one network
    for round in 0..4 {
        if round > 0 {
            uc.advance(61);
        }
        uc.request(&a, &from).await.unwrap();
        let bad = wrong(&uc.last_code(&a));
        for _ in 0..3 {
            refusals.push(verify(bad.clone()).await);
        }
    }
    let wrong_three = [
        Some(VerifyRefused::Wrong { attempts_left: 2 }),
        Some(VerifyRefused::Wrong { attempts_left: 1 }),
        Some(VerifyRefused::Wrong { attempts_left: 0 }),
    ];
    assert_eq!(refusals[..3], wrong_three);
    assert_eq!(refusals[3..6], wrong_three);
    // the tenth failure locks this network out of this number until the first leaves the hour
    assert_eq!(
        refusals[9],
        Some(VerifyRefused::PhoneLocked {
            retry_after: 3600 - 3 * 61
        })
    );
    assert!(matches!(
        refusals[10],
        Some(VerifyRefused::PhoneLocked { .. })
    ));
    let right = uc.last_code(&a);
    assert!(matches!(
        verify(right.clone()).await,
        Some(VerifyRefused::PhoneLocked { .. })
    ));
    assert!(matches!(
        uc.request(&a, &from).await,
        Err(SendRefused::PhoneLocked { .. })
    ));
    let events = outcomes(&uc);
    assert_eq!(
        events.iter().filter(|e| *e == "wrong_code").count(),
        10,
        "the last try of a code is a wrong code too; refusals by the lock leave nothing"
    );
    assert_eq!(events.len(), 14, "{events:?}");

    // the owner, on another network, signs in with the code still open
    let signed_in = uc
        .verify(&a, right, &client("10.9.9.9"), Credential::WebSession)
        .await;
    assert!(signed_in.is_ok(), "{signed_in:?}");
}

async fn a_numbers_short_codes_get_three_guesses_a_day_then_codes_are_long(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let a = phone(A);
    let net = |n: u8| client(&format!("10.0.{n}.1"));
    uc.request(&a, &net(1)).await.unwrap();
    let first = uc.last_code(&a);
    assert_eq!(first.len(), 4);
    for n in [2, 3] {
        uc.verify(&a, wrong(&first), &net(n), Credential::WebSession)
            .await
            .unwrap_err();
    }
    uc.advance(61);
    // two guesses so far: the next code is still short, and gets one more guess
    uc.request(&a, &net(1)).await.unwrap();
    let second = uc.last_code(&a);
    assert_eq!(second.len(), 4);
    let res = uc
        .verify(&a, wrong(&second), &net(4), Credential::WebSession)
        .await;
    assert_eq!(res.err(), Some(VerifyRefused::Wrong { attempts_left: 2 }));
    // the day's three are spent: even the right short code is no longer checked
    let res = uc.verify(&a, second, &net(1), Credential::WebSession).await;
    assert_eq!(res.err(), Some(VerifyRefused::UsedUp));
    uc.advance(61);
    uc.request(&a, &net(1)).await.unwrap();
    let long = uc.last_code(&a);
    assert_eq!(long.len(), 8);
    assert!(
        uc.verify(&a, long, &net(1), Credential::WebSession)
            .await
            .is_ok(),
        "the owner signs in with the long code"
    );
    // a day after the guesses, codes are short again
    uc.advance(24 * 3600);
    uc.request(&a, &net(1)).await.unwrap();
    assert_eq!(uc.last_code(&a).len(), 4);
}

async fn staff_get_long_codes(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    uc.grant(A, user_auth::domain::staff::Action::GrantStaff);
    let from = client("10.0.0.1");
    uc.request(&phone(A), &from).await.unwrap();
    uc.request(&phone(B), &from).await.unwrap();
    assert_eq!(uc.last_code(&phone(A)).len(), 8);
    assert_eq!(uc.last_code(&phone(B)).len(), 4);
    assert_eq!(
        uc.sms.messages_to(A)[0].text.len(),
        uc.sms.messages_to(B)[0].text.len() + 4,
        "the message differs only in the code"
    );
}

async fn a_typo_then_a_sign_in_is_forgiven_to_the_network_not_to_the_number(backend: Backend) {
    let limits = user_auth::domain::limits::Limits {
        wrong_checks_per_ip_per_hour: 3,
        ..user_auth::domain::limits::Limits::default()
    };
    let Some(uc) = UseCases::with_limits(backend, limits) else {
        return;
    };
    let (a, home) = (phone(A), client("10.0.0.1"));
    uc.request(&a, &home).await.unwrap();
    let code = uc.last_code(&a);
    for _ in 0..2 {
        uc.verify(&a, wrong(&code), &home, Credential::WebSession)
            .await
            .unwrap_err();
    }
    uc.verify(&a, code, &home, Credential::WebSession)
        .await
        .expect("signed in");
    // the typos no longer count against the network: three more failures are allowed
    for n in 0..3 {
        let res = uc
            .verify(
                &phone(B),
                wrong(&uc.last_code(&a)),
                &home,
                Credential::ApiToken,
            )
            .await;
        assert_eq!(res.err(), Some(VerifyRefused::UsedUp), "failure {n}");
    }
    assert!(matches!(
        uc.verify(
            &phone(B),
            wrong(&uc.last_code(&a)),
            &home,
            Credential::ApiToken
        )
        .await,
        Err(VerifyRefused::TooManyFromAddress { .. })
    ));
    // but they still count against the number's day budget of short guesses
    uc.advance(61);
    uc.request(&a, &home).await.unwrap();
    let third_guess = uc
        .verify(
            &a,
            wrong(&uc.last_code(&a)),
            &client("10.0.0.2"),
            Credential::WebSession,
        )
        .await;
    assert_eq!(
        third_guess.err(),
        Some(VerifyRefused::Wrong { attempts_left: 2 })
    );
    uc.advance(61);
    uc.request(&a, &home).await.unwrap();
    assert_eq!(uc.last_code(&a).len(), 8);
}

async fn the_prefix_and_the_service_budgets_refuse_with_their_waits(backend: Backend) {
    let limits = user_auth::domain::limits::Limits {
        sms_per_prefix_per_hour: 2,
        sms_per_hour: 3,
        ..user_auth::domain::limits::Limits::default()
    };
    let Some(uc) = UseCases::with_limits(backend, limits) else {
        return;
    };
    let ask = async |number: &str, ip: &str| uc.request(&phone(number), &client(ip)).await;
    // three numbers of one block (+99890123 …)
    assert!(ask("+998901230011", "10.0.0.1").await.is_ok());
    uc.advance(100);
    assert!(ask("+998901230012", "10.0.0.2").await.is_ok());
    assert_eq!(
        ask("+998901230013", "10.0.0.3").await,
        Err(SendRefused::TooManyForPrefix {
            retry_after: 3600 - 100
        })
    );
    assert!(
        ask("+998911230011", "10.0.0.4").await.is_ok(),
        "another block"
    );
    assert_eq!(
        ask("+998931230011", "10.0.0.5").await,
        Err(SendRefused::BudgetSpent {
            retry_after: 3600 - 100
        })
    );
    assert_eq!(uc.sms.messages().len(), 3);
    uc.advance(3600 - 100);
    assert!(ask("+998931230011", "10.0.0.5").await.is_ok());
}

/// The block's and the service's counts come from a row per minute plus the window's first,
/// partial minute: at every moment and for every start of the window they equal the codes
/// counted one by one.
async fn the_per_minute_counts_equal_the_codes_counted_one_by_one(backend: Backend) {
    use diesel::prelude::*;
    use user_auth::db::{
        login_codes::{Scope, SendingKeys, Window, count_since, sending_state},
        schema::login_codes as c,
    };
    let limits = user_auth::domain::limits::Limits {
        sms_per_prefix_per_hour: 1_000,
        sms_per_hour: 1_000,
        ..user_auth::domain::limits::Limits::default()
    };
    let Some(uc) = UseCases::with_limits(backend, limits) else {
        return;
    };
    // codes 17 s apart for 20 minutes, to two blocks, from many networks
    for i in 0..70 {
        let number = format!("+9989{}12300{:02}", i % 2, i);
        let ip = format!("10.{i}.0.1");
        assert!(uc.request(&phone(&number), &client(&ip)).await.is_ok());
        uc.advance(17);
    }
    let now = uc.now();
    let mut conn = uc.conn();
    for back in (0..=1_300).step_by(7) {
        let since = now - chrono::TimeDelta::seconds(back);
        for (scope, filter) in [
            (Scope::All, None),
            (Scope::Prefix("+99890123"), Some("+99890123")),
            (Scope::Prefix("+99891123"), Some("+99891123")),
        ] {
            let mut one_by_one = c::table.filter(c::created_at.gt(since)).into_boxed();
            if let Some(prefix) = filter {
                one_by_one = one_by_one.filter(c::phone_prefix.eq(prefix));
            }
            let expected: i64 = one_by_one.count().get_result(&mut conn).unwrap();
            assert_eq!(
                count_since(&mut conn, scope, since).unwrap(),
                expected,
                "{scope:?} since {back} s ago"
            );
            // the code request reads them in one statement, with the oldest of each window
            let prefix = filter.unwrap_or("+99899999");
            let state = sending_state(
                &mut conn,
                &SendingKeys {
                    phone: "+998901230000",
                    network: "10.0.0.0/8",
                    prefix,
                    user_id: None,
                    since,
                    lock_since: since,
                    short_since: since,
                    long_length: 8,
                },
            )
            .unwrap();
            let window = if filter.is_some() {
                state.prefix
            } else {
                state.all
            };
            let mut oldest = c::table.filter(c::created_at.gt(since)).into_boxed();
            if let Some(prefix) = filter {
                oldest = oldest.filter(c::phone_prefix.eq(prefix));
            }
            let oldest: Option<chrono::NaiveDateTime> = oldest
                .select(diesel::dsl::min(c::created_at))
                .first(&mut conn)
                .unwrap();
            assert_eq!(
                window,
                Window {
                    codes: expected,
                    oldest
                },
                "{scope:?} since {back} s ago, in one statement"
            );
        }
    }
}

async fn an_expired_code_is_refused(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let (a, from) = (phone(A), client("10.0.0.1"));
    uc.request(&a, &from).await.unwrap();
    uc.advance(300);
    let res = uc
        .verify(&a, uc.last_code(&a), &from, Credential::WebSession)
        .await;
    assert_eq!(res.err(), Some(VerifyRefused::Expired));
    assert!(uc.user(A).is_none(), "no account");
}

/// A round that sends several messages records each as sent (in one statement on
/// PostgreSQL): its provider, its body emptied, and nothing left to send again.
async fn a_round_records_every_message_it_sent(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let numbers: Vec<String> = (0..5).map(|i| format!("+99890123450{i}")).collect();
    for (i, number) in numbers.iter().enumerate() {
        uc.app
            .sign_in
            .request_code(&phone(number), &client(&format!("10.0.0.{i}")), &english())
            .await
            .expect("the database")
            .expect("a code");
    }
    let round = uc.deliver().await;
    assert_eq!((round.claimed, round.sent), (5, 5), "{round:?}");
    for number in &numbers {
        assert_eq!(
            outbox_rows(&uc, number),
            [("sent".into(), 1, false)],
            "{number}"
        );
        assert_eq!(uc.sms.messages_to(number).len(), 1, "{number}");
    }
    assert_eq!(uc.deliver().await.claimed, 0, "nothing to send again");
}

/// (state, attempts, has a body) of every message to `e164`, oldest first.
fn outbox_rows(uc: &UseCases, e164: &str) -> Vec<(String, i32, bool)> {
    use user_auth::db::schema::sms_messages as m;
    m::table
        .filter(m::phone.eq(e164))
        .order(m::id.asc())
        .select((m::state, m::attempts, m::body))
        .load::<(String, i32, Vec<u8>)>(&mut uc.conn())
        .unwrap()
        .into_iter()
        .map(|(s, a, b)| (s, a, !b.is_empty()))
        .collect()
}

async fn a_failed_send_is_tried_again_and_the_code_arrives_once(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let (a, from) = (phone(A), client("10.0.0.1"));
    uc.sms.set_failing(true);

    let res = uc.app.sign_in.request_code(&a, &from, &english()).await;

    assert!(
        res.unwrap().is_ok(),
        "the request does not wait for the provider"
    );
    let round = uc.deliver().await;
    assert_eq!((round.claimed, round.retried), (1, 1));
    assert_eq!(outbox_rows(&uc, A), [("pending".into(), 1, true)]);
    assert_eq!(uc.deliver().await.claimed, 0, "not before its wait");
    uc.advance(2);
    assert_eq!(uc.deliver().await.retried, 1);
    uc.sms.set_failing(false);
    uc.advance(4);
    assert_eq!(uc.deliver().await.sent, 1);
    assert_eq!(
        outbox_rows(&uc, A),
        [("sent".into(), 3, false)],
        "body emptied"
    );
    assert_eq!(uc.sms.messages_to(A).len(), 1);
    assert_eq!(uc.deliver().await.claimed, 0);
    uc.verify(&a, uc.last_code(&a), &from, Credential::WebSession)
        .await
        .expect("the code that arrived signs in");
}

async fn a_message_whose_code_cannot_be_used_is_never_sent(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let (a, b, from) = (phone(A), phone(B), client("10.0.0.1"));
    uc.sms.set_failing(true);
    // A: the provider stays down past the code's lifetime
    uc.app
        .sign_in
        .request_code(&a, &from, &english())
        .await
        .unwrap()
        .unwrap();
    let mut rounds = 0;
    while outbox_rows(&uc, A)[0].0 == "pending" {
        rounds += 1;
        assert!(rounds < 50, "the worker never gave up");
        uc.deliver().await;
        uc.advance(20);
    }
    let rows = outbox_rows(&uc, A);
    assert_eq!((rows[0].0.as_str(), rows[0].2), ("expired", false));
    assert!(rows[0].1 >= 4, "tried while the code lived: {rows:?}");
    uc.sms.set_failing(false);
    uc.advance(600);
    assert_eq!(uc.deliver().await.claimed, 0);
    assert!(
        uc.sms.messages_to(A).is_empty(),
        "an expired code is never sent"
    );

    // B: a newer code retires the older one's message before it went out
    uc.sms.set_failing(true);
    uc.app
        .sign_in
        .request_code(&b, &from, &english())
        .await
        .unwrap()
        .unwrap();
    uc.deliver().await;
    uc.advance(uc.limits.resend_cooldown.num_seconds() + 1);
    uc.app
        .sign_in
        .request_code(&b, &from, &english())
        .await
        .unwrap()
        .unwrap();
    uc.sms.set_failing(false);
    assert_eq!(uc.deliver().await.sent, 1);
    let rows = outbox_rows(&uc, B);
    assert_eq!(
        rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["expired", "sent"]
    );
    assert_eq!(uc.sms.messages_to(B).len(), 1);
    uc.verify(&b, uc.last_code(&b), &from, Credential::WebSession)
        .await
        .expect("the newest code signs in");
}

async fn a_blocked_account_gets_no_credential(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let user = uc.create_user(A);
    user_auth::app::staff::perform(
        &mut uc.conn(),
        Actor::COMMAND_LINE,
        user.id,
        Action::Block,
        uc.now(),
    )
    .unwrap();
    let (a, from) = (phone(A), client("10.0.0.1"));
    uc.request(&a, &from).await.unwrap();
    let res = uc
        .verify(&a, uc.last_code(&a), &from, Credential::WebSession)
        .await;
    assert_eq!(res.err(), Some(VerifyRefused::Blocked));
    let open: i64 = sessions::table.count().get_result(&mut uc.conn()).unwrap();
    assert_eq!(open, 0);
}

async fn an_api_sign_in_gives_a_token_for_the_api_only(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    let token = uc
        .sign_in(&phone(A), &client("10.0.0.1"), Credential::ApiToken)
        .await;
    assert_eq!(token.len(), 64);
    let user = uc.who(Credential::ApiToken, token.clone()).await;
    assert_eq!(user.map(|u| u.phone).as_deref(), Some(A));
    assert_eq!(uc.who(Credential::WebSession, token).await, None);
}

crate::on_both_backends!(
    a_round_records_every_message_it_sent,
    a_code_goes_out_in_the_persons_language_and_signs_in_once,
    known_and_unknown_numbers_get_the_same_answer,
    each_sending_limit_refuses_with_its_wait,
    wrong_codes_use_up_the_code_and_lock_only_that_network,
    a_numbers_short_codes_get_three_guesses_a_day_then_codes_are_long,
    staff_get_long_codes,
    a_typo_then_a_sign_in_is_forgiven_to_the_network_not_to_the_number,
    the_prefix_and_the_service_budgets_refuse_with_their_waits,
    the_per_minute_counts_equal_the_codes_counted_one_by_one,
    an_expired_code_is_refused,
    a_failed_send_is_tried_again_and_the_code_arrives_once,
    a_message_whose_code_cannot_be_used_is_never_sent,
    a_blocked_account_gets_no_credential,
    an_api_sign_in_gives_a_token_for_the_api_only,
);

/// The text in each language, with the longest code and the longest origin allowed: how many
/// SMS segments it takes (the README's table says the same).
#[test]
fn every_language_s_text_fits_its_segments() {
    use user_auth::{
        app::{Config, sign_in::message_text},
        config::MAX_ORIGIN_HOST_LEN,
        domain::{
            invite_code::RandomInviteCodes,
            limits::{LONG_OTP_LENGTH, Limits},
            sms_text::{Encoding, segments},
        },
    };
    let code = OtpCode::parse(&"9".repeat(LONG_OTP_LENGTH), 4).unwrap();
    let cfg = |origin_host: Option<String>| Config {
        limits: Limits::default(),
        code_key: [0; 32],
        invite_codes: std::sync::Arc::new(RandomInviteCodes),
        outbox_key: [0; 32],
        origin_host,
        test_numbers: Default::default(),
        link_origin: "http://127.0.0.1:8000".into(),
        invitee_phones: Default::default(),
        invite_notify_sms: false,
        time_zone: chrono_tz::Tz::UTC,
    };
    let longest = cfg(Some("h".repeat(MAX_ORIGIN_HOST_LEN)));
    let expected = [
        ("en", Encoding::Gsm7, 1, 1),
        ("ru", Encoding::Ucs2, 1, 2),
        ("uz", Encoding::Gsm7, 1, 1),
    ];
    for (lang, encoding, plain, with_origin) in expected {
        let text = message_text(&translator(lang), &cfg(None), "sms-text", &code);
        let s = segments(&text);
        assert_eq!(
            (s.encoding, s.count),
            (encoding, plain),
            "{lang}: {text:?} {s:?}"
        );
        let text = message_text(&translator(lang), &longest, "sms-text", &code);
        assert!(text.ends_with(&format!("\n\n@{} #99999999", "h".repeat(40))));
        let s = segments(&text);
        assert_eq!(
            (s.encoding, s.count),
            (encoding, with_origin),
            "{lang}: {text:?} {s:?}"
        );
    }
}
