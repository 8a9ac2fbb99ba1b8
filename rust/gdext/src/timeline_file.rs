//! A local store file (`telemetry.db`, a player's export, a merged file)
//! as the editor tab's timeline reads it: the latest session's events in
//! the Dictionaries the debugger feed gives (`debugger_feed.rs`), with its
//! scene changes and frame times (`game_tracker_core::sinks::store::timeline`).

use game_tracker_core::sinks::store::timeline::read_timeline;
use game_tracker_core::FRAME_TIME_METRIC;
use godot::prelude::*;

use crate::debugger_feed::event_dictionary;

/// `{"error": "", "session": {"id", "started_ms", "ended_ms", "status"},
/// "sessions": n, "events": [...]}`; `error` says why a file could not be read.
pub fn read(path: &str) -> VarDictionary {
    let mut out = VarDictionary::new();
    let timeline = match read_timeline(std::path::Path::new(path), FRAME_TIME_METRIC) {
        Ok(t) => t,
        Err(error) => {
            out.set("error", error.as_str());
            out.set("events", &VarArray::new());
            return out;
        }
    };
    let ms = |us: i64| us as f64 / 1000.0;
    let mut session = VarDictionary::new();
    session.set("id", timeline.session.session_id.as_str());
    session.set("started_ms", ms(timeline.session.started_us));
    session.set("ended_ms", timeline.session.ended_us.map_or(0.0, ms));
    session.set("status", timeline.session.status.as_str());
    let mut events = VarArray::new();
    for event in &timeline.events {
        events.push(&event_dictionary(event).to_variant());
    }
    for (time_us, name) in &timeline.scenes {
        let mut d = VarDictionary::new();
        d.set("type", "scene");
        d.set("time_ms", ms(*time_us));
        d.set("name", name.as_str());
        events.push(&d.to_variant());
    }
    for (time_us, frame_ms) in &timeline.frame_times {
        let mut d = VarDictionary::new();
        d.set("type", "frame_time");
        d.set("time_ms", ms(*time_us));
        d.set("ms", *frame_ms);
        events.push(&d.to_variant());
    }
    out.set("error", "");
    out.set("session", &session);
    out.set("sessions", timeline.sessions as i64);
    out.set("events", &events);
    out
}
