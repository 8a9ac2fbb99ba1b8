//! The worker and everything it runs: admit and route each event
//! (`pipeline.rs`), batch and encode (`batcher.rs`), one lane per signal with
//! its backlog and retries (`lane.rs`), the sender threads (`sender.rs`) and
//! what their answers mean (`answer.rs`).

pub(crate) mod batch;
pub mod batcher;
pub(crate) mod destination;
pub(crate) mod lane;
pub(crate) mod leftovers;
pub(crate) mod pipeline;
pub(crate) mod reply;
pub mod request_cap;
pub mod self_metrics;
pub(crate) mod sender;
pub(crate) mod worker;
