//! The three wire formats. Each encoder turns a batch into the exact request
//! body and headers its receiver requires.

pub mod loki;
pub mod otlp;
pub mod otlp_logs;
pub mod otlp_metrics;
pub mod prompb;
pub mod remote_write;

use std::io::Write;

/// How JSON bodies (logs, traces) are compressed. Remote write is always
/// snappy, as its protocol requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    /// Fastest gzip level: most of the size win for a fraction of the CPU.
    Gzip,
}

/// Compresses an uncompressed body as asked; others are left alone.
pub fn compress(payload: Payload, compression: Compression) -> Payload {
    if compression != Compression::Gzip || payload.content_encoding.is_some() {
        return payload;
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(payload.body.len() / 4), flate2::Compression::fast());
    // Writing into a Vec cannot fail.
    match gz.write_all(&payload.body).and_then(|_| gz.finish()) {
        Ok(body) => Payload { content_encoding: Some("gzip"), body, ..payload },
        Err(_) => payload,
    }
}

/// A request ready for the transport.
#[derive(Debug, Clone)]
pub struct Payload {
    pub content_type: &'static str,
    pub content_encoding: Option<&'static str>,
    /// Protocol headers beyond content type/encoding.
    pub protocol_headers: &'static [(&'static str, &'static str)],
    pub body: Vec<u8>,
}
