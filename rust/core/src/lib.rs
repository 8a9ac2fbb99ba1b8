//! GameTracker core: everything but the engine. ARCHITECTURE.md follows one
//! `log_info` from GDScript to the bytes on the wire; in short:
//!
//! [`api::tracker`] (main thread: append a record, hand the buffer over once
//! per frame) → [`handover`]'s queue → [`delivery`]: the worker (the loop) →
//! the pipeline (admit and route each event) → the batcher (batches, through
//! one [`encode::Encoder`]) → a lane (backlog, retries, spool) → a sender (a
//! thread, or polled each frame) → [`transport`] (HTTP or files).
//! [`api::lifecycle`] is the tracker's state as the engine layer drives it;
//! [`config::schema`] is the one table of `init` keys. Events kept rather
//! than sent go to [`sinks`]; the shapes every layer shares are [`model`].

pub mod api;
mod clock;
pub mod config;
pub mod delivery;
pub mod diagnostics;
pub mod encode;
pub mod handover;
pub mod health;
pub mod hitches;
pub mod model;
mod names;
mod panics;
pub mod redact;
pub mod sinks;
pub mod stats;
pub mod transport;

pub use api::tracker::{OpenSpan, Tracker};
pub use api::worker_handle::FRAME_SLICE;
pub use config::MIN_REQUEST_BYTES;
pub use config::{Config, ConfigError, Delivery};
pub use delivery::batcher::{MAX_BATCH_BYTES, METRICS_REFRESH_INTERVAL};
pub use handover::queue::{CHUNK_POLL_INTERVAL, POLL_IDLE_AFTER};
pub use handover::record::{ValueWriter, WriteText, WriteValue};
pub use hitches::{FRAME_TIME_METRIC, SCENE_LABEL};
pub use model::event::{Level, MetricKind, SpanStatus};
pub use model::session::DeviceInfo;
pub use model::value::{Fields, Value};
#[cfg(feature = "test-hooks")]
pub use panics::{arm_panic_hooks, LOSE_EVENT, PANIC_SENDER, PANIC_WORKER};
pub use stats::{DropReason, Signal, SignalStats};
