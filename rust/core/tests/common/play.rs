//! A game playing through a receiver fault: the fault tests (faults.rs)
//! assert what arrives and what is counted; the fault benchmark
//! (benches/fault_calls.rs) reports what each call cost meanwhile.

use std::time::{Duration, Instant};

use crate::common::calls::TestCalls;
use game_tracker_core::model::value::Value;
use game_tracker_core::{Config, DeviceInfo, Level, MetricKind, SpanStatus, Tracker};
use game_tracker_testkit::receiver::{Fault as Misbehave, Receiver};

use crate::common::assert_identity;

/// 60 frames at 60 fps: one second of play during the fault.
pub const FRAMES: usize = 60;
pub const EVENTS_PER_FRAME: usize = 20;

/// One way a receiver fails, switched on and off while the game plays.
pub struct Fault {
    pub name: &'static str,
    /// The tracker's `request_timeout`, in seconds.
    pub request_timeout: i64,
    pub on: fn(&Receiver),
    pub off: fn(&Receiver),
}

impl Fault {
    /// A tracker sending to `rx`, flushing every 0.2 s; `extra` settings on top.
    pub fn start(&self, rx: &Receiver, extra: Vec<(&str, Value)>) -> Tracker {
        let mut fields = vec![
            ("endpoint".to_string(), Value::Str(rx.base_url())),
            ("flush_interval".to_string(), Value::Float(0.2)),
            (
                "request_timeout".to_string(),
                Value::Int(self.request_timeout),
            ),
            ("batch_size".to_string(), Value::Int(200)),
            // Only what the game makes: session events have tests/health.rs.
            ("release_health".to_string(), Value::Bool(false)),
            ("self_metrics".to_string(), Value::Bool(false)),
        ];
        fields.extend(extra.into_iter().map(|(k, v)| (k.to_string(), v)));
        Tracker::start(Config::from_fields(&fields).unwrap(), DeviceInfo::default()).unwrap()
    }

    /// `frames` frames of play while the fault lasts; then it ends.
    pub fn play_through(&self, rx: &Receiver, t: &Tracker, frames: usize) -> Play {
        let mut play = Play::default();
        (self.on)(rx);
        play.frames(t, frames);
        (self.off)(rx);
        play
    }
}

/// Every fault the tests ride out and the benchmark times.
pub const FAULTS: [Fault; 7] = [
    Fault {
        name: "down",
        request_timeout: 2,
        on: Receiver::go_down,
        off: Receiver::come_up,
    },
    // Slow, not dead: the answer comes within the request timeout.
    Fault {
        name: "slow 10 s",
        request_timeout: 15,
        on: |rx| rx.delay(Duration::from_secs(10)),
        off: |rx| rx.delay(Duration::ZERO),
    },
    Fault {
        name: "429 + Retry-After",
        request_timeout: 2,
        on: |rx| {
            rx.retry_after(Some("1"));
            rx.respond_with(429);
        },
        off: |rx| rx.respond_with(204),
    },
    Fault {
        name: "reset mid-body",
        request_timeout: 2,
        on: |rx| rx.fault(Misbehave::ResetMidBody),
        off: |rx| rx.fault(Misbehave::None),
    },
    Fault {
        name: "garbage",
        request_timeout: 2,
        on: |rx| rx.fault(Misbehave::Garbage),
        off: |rx| rx.fault(Misbehave::None),
    },
    Fault {
        name: "500",
        request_timeout: 2,
        on: |rx| rx.respond_with(500),
        off: |rx| rx.respond_with(204),
    },
    Fault {
        name: "400",
        request_timeout: 2,
        on: |rx| rx.respond_with(400),
        off: |rx| rx.respond_with(204),
    },
];

/// The tests pick their fault by name; the benchmark plays them all.
#[allow(dead_code)]
pub fn fault(name: &str) -> &'static Fault {
    FAULTS
        .iter()
        .find(|f| f.name == name)
        .expect("a fault of that name")
}

/// What the game did, and how long each of its calls took.
#[derive(Default)]
pub struct Play {
    pub made: i64,
    /// Wall time of each call.
    pub call_times: Vec<Duration>,
    /// CPU time of each call, where a thread clock resolves one.
    pub call_cpu: Vec<Duration>,
}

impl Play {
    /// `frames` frames of `EVENTS_PER_FRAME` logs, counter increments and
    /// spans each, then the once-per-frame handover; identity checked after
    /// every frame.
    pub fn frames(&mut self, t: &Tracker, frames: usize) {
        for _ in 0..frames {
            let frame_start = Instant::now();
            for _ in 0..EVENTS_PER_FRAME {
                let i = self.made;
                self.made += 1;
                self.time(|| {
                    t.log(
                        Level::Info,
                        format!("event {i}"),
                        vec![("i".into(), Value::Int(i))],
                    )
                });
                self.time(|| {
                    t.metric(
                        MetricKind::Counter,
                        "faults_events_total".into(),
                        1.0,
                        vec![],
                    )
                });
                self.time(|| {
                    let span = t.start_span("faults_op", vec![("i".into(), Value::Int(i))], None);
                    t.end_span(&span, SpanStatus::Ok, "");
                });
            }
            self.time(|| t.handover());
            assert_identity(t);
            std::thread::sleep(Duration::from_millis(16).saturating_sub(frame_start.elapsed()));
        }
    }

    fn time(&mut self, call: impl FnOnce()) {
        let (started, cpu) = (Instant::now(), thread_cpu_time());
        call();
        if let (Some(before), Some(after)) = (cpu, thread_cpu_time()) {
            self.call_cpu.push(after.saturating_sub(before));
        }
        self.call_times.push(started.elapsed());
    }
}

/// The 99th and 99.9th percentiles and the worst of `times`.
pub fn percentiles(times: &[Duration]) -> (Duration, Duration, Duration) {
    let mut sorted = times.to_vec();
    sorted.sort();
    let at = |p: usize| sorted[(sorted.len() * p / 1000).min(sorted.len() - 1)];
    (at(990), at(999), at(1000))
}

/// CPU time this thread has used so far, where a thread clock can resolve
/// one call. Windows' thread times tick every 15.6 ms (10 ms under Wine).
#[cfg(unix)]
fn thread_cpu_time() -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid clock id and a valid out pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Some(Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}
#[cfg(not(unix))]
fn thread_cpu_time() -> Option<Duration> {
    None
}
