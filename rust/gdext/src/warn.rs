//! The tracker's own output: warnings about misuse, printed once per
//! (call, problem) per process so a bad call in `_process` cannot flood the
//! output (the same keyed warn-once as the worker's,
//! `game_tracker_core::diagnostics`; the message is only formatted the
//! first time), and every other warning or error the tracker prints.
//!
//! Everything printed here is marked while it is printed, so the error
//! capture (`addons/game_tracker/error_capture.gd`, a Godot `Logger` called
//! on the printing thread) skips the tracker's own output by asking
//! [`is_printing_own`], not by its text: a game's own error that happens to
//! start with "GameTracker" is still captured.

use std::cell::Cell;
use std::sync::Mutex;

use game_tracker_core::diagnostics::{WarnOnce, PREFIX};

static SEEN: Mutex<Option<WarnOnce<(&'static str, &'static str)>>> = Mutex::new(None);

thread_local! {
    /// Set while this thread prints the tracker's own output.
    static PRINTING_OWN: Cell<bool> = const { Cell::new(false) };
}

/// `call` is the API method (e.g. "log_info"), `problem` a short tag.
pub fn warn_once(call: &'static str, problem: &'static str, message: impl FnOnce() -> String) {
    let first = SEEN
        .lock()
        .map(|mut seen| {
            seen.get_or_insert_with(WarnOnce::default)
                .first(&(call, problem))
        })
        .unwrap_or(false);
    if first {
        warn(&format!("{PREFIX}{}", message()));
    }
}

/// A warning of the tracker's own (the worker's already carry `PREFIX`).
pub fn warn(message: &str) {
    as_own(|| godot::global::godot_warn!("{message}"));
}

/// An error of the tracker's own (an invalid `init`, an internal error).
pub fn error(message: &str) {
    as_own(|| godot::global::godot_error!("{message}"));
}

/// True while this thread prints the tracker's own output.
pub fn is_printing_own() -> bool {
    PRINTING_OWN.with(Cell::get)
}

fn as_own(print: impl FnOnce()) {
    PRINTING_OWN.with(|own| own.set(true));
    print();
    PRINTING_OWN.with(|own| own.set(false));
}
