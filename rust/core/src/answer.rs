//! What comes back from a request: the sender thread's [`JobResult`], and
//! what it means for the worker ([`Answer`]).

use crate::batch::Batch;
use crate::encode::Payload;
use crate::panics::Panic;
use crate::stats::Signal;
use crate::transport::Outcome;

/// A sender thread's answer.
pub(crate) struct JobResult {
    pub signal: Signal,
    /// The transport's outcome, or the panic that cut the request off (the
    /// thread has then ended: see `sender.rs`).
    pub outcome: Result<Outcome, Panic>,
    /// Handed back so a failed request can be sent again without a copy.
    pub payload: Payload,
}

/// What the receiver's answer means for the worker.
pub(crate) enum Answer {
    /// Delivered or refused: either way never sent again. Carries the
    /// series whose 0 sample the receiver has now seen.
    Answered { announcing: Vec<usize> },
    /// Worth sending again: the caller decides how (`Lane::retry`, or for
    /// a metrics snapshot, the next snapshot), then reports the problem.
    Failed(Batch, String),
    /// Refused as too large (413): the caller splits it
    /// (`Batcher::refused`) and reports the problem.
    TooLarge(Batch, String),
    /// The sender thread panicked: the lane gave up on all it held, and on
    /// every batch after (reported and counted by the lane).
    GaveUp,
    /// No request was in flight (cannot happen).
    Nothing,
}
