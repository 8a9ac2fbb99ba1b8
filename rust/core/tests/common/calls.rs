//! `log` and `metric` with owned arguments, for tests: the tracker itself
//! only has the calls the engine layer makes (`log_with`, `metric_with`),
//! which write the engine's values straight into the record.

use game_tracker_core::{Fields, Level, MetricKind, Tracker};

pub trait TestCalls {
    fn log(&self, level: Level, message: String, data: Fields);
    fn metric(&self, kind: MetricKind, name: String, value: f64, labels: Vec<(String, String)>);
}

impl TestCalls for Tracker {
    fn log(&self, level: Level, message: String, data: Fields) {
        self.log_with(level, message, data);
    }

    fn metric(&self, kind: MetricKind, name: String, value: f64, labels: Vec<(String, String)>) {
        self.metric_with(kind, name, value, labels.as_slice());
    }
}
