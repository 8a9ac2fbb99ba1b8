//! One metric call means the same thing whichever destination is configured:
//! the same bad calls sent to remote write, OTLP, `output_dir` and the
//! JSON-lines file are dropped or sanitised alike, with the same warnings and
//! the same `invalid` count, and the good ones arrive under the same names.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use common::calls::TestCalls;
use game_tracker_core::encode::remote_write;
use game_tracker_core::model::value::Value;
use game_tracker_core::{Config, DeviceInfo, DropReason, MetricKind, Signal, Tracker};
use game_tracker_testkit::decode::otlp_last_metrics;
use game_tracker_testkit::receiver::Receiver;
use opentelemetry_proto::tonic::common::v1::any_value;
use opentelemetry_proto::tonic::metrics::v1::{metric, number_data_point, Metric};
use serde_json::Value as Json;

mod common;
use common::{assert_identity, fresh_dir};

/// One series as it arrived: (name, sorted game labels, value).
type Point = (String, Vec<(String, String)>, String);
type Arrived = BTreeSet<Point>;

/// What one destination made of the calls.
#[derive(Debug, PartialEq)]
struct Reply {
    sent: u64,
    invalid: u64,
    warnings: BTreeSet<String>,
    series: Arrived,
}

fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The calls of the issue report, and good calls with names that need work.
fn play(t: &Tracker) {
    t.metric(
        MetricKind::Counter,
        "bad name!".into(),
        -5.0,
        labels(&[("x", "1")]),
    );
    t.metric(MetricKind::Gauge, "fps".into(), f64::INFINITY, vec![]);
    t.metric(MetricKind::Gauge, "fps".into(), f64::NAN, vec![]);
    t.metric(MetricKind::Histogram, "!!!".into(), 3.0, vec![]);
    t.metric(
        MetricKind::Counter,
        "enemies-killed".into(),
        2.0,
        labels(&[("weapon type", "axe"), ("empty", "")]),
    );
    t.metric(
        MetricKind::Gauge,
        "hp".into(),
        5.0,
        labels(&[("game", "other"), ("le", "x")]),
    );
}

fn start(fields: Vec<(&str, Value)>) -> Tracker {
    let mut all: Vec<(String, Value)> = vec![
        ("game".into(), Value::Str("rules".into())),
        ("session_label".into(), Value::Str("instance".into())),
        ("flush_interval".into(), Value::Int(3600)),
        // Only what the test makes: session events have tests/health.rs.
        ("release_health".into(), Value::Bool(false)),
        ("self_metrics".into(), Value::Bool(false)),
    ];
    all.extend(fields.into_iter().map(|(k, v)| (k.to_string(), v)));
    Tracker::start(Config::from_fields(&all).unwrap(), DeviceInfo::default()).unwrap()
}

fn run(t: &Tracker, read_series: impl FnOnce() -> Arrived) -> Reply {
    play(t);
    assert!(t.flush_and_wait(Duration::from_secs(5)));
    assert_identity(t);
    let s = t.stats(Signal::Metrics);
    let warnings = t.take_diagnostics(64).into_iter().collect();
    Reply {
        sent: s.sent,
        invalid: s.dropped(DropReason::Invalid),
        warnings,
        series: read_series(),
    }
}

/// The game's labels of a remote-write series (automatic ones left out).
fn user_labels(all: impl Iterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut v: Vec<_> = all
        .filter(|(n, _)| !["__name__", "game", "env", "version", "instance"].contains(&n.as_str()))
        .collect();
    v.sort();
    v
}

fn remote_write_series(body: &[u8]) -> Arrived {
    let request = remote_write::decode(body).expect("a remote-write body");
    request
        .timeseries
        .iter()
        .map(|ts| {
            let name = ts
                .labels
                .iter()
                .find(|l| l.name == "__name__")
                .unwrap()
                .value
                .clone();
            let name = name.strip_suffix("_total").unwrap_or(&name).to_string();
            let labels = user_labels(ts.labels.iter().map(|l| (l.name.clone(), l.value.clone())));
            (name, labels, ts.samples.last().unwrap().value.to_string())
        })
        .collect()
}

#[test]
fn the_same_bad_metric_calls_give_the_same_result_at_every_destination() {
    // Remote write.
    let rx = Receiver::start();
    let t = start(vec![("endpoint", Value::Str(rx.base_url()))]);
    let remote = run(&t, || {
        remote_write_series(&rx.requests_to("/api/v1/metrics/write").last().unwrap().body)
    });

    // OTLP metrics.
    let otlp_rx = Receiver::start();
    let t = start(vec![
        ("endpoint", Value::Str(otlp_rx.base_url())),
        ("protocol", Value::Str("otlp".into())),
    ]);
    let otlp = run(&t, || {
        otlp_last_metrics(&otlp_rx.requests_to("/v1/metrics"))
            .iter()
            .flat_map(otlp_points)
            .collect()
    });

    // output_dir: the remote-write body as a file.
    let out = fresh_dir("rules_output");
    let t = start(vec![(
        "output_dir",
        Value::Str(out.to_string_lossy().into()),
    )]);
    let files = || {
        let file = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().contains("metrics"));
        remote_write_series(&std::fs::read(file.expect("a metrics file")).unwrap())
    };
    let output_dir = run(&t, files);

    // JSON lines.
    let dir = fresh_dir("rules_jsonl");
    let t = start(vec![(
        "jsonl_dir",
        Value::Str(dir.to_string_lossy().into()),
    )]);
    let jsonl = run(&t, || jsonl_series(&dir.join("events.jsonl")));

    assert_eq!(remote.invalid, 4, "{remote:?}");
    assert_eq!(remote.sent, 2, "{remote:?}");
    let expected: BTreeSet<_> = [
        (
            "enemies_killed".to_string(),
            labels(&[("weapon_type", "axe")]),
            "2".to_string(),
        ),
        (
            "hp".to_string(),
            labels(&[("exported_game", "other"), ("exported_le", "x")]),
            "5".to_string(),
        ),
    ]
    .into();
    assert_eq!(remote.series, expected);
    assert!(
        remote
            .warnings
            .iter()
            .any(|w| w.contains("'bad name!'") && w.contains("negative")),
        "{:?}",
        remote.warnings
    );
    assert!(
        remote
            .warnings
            .iter()
            .any(|w| w.contains("'fps'") && w.contains("not a finite number")),
        "{:?}",
        remote.warnings
    );
    for (destination, outcome) in [
        ("OTLP", &otlp),
        ("output_dir", &output_dir),
        ("JSON lines", &jsonl),
    ] {
        assert_eq!(outcome, &remote, "{destination} differs from remote write");
    }
}

/// Each metric line's (name, labels, value) in `events.jsonl`.
fn jsonl_series(path: &Path) -> Arrived {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Json>(l).unwrap())
        .filter(|l| l["signal"] == "metric")
        .map(|l| {
            let labels = l["labels"].as_object().map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            });
            let mut labels: Vec<_> = labels.into_iter().flatten().collect();
            labels.sort();
            (
                l["name"].as_str().unwrap().to_string(),
                labels,
                l["value"].as_f64().expect("a finite number").to_string(),
            )
        })
        .collect()
}

/// Each data point of an OTLP counter or gauge as (name, attributes, value).
fn otlp_points(m: &Metric) -> Vec<Point> {
    let points = match &m.data {
        Some(metric::Data::Sum(sum)) => &sum.data_points,
        Some(metric::Data::Gauge(gauge)) => &gauge.data_points,
        other => panic!("{}: unexpected {other:?}", m.name),
    };
    points
        .iter()
        // A counter's first export starts with its 0 point; the total is the last.
        .filter(|p| p.time_unix_nano != p.start_time_unix_nano)
        .map(|p| {
            let attributes = p.attributes.iter().map(|kv| {
                let value = match kv.value.as_ref().and_then(|v| v.value.as_ref()) {
                    Some(any_value::Value::StringValue(s)) => s.clone(),
                    other => panic!("{}: a string attribute, not {other:?}", kv.key),
                };
                (kv.key.clone(), value)
            });
            let value = match p.value {
                Some(number_data_point::Value::AsDouble(v)) => v,
                other => panic!("{}: a double, not {other:?}", m.name),
            };
            (m.name.clone(), user_labels(attributes), value.to_string())
        })
        .collect()
}
