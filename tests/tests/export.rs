//! The demo as players get it: exported headless with `--export-release`,
//! then run from a folder with no project beside it. The export must place
//! the library the `.gdextension` names, and the exported game must load it
//! and deliver the demo's events to a receiver. Also: every platform the
//! `.gdextension` lists resolves for exported debug and release builds.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use game_tracker_testkit::demo::{assert_demo_delivered, copy_demo_files, web_demo_project};
use game_tracker_testkit::processes::{copy_addon, import_project, wait_with_timeout, Library};
use game_tracker_testkit::receiver::Receiver;
use game_tracker_testkit::repo_root;

/// A demo project in `target/godot-copies/<name>` with the addon (its host
/// library in release), `edit` applied to it, imported and exported headless
/// with `--export-release`. Returns the exported game, its folder, and an
/// empty folder to run it from.
fn export_demo(name: &str, edit: impl Fn(&Path)) -> (PathBuf, PathBuf, PathBuf) {
    let (game, out, elsewhere, _log) = export_demo_with_log(name, edit);
    (game, out, elsewhere)
}

/// [`export_demo`], and what the export printed.
fn export_demo_with_log(name: &str, edit: impl Fn(&Path)) -> (PathBuf, PathBuf, PathBuf, String) {
    let root = repo_root();
    let work = root.join("target/godot-copies").join(name);
    let _ = std::fs::remove_dir_all(&work);
    let (project, out, elsewhere) = (
        work.join("project"),
        work.join("out"),
        work.join("elsewhere"),
    );
    for dir in [&project, &out, &elsewhere] {
        std::fs::create_dir_all(dir).unwrap();
    }
    copy_demo_files(&project);
    copy_addon(&project, Library::Release);
    edit(&project);
    let template = Command::new("bash")
        .arg(root.join("scripts/checks/export_template.sh"))
        .output()
        .expect("make the template");
    assert!(
        template.status.success(),
        "{}",
        String::from_utf8_lossy(&template.stderr)
    );
    let template = String::from_utf8(template.stdout)
        .unwrap()
        .trim()
        .to_string();
    let preset = std::fs::read_to_string(root.join("demo_project/export_presets.cfg"))
        .unwrap()
        .replace(
            "custom_template/debug=\"\"",
            &format!("custom_template/debug=\"{template}\""),
        )
        .replace(
            "custom_template/release=\"\"",
            &format!("custom_template/release=\"{template}\""),
        );
    std::fs::write(project.join("export_presets.cfg"), preset).unwrap();
    import_project(&project);

    let game = out.join("demo.x86_64");
    let export = Command::new("bash")
        .arg(root.join("scripts/provision/godot.sh"))
        .args(["--headless", "--path"])
        .arg(&project)
        .args(["--export-release", "Linux"])
        .arg(&game)
        .output()
        .expect("export");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&export.stdout),
        String::from_utf8_lossy(&export.stderr)
    );
    assert!(export.status.success(), "export failed:\n{log}");
    (game, out, elsewhere, log)
}

fn placed_files(out: &Path) -> BTreeSet<String> {
    std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Starts the exported game from `folder` with `GAMETRACKER_ENDPOINT`.
fn run_exported(game: &Path, folder: &Path, rx: &Receiver) -> std::process::Output {
    run_exported_with(game, folder, Some(rx))
}

/// Starts the exported game from `folder`, with `rx` as its endpoint or,
/// as a developer first runs it, with none.
fn run_exported_with(game: &Path, folder: &Path, rx: Option<&Receiver>) -> std::process::Output {
    let mut command = Command::new("bash");
    command
        .arg(repo_root().join("scripts/checks/run_exported.sh"))
        .arg(game)
        .arg("--headless")
        .current_dir(folder);
    match rx {
        Some(rx) => command.env("GAMETRACKER_ENDPOINT", rx.base_url()),
        None => command.env_remove("GAMETRACKER_ENDPOINT"),
    };
    let child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run the exported game");
    wait_with_timeout(child, Duration::from_secs(120))
}

#[test]
#[ignore = "runs Godot; use the README's test command"]
fn the_exported_demo_loads_its_library_and_delivers_from_another_folder() {
    let (game, out, elsewhere) = export_demo("export", |_| {});
    assert_eq!(
        placed_files(&out),
        ["demo.pck", "demo.x86_64", "libgame_tracker.so"]
            .map(String::from)
            .into(),
        "what the export placed"
    );
    let rx = Receiver::start();
    let run = run_exported(&game, &elsewhere, &rx);
    assert_demo_delivered(&run, &rx, "the exported game");
}

/// What every target without a library (iOS, 32-bit, Android arm32)
/// gets, tried on Linux with its `[libraries]` entry made the editor's
/// only (`linux.x86_64.editor`): the editor runs with the library, as it
/// does when a developer exports for such a target, and the export has
/// none. The export substitutes the stand-in with no error in its log, and
/// the demo, whose script names `GameTrackerSpan` and infers types from the
/// calls, runs its whole session and exits 0, with one line saying why
/// nothing is sent.
#[test]
#[ignore = "runs Godot; use the README's test command"]
fn the_demo_exported_for_a_platform_with_no_library_runs_on_the_stand_in() {
    runs_on_the_stand_in("export-stand-in", |line| {
        Some(if line.starts_with("linux.x86_64") {
            line.replacen("linux.x86_64", "linux.x86_64.editor", 1)
        } else {
            line.to_string()
        })
    });
}

/// The demo exported with each line of its `.gdextension` through `edit`
/// (`None` drops it) runs from another folder on the stand-in.
fn runs_on_the_stand_in(name: &str, edit: impl Fn(&str) -> Option<String>) {
    let (game, out, elsewhere, export_log) = export_demo_with_log(name, |project| {
        let file = project.join("addons/game_tracker/game_tracker.gdextension");
        let text = std::fs::read_to_string(&file).unwrap();
        let edited: String = text
            .lines()
            .filter_map(&edit)
            .map(|l| format!("{l}\n"))
            .collect();
        assert_ne!(edited, text, "the Linux entry was there to change");
        std::fs::write(&file, edited).unwrap();
    });
    let export_errors: Vec<&str> = export_log
        .lines()
        .filter(|l| l.contains("ERROR") || l.contains("Parse Error"))
        .collect();
    assert!(
        export_errors.is_empty(),
        "no script or parse error in the export: {export_errors:?}\n{export_log}"
    );
    assert_eq!(
        placed_files(&out),
        ["demo.pck", "demo.x86_64"].map(String::from).into(),
        "no library placed"
    );
    let rx = Receiver::start();
    // With an endpoint, and with none: the demo then asks the local store
    // for its export, which the stand-in answers with the native keys.
    for endpoint in [Some(&rx), None] {
        let run = run_exported_with(&game, &elsewhere, endpoint);
        let stdout = String::from_utf8_lossy(&run.stdout);
        let stderr = String::from_utf8_lossy(&run.stderr);
        let all = format!(
            "endpoint {}:\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
            endpoint.is_some()
        );
        assert!(
            run.status.success(),
            "the game exits 0 ({}):\n{all}",
            run.status
        );
        let errors: Vec<&str> = stdout
            .lines()
            .chain(stderr.lines())
            .filter(|l| l.contains("ERROR"))
            .collect();
        assert!(
            errors.is_empty(),
            "no script or engine error: {errors:?}\n{all}"
        );
        assert_eq!(
            stdout
                .matches("GameTracker: no library for this platform (Linux, x86_64)")
                .count(),
            1,
            "one line says why:\n{all}"
        );
        assert!(
            stdout.contains("demo: summary"),
            "the scripted session completed:\n{all}"
        );
        assert!(!stderr.contains("WARNING"), "no warning per call:\n{all}");
    }
    assert!(rx.requests().is_empty(), "nothing sent");
}

/// A Web export, as far as it can be made here: `--export-pack` runs the
/// export plugin as a Web export does, and needs no Web template (none can
/// be fetched). The pack must make the Web autoload `GameTracker` and name
/// its scripts `GameTrackerClient` and `GameTrackerSpan`, hold the page's
/// glue and the `init` keys' table; the worker's files must be placed
/// beside it; the export log must show no error. (A browser running it: tests/tests/web.rs, with templates.)
#[test]
#[ignore = "runs Godot; use the README's test command"]
fn a_web_export_gets_the_web_autoload_its_glue_and_the_workers_files() {
    let root = repo_root();
    let (project, out) = web_demo_project("export-web-pack", "");
    let module = project.join("addons/game_tracker/bin/web");
    let pack = out.join("demo.pck");
    let export = Command::new("bash")
        .arg(root.join("scripts/provision/godot.sh"))
        .args(["--headless", "--path"])
        .arg(&project)
        .args(["--export-pack", "Web"])
        .arg(&pack)
        .output()
        .expect("export");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&export.stdout),
        String::from_utf8_lossy(&export.stderr)
    );
    assert!(
        export.status.success() && pack.exists(),
        "export failed:\n{log}"
    );
    let errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("ERROR") || l.contains("Parse Error"))
        .collect();
    assert!(
        errors.is_empty(),
        "no error in the export: {errors:?}\n{log}"
    );
    for file in [
        "game_tracker_worker.js",
        "game_tracker_web.js",
        "game_tracker_web_bg.wasm",
    ] {
        let placed = std::fs::read(out.join(file))
            .unwrap_or_else(|e| panic!("{file} beside the pack: {e}\n{log}"));
        let source = if file == "game_tracker_worker.js" {
            root.join("addons/game_tracker/web").join(file)
        } else {
            module.join(file)
        };
        assert_eq!(
            placed,
            std::fs::read(source).unwrap(),
            "{file}: the addon's own"
        );
    }
    // A pack stores its files whole: what it holds is found by their text.
    let bytes = std::fs::read(&pack).unwrap();
    let holds = |text: &str| bytes.windows(text.len()).any(|w| w == text.as_bytes());
    let glue =
        std::fs::read_to_string(root.join("addons/game_tracker/web/game_tracker_page.js")).unwrap();
    assert!(holds(&glue), "the page's glue, whole, in the pack");
    assert!(
        holds("addons/game_tracker/web/settings_schema.txt") && holds("\"name\": \"endpoint\""),
        "the init keys' table"
    );
    assert!(
        holds("*res://addons/game_tracker/web/web_tracker.gd"),
        "the autoload is the Web's"
    );
    assert!(
        holds("\"path\": \"res://addons/game_tracker/web/web_tracker.gd\""),
        "GameTrackerClient names it in the class cache"
    );
    assert!(
        holds("\"path\": \"res://addons/game_tracker/web/web_span.gd\""),
        "GameTrackerSpan names the Web span"
    );
}

/// Godot picks a library by feature tags: an entry applies when all its
/// dot-separated tags are among the running build's (OS, architecture,
/// `debug`/`release`, on the Web `threads` or `nothreads`), and the one with
/// the most tags wins. Every platform the file lists must find exactly one
/// best entry in both exported builds, and the Web none (it loads no
/// GDExtension: the export plugin gives it the Web worker instead).
#[test]
fn every_listed_platform_resolves_for_exported_debug_and_release_builds() {
    let text =
        std::fs::read_to_string(repo_root().join("addons/game_tracker/game_tracker.gdextension"))
            .unwrap();
    let libraries = text
        .split("[libraries]")
        .nth(1)
        .expect("a [libraries] section");
    let entries: Vec<(BTreeSet<&str>, &str)> = libraries
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().split('.').collect(), v.trim().trim_matches('"')))
        .collect();
    let platforms = [
        ("linux", "x86_64", ""),
        ("linux", "arm64", ""),
        ("windows", "x86_64", ""),
        ("macos", "universal", ""),
        ("android", "arm64", ""),
        ("android", "x86_64", ""),
        ("ios", "arm64", ""),
    ];
    for (os, arch, variant) in platforms {
        for build in ["debug", "release"] {
            let features: BTreeSet<&str> = [os, arch, build, variant]
                .into_iter()
                .filter(|t| !t.is_empty())
                .collect();
            let matching: Vec<&(BTreeSet<&str>, &str)> = entries
                .iter()
                .filter(|(tags, _)| tags.is_subset(&features))
                .collect();
            let most = matching
                .iter()
                .map(|(tags, _)| tags.len())
                .max()
                .unwrap_or(0);
            let best: Vec<&str> = matching
                .iter()
                .filter(|(tags, _)| tags.len() == most)
                .map(|(_, path)| *path)
                .collect();
            assert_eq!(best.len(), 1, "{features:?} resolves to {best:?}");
            assert!(
                best[0].starts_with("res://addons/game_tracker/bin/"),
                "{}",
                best[0]
            );
        }
    }
    for variant in ["threads", "nothreads"] {
        let features: BTreeSet<&str> = ["web", "wasm32", "release", variant].into();
        assert!(
            entries.iter().all(|(tags, _)| !tags.is_subset(&features)),
            "no library for the Web ({variant})"
        );
    }
}
