//! `GameTrackerSpan`: what `start_span` returns. Holds the started span and
//! an emitter, so `end()` enqueues the finished span from anywhere.

use game_tracker_core::event::{SpanId, TraceId};
use game_tracker_core::{Emitter, OpenSpan, SpanStatus};
use godot::prelude::*;

use crate::convert;
use crate::warn::warn_once;

/// A span started by `GameTracker.start_span()`. Call `end()` once when the
/// work is done; pass it as `parent` to nest spans.
#[derive(GodotClass)]
#[class(base = RefCounted, no_init)]
pub struct GameTrackerSpan {
    open: Option<OpenSpan>,
    emitter: Option<Emitter>,
    ids: Option<(TraceId, SpanId)>,
    status: SpanStatus,
    status_message: String,
    base: Base<RefCounted>,
}

impl GameTrackerSpan {
    pub fn started(open: OpenSpan, emitter: Emitter) -> Gd<Self> {
        let ids = Some((open.trace_id, open.span_id));
        Gd::from_init_fn(|base| GameTrackerSpan {
            open: Some(open),
            emitter: Some(emitter),
            ids,
            status: SpanStatus::Unset,
            status_message: String::new(),
            base,
        })
    }

    /// A span that records nothing, returned when the tracker is not running
    /// so game code can call `end()` unconditionally.
    pub fn inert() -> Gd<Self> {
        Gd::from_init_fn(|base| GameTrackerSpan {
            open: None,
            emitter: None,
            ids: None,
            status: SpanStatus::Unset,
            status_message: String::new(),
            base,
        })
    }

    pub fn ids(&self) -> Option<(TraceId, SpanId)> {
        self.ids
    }
}

#[godot_api]
impl GameTrackerSpan {
    /// Ends the span and queues it for sending. A second call does nothing
    /// (and warns once).
    #[func]
    fn end(&mut self) {
        match (self.open.take(), &self.emitter) {
            (Some(open), Some(emitter)) => {
                let record = open.finish(self.status, std::mem::take(&mut self.status_message));
                emitter.emit(game_tracker_core::event::Event::Span(record));
            }
            _ if self.emitter.is_some() => warn_once("end", "twice", || "GameTrackerSpan.end() called on a span that already ended; ignored".into()),
            _ => {}
        }
    }

    /// Adds or replaces an attribute before `end()`.
    #[func]
    fn set_attribute(&mut self, key: Variant, value: Variant) {
        let Some(open) = self.open.as_mut() else { return };
        let Some((key, _)) = convert::text(&key) else {
            warn_once("set_attribute", "key", || "GameTrackerSpan.set_attribute(): key is null; ignored".into());
            return;
        };
        open.attributes.retain(|(k, _)| *k != key);
        open.attributes.push((key, convert::value(&value)));
    }

    /// Marks the span as failed (OTLP status ERROR) with a message.
    #[func]
    fn set_error(&mut self, #[opt(default = "")] message: GString) {
        self.status = SpanStatus::Error;
        self.status_message = message.to_string();
    }

    /// Marks the span as explicitly successful (OTLP status OK).
    #[func]
    fn set_ok(&mut self) {
        self.status = SpanStatus::Ok;
        self.status_message.clear();
    }

    /// True once `end()` was called (or if the tracker was not running).
    #[func]
    fn is_ended(&self) -> bool {
        self.open.is_none()
    }

    /// 32 lowercase hex characters, or "" when the tracker was not running.
    #[func]
    fn get_trace_id(&self) -> GString {
        GString::from(self.ids.map(|(t, _)| t.to_hex()).unwrap_or_default().as_str())
    }

    /// 16 lowercase hex characters, or "" when the tracker was not running.
    #[func]
    fn get_span_id(&self) -> GString {
        GString::from(self.ids.map(|(_, s)| s.to_hex()).unwrap_or_default().as_str())
    }
}
