//! The worker as the tracker holds it (`delivery`): a thread it started, or,
//! with frame delivery, the worker itself, run a slice at a time on the main
//! thread. Either way the tracker talks to it only through the queue and the
//! control channel; this file is what differs: how a slice runs, how a wait
//! for an answer (`flush_and_wait`, quitting) lets the worker work, and how
//! its end is seen.

use std::thread::JoinHandle;
use std::time::Duration;

use crate::clock::{self, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};

use crate::delivery::worker::{poll_until, PanicReport, Slice, Worker};
use crate::encode::Payload;
use crate::panics;
use crate::stats::Signal;

/// Frame delivery: the most a frame's slice of the worker takes, about
/// (a message already begun, such as encoding a batch, finishes first).
/// Enough at a typical game's rate; a burst waits in the queue for later
/// frames.
pub const FRAME_SLICE: Duration = Duration::from_micros(300);

/// How often a wait for a worker thread's answer looks whether the thread
/// is still there: a panicked worker answers nothing, and a wait must not
/// last its whole timeout for that.
const THREAD_WATCH: Duration = Duration::from_millis(20);

pub(crate) enum WorkerHandle {
    Thread(JoinHandle<()>),
    Inline {
        worker: Box<Worker>,
        /// Taken when a panic is reported.
        report: Option<PanicReport>,
    },
}

/// What a slice of an inline worker left behind.
pub(crate) enum AfterSlice {
    Running,
    /// It shut down as asked: the handle can be let go.
    Ended,
    /// It panicked (reported): everything it held is lost.
    Panicked,
}

impl WorkerHandle {
    /// Starts the worker: on its own thread, or (`inline`) kept to be run
    /// by [`WorkerHandle::step`].
    pub fn start(
        worker: Worker,
        report: PanicReport,
        inline: bool,
    ) -> std::io::Result<WorkerHandle> {
        if inline {
            Ok(WorkerHandle::Inline {
                worker: Box::new(worker),
                report: Some(report),
            })
        } else {
            worker.spawn(report).map(WorkerHandle::Thread)
        }
    }

    /// Frame delivery: one slice of at most about `budget`. A thread does
    /// its own work: nothing to do.
    pub fn step(&mut self, budget: Duration) -> AfterSlice {
        let WorkerHandle::Inline { worker, report } = self else {
            return AfterSlice::Running;
        };
        match panics::catch(|| worker.step(budget)) {
            Ok(Slice::Running) => AfterSlice::Running,
            Ok(Slice::Ended) => AfterSlice::Ended,
            Err(panic) => {
                if let Some(report) = report.take() {
                    report.report(&panic);
                }
                AfterSlice::Panicked
            }
        }
    }

    /// Waits until `answer` has a message or `deadline` passes; an inline
    /// worker is run meanwhile (it is what answers). False at the deadline,
    /// or when the worker ended or panicked first (`ended` says which).
    pub fn wait_for<T>(
        &mut self,
        answer: &Receiver<T>,
        deadline: Instant,
        ended: &mut Option<AfterSlice>,
    ) -> bool {
        if let WorkerHandle::Thread(thread) = self {
            // A worker that panicked after the request was queued leaves it
            // in the channel (which the tracker's sender keeps open), never
            // answered: the thread's end is watched too.
            loop {
                match answer.recv_timeout(clock::until(deadline).min(THREAD_WATCH)) {
                    Ok(_) => return true,
                    Err(RecvTimeoutError::Disconnected) => return false,
                    Err(RecvTimeoutError::Timeout) if thread.is_finished() => {
                        return answer.try_recv().is_ok()
                    }
                    Err(RecvTimeoutError::Timeout) if Instant::now() >= deadline => return false,
                    Err(RecvTimeoutError::Timeout) => {}
                }
            }
        }
        poll_until(deadline, || {
            match self.step(deadline.saturating_duration_since(Instant::now())) {
                AfterSlice::Running => answer.try_recv().ok().map(|_| true),
                gone => {
                    *ended = Some(gone);
                    Some(answer.try_recv().is_ok())
                }
            }
        })
        .unwrap_or(false)
    }

    /// An inline worker's farewell ([`Worker::farewell`]); a thread's is
    /// not asked for (only the Web, which delivers in frames, needs it).
    pub fn farewell(&self, budget: usize) -> Vec<(Signal, Payload)> {
        match self {
            WorkerHandle::Inline { worker, .. } => worker.farewell(budget),
            WorkerHandle::Thread(_) => Vec::new(),
        }
    }

    /// True once a worker thread has ended (an inline worker ends only
    /// inside [`WorkerHandle::step`], which says so).
    pub fn is_finished(&self) -> bool {
        matches!(self, WorkerHandle::Thread(t) if t.is_finished())
    }

    /// Waits for a worker thread that said it stopped (or has finished) to
    /// end, so its last counts are visible to the caller.
    pub fn join(self) {
        if let WorkerHandle::Thread(t) = self {
            let _ = t.join();
        }
    }
}
