//! A panic on one of the tracker's own threads (the worker, a lane's sender)
//! must neither reach the game nor leave anyone waiting for an answer that
//! never comes. Each thread runs its work through [`catch`]; whoever caught
//! the panic reports it once ([`Panic::report`]) and gives up, visibly, on
//! what the thread held (counted as `thread_panicked`).
//!
//! With the `test-hooks` feature (tests only, never in a release build) a
//! test can make a thread panic on purpose: see [`inject`].

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::diagnostics::Diagnostics;
use crate::stats::{Signal, Stats};

/// A caught panic and its message.
#[derive(Debug)]
pub(crate) struct Panic {
    pub message: String,
}

/// Runs `work`, turning a panic into an `Err`. Unwind safety is asserted:
/// after a panic the caller never trusts what `work` touched again (the
/// thread ends, and what it held is given up on).
pub(crate) fn catch<R>(work: impl FnOnce() -> R) -> Result<R, Panic> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|payload| Panic {
        message: message_of(payload.as_ref()),
    })
}

fn message_of(payload: &(dyn Any + Send)) -> String {
    match (
        payload.downcast_ref::<&str>(),
        payload.downcast_ref::<String>(),
    ) {
        (Some(text), _) => (*text).to_string(),
        (_, Some(text)) => text.clone(),
        _ => "a panic without a message".to_string(),
    }
}

impl Panic {
    /// Counts it for `get_stats()` (`thread_panics`), makes it the
    /// `last_error` of the `signals` it cost, and warns once per thread.
    pub fn report(
        &self,
        thread: &str,
        signals: &[Signal],
        stats: &Stats,
        diagnostics: &mut Diagnostics,
    ) {
        stats.thread_panicked();
        let text = format!(
            "the {thread} thread panicked ({}); what it held is given up on (thread_panicked)",
            self.message
        );
        for signal in signals {
            stats.set_last_error(*signal, text.clone());
        }
        diagnostics.warn_once(
            &format!("panic:{thread}"),
            format!("{text}. A bug: please report it."),
        );
    }
}

/// Test builds only: a log whose message is this makes the worker panic
/// when it reads it.
#[cfg(feature = "test-hooks")]
pub const PANIC_WORKER: &str = "GameTracker test hook: panic the worker";
/// Test builds only: a request whose body holds this text (a log message,
/// with `compression` off) makes its sender thread panic.
#[cfg(feature = "test-hooks")]
pub const PANIC_SENDER: &str = "GameTracker test hook: panic the sender";

/// Test builds only: a log whose message is this is lost by the worker
/// when it reads it, counted nowhere: the accounting identity must then
/// fail (rust/core/tests/accounting.rs).
#[cfg(feature = "test-hooks")]
pub const LOSE_EVENT: &str = "GameTracker test hook: lose this event uncounted";

/// Test builds only: whether the hooks look at what passes. Off until a
/// test arms them: the feature is on for every test and benchmark target of
/// the core, and looking through every log and request body would be the
/// benchmarks' cost, not the tracker's.
#[cfg(feature = "test-hooks")]
static ARMED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Test builds only: from now on, in this process, a log or request holding
/// one of the texts above panics where it says.
#[cfg(feature = "test-hooks")]
pub fn arm_panic_hooks() {
    ARMED.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Test builds only: panics when `bytes` hold `hook` (one of the texts
/// above) and the hooks are armed.
#[cfg(feature = "test-hooks")]
pub(crate) fn inject(bytes: &[u8], hook: &str) {
    if ARMED.load(std::sync::atomic::Ordering::Relaxed)
        && bytes.windows(hook.len()).any(|w| w == hook.as_bytes())
    {
        panic!("injected by a test: {hook}");
    }
}

/// Test builds only: whether `bytes` hold [`LOSE_EVENT`] and the hooks are
/// armed.
#[cfg(feature = "test-hooks")]
pub(crate) fn lost_on_purpose(bytes: &[u8]) -> bool {
    ARMED.load(std::sync::atomic::Ordering::Relaxed)
        && bytes
            .windows(LOSE_EVENT.len())
            .any(|w| w == LOSE_EVENT.as_bytes())
}
