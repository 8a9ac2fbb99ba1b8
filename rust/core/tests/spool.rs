//! The offline spool across two launches: what one launch could not send
//! reaches the receiver from the next, every event is accounted for in both,
//! the size cap and receivers' age limits hold, and consent deletes it.

use std::path::Path;
use std::time::{Duration, Instant};

use common::calls::TestCalls;
use game_tracker_core::encode::remote_write;
use game_tracker_core::model::value::Value;
use game_tracker_core::sinks::spool::{Spool, MAX_REPLAY_AGE_METRICS};
use game_tracker_core::{
    Config, DeviceInfo, DropReason, Level, MetricKind, Signal, SpanStatus, Tracker,
};
use game_tracker_testkit::decode::{loki_lines, otlp_spans};
use game_tracker_testkit::receiver::{BlackHole, Receiver};

mod common;
use common::frames;
use common::{assert_identity, fresh_dir, TempDir};

const LOGS: &str = "/loki/api/v1/push";
const METRICS: &str = "/api/v1/metrics/write";
const TRACES: &str = "/v1/traces";

fn spool_dir(test: &str) -> TempDir {
    fresh_dir(&format!("spool_{test}"))
}

fn launch(endpoint: &str, dir: &Path, extra: Vec<(&str, Value)>) -> Tracker {
    let mut fields = vec![
        ("endpoint".to_string(), Value::Str(endpoint.into())),
        ("spool".to_string(), Value::Bool(true)),
        (
            "spool_dir".to_string(),
            Value::Str(dir.to_string_lossy().into()),
        ),
        ("flush_interval".to_string(), Value::Int(3600)),
        ("request_timeout".to_string(), Value::Float(0.5)),
        // Only what the test makes: session events have tests/health.rs.
        ("release_health".to_string(), Value::Bool(false)),
        ("self_metrics".to_string(), Value::Bool(false)),
    ];
    fields.extend(extra.into_iter().map(|(k, v)| (k.to_string(), v)));
    Tracker::start(Config::from_fields(&fields).unwrap(), DeviceInfo::default()).unwrap()
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

fn produce(t: &Tracker, n: i64) {
    for i in 0..n {
        t.log(Level::Info, format!("offline {i}"), vec![]);
        t.metric(MetricKind::Counter, "offline_total".into(), 1.0, vec![]);
        let span = t.start_span("offline_op", Vec::new(), None);
        t.end_span(&span, SpanStatus::Ok, "");
    }
}

#[test]
fn what_a_launch_could_not_send_is_sent_by_the_next_one() {
    let dir = spool_dir("replay");
    let rx = Receiver::start();
    rx.go_down();
    let first = launch(
        &rx.base_url(),
        &dir,
        vec![("max_retry_age", Value::Float(0.3))],
    );
    produce(&first, 20);
    first.flush();
    // Logs and spans are retried until max_retry_age, then given to the
    // spool; metrics go there at quit (a snapshot is made again, not kept).
    assert!(frames::until(&first, Duration::from_secs(10), || {
        [Signal::Logs, Signal::Traces]
            .iter()
            .all(|s| first.stats(*s).spooled > 0)
    }));
    first.flush_and_wait(Duration::from_secs(5));
    first.shutdown(Duration::from_secs(1));
    // Backoff between attempts, and none at quit: a handful in all. A
    // metrics snapshot made again after each refused connection, with no
    // backoff, would be a busy loop of retries.
    let retries = first.stats(Signal::Metrics).retries;
    assert!(retries < 10, "metrics retried {retries} times");
    for signal in Signal::ALL {
        let s = first.stats(signal);
        assert_eq!(
            (s.sent, s.dropped_total(), s.pending),
            (0, 0, 0),
            "{signal:?}: {s:?}"
        );
        assert_eq!(
            s.spooled, s.produced,
            "{signal:?}: everything was kept: {s:?}"
        );
    }
    assert!(files_in(&dir) >= 3, "a file per batch per signal");

    rx.come_up();
    let second = launch(&rx.base_url(), &dir, vec![]);
    assert!(second.flush_and_wait(Duration::from_secs(10)));
    let lines = loki_lines(&rx.requests_to(LOGS));
    assert_eq!(lines.len(), 20, "every log line arrives once");
    assert_eq!(otlp_spans(&rx.requests_to(TRACES)).len(), 20);
    let request = remote_write::decode(&rx.requests_to(METRICS)[0].body).unwrap();
    let total = request
        .timeseries
        .iter()
        .find(|ts| ts.labels.iter().any(|l| l.value == "offline_total"))
        .unwrap();
    assert_eq!(
        total.samples.last().unwrap().value,
        20.0,
        "the running total as of the first launch's quit"
    );
    for signal in Signal::ALL {
        let s = second.stats(signal);
        assert_eq!(s.replayed, first.stats(signal).spooled, "{signal:?}: {s:?}");
        assert_eq!((s.sent, s.pending), (s.replayed, 0), "{signal:?}: {s:?}");
    }
    assert_identity(&second);
    assert_eq!(files_in(&dir), 0, "sent batches are deleted");
    second.shutdown(Duration::from_secs(1));
}

#[test]
fn a_request_unanswered_at_quit_is_spooled_and_the_quit_keeps_its_deadline() {
    let dir = spool_dir("quit");
    let hole = BlackHole::start();
    let t = launch(
        &hole.base_url(),
        &dir,
        vec![("request_timeout", Value::Int(30))],
    );
    produce(&t, 5);
    t.flush();
    // A request of each signal is on the wire, never to be answered.
    assert!(frames::until(&t, Duration::from_secs(10), || hole
        .connections()
        >= 3));
    let started = Instant::now();
    t.shutdown(Duration::from_millis(500));
    // Ten times the deadline, six times under the 30 s request timeout that
    // a quit waiting on the unanswered request would show.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "quit took {:?}",
        started.elapsed()
    );
    for signal in Signal::ALL {
        let s = t.stats(signal);
        assert_eq!(
            (s.spooled, s.pending, s.dropped_total()),
            (s.produced, 0, 0),
            "{signal:?}: {s:?}"
        );
    }
    assert_identity(&t);
    assert!(files_in(&dir) >= 3);
}

#[test]
fn the_spool_size_cap_is_kept_and_what_does_not_fit_is_counted() {
    let dir = spool_dir("cap");
    let rx = Receiver::start();
    rx.go_down();
    let t = launch(
        &rx.base_url(),
        &dir,
        vec![
            ("max_spool_bytes", Value::Int(64 * 1024)),
            ("batch_size", Value::Int(100)),
        ],
    );
    let line = "x".repeat(200);
    for _ in 0..500 {
        t.log(Level::Info, line.clone(), vec![]);
    }
    t.shutdown(Duration::from_secs(1));
    let s = t.stats(Signal::Logs);
    assert!(
        s.spooled > 0 && s.dropped(DropReason::SpoolFull) > 0,
        "{s:?}"
    );
    assert_eq!(s.spooled + s.dropped(DropReason::SpoolFull), 500, "{s:?}");
    let used: u64 = std::fs::read_dir(&dir)
        .unwrap()
        .map(|f| f.unwrap().metadata().unwrap().len())
        .sum();
    assert!(used <= 64 * 1024, "{used} bytes on disk");
}

#[test]
fn batches_older_than_the_receiver_accepts_are_deleted_and_counted_too_old() {
    let dir = spool_dir("old");
    let (mut spool, _) = Spool::open(dir.to_path_buf(), 1 << 20).unwrap();
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let stale = now_ms - MAX_REPLAY_AGE_METRICS.as_millis() as u64 - 60_000;
    let payload = remote_write::encode(&Default::default());
    spool.write(Signal::Metrics, 7, stale, &payload).unwrap();
    let rx = Receiver::start();
    let t = launch(&rx.base_url(), &dir, vec![]);
    assert!(t.flush_and_wait(Duration::from_secs(5)));
    let s = t.stats(Signal::Metrics);
    assert_eq!(
        (s.replayed, s.dropped(DropReason::TooOld), s.sent),
        (7, 7, 0),
        "{s:?}"
    );
    assert!(rx.requests_to(METRICS).is_empty(), "nothing stale is sent");
    assert_eq!(files_in(&dir), 0);
    assert_identity(&t);
}

#[test]
fn withdrawing_consent_deletes_the_spool_and_keeps_nothing_more() {
    let dir = spool_dir("consent");
    let rx = Receiver::start();
    rx.go_down();
    let first = launch(&rx.base_url(), &dir, vec![]);
    produce(&first, 3);
    first.shutdown(Duration::from_millis(300));
    assert!(files_in(&dir) > 0);
    let second = launch(&rx.base_url(), &dir, vec![]);
    produce(&second, 3);
    second.disable();
    assert_eq!(files_in(&dir), 0, "the player's data is gone from disk");
    for signal in Signal::ALL {
        let s = second.stats(signal);
        assert_eq!((s.spooled, s.pending), (0, 0), "{signal:?}: {s:?}");
    }
    assert_identity(&second);
}
