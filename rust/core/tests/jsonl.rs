//! The local-first sink: with no destination, events become JSON lines in
//! `<jsonl_dir>/events.jsonl`, rotated at `max_jsonl_bytes`.

use std::path::Path;
use std::time::Duration;

use common::calls::TestCalls;
use game_tracker_core::model::value::Value;
use game_tracker_core::sinks::jsonl::{rotated, ROTATED_FILES};
use game_tracker_core::{Config, DeviceInfo, Level, MetricKind, Signal, SpanStatus, Tracker};
use serde_json::Value as Json;

mod common;
use common::{assert_identity, fresh_dir, TempDir};

fn folder(test: &str) -> TempDir {
    fresh_dir(&format!("jsonl_{test}"))
}

fn start(dir: &Path, extra: Vec<(&str, Value)>) -> Tracker {
    let mut fields = vec![
        (
            "jsonl_dir".to_string(),
            Value::Str(dir.to_string_lossy().into()),
        ),
        // Only what the test makes: session events have tests/health.rs.
        ("release_health".to_string(), Value::Bool(false)),
        ("self_metrics".to_string(), Value::Bool(false)),
    ];
    fields.extend(extra.into_iter().map(|(k, v)| (k.to_string(), v)));
    Tracker::start(Config::from_fields(&fields).unwrap(), DeviceInfo::default()).unwrap()
}

fn lines(path: &Path) -> Vec<Json> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn with_no_endpoint_every_event_is_a_json_line() {
    let dir = folder("lines");
    let t = start(&dir, vec![]);
    t.set_user(vec![("id".into(), Value::Str("p1".into()))]);
    t.log(
        Level::Warn,
        "low health".into(),
        vec![("hp".into(), Value::Int(5))],
    );
    t.metric(
        MetricKind::Counter,
        "deaths".into(),
        1.0,
        vec![("level".into(), "forest".into())],
    );
    let span = t.start_span(
        "level_load",
        vec![("level".into(), Value::Str("forest".into()))],
        None,
    );
    t.end_span(&span, SpanStatus::Error, "missing asset");
    assert!(t.flush_and_wait(Duration::from_secs(5)));
    let lines = lines(&dir.join("events.jsonl"));
    assert_eq!(lines.len(), 3, "{lines:?}");
    let session = t.session().session_id.clone();
    assert!(lines.iter().all(|l| l["session_id"] == session.as_str()));
    // The build's labels on every line, as on every Loki stream and series.
    let build = t.session().build_labels().map(|(k, v)| (k, Json::from(v)));
    for line in &lines {
        assert!(build.iter().all(|(k, v)| &line[*k] == v), "{line}");
    }
    assert_eq!(
        (&lines[0]["signal"], &lines[0]["level"], &lines[0]["msg"]),
        (
            &Json::from("log"),
            &Json::from("warn"),
            &Json::from("low health")
        )
    );
    assert_eq!(
        (&lines[0]["data"]["hp"], &lines[0]["user"]["id"]),
        (&Json::from(5), &Json::from("p1"))
    );
    assert_eq!(
        (&lines[1]["signal"], &lines[1]["kind"], &lines[1]["name"]),
        (
            &Json::from("metric"),
            &Json::from("counter"),
            &Json::from("deaths")
        )
    );
    assert_eq!(
        (&lines[1]["value"], &lines[1]["labels"]["level"]),
        (&Json::from(1.0), &Json::from("forest"))
    );
    assert_eq!(
        (
            &lines[2]["signal"],
            &lines[2]["status"],
            &lines[2]["status_message"]
        ),
        (
            &Json::from("span"),
            &Json::from("error"),
            &Json::from("missing asset")
        )
    );
    assert_eq!(lines[2]["trace_id"].as_str().unwrap().len(), 32);
    for signal in Signal::ALL {
        let s = t.stats(signal);
        assert_eq!((s.sent, s.pending), (1, 0), "{signal:?}: {s:?}");
    }
    assert_identity(&t);
}

#[test]
fn the_file_rotates_at_its_size_cap_and_keeps_a_bounded_number_of_files() {
    let dir = folder("rotation");
    let max = 4096;
    let t = start(&dir, vec![("max_jsonl_bytes", Value::Int(max as i64))]);
    for i in 0..400 {
        t.log(
            Level::Info,
            format!("line {i:04} {}", "x".repeat(80)),
            vec![],
        );
    }
    assert!(t.flush_and_wait(Duration::from_secs(5)));
    let current = dir.join("events.jsonl");
    let mut files = vec![current.clone()];
    files.extend((1..=ROTATED_FILES).map(|n| rotated(&dir, n)));
    for f in &files {
        let size = std::fs::metadata(f)
            .unwrap_or_else(|_| panic!("{} exists", f.display()))
            .len();
        assert!(size <= max, "{} is {size} bytes", f.display());
    }
    assert!(
        !rotated(&dir, ROTATED_FILES + 1).exists(),
        "older files are dropped"
    );
    let newest = lines(&current);
    assert_eq!(
        newest.last().unwrap()["msg"].as_str().unwrap()[..9],
        *"line 0399",
        "the newest lines are in events.jsonl"
    );
    let oldest_kept = lines(&rotated(&dir, ROTATED_FILES));
    let first: usize = oldest_kept[0]["msg"].as_str().unwrap()[5..9]
        .parse()
        .unwrap();
    let kept: usize = files.iter().map(|f| lines(f).len()).sum();
    assert_eq!(
        first + kept,
        400,
        "the kept files hold the newest lines, none missing in between"
    );
}
