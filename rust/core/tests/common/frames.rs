//! Waiting the way a game waits: frame after frame. Each wait calls
//! `handover()` about every 10 ms, as the engine layer does once per frame:
//! with frame delivery (`GAMETRACKER_TEST_DELIVERY=frame`) that is what runs
//! the worker; with thread delivery it hands over what was staged, as a
//! frame would.

use std::time::{Duration, Instant};

use game_tracker_core::Tracker;
use game_tracker_testkit::receiver::{Receiver, Request};

const FRAME: Duration = Duration::from_millis(10);

/// Runs frames until `cond` holds or `timeout` passes; returns `cond()`.
pub fn until(t: &Tracker, timeout: Duration, cond: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        t.handover();
        if cond() {
            return true;
        }
        std::thread::sleep(FRAME);
    }
    cond()
}

/// Runs frames until what `rx` received satisfies `pred`.
pub fn until_received(
    t: &Tracker,
    rx: &Receiver,
    timeout: Duration,
    pred: impl Fn(&[Request]) -> bool,
) -> bool {
    until(t, timeout, || rx.wait_for(Duration::ZERO, &pred))
}

/// Runs frames for `span`, as a game keeps running: pacing for a load,
/// never a proof that something did not happen (wait for a state instead).
pub fn pace(t: &Tracker, span: Duration) {
    until(t, span, || false);
}
