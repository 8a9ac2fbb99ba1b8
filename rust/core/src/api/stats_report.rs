//! `get_stats()`: the one tree of keys every engine layer answers with
//! (the native class converts it to a Dictionary, the Web worker sends it
//! to the page as text). Its shape never depends on the state: every key
//! is there before `init`, without a local store and after `shutdown`, with
//! zeros and empty strings, so a game can index it without checking, and
//! the stand-in (which has no tracker at all) can answer with the same
//! keys (tests/godot/test_stand_in.gd compares the trees, value types
//! included).

use serde_json::{json, Map, Value};

use crate::api::lifecycle::Lifecycle;
use crate::stats::{DropReason, Signal, StoreStats};

/// Calls refused by the engine layer before they reached the core, per
/// signal (`Signal::index`): made from another thread than the game's.
pub type RefusedCalls = [u64; 3];

/// The whole tree. `session_id` is "" while no tracker runs.
pub fn report(lifecycle: &Lifecycle, wrong_thread: RefusedCalls) -> Value {
    let tracker = lifecycle.tracker();
    let mut out = Map::new();
    out.insert("active".into(), lifecycle.is_active().into());
    out.insert(
        "session_id".into(),
        tracker
            .map_or("", |t| t.session().session_id.as_str())
            .into(),
    );
    out.insert(
        "sampled".into(),
        tracker.is_none_or(|t| t.is_sampled()).into(),
    );
    out.insert(
        "thread_panics".into(),
        tracker.map_or(0, |t| t.thread_panics()).into(),
    );
    out.insert("local_store".into(), local_store(lifecycle));
    let fill = tracker.map(|t| t.queue_fill());
    out.insert(
        "queue".into(),
        json!({
            "events": fill.as_ref().map_or(0, |f| f.events),
            "capacity": fill.as_ref().map_or(0, |f| f.capacity),
            "bytes": fill.as_ref().map_or(0, |f| f.bytes),
            "max_bytes": fill.as_ref().map_or(0, |f| f.max_bytes),
        }),
    );
    for signal in Signal::ALL {
        out.insert(
            signal.as_str().into(),
            signal_report(lifecycle, signal, wrong_thread[signal.index()]),
        );
    }
    Value::Object(out)
}

fn signal_report(lifecycle: &Lifecycle, signal: Signal, wrong_thread: u64) -> Value {
    let s = lifecycle.stats(signal);
    // Calls refused before `init` or from another thread count as produced
    // and dropped.
    let early = lifecycle.not_started().calls(signal);
    let mut dropped = Map::new();
    // Every reason, zeros included, before `init` too.
    for reason in DropReason::ALL {
        dropped.insert(reason.as_str().into(), s.dropped(reason).into());
    }
    dropped.insert("not_initialized".into(), early.into());
    dropped.insert("wrong_thread".into(), wrong_thread.into());
    let early = early + wrong_thread;
    json!({
        "produced": s.produced + early,
        "sent": s.sent,
        "pending": s.pending,
        "requests": s.requests,
        "retries": s.retries,
        "bytes_sent": s.bytes_sent,
        "dropped": dropped,
        "dropped_total": s.dropped_total() + early,
        "spooled": s.spooled,
        "replayed": s.replayed,
        "buffered_bytes": s.buffered_bytes,
        "last_error": s.last_error,
    })
}

/// The local store's counters: `path` is "" when there is none, and
/// `last_export.path` "" before an export.
fn local_store(lifecycle: &Lifecycle) -> Value {
    let store = lifecycle
        .tracker()
        .map_or_else(|| StoreStats::default().snapshot(), |t| t.store_stats());
    let lost: Map<String, Value> = store
        .lost
        .iter()
        .map(|(reason, rows)| (reason.to_string(), (*rows).into()))
        .collect();
    let export = store.last_export.unwrap_or_default();
    json!({
        "path": store.path,
        "rows_written": store.rows_written,
        "rows_lost": lost,
        "file_bytes": store.file_bytes,
        "last_error": store.last_error,
        "last_export": {"path": export.path, "rows": export.rows, "error": export.error},
    })
}
