//! What GameTracker draws, drawn for real: Godot under a private Xvfb with
//! Mesa's OpenGL (`scripts/xvfb.sh`). Each test checks the pixels are not
//! blank and saves the screenshot; with `GAMETRACKER_UPDATE_DOCS=1` it goes
//! to `docs/` (the README shows it), else to a temporary folder.

use std::path::PathBuf;
use std::time::Duration;

use game_tracker_testkit::processes::{import_project, run_godot_on_display, TempDir};
use game_tracker_testkit::receiver::Receiver;
use game_tracker_testkit::repo_root;

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
    let rx = Receiver::start();
    let project = repo_root().join("tests/godot");
    import_project(&project);
    let tmp = TempDir::new("overlay-shot");
    let dir = screenshot_dir(&tmp);
    let env = [("GAMETRACKER_TEST_ENDPOINT", rx.base_url()), ("GAMETRACKER_SCREENSHOT_DIR", dir.display().to_string())];
    let run = run_godot_on_display(&project, &["--", "--test=test_overlay"], &env, Duration::from_secs(180));
    assert!(run.status.success(), "test_overlay failed ({}):\n{}", run.status, run.all_output());
    assert!(run.engine_failures().is_empty(), "engine errors:\n{}", run.all_output());
    let png = std::fs::metadata(dir.join("overlay.png")).unwrap_or_else(|e| panic!("the screenshot was saved ({e}):\n{}", run.all_output()));
    assert!(png.len() > 10_000, "a real picture, {} bytes", png.len());
}
