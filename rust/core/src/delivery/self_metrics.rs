//! The tracker's own health as metrics (`self_metrics`, on by default):
//! at each flush the worker puts its counters into the metrics it sends,
//! under `gametracker_`, so a team sees players' lost events on a
//! dashboard instead of asking a player for `get_stats()`.
//!
//! | series | kind | labels |
//! |---|---|---|
//! | `gametracker_events_produced_total` | counter | `signal` |
//! | `gametracker_events_sent_total` | counter | `signal` |
//! | `gametracker_events_dropped_total` | counter | `signal`, `reason` |
//! | `gametracker_events_spooled_total` | counter | `signal` |
//! | `gametracker_requests_total` | counter | `signal` |
//! | `gametracker_retries_total` | counter | `signal` |
//! | `gametracker_bytes_sent_total` | counter | `signal` |
//! | `gametracker_events_pending` | gauge | `signal` |
//! | `gametracker_buffered_bytes` | gauge | `signal` |
//! | `gametracker_spool_files`, `gametracker_spool_bytes` | gauge | |
//!
//! They are not events the game produced: they go into the aggregator
//! without being counted (`Aggregator::record_own`), so `get_stats()` and
//! the accounting identity are the game's alone. A counter series appears
//! once its value is above zero (a dropped-by-reason series only when that
//! reason happened).

use std::collections::HashMap;

use crate::model::event::{MetricKind, MetricUpdate};
use crate::stats::{Signal, SignalStats};

/// The prefix of every own series.
pub const PREFIX: &str = "gametracker_";

/// What was last put into the aggregator, per series, so counters get the
/// increase since then (the aggregator adds a counter's updates).
#[derive(Default)]
pub struct SelfMetrics {
    last: HashMap<(String, Vec<(String, String)>), f64>,
}

/// The spool's size, when there is one.
#[derive(Clone, Copy, Default)]
pub struct SpoolSize {
    pub files: u64,
    pub bytes: u64,
}

impl SelfMetrics {
    /// The updates that bring the own series to `stats` (one per signal,
    /// in `Signal::ALL` order): counters by their increase, gauges when
    /// they changed. Empty when nothing changed.
    pub fn updates(
        &mut self,
        stats: &[SignalStats],
        spool: Option<SpoolSize>,
        now_unix_nano: u64,
    ) -> Vec<MetricUpdate> {
        let mut out = Vec::new();
        for (signal, s) in Signal::ALL.iter().zip(stats) {
            let label = || vec![("signal".to_string(), signal.as_str().to_string())];
            for (name, value) in [
                ("events_produced", s.produced),
                ("events_sent", s.sent),
                ("events_spooled", s.spooled),
                ("requests", s.requests),
                ("retries", s.retries),
                ("bytes_sent", s.bytes_sent),
            ] {
                self.counter(&mut out, name, label(), value, now_unix_nano);
            }
            for (reason, value) in &s.dropped {
                let mut labels = label();
                labels.push(("reason".to_string(), reason.as_str().to_string()));
                self.counter(&mut out, "events_dropped", labels, *value, now_unix_nano);
            }
            self.gauge(
                &mut out,
                "events_pending",
                label(),
                s.pending as f64,
                now_unix_nano,
            );
            self.gauge(
                &mut out,
                "buffered_bytes",
                label(),
                s.buffered_bytes as f64,
                now_unix_nano,
            );
        }
        if let Some(spool) = spool {
            self.gauge(
                &mut out,
                "spool_files",
                Vec::new(),
                spool.files as f64,
                now_unix_nano,
            );
            self.gauge(
                &mut out,
                "spool_bytes",
                Vec::new(),
                spool.bytes as f64,
                now_unix_nano,
            );
        }
        out
    }

    fn counter(
        &mut self,
        out: &mut Vec<MetricUpdate>,
        name: &str,
        labels: Vec<(String, String)>,
        value: u64,
        now: u64,
    ) {
        let name = format!("{PREFIX}{name}");
        let last = self
            .last
            .entry((name.clone(), labels.clone()))
            .or_insert(0.0);
        let increase = value as f64 - *last;
        if increase > 0.0 {
            *last = value as f64;
            out.push(update(MetricKind::Counter, name, labels, increase, now));
        }
    }

    fn gauge(
        &mut self,
        out: &mut Vec<MetricUpdate>,
        name: &str,
        labels: Vec<(String, String)>,
        value: f64,
        now: u64,
    ) {
        let name = format!("{PREFIX}{name}");
        let last = self.last.get(&(name.clone(), labels.clone())).copied();
        if last != Some(value) {
            self.last.insert((name.clone(), labels.clone()), value);
            out.push(update(MetricKind::Gauge, name, labels, value, now));
        }
    }
}

fn update(
    kind: MetricKind,
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
    now: u64,
) -> MetricUpdate {
    MetricUpdate {
        time_unix_nano: now,
        kind,
        name,
        value,
        labels,
        more: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::DropReason;

    fn stats(produced: u64, sent: u64, dropped: u64) -> Vec<SignalStats> {
        let mut logs = SignalStats {
            produced,
            sent,
            retries: 2,
            ..Default::default()
        };
        logs.dropped = vec![(DropReason::QueueFull, dropped), (DropReason::Rejected, 0)];
        vec![logs, SignalStats::default(), SignalStats::default()]
    }

    fn find<'a>(updates: &'a [MetricUpdate], name: &str) -> Option<&'a MetricUpdate> {
        updates
            .iter()
            .find(|u| u.name == name && u.labels.first().is_none_or(|l| l.1 == "logs"))
    }

    #[test]
    fn counters_carry_their_increase_and_unchanged_series_are_left_out() {
        let mut own = SelfMetrics::default();
        let first = own.updates(&stats(10, 7, 3), None, 1);
        assert_eq!(
            find(&first, "gametracker_events_produced_total").map(|u| u.value),
            None,
            "counters keep the _total-less name"
        );
        assert_eq!(
            find(&first, "gametracker_events_produced").map(|u| u.value),
            Some(10.0)
        );
        assert_eq!(
            find(&first, "gametracker_retries").map(|u| u.value),
            Some(2.0)
        );
        let dropped: Vec<_> = first
            .iter()
            .filter(|u| u.name == "gametracker_events_dropped")
            .collect();
        assert_eq!(
            dropped.len(),
            1,
            "a reason that never happened has no series"
        );
        assert_eq!(
            dropped[0].labels,
            vec![
                ("signal".into(), "logs".into()),
                ("reason".into(), "queue_full".into())
            ]
        );
        assert_eq!(
            find(&first, "gametracker_events_pending").map(|u| u.value),
            Some(0.0)
        );

        let second = own.updates(
            &stats(15, 12, 3),
            Some(SpoolSize {
                files: 1,
                bytes: 300,
            }),
            2,
        );
        assert_eq!(
            find(&second, "gametracker_events_produced").map(|u| u.value),
            Some(5.0),
            "the increase"
        );
        assert!(
            find(&second, "gametracker_events_dropped").is_none(),
            "unchanged"
        );
        assert_eq!(
            find(&second, "gametracker_spool_bytes").map(|u| u.value),
            Some(300.0)
        );
        assert!(
            own.updates(
                &stats(15, 12, 3),
                Some(SpoolSize {
                    files: 1,
                    bytes: 300
                }),
                3
            )
            .is_empty(),
            "nothing changed"
        );
    }
}
