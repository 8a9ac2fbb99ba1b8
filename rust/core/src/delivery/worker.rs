//! The worker: one loop, one `match` on what arrived, one helper per kind
//! of message. It never waits on the network itself (each lane's courier
//! does, or is polled), so a slow receiver fills a bounded backlog instead
//! of stalling the game's queue.
//!
//! ```text
//!  Tracker ──chunks──► Intake ──events──► Pipeline ──batches──► Lane ──► courier ──► receiver
//!  Tracker ──control (flush, shutdown)──┘      ▲                          │
//!                                               └──────── answers ◄───────┘
//! ```
//!
//! The same loop runs two ways (`delivery`): on its own thread, waiting for
//! the next message ([`Worker::spawn`]), or on the main thread, a bounded
//! slice each frame that takes what has arrived and never waits
//! ([`Worker::step`], called by the tracker at the hand-over).
//!
//! A panic in the loop is caught and reported once; the worker then ends,
//! dropping its ends of the channels, so the game's calls never wait on it
//! and the tracker counts what it held as `thread_panicked`
//! (`Tracker::handover`, `Tracker::stats`).

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::clock::{self, Instant};

use crossbeam_channel::{never, select, unbounded, Receiver, Sender, TryRecvError};

use crate::config::{Config, Delivery};
use crate::delivery::pipeline::{ClosePart, Pipeline};
use crate::delivery::reply::SenderReply;
use crate::diagnostics::Diagnostics;
use crate::encode::Payload;
use crate::handover::queue::{Chunk, Intake, CHUNK_POLL_INTERVAL};
use crate::handover::record::Item;
use crate::model::session::Session;
use crate::panics;
use crate::stats::{DropReason, Signal, Stats};
use crate::transport::http_target::MakePolledHttp;

/// Warnings waiting for the engine layer to print them; more are dropped.
pub const DIAGNOSTICS_CAPACITY: usize = 64;
/// Frame delivery: how often a wait for answers (`flush_and_wait`, quitting)
/// polls the requests in flight.
const ANSWER_POLL_INTERVAL: Duration = Duration::from_millis(1);

pub(crate) enum Control {
    /// Close every batch now; `done` is signalled when all were answered.
    Flush { done: Option<Sender<()>> },
    /// Flush, wait for answers until `deadline`, count the rest as
    /// `reason`, and exit. With `DropReason::Disabled` nothing more is sent.
    Shutdown {
        deadline: Instant,
        done: Sender<()>,
        reason: DropReason,
    },
    /// Write the local store's rows from `since_us` on into a file at `to`.
    ExportLocal {
        to: std::path::PathBuf,
        since_us: i64,
    },
}

/// What woke the worker.
enum Message {
    Chunk(Chunk),
    Control(Control),
    /// A sender thread's reply to a request.
    Reply(SenderReply),
    /// A timer: the flush interval, a backoff ending, or the poll interval.
    Tick,
    /// The tracker is gone without a shutdown (it owns the senders).
    TrackerGone,
}

pub(crate) struct Worker {
    intake: Intake,
    control: Receiver<Control>,
    results: Receiver<SenderReply>,
    /// Kept so `results` never disconnects when no sender thread exists.
    _results_tx: Sender<SenderReply>,
    pipeline: Pipeline,
    flush_interval: std::time::Duration,
    next_flush: Instant,
    /// Frame delivery: the lanes' requests are polled, not waited on.
    polled: bool,
    /// Frame delivery: the parts of a flush still to close, one a slice.
    closing: Vec<ClosePart>,
    /// Frame delivery: a caller waits for this flush (`flush_and_wait`; on
    /// the Web, the page being hidden): everything closes and starts in
    /// this slice, not spread over the next ones.
    urgent: bool,
    /// The batches an earlier launch spooled were started.
    started: bool,
    /// Shutdown's caller, answered once the last turn is published.
    shutdown_done: Option<Sender<()>>,
}

/// Where a panic in the worker is reported, kept apart from the worker
/// (its own are gone with it).
pub(crate) struct PanicReport {
    stats: Arc<Stats>,
    warnings: Sender<String>,
}

impl PanicReport {
    pub(crate) fn report(self, panic: &panics::Panic) {
        panic.report(
            "worker",
            &Signal::ALL,
            &self.stats,
            &mut Diagnostics::sending(self.warnings),
        );
    }
}

/// The worker's ends of what joins it to the tracker.
pub(crate) struct TrackerLink {
    pub intake: Intake,
    pub control: Receiver<Control>,
    pub diagnostics: Sender<String>,
}

/// What the tracker learns from one frame's slice.
pub(crate) enum Slice {
    Running,
    /// The worker shut down (it was asked to, or the tracker is gone).
    Ended,
}

impl Worker {
    pub(crate) fn new(
        config: Config,
        session: Session,
        sampled: bool,
        stats: Arc<Stats>,
        link: TrackerLink,
        polled_http: Option<MakePolledHttp>,
    ) -> std::io::Result<(Worker, PanicReport)> {
        let TrackerLink {
            intake,
            control,
            diagnostics,
        } = link;
        let (results_tx, results) = unbounded();
        let report = PanicReport {
            stats: stats.clone(),
            warnings: diagnostics.clone(),
        };
        let pipeline = Pipeline::new(
            &config,
            session,
            sampled,
            stats,
            Diagnostics::sending(diagnostics),
            &results_tx,
            polled_http,
        )?;
        let worker = Worker {
            intake,
            control,
            results,
            _results_tx: results_tx,
            pipeline,
            flush_interval: config.flush_interval,
            next_flush: Instant::now() + config.flush_interval,
            polled: config.delivery == Delivery::Frame,
            closing: Vec::new(),
            urgent: false,
            started: false,
            shutdown_done: None,
        };
        // The session's first events (release health) are already batched.
        let held = worker.pipeline.held();
        worker.pipeline.stats().begin_turn();
        worker.pipeline.stats().end_turn(held);
        Ok((worker, report))
    }

    /// Thread delivery: runs the loop on its own thread until shutdown.
    pub(crate) fn spawn(self, report: PanicReport) -> std::io::Result<thread::JoinHandle<()>> {
        thread::Builder::new()
            .name("game_tracker_worker".into())
            .spawn(move || {
                if let Err(panic) = panics::catch(|| self.run()) {
                    report.report(&panic);
                }
            })
    }

    fn run(mut self) {
        self.turn(Self::start);
        loop {
            let message = self.next_message();
            let mut ended = false;
            self.turn(|worker| match worker.handle(message) {
                Slice::Ended => ended = true,
                Slice::Running => worker.after_each_message(),
            });
            if ended {
                return;
            }
        }
    }

    /// One turn of the loop: what it does to the counts, then what the
    /// worker holds, published together (see `Stats::begin_turn`).
    /// Whoever waits on the turn (`flush_and_wait`, shutdown) is answered
    /// after it is published, so they read settled counts.
    fn turn(&mut self, work: impl FnOnce(&mut Worker)) {
        self.pipeline.stats().begin_turn();
        work(self);
        let held = self.pipeline.held();
        self.pipeline.stats().end_turn(held);
        self.pipeline.answer_waiters();
        if let Some(done) = self.shutdown_done.take() {
            let _ = done.send(());
        }
    }

    /// What the session would still send if it ended now
    /// ([`Pipeline::farewell`]).
    pub(crate) fn farewell(&self, budget: usize) -> Vec<(Signal, Payload)> {
        self.pipeline.farewell(budget)
    }

    /// Frame delivery: one slice of the loop, on the calling thread. Takes
    /// the messages that have arrived, until none is left or `budget` is
    /// spent, then runs the timers and starts requests. Never waits, except
    /// when a message asks it to (`flush_and_wait`'s, shutdown's).
    pub(crate) fn step(&mut self, budget: Duration) -> Slice {
        let mut slice = Slice::Running;
        self.turn(|worker| slice = worker.slice(budget));
        slice
    }

    fn slice(&mut self, budget: Duration) -> Slice {
        let until = Instant::now() + budget;
        self.start();
        loop {
            self.pipeline.poll_lanes();
            let Some(message) = self.arrived() else { break };
            if let Slice::Ended = self.handle(message) {
                return Slice::Ended;
            }
            if Instant::now() >= until {
                break;
            }
        }
        self.after_each_message();
        Slice::Running
    }

    /// Batches spooled by an earlier launch start out at once.
    fn start(&mut self) {
        if !self.started {
            self.started = true;
            self.dispatch();
        }
    }

    /// One message: the only `match` on what arrived.
    fn handle(&mut self, message: Message) -> Slice {
        match message {
            Message::Chunk(chunk) => self.read(chunk),
            Message::Control(Control::Flush { done }) => self.flush(done),
            Message::Control(Control::Shutdown {
                deadline,
                done,
                reason,
            }) => {
                self.shutdown(deadline, reason);
                self.shutdown_done = Some(done);
                return Slice::Ended;
            }
            Message::Control(Control::ExportLocal { to, since_us }) => {
                self.export_local(&to, since_us)
            }
            Message::Reply(result) => self.pipeline.on_reply(result),
            Message::Tick => {}
            Message::TrackerGone => {
                self.shutdown(Instant::now(), DropReason::Shutdown);
                return Slice::Ended;
            }
        }
        Slice::Running
    }

    /// A message that has already arrived, if any (control first, then
    /// answers, then the queue).
    fn arrived(&mut self) -> Option<Message> {
        match self.control.try_recv() {
            Ok(control) => return Some(Message::Control(control)),
            Err(TryRecvError::Disconnected) => return Some(Message::TrackerGone),
            Err(TryRecvError::Empty) => {}
        }
        if let Ok(result) = self.results.try_recv() {
            return Some(Message::Reply(result));
        }
        self.intake.try_next().map(Message::Chunk)
    }

    /// Waits for the next message, or until a timer is due.
    fn next_message(&self) -> Message {
        let wake = self
            .pipeline
            .next_wake()
            .map_or(self.next_flush, |t| t.min(self.next_flush));
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
            recv(self.results) -> msg => msg.map_or(Message::Tick, Message::Reply),
            default(timeout) => Message::Tick,
        }
    }

    fn read(&mut self, chunk: Chunk) {
        let pipeline = &mut self.pipeline;
        pipeline.stats().unqueued(chunk.events);
        let each = |item: Item| {
            #[cfg(feature = "test-hooks")]
            if let Item::Event(crate::model::event::Event::Log(log)) = &item {
                panics::inject(log.message.as_bytes(), panics::PANIC_WORKER);
                if panics::lost_on_purpose(log.message.as_bytes()) {
                    return;
                }
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

    /// What the game made before asking is read first, as for a flush.
    fn export_local(&mut self, to: &std::path::Path, since_us: i64) {
        self.read_waiting();
        self.pipeline.export_local(to, since_us);
    }

    fn flush(&mut self, done: Option<Sender<()>>) {
        self.read_waiting();
        if done.is_some() {
            self.urgent = self.polled;
            self.closing.clear();
            self.pipeline.close_batches();
        } else {
            self.close_batches();
        }
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
            self.close_batches();
            self.next_flush = Instant::now() + self.flush_interval;
        }
        if let Some(&part) = self.closing.last() {
            if !self.pipeline.close_part(part) {
                self.closing.pop();
            }
        } else if self.polled {
            self.pipeline.close_one_full();
        }
        self.dispatch();
        self.pipeline.after_each_step();
    }

    /// Thread delivery closes every batch at once. Frame delivery closes
    /// one signal's a slice (`after_each_message`): each is an encode, and
    /// all at once took a frame more than a slice's time.
    fn close_batches(&mut self) {
        if self.polled {
            self.closing = ClosePart::ALL.iter().rev().copied().collect();
        } else {
            self.pipeline.close_batches();
        }
    }

    /// Starts requests: on every lane that may send, or with frame
    /// delivery one a slice (starting one may encode a metrics snapshot).
    fn dispatch(&mut self) {
        let spread = self.polled && !std::mem::take(&mut self.urgent);
        self.pipeline.dispatch(spread.then_some(1));
    }

    /// The next answer to a request, waiting at most until `deadline`: on
    /// the results channel, or by polling the requests (frame delivery).
    fn next_answer(&mut self, deadline: Instant) -> Option<SenderReply> {
        if !self.polled {
            return self.results.recv_timeout(clock::until(deadline)).ok();
        }
        poll_until(deadline, || {
            self.pipeline.poll_lanes();
            self.results.try_recv().ok()
        })
    }

    /// Sends what is left, waits for answers until `deadline`, then counts
    /// everything still unsent as dropped for `reason`. When tracking was
    /// disabled nothing is sent: everything is counted at once.
    fn shutdown(&mut self, deadline: Instant, reason: DropReason) {
        self.pipeline.begin_shutdown();
        self.read_waiting();
        self.pipeline.end_session(reason == DropReason::Shutdown);
        self.closing.clear();
        self.pipeline.close_batches();
        if reason == DropReason::Shutdown {
            loop {
                self.pipeline.dispatch(None);
                if self.pipeline.idle() {
                    break;
                }
                match self.next_answer(deadline) {
                    Some(result) => self.pipeline.on_reply(result),
                    None => break,
                }
            }
        }
        self.read_waiting();
        self.pipeline.finish_shutdown(reason);
    }
}

/// Frame delivery's way of waiting: `attempt` every `ANSWER_POLL_INTERVAL`
/// until it gives something or `deadline` passes.
pub(crate) fn poll_until<T>(
    deadline: Instant,
    mut attempt: impl FnMut() -> Option<T>,
) -> Option<T> {
    // On the Web a request is answered only after the frame returns to the
    // browser: a wait would freeze the page for all of its length and never
    // see an answer. One attempt, then what there is.
    #[cfg(target_family = "wasm")]
    let deadline = deadline.min(Instant::now());
    loop {
        if let Some(found) = attempt() {
            return Some(found);
        }
        let now = Instant::now();
        if now >= deadline {
            return None;
        }
        thread::sleep(ANSWER_POLL_INTERVAL.min(deadline - now));
    }
}
