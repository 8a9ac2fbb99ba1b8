//! Variant → core `Value`, on the main thread. Never panics: anything that is
//! not a plain value becomes its text form; nesting is cut at
//! `MAX_VALUE_DEPTH` (which also stops recursive containers).

use game_tracker_core::value::{Fields, Value, MAX_VALUE_DEPTH};
use godot::builtin::{AnyArray, AnyDictionary, Variant, VariantType};

pub fn value(v: &Variant) -> Value {
    value_at(v, 0)
}

fn value_at(v: &Variant, depth: usize) -> Value {
    match v.get_type() {
        VariantType::NIL => Value::Null,
        VariantType::BOOL => v.try_to::<bool>().map(Value::Bool).unwrap_or(Value::Null),
        VariantType::INT => v.try_to::<i64>().map(Value::Int).unwrap_or(Value::Null),
        VariantType::FLOAT => v.try_to::<f64>().map(Value::Float).unwrap_or(Value::Null),
        VariantType::STRING | VariantType::STRING_NAME => Value::Str(v.stringify().to_string()),
        VariantType::DICTIONARY | VariantType::ARRAY if depth >= MAX_VALUE_DEPTH => {
            Value::Str("<max depth>".into())
        }
        VariantType::DICTIONARY => match v.try_to::<AnyDictionary>() {
            Ok(d) => Value::Map(map_entries(&d, depth + 1)),
            Err(_) => Value::Str(v.stringify().to_string()),
        },
        VariantType::ARRAY => match v.try_to::<AnyArray>() {
            Ok(a) => Value::List(a.iter_shared().map(|item| value_at(&item, depth + 1)).collect()),
            Err(_) => Value::Str(v.stringify().to_string()),
        },
        // Vectors, colors, objects, packed arrays: their text form is what a
        // developer would print, and it never holds engine references.
        _ => Value::Str(v.stringify().to_string()),
    }
}

fn map_entries(d: &AnyDictionary, depth: usize) -> Fields {
    d.iter_shared()
        .map(|(k, v)| (key_text(&k), value_at(&v, depth)))
        .collect()
}

fn key_text(k: &Variant) -> String {
    k.stringify().to_string()
}

/// What a `data`/`labels`/`attributes` argument turned out to be.
pub enum FieldsArg {
    Ok(Fields),
    /// Not a Dictionary (nor null): carried as `{"value": …}` and warned about.
    NotADictionary(Fields, &'static str),
}

pub fn fields(v: &Variant) -> FieldsArg {
    match v.get_type() {
        VariantType::NIL => FieldsArg::Ok(Vec::new()),
        VariantType::DICTIONARY => match v.try_to::<AnyDictionary>() {
            Ok(d) => FieldsArg::Ok(map_entries(&d, 1)),
            Err(_) => FieldsArg::NotADictionary(vec![("value".into(), value(v))], "Dictionary"),
        },
        _ => {
            let got = value(v);
            let type_name = got.type_name();
            FieldsArg::NotADictionary(vec![("value".into(), got)], type_name)
        }
    }
}

/// Text of a name/message argument; `None` for null.
pub fn text(v: &Variant) -> Option<(String, bool)> {
    match v.get_type() {
        VariantType::NIL => None,
        VariantType::STRING | VariantType::STRING_NAME => Some((v.stringify().to_string(), true)),
        _ => Some((v.stringify().to_string(), false)),
    }
}

/// A numeric argument (int or float).
pub fn number(v: &Variant) -> Option<f64> {
    match v.get_type() {
        VariantType::INT => v.try_to::<i64>().ok().map(|i| i as f64),
        VariantType::FLOAT => v.try_to::<f64>().ok(),
        _ => None,
    }
}
