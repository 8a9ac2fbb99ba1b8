//! The clocks the core reads. On native platforms these are std's own
//! types; on `wasm32-unknown-unknown` (the Web worker) std's clocks panic,
//! and `web-time` gives the same types backed by the browser's
//! `performance.now()` and `Date.now()`.

pub use web_time::{Instant, SystemTime, UNIX_EPOCH};

/// How long until `deadline` (zero once it passed): crossbeam's waits take
/// std's `Instant`, so the core waits by timeouts.
pub fn until(deadline: Instant) -> std::time::Duration {
    deadline.saturating_duration_since(Instant::now())
}
