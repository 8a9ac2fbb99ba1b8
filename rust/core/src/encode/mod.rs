//! The three wire formats. Each encoder turns a batch into the exact request
//! body and headers its receiver requires.

pub mod loki;
pub mod otlp;
pub mod prompb;
pub mod remote_write;

/// A request ready for the transport.
#[derive(Debug, Clone)]
pub struct Payload {
    pub content_type: &'static str,
    pub content_encoding: Option<&'static str>,
    /// Protocol headers beyond content type/encoding.
    pub protocol_headers: &'static [(&'static str, &'static str)],
    pub body: Vec<u8>,
}
