//! The worker's side of the hand-over: each frame the page sends the
//! frame's calls, in the order the game made them, and [`Replay::frame`]
//! makes the same calls on the core's tracker, then runs its worker a
//! slice. So the Web runs the native platforms' core, with the browser's
//! clocks and fetch under it.
//!
//! A hand-over is Godot's `var_to_bytes` of one flat Array, in hex
//! (`godot_variant.rs` reads it): a header, then each call as its
//! operation's number ([`op`]) followed by that operation's fields.
//!
//! ```text
//! FORMAT, unix_us, ticks_us                     the format; the page's two clocks, read together
//! LOG_DEBUG … LOG_ERROR, ticks_us, message, data
//! COUNTER | GAUGE | HISTOGRAM, name, value, labels
//! SAMPLES, name, [value, …], labels             many histogram values at once (the vitals)
//! SPAN_ROOT, ticks_us, name, attributes, n      a span starting a trace
//! SPAN_CHILD, ticks_us, name, attributes, n, parent_n, trace_n
//! SPAN_END, n, ticks_us
//! SPAN_END_WITH, n, ticks_us, status, message, attributes
//! BREADCRUMB, ticks_us, category, message, data
//! USER, fields      CONTEXT, name, fields      TAG, key, value
//! SCENE, name       ENABLED, bool
//! INIT, config, device, trace_high, span_base   FLUSH      SHUTDOWN
//! HITCH, end_ticks_us, length_us, threshold_us, {monitor: value, …}
//! ```
//!
//! Times are the page's `Time.get_ticks_usec()` at the call; the clocks tie
//! them to the wall clock, so an event keeps the time the game made it, not
//! the time the worker heard of it. Statuses are the core's
//! `SpanStatus::tag`s. A span is its number `n` in the page's session: its
//! id is `span_base + n` as 16 hex digits, and its trace's id is
//! `trace_high` then the id of the trace's first span, so the page can
//! give a game the ids at once without drawing them per span
//! (`web_span.gd` writes them the same way). The page checks nothing the
//! worker can check: a message that is not text, a metric value that is
//! not a finite number, a span with no name are warned about here, once.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use game_tracker_core::api::lifecycle::{FarewellRequest, Lifecycle};
use game_tracker_core::api::stats_report;
use game_tracker_core::model::event::{SpanId, TraceId};
use game_tracker_core::model::value::{Fields, Value};
use game_tracker_core::transport::http_target::MakePolledHttp;
use game_tracker_core::{DeviceInfo, Level, MetricKind, OpenSpan, SpanStatus};

use crate::godot_variant;

/// The most body bytes of each farewell request: the browser lets a page's
/// keepalive requests in flight carry 64 KiB in all, and a farewell has a
/// request for logs and one for spans.
pub const FAREWELL_BUDGET: usize = 32 * 1024;

/// The most a slice of the core takes in the worker: the worker is not the
/// game's thread, but fetch answers and the page's next hand-over wait for
/// it to return to the browser.
const WORKER_SLICE: Duration = Duration::from_millis(8);

/// How long a page's `shutdown` call waits: not at all, a worker's wait
/// would see no answer (the browser answers between its tasks).
const NO_WAIT: Duration = Duration::ZERO;

/// The most spans the worker keeps open. The page never says a span was
/// dropped unended (natively such a span is simply never sent), so past
/// this the oldest is forgotten: a game that never ends its spans does
/// not grow the worker without bound. Far above what a game keeps open.
const MAX_OPEN_SPANS: usize = 10_000;

/// The tracker as the worker holds it, with the spans the page started and
/// has not ended.
pub struct Replay {
    lifecycle: Lifecycle,
    /// By the page's span number, at most MAX_OPEN_SPANS.
    spans: BTreeMap<i64, OpenSpan>,
    ids: SpanIds,
    /// What the page should print: a refused `init`, a malformed call.
    problems: Vec<String>,
    /// The kinds of problem already printed.
    warned: HashSet<&'static str>,
}

/// The page's two clocks, read at the same moment.
struct Clock {
    unix_us: i64,
    ticks_us: i64,
}

impl Clock {
    /// The wall-clock time, in Unix nanoseconds, of the page's `ticks_us`.
    fn unix_nano(&self, ticks_us: i64) -> u64 {
        (self.unix_us + (ticks_us - self.ticks_us)).max(0) as u64 * 1000
    }
}

impl Replay {
    /// `http` makes frame delivery's requests: the browser's fetch in the
    /// worker; `None`, the core's own (native tests).
    pub fn new(http: Option<MakePolledHttp>) -> Replay {
        let lifecycle = http.map_or_else(Lifecycle::default, Lifecycle::with_polled_http);
        Replay {
            lifecycle,
            spans: BTreeMap::new(),
            ids: SpanIds::default(),
            problems: Vec::new(),
            warned: HashSet::new(),
        }
    }

    /// Asks the tracker to send what it holds now (the page was hidden).
    pub fn flush(&self) {
        if let Some(tracker) = self.lifecycle.tracker() {
            tracker.flush();
            tracker.handover_with(WORKER_SLICE);
        }
    }

    /// One frame's hand-over: its calls, then a slice of the worker.
    pub fn frame(&mut self, text: &str) -> Result<(), String> {
        let items = godot_variant::from_hex(text)
            .and_then(|bytes| godot_variant::decode(&bytes))
            .map_err(|e| format!("unreadable hand-over: {e}"))?;
        let Value::List(items) = items else {
            return Err("unreadable hand-over: not an Array".into());
        };
        let mut items = items.into_iter();
        match items.next() {
            Some(Value::Int(op::FORMAT)) => {}
            other => {
                return Err(format!(
                    "a hand-over of format {:?}; this worker reads format {}",
                    other.map(|v| v.to_label_string()),
                    op::FORMAT
                ))
            }
        }
        let clock = Clock {
            unix_us: int(&items.next().unwrap_or(Value::Null)),
            ticks_us: int(&items.next().unwrap_or(Value::Null)),
        };
        while let Some(code) = items.next() {
            if let Err(problem) = self.call(&clock, &code, &mut items) {
                // The rest of the frame cannot be read past a call not understood.
                self.problems.push(problem);
                break;
            }
        }
        self.tick();
        Ok(())
    }

    /// A slice of the worker with no new calls (the worker's timer: answers
    /// and retries move on while the page sends nothing).
    pub fn tick(&self) {
        if let Some(tracker) = self.lifecycle.tracker() {
            tracker.handover_with(WORKER_SLICE);
        }
    }

    /// True while the queue holds events the worker has not read: the next
    /// slice should come at once.
    pub fn busy(&self) -> bool {
        self.lifecycle
            .tracker()
            .is_some_and(|t| t.queue_fill().events > 0)
    }

    /// `get_stats()`'s tree, as JSON text.
    pub fn stats(&self) -> String {
        stats_report::report(&self.lifecycle, [0; 3]).to_string()
    }

    /// What the page should print since the last call: problems with its
    /// calls, then the tracker's own warnings.
    pub fn take_diagnostics(&mut self) -> Vec<String> {
        let mut out = std::mem::take(&mut self.problems);
        if let Some(tracker) = self.lifecycle.tracker() {
            out.extend(tracker.take_diagnostics(usize::MAX));
        }
        out
    }

    /// What the page should send if it goes now (the session's clean end
    /// and what no receiver has answered): a browser stops the worker as
    /// its page goes, before it could send anything.
    pub fn farewell(&self) -> Vec<FarewellRequest> {
        self.lifecycle.farewell(FAREWELL_BUDGET)
    }

    /// The page is going away: the session ends as a clean exit, and what
    /// is left starts on its way now (its requests outlive the page: the
    /// browser's keepalive).
    pub fn leave(&mut self) {
        self.lifecycle.shutdown(NO_WAIT);
    }

    /// One call: its operation's number, then its fields from `items`.
    fn call(
        &mut self,
        clock: &Clock,
        code: &Value,
        items: &mut impl Iterator<Item = Value>,
    ) -> Result<(), String> {
        let mut next = || items.next().unwrap_or(Value::Null);
        let Value::Int(code) = *code else {
            return Err(format!("a call's operation is {}", code.type_name()));
        };
        let tracker = self.lifecycle.tracker().cloned();
        match (code, tracker) {
            (op::INIT, _) => {
                let (config, device) = (fields(next()), device(next()));
                self.ids = SpanIds {
                    trace_high: int(&next()) as u64,
                    span_base: int(&next()) as u64,
                };
                if let Err(e) = self.lifecycle.init(&config, || device) {
                    return Err(format!("init: {e}"));
                }
            }
            (op::ENABLED, _) => {
                let enabled = next() == Value::Bool(true);
                let device = DeviceInfo::default();
                self.lifecycle
                    .set_enabled(enabled, || device)
                    .map_err(|e| format!("set_enabled: {e}"))?;
            }
            (op::SHUTDOWN, _) => self.leave(),
            // Counted by the page as not_initialized; its fields are skipped.
            (code, None) => {
                for _ in 0..op::field_count(code).ok_or(format!("unknown call {code}"))? {
                    next();
                }
            }
            (op::LOG_DEBUG..=op::LOG_ERROR, Some(t)) => {
                let level = Level::from_tag((code - op::LOG_DEBUG) as u8).unwrap_or(Level::Info);
                let time = clock.unix_nano(int(&next()));
                let message = self.message(next());
                t.log_at(level, time, message, fields(next()));
            }
            (op::COUNTER..=op::HISTOGRAM, Some(t)) => {
                let kind = match code {
                    op::COUNTER => MetricKind::Counter,
                    op::GAUGE => MetricKind::Gauge,
                    _ => MetricKind::Histogram,
                };
                let (name, value, labels) = (text(next()), next(), fields(next()));
                match value.as_f64().filter(|v| v.is_finite()) {
                    Some(value) => t.metric_with(kind, name, value, labels),
                    None => {
                        self.warn_once(
                            "metric_value",
                            format!("{name}: value must be a finite int or float; update dropped"),
                        );
                        t.reject_metric();
                    }
                }
            }
            (op::SAMPLES, Some(t)) => {
                let name = text(next());
                let Value::List(values) = next() else {
                    return Err("samples: no values".into());
                };
                let values: Vec<f64> = values.iter().filter_map(Value::as_f64).collect();
                t.histogram_samples(name, &values, fields(next()));
            }
            (op::SPAN_ROOT | op::SPAN_CHILD, Some(t)) => {
                let time = clock.unix_nano(int(&next()));
                let name = self.span_name(next());
                let attributes = fields(next());
                let n = int(&next());
                let (parent, trace_n) = match code {
                    op::SPAN_CHILD => (Some(self.ids.span(int(&next()))), int(&next())),
                    _ => (None, n),
                };
                let ids = (self.ids.trace(trace_n), self.ids.span(n));
                let span = t.start_span_at(name, attributes, ids, parent, time);
                self.spans.insert(n, span);
                if self.spans.len() > MAX_OPEN_SPANS {
                    self.spans.pop_first();
                    self.warn_once(
                        "open_spans",
                        format!("more than {MAX_OPEN_SPANS} spans started and not ended: the oldest is forgotten (never sent)"),
                    );
                }
            }
            (op::SPAN_END | op::SPAN_END_WITH, Some(t)) => {
                let n = int(&next());
                let time = clock.unix_nano(int(&next()));
                let (mut status, mut message) = (SpanStatus::Unset, String::new());
                let mut attributes = Vec::new();
                if code == op::SPAN_END_WITH {
                    status = SpanStatus::from_tag(int(&next()) as u8).unwrap_or(SpanStatus::Unset);
                    message = text(next());
                    attributes = fields(next());
                }
                let Some(mut span) = self.spans.remove(&n) else {
                    self.warn_once(
                        "span_end",
                        format!("a span ended that this worker never saw start ({n})"),
                    );
                    return Ok(());
                };
                for (key, value) in attributes {
                    span.set_attribute(&key, value);
                }
                t.end_span_at(&span, time, status, &message);
            }
            (op::BREADCRUMB, Some(t)) => {
                let time = clock.unix_nano(int(&next()));
                t.add_breadcrumb_at(time, text(next()), text(next()), fields(next()));
            }
            (op::USER, Some(t)) => t.set_user(fields(next())),
            (op::CONTEXT, Some(t)) => t.set_context(text(next()), fields(next())),
            (op::TAG, Some(t)) => t.set_tag(text(next()), text(next())),
            (op::SCENE, Some(t)) => t.set_scene(text(next())),
            (op::FLUSH, Some(t)) => t.flush(),
            (op::HITCH, Some(t)) => {
                let end = clock.unix_nano(int(&next()));
                let length = micros(&next());
                let threshold = micros(&next());
                let monitors: Vec<(String, f64)> = map(next())
                    .into_iter()
                    .filter_map(|(name, value)| Some((name, value.as_f64()?)))
                    .collect();
                let monitors: Vec<(&str, f64)> =
                    monitors.iter().map(|(n, v)| (n.as_str(), *v)).collect();
                t.hitch_at(end, length, threshold, &monitors);
            }
            (other, Some(_)) => return Err(format!("unknown call {other}")),
        }
        Ok(())
    }

    /// A log's message as text; anything else warned about once and sent
    /// as its text, as the native class does.
    fn message(&mut self, message: Value) -> String {
        if !matches!(message, Value::Str(_)) {
            self.warn_once(
                "message_type",
                "log: message should be a String; sent as its text".into(),
            );
        }
        match message {
            Value::Null => "<null>".into(),
            other => text(other),
        }
    }

    fn span_name(&mut self, name: Value) -> String {
        match text(name) {
            name if !name.is_empty() => name,
            _ => {
                self.warn_once(
                    "span_name",
                    "start_span(): name must be a non-empty String; span named \"unnamed\"".into(),
                );
                "unnamed".into()
            }
        }
    }

    /// A problem with the page's calls, printed once per kind.
    fn warn_once(&mut self, kind: &'static str, message: String) {
        if self.warned.insert(kind) {
            self.problems.push(message);
        }
    }
}

/// The operations' numbers in a hand-over (`Op` in
/// addons/game_tracker/web/handover.gd, which must say the same).
pub mod op {
    /// The hand-over's format: the first item of each.
    pub const FORMAT: i64 = 2;
    pub const LOG_DEBUG: i64 = 1;
    pub const LOG_INFO: i64 = 2;
    pub const LOG_WARN: i64 = 3;
    pub const LOG_ERROR: i64 = 4;
    pub const COUNTER: i64 = 5;
    pub const GAUGE: i64 = 6;
    pub const HISTOGRAM: i64 = 7;
    pub const SAMPLES: i64 = 8;
    pub const SPAN_ROOT: i64 = 9;
    pub const SPAN_CHILD: i64 = 10;
    pub const SPAN_END: i64 = 11;
    pub const SPAN_END_WITH: i64 = 12;
    pub const BREADCRUMB: i64 = 13;
    pub const USER: i64 = 14;
    pub const CONTEXT: i64 = 15;
    pub const TAG: i64 = 16;
    pub const SCENE: i64 = 17;
    pub const INIT: i64 = 18;
    pub const ENABLED: i64 = 19;
    pub const FLUSH: i64 = 20;
    pub const SHUTDOWN: i64 = 21;
    pub const HITCH: i64 = 22;

    /// How many fields follow the operation.
    pub fn field_count(code: i64) -> Option<usize> {
        Some(match code {
            LOG_DEBUG..=LOG_ERROR => 3,
            COUNTER..=SAMPLES => 3,
            SPAN_ROOT => 4,
            SPAN_CHILD => 6,
            SPAN_END => 2,
            SPAN_END_WITH => 5,
            BREADCRUMB => 4,
            USER | SCENE | ENABLED => 1,
            CONTEXT | TAG => 2,
            INIT | HITCH => 4,
            FLUSH | SHUTDOWN => 0,
            _ => return None,
        })
    }
}

/// How the page's span numbers become ids (see the module doc).
#[derive(Default)]
struct SpanIds {
    trace_high: u64,
    span_base: u64,
}

impl SpanIds {
    fn span(&self, n: i64) -> SpanId {
        SpanId(self.span_base.wrapping_add(n as u64).to_be_bytes())
    }

    fn trace(&self, trace_n: i64) -> TraceId {
        let mut id = [0; 16];
        id[..8].copy_from_slice(&self.trace_high.to_be_bytes());
        id[8..].copy_from_slice(&self.span(trace_n).0);
        TraceId(id)
    }
}

fn map(value: Value) -> Fields {
    match value {
        Value::Map(fields) => fields,
        _ => Vec::new(),
    }
}

/// A `data`-like argument: a Dictionary's fields, nothing for null, and
/// anything else as `{"value": …}`, as the native class sends it.
fn fields(value: Value) -> Fields {
    match value {
        Value::Map(fields) => fields,
        Value::Null => Vec::new(),
        other => vec![("value".to_string(), other)],
    }
}

fn text(value: Value) -> String {
    match value {
        Value::Str(s) => s,
        Value::Null => String::new(),
        other => other.to_label_string(),
    }
}

/// An int field (a whole float read as one); 0 for anything else.
fn int(value: &Value) -> i64 {
    match value {
        Value::Int(i) => *i,
        other => other.as_f64().unwrap_or(0.0) as i64,
    }
}

/// A length in µs; zero for anything but a positive number.
fn micros(value: &Value) -> Duration {
    Duration::from_micros(int(value).max(0) as u64)
}

fn device(value: Value) -> DeviceInfo {
    let mut device = DeviceInfo::default();
    for (key, value) in map(value) {
        let slot = match key.as_str() {
            "os" => &mut device.os,
            "os_version" => &mut device.os_version,
            "locale" => &mut device.locale,
            "godot_version" => &mut device.godot_version,
            "gpu" => &mut device.gpu,
            "screen" => &mut device.screen,
            _ => continue,
        };
        *slot = text(value);
    }
    device
}
