//! One signal's way to its transport: the batches waiting their turn, the one
//! request in flight, backoff after failures, the backlog's byte bound, and
//! the batches an earlier launch spooled.
//!
//! ```text
//!  spool (earlier launches) ─┐
//!                            ├─► next() ─► start() ─► courier ─► transport
//!  this launch's batches ────┘        (one in flight)        │
//!        ▲                                                    ▼
//!        └──── retry(): first in line again ◄── finish(): Answered | Failed | TooLarge | GaveUp
//! ```
//!
//! A lane never decides what a batch it gives up on becomes: that is
//! [`Leftovers::give_up`] (the spool when there is one, else a counted drop).
//! A lane whose transport panicked gives up on everything, at once and
//! from then on (`thread_panicked`): it has nothing left to send with, and
//! must not leave a `flush_and_wait` waiting for an answer.

use std::collections::VecDeque;
use std::time::Duration;

use crate::clock::Instant;

use crate::delivery::batch::{Batch, Source};
use crate::delivery::leftovers::{now_unix_ms, Leftovers};
use crate::delivery::reply::BatchReply;
use crate::delivery::sender::Courier;
use crate::encode::Payload;
use crate::model::event::{LogRecord, SpanRecord};
use crate::panics::Panic;
use crate::sinks::spool;
use crate::stats::{DropReason, Signal};
use crate::transport::retry;
use crate::transport::Reply;

struct InFlight {
    events: u64,
    bytes: u64,
    created: Instant,
    announcing: Vec<usize>,
    spooled: Option<spool::Entry>,
    /// With a spool, a copy of the body, so a request still unanswered at
    /// quit can be spooled (the courier holds the original).
    copy: Option<Payload>,
    /// What the body was encoded from, to split it after a 413.
    source: Source,
}

impl InFlight {
    /// The batch again, with the body the courier handed back.
    fn into_batch(self, payload: Payload) -> Batch {
        let InFlight {
            events,
            created,
            spooled,
            announcing,
            source,
            ..
        } = self;
        Batch {
            payload,
            events,
            created,
            spooled,
            announcing,
            source,
        }
    }
}

pub(crate) struct Lane {
    signal: Signal,
    /// How payloads reach the transport; gone once the lane is closed.
    courier: Option<Courier>,
    in_flight: Option<InFlight>,
    backlog: VecDeque<Batch>,
    backlog_bytes: usize,
    /// Failed attempts in a row; the next waits `retry::backoff(failures)`.
    failures: u32,
    /// No request before this (backoff or Retry-After).
    not_before: Option<Instant>,
    /// Batches an earlier launch spooled, oldest first, not yet read.
    replay: VecDeque<spool::Entry>,
    max_backlog_bytes: usize,
    max_retry_age: Duration,
    /// Spooled batches older than this are deleted unsent (`too_old`).
    max_replay_age: Duration,
    /// Its transport panicked: every batch is given up on as it comes.
    panicked: bool,
}

impl Lane {
    /// A lane sending through `courier`, whose answers come back on the
    /// worker's results channel.
    pub fn new(
        signal: Signal,
        courier: Courier,
        max_backlog_bytes: usize,
        max_retry_age: Duration,
        max_replay_age: Duration,
    ) -> Lane {
        Lane {
            signal,
            courier: Some(courier),
            in_flight: None,
            backlog: VecDeque::new(),
            backlog_bytes: 0,
            failures: 0,
            not_before: None,
            replay: VecDeque::new(),
            max_backlog_bytes,
            max_retry_age,
            max_replay_age,
            panicked: false,
        }
    }

    pub fn signal(&self) -> Signal {
        self.signal
    }

    /// Copies of the events this lane holds unanswered (in flight, then
    /// waiting), oldest first, appended to `logs` or `spans`.
    pub fn unanswered(&self, logs: &mut Vec<LogRecord>, spans: &mut Vec<SpanRecord>) {
        let sources = self
            .in_flight
            .iter()
            .map(|f| &f.source)
            .chain(self.backlog.iter().map(|b| &b.source));
        for source in sources {
            match source {
                Source::Logs(records) => logs.extend(records.iter().cloned()),
                Source::Spans(records) => spans.extend(records.iter().cloned()),
                Source::Nothing => {}
            }
        }
    }

    /// A batch an earlier launch spooled, to send before this launch's.
    pub fn add_replay(&mut self, entry: spool::Entry) {
        self.replay.push_back(entry);
    }

    /// When the lane's backoff ends, if it is waiting one out.
    pub fn wake_at(&self) -> Option<Instant> {
        self.not_before
    }

    /// Idle and not waiting out a backoff (which shutdown skips). A lane
    /// that gave up after a panic takes every batch, to give it up at once.
    pub fn may_send(&self, now: Instant, shutting_down: bool) -> bool {
        let ready =
            self.courier.is_some() && (shutting_down || self.not_before.is_none_or(|t| now >= t));
        self.in_flight.is_none() && (ready || self.panicked)
    }

    /// Nothing in flight or waiting (earlier launches' batches count, except
    /// at shutdown, which leaves them for the next launch).
    pub fn idle(&self, shutting_down: bool) -> bool {
        self.in_flight.is_none()
            && self.backlog.is_empty()
            && (self.replay.is_empty() || shutting_down)
    }

    /// Events held: in the request in flight and the batches waiting.
    pub fn held_events(&self) -> u64 {
        self.in_flight.as_ref().map_or(0, |f| f.events)
            + self.backlog.iter().map(|b| b.events).sum::<u64>()
    }

    /// Bytes held: the backlog (bodies and the events kept to split them)
    /// and the request in flight.
    pub fn buffered_bytes(&self) -> u64 {
        self.backlog_bytes as u64 + self.in_flight.as_ref().map_or(0, |f| f.bytes)
    }

    /// A closed batch joins the end of the line.
    pub fn push(&mut self, batch: Batch, leftovers: &mut Leftovers) {
        if self.panicked {
            return leftovers.give_up(self.signal, batch, DropReason::ThreadPanicked);
        }
        self.backlog_bytes += batch.held_bytes();
        self.backlog.push_back(batch);
        self.trim(leftovers);
    }

    /// A failed batch is first in line again: batches go out in the order
    /// they were made. Past `max_retry_age` (or at quit) it is given up on.
    pub fn retry(&mut self, batch: Batch, leftovers: &mut Leftovers, shutting_down: bool) {
        if shutting_down {
            leftovers.give_up(self.signal, batch, DropReason::Shutdown);
        } else if batch.created.elapsed() >= self.max_retry_age {
            leftovers.give_up(self.signal, batch, DropReason::RetryExhausted);
        } else {
            self.backlog_bytes += batch.held_bytes();
            self.backlog.push_front(batch);
            self.trim(leftovers);
        }
    }

    /// Batches made from one refused as too large: first in line, in order.
    pub fn retry_all(
        &mut self,
        batches: Vec<Batch>,
        leftovers: &mut Leftovers,
        shutting_down: bool,
    ) {
        for batch in batches.into_iter().rev() {
            self.retry(batch, leftovers, shutting_down);
        }
    }

    /// Gives up on the oldest batches past `max_backlog_bytes` (bodies and
    /// kept events, `Batch::held_bytes`): the newest
    /// data is the most useful when catching up.
    fn trim(&mut self, leftovers: &mut Leftovers) {
        while self.backlog_bytes > self.max_backlog_bytes && self.backlog.len() > 1 {
            if let Some(old) = self.backlog.pop_front() {
                self.backlog_bytes -= old.held_bytes();
                leftovers.give_up(self.signal, old, DropReason::BacklogFull);
            }
        }
    }

    /// The next batch to send: one waiting for a retry, then the spool
    /// (oldest first), then this launch's. Batches that waited past
    /// `max_retry_age` are given up on here.
    pub fn next(&mut self, leftovers: &mut Leftovers, shutting_down: bool) -> Option<Batch> {
        let retrying_spooled = self.backlog.front().is_some_and(|b| b.spooled.is_some());
        // Quitting is no time to start on older launches' batches.
        if !retrying_spooled && !shutting_down {
            if let Some(batch) = self.next_replayed(leftovers) {
                return Some(batch);
            }
        }
        while let Some(batch) = self.backlog.pop_front() {
            self.backlog_bytes -= batch.held_bytes();
            if batch.created.elapsed() >= self.max_retry_age && !shutting_down {
                leftovers.give_up(self.signal, batch, DropReason::RetryExhausted);
                continue;
            }
            return Some(batch);
        }
        None
    }

    fn next_replayed(&mut self, leftovers: &mut Leftovers) -> Option<Batch> {
        let signal = self.signal;
        while let Some(entry) = self.replay.pop_front() {
            let spool = leftovers.spool.as_mut()?;
            leftovers.stats.replayed(signal, entry.events);
            if entry.age(now_unix_ms()) > self.max_replay_age {
                spool.remove(&entry);
                leftovers
                    .stats
                    .dropped(signal, DropReason::TooOld, entry.events);
                continue;
            }
            match spool.load(&entry) {
                Ok(payload) => {
                    let events = entry.events;
                    return Some(Batch {
                        payload,
                        events,
                        created: Instant::now(),
                        spooled: Some(entry),
                        announcing: Vec::new(),
                        source: Source::Nothing,
                    });
                }
                Err(e) => {
                    spool.remove(&entry);
                    leftovers
                        .stats
                        .dropped(signal, DropReason::Invalid, entry.events);
                    leftovers.diagnostics.warn(format!(
                        "unreadable spool file {}: {e}",
                        entry.path.display()
                    ));
                }
            }
        }
        None
    }

    /// Hands the batch to the courier. With a spool, a copy is kept so
    /// the batch can still be spooled if quitting cuts its request off.
    pub fn start(&mut self, batch: Batch, leftovers: &mut Leftovers) {
        if self.panicked {
            return leftovers.give_up(self.signal, batch, DropReason::ThreadPanicked);
        }
        let copy =
            (leftovers.spool.is_some() && batch.spooled.is_none()).then(|| batch.payload.clone());
        let bytes = batch.payload.body.len() as u64;
        let Batch {
            payload,
            events,
            created,
            spooled,
            announcing,
            source,
        } = batch;
        match self.courier.as_mut().map(|courier| courier.hand(payload)) {
            Some(Ok(())) => {
                self.in_flight = Some(InFlight {
                    events,
                    bytes,
                    created,
                    announcing,
                    spooled,
                    copy,
                    source,
                })
            }
            _ => {
                leftovers
                    .stats
                    .dropped(self.signal, DropReason::SendFailed, events);
                leftovers
                    .stats
                    .set_last_error(self.signal, "the sender is gone");
            }
        }
    }

    /// The receiver's answer to the request in flight, or the panic that
    /// cut it off.
    pub fn finish(
        &mut self,
        outcome: Result<Reply, Panic>,
        payload: Payload,
        leftovers: &mut Leftovers,
    ) -> BatchReply {
        let Some(done) = self.in_flight.take() else {
            return BatchReply::Nothing;
        };
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(panic) => return self.give_up_after(&panic, done.into_batch(payload), leftovers),
        };
        let signal = self.signal;
        let failed = matches!(outcome, Reply::Failed { .. });
        if !failed {
            // The receiver answered: whatever was wrong with the network is over.
            self.failures = 0;
            self.not_before = None;
            if let (Some(entry), Some(spool)) = (&done.spooled, leftovers.spool.as_mut()) {
                // Sent or refused, a spooled batch is never sent again.
                spool.remove(entry);
            }
        }
        match outcome {
            Reply::Delivered => {
                leftovers.stats.sent(signal, done.events, done.bytes);
                leftovers.delivered(signal);
                BatchReply::Answered {
                    announcing: done.announcing,
                }
            }
            Reply::Rejected(message) => {
                leftovers
                    .stats
                    .dropped(signal, DropReason::Rejected, done.events);
                leftovers.report(signal, message);
                BatchReply::Answered {
                    announcing: done.announcing,
                }
            }
            // Answered: a spooled batch's file is gone; what it becomes is the
            // batcher's to say (`Batcher::refused`).
            Reply::TooLarge(message) => BatchReply::TooLarge(done.into_batch(payload), message),
            Reply::Failed {
                message,
                retry_after,
            } => {
                leftovers.stats.request_failed(signal);
                self.failures += 1;
                let wait =
                    retry_after.unwrap_or_else(|| retry::backoff(self.failures, &mut rand::rng()));
                self.not_before = Some(Instant::now() + wait);
                BatchReply::Failed(done.into_batch(payload), message)
            }
        }
    }

    /// The transport panicked (its courier is done): reported once, and the lane
    /// gives up on `cut_off`, its backlog and every later batch. Batches
    /// of earlier launches stay spooled for the next one.
    fn give_up_after(
        &mut self,
        panic: &Panic,
        cut_off: Batch,
        leftovers: &mut Leftovers,
    ) -> BatchReply {
        let thread = format!("{} sender", self.signal.as_str());
        panic.report(
            &thread,
            &[self.signal],
            &leftovers.stats,
            &mut leftovers.diagnostics,
        );
        self.backlog_bytes += cut_off.held_bytes();
        self.backlog.push_front(cut_off);
        self.close(DropReason::ThreadPanicked, leftovers);
        self.panicked = true;
        self.not_before = None;
        BatchReply::GaveUp
    }

    /// Frame delivery: moves the request in flight on (see [`Courier::poll`]).
    pub fn poll(&mut self) {
        if let Some(courier) = self.courier.as_mut() {
            courier.poll();
        }
    }

    /// Quitting (or a panic): lets the courier go (a sender thread ends
    /// after its request) and gives up on everything left, for `reason`.
    /// Earlier launches' batches not read yet stay spooled for the next.
    pub fn close(&mut self, reason: DropReason, leftovers: &mut Leftovers) {
        self.courier = None;
        self.replay.clear();
        self.backlog_bytes = 0;
        let mut unsent: Vec<Batch> = self.backlog.drain(..).collect();
        if let Some(f) = self.in_flight.take() {
            match (f.copy, f.spooled) {
                (Some(payload), _) => unsent.push(Batch {
                    payload,
                    events: f.events,
                    created: f.created,
                    spooled: None,
                    announcing: Vec::new(),
                    source: Source::Nothing,
                }),
                // Its file stays for the next launch (deleted with the spool if disabled).
                (None, Some(_)) if reason != DropReason::Disabled => {
                    leftovers.stats.spooled(self.signal, f.events)
                }
                (None, _) => leftovers.stats.dropped(self.signal, reason, f.events),
            }
        }
        for batch in unsent {
            leftovers.give_up(self.signal, batch, reason);
        }
    }
}
