//! The wire formats. Each format file turns a batch into the exact request
//! body its receiver requires ([`body::Payload`]); [`encoder::Encoder`] picks
//! the format of each signal once, from the configuration ([`wire`]).
//! [`log_line`] is a log record's JSON object, shared with the sinks. This
//! file only declares the files and names what the rest of the crate uses.

pub mod body;
pub mod encoder;
pub mod log_line;
pub mod loki;
pub mod otlp;
pub mod otlp_logs;
pub mod otlp_metrics;
pub mod prompb;
pub mod remote_write;
pub mod wire;

pub use body::{compress, BodyFormat, Payload};
pub use encoder::Encoder;
pub use wire::{Compression, OtlpEncoding, Protocol};
