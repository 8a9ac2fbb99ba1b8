//! Engine-free GDScript values: what the worker reads back from records, and
//! what configuration and the user context (`set_user`, `set_context`) are
//! made of. Log, metric and span calls do not build these on the main
//! thread: the engine layer writes their Variants straight into records
//! with [`crate::handover::record::ValueWriter`].

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// Deepest nesting kept when copying user containers; deeper levels (and
/// recursive containers) become the string `"<max depth>"` instead of
/// overflowing the stack.
pub const MAX_VALUE_DEPTH: usize = 8;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Value>),
    /// Keys keep their insertion order, as a GDScript Dictionary does.
    Map(Vec<(String, Value)>),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// Human-readable text for label values and string attributes.
    pub fn to_label_string(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format_float(*f),
            Value::Str(s) => s.clone(),
            other => serde_json::to_string(other).unwrap_or_default(),
        }
    }

    /// JSON read back (a crash marker's breadcrumbs, the local store's
    /// `data` column), objects' keys in their order.
    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => n
                .as_i64()
                .map_or_else(|| Value::Float(n.as_f64().unwrap_or(0.0)), Value::Int),
            serde_json::Value::String(s) => Value::Str(s.clone()),
            serde_json::Value::Array(items) => {
                Value::List(items.iter().map(Value::from_json).collect())
            }
            serde_json::Value::Object(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "String",
            Value::List(_) => "Array",
            Value::Map(_) => "Dictionary",
        }
    }
}

/// Three decimals: seconds to the millisecond, milliseconds to the
/// microsecond, as durations are reported.
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// `1.0` prints as `1`, like Prometheus and GDScript users expect.
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else if f == f.trunc() && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            // JSON has no NaN/Inf: send them as strings rather than failing the batch.
            Value::Float(f) if !f.is_finite() => s.serialize_str(&format_float(*f)),
            Value::Float(f) => s.serialize_f64(*f),
            Value::Str(v) => s.serialize_str(v),
            Value::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Ordered string map used for labels, tags and context sections.
pub type Fields = Vec<(String, Value)>;

/// The memory `fields` own beyond their own vector: keys, text, nested
/// lists and maps.
pub fn heap_bytes(fields: &Fields) -> usize {
    fields
        .iter()
        .map(|(key, value)| size_of::<(String, Value)>() + key.len() + value_heap_bytes(value))
        .sum()
}

fn value_heap_bytes(value: &Value) -> usize {
    match value {
        Value::Str(s) => s.len(),
        Value::List(items) => items
            .iter()
            .map(|v| size_of::<Value>() + value_heap_bytes(v))
            .sum(),
        Value::Map(fields) => heap_bytes(fields),
        Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) => 0,
    }
}
