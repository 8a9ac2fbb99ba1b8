//! What the editor's GameTracker debugger tab shows: while a debugger is
//! attached (`EngineDebugger.is_active()`, checked by the autoload), the core
//! keeps a copy of every record it hands to the worker (`Tracker::set_tap`);
//! once a frame the autoload sends those bytes to the editor as they are,
//! and the editor reads them back into Dictionaries (`feed_reader.rs`, in
//! the editor's process: `addons/game_tracker/debugger/`). With no debugger,
//! nothing here runs: an exported game never turns it on.
//!
//! The game and the editor may run different versions of the addon, so the
//! feed carries the record format's version (`record::VERSION`), and the
//! tab reads only records of its own version (`tab.gd`'s `add_message`).

use game_tracker_core::config::HitchConfig;
use game_tracker_core::model::event::{Event, SpanStatus};
use game_tracker_core::model::value::Value;
use game_tracker_core::Tracker;
use godot::prelude::*;

/// Events the editor reads from one message at most; the rest are counted
/// so the tab can say what it did not show.
pub const MAX_EVENTS_PER_SEND: usize = 2000;

#[derive(Default)]
pub struct DebuggerFeed {
    on: bool,
}

impl DebuggerFeed {
    pub fn set(&mut self, on: bool, tracker: Option<&Tracker>) {
        self.on = on;
        if let Some(t) = tracker {
            t.set_tap(on);
        }
    }

    pub fn is_on(&self) -> bool {
        self.on
    }

    /// `{"records": PackedByteArray, "overflow": n, "version": v, "hitches":
    /// [frozen_frame_ms, max_hitches_per_minute]}`: the records handed to
    /// the worker since the last call (with `staged`, also those not yet
    /// handed over) as they are, how many events the tap could not keep,
    /// and the game's hitch settings, which the editor's reader needs to
    /// make the hitches the game's worker makes. Copying bytes is all the
    /// game does; the editor reads them (`GameTrackerFeedReader`) when
    /// `version` is the editor's own ([`version`]).
    pub fn take(
        &mut self,
        tracker: Option<&Tracker>,
        staged: bool,
        hitches: &HitchConfig,
    ) -> VarDictionary {
        let (bytes, overflow) = match (self.on, tracker) {
            (true, Some(t)) => t.take_tapped(staged),
            _ => (Vec::new(), 0),
        };
        let mut out = VarDictionary::new();
        out.set("records", &PackedByteArray::from(bytes.as_slice()));
        out.set("overflow", overflow as i64);
        out.set("version", version());
        out.set("hitches", &hitch_settings(hitches));
        out
    }
}

/// `[frozen_frame_ms (0: none), max_hitches_per_minute]`, as
/// [`hitch_config`] reads them back.
fn hitch_settings(config: &HitchConfig) -> VarArray {
    let frozen_ms = config.frozen.map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    varray![frozen_ms, config.max_per_minute as i64]
}

/// The game's hitch settings from the feed (`hitch_settings`), for the
/// editor's reader: capture on (the game's notes come only when it is),
/// the threshold in each note.
pub fn hitch_config(settings: &VarArray) -> Option<HitchConfig> {
    let frozen_ms = settings.get(0)?.try_to::<f64>().ok()?;
    let max_per_minute = settings.get(1)?.try_to::<i64>().ok()?;
    Some(HitchConfig {
        capture: true,
        threshold: None,
        frozen: (frozen_ms > 0.0).then(|| std::time::Duration::from_secs_f64(frozen_ms / 1000.0)),
        max_per_minute: max_per_minute.max(0) as usize,
    })
}

/// The version of the records this build writes and reads.
pub fn version() -> i64 {
    i64::from(game_tracker_core::handover::record::VERSION)
}

pub fn millis(unix_nano: u64) -> f64 {
    unix_nano as f64 / 1e6
}

/// An event as the tab reads it: `{"type": "log" | "metric" | "span", …}`.
pub fn event_dictionary(event: &Event) -> VarDictionary {
    let mut d = VarDictionary::new();
    match event {
        Event::Log(log) => {
            d.set("type", "log");
            d.set("time_ms", millis(log.time_unix_nano));
            d.set("level", log.level.as_str());
            d.set("message", log.message.as_str());
            d.set("data", &fields(&log.data));
        }
        Event::Metric(m) => {
            d.set("type", "metric");
            d.set("time_ms", millis(m.time_unix_nano));
            d.set("kind", m.kind.as_str());
            d.set("name", m.name.as_str());
            let mut values = PackedFloat64Array::new();
            values.push(m.value);
            for v in &m.more {
                values.push(*v);
            }
            d.set("values", &values);
            let mut labels = VarDictionary::new();
            for (k, v) in &m.labels {
                labels.set(k.as_str(), v.as_str());
            }
            d.set("labels", &labels);
        }
        Event::Span(s) => {
            d.set("type", "span");
            d.set("name", s.name.as_str());
            d.set("trace_id", s.trace_id.to_hex().as_str());
            d.set("span_id", s.span_id.to_hex().as_str());
            d.set(
                "parent_id",
                s.parent_span_id
                    .map(|p| p.to_hex())
                    .unwrap_or_default()
                    .as_str(),
            );
            d.set("start_ms", millis(s.start_time_unix_nano));
            d.set("end_ms", millis(s.end_time_unix_nano));
            d.set("error", s.status == SpanStatus::Error);
            d.set("status_message", s.status_message.as_str());
            d.set("attributes", &fields(&s.attributes));
        }
    }
    d
}

fn fields(entries: &[(String, Value)]) -> VarDictionary {
    let mut d = VarDictionary::new();
    for (k, v) in entries {
        d.set(k.as_str(), &value(v));
    }
    d
}

fn value(v: &Value) -> Variant {
    match v {
        Value::Null => Variant::nil(),
        Value::Bool(b) => b.to_variant(),
        Value::Int(i) => i.to_variant(),
        Value::Float(f) => f.to_variant(),
        Value::Str(s) => s.as_str().to_variant(),
        Value::List(items) => {
            let mut a = VarArray::new();
            for item in items {
                a.push(&value(item));
            }
            a.to_variant()
        }
        Value::Map(entries) => fields(entries).to_variant(),
    }
}
