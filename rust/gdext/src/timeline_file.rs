//! A local store file (`telemetry.db`, a player's export, a merged file)
//! as the editor tab's timeline reads it: one session's events (the latest
//! unless another is picked) in the Dictionaries the debugger feed gives
//! (`debugger_feed.rs`), with its scene changes and frame times, and the
//! file's sessions to pick from (`game_tracker_core::sinks::store::timeline`).

use game_tracker_core::hitches::report::HITCH;
use game_tracker_core::sinks::store::timeline::{read_timeline, StoredSession};
use game_tracker_core::FRAME_TIME_METRIC;
use godot::prelude::*;

use crate::debugger_feed::event_dictionary;

/// `{"error": "", "session": {"id", "started_ms", "ended_ms", "status",
/// "version", "hitches"}, "sessions": n, "session_list": [session, …]
/// (latest first), "events": [...]}`; `error` says why a file could not be
/// read. `session_id` "": the latest.
pub fn read(path: &str, session_id: &str) -> VarDictionary {
    let mut out = VarDictionary::new();
    let chosen = (!session_id.is_empty()).then_some(session_id);
    let file = std::path::Path::new(path);
    let timeline = match read_timeline(file, FRAME_TIME_METRIC, HITCH, chosen) {
        Ok(t) => t,
        Err(error) => {
            out.set("error", error.as_str());
            out.set("events", &VarArray::new());
            return out;
        }
    };
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
    let session_list: VarArray = timeline
        .sessions
        .iter()
        .map(|s| session_dictionary(s).to_variant())
        .collect();
    out.set("error", "");
    out.set("session", &session_dictionary(&timeline.session));
    out.set("sessions", timeline.session_count as i64);
    out.set("session_list", &session_list);
    out.set("events", &events);
    out
}

fn ms(us: i64) -> f64 {
    us as f64 / 1000.0
}

fn session_dictionary(s: &StoredSession) -> VarDictionary {
    let mut d = VarDictionary::new();
    d.set("id", s.session_id.as_str());
    d.set("started_ms", ms(s.started_us));
    d.set("ended_ms", s.ended_us.map_or(0.0, ms));
    d.set("status", s.status.as_str());
    d.set("version", s.version.as_str());
    d.set("hitches", s.hitches as i64);
    d
}
