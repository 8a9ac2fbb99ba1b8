//! Logs → OTLP/HTTP (`POST /v1/logs`) with `protocol = "otlp"`: one OTLP log
//! record per line, severity by the OpenTelemetry log data model, the
//! message as the body, `data` as `data.<key>` attributes. The SDK's own
//! events (`app.jank`, `session.start`, `session.end`, `app.crash`) carry
//! their event name, and their dotted keys as the convention names them.

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::logs::v1::{
    LogRecord as OtlpLogRecord, ResourceLogs, ScopeLogs, SeverityNumber,
};

use crate::encode::body::Payload;
use crate::encode::otlp::{kv, payload, resource, scope, scope_attributes, DATA_PREFIX};
use crate::encode::wire::OtlpEncoding;
use crate::model::event::{Level, LogRecord};
use crate::model::session::Session;

/// The data model's number for each level (DEBUG 5, INFO 9, WARN 13, ERROR 17).
pub fn severity(level: Level) -> SeverityNumber {
    match level {
        Level::Debug => SeverityNumber::Debug,
        Level::Info => SeverityNumber::Info,
        Level::Warn => SeverityNumber::Warn,
        Level::Error => SeverityNumber::Error,
    }
}

fn record(r: &LogRecord) -> OtlpLogRecord {
    let mut attributes: Vec<KeyValue> = r
        .data
        .iter()
        .filter_map(|(k, v)| match r.event_name {
            // The SDK's own event: a dotted key is a convention's attribute.
            Some(_) if k.contains('.') => kv(k, v),
            _ => kv(&format!("{DATA_PREFIX}{k}"), v),
        })
        .collect();
    scope_attributes(&r.scope, &mut attributes);
    // Named sections (`set_context`) stay nested under `context.<name>`.
    for (name, section) in &r.scope.contexts {
        attributes.extend(kv(&format!("context.{name}"), section));
    }
    OtlpLogRecord {
        time_unix_nano: r.time_unix_nano,
        observed_time_unix_nano: r.time_unix_nano,
        severity_number: severity(r.level) as i32,
        severity_text: r.level.as_str().to_uppercase(),
        body: Some(AnyValue {
            value: Some(any_value::Value::StringValue(r.message.clone())),
        }),
        attributes,
        event_name: r.event_name.unwrap_or_default().to_string(),
        ..Default::default()
    }
}

pub fn request(records: &[LogRecord], session: &Session) -> ExportLogsServiceRequest {
    ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: Some(resource(session)),
            scope_logs: vec![ScopeLogs {
                scope: Some(scope()),
                log_records: records.iter().map(record).collect(),
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
}

pub fn encode(records: &[LogRecord], session: &Session, encoding: OtlpEncoding) -> Payload {
    payload(&request(records, session), encoding)
}
