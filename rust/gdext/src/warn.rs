//! Warnings about misuse, printed once per (call, problem) per process so a
//! bad call in `_process` cannot flood the output. The same keyed warn-once
//! as the worker's (`game_tracker_core::diagnostics`); the message is only
//! formatted the first time.

use std::sync::Mutex;

use game_tracker_core::diagnostics::{WarnOnce, PREFIX};

static SEEN: Mutex<Option<WarnOnce<(&'static str, &'static str)>>> = Mutex::new(None);

/// `call` is the API method (e.g. "log_info"), `problem` a short tag.
pub fn warn_once(call: &'static str, problem: &'static str, message: impl FnOnce() -> String) {
    let first =
        SEEN.lock().map(|mut seen| seen.get_or_insert_with(WarnOnce::default).first(&(call, problem))).unwrap_or(false);
    if first {
        godot::global::godot_warn!("{PREFIX}{}", message());
    }
}
