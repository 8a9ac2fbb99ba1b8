//! GameTracker core: everything but the engine. ARCHITECTURE.md follows one
//! `log_info` from GDScript to the bytes on the wire; in short:
//!
//! [`tracker`] (main thread: append a record, hand the buffer over once per
//! frame) → `queue` → `worker` (the loop) → `pipeline` (admit and route each
//! event) → `batcher` (batches, through one [`encode::Encoder`]) → `lane`
//! (backlog, retries, spool) → `sender` (a thread, or polled each frame)
//! → [`transport`] (HTTP or files).
//! [`lifecycle`] is the tracker's state as the engine layer drives it;
//! [`config::schema`] is the one table of `init` keys.

mod answer;
mod batch;
mod batcher;
mod clock;
pub mod config;
mod destination;
pub mod diagnostics;
pub mod encode;
pub mod event;
pub mod health;
pub mod http_target;
pub mod jsonl;
mod lane;
mod leftovers;
pub mod lifecycle;
pub mod metric_check;
pub mod metrics;
mod panics;
mod pipeline;
#[cfg(not(target_family = "wasm"))]
mod polled_http;
mod queue;
pub mod record;
pub mod redact;
mod request_cap;
pub mod retry;
pub mod self_metrics;
mod sender;
pub mod session;
pub mod spool;
pub mod stats;
pub mod stats_report;
#[cfg(not(target_family = "wasm"))]
pub mod store;
pub mod tracker;
pub mod transport;
pub mod value;
mod worker;
mod worker_handle;

pub use batcher::{MAX_BATCH_BYTES, METRICS_REFRESH_INTERVAL};
pub use config::{Config, ConfigError, Delivery};
pub use event::{Level, MetricKind, SpanStatus};
#[cfg(feature = "test-hooks")]
pub use panics::{arm_panic_hooks, LOSE_EVENT, PANIC_SENDER, PANIC_WORKER};
pub use queue::{CHUNK_POLL_INTERVAL, POLL_IDLE_AFTER};
pub use record::{ValueWriter, WriteText, WriteValue};
pub use request_cap::MIN_REQUEST_BYTES;
pub use session::DeviceInfo;
pub use stats::{DropReason, Signal, SignalStats};
pub use tracker::{OpenSpan, Tracker};
pub use value::{Fields, Value};
pub use worker_handle::FRAME_SLICE;
