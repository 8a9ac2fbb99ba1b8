//! Client-side metric aggregation (ERRATA 2): one running state per
//! (name, label set); each flush sends the current cumulative values.
//!
//! - counters: `<name>_total`, monotonically increasing; a series' first
//!   flush also carries a 0 sample just before its creation so PromQL's
//!   `increase()` counts the first increments;
//! - gauges: the last value;
//! - histograms: classic `_bucket{le}` (cumulative, with `+Inf`), `_sum`, `_count`.

use std::collections::HashMap;

use crate::encode::prompb::{Label, Sample, TimeSeries, WriteRequest};
use crate::event::{MetricKind, MetricUpdate};
use crate::metric_check::MetricCheck;
use crate::stats::DropReason;
use crate::value::format_float;

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
    Histogram { counts: Vec<u64>, sum: f64, count: u64 },
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

/// One encoded-ready snapshot and what it accounts for.
#[derive(Debug)]
pub struct Snapshot {
    pub request: WriteRequest,
    /// Metric API calls whose effect this snapshot carries for the first time.
    pub updates: u64,
    /// Series whose 0 sample is in this request.
    pub announcing: Vec<usize>,
}

/// One series as it stands, for encoders other than remote write (OTLP).
pub struct SeriesView<'a> {
    /// Sanitised family name, without `_total`.
    pub name: &'a str,
    pub kind: MetricKind,
    /// The game's labels, without the automatic ones (`game`, `env`,
    /// `version`, the session label): OTLP carries those in the resource.
    pub labels: Vec<(&'a str, &'a str)>,
    pub created_ms: i64,
    pub value: SeriesValue<'a>,
}

pub enum SeriesValue<'a> {
    Counter(f64),
    Gauge(f64),
    /// `counts` per bucket (not cumulative), one per bound.
    Histogram { bounds: &'a [f64], counts: &'a [u64], sum: f64, count: u64 },
}

pub struct Aggregator {
    index: HashMap<SeriesKey, usize>,
    series: Vec<Series>,
    buckets: Vec<f64>,
    max_series: usize,
    /// `game`, `env`, `version` and the session label, added to every series.
    automatic_labels: Vec<(String, String)>,
    /// Updates applied since the last snapshot.
    pending_updates: u64,
    /// For [`Aggregator::apply`]; the worker checks updates itself, before
    /// choosing their destination, and calls [`Aggregator::record`].
    check: MetricCheck,
    /// The series limit was warned about (once per session).
    warned_series_limit: bool,
    warnings: Vec<String>,
}

impl Aggregator {
    pub fn new(buckets: Vec<f64>, max_series: usize, automatic_labels: Vec<(String, String)>) -> Self {
        Aggregator {
            index: HashMap::new(),
            series: Vec::new(),
            buckets,
            max_series,
            check: MetricCheck::new(automatic_labels.iter().map(|(n, _)| n.as_str())),
            automatic_labels,
            pending_updates: 0,
            warned_series_limit: false,
            warnings: Vec::new(),
        }
    }

    pub fn series_count(&self) -> usize {
        self.series.len()
    }

    pub fn pending_updates(&self) -> u64 {
        self.pending_updates
    }

    /// Warnings produced since the last call (each distinct one once per session).
    pub fn take_warnings(&mut self) -> Vec<String> {
        let mut warnings = self.check.take_warnings();
        warnings.append(&mut self.warnings);
        warnings
    }

    /// Checks the update (see [`crate::metric_check`]) and records it.
    pub fn apply(&mut self, update: &MetricUpdate) -> Result<(), DropReason> {
        let checked = self.check.check(update.clone())?;
        self.record(&checked)
    }

    /// Adds an update that passed [`MetricCheck::check`] to its series,
    /// creating the series unless that would pass `max_series`.
    pub fn record(&mut self, update: &MetricUpdate) -> Result<(), DropReason> {
        let key = self.series_key(update);
        let idx = match self.index.get(&key) {
            Some(i) => *i,
            None => {
                if self.series.len() >= self.max_series {
                    if !self.warned_series_limit {
                        self.warned_series_limit = true;
                        self.warnings.push(format!(
                            "metric series limit ({}) reached; updates creating new series are dropped (raise 'max_series' or use fewer label values)",
                            self.max_series
                        ));
                    }
                    return Err(DropReason::SeriesLimit);
                }
                let state = match key.kind {
                    MetricKind::Counter => State::Counter(0.0),
                    MetricKind::Gauge => State::Gauge(0.0),
                    MetricKind::Histogram => State::Histogram { counts: vec![0; self.buckets.len()], sum: 0.0, count: 0 },
                };
                let created_ms = (update.time_unix_nano / 1_000_000) as i64;
                self.series.push(Series { key: key.clone(), state, created_ms, announced: false, last_ts_ms: created_ms - 1 });
                self.index.insert(key, self.series.len() - 1);
                self.series.len() - 1
            }
        };
        let buckets = &self.buckets;
        match &mut self.series[idx].state {
            State::Counter(total) => *total += update.value,
            State::Gauge(v) => *v = update.value,
            State::Histogram { counts, sum, count } => {
                // Non-cumulative per bucket here; made cumulative when encoded.
                if let Some(i) = buckets.iter().position(|b| update.value <= *b) {
                    counts[i] += 1;
                }
                *sum += update.value;
                *count += 1;
            }
        }
        self.pending_updates += 1;
        Ok(())
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
        let mut labels = self.automatic_labels.clone();
        labels.extend(update.labels.iter().cloned());
        labels.sort();
        SeriesKey { name, kind: update.kind, labels }
    }

    /// Builds the request carrying every series' current value at `now_ms`.
    /// Returns `None` when there is nothing to send.
    pub fn snapshot(&mut self, now_ms: i64) -> Option<Snapshot> {
        if self.series.is_empty() {
            return None;
        }
        let mut timeseries = Vec::new();
        let mut announcing = Vec::new();
        for (idx, s) in self.series.iter_mut().enumerate() {
            let ts = now_ms.max(s.last_ts_ms + 1);
            s.last_ts_ms = ts;
            let needs_zero = !s.announced && !matches!(s.state, State::Gauge(_));
            if needs_zero {
                announcing.push(idx);
            }
            let zero_ts = s.created_ms - 1;
            let mut push = |name: String, extra: Option<(&str, String)>, value: f64| {
                let mut labels: Vec<Label> = s
                    .key
                    .labels
                    .iter()
                    .map(|(n, v)| Label { name: n.clone(), value: v.clone() })
                    .collect();
                labels.push(Label { name: "__name__".into(), value: name });
                if let Some((n, v)) = extra {
                    labels.push(Label { name: n.into(), value: v });
                }
                labels.sort();
                let mut samples = Vec::with_capacity(2);
                if needs_zero && zero_ts < ts {
                    samples.push(Sample { value: 0.0, timestamp: zero_ts });
                }
                samples.push(Sample { value, timestamp: ts });
                timeseries.push(TimeSeries { labels, samples });
            };
            let base = &s.key.name;
            match &s.state {
                State::Counter(total) => push(format!("{base}_total"), None, *total),
                State::Gauge(v) => push(base.clone(), None, *v),
                State::Histogram { counts, sum, count } => {
                    let mut cumulative = 0u64;
                    for (bound, n) in self.buckets.iter().zip(counts) {
                        cumulative += n;
                        push(format!("{base}_bucket"), Some(("le", format_float(*bound))), cumulative as f64);
                    }
                    push(format!("{base}_bucket"), Some(("le", "+Inf".into())), *count as f64);
                    push(format!("{base}_sum"), None, *sum);
                    push(format!("{base}_count"), None, *count as f64);
                }
            }
        }
        let updates = std::mem::take(&mut self.pending_updates);
        Some(Snapshot { request: WriteRequest { timeseries }, updates, announcing })
    }

    /// Every series as it stands now.
    pub fn series(&self) -> impl Iterator<Item = SeriesView<'_>> {
        let automatic = &self.automatic_labels;
        self.series.iter().map(move |s| SeriesView {
            name: &s.key.name,
            kind: s.key.kind,
            labels: s
                .key
                .labels
                .iter()
                .filter(|(n, _)| !automatic.iter().any(|(a, _)| a == n))
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect(),
            created_ms: s.created_ms,
            value: match &s.state {
                State::Counter(v) => SeriesValue::Counter(*v),
                State::Gauge(v) => SeriesValue::Gauge(*v),
                State::Histogram { counts, sum, count } => {
                    SeriesValue::Histogram { bounds: &self.buckets, counts, sum: *sum, count: *count }
                }
            },
        })
    }

    /// What a snapshot does to the update count, for encoders that read
    /// [`Aggregator::series`]: the updates applied since the last call.
    pub fn take_updates(&mut self) -> u64 {
        std::mem::take(&mut self.pending_updates)
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
