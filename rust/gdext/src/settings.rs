//! The `game_tracker/config/…` Project Settings and the engine's view of
//! `init` keys, both read from the core's one table
//! (`game_tracker_core::config::schema`): the editor plugin registers what
//! [`schema`] lists, and [`with_engine_paths`] fills in what only the engine
//! knows (where `user://` is, JSON lines when nothing else is set).

use game_tracker_core::config::schema::{self as core_schema, DefaultValue, Hint, Kind, KEYS};
use game_tracker_core::Value;
use godot::classes::Os;
use godot::obj::EngineEnum;
use godot::prelude::*;
use godot::register::info::PropertyHint;

/// A folder key's default in a game (`Key::in_game`: the player's own
/// data folder, which every platform lets the game write).
fn in_game(name: &str) -> &'static str {
    core_schema::find(name)
        .and_then(|k| k.in_game)
        .unwrap_or_default()
}

/// One Dictionary per setting: `name` (the `init` key), `default`, `type`
/// (a `Variant.Type`), `hint` (a `PropertyHint`), `hint_string`, `basic`,
/// `from_project` (the Project Setting an empty value stands for, or "").
pub fn schema() -> Array<VarDictionary> {
    let mut out = Array::new();
    for key in KEYS {
        let Some(setting) = key.setting else { continue };
        let kind = setting.kind.unwrap_or(key.kind);
        let default = setting.default.unwrap_or(key.default);
        let mut d = VarDictionary::new();
        d.set("name", key.name);
        d.set("default", &setting_value(default, kind));
        d.set("type", type_of(kind).ord());
        d.set("hint", hint_of(setting.hint).ord());
        d.set(
            "hint_string",
            &hint_string(setting.hint, setting.hint_string, kind),
        );
        d.set("basic", setting.basic);
        d.set("from_project", setting.from_project.unwrap_or_default());
        out.push(&d);
    }
    out
}

/// The setting's hint string; a menu's items are its choices' names.
fn hint_string(hint: Hint, given: &str, kind: Kind) -> GString {
    match (hint, kind) {
        (Hint::Enum, Kind::Choice(names)) if given.is_empty() => GString::from(&names.join(",")),
        _ => given.into(),
    }
}

fn type_of(kind: Kind) -> VariantType {
    match kind {
        Kind::Url | Kind::Text | Kind::Folder | Kind::Choice(_) => VariantType::STRING,
        Kind::Bool => VariantType::BOOL,
        Kind::Seconds | Kind::Number => VariantType::FLOAT,
        Kind::Int => VariantType::INT,
        Kind::Headers => VariantType::DICTIONARY,
        Kind::Names => VariantType::PACKED_STRING_ARRAY,
        Kind::Numbers => VariantType::ARRAY,
    }
}

fn hint_of(hint: Hint) -> PropertyHint {
    match hint {
        Hint::None => PropertyHint::NONE,
        Hint::Range => PropertyHint::RANGE,
        Hint::Enum => PropertyHint::ENUM,
        Hint::Placeholder => PropertyHint::PLACEHOLDER_TEXT,
    }
}

/// A default as Project Settings hold it ("" for an unset String).
fn setting_value(default: DefaultValue, kind: Kind) -> Variant {
    match (default, kind) {
        (DefaultValue::None, _) => "".to_variant(),
        (DefaultValue::Bool(b), _) => b.to_variant(),
        (DefaultValue::Int(i), _) => i.to_variant(),
        (DefaultValue::Float(f), _) => f.to_variant(),
        (DefaultValue::Seconds(d), _) => d.as_secs_f64().to_variant(),
        (DefaultValue::Str(s), _) => s.to_variant(),
        (DefaultValue::Numbers(n), _) => n
            .iter()
            .map(|f| f.to_variant())
            .collect::<VarArray>()
            .to_variant(),
        (DefaultValue::EmptyMap, _) => VarDictionary::new().to_variant(),
        (DefaultValue::EmptyList, Kind::Names) => PackedStringArray::new().to_variant(),
        (DefaultValue::EmptyList, _) => VarArray::new().to_variant(),
    }
}

/// Folder keys may be `user://` paths; the core wants file-system paths.
/// `spool: true` without a folder means the spool's folder in a game; no
/// destination at all means JSON lines in `jsonl_dir`'s; the local store
/// and the session markers get theirs (see `Key::in_game`).
pub fn with_engine_paths(mut fields: Vec<(String, Value)>) -> Vec<(String, Value)> {
    if !core_schema::names_destination(&fields) {
        fields.push(("jsonl_dir".into(), Value::Str(in_game("jsonl_dir").into())));
    }
    let spool_on = fields
        .iter()
        .any(|(k, v)| k == "spool" && *v == Value::Bool(true));
    if spool_on && !fields.iter().any(|(k, _)| k == "spool_dir") {
        fields.push(("spool_dir".into(), Value::Str(in_game("spool_dir").into())));
    }
    if !fields.iter().any(|(k, _)| k == "local_store_dir") {
        fields.push((
            "local_store_dir".into(),
            Value::Str(in_game("local_store_dir").into()),
        ));
    }
    let health_off = fields
        .iter()
        .any(|(k, v)| k == "release_health" && *v == Value::Bool(false));
    if !health_off && !fields.iter().any(|(k, _)| k == "session_dir") {
        fields.push((
            "session_dir".into(),
            Value::Str(in_game("session_dir").into()),
        ));
    }
    for (key, value) in &mut fields {
        let folder = core_schema::find(key).is_some_and(|k| k.kind == Kind::Folder);
        if let (true, Value::Str(path)) = (folder, &*value) {
            if let Some(rest) = path.strip_prefix("user://") {
                let user_dir = Os::singleton().get_user_data_dir();
                *value = Value::Str(format!("{user_dir}/{rest}"));
            }
        }
    }
    fields
}
