//! The sink for the whole worker: where batches go that this launch stops
//! trying to send (the spool when there is one, else a drop counted by
//! reason), and the warnings about deliveries. Every lane shares it, and so
//! does the pipeline for what it drops itself.

use std::sync::Arc;

use crate::delivery::batch::Batch;
use crate::delivery::request_cap::Fitted;
use crate::diagnostics::Diagnostics;
use crate::sinks::spool::{Spool, SpoolError};
use crate::stats::{DropReason, Signal, Stats};

pub(crate) struct Leftovers {
    pub spool: Option<Spool>,
    pub stats: Arc<Stats>,
    pub diagnostics: Diagnostics,
}

impl Leftovers {
    /// Writes the batch to the spool when there is one (it stays there if it
    /// came from it), else counts it as dropped for `reason`.
    pub fn give_up(&mut self, signal: Signal, batch: Batch, reason: DropReason) {
        let spool = match self.spool.as_mut() {
            Some(spool) if reason != DropReason::Disabled => spool,
            _ => return self.stats.dropped(signal, reason, batch.events),
        };
        if batch.spooled.is_some() {
            // Its file is still there for the next launch.
            return self.stats.spooled(signal, batch.events);
        }
        let created_unix_ms =
            now_unix_ms().saturating_sub(batch.created.elapsed().as_millis() as u64);
        let problem = match spool.write(signal, batch.events, created_unix_ms, &batch.payload) {
            Ok(()) => return self.stats.spooled(signal, batch.events),
            Err(SpoolError::Full) => {
                self.stats
                    .dropped(signal, DropReason::SpoolFull, batch.events);
                format!(
                    "spool is full ({} bytes, max_spool_bytes)",
                    spool.used_bytes()
                )
            }
            Err(SpoolError::Io(e)) => {
                self.stats.dropped(signal, reason, batch.events);
                format!("cannot write to the spool {}: {e}", spool.dir().display())
            }
        };
        self.report(signal, problem);
    }

    /// Events that could not fit in a request (`request_cap.rs`): counted,
    /// and a warning once per signal.
    pub fn too_large(&mut self, signal: Signal, fitted: &Fitted, cap: usize) {
        if fitted.too_large == 0 && fitted.largest == 0 {
            return;
        }
        self.stats
            .dropped(signal, DropReason::TooLarge, fitted.too_large);
        let what = match fitted.largest {
            0 => "a request the receiver refused as too large (413) held one event, or could not be split".to_string(),
            size => format!("one event alone makes a request of {size} bytes, over the cap of {cap} (max_request_bytes)"),
        };
        let message = format!("{what}: dropped as too_large");
        self.stats.set_last_error(signal, message.clone());
        self.diagnostics.warn_once(
            &format!("too_large {}", signal.as_str()),
            format!("{} not delivered: {message}", signal.as_str()),
        );
    }

    /// Records the error for `get_stats()` and warns once per distinct
    /// message until the signal is delivered again.
    pub fn report(&mut self, signal: Signal, message: String) {
        self.stats.set_last_error(signal, message.clone());
        let text = format!("{} not delivered: {message}", signal.as_str());
        self.diagnostics
            .warn_once(&delivery_key(signal, &message), text);
    }

    /// The signal got through: its next problem is worth a warning again.
    pub fn delivered(&mut self, signal: Signal) {
        self.diagnostics.forget_prefix(&delivery_key(signal, ""));
    }
}

fn delivery_key(signal: Signal, message: &str) -> String {
    format!("delivery:{}:{message}", signal.as_str())
}

pub(crate) fn now_unix_ms() -> u64 {
    crate::model::event::now_unix_nano() / 1_000_000
}
