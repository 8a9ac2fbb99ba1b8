//! The release package as a game developer without Rust uses it:
//! `scripts/package.sh` builds the zip; it is unpacked into a brand-new
//! project, the plugin is enabled in a headless editor (which adds the
//! autoload), and a scene calls the API against a loopback receiver.

use std::process::Command;
use std::time::Duration;

use game_tracker_testkit::decode::{loki_lines, otlp_spans};
use game_tracker_testkit::processes::run_godot;
use game_tracker_testkit::receiver::Receiver;
use game_tracker_testkit::repo_root;

const MAIN_GD: &str = "extends Node

func _ready() -> void:
\tGameTracker.init({\"endpoint\": OS.get_environment(\"GAMETRACKER_ENDPOINT\"), \"game\": \"packaged\"})
\tGameTracker.log_info(\"hello from the package\", {\"level\": \"forest\"})
\tGameTracker.increment(\"launches\")
\tvar span = GameTracker.start_span(\"first_scene\")
\tspan.end()
\tprint(\"package: flushed=%s\" % GameTracker.flush_and_wait(5.0))
\tget_tree().quit()
";

#[test]
#[ignore = "runs Godot; use the README's test command"]
fn the_release_zip_works_in_a_brand_new_project() {
    let root = repo_root();
    let packaged = Command::new("bash")
        .arg(root.join("scripts/package.sh"))
        .output()
        .expect("run scripts/package.sh");
    assert!(
        packaged.status.success(),
        "{}",
        String::from_utf8_lossy(&packaged.stderr)
    );
    let zip = String::from_utf8(packaged.stdout)
        .unwrap()
        .trim()
        .to_string();
    assert!(zip.ends_with("game_tracker-0.1.0.zip"), "{zip}");

    let project = root.join("target/godot-copies/package");
    let _ = std::fs::remove_dir_all(&project);
    std::fs::create_dir_all(&project).unwrap();
    let unzip = Command::new("python3")
        .args(["-m", "zipfile", "-e", &zip])
        .arg(&project)
        .status()
        .expect("unzip");
    assert!(unzip.success());
    for file in [
        "LICENSE",
        "README.md",
        "plugin.cfg",
        "game_tracker.gdextension",
        "bin/libgame_tracker.so",
        "ci/import.sh",
    ] {
        assert!(
            project.join("addons/game_tracker").join(file).is_file(),
            "{file} is in the package"
        );
    }
    // The test-only plugin that enables GameTracker the way the Plugins tab does.
    let check = root.join("tests/plugin_check");
    std::fs::create_dir_all(project.join("addons/plugin_check")).unwrap();
    std::fs::copy(
        check.join("plugin_check.cfg"),
        project.join("addons/plugin_check/plugin.cfg"),
    )
    .unwrap();
    std::fs::copy(
        check.join("plugin_check.gd"),
        project.join("addons/plugin_check/plugin.gd"),
    )
    .unwrap();
    std::fs::write(
        project.join("project.godot"),
        "config_version=5\n\n[application]\n\nconfig/name=\"Packaged\"\nrun/main_scene=\"res://main.tscn\"\n\n\
         [editor_plugins]\n\nenabled=PackedStringArray(\"res://addons/plugin_check/plugin.cfg\")\n",
    )
    .unwrap();
    std::fs::write(project.join("main.gd"), MAIN_GD).unwrap();
    std::fs::write(
        project.join("main.tscn"),
        "[gd_scene format=3]\n\n[ext_resource type=\"Script\" path=\"res://main.gd\" id=\"1\"]\n\n[node name=\"Main\" type=\"Node\"]\nscript = ExtResource(\"1\")\n",
    )
    .unwrap();

    let import = Command::new("sh")
        .arg("addons/game_tracker/ci/import.sh")
        .current_dir(&project)
        .env("GODOT", root.join("scripts/provision/godot.sh"))
        .output()
        .expect("import");
    assert!(
        import.status.success(),
        "import: {}",
        String::from_utf8_lossy(&import.stderr)
    );
    let enable = run_godot(
        &project,
        &["--editor"],
        &[("GAMETRACKER_PLUGIN_ENABLE", "1".into())],
        Duration::from_secs(120),
    );
    assert!(
        enable.stdout.contains("plugin-enable: autoload=true"),
        "{}",
        enable.all_output()
    );
    let saved = std::fs::read_to_string(project.join("project.godot")).unwrap();
    // Godot 4.6 saves the autoload's path as the script's uid.
    assert!(
        saved.contains("GameTracker=\"*"),
        "the autoload is saved: {saved}"
    );

    let rx = Receiver::start();
    let run = run_godot(
        &project,
        &[],
        &[("GAMETRACKER_ENDPOINT", rx.base_url())],
        Duration::from_secs(120),
    );
    assert!(
        run.status.success() && run.engine_failures().is_empty(),
        "{}",
        run.all_output()
    );
    assert!(
        run.stdout.contains("package: flushed=true"),
        "{}",
        run.all_output()
    );
    // Release health is on by default: the scene's line between the
    // session's start and end.
    let lines = loki_lines(&rx.requests_to("/loki/api/v1/push"));
    let messages: Vec<&str> = lines.iter().filter_map(|l| l["msg"].as_str()).collect();
    assert_eq!(
        messages,
        ["session_start", "hello from the package", "session_end"],
        "{lines:?}"
    );
    assert_eq!(lines[1]["data"]["level"], "forest");
    assert_eq!(otlp_spans(&rx.requests_to("/v1/traces")).len(), 1);
    // The scene's flush, and at quit the last snapshot (game_sessions_total{status="exited"}).
    assert_eq!(rx.requests_to("/api/v1/metrics/write").len(), 2);
}
