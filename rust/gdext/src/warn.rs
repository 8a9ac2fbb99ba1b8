//! Warnings about misuse, printed once per kind per process so a bad call in
//! `_process` cannot flood the output.

use std::collections::HashSet;
use std::sync::Mutex;

static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);

pub fn warn_once(key: &str, message: &str) {
    let first = SEEN
        .lock()
        .map(|mut seen| seen.get_or_insert_with(HashSet::new).insert(key.to_string()))
        .unwrap_or(false);
    if first {
        godot::global::godot_warn!("GameTracker: {message}");
    }
}
