//! The local-first sink: with no endpoint at all, every event is written as
//! one JSON line to `<dir>/events.jsonl` (the engine layer puts `dir` under
//! `user://`), rotated at a size cap. For development, and for a player's
//! bug report: the file is the session as it happened.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::encode::log_line::{self, Map};
use crate::model::event::Event;
use crate::model::session::Session;
use crate::model::value::Value;

/// Rotated files kept besides the current one (`events.1.jsonl` is the
/// newest): the disk used stays under `(1 + this) × max_jsonl_bytes`.
pub const ROTATED_FILES: usize = 2;
pub const FILE_NAME: &str = "events.jsonl";

pub struct JsonlSink {
    dir: PathBuf,
    session_id: String,
    /// The build's labels (`game`, `env`, `version`), on every line as on
    /// every Loki stream and metric series (`Session::build_labels`).
    build: Vec<(String, String)>,
    /// The session's device facts, on every log line as in Loki.
    device: crate::model::value::Fields,
    file: BufWriter<File>,
    /// Bytes in the current file.
    size: u64,
    max_bytes: u64,
}

impl JsonlSink {
    /// Opens (creating) `<dir>/events.jsonl`, appending to what is there.
    pub fn open(
        dir: impl Into<PathBuf>,
        max_bytes: usize,
        session: &Session,
    ) -> io::Result<JsonlSink> {
        let dir = dir.into();
        fs::create_dir_all(&dir)?;
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(FILE_NAME))?;
        let size = file.metadata()?.len();
        Ok(JsonlSink {
            dir,
            session_id: session.session_id.clone(),
            build: session
                .build_labels()
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
            device: session.device_fields(),
            file: BufWriter::new(file),
            size,
            max_bytes: max_bytes as u64,
        })
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    /// Writes one event as a line; returns the bytes written.
    pub fn write(&mut self, event: &Event) -> io::Result<u64> {
        let stamped = Stamped {
            event: Line::of(event, &self.session_id, &self.device),
            build: Map(&self.build),
        };
        let mut line = serde_json::to_vec(&stamped).map_err(io::Error::other)?;
        line.push(b'\n');
        if self.size > 0 && self.size + line.len() as u64 > self.max_bytes {
            self.rotate()?;
        }
        self.file.write_all(&line)?;
        self.size += line.len() as u64;
        Ok(line.len() as u64)
    }

    /// Makes what was written visible to readers of the file.
    pub fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }

    /// events.jsonl → events.1.jsonl → … → events.N.jsonl (dropped).
    fn rotate(&mut self) -> io::Result<()> {
        self.file.flush()?;
        for n in (1..ROTATED_FILES).rev() {
            let _ = fs::rename(rotated(&self.dir, n), rotated(&self.dir, n + 1));
        }
        fs::rename(self.path(), rotated(&self.dir, 1))?;
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.path())?;
        self.file = BufWriter::new(file);
        self.size = 0;
        Ok(())
    }
}

/// `events.<n>.jsonl`.
pub fn rotated(dir: &Path, n: usize) -> PathBuf {
    dir.join(format!("events.{n}.jsonl"))
}

/// A line as written: the event, then the build's labels.
#[derive(Serialize)]
struct Stamped<'a> {
    #[serde(flatten)]
    event: Line<'a>,
    #[serde(flatten)]
    build: Map<'a, String>,
}

/// One line: what the event was, in the names docs/local-store.md uses.
#[derive(Serialize)]
#[serde(tag = "signal", rename_all = "snake_case")]
enum Line<'a> {
    /// The same object Loki stores, with its time.
    Log {
        time_unix_nano: u64,
        #[serde(flatten)]
        line: log_line::Line<'a>,
    },
    Metric {
        time_unix_nano: u64,
        session_id: &'a str,
        kind: &'static str,
        name: &'a str,
        value: f64,
        /// A histogram's further observations in the same update.
        #[serde(skip_serializing_if = "<[f64]>::is_empty")]
        more_values: &'a [f64],
        #[serde(skip_serializing_if = "Map::is_empty")]
        labels: Map<'a, String>,
    },
    Span {
        start_time_unix_nano: u64,
        end_time_unix_nano: u64,
        session_id: &'a str,
        name: &'a str,
        trace_id: String,
        span_id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        parent_span_id: Option<String>,
        status: &'static str,
        #[serde(skip_serializing_if = "str::is_empty")]
        status_message: &'a str,
        #[serde(skip_serializing_if = "Map::is_empty")]
        attributes: Map<'a, Value>,
    },
}

impl<'a> Line<'a> {
    fn of(
        event: &'a Event,
        session_id: &'a str,
        device: &'a crate::model::value::Fields,
    ) -> Line<'a> {
        match event {
            Event::Log(r) => Line::Log {
                time_unix_nano: r.time_unix_nano,
                line: log_line::Line::new(r, session_id, device),
            },
            Event::Metric(m) => Line::Metric {
                time_unix_nano: m.time_unix_nano,
                session_id,
                kind: m.kind.as_str(),
                name: &m.name,
                value: m.value,
                more_values: &m.more,
                labels: Map(&m.labels),
            },
            Event::Span(s) => Line::Span {
                start_time_unix_nano: s.start_time_unix_nano,
                end_time_unix_nano: s.end_time_unix_nano,
                session_id,
                name: &s.name,
                trace_id: s.trace_id.to_hex(),
                span_id: s.span_id.to_hex(),
                parent_span_id: s.parent_span_id.map(|p| p.to_hex()),
                status: s.status.as_str(),
                status_message: &s.status_message,
                attributes: Map(&s.attributes),
            },
        }
    }
}
