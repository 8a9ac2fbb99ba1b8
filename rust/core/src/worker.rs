//! The worker thread: one loop, one `match` on what arrived, one helper per
//! kind of message. It never does I/O itself (each lane's sender thread
//! does), so a slow receiver fills a bounded backlog instead of stalling the
//! game's queue.
//!
//! ```text
//!  Tracker ──chunks──► Intake ──events──► Pipeline ──batches──► Lane ──► sender thread ──► receiver
//!  Tracker ──control (flush, shutdown)──┘      ▲                             │
//!                                               └──────── answers ◄──────────┘
//! ```
//!
//! A panic in the loop is caught and reported once; the worker then ends,
//! dropping its ends of the channels, so the game's calls never wait on it
//! and the tracker counts what it held as `thread_panicked`
//! (`Tracker::handover`, `Tracker::stats`).

use std::sync::Arc;
use std::thread;
use std::time::Instant;

use crossbeam_channel::{never, select, unbounded, Receiver, Sender};

use crate::answer::JobResult;
use crate::config::Config;
use crate::diagnostics::Diagnostics;
use crate::panics;
use crate::pipeline::Pipeline;
use crate::queue::{Chunk, Intake, CHUNK_POLL_INTERVAL};
use crate::record::Item;
use crate::session::Session;
use crate::stats::{DropReason, Signal, Stats};

/// Warnings waiting for the engine layer to print them; more are dropped.
pub const DIAGNOSTICS_CAPACITY: usize = 64;

pub(crate) enum Control {
    /// Close every batch now; `done` is signalled when all were answered.
    Flush { done: Option<Sender<()>> },
    /// Flush, wait for answers until `deadline`, count the rest as
    /// `reason`, and exit. With `DropReason::Disabled` nothing more is sent.
    Shutdown { deadline: Instant, done: Sender<()>, reason: DropReason },
}

/// What woke the worker.
enum Message {
    Chunk(Chunk),
    Control(Control),
    Answer(JobResult),
    /// A timer: the flush interval, a backoff ending, or the poll interval.
    Tick,
    /// The tracker is gone without a shutdown (it owns the senders).
    TrackerGone,
}

pub(crate) struct Worker {
    intake: Intake,
    control: Receiver<Control>,
    results: Receiver<JobResult>,
    /// Kept so `results` never disconnects when no sender thread exists.
    _results_tx: Sender<JobResult>,
    pipeline: Pipeline,
    flush_interval: std::time::Duration,
    next_flush: Instant,
}

impl Worker {
    pub(crate) fn spawn(
        config: Config,
        session: Session,
        sampled: bool,
        stats: Arc<Stats>,
        intake: Intake,
        control: Receiver<Control>,
        diagnostics: Sender<String>,
    ) -> std::io::Result<thread::JoinHandle<()>> {
        let (results_tx, results) = unbounded();
        // For reporting a panic: the pipeline's own are gone with it.
        let (panic_stats, panic_warnings) = (stats.clone(), diagnostics.clone());
        let pipeline = Pipeline::new(&config, session, sampled, stats, Diagnostics::sending(diagnostics), &results_tx)?;
        let worker = Worker {
            intake,
            control,
            results,
            _results_tx: results_tx,
            pipeline,
            flush_interval: config.flush_interval,
            next_flush: Instant::now() + config.flush_interval,
        };
        thread::Builder::new().name("game_tracker_worker".into()).spawn(move || {
            if let Err(panic) = panics::catch(|| worker.run()) {
                panic.report("worker", &Signal::ALL, &panic_stats, &mut Diagnostics::sending(panic_warnings));
            }
        })
    }

    fn run(mut self) {
        // Batches spooled by an earlier launch start out at once.
        self.pipeline.dispatch();
        loop {
            match self.next_message() {
                Message::Chunk(chunk) => self.read(chunk),
                Message::Control(Control::Flush { done }) => self.flush(done),
                Message::Control(Control::Shutdown { deadline, done, reason }) => {
                    self.shutdown(deadline, reason);
                    let _ = done.send(());
                    return;
                }
                Message::Answer(result) => self.pipeline.on_answer(result),
                Message::Tick => {}
                Message::TrackerGone => return self.shutdown(Instant::now(), DropReason::Shutdown),
            }
            self.after_each_message();
        }
    }

    /// Waits for the next message, or until a timer is due.
    fn next_message(&self) -> Message {
        let wake = self.pipeline.next_wake().map_or(self.next_flush, |t| t.min(self.next_flush));
        let mut timeout = wake.saturating_duration_since(Instant::now());
        // While polling, the queue is not waited on, so a hand-over wakes nobody.
        let not_waiting = never();
        let chunks = if self.intake.polling() {
            timeout = timeout.min(CHUNK_POLL_INTERVAL);
            &not_waiting
        } else {
            self.intake.chunks()
        };
        select! {
            recv(chunks) -> msg => msg.map_or(Message::TrackerGone, Message::Chunk),
            recv(self.control) -> msg => msg.map_or(Message::TrackerGone, Message::Control),
            recv(self.results) -> msg => msg.map_or(Message::Tick, Message::Answer),
            default(timeout) => Message::Tick,
        }
    }

    fn read(&mut self, chunk: Chunk) {
        let pipeline = &mut self.pipeline;
        let each = |item: Item| {
            #[cfg(feature = "test-hooks")]
            if let Item::Event(crate::event::Event::Log(log)) = &item {
                panics::inject(log.message.as_bytes(), panics::PANIC_WORKER);
            }
            pipeline.accept_item(item)
        };
        if let Some((unread, error)) = self.intake.read(chunk, each) {
            pipeline.unreadable(unread, &error);
        }
    }

    fn read_waiting(&mut self) {
        while let Some(chunk) = self.intake.try_next() {
            self.read(chunk);
        }
    }

    fn flush(&mut self, done: Option<Sender<()>>) {
        self.read_waiting();
        self.pipeline.close_batches();
        if let Some(done) = done {
            self.pipeline.wait_for_idle(done);
        }
        self.next_flush = Instant::now() + self.flush_interval;
    }

    /// The timers, requests to start, and answers to waiters.
    fn after_each_message(&mut self) {
        if self.intake.polling() {
            self.read_waiting();
        }
        if Instant::now() >= self.next_flush {
            self.pipeline.close_batches();
            self.next_flush = Instant::now() + self.flush_interval;
        }
        self.pipeline.dispatch();
        self.pipeline.after_each_step();
    }

    /// Sends what is left, waits for answers until `deadline`, then counts
    /// everything still unsent as dropped for `reason`. When tracking was
    /// disabled nothing is sent: everything is counted at once.
    fn shutdown(&mut self, deadline: Instant, reason: DropReason) {
        self.pipeline.begin_shutdown();
        self.read_waiting();
        self.pipeline.end_session(reason == DropReason::Shutdown);
        self.pipeline.close_batches();
        if reason == DropReason::Shutdown {
            loop {
                self.pipeline.dispatch();
                if self.pipeline.idle() {
                    break;
                }
                let left = deadline.saturating_duration_since(Instant::now());
                match self.results.recv_timeout(left) {
                    Ok(result) => self.pipeline.on_answer(result),
                    Err(_) => break,
                }
            }
        }
        self.read_waiting();
        self.pipeline.finish_shutdown(reason);
    }
}
