//! The server purges what is past retention at start-up and then on its own, every day.

use std::{sync::Arc, time::Duration};

use chrono::TimeDelta;
use diesel::prelude::*;
use user_auth::{
    clock::{Clock, ManualClock},
    db::schema::sign_in_events,
    domain::invite_code::RandomInviteCodes,
    sms::CapturingSender,
    startup::Application,
    state::Dependencies,
};

use crate::helpers::{Backend, Options, TestApp};

const A: &str = "+998901290001";

fn events(app: &TestApp) -> i64 {
    sign_in_events::table
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

async fn the_server_purges_on_its_own_and_at_start_up(backend: Backend) {
    let Some(app) = TestApp::spawn_with(
        backend,
        Options {
            purge_every: Duration::from_millis(100),
            ..Options::default()
        },
    )
    .await
    else {
        return;
    };
    let retention = app.settings.limits.retention;
    app.sign_in(A, A).await;
    assert!(events(&app) > 0);

    // the periodic run (every 100 ms here, every day by default)
    app.advance(retention.num_seconds() - 60);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(events(&app) > 0, "younger than the retention: kept");
    app.advance(120);
    let mut waited = 0;
    while events(&app) > 0 {
        assert!(waited < 100, "the periodic purge never ran");
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += 1;
    }

    // a server started after its data aged purges before it answers anything
    app.sign_in_with(&app.new_browser().0, A).await;
    assert!(events(&app) > 0);
    let later = ManualClock::at(app.clock.now() + retention + TimeDelta::seconds(1));
    let deps = Dependencies {
        clock: Arc::new(later),
        sms: user_auth::app::Senders::one(Arc::new(CapturingSender::new())),
        invite_codes: Arc::new(RandomInviteCodes),
    };
    let second = Application::build(&app.settings, deps).expect("a second server starts");
    assert_eq!(events(&app), 0);
    drop(second);
}

crate::on_both_backends!(the_server_purges_on_its_own_and_at_start_up);
