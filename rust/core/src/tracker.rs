//! The API the game calls, on its main thread. Every call builds one event,
//! stamps it, and `try_send`s it on a bounded channel: no lock, no I/O, no
//! encoding. A full channel drops the event and counts it.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Receiver, Sender, TrySendError};

use crate::config::Config;
use crate::event::{
    now_unix_nano, Event, Level, LogRecord, MetricKind, MetricUpdate, Scope, ScopeRef, SpanId,
    SpanRecord, SpanStatus, TraceId,
};
use crate::session::{DeviceInfo, Session};
use crate::stats::{DropReason, Signal, SignalStats, Stats};
use crate::value::{Fields, Value};
use crate::worker::{Control, Worker, DIAGNOSTICS_CAPACITY};

/// How long dropping a `Tracker` waits for the last batches at most.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(2);
/// Pending `flush()` requests beyond this are redundant and ignored.
const CONTROL_CAPACITY: usize = 16;

/// Cheap, clonable handle that enqueues events; spans keep one so `end()`
/// works without the tracker node.
#[derive(Clone)]
pub struct Emitter {
    tx: Sender<Event>,
    stats: Arc<Stats>,
}

impl Emitter {
    pub fn emit(&self, event: Event) {
        let signal = event.signal();
        self.stats.produced(signal);
        match self.tx.try_send(event) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => self.stats.dropped(signal, DropReason::QueueFull, 1),
            Err(TrySendError::Disconnected(_)) => self.stats.dropped(signal, DropReason::Shutdown, 1),
        }
    }
}

/// A started span: ids, start times and attributes. Becomes a `SpanRecord`
/// (and is enqueued) when finished.
#[derive(Debug, Clone)]
pub struct OpenSpan {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    pub parent_span_id: Option<SpanId>,
    pub name: String,
    pub attributes: Fields,
    /// Wall clock at start (ERRATA 4); the duration comes from `started`.
    pub start_time_unix_nano: u64,
    pub started: Instant,
    pub scope: ScopeRef,
}

impl OpenSpan {
    pub fn finish(self, status: SpanStatus, status_message: String) -> SpanRecord {
        let duration = self.started.elapsed().as_nanos() as u64;
        SpanRecord {
            trace_id: self.trace_id,
            span_id: self.span_id,
            parent_span_id: self.parent_span_id,
            name: self.name,
            start_time_unix_nano: self.start_time_unix_nano,
            end_time_unix_nano: self.start_time_unix_nano + duration,
            attributes: self.attributes,
            status,
            status_message,
            scope: self.scope,
        }
    }
}

pub struct Tracker {
    emitter: Emitter,
    control: Sender<Control>,
    diagnostics: Receiver<String>,
    scope: ScopeRef,
    session: Session,
    worker: Option<JoinHandle<()>>,
}

impl Tracker {
    /// Starts the worker and sender threads.
    pub fn start(config: Config, device: DeviceInfo) -> std::io::Result<Tracker> {
        let session = Session::new(&config.game, &config.version, &config.environment, device);
        let stats = Arc::new(Stats::default());
        let (tx, events) = bounded(config.queue_capacity);
        let (control, control_rx) = bounded(CONTROL_CAPACITY);
        let (diag_tx, diagnostics) = bounded(DIAGNOSTICS_CAPACITY);
        let worker = Worker::spawn(config, session.clone(), stats.clone(), events, control_rx, diag_tx)?;
        Ok(Tracker {
            emitter: Emitter { tx, stats },
            control,
            diagnostics,
            scope: Arc::new(Scope::default()),
            session,
            worker: Some(worker),
        })
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn emitter(&self) -> Emitter {
        self.emitter.clone()
    }

    pub fn log(&self, level: Level, message: String, data: Fields) {
        self.emitter.emit(Event::Log(LogRecord {
            time_unix_nano: now_unix_nano(),
            level,
            message,
            data,
            scope: self.scope.clone(),
        }));
    }

    pub fn metric(&self, kind: MetricKind, name: String, value: f64, labels: Vec<(String, String)>) {
        self.emitter.emit(Event::Metric(MetricUpdate {
            time_unix_nano: now_unix_nano(),
            kind,
            name,
            value,
            labels,
        }));
    }

    /// `parent` is the parent's (trace id, span id); a root span starts a trace.
    pub fn start_span(&self, name: String, attributes: Fields, parent: Option<(TraceId, SpanId)>) -> OpenSpan {
        OpenSpan {
            trace_id: parent.map(|p| p.0).unwrap_or_else(TraceId::random),
            span_id: SpanId::random(),
            parent_span_id: parent.map(|p| p.1),
            name,
            attributes,
            start_time_unix_nano: now_unix_nano(),
            started: Instant::now(),
            scope: self.scope.clone(),
        }
    }

    pub fn set_user(&mut self, user: Fields) {
        Arc::make_mut(&mut self.scope).user = user;
    }

    /// Replaces one named context section; an empty section removes it.
    pub fn set_context(&mut self, name: String, fields: Fields) {
        let contexts = &mut Arc::make_mut(&mut self.scope).contexts;
        contexts.retain(|(n, _)| *n != name);
        if !fields.is_empty() {
            contexts.push((name, Value::Map(fields)));
        }
    }

    /// Sets one tag; an empty value removes it.
    pub fn set_tag(&mut self, key: String, value: String) {
        let tags = &mut Arc::make_mut(&mut self.scope).tags;
        tags.retain(|(k, _)| *k != key);
        if !value.is_empty() {
            tags.push((key, value));
        }
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Asks the worker to send everything now; returns at once.
    pub fn flush(&self) {
        let _ = self.control.try_send(Control::Flush { done: None });
    }

    /// Sends everything and waits until each request was answered, at most
    /// `timeout`. Blocks: for loading screens and quitting, not gameplay.
    pub fn flush_and_wait(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let (done, answered) = bounded(1);
        if self.control.send_deadline(Control::Flush { done: Some(done) }, deadline).is_err() {
            return false;
        }
        answered.recv_deadline(deadline).is_ok()
    }

    /// Flushes, waits at most `timeout`, counts what is left as dropped at
    /// shutdown and stops the worker. Later calls are counted as dropped.
    pub fn shutdown(&mut self, timeout: Duration) {
        let Some(worker) = self.worker.take() else { return };
        let deadline = Instant::now() + timeout;
        let (done, finished) = bounded(1);
        if self.control.send_deadline(Control::Shutdown { deadline, done }, deadline).is_ok()
            && finished.recv_deadline(deadline + Duration::from_millis(100)).is_ok()
        {
            let _ = worker.join();
        }
        // Otherwise the worker is left to finish on its own: exit never hangs.
    }

    /// Counts a metric call the engine layer refused (bad name or value).
    pub fn reject_metric(&self) {
        self.emitter.stats.produced(Signal::Metrics);
        self.emitter.stats.dropped(Signal::Metrics, DropReason::Invalid, 1);
    }

    pub fn stats(&self, signal: Signal) -> SignalStats {
        self.emitter.stats.snapshot(signal)
    }

    /// Warnings from the worker, for the engine layer to print.
    pub fn take_diagnostics(&self, max: usize) -> Vec<String> {
        self.diagnostics.try_iter().take(max).collect()
    }
}

impl Drop for Tracker {
    fn drop(&mut self) {
        self.shutdown(DEFAULT_SHUTDOWN_TIMEOUT);
    }
}

/// Used by the engine layer to turn label dictionaries into strings.
pub fn labels_from_fields(fields: Fields) -> Vec<(String, String)> {
    fields.into_iter().map(|(k, v)| (k, Value::to_label_string(&v))).collect()
}
