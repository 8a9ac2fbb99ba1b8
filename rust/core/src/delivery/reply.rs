//! A request's reply on its way back, under one name: the transport
//! classifies the receiver's answer ([`crate::transport::Reply`]), the
//! sender thread hands it back with the body ([`SenderReply`]), and the lane
//! says what it means for the batch ([`BatchReply`]).

use crate::delivery::batch::Batch;
use crate::encode::Payload;
use crate::panics::Panic;
use crate::stats::Signal;
use crate::transport::Reply;

/// A reply as a sender thread hands it back.
pub(crate) struct SenderReply {
    pub signal: Signal,
    /// The transport's reply, or the panic that cut the request off (the
    /// thread has then ended: see `sender.rs`).
    pub reply: Result<Reply, Panic>,
    /// Handed back so a failed request can be sent again without a copy.
    pub payload: Payload,
}

/// What a reply means for its batch.
pub(crate) enum BatchReply {
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
