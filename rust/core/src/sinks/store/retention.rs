//! How the local store stays within `max_local_store_bytes` and
//! `max_local_store_age`: after each commit, the oldest rows go, a step at a
//! time, and the pages they held go back to the file system.
//!
//! SQLite reuses a deleted row's page but does not give it back by itself;
//! the file is made with `auto_vacuum = INCREMENTAL`, so each step also
//! returns up to `VACUUM_PAGES` free pages (`PRAGMA incremental_vacuum`),
//! and the write-ahead log is truncated after each checkpoint
//! (`journal_size_limit`). The file shrinks over a few commits, not at once.

use rusqlite::{params, Connection};

/// Rows deleted in one step, at most (and of each table by age): a few
/// milliseconds of the worker's time, so that no commit stalls it.
pub const PRUNE_ROWS: i64 = 2_000;
/// Rows of each table deleted at once while over the size: small, so that
/// a step stops soon after the file is under its cap.
pub const PRUNE_CHUNK: i64 = 100;
/// Free pages given back to the file system in one step (4 KiB each).
pub const VACUUM_PAGES: i64 = 1_024;
/// What the write-ahead log keeps after a checkpoint.
pub const WAL_LIMIT_BYTES: i64 = 1024 * 1024;

pub struct Retention {
    pub max_bytes: u64,
    /// Rows older than this (Unix microseconds, from now) go.
    pub max_age_us: i64,
}

/// Bytes the database holds in live pages (the file less its free pages).
pub fn used_bytes(conn: &Connection) -> rusqlite::Result<u64> {
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    let free: i64 = conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
    let size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    Ok(((pages - free).max(0) * size) as u64)
}

impl Retention {
    /// One step: rows past the age, then (while over the size) the oldest
    /// rows, at most `PRUNE_ROWS` of each table; then free pages back.
    /// Returns the rows deleted.
    pub fn step(&self, conn: &Connection, now_us: i64) -> rusqlite::Result<u64> {
        let mut deleted = 0;
        let cutoff = now_us.saturating_sub(self.max_age_us);
        for table in ["events", "metric_snapshots"] {
            deleted += conn.execute(
                &format!(
                    "DELETE FROM {table} WHERE (session_id, seq) IN
                       (SELECT session_id, seq FROM {table} WHERE time_us < ?1 ORDER BY time_us LIMIT ?2)"
                ),
                params![cutoff, PRUNE_ROWS],
            )? as u64;
        }
        deleted += conn.execute(
            "DELETE FROM sessions WHERE started_us < ?1 AND status != 'running'",
            params![cutoff],
        )? as u64;
        // Over the size: the oldest rows, a chunk of each table at a time,
        // until under it (a chunk's pages are free at once) or the step's
        // share is spent.
        while used_bytes(conn)? > self.max_bytes && deleted < PRUNE_ROWS as u64 {
            let mut chunk = 0;
            for table in ["events", "metric_snapshots"] {
                chunk += conn.execute(
                    &format!(
                        "DELETE FROM {table} WHERE (session_id, seq) IN
                           (SELECT session_id, seq FROM {table} ORDER BY time_us LIMIT ?1)"
                    ),
                    params![PRUNE_CHUNK],
                )? as u64;
            }
            if chunk == 0 {
                break;
            }
            deleted += chunk;
        }
        // Each step of this statement frees one page (and yields a row):
        // step it to its end, as `execute` would not.
        let mut vacuum =
            conn.prepare_cached(&format!("PRAGMA incremental_vacuum({VACUUM_PAGES})"))?;
        let mut pages = vacuum.raw_query();
        while pages.next()?.is_some() {}
        Ok(deleted)
    }
}
