//! A session read back from a store file (`telemetry.db`, an export or a
//! merged file) for the editor's timeline: its log lines and spans as the
//! events they were, its scene changes, and its frame times from the
//! frame-time histogram's snapshots. The file is opened read-only.

use std::path::Path;

use rusqlite::{params, Connection, OpenFlags};

use crate::model::event::{Event, Level, LogRecord, SpanId, SpanRecord, SpanStatus, TraceId};
use crate::model::value::{Fields, Value};

/// The most events read from one session: the timeline keeps about this many.
pub const MAX_TIMELINE_EVENTS: usize = 20_000;

#[derive(Debug, Clone, PartialEq)]
pub struct StoredSession {
    pub session_id: String,
    pub started_us: i64,
    pub ended_us: Option<i64>,
    pub status: String,
}

#[derive(Debug)]
pub struct StoredTimeline {
    pub session: StoredSession,
    /// Sessions in the file (the latest is read).
    pub sessions: usize,
    /// Logs and spans in time order.
    pub events: Vec<Event>,
    /// Where the scene changed: (time µs, scene).
    pub scenes: Vec<(i64, String)>,
    /// The mean frame time between two snapshots of a scene's frame-time
    /// histogram: (the later snapshot's time µs, ms).
    pub frame_times: Vec<(i64, f64)>,
}

/// The latest session in the file at `path`.
pub fn read_timeline(path: &Path, frame_metric: &str) -> Result<StoredTimeline, String> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let failed = |e: rusqlite::Error| format!("{} is not a GameTracker store: {e}", path.display());
    let sessions: i64 = conn
        .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
        .map_err(failed)?;
    let session = conn
        .query_row(
            "SELECT session_id, started_us, ended_us, status FROM sessions
             ORDER BY started_us DESC LIMIT 1",
            [],
            |r| {
                Ok(StoredSession {
                    session_id: r.get(0)?,
                    started_us: r.get(1)?,
                    ended_us: r.get(2)?,
                    status: r.get(3)?,
                })
            },
        )
        .map_err(|_| format!("{} holds no session", path.display()))?;
    let (events, scenes) = events(&conn, &session.session_id).map_err(failed)?;
    let frame_times = frame_times(&conn, &session.session_id, frame_metric).map_err(failed)?;
    Ok(StoredTimeline {
        session,
        sessions: sessions.max(0) as usize,
        events,
        scenes,
        frame_times,
    })
}

type Scenes = Vec<(i64, String)>;

fn events(conn: &Connection, session: &str) -> rusqlite::Result<(Vec<Event>, Scenes)> {
    let mut statement = conn.prepare(
        "SELECT time_us, kind, name, severity, scene, data, duration_us, trace_id, span_id,
                parent_span_id
         FROM events WHERE session_id = ?1 ORDER BY time_us, seq LIMIT ?2",
    )?;
    let mut rows = statement.query(params![session, MAX_TIMELINE_EVENTS as i64])?;
    let mut events = Vec::new();
    let mut scenes: Scenes = Vec::new();
    while let Some(row) = rows.next()? {
        let time_us: i64 = row.get(0)?;
        let kind: String = row.get(1)?;
        let name: String = row.get(2)?;
        let severity: String = row.get(3)?;
        let scene: String = row.get(4)?;
        if scenes.last().is_none_or(|(_, last)| *last != scene) {
            scenes.push((time_us, scene));
        }
        let data = fields(&row.get::<_, String>(5)?);
        let nanos = (time_us.max(0) as u64) * 1_000;
        let event = match kind.as_str() {
            "log" => Event::Log(LogRecord {
                time_unix_nano: nanos,
                level: Level::from_name(&severity).unwrap_or(Level::Info),
                message: name,
                data,
                scope: Default::default(),
                event_name: None,
            }),
            "span" => {
                let id = |i: usize| {
                    row.get::<_, Option<String>>(i)
                        .map(Option::unwrap_or_default)
                };
                let duration_us: Option<i64> = row.get(6)?;
                Event::Span(SpanRecord {
                    trace_id: TraceId::from_hex(&id(7)?).unwrap_or(TraceId([0; 16])),
                    span_id: SpanId::from_hex(&id(8)?).unwrap_or(SpanId([0; 8])),
                    parent_span_id: SpanId::from_hex(&id(9)?),
                    name,
                    start_time_unix_nano: nanos,
                    end_time_unix_nano: nanos + (duration_us.unwrap_or(0).max(0) as u64) * 1_000,
                    attributes: data,
                    status: SpanStatus::from_name(&severity).unwrap_or(SpanStatus::Unset),
                    status_message: String::new(),
                    scope: Default::default(),
                })
            }
            _ => continue,
        };
        events.push(event);
    }
    Ok((events, scenes))
}

fn fields(json: &str) -> Fields {
    match serde_json::from_str::<serde_json::Value>(json).map(|v| Value::from_json(&v)) {
        Ok(Value::Map(entries)) => entries,
        _ => Fields::new(),
    }
}

/// Each scene's histogram is cumulative: between two snapshots, the mean
/// frame is the growth of its sum over the growth of its count.
fn frame_times(
    conn: &Connection,
    session: &str,
    frame_metric: &str,
) -> rusqlite::Result<Vec<(i64, f64)>> {
    let mut statement = conn.prepare(
        "SELECT time_us, labels, count, sum FROM metric_snapshots
         WHERE session_id = ?1 AND name = ?2 AND kind = 'histogram'
         ORDER BY labels, time_us",
    )?;
    let mut rows = statement.query(params![session, frame_metric])?;
    let mut out = Vec::new();
    let mut previous: Option<(String, i64, f64)> = None;
    while let Some(row) = rows.next()? {
        let (time_us, labels): (i64, String) = (row.get(0)?, row.get(1)?);
        let count: i64 = row.get::<_, Option<i64>>(2)?.unwrap_or(0);
        let sum: f64 = row.get::<_, Option<f64>>(3)?.unwrap_or(0.0);
        let (before_count, before_sum) = match &previous {
            Some((l, c, s)) if *l == labels => (*c, *s),
            _ => (0, 0.0),
        };
        if count > before_count {
            out.push((time_us, (sum - before_sum) / (count - before_count) as f64));
        }
        previous = Some((labels, count, sum));
    }
    out.sort_by_key(|(t, _)| *t);
    Ok(out)
}
