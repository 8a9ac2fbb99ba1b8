//! Metrics → Prometheus remote write 1.0: protobuf `WriteRequest`, snappy
//! *block* format (not framed), and the three headers every receiver checks.

use prost::Message;

use crate::encode::prompb::WriteRequest;
use crate::encode::Payload;

pub const PROTOCOL_HEADERS: &[(&str, &str)] = &[("X-Prometheus-Remote-Write-Version", "0.1.0")];

pub fn encode(request: &WriteRequest) -> Payload {
    let raw = request.encode_to_vec();
    // Block-format compression of an in-memory buffer only fails for inputs
    // over ~4 GiB, far beyond any batch this SDK builds.
    let body = snap::raw::Encoder::new().compress_vec(&raw).unwrap_or_default();
    Payload {
        content_type: "application/x-protobuf",
        content_encoding: Some("snappy"),
        protocol_headers: PROTOCOL_HEADERS,
        body,
    }
}

/// The inverse, for tests and tools: snappy-decompress and decode.
pub fn decode(body: &[u8]) -> Result<WriteRequest, String> {
    let raw = snap::raw::Decoder::new().decompress_vec(body).map_err(|e| e.to_string())?;
    WriteRequest::decode(raw.as_slice()).map_err(|e| e.to_string())
}
