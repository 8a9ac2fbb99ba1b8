//! The shapes every layer shares: values, the events the worker reads
//! back, the session and its labels, and the metric rules and aggregation.

pub mod event;
pub mod metric_check;
pub mod metrics;
pub mod session;
pub mod value;
