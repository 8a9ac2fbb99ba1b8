//! What an event becomes in the local store: a row of `events` (logs and
//! spans), or, for a metric series, a row of `metric_snapshots` at a flush.

use serde::Serialize;

use crate::encode::log_line::{Map, ScopeMaps};
use crate::model::event::{Event, LogRecord, Scope, SpanRecord};
use crate::model::metrics::{PointValue, SeriesPoint};
use crate::model::value::Value;

/// One row of `events`, waiting for the next commit.
pub(super) struct EventRow {
    pub time_us: i64,
    pub kind: &'static str,
    pub name: String,
    pub severity: &'static str,
    pub scene: String,
    /// A log's `data`, a span's attributes (and its status message under
    /// `status_message`), as a JSON object.
    pub data: String,
    /// The user context it was made under (`set_user`, `set_tag`,
    /// `set_context`), when there was one.
    pub scope: Option<String>,
    pub duration_us: Option<i64>,
    pub trace_id: Option<String>,
    pub span_id: Option<String>,
    pub parent_span_id: Option<String>,
}

impl EventRow {
    /// A log or a span; `None` for a metric update (the store aggregates
    /// those into snapshots).
    pub fn of(event: &Event, scene: &str) -> Option<EventRow> {
        match event {
            Event::Log(log) => Some(log_row(log, scene)),
            Event::Span(span) => Some(span_row(span, scene)),
            Event::Metric(_) => None,
        }
    }
}

fn log_row(log: &LogRecord, scene: &str) -> EventRow {
    EventRow {
        time_us: micros(log.time_unix_nano),
        kind: "log",
        name: log.message.clone(),
        severity: log.level.as_str(),
        scene: scene.to_string(),
        data: json(&Map(&log.data)),
        scope: scope_json(&log.scope),
        duration_us: None,
        trace_id: None,
        span_id: None,
        parent_span_id: None,
    }
}

fn span_row(span: &SpanRecord, scene: &str) -> EventRow {
    let mut data = span.attributes.clone();
    if !span.status_message.is_empty() {
        data.push((
            "status_message".into(),
            Value::Str(span.status_message.clone()),
        ));
    }
    EventRow {
        time_us: micros(span.start_time_unix_nano),
        kind: "span",
        name: span.name.clone(),
        severity: span.status.as_str(),
        scene: scene.to_string(),
        data: json(&Map(&data)),
        scope: scope_json(&span.scope),
        duration_us: Some(micros(
            span.end_time_unix_nano
                .saturating_sub(span.start_time_unix_nano),
        )),
        trace_id: Some(span.trace_id.to_hex()),
        span_id: Some(span.span_id.to_hex()),
        parent_span_id: span.parent_span_id.map(|p| p.to_hex()),
    }
}

fn scope_json(scope: &Scope) -> Option<String> {
    let maps = ScopeMaps::of(scope);
    (!maps.is_empty()).then(|| json(&maps))
}

/// One row of `metric_snapshots`.
pub(super) struct SnapshotRow {
    pub time_us: i64,
    pub name: String,
    pub kind: &'static str,
    pub labels: String,
    pub value: Option<f64>,
    pub count: Option<i64>,
    pub sum: Option<f64>,
    pub quantiles: Option<[f64; 3]>,
    pub buckets: Option<String>,
}

impl SnapshotRow {
    /// `bounds`: the histograms' bucket upper bounds, without `+Inf`.
    pub fn of(point: &SeriesPoint, bounds: &[f64]) -> SnapshotRow {
        let mut row = SnapshotRow {
            time_us: point.timestamp_ms.saturating_mul(1000),
            name: point.name.clone(),
            kind: point.kind.as_str(),
            labels: json(&Map(&point.labels)),
            value: None,
            count: None,
            sum: None,
            quantiles: None,
            buckets: None,
        };
        match &point.value {
            PointValue::Counter(v) | PointValue::Gauge(v) => row.value = Some(*v),
            PointValue::Histogram { counts, sum, count } => {
                let cumulative = cumulative(counts, bounds);
                row.count = Some(i64::try_from(*count).unwrap_or(i64::MAX));
                row.sum = Some(*sum);
                row.quantiles =
                    (*count > 0).then(|| QUANTILES.map(|q| quantile(q, &cumulative, *count)));
                row.buckets =
                    Some(serde_json::to_string(&cumulative).unwrap_or_else(|_| "[]".into()));
            }
        }
        row
    }

    /// What a later snapshot must differ in to be written again.
    pub fn state(&self) -> (Option<f64>, Option<i64>) {
        (self.value, self.count)
    }
}

/// The quantiles kept per histogram snapshot: p50, p95, p99.
const QUANTILES: [f64; 3] = [0.5, 0.95, 0.99];

/// `[(upper bound, observations at or under it)]`, as Prometheus' `le`.
fn cumulative(counts: &[u64], bounds: &[f64]) -> Vec<(f64, u64)> {
    let mut total = 0;
    bounds
        .iter()
        .zip(counts)
        .map(|(bound, n)| {
            total += n;
            (*bound, total)
        })
        .collect()
}

/// The `q` quantile by linear interpolation inside its bucket, as
/// Prometheus' `histogram_quantile` estimates it: the lowest bucket starts
/// at 0, and a rank past the last bound is that bound.
fn quantile(q: f64, cumulative: &[(f64, u64)], count: u64) -> f64 {
    let rank = q * count as f64;
    let mut lower = (0.0, 0u64);
    for &(bound, seen) in cumulative {
        if seen as f64 >= rank {
            let in_bucket = (seen - lower.1) as f64;
            if in_bucket == 0.0 {
                return bound;
            }
            return lower.0 + (bound - lower.0) * (rank - lower.1 as f64) / in_bucket;
        }
        lower = (bound, seen);
    }
    cumulative.last().map_or(0.0, |(bound, _)| *bound)
}

pub(super) fn micros(unix_nano: u64) -> i64 {
    i64::try_from(unix_nano / 1000).unwrap_or(i64::MAX)
}

fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "{}".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_inside_their_bucket_as_prometheus_does() {
        // 10 observations: 4 under 10, 4 in (10, 20], 2 over 20.
        let cumulative = cumulative(&[4, 4], &[10.0, 20.0]);
        assert_eq!(quantile(0.2, &cumulative, 10), 5.0);
        assert_eq!(quantile(0.6, &cumulative, 10), 15.0);
        // Past the last bound: the last bound.
        assert_eq!(quantile(0.95, &cumulative, 10), 20.0);
    }
}
