//! Runs every benchmark and writes BENCHMARKS.md. Started by
//! `tests/bench/run.sh`, which first builds the release library with the
//! `bench` feature (the no-op floor class) into `addons/game_tracker/bin`.
//!
//! - calls: main-thread cost per API call in headless Godot, against a no-op
//!   native method (floor) and a pure-GDScript tracker (bench_calls.gd);
//! - frames: frame time at 60 fps under 10k events/s (bench_frames.gd);
//! - game frames: the same load made the way a game makes it, against a
//!   do-nothing GDScript tracker (bench_game.gd);
//! - throughput: the worker on one core (`cargo bench ... throughput`);
//! - calls while the receiver fails: each call's CPU and wall time through
//!   the fault tests' faults (`cargo bench ... fault_calls`);
//! - frame delivery: the hand-over's cost when the worker runs in it
//!   (`cargo bench ... frame_slice`);
//! - memory: resident memory at 10k events/s with the receiver unreachable
//!   (bench_memory.gd), sampled from /proc while Godot runs;
//! - the Web: the Web autoload's cost per frame natively (bench_frames.gd's
//!   `web` mode), and in headless Chromium the glue's hand-over and the
//!   worker's events a second (tests/web/glue_bench.js); what a Web export
//!   adds, in bytes.
//!
//! Benchmarks report; they never fail on a slow machine. `--quick` shortens
//! every run (a smoke test of the harness, not numbers to publish);
//! `--frames-only`, `--game-only` and `--web-only` run one benchmark alone
//! and print its section.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use game_tracker_testkit::processes::{
    import_project, run_godot, spawn_godot, use_prebuilt_addon, wait_with_timeout,
};
use game_tracker_testkit::receiver::{BlackHole, Receiver};
use game_tracker_testkit::repo_root;
use serde_json::{json, Value as Json};

/// Must-reach lines of issue 3, checked and shown beside the numbers.
const MAX_CALL_NS: f64 = 1000.0;
const MAX_CALL_RATIO_TO_GDSCRIPT: f64 = 0.5;
const MAX_P99_OVER_OFF_US: f64 = 100.0;
const MIN_LOGS_PER_S: f64 = 500_000.0;
const MIN_METRICS_PER_S: f64 = 1_000_000.0;
const MIN_SPANS_PER_S: f64 = 200_000.0;
/// Must-reach lines of issue 17 (game-like frames at 10k events/s): the
/// addon's extra process time per frame over the do-nothing tracker, and
/// its per-frame work when the game made no call.
const MAX_GAME_EXTRA_P50_US: f64 = 100.0;
const MAX_GAME_EXTRA_P99_US: f64 = 150.0;
const MAX_IDLE_FRAME_WORK_US: f64 = 15.0;
/// What a main-thread call may cost at the worst while the receiver fails
/// (issue 3), held against the 99.9th percentile of the calls' CPU time.
/// It was a test's bound until issue 26 moved it here: on a shared machine
/// it measured the neighbours as much as the SDK.
const MAX_FAULT_CALL_P999_US: f64 = 50.0;
/// Issue 30: the Web's cost on the game's thread at 1,000 events/s over the
/// same frames with no tracker.
const MAX_WEB_EXTRA_P50_US: f64 = 50.0;
const MAX_WEB_EXTRA_P99_US: f64 = 300.0;
/// Issue 22: frame delivery's slice takes at most about 0.3 ms a frame.
const MAX_FRAME_SLICE_P99_US: f64 = 300.0;
/// The defaults the memory benchmark runs with (`max_queue_bytes`,
/// `max_backlog_bytes`), in MiB.
const QUEUE_BOUND_MIB: u32 = 16;
const BACKLOG_BOUND_MIB: u32 = 8;

#[derive(Clone, Copy)]
struct Settings {
    calls: u32,
    runs: u32,
    frame_seconds: u32,
    memory_seconds: u32,
    rate: u32,
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let settings = if quick {
        Settings {
            calls: 20_000,
            runs: 3,
            frame_seconds: 3,
            memory_seconds: 20,
            rate: 10_000,
        }
    } else {
        Settings {
            calls: 200_000,
            runs: 5,
            frame_seconds: 10,
            memory_seconds: 120,
            rate: 10_000,
        }
    };
    use_prebuilt_addon();
    let project = repo_root().join("tests/bench/godot");
    import_project(&project);
    if std::env::args().any(|a| a == "--frames-only") {
        // For work on the frame benchmark: its section on stdout, BENCHMARKS.md untouched.
        print!(
            "{}",
            render_frames(&settings, &bench_all_frames(&project, &settings))
        );
        return;
    }
    if std::env::args().any(|a| a == "--load-only") {
        print!("{}", render_load(&bench_load(quick)));
        return;
    }
    if std::env::args().any(|a| a == "--web-only") {
        print!("{}", render_web(&bench_web(&project, &settings, quick)));
        return;
    }
    if std::env::args().any(|a| a == "--game-only") {
        print!(
            "{}",
            render_game(&settings, &bench_game(&project, &settings))
        );
        return;
    }

    eprintln!(
        "bench: per-call cost ({} calls x {} runs)",
        settings.calls, settings.runs
    );
    let calls = bench_calls(&project, &settings);
    eprintln!("bench: frame time ({} s per mode)", settings.frame_seconds);
    let frames = bench_all_frames(&project, &settings);
    eprintln!(
        "bench: game-like frames ({} s per mode)",
        settings.frame_seconds
    );
    let game = bench_game(&project, &settings);
    eprintln!("bench: worker throughput (cargo bench)");
    let throughput = core_bench("throughput", quick);
    eprintln!("bench: main-thread calls while the receiver fails (cargo bench)");
    let fault_calls = core_bench("fault_calls", quick);
    eprintln!("bench: frame delivery's hand-over (cargo bench)");
    let frame_slice = core_bench("frame_slice", quick);
    eprintln!("bench: the local store on the worker (cargo bench)");
    let local_store = core_bench("local_store", quick);
    eprintln!(
        "bench: memory with the receiver unreachable ({} s)",
        settings.memory_seconds
    );
    let memory = bench_memory(&project, &settings);
    eprintln!("bench: a public endpoint under load (examples/load.rs)");
    let load = bench_load(quick);
    eprintln!("bench: the Web (Godot natively, then Chromium)");
    let web = bench_web(&project, &settings, quick);

    let mut report = render(
        &settings,
        quick,
        &calls,
        &frames,
        &game,
        &throughput,
        &fault_calls,
        &frame_slice,
        &local_store,
        &memory,
        &load,
    );
    report.push_str(&render_web(&web));
    let out = repo_root().join("BENCHMARKS.md");
    std::fs::write(&out, report).expect("write BENCHMARKS.md");
    eprintln!("bench: wrote {}", out.display());
}

/// `BENCH {json}` lines of a run's output.
fn bench_lines(stdout: &str) -> Vec<Json> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("BENCH "))
        .filter_map(|j| serde_json::from_str(j).ok())
        .collect()
}

fn godot_bench(project: &Path, args: &[String], timeout: Duration) -> Vec<Json> {
    let args: Vec<&str> = std::iter::once("--")
        .chain(args.iter().map(String::as_str))
        .collect();
    let run = run_godot(project, &args, &[], timeout);
    let lines = bench_lines(&run.stdout);
    assert!(
        run.status.success() && !lines.is_empty(),
        "benchmark {args:?} failed:\n{}",
        run.all_output()
    );
    lines
}

fn bench_calls(project: &Path, s: &Settings) -> Vec<Json> {
    let rx = Receiver::start_discarding();
    let args = vec![
        "--bench=calls".to_string(),
        format!("--calls={}", s.calls),
        format!("--runs={}", s.runs),
        format!("--endpoint={}", rx.base_url()),
    ];
    godot_bench(project, &args, Duration::from_secs(1800))
        .into_iter()
        .filter(|j| j["kind"] == "call")
        .collect()
}

/// Every frame-benchmark mode: off, floor and addon taking turns in one run,
/// then gdscript alone (see bench_frames.gd for why).
fn bench_all_frames(project: &Path, s: &Settings) -> Vec<Json> {
    let mut frames = bench_frames(project, s, "off,floor,addon");
    frames.extend(bench_frames(project, s, "gdscript"));
    frames
}

/// The Web: the autoload's frames natively against no tracker, at 100 and
/// 1,000 events/s; the glue and the worker in Chromium; the files' sizes.
fn bench_web(project: &Path, s: &Settings, quick: bool) -> Json {
    let mut frames = Vec::new();
    for rate in [100, 1000] {
        frames.extend(bench_frames(
            project,
            &Settings { rate, ..*s },
            "off,stand_in,web",
        ));
    }
    let site = game_tracker_testkit::browser::web_site(
        "web-bench-site",
        &["glue_bench.html", "glue_bench.js", "handover.js"],
    );
    let page = game_tracker_testkit::static_site::StaticSite::serve(&site, true);
    let rx = Receiver::start_with_cors();
    let seconds = if quick { 3 } else { 10 };
    let url = format!(
        "{}?endpoint={}&seconds={seconds}",
        page.url("glue_bench.html"),
        rx.base_url()
    );
    let console = game_tracker_testkit::browser::console_of(
        game_tracker_testkit::browser::start_browser(&url, "bench: done", 600, None),
    );
    let browser: Vec<Json> = console
        .iter()
        .filter_map(|l| l["text"].as_str()?.strip_prefix("bench: "))
        .filter_map(|j| serde_json::from_str(j).ok())
        .collect();
    let sizes: Vec<Json> = [
        "addons/game_tracker/bin/web/game_tracker_web_bg.wasm",
        "addons/game_tracker/bin/web/game_tracker_web.js",
        "addons/game_tracker/web/game_tracker_worker.js",
        "addons/game_tracker/web/game_tracker_page.js",
    ]
    .iter()
    .map(|file| {
        let bytes = std::fs::read(repo_root().join(file)).unwrap_or_default();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, &bytes).unwrap();
        json!({"file": file, "bytes": bytes.len(), "gzip": gz.finish().unwrap().len()})
    })
    .collect();
    json!({"frames": frames, "browser": browser, "sizes": sizes})
}

fn render_web(web: &Json) -> String {
    let mut out = format!(
        "## The Web\n\n\
         On the Web the core runs in a Web Worker; the game's thread records each call in GDScript \
         (`addons/game_tracker/web/web_tracker.gd`) and hands the frame's calls to the page's glue once a frame. \
         No Godot runs in a browser here (no Web export templates can be fetched), so the game's thread is measured \
         in two halves.\n\n\
         **The autoload, natively** (`bench_frames.gd`, mode `web`): headless Godot at 60 fps, the frame-time \
         benchmark's mix at 100 and 1,000 events/s, *off* (no calls), *stand_in* (the same calls to the stand-in, whose \
         methods do nothing: what the calls cost before any tracker work) and *web* taking turns in 1 s blocks; the \
         hand-over goes to a glue that only takes the text. A browser runs Godot as WebAssembly, slower than this. Must reach (issue 30, \
         at 1,000 events/s, over *off*): ≤ +{MAX_WEB_EXTRA_P50_US:.0} µs p50 and ≤ +{MAX_WEB_EXTRA_P99_US:.0} µs p99.\n\n\
         | events/s | mode | p50 µs | p99 µs | max µs | hand-over p99 µs | must reach |\n\
         |---:|---|---:|---:|---:|---:|:---:|\n"
    );
    let frames = web["frames"].as_array().cloned().unwrap_or_default();
    for rate in [100.0, 1000.0] {
        let of = |mode: &str| {
            frames
                .iter()
                .find(|r| r["mode"] == mode && f(&r["rate"]) == rate)
                .cloned()
                .unwrap_or(Json::Null)
        };
        let off = of("off");
        let stand_in = of("stand_in");
        for (mode, r) in [
            ("off", off.clone()),
            ("stand_in", stand_in.clone()),
            ("web", of("web")),
        ] {
            let verdict = if mode == "web" && rate == 1000.0 {
                let (p50, p99) = (
                    f(&r["p50_us"]) - f(&off["p50_us"]),
                    f(&r["p99_us"]) - f(&off["p99_us"]),
                );
                let (own50, own99) = (
                    f(&r["p50_us"]) - f(&stand_in["p50_us"]),
                    f(&r["p99_us"]) - f(&stand_in["p99_us"]),
                );
                format!(
                    "{} +{p50:.0} µs p50, {} +{p99:.0} µs p99 (+{own50:.0} / +{own99:.0} over stand_in)",
                    mark(p50 <= MAX_WEB_EXTRA_P50_US),
                    mark(p99 <= MAX_WEB_EXTRA_P99_US)
                )
            } else {
                String::new()
            };
            let handover = if mode == "web" {
                format!("{:.0}", f(&r["handover_p99_us"]))
            } else {
                String::new()
            };
            let times = ["p50_us", "p99_us", "max_us"].map(|k| format!("{:.0}", f(&r[k])));
            out.push_str(&table_row(
                [format!("{rate:.0}"), mode.to_string()]
                    .into_iter()
                    .chain(times)
                    .chain([handover, verdict]),
            ));
        }
    }
    out.push_str(
        "\n**The glue and the worker, in headless Chromium** (`tests/web/glue_bench.js`, a cross-origin isolated page, \
         where the clock reads to about 5 µs): each animation frame hands that frame's calls over as the autoload \
         does; the glue's part (`GameTrackerWeb.handover`: a `postMessage` of the frame's text) is timed. Then a burst \
         of events handed over as fast as the worker takes them (its bounded queue never full), and a flush, timed \
         until the worker reports every one sent to a loopback receiver: the worker's events a second, replay, \
         encoding and fetch included.\n\n\
         | measure | events/s | frames | p50 µs | p99 µs | max µs |\n\
         |---|---:|---:|---:|---:|---:|\n",
    );
    let browser = web["browser"].as_array().cloned().unwrap_or_default();
    for r in browser.iter().filter(|r| r["kind"] == "web_handover") {
        let times = ["p50_us", "p99_us", "max_us"].map(|k| format!("{:.0}", f(&r[k])));
        out.push_str(&table_row(
            [
                "hand-over".to_string(),
                r["rate"].to_string(),
                r["frames"].to_string(),
            ]
            .into_iter()
            .chain(times),
        ));
    }
    for r in browser.iter().filter(|r| r["kind"] == "web_worker") {
        out.push_str(&format!(
            "\nThe worker: {} events (bench_load's mix) sent in {:.2} s: **{:.0} events/s**; {} sent, {} dropped.\n",
            r["events"],
            f(&r["seconds"]),
            f(&r["events_per_s"]),
            r["sent"],
            r["dropped"]
        ));
    }
    out.push_str("\nWhat a Web export adds (release build):\n\n| file | bytes | gzipped |\n|---|---:|---:|\n");
    for r in web["sizes"].as_array().cloned().unwrap_or_default() {
        out.push_str(&table_row([
            format!("`{}`", r["file"].as_str().unwrap_or("?")),
            r["bytes"].to_string(),
            r["gzip"].to_string(),
        ]));
    }
    out.push('\n');
    out
}

/// One Godot run with `modes` taking turns (see bench_frames.gd); a result
/// per mode.
fn bench_frames(project: &Path, s: &Settings, modes: &str) -> Vec<Json> {
    let rx = Receiver::start_discarding();
    let args = vec![
        "--bench=frames".to_string(),
        format!("--modes={modes}"),
        format!("--seconds={}", s.frame_seconds),
        format!("--rate={}", s.rate),
        format!("--endpoint={}", rx.base_url()),
    ];
    let timeout =
        Duration::from_secs(60 + 2 * u64::from(s.frame_seconds) * modes.split(',').count() as u64);
    let mut results = godot_bench(project, &args, timeout);
    let received: usize = ["/loki/api/v1/push", "/api/v1/metrics/write", "/v1/traces"]
        .iter()
        .map(|p| rx.received(p).0)
        .sum();
    let busy = rx.busy_windows();
    for result in &mut results {
        let tracker = matches!(result["mode"].as_str(), Some("addon" | "gdscript"));
        result["requests_received"] = json!(if tracker { received } else { 0 });
        if let Some(windows) = result.as_object_mut().and_then(|r| r.remove("windows")) {
            split_by_sending(result, &windows, &busy);
        }
    }
    results
}

/// The game-like frame benchmark: every mode taking turns in one run
/// (bench_game.gd); a result per mode.
fn bench_game(project: &Path, s: &Settings) -> Vec<Json> {
    let rx = Receiver::start_discarding();
    let args = vec![
        "--bench=game".to_string(),
        format!("--seconds={}", s.frame_seconds),
        format!("--rate={}", s.rate),
        format!("--endpoint={}", rx.base_url()),
    ];
    let timeout = Duration::from_secs(120 + 2 * 8 * u64::from(s.frame_seconds));
    godot_bench(project, &args, timeout)
        .into_iter()
        .filter(|j| j["kind"] == "game_frames")
        .collect()
}

/// Splits the addon's frames into those that follow or overlap a request
/// being received and answered (since the previous frame ended: the worker
/// encoded and sent while the game idled or ran this frame) and the others.
fn split_by_sending(result: &mut Json, windows: &Json, busy: &[(u64, u64)]) {
    /// One frame at 60 fps, in microseconds.
    const FRAME_US: u64 = 16_667;
    let frames: Vec<(u64, u64)> = windows
        .as_array()
        .map(|a| {
            a.iter()
                .map(|w| (w[0].as_u64().unwrap_or(0), w[1].as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    let (mut sending, mut max_sending, mut max_quiet) = (0, 0.0f64, 0.0f64);
    let mut previous_end = 0;
    for &(start, end) in &frames {
        // Frames of one block follow each other; a block's first frame looks back one frame.
        let since = previous_end.max(start.saturating_sub(FRAME_US));
        previous_end = end;
        let us = end.saturating_sub(start) as f64;
        if busy.iter().any(|&(b0, b1)| b0 <= end && since <= b1) {
            sending += 1;
            max_sending = max_sending.max(us);
        } else {
            max_quiet = max_quiet.max(us);
        }
    }
    result["sending_frames"] = json!(sending);
    result["max_sending_us"] = json!(max_sending);
    result["max_quiet_us"] = json!(max_quiet);
}

/// One of the core's `cargo bench` targets; its `BENCH` lines.
fn core_bench(name: &str, quick: bool) -> Vec<Json> {
    let mut cmd = Command::new("cargo");
    cmd.args(["bench", "-q", "-p", "game_tracker_core", "--bench", name])
        .current_dir(repo_root());
    if quick {
        cmd.args(["--", "--quick"]);
    }
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .expect("run cargo bench");
    assert!(out.status.success(), "cargo bench --bench {name} failed");
    bench_lines(&String::from_utf8_lossy(&out.stdout))
}

/// Sessions the load generator simulates per run (and per backend).
const LOAD_SESSIONS: [usize; 2] = [10_000, 100_000];
const LOAD_BACKENDS: [&str; 3] = [
    "prometheus",
    "victoriametrics",
    "victoriametrics-aggregated",
];

/// `tests/examples/load.rs` for every session count and backend.
fn bench_load(quick: bool) -> Vec<Json> {
    let built = Command::new("cargo")
        .args([
            "build",
            "--release",
            "-q",
            "-p",
            "game_tracker_testkit",
            "--example",
            "load",
        ])
        .current_dir(repo_root())
        .status()
        .expect("build the load generator");
    assert!(built.success(), "building examples/load.rs failed");
    let counts: &[usize] = if quick { &[1_000] } else { &LOAD_SESSIONS };
    let mut rows = Vec::new();
    for &sessions in counts {
        for backend in LOAD_BACKENDS {
            let out = Command::new(repo_root().join("target/release/examples/load"))
                .args([
                    "--backend",
                    backend,
                    "--sessions",
                    &sessions.to_string(),
                    "--rounds",
                    "3",
                    "--shared",
                    "0.01",
                    "--flood",
                    "2000",
                ])
                .current_dir(repo_root())
                .stderr(Stdio::inherit())
                .output()
                .expect("run the load generator");
            assert!(
                out.status.success(),
                "load generator failed: {backend} {sessions}"
            );
            let stdout = String::from_utf8_lossy(&out.stdout);
            rows.extend(
                stdout
                    .lines()
                    .filter_map(|l| l.strip_prefix("LOAD "))
                    .filter_map(|j| serde_json::from_str::<Json>(j).ok()),
            );
        }
    }
    rows
}

fn render_load(rows: &[Json]) -> String {
    let mut out = String::from(
        "## A public endpoint under load\n\n\
         `tests/examples/load.rs`: simulated players' sessions, each with the core's own aggregator and remote-write \
         encoder (the demo's metrics: 22 series a session), send 3 snapshots each, back to back, through the shipped \
         edge (`deploy/nginx/`, Debian's nginx) into a backend started from `deploy/`. Each session sends from its own \
         loopback address; 1 % of them share one address (a LAN party), and one more address floods 2,000 requests as \
         fast as it can. Everything on this two-core machine at once: generator, edge, backend. `series` is what the \
         backend stores (Prometheus: head series; VictoriaMetrics: series with a sample in the last 5 minutes), \
         memory its resident set.\n\n\
         | backend | sessions | requests accepted | 429 (shared address) | flood accepted of 2,000 | metric updates/s | series stored | memory MiB |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        out.push_str(&table_row([
            r["backend"].as_str().unwrap_or("?").to_string(),
            r["sessions"].to_string(),
            r["accepted"].to_string(),
            r["throttled"].to_string(),
            r["flood_accepted"].to_string(),
            format!("{:.0}", f(&r["updates_per_second"])),
            format!("{:.0}", f(&r["series"])),
            format!("{:.0}", f(&r["rss_mib"])),
        ]));
    }
    out.push_str(
        "\nVictoriaMetrics without the tier stops near 200,000 series: `-storage.maxHourlySeries=200000` in \
         `deploy/victoriametrics/flags` drops new series past it (it answers 204 all the same: the edge's counts are \
         requests, not samples stored). deploy/README.md, \"The aggregation tier\", extrapolates these numbers to a \
         million sessions a day.\n\n",
    );
    out
}

/// Resident set size of a process, in MiB.
fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn bench_memory(project: &Path, s: &Settings) -> Json {
    let hole = BlackHole::start();
    let args = [
        "--".to_string(),
        "--bench=memory".to_string(),
        format!("--seconds={}", s.memory_seconds),
        format!("--rate={}", s.rate),
        format!("--endpoint={}", hole.base_url()),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut child = spawn_godot(project, &args, &[]);
    let pid = child.id();
    // Read stdout as it comes, to know when the load starts.
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut samples: Vec<(f64, f64)> = Vec::new();
    let mut reports = Vec::new();
    let mut load_started: Option<Instant> = None;
    let deadline = Instant::now() + Duration::from_secs(s.memory_seconds as u64 + 120);
    while Instant::now() < deadline {
        while let Ok(line) = lines.try_recv() {
            if let Some(j) = line
                .strip_prefix("BENCH ")
                .and_then(|j| serde_json::from_str::<Json>(j).ok())
            {
                if j["kind"] == "memory_start" {
                    load_started = Some(Instant::now());
                }
                reports.push(j);
            }
        }
        if reports.iter().any(|r| r["kind"] == "memory_end") {
            break;
        }
        match (rss_mib(pid), load_started) {
            (Some(rss), Some(t)) => samples.push((t.elapsed().as_secs_f64(), rss)),
            (Some(rss), None) => samples.push((0.0, rss)),
            (None, _) => break,
        }
        std::thread::sleep(Duration::from_millis(1000));
    }
    let output = wait_with_timeout(child, Duration::from_secs(30));
    while let Ok(line) = lines.recv_timeout(Duration::from_millis(200)) {
        if let Some(j) = line
            .strip_prefix("BENCH ")
            .and_then(|j| serde_json::from_str::<Json>(j).ok())
        {
            reports.push(j);
        }
    }
    assert!(
        output.status.success(),
        "memory benchmark failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    json!({
        "samples": samples,
        "end": reports.iter().find(|r| r["kind"] == "memory_end").cloned().unwrap_or(Json::Null),
        "ticks": reports.iter().filter(|r| r["kind"] == "memory_tick").cloned().collect::<Vec<_>>(),
    })
}

// ---------------------------------------------------------------------------
// BENCHMARKS.md

#[allow(clippy::too_many_arguments)]
fn render(
    s: &Settings,
    quick: bool,
    calls: &[Json],
    frames: &[Json],
    game: &[Json],
    throughput: &[Json],
    fault_calls: &[Json],
    frame_slice: &[Json],
    local_store: &[Json],
    memory: &Json,
    load: &[Json],
) -> String {
    let mut md = String::new();
    md.push_str("# GameTracker benchmarks\n\n");
    md.push_str("Written by `bash tests/bench/run.sh` (about 20 minutes); every number below comes from one run of it.\n");
    md.push_str("Benchmarks report and never fail: the ✓/✗ marks check issue 3's, issue 17's, issue 22's and issue 26's must-reach lines on this machine.\n\n");
    if quick {
        md.push_str("**Quick run (`--quick`): shortened runs, a smoke test of the harness — not numbers to quote.**\n\n");
    }
    md.push_str(&machine());
    md.push_str(&render_calls(s, calls));
    md.push_str(&render_frames(s, frames));
    md.push_str(&render_game(s, game));
    md.push_str(&render_throughput(throughput));
    md.push_str(&render_fault_calls(fault_calls));
    md.push_str(&render_frame_slice(frame_slice));
    md.push_str(&render_local_store(local_store));
    md.push_str(&render_memory(s, memory));
    md.push_str(&render_load(load));
    md
}

fn cmd_output(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("?")
        .trim();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    let os = std::fs::read_to_string("/etc/os-release")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix("PRETTY_NAME=")
                .map(|v| v.trim_matches('"').to_string())
        })
        .unwrap_or_default();
    let godot = cmd_output(
        "bash",
        &[
            repo_root()
                .join("scripts/provision/godot.sh")
                .to_str()
                .unwrap_or_default(),
            "--headless",
            "--version",
        ],
    );
    let godot = godot.lines().last().unwrap_or("?").to_string();
    let mut out = String::from("## Machine\n\n| | |\n|---|---|\n");
    for (k, v) in [
        ("CPU", format!("{cpu} ({cores} cores)")),
        ("Memory", format!("{mem_gib:.1} GiB")),
        (
            "OS",
            format!("{os}, kernel {}", cmd_output("uname", &["-r"])),
        ),
        ("Godot", godot),
        ("Rust", cmd_output("rustc", &["--version"])),
        (
            "Library",
            "release build (`cargo build --release --features bench`), thin LTO".to_string(),
        ),
        ("Date", cmd_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"])),
    ] {
        out.push_str(&format!("| {k} | {v} |\n"));
    }
    out.push('\n');
    out
}

fn mark(ok: bool) -> &'static str {
    if ok {
        "✓"
    } else {
        "✗"
    }
}

fn f(v: &Json) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn render_calls(s: &Settings, calls: &[Json]) -> String {
    let mut out = format!(
        "## Main-thread cost per call\n\n\
         {} calls in a loop, median of {} runs, all three implementations in one Godot process, interleaved.\n\
         *floor*: a native method with the same arguments that does nothing (`GameTrackerBenchFloor`).\n\
         *GDScript*: `tests/bench/godot/gdscript_tracker.gd`, a tracker written the way a GDScript user would \
         (queue of Dictionaries, drop-oldest at a cap, JSON built on a Timer, `HTTPRequest`).\n\
         Arguments are built once outside the loop. Must reach: ≤ {MAX_CALL_NS:.0} ns and ≤ {MAX_CALL_RATIO_TO_GDSCRIPT}× GDScript.\n\n\
         | call | floor ns | addon ns | GDScript ns | addon / floor | addon / GDScript | events dropped | must reach |\n\
         |---|---:|---:|---:|---:|---:|---:|:---:|\n",
        s.calls, s.runs
    );
    let names = [
        ("log_info", "`log_info(msg, {3 keys})`"),
        ("increment", "`increment(name, {1 label})`"),
        ("gauge", "`gauge(name, value)`"),
        ("histogram", "`histogram(name, value)`"),
        ("span", "`start_span(name)` + `end()`"),
        (
            "child_span",
            "child `start_span(name, {}, parent)` + `end()`",
        ),
        ("set_tag", "`set_tag(key, value)`"),
    ];
    for c in calls {
        let name = names
            .iter()
            .find(|(k, _)| c["call"] == *k)
            .map_or("?", |(_, n)| n);
        let (floor, addon, gd) = (f(&c["floor_ns"]), f(&c["addon_ns"]), f(&c["gdscript_ns"]));
        let ok = addon <= MAX_CALL_NS && addon <= MAX_CALL_RATIO_TO_GDSCRIPT * gd;
        out.push_str(&format!(
            "| {name} | {floor:.0} | **{addon:.0}** | {gd:.0} | {:.1}× | {:.2}× | {} | {} |\n",
            addon / floor,
            addon / gd,
            c["addon_dropped"],
            mark(ok)
        ));
    }
    out.push('\n');
    out
}

fn render_frames(s: &Settings, frames: &[Json]) -> String {
    let mut out = format!(
        "## Frame time under load\n\n\
         Headless scene at 60 fps emitting {} events/s against a loopback receiver: \
         per 10 events, 4 `log_info` with a 3-key Dictionary, 2 `increment`, 1 `gauge`, 1 `histogram`, 1 root span, \
         1 child span. Frame time = main-thread busy time from the first node processed to the last \
         (every `_process`, Timers, `HTTPRequest` polling, GameTracker's hand-over to its worker). \
         *off* runs the same scene without the calls; *floor* makes the same calls on native methods that do \
         nothing (what calling costs before any tracker work). \
         off, floor and addon run in one process, taking turns in 1 s blocks until each has {} s of frames \
         (the first 0.2 s of each block left out while the previous mode settles), so the VM's noisy moments fall on \
         each alike; gdscript runs alone (its Timer and `HTTPRequest` nodes would outlive their blocks), without gaps. \
         The frame interval (start to start of consecutive frames) is the pacing the player sees.\n\n\
         | mode | p50 µs | p99 µs | max µs | mean µs | fps | frame interval p99 / max ms | events | requests received |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        s.rate, s.frame_seconds
    );
    for fr in frames {
        out.push_str(&format!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.1} | {:.1} / {:.1} | {} | {} |\n",
            fr["mode"].as_str().unwrap_or("?"),
            f(&fr["p50_us"]),
            f(&fr["p99_us"]),
            f(&fr["max_us"]),
            f(&fr["mean_us"]),
            f(&fr["fps"]),
            f(&fr["interval_p99_us"]) / 1000.0,
            f(&fr["interval_max_us"]) / 1000.0,
            fr["events"],
            fr["requests_received"]
        ));
    }
    let by = |m: &str| frames.iter().find(|f| f["mode"] == m);
    if let (Some(off), Some(floor), Some(addon)) = (by("off"), by("floor"), by("addon")) {
        let p99_delta = f(&addon["p99_us"]) - f(&off["p99_us"]);
        let floor_delta = f(&floor["p99_us"]) - f(&off["p99_us"]);
        let max_ratio = f(&addon["max_us"]) / f(&off["max_us"]);
        let handover_max = f(&addon["handover_max_us"]);
        let handover_ratio = handover_max / f(&off["max_us"]);
        out.push_str(&format!(
            "\nMust reach: addon p99 within {MAX_P99_OVER_OFF_US:.0} µs of off — measured {p99_delta:+.0} µs {} \
             (the same calls to do-nothing native methods already add {floor_delta:+.0} µs).\n\n\
             No frame over 2× off's max caused by a flush. The addon never flushes on the main thread: its only flush \
             work there is the once-per-frame hand-over of the frame's records to the worker, timed on its own: \
             p99 {:.0} µs, max {handover_max:.0} µs = {handover_ratio:.1}× off's max {}. \
             Frames that followed or overlapped a request being answered ({} frames) peaked at {:.0} µs, the other frames at {:.0} µs. \
             The addon's slowest frame overall is {max_ratio:.1}× off's max: that is the calls themselves \
             (a frame here holds about {:.0} of them).\n\n",
            mark(p99_delta <= MAX_P99_OVER_OFF_US),
            f(&addon["handover_p99_us"]),
            mark(handover_ratio <= 2.0),
            addon["sending_frames"],
            f(&addon["max_sending_us"]),
            f(&addon["max_quiet_us"]),
            f64::from(s.rate) / 60.0,
        ));
        let detector = &addon["hitch_detector"];
        if detector["frames"].as_f64().unwrap_or(0.0) > 0.0 {
            let mean_ns = f(&detector["total_ns"]) / f(&detector["frames"]);
            let reported = &addon["hitch_reported"];
            out.push_str(&format!(
                "<a id=\"hitch-detector\"></a>The hitch detector (on by default, docs/hitches.md): {mean_ns:.0} ns per frame that is not a hitch, \
                 on average over {} frames (one clock read and a comparison; the benchmark's own clock read is in it), \
                 {:.1} µs in the slowest. Must stay at or under 1 µs per frame that is not a hitch {}. \
                 A hitch's frame (the engine's monitors read and the note staged) took {:.1} µs on average over {} frames.\n\n",
                detector["frames"],
                f(&detector["max_ns"]) / 1000.0,
                mark(mean_ns <= 1000.0),
                f(&reported["total_ns"]) / f(&reported["frames"]).max(1.0) / 1000.0,
                reported["frames"],
            ));
        }
        let vitals = &addon["vitals"];
        if vitals["frames"].as_f64().unwrap_or(0.0) > 0.0 {
            let mean_ns = f(&vitals["total_ns"]) / f(&vitals["frames"]);
            out.push_str(&format!(
                "Vitals (on by default; part of the addon's hand-over above): {:.0} ns per frame on average over {} frames \
                 (a push and an add each frame, plus once a second the engine's monitors and one update per metric), \
                 {:.1} µs in the slowest frame (the once-a-second send). Must stay under 2 µs per frame {}.\n\n",
                mean_ns,
                vitals["frames"],
                f(&vitals["max_ns"]) / 1000.0,
                mark(mean_ns < 2000.0),
            ));
        }
    }
    out
}

fn render_throughput(rows: &[Json]) -> String {
    let mut out = String::from(
        "## Worker throughput on one core\n\n\
         `cargo bench -p game_tracker_core --bench throughput`: the worker thread and its sender threads pinned to \
         CPU 0 (the producing thread and the loopback receiver on CPU 1); read records, batch, aggregate, encode, \
         compress, POST, wait for the answer. Median of 3 runs; default batch size (1,000).\n\n\
         | signal | compression | events | events/s | bytes on the wire per event | requests | must reach |\n\
         |---|---|---:|---:|---:|---:|:---:|\n",
    );
    for r in rows {
        let eps = f(&r["events_per_s"]);
        let min = match r["signal"].as_str() {
            Some("logs") => MIN_LOGS_PER_S,
            Some("metrics") => MIN_METRICS_PER_S,
            _ => MIN_SPANS_PER_S,
        };
        let ok = eps >= min && r["dropped"] == 0;
        out.push_str(&format!(
            "| {} | {} | {} | {:.0} | {:.2} | {} | {} ≥ {:.0}k/s |\n",
            r["signal"].as_str().unwrap_or("?"),
            r["compression"].as_str().unwrap_or("?"),
            r["events"],
            eps,
            f(&r["bytes_per_event"]),
            r["requests"],
            mark(ok),
            min / 1000.0
        ));
    }
    out.push_str(
        "\nMetric updates are aggregated: a flush sends each series' current value, so bytes per update \
         fall as the update rate rises. Remote write has no uncompressed form (snappy is mandatory).\n\n",
    );
    out
}

fn render_fault_calls(rows: &[Json]) -> String {
    let mut out = format!(
        "## Main-thread calls while the receiver fails\n\n\
         `cargo bench -p game_tracker_core --bench fault_calls`: the fault tests' game (`rust/core/tests/common/play.rs`: \
         per 16 ms frame, 20 logs, 20 counter increments, 20 spans and the hand-over) played for 5 s through each \
         fault, every call timed. CPU time is what the calling thread spent in the call; wall time also counts the \
         time the thread was preempted (the machine's other work). The tests assert only that no call waited on the \
         network. Must reach: the calls' CPU time p99.9 ≤ {MAX_FAULT_CALL_P999_US:.0} µs.\n\n\
         | fault | calls | CPU p99 µs | CPU p99.9 µs | CPU worst µs | wall p99 µs | wall p99.9 µs | wall worst µs | must reach |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|:---:|\n",
    );
    let us = |v: &Json| f(v) / 1000.0;
    for r in rows {
        let p999 = us(&r["cpu_p999_ns"]);
        let verdict = if r["cpu_p999_ns"].is_null() {
            "no thread clock".to_string()
        } else {
            format!(
                "{} ≤ {MAX_FAULT_CALL_P999_US:.0} µs",
                mark(p999 <= MAX_FAULT_CALL_P999_US)
            )
        };
        let times = [
            "cpu_p99_ns",
            "cpu_p999_ns",
            "cpu_worst_ns",
            "wall_p99_ns",
            "wall_p999_ns",
            "wall_worst_ns",
        ]
        .map(|k| format!("{:.1}", us(&r[k])));
        out.push_str(&table_row(
            [
                r["fault"].as_str().unwrap_or("?").to_string(),
                r["calls"].to_string(),
            ]
            .into_iter()
            .chain(times)
            .chain([verdict]),
        ));
    }
    out.push('\n');
    out
}

fn render_frame_slice(rows: &[Json]) -> String {
    let mut out = format!(
        "## Frame delivery on the game's thread\n\n\
         `cargo bench -p game_tracker_core --bench frame_slice`: with `delivery: \"frame\"` (no thread, as the Web \
         worker runs) the worker runs inside each frame's hand-over, a slice of about 0.3 ms \
         (`FRAME_SLICE`): reading the frame's records, batching, encoding, and polling the requests. A game at \
         60 fps makes events at a fixed rate (a third each logs, counter increments and spans) for 10 s against a \
         loopback receiver, and every hand-over is timed; thread delivery's hand-over (the records handed to the \
         worker thread, nothing more) beside it. At the end everything must have been sent. Must reach: frame \
         delivery's hand-over p99 ≤ {MAX_FRAME_SLICE_P99_US:.0} µs up to 1,000 events/s. The slice bounds how \
         many messages a frame takes, not one message: a batch is encoded (and compressed) in one go when it \
         closes, so at high rates the frames that close a full batch take longer than the slice.\n\n\
         | delivery | events/s | hand-over p50 µs | p99 µs | max µs | mean µs | produced | sent | dropped | must reach |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|\n",
    );
    let us = |v: &Json| f(v) / 1000.0;
    for r in rows {
        let frame = r["delivery"] == "frame";
        let p99 = us(&r["p99_ns"]);
        let all_sent = r["sent"] == r["produced"] && r["dropped"] == 0;
        let verdict = if frame && f(&r["rate"]) <= 1000.0 {
            format!(
                "{} ≤ {MAX_FRAME_SLICE_P99_US:.0} µs, {} all sent",
                mark(p99 <= MAX_FRAME_SLICE_P99_US),
                mark(all_sent)
            )
        } else {
            format!("{} all sent", mark(all_sent))
        };
        let times = ["p50_ns", "p99_ns", "max_ns", "mean_ns"].map(|k| format!("{:.1}", us(&r[k])));
        let counts = ["produced", "sent", "dropped"].map(|k| r[k].to_string());
        out.push_str(&table_row(
            [
                r["delivery"].as_str().unwrap_or("?").to_string(),
                r["rate"].to_string(),
            ]
            .into_iter()
            .chain(times)
            .chain(counts)
            .chain([verdict]),
        ));
    }
    out.push('\n');
    out
}

fn render_local_store(rows: &[Json]) -> String {
    let find = |name: &str| {
        rows.iter()
            .find(|r| r["bench"] == name)
            .cloned()
            .unwrap_or(Json::Null)
    };
    let (rate, flush, growth) = (
        find("store_rows_per_second"),
        find("store_flush"),
        find("store_growth"),
    );
    format!(
        "## The local store on the worker\n\n\
         `cargo bench -p game_tracker_core --bench local_store`: the local store (`local_store`, SQLite) is written \
         on the worker thread only; nothing of it runs in the game's frame (with `delivery: \"frame\"`, where the \
         worker runs in the frame, a commit is part of the slice). \n\n\
         | measure | value |\n|---|---:|\n\
         | the worker's rows per second into the store (logs, {} rows, everything else idle) | {:.0} |\n\
         | file bytes per row (logs with two data fields, with the indexes) | {:.0} |\n\
         | one flush's transaction: the {} events of 5 s at 1,000 events/s (a third each logs and spans, a row each, and updates of 20 series, a row per series), p50 / p99 / max ms | {:.1} / {:.1} / {:.1} |\n\
         | the file's growth per hour at the demo's rate (12 events and 10 gauge updates a second) | {:.1} MB |\n\n",
        rate["rows"],
        f(&rate["rows_per_second"]),
        f(&rate["bytes_per_row"]),
        flush["rows_per_flush"],
        f(&flush["p50_ms"]),
        f(&flush["p99_ms"]),
        f(&flush["max_ms"]),
        f(&growth["bytes_per_hour"]) / 1e6,
    )
}

/// One Markdown table row of `cells`.
fn table_row(cells: impl IntoIterator<Item = String>) -> String {
    format!(
        "| {} |\n",
        cells.into_iter().collect::<Vec<_>>().join(" | ")
    )
}

fn render_memory(s: &Settings, m: &Json) -> String {
    let samples: Vec<(f64, f64)> = m["samples"]
        .as_array()
        .map(|a| a.iter().map(|p| (f(&p[0]), f(&p[1]))).collect())
        .unwrap_or_default();
    let at = |t: f64| {
        samples
            .iter()
            .rfind(|(x, _)| *x <= t)
            .map_or(f64::NAN, |p| p.1)
    };
    let peak = samples.iter().map(|p| p.1).fold(0.0, f64::max);
    let start = samples.iter().find(|p| p.0 > 0.0).map_or(f64::NAN, |p| p.1);
    let mut out = format!(
        "## Memory with the receiver unreachable\n\n\
         The addon at {} events/s (the frame benchmark's mix) for {} s against an endpoint that accepts connections \
         and never answers (every request times out after `request_timeout` = 5 s). Resident memory of the whole \
         Godot process, sampled every second. Bounds in force: queue 10,000 events / 16 MiB, backlog 8 MiB per signal.\n\n\
         | time | RSS MiB |\n|---|---:|\n",
        s.rate, s.memory_seconds
    );
    out.push_str(&format!("| load starts | {start:.1} |\n"));
    let step = (s.memory_seconds as f64 / 4.0).max(1.0);
    for i in 1..=4 {
        let t = step * i as f64;
        out.push_str(&format!("| {t:.0} s | {:.1} |\n", at(t)));
    }
    out.push_str(&format!("| peak | {peak:.1} |\n\n"));
    out.push_str(&format!(
        "Growth from the start of the load to the peak: {:.1} MiB. What the bounds allow: the queue \
         ({QUEUE_BOUND_MIB} MiB) plus two backlogs of batches, bodies and the events kept to split them ({BACKLOG_BOUND_MIB} MiB each for logs and \
         traces; metrics are aggregated in place), plus the requests in flight: about {} MiB.\n\n",
        peak - start,
        QUEUE_BOUND_MIB + 2 * BACKLOG_BOUND_MIB
    ));
    let end = &m["end"];
    if !end.is_null() {
        out.push_str("| signal | produced | sent | pending | dropped by reason |\n|---|---:|---:|---:|---|\n");
        for signal in ["logs", "metrics", "traces"] {
            let st = &end["stats"][signal];
            let reasons: Vec<String> = st["dropped"]
                .as_object()
                .map(|o| {
                    o.iter()
                        .filter(|(_, n)| n.as_i64().unwrap_or(0) > 0)
                        .map(|(k, n)| format!("{k} {n}"))
                        .collect()
                })
                .unwrap_or_default();
            out.push_str(&format!(
                "| {signal} | {} | {} | {} | {} |\n",
                st["produced"],
                st["sent"],
                st["pending"],
                if reasons.is_empty() {
                    "—".to_string()
                } else {
                    reasons.join(", ")
                }
            ));
        }
        out.push_str(&format!(
            "\nEvery event is accounted for: produced = sent + dropped + pending. `shutdown(2.0)` at the end \
             returned after {:.0} ms with the endpoint still black-holing requests.\n\n",
            f(&end["shutdown_ms"])
        ));
    }
    out
}

fn render_game(s: &Settings, game: &[Json]) -> String {
    let per_frame = f64::from(s.rate) / 60.0;
    let mut out = format!(
        "## Frame cost in a game-like scene\n\n\
         `tests/bench/godot/bench_game.gd`: a headless scene at 60 fps whose 8 game nodes make {} events/s \
         (about {per_frame:.0} calls a frame) from their own `_process`, the way a game does: a fresh argument \
         Dictionary on every call, half the calls through the autoload's name and half through an untyped \
         variable, a little game work in between. Per 10 events: 4 logs, 2 counters, 1 gauge, 1 histogram, a root \
         span and a child span. Modes take turns in 1 s blocks in one process until each has {} s of frames: \
         *off* (the game work, no calls), *noop* (`NoopTracker`: the stand-in that exports for a platform with no library get, `addons/game_tracker/stand_in/`, GDScript methods that do nothing: what any \
         tracker pays for arguments and dispatch), *floor* (native methods reached the way the addon's are, doing \
         nothing), *gdext* (the same no-ops as gdext `#[func]`s with optional parameters), *addon*, *gdscript* \
         (the pure-GDScript tracker; its flush Timer and `HTTPRequest` run only in its own blocks), *debugger* (the \
         addon feeding the editor's GameTracker tab), *idle* (the addon running, the game making no calls). A frame's time is the main thread's process step, from \
         SceneTree's `process_frame` signal (where the addon drains captured engine errors) to the last node \
         processed (the addon's hand-over is the last node but one).\n\n\
         | mode | frame p50 µs | p99 µs | max µs | mean µs | calls p50 µs | signal mean µs | hand-over mean µs | events | fps |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        s.rate, s.frame_seconds
    );
    for g in game {
        out.push_str(&format!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.1} | {:.1} | {} | {:.1} |\n",
            g["mode"].as_str().unwrap_or("?"),
            f(&g["frame"]["p50"]),
            f(&g["frame"]["p99"]),
            f(&g["frame"]["max"]),
            f(&g["frame"]["mean"]),
            f(&g["calls"]["p50"]),
            f(&g["signal"]["mean"]),
            f(&g["handover"]["mean"]),
            g["events"],
            f(&g["fps"]),
        ));
    }
    let by = |m: &str| game.iter().find(|g| g["mode"] == m);
    let (Some(off), Some(noop), Some(floor), Some(addon), Some(idle)) =
        (by("off"), by("noop"), by("floor"), by("addon"), by("idle"))
    else {
        return out;
    };
    let extra = |q: &str| f(&addon["frame"][q]) - f(&noop["frame"][q]);
    let events_per_frame = f(&addon["events"]) / f(&addon["frames"]);
    // Per event, from the calls window's means over each mode's frames.
    let per_event = |g: &Json, base: &Json| {
        (f(&g["calls"]["mean"]) - f(&base["calls"]["mean"])) * 1000.0 / events_per_frame
    };
    // The addon's own node (hand-over marker to last) and the frame signal,
    // over off's: everything it does in a frame with no call.
    let over_off = |g: &Json, part: &str| f(&g[part]["mean"]) - f(&off[part]["mean"]);
    let idle_work = over_off(idle, "handover") + over_off(idle, "signal");
    out.push_str(&format!(
        "\nThe addon against the do-nothing tracker, at {events_per_frame:.0} events a frame:\n\n\
         | | measured | must reach |\n|---|---:|:---:|\n\
         | extra process time per frame, p50 | {:+.0} µs | {} ≤ {MAX_GAME_EXTRA_P50_US:.0} µs |\n\
         | extra process time per frame, p99 | {:+.0} µs | {} ≤ {MAX_GAME_EXTRA_P99_US:.0} µs |\n\
         | extra process time per frame, max | {:+.0} µs | |\n\
         | in-frame cost per event (the calls, means) | {:.0} ns | |\n\
         | per-frame work when the game made no call (*idle*: the addon's node and the frame signal, over *off*) | {idle_work:.1} µs | {} ≤ {MAX_IDLE_FRAME_WORK_US:.0} µs |\n\n",
        extra("p50"),
        mark(extra("p50") <= MAX_GAME_EXTRA_P50_US),
        extra("p99"),
        mark(extra("p99") <= MAX_GAME_EXTRA_P99_US),
        extra("max"),
        per_event(addon, noop),
        mark(idle_work <= MAX_IDLE_FRAME_WORK_US),
    ));
    out.push_str(&format!(
        "Whose time a call is (the calls window's mean over *off*'s, per event):\n\n\
         | | ns per event |\n|---|---:|\n\
         | building the arguments and calling a do-nothing GDScript tracker (*noop*) | {:.0} |\n\
         | the same arguments to do-nothing native methods reached as the addon's are (*floor*) | {:.0} |\n\
         | {} |\n\
         | the addon: *floor* plus its own work | {:.0} |\n\
         | of which the addon's own work (*addon* − *floor*) | {:.0} |\n\n",
        per_event(noop, off),
        per_event(floor, off),
        by("gdext").map_or_else(
            || "the same no-ops as gdext `#[func]`s (not measured) | —".to_string(),
            |g| format!("the same no-ops as gdext `#[func]`s with optional parameters, as the addon's calls were before (*gdext*) | {:.0}", per_event(g, off))
        ),
        per_event(addon, off),
        per_event(addon, floor),
    ));
    if let Some(debugger) = by("debugger") {
        let feed = &debugger["feed"];
        out.push_str(&format!(
            "The editor's GameTracker tab (a debugger attached, *debugger* mode): the frame's records copied for the editor \
             (which reads them into events in its own process) and encoded as the debugger's message cost {:.1} µs per frame on average (p99 {:.0} µs), {:+.0} µs \
             frame p50 over *addon*. With no debugger attached (an exported game) none of it runs: the autoload connects \
             nothing, and the hand-over checks one empty option (part of *addon*'s figures).\n\n",
            f(&feed["mean"]),
            f(&feed["p99"]),
            f(&debugger["frame"]["p50"]) - f(&addon["frame"]["p50"]),
        ));
    }
    out.push_str(
        "The addon's per-frame work outside the calls, by part (means; the native parts timed inside \
         `GameTrackerClient::process` by the benchmark build). Captured engine errors cost nothing in a frame \
         that queued none.\n\n\
         | part | idle µs | addon µs |\n|---|---:|---:|\n",
    );
    let part = |g: &Json, name: &str| {
        let c = &g["costs"][name];
        f(&c["total_ns"]) / f(&c["frames"]).max(1.0) / 1000.0
    };
    for (name, label) in [
        (
            "hitch_detector",
            "hitch detector, a frame that is not a hitch",
        ),
        ("handover", "hand-over to the worker"),
        ("vitals", "vitals"),
        ("diagnostics", "diagnostics (worker warnings)"),
    ] {
        out.push_str(&format!(
            "| {label} | {:.2} | {:.2} |\n",
            part(idle, name),
            part(addon, name)
        ));
    }
    out.push_str(&format!(
        "| the addon's `_process` as a node, all of it (hand-over marker to last, over *off*'s) | {:.1} | {:.1} |\n\
         | the frame's `process_frame` signal, over *off*'s | {:.1} | {:.1} |\n\n",
        over_off(idle, "handover"),
        over_off(addon, "handover"),
        over_off(idle, "signal"),
        over_off(addon, "signal"),
    ));
    out
}
