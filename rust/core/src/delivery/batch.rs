//! An encoded request on its way through a lane, and the events it accounts
//! for: what the batcher closes, a lane sends, retries or gives up on.

use crate::clock::Instant;

use crate::encode::Payload;
use crate::model::event::{LogRecord, SpanRecord};
use crate::model::value::heap_bytes;
use crate::sinks::spool;

/// An encoded request and what it accounts for.
pub(crate) struct Batch {
    pub payload: Payload,
    pub events: u64,
    /// When the batch was closed (or read back from the spool); retries
    /// stop at `max_retry_age`.
    pub created: Instant,
    /// Set when the batch came from the spool: its file is deleted once the
    /// receiver answered, and kept when this launch gives up on it.
    pub spooled: Option<spool::Entry>,
    /// Metrics (remote write): series whose 0 sample this request carries.
    pub announcing: Vec<usize>,
    /// The events the body was encoded from, so that a receiver's 413 can
    /// split them into smaller requests (`request_cap.rs`).
    pub source: Source,
}

/// What a batch can be encoded again from.
pub(crate) enum Source {
    Logs(Vec<LogRecord>),
    Spans(Vec<SpanRecord>),
    /// A metrics snapshot (the next snapshot is made smaller instead), or a
    /// spooled batch (only its bytes were kept).
    Nothing,
}

impl Batch {
    pub fn new(payload: Payload, events: u64, announcing: Vec<usize>, source: Source) -> Batch {
        Batch {
            payload,
            events,
            created: Instant::now(),
            spooled: None,
            announcing,
            source,
        }
    }

    /// The memory the batch holds, body and kept events: what a lane's
    /// backlog counts against `max_backlog_bytes`.
    pub fn held_bytes(&self) -> usize {
        self.payload.body.len() + self.source.held_bytes()
    }
}

impl Source {
    /// The kept events' memory, closely enough to bound it: each record
    /// and the text and values it owns (its scope is shared with others).
    pub fn held_bytes(&self) -> usize {
        match self {
            Source::Logs(logs) => logs
                .iter()
                .map(|r| size_of::<LogRecord>() + r.message.len() + heap_bytes(&r.data))
                .sum(),
            Source::Spans(spans) => spans
                .iter()
                .map(|s| {
                    size_of::<SpanRecord>()
                        + s.name.len()
                        + s.status_message.len()
                        + heap_bytes(&s.attributes)
                })
                .sum(),
            Source::Nothing => 0,
        }
    }
}
