//! The local store's cost on the worker (`store/`): how many rows a second
//! it writes, what one flush's transaction takes, and how big the file grows
//! at the demo's rate. Nothing of it runs on the game's thread.
//!
//! `cargo bench -p game_tracker_core --bench local_store [-- --quick]`
//! prints `BENCH {json}` lines.

use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "../tests/common/mod.rs"]
mod common;

use common::calls::TestCalls;
use game_tracker_core::diagnostics::Diagnostics;
use game_tracker_core::model::event::{
    now_unix_nano, Event, LogRecord, MetricKind, MetricUpdate, SpanId, SpanRecord, SpanStatus,
    TraceId,
};
use game_tracker_core::model::session::Session;
use game_tracker_core::model::value::Value;
use game_tracker_core::sinks::store::LocalStore;
use game_tracker_core::stats::StoreStats;
use game_tracker_core::{Config, DeviceInfo, Level, Tracker};

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    worker_rows_per_second(if quick { 20_000 } else { 200_000 });
    flush_transaction(if quick { 20 } else { 200 });
    demo_rate_growth(if quick { 600 } else { 3_600 });
}

fn dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "game_tracker_bench_store_{name}_{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn config(dir: &std::path::Path) -> Config {
    let fields = vec![
        (
            "local_store_dir".to_string(),
            Value::Str(dir.to_string_lossy().into()),
        ),
        ("release_health".to_string(), Value::Bool(false)),
        ("self_metrics".to_string(), Value::Bool(false)),
    ];
    Config::from_fields(&fields).unwrap()
}

/// The whole worker (read the records, admit, store) with nothing else to
/// do: logs with a small `data`, handed over in frames of 1,000 and waited
/// for every 10 frames so that the queue drops nothing.
fn worker_rows_per_second(events: usize) {
    let dir = dir("rate");
    let t = Tracker::start(config(&dir), DeviceInfo::default()).unwrap();
    let started = Instant::now();
    for i in 0..events {
        t.log(
            Level::Info,
            format!("event {i}"),
            vec![
                ("i".into(), Value::Int(i as i64)),
                ("level".into(), Value::Str("forest".into())),
            ],
        );
        if i % 1_000 == 999 {
            t.handover();
        }
        if i % 10_000 == 9_999 {
            assert!(t.flush_and_wait(Duration::from_secs(60)));
        }
    }
    t.shutdown(Duration::from_secs(60));
    let seconds = started.elapsed().as_secs_f64();
    let store = t.store_stats();
    assert_eq!(store.rows_written, events as u64, "{store:?}");
    let bytes = std::fs::metadata(dir.join("telemetry.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "BENCH {}",
        serde_json::json!({"bench": "store_rows_per_second", "rows": events, "seconds": seconds,
            "rows_per_second": events as f64 / seconds, "file_bytes": bytes, "bytes_per_row": bytes as f64 / events as f64})
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// One flush's commit, timed on its own: the rows a game at 1,000 events/s
/// makes in the default flush interval (a third each logs, spans and updates
/// of 20 metric series), written in one transaction.
fn flush_transaction(flushes: usize) {
    let dir = dir("flush");
    let config = config(&dir);
    let session = Session::new("bench", "1.0", "bench", DeviceInfo::default(), "instance");
    let mut warn = Diagnostics::collecting();
    let mut store = LocalStore::open(
        &dir,
        &config,
        &session,
        Arc::new(StoreStats::default()),
        &mut warn,
    )
    .unwrap();
    let per_flush = (1_000.0 * config.flush_interval.as_secs_f64()) as usize;
    let mut times = Vec::with_capacity(flushes);
    let mut n = 0u64;
    for _ in 0..flushes {
        for _ in 0..per_flush {
            store.add(&event(n), &mut warn);
            n += 1;
        }
        let started = Instant::now();
        store.commit().unwrap();
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "BENCH {}",
        serde_json::json!({"bench": "store_flush", "flushes": flushes, "rows_per_flush": per_flush,
            "p50_ms": at(0.5), "p99_ms": at(0.99), "max_ms": times[times.len() - 1]})
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `n`'s event: a log, a span or a metric update, in turn.
fn event(n: u64) -> Event {
    let time_unix_nano = now_unix_nano();
    match n % 3 {
        0 => Event::Log(LogRecord {
            time_unix_nano,
            level: Level::Info,
            message: "enemy_killed".into(),
            data: vec![
                ("enemy".into(), Value::Str("goblin".into())),
                ("n".into(), Value::Int(n as i64)),
            ],
            scope: Default::default(),
            event_name: None,
        }),
        1 => Event::Span(SpanRecord {
            trace_id: TraceId([1; 16]),
            span_id: SpanId((n.max(1)).to_be_bytes()),
            parent_span_id: None,
            name: "level_load".into(),
            start_time_unix_nano: time_unix_nano - 1_000_000,
            end_time_unix_nano: time_unix_nano,
            attributes: vec![("level".into(), Value::Str("forest".into()))],
            status: SpanStatus::Ok,
            status_message: String::new(),
            scope: Default::default(),
        }),
        _ => Event::Metric(MetricUpdate {
            time_unix_nano,
            kind: MetricKind::Counter,
            name: format!("bench_series_{}", n % 20),
            value: 1.0,
            labels: vec![],
            more: vec![],
        }),
    }
}

/// The demo's mix at its rate, played through a Tracker for `seconds` of
/// game time compressed into a few seconds: the demo makes 59 events in
/// about 5 s of play (12 a second) plus the vitals' frame-time histogram
/// and monitors each second; here 12 events a game second and 10 gauge
/// updates, flushed every 5 game seconds. The file's size, per hour of play.
fn demo_rate_growth(seconds: u64) {
    let dir = dir("growth");
    let t = Tracker::start(config(&dir), DeviceInfo::default()).unwrap();
    let mut n = 0u64;
    for second in 0..seconds {
        for _ in 0..12 {
            match n % 3 {
                0 => t.log(
                    Level::Info,
                    "purchase_attempt".into(),
                    vec![
                        ("item".into(), Value::Str("potion".into())),
                        ("price".into(), Value::Int(25)),
                    ],
                ),
                1 => {
                    let span = t.start_span(
                        "level_load",
                        vec![("level".into(), Value::Str("forest".into()))],
                        None,
                    );
                    t.end_span(&span, SpanStatus::Ok, "");
                }
                _ => t.metric(
                    MetricKind::Counter,
                    "enemies_killed".into(),
                    1.0,
                    vec![("level".into(), "forest".into())],
                ),
            }
            n += 1;
        }
        for m in 0..10 {
            t.metric(
                MetricKind::Gauge,
                format!("game_monitor_{m}"),
                (second * 7 + m) as f64 % 100.0,
                vec![],
            );
        }
        t.handover();
        if second % 5 == 4 {
            assert!(t.flush_and_wait(Duration::from_secs(30)));
        }
    }
    t.shutdown(Duration::from_secs(30));
    let bytes = std::fs::metadata(dir.join("telemetry.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    let per_hour = bytes as f64 * 3_600.0 / seconds as f64;
    println!(
        "BENCH {}",
        serde_json::json!({"bench": "store_growth", "game_seconds": seconds, "events": n, "rows": t.store_stats().rows_written,
            "file_bytes": bytes, "bytes_per_hour": per_hour})
    );
    let _ = std::fs::remove_dir_all(&dir);
}
