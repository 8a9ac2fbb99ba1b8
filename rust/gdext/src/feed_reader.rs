//! `GameTrackerFeedReader`: the editor's reader of one game's debugger feed
//! (`debugger_feed.rs`), kept for the whole run. Besides the game's events
//! it gives the scene changes and the hitches, which the game's worker
//! makes from notes the feed also carries: the reader runs the core's own
//! hitch code (`game_tracker_core::hitches`) on them, so the tab shows the
//! hitch the game sent, with the same context.

use game_tracker_core::config::HitchConfig;
use game_tracker_core::handover::record::{read_items, Item};
use game_tracker_core::hitches::{Hitches, Outcome};
use game_tracker_core::model::event::Note;
use game_tracker_core::Config;
use godot::prelude::*;

use crate::debugger_feed::{event_dictionary, hitch_config, millis, MAX_EVENTS_PER_SEND};

/// Reads a game's debugger messages in order. Editor only: the tab makes
/// one per game run.
#[derive(GodotClass)]
#[class(base = RefCounted)]
pub struct GameTrackerFeedReader {
    hitches: Option<Hitches>,
    /// The settings `hitches` was made with: the game's, once it said them.
    settings: HitchConfig,
}

#[godot_api]
impl IRefCounted for GameTrackerFeedReader {
    fn init(_base: Base<RefCounted>) -> Self {
        // The key table's defaults until the game's feed says its own.
        let settings = Config::default().hitches;
        GameTrackerFeedReader {
            hitches: Hitches::new(&settings),
            settings,
        }
    }
}

#[godot_api]
impl GameTrackerFeedReader {
    /// The game's hitch settings, as its feed carries them
    /// (`debugger_feed.rs`): its frozen frames and its budget, so the tab
    /// shows the hitches the game sent. Changed settings start afresh.
    #[func]
    fn use_hitch_settings(&mut self, settings: VarArray) {
        if let Some(config) = hitch_config(&settings).filter(|c| *c != self.settings) {
            self.hitches = Hitches::new(&config);
            self.settings = config;
        }
    }

    /// One message's records as Dictionaries: the game's events, then
    /// `{"type": "scene", "time_ms", "name"}` and a hitch's log line and
    /// span (`"derived": true`: the game's worker made them, not a call) in
    /// their place. At most `MAX_EVENTS_PER_SEND` events; the rest are
    /// counted in a last `{"type": "overflow", "count": n}`.
    #[func]
    fn read(&mut self, records: PackedByteArray) -> VarArray {
        let mut out = VarArray::new();
        let mut over = 0i64;
        let mut push = |d: VarDictionary, out: &mut VarArray| {
            if out.len() < MAX_EVENTS_PER_SEND {
                out.push(&d.to_variant());
            } else {
                over += 1;
            }
        };
        read_items(records.as_slice(), |item| match item {
            Item::Event(event) => {
                if let Some(h) = self.hitches.as_mut() {
                    h.observe(&event);
                }
                push(event_dictionary(&event), &mut out);
            }
            Item::Note(note) => {
                if let Note::Scene {
                    time_unix_nano,
                    name,
                } = &note
                {
                    let mut d = VarDictionary::new();
                    d.set("type", "scene");
                    d.set("time_ms", millis(*time_unix_nano));
                    d.set("name", name.as_str());
                    push(d, &mut out);
                }
                if let Some(Outcome::Reported(report)) =
                    self.hitches.as_mut().and_then(|h| h.note(&note))
                {
                    for event in [&report.log, &report.span] {
                        let mut d = event_dictionary(event);
                        d.set("derived", true);
                        push(d, &mut out);
                    }
                }
            }
        });
        if over > 0 {
            let mut d = VarDictionary::new();
            d.set("type", "overflow");
            d.set("count", over);
            out.push(&d.to_variant());
        }
        out
    }
}
