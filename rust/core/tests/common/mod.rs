//! Helpers shared by the pipeline, spool and fault tests.

use game_tracker_core::{Signal, Tracker};

/// `produced == sent + dropped + spooled + pending` for every signal, where
/// `pending` is what is left: so the identity holds exactly when no event
/// was counted twice (sent, dropped and spooled never add up past produced).
pub fn assert_identity(t: &Tracker) {
    for signal in Signal::ALL {
        let s = t.stats(signal);
        assert!(s.sent + s.dropped_total() + s.spooled <= s.produced, "{signal:?} counted twice: {s:?}");
        assert_eq!(s.produced, s.sent + s.dropped_total() + s.spooled + s.pending(), "{signal:?}: {s:?}");
    }
}
