//! Metrics → OTLP/HTTP (`POST /v1/metrics`) with `protocol = "otlp"`: the
//! aggregator's snapshot as cumulative sums (counters), gauges and
//! explicit-bucket histograms. Cumulative points carry their series' start
//! time. Until the receiver has taken one, a counter's or histogram's first
//! export also carries a 0 point at that start time, as remote write does
//! (docs/protocols.md#cumulative-metrics): a receiver that stores samples,
//! such as Prometheus' OTLP receiver, then counts the first increments in
//! `increase()` and `rate()`. A histogram point carries its exemplars (a
//! hitch's frame time and its span), sorted by value.

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::metrics::v1::{
    exemplar, metric, number_data_point, AggregationTemporality, Exemplar, Gauge, Histogram,
    HistogramDataPoint, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum,
};

use crate::encode::body::Payload;
use crate::encode::otlp::{payload, resource, scope, string_kv};
use crate::encode::wire::OtlpEncoding;
use crate::model::event::MetricKind;
use crate::model::metrics::{PointValue, Snapshot};
use crate::model::session::Session;

pub fn request(
    snapshot: &Snapshot,
    session: &Session,
    now_unix_nano: u64,
) -> ExportMetricsServiceRequest {
    let cumulative = AggregationTemporality::Cumulative as i32;
    let mut metrics: Vec<Metric> = Vec::new();
    let automatic: Vec<(&str, &str)> = session.automatic_labels().collect();
    for series in &snapshot.series {
        // The automatic labels are resource attributes here, unless a series
        // has its own value (a dead session counted under its own version).
        let attributes: Vec<KeyValue> = series
            .labels
            .iter()
            .filter(|(k, v)| !automatic.contains(&(k.as_str(), v.as_str())))
            .map(|(k, v)| string_kv(k, v))
            .collect();
        // Just before the first update, where the 0 point sits.
        let start = ((series.created_ms - 1).max(0) as u64) * 1_000_000;
        let number = |v: f64, time: u64| NumberDataPoint {
            attributes: attributes.clone(),
            start_time_unix_nano: start,
            time_unix_nano: time,
            value: Some(number_data_point::Value::AsDouble(v)),
            ..Default::default()
        };
        // One Metric per name and kind, one data point per label set.
        let at = match metrics
            .iter()
            .position(|m| m.name == series.name && kind_of(m) == Some(series.kind))
        {
            Some(i) => i,
            None => {
                let data = match series.kind {
                    MetricKind::Counter => metric::Data::Sum(Sum {
                        data_points: Vec::new(),
                        aggregation_temporality: cumulative,
                        is_monotonic: true,
                    }),
                    MetricKind::Gauge => metric::Data::Gauge(Gauge {
                        data_points: Vec::new(),
                    }),
                    MetricKind::Histogram => metric::Data::Histogram(Histogram {
                        data_points: Vec::new(),
                        aggregation_temporality: cumulative,
                    }),
                };
                metrics.push(Metric {
                    name: series.name.to_string(),
                    data: Some(data),
                    ..Default::default()
                });
                metrics.len() - 1
            }
        };
        match (&mut metrics[at].data, &series.value) {
            (Some(metric::Data::Sum(sum)), PointValue::Counter(v)) => {
                if series.zero_sample {
                    sum.data_points.push(number(0.0, start));
                }
                sum.data_points.push(number(*v, now_unix_nano));
            }
            (Some(metric::Data::Gauge(gauge)), PointValue::Gauge(v)) => {
                gauge.data_points.push(number(*v, now_unix_nano))
            }
            (Some(metric::Data::Histogram(h)), PointValue::Histogram { counts, sum, count }) => {
                let (sum, count) = (*sum, *count);
                // OTLP wants one more bucket than bounds: the overflow above the last.
                let mut bucket_counts = counts.to_vec();
                bucket_counts.push(count - counts.iter().sum::<u64>());
                if series.zero_sample {
                    h.data_points.push(HistogramDataPoint {
                        attributes: attributes.clone(),
                        start_time_unix_nano: start,
                        time_unix_nano: start,
                        count: 0,
                        sum: Some(0.0),
                        bucket_counts: vec![0; bucket_counts.len()],
                        explicit_bounds: snapshot.bounds.clone(),
                        ..Default::default()
                    });
                }
                h.data_points.push(HistogramDataPoint {
                    attributes: attributes.clone(),
                    start_time_unix_nano: start,
                    time_unix_nano: now_unix_nano,
                    count,
                    sum: Some(sum),
                    bucket_counts,
                    explicit_bounds: snapshot.bounds.clone(),
                    exemplars: exemplars(&series.exemplars),
                    ..Default::default()
                });
            }
            _ => unreachable!("a metric's data matches its kind"),
        }
    }
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: Some(resource(session)),
            scope_metrics: vec![ScopeMetrics {
                scope: Some(scope()),
                metrics,
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
}

fn exemplars(of: &[crate::model::metrics::Exemplar]) -> Vec<Exemplar> {
    let mut out: Vec<Exemplar> = of
        .iter()
        .map(|e| Exemplar {
            time_unix_nano: e.time_unix_nano,
            span_id: e.span_id.0.to_vec(),
            trace_id: e.trace_id.0.to_vec(),
            value: Some(exemplar::Value::AsDouble(e.value)),
            ..Default::default()
        })
        .collect();
    out.sort_by(|a, b| value_of(a).total_cmp(&value_of(b)));
    out
}

fn value_of(e: &Exemplar) -> f64 {
    match e.value {
        Some(exemplar::Value::AsDouble(v)) => v,
        Some(exemplar::Value::AsInt(v)) => v as f64,
        None => 0.0,
    }
}

fn kind_of(m: &Metric) -> Option<MetricKind> {
    match m.data.as_ref()? {
        metric::Data::Sum(_) => Some(MetricKind::Counter),
        metric::Data::Gauge(_) => Some(MetricKind::Gauge),
        metric::Data::Histogram(_) => Some(MetricKind::Histogram),
        _ => None,
    }
}

pub fn encode(
    snapshot: &Snapshot,
    session: &Session,
    now_unix_nano: u64,
    encoding: OtlpEncoding,
) -> Payload {
    payload(&request(snapshot, session, now_unix_nano), encoding)
}
