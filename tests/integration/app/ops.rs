//! Readiness: the database, the migrations, and an outbox that no worker takes from (here no
//! worker runs, as in a server whose worker died).

use diesel::prelude::*;
use user_auth::{
    app::ops::{NotReady, OUTBOX_STUCK_AFTER},
    domain::phone::PhoneNumber,
};

use super::UseCases;
use crate::helpers::Backend;

async fn ready_until_a_due_message_waits_or_a_migration_is_missing(backend: Backend) {
    let Some(uc) = UseCases::new(backend) else {
        return;
    };
    assert_eq!(uc.app.ops.ready().await, Ok(()));

    // a code's message, due now: fine for a while, stuck once it has waited too long
    let phone = PhoneNumber::from_e164_unchecked("+998901234567".into());
    uc.app
        .sign_in
        .request_code(&phone, &super::client("203.0.113.1"), &super::english())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(uc.app.ops.ready().await, Ok(()));
    let figures = uc.app.ops.figures().await.unwrap();
    assert_eq!(figures.outbox_open, 1);
    uc.advance(OUTBOX_STUCK_AFTER.num_seconds() + 5);
    assert!(matches!(
        uc.app.ops.ready().await,
        Err(NotReady::OutboxStuck { due_for }) if due_for >= OUTBOX_STUCK_AFTER.num_seconds()
    ));
    // the worker takes it (its code has expired by now, so it is given up): ready again
    uc.deliver().await;
    assert_eq!(uc.app.ops.ready().await, Ok(()));
    assert_eq!(uc.app.ops.figures().await.unwrap().outbox_open, 0);

    // a migration the server needs is missing
    diesel::sql_query(
        "DELETE FROM __diesel_schema_migrations WHERE version = (SELECT max(version) FROM __diesel_schema_migrations)",
    )
    .execute(&mut uc.conn())
    .unwrap();
    assert_eq!(uc.app.ops.ready().await, Err(NotReady::Migrations));
}

crate::on_both_backends!(ready_until_a_due_message_waits_or_a_migration_is_missing);
