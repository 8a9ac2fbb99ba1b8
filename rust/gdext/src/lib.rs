//! GameTracker GDExtension: the thin engine layer. Each `#[func]` converts
//! its Variant arguments into core types and hands one event to
//! `game_tracker_core::Tracker`, which only `try_send`s it to the worker.

#[cfg(feature = "bench")]
mod bench_floor;
mod client;
mod convert;
mod main_thread;
mod span;
mod warn;

use godot::prelude::*;

struct GameTrackerExtension;

#[gdextension]
unsafe impl ExtensionLibrary for GameTrackerExtension {
    fn on_stage_init(stage: InitStage) {
        // Godot loads extensions on its main thread.
        if stage == InitStage::Scene {
            main_thread::mark();
        }
    }
}
