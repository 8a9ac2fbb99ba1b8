//! Every request under the receiver's cap. An edge in front of the
//! receivers refuses bodies over its `client_max_body_size` with 413, and
//! `max_request_bytes` says what that cap is: a batch whose body is over it
//! is encoded again as halves, and halves of halves, until each fits. An
//! event whose request alone is over it cannot be sent anywhere: it is
//! dropped as `too_large`.
//!
//! A receiver that still answers 413 has a smaller cap than configured: the
//! signal's cap goes below the refused body ([`RequestCap::refused`]) and the
//! refused batch is split the same way (the events it was encoded from are
//! kept in it until the answer: [`crate::delivery::batch::Source`]).
//!
//! ```text
//!  events ─► encode ─► fits? ── yes ─► one batch
//!                        │ no
//!                        ├─ one event ─► too_large
//!                        └─ halve ─► each half from the top
//! ```

use crate::delivery::batch::{Batch, Source};
use crate::encode::Payload;
use crate::model::event::{LogRecord, SpanRecord};
use crate::model::metrics::Snapshot;

pub use crate::config::MIN_REQUEST_BYTES;

/// One signal's cap on a request's body: `max_request_bytes`, lowered by
/// the receiver's 413s.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestCap {
    bytes: usize,
}

impl RequestCap {
    pub fn new(max_request_bytes: usize) -> RequestCap {
        RequestCap {
            bytes: max_request_bytes.max(MIN_REQUEST_BYTES),
        }
    }

    pub fn bytes(self) -> usize {
        self.bytes
    }

    /// The receiver refused a body of `refused_bytes` as too large: later
    /// bodies stay at half of it (not at `refused_bytes - 1`, so a split
    /// batch is not refused again byte by byte).
    pub fn refused(&mut self, refused_bytes: usize) {
        self.bytes = self.bytes.min((refused_bytes / 2).max(MIN_REQUEST_BYTES));
    }
}

/// Batches that fit, and the events that could not.
#[derive(Default)]
pub(crate) struct Fitted {
    /// In the order of the events they carry.
    pub batches: Vec<Batch>,
    /// Events (or metric updates) dropped as `too_large`.
    pub too_large: u64,
    /// The largest body of one event alone, for the warning.
    pub largest: usize,
}

/// What can be cut in two and encoded again: a batch's records, or a
/// metrics snapshot's series.
pub(crate) trait Splittable: Sized {
    /// How many parts it could be cut into (records, series).
    fn parts(&self) -> usize;
    /// Events it accounts for.
    fn events(&self) -> u64;
    /// The first half and the second, in order.
    fn halve(self) -> (Self, Self);
    /// What a batch keeps to be split again after a 413.
    fn into_source(self) -> Source;
    /// Series whose 0 sample it carries (metrics).
    fn announcing(&self) -> Vec<usize> {
        Vec::new()
    }
}

/// `events` as batches whose bodies are at most `cap` bytes each, encoding
/// halves only when the whole is over it.
pub(crate) fn fit<S: Splittable>(
    events: S,
    cap: usize,
    encode: &dyn Fn(&S) -> Payload,
    out: &mut Fitted,
) {
    if events.parts() == 0 {
        return;
    }
    let payload = encode(&events);
    if payload.body.len() <= cap {
        let (count, announcing) = (events.events(), events.announcing());
        out.batches
            .push(Batch::new(payload, count, announcing, events.into_source()));
    } else if events.parts() == 1 {
        out.too_large += events.events();
        out.largest = out.largest.max(payload.body.len());
    } else {
        fit_halves(events, cap, encode, out);
    }
}

/// A batch the receiver refused as too large, as smaller batches: its
/// halves, fitted to `cap`. One event alone, or a batch with nothing to
/// encode again from (read back from the spool), is `too_large`.
pub(crate) fn split_refused<S: Splittable>(
    events: S,
    cap: usize,
    encode: &dyn Fn(&S) -> Payload,
    out: &mut Fitted,
) {
    if events.parts() <= 1 {
        out.too_large += events.events();
        return;
    }
    fit_halves(events, cap, encode, out);
}

/// Each half of `events`, fitted in order.
fn fit_halves<S: Splittable>(
    events: S,
    cap: usize,
    encode: &dyn Fn(&S) -> Payload,
    out: &mut Fitted,
) {
    let (first, second) = events.halve();
    fit(first, cap, encode, out);
    fit(second, cap, encode, out);
}

fn halve_vec<T>(mut items: Vec<T>) -> (Vec<T>, Vec<T>) {
    let second = items.split_off(items.len() / 2);
    (items, second)
}

/// A record a batch keeps to be encoded again: which `Source` holds it.
pub(crate) trait Record: Sized {
    fn source(records: Vec<Self>) -> Source;
}

impl Record for LogRecord {
    fn source(records: Vec<Self>) -> Source {
        Source::Logs(records)
    }
}

impl Record for SpanRecord {
    fn source(records: Vec<Self>) -> Source {
        Source::Spans(records)
    }
}

impl<R: Record> Splittable for Vec<R> {
    fn parts(&self) -> usize {
        self.len()
    }
    fn events(&self) -> u64 {
        self.len() as u64
    }
    fn halve(self) -> (Self, Self) {
        halve_vec(self)
    }
    fn into_source(self) -> Source {
        R::source(self)
    }
}

/// A snapshot's series in order, starting at series number `first` (its
/// index in the aggregator, as `Snapshot::announcing` names series).
pub(crate) struct SeriesRange {
    pub snapshot: Snapshot,
    pub first: usize,
}

impl Splittable for SeriesRange {
    fn parts(&self) -> usize {
        self.snapshot.series.len()
    }
    fn events(&self) -> u64 {
        self.snapshot.updates
    }
    /// The updates stay with the first half: the caller moves them to the
    /// first batch that fits ([`crate::delivery::batcher`]).
    fn halve(self) -> (Self, Self) {
        let SeriesRange {
            mut snapshot,
            first,
        } = self;
        let middle = snapshot.series.len() / 2;
        let boundary = first + middle;
        let second = Snapshot {
            series: snapshot.series.split_off(middle),
            bounds: snapshot.bounds.clone(),
            updates: 0,
            announcing: snapshot
                .announcing
                .iter()
                .copied()
                .filter(|&i| i >= boundary)
                .collect(),
        };
        snapshot.announcing.retain(|&i| i < boundary);
        (
            SeriesRange { snapshot, first },
            SeriesRange {
                snapshot: second,
                first: boundary,
            },
        )
    }
    fn into_source(self) -> Source {
        Source::Nothing
    }
    fn announcing(&self) -> Vec<usize> {
        self.snapshot.announcing.clone()
    }
}
