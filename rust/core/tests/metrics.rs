use game_tracker_core::encode::prompb::TimeSeries;
use game_tracker_core::encode::remote_write;
use game_tracker_core::model::event::{MetricKind, MetricUpdate};
use game_tracker_core::model::metric_check::sanitize_name;
use game_tracker_core::DropReason;

mod common;
use common::metric_path::MetricPath;

const T0_MS: i64 = 1_800_000_000_000;

fn update(kind: MetricKind, name: &str, value: f64, labels: &[(&str, &str)]) -> MetricUpdate {
    MetricUpdate {
        time_unix_nano: T0_MS as u64 * 1_000_000,
        kind,
        name: name.into(),
        value,
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        more: Vec::new(),
    }
}

fn aggregator() -> MetricPath {
    MetricPath::new(
        vec![10.0, 100.0, 1000.0],
        100,
        &[("game", "g"), ("instance", "s1")],
    )
}

fn name_of(ts: &TimeSeries) -> String {
    ts.labels
        .iter()
        .find(|l| l.name == "__name__")
        .unwrap()
        .value
        .clone()
}

fn label(ts: &TimeSeries, name: &str) -> Option<String> {
    ts.labels
        .iter()
        .find(|l| l.name == name)
        .map(|l| l.value.clone())
}

fn find<'a>(series: &'a [TimeSeries], name: &str, extra: &[(&str, &str)]) -> &'a TimeSeries {
    series
        .iter()
        .find(|ts| {
            name_of(ts) == name
                && extra
                    .iter()
                    .all(|(k, v)| label(ts, k).as_deref() == Some(*v))
        })
        .unwrap_or_else(|| panic!("no series {name} {extra:?}"))
}

#[test]
fn counters_are_cumulative_and_start_with_a_zero_sample() {
    let mut a = aggregator();
    for _ in 0..5 {
        a.apply(&update(
            MetricKind::Counter,
            "enemies_killed",
            1.0,
            &[("level", "forest")],
        ))
        .unwrap();
    }
    a.apply(&update(MetricKind::Counter, "gold_earned", 50.0, &[]))
        .unwrap();
    let snap = a.snapshot(T0_MS + 5_000).unwrap();
    let written_snap = remote_write::request(&snap);
    assert_eq!(snap.updates, 6);
    let kills = find(
        &written_snap.timeseries,
        "enemies_killed_total",
        &[("level", "forest")],
    );
    let samples: Vec<(f64, i64)> = kills
        .samples
        .iter()
        .map(|s| (s.value, s.timestamp))
        .collect();
    assert_eq!(samples, vec![(0.0, T0_MS - 1), (5.0, T0_MS + 5_000)]);
    assert_eq!(
        find(&written_snap.timeseries, "gold_earned_total", &[])
            .samples
            .last()
            .unwrap()
            .value,
        50.0
    );

    // Acknowledged: the zero is not repeated; totals keep growing.
    a.acknowledge(&snap.announcing);
    a.apply(&update(
        MetricKind::Counter,
        "enemies_killed",
        2.0,
        &[("level", "forest")],
    ))
    .unwrap();
    let snap = a.snapshot(T0_MS + 10_000).unwrap();
    let written_snap = remote_write::request(&snap);
    let kills = find(
        &written_snap.timeseries,
        "enemies_killed_total",
        &[("level", "forest")],
    );
    assert_eq!(kills.samples.len(), 1);
    assert_eq!(kills.samples[0].value, 7.0);
}

#[test]
fn unacknowledged_zero_samples_are_sent_again() {
    let mut a = aggregator();
    a.apply(&update(MetricKind::Counter, "x", 1.0, &[]))
        .unwrap();
    let first = a.snapshot(T0_MS + 1).unwrap();
    a.requeue(first.updates);
    let second = a.snapshot(T0_MS + 2).unwrap();
    let written_second = remote_write::request(&second);
    assert_eq!(second.updates, 1, "requeued updates are pending again");
    assert_eq!(
        find(&written_second.timeseries, "x_total", &[]).samples[0].value,
        0.0
    );
}

#[test]
fn sample_timestamps_strictly_increase_even_within_one_millisecond() {
    let mut a = aggregator();
    a.apply(&update(MetricKind::Gauge, "hp", 1.0, &[])).unwrap();
    let t1 = remote_write::request(&a.snapshot(T0_MS).unwrap()).timeseries[0].samples[0].timestamp;
    let t2 = remote_write::request(&a.snapshot(T0_MS).unwrap()).timeseries[0].samples[0].timestamp;
    assert!(t2 > t1);
}

#[test]
fn gauges_send_the_last_value_without_a_zero() {
    let mut a = aggregator();
    for v in [100.0, 70.0, 25.0] {
        a.apply(&update(
            MetricKind::Gauge,
            "player_health",
            v,
            &[("player_id", "123")],
        ))
        .unwrap();
    }
    let snap = a.snapshot(T0_MS + 1000).unwrap();
    let written_snap = remote_write::request(&snap);
    let hp = find(
        &written_snap.timeseries,
        "player_health",
        &[("player_id", "123")],
    );
    assert_eq!(hp.samples.len(), 1);
    assert_eq!(hp.samples[0].value, 25.0);
}

#[test]
fn histograms_are_classic_cumulative_buckets_with_sum_and_count() {
    let mut a = aggregator();
    for v in [5.0, 50.0, 60.0, 500.0, 5000.0] {
        a.apply(&update(
            MetricKind::Histogram,
            "load_time_ms",
            v,
            &[("scene", "l3")],
        ))
        .unwrap();
    }
    let snap = a.snapshot(T0_MS + 1000).unwrap();
    let written_snap = remote_write::request(&snap);
    let ts = &written_snap.timeseries;
    let bucket = |le: &str| {
        find(ts, "load_time_ms_bucket", &[("le", le)])
            .samples
            .last()
            .unwrap()
            .value
    };
    assert_eq!(
        [bucket("10"), bucket("100"), bucket("1000"), bucket("+Inf")],
        [1.0, 3.0, 4.0, 5.0]
    );
    assert_eq!(
        find(ts, "load_time_ms_sum", &[])
            .samples
            .last()
            .unwrap()
            .value,
        5615.0
    );
    assert_eq!(
        find(ts, "load_time_ms_count", &[])
            .samples
            .last()
            .unwrap()
            .value,
        5.0
    );
    assert_eq!(ts.len(), 6, "4 buckets + sum + count");
    assert_eq!(
        find(ts, "load_time_ms_count", &[]).samples[0].value,
        0.0,
        "starts at zero"
    );
}

#[test]
fn labels_are_sorted_with_name_and_automatic_labels() {
    let mut a = aggregator();
    a.apply(&update(
        MetricKind::Counter,
        "purchases",
        1.0,
        &[("zone", "z"), ("Item", "sword"), ("a", "1")],
    ))
    .unwrap();
    let snap = a.snapshot(T0_MS + 1).unwrap();
    let written_snap = remote_write::request(&snap);
    let names: Vec<&str> = written_snap.timeseries[0]
        .labels
        .iter()
        .map(|l| l.name.as_str())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(
        names,
        vec!["Item", "__name__", "a", "game", "instance", "zone"]
    );
}

#[test]
fn invalid_names_are_sanitised_and_warned_once() {
    let mut a = aggregator();
    a.apply(&update(
        MetricKind::Counter,
        "enemies-killed.total",
        1.0,
        &[("weapon type", "axe")],
    ))
    .unwrap();
    a.apply(&update(
        MetricKind::Counter,
        "enemies-killed.total",
        1.0,
        &[("weapon type", "axe")],
    ))
    .unwrap();
    let warnings = a.warnings.take();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    let snap = a.snapshot(T0_MS + 1).unwrap();
    let written_snap = remote_write::request(&snap);
    let ts = find(
        &written_snap.timeseries,
        "enemies_killed_total",
        &[("weapon_type", "axe")],
    );
    assert_eq!(ts.samples.last().unwrap().value, 2.0);
    assert_eq!(sanitize_name("9lives", false).as_deref(), Some("_9lives"));
    assert_eq!(
        sanitize_name("__reserved", false).as_deref(),
        Some("_reserved")
    );
    assert_eq!(sanitize_name("---", true), None);
}

#[test]
fn a_label_named_like_an_automatic_one_is_kept_as_exported() {
    let mut a = aggregator();
    a.apply(&update(
        MetricKind::Gauge,
        "g",
        1.0,
        &[("game", "other"), ("le", "x")],
    ))
    .unwrap();
    let snap = a.snapshot(T0_MS + 1).unwrap();
    let written_snap = remote_write::request(&snap);
    let ts = &written_snap.timeseries[0];
    assert_eq!(label(ts, "game").as_deref(), Some("g"));
    assert_eq!(label(ts, "exported_game").as_deref(), Some("other"));
    assert_eq!(label(ts, "exported_le").as_deref(), Some("x"));
}

#[test]
fn bad_values_and_too_many_series_are_refused_with_a_reason() {
    let mut a = MetricPath::new(vec![1.0], 2, &[]);
    assert_eq!(
        a.apply(&update(MetricKind::Gauge, "g", f64::NAN, &[])),
        Err(DropReason::Invalid)
    );
    assert_eq!(
        a.apply(&update(MetricKind::Counter, "c", -1.0, &[])),
        Err(DropReason::Invalid)
    );
    assert_eq!(
        a.apply(&update(MetricKind::Counter, "!!!", 1.0, &[])),
        Err(DropReason::Invalid)
    );
    a.apply(&update(MetricKind::Gauge, "g", 1.0, &[("k", "1")]))
        .unwrap();
    a.apply(&update(MetricKind::Gauge, "g", 1.0, &[("k", "2")]))
        .unwrap();
    assert_eq!(
        a.apply(&update(MetricKind::Gauge, "g", 1.0, &[("k", "3")])),
        Err(DropReason::SeriesLimit)
    );
    assert_eq!(
        a.apply(&update(MetricKind::Gauge, "g", 5.0, &[("k", "2")])),
        Ok(()),
        "existing series still update"
    );
}

#[test]
fn too_many_labels_are_cut_at_the_limit() {
    let mut a = MetricPath::new(vec![1.0], 10, &[]);
    let labels: Vec<(String, String)> = (0..40).map(|i| (format!("l{i:02}"), "v".into())).collect();
    let refs: Vec<(&str, &str)> = labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    a.apply(&update(MetricKind::Gauge, "g", 1.0, &refs))
        .unwrap();
    let snap = a.snapshot(T0_MS + 1).unwrap();
    let written_snap = remote_write::request(&snap);
    assert_eq!(
        written_snap.timeseries[0].labels.len(),
        1 + game_tracker_core::model::metric_check::MAX_METRIC_LABELS
    );
}
