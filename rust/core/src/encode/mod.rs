//! The wire formats. Each encoder turns a batch into the exact request body
//! its receiver requires; [`BodyFormat`] knows what each body is called on
//! the wire (content type, encoding, protocol headers) and on disk (file
//! extension), for the transport and the spool alike.

pub mod loki;
pub mod otlp;
pub mod otlp_logs;
pub mod otlp_metrics;
pub mod prompb;
pub mod remote_write;

use std::io::Write;

use crate::event::{LogRecord, SpanRecord};
use crate::metrics::Snapshot;
use crate::session::Session;

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

/// How OTLP bodies are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtlpEncoding {
    /// OTLP/JSON: readable, and what every OTLP/HTTP receiver accepts.
    Json,
    /// Binary protobuf: smaller and cheaper to encode.
    Protobuf,
}

/// How JSON bodies (logs, traces) are compressed. Remote write is always
/// snappy, as its protocol requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    /// Fastest gzip level: most of the size win for a fraction of the CPU.
    Gzip,
}

/// Every request body this SDK sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    /// Loki push JSON, OTLP/JSON.
    Json,
    JsonGzip,
    /// OTLP protobuf.
    Protobuf,
    ProtobufGzip,
    /// Prometheus remote write 1.0: protobuf, snappy block format.
    RemoteWrite,
}

impl BodyFormat {
    pub const ALL: [BodyFormat; 5] =
        [BodyFormat::Json, BodyFormat::JsonGzip, BodyFormat::Protobuf, BodyFormat::ProtobufGzip, BodyFormat::RemoteWrite];

    pub fn content_type(self) -> &'static str {
        match self {
            BodyFormat::Json | BodyFormat::JsonGzip => "application/json",
            BodyFormat::Protobuf | BodyFormat::ProtobufGzip | BodyFormat::RemoteWrite => "application/x-protobuf",
        }
    }

    pub fn content_encoding(self) -> Option<&'static str> {
        match self {
            BodyFormat::JsonGzip | BodyFormat::ProtobufGzip => Some("gzip"),
            BodyFormat::RemoteWrite => Some("snappy"),
            BodyFormat::Json | BodyFormat::Protobuf => None,
        }
    }

    /// Headers the protocol requires beyond content type and encoding.
    pub fn protocol_headers(self) -> &'static [(&'static str, &'static str)] {
        match self {
            BodyFormat::RemoteWrite => remote_write::PROTOCOL_HEADERS,
            _ => &[],
        }
    }

    /// The file name extension of a body kept on disk (`output_dir`, spool).
    pub fn extension(self) -> &'static str {
        match self {
            BodyFormat::Json => "json",
            BodyFormat::JsonGzip => "json.gz",
            BodyFormat::Protobuf => "pb",
            BodyFormat::ProtobufGzip => "pb.gz",
            BodyFormat::RemoteWrite => "pb.snappy",
        }
    }

    /// The format of a file named `<anything>.<extension>`.
    pub fn of_file_name(name: &str) -> Option<BodyFormat> {
        // No extension ends another one after a dot ("pb.gz" is not ".gz"),
        // so at most one format matches.
        Self::ALL.into_iter().find(|f| name.strip_suffix(f.extension()).is_some_and(|stem| stem.ends_with('.')))
    }

    fn gzipped(self) -> Option<BodyFormat> {
        match self {
            BodyFormat::Json => Some(BodyFormat::JsonGzip),
            BodyFormat::Protobuf => Some(BodyFormat::ProtobufGzip),
            _ => None,
        }
    }
}

/// A request body ready for the transport or the spool.
#[derive(Debug, Clone)]
pub struct Payload {
    pub format: BodyFormat,
    pub body: Vec<u8>,
}

impl Payload {
    pub fn content_type(&self) -> &'static str {
        self.format.content_type()
    }

    pub fn content_encoding(&self) -> Option<&'static str> {
        self.format.content_encoding()
    }

    pub fn protocol_headers(&self) -> &'static [(&'static str, &'static str)] {
        self.format.protocol_headers()
    }
}

/// Compresses an uncompressed body as asked; others are left alone.
pub fn compress(payload: Payload, compression: Compression) -> Payload {
    let Some(gzipped) = payload.format.gzipped().filter(|_| compression == Compression::Gzip) else {
        return payload;
    };
    let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(payload.body.len() / 4), flate2::Compression::fast());
    // Writing into a Vec cannot fail.
    match gz.write_all(&payload.body).and_then(|_| gz.finish()) {
        Ok(body) => Payload { format: gzipped, body },
        Err(_) => payload,
    }
}

type LogsEncoder = fn(&[LogRecord], &Session, OtlpEncoding) -> Payload;
type MetricsEncoder = fn(&Snapshot, &Session, u64, OtlpEncoding) -> Payload;

/// Each signal's wire format, chosen once from the configuration: the
/// worker calls `logs`, `spans` and `metrics` without knowing the protocol.
#[derive(Clone, Copy)]
pub struct Encoder {
    logs: LogsEncoder,
    metrics: MetricsEncoder,
    otlp_encoding: OtlpEncoding,
    compression: Compression,
}

impl Encoder {
    pub fn new(
        protocol: Protocol,
        otlp_encoding: OtlpEncoding,
        compression: Compression,
    ) -> Encoder {
        let (logs, metrics): (LogsEncoder, MetricsEncoder) = match protocol {
            Protocol::Native => (
                |records, session, _| loki::encode(records, session),
                |snapshot, _, _, _| remote_write::encode_snapshot(snapshot),
            ),
            Protocol::Otlp => (otlp_logs::encode, otlp_metrics::encode),
        };
        Encoder {
            logs,
            metrics,
            otlp_encoding,
            compression,
        }
    }

    pub fn logs(&self, records: &[LogRecord], session: &Session) -> Payload {
        compress(
            (self.logs)(records, session, self.otlp_encoding),
            self.compression,
        )
    }

    pub fn spans(&self, spans: &[SpanRecord], session: &Session) -> Payload {
        compress(
            otlp::encode(spans, session, self.otlp_encoding),
            self.compression,
        )
    }

    /// Remote write bodies are snappy by protocol and never gzipped.
    pub fn metrics(&self, snapshot: &Snapshot, session: &Session, now_unix_nano: u64) -> Payload {
        compress(
            (self.metrics)(snapshot, session, now_unix_nano, self.otlp_encoding),
            self.compression,
        )
    }
}
