//! Every `init` key in one table: its type, default, range, who reads it,
//! whether it names a destination, and how it shows in Project Settings.
//! The table drives parsing and defaults ([`super::Config`]), the
//! unknown-key message, the engine layer's destination and path handling,
//! and the Project Settings the editor plugin registers.

use std::time::Duration;

use super::*;
use crate::encode::{Compression, OtlpEncoding, Protocol};
use crate::model::event::Level;
use crate::model::value::Value;

/// What a value must be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// An http(s) URL, or empty for none.
    Url,
    Text,
    /// A folder; the engine layer turns `user://` into a real path.
    Folder,
    Bool,
    Seconds,
    Int,
    Number,
    /// One of these Strings.
    Choice(&'static [&'static str]),
    /// A Dictionary of String to String.
    Headers,
    /// An Array of Strings.
    Names,
    /// An Array of numbers.
    Numbers,
}

/// A default that can live in a constant table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DefaultValue {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Seconds(Duration),
    Str(&'static str),
    Numbers(&'static [f64]),
    EmptyMap,
    EmptyList,
}

impl DefaultValue {
    pub fn to_value(self) -> Value {
        match self {
            DefaultValue::None => Value::Null,
            DefaultValue::Bool(b) => Value::Bool(b),
            DefaultValue::Int(i) => Value::Int(i),
            DefaultValue::Float(f) => Value::Float(f),
            DefaultValue::Seconds(d) => Value::Float(d.as_secs_f64()),
            DefaultValue::Str(s) => Value::Str(s.into()),
            DefaultValue::Numbers(n) => Value::List(n.iter().map(|f| Value::Float(*f)).collect()),
            DefaultValue::EmptyMap => Value::Map(Vec::new()),
            DefaultValue::EmptyList => Value::List(Vec::new()),
        }
    }
}

/// How a key appears under `game_tracker/config/` in Project Settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setting {
    /// Shown without "Advanced Settings".
    pub basic: bool,
    pub hint: Hint,
    /// Godot's hint string: a range "min,max,step" or a placeholder; empty
    /// for a menu (`Hint::Enum`), whose items are the key's choices.
    pub hint_string: &'static str,
    /// The setting's own value when it differs from the key's (a String
    /// left empty to mean "from the project", an enum instead of a bool).
    pub default: Option<DefaultValue>,
    pub kind: Option<Kind>,
    /// The Project Setting an empty value stands for (`game`: the
    /// project's name), which the autoload reads (settings.gd).
    pub from_project: Option<&'static str>,
}

/// Godot's property hints that settings use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    None,
    Range,
    Enum,
    Placeholder,
}

const fn setting(basic: bool, hint: Hint, hint_string: &'static str) -> Option<Setting> {
    Some(Setting {
        basic,
        hint,
        hint_string,
        default: None,
        kind: None,
        from_project: None,
    })
}

/// A setting left empty to mean another Project Setting's value (`path`),
/// which the autoload reads; its own default is "".
const fn from_project(path: &'static str) -> Option<Setting> {
    Some(Setting {
        from_project: Some(path),
        ..derived(path)
    })
}

/// A setting left empty to mean what the autoload works out (`placeholder`
/// says what: `environment` from the build); its own default is "".
const fn derived(placeholder: &'static str) -> Setting {
    Setting {
        basic: true,
        hint: Hint::Placeholder,
        hint_string: placeholder,
        default: Some(DefaultValue::Str("")),
        kind: None,
        from_project: None,
    }
}

pub struct Key {
    pub name: &'static str,
    /// What the key does, for a user: docs/configuration.md is generated
    /// from it (rust/core/tests/config.rs).
    pub help: &'static str,
    pub kind: Kind,
    pub default: DefaultValue,
    /// Inclusive bounds of a number or count.
    pub range: Option<(f64, f64)>,
    /// The default a game gets where the core has none: a `user://` folder
    /// the engine layer fills in (the core alone has no such folder).
    pub in_game: Option<&'static str>,
    /// Names where events go: with none of these set, the engine layer
    /// writes JSON lines, and Project Settings do not start the tracker.
    pub destination: bool,
    pub setting: Option<Setting>,
    set: fn(&mut Config, &Value, &Key) -> Result<(), String>,
}

impl Key {
    /// Parses `value` into `config`, or says what is wrong with it.
    pub fn apply(&self, config: &mut Config, value: &Value) -> Result<(), String> {
        (self.set)(config, value, self)
    }
}

const fn key(
    name: &'static str,
    help: &'static str,
    kind: Kind,
    default: DefaultValue,
    set: fn(&mut Config, &Value, &Key) -> Result<(), String>,
) -> Key {
    Key {
        name,
        help,
        kind,
        default,
        range: None,
        in_game: None,
        destination: false,
        setting: None,
        set,
    }
}

const fn ranged(k: Key, min: f64, max: f64) -> Key {
    Key {
        range: Some((min, max)),
        ..k
    }
}

const fn in_game(k: Key, folder: &'static str) -> Key {
    Key {
        in_game: Some(folder),
        ..k
    }
}

const fn destination(k: Key) -> Key {
    Key {
        destination: true,
        ..k
    }
}

const fn shown(k: Key, s: Option<Setting>) -> Key {
    Key { setting: s, ..k }
}

const MAX_BYTES: f64 = usize::MAX as f64;

pub const KEYS: &[Key] = &[
    shown(
        destination(key(
            "endpoint",
            "Base URL. The three signals go to `endpoint` + `/loki/api/v1/push`, \
            `/api/v1/metrics/write` and `/v1/traces` (with `protocol: \"otlp\"`: \
            `/v1/logs`, `/v1/metrics`, `/v1/traces`): use it with a path-routing \
            proxy in front of Alloy.",
            Kind::Url,
            DefaultValue::None,
            |c, v, _| url(v).map(|u| c.endpoint = u),
        )),
        setting(true, Hint::Placeholder, "https://alloy.example.com"),
    ),
    shown(
        destination(key(
            "logs_url",
            "Full URL for logs; overrides `endpoint`. A signal with no URL is not \
            sent: its events are dropped as `no_destination` (or go to `jsonl_dir` \
            when set).",
            Kind::Url,
            DefaultValue::None,
            |c, v, _| url(v).map(|u| c.logs_url = u),
        )),
        setting(false, Hint::None, ""),
    ),
    shown(
        destination(key(
            "metrics_url",
            "Full URL for metrics; overrides `endpoint`. A signal with no URL is not \
            sent: its events are dropped as `no_destination` (or go to `jsonl_dir` \
            when set).",
            Kind::Url,
            DefaultValue::None,
            |c, v, _| url(v).map(|u| c.metrics_url = u),
        )),
        setting(false, Hint::None, ""),
    ),
    shown(
        destination(key(
            "traces_url",
            "Full URL for traces; overrides `endpoint`. A signal with no URL is not \
            sent: its events are dropped as `no_destination` (or go to `jsonl_dir` \
            when set).",
            Kind::Url,
            DefaultValue::None,
            |c, v, _| url(v).map(|u| c.traces_url = u),
        )),
        setting(false, Hint::None, ""),
    ),
    destination(key(
        "output_dir",
        "With no URL for a signal, write its request bodies to this folder \
        instead of sending them (`0001-logs.json`, `0001-metrics.pb.snappy`, \
        `0001-traces.json`). Useful during development.",
        Kind::Folder,
        DefaultValue::None,
        |c, v, _| optional_text(v).map(|d| c.output_dir = d),
    )),
    in_game(
        destination(key(
            "jsonl_dir",
            "Signals with no URL are written here as JSON lines (`events.jsonl`), see \
        [Without a server](local-store.md#without-a-server-json-lines). A game \
        writes there (its default) when no endpoint, URL or `output_dir` is \
        set.",
            Kind::Folder,
            DefaultValue::None,
            |c, v, _| optional_text(v).map(|d| c.jsonl_dir = d),
        )),
        "user://game_tracker",
    ),
    ranged(
        key(
            "max_jsonl_bytes",
            "`events.jsonl` is rotated to `events.1.jsonl` (then `events.2.jsonl`, \
            the oldest kept) at this size.",
            Kind::Int,
            DefaultValue::Int(DEFAULT_MAX_JSONL_BYTES as i64),
            |c, v, k| count(v, k).map(|n| c.max_jsonl_bytes = n),
        ),
        4096.0,
        MAX_BYTES,
    ),
    shown(
        key(
            "local_store",
            "When every session is also written to a SQLite database on the machine, \
            `telemetry.db` (see [The local \
            store](local-store.md#the-local-store-sqlite)): `\"auto\"` when nothing \
            is sent anywhere (no endpoint, URL or `output_dir`), `\"on\"` beside the \
            receivers too (what they miss, the file still has), `\"off\"` never. Not \
            on the Web.",
            Kind::Choice(LocalStoreMode::NAMES),
            DefaultValue::Str("auto"),
            |c, v, k| choice(v, k).map(|i| c.local_store = LocalStoreMode::ALL[i]),
        ),
        setting(false, Hint::Enum, ""),
    ),
    in_game(
        key(
            "local_store_dir",
            "The folder of `telemetry.db`.",
            Kind::Folder,
            DefaultValue::None,
            |c, v, _| optional_text(v).map(|d| c.local_store_dir = d),
        ),
        "user://game_tracker",
    ),
    ranged(
        key(
            "max_local_store_bytes",
            "The database's cap (100 MB by default): past it the oldest rows go, a \
            step at each write, and the file gives the space back.",
            Kind::Int,
            DefaultValue::Int(DEFAULT_MAX_LOCAL_STORE_BYTES as i64),
            |c, v, k| count(v, k).map(|n| c.max_local_store_bytes = n),
        ),
        262_144.0,
        MAX_BYTES,
    ),
    ranged(
        key(
            "max_local_store_days",
            "Rows older than this many days go.",
            Kind::Int,
            DefaultValue::Int(DEFAULT_MAX_LOCAL_STORE_AGE.as_secs() as i64 / 86_400),
            |c, v, k| {
                count(v, k)
                    .map(|days| c.max_local_store_age = Duration::from_secs(days as u64 * 86_400))
            },
        ),
        1.0,
        3_650.0,
    ),
    shown(
        key(
            "headers",
            "Sent with every request, for example `{\"Authorization\": \"Bearer …\", \
            \"X-Scope-OrgID\": \"tenant\"}`. Header values never appear in errors or \
            stats.",
            Kind::Headers,
            DefaultValue::EmptyMap,
            |c, v, _| headers(v).map(|h| c.headers = h),
        ),
        setting(true, Hint::None, ""),
    ),
    shown(
        key(
            "game",
            "Loki stream label `game`, a metric label of the same name, OTLP \
            `service.name`. As a Project Setting, empty means the project's name.",
            Kind::Text,
            DefaultValue::Str("unknown"),
            |c, v, _| text(v).map(|t| c.game = t),
        ),
        from_project("application/config/name"),
    ),
    shown(
        key(
            "version",
            "Loki stream label and metric label `version`, OTLP `service.version`. As \
            a Project Setting, empty means `application/config/version`.",
            Kind::Text,
            DefaultValue::Str("0.0.0"),
            |c, v, _| text(v).map(|t| c.version = t),
        ),
        from_project("application/config/version"),
    ),
    shown(
        key(
            "environment",
            "Loki stream label `env`, metric label `env`, OTLP \
            `deployment.environment.name`. As a Project Setting, empty means \
            `development` in debug builds and `production` in release builds.",
            Kind::Text,
            DefaultValue::Str("development"),
            |c, v, _| text(v).map(|t| c.environment = t),
        ),
        Some(derived("development in debug builds, else production")),
    ),
    shown(
        key(
            "enabled",
            "`false` keeps the tracker off until `set_enabled(true)` (player \
            consent). `init` then returns `false`.",
            Kind::Bool,
            DefaultValue::Bool(true),
            |c, v, _| boolean(v).map(|b| c.engine.enabled = b),
        ),
        setting(true, Hint::None, ""),
    ),
    shown(
        ranged(
            key(
                "flush_interval",
                "How often batches are sent.",
                Kind::Seconds,
                DefaultValue::Seconds(DEFAULT_FLUSH_INTERVAL),
                |c, v, k| seconds(v, k).map(|d| c.flush_interval = d),
            ),
            MIN_FLUSH_INTERVAL.as_secs_f64(),
            86_400.0,
        ),
        setting(false, Hint::Range, "0.05,60,0.05,suffix:s"),
    ),
    ranged(
        key(
            "batch_size",
            "A log or span batch is sent as soon as it holds this many events (or 1 \
            MiB of log text).",
            Kind::Int,
            DefaultValue::Int(DEFAULT_BATCH_SIZE as i64),
            |c, v, k| count(v, k).map(|n| c.batch_size = n),
        ),
        1.0,
        100_000.0,
    ),
    ranged(
        key(
            "queue_capacity",
            "Bound of the game → worker queue, in events. Events beyond it are \
            dropped as `queue_full`.",
            Kind::Int,
            DefaultValue::Int(DEFAULT_QUEUE_CAPACITY as i64),
            |c, v, k| count(v, k).map(|n| c.queue_capacity = n),
        ),
        1.0,
        10_000_000.0,
    ),
    ranged(
        key(
            "request_timeout",
            "Limit for each HTTP request, connect included.",
            Kind::Seconds,
            DefaultValue::Seconds(DEFAULT_REQUEST_TIMEOUT),
            |c, v, k| positive_seconds(v, k).map(|d| c.request_timeout = d),
        ),
        0.0,
        86_400.0,
    ),
    ranged(
        key(
            "max_backlog_bytes",
            "Batches waiting for their turn (or for a retry), per signal: their \
            bodies and the events kept to split them after a 413. Past this the \
            oldest batch goes to the spool, or without one is dropped as \
            `backlog_full`.",
            Kind::Int,
            DefaultValue::Int(DEFAULT_MAX_BACKLOG_BYTES as i64),
            |c, v, k| count(v, k).map(|n| c.max_backlog_bytes = n),
        ),
        1024.0,
        MAX_BYTES,
    ),
    // The edge's cap is a fact of the deployment, like the endpoint.
    shown(
        ranged(
            key(
                "max_request_bytes",
                "The largest request body sent (after compression). A batch over it goes \
                as several smaller requests; one event alone over it is dropped as \
                `too_large`. The default is nginx's default `client_max_body_size`: set \
                it to your edge's cap (see [Exposing it to \
                players](backends.md#exposing-it-to-players)). A receiver that answers \
                413 anyway gets the batch split in halves, and later requests stay under \
                half the refused size.",
                Kind::Int,
                DefaultValue::Int(DEFAULT_MAX_REQUEST_BYTES as i64),
                |c, v, k| count(v, k).map(|n| c.max_request_bytes = n),
            ),
            MIN_REQUEST_BYTES as f64,
            MAX_BYTES,
        ),
        setting(false, Hint::None, ""),
    ),
    ranged(
        key(
            "max_queue_bytes",
            "The game → worker queue's bound in bytes, so a few huge log lines cannot \
            hold much memory.",
            Kind::Int,
            DefaultValue::Int(DEFAULT_MAX_QUEUE_BYTES as i64),
            |c, v, k| count(v, k).map(|n| c.max_queue_bytes = n),
        ),
        65_536.0,
        MAX_BYTES,
    ),
    ranged(
        key(
            "max_series",
            "Metric series one session may create. Updates that would create more are \
            dropped as `series_limit`.",
            Kind::Int,
            DefaultValue::Int(DEFAULT_MAX_SERIES as i64),
            |c, v, k| count(v, k).map(|n| c.max_series = n),
        ),
        1.0,
        1_000_000.0,
    ),
    key(
        "session_label",
        "Label that carries the session id on every metric series. `\"\"` turns \
        it off (see [Cardinality](backends.md#cardinality)).",
        Kind::Text,
        DefaultValue::Str(DEFAULT_SESSION_LABEL),
        |c, v, _| label_name(v).map(|l| c.session_label = l),
    ),
    key(
        "histogram_buckets",
        "Bucket upper bounds, strictly increasing. The defaults suit millisecond \
        timings.",
        Kind::Numbers,
        DefaultValue::Numbers(&DEFAULT_HISTOGRAM_BUCKETS),
        |c, v, _| buckets(v).map(|b| c.histogram_buckets = b),
    ),
    // Uncompressed by default: every receiver reads it, and it is what a
    // developer sees in `output_dir`. `gzip` makes log and trace bodies
    // several times smaller for the worker's CPU (see BENCHMARKS.md).
    shown(
        key(
            "compression",
            "`\"gzip\"` compresses log and trace bodies (Loki and OTLP/HTTP accept \
            gzip): 27× smaller logs and 8× smaller traces in the benchmark, for some \
            worker CPU. Metrics are always snappy, as remote write requires. The \
            shipped edge refuses gzipped Loki pushes (a receiver inflates them with \
            no cap): behind it, use gzip with `\"protocol\": \"otlp\"` only.",
            Kind::Choice(Compression::NAMES),
            DefaultValue::Str("none"),
            |c, v, k| choice(v, k).map(|i| c.compression = Compression::ALL[i]),
        ),
        setting(false, Hint::Enum, ""),
    ),
    ranged(
        key(
            "max_retry_age",
            "How long a batch is retried (connection errors, timeouts, 429 and 5xx; \
            for traces, OTLP's 429/502/503/504) before it goes to the spool, or \
            without one is dropped as `retry_exhausted`. Other answers are never \
            retried: they count as `rejected`.",
            Kind::Seconds,
            DefaultValue::Seconds(DEFAULT_MAX_RETRY_AGE),
            |c, v, k| seconds(v, k).map(|d| c.max_retry_age = d),
        ),
        0.0,
        86_400.0,
    ),
    ranged(
        key(
            "quit_timeout",
            "Longest the game waits for the last events when it quits (the autoload \
            leaving the tree: `get_tree().quit()`, the window's close button) or \
            when a mobile app is paused. The close request itself only starts \
            sending.",
            Kind::Seconds,
            DefaultValue::Seconds(DEFAULT_QUIT_TIMEOUT),
            |c, v, k| seconds(v, k).map(|d| c.quit_timeout = d),
        ),
        0.0,
        MAX_QUIT_TIMEOUT.as_secs_f64(),
    ),
    shown(
        key(
            "spool",
            "Keep what could not be sent on disk and send it at the next launch: see \
            [When the network is bad](troubleshooting.md#when-the-network-is-bad).",
            Kind::Bool,
            DefaultValue::Bool(false),
            |c, v, _| boolean(v).map(|b| c.spool = b),
        ),
        setting(false, Hint::None, ""),
    ),
    in_game(
        key(
            "spool_dir",
            "Where the spool keeps its files (`user://` paths work).",
            Kind::Folder,
            DefaultValue::None,
            |c, v, _| optional_text(v).map(|d| c.spool_dir = d),
        ),
        "user://game_tracker/spool",
    ),
    ranged(
        key(
            "max_spool_bytes",
            "Disk the spool may use. A batch that does not fit is dropped as \
            `spool_full`.",
            Kind::Int,
            DefaultValue::Int(DEFAULT_MAX_SPOOL_BYTES as i64),
            |c, v, k| count(v, k).map(|n| c.max_spool_bytes = n),
        ),
        65_536.0,
        MAX_BYTES,
    ),
    // Prometheus and Mimir refuse samples older than their head block unless
    // an `out_of_order_time_window` is set: raise this to match one.
    ranged(
        key(
            "max_metrics_replay_age",
            "Spooled metrics older than this are not replayed (`too_old`). Raise it \
            to your receiver's out-of-order window, see [When the network is \
            bad](troubleshooting.md#when-the-network-is-bad).",
            Kind::Seconds,
            DefaultValue::Seconds(MAX_REPLAY_AGE_METRICS),
            |c, v, k| seconds(v, k).map(|d| c.max_metrics_replay_age = d),
        ),
        0.0,
        86_400.0,
    ),
    shown(
        key(
            "release_health",
            "`session_start`/`session_end`, `game_sessions_total` and the crash \
            marker, see [Release health](release-health.md).",
            Kind::Bool,
            DefaultValue::Bool(true),
            |c, v, _| boolean(v).map(|b| c.release_health = b),
        ),
        setting(false, Hint::None, ""),
    ),
    in_game(
        key(
            "session_dir",
            "Where each running session keeps its marker.",
            Kind::Folder,
            DefaultValue::None,
            |c, v, _| optional_text(v).map(|d| c.session_dir = d),
        ),
        "user://game_tracker/sessions",
    ),
    // The tracker's own health as metrics (docs/troubleshooting.md, "Telemetry health").
    shown(
        key(
            "self_metrics",
            "The tracker's own counters sent with the game's metrics at each flush, \
            as `gametracker_*` series, see [Telemetry \
            health](troubleshooting.md#telemetry-health).",
            Kind::Bool,
            DefaultValue::Bool(true),
            |c, v, _| boolean(v).map(|b| c.self_metrics = b),
        ),
        setting(false, Hint::None, ""),
    ),
    // Frame times, hitches and the engine's monitors, sampled by the engine
    // layer (docs/release-health.md; its cost is in BENCHMARKS.md).
    shown(
        key(
            "vitals",
            "Frame times, hitches, FPS, memory, draw calls and objects by scene, \
            sampled with no game code.",
            Kind::Bool,
            DefaultValue::Bool(true),
            |c, v, _| boolean(v).map(|b| c.engine.vitals = b),
        ),
        setting(false, Hint::None, ""),
    ),
    // Hitches: the engine layer times each frame; the worker reports a slow
    // one with what ran in it (docs/hitches.md).
    shown(
        key(
            "capture_hitches",
            "Each frame over `hitch_threshold_ms` reported with what ran in it: a log \
            line, a span in the trace of the longest span open in the frame, an \
            exemplar on `game_frame_time_ms`, see [Hitches](hitches.md).",
            Kind::Bool,
            DefaultValue::Bool(true),
            |c, v, _| boolean(v).map(|b| c.hitches.capture = b),
        ),
        setting(false, Hint::None, ""),
    ),
    shown(
        ranged(
            key(
                "hitch_threshold_ms",
                "A frame longer than this is a hitch. 0: twice the target frame time \
                (`Engine.max_fps`, or 60 Hz), at least 33 ms.",
                Kind::Number,
                DefaultValue::Float(0.0),
                |c, v, k| {
                    number(v, k).map(|ms| {
                        c.hitches.threshold =
                            (ms > 0.0).then(|| Duration::from_secs_f64(ms / 1000.0))
                    })
                },
            ),
            0.0,
            60_000.0,
        ),
        setting(false, Hint::Range, "0,60000,1"),
    ),
    shown(
        ranged(
            key(
                "frozen_frame_ms",
                "A hitch this long is a frozen frame (`hitch.frozen`). 0: none is.",
                Kind::Number,
                DefaultValue::Float(DEFAULT_FROZEN_FRAME.as_millis() as f64),
                |c, v, k| {
                    number(v, k).map(|ms| {
                        c.hitches.frozen = (ms > 0.0).then(|| Duration::from_secs_f64(ms / 1000.0))
                    })
                },
            ),
            0.0,
            600_000.0,
        ),
        setting(false, Hint::Range, "0,600000,1"),
    ),
    ranged(
        key(
            "max_hitches_per_minute",
            "Hitches reported per minute; the rest are counted as `hitch_limit`.",
            Kind::Int,
            DefaultValue::Int(DEFAULT_MAX_HITCHES_PER_MINUTE as i64),
            |c, v, k| count(v, k).map(|n| c.hitches.max_per_minute = n),
        ),
        0.0,
        10_000.0,
    ),
    // A key that shows and hides the in-game overlay (addons/game_tracker/
    // overlay.gd), e.g. "F9"; empty for none (GameTracker.show_overlay()).
    shown(
        key(
            "overlay_key",
            "A key that shows and hides the [in-game overlay](in-game.md), e.g. \
            `\"F9\"`.",
            Kind::Text,
            DefaultValue::Str(""),
            |c, v, _| optional_text(v).map(|key| c.engine.overlay_key = key.unwrap_or_default()),
        ),
        setting(false, Hint::None, ""),
    ),
    shown(
        ranged(
            key(
                "breadcrumbs",
                "How many breadcrumbs error logs and crash reports carry (0 turns them \
                off).",
                Kind::Int,
                DefaultValue::Int(DEFAULT_BREADCRUMBS as i64),
                |c, v, k| count(v, k).map(|n| c.breadcrumbs = n),
            ),
            0.0,
            1000.0,
        ),
        setting(false, Hint::Range, "0,1000,1"),
    ),
    shown(
        ranged(
            key(
                "sample_rate",
                "Share of sessions that send anything, drawn once per `init`: `0.1` keeps \
                one session in ten, whole. An unsampled session counts its calls as \
                `unsampled` and sends nothing (`get_stats()[\"sampled\"]` is `false`).",
                Kind::Number,
                DefaultValue::Float(1.0),
                |c, v, k| number(v, k).map(|r| c.sample_rate = r),
            ),
            0.0,
            1.0,
        ),
        setting(false, Hint::Range, "0,1,0.01"),
    ),
    shown(
        key(
            "min_level",
            "Log lines below this level are dropped as `filtered`.",
            Kind::Choice(Level::NAMES),
            DefaultValue::Str("debug"),
            |c, v, k| choice(v, k).map(|i| c.min_level = Level::ALL[i]),
        ),
        setting(false, Hint::Enum, ""),
    ),
    shown(
        key(
            "drop_names",
            "Log messages, metric names and span names to drop as `filtered`, for \
            example `[\"fps\", \"ai_tick*\"]` (a trailing `*` matches a prefix). \
            Metric names are matched as you pass them, before `_total` is added.",
            Kind::Names,
            DefaultValue::EmptyList,
            |c, v, _| names(v).map(|n| c.drop_names = n),
        ),
        setting(false, Hint::None, ""),
    ),
    shown(
        // `init` also takes a bool: true is "always", false "never".
        key(
            "capture_errors",
            "Send engine errors, script errors, `push_error` and `push_warning` as \
            logs, see [Engine errors](api.md#engine-and-script-errors). `init` also \
            takes `true` (`\"always\"`) and `false` (`\"never\"`).",
            Kind::Choice(CaptureErrors::NAMES),
            DefaultValue::Str("debug builds"),
            |c, v, k| {
                match v {
                    Value::Bool(on) => Ok(if *on {
                        CaptureErrors::Always
                    } else {
                        CaptureErrors::Never
                    }),
                    v => choice(v, k).map(|i| CaptureErrors::ALL[i]),
                }
                .map(|capture| c.engine.capture_errors = capture)
            },
        ),
        setting(true, Hint::Enum, ""),
    ),
    shown(
        key(
            "protocol",
            "`\"native\"`: logs to the Loki push API, metrics by Prometheus remote \
            write, traces by OTLP. `\"otlp\"`: all three by OTLP/HTTP, to `endpoint` \
            + `/v1/logs`, `/v1/metrics`, `/v1/traces`, see [One OTLP \
            endpoint](backends.md#one-otlp-endpoint). On the Web the default is \
            `\"otlp\"` ([The Web](web.md)).",
            Kind::Choice(Protocol::NAMES),
            DefaultValue::Str("native"),
            |c, v, k| choice(v, k).map(|i| c.protocol = Protocol::ALL[i]),
        ),
        setting(false, Hint::Enum, ""),
    ),
    shown(
        key(
            "otlp_encoding",
            "`\"protobuf\"` sends OTLP bodies as binary protobuf (smaller, cheaper to \
            encode); `\"json\"` is OTLP/JSON.",
            Kind::Choice(OtlpEncoding::NAMES),
            DefaultValue::Str("json"),
            |c, v, k| choice(v, k).map(|i| c.otlp_encoding = OtlpEncoding::ALL[i]),
        ),
        setting(false, Hint::Enum, ""),
    ),
    key(
        "delivery",
        "Where the sending runs. `\"thread\"`: a worker thread batches and \
        encodes, and each signal's requests wait on a thread of their own; the \
        game's thread only hands events over. `\"frame\"`: no thread at all, for \
        platforms without threads: the same worker loop runs on the game's \
        thread as a slice at each frame's hand-over, aiming at 0.3 ms, and \
        requests are polled, never waited on; `flush_and_wait` and quitting run \
        it until answered or timed out. A batch is encoded on the game's thread \
        when it closes, so `\"frame\"` closes batches at 100 events \
        (`batch_size` above that counts as 100), one batch and one request start \
        a frame; a frame that does either takes longer than the aim (natively up \
        to about 0.5 ms: [BENCHMARKS.md](../BENCHMARKS.md)). Requests in \
        `\"frame\"` go through Godot's own `HTTPClient` (`https://` included). \
        The Web worker always delivers this way, through the browser's fetch, \
        whatever this key says.",
        Kind::Choice(Delivery::NAMES),
        DefaultValue::Str("thread"),
        |c, v, k| choice(v, k).map(|i| c.delivery = Delivery::ALL[i]),
    ),
];

/// What the Web changes, whatever the keys say (docs/web.md, "What the Web changes").
/// - Delivery in frames: the Web worker is one thread, and its requests
///   are the browser's fetch, answered between its slices.
/// - No files: `user://` is IndexedDB there, which Godot writes back after
///   its own files close, not after the tracker's; a spool, session marker,
///   JSON-lines file or local store would be gone at the next visit (and a
///   worker has no file system). So no spool, and no
///   marker: closing the tab, which is how a Web game ends, is never taken
///   for a crash (`abnormal`) at the next visit. Signals with no URL are
///   counted as `no_destination`.
#[cfg(target_family = "wasm")]
fn web_rules(c: &mut Config) {
    c.delivery = Delivery::Frame;
    c.spool = false;
    c.spool_dir = None;
    c.session_dir = None;
    c.jsonl_dir = None;
    c.local_store_dir = None;
}

impl Default for Config {
    /// Every key at its default from [`KEYS`].
    fn default() -> Self {
        let mut c = Config::blank();
        for key in KEYS {
            // A default that does not parse fails the schema's own test.
            let _ = key.apply(&mut c, &key.default.to_value());
        }
        // The core's tests run the whole delivery suite in both modes.
        #[cfg(feature = "test-hooks")]
        if std::env::var("GAMETRACKER_TEST_DELIVERY").as_deref() == Ok("frame") {
            c.delivery = Delivery::Frame;
        }
        // The Web's route is OTLP: the receiver Alloy answers with CORS,
        // which a browser needs before it sends anything.
        #[cfg(target_family = "wasm")]
        {
            c.protocol = Protocol::Otlp;
        }
        c
    }
}

impl Config {
    /// Parses the dictionary given to `init`. Collects every problem so one
    /// message tells the developer all that is wrong.
    pub fn from_fields(fields: &Fields) -> Result<Config, ConfigError> {
        let mut c = Config::default();
        let mut problems: Vec<(String, String)> = Vec::new();
        for (name, value) in fields {
            let result = match find(name) {
                Some(key) => key.apply(&mut c, value),
                None => Err(format!("is not a known key (known: {})", names_list())),
            };
            if let Err(problem) = result {
                problems.push((name.clone(), problem));
            }
        }
        if let Some(base) = c.endpoint.clone() {
            let base = base.trim_end_matches('/');
            let (logs, metrics) = match c.protocol {
                Protocol::Native => (LOGS_PATH, METRICS_PATH),
                Protocol::Otlp => (OTLP_LOGS_PATH, OTLP_METRICS_PATH),
            };
            c.logs_url.get_or_insert_with(|| format!("{base}{logs}"));
            c.metrics_url
                .get_or_insert_with(|| format!("{base}{metrics}"));
            c.traces_url
                .get_or_insert_with(|| format!("{base}{TRACES_PATH}"));
        }
        #[cfg(target_family = "wasm")]
        web_rules(&mut c);
        if c.spool && c.spool_dir.is_none() {
            problems.push(("spool".into(), "is on but no 'spool_dir' is set".into()));
        }
        if problems.is_empty() {
            Ok(c)
        } else {
            Err(ConfigError { problems })
        }
    }
}

/// The key named `name`.
pub fn find(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.name == name)
}

/// True when `fields` (an `init` Dictionary) set a key that names a
/// destination: with none, the engine layer writes JSON lines, and Project
/// Settings alone do not start the tracker.
pub fn names_destination(fields: &crate::model::value::Fields) -> bool {
    let is_set = |v: &Value| !matches!(v, Value::Null) && v.as_str() != Some("");
    fields
        .iter()
        .any(|(k, v)| find(k).is_some_and(|key| key.destination) && is_set(v))
}

/// Every key's name, in table order.
pub fn names_list() -> String {
    KEYS.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
}

fn url(v: &Value) -> Result<Option<String>, String> {
    let s = match v {
        Value::Null => return Ok(None),
        Value::Str(s) if s.trim().is_empty() => return Ok(None),
        Value::Str(s) => s.trim(),
        v => return Err(format!("must be a URL String, got {}", v.type_name())),
    };
    let shown = crate::redact::without_userinfo(s);
    let uri: http::Uri = s
        .parse()
        .map_err(|e| format!("is not a valid URL ({e}): {shown}"))?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => return Err(format!("must start with http:// or https://, got {shown}")),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(format!("has no host: {shown}"));
    }
    Ok(Some(s.to_string()))
}

/// A String that may be left empty (or null) for none: a folder, a key name.
fn optional_text(v: &Value) -> Result<Option<String>, String> {
    match v {
        Value::Str(s) if !s.is_empty() => Ok(Some(s.clone())),
        Value::Str(_) | Value::Null => Ok(None),
        v => Err(format!("must be a String, got {}", v.type_name())),
    }
}

fn boolean(v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        v => Err(format!("must be a bool, got {}", v.type_name())),
    }
}

fn text(v: &Value) -> Result<String, String> {
    match v {
        Value::Str(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Value::Str(_) => Err("must not be empty".into()),
        v => Err(format!("must be a String, got {}", v.type_name())),
    }
}

fn range(k: &Key) -> (f64, f64) {
    k.range.unwrap_or((f64::MIN, f64::MAX))
}

fn seconds(v: &Value, k: &Key) -> Result<Duration, String> {
    let (min, max) = range(k);
    match v.as_f64() {
        Some(f) if (0.0..86_400.0).contains(&f) && f >= min && f <= max => {
            Ok(Duration::from_secs_f64(f))
        }
        Some(f) if (0.0..86_400.0).contains(&f) && f < min => {
            Err(format!("must be at least {min} s"))
        }
        Some(f) if (0.0..86_400.0).contains(&f) => Err(format!("must be at most {max} s")),
        Some(f) => Err(format!(
            "must be a number of seconds between 0 and 86400, got {f}"
        )),
        None => Err(format!(
            "must be a number of seconds, got {}",
            v.type_name()
        )),
    }
}

fn positive_seconds(v: &Value, k: &Key) -> Result<Duration, String> {
    match seconds(v, k)? {
        Duration::ZERO => Err("must be > 0 seconds".into()),
        d => Ok(d),
    }
}

fn count(v: &Value, k: &Key) -> Result<usize, String> {
    let (min, max) = range(k);
    let (min, max) = (
        min as u64,
        if max >= MAX_BYTES {
            usize::MAX as u64
        } else {
            max as u64
        },
    );
    match v {
        Value::Int(i) if *i >= min as i64 && (*i as u64) <= max => Ok(*i as usize),
        Value::Int(i) => Err(format!("must be between {min} and {max}, got {i}")),
        v => Err(format!("must be an int, got {}", v.type_name())),
    }
}

fn number(v: &Value, k: &Key) -> Result<f64, String> {
    let (min, max) = range(k);
    match v.as_f64() {
        Some(r) if r >= min && r <= max => Ok(r),
        _ => Err(format!(
            "must be a number from {min} to {max}, got {}",
            v.to_label_string()
        )),
    }
}

/// The index of the value among the key's choices.
fn choice(v: &Value, k: &Key) -> Result<usize, String> {
    let Kind::Choice(options) = k.kind else {
        return Err("has no choices (bug)".into());
    };
    if let Some(i) = v
        .as_str()
        .and_then(|s| options.iter().position(|o| *o == s))
    {
        return Ok(i);
    }
    let quoted: Vec<String> = options.iter().map(|o| format!("\"{o}\"")).collect();
    let listed = match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    };
    Err(format!("must be {listed}, got {}", v.to_label_string()))
}

fn label_name(v: &Value) -> Result<String, String> {
    match v {
        Value::Str(s) if s.is_empty() || crate::model::metric_check::is_valid_label_name(s) => {
            Ok(s.clone())
        }
        Value::Str(s) => Err(format!("'{s}' is not a valid Prometheus label name")),
        v => Err(format!("must be a String, got {}", v.type_name())),
    }
}

fn names(v: &Value) -> Result<Vec<String>, String> {
    match v {
        Value::List(items)
            if items
                .iter()
                .all(|i| i.as_str().is_some_and(|s| !s.is_empty())) =>
        {
            Ok(items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect())
        }
        v => Err(format!(
            "must be an Array of non-empty Strings, got {}",
            v.type_name()
        )),
    }
}

fn headers(v: &Value) -> Result<Vec<(String, String)>, String> {
    let Value::Map(entries) = v else {
        return Err(format!(
            "must be a Dictionary of String to String, got {}",
            v.type_name()
        ));
    };
    let mut out = Vec::new();
    for (k, val) in entries {
        let Value::Str(s) = val else {
            return Err(format!(
                "value of header '{k}' must be a String, got {}",
                val.type_name()
            ));
        };
        if http::HeaderName::from_bytes(k.as_bytes()).is_err() {
            return Err(format!("'{k}' is not a valid HTTP header name"));
        }
        // The value is never echoed: it is usually a token.
        if http::HeaderValue::from_str(s).is_err() {
            return Err(format!(
                "value of header '{k}' contains characters HTTP does not allow"
            ));
        }
        out.push((k.clone(), s.clone()));
    }
    Ok(out)
}

fn buckets(v: &Value) -> Result<Vec<f64>, String> {
    let Value::List(items) = v else {
        return Err(format!(
            "must be an Array of numbers, got {}",
            v.type_name()
        ));
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item.as_f64() {
            Some(f) if f.is_finite() => out.push(f),
            _ => {
                return Err(format!(
                    "must hold only finite numbers, got {}",
                    item.type_name()
                ))
            }
        }
    }
    if out.is_empty() {
        return Err("must hold at least one bucket bound".into());
    }
    if out.windows(2).any(|w| w[0] >= w[1]) {
        return Err("bounds must be strictly increasing".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_parses_and_every_name_is_unique() {
        let mut c = Config::default();
        for key in KEYS {
            assert_eq!(
                key.apply(&mut c, &key.default.to_value()),
                Ok(()),
                "{}",
                key.name
            );
        }
        let mut names: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), KEYS.len(), "a name appears twice");
    }

    #[test]
    fn every_setting_default_is_one_of_its_choices() {
        for key in KEYS {
            let Some(setting) = key.setting else { continue };
            if let (Some(Kind::Choice(options)), Some(DefaultValue::Str(d))) = (
                setting.kind.or(Some(key.kind)),
                setting.default.or(Some(key.default)),
            ) {
                assert!(options.contains(&d), "{}: {d} not in {options:?}", key.name);
            }
        }
    }
}
