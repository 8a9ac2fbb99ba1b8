//! The API the game calls, on its main thread. A call appends one record to
//! a staging buffer ([`crate::handover::record`]): no allocation in the steady state,
//! no lock, no atomic, no I/O. The engine layer calls [`Tracker::handover`]
//! once per frame; that, a full buffer, or a flush hands the buffer to the
//! worker through [`crate::handover::queue`], which bounds it by `queue_capacity`
//! events and `max_queue_bytes`. A buffer that would pass either bound is
//! dropped and its events counted as `queue_full`. With frame delivery the
//! once-per-frame hand-over also runs the worker's slice
//! ([`crate::api::worker_handle`]).

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{self, Instant};

use crossbeam_channel::{bounded, Receiver, Sender};
use rand::rngs::SmallRng;
use rand::SeedableRng;

use crate::api::worker_handle::{AfterSlice, WorkerHandle, FRAME_SLICE};
use crate::config::{Config, Delivery, DEFAULT_QUIT_TIMEOUT};
use crate::delivery::worker::{Control, TrackerLink, Worker, DIAGNOSTICS_CAPACITY};
use crate::handover::queue::{self, Chunk, Outlet, Refused, CHUNK_BYTES, CHUNK_CAPACITY};
use crate::handover::record::{self, SpanHeader, ValueWriter, WriteText, WriteValue};
use crate::model::event::{now_unix_nano, Level, MetricKind, Scope, SpanId, SpanStatus, TraceId};
use crate::model::session::{DeviceInfo, Session};
use crate::model::value::{Fields, Value};
use crate::stats::{DropReason, Signal, SignalStats, Stats};
use crate::transport::http_target::MakePolledHttp;

pub use crate::handover::queue::QueueFill;

/// Longest `disable` waits for the worker to stop; it sends nothing, so it
/// stops at once unless something is badly wrong.
const DISABLE_WAIT: Duration = Duration::from_secs(1);
/// How often `flush_and_wait` and quitting look whether a worker that
/// panicked has finished, to count what it held (see `reap_worker`).
const REAP_POLL: Duration = Duration::from_millis(1);
/// Pending `flush()` requests beyond this are redundant and ignored.
const CONTROL_CAPACITY: usize = 16;
/// A span's name and start attributes usually fit in this many bytes: one
/// allocation instead of a few growing ones.
const SPAN_BODY_CAPACITY: usize = 64;
/// The main thread's side of the queue.
struct Staging {
    buf: Vec<u8>,
    events: [u64; 3],
    /// The user context as set so far; written into the buffer as a record
    /// each time it changes.
    scope: Scope,
}

pub struct Tracker {
    staging: RefCell<Staging>,
    /// The clock as first read since the last hand-over (0: not read yet).
    /// Metric updates take their time from it: it only dates a new series'
    /// creation (in ms), and a frame may hold hundreds of updates at about
    /// 30 ns a clock read. Logs and spans read the clock themselves.
    frame_clock: Cell<u64>,
    /// While on (`set_tap`), a copy of every record handed to the worker,
    /// for the editor's debugger; bounded by `MAX_TAP_BYTES`.
    tap: RefCell<Option<Tap>>,
    /// The main thread's end of the queue to the worker.
    queue: Outlet,
    /// Staged events hand themselves over at this many (`queue_capacity`).
    queue_capacity: usize,
    stats: Arc<Stats>,
    control: Sender<Control>,
    diagnostics: Receiver<String>,
    session: Session,
    /// `None` once stopped, or once a worker that panicked was reaped.
    worker: RefCell<Option<WorkerHandle>>,
    /// Set once stopped: later calls are counted as dropped for this reason.
    closed: Cell<Option<DropReason>>,
    /// Span ids: unique, not secret, so a fast generator seeded from the OS
    /// (the thread-local CSPRNG cost more than the rest of `start_span`).
    ids: RefCell<SmallRng>,
    /// Each span's start is told to the worker too (`capture_hitches`): a
    /// hitch names the spans open in its frame.
    note_span_starts: bool,
}

/// A started span: ids, start time, and its name and attributes already in
/// record form. [`Tracker::end_span`] finishes and enqueues it.
#[derive(Debug, Clone)]
pub struct OpenSpan {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    pub parent_span_id: Option<SpanId>,
    /// Wall clock at start (docs/protocols.md#time); the duration comes from `started`.
    start_time_unix_nano: u64,
    started: Instant,
    /// Name and attributes given at start.
    body: Vec<u8>,
    /// `(key, value)` pairs from `set_attribute`, and how many.
    later: Vec<u8>,
    later_count: u32,
}

impl OpenSpan {
    /// Adds or replaces an attribute.
    pub fn set_attribute(&mut self, key: &str, value: impl WriteValue) {
        let mut w = ValueWriter::new(&mut self.later);
        w.key(key);
        value.write_value(&mut w);
        self.later_count += 1;
    }
}

impl Tracker {
    /// Starts the worker and sender threads (frame delivery: none; the
    /// worker runs in [`Tracker::handover`]).
    pub fn start(config: Config, device: DeviceInfo) -> std::io::Result<Tracker> {
        Tracker::start_with_http(config, device, None)
    }

    /// [`Tracker::start`], with frame delivery's requests made by
    /// `polled_http` (the engine's HTTP client) instead of the core's own.
    pub fn start_with_http(
        config: Config,
        device: DeviceInfo,
        polled_http: Option<MakePolledHttp>,
    ) -> std::io::Result<Tracker> {
        let session = Session::new(
            &config.game,
            &config.version,
            &config.environment,
            device,
            &config.session_label,
        );
        let stats = Arc::new(Stats::default());
        let queue_capacity = config.queue_capacity;
        let (queue, intake) = queue::open(queue_capacity, config.max_queue_bytes);
        // Drawn once: a session is sampled whole or not at all.
        let sampled = config.sample_rate >= 1.0 || rand::random::<f64>() < config.sample_rate;
        let (control, control_rx) = bounded(CONTROL_CAPACITY);
        let (diag_tx, diagnostics) = bounded(DIAGNOSTICS_CAPACITY);
        let inline = config.delivery == Delivery::Frame;
        let note_span_starts = config.hitches.capture;
        let (worker, report) = Worker::new(
            config,
            session.clone(),
            sampled,
            stats.clone(),
            TrackerLink {
                intake,
                control: control_rx,
                diagnostics: diag_tx,
            },
            polled_http,
        )?;
        let worker = WorkerHandle::start(worker, report, inline)?;
        Ok(Tracker {
            staging: RefCell::new(Staging {
                buf: Vec::with_capacity(CHUNK_CAPACITY),
                events: [0; 3],
                scope: Scope::default(),
            }),
            frame_clock: Cell::new(0),
            tap: RefCell::new(None),
            queue,
            queue_capacity,
            stats,
            control,
            diagnostics,
            session,
            worker: RefCell::new(Some(worker)),
            // An unsampled session counts its calls and sends nothing.
            closed: Cell::new((!sampled).then_some(DropReason::Unsampled)),
            ids: RefCell::new(SmallRng::from_rng(&mut rand::rng())),
            note_span_starts,
        })
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// One log record; `message` and `data` are written straight into the
    /// staging buffer (the engine layer passes its own value types).
    pub fn log_with(&self, level: Level, message: impl WriteText, data: impl WriteValue) {
        self.log_at(level, now_unix_nano(), message, data);
    }

    /// [`Tracker::log_with`] at a time the caller read: the Web worker
    /// replays the page's calls a frame after they were made.
    pub fn log_at(
        &self,
        level: Level,
        time_unix_nano: u64,
        message: impl WriteText,
        data: impl WriteValue,
    ) {
        self.append(Signal::Logs, |buf| {
            record::write_log(buf, level, time_unix_nano, message, data)
        });
    }

    /// One metric update; names and labels are checked by the worker.
    pub fn metric_with(
        &self,
        kind: MetricKind,
        name: impl WriteText,
        value: f64,
        labels: impl WriteValue,
    ) {
        self.append(Signal::Metrics, |buf| {
            record::write_metric(buf, kind, self.frame_now(), name, value, labels)
        });
    }

    /// Histogram observations gathered over a while (the vitals' frame
    /// times), as one update; nothing when `values` is empty.
    pub fn histogram_samples(&self, name: impl WriteText, values: &[f64], labels: impl WriteValue) {
        if values.is_empty() {
            return;
        }
        self.append(Signal::Metrics, |buf| {
            record::write_histogram_samples(buf, self.frame_now(), name, values, labels)
        });
    }

    /// `parent` is the parent's (trace id, span id); a root span starts a trace.
    pub fn start_span(
        &self,
        name: impl WriteText,
        attributes: impl WriteValue,
        parent: Option<(TraceId, SpanId)>,
    ) -> OpenSpan {
        let ids = {
            let mut rng = self.ids.borrow_mut();
            (
                parent
                    .map(|p| p.0)
                    .unwrap_or_else(|| TraceId::random_from(&mut *rng)),
                SpanId::random_from(&mut *rng),
            )
        };
        // Both clocks read together: the duration is measured from `started`.
        let (start_time_unix_nano, started) = (now_unix_nano(), Instant::now());
        self.open_span(
            name,
            attributes,
            ids,
            parent.map(|p| p.1),
            start_time_unix_nano,
            started,
        )
    }

    /// A span whose ids and start the caller chose: the Web page gives each
    /// span its ids when the game starts it (a game may read them at once)
    /// and the worker replays the start a frame later. End it with
    /// [`Tracker::end_span_at`].
    pub fn start_span_at(
        &self,
        name: impl WriteText,
        attributes: impl WriteValue,
        ids: (TraceId, SpanId),
        parent_span_id: Option<SpanId>,
        start_time_unix_nano: u64,
    ) -> OpenSpan {
        let started = Instant::now();
        self.open_span(
            name,
            attributes,
            ids,
            parent_span_id,
            start_time_unix_nano,
            started,
        )
    }

    /// The started span, its name and attributes in record form; with
    /// `capture_hitches` the worker is told it started.
    fn open_span(
        &self,
        name: impl WriteText,
        attributes: impl WriteValue,
        ids: (TraceId, SpanId),
        parent_span_id: Option<SpanId>,
        start_time_unix_nano: u64,
        started: Instant,
    ) -> OpenSpan {
        let mut body = Vec::with_capacity(SPAN_BODY_CAPACITY);
        let mut w = ValueWriter::new(&mut body);
        name.write_text(&mut w);
        let name_end = body.len();
        if self.note_span_starts {
            self.note(|buf| {
                record::write_span_started(
                    buf,
                    start_time_unix_nano,
                    ids.0,
                    ids.1,
                    &body[..name_end],
                )
            });
        }
        attributes.write_value(&mut ValueWriter::new(&mut body));
        OpenSpan {
            trace_id: ids.0,
            span_id: ids.1,
            parent_span_id,
            start_time_unix_nano,
            started,
            body,
            later: Vec::new(),
            later_count: 0,
        }
    }

    /// Finishes a span and enqueues it. Spans carry the user context as it
    /// is when they end.
    pub fn end_span(&self, span: &OpenSpan, status: SpanStatus, status_message: &str) {
        let duration = span.started.elapsed().as_nanos() as u64;
        self.end_span_at(
            span,
            span.start_time_unix_nano + duration,
            status,
            status_message,
        );
    }

    /// [`Tracker::end_span`] at a time the caller read (never before its start).
    pub fn end_span_at(
        &self,
        span: &OpenSpan,
        end_time_unix_nano: u64,
        status: SpanStatus,
        status_message: &str,
    ) {
        let header = SpanHeader {
            trace_id: span.trace_id,
            span_id: span.span_id,
            parent: span.parent_span_id,
            start_time_unix_nano: span.start_time_unix_nano,
            end_time_unix_nano: end_time_unix_nano.max(span.start_time_unix_nano),
            status,
            status_message,
        };
        self.append(Signal::Traces, |buf| {
            record::write_span(buf, &header, &span.body, span.later_count, &span.later)
        });
    }

    /// A breadcrumb: kept by the worker (the last `breadcrumbs` of them) and
    /// sent with the next error-level log and with a crash report, not alone.
    pub fn add_breadcrumb_with(
        &self,
        category: impl WriteText,
        message: impl WriteText,
        data: impl WriteValue,
    ) {
        self.add_breadcrumb_at(now_unix_nano(), category, message, data);
    }

    /// [`Tracker::add_breadcrumb_with`] at a time the caller read.
    pub fn add_breadcrumb_at(
        &self,
        time_unix_nano: u64,
        category: impl WriteText,
        message: impl WriteText,
        data: impl WriteValue,
    ) {
        self.note(|buf| record::write_breadcrumb(buf, time_unix_nano, category, message, data));
    }

    /// The current scene, for breadcrumbs, the vitals' labels and a crash report.
    pub fn set_scene(&self, name: impl WriteText) {
        self.note(|buf| record::write_scene(buf, now_unix_nano(), name));
    }

    /// The frame from `started` to `ended` (read where the engine layer
    /// times its frames) took longer than `threshold`: the worker makes it a
    /// hitch with what ran in it (`crate::hitches`), matching records to
    /// the frame by their time. `monitors`: the engine's, by name.
    pub fn hitch(
        &self,
        started: Instant,
        ended: Instant,
        threshold: Duration,
        monitors: &[(&str, f64)],
    ) {
        let end_unix_nano = now_unix_nano().saturating_sub(ended.elapsed().as_nanos() as u64);
        let duration = ended.saturating_duration_since(started);
        self.hitch_at(end_unix_nano, duration, threshold, monitors);
    }

    /// [`Tracker::hitch`] for a frame that ended at `end_unix_nano` (wall
    /// clock) and lasted `duration`: the Web worker replays the page's
    /// frames after they ran.
    pub fn hitch_at(
        &self,
        end_unix_nano: u64,
        duration: Duration,
        threshold: Duration,
        monitors: &[(&str, f64)],
    ) {
        self.note(|buf| {
            record::write_hitch(
                buf,
                end_unix_nano,
                duration.as_nanos() as u64,
                threshold.as_nanos() as u64,
                monitors,
            )
        });
    }

    /// The app was sent to the background (or came back): a session that
    /// dies while paused was killed by the OS, not crashed.
    pub fn set_paused(&self, paused: bool) {
        self.note(|buf| record::write_paused(buf, now_unix_nano(), paused));
    }

    pub fn set_user(&self, user: Fields) {
        self.change_scope(|scope| scope.user = user);
    }

    /// Replaces one named context section; an empty section removes it.
    pub fn set_context(&self, name: String, fields: Fields) {
        self.change_scope(|scope| {
            scope.contexts.retain(|(n, _)| *n != name);
            if !fields.is_empty() {
                scope.contexts.push((name, Value::Map(fields)));
            }
        });
    }

    /// Sets one tag; an empty value removes it.
    pub fn set_tag(&self, key: String, value: String) {
        let current = self
            .staging
            .borrow()
            .scope
            .tags
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v == &value);
        if current.unwrap_or(value.is_empty()) {
            return; // unchanged: nothing to tell the worker
        }
        self.change_scope(|scope| {
            scope.tags.retain(|(k, _)| *k != key);
            if !value.is_empty() {
                scope.tags.push((key, value));
            }
        });
    }

    /// Reads the current tags without copying them.
    pub fn with_tags<R>(&self, f: impl FnOnce(&[(String, String)]) -> R) -> R {
        f(&self.staging.borrow().scope.tags)
    }

    /// The engine layer calls this once per frame: hands what the main
    /// thread staged to the worker and, with frame delivery, runs the
    /// worker's slice (at most about [`FRAME_SLICE`]).
    pub fn handover(&self) {
        self.handover_with(FRAME_SLICE);
    }

    /// [`Tracker::handover`] with a slice of about `budget`: where the
    /// worker runs on a thread of its own that is not the game's (the Web
    /// worker), a slice may take longer than a frame's share.
    pub fn handover_with(&self, budget: Duration) {
        self.hand_over_staged();
        self.run_slice(budget);
    }

    /// Frame delivery: one slice of the worker, on this thread.
    fn run_slice(&self, budget: Duration) {
        let after = match self.worker.borrow_mut().as_mut() {
            Some(worker) => worker.step(budget),
            None => return,
        };
        self.after_slice(after);
    }

    /// An inline worker that ended is let go; one that panicked also has
    /// what it held counted (`thread_panicked`).
    fn after_slice(&self, after: AfterSlice) {
        match after {
            AfterSlice::Running => {}
            AfterSlice::Ended => drop(self.worker.borrow_mut().take()),
            AfterSlice::Panicked => {
                drop(self.worker.borrow_mut().take());
                self.count_lost_worker([0; 3]);
            }
        }
    }

    /// Hands what the main thread staged to the worker: once per frame,
    /// and on a flush or a full buffer.
    fn hand_over_staged(&self) {
        self.frame_clock.set(0);
        let mut staging = self.staging.borrow_mut();
        if staging.buf.is_empty() {
            return;
        }
        let events = std::mem::take(&mut staging.events);
        let total: u64 = events.iter().sum();
        if let Some(tap) = self.tap.borrow_mut().as_mut() {
            if tap.bytes.len() + staging.buf.len() <= MAX_TAP_BYTES {
                tap.bytes.extend_from_slice(&staging.buf);
            } else {
                tap.overflow += total;
            }
        }
        for signal in Signal::ALL {
            self.stats.produced(signal, events[signal.index()]);
        }
        let bytes = std::mem::replace(&mut staging.buf, self.queue.fresh_buffer());
        self.stats.queued(events);
        if let Err(refused) = self.queue.send(Chunk { bytes, events }) {
            self.stats.unqueued(events);
            let reason = match refused {
                Refused::Full => DropReason::QueueFull,
                Refused::Closed => self.worker_lost(events),
            };
            for signal in Signal::ALL {
                self.stats.dropped(signal, reason, events[signal.index()]);
            }
            // The lost buffer may have held context changes: restate the context.
            let Staging { buf, scope, .. } = &mut *staging;
            record::write_scope(buf, scope);
        }
    }

    /// Frame delivery: the requests this session would still send if it
    /// ended now, each within `budget` bytes of body, the newest events
    /// first to stay (`Pipeline::farewell`); nothing changes. The Web page
    /// keeps them to send itself as it goes. Empty with thread delivery.
    pub fn farewell(&self, budget: usize) -> Vec<(Signal, crate::encode::Payload)> {
        self.worker
            .borrow()
            .as_ref()
            .map_or_else(Vec::new, |w| w.farewell(budget))
    }

    /// Asks the worker to send everything now; returns at once.
    pub fn flush(&self) {
        self.hand_over_staged();
        let _ = self.control.try_send(Control::Flush { done: None });
    }

    /// Asks the worker to write the local store's rows from `since_unix_us`
    /// on into a new file at `to`; returns at once (false if the request
    /// could not be queued). The worker takes requests in order, so a
    /// `flush_and_wait` after this returns once the file is written; the
    /// outcome is in `store_stats().last_export`.
    pub fn export_local(&self, to: std::path::PathBuf, since_unix_us: i64) -> bool {
        self.hand_over_staged();
        self.control
            .try_send(Control::ExportLocal {
                to,
                since_us: since_unix_us,
            })
            .is_ok()
    }

    /// Sends everything and waits until each request was answered, at most
    /// `timeout`. Blocks: for loading screens and quitting, not gameplay.
    pub fn flush_and_wait(&self, timeout: Duration) -> bool {
        self.hand_over_staged();
        let deadline = Instant::now() + timeout;
        let (done, answered) = bounded(1);
        let answered = self
            .control
            .send_timeout(Control::Flush { done: Some(done) }, clock::until(deadline))
            .is_ok()
            && self.wait_for(&answered, deadline);
        if !answered {
            // A worker that panicked drops the request unanswered: count
            // what it held now rather than leave it pending.
            self.reap_worker([0; 3], deadline);
        }
        answered
    }

    /// Flushes, waits at most `timeout`, counts what is left as dropped at
    /// shutdown and stops the worker. Later calls are counted as dropped.
    pub fn shutdown(&self, timeout: Duration) {
        if self.worker.borrow().is_none() {
            return;
        }
        self.hand_over_staged();
        self.stop(timeout, DropReason::Shutdown);
    }

    /// Player consent withdrawn: nothing more is sent. Staged, queued and
    /// batched events are dropped and counted as `disabled`, the worker
    /// stops, and later calls are counted the same way. (A request already
    /// on the wire may still arrive.)
    pub fn disable(&self) {
        if self.worker.borrow().is_none() {
            return;
        }
        let mut staging = self.staging.borrow_mut();
        let staged = std::mem::take(&mut staging.events);
        staging.buf.clear();
        drop(staging);
        for signal in Signal::ALL {
            self.stats.produced(signal, staged[signal.index()]);
            self.stats
                .dropped(signal, DropReason::Disabled, staged[signal.index()]);
        }
        self.stop(DISABLE_WAIT, DropReason::Disabled);
    }

    /// False when `sample_rate` left this session out.
    pub fn is_sampled(&self) -> bool {
        self.closed.get() != Some(DropReason::Unsampled)
    }

    /// True after `disable`.
    pub fn is_disabled(&self) -> bool {
        self.closed.get() == Some(DropReason::Disabled)
    }

    fn stop(&self, timeout: Duration, reason: DropReason) {
        if self.worker.borrow().is_none() {
            return;
        }
        self.closed.set(Some(reason));
        let deadline = Instant::now() + timeout;
        let (done, finished) = bounded(1);
        let stopped = self
            .control
            .send_timeout(
                Control::Shutdown {
                    deadline,
                    done,
                    reason,
                },
                clock::until(deadline),
            )
            .is_ok()
            && self.wait_for(&finished, deadline + Duration::from_millis(100));
        if !stopped {
            // A worker that panicked never answers: count what it held.
            self.reap_worker([0; 3], deadline);
        }
        let worker = self.worker.borrow_mut().take();
        if let (true, Some(worker)) = (stopped, worker) {
            worker.join();
        }
        // Otherwise the worker is left to finish on its own: exit never hangs.
    }

    /// Waits for `answer` until `deadline`, running an inline worker
    /// meanwhile (see [`WorkerHandle::wait_for`]).
    fn wait_for<T>(&self, answer: &Receiver<T>, deadline: Instant) -> bool {
        let mut ended = None;
        let answered = match self.worker.borrow_mut().as_mut() {
            Some(worker) => worker.wait_for(answer, deadline, &mut ended),
            None => answer.try_recv().is_ok(),
        };
        if let Some(after) = ended {
            self.after_slice(after);
        }
        answered
    }

    /// The worker's end of the queue is gone, yet the worker was never
    /// asked to stop: it panicked. Returns the reason for the refused
    /// events `in_hand`, which the caller counts.
    fn worker_lost(&self, in_hand: [u64; 3]) -> DropReason {
        if self.worker.borrow().is_none() {
            return DropReason::Shutdown;
        }
        self.reap_worker(in_hand, Instant::now());
        DropReason::ThreadPanicked
    }

    /// Once the worker's thread has ended unasked (a caught panic: see
    /// `worker.rs`), counts everything it held as `thread_panicked`, since
    /// no thread will count it now, and later calls the same way. Looks
    /// until `until` whether the thread has finished, and joins it only
    /// then: this never hangs. `in_hand`: events the caller counts itself.
    fn reap_worker(&self, in_hand: [u64; 3], until: Instant) {
        loop {
            match self.worker.borrow().as_ref().map(WorkerHandle::is_finished) {
                None => return, // stopped, or already reaped
                Some(true) => break,
                Some(false) if Instant::now() >= until => return,
                Some(false) => std::thread::sleep(REAP_POLL),
            }
        }
        if let Some(worker) = self.worker.borrow_mut().take() {
            // Finished: returns at once, and makes its last counts visible here.
            worker.join();
        }
        self.count_lost_worker(in_hand);
    }

    /// The worker is gone unasked: counts everything it held as
    /// `thread_panicked`, and later calls the same way.
    fn count_lost_worker(&self, in_hand: [u64; 3]) {
        if self.closed.get().is_none() {
            self.closed.set(Some(DropReason::ThreadPanicked));
        }
        // The worker and the main thread were the only ones counting
        // (senders do not), and the main thread is here: what is pending
        // now was the worker's, or on its way to it.
        for signal in Signal::ALL {
            let lost = self
                .stats
                .read(signal)
                .unaccounted()
                .saturating_sub(in_hand[signal.index()]);
            self.stats.dropped(signal, DropReason::ThreadPanicked, lost);
        }
        self.stats.worker_lost();
    }

    /// Counts a metric call the engine layer refused (bad name or value).
    pub fn reject_metric(&self) {
        self.stats.produced(Signal::Metrics, 1);
        self.stats.dropped(Signal::Metrics, DropReason::Invalid, 1);
    }

    /// Counters for one signal; events still staged count as produced and pending.
    pub fn stats(&self, signal: Signal) -> SignalStats {
        self.reap_worker([0; 3], Instant::now());
        let mut s = self.stats.snapshot(signal);
        let staged = self.staging.borrow().events[signal.index()];
        s.produced += staged;
        s.pending += staged;
        s
    }

    /// Panics caught on the tracker's threads (the worker, the senders);
    /// what they cost is counted as `thread_panicked`.
    pub fn thread_panics(&self) -> u64 {
        self.stats.thread_panics()
    }

    /// The local store's counters (its path is empty when there is none).
    pub fn store_stats(&self) -> crate::stats::StoreSnapshot {
        self.stats.store.snapshot()
    }

    /// Warnings from the worker, for the engine layer to print.
    pub fn take_diagnostics(&self, max: usize) -> Vec<String> {
        self.diagnostics.try_iter().take(max).collect()
    }

    /// How full the queue to the worker is: events and bytes handed over
    /// and not yet read, and the bounds (`queue_capacity`,
    /// `max_queue_bytes`) past which a frame's events are dropped.
    pub fn queue_fill(&self) -> QueueFill {
        self.queue.fill()
    }

    /// Keeps (or stops keeping) a copy of every record handed to the
    /// worker: what the editor's debugger shows while one is attached.
    pub fn set_tap(&self, on: bool) {
        *self.tap.borrow_mut() = on.then(Tap::default);
    }

    /// The records kept by the tap since the last call (with `staged`, also
    /// those not handed over yet: the last call, as the game quits), and
    /// how many events the tap could not keep. `record::read_events` reads them.
    pub fn take_tapped(&self, staged: bool) -> (Vec<u8>, u64) {
        let Some(mut tap) = self.tap.borrow_mut().as_mut().map(std::mem::take) else {
            return (Vec::new(), 0);
        };
        if staged {
            tap.bytes.extend_from_slice(&self.staging.borrow().buf);
        }
        (tap.bytes, tap.overflow)
    }

    /// The time for metric updates: one clock read per frame (see
    /// `frame_clock`).
    fn frame_now(&self) -> u64 {
        match self.frame_clock.get() {
            0 => {
                let now = now_unix_nano();
                self.frame_clock.set(now);
                now
            }
            read => read,
        }
    }

    /// Appends one event's record, handing the buffer over when it is full.
    fn append(&self, signal: Signal, write: impl FnOnce(&mut Vec<u8>)) {
        if let Some(reason) = self.closed.get() {
            self.stats.produced(signal, 1);
            self.stats.dropped(signal, reason, 1);
            return;
        }
        self.stage(Some(signal), write);
    }

    /// Writes one record into the staging buffer (an event of `signal`, or
    /// a note), handing the buffer over when it is full.
    fn stage(&self, signal: Option<Signal>, write: impl FnOnce(&mut Vec<u8>)) {
        let full = {
            let mut staging = self.staging.borrow_mut();
            write(&mut staging.buf);
            if let Some(signal) = signal {
                staging.events[signal.index()] += 1;
            }
            let staged: u64 = staging.events.iter().sum();
            staging.buf.len() >= CHUNK_BYTES || staged as usize >= self.queue_capacity
        };
        if full {
            self.hand_over_staged();
        }
    }

    /// Appends a note for the worker: not an event, so no signal counts it.
    fn note(&self, write: impl FnOnce(&mut Vec<u8>)) {
        if self.closed.get().is_none() {
            self.stage(None, write);
        }
    }

    fn change_scope(&self, change: impl FnOnce(&mut Scope)) {
        let mut staging = self.staging.borrow_mut();
        let Staging { buf, scope, .. } = &mut *staging;
        change(scope);
        record::write_scope(buf, scope);
    }
}

impl Drop for Tracker {
    fn drop(&mut self) {
        self.shutdown(DEFAULT_QUIT_TIMEOUT);
    }
}

/// Bytes the tap keeps between two reads at most (the editor reads every
/// frame; a frame rarely stages more than a few hundred KiB).
pub const MAX_TAP_BYTES: usize = 8 * 1024 * 1024;

/// What `set_tap` keeps: records as handed over, and the events it could
/// not keep.
#[derive(Default)]
struct Tap {
    bytes: Vec<u8>,
    overflow: u64,
}
