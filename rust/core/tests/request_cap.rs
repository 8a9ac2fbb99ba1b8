//! Requests that fit the receiver's cap. An edge in front of the receivers
//! (nginx's `client_max_body_size`) refuses larger bodies with 413, as the
//! loopback receiver here does with `max_body`: a refused batch is split and
//! its halves sent again, an event too large alone is dropped and counted
//! as `too_large`, and `max_request_bytes` keeps bodies under the cap so
//! that no 413 happens at all. `tests/tests/edge.rs` does this against a
//! real nginx.

use std::collections::BTreeSet;
use std::time::Duration;

use game_tracker_core::encode::remote_write;
use game_tracker_core::model::value::Value;
use game_tracker_core::{
    Config, DeviceInfo, DropReason, Level, MetricKind, Signal, SpanStatus, Tracker,
};
use game_tracker_testkit::decode::{loki_lines, otlp_spans};
use game_tracker_testkit::receiver::Receiver;

mod common;
use common::assert_identity;
use common::calls::TestCalls;

const LOGS: &str = "/loki/api/v1/push";
const METRICS: &str = "/api/v1/metrics/write";
const TRACES: &str = "/v1/traces";
/// The edge's cap in these tests: a 1,000-line batch is several times it.
const CAP: usize = 16 * 1024;
const WAIT: Duration = Duration::from_secs(30);

fn start(rx: &Receiver, extra: Vec<(&str, Value)>) -> Tracker {
    let mut fields = vec![
        ("endpoint".to_string(), Value::Str(rx.base_url())),
        ("game".to_string(), Value::Str("request-cap-test".into())),
        ("flush_interval".to_string(), Value::Int(3600)),
        ("release_health".to_string(), Value::Bool(false)),
        ("self_metrics".to_string(), Value::Bool(false)),
    ];
    fields.extend(extra.into_iter().map(|(k, v)| (k.to_string(), v)));
    Tracker::start(Config::from_fields(&fields).unwrap(), DeviceInfo::default()).unwrap()
}

/// A line of about 100 bytes, numbered.
fn line(i: usize) -> String {
    format!("event {i:05} {}", "x".repeat(90))
}

fn log_many(t: &Tracker, range: std::ops::Range<usize>) {
    for i in range {
        t.log(
            Level::Info,
            line(i),
            vec![("i".into(), Value::Int(i as i64))],
        );
    }
}

fn spans(t: &Tracker, count: usize) {
    for i in 0..count {
        let span = t.start_span(format!("load {i:04} {}", "y".repeat(60)), Vec::new(), None);
        t.end_span(&span, SpanStatus::Ok, "");
    }
}

/// A label value snappy cannot shrink (remote write bodies are snappy):
/// 32 hex digits that differ in every series.
fn unique(i: usize) -> String {
    let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (0..2)
        .map(|_| {
            x ^= x >> 29;
            x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
            format!("{x:016x}")
        })
        .collect()
}

/// Every line arrived once, in the order made.
fn assert_lines_in_order(rx: &Receiver, expected: impl Iterator<Item = usize>) {
    let got: Vec<String> = loki_lines(&rx.requests_to(LOGS))
        .iter()
        .map(|l| l["msg"].as_str().unwrap().to_string())
        .collect();
    let expected: Vec<String> = expected.map(line).collect();
    assert_eq!(got.len(), expected.len(), "lines received");
    assert!(got == expected, "every line once, in order");
}

fn assert_bodies_within(rx: &Receiver, cap: usize) {
    for r in rx.requests() {
        assert!(
            r.body.len() <= cap,
            "{} body of {} bytes passed a cap of {cap}",
            r.path,
            r.body.len()
        );
    }
}

#[test]
fn a_413_splits_the_batch_until_the_halves_fit_and_nothing_is_lost() {
    let rx = Receiver::start();
    rx.max_body(CAP);
    // As configured by a developer who did not know the edge's cap.
    let t = start(&rx, vec![("batch_size", Value::Int(1000))]);
    log_many(&t, 0..1000);
    spans(&t, 600);
    t.handover();
    assert!(t.flush_and_wait(WAIT));
    assert!(
        rx.refused_too_large() >= 2,
        "the edge refused the first logs and traces bodies: {}",
        rx.refused_too_large()
    );
    assert_lines_in_order(&rx, 0..1000);
    let span_names: BTreeSet<String> = otlp_spans(&rx.requests_to(TRACES))
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(span_names.len(), 600, "distinct spans");
    assert_bodies_within(&rx, CAP);
    for signal in [Signal::Logs, Signal::Traces] {
        let s = t.stats(signal);
        assert_eq!(
            (
                s.dropped(DropReason::TooLarge),
                s.dropped_total(),
                s.pending
            ),
            (0, 0, 0),
            "{signal:?} {s:?}"
        );
        assert!(
            s.last_error.contains("413"),
            "the refusal is reported: {s:?}"
        );
    }
    assert_identity(&t);

    // The cap learned from the 413s: a second, equal load is refused less.
    let refused_first = rx.refused_too_large();
    log_many(&t, 1000..2000);
    t.handover();
    assert!(t.flush_and_wait(WAIT));
    assert!(
        rx.refused_too_large() - refused_first < refused_first,
        "refused {refused_first}, then {} more",
        rx.refused_too_large() - refused_first
    );
    assert_lines_in_order(&rx, 0..2000);
    assert_identity(&t);
}

#[test]
fn an_event_too_large_alone_is_dropped_as_too_large_and_the_rest_arrive() {
    let rx = Receiver::start();
    rx.max_body(CAP);
    let t = start(&rx, vec![]);
    log_many(&t, 0..10);
    t.log(Level::Error, "z".repeat(3 * CAP), vec![]);
    log_many(&t, 10..20);
    t.handover();
    assert!(t.flush_and_wait(WAIT));
    assert_lines_in_order(&rx, 0..20);
    let s = t.stats(Signal::Logs);
    assert_eq!(
        (s.sent, s.dropped(DropReason::TooLarge), s.dropped_total()),
        (20, 1, 1),
        "{s:?}"
    );
    assert!(s.last_error.contains("too_large"), "{s:?}");
    assert_identity(&t);
}

#[test]
fn max_request_bytes_keeps_every_body_under_the_edge_cap_so_none_is_refused() {
    let rx = Receiver::start();
    rx.max_body(CAP);
    let t = start(
        &rx,
        vec![
            ("batch_size", Value::Int(1000)),
            ("max_request_bytes", Value::Int(CAP as i64)),
        ],
    );
    log_many(&t, 0..1000);
    spans(&t, 600);
    // 400 series: one snapshot is several times the cap.
    for i in 0..400 {
        t.metric(
            MetricKind::Counter,
            "shots_fired".into(),
            (i + 1) as f64,
            vec![("weapon".into(), format!("w{i:03}-{}", unique(i)))],
        );
    }
    // A line that no request under the cap can carry: never sent.
    t.log(Level::Error, "z".repeat(2 * CAP), vec![]);
    t.handover();
    assert!(t.flush_and_wait(WAIT));
    assert_eq!(rx.refused_too_large(), 0, "no body over the cap was sent");
    assert_bodies_within(&rx, CAP);
    assert_lines_in_order(&rx, 0..1000);
    assert_eq!(otlp_spans(&rx.requests_to(TRACES)).len(), 600);
    let requests = rx.requests_to(METRICS);
    assert!(
        requests.len() >= 2,
        "the snapshot was split: {} requests",
        requests.len()
    );
    let mut totals = std::collections::BTreeMap::new();
    for r in &requests {
        for ts in remote_write::decode(&r.body).unwrap().timeseries {
            let weapon = ts
                .labels
                .iter()
                .find(|l| l.name == "weapon")
                .map(|l| l.value.clone())
                .unwrap();
            totals.insert(weapon, ts.samples.last().unwrap().value);
        }
    }
    assert_eq!(totals.len(), 400, "every series");
    assert!(
        totals
            .iter()
            .enumerate()
            .all(|(i, (_, v))| *v == (i + 1) as f64),
        "every series' total"
    );
    let logs = t.stats(Signal::Logs);
    assert_eq!(
        (logs.dropped(DropReason::TooLarge), logs.dropped_total()),
        (1, 1),
        "{logs:?}"
    );
    assert_eq!(t.stats(Signal::Metrics).dropped_total(), 0);
    assert_eq!(t.stats(Signal::Metrics).sent, 400);
    assert_identity(&t);
}

#[test]
fn a_refused_metrics_snapshot_is_made_again_in_parts_that_fit() {
    let rx = Receiver::start();
    rx.max_body(CAP);
    let t = start(&rx, vec![]);
    for i in 0..400 {
        t.metric(
            MetricKind::Gauge,
            "room_players".into(),
            i as f64,
            vec![("room".into(), format!("r{i:03}-{}", unique(i)))],
        );
    }
    t.handover();
    assert!(t.flush_and_wait(WAIT));
    assert!(rx.refused_too_large() >= 1);
    assert_bodies_within(&rx, CAP);
    let rooms: BTreeSet<String> = rx
        .requests_to(METRICS)
        .iter()
        .flat_map(|r| remote_write::decode(&r.body).unwrap().timeseries)
        .map(|ts| {
            ts.labels
                .iter()
                .find(|l| l.name == "room")
                .unwrap()
                .value
                .clone()
        })
        .collect();
    assert_eq!(rooms.len(), 400, "every series arrived");
    let s = t.stats(Signal::Metrics);
    assert_eq!((s.sent, s.dropped_total(), s.pending), (400, 0, 0), "{s:?}");
    assert_identity(&t);
}
