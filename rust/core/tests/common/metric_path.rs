//! The worker's path for a metric update, as `Batcher::admit` and
//! `Batcher::add` take it: the production rules ([`MetricCheck`]), then the
//! production aggregation ([`Aggregator::record`]). Tests read the
//! aggregator's snapshots at times they choose.

use std::ops::{Deref, DerefMut};

use game_tracker_core::diagnostics::Diagnostics;
use game_tracker_core::model::event::MetricUpdate;
use game_tracker_core::model::metric_check::MetricCheck;
use game_tracker_core::model::metrics::Aggregator;
use game_tracker_core::DropReason;

pub struct MetricPath {
    check: MetricCheck,
    aggregator: Aggregator,
    pub warnings: Diagnostics,
}

impl MetricPath {
    /// `automatic`: the session's automatic labels and their values.
    pub fn new(buckets: Vec<f64>, max_series: usize, automatic: &[(&str, &str)]) -> Self {
        MetricPath {
            check: MetricCheck::new(automatic.iter().map(|(name, _)| *name)),
            aggregator: Aggregator::new(
                buckets,
                max_series,
                automatic
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
            ),
            warnings: Diagnostics::collecting(),
        }
    }

    /// Checks the update and records it, or says why it was dropped.
    pub fn apply(&mut self, update: &MetricUpdate) -> Result<(), DropReason> {
        let checked = self.check.check(update.clone(), &mut self.warnings)?;
        self.aggregator.record(&checked, &mut self.warnings)
    }
}

impl Deref for MetricPath {
    type Target = Aggregator;
    fn deref(&self) -> &Aggregator {
        &self.aggregator
    }
}

impl DerefMut for MetricPath {
    fn deref_mut(&mut self) -> &mut Aggregator {
        &mut self.aggregator
    }
}
