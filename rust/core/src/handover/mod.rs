//! From the game's thread to the worker: the record format a call appends
//! (`record.rs`) and the bounded queue the buffers travel on (`queue.rs`).

pub mod queue;
pub mod record;
