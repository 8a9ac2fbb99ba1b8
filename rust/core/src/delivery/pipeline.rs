//! What happens to an event after the worker read it:
//!
//! ```text
//! event ─► Batcher::admit ─► route ─┬─ Lane:       Batcher::add ─► batch ─► Lane::push ─► dispatch ─► sender thread
//!          (filters, metric rules)  ├─ JsonLines:  one line in events.jsonl
//!                │                  └─ Nowhere:    dropped as no_destination
//!                └─► LocalStore::add (a copy in telemetry.db, whatever the route)
//! ```
//!
//! Every event ends counted exactly once: sent, dropped for a reason,
//! spooled, or still pending.

use crate::clock::Instant;
use std::sync::Arc;

use crossbeam_channel::Sender;

use crate::config::Config;
use crate::delivery::batcher::Batcher;
use crate::delivery::destination::Route;
use crate::delivery::lane::Lane;
use crate::delivery::leftovers::Leftovers;
use crate::delivery::reply::{BatchReply, SenderReply};
use crate::delivery::request_cap::Fitted;
use crate::delivery::self_metrics::{SelfMetrics, SpoolSize};
use crate::diagnostics::Diagnostics;
use crate::encode::Payload;
use crate::handover::record::Item;
use crate::health::SessionHealth;
use crate::hitches::{HitchReport, Hitches, Outcome as HitchOutcome, FRAME_TIME_METRIC};
use crate::model::event::Event;
use crate::model::session::Session;
use crate::sinks::jsonl::JsonlSink;
use crate::sinks::spool::Spool;
#[cfg(not(target_family = "wasm"))]
use crate::sinks::store::LocalStore;
use crate::stats::{DropReason, Signal, Stats};
use crate::transport::http_target::MakePolledHttp;

pub(crate) struct Pipeline {
    batcher: Batcher,
    /// Indexed by `Signal::index`.
    routes: [Route; 3],
    jsonl: Option<JsonlSink>,
    /// `local_store`: every admitted event, beside its route.
    #[cfg(not(target_family = "wasm"))]
    store: Option<LocalStore>,
    leftovers: Leftovers,
    /// `flush_and_wait` callers, answered when everything was answered.
    waiters: Vec<Sender<()>>,
    /// Set by shutdown: one last attempt each, no backoff, no retries.
    shutting_down: bool,
    /// Session events, breadcrumbs and the crash marker (`release_health`).
    health: Option<SessionHealth>,
    /// Slow frames reported with what ran in them (`capture_hitches`).
    hitches: Option<Hitches>,
    /// The tracker's own counters as metrics (`self_metrics`), when they
    /// have a lane to go out on.
    own_metrics: Option<SelfMetrics>,
    /// The lane `dispatch` asks first: they take turns.
    first_lane: usize,
}

/// The parts of closing every batch, one signal each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClosePart {
    /// Whether a snapshot is due (with the tracker's own counters, and the
    /// JSON-lines file written out).
    Metrics,
    Logs,
    Traces,
}

impl ClosePart {
    pub const ALL: [ClosePart; 3] = [ClosePart::Metrics, ClosePart::Logs, ClosePart::Traces];

    fn signal(self) -> Signal {
        match self {
            ClosePart::Metrics => Signal::Metrics,
            ClosePart::Logs => Signal::Logs,
            ClosePart::Traces => Signal::Traces,
        }
    }
}

impl Pipeline {
    /// `sampled`: false when `sample_rate` left this session out (it sends
    /// no session events either).
    pub fn new(
        config: &Config,
        session: Session,
        sampled: bool,
        stats: Arc<Stats>,
        mut diagnostics: Diagnostics,
        results: &Sender<SenderReply>,
        polled_http: Option<MakePolledHttp>,
    ) -> std::io::Result<Pipeline> {
        let jsonl = match config.jsonl_dir.as_deref() {
            Some(dir) => match JsonlSink::open(dir, config.max_jsonl_bytes, &session) {
                Ok(sink) => Some(sink),
                Err(e) => {
                    diagnostics.warn(format!("cannot write JSON lines to {dir}: {e}"));
                    None
                }
            },
            None => None,
        };
        let mut routes = [Route::Nowhere, Route::Nowhere, Route::Nowhere];
        for signal in Signal::ALL {
            routes[signal.index()] =
                Route::for_signal(config, signal, results, jsonl.is_some(), polled_http)?;
        }
        let spool = match config.spool_dir() {
            Some(dir) => match Spool::open(dir, config.max_spool_bytes) {
                Ok((spool, entries)) => {
                    for entry in entries {
                        // A signal with no lane this launch leaves its batches for a later one.
                        if let Some(lane) = routes[entry.signal.index()].lane() {
                            lane.add_replay(entry);
                        }
                    }
                    Some(spool)
                }
                Err(e) => {
                    diagnostics.warn(format!("spool disabled, cannot use {dir}: {e}"));
                    None
                }
            },
            None => None,
        };
        #[cfg(not(target_family = "wasm"))]
        let store = match config.local_store_dir() {
            Some(dir) if sampled => match LocalStore::open(
                std::path::Path::new(dir),
                config,
                &session,
                stats.store.clone(),
                &mut diagnostics,
            ) {
                Ok(store) => Some(store),
                Err(e) => {
                    diagnostics.warn(format!("local store disabled: {e}"));
                    None
                }
            },
            _ => None,
        };
        let started = if sampled {
            SessionHealth::start(config, &session, &mut diagnostics)
        } else {
            None
        };
        let (health, first_events) =
            started.map_or((None, Vec::new()), |(h, events)| (Some(h), events));
        // Only a sampled session with a metrics lane (not JSON lines, not nowhere).
        let own_metrics = (config.self_metrics
            && sampled
            && routes[Signal::Metrics.index()].lane_ref().is_some())
        .then(SelfMetrics::default);
        let mut pipeline = Pipeline {
            batcher: Batcher::new(config, session),
            routes,
            jsonl,
            #[cfg(not(target_family = "wasm"))]
            store,
            leftovers: Leftovers {
                spool,
                stats,
                diagnostics,
            },
            waiters: Vec::new(),
            shutting_down: false,
            health,
            hitches: Hitches::new(&config.hitches),
            own_metrics,
            first_lane: 0,
        };
        for event in first_events {
            pipeline.emit(event);
        }
        Ok(pipeline)
    }

    /// One record read from the queue: an event, or a note for the
    /// session's health.
    pub fn accept_item(&mut self, item: Item) {
        match item {
            Item::Event(event) => self.accept(event),
            Item::Note(note) => {
                #[cfg(not(target_family = "wasm"))]
                if let Some(store) = self.store.as_mut() {
                    store.note(&note);
                }
                if let Some(outcome) = self.hitches.as_mut().and_then(|h| h.note(&note)) {
                    self.report_hitch(outcome);
                }
                if let Some(health) = self.health.as_mut() {
                    health.note(note);
                }
            }
        }
    }

    /// One event the game made.
    pub fn accept(&mut self, mut event: Event) {
        if let Some(health) = self.health.as_mut() {
            health.observe(&mut event);
        }
        let signal = event.signal();
        let event = match self.batcher.admit(event, &mut self.leftovers.diagnostics) {
            Ok(event) => event,
            Err(reason) => return self.leftovers.stats.dropped(signal, reason, 1),
        };
        if let Some(hitches) = self.hitches.as_mut() {
            hitches.observe(&event);
        }
        self.store(&event);
        self.route(event);
    }

    /// A hitch's log line and span go out like release health's events;
    /// past the minute's budget both are counted (`hitch_limit`).
    fn report_hitch(&mut self, outcome: HitchOutcome) {
        match outcome {
            HitchOutcome::Reported(report) => {
                let HitchReport {
                    log,
                    span,
                    exemplar,
                    labels,
                } = *report;
                self.batcher
                    .add_exemplar(FRAME_TIME_METRIC, &labels, exemplar);
                self.emit(log);
                self.emit(span);
            }
            HitchOutcome::OverBudget => {
                for signal in [Signal::Logs, Signal::Traces] {
                    self.leftovers.stats.produced(signal, 1);
                    self.leftovers
                        .stats
                        .dropped(signal, DropReason::HitchLimit, 1);
                }
            }
        }
    }

    /// One event the SDK itself made (release health): counted as produced,
    /// and not filtered, since it is not the game's to filter.
    fn emit(&mut self, event: Event) {
        self.leftovers.stats.produced(event.signal(), 1);
        self.store(&event);
        self.route(event);
    }

    /// The local store's copy; a commit when enough rows wait.
    fn store(&mut self, event: &Event) {
        #[cfg(not(target_family = "wasm"))]
        if let Some(store) = self.store.as_mut() {
            if store.add(event, &mut self.leftovers.diagnostics) {
                self.commit_store();
            }
        }
        #[cfg(target_family = "wasm")]
        let _ = event;
    }

    /// `export_local`: the report goes to `get_stats()`, a failure to the
    /// game's output too.
    pub fn export_local(&mut self, to: &std::path::Path, since_us: i64) {
        let result = {
            #[cfg(not(target_family = "wasm"))]
            match self.store.as_mut() {
                Some(store) => store.export(to, since_us),
                None => Err("there is no local store (local_store)".to_string()),
            }
            #[cfg(target_family = "wasm")]
            Err::<u64, String>({
                let _ = since_us;
                "there is no local store on the Web".to_string()
            })
        };
        let path = to.display().to_string();
        let report = match result {
            Ok(rows) => crate::stats::ExportReport {
                path,
                rows,
                error: String::new(),
            },
            Err(error) => {
                self.leftovers
                    .diagnostics
                    .warn(format!("export_local: {error}"));
                crate::stats::ExportReport {
                    path,
                    rows: 0,
                    error,
                }
            }
        };
        self.leftovers.stats.store.exported(report);
    }

    /// Writes what waits for the local store; a failure is reported once a
    /// commit (its rows wait for the next one).
    fn commit_store(&mut self) {
        #[cfg(not(target_family = "wasm"))]
        if let Some(store) = self.store.as_mut() {
            if let Err(e) = store.commit() {
                self.leftovers.diagnostics.warn_once("local_store_write", e);
            }
        }
    }

    /// The session ends: `clean` (quit, `shutdown`) sends `session_end`;
    /// consent withdrawn sends nothing. Either way its marker goes.
    pub fn end_session(&mut self, clean: bool) {
        if let Some(health) = self.health.take() {
            for event in health.end(clean) {
                self.emit(event);
            }
        }
    }

    /// What this session would still send if the page it runs for went
    /// now: the logs and spans no receiver has answered (in flight, waiting,
    /// still batching) and the session's clean end, the newest that fit in
    /// `budget` bytes a request. Nothing changes: the Web page keeps these
    /// to send itself when it goes, since a browser stops the worker then.
    /// The end's metric update (`game_sessions_total`) is not among them.
    pub fn farewell(&self, budget: usize) -> Vec<(Signal, Payload)> {
        let (mut logs, mut spans) = (Vec::new(), Vec::new());
        for route in &self.routes {
            if let Some(lane) = route.lane_ref() {
                lane.unanswered(&mut logs, &mut spans);
            }
        }
        let end = self
            .health
            .iter()
            .flat_map(|h| h.end_events())
            .filter_map(|event| match event {
                Event::Log(record) => Some(record),
                _ => None,
            });
        self.batcher.farewell(logs, spans, end.collect(), budget)
    }

    fn route(&mut self, event: Event) {
        let signal = event.signal();
        match &mut self.routes[signal.index()] {
            Route::Lane(lane) => match self.batcher.add(event, &mut self.leftovers.diagnostics) {
                Ok(Some(fitted)) => push_fitted(
                    lane,
                    fitted,
                    self.batcher.request_cap(signal),
                    &mut self.leftovers,
                ),
                Ok(None) => {}
                Err(reason) => self.leftovers.stats.dropped(signal, reason, 1),
            },
            Route::JsonLines => self.write_line(signal, &event),
            Route::Nowhere => self
                .leftovers
                .stats
                .dropped(signal, DropReason::NoDestination, 1),
        }
    }

    fn write_line(&mut self, signal: Signal, event: &Event) {
        let Some(sink) = self.jsonl.as_mut() else {
            return self
                .leftovers
                .stats
                .dropped(signal, DropReason::NoDestination, 1);
        };
        match sink.write(event) {
            Ok(bytes) => self.leftovers.stats.sent(signal, 1, bytes),
            Err(e) => {
                self.leftovers
                    .stats
                    .dropped(signal, DropReason::SendFailed, 1);
                let message = format!("cannot write {}: {e}", sink.path().display());
                self.leftovers.report(signal, message);
            }
        }
    }

    /// A records buffer could not be read (a bug): its events are counted,
    /// never hidden.
    pub fn unreadable(&mut self, unread: [u64; 3], error: &crate::handover::record::ReadError) {
        for signal in Signal::ALL {
            let lost = unread[signal.index()];
            if lost > 0 {
                self.leftovers
                    .stats
                    .dropped(signal, DropReason::Invalid, lost);
                self.leftovers.diagnostics.warn(format!(
                    "{lost} {} records could not be read (bug: {error})",
                    signal.as_str()
                ));
            }
        }
    }

    /// The flush timer or a flush: close every batch now.
    pub fn close_batches(&mut self) {
        for part in ClosePart::ALL {
            while self.close_part(part) {}
        }
    }

    /// One batch of a flush's part (each is an encode: frame delivery
    /// closes one a slice); true while the part has more to close.
    pub fn close_part(&mut self, part: ClosePart) -> bool {
        let batch = match part {
            ClosePart::Metrics => {
                if let Some(sink) = self.jsonl.as_mut() {
                    let _ = sink.flush();
                }
                self.commit_store();
                if let Some(own) = self.own_metrics.as_mut() {
                    let stats: Vec<_> = Signal::ALL
                        .iter()
                        .map(|s| self.leftovers.stats.read(*s))
                        .collect();
                    let spool = self.leftovers.spool.as_ref().map(|s| SpoolSize {
                        files: s.files(),
                        bytes: s.used_bytes(),
                    });
                    let updates = own.updates(&stats, spool, crate::model::event::now_unix_nano());
                    self.batcher
                        .record_own(&updates, &mut self.leftovers.diagnostics);
                }
                self.batcher.close_metrics();
                return false;
            }
            ClosePart::Logs => self.batcher.close_logs(),
            ClosePart::Traces => self.batcher.close_spans(),
        };
        let signal = part.signal();
        if let (Some(fitted), Some(lane)) = (batch, self.routes[signal.index()].lane()) {
            push_fitted(
                lane,
                fitted,
                self.batcher.request_cap(signal),
                &mut self.leftovers,
            );
        }
        self.batcher.has_open(signal)
    }

    /// Frame delivery: closes one batch that filled, if any.
    pub fn close_one_full(&mut self) {
        let part = match self.batcher.full() {
            Some(Signal::Logs) => ClosePart::Logs,
            Some(_) => ClosePart::Traces,
            None => return,
        };
        self.close_part(part);
    }

    /// Answers `done` once everything was answered.
    pub fn wait_for_idle(&mut self, done: Sender<()>) {
        self.waiters.push(done);
    }

    /// Answers the `flush_and_wait` callers once idle. Called after the
    /// worker's turn is published, so a caller reads settled counts.
    pub fn answer_waiters(&mut self) {
        if !self.waiters.is_empty() && self.idle() {
            for w in self.waiters.drain(..) {
                let _ = w.send(());
            }
        }
    }

    /// When the next lane's backoff ends, or the session marker is due.
    pub fn next_wake(&self) -> Option<Instant> {
        let lanes = self
            .routes
            .iter()
            .filter_map(|r| r.lane_ref().and_then(|l| l.wake_at()));
        lanes
            .chain(self.health.as_ref().and_then(SessionHealth::next_wake))
            .min()
    }

    /// Frame delivery: moves each lane's request in flight on; answers
    /// come back on the results channel, as a sender thread's do.
    pub fn poll_lanes(&mut self) {
        for lane in self.routes.iter_mut().filter_map(Route::lane) {
            lane.poll();
        }
    }

    /// Starts the next request on every lane that may send; with `at_most`
    /// (frame delivery: one a slice, as a metrics snapshot is encoded
    /// here), on that many, the lanes taking turns.
    pub fn dispatch(&mut self, at_most: Option<usize>) {
        let now = Instant::now();
        let mut started = 0;
        for i in 0..self.routes.len() {
            if at_most.is_some_and(|most| started >= most) {
                break;
            }
            let index = (self.first_lane + i) % self.routes.len();
            let Route::Lane(lane) = &mut self.routes[index] else {
                continue;
            };
            if !lane.may_send(now, self.shutting_down) {
                continue;
            }
            let signal = lane.signal();
            let mut next = lane.next(&mut self.leftovers, self.shutting_down);
            if next.is_none() {
                if let Some(fitted) = self.batcher.due(signal) {
                    // The lane was empty: the snapshot's first part goes now, the
                    // rest (when split to fit) after it.
                    push_fitted(
                        lane,
                        fitted,
                        self.batcher.request_cap(signal),
                        &mut self.leftovers,
                    );
                    next = lane.next(&mut self.leftovers, self.shutting_down);
                }
            }
            if let Some(batch) = next {
                lane.start(batch, &mut self.leftovers);
                started += 1;
            }
        }
        self.first_lane = (self.first_lane + 1) % self.routes.len();
    }

    /// A sender thread's answer.
    pub fn on_reply(&mut self, result: SenderReply) {
        let signal = result.signal;
        let Some(lane) = self.routes[signal.index()].lane() else {
            return;
        };
        match lane.finish(result.reply, result.payload, &mut self.leftovers) {
            BatchReply::Answered { announcing } => self.batcher.answered(signal, &announcing),
            BatchReply::Failed(batch, problem) => {
                // Quitting retries nothing, a metrics snapshot included: made
                // again at once, it would fail again at once (a refused
                // connection) until the deadline, and leave nothing to spool.
                let retry = if self.shutting_down {
                    Some(batch)
                } else {
                    self.batcher.take_back(signal, batch)
                };
                if let Some(batch) = retry {
                    lane.retry(batch, &mut self.leftovers, self.shutting_down);
                }
                self.leftovers.report(signal, problem);
            }
            BatchReply::TooLarge(batch, problem) => {
                self.leftovers.report(signal, problem);
                let fitted = self.batcher.refused(signal, batch);
                self.leftovers
                    .too_large(signal, &fitted, self.batcher.request_cap(signal));
                lane.retry_all(fitted.batches, &mut self.leftovers, self.shutting_down);
            }
            // The lane reported the panic and counted what it gave up on.
            BatchReply::GaveUp | BatchReply::Nothing => {}
        }
    }

    /// Nothing left to send.
    /// Events held, by signal index: in open batches and in the lanes.
    pub fn held(&self) -> [u64; 3] {
        let mut held = self.batcher.held();
        for lane in self.routes.iter().filter_map(Route::lane_ref) {
            held[lane.signal().index()] += lane.held_events();
        }
        held
    }

    /// The counters this pipeline (and the worker running it) count into.
    pub fn stats(&self) -> &std::sync::Arc<crate::stats::Stats> {
        &self.leftovers.stats
    }

    pub fn idle(&self) -> bool {
        self.batcher.is_empty()
            && self
                .routes
                .iter()
                .filter_map(Route::lane_ref)
                .all(|l| l.idle(self.shutting_down))
    }

    /// Publishes the bytes held; rewrites the session marker when due.
    pub fn after_each_step(&mut self) {
        if let Some(health) = self.health.as_mut() {
            health.tick(Instant::now());
        }
        for lane in self.routes.iter().filter_map(Route::lane_ref) {
            self.leftovers
                .stats
                .set_buffered_bytes(lane.signal(), lane.buffered_bytes());
        }
    }

    /// Quitting starts: one last attempt each, no backoff, no retries, and
    /// earlier launches' batches left for the next launch.
    pub fn begin_shutdown(&mut self) {
        self.shutting_down = true;
    }

    /// Counts everything still unsent as dropped for `reason` (or spools it),
    /// and with consent withdrawn deletes the spool.
    pub fn finish_shutdown(&mut self, reason: DropReason) {
        self.close_batches();
        for route in &mut self.routes {
            if let Route::Lane(lane) = route {
                lane.close(reason, &mut self.leftovers);
            }
        }
        let keep = self.leftovers.spool.is_some() && reason != DropReason::Disabled;
        // With a spool, the running totals go there as one last snapshot.
        match self.batcher.last_metrics(keep) {
            (0, _) => {}
            (_, Some(fitted)) => {
                self.leftovers.too_large(
                    Signal::Metrics,
                    &fitted,
                    self.batcher.request_cap(Signal::Metrics),
                );
                for batch in fitted.batches {
                    self.leftovers.give_up(Signal::Metrics, batch, reason);
                }
            }
            (unsent, None) => self
                .leftovers
                .stats
                .dropped(Signal::Metrics, reason, unsent),
        }
        if reason == DropReason::Disabled {
            // Consent withdrawn: nothing of this player's is kept on disk.
            if let Some(spool) = self.leftovers.spool.as_mut() {
                spool.clear();
            }
        }
        #[cfg(not(target_family = "wasm"))]
        if let Some(store) = self.store.take() {
            if reason == DropReason::Disabled {
                store.delete();
            } else if let Err(e) = store.close() {
                self.leftovers.diagnostics.warn(e);
            }
        }
        self.after_each_step();
        for w in self.waiters.drain(..) {
            let _ = w.send(());
        }
    }
}

/// Batches closed to fit the request cap join the end of the lane's line;
/// the events that could not fit are counted (`too_large`).
fn push_fitted(lane: &mut Lane, fitted: Fitted, cap: usize, leftovers: &mut Leftovers) {
    leftovers.too_large(lane.signal(), &fitted, cap);
    for batch in fitted.batches {
        lane.push(batch, leftovers);
    }
}
