//! Game vitals with no game code: frame times, hitches, FPS, memory, draw
//! calls and objects, labelled with the current scene.
//!
//! Per frame the main thread only appends the frame's length (timed by
//! `hitch_detector.rs`, wall time: `Engine.time_scale` does not change it)
//! to a buffer and counts it if it was a hitch. Once a second (and at each
//! flush) that second's frame times go to the worker as one histogram
//! update, not one event per frame. The engine's monitors are read once a
//! second too, one per frame over the frames that follow, so no single
//! frame pays for all of them (BENCHMARKS.md has the cost).

use game_tracker_core::{MetricKind, Tracker, FRAME_TIME_METRIC, SCENE_LABEL};

use crate::engine_monitors::EngineMonitors;
use crate::hitch_detector::Frame;

/// How often the vitals are sent: per-second gauges are what a dashboard
/// shows, and one histogram update a second keeps the queue quiet.
pub const VITALS_INTERVAL_SECONDS: f64 = 1.0;

/// The engine's monitors sent as gauges, by their `Performance` constant
/// names.
const MONITORS: [(&str, &str); 5] = [
    ("TIME_FPS", "game_fps"),
    ("MEMORY_STATIC", "game_memory_static_bytes"),
    ("RENDER_VIDEO_MEM_USED", "game_video_memory_bytes"),
    ("RENDER_TOTAL_DRAW_CALLS_IN_FRAME", "game_draw_calls"),
    ("OBJECT_COUNT", "game_objects"),
];

pub struct Vitals {
    frame_times: Vec<f64>,
    hitches: u64,
    since_sent: f64,
    /// `[("scene", <current scene>)]`, built when the scene changes.
    labels: [(String, String); 1],
    monitors: EngineMonitors,
    /// The next monitor to read, or none until the next second.
    next_monitor: Option<usize>,
}

impl Vitals {
    pub fn new() -> Vitals {
        Vitals {
            frame_times: Vec::with_capacity(256),
            hitches: 0,
            since_sent: 0.0,
            labels: [(SCENE_LABEL.to_string(), String::new())],
            monitors: EngineMonitors::new(&MONITORS),
            next_monitor: None,
        }
    }

    pub fn set_scene(&mut self, scene: String) {
        self.labels[0].1 = scene;
    }

    /// The per-frame part: a push and an add; once a second the
    /// send, then one monitor a frame. Milliseconds: the default histogram
    /// buckets (`histogram_buckets`) are shaped for them.
    pub fn frame(&mut self, frame: &Frame, tracker: &Tracker) {
        let seconds = frame.length.as_secs_f64();
        self.frame_times.push(seconds * 1000.0);
        self.hitches += u64::from(frame.hitch);
        self.since_sent += seconds;
        if self.since_sent >= VITALS_INTERVAL_SECONDS {
            self.send(tracker);
        } else if let Some(i) = self.next_monitor {
            self.read_monitor(i, tracker);
            self.next_monitor = (i + 1 < self.monitors.len()).then_some(i + 1);
        }
    }

    fn read_monitor(&mut self, i: usize, tracker: &Tracker) {
        if let Some((metric, value)) = self.monitors.read(i) {
            tracker.metric_with(MetricKind::Gauge, metric, value, self.labels.as_slice());
        }
    }

    /// Before a flush or at quit: what was gathered and every monitor not
    /// read yet, at once, so a short session still reports everything.
    pub fn send_all(&mut self, tracker: &Tracker) {
        self.send(tracker);
        if let Some(first) = self.next_monitor.take() {
            for i in first..self.monitors.len() {
                self.read_monitor(i, tracker);
            }
        }
    }

    /// That second's frame times and hitches; the monitors follow, one a frame.
    fn send(&mut self, tracker: &Tracker) {
        if self.frame_times.is_empty() {
            return;
        }
        tracker.histogram_samples(FRAME_TIME_METRIC, &self.frame_times, self.labels.as_slice());
        tracker.metric_with(
            MetricKind::Counter,
            "game_hitches_total",
            self.hitches as f64,
            self.labels.as_slice(),
        );
        self.next_monitor = (self.monitors.len() > 0).then_some(0);
        self.frame_times.clear();
        self.hitches = 0;
        self.since_sent = 0.0;
    }
}
