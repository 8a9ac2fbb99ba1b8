//! `GameTrackerSpan`: what `start_span` returns. Holds the started span and
//! a weak reference to the tracker, so `end()` enqueues the finished span
//! while the tracker runs and does nothing once it was shut down.

use std::rc::Weak;

use game_tracker_core::model::event::{SpanId, TraceId};
use game_tracker_core::{OpenSpan, SpanStatus, Tracker};
use godot::builtin::VariantType;
use godot::prelude::*;

use crate::convert::{self, AsValue};
use crate::main_thread;
use crate::warn::warn_once;

/// A span started by `GameTracker.start_span()`. Call `end()` once when the
/// work is done; pass it as `parent` to nest spans.
#[derive(GodotClass)]
#[class(base = RefCounted, no_init)]
pub struct GameTrackerSpan {
    open: Option<OpenSpan>,
    tracker: Weak<Tracker>,
    /// Started by a running tracker (an inert span never warns).
    live: bool,
    ids: Option<(TraceId, SpanId)>,
    status: SpanStatus,
    status_message: String,
    base: Base<RefCounted>,
}

impl GameTrackerSpan {
    pub fn started(open: OpenSpan, tracker: Weak<Tracker>) -> Gd<Self> {
        let ids = Some((open.trace_id, open.span_id));
        Gd::from_init_fn(|base| GameTrackerSpan {
            open: Some(open),
            tracker,
            live: true,
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
            tracker: Weak::new(),
            live: false,
            ids: None,
            status: SpanStatus::Unset,
            status_message: String::new(),
            base,
        })
    }

    /// Makes a span object that nobody else references a new, started span
    /// (see `SpanPool`): the same state `started` gives a fresh one.
    pub fn restart(&mut self, open: OpenSpan, tracker: Weak<Tracker>) {
        self.ids = Some((open.trace_id, open.span_id));
        self.open = Some(open);
        self.tracker = tracker;
        self.live = true;
        self.status = SpanStatus::Unset;
        self.status_message.clear();
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
        // Only a span that would have been sent is an event lost (an inert
        // span's refusal was counted when it was started).
        let lost = self
            .open
            .is_some()
            .then_some(game_tracker_core::Signal::Traces);
        if !main_thread::check("end", lost) {
            return;
        }
        match self.open.take() {
            Some(open) => {
                if let Some(tracker) = self.tracker.upgrade() {
                    tracker.end_span(&open, self.status, &self.status_message);
                }
            }
            None if self.live => warn_once("end", "twice", || {
                "GameTrackerSpan.end() called on a span that already ended; ignored".into()
            }),
            _ => {}
        }
    }

    /// Adds or replaces an attribute before `end()`.
    #[func]
    fn set_attribute(&mut self, key: Variant, value: Variant) {
        if !main_thread::check("set_attribute", None) {
            return;
        }
        let Some(open) = self.open.as_mut() else {
            return;
        };
        let Some(key) = convert::text(&key) else {
            warn_once("set_attribute", "key", || {
                "GameTrackerSpan.set_attribute(): key is null; ignored".into()
            });
            return;
        };
        open.set_attribute(&key, AsValue(&value));
    }

    /// Marks the span as failed (OTLP status ERROR) with a message.
    #[func]
    fn set_error(&mut self, #[opt(default = "")] message: GString) {
        if !main_thread::check("set_error", None) {
            return;
        }
        self.status = SpanStatus::Error;
        self.status_message = message.to_string();
    }

    /// Marks the span as explicitly successful (OTLP status OK).
    #[func]
    fn set_ok(&mut self) {
        if !main_thread::check("set_ok", None) {
            return;
        }
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
        GString::from(
            self.ids
                .map(|(t, _)| t.to_hex())
                .unwrap_or_default()
                .as_str(),
        )
    }

    /// 16 lowercase hex characters, or "" when the tracker was not running.
    #[func]
    fn get_span_id(&self) -> GString {
        GString::from(
            self.ids
                .map(|(_, s)| s.to_hex())
                .unwrap_or_default()
                .as_str(),
        )
    }

    /// The W3C `traceparent` header value (`00-<trace id>-<span id>-01`)
    /// for an `HTTPRequest` made inside this span, so the game's backend
    /// continues the trace; "" when the tracker was not running.
    #[func]
    fn traceparent(&self) -> GString {
        let value = self
            .ids
            .map(|(t, s)| game_tracker_core::model::event::traceparent(t, s));
        GString::from(value.unwrap_or_default().as_str())
    }
}

/// Span objects handed out recently. Creating and freeing a Godot object is
/// most of what a span costs, and most spans are ended and dropped at once
/// (`start_span("x").end()`), so a pooled span that only the pool still
/// references is handed out again instead. Nothing can observe the reuse:
/// a reference count of one means no script holds it.
#[derive(Default)]
pub struct SpanPool {
    spans: Vec<Gd<GameTrackerSpan>>,
    next: usize,
}

/// Spans kept for reuse. Checked round-robin, so a span is looked at again
/// only after this many others were started: by then a script has usually
/// let go of it (even a temporary in the calling function).
const SPAN_POOL_SIZE: usize = 32;

impl SpanPool {
    /// A started span to hand out: a pooled one nobody references any more,
    /// made the new span, or a new object (kept in the pool's next slot).
    pub fn start(&mut self, open: OpenSpan, tracker: Weak<Tracker>) -> &Gd<GameTrackerSpan> {
        let slot = self.next;
        self.next = (self.next + 1) % SPAN_POOL_SIZE;
        let reusable = self
            .spans
            .get(slot)
            .is_some_and(|span| span.upcast_ref::<RefCounted>().get_reference_count() == 1);
        if reusable {
            self.spans[slot].bind_mut().restart(open, tracker);
        } else if slot < self.spans.len() {
            self.spans[slot] = GameTrackerSpan::started(open, tracker);
        } else {
            self.spans.push(GameTrackerSpan::started(open, tracker));
        }
        &self.spans[slot]
    }

    /// The trace and span ids of a `parent` argument. A parent is usually a
    /// span of the pool: found by its object pointer, without taking a
    /// reference or checking its class through the engine.
    pub fn ids_of(&self, parent: &Variant) -> ParentIds {
        match parent.get_type() {
            VariantType::NIL => return ParentIds::None,
            VariantType::OBJECT => {
                let object = crate::convert::object_ptr(parent);
                if let Some(span) = self
                    .spans
                    .iter()
                    .find(|s| s.obj_sys().cast_const().cast::<std::ffi::c_void>() == object)
                {
                    return ParentIds::Span(span.bind().ids());
                }
            }
            _ => return ParentIds::NotASpan,
        }
        match parent.try_to::<Gd<GameTrackerSpan>>() {
            Ok(p) => ParentIds::Span(p.bind().ids()),
            Err(_) => ParentIds::NotASpan,
        }
    }
}

/// What a `parent` argument of `start_span` is.
pub enum ParentIds {
    /// Null: a new trace.
    None,
    /// A span (its ids; none for an inert span).
    Span(Option<(TraceId, SpanId)>),
    /// Something else: warned about, a new trace.
    NotASpan,
}
