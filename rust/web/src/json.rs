//! JSON text read into the core's values ([`Value`]), keeping each
//! object's keys in the order the page wrote them, as a GDScript
//! Dictionary keeps them (serde_json's own `Value` sorts them).

use std::fmt;

use game_tracker_core::model::value::Value;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// One JSON value as a core [`Value`].
pub struct Json(pub Value);

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json(Value::Null))
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
        Ok(Json(Value::Bool(b)))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
        Ok(Json(Value::Int(n)))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
        Ok(Json(
            i64::try_from(n).map_or(Value::Float(n as f64), Value::Int),
        ))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Json, E> {
        Ok(Json(Value::Float(n)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json, E> {
        Ok(Json(Value::Str(s.to_string())))
    }

    fn visit_string<E>(self, s: String) -> Result<Json, E> {
        Ok(Json(Value::Str(s)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(Json(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json(Value::List(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut fields = Vec::new();
        while let Some((key, Json(value))) = map.next_entry::<String, Json>()? {
            fields.push((key, value));
        }
        Ok(Json(Value::Map(fields)))
    }
}

/// `text` as a core value.
pub fn parse(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str::<Json>(text).map(|json| json.0)
}
