//! Main-thread calls while the receiver fails: the fault tests' game
//! (tests/common/play.rs) played through each fault, every call timed in
//! CPU time (what the calling thread spent in it) and wall time (which on a
//! busy machine also counts the time the thread was preempted). The tests
//! assert that no call waited on the network; how much a call costs at the
//! 99.9th percentile is this benchmark's figure, reported in BENCHMARKS.md
//! against its must-reach line and never failing a build.
//!
//! `cargo bench -p game_tracker_core --bench fault_calls [-- --quick]`
//! prints one `BENCH {json}` line per fault.

use std::time::Duration;

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/common/play.rs"]
mod play;

use game_tracker_testkit::receiver::Receiver;
use play::{percentiles, FAULTS, FRAMES};

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    // Five seconds of play per fault (one in a quick run).
    let frames = if quick { FRAMES } else { 5 * FRAMES };
    for fault in &FAULTS {
        let rx = Receiver::start();
        let t = fault.start(&rx, vec![]);
        let play = fault.play_through(&rx, &t, frames);
        t.shutdown(Duration::from_secs(1));
        let ns = |d: Duration| d.as_nanos() as u64;
        let (wall_p99, wall_p999, wall_worst) = percentiles(&play.call_times);
        let cpu = (!play.call_cpu.is_empty()).then(|| percentiles(&play.call_cpu));
        println!(
            "BENCH {}",
            serde_json::json!({
                "kind": "fault_calls",
                "fault": fault.name,
                "calls": play.call_times.len(),
                "cpu_p99_ns": cpu.map(|c| ns(c.0)),
                "cpu_p999_ns": cpu.map(|c| ns(c.1)),
                "cpu_worst_ns": cpu.map(|c| ns(c.2)),
                "wall_p99_ns": ns(wall_p99),
                "wall_p999_ns": ns(wall_p999),
                "wall_worst_ns": ns(wall_worst),
            })
        );
    }
}
