//! The core's HTTP on the Web: a [`PolledTransport`] over the browser's
//! `fetch`, which the worker's JavaScript (`gameTrackerFetch` in
//! addons/game_tracker/web/worker.js) starts and keeps the answer of. The
//! core asks each slice whether the answer came; nothing here waits.
//! Requests made while the page is hidden or leaving are `keepalive`, so
//! they outlive it (the JavaScript side keeps them within the browser's
//! 64 KiB budget).

use game_tracker_core::encode::Payload;
use game_tracker_core::transport::http_target::HttpTarget;
use game_tracker_core::transport::{PolledTransport, Reply};
use game_tracker_core::Signal;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// Starts a POST; returns its id. `headers` is one `name: value` a line.
    #[wasm_bindgen(js_namespace = gameTrackerFetch, js_name = start)]
    fn fetch_start(url: &str, headers: &str, body: &[u8], timeout_ms: u32) -> u32;
    /// -1 while under way, 0 for no answer (network error, timeout), else
    /// the HTTP status.
    #[wasm_bindgen(js_namespace = gameTrackerFetch, js_name = status)]
    fn fetch_status(id: u32) -> i32;
    /// The answer's `Retry-After` ("" if none or unreadable under CORS).
    #[wasm_bindgen(js_namespace = gameTrackerFetch, js_name = retryAfter)]
    fn fetch_retry_after(id: u32) -> String;
    /// The start of the answer's body, or why there was none.
    #[wasm_bindgen(js_namespace = gameTrackerFetch, js_name = text)]
    fn fetch_text(id: u32) -> String;
    /// Lets the request's record go.
    #[wasm_bindgen(js_namespace = gameTrackerFetch, js_name = forget)]
    fn fetch_forget(id: u32);
}

/// The URL the request goes to, and the request under way.
pub struct Fetch {
    target: HttpTarget,
    url: String,
    request: Option<u32>,
}

/// The worker's [`game_tracker_core::transport::http_target::MakePolledHttp`].
pub fn make(target: HttpTarget) -> Box<dyn PolledTransport> {
    Box::new(Fetch {
        url: target.request_url(),
        target,
        request: None,
    })
}

impl PolledTransport for Fetch {
    fn start(&mut self, _signal: Signal, payload: &Payload) {
        let headers: String = self
            .target
            .request_headers(payload)
            .iter()
            .map(|(k, v)| format!("{k}: {v}\n"))
            .collect();
        let timeout_ms = self.target.timeout.as_millis().min(u32::MAX as u128) as u32;
        self.request = Some(fetch_start(&self.url, &headers, &payload.body, timeout_ms));
    }

    fn poll(&mut self) -> Option<Reply> {
        let id = self.request?;
        let status = fetch_status(id);
        let outcome = match status {
            -1 => return None,
            0 => self.target.failed(fetch_text(id)),
            status => {
                let retry_after = fetch_retry_after(id);
                let retry_after = (!retry_after.is_empty()).then_some(retry_after.as_str());
                self.target
                    .answer(status as u16, retry_after, &fetch_text(id))
            }
        };
        fetch_forget(id);
        self.request = None;
        Some(outcome)
    }
}

// The worker is one thread: the transport is only ever used on it.
unsafe impl Send for Fetch {}
