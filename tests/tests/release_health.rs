//! Release health in real Godot processes (tests/godot/test_health.gd): a
//! game killed with SIGKILL, one that calls `OS.crash()`, clean quits, two
//! instances at once, and the crash-free rate in a real Prometheus.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use game_tracker_testkit::decode::loki_entries;
use game_tracker_testkit::processes::{
    import_project, spawn_godot, wait_with_timeout, PromQl, Prometheus,
};
use game_tracker_testkit::receiver::Receiver;
use game_tracker_testkit::repo_root;
use game_tracker_testkit::sqlite::{documented_query, sqlite3};
use serde_json::Value as Json;

/// One launch of the health test scene, its output read as it comes.
struct Game {
    child: Option<Child>,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Game {
    /// Everything to `endpoint`, or metrics to `metrics_url` when given.
    fn launch(mode: &str, version: &str, sessions: &Path, endpoint: &str) -> Game {
        Game::launch_with(mode, version, sessions, endpoint, None)
    }

    /// With the local store written into `store`.
    fn launch_storing(
        mode: &str,
        version: &str,
        sessions: &Path,
        endpoint: &str,
        store: &Path,
    ) -> Game {
        Game::launch_env(
            mode,
            version,
            sessions,
            endpoint,
            vec![(
                "GAMETRACKER_TEST_STORE_DIR",
                store.to_string_lossy().into_owned(),
            )],
        )
    }

    fn launch_with(
        mode: &str,
        version: &str,
        sessions: &Path,
        endpoint: &str,
        metrics_url: Option<String>,
    ) -> Game {
        let extra = metrics_url
            .map(|url| ("GAMETRACKER_TEST_METRICS_URL", url))
            .into_iter()
            .collect();
        Game::launch_env(mode, version, sessions, endpoint, extra)
    }

    fn launch_env(
        mode: &str,
        version: &str,
        sessions: &Path,
        endpoint: &str,
        extra: Vec<(&'static str, String)>,
    ) -> Game {
        let project = repo_root().join("tests/godot");
        import_project(&project);
        let mut env = vec![
            ("GAMETRACKER_HEALTH_MODE", mode.to_string()),
            ("GAMETRACKER_TEST_VERSION", version.to_string()),
            (
                "GAMETRACKER_TEST_SESSION_DIR",
                sessions.to_string_lossy().into_owned(),
            ),
            ("GAMETRACKER_TEST_ENDPOINT", endpoint.to_string()),
            (
                "GAMETRACKER_TEST_RELEASE",
                release_file(sessions).to_string_lossy().into_owned(),
            ),
        ];
        env.extend(extra);
        let mut child = spawn_godot(&project, &["--", "--test=test_health"], &env);
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Game {
            child: Some(child),
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a line starting with `prefix`; returns it.
    fn wait_for(&mut self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(line) = self.seen.iter().find(|l| l.starts_with(prefix)) {
                return line.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(_) => panic!(
                    "no '{prefix}' line; output so far:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    fn session_id(&mut self) -> String {
        let line = self.wait_for("health: session ");
        line["health: session ".len()..]
            .split(' ')
            .next()
            .unwrap()
            .to_string()
    }

    /// Waits for the process to end; its exit status. Its stderr joins `seen`.
    fn finish(&mut self) -> std::process::ExitStatus {
        let output = wait_with_timeout(self.child.take().unwrap(), Duration::from_secs(60));
        self.seen.extend(self.lines.try_iter());
        self.seen.extend(
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .map(str::to_string),
        );
        output.status
    }

    fn kill(&mut self) {
        // Child::kill is SIGKILL on Unix: no handler runs, nothing is flushed.
        self.child.as_mut().unwrap().kill().unwrap();
        self.finish();
    }
}

/// The file whose creation lets the "wait" launches quit: beside the
/// sessions folder, so it is not taken for a marker.
fn release_file(sessions: &Path) -> PathBuf {
    sessions.with_extension("release")
}

fn fresh_sessions_dir(name: &str) -> PathBuf {
    let dir = repo_root().join("target/health").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(release_file(&dir));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn markers(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Log lines with this message, as Loki stores them.
fn lines_named(rx: &Receiver, message: &str) -> Vec<Json> {
    loki_entries(&rx.requests_to("/loki/api/v1/push"))
        .into_iter()
        .map(|(_, l)| l)
        .filter(|l| l["msg"] == message)
        .collect()
}

fn clean_launch(version: &str, dir: &Path, endpoint: &str) -> String {
    let mut game = Game::launch("clean", version, dir, endpoint);
    let id = game.session_id();
    let status = game.finish();
    assert!(
        status.success(),
        "a clean launch failed ({status}):\n{}",
        game.seen.join("\n")
    );
    id
}

#[test]
#[ignore = "runs Godot; use the README's test command"]
fn a_game_killed_while_it_writes_its_local_store_leaves_an_intact_file_with_every_committed_row() {
    let dir = fresh_sessions_dir("killed_writing");
    let store = dir.with_extension("store");
    let _ = std::fs::remove_dir_all(&store);
    let rx = Receiver::start();
    let mut game = Game::launch_storing("kill-writing", "2.0", &dir, &rx.base_url(), &store);
    let killed_id = game.session_id();
    // Killed in the middle of its writing: after a few commits, whenever
    // the next one is, and once its marker holds the writing's logs as
    // breadcrumbs (the marker is rewritten every few seconds). Well under
    // the store's size cap, so that retention has deleted nothing.
    let stored = |line: &str| {
        line.strip_prefix("health: stored ")
            .and_then(|n| n.parse::<u64>().ok())
    };
    let marker = dir.join(format!("{killed_id}.marker"));
    let crumbs_on_disk = || std::fs::read_to_string(&marker).is_ok_and(|m| m.contains("busy"));
    let deadline = Instant::now() + Duration::from_secs(60);
    while (game
        .seen
        .iter()
        .filter_map(|l| stored(l))
        .max()
        .unwrap_or(0)
        < 5_000
        || !crumbs_on_disk())
        && Instant::now() < deadline
    {
        let left = deadline.saturating_duration_since(Instant::now());
        if let Ok(line) = game.lines.recv_timeout(left) {
            game.seen.push(line);
        }
    }
    game.kill();
    let committed = game
        .seen
        .iter()
        .filter_map(|l| stored(l))
        .max()
        .expect("the game said what it wrote");
    assert!(committed >= 5_000, "{committed}");
    let db = store.join("telemetry.db");
    assert_eq!(sqlite3(&db, "PRAGMA integrity_check;"), "ok");
    let rows: u64 = sqlite3(
        &db,
        &format!("SELECT (SELECT count(*) FROM events WHERE session_id = '{killed_id}') + (SELECT count(*) FROM metric_snapshots WHERE session_id = '{killed_id}');"),
    )
    .parse()
    .unwrap();
    assert!(
        rows >= committed,
        "every row the game had committed is there: {rows} rows, {committed} said written"
    );
    assert_eq!(
        sqlite3(
            &db,
            &format!("SELECT status FROM sessions WHERE session_id = '{killed_id}';")
        ),
        "running"
    );
    // The next launch marks it, and the documented question finds its
    // breadcrumbs: the last logs it wrote.
    let mut next = Game::launch_storing("clean", "2.1", &dir, &rx.base_url(), &store);
    let status = next.finish();
    assert!(status.success(), "{}", next.seen.join("\n"));
    assert_eq!(
        sqlite3(
            &db,
            &format!("SELECT status FROM sessions WHERE session_id = '{killed_id}';")
        ),
        "abnormal"
    );
    let crumbs = sqlite3(&db, &documented_query("A crashed session's breadcrumbs"));
    assert!(
        crumbs
            .lines()
            .all(|l| l.starts_with(&format!("{killed_id}|"))),
        "{crumbs}"
    );
    assert!(crumbs.contains("|log|busy"), "{crumbs}");
    assert!(
        sqlite3(&db, &documented_query("Sessions by version and status"))
            .contains("2.0|abnormal|1")
    );
    let crash_free = sqlite3(&db, &documented_query("Crash-free sessions by version"));
    assert!(crash_free.starts_with("2.0|1|0.0\n2.1|1|"), "{crash_free}");
}

#[test]
#[ignore = "runs Godot; use the README's test command"]
fn a_killed_game_is_reported_abnormal_by_its_next_launch_with_its_breadcrumbs() {
    let dir = fresh_sessions_dir("killed");
    let rx = Receiver::start();
    let launched = Instant::now();
    let mut killed = Game::launch("kill", "1.0", &dir, &rx.base_url());
    let killed_id = killed.session_id();
    killed.wait_for("health: ready");
    // The marker on disk says how long the session has lived; once it says
    // 2 s, the kill comes. Whatever the machine's speed, the report's
    // duration is then at least that (the last marker is as new) and at
    // most the time since the launch.
    let marker = dir.join(format!("{killed_id}.marker"));
    let lived_on_disk = || {
        let m: Json = serde_json::from_slice(&std::fs::read(&marker).ok()?).ok()?;
        Some((m["updated_unix_ms"].as_u64()? - m["started_unix_ms"].as_u64()?) as f64 / 1000.0)
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while lived_on_disk().is_none_or(|s| s < 2.0) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let lived_before_kill = lived_on_disk().expect("the marker says how long the session lived");
    assert!(
        lived_before_kill >= 2.0,
        "the marker is rewritten as the session lives: {lived_before_kill} s"
    );
    let since_launch = launched.elapsed().as_secs_f64();
    killed.kill();
    assert_eq!(
        markers(&dir),
        [format!("{killed_id}.marker")],
        "a killed game leaves its marker"
    );
    assert!(lines_named(&rx, "session_abnormal").is_empty());
    // A mobile game the OS killed in the background: paused first. (It is
    // also the launch that reports the first one.)
    let mut in_background = Game::launch("kill-paused", "1.0", &dir, &rx.base_url());
    let in_background_id = in_background.session_id();
    in_background.wait_for("health: ready");
    in_background.kill();

    let next_id = clean_launch("1.1", &dir, &rx.base_url());
    assert!(
        markers(&dir).is_empty(),
        "reported and removed: {:?}",
        markers(&dir)
    );
    let reports = lines_named(&rx, "session_abnormal");
    assert_eq!(reports.len(), 2, "{reports:?}");
    let background = reports
        .iter()
        .find(|r| r["data"]["previous_session_id"] == in_background_id.as_str())
        .unwrap();
    assert_eq!(
        background["data"]["paused"], true,
        "killed in the background: abnormal, not crashed"
    );
    assert!(background["data"].get("signal").is_none());
    let last = background["data"]["breadcrumbs"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["category"].as_str(), last["message"].as_str()),
        (Some("app"), Some("paused"))
    );
    let report = reports
        .iter()
        .find(|r| r["data"]["previous_session_id"] == killed_id.as_str())
        .unwrap();
    // Each death is reported by the launch after it.
    assert_eq!(
        report["session_id"],
        in_background_id.as_str(),
        "sent by the next launch"
    );
    assert_eq!(
        background["session_id"],
        next_id.as_str(),
        "sent by the next launch"
    );
    assert_eq!(report["level"], "error");
    let data = &report["data"];
    assert_eq!(data["previous_session_id"], killed_id.as_str());
    assert_eq!(data["previous_version"], "1.0");
    assert_eq!(data["last_scene"], "res://runner.tscn");
    assert_eq!(data["paused"], false);
    assert!(
        data.get("signal").is_none(),
        "SIGKILL leaves no crash flag: {data}"
    );
    // It lived from init until the kill, as its last marker said.
    let duration = data["duration_s"].as_f64().unwrap();
    assert!(
        // (Both in whole milliseconds; the half is the report's rounding.)
        duration + 0.0005 >= lived_before_kill && duration <= since_launch,
        "duration {duration} s; the marker said {lived_before_kill} s before the kill, {since_launch:.2} s after the launch"
    );
    // The last 5 breadcrumbs, in order: the breadcrumb, the span, the flush.
    let crumbs: Vec<(String, String)> = data["breadcrumbs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["category"].as_str().unwrap().to_string(),
                c["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("log", "step"),
        ("log", "step"),
        ("shop", "opened"),
        ("span", "boss_fight started"),
        ("span", "boss_fight ended"),
    ];
    assert_eq!(
        crumbs,
        expected.map(|(c, m)| (c.to_string(), m.to_string())),
        "{data}"
    );
    assert_eq!(data["breadcrumbs"][2]["data"]["tab"], "swords");
}

#[test]
#[ignore = "runs Godot; use the README's test command"]
fn clean_quits_report_nothing_and_two_instances_keep_their_own_markers() {
    let dir = fresh_sessions_dir("clean");
    let rx = Receiver::start();
    clean_launch("1.0", &dir, &rx.base_url());
    assert!(markers(&dir).is_empty());
    clean_launch("1.0", &dir, &rx.base_url());
    assert!(
        markers(&dir).is_empty(),
        "a second clean launch finds no marker"
    );

    // Both running at once write one local store.
    let store = dir.with_extension("store");
    let _ = std::fs::remove_dir_all(&store);
    let mut a = Game::launch_storing("wait", "1.0", &dir, &rx.base_url(), &store);
    let a_id = a.session_id();
    a.wait_for("health: ready");
    let mut b = Game::launch_storing("wait", "1.0", &dir, &rx.base_url(), &store);
    let b_id = b.session_id();
    b.wait_for("health: ready");
    let mut both = [format!("{a_id}.marker"), format!("{b_id}.marker")];
    both.sort();
    assert_eq!(
        markers(&dir),
        both,
        "each running instance keeps its own marker"
    );
    std::fs::write(release_file(&dir), "").unwrap();
    assert!(a.finish().success() && b.finish().success());
    assert!(markers(&dir).is_empty());
    for message in ["session_abnormal", "session_crashed"] {
        assert!(
            lines_named(&rx, message).is_empty(),
            "nobody claimed a live session's marker: {message}"
        );
    }
    assert_eq!(lines_named(&rx, "session_start").len(), 4);
    let ends = lines_named(&rx, "session_end");
    assert_eq!(ends.len(), 4);
    assert!(
        ends.iter().all(|l| l["data"]["status"] == "exited"),
        "{ends:?}"
    );
    // Nothing lost from either: each one's logs in the store are its logs
    // the receiver got.
    let db = store.join("telemetry.db");
    for id in [&a_id, &b_id] {
        let received = loki_entries(&rx.requests_to("/loki/api/v1/push"))
            .into_iter()
            .filter(|(_, l)| l["session_id"] == id.as_str())
            .count();
        let stored = sqlite3(
            &db,
            &format!("SELECT count(*) FROM events WHERE kind = 'log' AND session_id = '{id}';"),
        );
        assert_eq!(stored, received.to_string(), "{id}");
        assert_eq!(
            sqlite3(
                &db,
                &format!("SELECT status FROM sessions WHERE session_id = '{id}';")
            ),
            "exited"
        );
    }
}

#[test]
#[ignore = "runs Godot; use the README's test command"]
fn os_crash_is_reported_as_crashed_and_prometheus_computes_the_crash_free_rate() {
    let dir = fresh_sessions_dir("crashed");
    let prometheus = Prometheus::start();
    // Logs and traces to the receiver, metrics to Prometheus.
    let rx = Receiver::start();
    let launch = |mode: &str| {
        Game::launch_with(
            mode,
            "2.0",
            &dir,
            &rx.base_url(),
            Some(prometheus.write_url()),
        )
    };
    let mut crashed = launch("crash");
    let crashed_id = crashed.session_id();
    let status = crashed.finish();
    assert!(!status.success(), "OS.crash() ends the process: {status}");
    // Godot's own crash handler still ran after ours.
    assert!(
        crashed.seen.iter().any(|l| l.contains("Program crashed")),
        "{}",
        crashed.seen.join("\n")
    );
    assert_eq!(
        markers(&dir).len(),
        2,
        "the marker and its crash flag: {:?}",
        markers(&dir)
    );

    for _ in 0..2 {
        let mut game = launch("clean");
        game.session_id();
        assert!(game.finish().success(), "{}", game.seen.join("\n"));
    }
    let reports = lines_named(&rx, "session_crashed");
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert_eq!(
        reports[0]["data"]["previous_session_id"],
        crashed_id.as_str()
    );
    // SIGILL (4) from OS.crash()'s trap, or SIGABRT (6) from Godot's handler.
    let signal = reports[0]["data"]["signal"].as_i64().unwrap();
    assert!(signal == 4 || signal == 6, "signal {signal}");

    let rate = crash_free_rate_query();
    let value_for = |result: &[Json]| -> Option<f64> {
        let row = result.iter().find(|r| r["metric"]["version"] == "2.0")?;
        row["value"][1].as_str()?.parse().ok()
    };
    // A wait for Prometheus to ingest, not a measure: generous.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut result = prometheus.query(&rate);
    while value_for(&result) != Some(2.0 / 3.0) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500));
        result = prometheus.query(&rate);
    }
    let value = value_for(&result).unwrap_or(f64::NAN);
    assert!(
        (value - 2.0 / 3.0).abs() < 1e-9,
        "3 sessions, 1 crashed: {value} ({rate} gave {result:?})"
    );
}

/// docs/release-health.md's crash-free rate by version, over the last hour.
fn crash_free_rate_query() -> String {
    let page = std::fs::read_to_string(repo_root().join("docs/release-health.md")).unwrap();
    let expr = page
        .lines()
        .find(|l| l.starts_with("1 - (") && l.contains("game_sessions_total"))
        .expect("docs/release-health.md shows the crash-free rate expression on one line");
    expr.replace("$__range", "1h")
}
