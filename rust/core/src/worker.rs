//! The worker thread: batches events per signal, aggregates metrics, encodes,
//! and hands one payload at a time per signal to that signal's sender thread.
//! It never does I/O itself, so a slow receiver fills a bounded backlog
//! (counted when it overflows) instead of stalling the game's queue.

use std::collections::VecDeque;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, never, select, unbounded, Receiver, Sender};

use crate::config::Config;
use crate::encode::{self, Payload, Protocol};
use crate::event::{Event, LogRecord, ScopeRef, SpanRecord};
use crate::jsonl::JsonlSink;
use crate::metric_check::MetricCheck;
use crate::metrics::Aggregator;
use crate::record::Reader;
use crate::retry;
use crate::session::Session;
use crate::spool::{self, Spool, SpoolError};
use crate::stats::{DropReason, Signal, Stats};
use crate::queue::{Chunk, Queued, CHUNK_CAPACITY};
use crate::transport::{FileTransport, HttpTransport, Outcome, Transport};

/// A batch also closes at this many bytes of log text, so a few huge lines
/// cannot build a request that receivers refuse for its size.
pub const MAX_BATCH_BYTES: usize = 1024 * 1024;
/// Unchanged metrics are re-sent this often so Prometheus (5 min lookback)
/// never marks a live session's series stale.
pub const METRICS_REFRESH_INTERVAL: Duration = Duration::from_secs(60);
/// Warnings waiting for the engine layer to print them; more are dropped.
pub const DIAGNOSTICS_CAPACITY: usize = 64;
/// While the game is handing over events, the worker looks for them this
/// often instead of waiting on the queue. A waiting worker is woken by the
/// game's hand-over itself, inside the frame, and on a busy machine the
/// woken thread can take the game's core for a millisecond (measured in the
/// frame benchmark). 10 ms of delay is nothing for telemetry.
pub const CHUNK_POLL_INTERVAL: Duration = Duration::from_millis(10);
/// After this long without a hand-over (a paused or idle game) the worker
/// waits on the queue again, so an idle game costs no periodic wake-ups.
pub const POLL_IDLE_AFTER: Duration = Duration::from_secs(1);

pub(crate) enum Control {
    /// Close every batch now; `done` is signalled when all were answered.
    Flush { done: Option<Sender<()>> },
    /// Flush, wait for answers until `deadline`, count the rest as
    /// `reason`, and exit. With `DropReason::Disabled` nothing more is sent.
    Shutdown { deadline: Instant, done: Sender<()>, reason: DropReason },
}

struct JobResult {
    signal: Signal,
    outcome: Outcome,
    /// Handed back so a failed request can be sent again without a copy.
    payload: Payload,
}

struct Batch {
    payload: Payload,
    events: u64,
    /// When the batch was closed (or read back from the spool); retries
    /// stop at `max_retry_age`.
    created: Instant,
    /// Set when the batch came from the spool: its file is deleted once the
    /// receiver answered, and kept when this launch gives up on it.
    spooled: Option<spool::Entry>,
}

struct InFlight {
    events: u64,
    bytes: u64,
    created: Instant,
    /// Metrics only: series whose 0 sample is in this request.
    announcing: Vec<usize>,
    spooled: Option<spool::Entry>,
    /// With a spool, a copy of the body, so a request still unanswered at
    /// quit can be spooled (the sender thread holds the original).
    copy: Option<Payload>,
}

struct Lane {
    signal: Signal,
    /// `None` when the signal has no destination configured.
    jobs: Option<Sender<Payload>>,
    in_flight: Option<InFlight>,
    backlog: VecDeque<Batch>,
    backlog_bytes: usize,
    last_warned: String,
    /// Failed attempts in a row; the next waits `retry::backoff(failures)`.
    failures: u32,
    /// No request before this (backoff or Retry-After).
    not_before: Option<Instant>,
    /// Batches an earlier launch spooled, oldest first, not yet read.
    replay: VecDeque<spool::Entry>,
}

impl Lane {
    /// Idle and not waiting out a backoff (which shutdown skips).
    fn may_send(&self, now: Instant, shutting_down: bool) -> bool {
        self.in_flight.is_none() && (shutting_down || self.not_before.is_none_or(|t| now >= t))
    }
}

pub(crate) struct Worker {
    config: Config,
    session: Session,
    stats: Arc<Stats>,
    chunks: Receiver<Chunk>,
    /// Emptied buffers go back to the main thread for reuse.
    recycle: Sender<Vec<u8>>,
    /// Events handed over by the main thread and not yet read here.
    queued: Arc<Queued>,
    /// The user context as of the last record read.
    scope: ScopeRef,
    control: Receiver<Control>,
    results: Receiver<JobResult>,
    /// Kept so `results` never disconnects when no sender thread exists.
    _results_tx: Sender<JobResult>,
    diagnostics: Sender<String>,
    logs: Vec<LogRecord>,
    log_bytes: usize,
    spans: Vec<SpanRecord>,
    /// Applied to every metric update before its destination is chosen.
    metric_check: MetricCheck,
    metrics: Aggregator,
    metrics_due: bool,
    metrics_last_sent: Instant,
    lanes: Vec<Lane>,
    waiters: Vec<Sender<()>>,
    /// Set by shutdown: one last attempt each, no backoff, no retries.
    shutting_down: bool,
    /// When the last hand-over arrived (see `CHUNK_POLL_INTERVAL`).
    last_chunk: Option<Instant>,
    spool: Option<Spool>,
    /// Where signals with no destination go, when configured.
    jsonl: Option<JsonlSink>,
}

impl Worker {
    pub(crate) fn spawn(
        config: Config,
        session: Session,
        stats: Arc<Stats>,
        (chunks, recycle, queued): (Receiver<Chunk>, Sender<Vec<u8>>, Arc<Queued>),
        control: Receiver<Control>,
        diagnostics: Sender<String>,
    ) -> std::io::Result<thread::JoinHandle<()>> {
        let (results_tx, results) = unbounded();
        let mut lanes = Vec::new();
        for signal in Signal::ALL {
            let transport: Option<Box<dyn Transport>> = match (config.url_for(signal), &config.output_dir) {
                (Some(url), _) => Some(Box::new(HttpTransport::new(
                    url.to_string(),
                    config.headers.clone(),
                    config.request_timeout,
                    config.speaks_otlp(signal),
                ))),
                (None, Some(dir)) => Some(Box::new(FileTransport::new(dir))),
                (None, None) => None,
            };
            let jobs = match transport {
                Some(t) => Some(spawn_sender(signal, t, results_tx.clone())?),
                None => None,
            };
            lanes.push(Lane {
                signal,
                jobs,
                in_flight: None,
                backlog: VecDeque::new(),
                backlog_bytes: 0,
                last_warned: String::new(),
                failures: 0,
                not_before: None,
                replay: VecDeque::new(),
            });
        }
        let spool = match config.spool_dir() {
            Some(dir) => match Spool::open(dir, config.max_spool_bytes) {
                Ok((spool, entries)) => {
                    for entry in entries {
                        lanes[entry.signal.index()].replay.push_back(entry);
                    }
                    Some(spool)
                }
                Err(e) => {
                    let _ = diagnostics.try_send(format!("GameTracker: spool disabled, cannot use {dir}: {e}"));
                    None
                }
            },
            None => None,
        };
        let jsonl = match config.jsonl_dir.as_deref() {
            Some(dir) => match JsonlSink::open(dir, config.max_jsonl_bytes, &session) {
                Ok(sink) => Some(sink),
                Err(e) => {
                    let _ = diagnostics.try_send(format!("GameTracker: cannot write JSON lines to {dir}: {e}"));
                    None
                }
            },
            None => None,
        };
        let mut automatic = vec![
            ("game".to_string(), session.game.clone()),
            ("env".to_string(), session.environment.clone()),
            ("version".to_string(), session.version.clone()),
        ];
        if !config.session_label.is_empty() {
            automatic.push((config.session_label.clone(), session.session_id.clone()));
        }
        let metric_check = MetricCheck::new(automatic.iter().map(|(name, _)| name.as_str()));
        let metrics = Aggregator::new(config.histogram_buckets.clone(), config.max_series, automatic);
        let worker = Worker {
            config,
            session,
            stats,
            chunks,
            recycle,
            queued,
            scope: ScopeRef::default(),
            control,
            results,
            _results_tx: results_tx,
            diagnostics,
            logs: Vec::new(),
            log_bytes: 0,
            spans: Vec::new(),
            metric_check,
            metrics,
            metrics_due: false,
            metrics_last_sent: Instant::now(),
            lanes,
            waiters: Vec::new(),
            shutting_down: false,
            last_chunk: None,
            spool,
            jsonl,
        };
        thread::Builder::new().name("game_tracker_worker".into()).spawn(move || worker.run())
    }

    fn run(mut self) {
        let interval = self.config.flush_interval;
        let mut next_flush = Instant::now() + interval;
        // Batches spooled by an earlier launch start out at once.
        self.dispatch();
        let not_waiting = never();
        loop {
            let wake = self.lanes.iter().filter_map(|l| l.not_before).fold(next_flush, Instant::min);
            let mut timeout = wake.saturating_duration_since(Instant::now());
            let polling = self.last_chunk.is_some_and(|t| t.elapsed() < POLL_IDLE_AFTER);
            // While polling, the queue is not waited on, so a hand-over wakes nobody.
            let chunks = if polling {
                timeout = timeout.min(CHUNK_POLL_INTERVAL);
                &not_waiting
            } else {
                &self.chunks
            };
            select! {
                recv(chunks) -> msg => match msg {
                    Ok(chunk) => self.accept_chunk(chunk),
                    // Unreachable while the Tracker lives (it owns a sender).
                    Err(_) => return self.shutdown(Instant::now(), DropReason::Shutdown),
                },
                recv(self.control) -> msg => match msg {
                    Ok(Control::Flush { done }) => {
                        self.drain_events();
                        self.close_batches();
                        self.waiters.extend(done);
                        next_flush = Instant::now() + interval;
                    }
                    Ok(Control::Shutdown { deadline, done, reason }) => {
                        self.shutdown(deadline, reason);
                        let _ = done.send(());
                        return;
                    }
                    Err(_) => return self.shutdown(Instant::now(), DropReason::Shutdown),
                },
                recv(self.results) -> msg => {
                    if let Ok(result) = msg {
                        self.on_result(result);
                    }
                },
                default(timeout) => {},
            }
            if polling {
                self.drain_events();
            }
            if Instant::now() >= next_flush {
                self.close_batches();
                next_flush = Instant::now() + interval;
            }
            self.dispatch();
            self.notify_waiters();
            self.forward_metric_warnings();
            self.publish_buffered_bytes();
        }
    }

    fn publish_buffered_bytes(&self) {
        for lane in &self.lanes {
            let in_flight = lane.in_flight.as_ref().map_or(0, |f| f.bytes);
            self.stats.set_buffered_bytes(lane.signal, lane.backlog_bytes as u64 + in_flight);
        }
    }

    /// Reads one handed-over buffer's records and returns the buffer for reuse.
    fn accept_chunk(&mut self, chunk: Chunk) {
        self.last_chunk = Some(Instant::now());
        self.queued.sub(chunk.events.iter().sum::<u64>() as usize, chunk.bytes.len());
        let mut read = [0u64; 3];
        let mut reader = Reader::new(&chunk.bytes);
        while let Some(Ok(event)) = reader.next_event(&mut self.scope) {
            read[event.signal().index()] += 1;
            self.accept(event);
        }
        // Only a bug can leave records unread; they are counted, never hidden.
        for signal in Signal::ALL {
            let lost = chunk.events[signal.index()].saturating_sub(read[signal.index()]);
            if lost > 0 {
                self.stats.dropped(signal, DropReason::Invalid, lost);
                let _ = self.diagnostics.try_send(format!("GameTracker: {lost} {} records could not be read (bug)", signal.as_str()));
            }
        }
        let mut bytes = chunk.bytes;
        // An oversized buffer (a huge log line) is freed rather than kept.
        if bytes.capacity() <= CHUNK_CAPACITY {
            bytes.clear();
            let _ = self.recycle.try_send(bytes);
        }
    }

    /// Dropped by `min_level` or `drop_names`?
    fn filtered(&self, event: &Event) -> bool {
        let c = &self.config;
        if c.min_level == crate::event::Level::Debug && c.drop_names.is_empty() {
            return false;
        }
        match event {
            Event::Log(r) => r.level < c.min_level || c.drops_name(&r.message),
            Event::Span(s) => c.drops_name(&s.name),
            Event::Metric(m) => c.drops_name(&m.name),
        }
    }

    fn accept(&mut self, event: Event) {
        let signal = event.signal();
        if self.filtered(&event) {
            return self.stats.dropped(signal, DropReason::Filtered, 1);
        }
        // The same rules whichever destination the update goes to.
        let event = match event {
            Event::Metric(update) => match self.metric_check.check(update) {
                Ok(update) => Event::Metric(update),
                Err(reason) => return self.stats.dropped(signal, reason, 1),
            },
            other => other,
        };
        if self.lanes[signal.index()].jobs.is_none() {
            if let Some(sink) = self.jsonl.as_mut() {
                match sink.write(&event) {
                    Ok(bytes) => self.stats.sent(signal, 1, bytes),
                    Err(e) => {
                        self.stats.dropped(signal, DropReason::SendFailed, 1);
                        let message = format!("cannot write {}: {e}", sink.path().display());
                        self.report(signal, message);
                    }
                }
                return;
            }
        }
        match event {
            Event::Log(record) => {
                self.log_bytes += record.message.len() + 64;
                self.logs.push(record);
                if self.logs.len() >= self.config.batch_size || self.log_bytes >= MAX_BATCH_BYTES {
                    self.close_logs();
                }
            }
            Event::Span(span) => {
                self.spans.push(span);
                if self.spans.len() >= self.config.batch_size {
                    self.close_spans();
                }
            }
            Event::Metric(update) => {
                if let Err(reason) = self.metrics.record(&update) {
                    self.stats.dropped(Signal::Metrics, reason, 1);
                }
            }
        }
    }

    fn drain_events(&mut self) {
        while let Ok(chunk) = self.chunks.try_recv() {
            self.accept_chunk(chunk);
        }
    }

    fn close_batches(&mut self) {
        if let Some(sink) = self.jsonl.as_mut() {
            let _ = sink.flush();
        }
        self.close_logs();
        self.close_spans();
        let changed = self.metrics.pending_updates() > 0;
        let refresh = self.metrics.series_count() > 0 && self.metrics_last_sent.elapsed() >= METRICS_REFRESH_INTERVAL;
        if changed || refresh {
            // Built when the lane is free (see `dispatch`), so each snapshot
            // follows the previous one's answer.
            self.metrics_due = true;
        }
    }

    fn close_logs(&mut self) {
        if self.logs.is_empty() {
            return;
        }
        let logs = std::mem::take(&mut self.logs);
        self.log_bytes = 0;
        let payload = match self.config.protocol {
            Protocol::Native => encode::loki::encode(&logs, &self.session),
            Protocol::Otlp => encode::otlp_logs::encode(&logs, &self.session, self.config.otlp_encoding),
        };
        let payload = encode::compress(payload, self.config.compression);
        self.enqueue(Signal::Logs, payload, logs.len() as u64);
    }

    fn close_spans(&mut self) {
        if self.spans.is_empty() {
            return;
        }
        let spans = std::mem::take(&mut self.spans);
        let payload = encode::otlp::encode(&spans, &self.session, self.config.otlp_encoding);
        let payload = encode::compress(payload, self.config.compression);
        self.enqueue(Signal::Traces, payload, spans.len() as u64);
    }

    /// The metrics' running state as one request, with the updates it
    /// carries for the first time and (remote write only) the series whose
    /// 0 sample it announces. `None` when there are no series yet.
    fn metrics_batch(&mut self) -> Option<(Batch, Vec<usize>)> {
        let now = crate::event::now_unix_nano();
        let snapshot = self.metrics.snapshot((now / 1_000_000) as i64)?;
        let payload = match self.config.protocol {
            Protocol::Native => encode::remote_write::encode_snapshot(&snapshot),
            Protocol::Otlp => {
                let payload = encode::otlp_metrics::encode(&snapshot, &self.session, now, self.config.otlp_encoding);
                encode::compress(payload, self.config.compression)
            }
        };
        Some((Batch { payload, events: snapshot.updates, created: Instant::now(), spooled: None }, snapshot.announcing))
    }

    fn enqueue(&mut self, signal: Signal, payload: Payload, events: u64) {
        let lane = &mut self.lanes[signal.index()];
        if lane.jobs.is_none() {
            self.stats.dropped(signal, DropReason::NoDestination, events);
            return;
        }
        lane.backlog_bytes += payload.body.len();
        lane.backlog.push_back(Batch { payload, events, created: Instant::now(), spooled: None });
        self.trim_backlog(signal);
    }

    /// Gives up on the oldest batches past `max_backlog_bytes` (spooling
    /// them when there is a spool): the newest data is the most useful when
    /// catching up.
    fn trim_backlog(&mut self, signal: Signal) {
        loop {
            let lane = &mut self.lanes[signal.index()];
            if lane.backlog_bytes <= self.config.max_backlog_bytes || lane.backlog.len() <= 1 {
                return;
            }
            if let Some(old) = lane.backlog.pop_front() {
                lane.backlog_bytes -= old.payload.body.len();
                self.give_up(signal, old, DropReason::BacklogFull);
            }
        }
    }

    /// A batch this launch stops trying to send: written to the spool when
    /// there is one (left there if it came from it), else dropped for `reason`.
    fn give_up(&mut self, signal: Signal, batch: Batch, reason: DropReason) {
        let spool = match self.spool.as_mut() {
            Some(spool) if reason != DropReason::Disabled => spool,
            _ => return self.stats.dropped(signal, reason, batch.events),
        };
        if batch.spooled.is_some() {
            // Its file is still there for the next launch.
            return self.stats.spooled(signal, batch.events);
        }
        let created_unix_ms = now_unix_ms().saturating_sub(batch.created.elapsed().as_millis() as u64);
        match spool.write(signal, batch.events, created_unix_ms, &batch.payload) {
            Ok(()) => self.stats.spooled(signal, batch.events),
            Err(SpoolError::Full) => {
                self.stats.dropped(signal, DropReason::SpoolFull, batch.events);
                let message = format!("spool is full ({} bytes, max_spool_bytes)", spool.used_bytes());
                self.report(signal, message);
            }
            Err(SpoolError::Io(e)) => {
                self.stats.dropped(signal, reason, batch.events);
                let message = format!("cannot write to the spool {}: {e}", spool.dir().display());
                self.report(signal, message);
            }
        }
    }

    /// The next batch to send on a lane: a spooled batch waiting for a retry,
    /// then the spool (oldest first), then this launch's batches. Metrics
    /// have no batches of their own: their snapshots are built in `dispatch`.
    fn next_batch(&mut self, signal: Signal) -> Option<Batch> {
        let lane = &mut self.lanes[signal.index()];
        let retrying_spooled = lane.backlog.front().is_some_and(|b| b.spooled.is_some());
        // Quitting is no time to start on older launches' batches.
        if !retrying_spooled && !self.shutting_down {
            while let Some(entry) = lane.replay.pop_front() {
                let Some(spool) = self.spool.as_mut() else { break };
                self.stats.replayed(signal, entry.events);
                if entry.age(now_unix_ms()) > spool::max_replay_age(signal) {
                    spool.remove(&entry);
                    self.stats.dropped(signal, DropReason::TooOld, entry.events);
                    continue;
                }
                match spool.load(&entry) {
                    Ok(payload) => {
                        return Some(Batch { payload, events: entry.events, created: Instant::now(), spooled: Some(entry) })
                    }
                    Err(e) => {
                        spool.remove(&entry);
                        self.stats.dropped(signal, DropReason::Invalid, entry.events);
                        let _ = self.diagnostics.try_send(format!("GameTracker: unreadable spool file {}: {e}", entry.path.display()));
                    }
                }
            }
        }
        if signal == Signal::Metrics && !retrying_spooled {
            return None;
        }
        let batch = lane.backlog.pop_front()?;
        lane.backlog_bytes -= batch.payload.body.len();
        Some(batch)
    }

    /// Starts the next request on every idle lane.
    fn dispatch(&mut self) {
        let now = Instant::now();
        let metrics_lane = Signal::Metrics.index();
        if self.lanes[metrics_lane].jobs.is_some() && self.lanes[metrics_lane].may_send(now, self.shutting_down) {
            // Spooled snapshots go before this launch's.
            if let Some(batch) = self.next_batch(Signal::Metrics) {
                self.start(Signal::Metrics, batch, Vec::new());
            }
        }
        if self.metrics_due && self.lanes[metrics_lane].may_send(now, self.shutting_down) {
            self.metrics_due = false;
            if let Some((batch, announcing)) = self.metrics_batch() {
                self.metrics_last_sent = Instant::now();
                if self.lanes[metrics_lane].jobs.is_none() {
                    self.stats.dropped(Signal::Metrics, DropReason::NoDestination, batch.events);
                } else {
                    self.start(Signal::Metrics, batch, announcing);
                }
            }
        }
        for signal in [Signal::Logs, Signal::Traces] {
            let lane = &self.lanes[signal.index()];
            if lane.jobs.is_none() || !lane.may_send(now, self.shutting_down) {
                continue;
            }
            // Batches that waited past `max_retry_age` are given up on.
            while let Some(batch) = self.next_batch(signal) {
                if batch.created.elapsed() >= self.config.max_retry_age && !self.shutting_down {
                    self.give_up(signal, batch, DropReason::RetryExhausted);
                    continue;
                }
                self.start(signal, batch, Vec::new());
                break;
            }
        }
    }

    fn start(&mut self, signal: Signal, batch: Batch, announcing: Vec<usize>) {
        let copy = (self.spool.is_some() && batch.spooled.is_none()).then(|| batch.payload.clone());
        let lane = &mut self.lanes[signal.index()];
        let bytes = batch.payload.body.len() as u64;
        let sent = lane.jobs.as_ref().map(|jobs| jobs.send(batch.payload).is_ok()).unwrap_or(false);
        if sent {
            let Batch { events, created, spooled, .. } = batch;
            lane.in_flight = Some(InFlight { events, bytes, created, announcing, spooled, copy });
        } else {
            self.stats.dropped(signal, DropReason::SendFailed, batch.events);
            self.stats.set_last_error(signal, "sender thread is gone");
        }
    }

    fn on_result(&mut self, result: JobResult) {
        let signal = result.signal;
        let lane = &mut self.lanes[signal.index()];
        let Some(done) = lane.in_flight.take() else { return };
        if !matches!(result.outcome, Outcome::Failed { .. }) {
            // The receiver answered: whatever was wrong with the network is over.
            lane.failures = 0;
            lane.not_before = None;
        }
        if let (Some(entry), false) = (&done.spooled, matches!(result.outcome, Outcome::Failed { .. })) {
            // Answered: sent or refused, it is never sent again.
            if let Some(spool) = self.spool.as_mut() {
                spool.remove(entry);
            }
        }
        match result.outcome {
            Outcome::Delivered => {
                self.stats.sent(signal, done.events, done.bytes);
                if signal == Signal::Metrics {
                    self.metrics.acknowledge(&done.announcing);
                }
                self.lanes[signal.index()].last_warned.clear();
            }
            Outcome::Rejected(message) => {
                self.stats.dropped(signal, DropReason::Rejected, done.events);
                if signal == Signal::Metrics {
                    // A 4xx on a resent 0 sample means it was stored before
                    // (out of order now); never send it again.
                    self.metrics.acknowledge(&done.announcing);
                }
                self.report(signal, message);
            }
            Outcome::Failed { message, retry_after } => {
                let lane = &mut self.lanes[signal.index()];
                lane.failures += 1;
                let wait = retry_after.unwrap_or_else(|| retry::backoff(lane.failures, &mut rand::rng()));
                lane.not_before = Some(Instant::now() + wait);
                let batch = Batch { payload: result.payload, events: done.events, created: done.created, spooled: done.spooled };
                if signal == Signal::Metrics && batch.spooled.is_none() {
                    // Cumulative state is still here: the next snapshot carries it.
                    self.metrics.requeue(done.events);
                    self.metrics_due = true;
                } else if self.shutting_down {
                    self.give_up(signal, batch, DropReason::Shutdown);
                } else if done.created.elapsed() >= self.config.max_retry_age {
                    self.give_up(signal, batch, DropReason::RetryExhausted);
                } else {
                    // First in line again: batches go out in the order they were made.
                    lane.backlog_bytes += batch.payload.body.len();
                    lane.backlog.push_front(batch);
                    self.trim_backlog(signal);
                }
                self.report(signal, message);
            }
        }
    }

    /// Records the error for `get_stats()` and warns once per distinct message.
    fn report(&mut self, signal: Signal, message: String) {
        self.stats.set_last_error(signal, message.clone());
        let lane = &mut self.lanes[signal.index()];
        if lane.last_warned != message {
            lane.last_warned = message.clone();
            let _ = self.diagnostics.try_send(format!("GameTracker: {} not delivered: {message}", signal.as_str()));
        }
    }

    fn forward_metric_warnings(&mut self) {
        for w in self.metric_check.take_warnings().into_iter().chain(self.metrics.take_warnings()) {
            let _ = self.diagnostics.try_send(format!("GameTracker: {w}"));
        }
    }

    /// Nothing left to send (spooled batches of earlier launches included,
    /// except at shutdown, which leaves them for the next launch).
    fn idle(&self) -> bool {
        self.logs.is_empty()
            && self.spans.is_empty()
            && !self.metrics_due
            && self.lanes.iter().all(|l| {
                let replay_done = l.replay.is_empty() || l.jobs.is_none() || self.shutting_down;
                l.in_flight.is_none() && l.backlog.is_empty() && replay_done
            })
    }

    fn notify_waiters(&mut self) {
        if !self.waiters.is_empty() && self.idle() {
            for w in self.waiters.drain(..) {
                let _ = w.send(());
            }
        }
    }

    /// Sends what is left, waits for answers until `deadline`, then counts
    /// everything still unsent as dropped for `reason`. When tracking was
    /// disabled nothing is sent: everything is counted at once.
    fn shutdown(&mut self, deadline: Instant, reason: DropReason) {
        self.shutting_down = true;
        self.drain_events();
        self.close_batches();
        if reason == DropReason::Shutdown {
            loop {
                self.dispatch();
                if self.idle() {
                    break;
                }
                let left = deadline.saturating_duration_since(Instant::now());
                match self.results.recv_timeout(left) {
                    Ok(result) => self.on_result(result),
                    Err(_) => break,
                }
            }
        }
        self.drain_events();
        self.close_logs();
        self.close_spans();
        for signal in Signal::ALL {
            let lane = &mut self.lanes[signal.index()];
            // Closing the job channel ends the sender thread after its request.
            lane.jobs = None;
            lane.backlog_bytes = 0;
            let mut unsent: Vec<Batch> = lane.backlog.drain(..).collect();
            if let Some(f) = lane.in_flight.take() {
                match (f.copy, f.spooled) {
                    (Some(payload), _) => unsent.push(Batch { payload, events: f.events, created: f.created, spooled: None }),
                    // Its file stays for the next launch (deleted below if disabled).
                    (None, Some(_)) if reason != DropReason::Disabled => self.stats.spooled(signal, f.events),
                    (None, _) => self.stats.dropped(signal, reason, f.events),
                }
            }
            for batch in unsent {
                self.give_up(signal, batch, reason);
            }
        }
        let unsent_metrics = self.metrics.pending_updates();
        if unsent_metrics > 0 {
            let spooling = self.spool.is_some() && reason != DropReason::Disabled;
            // With a spool, the running totals go there as one last snapshot.
            match self.metrics_batch().filter(|_| spooling) {
                Some((batch, _)) => self.give_up(Signal::Metrics, batch, reason),
                None => self.stats.dropped(Signal::Metrics, reason, unsent_metrics),
            }
        }
        if reason == DropReason::Disabled {
            // Consent withdrawn: nothing of this player's is kept on disk.
            if let Some(spool) = self.spool.as_mut() {
                spool.clear();
            }
        }
        self.publish_buffered_bytes();
        self.forward_metric_warnings();
        for w in self.waiters.drain(..) {
            let _ = w.send(());
        }
    }
}

fn now_unix_ms() -> u64 {
    crate::event::now_unix_nano() / 1_000_000
}

fn spawn_sender(
    signal: Signal,
    mut transport: Box<dyn Transport>,
    results: Sender<JobResult>,
) -> std::io::Result<Sender<Payload>> {
    // One slot: the worker only hands over a payload when the last was answered.
    let (jobs_tx, jobs_rx) = bounded::<Payload>(1);
    thread::Builder::new().name(format!("game_tracker_{}", signal.as_str())).spawn(move || {
        for payload in jobs_rx {
            let outcome = transport.send(signal, &payload);
            if results.send(JobResult { signal, outcome, payload }).is_err() {
                break;
            }
        }
    })?;
    Ok(jobs_tx)
}
