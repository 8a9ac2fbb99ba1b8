//! The events the worker reads back from the main thread's records
//! ([`crate::handover::record`]): logs, metric updates and finished spans, each with
//! the user context it was made under. The main thread never builds these;
//! it appends records, and the worker turns each into one `Event`.

use std::sync::Arc;

use crate::model::value::Fields;
use crate::names::named;

/// Each variant's name (on the wire, in JSON lines, in the debugger tab;
/// `ALL` and `NAMES` from [`crate::names`]) and its one-byte tag in the
/// record format ([`crate::handover::record`]), both ways, from one list
/// beside the enum.
macro_rules! names_and_tags {
    ($ty:ident { $($variant:ident = $tag:literal $name:literal,)+ }) => {
        named!($ty { $($variant $name),+ });

        impl $ty {
            pub fn as_str(self) -> &'static str {
                self.name()
            }

            pub fn tag(self) -> u8 {
                match self { $($ty::$variant => $tag),+ }
            }

            /// `None` for a byte no variant has.
            pub fn from_tag(tag: u8) -> Option<$ty> {
                match tag { $($tag => Some($ty::$variant),)+ _ => None }
            }
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

names_and_tags!(Level { Debug = 0 "debug", Info = 1 "info", Warn = 2 "warn", Error = 3 "error", });

/// The user-set context (`set_user`, `set_context`, `set_tag`) as it was when
/// an event was produced. Shared by reference count: setting context replaces
/// the snapshot, events already queued keep the one they were made with.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    pub user: Fields,
    /// Named sections, each a `Value::Map`.
    pub contexts: Fields,
    pub tags: Vec<(String, String)>,
}

pub type ScopeRef = Arc<Scope>;

#[derive(Debug, Clone)]
pub struct LogRecord {
    pub time_unix_nano: u64,
    pub level: Level,
    pub message: String,
    pub data: Fields,
    pub scope: ScopeRef,
    /// The OpenTelemetry event this is (`app.jank`, `session.start`): only
    /// the SDK's own events have one. Their keys with a dot are that
    /// convention's attributes, which OTLP carries as they are.
    pub event_name: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricKind {
    /// Adds `amount` to a cumulative total.
    Counter,
    /// Replaces the last value.
    Gauge,
    /// Observes one value into the histogram's buckets.
    Histogram,
}

names_and_tags!(MetricKind { Counter = 0 "counter", Gauge = 1 "gauge", Histogram = 2 "histogram", });

#[derive(Debug, Clone)]
pub struct MetricUpdate {
    pub time_unix_nano: u64,
    pub kind: MetricKind,
    pub name: String,
    pub value: f64,
    pub labels: Vec<(String, String)>,
    /// A histogram's further observations carried by the same update (the
    /// vitals' frame times: one update a second, not one a frame).
    pub more: Vec<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TraceId(pub [u8; 16]);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SpanId(pub [u8; 8]);

impl TraceId {
    pub fn random_from(rng: &mut impl rand::Rng) -> Self {
        loop {
            let id: [u8; 16] = rng.random();
            // The all-zero id is invalid in W3C trace context and OTLP.
            if id != [0; 16] {
                return TraceId(id);
            }
        }
    }
    pub fn to_hex(self) -> String {
        hex(&self.0)
    }

    /// 32 hex digits, not all zero (W3C trace context).
    pub fn from_hex(text: &str) -> Option<Self> {
        from_hex(text).filter(|id| *id != [0; 16]).map(TraceId)
    }
}

impl SpanId {
    pub fn random_from(rng: &mut impl rand::Rng) -> Self {
        loop {
            let id: [u8; 8] = rng.random();
            if id != [0; 8] {
                return SpanId(id);
            }
        }
    }
    pub fn to_hex(self) -> String {
        hex(&self.0)
    }

    /// 16 hex digits, not all zero.
    pub fn from_hex(text: &str) -> Option<Self> {
        from_hex(text).filter(|id| *id != [0; 8]).map(SpanId)
    }
}

/// Exactly `N` bytes written as `2 * N` hex digits.
fn from_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != 2 * N || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// The W3C Trace Context `traceparent` header value for a span: version
/// 00, the ids in lowercase hex, flags 01 (sampled: the span is recorded).
/// An outgoing request carrying it joins the trace in the game's backend.
pub fn traceparent(trace: TraceId, span: SpanId) -> String {
    format!("00-{}-{}-01", trace.to_hex(), span.to_hex())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanStatus {
    Unset,
    Ok,
    Error,
}

names_and_tags!(SpanStatus { Unset = 0 "unset", Ok = 1 "ok", Error = 2 "error", });

#[derive(Debug, Clone)]
pub struct SpanRecord {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    pub parent_span_id: Option<SpanId>,
    pub name: String,
    pub start_time_unix_nano: u64,
    pub end_time_unix_nano: u64,
    pub attributes: Fields,
    pub status: SpanStatus,
    pub status_message: String,
    pub scope: ScopeRef,
}

/// What the game tells the session's health (breadcrumbs, the scene,
/// pausing): kept on the worker, sent only with an error or a crash report.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    Breadcrumb {
        time_unix_nano: u64,
        category: String,
        message: String,
        data: Fields,
    },
    /// The current scene changed (the vitals and the crash report name it).
    Scene { time_unix_nano: u64, name: String },
    /// The app was paused (mobile: sent to the background) or resumed.
    Paused { time_unix_nano: u64, paused: bool },
    /// A span was started: its end may come much later, and a hitch names
    /// the spans open in its frame (`crate::hitches`).
    SpanStarted {
        time_unix_nano: u64,
        trace_id: TraceId,
        span_id: SpanId,
        name: String,
    },
    /// A frame took longer than the hitch threshold (`crate::hitches`).
    Hitch(HitchNote),
}

/// What the main thread knows of a slow frame when the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct HitchNote {
    /// When the frame ended (wall clock): the frame is
    /// `end_unix_nano - duration_ns .. end_unix_nano`.
    pub end_unix_nano: u64,
    pub duration_ns: u64,
    /// The threshold it passed.
    pub threshold_ns: u64,
    /// The engine's monitors read as the next frame started, by name.
    pub monitors: Vec<(String, f64)>,
}

#[derive(Debug, Clone)]
pub enum Event {
    Log(LogRecord),
    Metric(MetricUpdate),
    Span(SpanRecord),
}

impl Event {
    pub fn signal(&self) -> crate::stats::Signal {
        use crate::stats::Signal;
        match self {
            Event::Log(_) => Signal::Logs,
            Event::Metric(_) => Signal::Metrics,
            Event::Span(_) => Signal::Traces,
        }
    }
}

/// Wall-clock time in Unix nanoseconds; 0 if the clock is before 1970.
pub fn now_unix_nano() -> u64 {
    crate::clock::SystemTime::now()
        .duration_since(crate::clock::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}
