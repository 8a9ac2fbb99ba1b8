//! A session read back from a store file (`telemetry.db`, an export or a
//! merged file) for the editor's timeline: its log lines and spans as the
//! events they were, its scene changes, and its frame times from the
//! frame-time histogram's snapshots; and the file's sessions, for picking
//! another. The file is opened read-only.

use std::path::Path;

use rusqlite::{params, Connection, OpenFlags};

use crate::model::event::{Event, Level, LogRecord, SpanId, SpanRecord, SpanStatus, TraceId};
use crate::model::value::{Fields, Value};

/// The most events read from one session: the timeline keeps about this many.
pub const MAX_TIMELINE_EVENTS: usize = 20_000;
/// The most sessions listed, the latest: a merged file of a whole
/// playtest fits, and the list stays one menu.
pub const MAX_LISTED_SESSIONS: usize = 500;

#[derive(Debug, Clone, PartialEq)]
pub struct StoredSession {
    pub session_id: String,
    pub started_us: i64,
    pub ended_us: Option<i64>,
    pub status: String,
    /// The game's version that played it.
    pub version: String,
    /// Its hitches' log lines.
    pub hitches: usize,
}

#[derive(Debug)]
pub struct StoredTimeline {
    /// The session read.
    pub session: StoredSession,
    /// The file's sessions, latest first, at most [`MAX_LISTED_SESSIONS`].
    pub sessions: Vec<StoredSession>,
    /// How many sessions the file holds.
    pub session_count: usize,
    /// Logs and spans in time order.
    pub events: Vec<Event>,
    /// Where the scene changed: (time µs, scene).
    pub scenes: Vec<(i64, String)>,
    /// The mean frame time between two snapshots of a scene's frame-time
    /// histogram: (the later snapshot's time µs, ms).
    pub frame_times: Vec<(i64, f64)>,
}

/// The session `session_id` of the file at `path`, or its latest for `None`.
/// `frame_metric` and `hitch_message` name the frame-time histogram and a
/// hitch's log line (the hitches' names, a layer above the store).
pub fn read_timeline(
    path: &Path,
    frame_metric: &str,
    hitch_message: &str,
    session_id: Option<&str>,
) -> Result<StoredTimeline, String> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let failed = |e: rusqlite::Error| format!("{} is not a GameTracker store: {e}", path.display());
    let session_count: i64 = conn
        .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
        .map_err(failed)?;
    let sessions = sessions(&conn, hitch_message).map_err(failed)?;
    let session = match session_id {
        None => sessions.first().cloned(),
        Some(id) => match sessions.iter().find(|s| s.session_id == id) {
            Some(listed) => Some(listed.clone()),
            None => session(&conn, hitch_message, id).map_err(failed)?,
        },
    }
    .ok_or_else(|| match session_id {
        None => format!("{} holds no session", path.display()),
        Some(id) => format!("{} holds no session {id}", path.display()),
    })?;
    let (events, scenes) = events(&conn, &session.session_id).map_err(failed)?;
    let frame_times = frame_times(&conn, &session.session_id, frame_metric).map_err(failed)?;
    Ok(StoredTimeline {
        session,
        sessions,
        session_count: session_count.max(0) as usize,
        events,
        scenes,
        frame_times,
    })
}

/// A session's columns and its hitch count, `FROM sessions s`.
const SESSION_COLUMNS: &str = "s.session_id, s.started_us, s.ended_us, s.status, s.version,
    (SELECT count(*) FROM events e
     WHERE e.session_id = s.session_id AND e.kind = 'log' AND e.name = ?1)";

fn session_row(r: &rusqlite::Row) -> rusqlite::Result<StoredSession> {
    Ok(StoredSession {
        session_id: r.get(0)?,
        started_us: r.get(1)?,
        ended_us: r.get(2)?,
        status: r.get(3)?,
        version: r.get(4)?,
        hitches: r.get::<_, i64>(5)?.max(0) as usize,
    })
}

/// The latest [`MAX_LISTED_SESSIONS`] sessions, latest first.
fn sessions(conn: &Connection, hitch_message: &str) -> rusqlite::Result<Vec<StoredSession>> {
    let mut statement = conn.prepare(&format!(
        "SELECT {SESSION_COLUMNS} FROM sessions s ORDER BY s.started_us DESC LIMIT ?2"
    ))?;
    let rows = statement.query_map(
        params![hitch_message, MAX_LISTED_SESSIONS as i64],
        session_row,
    )?;
    rows.collect()
}

/// One session by its id, listed or not.
fn session(
    conn: &Connection,
    hitch_message: &str,
    id: &str,
) -> rusqlite::Result<Option<StoredSession>> {
    let mut statement = conn.prepare(&format!(
        "SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.session_id = ?2"
    ))?;
    let mut rows = statement.query_map(params![hitch_message, id], session_row)?;
    rows.next().transpose()
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
