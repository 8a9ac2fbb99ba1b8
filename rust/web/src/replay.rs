//! The worker's side of the hand-over: each frame the page sends one JSON
//! text holding the frame's calls, in the order the game made them, and
//! [`Replay::frame`] makes the same calls on the core's tracker, then runs
//! its worker a slice. So the Web runs the native platforms' core, with
//! the browser's clocks and fetch under it.
//!
//! ```text
//! {"clock": [unix_us, ticks_us],            the page's two clocks, read together
//!  "calls": [["log", level, ticks_us, message, data],
//!            ["metric", kind, name, value, labels],
//!            ["samples", name, [value, …], labels],
//!            ["span_start", ticks_us, name, attributes, trace_id, span_id, parent_span_id | null],
//!            ["span_end", span_id, ticks_us, status, message, attributes],
//!            ["breadcrumb", ticks_us, category, message, data],
//!            ["user", fields], ["context", name, fields], ["tag", key, value],
//!            ["scene", name], ["paused", bool],
//!            ["init", config, device], ["enabled", bool], ["flush"], ["shutdown"]]}
//! ```
//!
//! Times are the page's `Time.get_ticks_usec()` at the call; `clock` ties
//! them to the wall clock, so an event keeps the time the game made it,
//! not the time the worker heard of it. Levels, kinds and statuses are the
//! core's tags (`Level::tag`, `MetricKind::tag`, `SpanStatus::tag`); ids
//! are lowercase hex (the page draws them, so a game can read a span's ids
//! at once).

use std::collections::HashMap;
use std::time::Duration;

use game_tracker_core::api::lifecycle::{FarewellRequest, Lifecycle};
use game_tracker_core::api::stats_report;
use game_tracker_core::model::event::{SpanId, TraceId};
use game_tracker_core::model::value::{Fields, Value};
use game_tracker_core::transport::http_target::MakePolledHttp;
use game_tracker_core::{DeviceInfo, Level, MetricKind, OpenSpan, SpanStatus};

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

/// The tracker as the worker holds it, with the spans the page started and
/// has not ended.
pub struct Replay {
    lifecycle: Lifecycle,
    spans: HashMap<SpanId, OpenSpan>,
    /// What the page should print: a refused `init`, a malformed call.
    problems: Vec<String>,
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
            spans: HashMap::new(),
            problems: Vec::new(),
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
        let frame = crate::json::parse(text).map_err(|e| format!("unreadable hand-over: {e}"))?;
        let mut clock = Clock {
            unix_us: 0,
            ticks_us: 0,
        };
        let mut calls = Vec::new();
        for (key, value) in map(frame) {
            match (key.as_str(), value) {
                ("clock", Value::List(pair)) if pair.len() == 2 => {
                    clock = Clock {
                        unix_us: int(&pair[0]),
                        ticks_us: int(&pair[1]),
                    };
                }
                ("calls", Value::List(list)) => calls = list,
                _ => {}
            }
        }
        for call in calls {
            if let Err(problem) = self.call(&clock, call) {
                self.problems.push(problem);
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

    fn call(&mut self, clock: &Clock, call: Value) -> Result<(), String> {
        let Value::List(args) = call else {
            return Err(format!("a call is an array, got {}", call.type_name()));
        };
        let mut args = args.into_iter();
        let op = match args.next() {
            Some(Value::Str(op)) => op,
            _ => return Err("a call starts with its name".into()),
        };
        let mut next = || args.next().unwrap_or(Value::Null);
        let tracker = self.lifecycle.tracker().cloned();
        match (op.as_str(), tracker) {
            ("init", _) => {
                let (config, device) = (fields(next()), device(next()));
                if let Err(e) = self.lifecycle.init(&config, || device) {
                    return Err(format!("init: {e}"));
                }
            }
            ("enabled", _) => {
                let enabled = next() == Value::Bool(true);
                let device = DeviceInfo::default();
                self.lifecycle
                    .set_enabled(enabled, || device)
                    .map_err(|e| format!("set_enabled: {e}"))?;
            }
            ("shutdown", _) => self.leave(),
            (_, None) => {} // counted by the page as not_initialized
            ("log", Some(t)) => {
                let level = Level::from_tag(int(&next()) as u8).ok_or("log: unknown level")?;
                let time = clock.unix_nano(int(&next()));
                t.log_at(level, time, text(next()), fields(next()));
            }
            ("metric", Some(t)) => {
                let kind =
                    MetricKind::from_tag(int(&next()) as u8).ok_or("metric: unknown kind")?;
                let name = text(next());
                match next().as_f64() {
                    Some(value) => t.metric_with(kind, name, value, fields(next())),
                    None => t.reject_metric(),
                }
            }
            ("samples", Some(t)) => {
                let name = text(next());
                let Value::List(values) = next() else {
                    return Err("samples: no values".into());
                };
                let values: Vec<f64> = values.iter().filter_map(Value::as_f64).collect();
                t.histogram_samples(name, &values, fields(next()));
            }
            ("span_start", Some(t)) => {
                let time = clock.unix_nano(int(&next()));
                let (name, attributes) = (text(next()), fields(next()));
                let trace_id =
                    TraceId::from_hex(&text(next())).ok_or("span_start: bad trace id")?;
                let span_id = SpanId::from_hex(&text(next())).ok_or("span_start: bad span id")?;
                let parent = next().as_str().and_then(SpanId::from_hex);
                let span = t.start_span_at(name, attributes, (trace_id, span_id), parent, time);
                self.spans.insert(span_id, span);
            }
            ("span_end", Some(t)) => {
                let span_id = SpanId::from_hex(&text(next())).ok_or("span_end: bad span id")?;
                let Some(mut span) = self.spans.remove(&span_id) else {
                    return Err("span_end: no such span".into());
                };
                let time = clock.unix_nano(int(&next()));
                let status = SpanStatus::from_tag(int(&next()) as u8).unwrap_or(SpanStatus::Unset);
                let message = text(next());
                for (key, value) in fields(next()) {
                    span.set_attribute(&key, value);
                }
                t.end_span_at(&span, time, status, &message);
            }
            ("breadcrumb", Some(t)) => {
                let time = clock.unix_nano(int(&next()));
                t.add_breadcrumb_at(time, text(next()), text(next()), fields(next()));
            }
            ("user", Some(t)) => t.set_user(fields(next())),
            ("context", Some(t)) => t.set_context(text(next()), fields(next())),
            ("tag", Some(t)) => t.set_tag(text(next()), text(next())),
            ("scene", Some(t)) => t.set_scene(text(next())),
            ("paused", Some(t)) => t.set_paused(next() == Value::Bool(true)),
            ("flush", Some(t)) => t.flush(),
            (other, Some(_)) => return Err(format!("unknown call '{other}'")),
        }
        Ok(())
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

fn int(value: &Value) -> i64 {
    value.as_f64().unwrap_or(0.0) as i64
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
