//! Logs → Loki push API (`POST /loki/api/v1/push`, JSON).
//!
//! Stream labels stay low-cardinality (`game`, `env`, `version`, `level`);
//! the session id, data and context go into the JSON line, where LogQL's
//! `| json` reaches them. Timestamps are nanosecond strings.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::encode::body::{BodyFormat, Payload};
use crate::event::{Level, LogRecord};
use crate::session::Session;
use crate::value::{Fields, Value};

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

/// The JSON object stored as one log entry (also the body of a log line
/// in the JSON-lines sink).
#[derive(serde::Serialize)]
pub(crate) struct Line<'a> {
    msg: &'a str,
    level: &'static str,
    session_id: &'a str,
    #[serde(skip_serializing_if = "Map::is_empty")]
    data: Map<'a, Value>,
    #[serde(flatten)]
    scope: ScopeMaps<'a>,
    device: Map<'a, Value>,
}

/// The user context (`set_user`, `set_tag`, `set_context`) as JSON keys, the
/// empty ones left out: in a Loki line, and in the local store's `scope`.
#[derive(serde::Serialize)]
pub(crate) struct ScopeMaps<'a> {
    #[serde(skip_serializing_if = "Map::is_empty")]
    user: Map<'a, Value>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    tags: Map<'a, String>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    context: Map<'a, Value>,
}

impl<'a> ScopeMaps<'a> {
    pub(crate) fn of(scope: &'a crate::event::Scope) -> Self {
        ScopeMaps {
            user: Map(&scope.user),
            tags: Map(&scope.tags),
            context: Map(&scope.contexts),
        }
    }

    /// The local store's question (a scope column left empty); the Web
    /// has no store.
    #[cfg(not(target_family = "wasm"))]
    pub(crate) fn is_empty(&self) -> bool {
        self.user.is_empty() && self.tags.is_empty() && self.context.is_empty()
    }
}

/// `[(key, value)]` serialised as a JSON object, keeping the GDScript
/// dictionary's order. Also used by the JSON-lines sink.
pub(crate) struct Map<'a, V>(pub(crate) &'a [(String, V)]);

impl<V> Map<'_, V> {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<V: Serialize> Serialize for Map<'_, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'a> Line<'a> {
    pub(crate) fn new(record: &'a LogRecord, session_id: &'a str, device: &'a Fields) -> Self {
        Line {
            msg: &record.message,
            level: record.level.as_str(),
            session_id,
            data: Map(&record.data),
            scope: ScopeMaps::of(&record.scope),
            device: Map(device),
        }
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
