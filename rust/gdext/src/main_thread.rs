//! The API belongs to the main thread. Release builds run gdext without its
//! per-engine-call thread check (`safeguards-release-disengaged`: that check
//! cost more than the tracker's own work), so each API call checks once here
//! instead: a call from another thread (a `Thread`, `WorkerThreadPool`)
//! touches no tracker state, warns once and is counted as dropped.
//! Debug builds keep gdext's own check, which stops such a call earlier.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use game_tracker_core::Signal;

use crate::warn::warn_once;

thread_local! {
    static IS_MAIN: Cell<bool> = const { Cell::new(false) };
}

/// Calls refused because they came from another thread, per signal.
static REFUSED: [AtomicU64; 3] = [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)];

/// Called once, on the main thread, when the extension loads.
pub fn mark() {
    IS_MAIN.with(|m| m.set(true));
}

/// True on the main thread; otherwise warns once, counts the call against
/// `signal` (if it would have made an event) and returns false.
pub fn check(method: &'static str, signal: Option<Signal>) -> bool {
    if IS_MAIN.with(Cell::get) {
        return true;
    }
    if let Some(signal) = signal {
        REFUSED[signal.index()].fetch_add(1, Ordering::Relaxed);
    }
    warn_once(method, "thread", || {
        format!("{method}() called from a thread other than the main thread; ignored (GameTracker's API is main-thread only; use call_deferred)")
    });
    false
}

/// Calls refused for `signal` so far (for `get_stats()`).
pub fn refused(signal: Signal) -> u64 {
    REFUSED[signal.index()].load(Ordering::Relaxed)
}
