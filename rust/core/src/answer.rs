//! What comes back from a request: the sender thread's [`JobResult`], and
//! what it means for the worker ([`Answer`]).

use crate::batch::Batch;
use crate::encode::Payload;
use crate::stats::Signal;
use crate::transport::Outcome;

/// A sender thread's answer.
pub(crate) struct JobResult {
    pub signal: Signal,
    pub outcome: Outcome,
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
    /// No request was in flight (cannot happen).
    Nothing,
}
