//! Release health against a loopback receiver, decoded as Loki and
//! Prometheus would: session events and `game_sessions_total`, markers of
//! sessions that died (written here as a dead game leaves them; the real
//! kills are in tests/tests/godot.rs), and breadcrumbs on error logs.

use std::path::Path;
use std::time::Duration;

use common::calls::TestCalls;
use game_tracker_core::encode::remote_write;
use game_tracker_core::health::marker::Marker;
use game_tracker_core::model::value::Value;
use game_tracker_core::{Config, DeviceInfo, Level, Signal, Tracker};
use game_tracker_testkit::decode::loki_lines;
use game_tracker_testkit::receiver::Receiver;
use serde_json::Value as Json;

mod common;
use common::{assert_identity, fresh_dir};

const LOGS: &str = "/loki/api/v1/push";
const METRICS: &str = "/api/v1/metrics/write";

fn start(rx: &Receiver, sessions: &Path, extra: Vec<(&str, Value)>) -> Tracker {
    let mut fields = vec![
        ("endpoint".to_string(), Value::Str(rx.base_url())),
        ("game".to_string(), Value::Str("health-test".into())),
        ("version".to_string(), Value::Str("1.1".into())),
        (
            "session_dir".to_string(),
            Value::Str(sessions.to_string_lossy().into()),
        ),
        ("flush_interval".to_string(), Value::Int(3600)),
    ];
    fields.extend(extra.into_iter().map(|(k, v)| (k.to_string(), v)));
    Tracker::start(Config::from_fields(&fields).unwrap(), DeviceInfo::default()).unwrap()
}

/// `game_sessions_total` series in the last remote-write request: (status, version, value).
fn sessions_series(rx: &Receiver) -> Vec<(String, String, f64)> {
    let requests = rx.requests_to(METRICS);
    let request = remote_write::decode(&requests.last().expect("a metrics request").body).unwrap();
    let mut out: Vec<_> = request
        .timeseries
        .iter()
        .filter(|ts| {
            ts.labels
                .iter()
                .any(|l| l.name == "__name__" && l.value == "game_sessions_total")
        })
        .map(|ts| {
            let label = |n: &str| {
                ts.labels
                    .iter()
                    .find(|l| l.name == n)
                    .map(|l| l.value.clone())
                    .unwrap_or_default()
            };
            (
                label("status"),
                label("version"),
                ts.samples.last().unwrap().value,
            )
        })
        .collect();
    out.sort_by(|a, b| a.partial_cmp(b).unwrap());
    out
}

fn series(expected: &[(&str, &str, f64)]) -> Vec<(String, String, f64)> {
    expected
        .iter()
        .map(|(s, v, n)| (s.to_string(), v.to_string(), *n))
        .collect()
}

fn markers(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_clean_session_starts_and_ends_and_leaves_no_marker() {
    let rx = Receiver::start();
    let dir = fresh_dir("health_clean");
    let t = start(&rx, &dir, vec![]);
    let id = t.session().session_id.clone();
    t.log(Level::Info, "playing".into(), vec![]);
    assert!(t.flush_and_wait(Duration::from_secs(5)));
    assert_eq!(
        markers(&dir),
        [format!("{id}.marker")],
        "a running session's marker"
    );
    t.shutdown(Duration::from_secs(5));
    assert!(
        markers(&dir).is_empty(),
        "a clean end removes it: {:?}",
        markers(&dir)
    );
    assert_identity(&t);

    let lines = loki_lines(&rx.requests_to(LOGS));
    let messages: Vec<&str> = lines.iter().map(|l| l["msg"].as_str().unwrap()).collect();
    assert_eq!(messages, ["session_start", "playing", "session_end"]);
    assert_eq!(lines[2]["data"]["status"], "exited");
    assert!(lines[2]["data"]["duration_s"].as_f64().unwrap() < 5.0);
    assert_eq!(
        sessions_series(&rx),
        series(&[("exited", "1.1", 1.0), ("started", "1.1", 1.0)])
    );

    // The next launch finds nothing to report.
    let rx2 = Receiver::start();
    let t = start(&rx2, &dir, vec![]);
    t.shutdown(Duration::from_secs(5));
    let messages: Vec<String> = loki_lines(&rx2.requests_to(LOGS))
        .iter()
        .map(|l| l["msg"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(messages, ["session_start", "session_end"]);
}

#[test]
fn an_error_makes_the_session_errored_and_carries_the_last_breadcrumbs_in_order() {
    let rx = Receiver::start();
    let dir = fresh_dir("health_crumbs");
    let t = start(&rx, &dir, vec![("breadcrumbs", Value::Int(4))]);
    t.set_scene("res://level_1.tscn");
    for i in 0..3 {
        t.log(Level::Debug, format!("step {i}"), vec![]);
    }
    let span = t.start_span("load_level", Vec::<(String, Value)>::new(), None);
    t.add_breadcrumb_with(
        "ui",
        "opened the shop",
        vec![("tab".to_string(), Value::Str("swords".into()))],
    );
    t.end_span(&span, game_tracker_core::SpanStatus::Ok, "");
    t.log(Level::Error, "purchase failed".into(), vec![]);
    t.shutdown(Duration::from_secs(5));
    assert_identity(&t);

    let lines = loki_lines(&rx.requests_to(LOGS));
    let error = lines
        .iter()
        .find(|l| l["msg"] == "purchase failed")
        .expect("the error line");
    let crumbs = error["data"]["breadcrumbs"]
        .as_array()
        .expect("breadcrumbs attached");
    let seen: Vec<(&str, &str)> = crumbs
        .iter()
        .map(|c| {
            (
                c["category"].as_str().unwrap(),
                c["message"].as_str().unwrap(),
            )
        })
        .collect();
    // 4 kept, oldest cut: the span's start belongs before the breadcrumb.
    assert_eq!(
        seen,
        [
            ("log", "step 2"),
            ("span", "load_level started"),
            ("ui", "opened the shop"),
            ("span", "load_level ended")
        ]
    );
    assert_eq!(crumbs[2]["data"]["tab"], "swords");
    assert_eq!(crumbs[0]["level"], "debug");
    let end = lines.iter().find(|l| l["msg"] == "session_end").unwrap();
    assert_eq!(end["data"]["status"], "errored");
    assert!(sessions_series(&rx).contains(&series(&[("errored", "1.1", 1.0)])[0]));
}

#[test]
fn a_dead_sessions_marker_is_reported_once_under_its_own_version() {
    let dir = fresh_dir("health_dead");
    std::fs::create_dir_all(&dir).unwrap();
    let crumbs = serde_json::json!([{"time": "2026-12-01T10:00:00.000Z", "category": "scene", "message": "res://boss.tscn"}]);
    let dead = |id: &str, started: u64| Marker {
        session_id: id.into(),
        game: "health-test".into(),
        version: "1.0".into(),
        environment: "production".into(),
        started_unix_ms: started,
        updated_unix_ms: started + 42_300,
        scene: "res://boss.tscn".into(),
        paused: false,
        breadcrumbs: crumbs.clone(),
    };
    std::fs::write(
        dir.join("killed.marker"),
        serde_json::to_vec(&dead("killed", 1_000)).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.join("segfaulted.marker"),
        serde_json::to_vec(&dead("segfaulted", 2_000)).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.join("segfaulted.crashed"), "11").unwrap();

    let rx = Receiver::start();
    let t = start(&rx, &dir, vec![]);
    t.shutdown(Duration::from_secs(5));
    assert_identity(&t);
    assert_eq!(t.stats(Signal::Logs).sent, 4, "two reports, start and end");

    let lines = loki_lines(&rx.requests_to(LOGS));
    let report = |msg: &str| -> Json {
        lines
            .iter()
            .find(|l| l["msg"] == msg)
            .unwrap_or_else(|| panic!("{msg}: {lines:?}"))
            .clone()
    };
    let abnormal = report("session_abnormal");
    assert_eq!(
        (
            abnormal["data"]["previous_session_id"].as_str(),
            abnormal["level"].as_str()
        ),
        (Some("killed"), Some("error"))
    );
    assert_eq!(
        (
            abnormal["data"]["previous_version"].as_str(),
            abnormal["data"]["duration_s"].as_f64()
        ),
        (Some("1.0"), Some(42.3))
    );
    assert_eq!(abnormal["data"]["last_scene"], "res://boss.tscn");
    assert_eq!(
        abnormal["data"]["breadcrumbs"][0]["message"],
        "res://boss.tscn"
    );
    let crashed = report("session_crashed");
    assert_eq!(
        (
            crashed["data"]["previous_session_id"].as_str(),
            crashed["data"]["signal"].as_i64()
        ),
        (Some("segfaulted"), Some(11))
    );
    assert_eq!(
        sessions_series(&rx),
        series(&[
            ("abnormal", "1.0", 1.0),
            ("crashed", "1.0", 1.0),
            ("exited", "1.1", 1.0),
            ("started", "1.1", 1.0)
        ])
    );

    // Reported once: the next launch sends only its own start and end.
    let rx2 = Receiver::start();
    start(&rx2, &dir, vec![]).shutdown(Duration::from_secs(5));
    assert_eq!(loki_lines(&rx2.requests_to(LOGS)).len(), 2);
}

#[test]
fn withdrawn_consent_and_release_health_off_send_no_session_events() {
    let rx = Receiver::start();
    let dir = fresh_dir("health_off");
    let t = start(&rx, &dir, vec![("release_health", Value::Bool(false))]);
    t.log(Level::Info, "only this".into(), vec![]);
    t.shutdown(Duration::from_secs(5));
    assert!(markers(&dir).is_empty());
    assert_eq!(loki_lines(&rx.requests_to(LOGS)).len(), 1);

    let rx = Receiver::start();
    let t = start(&rx, &dir, vec![]);
    assert!(!markers(&dir).is_empty());
    t.disable();
    assert!(
        markers(&dir).is_empty(),
        "consent withdrawn: the marker goes too"
    );
    assert!(rx.requests_to(LOGS).is_empty(), "and nothing is sent");
    assert_identity(&t);
}

#[test]
fn a_seconds_worth_of_frame_times_is_one_update_with_every_observation() {
    let rx = Receiver::start();
    let dir = fresh_dir("health_samples");
    let t = start(&rx, &dir, vec![("release_health", Value::Bool(false))]);
    let frames = [0.016, 0.017, 0.016, 0.051];
    t.histogram_samples(
        "game_frame_time_ms",
        &frames,
        vec![("scene".to_string(), "level_1".to_string())].as_slice(),
    );
    assert!(t.flush_and_wait(Duration::from_secs(5)));
    let s = t.stats(Signal::Metrics);
    assert_eq!((s.produced, s.sent), (1, 1), "one update: {s:?}");
    let request = remote_write::decode(&rx.requests_to(METRICS).last().unwrap().body).unwrap();
    let value = |name: &str| {
        let ts = request
            .timeseries
            .iter()
            .find(|ts| {
                ts.labels
                    .iter()
                    .any(|l| l.name == "__name__" && l.value == name)
            })
            .unwrap();
        assert!(ts
            .labels
            .iter()
            .any(|l| l.name == "scene" && l.value == "level_1"));
        ts.samples.last().unwrap().value
    };
    assert_eq!(value("game_frame_time_ms_count"), 4.0);
    assert!((value("game_frame_time_ms_sum") - frames.iter().sum::<f64>()).abs() < 1e-9);
    assert_identity(&t);
}

#[test]
fn the_marker_is_rewritten_about_once_a_second_and_stays_small() {
    use game_tracker_core::health::MARKER_INTERVAL;
    let rx = Receiver::start();
    let dir = fresh_dir("health_marker_size");
    let t = start(&rx, &dir, vec![]);
    let marker = dir.join(format!("{}.marker", t.session().session_id));
    for i in 0..200 {
        t.log(
            Level::Info,
            format!("player picked up item {i}"),
            vec![("slot".to_string(), Value::Int(i % 8))],
        );
    }
    t.handover();
    // Frames keep coming (a log and a hand-over every 50 ms), and the
    // marker's own clock says when each version was written: versions at
    // least MARKER_INTERVAL apart show it is not rewritten per event or per
    // frame, and three new ones show it keeps being rewritten. Neither
    // depends on how fast this machine is; the wait for them is generous.
    let read = || serde_json::from_slice::<Marker>(&std::fs::read(&marker).unwrap()).ok();
    let mut versions: Vec<Marker> = Vec::new();
    let deadline = std::time::Instant::now() + 10 * 3 * MARKER_INTERVAL;
    while versions.len() < 4 && std::time::Instant::now() < deadline {
        // A read may catch a write half done: the next one sees it whole.
        if let Some(now) = read() {
            if versions
                .last()
                .is_none_or(|v| v.updated_unix_ms != now.updated_unix_ms)
            {
                versions.push(now);
            }
        }
        std::thread::sleep(Duration::from_millis(50));
        t.log(Level::Info, "frame".into(), vec![]);
        t.handover();
    }
    assert_eq!(versions.len(), 4, "the marker and three rewrites");
    let gaps: Vec<u64> = versions
        .windows(2)
        .map(|w| w[1].updated_unix_ms - w[0].updated_unix_ms)
        .collect();
    // Whole milliseconds on both sides: at most 1 ms lost to rounding.
    assert!(
        gaps.iter()
            .all(|&gap| gap + 1 >= MARKER_INTERVAL.as_millis() as u64),
        "rewritten every {gaps:?} ms"
    );
    let last = std::fs::read(&marker).unwrap();
    let m: Marker = serde_json::from_slice(&last).unwrap();
    assert_eq!(
        m.breadcrumbs.as_array().unwrap().len(),
        50,
        "the default 50 breadcrumbs"
    );
    eprintln!(
        "marker: {} bytes with 50 breadcrumbs, rewritten every {gaps:?} ms",
        last.len()
    );
    assert!(last.len() < 16 * 1024, "{} bytes", last.len());
    t.shutdown(Duration::from_secs(5));
}

#[test]
fn in_otlp_session_events_are_opentelemetrys_session_start_and_end_with_session_id() {
    let rx = Receiver::start();
    let dir = fresh_dir("health-otlp-names");
    let t = start(&rx, &dir, vec![("protocol", Value::Str("otlp".into()))]);
    let session = t.session().session_id.clone();
    t.shutdown(Duration::from_secs(10));
    let logs = game_tracker_testkit::decode::otlp_logs(&rx.requests_to("/v1/logs"));
    let named: Vec<(String, Option<String>)> = logs
        .iter()
        .map(|l| {
            let id = l
                .attributes
                .iter()
                .find(|kv| kv.key == "session.id")
                .and_then(|kv| kv.value.as_ref())
                .and_then(|v| match &v.value {
                    Some(
                        opentelemetry_proto::tonic::common::v1::any_value::Value::StringValue(s),
                    ) => Some(s.clone()),
                    _ => None,
                });
            (l.event_name.clone(), id)
        })
        .collect();
    assert_eq!(
        named,
        [
            ("session.start".to_string(), Some(session.clone())),
            ("session.end".to_string(), Some(session)),
        ],
        "{logs:?}"
    );
}
