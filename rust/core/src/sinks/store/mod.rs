//! The local store: every session in one SQLite file on the player's
//! machine (`<local_store_dir>/telemetry.db`), queryable with no server.
//!
//! ```text
//! Pipeline::accept ─► LocalStore::add ─┬─ log, span:    a row waiting in `waiting`
//!  (every admitted event,              └─ metric update: the store's own aggregate
//!   whatever its route)
//! flush timer, COMMIT_ROWS waiting, quit ─► LocalStore::commit: one transaction
//!   (the waiting rows, the metric series that changed, the session's row)
//! ```
//!
//! It is a copy beside the event's route, not a route: what reaches the
//! store does not count as sent, and a receiver that is down loses nothing
//! here. Its own counters (`StoreStats`) say what was written and what was
//! lost, by reason. It runs where the worker runs: on the worker thread, or
//! in frame delivery in the game's slice (the Web, which has no store).

pub mod retention;
mod rows;
pub mod schema;
pub mod timeline;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{params, Connection, ErrorCode, OpenFlags};

use crate::config::Config;
use crate::diagnostics::Diagnostics;
use crate::model::event::{now_unix_nano, Event, Note};
use crate::model::metrics::Aggregator;
use crate::model::session::Session;
use crate::stats::StoreStats;
use retention::Retention;
use rows::{micros, EventRow, SnapshotRow};

pub const FILE_NAME: &str = "telemetry.db";

/// Rows that make a commit before the flush timer's: a game logging fast
/// writes in steps of this size, not in one long transaction.
pub const COMMIT_ROWS: usize = 1_000;

/// Rows that may wait for a commit that keeps failing (another process
/// holding the file past `schema::BUSY_TIMEOUT_MS`): more are lost, counted
/// as `store_full`, so a stuck file costs bounded memory.
pub const MAX_WAITING_ROWS: usize = 20_000;

pub struct LocalStore {
    conn: Connection,
    path: PathBuf,
    session_id: String,
    /// The session's next row number (`seq`).
    next_seq: i64,
    /// The current scene, as the game last told it.
    scene: String,
    waiting: Vec<EventRow>,
    metrics: Aggregator,
    /// Per series (the aggregator's order): what was last written, so a
    /// flush writes only the series that changed.
    written: Vec<Option<(Option<f64>, Option<i64>)>>,
    /// Session rows to write with the next commit: this session's end, or
    /// an earlier session's death that this launch found.
    session_updates: Vec<SessionUpdate>,
    retention: Retention,
    stats: Arc<StoreStats>,
}

/// A change to a row of `sessions`.
enum SessionUpdate {
    Scene(String),
    Ended {
        ended_us: i64,
        status: String,
    },
    /// An earlier session that died, reported by this launch (release
    /// health): its row may be in this file (status `running`) or not.
    Died {
        session_id: String,
        status: String,
        version: String,
        environment: String,
        last_scene: String,
        duration_us: i64,
    },
}

impl LocalStore {
    /// Opens (or creates) the file and adds this session's row. A file that
    /// is not a database this code can write (corrupt, another program's,
    /// a newer schema) is set aside under another name, with one warning,
    /// and a new one is started.
    pub fn open(
        dir: &Path,
        config: &Config,
        session: &Session,
        stats: Arc<StoreStats>,
        warn: &mut Diagnostics,
    ) -> Result<LocalStore, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let path = dir.join(FILE_NAME);
        let conn = match open_checked(&path) {
            Ok(conn) => conn,
            Err(Unusable(why)) => {
                let aside = set_aside(&path)?;
                warn.warn(format!(
                    "local store: {} {why}; moved it to {} and started a new one",
                    path.display(),
                    aside.display()
                ));
                open_checked(&path).map_err(|Unusable(why)| format!("{}: {why}", path.display()))?
            }
        };
        let device = serde_json::to_string(&crate::encode::log_line::Map(&session.device_fields()))
            .unwrap_or_else(|_| "{}".into());
        conn.execute(
            "INSERT OR IGNORE INTO sessions (session_id, game, version, environment, started_us, device) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![session.session_id, session.game, session.version, session.environment, micros(now_unix_nano()), device],
        )
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        stats.opened(&path);
        Ok(LocalStore {
            conn,
            path,
            session_id: session.session_id.clone(),
            next_seq: 0,
            scene: String::new(),
            waiting: Vec::new(),
            metrics: Aggregator::new(
                config.histogram_buckets.clone(),
                config.max_series,
                Vec::new(),
            ),
            written: Vec::new(),
            session_updates: Vec::new(),
            retention: Retention {
                max_bytes: config.max_local_store_bytes as u64,
                max_age_us: i64::try_from(config.max_local_store_age.as_micros())
                    .unwrap_or(i64::MAX),
            },
            stats,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// One admitted event. True when enough rows wait for a commit.
    pub fn add(&mut self, event: &Event, warn: &mut Diagnostics) -> bool {
        if let Event::Metric(update) = event {
            // A series the store cannot add (max_series) is the route's
            // drop too, counted there; the store keeps what it can.
            let _ = self.metrics.record(update, warn);
            return false;
        }
        if let Event::Log(log) = event {
            self.note_session_event(&log.message, &log.data, log.time_unix_nano);
        }
        if self.waiting.len() >= MAX_WAITING_ROWS {
            self.stats.lost_full(1);
            return true;
        }
        if let Some(row) = EventRow::of(event, &self.scene) {
            self.waiting.push(row);
        }
        self.waiting.len() >= COMMIT_ROWS
    }

    /// What the game told the session's health: the scene goes on every
    /// later row, and in the session's row.
    pub fn note(&mut self, note: &Note) {
        if let Note::Scene { name, .. } = note {
            self.scene = name.clone();
            self.session_updates
                .push(SessionUpdate::Scene(name.clone()));
        }
    }

    /// Release health's own logs say how sessions ended.
    fn note_session_event(
        &mut self,
        message: &str,
        data: &crate::model::value::Fields,
        time_unix_nano: u64,
    ) {
        let text = |key: &str| {
            data.iter()
                .find(|(k, _)| k == key)
                .and_then(|(_, v)| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let seconds = |key: &str| {
            data.iter()
                .find(|(k, _)| k == key)
                .and_then(|(_, v)| v.as_f64())
                .unwrap_or(0.0)
        };
        match message {
            "session_end" => {
                self.session_updates.push(SessionUpdate::Ended {
                    ended_us: micros(time_unix_nano),
                    status: text("status"),
                });
            }
            "session_crashed" | "session_abnormal" => {
                self.session_updates.push(SessionUpdate::Died {
                    session_id: text("previous_session_id"),
                    status: message.trim_start_matches("session_").to_string(),
                    version: text("previous_version"),
                    environment: text("previous_environment"),
                    last_scene: text("last_scene"),
                    duration_us: (seconds("duration_s") * 1e6) as i64,
                })
            }
            _ => {}
        }
    }

    /// Writes what waits in one transaction: the rows, the metric series
    /// that changed since the last commit, the session's row. On failure the
    /// rows stay for the next commit (up to `MAX_WAITING_ROWS`); the error
    /// is returned for the caller to report.
    pub fn commit(&mut self) -> Result<usize, String> {
        let snapshot = self.metrics.snapshot(now_unix_nano() as i64 / 1_000_000);
        let mut changed = Vec::new();
        if let Some(snapshot) = &snapshot {
            self.metrics.acknowledge(&snapshot.announcing);
            self.written.resize(snapshot.series.len(), None);
            for (i, point) in snapshot.series.iter().enumerate() {
                let row = SnapshotRow::of(point, &snapshot.bounds);
                if self.written[i] != Some(row.state()) {
                    changed.push((i, row));
                }
            }
        }
        if self.waiting.is_empty() && changed.is_empty() && self.session_updates.is_empty() {
            return Ok(0);
        }
        let rows = self.waiting.len() + changed.len();
        let result = write(
            &mut self.conn,
            &self.session_id,
            self.next_seq,
            &self.waiting,
            &changed,
            &self.session_updates,
        );
        match result {
            Ok(()) => {
                self.next_seq += rows as i64;
                for (i, row) in &changed {
                    self.written[*i] = Some(row.state());
                }
                self.waiting.clear();
                self.session_updates.clear();
                // Retention after the write: a failure there loses nothing.
                if let Err(e) = self.retention.step(&self.conn, micros(now_unix_nano())) {
                    self.stats
                        .set_last_error(format!("cannot prune {}: {e}", self.path.display()));
                }
                self.stats.written(rows as u64, file_bytes(&self.path));
                Ok(rows)
            }
            Err(e) => {
                self.stats
                    .set_last_error(format!("cannot write {}: {e}", self.path.display()));
                Err(format!(
                    "local store: cannot write {}: {e}",
                    self.path.display()
                ))
            }
        }
    }

    /// Writes the rows from `since_us` on (and their sessions) into a new
    /// SQLite file at `to`, with this schema: what a player attaches to a
    /// bug report, and what `scripts/merge_local.sh` merges. What waits is
    /// committed first. A file already at `to` is replaced. Returns the rows.
    pub fn export(&mut self, to: &Path, since_us: i64) -> Result<u64, String> {
        let fail = |e: &dyn std::fmt::Display| format!("cannot export to {}: {e}", to.display());
        self.commit()?;
        if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
        }
        remove_database(to);
        let mut out = Connection::open(to).map_err(|e| fail(&e))?;
        out.execute_batch(schema::CREATE).map_err(|e| fail(&e))?;
        out.execute_batch(&format!("PRAGMA user_version = {}", schema::VERSION))
            .map_err(|e| fail(&e))?;
        out.execute("ATTACH DATABASE ?1 AS live", [self.path.to_string_lossy()])
            .map_err(|e| fail(&e))?;
        let tx = out.transaction().map_err(|e| fail(&e))?;
        let mut rows = 0;
        for table in ["events", "metric_snapshots"] {
            rows += tx
                .execute(
                    &format!(
                        "INSERT INTO main.{table} SELECT * FROM live.{table} WHERE time_us >= ?1"
                    ),
                    [since_us],
                )
                .map_err(|e| fail(&e))? as u64;
        }
        tx.execute(
            "INSERT INTO main.sessions SELECT * FROM live.sessions WHERE session_id IN
               (SELECT session_id FROM main.events UNION SELECT session_id FROM main.metric_snapshots)
               OR started_us >= ?1 OR ended_us >= ?1",
            [since_us],
        )
        .map_err(|e| fail(&e))?;
        tx.commit().map_err(|e| fail(&e))?;
        out.execute_batch("DETACH DATABASE live")
            .map_err(|e| fail(&e))?;
        Ok(rows)
    }

    /// Quitting: what waits is written; what cannot be is counted lost.
    pub fn close(mut self) -> Result<(), String> {
        let result = self.commit().map(|_| ());
        if result.is_err() {
            self.stats.lost_failed(self.waiting.len() as u64);
        }
        result
    }

    /// Consent withdrawn: the file goes, with what waits for it.
    pub fn delete(self) {
        let path = self.path.clone();
        self.stats.lost_disabled(self.waiting.len() as u64);
        drop(self.conn);
        remove_database(&path);
        self.stats.deleted();
    }
}

fn write(
    conn: &mut Connection,
    session_id: &str,
    first_seq: i64,
    events: &[EventRow],
    snapshots: &[(usize, SnapshotRow)],
    updates: &[SessionUpdate],
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    {
        let mut seq = first_seq;
        let mut insert = tx.prepare_cached(
            "INSERT OR IGNORE INTO events (session_id, seq, time_us, kind, name, severity, scene, data, scope, duration_us, trace_id, span_id, parent_span_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        for r in events {
            insert.execute(params![
                session_id,
                seq,
                r.time_us,
                r.kind,
                r.name,
                r.severity,
                r.scene,
                r.data,
                r.scope,
                r.duration_us,
                r.trace_id,
                r.span_id,
                r.parent_span_id
            ])?;
            seq += 1;
        }
        let mut insert = tx.prepare_cached(
            "INSERT OR IGNORE INTO metric_snapshots (session_id, seq, time_us, name, kind, labels, value, count, sum, p50, p95, p99, buckets)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        for (_, r) in snapshots {
            let [p50, p95, p99] = r.quantiles.map_or([None; 3], |q| q.map(Some));
            insert.execute(params![
                session_id, seq, r.time_us, r.name, r.kind, r.labels, r.value, r.count, r.sum, p50,
                p95, p99, r.buckets
            ])?;
            seq += 1;
        }
        for update in updates {
            match update {
                SessionUpdate::Scene(scene) => {
                    tx.execute(
                        "UPDATE sessions SET last_scene = ?2 WHERE session_id = ?1",
                        params![session_id, scene],
                    )?;
                }
                SessionUpdate::Ended { ended_us, status } => {
                    tx.execute(
                        "UPDATE sessions SET ended_us = ?2, status = ?3 WHERE session_id = ?1",
                        params![session_id, ended_us, status],
                    )?;
                }
                SessionUpdate::Died {
                    session_id: dead,
                    status,
                    version,
                    environment,
                    last_scene,
                    duration_us,
                } => {
                    // Its row, if it wrote here, keeps its own start and
                    // device; otherwise the report is all there is.
                    tx.execute(
                        "INSERT INTO sessions (session_id, game, version, environment, started_us, ended_us, status, last_scene)
                         SELECT ?1, game, ?3, ?4, 0, NULL, ?2, ?5 FROM sessions WHERE session_id = ?6
                         ON CONFLICT (session_id) DO UPDATE SET status = excluded.status,
                             last_scene = CASE WHEN excluded.last_scene = '' THEN sessions.last_scene ELSE excluded.last_scene END,
                             ended_us = sessions.started_us + ?7",
                        params![dead, status, version, environment, last_scene, session_id, duration_us],
                    )?;
                }
            }
        }
    }
    tx.commit()
}

/// Why a file was set aside.
struct Unusable(String);

/// Opens `path` for writing and makes sure it holds this schema.
fn open_checked(path: &Path) -> Result<Connection, Unusable> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| Unusable(format!("cannot be opened ({e})")))?;
    let unusable = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            Unusable(format!("is not a database ({e})"))
        }
        _ => Unusable(format!("cannot be used ({e})")),
    };
    conn.busy_timeout(std::time::Duration::from_millis(schema::BUSY_TIMEOUT_MS))
        .map_err(unusable)?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(unusable)?;
    if version > schema::VERSION {
        return Err(Unusable(format!("has a newer schema (version {version})")));
    }
    if version == 0 {
        // Before any table: freed pages can then go back (retention.rs).
        conn.execute_batch("PRAGMA auto_vacuum = INCREMENTAL")
            .map_err(unusable)?;
    }
    // WAL: a reader (a sqlite3 shell, an export) never blocks the writer,
    // and a killed game loses at most the transaction it was in.
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
        .map_err(unusable)?;
    conn.execute_batch(&format!(
        "PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = {}",
        retention::WAL_LIMIT_BYTES
    ))
    .map_err(unusable)?;
    if version == 0 {
        conn.execute_batch(schema::CREATE).map_err(unusable)?;
        conn.execute_batch(&format!("PRAGMA user_version = {}", schema::VERSION))
            .map_err(unusable)?;
    }
    Ok(conn)
}

/// `telemetry.db` → `telemetry.db.unusable-<unix seconds>` (with its side files).
fn set_aside(path: &Path) -> Result<PathBuf, String> {
    let stamp = now_unix_nano() / 1_000_000_000;
    let aside = PathBuf::from(format!("{}.unusable-{stamp}", path.display()));
    std::fs::rename(path, &aside)
        .map_err(|e| format!("cannot move {} aside: {e}", path.display()))?;
    for suffix in SIDE_FILES {
        let _ = std::fs::rename(sibling(path, suffix), sibling(&aside, suffix));
    }
    Ok(aside)
}

/// The files SQLite keeps beside a database, by suffix: its rollback
/// journal, write-ahead log and shared-memory index.
const SIDE_FILES: [&str; 3] = ["-journal", "-wal", "-shm"];

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

/// A database and the files SQLite keeps beside it, whichever exist.
fn remove_database(path: &Path) {
    let _ = std::fs::remove_file(path);
    for suffix in SIDE_FILES {
        let _ = std::fs::remove_file(sibling(path, suffix));
    }
}

/// The file's size with its WAL.
fn file_bytes(path: &Path) -> u64 {
    [path.to_path_buf(), sibling(path, "-wal")]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}
