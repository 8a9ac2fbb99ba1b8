//! Logs → Loki push API (`POST /loki/api/v1/push`, JSON).
//!
//! Stream labels stay low-cardinality (`game`, `env`, `version`, `level`);
//! the session id, data and context go into the JSON line, where LogQL's
//! `| json` reaches them. Timestamps are nanosecond strings.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::encode::body::{BodyFormat, Payload};
use crate::encode::log_line::Line;
use crate::model::event::{Level, LogRecord};
use crate::model::session::Session;
use crate::model::value::Fields;

#[derive(serde::Serialize)]
struct PushRequest<'a> {
    streams: Vec<Stream<'a>>,
}

#[derive(serde::Serialize)]
struct Stream<'a> {
    stream: StreamLabels<'a>,
    /// `[timestamp_ns_string, line]` pairs, oldest first.
    values: Vec<(String, String)>,
}

/// The build's labels ([`Session::build_labels`]) and the level.
struct StreamLabels<'a> {
    build: [(&'static str, &'a str); 3],
    level: &'static str,
}

impl Serialize for StreamLabels<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.build.len() + 1))?;
        for (name, value) in self.build {
            m.serialize_entry(name, value)?;
        }
        m.serialize_entry("level", self.level)?;
        m.end()
    }
}

/// Formats one record's log line.
pub fn line(record: &LogRecord, session: &Session, device: &Fields) -> String {
    // Values are plain data (non-finite floats become strings): cannot fail.
    serde_json::to_string(&Line::new(record, &session.session_id, device)).unwrap_or_default()
}

pub fn encode(records: &[LogRecord], session: &Session) -> Payload {
    let device = session.device_fields();
    let mut streams: Vec<Stream> = Vec::new();
    for level in [Level::Debug, Level::Info, Level::Warn, Level::Error] {
        let mut entries: Vec<(u64, String)> = records
            .iter()
            .filter(|r| r.level == level)
            .map(|r| (r.time_unix_nano, line(r, session, &device)))
            .collect();
        if entries.is_empty() {
            continue;
        }
        // Loki wants each stream's entries in time order; the sort is stable
        // so equal timestamps keep the order the game logged them in.
        entries.sort_by_key(|(t, _)| *t);
        streams.push(Stream {
            stream: StreamLabels {
                build: session.build_labels(),
                level: level.as_str(),
            },
            values: entries
                .into_iter()
                .map(|(t, l)| (t.to_string(), l))
                .collect(),
        });
    }
    let body = serde_json::to_vec(&PushRequest { streams }).unwrap_or_default();
    Payload {
        format: BodyFormat::Json,
        body,
    }
}
