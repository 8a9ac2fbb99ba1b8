//! Traces → OTLP/HTTP (`POST /v1/traces`), built from `opentelemetry-proto`'s
//! generated types, whose serde mapping follows the OTLP JSON rules
//! (lowercase hex ids, integer enums, 64-bit ints as strings) and whose
//! prost encoding is OTLP's protobuf. Also what the OTLP logs and metrics
//! encoders share: attribute values, the resource, the scope, the body.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{
    any_value, AnyValue, ArrayValue, InstrumentationScope, KeyValue, KeyValueList,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{
    span, status, ResourceSpans, ScopeSpans, Span, Status,
};

use crate::encode::body::{BodyFormat, Payload};
use crate::encode::wire::OtlpEncoding;
use crate::model::event::{SpanRecord, SpanStatus};
use crate::model::session::Session;
use crate::model::value::Value;

pub const SDK_NAME: &str = "game_tracker";
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn any_value(v: &Value) -> Option<AnyValue> {
    let value = match v {
        Value::Null => return None,
        Value::Bool(b) => any_value::Value::BoolValue(*b),
        Value::Int(i) => any_value::Value::IntValue(*i),
        // JSON cannot carry NaN/Inf as numbers: keep them readable as text.
        Value::Float(f) if !f.is_finite() => {
            any_value::Value::StringValue(crate::model::value::format_float(*f))
        }
        Value::Float(f) => any_value::Value::DoubleValue(*f),
        Value::Str(s) => any_value::Value::StringValue(s.clone()),
        Value::List(items) => any_value::Value::ArrayValue(ArrayValue {
            values: items.iter().filter_map(any_value).collect(),
        }),
        Value::Map(entries) => any_value::Value::KvlistValue(KeyValueList {
            values: entries.iter().filter_map(|(k, v)| kv(k, v)).collect(),
        }),
    };
    Some(AnyValue { value: Some(value) })
}

pub fn kv(key: &str, v: &Value) -> Option<KeyValue> {
    any_value(v).map(|value| KeyValue {
        key: key.to_string(),
        value: Some(value),
        ..Default::default()
    })
}

pub fn string_kv(key: &str, v: &str) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(v.into())),
        }),
        ..Default::default()
    }
}

/// Resource attributes by OpenTelemetry semantic conventions.
pub fn resource(session: &Session) -> Resource {
    let d = &session.device;
    let mut attributes = vec![
        string_kv("service.name", &session.game),
        string_kv("service.version", &session.version),
        string_kv("deployment.environment.name", &session.environment),
        string_kv("session.id", &session.session_id),
        // Semantic conventions' "which producer": Prometheus' OTLP receiver
        // and Alloy's `otelcol.exporter.prometheus` make it `instance`, so
        // two players' series stay apart (docs/protocols.md#one-series-per-session).
        string_kv("service.instance.id", &session.session_id),
    ];
    // The native mode's label names (and the session under the session
    // label's name), so a receiver can promote them unchanged
    // (`promote_resource_attributes`, Alloy's transform) rather than derive
    // `instance` from service.instance.id.
    attributes.extend(
        session
            .automatic_labels()
            .map(|(name, value)| string_kv(name, value)),
    );
    attributes.extend([
        string_kv("os.name", &d.os),
        string_kv("os.version", &d.os_version),
        string_kv("telemetry.sdk.name", SDK_NAME),
        string_kv("telemetry.sdk.language", "rust"),
        string_kv("telemetry.sdk.version", SDK_VERSION),
    ]);
    // No semantic convention exists for these; namespaced to avoid clashes.
    for (k, v) in [
        ("godot.version", &d.godot_version),
        ("device.locale", &d.locale),
        ("device.gpu", &d.gpu),
        ("device.screen", &d.screen),
    ] {
        if !v.is_empty() {
            attributes.push(string_kv(k, v));
        }
    }
    Resource {
        attributes,
        ..Default::default()
    }
}

/// Where the game's own keys go in OTLP (docs/protocols.md#game-keys-in-otlp):
/// log `data` keys always travel as `data.<key>`, so a game's
/// `{"level": "forest"}` can never become a log's level in Loki.
pub const DATA_PREFIX: &str = "data.";

/// Span attribute names that trace backends give a meaning of their own;
/// with the session's automatic labels ([`Session::automatic_labels`]), a
/// game's span attribute named like one travels as `data.<name>`. (`level`
/// is not one: no trace backend reads it, and `span.level` is what a game
/// means by it.)
const RESERVED_NAMES: &[&str] = &["trace_id", "span_id", "service", "job"];
/// Namespaces this SDK's own attributes use (resource, user, tags, context).
const RESERVED_PREFIXES: &[&str] = &[
    "data.",
    "user.",
    "tag.",
    "context.",
    "service.",
    "session.",
    "deployment.",
    "telemetry.",
    "os.",
    "device.",
    "godot.",
    "loki.",
];

/// A game's span attribute name as sent: unchanged unless reserved.
pub fn span_attribute_name<'a>(key: &'a str, session: &Session) -> std::borrow::Cow<'a, str> {
    let reserved = RESERVED_NAMES.contains(&key)
        || session.automatic_labels().any(|(name, _)| name == key)
        || RESERVED_PREFIXES.iter().any(|p| key.starts_with(p));
    if reserved {
        std::borrow::Cow::Owned(format!("{DATA_PREFIX}{key}"))
    } else {
        std::borrow::Cow::Borrowed(key)
    }
}

/// This SDK as the OTLP instrumentation scope.
pub fn scope() -> InstrumentationScope {
    InstrumentationScope {
        name: SDK_NAME.into(),
        version: SDK_VERSION.into(),
        ..Default::default()
    }
}

/// `user.*` (semantic conventions: `user.id`) and `tag.*` attributes.
pub fn scope_attributes(scope: &crate::model::event::Scope, out: &mut Vec<KeyValue>) {
    for (k, v) in &scope.user {
        out.extend(kv(&format!("user.{k}"), v));
    }
    for (k, v) in &scope.tags {
        out.push(string_kv(&format!("tag.{k}"), v));
    }
}

/// The request body in the configured encoding.
pub fn payload<M: prost::Message + serde::Serialize>(
    message: &M,
    encoding: OtlpEncoding,
) -> Payload {
    match encoding {
        OtlpEncoding::Json => Payload {
            format: BodyFormat::Json,
            body: serde_json::to_vec(message).unwrap_or_default(),
        },
        OtlpEncoding::Protobuf => Payload {
            format: BodyFormat::Protobuf,
            body: message.encode_to_vec(),
        },
    }
}

fn span(record: &SpanRecord, session: &Session) -> Span {
    let mut attributes: Vec<KeyValue> = record
        .attributes
        .iter()
        .filter_map(|(k, v)| kv(&span_attribute_name(k, session), v))
        .collect();
    scope_attributes(&record.scope, &mut attributes);
    let (code, message) = match record.status {
        SpanStatus::Unset => (status::StatusCode::Unset, String::new()),
        SpanStatus::Ok => (status::StatusCode::Ok, String::new()),
        SpanStatus::Error => (status::StatusCode::Error, record.status_message.clone()),
    };
    Span {
        trace_id: record.trace_id.0.to_vec(),
        span_id: record.span_id.0.to_vec(),
        parent_span_id: record
            .parent_span_id
            .map(|p| p.0.to_vec())
            .unwrap_or_default(),
        name: record.name.clone(),
        kind: span::SpanKind::Internal as i32,
        start_time_unix_nano: record.start_time_unix_nano,
        end_time_unix_nano: record.end_time_unix_nano,
        attributes,
        status: Some(Status {
            message,
            code: code as i32,
        }),
        ..Default::default()
    }
}

pub fn request(spans: &[SpanRecord], session: &Session) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(resource(session)),
            scope_spans: vec![ScopeSpans {
                scope: Some(scope()),
                spans: spans.iter().map(|s| span(s, session)).collect(),
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
}

pub fn encode(spans: &[SpanRecord], session: &Session, encoding: OtlpEncoding) -> Payload {
    payload(&request(spans, session), encoding)
}
