//! `GameTracker.init({...})` options: names, defaults (each with its reason)
//! and validation. Bad input becomes a `ConfigError` naming the key; the
//! tracker then stays inert and the game runs on.

use std::fmt;
use std::time::Duration;

use crate::encode::{Compression, OtlpEncoding, Protocol};
use crate::model::event::Level;
use crate::model::value::Fields;
use crate::names::named;

pub mod schema;

/// Alloy's `loki.source.api` and Loki itself serve the push API here.
pub const LOGS_PATH: &str = "/loki/api/v1/push";
/// Alloy's `prometheus.receive_http` serves only this path (Prometheus itself
/// uses `/api/v1/write`, Mimir `/api/v1/push`: set `metrics_url` for those).
pub const METRICS_PATH: &str = "/api/v1/metrics/write";
/// OTLP/HTTP's standard path (Alloy `otelcol.receiver.otlp`, Tempo, collectors).
pub const TRACES_PATH: &str = "/v1/traces";
/// With `protocol = "otlp"`, logs and metrics go to OTLP/HTTP's paths too.
pub const OTLP_LOGS_PATH: &str = "/v1/logs";
pub const OTLP_METRICS_PATH: &str = "/v1/metrics";

/// Matches the reference design: small enough that a crash loses little,
/// large enough that requests stay rare.
pub const DEFAULT_FLUSH_INTERVAL: Duration = Duration::from_secs(5);
/// Below this a flush timer would cost more than the batching saves.
pub const MIN_FLUSH_INTERVAL: Duration = Duration::from_millis(50);
/// A batch this large is sent at once instead of waiting for the timer: keeps
/// request bodies well under receivers' limits (Loki's default 4 MiB gRPC cap
/// behind Alloy) even with big log lines.
pub const DEFAULT_BATCH_SIZE: usize = 1_000;
/// With frame delivery a batch is encoded on the game's thread in one go
/// when it closes: at most this many events, so that closing one fits a
/// frame's slice (about 0.1 ms for 100 logs, compressed), however large
/// `batch_size` is.
pub const FRAME_BATCH_SIZE: usize = 100;
/// 10k queued events is two seconds at 5k events/s and at most a few MB, so a
/// stalled worker neither loses a burst nor grows memory without bound.
pub const DEFAULT_QUEUE_CAPACITY: usize = 10_000;
/// Receivers answer in milliseconds; 10 s only bounds a black-holed connection.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long quitting (or dropping a `Tracker`) waits for the last batches
/// at most: enough for a healthy receiver to answer, short enough that a
/// dead network never holds up exit.
pub const DEFAULT_QUIT_TIMEOUT: Duration = Duration::from_secs(2);
/// Longest a game may be kept from quitting (or pausing) while the last
/// events are sent: past this, players notice.
pub const MAX_QUIT_TIMEOUT: Duration = Duration::from_secs(30);
/// A batch the receiver has not taken after this long (retried with backoff
/// meanwhile) is dropped as `retry_exhausted`: ten minutes rides out a
/// restart or a dropped Wi-Fi, and data much older is rarely worth the
/// player's bandwidth. Within Loki's and Prometheus' acceptance windows.
pub const DEFAULT_MAX_RETRY_AGE: Duration = Duration::from_secs(600);
/// Bytes of events handed to the worker and not yet read by it: with
/// `queue_capacity` this bounds the queue even when every event carries a
/// megabyte of text (the worker reads far faster than a game logs, so the
/// queue is near empty unless the worker is starved of CPU).
pub const DEFAULT_MAX_QUEUE_BYTES: usize = 16 * 1024 * 1024;
/// Batches waiting for their turn per signal (bodies, and the events kept to
/// split one after a 413); beyond this the oldest batch is dropped and
/// counted, so a dead receiver cannot grow memory forever.
pub const DEFAULT_MAX_BACKLOG_BYTES: usize = 8 * 1024 * 1024;
/// The largest request body sent: nginx's default `client_max_body_size`
/// (1 MiB), the smallest cap an edge in front of the receivers commonly
/// has; Alloy's OTLP receiver takes 20 MiB, Loki 4 MiB behind it.
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 1024 * 1024;
/// How many breadcrumbs a session keeps unless `breadcrumbs` says otherwise:
/// Sentry's default, enough for the minute before an error at a few a second.
pub const DEFAULT_BREADCRUMBS: usize = 50;
/// The shortest frame a hitch can be unless `hitch_threshold_ms` says
/// otherwise: two frames at 60 Hz, a stutter players see, and at 30 Hz no
/// frame that merely keeps the target.
pub const MIN_AUTO_HITCH: Duration = Duration::from_millis(33);
/// How many target frame times make a hitch (at least [`MIN_AUTO_HITCH`]):
/// a frame the display showed twice.
pub const HITCH_FACTOR: f64 = 2.0;
/// A frame this long is frozen: the game stopped answering, which Android's
/// vitals and Bugsnag call a frozen frame.
pub const DEFAULT_FROZEN_FRAME: Duration = Duration::from_millis(700);
/// Hitches reported per minute; past it they are counted (`hitch_limit`),
/// so a game that hitches every frame on a slow machine sends a sample,
/// not a flood.
pub const DEFAULT_MAX_HITCHES_PER_MINUTE: usize = 30;
/// Prometheus (and Mimir without an out-of-order window) refuses samples
/// older than its in-memory head block, which spans the last 1–3 hours: past
/// an hour a replayed snapshot is likely refused, so it is not sent. The
/// default of `max_metrics_replay_age`: a receiver with an
/// `out_of_order_time_window` takes older ones.
pub const MAX_REPLAY_AGE_METRICS: Duration = Duration::from_secs(3600);
/// The lowest a 413 can push a signal's cap: below this a request holds
/// little more than its envelope, and a receiver that refuses it is
/// refusing everything (its answer is then worth a warning, not more halves).
pub const MIN_REQUEST_BYTES: usize = 1024;

/// Disk the offline spool may use: at a typical 10 events/s with 200-byte
/// lines this holds days of play, and it is a small share of any device.
pub const DEFAULT_MAX_SPOOL_BYTES: usize = 32 * 1024 * 1024;
/// Small enough to attach to a bug report, large enough for a long session
/// of ordinary logging (about 20k lines of 200 bytes).
pub const DEFAULT_MAX_JSONL_BYTES: usize = 4 * 1024 * 1024;
/// The local store's cap: the local-first design's figure for a client,
/// months of a typical game's events, a small share of any device's disk.
pub const DEFAULT_MAX_LOCAL_STORE_BYTES: usize = 100 * 1024 * 1024;
/// How long the local store keeps a row: a month of playtests.
pub const DEFAULT_MAX_LOCAL_STORE_AGE: Duration = Duration::from_secs(30 * 86_400);
/// Series one session may create; each is a row in the receiver's index.
pub const DEFAULT_MAX_SERIES: usize = 2_000;
/// The label that keeps two sessions' series apart (docs/protocols.md#one-series-per-session). `instance` is
/// Prometheus' own name for "which producer wrote this".
pub const DEFAULT_SESSION_LABEL: &str = "instance";
/// Milliseconds-scale buckets: game timings (frame, load, request) are
/// usually measured in ms, where Prometheus' seconds defaults would put every
/// observation into `+Inf`.
pub const DEFAULT_HISTOGRAM_BUCKETS: [f64; 12] = [
    1.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0,
];

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Base URL the per-signal URLs default from.
    pub endpoint: Option<String>,
    pub logs_url: Option<String>,
    pub metrics_url: Option<String>,
    pub traces_url: Option<String>,
    /// When set and a signal has no URL, its request bodies are written here.
    pub output_dir: Option<String>,
    pub headers: Vec<(String, String)>,
    pub game: String,
    pub version: String,
    pub environment: String,
    pub flush_interval: Duration,
    pub batch_size: usize,
    pub queue_capacity: usize,
    pub request_timeout: Duration,
    pub max_backlog_bytes: usize,
    /// Each request body at most this (`request_cap.rs`).
    pub max_request_bytes: usize,
    pub max_queue_bytes: usize,
    pub max_series: usize,
    pub session_label: String,
    pub histogram_buckets: Vec<f64>,
    pub compression: Compression,
    pub max_retry_age: Duration,
    pub quit_timeout: Duration,
    /// Keep batches that could not be sent (retry budget spent, backlog
    /// overflow, pending at quit) in `spool_dir` and send them next launch.
    pub spool: bool,
    /// The engine layer points this into `user://` when `spool` is on.
    pub spool_dir: Option<String>,
    pub max_spool_bytes: usize,
    /// Spooled metrics older than this are not replayed (`too_old`).
    pub max_metrics_replay_age: Duration,
    /// Session events, `game_sessions_total` and the crash marker
    /// (docs/release-health.md).
    pub release_health: bool,
    /// The tracker's own counters sent as `gametracker_*` metrics at each
    /// flush (`self_metrics.rs`).
    pub self_metrics: bool,
    /// Where the session markers live; the engine layer points it into
    /// `user://`. Without one, sessions are counted but deaths go unseen.
    pub session_dir: Option<String>,
    /// How many breadcrumbs error logs and crash reports carry (0: none).
    pub breadcrumbs: usize,
    /// Slow frames caught with what ran in them (`crate::hitches`).
    pub hitches: HitchConfig,
    /// Share of sessions that send anything (0..=1), drawn once per session.
    pub sample_rate: f64,
    /// Log lines below this level are dropped as `filtered`.
    pub min_level: Level,
    /// Log messages, metric names and span names to drop as `filtered`; a
    /// trailing `*` matches a prefix.
    pub drop_names: Vec<String>,
    /// Signals with no URL (and no `output_dir`) are written here as JSON
    /// lines; the engine layer sets it to `user://…` when no endpoint is set.
    pub jsonl_dir: Option<String>,
    pub max_jsonl_bytes: usize,
    /// When the local store (`store/`) is written: `Auto`, with no URL and
    /// no `output_dir` for any signal.
    pub local_store: LocalStoreMode,
    /// Where `telemetry.db` lives; the engine layer puts it in `user://`.
    pub local_store_dir: Option<String>,
    /// The oldest rows go past this size (`store/retention.rs`).
    pub max_local_store_bytes: usize,
    /// Rows older than this go.
    pub max_local_store_age: Duration,
    pub protocol: Protocol,
    pub otlp_encoding: OtlpEncoding,
    /// Where the worker's loop runs and how requests wait for answers.
    pub delivery: Delivery,
    /// The keys the engine layer acts on (GDScript reads them through
    /// `GameTrackerClient.engine_options()`).
    pub engine: EngineOptions,
}

/// Hitch capture: the engine layer times frames, the worker reports them.
#[derive(Debug, Clone, PartialEq)]
pub struct HitchConfig {
    /// `capture_hitches`.
    pub capture: bool,
    /// `hitch_threshold_ms`; `None`: [`HITCH_FACTOR`] target frame times,
    /// at least [`MIN_AUTO_HITCH`] ([`HitchConfig::threshold`]).
    pub threshold: Option<Duration>,
    /// `frozen_frame_ms`; `None`: no frame is called frozen.
    pub frozen: Option<Duration>,
    pub max_per_minute: usize,
}

impl HitchConfig {
    /// The threshold for a game that aims at `target_frame` per frame.
    pub fn threshold(&self, target_frame: Duration) -> Duration {
        self.threshold
            .unwrap_or_else(|| target_frame.mul_f64(HITCH_FACTOR).max(MIN_AUTO_HITCH))
    }
}

/// `init` keys that the engine layer acts on, not the core: parsed here
/// with their defaults, like every other key.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineOptions {
    /// Player consent at start (`enabled`); `false` starts disabled.
    pub enabled: bool,
    /// Frame times, hitches and the engine's monitors (`vitals`).
    pub vitals: bool,
    /// The key that shows and hides the in-game overlay ("" for none).
    pub overlay_key: String,
    pub capture_errors: CaptureErrors,
}

/// When engine and script errors become logs (`capture_errors`).
/// When the local store is written (`local_store`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalStoreMode {
    /// When nothing is sent anywhere: no URL, no `output_dir`. A game with
    /// no server still gets answers to its questions.
    Auto,
    /// Beside the receivers too: what they do not get, the store still has.
    On,
    Off,
}

named!(LocalStoreMode { Auto "auto", On "on", Off "off" });

/// Where the worker's one loop runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// On a worker thread, each signal's requests on a sender thread of its
    /// own, blocking there: the main thread only hands events over.
    Thread,
    /// On the main thread, a bounded slice each frame at the hand-over,
    /// requests polled without waiting: for platforms without threads (the
    /// Web worker runs the core this way, a slice at each hand-over).
    Frame,
}

named!(Delivery { Thread "thread", Frame "frame" });

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureErrors {
    /// The default: a developer sees their own errors in the backend while
    /// testing, and a shipped game does not send every player's.
    DebugBuilds,
    Always,
    Never,
}

named!(CaptureErrors { DebugBuilds "debug builds", Always "always", Never "never" });

impl CaptureErrors {
    /// Whether errors are captured in this build.
    pub fn on(self, debug_build: bool) -> bool {
        match self {
            CaptureErrors::DebugBuilds => debug_build,
            CaptureErrors::Always => true,
            CaptureErrors::Never => false,
        }
    }
}

/// Where one signal's events go. Decided here, from the parsed
/// configuration, for the worker's routes and the engine's message alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination<'a> {
    /// An HTTP receiver: the signal's URL, or one derived from `endpoint`.
    Url(&'a str),
    /// Request bodies as files (`output_dir`).
    Folder(&'a str),
    /// One JSON line per event (`jsonl_dir`).
    JsonLines(&'a str),
    /// Nowhere: counted as `no_destination`.
    Nowhere,
}

impl Config {
    /// Zeros, before the defaults are applied.
    fn blank() -> Config {
        Config {
            endpoint: None,
            logs_url: None,
            metrics_url: None,
            traces_url: None,
            output_dir: None,
            headers: Vec::new(),
            game: String::new(),
            version: String::new(),
            environment: String::new(),
            flush_interval: Duration::ZERO,
            batch_size: 0,
            queue_capacity: 0,
            request_timeout: Duration::ZERO,
            max_backlog_bytes: 0,
            max_request_bytes: 0,
            max_queue_bytes: 0,
            max_series: 0,
            session_label: String::new(),
            histogram_buckets: Vec::new(),
            compression: Compression::None,
            max_retry_age: Duration::ZERO,
            quit_timeout: Duration::ZERO,
            spool: false,
            spool_dir: None,
            max_spool_bytes: 0,
            max_metrics_replay_age: Duration::ZERO,
            release_health: false,
            self_metrics: false,
            session_dir: None,
            breadcrumbs: 0,
            hitches: HitchConfig {
                capture: false,
                threshold: None,
                frozen: None,
                max_per_minute: 0,
            },
            sample_rate: 0.0,
            min_level: Level::Debug,
            drop_names: Vec::new(),
            jsonl_dir: None,
            max_jsonl_bytes: 0,
            local_store: LocalStoreMode::Off,
            local_store_dir: None,
            max_local_store_bytes: 0,
            max_local_store_age: Duration::ZERO,
            protocol: Protocol::Native,
            otlp_encoding: OtlpEncoding::Json,
            delivery: Delivery::Thread,
            engine: EngineOptions {
                enabled: false,
                vitals: false,
                overlay_key: String::new(),
                capture_errors: CaptureErrors::Never,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    pub problems: Vec<(String, String)>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "GameTracker.init: invalid configuration, tracker stays disabled: "
        )?;
        let parts: Vec<String> = self
            .problems
            .iter()
            .map(|(k, m)| format!("'{k}' {m}"))
            .collect();
        write!(f, "{}", parts.join("; "))
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// True when this signal travels as OTLP (and follows OTLP's retry rules).
    /// The most events a batch holds: `batch_size`, and with frame delivery
    /// on the game's thread at most [`FRAME_BATCH_SIZE`] (a batch is encoded
    /// there when it closes). The Web worker delivers in frames too, but on
    /// a thread of its own: its batches are `batch_size`'s.
    pub fn batch_limit(&self) -> usize {
        match self.delivery {
            Delivery::Frame if !cfg!(target_family = "wasm") => {
                self.batch_size.min(FRAME_BATCH_SIZE)
            }
            _ => self.batch_size,
        }
    }

    pub fn speaks_otlp(&self, signal: crate::stats::Signal) -> bool {
        signal == crate::stats::Signal::Traces || self.protocol == Protocol::Otlp
    }

    /// The spool folder when spooling is on.
    pub fn spool_dir(&self) -> Option<&str> {
        self.spool_dir.as_deref().filter(|_| self.spool)
    }

    /// The local store's folder, when it is written.
    pub fn local_store_dir(&self) -> Option<&str> {
        use crate::stats::Signal;
        let sends =
            self.output_dir.is_some() || Signal::ALL.iter().any(|s| self.url_for(*s).is_some());
        match self.local_store {
            LocalStoreMode::Off => None,
            LocalStoreMode::On => self.local_store_dir.as_deref(),
            LocalStoreMode::Auto => self.local_store_dir.as_deref().filter(|_| !sends),
        }
    }

    /// A signal's URL wins, then `output_dir`, then the JSON-lines file.
    pub fn destination(&self, signal: crate::stats::Signal) -> Destination<'_> {
        match (self.url_for(signal), &self.output_dir, &self.jsonl_dir) {
            (Some(url), _, _) => Destination::Url(url),
            (None, Some(dir), _) => Destination::Folder(dir),
            (None, None, Some(dir)) => Destination::JsonLines(dir),
            (None, None, None) => Destination::Nowhere,
        }
    }

    pub fn url_for(&self, signal: crate::stats::Signal) -> Option<&str> {
        use crate::stats::Signal::*;
        match signal {
            Logs => self.logs_url.as_deref(),
            Metrics => self.metrics_url.as_deref(),
            Traces => self.traces_url.as_deref(),
        }
    }
}

/// True when one of `patterns` (exact, or a prefix ending in `*`) names `name`.
pub fn matches_any(patterns: &[String], name: &str) -> bool {
    patterns
        .iter()
        .any(|pattern| match pattern.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name == pattern,
        })
}
