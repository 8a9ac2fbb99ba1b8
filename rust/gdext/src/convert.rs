//! Variants → core values, on the main thread. Never panics: anything that
//! is not a plain value becomes its text form; nesting is cut at
//! `MAX_VALUE_DEPTH` (which also stops recursive containers). Runs no
//! script: a text form never calls an object's `_to_string()` (see
//! [`text_of`]), because containers are read in place while it is made.
//!
//! Hot calls (logs, metrics, spans) write Variants straight into the
//! tracker's record buffer through [`AsValue`], [`AsFields`] and [`AsText`]:
//! strings go from Godot's UTF-32 storage to UTF-8 bytes with no Rust
//! `String` in between. Rare calls (init, set_user, …) build `Value`s.

use game_tracker_core::model::value::{Fields, Value, MAX_VALUE_DEPTH};
use game_tracker_core::{ValueWriter, WriteText, WriteValue};
use godot::builtin::{AnyArray, GString, StringName, Variant, VariantType};
use godot::classes::Object;
use godot::meta::error::ConvertError;
use godot::meta::{FromGodot, GodotConvert, ToGodot};
use godot::obj::Gd;

/// A `#[func]` parameter GDScript may leave out: `add_breadcrumb`'s `data`,
/// and the benchmark floor's copies of the API's signatures
/// (`bench_floor.rs`). gdext's `#[opt(default = …)]` takes only types it
/// knows are immutable, and `Variant` is not one of them, hence this
/// wrapper. The hot calls do not use it: `hot_methods.rs` registers them by
/// hand, and a left-out argument arrives there as `None`.
#[derive(Clone, Debug)]
pub struct Optional(pub Variant);

impl Optional {
    pub fn null() -> Self {
        Optional(Variant::nil())
    }
    #[cfg(feature = "bench")]
    pub fn int(i: i64) -> Self {
        Optional(Variant::from(i))
    }
}

impl GodotConvert for Optional {
    type Via = Variant;
    fn godot_shape() -> godot::meta::shape::GodotShape {
        godot::meta::shape::GodotShape::Variant
    }
}

impl FromGodot for Optional {
    fn try_from_godot(via: Variant) -> Result<Self, ConvertError> {
        Ok(Optional(via))
    }
}

impl ToGodot for Optional {
    type Pass = godot::meta::conv::ByValue;
    fn to_godot(&self) -> Variant {
        self.0.clone()
    }
}

// SAFETY: gdext builds each default anew on every call (never shares it),
// and the defaults used here are null and an int, which nothing can mutate.
unsafe impl godot::meta::GodotImmutable for Optional {}

/// A Variant written as one record value.
pub struct AsValue<'a>(pub &'a Variant);

impl WriteValue for AsValue<'_> {
    fn write_value(&self, w: &mut ValueWriter) {
        write_variant(w, self.0, self.0.get_type(), 0);
    }
}

/// A `data`/`labels`/`attributes` argument written as a map: a Dictionary's
/// entries, nothing for null, `{"value": …}` for anything else (the caller
/// warns about that case, see [`AsFields::unexpected_type`]).
pub struct AsFields<'a> {
    /// `None`: the argument was left out (written like null).
    v: Option<&'a Variant>,
    ty: VariantType,
}

impl<'a> AsFields<'a> {
    pub fn new(v: Option<&'a Variant>) -> Self {
        AsFields {
            v,
            ty: v.map_or(VariantType::NIL, Variant::get_type),
        }
    }

    /// As core fields (for rare calls: init, set_user, set_context), through
    /// the same traversal and the same rule as the hot path.
    pub fn to_fields(&self) -> Fields {
        let mut buf = Vec::new();
        self.write_value(&mut ValueWriter::new(&mut buf));
        match game_tracker_core::handover::record::read_value(&buf) {
            Some(Value::Map(entries)) => entries,
            _ => Vec::new(),
        }
    }

    /// `None` for null or a Dictionary; otherwise the type name to warn about.
    pub fn unexpected_type(&self) -> Option<&'static str> {
        match (self.ty, self.v) {
            (VariantType::NIL | VariantType::DICTIONARY, _) | (_, None) => None,
            (_, Some(v)) => Some(value(v).type_name()),
        }
    }
}

impl WriteValue for AsFields<'_> {
    fn write_value(&self, w: &mut ValueWriter) {
        match (self.ty, self.v) {
            (VariantType::NIL, _) | (_, None) => w.map(0),
            (VariantType::DICTIONARY, Some(v)) => write_variant(w, v, self.ty, 0),
            (_, Some(v)) => {
                w.map(1);
                w.key("value");
                write_variant(w, v, self.ty, 1);
            }
        }
    }
}

/// A message or name: a String as it is, anything else as its text.
pub struct AsText<'a> {
    v: &'a Variant,
    ty: VariantType,
}

impl<'a> AsText<'a> {
    pub fn new(v: &'a Variant) -> Self {
        AsText {
            v,
            ty: v.get_type(),
        }
    }
    pub fn variant_type(&self) -> VariantType {
        self.ty
    }
}

impl WriteText for AsText<'_> {
    fn write_text(&self, w: &mut ValueWriter) {
        match self.ty {
            VariantType::STRING => w.str_chars(raw::string_chars(self.v)),
            _ => w.str_chars(text_of(self.v).chars()),
        }
    }
}

/// The characters of a String Variant, borrowed; `None` for other types.
pub fn string_chars(v: &Variant) -> Option<&[char]> {
    (v.get_type() == VariantType::STRING).then(|| raw::string_chars(v))
}

/// The engine object an OBJECT Variant points at, read in place (no
/// reference taken); only for comparing with known objects.
pub fn object_ptr(v: &Variant) -> *const std::ffi::c_void {
    raw::object(v)
}

/// Writes `v`, whose type the caller already read as `ty`.
fn write_variant(w: &mut ValueWriter, v: &Variant, ty: VariantType, depth: usize) {
    match ty {
        VariantType::NIL => w.null(),
        VariantType::BOOL => w.bool(raw::bool(v)),
        VariantType::INT => w.int(raw::int(v)),
        VariantType::FLOAT => w.float(raw::float(v)),
        VariantType::STRING => w.str_chars(raw::string_chars(v)),
        VariantType::DICTIONARY | VariantType::ARRAY if depth >= MAX_VALUE_DEPTH => {
            w.str("<max depth>")
        }
        VariantType::DICTIONARY => {
            let map = w.begin_map();
            let len = raw::for_each_entry(v, |key, value| {
                match key.get_type() {
                    VariantType::STRING => w.key_chars(raw::string_chars(key)),
                    _ => w.key_chars(text_of(key).chars()),
                }
                write_variant(w, value, value.get_type(), depth + 1);
            });
            w.end_map(map, len);
        }
        VariantType::ARRAY => match v.try_to::<AnyArray>() {
            Ok(a) => {
                let len = a.len();
                w.list(len);
                for i in 0..len {
                    match raw::array_at(&a, i) {
                        Some(item) => write_variant(w, item, item.get_type(), depth + 1),
                        None => w.null(),
                    }
                }
            }
            Err(_) => w.str_chars(text_of(v).chars()),
        },
        // Vectors, colors, objects, packed arrays: their text form, which
        // is what a developer would print and never holds engine references.
        _ => w.str_chars(text_of(v).chars()),
    }
}

/// `<Class#id>` for an object: its `_to_string()` is script code, which
/// must not run while a container is read in place (it could change it).
fn object_text(v: &Variant) -> String {
    match v.try_to::<Gd<Object>>() {
        Ok(o) => format!("<{}#{}>", o.get_class(), o.instance_id()),
        Err(_) => "<Freed Object>".into(),
    }
}

/// In-place reads of Variants through GDExtension's internal-pointer getters
/// (`variant_get_ptr_internal_getter`): no copy, no reference count touched,
/// two engine calls for a string instead of five. Each function must only be
/// given a Variant of the type it names; callers check `get_type()` first.
mod raw {
    use std::sync::OnceLock;

    use godot::builtin::{AnyArray, Variant};
    use godot::sys::{self, GodotFfi, SysPtr};

    type Getter = unsafe extern "C" fn(sys::GDExtensionVariantPtr) -> *mut std::ffi::c_void;

    /// Godot's getter per type. Every Godot the addon supports (4.1 and
    /// later) has one for each builtin type; were one missing, values of
    /// that type would read as empty (0, false, "", no entries) rather than
    /// stop the game, which the module promises never to do.
    struct Getters {
        string: Option<Getter>,
        int: Option<Getter>,
        float: Option<Getter>,
        bool: Option<Getter>,
        dictionary: Option<Getter>,
        object: Option<Getter>,
    }

    fn getters() -> &'static Getters {
        static GETTERS: OnceLock<Getters> = OnceLock::new();
        GETTERS.get_or_init(|| {
            // Reached only from Godot's calls into the extension (the hot
            // calls in hot_methods.rs, client.rs's #[func]s), so the binding
            // is initialised.
            let get = sys::interface_fn!(variant_get_ptr_internal_getter);
            // SAFETY: asks Godot for a function pointer; reads nothing else.
            let getter = |t| unsafe { get(t) };
            Getters {
                string: getter(sys::GDEXTENSION_VARIANT_TYPE_STRING),
                int: getter(sys::GDEXTENSION_VARIANT_TYPE_INT),
                float: getter(sys::GDEXTENSION_VARIANT_TYPE_FLOAT),
                bool: getter(sys::GDEXTENSION_VARIANT_TYPE_BOOL),
                dictionary: getter(sys::GDEXTENSION_VARIANT_TYPE_DICTIONARY),
                object: getter(sys::GDEXTENSION_VARIANT_TYPE_OBJECT),
            }
        })
    }

    /// The Variant's internal value (`None` without a getter).
    fn internal(getter: Option<Getter>, v: &Variant) -> Option<*const std::ffi::c_void> {
        // SAFETY: the getter only reads; callers pass a Variant of its type.
        getter.map(|g| unsafe { g(v.var_sys().cast_mut()) }.cast_const())
    }

    /// The characters of a STRING Variant, borrowed from it.
    pub fn string_chars(v: &Variant) -> &[char] {
        let Some(s) = internal(getters().string, v) else {
            return &[];
        };
        let s = s as sys::GDExtensionConstStringPtr;
        // SAFETY: `s` points at the Variant's String, alive as long as `v`;
        // Godot (since 4.1) keeps Strings valid UTF-32, so its code points
        // are valid `char`s (the same reasoning as gdext's `GString::chars`).
        unsafe {
            let len = sys::interface_fn!(string_to_utf32_chars)(s, std::ptr::null_mut(), 0);
            let ptr = sys::interface_fn!(string_operator_index_const)(s, 0);
            if ptr.is_null() || len <= 0 {
                return &[];
            }
            std::slice::from_raw_parts(ptr.cast::<char>(), len as usize)
        }
    }

    /// The `Object *` an OBJECT Variant holds (possibly freed: compare
    /// only, never dereference).
    pub fn object(v: &Variant) -> *const std::ffi::c_void {
        // SAFETY: an OBJECT Variant's internal value is an `Object *`.
        internal(getters().object, v).map_or(std::ptr::null(), |p| unsafe {
            *p.cast::<*const std::ffi::c_void>()
        })
    }

    pub fn int(v: &Variant) -> i64 {
        // SAFETY: an INT Variant holds an int64_t.
        internal(getters().int, v).map_or(0, |p| unsafe { *p.cast::<i64>() })
    }

    pub fn float(v: &Variant) -> f64 {
        // SAFETY: a FLOAT Variant holds a double.
        internal(getters().float, v).map_or(0.0, |p| unsafe { *p.cast::<f64>() })
    }

    pub fn bool(v: &Variant) -> bool {
        // SAFETY: a BOOL Variant holds a C++ bool (one byte, 0 or 1).
        internal(getters().bool, v).is_some_and(|p| unsafe { *p.cast::<u8>() != 0 })
    }

    /// Calls `f(key, value)` for each entry of a DICTIONARY Variant, both
    /// borrowed, in the dictionary's order; returns how many there were.
    /// Godot's own iteration: the iterator is the current key, and the value
    /// is read in place, so nothing is copied but the key.
    pub fn for_each_entry(v: &Variant, mut f: impl FnMut(&Variant, &Variant)) -> usize {
        let Some(dict) = internal(getters().dictionary, v) else {
            return 0;
        };
        let dict = dict as sys::GDExtensionConstTypePtr;
        let mut key = Variant::nil();
        let mut valid: sys::GDExtensionBool = 0;
        let mut n = 0;
        // SAFETY: `v` is a Dictionary that nothing mutates during the loop
        // (main thread, no script runs). `iter_init` constructs the key in
        // place over a nil Variant (nothing to leak); each key comes from the
        // dictionary, so the index lookup finds it; the value pointer lives
        // as long as the dictionary.
        unsafe {
            let mut more = sys::interface_fn!(variant_iter_init)(
                v.var_sys(),
                key.var_sys_mut().as_uninit(),
                &mut valid,
            ) != 0;
            while more && valid != 0 {
                let value =
                    sys::interface_fn!(dictionary_operator_index_const)(dict, key.var_sys());
                let Some(value) = value.cast::<Variant>().as_ref() else {
                    break;
                };
                f(&key, value);
                n += 1;
                more = sys::interface_fn!(variant_iter_next)(
                    v.var_sys(),
                    key.var_sys_mut(),
                    &mut valid,
                ) != 0;
            }
        }
        n
    }

    /// Item `i` of an array, borrowed from it (`None` out of range).
    pub fn array_at(a: &AnyArray, i: usize) -> Option<&Variant> {
        // SAFETY: Godot returns null for an index out of range, else a
        // pointer to the item, alive while `a` is and not mutated (we hold
        // the only reference on this thread). `Variant` is `repr(transparent)`
        // over Godot's Variant.
        unsafe {
            let p = sys::interface_fn!(array_operator_index_const)(a.sys(), i as i64);
            p.cast::<Variant>().as_ref()
        }
    }
}

/// The text of any Variant; for a String, the same buffer (no copy). Runs
/// no script: Godot's `stringify` is engine code for every type except an
/// object, whose `_to_string()` may be script, and a container holding one
/// (it stringifies its items). Those get a fixed description instead: the
/// text is often made while a Dictionary is read in place (a key) or a
/// record is half written, and script could change the Dictionary under
/// the reader or call the tracker back. A container with no object inside
/// keeps Godot's text, as before; so do strings, names and numbers.
fn text_of(v: &Variant) -> GString {
    let ty = v.get_type();
    match ty {
        VariantType::OBJECT => GString::from(object_text(v).as_str()),
        VariantType::STRING => v.try_to::<GString>().unwrap_or_else(|_| v.stringify()),
        VariantType::STRING_NAME => v
            .try_to::<StringName>()
            .map(|s| GString::from(&s))
            .unwrap_or_else(|_| v.stringify()),
        VariantType::ARRAY | VariantType::DICTIONARY if may_run_script(v, ty, 0) => {
            GString::from(if ty == VariantType::ARRAY {
                "<Array>"
            } else {
                "<Dictionary>"
            })
        }
        _ => v.stringify(),
    }
}

/// Whether `stringify` of a container could run script: it holds an
/// object somewhere, or nests past `MAX_VALUE_DEPTH` (a recursive
/// container; not walked further). Read in place, like the values.
fn may_run_script(v: &Variant, ty: VariantType, depth: usize) -> bool {
    match ty {
        VariantType::OBJECT => true,
        VariantType::DICTIONARY | VariantType::ARRAY if depth >= MAX_VALUE_DEPTH => true,
        VariantType::DICTIONARY => {
            let mut found = false;
            raw::for_each_entry(v, |key, value| {
                found = found
                    || may_run_script(key, key.get_type(), depth + 1)
                    || may_run_script(value, value.get_type(), depth + 1);
            });
            found
        }
        VariantType::ARRAY => match v.try_to::<AnyArray>() {
            Ok(a) => (0..a.len()).any(|i| {
                raw::array_at(&a, i)
                    .is_some_and(|item| may_run_script(item, item.get_type(), depth + 1))
            }),
            Err(_) => true,
        },
        _ => false,
    }
}

/// A Variant as a core `Value` (for rare calls: init, set_user, …),
/// through the same traversal the hot calls use.
pub fn value(v: &Variant) -> Value {
    let mut buf = Vec::new();
    AsValue(v).write_value(&mut ValueWriter::new(&mut buf));
    game_tracker_core::handover::record::read_value(&buf).unwrap_or(Value::Null)
}

/// Text of a name/key argument; `None` for null.
pub fn text(v: &Variant) -> Option<String> {
    match v.get_type() {
        VariantType::NIL => None,
        _ => Some(text_of(v).to_string()),
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

/// A JSON tree (the core's `get_stats()` report) as Godot values: objects
/// as Dictionaries, arrays as Arrays, whole numbers as `int`.
pub fn json_to_dictionary(json: &serde_json::Value) -> godot::builtin::VarDictionary {
    json_to_variant(json).try_to().unwrap_or_default()
}

fn json_to_variant(json: &serde_json::Value) -> Variant {
    use serde_json::Value as Json;
    match json {
        Json::Null => Variant::nil(),
        Json::Bool(b) => b.to_variant(),
        Json::Number(n) => n.as_i64().map_or_else(
            || n.as_f64().unwrap_or(0.0).to_variant(),
            |i| i.to_variant(),
        ),
        Json::String(s) => GString::from(s.as_str()).to_variant(),
        Json::Array(items) => items
            .iter()
            .map(json_to_variant)
            .collect::<godot::builtin::VarArray>()
            .to_variant(),
        Json::Object(map) => {
            let mut d = godot::builtin::VarDictionary::new();
            for (k, v) in map {
                d.set(k.as_str(), &json_to_variant(v));
            }
            d.to_variant()
        }
    }
}
