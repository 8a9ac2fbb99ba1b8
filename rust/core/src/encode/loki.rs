//! Logs → Loki push API (`POST /loki/api/v1/push`, JSON).
//!
//! Stream labels stay low-cardinality (`game`, `env`, `version`, `level`);
//! the session id, data and context go into the JSON line, where LogQL's
//! `| json` reaches them. Timestamps are nanosecond strings.

use serde::Serialize;

use crate::encode::Payload;
use crate::event::{Level, LogRecord};
use crate::session::Session;
use crate::value::Value;

#[derive(Serialize)]
struct PushRequest<'a> {
    streams: Vec<Stream<'a>>,
}

#[derive(Serialize)]
struct Stream<'a> {
    stream: StreamLabels<'a>,
    values: Vec<(String, String)>,
}

#[derive(Serialize)]
struct StreamLabels<'a> {
    game: &'a str,
    env: &'a str,
    version: &'a str,
    level: &'static str,
}

/// Serialises `[(k, v)]` as a JSON object (GDScript dictionaries keep order).
mod as_map {
    use serde::ser::{Serialize, SerializeMap, Serializer};
    pub struct Map<'a, V>(pub &'a [(String, V)]);
    impl<V: Serialize> Serialize for Map<'_, V> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(self.0.len()))?;
            for (k, v) in self.0 {
                m.serialize_entry(k, v)?;
            }
            m.end()
        }
    }
}

/// Formats one record's line; public so tests and the file sink share it.
pub fn line(record: &LogRecord, session: &Session, device: &crate::value::Fields) -> String {
    use as_map::Map;
    #[derive(Serialize)]
    struct L<'a> {
        msg: &'a str,
        level: &'static str,
        session_id: &'a str,
        #[serde(skip_serializing_if = "is_empty_map")]
        data: Map<'a, Value>,
        #[serde(skip_serializing_if = "is_empty_map")]
        user: Map<'a, Value>,
        #[serde(skip_serializing_if = "is_empty_map")]
        tags: Map<'a, String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        context: Option<Contexts<'a>>,
        device: Map<'a, Value>,
    }
    struct Contexts<'a>(&'a [(String, crate::value::Fields)]);
    impl Serialize for Contexts<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut m = s.serialize_map(Some(self.0.len()))?;
            for (k, v) in self.0 {
                m.serialize_entry(k, &Map(v))?;
            }
            m.end()
        }
    }
    fn is_empty_map<V>(m: &Map<'_, V>) -> bool {
        m.0.is_empty()
    }
    let scope = &record.scope;
    let l = L {
        msg: &record.message,
        level: record.level.as_str(),
        session_id: &session.session_id,
        data: Map(&record.data),
        user: Map(&scope.user),
        tags: Map(&scope.tags),
        context: (!scope.contexts.is_empty()).then_some(Contexts(&scope.contexts)),
        device: Map(device),
    };
    // Serialising owned, finite-checked values cannot fail.
    serde_json::to_string(&l).unwrap_or_default()
}

pub fn encode(records: &[LogRecord], session: &Session) -> Payload {
    let device: crate::value::Fields = session
        .context_fields()
        .into_iter()
        .filter(|(k, _)| !matches!(k.as_str(), "session_id" | "game" | "version" | "environment"))
        .collect();
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
                game: &session.game,
                env: &session.environment,
                version: &session.version,
                level: level.as_str(),
            },
            values: entries.into_iter().map(|(t, l)| (t.to_string(), l)).collect(),
        });
    }
    let body = serde_json::to_vec(&PushRequest { streams }).unwrap_or_default();
    Payload { content_type: "application/json", content_encoding: None, protocol_headers: &[], body }
}

