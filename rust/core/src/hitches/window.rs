//! What the worker keeps to say what ran in a frame: the spans open now,
//! and the last few logs, ended spans and breadcrumbs, each bounded.

use std::collections::{HashMap, VecDeque};

use crate::model::event::{Event, HitchNote, Level, Note, SpanId, TraceId};

/// Spans started and not ended that are kept: more is a leak in the game
/// (spans never ended); the oldest go first.
pub const MAX_OPEN_SPANS: usize = 1024;
/// Recent logs, ended spans and breadcrumbs kept, each: a frame with more
/// than this says so (`context_omitted`).
pub const RECENT: usize = 64;
/// A hitch names at most this many of each: its context stays a few KiB.
pub const MAX_CONTEXT_ITEMS: usize = 16;
/// Longer messages are cut here (in characters).
pub const MAX_CONTEXT_TEXT: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub struct SpanInFrame {
    pub name: String,
    pub trace_id: TraceId,
    pub span_id: SpanId,
    pub start_unix_nano: u64,
    /// `None`: still open when the frame ended.
    pub end_unix_nano: Option<u64>,
}

impl SpanInFrame {
    /// Its length so far at `frame_end` (all of it if it ended).
    pub fn length_at(&self, frame_end: u64) -> u64 {
        self.end_unix_nano
            .unwrap_or(frame_end)
            .saturating_sub(self.start_unix_nano)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LineInFrame {
    pub time_unix_nano: u64,
    /// `None` for a breadcrumb.
    pub level: Option<Level>,
    /// A breadcrumb's category.
    pub category: String,
    pub message: String,
}

/// One frame's context, bounded by [`MAX_CONTEXT_ITEMS`] each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameContext {
    pub scene: String,
    /// Open in the frame or ended in it, longest first.
    pub spans: Vec<SpanInFrame>,
    pub logs: Vec<LineInFrame>,
    pub breadcrumbs: Vec<LineInFrame>,
    /// Items of the frame left out (over the bounds, or no longer kept).
    pub omitted: usize,
}

#[derive(Default)]
pub struct FrameWindow {
    scene: String,
    open: HashMap<SpanId, SpanInFrame>,
    ended: VecDeque<SpanInFrame>,
    logs: VecDeque<LineInFrame>,
    breadcrumbs: VecDeque<LineInFrame>,
    /// Something was pushed out of `ended`, `logs` or `breadcrumbs` at or
    /// after this time: a frame that reaches back to it misses some.
    forgotten_until: u64,
}

impl FrameWindow {
    pub fn observe(&mut self, event: &Event) {
        match event {
            Event::Log(log) => {
                let line = LineInFrame {
                    time_unix_nano: log.time_unix_nano,
                    level: Some(log.level),
                    category: String::new(),
                    message: cut(&log.message),
                };
                self.forgotten_until = self.forgotten_until.max(push(&mut self.logs, line));
            }
            Event::Span(span) => {
                let ended = SpanInFrame {
                    name: span.name.clone(),
                    trace_id: span.trace_id,
                    span_id: span.span_id,
                    start_unix_nano: span.start_time_unix_nano,
                    end_unix_nano: Some(span.end_time_unix_nano),
                };
                self.open.remove(&span.span_id);
                let forgotten = push(&mut self.ended, ended);
                self.forgotten_until = self.forgotten_until.max(forgotten);
            }
            Event::Metric(_) => {}
        }
    }

    pub fn note(&mut self, note: &Note) {
        match note {
            Note::SpanStarted {
                time_unix_nano,
                trace_id,
                span_id,
                name,
            } => {
                if self.open.len() >= MAX_OPEN_SPANS {
                    self.forget_oldest_open();
                }
                self.open.insert(
                    *span_id,
                    SpanInFrame {
                        name: name.clone(),
                        trace_id: *trace_id,
                        span_id: *span_id,
                        start_unix_nano: *time_unix_nano,
                        end_unix_nano: None,
                    },
                );
            }
            Note::Breadcrumb {
                time_unix_nano,
                category,
                message,
                ..
            } => {
                let line = LineInFrame {
                    time_unix_nano: *time_unix_nano,
                    level: None,
                    category: category.clone(),
                    message: cut(message),
                };
                let forgotten = push(&mut self.breadcrumbs, line);
                self.forgotten_until = self.forgotten_until.max(forgotten);
            }
            Note::Scene { name, .. } => self.scene = name.clone(),
            Note::Paused { .. } | Note::Hitch(_) => {}
        }
    }

    fn forget_oldest_open(&mut self) {
        if let Some(oldest) = self
            .open
            .values()
            .min_by_key(|s| s.start_unix_nano)
            .map(|s| s.span_id)
        {
            self.open.remove(&oldest);
        }
    }

    /// What ran in the hitch's frame, from what is kept now. Records carry
    /// the wall clock and the frame was timed by the monotonic one, which
    /// can run apart while NTP slews the wall clock (up to 500 ppm): a line
    /// from within tens of microseconds of the frame's edges may be counted
    /// in it.
    pub fn frame(&self, hitch: &HitchNote) -> FrameContext {
        let end = hitch.end_unix_nano;
        let start = end.saturating_sub(hitch.duration_ns);
        let mut omitted = 0;
        let mut spans: Vec<SpanInFrame> = self
            .open
            .values()
            .filter(|s| s.start_unix_nano <= end)
            .chain(self.ended.iter().filter(|s| {
                s.start_unix_nano <= end && s.end_unix_nano.is_some_and(|e| e >= start)
            }))
            .map(|s| {
                let mut s = s.clone();
                // Ended after the frame: it was open in it.
                s.end_unix_nano = s.end_unix_nano.filter(|e| *e <= end);
                s
            })
            .collect();
        spans.sort_by_key(|s| std::cmp::Reverse(s.length_at(end)));
        omitted += spans.len().saturating_sub(MAX_CONTEXT_ITEMS);
        spans.truncate(MAX_CONTEXT_ITEMS);
        let mut lines = |kept: &VecDeque<LineInFrame>| {
            let in_frame: Vec<&LineInFrame> = kept
                .iter()
                .filter(|l| (start..=end).contains(&l.time_unix_nano))
                .collect();
            // The frame's last lines: the ones nearest the stall.
            let skip = in_frame.len().saturating_sub(MAX_CONTEXT_ITEMS);
            omitted += skip;
            in_frame.into_iter().skip(skip).cloned().collect()
        };
        let logs = lines(&self.logs);
        let breadcrumbs = lines(&self.breadcrumbs);
        if self.forgotten_until >= start {
            // Some of the frame's records were pushed out before the note came.
            omitted += 1;
        }
        FrameContext {
            scene: self.scene.clone(),
            spans,
            logs,
            breadcrumbs,
            omitted,
        }
    }
}

/// Keeps the last [`RECENT`]; the time of the one pushed out, else 0.
fn push<T: Timed>(kept: &mut VecDeque<T>, item: T) -> u64 {
    let forgotten = if kept.len() >= RECENT {
        kept.pop_front().map_or(0, |old| old.time())
    } else {
        0
    };
    kept.push_back(item);
    forgotten
}

trait Timed {
    /// When it happened: a line's time, a span's end.
    fn time(&self) -> u64;
}

impl Timed for LineInFrame {
    fn time(&self) -> u64 {
        self.time_unix_nano
    }
}

impl Timed for SpanInFrame {
    fn time(&self) -> u64 {
        self.end_unix_nano.unwrap_or(self.start_unix_nano)
    }
}

fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_CONTEXT_TEXT) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}
