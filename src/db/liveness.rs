//! Whether a pooled connection is alive, learnt from the work itself instead of a ping at every
//! check-out (a round trip per request on PostgreSQL): each connection's instrumentation notes,
//! per thread, whether the database answered any statement of the current piece of work, and
//! whether the connection was found lost, so the pool drops it when it comes back.

use std::{
    cell::Cell,
    sync::{Once, OnceLock},
};

use diesel::connection::{Instrumentation, InstrumentationEvent, set_default_instrumentation};

thread_local! {
    /// The database answered a statement since [`begin`] on this thread.
    static ANSWERED: Cell<bool> = const { Cell::new(false) };
    /// The connection used on this thread since [`begin`] was found lost.
    static LOST: Cell<bool> = const { Cell::new(false) };
}

/// Makes an observer for a new connection (diesel's form of a default instrumentation).
pub type MakeObserver = fn() -> Option<Box<dyn Instrumentation>>;

/// A further observer of every connection's statements (statement counts in the tests).
static OBSERVER: OnceLock<MakeObserver> = OnceLock::new();

/// Each connection's instrumentation: notes answers, then hands the event to the observer.
struct Liveness {
    observer: Option<Box<dyn Instrumentation>>,
}

impl Instrumentation for Liveness {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::FinishQuery { error, .. } = &event {
            // an error the server sent (a constraint, a syntax error) is an answer too
            let answered = match error {
                None => true,
                Some(diesel::result::Error::DatabaseError(kind, _)) => !matches!(
                    kind,
                    diesel::result::DatabaseErrorKind::ClosedConnection
                        | diesel::result::DatabaseErrorKind::UnableToSendCommand
                ),
                Some(_) => false,
            };
            if answered {
                ANSWERED.set(true);
            }
        }
        if let Some(observer) = &mut self.observer {
            observer.on_connection_event(event);
        }
    }
}

/// Installs [`Liveness`] on every connection opened from now on (once per process).
pub(super) fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // only fails if the lock was poisoned, and nothing else writes it
        let _ = set_default_instrumentation(|| {
            Some(Box::new(Liveness {
                observer: OBSERVER.get().and_then(|make| make()),
            }))
        });
    });
}

/// Lets `make` observe the statements of every connection opened from now on (diesel's
/// instrumentation; the process has one default, which this module keeps). False if an
/// observer was set already.
pub fn observe_statements(make: MakeObserver) -> bool {
    install();
    OBSERVER.set(make).is_ok()
}

/// Starts a piece of work on this thread with a connection: nothing answered, nothing lost.
pub(super) fn begin() {
    ANSWERED.set(false);
    LOST.set(false);
}

/// Whether the database answered any statement since [`begin`].
pub(super) fn answered() -> bool {
    ANSWERED.get()
}

/// Marks the connection in use on this thread as lost: the pool drops it when it is returned.
pub(super) fn mark_lost() {
    LOST.set(true);
}

/// Whether the connection being returned on this thread was marked lost (and clears the mark).
pub(super) fn take_lost() -> bool {
    LOST.replace(false)
}
