//! Frame delivery's cost on the game's thread: with `delivery: "frame"` the
//! worker runs inside each frame's hand-over (a slice of about
//! `FRAME_SLICE`), so the hand-over is where the whole pipeline's main-thread
//! time shows. A game at 60 fps makes a fixed rate of events (the fault
//! tests' mix: logs, counter increments, spans) against a loopback receiver;
//! every hand-over is timed, with thread delivery beside it for comparison.
//! At the end every event must have been sent.
//!
//! `cargo bench -p game_tracker_core --bench frame_slice [-- --quick]`
//! prints one `BENCH {json}` line per delivery and rate.

use std::time::{Duration, Instant};

#[path = "../tests/common/mod.rs"]
mod common;

use common::calls::TestCalls;
use game_tracker_core::model::value::Value;
use game_tracker_core::{Config, DeviceInfo, Level, MetricKind, Signal, SpanStatus, Tracker};
use game_tracker_testkit::receiver::Receiver;

const FPS: u64 = 60;
const RATES: [u64; 3] = [100, 1_000, 10_000];

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let seconds = if quick { 2 } else { 10 };
    for delivery in ["frame", "thread"] {
        for rate in RATES {
            let rx = Receiver::start();
            let fields = vec![
                ("endpoint".to_string(), Value::Str(rx.base_url())),
                ("delivery".to_string(), Value::Str(delivery.into())),
                ("release_health".to_string(), Value::Bool(false)),
                ("self_metrics".to_string(), Value::Bool(false)),
            ];
            let t = Tracker::start(Config::from_fields(&fields).unwrap(), DeviceInfo::default())
                .unwrap();
            let mut handovers = Vec::new();
            let mut made = 0u64;
            let frames = seconds * FPS;
            for frame in 0..frames {
                let frame_start = Instant::now();
                let due = (frame + 1) * rate / FPS;
                while made < due {
                    match made % 3 {
                        0 => t.log(
                            Level::Info,
                            format!("event {made}"),
                            vec![("i".into(), Value::Int(made as i64))],
                        ),
                        1 => t.metric(
                            MetricKind::Counter,
                            "bench_events_total".into(),
                            1.0,
                            vec![],
                        ),
                        _ => {
                            let span = t.start_span(
                                "bench_op",
                                vec![("i".into(), Value::Int(made as i64))],
                                None,
                            );
                            t.end_span(&span, SpanStatus::Ok, "");
                        }
                    }
                    made += 1;
                }
                let started = Instant::now();
                t.handover();
                handovers.push(started.elapsed());
                std::thread::sleep(
                    Duration::from_micros(1_000_000 / FPS).saturating_sub(frame_start.elapsed()),
                );
            }
            let answered = t.flush_and_wait(Duration::from_secs(30));
            let (sent, dropped): (u64, u64) = Signal::ALL
                .iter()
                .map(|s| t.stats(*s))
                .map(|s| (s.sent, s.dropped_total()))
                .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
            let produced: u64 = Signal::ALL.iter().map(|s| t.stats(*s).produced).sum();
            t.shutdown(Duration::from_secs(1));
            handovers.sort();
            let at = |q: f64| {
                handovers[((handovers.len() as f64 * q) as usize).min(handovers.len() - 1)]
                    .as_nanos() as u64
            };
            let mean =
                handovers.iter().map(Duration::as_nanos).sum::<u128>() / handovers.len() as u128;
            println!(
                "BENCH {}",
                serde_json::json!({
                    "kind": "frame_slice",
                    "delivery": delivery,
                    "rate": rate,
                    "frames": handovers.len(),
                    "p50_ns": at(0.5),
                    "p99_ns": at(0.99),
                    "max_ns": at(1.0),
                    "mean_ns": mean as u64,
                    "produced": produced,
                    "sent": sent,
                    "dropped": dropped,
                    "answered": answered,
                })
            );
        }
    }
}
