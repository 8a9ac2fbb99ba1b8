//! The local store: every session in `<local_store_dir>/telemetry.db`,
//! read back here with SQLite itself.

use std::path::Path;
use std::time::Duration;

use game_tracker_core::health::marker::Marker;
use game_tracker_core::model::value::Value;
use game_tracker_core::sinks::store::FILE_NAME;
use game_tracker_core::{Config, DeviceInfo, Level, MetricKind, SpanStatus, Tracker};
use rusqlite::Connection;

mod common;
use common::calls::TestCalls;
use common::{assert_identity, fresh_dir, TempDir};

fn folder(test: &str) -> TempDir {
    fresh_dir(&format!("store_{test}"))
}

fn start(dir: &Path, extra: Vec<(&str, Value)>) -> Tracker {
    let mut fields = vec![
        (
            "local_store_dir".to_string(),
            Value::Str(dir.to_string_lossy().into()),
        ),
        (
            "session_dir".to_string(),
            Value::Str(dir.join("sessions").to_string_lossy().into()),
        ),
        ("version".to_string(), Value::Str("1.2".into())),
        ("self_metrics".to_string(), Value::Bool(false)),
    ];
    fields.extend(extra.into_iter().map(|(k, v)| (k.to_string(), v)));
    Tracker::start(Config::from_fields(&fields).unwrap(), DeviceInfo::default()).unwrap()
}

fn open(dir: &Path) -> Connection {
    Connection::open(dir.join(FILE_NAME)).expect("telemetry.db opens")
}

fn count(db: &Connection, sql: &str) -> i64 {
    db.query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn text(db: &Connection, sql: &str) -> String {
    db.query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[test]
fn with_no_endpoint_a_session_is_written_to_telemetry_db() {
    let dir = folder("session");
    let t = start(&dir, vec![]);
    let session = t.session().session_id.clone();
    t.set_scene("res://forest.tscn");
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
    t.metric(
        MetricKind::Counter,
        "deaths".into(),
        2.0,
        vec![("level".into(), "forest".into())],
    );
    for ms in [4.0, 8.0, 12.0, 16.0, 40.0] {
        t.metric(
            MetricKind::Histogram,
            "game_frame_time_ms".into(),
            ms,
            vec![("scene".into(), "res://forest.tscn".into())],
        );
    }
    let span = t.start_span(
        "level_load",
        vec![("level".into(), Value::Str("forest".into()))],
        None,
    );
    t.end_span(&span, SpanStatus::Error, "missing asset");
    t.shutdown(Duration::from_secs(5));

    let db = open(&dir);
    assert_eq!(count(&db, "PRAGMA user_version"), 1);
    assert_eq!(text(&db, "PRAGMA integrity_check"), "ok");
    // The session's row: its build, how it ended, where it was.
    let (version, status, scene, ended): (String, String, String, Option<i64>) = db
        .query_row(
            "SELECT version, status, last_scene, ended_us FROM sessions WHERE session_id = ?1",
            [&session],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (version.as_str(), status.as_str(), scene.as_str()),
        ("1.2", "exited", "res://forest.tscn")
    );
    assert!(ended.is_some());
    // The game's log with its data, user and scene; release health's own.
    let (severity, data, scope, row_scene): (String, String, String, String) = db
        .query_row("SELECT severity, data, scope, scene FROM events WHERE kind = 'log' AND name = 'low health'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap();
    assert_eq!(
        (severity.as_str(), data.as_str(), row_scene.as_str()),
        ("warn", r#"{"hp":5}"#, "res://forest.tscn")
    );
    assert_eq!(scope, r#"{"user":{"id":"p1"}}"#);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM events WHERE name IN ('session_start', 'session_end')"
        ),
        2
    );
    // The span, with its duration and ids.
    let (status, message, trace): (String, String, String) = db
        .query_row("SELECT severity, json_extract(data, '$.status_message'), trace_id FROM events WHERE kind = 'span'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(
        (status.as_str(), message.as_str(), trace.len()),
        ("error", "missing asset", 32)
    );
    // Metrics as snapshots: the counter's running total, the histogram's quantiles.
    assert_eq!(count(&db, "SELECT CAST(max(value) AS INTEGER) FROM metric_snapshots WHERE name = 'deaths' AND json_extract(labels, '$.level') = 'forest'"), 3);
    let (n, p50): (i64, f64) =
        db.query_row("SELECT count, p50 FROM metric_snapshots WHERE name = 'game_frame_time_ms' ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(n, 5);
    assert!(p50 > 8.0 && p50 <= 16.0, "p50 {p50}");
    // Rows are numbered per session, with no gap.
    let rows = count(
        &db,
        "SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM metric_snapshots)",
    );
    assert_eq!(count(&db, "SELECT max(seq) + 1 FROM (SELECT seq FROM events UNION ALL SELECT seq FROM metric_snapshots)"), rows);
    let store = t.store_stats();
    assert_eq!(
        (
            store.rows_written as i64,
            store.lost.iter().map(|(_, n)| n).sum::<u64>()
        ),
        (rows, 0),
        "{store:?}"
    );
    assert!(store.file_bytes > 0);
    assert_identity(&t);
}

#[test]
fn a_session_that_died_is_marked_so_by_the_next_launch() {
    let dir = folder("died");
    let first = start(&dir, vec![]);
    let dead = first.session().session_id.clone();
    first.set_scene("res://boss.tscn");
    first.shutdown(Duration::from_secs(5));
    // As if it had died there: its row says running, its marker stayed
    // (a real kill of a real game is in tests/tests/godot.rs).
    open(&dir)
        .execute(
            "UPDATE sessions SET status = 'running', ended_us = NULL WHERE session_id = ?1",
            [&dead],
        )
        .unwrap();
    let marker = Marker {
        session_id: dead.clone(),
        game: "unknown".into(),
        version: "1.2".into(),
        environment: "production".into(),
        started_unix_ms: 1_000,
        updated_unix_ms: 43_300,
        scene: "res://boss.tscn".into(),
        paused: false,
        breadcrumbs: serde_json::json!([]),
    };
    std::fs::write(
        dir.join("sessions").join(format!("{dead}.marker")),
        serde_json::to_vec(&marker).unwrap(),
    )
    .unwrap();
    let second = start(&dir, vec![]);
    second.shutdown(Duration::from_secs(5));
    let db = open(&dir);
    let (status, scene): (String, String) = db
        .query_row(
            "SELECT status, last_scene FROM sessions WHERE session_id = ?1",
            [&dead],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (status.as_str(), scene.as_str()),
        ("abnormal", "res://boss.tscn")
    );
    // Crash-free sessions by version, offline, in one query.
    let (sessions, died): (i64, i64) = db
        .query_row("SELECT count(*), sum(status IN ('crashed', 'abnormal')) FROM sessions WHERE version = '1.2'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((sessions, died), (2, 1));
}

#[test]
fn beside_an_endpoint_the_store_is_a_setting() {
    let dir = folder("beside");
    // A receiver that is not there: nothing is sent, the store has it all.
    let endpoint = ("endpoint", Value::Str("http://127.0.0.1:9".into()));
    let t = start(
        &dir,
        vec![
            endpoint.clone(),
            ("local_store", Value::Str("on".into())),
            ("request_timeout", Value::Float(0.2)),
        ],
    );
    t.log(Level::Info, "kept".into(), vec![]);
    t.shutdown(Duration::from_secs(2));
    assert_eq!(
        count(
            &open(&dir),
            "SELECT count(*) FROM events WHERE name = 'kept'"
        ),
        1
    );
    // By default a game that sends does not also write the file.
    let dir = folder("beside_auto");
    let t = start(&dir, vec![endpoint, ("request_timeout", Value::Float(0.2))]);
    t.log(Level::Info, "not kept".into(), vec![]);
    t.shutdown(Duration::from_secs(2));
    assert!(!dir.join(FILE_NAME).exists());
    assert_eq!(t.store_stats().path, "");
}

#[test]
fn a_corrupt_file_is_set_aside_with_one_warning_and_a_new_one_started() {
    let dir = folder("corrupt");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(FILE_NAME), vec![0x5a; 8192]).unwrap();
    let t = start(&dir, vec![]);
    t.log(Level::Info, "after".into(), vec![]);
    t.shutdown(Duration::from_secs(5));
    let warnings = t.take_diagnostics(100);
    let aside: Vec<_> = warnings
        .iter()
        .filter(|w| w.contains("moved it to"))
        .collect();
    assert_eq!(aside.len(), 1, "{warnings:?}");
    assert_eq!(
        count(
            &open(&dir),
            "SELECT count(*) FROM events WHERE name = 'after'"
        ),
        1
    );
    let set_aside = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".unusable-"))
        .count();
    assert_eq!(set_aside, 1);
}

#[test]
fn withdrawn_consent_deletes_the_store() {
    let dir = folder("consent");
    let t = start(&dir, vec![]);
    t.log(Level::Info, "private".into(), vec![]);
    assert!(t.flush_and_wait(Duration::from_secs(5)));
    assert!(dir.join(FILE_NAME).exists());
    t.disable();
    t.shutdown(Duration::from_secs(2));
    for suffix in ["", "-wal", "-shm"] {
        assert!(
            !dir.join(format!("{FILE_NAME}{suffix}")).exists(),
            "{suffix}"
        );
    }
}

#[test]
fn two_games_write_one_database_at_once_and_nothing_is_lost() {
    let dir = folder("two");
    const EACH: usize = 3_000;
    let writers: Vec<_> = (0..2)
        .map(|n| {
            let dir = dir.to_path_buf();
            std::thread::spawn(move || {
                let t = start(&dir, vec![("release_health", Value::Bool(false))]);
                for i in 0..EACH {
                    t.log(Level::Info, format!("game {n} event {i}"), vec![]);
                    if i % 100 == 0 {
                        t.handover();
                    }
                }
                t.shutdown(Duration::from_secs(10));
                let store = t.store_stats();
                assert_eq!(
                    store.lost.iter().map(|(_, n)| n).sum::<u64>(),
                    0,
                    "{store:?}"
                );
                t.session().session_id.clone()
            })
        })
        .collect();
    let sessions: Vec<String> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    let db = open(&dir);
    for session in &sessions {
        let rows: i64 = db
            .query_row(
                "SELECT count(*) FROM events WHERE session_id = ?1",
                [session],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(rows, EACH as i64, "{session}");
    }
}

#[test]
fn the_size_cap_holds_under_a_heavy_load_and_the_newest_rows_remain() {
    let dir = folder("cap");
    const CAP: i64 = 262_144;
    const EVENTS: usize = 40_000;
    let t = start(
        &dir,
        vec![
            ("release_health", Value::Bool(false)),
            ("max_local_store_bytes", Value::Int(CAP)),
        ],
    );
    let padding = "x".repeat(150);
    for i in 0..EVENTS {
        t.log(
            Level::Info,
            format!("event {i}"),
            vec![("padding".into(), Value::Str(padding.clone()))],
        );
        // Bounded by the queue (10,000 events): the game waits for the
        // worker every 2,000, so every event reaches the store.
        if i % 2_000 == 1_999 {
            assert!(t.flush_and_wait(Duration::from_secs(20)));
        }
    }
    t.shutdown(Duration::from_secs(20));
    let store = t.store_stats();
    assert_eq!(store.rows_written, EVENTS as u64, "{store:?}");
    let db = open(&dir);
    let file = std::fs::metadata(dir.join(FILE_NAME)).unwrap().len() as i64;
    let used = game_tracker_core::sinks::store::retention::used_bytes(&db).unwrap() as i64;
    println!(
        "cap {CAP}: file {file} bytes, live pages {used} bytes, {} rows kept",
        count(&db, "SELECT count(*) FROM events")
    );
    // Within the cap, give or take the last step's rows (one commit's).
    assert!(
        used <= CAP + CAP / 2,
        "live pages {used} over the cap {CAP}"
    );
    assert!(file <= 2 * CAP, "the file gave its free pages back: {file}");
    // What remains is the newest, with no gap.
    let (first, last, kept): (i64, i64, i64) = db
        .query_row("SELECT min(seq), max(seq), count(*) FROM events", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(last, EVENTS as i64 - 1);
    assert_eq!(kept, last - first + 1, "no gap among the kept rows");
    assert!(first > 0 && kept > 100, "kept {kept} from {first}");
    assert_eq!(text(&db, "PRAGMA integrity_check"), "ok");
}

#[test]
fn rows_older_than_the_age_limit_go() {
    let dir = folder("age");
    let t = start(&dir, vec![("release_health", Value::Bool(false))]);
    t.log(Level::Info, "old".into(), vec![]);
    t.shutdown(Duration::from_secs(5));
    // Two days back, as if written then.
    open(&dir)
        .execute("UPDATE events SET time_us = time_us - 172800000000", [])
        .unwrap();
    let t = start(
        &dir,
        vec![
            ("release_health", Value::Bool(false)),
            ("max_local_store_days", Value::Int(1)),
        ],
    );
    t.log(Level::Info, "new".into(), vec![]);
    t.shutdown(Duration::from_secs(5));
    let db = open(&dir);
    assert_eq!(
        count(&db, "SELECT count(*) FROM events WHERE name = 'old'"),
        0
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM events WHERE name = 'new'"),
        1
    );
}

#[test]
fn an_export_holds_the_rows_of_its_time_range_with_their_sessions() {
    let dir = folder("export");
    let t = start(&dir, vec![("release_health", Value::Bool(false))]);
    t.log(Level::Info, "before".into(), vec![]);
    assert!(t.flush_and_wait(Duration::from_secs(5)));
    std::thread::sleep(Duration::from_millis(20));
    let since = game_tracker_core::model::event::now_unix_nano() as i64 / 1000;
    t.log(Level::Info, "after".into(), vec![]);
    assert!(t.export_local(dir.join("all.db"), 0));
    assert!(t.export_local(dir.join("recent.db"), since));
    assert!(
        t.flush_and_wait(Duration::from_secs(5)),
        "returns once both files are written"
    );
    let report = t.store_stats().last_export.expect("a report");
    assert_eq!((report.rows, report.error.as_str()), (1, ""));
    let names = |file: &str| -> Vec<String> {
        let db = Connection::open(dir.join(file)).unwrap();
        let mut q = db.prepare("SELECT name FROM events ORDER BY seq").unwrap();
        q.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(names("all.db"), ["before", "after"]);
    assert_eq!(names("recent.db"), ["after"]);
    let sessions: i64 = Connection::open(dir.join("recent.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sessions, 1);
    // Without a store, the report says why.
    let none = Tracker::start(
        Config::from_fields(&Vec::new()).unwrap(),
        DeviceInfo::default(),
    )
    .unwrap();
    assert!(none.export_local(dir.join("none.db"), 0));
    assert!(none.flush_and_wait(Duration::from_secs(5)));
    assert!(none
        .store_stats()
        .last_export
        .unwrap()
        .error
        .contains("no local store"));
    t.shutdown(Duration::from_secs(2));
}

/// The editor's timeline reads one session of a file, the latest unless
/// another is picked, and lists the file's sessions, latest first, with
/// each one's version and hitches.
#[test]
fn the_timeline_reads_the_session_picked_and_lists_every_session() {
    use game_tracker_core::hitches::report::HITCH;
    use game_tracker_core::sinks::store::timeline::read_timeline;
    use game_tracker_core::FRAME_TIME_METRIC;

    let dir = folder("timeline");
    let first = start(&dir, vec![]);
    let first_id = first.session().session_id.clone();
    first.log(Level::Info, "in the first session".into(), vec![]);
    let now = std::time::Instant::now();
    first.hitch(
        now.checked_sub(Duration::from_millis(120)).unwrap(),
        now,
        Duration::from_millis(33),
        &[],
    );
    first.shutdown(Duration::from_secs(5));
    let second = start(&dir, vec![("version", Value::Str("1.3".into()))]);
    let second_id = second.session().session_id.clone();
    second.log(Level::Info, "in the second session".into(), vec![]);
    second.shutdown(Duration::from_secs(5));
    let file = dir.join(FILE_NAME);
    let messages = |t: &game_tracker_core::sinks::store::timeline::StoredTimeline| {
        t.events
            .iter()
            .filter_map(|e| match e {
                game_tracker_core::model::event::Event::Log(l) => Some(l.message.clone()),
                _ => None,
            })
            .filter(|m| m.starts_with("in the"))
            .collect::<Vec<_>>()
    };

    let latest = read_timeline(&file, FRAME_TIME_METRIC, HITCH, None).unwrap();
    assert_eq!(
        latest.session.session_id, second_id,
        "the latest by default"
    );
    assert_eq!(messages(&latest), ["in the second session"]);
    assert_eq!(latest.session_count, 2);
    let listed: Vec<(&str, &str, &str, usize)> = latest
        .sessions
        .iter()
        .map(|s| {
            (
                s.session_id.as_str(),
                s.version.as_str(),
                s.status.as_str(),
                s.hitches,
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (second_id.as_str(), "1.3", "exited", 0),
            (first_id.as_str(), "1.2", "exited", 1)
        ],
        "latest first, each with its version, end and hitches"
    );

    let picked = read_timeline(&file, FRAME_TIME_METRIC, HITCH, Some(&first_id)).unwrap();
    assert_eq!(picked.session.session_id, first_id);
    assert_eq!(
        messages(&picked),
        ["in the first session"],
        "only its events"
    );
    assert_eq!(picked.sessions, latest.sessions, "the same list");

    let missing = read_timeline(&file, FRAME_TIME_METRIC, HITCH, Some("nope")).unwrap_err();
    assert!(missing.contains("holds no session nope"), "{missing}");
}
