//! Helpers shared by the pipeline, spool, fault and metric tests; not every
//! test file uses every one.
#![allow(dead_code)]

use std::path::PathBuf;

use game_tracker_core::{Signal, Tracker};

/// `produced == sent + dropped + spooled + pending` for every signal, where
/// `pending` is what is left: so the identity holds exactly when no event
/// was counted twice (sent, dropped and spooled never add up past produced).
pub fn assert_identity(t: &Tracker) {
    for signal in Signal::ALL {
        let s = t.stats(signal);
        assert!(
            s.sent + s.dropped_total() + s.spooled <= s.produced,
            "{signal:?} counted twice: {s:?}"
        );
        assert_eq!(
            s.produced,
            s.sent + s.dropped_total() + s.spooled + s.pending(),
            "{signal:?}: {s:?}"
        );
    }
}

/// A fresh, empty folder for one test (spool, JSON lines), unique per test
/// process. Not every test file needs one.
#[allow(dead_code)]
pub fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("game_tracker_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// True when the suite runs with frame delivery (`GAMETRACKER_TEST_DELIVERY=frame`,
/// which the core's test build makes the default of `delivery`).
pub fn frame_delivery() -> bool {
    std::env::var("GAMETRACKER_TEST_DELIVERY").as_deref() == Ok("frame")
}

pub mod calls;
pub mod frames;
pub mod metric_path;
