//! Metrics → Prometheus remote write 1.0: the aggregator's snapshot as a
//! protobuf `WriteRequest` (counters as `<name>_total`, histograms as classic
//! `_bucket{le}`/`_sum`/`_count`), snappy *block* format (not framed), and the
//! headers every receiver checks. A histogram's exemplars go on the
//! `_bucket` series of the bucket they fell in, as Prometheus' own client
//! libraries put them.

use prost::Message;

use crate::encode::body::{BodyFormat, Payload};
use crate::encode::prompb::{Exemplar, Label, Sample, TimeSeries, WriteRequest};
use crate::model::metrics::{self, PointValue, Snapshot};
use crate::model::value::format_float;

/// One time series per counter and gauge, `buckets + 3` per histogram; each
/// sample at the snapshot's time, after a 0 sample where the point asks for one.
pub fn request(snapshot: &Snapshot) -> WriteRequest {
    let mut timeseries = Vec::new();
    for point in &snapshot.series {
        let zero_ts = point.created_ms - 1;
        let mut push =
            |name: String, extra: Option<(&str, String)>, value: f64, exemplars: Vec<Exemplar>| {
                let mut labels: Vec<Label> = point
                    .labels
                    .iter()
                    .map(|(n, v)| Label {
                        name: n.clone(),
                        value: v.clone(),
                    })
                    .collect();
                labels.push(Label {
                    name: "__name__".into(),
                    value: name,
                });
                if let Some((n, v)) = extra {
                    labels.push(Label {
                        name: n.into(),
                        value: v,
                    });
                }
                labels.sort();
                let mut samples = Vec::with_capacity(2);
                if point.zero_sample {
                    samples.push(Sample {
                        value: 0.0,
                        timestamp: zero_ts,
                    });
                }
                samples.push(Sample {
                    value,
                    timestamp: point.timestamp_ms,
                });
                timeseries.push(TimeSeries {
                    labels,
                    samples,
                    exemplars,
                });
            };
        let base = &point.name;
        match &point.value {
            PointValue::Counter(total) => push(format!("{base}_total"), None, *total, vec![]),
            PointValue::Gauge(v) => push(base.clone(), None, *v, vec![]),
            PointValue::Histogram { counts, sum, count } => {
                // Each exemplar in the first bucket that holds its value.
                let mut by_bucket: Vec<Vec<Exemplar>> = vec![Vec::new(); counts.len() + 1];
                for e in &point.exemplars {
                    let i = snapshot
                        .bounds
                        .iter()
                        .position(|b| e.value <= *b)
                        .unwrap_or(counts.len());
                    by_bucket[i].push(exemplar(e));
                }
                let mut by_bucket = by_bucket.into_iter();
                let mut cumulative = 0u64;
                for (bound, n) in snapshot.bounds.iter().zip(counts) {
                    cumulative += n;
                    push(
                        format!("{base}_bucket"),
                        Some(("le", format_float(*bound))),
                        cumulative as f64,
                        by_bucket.next().unwrap_or_default(),
                    );
                }
                push(
                    format!("{base}_bucket"),
                    Some(("le", "+Inf".into())),
                    *count as f64,
                    by_bucket.next().unwrap_or_default(),
                );
                push(format!("{base}_sum"), None, *sum, vec![]);
                push(format!("{base}_count"), None, *count as f64, vec![]);
            }
        }
    }
    WriteRequest { timeseries }
}

fn exemplar(e: &metrics::Exemplar) -> Exemplar {
    Exemplar {
        labels: vec![
            Label {
                name: "span_id".into(),
                value: e.span_id.to_hex(),
            },
            Label {
                name: "trace_id".into(),
                value: e.trace_id.to_hex(),
            },
        ],
        value: e.value,
        timestamp: (e.time_unix_nano / 1_000_000) as i64,
    }
}

pub fn encode_snapshot(snapshot: &Snapshot) -> Payload {
    encode(&request(snapshot))
}

pub fn encode(request: &WriteRequest) -> Payload {
    let raw = request.encode_to_vec();
    // Block-format compression of an in-memory buffer only fails for inputs
    // over ~4 GiB, far beyond any batch this SDK builds.
    let body = snap::raw::Encoder::new()
        .compress_vec(&raw)
        .unwrap_or_default();
    Payload {
        format: BodyFormat::RemoteWrite,
        body,
    }
}

/// The inverse, for tests and tools: snappy-decompress and decode.
pub fn decode(body: &[u8]) -> Result<WriteRequest, String> {
    let raw = snap::raw::Decoder::new()
        .decompress_vec(body)
        .map_err(|e| e.to_string())?;
    WriteRequest::decode(raw.as_slice()).map_err(|e| e.to_string())
}
