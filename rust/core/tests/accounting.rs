//! The accounting identity is a check that can fail: `pending` is counted
//! where the events are (staged, queued, in the worker's batches and
//! lanes), not as what is left over, so an event lost without being
//! counted breaks `produced == sent + dropped + spooled + pending`.

use std::time::Duration;

use common::calls::TestCalls;
use common::frames;
use game_tracker_core::model::value::Value;
use game_tracker_core::{arm_panic_hooks, Config, DeviceInfo, Level, Signal, Tracker, LOSE_EVENT};
use game_tracker_testkit::receiver::Receiver;

mod common;
use common::{assert_identity, identity, settled_stats};

const LOGS: &str = "/loki/api/v1/push";

fn start(rx: &Receiver) -> Tracker {
    let fields = vec![
        ("endpoint".to_string(), Value::Str(rx.base_url())),
        ("release_health".to_string(), Value::Bool(false)),
        ("self_metrics".to_string(), Value::Bool(false)),
        // Only explicit flushes send.
        ("flush_interval".to_string(), Value::Int(3600)),
    ];
    Tracker::start(Config::from_fields(&fields).unwrap(), DeviceInfo::default()).unwrap()
}

fn log(t: &Tracker, message: &str) {
    t.log(Level::Info, message.into(), vec![]);
}

#[test]
fn pending_is_what_is_staged_batched_and_in_flight() {
    let rx = Receiver::start();
    rx.hold();
    let t = start(&rx);
    for i in 0..3 {
        log(&t, &format!("staged {i}"));
    }
    let s = settled_stats(&t, Signal::Logs);
    assert_eq!(
        (s.produced, s.pending),
        (3, 3),
        "staged on the main thread: {s:?}"
    );
    t.handover();
    t.flush();
    assert!(
        frames::until(&t, Duration::from_secs(10), || rx.in_flight(LOGS) == 1),
        "the batch reaches the receiver, which holds it"
    );
    let s = settled_stats(&t, Signal::Logs);
    assert_eq!((s.sent, s.pending), (0, 3), "in flight: {s:?}");
    assert_identity(&t);
    rx.release();
    assert!(t.flush_and_wait(Duration::from_secs(10)));
    let s = settled_stats(&t, Signal::Logs);
    assert_eq!((s.sent, s.pending), (3, 0), "answered: {s:?}");
    assert_identity(&t);
}

#[test]
fn an_event_lost_uncounted_breaks_the_identity() {
    arm_panic_hooks();
    let rx = Receiver::start();
    let t = start(&rx);
    log(&t, "kept");
    log(&t, LOSE_EVENT);
    log(&t, "kept too");
    assert!(t.flush_and_wait(Duration::from_secs(10)));
    let s = settled_stats(&t, Signal::Logs);
    assert_eq!(
        (s.produced, s.sent, s.dropped_total(), s.pending),
        (3, 2, 0, 0),
        "{s:?}"
    );
    let broken = identity(&t).expect_err("one event went missing, uncounted");
    assert!(broken.starts_with("Logs: produced 3 != sent 2"), "{broken}");
}
