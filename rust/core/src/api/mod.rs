//! What the engine layer calls: the `Tracker` (the game's thread), its
//! worker as it holds it, the tracker's lifecycle (not started, running,
//! stopped) and `get_stats()`'s tree.

pub mod lifecycle;
pub mod stats_report;
pub mod tracker;
pub(crate) mod worker_handle;
