//! The local store in a real Godot process: the demo's database answers the
//! questions of docs/local-store.md in Debian's sqlite3 shell, with the demo's numbers.
//! (A game killed while it writes: tests/tests/release_health.rs.)

use std::time::Duration;

use game_tracker_testkit::demo::copy_demo_files;
use game_tracker_testkit::processes::{copy_addon, import_project, run_godot, Library};
use game_tracker_testkit::repo_root;
use game_tracker_testkit::sqlite::{documented_query, sqlite3};

#[test]
#[ignore = "runs Godot; use the README's test command"]
fn the_demos_database_answers_the_documented_questions_with_the_demos_numbers() {
    // A copy of the demo, so that its database holds this run only.
    let project = repo_root().join("target/godot-copies/local-store-demo");
    let _ = std::fs::remove_dir_all(&project);
    std::fs::create_dir_all(&project).unwrap();
    copy_demo_files(&project);
    copy_addon(&project, Library::Debug);
    import_project(&project);
    let run = run_godot(&project, &[], &[], Duration::from_secs(120));
    assert!(run.status.success(), "demo failed:\n{}", run.all_output());
    let db = project.join("telemetry_db/telemetry.db");
    assert_eq!(sqlite3(&db, "PRAGMA integrity_check;"), "ok");

    // One session; the demo logs an error, so it ended `errored`.
    assert_eq!(
        sqlite3(&db, &documented_query("Sessions by version and status")),
        "1.0.0|errored|1"
    );
    assert_eq!(
        sqlite3(&db, &documented_query("Errors by version")),
        "1.0.0|1"
    );
    // The demo's own counts: 5 purchases, 3 levels loaded (each a span with
    // its children), 2 of them found.
    let frequent = sqlite3(&db, &documented_query("The most frequent events"));
    let frequent: Vec<&str> = frequent.lines().collect();
    assert_eq!(frequent.len(), 10, "{frequent:?}");
    assert_eq!(frequent[0], "log|purchase_attempt|5");
    for row in [
        "span|level_load|3",
        "log|level_loaded|2",
        "log|level_load_failed|1",
    ] {
        assert!(frequent.contains(&row), "{row} in {frequent:?}");
    }
    // The vitals' frame times, under the demo's one scene.
    let p95 = sqlite3(&db, &documented_query("p95 frame time by scene"));
    let (scene, ms) = p95.split_once('|').unwrap_or_else(|| panic!("{p95}"));
    assert_eq!(scene, "res://main.tscn");
    assert!(ms.parse::<f64>().is_ok_and(|ms| ms > 0.0), "{p95}");
    // No session died here: no breadcrumbs to show.
    assert_eq!(
        sqlite3(&db, &documented_query("A crashed session's breadcrumbs")),
        ""
    );
    // Every event the demo made is a row: its 12 spans, its logs and the
    // session's own start and end.
    let summary = |signal: &str| -> u64 {
        let line = run
            .stdout
            .lines()
            .find(|l| l.contains(&format!("demo:   {signal}")))
            .expect("summary line");
        line.split_whitespace()
            .find_map(|w| w.strip_prefix("produced="))
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(
        sqlite3(&db, "SELECT count(*) FROM events WHERE kind = 'span';"),
        summary("traces").to_string()
    );
    // The summary is printed before the session ends: session_end comes after.
    assert_eq!(
        sqlite3(&db, "SELECT count(*) FROM events WHERE kind = 'log';"),
        (summary("logs") + 1).to_string()
    );

    // The demo exported its run (as a tester would), before its end; merged
    // twice into one file, it counts the same as once.
    let export = project.join("telemetry_db/export.db");
    let exported = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("demo: exported "))
        .expect("the demo says what it exported");
    let rows: u64 = exported.split_whitespace().next().unwrap().parse().unwrap();
    let counts = "SELECT (SELECT count(*) FROM sessions) || ' ' || (SELECT count(*) FROM events) || ' ' || (SELECT count(*) FROM metric_snapshots);";
    let source = sqlite3(&export, counts);
    let in_export: u64 = source
        .split(' ')
        .skip(1)
        .map(|n| n.parse::<u64>().unwrap())
        .sum();
    assert_eq!(
        (in_export, source.split(' ').next()),
        (rows, Some("1")),
        "{exported}: {source}"
    );
    assert!(rows >= 30, "{exported}");
    let merged = project.join("merged.db");
    for _ in 0..2 {
        let status = std::process::Command::new("bash")
            .arg(repo_root().join("scripts/merge_local.sh"))
            .arg(&merged)
            .arg(&export)
            .status()
            .unwrap();
        assert!(status.success());
    }
    assert_eq!(
        sqlite3(&merged, counts),
        source,
        "merged twice, no duplicate"
    );
    assert_eq!(sqlite3(&merged, "PRAGMA user_version;"), "1");
    // The merged file answers the same questions.
    assert_eq!(
        sqlite3(&merged, &documented_query("The most frequent events"))
            .lines()
            .next(),
        Some("log|purchase_attempt|5")
    );
}
