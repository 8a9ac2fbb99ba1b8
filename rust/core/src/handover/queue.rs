//! The hand-over between the game's main thread ([`crate::api::tracker`]) and the
//! worker ([`crate::delivery::worker`]), both ends of it: buffers of records travel as
//! [`Chunk`]s on a lock-free channel. The main thread's end ([`Outlet`])
//! bounds the queue by events and bytes ([`Queued`] counts what is in
//! flight) without waiting on anything; the worker's end ([`Intake`]) reads
//! the chunks back and returns their buffers for reuse.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::clock::Instant;

use crossbeam_channel::{bounded, unbounded, Receiver, Sender};

use crate::handover::record::{Item, ReadError, Reader};
use crate::model::event::ScopeRef;

/// A staging buffer is handed over once it holds this much, even mid-frame:
/// large enough that a frame's events travel together, small enough to stay
/// in cache and to reach the worker promptly during a burst.
pub const CHUNK_BYTES: usize = 64 * 1024;
/// Room a staging buffer is allocated with: the record that crosses
/// `CHUNK_BYTES` must fit without a reallocation (which would copy the buffer
/// and, past the allocator's mmap threshold, fault in fresh pages each time).
pub(crate) const CHUNK_CAPACITY: usize = 2 * CHUNK_BYTES;
/// Emptied buffers the worker keeps ready for the main thread to reuse, so
/// steady-state calls never allocate.
const RECYCLED_CHUNKS: usize = 8;

/// Events and bytes handed to the worker and not yet read by it.
#[derive(Default)]
struct Queued {
    events: AtomicUsize,
    bytes: AtomicUsize,
}

impl Queued {
    fn add(&self, events: usize, bytes: usize) {
        self.events.fetch_add(events, Ordering::AcqRel);
        self.bytes.fetch_add(bytes, Ordering::AcqRel);
    }
    fn sub(&self, events: usize, bytes: usize) {
        self.events.fetch_sub(events, Ordering::AcqRel);
        self.bytes.fetch_sub(bytes, Ordering::AcqRel);
    }
}

/// One handed-over staging buffer and how many events of each signal it holds.
pub(crate) struct Chunk {
    pub bytes: Vec<u8>,
    pub events: [u64; 3],
}

/// Opens the queue: bounded by `capacity` events and `max_bytes` bytes
/// handed over and not yet read.
pub(crate) fn open(capacity: usize, max_bytes: usize) -> (Outlet, Intake) {
    let queued = Arc::new(Queued::default());
    // Bounded by `queued` (events and bytes), checked before each send.
    let (chunks, chunks_rx) = unbounded();
    let (recycle, recycled) = bounded(RECYCLED_CHUNKS);
    let outlet = Outlet {
        chunks,
        recycled,
        queued: queued.clone(),
        capacity,
        max_bytes,
    };
    (outlet, Intake::new(chunks_rx, recycle, queued))
}

/// Why [`Outlet::send`] did not hand a chunk over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// It would pass `capacity` or `max_bytes` (`queue_full`).
    Full,
    /// The worker's end is gone.
    Closed,
}

/// The main thread's end of the queue.
pub(crate) struct Outlet {
    chunks: Sender<Chunk>,
    /// Buffers the worker emptied, for the next staging buffer.
    recycled: Receiver<Vec<u8>>,
    queued: Arc<Queued>,
    capacity: usize,
    max_bytes: usize,
}

impl Outlet {
    /// A buffer the worker emptied, or a new one when none is back yet.
    #[inline]
    pub fn fresh_buffer(&self) -> Vec<u8> {
        self.recycled
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(CHUNK_CAPACITY))
    }

    /// Hands `chunk` to the worker, unless that would pass a bound or the
    /// worker is gone; then the chunk is dropped and the caller counts it.
    #[inline]
    pub fn send(&self, chunk: Chunk) -> Result<(), Refused> {
        let total = chunk.events.iter().sum::<u64>() as usize;
        let size = chunk.bytes.len();
        if self.queued.events.load(Ordering::Acquire) + total > self.capacity
            || self.queued.bytes.load(Ordering::Acquire) + size > self.max_bytes
        {
            return Err(Refused::Full);
        }
        // Counted before sending so the worker's decrement never underflows.
        self.queued.add(total, size);
        self.chunks.send(chunk).map_err(|_| {
            self.queued.sub(total, size);
            Refused::Closed
        })
    }

    /// How full the queue is, and its bounds.
    pub fn fill(&self) -> QueueFill {
        QueueFill {
            events: self.queued.events.load(Ordering::Acquire),
            capacity: self.capacity,
            bytes: self.queued.bytes.load(Ordering::Acquire),
            max_bytes: self.max_bytes,
        }
    }
}

/// How full the queue to the worker is: events and bytes handed over and
/// not yet read, and the bounds (`queue_capacity`, `max_queue_bytes`) past
/// which a frame's events are dropped.
#[derive(Debug, Clone, Copy)]
pub struct QueueFill {
    pub events: usize,
    pub capacity: usize,
    pub bytes: usize,
    pub max_bytes: usize,
}

/// While the game is handing over events, the worker looks for them this
/// often instead of waiting on the queue. A waiting worker is woken by the
/// game's hand-over itself, inside the frame, and on a busy machine the
/// woken thread can take the game's core for a millisecond (measured in the
/// frame benchmark). 10 ms of delay is nothing for telemetry.
pub const CHUNK_POLL_INTERVAL: Duration = Duration::from_millis(10);
/// After this long without a hand-over (a paused or idle game) the worker
/// waits on the queue again, so an idle game costs no periodic wake-ups.
pub const POLL_IDLE_AFTER: Duration = Duration::from_secs(1);

/// The worker's end of the queue: reads chunks back into events and returns
/// their buffers to the main thread.
pub(crate) struct Intake {
    chunks: Receiver<Chunk>,
    /// Emptied buffers go back to the main thread for reuse.
    recycle: Sender<Vec<u8>>,
    queued: Arc<Queued>,
    /// The user context as of the last record read.
    scope: ScopeRef,
    /// When the last hand-over arrived (see `CHUNK_POLL_INTERVAL`).
    last_chunk: Option<Instant>,
}

impl Intake {
    fn new(chunks: Receiver<Chunk>, recycle: Sender<Vec<u8>>, queued: Arc<Queued>) -> Intake {
        Intake {
            chunks,
            recycle,
            queued,
            scope: ScopeRef::default(),
            last_chunk: None,
        }
    }

    /// Events are flowing: look for them every `CHUNK_POLL_INTERVAL`
    /// rather than being woken by each hand-over.
    pub fn polling(&self) -> bool {
        self.last_chunk
            .is_some_and(|t| t.elapsed() < POLL_IDLE_AFTER)
    }

    pub fn chunks(&self) -> &Receiver<Chunk> {
        &self.chunks
    }

    pub fn try_next(&self) -> Option<Chunk> {
        self.chunks.try_recv().ok()
    }

    /// Passes each event and note of `chunk` to `each`, in the order the
    /// game made them, returns the buffer for reuse,
    /// and reports, per signal, records that could not be read (a bug) with
    /// the first error.
    pub fn read(
        &mut self,
        chunk: Chunk,
        mut each: impl FnMut(Item),
    ) -> Option<([u64; 3], ReadError)> {
        self.last_chunk = Some(Instant::now());
        self.queued
            .sub(chunk.events.iter().sum::<u64>() as usize, chunk.bytes.len());
        let mut read = [0u64; 3];
        let mut reader = Reader::new(&chunk.bytes);
        let mut error = None;
        while let Some(next) = reader.next_item(&mut self.scope) {
            match next {
                Ok(item) => {
                    if let Item::Event(event) = &item {
                        read[event.signal().index()] += 1;
                    }
                    each(item);
                }
                Err(e) => error = Some(e),
            }
        }
        let unread = std::array::from_fn(|i| chunk.events[i].saturating_sub(read[i]));
        let mut bytes = chunk.bytes;
        // An oversized buffer (a huge log line) is freed rather than kept.
        if bytes.capacity() <= CHUNK_CAPACITY {
            bytes.clear();
            let _ = self.recycle.try_send(bytes);
        }
        let lost = unread.iter().any(|n| *n > 0);
        lost.then(|| {
            (
                unread,
                error.unwrap_or(ReadError {
                    offset: 0,
                    tag: 0,
                    record: "missing",
                }),
            )
        })
    }
}
