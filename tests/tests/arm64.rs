//! The demo in Debian's arm64 Godot under qemu-user, with the arm64 library
//! that `scripts/build.sh --target linux-arm64` built. Run by
//! `scripts/cross_test.sh linux-arm64`, which provisions that Godot and names
//! its launcher in `GAMETRACKER_GODOT_ARM64`: about a minute of emulation,
//! too slow for every test run.

use std::process::{Command, Stdio};
use std::time::Duration;

use game_tracker_testkit::demo::{assert_demo_delivered, copy_demo_files};
use game_tracker_testkit::processes::{copy_addon, import_project, wait_with_timeout, Library};
use game_tracker_testkit::receiver::Receiver;
use game_tracker_testkit::repo_root;

#[test]
#[ignore = "emulated arm64 Godot; run by scripts/cross_test.sh linux-arm64"]
fn the_demo_delivers_with_the_arm64_library_under_qemu() {
    let godot = std::env::var("GAMETRACKER_GODOT_ARM64")
        .expect("GAMETRACKER_GODOT_ARM64 names the arm64 Godot launcher");
    let root = repo_root();
    let arm64_library = root.join("addons/game_tracker/bin/linux-arm64/libgame_tracker.so");
    assert!(
        arm64_library.is_file(),
        "build it first: scripts/build.sh --release --target linux-arm64"
    );

    let project = root.join("target/godot-copies/arm64");
    let _ = std::fs::remove_dir_all(&project);
    std::fs::create_dir_all(&project).unwrap();
    copy_demo_files(&project);
    // The host's Godot imports the project (an emulated first import takes
    // minutes); then only the arm64 library is left, so the emulated Godot
    // can start only by loading the one the `.gdextension` names for arm64.
    copy_addon(&project, Library::Release);
    import_project(&project);
    let bin = project.join("addons/game_tracker/bin");
    std::fs::remove_file(bin.join("libgame_tracker.so")).unwrap();
    std::fs::create_dir_all(bin.join("linux-arm64")).unwrap();
    std::fs::copy(&arm64_library, bin.join("linux-arm64/libgame_tracker.so")).unwrap();

    let rx = Receiver::start();
    let child = Command::new(&godot)
        .args(["--headless", "--path"])
        .arg(&project)
        .env("GAMETRACKER_ENDPOINT", rx.base_url())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the arm64 Godot");
    let run = wait_with_timeout(child, Duration::from_secs(600));
    assert_demo_delivered(&run, &rx, "the arm64 demo");
}
