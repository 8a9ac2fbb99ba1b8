//! Where events are kept rather than sent: the offline spool (batches for a
//! later launch), JSON lines with no server, and the local SQLite store.

pub mod jsonl;
pub mod spool;
#[cfg(not(target_family = "wasm"))]
pub mod store;
