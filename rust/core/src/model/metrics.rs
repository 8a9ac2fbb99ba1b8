//! Client-side metric aggregation: one running state per (name, label set);
//! each flush sends every series' current cumulative value, so a lost or
//! repeated request never corrupts a total (see docs/protocols.md).
//!
//! - counters: monotonically increasing totals; a series' first snapshot
//!   also asks for a 0 sample just before its creation, so PromQL's
//!   `increase()` counts the first increments;
//! - gauges: the last value;
//! - histograms: per-bucket counts, `sum` and `count`.
//!
//! A histogram series may carry exemplars (a hitch's frame time with its
//! span's ids, `crate::hitches`): each goes out once, with the next snapshot
//! that has its series.
//!
//! [`Aggregator::snapshot`] is what both metric encoders read
//! (`encode::remote_write`, `encode::otlp_metrics`).

use std::collections::HashMap;

use crate::diagnostics::Diagnostics;
use crate::model::event::{MetricKind, MetricUpdate, SpanId, TraceId};
use crate::stats::DropReason;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct SeriesKey {
    /// Sanitised family name (without `_total`/`_bucket` suffixes).
    name: String,
    kind: MetricKind,
    /// Sorted by name, automatic labels included.
    labels: Vec<(String, String)>,
}

#[derive(Debug)]
enum State {
    Counter(f64),
    Gauge(f64),
    Histogram {
        counts: Vec<u64>,
        sum: f64,
        count: u64,
    },
}

#[derive(Debug)]
struct Series {
    key: SeriesKey,
    state: State,
    created_ms: i64,
    /// The 0 sample that starts a counter/histogram has reached the receiver.
    announced: bool,
    /// Timestamp of the last sample put into a request, so the next is later.
    last_ts_ms: i64,
}

/// Exemplars waiting for their series or their snapshot, at most; the
/// oldest go first (hitches are already bounded per minute, so only a
/// series that never comes fills this).
pub const MAX_PENDING_EXEMPLARS: usize = 64;

/// One observation with the trace it belongs to: a click on a histogram's
/// spike opens that trace.
#[derive(Debug, Clone, PartialEq)]
pub struct Exemplar {
    pub value: f64,
    pub time_unix_nano: u64,
    pub trace_id: TraceId,
    pub span_id: SpanId,
}

/// Every series as it stands at one moment, and what that accounts for.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub series: Vec<SeriesPoint>,
    /// Histogram bucket upper bounds (without `+Inf`), shared by every histogram.
    pub bounds: Vec<f64>,
    /// Metric API calls whose effect this snapshot carries for the first time.
    pub updates: u64,
    /// Series whose 0 sample this snapshot carries ([`Aggregator::acknowledge`]).
    pub announcing: Vec<usize>,
}

/// One series' value at the snapshot.
#[derive(Debug, Clone)]
pub struct SeriesPoint {
    /// Sanitised family name, without `_total`.
    pub name: String,
    pub kind: MetricKind,
    /// Every label, automatic ones included, sorted by name.
    pub labels: Vec<(String, String)>,
    pub created_ms: i64,
    /// This sample's time: strictly after the series' previous one.
    pub timestamp_ms: i64,
    /// A 0 sample at `created_ms - 1` must come first (remote write: lets
    /// `increase()` count the first increments). Never for gauges.
    pub zero_sample: bool,
    pub value: PointValue,
    /// A histogram's exemplars recorded since the last snapshot.
    pub exemplars: Vec<Exemplar>,
}

#[derive(Debug, Clone)]
pub enum PointValue {
    Counter(f64),
    Gauge(f64),
    /// `counts` per bucket (not cumulative), one per bound; observations
    /// above the last bound are `count - sum(counts)`.
    Histogram {
        counts: Vec<u64>,
        sum: f64,
        count: u64,
    },
}

pub struct Aggregator {
    index: HashMap<SeriesKey, usize>,
    series: Vec<Series>,
    buckets: Vec<f64>,
    max_series: usize,
    /// The session's automatic labels ([`crate::model::session::Session::automatic_labels`]),
    /// added to every series.
    automatic_labels: Vec<(String, String)>,
    /// Updates recorded since the last snapshot.
    pending_updates: u64,
    /// Exemplars for the next snapshot, by series.
    exemplars: Vec<(SeriesKey, Exemplar)>,
}

impl Aggregator {
    pub fn new(
        buckets: Vec<f64>,
        max_series: usize,
        automatic_labels: Vec<(String, String)>,
    ) -> Self {
        Aggregator {
            index: HashMap::new(),
            series: Vec::new(),
            buckets,
            max_series,
            automatic_labels,
            pending_updates: 0,
            exemplars: Vec::new(),
        }
    }

    pub fn series_count(&self) -> usize {
        self.series.len()
    }

    pub fn pending_updates(&self) -> u64 {
        self.pending_updates
    }

    /// The updates since the last snapshot will never be sent (quitting
    /// with no spool, consent withdrawn): the caller counts them as dropped.
    pub fn take_pending_updates(&mut self) -> u64 {
        std::mem::take(&mut self.pending_updates)
    }

    /// Adds an update that passed [`crate::model::metric_check::MetricCheck::check`] (`Batcher::admit`) to its series,
    /// creating the series unless that would pass `max_series`.
    pub fn record(
        &mut self,
        update: &MetricUpdate,
        warn: &mut Diagnostics,
    ) -> Result<(), DropReason> {
        let key = self.series_key(update);
        let idx = match self.index.get(&key) {
            Some(i) => *i,
            None => {
                if self.series.len() >= self.max_series {
                    let max = self.max_series;
                    warn.warn_once_with("max_series", || {
                        format!("metric series limit ({max}) reached; updates creating new series are dropped (raise 'max_series' or use fewer label values)")
                    });
                    return Err(DropReason::SeriesLimit);
                }
                let state = match key.kind {
                    MetricKind::Counter => State::Counter(0.0),
                    MetricKind::Gauge => State::Gauge(0.0),
                    MetricKind::Histogram => State::Histogram {
                        counts: vec![0; self.buckets.len()],
                        sum: 0.0,
                        count: 0,
                    },
                };
                let created_ms = (update.time_unix_nano / 1_000_000) as i64;
                self.series.push(Series {
                    key: key.clone(),
                    state,
                    created_ms,
                    announced: false,
                    last_ts_ms: created_ms - 1,
                });
                self.index.insert(key, self.series.len() - 1);
                self.series.len() - 1
            }
        };
        let buckets = &self.buckets;
        match &mut self.series[idx].state {
            State::Counter(total) => *total += update.value,
            State::Gauge(v) => *v = update.value,
            State::Histogram { counts, sum, count } => {
                for &value in std::iter::once(&update.value).chain(&update.more) {
                    // Non-cumulative per bucket here; made cumulative when encoded.
                    if let Some(i) = buckets.iter().position(|b| value <= *b) {
                        counts[i] += 1;
                    }
                    *sum += value;
                    *count += 1;
                }
            }
        }
        self.pending_updates += 1;
        Ok(())
    }

    /// The tracker's own metrics (`self_metrics`): kept like the game's,
    /// but not counted as updates, since no game call produced them (a new
    /// series past `max_series` is left out, with the same warning).
    /// Returns whether it was kept.
    pub fn record_own(&mut self, update: &MetricUpdate, warn: &mut Diagnostics) -> bool {
        let kept = self.record(update, warn).is_ok();
        if kept {
            self.pending_updates -= 1;
        }
        kept
    }

    /// An exemplar for the histogram `name` with the update labels
    /// `labels`; it goes out with the next snapshot that has the series.
    pub fn add_exemplar(&mut self, name: &str, labels: &[(String, String)], exemplar: Exemplar) {
        let key = self.series_key(&MetricUpdate {
            time_unix_nano: exemplar.time_unix_nano,
            kind: MetricKind::Histogram,
            name: name.to_string(),
            value: exemplar.value,
            labels: labels.to_vec(),
            more: Vec::new(),
        });
        if self.exemplars.len() >= MAX_PENDING_EXEMPLARS {
            self.exemplars.remove(0);
        }
        self.exemplars.push((key, exemplar));
    }

    fn series_key(&self, update: &MetricUpdate) -> SeriesKey {
        let mut name = update.name.clone();
        if update.kind == MetricKind::Counter {
            // `increment("x_total")` and `increment("x")` are the same counter.
            if let Some(stripped) = name.strip_suffix("_total") {
                if !stripped.is_empty() {
                    name = stripped.to_string();
                }
            }
        }
        // An update's own label wins over an automatic one of the same name:
        // only the worker's own updates have one (a crashed session counted
        // under its own `version`); the game's were renamed `exported_*`.
        let mut labels: Vec<(String, String)> = self
            .automatic_labels
            .iter()
            .filter(|(name, _)| !update.labels.iter().any(|(own, _)| own == name))
            .cloned()
            .collect();
        labels.extend(update.labels.iter().cloned());
        labels.sort();
        SeriesKey {
            name,
            kind: update.kind,
            labels,
        }
    }

    /// Every series' current value at `now_ms`; `None` when there are no
    /// series yet. Takes the pending update count.
    pub fn snapshot(&mut self, now_ms: i64) -> Option<Snapshot> {
        if self.series.is_empty() {
            return None;
        }
        let mut points = Vec::with_capacity(self.series.len());
        let mut announcing = Vec::new();
        for (idx, s) in self.series.iter_mut().enumerate() {
            let timestamp_ms = now_ms.max(s.last_ts_ms + 1);
            s.last_ts_ms = timestamp_ms;
            let zero_sample = !s.announced && !matches!(s.state, State::Gauge(_));
            if zero_sample {
                announcing.push(idx);
            }
            let value = match &s.state {
                State::Counter(v) => PointValue::Counter(*v),
                State::Gauge(v) => PointValue::Gauge(*v),
                State::Histogram { counts, sum, count } => PointValue::Histogram {
                    counts: counts.clone(),
                    sum: *sum,
                    count: *count,
                },
            };
            let mut exemplars = Vec::new();
            self.exemplars.retain(|(key, exemplar)| {
                let mine = *key == s.key;
                if mine {
                    exemplars.push(exemplar.clone());
                }
                !mine
            });
            points.push(SeriesPoint {
                exemplars,
                name: s.key.name.clone(),
                kind: s.key.kind,
                labels: s.key.labels.clone(),
                created_ms: s.created_ms,
                timestamp_ms,
                zero_sample: zero_sample && s.created_ms - 1 < timestamp_ms,
                value,
            });
        }
        Some(Snapshot {
            series: points,
            bounds: self.buckets.clone(),
            updates: std::mem::take(&mut self.pending_updates),
            announcing,
        })
    }

    /// The receiver accepted a snapshot: its 0 samples need not be sent again.
    pub fn acknowledge(&mut self, announcing: &[usize]) {
        for &i in announcing {
            if let Some(s) = self.series.get_mut(i) {
                s.announced = true;
            }
        }
    }

    /// A snapshot did not arrive: its updates are still in the running state
    /// and go out with the next snapshot, so they count as pending again.
    pub fn requeue(&mut self, updates: u64) {
        self.pending_updates += updates;
    }
}
