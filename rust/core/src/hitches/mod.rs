//! Hitches on the worker: a slow frame reported with what ran in it.
//!
//! ```text
//! main thread (engine layer)                 worker
//! ──────────────────────────                 ──────
//! start_span ─► note SpanStarted ─────────►  window.rs: the spans open now
//! log, end_span, add_breadcrumb ──────────►  window.rs: the last few of each
//! next frame starts, the last took longer
//! than the threshold ─► note Hitch ───────►  budget.rs: within the minute's budget?
//!                                              yes ─► report.rs: a log line `hitch`,
//!                                                     a span `hitch` in the trace of the
//!                                                     longest span open in the frame,
//!                                                     an exemplar on game_frame_time_ms
//!                                              no ──► both counted as `hitch_limit`
//! ```
//!
//! The main thread's share is one comparison a frame, and a note per span
//! started; the context is put together here, from what the worker sees
//! anyway. A frame is the time between two of the engine layer's
//! hand-overs, so the frame's records are all on the worker before its
//! hitch note.

pub mod budget;
pub mod report;
pub mod window;

use crate::clock::Instant;

use crate::config::HitchConfig;
use crate::model::event::{Event, Note};

pub use report::{FRAME_TIME_METRIC, SCENE_LABEL};

use budget::MinuteBudget;
pub use report::HitchReport;
use window::FrameWindow;

/// What one hitch note became.
pub enum Outcome {
    /// The log line and the span to send, and the exemplar for the
    /// frame-time histogram's series.
    Reported(Box<HitchReport>),
    /// Past `max_hitches_per_minute`: nothing is sent, two events are counted.
    OverBudget,
}

pub struct Hitches {
    window: FrameWindow,
    budget: MinuteBudget,
    frozen: Option<std::time::Duration>,
    ids: rand::rngs::SmallRng,
}

impl Hitches {
    /// `None` when `capture_hitches` is off.
    pub fn new(config: &HitchConfig) -> Option<Hitches> {
        use rand::SeedableRng;
        config.capture.then(|| Hitches {
            window: FrameWindow::default(),
            budget: MinuteBudget::new(config.max_per_minute, Instant::now()),
            frozen: config.frozen,
            ids: rand::rngs::SmallRng::from_rng(&mut rand::rng()),
        })
    }

    /// Every admitted event of the game's: the logs and spans a frame's
    /// context is taken from.
    pub fn observe(&mut self, event: &Event) {
        self.window.observe(event);
    }

    /// A note from the main thread; a hitch note gives an outcome.
    pub fn note(&mut self, note: &Note) -> Option<Outcome> {
        match note {
            Note::Hitch(hitch) => {
                if !self.budget.take(Instant::now()) {
                    return Some(Outcome::OverBudget);
                }
                let context = self.window.frame(hitch);
                let report = report::report(hitch, &context, self.frozen, &mut self.ids);
                Some(Outcome::Reported(Box::new(report)))
            }
            other => {
                self.window.note(other);
                None
            }
        }
    }
}
