//! The demo as players get it: exported headless with `--export-release`,
//! then run from a folder with no project beside it. The export must place
//! the library the `.gdextension` names, and the exported game must load it
//! and deliver the demo's events to a receiver. Also: every platform the
//! `.gdextension` lists resolves for exported debug and release builds.

use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

use game_tracker_testkit::demo::assert_demo_delivered;
use game_tracker_testkit::processes::{copy_addon, import_project, wait_with_timeout, Library};
use game_tracker_testkit::receiver::Receiver;
use game_tracker_testkit::repo_root;

#[test]
#[ignore = "runs Godot; use the README's test command"]
fn the_exported_demo_loads_its_library_and_delivers_from_another_folder() {
    let root = repo_root();
    let work = root.join("target/godot-copies/export");
    let _ = std::fs::remove_dir_all(&work);
    let (project, out, elsewhere) = (work.join("project"), work.join("out"), work.join("elsewhere"));
    for dir in [&project, &out, &elsewhere] {
        std::fs::create_dir_all(dir).unwrap();
    }
    for name in ["project.godot", "main.gd", "main.tscn"] {
        std::fs::copy(root.join("demo_project").join(name), project.join(name)).unwrap();
    }
    copy_addon(&project, Library::Release);
    let template = Command::new("bash").arg(root.join("scripts/export_template.sh")).output().expect("make the template");
    assert!(template.status.success(), "{}", String::from_utf8_lossy(&template.stderr));
    let template = String::from_utf8(template.stdout).unwrap().trim().to_string();
    let preset = std::fs::read_to_string(root.join("demo_project/export_presets.cfg"))
        .unwrap()
        .replace("custom_template/debug=\"\"", &format!("custom_template/debug=\"{template}\""))
        .replace("custom_template/release=\"\"", &format!("custom_template/release=\"{template}\""));
    std::fs::write(project.join("export_presets.cfg"), preset).unwrap();
    import_project(&project);

    let game = out.join("demo.x86_64");
    let export = Command::new("bash")
        .arg(root.join("scripts/godot.sh"))
        .args(["--headless", "--path"])
        .arg(&project)
        .args(["--export-release", "Linux"])
        .arg(&game)
        .output()
        .expect("export");
    assert!(export.status.success(), "export failed:\n{}", String::from_utf8_lossy(&export.stderr));
    let placed: BTreeSet<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(placed, ["demo.pck", "demo.x86_64", "libgame_tracker.so"].map(String::from).into(), "what the export placed");

    let rx = Receiver::start();
    let child = Command::new("bash")
        .arg(root.join("scripts/run_exported.sh"))
        .arg(&game)
        .arg("--headless")
        .current_dir(&elsewhere)
        .env("GAMETRACKER_ENDPOINT", rx.base_url())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run the exported game");
    let run = wait_with_timeout(child, Duration::from_secs(120));
    assert_demo_delivered(&run, &rx, "the exported game");
}

/// Godot picks a library by feature tags: an entry applies when all its
/// dot-separated tags are among the running build's (OS, architecture,
/// `debug`/`release`). Every platform the file lists must find exactly one
/// entry in both exported builds.
#[test]
fn every_listed_platform_resolves_for_exported_debug_and_release_builds() {
    let text = std::fs::read_to_string(repo_root().join("addons/game_tracker/game_tracker.gdextension")).unwrap();
    let libraries = text.split("[libraries]").nth(1).expect("a [libraries] section");
    let entries: Vec<(BTreeSet<&str>, &str)> = libraries
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().split('.').collect(), v.trim().trim_matches('"')))
        .collect();
    let platforms = [("linux", "x86_64"), ("linux", "arm64"), ("windows", "x86_64"), ("macos", "universal"), ("android", "arm64"), ("android", "x86_64")];
    for (os, arch) in platforms {
        for build in ["debug", "release"] {
            let features: BTreeSet<&str> = [os, arch, build].into();
            let matching: Vec<&str> = entries.iter().filter(|(tags, _)| tags.is_subset(&features)).map(|(_, path)| *path).collect();
            assert_eq!(matching.len(), 1, "{os}.{build}.{arch} resolves to {matching:?}");
            assert!(matching[0].starts_with("res://addons/game_tracker/bin/"), "{}", matching[0]);
        }
    }
}
