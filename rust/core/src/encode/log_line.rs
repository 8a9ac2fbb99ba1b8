//! A log record as one JSON object, the shape three places share: the line
//! in a Loki entry (`loki.rs`), a line of the JSON-lines sink
//! (`sinks/jsonl.rs`), and the local store's data and scope columns
//! (`sinks/store/rows.rs`).

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::model::event::LogRecord;
use crate::model::value::{Fields, Value};

/// The JSON object stored as one log entry (also the body of a log line
/// in the JSON-lines sink).
#[derive(serde::Serialize)]
pub(crate) struct Line<'a> {
    msg: &'a str,
    level: &'static str,
    /// OpenTelemetry's event name of the SDK's own events (`app.jank`).
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<&'static str>,
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
    pub(crate) fn of(scope: &'a crate::model::event::Scope) -> Self {
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
/// dictionary's order.
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
            event: record.event_name,
            session_id,
            data: Map(&record.data),
            scope: ScopeMaps::of(&record.scope),
            device: Map(device),
        }
    }
}
