//! Worker throughput on one core: how many events per second the worker
//! thread (read records, batch, aggregate, encode, compress) and its sender
//! threads (HTTP to a loopback receiver) get through when pinned together to
//! CPU 0, while the producing thread and the receiver run on CPU 1.
//!
//! `cargo bench -p game_tracker_core --bench throughput [-- --quick]`
//! prints one `BENCH {json}` line per case; `tests/bench/run.sh` puts them
//! into BENCHMARKS.md. Each case: N events from a fresh tracker, timed from
//! the first event to the receiver's last answer, median of RUNS runs.

use std::time::{Duration, Instant};

use game_tracker_core::encode::Compression;
use game_tracker_core::{
    Config, DeviceInfo, Fields, Level, MetricKind, Signal, SpanStatus, Tracker, Value,
};
use game_tracker_testkit::receiver::Receiver;

const RUNS: usize = 3;
/// Label sets the metric updates cycle through: aggregation folds each
/// update into one of these series.
const METRIC_SERIES: usize = 10;

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let scale = if quick { 10 } else { 1 };
    let pinned = pin_current_thread(1);
    let rx = Receiver::start_discarding();
    let cases = [
        (Signal::Logs, Compression::None, 500_000),
        (Signal::Logs, Compression::Gzip, 500_000),
        (Signal::Metrics, Compression::None, 2_000_000),
        (Signal::Traces, Compression::None, 300_000),
        (Signal::Traces, Compression::Gzip, 300_000),
    ];
    for (signal, compression, n) in cases {
        let n = n / scale;
        let mut results: Vec<Run> = (0..RUNS)
            .map(|_| run(&rx, signal, compression, n))
            .collect();
        results.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
        let median = &results[RUNS / 2];
        println!(
            "BENCH {}",
            serde_json::json!({
                "kind": "throughput",
                "signal": signal.as_str(),
                "compression": match (signal, compression) {
                    (Signal::Metrics, _) => "snappy",
                    (_, Compression::Gzip) => "gzip",
                    _ => "none",
                },
                "events": n,
                "events_per_s": n as f64 / median.seconds,
                "bytes_per_event": median.bytes as f64 / n as f64,
                "requests": median.requests,
                "sent": median.sent,
                "dropped": median.dropped,
                "runs_s": results.iter().map(|r| r.seconds).collect::<Vec<_>>(),
                "pinned": pinned,
            })
        );
    }
}

struct Run {
    seconds: f64,
    bytes: usize,
    requests: usize,
    sent: u64,
    dropped: u64,
}

fn run(rx: &Receiver, signal: Signal, compression: Compression, n: usize) -> Run {
    let mut config = Config::from_fields(&vec![
        ("endpoint".to_string(), Value::Str(rx.base_url())),
        ("game".into(), Value::Str("bench".into())),
        ("version".into(), Value::Str("1.4.2".into())),
        ("environment".into(), Value::Str("production".into())),
    ])
    .expect("valid config");
    // Room for every event: the benchmark measures the worker, not the queue bound.
    config.queue_capacity = n + 1;
    config.max_queue_bytes = 4 << 30;
    config.max_backlog_bytes = 4 << 30;
    config.compression = compression;
    let tracker = Tracker::start(config, device()).expect("tracker starts");
    pin_tracker_threads(0);
    let path = match signal {
        Signal::Logs => "/loki/api/v1/push",
        Signal::Metrics => "/api/v1/metrics/write",
        Signal::Traces => "/v1/traces",
    };
    let (requests_before, bytes_before) = rx.received(path);
    // Varied values, so compression sees realistic (not identical) lines.
    let weapons = ["sword", "bow", "staff", "axe", "dagger"];
    let data = |i: usize| -> Fields {
        vec![
            ("enemy".into(), Value::Str(format!("goblin_{}", i % 97))),
            (
                "weapon".into(),
                Value::Str(weapons[i % weapons.len()].into()),
            ),
            ("damage".into(), Value::Int((i * 7919 % 1000) as i64)),
        ]
    };
    let labels: Vec<Fields> = (0..METRIC_SERIES)
        .map(|i| vec![("level".into(), Value::Str(format!("level_{i}")))])
        .collect();
    let attributes: Fields = vec![("chunk".into(), Value::Int(7))];
    let started = Instant::now();
    for i in 0..n {
        match signal {
            Signal::Logs => tracker.log_with(Level::Info, "enemy_killed", data(i)),
            Signal::Metrics => tracker.metric_with(
                MetricKind::Counter,
                "enemies_killed",
                1.0,
                &labels[i % METRIC_SERIES],
            ),
            Signal::Traces => {
                let span = tracker.start_span("load_chunk", &attributes, None);
                tracker.end_span(&span, SpanStatus::Ok, "");
            }
        }
    }
    assert!(
        tracker.flush_and_wait(Duration::from_secs(300)),
        "every request answered"
    );
    let seconds = started.elapsed().as_secs_f64();
    let (requests_after, bytes_after) = rx.received(path);
    let stats = tracker.stats(signal);
    tracker.shutdown(Duration::from_secs(5));
    Run {
        seconds,
        bytes: bytes_after - bytes_before,
        requests: requests_after - requests_before,
        sent: stats.sent,
        dropped: stats.dropped_total(),
    }
}

fn device() -> DeviceInfo {
    DeviceInfo {
        os: "Linux".into(),
        os_version: "6.1".into(),
        locale: "en_US".into(),
        godot_version: "4.6.3.stable".into(),
        gpu: "llvmpipe (LLVM 15.0.6, 256 bits)".into(),
        screen: "1920x1080".into(),
    }
}

/// Pins the calling thread to `cpu`; false where that is not possible
/// (a one-core machine, or not Linux).
fn pin_current_thread(cpu: usize) -> bool {
    pin(0, cpu)
}

/// Pins the tracker's worker and sender threads (named `game_tracker*`).
fn pin_tracker_threads(cpu: usize) {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return;
    };
    for task in tasks.flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if comm.starts_with("game_tracker") {
            if let Ok(tid) = task.file_name().to_string_lossy().parse::<i32>() {
                pin(tid, cpu);
            }
        }
    }
}

#[cfg(target_os = "linux")]
fn pin(tid: i32, cpu: usize) -> bool {
    if std::thread::available_parallelism().map_or(1, |n| n.get()) <= cpu {
        return false;
    }
    // SAFETY: a zeroed cpu_set_t is a valid empty set; CPU_SET stays in bounds
    // (cpu < available CPUs < CPU_SETSIZE); sched_setaffinity only reads it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(tid, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    }
}

#[cfg(not(target_os = "linux"))]
fn pin(_tid: i32, _cpu: usize) -> bool {
    false
}
