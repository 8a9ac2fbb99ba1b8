//! A hitch as it is sent: a log line `hitch` with the frame's context, a
//! span `hitch` over the frame, and an exemplar for the frame-time
//! histogram that points at that span.
//!
//! Names follow OpenTelemetry's `app.jank` event (semantic conventions,
//! development stability): `app.jank.frame_count` (int), and
//! `app.jank.threshold` and `app.jank.period` (double, in seconds). The
//! rest are this SDK's (`hitch.*`, `scene`), listed in docs/hitches.md.

use std::time::Duration;

use crate::model::event::{
    Event, HitchNote, Level, LogRecord, SpanId, SpanRecord, SpanStatus, TraceId,
};
use crate::model::metrics::Exemplar;
use crate::model::value::{round3, Fields, Value};

use super::window::{FrameContext, LineInFrame, SpanInFrame};

/// The vitals' frame-time histogram (the engine layer records it); a
/// hitch's exemplar goes on its series for the hitch's scene.
pub const FRAME_TIME_METRIC: &str = "game_frame_time_ms";
/// The label the vitals put the current scene in.
pub const SCENE_LABEL: &str = "scene";

/// The log line's message and the span's name.
pub const HITCH: &str = "hitch";
/// OpenTelemetry's event for a slow frame, the log line's event name.
pub const JANK_EVENT: &str = "app.jank";

pub struct HitchReport {
    pub log: Event,
    pub span: Event,
    /// For the frame-time histogram's series of the hitch's scene.
    pub exemplar: Exemplar,
    /// That series' labels as the vitals give them (the automatic ones
    /// are the aggregator's to add).
    pub labels: Vec<(String, String)>,
}

pub fn report(
    hitch: &HitchNote,
    context: &FrameContext,
    frozen: Option<Duration>,
    ids: &mut impl rand::Rng,
) -> HitchReport {
    let end = hitch.end_unix_nano;
    let start = end.saturating_sub(hitch.duration_ns);
    let is_frozen = frozen.is_some_and(|f| hitch.duration_ns >= f.as_nanos() as u64);
    // The longest span open in the frame: the hitch sits under it in its trace.
    let (trace_id, parent) = match context.spans.first() {
        Some(longest) => (longest.trace_id, Some(longest.span_id)),
        None => (TraceId::random_from(ids), None),
    };
    let span_id = SpanId::random_from(ids);
    let duration_ms = round3(hitch.duration_ns as f64 / 1e6);
    let summary = |extra: &mut Fields| {
        extra.extend([
            field("app.jank.frame_count", Value::Int(1)),
            field(
                "app.jank.threshold",
                Value::Float(hitch.threshold_ns as f64 / 1e9),
            ),
            field(
                "app.jank.period",
                Value::Float(hitch.duration_ns as f64 / 1e9),
            ),
            field("hitch.duration_ms", Value::Float(duration_ms)),
            field("hitch.frozen", Value::Bool(is_frozen)),
            field(SCENE_LABEL, Value::Str(context.scene.clone())),
        ]);
    };
    let mut data = Fields::new();
    summary(&mut data);
    data.extend([
        field("trace_id", Value::Str(trace_id.to_hex())),
        field("span_id", Value::Str(span_id.to_hex())),
        field(
            "spans",
            Value::List(context.spans.iter().map(|s| span_value(s, end)).collect()),
        ),
        field(
            "logs",
            Value::List(context.logs.iter().map(line_value).collect()),
        ),
        field(
            "breadcrumbs",
            Value::List(context.breadcrumbs.iter().map(line_value).collect()),
        ),
        field(
            "monitors",
            Value::Map(
                hitch
                    .monitors
                    .iter()
                    .map(|(name, value)| (name.clone(), Value::Float(*value)))
                    .collect(),
            ),
        ),
    ]);
    if context.omitted > 0 {
        data.push(field(
            "hitch.context_omitted",
            Value::Int(context.omitted as i64),
        ));
    }
    let mut attributes = Fields::new();
    summary(&mut attributes);
    let log = Event::Log(LogRecord {
        time_unix_nano: end,
        level: Level::Warn,
        message: HITCH.into(),
        data,
        scope: Default::default(),
        event_name: Some(JANK_EVENT),
    });
    let span = Event::Span(SpanRecord {
        trace_id,
        span_id,
        parent_span_id: parent,
        name: HITCH.into(),
        start_time_unix_nano: start,
        end_time_unix_nano: end,
        attributes,
        status: SpanStatus::Unset,
        status_message: String::new(),
        scope: Default::default(),
    });
    let exemplar = Exemplar {
        value: hitch.duration_ns as f64 / 1e6,
        time_unix_nano: end,
        trace_id,
        span_id,
    };
    HitchReport {
        log,
        span,
        exemplar,
        labels: vec![(SCENE_LABEL.to_string(), context.scene.clone())],
    }
}

fn span_value(span: &SpanInFrame, frame_end: u64) -> Value {
    Value::Map(vec![
        field("name", Value::Str(span.name.clone())),
        field("trace_id", Value::Str(span.trace_id.to_hex())),
        field("span_id", Value::Str(span.span_id.to_hex())),
        field(
            "duration_ms",
            Value::Float(round3(span.length_at(frame_end) as f64 / 1e6)),
        ),
        field("open", Value::Bool(span.end_unix_nano.is_none())),
    ])
}

fn line_value(line: &LineInFrame) -> Value {
    let mut fields = vec![field(
        "time_unix_nano",
        Value::Int(line.time_unix_nano as i64),
    )];
    match line.level {
        Some(level) => fields.push(field("level", Value::Str(level.as_str().into()))),
        None => fields.push(field("category", Value::Str(line.category.clone()))),
    }
    fields.push(field("message", Value::Str(line.message.clone())));
    Value::Map(fields)
}

fn field(name: &str, value: Value) -> (String, Value) {
    (name.to_string(), value)
}
