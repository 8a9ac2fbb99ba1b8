//! Helpers shared by the pipeline, spool, fault and metric tests; not every
//! test file uses every one.
#![allow(dead_code)]

pub use game_tracker_testkit::processes::TempDir;

use game_tracker_core::{Signal, SignalStats, Tracker};

/// `produced == sent + dropped + spooled + pending` for every signal, with
/// `pending` counted where the events are (staged, queued, in the worker's
/// batches and lanes): an event lost without being counted breaks it
/// (rust/core/tests/accounting.rs shows it).
pub fn assert_identity(t: &Tracker) {
    if let Err(broken) = identity(t) {
        panic!("{broken}");
    }
}

/// The identity for every signal, or how it fails.
pub fn identity(t: &Tracker) -> Result<(), String> {
    for signal in Signal::ALL {
        let s = settled_stats(t, signal);
        if s.produced != s.sent + s.dropped_total() + s.spooled + s.pending {
            return Err(format!(
                "{signal:?}: produced {} != sent {} + dropped {} + spooled {} + pending {}: {s:?}",
                s.produced,
                s.sent,
                s.dropped_total(),
                s.spooled,
                s.pending
            ));
        }
    }
    Ok(())
}

/// A signal's counters read between two of the worker's turns: it may be
/// in a long one (an encode), so this tries again for up to 5 s.
pub fn settled_stats(t: &Tracker, signal: Signal) -> SignalStats {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let s = t.stats(signal);
        if s.settled {
            return s;
        }
        assert!(
            std::time::Instant::now() < until,
            "{signal:?}: the worker stayed in one turn for 5 s: {s:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// A fresh, empty folder for one test (spool, JSON lines), unique per
/// test, removed when dropped. Not every test file needs one.
#[allow(dead_code)]
pub fn fresh_dir(name: &str) -> TempDir {
    TempDir::new(name)
}

/// True when the suite runs with frame delivery (`GAMETRACKER_TEST_DELIVERY=frame`,
/// which the core's test build makes the default of `delivery`).
pub fn frame_delivery() -> bool {
    std::env::var("GAMETRACKER_TEST_DELIVERY").as_deref() == Ok("frame")
}

pub mod calls;
pub mod frames;
pub mod metric_path;
