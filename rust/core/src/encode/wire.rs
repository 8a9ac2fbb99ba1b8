//! What the configuration chooses about the wire: the protocol of logs and
//! metrics, OTLP's body encoding, and compression.

use crate::names::named;

/// How logs and metrics travel (traces are always OTLP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Loki push API and Prometheus remote write: what Loki, Prometheus,
    /// Mimir and Alloy's `loki.source.api`/`prometheus.receive_http` take.
    Native,
    /// OTLP/HTTP for all three signals: one endpoint (Alloy's
    /// `otelcol.receiver.otlp`, an OpenTelemetry Collector, a cloud gateway).
    Otlp,
}

named!(Protocol { Native "native", Otlp "otlp" });

/// How OTLP bodies are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtlpEncoding {
    /// OTLP/JSON: readable, and what every OTLP/HTTP receiver accepts.
    Json,
    /// Binary protobuf: smaller and cheaper to encode.
    Protobuf,
}

named!(OtlpEncoding { Json "json", Protobuf "protobuf" });

/// How JSON bodies (logs, traces) are compressed. Remote write is always
/// snappy, as its protocol requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    /// Fastest gzip level: most of the size win for a fraction of the CPU.
    Gzip,
}

named!(Compression { None "none", Gzip "gzip" });
