//! `GameTrackerClient`: the node behind the `GameTracker` autoload
//! (`addons/game_tracker/game_tracker.gd` extends it; the autoload cannot
//! share the class's name: docs/protocols.md#godot). Every call converts its
//! Variants and forwards to the core: the tracker's state lives in
//! `game_tracker_core::api::lifecycle`.

use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

use game_tracker_core::api::lifecycle::{InitError, Lifecycle, State};
use game_tracker_core::api::stats_report;
use game_tracker_core::diagnostics::PREFIX;
use game_tracker_core::{DeviceInfo, Level, MetricKind, Signal};
use godot::classes::node::ProcessMode;
use godot::classes::notify::NodeNotification;
use godot::classes::{Engine, INode, Node, Os, RenderingServer};
use godot::prelude::*;

use crate::convert::{self, AsFields, AsText, Optional};
use crate::debugger_feed::DebuggerFeed;
use crate::hitch_detector::HitchDetector;
use crate::hot_methods::HotApi;
use crate::main_thread;
use crate::settings::{self, with_engine_paths};
use crate::span::{GameTrackerSpan, ParentIds, SpanPool};
use crate::vitals::Vitals;
use crate::warn::{self, warn_once};

/// Worker warnings printed per frame at most; the rest wait for later frames.
const DIAGNOSTICS_PER_FRAME: usize = 4;

/// Set by the error-capture Logger (any thread) when an engine error waits
/// to be sent: the frame drains them only then, instead of calling into
/// GDScript every frame to find the list empty.
static CAPTURED_ERRORS_WAITING: AtomicBool = AtomicBool::new(false);
/// The script the autoload runs (`addons/game_tracker/game_tracker.gd`)
/// extends this class and defines these methods, which the native side
/// calls by name: what waits in the GDScript error-capture Logger, and the
/// editor debugger's messages, live on that side. A script that extends this
/// class without them is told once, when its node is ready.
const SEND_CAPTURED_ERRORS: &str = "_send_captured_errors";
/// `_send_to_debugger(quitting: bool)`: see [`SEND_CAPTURED_ERRORS`].
const SEND_TO_DEBUGGER: &str = "_send_to_debugger";
const SCRIPT_HOOKS: [&str; 2] = [SEND_CAPTURED_ERRORS, SEND_TO_DEBUGGER];
/// The tracker's `_process` runs after the game's nodes, so the events a
/// frame produced reach the worker at the end of that same frame.
const PROCESS_PRIORITY: i32 = 1 << 30;

/// Sends logs to Loki, metrics to Prometheus remote write and traces to OTLP
/// from a background thread. Use it through the `GameTracker` autoload.
#[derive(GodotClass)]
#[class(base = Node, init)]
pub struct GameTrackerClient {
    /// Not started, running, disabled or shut down: the core decides.
    /// Frame delivery's requests go through Godot's HTTPClient.
    #[init(val = Lifecycle::with_polled_http(crate::godot_http::make))]
    lifecycle: Lifecycle,
    spans: std::cell::RefCell<SpanPool>,
    /// Frame times and the engine's monitors (`vitals: true`).
    vitals: Option<Vitals>,
    /// Times each frame, for the vitals and hitch capture (`capture_hitches`).
    frames: Option<HitchDetector>,
    /// The frame's events for the editor's debugger tab, while one is attached.
    debugger: DebuggerFeed,
    /// The benchmarks' measure of `process`'s parts on the main thread.
    #[cfg(feature = "bench")]
    frame_costs: crate::frame_costs::FrameCosts,
    base: Base<Node>,
}

#[godot_api]
impl INode for GameTrackerClient {
    fn process(&mut self, _delta: f64) {
        if CAPTURED_ERRORS_WAITING.swap(false, Ordering::AcqRel) {
            // Sent before the hand-over, so they leave in this frame.
            // `base_mut` lets the script call back into this object.
            self.base_mut().call(SEND_CAPTURED_ERRORS, &[]);
        }
        if let Some(t) = self.lifecycle.tracker() {
            #[cfg(feature = "bench")]
            let mut clock = crate::frame_costs::PartClock::start();
            let frame = self.frames.as_mut().and_then(|f| f.frame(t));
            #[cfg(feature = "bench")]
            match &frame {
                Some(f) if f.hitch => clock.lap(&mut self.frame_costs.hitch_reported),
                _ => clock.lap(&mut self.frame_costs.hitch_detector),
            }
            if let (Some(vitals), Some(frame)) = (self.vitals.as_mut(), frame) {
                vitals.frame(&frame, t);
            }
            #[cfg(feature = "bench")]
            clock.lap(&mut self.frame_costs.vitals);
            t.handover();
            #[cfg(feature = "bench")]
            clock.lap(&mut self.frame_costs.handover);
            for message in t.take_diagnostics(DIAGNOSTICS_PER_FRAME) {
                warn::warn(&message);
            }
            #[cfg(feature = "bench")]
            clock.lap(&mut self.frame_costs.diagnostics);
        }
    }

    /// Quitting (`get_tree().quit()`, the window's close button) takes the
    /// autoload out of the tree: the last events go out, waiting at most
    /// `quit_timeout`.
    fn exit_tree(&mut self) {
        if self.debugger.is_on() {
            // The editor's debugger tab gets the last events and counters
            // while the tracker still runs.
            self.base_mut().call(SEND_TO_DEBUGGER, &[true.to_variant()]);
        }
        self.send_vitals();
        self.lifecycle.exit();
    }

    fn on_notification(&mut self, what: NodeNotification) {
        match what {
            NodeNotification::READY => self.check_script_hooks(),
            NodeNotification::WM_CLOSE_REQUEST | NodeNotification::WM_GO_BACK_REQUEST => {
                self.lifecycle.close_requested()
            }
            NodeNotification::APPLICATION_PAUSED => {
                if let Some(t) = self.lifecycle.tracker() {
                    t.set_paused(true);
                }
                if let Some(frames) = self.frames.as_mut() {
                    frames.forget_last_frame();
                }
                self.lifecycle.pause();
            }
            NodeNotification::APPLICATION_RESUMED => {
                if let Some(t) = self.lifecycle.tracker() {
                    t.set_paused(false);
                }
            }
            _ => {}
        }
    }
}

#[godot_api]
impl GameTrackerClient {
    /// Starts the tracker from a Dictionary of options (docs/configuration.md
    /// lists them). Returns false, after one push_error naming each
    /// bad key, if the configuration is invalid; the game runs on untracked.
    /// The `GameTracker` autoload exposes this as `init(config)`.
    #[func]
    fn configure(&mut self, config: Variant) -> bool {
        if !main_thread::check("init", None) {
            return false;
        }
        let config = AsFields::new(Some(&config));
        if let Some(got) = config.unexpected_type() {
            warn::error(&format!("GameTracker.init: expected a Dictionary of options, got {got}; tracker stays disabled"));
            return false;
        }
        let fields = with_engine_paths(config.to_fields());
        match self.lifecycle.init(&fields, device_info) {
            Ok(started) => {
                if started {
                    self.on_started();
                }
                started
            }
            Err(InitError::AlreadyStarted) => {
                warn_once("init", "twice", || InitError::AlreadyStarted.to_string());
                false
            }
            Err(e) => {
                warn::error(&e.to_string());
                false
            }
        }
    }

    /// Player consent. `false` stops collection at once: nothing more is
    /// sent, what was not sent yet is dropped (counted as `disabled`, like
    /// every later call). `true` starts tracking again with `init`'s
    /// configuration, as a new session.
    #[func]
    fn set_enabled(&mut self, enabled: bool) {
        if !main_thread::check("set_enabled", None) {
            return;
        }
        let was = self.lifecycle.state();
        if let Err(e) = self.lifecycle.set_enabled(enabled, device_info) {
            warn::error(&e.to_string());
        }
        if was != State::Running && self.lifecycle.state() == State::Running {
            self.on_started();
        }
    }

    /// True between a successful `init` and `shutdown`, while enabled.
    #[func]
    fn is_active(&self) -> bool {
        self.lifecycle.is_active()
    }

    // log_debug, log_info, log_warn, log_error, increment, gauge and
    // histogram are registered by hand (hot_methods.rs) and land in `log`
    // and `metric` below.

    /// A breadcrumb: kept with the last ones (`breadcrumbs`, default 50) and
    /// sent with the next error-level log and with a crash report, not alone.
    /// Logs, spans and scene changes leave breadcrumbs by themselves.
    #[func]
    fn add_breadcrumb(
        &self,
        category: Variant,
        message: Variant,
        #[opt(default = Optional::null())] data: Optional,
    ) {
        if !main_thread::check("add_breadcrumb", None) {
            return;
        }
        if let Some(t) = self.lifecycle.tracker() {
            let data = fields_or_warn(Some(&data.0), "add_breadcrumb", "data");
            t.add_breadcrumb_with(AsText::new(&category), AsText::new(&message), data);
        }
    }

    /// The autoload turns this on while the editor's debugger is attached:
    /// each frame's events are then kept for `_take_debugger_events`.
    #[func]
    fn _set_debugger_feed(&mut self, on: bool) {
        self.debugger
            .set(on, self.lifecycle.tracker().map(|t| &**t));
    }

    /// `{"records": PackedByteArray, "overflow": n, "version": v, "hitches":
    /// [frozen_frame_ms, max_hitches_per_minute]}`: the records kept since
    /// the last call, how many events were not (over the cap), their
    /// format's version (`_debugger_feed_version`) and the game's hitch
    /// settings (the editor's reader makes its hitches with them).
    /// `staged`: also the events made since this frame's hand-over (the last
    /// call, as the game quits; never twice before a hand-over).
    #[func]
    fn _take_debugger_events(&mut self, staged: bool) -> VarDictionary {
        let hitches = self.lifecycle.hitch_config();
        self.debugger
            .take(self.lifecycle.tracker().map(|t| &**t), staged, &hitches)
    }

    /// In the editor: a session of a local store file (`telemetry.db`, an
    /// export, a merged file) for the tab's timeline, and the file's
    /// sessions; `session_id` "": the latest.
    #[func]
    fn _read_timeline(path: GString, session_id: GString) -> VarDictionary {
        crate::timeline_file::read(&path.to_string(), &session_id.to_string())
    }

    /// The log levels' names, lowest first (the core's `Level::NAMES`): the
    /// editor's tab filters and colours by them.
    #[func]
    fn _level_names() -> PackedStringArray {
        game_tracker_core::Level::NAMES
            .iter()
            .map(|n| GString::from(*n))
            .collect()
    }

    /// The version of the records this build sends and reads: the editor
    /// reads a game's records only if the game's version is this one.
    #[func]
    fn _debugger_feed_version() -> i64 {
        crate::debugger_feed::version()
    }

    /// Called by the error-capture Logger, from any thread, after it queued
    /// an engine error: the next frame sends what waits.
    #[func]
    fn _captured_error_waiting() {
        CAPTURED_ERRORS_WAITING.store(true, Ordering::Release);
    }

    /// True while the calling thread prints the tracker's own warning or
    /// error (`warn.rs`): the error-capture Logger skips those.
    #[func]
    fn _is_printing_own_output() -> bool {
        warn::is_printing_own()
    }

    /// The scene changed (SceneTree's `scene_changed`): breadcrumbs, the
    /// vitals' `scene` label and a crash report's last scene name it.
    #[func]
    fn _on_scene_changed(&mut self) {
        let scene = self.current_scene();
        if let Some(t) = self.lifecycle.tracker() {
            t.set_scene(scene.as_str());
        }
        if let Some(vitals) = self.vitals.as_mut() {
            vitals.set_scene(scene);
        }
    }

    /// Identity of the player, attached to every following event.
    #[func]
    fn set_user(&mut self, user: Variant) {
        if !main_thread::check("set_user", None) {
            return;
        }
        let user = fields_or_warn(Some(&user), "set_user", "user").to_fields();
        if let Some(t) = self.lifecycle.tracker() {
            t.set_user(user);
        }
    }

    /// A named section of context attached to following logs; `{}` removes it.
    #[func]
    fn set_context(&mut self, name: Variant, context: Variant) {
        if !main_thread::check("set_context", None) {
            return;
        }
        let Some(name) = convert::text(&name) else {
            warn_once("set_context", "name", || {
                "set_context(): name is null; ignored".into()
            });
            return;
        };
        let context = fields_or_warn(Some(&context), "set_context", "context").to_fields();
        if let Some(t) = self.lifecycle.tracker() {
            t.set_context(name, context);
        }
    }

    /// A tag attached to following logs and spans; "" removes it.
    #[func]
    fn set_tag(&self, key: Variant, value: Variant) {
        if !main_thread::check("set_tag", None) {
            return;
        }
        // The same tag set again (a call in `_process`) changes nothing:
        // compared in place, without copying either string.
        if let (Some(t), Some(k), Some(v)) = (
            self.lifecycle.tracker(),
            convert::string_chars(&key),
            convert::string_chars(&value),
        ) {
            if t.with_tags(|tags| {
                tags.iter()
                    .any(|(tk, tv)| same_text(tk, k) && same_text(tv, v))
            }) {
                return;
            }
        }
        let Some(key) = convert::text(&key) else {
            warn_once("set_tag", "key", || {
                "set_tag(): key is null; ignored".into()
            });
            return;
        };
        let value = convert::value(&value).to_label_string();
        if let Some(t) = self.lifecycle.tracker() {
            t.set_tag(key, value);
        }
    }

    /// Asks the worker to send everything now. Returns immediately.
    #[func]
    fn flush(&mut self) {
        if !main_thread::check("flush", None) {
            return;
        }
        self.send_vitals();
        if let Some(t) = self.lifecycle.tracker() {
            t.flush();
        }
    }

    /// Sends everything and waits (blocking!) until answered or `timeout_sec`
    /// passed. For loading screens and quitting. True if everything was answered.
    #[func]
    fn flush_and_wait(&mut self, #[opt(default = 2.0)] timeout_sec: f64) -> bool {
        if !main_thread::check("flush_and_wait", None) {
            return false;
        }
        self.send_vitals();
        self.lifecycle
            .tracker()
            .is_some_and(|t| t.flush_and_wait(wait_limit(timeout_sec)))
    }

    /// Writes the local store's rows since `since_unix` (Unix seconds; 0: all)
    /// into a new SQLite file at `path` (`user://` and `res://` allowed): a
    /// file a player attaches to a bug report. Returns at once (false if
    /// there is no tracker running); the worker writes the file, and a
    /// `flush_and_wait()` after this returns once it is written. The outcome
    /// is `get_stats()["local_store"]["last_export"]`.
    #[func]
    fn export_local(&mut self, path: GString, #[opt(default = 0.0)] since_unix: f64) -> bool {
        if !main_thread::check("export_local", None) {
            return false;
        }
        // `ProjectSettings` is not in this build's bindings: called by name.
        let settings = godot::classes::Engine::singleton().get_singleton("ProjectSettings");
        let path = settings
            .and_then(|mut s| s.try_call("globalize_path", &[path.to_variant()]).ok())
            .and_then(|p| p.try_to::<GString>().ok())
            .unwrap_or(path)
            .to_string();
        let since_us = if since_unix.is_finite() && since_unix > 0.0 {
            (since_unix * 1e6) as i64
        } else {
            0
        };
        self.lifecycle
            .tracker()
            .is_some_and(|t| t.export_local(path.into(), since_us))
    }

    /// Flushes (waiting at most `timeout_sec`) and stops the tracker. Also
    /// happens automatically when the node leaves the tree (game quit).
    #[func]
    fn shutdown(&mut self, #[opt(default = 2.0)] timeout_sec: f64) {
        if !main_thread::check("shutdown", None) {
            return;
        }
        self.send_vitals();
        self.lifecycle.shutdown(wait_limit(timeout_sec));
    }

    /// The benchmarks' measure of `process` by part (vitals, handover,
    /// diagnostics): frames, total and slowest main-thread time (ns).
    #[cfg(feature = "bench")]
    #[func]
    fn bench_frame_costs(&self) -> VarDictionary {
        self.frame_costs.to_dictionary()
    }

    /// The UUID v4 of this session ("" before `init`).
    #[func]
    fn get_session_id(&self) -> GString {
        GString::from(
            self.lifecycle
                .tracker()
                .map(|t| t.session().session_id.as_str())
                .unwrap_or(""),
        )
    }

    /// Prints `message` as the tracker's own warning: with the prefix every
    /// line of the tracker's starts with, and marked so the error capture
    /// does not send it as the game's (the autoload's script warns this way).
    #[func]
    fn _warn(message: GString) {
        warn::warn(&format!("{PREFIX}{message}"));
    }

    /// The prefix of the tracker's own lines; the scripts that run with no
    /// library have theirs (`addons/game_tracker/output.gd`), checked equal
    /// to this by tests/godot/test_stand_in.gd.
    #[func]
    fn _output_prefix() -> GString {
        PREFIX.into()
    }

    /// The `game_tracker/config/…` Project Settings, one Dictionary each:
    /// `name` (the `init` key), `default`, `type`, `hint`, `hint_string` and
    /// `basic`. The editor plugin registers them from this list.
    #[func]
    fn settings_schema() -> Array<VarDictionary> {
        settings::schema()
    }

    /// True when `config` (an `init` Dictionary) names somewhere to send
    /// events: an endpoint, a signal's URL, or a folder.
    #[func]
    fn has_destination(config: Variant) -> bool {
        game_tracker_core::config::schema::names_destination(
            &AsFields::new(Some(&config)).to_fields(),
        )
    }

    /// The `init` keys the autoload acts on, as the last valid `init` set
    /// them (their defaults before one): `overlay_key` (String, "" for
    /// none), `capture_errors` (bool, for this build), `vitals`, `enabled`.
    #[func]
    fn engine_options(&self) -> VarDictionary {
        let options = self.lifecycle.engine_options();
        let mut out = VarDictionary::new();
        out.set("overlay_key", options.overlay_key.as_str());
        out.set(
            "capture_errors",
            options.capture_errors.on(Os::singleton().is_debug_build()),
        );
        out.set("vitals", options.vitals);
        out.set("enabled", options.enabled);
        out
    }

    /// Per signal ("logs", "metrics", "traces"): produced, sent, pending,
    /// requests, bytes_sent, dropped (by reason), dropped_total, last_error;
    /// "local_store": path, rows_written, rows_lost (by reason), file_bytes.
    #[func]
    fn get_stats(&self) -> VarDictionary {
        let wrong_thread = Signal::ALL.map(main_thread::refused);
        convert::json_to_dictionary(&stats_report::report(&self.lifecycle, wrong_thread))
    }
}

impl GameTrackerClient {
    /// The methods of [`SCRIPT_HOOKS`] that a script extending this class
    /// must define; one warning for each that is missing.
    fn check_script_hooks(&self) {
        for hook in SCRIPT_HOOKS {
            if !self.base().has_method(hook) {
                warn_once("script", hook, || {
                    format!("the script extending GameTrackerClient has no {hook}(); extend addons/game_tracker/game_tracker.gd instead")
                });
            }
        }
    }

    /// A tracker started (by `init`, or consent given again).
    fn on_started(&mut self) {
        if let Some(file) = self.lifecycle.local_file() {
            godot_print!(
                "{PREFIX}no endpoint configured; events are written as JSON lines to {}",
                file.display()
            );
        }
        // Events are handed to the worker in `process`: keep it running
        // while the game is paused.
        self.base_mut().set_process_mode(ProcessMode::ALWAYS);
        self.base_mut().set_process_priority(PROCESS_PRIORITY);
        let options = self.lifecycle.engine_options();
        let hitches = self.lifecycle.hitch_config();
        self.frames = (options.vitals || hitches.capture).then(|| HitchDetector::new(&hitches));
        self.vitals = options.vitals.then(Vitals::new);
        if let (true, Some(t)) = (self.debugger.is_on(), self.lifecycle.tracker()) {
            // A session started again (consent) keeps feeding the debugger.
            t.set_tap(true);
        }
        if self.base().is_inside_tree() {
            let mut tree = self.base().get_tree();
            let callable = self.base().callable("_on_scene_changed");
            if !tree.is_connected("scene_changed", &callable) {
                tree.connect("scene_changed", &callable);
            }
        }
        self._on_scene_changed();
    }

    /// The current scene's file (its node name if it has none); "" before one.
    fn current_scene(&self) -> String {
        if !self.base().is_inside_tree() {
            return String::new();
        }
        let Some(scene) = self.base().get_tree().get_current_scene() else {
            return String::new();
        };
        let path = scene.get_scene_file_path().to_string();
        if path.is_empty() {
            scene.get_name().to_string()
        } else {
            path
        }
    }

    /// The vitals gathered so far go out with a flush.
    fn send_vitals(&mut self) {
        if let (Some(t), Some(vitals)) = (self.lifecycle.tracker(), self.vitals.as_mut()) {
            vitals.send_all(t);
        }
    }

    /// `log_debug`, `log_info`, `log_warn`, `log_error` (hot_methods.rs):
    /// `data` is `None` when the call left it out.
    pub(crate) fn log(
        &self,
        level: Level,
        method: &'static str,
        message: &Variant,
        data: Option<&Variant>,
    ) {
        if !main_thread::check(method, Some(Signal::Logs)) {
            return;
        }
        let Some(tracker) = self.lifecycle.tracker() else {
            return self.before_init(Signal::Logs, method);
        };
        let data = fields_or_warn(data, method, "data");
        let message = AsText::new(message);
        match message.variant_type() {
            VariantType::STRING | VariantType::STRING_NAME => {}
            VariantType::NIL => {
                warn_once(method, "message_null", || {
                    format!("{method}(): message is null; sent as \"<null>\"")
                });
                return tracker.log_with(level, "<null>", data);
            }
            _ => warn_once(method, "message_type", || {
                format!("{method}(): message should be a String; sent as its text")
            }),
        }
        tracker.log_with(level, message, data);
    }

    /// `start_span` (hot_methods.rs): `give` gets the span to return, so a
    /// pooled span goes back without an extra reference taken and dropped.
    /// `attributes` and `parent` are `None` when left out.
    pub(crate) fn start_span(
        &self,
        name: &Variant,
        attributes: Option<&Variant>,
        parent: Option<&Variant>,
        give: &mut dyn FnMut(&Gd<GameTrackerSpan>),
    ) {
        if !main_thread::check("start_span", Some(Signal::Traces)) {
            return give(&GameTrackerSpan::inert());
        }
        let Some(tracker) = self.lifecycle.tracker() else {
            self.before_init(Signal::Traces, "start_span");
            return give(&GameTrackerSpan::inert());
        };
        let attributes = fields_or_warn(attributes, "start_span", "attributes");
        let mut spans = self.spans.borrow_mut();
        let parent_ids = match parent.map(|p| spans.ids_of(p)) {
            None | Some(ParentIds::None) => None,
            Some(ParentIds::Span(ids)) => ids,
            Some(ParentIds::NotASpan) => {
                warn_once("start_span", "parent", || {
                    "start_span(): parent must be a span returned by start_span() (or null); starting a new trace".into()
                });
                None
            }
        };
        let open = if is_empty_text(name) {
            warn_once("start_span", "name", || {
                "start_span(): name must be a non-empty String; span named \"unnamed\"".into()
            });
            tracker.start_span("unnamed", attributes, parent_ids)
        } else {
            tracker.start_span(AsText::new(name), attributes, parent_ids)
        };
        give(spans.start(open, Rc::downgrade(tracker)));
    }

    /// `increment`, `gauge`, `histogram` (hot_methods.rs): `value` is
    /// `None` when `increment` left out its amount (1), `labels` when left out.
    pub(crate) fn metric(
        &self,
        kind: MetricKind,
        method: &'static str,
        name: &Variant,
        value: Option<&Variant>,
        labels: Option<&Variant>,
    ) {
        if !main_thread::check(method, Some(Signal::Metrics)) {
            return;
        }
        let Some(tracker) = self.lifecycle.tracker() else {
            return self.before_init(Signal::Metrics, method);
        };
        if is_empty_text(name) {
            warn_once(method, "name", || {
                format!("{method}(): name must be a non-empty String; update dropped")
            });
            return tracker.reject_metric();
        }
        let Some(value) = value.map_or(Some(1.0), convert::number) else {
            warn_once(method, "value", || {
                format!(
                    "{method}(\"{}\"): value must be an int or float; update dropped",
                    name.stringify()
                )
            });
            return tracker.reject_metric();
        };
        let labels = fields_or_warn(labels, method, "labels");
        tracker.metric_with(kind, AsText::new(name), value, labels);
    }

    fn before_init(&self, signal: Signal, method: &'static str) {
        self.lifecycle.not_started().count(signal);
        warn_once("any", "before_init", || {
            format!("{method}() called before a successful init(); event dropped (counted in get_stats() as not_initialized)")
        });
    }
}

/// `text` (UTF-8) holds exactly `chars`. Tags are usually ASCII: then equal
/// lengths and equal bytes decide, without decoding.
fn same_text(text: &str, chars: &[char]) -> bool {
    if text.is_ascii() {
        return text.len() == chars.len()
            && text
                .bytes()
                .zip(chars)
                .all(|(b, &c)| u32::from(b) == u32::from(c));
    }
    text.chars().eq(chars.iter().copied())
}

/// Null, or a String that is empty (one engine call, no copy).
fn is_empty_text(v: &Variant) -> bool {
    match v.get_type() {
        VariantType::NIL => true,
        VariantType::STRING | VariantType::STRING_NAME => !v.booleanize(),
        _ => false,
    }
}

/// A `data`-like argument, warned about once if it is not a Dictionary (nor null).
fn fields_or_warn<'a>(
    v: Option<&'a Variant>,
    method: &'static str,
    arg: &'static str,
) -> AsFields<'a> {
    let fields = AsFields::new(v);
    if let Some(got) = fields.unexpected_type() {
        warn_once(method, arg, || {
            format!("{method}(): {arg} should be a Dictionary, got {got}; sent as {{\"value\": …}}")
        });
    }
    fields
}

/// Longest a blocking call may wait, whatever it is asked for.
const MAX_WAIT_SECONDS: f64 = 60.0;

/// NaN, zero or negative: don't wait; INF: the longest allowed wait.
fn wait_limit(seconds: f64) -> std::time::Duration {
    if seconds > 0.0 {
        std::time::Duration::from_secs_f64(seconds.min(MAX_WAIT_SECONDS))
    } else {
        std::time::Duration::ZERO
    }
}

/// The automatic context, read once at `init`.
fn device_info() -> DeviceInfo {
    let os = Os::singleton();
    let version_info = Engine::singleton().get_version_info();
    let godot_version = version_info
        .get("string")
        .map(|v| v.stringify().to_string())
        .unwrap_or_default();
    let gpu = RenderingServer::singleton()
        .get_video_adapter_name()
        .to_string();
    // DisplayServer is looked up dynamically to keep the bindings minimal.
    let screen = Engine::singleton()
        .get_singleton("DisplayServer")
        .and_then(|mut ds| ds.try_call("screen_get_size", &[]).ok())
        .and_then(|size| size.try_to::<Vector2i>().ok())
        .map(|s| format!("{}x{}", s.x, s.y))
        .unwrap_or_default();
    DeviceInfo {
        os: os.get_name().to_string(),
        os_version: os.get_version().to_string(),
        locale: os.get_locale().to_string(),
        godot_version,
        gpu,
        screen,
    }
}

/// The per-frame calls, registered by hand (`hot_methods.rs`).
impl HotApi for GameTrackerClient {
    fn log(&self, level: Level, method: &'static str, message: &Variant, data: Option<&Variant>) {
        GameTrackerClient::log(self, level, method, message, data);
    }

    fn metric(
        &self,
        kind: MetricKind,
        method: &'static str,
        name: &Variant,
        value: Option<&Variant>,
        labels: Option<&Variant>,
    ) {
        GameTrackerClient::metric(self, kind, method, name, value, labels);
    }

    fn start_span(
        &self,
        name: &Variant,
        attributes: Option<&Variant>,
        parent: Option<&Variant>,
        give: &mut dyn FnMut(&Gd<GameTrackerSpan>),
    ) {
        GameTrackerClient::start_span(self, name, attributes, parent, give);
    }
}

// The hot methods' docs, registered with the `///` docs of the `#[func]`s,
// so F1 lists these too.
#[cfg(feature = "docs")]
godot::sys::shard_add!(godot::private::__GODOT_DOCS_REGISTRY; godot::private::DocsShard::new::<GameTrackerClient>(
    godot::private::DocsItem::ITraitImpl(Box::leak(crate::hot_methods::docs_xml().into_boxed_str()))
));
