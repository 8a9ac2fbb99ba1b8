//! The tracker's own health as metrics (`self_metrics`, on by default), in
//! a real Prometheus: after the receivers were down and came back, the
//! `gametracker_*` series show the retries and drops that the tracker's
//! own counters (what `get_stats()` reports) showed.

use std::time::{Duration, Instant};

use game_tracker_core::config::Config;
use game_tracker_core::model::value::Value;
use game_tracker_core::stats::{DropReason, Signal};
use game_tracker_core::{DeviceInfo, Level, MetricKind, Tracker};
use game_tracker_testkit::processes::{free_port, PromQl, Prometheus};
use game_tracker_testkit::receiver::Receiver;
use serde_json::Value as Json;

fn value(results: &[Json]) -> Option<f64> {
    match results {
        [one] => one["value"][1].as_str()?.parse().ok(),
        _ => None,
    }
}

#[test]
#[ignore = "runs Prometheus; use the README's test command"]
fn after_an_outage_the_self_metrics_in_prometheus_show_the_retries_and_drops_get_stats_showed() {
    let logs_receiver = Receiver::start();
    logs_receiver.go_down();
    // Nothing listens there until Prometheus starts on it.
    let prometheus_port = free_port();
    let fields: Vec<(String, Value)> = vec![
        (
            "logs_url".into(),
            Value::Str(logs_receiver.url("/loki/api/v1/push")),
        ),
        (
            "metrics_url".into(),
            Value::Str(format!("http://127.0.0.1:{prometheus_port}/api/v1/write")),
        ),
        ("game".into(), Value::Str("self-metrics-test".into())),
        ("flush_interval".into(), Value::Float(0.2)),
        ("request_timeout".into(), Value::Int(2)),
        ("batch_size".into(), Value::Int(20)),
        // Small enough that the outage overflows it: drops by backlog_full.
        ("max_backlog_bytes".into(), Value::Int(8 * 1024)),
        ("release_health".into(), Value::Bool(false)),
    ];
    let tracker =
        Tracker::start(Config::from_fields(&fields).unwrap(), DeviceInfo::default()).unwrap();

    // A game playing with both receivers down until the outage cost both
    // lanes retries and the logs drops (about a second here; counted, not
    // timed, so a busy machine only takes longer). The minute is a guard.
    let outage = Instant::now();
    let mut frame = 0;
    let costly = |logs: &game_tracker_core::SignalStats,
                  metrics: &game_tracker_core::SignalStats| {
        logs.retries > 0 && logs.dropped(DropReason::BacklogFull) > 0 && metrics.retries > 0
    };
    while !costly(
        &tracker.stats(Signal::Logs),
        &tracker.stats(Signal::Metrics),
    ) && outage.elapsed() < Duration::from_secs(60)
    {
        for i in 0..20 {
            tracker.log_with(
                Level::Info,
                format!("frame {frame} event {i}"),
                vec![("i".to_string(), Value::Int(i))],
            );
        }
        tracker.metric_with(
            MetricKind::Counter,
            "frames_total",
            1.0,
            Vec::<(String, String)>::new().as_slice(),
        );
        tracker.handover();
        frame += 1;
        std::thread::sleep(Duration::from_millis(16));
    }
    let during = (tracker.stats(Signal::Logs), tracker.stats(Signal::Metrics));
    assert!(
        costly(&during.0, &during.1),
        "the outage cost retries and drops: {during:?}"
    );

    logs_receiver.come_up();
    let prometheus = Prometheus::start_on(prometheus_port);
    assert!(
        tracker.flush_and_wait(Duration::from_secs(40)),
        "everything answered once the receivers are back"
    );
    let logs = tracker.stats(Signal::Logs);
    let metrics = tracker.stats(Signal::Metrics);
    assert!(
        metrics.retries > 0,
        "the metrics lane retried too: {metrics:?}"
    );
    // The last counters reach Prometheus with the next flush.
    assert!(tracker.flush_and_wait(Duration::from_secs(20)));

    let sel = "game=\"self-metrics-test\"";
    let expected = [
        (
            format!("gametracker_retries_total{{{sel},signal=\"logs\"}}"),
            logs.retries,
        ),
        (
            format!("gametracker_retries_total{{{sel},signal=\"metrics\"}}"),
            metrics.retries,
        ),
        (
            format!(
                "gametracker_events_dropped_total{{{sel},signal=\"logs\",reason=\"backlog_full\"}}"
            ),
            logs.dropped(DropReason::BacklogFull),
        ),
        (
            format!("gametracker_events_produced_total{{{sel},signal=\"logs\"}}"),
            logs.produced,
        ),
        (
            format!("gametracker_events_sent_total{{{sel},signal=\"logs\"}}"),
            logs.sent,
        ),
        (
            format!("gametracker_events_pending{{{sel},signal=\"logs\"}}"),
            0,
        ),
    ];
    // Prometheus answers for what it ingested: wait for the last sample
    // (a wait, not a measure: generous).
    let deadline = Instant::now() + Duration::from_secs(60);
    let read = || {
        expected
            .iter()
            .map(|(q, _)| value(&prometheus.query(q)))
            .collect::<Vec<_>>()
    };
    let mut got = read();
    while got
        .iter()
        .zip(&expected)
        .any(|(g, (_, want))| *g != Some(*want as f64))
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(250));
        got = read();
    }
    for ((query, want), got) in expected.iter().zip(&got) {
        assert_eq!(*got, Some(*want as f64), "{query}");
    }
    assert_eq!(
        logs.produced,
        logs.sent + logs.dropped_total() + logs.spooled + logs.pending,
        "the game's counts alone: {logs:?}"
    );
    assert!(
        prometheus.query("frames_total").len() == 1
            && prometheus
                .query("{__name__=~\"gametracker_.*\",signal=\"traces\"}")
                .len()
                >= 2,
        "the game's series and a series per own counter and signal"
    );
    tracker.shutdown(Duration::from_secs(2));
}
