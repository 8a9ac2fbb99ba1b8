//! A request body and what it is called on the wire (content type,
//! encoding, protocol headers) and on disk (file extension), for the
//! transport and the spool alike; and gzip for the bodies that take it.

use std::io::Write;

use super::wire::Compression;

/// What Prometheus remote write 1.0 requires with every request.
const REMOTE_WRITE_HEADERS: &[(&str, &str)] = &[("X-Prometheus-Remote-Write-Version", "0.1.0")];

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
    pub const ALL: [BodyFormat; 5] = [
        BodyFormat::Json,
        BodyFormat::JsonGzip,
        BodyFormat::Protobuf,
        BodyFormat::ProtobufGzip,
        BodyFormat::RemoteWrite,
    ];

    pub fn content_type(self) -> &'static str {
        match self {
            BodyFormat::Json | BodyFormat::JsonGzip => "application/json",
            BodyFormat::Protobuf | BodyFormat::ProtobufGzip | BodyFormat::RemoteWrite => {
                "application/x-protobuf"
            }
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
            BodyFormat::RemoteWrite => REMOTE_WRITE_HEADERS,
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
        Self::ALL.into_iter().find(|f| {
            name.strip_suffix(f.extension())
                .is_some_and(|stem| stem.ends_with('.'))
        })
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
    let Some(gzipped) = payload
        .format
        .gzipped()
        .filter(|_| compression == Compression::Gzip)
    else {
        return payload;
    };
    let mut gz = flate2::write::GzEncoder::new(
        Vec::with_capacity(payload.body.len() / 4),
        flate2::Compression::fast(),
    );
    // Writing into a Vec cannot fail.
    match gz.write_all(&payload.body).and_then(|_| gz.finish()) {
        Ok(body) => Payload {
            format: gzipped,
            body,
        },
        Err(_) => payload,
    }
}
