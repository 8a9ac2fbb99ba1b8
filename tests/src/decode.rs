//! Decoding what reached the receiver, shared by every test that reads it:
//! Loki push bodies with serde_json, OTLP bodies with `opentelemetry-proto`'s
//! own serde mapping (JSON) or prost (protobuf).

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::logs::v1::LogRecord as OtlpLogRecord;
use opentelemetry_proto::tonic::metrics::v1::Metric;
use opentelemetry_proto::tonic::trace::v1::Span;
use serde_json::Value as Json;

use crate::receiver::Request;

/// The request body, gunzipped when it was sent with `Content-Encoding: gzip`.
pub fn body(r: &Request) -> Vec<u8> {
    match r.header("content-encoding") {
        Some("gzip") => {
            let mut out = Vec::new();
            std::io::Read::read_to_end(
                &mut flate2::read::GzDecoder::new(r.body.as_slice()),
                &mut out,
            )
            .expect("valid gzip body");
            out
        }
        _ => r.body.clone(),
    }
}

/// Every Loki entry as (stream labels, parsed JSON line), in request, stream
/// and entry order. Panics unless each timestamp is a decimal string.
pub fn loki_entries(requests: &[Request]) -> Vec<(Json, Json)> {
    let mut out = Vec::new();
    for r in requests {
        let body: Json = serde_json::from_slice(&body(r)).expect("Loki push JSON");
        for stream in body["streams"].as_array().expect("streams array") {
            for v in stream["values"].as_array().expect("values array") {
                let ts = v[0].as_str().expect("timestamp is a string");
                assert!(
                    ts.parse::<u64>().is_ok(),
                    "timestamp {ts} is not decimal nanoseconds"
                );
                let line = serde_json::from_str(v[1].as_str().expect("line is a string"))
                    .expect("line is JSON");
                out.push((stream["stream"].clone(), line));
            }
        }
    }
    out
}

/// Only the parsed lines of `loki_entries`.
pub fn loki_lines(requests: &[Request]) -> Vec<Json> {
    loki_entries(requests)
        .into_iter()
        .map(|(_, line)| line)
        .collect()
}

/// An OTLP export request, JSON or protobuf as its Content-Type says.
pub fn otlp<M: prost::Message + Default + serde::de::DeserializeOwned>(r: &Request) -> M {
    let body = body(r);
    match r.header("content-type") {
        Some("application/x-protobuf") => M::decode(body.as_slice()).expect("OTLP protobuf"),
        _ => serde_json::from_slice(&body).expect("OTLP JSON"),
    }
}

/// Every span of every OTLP export request, in order.
pub fn otlp_spans(requests: &[Request]) -> Vec<Span> {
    requests
        .iter()
        .map(otlp::<ExportTraceServiceRequest>)
        .flat_map(|req| req.resource_spans)
        .flat_map(|rs| rs.scope_spans)
        .flat_map(|ss| ss.spans)
        .collect()
}

/// Every log record of every OTLP logs export request, in order.
pub fn otlp_logs(requests: &[Request]) -> Vec<OtlpLogRecord> {
    requests
        .iter()
        .map(otlp::<ExportLogsServiceRequest>)
        .flat_map(|req| req.resource_logs)
        .flat_map(|rl| rl.scope_logs)
        .flat_map(|sl| sl.log_records)
        .collect()
}

/// The metrics of the last OTLP metrics export request (each carries the
/// running state of every series).
pub fn otlp_last_metrics(requests: &[Request]) -> Vec<Metric> {
    let last = requests.last().expect("a metrics request");
    otlp::<ExportMetricsServiceRequest>(last)
        .resource_metrics
        .into_iter()
        .flat_map(|rm| rm.scope_metrics)
        .flat_map(|sm| sm.metrics)
        .collect()
}
