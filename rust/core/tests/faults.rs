//! Fault injection: the whole pipeline against a receiver that is down, slow
//! (10 s), throttling (429 + Retry-After), failing (500), refusing (400),
//! resetting connections mid-body or answering garbage. In every case the
//! game keeps calling at frame rate while the fault lasts, and the suite
//! checks:
//! - the accounting identity, after every frame and at the end;
//! - nothing is lost while the retry budget lasts (every log line and span
//!   arrives, the counter's final total is right);
//! - no main-thread call waits on the network (each call's wall time, far
//!   under any network wait; what a call costs is measured by the fault
//!   benchmark, benches/fault_calls.rs);
//! - the worker's memory stays within its bound, and a spool takes the rest;
//! - quitting during the fault keeps its deadline.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use game_tracker_core::encode::remote_write;
use game_tracker_core::model::value::Value;
use game_tracker_core::{DropReason, Signal, Tracker};
use game_tracker_testkit::decode::{loki_lines, otlp_spans};
use game_tracker_testkit::receiver::Receiver;

mod common;
use common::frames;
use common::{assert_identity, fresh_dir};
#[path = "common/play.rs"]
mod play;
use play::{fault, percentiles, Play, FRAMES};

const LOGS: &str = "/loki/api/v1/push";
const METRICS: &str = "/api/v1/metrics/write";
const TRACES: &str = "/v1/traces";

/// A main-thread call that waited on the network would take the slow
/// receiver's 10 s, or the 2 s request timeout; a call costs microseconds,
/// and a busy 2-core machine's scheduler delays a thread by tens of
/// milliseconds. This bound is ten times the latter and ten times under
/// the former. What a call costs is the benchmark's figure (BENCHMARKS.md,
/// "Main-thread calls while the receiver fails"), not a test's.
const NO_WAIT_BOUND: Duration = Duration::from_secs(1);
const QUIT_DEADLINE: Duration = Duration::from_millis(800);
/// What the quit may take past its deadline: the worker's last word and
/// the join, on a busy machine (4 s in all, five times the deadline). A
/// quit that waited on the slow receiver would take its 10 s.
const QUIT_SLACK: Duration = Duration::from_millis(3200);

/// No call waited on the network (wall time, every call).
fn assert_calls_never_waited(play: &Play, case: &str) {
    let (p99, p999, worst) = percentiles(&play.call_times);
    eprintln!(
        "{case}: {} calls; wall p99 {p99:?}, p99.9 {p999:?}, worst {worst:?}",
        play.call_times.len()
    );
    assert!(worst < NO_WAIT_BOUND, "{case}: a call took {worst:?}");
}

/// Every log line and span arrived (retries may repeat one, never lose
/// it) and the counter's last total counts every increment.
fn assert_all_arrived(play: &Play, rx: &Receiver) {
    let lines: BTreeSet<String> = loki_lines(&rx.requests_to(LOGS))
        .iter()
        .map(|l| l["msg"].as_str().unwrap().to_string())
        .collect();
    let expected: BTreeSet<String> = (0..play.made).map(|i| format!("event {i}")).collect();
    assert_eq!(lines, expected, "log lines");
    let spans: BTreeSet<Vec<u8>> = otlp_spans(&rx.requests_to(TRACES))
        .into_iter()
        .map(|s| s.span_id)
        .collect();
    assert_eq!(spans.len() as i64, play.made, "distinct spans");
    assert_eq!(counter_total(rx), play.made as f64, "counter total");
}

/// The last value of the counter the receiver got.
fn counter_total(rx: &Receiver) -> f64 {
    let requests = rx.requests_to(METRICS);
    let last = remote_write::decode(&requests.last().expect("a metrics request").body).unwrap();
    let series = last
        .timeseries
        .iter()
        .find(|ts| {
            ts.labels
                .iter()
                .any(|l| l.name == "__name__" && l.value == "faults_events_total")
        })
        .expect("the counter's series");
    series.samples.last().unwrap().value
}

/// Quitting while the fault lasts returns by its deadline and leaves
/// nothing pending.
fn assert_quit_keeps_deadline(t: &Tracker, play: &mut Play, case: &str) {
    play.frames(t, 5);
    let started = Instant::now();
    t.shutdown(QUIT_DEADLINE);
    let took = started.elapsed();
    assert!(
        took < QUIT_DEADLINE + QUIT_SLACK,
        "{case}: quit took {took:?}"
    );
    for signal in Signal::ALL {
        assert_eq!(t.stats(signal).pending, 0, "{case}: {signal:?}");
    }
    assert_identity(t);
}

/// The common shape: fault on, play, fault off, everything arrives, then
/// the fault again for the quit.
fn ride_out(name: &str) {
    let fault = fault(name);
    let rx = Receiver::start();
    let t = fault.start(&rx, vec![]);
    let mut play = fault.play_through(&rx, &t, FRAMES);
    assert!(
        t.flush_and_wait(Duration::from_secs(40)),
        "{name}: everything sent after the fault"
    );
    for signal in Signal::ALL {
        let s = t.stats(signal);
        assert_eq!(
            (s.dropped_total(), s.pending),
            (0, 0),
            "{name}: {signal:?}: {s:?}"
        );
    }
    assert_all_arrived(&play, &rx);
    assert_calls_never_waited(&play, name);
    (fault.on)(&rx);
    assert_quit_keeps_deadline(&t, &mut play, name);
}

#[test]
fn receiver_down() {
    ride_out("down");
}

#[test]
fn receiver_slow_10s() {
    ride_out("slow 10 s");
}

#[test]
fn receiver_throttling_with_retry_after() {
    ride_out("429 + Retry-After");
}

#[test]
fn receiver_resets_connections_mid_body() {
    ride_out("reset mid-body");
}

#[test]
fn receiver_answers_garbage() {
    ride_out("garbage");
}

#[test]
fn receiver_fails_with_500() {
    let fault = fault("500");
    let rx = Receiver::start();
    let t = fault.start(&rx, vec![]);
    let mut play = fault.play_through(&rx, &t, FRAMES);
    assert!(t.flush_and_wait(Duration::from_secs(40)));
    // Loki and remote write retry every 5xx; OTLP/HTTP only 502, 503, 504.
    for signal in [Signal::Logs, Signal::Metrics] {
        let s = t.stats(signal);
        assert_eq!((s.dropped_total(), s.pending), (0, 0), "{signal:?}: {s:?}");
    }
    let lines = loki_lines(&rx.requests_to(LOGS));
    assert_eq!(
        lines
            .iter()
            .map(|l| l["msg"].as_str().unwrap())
            .collect::<BTreeSet<_>>()
            .len() as i64,
        play.made
    );
    assert_eq!(counter_total(&rx), play.made as f64);
    let traces = t.stats(Signal::Traces);
    assert_eq!(
        traces.sent + traces.dropped(DropReason::Rejected),
        play.made as u64,
        "{traces:?}"
    );
    assert!(traces.dropped(DropReason::Rejected) > 0, "{traces:?}");
    assert_identity(&t);
    assert_calls_never_waited(&play, fault.name);
    (fault.on)(&rx);
    assert_quit_keeps_deadline(&t, &mut play, fault.name);
}

#[test]
fn receiver_refuses_with_400() {
    let fault = fault("400");
    let rx = Receiver::start();
    let t = fault.start(&rx, vec![]);
    let mut play = Play::default();
    (fault.on)(&rx);
    play.frames(&t, FRAMES);
    assert!(
        t.flush_and_wait(Duration::from_secs(10)),
        "a refusal is final: nothing waits for a retry"
    );
    for signal in Signal::ALL {
        let s = t.stats(signal);
        assert_eq!((s.sent, s.pending), (0, 0), "{signal:?}: {s:?}");
        assert_eq!(
            s.dropped(DropReason::Rejected),
            s.produced,
            "{signal:?}: {s:?}"
        );
        assert!(
            s.last_error.starts_with("HTTP 400") && s.last_error.ends_with("receiver says no"),
            "first line only: {s:?}"
        );
    }
    assert_eq!(
        loki_lines(&rx.requests_to(LOGS)).len() as i64,
        play.made,
        "each batch sent once: never retried"
    );
    assert_calls_never_waited(&play, fault.name);
    assert_quit_keeps_deadline(&t, &mut play, fault.name);
}

/// A long outage: more than the worker may hold. Memory stays at its bound
/// while the spool takes the overflow, and after the outage every event is
/// either sent or in the spool for the next launch.
#[test]
fn a_long_outage_stays_within_memory_and_spills_to_the_spool() {
    const MAX_BACKLOG: usize = 64 * 1024;
    let dir = fresh_dir("faults_spool");
    let rx = Receiver::start();
    let t = fault("down").start(
        &rx,
        vec![
            ("max_backlog_bytes", Value::Int(MAX_BACKLOG as i64)),
            ("spool", Value::Bool(true)),
            ("spool_dir", Value::Str(dir.to_string_lossy().into())),
        ],
    );
    (fault("down").on)(&rx);
    let mut play = Play::default();
    let mut most_buffered = 0;
    for _ in 0..10 {
        play.frames(&t, 12);
        frames::pace(&t, Duration::from_millis(250));
        for signal in Signal::ALL {
            most_buffered = most_buffered.max(t.stats(signal).buffered_bytes);
        }
    }
    // The backlog keeps at least its newest batch, and one more is in flight.
    eprintln!("long outage: at most {most_buffered} bytes held for one signal (max_backlog_bytes {MAX_BACKLOG})");
    let batch_bound = 2 * 64 * 1024;
    assert!(
        most_buffered as usize <= MAX_BACKLOG + batch_bound,
        "{most_buffered} bytes held for one signal"
    );
    assert!(
        frames::until(&t, Duration::from_secs(10), || t
            .stats(Signal::Logs)
            .spooled
            > 0),
        "the overflow went to disk: {:?}",
        t.stats(Signal::Logs)
    );
    (fault("down").off)(&rx);
    assert!(t.flush_and_wait(Duration::from_secs(40)));
    for signal in [Signal::Logs, Signal::Traces] {
        let s = t.stats(signal);
        assert_eq!((s.dropped_total(), s.pending), (0, 0), "{signal:?}: {s:?}");
        assert_eq!(s.sent + s.spooled, s.produced, "{signal:?}: {s:?}");
    }
    assert_eq!(
        counter_total(&rx),
        play.made as f64,
        "metrics are cumulative: the last total is whole"
    );
    assert_identity(&t);
    assert_calls_never_waited(&play, "long outage");
    t.shutdown(QUIT_DEADLINE);
    let _ = std::fs::remove_dir_all(&dir);
}
