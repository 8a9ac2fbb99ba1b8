//! Per-signal counters shared between the API, the worker and `get_stats()`.
//! Atomics only, so the main thread never waits on the worker to count.
//!
//! Every event is accounted for: `produced == sent + dropped + spooled +
//! pending`, where `pending` is counted apart from the other four, from
//! what actually holds events: the main thread's staging buffer, the queue
//! and what the worker holds in batches and lanes. So the identity is a
//! check: an event lost without being counted breaks it.
//!
//! The worker counts in *turns* (one message handled, then what it holds
//! published), and a snapshot is taken between two turns, retried a few
//! times when the worker is in one: within a turn an event can be taken
//! from the queue and not yet be in a batch.

use std::sync::atomic::{fence, AtomicU64, Ordering, Ordering::Relaxed};
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Signal {
    Logs,
    Metrics,
    Traces,
}

impl Signal {
    pub const ALL: [Signal; 3] = [Signal::Logs, Signal::Metrics, Signal::Traces];
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Logs => "logs",
            Signal::Metrics => "metrics",
            Signal::Traces => "traces",
        }
    }
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Why an event did not reach its receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// The channel between the game and the worker was full.
    QueueFull,
    /// Batches waiting for their turn exceeded the backlog bound.
    BacklogFull,
    /// The receiver answered with a 4xx (other than 429): retrying cannot help.
    Rejected,
    /// Could not be handed to its destination: the sender thread was gone
    /// (a bug) or the JSON-lines file could not be written. Failed requests
    /// are retried, see `RetryExhausted`.
    SendFailed,
    /// Retried until `max_retry_age` without success.
    RetryExhausted,
    /// One event whose request alone is larger than the receiver takes:
    /// over `max_request_bytes` when encoded, or refused with a 413 when
    /// it was sent by itself (larger batches are split and sent again).
    TooLarge,
    /// The event itself was unusable (e.g. a metric with no valid name).
    Invalid,
    /// A metric would have created more series than `max_series` allows.
    SeriesLimit,
    /// The signal has no URL (and no `output_dir`) configured.
    NoDestination,
    /// The tracker was shut down (or its worker was gone) before sending.
    Shutdown,
    /// Tracking was turned off (`set_enabled(false)`, player consent): what
    /// was not sent yet is dropped unsent, and so are later calls.
    Disabled,
    /// The spool folder was at `max_spool_bytes`: the batch was not kept.
    SpoolFull,
    /// A spooled batch older than its receiver accepts (see
    /// `spool::max_replay_age`) was deleted at replay instead of sent.
    TooOld,
    /// The session was not picked by `sample_rate`: it sends nothing.
    Unsampled,
    /// Below `min_level`, or named in `drop_names`.
    Filtered,
    /// Held by one of the tracker's threads when it panicked (a bug): a
    /// lane's sender thread (that lane gives up on what it held and on
    /// what comes after), or the worker (everything not yet sent, and every
    /// later call). See `Stats::thread_panics`.
    ThreadPanicked,
    /// A hitch's log line and span past `max_hitches_per_minute`.
    HitchLimit,
}

impl DropReason {
    pub const ALL: [DropReason; 17] = [
        DropReason::QueueFull,
        DropReason::BacklogFull,
        DropReason::Rejected,
        DropReason::SendFailed,
        DropReason::RetryExhausted,
        DropReason::TooLarge,
        DropReason::Invalid,
        DropReason::SeriesLimit,
        DropReason::NoDestination,
        DropReason::Shutdown,
        DropReason::Disabled,
        DropReason::SpoolFull,
        DropReason::TooOld,
        DropReason::Unsampled,
        DropReason::Filtered,
        DropReason::ThreadPanicked,
        DropReason::HitchLimit,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::QueueFull => "queue_full",
            DropReason::BacklogFull => "backlog_full",
            DropReason::Rejected => "rejected",
            DropReason::SendFailed => "send_failed",
            DropReason::RetryExhausted => "retry_exhausted",
            DropReason::TooLarge => "too_large",
            DropReason::Invalid => "invalid",
            DropReason::SeriesLimit => "series_limit",
            DropReason::NoDestination => "no_destination",
            DropReason::Shutdown => "shutdown",
            DropReason::Disabled => "disabled",
            DropReason::SpoolFull => "spool_full",
            DropReason::TooOld => "too_old",
            DropReason::Unsampled => "unsampled",
            DropReason::Filtered => "filtered",
            DropReason::ThreadPanicked => "thread_panicked",
            DropReason::HitchLimit => "hitch_limit",
        }
    }
}

#[derive(Default)]
struct SignalCounters {
    produced: AtomicU64,
    sent: AtomicU64,
    requests: AtomicU64,
    failed_requests: AtomicU64,
    bytes_sent: AtomicU64,
    dropped: [AtomicU64; DropReason::ALL.len()],
    spooled: AtomicU64,
    replayed: AtomicU64,
    /// Handed to the worker and not yet read by it.
    queued: AtomicU64,
    /// In the worker's batches and lanes, as of its last turn.
    held: AtomicU64,
    buffered_bytes: AtomicU64,
    last_error: Mutex<String>,
}

/// How many times a snapshot is read again while the worker is in a turn
/// before it is given as it is (`SignalStats::settled` false): a turn is
/// usually microseconds, and the game's thread must never wait out a long
/// one (an encode, a shutdown).
const SETTLE_TRIES: usize = 64;
/// Test builds: how long a snapshot waits for the worker to end a turn.
#[cfg(feature = "test-hooks")]
const TEST_SETTLE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(5);

#[derive(Default)]
pub struct Stats {
    signals: [SignalCounters; 3],
    /// Odd while the worker is in a turn (a sequence lock: a snapshot read
    /// between the same even value twice is one the worker did not change).
    turn: AtomicU64,
    /// Panics caught on the tracker's threads (`panics.rs`).
    thread_panics: AtomicU64,
    pub store: std::sync::Arc<StoreStats>,
}

/// The local store's counters (`store/`): a copy beside each event's
/// route, so outside the signals' accounting. Rows, not events: a log or a
/// span is one row, a metric series one row per flush that changed it.
#[derive(Default)]
pub struct StoreStats {
    path: Mutex<String>,
    rows_written: AtomicU64,
    /// Rows that never reached the file, by reason.
    lost_full: AtomicU64,
    lost_failed: AtomicU64,
    lost_disabled: AtomicU64,
    file_bytes: AtomicU64,
    last_error: Mutex<String>,
    last_export: Mutex<Option<ExportReport>>,
}

/// What the last `export_local` wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportReport {
    pub path: String,
    pub rows: u64,
    /// Empty when it was written.
    pub error: String,
}

/// A copy of [`StoreStats`] for `get_stats()`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoreSnapshot {
    /// Empty when there is no store.
    pub path: String,
    pub rows_written: u64,
    /// `store_full` (rows waiting past `store::MAX_WAITING_ROWS`),
    /// `write_failed` (not written when quitting), `disabled` (consent
    /// withdrawn: the file was deleted).
    pub lost: Vec<(&'static str, u64)>,
    /// The file with its write-ahead log, at the last commit.
    pub file_bytes: u64,
    pub last_error: String,
    pub last_export: Option<ExportReport>,
}

impl StoreStats {
    pub fn opened(&self, path: &std::path::Path) {
        if let Ok(mut p) = self.path.lock() {
            *p = path.display().to_string();
        }
    }
    pub fn written(&self, rows: u64, file_bytes: u64) {
        self.rows_written.fetch_add(rows, Relaxed);
        self.file_bytes.store(file_bytes, Relaxed);
    }
    pub fn lost_full(&self, rows: u64) {
        self.lost_full.fetch_add(rows, Relaxed);
    }
    pub fn lost_failed(&self, rows: u64) {
        self.lost_failed.fetch_add(rows, Relaxed);
    }
    pub fn lost_disabled(&self, rows: u64) {
        self.lost_disabled.fetch_add(rows, Relaxed);
    }
    pub fn deleted(&self) {
        self.file_bytes.store(0, Relaxed);
    }
    pub fn set_last_error(&self, message: String) {
        if let Ok(mut e) = self.last_error.lock() {
            *e = message;
        }
    }
    pub fn exported(&self, report: ExportReport) {
        if let Ok(mut e) = self.last_export.lock() {
            *e = Some(report);
        }
    }
    pub fn snapshot(&self) -> StoreSnapshot {
        StoreSnapshot {
            path: self.path.lock().map(|p| p.clone()).unwrap_or_default(),
            rows_written: self.rows_written.load(Relaxed),
            lost: vec![
                ("store_full", self.lost_full.load(Relaxed)),
                ("write_failed", self.lost_failed.load(Relaxed)),
                ("disabled", self.lost_disabled.load(Relaxed)),
            ],
            file_bytes: self.file_bytes.load(Relaxed),
            last_error: self
                .last_error
                .lock()
                .map(|e| e.clone())
                .unwrap_or_default(),
            last_export: self.last_export.lock().ok().and_then(|e| e.clone()),
        }
    }
}

/// A copy of the counters for reporting. When `settled`,
/// `produced == sent + dropped_total() + spooled + pending`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SignalStats {
    /// Events accepted by the API, plus those replayed from the spool
    /// (including those later dropped).
    pub produced: u64,
    /// Events whose request the receiver acknowledged with 2xx.
    pub sent: u64,
    pub requests: u64,
    /// Requests that got no answer (network error, timeout, 5xx, 429):
    /// each batch is tried again after a backoff, or spooled or dropped.
    pub retries: u64,
    pub bytes_sent: u64,
    pub dropped: Vec<(DropReason, u64)>,
    /// Events written to the spool, to be sent by a later launch.
    pub spooled: u64,
    /// Events read back from an earlier launch's spool (part of `produced`).
    pub replayed: u64,
    /// Produced and neither sent, dropped nor spooled yet, counted where
    /// the events are: staged on the main thread, in the queue, in the
    /// worker's batches, waiting or in flight.
    pub pending: u64,
    /// Encoded bytes the worker holds for this signal: batches waiting for
    /// their turn or a retry, and the one in flight.
    pub buffered_bytes: u64,
    pub last_error: String,
    /// Read between two of the worker's turns: the counts agree with each
    /// other. False only when the worker stayed in one turn for every try
    /// (then an event being moved may be missing from `pending`).
    pub settled: bool,
}

impl SignalStats {
    pub fn dropped_total(&self) -> u64 {
        self.dropped.iter().map(|(_, n)| n).sum()
    }
    pub fn dropped(&self, reason: DropReason) -> u64 {
        self.dropped
            .iter()
            .find(|(r, _)| *r == reason)
            .map_or(0, |(_, n)| *n)
    }
    /// What the identity leaves over for `pending`: produced but not sent,
    /// dropped nor spooled. Equal to `pending` unless an event went missing;
    /// used to count what a lost worker held.
    pub fn unaccounted(&self) -> u64 {
        self.produced
            .saturating_sub(self.sent + self.dropped_total() + self.spooled)
    }
}

impl Stats {
    pub fn produced(&self, signal: Signal, events: u64) {
        self.signals[signal.index()]
            .produced
            .fetch_add(events, Relaxed);
    }
    pub fn sent(&self, signal: Signal, events: u64, bytes: u64) {
        let s = &self.signals[signal.index()];
        s.sent.fetch_add(events, Relaxed);
        s.requests.fetch_add(1, Relaxed);
        s.bytes_sent.fetch_add(bytes, Relaxed);
    }
    /// A request got no answer; its batch waits to be tried again.
    pub fn request_failed(&self, signal: Signal) {
        self.signals[signal.index()]
            .failed_requests
            .fetch_add(1, Relaxed);
    }
    pub fn dropped(&self, signal: Signal, reason: DropReason, events: u64) {
        self.signals[signal.index()].dropped[reason as usize].fetch_add(events, Relaxed);
    }
    pub fn spooled(&self, signal: Signal, events: u64) {
        self.signals[signal.index()]
            .spooled
            .fetch_add(events, Relaxed);
    }
    /// Replayed events enter the identity as produced.
    pub fn replayed(&self, signal: Signal, events: u64) {
        let s = &self.signals[signal.index()];
        s.replayed.fetch_add(events, Relaxed);
        s.produced.fetch_add(events, Relaxed);
    }
    /// The main thread hands `events` to the worker (counted before the
    /// hand-over, so the worker never takes more than was counted).
    pub fn queued(&self, events: [u64; 3]) {
        for signal in Signal::ALL {
            self.signals[signal.index()]
                .queued
                .fetch_add(events[signal.index()], Relaxed);
        }
    }
    /// The worker took `events` from the queue (in a turn), or a hand-over
    /// counted by [`Stats::queued`] did not happen.
    pub fn unqueued(&self, events: [u64; 3]) {
        for signal in Signal::ALL {
            self.signals[signal.index()]
                .queued
                .fetch_sub(events[signal.index()], Relaxed);
        }
    }
    /// The worker starts a turn: until [`Stats::end_turn`], snapshots wait
    /// or say they are not settled.
    pub fn begin_turn(&self) {
        self.turn.fetch_add(1, Relaxed);
        fence(Ordering::Release);
    }
    /// The worker ends a turn holding `held` events per signal.
    pub fn end_turn(&self, held: [u64; 3]) {
        for signal in Signal::ALL {
            self.signals[signal.index()]
                .held
                .store(held[signal.index()], Relaxed);
        }
        self.turn.fetch_add(1, Ordering::Release);
    }
    /// The worker is gone (it panicked, maybe mid-turn): what it held and
    /// what was on its way to it were counted as dropped
    /// (`Tracker::count_lost_worker`), and nothing is held any more.
    pub fn worker_lost(&self) {
        for counters in &self.signals {
            counters.queued.store(0, Relaxed);
            counters.held.store(0, Relaxed);
        }
        let turn = self.turn.load(Relaxed);
        self.turn.store(turn + turn % 2, Ordering::Release);
    }
    pub fn set_buffered_bytes(&self, signal: Signal, bytes: u64) {
        self.signals[signal.index()]
            .buffered_bytes
            .store(bytes, Relaxed);
    }
    pub fn set_last_error(&self, signal: Signal, message: impl Into<String>) {
        if let Ok(mut e) = self.signals[signal.index()].last_error.lock() {
            *e = message.into();
        }
    }
    /// One of the tracker's threads panicked (see `DropReason::ThreadPanicked`).
    pub fn thread_panicked(&self) {
        self.thread_panics.fetch_add(1, Relaxed);
    }
    pub fn thread_panics(&self) -> u64 {
        self.thread_panics.load(Relaxed)
    }
    /// The counters, read between two of the worker's turns when one ends
    /// within `SETTLE_TRIES` reads. Test builds wait for one longer
    /// (`TEST_SETTLE_PATIENCE`): a test's assertion on `pending` must not
    /// depend on when the machine ran the worker.
    pub fn snapshot(&self, signal: Signal) -> SignalStats {
        #[cfg(feature = "test-hooks")]
        let patience = crate::clock::Instant::now() + TEST_SETTLE_PATIENCE;
        let mut tries = 0;
        loop {
            if let Some(settled) = self.read_between_turns(signal) {
                return settled;
            }
            tries += 1;
            if tries < SETTLE_TRIES {
                std::hint::spin_loop();
                continue;
            }
            #[cfg(feature = "test-hooks")]
            if crate::clock::Instant::now() < patience {
                std::thread::yield_now();
                continue;
            }
            return self.read(signal);
        }
    }

    fn read_between_turns(&self, signal: Signal) -> Option<SignalStats> {
        let before = self.turn.load(Ordering::Acquire);
        if before % 2 == 1 {
            return None;
        }
        let snapshot = self.read(signal);
        fence(Ordering::Acquire);
        (self.turn.load(Relaxed) == before).then_some(SignalStats {
            settled: true,
            ..snapshot
        })
    }

    /// The counters as they are, settled or not: for the worker itself
    /// (its own self-metrics, in a turn) and for a lost worker's counts
    /// (it may have died in a turn).
    pub(crate) fn read(&self, signal: Signal) -> SignalStats {
        let s = &self.signals[signal.index()];
        let sent = s.sent.load(Relaxed);
        let spooled = s.spooled.load(Relaxed);
        let dropped = DropReason::ALL
            .iter()
            .map(|r| (*r, s.dropped[*r as usize].load(Relaxed)))
            .collect();
        SignalStats {
            produced: s.produced.load(Relaxed),
            sent,
            requests: s.requests.load(Relaxed),
            retries: s.failed_requests.load(Relaxed),
            bytes_sent: s.bytes_sent.load(Relaxed),
            dropped,
            spooled,
            replayed: s.replayed.load(Relaxed),
            pending: s.queued.load(Relaxed) + s.held.load(Relaxed),
            buffered_bytes: s.buffered_bytes.load(Relaxed),
            last_error: s.last_error.lock().map(|e| e.clone()).unwrap_or_default(),
            settled: false,
        }
    }
}
