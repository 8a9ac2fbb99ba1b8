//! GameTracker core: everything but the engine.
//!
//! Follow one `log_info` call: [`tracker::Tracker::log_with`] appends a log
//! record ([`record`]) to the main thread's staging buffer, which
//! [`tracker::Tracker::handover`] `try_send`s once per frame → [`worker`]
//! reads it back into an [`event::LogRecord`] and batches it per signal →
//! [`encode::loki`] builds the push body → [`transport`] POSTs it.
//! Metrics go through [`metrics::Aggregator`] and [`encode::remote_write`],
//! spans through [`encode::otlp`].

mod batcher;
pub mod config;
mod destination;
pub mod diagnostics;
pub mod encode;
pub mod event;
pub mod jsonl;
mod lane;
pub mod lifecycle;
pub mod metric_check;
pub mod metrics;
mod pipeline;
mod queue;
pub mod record;
pub mod redact;
pub mod retry;
pub mod session;
pub mod spool;
pub mod stats;
pub mod tracker;
pub mod transport;
pub mod value;
mod worker;

pub use batcher::{MAX_BATCH_BYTES, METRICS_REFRESH_INTERVAL};
pub use config::{Config, ConfigError};
pub use event::{Level, MetricKind, SpanStatus};
pub use queue::{CHUNK_POLL_INTERVAL, POLL_IDLE_AFTER};
pub use record::{ValueWriter, WriteText, WriteValue};
pub use session::DeviceInfo;
pub use stats::{DropReason, Signal, SignalStats};
pub use tracker::{OpenSpan, Tracker};
pub use value::{Fields, Value};
