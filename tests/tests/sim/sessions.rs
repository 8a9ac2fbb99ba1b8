//! Players' sessions simulated with the core's own metrics path: each has
//! the aggregator a game's worker has (`game_tracker_core::model::metrics`) with
//! the automatic labels a session gets (`instance` its id), is played a
//! step at a time with the demo's metrics, and turns its running state into
//! the remote-write body the addon sends (`encode::remote_write`). Used by
//! the aggregation test and the load generator (`examples/load.rs`), which
//! use different parts of it.
#![allow(dead_code)]

use game_tracker_core::diagnostics::Diagnostics;
use game_tracker_core::encode::{remote_write, Payload};
use game_tracker_core::model::event::MetricUpdate;
use game_tracker_core::model::metrics::Aggregator;
use game_tracker_core::MetricKind;

pub const CAUSES: [&str; 3] = ["lava", "spikes", "fall"];
pub const SCENES: [&str; 3] = ["forest", "cave", "castle"];
/// The addon's default buckets.
pub const BUCKETS: [f64; 12] = [
    1.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0,
];
/// Series one session makes: 3 death causes, 1 level counter, a histogram
/// (12 buckets, +Inf, sum, count) per scene it loads (1), 2 gauges, and
/// `game_sessions_total{status="started"}` (one more, `crashed`, for the
/// sessions that crash).
pub const SERIES_PER_SESSION: usize = 3 + 1 + 15 + 2 + 1;
/// Every this many sessions, one crashes at its third step.
pub const CRASH_EVERY: usize = 10;

pub struct SimSession {
    aggregator: Aggregator,
    warnings: Diagnostics,
    index: usize,
    steps: u64,
}

impl SimSession {
    /// Session number `index` of `game`: its id is made from the index, so
    /// two runs make the same series.
    pub fn new(game: &str, version: &str, index: usize) -> SimSession {
        let automatic = vec![
            ("game".to_string(), game.to_string()),
            ("env".to_string(), "production".to_string()),
            ("version".to_string(), version.to_string()),
            (
                "instance".to_string(),
                format!("{index:08x}-5e55-4000-8000-{index:012x}"),
            ),
        ];
        SimSession {
            aggregator: Aggregator::new(BUCKETS.to_vec(), 2_000, automatic),
            warnings: Diagnostics::collecting(),
            index,
            steps: 0,
        }
    }

    pub fn scene(&self) -> &'static str {
        SCENES[self.index % SCENES.len()]
    }

    /// One step of play: a death (its cause turns with the step), the
    /// level and the session started (first step only), a crash (third
    /// step, one session in `CRASH_EVERY`), a load time, health and fps.
    /// Returns the metric calls made.
    pub fn play(&mut self, now_unix_nano: u64) -> u64 {
        let scene = self.scene();
        let cause = CAUSES[(self.index + self.steps as usize) % CAUSES.len()];
        let mut calls = vec![
            update(
                now_unix_nano,
                MetricKind::Counter,
                "player_deaths",
                1.0,
                &[("cause", cause)],
            ),
            update(
                now_unix_nano,
                MetricKind::Histogram,
                "load_time_ms",
                load_time_ms(self.index),
                &[("scene", scene)],
            ),
            update(
                now_unix_nano,
                MetricKind::Gauge,
                "player_health",
                100.0 - (self.steps % 100) as f64,
                &[],
            ),
            update(
                now_unix_nano,
                MetricKind::Gauge,
                "game_fps",
                60.0,
                &[("scene", scene)],
            ),
        ];
        if self.steps == 0 {
            calls.push(update(
                now_unix_nano,
                MetricKind::Counter,
                "levels_started",
                1.0,
                &[("level", scene)],
            ));
            calls.push(update(
                now_unix_nano,
                MetricKind::Counter,
                "game_sessions",
                1.0,
                &[("status", "started")],
            ));
        }
        if self.steps == 2 && self.index.is_multiple_of(CRASH_EVERY) {
            calls.push(update(
                now_unix_nano,
                MetricKind::Counter,
                "game_sessions",
                1.0,
                &[("status", "crashed")],
            ));
        }
        for call in &calls {
            self.aggregator
                .record(call, &mut self.warnings)
                .expect("a valid update");
        }
        self.steps += 1;
        calls.len() as u64
    }

    /// The running state as the addon's remote-write request body.
    pub fn snapshot(&mut self, now_ms: i64) -> Option<Payload> {
        self.aggregator
            .snapshot(now_ms)
            .map(|s| remote_write::encode_snapshot(&s))
    }
}

/// Session `index`'s load time: 10, 20, ... 50 ms.
pub fn load_time_ms(index: usize) -> f64 {
    10.0 * (index % 5 + 1) as f64
}

fn update(
    time_unix_nano: u64,
    kind: MetricKind,
    name: &str,
    value: f64,
    labels: &[(&str, &str)],
) -> MetricUpdate {
    MetricUpdate {
        time_unix_nano,
        kind,
        name: name.to_string(),
        value,
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        more: Vec::new(),
    }
}
