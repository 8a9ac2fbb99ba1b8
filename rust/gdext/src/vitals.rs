//! Game vitals with no game code: frame times, hitches, FPS, memory, draw
//! calls and objects, labelled with the current scene.
//!
//! Per frame the main thread only appends the frame's `delta` to a buffer
//! and compares it with the hitch threshold. Once a second (and at each
//! flush) that second's frame times go to the worker as one histogram
//! update, not one event per frame. The engine's monitors are read once a
//! second too, one per frame over the frames that follow, so no single
//! frame pays for all of them (BENCHMARKS.md has the cost).

use game_tracker_core::{MetricKind, Tracker};
use godot::classes::Engine;
use godot::prelude::*;

/// How often the vitals are sent: per-second gauges are what a dashboard
/// shows, and one histogram update a second keeps the queue quiet.
pub const VITALS_INTERVAL_SECONDS: f64 = 1.0;
/// A frame longer than this many target frame times is a hitch.
pub const HITCH_FACTOR: f64 = 2.0;
/// The frame rate assumed when the game sets no `max_fps`: most displays'.
const DEFAULT_TARGET_FPS: f64 = 60.0;

/// The engine's monitors sent as gauges, by their `Performance` constant
/// names (looked up in ClassDB once: the numbers changed between versions).
const MONITORS: [(&str, &str); 5] = [
    ("TIME_FPS", "game_fps"),
    ("MEMORY_STATIC", "game_memory_static_bytes"),
    ("RENDER_VIDEO_MEM_USED", "game_video_memory_bytes"),
    ("RENDER_TOTAL_DRAW_CALLS_IN_FRAME", "game_draw_calls"),
    ("OBJECT_COUNT", "game_objects"),
];

pub struct Vitals {
    target_frame_time: f64,
    frame_times: Vec<f64>,
    hitches: u64,
    since_sent: f64,
    /// `[("scene", <current scene>)]`, built when the scene changes.
    labels: [(String, String); 1],
    /// `Performance` singleton and the monitor ids, resolved at start.
    performance: Option<Gd<Object>>,
    get_monitor: StringName,
    monitor_ids: Vec<(i64, &'static str)>,
    /// The next monitor to read, or none until the next second.
    next_monitor: Option<usize>,
}

impl Vitals {
    pub fn new() -> Vitals {
        let engine = Engine::singleton();
        let max_fps = engine.get_max_fps();
        let target_fps = if max_fps > 0 {
            f64::from(max_fps)
        } else {
            DEFAULT_TARGET_FPS
        };
        let class_db = engine.get_singleton("ClassDB");
        let monitor_ids = MONITORS
            .iter()
            .filter_map(|(constant, metric)| {
                let id = class_db
                    .clone()?
                    .try_call(
                        "class_get_integer_constant",
                        &["Performance".to_variant(), constant.to_variant()],
                    )
                    .ok()?;
                Some((id.try_to::<i64>().ok()?, *metric))
            })
            .collect();
        Vitals {
            target_frame_time: 1.0 / target_fps,
            frame_times: Vec::with_capacity(256),
            hitches: 0,
            since_sent: 0.0,
            labels: [("scene".to_string(), String::new())],
            performance: engine.get_singleton("Performance"),
            get_monitor: StringName::from("get_monitor"),
            monitor_ids,
            next_monitor: None,
        }
    }

    pub fn set_scene(&mut self, scene: String) {
        self.labels[0].1 = scene;
    }

    /// The per-frame part: a push and two comparisons; once a second the
    /// send, then one monitor a frame. Milliseconds: the default histogram
    /// buckets (`histogram_buckets`) are shaped for them.
    pub fn frame(&mut self, delta: f64, tracker: &Tracker) {
        self.frame_times.push(delta * 1000.0);
        if delta > HITCH_FACTOR * self.target_frame_time {
            self.hitches += 1;
        }
        self.since_sent += delta;
        if self.since_sent >= VITALS_INTERVAL_SECONDS {
            self.send(tracker);
        } else if let Some(i) = self.next_monitor {
            self.read_monitor(i, tracker);
            self.next_monitor = (i + 1 < self.monitor_ids.len()).then_some(i + 1);
        }
    }

    fn read_monitor(&mut self, i: usize, tracker: &Tracker) {
        let (Some(performance), Some(&(id, metric))) =
            (self.performance.as_mut(), self.monitor_ids.get(i))
        else {
            return;
        };
        if let Ok(value) = performance.try_call(&self.get_monitor, &[id.to_variant()]) {
            tracker.metric_with(
                MetricKind::Gauge,
                metric,
                value.try_to::<f64>().unwrap_or(0.0),
                self.labels.as_slice(),
            );
        }
    }

    /// Before a flush or at quit: what was gathered and every monitor not
    /// read yet, at once, so a short session still reports everything.
    pub fn send_all(&mut self, tracker: &Tracker) {
        self.send(tracker);
        if let Some(first) = self.next_monitor.take() {
            for i in first..self.monitor_ids.len() {
                self.read_monitor(i, tracker);
            }
        }
    }

    /// That second's frame times and hitches; the monitors follow, one a frame.
    fn send(&mut self, tracker: &Tracker) {
        if self.frame_times.is_empty() {
            return;
        }
        tracker.histogram_samples(
            "game_frame_time_ms",
            &self.frame_times,
            self.labels.as_slice(),
        );
        tracker.metric_with(
            MetricKind::Counter,
            "game_hitches_total",
            self.hitches as f64,
            self.labels.as_slice(),
        );
        self.next_monitor = (!self.monitor_ids.is_empty()).then_some(0);
        self.frame_times.clear();
        self.hitches = 0;
        self.since_sent = 0.0;
    }
}
