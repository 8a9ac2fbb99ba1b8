//! The benchmark build's measure of `GameTrackerClient::process` by part
//! (hitch detector, vitals, hand-over, diagnostics), read by `bench_frame_costs()` for
//! BENCHMARKS.md. Compiled only with the `bench` feature.

use godot::prelude::*;

/// One part of `GameTrackerClient::process`: frames it ran in, its total
/// and slowest main-thread time.
#[derive(Default)]
pub struct PartCost {
    frames: u64,
    total_ns: u64,
    max_ns: u64,
}

impl PartCost {
    fn add(&mut self, took: std::time::Duration) {
        let ns = took.as_nanos() as u64;
        self.frames += 1;
        self.total_ns += ns;
        self.max_ns = self.max_ns.max(ns);
    }

    fn to_dictionary(&self) -> VarDictionary {
        let mut d = VarDictionary::new();
        d.set("frames", self.frames as i64);
        d.set("total_ns", self.total_ns as i64);
        d.set("max_ns", self.max_ns as i64);
        d
    }
}

/// The parts of `GameTrackerClient::process`, timed by the benchmark build.
#[derive(Default)]
pub struct FrameCosts {
    /// Timing the frame and comparing it with the hitch threshold, in
    /// frames that were not hitches.
    pub hitch_detector: PartCost,
    /// The same in a hitch's frame, with the monitors read and the note.
    pub hitch_reported: PartCost,
    pub vitals: PartCost,
    pub handover: PartCost,
    pub diagnostics: PartCost,
}

impl FrameCosts {
    pub fn to_dictionary(&self) -> VarDictionary {
        let mut d = VarDictionary::new();
        d.set("hitch_detector", &self.hitch_detector.to_dictionary());
        d.set("hitch_reported", &self.hitch_reported.to_dictionary());
        d.set("vitals", &self.vitals.to_dictionary());
        d.set("handover", &self.handover.to_dictionary());
        d.set("diagnostics", &self.diagnostics.to_dictionary());
        d
    }
}

/// Times consecutive parts: each `lap` charges the time since the last.
pub struct PartClock(std::time::Instant);

impl PartClock {
    pub fn start() -> Self {
        PartClock(std::time::Instant::now())
    }

    pub fn lap(&mut self, part: &mut PartCost) {
        let now = std::time::Instant::now();
        part.add(now - self.0);
        self.0 = now;
    }
}
