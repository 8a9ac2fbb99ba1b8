//! A panic on one of the tracker's own threads, injected through the
//! test-only hooks (the `test-hooks` feature, which only the tests turn on):
//! it is reported once (a warning and `thread_panics`), what the thread held
//! is counted as `thread_panicked`, the accounting identity holds, and
//! neither `flush_and_wait` nor the game's calls wait until a timeout.

use std::time::{Duration, Instant};

use game_tracker_core::model::value::Value;
use game_tracker_core::{
    arm_panic_hooks, Config, DeviceInfo, DropReason, Fields, Level, Signal, SpanStatus, Tracker,
    PANIC_SENDER, PANIC_WORKER,
};

mod common;
use common::{assert_identity, fresh_dir, TempDir};

/// What `flush_and_wait` and quitting are given; a wedged lane would make
/// them wait all of it.
const WAIT: Duration = Duration::from_secs(60);
/// A third of `WAIT`: only a wait for an answer that never comes passes
/// it, not a slow flush of a few files on a busy machine.
const PROMPT: Duration = Duration::from_secs(20);
/// A game's call never waits on the worker, dead or alive: one that did
/// would block for good. Far above any call plus a busy machine's
/// scheduling.
const NO_WAIT_BOUND: Duration = Duration::from_secs(1);

/// Logs delivered before the panic.
const BEFORE: u64 = 10;

/// A tracker whose batches go to files (no receiver needed), closed only by
/// a flush, that has delivered `BEFORE` logs; its folder first, so a test
/// drops it after the tracker.
fn start_delivering(name: &str) -> (TempDir, Tracker) {
    arm_panic_hooks();
    let dir = fresh_dir(name);
    let fields: Vec<(String, Value)> = vec![
        ("output_dir".into(), Value::Str(dir.display().to_string())),
        ("flush_interval".into(), Value::Float(60.0)),
        ("release_health".into(), Value::Bool(false)),
        ("self_metrics".into(), Value::Bool(false)),
    ];
    let t = Tracker::start(Config::from_fields(&fields).unwrap(), DeviceInfo::default()).unwrap();
    logs(&t, BEFORE as usize);
    assert!(flush_promptly(&t));
    assert_eq!(t.stats(Signal::Logs).sent, BEFORE);
    (dir, t)
}

fn log(t: &Tracker, message: &str) {
    t.log_with(Level::Info, message, Fields::new());
}

fn logs(t: &Tracker, n: usize) {
    for i in 0..n {
        log(t, &format!("event {i}"));
    }
}

/// `flush_and_wait`, which must return well before its timeout.
fn flush_promptly(t: &Tracker) -> bool {
    let started = Instant::now();
    let answered = t.flush_and_wait(WAIT);
    assert!(
        started.elapsed() < PROMPT,
        "flush_and_wait waited {:?}",
        started.elapsed()
    );
    answered
}

fn panic_warnings(t: &Tracker) -> Vec<String> {
    t.take_diagnostics(usize::MAX)
        .into_iter()
        .filter(|w| w.contains("panicked"))
        .collect()
}

#[test]
fn a_sender_that_panics_gives_its_lane_up_and_the_other_lanes_go_on() {
    let (_dir, t) = start_delivering("panic_sender");

    // The batch holding the hook panics its sender thread.
    log(&t, PANIC_SENDER);
    logs(&t, 4);
    let span = t.start_span("after the panic", Fields::new(), None);
    t.end_span(&span, SpanStatus::Ok, "");
    assert!(
        flush_promptly(&t),
        "nothing is left waiting: the lane gave up"
    );
    let s = t.stats(Signal::Logs);
    assert_eq!(s.dropped(DropReason::ThreadPanicked), 5, "{s:?}");
    assert!(s.last_error.contains("panicked"), "{s:?}");
    assert_eq!(t.thread_panics(), 1);
    assert_eq!(
        t.stats(Signal::Traces).sent,
        1,
        "the traces lane was not touched"
    );

    // Later logs are given up at once, without another report.
    logs(&t, 3);
    assert!(flush_promptly(&t));
    let s = t.stats(Signal::Logs);
    assert_eq!(
        (s.sent, s.dropped(DropReason::ThreadPanicked), s.pending),
        (BEFORE, 8, 0),
        "{s:?}"
    );
    assert_eq!(t.thread_panics(), 1);
    assert_eq!(panic_warnings(&t).len(), 1, "reported once");
    assert_identity(&t);

    t.shutdown(Duration::from_secs(1));
    assert_identity(&t);
    assert_eq!(t.stats(Signal::Logs).pending, 0);
}

#[test]
fn a_worker_that_panics_drops_what_it_held_and_the_game_never_waits() {
    let (_dir, t) = start_delivering("panic_worker");

    // The worker panics as it reads the hook, with events before it read
    // and batched, and more arriving after it is gone.
    logs(&t, 5);
    log(&t, PANIC_WORKER);
    t.handover();
    let mut slowest = Duration::ZERO;
    for i in 0..2_000 {
        let started = Instant::now();
        log(&t, &format!("after {i}"));
        if i % 100 == 0 {
            t.handover();
        }
        slowest = slowest.max(started.elapsed());
    }
    assert!(slowest < NO_WAIT_BOUND, "a call waited {slowest:?}");
    assert!(
        !flush_promptly(&t),
        "nothing was answered: the worker is gone"
    );

    let s = t.stats(Signal::Logs);
    assert_eq!(s.produced, BEFORE + 6 + 2_000, "{s:?}");
    assert_eq!(
        (s.sent, s.dropped(DropReason::ThreadPanicked), s.pending),
        (BEFORE, 6 + 2_000, 0),
        "{s:?}"
    );
    assert!(s.last_error.contains("worker thread panicked"), "{s:?}");
    assert_eq!(t.thread_panics(), 1);
    assert_eq!(panic_warnings(&t).len(), 1, "reported once");
    assert_identity(&t);

    // Later calls are counted at once; quitting does not wait.
    log(&t, "later");
    let started = Instant::now();
    t.shutdown(WAIT);
    assert!(
        started.elapsed() < PROMPT,
        "shutdown waited {:?}",
        started.elapsed()
    );
    let s = t.stats(Signal::Logs);
    assert_eq!(
        (s.dropped(DropReason::ThreadPanicked), s.pending),
        (6 + 2_001, 0),
        "{s:?}"
    );
    assert_identity(&t);
}
