//! GameTracker GDExtension: the thin engine layer. The per-frame calls
//! (`log_*`, `increment`, `gauge`, `histogram`, `start_span`) are registered
//! by hand (`hot_methods.rs`) and write Godot's argument Variants straight
//! into the core tracker's record buffer (`convert.rs`); the rest are gdext
//! `#[func]`s. The buffer goes to the worker once per frame, in
//! `GameTrackerClient::process`. One class per file: `client.rs`
//! (`GameTrackerClient`, behind the `GameTracker` autoload) and `span.rs`
//! (`GameTrackerSpan`); the benchmark build adds `bench_floor.rs`.

#[cfg(feature = "bench")]
mod bench_floor;
#[cfg(test)]
mod class_reference;
mod client;
mod convert;
mod debugger_feed;
mod engine_monitors;
mod feed_reader;
#[cfg(feature = "bench")]
mod frame_costs;
mod godot_http;
mod hitch_detector;
mod hot_methods;
mod main_thread;
mod settings;
mod span;
mod timeline_file;
mod vitals;
mod warn;

use godot::prelude::*;

struct GameTrackerExtension;

#[gdextension]
unsafe impl ExtensionLibrary for GameTrackerExtension {
    fn on_stage_init(stage: InitStage) {
        // Godot loads extensions on its main thread.
        if stage == InitStage::Scene {
            main_thread::mark();
            hot_methods::register::<client::GameTrackerClient>();
            #[cfg(feature = "bench")]
            hot_methods::register::<bench_floor::GameTrackerBenchRawFloor>();
        }
    }
}
