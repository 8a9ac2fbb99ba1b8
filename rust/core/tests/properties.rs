//! Property tests (proptest, about 30k generated cases per run): any value
//! survives the record format, no byte string crashes its reader, and the
//! three encoders turn any input — control characters, any Unicode,
//! NaN/inf, invalid metric and label names, deep containers — into bodies
//! that the protocols' own decoders accept, with nothing lost or invented.

use std::collections::BTreeSet;
use std::sync::Arc;

use game_tracker_core::encode::OtlpEncoding;
use game_tracker_core::encode::{loki, otlp, otlp_logs, remote_write};
use game_tracker_core::handover::record::read_value;
use game_tracker_core::model::event::{
    Level, LogRecord, MetricKind, MetricUpdate, Scope, SpanId, SpanRecord, SpanStatus, TraceId,
};
use game_tracker_core::model::metric_check::is_valid_label_name;
use game_tracker_core::model::session::{DeviceInfo, Session};
use game_tracker_core::model::value::{Value, MAX_VALUE_DEPTH};
use game_tracker_core::{DropReason, ValueWriter};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use proptest::prelude::*;
use serde_json::Value as Json;

mod common;
use common::metric_path::MetricPath;

/// Prometheus' rule for a metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`), written
/// here from its documentation rather than taken from the code under test.
fn is_valid_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Any text a game could pass: every Unicode scalar, control characters
/// and quotes included.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[a-z_]{0,12}", "[\\x00-\\x1f\"\\\\/]{0,8}"]
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        -1e6..1e6f64
    ]
}

/// Values nested up to the depth the engine layer keeps.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        float().prop_map(Value::Float),
        text().prop_map(Value::Str),
    ];
    leaf.prop_recursive(MAX_VALUE_DEPTH as u32, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::List),
            prop::collection::vec((text(), inner), 0..6).prop_map(Value::Map),
        ]
    })
}

fn fields() -> impl Strategy<Value = Vec<(String, Value)>> {
    prop::collection::vec((text(), value()), 0..5)
}

/// Equal, counting NaN equal to NaN (the record format keeps its bits).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, a), (kb, b))| ka == kb && same(a, b))
        }
        _ => a == b,
    }
}

/// `n` cases; a failure is shrunk and printed, not saved to a file in the tree.
/// Under qemu or Wine (scripts/cross_test.sh) a twentieth of them: the full
/// set takes a quarter of an hour there, and the same generators run in full
/// natively.
fn cases(n: u32) -> ProptestConfig {
    let n = if std::env::var_os("GAMETRACKER_TESTS_EMULATED").is_some() {
        (n / 20).max(50)
    } else {
        n
    };
    ProptestConfig {
        cases: n,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn session() -> Session {
    Session::new(
        "prop-game",
        "1.0.0",
        "test",
        DeviceInfo::default(),
        "instance",
    )
}

fn scope() -> impl Strategy<Value = Arc<Scope>> {
    (fields(), prop::collection::vec((text(), text()), 0..3)).prop_map(|(user, tags)| {
        Arc::new(Scope {
            user,
            contexts: Vec::new(),
            tags,
        })
    })
}

fn level() -> impl Strategy<Value = Level> {
    prop_oneof![
        Just(Level::Debug),
        Just(Level::Info),
        Just(Level::Warn),
        Just(Level::Error)
    ]
}

fn log_record() -> impl Strategy<Value = LogRecord> {
    (any::<u64>(), level(), text(), fields(), scope()).prop_map(
        |(time_unix_nano, level, message, data, scope)| LogRecord {
            time_unix_nano,
            level,
            message,
            data,
            scope,
            event_name: None,
        },
    )
}

fn span_record() -> impl Strategy<Value = SpanRecord> {
    (
        any::<[u8; 16]>(),
        any::<[u8; 8]>(),
        any::<Option<[u8; 8]>>(),
        text(),
        any::<u64>(),
        fields(),
        text(),
        scope(),
    )
        .prop_map(
            |(trace, id, parent, name, start, attributes, status_message, scope)| SpanRecord {
                trace_id: TraceId(trace),
                span_id: SpanId(id),
                parent_span_id: parent.map(SpanId),
                name,
                start_time_unix_nano: start / 2,
                end_time_unix_nano: start / 2 + 1000,
                attributes,
                status: SpanStatus::Error,
                status_message,
                scope,
            },
        )
}

fn metric_update() -> impl Strategy<Value = MetricUpdate> {
    let kind = prop_oneof![
        Just(MetricKind::Counter),
        Just(MetricKind::Gauge),
        Just(MetricKind::Histogram)
    ];
    (
        kind,
        text(),
        float(),
        prop::collection::vec((text(), text()), 0..20),
    )
        .prop_map(|(kind, name, value, labels)| MetricUpdate {
            time_unix_nano: 1_800_000_000_000_000_000,
            kind,
            name,
            value,
            labels,
            more: Vec::new(),
        })
}

proptest! {
    #![proptest_config(cases(10_000))]

    #[test]
    fn any_value_survives_the_record_format(v in value()) {
        let mut buf = Vec::new();
        ValueWriter::new(&mut buf).value(&v);
        let back = read_value(&buf).expect("readable");
        prop_assert!(same(&v, &back), "{v:?} came back as {back:?}");
    }

    #[test]
    fn no_byte_string_crashes_the_record_reader(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        // Malformed input is refused, never a panic or a runaway allocation.
        let _ = read_value(&bytes);
    }
}

proptest! {
    #![proptest_config(cases(3_000))]

    #[test]
    fn any_logs_make_a_loki_push_that_parses_line_for_line(records in prop::collection::vec(log_record(), 1..8)) {
        let payload = loki::encode(&records, &session());
        let body: Json = serde_json::from_slice(&payload.body).expect("push body is JSON");
        let mut messages = Vec::new();
        for stream in body["streams"].as_array().unwrap() {
            let labels: BTreeSet<&str> = stream["stream"].as_object().unwrap().keys().map(String::as_str).collect();
            prop_assert_eq!(labels, BTreeSet::from(["env", "game", "level", "version"]));
            let mut last = 0u64;
            for entry in stream["values"].as_array().unwrap() {
                let ts: u64 = entry[0].as_str().unwrap().parse().expect("decimal nanoseconds");
                prop_assert!(ts >= last, "time order within a stream");
                last = ts;
                let line: Json = serde_json::from_str(entry[1].as_str().unwrap()).expect("line is JSON");
                messages.push(line["msg"].as_str().unwrap().to_string());
            }
        }
        let mut expected: Vec<String> = records.iter().map(|r| r.message.clone()).collect();
        expected.sort();
        messages.sort();
        prop_assert_eq!(messages, expected);
    }

    #[test]
    fn any_logs_make_otlp_log_records_in_json_and_protobuf(records in prop::collection::vec(log_record(), 1..6)) {
        use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
        use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
        let json = otlp_logs::encode(&records, &session(), OtlpEncoding::Json);
        let protobuf = otlp_logs::encode(&records, &session(), OtlpEncoding::Protobuf);
        let from_json: ExportLogsServiceRequest = serde_json::from_slice(&json.body).expect("OTLP JSON");
        let from_protobuf = <ExportLogsServiceRequest as prost::Message>::decode(protobuf.body.as_slice()).expect("OTLP protobuf");
        for request in [from_json, from_protobuf] {
            let decoded: Vec<_> = request.resource_logs.iter().flat_map(|r| &r.scope_logs).flat_map(|s| &s.log_records).collect();
            prop_assert_eq!(decoded.len(), records.len());
            for (d, r) in decoded.iter().zip(&records) {
                prop_assert_eq!(d.body.as_ref().and_then(|b| b.value.clone()), Some(Any::StringValue(r.message.clone())));
                prop_assert_eq!(d.time_unix_nano, r.time_unix_nano);
                prop_assert!([5, 9, 13, 17].contains(&d.severity_number));
            }
        }
    }

    #[test]
    fn any_spans_make_an_otlp_request_opentelemetry_proto_reads(spans in prop::collection::vec(span_record(), 1..8)) {
        let payload = otlp::encode(&spans, &session(), OtlpEncoding::Json);
        let request: ExportTraceServiceRequest = serde_json::from_slice(&payload.body).expect("OTLP JSON");
        let decoded: Vec<_> = request.resource_spans.iter().flat_map(|r| &r.scope_spans).flat_map(|s| &s.spans).collect();
        prop_assert_eq!(decoded.len(), spans.len());
        for (d, s) in decoded.iter().zip(&spans) {
            prop_assert_eq!(&d.name, &s.name);
            prop_assert_eq!(d.trace_id.as_slice(), s.trace_id.0.as_slice());
            prop_assert_eq!(d.span_id.as_slice(), s.span_id.0.as_slice());
            let parent = s.parent_span_id.map(|p| p.0.to_vec()).unwrap_or_default();
            prop_assert_eq!(&d.parent_span_id, &parent);
            prop_assert_eq!(d.status.as_ref().unwrap().message.as_str(), s.status_message.as_str());
        }
    }

    #[test]
    fn any_metric_updates_make_remote_write_prometheus_accepts(updates in prop::collection::vec(metric_update(), 1..12)) {
        let mut aggregator = MetricPath::new(vec![1.0, 10.0], 50, &[("game", "g")]);
        let mut applied = 0;
        for u in &updates {
            match aggregator.apply(u) {
                Ok(()) => applied += 1,
                Err(reason) => prop_assert!(matches!(reason, DropReason::Invalid | DropReason::SeriesLimit), "{reason:?}"),
            }
            if !u.value.is_finite() {
                prop_assert_eq!(aggregator.pending_updates(), applied, "non-finite values are refused");
            }
        }
        let Some(snapshot) = aggregator.snapshot(1_800_000_001_000) else {
            prop_assert_eq!(applied, 0);
            return Ok(());
        };
        prop_assert_eq!(snapshot.updates, applied);
        let request = remote_write::decode(&remote_write::encode_snapshot(&snapshot).body).expect("snappy protobuf");
        let mut seen = BTreeSet::new();
        for ts in &request.timeseries {
            // What Prometheus checks before it stores a series.
            let name = ts.labels.iter().find(|l| l.name == "__name__").expect("a metric name");
            prop_assert!(is_valid_metric_name(&name.value), "{name:?}");
            prop_assert!(ts.labels.windows(2).all(|w| w[0].name < w[1].name), "sorted, unique names: {:?}", ts.labels);
            // `__name__` is reserved: no user label may take a `__` name.
            let user_labels = ts.labels.iter().filter(|l| l.name != "__name__");
            prop_assert!(user_labels.into_iter().all(|l| is_valid_label_name(&l.name) && !l.value.is_empty()), "{:?}", ts.labels);
            prop_assert!(ts.samples.iter().all(|s| s.value.is_finite()));
            prop_assert!(ts.samples.windows(2).all(|w| w[0].timestamp < w[1].timestamp), "samples in time order");
            prop_assert!(seen.insert(format!("{:?}", ts.labels)), "one series per label set");
        }
    }
}
