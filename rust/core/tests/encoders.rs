//! Each encoder's output decoded by an independent decoder: serde_json for
//! Loki, snappy + prost for remote write, opentelemetry-proto's serde types
//! for OTLP JSON.

use std::sync::Arc;

use game_tracker_core::encode::OtlpEncoding;
use game_tracker_core::encode::{loki, otlp, remote_write};
use game_tracker_core::model::event::{
    Level, LogRecord, Scope, SpanId, SpanRecord, SpanStatus, TraceId,
};
use game_tracker_core::model::event::{MetricKind, MetricUpdate};
use game_tracker_core::model::session::{DeviceInfo, Session};
use game_tracker_core::model::value::Value;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value;
use serde_json::Value as Json;

mod common;
use common::metric_path::MetricPath;

fn fields<const N: usize>(pairs: [(&str, Value); N]) -> game_tracker_core::Fields {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn session() -> Session {
    Session::new(
        "forest-adventure",
        "1.2.3",
        "production",
        DeviceInfo {
            os: "Linux".into(),
            os_version: "6.1".into(),
            locale: "en_US".into(),
            godot_version: "4.6.3-stable".into(),
            gpu: "llvmpipe".into(),
            screen: "1920x1080".into(),
        },
        "instance",
    )
}

fn scope() -> Arc<Scope> {
    Arc::new(Scope {
        user: fields([("id", Value::Str("player_123".into()))]),
        contexts: vec![(
            "player".into(),
            Value::Map(fields([("health", Value::Int(100))])),
        )],
        tags: vec![("build".into(), "demo".into())],
    })
}

fn log(t: u64, level: Level, msg: &str) -> LogRecord {
    LogRecord {
        time_unix_nano: t,
        level,
        message: msg.into(),
        data: fields([
            ("player_id", Value::Str("123".into())),
            ("hp", Value::Float(f64::NAN)),
        ]),
        scope: scope(),
        event_name: None,
    }
}

#[test]
fn loki_push_has_low_cardinality_streams_and_string_nanosecond_timestamps() {
    let s = session();
    let records = vec![
        log(1_800_000_000_000_000_300, Level::Info, "b"),
        log(1_800_000_000_000_000_100, Level::Info, "a"),
        log(1_800_000_000_000_000_200, Level::Error, "boom"),
    ];
    let payload = loki::encode(&records, &s);
    assert_eq!(payload.content_type(), "application/json");
    let body: Json = serde_json::from_slice(&payload.body).unwrap();
    let streams = body["streams"].as_array().unwrap();
    assert_eq!(streams.len(), 2, "one stream per level");
    let info = streams
        .iter()
        .find(|st| st["stream"]["level"] == "info")
        .unwrap();
    let labels = info["stream"].as_object().unwrap();
    let mut keys: Vec<&String> = labels.keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        vec!["env", "game", "level", "version"],
        "session id is not a label"
    );
    assert_eq!(info["stream"]["game"], "forest-adventure");
    assert_eq!(info["stream"]["env"], "production");
    let values = info["values"].as_array().unwrap();
    // Time-ordered within the stream, timestamps as decimal strings.
    assert_eq!(values[0][0], Json::String("1800000000000000100".into()));
    assert_eq!(values[1][0], Json::String("1800000000000000300".into()));
    let line: Json = serde_json::from_str(values[0][1].as_str().unwrap()).unwrap();
    assert_eq!(line["msg"], "a");
    assert_eq!(line["session_id"], Json::String(s.session_id.clone()));
    assert_eq!(line["data"]["player_id"], "123");
    assert_eq!(
        line["data"]["hp"], "NaN",
        "non-finite numbers survive as text"
    );
    assert_eq!(line["user"]["id"], "player_123");
    assert_eq!(line["tags"]["build"], "demo");
    assert_eq!(line["context"]["player"]["health"], 100);
    assert_eq!(line["device"]["gpu"], "llvmpipe");
    assert_eq!(line["device"]["screen"], "1920x1080");
}

#[test]
fn remote_write_is_snappy_block_protobuf_with_the_required_headers() {
    let mut a = MetricPath::new(vec![100.0], 10, &[("game", "g")]);
    a.apply(&MetricUpdate {
        time_unix_nano: 1_800_000_000_000_000_000,
        kind: MetricKind::Counter,
        name: "player_deaths".into(),
        value: 3.0,
        labels: vec![("cause".into(), "spikes".into())],
        more: Vec::new(),
    })
    .unwrap();
    let snap = a.snapshot(1_800_000_001_000).unwrap();
    let request = remote_write::request(&snap);
    let payload = remote_write::encode(&request);
    assert_eq!(payload.content_type(), "application/x-protobuf");
    assert_eq!(payload.content_encoding(), Some("snappy"));
    assert_eq!(
        payload.protocol_headers(),
        &[("X-Prometheus-Remote-Write-Version", "0.1.0")]
    );
    // Block format, not the framed stream format (which starts with 0xff "sNaPpY").
    assert_ne!(payload.body[0], 0xff);
    let raw = snap::raw::Decoder::new()
        .decompress_vec(&payload.body)
        .expect("snappy block");
    let decoded =
        <game_tracker_core::encode::prompb::WriteRequest as prost::Message>::decode(raw.as_slice())
            .unwrap();
    assert_eq!(decoded, request);
    let ts = &decoded.timeseries[0];
    let labels: Vec<(&str, &str)> = ts
        .labels
        .iter()
        .map(|l| (l.name.as_str(), l.value.as_str()))
        .collect();
    assert_eq!(
        labels,
        vec![
            ("__name__", "player_deaths_total"),
            ("cause", "spikes"),
            ("game", "g")
        ]
    );
    let samples: Vec<(f64, i64)> = ts.samples.iter().map(|s| (s.value, s.timestamp)).collect();
    assert_eq!(
        samples,
        vec![(0.0, 1_799_999_999_999), (3.0, 1_800_000_001_000)]
    );
}

fn span(
    name: &str,
    trace: TraceId,
    id: SpanId,
    parent: Option<SpanId>,
    status: SpanStatus,
) -> SpanRecord {
    SpanRecord {
        trace_id: trace,
        span_id: id,
        parent_span_id: parent,
        name: name.into(),
        start_time_unix_nano: 1_800_000_000_000_000_000,
        end_time_unix_nano: 1_800_000_000_250_000_000,
        attributes: fields([
            ("level", Value::Str("forest".into())),
            ("count", Value::Int(42)),
            ("ratio", Value::Float(0.5)),
            ("gpu", Value::Bool(true)),
            ("skipped", Value::Null),
        ]),
        status,
        status_message: if status == SpanStatus::Error {
            "not found".into()
        } else {
            String::new()
        },
        scope: scope(),
    }
}

#[test]
fn otlp_json_parses_with_opentelemetry_proto_and_keeps_types_ids_and_times() {
    let s = session();
    let trace = TraceId::random_from(&mut rand::rng());
    let (root, child) = (
        SpanId::random_from(&mut rand::rng()),
        SpanId::random_from(&mut rand::rng()),
    );
    let spans = vec![
        span("level_load", trace, root, None, SpanStatus::Unset),
        span("load_assets", trace, child, Some(root), SpanStatus::Error),
    ];
    let payload = otlp::encode(&spans, &s, OtlpEncoding::Json);
    assert_eq!(payload.content_type(), "application/json");

    // Raw JSON shape: lowercase hex ids, integer enums, string nanoseconds.
    let json: Json = serde_json::from_slice(&payload.body).unwrap();
    let js = &json["resourceSpans"][0]["scopeSpans"][0]["spans"];
    assert_eq!(js[0]["traceId"], Json::String(trace.to_hex()));
    assert_eq!(js[0]["traceId"].as_str().unwrap().len(), 32);
    assert_eq!(js[1]["parentSpanId"].as_str().unwrap(), root.to_hex());
    assert_eq!(js[1]["spanId"].as_str().unwrap().len(), 16);
    assert!(js[1]["spanId"]
        .as_str()
        .unwrap()
        .chars()
        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
    assert_eq!(js[0]["kind"], 1, "SPAN_KIND_INTERNAL as an integer");
    assert_eq!(js[0]["startTimeUnixNano"], "1800000000000000000");
    assert_eq!(js[1]["status"]["code"], 2, "STATUS_CODE_ERROR");

    // Decoded by opentelemetry-proto's own serde mapping.
    let req: ExportTraceServiceRequest =
        serde_json::from_slice(&payload.body).expect("valid OTLP JSON");
    let rs = &req.resource_spans[0];
    let resource: Vec<(String, String)> = rs
        .resource
        .as_ref()
        .unwrap()
        .attributes
        .iter()
        .map(|kv| match &kv.value.as_ref().unwrap().value {
            Some(any_value::Value::StringValue(v)) => (kv.key.clone(), v.clone()),
            other => panic!("resource attribute {} is not a string: {other:?}", kv.key),
        })
        .collect();
    let get = |k: &str| {
        resource
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("service.name"), Some("forest-adventure"));
    assert_eq!(get("service.version"), Some("1.2.3"));
    assert_eq!(get("deployment.environment.name"), Some("production"));
    assert_eq!(get("session.id"), Some(s.session_id.as_str()));
    assert_eq!(get("os.name"), Some("Linux"));
    assert_eq!(get("os.version"), Some("6.1"));
    assert_eq!(get("telemetry.sdk.name"), Some("game_tracker"));
    assert_eq!(get("telemetry.sdk.language"), Some("rust"));
    assert!(get("telemetry.sdk.version").is_some());

    let decoded = &rs.scope_spans[0].spans;
    assert_eq!(decoded[0].trace_id, trace.0.to_vec());
    assert_eq!(decoded[1].parent_span_id, root.0.to_vec());
    assert!(decoded[0].parent_span_id.is_empty());
    assert_eq!(
        decoded[0].end_time_unix_nano - decoded[0].start_time_unix_nano,
        250_000_000
    );
    assert_eq!(decoded[1].status.as_ref().unwrap().message, "not found");
    let attr = |k: &str| {
        decoded[0]
            .attributes
            .iter()
            .find(|kv| kv.key == k)
            .and_then(|kv| kv.value.clone()?.value)
    };
    assert_eq!(
        attr("level"),
        Some(any_value::Value::StringValue("forest".into()))
    );
    assert_eq!(attr("count"), Some(any_value::Value::IntValue(42)));
    assert_eq!(attr("ratio"), Some(any_value::Value::DoubleValue(0.5)));
    assert_eq!(attr("gpu"), Some(any_value::Value::BoolValue(true)));
    assert_eq!(attr("skipped"), None, "null attributes are left out");
    assert_eq!(
        attr("user.id"),
        Some(any_value::Value::StringValue("player_123".into()))
    );
    assert_eq!(
        attr("tag.build"),
        Some(any_value::Value::StringValue("demo".into()))
    );
}

#[test]
fn ids_are_random_and_never_zero() {
    let a = TraceId::random_from(&mut rand::rng());
    let b = TraceId::random_from(&mut rand::rng());
    assert_ne!(a, b);
    assert_ne!(a.0, [0; 16]);
    assert_ne!(SpanId::random_from(&mut rand::rng()).0, [0; 8]);
}

#[test]
fn session_ids_are_uuid_v4() {
    let id = session().session_id;
    let parsed = uuid::Uuid::parse_str(&id).unwrap();
    assert_eq!(parsed.get_version_num(), 4);
    assert_ne!(id, session().session_id);
}

#[test]
fn traceparent_is_w3c_trace_context_version_00_sampled() {
    let trace = TraceId([
        0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47,
        0x36,
    ]);
    let span = SpanId([0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7]);
    // The example from the W3C Trace Context recommendation, section 3.2.
    assert_eq!(
        game_tracker_core::model::event::traceparent(trace, span),
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    );
}

#[test]
fn span_attributes_keep_their_names_unless_a_backend_or_the_sdk_reserves_them() {
    use game_tracker_core::encode::otlp::span_attribute_name;
    let session = session();
    for kept in ["level", "player_id", "attempt", "services"] {
        assert_eq!(span_attribute_name(kept, &session), kept);
    }
    for (game, sent) in [
        ("service.name", "data.service.name"),
        ("job", "data.job"),
        ("user.id", "data.user.id"),
        ("game", "data.game"),
        ("instance", "data.instance"),
    ] {
        assert_eq!(span_attribute_name(game, &session), sent);
    }
    // The session label is the configured one, not a fixed `instance`.
    let renamed = Session::new("g", "1", "e", DeviceInfo::default(), "player_session");
    assert_eq!(
        span_attribute_name("player_session", &renamed),
        "data.player_session"
    );
    assert_eq!(span_attribute_name("instance", &renamed), "instance");
}
