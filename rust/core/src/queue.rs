//! The hand-over between the game's main thread ([`crate::tracker`]) and the
//! worker ([`crate::worker`]): buffers of records travel as [`Chunk`]s on a
//! lock-free channel; [`Queued`] counts what is in flight so the main thread
//! can bound the queue by events and bytes without waiting on anything.

use std::sync::atomic::{AtomicUsize, Ordering};

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
pub(crate) const RECYCLED_CHUNKS: usize = 8;

/// Events and bytes handed to the worker and not yet read by it.
#[derive(Default)]
pub(crate) struct Queued {
    pub(crate) events: AtomicUsize,
    pub(crate) bytes: AtomicUsize,
}

impl Queued {
    pub(crate) fn add(&self, events: usize, bytes: usize) {
        self.events.fetch_add(events, Ordering::AcqRel);
        self.bytes.fetch_add(bytes, Ordering::AcqRel);
    }
    pub(crate) fn sub(&self, events: usize, bytes: usize) {
        self.events.fetch_sub(events, Ordering::AcqRel);
        self.bytes.fetch_sub(bytes, Ordering::AcqRel);
    }
}

/// One handed-over staging buffer and how many events of each signal it holds.
pub(crate) struct Chunk {
    pub bytes: Vec<u8>,
    pub events: [u64; 3],
}

