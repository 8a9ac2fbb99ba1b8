//! What GameTracker draws, drawn for real: Godot under a private Xvfb with
//! Mesa's OpenGL (`scripts/provision/xvfb.sh`). Each test saves the screenshot (with
//! `GAMETRACKER_UPDATE_DOCS=1` to `docs/`, which the README and docs/in-game.md show, else to
//! a temporary folder) and reads its pixels back: the expected lines of
//! content are there, in many shades.

use std::path::{Path, PathBuf};
use std::time::Duration;

use game_tracker_testkit::picture::{Picture, Region};
use game_tracker_testkit::processes::{
    copy_of, import_project, own_group, run_godot_on_display, wait_with_timeout, Library, TempDir,
};
use game_tracker_testkit::receiver::Receiver;
use game_tracker_testkit::repo_root;

/// One display and one Godot at a time: the tests share the provisioning
/// of Xvfb and Mesa, and two editors at once would slow each other past
/// their timeouts on 2 cores.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn screenshot_dir(keep: &TempDir) -> PathBuf {
    if std::env::var("GAMETRACKER_UPDATE_DOCS").is_ok_and(|v| v == "1") {
        repo_root().join("docs")
    } else {
        keep.0.clone()
    }
}

#[test]
#[ignore = "runs Godot under Xvfb; use the README's test command"]
fn the_overlay_shows_the_trackers_state_over_the_game() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let rx = Receiver::start();
    let project = repo_root().join("tests/godot");
    import_project(&project);
    let tmp = TempDir::new("overlay-shot");
    let dir = screenshot_dir(&tmp);
    let env = [
        ("GAMETRACKER_TEST_ENDPOINT", rx.base_url()),
        ("GAMETRACKER_SCREENSHOT_DIR", dir.display().to_string()),
    ];
    let run = run_godot_on_display(
        &project,
        &["--", "--test=test_overlay"],
        &env,
        Duration::from_secs(180),
    );
    assert!(
        run.status.success(),
        "test_overlay failed ({}):\n{}",
        run.status,
        run.all_output()
    );
    assert!(
        run.engine_failures().is_empty(),
        "engine errors:\n{}",
        run.all_output()
    );
    let shot = dir.join("overlay.png");
    assert!(
        shot.exists(),
        "the screenshot was saved:\n{}",
        run.all_output()
    );
    // Inside the overlay's panel (top left): its seven lines, from the
    // session to the last error.
    let panel = Region {
        x: 16,
        y: 16,
        width: 420,
        height: 170,
    };
    assert_shows(&shot, panel, 7..=7, "the overlay");
}

/// Colours a region of text must hold at least: anti-aliased text and
/// drawings give dozens of shades, a blank or flat panel a handful.
const MIN_COLOURS: usize = 24;

/// The screenshot at `path` shows, in `region`, a number of lines of
/// content in `lines`, in more than a handful of colours.
fn assert_shows(path: &Path, region: Region, lines: std::ops::RangeInclusive<usize>, what: &str) {
    let picture = Picture::load(path);
    let colours = picture.colours(region);
    let shown = picture.content_lines(region);
    assert!(
        colours >= MIN_COLOURS,
        "{what}: {colours} colours in {region:?} of {}",
        path.display()
    );
    assert!(
        lines.contains(&shown),
        "{what}: {shown} lines of content in {region:?}, expected {lines:?} ({})",
        path.display()
    );
}

/// The demo's project.godot with the test plugin enabled too, and only the
/// game's own events (so what the tab received is what `get_stats()` counts
/// as produced: session events, vitals and hitches come from elsewhere).
fn demo_settings_for_the_editor_test() -> String {
    let original = std::fs::read_to_string(repo_root().join("demo_project/project.godot"))
        .expect("the demo's settings");
    let enabled = "enabled=PackedStringArray(\"res://addons/game_tracker/plugin.cfg\")";
    assert!(original.contains(enabled), "the demo enables the plugin");
    original.replace(
        enabled,
        "enabled=PackedStringArray(\"res://addons/game_tracker/plugin.cfg\", \"res://addons/gametracker_test/plugin.cfg\")",
    ) + "\n[game_tracker]\n\nconfig/release_health=false\nconfig/vitals=false\nconfig/capture_hitches=false\n"
}

/// Runs the demo from the editor (a copy of the demo with the test plugin,
/// `tests/editor/debugger_check.gd`); returns the plugin's result.
fn play_the_demo_from_the_editor(
    label: &str,
    extra_args: &[&str],
    shots: &std::path::Path,
) -> serde_json::Value {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let rx = Receiver::start();
    let plugin_cfg = "[plugin]\n\nname=\"GameTracker editor test\"\ndescription=\"Test only\"\nauthor=\"tests\"\nversion=\"1\"\nscript=\"debugger_check.gd\"\n";
    let check = std::fs::read_to_string(repo_root().join("tests/editor/debugger_check.gd"))
        .expect("the test plugin");
    let project = copy_of(
        &repo_root().join("demo_project"),
        label,
        Library::Debug,
        &[
            ("project.godot", demo_settings_for_the_editor_test()),
            ("addons/gametracker_test/plugin.cfg", plugin_cfg.to_string()),
            ("addons/gametracker_test/debugger_check.gd", check),
        ],
    );
    let result = run_the_editor_test(
        &project,
        extra_args,
        &[
            ("GAMETRACKER_SCREENSHOT_DIR", shots.display().to_string()),
            ("GAMETRACKER_LOGS_URL", rx.url("/loki/api/v1/push")),
            ("GAMETRACKER_METRICS_URL", rx.url("/api/v1/metrics/write")),
            ("GAMETRACKER_TRACES_URL", rx.url("/v1/traces")),
        ],
    );
    assert!(
        !rx.requests_to("/v1/traces").is_empty(),
        "the demo's own traffic reached the receiver as usual"
    );
    result
}

/// Runs the editor under Xvfb (or `--headless` in `extra_args`) on
/// `project`, whose test plugin plays the main scene and writes
/// `result.json`; returns that result, checked to have played and found
/// the GameTracker tab.
fn run_the_editor_test(
    project: &Path,
    extra_args: &[&str],
    env: &[(&str, String)],
) -> serde_json::Value {
    let out = TempDir::new("editor-test-out");
    let mut cmd = std::process::Command::new("bash");
    own_group(&mut cmd);
    cmd.arg(repo_root().join("scripts/checks/editor_on_display.sh"))
        .args(extra_args)
        .arg("--path")
        .arg(project)
        .env("GAMETRACKER_EDITOR_TEST_OUT", &out.0)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let output = wait_with_timeout(
        cmd.spawn().expect("start the editor"),
        Duration::from_secs(300),
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let result: serde_json::Value = std::fs::read_to_string(out.0.join("result.json"))
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_else(|| panic!("the test plugin wrote its result:\n{all}"));
    assert_eq!(
        result["played"], true,
        "the editor ran the game: {result}\n{all}"
    );
    assert_eq!(
        result["tab_found"], true,
        "the Debugger panel has a GameTracker tab: {result}\n{all}"
    );
    result
}

/// The tab received exactly what the game's `get_stats()` counts as produced.
fn assert_the_tab_got_every_event(result: &serde_json::Value) {
    let counts = &result["counts"];
    for signal in ["logs", "metrics", "traces"] {
        let received = counts["received"][signal].as_f64().unwrap_or(-1.0);
        let produced = counts["stats"][signal]["produced"].as_f64().unwrap_or(-2.0);
        assert!(
            received > 0.0,
            "{signal}: the tab got the demo's events: {counts}"
        );
        assert_eq!(
            received, produced,
            "{signal}: the tab got what get_stats() counts as produced: {counts}"
        );
    }
    assert_eq!(counts["overflow"], 0, "nothing over the per-message cap");
    assert!(
        counts["stats"]["queue"]["capacity"].as_i64().unwrap_or(0) > 0,
        "the queue's fill is reported: {counts}"
    );
}

#[test]
#[ignore = "runs the Godot editor headless; use the README's test command"]
fn a_headless_editor_runs_the_demo_and_its_debugger_tab_gets_every_event() {
    let tmp = TempDir::new("editor-headless-shots");
    let result = play_the_demo_from_the_editor("editor-debugger-headless", &["--headless"], &tmp.0);
    assert_the_tab_got_every_event(&result);
}

#[test]
#[ignore = "runs the Godot editor under Xvfb; use the README's test command"]
fn the_editor_debugger_tab_shows_the_demo_session_on_screen() {
    let tmp = TempDir::new("editor-shots");
    let shots = screenshot_dir(&tmp);
    let result = play_the_demo_from_the_editor("editor-debugger", &[], &shots);
    assert_the_tab_got_every_event(&result);
    // Each page's content (where the test plugin found it): Logs its
    // filter bar, the table's header and its rows; Metrics the header and a
    // row per series; Traces a trace's title and its spans; Health the two
    // summary lines, the header and a row per signal. The demo makes more
    // rows than fit, so each page is full: at least six lines.
    for (page, lines) in [
        ("logs", 6..=20),
        ("metrics", 6..=20),
        ("traces", 6..=20),
        ("health", 6..=6),
    ] {
        let rect = &result["pages"][page];
        let at = |i: usize| {
            rect[i]
                .as_u64()
                .unwrap_or_else(|| panic!("the {page} page's rect: {result}")) as usize
        };
        let body = Region {
            x: at(0),
            y: at(1),
            width: at(2),
            height: at(3),
        };
        assert_shows(
            &shots.join(format!("debugger_{page}.png")),
            body,
            lines,
            &format!("the {page} page"),
        );
    }
}

/// A session of another build (0.9) in the store folder, written by the
/// core before the game runs: its one log line, no hitch. Returns its id.
fn an_older_session_in(store: &TempDir) -> String {
    use game_tracker_core::model::value::{Fields, Value};
    use game_tracker_core::{Config, DeviceInfo, Level, Tracker};
    let text = |p: &Path| Value::Str(p.to_string_lossy().into());
    let fields = vec![
        ("local_store_dir".to_string(), text(&store.0)),
        ("session_dir".to_string(), text(&store.0.join("older"))),
        ("version".to_string(), Value::Str("0.9".into())),
        ("self_metrics".to_string(), Value::Bool(false)),
    ];
    let tracker = Tracker::start(Config::from_fields(&fields).unwrap(), DeviceInfo::default())
        .expect("a tracker writing the store");
    let id = tracker.session().session_id.clone();
    tracker.log_with(Level::Info, "an older session", Fields::new());
    tracker.shutdown(Duration::from_secs(5));
    id
}

/// The tests' project with the hitch game as its main scene and the
/// GameTracker plugin (which adds the tab) and the timeline test plugin
/// (`tests/editor/timeline_check.gd`) enabled.
fn hitch_game_settings_for_the_editor_test() -> String {
    let original = std::fs::read_to_string(repo_root().join("tests/godot/project.godot"))
        .expect("the tests' settings");
    let main = "run/main_scene=\"res://runner.tscn\"";
    assert!(original.contains(main), "the tests' main scene");
    original.replace(main, "run/main_scene=\"res://hitch_game.tscn\"")
        + "\n[editor_plugins]\n\nenabled=PackedStringArray(\"res://addons/game_tracker/plugin.cfg\", \"res://addons/gametracker_test/plugin.cfg\")\n"
}

#[test]
#[ignore = "runs the Godot editor under Xvfb; use the README's test command"]
fn the_timeline_shows_the_hitch_games_session_live_and_from_its_local_store_file() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = TempDir::new("editor-timeline");
    let shots = screenshot_dir(&tmp);
    let store = TempDir::new("editor-timeline-store");
    let plugin_cfg = "[plugin]\n\nname=\"GameTracker timeline test\"\ndescription=\"Test only\"\nauthor=\"tests\"\nversion=\"1\"\nscript=\"timeline_check.gd\"\n";
    let read = |name: &str| {
        std::fs::read_to_string(repo_root().join("tests/editor").join(name))
            .expect("the test plugin")
    };
    let project = copy_of(
        &repo_root().join("tests/godot"),
        "editor-timeline",
        Library::Debug,
        &[
            ("project.godot", hitch_game_settings_for_the_editor_test()),
            ("addons/gametracker_test/plugin.cfg", plugin_cfg.to_string()),
            (
                "addons/gametracker_test/timeline_check.gd",
                read("timeline_check.gd"),
            ),
            (
                "addons/gametracker_test/debugger_check.gd",
                read("debugger_check.gd"),
            ),
        ],
    );
    let older = an_older_session_in(&store);
    let result = run_the_editor_test(
        &project,
        &[],
        &[
            ("GAMETRACKER_SCREENSHOT_DIR", shots.display().to_string()),
            ("GAMETRACKER_TEST_STORE_DIR", store.0.display().to_string()),
        ],
    );
    assert_eq!(result["open_error"], "", "{result}");
    // The file holds the game's session and the older one: the picker
    // lists both, latest first, and shows the one picked.
    let picker: Vec<&str> = result["picker"]
        .as_array()
        .map(|items| items.iter().filter_map(|i| i.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(result["picker_visible"], true, "{result}");
    // The game's: its four hitches at least (a busy machine may add one).
    let hitches_of = |line: &str| -> Option<u64> {
        line.strip_suffix(" hitches")?
            .rsplit(" · ")
            .next()?
            .parse()
            .ok()
    };
    assert!(
        picker.len() == 2
            && hitches_of(picker[0]).is_some_and(|n| n >= 4)
            && picker[1].ends_with(" · exited · v0.9 · 0 hitches"),
        "the sessions, latest first: {picker:?}"
    );
    assert!(
        result["older_source"]
            .as_str()
            .is_some_and(|s| s.contains(&older)),
        "the older session picked: {result}"
    );
    let older_summary = &result["older"];
    assert!(
        older_summary["hitches"]
            .as_array()
            .is_some_and(Vec::is_empty)
            && older_summary["spans"] == 0
            && older_summary["logs"]["info"].as_u64().unwrap_or(0) >= 1
            && older_summary["logs"]["warn"].is_null(),
        "only its own events, none of the game's: {older_summary}"
    );
    assert_eq!(result["back"], result["file"], "and back to the latest");
    // What the game did: three stalls inside `load_chunk`, one frozen frame,
    // in its one scene, with frame times throughout. Live, the tab puts the
    // hitches together from the feed; from the file, they are the rows the
    // game's worker wrote.
    for source in ["live", "file"] {
        let summary = &result[source];
        let hitches = summary["hitches"].as_array().cloned().unwrap_or_default();
        let stalls: Vec<&serde_json::Value> = hitches
            .iter()
            .filter(|h| {
                h["spans"]
                    .as_array()
                    .is_some_and(|s| s.iter().any(|s| s["name"] == "load_chunk"))
            })
            .collect();
        assert_eq!(stalls.len(), 3, "{source}: every stall: {summary}");
        assert!(
            stalls.iter().all(|h| h["scene"] == "res://hitch_game.tscn"
                && h["duration_ms"].as_f64().unwrap_or(0.0) >= 120.0),
            "{source}: {summary}"
        );
        let frozen = hitches.iter().filter(|h| h["frozen"] == true).count();
        assert_eq!(frozen, 1, "{source}: the frozen frame: {summary}");
        assert!(
            summary["frames"].as_u64().unwrap_or(0) > 3,
            "{source}: frame times: {summary}"
        );
        assert!(
            summary["scenes"]
                .as_array()
                .is_some_and(|s| s.iter().any(|s| s["name"] == "res://hitch_game.tscn")),
            "{source}: the scene: {summary}"
        );
        assert!(
            summary["logs"]["warn"].as_u64().unwrap_or(0) >= 1,
            "{source}: the game's warning before it froze: {summary}"
        );
        assert!(
            summary["spans"].as_u64().unwrap_or(0) >= 3,
            "{source}: the load_chunk spans: {summary}"
        );
    }
    let file_session = &result["file"]["session"];
    assert!(
        file_session[0].as_f64().unwrap_or(0.0) > 0.0
            && file_session[1].as_f64().unwrap_or(0.0) > 0.0,
        "the file's session has its start and end: {file_session}"
    );
    let details = result["details"].as_str().unwrap_or_default();
    assert!(
        details.contains("load_chunk") && details.contains("hitch_game.tscn"),
        "a click on a stall shows its context: {details}"
    );
    let rect = &result["timeline_rect"];
    let at = |i: usize| {
        rect[i]
            .as_u64()
            .unwrap_or_else(|| panic!("the timeline's rect: {result}")) as usize
    };
    let picture = Picture::load(&shots.join("debugger_timeline.png"));
    let region = Region {
        x: at(0),
        y: at(1),
        width: at(2),
        height: at(3),
    };
    assert!(
        picture.colours(region) >= 8,
        "the timeline is drawn in many colours"
    );
}
