//! How a lane's payloads reach its transport, one at a time, with the answer
//! coming back on the worker's results channel either way:
//!
//! - thread delivery: a sender thread takes one payload at a time, runs the
//!   blocking transport (the only blocking I/O the tracker does) and answers;
//! - frame delivery: no thread; the worker polls a [`PolledTransport`] on
//!   each step and posts its answer the same way.
//!
//! A panic in the transport is caught and answered like a reply, so the
//! lane never waits for an answer that cannot come; the courier is then done
//! (the thread ends), since the transport's state after a panic is unknown.

use std::thread;

use crossbeam_channel::{bounded, Sender};

use crate::delivery::reply::SenderReply;
use crate::encode::Payload;
use crate::panics;
use crate::stats::Signal;
use crate::transport::{PolledTransport, Transport};

pub(crate) enum Courier {
    /// A sender thread running a blocking transport.
    Thread(Sender<Payload>),
    /// A transport the worker polls, and the payload it is sending.
    Polled {
        transport: Box<dyn PolledTransport>,
        sending: Option<Payload>,
        results: Sender<SenderReply>,
        signal: Signal,
    },
}

impl Courier {
    /// Starts the signal's sender thread.
    pub fn thread(
        signal: Signal,
        transport: Box<dyn Transport>,
        results: Sender<SenderReply>,
    ) -> std::io::Result<Courier> {
        spawn(signal, transport, results).map(Courier::Thread)
    }

    pub fn polled(
        signal: Signal,
        transport: Box<dyn PolledTransport>,
        results: Sender<SenderReply>,
    ) -> Courier {
        Courier::Polled {
            transport,
            sending: None,
            results,
            signal,
        }
    }

    /// Hands over the next payload (the last one was answered); gives it
    /// back if the courier is gone.
    pub fn hand(&mut self, payload: Payload) -> Result<(), Payload> {
        match self {
            Courier::Thread(jobs) => jobs.send(payload).map_err(|e| e.into_inner()),
            Courier::Polled {
                transport,
                sending,
                signal,
                results,
            } => {
                let started = panics::catch(|| transport.start(*signal, &payload));
                match started {
                    Ok(()) => *sending = Some(payload),
                    Err(panic) => {
                        let _ = results.send(SenderReply {
                            signal: *signal,
                            reply: Err(panic),
                            payload,
                        });
                    }
                }
                Ok(())
            }
        }
    }

    /// Frame delivery: moves the request on, and posts its answer once
    /// there is one. Thread delivery: nothing to do.
    pub fn poll(&mut self) {
        let Courier::Polled {
            transport,
            sending,
            results,
            signal,
        } = self
        else {
            return;
        };
        if sending.is_none() {
            return;
        }
        let reply = match panics::catch(|| transport.poll()) {
            Ok(None) => return,
            Ok(Some(reply)) => Ok(reply),
            Err(panic) => Err(panic),
        };
        if let Some(payload) = sending.take() {
            #[cfg(feature = "test-hooks")]
            let reply = reply.and_then(|o| {
                panics::catch(|| {
                    panics::inject(&payload.body, panics::PANIC_SENDER);
                    o
                })
            });
            let _ = results.send(SenderReply {
                signal: *signal,
                reply,
                payload,
            });
        }
    }
}

/// Starts the signal's sender thread; returns where to hand it payloads.
fn spawn(
    signal: Signal,
    mut transport: Box<dyn Transport>,
    results: Sender<SenderReply>,
) -> std::io::Result<Sender<Payload>> {
    // One slot: the worker only hands over a payload when the last was answered.
    let (jobs, jobs_rx) = bounded::<Payload>(1);
    thread::Builder::new()
        .name(thread_name(signal))
        .spawn(move || {
            for payload in jobs_rx {
                let reply = panics::catch(|| {
                    #[cfg(feature = "test-hooks")]
                    panics::inject(&payload.body, panics::PANIC_SENDER);
                    transport.send(signal, &payload)
                });
                let panicked = reply.is_err();
                if results
                    .send(SenderReply {
                        signal,
                        reply,
                        payload,
                    })
                    .is_err()
                    || panicked
                {
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
