//! What the worker's JavaScript calls (addons/game_tracker/web/worker.js).

use wasm_bindgen::prelude::*;

use crate::replay::Replay;

#[wasm_bindgen]
pub struct WebTracker {
    replay: Replay,
}

#[wasm_bindgen]
impl WebTracker {
    #[wasm_bindgen(constructor)]
    pub fn new() -> WebTracker {
        WebTracker { replay: Replay::new(Some(crate::fetch::make)) }
    }

    /// One frame's hand-over (see `replay.rs`); an error for text that is
    /// not one.
    pub fn frame(&mut self, text: &str) -> Result<(), String> {
        self.replay.frame(text)
    }

    /// A slice of the worker with nothing new from the page.
    pub fn tick(&mut self) {
        self.replay.tick();
    }

    /// `get_stats()`, as JSON text.
    pub fn stats(&self) -> String {
        self.replay.stats()
    }

    /// Warnings for the page's console, since the last call.
    pub fn diagnostics(&mut self) -> Vec<String> {
        self.replay.take_diagnostics()
    }

    /// The page was hidden: what waits goes out now.
    pub fn flush(&mut self) {
        self.replay.flush();
    }

    /// The page is leaving: the session ends and the rest goes out.
    pub fn leave(&mut self) {
        self.replay.leave();
    }
}

impl Default for WebTracker {
    fn default() -> Self {
        WebTracker::new()
    }
}
