//! Events in, encoded batches out. Logs and spans collect until a batch is
//! full or the flush timer closes it; metric updates go into the aggregator,
//! whose snapshot becomes a batch when its lane is free (so each snapshot
//! follows the previous one's answer).
//!
//! Before any of that, [`Batcher::admit`] applies what the configuration
//! filters (`min_level`, `drop_names`) and the metric rules
//! ([`crate::model::metric_check`]), the same whatever the destination.

use std::time::Duration;

use crate::clock::Instant;

use crate::config::{Config, Delivery};
use crate::delivery::batch::{Batch, Source};
use crate::delivery::request_cap::{self, Fitted, RequestCap, SeriesRange};
use crate::diagnostics::Diagnostics;
use crate::encode::Encoder;
use crate::encode::Payload;
use crate::model::event::{Event, Level, LogRecord, SpanRecord};
use crate::model::metric_check::MetricCheck;
use crate::model::metrics::Aggregator;
use crate::model::session::Session;
use crate::stats::{DropReason, Signal};

/// A batch also closes at this many bytes of log text, so a few huge lines
/// cannot build a request that receivers refuse for its size.
pub const MAX_BATCH_BYTES: usize = 1024 * 1024;
/// Unchanged metrics are re-sent this often so Prometheus (5 min lookback)
/// never marks a live session's series stale.
pub const METRICS_REFRESH_INTERVAL: Duration = Duration::from_secs(60);
/// What a log line costs in a batch beyond its message (for `MAX_BATCH_BYTES`).
const LOG_OVERHEAD_BYTES: usize = 64;

pub(crate) struct Batcher {
    session: Session,
    encoder: Encoder,
    batch_size: usize,
    /// Frame delivery: a batch that fills stays open until the worker's
    /// next slice closes it ([`Batcher::full`]), one a slice, not while a
    /// frame's events are read.
    close_when_full: bool,
    min_level: Level,
    drop_names: Vec<String>,
    metric_check: MetricCheck,
    logs: Vec<LogRecord>,
    log_bytes: usize,
    spans: Vec<SpanRecord>,
    metrics: Aggregator,
    /// A snapshot should go out when the metrics lane is next free.
    metrics_due: bool,
    metrics_last_sent: Instant,
    /// Each signal's cap on a request body (`max_request_bytes`, lowered by 413s).
    caps: [RequestCap; 3],
}

impl Batcher {
    pub fn new(config: &Config, session: Session) -> Batcher {
        let automatic = session
            .automatic_labels()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        Batcher {
            encoder: Encoder::new(config.protocol, config.otlp_encoding, config.compression),
            batch_size: config.batch_limit(),
            close_when_full: config.delivery == Delivery::Thread,
            min_level: config.min_level,
            drop_names: config.drop_names.clone(),
            metric_check: MetricCheck::new(session.automatic_labels().map(|(name, _)| name)),
            metrics: Aggregator::new(
                config.histogram_buckets.clone(),
                config.max_series,
                automatic,
            ),
            session,
            logs: Vec::new(),
            log_bytes: 0,
            spans: Vec::new(),
            metrics_due: false,
            metrics_last_sent: Instant::now(),
            caps: [RequestCap::new(config.max_request_bytes); 3],
        }
    }

    /// The event as every destination gets it, or why it is dropped.
    pub fn admit(&self, event: Event, warn: &mut Diagnostics) -> Result<Event, DropReason> {
        if self.filtered(&event) {
            return Err(DropReason::Filtered);
        }
        match event {
            Event::Metric(update) => self.metric_check.check(update, warn).map(Event::Metric),
            other => Ok(other),
        }
    }

    fn filtered(&self, event: &Event) -> bool {
        if self.min_level == Level::Debug && self.drop_names.is_empty() {
            return false;
        }
        let drops = |name: &str| crate::config::matches_any(&self.drop_names, name);
        match event {
            Event::Log(r) => r.level < self.min_level || drops(&r.message),
            Event::Span(s) => drops(&s.name),
            Event::Metric(m) => drops(&m.name),
        }
    }

    /// Adds an admitted event; returns the batch (or batches, when over
    /// the request cap) when this one filled it.
    pub fn add(
        &mut self,
        event: Event,
        warn: &mut Diagnostics,
    ) -> Result<Option<Fitted>, DropReason> {
        match event {
            Event::Log(record) => {
                self.log_bytes += record.message.len() + LOG_OVERHEAD_BYTES;
                self.logs.push(record);
                Ok(if self.close_when_full && self.logs_full() {
                    self.close_logs()
                } else {
                    None
                })
            }
            Event::Span(span) => {
                self.spans.push(span);
                Ok(if self.close_when_full && self.spans_full() {
                    self.close_spans()
                } else {
                    None
                })
            }
            Event::Metric(update) => self.metrics.record(&update, warn).map(|()| None),
        }
    }

    fn logs_full(&self) -> bool {
        self.logs.len() >= self.batch_size || self.log_bytes >= MAX_BATCH_BYTES
    }

    fn spans_full(&self) -> bool {
        self.spans.len() >= self.batch_size
    }

    /// Frame delivery: a signal whose batch is full, to be closed now.
    pub fn full(&self) -> Option<Signal> {
        if self.logs_full() {
            Some(Signal::Logs)
        } else if self.spans_full() {
            Some(Signal::Traces)
        } else {
            None
        }
    }

    /// A flush's part for metrics: a snapshot is due when a series
    /// changed, or none was sent for `METRICS_REFRESH_INTERVAL`.
    pub fn close_metrics(&mut self) {
        let changed = self.metrics.pending_updates() > 0;
        let refresh = self.metrics.series_count() > 0
            && self.metrics_last_sent.elapsed() >= METRICS_REFRESH_INTERVAL;
        if changed || refresh {
            self.metrics_due = true;
        }
    }

    /// The oldest logs as one batch: at most `batch_size` of them and
    /// `MAX_BATCH_BYTES` (frame delivery lets a batch grow past its size
    /// within one frame's events; the rest stay for the next batch), in
    /// more than one when its body is over the request cap.
    pub fn close_logs(&mut self) -> Option<Fitted> {
        if self.logs.is_empty() {
            return None;
        }
        let (mut count, mut bytes) = (0, 0);
        for record in self.logs.iter().take(self.batch_size) {
            let size = record.message.len() + LOG_OVERHEAD_BYTES;
            if count > 0 && bytes + size > MAX_BATCH_BYTES {
                break;
            }
            count += 1;
            bytes += size;
        }
        let logs: Vec<LogRecord> = self.logs.drain(..count).collect();
        self.log_bytes -= bytes;
        let mut fitted = Fitted::default();
        request_cap::fit(
            logs,
            self.request_cap(Signal::Logs),
            &|logs: &Vec<LogRecord>| self.encode_logs(logs),
            &mut fitted,
        );
        Some(fitted)
    }

    /// The oldest spans as one batch, at most `batch_size` (more than one
    /// when its body is over the request cap).
    pub fn close_spans(&mut self) -> Option<Fitted> {
        if self.spans.is_empty() {
            return None;
        }
        let count = self.spans.len().min(self.batch_size);
        let spans: Vec<SpanRecord> = self.spans.drain(..count).collect();
        let mut fitted = Fitted::default();
        request_cap::fit(
            spans,
            self.request_cap(Signal::Traces),
            &|spans: &Vec<SpanRecord>| self.encode_spans(spans),
            &mut fitted,
        );
        Some(fitted)
    }

    fn encode_logs(&self, logs: &[LogRecord]) -> crate::encode::Payload {
        self.encoder.logs(logs, &self.session)
    }

    fn encode_spans(&self, spans: &[SpanRecord]) -> crate::encode::Payload {
        self.encoder.spans(spans, &self.session)
    }

    /// The cap on `signal`'s request bodies now.
    pub fn request_cap(&self, signal: Signal) -> usize {
        self.caps[signal.index()].bytes()
    }

    /// The receiver refused `batch` as too large (413): the signal's cap
    /// goes below its size, and what it carried comes back as smaller
    /// batches to send first. A metrics snapshot is made again instead
    /// (smaller, from the running state); one event alone, or a batch read
    /// back from the spool, is `too_large`.
    pub fn refused(&mut self, signal: Signal, mut batch: Batch) -> Fitted {
        let cap = &mut self.caps[signal.index()];
        cap.refused(batch.payload.body.len());
        let cap = cap.bytes();
        let created = batch.created;
        let mut fitted = Fitted::default();
        match std::mem::replace(&mut batch.source, Source::Nothing) {
            Source::Logs(logs) => request_cap::split_refused(
                logs,
                cap,
                &|logs: &Vec<LogRecord>| self.encode_logs(logs),
                &mut fitted,
            ),
            Source::Spans(spans) => request_cap::split_refused(
                spans,
                cap,
                &|spans: &Vec<SpanRecord>| self.encode_spans(spans),
                &mut fitted,
            ),
            Source::Nothing => {
                if let Some(unsplittable) = self.take_back(signal, batch) {
                    fitted.too_large = unsplittable.events;
                }
            }
        }
        // Retries stop at `max_retry_age` counted from the original batch.
        for part in &mut fitted.batches {
            part.created = created;
        }
        fitted
    }

    /// Logs or spans still open for `signal`.
    pub fn has_open(&self, signal: Signal) -> bool {
        match signal {
            Signal::Logs => !self.logs.is_empty(),
            Signal::Traces => !self.spans.is_empty(),
            Signal::Metrics => false,
        }
    }

    /// The tracker's own metrics (`self_metrics.rs`): into the aggregator
    /// without being counted as updates; a snapshot is due when any came.
    pub fn record_own(
        &mut self,
        updates: &[crate::model::event::MetricUpdate],
        warn: &mut Diagnostics,
    ) {
        for update in updates {
            if self.metrics.record_own(update, warn) {
                self.metrics_due = true;
            }
        }
    }

    /// An exemplar for a histogram series (a hitch's), sent with the
    /// snapshot that next carries the series.
    pub fn add_exemplar(
        &mut self,
        name: &str,
        labels: &[(String, String)],
        exemplar: crate::model::metrics::Exemplar,
    ) {
        self.metrics.add_exemplar(name, labels, exemplar);
    }

    /// A batch waiting here for its lane to be free: the metrics snapshot,
    /// when one is due. Logs and spans go to their lane when they close.
    pub fn due(&mut self, signal: Signal) -> Option<Fitted> {
        if signal != Signal::Metrics || !self.metrics_due {
            return None;
        }
        self.metrics_due = false;
        self.metrics_last_sent = Instant::now();
        self.metrics_snapshot()
    }

    /// The metrics' running state as one batch (more when over the request
    /// cap: the series split between them), with the updates it carries
    /// for the first time. `None` when there are no series yet.
    fn metrics_snapshot(&mut self) -> Option<Fitted> {
        let now = crate::model::event::now_unix_nano();
        let mut snapshot = self.metrics.snapshot((now / 1_000_000) as i64)?;
        // A snapshot's updates are in every series' running state: they are
        // accounted to the first request that fits, wherever they landed.
        let updates = std::mem::take(&mut snapshot.updates);
        let cap = self.request_cap(Signal::Metrics);
        let mut fitted = Fitted::default();
        let encode =
            |range: &SeriesRange| self.encoder.metrics(&range.snapshot, &self.session, now);
        request_cap::fit(
            SeriesRange { snapshot, first: 0 },
            cap,
            &encode,
            &mut fitted,
        );
        match fitted.batches.first_mut() {
            Some(first) => first.events += updates,
            None => fitted.too_large += updates,
        }
        Some(fitted)
    }

    /// A failed batch this batcher can make again better than a retry: a
    /// metrics snapshot (the next one carries the same cumulative state).
    /// Returns the batch when the lane should retry it itself.
    pub fn take_back(&mut self, signal: Signal, batch: Batch) -> Option<Batch> {
        if signal != Signal::Metrics || batch.spooled.is_some() {
            return Some(batch);
        }
        self.metrics.requeue(batch.events);
        self.metrics_due = true;
        None
    }

    /// The receiver answered a request of `signal`.
    pub fn answered(&mut self, signal: Signal, announcing: &[usize]) {
        if signal == Signal::Metrics {
            // Delivered, or a 4xx on a resent 0 sample (it was stored
            // before): never send those 0 samples again.
            self.metrics.acknowledge(announcing);
        }
    }

    /// Nothing collected and no snapshot due.
    /// Events in the open batches (metrics: updates since the last
    /// snapshot), by signal index.
    pub fn held(&self) -> [u64; 3] {
        let mut held = [0; 3];
        held[Signal::Logs.index()] = self.logs.len() as u64;
        held[Signal::Metrics.index()] = self.metrics.pending_updates();
        held[Signal::Traces.index()] = self.spans.len() as u64;
        held
    }

    pub fn is_empty(&self) -> bool {
        self.logs.is_empty() && self.spans.is_empty() && !self.metrics_due
    }

    /// The requests that would carry `logs` and `spans` (unanswered ones,
    /// oldest first), the open batches' events after them and `end` last,
    /// each within `budget` bytes of body: the newest events that fit.
    /// Nothing changes.
    pub fn farewell(
        &self,
        mut logs: Vec<LogRecord>,
        mut spans: Vec<SpanRecord>,
        end: Vec<LogRecord>,
        budget: usize,
    ) -> Vec<(Signal, Payload)> {
        logs.extend(self.logs.iter().cloned());
        logs.extend(end);
        spans.extend(self.spans.iter().cloned());
        let logs = newest_within(&logs, budget, |l| self.encode_logs(l)).map(|p| (Signal::Logs, p));
        let spans =
            newest_within(&spans, budget, |s| self.encode_spans(s)).map(|p| (Signal::Traces, p));
        logs.into_iter().chain(spans).collect()
    }

    /// Quitting: the metric updates no request carried yet, and (when they
    /// are to be kept) the snapshot that carries them.
    pub fn last_metrics(&mut self, keep: bool) -> (u64, Option<Fitted>) {
        let unsent = self.metrics.pending_updates();
        if unsent == 0 {
            return (0, None);
        }
        match keep.then(|| self.metrics_snapshot()).flatten() {
            Some(fitted) => (unsent, Some(fitted)),
            None => (self.metrics.take_pending_updates(), None),
        }
    }
}

/// The body of the newest of `records` that fits in `budget` bytes: all of
/// them, else the newer half, and so on (`None` when there are none, or
/// not even the newest one fits).
fn newest_within<T>(
    records: &[T],
    budget: usize,
    encode: impl Fn(&[T]) -> Payload,
) -> Option<Payload> {
    let mut from = 0;
    while from < records.len() {
        let payload = encode(&records[from..]);
        if payload.body.len() <= budget {
            return Some(payload);
        }
        from += (records.len() - from).div_ceil(2);
    }
    None
}
