//! Each signal's wire format, chosen once from the configuration.

use super::body::{compress, Payload};
use super::wire::{Compression, OtlpEncoding, Protocol};
use super::{loki, otlp, otlp_logs, otlp_metrics, remote_write};
use crate::model::event::{LogRecord, SpanRecord};
use crate::model::metrics::Snapshot;
use crate::model::session::Session;

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
