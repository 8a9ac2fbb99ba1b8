//! What the worker's JavaScript calls (addons/game_tracker/web/worker.js).

use wasm_bindgen::prelude::*;

use game_tracker_core::api::lifecycle::FarewellRequest;

use crate::replay::Replay;

#[wasm_bindgen]
pub struct WebTracker {
    replay: Replay,
}

#[wasm_bindgen]
impl WebTracker {
    #[wasm_bindgen(constructor)]
    pub fn new() -> WebTracker {
        WebTracker {
            replay: Replay::new(Some(crate::fetch::make)),
        }
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

    /// True while events wait to be read: tick again at once.
    pub fn busy(&self) -> bool {
        self.replay.busy()
    }

    /// Warnings for the page's console, since the last call.
    pub fn diagnostics(&mut self) -> Vec<String> {
        self.replay.take_diagnostics()
    }

    /// The page was hidden: what waits goes out now.
    pub fn flush(&mut self) {
        self.replay.flush();
    }

    /// The requests the page keeps to send as it goes (`Replay::farewell`).
    pub fn farewell(&self) -> Vec<Farewell> {
        self.replay
            .farewell()
            .into_iter()
            .map(|request| Farewell { request })
            .collect()
    }

    /// The page is leaving: the session ends and the rest goes out.
    pub fn leave(&mut self) {
        self.replay.leave();
    }
}

/// One request of the farewell, as the worker's script reads it.
#[wasm_bindgen]
pub struct Farewell {
    request: FarewellRequest,
}

#[wasm_bindgen]
impl Farewell {
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.request.url.clone()
    }

    /// One `name: value` a line.
    #[wasm_bindgen(getter)]
    pub fn headers(&self) -> String {
        self.request
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}\n"))
            .collect()
    }

    #[wasm_bindgen(getter)]
    pub fn body(&self) -> Vec<u8> {
        self.request.body.clone()
    }
}

impl Default for WebTracker {
    fn default() -> Self {
        WebTracker::new()
    }
}
