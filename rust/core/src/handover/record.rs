//! How an API call travels from the game's main thread to the worker: as a
//! record appended to a byte buffer, not as a Rust value.
//!
//! Building `String`s and `Vec`s for every call cost more than everything
//! else on the main thread together (allocation, and the worker freeing
//! memory the main thread allocated). So the main thread only appends bytes
//! to a reused buffer ([`crate::api::tracker`] hands full buffers over), and the
//! worker turns them back into [`Event`]s here. Writer and reader live side
//! by side in this file. One reader is in another process: the editor's
//! debugger tab reads the records a game run from it sent
//! (`rust/gdext/src/debugger_feed.rs`), and that game may carry another
//! version of the addon. So the format has a version, [`VERSION`], sent
//! with the feed; the tab reads only its own version and says so when the
//! game's differs. There are no compatibility rules beyond that.
//!
//! Layout (little-endian):
//! - value: tag byte, then `null` | `bool` u8 | `int` i64 | `float` f64 |
//!   `str` u32 length + UTF-8 | `list` u32 count + values | `map` u32 count +
//!   (str key, value) pairs;
//! - log: level u8, time u64, message str, data value;
//! - metric: kind u8, time u64, name str, value f64, labels value; kind 3
//!   is a histogram followed by u32 count + f64 further observations;
//! - span: ids, parent, times, status u8, status message str, name str,
//!   attributes value, u32 count + later (key, value) attributes;
//! - scope: the whole user context as a map value (sent when it changes, so
//!   each event gets the context as it was when the game made it);
//! - note: what the worker keeps but sends only with something else (a
//!   breadcrumb, the scene, paused, a span's start, a hitch): kind u8, time
//!   u64, then a breadcrumb's category str, message str and data value, a
//!   scene's name str, paused u8, a started span's trace id, span id and
//!   name str, or a hitch's duration u64 ns, threshold u64 ns, and u32
//!   count and (name str, f64) pairs of monitors (its time is the frame's
//!   end). Not an event: no signal counts it.

use std::sync::Arc;

use crate::model::event::{
    Event, HitchNote, Level, LogRecord, MetricKind, MetricUpdate, Note, Scope, ScopeRef, SpanId,
    SpanRecord, SpanStatus, TraceId,
};
use crate::model::value::{Fields, Value};

/// The layout's version. Bump it with any change to the layout above, or
/// to the debugger feed's message that carries it (see `game_tracker.gd`'s
/// `_send_to_debugger`): an editor with another version then says so
/// instead of misreading the game's records.
pub const VERSION: u32 = 2;

const LOG: u8 = 1;
const METRIC: u8 = 2;
const SPAN: u8 = 3;
const SCOPE: u8 = 4;
const NOTE: u8 = 5;

/// A metric record's kind byte beyond `MetricKind`'s: a histogram with more observations.
const HISTOGRAM_SAMPLES: u8 = 3;

const NOTE_BREADCRUMB: u8 = 0;
const NOTE_SCENE: u8 = 1;
const NOTE_PAUSED: u8 = 2;
const NOTE_SPAN_STARTED: u8 = 3;
const NOTE_HITCH: u8 = 4;

const NULL: u8 = 0;
const BOOL: u8 = 1;
const INT: u8 = 2;
const FLOAT: u8 = 3;
const STR: u8 = 4;
const LIST: u8 = 5;
const MAP: u8 = 6;

/// Appends values to a record buffer. The engine layer writes its own
/// values (Variants) through this without building Rust values first.
pub struct ValueWriter<'a> {
    buf: &'a mut Vec<u8>,
}

impl<'a> ValueWriter<'a> {
    pub fn new(buf: &'a mut Vec<u8>) -> Self {
        ValueWriter { buf }
    }
    pub fn null(&mut self) {
        self.buf.push(NULL);
    }
    pub fn bool(&mut self, b: bool) {
        self.buf.extend_from_slice(&[BOOL, b as u8]);
    }
    pub fn int(&mut self, i: i64) {
        self.buf.push(INT);
        self.buf.extend_from_slice(&i.to_le_bytes());
    }
    pub fn float(&mut self, f: f64) {
        self.buf.push(FLOAT);
        self.buf.extend_from_slice(&f.to_le_bytes());
    }
    pub fn str(&mut self, s: &str) {
        self.buf.push(STR);
        self.raw_str(s);
    }
    /// A string given as Unicode scalar values (Godot's UTF-32 `String`
    /// storage), encoded to UTF-8 in place.
    pub fn str_chars(&mut self, chars: &[char]) {
        self.buf.push(STR);
        self.raw_chars(chars);
    }
    /// Starts a list: exactly `len` values must follow.
    pub fn list(&mut self, len: usize) {
        self.buf.push(LIST);
        self.count(len);
    }
    /// Starts a map: exactly `len` (key, value) pairs must follow, each key
    /// written with `key` or `key_chars`.
    pub fn map(&mut self, len: usize) {
        self.buf.push(MAP);
        self.count(len);
    }
    /// Starts a map whose length is known only after its entries are
    /// written; [`Self::end_map`] fills it in.
    pub fn begin_map(&mut self) -> MapStart {
        self.buf.push(MAP);
        let at = self.buf.len();
        self.count(0);
        MapStart(at)
    }
    pub fn end_map(&mut self, start: MapStart, len: usize) {
        let len = len.min(u32::MAX as usize) as u32;
        self.buf[start.0..start.0 + 4].copy_from_slice(&len.to_le_bytes());
    }
    pub fn key(&mut self, k: &str) {
        self.raw_str(k);
    }
    pub fn key_chars(&mut self, chars: &[char]) {
        self.raw_chars(chars);
    }
    pub fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.null(),
            Value::Bool(b) => self.bool(*b),
            Value::Int(i) => self.int(*i),
            Value::Float(f) => self.float(*f),
            Value::Str(s) => self.str(s),
            Value::List(items) => {
                self.list(items.len());
                items.iter().for_each(|i| self.value(i));
            }
            Value::Map(entries) => self.fields(entries),
        }
    }
    pub fn fields(&mut self, entries: &[(String, Value)]) {
        self.map(entries.len());
        for (k, v) in entries {
            self.key(k);
            self.value(v);
        }
    }

    fn count(&mut self, n: usize) {
        self.buf
            .extend_from_slice(&(n.min(u32::MAX as usize) as u32).to_le_bytes());
    }
    fn raw_str(&mut self, s: &str) {
        self.count(s.len());
        self.buf.extend_from_slice(s.as_bytes());
    }
    fn raw_chars(&mut self, chars: &[char]) {
        let at = self.buf.len();
        self.count(0);
        // Text is usually ASCII: one pass narrows every char to a byte and
        // ORs them together (no early exit, so it vectorises); only text
        // with a char above 0x7F is written again, encoded.
        let start = self.buf.len();
        let mut seen = 0u32;
        self.buf.extend(chars.iter().map(|&c| {
            seen |= c as u32;
            c as u8
        }));
        if seen > 0x7F {
            self.buf.truncate(start);
            let mut tmp = [0u8; 4];
            for c in chars {
                self.buf
                    .extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
            }
        }
        let len = (self.buf.len() - at - 4) as u32;
        self.buf[at..at + 4].copy_from_slice(&len.to_le_bytes());
    }
}

/// Where a map's length goes (see [`ValueWriter::begin_map`]).
pub struct MapStart(usize);

/// Something the engine layer can write as one value (a Variant, say).
pub trait WriteValue {
    fn write_value(&self, w: &mut ValueWriter);
}

impl WriteValue for Value {
    fn write_value(&self, w: &mut ValueWriter) {
        w.value(self);
    }
}

impl WriteValue for Fields {
    fn write_value(&self, w: &mut ValueWriter) {
        w.fields(self);
    }
}

impl WriteValue for [(String, String)] {
    fn write_value(&self, w: &mut ValueWriter) {
        w.map(self.len());
        for (k, v) in self {
            w.key(k);
            w.str(v);
        }
    }
}

impl<T: WriteValue + ?Sized> WriteValue for &T {
    fn write_value(&self, w: &mut ValueWriter) {
        (**self).write_value(w);
    }
}

/// Something the engine layer can write as one string (a message or name).
pub trait WriteText {
    fn write_text(&self, w: &mut ValueWriter);
}

impl WriteText for str {
    fn write_text(&self, w: &mut ValueWriter) {
        w.str(self);
    }
}

impl WriteText for String {
    fn write_text(&self, w: &mut ValueWriter) {
        w.str(self);
    }
}

impl<T: WriteText + ?Sized> WriteText for &T {
    fn write_text(&self, w: &mut ValueWriter) {
        (**self).write_text(w);
    }
}

pub(crate) fn write_log(
    buf: &mut Vec<u8>,
    level: Level,
    time: u64,
    message: impl WriteText,
    data: impl WriteValue,
) {
    buf.extend_from_slice(&[LOG, level.tag()]);
    buf.extend_from_slice(&time.to_le_bytes());
    let mut w = ValueWriter::new(buf);
    message.write_text(&mut w);
    data.write_value(&mut w);
}

/// Histogram observations gathered over a while, as one update.
pub(crate) fn write_histogram_samples(
    buf: &mut Vec<u8>,
    time: u64,
    name: impl WriteText,
    values: &[f64],
    labels: impl WriteValue,
) {
    let Some((first, more)) = values.split_first() else {
        return;
    };
    buf.extend_from_slice(&[METRIC, HISTOGRAM_SAMPLES]);
    buf.extend_from_slice(&time.to_le_bytes());
    let mut w = ValueWriter::new(buf);
    name.write_text(&mut w);
    w.buf.extend_from_slice(&first.to_le_bytes());
    labels.write_value(&mut w);
    w.buf.extend_from_slice(&(more.len() as u32).to_le_bytes());
    for v in more {
        w.buf.extend_from_slice(&v.to_le_bytes());
    }
}

pub(crate) fn write_metric(
    buf: &mut Vec<u8>,
    kind: MetricKind,
    time: u64,
    name: impl WriteText,
    value: f64,
    labels: impl WriteValue,
) {
    buf.extend_from_slice(&[METRIC, kind.tag()]);
    buf.extend_from_slice(&time.to_le_bytes());
    let mut w = ValueWriter::new(buf);
    name.write_text(&mut w);
    w.buf.extend_from_slice(&value.to_le_bytes());
    labels.write_value(&mut w);
}

/// The fixed part of a finished span; name and attributes follow as the
/// bytes the span collected while it was open (see [`crate::OpenSpan`]).
pub(crate) struct SpanHeader<'a> {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    pub parent: Option<SpanId>,
    pub start_time_unix_nano: u64,
    pub end_time_unix_nano: u64,
    pub status: SpanStatus,
    pub status_message: &'a str,
}

pub(crate) fn write_span(
    buf: &mut Vec<u8>,
    h: &SpanHeader,
    body: &[u8],
    later_attributes: u32,
    later: &[u8],
) {
    buf.push(SPAN);
    buf.extend_from_slice(&h.trace_id.0);
    buf.extend_from_slice(&h.span_id.0);
    match h.parent {
        Some(p) => {
            buf.push(1);
            buf.extend_from_slice(&p.0);
        }
        None => buf.push(0),
    }
    buf.extend_from_slice(&h.start_time_unix_nano.to_le_bytes());
    buf.extend_from_slice(&h.end_time_unix_nano.to_le_bytes());
    buf.push(h.status.tag());
    ValueWriter::new(buf).str(h.status_message);
    buf.extend_from_slice(body);
    buf.extend_from_slice(&later_attributes.to_le_bytes());
    buf.extend_from_slice(later);
}

pub(crate) fn write_scope(buf: &mut Vec<u8>, scope: &Scope) {
    buf.push(SCOPE);
    let mut w = ValueWriter::new(buf);
    w.map(3);
    w.key("user");
    w.fields(&scope.user);
    w.key("contexts");
    w.fields(&scope.contexts);
    w.key("tags");
    scope.tags[..].write_value(&mut w);
}

pub(crate) fn write_breadcrumb(
    buf: &mut Vec<u8>,
    time: u64,
    category: impl WriteText,
    message: impl WriteText,
    data: impl WriteValue,
) {
    buf.extend_from_slice(&[NOTE, NOTE_BREADCRUMB]);
    buf.extend_from_slice(&time.to_le_bytes());
    let mut w = ValueWriter::new(buf);
    category.write_text(&mut w);
    message.write_text(&mut w);
    data.write_value(&mut w);
}

pub(crate) fn write_scene(buf: &mut Vec<u8>, time: u64, name: impl WriteText) {
    buf.extend_from_slice(&[NOTE, NOTE_SCENE]);
    buf.extend_from_slice(&time.to_le_bytes());
    name.write_text(&mut ValueWriter::new(buf));
}

pub(crate) fn write_paused(buf: &mut Vec<u8>, time: u64, paused: bool) {
    buf.extend_from_slice(&[NOTE, NOTE_PAUSED]);
    buf.extend_from_slice(&time.to_le_bytes());
    buf.push(paused as u8);
}

/// `name_record`: the span's name as its body starts with it (a str value).
pub(crate) fn write_span_started(
    buf: &mut Vec<u8>,
    time: u64,
    trace_id: TraceId,
    span_id: SpanId,
    name_record: &[u8],
) {
    buf.extend_from_slice(&[NOTE, NOTE_SPAN_STARTED]);
    buf.extend_from_slice(&time.to_le_bytes());
    buf.extend_from_slice(&trace_id.0);
    buf.extend_from_slice(&span_id.0);
    buf.extend_from_slice(name_record);
}

pub(crate) fn write_hitch(
    buf: &mut Vec<u8>,
    end_time: u64,
    duration_ns: u64,
    threshold_ns: u64,
    monitors: &[(&str, f64)],
) {
    buf.extend_from_slice(&[NOTE, NOTE_HITCH]);
    buf.extend_from_slice(&end_time.to_le_bytes());
    buf.extend_from_slice(&duration_ns.to_le_bytes());
    buf.extend_from_slice(&threshold_ns.to_le_bytes());
    buf.extend_from_slice(&(monitors.len() as u32).to_le_bytes());
    for (name, value) in monitors {
        ValueWriter::new(buf).str(name);
        buf.extend_from_slice(&value.to_le_bytes());
    }
}

/// What one record read back as.
#[derive(Debug)]
pub enum Item {
    Event(Event),
    Note(Note),
}

/// A buffer the reader could not make sense of. Only a bug can cause one:
/// the main thread writes every record the reader reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// Where the bad record starts.
    pub offset: usize,
    pub tag: u8,
    /// What kind of record it claimed to be.
    pub record: &'static str,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "malformed {} record (tag {}) at byte {}",
            self.record, self.tag, self.offset
        )
    }
}

impl std::error::Error for ReadError {}

/// The events of a buffer of records (as `Tracker::take_tapped` gives
/// them), in order, wherever they are read: the editor reads what a game
/// sent it. Stops at the first malformed record.
pub fn read_events(bytes: &[u8], mut each: impl FnMut(&Event)) {
    read_items(bytes, |item| {
        if let Item::Event(event) = item {
            each(&event);
        }
    });
}

/// [`read_events`] with the notes between them (the scene, a span's start,
/// a hitch): the editor puts a hitch together from them as the worker does.
pub fn read_items(bytes: &[u8], mut each: impl FnMut(Item)) {
    let mut scope = ScopeRef::default();
    let mut reader = Reader::new(bytes);
    while let Some(Ok(item)) = reader.next_item(&mut scope) {
        each(item);
    }
}

/// Reads the records of one buffer back into events, tracking the scope
/// records between them.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    /// The next event or note, updating `scope` on the way. `None` at the
    /// end; an error if the buffer is malformed (a bug: the rest is skipped).
    pub fn next_item(&mut self, scope: &mut ScopeRef) -> Option<Result<Item, ReadError>> {
        loop {
            if self.at >= self.bytes.len() {
                return None;
            }
            let offset = self.at;
            let tag = self.bytes[self.at];
            self.at += 1;
            let (item, record) = match tag {
                LOG => (self.log(scope).map(Item::Event), "log"),
                METRIC => (self.metric().map(Item::Event), "metric"),
                SPAN => (self.span(scope).map(Item::Event), "span"),
                NOTE => (self.note().map(Item::Note), "note"),
                SCOPE => match self.value().and_then(scope_from_value) {
                    Some(s) => {
                        *scope = Arc::new(s);
                        continue;
                    }
                    None => (None, "scope"),
                },
                _ => (None, "unknown"),
            };
            if item.is_none() {
                self.at = self.bytes.len();
            }
            return Some(item.ok_or(ReadError {
                offset,
                tag,
                record,
            }));
        }
    }

    fn note(&mut self) -> Option<Note> {
        let kind = self.u8()?;
        let time_unix_nano = self.u64()?;
        match kind {
            NOTE_BREADCRUMB => Some(Note::Breadcrumb {
                time_unix_nano,
                category: self.text()?,
                message: self.text()?,
                data: into_fields(self.value()?),
            }),
            NOTE_SCENE => Some(Note::Scene {
                time_unix_nano,
                name: self.text()?,
            }),
            NOTE_PAUSED => Some(Note::Paused {
                time_unix_nano,
                paused: self.u8()? != 0,
            }),
            NOTE_SPAN_STARTED => Some(Note::SpanStarted {
                time_unix_nano,
                trace_id: TraceId(self.array()?),
                span_id: SpanId(self.array()?),
                name: self.text()?,
            }),
            NOTE_HITCH => {
                let duration_ns = self.u64()?;
                let threshold_ns = self.u64()?;
                let count = self.u32()?;
                let mut monitors = Vec::with_capacity(count.min(64) as usize);
                for _ in 0..count {
                    let name = self.text()?;
                    monitors.push((name, f64::from_le_bytes(self.array()?)));
                }
                Some(Note::Hitch(HitchNote {
                    end_unix_nano: time_unix_nano,
                    duration_ns,
                    threshold_ns,
                    monitors,
                }))
            }
            _ => None,
        }
    }

    fn log(&mut self, scope: &ScopeRef) -> Option<Event> {
        let level = Level::from_tag(self.u8()?)?;
        let time_unix_nano = self.u64()?;
        let message = self.text()?;
        let data = into_fields(self.value()?);
        Some(Event::Log(LogRecord {
            time_unix_nano,
            level,
            message,
            data,
            scope: scope.clone(),
            event_name: None,
        }))
    }

    fn metric(&mut self) -> Option<Event> {
        let kind_byte = self.u8()?;
        let kind = match kind_byte {
            HISTOGRAM_SAMPLES => MetricKind::Histogram,
            tag => MetricKind::from_tag(tag)?,
        };
        let time_unix_nano = self.u64()?;
        let name = self.text()?;
        let value = f64::from_le_bytes(self.array()?);
        let labels = into_fields(self.value()?)
            .into_iter()
            .map(|(k, v)| (k, v.to_label_string()))
            .collect();
        let mut more = Vec::new();
        if kind_byte == HISTOGRAM_SAMPLES {
            let count = self.u32()? as usize;
            more.reserve(count.min(self.bytes.len() / 8));
            for _ in 0..count {
                more.push(f64::from_le_bytes(self.array()?));
            }
        }
        Some(Event::Metric(MetricUpdate {
            time_unix_nano,
            kind,
            name,
            value,
            labels,
            more,
        }))
    }

    fn span(&mut self, scope: &ScopeRef) -> Option<Event> {
        let trace_id = TraceId(self.array()?);
        let span_id = SpanId(self.array()?);
        let parent_span_id = match self.u8()? {
            0 => None,
            _ => Some(SpanId(self.array()?)),
        };
        let start_time_unix_nano = self.u64()?;
        let end_time_unix_nano = self.u64()?;
        let status = SpanStatus::from_tag(self.u8()?)?;
        let status_message = self.text()?;
        let name = self.text()?;
        let mut attributes = into_fields(self.value()?);
        for _ in 0..self.u32()? {
            let key = self.raw_str()?;
            let value = self.value()?;
            // A later `set_attribute` replaces the value given at start.
            attributes.retain(|(k, _)| *k != key);
            attributes.push((key, value));
        }
        Some(Event::Span(SpanRecord {
            trace_id,
            span_id,
            parent_span_id,
            name,
            start_time_unix_nano,
            end_time_unix_nano,
            attributes,
            status,
            status_message,
            scope: scope.clone(),
        }))
    }

    fn value(&mut self) -> Option<Value> {
        self.value_at(0)
    }

    /// Writers nest user values at most `MAX_VALUE_DEPTH` deep, inside a few
    /// levels of record structure; a far deeper buffer is malformed and must
    /// not exhaust the worker's stack.
    fn value_at(&mut self, depth: usize) -> Option<Value> {
        if depth > 4 * crate::model::value::MAX_VALUE_DEPTH {
            return None;
        }
        Some(match self.u8()? {
            NULL => Value::Null,
            BOOL => Value::Bool(self.u8()? != 0),
            INT => Value::Int(i64::from_le_bytes(self.array()?)),
            FLOAT => Value::Float(f64::from_le_bytes(self.array()?)),
            STR => Value::Str(self.raw_str()?),
            LIST => {
                let n = self.u32()? as usize;
                let mut items = Vec::with_capacity(n.min(1024));
                for _ in 0..n {
                    items.push(self.value_at(depth + 1)?);
                }
                Value::List(items)
            }
            MAP => {
                let n = self.u32()? as usize;
                let mut entries = Vec::with_capacity(n.min(1024));
                for _ in 0..n {
                    let k = self.raw_str()?;
                    entries.push((k, self.value_at(depth + 1)?));
                }
                Value::Map(entries)
            }
            _ => return None,
        })
    }

    /// A string value (message, name); other values as their text.
    fn text(&mut self) -> Option<String> {
        Some(match self.value()? {
            Value::Str(s) => s,
            other => other.to_label_string(),
        })
    }

    fn raw_str(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        let bytes = self.bytes.get(self.at..self.at + n)?;
        self.at += n;
        // Writers only write valid UTF-8; lossy keeps a bug from losing data.
        Some(String::from_utf8_lossy(bytes).into_owned())
    }

    fn u8(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.array()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.array()?))
    }
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let a = self.bytes.get(self.at..self.at + N)?.try_into().ok()?;
        self.at += N;
        Some(a)
    }
}

/// Reads one value written by a [`ValueWriter`] (the engine layer builds
/// `Value`s for its rare calls this way, so one traversal serves both).
pub fn read_value(bytes: &[u8]) -> Option<Value> {
    Reader::new(bytes).value()
}

/// `data`/`labels`/`attributes` as fields: a map as it is, null as empty.
fn into_fields(v: Value) -> Fields {
    match v {
        Value::Map(entries) => entries,
        Value::Null => Vec::new(),
        other => vec![("value".into(), other)],
    }
}

fn scope_from_value(v: Value) -> Option<Scope> {
    let Value::Map(mut parts) = v else {
        return None;
    };
    let mut take = |name: &str| {
        parts
            .iter()
            .position(|(k, _)| k == name)
            .map(|i| into_fields(parts.swap_remove(i).1))
    };
    let user = take("user")?;
    let contexts = take("contexts")?;
    let tags = take("tags")?
        .into_iter()
        .map(|(k, v)| (k, v.to_label_string()))
        .collect();
    Some(Scope {
        user,
        contexts,
        tags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tag_reads_back_as_its_variant_and_none_is_shared() {
        for &level in Level::ALL {
            assert_eq!(Level::from_tag(level.tag()), Some(level));
        }
        for &kind in MetricKind::ALL {
            assert_eq!(MetricKind::from_tag(kind.tag()), Some(kind));
            assert_ne!(kind.tag(), HISTOGRAM_SAMPLES);
        }
        for &status in SpanStatus::ALL {
            assert_eq!(SpanStatus::from_tag(status.tag()), Some(status));
        }
        assert_eq!(
            Level::from_tag(Level::ALL.len() as u8),
            None,
            "an unknown byte is not read as some level"
        );
    }

    fn read_all(buf: &[u8]) -> Vec<Event> {
        read_items(buf)
            .into_iter()
            .filter_map(|i| match i {
                Item::Event(e) => Some(e),
                Item::Note(_) => None,
            })
            .collect()
    }

    fn read_items(buf: &[u8]) -> Vec<Item> {
        let mut scope = ScopeRef::default();
        let mut reader = Reader::new(buf);
        std::iter::from_fn(|| reader.next_item(&mut scope))
            .map(|e| e.expect("well-formed"))
            .collect()
    }

    #[test]
    fn notes_read_back_in_order_between_events() {
        let mut buf = Vec::new();
        write_log(&mut buf, Level::Info, 1, "first", Fields::new());
        write_breadcrumb(
            &mut buf,
            2,
            "ui",
            "opened shop",
            vec![("tab".to_string(), Value::Str("swords".into()))],
        );
        write_scene(&mut buf, 3, "res://level_2.tscn");
        write_paused(&mut buf, 4, true);
        write_log(&mut buf, Level::Error, 5, "second", Fields::new());
        let items = read_items(&buf);
        assert!(matches!(&items[0], Item::Event(Event::Log(l)) if l.message == "first"));
        match &items[1] {
            Item::Note(Note::Breadcrumb {
                time_unix_nano: 2,
                category,
                message,
                data,
            }) => {
                assert_eq!((category.as_str(), message.as_str()), ("ui", "opened shop"));
                assert_eq!(
                    data,
                    &vec![("tab".to_string(), Value::Str("swords".into()))]
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(&items[2], Item::Note(Note::Scene { time_unix_nano: 3, name }) if name == "res://level_2.tscn")
        );
        assert!(matches!(
            &items[3],
            Item::Note(Note::Paused {
                time_unix_nano: 4,
                paused: true
            })
        ));
        assert!(matches!(&items[4], Item::Event(Event::Log(l)) if l.message == "second"));
    }

    #[test]
    fn values_round_trip_including_nesting_and_non_ascii() {
        let data = vec![
            ("s".to_string(), Value::Str("héllo ✓ 🎮".into())),
            ("i".into(), Value::Int(-42)),
            ("f".into(), Value::Float(1.5)),
            ("b".into(), Value::Bool(true)),
            ("n".into(), Value::Null),
            (
                "l".into(),
                Value::List(vec![
                    Value::Int(1),
                    Value::Map(vec![("k".into(), Value::Str("v".into()))]),
                ]),
            ),
        ];
        let mut buf = Vec::new();
        write_log(&mut buf, Level::Warn, 123, "msg ✓", &data);
        // A name given as UTF-32 code points, as the engine layer writes it.
        let chars: Vec<char> = "ünï 🎮".chars().collect();
        write_metric(
            &mut buf,
            MetricKind::Histogram,
            456,
            CharsText(&chars),
            2.5,
            [("a".to_string(), "b".to_string())].as_slice(),
        );
        let events = read_all(&buf);
        let Event::Log(log) = &events[0] else {
            panic!("{events:?}")
        };
        assert_eq!(
            (log.level, log.time_unix_nano, log.message.as_str()),
            (Level::Warn, 123, "msg ✓")
        );
        assert_eq!(log.data, data);
        let Event::Metric(m) = &events[1] else {
            panic!("{events:?}")
        };
        assert_eq!(
            (m.kind, m.time_unix_nano, m.name.as_str(), m.value),
            (MetricKind::Histogram, 456, "ünï 🎮", 2.5)
        );
        assert_eq!(m.labels, vec![("a".to_string(), "b".to_string())]);
    }

    struct CharsText<'a>(&'a [char]);
    impl WriteText for CharsText<'_> {
        fn write_text(&self, w: &mut ValueWriter) {
            w.str_chars(self.0);
        }
    }

    #[test]
    fn maps_whose_length_comes_last_read_back_whole() {
        let mut buf = Vec::new();
        buf.extend_from_slice(&[LOG, Level::Info.tag()]);
        buf.extend_from_slice(&7u64.to_le_bytes());
        let mut w = ValueWriter::new(&mut buf);
        w.str("m");
        let start = w.begin_map();
        w.key("x");
        w.int(1);
        w.key("y");
        w.null();
        w.end_map(start, 2);
        let events = read_all(&buf);
        let Event::Log(log) = &events[0] else {
            panic!()
        };
        assert_eq!(
            log.data,
            vec![
                ("x".to_string(), Value::Int(1)),
                ("y".to_string(), Value::Null)
            ]
        );
    }

    #[test]
    fn scope_records_apply_to_the_events_after_them() {
        let mut buf = Vec::new();
        write_log(&mut buf, Level::Info, 1, "before", Fields::new());
        let scope = Scope {
            user: vec![("id".into(), Value::Str("p1".into()))],
            contexts: vec![],
            tags: vec![("build".into(), "demo".into())],
        };
        write_scope(&mut buf, &scope);
        write_log(&mut buf, Level::Info, 2, "after", Fields::new());
        let events = read_all(&buf);
        let scopes: Vec<Scope> = events
            .iter()
            .map(|e| match e {
                Event::Log(l) => (*l.scope).clone(),
                _ => panic!(),
            })
            .collect();
        assert_eq!(scopes, vec![Scope::default(), scope]);
    }

    #[test]
    fn a_truncated_buffer_is_reported_not_misread() {
        let mut buf = Vec::new();
        write_log(&mut buf, Level::Info, 1, "whole", Fields::new());
        write_log(&mut buf, Level::Info, 2, "cut short", Fields::new());
        buf.truncate(buf.len() - 3);
        let mut scope = ScopeRef::default();
        let mut reader = Reader::new(&buf);
        assert!(matches!(
            reader.next_item(&mut scope),
            Some(Ok(Item::Event(Event::Log(_))))
        ));
        let whole = buf.len() + 3;
        match reader.next_item(&mut scope) {
            Some(Err(e)) => {
                assert_eq!((e.record, e.tag), ("log", LOG), "{e}");
                assert!(
                    e.offset > 0 && e.offset < whole,
                    "the second record's start: {e}"
                );
            }
            other => panic!("a read error, got {other:?}"),
        }
        assert!(reader.next_item(&mut scope).is_none());
    }
}
