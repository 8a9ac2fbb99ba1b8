//! Warnings about misuse, printed once per (call, problem) per process so a
//! bad call in `_process` cannot flood the output. Keys are static, and the
//! message is only formatted the first time.

use std::collections::HashSet;
use std::sync::Mutex;

type Key = (&'static str, &'static str);

static SEEN: Mutex<Option<HashSet<Key>>> = Mutex::new(None);

/// `call` is the API method (e.g. "log_info"), `problem` a short tag.
pub fn warn_once(call: &'static str, problem: &'static str, message: impl FnOnce() -> String) {
    let first = SEEN
        .lock()
        .map(|mut seen| seen.get_or_insert_with(HashSet::new).insert((call, problem)))
        .unwrap_or(false);
    if first {
        godot::global::godot_warn!("GameTracker: {}", message());
    }
}
