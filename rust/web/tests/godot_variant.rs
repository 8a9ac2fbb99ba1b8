//! The worker's reader of Godot's `var_to_bytes` (`godot_variant.rs`) and
//! the tests' writer (`common/godot_bytes.rs`), held to what real Godot
//! writes: every type a game can pass (godot/variant_cases.gd), read back
//! as the native class reads them.

mod common;

use std::time::Duration;

use common::godot_bytes;
use game_tracker_core::model::value::Value;
use game_tracker_testkit::processes::run_godot;
use game_tracker_web::godot_variant;

/// `(hex, expected JSON)` for each case Godot printed.
fn godot_cases() -> Vec<(String, serde_json::Value)> {
    let project = tempdir();
    std::fs::write(project.join("project.godot"), "config_version=5\n").unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/godot/variant_cases.gd"),
        project.join("variant_cases.gd"),
    )
    .unwrap();
    let run = run_godot(
        &project,
        &["--headless", "--script", "res://variant_cases.gd"],
        &[],
        Duration::from_secs(120),
    );
    let cases: Vec<_> = run
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("case: ")?.split_once(' '))
        .map(|(hex, json)| (hex.to_string(), serde_json::from_str(json).unwrap()))
        .collect();
    assert!(
        cases.len() > 40,
        "Godot printed its cases:\n{}",
        run.all_output()
    );
    std::fs::remove_dir_all(&project).ok();
    cases
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("variant-cases-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
#[ignore = "runs Godot; use the README's test command"]
fn every_type_godot_writes_is_read_as_the_native_class_reads_it_and_the_tests_write_the_same_bytes()
{
    let mut wrong = Vec::new();
    for (hex, expected) in godot_cases() {
        let bytes = godot_variant::from_hex(&hex).unwrap();
        let value = match godot_variant::decode(&bytes) {
            Ok(value) => value,
            Err(e) => {
                wrong.push(format!("{expected}: not read from {hex}: {e}"));
                continue;
            }
        };
        let read = serde_json::to_value(&value).unwrap();
        if read != expected {
            wrong.push(format!("{expected}: read as {read}"));
        }
        // The tests' writer: the same bytes for what a hand-over holds.
        let typed_array = bytes[0] == ARRAY && bytes[2] != 0;
        if writable(&value)
            && bytes[0] != STRING_NAME
            && !typed_array
            && godot_bytes::encode(&value) != bytes
        {
            wrong.push(format!("{expected}: written otherwise"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// A name (`&"name"`) and a typed Array (`Array[int]`, its element type in
/// the header): read, never written by the tests.
const STRING_NAME: u8 = 21;
const ARRAY: u8 = 28;

/// What the tests' writer writes: no text made from another type, no
/// typed container or non-text key (their bytes differ, their reading not).
fn writable(value: &Value) -> bool {
    match value {
        Value::Str(s) => !s.starts_with(['(', '[', '<', '{']) && !s.contains([':', '/']),
        Value::List(items) => items.iter().all(writable),
        Value::Map(_) => false,
        _ => true,
    }
}
