//! Hitch detection on the main thread: each frame's wall time, from one of
//! the tracker's `process` calls to the next (it runs after the game's
//! nodes, so the span covers everything the frame ran), compared with the
//! threshold. That is all a frame that is not a hitch pays (BENCHMARKS.md).
//! A hitch reads the engine's monitors and tells the core, whose worker
//! says what ran in the frame (`game_tracker_core::hitches`).

use std::time::{Duration, Instant};

use game_tracker_core::config::HitchConfig;
use game_tracker_core::Tracker;
use godot::classes::Engine;
use godot::prelude::*;

use crate::engine_monitors::EngineMonitors;

/// The frame rate assumed when the game sets no `max_fps`: most displays'.
const DEFAULT_TARGET_FPS: f64 = 60.0;

/// The engine's monitors a hitch carries, by their `Performance` constant
/// names, and the names the hitch gives them. Godot updates the two time monitors
/// once a second, with the longest step of that second.
const MONITORS: [(&str, &str); 7] = [
    ("TIME_PROCESS", "process_time_max_s"),
    ("TIME_PHYSICS_PROCESS", "physics_time_max_s"),
    ("RENDER_TOTAL_DRAW_CALLS_IN_FRAME", "draw_calls"),
    ("OBJECT_COUNT", "objects"),
    ("OBJECT_NODE_COUNT", "nodes"),
    ("OBJECT_ORPHAN_NODE_COUNT", "orphan_nodes"),
    ("MEMORY_STATIC", "static_memory_bytes"),
];

/// The frame rate the game aims at: `Engine.max_fps`, or 60 Hz.
pub fn target_frame_time() -> Duration {
    let max_fps = Engine::singleton().get_max_fps();
    let fps = if max_fps > 0 {
        f64::from(max_fps)
    } else {
        DEFAULT_TARGET_FPS
    };
    Duration::from_secs_f64(1.0 / fps)
}

/// The frame that just ended, as [`HitchDetector::frame`] timed it.
pub struct Frame {
    pub length: Duration,
    pub hitch: bool,
}

pub struct HitchDetector {
    threshold: Duration,
    /// `capture_hitches`: without it frames are only timed (for the vitals).
    report: bool,
    /// When the last frame's `process` ran; `None` after a pause.
    last: Option<Instant>,
    monitors: EngineMonitors,
}

impl HitchDetector {
    /// `config.capture` off: frames are timed and hitches counted, not reported.
    pub fn new(config: &HitchConfig) -> HitchDetector {
        HitchDetector {
            threshold: config.threshold(target_frame_time()),
            report: config.capture,
            last: None,
            monitors: EngineMonitors::new(&MONITORS),
        }
    }

    /// Once a frame: the frame that just ended (none on the first), reported
    /// when it was a hitch.
    pub fn frame(&mut self, tracker: &Tracker) -> Option<Frame> {
        let now = Instant::now();
        let started = self.last.replace(now)?;
        let length = now.duration_since(started);
        let hitch = length > self.threshold;
        if hitch && self.report {
            // Only on a hitch: a frame that already took more than the threshold.
            let monitors = self.monitors.read_all();
            tracker.hitch(started, now, self.threshold, &monitors);
        }
        Some(Frame { length, hitch })
    }

    /// The app was paused or the tracker stopped: the time until the next
    /// frame is not a frame.
    pub fn forget_last_frame(&mut self) {
        self.last = None;
    }
}
