//! Godot's `var_to_bytes`, written from the core's values, for tests that
//! make the Web autoload's hand-overs without a Godot (the worker's replay,
//! natively): the types a hand-over holds (null, bools, ints, floats,
//! strings, Arrays, Dictionaries with text keys, in their order), written
//! as Godot writes them. `tests/godot_variant.rs` holds it to the bytes
//! real Godot writes.

use game_tracker_core::model::value::Value;

const NIL: u32 = 0;
const BOOL: u32 = 1;
const INT: u32 = 2;
const FLOAT: u32 = 3;
const STRING: u32 = 4;
const DICTIONARY: u32 = 27;
const ARRAY: u32 = 28;
const FLAG_64: u32 = 1 << 16;

/// `var_to_bytes(value)`: an int in 32 bits when it fits, a float in 32
/// bits when that loses nothing, as Godot chooses.
pub fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out, value);
    out
}

/// A hand-over as the autoload sends it: hex of the flat Array of `items`.
pub fn hex(items: &[Value]) -> String {
    encode(&Value::List(items.to_vec()))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn write(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => put(out, NIL),
        Value::Bool(b) => {
            put(out, BOOL);
            put(out, u32::from(*b));
        }
        Value::Int(i) => match i32::try_from(*i) {
            Ok(small) => {
                put(out, INT);
                out.extend_from_slice(&small.to_le_bytes());
            }
            Err(_) => {
                put(out, INT | FLAG_64);
                out.extend_from_slice(&i.to_le_bytes());
            }
        },
        Value::Float(f) => {
            if f64::from(*f as f32) == *f {
                put(out, FLOAT);
                out.extend_from_slice(&(*f as f32).to_le_bytes());
            } else {
                put(out, FLOAT | FLAG_64);
                out.extend_from_slice(&f.to_le_bytes());
            }
        }
        Value::Str(s) => {
            put(out, STRING);
            write_str(out, s);
        }
        Value::List(items) => {
            put(out, ARRAY);
            put(out, items.len() as u32);
            for item in items {
                write(out, item);
            }
        }
        Value::Map(fields) => {
            put(out, DICTIONARY);
            put(out, fields.len() as u32);
            for (key, value) in fields {
                put(out, STRING);
                write_str(out, key);
                write(out, value);
            }
        }
    }
}

fn put(out: &mut Vec<u8>, x: u32) {
    out.extend_from_slice(&x.to_le_bytes());
}

/// Length, UTF-8, zero padding to 4 bytes.
fn write_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
    out.resize(out.len() + (4 - s.len() % 4) % 4, 0);
}
