//! What one whole run of `demo_project` must deliver, wherever it ran: as an
//! exported game (tests/tests/export.rs) or in arm64 Godot under qemu
//! (tests/tests/arm64.rs).

use std::path::Path;
use std::process::Output;

use crate::decode::{loki_lines, otlp_spans};
use crate::receiver::Receiver;

/// A hitch's log line and span (the core's `hitches::report::HITCH`; this
/// crate is below the core, whose tests use it).
const HITCH: &str = "hitch";

/// The run succeeded, loaded the library, accounted for every event, and
/// `rx` got the demo's 12 log lines (plus release health's session events
/// and any hitches), its 12 spans and its metrics.
pub fn assert_demo_delivered(run: &Output, rx: &Receiver, what: &str) {
    let stdout = String::from_utf8_lossy(&run.stdout);
    let output = format!("{stdout}{}", String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "{what} failed:\n{output}");
    assert!(
        stdout.contains("Initialize godot-rust"),
        "{what}: the library was loaded:\n{output}"
    );
    for signal in ["logs", "metrics", "traces"] {
        let line = stdout
            .lines()
            .find(|l| l.contains(&format!("demo:   {signal}")))
            .unwrap_or_else(|| panic!("{output}"));
        assert!(
            line.contains(" dropped=0") && line.contains(" pending=0"),
            "{what}: {line}"
        );
    }
    // A hitch line is the machine's, not the demo's: emulation and busy
    // machines make slow frames (qemu made one as the demo quit).
    let messages: Vec<String> = loki_lines(&rx.requests_to("/loki/api/v1/push"))
        .iter()
        .map(|l| l["msg"].as_str().unwrap().to_string())
        .filter(|m| m != HITCH)
        .collect();
    assert_eq!(
        messages
            .iter()
            .filter(|m| !m.starts_with("session_"))
            .count(),
        12,
        "{what}: {messages:?}"
    );
    assert_eq!(
        messages.last().map(String::as_str),
        Some("session_end"),
        "{what}: sent at quit: {messages:?}"
    );
    assert_eq!(
        otlp_spans(&rx.requests_to("/v1/traces"))
            .iter()
            .filter(|s| s.name != HITCH)
            .count(),
        12,
        "{what}"
    );
    // The demo's flush, and at quit the last snapshot (game_sessions_total{status="exited"});
    // the tracker's own metrics may add a snapshot between.
    let snapshots = rx.requests_to("/api/v1/metrics/write").len();
    assert!(
        (2..=4).contains(&snapshots),
        "{what}: {snapshots} metrics requests"
    );
}

/// The demo's own files (project, scenes, scripts), without the addon or
/// the editor's state, into `project`.
pub fn copy_demo_files(project: &Path) {
    let demo = crate::repo_root().join("demo_project");
    for entry in std::fs::read_dir(&demo)
        .expect("read demo_project")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        let own = ["godot", "gd", "tscn", "uid"]
            .iter()
            .any(|ext| name.ends_with(&format!(".{ext}")));
        if own && entry.path().is_file() {
            std::fs::copy(entry.path(), project.join(&name)).expect("copy a demo file");
        }
    }
}

/// `target/godot-copies/<name>/project`: the demo with the addon (its host
/// library in release, and the Web worker's module that
/// `scripts/build.sh --release --target web` built) and a Web preset with
/// `template` as its custom template ("" for none: `--export-pack` needs
/// none), Thread and Extensions Support off; imported. Returns it and an
/// empty `out` folder beside it.
pub fn web_demo_project(name: &str, template: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let root = crate::repo_root();
    let work = root.join("target/godot-copies").join(name);
    let _ = std::fs::remove_dir_all(&work);
    let (project, out) = (work.join("project"), work.join("out"));
    for dir in [&project, &out] {
        std::fs::create_dir_all(dir).unwrap();
    }
    copy_demo_files(&project);
    crate::processes::copy_addon(&project, crate::processes::Library::Release);
    let module = project.join("addons/game_tracker/bin/web");
    std::fs::create_dir_all(&module).unwrap();
    for file in ["game_tracker_web.js", "game_tracker_web_bg.wasm"] {
        std::fs::copy(
            root.join("addons/game_tracker/bin/web").join(file),
            module.join(file),
        )
        .unwrap_or_else(|e| panic!("{file}: {e} (scripts/build.sh --release --target web)"));
    }
    let preset = format!(
        "[preset.0]\n\nname=\"Web\"\nplatform=\"Web\"\nrunnable=true\nexport_filter=\"all_resources\"\n\
         include_filter=\"\"\nexclude_filter=\"telemetry_out/*\"\nexport_path=\"\"\n\n[preset.0.options]\n\n\
         custom_template/debug=\"{template}\"\ncustom_template/release=\"{template}\"\n\
         variant/extensions_support=false\nvariant/thread_support=false\nhtml/canvas_resize_policy=2\n\
         progressive_web_app/enabled=false\n"
    );
    std::fs::write(project.join("export_presets.cfg"), preset).unwrap();
    crate::processes::import_project(&project);
    (project, out)
}
