//! A lane's sender thread: takes one payload at a time, runs the transport
//! (the only blocking I/O the tracker does), and answers on the worker's
//! results channel.

use std::thread;

use crossbeam_channel::{bounded, Sender};

use crate::answer::JobResult;
use crate::encode::Payload;
use crate::stats::Signal;
use crate::transport::Transport;

/// Starts the signal's sender thread; returns where to hand it payloads.
pub(crate) fn spawn(signal: Signal, mut transport: Box<dyn Transport>, results: Sender<JobResult>) -> std::io::Result<Sender<Payload>> {
    // One slot: the worker only hands over a payload when the last was answered.
    let (jobs, jobs_rx) = bounded::<Payload>(1);
    thread::Builder::new().name(thread_name(signal)).spawn(move || {
        for payload in jobs_rx {
            let outcome = transport.send(signal, &payload);
            if results.send(JobResult { signal, outcome, payload }).is_err() {
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
