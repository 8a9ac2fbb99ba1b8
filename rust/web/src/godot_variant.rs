//! Godot's binary serialization of a Variant (`var_to_bytes`, the format of
//! `bytes_to_var`, `FileAccess.store_var` and `PacketPeer`), read into the
//! core's values. The page's autoload hands each frame's calls over as one
//! `var_to_bytes` of a flat Array: Godot's own encoder is the cheapest way
//! a GDScript frame has to turn values into text (BENCHMARKS.md, "The
//! Web"). No crate on crates.io reads Godot 4's format whole (Arrays,
//! typed containers, every math type), so this module does; the test
//! `tests/tests/web.rs` reads bytes real Godot wrote.
//!
//! Values come out as the native engine layer converts a game's values
//! (`rust/gdext/src/convert.rs`): null, bools, ints, floats, strings and
//! names as themselves, Arrays as lists, Dictionaries as maps in their
//! order (keys as text), every other type as its text the way Godot
//! prints it (`Vector2(1, 2)` is `(1.0, 2.0)`). An object is
//! `<Object#id>`: the bytes hold its id only, not its class.
//!
//! The format: every value starts with a little-endian u32 header, its
//! type in the low byte and flags above; then its payload, padded to 4
//! bytes. Math types hold f32s, or f64s with the 64-bit flag (a Godot
//! built with doubles); Arrays and Dictionaries give their element types
//! first when typed, then a count.

use std::fmt::Write as _;

use game_tracker_core::model::value::Value;

/// Nesting past this is refused, as Godot's decoder refuses it.
const MAX_DEPTH: usize = 1024;
/// `HEADER_DATA_FLAG_64`: an int, float or math type in 64 bits.
const FLAG_64: u32 = 1 << 16;
/// `HEADER_DATA_FLAG_OBJECT_AS_ID`: an object as its id alone.
const FLAG_OBJECT_AS_ID: u32 = 1 << 16;
/// The count of an Array or Dictionary; the top bit once meant "shared".
const COUNT_MASK: u32 = 0x7FFF_FFFF;

/// Godot 4's `Variant::Type`, as the header's low byte gives it.
mod ty {
    pub const NIL: u32 = 0;
    pub const BOOL: u32 = 1;
    pub const INT: u32 = 2;
    pub const FLOAT: u32 = 3;
    pub const STRING: u32 = 4;
    pub const VECTOR2: u32 = 5;
    pub const VECTOR2I: u32 = 6;
    pub const RECT2: u32 = 7;
    pub const RECT2I: u32 = 8;
    pub const VECTOR3: u32 = 9;
    pub const VECTOR3I: u32 = 10;
    pub const TRANSFORM2D: u32 = 11;
    pub const VECTOR4: u32 = 12;
    pub const VECTOR4I: u32 = 13;
    pub const PLANE: u32 = 14;
    pub const QUATERNION: u32 = 15;
    pub const AABB: u32 = 16;
    pub const BASIS: u32 = 17;
    pub const TRANSFORM3D: u32 = 18;
    pub const PROJECTION: u32 = 19;
    pub const COLOR: u32 = 20;
    pub const STRING_NAME: u32 = 21;
    pub const NODE_PATH: u32 = 22;
    pub const RID: u32 = 23;
    pub const OBJECT: u32 = 24;
    pub const CALLABLE: u32 = 25;
    pub const SIGNAL: u32 = 26;
    pub const DICTIONARY: u32 = 27;
    pub const ARRAY: u32 = 28;
    pub const PACKED_BYTE_ARRAY: u32 = 29;
    pub const PACKED_INT32_ARRAY: u32 = 30;
    pub const PACKED_INT64_ARRAY: u32 = 31;
    pub const PACKED_FLOAT32_ARRAY: u32 = 32;
    pub const PACKED_FLOAT64_ARRAY: u32 = 33;
    pub const PACKED_STRING_ARRAY: u32 = 34;
    pub const PACKED_VECTOR2_ARRAY: u32 = 35;
    pub const PACKED_VECTOR3_ARRAY: u32 = 36;
    pub const PACKED_COLOR_ARRAY: u32 = 37;
    pub const PACKED_VECTOR4_ARRAY: u32 = 38;
}

/// Reads the one value `bytes` holds (trailing bytes are an error: a
/// hand-over is exactly one value).
pub fn decode(bytes: &[u8]) -> Result<Value, String> {
    let mut reader = Reader { bytes, at: 0 };
    let value = reader.value(0)?;
    if reader.at != bytes.len() {
        return Err(format!("{} bytes after the value", bytes.len() - reader.at));
    }
    Ok(value)
}

/// Lowercase or uppercase hex (PackedByteArray.hex_encode()) as bytes.
pub fn from_hex(text: &str) -> Result<Vec<u8>, String> {
    let text = text.as_bytes();
    if !text.len().is_multiple_of(2) {
        return Err("hex of odd length".into());
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => Err(format!("not a hex digit: {:?}", c as char)),
    };
    text.chunks_exact(2)
        .map(|pair| Ok(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| format!("value cut short at byte {}", self.at))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }

    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }

    fn i32(&mut self) -> Result<i32, String> {
        Ok(self.u32()? as i32)
    }

    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_bits(self.u32()?))
    }

    fn f64(&mut self) -> Result<f64, String> {
        Ok(f64::from_bits(self.u64()?))
    }

    /// A math type's component: f64 with the 64-bit flag, else f32.
    fn real(&mut self, wide: bool) -> Result<Real, String> {
        Ok(if wide {
            Real::Wide(self.f64()?)
        } else {
            Real::Narrow(self.f32()?)
        })
    }

    fn reals<const N: usize>(&mut self, wide: bool) -> Result<[Real; N], String> {
        let mut out = [Real::Narrow(0.0); N];
        for slot in &mut out {
            *slot = self.real(wide)?;
        }
        Ok(out)
    }

    fn ints<const N: usize>(&mut self) -> Result<[i32; N], String> {
        let mut out = [0; N];
        for slot in &mut out {
            *slot = self.i32()?;
        }
        Ok(out)
    }

    /// A length, then UTF-8 bytes padded to 4.
    fn string(&mut self) -> Result<String, String> {
        let len = self.u32()? as usize;
        let text = String::from_utf8_lossy(self.take(len)?).into_owned();
        self.take(pad(len))?;
        Ok(text)
    }

    fn count(&mut self, item_bytes: usize) -> Result<usize, String> {
        let count = self.i32()?;
        let count = usize::try_from(count).map_err(|_| "negative count".to_string())?;
        // Refused before any allocation: a count the bytes cannot hold.
        if count.saturating_mul(item_bytes) > self.bytes.len() - self.at {
            return Err(format!("count {count} past the end"));
        }
        Ok(count)
    }

    /// A typed container's element type: nothing, a builtin type, or a
    /// class name or script path (skipped: the values say what they are).
    fn container_type(&mut self, kind: u32) -> Result<(), String> {
        match kind {
            0 => Ok(()),
            1 => self.u32().map(drop),
            _ => self.string().map(drop),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err("nested too deep".into());
        }
        let header = self.u32()?;
        let wide = header & FLAG_64 != 0;
        Ok(match header & 0xFF {
            ty::NIL => Value::Null,
            ty::BOOL => Value::Bool(self.u32()? != 0),
            ty::INT if wide => Value::Int(self.u64()? as i64),
            ty::INT => Value::Int(i64::from(self.i32()?)),
            ty::FLOAT if wide => Value::Float(self.f64()?),
            ty::FLOAT => Value::Float(f64::from(self.f32()?)),
            ty::STRING | ty::STRING_NAME => Value::Str(self.string()?),
            ty::DICTIONARY => {
                self.container_type((header >> 16) & 0b11)?;
                self.container_type((header >> 18) & 0b11)?;
                let count = (self.u32()? & COUNT_MASK) as usize;
                let mut fields = Vec::with_capacity(count.min(self.bytes.len() / 8));
                for _ in 0..count {
                    let key = match self.value(depth + 1)? {
                        Value::Str(s) => s,
                        other => other.to_label_string(),
                    };
                    fields.push((key, self.value(depth + 1)?));
                }
                Value::Map(fields)
            }
            ty::ARRAY => {
                self.container_type((header >> 16) & 0b11)?;
                let count = (self.u32()? & COUNT_MASK) as usize;
                let mut items = Vec::with_capacity(count.min(self.bytes.len() / 4));
                for _ in 0..count {
                    items.push(self.value(depth + 1)?);
                }
                Value::List(items)
            }
            other => Value::Str(self.text(other, header, wide)?),
        })
    }

    /// Every other type, as Godot's `str()` writes it.
    fn text(&mut self, kind: u32, header: u32, wide: bool) -> Result<String, String> {
        Ok(match kind {
            ty::VECTOR2 => tuple(&self.reals::<2>(wide)?),
            ty::VECTOR2I => tuple(&self.ints::<2>()?),
            ty::RECT2 => {
                let r = self.reals::<4>(wide)?;
                format!("[P: {}, S: {}]", tuple(&r[..2]), tuple(&r[2..]))
            }
            ty::RECT2I => {
                let r = self.ints::<4>()?;
                format!("[P: {}, S: {}]", tuple(&r[..2]), tuple(&r[2..]))
            }
            ty::VECTOR3 => tuple(&self.reals::<3>(wide)?),
            ty::VECTOR3I => tuple(&self.ints::<3>()?),
            ty::TRANSFORM2D => {
                let c = self.reals::<6>(wide)?;
                format!(
                    "[X: {}, Y: {}, O: {}]",
                    tuple(&c[..2]),
                    tuple(&c[2..4]),
                    tuple(&c[4..])
                )
            }
            ty::VECTOR4 => tuple(&self.reals::<4>(wide)?),
            ty::QUATERNION => tuple(&self.reals::<4>(wide)?.map(plain)),
            ty::VECTOR4I => tuple(&self.ints::<4>()?),
            ty::PLANE => {
                let p = self.reals::<4>(wide)?;
                format!("[N: {}, D: {}]", tuple(&p[..3]), plain(p[3]))
            }
            ty::AABB => {
                let b = self.reals::<6>(wide)?;
                format!("[P: {}, S: {}]", tuple(&b[..3]), tuple(&b[3..]))
            }
            ty::BASIS => {
                // Stored by rows; printed by columns, as Godot prints it.
                let r = self.reals::<9>(wide)?;
                let column = |c: usize| tuple(&[r[c], r[3 + c], r[6 + c]]);
                format!("[X: {}, Y: {}, Z: {}]", column(0), column(1), column(2))
            }
            ty::TRANSFORM3D => {
                let r = self.reals::<12>(wide)?;
                let column = |c: usize| tuple(&[r[c], r[3 + c], r[6 + c]]);
                format!(
                    "[X: {}, Y: {}, Z: {}, O: {}]",
                    column(0),
                    column(1),
                    column(2),
                    tuple(&r[9..])
                )
            }
            ty::PROJECTION => {
                let c = self.reals::<16>(wide)?;
                let row = |r: usize| tuple(&[c[r], c[4 + r], c[8 + r], c[12 + r]]);
                (0..4).map(row).collect::<Vec<_>>().join("\n")
            }
            ty::COLOR => tuple(&self.reals::<4>(false)?),
            ty::NODE_PATH => self.node_path()?,
            ty::RID => format!("RID({})", self.u64()?),
            ty::OBJECT if header & FLAG_OBJECT_AS_ID != 0 => match self.u64()? {
                0 => "<null>".to_string(),
                id => format!("<Object#{id}>"),
            },
            ty::OBJECT => return Err("a whole object (var_to_bytes_with_objects)".into()),
            ty::CALLABLE => "<Callable>".to_string(),
            ty::SIGNAL => {
                let name = self.string()?;
                format!("<Signal#{}::{name}>", self.u64()?)
            }
            ty::PACKED_BYTE_ARRAY => {
                let n = self.count(1)?;
                let items: Vec<String> = self.take(n)?.iter().map(u8::to_string).collect();
                self.take(pad(n))?;
                list(&items)
            }
            ty::PACKED_INT32_ARRAY => self.packed(4, |r| Ok(r.i32()?.to_string()))?,
            ty::PACKED_INT64_ARRAY => self.packed(8, |r| Ok((r.u64()? as i64).to_string()))?,
            ty::PACKED_FLOAT32_ARRAY => self.packed(4, |r| Ok(r.real(false)?.to_string()))?,
            ty::PACKED_FLOAT64_ARRAY => self.packed(8, |r| Ok(r.real(true)?.to_string()))?,
            // Each string's length counts a NUL terminator.
            ty::PACKED_STRING_ARRAY => self.packed(4, |r| {
                Ok(format!("{:?}", r.string()?.trim_end_matches('\0')))
            })?,
            ty::PACKED_VECTOR2_ARRAY => {
                let size = if wide { 16 } else { 8 };
                self.packed(size, |r| Ok(tuple(&r.reals::<2>(wide)?)))?
            }
            ty::PACKED_VECTOR3_ARRAY => {
                let size = if wide { 24 } else { 12 };
                self.packed(size, |r| Ok(tuple(&r.reals::<3>(wide)?)))?
            }
            ty::PACKED_COLOR_ARRAY => self.packed(16, |r| Ok(tuple(&r.reals::<4>(false)?)))?,
            ty::PACKED_VECTOR4_ARRAY => {
                let size = if wide { 32 } else { 16 };
                self.packed(size, |r| Ok(tuple(&r.reals::<4>(wide)?)))?
            }
            other => return Err(format!("unknown Variant type {other}")),
        })
    }

    fn packed(
        &mut self,
        item_bytes: usize,
        mut item: impl FnMut(&mut Self) -> Result<String, String>,
    ) -> Result<String, String> {
        let n = self.count(item_bytes)?;
        let items = (0..n).map(|_| item(self)).collect::<Result<Vec<_>, _>>()?;
        Ok(list(&items))
    }

    /// Names, then subnames after a colon; an absolute path starts with `/`.
    fn node_path(&mut self) -> Result<String, String> {
        let names = self.u32()?;
        if names & 0x8000_0000 == 0 {
            return Err("a NodePath in the old format".into());
        }
        let names = (names & COUNT_MASK) as usize;
        let mut subnames = self.u32()? as usize;
        let flags = self.u32()?;
        if flags & 2 != 0 {
            subnames += 1; // the old format's separate property
        }
        let mut out = if flags & 1 != 0 { "/" } else { "" }.to_string();
        for i in 0..names + subnames {
            let part = self.string()?;
            let sep = match i {
                0 if names == 0 => ":",
                0 => "",
                i if i < names => "/",
                _ => ":",
            };
            let _ = write!(out, "{sep}{part}");
        }
        Ok(out)
    }
}

/// The padding after `len` bytes, to the next multiple of 4.
fn pad(len: usize) -> usize {
    (4 - len % 4) % 4
}

/// A math type's component, in the precision it was stored in.
#[derive(Clone, Copy)]
enum Real {
    Narrow(f32),
    Wide(f64),
}

impl std::fmt::Display for Real {
    /// As Godot's `String::num_real`: a whole number with `.0`, others to
    /// 6 significant digits for an f32 (14 for an f64), trailing zeros cut.
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let (x, digits) = match *self {
            Real::Narrow(x) => (f64::from(x), 6),
            Real::Wide(x) => (x, 14),
        };
        if !x.is_finite() {
            return f.write_str(if x.is_nan() {
                "nan"
            } else if x > 0.0 {
                "inf"
            } else {
                "-inf"
            });
        }
        if x.fract() == 0.0 && x.abs() < 9.2e18 {
            return write!(f, "{}.0", x as i64);
        }
        let magnitude = x.abs().log10().floor() as i32;
        let decimals = (digits - 1 - magnitude).max(0) as usize;
        let text = format!("{x:.decimals$}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        f.write_str(text)
    }
}

fn tuple<T: std::fmt::Display>(items: &[T]) -> String {
    let items: Vec<String> = items.iter().map(T::to_string).collect();
    format!("({})", items.join(", "))
}

/// A component Godot writes without the trailing `.0` of a whole number.
fn plain(x: Real) -> String {
    let text = x.to_string();
    text.strip_suffix(".0").map_or(text.clone(), str::to_string)
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}
