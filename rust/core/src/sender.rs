//! A lane's sender thread: takes one payload at a time, runs the transport
//! (the only blocking I/O the tracker does), and answers on the worker's
//! results channel. A panic in the transport is caught and answered like an
//! outcome, so the lane never waits for an answer that cannot come; the
//! thread then ends, since the transport's state after a panic is unknown.

use std::thread;

use crossbeam_channel::{bounded, Sender};

use crate::answer::JobResult;
use crate::encode::Payload;
use crate::panics;
use crate::stats::Signal;
use crate::transport::Transport;

/// Starts the signal's sender thread; returns where to hand it payloads.
pub(crate) fn spawn(signal: Signal, mut transport: Box<dyn Transport>, results: Sender<JobResult>) -> std::io::Result<Sender<Payload>> {
    // One slot: the worker only hands over a payload when the last was answered.
    let (jobs, jobs_rx) = bounded::<Payload>(1);
    thread::Builder::new().name(thread_name(signal)).spawn(move || {
        for payload in jobs_rx {
            let outcome = panics::catch(|| {
                #[cfg(feature = "test-hooks")]
                panics::inject(&payload.body, panics::PANIC_SENDER);
                transport.send(signal, &payload)
            });
            let panicked = outcome.is_err();
            if results.send(JobResult { signal, outcome, payload }).is_err() || panicked {
                break;
            }
        }
    })?;
    Ok(jobs)
}

/// `game_tracker_logs`, …: how the thread shows in a debugger.
fn thread_name(signal: Signal) -> String {
    format!("game_tracker_{}", signal.as_str())
}
