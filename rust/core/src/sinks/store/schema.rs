//! The local store's tables: one schema on every machine, so that a
//! player's exported file and a team's merged database answer the same SQL
//! (docs/local-store.md has the queries). Times are Unix microseconds.
//!
//! Every row a session writes carries `(session_id, seq)`, unique: `seq`
//! counts that session's rows from 0. Merging an export twice inserts
//! nothing the second time (`INSERT OR IGNORE`).

/// `PRAGMA user_version` of a database this code made. A file with another
/// (newer) version is set aside, not written into.
pub const VERSION: i64 = 1;

/// How long a write waits for another process's (a second instance of the
/// game, a `sqlite3` shell) before it fails: the worker's step, never the
/// game's frame, waits.
pub const BUSY_TIMEOUT_MS: u64 = 2_000;

pub const CREATE: &str = "
CREATE TABLE IF NOT EXISTS sessions (
    session_id   TEXT PRIMARY KEY,
    game         TEXT NOT NULL,
    version      TEXT NOT NULL,
    environment  TEXT NOT NULL,
    started_us   INTEGER NOT NULL,
    ended_us     INTEGER,
    -- running, then exited or errored (a clean end), or crashed or abnormal
    -- (as the session's next launch reported it)
    status       TEXT NOT NULL DEFAULT 'running',
    device       TEXT NOT NULL DEFAULT '{}',
    last_scene   TEXT NOT NULL DEFAULT ''
);

-- One row per log line and per finished span.
CREATE TABLE IF NOT EXISTS events (
    session_id     TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    time_us        INTEGER NOT NULL,
    kind           TEXT NOT NULL,            -- 'log' or 'span'
    name           TEXT NOT NULL,            -- a log's message, a span's name
    severity       TEXT NOT NULL,            -- a log's level; a span's status
    scene          TEXT NOT NULL DEFAULT '', -- the scene when it happened
    data           TEXT NOT NULL DEFAULT '{}', -- a log's data, a span's attributes
    scope          TEXT,                     -- set_user / set_tag / set_context, if any
    duration_us    INTEGER,                  -- spans
    trace_id       TEXT,
    span_id        TEXT,
    parent_span_id TEXT,
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;

-- Each metric series at each flush: its running total (counter), last value
-- (gauge), or cumulative histogram, with quantiles estimated from the
-- buckets as Prometheus' histogram_quantile does.
CREATE TABLE IF NOT EXISTS metric_snapshots (
    session_id   TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    time_us      INTEGER NOT NULL,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,              -- counter, gauge, histogram
    labels       TEXT NOT NULL DEFAULT '{}',
    value        REAL,                       -- counters and gauges
    count        INTEGER,                    -- histograms
    sum          REAL,
    p50          REAL,
    p95          REAL,
    p99          REAL,
    buckets      TEXT,                       -- [[upper bound, cumulative count], ...]
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS events_by_time ON events (time_us);
CREATE INDEX IF NOT EXISTS events_by_name ON events (kind, name);
CREATE INDEX IF NOT EXISTS events_by_severity ON events (severity) WHERE severity IN ('warn', 'error');
CREATE INDEX IF NOT EXISTS snapshots_by_name ON metric_snapshots (name, time_us);
-- Retention deletes the oldest rows of both tables after every commit.
CREATE INDEX IF NOT EXISTS snapshots_by_time ON metric_snapshots (time_us);
CREATE INDEX IF NOT EXISTS sessions_by_version ON sessions (version, status);
";
