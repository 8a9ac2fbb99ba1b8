//! `GameTracker.init({...})` options: names, defaults (each with its reason)
//! and validation. Bad input becomes a `ConfigError` naming the key; the
//! tracker then stays inert and the game runs on.

use std::fmt;
use std::time::Duration;

use crate::encode::{Compression, OtlpEncoding, Protocol};
use crate::event::Level;
use crate::value::{Fields, Value};

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
/// Uncompressed by default: every receiver reads it, and it is what a
/// developer sees in `output_dir`. `gzip` makes log and trace bodies several
/// times smaller for the worker's CPU (see BENCHMARKS.md).
pub const DEFAULT_COMPRESSION: Compression = Compression::None;
/// Bytes of events handed to the worker and not yet read by it: with
/// `queue_capacity` this bounds the queue even when every event carries a
/// megabyte of text (the worker reads far faster than a game logs, so the
/// queue is near empty unless the worker is starved of CPU).
pub const DEFAULT_MAX_QUEUE_BYTES: usize = 16 * 1024 * 1024;
/// Encoded batches waiting for their turn per signal; beyond this the oldest
/// batch is dropped and counted, so a dead receiver cannot grow memory forever.
pub const DEFAULT_MAX_BACKLOG_BYTES: usize = 8 * 1024 * 1024;
/// Disk the offline spool may use: at a typical 10 events/s with 200-byte
/// lines this holds days of play, and it is a small share of any device.
pub const DEFAULT_MAX_SPOOL_BYTES: usize = 32 * 1024 * 1024;
/// Small enough to attach to a bug report, large enough for a long session
/// of ordinary logging (about 20k lines of 200 bytes).
pub const DEFAULT_MAX_JSONL_BYTES: usize = 4 * 1024 * 1024;
/// Series one session may create; each is a row in the receiver's index.
pub const DEFAULT_MAX_SERIES: usize = 2_000;
/// The label that keeps two sessions' series apart (ERRATA 3). `instance` is
/// Prometheus' own name for "which producer wrote this".
pub const DEFAULT_SESSION_LABEL: &str = "instance";
/// Milliseconds-scale buckets: game timings (frame, load, request) are
/// usually measured in ms, where Prometheus' seconds defaults would put every
/// observation into `+Inf`.
pub const DEFAULT_HISTOGRAM_BUCKETS: [f64; 12] =
    [1.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0];

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
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
    pub protocol: Protocol,
    pub otlp_encoding: OtlpEncoding,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            logs_url: None,
            metrics_url: None,
            traces_url: None,
            output_dir: None,
            headers: Vec::new(),
            game: "unknown".into(),
            version: "0.0.0".into(),
            environment: "development".into(),
            flush_interval: DEFAULT_FLUSH_INTERVAL,
            batch_size: DEFAULT_BATCH_SIZE,
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_backlog_bytes: DEFAULT_MAX_BACKLOG_BYTES,
            max_queue_bytes: DEFAULT_MAX_QUEUE_BYTES,
            max_series: DEFAULT_MAX_SERIES,
            session_label: DEFAULT_SESSION_LABEL.into(),
            histogram_buckets: DEFAULT_HISTOGRAM_BUCKETS.to_vec(),
            compression: DEFAULT_COMPRESSION,
            max_retry_age: DEFAULT_MAX_RETRY_AGE,
            quit_timeout: DEFAULT_QUIT_TIMEOUT,
            spool: false,
            spool_dir: None,
            max_spool_bytes: DEFAULT_MAX_SPOOL_BYTES,
            sample_rate: 1.0,
            min_level: Level::Debug,
            drop_names: Vec::new(),
            jsonl_dir: None,
            max_jsonl_bytes: DEFAULT_MAX_JSONL_BYTES,
            protocol: Protocol::Native,
            otlp_encoding: OtlpEncoding::Json,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    pub problems: Vec<(String, String)>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GameTracker.init: invalid configuration, tracker stays disabled: ")?;
        let parts: Vec<String> = self.problems.iter().map(|(k, m)| format!("'{k}' {m}")).collect();
        write!(f, "{}", parts.join("; "))
    }
}

impl std::error::Error for ConfigError {}

/// Every key `init` accepts, for the unknown-key message.
pub const KNOWN_KEYS: [&str; 33] = [
    "endpoint", "logs_url", "metrics_url", "traces_url", "output_dir", "headers", "game",
    "version", "environment", "flush_interval", "batch_size", "queue_capacity",
    "request_timeout", "max_backlog_bytes", "max_queue_bytes", "max_series", "session_label",
    "histogram_buckets", "compression", "max_retry_age", "quit_timeout", "enabled",
    "spool", "spool_dir", "max_spool_bytes", "sample_rate", "min_level", "drop_names",
    "jsonl_dir", "max_jsonl_bytes", "capture_errors", "protocol", "otlp_encoding",
];

impl Config {
    /// Parses the dictionary given to `init`. Collects every problem so one
    /// message tells the developer all that is wrong.
    pub fn from_fields(fields: &Fields) -> Result<Config, ConfigError> {
        let mut c = Config::default();
        let mut problems: Vec<(String, String)> = Vec::new();
        let mut endpoint: Option<String> = None;
        for (key, value) in fields {
            let mut bad = |m: String| problems.push((key.clone(), m));
            match key.as_str() {
                "endpoint" => match url(value) {
                    Ok(u) => endpoint = u,
                    Err(m) => bad(m),
                },
                "logs_url" => url(value).map(|u| c.logs_url = u).unwrap_or_else(bad),
                "metrics_url" => url(value).map(|u| c.metrics_url = u).unwrap_or_else(bad),
                "traces_url" => url(value).map(|u| c.traces_url = u).unwrap_or_else(bad),
                "output_dir" => match value {
                    Value::Str(s) if !s.is_empty() => c.output_dir = Some(s.clone()),
                    Value::Str(_) | Value::Null => c.output_dir = None,
                    v => bad(format!("must be a folder path String, got {}", v.type_name())),
                },
                "spool_dir" => match value {
                    Value::Str(s) if !s.is_empty() => c.spool_dir = Some(s.clone()),
                    Value::Str(_) | Value::Null => c.spool_dir = None,
                    v => bad(format!("must be a folder path String, got {}", v.type_name())),
                },
                "jsonl_dir" => match value {
                    Value::Str(s) if !s.is_empty() => c.jsonl_dir = Some(s.clone()),
                    Value::Str(_) | Value::Null => c.jsonl_dir = None,
                    v => bad(format!("must be a folder path String, got {}", v.type_name())),
                },
                "max_jsonl_bytes" => count(value, 4 * 1024, usize::MAX)
                    .map(|n| c.max_jsonl_bytes = n)
                    .unwrap_or_else(bad),
                "spool" => match value {
                    Value::Bool(b) => c.spool = *b,
                    v => bad(format!("must be a bool, got {}", v.type_name())),
                },
                "max_spool_bytes" => count(value, 64 * 1024, usize::MAX)
                    .map(|n| c.max_spool_bytes = n)
                    .unwrap_or_else(bad),
                "sample_rate" => match value.as_f64() {
                    Some(r) if (0.0..=1.0).contains(&r) => c.sample_rate = r,
                    _ => bad(format!("must be a number from 0 to 1, got {}", value.to_label_string())),
                },
                "min_level" => match value.as_str() {
                    Some("debug") => c.min_level = Level::Debug,
                    Some("info") => c.min_level = Level::Info,
                    Some("warn") => c.min_level = Level::Warn,
                    Some("error") => c.min_level = Level::Error,
                    _ => bad(format!("must be \"debug\", \"info\", \"warn\" or \"error\", got {}", value.to_label_string())),
                },
                "drop_names" => match value {
                    Value::List(items) if items.iter().all(|i| i.as_str().is_some_and(|s| !s.is_empty())) => {
                        c.drop_names = items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect()
                    }
                    v => bad(format!("must be an Array of non-empty Strings, got {}", v.type_name())),
                },
                "headers" => match headers(value) {
                    Ok(h) => c.headers = h,
                    Err(m) => bad(m),
                },
                "game" => text(value, &mut c.game).unwrap_or_else(bad),
                "version" => text(value, &mut c.version).unwrap_or_else(bad),
                "environment" => text(value, &mut c.environment).unwrap_or_else(bad),
                "flush_interval" => match seconds(value) {
                    Ok(d) if d >= MIN_FLUSH_INTERVAL => c.flush_interval = d,
                    Ok(_) => bad(format!("must be at least {} s", MIN_FLUSH_INTERVAL.as_secs_f64())),
                    Err(m) => bad(m),
                },
                "quit_timeout" => match seconds(value) {
                    Ok(d) if d <= MAX_QUIT_TIMEOUT => c.quit_timeout = d,
                    Ok(_) => bad(format!("must be at most {} s", MAX_QUIT_TIMEOUT.as_secs())),
                    Err(m) => bad(m),
                },
                "max_retry_age" => match seconds(value) {
                    Ok(d) => c.max_retry_age = d,
                    Err(m) => bad(m),
                },
                "request_timeout" => match seconds(value) {
                    Ok(d) if d > Duration::ZERO => c.request_timeout = d,
                    Ok(_) => bad("must be > 0 seconds".into()),
                    Err(m) => bad(m),
                },
                "batch_size" => count(value, 1, 100_000).map(|n| c.batch_size = n).unwrap_or_else(bad),
                "queue_capacity" => {
                    count(value, 1, 10_000_000).map(|n| c.queue_capacity = n).unwrap_or_else(bad)
                }
                "max_backlog_bytes" => count(value, 1024, usize::MAX)
                    .map(|n| c.max_backlog_bytes = n)
                    .unwrap_or_else(bad),
                "max_queue_bytes" => count(value, 64 * 1024, usize::MAX)
                    .map(|n| c.max_queue_bytes = n)
                    .unwrap_or_else(bad),
                "max_series" => count(value, 1, 1_000_000).map(|n| c.max_series = n).unwrap_or_else(bad),
                "session_label" => match value {
                    Value::Str(s) if s.is_empty() || crate::metric_check::is_valid_label_name(s) => {
                        c.session_label = s.clone()
                    }
                    Value::Str(s) => bad(format!("'{s}' is not a valid Prometheus label name")),
                    v => bad(format!("must be a String, got {}", v.type_name())),
                },
                "protocol" => match value.as_str() {
                    Some("native") => c.protocol = Protocol::Native,
                    Some("otlp") => c.protocol = Protocol::Otlp,
                    _ => bad(format!("must be \"native\" or \"otlp\", got {}", value.to_label_string())),
                },
                "otlp_encoding" => match value.as_str() {
                    Some("json") => c.otlp_encoding = OtlpEncoding::Json,
                    Some("protobuf") => c.otlp_encoding = OtlpEncoding::Protobuf,
                    _ => bad(format!("must be \"json\" or \"protobuf\", got {}", value.to_label_string())),
                },
                "compression" => match value {
                    Value::Str(s) if s == "none" => c.compression = Compression::None,
                    Value::Str(s) if s == "gzip" => c.compression = Compression::Gzip,
                    v => bad(format!("must be \"none\" or \"gzip\", got {}", v.to_label_string())),
                },
                "histogram_buckets" => match buckets(value) {
                    Ok(b) => c.histogram_buckets = b,
                    Err(m) => bad(m),
                },
                // Read by the engine layer (`enabled: false` keeps the tracker
                // inert; `capture_errors` installs the engine's Logger).
                "enabled" | "capture_errors" => {
                    if !matches!(value, Value::Bool(_)) {
                        bad(format!("must be a bool, got {}", value.type_name()))
                    }
                }
                _ => bad(format!("is not a known key (known: {})", KNOWN_KEYS.join(", "))),
            }
        }
        if let Some(base) = endpoint {
            let base = base.trim_end_matches('/');
            let (logs, metrics) = match c.protocol {
                Protocol::Native => (LOGS_PATH, METRICS_PATH),
                Protocol::Otlp => (OTLP_LOGS_PATH, OTLP_METRICS_PATH),
            };
            c.logs_url.get_or_insert_with(|| format!("{base}{logs}"));
            c.metrics_url.get_or_insert_with(|| format!("{base}{metrics}"));
            c.traces_url.get_or_insert_with(|| format!("{base}{TRACES_PATH}"));
        }
        if c.spool && c.spool_dir.is_none() {
            problems.push(("spool".into(), "is on but no 'spool_dir' is set".into()));
        }
        if problems.is_empty() {
            Ok(c)
        } else {
            Err(ConfigError { problems })
        }
    }

    /// True when this signal travels as OTLP (and follows OTLP's retry rules).
    pub fn speaks_otlp(&self, signal: crate::stats::Signal) -> bool {
        signal == crate::stats::Signal::Traces || self.protocol == Protocol::Otlp
    }

    /// True when `drop_names` names this log message, metric or span.
    pub fn drops_name(&self, name: &str) -> bool {
        matches_any(&self.drop_names, name)
    }

    /// The spool folder when spooling is on.
    pub fn spool_dir(&self) -> Option<&str> {
        self.spool_dir.as_deref().filter(|_| self.spool)
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
    patterns.iter().any(|pattern| match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == pattern,
    })
}

fn url(v: &Value) -> Result<Option<String>, String> {
    let s = match v {
        Value::Null => return Ok(None),
        Value::Str(s) if s.trim().is_empty() => return Ok(None),
        Value::Str(s) => s.trim(),
        v => return Err(format!("must be a URL String, got {}", v.type_name())),
    };
    let shown = crate::redact::without_userinfo(s);
    let uri: ureq::http::Uri = s.parse().map_err(|e| format!("is not a valid URL ({e}): {shown}"))?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => return Err(format!("must start with http:// or https://, got {shown}")),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(format!("has no host: {shown}"));
    }
    Ok(Some(s.to_string()))
}

fn text(v: &Value, out: &mut String) -> Result<(), String> {
    match v {
        Value::Str(s) if !s.trim().is_empty() => {
            *out = s.trim().to_string();
            Ok(())
        }
        Value::Str(_) => Err("must not be empty".into()),
        v => Err(format!("must be a String, got {}", v.type_name())),
    }
}

fn seconds(v: &Value) -> Result<Duration, String> {
    match v.as_f64() {
        Some(f) if (0.0..86_400.0).contains(&f) => Ok(Duration::from_secs_f64(f)),
        Some(f) => Err(format!("must be a number of seconds between 0 and 86400, got {f}")),
        None => Err(format!("must be a number of seconds, got {}", v.type_name())),
    }
}

fn count(v: &Value, min: usize, max: usize) -> Result<usize, String> {
    match v {
        Value::Int(i) if *i >= min as i64 && (*i as u64) <= max as u64 => Ok(*i as usize),
        Value::Int(i) => Err(format!("must be between {min} and {max}, got {i}")),
        v => Err(format!("must be an int, got {}", v.type_name())),
    }
}

fn headers(v: &Value) -> Result<Vec<(String, String)>, String> {
    let Value::Map(entries) = v else {
        return Err(format!("must be a Dictionary of String to String, got {}", v.type_name()));
    };
    let mut out = Vec::new();
    for (k, val) in entries {
        let Value::Str(s) = val else {
            return Err(format!("value of header '{k}' must be a String, got {}", val.type_name()));
        };
        if ureq::http::HeaderName::from_bytes(k.as_bytes()).is_err() {
            return Err(format!("'{k}' is not a valid HTTP header name"));
        }
        // The value is never echoed: it is usually a token.
        if ureq::http::HeaderValue::from_str(s).is_err() {
            return Err(format!("value of header '{k}' contains characters HTTP does not allow"));
        }
        out.push((k.clone(), s.clone()));
    }
    Ok(out)
}

fn buckets(v: &Value) -> Result<Vec<f64>, String> {
    let Value::List(items) = v else {
        return Err(format!("must be an Array of numbers, got {}", v.type_name()));
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item.as_f64() {
            Some(f) if f.is_finite() => out.push(f),
            _ => return Err(format!("must hold only finite numbers, got {}", item.type_name())),
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
